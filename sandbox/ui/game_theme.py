"""The look of the start menu and the level screens: theme blocks added to the app's UI theme.

The sandbox's theme (assets/theme.json, scaled by sandbox.ui.theme) covers panels, sliders and
small buttons. The game screens need bigger type for a room full of people: a large title, big
menu buttons, level cards, story cards with 20 px text. Those blocks live here, at 1x, and
`ensure_theme` scales them like the rest and adds them to a UI manager once; their class ids
(@menu_*, @level_*, @card_*, @story*) do not collide with the sandbox's. Fonts used by the
markup of story text (bold, italic) are preloaded so text boxes never load them mid-frame.
"""

from __future__ import annotations

import copy
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pygame

from sandbox.ui.theme import Theme

if TYPE_CHECKING:
    import pygame_gui


@dataclass(frozen=True)
class CardLook:
    """A card's background at 1x: fill, border colour and width, corner radius (pixels)."""

    bg: str
    border: str
    border_width: int
    radius: int


# Cards are drawn here rather than by the theme: pygame-gui draws a rounded rectangle at four
# times its size to smooth the corners, which costs about a second for a card at 2x scale on a
# laptop, at every story page; `card_surface` draws the same card in a few milliseconds.
CARD_LOOKS: dict[str, CardLook] = {
    "@card_panel": CardLook("#0e1116", "#6ea5e8", 2, 16),
    "@success_panel": CardLook("#0e1116", "#3fae70", 3, 16),
}


def card_surface(size: tuple[int, int], look: CardLook, scale: float) -> pygame.Surface:
    """A card of `size` pixels: the border, the fill inside it and rounded corners, smoothed by
    drawing at twice the size and scaling down; transparent outside the corners."""
    w, h = max(1, int(size[0])), max(1, int(size[1]))
    big = pygame.Surface((2 * w, 2 * h), pygame.SRCALPHA)
    radius = max(0, round(2 * look.radius * scale))
    border = max(1, round(2 * look.border_width * scale))
    pygame.draw.rect(big, pygame.Color(look.border), big.get_rect(), border_radius=radius)
    inner = big.get_rect().inflate(-2 * border, -2 * border)
    pygame.draw.rect(big, pygame.Color(look.bg), inner, border_radius=max(0, radius - border))
    return pygame.transform.smoothscale(big, (w, h))


BASE_BLOCKS: Theme = {
    "#menu_back": {
        "colours": {"dark_bg": "#0f1217C4", "normal_border": "#00000000"},
        "misc": {"shape": "rectangle", "border_width": "0"},
    },
    "@menu_title": {
        "font": {"name": "noto_sans", "size": "56", "bold": "1"},
        "colours": {"normal_text": "#ffffff", "dark_bg": "#00000000"},
        "misc": {"text_horiz_alignment": "center"},
    },
    "@menu_sub": {
        "font": {"name": "noto_sans", "size": "21"},
        "colours": {"normal_text": "#c9d3e0", "dark_bg": "#00000000"},
        "misc": {"text_horiz_alignment": "center"},
    },
    "@menu_section": {
        "font": {"name": "noto_sans", "size": "16", "bold": "1"},
        "colours": {"normal_text": "#9db8dc", "dark_bg": "#00000000"},
    },
    "@big_button": {
        "prototype": "#shape",
        "font": {"name": "noto_sans", "size": "20", "bold": "1"},
        "colours": {
            "normal_bg": "#2b3240",
            "hovered_bg": "#3a4558",
            "normal_border": "#465064",
            "hovered_border": "#8fb6e8",
            "selected_bg": "#2f6db5",
        },
        "misc": {
            "shape_corner_radius": "10",
            "border_width": "2",
            "text_horiz_alignment": "left",
            "text_horiz_alignment_padding": "54",
        },
    },
    "@big_primary": {
        "prototype": "#shape",
        "font": {"name": "noto_sans", "size": "22", "bold": "1"},
        "colours": {
            "normal_bg": "#2e8b57",
            "hovered_bg": "#36a566",
            "normal_border": "#3fae70",
            "hovered_border": "#a6e3c0",
        },
        "misc": {
            "shape_corner_radius": "10",
            "border_width": "2",
            "text_horiz_alignment": "left",
            "text_horiz_alignment_padding": "56",
        },
    },
    "@level_card": {
        "prototype": "#shape",
        "colours": {
            "normal_bg": "#1d222bF0",
            "hovered_bg": "#28303d",
            "active_bg": "#2f3a4b",
            "normal_border": "#3a4352",
            "hovered_border": "#8fb6e8",
        },
        "misc": {"shape_corner_radius": "12", "border_width": "2"},
    },
    "@level_card_next": {
        "prototype": "#shape",
        "colours": {
            "normal_bg": "#1f2d26F0",
            "hovered_bg": "#27392f",
            "active_bg": "#2f4538",
            "normal_border": "#3fae70",
            "hovered_border": "#a6e3c0",
        },
        "misc": {"shape_corner_radius": "12", "border_width": "3"},
    },
    "@level_card_locked": {
        "prototype": "#shape",
        "colours": {
            "normal_bg": "#15181eE6",
            "hovered_bg": "#1a1e25",
            "active_bg": "#1a1e25",
            "normal_border": "#262b34",
            "hovered_border": "#3a4352",
        },
        "misc": {"shape_corner_radius": "12", "border_width": "2"},
    },
    "@level_card_error": {
        "prototype": "#shape",
        "colours": {
            "normal_bg": "#2a1719F0",
            "hovered_bg": "#331c1f",
            "active_bg": "#331c1f",
            "normal_border": "#c05050",
            "hovered_border": "#ff7a6a",
        },
        "misc": {"shape_corner_radius": "12", "border_width": "2"},
    },
    # the cards' own background is transparent: `card_surface` draws it (see CARD_LOOKS)
    "@card_panel": {
        "colours": {"dark_bg": "#00000000", "normal_border": "#00000000"},
        "misc": {"shape": "rectangle", "border_width": "0"},
    },
    "@success_panel": {
        "colours": {"dark_bg": "#00000000", "normal_border": "#00000000"},
        "misc": {"shape": "rectangle", "border_width": "0"},
    },
    "@card_title": {
        "font": {"name": "noto_sans", "size": "28", "bold": "1"},
        "colours": {"normal_text": "#ffffff", "dark_bg": "#00000000"},
        "misc": {"text_horiz_alignment": "left"},
    },
    "@card_title_box": {
        "font": {"name": "noto_sans", "size": "28"},
        "colours": {"normal_text": "#ffffff", "dark_bg": "#00000000", "normal_border": "#00000000"},
        "misc": {"border_width": "0", "padding": "0,0", "text_horiz_alignment_padding": "0"},
    },
    "@card_title_center": {
        "font": {"name": "noto_sans", "size": "32", "bold": "1"},
        "colours": {"normal_text": "#ffffff", "dark_bg": "#00000000"},
        "misc": {"text_horiz_alignment": "center"},
    },
    "@card_kicker": {
        "font": {"name": "noto_sans", "size": "16", "bold": "1"},
        "colours": {"normal_text": "#8fb6e8", "dark_bg": "#00000000"},
        "misc": {"text_horiz_alignment": "left"},
    },
    "@story": {
        "font": {"name": "noto_sans", "size": "21"},
        "colours": {"normal_text": "#eef1f5", "dark_bg": "#00000000", "normal_border": "#00000000"},
        "misc": {
            "border_width": "0",
            "padding": "0,4",
            "line_spacing": "1.25",
            "text_horiz_alignment_padding": "0",
        },
    },
    "@goal_text": {
        "font": {"name": "noto_sans", "size": "17"},
        "colours": {"normal_text": "#eef1f5", "dark_bg": "#00000000", "normal_border": "#00000000"},
        "misc": {"border_width": "0", "padding": "0,0", "text_horiz_alignment_padding": "0"},
    },
    "@goal_done": {
        "font": {"name": "noto_sans", "size": "17"},
        "colours": {"normal_text": "#8fd9ae", "dark_bg": "#00000000", "normal_border": "#00000000"},
        "misc": {"border_width": "0", "padding": "0,0", "text_horiz_alignment_padding": "0"},
    },
    "@hint_box": {
        "font": {"name": "noto_sans", "size": "16"},
        "colours": {
            "normal_text": "#ffe1a6",
            "dark_bg": "#2b2416",
            "normal_border": "#8a6d2e",
        },
        "misc": {
            "shape": "rounded_rectangle",
            "shape_corner_radius": "8",
            "border_width": "1",
            "padding": "8,6",
            "text_horiz_alignment_padding": "2",
        },
    },
    "@note": {
        "font": {"name": "noto_sans", "size": "14"},
        "colours": {"normal_text": "#8d96a3", "dark_bg": "#00000000", "normal_border": "#00000000"},
        "misc": {"border_width": "0", "padding": "0,0", "text_horiz_alignment_padding": "0"},
    },
    "@error_text": {
        "font": {"name": "noto_sans", "size": "14"},
        "colours": {"normal_text": "#ffb4a8", "dark_bg": "#00000000", "normal_border": "#00000000"},
        "misc": {"border_width": "0", "padding": "0,0", "text_horiz_alignment_padding": "0"},
    },
    "@card_button": {
        "prototype": "#shape",
        "font": {"name": "noto_sans", "size": "19", "bold": "1"},
        "colours": {"normal_bg": "#2b3240", "hovered_bg": "#3a4558", "normal_border": "#465064"},
        "misc": {"shape_corner_radius": "10", "border_width": "2"},
    },
    "@card_primary": {
        "prototype": "#shape",
        "font": {"name": "noto_sans", "size": "19", "bold": "1"},
        "colours": {
            "normal_bg": "#2e8b57",
            "hovered_bg": "#36a566",
            "normal_border": "#3fae70",
            "hovered_border": "#a6e3c0",
        },
        "misc": {"shape_corner_radius": "10", "border_width": "2"},
    },
    "@level_title": {
        "font": {"name": "noto_sans", "size": "22", "bold": "1"},
        "colours": {"normal_text": "#ffffff", "dark_bg": "#00000000", "normal_border": "#00000000"},
        "misc": {"border_width": "0", "padding": "0,0", "text_horiz_alignment_padding": "0"},
    },
    "@locked": {
        "colours": {
            "disabled_bg": "#1b1e24",
            "disabled_text": "#6b727d",
            "disabled_border": "#3a2f22",
        },
    },
}

# Sizes (1x) whose bold and italic faces the story markup may ask for.
MARKUP_FONT_SIZES = (14, 15, 16, 17, 21, 22, 28)
_SCALED_MISC = ("shape_corner_radius", "border_width", "text_horiz_alignment_padding", "padding")


def _scale_value(value: str, scale: float) -> str:
    try:
        return ",".join(str(max(0, round(float(p) * scale))) for p in str(value).split(","))
    except ValueError:
        return value


def scaled_blocks(scale: float) -> Theme:
    """The game's theme blocks with font sizes and pixel sizes multiplied by `scale`."""
    blocks = copy.deepcopy(BASE_BLOCKS)
    for block in blocks.values():
        font = block.get("font")
        if isinstance(font, dict) and "size" in font:
            font["size"] = str(max(6, round(float(font["size"]) * scale)))
        misc = block.get("misc")
        if isinstance(misc, dict):
            for key in _SCALED_MISC:
                if key in misc and key != "border_width":
                    misc[key] = _scale_value(misc[key], scale)
    return blocks


def ensure_theme(manager: pygame_gui.UIManager, scale: float, markup: bool = True) -> None:
    """Add the game's blocks to `manager`'s theme at `scale` (once per manager and scale), and
    with `markup` load the fonts of the level texts' markup (28 fonts: the start menu, which
    shows no markup, leaves them to the first level, and its first frame comes sooner)."""
    key = round(float(scale), 3)
    if getattr(manager, "_neural_origami_game_theme", None) != key:
        manager.get_theme().load_theme(scaled_blocks(scale))
        manager._neural_origami_game_theme = key
    if not markup or getattr(manager, "_neural_origami_markup_fonts", None) == key:
        return
    fonts = []
    for size in MARKUP_FONT_SIZES:
        px = max(6, round(size * scale))
        for style in ("regular", "bold", "italic", "bold_italic"):
            fonts.append({"name": "noto_sans", "point_size": px, "style": style})
    with warnings.catch_warnings():
        # fonts the sandbox theme loaded already are reported, harmlessly
        warnings.simplefilter("ignore", UserWarning)
        manager.preload_fonts(fonts)
    manager._neural_origami_markup_fonts = key
