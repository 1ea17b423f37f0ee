"""The scene interface: one class per screen (loading, menu, sandbox, level), and the controller
interface: one class per feature of a screen (the plane, the 3D view, the probe...).

A scene is the only writer of the application state while it is active. The app hands it every
event (with whether pygame-gui used it) to turn into actions, then asks it to apply the actions,
advance one frame, draw the plane with GL and draw its custom overlay onto the UI surface. A
scene switches to another by setting `next_scene`; the app performs the switch between frames.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING, Any

import pygame

from sandbox import actions as A
from sandbox.state import AppState

if TYPE_CHECKING:
    import pygame_gui

    from sandbox.app import App

Handler = Callable[[Any], None]
Routes = dict[type[A.Action], Handler]


class Scene:
    """Base class: override what the screen needs; the defaults do nothing."""

    name = "scene"

    def __init__(self, app: App) -> None:
        self.app = app
        self.state: AppState = app.state
        self.next_scene: Scene | None = None

    # lifecycle
    def enter(self) -> None:
        """Called once when the scene becomes active (after the previous one's exit)."""

    def exit(self) -> None:
        """Called once when the scene stops being active."""

    # UI
    def build_ui(self, manager: pygame_gui.UIManager) -> None:
        """Create this screen's pygame-gui elements (called again after a UI rebuild)."""

    def translate(self, event: pygame.event.Event, consumed: bool) -> list[A.Action]:
        """Actions for one event; `consumed` says whether a pygame-gui widget used it."""
        return []

    # frame
    def apply(self, action: A.Action) -> None:
        """Change the state as the action asks (the only place state is written)."""

    def update(self, dt: float) -> None:
        """Advance one frame of `dt` seconds (training, geometry, readouts)."""

    def draw(self) -> None:
        """Draw the GL part of the frame (the plane)."""

    def draw_underlay(self, surface: pygame.Surface) -> None:
        """Draw marks on the views (captions, cursor, readouts, messages) onto the UI surface before
        pygame-gui, so its panels and cards cover them."""

    def draw_overlay(self, surface: pygame.Surface) -> None:
        """Draw custom cards (help, shortcuts) onto the UI surface after pygame-gui, above
        everything else."""

    def hud_key(self) -> Hashable:
        """Everything `draw_underlay` and `draw_overlay` show but the marks that follow the
        pointer, as plain values: the UI surface is drawn again when it changes
        (sandbox.ui.redraw), and only then."""
        return None

    def pointer_marks(self) -> tuple[Hashable, list[tuple[int, int, int, int]] | None]:
        """The marks that follow the pointer (a hover readout, a brush ring): what they show,
        as plain values, and the rectangles they cover this frame; when only they changed the
        UI surface is drawn again there (and where they were), or everywhere when the
        rectangles are None."""
        return None, []


class Controller:
    """One feature of a screen: the actions it owns (`routes`), what it derives each frame
    (`update`) and what it draws (`draw`). The screen builds its routing table from the
    controllers' `routes`, so which code applies an action is written down, not guessed."""

    def routes(self) -> Routes:
        """Action type -> the method that applies it."""
        return {}

    def update(self, dt: float) -> None:
        """Advance one frame: rebuild what this feature shows when its inputs changed."""

    def draw(self) -> None:
        """Draw this feature's GL part (through its render adapter in sandbox.render)."""


def build_routes(*controllers: Controller) -> Routes:
    """The routing table of a screen; an action type claimed twice is a programming error."""
    table: Routes = {}
    for c in controllers:
        for kind, handler in c.routes().items():
            if kind in table:
                raise RuntimeError(f"{kind.__name__} is routed to two controllers")
            table[kind] = handler
    return table
