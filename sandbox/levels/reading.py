"""Reading a region in a level: which region the player reads, the last step across a crease,
the neuron lit, and the numbers the read-a-region goals ask of them.

The app's region reader (sandbox.scenes.reading) follows a region by its activation pattern;
a level session keeps the same few facts in a `Reading` (the pattern read, the pattern the last
walk left and the neurons its crease flipped, the lit neuron, every pattern read so far), set by
the session's own actions (`read_at`, `walk`, `light`) when played headless, or copied from the
app's reader while the level is on screen. The measures are computed here from the level's exact
partition (sandbox.geometry.region_query): a region's x weight is the number in front of x in
its formula (for a classification network, the last class's logit minus the first's), and
neurons are numbered 1, 2, ... through the layers, as the goal language counts them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from sandbox.geometry import Partition
from sandbox.geometry.region_query import (
    find_pattern,
    formula,
    hidden_sizes,
    locate,
    neighbours,
    pattern_text,
    ref_to_flat,
    step_towards,
)


@dataclass
class Reading:
    """What the player reads (patterns as region_query.pattern_text writes them, "" for none)."""

    pattern: str = ""  # the region read now
    walked_from: str = ""  # the region the last walk (arrow key) left
    flipped: tuple[tuple[int, int], ...] = ()  # (layer 1-based, index 0-based) that last walk
    lit: tuple[int, int] | None = None  # the neuron lit (a click on its crease)
    seen: set[str] = field(default_factory=set)  # every region read so far

    def read(self, pattern: str) -> None:
        self.pattern = pattern
        if pattern:
            self.seen.add(pattern)


def _x_weights(part: Partition) -> np.ndarray:
    """Every region's x weight (its formula's x coefficient; classification: last minus first)."""
    maps = np.asarray(part.output_maps, dtype=np.float64)  # (R, K, 3)
    if maps.shape[1] == 1:
        return maps[:, 0, 0]
    return maps[:, -1, 0] - maps[:, 0, 0]


def x_weight(part: Partition, pattern: str) -> float:
    """The x weight of the region with `pattern` (NaN when no region of `part` has it)."""
    r = find_pattern(part, pattern)
    if r is None:
        return math.nan
    F = formula(part, r)
    return float(F[0, 0] if len(F) == 1 else F[-1, 0] - F[0, 0])


def most_x_weight(part: Partition) -> float:
    """The largest x weight of any region of `part` (NaN without regions)."""
    if part.too_many or part.output_maps is None or len(part) == 0:
        return math.nan
    return float(_x_weights(part).max())


def neuron_number(part: Partition, ref: tuple[int, int] | None) -> float:
    """Neuron (layer, index) numbered 1, 2, ... through the layers; NaN for none."""
    if ref is None:
        return math.nan
    try:
        return float(ref_to_flat(hidden_sizes(part), *ref) + 1)
    except ValueError:
        return math.nan


def read_at(reading: Reading, part: Partition, point) -> bool:
    """Read the region under `point` (Enter over the plane); False when there is none."""
    r = locate(part, point)
    if r is None:
        return False
    reading.read(pattern_text(part, r))
    return True


def walk(reading: Reading, part: Partition, dx: int, dy: int) -> bool:
    """Step to the neighbour across one crease in direction (dx, dy) (an arrow key)."""
    r = find_pattern(part, reading.pattern)
    if r is None:
        return False
    nb = step_towards(neighbours(part, r), (dx, dy))
    if nb is None:
        return False
    reading.walked_from = reading.pattern
    reading.flipped = tuple(nb.flipped)
    reading.read(pattern_text(part, nb.region))
    return True
