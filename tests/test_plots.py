"""Probe plots, line charts and the pixel canvas: curve pixels at CPU-computed positions."""

from __future__ import annotations

import math

import numpy as np
import pytest
from gl_util import gl_fixture, gl_session_fixture  # noqa: F401  (fixtures gl, gl_session)
from hypothesis import given, settings
from hypothesis import strategies as st

from sandbox.bayes import LastLayerLaplace
from sandbox.geometry import ray_probe
from sandbox.nn import MLP
from sandbox.render import palette
from sandbox.render import plots as PL
from sandbox.render.target import RenderTarget

TOL = 3
WHITE = np.array([255, 255, 255])


# ---------------------------------------------------------------------- pure parts
@settings(max_examples=200, deadline=None)
@given(
    lo=st.floats(-1e6, 1e6, allow_nan=False),
    span=st.floats(1e-6, 1e6, allow_nan=False),
    n=st.integers(2, 10),
)
def test_nice_ticks_are_round_inside_and_few(lo, span, n):
    hi = lo + span
    t = PL.nice_ticks(lo, hi, n)
    assert 1 <= len(t) <= n + 1
    step = PL.tick_step(t)
    tol = 1e-9 * max(abs(lo), abs(hi), step)
    assert t[0] >= lo - tol and t[-1] <= hi + tol
    if len(t) > 1:
        # Differences of large ticks carry rounding relative to the ticks' size.
        rel = max(1e-6, 8 * np.finfo(float).eps * np.abs(t).max() / step)
        mant = step / 10 ** math.floor(math.log10(step))
        assert any(math.isclose(mant, m, rel_tol=rel) for m in (1, 2, 2.5, 5, 10))
        assert np.allclose(np.diff(t), step, rtol=rel, atol=tol)
        # The ticks are multiples of the step (round numbers).
        assert np.allclose(t / step, np.round(t / step), atol=rel * np.abs(t / step).max())


def test_axes_map_data_to_pixels_and_back():
    ax = PL.Axes((10, 20, 200, 100), (0.0, 4.0), (-1.0, 1.0))
    p = ax.to_pixel([0.0, 4.0, 2.0], [-1.0, 1.0, 0.0])
    assert np.allclose(p, [[10, 120], [210, 20], [110, 70]])
    assert np.allclose(ax.from_pixel(p), [[0, -1], [4, 1], [2, 0]])
    lg = PL.Axes((0, 0, 100, 100), (0.0, 1.0), (0.01, 10.0), log_y=True)
    assert np.allclose(lg.to_pixel([0, 0, 0], [0.01, 0.1, 10.0])[:, 1], [100, 200 / 3, 0])
    assert np.allclose(lg.from_pixel([[50, 50]])[0, 1], 10**-0.5)
    assert ax.contains((50, 50)) and not ax.contains((5, 50))
    with pytest.raises(ValueError, match="log axis"):
        PL.Axes((0, 0, 10, 10), (0, 1), (0, 1), log_y=True)
    assert PL.format_tick(0.25, 0.25) == "0.25" and PL.format_tick(100.0, 50.0) == "100"
    assert PL.format_tick(2e5, 1e5) == "2e5"
    assert np.allclose(PL.log_ticks(0.03, 2.0), [0.01, 0.1, 1, 10])


def test_ray_helpers():
    d = PL.even_directions(8, 0.0)
    assert np.allclose(np.linalg.norm(d, axis=1), 1) and np.allclose(d[2], [0, 1])
    c = PL.ray_colors(8)
    assert c.shape == (8, 4) and len({tuple(np.round(x, 3)) for x in c}) == 8
    assert np.all((c >= 0) & (c <= 1))
    seg = PL.ray_segments((1.0, -1.0), np.array([[3.0, 4.0], [0.0, -2.0]]), 10.0)
    assert np.allclose(seg, [[1, -1, 7, 7], [1, -1, 1, -11]])


def probe_setup(n_out=2, laplace=True):
    net = MLP([2, 8, 8, n_out], seed=3)
    rng = np.random.default_rng(0)
    X = rng.uniform(-4, 4, (80, 2))
    y = (np.hypot(X[:, 0], X[:, 1]) > 2.5).astype(int)
    la = LastLayerLaplace(net, 1.0).fit(X, y) if laplace else None
    return net, la


def test_probe_curves_hold_the_exact_polyline_and_crossings():
    net, la = probe_setup()
    probe = ray_probe(net, (0.5, -0.2), (1.0, 0.7), 9.0, la)
    c = PL.probe_curves(probe, n_samples=50)
    f = net.forward(probe.points(c.radius))
    assert np.allclose(c.logit_difference, f[:, 1] - f[:, 0], rtol=1e-9, atol=1e-9)
    assert np.array_equal(c.crossings, probe.radii)
    # Every crease crossing is a sample of the confidence curve, so its kink is exact.
    assert set(probe.radii.tolist()) <= set(c.conf_radius.tolist())
    assert np.allclose(c.map_confidence, net.predict_proba(probe.points(c.conf_radius)).max(1))
    lap = la.predict_proba(probe.points(c.conf_radius), link="probit").max(1)
    assert np.allclose(c.laplace_confidence, lap)
    assert c.far_field == probe.far_field_confidence and 0.5 < c.far_field < 1.0


# ---------------------------------------------------------------------- rendering
@pytest.fixture
def canvas(gl):
    key = "plots_canvas"
    if gl.extra.get(key + "_gen") != gl.generation:
        gl.extra[key] = PL.Canvas()
        gl.extra[key + "_gen"] = gl.generation
    return gl.extra[key]


def render(canvas, size, draw):
    from sandbox.render.gl import GL

    target = RenderTarget(size)
    try:
        target.bind()
        GL.glClearColor(1.0, 1.0, 1.0, 1.0)
        GL.glClear(GL.GL_COLOR_BUFFER_BIT)
        canvas.begin(size)
        out = draw()
        canvas.draw()
        return target.read().astype(int), out
    finally:
        target.delete()
        GL.glBindFramebuffer(GL.GL_FRAMEBUFFER, 0)


def u8(c):
    return np.clip(np.rint(np.asarray(c)[:3] * 255), 0, 255).astype(int)


def at(pixels, p):
    i, j = int(np.floor(p[0])), int(np.floor(p[1]))
    return pixels[j, i]


@pytest.mark.gl
def test_polyline_pixels_lie_where_the_axes_put_the_curve(canvas):
    ax = PL.Axes((20, 10, 160, 100), (0.0, 2 * np.pi), (-1.2, 1.2))
    x = np.linspace(0, 2 * np.pi, 400)
    color = np.array([0.1, 0.3, 0.7, 1.0])
    pixels, _ = render(
        canvas, (200, 120), lambda: canvas.polyline(ax.to_pixel(x, np.sin(x)), color, 3.0)
    )
    probe_x = np.linspace(0.3, 6.0, 12)
    on = ax.to_pixel(probe_x, np.sin(probe_x))
    for p in on:
        assert np.abs(at(pixels, p) - u8(color)).max() <= TOL + 20, p  # anti-aliased centre line
    # 6 px above or below the curve (vertically, where the slope is small) is background.
    flat = np.array([np.pi / 2, 3 * np.pi / 2])
    for p in ax.to_pixel(flat, np.sin(flat)):
        assert np.abs(at(pixels, p + [0, 6]) - WHITE).max() <= TOL
        assert np.abs(at(pixels, p - [0, 6]) - WHITE).max() <= TOL


@pytest.mark.gl
def test_dashes_discs_rects_and_text(canvas):
    def draw():
        canvas.polyline(
            np.array([[10.0, 20.5], [190.0, 20.5]]), (0, 0, 0, 1), 3.0, dash=(10.0, 6.0)
        )
        canvas.disc(np.array([[50.5, 60.5]]), 6.0, (0.8, 0.1, 0.1, 1))
        canvas.rect((120, 50, 30, 20), (0.2, 0.6, 0.3, 1))
        return canvas.text("radius 12", (100, 90), 16, (0, 0, 0, 1), "tc")

    pixels, box = render(canvas, (200, 120), draw)
    for k in range(10):
        on_x, off_x = 10 + 16 * k + 5, 10 + 16 * k + 13
        if off_x < 190:
            assert pixels[20, on_x].max() <= TOL, on_x
            assert np.abs(pixels[20, off_x] - WHITE).max() <= TOL, off_x
    assert np.abs(pixels[60, 50] - u8((0.8, 0.1, 0.1))).max() <= TOL
    assert np.abs(pixels[60, 58] - WHITE).max() <= TOL
    assert np.abs(pixels[60, 135] - u8((0.2, 0.6, 0.3))).max() <= TOL
    x, y, w, h = (int(v) for v in box)
    assert abs(x + w / 2 - 100) <= 1 and y == 90 and w > 40
    inside = pixels[y : y + h, x : x + w]
    assert (inside.min(axis=2) < 100).sum() > 30  # glyph pixels
    outside = pixels[y + h + 2 : y + h + 10, x - 5 : x + w + 5]
    assert np.abs(outside - WHITE).max() <= TOL


@pytest.mark.gl
def test_probe_plots_draw_curves_marks_and_far_field_at_their_positions(canvas):
    net, la = probe_setup()
    probe = ray_probe(net, (-4.0, 1.5), (1.0, -0.3), 10.0, la)
    curves = [PL.probe_curves(probe)]
    size = (420, 460)
    pixels, (top, bottom) = render(
        canvas, size, lambda: PL.draw_probe_plots(canvas, (0, 0, *size), curves)
    )
    c = curves[0]
    # MAP logit difference: ink at the midpoints of its exact pieces.
    mids = 0.5 * (c.radius[1:] + c.radius[:-1])
    dm = 0.5 * (c.logit_difference[1:] + c.logit_difference[:-1])
    for p in top.to_pixel(mids, dm):
        assert np.abs(at(pixels, p) - u8(PL.MAP_COLOR)).max() <= 40, p
    # Crease crossings: a tick in the crossing layer's colour just above the x axis.
    layer_rgb = palette.layer_colors(8)
    x, y, w, h = bottom.rect
    checked = 0
    for r, layer in zip(c.crossings, c.crossing_layer, strict=True):
        px = bottom.to_pixel([r], [0.5])[0, 0]
        near = [
            q for q in c.crossings if q != r and abs(bottom.to_pixel([q], [0.5])[0, 0] - px) < 3
        ]
        if near:
            continue  # neighbouring marks overlap
        got = pixels[int(y + h - 4), int(np.floor(px))]
        assert np.abs(got - u8(layer_rgb[layer - 1])).max() <= 40, (r, layer, got)
        checked += 1
    assert checked >= 3
    # The far-field limit: a dashed line at its height; some dash pixels have the Laplace colour.
    # Looked at only where the Laplace curve itself is more than 5 px away from that line.
    fy = int(np.floor(bottom.to_pixel([0.0], [c.far_field])[0, 1]))
    cols = np.arange(int(x) + 5, int(x + w) - 5)
    r = bottom.from_pixel(np.stack([cols + 0.5, np.full(len(cols), fy)], 1))[:, 0]
    curve_y = bottom.to_pixel(r, np.interp(r, c.conf_radius, c.laplace_confidence))[:, 1]
    away = np.abs(curve_y - fy) > 5
    assert away.sum() > 20
    row = pixels[fy, cols[away]]
    hits = (np.abs(row - u8(PL.LAPLACE_COLOR)).max(axis=1) <= 40).mean()
    assert 0.3 < hits < 0.9, hits  # dashed: neither empty nor solid


def test_loss_chart_marker_and_click_to_step():
    """The app's loss chart (sandbox.ui.charts, drawn with pygame in the readout strip): the
    train curve where the log axis puts it, the timeline's marker, and a click back to a step."""
    import pygame

    from sandbox.state import LossHistory
    from sandbox.ui import charts
    from sandbox.ui.theme import TRAIN_LINE

    steps = np.arange(0, 1000, 5)
    train = np.exp(-steps / 300.0) + 0.02
    history = LossHistory()
    for s, v in zip(steps, train, strict=True):
        history.append(int(s), float(v), float(1.5 * v))
    size = (400, 200)
    surface = charts.loss_chart(history, size, 1.0, marker=400.0)
    pixels = pygame.surfarray.array3d(surface).transpose(1, 0, 2).astype(int)
    left, top, pw, ph = charts._plot_box(size, 1.0)
    lo, hi = math.floor(math.log10(train.min())), math.ceil(math.log10(1.5 * train.max()))
    assert lo <= math.log10(0.02) and hi >= math.log10(1.5)

    def pixel(s: float, v: float) -> tuple[int, int]:
        x = left + (s - steps[0]) / (steps[-1] - steps[0]) * pw
        y = top + ph - (math.log10(v) - lo) / (hi - lo) * ph
        return round(x), round(y)

    mx, _ = pixel(400.0, 1.0)
    col = pixels[top + 3 : top + ph - 3, mx]
    assert (col.min(axis=1) > 200).mean() > 0.8  # the marker is a light vertical line
    for s, v in ((100, train[20]), (700, train[140])):
        x, y = pixel(s, v)
        near = pixels[y - 1 : y + 2, x - 1 : x + 2].reshape(-1, 3)
        assert np.abs(near - np.array(TRAIN_LINE)).max(axis=1).min() <= 40
    # A click maps back to the step under it.
    step = charts.step_at(history, size, 1.0, mx)
    assert abs(step - 400.0) <= (steps[-1] - steps[0]) / pw
