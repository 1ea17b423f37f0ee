"""The heads-up display: what is drawn with pygame (not pygame-gui) on top of the plane: the hover
readout, messages (toasts), the help card (its "what am I looking at" page is sandbox.ui.guide),
the brush outline, captions and the loading screen.
(Not to be confused with sandbox.render.overlay, the GL pass that composites the UI surface.)

These are drawn with pygame onto the same transparent surface as the pygame-gui panels (the
render layer composites that surface over the GL scene). pygame-gui draws with premultiplied
alpha, so everything here does too: colours with alpha are multiplied by their alpha before they
are written, which keeps the composite exact with GL_ONE, GL_ONE_MINUS_SRC_ALPHA.
"""

from __future__ import annotations

import math

import numpy as np
import pygame

from sandbox.state import AppState
from sandbox.ui import margin_marks
from sandbox.ui.charts import font
from sandbox.ui.input import KEY_HELP
from sandbox.ui.numbers import plain_number
from sandbox.ui.theme import ACCENT, CARD_BG, ERROR, TEXT, TEXT_DIM, WARN, class_color
from sandbox.vocab import Task, View


def _layer_colors() -> tuple[tuple[int, int, int], ...]:
    # the creases' palette (lightened to read on the dark card), so a layer's bits in the
    # readout match its creases on the plane and in 3D
    from sandbox.render.palette import LAYER_COLORS as palette_layers

    light = palette_layers + (1.0 - palette_layers) * 0.5
    return tuple(tuple(int(round(255 * c)) for c in rgb[:3]) for rgb in light)


LAYER_COLORS = _layer_colors()


def premul(colour: tuple[int, ...]) -> tuple[int, int, int, int]:
    """Premultiply an RGBA colour (pygame-gui surfaces hold premultiplied alpha)."""
    if len(colour) == 3:
        return (*colour, 255)  # type: ignore[return-value]
    r, g, b, a = colour
    return (r * a // 255, g * a // 255, b * a // 255, a)


def _card(
    surface: pygame.Surface,
    rect: pygame.Rect,
    scale: float,
    border=(70, 80, 98),
    alpha: int = CARD_BG[3],
) -> None:
    card = pygame.Surface(rect.size, pygame.SRCALPHA)
    radius = round(8 * scale)
    pygame.draw.rect(card, premul((*CARD_BG[:3], alpha)), card.get_rect(), border_radius=radius)
    pygame.draw.rect(card, premul((*border, 255)), card.get_rect(), 1, border_radius=radius)
    surface.blit(card, rect.topleft, special_flags=pygame.BLEND_PREMULTIPLIED)


def _text(
    surface: pygame.Surface,
    text: str,
    pos: tuple[float, float],
    size: float,
    colour=TEXT,
    bold: bool = False,
    anchor: str = "topleft",
) -> pygame.Rect:
    img = font(size, bold).render(text, True, colour).premul_alpha()
    rect = img.get_rect(**{anchor: (round(pos[0]), round(pos[1]))})
    surface.blit(img, rect, special_flags=pygame.BLEND_PREMULTIPLIED)
    return rect


def caption(
    surface: pygame.Surface, text: str, pos: tuple[float, float], scale: float, anchor: str
) -> None:
    """Small text on a dark rounded card, readable on any field colour."""
    f = font(13 * scale)
    w, h = f.size(text)
    pad = round(6 * scale)
    rect = pygame.Rect(0, 0, w + 2 * pad, h + pad)
    setattr(rect, anchor, (round(pos[0]), round(pos[1])))
    _card(surface, rect, scale, border=(40, 46, 56))
    _text(surface, text, rect.center, 13 * scale, TEXT, anchor="center")


def layer_color(layer: int) -> tuple[int, int, int]:
    """Colour of hidden layer `layer` (1-based) in the hover pattern readout."""
    return LAYER_COLORS[(layer - 1) % len(LAYER_COLORS)]


# ------------------------------------------------------------------ hover readout
def grey_words(value: float) -> str:
    """A predicted grey level as a reader sees it: 0 (black) to 1 (white); values the network
    puts beyond either end are shown as that end."""
    v = min(max(float(value), 0.0), 1.0)
    text = f"{v:.2f}"
    if v <= 0.05:
        return f"{text} (black)"
    if v >= 0.95:
        return f"{text} (white)"
    return text


def hover_box_rect(
    plane: tuple[int, int, int, int],
    size: tuple[int, int],
    pad: int,
    top: int,
    cursor: tuple[float, float] | None,
    avoid: list[pygame.Rect] = (),
) -> pygame.Rect | None:
    """Where the hover box goes: the first corner of the plane (top-right, top-left,
    bottom-right, bottom-left) where it covers neither the cursor nor anything in `avoid` (the
    level's markers and their labels); None when the plane has no such corner."""
    px, py, pw, ph = plane
    w, h = size
    if w > pw - 2 * pad or top + h > py + ph - pad:
        return None
    left, right = px + pad, px + pw - w - pad
    bottom = py + ph - h - pad
    for x, y in ((right, top), (left, top), (right, bottom), (left, bottom)):
        rect = pygame.Rect(x, y, w, h)
        if cursor is not None and rect.inflate(2 * pad, 2 * pad).collidepoint(cursor):
            continue
        if rect.collidelist(list(avoid)) >= 0:
            continue
        return rect
    return None


def _hover_sizes(scale: float) -> tuple[int, int, int]:
    """The hover readout's padding, row height and pattern cell size at `scale`."""
    return round(10 * scale), round(22 * scale), max(3, round(9 * scale))


def hover_card(
    state: AppState, scale: float, avoid: list[pygame.Rect] = ()
) -> tuple[pygame.Rect, list[tuple]] | None:
    """Where the hover readout goes and its rows (draw_hover draws them), or None when none is
    shown: no point under the cursor, a file dialog or the help card open, no free corner."""
    info = state.hover
    if info is None or state.show_help or state.workshop.dialog is not None:
        return None
    px, py, pw, ph = state.layout.plane
    pad, line, cell = _hover_sizes(scale)
    width = round(300 * scale)
    rows: list[tuple] = []
    rows.append(
        ("text", f"x {plain_number(info.world[0])}   y {plain_number(info.world[1])}", TEXT_DIM)
    )
    if state.task is Task.REGRESSION and info.value is not None:
        rows.append(("text", f"predicted grey {grey_words(info.value)}", TEXT))
        if info.laplace_probs is not None:
            rows.append(("text", f"Laplace std {float(info.laplace_probs[0]):.3f}", TEXT))
    elif info.map_probs is not None:
        has_la = info.laplace_probs is not None
        rows.append(
            ("head", "class", "plain" if has_la else "probability", "Laplace" if has_la else "")
        )
        for k, p in enumerate(info.map_probs):
            q = info.laplace_probs[k] if has_la else None
            rows.append(("prob", k, float(p), None if q is None else float(q)))
    rows += margin_marks.hover_rows(info)
    part = state.partition
    if info.pattern and not state.reading.active and part is not None and not part.too_many:
        how = "Read (toolbar) or Enter" if "read" in state.layout.toolbar else "Enter"
        how = "A click" if state.reading.tool else how
        rows.append(("text", f"{how} reads this region", TEXT_DIM))
    elif info.pattern:
        rows.append(("text", "region's on/off pattern", TEXT_DIM))
        for layer, bits in enumerate(info.pattern, start=1):
            rows.append(("bits", layer, bits))
    height = pad * 2 + sum(
        (cell + round(4 * scale)) * max(1, math.ceil(len(r[2]) * (cell + 2) / (width - 70 * scale)))
        if r[0] == "bits"
        else line
        for r in rows
    )
    top = py + pad + (round(36 * scale) if View.SPLIT in state.views else 0)  # below labels
    rect = hover_box_rect(state.layout.plane, (width, height), pad, top, state.hover_pos, avoid)
    return None if rect is None else (rect, rows)


def draw_hover(
    surface: pygame.Surface, state: AppState, scale: float, avoid: list[pygame.Rect] = ()
) -> pygame.Rect | None:
    """Class probabilities (MAP, and Laplace when fitted) and the region's activation pattern
    for the plane point under the cursor, in a corner of the plane that keeps clear of the
    cursor and of `avoid` (markers). Not while a file dialog or the help card is open. The
    nudge-to-flip drawing (sandbox.ui.margin_marks) goes under it."""
    margin_marks.draw_nudge(surface, state, scale)
    card = hover_card(state, scale, avoid)
    if card is None:
        return None
    rect, rows = card
    pad, line, cell = _hover_sizes(scale)
    _card(surface, rect, scale)
    x0, y = rect.x + pad, rect.y + pad
    fs = 14 * scale
    bar_w = round(70 * scale)
    for row in rows:
        kind = row[0]
        if kind == "text":
            _text(surface, row[1], (x0, y), fs, row[2])
            y += line
        elif kind == "head":
            _text(surface, row[1], (x0, y), 12 * scale, TEXT_DIM)
            _text(surface, row[2], (x0 + 40 * scale, y), 12 * scale, TEXT_DIM)
            if row[3]:
                _text(
                    surface, row[3], (x0 + 40 * scale + bar_w + 48 * scale, y), 12 * scale, TEXT_DIM
                )
            y += line
        elif kind == "prob":
            k, p, q = row[1], row[2], row[3]
            col = class_color(k)
            sw = pygame.Rect(x0, y + 3 * scale, round(14 * scale), round(14 * scale))
            pygame.draw.rect(surface, premul(col), sw, border_radius=round(3 * scale))
            _text(surface, str(k + 1), (x0 + 20 * scale, y), fs, TEXT)
            for j, v in enumerate((p, q)):
                if v is None:
                    continue
                bx = x0 + 40 * scale + j * (bar_w + 48 * scale)
                track = pygame.Rect(bx, y + 5 * scale, bar_w, round(10 * scale))
                pygame.draw.rect(surface, premul((45, 51, 62)), track, border_radius=3)
                fill = track.copy()
                fill.width = max(1, round(bar_w * min(max(v, 0.0), 1.0)))
                pygame.draw.rect(surface, premul(col), fill, border_radius=3)
                _text(surface, f"{100 * v:.0f}%", (bx + bar_w + 4 * scale, y), fs, TEXT)
            y += line
        elif kind == "bits":
            layer, bits = row[1], row[2]
            _text(surface, f"L{layer}", (x0, y - 3 * scale), 12 * scale, layer_color(layer))
            bx0 = x0 + round(28 * scale)
            bx, by = bx0, y
            col = layer_color(layer)
            for b in bits:
                r = pygame.Rect(bx, by, cell, cell)
                if b == "1":
                    pygame.draw.rect(surface, premul(col), r)
                else:
                    pygame.draw.rect(surface, premul((90, 98, 112)), r, 1)
                bx += cell + 2
                if bx + cell > rect.right - pad:
                    bx = bx0
                    by += cell + 2
            y = by + cell + round(4 * scale)
    return rect


def pointer_key(state: AppState) -> tuple:
    """What the marks that follow the pointer show (the hover readout, the brush ring), as plain
    values; `pointer_rects` says where they are (sandbox.ui.redraw draws only there again)."""
    info = state.hover
    hover = None
    if info is not None:
        hover = (
            tuple(float(v) for v in info.world),
            None if info.map_probs is None else tuple(np.round(info.map_probs, 4).tolist()),
            None if info.laplace_probs is None else tuple(np.round(info.laplace_probs, 4).tolist()),
            None if info.value is None else round(float(info.value), 4),
            tuple(info.pattern),
            margin_marks.hover_key(info),
        )
    return (hover, state.hover_pos, state.brush_radius_px)


def pointer_rects(
    state: AppState, scale: float, avoid: list[pygame.Rect] = ()
) -> list[tuple[int, int, int, int]]:
    """Where the marks that follow the pointer are drawn this frame: the hover readout's card
    and the brush ring around the cursor (wherever the scene would draw it)."""
    rects = []
    card = hover_card(state, scale, avoid)
    if card is not None:
        rects.append(tuple(card[0]))
    pos = state.hover_pos
    if pos is not None and state.layout.in_plane(pos):
        r = max(2, round(state.brush_radius_px)) + 3  # the ring's dark edge, anti-aliasing
        rects.append((round(pos[0]) - r, round(pos[1]) - r, 2 * r + 1, 2 * r + 1))
    return rects


def hud_key(state: AppState, scale: float) -> tuple:
    """Everything the marks of this module show on the plane (captions, the brush's colour,
    toast, help card) but what those that follow the pointer show (`pointer_key`), as plain
    values: the UI surface is drawn again when this changes (sandbox.ui.redraw). A mark that
    reads something new must add it here."""
    toast = state.toast
    shown = None
    if toast is not None and state.time <= toast.until:
        shown = (toast.text, toast.kind)
    cam = state.camera
    return (
        scale,
        repr(state.layout),
        tuple(sorted(v.value for v in state.views)),
        state.task,
        None if cam is None else float(cam.zoom),
        state.far_return is not None,
        state.geometry.behind_step,
        state.prior_precision,
        margin_marks.marks_key(state),
        state.selected_class,
        state.paint_value,
        state.show_help,
        state.help_page,
        state.workshop.dialog is not None,
        shown,
    )


# ------------------------------------------------------------------ messages, captions
def draw_toast(surface: pygame.Surface, state: AppState, scale: float) -> None:
    toast = state.toast
    if toast is None or state.time > toast.until:
        return
    px, py, pw, ph = state.layout.plane
    colour = {"error": ERROR, "warn": WARN}.get(toast.kind, ACCENT)
    size = 17 * scale
    words = toast.text.split()
    max_w = min(pw - 40 * scale, 720 * scale)
    lines: list[str] = []
    current = ""
    f = font(size)
    for word in words:
        trial = f"{current} {word}".strip()
        if f.size(trial)[0] > max_w - 30 * scale and current:
            lines.append(current)
            current = word
        else:
            current = trial
    if current:
        lines.append(current)
    lh = f.get_linesize()
    w = max(f.size(t)[0] for t in lines) + round(32 * scale)
    h = lh * len(lines) + round(20 * scale)
    rect = pygame.Rect(0, 0, w, h)
    # at the bottom of the plane, above the captions: clear of the hover card and the data
    rect.midbottom = (px + pw // 2, py + ph - round(44 * scale))
    _card(surface, rect, scale, border=colour, alpha=245)
    y = rect.y + round(10 * scale)
    for t in lines:
        _text(surface, t, (rect.centerx, y), size, TEXT, anchor="midtop")
        y += lh


def draw_captions(surface: pygame.Surface, state: AppState, scale: float) -> None:
    """Zoom level (bottom left of the plane) and the MAP | Laplace labels of the split view."""
    px, py, pw, ph = state.layout.plane
    cam = state.camera
    zoom = getattr(cam, "zoom", None)
    if zoom is not None:
        z = float(zoom)
        text = f"zoom {plain_number(z)}x"
        if state.far_return is not None:
            text += "   (O: back to the data)"
        behind = state.geometry.behind_step
        if behind is not None:
            # a big network: the regions drawn are a few seconds older than the weights
            text += f"   updating regions (these are from step {behind:,})"
        caption(surface, text, (px + 8 * scale, py + ph - 8 * scale), scale, "bottomleft")
    if View.SPLIT in state.views and state.task is Task.CLASSIFICATION:
        for label, cx in (("plain network (MAP)", px + pw // 4), ("Laplace", px + 3 * pw // 4)):
            f = font(15 * scale, True)
            w = f.size(label)[0] + round(20 * scale)
            rect = pygame.Rect(0, 0, w, round(26 * scale))
            rect.midtop = (cx, py + round(10 * scale))
            _card(surface, rect, scale)
            _text(surface, label, rect.center, 15 * scale, TEXT, bold=True, anchor="center")
        x = px + pw // 2
        pygame.draw.line(surface, premul((240, 240, 240)), (x, py), (x, py + ph - 1), 2)
    elif View.LAPLACE in state.views and state.task is Task.CLASSIFICATION:
        label = f"confidence: Laplace (prior precision {plain_number(state.prior_precision)})"
        caption(surface, label, (px + pw - 8 * scale, py + ph - 8 * scale), scale, "bottomright")


def draw_brush(surface: pygame.Surface, state: AppState, scale: float) -> None:
    pos = state.hover_pos
    if pos is None or not state.layout.in_plane(pos):
        return
    r = max(2, round(state.brush_radius_px))
    if state.task is Task.CLASSIFICATION:
        colour = class_color(state.selected_class)
    else:
        g = round(255 * state.paint_value)
        colour = (g, g, g)
    pygame.draw.circle(surface, premul((0, 0, 0, 140)), pos, r + 1, 3)
    pygame.draw.circle(surface, premul(colour), pos, r, 2)


def wrap_words(text: str, f: pygame.font.Font, width: int) -> list[str]:
    """Greedy word wrap of `text` into lines at most `width` pixels wide (a long word alone)."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        trial = f"{current} {word}".strip()
        if f.size(trial)[0] <= width or not current:
            current = trial
        else:
            lines.append(current)
            current = word
    return lines + ([current] if current else [])


def _legend_picture(surface: pygame.Surface, kind: str, rect: pygame.Rect, scale: float) -> None:
    """A small picture of one thing the plane shows, drawn the way the plane draws it."""
    blue, orange = class_color(0), class_color(1)
    x, y, w, h = rect
    clip = surface.get_clip()
    surface.set_clip(rect.clip(clip))
    if kind == "regions":
        for i, c in enumerate(((176, 196, 222), (222, 196, 176), (190, 222, 180))):
            pygame.draw.polygon(
                surface,
                premul(c),
                [
                    (x + i * w / 3, y),
                    (x + (i + 1) * w / 3, y),
                    (x + (i + 0.6) * w / 3, y + h),
                    (x + (i - 0.4) * w / 3, y + h),
                ],
            )
        for i in (1, 2):
            pygame.draw.line(
                surface,
                premul((60, 66, 78)),
                (x + i * w / 3, y),
                (x + (i - 0.4) * w / 3, y + h),
                max(1, round(scale)),
            )
    elif kind == "creases":
        pygame.draw.rect(surface, premul((48, 54, 66)), rect)
        for i, c in enumerate(LAYER_COLORS[:3]):
            pygame.draw.line(
                surface,
                premul(c),
                (x + w * (0.15 + 0.3 * i), y + h),
                (x + w * (0.35 + 0.3 * i), y),
                max(2, round(2 * scale)),
            )
    elif kind == "boundary":
        pygame.draw.rect(surface, premul(blue), (x, y, w // 2, h))
        pygame.draw.rect(surface, premul(orange), (x + w // 2, y, w - w // 2, h))
        pygame.draw.line(
            surface,
            premul((10, 10, 12)),
            (x + w // 2, y),
            (x + w // 2, y + h),
            max(3, round(4 * scale)),
        )
    else:  # confidence: strong to pale
        for i in range(w):
            t = i / max(1, w - 1)
            c = tuple(round(v * (1 - t) + 235 * t) for v in blue)
            pygame.draw.line(surface, premul(c), (x + i, y), (x + i, y + h - 1))
    surface.set_clip(clip)
    pygame.draw.rect(surface, premul((90, 98, 112)), rect, 1)


def help_columns(window: tuple[int, int], scale: float) -> tuple[float, int]:
    """Type size of the key list and in how many columns (1 or 2) it fits the window."""
    for size in (16 * scale, 14 * scale, 13 * scale, 13, 12, 11):
        u = size / 16  # spacing follows the type
        lh = font(size).get_linesize() + round(2 * u)
        pair_w = (max(font(size, True).size(k)[0] for k, _ in KEY_HELP) + round(24 * u)
                  + max(font(size).size(v)[0] for _, v in KEY_HELP))  # fmt: skip
        for columns in (1, 2):
            rows = -(-len(KEY_HELP) // columns)
            keys_w = columns * pair_w + (columns - 1) * round(40 * u) + round(48 * u)
            keys_h = lh * (rows + 3) + round(40 * u)
            if keys_w <= window[0] - 16 and keys_h <= window[1] - 16:
                return size, columns
    return 11, 2


HELP_FOOTER = "W: what am I looking at?  ·  ?: every key in big type  ·  Esc closes"


def draw_help(surface: pygame.Surface, state: AppState, scale: float) -> pygame.Rect | None:
    """The help card in the middle of the window, opaque so nothing under it shows through: on
    its "keys" page every key and mouse gesture (in one or two columns, the type as large as
    the window allows), on its "guide" page what each thing on the screen is
    (sandbox.ui.guide). Returns its rectangle (None when the card is closed)."""
    if not state.show_help:
        return None
    if state.help_page == "guide":
        from sandbox.ui.guide import draw_guide  # guide draws with this module's helpers

        return draw_guide(surface, state, scale)
    w, h = state.layout.window
    size, columns = help_columns((w, h), scale)
    u = size / 16
    f = font(size)
    lh = f.get_linesize() + round(2 * u)
    pad = round(24 * u)
    col1 = max(font(size, True).size(k)[0] for k, _ in KEY_HELP) + round(24 * u)
    col2 = max(f.size(v)[0] for _, v in KEY_HELP)
    gap = round(40 * u)
    rows = -(-len(KEY_HELP) // columns)
    footer_w = font(size).size(HELP_FOOTER)[0]
    cw = max(2 * pad + columns * (col1 + col2) + (columns - 1) * gap, 2 * pad + footer_w)
    ch = round(16 * u) + lh * (rows + 3) + round(14 * u)
    rect = pygame.Rect(0, 0, min(cw, w - 8), min(ch, h - 8))
    rect.center = (w // 2, h // 2)
    _card(surface, rect, scale, border=ACCENT, alpha=255)
    x, y = rect.x + pad, rect.y + round(16 * u)
    _text(surface, "Keys and mouse", (x, y), size * 1.25, TEXT, bold=True)
    top = y + lh + round(12 * u)
    for i, (key, what) in enumerate(KEY_HELP):
        cx = x + (i // rows) * (col1 + col2 + gap)
        cy = top + (i % rows) * lh
        _text(surface, key, (cx, cy), size, ACCENT, bold=True)
        _text(surface, what, (cx + col1, cy), size, TEXT)
    _text(surface, HELP_FOOTER, (x, top + rows * lh + round(4 * u)), size, TEXT_DIM)
    return rect


# ------------------------------------------------------------------ loading screen
def draw_loading(
    surface: pygame.Surface, fraction: float, label: str, scale: float, error: str = ""
) -> None:
    """Title, what is being prepared and a progress bar, centred in the window."""
    w, h = surface.get_size()
    surface.fill((17, 20, 25, 255))
    cx, cy = w // 2, h // 2
    _text(surface, "Neural Origami", (cx, cy - 70 * scale), 40 * scale, TEXT, True, "midbottom")
    _text(
        surface,
        "see how a ReLU network folds the plane",
        (cx, cy - 62 * scale),
        17 * scale,
        TEXT_DIM,
        anchor="midtop",
    )
    bw, bh = min(round(460 * scale), w - 40), round(14 * scale)
    track = pygame.Rect(0, 0, bw, bh)
    track.center = (cx, cy + 10 * scale)
    pygame.draw.rect(surface, premul((45, 51, 62)), track, border_radius=bh // 2)
    fill = track.copy()
    fill.width = max(bh, round(bw * float(np.clip(fraction, 0.0, 1.0))))
    pygame.draw.rect(surface, premul(ACCENT), fill, border_radius=bh // 2)
    _text(surface, label, (cx, track.bottom + 14 * scale), 15 * scale, TEXT_DIM, anchor="midtop")
    if error:
        _text(surface, error, (cx, track.bottom + 44 * scale), 15 * scale, ERROR, anchor="midtop")
