"""The held layer: a wide network's sampled field and first-layer creases are painted into an
offscreen texture only when they are resampled (or restyled, resized, moved), and the copy shown
in between is the picture that drawing them straight onto the window gives.

Not to the bit: Mesa rasterises a window's framebuffer upside down relative to a texture's, so
the edge pixels of a thin anti-aliased quad can differ. Measured on llvmpipe with 300 creases:
2-4% of the plane's pixels differ by one level of 255, under 0.1% by more, about 0.01% by more
than 8 (up to 68 where many creases meet); the field alone differs in a handful of pixels by one
level."""

from __future__ import annotations

import numpy as np
import pygame
from app_util import ev

from sandbox import actions as A

APP_DEFAULTS = {"size": (800, 600), "hidden": (300,), "dataset": "image:disk", "resolution": 32}


def _direct_pixels(d) -> np.ndarray:
    """The same frame drawn without the held layer (the passes straight onto the window)."""
    plane = d.scene.plane.renderer
    plane.hold_sampled = False
    try:
        d.run_frames(1, dt=1 / 30)
        return d.renderer.read_pixels()
    finally:
        plane.hold_sampled = True


def _assert_same_picture(d, held: np.ndarray, direct: np.ndarray) -> None:
    x, y, w, h = d.state.layout.plane
    diff = np.abs(held.astype(int) - direct.astype(int))[y : y + h, x : x + w].max(axis=2)
    assert (diff > 0).mean() < 0.06, (diff > 0).mean()
    assert (diff > 1).mean() < 0.002, (diff > 1).mean()
    assert (diff > 8).mean() < 0.0005, (diff > 8).mean()
    outside = np.ones(held.shape[:2], dtype=bool)
    outside[y : y + h, x : x + w] = False
    np.testing.assert_array_equal(held[outside], direct[outside])  # the panels: to the bit


def _counting(monkeypatch, obj, name: str) -> list:
    calls: list = []
    original = getattr(obj, name)

    def counted(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(obj, name, counted)
    return calls


def test_idle_frames_copy_the_held_layer_and_match_a_direct_draw(make_app, monkeypatch):
    d = make_app()
    plane = d.scene.plane.renderer
    assert d.state.partition.too_many  # 300 neurons: the sampled path, not the exact partition
    d.run_frames(2, dt=1 / 30)
    held = d.renderer.read_pixels()
    repaints = plane.held.repaints
    assert repaints >= 1
    fields = _counting(monkeypatch, d.renderer.field_pass, "draw")
    lines = _counting(monkeypatch, d.renderer.line_pass, "draw")
    d.run_frames(5, dt=1 / 30)
    assert plane.held.repaints == repaints  # nothing changed: no repaint
    assert not fields  # the field was not drawn again, only copied
    assert len(lines) == 0  # nor were the 300 creases (no boundary in the sampled view)
    np.testing.assert_array_equal(d.renderer.read_pixels(), held)
    _assert_same_picture(d, held, _direct_pixels(d))
    x, y, w, h = d.state.layout.plane
    crop = held[y : y + h, x : x + w].reshape(-1, 3)
    assert len(np.unique(crop, axis=0)) > 50  # a real picture: the field's greys and the creases


def test_training_panning_and_resizing_paint_it_again(make_app):
    d = make_app()
    plane = d.scene.plane.renderer
    d.run_frames(2, dt=1 / 30)
    before = plane.held.repaints
    d.scene.train_now(20)
    d.run_frames(1, dt=0.3)  # past the sampled field's hold: the new weights are sampled
    assert plane.held.repaints == before + 1
    _assert_same_picture(d, d.renderer.read_pixels(), _direct_pixels(d))
    before = plane.held.repaints
    d.scene.apply(A.Pan(40, 25))
    d.run_frames(1, dt=1 / 30)
    assert plane.held.repaints > before
    _assert_same_picture(d, d.renderer.read_pixels(), _direct_pixels(d))
    before = plane.held.repaints
    d.send([ev(pygame.VIDEORESIZE, w=900, h=640, size=(900, 640))], frames=2)
    assert d.state.layout.window == (900, 640)
    assert plane.held.repaints > before
    _assert_same_picture(d, d.renderer.read_pixels(), _direct_pixels(d))
