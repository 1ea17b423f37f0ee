"""The level's cards over the stage: the story card (pages of the level's story, with Back and
Next) and the success card (stars, the success text, what the next star needs, Keep playing, Menu,
Next level). A card is made at its final size: its text is measured first.
"""

from __future__ import annotations

import pygame
from pygame_gui.elements import UIButton, UIPanel

from sandbox import game_actions as G
from sandbox.state import AppState
from sandbox.ui import glyphs
from sandbox.ui.hud import premul
from sandbox.ui.level_plan import rule_text, stage_rect, story_html


class LevelCards:
    """The cards of a level screen; mixed into LevelPanels (which gives the widget helpers)."""

    def _card_width(self, state: AppState, width: int) -> int:
        return min(width, stage_rect(state.layout)[2] - 2 * self.s(16))

    def _card(self, state: AppState, w: int, height: int, oid: str, cls: str) -> UIPanel:
        """A card centred over the stage, a little above the middle (the eye starts there)."""
        px, py, pw, ph = stage_rect(state.layout)
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

    def _build_story_card(self, state: AppState) -> None:
        st = self.status
        level = st.level
        s = self.s
        w = self._card_width(state, s(700))
        pad = s(28)
        inner = w - 2 * pad
        n = len(level.story)
        page = min(max(st.page, 0), n - 1)
        html = story_html(level.story[page])
        bh = s(50)
        title = f"<b>{level.title}</b>"
        title_h = self._measure(title, "@card_title_box", inner)
        height = s(20 + 26) + title_h + s(12) + self._measure(html, "@story", inner)
        height += s(22) + bh + s(24)
        panel = self._card(state, w, height, "#story_card", "@card_panel")
        y = s(20)
        self._label(panel, (pad, y, inner, s(24)), f"LEVEL {st.number}", "@card_kicker")
        y += s(26)
        box = self._text(panel, (pad, y, inner, -1), title, "@card_title_box")
        y += box.rect.height + s(12)
        box = self._text(panel, (pad, y, inner, -1), html, "@story")
        y += box.rect.height + s(22)
        # page dots: where you are in the story
        if n > 1:
            dot = s(12)
            img = pygame.Surface((n * dot * 2, dot), pygame.SRCALPHA)
            for i in range(n):
                c = (110, 165, 232, 255) if i == page else (70, 78, 92, 255)
                pygame.draw.circle(img, premul(c), (i * dot * 2 + dot // 2, dot // 2), dot // 2)
            self._image(panel, (pad, y + s(14), n * dot * 2, dot), img)
        last = page == n - 1
        nw = s(200)
        self._card_button(panel, (w - pad - nw, y, nw, bh), "next",
                          "Let's go!" if last else "Next",
                          "Start playing. Key Enter." if last else "Next page. Key Enter.",
                          lambda: G.StoryPage(1), "@card_primary")  # fmt: skip
        if page > 0:
            self._card_button(panel, (w - pad - nw - s(12) - s(140), y, s(140), bh), "back",
                              "Back", "The page before.", lambda: G.StoryPage(-1),
                              "@card_button")  # fmt: skip

    def _build_success_card(self, state: AppState) -> None:
        st = self.status
        level = st.level
        s = self.s
        w = self._card_width(state, s(660))
        pad = s(28)
        inner = w - 2 * pad
        size = s(56)
        bh = s(50)
        html = story_html(level.success)
        more_text = ""
        if st.stars < 3:
            rule = level.three_stars if level.three_stars is not None else level.two_stars
            if rule is not None:
                more = "3 stars" if level.three_stars is not None else "2 stars"
                words = rule_text(rule.source, level.markers, level.quiz is not None)
                more_text = f"For {more}: {words}. Keep playing to try!"
        height = s(22 + 58) + size + s(18) + self._measure(html, "@story", inner) + s(10)
        if more_text:
            height += self._measure(more_text, "@goal_done", inner) + s(10)
        height += s(10) + bh + s(24)
        panel = self._card(state, w, height, "#success_card", "@success_panel")
        y = s(22)
        self._label(panel, (pad, y, inner, s(48)), "Level complete!", "@card_title_center")
        y += s(58)
        row = glyphs.star_row(size, st.stars, gap=s(14))
        self._image(panel, ((w - row.get_width()) // 2, y, row.get_width(), size), row,
                    tip=f"{st.stars} of 3 stars")  # fmt: skip
        y += size + s(18)
        box = self._text(panel, (pad, y, inner, -1), html, "@story")
        y += box.rect.height + s(10)
        if more_text:
            box = self._text(panel, (pad, y, inner, -1), more_text, "@goal_done")
            y += box.rect.height + s(10)
        y += s(10)
        gap = s(12)
        buttons = [
            (
                "keep",
                "Keep playing",
                "Close this card and keep playing with the level.",
                G.CloseCard,
                "@card_button",
            ),
            ("menu", "Menu", "Back to the level menu.", G.OpenMenu, "@card_button"),
        ]
        if st.next_id is not None:
            buttons.append(("next", "Next level", "On to the next level. Key Enter.",
                            G.NextLevel, "@card_primary"))  # fmt: skip
        widths = {"keep": s(190), "menu": s(130), "next": s(200)}
        total = sum(widths[b[0]] for b in buttons) + gap * (len(buttons) - 1)
        x = (w - total) // 2
        for key, text, tip, act, cls in buttons:
            self._card_button(panel, (x, y, widths[key], bh), key, text, tip, act, cls)
            x += widths[key] + gap

    # ------------------------------------------------------------------ sync
