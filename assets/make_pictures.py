"""Draws the bundled grayscale pictures in this folder (run: python assets/make_pictures.py).

Each picture is a procedural drawing (no third-party images), supersampled 4x4 per pixel for
smooth edges and saved as an 8-bit grayscale PNG with Pillow. White (255) is a target of 1,
black 0. The shapes are the seeds' targets: the blog's disk, a square and a star (sharp corners),
a ring (a hole in the middle), a bottle with a diamond in it (GINN's picture) and a smiley.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

SUPERSAMPLE = 4
SIZE = 128


def _grid(size: int) -> tuple[np.ndarray, np.ndarray]:
    """Sample coordinates in [-1, 1]^2 (y up), SUPERSAMPLE^2 per pixel."""
    m = size * SUPERSAMPLE
    c = (np.arange(m) + 0.5) / m * 2.0 - 1.0
    return np.meshgrid(c, c[::-1])


def _downsample(mask: np.ndarray, size: int) -> np.ndarray:
    s = SUPERSAMPLE
    avg = mask.reshape(size, s, size, s).mean(axis=(1, 3))
    return np.round(avg * 255.0).astype(np.uint8)


def disk(size: int = SIZE) -> np.ndarray:
    """A white disk of radius 1/2 on black: the blog's first picture."""
    x, y = _grid(size)
    return _downsample(np.hypot(x, y) < 0.5, size)


def square(size: int = SIZE) -> np.ndarray:
    """A white axis-aligned square (side 1) on black: four sharp corners."""
    x, y = _grid(size)
    return _downsample((np.abs(x) < 0.5) & (np.abs(y) < 0.5), size)


def star(size: int = SIZE, points: int = 5) -> np.ndarray:
    """A white five-pointed star on black: ten sharp corners, five of them inward."""
    x, y = _grid(size)
    r = np.hypot(x, y)
    a = np.arctan2(y, x) - np.pi / 2
    sector = 2 * np.pi / points
    t = np.abs((a % sector) - sector / 2) / (sector / 2)  # 0 at a tip, 1 between tips
    outer, inner = 0.8, 0.34
    # the edge between a tip (angle 0) and a notch (angle sector / 2), as a straight line
    tip = np.array([outer, 0.0])
    notch = inner * np.array([np.cos(sector / 2), np.sin(sector / 2)])
    phi = t * sector / 2
    d = notch - tip
    # radius where the ray at angle phi meets the segment tip-notch
    denom = np.cos(phi) * d[1] - np.sin(phi) * d[0]
    edge = (tip[0] * d[1] - tip[1] * d[0]) / denom
    return _downsample(r < edge, size)


def ring(size: int = SIZE) -> np.ndarray:
    """A white ring (radii 0.35 to 0.7) on black."""
    x, y = _grid(size)
    r = np.hypot(x, y)
    return _downsample((r > 0.35) & (r < 0.7), size)


def bottle(size: int = SIZE) -> np.ndarray:
    """A white bottle silhouette on black with a black diamond in its body (GINN's picture)."""
    x, y = _grid(size)
    body = (np.abs(x) < 0.42) & (y > -0.85) & (y < 0.15)
    body |= ((x / 0.42) ** 2 + ((y - 0.15) / 0.3) ** 2 < 1.0) & (y >= 0.15)  # the shoulders
    neck = (np.abs(x) < 0.13) & (y >= 0.15) & (y < 0.8)
    lip = (np.abs(x) < 0.18) & (y >= 0.72) & (y < 0.85)
    diamond = np.abs(x) / 0.24 + np.abs(y + 0.33) / 0.34 < 1.0
    return _downsample((body | neck | lip) & ~diamond, size)


def smiley(size: int = 64) -> np.ndarray:
    """A white face with black eyes and a black smile, on black."""
    x, y = _grid(size)
    face = np.hypot(x, y) < 0.9
    eyes = (np.hypot(x + 0.32, y - 0.3) < 0.13) | (np.hypot(x - 0.32, y - 0.3) < 0.13)
    r = np.hypot(x, y + 0.05)
    smile = (r > 0.45) & (r < 0.6) & (y < -0.1)
    return _downsample(face & ~eyes & ~smile, size)


PICTURES = {
    "disk": disk,
    "square": square,
    "star": star,
    "ring": ring,
    "bottle": bottle,
    "smiley": smiley,
}


def main() -> None:
    from PIL import Image

    here = Path(__file__).resolve().parent
    for name, draw in PICTURES.items():
        Image.fromarray(draw(), "L").save(here / f"{name}.png", optimize=True)


if __name__ == "__main__":
    main()
