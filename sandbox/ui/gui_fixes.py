"""Fixes for pygame-gui (0.6.14) that the app installs before it makes its first UI manager.

Every element pygame-gui builds asks its theme for the element's "combined ids"
(`UIAppearanceTheme.build_all_combined_ids`) and the theme memoises the answer under a key made
with nested `str.join`: `str(base_ids).join(str(element_ids).join(str(class_ids)).join(
str(object_ids)))`, which puts a copy of one list's text between every two characters of the
next. For the app's panels a key is 50,000 to 700,000 characters: the sandbox's theme held 92
of them, 59 MB, for the manager's whole life, and building them was a quarter of a panel
rebuild (0.55 s of 3.1 s over six resizes). `install` replaces the method with one keyed by
the id lists themselves, same answers, same memo.

A UI manager at a UI scale not seen before (presenter mode, a resize) loads every font of its
theme again, and pygame-gui reads each font's file from its package for each one
(`FontResource.load`: 29 reads in one level's rebuild). `install` also makes a package font
load from its bytes, read once and kept: a manager with the app's theme at a new scale takes
13-17 ms instead of 26-31. The bytes, not the file's path: SDL_ttf keeps a font's file open
for the font's life, about 60 files per manager.
"""

from __future__ import annotations

import io
from importlib import resources
from typing import Any

import pygame
from pygame_gui.core.gui_font_pygame import GUIFontPygame
from pygame_gui.core.ui_appearance_theme import UIAppearanceTheme
from pygame_gui.core.utility import FontResource, PackageResource

_INSTALLED = "_origami_combined_ids_fixed"
original: Any = None  # pygame-gui's own method, once replaced (the tests compare the two)
original_font_load: Any = None  # pygame-gui's FontResource.load, once replaced
_font_bytes: dict[tuple[str, str], bytes] = {}  # a package font's file, read once


def _frozen(ids: list | None) -> tuple | None:
    return None if ids is None else tuple(ids)


def build_all_combined_ids(
    self: Any,
    element_base_ids: list | None,
    element_ids: list | None,
    class_ids: list | None,
    object_ids: list | None,
) -> list[str]:
    """pygame-gui's method with a small memo key; the body is pygame-gui's own (MIT)."""
    key = (
        _frozen(element_base_ids),
        _frozen(element_ids),
        _frozen(class_ids),
        _frozen(object_ids),
    )
    memo = self.unique_theming_ids
    found = memo.get(key)
    if found is not None:
        return found
    combined_ids: list[str] = []
    if (
        object_ids is not None
        and element_ids is not None
        and class_ids is not None
        and element_base_ids is not None
    ):
        n = len(element_ids)
        if len(object_ids) != n or len(class_ids) != n or len(element_base_ids) != n:
            raise ValueError(
                "Object & class ID hierarchy is not equal in length to Element ID hierarchy"
                f"Element IDs: {element_ids}\nClass IDs: {class_ids}\n\nObject IDs: {object_ids}\n"
            )
        if n:
            self._get_next_id_node(
                None, element_base_ids, element_ids, class_ids, object_ids, 0, n, combined_ids
            )
        # then each id without its leading parts, most specific first (as pygame-gui does)
        current = combined_ids[:]
        done = not current
        while not done:
            for index, text in enumerate(current):
                stop = text.find(".")
                if stop == -1:
                    done = True
                else:
                    current[index] = text[stop + 1 :]
                    combined_ids.append(current[index])
    memo[key] = combined_ids
    return combined_ids


def load_font(self: FontResource) -> Exception | None:
    """pygame-gui's `FontResource.load`, a package font from its bytes read once (the same
    font; any other location as pygame-gui loads it)."""
    location = self.location
    if not isinstance(location, PackageResource) or self.font_type_to_use != "pygame":
        return original_font_load(self)
    key = (location.package, location.resource)
    try:
        data = _font_bytes.get(key)
        if data is None:
            data = (resources.files(location.package) / location.resource).read_bytes()
            _font_bytes[key] = data
        self.loaded_font = GUIFontPygame(io.BytesIO(data), self.size, self.force_style, self.style)
    except (pygame.error, OSError):
        return FileNotFoundError(f"Unable to load resource with path: {location}")
    return None


def install() -> bool:
    """Put the fixes in place (once); False when this pygame-gui has no such methods to fix."""
    global original, original_font_load
    if getattr(UIAppearanceTheme, _INSTALLED, False):
        return True
    if not hasattr(UIAppearanceTheme, "_get_next_id_node") or not hasattr(FontResource, "load"):
        return False
    original = UIAppearanceTheme.build_all_combined_ids
    UIAppearanceTheme.build_all_combined_ids = build_all_combined_ids
    original_font_load = FontResource.load
    FontResource.load = load_font
    setattr(UIAppearanceTheme, _INSTALLED, True)
    return True
