"""The heads-up display and tooltips keep out of the way, driven through the running app:

- the hover box goes to a corner of the plane that covers neither the cursor nor a level's
  markers (level 9's flag and its distance label), and is not drawn while a file dialog is open;
- tooltips of the panels close when a card opens and do not come back over it; tooltips are
  opaque;
- presenter mode on a 1280x800 projector gives the plane the window (Tab brings the panels
  back, F5 restores everything), and its big readouts cover a corner, not the plane;
- the loss chart labels only as many decades as it has room for;
- the help card says what the plane shows (regions, creases, boundary, confidence) with a
  picture each, and fits every window;
- numbers are plain: 0.001, not 1e-3; big counts in words.
"""

from __future__ import annotations

from dataclasses import replace

import pygame
from app_util import key, motion, send
from gl_util import gl_session_fixture  # noqa: F401
from level_util import close_story, data_dir_fixture, start_level_fixture  # noqa: F401
from pygame_gui.elements import UITooltip

from sandbox import game_actions as G
from sandbox.state import LossHistory
from sandbox.ui import charts, hud, presenter
from sandbox.ui.input import KEY_HELP
from sandbox.ui.markers import draw_markers
from sandbox.ui.numbers import compact_count, loss_text, plain_number
from sandbox.ui.theme import scaled_theme

APP_DEFAULTS = {"size": (960, 640)}  # as the workshop tests


def _hover_at(app, pos) -> tuple[pygame.Rect | None, list[pygame.Rect]]:
    """Move the mouse to `pos` (real events), then where the hover box and markers go."""
    send(app, motion(pos), frames=3)
    scratch = pygame.Surface(app.state.layout.window, pygame.SRCALPHA)
    scene = app.scene
    marks = draw_markers(scratch, app.state, scene.status, scene.plane.views())
    return hud.draw_hover(scratch, app.state, app.state.scale, avoid=marks), marks


def test_hover_box_keeps_clear_of_cursor_markers_and_dialogs(start_level):
    app = start_level("09-far-away")
    close_story(app)
    s = app.state
    px, py, pw, ph = s.layout.plane
    # every spot of the plane on a coarse grid: the box never covers the cursor or a marker
    seen = set()
    for fx in (0.1, 0.5, 0.9):
        for fy in (0.1, 0.5, 0.9):
            cursor = (round(px + fx * pw), round(py + fy * ph))
            box, marks = _hover_at(app, cursor)
            assert s.hover is not None and marks
            assert box is not None, cursor
            assert not box.collidepoint(cursor), (cursor, box)
            assert box.collidelist(marks) < 0, (cursor, box, marks)
            seen.add(box.topleft)
    assert len(seen) >= 2  # it moved out of the cursor's way
    # while a file dialog is open the box is not drawn (the dialog's backdrop stays clear)
    s.workshop.dialog = "save_scene"
    assert _hover_at(app, (px + pw // 2, py + ph // 2))[0] is None


def test_tooltips_close_when_a_card_opens_and_are_opaque(start_level, monkeypatch):
    app = start_level("11-dead-neurons-and-copycats")
    close_story(app)
    check = app.scene.panels.named["check"]
    # pygame-gui hovers what is under pygame.mouse.get_pos(): the pointer rests on Check
    monkeypatch.setattr(pygame.mouse, "get_pos", lambda: check.rect.center)
    send(app, motion(check.rect.center), frames=2)
    app.run_frames(30, dt=0.05)  # past the tooltip delay, the mouse resting on Check

    def tips() -> list:
        return [t for t in app.manager.get_sprite_group().sprites() if isinstance(t, UITooltip)]

    assert tips(), "the Check button's tooltip shows"
    app.scene.apply(G.ShowStory())  # a card opens (key or button), the mouse stays put
    app.run_frames(40, dt=0.05)
    assert app.scene.status.card == "story"
    assert not [t for t in tips() if t.alive()], "no tooltip over the card"
    # closing the card gives the tips back
    close_story(app)
    check = app.scene.panels.named["check"]
    assert check.tool_tip_text
    for theme in (scaled_theme(1.0), scaled_theme(2.0)):
        bg = theme["tool_tip.text_box"]["colours"]["dark_bg"]
        assert len(bg) == 7 or bg.upper().endswith("FF"), bg


def test_numbers_are_plain():
    assert plain_number(0.001) == "0.001"
    assert plain_number(3e-4) == "0.0003"
    assert plain_number(1e-5) == "0.00001"
    assert plain_number(0.0123) == "0.0123"
    assert plain_number(12.5) == "12.5"
    assert plain_number(10000.0) == "10000"
    assert compact_count(1.9e13) == "19 trillion"
    assert compact_count(2_571_353) == "2.6 million"
    assert loss_text(1.8e-4) == "0.00018"
    assert loss_text(0.25) == "0.2500"
    assert "e" not in loss_text(1.3e-9)
    assert hud.grey_words(-0.259) == "0.00 (black)"
    assert hud.grey_words(0.5) == "0.50"


def test_presenter_mode_gives_a_small_projector_the_plane(make_app):
    app = make_app(size=(1280, 800), points=100)
    s = app.state
    before = (s.layout.plane, s.ui_scale, s.show_ui)
    send(app, key(pygame.K_F5), frames=3)
    assert s.workshop.presenter
    # 1280x800 cannot show the panels at a size a room can read: the plane takes the window,
    # and the message says how to bring the panels back
    assert s.layout.plane == (0, 0, 1280, 800)
    assert "Tab shows the panels" in s.toast.text
    surface = pygame.Surface(s.layout.window, pygame.SRCALPHA)
    box = presenter.draw_big_readouts(surface, s, presenter.overlay_scale(s))
    assert 0 < box.width <= 640 and 0 < box.height <= 800 // 3
    send(app, key(pygame.K_TAB), frames=2)  # the panels come back, at the scale that fits
    assert s.show_ui and s.layout.plane[2] < 1280 and app.scene.panels.visible
    send(app, key(pygame.K_F5), frames=3)
    assert not s.workshop.presenter
    assert (s.layout.plane, s.ui_scale, s.show_ui) == before
    # a large screen keeps its panels, bigger
    big = make_app(size=(1920, 1080), points=100)
    send(big, key(pygame.K_F5), frames=3)
    assert big.state.show_ui and big.state.scale >= 1.5 and "Tab hides" in big.state.toast.text


def test_loss_chart_axis_labels_never_overlap_and_read_plainly():
    pygame.font.init()
    for height, lo, hi in ((60, -8, 0), (90, -5, 1), (200, -3, 0)):
        label_h = charts.font(12).get_height()
        decades = charts.axis_decades(lo, hi, height, label_h)
        assert hi in decades
        spacing = height / (hi - lo)
        gaps = [(a - b) * spacing for a, b in zip(decades, decades[1:], strict=False)]
        assert all(g >= label_h for g in gaps), (height, decades)
    assert charts.axis_decades(-3, 0, 200, 16) == [0, -1, -2, -3]  # room: every decade
    assert [charts.decade_label(e) for e in (-3, -1, 0, 2, 4)] == ["0.001", "0.1", "1", "100",
                                                                    "10k"]  # fmt: skip
    # drawn: a chart 60 px tall over eight decades still renders
    history = LossHistory()
    for i in range(1, 60):
        history.append(i * 10, 10.0 ** (-i / 7), 10.0 ** (-i / 8))
    assert charts.loss_chart(history, (220, 60)).get_size() == (220, 60)


def test_help_card_lists_every_key_and_fits_every_window(make_app):
    app = make_app(size=(1280, 800), points=50)
    send(app, key(pygame.K_h), frames=2)
    s = app.state
    assert s.show_help and s.help_page == "keys"
    assert any(k == "W" for k, _ in KEY_HELP)  # the "what am I looking at" card is listed
    for window in ((800, 600), (1280, 800), (1920, 1080)):
        for scale in (1.0, 1.25, 2.0):
            s.layout = replace(s.layout, window=window)
            surface = pygame.Surface(window, pygame.SRCALPHA)
            rect = hud.draw_help(surface, s, scale)
            assert rect is not None and pygame.Rect((0, 0), window).contains(rect)
            size, columns = hud.help_columns(window, scale)
            f, bold = charts.font(size), charts.font(size, True)
            rows = -(-len(KEY_HELP) // columns)
            pair = max(bold.size(k)[0] for k, _ in KEY_HELP) + round(24 * size / 16)
            pair += max(f.size(v)[0] for _, v in KEY_HELP)
            assert columns * pair <= rect.width, (window, scale)
            assert (rows + 3) * f.get_linesize() <= rect.height, (window, scale)
            if window == (1920, 1080) and scale == 1.0:
                assert columns == 1 and size >= 16  # a big screen: one column, full size
