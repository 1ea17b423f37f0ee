"""Crisp anti-aliased line segments: creases, the decision boundary, any exact segment set.

A `LineBatch` holds one set of segments on the GPU: (S, 4) world endpoints (x0, y0, x1, y1),
per-segment straight RGBA and width in pixels. `LinePass` draws a batch as instanced quads
(shaders/lines.vert + lines.frag): each quad is expanded in pixel space, so widths stay constant
at any zoom, and coverage comes from the exact distance to the segment with a one-pixel edge ramp
and round caps, so joints between consecutive pieces of a crease have no gaps. Blending is
premultiplied alpha (GL_ONE, GL_ONE_MINUS_SRC_ALPHA).

Dense creases (over DENSE_SEGMENTS: 8 x 64's 110,000, whose median segment is a third of a
pixel long) are drawn snapped: `snap_segments` moves each end to the nearest point of a grid
of at most SNAP_PX pixels and leaves out the segments that become a point (36-50% of them),
and a software rasteriser draws the rest in proportionally less time. A batch set `by_height`
(the plane's dense creases, whose draw order is not seen) is ordered by height
(sandbox.render.band_order), so a horizontal band of a held picture draws only the segments that
reach it (`LinePass.draw(..., y_range)`).
"""

from __future__ import annotations

import math

import numpy as np

from .band_order import HeightOrder, order_by_height
from .camera import View2D
from .field import set_view_uniforms
from .gl import GL, InstanceBatch
from .shaders import load_program

_FLOATS = 9  # x0 y0 x1 y1, r g b a, width
DENSE_SEGMENTS = 20_000  # more segments than this are drawn snapped (snap_segments)
SNAP_PX = 0.5  # the snapping grid, in pixels at most


def snap_cell(world_per_pixel: float) -> float:
    """snap_segments' grid for a view of `world_per_pixel`: at most SNAP_PX pixels, a power of
    two (so the snapped segments change only when the zoom doubles or halves)."""
    return 2.0 ** math.floor(math.log2(SNAP_PX * float(world_per_pixel)))


def snap_segments(segments: np.ndarray, cell: float) -> tuple[np.ndarray, np.ndarray]:
    """Dense segments as drawn: each end's (x, y) moved to the nearest point of a grid of `cell`
    world units (a z stays), and those that become a point left out. Each end moves at most
    cell / sqrt(2), and segments that met still meet (a shared end moves to the same point).
    `segments` (S, 4) or (S, 2, 3); returns (the indices kept, their snapped segments)."""
    seg = np.asarray(segments, dtype=np.float64)
    ends = seg.reshape(len(seg), 2, -1)
    xy = np.rint(ends[:, :, :2] / cell) * cell
    # (coordinate by coordinate, and `take`: 4 ms for 120,000 segments against 8 with
    # any(axis=1) and fancy indexing)
    keep = np.flatnonzero((xy[:, 0, 0] != xy[:, 1, 0]) | (xy[:, 0, 1] != xy[:, 1, 1]))
    out = ends.take(keep, axis=0)
    out[:, :, :2] = xy.take(keep, axis=0)
    return keep, out.reshape((len(keep), *seg.shape[1:]))


def rgba_rows(colors, n: int, name: str = "colors") -> np.ndarray:
    """One RGB(A) colour or one per item -> (n, 4) float32 (alpha 1 where not given)."""
    a = np.asarray(colors, dtype=np.float32)
    if a.ndim == 1 and a.shape[0] in (3, 4):
        a = a[None, :]
    if a.ndim != 2 or a.shape[1] not in (3, 4) or a.shape[0] not in (1, n):
        raise ValueError(f"{name} must be one RGB(A) colour or one per item ({n}), got {a.shape}")
    out = np.ones((n, 4), dtype=np.float32)
    out[:, : a.shape[1]] = a
    return out


def scalar_rows(values, n: int, name: str) -> np.ndarray:
    """One value or one per item -> (n,) float32."""
    a = np.asarray(values, dtype=np.float32)
    if a.ndim == 0:
        return np.full(n, a, dtype=np.float32)
    if a.shape != (n,):
        raise ValueError(f"{name} must be one value or one per item ({n}), got shape {a.shape}")
    return a


class LineBatch(InstanceBatch):
    """One set of segments on the GPU (creases, boundary, ...)."""

    def __init__(self) -> None:
        super().__init__(_FLOATS, ((0, 4, 0), (1, 4, 16), (2, 1, 32)))
        self.widths = np.zeros(0, dtype=np.float32)  # pixel widths of the last upload
        self.height_order: HeightOrder | None = None  # the rows bottom to top (dense batches)

    def set(
        self,
        segments: np.ndarray,
        colors: np.ndarray,
        widths: np.ndarray | float = 2.0,
        origin: tuple[float, float] | None = None,
        by_height: bool = False,
    ) -> None:
        """Upload (S, 4) world segments with (S, 4)|(4,) RGBA in [0, 1] and (S,)|scalar widths.

        `origin` is subtracted in float64 (default: centre of the segments' bounding box).
        `by_height`: store them bottom to top (see the module docstring), for segments whose
        order does not show.
        """
        seg = np.asarray(segments, dtype=np.float64)
        self.height_order = None
        if seg.size == 0:
            self.count = 0
            return
        if seg.ndim != 2 or seg.shape[1] != 4:
            raise ValueError(f"segments must have shape (S, 4), got {seg.shape}")
        if not np.isfinite(seg).all():
            raise ValueError("segments must be finite")
        n = len(seg)
        if origin is None:
            xs, ys = seg[:, 0::2], seg[:, 1::2]
            origin = (0.5 * (xs.min() + xs.max()), 0.5 * (ys.min() + ys.max()))
        self.origin = (float(origin[0]), float(origin[1]))
        data = np.empty((n, _FLOATS), dtype=np.float32)
        data[:, 0] = seg[:, 0] - self.origin[0]
        data[:, 1] = seg[:, 1] - self.origin[1]
        data[:, 2] = seg[:, 2] - self.origin[0]
        data[:, 3] = seg[:, 3] - self.origin[1]
        data[:, 4:8] = rgba_rows(colors, n)
        w = scalar_rows(widths, n, "widths")
        if (w < 0).any():
            raise ValueError("line widths must be >= 0 pixels")
        data[:, 8] = w
        self.widths = w
        if by_height:
            low = np.minimum(seg[:, 1], seg[:, 3])
            order, self.height_order = order_by_height(low, np.maximum(seg[:, 1], seg[:, 3]))
            data = data[order]
            self.widths = w[order]
        self._upload(data)


class LinePass:
    """Draws LineBatches; one program shared by every batch."""

    def __init__(self) -> None:
        self.program = load_program("lines.vert", "lines.frag")

    def draw(
        self, view: View2D, batch: LineBatch, y_range: tuple[float, float] | None = None
    ) -> None:
        """Draw the batch; `y_range` (world): the band being painted, of which only the
        segments that may reach it are drawn where the batch is ordered by height (their
        widths, caps and edge ramps counted)."""
        if not batch.count:
            return
        p = self.program
        p.use()
        set_view_uniforms(p, view, batch.origin)
        GL.glEnable(GL.GL_BLEND)
        GL.glBlendFunc(GL.GL_ONE, GL.GL_ONE_MINUS_SRC_ALPHA)
        if y_range is None or batch.height_order is None:
            batch.draw_strips()
        else:
            reach = (0.5 * float(batch.widths.max()) + 2.0) / view.pixels_per_unit
            for first, count in batch.height_order.runs(y_range[0] - reach, y_range[1] + reach):
                batch.draw_strips(first, count)

    def delete(self) -> None:
        self.program.delete()
