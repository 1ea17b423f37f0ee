"""Activations in the running app (offscreen OpenGL): the activation menu keeps the weights and
the panel follows; a smooth network is drawn per pixel with its sampled boundary, says in one
line that it has no creases, and its 3D view, probe and inspector still work; a leaky network's
health line says that its neurons cannot die."""

from __future__ import annotations

import numpy as np
import pygame
from app_util import hover_click, key
from gl_util import gl_session_fixture  # noqa: F401

from sandbox import actions as A
from sandbox import stage_actions as S
from sandbox.vocab import Activation, View


def test_the_activation_menu_keeps_the_weights_and_the_panel_follows(make_app):
    d = make_app(dataset="xor", hidden=(6, 6))
    s = d.state
    d.scene.train_now(50)
    before = s.net.params.copy()
    d.scene.apply(A.SetActivation("leaky_relu"))
    d.run_frames(2, dt=1 / 30)
    assert s.net.activation is Activation.LEAKY_RELU and s.settings.activation == "leaky_relu"
    assert np.array_equal(s.net.params, before)
    assert "Leaky slope" in [getattr(e, "text", "") for e in d.scene.panels.elements]
    d.scene.apply(A.SetNegativeSlope(0.3))
    d.scene.apply(A.SetResidual(True))
    d.run_frames(2, dt=1 / 30)
    assert s.net.negative_slope == 0.3 and s.net.residual and s.net.residual_layers == [False, True]
    assert s.geometry.regions > 0 and s.geometry.bound == 0
    assert "never die" in s.geometry.dead_note
    d.scene.train_now(30)
    assert s.trainer.net is s.net and s.net.residual
    d.scene.apply(A.SetActivation("swish"))  # a bad name: a message, nothing changes
    assert s.net.activation is Activation.LEAKY_RELU and "allowed" in s.toast.text


def test_a_smooth_network_draws_per_pixel_and_says_it_has_no_creases(make_app):
    d = make_app(dataset="circle", hidden=(8, 8), activation="tanh",
                 views=("field", "boundary"))  # fmt: skip
    s = d.state
    d.scene.train_now(300)
    d.run_frames(3, dt=1 / 30)
    part = s.partition
    assert part.smooth and len(part.boundary) > 10
    assert s.geometry.smooth and "no creases" in s.geometry.message
    # the readout says there are none, in words that fit its line
    label = d.scene.panels._labels["regions"]  # noqa: SLF001
    assert label.text.startswith("Regions: none")
    assert label.font.size(label.text)[0] <= label.rect.width - 4
    d.scene.apply(A.ToggleView(View.CREASES.value))
    assert s.toast.text == "tanh bends the paper smoothly: there are no creases to draw."
    # the stage views: 3D (a sampled surface), the probe and the inspector run on it
    for view in (View.THREE_D, View.PROBE, View.INSPECTOR):
        d.scene.apply(A.ToggleView(view.value))
    d.run_frames(4, dt=1 / 30)
    cs = d.cs
    assert cs.surface_message == "" and cs.surface_label
    # one neuron's own surface (its tanh over the plane, sampled)
    d.scene.apply(S.PickNeuron(2, 1))
    d.scene.apply(S.Toggle3D(S.Switch3D.SINGLE_NEURON))
    d.run_frames(3, dt=1 / 30)
    assert cs.selected == (2, 1) and cs.single_neuron and cs.surface_message == ""


def test_the_residual_button_in_the_network_panel(make_app):
    d = make_app(dataset="xor", hidden=(6, 6, 4))
    s = d.state
    before = s.net.params.copy()
    button = d.scene.panels._toggles["residual"]  # noqa: SLF001
    assert button.text == "Residual" and not s.net.residual
    d.send(hover_click(button.rect.center), frames=2)
    assert s.settings.residual and s.net.residual and s.net.residual_layers == [False, True, False]
    assert np.array_equal(s.net.params, before)  # the same weights, folded another way
    assert "hidden layer 2 adds its input" in s.toast.text
    button = d.scene.panels._toggles["residual"]  # noqa: SLF001 - the panel was rebuilt
    assert button.is_selected
    # widths that never match: said so
    d.scene.apply(A.SetResidual(False))
    d.scene.apply(A.SetWidth(1, 5))
    d.run_frames(2, dt=1 / 30)
    d.send(hover_click(d.scene.panels._toggles["residual"].rect.center), frames=2)  # noqa: SLF001
    assert s.net.residual and not any(s.net.residual_layers)
    assert "no hidden layer is as wide" in s.toast.text
    d.send(hover_click(d.scene.panels._toggles["residual"].rect.center), frames=2)  # noqa: SLF001
    assert not s.net.residual and "off" in s.toast.text


def test_laplace_on_a_smooth_network_is_sampled_on_the_grid(make_app, monkeypatch):
    d = make_app(dataset="moons", hidden=(8, 8), activation="tanh", views=("field",))
    s = d.state
    d.scene.train_now(200)
    sent = []
    mesh = d.app.renderer.mesh
    set_mesh = mesh.set_mesh
    monkeypatch.setattr(mesh, "set_mesh", lambda v, t, r, values, **kw: (
        sent.append((v, values)), set_mesh(v, t, r, values, **kw))[1])  # fmt: skip
    d.send(key(pygame.K_l), frames=3)  # Laplace on, as a user does
    assert View.LAPLACE in s.views and s.laplace is not None and sent
    vertices, values = sent[-1]
    np.testing.assert_allclose(values, s.laplace.probit_logits(vertices), rtol=1e-12)
    assert not np.allclose(values, s.net.forward(vertices))  # shrunk towards 0 by the variance
    probs = s.laplace.predict_proba(vertices)
    np.testing.assert_allclose(_softmax(values), probs, rtol=1e-10)
    d.scene.apply(A.SetPriorPrecision(0.01))  # a weaker prior: less sure, sampled again
    d.run_frames(3, dt=1 / 30)
    assert np.abs(sent[-1][1]).mean() < np.abs(values).mean()
    # the split view (X): MAP on the left, the sampled Laplace pane on the right, not MAP twice
    d.send(key(pygame.K_x), frames=3)
    plane = d.scene.plane.renderer
    assert View.SPLIT in s.views and View.LAPLACE not in s.views
    assert plane.split_sampled and not plane.laplace_ok


def _softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)
