"""The 2D plane of the sandbox: painting and erasing points, the camera (pan, zoom, far out), which
views are on, the hover readout, and the exact geometry the plane shows.

`PlaneController` applies the plane's actions (see `routes`), and each frame asks the Session for
the exact partition of the visible window (and the partition of the first layers when the
layer selector is on), the region count and its bound, the dead neurons, and what the network
says under the cursor. The Session's memo recomputes those only when the weights, the data or
the window changed. Drawing goes through sandbox.render.plane_view.
"""

from __future__ import annotations

import copy
import math
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from sandbox import actions as A
from sandbox.data.datasets import picture_source
from sandbox.geometry import Partition
from sandbox.geometry.health import can_die, never_dead_note
from sandbox.nn.activations import smooth_note
from sandbox.nn.mlp import softmax
from sandbox.render.camera import View2D
from sandbox.render.plane_view import PlaneRenderer
from sandbox.render.split import split_panes
from sandbox.scenes.base import Controller, Routes
from sandbox.session import LAG_MARK_S, heavy_partition, region_bound
from sandbox.state import GeometryStats, HoverInfo
from sandbox.ui.input import InputMapper
from sandbox.view_jobs import HEALTH_INTERVAL, dead_neurons_job
from sandbox.vocab import (
    BRUSH_DENSITY_RANGE,
    BRUSH_RADIUS_RANGE,
    FAR_ZOOM,
    MAX_CLASSES,
    ZOOM_RANGE,
    Activation,
    Task,
    View,
)

# the views that draw creases or regions: a smooth network has none, and says so
CREASE_VIEWS = frozenset({View.CREASES, View.REGIONS})

if TYPE_CHECKING:
    from sandbox.scenes.sandbox import SandboxScene

DEFAULT_ZOOM = 0.9


class PlaneController(Controller):
    """The plane's actions, geometry and drawing for one sandbox scene."""

    def __init__(self, scene: SandboxScene) -> None:
        self.scene = scene
        self.state = scene.state
        self.input = InputMapper()
        self.renderer: PlaneRenderer | None = None
        self.layer_partition: Partition | None = None
        self._cap_warned_at = -10.0
        self._health_time = -1.0

    def routes(self) -> Routes:
        return {
            A.Paint: self._on_paint,
            A.Erase: self._on_erase,
            A.SelectClass: self._on_select_class,
            A.SetBrushSize: self._on_brush_size,
            A.SetBrushDensity: self._on_brush_density,
            A.SetPaintValue: self._on_paint_value,
            A.Undo: self._on_undo,
            A.Redo: self._on_redo,
            A.ClearPoints: self._on_clear,
            A.Pan: self._on_pan,
            A.ZoomAt: self._on_zoom_at,
            A.ZoomOutFar: self._on_zoom_out_far,
            A.ResetView: self._on_reset_view,
            A.Hover: self._on_hover,
            A.ToggleView: self._on_toggle_view,
            A.SetView: self._on_set_view,
            A.ToggleDiscretise: self._on_toggle_discretise,
            A.TogglePoints: self._on_toggle_points,
            A.SetLayerView: self._on_set_layer_view,
            A.CycleLayerView: self._on_cycle_layer_view,
        }

    # ------------------------------------------------------------------ cameras
    def new_camera(self, zoom: float = DEFAULT_ZOOM) -> View2D:
        _, _, w, h = self.state.layout.plane
        return View2D((0.0, 0.0), zoom, max(1, w), max(1, h))

    def fit_bounds(self, bounds: tuple[float, float, float, float]) -> None:
        """Show (xmin, xmax, ymin, ymax), with a small margin, in the plane (a level's view)."""
        s = self.state
        cam = s.camera
        x0, x1, y0, y1 = bounds
        _, _, w, h = s.layout.plane
        ppu = 0.92 * min(max(1, w) / (x1 - x0), max(1, h) / (y1 - y0))
        cam.center = ((x0 + x1) / 2.0, (y0 + y1) / 2.0)
        cam.zoom = float(np.clip(ppu / cam.base_pixels_per_unit, *ZOOM_RANGE))
        s.far_return = None

    def split_active(self) -> bool:
        s = self.state
        return View.SPLIT in s.views and s.task is Task.CLASSIFICATION

    def views(self) -> list[tuple[View2D, float]]:
        """The cameras drawn side by side (one, or two in split view) and their x offsets."""
        cam = self.state.camera
        if not self.split_active():
            return [(cam, 0.0)]
        return [(pane.view, float(pane.viewport[0])) for pane in split_panes(cam)]

    def view_at(self, pos: tuple[float, float]) -> tuple[View2D, tuple[float, float]]:
        """The camera under a window position and the position in its own pixels."""
        x, y, _, _ = self.state.layout.plane
        lx, ly = pos[0] - x, pos[1] - y
        views = self.views()
        view, x0 = views[0]
        for v, xv in views:
            if lx >= xv:
                view, x0 = v, xv
        return view, (lx - x0, ly)

    def to_world(self, pos: tuple[float, float]) -> np.ndarray:
        view, local = self.view_at(pos)
        return view.screen_to_world(np.asarray(local, np.float64))

    def bounds(self) -> tuple[float, float, float, float]:
        """The visible window (xmin, xmax, ymin, ymax) with a pixel of margin."""
        views = self.views()
        boxes = [v.world_bounds() for v, _ in views]
        m = 2.0 / min(v.pixels_per_unit for v, _ in views)
        xmin = min(b[0] for b in boxes) - m
        ymin = min(b[1] for b in boxes) - m
        xmax = max(b[2] for b in boxes) + m
        ymax = max(b[3] for b in boxes) + m
        return (xmin, xmax, ymin, ymax)

    # ------------------------------------------------------------------ painting
    def _brush_world_radius(self, pos: tuple[float, float]) -> float:
        view, _ = self.view_at(pos)
        return float(self.state.brush_radius_px) / view.pixels_per_unit

    def _stroke(self, phase: A.Phase) -> bool:
        """Open or close a stroke (one undo step); True when the gesture ended."""
        pts = self.state.points
        if phase is A.Phase.BEGIN:
            pts.begin_stroke()
        if phase is A.Phase.END:
            pts.end_stroke()
            return True
        return False

    def _on_paint(self, a: A.Paint) -> None:
        s = self.state
        if self._stroke(a.phase) or not s.layout.in_plane(a.pos):
            return
        radius = self._brush_world_radius(a.pos)
        label: int | float = s.selected_class if s.task is Task.CLASSIFICATION else s.paint_value
        # density is "points per dab": spread over the brush disk in world units
        density = s.brush_density / (math.pi * radius * radius)
        try:
            s.points.add_brush(self.to_world(a.pos), radius, density, label)
        except ValueError as exc:
            if s.time - self._cap_warned_at > 2.0:
                self._cap_warned_at = s.time
                self.scene.say(str(exc), "warn")

    def _on_erase(self, a: A.Erase) -> None:
        if self._stroke(a.phase):
            return
        self.state.points.erase(self.to_world(a.pos), self._brush_world_radius(a.pos))

    def _on_select_class(self, a: A.SelectClass) -> None:
        s = self.state
        if s.task is Task.CLASSIFICATION and 0 <= a.label < MAX_CLASSES:
            s.selected_class = int(a.label)

    def _on_brush_size(self, a: A.SetBrushSize) -> None:
        self.state.brush_radius_px = float(np.clip(a.radius_px, *BRUSH_RADIUS_RANGE))

    def _on_brush_density(self, a: A.SetBrushDensity) -> None:
        self.state.brush_density = int(np.clip(a.density, *BRUSH_DENSITY_RANGE))

    def _on_paint_value(self, a: A.SetPaintValue) -> None:
        self.state.paint_value = float(np.clip(a.value, 0.0, 1.0))

    def _on_undo(self, a: A.Undo) -> None:
        # the newest step first: a crease drag (when nothing changed since), else the points
        if self.scene.inspector.swap_weights(forward=False):
            self.scene.say("Undid the crease edit. Ctrl+Y puts it back.")
            return
        if not self.state.points.undo():
            self.scene.say("Nothing to undo.")
        self.scene.model.follow_source()

    def _on_redo(self, a: A.Redo) -> None:
        if self.scene.inspector.swap_weights(forward=True):
            self.scene.say("Redid the crease edit.")
            return
        if not self.state.points.redo():
            self.scene.say("Nothing to redo.")
        self.scene.model.follow_source()

    def _on_clear(self, a: A.ClearPoints) -> None:
        if self.state.points.clear():
            self.scene.say("Cleared every point. Ctrl+Z brings them back.")

    # ------------------------------------------------------------------ camera
    def _on_pan(self, a: A.Pan) -> None:
        cam = self.state.camera
        pos = self.input.last_pos or (0.0, 0.0)
        view = copy.copy(self.view_at(pos)[0])
        view.pan_pixels(a.dx, a.dy)
        cam.center = view.center

    def _on_zoom_at(self, a: A.ZoomAt) -> None:
        if a.factor > 0 and math.isfinite(a.factor):
            cam = self.state.camera
            view, local = self.view_at(a.pos)
            view = copy.copy(view)
            view.zoom_at(local, a.factor)
            cam.center, cam.zoom = view.center, view.zoom

    def _on_zoom_out_far(self, a: A.ZoomOutFar) -> None:
        s = self.state
        cam = s.camera
        if s.far_return is None:
            s.far_return = (cam.center[0], cam.center[1], cam.zoom)
            cam.center = (0.0, 0.0)
            cam.zoom = FAR_ZOOM
            self.scene.say(
                "Far out: the data is the small patch in the middle. Switch on Laplace (L) and "
                "compare how sure the network is out here."
            )
        else:
            cx, cy, z = s.far_return
            cam.center = (cx, cy)
            cam.zoom = z
            s.far_return = None

    def _on_reset_view(self, a: A.ResetView) -> None:
        s = self.state
        s.camera.center = (0.0, 0.0)
        s.camera.zoom = DEFAULT_ZOOM
        s.far_return = None

    def _on_hover(self, a: A.Hover) -> None:
        self.state.hover_pos = a.pos
        if a.pos is None:
            self.state.hover = None

    # ------------------------------------------------------------------ views
    def _on_toggle_view(self, a: A.ToggleView) -> None:
        try:
            view = View(a.name)
        except ValueError:
            return
        self.scene.set_view(view, view not in self.state.views)

    def _on_set_view(self, a: A.SetView) -> None:
        try:
            self.scene.set_view(View(a.name), a.on)
        except ValueError:
            return

    def set_view(self, view: View, on: bool) -> None:
        """Switch one view on or off, with the rules between views (Laplace or split)."""
        s = self.state
        act = s.net.activation if s.net is not None else None
        if on and act is not None and not act.piecewise_linear and view in CREASE_VIEWS:
            self.scene.say(smooth_note(act) + ".")
        if on:
            s.views.add(view)
            if view is View.LAPLACE:
                s.views.discard(View.SPLIT)
            elif view is View.SPLIT:
                s.views.discard(View.LAPLACE)
            if view is View.ERROR and picture_source(s.preset) is None:
                self.scene.say("The error view compares a picture with the output: open a picture.")
            if view in (View.LAPLACE, View.SPLIT) and s.task is Task.REGRESSION:
                self.scene.say(
                    "Laplace confidence is shown for classification; pictures show grey."
                )
        else:
            s.views.discard(view)

    def _on_toggle_points(self, a: A.TogglePoints) -> None:
        self.state.show_points = not self.state.show_points

    def _on_toggle_discretise(self, a: A.ToggleDiscretise) -> None:
        self.state.discretise = not self.state.discretise

    def _on_set_layer_view(self, a: A.SetLayerView) -> None:
        n = len(self.state.settings.hidden)
        layer = int(a.layer)
        self.state.layer_view = 0 if layer <= 0 or layer >= n else layer

    def _on_cycle_layer_view(self, a: A.CycleLayerView) -> None:
        s = self.state
        n = len(s.settings.hidden)
        # cycle 1, 2, ..., n-1, Joint (layer n is the joint partition)
        current = s.layer_view or n
        nxt = (current - 1 + a.step) % n + 1
        s.layer_view = 0 if nxt == n else nxt
        if View.REGIONS not in s.views and s.layer_view:
            self.scene.set_view(View.REGIONS, True)

    # ------------------------------------------------------------------ per frame
    def update_geometry(self) -> None:
        """The exact partition of the visible window, its counts and the layer partition."""
        s = self.state
        session = s.session
        bounds = self.bounds()
        part = session.partition(bounds)
        s.partition = part
        layer_part = None
        if s.layer_view and View.REGIONS in s.views:
            layer_part = session.partition(bounds, upto_layer=s.layer_view)
        self.layer_partition = layer_part
        g = s.geometry
        lag = session.geometry_lag()
        s.geometry = GeometryStats(
            regions=0 if part.too_many else len(part),
            # Serra's bound counts ReLU regions; other activations have no such bound here
            bound=region_bound(s.net.sizes) if s.net.activation is Activation.RELU else 0,
            dead=g.dead,
            dead_names=g.dead_names,
            too_many=bool(part.too_many),
            message=str(part.message),
            smooth=bool(part.smooth),
            preparing=bool(session.geometry_pending) and part.too_many and not part.smooth,
            making=part.pending and not session.geometry_pending,
            dead_note="" if can_die(s.net) else never_dead_note(s.net),
            behind_step=lag[1] if lag is not None and lag[0] >= LAG_MARK_S else None,
        )

    def update_health(self) -> None:
        """Dead neurons, at most every HEALTH_INTERVAL seconds and when weights or data moved."""
        s = self.state
        session = s.session
        args = (self.bounds(), s.partition)
        reads = ("weights", "data")
        if session.is_current("dead_neurons", *args, reads=reads):
            return
        if s.time - self._health_time < HEALTH_INTERVAL:
            return
        self._health_time = s.time
        # on the geometry worker once it takes longer than a frame (big networks, pictures)
        job = dead_neurons_job(session, *args)
        names = session.derive_behind(
            "dead_neurons", job, *args, reads=reads, heavy=heavy_partition(s.partition)
        )
        if names is not None:
            s.geometry = replace(s.geometry, dead=len(names), dead_names=tuple(names))

    def update_hover(self) -> None:
        s = self.state
        pos = s.hover_pos
        if pos is None or not s.layout.in_plane(pos):
            s.hover = None
            return
        world = self.to_world(pos)
        s.hover = s.session.derive(
            "hover", self.hover_at, (float(world[0]), float(world[1])), s.laplace
        )

    def hover_at(
        self, world: tuple[float, float] | np.ndarray, laplace: object = None
    ) -> HoverInfo:
        """What the network says at a plane point (the hover readout; the 3D view's too)."""
        s = self.state
        world = np.asarray(world, dtype=np.float64)
        info = HoverInfo(world=(float(world[0]), float(world[1])))
        net = s.net
        X = world[None, :]
        out = net.forward(X)[0]
        if net.n_out == 1:
            info.value = float(out[0])
            info.map_probs = None
        else:
            info.map_probs = softmax(out)
            la = s.laplace
            if la is not None:
                try:
                    info.laplace_probs = np.asarray(la.predict_proba(X, link="probit"))[0]
                except (ValueError, ArithmeticError):
                    info.laplace_probs = None
        if net.activation is Activation.HARDTANH:  # three pieces: 0 low, 1 sloped, 2 high
            zs = [
                np.searchsorted([-1.0, 1.0], z_l[0], side="left") for z_l in net.preactivations(X)
            ]
            info.pattern = tuple("".join(str(int(p)) for p in z) for z in zs)
        else:
            info.pattern = tuple(
                "".join("1" if v > 0 else "0" for v in z_l[0]) for z_l in net.preactivations(X)
            )
        return info

    # ------------------------------------------------------------------ drawing
    def draw(self) -> None:
        if self.renderer is not None:
            self.renderer.draw(self.state, self.layer_partition)

    def release(self) -> None:
        if self.renderer is not None:
            self.renderer.release()
            self.renderer = None
