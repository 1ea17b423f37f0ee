"""Where frames go and how they come back: offscreen render targets, pixel read-back and PNGs.

`read_pixels` returns what the bound framebuffer holds as a top-down (H, W, 3|4) uint8 array
(screenshots, GIF frames, pixel tests). `RenderTarget` is an offscreen framebuffer of any size
(renders larger than the window, thumbnails, a later 3D pass with its own depth buffer).
`save_png` writes such an array with Pillow, atomically (a failed write leaves no damaged file).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from sandbox.io.atomic import atomic_write

from .gl import GL


def read_pixels(size: tuple[int, int] | None = None, *, alpha: bool = False) -> np.ndarray:
    """Read the bound read-framebuffer's (0, 0, w, h) area as (h, w, 3|4) uint8, rows top-down.

    `size` defaults to the current viewport's far corner. Stalls the pipeline: not for the
    per-frame hot path.
    """
    if size is None:
        x, y, w, h = (int(v) for v in GL.glGetIntegerv(GL.GL_VIEWPORT))
        size = (x + w, y + h)
    w, h = int(size[0]), int(size[1])
    fmt, channels = (GL.GL_RGBA, 4) if alpha else (GL.GL_RGB, 3)
    GL.glPixelStorei(GL.GL_PACK_ALIGNMENT, 1)
    data = GL.glReadPixels(0, 0, w, h, fmt, GL.GL_UNSIGNED_BYTE)
    if not isinstance(data, (bytes, bytearray)):
        data = np.asarray(data, dtype=np.uint8).tobytes()
    return np.frombuffer(data, dtype=np.uint8).reshape(h, w, channels)[::-1].copy()


def save_png(path: str | Path, pixels: np.ndarray) -> Path:
    """Write an (H, W, 3|4) uint8 top-down array as a PNG; returns the path."""
    from PIL import Image

    pixels = np.asarray(pixels)
    if pixels.dtype != np.uint8 or pixels.ndim != 3 or pixels.shape[2] not in (3, 4):
        raise ValueError(f"pixels must be (H, W, 3|4) uint8, got {pixels.shape} {pixels.dtype}")
    path = Path(path)
    fmt = Image.registered_extensions().get(path.suffix.lower())
    if fmt is None:
        raise ValueError(f"{str(path)!r}: no image format has the extension {path.suffix!r}")
    image = Image.fromarray(pixels, "RGBA" if pixels.shape[2] == 4 else "RGB")
    atomic_write(path, lambda fh: image.save(fh, format=fmt))
    return path


class RenderTarget:
    """An offscreen framebuffer: RGBA8 colour texture plus (with `depth`, the default) a depth
    renderbuffer; 2D parts go without, which halves the memory a software driver keeps."""

    def __init__(self, size: tuple[int, int], depth: bool = True) -> None:
        self.fbo = int(GL.glGenFramebuffers(1))
        self.color = int(GL.glGenTextures(1))
        self.depth = int(GL.glGenRenderbuffers(1)) if depth else 0
        self.size = (0, 0)
        self.resize(size)

    def resize(self, size: tuple[int, int]) -> None:
        w, h = int(size[0]), int(size[1])
        if w < 1 or h < 1:
            raise ValueError(f"render target size {size} is invalid; both sides must be >= 1")
        if (w, h) == self.size:
            return
        GL.glBindTexture(GL.GL_TEXTURE_2D, self.color)
        GL.glTexImage2D(
            GL.GL_TEXTURE_2D, 0, GL.GL_RGBA8, w, h, 0, GL.GL_RGBA, GL.GL_UNSIGNED_BYTE, None
        )
        GL.glTexParameteri(GL.GL_TEXTURE_2D, GL.GL_TEXTURE_MIN_FILTER, GL.GL_LINEAR)
        GL.glTexParameteri(GL.GL_TEXTURE_2D, GL.GL_TEXTURE_MAG_FILTER, GL.GL_LINEAR)
        if self.depth:
            GL.glBindRenderbuffer(GL.GL_RENDERBUFFER, self.depth)
            GL.glRenderbufferStorage(GL.GL_RENDERBUFFER, GL.GL_DEPTH_COMPONENT24, w, h)
        GL.glBindFramebuffer(GL.GL_FRAMEBUFFER, self.fbo)
        GL.glFramebufferTexture2D(
            GL.GL_FRAMEBUFFER, GL.GL_COLOR_ATTACHMENT0, GL.GL_TEXTURE_2D, self.color, 0
        )
        if self.depth:
            GL.glFramebufferRenderbuffer(
                GL.GL_FRAMEBUFFER, GL.GL_DEPTH_ATTACHMENT, GL.GL_RENDERBUFFER, self.depth
            )
        status = GL.glCheckFramebufferStatus(GL.GL_FRAMEBUFFER)
        GL.glBindFramebuffer(GL.GL_FRAMEBUFFER, 0)
        if status != GL.GL_FRAMEBUFFER_COMPLETE:
            raise RuntimeError(f"offscreen framebuffer {w}x{h} is incomplete (status {status:#x})")
        self.size = (w, h)

    def bind(self) -> None:
        """Draw into this target; the viewport becomes the whole target."""
        GL.glBindFramebuffer(GL.GL_FRAMEBUFFER, self.fbo)
        GL.glViewport(0, 0, self.size[0], self.size[1])

    @staticmethod
    def bind_default(size: tuple[int, int]) -> None:
        """Back to the window's framebuffer with a full-window viewport."""
        GL.glBindFramebuffer(GL.GL_FRAMEBUFFER, 0)
        GL.glViewport(0, 0, int(size[0]), int(size[1]))

    def read(self, *, alpha: bool = False) -> np.ndarray:
        previous = int(GL.glGetIntegerv(GL.GL_READ_FRAMEBUFFER_BINDING))
        GL.glBindFramebuffer(GL.GL_READ_FRAMEBUFFER, self.fbo)
        try:
            return read_pixels(self.size, alpha=alpha)
        finally:
            GL.glBindFramebuffer(GL.GL_READ_FRAMEBUFFER, previous)

    def delete(self) -> None:
        if self.fbo:
            GL.glDeleteFramebuffers(1, [self.fbo])
            GL.glDeleteTextures(1, [self.color])
            if self.depth:
                GL.glDeleteRenderbuffers(1, [self.depth])
            self.fbo = 0
