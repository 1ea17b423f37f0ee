"""Synthetic pygame input events for the tests that drive the running app through its event loop.

Each helper returns the list of events one gesture produces (a key press, a click, a drag, a
wheel step), carrying the attributes pygame-ce and pygame-gui read, so a test can hand them to
`App.run_frames` as a real user's input; `send` feeds a list and lets the app run a few frames.

Use in a test module:
    from app_util import click, key, send
"""

from __future__ import annotations

import numpy as np
import pygame


def ev(kind: int, **kw) -> pygame.event.Event:
    return pygame.event.Event(kind, **kw)


def key(k: int, mod: int = 0, unicode: str = "") -> list[pygame.event.Event]:
    return [
        ev(pygame.KEYDOWN, key=k, mod=mod, unicode=unicode, scancode=0),
        ev(pygame.KEYUP, key=k, mod=mod, unicode=unicode, scancode=0),
    ]


def click(pos) -> list[pygame.event.Event]:
    return [
        ev(pygame.MOUSEBUTTONDOWN, pos=pos, button=1, touch=False, window=None),
        ev(pygame.MOUSEBUTTONUP, pos=pos, button=1, touch=False, window=None),
    ]


def motion(pos) -> list[pygame.event.Event]:
    return [
        ev(pygame.MOUSEMOTION, pos=pos, rel=(0, 0), buttons=(0, 0, 0), touch=False, window=None)
    ]


def hover_click(pos) -> list[pygame.event.Event]:
    """The pointer moves onto `pos` first, so pygame-gui has hovered the element it clicks."""
    return motion(pos) + click(pos)


def drag(a, b, button: int = 1, steps: int = 6) -> list[pygame.event.Event]:
    held = (button == 1, button == 2, button == 3)
    out = [ev(pygame.MOUSEBUTTONDOWN, pos=a, button=button, touch=False, window=None)]
    prev = a
    for t in np.linspace(0.0, 1.0, steps)[1:]:
        p = (round(a[0] + t * (b[0] - a[0])), round(a[1] + t * (b[1] - a[1])))
        rel = (p[0] - prev[0], p[1] - prev[1])
        out.append(ev(pygame.MOUSEMOTION, pos=p, rel=rel, buttons=held, touch=False, window=None))
        prev = p
    out.append(ev(pygame.MOUSEBUTTONUP, pos=b, button=button, touch=False, window=None))
    return out


def wheel(y: int) -> list[pygame.event.Event]:
    return [
        ev(pygame.MOUSEWHEEL, x=0, y=y, precise_x=0.0, precise_y=float(y), flipped=False,
           touch=False, which=0, window=None)
    ]  # fmt: skip


def send(app, events: list, frames: int = 2, dt: float = 1 / 30) -> None:
    """Deliver `events` in one frame, then run until `frames` frames have passed."""
    app.run_frames(1, {0: events}, dt=dt)
    if frames > 1:
        app.run_frames(frames - 1, dt=dt)


def type_text(text: str) -> list[pygame.event.Event]:
    """What typing `text` on a keyboard produces: per character a key press, the TEXTINPUT that
    text boxes read, and the key release (a shortcut listener sees the presses too)."""
    out: list[pygame.event.Event] = []
    for ch in text:
        k = pygame.key.key_code(ch) if ch.isalnum() else ord(ch)
        down = ev(pygame.KEYDOWN, key=k, mod=0, unicode=ch, scancode=0)
        up = ev(pygame.KEYUP, key=k, mod=0, unicode=ch, scancode=0)
        out += [down, ev(pygame.TEXTINPUT, text=ch, window=None), up]
    return out


# ----------------------------------------------------------------------------- the app under test
class Driver:
    """A started app and the gestures a test sends it; anything else (state, scene, run_frames,
    write_png, renderer...) falls through to the App itself."""

    def __init__(self, app) -> None:
        self.app = app

    def __getattr__(self, name: str):
        return getattr(self.app, name)

    def __setattr__(self, name: str, value) -> None:
        if name == "app":
            object.__setattr__(self, name, value)
        else:
            setattr(self.app, name, value)

    @property
    def cs(self):
        """The stage views' state (3D view, probe, inspector, timeline)."""
        return self.app.state.stage

    def send(self, events: list, frames: int = 2) -> None:
        send(self.app, events, frames=frames)

    def plane_point(self, fx: float, fy: float) -> tuple[int, int]:
        x, y, w, h = self.app.state.layout.plane
        return (round(x + fx * w), round(y + fy * h))

    def world(self, pos) -> np.ndarray:
        return self.app.scene.plane.to_world(pos)

    def button(self, text: str, panels=None):
        from pygame_gui.elements import UIButton

        panels = panels if panels is not None else self.app.scene.panels
        found = [e for e in panels.elements if isinstance(e, UIButton) and e.text == text]
        assert found, f"no button {text!r}"
        return found[0]

    def stage_button(self, text: str):
        return self.button(text, self.app.scene.stage.panels)

    def press(self, text: str) -> None:
        self.send(click(self.button(text).rect.center), frames=2)


def app_factory(defaults: dict, tmp_path, monkeypatch, files_dir=None, data_dir=None, cwd=None):
    """`make(**config)` starts an App offscreen (hidden window, no loading screen unless asked),
    runs two frames and returns its Driver; `close()` closes them all and returns the OpenGL
    errors left behind. The `make_app` fixture of conftest.py wraps this, and so do the
    fixtures that start levels and the menu.

    `defaults` are AppConfig fields a call does not give. The app's files (screenshots, saved
    scenes) go to `files_dir` (default `tmp_path`), its progress and settings to `data_dir` when
    given; it runs in `cwd` (default `tmp_path`)."""
    from sandbox.app import App
    from sandbox.config import AppConfig

    monkeypatch.setenv("NEURAL_ORIGAMI_FILES_DIR", str(files_dir or tmp_path))  # files land here
    if data_dir is not None:
        monkeypatch.setenv("NEURAL_ORIGAMI_DATA_DIR", str(data_dir))
    monkeypatch.chdir(cwd or tmp_path)
    apps: list = []

    def make(**kw) -> Driver:
        for k, v in defaults.items():
            kw.setdefault(k, v)
        kw.setdefault("skip_loading", True)
        app = App(AppConfig(**kw))
        app.start(hidden=True)
        pygame.event.get()  # (read, not cleared: pygame-ce 2.5 keeps what clear() drops)
        apps.append(app)
        app.run_frames(2, dt=1 / 30)
        return Driver(app)

    def close() -> list[str]:
        from sandbox.render.gl import gl_error_names

        errors = gl_error_names() if apps and pygame.display.get_init() else []
        if pygame.display.get_init():
            pygame.key.set_mods(0)
        for app in apps:
            app.close()
        return errors

    return make, close
