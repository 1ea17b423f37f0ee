"""An experiment's live readouts: the chart card some experiments show on the plane, and the
indecisive-neuron flags one hands to the inspector.

`ExperimentReadout` measures what the experiment's `chart` names, from the network and the
training timeline, through the Session's memo (so once per weights version, at most a few times
a second while training) with sandbox.geometry.crease_motion, and draws it with
sandbox.ui.experiment_charts:
- "rose": the first layer's crease directions (rose) against random directions, and their
  offsets now against the run's first snapshot;
- "motion": how far each first-layer crease turned and slid over the first MOTION_STEPS steps
  (the timeline keeps every one of the first hundred);
- "pulse": the run's loss (the loss chart's history) beside that of a comparison run, the same
  network and seed trained with SGD (momentum, a 30 times smaller rate) in step with it: as
  many steps after each frame, at most SHADOW_STEPS (it catches up over the next frames).
  The comparison is the readout's own (no timeline, never shown on the plane);
- "contours": no card; contour lines and the probe's first ray as a cross-section on the 3D
  surface, and the probe's slope and second differences (sandbox.render.stage_views);
- "indecisive": no card; the neurons whose crease swung far over the last SWING_WINDOW steps
  while the loss ended about where it started are flagged in the inspector ("~" badge).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pygame

from sandbox.data import picture_source
from sandbox.data.pictures import load_picture
from sandbox.experiments import Experiment, experiment
from sandbox.fit import picture_psnr
from sandbox.geometry.contours import (
    contour_levels,
    contour_segments,
    crossing_ray,
    ray_section,
)
from sandbox.geometry.crease_motion import (
    bunching,
    crease_angles,
    crease_motion,
    first_layer,
    half_time,
    indecisive_neurons,
    neuron_swings,
    pixel_grid,
    rose_counts,
    uniform_band,
)
from sandbox.geometry.symmetry import crease_symmetry
from sandbox.scenes.experiment_compare import ComparisonRun
from sandbox.scenes.model import PSNR_SIDE
from sandbox.session import crease_line, first_layer_neuron
from sandbox.ui.experiment_charts import compare_chart, motion_chart, pulse_chart, rose_chart

if TYPE_CHECKING:
    from sandbox.scenes.experiment import ExperimentScene

MOTION_STEPS = 300  # the motion chart follows the first steps only
SWING_WINDOW = 400  # the indecisive neuron: how far back (steps) its swing is measured
SWING_SNAPSHOTS = 12  # ...over at most this many snapshots
CHART_INTERVAL = 0.25  # while training, a chart is measured again at most this often
FLAG_INTERVAL = 0.5
CONTOURS = 12  # contour lines on the 3D surface
CARD_SIZES = {"rose": (440, 260), "motion": (420, 330), "pulse": (520, 230), "compare": (300, 330)}
COMPARE_PIXELS = 96  # the comparison run's picture on its card, pixels a side
MIN_CARD = 150  # at 1x: with less room under the caption, the card shows only while it is hidden


class ExperimentReadout:
    """The chart card and flags of one experiment scene (see the module docstring)."""

    def __init__(self, scene: ExperimentScene, exp: Experiment) -> None:
        self.scene = scene
        self.kind = exp.chart
        self.data: Any = None
        self._image: pygame.Surface | None = None
        self._image_key: tuple | None = None
        self.exp = exp
        self.compare = ComparisonRun(experiment(exp.compare)) if exp.compare else None

    @property
    def name(self) -> str:
        return f"experiment_{self.kind}"

    def has_card(self) -> bool:
        return self.kind in CARD_SIZES

    def enter(self) -> None:
        """Set the views up: the four-neuron surface is shown without the data's dots, its
        probe along a ray that crosses many creases."""
        s = self.scene.state
        if self.kind == "contours" and s.net is not None:
            s.show_points = False
            cs = s.stage
            cs.probe_origin, cs.probe_angle, cs.probe_reach = crossing_ray(
                s.net, self.scene.plane.bounds()
            )

    # ------------------------------------------------------------------ measuring
    def update(self) -> None:
        """Measure this frame's data (the memo hands back the last one while it holds)."""
        s = self.scene.state
        if not self.kind or s.net is None or s.session.trainer is None:
            return
        session = s.session
        hold = CHART_INTERVAL if s.playing else 0.0
        if self.kind == "rose":
            self.data = session.derive(self.name, self._rose, hold=hold)
        elif self.kind == "motion":
            self.data = session.derive(self.name, self._motion, hold=hold)
        elif self.kind in ("pulse", "compare") and self.compare is not None:
            self.compare.frame(session)
            self.data = self.compare.losses[-1] if self.compare.losses else None
        elif self.kind == "indecisive":
            hold = FLAG_INTERVAL if s.playing else 0.0
            self.data = session.derive(self.name, self._indecisive, hold=hold)
            self.scene.inspector.indecisive = self.data

    def stage_extras(self) -> dict[str, object]:
        """What the stage views add for this experiment (StageContent fields)."""
        if self.kind != "contours":
            return {}
        session = self.scene.state.session
        fs = self.scene.view3d.surface
        out: dict[str, object] = {"probe_slopes": True}
        if fs is not None:
            out["surface_lines"] = session.derive("experiment_contours", self._contours, fs)
            probes = self.scene.probe.probes
            if probes:
                out["section"] = session.derive("experiment_section", self._section, fs, probes[0])
        return out

    @staticmethod
    def _contours(fs) -> np.ndarray:
        mesh = fs.surface
        z = mesh.positions[:, 2]
        levels = contour_levels(float(z.min()), float(z.max()), CONTOURS) if len(z) else []
        return contour_segments(mesh.positions, mesh.triangles, levels)

    @staticmethod
    def _section(fs, probe) -> np.ndarray:
        return ray_section(probe.origin, probe.direction, fs.bounds, fs.height_at)

    def _compare_card(self, size: tuple[int, int], scale: float) -> pygame.Surface:
        """The comparison run's output over the plane's window with its first-layer creases,
        and a line comparing the two runs (the symmetry score, or the loss)."""
        s = self.scene.state
        other, net = self.compare.other, self.compare.net
        x0, x1, y0, y1 = self.scene.plane.bounds()
        n = COMPARE_PIXELS
        xs = x0 + (np.arange(n) + 0.5) / n * (x1 - x0)
        ys = y1 - (np.arange(n) + 0.5) / n * (y1 - y0)
        gx, gy = np.meshgrid(xs, ys)
        image = net.forward(np.column_stack([gx.ravel(), gy.ravel()]))[:, 0].reshape(n, n)
        lines = [crease_line(first_layer_neuron(net, i), (x0, x1, y0, y1))
                 for i in range(net.hidden_sizes[0])]  # fmt: skip
        segments = np.array([seg for seg in lines if seg is not None]).reshape(-1, 4)
        if self.exp.readout == "symmetry":
            here, there = crease_symmetry(s.net), crease_symmetry(net)
            rows = [f"Symmetry score: {here:.2f} here, {there:.2f} on the card"]
        else:  # the status line's PSNR (the whole picture), for both
            source = picture_source(s.preset)
            here = s.metrics.psnr
            rows = []
            if source is not None and here is not None:
                there = picture_psnr(net, load_picture(source).at_resolution(PSNR_SIDE))
                rows = [f"PSNR: {here:.1f} dB here, {there:.1f} dB on the card"]
        step = f"step {self.compare.trainer.steps:,}, trained in step with this run"
        return compare_chart(image, (x0, x1, y0, y1), segments, other.title, step, rows, size,
                             scale)  # fmt: skip

    def _snapshots(self, lo: int, hi: int) -> tuple[list[int], list[np.ndarray], list[float]]:
        """Steps, parameters and train losses of the timeline's snapshots with lo <= step <= hi."""
        tl = self.scene.state.session.timeline
        if tl is None or len(tl) == 0:
            return [], [], []
        steps = tl.steps
        losses = tl.train_losses
        idx = np.flatnonzero((steps >= lo) & (steps <= hi))
        return (
            [int(steps[i]) for i in idx],
            [tl.snapshot(int(i)).params for i in idx],
            [float(losses[i]) for i in idx],
        )

    def _rose(self) -> tuple:
        net = self.scene.state.net
        theta, d = crease_angles(*net.layers[0])
        counts = rose_counts(theta)
        _, first, _ = self._snapshots(0, 0)
        t0, d0 = crease_angles(*first_layer(first[0], net.layout)) if first else (theta, d)
        band = uniform_band(int(np.isfinite(theta).sum()), len(counts))
        return counts, band, d, d0, bunching(counts), bunching(rose_counts(t0))

    def _motion(self):
        steps, params, _ = self._snapshots(0, MOTION_STEPS)
        return crease_motion(steps, params, self.scene.state.net.layout)

    def _indecisive(self) -> np.ndarray:
        s = self.scene.state
        net, tl = s.net, s.session.timeline
        n = int(sum(net.hidden_sizes))
        if tl is None or len(tl) < 3:
            return np.zeros(n, dtype=bool)
        last = int(tl.steps[-1])
        steps, params, losses = self._snapshots(last - SWING_WINDOW, last)
        if len(params) < 3:
            return np.zeros(n, dtype=bool)
        keep = np.unique(np.linspace(0, len(params) - 1, SWING_SNAPSHOTS).round().astype(int))
        x0, x1, y0, y1 = self.scene.plane.bounds()
        grid = pixel_grid((max(x0, -6.0), min(x1, 6.0), max(y0, -6.0), min(y1, 6.0)))
        swing = neuron_swings(net, [params[i] for i in keep], grid)
        return indecisive_neurons(swing, [losses[i] for i in keep])

    # ------------------------------------------------------------------ drawing
    def key(self) -> tuple:
        """What the card shows, as plain values (the UI surface is drawn again when it changes)."""
        if self.kind in ("pulse", "compare"):
            return (self.kind, self.data)
        return (self.kind, self.scene.state.session.memo.key_of(self.name))

    def card(
        self,
        plane: pygame.Rect,
        scale: float,
        above: pygame.Rect | None = None,
        beside: pygame.Rect | None = None,
    ) -> tuple[pygame.Surface, pygame.Rect] | None:
        """The chart card and where it goes (the plane's bottom-right corner, below `above`,
        the caption, and left of `beside`, the buttons, where it would cover them), or None
        (also when there is no room below the caption)."""
        if not self.has_card() or self.data is None:
            return None
        w, h = CARD_SIZES[self.kind]
        margin = round(12 * scale)
        w = min(round(w * scale), plane.w - 2 * margin)
        h = min(round(h * scale), plane.h - 2 * margin)
        if above is not None:
            room = plane.bottom - margin - (above.bottom + margin)
            if room < round(MIN_CARD * scale):
                return None
            h = min(h, room)
        if w < 120 or h < 120:
            return None
        rect = pygame.Rect(plane.right - margin - w, plane.bottom - margin - h, w, h)
        if beside is not None and rect.colliderect(beside):
            rect.w = min(w, beside.left - margin - plane.x - margin)
            rect.right = beside.left - margin
            if rect.w < 120:
                return None
            w = rect.w
        key = (self.key(), id(self.data), rect.size, scale)
        if key != self._image_key or self._image is None:
            self._image = self._draw((w, h), scale)
            self._image_key = key
        return self._image, rect

    def _draw(self, size: tuple[int, int], scale: float) -> pygame.Surface:
        if self.kind == "rose":
            return rose_chart(*self.data, size=size, scale=scale)
        if self.kind == "pulse":
            steps, train, _ = self.scene.state.history.view()
            ok = np.isfinite(train)
            rows = np.array(self.compare.losses, dtype=np.float64).reshape(-1, 2)
            runs = [(steps[ok], train[ok]), (rows[:, 0], rows[:, 1])]
            names = (self.exp.optimizer.capitalize(), self.compare.other.optimizer.upper())
            return pulse_chart(runs, names, size, scale)
        if self.kind == "compare":
            return self._compare_card(size, scale)
        m = self.data
        note = ""
        if len(m) >= 2 and m.turn.size:
            turn = int(np.median(half_time(m.steps, m.turn)))
            slide = int(np.median(half_time(m.steps, m.slide)))
            note = f"half the turn done by step {turn}, half the slide by step {slide} (medians)"
        return motion_chart(m.steps, m.turn, m.slide, size, scale, note)
