"""The level's marked places drawn onto the UI surface over the plane: a star glyph with its
label, points with theirs, a line between the two points of a crease goal (solid once a crease
crosses it), and an arrow at the edge of the plane towards a marker out of view, with its distance.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pygame

from sandbox.state import AppState
from sandbox.ui import glyphs
from sandbox.ui.charts import font
from sandbox.ui.hud import premul
from sandbox.ui.level_plan import LevelStatus
from sandbox.ui.theme import TEXT

if TYPE_CHECKING:
    from sandbox.render.camera import View2D


@dataclass(frozen=True)
class MarkerView:
    """Everything the markers and the level card show, as plain values: the level scene's HUD is
    drawn again when a new one differs from the last (sandbox.ui.redraw). A mark that reads
    something new from the status or the camera must add a field here."""

    status_version: int  # the panels' make-up: card, page, message, quiz, hints, winning
    goals: tuple[bool, ...]
    met: bool
    stars: int
    markers: tuple[tuple[str, tuple[float, float]], ...]  # (name, world position), by name
    marker_notes: tuple[tuple[str, str], ...]  # (name, note such as "97% sure"), by name
    pairs: tuple[tuple[str, str, bool], ...]  # crease goals: (point, point, crossed)
    dragging: str | None  # the marker being dragged
    camera: tuple[tuple[float, float], float, int, int] | None  # centre, zoom, width, height

    @classmethod
    def of(cls, status: LevelStatus, camera: View2D | None) -> MarkerView:
        cam = None
        if camera is not None:
            cam = (camera.center, camera.zoom, camera.width, camera.height)
        return cls(
            status_version=status.version,
            goals=tuple(status.goals),
            met=status.met,
            stars=status.stars,
            markers=tuple(sorted(status.markers.items())),
            marker_notes=tuple(sorted(status.marker_notes.items())),
            pairs=tuple(status.pairs),
            dragging=status.dragging,
            camera=cam,
        )


def marker_radius(scale: float) -> float:
    return 11.0 * scale


def draw_markers(
    surface: pygame.Surface,
    state: AppState,
    status: LevelStatus,
    cameras: list[tuple[View2D, float]],
) -> list[pygame.Rect]:
    """The level's markers on the plane (in every pane of a split view); returns the rectangles
    they cover (glyphs and labels), which the hover box keeps clear of."""
    level = status.level
    drawn: list[pygame.Rect] = []
    if not level.markers or state.camera is None or status.card:
        return drawn  # a card over the plane hides them: drawn after the UI, they would cover it
    px, py, pw, ph = state.layout.plane
    scale = state.scale
    r = marker_radius(scale)
    clip = surface.get_clip()
    for cam, x0 in cameras:
        pane = pygame.Rect(round(px + x0), py, cam.width, cam.height)
        surface.set_clip(pane.clip(clip))
        screen = {}
        for name, (wx, wy) in status.markers.items():
            p = cam.world_to_screen(np.array([wx, wy]))
            screen[name] = (float(p[0]) + pane.x, float(p[1]) + pane.y)
        for a, b, crossed in status.pairs:
            if a in screen and b in screen:
                _draw_pair(surface, screen[a], screen[b], crossed, scale)
        for name, pos in screen.items():
            marker = level.markers[name]
            inside = pane.inflate(-2 * r, -2 * r).collidepoint(pos)
            label = marker.label or name
            if status.marker_notes.get(name):
                label = f"{label}: {status.marker_notes[name]}"
            if not inside:
                drawn.append(
                    _draw_offscreen(surface, pane, pos, label, status.markers[name], cam, scale)
                )
                continue
            hot = status.dragging == name
            if marker.kind.value == "star":
                glyphs.draw_marker_star(surface, pos, r * 1.25, hot)
            else:
                glyphs.draw_marker_point(surface, pos, r * 0.6, hot)
            if marker.movable and not hot:
                pygame.draw.circle(surface, premul((255, 255, 255, 200)), pos, r * 1.9,
                                   max(1, round(2 * scale)))  # fmt: skip
            at = (pos[0] + r * 1.5, pos[1] - r * 1.6)
            width = tag_width(label, scale)
            if at[0] + width > pane.right and pos[0] - r * 1.5 - width >= pane.x:
                at = (pos[0] - r * 1.5 - width, at[1])  # no room on the right: the left side
            tag = _tag(surface, label, at, scale)
            reach = round(r * 2)
            drawn.append(pygame.Rect(pos[0] - reach, pos[1] - reach, 2 * reach, 2 * reach))
            drawn.append(tag)
    surface.set_clip(clip)
    return drawn


def _draw_pair(surface, a, b, crossed: bool, scale: float) -> None:
    colour = (46, 168, 98) if crossed else (40, 44, 54)
    width = max(2, round(3 * scale))
    length = math.dist(a, b)
    if length < 1:
        return
    if crossed:
        pygame.draw.line(surface, premul(colour), a, b, width)
        return
    dash = 10 * scale
    n = int(length // (2 * dash)) + 1
    for i in range(n):
        t0 = (2 * i * dash) / length
        t1 = min(1.0, (2 * i + 1) * dash / length)
        p = (a[0] + (b[0] - a[0]) * t0, a[1] + (b[1] - a[1]) * t0)
        q = (a[0] + (b[0] - a[0]) * t1, a[1] + (b[1] - a[1]) * t1)
        pygame.draw.line(surface, premul(colour), p, q, width)


def tag_width(text: str, scale: float) -> int:
    """The width of a marker's label card (`_tag`) in pixels."""
    return font(15 * scale, True).size(text)[0] + 2 * round(5 * scale)


def _tag(surface, text: str, pos: tuple[float, float], scale: float) -> pygame.Rect:
    """A label on a small dark card, readable on any field colour."""
    f = font(15 * scale, True)
    w, h = f.size(text)
    pad = round(5 * scale)
    rect = pygame.Rect(round(pos[0]), round(pos[1]), w + 2 * pad, h + pad // 2)
    card = pygame.Surface(rect.size, pygame.SRCALPHA)
    pygame.draw.rect(
        card, premul((14, 17, 22, 225)), card.get_rect(), border_radius=round(5 * scale)
    )
    surface.blit(card, rect, special_flags=pygame.BLEND_PREMULTIPLIED)
    img = f.render(text, True, TEXT).premul_alpha()
    surface.blit(img, img.get_rect(center=rect.center), special_flags=pygame.BLEND_PREMULTIPLIED)
    return rect


def _draw_offscreen(
    surface, pane: pygame.Rect, pos, label: str, world, cam, scale: float
) -> pygame.Rect:
    """An arrow at the plane's edge pointing at a marker out of view, with its label and its
    distance from the middle of the view, on the inner side of the arrow."""
    cx, cy = pane.center
    dx, dy = pos[0] - cx, pos[1] - cy
    n = math.hypot(dx, dy)
    if n == 0:
        return pygame.Rect(0, 0, 0, 0)
    ux, uy = dx / n, dy / n
    margin = 12 * scale
    tx = (pane.width / 2 - margin) / abs(dx) if dx else math.inf
    ty = (pane.height / 2 - margin) / abs(dy) if dy else math.inf
    t = min(tx, ty)
    tip = (cx + dx * t, cy + dy * t)
    size = 30 * scale
    glyphs.draw_arrow(surface, tip, (dx, dy), size, (255, 205, 64))
    inner_tip = (tip[0] - ux * 4 * scale, tip[1] - uy * 4 * scale)
    glyphs.draw_arrow(surface, inner_tip, (dx, dy), size * 0.62, (24, 26, 32))
    text = f"{label} · {math.dist(world, cam.center):.0f} away"
    f = font(15 * scale, True)
    w, h = f.size(text)
    w += round(10 * scale)
    back = (tip[0] - ux * (size + 6 * scale), tip[1] - uy * (size + 6 * scale))
    if abs(ux) >= abs(uy):
        lx = back[0] - w if ux > 0 else back[0]
        ly = back[1] - h / 2
    else:
        lx = back[0] - w / 2
        ly = back[1] - h - 4 * scale if uy > 0 else back[1]
    lx = min(max(lx, pane.x + 4), pane.right - w - 4)
    ly = min(max(ly, pane.y + 4), pane.bottom - h - 8)
    arrow = pygame.Rect(0, 0, round(2 * size), round(2 * size))
    arrow.center = (round(tip[0]), round(tip[1]))
    return _tag(surface, text, (lx, ly), scale).union(arrow)
