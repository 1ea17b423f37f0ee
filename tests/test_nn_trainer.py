"""Trainer behaviour: the public API, live edits, divergence, splits, snapshots and bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sandbox.nn import MLP, Trainer, warmup
from sandbox.nn import kernels as K
from sandbox.nn import reference as R


def _blobs(n: int = 200, k: int = 2, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, k, n)
    centres = np.array([[np.cos(a), np.sin(a)] for a in 2 * np.pi * np.arange(k) / k]) * 3
    return centres[y] + rng.normal(0, 1.0, (n, 2)), y


def _ring(n: int = 300, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    r = np.concatenate([rng.uniform(0, 2.5, n // 2), rng.uniform(3.5, 5, n - n // 2)])
    a = rng.uniform(0, 2 * np.pi, n)
    return np.column_stack([r * np.cos(a), r * np.sin(a)]), (r > 3).astype(np.int64)


def test_public_api_step_returns_batch_loss_before_update():
    X, y = _blobs()
    net = MLP([2, 8, 8, 2], seed=0)
    w0 = net.params.copy()
    tr = Trainer(net, X, y, task="classification", optimizer="adam", lr=0.01, batch_size=500)
    # full batch: the returned loss is the loss of the weights before the step
    expect = R.loss_and_grad(w0, net.layout, X, y.astype(float), K.TASK_CLASSIFICATION)[0]
    loss = tr.step()
    assert isinstance(loss, float)
    assert loss == pytest.approx(expect, rel=1e-12)
    assert tr.steps == 1 and not np.array_equal(net.params, w0)  # the net holds new weights
    first = loss
    for _ in range(20):
        loss = tr.step(10)
    assert tr.steps == 201
    assert loss < 0.5 * first
    losses = tr.batch_losses()
    assert losses.shape == (10,) and losses[-1] == loss and np.all(np.isfinite(losses))


def test_chunking_does_not_change_the_run():
    X, y = _blobs(150, 3, seed=2)
    a = Trainer(MLP([2, 10, 10, 3], seed=1), X, y, batch_size=32, seed=5, l2=1e-3)
    b = Trainer(MLP([2, 10, 10, 3], seed=1), X, y, batch_size=32, seed=5, l2=1e-3)
    la = a.step(25)
    for n in (1, 7, 3, 14):
        lb = b.step(n)
    np.testing.assert_array_equal(a.net.params, b.net.params)
    assert la == lb


def test_trainer_matches_numpy_twin():
    X, y = _blobs(60, 2, seed=3)
    net = MLP([2, 6, 6, 2], seed=3)
    p0 = net.params.copy()
    tr = Trainer(net, X, y, optimizer="sgd", lr=0.05, momentum=0.8, batch_size=16, seed=9)
    tr.step(10)
    params, prev = p0.copy(), p0.copy()
    m1, m2 = np.zeros_like(p0), np.zeros_like(p0)
    order = np.arange(60, dtype=np.int64)
    cfg = np.array([K.TASK_CLASSIFICATION, K.OPT_SGD, 16, 0, 256], dtype=np.int64)
    hp = np.array(
        [0.05, 0.9, 0.999, 1e-8, 0.0, 0.8, np.inf, np.inf, 0.0, 1.0, 1.0]
    )  # constant schedule
    state = np.array([0, 60, 0, 0], dtype=np.int64)
    rng = np.array([9], dtype=np.uint64)
    R.train_steps(
        params, prev, m1, m2, net.layout, X, y.astype(float), order, cfg, hp, state, rng,
        np.zeros(10), 10,
    )  # fmt: skip
    np.testing.assert_allclose(net.params, params, atol=1e-10, rtol=0)


def test_full_batch_is_deterministic_and_ignores_seed():
    X, y = _blobs(100)
    a = Trainer(MLP([2, 8, 2], seed=0), X, y, batch_size=100, seed=1)
    b = Trainer(MLP([2, 8, 2], seed=0), X, y, batch_size=10_000, seed=2)
    a.step(30)
    b.step(30)
    np.testing.assert_array_equal(a.net.params, b.net.params)


@pytest.mark.parametrize("optimizer", ["adam", "sgd"])
@pytest.mark.parametrize("task", ["classification", "regression"])
def test_huge_learning_rate_diverges_without_nan_and_recovers(optimizer, task):
    X, y = _blobs(120)
    if task == "regression":
        y = np.sin(X[:, 0])
    net = MLP([2, 16, 16, 1 if task == "regression" else 2], seed=0)
    w0 = net.params.copy()
    tr = Trainer(net, X, y, task=task, optimizer=optimizer, lr=1e3, batch_size=32)
    for _ in range(5):
        loss = tr.step(50)
        assert math.isfinite(loss) or tr.steps == 0
        assert np.all(np.isfinite(net.params))
    assert tr.diverged and tr.state == "diverged"
    assert "learning rate" in tr.message
    # the restored weights are good ones: finite, with a finite loss not far above the start
    good = tr.metrics().train_loss
    assert math.isfinite(good)
    start = Trainer(MLP(net.sizes, seed=0), X, y, task=task).metrics().train_loss
    assert good <= 10 * max(1.0, start)
    if tr.steps == 0:
        np.testing.assert_array_equal(net.params, w0)
    frozen = net.params.copy()
    steps = tr.steps
    tr.step(20)  # while diverged nothing moves
    np.testing.assert_array_equal(net.params, frozen)
    assert tr.steps == steps
    tr.set_lr(0.003 if optimizer == "adam" else 0.01)  # the caller changes the setting
    assert not tr.diverged and tr.message == ""
    before = tr.metrics().train_loss
    for _ in range(10):
        tr.step(50)
    assert not tr.diverged
    assert np.all(np.isfinite(net.params))
    assert tr.metrics().train_loss < before


def test_divergence_restores_weights_from_before_the_bad_update():
    X, y = _blobs(64)
    net = MLP([2, 8, 2], seed=0)
    tr = Trainer(net, X, y, lr=0.01, batch_size=64)
    tr.step(5)
    good = net.params.copy()
    m1 = tr._m1.copy()
    tr.set_lr(1e3)
    tr.step(100)
    assert tr.diverged
    # Adam's first step at lr 1e3 moves every weight by ~1e3: the loss after it explodes,
    # so the last good weights are the ones before that step, with the moments they had
    np.testing.assert_array_equal(net.params, good)
    assert tr.optimizer_steps == 5
    np.testing.assert_array_equal(tr._m1, m1)


def test_no_data_is_not_an_error():
    net = MLP([2, 4, 2], seed=0)
    tr = Trainer(net, np.zeros((0, 2)), np.zeros(0, dtype=int))
    w = net.params.copy()
    assert math.isnan(tr.step(10))
    assert tr.state == "no_data" and "point" in tr.message
    np.testing.assert_array_equal(net.params, w)
    assert tr.steps == 0
    m = tr.metrics()
    assert m.train_loss is None and m.n_train == 0
    assert tr.step_for(0.01) == 0
    X, y = _blobs(20)
    tr.set_data(X, y)
    assert tr.state == "ready"
    assert math.isfinite(tr.step(3)) and tr.steps == 3


def test_set_data_keeps_weights_and_optimizer_state():
    X, y = _blobs(100)
    tr = Trainer(MLP([2, 8, 2], seed=0), X, y, batch_size=16)
    tr.step(20)
    w, m = tr.net.params.copy(), tr.snapshot().moment1
    tr.set_data(X[:50], y[:50])  # points removed
    np.testing.assert_array_equal(tr.net.params, w)
    np.testing.assert_array_equal(tr.snapshot().moment1, m)
    assert tr.n_train == 50 and tr.optimizer_steps == 20
    X2 = np.vstack([X, [[0.0, 0.0]]])
    tr.set_data(X2, np.append(y, 1))  # a point added
    assert tr.n_train == 101
    tr.step(5)
    assert tr.steps == 25


def test_settings_change_without_resetting_weights():
    X, y = _blobs(100)
    tr = Trainer(MLP([2, 8, 2], seed=0), X, y, batch_size=16)
    tr.step(10)
    w = tr.net.params.copy()
    tr.set_lr(0.1)
    tr.set_l2(1e-3)
    tr.set_momentum(0.5)
    tr.set_batch_size(7)
    np.testing.assert_array_equal(tr.net.params, w)
    assert tr.optimizer_steps == 10  # Adam moments kept
    tr.set_optimizer("sgd")
    np.testing.assert_array_equal(tr.net.params, w)
    assert tr.optimizer_steps == 0  # a fresh optimizer, as a new torch optimizer
    tr.step(5)
    assert tr.optimizer == "sgd" and tr.steps == 15


def test_resize_keeps_shared_weights_and_their_moments():
    X, y = _blobs(100)
    tr = Trainer(MLP([2, 6, 5, 2], seed=0), X, y, batch_size=20)
    tr.step(10)
    old = tr.net.copy()
    old_m = tr.snapshot().moment1
    new = tr.resize([8, 5], seed=3)
    assert tr.net is new and new.sizes == [2, 8, 5, 2]
    (W1, b1), (W2, b2), (W3, b3) = new.layers
    (V1, c1), (V2, c2), (V3, c3) = old.layers
    np.testing.assert_array_equal(W1[:6], V1)
    np.testing.assert_array_equal(b1[:6], c1)
    np.testing.assert_array_equal(W2[:, :6], V2)
    np.testing.assert_array_equal(W3, V3)
    assert np.all(W2[:, 6:] != 0) and np.all(W1[6:] != 0)  # new rows and columns initialised
    m = tr.snapshot().moment1
    w_off, _, n_in, _ = new.layout[1]
    assert m[w_off + 6] == 0.0  # a new column's moment starts at zero
    assert m[w_off] == old_m[old.layout[1][0]]  # a kept weight keeps its moment
    tr.step(5)
    assert np.all(np.isfinite(new.params))


def test_mlp_resized_and_without_neuron_keep_the_function_where_they_should():
    net = MLP([2, 5, 4, 3], seed=1)
    X = np.random.default_rng(0).normal(size=(50, 2))
    # silence neuron 2 of layer 1 (its outgoing weights), then remove it: same function
    net.layers[1][0][:, 2] = 0.0
    smaller = net.without_neuron(1, 2)
    assert smaller.sizes == [2, 4, 4, 3]
    np.testing.assert_allclose(smaller.forward(X), net.forward(X), rtol=1e-13, atol=1e-13)
    # add neurons, then zero their outgoing weights: same function
    bigger = net.resized([7, 4], seed=5)
    bigger.layers[1][0][:, 5:] = 0.0
    np.testing.assert_allclose(bigger.forward(X), net.forward(X), rtol=1e-13, atol=1e-13)
    # more classes keep the old logits
    more = net.resized([5, 4], n_out=5)
    np.testing.assert_allclose(more.forward(X)[:, :3], net.forward(X), rtol=1e-13, atol=1e-13)
    # a deeper net keeps the hidden layers it shares; its output reads a new layer
    deeper = net.resized([5, 4, 4])
    np.testing.assert_array_equal(deeper.layers[1][0], net.layers[1][0])
    np.testing.assert_array_equal(deeper.layers[3][1], net.layers[2][1])
    with pytest.raises(ValueError, match="neuron index is 9"):
        net.without_neuron(1, 9)


def test_classes_beyond_the_outputs_need_a_bigger_network():
    X, y = _blobs(60, 2)
    tr = Trainer(MLP([2, 6, 2], seed=0), X, y)
    y3 = y.copy()
    y3[0] = 2
    with pytest.raises(ValueError, match="label y\\[0\\] = 2 is out of range"):
        tr.set_data(X, y3)
    tr.resize([6], n_out=3)
    tr.set_data(X, y3)
    tr.step(3)
    with pytest.raises(ValueError, match="has only 2 outputs"):
        tr.set_network(MLP([2, 6, 2]))


def test_split_ratio_is_exact_and_stable_under_edits():
    X, y = _blobs(200)
    tr = Trainer(MLP([2, 8, 2], seed=0), X, y, batch_size=32)
    tr.split(0.8, seed=1)
    assert tr.n_test == 40 and tr.n_train == 160
    mask = tr.test_mask
    tr.set_data(np.vstack([X, [[9.0, 9.0]]]), np.append(y, 0))  # add a point: ratio re-applied
    moved = np.sum(tr.test_mask[:200] != mask)
    assert moved <= 2
    m = tr.metrics()
    assert m.n_test == round(0.2 * 201) and m.test_loss is not None
    assert 0.0 <= m.test_accuracy <= 1.0
    tr.step(10)
    tr.split(1.0)
    assert tr.n_test == 0 and tr.metrics().test_loss is None
    explicit = np.zeros(201, dtype=bool)
    explicit[:5] = True
    tr.set_data(tr.X, tr.y, test_mask=explicit)
    assert tr.n_test == 5


def test_metrics_match_a_direct_full_pass():
    X, y = _blobs(80, 3, seed=4)
    mask = np.arange(80) % 4 == 0
    tr = Trainer(MLP([2, 8, 3], seed=2), X, y, test_mask=mask)
    tr.step(30)
    m = tr.metrics()
    out = tr.net.forward(X)
    p = np.exp(out - out.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    ce = -np.log(p[np.arange(80), y])
    assert m.train_loss == pytest.approx(ce[~mask].mean(), rel=1e-12)
    assert m.test_loss == pytest.approx(ce[mask].mean(), rel=1e-12)
    assert m.train_accuracy == pytest.approx(np.mean(out[~mask].argmax(1) == y[~mask]))
    assert m.step == 30 and m.n_train == 60 and m.n_test == 20


def test_snapshot_restore_replays_exactly():
    X, y = _blobs(90)
    tr = Trainer(MLP([2, 8, 8, 2], seed=0), X, y, batch_size=16, seed=3)
    tr.step(13)
    snap = tr.snapshot()
    tr.step(20)
    after = tr.net.params.copy()
    tr.restore(snap)
    assert tr.steps == 13
    np.testing.assert_array_equal(tr.net.params, snap.params)
    tr.step(20)
    np.testing.assert_array_equal(tr.net.params, after)
    # a snapshot from another architecture swaps the network in
    small = tr.snapshot()
    tr.resize([4])
    tr.restore(small)
    assert tr.net.sizes == [2, 8, 8, 2]


def test_step_for_respects_max_steps_and_learns_the_step_cost():
    X, y = _blobs(100)
    tr = Trainer(MLP([2, 8, 2], seed=0), X, y, batch_size=32)
    assert tr.step_for(0.05, max_steps=7) == 7
    n = tr.step_for(0.02)
    assert n >= 1 and tr.steps == 7 + n


@pytest.mark.parametrize(
    "make,match",
    [
        (lambda: MLP([3, 4, 2]), "input width is 3"),
        (lambda: MLP([2, 0, 2]), "width 0"),
        (lambda: MLP([2, 1001, 2]), "width 1001; allowed: 1 to 1000"),
        (lambda: MLP([2, 16, 257, 2]), "width 257; allowed: 1 to 256"),
        (lambda: MLP([2] + [4] * 9 + [2]), "9 hidden layers"),
        (lambda: MLP([2, 4, 7]), "output width is 7"),
        (lambda: Trainer(MLP([2, 4, 2]), np.zeros((3, 3)), [0, 1, 0]), "shape \\(N, 2\\)"),
        (lambda: Trainer(MLP([2, 4, 2]), [[0, 0], [1, np.nan]], [0, 1]), "X\\[1\\]"),
        (lambda: Trainer(MLP([2, 4, 2]), [[0, 0], [1, 1]], [0, 2]), "y\\[1\\] = 2"),
        (lambda: Trainer(MLP([2, 4, 2]), [[0, 0], [1, 1]], [0, -1]), "y\\[1\\] = -1"),
        (lambda: Trainer(MLP([2, 4, 2]), [[0, 0], [1, 1]], [0, 0.5]), "y\\[1\\] = 0.5"),
        (lambda: Trainer(MLP([2, 4, 2]), [[0, 0]], [0], optimizer="adamw"), "'adamw'"),
        (lambda: Trainer(MLP([2, 4, 2]), [[0, 0]], [0], task="ranking"), "'ranking'"),
        (lambda: Trainer(MLP([2, 4, 2]), [[0, 0]], [0], lr=0.0), "learning rate is 0.0"),
        (lambda: Trainer(MLP([2, 4, 2]), [[0, 0]], [0], lr=float("nan")), "learning rate"),
        (lambda: Trainer(MLP([2, 4, 2]), [[0, 0]], [0], batch_size=0), "batch size is 0"),
        (lambda: Trainer(MLP([2, 4, 2]), [[0, 0]], [0], momentum=1.0), "momentum is 1.0"),
        (lambda: Trainer(MLP([2, 4, 2]), [[0, 0]], [0], l2=-1), "L2 is -1"),
        (lambda: Trainer(MLP([2, 4, 2]), [[0, 0]], [0.5], task="regression"), "1 output"),
        (lambda: Trainer(MLP([2, 4, 1]), [[0, 0]], [0], task="classification"), "2 to 6"),
        (lambda: Trainer(MLP([2, 4, 1]), [[0, 0]], [np.inf], task="regression"), "y\\[0\\]"),
    ],
)
def test_bad_input_raises_value_error_naming_the_value(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_bad_settings_at_runtime():
    tr = Trainer(MLP([2, 4, 2]), [[0.0, 0.0], [1.0, 1.0]], [0, 1])
    with pytest.raises(ValueError, match="'rmsprop'"):
        tr.set_optimizer("rmsprop")
    with pytest.raises(ValueError, match="number of steps is -1"):
        tr.step(-1)
    with pytest.raises(ValueError, match="train ratio is 1.5"):
        tr.split(1.5)
    assert tr.optimizer == "adam"  # a rejected setting changes nothing


def test_unknown_dataset_name_is_a_value_error():
    from sandbox.data import make_dataset

    with pytest.raises(ValueError, match="nosuchset"):
        make_dataset("nosuchset")


def test_warmup_reports_progress_to_one():
    seen = []
    warmup(lambda f, label: seen.append((f, label)))
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert all(isinstance(label, str) and label for _, label in seen)


def test_hand_edited_weights_become_the_last_good_ones():
    X, y = _blobs(64)
    net = MLP([2, 8, 2], seed=0)
    tr = Trainer(net, X, y, lr=0.01, batch_size=64)
    tr.step(5)
    m_before = tr.metrics()
    net.layers[0][1][:] += 0.5  # e.g. a crease dragged in the app
    edited = net.params.copy()
    assert tr.metrics() != m_before  # the figures follow the edit
    tr.set_lr(1e3)
    tr.step(10)
    assert tr.diverged
    np.testing.assert_array_equal(net.params, edited)


@pytest.mark.parametrize("optimizer", ["adam", "sgd"])
def test_numpy_steps_take_the_kernels_steps_and_hand_over_midway(optimizer):
    """A first start trains with the numpy twin, then switches to the kernel: the run equals
    the kernel's own, minibatch sampler and optimizer state included."""
    X, y = _ring()
    kernel = Trainer(MLP([2, 8, 8, 2], seed=3), X, y, optimizer=optimizer, batch_size=32)
    mixed = Trainer(MLP([2, 8, 8, 2], seed=3), X, y, optimizer=optimizer, batch_size=32)
    mixed.numpy_steps = True
    mixed.step(25)  # crosses an epoch: the twin reshuffles with the same generator
    assert mixed.numpy_steps and mixed.steps == 25
    mixed.numpy_steps = False
    mixed.step(15)
    kernel.step(40)
    assert mixed.steps == kernel.steps == 40
    np.testing.assert_allclose(mixed.net.params, kernel.net.params, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(mixed._order, kernel._order)  # noqa: SLF001
    assert mixed.last_loss == pytest.approx(kernel.last_loss, rel=1e-12)
