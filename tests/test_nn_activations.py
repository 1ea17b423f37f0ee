"""Every activation and residual layers through the network core, checked three ways.

The numpy activations and derivatives against torch's (at the kinks too); the numba kernel's loss
and gradient against the numpy twin (`sandbox.nn.reference`), chunked batches included; and the
Trainer against torch.optim step for step (float64, 10 steps, 1e-10) for every activation, with
and without residual layers, as tests/test_nn_torch.py does for ReLU.
"""

from __future__ import annotations

import numpy as np
import pytest

from sandbox.nn import MLP, Trainer
from sandbox.nn import kernels as K
from sandbox.nn import reference as R
from sandbox.nn.act_kernels import clip_in_place, scale_by_derivative
from sandbox.nn.activations import (
    ACT_HARDTANH,
    ACTIVATION_IDS,
    activate,
    check_negative_slope,
    derivative,
    parse_activation,
    pieces,
)
from sandbox.nn.mlp import residual_flags
from sandbox.vocab import Activation

torch = pytest.importorskip("torch")
from torch_steps import assert_steps_match_torch, torch_optimizer, trainer_batches  # noqa: E402

ALL = list(Activation)
SLOPE = 0.07


def _torch_act(act: Activation, slope: float):
    return {
        Activation.RELU: torch.nn.ReLU(),
        Activation.LEAKY_RELU: torch.nn.LeakyReLU(slope),
        Activation.ABS: None,
        Activation.HARDTANH: torch.nn.Hardtanh(),
        Activation.LINEAR: torch.nn.Identity(),
        Activation.TANH: torch.nn.Tanh(),
        Activation.SIGMOID: torch.nn.Sigmoid(),
        Activation.GELU: torch.nn.GELU(),
        Activation.SIN: None,
    }[act]


def _apply_torch(act: Activation, slope: float, z):
    mod = _torch_act(act, slope)
    if act is Activation.ABS:
        return torch.abs(z)
    if act is Activation.SIN:
        return torch.sin(z)
    return mod(z)


class _TorchNet(torch.nn.Module):
    """The same network in torch: Linear layers, the activation, residual additions."""

    def __init__(self, net: MLP):
        super().__init__()
        self.act = net.activation
        self.slope = net.negative_slope
        self.res = net.residual_layers
        self.linears = torch.nn.ModuleList()
        for W, b in net.weights():
            lin = torch.nn.Linear(W.shape[1], W.shape[0], dtype=torch.float64)
            with torch.no_grad():
                lin.weight.copy_(torch.from_numpy(W))
                lin.bias.copy_(torch.from_numpy(b))
            self.linears.append(lin)

    def forward(self, x):
        h = x
        for l, lin in enumerate(self.linears[:-1]):
            a = _apply_torch(self.act, self.slope, lin(h))
            h = h + a if self.res[l] else a
        return self.linears[-1](h)


@pytest.mark.parametrize("act", ALL, ids=[a.value for a in ALL])
def test_numpy_activation_and_derivative_match_torch(act):
    z = np.concatenate([np.linspace(-4, 4, 801), [-1.0, 0.0, 1.0, -1e-300, 1e-300]])
    zt = torch.from_numpy(z.copy()).requires_grad_(True)
    out = _apply_torch(act, SLOPE, zt)
    out.sum().backward()
    np.testing.assert_allclose(
        activate(z, act, SLOPE), out.detach().numpy(), rtol=1e-14, atol=1e-15
    )
    np.testing.assert_allclose(derivative(z, act, SLOPE), zt.grad.numpy(), rtol=1e-13, atol=1e-15)


def test_names_and_slopes_are_checked_with_a_list_of_what_is_allowed():
    assert parse_activation("Leaky-ReLU") is Activation.LEAKY_RELU
    with pytest.raises(ValueError, match="allowed: relu, leaky_relu, abs, hardtanh, linear"):
        parse_activation("swish")
    with pytest.raises(ValueError, match="allowed: 0.0 to 1.0"):
        check_negative_slope(1.5)
    with pytest.raises(ValueError, match="activation"):
        MLP([2, 4, 2], activation="softplus")


@pytest.mark.parametrize("act", [a for a in ALL if a.piecewise_linear])
def test_pieces_reproduce_the_activation(act):
    pc = pieces(act, SLOPE)
    z = np.concatenate([np.linspace(-3, 3, 601), list(pc.breakpoints)])
    k = pc.piece(z)
    value = np.asarray(pc.slopes)[k] * z + np.asarray(pc.offsets)[k]
    np.testing.assert_allclose(value, activate(z, act, SLOPE), rtol=0, atol=1e-15)


def test_residual_layers_are_the_later_layers_of_their_input_width():
    assert residual_flags([2, 8, 8, 4, 4, 4, 2], True) == [False, True, False, True, True]
    assert residual_flags([2, 2, 2, 2], True) == [False, True]
    assert residual_flags([2, 8, 8, 2], False) == [False, False]
    net = MLP([2, 5, 5, 5, 3], seed=2, activation="tanh", residual=True)
    X = np.random.default_rng(0).normal(size=(30, 2))
    np.testing.assert_allclose(net.forward(X), _TorchNet(net)(torch.from_numpy(X)).detach().numpy(),
                               rtol=1e-13, atol=1e-13)  # fmt: skip
    assert "tanh" in repr(net) and "residual=True" in repr(net)
    copy = net.copy()
    assert copy.same_kind(net) and np.array_equal(copy.params, net.params)
    assert net.resized([5, 6, 5]).kind() == net.kind()


@pytest.mark.parametrize("residual", [False, True], ids=["plain", "residual"])
@pytest.mark.parametrize("act", ALL, ids=[a.value for a in ALL])
def test_kernel_gradient_matches_numpy_twin(act, residual):
    rng = np.random.default_rng(5)
    net = MLP([2, 6, 6, 5, 5, 3], seed=4, activation=act, negative_slope=SLOPE, residual=residual)
    X = rng.normal(scale=2.0, size=(300, 2))  # more than one chunk of 256
    y = rng.integers(0, 3, 300).astype(float)
    args = (ACTIVATION_IDS[act], SLOPE, residual)
    loss, g = K.loss_and_grad(net.params, net.layout, X, y, K.TASK_CLASSIFICATION, *args)
    loss_np, g_np = R.loss_and_grad(net.params, net.layout, X, y, K.TASK_CLASSIFICATION, *args)
    assert loss == pytest.approx(loss_np, rel=1e-12)
    np.testing.assert_allclose(g, g_np, rtol=1e-10, atol=1e-13)
    # the gradient is the loss's: a central difference along a random direction
    u = rng.normal(size=net.n_params)
    eps = 1e-6
    lp = R.loss_and_grad(net.params + eps * u, net.layout, X, y, K.TASK_CLASSIFICATION, *args)[0]
    lm = R.loss_and_grad(net.params - eps * u, net.layout, X, y, K.TASK_CLASSIFICATION, *args)[0]
    assert (lp - lm) / (2 * eps) == pytest.approx(float(g @ u), rel=1e-5, abs=1e-8)


@pytest.mark.parametrize("residual", [False, True], ids=["plain", "residual"])
@pytest.mark.parametrize("act", ALL, ids=[a.value for a in ALL])
def test_ten_steps_match_pytorch(act, residual):
    torch.set_num_threads(1)
    rng = np.random.default_rng(11)
    n = 80
    X = rng.uniform(-3, 3, size=(n, 2))
    # classification with Adam on minibatches for some, regression with SGD full batch for others
    classify = ACTIVATION_IDS[act] % 2 == 0
    sizes = [2, 8, 8, 8, 3] if classify else [2, 7, 7, 1]
    y = rng.integers(0, 3, n) if classify else np.cos(X[:, 0]) * X[:, 1] / 4
    net = MLP(sizes, seed=6, activation=act, negative_slope=SLOPE, residual=residual)
    tnet = _TorchNet(net)
    seed, l2 = 21, 1e-3
    if classify:
        task, optimizer, lr, batch = "classification", "adam", 0.01, 16
    else:
        task, optimizer, lr, batch = "regression", "sgd", 0.01, 1000
    tr = Trainer(net, X, y, task=task, optimizer=optimizer, lr=lr, momentum=0.9,
                 batch_size=batch, l2=l2, seed=seed)  # fmt: skip
    opt = torch_optimizer(optimizer, tnet, lr, l2)
    p0 = net.params.copy()
    assert_steps_match_torch(tr, tnet, opt, X, y, task, trainer_batches(n, batch, seed, 10))
    assert np.max(np.abs(net.params - p0)) > 1e-4


@pytest.mark.parametrize("act", ["leaky_relu", "hardtanh", "gelu"])
def test_kernel_steps_match_numpy_twin_with_residual_layers(act):
    rng = np.random.default_rng(2)
    X = rng.normal(scale=2.0, size=(90, 2))
    y = rng.integers(0, 2, 90)
    net = MLP([2, 9, 9, 9, 2], seed=1, activation=act, negative_slope=SLOPE, residual=True)
    p0 = net.params.copy()
    tr = Trainer(net, X, y, optimizer="adam", lr=0.02, batch_size=20, seed=3)
    tr.step(25)
    params, prev = p0.copy(), p0.copy()
    m1, m2 = np.zeros_like(p0), np.zeros_like(p0)
    cfg = tr._cfg.copy()
    hp = tr._hp.copy()
    state = np.zeros(K.ST_SIZE, dtype=np.int64)
    state[K.ST_POS] = 90
    R.train_steps(
        params, prev, m1, m2, net.layout, X, y.astype(float), np.arange(90, dtype=np.int64), cfg,
        hp, state, np.array([3], dtype=np.uint64), np.zeros(25), 25,
    )  # fmt: skip
    np.testing.assert_allclose(net.params, params, atol=1e-10, rtol=0)


def test_snapshots_keep_the_activation():
    X = np.random.default_rng(0).normal(size=(40, 2))
    y = (X[:, 0] > 0).astype(int)
    net = MLP([2, 4, 2], seed=0, activation="hardtanh")
    tr = Trainer(net, X, y)
    snap = tr.snapshot()
    tr.set_network(MLP([2, 5, 5, 2], seed=1))
    tr.restore(snap)
    assert tr.net.activation is Activation.HARDTANH and tr.net.sizes == [2, 4, 2]


def test_hardtanh_derivative_read_from_its_output_is_the_derivative_of_z():
    """A plain hard tanh layer keeps no pre-activations: the kernel clips in place and takes
    sigma'(z) from sigma(z); at and around both kinks that must give torch's values."""
    z = np.array([-3.0, -1.0, -1.0 + 1e-16, -0.5, 0.0, 0.5, 1.0 - 1e-16, 1.0, 1.0 + 1e-15, 7.0])
    Z = np.tile(z, (3, 1))
    H = Z.copy()
    clip_in_place(H)
    assert np.array_equal(H, np.clip(Z, -1.0, 1.0))
    G = np.random.default_rng(0).normal(size=Z.shape)
    from_h = np.empty_like(G)
    scale_by_derivative(ACT_HARDTANH, 0.0, H, G, from_h)
    assert np.array_equal(from_h, G * derivative(Z, Activation.HARDTANH))
    assert np.count_nonzero(from_h[0]) == 5
