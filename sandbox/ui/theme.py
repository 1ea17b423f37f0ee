"""The UI look: the dark theme (assets/theme.json) scaled for projectors, fonts and colours.

pygame-gui reads its theme as JSON (or a dict); the UI scale setting multiplies every font size
and the few pixel sizes in the theme, and the panels multiply their own geometry by the same
factor, so "2x" is a UI twice as large in every direction. The class colours are the
renderer's (Okabe-Ito, colour-blind safe), so a swatch matches its points on the plane.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path

from sandbox.resources import resource_dir

# A pygame-gui theme as a dict: an element, class or object id -> its block; a block maps
# "colours", "font", "misc" to their key -> value (all strings), and "prototype" to a block name.
ThemeBlock = dict[str, dict[str, str] | str]
Theme = dict[str, ThemeBlock]


def _class_colors() -> tuple[tuple[int, int, int], ...]:
    # The renderer's palette, so a swatch is exactly the colour its points get on the plane.
    from sandbox.render import palette

    return tuple(tuple(int(round(255 * c)) for c in rgb) for rgb in palette.CLASS_COLORS)


def _class_names() -> tuple[str, ...]:
    from sandbox.render import palette

    return tuple(name.replace("_", " ") for name in palette.CLASS_ORDER)


CLASS_COLORS_RGB: tuple[tuple[int, int, int], ...] = _class_colors()
CLASS_NAMES: tuple[str, ...] = _class_names()

TEXT = (230, 233, 238)
TEXT_DIM = (141, 150, 163)
ACCENT = (110, 165, 232)
WARN = (255, 176, 92)
ERROR = (255, 112, 96)
PANEL_BG = (17, 20, 25, 240)
CARD_BG = (11, 13, 17, 235)
TRAIN_LINE = (110, 165, 232)
TEST_LINE = (255, 176, 92)

# Theme keys whose values are pixel sizes (scaled with the UI); everything else is left alone.
_SCALED_MISC = {
    "shape_corner_radius",
    "sliding_button_width",
    "list_item_height",
    "rect_width",
    "text_horiz_alignment_padding",
}


def class_color(label: int) -> tuple[int, int, int]:
    """RGB of class `label` (0-based), wrapping past the palette."""
    return CLASS_COLORS_RGB[int(label) % len(CLASS_COLORS_RGB)]


def class_hex(label: int) -> str:
    r, g, b = class_color(label)
    return f"#{r:02x}{g:02x}{b:02x}"


@cache
def _base_theme() -> Theme:
    path = resource_dir("assets") / "theme.json"
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def theme_path() -> Path:
    return resource_dir("assets") / "theme.json"


def _scale_value(value: str, scale: float) -> str:
    parts = [p.strip() for p in str(value).split(",")]
    try:
        scaled = [str(max(0, round(float(p) * scale))) for p in parts]
    except ValueError:
        return value
    return ",".join(scaled)


def scaled_theme(scale: float) -> Theme:
    """The theme dict with fonts and pixel sizes multiplied by `scale` (1.0 to 2.0)."""
    theme = copy.deepcopy(_base_theme())
    swatch_ids = {f"#swatch_{k}": k for k in range(len(CLASS_COLORS_RGB))}
    for block in theme.values():
        if not isinstance(block, dict):
            continue
        font = block.get("font")
        if isinstance(font, dict) and "size" in font:
            font["size"] = str(max(6, round(float(font["size"]) * scale)))
        misc = block.get("misc")
        if isinstance(misc, dict):
            for key in _SCALED_MISC & misc.keys():
                misc[key] = _scale_value(misc[key], scale)
            if "padding" in misc:
                misc["padding"] = _scale_value(misc["padding"], scale)
    # One block per class swatch, coloured like the class in the plane.
    for oid, k in swatch_ids.items():
        r, g, b = class_color(k)
        dim = f"#{int(r * 0.8):02x}{int(g * 0.8):02x}{int(b * 0.8):02x}"
        theme[oid] = {
            "colours": {
                "normal_bg": dim,
                "hovered_bg": class_hex(k),
                "selected_bg": class_hex(k),
                "active_bg": class_hex(k),
                "normal_border": dim,
            }
        }
    return theme


@cache
def font_file(bold: bool = False) -> str:
    """Path of the Noto Sans font shipped with pygame-gui (used for custom-drawn text)."""
    import pygame_gui

    name = "NotoSans-Bold.ttf" if bold else "NotoSans-Regular.ttf"
    return str(Path(pygame_gui.__file__).parent / "data" / name)
