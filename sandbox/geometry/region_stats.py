"""Region statistics of a partition against the data, and their record over training.

`region_stats(partition, X, net)` counts the linear regions of an exact partition (the view's,
already derived for the frame: nothing is partitioned again) and splits them into those that meet
the data's neighbourhood (the convex hull of the points grown by NEAR_MARGIN of the data's
extent) and the others; it gives their mean areas, the number of neurons whose crease crosses
the data's convex hull, and two scales to read the count against:

- N^2 / 2, with N the number of hidden neurons: the count grows like this at initialisation,
  whatever the depth (Hanin & Rolnick, "Deep ReLU networks have surprisingly few activation
  patterns", NeurIPS 2019; MATH.md section 2 has measured ratios near 1);
- the Serra bound (Serra, Tjandraatmadja & Ramalingam, "Bounding and counting linear regions of
  deep neural networks", ICML 2018, Theorem 1 for n_0 = 2 inputs): the sum over (j_1..j_L) of
  prod_l C(n_l, j_l) with 0 <= j_l <= min(n_0, n_1 - j_1, ..., n_{l-1} - j_{l-1}, n_l)
  (`sandbox.geometry.health.serra_bound`). It holds for ReLU; other activations get 0 here.

The neighbourhood is a polygon: the hull's Minkowski sum with a disk, whose round corners are
replaced by a regular HULL_DIRECTIONS-gon inscribed in the disk (every corner within 2% of the
exact sum). A region "meets" it when the two convex polygons are not separated by an edge line
of either (vectorised over the pooled vertices; a few milliseconds for thousands of regions).

`StatsTrack` keeps one RegionStats per timeline snapshot step so a replay shows them, bounded in
memory, and gives them as arrays for the chart and the CSV export.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numba import njit

from .health import convex_hull, serra_bound
from .regions import Partition

NEAR_MARGIN = 0.1  # the neighbourhood: the hull grown by this share of the data's larger extent
MIN_MARGIN = 0.05  # ... and by at least this many plane units
HULL_DIRECTIONS = 16
TRACK_CAPACITY = 2048


@dataclass(frozen=True)
class RegionStats:
    """Counts of one partition against the data (module docstring). Areas in plane units^2,
    NaN where there is no region of the kind; `serra` 0 for activations it does not cover."""

    regions: int
    near: int
    far: int
    hanin_rolnick: float
    serra: int
    mean_area_near: float
    mean_area_far: float
    creases_crossing_hull: int
    margin: float
    bounds: tuple[float, float, float, float]

    FIELDS = (
        "regions", "near", "far", "hanin_rolnick", "serra", "mean_area_near", "mean_area_far",
        "creases_crossing_hull",
    )  # fmt: skip

    def row(self) -> tuple[float, ...]:
        return tuple(float(getattr(self, f)) for f in self.FIELDS)


def data_margin(X: np.ndarray) -> float:
    """How far the neighbourhood reaches beyond the hull for the points X (N, 2)."""
    if len(X) == 0:
        return MIN_MARGIN
    extent = float(np.max(X.max(axis=0) - X.min(axis=0)))
    return max(NEAR_MARGIN * extent, MIN_MARGIN)


def hull_of(X: np.ndarray) -> np.ndarray:
    """`health.convex_hull`, after dropping the points strictly inside the octagon of extreme
    points (Akl-Toussaint), which leaves the Python loop a few dozen points instead of all."""
    X = np.asarray(X, dtype=np.float64).reshape(-1, 2)
    if len(X) > 64:
        t = np.arange(8) * (np.pi / 4)
        idx = np.argmax(X @ np.stack([np.cos(t), np.sin(t)]), axis=0)
        keep_order = np.concatenate([[True], np.diff(idx) != 0])
        octo = X[idx[keep_order]]
        if len(octo) >= 3 and not np.array_equal(octo[0], octo[-1]):
            e = np.roll(octo, -1, axis=0) - octo
            c = e[None, :, 0] * (X[:, None, 1] - octo[None, :, 1]) - e[None, :, 1] * (
                X[:, None, 0] - octo[None, :, 0]
            )
            X = X[~(c > 1e-12 * (np.abs(X).max() + 1.0) ** 2).all(axis=1)]
    return convex_hull(X)


@dataclass(frozen=True)
class DataShape:
    """The data's convex hull (h, 2) and its neighbourhood polygon, grown by `margin`: made once
    per point set (`data_shape`) and measured against every partition."""

    hull: np.ndarray
    neighbourhood: np.ndarray
    margin: float
    n_points: int


def _grown(hull: np.ndarray, margin: float) -> np.ndarray:
    t = (np.arange(HULL_DIRECTIONS) + 0.5) * (2 * np.pi / HULL_DIRECTIONS)
    ring = float(margin) * np.stack([np.cos(t), np.sin(t)], axis=1)
    return hull_of((hull[:, None, :] + ring[None, :, :]).reshape(-1, 2))


def neighbourhood(X: np.ndarray, margin: float) -> np.ndarray:
    """Counter-clockwise polygon (h, 2): the convex hull of X grown by `margin` (module docs)."""
    return _grown(hull_of(X), margin)


def data_shape(X) -> DataShape:
    """Hull and neighbourhood of the points X (N, 2) (empty arrays without points)."""
    X = np.asarray(X, dtype=np.float64).reshape(-1, 2)
    if len(X) == 0:
        return DataShape(np.zeros((0, 2)), np.zeros((0, 2)), MIN_MARGIN, 0)
    margin = data_margin(X)
    hull = hull_of(X)
    return DataShape(hull, _grown(hull, margin), margin, len(X))


@njit(cache=True, nogil=True)
def _meeting_kernel(off, V, poly, tol):
    """The separating-axis test of `regions_meeting`, region by region with early exits."""
    R = off.shape[0] - 1
    h = poly.shape[0]
    out = np.zeros(R, np.bool_)
    for r in range(R):
        p0 = off[r]
        m = off[r + 1] - p0
        sep = False
        for k in range(h):
            ax, ay = poly[k, 0], poly[k, 1]
            ex = poly[(k + 1) % h, 0] - ax
            ey = poly[(k + 1) % h, 1] - ay
            out_all = True
            for v in range(m):
                if ex * (V[p0 + v, 1] - ay) - ey * (V[p0 + v, 0] - ax) >= -tol:
                    out_all = False
                    break
            if out_all:
                sep = True
                break
        if not sep:
            for v in range(m):
                ax, ay = V[p0 + v, 0], V[p0 + v, 1]
                w = p0 + (v + 1) % m
                fx = V[w, 0] - ax
                fy = V[w, 1] - ay
                out_all = True
                for k in range(h):
                    if fx * (poly[k, 1] - ay) - fy * (poly[k, 0] - ax) >= -tol:
                        out_all = False
                        break
                if out_all:
                    sep = True
                    break
        out[r] = not sep
    return out


@njit(cache=True, nogil=True)
def _crossing_kernel(seg, owner, n_owners, hull, tol):
    """(n_owners,) bool: some segment of the owner meets the convex CCW polygon `hull`
    (Cyrus-Beck clipping of each segment; an owner already crossing skips its other segments).
    Plain-numpy twin: `health.segments_meet_convex`."""
    out = np.zeros(n_owners, np.bool_)
    h = hull.shape[0]
    for s in range(seg.shape[0]):
        o = owner[s]
        if out[o]:
            continue
        px, py = seg[s, 0], seg[s, 1]
        dx, dy = seg[s, 2] - px, seg[s, 3] - py
        lo, hi = 0.0, 1.0
        ok = True
        for k in range(h):
            ax, ay = hull[k, 0], hull[k, 1]
            ex = hull[(k + 1) % h, 0] - ax
            ey = hull[(k + 1) % h, 1] - ay
            c0 = ex * (py - ay) - ey * (px - ax)
            c1 = ex * dy - ey * dx
            etol = tol * np.sqrt(ex * ex + ey * ey)
            if c1 == 0.0:
                if c0 < -etol:
                    ok = False
                    break
            elif c1 > 0.0:
                lo = max(lo, -c0 / c1)
            else:
                hi = min(hi, -c0 / c1)
            if lo > hi + 1e-12:
                ok = False
                break
        if ok:
            out[o] = True
    return out


def neurons_crossing(part: Partition, hull: np.ndarray) -> int:
    """How many neurons have a crease segment of the partition meeting the convex hull."""
    cr = part.creases
    if len(hull) < 3 or len(cr) == 0:
        return 0
    starts = np.concatenate([[0], np.cumsum(part.sizes[1 : part.upto_layer])])
    owner = (starts[cr.layer - 1] + cr.neuron).astype(np.int64)
    hull = np.ascontiguousarray(hull, dtype=np.float64)
    tol = 1e-12 * (float(np.abs(hull).max()) + 1.0)
    seg = np.ascontiguousarray(cr.segments, dtype=np.float64)
    return int(
        _crossing_kernel(seg, owner, int(sum(part.sizes[1 : part.upto_layer + 1])), hull, tol).sum()
    )


def _meeting_tol(V: np.ndarray, poly: np.ndarray) -> float:
    scale = float(max(np.abs(V).max(initial=0.0), np.abs(poly).max(), 1.0))
    return 1e-12 * scale * scale


def regions_meeting(part: Partition, poly: np.ndarray) -> np.ndarray:
    """(R,) bool: does each region of the partition meet the convex CCW polygon `poly`?"""
    R = len(part)
    if R == 0 or len(poly) < 3:
        return np.zeros(R, dtype=bool)
    poly = np.ascontiguousarray(poly, dtype=np.float64)
    return _meeting_kernel(part.offsets, part.vertices, poly, _meeting_tol(part.vertices, poly))


def regions_meeting_numpy(part: Partition, poly: np.ndarray) -> np.ndarray:
    """The plain-numpy twin of `regions_meeting` (the test oracle of its kernel)."""
    R = len(part)
    if R == 0 or len(poly) < 3:
        return np.zeros(R, dtype=bool)
    V, off = part.vertices, part.offsets
    starts = off[:-1]
    tol = _meeting_tol(V, poly)
    a = poly
    e = np.roll(poly, -1, axis=0) - poly
    # the polygon's edges: a region wholly outside one of them is separated
    c = e[None, :, 0] * (V[:, None, 1] - a[None, :, 1]) - e[None, :, 1] * (
        V[:, None, 0] - a[None, :, 0]
    )
    outside_poly_edge = (np.maximum.reduceat(c, starts, axis=0) < -tol).any(axis=1)
    # the regions' edges: the polygon wholly outside one of them separates it
    nxt = np.arange(len(V)) + 1
    nxt[off[1:] - 1] = starts
    f = V[nxt] - V
    g = f[:, None, 0] * (a[None, :, 1] - V[:, None, 1]) - f[:, None, 1] * (
        a[None, :, 0] - V[:, None, 0]
    )
    edge_separates = g.max(axis=1) < -tol
    outside_region_edge = np.maximum.reduceat(edge_separates.astype(np.int8), starts) > 0
    return ~(outside_poly_edge | outside_region_edge)


def region_stats(part: Partition, shape: DataShape, net) -> RegionStats | None:
    """Statistics of the exact partition `part` of `net` against the data's `shape` (module
    docstring); None when the partition has no regions to count (over budget, smooth)."""
    if part.too_many or part.smooth:
        return None
    hidden = [int(n) for n in net.hidden_sizes]
    n_hidden = sum(hidden)
    relu = str(getattr(net.activation, "value", "relu")) == "relu"
    R = len(part)
    areas = part.areas()
    near = regions_meeting(part, shape.neighbourhood)
    crossing = neurons_crossing(part, shape.hull)
    n_near = int(near.sum())
    return RegionStats(
        regions=R,
        near=n_near,
        far=R - n_near,
        hanin_rolnick=n_hidden * n_hidden / 2.0,
        serra=serra_bound(hidden) if relu else 0,
        mean_area_near=float(areas[near].mean()) if n_near else math.nan,
        mean_area_far=float(areas[~near].mean()) if R - n_near else math.nan,
        creases_crossing_hull=int(crossing),
        margin=float(shape.margin),
        bounds=tuple(float(v) for v in part.bounds),
    )


class StatsTrack:
    """RegionStats by training step (one per timeline snapshot seen), at most `capacity`; the
    steps after a branch point are dropped with `truncate`."""

    def __init__(self, capacity: int = TRACK_CAPACITY) -> None:
        self.capacity = int(capacity)
        self._by_step: dict[int, RegionStats] = {}
        self.version = 0

    def __len__(self) -> int:
        return len(self._by_step)

    def clear(self) -> None:
        if self._by_step:
            self._by_step.clear()
            self.version += 1

    def record(self, step: int, stats: RegionStats) -> None:
        step = int(step)
        if self._by_step.get(step) == stats:
            return
        self._by_step[step] = stats
        if len(self._by_step) > self.capacity:
            steps = sorted(self._by_step)
            # thin evenly: drop every second record of the older half
            for s in steps[1 : len(steps) // 2 : 2]:
                del self._by_step[s]
        self.version += 1

    def truncate(self, step: int) -> None:
        """Forget the records after `step` (training resumed from an earlier snapshot)."""
        late = [s for s in self._by_step if s > step]
        for s in late:
            del self._by_step[s]
        if late:
            self.version += 1

    def last_step(self) -> int:
        """The latest step recorded (-1 before any)."""
        return max(self._by_step, default=-1)

    def at(self, step: int) -> RegionStats | None:
        """The record at `step`, else the latest one before it (None before any)."""
        if step in self._by_step:
            return self._by_step[step]
        before = [s for s in self._by_step if s <= step]
        return self._by_step[max(before)] if before else None

    def series(self) -> tuple[np.ndarray, np.ndarray]:
        """(steps (n,), values (n, len(RegionStats.FIELDS))) in step order."""
        steps = np.array(sorted(self._by_step), dtype=np.int64)
        rows = [self._by_step[int(s)].row() for s in steps]
        values = np.array(rows, dtype=np.float64).reshape(len(steps), len(RegionStats.FIELDS))
        return steps, values
