"""A first start: the free sandbox opens at once while the kernels still compile.

The warm-up children here never finish (a sleeping child stands in for numba compiling), so the
sandbox stays in its "kernels pending" state: it must open from the menu at once, call no region
kernel and no numba training kernel (training runs in the kernel's numpy twin), and say why, in
words. When the kernels are in, regions and the fast training kernel join without the user doing
anything again.
"""

from __future__ import annotations

import sys
import threading

import numpy as np
import pygame
from app_util import key

import sandbox.geometry._drawing_kernels as GD
import sandbox.geometry._kernels as GK
import sandbox.geometry.colors as colors
import sandbox.scenes.stats as stats_module
import sandbox.session as session_module
import sandbox.view_jobs as view_jobs
from sandbox import game_actions as G
from sandbox import kernel_cache as KC
from sandbox.background import Worker
from sandbox.nn import kernels as K
from sandbox.scenes.sandbox import PREPARING_TRAINING

SLEEPER = [sys.executable, "-c", "import time; time.sleep(120)"]  # compiles forever


def _boom(*args, **kwargs):
    raise AssertionError("a kernel was called before it was compiled")


class GateWorker(Worker):
    """The geometry worker, each job held until `gate` is set."""

    def __init__(self, gate: threading.Event) -> None:
        self._gate = gate
        super().__init__()

    def submit(self, name, key, job, source=None):
        def held():
            self._gate.wait(30)
            return job()

        super().submit(name, key, held, source)


def _first_start(make_app, monkeypatch, tmp_path):
    """The app at its start menu, its numba cache cold and its compilers never finishing."""
    monkeypatch.setattr(KC, "cache_marker", lambda: tmp_path / "marker")  # cold: children
    monkeypatch.setattr(KC.KernelWarmer, "child_command", staticmethod(lambda name: SLEEPER))
    return make_app(skip_loading=False, menu=True)


def _compiled(warmer) -> None:
    """The children finish: every kernel is in."""
    warmer.stop()
    with warmer._changed:  # noqa: SLF001
        for g in warmer._groups.values():  # noqa: SLF001
            g.done, g.finished = len(g.steps), True
        warmer._changed.notify_all()  # noqa: SLF001


def test_the_sandbox_opens_at_once_and_trains_once_its_kernels_are_in(
    make_app, monkeypatch, tmp_path
):
    d = _first_start(make_app, monkeypatch, tmp_path)
    warmer = d.app.kernels
    assert not warmer.ready(KC.SANDBOX, "training") and not warmer.ready(KC.SANDBOX, "geometry")
    # while compiling: no region kernel, no numba training kernel, yet training goes on and
    # the regions come from the kernels' plain-Python twins (on the worker)
    with monkeypatch.context() as m:
        gate = threading.Event()  # the twins' first partition waits for it
        m.setattr(session_module, "Worker", lambda: GateWorker(gate))
        m.setattr(session_module, "bounded_regions", _boom)
        m.setattr(view_jobs, "dead_neurons", _boom)
        m.setattr(stats_module, "region_stats", _boom)
        m.setattr(GK, "run_layer", _boom)
        for name in ("mesh_kernel", "boundary_kernel"):
            m.setattr(GD, name, _boom)
        m.setattr(colors, "_hash_kernel", _boom)
        m.setattr(K, "train_steps", _boom)
        m.setattr(K, "train_steps_relu", _boom)
        # the menu's background picture, a second in: from the twins too
        menu = d.app.scene
        menu._age = 1.0  # noqa: SLF001
        d.send([], frames=1)
        picture = menu._background.state.partition  # noqa: SLF001
        assert picture.twin and len(picture) > 5
        d.app.scene.apply(G.OpenSandbox())
        d.send([], frames=2)
        assert d.app.scene.name == "sandbox"  # no loading screen in between
        d.send(key(pygame.K_SPACE), frames=4)  # Train
        s = d.state
        assert s.playing and s.trainer.numpy_steps and s.trainer.steps > 0
        loss0 = s.trainer.batch_losses()
        assert np.isfinite(loss0).all()
        assert s.toast.text == PREPARING_TRAINING
        assert s.geometry.preparing and s.geometry.regions == 0
        assert s.partition.too_many and "first start" in s.partition.message
        label = d.app.scene.panels._labels["regions"].text  # noqa: SLF001
        assert label.startswith("Regions: preparing")
        # the plane shows the sampled field (cheap), not the per-pixel network
        mesh_key = d.app.scene.plane.renderer._mesh_key  # noqa: SLF001
        assert isinstance(mesh_key, tuple) and mesh_key[0] == "sampled"

        gate.set()
        session = s.session
        assert session.wait_for_geometry(30)
        d.send([], frames=2)
        s = d.state
        part = s.partition
        assert part.twin and not part.too_many and s.geometry.regions == len(part) > 10
        assert not s.geometry.preparing
        label = d.app.scene.panels._labels["regions"].text  # noqa: SLF001
        assert not label.startswith("Regions: preparing")
        # exact: the twins' regions tile the window, and each map is the network at its centre
        box = np.prod(np.diff(np.reshape(part.bounds, (2, 2))))
        assert np.isclose(part.areas().sum(), box)
        c = part.centroids()
        net = session.net_of(part)
        assert np.allclose(part.logits(c, np.arange(len(part))), net.forward(c), atol=1e-9)
        assert s.trainer.numpy_steps  # training still in the twin: nothing was compiled here

    # the children finish: the next frames pick the kernels up
    _compiled(warmer)
    steps = s.trainer.steps
    d.send([], frames=3)
    s = d.state
    assert not s.trainer.numpy_steps and s.trainer.steps > steps
    assert not s.geometry.preparing and s.geometry.regions > 0
    assert not s.partition.too_many and np.isclose(
        s.partition.areas().sum(), np.prod(np.diff(np.reshape(s.partition.bounds, (2, 2))))
    )


def test_a_level_opens_at_once_and_tells_its_region_goals_once_the_kernels_are_in(
    make_app, monkeypatch, tmp_path
):
    import sandbox.levels.session as level_session
    import sandbox.scenes.level_rules as level_rules

    d = _first_start(make_app, monkeypatch, tmp_path)
    warmer = d.app.kernels
    with monkeypatch.context() as m:
        for module, name in (
            (level_session, "linear_regions"), (level_session, "region_stats"),
            (level_rules, "dead_neurons"), (level_rules, "copycat_neurons"),
            (session_module, "bounded_regions"), (GK, "run_layer"), (colors, "_hash_kernel"),
            (GD, "mesh_kernel"), (GD, "boundary_kernel"), (K, "train_steps"),
            (K, "train_steps_relu"),
        ):  # fmt: skip
            m.setattr(module, name, _boom)
        # a goal that needs no regions is told at once (level 1: the crease between A and B)
        d.app.scene.apply(G.OpenLevel("01-one-crease"))
        d.send([], frames=2)
        assert d.app.scene.name == "level"  # no loading screen in between
        st = d.app.scene.status
        assert not st.waiting and st.goals == [False]
        # a goal about regions waits for the kernels, and a Check meanwhile is no failed try
        d.app.scene.apply(G.OpenMenu())
        d.send([], frames=1)
        d.app.scene.apply(G.SetUnlockAll(True))
        d.app.scene.apply(G.OpenLevel("06-counting-regions"))
        d.send([], frames=2)
        scene = d.app.scene
        st = scene.status
        assert scene.name == "level" and st.waiting and not st.met
        assert st.readouts == [level_rules.READOUT_WAITING]
        scene.apply(G.CloseCard())
        scene.apply(G.CheckGoals())
        assert scene.live.failed_checks() == 0 and "regions are ready" in d.state.toast.text
        d.send(key(pygame.K_SPACE), frames=3)  # Train: in the numpy twin
        assert d.state.playing and d.state.trainer.numpy_steps and d.state.trainer.steps > 0
    # the children finish: the next frames tell the goals with the kernels
    _compiled(warmer)
    d.send([], frames=3)
    st = d.app.scene.status
    assert not st.waiting and st.readouts[0].startswith("regions: ")
    regions = int(st.readouts[0].split()[1])
    assert regions == len(d.app.scene.live._partition())  # noqa: SLF001
