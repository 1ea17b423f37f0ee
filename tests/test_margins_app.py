"""Margins and region statistics in the sandbox window, driven by real events: M colours the
points by their exact margin and the hover card gives it; the chart buttons switch to the
regions chart (recorded per training step, read again when the timeline is scrubbed) and the
margins histogram; Ctrl+drag from a point shows a move that flips its class and changes no
data; Ctrl+M writes both CSV files, which read back to the same numbers."""

from __future__ import annotations

import numpy as np
import pygame
from app_util import ev, hover_click, key, motion
from gl_util import gl_session_fixture  # noqa: F401

from sandbox import stage_actions as S
from sandbox.geometry.margins import predicted_classes
from sandbox.io.stats_csv import MARGIN_COLUMNS, STATS_COLUMNS, read_table
from sandbox.render.margin_palette import MARGIN_COLORS
from sandbox.state import HoverInfo
from sandbox.ui.margin_marks import hover_rows
from sandbox.vocab import View

APP_DEFAULTS = {"size": (1280, 800), "points": 120, "hidden": (8, 8), "dataset": "moons"}


def _screen(app, X) -> tuple[int, int]:
    x, y, _, _ = app.state.layout.plane
    p = app.scene.plane.views()[0][0].world_to_screen(np.asarray(X))
    return (round(x + p[0]), round(y + p[1]))


def _press_chart(app, name: str) -> None:
    app.send(hover_click(app.scene.panels._toggles[("chart", name)].rect.center), frames=2)


def _visible_point(app) -> int:
    """A data point well inside the plane, away from the hover card's corner."""
    s = app.state
    px, py, pw, ph = s.layout.plane
    for i, X in enumerate(s.points.X):
        sx, sy = _screen(app, X)
        if px + 0.3 * pw < sx < px + 0.7 * pw and py + 0.3 * ph < sy < py + 0.8 * ph:
            return i
    raise AssertionError("no point in the middle of the plane")


def test_margins_view_hover_charts_and_replay(make_app):
    app = make_app(steps=150)
    s = app.state
    app.send(key(pygame.K_m, unicode="m"), frames=2)
    assert View.MARGINS in s.views
    m = s.stats.margins
    assert m is not None and not m.message and len(m) == len(s.points)
    assert s.stats.point_steps is not None and len(s.stats.point_steps) == len(s.points)
    assert np.array_equal(s.stats.point_steps == 0, m.signed < 0)  # the wrong side: step 0
    # the dots are drawn in their steps' colours (filled training points, apart from others)
    pixels = app.renderer.read_pixels().astype(int)
    px, py, pw, ph = s.layout.plane
    scr = np.array([_screen(app, X) for X in s.points.X])
    gap = np.hypot(*(scr[:, None] - scr[None]).transpose(2, 0, 1)) + 1e9 * np.eye(len(scr))
    alone = (gap.min(axis=1) > 16) & ~s.points.is_test
    alone &= (scr[:, 1] > py + 10) & (scr[:, 1] < py + 0.6 * ph)  # clear of the message
    alone &= (scr[:, 0] > px + 10) & (scr[:, 0] < px + pw - 10)
    want = (MARGIN_COLORS[s.stats.point_steps.astype(int)] * 255).astype(int)
    idx = np.flatnonzero(alone)
    assert len(idx) >= 3
    got = pixels[scr[idx, 1], scr[idx, 0]]
    assert (np.abs(got - want[idx]).max(axis=1) <= 12).mean() >= 0.8
    # hover a point: the card gives its margin, and the cursor's own distance
    i = _visible_point(app)
    app.send(motion(_screen(app, s.points.X[i])), frames=2)
    info = s.hover
    assert info.point_margin is not None and info.point_margin[0] == i
    assert info.point_margin[1] == float(m.signed[i])
    d, _, _ = m.distance_at(np.array([info.world]))
    assert info.boundary_distance == float(d[0])
    # the chart buttons
    _press_chart(app, "regions")
    assert s.stats.chart == "regions"
    app.send([], frames=2)
    _press_chart(app, "margins")
    assert s.stats.chart == "margins"
    # training records the statistics per snapshot step; scrubbing reads them back
    s.playing = True
    app.run_frames(4)
    s.playing = False
    app.run_frames(1)
    track, tl = s.stats.track, s.session.timeline
    steps, values = track.series()
    assert len(steps) >= 2 and set(steps.tolist()) <= set(tl.steps.tolist())
    assert np.all(values[:, 0] == values[:, 1] + values[:, 2])  # view = near + far
    app.scene.apply(S.Scrub(0.0))
    app.run_frames(2)
    first = track.at(s.stage.scrub_step)
    assert first is not None and first.regions == s.stats.region.regions
    assert first.regions == len(s.partition)


def test_ctrl_drag_flips_and_ctrl_m_exports(make_app, tmp_path):
    app = make_app(steps=150)
    s = app.state
    n = len(s.points)
    i = _visible_point(app)
    a = _screen(app, s.points.X[i])
    pygame.key.set_mods(pygame.KMOD_CTRL)
    app.send(
        [
            ev(pygame.MOUSEBUTTONDOWN, pos=a, button=1, touch=False, window=None),
            ev(
                pygame.MOUSEMOTION,
                pos=(a[0] + 3, a[1]),
                rel=(3, 0),
                buttons=(1, 0, 0),
                touch=False,
                window=None,
            ),
        ],  # fmt: skip
        frames=2,
    )
    pygame.key.set_mods(0)
    mv = s.stats.nudge
    assert mv is not None and s.stats.nudge_point == i
    assert np.allclose(mv.start, s.points.X[i])
    m = s.stats.margins
    assert mv.distance == float(m.distance[i])
    before = predicted_classes(s.net, np.array([mv.start]))[0]
    after = predicted_classes(s.net, np.array([mv.target]))[0]
    assert before != after
    app.send([ev(pygame.MOUSEBUTTONUP, pos=a, button=1, touch=False, window=None)], frames=1)
    assert s.stats.nudge is None and len(s.points) == n  # a look, not an edit
    # Ctrl+M: both files, read back to the same numbers
    app.send(key(pygame.K_m, mod=pygame.KMOD_CTRL), frames=1)
    stats_file = sorted(tmp_path.glob("region-stats-*.csv"))
    margins_file = sorted(tmp_path.glob("margins-*.csv"))
    assert stats_file and margins_file, s.toast
    head, rows = read_table(margins_file[-1])
    assert tuple(head) == MARGIN_COLUMNS and len(rows) == n
    got = np.array([float(r["distance"]) for r in rows])
    assert np.array_equal(got, m.distance)  # the same weights: the same margins
    assert [int(r["label"]) for r in rows] == s.points.y.astype(int).tolist()
    head, rows = read_table(stats_file[-1])
    assert tuple(head) == STATS_COLUMNS and len(rows) == len(s.stats.track)


def test_hover_text():
    info = HoverInfo(world=(0.0, 0.0), boundary_distance=0.25, point_margin=(4, -0.125, True))
    assert [r[1] for r in hover_rows(info)] == [
        "point 5: wrong side, 0.125 in",
        "boundary 0.25 away",
    ]
    far = HoverInfo(world=(0.0, 0.0), boundary_distance=3.5, boundary_exact=False)
    assert [r[1] for r in hover_rows(far)] == ["boundary over 3.5 away"]
    assert hover_rows(HoverInfo(world=(0.0, 0.0))) == []


def test_charts_draw_every_case_at_any_size():
    import math

    from sandbox.geometry.margins import Margins
    from sandbox.geometry.region_stats import RegionStats, StatsTrack
    from sandbox.ui.stat_charts import BG, margin_histogram, region_chart

    track = StatsTrack()
    for step, n in ((0, 20), (10, 35), (50, 60)):
        track.record(step, RegionStats(n, n - 5, 5, 32.0, 121, 0.2, math.nan, 3, 0.1, (0, 1, 0, 1)))
    signed = np.array([-0.3, 0.01, 0.2, 0.5, 0.9, 3.0])
    m = Margins(np.abs(signed), np.zeros((6, 2)), np.ones(6, bool), np.zeros(6, int),
                np.where(signed < 0, 1, 0), np.zeros((0, 4)), (0, 1, 0, 1))  # fmt: skip
    for size in ((90, 50), (210, 116), (500, 160)):
        for img in (
            region_chart(None, np.zeros(0), size),
            region_chart(track, np.array([0, 50]), size, 1.0, 10),
            margin_histogram(None, (), "", size),
            margin_histogram(m, (0, 0.125, 0.25, 0.5, 1.0), "", size, 1.5),
        ):
            assert img.get_size() == size
        pixels = pygame.surfarray.array3d(img)
        assert (np.abs(pixels - np.array(BG[:3])).sum(axis=2) > 60).mean() > 0.01
