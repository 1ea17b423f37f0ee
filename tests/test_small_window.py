"""The sandbox at 800x600 gives the plane the room: its two side panels share one column under
two tabs (Data, Network), so the plane keeps most of the width, while 1280x800 and 1920x1080 keep
both panels side by side at a readable scale.

Each size is started as the real app (offscreen GL) and measured; at 800x600 the tabs are
clicked, as a user would, and the panel each shows is used (a colour picked, Train pressed).
"""

from __future__ import annotations

from pathlib import Path

import pygame
import pytest
from app_util import app_factory, hover_click, send
from gl_util import gl_session_fixture  # noqa: F401

from sandbox import actions as A


@pytest.fixture
def start_app(gl_session, tmp_path, monkeypatch):
    """`start(size, scale)`: the real app, offscreen, on moons (the shared app factory)."""
    make, close = app_factory(
        {"dataset": "moons"}, tmp_path, monkeypatch, data_dir=tmp_path / "data"
    )
    yield lambda size, scale: make(size=size, ui_scale=scale).app
    close()


# (window, UI scale asked for): least plane (w, h), least scale the panels keep, tabs or not
# (800x600: two toolbar rows; a picture's Error and Dots buttons make three, see below)
CASES = [
    ((800, 600), 1.0, (540, 345), 1.0, True),
    ((800, 600), 2.0, (540, 345), 1.0, True),
    ((1280, 800), 1.0, (700, 520), 1.0, False),
    ((1920, 1080), 2.0, (1100, 680), 1.5, False),
]


@pytest.mark.parametrize(("size", "scale", "least", "least_scale", "tabs"), CASES)
def test_the_plane_gets_the_room_at_each_window_size(start_app, size, scale, least, least_scale,
                                                      tabs):  # fmt: skip
    app = start_app(size, scale)
    lay = app.state.layout
    x, y, w, h = lay.plane
    assert w >= least[0] and h >= least[1], f"plane {w}x{h} at {size}"
    assert lay.scale >= least_scale
    assert (lay.tabs[2] > 0) == tabs
    panels = app.scene.panels
    assert panels.visible
    window = pygame.Rect((0, 0), size)
    # nothing of the UI covers the plane, and the toolbar fits above it
    for el in panels.elements:
        if el.alive() and el.visible and el.ui_container is not None:
            assert not pygame.Rect(lay.plane).colliderect(el.rect), f"{el} covers the plane"
    toolbar = [b for b in panels._toggles.values() if b.rect.bottom <= y]  # noqa: SLF001
    assert toolbar and all(window.contains(b.rect) for b in toolbar)


def _button(app, text):
    found = [el for el in app.scene.panels.elements
             if el.alive() and getattr(el, "text", None) == text]  # fmt: skip
    assert found, f"no {text!r} button"
    return found[0]


def test_the_tabs_show_each_side_panel_at_800x600(start_app):
    app = start_app((800, 600), 1.0)
    assert app.state.layout.tabs[2] > 0
    # the network tab first: Train is there and trains
    send(app, hover_click(_button(app, "Train").rect.center), frames=3)
    assert app.state.playing
    send(app, hover_click(_button(app, "Pause").rect.center), frames=2)
    assert not app.state.playing
    # the Data tab: the colour swatches (the network's panel is gone from the column)
    send(app, hover_click(_button(app, "Data").rect.center), frames=3)
    assert not any(getattr(el, "text", "") == "Train" for el in app.scene.panels.elements
                   if el.alive())  # fmt: skip
    send(app, hover_click(_button(app, "3").rect.center), frames=2)
    assert app.state.selected_class == 2
    # and back
    send(app, hover_click(_button(app, "Network").rect.center), frames=3)
    assert _button(app, "Train").alive()


def test_the_picture_buttons_come_and_go_with_a_picture(start_app):
    """Error and Dots only mean something for a picture: without one the 800x600 toolbar keeps
    two rows, and dropping a picture on the window brings them (and a third row)."""
    app = start_app((800, 600), 1.0)
    texts = {getattr(el, "text", None) for el in app.scene.panels.elements if el.alive()}
    assert "Field" in texts and not texts & {"Error", "Dots"}
    assert app.state.layout.plane[3] >= 345
    picture = Path(__file__).parent.parent / "assets" / "disk.png"
    send(app, [pygame.event.Event(pygame.DROPFILE, file=str(picture), window=None)], frames=3)
    assert app.state.preset.startswith("image:")
    _, y, w, h = app.state.layout.plane
    assert w >= 540 and h >= 300
    dots = _button(app, "Dots")
    assert dots.rect.bottom <= y and _button(app, "Error").rect.bottom <= y
    send(app, hover_click(dots.rect.center), frames=2)  # the picture's pixels as dots
    assert app.state.show_points
    # back to a point set: the buttons go and the plane is as tall as before
    app.scene.apply(A.LoadPreset("moons"))
    send(app, [], frames=3)
    texts = {getattr(el, "text", None) for el in app.scene.panels.elements if el.alive()}
    assert not texts & {"Error", "Dots"} and app.state.layout.plane[3] >= 345
