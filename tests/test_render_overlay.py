"""The UI overlay: premultiplied-alpha compositing of a pygame surface, exact per pixel.

Two kinds of surface: straight alpha (premultiplied on upload) and premultiplied colour as
pygame-gui draws it with BLEND_PREMULTIPLIED (sent as it is).
"""

from __future__ import annotations

import numpy as np
import pygame
import pytest
from gl_util import gl_fixture, gl_session_fixture  # noqa: F401

from sandbox.render.overlay import TILE, occupied_tiles, surface_rgba_premultiplied

pytestmark = pytest.mark.gl

SCENE = (0.2, 0.6, 0.4)


def ui_surface(size):
    s = pygame.Surface(size, pygame.SRCALPHA)
    s.fill((0, 0, 0, 0))
    s.fill((250, 20, 90, 255), (10, 10, 60, 40))  # opaque panel
    s.fill((30, 120, 240, 128), (100, 30, 70, 90))  # half-transparent panel
    s.fill((255, 255, 255, 37), (200, 150, 90, 60))  # faint veil
    s.fill((0, 0, 0, 200), (40, 200, 20, 20))
    return s


def composite(renderer, surface, rects=None, premultiplied=False):
    renderer.begin_frame(clear_color=SCENE)
    renderer.overlay.upload(surface, rects, premultiplied=premultiplied)
    renderer.draw_overlay()
    return renderer.read_pixels()


def expected_composite(surface, premultiplied=False):
    w, h = surface.get_size()
    data = surface_rgba_premultiplied(surface, premultiplied)
    src = np.frombuffer(data, np.uint8).reshape(h, w, 4) / 255.0
    dst = np.array(SCENE)
    out = src[..., :3] + dst * (1.0 - src[..., 3:4])
    return np.clip(np.rint(out * 255.0), 0, 255).astype(int)


def test_premultiplied_bytes(gl):
    s = ui_surface((320, 240))
    rgba = np.frombuffer(surface_rgba_premultiplied(s), np.uint8).reshape(240, 320, 4).astype(int)
    straight = pygame.surfarray.pixels3d(s).transpose(1, 0, 2).astype(int)
    alpha = pygame.surfarray.pixels_alpha(s).T.astype(int)
    np.testing.assert_array_equal(rgba[..., 3], alpha)
    assert np.abs(rgba[..., :3] - straight * alpha[..., None] / 255.0).max() <= 1.0


def test_overlay_blends_exactly_over_the_scene(gl):
    r = gl.renderer()
    s = ui_surface(gl.size)
    got = composite(r, s).astype(int)
    want = expected_composite(s)
    assert np.abs(got - want).max() <= 1
    # Spot values: the opaque panel replaces the scene, the veil mixes, empty areas keep it.
    np.testing.assert_allclose(got[20, 20], [250, 20, 90], atol=1)
    np.testing.assert_allclose(got[5, 300], np.rint(np.array(SCENE) * 255), atol=1)
    veil = np.rint((37 / 255) * 255 + np.array(SCENE) * 255 * (1 - 37 / 255))
    np.testing.assert_allclose(got[170, 250], veil, atol=1)


def test_premultiplied_surface_as_pygame_gui_draws_it(gl):
    r = gl.renderer()
    straight = ui_surface(gl.size)
    # Draw the panels the way pygame-gui does: premultiplied images, BLEND_PREMULTIPLIED blit.
    target = pygame.Surface(gl.size, pygame.SRCALPHA)
    target.fill((0, 0, 0, 0))
    target.blit(straight.premul_alpha(), (0, 0), special_flags=pygame.BLEND_PREMULTIPLIED)
    got = composite(r, target, premultiplied=True).astype(int)
    # Same picture as the straight-alpha surface premultiplied on upload.
    assert np.abs(got - expected_composite(straight)).max() <= 1
    assert np.abs(got - expected_composite(target, premultiplied=True)).max() <= 1
    # Treating premultiplied colour as straight would darken the half-transparent panel.
    wrong = composite(r, target, premultiplied=False).astype(int)
    assert np.abs(wrong[60, 130] - got[60, 130]).max() > 20


def test_partial_upload_and_tiles(gl):
    r = gl.renderer()
    s = ui_surface(gl.size)
    composite(r, s)
    drawn_tiles = int(r.overlay.tiles.sum())
    assert 0 < drawn_tiles < r.overlay.tiles.size, "only tiles with UI pixels are drawn"
    # Paint a new panel in a previously empty tile and send only that rectangle.
    s.fill((10, 200, 10, 255), (260, 10, 30, 20))
    got = composite(r, s, rects=[(260, 10, 30, 20)]).astype(int)
    assert np.abs(got - expected_composite(s)).max() <= 1
    assert r.overlay.tiles[10 // TILE, 260 // TILE]
    # Clearing the overlay leaves the scene untouched.
    r.begin_frame(clear_color=SCENE)
    r.overlay.clear()
    r.draw_overlay()
    assert np.abs(r.read_pixels().astype(int) - np.rint(np.array(SCENE) * 255)).max() <= 1


def test_partial_uploads_in_a_row_keep_every_change(gl):
    """Partial uploads, one a frame, each of one changed rectangle: every earlier change stays
    in the texture (only the rectangle sent is written)."""
    r = gl.renderer()
    s = ui_surface(gl.size)
    composite(r, s)
    changes = [(260, 10, 30, 20), (10, 120, 50, 30), (150, 200, 40, 25), (10, 10, 20, 20)]
    for i, rect in enumerate(changes):
        s.fill((10 + 60 * i, 200 - 40 * i, 10, 255), rect)
        got = composite(r, s, rects=[rect]).astype(int)
        assert np.abs(got - expected_composite(s)).max() <= 1, f"after change {i}"


def test_occupied_tiles_matches_a_plain_loop():
    rng = np.random.default_rng(1)
    alpha = np.zeros((150, 230), np.uint8)
    for _ in range(6):
        y, x = rng.integers(0, 150), rng.integers(0, 230)
        alpha[y, x] = rng.integers(1, 255)
    tiles = occupied_tiles(alpha, 32)
    want = np.zeros(((150 + 31) // 32, (230 + 31) // 32), bool)
    for y, x in zip(*np.nonzero(alpha), strict=True):
        want[y // 32, x // 32] = True
    np.testing.assert_array_equal(tiles, want)


def test_overlay_follows_a_resize(gl):
    r = gl.renderer()
    small = ui_surface((200, 100))
    r.overlay.upload(small)
    assert r.overlay.size == (200, 100)
    got = composite(r, ui_surface(gl.size)).astype(int)
    assert r.overlay.size == gl.size
    assert np.abs(got - expected_composite(ui_surface(gl.size))).max() <= 1


def _pictures(r):
    return {k: p.texture for k, p in r.overlay.pictures.items()}


def test_uploads_go_into_new_textures_and_old_ones_are_freed(gl):
    """llvmpipe makes a write into a texture an earlier frame drew wait for every queued frame:
    each upload goes into new textures (a whole one, or a patch per changed rectangle), each
    tile is drawn from the newest that holds it, and a texture no tile is drawn from is
    deleted. The picture stays exact throughout."""
    from sandbox.render.gl import GL

    r = gl.renderer()
    s = ui_surface(gl.size)
    composite(r, s, premultiplied=False)
    (whole,) = _pictures(r).values()
    assert r.overlay.patches == 0
    # a change in one tile: a patch of that tile, drawn over the whole picture's others
    s.fill((10, 200, 10, 255), (70, 70, 20, 20))
    got = composite(r, s, rects=[(70, 70, 20, 20)]).astype(int)
    assert np.abs(got - expected_composite(s)).max() <= 1
    textures = _pictures(r)
    assert len(textures) == 2 and whole in textures.values() and r.overlay.patches == 1
    (patch,) = set(textures.values()) - {whole}
    assert r.overlay.pictures[max(textures)].w == TILE, "widened to the whole tile"
    # the same tile again: a newer patch; the older one shows nothing and is deleted
    s.fill((200, 10, 10, 255), (70, 70, 20, 20))
    got = composite(r, s, rects=[(70, 70, 20, 20)]).astype(int)
    assert np.abs(got - expected_composite(s)).max() <= 1
    textures = _pictures(r)
    assert patch not in textures.values() and not GL.glIsTexture(patch)
    assert len(textures) == 2 and whole in textures.values()
    # a whole upload replaces every texture
    s.fill((0, 0, 0, 0), (0, 0, 40, 40))
    got = composite(r, s).astype(int)
    assert np.abs(got - expected_composite(s)).max() <= 1
    assert not set(textures.values()) & set(_pictures(r).values())
    assert len(r.overlay.pictures) == 1 and not any(GL.glIsTexture(t) for t in textures.values())


def test_past_the_most_patches_an_upload_is_whole(gl):
    from sandbox.render.overlay import MAX_PATCHES

    r = gl.renderer()
    s = ui_surface(gl.size)
    composite(r, s)
    cols = gl.size[0] // TILE
    for i in range(MAX_PATCHES + 1):
        rect = ((i % cols) * TILE + 3, (i // cols) * TILE + 3, 10, 10)
        s.fill((20 * i, 255 - 20 * i, 90, 255), rect)
        got = composite(r, s, rects=[rect]).astype(int)
        assert np.abs(got - expected_composite(s)).max() <= 1, f"after change {i}"
        assert r.overlay.patches == (i + 1 if i < MAX_PATCHES else 0)
    assert len(r.overlay.pictures) == 1
