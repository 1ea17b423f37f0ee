"""Picture targets: grayscale images placed on the plane and sampled at points for regression.

A Picture is a brightness raster in [0, 1] (1 = white) with its extent on the plane. Pictures from
PNG files are fitted into the dataset domain [-6, 6]^2 with their aspect ratio kept and centred;
row 0 of the raster is the top (largest y). Sampling is bilinear between pixel centres and clamps
to the border pixels, so the value at any point of the extent is well defined. The procedural
disk (the classic "can a ReLU net fold a circle" target) is an exact indicator function; its
raster form exists only for display.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..resources import resource_dir
from .png import read_png_gray

DOMAIN_HALF = 6.0
DISK_RADIUS = 3.0


@dataclass(frozen=True)
class Picture:
    """A brightness raster `pixels` ((H, W) float64 in [0, 1], row 0 at the top) placed on the
    plane over `extent` = (xmin, xmax, ymin, ymax)."""

    name: str
    pixels: np.ndarray
    extent: tuple[float, float, float, float]

    def sample(self, points: np.ndarray) -> np.ndarray:
        """Bilinear brightness at (N, 2) plane points; points outside take the nearest border."""
        pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
        h, w = self.pixels.shape
        xmin, xmax, ymin, ymax = self.extent
        # continuous pixel coordinates with pixel centres at integers
        u = (pts[:, 0] - xmin) / (xmax - xmin) * w - 0.5
        v = (ymax - pts[:, 1]) / (ymax - ymin) * h - 0.5
        u = np.clip(u, 0.0, w - 1.0)
        v = np.clip(v, 0.0, h - 1.0)
        u0 = np.minimum(np.floor(u).astype(np.int64), max(w - 2, 0))
        v0 = np.minimum(np.floor(v).astype(np.int64), max(h - 2, 0))
        u1 = np.minimum(u0 + 1, w - 1)
        v1 = np.minimum(v0 + 1, h - 1)
        fu = u - u0
        fv = v - v0
        p = self.pixels
        top = p[v0, u0] * (1.0 - fu) + p[v0, u1] * fu
        bottom = p[v1, u0] * (1.0 - fu) + p[v1, u1] * fu
        return top * (1.0 - fv) + bottom * fv


def fit_extent(width: int, height: int, half: float = DOMAIN_HALF) -> tuple[float, ...]:
    """The centred extent of a width x height picture fitted into [-half, half]^2."""
    scale = 2.0 * half / max(width, height)
    hx = 0.5 * width * scale
    hy = 0.5 * height * scale
    return (-hx, hx, -hy, hy)


def picture_names() -> list[str]:
    """Names (file stems) of the PNG pictures in the assets/ folder, sorted."""
    try:
        folder = resource_dir("assets")
    except FileNotFoundError:
        return []
    return sorted(p.stem for p in folder.glob("*.png") if p.is_file())


def picture_path(name: str) -> Path:
    """The assets/ PNG called `name` (without .png); ValueError listing the ones that exist."""
    names = picture_names()
    if name not in names:
        allowed = ", ".join(names) if names else "none (assets/ has no PNG files)"
        raise ValueError(f"unknown picture {name!r}; allowed: {allowed}")
    return resource_dir("assets") / f"{name}.png"


def load_picture(source: str | os.PathLike) -> Picture:
    """A Picture from an assets/ name ("smiley") or from a path to any supported PNG file."""
    if isinstance(source, str) and os.sep not in source and not source.lower().endswith(".png"):
        path = picture_path(source)
    else:
        path = Path(source)
    pixels = read_png_gray(path)
    h, w = pixels.shape
    return Picture(path.stem, pixels, fit_extent(w, h))


def disk_target(points: np.ndarray, radius: float = DISK_RADIUS) -> np.ndarray:
    """The procedural disk picture at (N, 2) points: 1.0 where |p| < radius, else 0.0."""
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    return (np.hypot(pts[:, 0], pts[:, 1]) < radius).astype(np.float64)


def disk_picture(size: int = 256, radius: float = DISK_RADIUS) -> Picture:
    """A raster of the disk target over the whole domain (pixel-centre samples), for display."""
    if not 1 <= size <= 4096:
        raise ValueError(f"raster size {size}; allowed: 1 to 4096")
    centres = (np.arange(size) + 0.5) / size * 2.0 * DOMAIN_HALF - DOMAIN_HALF
    gx, gy = np.meshgrid(centres, centres[::-1])
    pixels = disk_target(np.column_stack([gx.ravel(), gy.ravel()]), radius).reshape(size, size)
    return Picture("disk", pixels, (-DOMAIN_HALF, DOMAIN_HALF, -DOMAIN_HALF, DOMAIN_HALF))
