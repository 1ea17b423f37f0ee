"""Keys and clicks of reading a region, turned into sandbox.region_actions before the plane's
own input (paint, erase, pan) sees them.

Enter reads the region under the pointer, and so does a left click while the toolbar's Read is
on (`ReadingState.tool`). While a region is read: a left click on the plane
reads the region clicked (or, within a few pixels of a crease, lights up where that crease's
neuron is on), a click on the card uses the card (a neuron's bit lights it, Copy, the close
box), the arrow keys walk to the neighbour across one crease that way, Ctrl+C copies the
region's numbers and Esc lets go, so the brush paints again. A Ctrl + press is left to the
plane's input (nudge to flip a class). Keys a text field or dialog used
(`consumed`) never get here. `handle` returns the actions and whether the event was used.
"""

from __future__ import annotations

import pygame

from sandbox import region_actions as R
from sandbox.actions import Action
from sandbox.state import AppState
from sandbox.ui.region_card import card_layout

ARROWS = {
    pygame.K_LEFT: (-1, 0),
    pygame.K_RIGHT: (1, 0),
    pygame.K_UP: (0, 1),
    pygame.K_DOWN: (0, -1),
}
READ_KEYS = (pygame.K_RETURN, pygame.K_KP_ENTER)
CTRL = pygame.KMOD_CTRL | pygame.KMOD_META


class RegionInput:
    """Turns events into reading actions; remembers a press it took, to swallow its release."""

    def __init__(self) -> None:
        self.pressed = False

    def handle(
        self, event: pygame.event.Event, state: AppState, consumed: bool
    ) -> tuple[list[Action], bool]:
        t = event.type
        clicks_read = state.reading.active or state.reading.tool
        if t == pygame.KEYDOWN and not consumed:
            return self._key(event, state)
        if t == pygame.MOUSEBUTTONDOWN and not consumed and clicks_read and event.button == 1:
            pos = (float(event.pos[0]), float(event.pos[1]))
            if not state.layout.in_plane(pos) or pygame.key.get_mods() & CTRL:
                return [], False  # Ctrl + drag still nudges a point (sandbox.ui.input)
            self.pressed = True
            return self._click(pos, state), True
        if t == pygame.MOUSEBUTTONUP and event.button == 1 and self.pressed:
            self.pressed = False
            return [], True
        return [], False

    def _key(self, event: pygame.event.Event, state: AppState) -> tuple[list[Action], bool]:
        key, mod = event.key, event.mod
        reading = state.reading.active
        if mod & CTRL:
            if key == pygame.K_c and reading:
                return [R.CopyRegion()], True
            return [], False
        if mod & pygame.KMOD_ALT:
            return [], False
        if key in READ_KEYS:
            pos = state.hover_pos
            if pos is not None and state.layout.in_plane(pos):
                return [R.ReadAt(pos)], True
            return [], False
        if key == pygame.K_ESCAPE and state.reading.tool:
            return [R.StopReading()], True
        if not reading:
            return [], False
        if key == pygame.K_ESCAPE:
            return [R.StopReading()], True
        if key in ARROWS:
            dx, dy = ARROWS[key]
            return [R.WalkRegion(dx, dy)], True
        return [], False

    def _click(self, pos: tuple[float, float], state: AppState) -> list[Action]:
        lay = card_layout(state)
        if lay is None or not lay.rect.collidepoint(pos):
            return [R.ReadAt(pos, crease=True)]
        if lay.close.collidepoint(pos):
            return [R.StopReading()]
        if lay.copy is not None and lay.copy.collidepoint(pos):
            return [R.CopyRegion()]
        for rect, layer, index in lay.cells:
            if rect.inflate(2, 2).collidepoint(pos):
                return [R.LightNeuron(layer, index)]
        return []
