"""Warms numba's on-disk cache of the app's kernels in background processes, with live progress.

The first start after install compiles every numba kernel (seconds each, about twenty in all);
later starts load them from numba's cache in well under a second. `KernelWarmer.start()` runs
`python -m sandbox.kernel_cache GROUP` for each group of kernels (training, geometry) in a child
process, so the window and the menu stay responsive while both cores compile; a thread reads each
child's progress lines. Every group has steps in two stages: "sandbox" (what the sandbox and the
levels open with: the default training kernel and the exact geometry) and "rest" (the other
optimizers and tasks, the 3D surface). A scene that needs a stage waits for it behind the loading
screen; nothing waits for "rest" (a kernel used before its step is done compiles in the process
that uses it). When the kernels are known to be in the cache already (a marker written after a
complete warm-up, keyed by the numba version and the kernels' sources), or when no child process
can be started, the same steps run on a thread of this process instead. No display code here.
"""

from __future__ import annotations

import hashlib
import math
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

SANDBOX = "sandbox"
FIRST_FRAME_WAIT = 20.0  # seconds the in-process warm-up waits at most for the first frame
REST = "rest"
REST_NICENESS = 15  # the rest stage's compilers yield to everything else
# The first stage's niceness per group. Training has a stand-in while its kernel compiles (the
# kernel's numpy twin, slower); the exact regions have none, so their compiler goes first.
SANDBOX_NICENESS = {"training": 5, "geometry": 0}
STAGES = (SANDBOX, REST)


def _train(activation: str) -> None:
    """Compiles the training kernel of `activation` networks (one kernel serves every task and
    optimizer; plain ReLU has its own, smaller one) and the trainer's figures."""
    from sandbox.nn import MLP, Trainer

    rng = np.random.default_rng(0)
    X = rng.normal(size=(8, 2))
    tr = Trainer(MLP([2, 3, 2], activation=activation), X, np.arange(8) % 2, batch_size=4)
    tr.step(2)
    tr.set_batch_size(100)
    tr.step(1)
    tr.metrics()


def _geometry() -> None:
    from sandbox.geometry import _kernels, dead_neurons, linear_regions
    from sandbox.geometry.region_stats import data_shape, region_stats
    from sandbox.nn import MLP

    net = MLP([2, 4, 3, 2], seed=0)
    bounds = (-1.0, 1.0, -1.0, 1.0)
    part = linear_regions(net, bounds)
    # the parents' tree of a wide layer's pass (over SHARE_MIN_SIZE weights; this net has none)
    _kernels._layer_tree(np.full(1, -1, np.int64), np.zeros(1, np.int64), 0, 1)
    _ = part.mesh.vertices, part.region_colors, part.feature_maps
    linear_regions(net, bounds, upto_layer=1).mesh  # noqa: B018 - compiles the partial mesh
    dead_neurons(net, bounds, np.zeros((3, 2)), partition=part)
    # the statistics chart beside the loss (regions near and far from the data)
    region_stats(part, data_shape(np.random.default_rng(0).normal(size=(6, 2)) * 0.3), net)


def _two_threads() -> None:
    """The two-thread path of big layers (joins the halves), forced on a small network."""
    from sandbox.geometry._cutting import cut_layers, give_back
    from sandbox.nn import MLP

    net = MLP([2, 4, 3, 2], seed=0)
    bounds = np.array((-1.0, 1.0, -1.0, 1.0))
    cut = cut_layers(net.params, net.layout, 2, bounds, 1e-12, 10**5, 10**9, 10**9, 2, 1)
    give_back(cut.buffers)


def _surface() -> None:
    from sandbox.geometry import linear_regions
    from sandbox.geometry.surface import build_surface
    from sandbox.nn import MLP

    # three classes or more: the facets split where the top class changes (a fresh install's
    # first 3D view of three classes compiled that kernel in the frame: 1.1 s)
    for classes in (2, 3):
        net = MLP([2, 4, 3, classes], seed=0)
        build_surface(linear_regions(net, (-1.0, 1.0, -1.0, 1.0)), net)
    # the per-region Laplace closed forms the plane and the surface shade with
    from sandbox.bayes.region_coefficients import region_coefficients_kernel

    region_coefficients_kernel(np.zeros((1, 3, 3)), np.zeros((2, 4)), np.zeros((2, 4, 4)))
    # the margins view's nearest crease to each point (its first use froze the window 0.5 s)
    from sandbox.geometry.margins import nearest_on_segments

    nearest_on_segments(np.zeros((2, 2)), np.array([[0.0, 0.0, 1.0, 1.0]]))


@dataclass(frozen=True)
class Step:
    """One warm-up step: its stage, its share of the bar, about how long it takes cold on a
    2-core laptop (seconds; the bar creeps towards the step's end at that pace) and its label."""

    stage: str
    share: float
    cold_seconds: float
    label: str
    run: Callable[[], None]


GROUPS: dict[str, tuple[Step, ...]] = {
    "training": (
        Step(SANDBOX, 0.30, 8.0, "training kernel", lambda: _train("relu")),
        Step(REST, 0.20, 8.0, "training kernel for other activations", lambda: _train("tanh")),
    ),
    "geometry": (
        Step(SANDBOX, 0.40, 8.0, "exact geometry kernels", _geometry),
        Step(REST, 0.05, 1.5, "two-thread region kernels", _two_threads),
        Step(REST, 0.10, 2.5, "3D surface, margins and Laplace kernels", _surface),
    ),
}

# sources whose kernels the steps compile: a change to any of them makes the cache cold again
_KERNEL_SOURCES = (
    "nn/kernels.py",
    "nn/dense_kernels.py",
    "nn/exp_log.py",
    "geometry/_kernels.py",
    "geometry/_drawing_kernels.py",
    "geometry/colors.py",
    "geometry/_argmax_split.py",
    "geometry/_join_kernels.py",
    "geometry/_map_kernels.py",
    "geometry/region_stats.py",
    "geometry/margins.py",
    "nn/schedule.py",
    "nn/act_kernels.py",
    "bayes/region_coefficients.py",
)


def cache_marker() -> Path:
    """The file whose presence says a complete warm-up filled numba's cache for these sources.

    numba is known by where its package lies and its version file's time and size, not by
    importing it (a good part of a second) or reading its installed metadata (about 50 ms of
    scanning): the start menu asks this before its first frame."""
    from importlib.util import find_spec

    try:
        spec = find_spec("numba")
        where = Path(spec.origin).parent if spec is not None and spec.origin else None
        st = (where / "_version.py").stat() if where is not None else None
        numba_id = f"{where} {st.st_mtime_ns} {st.st_size}" if st is not None else "none"
    except (ImportError, ValueError, OSError):
        numba_id = "unknown"
    root = Path(__file__).resolve().parent
    key = hashlib.sha256()
    key.update(f"{numba_id} {sys.version} {sys.executable}".encode())
    for rel in _KERNEL_SOURCES:
        try:
            st = (root / rel).stat()
            key.update(f"{rel} {st.st_mtime_ns} {st.st_size}".encode())
        except OSError:
            key.update(rel.encode())
    cache_dir = os.environ.get("NUMBA_CACHE_DIR") or str(root / "__pycache__")
    return Path(cache_dir) / f"neural-origami-warm-{key.hexdigest()[:16]}"


def _write_marker(marker: Path) -> None:
    try:
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.write_text("numba's cache holds every kernel of sandbox.kernel_cache\n")
    except OSError:
        pass  # no marker: the next start warms in the background again, which is only slower


@dataclass
class _GroupState:
    steps: tuple[Step, ...]
    compiled: int = 0  # steps the child process has finished (in order)
    done: int = 0  # steps run in this process too: their kernels are loaded here
    running_since: float | None = None
    child_gone: bool = False  # the child exited (or none was started)
    finished: bool = False
    error: str = ""
    process: subprocess.Popen | None = field(default=None, repr=False)


class KernelWarmer:
    """Fills numba's cache in the background; says how far it is and which stages are ready."""

    def __init__(self, groups: tuple[str, ...] = tuple(GROUPS)) -> None:
        self._groups = {name: _GroupState(GROUPS[name]) for name in groups}
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self.started_at = time.perf_counter()
        self.in_process = False
        self.cold = True  # set by start()
        self.marker = cache_marker()  # read once: the sources may change while this one runs
        self._idle_first = 0.0
        self._shown = threading.Event()  # the app's first frame is on screen
        self._stopped = False  # stop() was called: no further step runs, children are ended

    @classmethod
    def start(cls, in_process: bool | None = None, idle_first: float = 0.0) -> KernelWarmer:
        """Start warming now. in_process: None picks a thread of this process when the cache is
        known to be warm (loading takes well under a second) and child processes otherwise.
        idle_first: seconds this process's threads wait, after the app's first frame is on
        screen (`first_frame_shown`), before loading anything (children start at once), so that
        the first frames of a scene that needs no kernels come first, however slow the machine."""
        warmer = cls()
        warmer._idle_first = max(0.0, float(idle_first))
        # cold: numba's cache was not known to be filled, so the kernels compile (tens of
        # seconds on a first start) rather than load from it (about a second)
        warmer.cold = not warmer.marker.exists()
        if in_process is None:
            in_process = not warmer.cold
        warmer.in_process = bool(in_process)
        for name in warmer._groups:
            if warmer.in_process or not warmer._spawn(name):
                warmer._event(name, "exit", 0)  # no child: every step compiles here
            threading.Thread(
                target=warmer._run_here, args=(name,), name=f"warm-{name}", daemon=True
            ).start()
        threading.Thread(target=warmer._mark_when_done, name="warm-marker", daemon=True).start()
        return warmer

    # ------------------------------------------------------------------ workers
    @staticmethod
    def child_command(name: str) -> list[str]:
        """The command line of the child process that compiles group `name`."""
        return [sys.executable, "-m", "sandbox.kernel_cache", name]

    def _spawn(self, name: str) -> bool:
        package_parent = str(Path(__file__).resolve().parent.parent)
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (package_parent, env.get("PYTHONPATH", "")) if p
        )
        try:
            proc = subprocess.Popen(
                self.child_command(name),
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                stdin=subprocess.DEVNULL,
                env=env,
                text=True,
            )
        except OSError:
            return False
        self._groups[name].process = proc
        threading.Thread(
            target=self._read, args=(name, proc), name=f"warm-{name}-reader", daemon=True
        ).start()
        return True

    def _read(self, name: str, proc: subprocess.Popen) -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            parts = line.split()
            if len(parts) == 2 and parts[0] in ("begin", "done") and parts[1].isdigit():
                self._event(name, parts[0], int(parts[1]))
            elif parts[:1] == ["error"]:
                self._event(name, "error", 0, line[6:].strip())
        code = proc.wait()
        self._event(name, "exit", code)

    def first_frame_shown(self) -> None:
        """The app drew its first frame: the idle time before loading kernels here starts."""
        self._shown.set()

    def _run_here(self, name: str) -> None:
        """Run the group's steps in this process, each once the child has compiled it (then
        it only loads the kernels from the cache), so that using them later costs no stall."""
        g = self._groups[name]
        if self._idle_first:
            self._shown.wait(FIRST_FRAME_WAIT)
            time.sleep(self._idle_first)
        for i, step in enumerate(g.steps):
            with self._changed:
                self._changed.wait_for(lambda i=i: g.compiled > i or g.child_gone or self._stopped)
                if self._stopped:
                    break
                if g.running_since is None:
                    g.running_since = time.perf_counter()
            try:
                step.run()
            except Exception as exc:  # only costs speed later: the kernel compiles when used
                self._event(name, "error", 0, f"{step.label}: {exc}")
                break
            with self._changed:
                g.done = i + 1
                g.running_since = None
                self._changed.notify_all()
        with self._changed:
            g.finished = True
            self._changed.notify_all()

    def _event(self, name: str, kind: str, value: int, text: str = "") -> None:
        with self._changed:
            g = self._groups[name]
            if kind == "begin":
                g.running_since = time.perf_counter()
            elif kind == "done":
                g.compiled = max(g.compiled, value + 1)
            elif kind == "error":
                g.error = text
            elif kind == "exit":
                if value != 0 and not g.error and not self._stopped:
                    g.error = f"the {name} warm-up stopped (exit code {value})"
                g.child_gone = True
            self._changed.notify_all()

    def _mark_when_done(self) -> None:
        with self._changed:
            self._changed.wait_for(lambda: all(g.finished for g in self._groups.values()))
            complete = all(g.done == len(g.steps) and not g.error for g in self._groups.values())
        if complete:
            _write_marker(self.marker)

    def stop(self, timeout: float = 2.0) -> None:
        """Stop warming (the app closes): the child processes still compiling are ended
        (terminated, killed after `timeout` seconds) and this process's threads run no further
        step. What was compiled stays in numba's cache; no marker is written. Safe to repeat."""
        with self._changed:
            self._stopped = True
            procs = [g.process for g in self._groups.values() if g.process is not None]
            self._changed.notify_all()
        for proc in procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    # ------------------------------------------------------------------ queries
    def _stage_ready(self, stage: str, group: str | None) -> bool:
        upto = STAGES.index(stage)
        for name, g in self._groups.items():
            if g.finished or (group is not None and name != group):
                continue
            for step in g.steps[g.done :]:
                if STAGES.index(step.stage) <= upto:
                    return False
        return True

    def ready(self, stage: str = SANDBOX, group: str | None = None) -> bool:
        """True once every step of `stage` and the stages before it (of one group, or of all)
        has run in this process (or was given up): its kernels are then used without a stall."""
        with self._lock:
            return self._stage_ready(stage, group)

    def wait(self, stage: str = SANDBOX, timeout: float | None = None) -> bool:
        """Block until `stage` is ready or the timeout passes; returns ready()."""
        with self._changed:
            return self._changed.wait_for(lambda: self._stage_ready(stage, None), timeout)

    @property
    def error(self) -> str:
        with self._lock:
            return "; ".join(g.error for g in self._groups.values() if g.error)

    def progress(self, stage: str = SANDBOX) -> tuple[float, str]:
        """(fraction in [0, 1], present-tense label) of the steps up to `stage`. A running step
        creeps towards its end at its expected pace, so the bar moves during a long compile."""
        upto = STAGES.index(stage)
        now = time.perf_counter()
        total = got = 0.0
        running = []
        with self._lock:
            for g in self._groups.values():
                for i, step in enumerate(g.steps):
                    if STAGES.index(step.stage) > upto:
                        continue
                    total += step.share
                    if i < g.done or g.finished:
                        got += step.share
                    elif i == g.done and g.running_since is not None and not g.finished:
                        t = now - g.running_since
                        got += step.share * 0.95 * (1.0 - math.exp(-t / step.cold_seconds))
                        running.append(step.label)
        fraction = got / total if total else 1.0
        seconds = int(now - self.started_at)
        if running:
            what = " and ".join(running)
            label = f"Preparing the {what} ({seconds} s; only the first start takes this long)"
        elif fraction >= 1.0:
            label = "Ready"
        else:
            label = "Starting"
        return min(fraction, 1.0), label


def warm_here() -> None:
    """Run every step in this process now (blocking): benchmarks that time warm kernels."""
    for steps in GROUPS.values():
        for step in steps:
            step.run()


def _child_main(group: str) -> int:
    """Run one group's steps, printing `begin i` / `done i` lines (the parent reads them).

    The geometry's first stage runs at the window's own priority: the sandbox is already open and
    waits for it, and it leaves the cores free by drawing few frames meanwhile; the training
    kernel's first stage yields to it (SANDBOX_NICENESS). The rest stage runs at a low priority,
    so it never delays the other group's first stage."""
    lowered = False
    if SANDBOX_NICENESS.get(group, 0) and hasattr(os, "nice"):
        try:
            os.nice(SANDBOX_NICENESS[group])
        except OSError:
            pass

    def say(text: str) -> None:
        try:
            print(text, flush=True)
        except (OSError, ValueError):  # the app has gone: finish filling the cache quietly
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115

    for i, step in enumerate(GROUPS[group]):
        if step.stage != SANDBOX and not lowered and hasattr(os, "nice"):
            lowered = True
            try:
                os.nice(max(0, REST_NICENESS - SANDBOX_NICENESS.get(group, 0)))
            except OSError:
                pass
        say(f"begin {i}")
        try:
            step.run()
        except Exception as exc:
            say(f"error {step.label}: {exc}".replace("\n", " "))
            return 1
        say(f"done {i}")
    return 0


def main(argv: list[str]) -> int:
    if len(argv) != 1 or argv[0] not in GROUPS:
        print(f"usage: python -m sandbox.kernel_cache {{{','.join(GROUPS)}}}", file=sys.stderr)
        return 2
    return _child_main(argv[0])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
