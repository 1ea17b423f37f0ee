"""The pygame-gui fix (sandbox.ui.gui_fixes): the same combined theme ids, with a small memo.

pygame-gui 0.6.14 memoised each element's combined ids under a key built with nested str.join,
hundreds of kilobytes each: the sandbox's theme held 59 MB of keys. The fix must answer exactly
as pygame-gui does for nested containers, classes and object ids, and keep its keys small.
"""

from __future__ import annotations

import pygame
import pygame_gui
from gl_util import gl_fixture  # noqa: F401
from pygame_gui.core import ObjectID
from pygame_gui.core.ui_appearance_theme import UIAppearanceTheme
from pygame_gui.elements import (
    UIButton,
    UIDropDownMenu,
    UIHorizontalSlider,
    UILabel,
    UIPanel,
    UIScrollingContainer,
)

from sandbox.ui import gui_fixes
from sandbox.ui.theme import scaled_theme


def _build(manager) -> None:
    panel = UIPanel(pygame.Rect(0, 0, 400, 500), manager=manager,
                    object_id=ObjectID("#left_panel", "@panel"))  # fmt: skip
    box = UIScrollingContainer(pygame.Rect(5, 5, 380, 480), manager, container=panel,
                               object_id=ObjectID("#rows", None))  # fmt: skip
    UIButton(pygame.Rect(0, 0, 120, 30), "Train", manager, container=box,
             object_id=ObjectID("#train", "@small_button"))  # fmt: skip
    UILabel(pygame.Rect(0, 40, 200, 24), "Learning rate", manager, container=box,
            object_id="#label_dim")  # fmt: skip
    UIHorizontalSlider(pygame.Rect(0, 70, 200, 24), 0.5, (0.0, 1.0), manager, container=box)
    UIDropDownMenu(["ring", "spiral"], "ring", pygame.Rect(0, 100, 200, 30), manager,
                   container=box, object_id=ObjectID("#preset", "@menu"))  # fmt: skip
    UIButton(pygame.Rect(0, 0, 80, 30), "Menu", manager)


def test_the_fix_gives_pygame_guis_answers_with_small_keys(gl, monkeypatch):
    pygame.font.init()
    assert gui_fixes.install()
    assert UIAppearanceTheme.build_all_combined_ids is gui_fixes.build_all_combined_ids
    calls = []

    def recording(self, *ids):
        out = gui_fixes.original(self, *ids)
        calls.append((tuple(None if i is None else list(i) for i in ids), list(out)))
        return out

    monkeypatch.setattr(UIAppearanceTheme, "build_all_combined_ids", recording)
    _build(pygame_gui.UIManager((800, 600), scaled_theme(1.0)))
    monkeypatch.undo()
    assert len(calls) >= 10  # buttons, labels, the slider's parts, the drop-down's...
    assert max(len(ids[1] or ()) for ids, _ in calls) >= 3  # nested three deep at least
    # pygame-gui's own keys were long: that is what the fix is for
    theme = UIAppearanceTheme(pygame_gui.core.BlockingThreadedResourceLoader(), "en")
    deepest = max((ids for ids, _ in calls), key=lambda ids: len(ids[1] or ()))
    gui_fixes.original(theme, *deepest)
    assert max(len(k) for k in theme.unique_theming_ids) > 10_000

    manager = pygame_gui.UIManager((800, 600), scaled_theme(1.0))
    fixed = manager.get_theme()
    for ids, expected in calls:
        assert gui_fixes.build_all_combined_ids(fixed, *ids) == expected, ids
    _build(manager)  # through the installed method, as the app builds its panels
    keys = fixed.unique_theming_ids
    assert keys and max(len(repr(k)) for k in keys) < 1000


def _font_resource(location, size=18):
    from pygame_gui.core.utility import FontResource

    style = {"bold": False, "italic": False, "antialiased": True}
    return FontResource("noto_sans_regular_18", size, style,
                        (location, False))  # fmt: skip


def test_a_package_font_loads_from_its_bytes_read_once(gl, monkeypatch):
    import importlib.resources
    import os

    from pygame_gui.core.utility import FontResource, PackageResource

    pygame.font.init()
    assert gui_fixes.install()
    assert FontResource.load is gui_fixes.load_font
    location = PackageResource("pygame_gui.data", "NotoSans-Regular.ttf")
    reads = []
    files = importlib.resources.files
    monkeypatch.setattr(importlib.resources, "files", lambda pkg: reads.append(pkg) or files(pkg))
    monkeypatch.setattr(gui_fixes, "_font_bytes", {})
    fds = len(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else None
    fixed = [_font_resource(location, size) for size in (18, 24, 18)]
    assert all(f.load() is None for f in fixed)
    assert len(reads) == 1  # one read for three fonts
    plain = _font_resource(location, 24)
    assert gui_fixes.original_font_load(plain) is None
    assert len(reads) == 2  # (pygame-gui's own load reads the file each time)
    # the same font: the same pixels
    ours = fixed[1].loaded_font.render_premul("Neural Origami 0.123", (255, 255, 255))
    theirs = plain.loaded_font.render_premul("Neural Origami 0.123", (255, 255, 255))
    assert ours.get_size() == theirs.get_size()
    assert pygame.image.tobytes(ours, "RGBA") == pygame.image.tobytes(theirs, "RGBA")
    if fds is not None:  # no file kept open by the fonts
        assert len(os.listdir("/proc/self/fd")) <= fds
    # a missing font is reported as pygame-gui reports it, not raised
    missing = _font_resource(PackageResource("pygame_gui.data", "no-such-font.ttf"))
    assert isinstance(missing.load(), FileNotFoundError)
    # a font given by its path still loads as pygame-gui loads it
    path = str(files("pygame_gui.data") / "NotoSans-Regular.ttf")
    assert _font_resource(path).load() is None
