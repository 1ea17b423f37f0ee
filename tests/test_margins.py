"""Exact margins against a brute-force distance to a finely sampled boundary (2 and 3 classes
and a regression level set), the numba kernel against its numpy twin, the larger second
window, and nudge-to-flip moves that do flip the class."""

from __future__ import annotations

import numpy as np
import pytest

from sandbox.geometry.margins import (
    nearest_on_segments,
    nearest_on_segments_numpy,
    nudge_to_flip,
    point_margins,
    predicted_classes,
)
from sandbox.nn import MLP


def _boundary_sample(net, bounds, n=500, level=0.5):
    """Points within 1e-9 of the decision boundary: every grid edge whose ends the network
    classes differently, bisected (independent of the partition)."""
    xmin, xmax, ymin, ymax = bounds
    xs, ys = np.linspace(xmin, xmax, n), np.linspace(ymin, ymax, n)
    G = np.stack(np.meshgrid(xs, ys), -1)
    C = predicted_classes(net, G.reshape(-1, 2), level).reshape(n, n)
    pairs = []
    for a, b, ca, cb in (
        (G[:, :-1], G[:, 1:], C[:, :-1], C[:, 1:]),
        (G[:-1], G[1:], C[:-1], C[1:]),
    ):
        m = ca != cb
        pairs.append((a[m], b[m], ca[m]))
    A = np.concatenate([p[0] for p in pairs])
    B = np.concatenate([p[1] for p in pairs])
    CA = np.concatenate([p[2] for p in pairs])
    for _ in range(40):
        M = 0.5 * (A + B)
        same = predicted_classes(net, M, level) == CA
        A = np.where(same[:, None], M, A)
        B = np.where(same[:, None], B, M)
    return 0.5 * (A + B), (xmax - xmin) / (n - 1)


def _net(sizes, seed):
    return MLP(sizes, seed=seed)


@pytest.mark.parametrize("sizes,seed", [([2, 8, 8, 2], 1), ([2, 10, 6, 3], 4), ([2, 6, 6, 4], 7)])
def test_margins_match_brute_force_on_a_sampled_boundary(sizes, seed):
    net = _net(sizes, seed)
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1.5, 1.5, size=(60, 2))
    y = rng.integers(0, sizes[-1], 60)
    m = point_margins(net, X, y)
    assert not m.message and m.exact.all()
    S, h = _boundary_sample(net, m.window)
    assert len(S) > 10
    brute = np.sqrt(((X[:, None, :] - S[None]) ** 2).sum(-1)).min(axis=1)
    # every sampled point is (within 1e-9) on the boundary: the exact distance is no larger
    assert np.all(m.distance <= brute + 1e-7)
    # and the boundary is sampled every grid step: the sample is at most a cell away
    assert np.all(brute <= m.distance + 2 * h)
    # the nearest point lies at that distance and on the boundary (classes differ beside it)
    assert np.allclose(np.hypot(*(m.nearest - X).T), m.distance)
    # no boundary inside the disk: points just inside it keep the point's class
    t = np.linspace(0, 2 * np.pi, 48, endpoint=False)
    ring = np.stack([np.cos(t), np.sin(t)], 1)
    inner = X[:, None, :] + 0.999 * m.distance[:, None, None] * ring[None]
    cls = predicted_classes(net, inner.reshape(-1, 2)).reshape(len(X), -1)
    assert np.all(cls == m.predicted[:, None])
    assert np.array_equal(m.signed < 0, m.predicted != y)


def test_regression_level_set_margins():
    net = _net([2, 8, 8, 1], 3)
    X = np.random.default_rng(2).uniform(-1, 1, size=(40, 2))
    out = net.forward(X)[:, 0]
    level = float(np.median(out))
    m = point_margins(net, X, level=level)
    S, h = _boundary_sample(net, m.window, level=level)
    brute = np.sqrt(((X[:, None, :] - S[None]) ** 2).sum(-1)).min(axis=1)
    assert m.exact.all()
    assert np.all(m.distance <= brute + 1e-7) and np.all(brute <= m.distance + 2 * h)
    assert np.array_equal(m.predicted, (out > level).astype(int))


def test_kernel_matches_numpy_twin():
    rng = np.random.default_rng(0)
    S = rng.normal(size=(300, 4))
    S[:5, 2:] = S[:5, :2]  # zero-length segments
    X = rng.normal(size=(500, 2)) * 2
    d, q, k = nearest_on_segments(X, S)
    d2, q2, k2 = nearest_on_segments_numpy(X, S)
    assert np.allclose(d, d2, rtol=0, atol=1e-12) and np.allclose(q, q2, atol=1e-12)
    # brute force over the same segments at 200 points each
    t = np.linspace(0, 1, 200)
    P = (S[:, None, :2] + t[None, :, None] * (S[:, None, 2:] - S[:, None, :2])).reshape(-1, 2)
    brute = np.sqrt(((X[:50, None, :] - P[None]) ** 2).sum(-1)).min(axis=1)
    assert np.all(d[:50] <= brute + 1e-12) and np.all(brute - d[:50] < 0.05)
    d0, q0, k0 = nearest_on_segments(X[:3], np.zeros((0, 4)))
    assert np.isinf(d0).all() and np.isnan(q0).all() and (k0 == -1).all()


def _line_net(at: float) -> MLP:
    """Class 1 right of x = at (for at > -20): logit f1 = relu(x + 20) - (at + 20), f0 = 0."""
    W1, b1 = np.array([[1.0, 0.0]]), np.array([20.0])
    W2, b2 = np.array([[0.0], [1.0]]), np.array([0.0, -(at + 20.0)])
    return MLP.from_weights([(W1, b1), (W2, b2)])


def test_a_far_boundary_is_found_in_a_second_window():
    X = np.array([[0.0, 0.0], [0.5, 0.2]])
    m = point_margins(_line_net(10.0), X, np.array([0, 0]))
    assert m.exact.all() and len(m.windows) == 2
    assert np.allclose(m.distance, [10.0, 9.5])
    assert np.allclose(m.nearest[:, 0], 10.0)
    # too far for the largest window: a lower bound, said to be one
    m = point_margins(_line_net(100.0), X, np.array([0, 0]))
    assert not m.exact.any() and np.all(m.distance > 5) and np.all(m.distance < 100)
    assert np.isnan(m.nearest).all()
    assert nudge_to_flip(_line_net(100.0), X[0], m) is None


@pytest.mark.parametrize("sizes,seed", [([2, 8, 8, 2], 5), ([2, 12, 8, 3], 9)])
def test_nudge_moves_flip_the_class(sizes, seed):
    net = _net(sizes, seed)
    X = np.random.default_rng(seed).uniform(-1.2, 1.2, size=(40, 2))
    m = point_margins(net, X)
    for i, p in enumerate(X):
        move = nudge_to_flip(net, p, m)
        assert move is not None
        assert move.distance == pytest.approx(m.distance[i], abs=1e-12)
        assert move.from_class == m.predicted[i]
        after = predicted_classes(net, np.array([move.target]))[0]
        assert after != move.from_class and after == move.to_class
        step = np.hypot(*move.vector)
        assert step <= m.distance[i] + 1e-5 * max(1.0, np.abs(move.nearest).max())


def test_no_exact_margins_over_budget_or_without_points():
    m = point_margins(_net([2, 8, 2], 0), np.zeros((0, 2)))
    assert len(m) == 0 and m.message
    net = MLP([2, 8, 2], seed=0, activation="tanh")
    m = point_margins(net, np.zeros((3, 2)), np.zeros(3, int))
    assert "smooth" in m.message and np.isnan(m.distance).all() and not m.exact.any()
    bad = _net([2, 4, 2], 0)
    bad.params[0] = np.nan
    m = point_margins(bad, np.zeros((2, 2)), np.zeros(2, int))
    assert "NaN" in m.message and np.isnan(m.distance).all()
    with pytest.raises(ValueError, match="labels"):
        point_margins(_net([2, 4, 2], 0), np.zeros((3, 2)), np.zeros(2, int))


def test_costly_values_move_to_the_geometry_worker():
    from sandbox.session import Session

    s = Session()
    s.background_above = 0.0  # every build after the first costs more than that
    assert s.derive_behind("x", lambda: 1, reads=("weights",)) == 1  # the first: at once
    s.weights_changed()
    assert s.derive_behind("x", lambda: 2, reads=("weights",)) == 1  # the last one meanwhile
    try:
        assert s.wait_for_geometry(10)
        assert s.derive_behind("x", lambda: 3, reads=("weights",)) == 2
    finally:
        s.worker.close()


def test_heavy_values_go_to_the_worker_from_their_first_build():
    """A view of a big partition never builds in the frame, not even its first time or after
    a cheap value (a message) was stored under its name; the frame gets the last value meanwhile."""
    import threading

    from sandbox.session import Session

    s = Session()
    s.background_above = 1.0  # a cheap build would stay in the frame
    frame = threading.get_ident()
    built_in: list[int] = []

    def job(value):
        def build():
            built_in.append(threading.get_ident())
            return value

        return build

    try:
        assert s.derive_behind("x", job(1), reads=("weights",), heavy=True) is None
        assert s.wait_for_geometry(10)
        assert s.derive_behind("x", job(1), reads=("weights",), heavy=True) == 1
        s.weights_changed()
        assert s.derive_behind("x", job(2), reads=("weights",)) == 2  # cheap: in the frame
        s.weights_changed()
        assert s.derive_behind("x", job(3), reads=("weights",), heavy=True) == 2  # meanwhile
        assert s.wait_for_geometry(10)
        assert s.derive_behind("x", job(3), reads=("weights",), heavy=True) == 3
        assert built_in.count(frame) == 1  # only the cheap one was built in the frame
        assert len(built_in) == 3
    finally:
        s.worker.close()
