"""A partition mesh packed for the GPU, in numpy alone: what `GLMesh` (sandbox.render.mesh) uploads.

Packing checks the arrays, lists a big mesh's triangles bottom to top (sandbox.render.band_order)
and writes float32 vertex rows relative to an origin chosen in float64. It needs no GL, so the
geometry worker packs a partition's mesh beside the frame (sandbox.partition_jobs): for 8 x 64's
100,000 regions that is 9-19 ms of the main thread's time, 20-50 ms while the rasteriser's
threads share its two cores, which a frame that uploads a new partition no longer pays.
`packed_partition_mesh` gives the packing the worker made, or packs one now.

The arrays are those of sandbox.geometry's RegionMesh: `vertices` (V, 2) float64 world
coordinates, `triangles` (T, 3), `region` (V,) region id per vertex, `logits` (V, K) exact
outputs at the vertices (K = 1 regression, 2..6 classes).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .band_order import HeightOrder, order_by_height
from .palette import MAX_CLASSES

if TYPE_CHECKING:
    from sandbox.geometry import Partition

MAX_OUTPUTS = MAX_CLASSES  # a network's outputs drawn: one per class (one for regression)
# a mesh of this many triangles (about 10,000 regions) or more is ordered by height
ORDERED_TRIANGLES = 30_000
FLOATS_PER_VERTEX = 2 + MAX_OUTPUTS  # x, y relative to the origin, then the logits


def upload_origin(points: np.ndarray) -> np.ndarray:
    """The centre of the bounding box of (N, D) points (zeros when there are none): the origin
    an upload subtracts in float64. Column by column: numpy's min(axis=0) of an (N, 2) or
    (N, 3) array is 25-40 times slower (12 ms for 8 x 64's 240,000 crease ends)."""
    points = np.asarray(points, dtype=np.float64)
    if len(points) == 0:
        return np.zeros(points.shape[1] if points.ndim == 2 else 0)
    return np.array([0.5 * (col.min() + col.max()) for col in points.T])


@dataclass(frozen=True, eq=False)
class PackedMesh:
    """A mesh's buffers as uploaded: `data` (V, FLOATS_PER_VERTEX) float32, `region` (V,)
    int32, `indices` (3T,) uint32 (bottom to top when `height_order` is set)."""

    data: np.ndarray
    region: np.ndarray
    indices: np.ndarray
    origin: tuple[float, float]
    n_outputs: int
    n_regions: int  # 1 + the largest region id
    height_order: HeightOrder | None


def pack_mesh(
    vertices: np.ndarray,
    triangles: np.ndarray,
    region: np.ndarray,
    logits: np.ndarray,
    origin: tuple[float, float] | None = None,
) -> PackedMesh:
    """The arrays checked and packed; `origin` (world) is subtracted from every vertex in
    float64 (None: the centre of the mesh's bounding box)."""
    vertices = np.asarray(vertices, dtype=np.float64)
    triangles = np.asarray(triangles)
    region = np.asarray(region)
    logits = np.asarray(logits, dtype=np.float64)
    if logits.ndim == 1:
        logits = logits[:, None]
    if vertices.ndim != 2 or vertices.shape[1] != 2:
        raise ValueError(f"mesh vertices must have shape (V, 2), got {vertices.shape}")
    n = len(vertices)
    if region.shape != (n,):
        raise ValueError(f"mesh region ids must have shape ({n},), got {region.shape}")
    if logits.ndim != 2 or logits.shape[0] != n or not 1 <= logits.shape[1] <= MAX_OUTPUTS:
        raise ValueError(
            f"mesh logits must have shape ({n}, K) with K = 1..{MAX_OUTPUTS}, got {logits.shape}"
        )
    if triangles.size and (triangles.ndim != 2 or triangles.shape[1] != 3):
        raise ValueError(f"mesh triangles must have shape (T, 3), got {triangles.shape}")
    if triangles.size and (triangles.min() < 0 or triangles.max() >= n):
        raise ValueError(
            f"mesh triangle indices must lie in 0..{n - 1}, "
            f"got {triangles.min()}..{triangles.max()}"
        )
    if n and region.min() < 0:
        raise ValueError(f"mesh region ids must be >= 0, got {region.min()}")
    if not (np.isfinite(vertices).all() and np.isfinite(logits).all()):
        raise ValueError("mesh vertices and logits must be finite")

    if origin is None:
        origin = upload_origin(vertices) if n else (0.0, 0.0)
    origin = (float(origin[0]), float(origin[1]))

    height_order = None
    if len(triangles) >= ORDERED_TRIANGLES:
        y = np.ascontiguousarray(vertices[:, 1])
        a, b, c = y[triangles[:, 0]], y[triangles[:, 1]], y[triangles[:, 2]]
        low = np.minimum(np.minimum(a, b), c)
        high = np.maximum(np.maximum(a, b), c)
        order, height_order = order_by_height(low, high)
        triangles = triangles[order]

    data = np.zeros((n, FLOATS_PER_VERTEX), dtype=np.float32)
    data[:, 0] = vertices[:, 0] - origin[0]
    data[:, 1] = vertices[:, 1] - origin[1]
    data[:, 2 : 2 + logits.shape[1]] = logits
    return PackedMesh(
        data=data,
        region=np.ascontiguousarray(region, dtype=np.int32),
        indices=np.ascontiguousarray(triangles, dtype=np.uint32).reshape(-1),
        origin=origin,
        n_outputs=int(logits.shape[1]),
        n_regions=int(region.max()) + 1 if n else 0,
        height_order=height_order,
    )


def pack_partition_mesh(part: Partition, origin: tuple[float, float] | None = None) -> PackedMesh:
    """A sandbox.geometry Partition's mesh packed, around `origin` (None: the centre of the
    bounds it was made for, which is where the view was)."""
    if origin is None:
        x0, x1, y0, y1 = part.bounds
        origin = (0.5 * (x0 + x1), 0.5 * (y0 + y1))
    m = part.mesh
    return pack_mesh(m.vertices, m.triangles, m.region, m.logits, origin=origin)


def packed_partition_mesh(part: Partition, origin: tuple[float, float]) -> PackedMesh:
    """The packing of `part`'s mesh its worker job made (`part.packed_mesh`), else one made now
    around `origin`."""
    packed = part.packed_mesh
    return packed if packed is not None else pack_partition_mesh(part, origin)
