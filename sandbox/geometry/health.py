"""Counts and health of a network's geometry: region counts against the Serra bound, dead neurons,
copycat neurons and creases that miss the data.

All checks are exact where the partition is (dead in the window, creases against the data's
convex hull); copycats are judged by the distance between creases measured on each crease with
the local linear map. When the partition exceeds its budget (too many regions), the window checks
fall back to a dense sample of points and say so in their result.

"Dead" means never on a sloped piece: a ReLU neuron that is off everywhere, a hardtanh neuron
stuck on one of its flat ends. Leaky ReLU, abs, linear and the smooth activations always pass a
slope on, so their neurons never die; `dead_neurons` then says so in its `note`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from math import comb

import numpy as np

from sandbox.vocab import Activation

from ..nn.activations import pieces as activation_pieces
from .regions import Partition, check_bounds, check_network, linear_regions

FALLBACK_GRID = 256


def serra_bound(hidden_sizes: Sequence[int], n_in: int = 2) -> int:
    """Serra-Tjandraatmadja-Ramalingam (ICML 2018) upper bound on the number of linear regions.

    hidden_sizes: widths of the hidden layers (e.g. [16, 16]); n_in: input dimension. The bound
    is the sum over (j_1..j_L) of prod_l C(n_l, j_l) with
    0 <= j_l <= min(n_in, n_1 - j_1, ..., n_{l-1} - j_{l-1}, n_l).
    """
    sizes = [int(n) for n in hidden_sizes]
    if not sizes or any(n < 1 for n in sizes) or n_in < 1:
        raise ValueError(f"hidden sizes must be positive integers, got {list(hidden_sizes)}")
    # state: the running min(n_in, n_1 - j_1, ...) -> sum of products so far
    states = {int(n_in): 1}
    for n in sizes:
        nxt: dict[int, int] = {}
        for cap, total in states.items():
            for j in range(min(cap, n) + 1):
                key = min(cap, n - j)
                nxt[key] = nxt.get(key, 0) + total * comb(n, j)
        states = nxt
    return int(sum(states.values()))


def _grid(bounds, n: int) -> np.ndarray:
    xmin, xmax, ymin, ymax = bounds
    xs = xmin + (np.arange(n) + 0.5) * (xmax - xmin) / n
    ys = ymin + (np.arange(n) + 0.5) * (ymax - ymin) / n
    return np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2)


def _check_points(X) -> np.ndarray:
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"data points must have shape (N, 2), got {X.shape}")
    if not np.all(np.isfinite(X)):
        raise ValueError("data points contain NaN or infinite values")
    return X


@dataclass
class DeadNeurons:
    """in_window (N,) bool: never active anywhere in the window (exact unless `sampled`);
    on_data (N,) bool or None: active on none of the data points."""

    in_window: np.ndarray
    on_data: np.ndarray | None
    sampled: bool = False
    note: str = ""  # why no neuron can die, for activations that always pass a slope on


def can_die(net) -> bool:
    """Whether the network's neurons can die (ReLU: off everywhere; hardtanh: stuck flat)."""
    return net.activation in (Activation.RELU, Activation.HARDTANH)


def never_dead_note(net) -> str:
    """The line the health views show instead of dead neurons when neurons cannot die."""
    a = net.activation
    if a is Activation.LEAKY_RELU:
        return (
            f"leaky ReLU neurons never die: below zero they still pass a slope of "
            f"{net.negative_slope:g} on, so dead neurons mean nothing here"
        )
    if a is Activation.ABS:
        return "abs neurons never die: both sides of the fold have slope 1 or -1"
    if a is Activation.LINEAR:
        return "linear neurons never die (nor fold): the whole network is one affine map"
    return f"{a.value} neurons never die: {a.value} has a slope everywhere"


def _sloped(net, X: np.ndarray) -> np.ndarray:
    """(N, neurons) bool: the neuron is on a sloped piece at each point."""
    if net.activation is Activation.HARDTANH:
        return net.piece_pattern(X) == 1
    return net.activation_pattern(X)


def _sloped_in_box(net, bounds) -> np.ndarray:
    """(neurons,) bool: a first-layer neuron is on a sloped piece somewhere in the window."""
    xmin, xmax, ymin, ymax = bounds
    W, c = net.weights()[0]
    corners = np.array([[xmin, ymin], [xmax, ymin], [xmin, ymax], [xmax, ymax]])
    z = corners @ W.T + c  # (4, n)
    lo, hi = z.min(axis=0), z.max(axis=0)
    if net.activation is Activation.HARDTANH:
        return (hi > -1.0) & (lo < 1.0)
    return hi > 0.0


def dead_neurons(
    net, bounds, X: np.ndarray | None = None, partition: Partition | None = None
) -> DeadNeurons:
    """Neurons (flat index over all hidden layers) never active in the window / on the data."""
    check_network(net)
    b = check_bounds(bounds)
    if not can_die(net):
        none = np.zeros(net.n_hidden, dtype=bool)
        on_data = none.copy() if X is not None and len(_check_points(X)) else None
        return DeadNeurons(in_window=none, on_data=on_data, note=never_dead_note(net))
    P = partition if partition is not None else linear_regions(net, b)
    sampled = P.too_many or P.upto_layer != len(net.sizes) - 2
    if sampled and len(net.sizes) == 3:
        # one hidden layer: each pre-activation is affine, so its range over the window is
        # spanned by the corners' values, and no sample is needed (the picture's 500 neurons)
        active = _sloped_in_box(net, b)
        sampled = False
    elif sampled:
        active = _sloped(net, _grid(b, FALLBACK_GRID)).any(axis=0)
    elif net.activation is Activation.HARDTANH:
        active = (P.patterns == 1).any(axis=0)
    else:
        active = P.patterns.any(axis=0)
    on_data = None
    if X is not None:
        X = _check_points(X)
        on_data = ~_sloped(net, X).any(axis=0) if len(X) else None
    return DeadNeurons(in_window=~active, on_data=on_data, sampled=sampled)


def _preact_and_grad(net, X: np.ndarray, layer: int) -> tuple[np.ndarray, np.ndarray]:
    """Pre-activations (N, n) of a 1-based hidden layer and their input gradients (N, n, 2).

    The gradients travel as two (N, k) arrays, d/dx and d/dy, so that each layer is two matrix
    products (an einsum over the points took 22 s for 8 x 64's creases, this about 2 s)."""
    h = X
    gx = np.broadcast_to(np.array([1.0, 0.0]), (X.shape[0], 2))
    gy = np.broadcast_to(np.array([0.0, 1.0]), (X.shape[0], 2))
    pc = activation_pieces(net.activation, net.negative_slope)
    slopes = np.asarray(pc.slopes)
    toffs = np.asarray(pc.offsets)
    for (W, b), res in zip(net.layers[: layer - 1], net.residual_layers, strict=False):
        z = h @ W.T + b
        q = pc.piece(z)
        slope = slopes[q]
        h_new = z * slope + toffs[q]
        gx_new = (gx @ W.T) * slope
        gy_new = (gy @ W.T) * slope
        if res:
            h, gx, gy = h + h_new, gx + gx_new, gy + gy_new
        else:
            h, gx, gy = h_new, gx_new, gy_new
    W, b = net.layers[layer - 1]
    return h @ W.T + b, np.stack([gx @ W.T, gy @ W.T], axis=2)


def copycat_neurons(
    net, bounds, tol: float = 0.01, partition: Partition | None = None
) -> list[tuple[int, int, int]]:
    """Pairs of neurons of one layer whose creases nearly coincide in the window.

    Returns (layer (1-based), i, j) with i < j. Two neurons are copycats when every crease point
    of each lies within tol * (window diagonal) of the other's crease, the distance measured as
    |z(p)| / |grad z(p)| with the neuron's local linear map (exact inside a region). Neurons with no
    crease in the window are never copycats. Orientation does not matter.
    """
    check_network(net)
    b = check_bounds(bounds)
    if not tol > 0:
        raise ValueError(f"tol is {tol}; it must be a positive fraction of the window diagonal")
    P = partition if partition is not None else linear_regions(net, b)
    if P.too_many:
        return []
    diag = float(np.hypot(b[1] - b[0], b[3] - b[2]))
    cr = P.creases
    out: list[tuple[int, int, int]] = []
    # sample points strictly inside each segment (its ends sit on other creases, where the
    # gradient jumps)
    ts = np.array([0.1, 0.5, 0.9])
    for layer in range(1, P.upto_layer + 1):
        sel = cr.layer == layer
        if not np.any(sel):
            continue
        seg = cr.segments[sel]
        neu = cr.neuron[sel]
        pts = seg[:, None, :2] + ts[None, :, None] * (seg[:, None, 2:] - seg[:, None, :2])
        pts = pts.reshape(-1, 2)
        owner = np.repeat(neu, ts.size)
        z, g = _preact_and_grad(net, pts, layer)
        gn = np.hypot(g[:, :, 0], g[:, :, 1])
        with np.errstate(divide="ignore", invalid="ignore"):
            d = np.where(gn > 0.0, np.abs(z) / gn, np.inf)
        n = z.shape[1]
        worst = np.full((n, n), np.inf)
        present = np.unique(owner)
        for i in present:
            worst[i] = d[owner == i].max(axis=0)
        close = (worst <= tol * diag) & (worst.T <= tol * diag)
        for i, j in zip(*np.nonzero(np.triu(close, k=1)), strict=True):
            out.append((layer, int(i), int(j)))
    return out


def convex_hull(X: np.ndarray) -> np.ndarray:
    """Counter-clockwise convex hull vertices (h, 2) of points (Andrew's monotone chain)."""
    X = _check_points(X)
    P = np.unique(X, axis=0)
    if len(P) <= 2:
        return P

    def cross(o, a, b):
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower: list[np.ndarray] = []
    for p in P:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    upper: list[np.ndarray] = []
    for p in P[::-1]:
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return np.array(lower[:-1] + upper[:-1])


def segments_meet_convex(seg: np.ndarray, hull: np.ndarray) -> np.ndarray:
    """(S,) bool: does each segment (S, 4) meet the closed convex CCW polygon `hull`?"""
    p0 = seg[:, None, :2]
    d = seg[:, None, 2:] - seg[:, None, :2]
    a = hull[None, :, :]
    e = np.roll(hull, -1, axis=0)[None, :, :] - a
    # inside of edge k: cross(e_k, x - a_k) >= 0; along the segment it is c0 + t * c1
    c0 = e[..., 0] * (p0[..., 1] - a[..., 1]) - e[..., 1] * (p0[..., 0] - a[..., 0])
    c1 = e[..., 0] * d[..., 1] - e[..., 1] * d[..., 0]
    scale = np.abs(hull).max() + 1.0
    tol = 1e-12 * scale * np.hypot(e[..., 0], e[..., 1])
    with np.errstate(divide="ignore", invalid="ignore"):
        t = -c0 / c1
    lo = np.where(c1 > 0, t, -np.inf)
    hi = np.where(c1 < 0, t, np.inf)
    parallel_out = (c1 == 0) & (c0 < -tol)
    tlo = np.maximum(lo.max(axis=1), 0.0)
    thi = np.minimum(hi.min(axis=1), 1.0)
    return (tlo <= thi + 1e-12) & ~parallel_out.any(axis=1)


def creases_outside_hull(net, X: np.ndarray, bounds=None) -> np.ndarray:
    """(N,) bool per hidden neuron: True when its crease does not cross the data's convex hull.

    The partition is taken over `bounds` (default: the hull's bounding box, slightly padded) so
    that the hull lies inside the window. Neurons with no crease there (dead or always on over
    the data's hull) count as outside. With fewer than three non-collinear points the hull is
    degenerate and a neuron counts as crossing when its pre-activation changes sign on the data.
    """
    check_network(net)
    X = _check_points(X)
    if len(X) == 0:
        raise ValueError("creases_outside_hull needs at least one data point")
    hull = convex_hull(X)
    n_total = net.n_hidden
    offsets = np.concatenate([[0], np.cumsum(net.hidden_sizes)])
    area2 = 0.0
    if len(hull) >= 3:
        x, y = hull[:, 0], hull[:, 1]
        area2 = float(np.sum(x * np.roll(y, -1) - np.roll(x, -1) * y))
    if len(hull) < 3 or area2 <= 1e-12 * (np.abs(hull).max() + 1.0) ** 2:
        zs = np.concatenate(net.preactivations(X), axis=1)
        return ~((zs > 0).any(axis=0) & (zs < 0).any(axis=0))
    if bounds is None:
        lo, hi = X.min(axis=0), X.max(axis=0)
        pad = 0.01 * max(float(np.max(hi - lo)), 1e-9)
        bounds = (lo[0] - pad, hi[0] + pad, lo[1] - pad, hi[1] + pad)
    b = check_bounds(bounds)
    P = linear_regions(net, b)
    crossing = np.zeros(n_total, dtype=bool)
    if P.too_many:
        # dense sample of the hull: a sign change among sampled points means a crease crosses
        G = _grid(b, FALLBACK_GRID)
        inside = segments_meet_convex(np.concatenate([G, G], axis=1), hull)
        zs = np.concatenate(net.preactivations(G[inside]), axis=1)
        return ~((zs > 0).any(axis=0) & (zs < 0).any(axis=0))
    cr = P.creases
    meets = segments_meet_convex(cr.segments, hull) if len(cr) else np.zeros(0, bool)
    flat = offsets[cr.layer - 1] + cr.neuron
    crossing[flat[meets]] = True
    return ~crossing


@dataclass
class NetworkHealth:
    """Summary for the health panel (flat neuron indices run over all hidden layers)."""

    n_regions: int
    serra_bound: int
    too_many: bool
    dead_in_window: np.ndarray
    dead_on_data: np.ndarray | None
    copycats: list[tuple[int, int, int]]
    outside_hull: np.ndarray | None
    message: str = ""

    @property
    def n_dead_in_window(self) -> int:
        return int(self.dead_in_window.sum())

    @property
    def n_dead_on_data(self) -> int:
        return 0 if self.dead_on_data is None else int(self.dead_on_data.sum())

    @property
    def n_outside_hull(self) -> int:
        return 0 if self.outside_hull is None else int(self.outside_hull.sum())


def network_health(
    net, bounds, X: np.ndarray | None = None, tol: float = 0.01, partition=None
) -> NetworkHealth:
    """Regions, Serra bound, dead, copycat and outside-the-data neurons of `net` in `bounds`."""
    check_network(net)
    b = check_bounds(bounds)
    P = partition if partition is not None else linear_regions(net, b)
    dead = dead_neurons(net, b, X, partition=P)
    outside = None
    if X is not None and len(X):
        outside = creases_outside_hull(net, X)
    return NetworkHealth(
        n_regions=len(P),
        serra_bound=serra_bound(net.hidden_sizes),
        too_many=P.too_many,
        dead_in_window=dead.in_window,
        dead_on_data=dead.on_data,
        copycats=copycat_neurons(net, b, tol, partition=P),
        outside_hull=outside,
        message=P.message,
    )
