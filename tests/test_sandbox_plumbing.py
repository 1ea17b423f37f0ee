"""The sandbox scene's training plumbing: one prior precision everywhere after "Optimise prior",
optimizer moments kept through architecture edits, and output layers never silently shrunk."""

from __future__ import annotations

import re

import numpy as np
from gl_util import gl_session_fixture  # noqa: F401
from test_app_smoke import make_app  # noqa: F401

from sandbox import actions as A
from sandbox.bayes.evidence import PRIOR_PRECISION_BOUNDS
from sandbox.nn import MLP
from sandbox.nn.mlp import resize_network
from sandbox.ui.rows import slider_to_log
from sandbox.vocab import PRIOR_RANGE, View


def _prior_readouts(d) -> tuple[float, float, float]:
    """(slider position as a value, slider label, plane caption) for the prior precision."""
    s = d.state
    panels = d.scene.panels
    slider = next(sl for sl in panels._sliders if sl.widget.value_range == (0, 120))
    label = float(slider.value_label.text)
    at = slider_to_log(slider.widget.get_current_value(), *PRIOR_RANGE, 120)
    caption = f"confidence: Laplace (prior precision {s.prior_precision:.3g})"
    assert re.search(r"prior precision ([0-9.e+-]+)\)", caption)
    return at, label, float(re.search(r"precision ([0-9.e+-]+)\)", caption).group(1))


def test_optimised_prior_is_one_value_everywhere(make_app):  # noqa: F811
    d = make_app(dataset="blobs3", views=("laplace",))
    s = d.state
    d.scene.apply(A.SetView(View.LAPLACE, True))
    d.scene.train_now(300)
    d.send([], frames=2)
    assert s.prior_precision == 1.0
    d.scene.apply(A.OptimizePrior())
    value = s.prior_precision
    assert value != 1.0
    assert s.laplace is not None and s.laplace.prior_precision == value
    d.send([], frames=3)
    # the shading's posterior, the state, the slider, its label, caption and message agree
    assert s.laplace is not None and s.laplace.prior_precision == value == s.prior_precision
    at, label, caption = _prior_readouts(d)
    step = (np.log(PRIOR_RANGE[1]) - np.log(PRIOR_RANGE[0])) / 120
    assert abs(np.log(at) - np.log(value)) <= 0.5 * step + 1e-12
    assert label == float(f"{value:.3g}") or abs(label - value) <= 0.01 * value
    assert caption == float(f"{value:.3g}")
    assert f"{value:.3g}" in s.toast.text


def test_prior_outside_the_slider_is_clipped_everywhere(make_app, monkeypatch):  # noqa: F811
    from sandbox.scenes import backend

    d = make_app(dataset="blobs3")
    s = d.state
    d.scene.train_now(50)
    # the optimiser's bounds reach further than the slider's: whatever it returns, the state,
    # the posterior and the message show the one clipped value
    assert PRIOR_PRECISION_BOUNDS[0] < PRIOR_RANGE[0] and PRIOR_RANGE[1] < PRIOR_PRECISION_BOUNDS[1]
    for far, end in ((1e-7, PRIOR_RANGE[0]), (1e7, PRIOR_RANGE[1])):

        def fake(la, far=far):
            la.optimize_prior_precision()
            la.prior_precision = far
            return far

        monkeypatch.setattr(backend, "optimize_prior", fake)
        d.scene.apply(A.OptimizePrior())
        assert s.prior_precision == end == s.laplace.prior_precision
        assert s.toast.text.startswith(f"Prior precision {end:.3g}")
        d.send([], frames=2)
        assert s.laplace.prior_precision == end
        at, label, caption = _prior_readouts(d)
        assert np.isclose(at, end) and caption == float(f"{end:.3g}")


def test_adding_a_neuron_keeps_weights_and_adam_moments(make_app):  # noqa: F811
    d = make_app(dataset="blobs3")
    s = d.state
    d.scene.train_now(200)
    old = s.net.copy()
    before = s.trainer.snapshot()
    hidden = list(s.settings.hidden)
    loss_before = s.trainer.metrics().train_loss
    d.scene.apply(A.SetWidth(1, hidden[1] + 1))
    assert s.settings.hidden[1] == hidden[1] + 1
    _, pm = resize_network(old, s.settings.hidden, s.settings.seed, n_out=old.n_out)
    kept = pm >= 0
    assert kept.sum() == old.n_params  # every old parameter survives the new neuron
    after = s.trainer.snapshot()
    assert np.array_equal(s.net.params[kept], old.params[pm[kept]])
    assert np.array_equal(after.moment1[kept], before.moment1[pm[kept]])
    assert np.array_equal(after.moment2[kept], before.moment2[pm[kept]])
    assert not after.moment1[~kept].any() and not after.moment2[~kept].any()
    # the old weights are bit-identical in place: the new neuron is only appended
    for (W, b), (W0, b0) in zip(s.net.layers, old.layers, strict=True):
        assert np.array_equal(W[: W0.shape[0], : W0.shape[1]], W0)
        assert np.array_equal(b[: b0.shape[0]], b0)
    d.scene.train_now(20)
    assert s.trainer.metrics().train_loss < 1.5 * loss_before + 0.05  # no spike


def test_imported_three_class_network_keeps_its_outputs_until_the_data_changes(
    make_app,  # noqa: F811
    tmp_path,
):
    from sandbox.io.weights import save_weights

    d = make_app(dataset="moons")
    s = d.state
    assert int(s.points.y.max()) == 1 and s.net.n_out == 2
    net = MLP([2, 8, 8, 3], seed=4)
    path = tmp_path / "three.npz"
    save_weights(net, str(path))
    assert d.scene.workshop.import_weights(str(path))
    d.send([], frames=2)
    d.scene.train_now(5)
    assert s.net.n_out == 3 and s.trainer.net is s.net
    # the points change (and keep only classes 0 and 1): the outputs follow the data's classes
    d.scene.apply(A.LoadPreset("moons"))
    d.send([], frames=3)
    assert s.net.n_out == 2 and s.trainer.net is s.net and s.trainer.steps == 0
    d.scene.apply(A.ResetNetwork())
    d.send([], frames=2)
    assert s.net.n_out == 2
    # a new class widens the layer
    d.scene.apply(A.LoadPreset("blobs3"))
    d.send([], frames=2)
    assert s.net.n_out == 3


def test_cli_main_pins_blas_threads_before_numpy():
    import os
    import subprocess
    import sys

    code = (
        "import os, sys\n"
        "from sandbox.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "print(os.environ.get('OPENBLAS_NUM_THREADS'), os.environ.get('OMP_NUM_THREADS'),"
        " 'numpy' in sys.modules, file=sys.stderr)\n"
    )
    env = {
        k: v for k, v in os.environ.items() if k not in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")
    }
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    # the defaults are set, and --help stays quick: numpy is never imported for it
    assert out.stderr.split()[-3:] == ["1", "1", "False"], out.stderr
    env["OPENBLAS_NUM_THREADS"] = "4"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.stderr.split()[-3:] == ["4", "1", "False"], out.stderr
