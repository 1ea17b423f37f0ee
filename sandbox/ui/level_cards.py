"""The level's cards over the stage: the story card (pages of the level's story, with Back and
Next) and the success card (stars, the success text, what the chapter taught when the level ends
one, what the next star needs, Keep playing, Menu, Next level). A card is made at its final
size: its text is measured first.
"""

from __future__ import annotations

from dataclasses import dataclass

import pygame
from pygame_gui.elements import UIButton, UIPanel

from sandbox import game_actions as G
from sandbox.state import AppState
from sandbox.ui import glyphs
from sandbox.ui.base import Press
from sandbox.ui.hud import premul
from sandbox.ui.level_plan import rule_text, stage_rect, story_html


@dataclass(frozen=True)
class CardButton:
    """A button of a card: its key in `card_buttons`, words, action, class, usual width at 1x."""

    key: str
    text: str
    tip: str
    act: Press
    cls: str
    width: int


class LevelCards:
    """The cards of a level screen; mixed into LevelPanels (which gives the widget helpers)."""

    def _card_area(self, state: AppState, wide: bool) -> tuple[int, int, int, int]:
        """Where a card goes: over the stage, or (`wide`) over the whole window, for a stage
        too small for the card (the card is modal: the panels wait behind it)."""
        if wide:
            return (0, 0, *state.layout.window)
        return stage_rect(state.layout)

    def _card_width(self, area: tuple[int, int, int, int], width: int) -> int:
        return min(width, area[2] - 2 * self.s(16))

    def _card(self, area, w: int, height: int, oid: str, cls: str) -> UIPanel:
        """A card centred over `area`, a little above the middle (the eye starts there)."""
        px, py, pw, ph = area
        height = min(height, ph - self.s(16))
        top = py + max(self.s(8), (ph - height) * 2 // 5)
        rect = (px + (pw - w) // 2, top, w, height)
        panel = self._panel(rect, oid, cls, height=20)
        self.card_panel = panel
        return panel

    def _card_button(self, panel, rect, key, text, tip, act, cls) -> UIButton:
        b = self._button(panel, rect, text, tip, act, cls=cls)
        self.card_buttons[key] = b
        return b

    def _button_rows(self, buttons: list[CardButton], inner: int, gap: int) -> list[list[int]]:
        """Card buttons as rows of widths: each button as wide as its words need (at least its
        usual width), as many per row as fit `inner`; a button wider than the card gets it all."""
        rows: list[list[int]] = [[]]
        used = 0
        for b in buttons:
            need = self.text_width(b.text, b.cls) + self.s(36)
            width = min(inner, max(self.s(b.width), need))
            if rows[-1] and used + gap + width > inner:
                rows.append([])
                used = 0
            used += (gap if rows[-1] else 0) + width
            rows[-1].append(width)
        return rows

    def _place_buttons(self, panel, buttons: list[CardButton], rows: list[list[int]], y: int,
                       w: int, bh: int, gap: int, align: str) -> int:  # fmt: skip
        """Make the buttons row by row from `y` (right-aligned or centred); returns the y below."""
        pad = self.s(28)
        i = 0
        for widths in rows:
            total = sum(widths) + gap * (len(widths) - 1)
            x = w - pad - total if align == "right" else (w - total) // 2
            for width in widths:
                b = buttons[i]
                self._card_button(panel, (x, y, width, bh), b.key, b.text, b.tip, b.act, b.cls)
                x += width + gap
                i += 1
            y += bh + gap
        return y - gap

    def _fitted_text(self, panel, html: str, cls: str, rect: tuple, need: int) -> int:
        """A text box of `html` at its measured height `need`, or at the height `rect` allows
        (then it scrolls); returns the height used."""
        x, y, w, room = rect
        if need <= room:
            self._text(panel, (x, y, w, -1), html, cls)
            return need
        self._text(panel, (x, y, w, room), html, cls, wrap=False)
        return room

    def _build_story_card(self, state: AppState, wide: bool = False) -> None:
        st = self.status
        level = st.level
        s = self.s
        area = self._card_area(state, wide)
        w = self._card_width(area, s(700))
        pad = s(28)
        inner = w - 2 * pad
        n = len(level.story)
        page = min(max(st.page, 0), n - 1)
        html = story_html(level.story[page])
        bh = s(50)
        gap = s(12)
        last = page == n - 1
        buttons = []
        if page > 0:
            buttons.append(CardButton("back", "Back", "The page before.",
                                      lambda: G.StoryPage(-1), "@card_button", 140))  # fmt: skip
        buttons.append(CardButton("next", "Let's go!" if last else "Next",
                                  "Start playing. Key Enter." if last else "Next page. Key Enter.",
                                  lambda: G.StoryPage(1), "@card_primary", 200))  # fmt: skip
        rows = self._button_rows(buttons, inner, gap)
        dot = s(12)
        dots_w = n * dot * 2 if n > 1 else 0
        # the page dots share the first button row when they fit left of the buttons
        first = sum(rows[0]) + gap * (len(rows[0]) - 1)
        dots_alone = n > 1 and (len(rows) > 1 or dots_w + gap + first > inner)
        buttons_h = len(rows) * bh + (len(rows) - 1) * gap + (dot + gap if dots_alone else 0)
        title = f"<b>{level.title}</b>"
        title_h = self._measure(title, "@card_title_box", inner)
        story_h = self._measure(html, "@story", inner)
        fixed = s(20 + 26) + title_h + s(12) + s(22) + buttons_h + s(24)
        room = area[3] - s(16) - fixed
        if not wide and (room < min(story_h, s(120)) or w < s(420)):
            return self._build_story_card(state, wide=True)
        room = max(s(60), room)
        panel = self._card(area, w, fixed + min(story_h, room), "#story_card", "@card_panel")
        y = s(20)
        self._label(panel, (pad, y, inner, s(24)), f"LEVEL {st.number}", "@card_kicker")
        y += s(26)
        box = self._text(panel, (pad, y, inner, -1), title, "@card_title_box")
        y += box.rect.height + s(12)
        y += self._fitted_text(panel, html, "@story", (pad, y, inner, room), story_h) + s(22)
        # page dots: where you are in the story
        if n > 1:
            img = pygame.Surface((dots_w, dot), pygame.SRCALPHA)
            for i in range(n):
                c = (110, 165, 232, 255) if i == page else (70, 78, 92, 255)
                pygame.draw.circle(img, premul(c), (i * dot * 2 + dot // 2, dot // 2), dot // 2)
            self._image(panel, (pad, y + (0 if dots_alone else (bh - dot) // 2), dots_w, dot), img)
            if dots_alone:
                y += dot + gap
        self._place_buttons(panel, buttons, rows, y, w, bh, gap, "right")

    def _build_success_card(self, state: AppState, wide: bool = False) -> None:
        st = self.status
        level = st.level
        s = self.s
        area = self._card_area(state, wide)
        w = self._card_width(area, s(660))
        pad = s(28)
        inner = w - 2 * pad
        size = s(56)
        bh = s(50)
        gap = s(12)
        html = story_html(level.success)
        if st.learned is not None:  # the chapter's last level: what the chapter taught
            chapter, learned = st.learned
            html += f"<br><br><b>Chapter done: {chapter}!</b><br>{story_html(learned)}"
        more_text = ""
        if st.stars < 3:
            rule = level.three_stars if level.three_stars is not None else level.two_stars
            if rule is not None:
                more = "3 stars" if level.three_stars is not None else "2 stars"
                text = level.three_stars_text if more == "3 stars" else level.two_stars_text
                words = story_html(text or "") or rule_text(
                    rule.source, level.markers, level.quiz is not None
                )
                more_text = f"For {more}: {words.rstrip('.')}. Keep playing to try!"
        buttons = [
            CardButton("keep", "Keep playing", "Close this card and keep playing with the level.",
                       G.CloseCard, "@card_button", 190),
            CardButton("menu", "Menu", "Back to the level menu.", G.OpenMenu, "@card_button",
                       130),
        ]  # fmt: skip
        if st.next_id is not None:
            buttons.append(CardButton("next", "Next level", "On to the next level. Key Enter.",
                                      G.NextLevel, "@card_primary", 200))  # fmt: skip
        rows = self._button_rows(buttons, inner, gap)
        buttons_h = len(rows) * bh + (len(rows) - 1) * gap
        story_h = self._measure(html, "@story", inner)
        more_h = self._measure(more_text, "@goal_done", inner) + s(10) if more_text else 0
        fixed = s(22 + 58) + size + s(18) + s(10) + more_h + s(10) + buttons_h + s(24)
        room = area[3] - s(16) - fixed
        if not wide and (room < min(story_h + more_h, s(120)) or w < s(420)):
            return self._build_success_card(state, wide=True)
        if room < s(60) and more_text:  # no room: the next star's rule is on the level panel
            fixed -= more_h
            room += more_h
            more_text = ""
        room = max(s(60), room)
        panel = self._card(area, w, fixed + min(story_h, room), "#success_card",
                           "@success_panel")  # fmt: skip
        y = s(22)
        self._label(panel, (pad, y, inner, s(48)), "Level complete!", "@card_title_center")
        y += s(58)
        row = glyphs.star_row(size, st.stars, gap=s(14))
        self._image(panel, ((w - row.get_width()) // 2, y, row.get_width(), size), row,
                    tip=f"{st.stars} of 3 stars")  # fmt: skip
        y += size + s(18)
        y += self._fitted_text(panel, html, "@story", (pad, y, inner, room), story_h) + s(10)
        if more_text:
            box = self._text(panel, (pad, y, inner, -1), more_text, "@goal_done")
            y += box.rect.height + s(10)
        y += s(10)
        self._place_buttons(panel, buttons, rows, y, w, bh, gap, "centre")
