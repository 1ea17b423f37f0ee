"""Presenter mode's look and the workshop overlays: the high-contrast theme, a halo around the
cursor, big readouts, the recording counter and the shortcut overlay in big type.

The high-contrast theme is assets/theme_contrast.json laid over the normal theme (block by block,
key by key), after the UI scale has been applied; it holds colours and border widths only, so
every panel keeps its geometry. The overlays are drawn with pygame onto the UI surface in
premultiplied alpha (as sandbox.ui.hud explains), each on its own small surface blended on
top, so they never erase what is under them. Their sizes follow the presenter scale (at least
1.5x), not the panels' scale, which the layout may lower to fit a small window.
"""

from __future__ import annotations

import copy
import json
import math
from dataclasses import dataclass
from functools import cache
from typing import TypeGuard

import pygame

from sandbox.resources import resource_dir
from sandbox.state import AppState
from sandbox.ui.charts import font
from sandbox.ui.input import KEY_HELP
from sandbox.ui.theme import Theme, scaled_theme
from sandbox.vocab import Task, View

CONTRAST = "contrast"
THEMES = ("default", CONTRAST)
PRESENTER_MIN_SCALE = 1.5
YELLOW = (255, 212, 0)
BLACK = (0, 0, 0)
WHITE = (255, 255, 255)
REC_RED = (230, 30, 30)
SHORTCUT_SIZES = range(56, 13, -2)  # font pixel sizes tried for the shortcut overlay, largest first
SHORTCUT_FILL = 0.94  # share of the window the shortcut card may cover


# ----------------------------------------------------------------------------- theme
@cache
def _contrast_overrides() -> Theme:
    with open(resource_dir("assets") / "theme_contrast.json", encoding="utf-8") as f:
        return json.load(f)


def merge_theme(base: Theme, overrides: Theme) -> Theme:
    """`base` with `overrides` laid over it: blocks merged, and inside a block each of
    "colours", "font", "misc" merged key by key. Neither input is changed."""
    out = copy.deepcopy(base)
    for name, block in overrides.items():
        target = out.setdefault(name, {})
        if not isinstance(block, dict) or not isinstance(target, dict):
            out[name] = copy.deepcopy(block)
            continue
        for part, values in block.items():
            if isinstance(values, dict) and isinstance(target.get(part), dict):
                target[part].update(values)
            else:
                target[part] = copy.deepcopy(values)
    return out


def theme_for(name: str, scale: float) -> Theme:
    """The pygame-gui theme dict called `name` ("default" or "contrast") at a UI scale."""
    if name not in THEMES:
        raise ValueError(f"theme {name!r}; allowed: {', '.join(THEMES)}")
    theme = scaled_theme(scale)
    if name == CONTRAST:
        theme = merge_theme(theme, _contrast_overrides())
    return theme


def _linear(c: float) -> float:
    c = c / 255.0
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def contrast_ratio(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    """WCAG contrast ratio of two sRGB colours, 1 (same) to 21 (black on white)."""
    la, lb = (
        0.2126 * _linear(c[0]) + 0.7152 * _linear(c[1]) + 0.0722 * _linear(c[2]) for c in (a, b)
    )
    hi, lo = max(la, lb), min(la, lb)
    return (hi + 0.05) / (lo + 0.05)


def hex_rgb(text: str) -> tuple[int, int, int]:
    text = text.lstrip("#")
    return (int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16))


# ----------------------------------------------------------------------------- drawing helpers
def _premul(colour: tuple[int, ...], alpha: int = 255) -> tuple[int, int, int, int]:
    r, g, b = colour[:3]
    return (r * alpha // 255, g * alpha // 255, b * alpha // 255, alpha)


def _blend(surface: pygame.Surface, layer: pygame.Surface, pos: tuple[int, int]) -> None:
    surface.blit(layer, pos, special_flags=pygame.BLEND_PREMULTIPLIED)


def _card(surface: pygame.Surface, rect: pygame.Rect, scale: float, border=YELLOW, alpha=240):
    layer = pygame.Surface(rect.size, pygame.SRCALPHA)
    radius = round(10 * scale)
    pygame.draw.rect(layer, _premul(BLACK, alpha), layer.get_rect(), border_radius=radius)
    pygame.draw.rect(
        layer, _premul(border), layer.get_rect(), max(2, round(2 * scale)), border_radius=radius
    )
    _blend(surface, layer, rect.topleft)


def _text(
    surface: pygame.Surface,
    text: str,
    pos: tuple[float, float],
    size: float,
    colour=WHITE,
    bold: bool = False,
    anchor: str = "topleft",
) -> pygame.Rect:
    img = font(round(size), bold).render(text, True, colour).premul_alpha()
    rect = img.get_rect(**{anchor: (round(pos[0]), round(pos[1]))})
    _blend(surface, img, rect.topleft)
    return rect


def overlay_scale(state: AppState) -> float:
    """Scale of the workshop overlays: the UI scale, at least 1.5x in presenter mode."""
    s = float(state.scale)
    return max(PRESENTER_MIN_SCALE, s) if state.workshop.presenter else s


# ----------------------------------------------------------------------------- overlays
def draw_halo(surface: pygame.Surface, state: AppState, scale: float) -> None:
    """A ring around the cursor on the plane, visible on light and dark colours alike."""
    pos = state.hover_pos
    if pos is None or not state.layout.in_plane(pos):
        return
    r = round(30 * scale)
    ring = max(3, round(4 * scale))
    edge = max(1, round(1.5 * scale))
    size = 2 * (r + ring + edge + 2)
    layer = pygame.Surface((size, size), pygame.SRCALPHA)
    c = (size // 2, size // 2)
    pygame.draw.circle(layer, _premul(YELLOW, 60), c, r)
    pygame.draw.circle(layer, _premul(BLACK), c, r + ring + edge, ring + 2 * edge)
    pygame.draw.circle(layer, _premul(YELLOW), c, r + ring, ring)
    _blend(surface, layer, (round(pos[0]) - size // 2, round(pos[1]) - size // 2))


def _finite(x: float | None) -> TypeGuard[float]:
    return x is not None and math.isfinite(x)


def readout_lines(state: AppState) -> list[tuple[str, float, tuple[int, int, int]]]:
    """(text, relative size, colour) of the big readouts."""
    m = state.metrics
    status = "training" if state.playing else "paused"
    lines = [(f"Step {m.step:,}  ({status})", 1.0, YELLOW)]
    if state.task is Task.CLASSIFICATION:
        train, test = m.train_accuracy, m.test_accuracy
        text = "Accuracy " + ("-" if not _finite(train) else f"{100 * train:.1f}%")
        if _finite(test):
            text += f"   test {100 * test:.1f}%"
        lines.append((text, 1.0, WHITE))
    loss = "-" if not _finite(m.train_loss) else f"{m.train_loss:.4f}"
    lines.append((f"Loss {loss}", 0.8, WHITE))
    g = state.geometry
    if g.regions and not g.too_many:
        lines.append((f"{g.regions:,} linear regions", 0.8, WHITE))
    return lines


def draw_big_readouts(surface: pygame.Surface, state: AppState, scale: float) -> pygame.Rect:
    """Step, accuracy and loss in large type at the plane's top-left corner, covering at most
    half its width and a third of its height (smaller type where needed; nothing when not even
    that fits)."""
    px, py, pw, ph = state.layout.plane
    lines = readout_lines(state)
    pad = round(12 * scale)
    margin = round(10 * scale)
    top = py + margin + (round(36 * scale) if View.SPLIT in state.views else 0)
    base = 24 * scale
    for _ in range(8):
        sizes = [font(round(base * rel), True).size(t) for t, rel, _ in lines]
        width = max(w for w, _ in sizes) + 2 * pad
        height = sum(h for _, h in sizes) + 2 * pad
        # at most half the plane's width and a third of its height: the plane is the show
        if width <= min(pw - 2 * margin, pw // 2) and height <= min(
            py + ph - margin - top, ph // 3
        ):
            break
        base *= 0.85
    rect = pygame.Rect(px + margin, top, width, height)
    if base < 14 or rect.right > px + pw or rect.bottom > py + ph:
        return pygame.Rect(0, 0, 0, 0)
    _card(surface, rect, scale, border=YELLOW, alpha=215)
    y = rect.y + pad
    for (text, rel, colour), (_, h) in zip(lines, sizes, strict=True):
        _text(surface, text, (rect.x + pad, y), base * rel, colour, bold=True)
        y += h
    return rect


def draw_rec_counter(
    surface: pygame.Surface, state: AppState, scale: float, below: pygame.Rect | None = None
) -> pygame.Rect:
    """A red dot, "REC", the frame count and the seconds at the plane's top-left corner (or
    under the `below` card), clear of the hover card in the top-right one."""
    w = state.workshop
    px, py, _, _ = state.layout.plane
    size = 20 * scale
    text = f"REC {w.rec_frames}   {w.rec_seconds:.1f} s"
    tw, th = font(round(size), True).size(text)
    dot = round(size * 0.6)
    pad = round(10 * scale)
    rect = pygame.Rect(0, 0, tw + dot + 3 * pad, th + pad)
    if below is not None and below.width:
        rect.topleft = (below.left, below.bottom + round(8 * scale))
    else:
        top = py + round(10 * scale) + (round(36 * scale) if View.SPLIT in state.views else 0)
        rect.topleft = (px + round(10 * scale), top)
    _card(surface, rect, scale, border=REC_RED, alpha=230)
    layer = pygame.Surface((dot, dot), pygame.SRCALPHA)
    pygame.draw.circle(layer, _premul(REC_RED), (dot // 2, dot // 2), dot // 2)
    _blend(surface, layer, (rect.x + pad, rect.centery - dot // 2))
    _text(surface, text, (rect.x + 2 * pad + dot, rect.centery), size, WHITE, True, "midleft")
    return rect


def shortcut_keys() -> tuple[tuple[str, str], ...]:
    """The keys of the help card (sandbox.ui.input.KEY_HELP), worded for this overlay."""
    out = []
    for key, what in KEY_HELP:
        if what == "close this help":
            continue  # Esc closes this overlay too; the title says so
        out.append((key, "the help card" if what == "this help" else what))
    return tuple(out)


def _chunks(keys: tuple[tuple[str, str], ...], cols: int) -> list[tuple[tuple[str, str], ...]]:
    rows = math.ceil(len(keys) / cols)
    return [keys[i * rows : (i + 1) * rows] for i in range(cols) if keys[i * rows : (i + 1) * rows]]


@dataclass(frozen=True)
class ShortcutLayout:
    """Font size, columns (key width, text width) and card size of the shortcut overlay."""

    size: int
    columns: tuple[tuple[int, int], ...]
    card: tuple[int, int]
    line: int
    pad: int
    gap: int  # between a key and its text
    column_gap: int
    title: int  # title height, its gap included


def shortcut_layout(keys: tuple[tuple[str, str], ...], window: tuple[int, int]) -> ShortcutLayout:
    """The largest font size (and the fewest columns at that size) at which every key fits the
    window; the smallest size tried when none fits."""
    win_w, win_h = window
    layout = None
    for size in SHORTCUT_SIZES:
        line = font(size).get_linesize()  # rows never overlap, whatever the font's descent
        pad, gap, column_gap = round(size * 0.8), round(size * 0.7), round(size * 1.4)
        title = round(size * 1.2 * 1.3) + pad // 2
        for cols in (1, 2, 3):
            chunks = _chunks(keys, cols)
            widths = tuple(
                (
                    max(font(size, True).size(k)[0] for k, _ in chunk),
                    max(font(size).size(d)[0] for _, d in chunk),
                )
                for chunk in chunks
            )
            w = sum(kw + gap + dw for kw, dw in widths) + (len(widths) - 1) * column_gap + 2 * pad
            h = title + max(len(c) for c in chunks) * line + 2 * pad
            layout = ShortcutLayout(size, widths, (w, h), line, pad, gap, column_gap, title)
            if w <= win_w * SHORTCUT_FILL and h <= win_h * SHORTCUT_FILL:
                return layout
    assert layout is not None
    return layout


def draw_shortcuts(surface: pygame.Surface, state: AppState) -> list[pygame.Rect]:
    """Every key and what it does, as large as the window allows; returns the text rects."""
    win = state.layout.window
    keys = shortcut_keys()
    lay = shortcut_layout(keys, win)
    size = lay.size
    dim = pygame.Surface(win, pygame.SRCALPHA)
    dim.fill(_premul(BLACK, 160))
    _blend(surface, dim, (0, 0))
    rect = pygame.Rect((0, 0), lay.card)
    rect.center = (win[0] // 2, win[1] // 2)
    _card(surface, rect, size / 24, border=YELLOW, alpha=255)
    title = "Keys   (? or Esc closes this)"
    rects = [_text(surface, title, (rect.x + lay.pad, rect.y + lay.pad), size * 1.2, YELLOW, True)]
    x = rect.x + lay.pad
    for chunk, (kw, dw) in zip(_chunks(keys, len(lay.columns)), lay.columns, strict=True):
        y = rect.y + lay.pad + lay.title
        for key, what in chunk:
            rects.append(_text(surface, key, (x, y), size, YELLOW, True))
            rects.append(_text(surface, what, (x + kw + lay.gap, y), size, WHITE))
            y += lay.line
        x += kw + lay.gap + dw + lay.column_gap
    return rects


def workshop_key(state: AppState) -> tuple:
    """What `draw_workshop_marks` and `draw_workshop_overlay` show, as plain values (the UI
    surface is drawn again when it changes)."""
    w = state.workshop
    marks: tuple = (w.presenter, w.shortcuts, w.recording)
    if w.presenter and not w.shortcuts:
        marks += (tuple(readout_lines(state)), state.hover_pos, overlay_scale(state))
    if w.recording:
        marks += (w.rec_frames, f"{w.rec_seconds:.1f}")
    return marks


def draw_workshop_marks(surface: pygame.Surface, state: AppState) -> None:
    """Presenter halo and readouts and the recording counter, as on: marks on the plane, drawn
    under the panels and cards."""
    w = state.workshop
    scale = overlay_scale(state)
    readouts = None
    if w.presenter and not w.shortcuts:
        readouts = draw_big_readouts(surface, state, scale)
        draw_halo(surface, state, scale)
    if w.recording:
        draw_rec_counter(surface, state, scale, below=readouts)


def draw_workshop_overlay(surface: pygame.Surface, state: AppState) -> None:
    """The shortcut overlay, when on: a card drawn above everything else."""
    if state.workshop.shortcuts:
        draw_shortcuts(surface, state)
