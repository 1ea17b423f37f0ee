"""Draws the small grayscale picture targets in this folder (run: python assets/make_pictures.py).

Each picture is a procedural drawing, supersampled 4x4 per pixel for smooth edges, saved as an
8-bit grayscale PNG with the project's own writer. White (255) is a target of 1, black 0.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from sandbox.data.png import write_png

SUPERSAMPLE = 4


def _grid(size: int) -> tuple[np.ndarray, np.ndarray]:
    """Sample coordinates in [-1, 1]^2 (y up), SUPERSAMPLE^2 per pixel."""
    m = size * SUPERSAMPLE
    c = (np.arange(m) + 0.5) / m * 2.0 - 1.0
    return np.meshgrid(c, c[::-1])


def _downsample(mask: np.ndarray, size: int) -> np.ndarray:
    s = SUPERSAMPLE
    avg = mask.reshape(size, s, size, s).mean(axis=(1, 3))
    return np.round(avg * 255.0).astype(np.uint8)


def smiley(size: int = 64) -> np.ndarray:
    """A white face with black eyes and a black smile, on black."""
    x, y = _grid(size)
    face = np.hypot(x, y) < 0.9
    eyes = (np.hypot(x + 0.32, y - 0.3) < 0.13) | (np.hypot(x - 0.32, y - 0.3) < 0.13)
    r = np.hypot(x, y + 0.05)
    smile = (r > 0.45) & (r < 0.6) & (y < -0.1)
    return _downsample(face & ~eyes & ~smile, size)


PICTURES = {"smiley": smiley}


def main() -> None:
    here = Path(__file__).resolve().parent
    for name, draw in PICTURES.items():
        write_png(here / f"{name}.png", draw())


if __name__ == "__main__":
    main()
