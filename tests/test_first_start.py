"""A first start: the free sandbox opens at once while the kernels still compile.

The warm-up children here never finish (a sleeping child stands in for numba compiling), so the
sandbox stays in its "kernels pending" state: it must open from the menu at once, call no region
kernel and no numba training kernel (training runs in the kernel's numpy twin), and say why, in
words. When the kernels are in, regions and the fast training kernel join without the user doing
anything again.
"""

from __future__ import annotations

import sys

import numpy as np
import pygame
from app_util import key

import sandbox.session as session_module
import sandbox.view_jobs as view_jobs
from sandbox import game_actions as G
from sandbox import kernel_cache as KC
from sandbox.nn import kernels as K
from sandbox.scenes.sandbox import PREPARING_TRAINING

SLEEPER = [sys.executable, "-c", "import time; time.sleep(120)"]  # compiles forever


def _boom(*args, **kwargs):
    raise AssertionError("a kernel was called before it was compiled")


def test_the_sandbox_opens_at_once_and_trains_once_its_kernels_are_in(
    make_app, monkeypatch, tmp_path
):
    monkeypatch.setattr(KC, "cache_marker", lambda: tmp_path / "marker")  # cold: children
    monkeypatch.setattr(KC.KernelWarmer, "child_command", staticmethod(lambda name: SLEEPER))
    d = make_app(skip_loading=False, menu=True)
    warmer = d.app.kernels
    assert not warmer.ready(KC.SANDBOX, "training") and not warmer.ready(KC.SANDBOX, "geometry")
    d.app.scene.apply(G.OpenSandbox())
    d.send([], frames=2)
    assert d.app.scene.name == "sandbox"  # no loading screen in between

    # while compiling: no region kernel, no numba training kernel, yet training goes on
    with monkeypatch.context() as m:
        m.setattr(session_module, "bounded_regions", _boom)
        m.setattr(view_jobs, "dead_neurons", _boom)
        m.setattr(K, "train_steps", _boom)
        m.setattr(K, "train_steps_relu", _boom)
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

    # the children finish: the next frames pick the kernels up
    warmer.stop()
    with warmer._changed:  # noqa: SLF001
        for g in warmer._groups.values():  # noqa: SLF001
            g.done, g.finished = len(g.steps), True
        warmer._changed.notify_all()  # noqa: SLF001
    steps = s.trainer.steps
    d.send([], frames=3)
    s = d.state
    assert not s.trainer.numpy_steps and s.trainer.steps > steps
    assert not s.geometry.preparing and s.geometry.regions > 0
    assert not s.partition.too_many and np.isclose(
        s.partition.areas().sum(), np.prod(np.diff(np.reshape(s.partition.bounds, (2, 2))))
    )
