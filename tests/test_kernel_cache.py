"""The background warm-up of numba's cache: stages, progress, child processes and the marker."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from sandbox import kernel_cache as KC
from sandbox.scenes.loading import LoadingView


def test_in_process_warmer_reaches_every_stage_with_a_bar_that_ends_full():
    w = KC.KernelWarmer.start(in_process=True)
    first, _ = w.progress(KC.SANDBOX)
    assert 0.0 <= first <= 1.0
    assert w.wait(KC.REST, 300), w.error
    assert w.ready(KC.SANDBOX) and w.ready(KC.REST) and w.ready(KC.SANDBOX, "geometry")
    assert w.progress(KC.SANDBOX) == (1.0, "Ready") and w.progress(KC.REST)[0] == 1.0
    assert w.error == ""


def test_stages_wait_for_their_own_steps_only():
    w = KC.KernelWarmer(groups=("training", "geometry"))
    assert not w.ready(KC.SANDBOX) and not w.ready(KC.REST)
    g = w._groups["geometry"]
    g.done = 1  # the geometry step of the sandbox stage has run
    assert w.ready(KC.SANDBOX, "geometry") and not w.ready(KC.REST, "geometry")
    assert not w.ready(KC.SANDBOX)  # training is not there yet
    t = w._groups["training"]
    t.done = 1
    assert w.ready(KC.SANDBOX) and not w.ready(KC.REST)
    t.finished = g.finished = True  # given up (an error): nothing waits for it any more
    assert w.ready(KC.REST)


def test_a_running_step_moves_the_bar_and_says_what_it_prepares():
    w = KC.KernelWarmer(groups=("geometry",))
    g = w._groups["geometry"]
    g.running_since = time.perf_counter() - 2.0
    fraction, label = w.progress(KC.SANDBOX)
    assert 0.0 < fraction < 0.95
    assert label.startswith("Preparing the exact geometry kernels")
    g.running_since -= 60.0
    later, _ = w.progress(KC.SANDBOX)
    assert fraction < later < 1.0  # creeps on, never claims to be done


def test_child_process_reports_each_step_in_order():
    out = subprocess.run(
        [sys.executable, "-m", "sandbox.kernel_cache", "geometry"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    n = len(KC.GROUPS["geometry"])
    assert out.stdout.split("\n")[: 2 * n] == [
        f"{w} {i}" for i in range(n) for w in ("begin", "done")
    ]


def test_child_refuses_an_unknown_group():
    out = subprocess.run(
        [sys.executable, "-m", "sandbox.kernel_cache", "nonsense"], capture_output=True, text=True
    )
    assert out.returncode == 2 and "usage" in out.stderr


def test_spawned_warmer_loads_what_the_children_compiled(tmp_path, monkeypatch):
    # the cache stays the shared one (warm): the children only load, then the parent does
    w = KC.KernelWarmer.start(in_process=False)
    assert not w.in_process
    assert w.wait(KC.REST, 600), w.error
    assert all(g.compiled == len(g.steps) for g in w._groups.values())


@pytest.mark.parametrize("exists", [False, True])
def test_the_marker_decides_between_a_thread_and_child_processes(monkeypatch, tmp_path, exists):
    marker = tmp_path / "marker"
    if exists:
        marker.write_text("x")
    monkeypatch.setattr(KC, "cache_marker", lambda: marker)
    spawned = []
    monkeypatch.setattr(KC.KernelWarmer, "_spawn", lambda self, name: spawned.append(name))
    w = KC.KernelWarmer.start()
    assert w.in_process is exists
    assert spawned == ([] if exists else list(KC.GROUPS))
    assert w.wait(KC.REST, 300)
    # written by the warmer's marker thread once every group finished: it may trail wait()
    for _ in range(200):
        if marker.exists():
            break
        time.sleep(0.05)
    assert marker.exists()  # written after a complete warm-up


SLEEPER = [sys.executable, "-c", "import time; time.sleep(120)"]  # a child that never finishes


def test_stop_ends_the_children_and_runs_no_further_step(monkeypatch, tmp_path):
    monkeypatch.setattr(KC, "cache_marker", lambda: tmp_path / "marker")
    monkeypatch.setattr(KC.KernelWarmer, "child_command", staticmethod(lambda name: SLEEPER))
    w = KC.KernelWarmer.start(in_process=False)
    procs = [g.process for g in w._groups.values()]
    assert procs and all(p is not None and p.poll() is None for p in procs)
    w.stop()
    assert all(p.poll() is not None for p in procs)  # ended, not left behind
    with w._changed:
        assert w._changed.wait_for(lambda: all(g.finished for g in w._groups.values()), 10)
    assert all(g.done == 0 for g in w._groups.values())  # nothing compiled here after the stop
    assert w.error == ""  # a stop is no failure
    w.stop()  # again: nothing to do
    assert not (tmp_path / "marker").exists()


def test_closing_the_app_ends_the_warm_up_children(make_app, monkeypatch, tmp_path):
    monkeypatch.setattr(KC, "cache_marker", lambda: tmp_path / "marker")  # cold: children
    monkeypatch.setattr(KC.KernelWarmer, "child_command", staticmethod(lambda name: SLEEPER))
    d = make_app(skip_loading=False)
    loading = d.app.scene
    assert loading.name == "loading"  # the sandbox waits for kernels that never come
    shown = loading.hud_key()  # what the card shows, by name
    assert isinstance(shown, LoadingView) and shown.fraction < 1.0 and shown.error == ""
    procs = [g.process for g in d.app.kernels._groups.values()]
    assert procs and all(p.poll() is None for p in procs)
    d.app.close()
    assert all(p.poll() is not None for p in procs)


def test_every_module_with_cached_kernels_makes_the_marker():
    """A change to any module whose numba kernels are cached on disk makes the cache cold
    again (the marker's sources); the benchmarks' own kernels aside."""
    from pathlib import Path

    import sandbox

    root = Path(sandbox.__file__).parent
    cached = {
        str(p.relative_to(root))
        for p in root.rglob("*.py")
        if "cache=True" in p.read_text(encoding="utf-8") and p.parts[-2] != "bench"
    }
    assert cached <= set(KC._KERNEL_SOURCES), cached - set(KC._KERNEL_SOURCES)


@pytest.mark.parametrize(
    ("module", "kernel", "calls"),
    [("sandbox.geometry.margins", "_nearest_kernel", 1),
     ("sandbox.geometry.surface", "argmax_split_kernel", 1)],
)  # fmt: skip
def test_the_warm_up_calls_the_kernels_a_fresh_install_compiled_in_a_frame(
    monkeypatch, module, kernel, calls
):
    """The monkey, replayed in a fresh checkout after the warm-up, compiled these in a frame:
    the margins view's nearest crease (561 ms at its first margins view) and the 3D surface's
    split where the top class changes (1.1 s at its first 3D view of three classes). The
    warm-up's 3D step calls them now."""
    import importlib

    mod = importlib.import_module(module)
    seen = []
    plain = getattr(mod, kernel)
    monkeypatch.setattr(mod, kernel, lambda *a: seen.append(len(a)) or plain(*a))
    (step,) = [s for s in KC.GROUPS["geometry"] if "margins" in s.label]
    step.run()
    assert len(seen) == calls
