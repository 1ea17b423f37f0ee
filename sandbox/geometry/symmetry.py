"""How left-right symmetric a network's first-layer creases are (for the symmetry experiment).

Each first-layer neuron's crease is the line w . x + b = 0, written as its unit normal n and
offset c = b / |w| (a line is the same with both signs flipped). Mirroring the plane in the
y axis maps (n_x, n_y, c) to (-n_x, n_y, c). `crease_symmetry` gives every crease a score
exp(-(d / SCALE)^2) from the distance d to the nearest crease of the mirrored set, d = |n - s n'|
+ |c - s c'| / DOMAIN_HALF minimised over the sign s, and averages them: 1 when every crease has a
mirror twin (a crease on the y axis is its own twin), near 0 when none has.
"""

from __future__ import annotations

import numpy as np

SCALE = 0.05
DOMAIN_HALF = 6.0


def crease_symmetry(net) -> float:
    """The mean mirror-twin score in [0, 1] of the first layer's creases (see the docstring)."""
    W, b = net.weights()[0]
    norm = np.hypot(W[:, 0], W[:, 1])
    keep = norm > 1e-12
    if not keep.any():
        return 0.0
    n = W[keep] / norm[keep, None]
    c = b[keep] / norm[keep]
    m = n * np.array([-1.0, 1.0])  # the mirrored normals, same offsets
    best = np.full(len(n), np.inf)
    for s in (1.0, -1.0):
        d = np.linalg.norm(m[:, None, :] - s * n[None, :, :], axis=2)
        d += np.abs(c[:, None] - s * c[None, :]) / DOMAIN_HALF
        best = np.minimum(best, d.min(axis=1))
    return float(np.mean(np.exp(-((best / SCALE) ** 2))))
