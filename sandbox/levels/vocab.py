"""The words only level files use: markers, splits and confidence modes in goals; chapters.

Level files name these as plain strings; the string enums here make those strings valid values.
Control, ControlState, Task and View are the app's words (`sandbox.vocab`), re-exported here
because level files use them too.
"""

from __future__ import annotations

from enum import StrEnum

from sandbox.vocab import Control, ControlState, Task, View, allowed

__all__ = [
    "MORE_LEVELS",
    "YOUR_LEVELS",
    "ChapterName",
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


class ChapterName(StrEnum):
    """The chapters of the guided levels, in the words the menu shows (levels/chapters.toml
    lists which levels each holds, in play order, and what the player learned)."""

    ONE_NEURON = "One neuron"
    MANY_NEURONS = "Many neurons"
    DEPTH = "Depth"
    REGIONS = "Regions"
    TRAINING = "Training"
    CONFIDENCE = "Confidence"
    PICTURES = "Pictures"
    BEYOND_RELU = "Beyond ReLU"


# Chapters the menu makes by itself (a level file cannot name them): the shipped levels that
# chapters.toml does not list yet, and the teacher's own level files.
MORE_LEVELS = "More levels"
YOUR_LEVELS = "Your levels"
