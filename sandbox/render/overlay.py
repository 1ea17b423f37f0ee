"""The UI overlay: a pygame Surface (what pygame-gui drew) composited over the GL scene.

`upload(surface)` copies the surface into an RGBA8 texture of premultiplied colour with
glTexSubImage2D, into storage allocated once per window size. pygame-gui draws with
BLEND_PREMULTIPLIED, so its surfaces already hold premultiplied colour and are sent as they are
(the default); a straight-alpha surface is premultiplied in C by pygame on the way
(`premultiplied=False`, `tobytes(..., "RGBA_PREMULT")`). Call it only when the UI changed; pass
`rects` (the areas that changed) to send just those. The overlay is drawn as 64 px tiles, only
those holding a non-transparent pixel, because a full-window textured quad costs several
milliseconds on a software rasteriser while UI panels usually cover a small part of the window.
Each pixel is an exact texel copy blended with GL_ONE, GL_ONE_MINUS_SRC_ALPHA, so
out = ui_premultiplied + scene * (1 - ui_alpha).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .gl import GL, DynamicBuffer, attrib_pointer
from .shaders import load_program

TILE = 64


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


def window_tiles(alpha: np.ndarray, x0: int, y0: int, tile: int = TILE) -> np.ndarray:
    """Alpha of a sub-rectangle whose corner is at (x0, y0) of the window -> which of the
    window's tiles it touches (rows, cols) hold any alpha > 0 inside it."""
    h, w = alpha.shape
    rows = np.arange(tile - y0 % tile, h, tile)
    cols = np.arange(tile - x0 % tile, w, tile)
    rows = np.concatenate([[0], rows]).astype(np.intp)
    cols = np.concatenate([[0], cols]).astype(np.intp)
    block = np.maximum.reduceat(np.maximum.reduceat(alpha, rows, axis=0), cols, axis=1)
    return block > 0


class OverlayPass:
    """Texture + tile list of the UI surface, and the pass that blends it over the scene."""

    def __init__(self) -> None:
        self.program = load_program("overlay.vert", "overlay.frag")
        self.texture = int(GL.glGenTextures(1))
        self.size = (0, 0)
        self.tiles = np.zeros((0, 0), dtype=bool)
        self.vao = int(GL.glGenVertexArrays(1))
        self.tile_buffer = DynamicBuffer(GL.GL_ARRAY_BUFFER)
        self.n_tiles = 0
        self._tiles_dirty = False
        GL.glBindVertexArray(self.vao)
        GL.glBindBuffer(GL.GL_ARRAY_BUFFER, self.tile_buffer.id)
        attrib_pointer(0, 2, 8, 0)
        GL.glVertexAttribDivisor(0, 1)
        GL.glBindVertexArray(0)
        GL.glBindBuffer(GL.GL_ARRAY_BUFFER, 0)

    def _allocate(self, size: tuple[int, int]) -> None:
        GL.glBindTexture(GL.GL_TEXTURE_2D, self.texture)
        GL.glTexParameteri(GL.GL_TEXTURE_2D, GL.GL_TEXTURE_MIN_FILTER, GL.GL_NEAREST)
        GL.glTexParameteri(GL.GL_TEXTURE_2D, GL.GL_TEXTURE_MAG_FILTER, GL.GL_NEAREST)
        GL.glTexImage2D(
            GL.GL_TEXTURE_2D, 0, GL.GL_RGBA8, size[0], size[1], 0, GL.GL_RGBA,
            GL.GL_UNSIGNED_BYTE, None,
        )  # fmt: skip
        self.size = size
        self.tiles = np.zeros(((size[1] + TILE - 1) // TILE, (size[0] + TILE - 1) // TILE), bool)

    def upload(
        self,
        surface,
        rects: Sequence[tuple[int, int, int, int]] | None = None,
        *,
        premultiplied: bool = True,
    ) -> None:
        """Copy `surface` (or only `rects` of it, (x, y, w, h) top-down) into the texture.

        `premultiplied` says the surface already holds premultiplied colour, as pygame-gui
        draws it; pass False for a straight-alpha surface.
        """
        size = surface.get_size()
        if size != self.size:
            self._allocate(size)
            rects = None
        GL.glBindTexture(GL.GL_TEXTURE_2D, self.texture)
        GL.glPixelStorei(GL.GL_UNPACK_ALIGNMENT, 1)
        if rects is None:
            data = surface_rgba_premultiplied(surface, premultiplied)
            GL.glTexSubImage2D(
                GL.GL_TEXTURE_2D, 0, 0, 0, size[0], size[1], GL.GL_RGBA, GL.GL_UNSIGNED_BYTE, data
            )
            alpha = np.frombuffer(data, dtype=np.uint8).reshape(size[1], size[0], 4)[:, :, 3]
            self.tiles = occupied_tiles(alpha)
        else:
            for rect in rects:
                x0, y0, w, h = (int(v) for v in rect)
                x1, y1 = min(x0 + w, size[0]), min(y0 + h, size[1])
                x0, y0 = max(x0, 0), max(y0, 0)
                if x1 <= x0 or y1 <= y0:
                    continue
                sub = surface.subsurface((x0, y0, x1 - x0, y1 - y0))
                data = surface_rgba_premultiplied(sub, premultiplied)
                GL.glTexSubImage2D(
                    GL.GL_TEXTURE_2D, 0, x0, y0, x1 - x0, y1 - y0, GL.GL_RGBA,
                    GL.GL_UNSIGNED_BYTE, data,
                )  # fmt: skip
                alpha = np.frombuffer(data, dtype=np.uint8).reshape(y1 - y0, x1 - x0, 4)[:, :, 3]
                occupied = window_tiles(alpha, x0, y0)
                rows = slice(y0 // TILE, (y1 - 1) // TILE + 1)
                cols = slice(x0 // TILE, (x1 - 1) // TILE + 1)
                whole_w = x0 % TILE == 0 and (x1 % TILE == 0 or x1 == size[0])
                whole_h = y0 % TILE == 0 and (y1 % TILE == 0 or y1 == size[1])
                if whole_w and whole_h:
                    self.tiles[rows, cols] = occupied  # whole tiles: exact
                else:
                    # part of a tile: it stays drawn while another part of it may show
                    self.tiles[rows, cols] |= occupied
        self._tiles_dirty = True

    def clear(self) -> None:
        """Nothing to composite until the next upload."""
        self.tiles[...] = False
        self._tiles_dirty = True

    def draw(self) -> None:
        """Blend the overlay over the whole window (sets the viewport to the overlay size)."""
        if self._tiles_dirty:
            rows, cols = np.nonzero(self.tiles)
            self.tile_buffer.update(np.stack([cols, rows], axis=1).astype(np.float32))
            self.n_tiles = len(rows)
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
        GL.glBindTexture(GL.GL_TEXTURE_2D, self.texture)
        GL.glEnable(GL.GL_BLEND)
        GL.glBlendFunc(GL.GL_ONE, GL.GL_ONE_MINUS_SRC_ALPHA)
        GL.glBindVertexArray(self.vao)
        GL.glDrawArraysInstanced(GL.GL_TRIANGLE_STRIP, 0, 4, self.n_tiles)
        GL.glBindVertexArray(0)

    def delete(self) -> None:
        self.program.delete()
        self.tile_buffer.delete()
        if self.texture:
            GL.glDeleteTextures(1, [self.texture])
            self.texture = 0
        if self.vao:
            GL.glDeleteVertexArrays(1, [self.vao])
            self.vao = 0
