"""The 2D plane's render adapter: turns the state's partition, points and view settings into the
render passes' arrays, uploading only what changed.

The plane occupies a rectangle of the window (the panels take the rest), so every pass runs in
that sub-viewport with a camera of the plane's size. Uploads are keyed: the mesh and creases
when the partition object changes, region colours and Laplace coefficients when they are needed
and changed, the points when the data or the view moved (positions are re-expressed around the
view centre so float32 stays exact when zoomed far in). When the exact partition is over its
budget the per-pixel network shader draws the field instead; a network too wide for that shader
gets its output sampled on a grid a few times a second, with its first layer's creases. Whatever
lies under the points is held (sandbox.render.held_layer) once it drew the same for two frames
(a big partition's at once), and copied to the window until one of its uploads, styles or views
changes. While a big partition's Laplace closed forms are made on the worker, the plane draws
the newest partition that has them (`_drawn_partition`). In split view a smooth network's
Laplace pane is its own mesh of sampled probit logits (split.laplace_grid): no regions there.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from sandbox.data.datasets import picture_source
from sandbox.data.pictures import Picture, load_picture
from sandbox.geometry import Partition
from sandbox.geometry.region_query import polygon
from sandbox.render import palette
from sandbox.render.band_order import band_heights, even_bands, overlap, pane_bands
from sandbox.render.camera import View2D
from sandbox.render.field import FieldMode, FieldStyle
from sandbox.render.field_grid import GRID_STEP, first_layer_segments, grid_mesh, picture_error
from sandbox.render.gl import GL
from sandbox.render.held_layer import HEAVY_PAINT_REGIONS, PAINT_BANDS, HeldLayer, band, scissor
from sandbox.render.inspector import activity_tint
from sandbox.render.lines import DENSE_SEGMENTS, snap_cell, snap_segments
from sandbox.render.margin_palette import MARGIN_COLORS
from sandbox.render.mesh import GLMesh
from sandbox.render.mesh_pack import packed_partition_mesh
from sandbox.render.per_pixel_plane import PerPixelPicture
from sandbox.render.region_marks import RegionMarks, tint_of
from sandbox.render.renderer import Renderer
from sandbox.render.split import Pane, laplace_grid, split_panes, union_bounds
from sandbox.state import AppState
from sandbox.vocab import Task, View

CREASE_WIDTH = 1.6
# A one-neuron network (the first lesson) is all about its single crease: draw it bold.
LONE_CREASE_WIDTH = 4.0
BOUNDARY_WIDTH = 3.0
BOUNDARY_COLOR = (0.08, 0.08, 0.1, 1.0)
POINT_RADIUS = 5.5
ERROR_RANGE = (0.0, 0.5)  # the error view's black-to-white span of |target - output|
# the plane is held once it drew the same for this many frames: content that changes every few
# frames (a big network's partitions arriving while it trains) is drawn straight, since the
# copy waits for the rasteriser to finish painting the held layer; a partition heavy to paint
# (HEAVY_PAINT_REGIONS) is held at once, since drawn straight it costs every frame as much
HOLD_AFTER_FRAMES = 2
# a heavy partition's picture (held_layer.PAINT_BANDS frames of painting) is started at most
# this often while partitions keep coming (training): four a second
HEAVY_PICTURE_S = 0.25
PANE_BANDS = 4  # the split view's heavy picture: bands in each of its two panes (as PAINT_BANDS)
SAMPLE_HOLD_S = 0.2  # a sampled field (sandbox.render.field_grid) follows training at 5 Hz


def crease_width(n_hidden: int, scale: float, base: float = CREASE_WIDTH) -> float:
    """Crease line width in pixels: `base`, or bold when the network has one hidden neuron."""
    return (max(base, LONE_CREASE_WIDTH) if n_hidden == 1 else base) * scale


GREYS = np.repeat(np.linspace(0.0, 1.0, 6, dtype=np.float32)[:, None], 3, axis=1)


MARGIN_FIELD_SHARE = 0.45  # the field's strength under the margins view's coloured points


def margin_point_steps(state: AppState) -> np.ndarray | None:
    """The points' margin colour steps while the margins view shows them (else None)."""
    steps = state.stats.point_steps
    if View.MARGINS not in state.views or steps is None or len(steps) != len(state.points):
        return None
    return steps


@dataclass(frozen=True)
class _Panes:
    """What one frame of the plane draws: its GL rectangle, the field style of the view (or of
    the split view's left and right panes), a layer partition shown instead, the pass flags."""

    rect: tuple
    main: FieldStyle
    right: FieldStyle | None
    layer_part: Partition | None
    flags: dict


def _style_key(style: FieldStyle) -> tuple:
    """A FieldStyle as a hashable value (it holds an array)."""
    background = tuple(np.asarray(style.background).tolist())
    return (style.mode, style.regions, style.discretise, style.strength,
            tuple(style.value_range), style.levels, background)  # fmt: skip


def gl_rect(plane: tuple[int, int, int, int], window: tuple[int, int]) -> tuple[int, int, int, int]:
    """A top-left-origin rectangle as GL's bottom-left-origin (x, y, w, h)."""
    x, y, w, h = plane
    return (int(x), int(window[1] - y - h), int(w), int(h))


class PlaneRenderer:
    """Feeds the app's Renderer for the sandbox plane (one per scene)."""

    def __init__(self, renderer: Renderer) -> None:
        self.r = renderer
        self._mesh_key: Partition | None = None
        self._colors_key: tuple | None = None
        self._laplace_key: tuple | None = None
        self._creases_key: tuple | None = None
        self._boundary_key: tuple | None = None
        self._points_key: tuple | None = None
        # the network drawn per pixel where there are no regions to draw: in bands, or sampled
        self.per_pixel_picture = PerPixelPicture(renderer, HEAVY_PICTURE_S)
        self._sampled_creases = np.zeros((0, 4))
        self._sampled_time = -1.0
        self._layer_mesh: GLMesh | None = None
        self._layer_key: Partition | None = None
        self.laplace_ok = False
        self.per_pixel = False  # the last frame drew the network per pixel (mlp_field)
        # split view of a smooth network: the right pane's sampled Laplace field
        self._split_mesh: GLMesh | None = None
        self._split_key: tuple | None = None
        self._split_time = -1.0
        self.split_sampled = False
        self.panes: tuple[Pane, ...] | list[Pane] = ()
        self.marks = RegionMarks()  # the region being read and its neighbours, outlined
        # what lies under the points, held in a texture while it stays the same (a big
        # partition redrawn on a software rasteriser costs hundreds of milliseconds a frame)
        self.held = HeldLayer()
        self.hold = True
        self._last_key: tuple | None = None  # (_same_frames: frames in a row drawn from it)
        self._same_frames, self._waited = 0, False  # (_waited: held one frame after an upload)
        self._heavy_started = -1e9  # state.time when the last heavy partition was taken
        self._drawn: Partition | None = None  # the partition drawn last

    def release(self) -> None:
        self.marks.delete()
        self.held.delete()
        if self._split_mesh is not None:
            self._split_mesh.delete()
            self._split_mesh = None
            self._split_key = None
        if self._layer_mesh is not None:
            self._layer_mesh.delete()
            self._layer_mesh = None

    # ------------------------------------------------------------------ uploads
    def _upload_partition(self, state: AppState, part: Partition) -> None:
        r = self.r
        origin = state.camera.center
        if self._mesh_key is not part:
            self._mesh_key = part
            self._colors_key = None
            self._laplace_key = None
            r.mesh.set_packed(packed_partition_mesh(part, origin))  # (packed beside the frame)
        # a neuron picked in the inspector (or lit while reading a region) tints its region of
        # activity (over paper when the regions view is off)
        tint = tint_of(state)
        regions = View.REGIONS in state.views
        key = (id(part), tint, regions)  # the mesh upload above resets it for a new partition
        if (regions or tint is not None) and self._colors_key != key:
            self._colors_key = key
            colors = np.asarray(part.region_colors, dtype=np.float32)
            if not regions:
                colors = np.empty_like(colors)
                colors[:] = palette.BACKGROUND[: colors.shape[1]]
            if tint is not None and tint < part.patterns.shape[1]:
                colors = activity_tint(colors, part.patterns, tint)
            r.mesh.set_region_colors(colors)

    def _upload_laplace(self, state: AppState, part: Partition | None, keep: bool = False) -> bool:
        """Upload the region Laplace shading of `part`; `keep`: the one uploaded for it stays
        (a picture being painted in bands from an older partition)."""
        kept = self._laplace_key
        if keep and kept is not None and part is not None and kept.part is part:
            return True
        shade = state.region_laplace
        if shade is None or shade.error or part is None or shade.part is not part:
            return False
        if self._laplace_key is not shade:
            self.r.mesh.set_laplace(shade.mean, shade.var)
            self._laplace_key = shade
        return True

    def _upload_lines(self, state: AppState, part: Partition, layer_part: Partition | None) -> None:
        r = self.r
        origin = state.camera.center
        source = layer_part if layer_part is not None else part
        cr = source.creases
        dense = len(cr) > DENSE_SEGMENTS
        cell = snap_cell(1.0 / state.camera.pixels_per_unit) if dense else None
        key = (source, state.scale, getattr(state.net, "n_hidden", 0), cell)
        if self._creases_key != key:
            self._creases_key = key
            if len(cr) and not source.too_many:
                # one crease palette for the plane, the 3D view and the probe plots
                rgba = palette.layer_colors(len(palette.LAYER_COLORS), 0.95)[
                    (np.asarray(cr.layer) - 1) % len(palette.LAYER_COLORS)
                ]
                segments = cr.segments
                if cell is not None:  # a big partition's: snapped to half a pixel
                    kept, segments = snap_segments(segments, cell)
                    rgba = rgba[kept]
                width = crease_width(getattr(state.net, "n_hidden", 0), state.scale)
                # a big partition's creases are stored bottom to top: a band draws its own
                r.creases.set(segments, rgba, width, origin=origin, by_height=cell is not None)
            else:
                r.creases.clear()
        key = (part, state.scale)
        if self._boundary_key != key:
            self._boundary_key = key
            b = part.boundary
            if len(b) and not part.too_many:
                r.boundary.set(b, BOUNDARY_COLOR, BOUNDARY_WIDTH * state.scale, origin=origin)
            else:
                r.boundary.clear()

    def _upload_points(self, state: AppState) -> None:
        cam = state.camera
        pts = state.points
        steps = margin_point_steps(state)
        key = (pts.version, cam.center, cam.zoom, state.scale, state.task, id(steps))
        if key == self._points_key:
            return
        self._points_key = key
        n = len(pts)
        if n == 0:
            self.r.points.clear()
            return
        if steps is not None:  # the margins view: six steps of distance to the boundary
            classes = steps
        elif state.task is Task.CLASSIFICATION:
            classes = np.asarray(pts.y, dtype=np.float32)
        else:
            # pictures: the grey a point asks for, in six steps (drawn with the GREYS ramp)
            classes = np.clip(np.rint(np.asarray(pts.y) * 5), 0, 5).astype(np.float32)
        radius = (POINT_RADIUS if n <= 2000 else 3.5) * state.scale
        self.r.points.set(pts.X, classes, pts.is_test, radius, origin=cam.center)

    # ------------------------------------------------------------------ drawing
    def styles(self, state: AppState) -> tuple[FieldStyle, FieldStyle | None]:
        """Field styles: the main one, and the right pane's in split view (else None)."""
        regions = View.REGIONS in state.views or tint_of(state) is not None
        field = View.FIELD in state.views
        regression = state.task is Task.REGRESSION
        value_range = (0.0, 1.0) if regression else (-1.0, 1.0)
        base = dict(discretise=state.discretise, value_range=value_range)
        picture = regression and picture_source(state.preset) is not None
        if picture and View.ERROR in state.views:
            # |target - output| from black (right) to white (off by half the grey range or more)
            err = dict(base, value_range=ERROR_RANGE)
            main = FieldStyle(mode=FieldMode.OUTPUT, regions=regions, strength=1.0, **err)
        elif field and picture:
            # a picture: its output at full contrast, black to white, as the picture itself
            main = FieldStyle(mode=FieldMode.OUTPUT, regions=regions, strength=1.0, **base)
        elif field:
            main = FieldStyle(mode=FieldMode.OUTPUT, regions=regions, **base)
        elif regions:
            main = FieldStyle(mode=FieldMode.REGIONS, **base)
        else:
            main = FieldStyle(mode=FieldMode.OUTPUT, strength=0.0, **base)
        if margin_point_steps(state) is not None:  # paler, so the points' colours lead
            main = replace(main, strength=main.strength * MARGIN_FIELD_SHARE)
        lap = None
        if not regression and self.laplace_ok:
            lap = FieldStyle(mode=FieldMode.LAPLACE, regions=regions, **base)
        if View.SPLIT in state.views and not regression:
            left = FieldStyle(mode=FieldMode.OUTPUT, regions=regions, **base)
            return left, lap if lap is not None else left
        if View.LAPLACE in state.views and lap is not None:
            return lap, None
        return main, None

    def _heavy(self, part: Partition) -> bool:
        """A picture painted in bands and taken at most every HEAVY_PICTURE_S: a big
        partition's, or that of a network drawn per pixel in bands (a smooth network's sampled
        boundary comes with its partition)."""
        return heavy_to_paint(part) or (part.too_many and self.per_pixel_picture.bands > 1)

    def _partition_to_draw(self, part: Partition, now: float) -> Partition:
        """The partition the plane draws: `part`, or the older one of the same network and
        window whose heavy picture is still being painted in bands (it is finished from that
        one, and `part` uploaded after: a new picture every PAINT_BANDS frames, never half
        made) or was taken less than HEAVY_PICTURE_S ago. A partition of another window (a pan
        or zoom) is taken at once. Records when a heavy one is taken."""
        held = self._drawn
        if (
            (self.held.painting or now - self._heavy_started < HEAVY_PICTURE_S)
            and self._heavy(part)
            and held is not None
            and held is not part
            and list(held.sizes) == list(part.sizes)
            and held.bounds == part.bounds
        ):
            return held
        if held is not part and self._heavy(part):
            self._heavy_started = now
        self._drawn = part
        return part

    def draw(self, state: AppState, layer_part: Partition | None = None) -> None:
        part = _drawn_partition(state)
        if part is None or state.camera is None:
            return
        newest, part = part, self._partition_to_draw(part, state.time)
        r = self.r
        window = state.layout.window
        plane = state.layout.plane
        if plane[2] < 1 or plane[3] < 1:
            return
        per_pixel = bool(part.too_many)
        error = View.ERROR in state.views and self._picture(state) is not None
        versions = r.data_versions()
        if not per_pixel:
            if not error:
                self._upload_partition(state, part)
            self._upload_lines(state, part, layer_part)
            facts, shown = state.reading.facts, state.partition
            around = [] if facts is None else [polygon(shown, nb.region) for nb in facts.neighbours
                                               if nb.region < len(shown)]  # fmt: skip
            self.marks.update(state, shown, around)
        else:
            self.marks.update(state, None, [])
            r.creases.clear()
            self._creases_key = None
            key = ("sampled", part, state.scale)
            if not (part.smooth and len(part.boundary)):
                r.boundary.clear()
                self._boundary_key = None
            elif self._boundary_key != key:
                # a smooth network's boundary: the sampled contour
                self._boundary_key = key
                r.boundary.set(
                    part.boundary,
                    BOUNDARY_COLOR,
                    BOUNDARY_WIDTH * state.scale,
                    origin=state.camera.center,
                )
        self.laplace_ok = (
            not per_pixel
            and bool(state.views & {View.LAPLACE, View.SPLIT})
            and self._upload_laplace(state, part, keep=part is not newest)
        )
        self.split_sampled = (
            part.smooth
            and View.SPLIT in state.views
            and state.task is Task.CLASSIFICATION
            and self._upload_split_laplace(state)
        )
        self._upload_points(state)
        field_ok = True
        sampled = False
        if per_pixel:
            # too wide for the shader, or too slow here: the sampled field (a ReLU network's
            # first-layer creases with it)
            one_view = View.SPLIT not in state.views
            per_pixel = self.per_pixel_picture.prepare(state, self.held.painting, one_view)
            field_ok = per_pixel
            if not per_pixel:
                sampled = field_ok = self._upload_sampled(state)
        if error:  # the error view replaces the field, sampled on a grid like a wide network
            per_pixel = False
            field_ok = self._upload_sampled(state, error=True)
        elif (
            part.smooth
            and View.LAPLACE in state.views
            and state.laplace is not None
            and not self.split_sampled
        ):
            # a smooth network has no regions for the closed forms: Laplace's confidence is
            # sampled on the grid instead (logits shrunk by their variance)
            per_pixel = sampled = False
            field_ok = self._upload_sampled(state, laplace=True)
        self.per_pixel = per_pixel
        main, right = self.styles(state)
        if per_pixel:  # the per-pixel network draws the output alone: no regions, no Laplace
            main = _output_only(main)
            right = _output_only(right) if right is not None else None
        if self.split_sampled and right is not None:
            # the sampled probit logits, drawn as an output (the Laplace confidence)
            right = _output_only(right)
        flags = dict(
            field=field_ok,
            creases=View.CREASES in state.views,
            boundary=View.BOUNDARY in state.views and (not sampled or part.smooth),
            points=state.show_points,
            per_pixel=per_pixel,
        )
        if (
            layer_part is not None
            and not layer_part.too_many
            and not per_pixel
            and View.REGIONS in state.views
        ):
            main, right = self._layer_style(state, layer_part), None
            flags["field"] = True
        rect = gl_rect(plane, window)
        GL.glViewport(*rect)
        GL.glScissor(*rect)
        GL.glEnable(GL.GL_SCISSOR_TEST)
        try:
            frame = _Panes(rect, main, right, layer_part, flags)
            key = self._content_key(state, frame)
            self._same_frames = self._same_frames + 1 if key == self._last_key else 0
            self._last_key = key
            # a big partition, or a network costly to draw per pixel
            heavy = heavy_to_paint(part) or (per_pixel and self.per_pixel_picture.bands > 1)
            if self.hold and (heavy or self._same_frames >= HOLD_AFTER_FRAMES):
                # nothing under the points changed for a few frames (or it is heavy to paint):
                # copy it from the held layer (painted now if it holds something else), then
                # the points and marks
                under = replace(frame, flags={**flags, "points": False})
                # a heavy partition's next picture in bands while the view (camera, rectangle,
                # window, one view or two panes) stays, from the frame after its upload, each
                # holding as many triangles and drawing only those reaching it (band_order);
                # the split view's bands lie in its panes, each showing the whole plane
                bands: int | list = 1
                order = r.mesh.height_order
                if heavy and frame.right is None and per_pixel:
                    bands = self.per_pixel_picture.bands
                elif heavy and frame.right is None:
                    bands = even_bands(order, rect, state.camera, PAINT_BANDS)
                elif heavy:
                    panes = [(p.viewport, p.view) for p in split_panes(state.camera)]
                    bands = pane_bands(order, rect, panes, PANE_BANDS)
                view = (*key[3:6], frame.right is None)
                held = self.held.holds(rect, view) if heavy and not per_pixel else None
                if held is not None and r.data_versions() != versions and not self._waited:
                    key = held  # (the upload had 25-40 ms of the first band's frame)
                self._waited = key is held  # (one frame: uploads every frame still paint)
                self.held.draw(
                    key, rect, window, lambda: self._draw_panes(state, under, False),
                    paints=r.paints if heavy else None, may_wait=True, bands=bands, view=view,
                )  # fmt: skip
                self._draw_panes_top(state, frame)
            else:
                self._draw_panes(state, frame, True)
        finally:
            GL.glDisable(GL.GL_SCISSOR_TEST)
            GL.glViewport(0, 0, int(window[0]), int(window[1]))

    def _content_key(self, state: AppState, frame: _Panes) -> tuple:
        """Everything the plane's passes under the points draw from: the versions of the GPU
        data they read (each upload changes one), their styles, the view and the viewport. Two
        frames with the same key draw the same pixels there."""
        r = self.r
        cam = state.camera
        own = (self._layer_mesh, self._split_mesh)
        data = r.data_versions() + tuple((id(m), m.version) for m in own if m is not None)
        right = None if frame.right is None else _style_key(frame.right)
        styles = (_style_key(frame.main), right)
        shown = tuple(sorted((k, v) for k, v in frame.flags.items() if k != "points"))
        view = (cam.center, cam.zoom, cam.width, cam.height)
        window = tuple(state.layout.window)
        return (data, styles, shown, view, tuple(frame.rect), window, id(frame.layer_part),
                self.split_sampled)  # fmt: skip

    def _draw_panes(self, state: AppState, frame: _Panes, top: bool) -> None:
        """The plane's passes, in one view or the split view's two panes (`top`: the region
        marks too, which the held layer leaves to be drawn over it)."""
        if frame.right is None:
            self._draw_one(state, frame.main, frame.layer_part, frame.flags, top, frame.rect)
        else:
            self._draw_split(state, frame.rect, frame.main, frame.right, frame.flags, top)

    def _draw_panes_top(self, state: AppState, frame: _Panes) -> None:
        """The points and region marks over a copy of the held layer, in each pane."""
        points = frame.flags["points"]
        if frame.right is None:
            self._draw_top(state, state.camera, points)
            return
        x0, y0, _, _ = frame.rect
        self.panes = split_panes(state.camera)
        for pane in self.panes:
            vx, vy, vw, vh = pane.viewport
            GL.glViewport(x0 + vx, y0 + vy, vw, vh)
            GL.glScissor(x0 + vx, y0 + vy, vw, vh)
            self._draw_top(state, pane.view, points)

    def _draw_one(
        self,
        state: AppState,
        style: FieldStyle,
        layer_part: Partition | None,
        flags: dict,
        top: bool = True,
        rect: tuple[int, int, int, int] | None = None,
    ) -> None:
        """The plane in one view; `rect` (GL's x, y, w, h): where, so that a band being
        painted draws only the triangles and creases that reach it (band_heights)."""
        r = self.r
        cam = state.camera
        y_range = band_heights(band(), rect, cam) if rect is not None else None
        if style.mode is FieldMode.REGIONS and layer_part is not None and self._layer_mesh:
            with r.timed("field"):
                r.field_pass.draw(cam, self._layer_mesh, style, y_range)
            self._draw_scene(state, cam, style, {**flags, "field": False, "y_range": y_range}, top)
            return
        field = flags["field"] and (style.strength > 0 or style.mode is not FieldMode.OUTPUT)
        self._draw_scene(state, cam, style, {**flags, "field": field, "y_range": y_range}, top)

    def _draw_scene(
        self, state: AppState, view: View2D, style: FieldStyle, flags: dict, top: bool = True
    ) -> None:
        """The renderer's scene, with grey points for pictures; `top`: the region marks."""
        r = self.r
        self._point_colours(state)
        r.draw_scene(view, style, **flags)
        if top:
            self.marks.draw(r.line_pass, view)

    def _draw_top(self, state: AppState, view: View2D, points: bool) -> None:
        if points:
            self._point_colours(state)
            self.r.draw_points(view)
        self.marks.draw(self.r.line_pass, view)

    def _point_colours(self, state: AppState) -> None:
        grey = state.task is not Task.CLASSIFICATION
        colours = GREYS if grey else palette.CLASS_COLORS
        self.r.point_pass.class_colors = (
            MARGIN_COLORS if margin_point_steps(state) is not None else colours
        )

    def _draw_split(
        self,
        state: AppState,
        rect: tuple,
        left: FieldStyle,
        right: FieldStyle,
        flags: dict,
        top: bool = True,
    ) -> None:
        x0, y0, _, _ = rect
        panes = split_panes(state.camera)
        self.panes = panes
        painting = band()  # a pane painted in a frame of its own (draw): the other one waits
        for k, (pane, style) in enumerate(zip(panes, (left, right), strict=True)):
            vx, vy, vw, vh = pane.viewport
            if painting is not None and not overlap(painting, (x0 + vx, y0 + vy, vw, vh)):
                continue
            # a band of a pane: its scissor inside the band, its draws what reaches it
            at = (x0 + vx, y0 + vy, vw, vh)
            flags = {**flags, "y_range": band_heights(painting, at, pane.view)}
            GL.glViewport(*at)
            scissor(*at)
            if k == 1 and self.split_sampled and self._split_mesh is not None:
                with self.r.timed("field"):
                    self.r.field_pass.draw(pane.view, self._split_mesh, style)
                self._draw_scene(state, pane.view, style, {**flags, "field": False}, top)
            else:
                self._draw_scene(state, pane.view, style, flags, top)

    def _upload_split_laplace(self, state: AppState) -> bool:
        """A smooth network's Laplace confidence for the split view's right pane: the fit's
        probit logits sampled over the pane into a mesh of its own (split.laplace_grid), followed
        a few times a second while training as the sampled fields are. False without a fit or
        with one that does not match the network (the pane then shows the MAP output)."""
        la = state.laplace
        if la is None or state.camera is None:
            return False
        pane = split_panes(state.camera)[1].view
        key = ("split", id(la), state.prior_precision, id(state.net), pane.center, pane.zoom,
               pane.width, pane.height)  # fmt: skip
        weights = state.session.weights_version
        old = self._split_key
        if old is not None and old[:-2] == key:
            if old[-2] == weights or state.time - self._split_time < SAMPLE_HOLD_S:
                return bool(old[-1])
        self._split_time = state.time
        try:
            vertices, triangles, logits = laplace_grid(la, pane)
        except (ValueError, ArithmeticError):
            self._split_key = (*key, weights, False)
            return False
        if self._split_mesh is None:
            self._split_mesh = GLMesh()
        region = np.zeros(len(vertices), dtype=np.int32)
        self._split_mesh.set_mesh(vertices, triangles, region, logits, origin=state.camera.center)
        self._split_mesh.set_region_colors(palette.BACKGROUND[None, :3])
        self._split_key = (*key, weights, True)
        return True

    def _layer_style(self, state: AppState, layer_part: Partition) -> FieldStyle:
        """Flat regions of the partition made by layers <= l, on its own mesh."""
        if self._layer_mesh is None:
            self._layer_mesh = GLMesh()
        if self._layer_key is not layer_part:
            self._layer_key = layer_part
            mesh = layer_part.mesh
            zeros = np.zeros((len(mesh.vertices), 1))
            self._layer_mesh.set_mesh(
                mesh.vertices, mesh.triangles, mesh.region, zeros, origin=state.camera.center
            )
            self._layer_mesh.set_region_colors(layer_part.region_colors)
        return FieldStyle(mode=FieldMode.REGIONS)

    def _picture(self, state: AppState) -> Picture | None:
        """The picture being learned (None for a point set or a file gone bad)."""
        source = picture_source(state.preset) if state.task is Task.REGRESSION else None
        if source is None:
            return None
        try:
            return load_picture(source)
        except ValueError:
            return None

    def _upload_sampled(self, state: AppState, error: bool = False, laplace: bool = False) -> bool:
        """The output (or, with `error`, |picture - output|, with `laplace` the Laplace fit's
        probit logits) sampled on a grid into the mesh pass (sandbox.render.field_grid), for a
        network too wide for the per-pixel shader or a smooth one; the first layer's exact
        creases where the partition is over budget."""
        cam = state.camera
        _, _, pw, ph = state.layout.plane
        fit = (id(state.laplace), state.prior_precision) if laplace else None
        # in split view each pane sees a taller window than the plane's camera: cover both
        split = View.SPLIT in state.views and state.task is Task.CLASSIFICATION
        key = ("sampled", error, fit, id(state.net), cam.center, cam.zoom, pw, ph, state.scale,
               state.preset, split)  # fmt: skip
        weights = state.session.weights_version
        old = self._mesh_key if isinstance(self._mesh_key, tuple) else None
        fresh = old is not None and old[:-1] == key and old[-1] == weights
        # while training, new weights are sampled a few times a second, not every frame
        held = (
            old is not None and old[:-1] == key and state.time - self._sampled_time < SAMPLE_HOLD_S
        )
        if not fresh and not held:
            self._mesh_key = (*key, weights)
            self._sampled_time = (
                state.time
            )  # the partition's mesh is uploaded again when it comes back
            self._colors_key = self._laplace_key = None
            bounds = cam.world_bounds()
            nx, ny = pw // GRID_STEP + 2, ph // GRID_STEP + 2
            if split:
                panes = split_panes(cam)
                bounds = union_bounds(panes)
                ppu = max(p.view.pixels_per_unit for p in panes)
                nx = int((bounds[2] - bounds[0]) * ppu) // GRID_STEP + 2
                ny = int((bounds[3] - bounds[1]) * ppu) // GRID_STEP + 2
            vertices, triangles, values = grid_mesh(state.net, bounds, nx, ny)
            picture = self._picture(state) if error else None
            if picture is not None:
                values = picture_error(picture, vertices, values)
            if laplace and state.laplace is not None:
                try:
                    values = state.laplace.probit_logits(vertices)
                except (ValueError, ArithmeticError):
                    pass  # a fit of another network (held while training): the plain output
            region = np.zeros(len(vertices), dtype=np.int32)
            self.r.mesh.set_mesh(vertices, triangles, region, values, origin=cam.center)
            self.r.mesh.set_region_colors(palette.BACKGROUND[None, :3])
            self._sampled_creases = first_layer_segments(state.net, bounds)
        segments = self._sampled_creases
        part = state.partition
        if (
            len(segments) and part is not None and part.too_many and not part.smooth
        ):  # (the per-pixel branch clears the creases every frame; a smooth network has none)
            # hundreds of creases: thinner and fainter, so the field shows between them
            many = len(segments) > 64
            rgba = palette.layer_colors(len(palette.LAYER_COLORS), 0.95)[0].copy()
            rgba[3] = max(0.2, 0.95 * (64 / len(segments)) ** 0.5) if many else 0.95
            width = (0.9 * state.scale) if many else crease_width(1, state.scale, CREASE_WIDTH)
            self.r.creases.set(segments, rgba, width, origin=cam.center)
        return True


def heavy_to_paint(part: Partition | None) -> bool:
    """A partition whose pictures (plane, 3D surface, diagram) take turns, one a frame, and are
    held at once (FramePaints, HEAVY_PAINT_REGIONS)."""
    return part is not None and not part.too_many and len(part) > HEAVY_PAINT_REGIONS


def _drawn_partition(state: AppState) -> Partition | None:
    """The partition the plane draws: the shown one or, while a big one's Laplace closed forms
    are still made on the worker, the newest one that has them (so a Laplace pane keeps its
    shading instead of falling back to the trained network's for a moment)."""
    part, shade = state.partition, state.region_laplace
    if part is None or part.too_many or shade is None or shade.error:
        return part
    # never another network's regions (the layer sizes just changed)
    return shade.part if list(shade.part.sizes) == list(part.sizes) else part


def _output_only(style: FieldStyle) -> FieldStyle:
    """The style the per-pixel network can draw: the output (a regions-only or Laplace style
    becomes the plain output; no regions exist without the mesh)."""
    if style.mode is FieldMode.OUTPUT and not style.regions:
        return style
    strength = style.strength if style.mode is not FieldMode.REGIONS else 0.0
    return replace(style, mode=FieldMode.OUTPUT, regions=False, strength=strength)
