"""The folded-paper surface z = f(x, y) over a window, built from the exact linear regions.

A ReLU network is affine on each linear region, so its output over the plane is a polyhedral
surface: one flat facet per region, folded exactly along the creases. `build_surface` turns a
Partition into renderer-ready triangle meshes for the 3D view:

- OUTPUT: the regression value; for two classes the logit difference f1 - f0; for more classes the
  top logit max_k f_k. These are exact: every facet is planar. The top logit also folds where the
  top class changes, so for K > 2 each region is first split along the argmax (a numba kernel with
  a plain-Python twin), making every facet planar again.
- PROBABILITY: p(class 1) for two classes, the top-class probability for more; LAPLACE: the same
  with the last-layer Laplace probit probabilities; BAND (regression with Laplace): the mean and
  the mean minus/plus one standard deviation. These are curved inside a region, so each region's
  triangles are subdivided uniformly (level chosen per region from how far the surface bends,
  at most `max_level` halvings) and heights are evaluated exactly at every new vertex. Only the
  OUTPUT and NEURON surfaces are exact facets; the others are exact at the vertices only.
- NEURON: one hidden neuron's activation (for a first-layer ReLU neuron, max(a x + b y + c, 0)),
  from the partition made by the layers up to the neuron's own.

Any piecewise-linear activation and residual layers give the same exact facets. A smooth
activation has no regions: `sampled_surface` then builds the same kinds of surface on a grid
(curved, exact at the grid's vertices only, with no creases and the sampled boundary lifted).

Vertices are duplicated per region (per split polygon), so the per-vertex height gradient is the
facet's own on an exact surface and flat shading is exact; curved surfaces carry the analytic
direction of their smooth gradient per vertex, sharp only at creases. Creases are lifted as the
edges of the final regions lying on a neuron's zero set (each edge lies in one region's closure,
so one straight 3D segment is exact on a planar facet), with their layer and neuron; the
decision boundary and data points are lifted with the network's own forward pass. numpy and
numba only.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from sandbox.nn.mlp import softmax

from ._argmax_split import _clip_py, argmax_split_kernel
from .crease_edges import crease_edges
from .regions import Bounds, Partition, check_bounds

EPS = 1e-12
DEFAULT_MAX_LEVEL = 3
DEFAULT_TOLERANCE = 0.002  # curved surfaces: midpoint error as a fraction of the height range
DEFAULT_MAX_TRIANGLES = 250_000
_PROBIT_SCALE = math.pi / 8.0


class Height(StrEnum):
    """What the surface's height shows (see the module docstring)."""

    OUTPUT = "output"
    PROBABILITY = "probability"
    LAPLACE = "laplace"
    BAND = "band"
    NEURON = "neuron"


HeightFn = Callable[[np.ndarray], np.ndarray]


@dataclass
class Surface:
    """One triangle mesh of the surface.

    positions (V, 3) float64: x, y and the height; triangles (T, 3) uint32, counter-clockwise seen
    from above; gradients (V, 2): (dz/dx, dz/dy) at each vertex, the facet's own on exact
    surfaces; region (V,) int32: the partition region each vertex belongs to; colour_values
    (V, K): logits (or the value, K = 1) for colouring the vertex like the 2D field; exact: True
    when every facet is planar and exact.
    """

    positions: np.ndarray
    triangles: np.ndarray
    gradients: np.ndarray
    region: np.ndarray
    colour_values: np.ndarray
    exact: bool

    def __len__(self) -> int:
        return int(self.triangles.shape[0])

    @property
    def heights(self) -> np.ndarray:
        return self.positions[:, 2]

    def normals(self, z_scale: float = 1.0) -> np.ndarray:
        """(V, 3) unit normals of the surface drawn with heights multiplied by z_scale."""
        g = self.gradients * float(z_scale)
        n = np.empty((len(g), 3))
        n[:, 0] = -g[:, 0]
        n[:, 1] = -g[:, 1]
        n[:, 2] = 1.0
        return n / np.linalg.norm(n, axis=1, keepdims=True)


@dataclass
class LiftedSegments:
    """Segments on the surface: `segments` (S, 2, 3) 3D endpoints, `layer` (S,) 1-based hidden
    layer (0 for the decision boundary), `neuron` (S,) index within its layer (-1 if none)."""

    segments: np.ndarray
    layer: np.ndarray
    neuron: np.ndarray

    def __len__(self) -> int:
        return int(self.segments.shape[0])

    def of(self, layer: int, neuron: int) -> np.ndarray:
        return self.segments[(self.layer == layer) & (self.neuron == neuron)]

    @staticmethod
    def empty() -> LiftedSegments:
        return LiftedSegments(np.zeros((0, 2, 3)), np.zeros(0, np.int32), np.zeros(0, np.int32))


@dataclass
class FoldedSurface:
    """Everything the 3D view draws for one network state.

    surface: the main surface (the mean for BAND); lower/upper: the band's mean -/+ one standard
    deviation (BAND only); creases and boundary lifted onto the main surface; height_at(X):
    the main surface's height at any points (N, 2) (the forward pass, not the mesh); bounds:
    the window; kind: the Height shown; n_out: network outputs.
    """

    surface: Surface
    creases: LiftedSegments
    boundary: LiftedSegments
    height_at: HeightFn
    bounds: Bounds
    kind: Height
    n_out: int
    lower: Surface | None = None
    upper: Surface | None = None

    @property
    def exact(self) -> bool:
        return self.surface.exact

    def lift_points(self, X: np.ndarray) -> np.ndarray:
        """(N, 3): data points standing on the surface."""
        X = np.asarray(X, dtype=np.float64).reshape(-1, 2)
        return np.column_stack([X, self.height_at(X)]) if len(X) else np.zeros((0, 3))

    def z_range(self) -> tuple[float, float]:
        """Lowest and highest height of every mesh (band included); (0, 0) when empty."""
        zs = [s.positions[:, 2] for s in (self.surface, self.lower, self.upper) if s is not None]
        z = np.concatenate(zs) if zs else np.zeros(0)
        if z.size == 0:
            return (0.0, 0.0)
        return (float(z.min()), float(z.max()))


# ---------------------------------------------------------------------- meshes
def fan_triangles(offsets: np.ndarray) -> np.ndarray:
    """(T, 3) uint32 fan triangulation of convex polygons stored with `offsets`."""
    off = np.asarray(offsets, dtype=np.int64)
    counts = np.diff(off)
    n_tri = np.maximum(counts - 2, 0)
    if n_tri.sum() == 0:
        return np.zeros((0, 3), np.uint32)
    first = np.repeat(off[:-1], n_tri)
    # i runs 1..n-2 inside each polygon
    starts = np.cumsum(n_tri) - n_tri
    i = np.arange(n_tri.sum()) - np.repeat(starts, n_tri) + 1
    return np.stack([first, first + i, first + i + 1], axis=1).astype(np.uint32)


def _affine(coef: np.ndarray, X: np.ndarray) -> np.ndarray:
    """Per-point coefficients coef (N, K, 3) applied to points X (N, 2): (N, K)."""
    return coef[..., 0] * X[:, 0, None] + coef[..., 1] * X[:, 1, None] + coef[..., 2]


def facet_surface(
    offsets: np.ndarray,
    vertices: np.ndarray,
    poly_region: np.ndarray,
    coef: np.ndarray,
    colour_maps: np.ndarray | None = None,
) -> Surface:
    """Exact planar facets: polygon p has height coef[p] . (x, y, 1).

    colour_maps (P, K, 3): affine colour values per polygon (e.g. the logits); default: the
    height itself (K = 1).
    """
    off = np.asarray(offsets, np.int64)
    V = np.asarray(vertices, np.float64)
    coef = np.asarray(coef, np.float64)
    poly = np.repeat(np.arange(len(off) - 1), np.diff(off))
    c = coef[poly]
    z = c[:, 0] * V[:, 0] + c[:, 1] * V[:, 1] + c[:, 2]
    if colour_maps is None:
        colours = z[:, None].copy()
    else:
        cm = np.asarray(colour_maps, np.float64)[poly]
        colours = cm[:, :, 0] * V[:, :1] + cm[:, :, 1] * V[:, 1:2] + cm[:, :, 2]
    return Surface(
        positions=np.column_stack([V, z]),
        triangles=fan_triangles(off),
        gradients=c[:, :2].copy(),
        region=np.asarray(poly_region, np.int32)[poly],
        colour_values=colours,
        exact=True,
    )


def _template(level: int) -> tuple[np.ndarray, np.ndarray]:
    """Barycentric weights (m, 3) and triangles (n^2, 3) of a triangle cut into n = 2^level
    pieces per side, same orientation as the parent."""
    n = 1 << level
    index = {}
    bary = []
    for j in range(n + 1):
        for i in range(n + 1 - j):
            index[(i, j)] = len(bary)
            bary.append(((n - i - j) / n, i / n, j / n))
    tris = []
    for j in range(n):
        for i in range(n - j):
            tris.append((index[(i, j)], index[(i + 1, j)], index[(i, j + 1)]))
            if i + j < n - 1:
                tris.append((index[(i + 1, j)], index[(i + 1, j + 1)], index[(i, j + 1)]))
    return np.asarray(bary, np.float64), np.asarray(tris, np.int64)


PolyFn = Callable[[np.ndarray, np.ndarray], np.ndarray]


def curved_surface(
    offsets: np.ndarray,
    vertices: np.ndarray,
    poly_region: np.ndarray,
    height: PolyFn,
    colour: PolyFn,
    *,
    max_level: int = DEFAULT_MAX_LEVEL,
    tolerance: float = DEFAULT_TOLERANCE,
    max_triangles: int = DEFAULT_MAX_TRIANGLES,
    levels: np.ndarray | None = None,
) -> tuple[Surface, np.ndarray]:
    """A curved surface: height(X, poly) (N,) uses polygon poly's own smooth formula at points X.

    Each polygon's fan triangles are cut into 4^L pieces, L the smallest level at which the
    midpoint error of its edges falls below `tolerance` times the height range (at most
    `max_level`, lowered while the triangle count exceeds `max_triangles`), or the given
    per-polygon `levels`. colour(X, poly) (N, K) gives the colour values. Returns the surface
    and the per-polygon levels (to subdivide a companion surface the same way).
    """
    off = np.asarray(offsets, np.int64)
    V = np.asarray(vertices, np.float64)
    tri = fan_triangles(off).astype(np.int64)
    n_poly = len(off) - 1
    poly_of_vertex = np.repeat(np.arange(n_poly), np.diff(off))
    tpoly = poly_of_vertex[tri[:, 0]] if len(tri) else np.zeros(0, np.int64)
    corners = V[tri]  # (T, 3, 2)
    if levels is None:
        levels = _levels(corners, tpoly, n_poly, height, max_level, tolerance, max_triangles)
    tlevel = levels[tpoly] if len(tri) else np.zeros(0, np.int64)
    span = max(float(np.ptp(V[:, 0])) if len(V) else 1.0, float(np.ptp(V[:, 1])) if len(V) else 1.0)
    h = 1e-6 * max(span, 1e-300)
    pos_parts, tri_parts, grad_parts, reg_parts, col_parts, z_parts = [], [], [], [], [], []
    base = 0
    for level in np.unique(tlevel):
        sel = np.flatnonzero(tlevel == level)
        bary, ttri = _template(int(level))
        m = len(bary)
        pts = np.einsum("mb,tbc->tmc", bary, corners[sel]).reshape(-1, 2)
        pid = np.repeat(tpoly[sel], m)
        z = height(pts, pid)
        gx = (height(pts + [h, 0.0], pid) - height(pts - [h, 0.0], pid)) / (2 * h)
        gy = (height(pts + [0.0, h], pid) - height(pts - [0.0, h], pid)) / (2 * h)
        pos_parts.append(pts)
        z_parts.append(z)
        grad_parts.append(np.column_stack([gx, gy]))
        reg_parts.append(np.asarray(poly_region, np.int32)[pid])
        col_parts.append(colour(pts, pid))
        tri_parts.append(ttri[None, :, :] + (base + m * np.arange(len(sel)))[:, None, None])
        base += m * len(sel)
    if not pos_parts:
        empty = Surface(
            np.zeros((0, 3)),
            np.zeros((0, 3), np.uint32),
            np.zeros((0, 2)),
            np.zeros(0, np.int32),
            np.zeros((0, 1)),
            exact=False,
        )
        return empty, levels
    pts = np.concatenate(pos_parts)
    surface = Surface(
        positions=np.column_stack([pts, np.concatenate(z_parts)]),
        triangles=np.concatenate([t.reshape(-1, 3) for t in tri_parts]).astype(np.uint32),
        gradients=np.concatenate(grad_parts),
        region=np.concatenate(reg_parts),
        colour_values=np.concatenate(col_parts),
        exact=False,
    )
    return surface, levels


def _levels(corners, tpoly, n_poly, height, max_level, tolerance, max_triangles) -> np.ndarray:
    """Per-polygon subdivision level from the midpoint error of its triangles' edges."""
    levels = np.zeros(n_poly, np.int64)
    if len(corners) == 0 or max_level <= 0:
        return levels
    pid = np.repeat(tpoly, 3)
    zc = height(corners.reshape(-1, 2), pid).reshape(-1, 3)
    mids = 0.5 * (corners + corners[:, [1, 2, 0]])
    zm = height(mids.reshape(-1, 2), pid).reshape(-1, 3)
    err = np.abs(zm - 0.5 * (zc + zc[:, [1, 2, 0]])).max(axis=1)
    zr = float(np.ptp(zc)) if zc.size else 0.0
    tol = max(float(tolerance) * max(zr, 1e-12), 1e-300)
    poly_err = np.zeros(n_poly)
    np.maximum.at(poly_err, tpoly, err)
    # The midpoint error of a smooth function shrinks about 4x per halving of the edges.
    with np.errstate(divide="ignore"):
        need = np.ceil(np.log(np.maximum(poly_err, 1e-300) / tol) / np.log(4.0))
    levels = np.clip(need, 0, max_level).astype(np.int64)
    tri_count = np.bincount(tpoly, minlength=n_poly)
    while levels.max() > 0 and int((tri_count * 4**levels).sum()) > max_triangles:
        levels = np.minimum(levels, levels.max() - 1)
    return levels


# ---------------------------------------------------------------------- creases and segments
def lift_segments(
    segments: np.ndarray,
    height_at: HeightFn,
    layer: np.ndarray | None = None,
    neuron: np.ndarray | None = None,
    *,
    max_level: int = DEFAULT_MAX_LEVEL + 1,
    tolerance: float = 1e-4,
) -> LiftedSegments:
    """Lift 2D segments (S, 4) onto the surface. A segment on which the height is linear (any
    edge of a planar facet) stays one piece; on a curved surface it is cut into 2^L pieces, L
    from its midpoint error relative to `tolerance` times the height range."""
    seg = np.asarray(segments, np.float64).reshape(-1, 4)
    S = len(seg)
    layer = np.zeros(S, np.int32) if layer is None else np.asarray(layer, np.int32)
    neuron = np.full(S, -1, np.int32) if neuron is None else np.asarray(neuron, np.int32)
    if S == 0:
        return LiftedSegments.empty()
    a, b = seg[:, :2], seg[:, 2:]
    za, zb, zm = height_at(a), height_at(b), height_at(0.5 * (a + b))
    err = np.abs(zm - 0.5 * (za + zb))
    zr = float(np.ptp(np.concatenate([za, zb])))
    tol = max(float(tolerance) * max(zr, 1e-12), 1e-300)
    with np.errstate(divide="ignore"):
        need = np.ceil(np.log2(np.maximum(err, 1e-300) / tol) / 2.0)
    lv = np.clip(need, 0, max_level).astype(np.int64)
    parts, lay, neu = [], [], []
    for level in np.unique(lv):
        sel = np.flatnonzero(lv == level)
        n = 1 << int(level)
        t = np.linspace(0.0, 1.0, n + 1)
        pts = a[sel, None, :] + t[None, :, None] * (b[sel] - a[sel])[:, None, :]
        if n == 1:  # the ends were evaluated already
            z = np.stack([za[sel], zb[sel]], axis=1)
        else:
            z = height_at(pts.reshape(-1, 2)).reshape(len(sel), n + 1)
        p3 = np.concatenate([pts, z[:, :, None]], axis=2)
        parts.append(np.stack([p3[:, :-1], p3[:, 1:]], axis=2).reshape(-1, 2, 3))
        lay.append(np.repeat(layer[sel], n))
        neu.append(np.repeat(neuron[sel], n))
    return LiftedSegments(np.concatenate(parts), np.concatenate(lay), np.concatenate(neu))


# ---------------------------------------------------------------------- height functions
def _top(values: np.ndarray) -> np.ndarray:
    """The surface's scalar from per-class values (N, K): K = 2 class 1, else the maximum."""
    return values[:, 1] if values.shape[1] == 2 else values.max(axis=1)


def output_height(f: np.ndarray) -> np.ndarray:
    """OUTPUT height from logits (N, K): value, logit difference, or top logit."""
    f = np.asarray(f, np.float64)
    if f.shape[1] == 1:
        return f[:, 0].copy()
    if f.shape[1] == 2:
        return f[:, 1] - f[:, 0]
    return f.max(axis=1)


def _quadratic(coef: np.ndarray, X: np.ndarray) -> np.ndarray:
    """Per-point quadratic coefficients coef (N, K, 6) at points X (N, 2): (N, K)."""
    x, y = X[:, 0, None], X[:, 1, None]
    return (
        coef[..., 0] * x * x
        + coef[..., 1] * x * y
        + coef[..., 2] * y * y
        + coef[..., 3] * x
        + coef[..., 4] * y
        + coef[..., 5]
    )


def _probit_logits(mean: np.ndarray, var: np.ndarray) -> np.ndarray:
    return mean / np.sqrt(1.0 + _PROBIT_SCALE * np.maximum(var, 0.0))


def _window_polygons(partition: Partition):
    return partition.offsets, partition.vertices, np.arange(len(partition), dtype=np.int32)


def _check_kind(kind) -> Height:
    try:
        return Height(kind)
    except ValueError:
        allowed = ", ".join(h.value for h in Height)
        raise ValueError(f"surface height {kind!r} is unknown; allowed: {allowed}") from None


def build_surface(
    partition: Partition,
    net,
    kind: Height | str = Height.OUTPUT,
    *,
    laplace=None,
    neuron: tuple[int, int] | None = None,
    include_noise: bool = False,
    max_level: int = DEFAULT_MAX_LEVEL,
    tolerance: float = DEFAULT_TOLERANCE,
    max_triangles: int = DEFAULT_MAX_TRIANGLES,
) -> FoldedSurface:
    """The 3D surface of `net` over `partition`'s window (see the module docstring).

    laplace: a fitted last-layer Laplace posterior (sandbox.bayes.LastLayerLaplace or anything
    with region_coefficients, predict_proba_features and predict_features), needed by LAPLACE
    (classification) and BAND (regression). neuron: (layer, index) for NEURON, layer 1-based and
    equal to partition.upto_layer. include_noise: BAND adds the observation noise to the spread.
    """
    kind = _check_kind(kind)
    P = partition
    if P.too_many:
        raise ValueError(f"no surface: {P.message}")
    K = int(net.sizes[-1])
    n_layers = len(net.sizes) - 2
    if kind is not Height.NEURON and P.upto_layer != n_layers:
        raise ValueError(
            f"the {kind.value} surface needs the partition of all {n_layers} hidden layers, "
            f"got one up to layer {P.upto_layer}"
        )
    if kind is Height.PROBABILITY and K == 1:
        raise ValueError("the probability surface needs a classification network (2+ outputs)")
    if kind is Height.LAPLACE and K == 1:
        raise ValueError("for regression the Laplace surface is the band; use kind='band'")
    if kind is Height.BAND and K != 1:
        raise ValueError("the uncertainty band is for regression; classification uses 'laplace'")
    if kind in (Height.LAPLACE, Height.BAND) and laplace is None:
        raise ValueError(f"the {kind.value} surface needs a fitted Laplace posterior")
    opts = dict(max_level=max_level, tolerance=tolerance, max_triangles=max_triangles)
    off, V, reg = _window_polygons(P)
    lower = upper = None

    if kind is Height.NEURON:
        if neuron is None:
            raise ValueError("the neuron surface needs neuron=(layer, index)")
        layer, index = int(neuron[0]), int(neuron[1])
        if layer != P.upto_layer:
            raise ValueError(
                f"neuron layer {layer} needs the partition up to layer {layer}, "
                f"got one up to layer {P.upto_layer}"
            )
        if not 0 <= index < net.sizes[layer]:
            raise ValueError(
                f"neuron index {index} is out of range; layer {layer} has 0 to "
                f"{net.sizes[layer] - 1}"
            )
        surface = facet_surface(off, V, reg, P.feature_maps[:, index, :])

        def height_at(X: np.ndarray) -> np.ndarray:
            return net.layer_outputs(X)[layer - 1][:, index]

    elif kind is Height.OUTPUT:
        M = P.output_maps
        if K <= 2:
            coef = M[:, 0, :] if K == 1 else M[:, 1, :] - M[:, 0, :]
            surface = facet_surface(off, V, reg, coef, M)
        else:
            off2, V2, parent, cls = argmax_split_kernel(off, V, M, len(P), EPS)
            coef = M[parent, cls, :]
            surface = facet_surface(off2, V2, parent, coef, M[parent])

        def height_at(X: np.ndarray) -> np.ndarray:
            return output_height(net.forward(X))

    elif kind is Height.PROBABILITY:
        M = P.output_maps
        if K == 2:
            poly_maps, poly_reg, poly_cls = M, reg, None
            offp, Vp = off, V
        else:
            offp, Vp, poly_reg, poly_cls = argmax_split_kernel(off, V, M, len(P), EPS)
            poly_maps = M[poly_reg]

        def prob(X: np.ndarray, pid: np.ndarray) -> np.ndarray:
            p = softmax(_affine(poly_maps[pid], X))
            return p[:, 1] if poly_cls is None else p[np.arange(len(p)), poly_cls[pid]]

        def logits(X: np.ndarray, pid: np.ndarray) -> np.ndarray:
            return _affine(poly_maps[pid], X)

        surface, _ = curved_surface(offp, Vp, poly_reg, prob, logits, **opts)

        def height_at(X: np.ndarray) -> np.ndarray:
            return _top(softmax(net.forward(X)))

    elif kind is Height.LAPLACE:
        mean_c, var_c = laplace.region_coefficients(P.feature_maps)

        def scaled(X: np.ndarray, pid: np.ndarray) -> np.ndarray:
            return _probit_logits(_affine(mean_c[pid], X), _quadratic(var_c[pid], X))

        def prob(X: np.ndarray, pid: np.ndarray) -> np.ndarray:
            return _top(softmax(scaled(X, pid)))

        surface, _ = curved_surface(off, V, reg, prob, scaled, **opts)

        def height_at(X: np.ndarray) -> np.ndarray:
            phi = net.features(X)
            return _top(np.asarray(laplace.predict_proba_features(phi, link="probit")))

    else:  # BAND
        mean_c, var_c = laplace.region_coefficients(P.feature_maps, include_noise=include_noise)
        M = P.output_maps
        surface = facet_surface(off, V, reg, M[:, 0, :], M)

        def spread(sign: float) -> PolyFn:
            def f(X: np.ndarray, pid: np.ndarray) -> np.ndarray:
                m = _affine(mean_c[pid], X)[:, 0]
                v = _quadratic(var_c[pid], X)[:, 0]
                return m + sign * np.sqrt(np.maximum(v, 0.0))

            return f

        def mean_value(X: np.ndarray, pid: np.ndarray) -> np.ndarray:
            return _affine(mean_c[pid], X)

        upper, levels = curved_surface(off, V, reg, spread(1.0), mean_value, **opts)
        lower, _ = curved_surface(off, V, reg, spread(-1.0), mean_value, levels=levels, **opts)

        def height_at(X: np.ndarray) -> np.ndarray:
            return net.forward(X)[:, 0]

    seg, seg_layer, seg_neuron = crease_edges(P, net)
    creases = lift_segments(seg, height_at, seg_layer, seg_neuron)
    if P.output_maps is not None and kind is not Height.NEURON and len(P.boundary):
        boundary = lift_segments(P.boundary, height_at)
    else:
        boundary = LiftedSegments.empty()
    return FoldedSurface(
        surface=surface,
        creases=creases,
        boundary=boundary,
        height_at=height_at,
        bounds=P.bounds,
        kind=kind,
        n_out=K,
        lower=lower,
        upper=upper,
    )


def halfplane_surface(a: float, b: float, c: float, bounds) -> FoldedSurface:
    """The single-neuron surface max(a x + b y + c, 0) over bounds = (xmin, xmax, ymin, ymax):
    at most two exact facets and the crease between them (the sliders' instant preview)."""
    xmin, xmax, ymin, ymax = check_bounds(bounds)
    vals = [float(a), float(b), float(c)]
    if not all(math.isfinite(v) for v in vals):
        raise ValueError(f"a, b, c must be finite, got {vals}")
    a, b, c = vals
    rect = [(xmin, ymin), (xmax, ymin), (xmax, ymax), (xmin, ymax)]
    pos = _clip_py(rect, a, b, c, EPS)
    neg = _clip_py(rect, -a, -b, -c, EPS)
    polys, coefs = [], []
    if pos is None:  # a = b = c = 0: the activation is 0 everywhere
        polys, coefs = [rect], [(0.0, 0.0, 0.0)]
    else:
        for poly, coef in ((pos, (a, b, c)), (neg, (0.0, 0.0, 0.0))):
            if poly is not None and len(poly) >= 3:
                polys.append(poly)
                coefs.append(coef)
    counts = [len(p) for p in polys]
    off = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    V = np.asarray([v for p in polys for v in p], np.float64)
    surface = facet_surface(off, V, np.arange(len(polys), dtype=np.int32), np.asarray(coefs))

    def height_at(X: np.ndarray) -> np.ndarray:
        X = np.asarray(X, np.float64)
        return np.maximum(a * X[:, 0] + b * X[:, 1] + c, 0.0)

    segs = []
    if pos is not None and neg is not None and len(pos) >= 3 and len(neg) >= 3:
        # The crease is the edge of the positive part whose ends are both on the line.
        scale = abs(a) * max(abs(xmin), abs(xmax)) + abs(b) * max(abs(ymin), abs(ymax)) + abs(c)
        on = [abs(a * x + b * y + c) <= 1e-9 * max(scale, 1e-300) for x, y in pos]
        for i in range(len(pos)):
            j = (i + 1) % len(pos)
            if on[i] and on[j]:
                segs.append((*pos[i], *pos[j]))
    creases = lift_segments(
        np.asarray(segs, np.float64).reshape(-1, 4),
        height_at,
        np.ones(len(segs), np.int32),
        np.zeros(len(segs), np.int32),
    )
    return FoldedSurface(
        surface=surface,
        creases=creases,
        boundary=LiftedSegments.empty(),
        height_at=height_at,
        bounds=(xmin, xmax, ymin, ymax),
        kind=Height.NEURON,
        n_out=1,
    )
