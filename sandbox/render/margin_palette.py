"""The colours of the margins view: six steps from "on the wrong side" through "close to the
boundary" to "far from it", shared by the points on the plane and the histogram's bars.

`margin_steps(signed)` puts every signed margin (negative on the wrong side) into one of the six
steps of MARGIN_COLORS: step 0 is the wrong side (vermillion), steps 1-5 the right side at
distances [0, u/4), [u/4, u/2), [u/2, u), [u, 2u) and beyond 2u, where the unit u is a round
number (1, 2 or 5 times a power of ten) near the median margin of the right-side points, so
the legend reads in plain numbers. The right side runs from yellow (close) to deep blue (far):
the viridis ramp, readable with every common colour-vision deficiency. Plain numpy, no GL.
"""

from __future__ import annotations

import math

import numpy as np

# vermillion for the wrong side, then viridis from close (yellow) to far (deep blue)
_HEX = ("#D55E00", "#FDE725", "#7AD151", "#22A884", "#2A788E", "#414487")
MARGIN_COLORS = np.array(
    [[int(h[i : i + 2], 16) / 255.0 for i in (1, 3, 5)] for h in _HEX], dtype=np.float32
)
MARGIN_STEP_WORDS = ("wrong side", "closest", "close", "middle", "far", "farthest")


def nice_unit(value: float) -> float:
    """The round number (1, 2 or 5 x 10^k) nearest `value` on a log scale (1 for none)."""
    if not (math.isfinite(value) and value > 0):
        return 1.0
    k = math.floor(math.log10(value))
    best = min((1.0, 2.0, 5.0, 10.0), key=lambda m: abs(math.log10(value / (m * 10.0**k))))
    return best * 10.0**k


def margin_steps(signed: np.ndarray) -> tuple[np.ndarray, tuple[float, ...]]:
    """(steps (N,) float32 in 0..5, right-side edges (0, u/4, u/2, u, 2u)) for signed margins;
    a NaN margin (not known) counts as far."""
    signed = np.asarray(signed, dtype=np.float64)
    right = signed[np.isfinite(signed) & (signed >= 0)]
    unit = nice_unit(float(np.median(right))) if right.size else 1.0
    edges = (0.0, unit / 4, unit / 2, unit, 2 * unit)
    d = np.where(np.isfinite(signed), signed, np.inf)
    steps = np.where(d < 0, 0, 1 + np.searchsorted(np.asarray(edges[1:]), d, side="right"))
    return steps.astype(np.float32), edges
