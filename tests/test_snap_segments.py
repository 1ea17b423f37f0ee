"""Dense creases are drawn snapped to a grid of at most half a pixel (sandbox.render.lines):
each end moves at most cell / sqrt(2), creases stay joined, the segments that become a point
are left out, and the plane and the 3D view snap only partitions over DENSE_SEGMENTS."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sandbox.geometry import linear_regions
from sandbox.nn import MLP
from sandbox.render import lines as L

BOUNDS = (-3.0, 3.0, -2.0, 2.0)


def test_snap_cell_is_a_power_of_two_at_most_half_a_pixel():
    for world_per_px in (1e-7, 0.003, 0.01, 0.5, 3.0, 1e5):
        cell = L.snap_cell(world_per_px)
        assert cell <= L.SNAP_PX * world_per_px < 2 * cell
        assert math.log2(cell) == int(math.log2(cell))


def test_snapped_creases_stay_within_the_cell_and_joined():
    part = linear_regions(MLP([2, 24, 24, 24, 2], seed=4), BOUNDS)
    seg = part.creases.segments
    cell = L.snap_cell(6.0 / 300)  # the window 300 pixels wide
    kept, snapped = L.snap_segments(seg, cell)
    assert 0 < len(kept) < len(seg)  # some became points
    assert np.all(np.diff(kept) > 0)
    moved = np.hypot(*(snapped - seg[kept]).reshape(-1, 2).T)
    assert moved.max() <= cell / math.sqrt(2) * (1 + 1e-9)
    q = snapped / cell
    np.testing.assert_allclose(q, np.rint(q), atol=1e-6)  # on the grid
    assert np.all((snapped[:, :2] != snapped[:, 2:]).any(axis=1))  # no points drawn
    # ends that met before still meet: every original end goes to one snapped point
    where: dict[tuple, set] = {}
    for before, after in zip(seg[kept].reshape(-1, 2), snapped.reshape(-1, 2), strict=True):
        where.setdefault(tuple(before), set()).add(tuple(after))
    assert all(len(v) == 1 for v in where.values())
    assert sum(1 for e in seg.reshape(-1, 2) if tuple(e) in where) > len(where)  # shared ends


def test_3d_segments_keep_their_heights():
    rng = np.random.default_rng(0)
    seg = rng.uniform(-1, 1, (500, 2, 3))
    seg[:10, 1, :2] = seg[:10, 0, :2] + 1e-6  # ten that become points
    kept, snapped = L.snap_segments(seg, 1 / 64)
    assert snapped.shape == (len(kept), 2, 3)
    assert set(range(10)).isdisjoint(kept.tolist())
    np.testing.assert_array_equal(snapped[:, :, 2], seg[kept][:, :, 2])


@pytest.mark.gl
def test_the_plane_snaps_only_dense_creases(make_app, monkeypatch):
    from sandbox import actions as A
    from sandbox.render import plane_view

    d = make_app(hidden=(16, 16), dataset="ring", points=60)
    d.run_frames(2, dt=1 / 30)
    creases = d.state.partition.creases
    drawn = d.renderer.creases
    assert drawn.count == len(creases)  # a small partition: every segment as computed
    monkeypatch.setattr(plane_view, "DENSE_SEGMENTS", 10)
    d.scene.apply(A.Pan(3, 0))
    d.run_frames(2, dt=1 / 30)
    cell = L.snap_cell(1.0 / d.state.camera.pixels_per_unit)
    kept, _ = L.snap_segments(d.state.partition.creases.segments, cell)
    assert drawn.count == len(kept) <= len(d.state.partition.creases)


@pytest.mark.gl
def test_the_3d_view_snaps_only_dense_creases(make_app, monkeypatch):
    from sandbox.render import stage_views
    from sandbox.vocab import View

    d = make_app(hidden=(16, 16), dataset="ring", points=60)
    d.state.views = d.state.views | {View.THREE_D}
    d.run_frames(3, dt=1 / 30)
    stage = d.scene.stage.renderer
    lifted = d.scene.view3d.surface.creases
    assert stage.p3d.creases.count == len(lifted)  # few: drawn as lifted
    monkeypatch.setattr(stage_views, "DENSE_SEGMENTS", 10)
    d.state.stage.orbit.distance *= 1.5  # a zoom: the grid is worked out again
    d.run_frames(2, dt=1 / 30)
    assert 0 < stage.p3d.creases.count < len(lifted)
