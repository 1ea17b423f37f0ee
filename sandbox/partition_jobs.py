"""What the geometry worker runs for the Session's partitions (sandbox.session): the exact
partition with the forms every frame draws made beside it (its mesh packed for the GPU too),
the plain-Python twins' partition while the region kernels compile, and the placeholder shown
while neither is ready."""

from __future__ import annotations

from sandbox.geometry import Partition
from sandbox.geometry.arrangement import bounded_regions, too_many_partition
from sandbox.geometry.twin_regions import twin_regions
from sandbox.nn import MLP
from sandbox.render.mesh_pack import pack_partition_mesh

Bounds = tuple[float, float, float, float]


def pending_partition(net: MLP, bounds: Bounds, upto_layer: int | None, why: str) -> Partition:
    """The placeholder partition of a network whose regions are not ready: no regions, `why`."""
    part = too_many_partition(net, bounds, upto_layer, 0)
    part.message = why
    part.pending = True
    return part


def twin_job(net: MLP, bounds: Bounds, upto_layer: int | None, why: str) -> Partition:
    """Session._twin_partition's worker job: the twins' partition, or the placeholder."""
    part = twin_regions(net, bounds, upto_layer)
    if part is None:
        return pending_partition(net, bounds, upto_layer, why)
    return with_drawing_forms(part)


def partition_job(
    net: MLP, bounds: Bounds, upto_layer: int | None, threads: int | None
) -> Partition:
    """A partition with the parts every frame draws formed too (on the worker, off the frame)."""
    return with_drawing_forms(bounded_regions(net, bounds, upto_layer, threads))


def with_drawing_forms(part: Partition) -> Partition:
    """`part` with the forms every frame draws (mesh, colours, the mesh packed for the GPU)
    made, so a worker job makes them off the frame."""
    if not part.too_many:
        part.mesh  # noqa: B018 - cached on first access
        part.region_colors  # noqa: B018
        if part.mesh.logits is not None:  # (a layer's partition is drawn flat, from its mesh)
            part.packed_mesh = pack_partition_mesh(part)
    return part
