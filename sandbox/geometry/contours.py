"""Contour lines and cross-sections of a piecewise-linear surface (the four-neuron experiment).

- `contour_segments`: the level sets of a triangle mesh with heights at its vertices (marching
  triangles). On an exact surface (sandbox.geometry.surface, OUTPUT: every facet planar) the
  segments are the exact contour lines: straight inside each linear region, bending only at
  creases. A vertex exactly at a level counts as above it, so no segment is found twice.
- `contour_levels`: evenly spaced levels strictly inside a height range.
- `ray_section`: the part of a ray inside a window, lifted onto the surface by a height
  function: the cross-section as 3D segments.
- `slope_and_second_differences`: a function of the radius along a ray sampled evenly (exact
  where the function is piecewise linear and given by its vertices), its slope (constant inside
  each region) and its second differences (zero inside regions, a spike at each crease).
- `crossing_ray`: a ray across a window that crosses many creases (where the experiment puts
  its probe).
Pure numpy; no display code.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .ray import ray_probe

_EDGES = ((0, 1), (1, 2), (2, 0))


def contour_levels(lo: float, hi: float, n: int = 10) -> np.ndarray:
    """n levels evenly spaced strictly between lo and hi (none when the range is empty)."""
    lo, hi = float(lo), float(hi)
    if not (np.isfinite(lo) and np.isfinite(hi)) or hi <= lo or n < 1:
        return np.zeros(0)
    return np.linspace(lo, hi, n + 2)[1:-1]


def contour_segments(positions: np.ndarray, triangles: np.ndarray, levels) -> np.ndarray:
    """(S, 2, 3) segments where the mesh (positions (V, 3): x, y, height; triangles (T, 3))
    crosses each of the heights in `levels`; the segments' height is their level."""
    P = np.asarray(positions, dtype=np.float64).reshape(-1, 3)
    T = np.asarray(triangles, dtype=np.int64).reshape(-1, 3)
    out = []
    for level in np.asarray(levels, dtype=np.float64).reshape(-1):
        s = P[T, 2] - level  # (T, 3) signed height of each corner above the level
        above = s >= 0.0
        n_above = above.sum(axis=1)
        cut = (n_above == 1) | (n_above == 2)  # exactly two edges change side
        if not cut.any():
            continue
        tri, sv, ab = T[cut], s[cut], above[cut]
        points = np.zeros((len(tri), 2, 3))
        found = np.zeros(len(tri), dtype=np.int64)
        for i, j in _EDGES:
            crosses = ab[:, i] != ab[:, j]
            if not crosses.any():
                continue
            t = sv[crosses, i] / (sv[crosses, i] - sv[crosses, j])
            a, b = P[tri[crosses, i]], P[tri[crosses, j]]
            p = a + t[:, None] * (b - a)
            p[:, 2] = level
            rows = np.flatnonzero(crosses)
            points[rows, found[rows]] = p
            found[rows] += 1
        out.append(points[found == 2])
    return np.concatenate(out) if out else np.zeros((0, 2, 3))


def ray_section(
    origin, direction, bounds: tuple[float, float, float, float],
    height: Callable[[np.ndarray], np.ndarray], n: int = 400,
) -> np.ndarray:  # fmt: skip
    """(S, 2, 3) the cross-section of the surface along the ray origin + r direction (r >= 0)
    inside the window (xmin, xmax, ymin, ymax), `n` segments, lifted by `height` ((N, 2) ->
    (N,)); empty when the ray misses the window."""
    o = np.asarray(origin, dtype=np.float64).reshape(2)
    d = np.asarray(direction, dtype=np.float64).reshape(2)
    x0, x1, y0, y1 = (float(v) for v in bounds)
    lo, hi = 0.0, np.inf
    for k, (a, b) in enumerate(((x0, x1), (y0, y1))):
        if abs(d[k]) < 1e-300:
            if not a <= o[k] <= b:
                return np.zeros((0, 2, 3))
            continue
        t0, t1 = sorted(((a - o[k]) / d[k], (b - o[k]) / d[k]))
        lo, hi = max(lo, t0), min(hi, t1)
    if not hi > lo:
        return np.zeros((0, 2, 3))
    r = np.linspace(lo, hi, int(n) + 1)
    xy = o + r[:, None] * d
    pts = np.column_stack([xy, np.asarray(height(xy), dtype=np.float64).reshape(-1)])
    return np.stack([pts[:-1], pts[1:]], axis=1)


def slope_and_second_differences(
    radius: np.ndarray, value: np.ndarray, n: int = 241
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The function with vertices (radius, value) sampled at n even radii r, with f(r); its
    slope (f[i+1] - f[i]) / dr at the midpoints rs; its second differences f[i+1] - 2 f[i] +
    f[i-1] at the inner samples r2. Returns (r, f, rs, slope, r2, second)."""
    radius = np.asarray(radius, dtype=np.float64).reshape(-1)
    value = np.asarray(value, dtype=np.float64).reshape(-1)
    if len(radius) < 2 or n < 3:
        empty = np.zeros(0)
        return empty, empty, empty, empty, empty, empty
    r = np.linspace(radius[0], radius[-1], int(n))
    f = np.interp(r, radius, value)
    dr = float(r[1] - r[0]) or 1.0
    return r, f, 0.5 * (r[1:] + r[:-1]), np.diff(f) / dr, r[1:-1], np.diff(f, 2)


def crossing_ray(net, bounds: tuple[float, float, float, float], n_angles: int = 24):
    """A ray across the window through its centre that crosses as many creases as any of
    `n_angles` directions: (origin, angle in radians, reach)."""
    x0, x1, y0, y1 = (float(v) for v in bounds)
    centre = np.array([(x0 + x1) / 2, (y0 + y1) / 2])
    half = 0.9 * min(x1 - x0, y1 - y0) / 2
    best = (-1, 0.0)
    for a in np.linspace(0.0, 2 * np.pi, int(n_angles), endpoint=False):
        d = np.array([np.cos(a), np.sin(a)])
        n = len(np.unique(ray_probe(net, centre - half * d, d, 2 * half).radii))
        if n > best[0]:
            best = (n, float(a))
    a = best[1]
    origin = centre - half * np.array([np.cos(a), np.sin(a)])
    return (float(origin[0]), float(origin[1])), a, 2 * half
