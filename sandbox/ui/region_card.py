"""The region card: what the region being read is, drawn with pygame on the plane's top-left
corner (the hover readout moves to another corner).

It shows the region's number, its formula (the logits as a x + b y + c, rounded for reading),
the on/off bit of every hidden neuron by layer (in the creases' layer colours; a click on a bit
lights up where that neuron is on), its area, sides and neighbours, the last step across a
crease and the lit neuron; or, when training removed the region, why it is gone. `card_layout`
places everything (a pure function of the state), so drawing (`draw_region_card`) and the hit
tests of sandbox.ui.region_input read the same rectangles. `card_key` lists what it shows, for
the UI surface's redraw key (sandbox.ui.redraw). Drawn with premultiplied alpha like sandbox.ui.hud.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pygame

from sandbox.geometry.region_query import affine_text, neuron_name, output_names
from sandbox.state import AppState
from sandbox.ui.charts import font
from sandbox.ui.hud import layer_color, premul, wrap_words
from sandbox.ui.numbers import plain_number
from sandbox.ui.theme import ACCENT, CARD_BG, TEXT, TEXT_DIM, WARN, class_color
from sandbox.vocab import View

WIDTH = 340  # at UI scale 1
BORDER = (96, 140, 200)


@dataclass
class CardLayout:
    """Where the card and its parts are, in window pixels: `rect`, the close box, the copy
    button, one cell per hidden neuron (rect, layer 1-based, index 0-based), and the lines to
    draw: (kind, x, y, payload...)."""

    rect: pygame.Rect
    close: pygame.Rect
    copy: pygame.Rect | None
    cells: list[tuple[pygame.Rect, int, int]] = field(default_factory=list)
    items: list[tuple] = field(default_factory=list)


def _bits_of(state: AppState) -> tuple[np.ndarray, ...]:
    rd = state.reading
    if rd.facts is not None:
        return rd.facts.bits
    return tuple(np.frombuffer(p.encode(), np.uint8) - ord("0") for p in rd.pattern.split("|"))


def card_layout(state: AppState) -> CardLayout | None:
    """The card's layout for the current reading (None when no region is read, or the plane is
    hidden by a card or dialog). A small plane gets the compact card (no explaining lines)."""
    rd = state.reading
    if not rd.active or state.show_help or state.workshop.dialog is not None:
        return None
    sc = state.scale
    px, py, pw, ph = state.layout.plane
    pad = round(10 * sc)
    compact = ph < 460 * sc or pw < 600 * sc
    width = min(round((270 if compact else WIDTH) * sc), pw - 2 * pad)
    if width < 160 * sc:
        return None
    inner = width - 2 * pad
    line = round(21 * sc)
    small = round(18 * sc)
    items: list[tuple] = []
    cells: list[tuple[pygame.Rect, int, int]] = []
    x = y = pad
    facts = rd.facts
    n_regions = len(state.partition) if state.partition is not None else 0
    if facts is not None:
        title = f"Region {facts.region + 1} of {n_regions}"
        items.append(("title", x, y, title, TEXT))
    else:
        items.append(("title", x, y, "Region gone", WARN))
    close = pygame.Rect(width - pad - round(20 * sc), y - round(2 * sc), round(22 * sc),
                        round(22 * sc))  # fmt: skip
    copy = None
    if facts is not None:
        cw = font(12 * sc).size("Copy")[0] + round(14 * sc)
        copy = pygame.Rect(close.x - cw - round(6 * sc), close.y, cw, close.h)
    y += round(26 * sc)
    if facts is None:
        for text in wrap_words(rd.gone, font(13 * sc), inner):
            items.append(("text", x, y, text, TEXT, 13))
            y += small
        y += round(4 * sc)
    else:
        k = len(facts.formula)
        if not compact:
            what = "output" if k == 1 else "logits"
            items.append(("text", x, y, f"{what} inside it (rounded; Copy is exact)", TEXT_DIM, 12))
            y += small
        for i, (name, row) in enumerate(zip(output_names(k), facts.formula, strict=True)):
            items.append(("formula", x, y, "" if compact else name, affine_text(row),
                          i if k > 1 else None))  # fmt: skip
            y += line
        y += round(2 * sc)
    if not compact:
        items.append(("text", x, y, "neurons on / off by layer (click one to light it)", TEXT_DIM,
                      12))  # fmt: skip
        y += small
    cell = max(4, round(10 * sc))
    gap = max(1, round(2 * sc))
    bx0 = x + round(28 * sc)
    for layer, bits in enumerate(_bits_of(state), start=1):
        items.append(("layer", x, y - round(3 * sc), layer))
        bx, by = bx0, y
        for index, b in enumerate(bits):
            if bx + cell > width - pad:
                bx, by = bx0, by + cell + gap
            cells.append((pygame.Rect(bx, by, cell, cell), layer, index))
            items.append(("bit", bx, by, layer, index, int(b)))
            bx += cell + gap
        y = by + cell + round(6 * sc)
    if facts is not None:
        n = len(facts.neighbours)
        area = f"area {plain_number(facts.area, 3)}"
        if compact:
            items.append(("text", x, y, f"{area} · {facts.edges} edges · {n} neighbours", TEXT,
                          13))  # fmt: skip
            y += small
        else:
            border = f" ({facts.border_edges} on the window's edge)" if facts.border_edges else ""
            items.append(("text", x, y, f"{area}   edges {facts.edges}{border}", TEXT, 13))
            y += small
            items.append(("text", x, y, f"{n} neighbour{'s' if n != 1 else ''} (outlined); "
                          "arrow keys walk to one", TEXT, 13))  # fmt: skip
            y += small
    if rd.crossed and facts is not None:
        for text in wrap_words(rd.crossed, font(13 * sc), inner):
            items.append(("text", x, y, text, ACCENT, 13))
            y += small
    if rd.neuron is not None:
        layer, index = rd.neuron
        items.append(("text", x, y, f"{neuron_name(layer, index)} lit: on in {rd.lit} of "
                      f"{n_regions} regions", layer_color(layer), 13))  # fmt: skip
        y += small
    if not compact:
        items.append(("text", x, y + round(2 * sc), "Esc: let go and paint again", TEXT_DIM, 12))
        y += small + round(2 * sc)
    height = y + pad - round(4 * sc)
    dx, dy = _place(state, (width, height), pad)
    return CardLayout(
        pygame.Rect(dx, dy, width, height),
        close.move(dx, dy),
        None if copy is None else copy.move(dx, dy),
        [(r.move(dx, dy), layer, index) for r, layer, index in cells],
        [(it[0], it[1] + dx, it[2] + dy, *it[3:]) for it in items],
    )


def _place(state: AppState, size: tuple[int, int], pad: int) -> tuple[int, int]:
    """Top-left corner of the card: the first corner of the plane (top left, top right, bottom
    right, bottom left) where it does not cover the region being read."""
    px, py, pw, ph = state.layout.plane
    w, h = size
    sc = state.scale
    top = py + pad + (round(36 * sc) if View.SPLIT in state.views else 0)
    bottom = py + ph - h - round(40 * sc)  # above the zoom caption and the messages
    corners = [(px + pad, top), (px + pw - w - pad, top), (px + pw - w - pad, bottom),
               (px + pad, bottom)]  # fmt: skip
    facts, cam = state.reading.facts, state.camera
    if facts is None or cam is None or View.SPLIT in state.views:
        return corners[0]
    poly = cam.world_to_screen(facts.polygon) + (px, py)
    lo, hi = poly.min(axis=0), poly.max(axis=0)
    box = pygame.Rect(int(lo[0]), int(lo[1]), int(hi[0] - lo[0]) + 1, int(hi[1] - lo[1]) + 1)
    for cx, cy in corners:
        if not pygame.Rect(cx, cy, w, h).colliderect(box) and cy >= py:
            return cx, cy
    return corners[0]


def draw_region_card(surface: pygame.Surface, state: AppState) -> pygame.Rect | None:
    """Draw the card; its rectangle (None when there is none)."""
    lay = card_layout(state)
    if lay is None:
        return None
    sc = state.scale
    clip = surface.get_clip()
    px, py, pw, ph = state.layout.plane
    surface.set_clip(pygame.Rect(px, py, pw, ph).clip(clip))
    card = pygame.Surface(lay.rect.size, pygame.SRCALPHA)
    radius = round(8 * sc)
    pygame.draw.rect(card, premul(CARD_BG), card.get_rect(), border_radius=radius)
    pygame.draw.rect(card, premul((*BORDER, 255)), card.get_rect(), 1, border_radius=radius)
    surface.blit(card, lay.rect.topleft, special_flags=pygame.BLEND_PREMULTIPLIED)
    lit = state.reading.neuron
    cell_w = lay.cells[0][0].w if lay.cells else 0
    for item in lay.items:
        kind, x, y = item[:3]
        if kind == "title":
            _text(surface, item[3], (x, y), 15 * sc, item[4], bold=True)
        elif kind == "text":
            _text(surface, item[3], (x, y), item[5] * sc, item[4])
        elif kind == "formula":
            name, text, k = item[3], item[4], item[5]
            tx = x
            if k is not None:
                sw = pygame.Rect(x, y + round(3 * sc), round(12 * sc), round(12 * sc))
                pygame.draw.rect(surface, premul(class_color(k)), sw, border_radius=round(3 * sc))
                tx += round(17 * sc)
            if name:
                _text(surface, name, (tx, y), 13 * sc, TEXT_DIM)
                tx = x + round(72 * sc)
            _text(surface, text, (tx, y - round(1 * sc)), 14 * sc, TEXT)
        elif kind == "layer":
            _text(surface, f"L{item[3]}", (x, y), 12 * sc, layer_color(item[3]))
        elif kind == "bit":
            layer, index, b = item[3], item[4], item[5]
            r = pygame.Rect(x, y, cell_w, cell_w)
            col = layer_color(layer)
            if b == 1:
                pygame.draw.rect(surface, premul(col), r)
            elif b == 2:  # hardtanh's high piece: filled, with a light top
                pygame.draw.rect(surface, premul(col), r)
                pygame.draw.rect(surface, premul((240, 240, 240)), r.inflate(-r.w // 2, -r.h // 2))
            else:
                pygame.draw.rect(surface, premul((90, 98, 112)), r, 1)
            if lit == (layer, index):
                pygame.draw.rect(surface, premul((255, 255, 255)), r.inflate(4, 4), 2)
    _button(surface, lay.close, "×", sc, 16)
    if lay.copy is not None:
        _button(surface, lay.copy, "Copy", sc, 12)
    surface.set_clip(clip)
    return lay.rect


def _button(surface: pygame.Surface, rect: pygame.Rect, label: str, sc: float, size: int) -> None:
    pygame.draw.rect(surface, premul((45, 51, 62)), rect, border_radius=round(4 * sc))
    pygame.draw.rect(surface, premul((90, 98, 112)), rect, 1, border_radius=round(4 * sc))
    _text(surface, label, rect.center, size * sc, TEXT, anchor="center")


def _text(surface, text: str, pos, size: float, colour, bold: bool = False,
          anchor: str = "topleft") -> None:  # fmt: skip
    img = font(size, bold).render(text, True, colour).premul_alpha()
    rect = img.get_rect(**{anchor: (round(pos[0]), round(pos[1]))})
    surface.blit(img, rect, special_flags=pygame.BLEND_PREMULTIPLIED)


def card_key(state: AppState) -> tuple:
    """What the card shows, as plain values (the UI surface is drawn again when it changes)."""
    rd = state.reading
    if not rd.active:
        return ()
    f = rd.facts
    facts = None
    if f is not None:
        facts = (f.region, f.pattern, tuple(np.round(f.formula, 6).ravel().tolist()),
                 round(f.area, 9), f.edges, f.border_edges, len(f.neighbours))  # fmt: skip
    n = len(state.partition) if state.partition is not None else 0
    lay = card_layout(state)
    where = None if lay is None else tuple(lay.rect)  # it moves off the region when panned
    return (rd.pattern, facts, rd.gone, rd.neuron, rd.lit, rd.crossed, n, where)
