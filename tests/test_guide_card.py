"""The "What am I looking at?" card: opened from the "?" button and with W, it shows a picture and
a sentence for each thing on the screen, fits the window at 800x600, 1280x800 and 1920x1080, and
W or Esc close it (driven with real events in the running app on the offscreen GL context).
"""

from __future__ import annotations

import pygame
import pytest
from app_util import app_factory, hover_click, key, send
from gl_util import gl_session_fixture  # noqa: F401

from sandbox.ui import guide
from sandbox.ui.input import KEY_HELP


@pytest.fixture
def start_app(gl_session, tmp_path, monkeypatch):
    """`start(size, scale)`: the real app, offscreen, on moons (the shared app factory)."""
    make, close = app_factory(
        {"dataset": "moons"}, tmp_path, monkeypatch, data_dir=tmp_path / "data"
    )
    yield lambda size, scale: make(size=size, ui_scale=scale).app
    close()


def layout_problems(window, scale) -> list[str]:
    lay = guide.guide_layout(window, scale)
    problems = []
    if not pygame.Rect((0, 0), window).contains(lay.card):
        problems.append(f"card {tuple(lay.card)} outside the window {window}")
    inner = lay.card.inflate(-2, -2)
    for what, rect in (
        [("title", lay.title), ("footer", lay.footer)]
        + [(text, rect) for text, rect in lay.lines]
        + [(f"picture {i}", rect) for i, rect in enumerate(lay.pictures)]
    ):
        if not inner.contains(rect):
            problems.append(f"{what!r} at {tuple(rect)} leaves the card {tuple(lay.card)}")
    rects = [r for _, r in lay.lines] + lay.pictures
    for i, a in enumerate(rects):
        for b in rects[i + 1 :]:
            if a.colliderect(b):
                problems.append(f"{tuple(a)} overlaps {tuple(b)}")
    if lay.size < 12:
        problems.append(f"type of {lay.size} px is too small to read")
    return problems


@pytest.mark.parametrize(
    ("size", "scale"),
    [((800, 600), 1.0), ((1280, 800), 1.0), ((1280, 800), 2.0), ((1920, 1080), 2.0)],
    ids=["800x600", "1280x800", "1280x800-ui2", "1920x1080-ui2"],
)
def test_the_guide_opens_from_its_button_and_key_fits_and_closes(start_app, size, scale):
    app = start_app(size, scale)
    s = app.state
    buttons = [el for el in app.scene.panels.elements
               if el.alive() and getattr(el, "text", "") == "?"]  # fmt: skip
    assert len(buttons) == 1, "one ? button opens the guide"
    assert pygame.Rect((0, 0), size).contains(buttons[0].rect)
    send(app, hover_click(buttons[0].rect.center), frames=2)
    assert s.show_help and s.help_page == "guide"
    assert not layout_problems(s.layout.window, s.scale), layout_problems(s.layout.window, s.scale)
    send(app, key(pygame.K_ESCAPE), frames=2)
    assert not s.show_help
    send(app, key(pygame.K_w), frames=2)
    assert s.show_help and s.help_page == "guide"
    send(app, key(pygame.K_h), frames=2)  # H turns to the key list
    assert s.show_help and s.help_page == "keys"
    send(app, key(pygame.K_w), frames=2)
    send(app, key(pygame.K_w), frames=2)  # W again closes
    assert not s.show_help
    assert app.scene.name == "sandbox"


def test_the_guide_names_everything_on_screen_and_is_listed_in_help():
    kinds = [kind for kind, _ in guide.GUIDE]
    assert kinds == ["dots", "regions", "creases", "boundary", "confidence", "3d"]
    for _, words in guide.GUIDE:
        sentences = [p for p in words.replace("!", ".").split(". ") if p.strip()]
        assert len(sentences) <= 3 and len(words) <= 170, words  # short
    assert ("W", "what am I looking at? (a picture for each thing)") in KEY_HELP


@pytest.mark.parametrize("window", [(640, 480), (800, 600), (1280, 800), (1920, 1080)])
@pytest.mark.parametrize("scale", [1.0, 1.25, 1.5, 2.0])
def test_the_guide_fits_every_window_and_scale(window, scale):
    problems = layout_problems(window, scale)
    assert not problems, problems
