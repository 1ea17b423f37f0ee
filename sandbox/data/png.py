"""A small PNG reader and writer on zlib and numpy, for picture targets (no Pillow, no pygame).

Reads non-interlaced 8-bit PNGs of colour type grayscale, RGB, gray+alpha and RGBA, which covers
what image editors save for a picture target; anything else (palette, 16-bit, sub-byte depths,
Adam7 interlacing) and every kind of corruption (bad signature, bad CRC, truncated chunk, wrong
amount of image data, unknown filter type) raises ValueError naming the file and the problem.
Row filters are undone on anti-diagonals: pixel (r, x) depends only on (r, x-1), (r-1, x) and
(r-1, x-1), so every pixel with the same r + x can be decoded at once, which takes H + W numpy
steps instead of H * W Python steps. The writer produces 8-bit grayscale/RGB/RGBA files with a
chosen filter per row; the project uses it for its own small assets and tests.
"""

from __future__ import annotations

import os
import struct
import zlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MAX_SIDE = 8192
MAX_PIXELS = 1 << 24
MAX_FILE_BYTES = 256 << 20

# colour type -> (channels, name)
_COLOUR_TYPES = {0: (1, "grayscale"), 2: (3, "RGB"), 4: (2, "gray+alpha"), 6: (4, "RGBA")}
_CHANNELS_TO_TYPE = {1: 0, 2: 4, 3: 2, 4: 6}
# ITU-R 601-2 luma in 16-bit fixed point, the same integers Pillow's convert("L") uses.
_LUMA = (19595, 38470, 7471)

Source = str | os.PathLike | bytes


def _load_bytes(source: Source) -> tuple[bytes, str]:
    if isinstance(source, bytes | bytearray | memoryview):
        return bytes(source), "PNG data"
    path = Path(source)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ValueError(f"cannot read PNG file {str(path)!r}: {exc.strerror or exc}") from None
    if size > MAX_FILE_BYTES:
        raise ValueError(
            f"PNG file {str(path)!r} is {size} bytes; allowed: at most {MAX_FILE_BYTES} bytes"
        )
    try:
        return path.read_bytes(), f"PNG file {str(path)!r}"
    except OSError as exc:
        raise ValueError(f"cannot read PNG file {str(path)!r}: {exc.strerror or exc}") from None


def _chunks(data: bytes, what: str) -> list[tuple[bytes, bytes]]:
    if not data.startswith(PNG_SIGNATURE):
        raise ValueError(f"{what} is not a PNG (the 8-byte PNG signature is missing)")
    pos = len(PNG_SIGNATURE)
    chunks = []
    while True:
        if pos + 8 > len(data):
            raise ValueError(f"{what} is truncated: it ends before the IEND chunk")
        length, ctype = struct.unpack(">I4s", data[pos : pos + 8])
        if length > 0x7FFFFFFF:
            raise ValueError(f"{what} is corrupt: chunk length {length} is over 2^31 - 1")
        end = pos + 8 + length
        if end + 4 > len(data):
            raise ValueError(f"{what} is truncated inside the {ctype!r} chunk")
        body = data[pos + 8 : end]
        (crc,) = struct.unpack(">I", data[end : end + 4])
        if zlib.crc32(ctype + body) != crc:
            raise ValueError(f"{what} is corrupt: CRC mismatch in the {ctype!r} chunk")
        if not all(65 <= c <= 90 or 97 <= c <= 122 for c in ctype):
            raise ValueError(f"{what} is corrupt: chunk type {ctype!r} is not four letters")
        chunks.append((ctype, body))
        pos = end + 4
        if ctype == b"IEND":
            return chunks


def _header(chunks: list[tuple[bytes, bytes]], what: str) -> tuple[int, int, int]:
    ctype, body = chunks[0]
    if ctype != b"IHDR" or len(body) != 13:
        raise ValueError(f"{what} is corrupt: the first chunk must be a 13-byte IHDR")
    width, height, depth, colour, compression, filt, interlace = struct.unpack(">IIBBBBB", body)
    if width == 0 or height == 0:
        raise ValueError(f"{what} has size {width}x{height}; both sides must be at least 1")
    if width > MAX_SIDE or height > MAX_SIDE or width * height > MAX_PIXELS:
        raise ValueError(
            f"{what} is {width}x{height} pixels; allowed: sides up to {MAX_SIDE} "
            f"and at most {MAX_PIXELS} pixels"
        )
    if colour == 3:
        raise ValueError(
            f"{what} is a palette (indexed colour) PNG; allowed: 8-bit grayscale, RGB, "
            "gray+alpha or RGBA (re-save it as grayscale or RGB)"
        )
    if colour not in _COLOUR_TYPES:
        raise ValueError(f"{what} has colour type {colour}; allowed: 0, 2, 4 or 6")
    if depth != 8:
        raise ValueError(
            f"{what} has bit depth {depth}; only 8-bit PNGs are supported (re-save as 8-bit)"
        )
    if compression != 0 or filt != 0:
        raise ValueError(
            f"{what} uses compression method {compression} / filter method {filt}; only 0 exists"
        )
    if interlace == 1:
        raise ValueError(
            f"{what} is interlaced (Adam7); only non-interlaced PNGs are supported "
            "(re-save without interlacing)"
        )
    if interlace != 0:
        raise ValueError(f"{what} has interlace method {interlace}; allowed: 0")
    return width, height, _COLOUR_TYPES[colour][0]


def _paeth(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    pa = np.abs(b - c)
    pb = np.abs(a - c)
    pc = np.abs(a + b - 2 * c)
    return np.where((pa <= pb) & (pa <= pc), a, np.where(pb <= pc, b, c))


def unfilter(raw: np.ndarray, width: int, channels: int) -> np.ndarray:
    """Undo the PNG row filters of `raw` ((H, 1 + W * C) uint8, filter byte first in each row).

    Returns (H, W, C) uint8. Raises ValueError for a filter type above 4.
    """
    height = raw.shape[0]
    ftypes = raw[:, 0].astype(np.int64)
    if ftypes.size and int(ftypes.max()) > 4:
        row = int(np.argmax(ftypes > 4))
        raise ValueError(f"row {row} has filter type {int(ftypes[row])}; allowed: 0 to 4")
    filt = raw[:, 1:].reshape(height, width, channels).astype(np.int32)
    out = np.zeros((height + 1, width + 1, channels), dtype=np.int32)
    if not np.any(ftypes >= 3):
        # None, Sub and Up need no neighbour to the upper left: one vectorised step per row.
        for r in range(height):
            f = ftypes[r]
            if f == 0:
                out[r + 1, 1:] = filt[r]
            elif f == 1:
                out[r + 1, 1:] = np.cumsum(filt[r], axis=0) & 255
            else:
                out[r + 1, 1:] = (filt[r] + out[r, 1:]) & 255
        return out[1:, 1:].astype(np.uint8)
    rows_all = np.arange(height)
    for d in range(height + width - 1):
        r = rows_all[max(0, d - width + 1) : min(d, height - 1) + 1]
        x = d - r
        a = out[r + 1, x]
        b = out[r, x + 1]
        c = out[r, x]
        ft = ftypes[r][:, None]
        pred = np.choose(ft, [np.zeros_like(a), a, b, (a + b) >> 1, _paeth(a, b, c)])
        out[r + 1, x + 1] = (filt[r, x] + pred) & 255
    return out[1:, 1:].astype(np.uint8)


def read_png(source: Source) -> np.ndarray:
    """Decode an 8-bit non-interlaced PNG (a path or the file's bytes).

    Returns uint8 pixels of shape (H, W, C): C = 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA; row 0 is
    the top of the picture. Raises ValueError for unsupported or corrupt files.
    """
    data, what = _load_bytes(source)
    chunks = _chunks(data, what)
    width, height, channels = _header(chunks, what)
    idat = b"".join(body for ctype, body in chunks if ctype == b"IDAT")
    for ctype, _ in chunks[1:]:
        critical = ctype[0:1].isupper()
        if ctype == b"IHDR":
            raise ValueError(f"{what} is corrupt: more than one IHDR chunk")
        if critical and ctype not in (b"PLTE", b"IDAT", b"IEND"):
            raise ValueError(f"{what} has an unknown critical chunk {ctype!r}")
    if not idat:
        raise ValueError(f"{what} is corrupt: it has no image data (IDAT)")
    expected = height * (1 + width * channels)
    inflater = zlib.decompressobj()
    try:
        pixels = inflater.decompress(idat, expected + 1)
    except zlib.error as exc:
        raise ValueError(f"{what} is corrupt: the image data does not inflate ({exc})") from None
    if len(pixels) != expected or not inflater.eof:
        raise ValueError(
            f"{what} is corrupt: {height}x{width} pixels need {expected} bytes of filtered "
            f"data, the image data holds {len(pixels)}{'' if inflater.eof else ' or more'}"
        )
    raw = np.frombuffer(pixels, dtype=np.uint8).reshape(height, 1 + width * channels)
    try:
        return unfilter(raw, width, channels)
    except ValueError as exc:
        raise ValueError(f"{what} is corrupt: {exc}") from None


def to_gray(pixels: np.ndarray) -> np.ndarray:
    """Brightness in [0, 1] (float64, (H, W)) of (H, W, C) uint8 pixels from read_png.

    Colour becomes ITU-R 601-2 luma (the integers Pillow's "L" mode uses); alpha composites the
    picture over black, so transparent parts are 0.
    """
    pixels = np.asarray(pixels)
    if pixels.ndim != 3 or pixels.shape[2] not in (1, 2, 3, 4) or pixels.dtype != np.uint8:
        raise ValueError(f"pixels must be (H, W, 1..4) uint8, got {pixels.shape} {pixels.dtype}")
    channels = pixels.shape[2]
    px = pixels.astype(np.int64)
    if channels in (1, 2):
        luma = px[..., 0]
    else:
        luma = px[..., 0] * _LUMA[0] + px[..., 1] * _LUMA[1] + px[..., 2] * _LUMA[2] + 0x8000
        luma >>= 16
    gray = luma.astype(np.float64) / 255.0
    if channels in (2, 4):
        gray *= px[..., -1] / 255.0
    return gray


def read_png_gray(source: Source) -> np.ndarray:
    """Read a PNG and return its brightness in [0, 1], float64 (H, W); see to_gray."""
    return to_gray(read_png(source))


def _filter_rows(img: np.ndarray, filters: np.ndarray) -> bytes:
    """Apply PNG filter filters[r] to row r of (H, W, C) uint8 pixels; returns the raw stream."""
    h, w, c = img.shape
    cur = np.zeros((h, (w + 1) * c), dtype=np.int32)  # one zero pixel on the left
    cur[:, c:] = img.reshape(h, w * c)
    up = np.zeros_like(cur)
    up[1:] = cur[:-1]
    x = cur[:, c:]
    a = cur[:, :-c]
    b = up[:, c:]
    cc = up[:, :-c]
    preds = [np.zeros_like(x), a, b, (a + b) >> 1, _paeth(a, b, cc)]
    rows = np.empty((h, 1 + w * c), dtype=np.uint8)
    rows[:, 0] = filters
    for f in range(5):
        sel = filters == f
        rows[sel, 1:] = (x[sel] - preds[f][sel]) & 255
    return rows.tobytes()


def _chunk(ctype: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + ctype + body + struct.pack(">I", zlib.crc32(ctype + body))


def encode_png(pixels: np.ndarray, filters: int | Sequence[int] = 4) -> bytes:
    """Encode uint8 pixels, (H, W) or (H, W, C) with C in 1..4, as an 8-bit PNG.

    `filters` is one PNG filter type (0 None, 1 Sub, 2 Up, 3 Average, 4 Paeth) for every row,
    or one per row.
    """
    img = np.asarray(pixels)
    if img.ndim == 2:
        img = img[:, :, None]
    if img.ndim != 3 or img.shape[2] not in _CHANNELS_TO_TYPE or img.dtype != np.uint8:
        raise ValueError(
            f"pixels must be (H, W) or (H, W, 1..4) uint8, got {img.shape} {img.dtype}"
        )
    h, w, c = img.shape
    if not (1 <= h <= MAX_SIDE and 1 <= w <= MAX_SIDE):
        raise ValueError(f"picture is {w}x{h}; allowed: sides 1 to {MAX_SIDE}")
    ftypes = np.broadcast_to(np.asarray(filters, dtype=np.int64), (h,)).copy()
    if ftypes.min() < 0 or ftypes.max() > 4:
        raise ValueError(f"filter types {filters!r}; allowed: 0 to 4")
    header = struct.pack(">IIBBBBB", w, h, 8, _CHANNELS_TO_TYPE[c], 0, 0, 0)
    body = zlib.compress(_filter_rows(img, ftypes), 9)
    return PNG_SIGNATURE + _chunk(b"IHDR", header) + _chunk(b"IDAT", body) + _chunk(b"IEND", b"")


def write_png(
    path: str | os.PathLike, pixels: np.ndarray, filters: int | Sequence[int] = 4
) -> None:
    """Write pixels as a PNG file (see encode_png); atomic: a temporary file, then os.replace."""
    from ..io.atomic import atomic_write_bytes  # deferred: the data layer needs io only here

    atomic_write_bytes(path, encode_png(pixels, filters))
