"""Region statistics: regions meeting the data's neighbourhood against a plain polygon test, the
counts and areas adding up, creases crossing the hull against the health check, the scales
(N^2/2, Serra) and the per-step record."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sandbox.geometry import linear_regions, serra_bound
from sandbox.geometry.health import convex_hull, creases_outside_hull, segments_meet_convex
from sandbox.geometry.region_stats import (
    RegionStats,
    StatsTrack,
    data_margin,
    data_shape,
    hull_of,
    neighbourhood,
    neurons_crossing,
    region_stats,
    regions_meeting,
    regions_meeting_numpy,
)
from sandbox.nn import MLP

WINDOW = (-3.0, 3.0, -3.0, 3.0)


def _inside(poly, P):
    """(n,) points inside or on the convex CCW polygon."""
    a, e = poly, np.roll(poly, -1, axis=0) - poly
    c = e[None, :, 0] * (P[:, None, 1] - a[None, :, 1]) - e[None, :, 1] * (
        P[:, None, 0] - a[None, :, 0]
    )
    return (c >= -1e-12).all(axis=1)


def _meet_oracle(region, poly):
    """Two convex polygons meet: a vertex of one inside the other, or two edges cross."""
    if _inside(poly, region).any() or _inside(region, poly).any():
        return True
    for i in range(len(region)):
        p, r = region[i], region[(i + 1) % len(region)] - region[i]
        for j in range(len(poly)):
            q, s = poly[j], poly[(j + 1) % len(poly)] - poly[j]
            den = r[0] * s[1] - r[1] * s[0]
            if den == 0:
                continue
            t = ((q - p)[0] * s[1] - (q - p)[1] * s[0]) / den
            u = ((q - p)[0] * r[1] - (q - p)[1] * r[0]) / den
            if 0 <= t <= 1 and 0 <= u <= 1:
                return True
    return False


def test_regions_meeting_matches_a_plain_polygon_test():
    net = MLP([2, 8, 8, 2], seed=2)
    part = linear_regions(net, WINDOW)
    X = np.random.default_rng(1).normal(0.3, 0.6, size=(30, 2))
    poly = neighbourhood(X, 0.2)
    got = regions_meeting(part, poly)
    want = [_meet_oracle(r, poly) for r in part.polygons]
    assert np.array_equal(got, want)
    assert np.array_equal(regions_meeting_numpy(part, poly), want)
    assert 0 < got.sum() < len(part)
    # the grown hull holds every point and their 0.2-disks up to the 16-gon's 2%
    assert _inside(poly, X).all()
    assert _inside(poly, convex_hull(X) + [0.196, 0.0]).all()


@pytest.mark.parametrize("sizes", [[2, 8, 8, 2], [2, 6, 5, 4, 3]])
def test_stats_add_up(sizes):
    net = MLP(sizes, seed=5)
    part = linear_regions(net, WINDOW)
    X = np.random.default_rng(0).uniform(-1.0, 1.5, size=(50, 2))
    st = region_stats(part, data_shape(X), net)
    assert st.regions == len(part) == st.near + st.far
    hidden = sizes[1:-1]
    assert st.hanin_rolnick == sum(hidden) ** 2 / 2
    assert st.serra == serra_bound(hidden) and st.regions <= st.serra
    areas = part.areas()
    total = st.mean_area_near * st.near + st.mean_area_far * st.far
    assert total == pytest.approx(areas.sum()) and total == pytest.approx(36.0)
    assert st.margin == pytest.approx(data_margin(X))
    # creases crossing the hull: the health check's count (the window holds the hull)
    assert st.creases_crossing_hull == int((~creases_outside_hull(net, X)).sum())
    assert len(st.row()) == len(RegionStats.FIELDS)
    # the kernel against its numpy twin, segment by segment
    meets = segments_meet_convex(part.creases.segments, convex_hull(X))
    cr = part.creases
    want = len(set(zip(cr.layer[meets].tolist(), cr.neuron[meets].tolist(), strict=True)))
    assert neurons_crossing(part, convex_hull(X)) == want


def test_stats_without_points_and_over_budget():
    net = MLP([2, 8, 2], seed=0, activation="leaky_relu")
    part = linear_regions(net, WINDOW)
    st = region_stats(part, data_shape(np.zeros((0, 2))), net)
    assert st.near == 0 and st.far == len(part) and math.isnan(st.mean_area_near)
    assert st.serra == 0  # Serra's bound is for ReLU
    wide = MLP([2, 64, 64, 2], seed=0)
    assert (
        region_stats(
            linear_regions(wide, WINDOW, max_regions=10), data_shape(np.zeros((3, 2))), wide
        )
        is None
    )


def test_hull_of_matches_the_plain_hull():
    rng = np.random.default_rng(3)
    for X in (rng.normal(size=(2000, 2)), rng.uniform(-1, 1, (500, 2)), np.zeros((100, 2))):
        assert np.array_equal(hull_of(X), convex_hull(X))


def _stats(n):
    nan = math.nan
    return RegionStats(n, n, 0, 2.0, 11, 1.0, nan, 1, 0.1, WINDOW)


def test_track_records_per_step_and_truncates():
    tr = StatsTrack(capacity=8)
    for s in range(0, 50, 5):
        tr.record(s, _stats(s))
    assert len(tr) <= 8 + 1
    steps, values = tr.series()
    assert np.all(np.diff(steps) > 0) and values.shape == (len(steps), len(RegionStats.FIELDS))
    assert steps[-1] == 45 and steps[0] == 0
    assert tr.at(47).regions == 45 and tr.at(-1) is None
    v = tr.version
    tr.truncate(20)
    assert tr.version > v and tr.series()[0].max() <= 20
    tr.clear()
    assert len(tr) == 0
