"""A part of the window drawn once into an offscreen texture and copied to the window each frame.

What the plane draws under its points (sandbox.render.plane_view), the 3D view and the side
column's inspector and probe (sandbox.render.stage_views) change far less often than frames
come, yet drawing them costs a software rasteriser tens to hundreds of milliseconds (500 thin
window-long creases, 70,000 regions, a diagram of 29,000 links). `HeldLayer` draws such a part
into a `RenderTarget` when its key changes and otherwise copies that texture into its rectangle
with one framebuffer blit. Keys are compared with `memo.same_key` (numbers, strings and tuples
by value, anything else by identity).

The target is as large as the window, and a part is painted in the same viewport and scissor as
on the window, after a clear to the frame's background: the rasteriser snaps vertices relative
to the viewport's origin, so painted at the texture's origin the creases moved by a rounding.
Even so the copy matches a direct draw only to a level of 255 at the edges of thin quads (Mesa
rasterises a window's framebuffer upside down relative to a texture's); tests/test_held_layer.py
measures it.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable

from sandbox.memo import same_key

from . import palette
from .gl import GL
from .target import RenderTarget


class HeldLayer:
    """One held layer: `draw(key, rect, window, paint)` paints only when `key` changed."""

    def __init__(self, depth: bool = False) -> None:
        self.depth = depth  # a depth buffer (the 3D view); 2D parts need none
        self._target: RenderTarget | None = None
        self.key: Hashable | None = None
        self.repaints = 0  # how many times `paint` ran (tests, benchmarks)

    def draw(
        self,
        key: Hashable,
        rect: tuple[int, int, int, int],
        window: tuple[int, int],
        paint: Callable[[], None],
    ) -> None:
        """Copy the layer into the window's `rect` (GL's x, y, w, h; bottom-left origin), first
        calling `paint()` into the offscreen target when `key` differs from the last one.
        `paint` draws with the viewport and scissor on `rect`, as on the window. Leaves the
        window's framebuffer bound with the viewport and scissor on `rect`."""
        x, y, w, h = (int(v) for v in rect)
        if w < 1 or h < 1:
            return
        size = (max(int(window[0]), x + w), max(int(window[1]), y + h))
        if self._target is None:
            self._target = RenderTarget(size, depth=self.depth)
            self.key = None
        elif self._target.size != size:
            self._target.resize(size)
            self.key = None
        target = self._target
        key = (key, x, y, w, h)
        if not same_key(key, self.key):
            GL.glBindFramebuffer(GL.GL_FRAMEBUFFER, target.fbo)
            GL.glViewport(x, y, w, h)
            GL.glScissor(x, y, w, h)
            GL.glEnable(GL.GL_SCISSOR_TEST)
            c = palette.BACKGROUND
            GL.glClearColor(float(c[0]), float(c[1]), float(c[2]), 1.0)
            GL.glClear(GL.GL_COLOR_BUFFER_BIT | (GL.GL_DEPTH_BUFFER_BIT if self.depth else 0))
            try:
                paint()
            finally:
                GL.glBindFramebuffer(GL.GL_FRAMEBUFFER, 0)
                GL.glViewport(x, y, w, h)
                GL.glScissor(x, y, w, h)
                GL.glEnable(GL.GL_SCISSOR_TEST)
            self.key = key
            self.repaints += 1
        GL.glBindFramebuffer(GL.GL_READ_FRAMEBUFFER, target.fbo)
        GL.glBindFramebuffer(GL.GL_DRAW_FRAMEBUFFER, 0)
        GL.glBlitFramebuffer(
            x, y, x + w, y + h, x, y, x + w, y + h, GL.GL_COLOR_BUFFER_BIT, GL.GL_NEAREST
        )
        GL.glBindFramebuffer(GL.GL_FRAMEBUFFER, 0)

    def delete(self) -> None:
        if self._target is not None:
            self._target.delete()
            self._target = None
        self.key = None
