"""The "What am I looking at?" card: everything the plane shows, a small picture and one or two
plain sentences each (dots, regions, creases, boundary, confidence, 3D), for a newcomer.

It is the help card's second page (`AppState.help_page == "guide"`): W, the "?" button of the
sandbox's panels or the key list's last line open it, and W or Esc close it. `guide_layout`
places every picture and line of text for a window and UI scale (the type shrinks until the card
fits the window), so a test can check that nothing leaves the card; `draw_guide` draws that
layout. Drawn with pygame on the UI surface, premultiplied like the rest of sandbox.ui.hud.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pygame

from sandbox.state import AppState
from sandbox.ui.charts import font
from sandbox.ui.hud import _card, _legend_picture, _text, premul, wrap_words
from sandbox.ui.theme import ACCENT, TEXT, TEXT_DIM, class_color

TITLE = "What am I looking at?"
FOOTER = "W or Esc closes this card  ·  H lists every key"
# (picture, words): what each thing on the screen is, in a twelve-year-old's words
GUIDE: tuple[tuple[str, str], ...] = (
    ("dots", "Dots: the examples. You paint them; each colour is a kind of thing the network "
     "must learn to tell apart."),
    ("regions", "Regions: the flat pieces. The network is a sheet of paper folded many times; "
     "inside each piece the paper is flat."),
    ("creases", "Creases: the folds. Each neuron folds the paper along one straight line; the "
     "next layers fold again, so their lines bend."),
    ("boundary", "Boundary: the thick black line. On one side the network answers one colour, "
     "on the other side another."),
    ("confidence", "Confidence: strong colour means \"I'm sure\", pale means \"I'm not sure\". "
     "Laplace (L) makes it less sure far from the dots."),
    ("3d", "3D (V): the same paper lifted up by the network's answer, so you can see the folds "
     "from the side. Drag to turn it."),
)  # fmt: skip


@dataclass
class GuideLayout:
    """Where everything of the card goes (window pixels)."""

    card: pygame.Rect
    size: float  # the type size
    title: pygame.Rect
    pictures: list[pygame.Rect] = field(default_factory=list)
    lines: list[tuple[str, pygame.Rect]] = field(default_factory=list)
    footer: pygame.Rect = field(default_factory=pygame.Rect)


def guide_layout(window: tuple[int, int], scale: float) -> GuideLayout:
    """The card for this window: the largest type (from 18 px at the UI scale down to 11 px)
    whose card fits the window with a margin."""
    w, h = window
    margin = 8
    layout = None
    for size in (18 * scale, 16 * scale, 14 * scale, 13 * scale, 12, 11):
        layout = _layout_at(window, scale, size)
        if layout.card.width <= w - 2 * margin and layout.card.height <= h - 2 * margin:
            break
    assert layout is not None
    return layout


def _layout_at(window: tuple[int, int], scale: float, size: float) -> GuideLayout:
    w, h = window
    f = font(size)
    unit = size / 16
    lh = f.get_linesize() + round(2 * unit)
    pad = round(22 * unit)
    pic = (round(64 * unit), round(40 * unit))
    gap = round(14 * unit)
    text_w = min(round(420 * unit), max(120, w - 16 - 2 * pad - pic[0] - gap))
    card_w = 2 * pad + pic[0] + gap + text_w
    title_h = font(size * 1.3, True).get_linesize()
    x0, y = pad, pad
    title = pygame.Rect(x0, y, font(size * 1.3, True).size(TITLE)[0], title_h)
    y += title_h + round(12 * unit)
    pictures, lines = [], []
    for _, words in GUIDE:
        wrapped = wrap_words(words, f, text_w)
        pictures.append(pygame.Rect(x0, y + round(2 * unit), *pic))
        for i, line in enumerate(wrapped):
            lines.append((line, pygame.Rect(x0 + pic[0] + gap, y + i * lh, f.size(line)[0], lh)))
        y += max(len(wrapped) * lh, pic[1]) + round(10 * unit)
    footer = pygame.Rect(x0, y + round(4 * unit), font(size * 0.9).size(FOOTER)[0], lh)
    card = pygame.Rect(0, 0, card_w, footer.bottom + pad)
    card.center = (w // 2, h // 2)
    dx, dy = card.topleft
    return GuideLayout(
        card=card,
        size=size,
        title=title.move(dx, dy),
        pictures=[r.move(dx, dy) for r in pictures],
        lines=[(t, r.move(dx, dy)) for t, r in lines],
        footer=footer.move(dx, dy),
    )


def draw_guide(surface: pygame.Surface, state: AppState, scale: float) -> pygame.Rect:
    """Draw the card in the middle of the window (opaque); returns its rectangle."""
    lay = guide_layout(state.layout.window, scale)
    _card(surface, lay.card, scale, border=ACCENT, alpha=255)
    _text(surface, TITLE, lay.title.topleft, lay.size * 1.3, TEXT, bold=True)
    for (kind, _), rect in zip(GUIDE, lay.pictures, strict=True):
        _picture(surface, kind, rect, scale)
    for line, rect in lay.lines:
        _text(surface, line, rect.topleft, lay.size, TEXT)
    _text(surface, FOOTER, lay.footer.topleft, lay.size * 0.9, TEXT_DIM)
    return lay.card


def _picture(surface: pygame.Surface, kind: str, rect: pygame.Rect, scale: float) -> None:
    """The help card's small pictures, and two more: painted dots, and the paper in 3D."""
    if kind not in ("dots", "3d"):
        _legend_picture(surface, kind, rect, scale)
        return
    x, y, w, h = rect
    pygame.draw.rect(surface, premul((40, 46, 58)), rect)
    if kind == "dots":
        r = max(3, round(5 * scale))
        spots = ((0.2, 0.3, 0), (0.35, 0.7, 0), (0.5, 0.35, 0), (0.62, 0.72, 1), (0.8, 0.3, 1),
                 (0.88, 0.68, 1))  # fmt: skip
        for fx, fy, c in spots:
            centre = (round(x + fx * w), round(y + fy * h))
            pygame.draw.circle(surface, premul(class_color(c)), centre, r)
            pygame.draw.circle(surface, premul((20, 20, 24)), centre, r, 1)
    else:  # a folded sheet seen from the side: flat pieces meeting at creases
        pts = [(x + 0.05 * w, y + 0.8 * h), (x + 0.35 * w, y + 0.35 * h),
               (x + 0.6 * w, y + 0.6 * h), (x + 0.95 * w, y + 0.15 * h)]  # fmt: skip
        floor = [(px, y + h - 1) for px, _ in reversed(pts)]
        pygame.draw.polygon(surface, premul((176, 196, 222)), pts + floor)
        pygame.draw.lines(surface, premul((30, 34, 42)), False, pts, max(2, round(2 * scale)))
    pygame.draw.rect(surface, premul((90, 98, 112)), rect, 1)
