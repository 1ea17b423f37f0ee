"""The loading screen: compiles the numba kernels in a background thread behind a progress bar.

The first start compiles the training, geometry and Laplace kernels (seconds); later starts hit
numba's cache and pass through in well under a second. Compiling off the main thread keeps the
window responsive (it can be moved, resized or closed meanwhile). Each core package may offer a
`warmup(progress)` function; the ones present are run in turn and their progress is combined.
"""

from __future__ import annotations

import importlib
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
import pygame

from sandbox import actions as A
from sandbox.scenes.base import Scene
from sandbox.ui import hud
from sandbox.ui.layout import compute_layout

if TYPE_CHECKING:
    from sandbox.app import App


def _exercise_geometry(progress: Callable[[float, str], None]) -> None:
    """Compile the geometry kernels by using them once on a tiny network."""
    from sandbox.geometry import dead_neurons, linear_regions
    from sandbox.nn import MLP

    net = MLP([2, 4, 3, 2], seed=0)
    bounds = (-1.0, 1.0, -1.0, 1.0)
    part = linear_regions(net, bounds)
    progress(0.5, "regions")
    _ = part.mesh.vertices, part.region_colors
    linear_regions(net, bounds, upto_layer=1).mesh  # noqa: B018 - compiles the partial mesh
    dead_neurons(net, bounds, np.zeros((3, 2)), partition=part)
    progress(1.0, "meshes")


def _exercise_training(progress: Callable[[float, str], None]) -> None:
    """Compile the trainer's kernels by taking a few steps of each kind on tiny data."""
    from sandbox.scenes import backend
    from sandbox.state import NetworkSettings
    from sandbox.vocab import Task

    jobs = [(task, opt) for task in Task for opt in ("adam", "sgd")]
    for i, (task, opt) in enumerate(jobs):
        points = backend.new_points(task, 0.25, 0)
        X = np.array([[0.0, 0.0], [1.0, 1.0], [-1.0, 0.5], [0.5, -1.0]])
        points.add(X, [0, 1, 0, 1] if task is Task.CLASSIFICATION else [0.0, 1.0, 0.5, 0.2])
        net = backend.new_network([2, 4, 4, backend.outputs_needed(points)], 0)
        tr = backend.new_trainer(net, points, NetworkSettings(optimizer=opt, batch_size=2))
        backend.train_steps(tr, 3)
        backend.metrics(tr)
        progress((i + 1) / len(jobs), f"{task.value} with {opt}")


# (module, label, share of the bar, what to run when the module has no warmup of its own)
WARMUPS: tuple[tuple[str, str, float, Callable | None], ...] = (
    ("sandbox.nn", "training kernels", 0.5, _exercise_training),
    ("sandbox.geometry", "exact geometry kernels", 0.35, _exercise_geometry),
    ("sandbox.bayes", "Laplace kernels", 0.15, None),
)


def warmup_functions() -> list[tuple[str, float, Callable]]:
    """The warm-up functions to run, with their labels and shares of the progress bar."""
    found = []
    for module_name, label, share, fallback in WARMUPS:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        fn = getattr(module, "warmup", None) or fallback
        if callable(fn):
            found.append((label, share, fn))
    return found


def run_warmups(report: Callable[[float, str], None] | None = None) -> None:
    """Compile every kernel now (blocking), reporting overall progress in [0, 1]."""
    items = warmup_functions()
    total = sum(share for _, share, _ in items) or 1.0
    done = 0.0
    for label, share, fn in items:
        base = done

        def progress(fraction: float, detail: str = "", base=base, share=share, label=label):
            if report is not None:
                f = base + share * min(max(float(fraction), 0.0), 1.0)
                report(f / total, f"Preparing {label}" + (f": {detail}" if detail else ""))

        try:
            fn(progress)
        except TypeError:
            fn()
        done += share
        if report is not None:
            report(done / total, f"Prepared {label}")


class LoadingScene(Scene):
    """Progress bar while kernels compile; then hands over to `then()`."""

    name = "loading"

    def __init__(self, app: App, then: Callable[[], Scene]) -> None:
        super().__init__(app)
        self.then = then
        self.fraction = 0.0
        self.label = "Starting"
        self.error = ""
        self._done = threading.Event()
        self._thread: threading.Thread | None = None
        self._shown_at = 0.0
        self._last_drawn: tuple = ()

    def _report(self, fraction: float, label: str) -> None:
        self.fraction = fraction
        self.label = label

    def _work(self) -> None:
        try:
            run_warmups(self._report)
        except Exception as exc:  # a failed warm-up only costs speed later: say so, go on
            self.error = f"Some kernels could not be prepared in advance ({exc})."
        finally:
            self._done.set()

    def enter(self) -> None:
        self._shown_at = time.perf_counter()
        self._thread = threading.Thread(target=self._work, name="numba-warmup", daemon=True)
        self._thread.start()

    def apply(self, action: A.Action) -> None:
        # the window stays usable while compiling: it can be closed or resized
        if isinstance(action, A.Quit):
            self.state.quit = True
        elif isinstance(action, A.Resize):
            self.state.layout = compute_layout(
                (action.width, action.height),
                self.state.ui_scale,
                self.state.show_ui,
                len(self.state.settings.hidden),
            )

    def update(self, dt: float) -> None:
        if self._done.is_set() and self.next_scene is None:
            self.fraction = 1.0
            self.next_scene = self.then()

    def wait(self, timeout: float | None = None) -> bool:
        return self._done.wait(timeout)

    def ui_needs_redraw(self) -> bool:
        key = (round(self.fraction, 3), self.label, self.error)
        return key != self._last_drawn

    def draw_overlay(self, surface: pygame.Surface) -> None:
        self._last_drawn = (round(self.fraction, 3), self.label, self.error)
        hud.draw_loading(surface, self.fraction, self.label, self.state.scale, self.error)
