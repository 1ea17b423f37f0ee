"""The exact linear regions of a 2-input network inside a rectangle, and their flat forms.

Any piecewise-linear activation (ReLU, leaky ReLU, abs, hardtanh, linear) and residual layers
are exact (MATH.md section 6); a smooth activation has no regions, and the result then says so
(`smooth`, with the one-line message the views show) instead of cutting.

`linear_regions(net, bounds)` runs the region algorithm of MATH.md section 1 (numba kernels in
_kernels.py, run layer by layer by _cutting.py) and returns a Partition: convex counter-clockwise
polygons in one flat vertex pool, the activation pattern, the affine feature map and output map of
every region, the crease segments with their (layer, neuron), the decision-boundary segments, and on
demand a triangle mesh and stable region colours for the renderer. Nothing here loops over regions
in Python; per-region lists (`polygons`) are built only when asked for.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from ..nn.activations import pieces as activation_pieces
from ..nn.activations import smooth_note
from . import _drawing_kernels as D
from . import _kernels as K
from . import _map_kernels as M
from ._cutting import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_REGIONS,
    DEFAULT_MAX_WORK,
    EPS,
    RELU_PIECES,
    cut_layers,
    default_threads,
    executor,
    give_back,
)
from .colors import hash_colors, pattern_hashes
from .sampled import sampled_boundary

Bounds = tuple[float, float, float, float]

# From this many regions a full partition's output maps and boundary are formed on two threads
# (below it, handing half to the worker costs more than it saves; on 2 cores, timed in one
# process against no split: [32]^3 2.4 -> 1.85 ms, [64]^3 12.5 -> 11).
SPLIT_MIN_FINAL_REGIONS = 1500


def check_bounds(bounds) -> Bounds:
    """Validate (xmin, xmax, ymin, ymax) and return it as floats; ValueError names the problem."""
    try:
        b = tuple(float(v) for v in bounds)
    except (TypeError, ValueError):
        raise ValueError(
            f"bounds must be four numbers (xmin, xmax, ymin, ymax), got {bounds!r}"
        ) from None
    if len(b) != 4:
        raise ValueError(f"bounds must be four numbers (xmin, xmax, ymin, ymax), got {bounds!r}")
    if not all(np.isfinite(b)):
        raise ValueError(f"bounds must be finite, got {b}")
    xmin, xmax, ymin, ymax = b
    if not xmax > xmin:
        raise ValueError(f"bounds have zero or negative width: xmin={xmin}, xmax={xmax}")
    if not ymax > ymin:
        raise ValueError(f"bounds have zero or negative height: ymin={ymin}, ymax={ymax}")
    return b


def check_network(net) -> None:
    """ValueError when a network has NaN or infinite parameters."""
    params = np.asarray(net.params)
    if not np.all(np.isfinite(params)):
        bad = np.flatnonzero(~np.isfinite(params))
        layer = int(np.searchsorted(net.layout[:, 0], bad[0], side="right"))
        raise ValueError(
            f"network weights contain {bad.size} NaN or infinite values (first in layer {layer});"
            " geometry needs finite weights"
        )


@dataclass(frozen=True)
class Creases:
    """Crease segments: `segments` (S, 4) rows (x0, y0, x1, y1), `layer` (S,) 1-based hidden
    layer, `neuron` (S,) 0-based index of the neuron within its layer."""

    segments: np.ndarray
    layer: np.ndarray
    neuron: np.ndarray

    def __len__(self) -> int:
        return int(self.segments.shape[0])

    @property
    def coords(self) -> np.ndarray:
        """Alias of `segments`."""
        return self.segments

    def of(self, layer: int, neuron: int) -> np.ndarray:
        """Segments (n, 4) of one neuron (layer 1-based)."""
        return self.segments[(self.layer == layer) & (self.neuron == neuron)]


class RegionMesh:
    """Renderer-ready fan triangulation of a partition.

    vertices (V, 2) float64, duplicated per region (every region owns its corners);
    triangles (T, 3) uint32 into vertices; region (V,) int32 region id of each vertex;
    logits (V, out) float64 exact network output at each vertex (None for a partial partition);
    features (V, H) float64 exact activations of the partition's last layer at each vertex,
    computed on first access. Inside a triangle every one of these interpolates exactly, since the
    network is affine on each region. `mesh()` returns the mesh itself, so `P.mesh` and `P.mesh()`
    both work.
    """

    def __init__(self, partition: Partition) -> None:
        p = partition
        self._p = p
        self.vertices = p.vertices
        maps = p.output_maps if p.output_maps is not None else p.feature_maps
        tri, reg, vals = p.mesh_arrays(maps)
        self.triangles = tri
        self.region = reg
        if p.output_maps is not None:
            self.logits = vals
            self._features = None
        else:
            self.logits = None
            self._features = vals

    def __call__(self) -> RegionMesh:
        return self

    @property
    def features(self) -> np.ndarray:
        if self._features is None:
            p = self._p
            self._features = p.mesh_arrays(p.feature_maps)[2]
        return self._features

    def __len__(self) -> int:
        return int(self.triangles.shape[0])


class Partition:
    """The exact partition of a window by a network's hidden layers (see linear_regions).

    Flat data: `vertices` (V, 2) and `offsets` (R + 1,): region r is vertices[offsets[r]: offsets[r
    + 1]], convex and counter-clockwise. `patterns` (R, n) bool activation pattern over the neurons
    of layers 1..upto_layer. `feature_maps` (R, n_upto, 3): the activations of layer `upto_layer`
    inside region r are F[:, :2] @ x + F[:, 2] (the last hidden layer's features when upto_layer is
    the last layer), formed on first access. `output_maps` (R, out, 3): logits M[:, :2] @ x + M[:,
    2] (None when upto_layer is not the last hidden layer). `creases`: a Creases. `boundary` (B, 4)
    decision-boundary segments with `boundary_classes` (B, 2) (the two classes it separates; for
    regression the level set f = `level`, pair (0, 1) meaning below/above). When the region count
    would exceed the budget, `too_many` is True, `message` says why and every array is empty;
    a network with a smooth activation has no regions: `smooth` and `too_many` are True,
    `message` is the line the crease views show and `boundary` is sampled (geometry/sampled.py).
    For hardtanh (three pieces per neuron)
    `patterns` holds each neuron's piece (0, 1, 2) as uint8 instead of bools. `twin`: made by
    the plain-Python twins (geometry/twin_regions.py) while the kernels are not loaded yet.
    `pending`: a placeholder (too_many, no regions) while the regions are still being made.
    """

    twin = False
    pending = False
    packed_mesh = None  # the mesh packed for the GPU beside the frame (sandbox.partition_jobs)

    def __init__(
        self,
        *,
        bounds: Bounds,
        sizes: list[int],
        upto_layer: int,
        offsets: np.ndarray,
        vertices: np.ndarray,
        patterns: np.ndarray,
        feature_maps: np.ndarray | Callable[[], np.ndarray],
        output_maps: np.ndarray | None,
        creases: Creases,
        boundary: np.ndarray,
        boundary_classes: np.ndarray,
        level: float,
        n_cuts: int,
        too_many: bool = False,
        message: str = "",
        smooth: bool = False,
    ) -> None:
        self.bounds = bounds
        self.sizes = sizes
        self.upto_layer = upto_layer
        self.offsets = offsets
        self.vertices = vertices
        self.patterns = patterns
        # an array, or the function that forms it on first access (most frames never ask)
        self._feature_maps = feature_maps
        self.output_maps = output_maps
        self.creases = creases
        self.boundary = boundary
        self.boundary_classes = boundary_classes
        self.level = level
        self.n_cuts = n_cuts
        self.too_many = too_many
        self.message = message
        self.smooth = smooth

    def __len__(self) -> int:
        return int(self.offsets.shape[0] - 1)

    @property
    def feature_maps(self) -> np.ndarray:
        """(R, n_upto, 3) affine maps of the last partitioning layer's activations per region."""
        fm = self._feature_maps
        if callable(fm):
            fm = self._feature_maps = fm()
        return fm

    @property
    def n_regions(self) -> int:
        return len(self)

    def __repr__(self) -> str:
        if self.too_many:
            return f"Partition(too many regions: {self.message})"
        return (
            f"Partition({len(self)} regions, {len(self.creases)} crease segments, "
            f"{self.boundary.shape[0]} boundary segments, layers <= {self.upto_layer})"
        )

    @property
    def counts(self) -> np.ndarray:
        """(R,) number of vertices of each polygon."""
        return np.diff(self.offsets)

    @cached_property
    def polygons(self) -> list[np.ndarray]:
        """List of (m, 2) float64 arrays (views into `vertices`), convex and counter-clockwise."""
        return np.split(self.vertices, self.offsets[1:-1])

    @cached_property
    def region_ids(self) -> np.ndarray:
        """(V,) int32 region of every pooled vertex."""
        return np.repeat(np.arange(len(self), dtype=np.int32), self.counts)

    def areas(self) -> np.ndarray:
        """(R,) polygon areas (shoelace, positive for counter-clockwise)."""
        return self._shoelace()[0]

    def centroids(self) -> np.ndarray:
        """(R, 2) polygon centroids."""
        if len(self) == 0:
            return np.zeros((0, 2))
        area, cx, cy, base = self._shoelace()
        with np.errstate(divide="ignore", invalid="ignore"):
            rel = np.stack([cx / (6.0 * area), cy / (6.0 * area)], axis=1)
        # a degenerate (zero-area) sliver gets its vertex mean
        mean = np.add.reduceat(self.vertices, self.offsets[:-1], axis=0) / self.counts[:, None]
        return np.where(np.isfinite(rel), base + rel, mean)

    def _shoelace(self):
        # relative to each polygon's first vertex: exact-enough areas of tiny polygons far out
        base = self.vertices[self.offsets[:-1]]
        v = self.vertices - base[self.region_ids]
        nxt = np.arange(v.shape[0]) + 1
        nxt[self.offsets[1:] - 1] = self.offsets[:-1]
        x0, y0 = v[:, 0], v[:, 1]
        x1, y1 = v[nxt, 0], v[nxt, 1]
        cross = x0 * y1 - x1 * y0
        starts = self.offsets[:-1]
        if len(self) == 0:
            z = np.zeros(0)
            return z, z, z, np.zeros((0, 2))
        area = np.add.reduceat(cross, starts) / 2.0
        cx = np.add.reduceat((x0 + x1) * cross, starts)
        cy = np.add.reduceat((y0 + y1) * cross, starts)
        return area, cx, cy, base

    @cached_property
    def hashes(self) -> np.ndarray:
        """(R,) uint64 hash of each activation pattern (stable while training)."""
        return pattern_hashes(self.patterns)

    @cached_property
    def region_colors(self) -> np.ndarray:
        """(R, 3) float32 pastel colour per region, stable per activation pattern."""
        return hash_colors(self.hashes)

    @cached_property
    def mesh(self) -> RegionMesh:
        """Fan-triangulated renderer form (also callable: `P.mesh()`)."""
        return RegionMesh(self)

    def mesh_arrays(self, maps: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The fan triangulation (triangles, region of each vertex) and the values of the
        affine `maps` (R, m, 3) at every vertex."""
        return D.mesh_kernel(self.offsets, self.vertices, maps, len(self))

    def logits(self, X: np.ndarray, region: np.ndarray) -> np.ndarray:
        """Output of the region maps at points X (N, 2) known to lie in regions `region` (N,)."""
        if self.output_maps is None:
            raise ValueError("output maps exist only for the partition of all hidden layers")
        M = self.output_maps[np.asarray(region)]
        X = np.asarray(X, dtype=np.float64)
        return M[:, :, 0] * X[:, :1] + M[:, :, 1] * X[:, 1:2] + M[:, :, 2]


def linear_regions(
    net,
    bounds: Bounds,
    upto_layer: int | None = None,
    *,
    max_regions: int = DEFAULT_MAX_REGIONS,
    level: float = 0.5,
    eps: float = EPS,
    max_work: int = DEFAULT_MAX_WORK,
    max_bytes: int = DEFAULT_MAX_BYTES,
    threads: int | None = None,
) -> Partition:
    """Exact linear regions of `net` (an MLP) inside bounds = (xmin, xmax, ymin, ymax).

    upto_layer (1-based, default all hidden layers): the partition made by layers <= upto_layer.
    level: for regression networks (one output) the decision boundary is the level set
    f = level. eps: the zero tolerance of MATH.md section 1: a neuron's value v = a.p + beta at a
    vertex counts as zero when |v| <= eps * max(1, max over the piece's vertices of |a0 x| +
    |a1 y| + |beta|). That is MATH.md's eps * max(1, max|v|) with the size of the summed terms in
    place of |v|, so rounding noise in thin pieces far from the origin is never taken for a sign;
    as in MATH.md, values below eps in absolute terms count as zero. The work is bounded: past
    max_regions regions (or the memory/work budgets, reached first only by very wide layers) the
    result has too_many=True and a message, and returns promptly instead of running on.
    threads: how many threads a big layer is split across (default: 2 on a machine with two or
    more cores, else 1); the result is the same to the bit whatever the count.
    """
    b = check_bounds(bounds)
    check_network(net)
    n_layers_all = len(net.sizes) - 2
    if upto_layer is None:
        upto_layer = n_layers_all
    if not (isinstance(upto_layer, int | np.integer) and 1 <= upto_layer <= n_layers_all):
        raise ValueError(f"upto_layer is {upto_layer!r}; allowed: 1 to {n_layers_all}")
    upto_layer = int(upto_layer)
    if int(max_regions) < 1:
        raise ValueError(f"max_regions is {max_regions}; it must be at least 1")
    n_hid = int(sum(net.sizes[1 : upto_layer + 1]))
    width = int(net.sizes[upto_layer])
    K_out = int(net.sizes[-1])
    full = upto_layer == n_layers_all
    activation = getattr(net, "activation", None)
    if activation is not None and not activation.piecewise_linear:
        P = _empty_partition(
            net, b, upto_layer, n_hid, width, K_out, full, level, 0, smooth_note(activation), True
        )
        if full:
            P.boundary, P.boundary_classes = sampled_boundary(net, b, float(level))
        return P
    pc = activation_pieces(activation, net.negative_slope) if activation is not None else None
    kernel_pieces = (
        None
        if pc is None
        else (
            np.asarray(pc.breakpoints, dtype=np.float64),
            np.asarray(pc.slopes, dtype=np.float64),
            np.asarray(pc.offsets, dtype=np.float64),
        )
    )
    n_threads = default_threads() if threads is None else int(threads)
    residual = np.asarray(getattr(net, "residual_layers", [False] * n_layers_all), dtype=np.bool_)
    cut = cut_layers(
        net.params,
        net.layout,
        upto_layer,
        np.asarray(b, dtype=np.float64),
        float(eps),
        int(max_regions),
        int(max_work),
        int(max_bytes),
        n_threads,
        pieces=kernel_pieces,
        residual=residual,
        out_weights=net.layers[-1][0] if full else None,
    )
    status = cut.status
    cuts = cut.n_cuts
    if status != K.STATUS_OK:
        give_back(cut.buffers)
        reason = {
            K.STATUS_TOO_MANY_REGIONS: f"more than {max_regions} regions",
            K.STATUS_TOO_MUCH_MEMORY: f"its regions would need over {max_bytes // 2**20} MiB",
            K.STATUS_TOO_MUCH_WORK: "the exact partition would take too long",
        }[int(status)]
        message = (
            f"too many regions for {net.sizes} in this window: {reason}; shading per pixel instead"
        )
        return _empty_partition(
            net, b, upto_layer, n_hid, width, K_out, full, level, cuts, message, False
        )
    # views into the pooled buffers: they stay reserved while this partition (or a view of
    # its arrays) lives
    offsets = cut.offsets
    vertices = cut.vertices
    R = len(offsets) - 1
    three_pieces = kernel_pieces is not None and kernel_pieces[1].shape[0] > 2
    patterns = cut.patterns if three_pieces else cut.patterns.view(np.bool_)
    creases = Creases(cut.crease_segments.copy(), cut.crease_layer.copy(), cut.crease_neuron.copy())
    maps, groups, pat = cut.maps, cut.groups, cut.patterns
    last_bit = n_hid - width
    res_last = bool(residual[upto_layer - 1])
    # a residual last layer's input features come from the previous layer's maps (its bits,
    # whether it is the first layer, where its own input features come from after a residual
    # layer); other partitions do not hold on to those (the pool hands their buffer out again)
    first = upto_layer == 1
    stream = (
        (cut.prev_maps, cut.prev_groups, 0 if first else last_bit - width, first, *cut.prev_source)
        if res_last
        else (maps, groups, 0, True, maps, groups, 0, 0)
    )
    give_back(cut.buffers)
    del cut

    _, slopes, toffs = kernel_pieces if kernel_pieces is not None else RELU_PIECES

    def feature_maps() -> np.ndarray:
        return M.feature_maps_kernel(
            maps, groups, pat, last_bit, R, width, slopes, toffs, res_last, *stream
        )

    if full:
        Wo, bo = net.layers[-1]
        omaps = np.empty((R, Wo.shape[0], 3))

        def maps_and_boundary(r0: int, r1: int):
            M.output_maps_kernel(
                maps, groups, pat, last_bit, r0, r1, Wo, bo, width, slopes, toffs, res_last, omaps
            )
            bseg, bcls, nb = D.boundary_kernel(
                offsets, vertices, omaps, r0, r1, float(level), float(eps)
            )
            return bseg[:nb], bcls[:nb]

        if n_threads > 1 and R >= SPLIT_MIN_FINAL_REGIONS:
            # the later half on the region worker (both kernels release the interpreter lock);
            # every row and every region's segments are formed on their own, so the joined
            # result is the same to the bit as one pass
            later = executor().submit(maps_and_boundary, R // 2, R)
            try:
                first_part = maps_and_boundary(0, R // 2)
            finally:
                later_part = later.result()
            boundary = np.concatenate((first_part[0], later_part[0]))
            bclasses = np.concatenate((first_part[1], later_part[1]))
        else:
            boundary, bclasses = maps_and_boundary(0, R)
    else:
        omaps = None
        boundary = np.zeros((0, 4))
        bclasses = np.zeros((0, 2), np.int32)
    return Partition(
        bounds=b,
        sizes=list(net.sizes),
        upto_layer=upto_layer,
        offsets=offsets,
        vertices=vertices,
        patterns=patterns,
        feature_maps=feature_maps,
        output_maps=omaps,
        creases=creases,
        boundary=boundary,
        boundary_classes=bclasses,
        level=float(level),
        n_cuts=int(cuts),
    )


def _empty_partition(
    net, b, upto_layer, n_hid, width, K_out, full, level, cuts, message, smooth
) -> Partition:
    """A partition with no regions: past the budgets, or a smooth network (no regions at all)."""
    return Partition(
        bounds=b,
        sizes=list(net.sizes),
        upto_layer=upto_layer,
        offsets=np.zeros(1, dtype=np.int64),
        vertices=np.zeros((0, 2)),
        patterns=np.zeros((0, n_hid), dtype=bool),
        feature_maps=np.zeros((0, width, 3)),
        output_maps=np.zeros((0, K_out, 3)) if full else None,
        creases=Creases(np.zeros((0, 4)), np.zeros(0, np.int32), np.zeros(0, np.int32)),
        boundary=np.zeros((0, 4)),
        boundary_classes=np.zeros((0, 2), np.int32),
        level=float(level),
        n_cuts=int(cuts),
        too_many=True,
        message=message,
        smooth=smooth,
    )
