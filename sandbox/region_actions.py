"""Actions of reading a region: pick the region (or a crease's neuron) under a point, walk to a
neighbour across one crease, light up the regions where one neuron is on, copy the region's
numbers, and stop reading.

Like sandbox.actions, these are small immutable messages; sandbox.ui.region_input makes them
from keys and clicks, and the sandbox scene routes them to sandbox.scenes.reading. They only
look: none changes the data or the weights, so they apply while the timeline shows the past
and in every level.
"""

from __future__ import annotations

from dataclasses import dataclass

from sandbox.actions import Action


@dataclass(frozen=True, slots=True)
class ReadAt(Action):
    """Read what is under a window position: the region there, or, with `crease` and a crease
    within reach, that crease's neuron (lit where it is on)."""

    looks = True

    pos: tuple[float, float]
    crease: bool = False


@dataclass(frozen=True, slots=True)
class WalkRegion(Action):
    """Step to the neighbour across one crease in a screen direction (dx right, dy up)."""

    looks = True

    dx: int
    dy: int


@dataclass(frozen=True, slots=True)
class LightNeuron(Action):
    """Light up the regions where hidden neuron (layer 1-based, index 0-based) is on; the same
    neuron again, or layer 0, puts the light out."""

    looks = True

    layer: int
    index: int = 0


@dataclass(frozen=True, slots=True)
class CopyRegion(Action):
    """Put the region's formulas, bits, area and vertices on the clipboard at full precision."""

    looks = True


@dataclass(frozen=True, slots=True)
class ToggleReadTool(Action):
    """The toolbar's Read: on, a left click on the plane reads the region under it (as Enter
    does); off (or on while a region is read), let go of the region, as StopReading."""

    looks = True


@dataclass(frozen=True, slots=True)
class StopReading(Action):
    """Let go of the region (and the Read tool): clicks paint again."""

    looks = True
