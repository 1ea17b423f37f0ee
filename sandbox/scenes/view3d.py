"""The 3D view of the sandbox: the network's output as folded paper over the plane, turned with the
mouse, with a cursor linked to the 2D view.

`View3DController` applies the 3D view's actions (orbit, zoom, reset, the 3D view alone, the
probability surface, one neuron's surface, the pointer over the surface) and each frame asks the
Session for the folded surface the settings call for (rebuilt at most a few times a second
while training), with the frame that scales it and the points standing on it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from sandbox import stage_actions as S
from sandbox.bayes import LastLayerLaplace
from sandbox.geometry.surface import FoldedSurface
from sandbox.render.camera3d import (
    DEFAULT_DISTANCE,
    MAX_DISTANCE,
    OrbitCamera,
    SceneFrame,
    pick_surface,
)
from sandbox.render.stage_views import pack_surface_of
from sandbox.render.surface3d import PackedSurface
from sandbox.scenes.base import Controller, Routes
from sandbox.session import heavy_partition
from sandbox.state import HoverInfo
from sandbox.ui.theme import CLASS_NAMES
from sandbox.view_jobs import surface_job
from sandbox.vocab import Task, View

if TYPE_CHECKING:
    from sandbox.geometry import Partition
    from sandbox.scenes.sandbox import SandboxScene

SURFACE_INTERVAL = 1 / 20  # while training, the surface is rebuilt at most this often
FIT_ASPECT = 1.1  # panes narrower than this get the camera further back


def fit_distance(width: int, height: int) -> float:
    """The camera distance at which the whole scene fits a pane of this shape: the default
    distance suits a landscape window; a narrow pane needs the camera further back."""
    aspect = max(1, int(width)) / max(1, int(height))
    return float(min(DEFAULT_DISTANCE * max(1.0, FIT_ASPECT / aspect), MAX_DISTANCE))


def fit_orbit(orbit: OrbitCamera | None, w: int, h: int) -> OrbitCamera:
    """The 3D camera for a pane of w x h: a new one, or the old one keeping the user's zoom
    relative to what fits the new pane."""
    if orbit is None:
        return OrbitCamera(w, h, distance=fit_distance(w, h))
    old = fit_distance(orbit.width, orbit.height)
    orbit = orbit.resized(w, h)
    orbit.zoom(old / fit_distance(w, h))
    return orbit


class BuiltSurface(NamedTuple):
    """A surface made for one frame's arguments (perhaps on the geometry worker), with what
    drawing it needs from then: the partition's region colours, its kind, the plane's height."""

    surface: FoldedSurface
    frame: SceneFrame
    points: np.ndarray  # (N, 3) the data points standing on it
    point_y: np.ndarray  # (N,) their labels (or a picture's greys) when it was made
    point_test: np.ndarray  # (N,) bool: which of them were test points
    region_colors: np.ndarray | None  # None: a sampled surface (no regions)
    neuron_surface: bool
    plane_height: float | None
    packed: PackedSurface  # the surface packed for the GPU, on the worker with it


class View3DController(Controller):
    """The folded-paper view of one sandbox scene (see the module docstring)."""

    def __init__(self, scene: SandboxScene) -> None:
        self.scene = scene
        self.state = scene.state
        self.session = scene.state.session
        self.surface: FoldedSurface | None = None
        self.frame3d: SceneFrame | None = None
        self.plane_height: float | None = None
        self.points3d: np.ndarray | None = None  # (N, 3) points standing on the surface
        self.point_y: np.ndarray | None = None  # their labels, and which are test points, when
        self.point_test: np.ndarray | None = None  # the surface was made (perhaps frames ago)
        self.neuron_surface = False
        self.region_colors: np.ndarray | None = None  # of the partition the surface is made of
        self.packed: PackedSurface | None = None  # the surface packed for the GPU
        self.pick_world: tuple[float, float] | None = None  # the surface point under the mouse
        self.pick_info: HoverInfo | None = None

    def routes(self) -> Routes:
        return {
            S.Orbit3D: self._on_orbit,
            S.Zoom3D: self._on_zoom,
            S.Reset3D: self._on_reset,
            S.Toggle3D: self._on_toggle,
            S.Hover3D: self._on_hover,
        }

    def ensure_on(self) -> None:
        s = self.state
        if View.THREE_D not in s.views:
            s.views.add(View.THREE_D)
            s.views.discard(View.SPLIT)

    # ------------------------------------------------------------------ actions
    def _on_orbit(self, a: S.Orbit3D) -> None:
        orbit = self.state.stage.orbit
        if orbit is not None and math.isfinite(a.dx) and math.isfinite(a.dy):
            orbit.orbit(a.dx, a.dy)

    def _on_zoom(self, a: S.Zoom3D) -> None:
        orbit = self.state.stage.orbit
        if orbit is not None and math.isfinite(a.factor) and a.factor > 0:
            orbit.zoom(a.factor)

    def _on_reset(self, a: S.Reset3D) -> None:
        orbit = self.state.stage.orbit
        if orbit is not None:
            orbit.reset()
            orbit.distance = fit_distance(orbit.width, orbit.height)

    def _on_toggle(self, a: S.Toggle3D) -> None:
        switch = {
            S.Switch3D.ONLY_3D: self._only_3d,
            S.Switch3D.PROBABILITY: self._probability,
            S.Switch3D.SINGLE_NEURON: self._single_neuron,
        }
        switch[a.switch]()

    def _only_3d(self) -> None:
        cs = self.state.stage
        if View.THREE_D not in self.state.views:
            cs.only_3d = True
        else:
            cs.only_3d = not cs.only_3d
        self.ensure_on()

    def _probability(self) -> None:
        s = self.state
        cs = s.stage
        if s.task is not Task.CLASSIFICATION:
            self.scene.say(
                "The probability surface is for classification; a picture shows its value."
            )
            return
        cs.probability = not cs.probability
        cs.single_neuron = False
        self.ensure_on()

    def _single_neuron(self) -> None:
        cs = self.state.stage
        cs.single_neuron = not cs.single_neuron
        if cs.single_neuron:
            if cs.selected is None:
                cs.selected = (1, 0)
            self.ensure_on()
            layer, index = cs.selected
            self.scene.say(
                f"The surface is now layer {layer} neuron {index + 1} alone: its activation "
                "max(a x + b y + c, 0). N goes back to the network's output."
                if layer == 1
                else f"The surface is now layer {layer} neuron {index + 1} alone: a ramp folded "
                "by the layers before it. N goes back to the network's output."
            )

    def _on_hover(self, a: S.Hover3D) -> None:
        self.pick_world = None
        self.pick_info = None
        if a.pos is None:
            return
        hit = self.pick(a.pos)
        if hit is not None:
            self.pick_world = (float(hit[0]), float(hit[1]))
            self.pick_info = self.scene.plane.hover_at(np.asarray(self.pick_world))

    def pick(self, pos: tuple[float, float]) -> np.ndarray | None:
        """The surface point (x, y, z) under a window position in the 3D view, or None."""
        cs = self.state.stage
        r = cs.rects
        fs = self.surface
        if r is None or r.view3d is None or fs is None or cs.orbit is None or self.frame3d is None:
            return None
        mesh = fs.surface
        if not len(mesh):
            return None
        local = (pos[0] - r.view3d[0], pos[1] - r.view3d[1])
        return pick_surface(cs.orbit, self.frame3d, mesh.positions, mesh.triangles, local)

    # ------------------------------------------------------------------ per frame
    def surface_kind(
        self,
    ) -> tuple[str, tuple[int, int] | None, LastLayerLaplace | None, str, float | None]:
        """(kind, neuron, laplace, label, reference plane height) of the surface to show."""
        s = self.state
        cs = s.stage
        net = s.net
        if cs.single_neuron and cs.selected is not None:
            layer, index = cs.selected
            if layer <= len(net.hidden_sizes) and index < net.hidden_sizes[layer - 1]:
                name = f"layer {layer} neuron {index + 1}"
                if layer == 1:
                    label = f"height: {name}, max(a x + b y + c, 0)"
                    return "halfplane", cs.selected, None, label, None
                return "neuron", cs.selected, None, f"height: {name}'s activation", None
        if s.task is Task.REGRESSION:
            if View.LAPLACE in s.views:
                la = self.scene.probe.regression_laplace()
                if la is not None:
                    label = "height: predicted value, band of one std (Laplace)"
                    return "band", None, la, label, None
            return "output", None, None, "height: predicted value", None
        k = int(net.n_out)
        if View.LAPLACE in s.views and s.laplace is not None:
            return "laplace", None, s.laplace, "height: Laplace confidence (top class)", None
        if cs.probability:
            if k == 2:
                return "probability", None, None, f"height: probability of {CLASS_NAMES[1]}", 0.5
            return "probability", None, None, "height: probability of the top class", None
        if k == 2:
            label = f"height: logit {CLASS_NAMES[1]} minus logit {CLASS_NAMES[0]}"
            return "output", None, None, label, 0.0
        return "output", None, None, "height: the top logit", None

    def update(self, dt: float) -> None:
        s = self.state
        cs = s.stage
        r = cs.rects
        if View.THREE_D not in s.views or r is None or r.view3d is None or s.partition is None:
            self.surface = self.packed = None
            self.session.memo.forget("surface")
            return
        kind, neuron, la, label, plane = self.surface_kind()
        cs.surface_label = label
        bounds = self.scene.plane.bounds()
        hold = SURFACE_INTERVAL if s.playing else 0.0
        # on the geometry worker once it takes longer than a frame (every resize builds one)
        args = (kind, bounds, s.partition, la, neuron, plane)
        built = self.session.derive_behind(
            "surface", self._build_job(*args), *args, reads=("weights", "data"), hold=hold,
            heavy=heavy_partition(s.partition),
        )  # fmt: skip
        if built is None:  # the first one of a slow kind is still being made
            return
        if isinstance(built, str):
            self.surface = self.packed = None
            cs.surface_message = built
            return
        cs.surface_message = ""
        if built.surface is not self.surface:  # (made for the arguments of its own frame)
            self.surface, self.frame3d, self.points3d = built.surface, built.frame, built.points
            self.point_y, self.point_test = built.point_y, built.point_test
            self.region_colors = built.region_colors
            self.packed = built.packed
            self.neuron_surface = built.neuron_surface
            self.plane_height = built.plane_height

    def _build_job(
        self,
        kind: str,
        bounds: tuple[float, float, float, float],
        part: Partition | None,
        la: LastLayerLaplace | None,
        neuron: tuple[int, int] | None,
        plane: float | None,
    ) -> Callable[[], BuiltSurface | str]:
        """A job (reading only copies) making the surface, its frame and the points on it; or
        saying why there is none."""
        s = self.state
        surface = surface_job(self.session, kind, bounds, part, laplace=la, neuron=neuron)
        n_out = s.net.n_out
        X = np.array(s.points.X, dtype=np.float64)
        y, test = np.array(s.points.y), np.array(s.points.is_test, dtype=bool)

        def job() -> BuiltSurface | str:
            try:
                fs = surface()
            except (ValueError, ArithmeticError) as exc:
                return f"No 3D surface: {exc}"
            lo, hi = fs.z_range()
            if kind in ("probability", "laplace"):
                lo, hi = min(lo, 1.0 / max(2, n_out)), 1.0  # the same scale while it learns
            points3d = fs.lift_points(X) if len(X) else np.zeros((0, 3))
            exact = part is not None and not part.too_many
            colors = part.region_colors if exact else None
            neuron = kind in ("halfplane", "neuron")
            try:  # (checked as it is packed: finite, its colours covering its regions)
                packed = pack_surface_of(fs, colors, neuron)
            except ValueError as exc:
                return f"No 3D surface: {exc}"
            return BuiltSurface(fs, SceneFrame(bounds, (lo, hi)), points3d, y, test, colors,
                                neuron, plane, packed)  # fmt: skip

        return job

    def update_cursor(self) -> None:
        """The cursor linked between the views: the 3D pick, else the 2D hover point."""
        s = self.state
        cs = s.stage
        r = cs.rects
        if self.pick_world is not None and r is not None and r.view3d is not None:
            cs.cursor = self.pick_world
            if s.hover_pos is None:
                s.hover = self.pick_info
        elif s.hover is not None and not (r is not None and r.hide_2d):
            cs.cursor = s.hover.world
        else:
            cs.cursor = None
