"""A part of the window drawn once into an offscreen texture and copied to the window each frame.

What the plane draws under its points (sandbox.render.plane_view), the 3D view and the side
column's inspector and probe (sandbox.render.stage_views) change far less often than frames
come, yet drawing them costs a software rasteriser tens to hundreds of milliseconds (500 thin
window-long creases, 70,000 regions, a diagram of 29,000 links). `HeldLayer` draws such a part
into a `RenderTarget` when its key changes and otherwise copies that texture into its rectangle
with one framebuffer blit. Keys are compared with `memo.same_key` (numbers, strings and tuples
by value, anything else by identity).

A big network changes several held parts at once (a new partition of 70,000 regions changes
the plane, the 3D surface and the inspector together, each 150-300 ms to paint on llvmpipe).
They share the frame's `FramePaints`: the first heavy part to change paints, and a part that may
wait shows its old picture a frame more and paints in its turn, so no frame pays for two; in
the app's loop a frame after a long one paints none (FramePaints: input shown sooner).

A heavy part whose content changed while its view stayed (a new partition arriving while the
network trains) can be painted in bands instead (`bands`): into a second target, one horizontal
band a frame, the old picture shown until the new one is complete, then swapped. On llvmpipe a
quarter of the plane of [64]^4's 21,000 regions paints in 16 ms against 49 ms for all of it (8 x
64's 70,000: 23 against 66; the rasteriser's cost is more per pixel than per triangle), so no
frame pays for the whole paint. A band drawing every triangle still pays for all their vertices:
the plane's big meshes and dense creases are stored bottom to top (sandbox.render.band_order),
so its bands hold as many triangles each and draw only those that reach them. The split view's
bands lie in its two panes (a band across both draws both panes' triangles: 8 x 64's costs 62
ms, the whole 58), and a part whose cost is in its vertices wherever it is cut (the 3D view of
[64]^4: a band 27 ms, the whole 24) is painted in parts (below). A change of the view (the
camera, the window) or the rectangle paints at once as before: the old picture would be in the
wrong place; new styles or flags are new content, painted in bands.
Painting code that sets its own scissor must call `scissor`, which keeps it inside the band
being painted (the plane's one view sets none). Bands may also be given as rectangles: the
split view's are in its panes (`band` tells the painting code which is being painted, so each
frame draws in one pane what reaches the band). A part whose cost is in what it draws, not
where, is painted in `parts` instead: each frame paints part k of n over the whole rectangle,
cleared only before the first (`part` tells the painting code which share of its draws to make,
in the same order as a whole paint: the 3D view of 8 x 64, whose 116,000 crease segments cost
100 ms and its surface 33-90, in six: the surface in two halves, the creases in four).
A band or part takes the frame's heavy paint like a whole paint, and one that may wait waits
for its turn (the 3D view's parts and the plane's bands alternate).

The target is as large as the window, and a part is painted in the same viewport and scissor as
on the window, after a clear to the frame's background: the rasteriser snaps vertices relative
to the viewport's origin, so painted at the texture's origin the creases moved by a rounding.
Even so the copy matches a direct draw only to a level of 255 at the edges of thin quads (Mesa
rasterises a window's framebuffer upside down relative to a texture's); tests/test_held_layer.py
measures it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Sequence

from sandbox.memo import same_key

from . import palette
from .gl import GL
from .target import RenderTarget

# a partition of more regions than this is heavy to paint (its mesh, creases, 3D surface or
# diagram: 100-300 ms each on llvmpipe for 8 x 64's 70,000): held at once, one a frame
HEAVY_PAINT_REGIONS = 20_000
# a content change painted in bands restarts at most this many times in a row (the content
# changed again before the last band) before the next paint is done at once: the picture shown
# is never more than a few paints old
MAX_BAND_RESTARTS = 2
# a heavy part's new picture is painted in this many bands, one a frame (at the UI maximum a
# quarter made frames of 60-120 ms; an eighth, with the upload in a frame before, under 60)
PAINT_BANDS = 8

# in the app's loop, a frame after one whose work took longer than this paints nothing heavy
# that may wait (FramePaints): input waits for the frame it arrives in and the next, and a band,
# a part or an upload of the UI maximum makes a 45-110 ms frame on llvmpipe
REST_AFTER_S = 0.045

# the band being painted (GL's x, y, w, h), while a layer paints in bands: `scissor` keeps to it
_band: tuple[int, int, int, int] | None = None
# the part being painted (k, n), while a layer paints in parts
_part: tuple[int, int] | None = None


def part() -> tuple[int, int] | None:
    """The part (k, n) being painted, or None when a whole picture is."""
    return _part


def band() -> tuple[int, int, int, int] | None:
    """The band being painted (GL's x, y, w, h), or None when a whole picture is."""
    return _band


def band_rects(rect: tuple[int, int, int, int], bands) -> list[tuple[int, int, int, int]]:
    """The bands of `rect`: `bands` horizontal stripes, or the given rectangles."""
    if not isinstance(bands, int):
        return [tuple(int(v) for v in b) for b in bands]
    x, y, w, h = rect
    return [(x, y + h * b // bands, w, h * (b + 1) // bands - h * b // bands)
            for b in range(max(1, bands))]  # fmt: skip


def scissor(x: int, y: int, w: int, h: int) -> None:
    """glScissor for painting code: the rectangle, inside the band being painted if any."""
    if _band is not None:
        bx, by, bw, bh = _band
        x0, y0 = max(x, bx), max(y, by)
        x1, y1 = min(x + w, bx + bw), min(y + h, by + bh)
        x, y, w, h = x0, y0, max(0, x1 - x0), max(0, y1 - y0)
    GL.glScissor(int(x), int(y), int(w), int(h))


class FramePaints:
    """The heavy paints one frame has left, shared by the held layers and the 3D view's uploads
    (the painters; module docstring); the renderer starts each frame with `per_frame`
    (PER_FRAME; unlimited for a file, whose one frame must hold every picture).

    Painters take turns: one that waited for want of a paint is owed the next, and no painter
    that may wait takes a paint before those owed one, so two painters alternate a paint a
    frame each (a frame never pays for two). With `rest_after` set (the app's own loop), a
    frame that follows one that painted and whose work took longer paints nothing that may
    wait: an input waits for the frame it arrived in and the next, so after a long frame the
    next is kept short (at the UI maximum on llvmpipe a band, a part or an upload makes a
    45-110 ms frame). Never two resting frames running: on a machine where every frame is
    long, pictures still come every other frame."""

    PER_FRAME = 1

    def __init__(self, per_frame: float = PER_FRAME) -> None:
        self.per_frame = per_frame
        self.left = per_frame
        self.rest_after: float | None = None  # seconds of work; None: no frame rests
        self.resting = False  # this frame follows a long one: nothing that may wait paints
        self._last_work = 0.0
        self._owed: list[object] = []  # painters that waited, first come first
        self._asked: list[object] = []  # painters that asked this frame

    def frame_done(self, work_s: float) -> None:
        """The frame just shown took `work_s` seconds of work (its events, update, drawing)."""
        self._last_work = work_s

    def new_frame(self) -> None:
        # rest after a long frame that painted, never twice running: pictures still come, at
        # worst a paint every other frame, however long every frame takes
        painted = self.left < self.per_frame
        self.resting = (
            self.rest_after is not None
            and self.per_frame != math.inf
            and painted
            and not self.resting
            and self._last_work > self.rest_after
        )
        self.left = self.per_frame
        # a painter that stopped asking (its picture done, its view gone) is owed nothing
        self._owed = [p for p in self._owed if any(p is a for a in self._asked)]
        self._asked = []

    def take(self) -> bool:
        """Use one: whether one was left (a part that must paint takes it even when none was)."""
        spare = self.left > 0
        self.left = max(0, self.left - 1)
        return spare

    def turn(self, painter: object, may_wait: bool) -> bool:
        """Whether `painter` paints now (the paint counted) or waits for a later frame: one
        that may not wait always paints; one that may waits in a resting frame, while painters
        owed a paint come before it, and when none is left."""
        if not any(painter is a for a in self._asked):
            self._asked.append(painter)
        owed = any(painter is p for p in self._owed)
        first = not self._owed or self._owed[0] is painter
        if not may_wait or self.per_frame == math.inf:
            paints = True
        else:
            paints = not self.resting and first and self.left > 0
        if paints:
            self.take()
            if owed:
                self._owed = [p for p in self._owed if p is not painter]
        elif not owed:
            self._owed.append(painter)
        return paints


class HeldLayer:
    """One held layer: `draw(key, rect, window, paint)` paints only when `key` changed."""

    def __init__(self, depth: bool = False) -> None:
        self.depth = depth  # a depth buffer (the 3D view); 2D parts need none
        self._target: RenderTarget | None = None
        self.key: Hashable | None = None
        self.repaints = 0  # how many times `paint` ran (tests, benchmarks)
        self.waits = 0  # how many frames a changed part showed its old picture (FramePaints)
        self.bands_painted = 0  # how many bands were painted (tests, benchmarks)
        # painting in bands: the second target, the key it is painted for, the next band, and
        # how many times in a row the content changed before the last band
        self._next: RenderTarget | None = None
        self._pending: Hashable | None = None
        self._next_band = 0
        self._restarts = 0
        self._view: Hashable | None = None  # the `view` of the picture shown
        self.blank = True  # no picture painted yet (a waiting first one shows the background)

    def draw(
        self,
        key: Hashable,
        rect: tuple[int, int, int, int],
        window: tuple[int, int],
        paint: Callable[[], None],
        paints: FramePaints | None = None,
        may_wait: bool = False,
        bands: int | Sequence[tuple[int, int, int, int]] = 1,
        view: Hashable | None = None,
        parts: int = 1,
    ) -> None:
        """Copy the layer into the window's `rect` (GL's x, y, w, h; bottom-left origin), first
        calling `paint()` into the offscreen target when `key` differs from the last one.
        `paint` draws with the viewport and scissor on `rect`, as on the window. Leaves the
        window's framebuffer bound with the viewport and scissor on `rect`.

        `paints`: a heavy paint, counted in the frame's FramePaints; with `may_wait`, when it
        is not this layer's turn (FramePaints.turn) and the old picture fits the same
        rectangle, it is shown a frame more and the paint comes in a later frame. A layer with
        no picture yet (`blank`) waits likewise, showing the background.

        `bands` > 1: when `key` changed but the rectangle and `view` (what places the picture:
        the camera, the window, the panes) are those of the picture shown, paint the new one in
        that many bands (or in the given rectangles, which cover `rect`), a band a frame,
        showing the old one until it is complete (module docstring). `parts` > 1 instead: in
        that many parts over the whole rectangle, `paint` drawing its share `part()` (module
        docstring)."""
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
        count = bands if isinstance(bands, int) else len(bands)
        if parts > 1:
            count, bands = parts, [(x, y, w, h)] * parts
        if count <= 1 and self._next is not None:
            # not painting in bands any more (a smaller network, the split view): the second
            # texture, as large as the window, is given back
            self._next.delete()
            self._next = None
        key = (key, x, y, w, h)
        changed = not same_key(key, self.key)
        in_place = (
            changed
            and count > 1
            and self.key is not None
            and self.key[1:] == key[1:]
            and same_key(view, self._view)
        )
        banding = in_place and self._restarts < MAX_BAND_RESTARTS
        if banding:
            if paints is None or paints.turn(self, may_wait):
                self._paint_band(key, (x, y, w, h), size, paint, bands, parts > 1)
            else:  # another part's turn, or a resting frame: this band in a later one
                self.waits += 1
            changed = False
        else:
            self._pending = None
            if not changed:
                self._restarts = 0
        target = self._target
        waiting = False
        if changed and paints is not None:
            fits = self.key is not None and self.key[1:] == key[1:]
            waiting = not paints.turn(self, may_wait and (fits or self.blank))
        if waiting:
            self.waits += 1
            if self.blank:  # nothing to show yet: the background, the first picture next frame
                self._paint_into(target, (x, y, w, h), (x, y, w, h), lambda: None)
        elif changed:
            self._paint_into(target, (x, y, w, h), (x, y, w, h), paint)
            self.key = key
            self._view = view
            self._restarts = 0
            self.repaints += 1
            self.blank = False
        # the scissor applies to a blit too: on this rectangle, whatever the last part left
        GL.glViewport(x, y, w, h)
        GL.glScissor(x, y, w, h)
        GL.glEnable(GL.GL_SCISSOR_TEST)
        GL.glBindFramebuffer(GL.GL_READ_FRAMEBUFFER, target.fbo)
        GL.glBindFramebuffer(GL.GL_DRAW_FRAMEBUFFER, 0)
        GL.glBlitFramebuffer(
            x, y, x + w, y + h, x, y, x + w, y + h, GL.GL_COLOR_BUFFER_BIT, GL.GL_NEAREST
        )
        GL.glBindFramebuffer(GL.GL_FRAMEBUFFER, 0)

    @property
    def painting(self) -> bool:
        """A new picture is being painted in bands (the old one is shown until it is done)."""
        return self._pending is not None

    def holds(self, rect: tuple[int, int, int, int], view: Hashable) -> Hashable | None:
        """The key of the picture held when it fits `rect` and `view` and none is being
        painted (a caller may show it one frame more), else None."""
        rect = tuple(int(v) for v in rect)
        if self.key is None or self.painting or self.key[1:] != rect:
            return None
        return self.key[0] if same_key(view, self._view) else None

    def _paint_band(
        self,
        key: Hashable,
        rect: tuple[int, int, int, int],
        size: tuple[int, int],
        paint: Callable[[], None],
        bands: int | Sequence[tuple[int, int, int, int]],
        in_parts: bool = False,
    ) -> None:
        """Paint the next band (or part) of the picture for `key` into the second target; swap
        the two when it was the last."""
        if not same_key(key, self._pending):
            if self._pending is not None:
                self._restarts += 1
            self._pending = key
            self._next_band = 0
        if self._next is None:
            self._next = RenderTarget(size, depth=self.depth)
        elif self._next.size != size:
            self._next.resize(size)
        rects = band_rects(rect, bands)
        b = min(self._next_band, len(rects) - 1)
        if in_parts:
            self._paint_into(self._next, rect, rect, paint, part=(b, len(rects)))
        else:
            self._paint_into(self._next, rect, rects[b], paint, band=True)
        self.bands_painted += 1
        self._next_band = b + 1
        if self._next_band >= len(rects):
            self._target, self._next = self._next, self._target
            self.key = key
            self.blank = False
            self._pending = None
            self._restarts = 0
            self.repaints += 1

    def _paint_into(
        self,
        target: RenderTarget,
        viewport: tuple[int, int, int, int],
        clip: tuple[int, int, int, int],
        paint: Callable[[], None],
        band: bool = False,
        part: tuple[int, int] | None = None,
    ) -> None:
        """Clear `clip` of `target` to the background and `paint()` into it, with the viewport
        as on the window; `band`: `clip` is a band, which `scissor` keeps the painting to;
        `part` (k, n): the k-th share of the draws, over what the earlier parts drew (no clear
        after the first)."""
        global _band, _part
        GL.glBindFramebuffer(GL.GL_FRAMEBUFFER, target.fbo)
        GL.glViewport(*viewport)
        GL.glScissor(*clip)
        GL.glEnable(GL.GL_SCISSOR_TEST)
        if part is None or part[0] == 0:
            c = palette.BACKGROUND
            GL.glClearColor(float(c[0]), float(c[1]), float(c[2]), 1.0)
            GL.glClear(GL.GL_COLOR_BUFFER_BIT | (GL.GL_DEPTH_BUFFER_BIT if self.depth else 0))
        _band = clip if band else None
        _part = part
        try:
            paint()
        finally:
            _band = _part = None
            GL.glBindFramebuffer(GL.GL_FRAMEBUFFER, 0)

    def delete(self) -> None:
        for target in (self._target, self._next):
            if target is not None:
                target.delete()
        self._target = self._next = None
        self.key = self._pending = None
        self.blank = True
