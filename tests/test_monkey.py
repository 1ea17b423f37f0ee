"""The monkey in the suite: seeded random input on every screen, and the crashes it found.

Each screen (menu, free sandbox, the sandbox with every view, every level) gets a seeded stream of
plausible gestures (sandbox.bench.monkey) through the real app's event loop, offscreen with a
real OpenGL context, with window sizes from 1x1 up. A failure names the screen, seed and gesture
and prints the command that replays it. MONKEY_EVENTS scales the number of events per screen.
Above them, one regression test per crash the monkey found, made from its reproduction.
"""

from __future__ import annotations

import os
from dataclasses import fields

import pygame
import pytest
from app_util import app_factory, ev, key
from gl_util import gl_session_fixture  # noqa: F401

from sandbox.app import MIN_USABLE_WINDOW, App
from sandbox.bench.monkey import Monkey, MonkeyRun, level_screens, screen_config

# The suite's share of monkeying, sized for CI's budget (2 cores, the whole suite in minutes); the
# long soaks (100,000 events and more) are `python -m sandbox.bench monkey`.
EVENTS = int(os.environ.get("MONKEY_EVENTS", "500"))
VIEWS_EVENTS = max(1, EVENTS * 4 // 5)  # every view at once: the costliest frames
LEVEL_EVENTS = max(1, EVENTS // 4)


def resize(w: int, h: int) -> list:
    return [ev(pygame.VIDEORESIZE, w=w, h=h, size=(w, h))]


@pytest.fixture
def open_screen(gl_session, tmp_path, monkeypatch):
    make, close = app_factory({}, tmp_path, monkeypatch)

    def open_(screen: str, size=(1280, 800)) -> App:
        config = screen_config(screen, size, tmp_path)
        return make(**{f.name: getattr(config, f.name) for f in fields(config)}).app

    yield open_
    errors = close()
    assert not errors, f"OpenGL errors: {errors}"


def run(app: App, *gestures: list, frames: int = 2) -> None:
    for events in gestures:
        app.run_frames(1, {0: events}, dt=1 / 30)
        app.run_frames(frames - 1, dt=1 / 30)


# ----------------------------------------------------------------------------- regressions
@pytest.mark.parametrize("width", [81, 100, 135])
def test_a_level_survives_a_narrow_window(open_screen, width):
    # was: RuntimeError "Row longer than layout" in the level panels, then on every frame
    app = open_screen("level:07-the-ring")
    run(app, resize(width, 600), resize(1280, 800), [])
    assert app.state.layout.window == (1280, 800)
    assert not app.too_small


@pytest.mark.parametrize("k", [pygame.K_s, pygame.K_o, pygame.K_e, pygame.K_i])
def test_file_dialogs_in_a_small_window(open_screen, k):
    # was: RecursionError inside the file dialog, then AttributeErrors on every later frame
    app = open_screen("sandbox")
    run(app, resize(120, 90), key(k, pygame.KMOD_CTRL), resize(1280, 800), [])
    # the dialog shortcut pressed below the usable size did nothing; a real one opens now
    run(app, key(k, pygame.KMOD_CTRL), key(pygame.K_ESCAPE))
    assert not app.too_small


def test_a_dialog_open_while_the_window_shrinks(open_screen):
    app = open_screen("sandbox")
    run(app, key(pygame.K_s, pygame.KMOD_CTRL), resize(110, 80), resize(1000, 700), [])
    assert app.state.layout.window == (1000, 700)


def test_split_view_in_a_one_pixel_window(open_screen):
    # was: ValueError "viewport size 0xH" on every frame
    app = open_screen("views")
    run(app, resize(1, 600), resize(1, 1), resize(900, 700))
    assert app.state.layout.window == (900, 700)


@pytest.mark.parametrize("size", [(80, 60), (1, 1), (64, 64)])
def test_menu_and_cards_in_tiny_windows(open_screen, size):
    # was: pygame.error "Invalid resolution for Surface" in the menu; an overlay card at 1x1
    for screen in ("menu", "level:01-one-crease"):
        app = open_screen(screen)
        run(app, resize(*size), [], resize(800, 600))
        assert app.state.layout.window == (800, 600)


def test_below_the_usable_size_a_card_asks_for_room_and_keys_do_nothing(open_screen):
    app = open_screen("sandbox")
    app.run_frames(20, dt=1 / 30)
    points = len(app.state.points)
    w, h = MIN_USABLE_WINDOW
    run(app, resize(w - 1, h))
    assert app.too_small
    # C clears the points in the sandbox: below the usable size the scene gets no keys at all
    run(app, key(pygame.K_c, pygame.KMOD_CTRL | pygame.KMOD_SHIFT), key(pygame.K_r))
    assert len(app.state.points) == points
    # the card fills the window: every pixel is the paper background or its dark text
    pixels = app.renderer.read_pixels()
    assert pixels.shape[:2] == (h, w - 1)
    dark = (pixels[..., :3].astype(int).sum(axis=2) < 300).mean()
    assert 0.002 < dark < 0.2, f"text covers {dark:.3%} of the card"
    run(app, resize(w, h))
    assert not app.too_small and app.state.layout.window == (w, h)


def test_the_app_starts_below_the_usable_size():
    # `--size 64x64 --screenshot x.png` gave a traceback: the scene was laid out for 64x64
    import subprocess
    import sys

    env = dict(os.environ, SDL_VIDEODRIVER="offscreen", PYOPENGL_PLATFORM="egl")
    out = subprocess.run(
        [sys.executable, "-m", "sandbox", "--size", "64x64", "--screenshot", "tiny.png"],
        capture_output=True, text=True, env=env, timeout=240, cwd=os.getcwd(),
    )  # fmt: skip
    assert out.returncode == 0, out.stderr[-2000:]
    assert "Traceback" not in out.stderr
    os.remove("tiny.png")


# ----------------------------------------------------------------------------- the monkey
def test_the_monkey_is_reproducible():
    one, two = Monkey(7, "any"), Monkey(7, "any")
    a = [one.gesture((800, 600)) for _ in range(50)]
    b = [two.gesture((800, 600)) for _ in range(50)]
    assert [(g.kind, g.detail) for g in a] == [(g.kind, g.detail) for g in b]
    kinds = {g.kind for g in a}
    assert {"click", "key", "drag"} <= kinds


SCREENS = [
    ("menu", EVENTS, "suite"),
    ("sandbox", EVENTS, "suite"),
    ("views", VIEWS_EVENTS, "usual"),
]
SCREENS += [(s, LEVEL_EVENTS, "suite") for s in level_screens()]


@pytest.mark.slow
@pytest.mark.parametrize("screen,events,sizes", SCREENS, ids=[s[0] for s in SCREENS])
def test_monkey(gl_session, tmp_path, screen, events, sizes):
    seed = 1000 + SCREENS.index((screen, events, sizes))
    report = MonkeyRun(screen, seed, (1024, 700), sizes, workdir=tmp_path).run(events)
    print(report.summary())
    if report.failures:
        f = report.failures[0]
        pytest.fail(
            f"{screen}: exception at gesture {f.gesture_index} ({f.gesture}); replay with\n"
            f"  {f.replay()}\n{f.error}"
        )
    assert not report.gl_errors, report.gl_errors[:5]
    assert report.events >= events


def test_the_benchmarks_screen_lists_expand_levels():
    from sandbox.bench.monkey import level_screens, screen_names

    levels = level_screens()
    assert len(levels) >= 12 and all(name.startswith("level:") for name in levels)
    assert list(screen_names("menu, levels,sandbox,")) == ["menu", *levels, "sandbox"]
