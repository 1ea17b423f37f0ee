"""Margins and region statistics in the sandbox: every point's exact distance to the decision
boundary (the margins view, M: points coloured by it; the hover readout; the histogram chart),
"nudge to flip" (Ctrl + drag: the nearest boundary point and the smallest move that flips the
class), the region statistics of the shown partition recorded per training step (the regions
chart beside the loss chart, replayed with the timeline) and their CSV export.

Everything is derived through the Session's memo: the data's hull once per point set, the
statistics once per partition (the one the plane derived for the frame: nothing is partitioned
again), the margins once per weights and data version while something shows them. Either moves
to the geometry worker once it costs more than a frame affords (`Session.derive_behind`), and
the newest finished one is shown meanwhile.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from sandbox import actions as A
from sandbox.geometry.margins import nudge_to_flip, point_margins
from sandbox.geometry.region_stats import StatsTrack, data_shape, region_stats
from sandbox.io.files import ensure, stamped
from sandbox.io.stats_csv import write_margins, write_region_stats
from sandbox.render.margin_palette import margin_steps
from sandbox.scenes.base import Controller, Routes
from sandbox.session import heavy_partition
from sandbox.vocab import Task, View

if TYPE_CHECKING:
    from sandbox.scenes.sandbox import SandboxScene

CHARTS = ("loss", "regions", "margins")
PICK_PX = 10.0  # a Ctrl+drag or the cursor this close to a data point is on it
STATS_EVERY_S = 0.25  # while the partition changes every frame, its statistics are this fresh


class StatsController(Controller):
    """Margins, nudge-to-flip, region statistics and their export (module docstring)."""

    def __init__(self, scene: SandboxScene) -> None:
        self.scene = scene
        self.state = scene.state
        self.session = scene.state.session
        self._timeline = None
        self._stats_age = STATS_EVERY_S  # seconds since the statistics last followed the plane
        self._snapshots_seen = -1  # the timeline's length when they did

    def routes(self) -> Routes:
        return {
            A.SetChart: self._on_chart,
            A.Nudge: self._on_nudge,
            A.ExportStats: self._on_export,
        }

    # ------------------------------------------------------------------ actions
    def _on_chart(self, a: A.SetChart) -> None:
        if a.name in CHARTS:
            self.state.stats.chart = a.name

    def _pick(self, pos: tuple[float, float]) -> int | None:
        """The data point under window position `pos` (within PICK_PX), if any."""
        pts = self.state.points
        if len(pts) == 0:
            return None
        view, _ = self.scene.plane.view_at(pos)
        d = np.hypot(*(pts.X - self.scene.plane.to_world(pos)).T) * view.pixels_per_unit
        i = int(np.argmin(d))
        return i if d[i] <= PICK_PX else None

    def _on_nudge(self, a: A.Nudge) -> None:
        st = self.state.stats
        if a.phase is A.Phase.END:
            st.nudge_pos = st.nudge = st.nudge_point = None
            return
        if a.phase is A.Phase.BEGIN:
            if self.state.task is not Task.CLASSIFICATION:
                self.scene.say("Nudge to flip needs classes: it is for classification.")
                return
            st.nudge_point = self._pick(a.pos)
        elif st.nudge_pos is None:
            return
        world = self.scene.plane.to_world(a.pos)
        st.nudge_pos = (float(world[0]), float(world[1]))

    def _on_export(self, a: A.ExportStats) -> None:
        """Region statistics by step and the margins of every point, as two CSV files."""
        s = self.state
        st = s.stats
        written = []
        try:
            ensure()
            if st.track is not None and len(st.track):
                path = stamped("region-stats", ".csv")
                write_region_stats(path, *st.track.series())
                written.append(str(path))
            m = self._margins() if s.net is not None else None
            if m is not None and len(m):
                pts = s.points
                path = stamped("margins", ".csv")
                write_margins(path, pts.X, pts.y, pts.is_test, m.predicted, m.distance,
                              m.signed, m.exact, m.nearest)  # fmt: skip
                written.append(str(path))
        except OSError as exc:
            self.scene.say(f"Could not write the statistics: {exc}", "error")
            return
        if not written:
            self.scene.say("Nothing to export yet: train a little, with points to classify.")
            return
        self.scene.say("Wrote " + " and ".join(written), "info")

    # ------------------------------------------------------------------ per frame
    def update(self, dt: float) -> None:
        s = self.state
        if s.net is None:
            return
        self._stats_age += dt
        self._record_regions()
        st = s.stats
        wanted = View.MARGINS in s.views or st.chart == "margins" or st.nudge_pos is not None
        m = self._margins() if wanted else None
        if m is not st.margins:
            st.margins = m
            st.margin_note = "" if m is None else m.message
            if m is not None and not m.message:
                st.point_steps, st.step_edges = margin_steps(m.signed)
            else:
                st.point_steps, st.step_edges = None, ()
        st.nudge = None
        if m is not None and not m.message and st.nudge_pos is not None:
            start = st.nudge_pos
            if st.nudge_point is not None and st.nudge_point < len(s.points):
                start = tuple(s.points.X[st.nudge_point])
                if np.hypot(*np.subtract(st.nudge_pos, start)) * self._ppu() > PICK_PX:
                    st.nudge_point = None  # dragged off the point: the cursor leads now
                    start = st.nudge_pos
            # the network the margins were made from (on the worker: a snapshot, maybe older)
            slot = self.session.memo.slot("margins")
            net = slot.source.net if slot is not None and slot.source is not None else s.net
            st.nudge = nudge_to_flip(net, start, m)
        self._hover(m)

    def _ppu(self) -> float:
        return float(self.state.camera.pixels_per_unit) if self.state.camera is not None else 1.0

    def _margins(self):
        """The margins of the points for the current weights (None for pictures)."""
        s = self.state
        session = self.session
        if s.task is not Task.CLASSIFICATION or s.net is None or session.geometry_pending:
            return None  # (pending: the region kernels still compile, first start)
        pts = s.points
        X, y = np.array(pts.X), np.array(pts.y)  # copies: the worker may read them later
        snap = session.snapshot()
        return session.derive_behind(
            "margins",
            lambda: point_margins(snap.net, X, y),
            reads=("weights", "data"),
            source=snap,
        )

    def _record_regions(self) -> None:
        """The statistics of the shown partition, recorded at its training step."""
        s = self.state
        st = s.stats
        session = self.session
        tl = session.timeline
        if st.track is None or tl is not self._timeline:
            st.track = StatsTrack()
            self._timeline = tl
        if tl is not None and len(tl) and st.track.last_step() > tl.last_step:
            st.track.truncate(tl.last_step)  # resumed from the past: later records go
        part = s.partition
        if part is None or part.too_many or session.geometry_pending:
            st.region = None  # (pending: the twins' regions are drawn, not counted yet)
            return
        pts = s.points
        shape = session.derive("data_shape", lambda: data_shape(np.asarray(pts.X)), reads=("data",))
        net = session.net_of(part)  # its sizes and activation: the weights are not read
        snapshots = len(tl) if tl is not None else 0
        changing = s.playing and not session.is_current("region_stats", part, reads=("data",))
        if changing and self._stats_age < STATS_EVERY_S and snapshots == self._snapshots_seen:
            return  # training: a few times a second, and at each timeline snapshot, is enough
        self._stats_age = 0.0
        self._snapshots_seen = snapshots
        stats = session.derive_behind(
            "region_stats", lambda: region_stats(part, shape, net), part, reads=("data",),
            heavy=heavy_partition(part),
        )  # fmt: skip
        st.region = stats
        fresh = session.is_current("region_stats", part, reads=("data",))
        if stats is None or tl is None or len(tl) == 0 or not fresh:
            return
        snap = session.shown_snapshot()
        if snap is not None:
            step = snap.step
        elif session.scrub is not None:
            step = s.stage.scrub_step
        elif s.trainer is not None and tl.last_step == int(s.trainer.steps):
            step = int(s.trainer.steps)  # a snapshot's step (a wide network takes fewer)
        else:
            return
        st.track.record(step, stats)

    def _hover(self, m) -> None:
        s = self.state
        info = s.hover
        if info is None or m is None or m.message:
            return
        d, _, exact = m.distance_at(np.asarray(info.world)[None])
        point = None
        if s.hover_pos is not None:
            i = self._pick(s.hover_pos)
            if i is not None and i < len(m):
                point = (i, float(m.signed[i]), bool(m.exact[i]))
        s.hover = replace(
            info, boundary_distance=float(d[0]), boundary_exact=bool(exact[0]), point_margin=point
        )
