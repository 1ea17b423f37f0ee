"""Who owns the keyboard: a pygame-gui text box or dialog window that has focus, or the app.

pygame-gui's text boxes read characters from TEXTINPUT events and leave most KEYDOWN events
unconsumed, so without this rule typing "reset" into the Save dialog would also press R (reset
the network), E, S... The rule is the one in the design notes: while a text box, or any element
of a window (file dialogs are windows), has focus, keys go to it alone. Esc in such a window
closes it, as it does in every desktop dialog.
"""

from __future__ import annotations

import pygame
import pygame_gui
from pygame_gui.core import UIElement
from pygame_gui.elements import UITextEntryBox, UITextEntryLine, UIWindow

KEY_EVENTS = (pygame.KEYDOWN, pygame.KEYUP, pygame.TEXTINPUT, pygame.TEXTEDITING)


def _window_of(element: UIElement | None) -> UIWindow | None:
    """The window `element` sits in (itself, or a container above it), None when none."""
    seen = 0
    while element is not None and seen < 64:  # containers nest a few levels; never loop
        if isinstance(element, UIWindow):
            return element
        container = getattr(element, "ui_container", None)
        element = getattr(container, "parent_element", None) if container is not None else None
        seen += 1
    return None


def _focused(manager: pygame_gui.UIManager) -> list[UIElement]:
    """The manager's focus set, and text boxes focused directly (`focus()` on an element, as
    the file dialog does for its name line, does not enter the manager's focus set)."""
    found = list(manager.get_focus_set() or ())
    for element in manager.get_sprite_group().sprites():
        if isinstance(element, UITextEntryLine | UITextEntryBox) and element.is_focused:
            found.append(element)
    return found


def keyboard_owner(manager: pygame_gui.UIManager) -> UIElement | None:
    """The focused text box or dialog window that takes every key now, None if the app does."""
    for element in _focused(manager):
        if not element.alive():
            continue
        window = _window_of(element)
        if window is not None:
            return window
        if isinstance(element, UITextEntryLine | UITextEntryBox) and element.is_enabled:
            return element
    return None


def route_key(manager: pygame_gui.UIManager, event: pygame.event.Event) -> bool:
    """True when `event` is a key for the focused text box or window (the app must ignore it).

    Esc pressed in a window closes the window (which posts its close event, so the dialog's
    owner learns it was cancelled).
    """
    if event.type not in KEY_EVENTS:
        return False
    owner = keyboard_owner(manager)
    if owner is None:
        return False
    if isinstance(owner, UIWindow) and event.type == pygame.KEYDOWN:
        if event.key == pygame.K_ESCAPE:
            owner.kill()
    return True


LOST_SELECTION = "No selected rows."  # pygame-gui's words when a text line's selection is stale


def process_ui_event(manager: pygame_gui.UIManager, event: pygame.event.Event) -> bool:
    """`manager.process_events(event)`, safe from one pygame-gui fault: a text line whose
    selection outlived its layout (the file dialog's path line, after a click in the list
    replaced the text under a selection) raises IndexError on Backspace or Delete. The key is
    then dropped, the stale selection cleared, and the event counted as consumed (the text box
    had the keyboard)."""
    try:
        return bool(manager.process_events(event))
    except IndexError as exc:
        if str(exc) != LOST_SELECTION:
            raise
        for element in _focused(manager):
            if isinstance(element, UITextEntryLine):
                element.select_range = [0, 0]
                element.edit_position = min(element.edit_position, len(element.get_text()))
        return True
