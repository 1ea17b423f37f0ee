"""Where the stage views go: every combination of views cuts the stage into parts that lie
inside it, do not overlap, cover it exactly, and are never smaller than usable; the 3D view sits
beside the 2D view when the area is wide and below it when tall; the neuron sliders find room."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from sandbox.ui.stage_layout import MIN_VIEW, carve, contains, neuron_tray

STAGES = [(250, 92, 740, 548), (0, 0, 1280, 800), (375, 69, 1110, 700), (10, 20, 420, 300)]
FLAGS = ("three_d", "only_3d", "probe", "inspector", "timeline")


def _parts(r):
    parts = [r.plane, r.view3d, r.inspector, r.probe, r.timeline]
    if r.hide_2d:
        parts[0] = None  # the 3D view covers it
    return [p for p in parts if p is not None]


def _mask(stage, rects):
    x0, y0, w, h = stage
    m = np.zeros((h, w), dtype=int)
    for x, y, rw, rh in rects:
        m[y - y0 : y - y0 + rh, x - x0 : x - x0 + rw] += 1
    return m


@pytest.mark.parametrize("stage", STAGES)
@pytest.mark.parametrize("on", list(itertools.product((False, True), repeat=len(FLAGS))))
def test_parts_tile_the_stage(stage, on):
    flags = dict(zip(FLAGS, on, strict=True))
    r = carve(stage, scale=1.0, **flags)
    parts = _parts(r)
    for x, y, w, h in parts:
        assert w > 0 and h > 0
        assert x >= stage[0] and y >= stage[1]
        assert x + w <= stage[0] + stage[2] and y + h <= stage[1] + stage[3]
    m = _mask(stage, parts)
    assert (m == 1).all(), "the parts cover the stage exactly once"
    if flags["three_d"]:
        assert r.view3d is not None
        assert r.hide_2d == (flags["only_3d"] or r.plane == r.view3d)
        if not r.hide_2d:
            assert (
                min(r.plane[2], r.view3d[2]) >= MIN_VIEW[0]
                or min(r.plane[3], r.view3d[3]) >= MIN_VIEW[1]
            )
    else:
        assert r.view3d is None and not r.hide_2d
    if not (flags["probe"] or flags["inspector"]):
        assert r.inspector is None and r.probe is None and r.side is None
    if flags["probe"] and flags["inspector"] and r.side is not None:
        # stacked in one column: the inspector above the probe
        assert r.inspector[0] == r.probe[0] and r.inspector[1] < r.probe[1]


def test_beside_when_wide_and_below_when_tall():
    wide = carve((0, 0, 1200, 500), three_d=True)
    assert wide.plane[1] == wide.view3d[1] and wide.plane[0] < wide.view3d[0]
    tall = carve((0, 0, 500, 900), three_d=True)
    assert tall.plane[0] == tall.view3d[0] and tall.plane[1] < tall.view3d[1]


def test_side_column_and_timeline_sizes_follow_the_scale():
    r1 = carve((0, 0, 1400, 900), probe=True, timeline=True, scale=1.0)
    r2 = carve((0, 0, 1400, 900), probe=True, timeline=True, scale=1.5)
    assert r2.timeline[3] == round(1.5 * r1.timeline[3])
    assert r1.timeline[1] + r1.timeline[3] == 900
    assert r2.probe[2] >= r1.probe[2]
    assert contains(r1.probe, (1399, 10)) and not contains(r1.probe, (10, 10))
    assert not contains(None, (0, 0))


def test_too_small_a_stage_drops_parts_instead_of_breaking():
    r = carve((0, 0, 200, 150), three_d=True, probe=True, inspector=True, timeline=True)
    assert r.timeline is None and r.side is None
    assert r.view3d == r.plane and r.hide_2d


def test_neuron_sliders_prefer_the_inspector_then_a_tall_3d_view():
    r = carve((0, 0, 900, 700), three_d=True, inspector=True)
    tray = neuron_tray(r, 1.0)
    assert tray is not None and tray[0] == r.inspector[0]
    assert tray[1] + tray[3] == r.inspector[1] + r.inspector[3]
    r = carve((0, 0, 900, 700), three_d=True)
    tray = neuron_tray(r, 1.0)
    assert tray is not None and tray[0] == r.view3d[0]
    assert neuron_tray(carve((0, 0, 300, 260), three_d=True, only_3d=True), 1.0) is None
    assert neuron_tray(None, 1.0) is None
