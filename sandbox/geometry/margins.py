"""Exact margins: how far every point is from the network's decision boundary, and the smallest
move that flips a point's class.

The decision boundary of a piecewise-linear network is a union of straight segments, which the
exact partition already lists (`Partition.boundary`, MATH.md section 1). The distance of a point
to the boundary is the distance to the nearest of those segments, computed exactly (no sampling):
`nearest_on_segments` is a numba kernel with a plain-numpy twin (`nearest_on_segments_numpy`, the
test oracle).

The partition covers a window, so a segment outside it is unknown. `point_margins` partitions a
window around the data (its bounding box grown by MARGIN_PAD of its extent, at least MIN_PAD),
and a distance d is certain when the disk of radius d around the point lies inside the window:
any boundary point outside would be farther. The points that are not certain get a second,
larger window that holds their disks (so their distances become certain too) unless it would be
more than MAX_GROWTH times the first; what is still uncertain then is reported as a lower bound
(`exact` False, `distance` the distance to the window's edge). A network over the region budget
or with a smooth activation has no exact boundary: `message` says so and every distance is NaN.

`nudge_to_flip` turns a nearest boundary point into a move that flips the class: the nearest
point itself is a tie, so the move goes a hair (FLIP_EPS of the scale) beyond it, checked with a
forward pass, in the direction that crosses into another class.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numba import njit

from .arrangement import FIRST_LAYER_REGION_CAP, first_layer_regions, too_many_partition
from .regions import Bounds, Partition, check_network, linear_regions

MARGIN_PAD = 0.25  # the margin window: the data's bounding box grown by this share of its extent
MIN_PAD = 1.0  # ... and by at least this many plane units
MAX_GROWTH = 16.0  # a second window at most this many times the first one's extent
FLIP_EPS = 1e-6  # how far beyond the nearest boundary point a flipping move goes (relative)


@njit(cache=True, nogil=True)
def _nearest_kernel(X, S):
    """For every point of X (N, 2), the nearest point of the segments S (B, 4): distance (N,),
    the point (N, 2) and the segment's index (N,); inf, NaN and -1 when B is 0."""
    n = X.shape[0]
    b = S.shape[0]
    dist = np.full(n, np.inf)
    near = np.full((n, 2), np.nan)
    which = np.full(n, -1, np.int64)
    for i in range(n):
        px = X[i, 0]
        py = X[i, 1]
        best = np.inf
        bx = np.nan
        by = np.nan
        bk = -1
        for k in range(b):
            ax = S[k, 0]
            ay = S[k, 1]
            dx = S[k, 2] - ax
            dy = S[k, 3] - ay
            ll = dx * dx + dy * dy
            t = 0.0
            if ll > 0.0:
                t = ((px - ax) * dx + (py - ay) * dy) / ll
                if t < 0.0:
                    t = 0.0
                elif t > 1.0:
                    t = 1.0
            qx = ax + t * dx
            qy = ay + t * dy
            ex = px - qx
            ey = py - qy
            d2 = ex * ex + ey * ey
            if d2 < best:
                best = d2
                bx = qx
                by = qy
                bk = k
        if bk >= 0:
            dist[i] = np.sqrt(best)
            near[i, 0] = bx
            near[i, 1] = by
            which[i] = bk
    return dist, near, which


def _check_inputs(X, segments) -> tuple[np.ndarray, np.ndarray]:
    X = np.ascontiguousarray(np.asarray(X, dtype=np.float64).reshape(-1, 2))
    S = np.ascontiguousarray(np.asarray(segments, dtype=np.float64).reshape(-1, 4))
    return X, S


def nearest_on_segments(X, segments) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Exact nearest point of the segments (B, 4) rows (x0, y0, x1, y1) to every point of X (N, 2):
    (distance (N,), nearest point (N, 2), segment index (N,)); inf, NaN, -1 with no segment."""
    X, S = _check_inputs(X, segments)
    return _nearest_kernel(X, S)


def nearest_on_segments_numpy(X, segments, chunk: int = 256):
    """The plain-numpy twin of `nearest_on_segments` (the test oracle), in chunks of points."""
    X, S = _check_inputs(X, segments)
    n = len(X)
    dist = np.full(n, np.inf)
    near = np.full((n, 2), np.nan)
    which = np.full(n, -1, np.int64)
    if len(S) == 0:
        return dist, near, which
    a, d = S[:, :2], S[:, 2:] - S[:, :2]
    ll = np.einsum("bc,bc->b", d, d)
    for s in range(0, n, chunk):
        P = X[s : s + chunk]
        rel = P[:, None, :] - a[None, :, :]
        with np.errstate(divide="ignore", invalid="ignore"):
            t = np.where(ll > 0, np.einsum("nbc,bc->nb", rel, d) / ll, 0.0)
        t = np.clip(t, 0.0, 1.0)
        q = a[None] + t[..., None] * d[None]
        d2 = ((P[:, None, :] - q) ** 2).sum(axis=2)
        k = np.argmin(d2, axis=1)
        rows = np.arange(len(P))
        dist[s : s + chunk] = np.sqrt(d2[rows, k])
        near[s : s + chunk] = q[rows, k]
        which[s : s + chunk] = k
    return dist, near, which


def predicted_classes(net, X, level: float = 0.5) -> np.ndarray:
    """The class the network gives each point: the top logit, or for one output (regression)
    1 above the level and 0 below (the two sides of the level set)."""
    out = net.forward(np.asarray(X, dtype=np.float64).reshape(-1, 2))
    if out.shape[1] == 1:
        return (out[:, 0] > level).astype(np.int64)
    return np.argmax(out, axis=1).astype(np.int64)


def _partition(net, window: Bounds, level: float) -> Partition:
    """The exact partition of the window with the boundary at `level` (regression), answering
    "too many" at once for a first layer past the cap (as `arrangement.bounded_regions`)."""
    regions = first_layer_regions(net, window)
    if regions > FIRST_LAYER_REGION_CAP:
        return too_many_partition(net, window, None, regions)
    return linear_regions(net, window, level=level)


def margin_window(X: np.ndarray) -> Bounds:
    """The window `point_margins` partitions first: the data's box, grown (module docstring)."""
    lo, hi = X.min(axis=0), X.max(axis=0)
    pad = max(MARGIN_PAD * float(np.max(hi - lo)), MIN_PAD)
    return (lo[0] - pad, hi[0] + pad, lo[1] - pad, hi[1] + pad)


def edge_distance(X: np.ndarray, bounds: Bounds) -> np.ndarray:
    """(N,) distance from each point to the nearest side of the window (0 outside it)."""
    xmin, xmax, ymin, ymax = bounds
    d = np.minimum.reduce([X[:, 0] - xmin, xmax - X[:, 0], X[:, 1] - ymin, ymax - X[:, 1]])
    return np.maximum(d, 0.0)


@dataclass
class Margins:
    """Margins of N points (module docstring).

    distance (N,): the exact distance to the decision boundary where `exact`, else a lower bound
    (NaN when there is no exact boundary: `message` says why). nearest (N, 2): the nearest
    boundary point (NaN where not exact). predicted (N,): the network's class at each point.
    labels (N,) or None; signed (N,): the distance, negative where the point is on the wrong
    side (predicted != label). boundary (B, 4) and windows: the segments used and the windows
    they cover (to measure other points against the same boundary, `distance_at`).
    """

    distance: np.ndarray
    nearest: np.ndarray
    exact: np.ndarray
    predicted: np.ndarray
    labels: np.ndarray | None
    boundary: np.ndarray
    window: Bounds | None
    message: str = ""
    level: float = 0.5
    windows: tuple[Bounds, ...] = field(default=())

    def __len__(self) -> int:
        return int(self.distance.shape[0])

    @property
    def correct(self) -> np.ndarray:
        """(N,) bool: the network gives the point its label (all True without labels)."""
        if self.labels is None:
            return np.ones(len(self), dtype=bool)
        return self.predicted == self.labels

    @property
    def signed(self) -> np.ndarray:
        """(N,) distance, negative for points on the wrong side of the boundary."""
        return np.where(self.correct, self.distance, -self.distance)

    def distance_at(self, X) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(distance, nearest point, exact) for other points against the same boundary."""
        X = np.asarray(X, dtype=np.float64).reshape(-1, 2)
        if self.message or self.window is None:
            nan = np.full(len(X), np.nan)
            return nan, np.full((len(X), 2), np.nan), np.zeros(len(X), bool)
        d, q, _ = nearest_on_segments(X, self.boundary)
        reach = edge_distance(X, self.window)
        exact = d <= reach
        return np.where(exact, d, reach), np.where(exact[:, None], q, np.nan), exact


def _no_margins(n: int, predicted, labels, level: float, message: str) -> Margins:
    return Margins(
        distance=np.full(n, np.nan),
        nearest=np.full((n, 2), np.nan),
        exact=np.zeros(n, bool),
        predicted=predicted,
        labels=labels,
        boundary=np.zeros((0, 4)),
        window=None,
        message=message,
        level=level,
    )


def point_margins(net, X, labels=None, level: float = 0.5) -> Margins:
    """Exact distance of every point of X (N, 2) to the decision boundary of `net` (module
    docstring); labels (N,) class ids give the signed margins (wrong side negative)."""
    X = np.asarray(X, dtype=np.float64).reshape(-1, 2)
    if not np.all(np.isfinite(X)):
        raise ValueError("margins need finite points; some are NaN or infinite")
    lab = None if labels is None else np.asarray(labels).reshape(-1).astype(np.int64)
    if lab is not None and len(lab) != len(X):
        raise ValueError(f"{len(lab)} labels for {len(X)} points")
    n = len(X)
    try:
        check_network(net)
    except ValueError as exc:  # a diverged network: no boundary to measure, and it says so
        return _no_margins(n, np.zeros(n, np.int64), lab, level, f"no exact margins: {exc}")
    predicted = predicted_classes(net, X, level) if n else np.zeros(0, np.int64)
    if n == 0:
        return _no_margins(0, predicted, lab, level, "no points")
    window = margin_window(X)
    part = _partition(net, window, float(level))
    if part.too_many or part.smooth:
        why = "a smooth activation has no exact boundary" if part.smooth else part.message
        return _no_margins(n, predicted, lab, level, f"no exact margins: {why}")
    seg = part.boundary
    d, q, _ = nearest_on_segments(X, seg)
    reach = edge_distance(X, window)
    exact = d <= reach
    windows = (window,)
    if not exact.all():
        # a second window holding the disks of the uncertain points (or, where no boundary was
        # found, growing the first one), within MAX_GROWTH of the first's extent
        idx = np.flatnonzero(~exact)
        cx, cy = 0.5 * (window[0] + window[1]), 0.5 * (window[2] + window[3])
        half = 0.5 * MAX_GROWTH * max(window[1] - window[0], window[3] - window[2])
        r = np.where(np.isfinite(d[idx]), d[idx], half) * (1.0 + 1e-9) + 1e-12
        lo = np.minimum((X[idx] - r[:, None]).min(axis=0), (window[0], window[2]))
        hi = np.maximum((X[idx] + r[:, None]).max(axis=0), (window[1], window[3]))
        lo = np.maximum(lo, (cx - half, cy - half))
        hi = np.minimum(hi, (cx + half, cy + half))
        big = (float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1]))
        part2 = _partition(net, big, float(level))
        if not part2.too_many:
            seg = part2.boundary
            window = big
            windows = (windows[0], big)
            d2, q2, _ = nearest_on_segments(X[idx], seg)
            d[idx], q[idx] = d2, q2
            reach = edge_distance(X, window)
            exact = d <= reach
    dist = np.where(exact, d, reach)
    nearest = np.where(exact[:, None], q, np.nan)
    return Margins(
        distance=dist,
        nearest=nearest,
        exact=exact,
        predicted=predicted,
        labels=lab,
        boundary=seg,
        window=window,
        level=float(level),
        windows=windows,
    )


@dataclass(frozen=True)
class FlipMove:
    """The smallest move that flips a point's class: from `start` to `target`, a hair beyond
    `nearest` (the nearest boundary point); `distance` = |nearest - start|; classes before and
    after the move."""

    start: tuple[float, float]
    nearest: tuple[float, float]
    target: tuple[float, float]
    distance: float
    from_class: int
    to_class: int

    @property
    def vector(self) -> tuple[float, float]:
        return (self.target[0] - self.start[0], self.target[1] - self.start[1])


def nudge_to_flip(net, point, margins: Margins) -> FlipMove | None:
    """The move of `point` (x, y) across the nearest boundary point that flips its class, or None
    when the boundary is not known there (over budget, or farther than the partitioned window).

    The nearest boundary point q is a tie; the target is q + eps u with u the direction from the
    point to q (eps = FLIP_EPS times the scale of the numbers). Where q is a corner of the
    boundary that direction may graze it, so directions around q are tried in order of how
    little they add to the move, and the first whose class differs (by a forward pass) wins.
    """
    p = np.asarray(point, dtype=np.float64).reshape(2)
    d, q, exact = margins.distance_at(p[None])
    if not exact[0] or not np.isfinite(d[0]):
        return None
    q = q[0]
    c0 = int(predicted_classes(net, p[None], margins.level)[0])
    scale = max(1.0, float(np.abs(q).max()), float(d[0]))
    u = q - p
    norm = float(np.hypot(u[0], u[1]))
    base = np.arctan2(u[1], u[0]) if norm > 0 else 0.0
    # the straight direction first, then pairs turning away from it, for growing hairs
    turns = np.concatenate([[0.0], np.repeat(np.arange(1, 33), 2) * np.tile([1, -1], 32)])
    angles = base + turns * (np.pi / 32)
    for eps in (FLIP_EPS, 1e3 * FLIP_EPS):
        r = eps * scale
        cand = q[None] + r * np.stack([np.cos(angles), np.sin(angles)], axis=1)
        cls = predicted_classes(net, cand, margins.level)
        hit = np.flatnonzero(cls != c0)
        if hit.size:
            t = cand[hit[0]]
            return FlipMove(
                start=(float(p[0]), float(p[1])),
                nearest=(float(q[0]), float(q[1])),
                target=(float(t[0]), float(t[1])),
                distance=float(d[0]),
                from_class=c0,
                to_class=int(cls[hit[0]]),
            )
    return None
