"""The exact partition made by the plain-Python twins, for the seconds before the kernels load.

On a first start the numba region kernels compile for half a minute or so. The twins in
reference.py (the tests' oracle: the same algorithm, the same arithmetic in the same order, so
the same regions and creases to the bit) need no compiling, and a small network's partition
takes them a fraction of a second. `twin_regions` builds a `Partition` from them, the same
object `linear_regions` returns, whose mesh, hashes and colours are formed in numpy too
(`TwinPartition`), so that drawing it calls no numba kernel. It answers None where the twins
would be too slow (more than TWIN_MAX_NEURONS hidden neurons, or more than TWIN_MAX_REGIONS
regions): the caller then keeps saying that the regions are being prepared.
"""

from __future__ import annotations

from functools import cached_property

import numpy as np

from ..nn.activations import pieces as activation_pieces
from ._cutting import EPS
from .colors import pattern_hashes_numpy
from .reference import boundary_reference, mesh_reference, partition_reference
from .regions import Bounds, Creases, Partition, check_bounds, linear_regions

# Beyond these the pure-Python twins take more than about half a second a partition.
TWIN_MAX_NEURONS = 64
TWIN_MAX_REGIONS = 4_000


class TwinPartition(Partition):
    """A Partition whose drawing forms (mesh, hashes, colours) come from the numpy twins."""

    twin = True

    @cached_property
    def hashes(self) -> np.ndarray:
        return pattern_hashes_numpy(self.patterns)

    def mesh_arrays(self, maps: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return mesh_reference(self.offsets, self.vertices, maps)


def twin_regions(
    net, bounds: Bounds, upto_layer: int | None = None, level: float = 0.5
) -> Partition | None:
    """`linear_regions(net, bounds, upto_layer, level=level)` computed without numba; None when
    the network is too big for the twins (see the module docstring). A smooth network has no
    regions to cut: its answer (and sampled boundary) needs no region kernel either."""
    b = check_bounds(bounds)
    activation = getattr(net, "activation", None)
    if activation is not None and not activation.piecewise_linear:
        return linear_regions(net, b, upto_layer, level=level)
    n_layers = len(net.sizes) - 2
    upto = n_layers if upto_layer is None else int(upto_layer)
    if sum(net.sizes[1 : upto + 1]) > TWIN_MAX_NEURONS or not np.all(np.isfinite(net.params)):
        return None
    pc = activation_pieces(activation, net.negative_slope) if activation is not None else None
    residual = [bool(r) for r in getattr(net, "residual_layers", [False] * n_layers)]
    ref = partition_reference(
        net.params, net.layout, upto, b, EPS, TWIN_MAX_REGIONS, pieces=pc, residual=residual
    )
    if ref.too_many:
        return None
    fm = ref.feature_maps
    if upto == n_layers:
        Wo, bo = net.layers[-1]
        omaps = np.einsum("ki,rij->rkj", Wo, fm)
        omaps[:, :, 2] += bo
        boundary, classes = boundary_reference(ref.offsets, ref.vertices, omaps, float(level))
    else:
        omaps = None
        boundary, classes = np.zeros((0, 4)), np.zeros((0, 2), np.int32)
    return TwinPartition(
        bounds=b,
        sizes=list(net.sizes),
        upto_layer=upto,
        offsets=ref.offsets,
        vertices=ref.vertices,
        patterns=ref.patterns,
        feature_maps=fm,
        output_maps=omaps,
        creases=Creases(ref.crease_segments, ref.crease_layer, ref.crease_neuron),
        boundary=np.asarray(boundary, dtype=np.float64).reshape(-1, 4),
        boundary_classes=np.asarray(classes, dtype=np.int32).reshape(-1, 2),
        level=float(level),
        n_cuts=int(ref.n_cuts),
    )
