"""Recordings of the canvas: an animated GIF (Pillow), and an MP4 where imageio-ffmpeg is installed.

A `Recorder` takes RGB frames, (H, W, 3) uint8 numpy arrays with the top row first (RGBA is
accepted and its alpha dropped), and streams them to disk as they come, so memory stays flat
however long the recording: the GIF is written frame by frame (header, then one image block per
frame, the trailer on `close()`), the MP4 is piped to ffmpeg. Both go to a hidden temporary file
beside the destination, which replaces the destination only when `close()` succeeds
(`sandbox.io.atomic`): an abandoned or failed recording never damages an existing file.

Size limits keep recordings sensible: frames are downscaled to fit `max_width` x `max_height`
(960 x 960 by default, aspect kept), at most `max_frames` frames (1500, 75 s at 20 fps) and about
`max_bytes` of GIF are written; past a limit `add_frame` refuses with a clear message and the
frames so far are still saved by `close()`. A frame whose size differs from the first (the window
was resized) is scaled to fit and letterboxed in black.

GIF details: every frame gets its own palette. A frame with at most 256 colours (flat-coloured
regions, the usual picture here) is stored exactly; richer frames are quantised with Pillow's
fast octree, without dithering (dither noise flickers from frame to frame and compresses
badly). Only the rectangle that changed since the previous frame is stored (disposal "leave
in place"), so still stretches cost almost nothing, yet every added frame is one GIF frame.
Frame delays are whole centiseconds, distributed so the total duration matches `fps`
exactly; `fps` is at most 50 because many viewers slow down shorter delays. The GIF loops forever.

This module uses Pillow (a runtime dependency) for quantising and LZW encoding, and optionally
the `imageio-ffmpeg` package (`pip install neural-origami[video]`) for MP4; never pygame or OpenGL.
"""

from __future__ import annotations

import importlib.util
import io
import os
import struct
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from sandbox.io.atomic import AtomicFile

__all__ = ["FORMATS", "MP4_MISSING", "Recorder", "available_formats", "mp4_available"]

FORMATS = ("gif", "mp4")
MP4_MISSING = "MP4 needs the optional extra: pip install neural-origami[video]"

DEFAULT_FPS = 20.0
MAX_FPS = 50.0
MIN_FPS = 1.0
DEFAULT_MAX_SIDE = 960
MAX_SIDE_LIMIT = 4096
MIN_SIDE_LIMIT = 16
DEFAULT_MAX_FRAMES = 1500
MAX_FRAMES_LIMIT = 100_000
DEFAULT_MAX_BYTES = 256 * 1024 * 1024
MAX_INPUT_SIDE = 16_384


def mp4_available() -> bool:
    """True when imageio-ffmpeg and its ffmpeg binary can be used."""
    if importlib.util.find_spec("imageio_ffmpeg") is None:
        return False
    try:
        import imageio_ffmpeg

        imageio_ffmpeg.get_ffmpeg_exe()
    except Exception:  # any failure to find or run the binary means "not available"
        return False
    return True


def available_formats() -> tuple[str, ...]:
    """("gif",) or ("gif", "mp4"): what a recording can be written as on this machine."""
    return ("gif", "mp4") if mp4_available() else ("gif",)


# ---------------------------------------------------------------------------- GIF


def _gif_parts(encoded: bytes) -> tuple[bytes, int, bytes]:
    """Split a single-image GIF from Pillow into (colour table, table size bits, image data).

    The image data is the LZW minimum code size byte and the data sub-blocks, terminator included.
    """
    if encoded[:6] not in (b"GIF87a", b"GIF89a") or encoded[-1:] != b";":
        raise RuntimeError("Pillow produced an unexpected GIF stream")
    packed = encoded[10]
    pos = 13
    table, bits = b"", 0
    if packed & 0x80:
        bits = packed & 0x07
        size = 3 << (bits + 1)
        table = encoded[pos : pos + size]
        pos += size
    while encoded[pos] == 0x21:  # extension blocks: label, then sub-blocks up to a zero length
        pos += 2
        while encoded[pos]:
            pos += encoded[pos] + 1
        pos += 1
    if encoded[pos] != 0x2C:
        raise RuntimeError("Pillow produced an unexpected GIF stream")
    local = encoded[pos + 9]
    if local & 0x40:
        raise RuntimeError("Pillow interlaced a frame although asked not to")
    pos += 10
    if local & 0x80:
        bits = local & 0x07
        size = 3 << (bits + 1)
        table = encoded[pos : pos + size]
        pos += size
    if not table:
        raise RuntimeError("Pillow wrote a GIF frame without a colour table")
    return table, bits, encoded[pos:-1]


def _quantise(rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Indices (H, W) uint8 and palette (256, 3) uint8 for an RGB frame; exact up to 256 colours."""
    image = Image.fromarray(rgb, "RGB")
    colours = image.getcolors(256)
    if colours is not None:
        # Exact mapping by packed colour; Pillow's palette mapping may pick a near neighbour.
        c32 = np.array([c for _, c in colours], dtype=np.uint32).reshape(-1, 3)
        keys = np.sort((c32[:, 0] << 16) | (c32[:, 1] << 8) | c32[:, 2])
        p32 = rgb.astype(np.uint32)
        indices = np.searchsorted(keys, (p32[..., 0] << 16) | (p32[..., 1] << 8) | p32[..., 2])
        palette = np.zeros((256, 3), dtype=np.uint8)
        palette[: keys.size, 0] = keys >> 16
        palette[: keys.size, 1] = (keys >> 8) & 0xFF
        palette[: keys.size, 2] = keys & 0xFF
        return indices.astype(np.uint8), palette
    quantised = image.quantize(256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    raw_palette = np.asarray(quantised.getpalette("RGB"), dtype=np.uint8).reshape(-1, 3)
    palette = np.zeros((256, 3), dtype=np.uint8)
    palette[: len(raw_palette)] = raw_palette[:256]
    return np.asarray(quantised, dtype=np.uint8), palette


class _GifSink:
    """Streams frames into an animated GIF on an AtomicFile."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.out = AtomicFile(path)
        self.bytes_written = 0
        self._previous: np.ndarray | None = None
        self._centiseconds = 0

    def _write(self, data: bytes) -> None:
        self.out.file.write(data)
        self.bytes_written += len(data)

    def add(self, rgb: np.ndarray, index: int, fps: float) -> None:
        h, w = rgb.shape[:2]
        if self._previous is None:
            # Logical screen without a global table; NETSCAPE2.0 loop count 0 = forever.
            self._write(b"GIF89a" + struct.pack("<HHBBB", w, h, 0, 0, 0))
            self._write(b"!\xff\x0bNETSCAPE2.0\x03\x01\x00\x00\x00")
        indices, palette = _quantise(rgb)
        # Compare what viewers will show (palette colours), packed as one integer per pixel.
        p32 = palette.astype(np.uint32)
        shown = ((p32[:, 0] << 16) | (p32[:, 1] << 8) | p32[:, 2])[indices]
        if self._previous is None:
            y0, y1, x0, x1 = 0, h, 0, w
        else:
            changed = shown != self._previous
            rows = np.flatnonzero(changed.any(axis=1))
            if rows.size == 0:
                y0, y1, x0, x1 = 0, 1, 0, 1  # nothing changed: a 1-pixel frame keeps the timing
            else:
                cols = np.flatnonzero(changed.any(axis=0))
                y0, y1, x0, x1 = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
        self._previous = shown
        # A table of only the colours the patch uses: 3 bytes per colour instead of 768 per frame.
        sub = indices[y0:y1, x0:x1]
        used = np.flatnonzero(np.bincount(sub.ravel(), minlength=256))
        lut = np.zeros(256, dtype=np.uint8)
        lut[used] = np.arange(used.size, dtype=np.uint8)
        patch = Image.fromarray(lut[sub], "P")
        patch.putpalette(palette[used].tobytes())
        buf = io.BytesIO()
        patch.save(buf, "GIF", interlace=False, optimize=True)
        table, bits, data = _gif_parts(buf.getvalue())
        # Spread rounding over frames so n frames last exactly n / fps seconds in total.
        end = round(100.0 * (index + 1) / fps)
        delay = end - self._centiseconds
        self._centiseconds = end
        self._write(b"!\xf9\x04\x04" + struct.pack("<H", delay) + b"\x00\x00")
        self._write(b"," + struct.pack("<HHHHB", x0, y0, x1 - x0, y1 - y0, 0x80 | bits))
        self._write(table)
        self._write(data)

    def commit(self) -> None:
        self._write(b";")
        self.out.commit()

    def discard(self) -> None:
        self.out.discard()


# ---------------------------------------------------------------------------- MP4


class _Mp4Sink:
    """Pipes frames to ffmpeg (H.264 in an MP4 container) writing an AtomicFile's temp path."""

    def __init__(self, path: Path, fps: float) -> None:
        import imageio_ffmpeg

        self.path = path
        self.fps = fps
        self.out = AtomicFile(path)
        self._writer: Any = None
        self._ffmpeg = imageio_ffmpeg

    def add(self, rgb: np.ndarray, index: int, fps: float) -> None:
        h, w = rgb.shape[:2]
        # yuv420p needs even sides: repeat the last row/column rather than resample.
        rgb = np.pad(rgb, ((0, h % 2), (0, w % 2), (0, 0)), mode="edge")
        if self._writer is None:
            self._writer = self._ffmpeg.write_frames(
                str(self.out.temp_path),
                (rgb.shape[1], rgb.shape[0]),
                fps=self.fps,
                quality=8,
                macro_block_size=2,
                ffmpeg_log_level="error",
                output_params=["-f", "mp4", "-movflags", "+faststart"],
            )
            self._writer.send(None)
        self._writer.send(np.ascontiguousarray(rgb))

    def _finish(self) -> None:
        if self._writer is not None:
            writer, self._writer = self._writer, None
            writer.close()

    def commit(self) -> None:
        self._finish()
        if os.path.getsize(self.out.temp_path) == 0:
            self.out.discard()
            raise OSError(f"ffmpeg wrote nothing to {self.path}")
        self.out.commit()

    def discard(self) -> None:
        try:
            self._finish()
        finally:
            self.out.discard()


# ---------------------------------------------------------------------------- recorder


def _check_number(value: object, name: str, lo: float, hi: float, integer: bool = False) -> float:
    kinds = (int, np.integer) if integer else (int, float, np.integer, np.floating)
    if isinstance(value, bool) or not isinstance(value, kinds):
        raise ValueError(f"{name} must be {'an integer' if integer else 'a number'}, got {value!r}")
    if not lo <= float(value) <= hi:
        raise ValueError(f"{name} is {value}; allowed: {lo:g} to {hi:g}")
    return float(value)


class Recorder:
    """Record canvas frames to `path` (.gif or .mp4), or to several formats at once.

    `Recorder("demo.gif", formats=available_formats())` writes demo.gif and, where imageio-ffmpeg
    is installed, demo.mp4 from the same frames. Call `add_frame(rgb)` once per rendered frame,
    then `close()` to finish the files (atomically), or `discard()` to drop them. Used as a
    context manager it closes on success and discards on an exception.
    Not thread-safe: call it from one thread.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        fps: float = DEFAULT_FPS,
        max_width: int = DEFAULT_MAX_SIDE,
        max_height: int = DEFAULT_MAX_SIDE,
        max_frames: int = DEFAULT_MAX_FRAMES,
        max_bytes: int = DEFAULT_MAX_BYTES,
        formats: Sequence[str] | None = None,
    ) -> None:
        path = Path(path)
        suffix = path.suffix.lower().lstrip(".")
        if formats is None:
            if suffix not in FORMATS:
                raise ValueError(
                    f"recording file {path} must end in .gif or .mp4 (or pass formats=...)"
                )
            formats = (suffix,)
        formats = tuple(dict.fromkeys(str(f).lower() for f in formats))
        if not formats or any(f not in FORMATS for f in formats):
            raise ValueError(f"recording formats {formats!r}; allowed: gif, mp4")
        if "mp4" in formats and not mp4_available():
            raise ValueError(MP4_MISSING)
        self.fps = _check_number(fps, "fps", MIN_FPS, MAX_FPS)
        sides = (MIN_SIDE_LIMIT, MAX_SIDE_LIMIT)
        self.max_width = int(_check_number(max_width, "max_width", *sides, integer=True))
        self.max_height = int(_check_number(max_height, "max_height", *sides, integer=True))
        self.max_frames = int(
            _check_number(max_frames, "max_frames", 1, MAX_FRAMES_LIMIT, integer=True)
        )
        self.max_bytes = int(_check_number(max_bytes, "max_bytes", 1024, 2**40, integer=True))
        self.paths = [path.with_suffix("." + f) for f in formats]
        self._sinks: list[_GifSink | _Mp4Sink] = []
        try:
            for target, fmt in zip(self.paths, formats, strict=True):
                self._sinks.append(_GifSink(target) if fmt == "gif" else _Mp4Sink(target, self.fps))
        except OSError as err:
            self.discard()
            raise ValueError(f"cannot write recording {path}: {err.strerror or err}") from err
        self.frame_count = 0
        self.size: tuple[int, int] | None = None  # (width, height) of the written frames
        self._closed = False

    # ------------------------------------------------------------------ counter
    @property
    def seconds(self) -> float:
        """Duration recorded so far."""
        return self.frame_count / self.fps

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def limit_message(self) -> str | None:
        """Why no more frames are accepted, or None while recording can go on."""
        if self.frame_count >= self.max_frames:
            return (
                f"the recording reached its limit of {self.max_frames} frames "
                f"({self.max_frames / self.fps:.0f} s at {self.fps:g} fps); "
                "stop recording to save it"
            )
        gif = [s for s in self._sinks if isinstance(s, _GifSink)]
        if gif and gif[0].bytes_written >= self.max_bytes:
            return (
                f"the recording reached its size limit of {self.max_bytes // 2**20} MiB; "
                "stop recording to save it"
            )
        return None

    @property
    def full(self) -> bool:
        return self.limit_message is not None

    @property
    def counter_text(self) -> str:
        """A short label for the screen while recording, e.g. "REC 120/1500  6.0 s"."""
        return f"REC {self.frame_count}/{self.max_frames}  {self.seconds:.1f} s"

    # ------------------------------------------------------------------ frames
    def _fit(self, frame: np.ndarray) -> np.ndarray:
        h, w = frame.shape[:2]
        if self.size is None:
            scale = min(1.0, self.max_width / w, self.max_height / h)
            self.size = (max(1, round(w * scale)), max(1, round(h * scale)))
        out_w, out_h = self.size
        if (w, h) == (out_w, out_h):
            return frame
        scale = min(out_w / w, out_h / h)
        fit_w, fit_h = max(1, round(w * scale)), max(1, round(h * scale))
        resized = np.asarray(
            Image.fromarray(frame, "RGB").resize((fit_w, fit_h), Image.Resampling.HAMMING)
        )
        if (fit_w, fit_h) == (out_w, out_h):
            return resized
        canvas = np.zeros((out_h, out_w, 3), dtype=np.uint8)
        y0, x0 = (out_h - fit_h) // 2, (out_w - fit_w) // 2
        canvas[y0 : y0 + fit_h, x0 : x0 + fit_w] = resized
        return canvas

    def add_frame(self, frame: np.ndarray) -> None:
        """Append one frame, (H, W, 3) or (H, W, 4) uint8, top row first.

        Raises ValueError for a bad frame, when a size limit is reached (the frame is not added;
        what was recorded is kept for `close()`), or when the file cannot be written (the
        recording is then discarded).
        """
        if self._closed:
            raise ValueError("this recording is already closed; start a new one")
        if not isinstance(frame, np.ndarray) or frame.dtype != np.uint8:
            kind = frame.dtype if isinstance(frame, np.ndarray) else type(frame).__name__
            raise ValueError(f"a frame must be a uint8 numpy array, got {kind}")
        if frame.ndim != 3 or frame.shape[2] not in (3, 4):
            raise ValueError(f"a frame must have shape (H, W, 3) or (H, W, 4), got {frame.shape}")
        h, w = frame.shape[:2]
        if not (1 <= h <= MAX_INPUT_SIDE and 1 <= w <= MAX_INPUT_SIDE):
            raise ValueError(f"a frame of {w}x{h} pixels; allowed: 1 to {MAX_INPUT_SIDE} a side")
        message = self.limit_message
        if message is not None:
            raise ValueError(message)
        rgb = self._fit(np.ascontiguousarray(frame[:, :, :3]))
        try:
            for sink in self._sinks:
                sink.add(rgb, self.frame_count, self.fps)
        except OSError as err:
            self.discard()
            raise ValueError(
                f"cannot write recording {self.paths[0]}: {err.strerror or err}; "
                "the recording was dropped"
            ) from err
        self.frame_count += 1

    # ------------------------------------------------------------------ finishing
    def close(self) -> list[Path]:
        """Finish and atomically write the files; returns their paths.

        With no frames recorded nothing is written (existing files stay) and [] is returned.
        Raises ValueError when a file cannot be written; files already written stay complete.
        """
        if self._closed:
            return []
        if self.frame_count == 0:
            self.discard()
            return []
        self._closed = True
        written = []
        for i, sink in enumerate(self._sinks):
            try:
                sink.commit()
            except OSError as err:
                for rest in self._sinks[i + 1 :]:
                    rest.discard()
                raise ValueError(f"cannot write recording {sink.path}: {err}") from err
            written.append(sink.path)
        return written

    def discard(self) -> None:
        """Drop the recording; existing files at the destinations stay as they were."""
        self._closed = True
        for sink in self._sinks:
            try:
                sink.discard()
            except OSError:
                pass

    def __enter__(self) -> Recorder:
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if exc_type is None:
            self.close()
        else:
            self.discard()
