"""Items ordered by height (sandbox.render.band_order): a band draws every triangle and crease
that reaches it and fewer than all, and its pixels are those of the whole picture, to the bit."""

from __future__ import annotations

import numpy as np
import pytest
from gl_util import gl_fixture, gl_session_fixture, layers_for, upload  # noqa: F401

from sandbox.render import mesh_pack
from sandbox.render.band_order import BUCKETS, band_heights, even_bands, order_by_height
from sandbox.render.camera import View2D
from sandbox.render.field import FieldStyle
from sandbox.render.gl import GL


def _items(seed: int, n: int = 3000):
    rng = np.random.default_rng(seed)
    low = rng.uniform(-6, 6, n)
    high = low + rng.exponential(0.05, n)
    tall = rng.random(n) < 0.02  # a few span much of the height
    high[tall] = low[tall] + rng.uniform(2, 12, tall.sum())
    return low, high


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_runs_of_a_band_hold_every_item_reaching_it_in_the_whole_order(seed):
    low, high = _items(seed)
    order, heights = order_by_height(low, high)
    assert sorted(order) == list(range(len(low)))
    low_o, high_o = low[order], high[order]
    assert (high_o[: heights.tall] - low_o[: heights.tall] > heights.reach).all()
    rest = low_o[heights.tall :]
    keys = np.floor((rest - heights.low) / heights.step)
    assert (np.diff(keys) >= 0).all(), "after the tall ones, bottom to top by bucket"
    rng = np.random.default_rng(seed + 10)
    fewer = 0
    for _ in range(200):
        y0 = rng.uniform(-8, 7)
        y1 = y0 + rng.uniform(0, 3)
        runs = heights.runs(y0, y1)
        drawn = np.zeros(len(low), bool)
        last = -1
        for first, count in runs:
            assert first > last and count > 0  # in order, apart
            drawn[first : first + count] = True
            last = first + count - 1
        reaching = (low_o <= y1) & (high_o >= y0)
        assert drawn[reaching].all()
        fewer += drawn.sum() < len(low)
    assert fewer > 150  # most bands draw far from everything


def test_cuts_split_the_items_evenly_and_an_empty_order_draws_nothing():
    rng = np.random.default_rng(3)
    low = np.concatenate([rng.normal(0, 0.5, 9000), rng.uniform(-6, 6, 1000)])
    high = low + 0.01
    _, heights = order_by_height(low, high)
    cuts = heights.cuts(4, -6.0, 6.0)
    assert len(cuts) == 3 and all(-6 <= a < b <= 6 for a, b in zip(cuts, cuts[1:], strict=False))
    edges = [-6.0, *cuts, 6.0]
    counts = [((low >= a) & (low < b)).sum() for a, b in zip(edges, edges[1:], strict=False)]
    bucket = np.diff(heights.starts).max()
    assert max(counts) - min(counts) <= 2 * bucket + 2, counts
    assert max(counts) < 0.4 * len(low)  # not four equal heights: the middle is crowded
    _, empty = order_by_height(np.zeros(0), np.zeros(0))
    assert empty.runs(-1.0, 1.0) == [] and len(empty.starts) == BUCKETS + 1


@pytest.mark.gl
def test_a_band_drawn_from_ordered_items_is_the_whole_picture_there(gl, monkeypatch):
    monkeypatch.setattr(mesh_pack, "ORDERED_TRIANGLES", 1)
    view = View2D((0.3, -0.2), 1.0, 320, 240)
    layers = layers_for(view, [2, 16, 16, 2], seed=5)
    r = gl.renderer()
    part = upload(r, layers, view)
    creases = part.creases.segments
    r.creases.set(creases, (0.1, 0.2, 0.6, 0.9), 2.5, by_height=True)
    assert r.mesh.height_order is not None and r.creases.height_order is not None
    assert r.mesh.height_order.tall < r.mesh.n_indices // 3
    style = FieldStyle(regions=True)
    r.begin_frame()
    r.draw_field(view, style)
    r.draw_creases(view)
    whole = r.read_pixels()
    w, h = view.width, view.height
    drawn_share = []
    for y, bh in ((0, 37), (37, 80), (117, 61), (178, 62)):
        r.begin_frame()
        GL.glEnable(GL.GL_SCISSOR_TEST)
        GL.glScissor(0, y, w, bh)
        y_range = band_heights((0, y, w, bh), (0, 0, w, h), view)
        r.draw_field(view, style, y_range)
        r.draw_creases(view, y_range)
        GL.glDisable(GL.GL_SCISSOR_TEST)
        band = r.read_pixels()
        rows = slice(h - y - bh, h - y)  # read_pixels is top-down
        np.testing.assert_array_equal(band[rows], whole[rows])
        runs = r.mesh.height_order.runs(*y_range)
        drawn_share.append(sum(c for _, c in runs) / (r.mesh.n_indices // 3))
    assert min(drawn_share) < 0.6, drawn_share


def test_even_bands_cover_the_rectangle_with_bands_of_as_many_triangles():
    view = View2D((0.0, 0.0), 1.0, 400, 300)  # 25 px a unit: y -6..6
    low = np.random.default_rng(4).normal(1.0, 0.3, 5000)
    _, heights = order_by_height(low, low + 0.01)
    rect = (30, 50, 400, 300)
    bands = even_bands(heights, rect, view, 4)
    assert [b[0] for b in bands] == [30] * len(bands) and all(b[2] == 400 for b in bands)
    assert bands[0][1] == 50 and bands[-1][1] + bands[-1][3] == 350
    # no gap, no overlap
    assert all(a[1] + a[3] == b[1] for a, b in zip(bands, bands[1:], strict=False))
    assert len(bands) == 4 and bands[0][3] > 150  # items crowd y = 1: the bottom band is tall
    assert even_bands(None, rect, view, 4) == 4
