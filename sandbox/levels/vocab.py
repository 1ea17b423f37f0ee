"""The words only level files use: markers, splits and confidence modes in goals.

Level files name these as plain strings; the string enums here make those strings valid values.
Control, ControlState, Task and View are the app's words (`sandbox.vocab`), re-exported here
because level files use them too.
"""

from __future__ import annotations

from enum import StrEnum

from sandbox.vocab import Control, ControlState, Task, View, allowed

__all__ = [
    "ConfidenceMode",
    "Control",
    "ControlState",
    "MarkerKind",
    "Split",
    "Task",
    "View",
    "allowed",
]


class MarkerKind(StrEnum):
    STAR = "star"  # a place of interest, often far from the data
    POINT = "point"  # a dot, e.g. one of two points a crease must pass between


class Split(StrEnum):
    TRAIN = "train"
    TEST = "test"


class ConfidenceMode(StrEnum):
    MAP = "map"  # the trained network's own softmax
    LAPLACE = "laplace"  # last-layer Laplace predictive (probit)
