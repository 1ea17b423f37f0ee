"""The UI surface is drawn and uploaded only where something changed (sandbox.ui.redraw).

Idle frames draw nothing and upload nothing (counted calls, not time); a hover, a slider drag,
typed text, a toast or the mouse on the plane do, and what the frame-by-frame surface shows is
always what drawing it all afresh shows.
"""

from __future__ import annotations

import numpy as np
import pygame
import pytest
from app_util import key, motion, send, type_text
from gl_util import gl_session_fixture  # noqa: F401
from pygame_gui.elements import UIHorizontalSlider

from sandbox.render.overlay import TILE, occupied_tiles
from sandbox.ui.redraw import FULL_SHARE, tile_rects

SIZE = (1280, 800)
APP_DEFAULTS = {"size": SIZE}


class Counts:
    """Calls of the UI manager's draw and of the overlay upload, with the rectangles sent."""

    def __init__(self, app, monkeypatch) -> None:
        self.draws = 0
        self.uploads: list = []
        manager, overlay = app.manager, app.renderer.overlay
        draw_ui, upload = manager.draw_ui, overlay.upload

        def counted_draw(surface):
            self.draws += 1
            draw_ui(surface)

        def counted_upload(surface, rects=None, **kw):
            self.uploads.append(None if rects is None else list(rects))
            upload(surface, rects, **kw)

        monkeypatch.setattr(manager, "draw_ui", counted_draw)
        monkeypatch.setattr(overlay, "upload", counted_upload)

    def reset(self) -> None:
        self.draws = 0
        self.uploads = []


def full_picture(app) -> np.ndarray:
    """The UI surface as drawing everything afresh makes it."""
    surface = pygame.Surface(app.ui_surface.get_size(), pygame.SRCALPHA)
    app.scene.draw_underlay(surface)
    app.manager.draw_ui(surface)
    app.scene.draw_overlay(surface)
    return pygame.surfarray.array3d(surface), pygame.surfarray.array_alpha(surface)


def assert_surface_is_current(app) -> None:
    rgb, alpha = full_picture(app)
    np.testing.assert_array_equal(pygame.surfarray.array3d(app.ui_surface), rgb)
    np.testing.assert_array_equal(pygame.surfarray.array_alpha(app.ui_surface), alpha)
    # every tile holding a UI pixel is composited
    need = occupied_tiles(alpha.T)
    assert not (need & ~app.renderer.overlay.tiles).any()


def left_panel_spot(app) -> tuple[int, int]:
    x, y, w, h = app.state.layout.left
    return (x + w // 2, y + h - 4)


def idle(app, counts, frames: int = 12) -> None:
    counts.reset()
    app.run_frames(frames, dt=1 / 30)
    assert counts.draws == 0, f"{counts.draws} idle frames drew the UI"
    assert counts.uploads == [], "idle frames uploaded the UI"


@pytest.fixture
def quiet_app(make_app, monkeypatch):
    app = make_app(menu=False)
    app.state.toast = None  # the welcome message would stay for seconds
    app.run_frames(10, dt=1 / 30)  # the loss chart follows a change at most 5 times a second
    return app, Counts(app.app, monkeypatch)


def test_idle_frames_draw_and_upload_nothing(quiet_app):
    app, counts = quiet_app
    idle(app, counts, frames=20)
    assert_surface_is_current(app)


class Pointer:
    """pygame-gui asks SDL where the pointer is (hover, slider drags); offscreen it stays put,
    so the tests move it themselves along with the events they send."""

    def __init__(self, monkeypatch) -> None:
        self.pos = (0, 0)
        monkeypatch.setattr(pygame.mouse, "get_pos", lambda: self.pos)

    def move(self, app, pos, buttons=(0, 0, 0)) -> None:
        rel = (pos[0] - self.pos[0], pos[1] - self.pos[1])
        self.pos = pos
        event = pygame.event.Event(
            pygame.MOUSEMOTION, pos=pos, rel=rel, buttons=buttons, touch=False, window=None
        )
        send(app, [event], frames=1)

    def drag(self, app, a, b, steps: int = 6) -> None:
        self.move(app, a)
        down = dict(pos=a, button=1, touch=False, window=None)
        send(app, [pygame.event.Event(pygame.MOUSEBUTTONDOWN, **down)], frames=1)
        for t in np.linspace(0.0, 1.0, steps)[1:]:
            p = (round(a[0] + t * (b[0] - a[0])), round(a[1] + t * (b[1] - a[1])))
            self.move(app, p, buttons=(1, 0, 0))
        up = dict(pos=b, button=1, touch=False, window=None)
        send(app, [pygame.event.Event(pygame.MOUSEBUTTONUP, **up)], frames=2)


def test_hovering_a_button_redraws_only_around_it(quiet_app, monkeypatch):
    app, counts = quiet_app
    button = app.button("Reset view")
    idle(app, counts)
    Pointer(monkeypatch).move(app, button.rect.center)
    app.run_frames(2, dt=1 / 30)
    assert button.hovered
    assert counts.draws >= 1 and counts.uploads
    sent = [r for rects in counts.uploads for r in (rects or [(0, 0, *SIZE)])]
    area = sum(w * h for _, _, w, h in sent)
    assert area < 0.25 * SIZE[0] * SIZE[1], "a hover uploaded most of the window"
    for x, y, _, _ in sent:
        assert x % TILE == 0 and y % TILE == 0
    b = button.rect
    assert any(x <= b.centerx < x + w and y <= b.centery < y + h for x, y, w, h in sent)
    assert_surface_is_current(app)
    idle(app, counts)


def test_a_slider_drag_redraws(quiet_app, monkeypatch):
    app, counts = quiet_app
    slider = next(
        e for e in app.scene.panels.elements if isinstance(e, UIHorizontalSlider) and e.visible
    )
    before = slider.get_current_value()
    idle(app, counts)
    handle = slider.sliding_button.rect.center
    Pointer(monkeypatch).drag(app, handle, (handle[0] + 60, handle[1]))
    assert slider.get_current_value() != before
    assert counts.draws >= 1 and counts.uploads
    assert_surface_is_current(app)
    idle(app, counts)


def test_typed_text_redraws(quiet_app):
    app, counts = quiet_app
    send(app, key(pygame.K_s, mod=pygame.KMOD_CTRL), frames=3)  # the Save dialog
    line = app.scene.workshop.dialogs.dialog.file_path_text_line
    assert line.is_focused
    counts.reset()
    send(app, type_text("abc"), frames=2)
    assert "abc" in line.get_text()
    assert counts.draws >= 1 and counts.uploads
    assert_surface_is_current(app)


def test_hud_changes_redraw_and_stay_exact(quiet_app):
    app, counts = quiet_app
    idle(app, counts)
    # the brush and the hover readout follow the mouse on the plane
    send(app, motion(app.plane_point(0.5, 0.5)), frames=2)
    assert counts.draws >= 1
    assert_surface_is_current(app)
    idle(app, counts)
    send(app, motion(app.plane_point(0.5, 0.5)), frames=2)  # the same place again: no change
    assert counts.draws == 0
    send(app, motion(left_panel_spot(app)), frames=2)  # off the plane: the readout goes
    # a message shows, then goes when its time is up
    app.scene.say("hello")
    counts.reset()
    app.run_frames(2, dt=1 / 30)
    assert counts.draws == 1
    assert_surface_is_current(app)
    app.run_frames(int(10 * 30), dt=1 / 30)
    assert app.state.toast is None or app.state.time > app.state.toast.until
    assert_surface_is_current(app)
    idle(app, counts)
    # training changes the step and loss labels: small rectangles, not the whole window
    counts.reset()
    send(app, key(pygame.K_SPACE), frames=6)
    assert app.state.playing
    partial = [rects for rects in counts.uploads[2:] if rects is not None]
    assert partial, "training uploaded the whole UI every frame"
    assert_surface_is_current(app)


def test_the_mouse_on_the_plane_redraws_only_around_its_marks(quiet_app):
    """The hover readout and the brush ring follow the mouse: only where they were and are is
    drawn and uploaded again (the whole surface was, each frame the mouse moved)."""
    app, counts = quiet_app
    idle(app, counts)
    # the readout appears, follows, changes corner when the cursor comes near it, goes
    spots = ((0.5, 0.5), (0.52, 0.55), (0.93, 0.06), (0.08, 0.08), (0.9, 0.92), (0.3, 0.6))
    for fx, fy in spots:
        counts.reset()
        send(app, motion(app.plane_point(fx, fy)), frames=1)
        assert app.state.hover is not None
        assert counts.uploads and None not in counts.uploads, "the whole surface was uploaded"
        area = sum(w * h for rects in counts.uploads for _, _, w, h in rects)
        assert area < 0.3 * SIZE[0] * SIZE[1]
        assert_surface_is_current(app)
    send(app, motion(left_panel_spot(app)), frames=1)  # off the plane: the readout goes
    assert app.state.hover is None
    assert_surface_is_current(app)
    idle(app, counts)


def test_tile_rects_cover_exactly_the_touched_tiles():
    size = (1000, 700)
    rects = [(10, 10, 30, 30), (70, 10, 100, 20), (500, 300, 1, 1), (990, 690, 50, 50)]
    out = tile_rects(rects, size)
    got = np.zeros(((700 + TILE - 1) // TILE, (1000 + TILE - 1) // TILE), int)
    for x, y, w, h in out:
        assert x % TILE == 0 and y % TILE == 0 and x + w <= size[0] and y + h <= size[1]
        got[y // TILE : (y + h - 1) // TILE + 1, x // TILE : (x + w - 1) // TILE + 1] += 1
    want = np.zeros_like(got)
    for x, y, w, h in rects:
        x1, y1 = min(x + w, size[0]), min(y + h, size[1])
        want[y // TILE : (y1 - 1) // TILE + 1, x // TILE : (x1 - 1) // TILE + 1] = 1
    np.testing.assert_array_equal(got, want)  # each touched tile once, nothing else
    assert tile_rects([], size) == []
    assert tile_rects([(-50, -50, 10, 10)], size) == []
    assert tile_rects([(0, 0, 1000, int(700 * FULL_SHARE) + TILE)], size) == [(0, 0, *size)]


@pytest.mark.parametrize(
    ("views", "label", "live"),
    [
        (None, lambda app: app.scene.panels, lambda s: f"Regions {s.geometry.regions:,}"),
        (("regions", "timeline"), lambda app: app.scene.stage.panels,
         lambda s: f"now: step {s.stage.timeline.last_step:,}"),
    ],
    ids=["region count", "timeline's now"],
)  # fmt: skip
def test_while_training_the_readouts_change_only_when_the_metrics_are_read(
    make_app, views, label, live
):
    """The region count changed with the partition nearly every training frame, the timeline's
    "now" with every step, and each change drew and uploaded the UI again: while training they
    are taken when the metrics are (ten times a second), like the step and the loss; paused,
    they are the live values."""
    app = make_app(menu=False, play=True, points=200, views=views)
    app.run_frames(5, dt=1 / 120)
    state = app.state
    key = "regions" if views is None else "tl_step"
    shown, reads, changes, lives = [], 0, 0, set()
    metrics = state.metrics
    for _ in range(60):
        app.run_frames(1, dt=1 / 120)  # 120 frames a second: a read every 12 frames or so
        text = label(app)._labels[key].text  # noqa: SLF001
        if state.metrics is not metrics:
            reads, metrics = reads + 1, state.metrics
        changes += bool(shown) and text != shown[-1]
        shown.append(text)
        lives.add(live(state))
    assert len(lives) > reads + 1, "the live value changed more often than the metrics were read"
    assert 0 < changes <= reads
    app.state.playing = False
    app.run_frames(1, dt=1 / 120)
    assert live(state) in label(app)._labels[key].text  # noqa: SLF001


def test_the_window_drawn_from_patches_equals_one_uploaded_whole(make_app, monkeypatch):
    """Each upload goes into new textures (sandbox.render.overlay: a patch per changed
    rectangle); after training frames and hovers have left several patches, the window is the
    one a whole upload of the same UI surface composites, to the pixel."""
    app = make_app(menu=False, play=True, points=200)
    pointer = Pointer(monkeypatch)
    for name in ("Reset view", "Undo", "Step"):
        pointer.move(app, app.button(name).rect.center)
        app.run_frames(8, dt=1 / 60)
    overlay = app.renderer.overlay
    assert overlay.patches >= 2, "the frames left patches over the whole picture"
    patched = app.renderer.read_pixels().astype(int)
    overlay.upload(app.app.ui_surface)
    assert overlay.patches == 0
    app.renderer.begin_frame()
    app.scene.draw()
    app.renderer.draw_overlay()
    np.testing.assert_array_equal(app.renderer.read_pixels().astype(int), patched)
