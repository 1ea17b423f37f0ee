"""The camera's coordinate maps and zoom, and the palette's CPU colour mappings (no GL)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sandbox.render import palette
from sandbox.render.camera import ZOOM_MAX, ZOOM_MIN, View2D
from sandbox.render.mesh import pack_laplace, recenter_affine, recenter_quadratic

coords = st.floats(-1e3, 1e3, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(coords, coords, st.floats(0.01, 1000), st.integers(1, 3000), st.integers(1, 3000))
def test_world_screen_ndc_round_trips(cx, cy, zoom, w, h):
    v = View2D((cx, cy), zoom, w, h)
    pts = np.array([[cx + 1.25, cy - 0.5], [cx, cy], [cx - 3.0, cy + 7.0]])
    np.testing.assert_allclose(v.screen_to_world(v.world_to_screen(pts)), pts, atol=1e-9)
    np.testing.assert_allclose(v.ndc_to_world(v.world_to_ndc(pts)), pts, atol=1e-9)
    # The centre is the middle of the viewport and NDC (0, 0).
    np.testing.assert_allclose(v.world_to_screen(np.array([cx, cy])), [w / 2, h / 2])
    np.testing.assert_allclose(v.world_to_ndc(np.array([cx, cy])), [0, 0], atol=1e-12)


def test_default_view_fits_the_square_and_y_points_up():
    v = View2D(width=1280, height=800)
    x0, y0, x1, y1 = v.world_bounds()
    assert (y0, y1) == (-6.0, 6.0) and x1 == pytest.approx(9.6)
    top_left = v.screen_to_world(np.array([0.0, 0.0]))
    np.testing.assert_allclose(top_left, [x0, y1])
    np.testing.assert_allclose(v.world_to_ndc(np.array([x1, y1])), [1, 1])
    centers = v.pixel_centers()
    assert centers.shape == (800, 1280, 2)
    assert centers[0, 0, 1] > centers[-1, 0, 1] and centers[0, -1, 0] > centers[0, 0, 0]


@settings(max_examples=60, deadline=None)
@given(
    st.floats(-1e3, 1e3),
    st.floats(-1e3, 1e3),
    st.floats(0.0, 800.0),
    st.floats(0.0, 600.0),
    st.floats(0.1, 10.0),
)
def test_zoom_at_keeps_the_point_under_the_cursor(cx, cy, sx, sy, factor):
    v = View2D((cx, cy), 3.0, 800, 600)
    before = v.screen_to_world(np.array([sx, sy]))
    v.zoom_at((sx, sy), factor)
    after = v.screen_to_world(np.array([sx, sy]))
    np.testing.assert_allclose(after, before, atol=1e-9 * max(1.0, abs(cx), abs(cy)))


def test_zoom_is_clamped_and_pan_moves_by_pixels():
    v = View2D()
    v.zoom_at((640, 400), 1e9)
    assert v.zoom == ZOOM_MAX
    v.zoom_at((640, 400), 1e-12)
    assert v.zoom == ZOOM_MIN
    v.reset()
    p = v.screen_to_world(np.array([100.0, 100.0]))
    v.pan_pixels(10, -20)
    np.testing.assert_allclose(v.world_to_screen(p), [110.0, 80.0])
    with pytest.raises(ValueError, match="zoom factor"):
        v.zoom_at((0, 0), -1.0)
    with pytest.raises(ValueError, match="viewport size"):
        View2D(width=0)


def test_relative_offset_is_exact_in_pixels_far_away():
    v = View2D((500.0, -300.0), 1000.0, 320, 240)
    origin = (500.0031, -300.0017)
    offset, _ = v.relative_scale(origin)
    err_px = np.abs(offset.astype(np.float64) - np.subtract(origin, v.center)) * v.pixels_per_unit
    assert err_px.max() < 1e-3


# ---------------------------------------------------------------------- palette
def test_okabe_ito_classes():
    assert palette.CLASS_COLORS.shape == (6, 3)
    np.testing.assert_allclose(palette.CLASS_COLORS[0] * 255, [0, 114, 178], atol=0.01)
    np.testing.assert_allclose(palette.CLASS_COLORS[1] * 255, [230, 159, 0], atol=0.01)
    assert len({tuple(c) for c in palette.CLASS_COLORS.tolist()}) == 6
    with pytest.raises(ValueError, match="classes"):
        palette.class_colors(7)


def test_class_field_mapping():
    bg = palette.BACKGROUND.astype(np.float64)
    # Chance (equal logits) is the background, certainty is strength of the way to the class.
    out = palette.class_field_colors(np.array([[0.0, 0.0, 0.0], [0.0, 50.0, 0.0]]))
    np.testing.assert_allclose(out[0], bg, atol=1e-12)
    s = palette.DEFAULT_STRENGTH
    np.testing.assert_allclose(out[1], (1 - s) * bg + s * palette.CLASS_COLORS[1], atol=1e-9)
    # Confidence increases monotonically towards the class colour.
    logits = np.stack([np.zeros(50), np.linspace(0, 8, 50)], axis=1)
    dist = np.abs(palette.class_field_colors(logits) - palette.CLASS_COLORS[1]).sum(1)
    assert (np.diff(dist) < 0).all()
    # Discretised: every pixel is the full-strength class colour of the argmax.
    d = palette.class_field_colors(np.array([[0.1, 0.0], [0.0, 0.1]]), discretise=True)
    np.testing.assert_allclose(d[0], (1 - s) * bg + s * palette.CLASS_COLORS[0], atol=1e-9)


def test_probit_shrinks_confidence_towards_chance():
    mean = np.array([[2.0, -1.0, 0.5]])
    for v in (0.0, 1.0, 10.0, 1e4):
        scaled = palette.probit_logits(mean, np.full((1, 3), v))
        np.testing.assert_allclose(scaled, mean / np.sqrt(1 + np.pi / 8 * v))
    c0 = palette.confidence_t(palette.softmax(palette.probit_logits(mean, np.zeros((1, 3)))))
    c1 = palette.confidence_t(palette.softmax(palette.probit_logits(mean, np.full((1, 3), 5.0))))
    assert c1[0] < c0[0]


def test_regression_ramp_and_bands():
    y = np.linspace(-1, 1, 101)
    out = palette.regression_colors(y, (-1, 1), strength=1.0)
    np.testing.assert_allclose(out[0], palette.RAMP_LOW, atol=1e-6)
    np.testing.assert_allclose(out[-1], palette.RAMP_HIGH, atol=1e-6)
    assert (np.diff(out[:, 0]) > 0).all()
    bands = palette.regression_colors(y, (-1, 1), discretise=True, levels=4)
    assert len(np.unique(bands.round(9), axis=0)) == 4
    with pytest.raises(ValueError, match="value range"):
        palette.regression_colors(y, (1, 1))


def test_layer_colours_cycle():
    c = palette.layer_colors(10)
    assert c.shape == (10, 4)
    np.testing.assert_array_equal(c[8], c[0])


# ---------------------------------------------------------------------- re-centring
def test_recentred_coefficients_are_the_same_functions():
    rng = np.random.default_rng(3)
    aff = rng.normal(size=(4, 2, 3))
    quad = rng.normal(size=(4, 2, 6))
    origin = (512.25, -299.5)
    x = rng.uniform(-1, 1, (10, 2)) + origin

    def eval_aff(c, p):
        return c[..., 0] * p[0] + c[..., 1] * p[1] + c[..., 2]

    def eval_quad(c, p):
        return (
            c[..., 0] * p[0] ** 2 + c[..., 1] * p[0] * p[1] + c[..., 2] * p[1] ** 2
            + c[..., 3] * p[0] + c[..., 4] * p[1] + c[..., 5]
        )  # fmt: skip

    ra, rq = recenter_affine(aff, origin), recenter_quadratic(quad, origin)
    for p in x:
        rel = p - origin
        np.testing.assert_allclose(eval_aff(ra, rel), eval_aff(aff, p), rtol=1e-9, atol=1e-9)
        np.testing.assert_allclose(eval_quad(rq, rel), eval_quad(quad, p), rtol=1e-9, atol=1e-6)
    texels = pack_laplace(ra, rq)
    assert texels.shape == (4 * 2 * 3, 4)
    np.testing.assert_allclose(texels[3 * 3 + 1], rq[1, 1, :4].astype(np.float32))


def test_the_palette_has_a_colour_for_every_class_the_app_allows():
    from sandbox.render.mesh_pack import MAX_OUTPUTS
    from sandbox.vocab import MAX_CLASSES

    assert len(palette.CLASS_ORDER) == MAX_CLASSES == palette.MAX_CLASSES == MAX_OUTPUTS
    assert len(palette.CLASS_COLORS) == MAX_CLASSES
