"""The numba training kernel against its numpy twin and against finite differences.

Gradients of both engines are checked against central differences of the loss (float64); the
fused n-step kernel is checked against `sandbox.nn.reference.train_steps` after 10 steps of each
optimizer, with sampling, L2 and both tasks; the sampler, exp and log helpers against numpy.
"""

from __future__ import annotations

import numpy as np
import pytest

from sandbox.nn import MLP, Trainer
from sandbox.nn import kernels as K
from sandbox.nn import reference as R

ARCHS = [
    [2, 16, 16, 16, 2],
    [2, 5, 3, 3],
    [2, 7, 13, 1],
    [2, 1, 4],
    [2, 9, 6, 2, 6],
]


def _data(sizes: list[int], n: int, seed: int) -> tuple[np.ndarray, np.ndarray, int]:
    rng = np.random.default_rng(seed)
    X = rng.uniform(-3.0, 3.0, size=(n, 2))
    if sizes[-1] == 1:
        return X, np.sin(X[:, 0]) + 0.3 * X[:, 1], K.TASK_REGRESSION
    return X, rng.integers(0, sizes[-1], n).astype(np.float64), K.TASK_CLASSIFICATION


def _numba_loss_grad(net: MLP, X: np.ndarray, y: np.ndarray, task: int):
    return K.loss_and_grad(net.params, net.layout, X, y, task)


def _numpy_loss(params: np.ndarray, layout: np.ndarray, X, y, task) -> float:
    return R.loss_and_grad(params, layout, X, y, task)[0]


@pytest.mark.parametrize("sizes", ARCHS, ids=str)
def test_gradients_match_central_differences(sizes):
    net = MLP(sizes, seed=4)
    X, y, task = _data(sizes, 23, seed=1)
    loss_nb, g_nb = _numba_loss_grad(net, X, y, task)
    loss_np, g_np = R.loss_and_grad(net.params, net.layout, X, y, task)
    h = 1e-6
    fd = np.empty(net.n_params)
    p = net.params.copy()
    for k in range(net.n_params):
        q = p.copy()
        q[k] += h
        up = _numpy_loss(q, net.layout, X, y, task)
        q[k] -= 2 * h
        down = _numpy_loss(q, net.layout, X, y, task)
        fd[k] = (up - down) / (2 * h)
    scale = np.linalg.norm(fd)
    assert scale > 1e-3  # a real gradient, not a dead network
    for g in (g_nb, g_np):
        assert np.linalg.norm(g - fd) / scale < 1e-6
        # per coordinate, with a floor for the near-zero entries
        assert np.all(np.abs(g - fd) <= 1e-6 * np.maximum(np.abs(fd), 1e-3 * scale))
    assert loss_nb == pytest.approx(loss_np, rel=1e-13)
    np.testing.assert_allclose(g_nb, g_np, rtol=1e-11, atol=1e-14 * scale)


def test_gradient_of_a_batch_larger_than_a_chunk():
    net = MLP([2, 12, 12, 3], seed=5)
    X, y, task = _data([2, 12, 12, 3], 1000, seed=8)
    loss, g = K.loss_and_grad(net.params, net.layout, X, y, task)
    loss_np, g_np = R.loss_and_grad(net.params, net.layout, X, y, task)
    assert loss == pytest.approx(loss_np, rel=1e-13)
    np.testing.assert_allclose(g, g_np, rtol=1e-10, atol=1e-14)


def test_dead_relu_has_zero_gradient_like_pytorch():
    # ReLU'(0) = 0: a neuron whose pre-activation is exactly 0 passes no gradient
    net = MLP([2, 2, 2], seed=0)
    (W1, b1), _ = net.layers
    W1[0] = [0.0, 0.0]
    b1[0] = 0.0
    X = np.array([[1.0, 2.0], [-1.0, 0.5], [0.3, -0.7]])
    y = np.array([0.0, 1.0, 1.0])
    _, g = _numba_loss_grad(net, X, y, K.TASK_CLASSIFICATION)
    _, g_np = R.loss_and_grad(net.params, net.layout, X, y, K.TASK_CLASSIFICATION)
    w_off, _, _, b_off = net.layout[0]
    assert g[w_off] == 0.0 and g[w_off + 1] == 0.0 and g[b_off] == 0.0
    np.testing.assert_allclose(g, g_np, rtol=1e-12, atol=1e-15)


def _kernel_args(net, X, y, task, optimizer, batch, lr, l2, momentum, seed, chunk=256):
    n = X.shape[0]
    order = np.arange(n, dtype=np.int64)
    full = batch >= n
    cfg = np.zeros(K.CFG_SIZE, dtype=np.int64)
    cfg[K.CFG_TASK] = task
    cfg[K.CFG_OPTIMIZER] = optimizer
    cfg[K.CFG_BATCH] = min(batch, n)
    cfg[K.CFG_FULL] = 1 if full else 0
    cfg[K.CFG_CHUNK] = chunk
    hp = np.zeros(K.HP_SIZE)
    hp[K.HP_LR] = lr
    hp[K.HP_BETA1], hp[K.HP_BETA2], hp[K.HP_EPS] = 0.9, 0.999, 1e-8
    hp[K.HP_L2] = l2
    hp[K.HP_MOMENTUM] = momentum
    hp[K.HP_LOSS_LIMIT] = np.inf
    hp[K.HP_JUMP_LIMIT] = np.inf
    state = np.zeros(K.ST_SIZE, dtype=np.int64)
    state[K.ST_POS] = n
    rng = np.array([seed], dtype=np.uint64)
    P = net.n_params
    return dict(
        params=net.params.copy(),
        prev=net.params.copy(),
        m1=np.zeros(P),
        m2=np.zeros(P),
        order=order,
        cfg=cfg,
        hp=hp,
        state=state,
        rng=rng,
    )


# the general kernel (any activation) and plain ReLU's own, smaller one: the same steps
KERNELS = pytest.mark.parametrize(
    "kernel", [K.train_steps, K.train_steps_relu], ids=["general", "relu-kernel"]
)


def _run_both(
    net, X, y, task, optimizer, batch, lr, l2, momentum, n_steps, seed=7, chunk=256, kernel=None
):
    a = _kernel_args(net, X, y, task, optimizer, batch, lr, l2, momentum, seed, chunk)
    b = {k: v.copy() for k, v in a.items()}
    _, size = K.work_layout(net.layout, min(int(a["cfg"][K.CFG_BATCH]), chunk))
    losses_a = np.zeros(n_steps)
    losses_b = np.zeros(n_steps)
    done_a = (kernel or K.train_steps)(
        a["params"],
        np.zeros(net.n_params),
        a["prev"],
        a["m1"],
        a["m2"],
        net.layout,
        X,
        y,
        a["order"],
        a["cfg"],
        a["hp"],
        a["state"],
        a["rng"],
        np.full(size, np.nan),
        losses_a,
        n_steps,
    )
    done_b = R.train_steps(
        b["params"],
        b["prev"],
        b["m1"],
        b["m2"],
        net.layout,
        X,
        y,
        b["order"],
        b["cfg"],
        b["hp"],
        b["state"],
        b["rng"],
        losses_b,
        n_steps,
    )
    return (done_a, a, losses_a), (done_b, b, losses_b)


@pytest.mark.parametrize("optimizer", [K.OPT_ADAM, K.OPT_SGD], ids=["adam", "sgd"])
@pytest.mark.parametrize(
    "sizes,batch,l2,chunk",
    [
        ([2, 16, 16, 16, 2], 16, 0.0, 256),  # minibatches: sampling and epochs must agree too
        ([2, 16, 16, 16, 2], 1000, 1e-3, 256),  # full batch
        ([2, 16, 16, 16, 2], 1000, 1e-3, 16),  # full batch in chunks of 16, 16 and 8
        ([2, 6, 5, 3], 7, 1e-2, 256),
        ([2, 11, 1], 9, 1e-3, 256),  # regression
        ([2, 11, 1], 9, 1e-3, 4),  # regression, chunks of 4, 4 and 1
        ([2, 9, 6, 2, 6], 13, 0.0, 5),
    ],
    ids=[
        "minibatch",
        "fullbatch",
        "fullbatch-chunks",
        "3class-l2",
        "regression",
        "regression-chunks",
        "deep6-chunks",
    ],  # fmt: skip
)
@KERNELS
def test_kernel_matches_numpy_twin_after_10_steps(optimizer, sizes, batch, l2, chunk, kernel):
    net = MLP(sizes, seed=2)
    X, y, task = _data(sizes, 40, seed=3)
    lr = 0.02 if optimizer == K.OPT_ADAM else 0.05
    (done_a, a, la), (done_b, b, lb) = _run_both(
        net, X, y, task, optimizer, batch, lr, l2, 0.9, n_steps=10, chunk=chunk, kernel=kernel
    )
    assert done_a == done_b == 10
    assert np.max(np.abs(a["params"] - net.params)) > 1e-3  # training moved the weights
    np.testing.assert_allclose(a["params"], b["params"], rtol=0, atol=1e-10)
    np.testing.assert_allclose(a["prev"], b["prev"], rtol=0, atol=1e-10)
    np.testing.assert_allclose(a["m1"], b["m1"], rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(a["m2"], b["m2"], rtol=1e-8, atol=1e-14)
    np.testing.assert_allclose(la, lb, rtol=1e-11)
    np.testing.assert_array_equal(a["order"], b["order"])
    np.testing.assert_array_equal(a["state"], b["state"])
    assert a["rng"][0] == b["rng"][0]


@pytest.mark.parametrize("optimizer", [K.OPT_ADAM, K.OPT_SGD], ids=["adam", "sgd"])
@KERNELS
def test_divergence_stops_both_engines_at_the_same_step(optimizer, kernel):
    net = MLP([2, 8, 8, 2], seed=1)
    X, y, task = _data([2, 8, 8, 2], 30, seed=5)
    a = _kernel_args(net, X, y, task, optimizer, 10, 1e3, 0.0, 0.9, 3)
    a["hp"][K.HP_LOSS_LIMIT] = 1e4
    a["hp"][K.HP_JUMP_LIMIT] = 100.0
    b = {k: v.copy() for k, v in a.items()}
    _, size = K.work_layout(net.layout, 10)
    la, lb = np.zeros(50), np.zeros(50)
    done_a = kernel(
        a["params"], np.zeros(net.n_params), a["prev"], a["m1"], a["m2"], net.layout, X, y,
        a["order"], a["cfg"], a["hp"], a["state"], a["rng"], np.zeros(size), la, 50,
    )  # fmt: skip
    done_b = R.train_steps(
        b["params"], b["prev"], b["m1"], b["m2"], net.layout, X, y, b["order"], b["cfg"],
        b["hp"], b["state"], b["rng"], lb, 50,
    )  # fmt: skip
    assert done_a == done_b < 50
    assert a["state"][K.ST_STATUS] == b["state"][K.ST_STATUS] != K.STATUS_OK
    assert np.all(np.isfinite(a["params"])) and np.all(np.isfinite(a["prev"]))
    np.testing.assert_allclose(a["prev"], b["prev"], rtol=1e-9)


def test_kernel_for_picks_the_relu_kernel_only_for_plain_relu():
    from sandbox.nn.activations import ACTIVATION_IDS

    assert K.kernel_for(ACTIVATION_IDS["relu"], False) is K.train_steps_relu
    assert K.kernel_for(ACTIVATION_IDS["relu"], True) is K.train_steps
    assert K.kernel_for(ACTIVATION_IDS["leaky_relu"], False) is K.train_steps


def test_shuffle_matches_twin_and_is_a_permutation():
    order_a = np.arange(1000, dtype=np.int64)
    order_b = order_a.copy()
    rng_a = np.array([12345], dtype=np.uint64)
    rng_b = rng_a.copy()
    for _ in range(3):
        K.shuffle_inplace(order_a, rng_a)
        R.shuffle(order_b, rng_b)
    np.testing.assert_array_equal(order_a, order_b)
    assert rng_a[0] == rng_b[0]
    np.testing.assert_array_equal(np.sort(order_a), np.arange(1000))
    assert np.mean(order_a == np.arange(1000)) < 0.02


def test_splitmix_reference_values():
    # published first outputs of splitmix64 seeded with 0 (e.g. the xoshiro reference seeding)
    rng = np.array([0], dtype=np.uint64)
    assert R.splitmix_next(rng) == 0xE220A8397B1DCDAF
    assert R.splitmix_next(rng) == 0x6E789E6AA1B965F4


def test_vectorised_exp_and_log_match_numpy():
    from numba import njit

    @njit(cache=False)
    def apply(x, out, which):
        for n in range(x.shape[0]):
            out[n] = K.exp_nonpos(x[n]) if which == 0 else K.log_pos(x[n])

    rng = np.random.default_rng(0)
    x = np.concatenate([-rng.exponential(30.0, 20000), [0.0, -1e-300, -706.9, -700.0, -1e-8]])
    out = np.empty_like(x)
    apply(x, out, 0)
    ref = np.exp(x)
    np.testing.assert_allclose(out, ref, rtol=4e-16, atol=0)
    big = np.array([-707.5, -800.0, -np.inf])
    out = np.empty_like(big)
    apply(big, out, 0)
    assert np.all(out < 1e-300) and np.all(out >= 0)
    x = np.concatenate([np.exp(rng.uniform(-700, 700, 20000)), [1.0, 2.0, 6.0, 1 + 1e-12]])
    out = np.empty_like(x)
    apply(x, out, 1)
    np.testing.assert_allclose(out, np.log(x), rtol=4e-16, atol=1e-300)
    assert out[-4] == 0.0


def test_work_layout_blocks_do_not_overlap():
    net = MLP([2, 7, 5, 3], seed=0)
    offs, size = K.work_layout(net.layout, 11)
    # layers, two delta buffers, targets, temps, spares, a third delta buffer, pre-activations
    widths = [2, 7, 5, 3, 7, 7, 1, 2, 3, 7, 7, 5]
    assert offs[0] == 0
    for k, w in enumerate(widths):
        assert offs[k + 1] - offs[k] == w * 11
    assert size == offs[-1]


def test_work_array_starts_on_a_cache_line():
    """The trainer's scratch memory is 64-byte aligned whatever malloc returns, so the kernel's
    rows load as whole vectors (a 16-byte-aligned one made steps about a tenth slower)."""
    for size in (1, 7, 1000, 50_000):
        w = K.aligned_work(size)
        assert w.shape == (size,) and w.dtype == np.float64
        assert w.ctypes.data % 64 == 0
        assert not w.any()
    X, y, _ = _data([2, 4, 2], 40, 0)
    tr = Trainer(MLP([2, 4, 2], seed=0), X, y, batch_size=16)
    tr.step(1)
    assert tr._work.ctypes.data % 64 == 0
