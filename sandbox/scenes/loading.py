"""The loading screen: shown only while a scene waits for numba kernels that are still compiling.

The app starts sandbox.kernel_cache's KernelWarmer when it opens (the kernels compile in child
processes on a cold start, or load from numba's cache on a thread) and shows its first scene at
once when that scene needs no kernels (the menu). The free sandbox and the levels open at once as
well: they work with the kernels' twins until the kernels are in (SandboxScene.follow_kernels,
LiveLevel). `open_when_ready` opens any other scene that trains or draws geometry (an
experiment, the first scene of a command line) directly when the warmer's "sandbox" stage is
ready, and otherwise behind this screen, whose bar and label follow the warm-up live. The window
stays usable meanwhile: it can be moved, resized or closed.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pygame

from sandbox import actions as A
from sandbox.kernel_cache import SANDBOX, KernelWarmer
from sandbox.scenes.base import Scene
from sandbox.ui import hud
from sandbox.ui.layout import compute_layout

if TYPE_CHECKING:
    from sandbox.app import App

FRAME_SECONDS = 1 / 15  # the loading screen's frame rate while it waits


# A scene that needs no kernels (the menu) draws its first frames before this process loads any
MENU_FIRST_SECONDS = 1.0


def kernel_warmer(app: App, menu_first: bool = False) -> KernelWarmer:
    """The app's warmer, started on first use (menu_first: see MENU_FIRST_SECONDS)."""
    warmer = getattr(app, "kernels", None)
    if warmer is None:
        idle = MENU_FIRST_SECONDS if menu_first else 0.0
        warmer = app.kernels = KernelWarmer.start(idle_first=idle)
    return warmer


def kernels_ready(app: App, group: str | None = None) -> bool:
    """Whether the kernels the sandbox opens with (of one warm-up group, e.g. "geometry", or of
    all) are loaded, so that using them now costs no stall. True without a warmer."""
    warmer = getattr(app, "kernels", None)
    return warmer is None or warmer.ready(SANDBOX, group)


def kernels_compiling(app: App) -> bool:
    """Whether this start compiles the kernels (a first start: tens of seconds) rather than
    loading them from numba's cache (about a second). False without a warmer."""
    warmer = getattr(app, "kernels", None)
    return warmer is not None and warmer.cold


def open_when_ready(app: App, factory: Callable[[], Scene]) -> Scene:
    """The scene `factory` makes, at once when the kernels it needs are ready, else the loading
    screen that makes it when they are. Without a warmer (tests that skip loading) at once."""
    warmer = getattr(app, "kernels", None)
    if warmer is None or warmer.ready(SANDBOX):
        return factory()
    return LoadingScene(app, factory)


@dataclass(frozen=True)
class LoadingView:
    """Everything the loading card shows: drawn again when a new one differs from the last."""

    fraction: float  # the bar, rounded to a thousandth (finer moves draw nothing new)
    label: str  # what is compiling now
    error: str  # why the warm-up failed, if it did
    scale: float  # the UI scale the card is drawn at


class LoadingScene(Scene):
    """Progress bar while the kernels a scene needs compile; then hands over to `then()`."""

    name = "loading"

    def __init__(self, app: App, then: Callable[[], Scene]) -> None:
        super().__init__(app)
        self.then = then
        self.fraction = 0.0
        self.label = "Starting"
        self.error = ""

    def enter(self) -> None:
        self._warmer = kernel_warmer(self.app)
        self._follow()

    def _follow(self) -> None:
        self.fraction, self.label = self._warmer.progress(SANDBOX)
        if self._warmer.error:
            # a failed warm-up only costs speed later: say so, go on
            self.error = f"Some kernels could not be prepared in advance ({self._warmer.error})."

    def apply(self, action: A.Action) -> None:
        if isinstance(action, A.Quit):
            self.state.quit = True
        elif isinstance(action, A.Resize):
            self.state.layout = compute_layout(
                (action.width, action.height),
                self.state.ui_scale,
                self.state.show_ui,
                len(self.state.settings.hidden),
            )

    def update(self, dt: float) -> None:
        self._follow()
        if self._warmer.ready(SANDBOX) and self.next_scene is None:
            self.fraction = 1.0
            self.next_scene = self.then()
        elif dt < FRAME_SECONDS:
            # a bar needs few frames: leave the cores to the compiler (software OpenGL draws
            # on the CPU too)
            time.sleep(FRAME_SECONDS - dt)

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the kernels are ready (tests); True when they are."""
        return self._warmer.wait(SANDBOX, timeout)

    def hud_key(self) -> LoadingView:
        return LoadingView(round(self.fraction, 3), self.label, self.error, self.state.scale)

    def draw_overlay(self, surface: pygame.Surface) -> None:
        hud.draw_loading(surface, self.fraction, self.label, self.state.scale, self.error)
