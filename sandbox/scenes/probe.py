"""The ray probe of the sandbox: rays from a point of the plane, and plots of what the network
says along them (the logit difference, the confidence with and without Laplace, the creases
crossed), out to far beyond the data.

`ProbeController` applies the probe's actions (drag its origin or direction, a new ray with
Shift+drag, the wheel for its reach, one or eight rays, reset) and each frame asks the Session
for the probes and their curves (rebuilt at most a few times a second while training). A
picture's probe shows the network's value with the regression Laplace band instead.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from sandbox import actions as A
from sandbox import stage_actions as S
from sandbox.bayes import LastLayerLaplace
from sandbox.geometry import RayProbe
from sandbox.nn import MLP
from sandbox.render.plots import ProbeCurves, probe_curves, ray_colors
from sandbox.scenes.base import Controller, Routes
from sandbox.session import heavy_partition, predictive_band
from sandbox.vocab import Task, View

if TYPE_CHECKING:
    from sandbox.scenes.sandbox import SandboxScene

PROBE_INTERVAL = 1 / 12  # while training, the probe is rebuilt at most this often
DEFAULT_ANGLE = 0.35
MIN_REACH, MAX_REACH = 1e-3, 1e6
Band = tuple[np.ndarray, np.ndarray, np.ndarray]  # radius, lower, upper


class ProbeController(Controller):
    """The ray probe of one sandbox scene (see the module docstring)."""

    def __init__(self, scene: SandboxScene) -> None:
        self.scene = scene
        self.state = scene.state
        self.session = scene.state.session
        self.probes: list[RayProbe] = []
        self.curves: list[ProbeCurves] = []
        self.bands: list[Band] = []  # regression: radius, mean - std, mean + std
        self._drag: dict | None = None

    def routes(self) -> Routes:
        return {
            S.ProbeDrag: self._on_drag,
            S.ProbeReach: self._on_reach,
            S.SetProbeRays: self._on_rays,
            S.ResetProbe: self._on_reset,
        }

    def wants_laplace(self) -> bool:
        """The probe plots show the Laplace confidence (classification)."""
        s = self.state
        return s.task is Task.CLASSIFICATION and View.PROBE in s.views

    # ------------------------------------------------------------------ actions
    def _on_drag(self, a: S.ProbeDrag) -> None:
        s = self.state
        cs = s.stage
        world = self.scene.plane.to_world(a.pos)
        if not np.all(np.isfinite(world)):
            return
        if a.phase is A.Phase.BEGIN:
            self._drag = {"what": a.what, "start": world}
            if a.what == "new":
                cs.probe_origin = (float(world[0]), float(world[1]))
            return
        if self._drag is None:
            return
        if a.what == "origin":
            cs.probe_origin = (float(world[0]), float(world[1]))
        else:
            ox, oy, _ = cs.probe_resolved
            origin = np.asarray(cs.probe_origin if cs.probe_origin is not None else (ox, oy))
            d = world - origin
            length = float(np.hypot(d[0], d[1]))
            if length > 1e-12:
                cs.probe_angle = float(math.atan2(d[1], d[0]))
                if a.what == "new":
                    # a click without a drag keeps the reach; a drag sets it
                    px = length * s.camera.pixels_per_unit
                    if px >= 12.0:
                        cs.probe_reach = float(np.clip(length, MIN_REACH, MAX_REACH))
        if a.phase is A.Phase.END:
            self._drag = None

    def _on_reach(self, a: S.ProbeReach) -> None:
        cs = self.state.stage
        if math.isfinite(a.factor) and a.factor > 0:
            reach = cs.probe_resolved[2] * a.factor
            cs.probe_reach = float(np.clip(reach, MIN_REACH, MAX_REACH))

    def _on_rays(self, a: S.SetProbeRays) -> None:
        self.state.stage.probe_rays = int(np.clip(a.n, 1, 16))

    def _on_reset(self, a: S.ResetProbe) -> None:
        cs = self.state.stage
        cs.probe_origin = None
        cs.probe_reach = None
        cs.probe_angle = DEFAULT_ANGLE

    # ------------------------------------------------------------------ per frame
    def regression_laplace(self) -> LastLayerLaplace | None:
        """Last-layer Laplace of a regression network (the probe's and 3D view's band)."""
        s = self.state
        fit = self.session.derive(
            "regression_laplace",
            self.session.fit_laplace,
            float(s.prior_precision),
            reads=("weights", "data"),
        )
        return fit.laplace

    def _data_centre(self) -> tuple[np.ndarray, float]:
        pts = self.state.points
        if pts is None or len(pts) == 0:
            return np.zeros(2), 6.0
        X = np.asarray(pts.X, dtype=np.float64)
        c = X.mean(axis=0)
        radius = float(np.max(np.hypot(X[:, 0] - c[0], X[:, 1] - c[1])))
        return c, max(radius, 1e-3)

    def update(self, dt: float) -> None:
        s = self.state
        cs = s.stage
        if View.PROBE not in s.views or cs.rects is None or s.net is None:
            self.probes, self.curves, self.bands = [], [], []
            self.session.memo.forget("probe")
            return
        centre, radius = self._data_centre()
        origin = np.asarray(cs.probe_origin, dtype=np.float64) if cs.probe_origin else centre
        reach = float(cs.probe_reach) if cs.probe_reach else 3.0 * radius
        cs.probe_resolved = (float(origin[0]), float(origin[1]), reach)
        la = s.laplace if s.task is Task.CLASSIFICATION else None
        # a picture's probe shows the Laplace band (mean and one standard deviation) instead
        band_la = self.regression_laplace() if s.task is Task.REGRESSION else None
        hold = PROBE_INTERVAL if s.playing else 0.0
        # on the geometry worker (from a snapshot of the weights) once a build takes longer
        # than a frame, and from the first for a big network (8 x 64's rays: 100-300 ms)
        args = (la, band_la, cs.probe_resolved, cs.probe_angle, cs.probe_rays)
        snap = self.session.snapshot()
        built = self.session.derive_behind(
            "probe", lambda: self._build(*args, net=snap.net), *args, reads=("weights",),
            source=snap, hold=hold, heavy=heavy_partition(s.partition),
        )  # fmt: skip
        if built is not None:  # (None: the first one is still being made)
            self.probes, self.curves, self.bands = built

    def _build(
        self,
        la: LastLayerLaplace | None,
        band_la: LastLayerLaplace | None,
        resolved: tuple[float, float, float],
        angle: float,
        n: int,
        net: MLP | None = None,
    ) -> tuple[list[RayProbe], list[ProbeCurves], list[Band]]:
        ox, oy, reach = resolved
        origin = np.array([ox, oy])
        angles = angle + 2.0 * np.pi * np.arange(n) / n
        dirs = np.stack([np.cos(angles), np.sin(angles)], axis=1)
        colors = ray_colors(n)
        probes, curves, bands = [], [], []
        try:
            for d, c in zip(dirs, colors, strict=True):
                p = self.session.probe(origin, d, reach, la, net=net)
                probes.append(p)
                curves.append(probe_curves(p, color=c))
                if band_la is not None:
                    radius = curves[-1].conf_radius
                    mean, std = predictive_band(band_la, p.points(radius))
                    bands.append((radius, mean - std, mean + std))
        except (ValueError, ArithmeticError):
            return [], [], []
        return probes, curves, bands
