"""The partition mesh packed for the GPU (sandbox.render.mesh_pack): the rows as uploaded, every
triangle listed once, clear messages for bad arrays, and the geometry worker packing a big
partition's mesh so the frame that shows it only uploads it."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from sandbox.geometry import linear_regions
from sandbox.nn import MLP
from sandbox.partition_jobs import partition_job
from sandbox.render import mesh as mesh_module
from sandbox.render import mesh_pack
from sandbox.render.mesh_pack import FLOATS_PER_VERTEX, pack_mesh, pack_partition_mesh

BOUNDS = (-3.0, 5.0, -2.0, 4.0)  # xmin, xmax, ymin, ymax


def _partition(sizes=(2, 16, 16, 3), seed=4):
    return linear_regions(MLP(list(sizes), seed=seed), BOUNDS)


@pytest.mark.parametrize("ordered", [False, True])
def test_a_packed_mesh_holds_every_vertex_around_its_origin_and_every_triangle_once(
    monkeypatch, ordered
):
    if ordered:
        monkeypatch.setattr(mesh_pack, "ORDERED_TRIANGLES", 1)
    part = _partition()
    m = part.mesh
    packed = pack_partition_mesh(part)
    assert packed.origin == (1.0, 1.0)  # the centre of the bounds the partition was made for
    v = len(m.vertices)
    assert packed.data.shape == (v, FLOATS_PER_VERTEX) and packed.data.dtype == np.float32
    np.testing.assert_array_equal(packed.data[:, 0], (m.vertices[:, 0] - 1.0).astype(np.float32))
    np.testing.assert_array_equal(packed.data[:, 1], (m.vertices[:, 1] - 1.0).astype(np.float32))
    np.testing.assert_array_equal(packed.data[:, 2:5], m.logits.astype(np.float32))
    assert not packed.data[:, 5:].any()
    np.testing.assert_array_equal(packed.region, m.region)
    assert packed.region.dtype == np.int32 and packed.indices.dtype == np.uint32
    assert packed.n_outputs == 3 and packed.n_regions == len(part)
    # the same triangles, each once; ordered bottom to top by their lowest vertex's bucket
    tris = packed.indices.reshape(-1, 3)
    assert sorted(map(tuple, tris)) == sorted(map(tuple, m.triangles))
    if not ordered:
        assert packed.height_order is None
        np.testing.assert_array_equal(tris, m.triangles)
        return
    order = packed.height_order
    assert order is not None and order.starts[0] == order.tall
    assert order.starts[-1] == len(tris) and 0 < order.tall < len(tris)
    low = m.vertices[tris, 1].min(axis=1)
    eps = 1e-9 * order.step
    for b in range(len(order.starts) - 1):  # bucket b's triangles start in its height
        lows = low[order.starts[b] : order.starts[b + 1]]
        assert (lows >= order.low + b * order.step - eps).all()
        assert (lows <= order.low + (b + 1) * order.step + eps).all()


def test_a_packed_mesh_around_a_given_origin_or_its_own_box():
    part = _partition()
    m = part.mesh
    around = pack_mesh(m.vertices, m.triangles, m.region, m.logits, origin=(100.0, -7.5))
    assert around.origin == (100.0, -7.5)
    np.testing.assert_array_equal(around.data[:, 1], (m.vertices[:, 1] + 7.5).astype(np.float32))
    own = pack_mesh(m.vertices, m.triangles, m.region, m.logits[:, 0])  # one output
    lo, hi = m.vertices.min(axis=0), m.vertices.max(axis=0)
    assert own.origin == (0.5 * (lo[0] + hi[0]), 0.5 * (lo[1] + hi[1]))
    assert own.n_outputs == 1
    empty = pack_mesh(np.zeros((0, 2)), np.zeros((0, 3), int), np.zeros(0, int), np.zeros((0, 2)))
    assert empty.origin == (0.0, 0.0) and empty.n_regions == 0 and empty.indices.size == 0


@pytest.mark.parametrize(
    "change, message",
    [
        (dict(vertices=np.zeros((4, 3))), "vertices must have shape (V, 2)"),
        (dict(region=np.zeros(3, int)), "region ids must have shape (4,)"),
        (dict(region=np.array([0, 0, -1, 0])), "region ids must be >= 0"),
        (dict(logits=np.zeros((4, 7))), "K = 1..6"),
        (dict(triangles=np.array([[0, 1, 4]])), "indices must lie in 0..3"),
        (dict(triangles=np.array([0, 1, 2])), "triangles must have shape (T, 3)"),
        (dict(vertices=np.array([[0, 0], [1, 0], [1, np.nan], [0, 1.0]])), "must be finite"),
    ],
)
def test_bad_mesh_arrays_get_a_message_that_says_what_is_allowed(change, message):
    arrays = dict(
        vertices=np.array([[0, 0], [1, 0], [1, 1], [0, 1.0]]),
        triangles=np.array([[0, 1, 2], [0, 2, 3]]),
        region=np.zeros(4, int),
        logits=np.zeros((4, 2)),
    )
    arrays.update(change)
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        pack_mesh(**arrays)


def test_the_worker_job_packs_a_partitions_mesh_but_not_a_layers():
    net = MLP([2, 16, 16, 2], seed=2)
    part = partition_job(net, BOUNDS, None, 1)
    assert part.packed_mesh is not None and part.packed_mesh.origin == (1.0, 1.0)
    assert part.packed_mesh.n_regions == len(part)
    layer = partition_job(net, BOUNDS, 1, 1)  # drawn flat from its mesh: no logits to pack
    assert layer.packed_mesh is None and len(layer.mesh.vertices)


def test_the_frame_uploads_the_mesh_the_worker_packed(make_app, monkeypatch):
    d = make_app(menu=False, hidden=(32, 32, 32), points=200, views=("field", "regions"))
    s = d.state
    session = s.session
    session.background_above = 0.0  # every partition on the worker, once one was made there
    s.playing = True
    d.run_frames(1, dt=1 / 30)  # (made in this frame: the last was of the live weights)
    first = s.partition
    packed_on_main = []
    plain = mesh_pack.pack_mesh

    def spy(*args, **kwargs):
        packed_on_main.append(threading.current_thread() is threading.main_thread())
        return plain(*args, **kwargs)

    monkeypatch.setattr(mesh_pack, "pack_mesh", spy)
    monkeypatch.setattr(mesh_module, "pack_mesh", spy)  # (GLMesh.set_mesh packs in the frame)
    d.run_frames(3, dt=1 / 30)
    s.playing = False
    for _ in range(3):  # (the worker may have started on weights a frame older than the last)
        assert session.wait_for_geometry(120)
        d.run_frames(1, dt=1 / 30)
    part = s.partition
    assert part is not first and session.is_current("partition", d.scene.plane.bounds(), None)
    assert part.packed_mesh is not None
    mesh = d.renderer.mesh
    assert mesh.origin == part.packed_mesh.origin and mesh.n_regions == len(part)
    assert mesh.n_indices == part.packed_mesh.indices.size
    # packed on the worker only: the frames that showed the new partitions only uploaded them
    assert packed_on_main and not any(packed_on_main)


@pytest.mark.parametrize("dims", [2, 3])
def test_the_upload_origin_is_the_centre_of_the_bounding_box(dims):
    from sandbox.render.mesh_pack import upload_origin

    pts = np.random.default_rng(dims).normal(3.0, 2.0, (1000, dims))
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    np.testing.assert_array_equal(upload_origin(pts), 0.5 * (lo + hi))
    np.testing.assert_array_equal(upload_origin(np.zeros((0, dims))), np.zeros(dims))
