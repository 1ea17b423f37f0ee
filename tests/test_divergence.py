"""Divergence through the running app (offscreen, real OpenGL) and the trainer underneath.

A trained network, then the learning rate slider pushed to its top (1.0 with Adam blows a good
moons network up within a few frames): the app pauses, goes back to the last weights that were
still good (not the wreck of the step before the explosion), with the Adam moments they had, and
the readouts and the picture show them. The message names the rate and what to try instead;
Space without a change does not resume into the same explosion; after lowering the rate,
training goes on from the good weights without killing neurons.
"""

from __future__ import annotations

import numpy as np
import pygame
import pygame_gui
import pytest
from app_util import key, send
from gl_util import gl_session_fixture  # noqa: F401
from pygame_gui.elements import UIHorizontalSlider

from sandbox.app import App
from sandbox.config import AppConfig
from sandbox.data import make_dataset
from sandbox.geometry import linear_regions
from sandbox.nn import MLP
from sandbox.nn.trainer import Trainer
from sandbox.nn.trainer_values import plain_number

SIZE = (1280, 800)
APP_DEFAULTS = {"size": SIZE, "points": AppConfig().points, "hidden": AppConfig().hidden}
APP_FILES_SUBDIR = "files"


def move_lr_slider(app: App, value: int) -> None:
    """The learning rate slider moved to `value` (0..100, log scale), as pygame-gui reports a
    drag of its handle."""
    slider = next(
        e
        for e in app.scene.panels.elements
        if isinstance(e, UIHorizontalSlider)
        and str(e.sliding_button.tool_tip_text or "").startswith("How big each training step")
    )
    slider.set_current_value(value)
    moved = pygame.event.Event(
        pygame_gui.UI_HORIZONTAL_SLIDER_MOVED, ui_element=slider, value=value
    )
    send(app, [moved], frames=2)


def test_divergence_really_restores_and_says_what_to_change(make_app):
    app = make_app(dataset="moons", hidden=(16, 16), points=300, noise=0.05)
    s, sc = app.state, app.scene
    sc.train_now(600)
    good = s.net.params.copy()
    good_loss, good_acc = s.metrics.train_loss, s.metrics.train_accuracy
    assert good_acc > 0.97
    move_lr_slider(app, 100)
    assert s.settings.learning_rate == pytest.approx(1.0)
    send(app, key(pygame.K_SPACE), frames=1)
    for _ in range(60):
        send(app, [], frames=1)
        if s.diverged:
            break
    assert s.diverged and not s.playing
    # back to good weights: the readout, the weights and the picture agree
    assert s.metrics.train_loss <= 2 * good_loss + 0.05, s.metrics
    assert s.metrics.train_accuracy >= good_acc - 0.02
    assert np.abs(s.net.params - good).max() < 0.5
    assert s.trainer.optimizer_steps > 0, "Adam's moments came back with the weights"
    send(app, [], frames=2)
    bounds = sc.plane.bounds()
    assert len(s.partition) == len(linear_regions(s.net, bounds))
    text = s.toast.text
    assert "learning rate is too high (1)" in text and "try 0.1" in text, text

    # Space without a change: still paused, and told again what to change
    weights = s.net.params.copy()
    send(app, key(pygame.K_SPACE), frames=3)
    assert not s.playing and np.array_equal(s.net.params, weights)
    assert "try 0.1" in s.toast.text

    # a lower rate, Space: training goes on from the good weights
    move_lr_slider(app, 50)
    assert s.settings.learning_rate < 0.05
    send(app, key(pygame.K_SPACE), frames=30)
    assert s.playing and not s.diverged
    send(app, key(pygame.K_SPACE), frames=2)
    assert s.metrics.train_accuracy >= good_acc - 0.02
    assert s.metrics.train_loss <= 2 * good_loss + 0.05


def test_trainer_restores_the_last_good_state_not_the_step_before_the_explosion():
    X, y = make_dataset("moons", 400, 0.1, 0)
    net = MLP([2, 16, 16, 16, 2], seed=0)
    tr = Trainer(net, X, y, lr=0.01, batch_size=64)
    tr.step(500)
    good = net.params.copy()
    moments = (tr._m1.copy(), tr._m2.copy(), tr.optimizer_steps)
    good_loss = tr.metrics().train_loss
    tr.set_lr(1.0)  # a slow wreck: loss 0.0005, then 4, then thousands
    for _ in range(40):
        tr.step(25)
        if tr.diverged:
            break
    assert tr.diverged
    np.testing.assert_array_equal(net.params, good)
    np.testing.assert_array_equal(tr._m1, moments[0])
    np.testing.assert_array_equal(tr._m2, moments[1])
    assert tr.optimizer_steps == moments[2]
    assert tr.metrics().train_loss == pytest.approx(good_loss)
    assert "try 0.1" in tr.message and "e+" not in tr.message


def test_plain_numbers():
    assert [plain_number(v) for v in (1.0, 0.1, 0.003, 0.0123, 2302.4, 30.0, 1e-4)] == [
        "1", "0.1", "0.003", "0.0123", "2302", "30", "0.0001"
    ]  # fmt: skip
