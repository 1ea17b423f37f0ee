"""Mouse and keyboard on the plane: the events pygame-gui did not use, turned into actions.

Left drag paints, right drag erases, middle drag (or Space + left drag) pans, Ctrl + left drag
nudges (the smallest move that flips the class), the wheel zooms at the cursor. Space toggles
training when it is released without having panned, so Space+drag can
pan without starting or stopping anything. A drag that started on the plane keeps going (and
ends) even when the mouse passes over a panel. Keys are listed in KEY_HELP, which the help card
shows.
"""

from __future__ import annotations

import pygame

from sandbox import actions as A
from sandbox import game_actions as G
from sandbox.state import AppState
from sandbox.ui.stage_input import STAGE_KEYS
from sandbox.vocab import VIEW_KEYS, View

WHEEL_ZOOM = 1.15

KEY_HELP: tuple[tuple[str, str], ...] = (
    ("Left drag", "paint points of the selected class"),
    ("Right drag", "erase points"),
    ("1 - 6", "choose the class to paint"),
    ("Ctrl+Z / Ctrl+Y", "undo / redo"),
    ("Wheel", "zoom at the cursor"),
    ("Middle drag, Space+drag", "pan"),
    ("O / 0", "zoom out far / reset the view"),
    ("Space", "train / pause"),
    ("S", "one training step"),
    ("R", "reset the network (new seed)"),
    ("+ / -", "faster / slower training"),
    ("F B G C", "field, boundary, regions, creases"),
    ("L / X", "Laplace confidence / split screen"),
    ("D / K", "discrete colours / dots on/off"),
    ("[ / ]", "layer shown by the regions view"),
    ("Enter, arrows", "read a region, walk to the next"),
    ("M / Ctrl+drag", "margins / nudge to flip a class"),
    *STAGE_KEYS,
    ("Tab", "hide / show the panels"),
    ("Ctrl+S / O, Ctrl+L", "save / open a scene; save as a level"),
    ("Ctrl+E / Ctrl+I", "export / import the network weights"),
    ("F9 or Ctrl+R", "record the plane as a GIF / stop"),
    ("F5", "presenter mode"),
    ("?", "every key in big type"),
    ("F12", "save a screenshot"),
    ("W", "what am I looking at? (a picture for each thing)"),
    ("H or F1", "this help"),
    ("Esc", "close this help"),
)

_CTRL_WORKSHOP = {
    pygame.K_s: A.SaveScene,
    pygame.K_o: A.OpenScene,
    pygame.K_e: A.ExportWeights,
    pygame.K_i: A.ImportWeights,
    pygame.K_r: A.ToggleRecording,
    pygame.K_m: A.ExportStats,
    pygame.K_l: G.SaveAsLevel,
}
_VIEW_BY_KEY = {getattr(pygame, f"K_{k.lower()}"): v for v, k in VIEW_KEYS.items()}


class InputMapper:
    """Turns raw pygame events into actions; remembers drags and whether Space is held."""

    def __init__(self) -> None:
        self.drag: str | None = None  # "paint", "erase", "pan", "nudge"
        self.last_pos: tuple[float, float] | None = None
        self.space_down = False
        self.space_panned = False
        self.hovering = False

    def reset(self) -> None:
        self.__init__()

    def handle(self, event: pygame.event.Event, state: AppState, consumed: bool) -> list[A.Action]:
        t = event.type
        if t == pygame.MOUSEMOTION:
            return self._motion(event, state, consumed)
        if t == pygame.MOUSEBUTTONDOWN:
            return [] if consumed else self._down(event, state)
        if t == pygame.MOUSEBUTTONUP:
            return self._up(event)
        if t == pygame.MOUSEWHEEL:
            if consumed:
                return []
            pos = self.last_pos if self.last_pos is not None else pygame.mouse.get_pos()
            if not state.layout.in_plane(pos):
                return []
            dy = getattr(event, "precise_y", event.y) or event.y
            return [A.ZoomAt(pos, WHEEL_ZOOM ** float(dy))]
        if t == pygame.KEYDOWN:
            return [] if consumed else self._key_down(event, state)
        if t == pygame.KEYUP:
            return self._key_up(event)
        if t == pygame.WINDOWLEAVE:
            self.hovering = False
            return [A.Hover(None)]
        return []

    # ------------------------------------------------------------------ mouse
    def _motion(self, event: pygame.event.Event, state: AppState, consumed: bool) -> list[A.Action]:
        pos = (float(event.pos[0]), float(event.pos[1]))
        prev = self.last_pos
        self.last_pos = pos
        out: list[A.Action] = []
        if self.drag == "pan":
            if prev is not None:
                out.append(A.Pan(pos[0] - prev[0], pos[1] - prev[1]))
                if self.space_down:
                    self.space_panned = True
        elif self.drag == "paint":
            out.append(A.Paint(pos, A.Phase.MOVE))
        elif self.drag == "erase":
            out.append(A.Erase(pos, A.Phase.MOVE))
        elif self.drag == "nudge":
            out.append(A.Nudge(pos, A.Phase.MOVE))
        inside = state.layout.in_plane(pos) and not consumed
        if inside:
            out.append(A.Hover(pos))
            self.hovering = True
        elif self.hovering:
            out.append(A.Hover(None))
            self.hovering = False
        return out

    def _down(self, event: pygame.event.Event, state: AppState) -> list[A.Action]:
        pos = (float(event.pos[0]), float(event.pos[1]))
        self.last_pos = pos
        if self.drag is not None or not state.layout.in_plane(pos):
            return []
        if event.button == 2 or (event.button == 1 and self.space_down):
            self.drag = "pan"
            return []
        if event.button == 1 and _ctrl_held():
            self.drag = "nudge"
            return [A.Nudge(pos, A.Phase.BEGIN)]
        if event.button == 1:
            self.drag = "paint"
            return [A.Paint(pos, A.Phase.BEGIN)]
        if event.button == 3:
            self.drag = "erase"
            return [A.Erase(pos, A.Phase.BEGIN)]
        return []

    def _up(self, event: pygame.event.Event) -> list[A.Action]:
        pos = (float(event.pos[0]), float(event.pos[1]))
        drag, self.drag = self.drag, None
        if drag == "paint" and event.button == 1:
            return [A.Paint(pos, A.Phase.END)]
        if drag == "erase" and event.button == 3:
            return [A.Erase(pos, A.Phase.END)]
        if drag == "nudge" and event.button == 1:
            return [A.Nudge(pos, A.Phase.END)]
        if drag == "pan" or drag is None:
            return []
        self.drag = drag  # another button went up; the drag goes on
        return []

    # ------------------------------------------------------------------ keys
    def card_key(self, event: pygame.event.Event, state: AppState) -> list[A.Action]:
        """A key pressed while the help card or the shortcut overlay is up: it goes to the card
        alone. Esc, H/F1, W and ? open, turn or close the cards; F5, F9 and F12 (presenter mode,
        recording, screenshot) still work; every other key does nothing behind the card."""
        if event.type != pygame.KEYDOWN:
            return self._key_up(event) if event.type == pygame.KEYUP else []
        key = event.key
        if getattr(event, "unicode", "") == "?" or key == pygame.K_QUESTION:
            return [A.ToggleShortcuts()]
        if key == pygame.K_ESCAPE:
            close = A.ToggleHelp(state.help_page)  # the open page again: closes the card
            return [A.ToggleShortcuts() if state.workshop.shortcuts else close]
        if key in (pygame.K_h, pygame.K_F1):
            return [A.ToggleHelp()]
        if key == pygame.K_w:
            return [A.ToggleHelp("guide")]
        allowed = {pygame.K_F5: A.TogglePresenter, pygame.K_F9: A.ToggleRecording,
                   pygame.K_F12: A.Screenshot}  # fmt: skip
        return [allowed[key]()] if key in allowed else []

    def _key_down(self, event: pygame.event.Event, state: AppState) -> list[A.Action]:
        key, mod = event.key, event.mod
        ctrl = bool(mod & (pygame.KMOD_CTRL | pygame.KMOD_META))
        shift = bool(mod & pygame.KMOD_SHIFT)
        if ctrl:
            if key == pygame.K_z:
                return [A.Redo() if shift else A.Undo()]
            if key == pygame.K_y:
                return [A.Redo()]
            if key in _CTRL_WORKSHOP:
                return [_CTRL_WORKSHOP[key]()]
            return []
        if getattr(event, "unicode", "") == "?" or key == pygame.K_QUESTION:
            return [A.ToggleShortcuts()]
        if key == pygame.K_ESCAPE and state.workshop.shortcuts:
            return [A.ToggleShortcuts()]
        if key == pygame.K_SPACE:
            self.space_down = True
            self.space_panned = False
            return []
        if pygame.K_1 <= key <= pygame.K_6:
            return [A.SelectClass(key - pygame.K_1)]
        if key in _VIEW_BY_KEY:
            return [A.ToggleView(_VIEW_BY_KEY[key].value)]
        simple: dict[int, A.Action] = {
            pygame.K_s: A.StepOnce(),
            pygame.K_r: A.ResetNetwork(),
            pygame.K_d: A.ToggleDiscretise(),
            pygame.K_k: A.TogglePoints(),
            pygame.K_o: A.ZoomOutFar(),
            pygame.K_0: A.ResetView(),
            pygame.K_HOME: A.ResetView(),
            pygame.K_LEFTBRACKET: A.CycleLayerView(-1),
            pygame.K_RIGHTBRACKET: A.CycleLayerView(1),
            pygame.K_PLUS: A.ChangeSpeed(1),
            pygame.K_EQUALS: A.ChangeSpeed(1),
            pygame.K_KP_PLUS: A.ChangeSpeed(1),
            pygame.K_MINUS: A.ChangeSpeed(-1),
            pygame.K_KP_MINUS: A.ChangeSpeed(-1),
            pygame.K_F12: A.Screenshot(),
            pygame.K_F9: A.ToggleRecording(),
            pygame.K_F5: A.TogglePresenter(),
            pygame.K_h: A.ToggleHelp(),
            pygame.K_F1: A.ToggleHelp(),
            pygame.K_w: A.ToggleHelp("guide"),
        }
        if key in simple:
            return [simple[key]]
        if key == pygame.K_TAB:
            return [A.ToggleUi()]
        if key == pygame.K_ESCAPE and state.show_help:
            return [A.ToggleHelp(state.help_page)]
        return []

    def _key_up(self, event: pygame.event.Event) -> list[A.Action]:
        if event.key == pygame.K_SPACE and self.space_down:
            self.space_down = False
            if self.drag == "pan":
                self.drag = None
            if not self.space_panned:
                return [A.TogglePlay()]
        return []


def _ctrl_held() -> bool:
    """Ctrl (or Cmd) is down now (False where no display reports the keyboard)."""
    try:
        return bool(pygame.key.get_mods() & (pygame.KMOD_CTRL | pygame.KMOD_META))
    except pygame.error:
        return False


def view_from_key(key: int) -> View | None:
    return _VIEW_BY_KEY.get(key)
