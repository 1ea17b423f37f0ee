"""Marks of the margins on the plane, drawn with pygame onto the UI surface: the hover card's
margin lines and the "nudge to flip" drawing (Ctrl + drag).

The nudge drawing shows, from the dragged point (or the cursor), the largest disk that holds no
boundary (its radius is the exact margin, so the disk touches the boundary at the nearest
point), the move to that point as an arrow, and a label with its length and the classes before
and after. Everything is computed by sandbox.scenes.stats; this module only draws.
"""

from __future__ import annotations

import math

import numpy as np
import pygame

from sandbox.state import AppState, HoverInfo
from sandbox.ui.charts import font
from sandbox.ui.numbers import plain_number
from sandbox.ui.theme import ERROR, TEXT, TEXT_DIM, class_color

DISK_FILL = (255, 255, 255, 46)
INK = (24, 26, 31)
PAPER = (246, 244, 239)


def margin_words(d: float, exact: bool = True) -> str:
    """A distance as the readout says it: plain numbers; "over" when only a lower bound."""
    if not math.isfinite(d):
        return "unknown"
    return plain_number(d) if exact else f"over {plain_number(d)}"


def hover_rows(info: HoverInfo) -> list[tuple]:
    """The hover card's margin lines (none while the margins are not known)."""
    rows: list[tuple] = []
    if info.point_margin is not None:
        i, signed, exact = info.point_margin
        if signed < 0:
            rows.append(("text", f"point {i + 1}: wrong side, {margin_words(-signed)} in", ERROR))
        else:
            rows.append(("text", f"point {i + 1}: margin {margin_words(signed, exact)}", TEXT))
    if info.boundary_distance is not None:
        words = margin_words(info.boundary_distance, info.boundary_exact)
        rows.append(("text", f"boundary {words} away", TEXT_DIM))
    return rows


def hover_key(info: HoverInfo) -> tuple:
    d = info.boundary_distance
    return (
        None if d is None else round(float(d), 5),
        info.boundary_exact,
        None
        if info.point_margin is None
        else (info.point_margin[0], round(info.point_margin[1], 5)),
    )


def marks_key(state: AppState) -> tuple:
    """Everything `draw_nudge` shows, as plain values (the UI surface redraws when it changes)."""
    mv = state.stats.nudge
    pos = state.stats.nudge_pos
    if pos is None:
        return ()
    cam = state.camera
    view = None if cam is None else (cam.center, cam.zoom, cam.width, cam.height)
    return (pos, view, None if mv is None else (mv.start, mv.nearest, mv.to_class))


def _premul(colour: tuple[int, ...]) -> tuple[int, int, int, int]:
    if len(colour) == 3:
        return (*colour, 255)  # type: ignore[return-value]
    r, g, b, a = colour
    return (r * a // 255, g * a // 255, b * a // 255, a)


def _label(surface: pygame.Surface, text: str, pos: tuple[float, float], scale: float) -> None:
    f = font(14 * scale, bold=True)
    img = f.render(text, True, INK).premul_alpha()
    pad = round(5 * scale)
    rect = img.get_rect(midbottom=(round(pos[0]), round(pos[1])))
    box = rect.inflate(2 * pad, pad)
    card = pygame.Surface(box.size, pygame.SRCALPHA)
    pygame.draw.rect(card, _premul((*PAPER, 235)), card.get_rect(), border_radius=round(5 * scale))
    pygame.draw.rect(card, _premul(INK), card.get_rect(), 1, border_radius=round(5 * scale))
    surface.blit(card, box.topleft, special_flags=pygame.BLEND_PREMULTIPLIED)
    surface.blit(img, rect, special_flags=pygame.BLEND_PREMULTIPLIED)


def draw_nudge(surface: pygame.Surface, state: AppState, scale: float) -> None:
    """The margin disk, the move to the nearest boundary point and its label (Ctrl + drag)."""
    st = state.stats
    cam = state.camera
    if st.nudge_pos is None or cam is None:
        return
    px, py, _, _ = state.layout.plane
    mv = st.nudge

    def screen(p) -> tuple[float, float]:
        s = cam.world_to_screen(np.asarray(p, dtype=np.float64))
        return (px + float(s[0]), py + float(s[1]))

    if mv is None:
        x, y = screen(st.nudge_pos)
        _label(surface, st.margin_note or "no boundary in reach", (x, y - 12 * scale), scale)
        return
    a, b = screen(mv.start), screen(mv.nearest)
    r = mv.distance * cam.pixels_per_unit
    w = max(1, round(2 * scale))
    if 2 < r < 4 * max(surface.get_size()):
        disk = pygame.Surface(surface.get_size(), pygame.SRCALPHA)
        pygame.draw.circle(disk, _premul(DISK_FILL), a, r)
        pygame.draw.circle(disk, _premul((*INK, 200)), a, r, w)
        surface.blit(disk, (0, 0), special_flags=pygame.BLEND_PREMULTIPLIED)
    pygame.draw.line(surface, _premul((*PAPER, 255)), a, b, w + 2)
    pygame.draw.line(surface, _premul(INK), a, b, w)
    # the arrow head at the nearest boundary point, pointing along the move
    ang = math.atan2(b[1] - a[1], b[0] - a[0])
    size = 11 * scale
    head = [b] + [
        (b[0] - size * math.cos(ang + t), b[1] - size * math.sin(ang + t)) for t in (0.45, -0.45)
    ]
    if math.hypot(b[0] - a[0], b[1] - a[1]) > size:
        pygame.draw.polygon(surface, _premul(INK), head)
    pygame.draw.circle(surface, _premul(PAPER), b, 5 * scale)
    pygame.draw.circle(surface, _premul(class_color(mv.to_class)), b, 4 * scale)
    pygame.draw.circle(surface, _premul(INK), a, 6 * scale, w)
    text = f"{plain_number(mv.distance)} to flip: class {mv.from_class + 1} to {mv.to_class + 1}"
    top = min(a[1], b[1]) - 10 * scale
    _label(surface, text, (0.5 * (a[0] + b[0]), top), scale)
