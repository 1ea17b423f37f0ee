"""Picture targets: any image file read with Pillow, as grey brightness placed on the plane.

A Picture is a brightness raster in [0, 1] (1 = white) with its extent on the plane. Files of any
format Pillow reads (PNG, JPEG, BMP, GIF, WebP, TIFF, ...) become grey by ITU-R 601-2 luminance
(Pillow's "L" conversion); transparent pixels are composited over white; an animated file gives
its first frame. Pictures are fitted into the dataset domain [-6, 6]^2 with their aspect ratio
kept and centred; row 0 of the raster is the top (largest y). The full raster is kept for display
and for the full-resolution test; `Picture.at_resolution(side)` gives the box-filtered raster the
network trains on (the blog's low-resolution training). Sampling is bilinear between pixel
centres and clamps to the border pixels. Bad files (missing, empty, truncated, not an image,
larger than MAX_PICTURE_PIXELS: a decompression bomb) raise ValueError naming the file and what is
allowed, before anything is changed. The procedural disk (the classic "can a ReLU net fold a
circle" target) is an exact indicator function; its raster form exists only for display.
Pillow is imported when a file is read, so importing the data core stays light.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from sandbox.vocab import DEFAULT_TRAIN_SIDE, TRAIN_SIDES  # noqa: F401 - read from here too

from ..resources import resource_dir

DOMAIN_HALF = 6.0
DISK_RADIUS = 3.0
MAX_PICTURE_PIXELS = 1 << 25  # 32 megapixels; more is refused as a possible decompression bomb
MAX_PICTURE_BYTES = 256 << 20
PICTURE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp", ".tif", ".tiff", ".tga")


@dataclass(frozen=True, eq=False)
class Picture:
    """A brightness raster `pixels` ((H, W) float64 in [0, 1], row 0 at the top) placed on the
    plane over `extent` = (xmin, xmax, ymin, ymax)."""

    name: str
    pixels: np.ndarray
    extent: tuple[float, float, float, float]

    @property
    def shape(self) -> tuple[int, int]:
        h, w = self.pixels.shape
        return int(h), int(w)

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

    def pixel_centres(self) -> np.ndarray:
        """(H * W, 2) plane coordinates of every pixel centre, row by row from the top."""
        h, w = self.pixels.shape
        xmin, xmax, ymin, ymax = self.extent
        xs = xmin + (np.arange(w) + 0.5) * (xmax - xmin) / w
        ys = ymax - (np.arange(h) + 0.5) * (ymax - ymin) / h
        gx, gy = np.meshgrid(xs, ys)
        return np.column_stack([gx.ravel(), gy.ravel()])

    def at_resolution(self, side: int | None) -> Picture:
        """The picture with its longest side at most `side` pixels (box filter over whole source
        pixels, aspect kept), on the same extent. None, or a side at least the picture's, gives
        the picture itself."""
        h, w = self.pixels.shape
        if side is None or side >= max(h, w):
            return self
        if side < 1:
            raise ValueError(f"training resolution {side}; allowed: at least 1 pixel")
        scale = side / max(h, w)
        nh, nw = max(1, round(h * scale)), max(1, round(w * scale))
        return Picture(self.name, box_resample(self.pixels, nh, nw), self.extent)


def box_resample(pixels: np.ndarray, nh: int, nw: int) -> np.ndarray:
    """Area-average (H, W) down to (nh, nw): each output pixel is the exact mean of the source
    area it covers (fractional source pixels weighted by their overlap)."""
    h, w = pixels.shape

    def weights(n_out: int, n_in: int) -> np.ndarray:
        edges = np.arange(n_out + 1) * (n_in / n_out)
        lo, hi = edges[:-1, None], edges[1:, None]
        cells = np.arange(n_in)[None, :]
        overlap = np.clip(np.minimum(hi, cells + 1) - np.maximum(lo, cells), 0.0, None)
        return overlap / overlap.sum(axis=1, keepdims=True)

    return weights(nh, h) @ pixels @ weights(nw, w).T


def fit_extent(width: int, height: int, half: float = DOMAIN_HALF) -> tuple[float, ...]:
    """The centred extent of a width x height picture fitted into [-half, half]^2."""
    scale = 2.0 * half / max(width, height)
    hx = 0.5 * width * scale
    hy = 0.5 * height * scale
    return (-hx, hx, -hy, hy)


def picture_names() -> list[str]:
    """Names (file stems) of the bundled pictures in the assets/ folder, sorted."""
    try:
        folder = resource_dir("assets")
    except FileNotFoundError:
        return []
    return sorted(p.stem for p in folder.glob("*.png") if p.is_file())


def picture_path(name: str) -> Path:
    """The assets/ picture called `name` (without .png); ValueError listing the ones that exist."""
    names = picture_names()
    if name not in names:
        allowed = ", ".join(names) if names else "none (assets/ has no pictures)"
        raise ValueError(
            f"unknown picture {name!r}; allowed: {allowed}, or the path of an image file"
        )
    return resource_dir("assets") / f"{name}.png"


def is_bundled_name(source: object) -> bool:
    """True when `source` names a bundled picture rather than a file path."""
    return isinstance(source, str) and not any(c in source for c in "/\\.") and bool(source)


def decode_picture_gray(path: Path) -> np.ndarray:
    """(H, W) float64 brightness of the image file at `path`; ValueError for any bad file."""
    what = f"picture file {str(path)!r}"
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ValueError(f"cannot read {what}: {exc.strerror or exc}") from None
    if not path.is_file():
        raise ValueError(f"cannot read {what}: it is not a file")
    if size == 0:
        raise ValueError(f"{what} is empty (0 bytes); allowed: an image file (PNG, JPEG, ...)")
    if size > MAX_PICTURE_BYTES:
        raise ValueError(f"{what} is {size} bytes; allowed: at most {MAX_PICTURE_BYTES} bytes")
    import warnings

    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as im:
                w, h = im.size
                if w < 1 or h < 1:
                    raise ValueError(f"{what} has no pixels ({w} x {h})")
                if w * h > MAX_PICTURE_PIXELS:
                    raise ValueError(
                        f"{what} is {w} x {h} pixels; allowed: at most {MAX_PICTURE_PIXELS} "
                        "pixels (a bigger picture may be a decompression bomb)"
                    )
                im.seek(0)  # an animation trains on its first frame
                im.load()
                frame = im.convert("RGBA") if _has_alpha(im) else im.convert("L")
    except ValueError:
        raise
    except UnidentifiedImageError:
        raise ValueError(
            f"{what} is not an image Pillow can read; allowed: PNG, JPEG, BMP, GIF, WebP, TIFF"
        ) from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValueError(
            f"{what} is too large; allowed: at most {MAX_PICTURE_PIXELS} pixels (a bigger "
            "picture may be a decompression bomb)"
        ) from None
    except (OSError, SyntaxError, EOFError, MemoryError) as exc:
        raise ValueError(f"{what} is damaged or truncated: {exc}") from None
    if frame.mode == "RGBA":
        white = Image.new("RGBA", frame.size, (255, 255, 255, 255))
        frame = Image.alpha_composite(white, frame).convert("L")
    return np.asarray(frame, dtype=np.float64) / 255.0


def _has_alpha(im) -> bool:
    return im.mode in ("RGBA", "LA", "PA", "La", "RGBa") or "transparency" in im.info


@lru_cache(maxsize=8)
def _cached_gray(path: str, mtime_ns: int, size: int) -> np.ndarray:
    pixels = decode_picture_gray(Path(path))
    pixels.flags.writeable = False
    return pixels


def read_picture_gray(path: str | os.PathLike) -> np.ndarray:
    """(H, W) float64 brightness in [0, 1] of an image file (read-only, cached while the file is
    unchanged); ValueError naming the file and the problem for a bad one."""
    p = Path(path)
    try:
        st = p.stat()
    except OSError as exc:
        raise ValueError(f"cannot read picture file {str(p)!r}: {exc.strerror or exc}") from None
    return _cached_gray(str(p.resolve()), st.st_mtime_ns, st.st_size)


def load_picture(source: str | os.PathLike) -> Picture:
    """A Picture from a bundled name ("disk", "star") or from the path of any image file."""
    path = picture_path(source) if is_bundled_name(source) else Path(source)
    pixels = read_picture_gray(path)
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
