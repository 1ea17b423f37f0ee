"""Small pictures drawn with pygame for the menu and the levels: stars, a padlock, ticks, icons.

They are shapes, not font characters, so they look the same whatever fonts a system has and need
no words (a star is a star in every language). Every function returns a new transparent surface
with premultiplied alpha, the way pygame-gui and the UI overlay hold their pixels, or draws onto
such a surface. Sizes are in pixels (callers multiply by the UI scale).
"""

from __future__ import annotations

import math

import pygame

from sandbox.ui.hud import premul

GOLD = (255, 196, 61)
GOLD_EDGE = (199, 137, 20)
EMPTY_STAR = (72, 80, 94)
TICK_GREEN = (46, 168, 98)
OPEN_RING = (110, 120, 136)
LOCK_GREY = (150, 158, 170)
MARKER_INK = (24, 26, 32)
MARKER_STAR = (255, 205, 64)

SUPERSAMPLE = 4  # shapes are drawn large and scaled down: pygame polygons have no anti-aliasing


def _smooth(size: tuple[int, int], draw) -> pygame.Surface:
    """Draw at SUPERSAMPLE times the size with `draw(surface, k)` and scale down smoothly."""
    w, h = max(1, size[0]), max(1, size[1])
    big = pygame.Surface((w * SUPERSAMPLE, h * SUPERSAMPLE), pygame.SRCALPHA)
    draw(big, SUPERSAMPLE)
    # premultiply before averaging, so transparent pixels do not darken the edges
    return pygame.transform.smoothscale(big.premul_alpha(), (w, h))


def star_points(cx: float, cy: float, r: float, inner: float = 0.48) -> list[tuple[float, float]]:
    """The ten corners of a five-pointed star with its top point up."""
    pts = []
    for i in range(10):
        rr = r if i % 2 == 0 else r * inner
        a = -math.pi / 2 + i * math.pi / 5
        pts.append((cx + rr * math.cos(a), cy + rr * math.sin(a)))
    return pts


def star(size: int, filled: bool) -> pygame.Surface:
    """One star: gold when earned, a dark outline when not."""

    def draw(s: pygame.Surface, k: int) -> None:
        r = size * k / 2
        pts = star_points(r, r * 1.05, r * 0.95)
        if filled:
            pygame.draw.polygon(s, GOLD, pts)
            pygame.draw.polygon(s, GOLD_EDGE, pts, max(1, round(size * k * 0.05)))
        else:
            pygame.draw.polygon(s, (*EMPTY_STAR, 150), pts)
            pygame.draw.polygon(s, (120, 130, 146), pts, max(1, round(size * k * 0.05)))

    return _smooth((size, size), draw)


def star_row(size: int, earned: int, total: int = 3, gap: int | None = None) -> pygame.Surface:
    """`total` stars side by side, the first `earned` filled."""
    gap = round(size * 0.15) if gap is None else gap
    out = pygame.Surface((total * size + (total - 1) * gap, size), pygame.SRCALPHA)
    for i in range(total):
        out.blit(star(size, i < earned), (i * (size + gap), 0))
    return out


def padlock(size: int, colour: tuple[int, int, int] = LOCK_GREY) -> pygame.Surface:
    """A closed padlock."""

    def draw(s: pygame.Surface, k: int) -> None:
        w = size * k
        body = pygame.Rect(round(w * 0.16), round(w * 0.44), round(w * 0.68), round(w * 0.5))
        shackle = pygame.Rect(round(w * 0.28), round(w * 0.1), round(w * 0.44), round(w * 0.64))
        pygame.draw.ellipse(s, colour, shackle, max(2, round(w * 0.1)))
        pygame.draw.rect(s, colour, body, border_radius=round(w * 0.08))
        hole = (round(w * 0.5), round(w * 0.66))
        pygame.draw.circle(s, (20, 22, 28), hole, max(1, round(w * 0.07)))

    return _smooth((size, size), draw)


def tick(size: int, done: bool) -> pygame.Surface:
    """A goal's box: a green disc with a check mark when done, an empty ring when not."""

    def draw(s: pygame.Surface, k: int) -> None:
        w = size * k
        c = (w / 2, w / 2)
        if done:
            pygame.draw.circle(s, TICK_GREEN, c, w * 0.48)
            pts = [(w * 0.27, w * 0.52), (w * 0.44, w * 0.68), (w * 0.74, w * 0.34)]
            pygame.draw.lines(s, (255, 255, 255), False, pts, max(2, round(w * 0.11)))
        else:
            pygame.draw.circle(s, OPEN_RING, c, w * 0.46, max(2, round(w * 0.07)))

    return _smooth((size, size), draw)


def icon(name: str, size: int, colour: tuple[int, int, int] = (255, 255, 255)) -> pygame.Surface:
    """Button icons: "play", "sandbox", "gear", "quit", "menu", "next", "back", "restart",
    "story", "check"."""

    def draw(s: pygame.Surface, k: int) -> None:
        w = size * k
        lw = max(2, round(w * 0.1))
        if name == "play" or name == "next":
            pygame.draw.polygon(s, colour, [(w * 0.25, w * 0.15), (w * 0.85, w * 0.5),
                                            (w * 0.25, w * 0.85)])  # fmt: skip
        elif name == "back":
            pygame.draw.polygon(s, colour, [(w * 0.75, w * 0.15), (w * 0.15, w * 0.5),
                                            (w * 0.75, w * 0.85)])  # fmt: skip
        elif name == "sandbox":
            # a few painted dots of two kinds
            for x, y, c in ((0.3, 0.3, (86, 180, 233)), (0.7, 0.35, (230, 159, 0)),
                            (0.45, 0.7, (230, 159, 0)), (0.75, 0.75, (86, 180, 233))):  # fmt: skip
                pygame.draw.circle(s, c, (w * x, w * y), w * 0.15)
        elif name == "gear":
            c = (w / 2, w / 2)
            for i in range(8):
                a = i * math.pi / 4
                p = (c[0] + math.cos(a) * w * 0.38, c[1] + math.sin(a) * w * 0.38)
                pygame.draw.line(s, colour, c, p, round(w * 0.18))
            pygame.draw.circle(s, colour, c, w * 0.3)
            pygame.draw.circle(s, (0, 0, 0, 0), c, w * 0.12)
        elif name == "quit":
            pygame.draw.line(s, colour, (w * 0.22, w * 0.22), (w * 0.78, w * 0.78), lw * 2)
            pygame.draw.line(s, colour, (w * 0.78, w * 0.22), (w * 0.22, w * 0.78), lw * 2)
        elif name == "menu":
            for y in (0.25, 0.5, 0.75):
                pygame.draw.line(s, colour, (w * 0.15, w * y), (w * 0.85, w * y), lw * 2)
        elif name == "restart":
            rect = pygame.Rect(round(w * 0.15), round(w * 0.15), round(w * 0.7), round(w * 0.7))
            pygame.draw.arc(s, colour, rect, 0.6, 2 * math.pi - 0.2, lw * 2)
            tip = (w * 0.85, w * 0.32)
            pygame.draw.polygon(s, colour, [(tip[0] - w * 0.2, tip[1] - w * 0.02),
                                            (tip[0] + w * 0.1, tip[1] - w * 0.02),
                                            (tip[0] - w * 0.04, tip[1] + w * 0.22)])  # fmt: skip
        elif name == "story":
            rect = pygame.Rect(round(w * 0.12), round(w * 0.2), round(w * 0.76), round(w * 0.6))
            pygame.draw.rect(s, colour, rect, lw, border_radius=round(w * 0.05))
            pygame.draw.line(s, colour, (w * 0.5, w * 0.2), (w * 0.5, w * 0.8), lw)
        elif name == "check":
            pts = [(w * 0.15, w * 0.55), (w * 0.4, w * 0.8), (w * 0.85, w * 0.25)]
            pygame.draw.lines(s, colour, False, pts, lw * 2)
        else:
            raise ValueError(f"unknown icon {name!r}")

    return _smooth((size, size), draw)


# ----------------------------------------------------------------------------- plane markers
def draw_marker_star(
    surface: pygame.Surface, center: tuple[float, float], radius: float, highlight: bool = False
) -> None:
    """A star marker on the plane: white with a thick dark edge (yellow while dragged), readable
    on every field colour."""

    def draw(s: pygame.Surface, k: int) -> None:
        c = 1.2 * radius * k
        pygame.draw.polygon(s, MARKER_INK, star_points(c, c * 1.04, 1.18 * radius * k))
        fill = MARKER_STAR if highlight else (255, 255, 255)
        pygame.draw.polygon(s, fill, star_points(c, c * 1.04, 0.8 * radius * k))

    img = _smooth((round(radius * 2.4), round(radius * 2.4)), draw)
    rect = img.get_rect(center=(round(center[0]), round(center[1])))
    surface.blit(img, rect, special_flags=pygame.BLEND_PREMULTIPLIED)


def draw_marker_point(
    surface: pygame.Surface, center: tuple[float, float], radius: float, highlight: bool = False
) -> None:
    """A point marker: a dark disc with a white ring."""
    size = round(radius * 2.6)

    def draw(s: pygame.Surface, k: int) -> None:
        c = (size * k / 2, size * k / 2)
        pygame.draw.circle(s, (255, 255, 255), c, radius * k * 1.25)
        pygame.draw.circle(s, (255, 205, 64) if highlight else MARKER_INK, c, radius * k)

    img = _smooth((size, size), draw)
    rect = img.get_rect(center=(round(center[0]), round(center[1])))
    surface.blit(img, rect, special_flags=pygame.BLEND_PREMULTIPLIED)


def draw_arrow(
    surface: pygame.Surface,
    tip: tuple[float, float],
    direction: tuple[float, float],
    size: float,
    colour: tuple[int, int, int] = MARKER_INK,
) -> None:
    """A filled arrow head at `tip` pointing along `direction` (screen pixels)."""
    dx, dy = direction
    n = math.hypot(dx, dy) or 1.0
    dx, dy = dx / n, dy / n
    back = (tip[0] - dx * size, tip[1] - dy * size)
    left = (back[0] - dy * size * 0.55, back[1] + dx * size * 0.55)
    right = (back[0] + dy * size * 0.55, back[1] - dx * size * 0.55)
    pygame.draw.polygon(surface, premul(colour), [tip, left, right])
