"""The plot canvas: pixel-space primitives drawn with OpenGL in two instanced calls.

`Canvas` collects anti-aliased polylines (with optional dashes), filled rectangles, discs, text
and images during a frame and draws them with shaders/plot_lines.* and plot_quads.*. Text is
rendered once per (string, size) with pygame's font into an atlas texture (`TextAtlas`) and
drawn as exact texel copies, so labels stay crisp; sizes are in pixels, so pass larger ones on a
projector. The probe plots (sandbox.render.plots) and the network diagram
(sandbox.render.inspector) draw on it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .gl import GL, DynamicBuffer, attrib_pointer
from .shaders import load_program

Rect = tuple[float, float, float, float]  # x, y, w, h in pixels, origin top-left

INK = np.array([0.13, 0.13, 0.15, 1.0], dtype=np.float32)
INK_DIM = np.array([0.38, 0.38, 0.42, 1.0], dtype=np.float32)
GRID = np.array([0.86, 0.85, 0.82, 1.0], dtype=np.float32)
PANEL = np.array([0.985, 0.98, 0.965, 1.0], dtype=np.float32)
DEFAULT_FONT_PX = 15
_LINE_FLOATS = 12
_QUAD_FLOATS = 13


# ---------------------------------------------------------------------- text atlas
def _font_path() -> str | None:
    """Noto Sans shipped with pygame-gui (the UI's font), or None for pygame's default."""
    try:
        import pygame_gui
    except ImportError:  # pragma: no cover - a project dependency
        return None
    path = Path(pygame_gui.__file__).parent / "data" / "NotoSans-Regular.ttf"
    return str(path) if path.exists() else None


class TextAtlas:
    """Rendered labels packed in one alpha texture (shelf packing, cleared when full)."""

    def __init__(self, size: int = 1024) -> None:
        import pygame

        if not pygame.font.get_init():
            pygame.font.init()
        self._pygame = pygame
        self.size = int(size)
        self.texture = int(GL.glGenTextures(1))
        GL.glBindTexture(GL.GL_TEXTURE_2D, self.texture)
        for p in (GL.GL_TEXTURE_MIN_FILTER, GL.GL_TEXTURE_MAG_FILTER):
            GL.glTexParameteri(GL.GL_TEXTURE_2D, p, GL.GL_NEAREST)
        GL.glTexImage2D(
            GL.GL_TEXTURE_2D, 0, GL.GL_RGBA8, self.size, self.size, 0, GL.GL_RGBA,
            GL.GL_UNSIGNED_BYTE, None,
        )  # fmt: skip
        self._fonts: dict[int, object] = {}
        self._entries: dict[tuple[str, int], tuple[int, int, int, int]] = {}
        self._x = self._y = self._row = 0
        self.generation = 0

    def font(self, px: int):
        font = self._fonts.get(px)
        if font is None:
            path = _font_path()
            font = self._pygame.font.Font(path, px)
            self._fonts[px] = font
        return font

    def measure(self, text: str, px: int) -> tuple[int, int]:
        return tuple(self.font(px).size(text))  # type: ignore[return-value]

    def entry(self, text: str, px: int) -> tuple[int, int, int, int]:
        """(x, y, w, h) texels of the label in the atlas, rendering it on first use."""
        key = (text, int(px))
        hit = self._entries.get(key)
        if hit is not None:
            return hit
        surf = self.font(int(px)).render(text, True, (255, 255, 255))
        w, h = surf.get_size()
        w, h = max(w, 1), max(h, 1)
        if w > self.size or h > self.size:
            raise ValueError(f"label {text[:20]!r} at {px} px does not fit the text atlas")
        if self._x + w > self.size:
            self._x, self._y, self._row = 0, self._y + self._row + 1, 0
        if self._y + h > self.size:
            # Full: start over; labels of the current frame are re-rendered on demand.
            self._entries.clear()
            self._x = self._y = self._row = 0
            self.generation += 1
        x, y = self._x, self._y
        rgba = self._pygame.image.tobytes(surf, "RGBA")
        GL.glBindTexture(GL.GL_TEXTURE_2D, self.texture)
        GL.glPixelStorei(GL.GL_UNPACK_ALIGNMENT, 1)
        GL.glTexSubImage2D(
            GL.GL_TEXTURE_2D, 0, x, y, surf.get_width(), surf.get_height(), GL.GL_RGBA,
            GL.GL_UNSIGNED_BYTE, rgba,
        )  # fmt: skip
        self._x += w + 1
        self._row = max(self._row, h)
        self._entries[key] = (x, y, w, h)
        return (x, y, w, h)

    def delete(self) -> None:
        if self.texture:
            GL.glDeleteTextures(1, [self.texture])
            self.texture = 0


# ---------------------------------------------------------------------- the canvas
class Canvas:
    """Pixel-space 2D drawing over the current viewport (see the module docstring).

    Coordinates are pixels of the viewport passed to `begin`, origin top-left, y down. Colours
    are straight RGBA floats in [0, 1]. Everything collected is drawn by `draw`, group by group
    (`next_group` starts a new one, drawn over the previous ones); within a group fills and
    images first, then lines, then text (so labels sit on top).
    """

    def __init__(self) -> None:
        self.line_program = load_program("plot_lines.vert", "plot_lines.frag")
        self.quad_program = load_program("plot_quads.vert", "plot_quads.frag")
        self.quad_program.use()
        self.quad_program.set_int("u_text", 0)
        self.quad_program.set_int("u_images", 1)
        self.atlas = TextAtlas()
        self.images = int(GL.glGenTextures(1))
        self.image_size = (1, 1)
        self._vaos: dict[str, tuple[int, DynamicBuffer]] = {}
        for name, layout in (
            ("lines", [(0, 4), (1, 4), (2, 4)]),
            ("quads", [(0, 4), (1, 4), (2, 4), (3, 1)]),
            ("text", [(0, 4), (1, 4), (2, 4), (3, 1)]),
        ):
            vao = int(GL.glGenVertexArrays(1))
            buf = DynamicBuffer(GL.GL_ARRAY_BUFFER)
            GL.glBindVertexArray(vao)
            GL.glBindBuffer(GL.GL_ARRAY_BUFFER, buf.id)
            stride = 4 * sum(s for _, s in layout)
            off = 0
            for loc, size in layout:
                attrib_pointer(loc, size, stride, 4 * off)
                GL.glVertexAttribDivisor(loc, 1)
                off += size
            self._vaos[name] = (vao, buf)
        GL.glBindVertexArray(0)
        GL.glBindBuffer(GL.GL_ARRAY_BUFFER, 0)
        self.size = (1, 1)
        self._lines: list[np.ndarray] = []
        self._quads: list[np.ndarray] = []
        self._text: list[tuple[str, int, int, int, np.ndarray]] = []
        self._groups: list[tuple[list, list, list]] = []

    # ------------------------------------------------------------------ collecting
    def begin(self, size: tuple[int, int]) -> None:
        """Start a frame for a viewport of `size` (w, h) pixels."""
        self.size = (max(1, int(size[0])), max(1, int(size[1])))
        self._lines, self._quads, self._text = [], [], []
        self._groups = []

    def next_group(self) -> None:
        """Whatever is collected from now on is drawn over everything collected before."""
        if self._lines or self._quads or self._text:
            self._groups.append((self._lines, self._quads, self._text))
            self._lines, self._quads, self._text = [], [], []

    def polyline(
        self,
        points: np.ndarray,
        color,
        width: float = 2.0,
        dash: tuple[float, float] | None = None,
    ) -> None:
        """Connected segments through (N, 2) pixel points; NaN points break the line."""
        p = np.asarray(points, dtype=np.float64).reshape(-1, 2)
        if len(p) < 2:
            return
        seg = np.concatenate([p[:-1], p[1:]], axis=1)
        ok = np.isfinite(seg).all(axis=1)
        lengths = np.hypot(seg[:, 2] - seg[:, 0], seg[:, 3] - seg[:, 1])
        phase = np.concatenate([[0.0], np.cumsum(np.where(ok, lengths, 0.0))[:-1]])
        self._add_segments(seg[ok], color, width, dash, phase[ok])

    def segments(self, segments: np.ndarray, colors, widths=1.0, dash=None) -> None:
        """Separate segments (S, 4) x0 y0 x1 y1 in pixels, one colour (or one per segment)."""
        seg = np.asarray(segments, dtype=np.float64).reshape(-1, 4)
        ok = np.isfinite(seg).all(axis=1)
        c = np.asarray(colors, dtype=np.float32)
        w = np.asarray(widths, dtype=np.float32)
        if c.ndim == 2:
            c = c[ok]
        if w.ndim == 1:
            w = w[ok]
        self._add_segments(seg[ok], c, w, dash, np.zeros(int(ok.sum())))

    def _add_segments(self, seg, color, width, dash, phase) -> None:
        n = len(seg)
        if n == 0:
            return
        data = np.zeros((n, _LINE_FLOATS), dtype=np.float32)
        data[:, 0:4] = seg
        c = np.asarray(color, dtype=np.float32)
        c = np.broadcast_to(c if c.ndim == 2 else c[None], (n, c.shape[-1]))
        data[:, 4 : 4 + c.shape[1]] = c
        if c.shape[1] == 3:
            data[:, 7] = 1.0
        data[:, 8] = np.broadcast_to(np.asarray(width, dtype=np.float32), (n,))
        if dash is not None:
            data[:, 9], data[:, 10] = float(dash[0]), float(dash[1])
        data[:, 11] = phase
        self._lines.append(data)

    def disc(self, centers: np.ndarray, radius, color) -> None:
        """Filled anti-aliased discs: a zero-length segment with round caps."""
        c = np.asarray(centers, dtype=np.float64).reshape(-1, 2)
        self._add_segments(
            np.concatenate([c, c], axis=1),
            color,
            2.0 * np.asarray(radius, dtype=np.float32),
            None,
            np.zeros(len(c)),
        )

    def rect(self, rect: Rect, color) -> None:
        x, y, w, h = (float(v) for v in rect)
        q = np.zeros((1, _QUAD_FLOATS), dtype=np.float32)
        q[0, 0:4] = (x, y, x + w, y + h)
        c = np.asarray(color, dtype=np.float32).reshape(-1)
        q[0, 8 : 8 + len(c)] = c
        if len(c) == 3:
            q[0, 11] = 1.0
        self._quads.append(q)

    def frame(self, rect: Rect, color, width: float = 1.0) -> None:
        """A rectangle outline."""
        self.frames(np.asarray([rect], dtype=np.float64), color, width)

    def frames(self, rects: np.ndarray, color, width: float = 1.0) -> None:
        """Rectangle outlines, (N, 4) x y w h: each as `polyline` draws its closed corners."""
        r = np.asarray(rects, dtype=np.float64).reshape(-1, 4)
        x, y, w, h = r.T
        corners = np.stack([np.stack([x, y], 1), np.stack([x + w, y], 1),
                            np.stack([x + w, y + h], 1), np.stack([x, y + h], 1)], 1)  # fmt: skip
        seg = np.concatenate([corners, np.roll(corners, -1, axis=1)], axis=2).reshape(-1, 4)
        ok = np.isfinite(seg).reshape(-1, 4, 4).all(axis=(1, 2))
        lengths = np.hypot(seg[:, 2] - seg[:, 0], seg[:, 3] - seg[:, 1]).reshape(-1, 4)
        phase = np.concatenate([np.zeros((len(r), 1)), np.cumsum(lengths, axis=1)[:, :-1]], 1)
        self._add_segments(seg.reshape(-1, 4, 4)[ok].reshape(-1, 4), color, width, None,
                           phase[ok].reshape(-1))  # fmt: skip

    def text(
        self,
        text: str,
        pos: tuple[float, float],
        size: int = DEFAULT_FONT_PX,
        color=INK,
        anchor: str = "tl",
    ) -> Rect:
        """Draw `text` with its `anchor` ("t"/"m"/"b" then "l"/"c"/"r") at pixel `pos`; returns
        the label's pixel rectangle. Positions are rounded so glyphs map to whole pixels."""
        if not text:
            return (float(pos[0]), float(pos[1]), 0.0, 0.0)
        aw, ah = self.atlas.measure(str(text), int(size))
        x, y = float(pos[0]), float(pos[1])
        v, h = (anchor + "l")[:2] if len(anchor) == 1 else anchor[:2]
        if v == "m":
            y -= ah / 2
        elif v == "b":
            y -= ah
        if h == "c":
            x -= aw / 2
        elif h == "r":
            x -= aw
        x, y = round(x), round(y)
        c = np.ones(4, dtype=np.float32)
        col = np.asarray(color, dtype=np.float32).reshape(-1)
        c[: len(col)] = col
        self._text.append((str(text), int(size), x, y, c))
        return (float(x), float(y), float(aw), float(ah))

    def _text_quads(self, labels: list) -> np.ndarray:
        """Resolve this frame's labels to atlas quads (re-resolving if the atlas was cleared)."""
        for _ in range(2):
            gen = self.atlas.generation
            q = np.zeros((len(labels), _QUAD_FLOATS), dtype=np.float32)
            s = float(self.atlas.size)
            for i, (text, size, x, y, c) in enumerate(labels):
                ax, ay, aw, ah = self.atlas.entry(text, size)
                q[i, 0:4] = (x, y, x + aw, y + ah)
                q[i, 4:8] = (ax / s, ay / s, (ax + aw) / s, (ay + ah) / s)
                q[i, 8:12] = c
                q[i, 12] = 1.0
            if gen == self.atlas.generation:
                return q
        raise ValueError(f"{len(labels)} labels in one frame do not fit the text atlas")

    def text_size(self, text: str, size: int = DEFAULT_FONT_PX) -> tuple[int, int]:
        return self.atlas.measure(str(text), int(size))

    # ------------------------------------------------------------------ images
    def set_images(self, images: np.ndarray) -> None:
        """Upload an (H, W, 4) uint8 image atlas (straight alpha) for `image` quads."""
        img = np.ascontiguousarray(images, dtype=np.uint8)
        if img.ndim != 3 or img.shape[2] != 4:
            raise ValueError(f"images must be (H, W, 4) uint8, got {img.shape}")
        a = img[:, :, 3:4].astype(np.float32) / 255.0
        pre = img.copy()
        pre[:, :, :3] = np.rint(img[:, :, :3] * a).astype(np.uint8)
        GL.glBindTexture(GL.GL_TEXTURE_2D, self.images)
        for p in (GL.GL_TEXTURE_MIN_FILTER, GL.GL_TEXTURE_MAG_FILTER):
            GL.glTexParameteri(GL.GL_TEXTURE_2D, p, GL.GL_NEAREST)
        for p in (GL.GL_TEXTURE_WRAP_S, GL.GL_TEXTURE_WRAP_T):
            GL.glTexParameteri(GL.GL_TEXTURE_2D, p, GL.GL_CLAMP_TO_EDGE)
        GL.glPixelStorei(GL.GL_UNPACK_ALIGNMENT, 1)
        h, w = img.shape[:2]
        if (w, h) != self.image_size:
            GL.glTexImage2D(
                GL.GL_TEXTURE_2D, 0, GL.GL_RGBA8, w, h, 0, GL.GL_RGBA, GL.GL_UNSIGNED_BYTE, pre
            )
            self.image_size = (w, h)
        else:
            GL.glTexSubImage2D(
                GL.GL_TEXTURE_2D, 0, 0, 0, w, h, GL.GL_RGBA, GL.GL_UNSIGNED_BYTE, pre
            )

    def image(self, rect: Rect, source: Rect, alpha: float = 1.0) -> None:
        """Draw the `source` texel rectangle (x, y, w, h, rows top-down) of the image atlas."""
        self.image_rows(np.asarray([rect], np.float64), np.asarray([source], np.float64), alpha)

    def image_rows(self, rects: np.ndarray, sources: np.ndarray, alpha: float = 1.0) -> None:
        """`image` for (N, 4) rectangles and their (N, 4) source rectangles."""
        x, y, w, h = np.asarray(rects, dtype=np.float64).reshape(-1, 4).T
        sx, sy, sw, sh = np.asarray(sources, dtype=np.float64).reshape(-1, 4).T
        iw, ih = self.image_size
        q = np.zeros((len(x), _QUAD_FLOATS), dtype=np.float32)
        q[:, 0:4] = np.stack([x, y, x + w, y + h], 1)
        q[:, 4:8] = np.stack([sx / iw, sy / ih, (sx + sw) / iw, (sy + sh) / ih], 1)
        q[:, 11] = alpha
        q[:, 12] = 2.0
        self._quads.append(q)

    # ------------------------------------------------------------------ drawing
    def _draw_instances(self, name: str, rows: list[np.ndarray]) -> None:
        if not rows:
            return
        data = np.concatenate(rows)
        vao, buf = self._vaos[name]
        buf.update(data)
        GL.glBindVertexArray(vao)
        GL.glDrawArraysInstanced(GL.GL_TRIANGLE_STRIP, 0, 4, len(data))
        GL.glBindVertexArray(0)

    def draw(self) -> None:
        """Draw everything collected since `begin` into the current viewport and forget it."""
        self.next_group()
        groups, self._groups = self._groups, []
        GL.glDisable(GL.GL_DEPTH_TEST)
        GL.glEnable(GL.GL_BLEND)
        GL.glBlendFunc(GL.GL_ONE, GL.GL_ONE_MINUS_SRC_ALPHA)
        qp, lp = self.quad_program, self.line_program
        for lines, quads, labels in groups:
            if quads or labels:
                qp.use()
                qp.set_vec2("u_viewport", self.size)
                GL.glActiveTexture(GL.GL_TEXTURE1)
                GL.glBindTexture(GL.GL_TEXTURE_2D, self.images)
                GL.glActiveTexture(GL.GL_TEXTURE0)
                GL.glBindTexture(GL.GL_TEXTURE_2D, self.atlas.texture)
                self._draw_instances("quads", quads)
            if lines:
                lp.use()
                lp.set_vec2("u_viewport", self.size)
                self._draw_instances("lines", lines)
            if labels:
                text = self._text_quads(labels)
                qp.use()
                GL.glBindTexture(GL.GL_TEXTURE_2D, self.atlas.texture)
                self._draw_instances("text", [text])

    def delete(self) -> None:
        for vao, buf in self._vaos.values():
            buf.delete()
            GL.glDeleteVertexArrays(1, [vao])
        self._vaos = {}
        self.atlas.delete()
        if self.images:
            GL.glDeleteTextures(1, [self.images])
            self.images = 0
        self.line_program.delete()
        self.quad_program.delete()
