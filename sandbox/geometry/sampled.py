"""The decision boundary of a smooth network, sampled: a contour traced on a fine grid.

A network with a smooth activation (tanh, sigmoid, GELU, sin) has no linear regions, so its
boundary cannot be clipped region by region. `sampled_boundary` evaluates the network on an
n x n grid over the window (n about the window's pixel size, so the contour is accurate to a
pixel) and traces the boundary through every grid cell whose corners disagree (marching
squares on the class labels): each crossing sits on a cell edge where the two classes' logit
difference changes sign, placed by linear interpolation of that difference. For regression the
contour is the level set f = level. Segments come with the two classes they separate, like
the exact boundary's.
"""

from __future__ import annotations

import numpy as np

SAMPLED_GRID = 384


def _labels_and_scores(net, X: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    f = net.forward(X)
    if f.shape[1] == 1:
        v = f[:, 0] - level
        return (v > 0).astype(np.int32), np.column_stack([-v, v])
    return np.argmax(f, axis=1).astype(np.int32), f


def _edge_points(lab, f, pts, a, b) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Crossings on the grid edges from nodes a to nodes b (index tuples of equal shape) whose
    labels differ: (differ mask, crossing points (..., 2), lower and upper class, int32 each).
    Points are formed only where the labels differ; elsewhere they stay 0."""
    la, lb = lab[a], lab[b]
    differ = la != lb
    point = np.zeros((*differ.shape, 2))
    low, high = np.minimum(la, lb), np.maximum(la, lb)
    k = np.nonzero(differ)
    if len(k[0]):
        ia, ib = tuple(x[k] for x in a), tuple(x[k] for x in b)
        ca, cb = la[k], lb[k]
        fa, fb = f[ia], f[ib]
        rows = np.arange(len(ca))
        # the difference of the two classes' scores: positive at a, negative at b
        da = fa[rows, ca] - fa[rows, cb]
        db = fb[rows, ca] - fb[rows, cb]
        with np.errstate(divide="ignore", invalid="ignore"):
            t = da / (da - db)
        t = np.clip(np.nan_to_num(t, nan=0.5), 0.0, 1.0)
        point[k] = pts[ia] + t[:, None] * (pts[ib] - pts[ia])
    return differ, point, low, high


def sampled_boundary(
    net, bounds, level: float = 0.5, n: int = SAMPLED_GRID
) -> tuple[np.ndarray, np.ndarray]:
    """(segments (B, 4), class pairs (B, 2)) of the boundary traced on an n x n grid.

    Each grid edge's crossing is formed once (a cell shares it with its neighbour, so their
    segments meet exactly) and only where the edge's two labels differ: a few thousand of the
    300,000 edges."""
    xmin, xmax, ymin, ymax = (float(v) for v in bounds)
    n = max(2, int(n))
    xs = np.linspace(xmin, xmax, n + 1)
    ys = np.linspace(ymin, ymax, n + 1)
    P = np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2)
    lab, f = _labels_and_scores(net, P, float(level))
    m = n + 1
    lab = lab.reshape(m, m)
    f = f.reshape(m, m, -1)
    pts = P.reshape(m, m, 2)
    # horizontal edges (i, j) -> (i, j + 1) and vertical ones (i, j) -> (i + 1, j)
    i, j = np.meshgrid(np.arange(m), np.arange(n), indexing="ij")
    h = _edge_points(lab, f, pts, (i, j), (i, j + 1))  # (m, n)
    i, j = np.meshgrid(np.arange(n), np.arange(m), indexing="ij")
    v = _edge_points(lab, f, pts, (i, j), (i + 1, j))  # (n, m)
    # the four edges of every cell (i, j), counter-clockwise: bottom, right, top, left
    cell_edges = [
        tuple(x[:-1, :] for x in h),
        tuple(x[:, 1:] for x in v),
        tuple(x[1:, :] for x in h),
        tuple(x[:, :-1] for x in v),
    ]
    mask = np.stack([e[0] for e in cell_edges], axis=-1)  # (n, n, 4)
    count = mask.sum(axis=-1)
    crossed = count >= 2  # (a cell's labels differ on an even number of its edges)
    mask = mask[crossed]
    point = np.stack([e[1][crossed] for e in cell_edges], axis=-2)  # (k, 4, 2)
    lo = np.stack([e[2][crossed] for e in cell_edges], axis=-1)
    hi = np.stack([e[3][crossed] for e in cell_edges], axis=-1)
    count = count[crossed]
    segs, pairs = [], []
    # two crossings: one segment between them
    two = count == 2
    if two.any():
        idx = np.argsort(~mask[two], axis=-1, kind="stable")[:, :2]
        pt = point[two]
        a = np.take_along_axis(pt, idx[:, :1, None], 1)[:, 0]
        b = np.take_along_axis(pt, idx[:, 1:2, None], 1)[:, 0]
        segs.append(np.concatenate([a, b], axis=1))
        pairs.append(
            np.stack(
                [
                    np.take_along_axis(lo[two], idx[:, :1], 1)[:, 0],
                    np.take_along_axis(hi[two], idx[:, :1], 1)[:, 0],
                ],
                axis=1,
            )
        )
    # three or four crossings (a saddle or where three classes meet): every crossing joins the
    # cell's centre, which is within the cell's pixel of the true junction
    many = count >= 3
    if many.any():
        cell_pts = point[many]
        cell_mask = mask[many]
        c_lo, c_hi = lo[many], hi[many]
        ci, ei = np.nonzero(cell_mask)
        mid = np.zeros((len(cell_pts), 2))
        np.add.at(mid, ci, cell_pts[ci, ei])
        mid /= cell_mask.sum(axis=1)[:, None]
        segs.append(np.concatenate([cell_pts[ci, ei], mid[ci]], axis=1))
        pairs.append(np.stack([c_lo[ci, ei], c_hi[ci, ei]], axis=1))
    if not segs:
        return np.zeros((0, 4)), np.zeros((0, 2), np.int32)
    return np.concatenate(segs), np.concatenate(pairs).astype(np.int32)


SURFACE_GRID = 64


def sampled_surface(
    net,
    bounds,
    kind="output",
    *,
    laplace=None,
    neuron: tuple[int, int] | None = None,
    boundary: np.ndarray | None = None,
    include_noise: bool = False,
    n: int = SURFACE_GRID,
):
    """The 3D surface of a smooth network over `bounds`: an n x n grid of cells, each a curved
    patch (subdivided where it bends, as the curved surfaces of surface.py), exact at its
    vertices only; no creases; `boundary` (the sampled contour) lifted onto it."""
    from sandbox.nn.mlp import softmax

    from .surface import (
        FoldedSurface,
        Height,
        LiftedSegments,
        _check_kind,
        _top,
        curved_surface,
        lift_segments,
        output_height,
    )

    kind = _check_kind(kind)
    K = int(net.sizes[-1])
    if kind is Height.PROBABILITY and K == 1:
        raise ValueError("the probability surface needs a classification network (2+ outputs)")
    if kind in (Height.LAPLACE, Height.BAND) and laplace is None:
        raise ValueError(f"the {kind.value} surface needs a fitted Laplace posterior")
    xmin, xmax, ymin, ymax = (float(v) for v in bounds)
    n = max(2, int(n))
    xs = np.linspace(xmin, xmax, n + 1)
    ys = np.linspace(ymin, ymax, n + 1)
    i, j = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    i, j = i.ravel(), j.ravel()
    corners = np.stack(
        [
            np.stack([xs[j], ys[i]], axis=1),
            np.stack([xs[j + 1], ys[i]], axis=1),
            np.stack([xs[j + 1], ys[i + 1]], axis=1),
            np.stack([xs[j], ys[i + 1]], axis=1),
        ],
        axis=1,
    ).reshape(-1, 2)
    offsets = np.arange(0, 4 * n * n + 1, 4, dtype=np.int64)
    cells = np.zeros(n * n, dtype=np.int32)
    lower = upper = None

    if kind is Height.NEURON:
        if neuron is None:
            raise ValueError("the neuron surface needs neuron=(layer, index)")
        layer, index = int(neuron[0]), int(neuron[1])

        def height_at(X):
            return net.layer_outputs(X)[layer - 1][:, index]

        def colour(X, pid):
            return height_at(X)[:, None]

    else:

        def colour(X, pid):
            return net.forward(X)

        if kind is Height.OUTPUT:

            def height_at(X):
                return output_height(net.forward(X))

        elif kind is Height.PROBABILITY:

            def height_at(X):
                return _top(softmax(net.forward(X)))

        elif kind is Height.LAPLACE:

            def height_at(X):
                p = laplace.predict_proba_features(net.features(X), link="probit")
                return _top(np.asarray(p))

        else:  # BAND

            def height_at(X):
                return net.forward(X)[:, 0]

            def spread(sign):
                def f(X, pid):
                    m, v = laplace.predict_features(net.features(X), include_noise=include_noise)
                    return np.asarray(m) + sign * np.sqrt(np.maximum(np.asarray(v), 0.0))

                return f

            upper, levels = curved_surface(offsets, corners, cells, spread(1.0), colour)
            lower, _ = curved_surface(offsets, corners, cells, spread(-1.0), colour, levels=levels)

    surface, _ = curved_surface(offsets, corners, cells, lambda X, pid: height_at(X), colour)
    lifted = LiftedSegments.empty()
    if boundary is not None and len(boundary) and kind is not Height.NEURON:
        lifted = lift_segments(np.asarray(boundary), height_at)
    return FoldedSurface(
        surface=surface,
        creases=LiftedSegments.empty(),
        boundary=lifted,
        height_at=height_at,
        bounds=(xmin, xmax, ymin, ymax),
        kind=kind,
        n_out=K,
        lower=lower,
        upper=upper,
    )
