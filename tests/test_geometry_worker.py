"""The geometry worker: partitions of big networks are computed beside the frames from a
snapshot of the weights; the frame shows the newest finished one and never waits.

No timing: the worker's job is held at a gate the test opens, and `wait_for_geometry` waits
for it, so every step is deterministic.
"""

from __future__ import annotations

import os
import threading
import time

import numpy as np
import pytest

import sandbox.session as session_module
from sandbox.background import Worker
from sandbox.geometry import linear_regions
from sandbox.session import Session
from sandbox.training_setup import TrainingSetup, new_points
from sandbox.view_jobs import neuron_flags_job
from sandbox.vocab import Task

BOUNDS = (-6.0, 6.0, -6.0, 6.0)


def ring_session(hidden=(16, 16)) -> Session:
    s = Session()
    pts = new_points(Task.CLASSIFICATION, 0.2, 0)
    rng = np.random.default_rng(0)
    X = rng.uniform(-5, 5, size=(200, 2))
    y = (np.hypot(X[:, 0], X[:, 1]) > 3).astype(np.int64)
    pts.add(X, y)
    s.set_points(pts)
    s.new_network([2, *hidden, 2], TrainingSetup(seed=1))
    return s


class Gate:
    """Holds every background partition job until `open()` (jobs made in the frame pass)."""

    def __init__(self, monkeypatch) -> None:
        self.event = threading.Event()
        self.started = threading.Event()
        plain = session_module.partition_job

        def held(net, bounds, upto, threads):
            if threads is not None:  # the worker's jobs ask for one thread
                self.started.set()
                assert self.event.wait(60), "the test never opened the gate"
            return plain(net, bounds, upto, threads)

        monkeypatch.setattr(session_module, "partition_job", held)

    def open(self) -> None:
        self.event.set()


class SurfaceGate:
    """Holds the 3D surface jobs the worker runs until the test lets them through, one at a
    time (`let_one`) or all (`open`); surfaces made in the frame pass."""

    def __init__(self, monkeypatch) -> None:
        import sandbox.view_jobs as view_jobs

        self.permits, self.started = threading.Semaphore(0), threading.Event()
        plain = view_jobs.build_surface

        def held(*args, **kwargs):
            if threading.current_thread() is not threading.main_thread():
                self.started.set()
                assert self.permits.acquire(timeout=60), "the test never let the job run"
            return plain(*args, **kwargs)

        monkeypatch.setattr(view_jobs, "build_surface", held)

    def let_one(self) -> None:
        self.permits.release()

    def open(self) -> None:
        for _ in range(8):
            self.permits.release()


def frames_until(d, done) -> None:
    """Run the app's frames until `done()` (a minute at most)."""
    deadline = time.monotonic() + 60
    while not done():
        assert time.monotonic() < deadline, "timed out"
        d.send([], frames=1)
        time.sleep(0.02)


def same_partition(a, b) -> None:
    np.testing.assert_array_equal(a.offsets, b.offsets)
    np.testing.assert_array_equal(a.vertices, b.vertices)
    np.testing.assert_array_equal(a.patterns, b.patterns)
    np.testing.assert_array_equal(a.boundary, b.boundary)


def test_worker_runs_the_newest_job_and_hands_back_errors():
    w = Worker()
    gate, started = threading.Event(), threading.Event()

    def first():
        started.set()
        return gate.wait(30) and "first"

    try:
        w.submit("a", (1,), first)
        assert started.wait(30)
        w.submit("a", (2,), lambda: "second")
        w.submit("a", (3,), lambda: "third")  # replaces the waiting (2,)
        assert w.busy("a") and not w.busy("b")
        gate.set()
        assert w.wait(30)
        done = w.finished("a")
        assert done.key == (3,) and done.value == "third" and done.error is None
        assert w.finished("a") is None  # handed back once
        assert w.jobs_run == 2

        def boom():
            raise ValueError("bad weights")

        w.submit("b", (1,), boom)
        w.wait(30)
        err = w.finished("b").error
        assert isinstance(err, ValueError) and "bad weights" in str(err)
        # results of jobs from before drop_all never come back
        gate.clear()
        w.submit("c", (1,), lambda: gate.wait(30) and 1)
        w.drop_all()
        gate.set()
        w.wait(30)
        assert w.finished("c") is None
    finally:
        w.close()


def test_in_the_frame_without_a_worker_the_partition_is_always_current():
    s = ring_session()
    part = s.partition(BOUNDS)
    s.train(5)
    assert s.partition(BOUNDS) is not part
    same_partition(s.partition(BOUNDS), linear_regions(s.net, BOUNDS))
    assert s.worker is None and s.geometry_lag() is None


def test_the_frame_shows_the_newest_finished_partition_while_the_next_is_made(monkeypatch):
    s = ring_session()
    s.background_above = 0.0  # every partition after the first goes to the worker
    gate = Gate(monkeypatch)
    try:
        first = s.partition(BOUNDS)  # nothing to show yet: made at once
        weights0 = s.net.params.copy()
        same_partition(first, linear_regions(s.net, BOUNDS))
        s.train(20)
        step = s.trainer.steps
        # the worker is held: the frame gets the older partition, exact for the older weights
        shown = s.partition(BOUNDS)
        assert shown is first
        assert gate.started.wait(30) and s.worker.busy("partition")
        np.testing.assert_array_equal(s.net_of(shown).params, weights0)
        lag = s.geometry_lag()
        assert lag is not None and lag[1] == 0
        # what goes with the shown partition comes from its weights, not the live ones
        fit = s.laplace(1.0)
        np.testing.assert_array_equal(fit.laplace.net.params, weights0)
        assert s.current_laplace(1.0) is fit.laplace
        flags = neuron_flags_job(s, BOUNDS, shown)()
        assert flags[0].shape == (32,)
        # asked again while in flight: still the shown one, no second job
        assert s.partition(BOUNDS) is first
        gate.open()
        assert s.wait_for_geometry(60)
        new = s.partition(BOUNDS)
        assert new is not first and s.geometry_lag() is None
        same_partition(new, linear_regions(s.net, BOUNDS))
        assert s.is_current("partition", BOUNDS, None)
        assert s.trainer.steps == step
        np.testing.assert_array_equal(s.net_of(new).params, s.net.params)
        # the Laplace fit follows the shown (now current) weights
        assert s.laplace(1.0).laplace is not fit.laplace
    finally:
        if s.worker is not None:
            s.worker.close()


def test_a_new_screen_drops_what_the_worker_made_for_the_old_one(monkeypatch):
    s = ring_session()
    s.background_above = 0.0
    gate = Gate(monkeypatch)
    try:
        s.partition(BOUNDS)
        s.train(5)
        s.partition(BOUNDS)
        assert gate.started.wait(30)
        s.reset()
        gate.open()
        s.wait_for_geometry(60)
        s2 = ring_session((8,))
        s.set_points(s2.points)
        s.new_network([2, 8, 2], TrainingSetup(seed=2))
        part = s.partition(BOUNDS)
        same_partition(part, linear_regions(s.net, BOUNDS))
    finally:
        s.worker.close()


@pytest.mark.parametrize("layer", [1, 2])
def test_layer_partitions_go_to_the_worker_too(monkeypatch, layer):
    s = ring_session()
    s.background_above = 0.0
    try:
        s.partition(BOUNDS, upto_layer=layer)
        s.train(10)
        s.partition(BOUNDS, upto_layer=layer)
        s.wait_for_geometry(60)
        part = s.partition(BOUNDS, upto_layer=layer)
        same_partition(part, linear_regions(s.net, BOUNDS, upto_layer=layer))
    finally:
        s.worker.close()


def test_the_app_trains_a_big_network_while_the_worker_is_held(make_app, monkeypatch):
    import sandbox.scenes.plane as plane_module

    app = make_app(menu=False, hidden=(64, 64, 64, 64), points=200)
    s = app.state
    session = s.session
    session.background_above = 0.0
    monkeypatch.setattr(plane_module, "LAG_MARK_S", 0.0)  # the mark at once, not after seconds
    gate = Gate(monkeypatch)
    try:
        s.playing = True
        app.run_frames(1, dt=1 / 30)  # made in this frame, from a snapshot: nothing older
        shown = s.partition
        assert session.is_current("partition", app.scene.plane.bounds(), None)
        step0 = session.trainer.steps
        assert session.memo.slot("partition").source.step == step0
        app.run_frames(6, dt=1 / 30)  # the frames go on while the worker is held
        assert session.trainer.steps > step0
        # (the worker thread runs at a lower priority: on a loaded machine it may start the
        # held job only after these frames)
        assert gate.started.wait(30) and session.worker.busy("partition")
        assert s.partition is shown
        assert s.geometry.behind_step == step0
        assert f"at step {step0:,}" in app.scene.panels._labels["regions"].text  # noqa: SLF001
        s.playing = False
        gate.open()
        assert session.wait_for_geometry(120)
        app.run_frames(1, dt=1 / 30)
        # the worker may have started on weights a frame older than the last: wait once more
        assert session.wait_for_geometry(120)
        app.run_frames(1, dt=1 / 30)
        bounds = app.scene.plane.bounds()
        assert session.is_current("partition", bounds, None)
        assert s.geometry.behind_step is None
        same_partition(s.partition, linear_regions(s.net, bounds))
    finally:
        gate.open()


def test_a_surface_made_behind_a_new_partition_draws_with_its_own_regions(make_app, monkeypatch):
    """A zoom makes a new partition while the worker still makes the 3D surface of an older
    one: when that surface arrives, the frame draws it with the colours of the partition it was
    made of (the newer partition's do not fit it: that raised once), then the next one joins."""
    from app_util import motion, wheel

    d = make_app(menu=False, views=("field", "creases", "3d"), hidden=(16, 16), points=200)
    s, session = d.state, d.state.session
    d.send([], frames=2)
    v3 = d.app.scene.view3d
    first = v3.surface
    assert first is not None and len(v3.region_colors) == s.partition.n_regions
    old = s.partition
    session.background_above = 0.0  # from now on every partition and surface on the worker
    gate = SurfaceGate(monkeypatch)
    try:
        d.send([*motion(d.plane_point(0.5, 0.5)), *wheel(3)], frames=1)  # zoom in
        frames_until(d, lambda: s.partition.n_regions != old.n_regions and gate.started.is_set())
        d.send([], frames=2)  # the surface of the old partition is still held: none newer
        assert v3.surface is first
        gate.let_one()  # that one (made of the old partition) finishes
        frames_until(d, lambda: v3.surface is not first)
        # drawn with the colours of the partition it was made of, one per region of its mesh
        # (the shown partition is newer: its colours do not fit this surface)
        assert len(v3.region_colors) == int(v3.surface.surface.region.max()) + 1
        gate.open()
        assert session.wait_for_geometry(120)
        d.send([], frames=2)
        assert session.wait_for_geometry(120)
        d.send([], frames=2)
        assert len(v3.region_colors) == s.partition.n_regions
    finally:
        gate.open()


def test_a_surface_made_before_points_were_painted_draws_its_own_points(make_app, monkeypatch):
    """Points painted while the worker makes the 3D surface: when that surface arrives it
    stands the points it was made with, drawn in their own classes (the live points' classes
    did not fit them: the monkey found it raising)."""
    from app_util import click, motion, wheel

    d = make_app(menu=False, views=("field", "creases", "3d"), hidden=(16, 16), points=200)
    s, session = d.state, d.state.session
    d.send([], frames=2)
    v3 = d.app.scene.view3d
    first = v3.surface
    session.background_above = 0.0
    gate = SurfaceGate(monkeypatch)
    try:
        n = len(s.points)
        d.send([*motion(d.plane_point(0.5, 0.5)), *wheel(2)], frames=1)  # a job for new bounds
        frames_until(d, gate.started.is_set)
        d.send(click(d.plane_point(0.3, 0.3)), frames=2)  # paints while it is held
        assert len(s.points) > n
        gate.let_one()  # the surface made with the old points arrives
        frames_until(d, lambda: v3.surface is not first)
        d.send([], frames=2)
        assert len(v3.points3d) == len(v3.point_y) == len(v3.point_test) == n
        gate.open()
        for _ in range(2):
            assert session.wait_for_geometry(120)
            d.send([], frames=2)
        assert len(v3.points3d) == len(s.points)
    finally:
        gate.open()


def test_neuron_checks_never_make_a_partition_of_their_own(monkeypatch):
    """Dead neurons and the inspector's flags use the partition they are given: with none yet
    they wait (no flags), and with one over its budget they sample instead of partitioning the
    window again (a picture's 500 neurons took 2.4 s in the frame that way)."""
    import sandbox.geometry.health as health
    from sandbox.view_jobs import dead_neurons_job, neuron_names

    s = ring_session((8,))
    s.new_network([2, 300, 2], TrainingSetup(seed=1))

    def refuse(*args, **kwargs):
        raise AssertionError("a neuron check made its own partition")

    over = linear_regions(s.net, BOUNDS, max_regions=50)
    assert over.too_many
    monkeypatch.setattr(health, "linear_regions", refuse)
    dead, copycat = neuron_flags_job(s, BOUNDS, None)()
    assert dead.shape == copycat.shape == (300,) and not dead.any() and not copycat.any()
    assert dead_neurons_job(s, BOUNDS, None)() == []
    dead, copycat = neuron_flags_job(s, BOUNDS, over)()
    assert dead.shape == (300,) and not copycat.any()
    assert dead_neurons_job(s, BOUNDS, over)() == neuron_names([300], np.flatnonzero(dead))


def test_a_big_networks_first_partition_is_made_on_the_worker(monkeypatch):
    """Over FIRST_ON_WORKER_NEURONS hidden neurons not even the first partition is made in the
    frame (8 x 64's took 0.6 s there): a placeholder says the regions are being made, the
    neuron checks wait for it, and after a change of network the other network's regions are
    never shown for this one."""
    from sandbox.view_jobs import dead_neurons_job

    monkeypatch.setattr(session_module, "FIRST_ON_WORKER_NEURONS", 20)
    gate = Gate(monkeypatch)
    s = ring_session((16, 16))
    s.background_above = 10.0  # a small network's partitions stay in the frame
    try:
        first = s.partition(BOUNDS)
        assert first.pending and first.too_many and len(first) == 0
        assert first.message == session_module.MAKING_REGIONS
        assert dead_neurons_job(s, BOUNDS, first)() == []  # waits, makes no partition
        flags = neuron_flags_job(s, BOUNDS, first)()
        assert not flags[0].any() and not flags[1].any()
        assert gate.started.wait(20)
        gate.open()
        assert s.wait_for_geometry(20)
        made = s.partition(BOUNDS)
        assert not made.pending and not made.too_many
        assert len(made) == len(linear_regions(s.net, BOUNDS))
        s.new_network([2, 12, 12, 2], TrainingSetup(seed=2))  # 24 neurons: big here too
        other = s.partition(BOUNDS)
        assert other.pending  # not the 16 x 16 network's regions
        assert s.wait_for_geometry(20)
        assert list(s.partition(BOUNDS).sizes) == [2, 12, 12, 2]
        s.new_network([2, 8, 8, 2], TrainingSetup(seed=3))  # 16 neurons: in the frame
        small = s.partition(BOUNDS)
        assert not small.pending and list(small.sizes) == [2, 8, 8, 2]
    finally:
        gate.open()
        if s.worker is not None:
            s.worker.close()


@pytest.mark.skipif(not hasattr(os, "setpriority"), reason="thread priorities are Linux's")
def test_the_worker_yields_the_cores_to_the_frame():
    """The worker thread runs WORKER_NICE below the frame's thread (Linux nice values)."""
    from sandbox.background import WORKER_NICE

    worker = Worker()
    try:
        worker.submit(
            "nice", (0,), lambda: os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
        )
        assert worker.wait(10)
        done = worker.finished("nice")
        mine = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
        assert done.value == min(19, mine + WORKER_NICE)
    finally:
        worker.close()


def test_a_costly_held_view_waits_in_proportion_to_its_cost():
    """While training, a view held with `hold` is rebuilt no more than its cost / BUILD_SHARE
    allows (8 x 64's 3D surface took the worker 11 s, and the partitions queued behind it came
    every 12 s); a rebuild queued before it was held is dropped."""
    from sandbox.memo import BUILD_SHARE

    s = Session()
    s.background_above = 1.0
    built: list[str] = []
    gate = threading.Event()

    def job(value):
        def build():
            built.append(value)
            return value

        return build

    try:
        s.worker = Worker()
        s.worker.submit("block", (0,), lambda: gate.wait(20))  # the worker is busy
        s.worker.submit("x", (-1,), job("queued"))  # a rebuild waiting behind it
        s.memo.put("x", s._key(("weights",), ()), "old", cost=0.5 * BUILD_SHARE * 10)
        s.weights_changed()
        held = s.derive_behind("x", job("new"), reads=("weights",), hold=0.05, heavy=True)
        assert held == "old"  # built under a second ago; its cost holds it for 5 s
        gate.set()
        assert s.wait_for_geometry(20)
        assert built == []  # neither the queued rebuild nor a new one ran
        s.memo.put("x", s._key(("weights",), ()), "cheap", cost=0.0)
        s.weights_changed()
        time.sleep(0.06)  # past `hold`; a cheap value's cost holds it no longer
        assert (
            s.derive_behind("x", job("new"), reads=("weights",), hold=0.05, heavy=True) == "cheap"
        )
        assert s.wait_for_geometry(20) and built == ["new"]
    finally:
        gate.set()
        s.worker.close()


def test_the_ray_probe_is_made_on_the_worker_from_a_snapshot(make_app, monkeypatch):
    """The probe's rays cost a big network 100-300 ms: once a build took longer than
    `background_above` they are made on the worker from a snapshot of the weights, and the
    frame shows the newest finished ones (exact for the weights they were made from)."""
    import threading

    import sandbox.session as session_module
    from sandbox.geometry import ray_probe

    d = make_app(menu=False, views=("field", "creases", "probe"), hidden=(16, 16), points=200)
    s, session = d.state, d.state.session
    d.send([], frames=2)
    probe = d.app.scene.probe
    first = probe.probes
    assert first
    threads = []

    def recorded(net, *args, **kwargs):
        threads.append(threading.current_thread().name)
        return ray_probe(net, *args, **kwargs)

    monkeypatch.setattr(session_module, "ray_probe", recorded)
    session.background_above = 0.0  # from now on on the worker
    d.scene.train_now(50)
    d.send([], frames=1)
    assert probe.probes is first  # the frame did not wait: the old rays still shown
    assert session.wait_for_geometry(60)
    d.send([], frames=1)
    assert probe.probes is not first and threads
    assert "MainThread" not in threads
    ox, oy, reach = s.stage.probe_resolved
    want = ray_probe(s.net, np.array([ox, oy]), probe.probes[0].direction, reach, None)
    np.testing.assert_array_equal(probe.probes[0].radii, want.radii)
    np.testing.assert_array_equal(probe.probes[0].logits_at_breakpoints, want.logits_at_breakpoints)
