"""Data points: smooth class-coloured discs with a dark outline; test points drawn hollow.

A `PointBatch` holds (N, 2) world positions, class ids (0..5), a hollow flag (True for the test
split) and radii in pixels. `PointPass` draws a batch as instanced screen-aligned quads
(shaders/points.vert + points.frag) whose coverage is computed from the exact pixel distance to
the centre, so discs are round and smooth at any size and zoom. A hollow point is the outline around
a thick class-coloured ring filled with translucent white: an open circle that stays readable on
any field colour (a fully transparent hole vanishes when the field has the point's colour).
Premultiplied alpha blending.
"""

from __future__ import annotations

import numpy as np

from . import palette
from .camera import View2D
from .field import set_view_uniforms
from .gl import GL, InstanceBatch
from .lines import scalar_rows
from .mesh_pack import upload_origin
from .shaders import load_program

_FLOATS = 5  # x y, radius, hollow, class

DEFAULT_RADIUS = 6.0
DEFAULT_OUTLINE_WIDTH = 1.5
DEFAULT_RING_FRACTION = 0.25
HOLLOW_FILL = np.array([1.0, 1.0, 1.0, 0.85], dtype=np.float32)


class PointBatch(InstanceBatch):
    """One set of points on the GPU."""

    def __init__(self) -> None:
        super().__init__(_FLOATS, ((0, 2, 0), (1, 3, 8)))

    def set(
        self,
        positions: np.ndarray,
        classes: np.ndarray | int,
        hollow: np.ndarray | bool = False,
        radius: np.ndarray | float = DEFAULT_RADIUS,
        origin: tuple[float, float] | None = None,
    ) -> None:
        """Upload points: (N, 2) world positions, class ids, hollow flags, radii in pixels."""
        pos = np.asarray(positions, dtype=np.float64)
        if pos.size == 0:
            self.count = 0
            return
        if pos.ndim != 2 or pos.shape[1] != 2:
            raise ValueError(f"point positions must have shape (N, 2), got {pos.shape}")
        if not np.isfinite(pos).all():
            raise ValueError("point positions must be finite")
        n = len(pos)
        cls = scalar_rows(classes, n, "point classes")
        if ((cls < 0) | (cls >= palette.MAX_CLASSES)).any():
            raise ValueError(
                f"point classes must lie in 0..{palette.MAX_CLASSES - 1}, "
                f"got {cls.min():g}..{cls.max():g}"
            )
        rad = scalar_rows(radius, n, "point radii")
        if (rad <= 0).any():
            raise ValueError("point radii must be > 0 pixels")
        if origin is None:
            origin = upload_origin(pos)
        self.origin = (float(origin[0]), float(origin[1]))
        data = np.empty((n, _FLOATS), dtype=np.float32)
        data[:, 0] = pos[:, 0] - self.origin[0]
        data[:, 1] = pos[:, 1] - self.origin[1]
        data[:, 2] = rad
        data[:, 3] = scalar_rows(np.asarray(hollow, dtype=np.float32), n, "hollow flags") > 0
        data[:, 4] = cls
        self._upload(data)


class PointPass:
    """Draws PointBatches."""

    def __init__(self) -> None:
        self.program = load_program("points.vert", "points.frag")
        self.outline = palette.POINT_OUTLINE.copy()
        self.outline_width = DEFAULT_OUTLINE_WIDTH
        self.ring_fraction = DEFAULT_RING_FRACTION
        self.hollow_fill = HOLLOW_FILL.copy()
        # (MAX_CLASSES, 3) fill colour per class id; callers may swap it (a grey ramp for
        # picture targets, whose "classes" are grey levels)
        self.class_colors = palette.CLASS_COLORS.copy()

    def draw(self, view: View2D, batch: PointBatch) -> None:
        if not batch.count:
            return
        p = self.program
        p.use()
        set_view_uniforms(p, view, batch.origin)
        p.set_vec3_array("u_class_colors", self.class_colors)
        p.set_vec4("u_outline", self.outline)
        p.set_float("u_outline_width", self.outline_width)
        p.set_float("u_ring_fraction", self.ring_fraction)
        p.set_vec4("u_hollow_fill", self.hollow_fill)
        GL.glEnable(GL.GL_BLEND)
        GL.glBlendFunc(GL.GL_ONE, GL.GL_ONE_MINUS_SRC_ALPHA)
        batch.draw_strips()

    def delete(self) -> None:
        self.program.delete()
