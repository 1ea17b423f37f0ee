"""The Levels page of the start menu as a map of chapters: the chapter list on the left (title,
stars won of stars possible, a padlock while none of its levels is open), the chosen chapter's
level cards on the right, and under them what the chapter taught once every level in it is won.

"Your levels" (the player's own level files) is the list's last entry: its cards are the files
of the Level files folder (a broken one gets the loader's error card), under a line saying where
that folder is. Everything is sized from the area it gets, so 24+ levels fit 800x600 without
scrolling: at most ten chapters in the list, at most a few levels per chapter. A chapter with
more cards than fit (a big folder of one's own levels) shows those that fit and says how many
more there are. Mixed into MenuPanels (which gives the widget helpers); reads `MenuView` only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pygame

from sandbox import game_actions as G
from sandbox.ui import glyphs
from sandbox.ui.charts import font
from sandbox.ui.theme import TEXT, TEXT_DIM

SUBTLE = (201, 211, 224)  # the menu's subtitle colour: readable over the folded background

if TYPE_CHECKING:
    from sandbox.ui.menu_panels import CardInfo, MenuView


@dataclass(frozen=True)
class ChapterInfo:
    """One entry of the chapter list as the menu shows it."""

    title: str
    number: int  # 1, 2, ... (0 for "More levels" and "Your levels": no number)
    level_ids: tuple[str, ...]
    stars: int = 0  # stars won in its levels
    max_stars: int = 0  # 3 per playable level
    open: bool = True  # some level of it can be played
    done: bool = False  # every level of it won
    learned: str = ""  # what it taught (plain text), shown once done
    note: str = ""  # a line above its cards ("Your levels": where the folder is)


def wrap(text: str, f: pygame.font.Font, width: int, max_lines: int) -> list[str]:
    """Greedy word wrap; the last line ends with an ellipsis when text is left over."""
    words = text.split()
    lines: list[str] = []
    current = ""
    for word in words:
        trial = f"{current} {word}".strip()
        if f.size(trial)[0] <= width or not current:
            current = trial
            continue
        lines.append(current)
        current = word
        if len(lines) == max_lines:
            break
    else:
        if current:
            lines.append(current)
        return lines
    last = lines[-1]
    while last and f.size(last + "...")[0] > width:
        last = last[:-1]
    lines[-1] = last.rstrip() + "..."
    return lines


def _blit(surface: pygame.Surface, text: str, pos, size: float, colour, bold=False) -> int:
    img = font(size, bold).render(text, True, colour).premul_alpha()
    surface.blit(img, (round(pos[0]), round(pos[1])), special_flags=pygame.BLEND_PREMULTIPLIED)
    return img.get_width()


def fit_text(text: str, f: pygame.font.Font, width: int) -> str:
    """`text`, cut with an ellipsis when wider than `width`."""
    if f.size(text)[0] <= width:
        return text
    while text and f.size(text + "...")[0] > width:
        text = text[:-1]
    return text.rstrip() + "..."


def chapter_face(
    info: ChapterInfo, size: tuple[int, int], scale: float
) -> tuple[pygame.Surface, bool]:
    """The picture on a chapter's button: number and title, then its stars or a padlock; and
    whether the title fitted whole (else it ends in "...")."""
    w, h = max(1, size[0]), max(1, size[1])
    s = scale
    out = pygame.Surface((w, h), pygame.SRCALPHA)
    pad = round(12 * s)
    icon = max(8, min(round(20 * s), h - round(8 * s)))
    colour = TEXT if info.open else TEXT_DIM
    label = f"{info.number}  {info.title}" if info.number else info.title
    tally = f"{info.stars}/{info.max_stars}" if info.open and info.max_stars else ""
    top = min(17 * s, h * 0.55)
    for text_size in (top, top * 0.9, top * 0.82):  # a smaller font before an ellipsis
        f = font(text_size, True)
        tally_w = f.size(tally)[0] + round(4 * s) + icon if tally else (0 if info.open else icon)
        room = w - 2 * pad - tally_w - round(8 * s)
        if f.size(label)[0] <= room:
            break
    y = (h - f.get_linesize()) // 2
    shown = fit_text(label, f, room)
    _blit(out, shown, (pad, y), text_size, colour, True)
    right = w - pad
    if tally:
        star = glyphs.star(icon, info.stars > 0)
        out.blit(star, (right - icon, (h - icon) // 2), special_flags=pygame.BLEND_PREMULTIPLIED)
        gold = glyphs.GOLD if info.done else colour
        tw = f.size(tally)[0]
        _blit(out, tally, (right - icon - round(4 * s) - tw, y), text_size, gold, True)
    elif not info.open:
        lock = glyphs.padlock(icon)
        out.blit(lock, (right - icon, (h - icon) // 2), special_flags=pygame.BLEND_PREMULTIPLIED)
    return out, shown == label


def chapter_heading(info: ChapterInfo, width: int, scale: float) -> pygame.Surface:
    """The chosen chapter's name over its cards, with how many levels and stars it has."""
    big = font(21 * scale, True)
    small = font(14 * scale)
    name = f"Chapter {info.number}: {info.title}" if info.number else info.title
    n = len(info.level_ids)
    count = f"{n} level{'s' if n != 1 else ''}" if n else "no level files yet"
    if info.max_stars:
        count += f", {info.stars} of {info.max_stars} stars"
    width = max(1, width)
    out = pygame.Surface((width, big.get_linesize() + small.get_linesize()), pygame.SRCALPHA)
    _blit(out, fit_text(name, big, width), (0, 0), 21 * scale, TEXT, True)
    _blit(out, fit_text(count, small, width), (0, big.get_linesize()), 14 * scale, SUBTLE)
    return out


def text_block(text: str, width: int, size: float, colour, max_lines: int) -> pygame.Surface:
    """Wrapped plain text as a picture (at most `max_lines` lines, the last with an ellipsis)."""
    f = font(size)
    width = max(1, width)  # (a window far too small still gets a picture, never an error)
    lines = wrap(text, f, width, max(1, max_lines))
    out = pygame.Surface((width, max(1, len(lines)) * f.get_linesize()), pygame.SRCALPHA)
    for i, line in enumerate(lines):
        _blit(out, line, (0, i * f.get_linesize()), size, colour)
    return out


class ChapterMenu:
    """The chapter map of the Levels page; mixed into MenuPanels."""

    chapter_buttons: dict
    clipped: list[str]  # chapter titles cut short on their buttons (tests want none)

    def _build_chapters(self, container, view: MenuView, area: tuple[int, int, int, int]) -> None:
        x0, y0, aw, ah = area
        s = self.s
        chapters = view.chapters
        n = len(chapters)
        lw = max(s(228), min(s(300), round(aw * 0.28)))
        gap = s(6)
        rh = min(s(46), (ah - (n - 1) * gap) // n)
        if rh < s(30):
            gap = s(3)
            rh = max(s(22), (ah - (n - 1) * gap) // n)
        chosen = next((c for c in chapters if c.title == view.chapter), chapters[0])
        for i, ch in enumerate(chapters):
            rect = (x0, y0 + i * (rh + gap), lw, rh)
            tip = self._chapter_tip(ch)
            act = lambda t=ch.title: G.ShowChapter(t)  # noqa: E731
            b = self._menu_button(container, rect, "", "@toggle", act, tip, f"chapter_{i}")
            self.chapter_buttons[ch.title] = b
            if ch is chosen:
                b.select()
            face, whole = chapter_face(ch, (lw, rh), self.scale)
            self._decal(container, rect, face)
            if not whole:
                self.clipped.append(ch.title)
        cx = x0 + lw + s(20)
        cw = aw - lw - s(20)
        cards = {c.level_id: c for c in view.cards}
        shown = [cards[i] for i in chosen.level_ids if i in cards]
        y, bottom = y0, y0 + ah
        head = chapter_heading(chosen, cw, self.scale)
        self._decal(container, (cx, y, cw, head.get_height()), head)
        y += head.get_height() + s(10)
        if chosen.note:
            y += self._text_decal(container, chosen.note, (cx, y, cw), 15, TEXT, 4) + s(12)
        learned = chosen.learned if chosen.done else ""
        need = 0
        if learned:  # room for it under the cards, when the cards leave it
            f = font(15 * self.scale)
            need = (1 + min(4, len(_lines(learned, f, cw)))) * f.get_linesize() + s(14)
            if bottom - y - need < s(150):
                learned, need = "", 0
        end = self._card_grid(container, shown, (cx, y, cw, bottom - y - need))
        if learned:
            head = font(15 * self.scale, True)
            img = pygame.Surface((cw, head.get_linesize()), pygame.SRCALPHA)
            _blit(img, "What you learned", (0, 0), 15 * self.scale, glyphs.GOLD, True)
            self._decal(container, (cx, end + s(14), cw, img.get_height()), img)
            at = (cx, end + s(14) + img.get_height(), cw)
            self._text_decal(container, learned, at, 15, TEXT, 4)

    def _chapter_tip(self, ch: ChapterInfo) -> str:
        levels = len(ch.level_ids)
        keys = " Up and Down keys: the chapter before or after."
        if not levels:
            return f"{ch.title}: no level files yet. {ch.note}"
        if not ch.open:
            return f"{ch.title}: {levels} levels, locked until the chapter before it is won.{keys}"
        return f"{ch.title}: {levels} levels, {ch.stars} of {ch.max_stars} stars won.{keys}"

    def _text_decal(self, container, text: str, at: tuple[int, int, int], size: int, colour,
                    max_lines: int) -> int:  # fmt: skip
        """Wrapped text drawn at `at` (x, y, width); returns its height."""
        x, y, w = at
        img = text_block(text, w, size * self.scale, colour, max_lines)
        self._decal(container, (x, y, img.get_width(), img.get_height()), img)
        return img.get_height()

    def _card_grid(self, container, cards: list[CardInfo], area: tuple[int, int, int, int]) -> int:
        """The chosen chapter's level cards: one column while they are tall enough, more when
        not; cards that still do not fit are counted in a line instead. Returns the y below."""
        x0, y0, aw, ah = area
        s = self.s
        gap = s(14)
        n = max(1, len(cards))
        widest = max(1, min(3, aw // s(230)))
        cols = 1

        def height(cols: int, gap: int) -> float:
            rows = math.ceil(n / cols)
            return (ah - (rows - 1) * gap) / rows

        # one column while its cards can be tall enough (closer together if need be): titles
        # fit whole there
        while cols < widest and height(cols, s(8)) < s(46):
            cols += 1
        rows = math.ceil(n / cols)
        ch = min(s(110), int(height(cols, gap)))
        if ch < s(56):
            gap = s(8)
            ch = max(s(44), int(height(cols, gap)))
        fit_rows = max(1, (ah + gap) // (ch + gap))
        more = 0
        if rows > fit_rows:  # too many for the window: the last place says how many are left
            keep = fit_rows * cols - 1
            more, cards = len(cards) - keep, cards[:keep]
        cw = max(1, (aw - (cols - 1) * gap) // cols)
        if cols == 1:
            cw = min(cw, s(560))
        for i, info in enumerate(cards):
            r, c = divmod(i, cols)
            self._level_card(container, info, (x0 + c * (cw + gap), y0 + r * (ch + gap), cw, ch))
        if more:
            r, c = divmod(len(cards), cols)
            x, y = x0 + c * (cw + gap), y0 + r * (ch + gap)
            text = f"and {more} more: a larger window shows them"
            self._text_decal(container, text, (x + s(8), y + s(8), cw - s(16)), 14, TEXT_DIM, 2)
        used = math.ceil((len(cards) + (1 if more else 0)) / cols)
        return y0 + used * (ch + gap) - gap


def _lines(text: str, f: pygame.font.Font, width: int) -> list[str]:
    return wrap(text, f, width, 10)
