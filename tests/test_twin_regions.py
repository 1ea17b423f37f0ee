"""The partition made by the plain-Python twins (shown while the region kernels compile) is the
kernels' partition: the same regions, patterns, creases, maps, boundary, mesh and colours."""

from __future__ import annotations

import numpy as np
import pytest

import sandbox.geometry._drawing_kernels as GD
import sandbox.geometry._kernels as GK
import sandbox.geometry.colors as colors
import sandbox.session as session_module
from sandbox.geometry import linear_regions
from sandbox.geometry.twin_regions import TWIN_MAX_NEURONS, twin_regions
from sandbox.nn import MLP
from sandbox.session import Session

BOUNDS = (-4.0, 4.0, -3.0, 3.0)


def _boom(*args, **kwargs):
    raise AssertionError("a numba region kernel was called")


@pytest.mark.parametrize(
    "sizes, kind",
    [
        ([2, 8, 8, 3], {}),
        ([2, 6, 6, 6, 1], {"activation": "leaky_relu", "negative_slope": 0.2, "residual": True}),
        ([2, 5, 5, 2], {"activation": "hardtanh"}),
        ([2, 6, 6, 2], {"activation": "abs", "residual": True}),
    ],
)
def test_twins_give_the_kernels_partition(sizes, kind, monkeypatch):
    net = MLP(sizes, seed=3, **kind)
    want = linear_regions(net, BOUNDS)
    want_layer = linear_regions(net, BOUNDS, upto_layer=1)
    with monkeypatch.context() as m:  # the twins call no numba kernel, drawing forms included
        m.setattr(GK, "run_layer", _boom)
        m.setattr(GD, "mesh_kernel", _boom)
        m.setattr(GD, "boundary_kernel", _boom)
        m.setattr(colors, "_hash_kernel", _boom)
        got = twin_regions(net, BOUNDS)
        got_layer = twin_regions(net, BOUNDS, upto_layer=1)
        mesh, region_colors = got.mesh, got.region_colors
    assert got.twin and not want.twin and len(got) == len(want) > 10
    for name in ("offsets", "vertices", "patterns"):
        assert np.array_equal(getattr(got, name), getattr(want, name)), name
    assert np.array_equal(got.creases.segments, want.creases.segments)
    assert np.array_equal(got.creases.layer, want.creases.layer)
    assert np.array_equal(got.creases.neuron, want.creases.neuron)
    assert np.allclose(got.feature_maps, want.feature_maps, rtol=0, atol=1e-12)
    assert np.allclose(got.output_maps, want.output_maps, rtol=0, atol=1e-12)
    assert got.boundary.shape == want.boundary.shape
    assert np.allclose(got.boundary, want.boundary, rtol=0, atol=1e-9)
    assert np.array_equal(got.boundary_classes, want.boundary_classes)
    assert np.array_equal(mesh.triangles, want.mesh.triangles)
    assert np.array_equal(mesh.region, want.mesh.region)
    assert np.allclose(mesh.logits, want.mesh.logits, rtol=0, atol=1e-9)
    assert np.array_equal(region_colors, want.region_colors)
    assert np.array_equal(got.hashes, want.hashes)
    # a layer's own partition: its feature maps, no output maps
    assert got_layer.output_maps is None and len(got_layer) == len(want_layer)
    assert np.array_equal(got_layer.vertices, want_layer.vertices)
    assert np.allclose(got_layer.mesh.features, want_layer.mesh.features, rtol=0, atol=1e-9)


def test_too_big_for_the_twins_says_none_and_smooth_needs_no_twin():
    big = MLP([2, TWIN_MAX_NEURONS // 2 + 1, TWIN_MAX_NEURONS // 2, 2], seed=0)
    assert twin_regions(big, BOUNDS) is None
    # its first layer alone is small enough
    assert twin_regions(big, BOUNDS, upto_layer=1) is not None
    smooth = twin_regions(MLP([2, 6, 6, 2], seed=0, activation="tanh"), BOUNDS)
    assert smooth.smooth and smooth.too_many and len(smooth.boundary) > 0


def test_the_session_uses_the_twins_only_while_the_kernels_compile(monkeypatch):
    session = Session()
    session.show_network(MLP([2, 6, 6, 2], seed=1))
    session.geometry_pending = "preparing the exact regions"
    monkeypatch.setattr(session_module, "bounded_regions", _boom)
    # loading a filled cache (about a second): a placeholder that says why, no worker
    session.geometry_twins = False
    part = session.partition(BOUNDS)
    assert part.too_many and part.message == session.geometry_pending
    assert session.worker is None
    # compiling (a first start): the twins' partition, made on the worker
    session.geometry_twins = True
    assert session.partition(BOUNDS).too_many  # none finished yet
    assert session.wait_for_geometry(30)
    part = session.partition(BOUNDS)
    assert part.twin and len(part) == len(linear_regions(session.net, BOUNDS))
    session.worker.close()
