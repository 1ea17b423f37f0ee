"""The plane of a network too wide for the exact partition and for the per-pixel shader.

A network over the exact partition's budget is drawn by the per-pixel MLP shader when its layers
fit the shader (at most 64 wide); a wider one (a hidden layer of up to 1,000 neurons, as the
blog's 500-neuron disk) would leave the plane blank. Here its output is sampled on a regular grid
over the visible window (`GRID_STEP` screen pixels apart) and handed to the mesh pass as a
triangle mesh whose vertex values interpolate between samples: a faithful picture of the output,
though not exact inside a cell. The first layer's creases are straight lines, always exact:
`first_layer_segments` clips each neuron's line w . x + b = 0 to the window. Deeper creases and
the decision boundary are left out, which the readout says. Plain numpy; no GL here.
"""

from __future__ import annotations

import numpy as np

GRID_STEP = 8  # screen pixels between samples of the output


def grid(
    bounds: tuple[float, float, float, float], nx: int, ny: int
) -> tuple[np.ndarray, np.ndarray]:
    """(vertices (V, 2), triangles (T, 3) int32) of an nx x ny grid over bounds = (xmin, ymin,
    xmax, ymax), row by row from (xmin, ymin); cell (i, j) is the triangles (a, b, d) and
    (a, d, c) of its corners a = (i, j), b = (i, j + 1), c = (i + 1, j), d = (i + 1, j + 1)."""
    xmin, ymin, xmax, ymax = bounds
    nx, ny = max(2, int(nx)), max(2, int(ny))
    gx, gy = np.meshgrid(np.linspace(xmin, xmax, nx), np.linspace(ymin, ymax, ny))
    vertices = np.column_stack([gx.ravel(), gy.ravel()])
    i = np.arange(ny - 1)[:, None] * nx + np.arange(nx - 1)[None, :]
    a, b, c, d = i, i + 1, i + nx, i + nx + 1
    triangles = np.concatenate(
        [np.stack([a, b, d], -1).reshape(-1, 3), np.stack([a, d, c], -1).reshape(-1, 3)]
    ).astype(np.int32)
    return vertices, triangles


def grid_mesh(
    net, bounds: tuple[float, float, float, float], nx: int, ny: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(vertices (V, 2), triangles (T, 3) int32, values (V, n_out)) of the network's output
    sampled on an nx x ny grid over bounds = (xmin, ymin, xmax, ymax), two triangles a cell."""
    vertices, triangles = grid(bounds, nx, ny)
    return vertices, triangles, net.forward(vertices)


def picture_error(picture, vertices: np.ndarray, values: np.ndarray) -> np.ndarray:
    """(V, 1) |target - output| at the vertices: the picture's bilinear brightness against the
    output clipped to [0, 1] (as a picture shows it); 0 outside the picture's extent."""
    xmin, xmax, ymin, ymax = picture.extent
    x, y = vertices[:, 0], vertices[:, 1]
    inside = (x >= xmin) & (x <= xmax) & (y >= ymin) & (y <= ymax)
    err = np.abs(picture.sample(vertices) - np.clip(values[:, 0], 0.0, 1.0))
    return np.where(inside, err, 0.0)[:, None]


def first_layer_segments(net, bounds: tuple[float, float, float, float]) -> np.ndarray:
    """(S, 4) segments (x0, y0, x1, y1): each first-layer neuron's crease w . x + b = 0 clipped
    to bounds = (xmin, ymin, xmax, ymax); neurons whose line misses the window give none. All
    neurons at once (500 lines in well under a millisecond)."""
    W, b = net.weights()[0]
    xmin, ymin, xmax, ymax = (float(v) for v in bounds)
    wx, wy, c = W[:, 0], W[:, 1], b
    n = len(c)
    # where each line meets the window's edges x = xmin, x = xmax, y = ymin, y = ymax
    pts = np.full((n, 4, 2), np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        steep = np.abs(wy) > 1e-300
        for k, x in enumerate((xmin, xmax)):
            pts[:, k, 0] = x
            pts[:, k, 1] = np.where(steep, -(wx * x + c) / wy, np.nan)
        flat = np.abs(wx) > 1e-300
        for k, y in enumerate((ymin, ymax)):
            pts[:, 2 + k, 0] = np.where(flat, -(wy * y + c) / wx, np.nan)
            pts[:, 2 + k, 1] = y
    valid = np.zeros((n, 4), dtype=bool)
    valid[:, :2] = (pts[:, :2, 1] >= ymin) & (pts[:, :2, 1] <= ymax)
    valid[:, 2:] = (pts[:, 2:, 0] >= xmin) & (pts[:, 2:, 0] <= xmax)
    # the two points farthest apart (a corner hit may appear twice)
    d = ((pts[:, :, None, :] - pts[:, None, :, :]) ** 2).sum(-1)
    d = np.where(valid[:, :, None] & valid[:, None, :], d, -1.0)
    best = d.reshape(n, 16).argmax(axis=1)
    i, j = best // 4, best % 4
    rows = np.arange(n)
    keep = d[rows, i, j] > 0
    return np.concatenate([pts[rows, i], pts[rows, j]], axis=1)[keep].reshape(-1, 4)
