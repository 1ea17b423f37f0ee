"""The held layer: what the plane draws under the points (field, regions, creases, boundary, in
one view or the split view's two panes) is painted into an offscreen texture once it stays the
same for a frame, and copied to the window until it changes (new weights or samples, another
style, view, size); the points and marks are drawn over the copy. The copy is the picture that
drawing the passes straight onto the window gives.

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
from sandbox.render.plane_view import HOLD_AFTER_FRAMES
from sandbox.vocab import View

APP_DEFAULTS = {"size": (800, 600), "hidden": (300,), "dataset": "image:disk", "resolution": 32}
EXACT = {"hidden": (8, 8), "dataset": "ring", "points": 120}


def _direct_pixels(d) -> np.ndarray:
    """The same frame drawn without the held layer (the passes straight onto the window)."""
    plane = d.scene.plane.renderer
    plane.hold = False
    try:
        d.run_frames(1, dt=1 / 30)
        return d.renderer.read_pixels()
    finally:
        plane.hold = True


def _assert_same_picture(d, held: np.ndarray, direct: np.ndarray) -> None:
    x, y, w, h = d.state.layout.plane
    diff = np.abs(held.astype(int) - direct.astype(int))[y : y + h, x : x + w].max(axis=2)
    assert (diff > 0).mean() < 0.06, (diff > 0).mean()
    assert (diff > 1).mean() < 0.002, (diff > 1).mean()
    assert (diff > 8).mean() < 0.0005, (diff > 8).mean()
    outside = np.ones(held.shape[:2], dtype=bool)
    outside[y : y + h, x : x + w] = False
    np.testing.assert_array_equal(held[outside], direct[outside])  # the panels: to the bit


def _counting(monkeypatch, renderer) -> dict[str, list]:
    """Calls of the renderer's passes, by name."""
    calls: dict[str, list] = {}
    for name in ("draw_field", "draw_creases", "draw_boundary", "draw_points"):
        calls[name] = seen = []
        original = getattr(renderer, name)

        def counted(*args, _original=original, _seen=seen, **kwargs):
            _seen.append(1)
            return _original(*args, **kwargs)

        monkeypatch.setattr(renderer, name, counted)
    return calls


def test_idle_frames_copy_the_held_layer_and_match_a_direct_draw(make_app, monkeypatch):
    d = make_app()
    plane = d.scene.plane.renderer
    assert d.state.partition.too_many  # 300 neurons: the sampled path, not the exact partition
    d.run_frames(2, dt=1 / 30)
    held = d.renderer.read_pixels()
    repaints = plane.held.repaints
    assert repaints >= 1
    calls = _counting(monkeypatch, d.renderer)
    d.run_frames(5, dt=1 / 30)
    assert plane.held.repaints == repaints  # nothing changed: no repaint
    assert not calls["draw_field"] and not calls["draw_creases"]  # only copied
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
    # the changed frames are drawn straight on the window, until it stayed the same for a while
    d.run_frames(HOLD_AFTER_FRAMES - 1, dt=1 / 30)
    assert plane.held.repaints == before
    d.run_frames(1, dt=1 / 30)
    assert plane.held.repaints == before + 1  # then painted into the held layer
    _assert_same_picture(d, d.renderer.read_pixels(), _direct_pixels(d))
    before = plane.held.repaints
    d.scene.apply(A.Pan(40, 25))
    d.run_frames(HOLD_AFTER_FRAMES + 1, dt=1 / 30)
    assert plane.held.repaints == before + 1
    _assert_same_picture(d, d.renderer.read_pixels(), _direct_pixels(d))
    before = plane.held.repaints
    d.send([ev(pygame.VIDEORESIZE, w=900, h=640, size=(900, 640))], frames=3)
    assert d.state.layout.window == (900, 640)
    assert plane.held.repaints > before
    _assert_same_picture(d, d.renderer.read_pixels(), _direct_pixels(d))


def test_an_exact_split_view_is_held_while_paused_and_drawn_live_while_training(
    make_app, monkeypatch
):
    d = make_app(**EXACT)
    d.state.views = d.state.views | {View.REGIONS, View.BOUNDARY, View.SPLIT}
    d.scene.train_now(200)  # a Laplace fit for the right pane
    d.run_frames(3, dt=1 / 30)
    plane = d.scene.plane.renderer
    assert not d.state.partition.too_many and len(plane.panes) == 2
    calls = _counting(monkeypatch, d.renderer)
    d.run_frames(4, dt=1 / 30)
    assert not calls["draw_field"] and not calls["draw_creases"] and not calls["draw_boundary"]
    assert len(calls["draw_points"]) == 8  # the points, over the copy, in both panes
    held = d.renderer.read_pixels()
    _assert_same_picture(d, held, _direct_pixels(d))
    x, y, w, h = d.state.layout.plane
    assert len(np.unique(held[y : y + h, x : x + w].reshape(-1, 3), axis=0)) > 50  # regions
    # while training the weights change every frame: drawn straight, never copied stale
    repaints = plane.held.repaints
    d.scene.apply(A.SetPlaying(True))
    d.run_frames(4, dt=1 / 30)
    assert plane.held.repaints == repaints
    assert len(calls["draw_field"]) >= 8


def test_the_probe_and_the_inspector_are_held_apart(make_app, monkeypatch):
    """The side column's two parts are painted again only when their own content changed: a
    longer probe ray repaints the probe plots, not the inspector's diagram (a big network's
    diagram costs a software rasteriser hundreds of milliseconds)."""
    from sandbox import stage_actions as S
    from sandbox.render.stage_views import StageRenderer

    d = make_app(**EXACT)
    d.state.views = d.state.views | {View.PROBE, View.INSPECTOR}
    d.run_frames(3, dt=1 / 30)
    painted: list[str] = []
    original = StageRenderer._draw_side_part

    def spy(self, state, content, part):
        painted.append(part)
        return original(self, state, content, part)

    monkeypatch.setattr(StageRenderer, "_draw_side_part", spy)
    d.run_frames(3, dt=1 / 30)
    assert painted == []  # paused, nothing changed: both copied
    d.scene.apply(S.ProbeReach(1.5))
    d.run_frames(2, dt=1 / 30)
    assert painted == ["probe"]
    held = d.renderer.read_pixels()
    x, y, w, h = d.state.stage.rects.probe
    assert len(np.unique(held[y : y + h, x : x + w].reshape(-1, 3), axis=0)) > 10  # plots drawn
