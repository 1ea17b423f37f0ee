"""Weights in and out: .npz round trips, corrupt files, and PyTorch state_dicts and Sequentials."""

from __future__ import annotations

import io
import sys
import zipfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sandbox.io import (
    FORMAT_VERSION,
    load_network,
    load_torch,
    load_weights,
    mlp_from_state_dict,
    save_weights,
    weights_from_bytes,
    weights_to_bytes,
)
from sandbox.nn import MLP


def npz_bytes(**arrays) -> bytes:
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def header(**extra) -> dict:
    return {"format": np.array("neural-origami-weights"), "format_version": np.array(1), **extra}


def assert_same_net(a: MLP, b: MLP) -> None:
    assert a.sizes == b.sizes
    assert a.params.tobytes() == b.params.tobytes()


# ----------------------------------------------------------------------------- .npz
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    hidden=st.lists(st.integers(1, 24), min_size=1, max_size=4),
    out=st.sampled_from([1, 2, 3, 6]),
    seed=st.integers(0, 1000),
)
def test_round_trip_is_bit_for_bit(hidden, out, seed):
    net = MLP([2, *hidden, out], seed=seed)
    # awkward values too: subnormals, negative zero, huge
    net.params[0] = 5e-324
    net.params[-1] = -0.0
    net.params[len(net.params) // 2] = 1.7e308
    back = weights_from_bytes(weights_to_bytes(net))
    assert_same_net(back, net)


def test_save_and_load_files_atomically(tmp_path):
    net = MLP([2, 16, 16, 3], seed=1)
    path = tmp_path / "net.npz"
    save_weights(net, path)
    assert_same_net(load_weights(path), net)
    assert_same_net(load_network(path), net)
    other = MLP([2, 4, 2], seed=2)
    save_weights(other, path)  # replaces the old file in one step
    assert_same_net(load_weights(path), other)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["net.npz"]  # no temporary left over
    with np.load(path) as z:  # a plain npz any numpy can read
        assert int(z["format_version"]) == FORMAT_VERSION
        np.testing.assert_array_equal(z["W1"], other.layers[0][0])
        assert z["W1"].shape == (4, 2)


def test_save_accepts_a_layer_list(tmp_path):
    net = MLP([2, 5, 1], seed=0)
    save_weights(net.weights(), tmp_path / "w.npz")
    assert_same_net(load_weights(tmp_path / "w.npz"), net)


def test_failed_save_keeps_the_old_file(tmp_path):
    path = tmp_path / "net.npz"
    net = MLP([2, 3, 2], seed=0)
    save_weights(net, path)
    before = path.read_bytes()
    with pytest.raises(ValueError):
        save_weights([(np.ones((3, 3)), np.ones(3)), (np.ones((2, 3)), np.ones(2))], path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["net.npz"]


def pickled_object_npz() -> bytes:
    buf = io.BytesIO()
    np.savez(buf, W1=np.array([{"a": 1}], dtype=object), allow_pickle=True)
    return buf.getvalue()


def huge_header_npz() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        hdr = "{'descr': '<f8', 'fortran_order': False, 'shape': (1000000000,), }"
        hdr = hdr.ljust(117) + "\n"
        zf.writestr("W1.npy", b"\x93NUMPY\x01\x00" + len(hdr).to_bytes(2, "little") + hdr.encode())
    return buf.getvalue()


W_OK = np.ones((4, 2))
B_OK = np.zeros(4)


@pytest.mark.parametrize(
    "data, fragment",
    [
        (b"", "corrupt or not an .npz"),
        (b"PK\x03\x04 broken", "corrupt or not an .npz"),
        (npz_bytes(W1=W_OK, b1=B_OK), "not a Neural Origami weights file"),
        (npz_bytes(**header(format_version=np.array(3))), "format version 3"),
        (npz_bytes(**header(format_version=np.array(1.0))), "format_version"),
        (npz_bytes(**header()), "no layers"),
        (npz_bytes(**header(W1=W_OK, b1=B_OK, W2=np.ones((2, 4)))), "'b2'"),
        (npz_bytes(**header(W1=W_OK.astype(int), b1=B_OK)), "floating point"),
        (
            npz_bytes(**header(W1=np.ones((4, 3)), b1=B_OK, W2=np.ones((2, 4)), b2=np.ones(2))),
            "first layer has 3 inputs; only 2 allowed",
        ),
        (
            npz_bytes(**header(W1=W_OK, b1=B_OK, W2=np.ones((7, 4)), b2=np.ones(7))),
            "output width is 7",
        ),
        (
            npz_bytes(**header(W1=W_OK, b1=B_OK, W2=np.ones((2, 5)), b2=np.ones(2))),
            "inputs but the previous layer has 4",
        ),
        (
            npz_bytes(**header(W1=W_OK * np.nan, b1=B_OK, W2=np.ones((2, 4)), b2=np.ones(2))),
            "NaN",
        ),
        (npz_bytes(**header(W1=W_OK, b1=B_OK)), "at least 2"),
        (pickled_object_npz(), "type object"),
        (huge_header_npz(), "at most 65536 values"),
    ],
)
def test_bad_files_give_value_errors(data, fragment):
    with pytest.raises(ValueError, match=fragment):
        weights_from_bytes(data)


def test_file_errors_name_the_file(tmp_path):
    with pytest.raises(ValueError, match="missing.npz"):
        load_weights(tmp_path / "missing.npz")
    with pytest.raises(ValueError, match="allowed: .npz, .pt, .pth"):
        load_network(tmp_path / "net.h5")
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"garbage")
    with pytest.raises(ValueError, match="bad.npz"):
        load_network(bad)


GOOD = weights_to_bytes(MLP([2, 3, 2], seed=0))
GOOD_NET = MLP([2, 3, 2], seed=0)


def test_every_truncation_is_a_value_error():
    for cut in range(len(GOOD)):
        with pytest.raises(ValueError):
            weights_from_bytes(GOOD[:cut])


@settings(max_examples=300, deadline=None)
@given(
    edits=st.lists(st.tuples(st.integers(0, len(GOOD) - 1), st.integers(1, 255)), max_size=4),
    cut=st.integers(0, len(GOOD)),
    junk=st.binary(max_size=8),
)
def test_corrupted_files_fail_cleanly_or_load_unchanged(edits, cut, junk):
    data = bytearray(GOOD)
    for pos, flip in edits:
        data[pos] ^= flip
    data = bytes(data[:cut]) + junk
    try:
        net = weights_from_bytes(data)
    except ValueError:
        return
    # zip and npy checksums cover the numbers; only metadata bytes (dates...) may go unnoticed
    assert_same_net(net, GOOD_NET)


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=300))
def test_random_bytes_are_value_errors(blob):
    with pytest.raises(ValueError):
        weights_from_bytes(b"PK\x03\x04" + blob)


# ----------------------------------------------------------------------------- state dicts
def test_state_dict_of_arrays_without_torch():
    net = MLP([2, 6, 5, 3], seed=3)
    (W1, b1), (W2, b2), (W3, b3) = net.weights()
    state = {
        "net.0.weight": W1,
        "net.0.bias": b1,
        "net.2.weight": W2,
        "net.2.bias": b2,
        "net.4.weight": W3,
        "net.4.bias": b3,
    }
    assert_same_net(mlp_from_state_dict(state), net)
    no_bias = {"0.weight": W1, "2.weight": W2, "4.weight": W3}
    got = mlp_from_state_dict(no_bias)
    assert all(np.all(b == 0) for _, b in got.layers)
    with pytest.raises(ValueError, match="layers 0 and 1 follow each other"):
        mlp_from_state_dict({"0.weight": W1, "1.weight": W2, "3.weight": W3})
    with pytest.raises(ValueError, match="'running_mean'"):
        mlp_from_state_dict({"0.weight": W1, "1.running_mean": b1, "2.weight": W2})
    with pytest.raises(ValueError, match="shape \\(6,\\)"):
        mlp_from_state_dict({"0.weight": W1, "1.weight": b1, "2.weight": W2})
    with pytest.raises(ValueError, match="bias but no weight"):
        mlp_from_state_dict({"0.bias": b1, "2.weight": W2})


def test_without_torch_pt_files_explain_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)  # import torch now raises ImportError
    path = tmp_path / "net.pt"
    path.write_bytes(b"whatever")
    with pytest.raises(ValueError, match="PyTorch is not installed"):
        load_network(path)


# ----------------------------------------------------------------------------- PyTorch
def torch_forward(model, X: np.ndarray) -> np.ndarray:
    torch = pytest.importorskip("torch")
    with torch.no_grad():
        return model.double()(torch.from_numpy(X)).numpy()


def test_torch_state_dict_and_whole_sequential(tmp_path):
    torch = pytest.importorskip("torch")
    nn = torch.nn
    torch.manual_seed(0)
    model = nn.Sequential(
        nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 8), nn.ReLU(inplace=True), nn.Linear(8, 3)
    )
    X = np.random.default_rng(0).uniform(-6, 6, size=(500, 2))
    torch.save(model.state_dict(), tmp_path / "sd.pt")
    torch.save(model, tmp_path / "whole.pth")
    torch.save({"epoch": 3, "model_state_dict": model.state_dict()}, tmp_path / "ckpt.pt")
    expected = None
    for name in ("sd.pt", "whole.pth", "ckpt.pt"):
        net = load_network(tmp_path / name)
        assert net.sizes == [2, 8, 8, 3]
        np.testing.assert_array_equal(net.layers[0][0], model[0].weight.detach().double().numpy())
        if expected is None:
            expected = torch_forward(model, X)
        np.testing.assert_allclose(net.forward(X), expected, rtol=1e-12, atol=1e-12)


def test_torch_nested_and_biasless(tmp_path):
    torch = pytest.importorskip("torch")
    nn = torch.nn
    model = nn.Sequential(
        nn.Sequential(nn.Linear(2, 4, bias=False), nn.ReLU()), nn.Linear(4, 1, dtype=torch.float64)
    )
    torch.save(model, tmp_path / "nested.pt")
    net = load_torch(tmp_path / "nested.pt")
    assert net.sizes == [2, 4, 1]
    X = np.random.default_rng(1).normal(size=(50, 2))
    np.testing.assert_allclose(net.forward(X), torch_forward(model, X), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(
    "build, fragment, in_state_dict",
    [
        (
            lambda nn: nn.Sequential(
                nn.Linear(2, 4), nn.ReLU(), nn.Linear(4, 4), nn.Tanh(), nn.Linear(4, 2)
            ),
            "layer 3 is Tanh but an earlier hidden layer uses relu",
            False,
        ),
        (
            lambda nn: nn.Sequential(nn.Linear(2, 4), nn.ELU(), nn.Linear(4, 2)),
            "layer 1 is ELU; allowed: Linear with ReLU, LeakyReLU, Hardtanh, Tanh, Sigmoid or GELU",
            False,
        ),
        (
            lambda nn: nn.Sequential(nn.Linear(2, 4), nn.Hardtanh(0.0, 2.0), nn.Linear(4, 2)),
            "only Hardtanh\\(-1, 1\\)",
            False,
        ),
        (
            lambda nn: nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2)),
            "first layer has 3 inputs; only 2 allowed",
            True,
        ),
        (
            lambda nn: nn.Sequential(nn.Linear(2, 4), nn.ReLU(), nn.Linear(4, 7)),
            "output width is 7",
            True,
        ),
        (
            lambda nn: nn.Sequential(nn.Linear(2, 1200), nn.ReLU(), nn.Linear(1200, 2)),
            "width 1200",
            True,
        ),
        (
            lambda nn: nn.Sequential(nn.Linear(2, 4), nn.Linear(4, 2)),
            "right after another Linear",
            False,
        ),
        (
            lambda nn: nn.Sequential(nn.Linear(2, 4), nn.ReLU(), nn.Linear(4, 2), nn.ReLU()),
            "last layer is an activation",
            False,
        ),
        (
            lambda nn: nn.Sequential(nn.Linear(2, 4), nn.BatchNorm1d(4), nn.Linear(4, 2)),
            "layer 1 is BatchNorm1d",
            False,
        ),
        (lambda nn: nn.Sequential(nn.Linear(2, 2)), "at least 2", True),
    ],
)
def test_torch_models_we_cannot_show(tmp_path, build, fragment, in_state_dict):
    torch = pytest.importorskip("torch")
    model = build(torch.nn)
    torch.save(model, tmp_path / "m.pt")
    with pytest.raises(ValueError, match=fragment):
        load_torch(tmp_path / "m.pt")
    if in_state_dict:  # the same problem is visible from the weights alone
        torch.save(model.state_dict(), tmp_path / "sd.pt")
        with pytest.raises(ValueError, match=fragment):
            load_torch(tmp_path / "sd.pt")


class Custom:
    """A class a hostile or foreign .pt file might name."""


def test_torch_foreign_objects_and_corrupt_files(tmp_path):
    torch = pytest.importorskip("torch")
    nn = torch.nn

    torch.save(Custom(), tmp_path / "custom.pt")  # never unpickled: not a torch layer class
    with pytest.raises(ValueError, match="holds a .*Custom object"):
        load_torch(tmp_path / "custom.pt")
    torch.save(nn.Linear(2, 2), tmp_path / "linear.pt")
    with pytest.raises(ValueError, match="is a Linear; only an nn.Sequential"):
        load_torch(tmp_path / "linear.pt")
    good = io.BytesIO()
    torch.save(nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 2)).state_dict(), good)
    data = good.getvalue()
    for cut in (0, 10, len(data) // 2, len(data) - 5):
        (tmp_path / "cut.pt").write_bytes(data[:cut])
        with pytest.raises(ValueError, match="cut.pt"):
            load_torch(tmp_path / "cut.pt")
    with pytest.raises(ValueError, match="no such file"):
        load_torch(tmp_path / "absent.pt")


def test_save_torch_round_trips_and_says_what_it_saved(tmp_path):
    pytest.importorskip("torch")
    from sandbox.io.weights import save_torch

    X = np.random.default_rng(3).normal(size=(40, 2))
    leaky = MLP([2, 5, 5, 3], seed=1, activation="leaky_relu", negative_slope=0.2)
    assert save_torch(leaky, tmp_path / "leaky.pt") == "nn.Sequential"
    back = load_network(tmp_path / "leaky.pt")  # the activation comes back with the layers
    assert back.activation == "leaky_relu" and back.negative_slope == pytest.approx(0.2)
    np.testing.assert_array_equal(back.params, leaky.params)
    residual = MLP([2, 5, 5, 2], seed=2, residual=True)
    assert save_torch(residual, tmp_path / "res.pt") == "state_dict"  # no Sequential for it
    plain = load_network(tmp_path / "res.pt")
    np.testing.assert_array_equal(plain.params, residual.params)
    kept = MLP.from_weights(plain.weights(), residual=True)
    np.testing.assert_allclose(kept.forward(X), residual.forward(X), rtol=0, atol=0)


def test_save_torch_without_torch_says_what_to_do(tmp_path, monkeypatch):
    from sandbox.io.weights import save_torch, torch_available

    monkeypatch.setitem(sys.modules, "torch", None)  # import torch now raises ImportError
    with pytest.raises(ValueError, match="PyTorch is not installed .*Export net saves .npz"):
        save_torch(MLP([2, 3, 2]), tmp_path / "net.pt")
    assert not (tmp_path / "net.pt").exists()
    assert isinstance(torch_available(), bool)
