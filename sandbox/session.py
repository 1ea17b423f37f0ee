"""The Session: what the user is working on (points, network, trainer, timeline) and every value
derived from it (exact partitions, the Laplace fit, folded surfaces, ray probes, neuron health).

`Session` is the one owner of the model objects while a screen shows them. Its setters are the
only way to swap the points or the network, and they bump the versions the derived values read:

- `data`: the point set (which one, and its own edit counter: paint, erase, undo, clear);
- `weights`: every change of the parameters (training, a hand-edited crease, a restored
  snapshot, a new or resized network).

Derived values go through `derive(name, compute, *args, reads=...)`, a small memo with one slot
per name keyed on the versions it reads and on its explicit arguments (bounds, a layer, a prior
precision), so nothing is computed twice and nothing goes stale. While training runs the caller
may pass `hold`: a changed value is then rebuilt at most that often and never for more than a
share of the time, and the last one is returned in between.

The exact partitions may be computed away from the frame: with `background_above` set (the
interactive app sets it), a partition whose last build took longer than that many seconds is
computed on the geometry worker (sandbox.background) from a `Snapshot` of the weights, and the
newest finished one is returned meanwhile. Whatever is derived from a partition (its Laplace
fit, the folded surface, the dead neurons) then uses the snapshot's network (`net_of`), so
each drawn value is exact for the weights it was computed from; `geometry_lag` says how old the
shown partition is. `wait_for_geometry` blocks until the worker is done (tests).

Training lives here too: `train(n)` and `train_for(seconds)` run the trainer and record the
timeline's snapshots through one hook (every step while the run is young, one per call after),
so whoever trains (a frame, the step button, a script) records the same history. Scrubbing the
timeline shows a past snapshot in the network (`show_snapshot`), `back_to_now` restores the live
weights and `resume_from_snapshot` branches the run there.

No pygame or OpenGL here: this is the core side of the upper floors, tested without a display.
"""

from __future__ import annotations

import copy
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

import numpy as np

from sandbox.background import Worker
from sandbox.bayes import LastLayerLaplace
from sandbox.data import PointSet
from sandbox.geometry import Partition, RayProbe, ray_probe, serra_bound
from sandbox.geometry.arrangement import bounded_regions
from sandbox.memo import BUILD_SHARE, EXPENSIVE_S, HOLD_BY_COST, Memo
from sandbox.metrics import Metrics
from sandbox.nn import MLP, Trainer
from sandbox.nn.edits import crease_in_bounds, neuron_weights
from sandbox.nn.timeline import Timeline
from sandbox.partition_jobs import Bounds, partition_job, pending_partition, twin_job
from sandbox.training_setup import TrainingSetup, new_points, new_trainer, outputs_needed
from sandbox.vocab import Task

T = TypeVar("T")

DENSE_STEPS = 100  # every step is a snapshot up to here (the timeline keeps them all)
TIMELINE_BYTES = 64 * 1024 * 1024  # the largest network allowed still keeps ~280 snapshots
BACKGROUND_ABOVE_S = 0.012  # the app computes partitions slower than this on the worker
# a snapshot's full loss pass over more multiply-adds than this (points x parameters; about
# 10 ms): at most one snapshot per RECORD_HOLD_S after the dense start
RECORD_COSTLY_WORK = 4_000_000
RECORD_HOLD_S = 0.25
LAG_MARK_S = 1.0  # a shown partition older than this is marked "updating regions"
PARTITIONS = ("partition", "layer_partition")
HEAVY_REGIONS = 5_000  # views of a partition this big are made on the worker from the first
# a network of more hidden neurons than this has its partitions made on the worker from the
# first (8 x 64's takes 0.6 s; 300 neurons about 0.1 s); a placeholder says so meanwhile
FIRST_ON_WORKER_NEURONS = 300
MAKING_REGIONS = "making the exact regions of this big network (a second or so)"


def heavy_partition(part: Partition | None) -> bool:
    """A partition whose derived views (3D surface, statistics, neuron checks) cost more than
    a frame from their first build: `derive_behind(..., heavy=True)`."""
    return part is not None and not part.too_many and len(part) > HEAVY_REGIONS


# while the region kernels compile, the twins' partition follows the weights this often at most
TWIN_HOLD_S = 1.0
TWIN_HOLD_COSTS = 5.0


@dataclass(frozen=True)
class Snapshot:
    """The weights at one version, copied for the geometry worker (the trainer changes its own)."""

    version: int
    net: MLP
    step: int
    taken: float  # time.perf_counter() when these were the current weights


@dataclass(frozen=True)
class LaplaceFit:
    """A Laplace posterior, or why there is none."""

    laplace: LastLayerLaplace | None
    error: str = ""


@dataclass(frozen=True, eq=False)
class RegionLaplace:
    """A Laplace fit's closed forms in every region of one partition
    (`LastLayerLaplace.region_coefficients`): what the plane's Laplace shading draws."""

    part: Partition
    prior_precision: float
    mean: np.ndarray  # (R, K, 3)
    var: np.ndarray  # (R, K, 6)
    error: str = ""  # why there are none (then mean and var are empty)


def first_layer_neuron(net: MLP, index: int) -> tuple[float, float, float]:
    """(a, b, c) of first-layer neuron `index`: its crease is a x + b y + c = 0."""
    nw = neuron_weights(net, index)
    return (float(nw.w[0]), float(nw.w[1]), float(nw.b))


def crease_line(abc: tuple[float, float, float], bounds: Bounds) -> np.ndarray | None:
    """First-layer crease a x + b y + c = 0 clipped to bounds (xmin, xmax, ymin, ymax): (2, 2)
    world endpoints, or None when it misses the window."""
    return crease_in_bounds(abc[:2], abc[2], bounds)


_SERRA: dict[tuple[int, ...], int] = {}


def region_bound(sizes: Sequence[int]) -> int:
    """Upper bound on the region count of a network of layer sizes [2, h1, ..., out]."""
    key = tuple(int(s) for s in sizes[1:-1])
    if key not in _SERRA:
        _SERRA[key] = int(serra_bound(list(key)))
    return _SERRA[key]


class Session:
    """Points, network, trainer and timeline, with versioned derived values (module docstring)."""

    def __init__(self) -> None:
        self.points: PointSet = new_points(Task.CLASSIFICATION, 0.2, 0)
        self.net: MLP | None = None
        self.trainer: Trainer | None = None
        self.timeline: Timeline | None = None
        self.memo = Memo()
        self._points_serial = 0
        self._weights = 0
        self._pushed: tuple[int, int] = (-1, -1)
        # timeline scrubbing: the index shown and the live weights kept meanwhile
        self.scrub: int | None = None
        self._live: np.ndarray | None = None
        # the geometry worker: None computes every partition in the frame (tests, scripts)
        self.background_above: float | None = None
        self.worker: Worker | None = None
        # why the exact geometry cannot be computed yet (its kernels are still compiling on a
        # first start; set by the app each frame), "" when it can: meanwhile the partitions come
        # from the kernels' plain-Python twins (or are placeholders that say so, for networks
        # too big for them), and nothing here calls a region kernel
        self.geometry_pending = ""
        # while pending, whether the twins make the partitions: only while the kernels compile
        # (tens of seconds); loading them from numba's cache takes about a second, and the
        # twins would only slow it down
        self.geometry_twins = True
        # the same for the training kernel: meanwhile steps run in its numpy twin (the same
        # steps, slower; Trainer.numpy_steps)
        self.training_pending = ""
        self._snapshot: Snapshot | None = None
        self._recorded_at = -math.inf  # when the newest snapshot was taken

    # ------------------------------------------------------------------ versions
    @property
    def data_version(self) -> tuple[int, int]:
        return (self._points_serial, int(self.points.version))

    @property
    def weights_version(self) -> int:
        return self._weights

    def _version(self, name: str) -> Any:
        if name == "weights":
            return self._weights
        if name == "data":
            return self.data_version
        raise ValueError(f"unknown version {name!r}; allowed: weights, data")

    def _key(self, reads: tuple[str, ...], args: tuple) -> tuple:
        return (*(self._version(r) for r in reads), *args)

    def is_current(self, name: str, *args: Any, reads: tuple[str, ...] = ("weights",)) -> bool:
        """Whether `derive(name, ..., *args, reads=reads)` would return what it has."""
        return self.memo.current(name, self._key(reads, args)) is not None

    def derive(
        self,
        name: str,
        compute: Callable[..., T],
        *args: Any,
        reads: tuple[str, ...] = ("weights",),
        hold: float = 0.0,
    ) -> T:
        """`compute(*args)`, remembered under `name` for the versions in `reads` and `args`."""
        return self.memo.get(name, self._key(reads, args), lambda: compute(*args), hold)

    # ------------------------------------------------------------------ setters
    def reset(self) -> None:
        """Start afresh for a new screen: no points, no network; every version moves on."""
        self.set_points(new_points(Task.CLASSIFICATION, 0.2, 0))
        self.net = None
        self.trainer = None
        self.timeline = None
        self.scrub = None
        self._live = None
        self.memo = Memo()
        self._snapshot = None
        if self.worker is not None:
            self.worker.drop_all()
        self._weights += 1

    def set_points(self, points: PointSet) -> None:
        """Work on another point set (a task switch, a loaded scene, a level's data)."""
        self.points = points
        self._points_serial += 1

    def weights_changed(self, edited: bool = False) -> None:
        """The parameters changed outside `train` (edited: by hand, so the trainer keeps them
        as its last good weights)."""
        if edited and self.trainer is not None:
            self.trainer.weights_changed()
        self._weights += 1

    def adopt_network(self, net: MLP, setup: TrainingSetup) -> None:
        """Train `net` on the points from now on: a new trainer and a fresh timeline."""
        self.trainer = new_trainer(net, self.points, setup)
        self.net = net
        self._pushed = self.data_version
        self.timeline = None
        self.scrub = None
        self._live = None
        self._weights += 1

    def show_network(self, net: MLP) -> None:
        """Show `net` without training it (the menu's background picture)."""
        self.net = net
        self.trainer = None
        self.timeline = None
        self._weights += 1

    def new_network(self, sizes: Sequence[int], setup: TrainingSetup) -> None:
        self.adopt_network(MLP(list(sizes), seed=int(setup.seed), **dict(setup.kind)), setup)

    def resize(self, hidden: Sequence[int], n_out: int, seed: int) -> None:
        """Resize the trained network, keeping every shared weight and its optimizer moments
        (a new network: its timeline starts afresh)."""
        self.net = self.trainer.resize(list(hidden), seed=int(seed), n_out=int(n_out))
        self.timeline = None
        self.scrub = None
        self._live = None
        self._weights += 1

    def sync_data(self, seed: int) -> bool:
        """Push changed points to the trainer. True when something was pushed.

        The outputs follow the classes of the data: a new class widens the output layer first
        (the trainer checks labels against it); a class gone removes its output after the push,
        so the plane never predicts a class with no point (an imported network keeps its
        outputs until its data changes). `seed` draws any new output weights.
        """
        if self.data_version == self._pushed or self.trainer is None:
            return False
        pts = self.points
        n_out = outputs_needed(pts)
        if n_out > self.net.n_out:
            self.resize(self.net.hidden_sizes, n_out, seed)
        self.trainer.set_data(
            np.ascontiguousarray(pts.X),
            np.ascontiguousarray(pts.y),
            test_mask=np.asarray(pts.is_test),
        )
        if n_out < self.net.n_out:  # after the push: the trainer checks its labels fit
            self.resize(self.net.hidden_sizes, n_out, seed)
        self._pushed = self.data_version
        return True

    # ------------------------------------------------------------------ training
    def train(self, n: int) -> None:
        """Run n training steps, one at a time while the timeline is still dense."""
        tr = self.trainer
        tr.numpy_steps = bool(self.training_pending)
        self._start_timeline()
        n = int(n)
        try:
            while n > 0 and tr.steps < DENSE_STEPS:
                before = tr.steps
                tr.step(1)
                n -= 1
                if tr.steps == before:
                    return
                self._record()
            if n > 0:
                before = tr.steps
                tr.step(n)
                if tr.steps != before:
                    self._record()
        finally:
            self._weights += 1

    def train_for(self, seconds: float) -> None:
        """Train for a time budget (flat out), one step at a time while the timeline is dense."""
        tr = self.trainer
        tr.numpy_steps = bool(self.training_pending)
        self._start_timeline()
        try:
            if tr.steps < DENSE_STEPS:
                deadline = time.perf_counter() + float(seconds)
                while tr.steps < DENSE_STEPS:
                    before = tr.steps
                    tr.step(1)
                    if tr.steps == before:
                        return
                    self._record()
                    if time.perf_counter() >= deadline:
                        return
                return
            before = tr.steps
            tr.step_for(float(seconds), 1_000_000)
            if tr.steps != before:
                self._record()
        finally:
            self._weights += 1

    def divergence(self) -> str:
        """The trainer's divergence message, or "" when it is healthy."""
        tr = self.trainer
        return str(tr.message or "diverged") if tr is not None and tr.diverged else ""

    def metrics(self) -> Metrics:
        return self.trainer.metrics()

    # ------------------------------------------------------------------ timeline
    def _start_timeline(self) -> None:
        """A fresh timeline for a new network or a restarted run; the first snapshot."""
        net, tr = self.net, self.trainer
        if net is None or tr is None:
            return
        tl = self.timeline
        if tl is None or tl.n_params != net.n_params:
            self.timeline = tl = Timeline(int(net.n_params), max_bytes=TIMELINE_BYTES)
            self.scrub = None
            self._live = None
        if self.scrub is None and (len(tl) == 0 or tr.steps < tl.last_step):
            if len(tl):
                tl.clear()
            self._record()

    def start_timeline(self) -> Timeline | None:
        """The timeline of the current run (made, with its first snapshot, when missing)."""
        self._start_timeline()
        return self.timeline

    def costly_pass(self) -> bool:
        """Whether a full loss pass over the points costs tens of milliseconds (a wide network
        on a picture): its snapshots and readouts then come a few times a second."""
        net = self.net
        return net is not None and len(self.points) * net.n_params > RECORD_COSTLY_WORK

    def _record(self) -> None:
        tl, tr = self.timeline, self.trainer
        if tl is None or self.scrub is not None:
            return
        step = int(tr.steps)
        last = tl.last_step
        if last is not None and step <= last:
            if step == last:
                return
            tl.clear()
        now = time.perf_counter()
        if step > DENSE_STEPS and self.costly_pass() and now - self._recorded_at < RECORD_HOLD_S:
            # a wide network on a picture: each full loss pass costs tens of ms, so after the
            # dense start the snapshots come a few times a second, not every frame
            return
        m = tr.metrics()
        self._recorded_at = now
        tl.record(step, self.net.params, _nan(m.train_loss), _nan(m.test_loss))

    def show_snapshot(self, index: int) -> int:
        """Put snapshot `index`'s weights in the network (the live ones are kept); its step."""
        tl = self.timeline
        if self.scrub is None:
            self._live = self.net.params.copy()
        step = tl.restore(index, self.net.params)
        self.scrub = int(index) % len(tl)
        self._weights += 1
        return int(step)

    def back_to_now(self) -> bool:
        """The live weights again after scrubbing; False when none was shown."""
        if self.scrub is None:
            return False
        live = self._live
        if live is not None and self.net is not None and live.shape == self.net.params.shape:
            self.net.params[:] = live
        self.scrub = None
        self._live = None
        self._weights += 1
        return True

    def resume_from_snapshot(self) -> int:
        """Train on from the snapshot shown: later snapshots and the live weights are dropped,
        the step counter goes back and the optimizer's running averages start afresh."""
        step = self.timeline.branch(self.scrub)
        tr = self.trainer
        tr.steps = int(step)
        tr.reset_optimizer()
        tr.weights_changed()
        self.scrub = None
        self._live = None
        self._weights += 1
        return int(step)

    # ------------------------------------------------------------------ derived values
    def partition(self, bounds: Bounds, upto_layer: int | None = None) -> Partition:
        """The exact partition of the window (made by layers <= upto_layer when given); with
        `background_above` set, possibly one for older weights while the worker makes the new
        one (module docstring)."""
        name = "partition" if upto_layer is None else "layer_partition"
        if self.geometry_pending:
            if not self.geometry_twins:
                return pending_partition(self.net, bounds, upto_layer, self.geometry_pending)
            return self._twin_partition(name, bounds, upto_layer)
        if self.background_above is None:
            return self.derive(name, self._partition, bounds, upto_layer)
        return self._partition_behind(name, bounds, upto_layer)

    def _twin_partition(self, name: str, bounds: Bounds, upto_layer: int | None) -> Partition:
        """While the region kernels compile: the partition made by their plain-Python twins
        (the same regions, geometry/twin_regions.py). Always made on the worker and, while the
        weights move, at most every TWIN_HOLD_S and every TWIN_HOLD_COSTS times its cost, so
        the compilers keep most of the cores. Until there is one, and for a network too big
        for the twins, a placeholder that says why."""
        key = self._key(("weights",), (bounds, upto_layer))
        self._take_finished(name)
        have = self.memo.current(name, key)
        slot = self.memo.slot(name)
        held = slot is not None and time.perf_counter() - slot.built < max(
            TWIN_HOLD_S, TWIN_HOLD_COSTS * slot.cost
        )
        if have is None and not held:
            if self.worker is None:
                self.worker = Worker()
            if not self.worker.busy(name):
                snap = self.snapshot()
                job = partial(twin_job, snap.net, bounds, upto_layer, self.geometry_pending)
                self.worker.submit(name, key, job, snap)
        if have is None:
            have = slot.value if slot is not None else None
        if have is None or (have.too_many and not have.smooth):
            have = pending_partition(self.net, bounds, upto_layer, self.geometry_pending)
        return have

    def _partition(self, bounds: Bounds, upto_layer: int | None) -> Partition:
        return bounded_regions(self.net, bounds, upto_layer)

    def snapshot(self) -> Snapshot:
        """The current weights, copied once per weights version."""
        snap = self._snapshot
        if snap is None or snap.version != self._weights:
            step = int(self.trainer.steps) if self.trainer is not None else 0
            snap = Snapshot(self._weights, self.net.copy(), step, time.perf_counter())
            self._snapshot = snap
        return snap

    def _partition_behind(self, name: str, bounds: Bounds, upto_layer: int | None) -> Partition:
        key = self._key(("weights",), (bounds, upto_layer))
        self._take_finished(name)
        have = self.memo.current(name, key)
        if have is not None:
            return have
        slot = self.memo.slot(name)
        worker = self.worker
        in_flight = worker is not None and worker.busy(name)
        snap = self.snapshot()
        big = sum(snap.net.hidden_sizes) > FIRST_ON_WORKER_NEURONS
        if not big and (
            slot is None
            or slot.source is None
            or (not in_flight and slot.cost < self.background_above)
        ):
            # cheap, or nothing to show yet (or only what was made from the live weights, which
            # moved on since): made now, on this thread, from the snapshot
            t0 = time.perf_counter()
            part = partition_job(snap.net, bounds, upto_layer, None)
            self.memo.put(name, key, part, time.perf_counter() - t0, snap)
            return part
        if worker is None:
            worker = self.worker = Worker()
        worker.submit(name, key, lambda: partition_job(snap.net, bounds, upto_layer, 1), snap)
        shown = None if slot is None or slot.source is None else slot.value
        if shown is None or list(shown.sizes) != list(snap.net.sizes):
            # a big network's first, or the last was another network's: nothing to show yet
            return pending_partition(self.net, bounds, upto_layer, MAKING_REGIONS)
        return shown

    def derive_behind(
        self,
        name: str,
        compute: Callable[[], T],
        *args: Any,
        reads: tuple[str, ...],
        source=None,
        hold: float = 0.0,
        heavy: bool = False,
    ) -> T | None:
        """`derive` for a value that may cost more than a frame: once a build of `name` took
        longer than `background_above`, the next ones run on the geometry worker (`compute`
        must then read only copies, such as `source`, the snapshot it is made from) and the
        newest finished value is returned meanwhile (None before the first). `hold`: a value
        younger than this many seconds, or than its cost / BUILD_SHARE, is returned as it is
        (views that follow training).
        `heavy`: known to be slow (a view of a big partition, `heavy_partition`), so every build
        goes to the worker, the first too, whatever an earlier cheap build cost (the 3D surface
        of 8 x 64's 67,000 regions stalled the window for 7 s, its copycat check for 23 s)."""
        key = self._key(reads, args)
        self._take_finished(name)
        have = self.memo.current(name, key)
        if have is not None:
            return have
        slot = self.memo.slot(name)
        # held while training: at least `hold`, and long enough that rebuilding it takes at most
        # BUILD_SHARE of the time (8 x 64's 3D surface takes the worker 8-11 s: built every
        # 30 s, so the partitions behind it come every few seconds, not every 12)
        if slot is not None and hold > 0.0:
            if time.perf_counter() - slot.built < max(hold, slot.cost / BUILD_SHARE):
                if self.worker is not None:
                    self.worker.discard(name)  # a rebuild asked for before it was held
                return slot.value
        worker = self.worker
        busy = worker is not None and worker.busy(name)
        if self.background_above is None or (
            not heavy and (slot is None or (not busy and slot.cost < self.background_above))
        ):
            t0 = time.perf_counter()
            value = compute()
            self.memo.put(name, key, value, time.perf_counter() - t0, source)
            return value
        if worker is None:
            worker = self.worker = Worker()
        worker.submit(name, key, compute, source)
        return slot.value if slot is not None else None

    def _take_finished(self, name: str) -> None:
        """Store the worker's newest result of `name`, unless a newer one is stored already."""
        done = self.worker.finished(name) if self.worker is not None else None
        if done is None:
            return
        if done.error is not None:
            raise done.error
        slot = self.memo.slot(name)
        if slot is None or done.key[0] >= slot.key[0]:
            self.memo.put(name, done.key, done.value, done.seconds, done.source)

    def wait_for_geometry(self, timeout: float | None = None) -> bool:
        """Block until the worker finished every job (tests); False on a timeout."""
        return self.worker is None or self.worker.wait(timeout)

    def net_of(self, part: Partition | None) -> MLP:
        """The network `part` was computed from: a snapshot when it came from one (it may be
        older than the live weights), else the live network."""
        if part is not None:
            for name in PARTITIONS:
                slot = self.memo.slot(name)
                if slot is not None and slot.value is part and slot.source is not None:
                    return slot.source.net
        return self.net

    def shown_snapshot(self) -> Snapshot | None:
        """The snapshot the shown partition was made from, when it is older than the weights."""
        slot = self.memo.slot("partition")
        if slot is None or slot.source is None or slot.key[0] == self._weights:
            return None
        return slot.source

    def geometry_lag(self) -> tuple[float, int] | None:
        """(seconds, training step) of the shown partition's weights when they are older than
        the current ones, else None."""
        snap = self.shown_snapshot()
        if snap is None:
            return None
        return (time.perf_counter() - snap.taken, snap.step)

    def _laplace_key(self, prior_precision: float) -> tuple[tuple, MLP]:
        """The Laplace fit goes with the shown partition: the weights it was made from."""
        snap = self.shown_snapshot()
        version, net = (self._weights, self.net) if snap is None else (snap.version, snap.net)
        return (version, self.data_version, float(prior_precision)), net

    def laplace(self, prior_precision: float, retry: bool = False, hold: float = 0.0) -> LaplaceFit:
        """Last-layer Laplace on the training points (refitted when weights, data or the prior
        changed; `retry` fits again after a failure; `hold` as for `derive`)."""
        key, net = self._laplace_key(prior_precision)
        old = self.memo.current("laplace", key)
        if retry and old is not None and old.laplace is None:
            self.memo.forget("laplace")
        return self.memo.get("laplace", key, lambda: self.fit_laplace(key[2], net), hold)

    def held_for(self, name: str, playing: bool) -> float:
        """The `hold` for a derived value that is expensive to rebuild while training runs:
        rebuilt then at most every `cost / BUILD_SHARE` seconds (see `Memo.get`), and by one
        frame at a time (`Memo.new_frame`); 0 (always fresh) for cheap values or when paused."""
        return HOLD_BY_COST if playing and self.memo.cost(name) > EXPENSIVE_S else 0.0

    def current_laplace(self, prior_precision: float) -> LastLayerLaplace | None:
        """The Laplace fit for the shown weights and the data, if one was made (no fitting)."""
        fit = self.memo.current("laplace", self._laplace_key(prior_precision)[0])
        return fit.laplace if fit is not None else None

    def set_prior_precision(self, la: LastLayerLaplace, prior_precision: float) -> None:
        """Give the fitted posterior another prior precision without refitting it."""
        la.prior_precision = float(prior_precision)
        self.memo.put("laplace", self._laplace_key(prior_precision)[0], LaplaceFit(la))

    def region_laplace(
        self, part: Partition | None, prior_precision: float
    ) -> RegionLaplace | None:
        """The Laplace fit's closed forms in each region of `part` (made from the same weights as
        the fit, `_laplace_key`), or the newest earlier ones while a big partition's are made on
        the worker (73,000 regions of 8 x 64 take 0.2-0.5 s); None before the first, without a
        fit, or with `error` when the fit gives none (the plane then shades the regions as
        trained)."""
        la = self.current_laplace(prior_precision)
        if part is None or part.too_many or la is None:
            return None
        fit = copy.copy(la)  # the prior is set in place (set_prior_precision); this one keeps it
        prior = float(prior_precision)

        def compute() -> RegionLaplace:
            try:
                mean, var = fit.region_coefficients(part.feature_maps)
            except (ValueError, ArithmeticError) as exc:
                return RegionLaplace(part, prior, np.zeros(0), np.zeros(0), str(exc) or "failed")
            return RegionLaplace(part, prior, np.asarray(mean), np.asarray(var))

        return self.derive_behind(
            "region_laplace", compute, part, la, prior, reads=("data",),
            heavy=heavy_partition(part),
        )  # fmt: skip

    def fit_laplace(self, prior_precision: float, net: MLP | None = None) -> LaplaceFit:
        pts = self.points
        test = pts.is_test
        X, y = pts.X[~test], pts.y[~test]
        try:
            if len(X) == 0:
                raise ValueError("there are no training points")
            net = self.net if net is None else net
            la = LastLayerLaplace(net, prior_precision=prior_precision).fit(X, y)
        except (ValueError, ArithmeticError) as exc:
            return LaplaceFit(None, f"Laplace is off for now: {exc}")
        return LaplaceFit(la)

    def probe(
        self,
        origin: np.ndarray,
        direction: np.ndarray,
        reach: float,
        laplace: Any = None,
        net: MLP | None = None,
    ) -> RayProbe:
        """The ray probe of `net` (default the live network; a snapshot's on the worker)."""
        return ray_probe(self.net if net is None else net, origin, direction, reach, laplace)


def predictive_band(la: LastLayerLaplace, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and standard deviation (without the noise) of a regression Laplace at points X."""
    mean, var = la.predict(np.asarray(X, dtype=np.float64), include_noise=False)
    return np.asarray(mean).reshape(-1), np.sqrt(np.maximum(np.asarray(var).reshape(-1), 0.0))


def _nan(v: float | None) -> float:
    return float("nan") if v is None else float(v)
