"""The start menu's pygame-gui elements: title, the big buttons, the level grid, the settings card.

The menu reads a `MenuView` (what the menu scene decided: cards, the Continue target, whether
settings are open) and emits actions (sandbox.game_actions); it never changes anything itself.
Each level card is a button (hover, click, tooltip) with a picture drawn over it: the level's
number, its title, its stars (0 to 3) or a padlock. The picture is a "decal" that lets the mouse
through to the button. A level file that failed to load gets a red error card with the loader's
message (file, key, what is allowed) and cannot be opened. Everything is sized from the window and
the UI scale; `menu_scale` lowers the scale when the window is too small for it.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pygame
import pygame_gui
from pygame_gui.elements import UIButton, UILabel

from sandbox import actions as A
from sandbox import game_actions as G
from sandbox.ui import glyphs
from sandbox.ui.base import PanelBase
from sandbox.ui.charts import font
from sandbox.ui.game_theme import ensure_theme
from sandbox.ui.hud import premul
from sandbox.ui.menu_chapters import ChapterInfo, ChapterMenu, wrap
from sandbox.ui.theme import ERROR, TEXT, TEXT_DIM
from sandbox.vocab import UI_SCALES

if TYPE_CHECKING:
    from sandbox.state import AppState

MENU_MIN = (960, 600)  # window size (at 1x) the menu needs; larger scales need proportionally more


@dataclass(frozen=True)
class CardInfo:
    """One level card as the menu shows it."""

    level_id: str
    number: int
    title: str
    stars: int = 0
    open: bool = True
    error: str = ""  # the loader's message for a broken file (then the card cannot be opened)
    is_next: bool = False  # the level Continue opens: highlighted


PAGES = ("levels", "experiments")


@dataclass(frozen=True)
class ExperimentCard:
    """One experiment on the Experiments page."""

    experiment_id: str
    title: str
    caption: str


@dataclass(frozen=True)
class MenuView:
    """What the menu scene decided to show; the panels only read it (and rebuild when a new one
    differs from the one they were built from)."""

    cards: tuple[CardInfo, ...] = ()
    continue_id: str | None = None
    continue_text: str = ""
    settings_open: bool = False
    unlock_all: bool = False
    ui_scale: float = 1.0
    page: str = "levels"  # which grid the menu shows: the levels or the experiments
    experiments: tuple[ExperimentCard, ...] = ()
    chapters: tuple[ChapterInfo, ...] = ()  # the Levels page's chapter list (cards by chapter)
    chapter: str = ""  # the chapter whose cards are shown


def menu_scale(window: tuple[int, int], wanted: float) -> float:
    """The largest UI scale up to `wanted` at which the menu fits the window (at least 1)."""
    for s in sorted((x for x in UI_SCALES if x <= wanted + 1e-9), reverse=True):
        if window[0] >= MENU_MIN[0] * s and window[1] >= MENU_MIN[1] * s:
            return s
    return 1.0


def _blit_text(surface, text, pos, size, colour, bold=False) -> pygame.Rect:
    img = font(size, bold).render(text, True, colour).premul_alpha()
    rect = img.get_rect(topleft=(round(pos[0]), round(pos[1])))
    surface.blit(img, rect, special_flags=pygame.BLEND_PREMULTIPLIED)
    return rect


def card_face(info: CardInfo, size: tuple[int, int], scale: float) -> pygame.Surface:
    """The picture on a level card: number, title, stars or padlock (or the error)."""
    w, h = size
    s = scale
    out = pygame.Surface((w, h), pygame.SRCALPHA)
    pad = round(14 * s)
    if info.error:
        colour = ERROR
        _blit_text(out, f"{info.number}  {info.title}", (pad, pad * 0.7), 17 * s, colour, True)
        f = font(13 * s)
        lines = wrap(info.error, f, w - 2 * pad, max(1, (h - round(40 * s)) // f.get_linesize()))
        y = pad * 0.7 + round(28 * s)
        for line in lines:
            _blit_text(out, line, (pad, y), 13 * s, (255, 190, 180))
            y += f.get_linesize()
        return out
    disc = min(h - 2 * pad, round(64 * s))
    cx, cy = pad + disc // 2, h // 2
    ring = (110, 165, 232) if info.open else (70, 78, 92)
    if info.stars > 0:
        ring = glyphs.GOLD
    pygame.draw.circle(out, premul((*ring, 255)), (cx, cy), disc // 2)
    pygame.draw.circle(out, premul((20, 24, 31, 255)), (cx, cy), disc // 2 - round(3 * s))
    num = font(round(disc * 0.48), True).render(
        str(info.number), True, TEXT if info.open else TEXT_DIM
    )
    out.blit(
        num.premul_alpha(), num.get_rect(center=(cx, cy)), special_flags=pygame.BLEND_PREMULTIPLIED
    )
    x0 = pad + disc + round(14 * s)
    tw = w - x0 - pad
    f = font(18 * s, True)
    line_h = f.get_linesize()
    star_h = round(24 * s)
    gap = round(6 * s)
    room = h - 2 * round(5 * s)
    beside = False  # a short card puts the stars beside the title instead of below it
    lines = wrap(info.title, f, tw, 2)
    if len(lines) * line_h + gap + star_h > room:
        lines = wrap(info.title, f, tw, 1)
    if line_h + gap + star_h > room:
        beside = True
        star_w = star_h if not info.open else 3 * star_h + 2 * round(star_h * 0.15)
        lines = wrap(info.title, f, tw - star_w - gap, 1)
    block = len(lines) * line_h + (0 if beside else gap + star_h)
    y = (h - block) // 2
    colour = TEXT if info.open else TEXT_DIM
    for line in lines:
        _blit_text(out, line, (x0, y), 18 * s, colour, True)
        y += line_h
    pic = glyphs.star_row(star_h, info.stars) if info.open else glyphs.padlock(star_h)
    if beside:
        at = (w - pad - pic.get_width(), (h - star_h) // 2)
    else:
        at = (x0, y + gap)
    out.blit(pic, at, special_flags=pygame.BLEND_PREMULTIPLIED)
    return out


def experiment_face(card: ExperimentCard, size: tuple[int, int], scale: float) -> pygame.Surface:
    """The picture on an experiment card: its title, then the start of its caption."""
    w, h = size
    s = scale
    out = pygame.Surface((w, h), pygame.SRCALPHA)
    pad = round(12 * s)
    title_lines = wrap(card.title, font(17 * s, True), w - 2 * pad, 2)
    y = pad
    for line in title_lines:
        _blit_text(out, line, (pad, y), 17 * s, TEXT, True)
        y += round(22 * s)
    body = font(13 * s)
    room = max(0, (h - y - pad // 2) // body.get_linesize())
    for line in wrap(card.caption, body, w - 2 * pad, room) if room else []:
        _blit_text(out, line, (pad, y + round(2 * s)), 13 * s, TEXT_DIM)
        y += body.get_linesize()
    return out


class MenuPanels(ChapterMenu, PanelBase):
    """Every pygame-gui element of the start menu."""

    tooltip_delay = 0.4  # (PanelBase's 0.5) the level cards' tips come a little sooner
    tip_width = 320

    def __init__(self, manager: pygame_gui.UIManager, state: AppState, view: MenuView) -> None:
        super().__init__(manager, state.scale)
        self.cards: dict[str, UIButton] = {}
        self.chapter_buttons: dict[str, UIButton] = {}
        self.clipped: list[str] = []
        self.buttons: dict[str, UIButton] = {}
        self._key: tuple = ()
        self.build(state, view)

    def _key_for(self, state: AppState, view: MenuView) -> tuple:
        return (state.layout.window, state.scale, view)

    def needs_rebuild(self, state: AppState, view: MenuView) -> bool:
        return self._key_for(state, view) != self._key

    def clear(self) -> None:
        super().clear()
        self.cards.clear()
        self.chapter_buttons.clear()
        self.clipped = []
        self.buttons.clear()

    # ------------------------------------------------------------------ building
    def build(self, state: AppState, view: MenuView) -> None:
        self.clear()
        self.scale = state.scale
        self._key = self._key_for(state, view)
        ensure_theme(self.manager, self.scale, markup=False)
        w, h = state.layout.window
        s = self.s
        margin = s(36)
        back = self._panel((0, 0, w, h), "#menu_back")
        # title and subtitle as long as the window's width lets them be (pygame-gui clips
        # a label's text to its rectangle): each made with its shortest form, then fitted
        self._label(back, (0, s(22), w, s(80)), "Origami", "@menu_title", "menu_title", False)
        self._set_label_fit("menu_title", "Neural Origami", "Origami")
        # a short window gives the subtitle's room to the chapter's level cards
        short = h < s(700) and not view.settings_open and view.page == "levels"
        if not short:
            self._label(back, (0, s(98), w, s(34)), "", "@menu_sub", "menu_sub", False)
            self._set_label_fit(
                "menu_sub",
                "Fold the plane with a neural network, one crease at a time",
                "One crease at a time",
                "",
            )
        # the big buttons
        y = s(108) if short else s(150)
        bh = s(58)
        row = [
            ("continue", view.continue_text, "play", "@big_primary", s(360), G.ContinueGame,
             "Play the next level you have not finished yet. Key Enter."),
            ("sandbox", "Free sandbox", "sandbox", "@big_button", s(230), G.OpenSandbox,
             "Everything unlocked: paint points, train, and see every crease. Esc comes back."),
            ("settings", "Settings", "gear", "@big_button", s(180), lambda: G.ShowSettings(True),
             "UI size (for projectors) and opening every level (for presenters)."),
            ("quit", "Quit", "quit", "@big_button", s(130), A.Quit, "Close Neural Origami."),
        ]  # fmt: skip
        row = [r for r in row if r[1]]
        y = self._build_big_buttons(back, row, y, bh, w - 2 * margin, w)
        # the level grid
        y += s(26)
        if view.settings_open:
            # the settings card stands alone: nothing behind it to read through or click
            self._build_settings(view, (w, h))
            return
        self._build_tabs(back, view, margin, y)
        if view.page == "experiments":
            y += s(44)
            self._build_experiments(back, view, (margin, y, w - 2 * margin, h - y - s(20)))
            return
        if view.unlock_all:  # right of the tabs, in the words that fit there
            x = max(margin + 2 * s(160), w - margin - s(420))
            text = "Every level is open (U locks them again)"
            if self.text_width(text, "@menu_section", "label") > w - margin - x - s(4):
                text = "Every level is open (U)"
            self._menu_label(back, (x, y, w - margin - x, s(26)), text, "@menu_section")
        y += s(44)
        area = (margin, y, w - 2 * margin, h - y - s(20))
        if len(view.chapters) > 1:
            self._build_chapters(back, view, area)
        else:
            self._build_grid(back, view, area)

    def _build_tabs(self, back, view: MenuView, x: int, y: int) -> None:
        """The Levels and Experiments tabs, the shown one pressed."""
        s = self.s
        tabs = (
            ("levels", "Levels", "The guided levels, from one crease to Bayes far from the data."),
            ("experiments", "Experiments", "The experiments the app grew from, one click "
             "each: a prepared sandbox with a caption of what to look for."),
        )  # fmt: skip
        # side by side within the margins (a narrow window pushed the second off its edge)
        width = max(s(60), min(s(150), (back.rect.width - 2 * x - s(10)) // 2))
        for key, text, tip in tabs:
            b = self._menu_button(back, (x, y - s(4), width, s(36)), text, "@toggle",
                                  lambda k=key: G.ShowPage(k), tip, f"page_{key}")  # fmt: skip
            if view.page == key:
                b.select()
            x += width + s(10)

    def _build_experiments(self, container, view: MenuView, area: tuple[int, ...]) -> None:
        x0, y0, aw, ah = area
        n = max(1, len(view.experiments))
        gap = self.s(14)
        cols = 4 if aw >= self.s(1000) else 3 if aw >= self.s(700) else 2
        rows = math.ceil(n / cols)
        cw = (aw - (cols - 1) * gap) // cols
        ch = max(self.s(48), min(self.s(150), (ah - (rows - 1) * gap) // rows))
        for i, card in enumerate(view.experiments):
            r, c = divmod(i, cols)
            rect = (x0 + c * (cw + gap), y0 + r * (ch + gap), cw, ch)
            key = card.experiment_id
            act = lambda e=key: G.OpenExperiment(e)  # noqa: E731
            tip = f"{card.title}. {card.caption}"
            self._menu_button(container, rect, "", "@level_card", act, tip, f"exp_{key}")
            self._decal(container, rect, experiment_face(card, (cw, ch), self.scale))

    def _menu_label(self, container, rect, text, cls) -> UILabel:
        return self._label(container, rect, text, cls, grow=False)

    def _menu_button(self, container, rect, text, cls, act, tip, key=None) -> UIButton:
        button = self._button(container, rect, text, tip, act, cls, f"#{key}" if key else None)
        if key:
            self.buttons[key] = button
        return button

    def _build_big_buttons(self, back, row: list[tuple], y: int, bh: int, room: int, w: int) -> int:
        """The big buttons, each at least as wide as its icon and words need: at their usual
        widths where they fit, else narrower (Quit down to its icon), else on two rows;
        returns the y below them."""
        s = self.s
        room = max(room, w - 2 * s(16))
        gap = s(16) if room >= 2 * s(470) else s(10)
        pad = {"@big_primary": 56, "@big_button": 54}
        row = list(row)
        needs = [s(pad[r[3]] + 18) + self.text_width(r[1], r[3]) for r in row]
        spaced = gap * (len(row) - 1)
        if sum(needs) + spaced > room and row[-1][0] == "quit":
            row[-1] = (*row[-1][:1], "", *row[-1][2:4], bh, *row[-1][5:])  # its icon says it
            needs[-1] = bh
        widths = [max(r[4], need) for r, need in zip(row, needs, strict=True)]
        if sum(widths) + spaced > room:
            spare = (room - sum(needs) - spaced) // len(row)
            widths = [need + max(0, spare) for need in needs]
        lines: list[list[int]] = [[]]
        used = 0
        for i, width in enumerate(widths):
            if lines[-1] and used + gap + width > room:
                lines.append([])
                used = 0
            used += (gap if lines[-1] else 0) + min(width, room)
            lines[-1].append(i)
        for line in lines:
            total = sum(min(widths[i], room) for i in line) + gap * (len(line) - 1)
            x = (w - total) // 2
            for i in line:
                key, text, icon_name, cls, _, act, tip = row[i]
                bw = min(widths[i], room)
                self._big_button(back, (x, y, bw, bh), key, text, icon_name, cls, act, tip)
                x += bw + gap
            y += bh + s(10)
        return y - s(10)

    def _big_button(self, container, rect, key, text, icon_name, cls, act, tip) -> UIButton:
        button = self._menu_button(container, rect, text, cls, act, tip, key)
        x, y, w, h = rect
        size = self.s(28)
        left = x + self.s(16) if text else x + (w - size) // 2
        self._decal(container, (left, y + (h - size) // 2, size, size),
                    glyphs.icon(icon_name, size))  # fmt: skip
        return button

    def _build_grid(self, container, view: MenuView, area: tuple[int, int, int, int]) -> None:
        x0, y0, aw, ah = area
        n = max(1, len(view.cards))
        gap = self.s(16)
        cols = 4 if aw >= self.s(1000) else 3 if aw >= self.s(700) else 2
        rows = math.ceil(n / cols)
        cw = (aw - (cols - 1) * gap) // cols
        ch = min(self.s(124), (ah - (rows - 1) * gap) // rows)
        if ch < self.s(56):  # a short window: closer rows before cards too small to read
            gap = self.s(8)
            ch = max(self.s(48), (ah - (rows - 1) * gap) // rows)
        for i, info in enumerate(view.cards):
            r, c = divmod(i, cols)
            self._level_card(container, info, (x0 + c * (cw + gap), y0 + r * (ch + gap), cw, ch))

    def _level_card(self, container, info: CardInfo, rect: tuple[int, int, int, int]) -> None:
        """A level card: a button asking to open the level, its face drawn over it."""
        number = f"Level {info.number}" if info.number else "Level"
        if info.error:
            cls = "@level_card_error"
            tip = f"This level file has a problem and cannot be played:\n{info.error}"
        elif not info.open:
            cls = "@level_card_locked"
            tip = (
                f"{number}: {info.title}. Locked: finish the level before it "
                "first (presenters: press U to open every level)."
            )
        else:
            cls = "@level_card_next" if info.is_next else "@level_card"
            got = f" Best so far: {info.stars} of 3 stars." if info.stars else ""
            tip = f"Play {number.lower()}: {info.title}.{got}"
        # every card asks to open its level: the scene says why a locked or broken one won't
        button = self._menu_button(
            container,
            rect,
            "",
            cls,
            lambda lid=info.level_id: G.OpenLevel(lid),
            tip,
            "card_" + re.sub(r"[^A-Za-z0-9_-]", "_", info.level_id),
        )
        self.cards[info.level_id] = button
        self._decal(container, rect, card_face(info, rect[2:], self.scale))

    def _build_settings(self, view: MenuView, window: tuple[int, int]) -> None:
        s = self.s
        w, h = s(560), s(330)
        rect = pygame.Rect(0, 0, w, h)
        rect.center = (window[0] // 2, window[1] // 2)
        card = self._panel(rect, "#settings_card", "@card_panel", height=5)
        pad = s(26)
        self._menu_label(card, (pad, s(18), w - 2 * pad, s(44)), "Settings", "@card_title")
        self._menu_label(card, (pad, s(74), w - 2 * pad, s(26)), "UI SIZE", "@menu_section")
        bw = (w - 2 * pad - 4 * s(8)) // len(UI_SCALES)
        for i, scale in enumerate(UI_SCALES):
            b = self._menu_button(
                card,
                (pad + i * (bw + s(8)), s(104), bw, s(44)),
                f"{scale:g}x",
                "@toggle",
                lambda v=scale: A.SetUiScale(v),
                "Make every panel and text larger (for projectors) or smaller.",
                f"scale_{i}",
            )
            if math.isclose(scale, view.ui_scale):
                b.select()
        self._menu_label(card, (pad, s(166), w - 2 * pad, s(26)), "LEVELS", "@menu_section")
        text = "Open every level (presenters): " + ("on" if view.unlock_all else "off")
        b = self._menu_button(
            card,
            (pad, s(196), w - 2 * pad, s(44)),
            text,
            "@toggle",
            lambda: G.SetUnlockAll(not view.unlock_all),
            "For workshop presenters: open every level at once, or go back to opening each "
            "level when the one before it is won. Key U.",
            "unlock_all",
        )
        if view.unlock_all:
            b.select()
        self._menu_button(
            card,
            (w - pad - s(160), h - s(70), s(160), s(48)),
            "Done",
            "@card_primary",
            lambda: G.ShowSettings(False),
            "Close the settings. Key Esc.",
            "settings_done",
        )

    # ------------------------------------------------------------------ events
    def sync(self, state: AppState, view: MenuView) -> None:
        if self.needs_rebuild(state, view):
            self.build(state, view)
