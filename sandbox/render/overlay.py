"""The UI overlay: a pygame Surface (what pygame-gui drew) composited over the GL scene.

`upload(surface)` copies the surface into RGBA8 textures of premultiplied colour. pygame-gui
draws with BLEND_PREMULTIPLIED, so its surfaces already hold premultiplied colour and are sent
as they are (the default); a straight-alpha surface is premultiplied in C by pygame on the way
(`premultiplied=False`, `tobytes(..., "RGBA_PREMULT")`). Call it only when the UI changed; pass
`rects` (the areas that changed) to send just those. The overlay is drawn as 64 px tiles, only
those holding a non-transparent pixel, because a full-window textured quad costs several
milliseconds on a software rasteriser while UI panels usually cover a small part of the window.
Each pixel is an exact texel copy blended with GL_ONE, GL_ONE_MINUS_SRC_ALPHA, so
out = ui_premultiplied + scene * (1 - ui_alpha).

Every upload goes into new textures, never into one drawn before: llvmpipe makes a write into
a texture that an earlier frame drew wait until the rasteriser has finished every frame still
queued (10-15 ms of a default frame at 1280 x 800, each time a label changed), while new
storage is written at once. A whole upload makes one texture as large as the window; the
changed rectangles, widened to whole tiles, each make a small one (a patch), and each tile is
drawn from the newest texture that holds it. Textures no tile is drawn from any more are
deleted; past MAX_PATCHES patches the next upload is a whole one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .gl import GL, DynamicBuffer, attrib_pointer
from .shaders import load_program

TILE = 64
# patches (textures of changed rectangles) kept before an upload sends the whole surface again
MAX_PATCHES = 8


def surface_rgba_premultiplied(surface, premultiplied: bool = False) -> bytes:
    """RGBA bytes, rows top-down, colour premultiplied by alpha (opaque when no alpha).

    `premultiplied`: the surface already holds premultiplied colour (pygame-gui's output).
    """
    import pygame

    if premultiplied or not surface.get_flags() & pygame.SRCALPHA:
        return pygame.image.tobytes(surface, "RGBA")
    return pygame.image.tobytes(surface, "RGBA_PREMULT")


def occupied_tiles(alpha: np.ndarray, tile: int = TILE) -> np.ndarray:
    """(H, W) alpha -> (rows, cols) bool: which tile x tile blocks hold any alpha > 0."""
    h, w = alpha.shape
    rows = np.arange(0, h, tile)
    cols = np.arange(0, w, tile)
    block = np.maximum.reduceat(np.maximum.reduceat(alpha, rows, axis=0), cols, axis=1)
    return block > 0


@dataclass
class _Picture:
    """A texture holding the UI surface's pixels from (x, y) (top-down) on, w x h of them."""

    texture: int
    x: int
    y: int
    w: int
    h: int


class OverlayPass:
    """The UI's pictures (textures) and tiles, and the pass that blends them over the scene."""

    def __init__(self) -> None:
        self.program = load_program("overlay.vert", "overlay.frag")
        self.size = (0, 0)
        self.tiles = np.zeros((0, 0), dtype=bool)  # tiles holding any UI pixel
        # per tile, the key in `pictures` of the texture it is drawn from
        self.owner = np.zeros((0, 0), dtype=np.int64)
        self.pictures: dict[int, _Picture] = {}
        self._next_key = 0
        self.vao = int(GL.glGenVertexArrays(1))
        self.tile_buffer = DynamicBuffer(GL.GL_ARRAY_BUFFER)
        self.n_tiles = 0
        self._draws: list[tuple[_Picture, int, int]] = []  # (picture, first tile, tiles)
        self._tiles_dirty = False
        GL.glBindVertexArray(self.vao)
        GL.glBindBuffer(GL.GL_ARRAY_BUFFER, self.tile_buffer.id)
        attrib_pointer(0, 2, 8, 0)
        GL.glVertexAttribDivisor(0, 1)
        GL.glBindVertexArray(0)
        GL.glBindBuffer(GL.GL_ARRAY_BUFFER, 0)

    @property
    def patches(self) -> int:
        """Textures holding part of the window (not counting a whole one)."""
        return sum(1 for p in self.pictures.values() if (p.w, p.h) != self.size)

    def upload(
        self,
        surface,
        rects: Sequence[tuple[int, int, int, int]] | None = None,
        *,
        premultiplied: bool = True,
    ) -> None:
        """Copy `surface` (or only `rects` of it, (x, y, w, h) top-down, widened to whole
        tiles) into new textures.

        `premultiplied` says the surface already holds premultiplied colour, as pygame-gui
        draws it; pass False for a straight-alpha surface.
        """
        size = surface.get_size()
        if size != self.size:
            self.size = size
            rows, cols = (size[1] + TILE - 1) // TILE, (size[0] + TILE - 1) // TILE
            self.tiles = np.zeros((rows, cols), bool)
            self.owner = np.full((rows, cols), -1, np.int64)
            rects = None
        boxes = [] if rects is None else [b for b in (self._tile_box(r) for r in rects) if b]
        if rects is None or self.patches + len(boxes) > MAX_PATCHES:
            boxes = [(0, 0, size[0], size[1])]
        for x0, y0, x1, y1 in boxes:
            sub = (
                surface
                if (x1 - x0, y1 - y0) == size
                else surface.subsurface((x0, y0, x1 - x0, y1 - y0))
            )
            data = surface_rgba_premultiplied(sub, premultiplied)
            key = self._add_picture(data, x0, y0, x1 - x0, y1 - y0)
            alpha = np.frombuffer(data, dtype=np.uint8).reshape(y1 - y0, x1 - x0, 4)[:, :, 3]
            rows = slice(y0 // TILE, (y1 - 1) // TILE + 1)
            cols = slice(x0 // TILE, (x1 - 1) // TILE + 1)
            self.tiles[rows, cols] = occupied_tiles(alpha)
            self.owner[rows, cols] = key
        self._drop_unused()
        self._tiles_dirty = True

    def _tile_box(self, rect) -> tuple[int, int, int, int] | None:
        """(x, y, w, h) -> (x0, y0, x1, y1) widened to whole tiles, inside the surface."""
        x, y, w, h = (int(v) for v in rect)
        x0, y0 = max(x, 0) // TILE * TILE, max(y, 0) // TILE * TILE
        x1 = min(-(-(x + w) // TILE) * TILE, self.size[0])
        y1 = min(-(-(y + h) // TILE) * TILE, self.size[1])
        return (x0, y0, x1, y1) if x1 > x0 and y1 > y0 else None

    def _add_picture(self, data: bytes, x: int, y: int, w: int, h: int) -> int:
        texture = int(GL.glGenTextures(1))
        GL.glBindTexture(GL.GL_TEXTURE_2D, texture)
        GL.glTexParameteri(GL.GL_TEXTURE_2D, GL.GL_TEXTURE_MIN_FILTER, GL.GL_NEAREST)
        GL.glTexParameteri(GL.GL_TEXTURE_2D, GL.GL_TEXTURE_MAG_FILTER, GL.GL_NEAREST)
        GL.glPixelStorei(GL.GL_UNPACK_ALIGNMENT, 1)
        GL.glTexImage2D(
            GL.GL_TEXTURE_2D, 0, GL.GL_RGBA8, w, h, 0, GL.GL_RGBA, GL.GL_UNSIGNED_BYTE, data
        )
        key = self._next_key
        self._next_key += 1
        self.pictures[key] = _Picture(texture, x, y, w, h)
        return key

    def _drop_unused(self) -> None:
        """Delete the textures no tile is drawn from any more."""
        used = set(np.unique(self.owner).tolist())
        for key in [k for k in self.pictures if k not in used]:
            GL.glDeleteTextures(1, [self.pictures.pop(key).texture])

    def clear(self) -> None:
        """Nothing to composite until the next upload."""
        self.tiles[...] = False
        self._tiles_dirty = True

    def draw(self) -> None:
        """Blend the overlay over the whole window (sets the viewport to the overlay size)."""
        if self._tiles_dirty:
            rows, cols = np.nonzero(self.tiles)
            keys = self.owner[rows, cols]
            order = np.argsort(keys, kind="stable")
            rows, cols, keys = rows[order], cols[order], keys[order]
            self.tile_buffer.update(np.stack([cols, rows], axis=1).astype(np.float32))
            self.n_tiles = len(rows)
            # one draw per texture, of the tiles drawn from it
            starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]]) if len(keys) else []
            ends = [*starts[1:], len(keys)] if len(keys) else []
            self._draws = [
                (self.pictures[int(keys[a])], int(a), int(b - a))
                for a, b in zip(starts, ends, strict=True)
            ]
            self._tiles_dirty = False
        if not self.n_tiles:
            return
        p = self.program
        p.use()
        p.set_vec2("u_size", self.size)
        p.set_float("u_tile", TILE)
        p.set_int("u_texture", 0)
        GL.glViewport(0, 0, self.size[0], self.size[1])
        GL.glActiveTexture(GL.GL_TEXTURE0)
        GL.glEnable(GL.GL_BLEND)
        GL.glBlendFunc(GL.GL_ONE, GL.GL_ONE_MINUS_SRC_ALPHA)
        GL.glBindVertexArray(self.vao)
        GL.glBindBuffer(GL.GL_ARRAY_BUFFER, self.tile_buffer.id)
        for picture, first, count in self._draws:
            p.set_vec2("u_origin", (picture.x, picture.y))
            GL.glBindTexture(GL.GL_TEXTURE_2D, picture.texture)
            attrib_pointer(0, 2, 8, 8 * first)  # (GL 3.3 has no base instance)
            GL.glDrawArraysInstanced(GL.GL_TRIANGLE_STRIP, 0, 4, count)
        attrib_pointer(0, 2, 8, 0)
        GL.glBindBuffer(GL.GL_ARRAY_BUFFER, 0)
        GL.glBindVertexArray(0)

    def delete(self) -> None:
        self.program.delete()
        self.tile_buffer.delete()
        for picture in self.pictures.values():
            GL.glDeleteTextures(1, [picture.texture])
        self.pictures = {}
        if self.vao:
            GL.glDeleteVertexArrays(1, [self.vao])
            self.vao = 0
