"""A fix for pygame-gui (0.6.14) that the app installs before it makes its first UI manager.

Every element pygame-gui builds asks its theme for the element's "combined ids"
(`UIAppearanceTheme.build_all_combined_ids`) and the theme memoises the answer under a key made
with nested `str.join`: `str(base_ids).join(str(element_ids).join(str(class_ids)).join(
str(object_ids)))`, which puts a copy of one list's text between every two characters of the
next. For the app's panels a key is 50,000 to 700,000 characters: the sandbox's theme held 92
of them, 59 MB, for the manager's whole life, and building them was a quarter of a panel
rebuild (0.55 s of 3.1 s over six resizes). `install` replaces the method with one keyed by
the id lists themselves, same answers, same memo.
"""

from __future__ import annotations

from typing import Any

_INSTALLED = "_origami_combined_ids_fixed"
original: Any = None  # pygame-gui's own method, once replaced (the tests compare the two)


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


def install() -> bool:
    """Put the fix in place (once); False when this pygame-gui has no such method to fix."""
    from pygame_gui.core.ui_appearance_theme import UIAppearanceTheme

    global original
    if getattr(UIAppearanceTheme, _INSTALLED, False):
        return True
    if not hasattr(UIAppearanceTheme, "_get_next_id_node"):
        return False
    original = UIAppearanceTheme.build_all_combined_ids
    UIAppearanceTheme.build_all_combined_ids = build_all_combined_ids
    setattr(UIAppearanceTheme, _INSTALLED, True)
    return True
