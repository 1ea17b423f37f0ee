"""Creases and points through the real GL pipeline: pixels where the geometry says, nowhere else.

Crease pixels whose centre lies on an exact segment must be the crease colour; pixels a few
pixels from every segment must be the field colour of the CPU reference. Checked at the default
view and far from the origin at 1000x zoom in and 100x zoom out.
"""

from __future__ import annotations

import numpy as np
import pytest
from gl_util import (  # noqa: F401  (the fixtures gl and gl_session)
    assert_pixels_close,
    forward,
    gl_fixture,
    gl_session_fixture,
    layers_for,
    upload,
)

from sandbox.render import palette
from sandbox.render.camera import View2D
from sandbox.render.field import FieldStyle

pytestmark = pytest.mark.gl

CREASE = np.array([0.1, 0.2, 0.6, 1.0], dtype=np.float32)
WIDTH = 3.0


def segment_distance(points: np.ndarray, segs: np.ndarray) -> np.ndarray:
    """Distance from each point (N, 2) to the nearest segment (S, 4), all in pixels."""
    a, b = segs[:, :2], segs[:, 2:]
    ab = b - a
    pa = points[:, None, :] - a[None]
    t = np.clip((pa * ab).sum(-1) / np.maximum((ab * ab).sum(-1), 1e-300), 0, 1)
    d = pa - t[..., None] * ab
    return np.sqrt((d * d).sum(-1)).min(axis=1)


@pytest.mark.parametrize(
    "view",
    [
        View2D((0.0, 0.0), 1.0, 320, 240),
        View2D((500.0, -300.0), 1000.0, 320, 240),
        View2D((500.0, -300.0), 0.01, 320, 240),
    ],
    ids=["default", "far-in", "far-out"],
)
def test_crease_pixels_lie_on_the_segments(gl, view):
    layers = layers_for(view, [2, 6, 6, 2], seed=4)
    r = gl.renderer()
    part = upload(r, layers, view)
    creases = part.creases.segments
    assert len(creases) >= 6
    r.creases.set(creases, CREASE, WIDTH)
    r.begin_frame()
    r.draw_field(view, FieldStyle())
    r.draw_creases(view)
    pixels = r.read_pixels()

    segs_px = np.concatenate(
        [view.world_to_screen(creases[:, :2]), view.world_to_screen(creases[:, 2:])], 1
    )
    centers = np.stack(np.meshgrid(np.arange(320) + 0.5, np.arange(240) + 0.5), -1).reshape(-1, 2)
    dist = segment_distance(centers, segs_px).reshape(240, 320)

    on = dist <= 0.5 * WIDTH - 0.5  # full coverage by the shader's 1 px edge ramp
    expected_on = np.broadcast_to(palette.to_uint8(CREASE[:3]), pixels.shape)
    assert on.sum() > 300
    assert_pixels_close(pixels, expected_on, 2, mask=on, what="pixels on a crease")

    off = dist > 0.5 * WIDTH + 0.5 + 1e-3  # outside every segment's coverage
    _, logits = forward(layers, view.pixel_centers().reshape(-1, 2))
    field = palette.to_uint8(palette.class_field_colors(logits)).reshape(pixels.shape)
    assert_pixels_close(pixels, field, 3, mask=off, what="pixels away from creases")

    # The edge ramp is anti-aliased: partial coverage gives colours between the two.
    edge = (dist > 0.5 * WIDTH) & (dist < 0.5 * WIDTH + 0.4)
    between = np.abs(pixels.astype(int) - expected_on.astype(int)).max(-1) > 5
    assert between[edge].mean() > 0.5


def test_segment_widths_are_constant_in_pixels(gl):
    r = gl.renderer()
    for zoom in (0.01, 1.0, 1000.0):
        view = View2D((3.0, 4.0), zoom, 320, 240)
        # A horizontal segment through the view centre, 4 px wide, drawn on black.
        x0, _, x1, _ = view.world_bounds()
        r.creases.set(np.array([[x0, 4.0, x1, 4.0]]), (1.0, 1.0, 1.0, 1.0), 4.0)
        r.begin_frame(clear_color=(0.0, 0.0, 0.0))
        r.draw_creases(view)
        column = r.read_pixels()[:, 160, 0].astype(int)
        # Centre row 120 sits at y = 4 exactly: rows 118..121 are covered (centres within 2 px).
        assert (column[118:122] >= 254).all(), (zoom, column[114:126])
        assert column[116] == 0 and column[123] == 0, (zoom, column[114:126])


def test_filled_and_hollow_points(gl):
    view = View2D((0.0, 0.0), 1.0, 320, 240)
    r = gl.renderer()
    radius = 10.0
    pix = np.array([[60.5, 60.5], [160.5, 60.5], [60.5, 180.5], [260.5, 180.5]])
    classes = np.array([0, 1, 2, 3])
    hollow = np.array([False, True, False, True])
    r.points.set(view.screen_to_world(pix), classes, hollow, radius)
    pp = r.point_pass
    pp.outline_width, pp.ring_fraction = 1.5, 0.3  # ring 3 px: from 5.5 to 8.5 px out
    bg_float = np.array([0.0, 0.0, 0.0])
    r.begin_frame(clear_color=bg_float)
    r.draw_points(view)
    img = r.read_pixels().astype(int)
    bg = palette.to_uint8(bg_float).astype(int)
    outline = palette.to_uint8(palette.POINT_OUTLINE[:3]).astype(int)
    fill = pp.hollow_fill
    hole = palette.to_uint8(fill[:3] * fill[3] + bg_float * (1 - fill[3])).astype(int)
    for (x, y), k, h in zip(pix.astype(int), classes, hollow, strict=True):
        colour = palette.to_uint8(palette.CLASS_COLORS[k]).astype(int)

        def at(dx: int, dy: int, x=x, y=y) -> np.ndarray:
            return img[y + dy, x + dx]

        # Centre: class colour when filled, the translucent light fill when hollow.
        np.testing.assert_allclose(at(0, 0), hole if h else colour, atol=1)
        np.testing.assert_allclose(at(2, -2), hole if h else colour, atol=1)
        # On the class ring (7 px out) both kinds show the class colour.
        np.testing.assert_allclose(at(7, 0), colour, atol=1)
        np.testing.assert_allclose(at(0, -7), colour, atol=1)
        # The outline at 9 px, and the background beyond the disc.
        np.testing.assert_allclose(at(-9, 0), outline, atol=1)
        np.testing.assert_allclose(at(0, 13), bg, atol=1)
    # Top-down read-back: the first point is in the upper-left quadrant of the array.
    assert np.abs(img[60, 60] - bg).max() > 30 and np.abs(img[180, 160] - bg).max() <= 1


def test_point_class_colours_can_be_swapped(gl):
    """Picture targets draw their points with a grey ramp: the pass's class colours are a
    setting, and the centre of a filled point takes the swapped colour."""
    view = View2D((0.0, 0.0), 1.0, 320, 240)
    r = gl.renderer()
    pix = np.array([[40.5, 60.5], [120.5, 60.5]])
    r.points.set(view.screen_to_world(pix), np.array([0, 5]), False, 10.0)
    greys = np.repeat(np.linspace(0.0, 1.0, palette.MAX_CLASSES, dtype=np.float32)[:, None], 3, 1)
    r.point_pass.class_colors = greys
    try:
        r.begin_frame(clear_color=np.array([0.5, 0.2, 0.2]))
        r.draw_points(view)
        img = r.read_pixels().astype(int)
    finally:
        r.point_pass.class_colors = palette.CLASS_COLORS.copy()
    np.testing.assert_allclose(img[60, 40], palette.to_uint8(greys[0]), atol=1)
    np.testing.assert_allclose(img[60, 120], palette.to_uint8(greys[5]), atol=1)


def test_points_and_lines_reject_bad_input(gl):
    r = gl.renderer()
    with pytest.raises(ValueError, match="classes"):
        r.points.set(np.zeros((2, 2)), [0, 9])
    with pytest.raises(ValueError, match="radii"):
        r.points.set(np.zeros((2, 2)), 0, False, [1.0, -1.0])
    with pytest.raises(ValueError, match="segments"):
        r.creases.set(np.zeros((2, 3)), CREASE)
    with pytest.raises(ValueError, match="colors"):
        r.creases.set(np.zeros((2, 4)), np.zeros((3, 4)))
