"""The stage views' render adapter: feeds the 3D pass, the plot canvas and the network diagram
with what the 3D view, probe and inspector controllers derived (a `StageContent`), uploading
only what changed.

Three parts per frame, each in its own rectangle of the window: marks on the 2D view (the
highlighted crease and its rotation handle, the probe rays with their crease crossings and
handles, the linked cursor), scissored to the plane; the 3D view (Surface3DPass) in its pane;
and the side column (the network diagram and the ray-probe plots) on a paper background. One
crease palette everywhere: sandbox.render.palette.layer_colors, as the 2D creases and the probe
plots' crossing marks use.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sandbox.geometry import RayProbe
from sandbox.geometry.contours import slope_and_second_differences
from sandbox.geometry.surface import FoldedSurface
from sandbox.render import palette
from sandbox.render import plots as PL
from sandbox.render.camera import View2D
from sandbox.render.camera3d import SceneFrame
from sandbox.render.canvas import Canvas
from sandbox.render.gl import GL
from sandbox.render.held_layer import FramePaints, HeldLayer, part
from sandbox.render.inspector import NetworkDiagram, NodeRef
from sandbox.render.lines import DENSE_SEGMENTS, snap_cell, snap_segments
from sandbox.render.plane_view import GREYS, crease_width, gl_rect, heavy_to_paint
from sandbox.render.plots import ProbeCurves
from sandbox.render.surface3d import PackedSurface, Surface3DPass, Surface3DStyle, pack_folded
from sandbox.state import AppState
from sandbox.vocab import Task, View

PANE_BACKGROUND = np.array([0.905, 0.912, 0.925], dtype=np.float32)  # cool grey behind the paper
HALO = np.array([1.0, 1.0, 1.0, 0.85], dtype=np.float32)
# a grabbable crease under the pointer: a dark band, visible on light and dark fields alike
GRAB_GLOW = np.array([0.08, 0.09, 0.14, 0.4], dtype=np.float32)
NEURON_ON = np.array([0.80, 0.88, 0.95], dtype=np.float32)  # as the inspector's thumbnails
NEURON_OFF = np.array([0.90, 0.89, 0.86], dtype=np.float32)
CREASE_3D_WIDTH = 2.0
HIGHLIGHT_WIDTH = 4.5
# a big network's new 3D picture in this many parts, a frame each (held_layer parts: its cost is
# in its draws: 8 x 64's 116,000 crease segments 100 ms, in four parts; its surface 33 ms, but
# 40-90 ms in the first draw after an upload, in two halves)
PARTS_3D = 6
CONTENT_3D = 5  # the first items of _key_3d: what the view shows; the rest places it
CONTOUR_RGBA = np.array([0.15, 0.15, 0.18, 0.55], np.float32)  # contour lines on the surface
SECTION_RGBA = np.array([0.84, 0.37, 0.0, 1.0], np.float32)  # the probe's cross-section


@dataclass
class StageContent:
    """What the stage views show this frame, as their controllers derived it."""

    panes: list[tuple[View2D, float]]  # the 2D view's cameras and their x offsets
    surface: FoldedSurface | None = None
    frame3d: SceneFrame | None = None
    plane_height: float | None = None
    points3d: np.ndarray | None = None
    point_y: np.ndarray | None = None  # the labels of the points3d (the points' when they were
    point_test: np.ndarray | None = None  # lifted: the surface may be frames old) and test flags
    neuron_surface: bool = False
    region_colors: np.ndarray | None = None  # of the partition the surface was made of
    surface_packed: PackedSurface | None = None  # the surface packed for the GPU, when made so
    probes: list[RayProbe] = field(default_factory=list)
    curves: list[ProbeCurves] = field(default_factory=list)
    bands: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = field(default_factory=list)
    probe_key: tuple | None = None  # what the probe was made from (redraw when it changes)
    diagram: NetworkDiagram | None = None
    diagram_rect: tuple[int, int, int, int] | None = None
    diagram_key: tuple | None = None
    tray_height: int = 0  # the single-neuron sliders' height inside the inspector
    surface_lines: np.ndarray | None = None  # (S, 2, 3) contour lines on the 3D surface
    section: np.ndarray | None = None  # (S, 2, 3) the probe's cross-section on the surface
    probe_slopes: bool = False  # a picture's probe also plots slope and second differences


def pack_surface_of(
    fs: FoldedSurface, region_colors: np.ndarray | None, neuron_surface: bool
) -> PackedSurface:
    """The 3D view's surface packed for the GPU (no GL: the surface's job calls it on the
    geometry worker): coloured by its partition's regions, a neuron's surface paper where the
    neuron is off and pale blue where it is on, a sampled surface (smooth activation, no
    regions: `region_colors` None) by its values alone."""
    mesh = fs.surface
    if neuron_surface:
        z = mesh.positions[:, 2]
        n_reg = int(mesh.region.max()) + 1 if len(mesh.region) else 1
        on = np.zeros(n_reg, dtype=bool)
        np.logical_or.at(on, mesh.region, z > 1e-12 * max(1.0, float(np.abs(z).max())))
        region_colors = np.where(on[:, None], NEURON_ON, NEURON_OFF).astype(np.float32)
    return pack_folded(mesh, region_colors)


def layer_rgba(layers: np.ndarray, alpha: float = 0.95) -> np.ndarray:
    """The crease colour (RGBA) of each 1-based hidden layer."""
    table = palette.layer_colors(len(palette.LAYER_COLORS), alpha)
    return table[(np.asarray(layers, np.int64) - 1) % len(table)]


class StageRenderer:
    """GL objects of the stage views (made on first use, released with the scene)."""

    def __init__(self, paints: FramePaints | None = None) -> None:
        self.paints = paints  # the frame's heavy paints, shared with the plane (held_layer)
        self.canvas = Canvas()
        self.p3d: Surface3DPass | None = None
        self._surface: FoldedSurface | None = None  # the surface uploaded whole (and its lines)
        self._extras: tuple = ()
        self._mesh_of: FoldedSurface | None = None  # the surface whose mesh is uploaded
        self._points_key: tuple | None = None
        self._highlight_key: tuple | None = None
        self._cursor_key: tuple | None = None
        self._plane_key: tuple | None = None
        self._cache_3d = HeldLayer(depth=True)
        # the inspector and the probe apart: the probe follows training a dozen times a
        # second, and a big network's diagram must not be drawn again each time with it
        self._cache_inspector = HeldLayer()
        self._cache_probe = HeldLayer()

    def release(self) -> None:
        self.canvas.delete()
        if self.p3d is not None:
            self.p3d.delete()
            self.p3d = None
        self._surface = self._mesh_of = None  # (nothing uploaded any more)
        for cache in (self._cache_3d, self._cache_inspector, self._cache_probe):
            cache.delete()

    # ------------------------------------------------------------------ frame
    def draw(self, state: AppState, content: StageContent) -> None:

        r = state.stage.rects
        window = state.layout.window
        # a big network's: these take turns with the plane, one heavy paint a frame
        heavy = heavy_to_paint(state.partition)
        paints = dict(paints=self.paints if heavy else None, may_wait=True)
        # ...and so do their first pictures (every view switched on at once: the 3D view, the
        # inspector and the probe of 8 x 64 painted 100-145 ms in one frame)
        first = dict(paints=self.paints, may_wait=True)
        try:
            if not r.hide_2d:
                self._draw_plane_marks(state, content)
            # the 3D view and the side column are redrawn only when what they show changed
            if r.view3d is not None:
                key = self._key_3d(state, content)
                if heavy and self._upload_apart(state, content):
                    key = self._cache_3d.key[0]  # (the picture held)
                self._cache_3d.draw(
                    key,
                    gl_rect(r.view3d, window),
                    window,
                    lambda: self._draw_3d(state, content),
                    **(first if self._cache_3d.blank else paints),
                    # a big network's new surface in parts, a frame each, while the view stays
                    parts=PARTS_3D if heavy else 1,
                    view=key[CONTENT_3D:],
                )
                # the mouse's dot follows every move: over the held picture, not in it
                self._draw_3d_cursor(state, content)
            for part, rect, key in (
                ("inspector", r.inspector, self._key_inspector),
                ("probe", r.probe, self._key_probe),
            ):
                if rect is not None:
                    cache = self._cache_inspector if part == "inspector" else self._cache_probe
                    cache.draw(
                        key(state, content),
                        gl_rect(rect, window),
                        window,
                        lambda part=part: self._draw_side_part(state, content, part),
                        # a big network's diagram is heavy; the probe's plots take ~10 ms
                        **(first if cache.blank else paints if part == "inspector" else {}),
                    )
        finally:
            GL.glDisable(GL.GL_SCISSOR_TEST)
            GL.glViewport(0, 0, int(window[0]), int(window[1]))

    @staticmethod
    def _key_3d(state: AppState, content: StageContent) -> tuple:
        """What the 3D view draws from: its content (the first CONTENT_3D items), then what
        places the picture."""
        cs = state.stage
        o = cs.orbit
        orbit = None if o is None else (o.yaw, o.pitch, o.distance, o.size, tuple(o.target))
        return (
            id(content.surface),
            id(content.points3d),
            content.frame3d,
            content.plane_height,
            content.neuron_surface,
            orbit,
            cs.hovered,
            cs.selected,
            tuple(sorted(v.value for v in state.views)),
            state.discretise,
            state.scale,
            state.task,
            cs.rects.view3d,
        )

    @staticmethod
    def _key_inspector(state: AppState, content: StageContent) -> tuple:
        cs = state.stage
        return (
            cs.rects.inspector,
            cs.rects.probe is not None,  # (the line under the inspector)
            state.scale,
            state.task,
            id(content.diagram),
            content.diagram_key,
            cs.selected,
            cs.hovered,
            cs.neuron_text,
            content.tray_height,
        )

    @staticmethod
    def _key_probe(state: AppState, content: StageContent) -> tuple:
        return (
            state.stage.rects.probe,
            state.scale,
            state.task,
            len(content.curves),
            content.probe_key,
        )

    # ------------------------------------------------------------------ 2D marks
    def _draw_plane_marks(self, state: AppState, content: StageContent) -> None:

        cs = state.stage
        sc = state.scale
        c = self.canvas
        window = state.layout.window
        px, py, pw, ph = state.layout.plane
        c.begin(window)
        views = content.panes
        ref = cs.hovered or cs.selected
        part = state.partition
        drew = False
        if cs.crease_px is not None and cs.crease_hover is not None:
            # the hover cue: what a press would grab lights up under the pointer
            if cs.crease_hover == "move":
                c.segments(np.asarray(cs.crease_px), GRAB_GLOW, 16.0 * sc)
            for name, hx, hy, rad in cs.handles:
                if name == "rotate" and cs.crease_hover == "rotate":
                    c.disc(np.array([[hx, hy]]), rad + 7.0 * sc, GRAB_GLOW)
            drew = True
        if View.INSPECTOR in state.views and ref is not None and part is not None:
            if not part.too_many and len(part.creases):
                cr = part.creases
                sel = (cr.layer == ref[0]) & (cr.neuron == ref[1])
                if sel.any():
                    seg = cr.segments[sel].reshape(-1, 2, 2)
                    width = (4.0 if ref == cs.selected else 3.0) * sc
                    for view, x0 in views:
                        pix = (view.world_to_screen(seg) + np.array([px + x0, py])).reshape(-1, 4)
                        c.segments(pix, HALO, width + 3.0 * sc)
                        c.segments(pix, layer_rgba([ref[0]], 1.0)[0], width)
                    drew = True
        if cs.crease_px is not None:
            for name, hx, hy, rad in cs.handles:
                if name != "rotate":
                    continue
                seg = cs.crease_px[0]
                mid = 0.5 * (seg[:2] + seg[2:])
                c.polyline(np.array([mid, [hx, hy]]), PL.INK_DIM, 1.5 * sc, dash=(4 * sc, 3 * sc))
                c.disc(np.array([mid]), 3.0 * sc, PL.INK)
                c.disc(np.array([[hx, hy]]), rad + 1.5 * sc, PL.INK)
                c.disc(np.array([[hx, hy]]), rad - 1.0 * sc, HALO)
                drew = True
        if View.PROBE in state.views and content.probes:
            n = len(content.probes)
            colors = PL.ray_colors(n)
            ox, oy, reach = cs.probe_resolved
            for view, x0 in views:
                off = np.array([px + x0, py])
                for probe, color in zip(content.probes, colors, strict=True):
                    ends = np.array([probe.origin, probe.origin + reach * probe.direction])
                    pix = view.world_to_screen(ends) + off
                    c.polyline(pix, HALO, 4.5 * sc)
                    c.polyline(pix, color, 2.0 * sc)
                    if len(probe.radii):
                        pts = probe.points(probe.radii)
                        cp = view.world_to_screen(pts) + off
                        c.disc(cp, 3.2 * sc, layer_rgba(probe.layer, 1.0))
            for name, hx, hy, rad in cs.handles:
                if name == "probe_origin":
                    c.disc(np.array([[hx, hy]]), rad + 1.5 * sc, PL.INK)
                    c.disc(np.array([[hx, hy]]), rad - 1.0 * sc, HALO)
                elif name == "probe_direction":
                    c.disc(np.array([[hx, hy]]), rad + 1.5 * sc, HALO)
                    c.disc(np.array([[hx, hy]]), rad, colors[0])
            drew = True
        if cs.cursor is not None and state.hover_pos is None:
            # the linked cursor: the point under the mouse in the 3D view
            for view, x0 in views:
                p = view.world_to_screen(np.asarray(cs.cursor)) + np.array([px + x0, py])
                c.disc(np.array([p]), 8.0 * sc, HALO)
                c.disc(np.array([p]), 6.0 * sc, PL.INK)
                c.disc(np.array([p]), 3.5 * sc, HALO)
                drew = True
        if not drew:
            return
        GL.glViewport(0, 0, int(window[0]), int(window[1]))
        GL.glEnable(GL.GL_SCISSOR_TEST)
        GL.glScissor(*gl_rect(state.layout.plane, window))
        c.draw()
        GL.glDisable(GL.GL_SCISSOR_TEST)

    # ------------------------------------------------------------------ 3D
    @staticmethod
    def _surface_extras(state: AppState, content: StageContent) -> tuple:
        """What the uploaded surface's lines are made from besides the surface: the contour
        lines, the probe's section, and the grid dense creases are snapped to."""
        cell = None
        o, frame = state.stage.orbit, content.frame3d
        if len(content.surface.creases) > DENSE_SEGMENTS and o is not None and frame is not None:
            # dense creases snapped to the grid of half a pixel where the view is nearest
            near = max(0.05, o.distance - 1.5)  # the scene spans about [-1, 1]
            cell = snap_cell(frame.half * near / o.pixels_per_unit_at_unit_depth)
        return (id(content.surface_lines), id(content.section), cell)

    def _upload_apart(self, state: AppState, content: StageContent) -> bool:
        """A big network's new surface is uploaded in frames of its own, not in the one that
        paints the first part of its picture (8 x 64's: the upload 45-85 ms on llvmpipe, the
        part as much again): its mesh in one, its lines (snapped, packed) in another, each a
        heavy paint taken in turn with the plane's bands (FramePaints.turn). True: the old
        picture is shown this frame."""
        fs = content.surface
        if self._cache_3d.key is None or fs is None or state.stage.orbit is None:
            return False
        if content.frame3d is None or (
            self._surface is fs and self._extras == self._surface_extras(state, content)
        ):
            return False
        if self.paints is not None and not self.paints.turn(self, may_wait=True):
            return True
        if self.p3d is None:
            self.p3d = Surface3DPass()
        if self._mesh_of is not fs:
            self._upload_mesh(content)  # (its lines in a later frame)
        else:
            self._upload_surface(state, content)
        return True

    def _upload_mesh(self, content: StageContent) -> None:
        """The surface's mesh, without its lines (the picture is not painted until they follow)."""
        fs = content.surface
        packed = content.surface_packed
        if packed is None:  # (packed with the surface on the worker, or here)
            packed = pack_surface_of(fs, content.region_colors, content.neuron_surface)
        self.p3d.set_packed_surface(packed)
        self._mesh_of = fs

    def _upload_surface(self, state: AppState, content: StageContent) -> None:
        """Everything the 3D view draws of the surface: its mesh (unless uploaded already) and
        its lines."""
        fs = content.surface
        p = self.p3d
        cr = fs.creases
        extras = self._surface_extras(state, content)
        cell = extras[2]
        if self._surface is fs and self._extras == extras:
            return
        if self._mesh_of is not fs:
            self._upload_mesh(content)
        self._surface, self._extras = fs, extras
        self._points_key = self._highlight_key = self._cursor_key = None
        width = crease_width(getattr(state.net, "n_hidden", 0), state.scale, CREASE_3D_WIDTH)
        segments, layers = cr.segments, cr.layer
        if cell is not None:
            kept, segments = snap_segments(segments, cell)
            layers = np.asarray(layers)[kept]
        segs, colors, widths = [segments], [layer_rgba(layers)], [np.full(len(layers), width)]
        for extra, rgba, w in (
            (content.surface_lines, CONTOUR_RGBA, 1.2 * state.scale),
            (content.section, SECTION_RGBA, 3.5 * state.scale),
        ):
            if extra is not None and len(extra):
                segs.append(extra)
                colors.append(np.tile(rgba, (len(extra), 1)))
                widths.append(np.full(len(extra), w))
        p.set_creases(np.concatenate(segs), np.concatenate(colors), np.concatenate(widths))
        p.set_boundary(fs.boundary.segments, palette.BOUNDARY_COLOR, 2.5 * state.scale)
        p.set_band(fs.lower, fs.upper)

    def _draw_3d(self, state: AppState, content: StageContent) -> None:

        cs = state.stage
        r = cs.rects
        window = state.layout.window
        rect = gl_rect(r.view3d, window)
        share = part()
        if share is None or share[0] == 0:  # (a later part draws over the first's)
            GL.glEnable(GL.GL_SCISSOR_TEST)
            GL.glScissor(*rect)
            bg = PANE_BACKGROUND
            GL.glClearColor(float(bg[0]), float(bg[1]), float(bg[2]), 1.0)
            GL.glClear(GL.GL_COLOR_BUFFER_BIT)
            GL.glDisable(GL.GL_SCISSOR_TEST)
        fs = content.surface
        if fs is None or cs.orbit is None or content.frame3d is None:
            return
        if self.p3d is None:
            self.p3d = Surface3DPass()
        p = self.p3d
        self._upload_surface(state, content)
        key = (id(content.points3d), state.scale, state.task)
        if key != self._points_key and content.point_y is not None:
            self._points_key = key
            y = content.point_y
            if state.task is Task.CLASSIFICATION:
                classes = np.asarray(y, dtype=np.float32)
                p.point_colors = palette.CLASS_COLORS.copy()
            else:
                # pictures: the grey a point asks for, in six steps, as on the plane
                classes = np.clip(np.rint(np.asarray(y) * 5), 0, 5).astype(np.float32)
                p.point_colors = GREYS.copy()
            radius = (4.5 if len(y) <= 2000 else 3.0) * state.scale
            p.set_points(content.points3d, classes, np.asarray(content.point_test), radius)
        ref = cs.hovered or cs.selected
        key = (id(fs), ref, View.INSPECTOR in state.views, state.scale)
        if key != self._highlight_key:
            self._highlight_key = key
            segs = None
            if ref is not None and View.INSPECTOR in state.views and not content.neuron_surface:
                segs = fs.creases.of(*ref)
            p.set_highlight(segs, (0.05, 0.05, 0.06, 1.0), HIGHLIGHT_WIDTH * state.scale)
        key = (id(fs), content.plane_height)
        if key != self._plane_key:
            self._plane_key = key
            p.set_plane(fs.bounds, content.plane_height)
        regression = state.task is Task.REGRESSION
        style = Surface3DStyle(
            regions=View.REGIONS in state.views or content.neuron_surface,
            tint=View.FIELD in state.views and not content.neuron_surface,
            discretise=state.discretise,
            value_range=(0.0, 1.0) if regression else (-1.0, 1.0),
            creases=View.CREASES in state.views or content.neuron_surface,
            boundary=View.BOUNDARY in state.views,
            points=state.show_points,
            plane=content.plane_height is not None,
            cursor=False,
        )
        p.draw(cs.orbit, content.frame3d, style, viewport=rect, part=part())

    def _draw_3d_cursor(self, state: AppState, content: StageContent) -> None:
        """The dot on the surface under the mouse (StageState.cursor), over the 3D view."""
        cs = state.stage
        fs, p = content.surface, self.p3d
        if fs is None or p is None or cs.orbit is None or content.frame3d is None:
            return
        key = (id(fs), cs.cursor, state.scale)
        if key != self._cursor_key:
            self._cursor_key = key
            point = None
            if cs.cursor is not None:
                x, y = cs.cursor
                xmin, xmax, ymin, ymax = fs.bounds
                if xmin <= x <= xmax and ymin <= y <= ymax:
                    z = float(fs.height_at(np.array([[x, y]]))[0])
                    point = np.array([[x, y, z]])
            p.set_cursor(point, 6.5 * state.scale)
        p.draw_cursor(cs.orbit, content.frame3d, gl_rect(cs.rects.view3d, state.layout.window))

    # ------------------------------------------------------------------ side column
    def _draw_side_part(self, state: AppState, content: StageContent, part: str) -> None:
        """The side column's inspector or probe part (each held by its own cache)."""
        cs = state.stage
        r = cs.rects
        sc = state.scale
        c = self.canvas
        window = state.layout.window
        side = r.inspector if part == "inspector" else r.probe
        c.begin(window)
        c.rect(side, palette.BACKGROUND)
        c.segments(
            np.array([[side[0] + 0.5, side[1], side[0] + 0.5, side[1] + side[3]]]), PL.INK_DIM, 1.0
        )
        font = max(11, round(13 * sc))
        title = round(16 * sc)
        pad = round(10 * sc)
        if part == "inspector":
            x, y, w, h = r.inspector
            c.text("Network inspector", (x + pad, y + round(20 * sc)), title, PL.INK, "ml")
            if content.diagram is not None and content.diagram_rect is not None:
                c.next_group()
                sel = NodeRef(*cs.selected) if cs.selected is not None else None
                hov = NodeRef(*cs.hovered) if cs.hovered is not None else None
                content.diagram.draw(c, selected=sel, hovered=hov, font_px=font)
                c.next_group()
            ty = y + h - round(70 * sc) - content.tray_height
            rows = []
            for i, line in enumerate(cs.neuron_text):
                color = PL.INK if i == 0 else PL.INK_DIM
                rows += [(part, color) for part in _wrap(c, line, w - 2 * pad, font)]
            if len(rows) > 3:
                rows = rows[:3]
                rows[2] = (_fit(c, rows[2][0] + " ...", w - 2 * pad, font), rows[2][1])
            for text, color in rows:
                c.text(text, (x + pad, ty), font, color, "tl")
                ty += round(21 * sc)
            if r.probe is not None:
                c.segments(np.array([[x, y + h - 0.5, x + w, y + h - 0.5]]), PL.GRID, 1.0)
        else:
            x, y, w, h = r.probe
            c.text("Ray probe", (x + pad, y + round(20 * sc)), title, PL.INK, "ml")
            top = round(40 * sc)
            row = round(21 * sc)
            hint = "Shift+drag on the plane: a new ray. Wheel: radius."
            bottom = y + h - round(6 * sc)
            c.text(_fit(c, hint, w - 2 * pad, font), (x + pad, bottom), font, PL.INK_DIM, "bl")
            plot = (x, y + top, w - round(4 * sc), h - top - 2 * row - round(8 * sc))
            if content.curves and plot[3] > 80 * sc and state.task is Task.REGRESSION:
                _regression_probe(
                    c, plot, content.curves, content.bands, font, sc, content.probe_slopes
                )
                items = [("MAP", PL.curve_styles(content.curves)[0][0], None)]
                if content.bands:
                    items.append(("Laplace mean +/- one std", PL.LAPLACE_COLOR, (5 * sc, 4 * sc)))
                _legend_items(c, items, (x + pad, bottom - row), x + w - pad, font, sc)
            elif content.curves and plot[3] > 80 * sc:
                try:
                    PL.draw_probe_plots(c, plot, content.curves, font_px=font, legend=False)
                except ValueError:
                    pass
                _legend(c, content.curves, (x + pad, bottom - row), x + w - pad, font, sc)
            elif not content.curves:
                c.text("no probe", (x + w / 2, y + h / 2), font, PL.INK_DIM, "mc")
        GL.glViewport(0, 0, int(window[0]), int(window[1]))
        GL.glEnable(GL.GL_SCISSOR_TEST)
        GL.glScissor(*gl_rect(side, window))
        c.draw()
        GL.glDisable(GL.GL_SCISSOR_TEST)


def _legend(
    canvas: Canvas, curves: list, pos: tuple[float, float], right: float, font: int, sc: float
) -> None:
    """One row under the probe plots: what the line styles mean (as many items as fit)."""

    maps, laps = PL.curve_styles(curves)
    items = [("MAP", maps[0], None)]
    if any(c.laplace_confidence is not None for c in curves):
        items.append(("Laplace", laps[0], None))
    if any(c.far_field is not None for c in curves):
        items.append(("far-field limit", laps[0], (5.0 * sc, 4.0 * sc)))
    if len(curves) > 1:
        items.append(("(a colour per ray)", None, None))
    _legend_items(canvas, items, pos, right, font, sc)


def _legend_items(
    canvas: Canvas, items: list, pos: tuple[float, float], right: float, font: int, sc: float
) -> None:

    x, y = pos
    for label, color, dash in items:
        need = canvas.text_size(label, font)[0] + (22 * sc if color is not None else 0)
        if x + need > right:
            break
        if color is not None:
            ly = y - font * 0.6
            canvas.polyline(np.array([[x, ly], [x + 18 * sc, ly]]), color, 2.0 * sc, dash=dash)
            x += 22 * sc
        canvas.text(label, (x, y), font, PL.INK_DIM, "bl")
        x += canvas.text_size(label, font)[0] + 12 * sc


def _regression_probe(
    canvas: Canvas, rect: tuple, curves: list, bands: list, font: int, sc: float,
    slopes: bool = False,
) -> None:  # fmt: skip
    """A picture's probe: the network's value against radius, with the Laplace band (dashed)
    and the crease crossings marked by layer (there is no confidence to plot); with `slopes`
    and room for it, the first ray's slope and second differences under it."""

    x, y, w, h = (float(v) for v in rect)
    if slopes and h > 330 * sc:
        top_h = 0.44 * h
        _value_plot(canvas, (x, y, w, top_h), curves, bands, font, sc, "")
        _slope_plots(canvas, (x, y + top_h, w, h - top_h), curves[0], font, sc)
    else:
        _value_plot(canvas, rect, curves, bands, font, sc, "radius")


def _value_plot(canvas: Canvas, rect, curves, bands, font: int, sc: float, xlabel: str) -> None:
    x, y, w, h = (float(v) for v in rect)
    left, right, top, bottom = 3.8 * font, 14.0, 2.0 * font, 2.6 * font + 8.0
    values = [cv.logit_difference for cv in curves]
    values += [b[1] for b in bands] + [b[2] for b in bands]
    lo = min(float(np.min(v)) for v in values if len(v))
    hi = max(float(np.max(v)) for v in values if len(v))
    ticks = PL.nice_ticks(lo, hi, 5)
    step = PL.tick_step(ticks)
    lo, hi = np.floor(lo / step - 1e-9) * step, np.ceil(hi / step + 1e-9) * step
    if hi <= lo:
        lo, hi = lo - 1.0, hi + 1.0
    r_max = max(float(cv.radius[-1]) for cv in curves)
    ax = PL.Axes((x + left, y + top, w - left - right, h - top - bottom), (0.0, r_max), (lo, hi))
    PL.draw_axes(canvas, ax, "network output", xlabel, font)
    maps, laps = PL.curve_styles(curves)
    ax0, ay0, aw, ah = ax.rect
    for cv in curves:
        keep = cv.crossings <= r_max
        px = ax.to_pixel(cv.crossings[keep], np.full(int(keep.sum()), lo))[:, 0]
        ticks_px = np.stack([px, np.full_like(px, ay0 + ah), px, np.full_like(px, ay0 + ah - 9)], 1)
        canvas.segments(ticks_px, layer_rgba(cv.crossing_layer[keep], 0.9), 2.0)
    for (radius, b_lo, b_hi), lc in zip(bands, laps, strict=False):
        for edge in (b_lo, b_hi):
            canvas.polyline(
                ax.to_pixel(radius, np.clip(edge, lo, hi)), lc, 1.5 * sc, dash=(5 * sc, 4 * sc)
            )
    for cv, mc in zip(curves, maps, strict=True):
        canvas.polyline(ax.to_pixel(cv.radius, np.clip(cv.logit_difference, lo, hi)), mc, 2.0 * sc)


def _slope_plots(canvas: Canvas, rect, cv, font: int, sc: float) -> None:
    """The slope (constant in each region) and the second differences (zero inside regions,
    spikes at creases) of one ray's value, sampled evenly, its crossings marked faintly."""
    x, y, w, h = (float(v) for v in rect)
    _, _, rs, slope, r2, second = slope_and_second_differences(cv.radius, cv.logit_difference)
    if len(r2) < 2:
        return
    left, right, top, bottom = 3.8 * font, 14.0, 2.0 * font, 2.6 * font + 8.0
    labels = font + 8.0  # the upper plot's tick labels
    ph = (h - 2 * top - labels - bottom) / 2
    r_max = float(cv.radius[-1])
    for k, (xs, ys, title, color) in enumerate((
        (rs, slope, "slope: constant inside a region", PL.MAP_COLOR),
        (r2, second, "second differences: spikes at creases", SECTION_RGBA),
    )):  # fmt: skip
        lo, hi = min(0.0, float(ys.min())), max(0.0, float(ys.max()))
        pad = 0.1 * (hi - lo) or 1.0
        ax = PL.Axes((x + left, y + top + k * (ph + labels + top), w - left - right, ph),
                     (0.0, r_max), (lo - pad, hi + pad))  # fmt: skip
        PL.draw_axes(canvas, ax, title, "radius" if k else "", font)
        keep = cv.crossings <= r_max
        px = ax.to_pixel(cv.crossings[keep], np.zeros(int(keep.sum())))[:, 0]
        ay0, ah = ax.rect[1], ax.rect[3]
        marks = np.stack([px, np.full_like(px, ay0), px, np.full_like(px, ay0 + ah)], 1)
        canvas.segments(marks, layer_rgba(cv.crossing_layer[keep], 0.35), 1.0)
        canvas.polyline(ax.to_pixel(xs, ys), color, 2.0 * sc)


def _wrap(canvas: Canvas, text: str, width: float, px: int) -> list[str]:
    """The text broken into lines of at most `width` pixels (at word boundaries)."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        trial = f"{current} {word}".strip()
        if current and canvas.text_size(trial, px)[0] > width:
            lines.append(current)
            current = word
        else:
            current = trial
    if current:
        lines.append(current)
    return [_fit(canvas, line, width, px) for line in lines]


def _fit(canvas: Canvas, text: str, width: float, px: int) -> str:
    """The text, shortened with an ellipsis until it fits `width` pixels."""
    if canvas.text_size(text, px)[0] <= width:
        return text
    while len(text) > 4 and canvas.text_size(text + "...", px)[0] > width:
        text = text[:-1]
    return text.rstrip() + "..."
