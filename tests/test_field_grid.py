"""The first layer's creases clipped to the window, all neurons at once, against a line-by-line
clip written the plain way (each line against the four edges, the farthest pair kept)."""

from __future__ import annotations

import numpy as np
import pytest

from sandbox.nn import MLP
from sandbox.render.field_grid import first_layer_segments


def _one_by_one(net, bounds):
    W, b = net.weights()[0]
    xmin, ymin, xmax, ymax = bounds
    out = []
    for (wx, wy), c in zip(W, b, strict=True):
        pts = []
        if abs(wy) > 1e-300:
            pts += [(x, -(wx * x + c) / wy) for x in (xmin, xmax)]
            pts = [p for p in pts if ymin <= p[1] <= ymax]
        if abs(wx) > 1e-300:
            pts += [
                (-(wy * y + c) / wx, y) for y in (ymin, ymax) if xmin <= -(wy * y + c) / wx <= xmax
            ]
        if len(pts) >= 2:
            p = np.array(pts)
            d = ((p[:, None, :] - p[None, :, :]) ** 2).sum(-1)
            i, j = np.unravel_index(np.argmax(d), d.shape)
            if d[i, j] > 0:
                out.append((*p[i], *p[j]))
    return np.array(out, dtype=np.float64).reshape(-1, 4)


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("bounds", [(-1, -1, 1, 1), (-3, -2, 5, 0.5), (0.2, 0.3, 0.4, 0.9)])
def test_clipped_creases_equal_a_line_by_line_clip(seed, bounds):
    net = MLP([2, 300, 1], seed=seed)
    got = first_layer_segments(net, bounds)
    assert 0 < len(got) <= 300
    np.testing.assert_array_equal(got, _one_by_one(net, bounds))


def test_axis_lines_diagonals_through_corners_and_misses():
    W = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [1.0, -1.0], [0.0, 0.0], [1.0, 0.0]])
    b = np.array([0.5, -0.2, 0.0, 0.0, 1.0, -3.0])  # the last two miss (no line, outside)
    net = MLP.from_weights([(W, b), (np.ones((1, 6)), np.zeros(1))])
    got = first_layer_segments(net, (-1, -1, 1, 1))
    np.testing.assert_array_equal(
        got, [[-0.5, -1, -0.5, 1], [-1, 0.2, 1, 0.2], [-1, 1, 1, -1], [-1, -1, 1, 1]]
    )
    np.testing.assert_array_equal(got, _one_by_one(net, (-1, -1, 1, 1)))
