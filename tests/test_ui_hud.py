"""The heads-up display and tooltips keep out of the way, driven through the running app:

- the hover box goes to a corner of the plane that covers neither the cursor nor a level's
  markers (level 9's flag and its distance label), and is not drawn while a file dialog is open;
- tooltips of the panels close when a card opens and do not come back over it; tooltips are
  opaque;
- numbers are plain: 0.001, not 1e-3; big counts in words.
"""

from __future__ import annotations

import pygame
from app_util import motion, send
from gl_util import gl_session_fixture  # noqa: F401
from level_util import close_story, data_dir_fixture, start_level_fixture  # noqa: F401
from pygame_gui.elements import UITooltip

from sandbox import game_actions as G
from sandbox.ui import hud
from sandbox.ui.markers import draw_markers
from sandbox.ui.numbers import compact_count, loss_text, plain_number
from sandbox.ui.theme import scaled_theme


def _hover_at(app, pos) -> tuple[pygame.Rect | None, list[pygame.Rect]]:
    """Move the mouse to `pos` (real events), then where the hover box and markers go."""
    send(app, motion(pos), frames=3)
    scratch = pygame.Surface(app.state.layout.window, pygame.SRCALPHA)
    scene = app.scene
    marks = draw_markers(scratch, app.state, scene.status, scene.views())
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
