"""The activation and residual switch travel through every file: .npz weights (version 2; the
version 1 files of earlier programs load as ReLU), PyTorch import of nn.Sequential with each
activation layer and export to the matching nn.Sequential and state_dict, scene files (version 2;
version 1 scenes load as ReLU), level files (`activation = "..."`) and the command line."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest

from sandbox.io.weights import (
    load_network,
    mlp_from_state_dict,
    save_weights,
    torch_sequential,
    torch_state_dict,
    weights_from_bytes,
    weights_to_bytes,
)
from sandbox.nn import MLP
from sandbox.vocab import Activation

DATA = Path(__file__).parent / "data"
X = np.random.default_rng(3).normal(scale=2.0, size=(40, 2))


@pytest.mark.parametrize("act", list(Activation), ids=[a.value for a in Activation])
def test_npz_keeps_the_activation_and_residual_switch(act, tmp_path):
    net = MLP([2, 5, 5, 3], seed=1, activation=act, negative_slope=0.3, residual=True)
    save_weights(net, tmp_path / "w.npz")
    back = load_network(tmp_path / "w.npz")
    assert back.kind() == net.kind() and np.array_equal(back.params, net.params)
    assert np.array_equal(back.forward(X), net.forward(X))


def test_a_version_1_weights_file_loads_as_relu():
    net = MLP([2, 4, 2], seed=0, activation="tanh")
    data = io.BytesIO(weights_to_bytes(net))
    arrays = dict(np.load(data))
    for k in ("activation", "negative_slope", "residual"):
        del arrays[k]
    arrays["format_version"] = np.array(1)
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    old = weights_from_bytes(buf.getvalue())
    assert old.activation is Activation.RELU and np.array_equal(old.params, net.params)


def test_a_bad_activation_in_a_weights_file_is_named():
    arrays = dict(np.load(io.BytesIO(weights_to_bytes(MLP([2, 4, 2])))))
    arrays["activation"] = np.array("swish")
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    with pytest.raises(ValueError, match="unknown activation 'swish'; allowed: relu, leaky_relu"):
        weights_from_bytes(buf.getvalue())


TORCH_ACTS = ["relu", "leaky_relu", "hardtanh", "linear", "tanh", "sigmoid", "gelu"]


@pytest.mark.parametrize("act", TORCH_ACTS)
def test_torch_export_and_import_match(act, tmp_path):
    torch = pytest.importorskip("torch")
    net = MLP([2, 6, 6, 2], seed=2, activation=act, negative_slope=0.2)
    model = torch_sequential(net)
    want = model(torch.from_numpy(X)).detach().numpy()
    np.testing.assert_allclose(net.forward(X), want, rtol=1e-12, atol=1e-12)
    # the whole model, saved and loaded, is the same network
    torch.save(model, tmp_path / "m.pt")
    back = load_network(tmp_path / "m.pt")
    assert back.activation == act
    if act == "leaky_relu":
        assert back.negative_slope == 0.2
    np.testing.assert_allclose(back.forward(X), want, rtol=1e-12, atol=1e-12)
    # the state_dict matches the Sequential's keys and loads with the activation named
    sd = torch_state_dict(net)
    assert list(sd) == list(model.state_dict())
    again = mlp_from_state_dict(sd, activation=act, negative_slope=0.2)
    assert np.array_equal(again.params, net.params)


def test_residual_and_torchless_activations_say_what_export_allows():
    pytest.importorskip("torch")
    with pytest.raises(ValueError, match="residual network has no nn.Sequential form"):
        torch_sequential(MLP([2, 4, 4, 2], residual=True))
    with pytest.raises(ValueError, match="torch has no sin layer"):
        torch_sequential(MLP([2, 4, 2], activation="sin"))
    sd = torch_state_dict(MLP([2, 4, 4, 2], residual=True))
    assert set(sd) == {"0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"}


def test_scene_files_keep_the_activation_and_old_scenes_are_relu(tmp_path):
    from sandbox.io.scene import NetworkKind, SceneData, load_scene, save_scene

    net = MLP([2, 4, 4, 2], seed=0, activation="leaky_relu", negative_slope=0.25, residual=True)
    scene = SceneData(
        X=X,
        labels=(X[:, 0] > 0).astype(np.int64),
        test=np.zeros(len(X), bool),
        task="classification",
        weights=net.weights(),
        network=NetworkKind.of(net),
    )
    save_scene(tmp_path / "s.origami", scene)
    back = load_scene(tmp_path / "s.origami").build_network()
    assert back.kind() == net.kind() and np.array_equal(back.params, net.params)
    old = load_scene(DATA / "scene-v1.origami")
    assert old.version == 1 and old.build_network().activation is Activation.RELU
    bad = SceneData(X=X, labels=scene.labels, test=scene.test, task="classification",
                    weights=net.weights(), network=NetworkKind("swish", 0.01, False))  # fmt: skip
    with pytest.raises(ValueError, match="network.activation is 'swish'; allowed:"):
        save_scene(tmp_path / "bad.origami", bad)


def test_level_files_name_the_activation():
    from sandbox.levels.loader import level_from_toml

    base = """
title = "T"
story = ["A test."]
success = "Done."
[network]
hidden = [4, 4]
{extra}
[data]
dataset = "xor"
[[goals]]
text = "Train."
check = "train_accuracy >= 0.9"
"""
    level = level_from_toml(base.format(extra='activation = "hardtanh"\nresidual = true'))
    assert level.network.activation is Activation.HARDTANH and level.network.residual
    level = level_from_toml(base.format(extra=""))
    assert level.network.activation is Activation.RELU and not level.network.residual
    with pytest.raises(ValueError, match="network.activation.*allowed: 'relu', 'leaky_relu'"):
        level_from_toml(base.format(extra='activation = "swish"'))


def test_the_command_line_takes_an_activation_and_lists_the_names(capsys):
    from sandbox import cli

    ns = cli.build_parser().parse_args(["--activation", "Leaky-ReLU", "--residual"])
    cfg = cli.config_from_args(ns)
    assert cfg.activation == "leaky_relu" and cfg.residual is True
    with pytest.raises(SystemExit):
        cli.build_parser().parse_args(["--activation", "swish"])
    err = capsys.readouterr().err
    assert "allowed: relu, leaky_relu, abs, hardtanh, linear, tanh, sigmoid, gelu, sin" in err


def test_scene_network_fields_are_the_tables_network_settings():
    import dataclasses

    from sandbox import settings
    from sandbox.io.scene_format import NetworkKind

    keys = {settings.scene_key(s) for s in settings.in_scene_table("network")}
    assert {f.name for f in dataclasses.fields(NetworkKind)} == keys
    for s in settings.in_scene_table("network"):
        assert getattr(NetworkKind(), settings.scene_key(s)) == settings.scene_default(s.name)
