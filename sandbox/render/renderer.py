"""The 2D renderer: every pass, the GPU data they draw, and per-pass timings, behind one object.

Typical frame (the app owns the loop and decides when data changed):

    r = Renderer(window_size)
    r.mesh.set_mesh(vertices, triangles, region, logits)   # when the geometry changed
    r.mesh.set_region_colors(colors); r.mesh.set_laplace(mean_coef, var_coef)
    r.creases.set(segments, colors, widths); r.boundary.set(...); r.points.set(...)
    r.overlay.upload(ui_surface)                           # when the UI changed
    r.begin_frame()
    r.draw_scene(view, FieldStyle(regions=True))
    r.draw_overlay()
    pygame.display.flip()

Set `profile = True` to fill `timings` (milliseconds per pass, last frame) by finishing the GL
pipeline around each pass; off by default because glFinish stalls the frame.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np

from . import palette
from .camera import View2D
from .field import FieldPass, FieldStyle
from .gl import GL
from .held_layer import FramePaints
from .lines import LineBatch, LinePass
from .mesh import GLMesh
from .mlp_field import MLPFieldPass
from .overlay import OverlayPass
from .points import PointBatch, PointPass
from .target import read_pixels

# frames handed to the driver and not yet finished, at most (Renderer.flush)
FRAMES_IN_FLIGHT = 2
# a frame's fence is waited for at most this long (a driver that never signals it: go on)
FENCE_WAIT_NS = 1_000_000_000


class Renderer:
    """Owns the 2D passes (field, lines, points, overlay, per-pixel network) and their data."""

    def __init__(self, size: tuple[int, int]) -> None:
        self.size = (int(size[0]), int(size[1]))
        self.mesh = GLMesh()
        self.creases = LineBatch()
        self.boundary = LineBatch()
        self.points = PointBatch()
        self.field_pass = FieldPass()
        self.line_pass = LinePass()
        self.point_pass = PointPass()
        self.overlay = OverlayPass()
        self._mlp: MLPFieldPass | None = None
        self.profile = False
        self.timings: dict[str, float] = {}
        # the heavy paints of held layers left this frame (sandbox.render.held_layer)
        self.paints = FramePaints()
        self.in_flight: deque = deque()  # fences of the frames handed to the driver (flush)

    @property
    def mlp_field(self) -> MLPFieldPass:
        """The per-pixel network pass, compiled on first use."""
        if self._mlp is None:
            self._mlp = MLPFieldPass()
        return self._mlp

    def data_versions(self) -> tuple:
        """The versions of the GPU data the passes draw from (mesh, creases, boundary, the
        per-pixel network once made): any upload changes them (held pictures compare these)."""
        parts = (self.mesh, self.creases, self.boundary, self._mlp)
        return tuple((id(p), p.version) for p in parts if p is not None)

    def resize(self, size: tuple[int, int]) -> None:
        self.size = (int(size[0]), int(size[1]))

    @contextmanager
    def timed(self, name: str) -> Iterator[None]:
        """Accumulate the wall time of the enclosed GL work into timings[name] when profiling."""
        if not self.profile:
            yield
            return
        GL.glFinish()
        t0 = time.perf_counter()
        try:
            yield
        finally:
            GL.glFinish()
            ms = 1000.0 * (time.perf_counter() - t0)
            self.timings[name] = self.timings.get(name, 0.0) + ms

    def finish(self) -> None:
        """Wait until the GL work so far is done (benchmarks time each phase with it)."""
        GL.glFinish()

    def flush(self) -> None:
        """Hand the frame's GL commands to the driver; the app calls it before each flip.

        Swapping an offscreen (pbuffer) surface, as SDL's offscreen driver makes for the tests,
        the monkey and the benchmarks, flushes nothing. Mesa's llvmpipe then kept the storage of
        every buffer orphaned and texture re-allocated since (the UI overlay at each resize),
        for good: the menu grew 340 KB a frame, 5.5 MB a resize, 2.2 GB in the 100k-event soak.
        Where a swap flushes anyway (a real window) this costs nothing.

        It also keeps at most FRAMES_IN_FLIGHT frames queued, as a window's swap chain does:
        it waits for the frame that many before this one to be finished. A pbuffer's swap waits
        for nothing, so on llvmpipe the frames ran ahead of the rasteriser until something
        waited for all of them at once: a write into a texture an earlier frame drew (the UI
        overlay's, 10-15 ms each time a label changed, before it wrote new ones), or else a
        250-360 ms clear now and then.
        """
        GL.glFlush()
        self.in_flight.append(GL.glFenceSync(GL.GL_SYNC_GPU_COMMANDS_COMPLETE, 0))
        while len(self.in_flight) > FRAMES_IN_FLIGHT:
            fence = self.in_flight.popleft()
            GL.glClientWaitSync(fence, GL.GL_SYNC_FLUSH_COMMANDS_BIT, FENCE_WAIT_NS)
            GL.glDeleteSync(fence)

    # ------------------------------------------------------------------ frame
    def begin_frame(self, clear_color: np.ndarray | None = None) -> None:
        """Bind the window, clear its colour, reset the per-pass timings.

        The window's depth is not cleared here: the one pass that tests depth on it (the 3D
        view, Surface3DPass) clears it in its own viewport first, and clearing the whole
        window's cost llvmpipe 0.4 ms a frame (4% of the default scene's rasterising)."""
        self.timings = {}
        self.paints.new_frame()
        c = palette.BACKGROUND if clear_color is None else np.asarray(clear_color)
        GL.glBindFramebuffer(GL.GL_FRAMEBUFFER, 0)
        GL.glViewport(0, 0, self.size[0], self.size[1])
        GL.glDisable(GL.GL_SCISSOR_TEST)
        GL.glClearColor(float(c[0]), float(c[1]), float(c[2]), 1.0)
        with self.timed("clear"):
            GL.glClear(GL.GL_COLOR_BUFFER_BIT)

    def draw_field(
        self,
        view: View2D,
        style: FieldStyle | None = None,
        y_range: tuple[float, float] | None = None,
    ) -> None:
        with self.timed("field"):
            self.field_pass.draw(view, self.mesh, style, y_range)

    def draw_network_field(self, view: View2D, style: FieldStyle | None = None) -> None:
        """The per-pixel fallback; call mlp_field.set_network(layers) first."""
        with self.timed("network field"):
            self.mlp_field.draw(view, style)

    def draw_creases(self, view: View2D, y_range: tuple[float, float] | None = None) -> None:
        with self.timed("creases"):
            self.line_pass.draw(view, self.creases, y_range)

    def draw_boundary(self, view: View2D) -> None:
        with self.timed("boundary"):
            self.line_pass.draw(view, self.boundary)

    def draw_points(self, view: View2D) -> None:
        with self.timed("points"):
            self.point_pass.draw(view, self.points)

    def draw_overlay(self) -> None:
        with self.timed("overlay"):
            self.overlay.draw()

    def draw_scene(
        self,
        view: View2D,
        style: FieldStyle | None = None,
        *,
        field: bool = True,
        creases: bool = True,
        boundary: bool = True,
        points: bool = True,
        per_pixel: bool = False,
        y_range: tuple[float, float] | None = None,
    ) -> None:
        """Field (mesh, or the per-pixel network when `per_pixel`), creases, boundary, points.

        `y_range` (world): a band of the view is being painted (its scissor set); the mesh and
        the creases draw only what may reach it where they are ordered by height."""
        if field:
            if per_pixel:
                self.draw_network_field(view, style)
            else:
                self.draw_field(view, style, y_range)
        if creases:
            self.draw_creases(view, y_range)
        if boundary:
            self.draw_boundary(view)
        if points:
            self.draw_points(view)

    def read_pixels(self, *, alpha: bool = False) -> np.ndarray:
        """The window's current contents, (H, W, 3|4) uint8 top-down (before the flip)."""
        GL.glBindFramebuffer(GL.GL_READ_FRAMEBUFFER, 0)
        return read_pixels(self.size, alpha=alpha)

    def timings_report(self) -> str:
        parts = [f"{k} {v:.2f}" for k, v in self.timings.items()]
        return "ms per pass: " + ", ".join(parts) + f" (total {sum(self.timings.values()):.2f})"

    def delete(self) -> None:
        while self.in_flight:
            GL.glDeleteSync(self.in_flight.popleft())
        for obj in (
            self.mesh,
            self.creases,
            self.boundary,
            self.points,
            self.field_pass,
            self.line_pass,
            self.point_pass,
            self.overlay,
        ):
            obj.delete()
        if self._mlp is not None:
            self._mlp.delete()
