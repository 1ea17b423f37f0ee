"""Exact level measurements: segment crossings, bent creases, dead neurons, copycats, pruning."""

from __future__ import annotations

import numpy as np
import pytest

from sandbox.levels.measures import (
    bent_creases,
    copycat_pairs,
    crease_between,
    dead_neurons,
    prune_neuron,
    segment_crossings,
)
from sandbox.nn import MLP


def _sign_changes_dense(net: MLP, p, q, n=40_001):
    """Per (layer, neuron): how often z changes sign along a dense sampling of the segment."""
    t = np.linspace(0.0, 1.0, n)
    X = p[None, :] + t[:, None] * (q - p)[None, :]
    out = {}
    for layer, z in enumerate(net.preactivations(X), start=1):
        s = np.sign(z)
        for neuron in range(z.shape[1]):
            col = s[:, neuron]
            col = col[col != 0]
            changes = int(np.count_nonzero(col[1:] != col[:-1]))
            if changes:
                out[(layer, neuron)] = changes
    return out


@pytest.mark.parametrize("sizes", [[2, 5, 2], [2, 4, 4, 2], [2, 3, 3, 3, 1], [2, 8, 6, 2]])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_segment_crossings_match_dense_sampling(sizes, seed):
    net = MLP(sizes, seed=seed, bias_std=0.5)
    rng = np.random.default_rng(seed + 100)
    for _ in range(3):
        p, q = rng.uniform(-3, 3, size=(2, 2))
        found = segment_crossings(net, p, q)
        counts: dict[tuple[int, int], int] = {}
        for t, layer, neuron in found:
            assert 0.0 < t < 1.0
            counts[(layer, neuron)] = counts.get((layer, neuron), 0) + 1
            # The neuron's pre-activation vanishes at the reported point.
            z = net.preactivations((p + t * (q - p))[None, :])[layer - 1][0, neuron]
            scale = np.abs(net.preactivations(np.stack([p, q]))[layer - 1][:, neuron]).max()
            assert abs(z) <= 1e-9 * max(1.0, scale)
        assert counts == _sign_changes_dense(net, p, q)
        assert [t for t, _, _ in found] == sorted(t for t, _, _ in found)


def test_single_neuron_crease_between_is_the_sign_test():
    rng = np.random.default_rng(5)
    for _ in range(200):
        a, b, c = rng.normal(size=3)
        net = MLP.from_weights(
            [(np.array([[a, b]]), np.array([c])), (np.ones((1, 1)), np.zeros(1))]
        )
        p, q = rng.uniform(-4, 4, size=(2, 2))
        zp, zq = a * p[0] + b * p[1] + c, a * q[0] + b * q[1] + c
        assert crease_between(net, p, q) == ((zp > 0) != (zq > 0))


def test_second_layer_crease_can_cross_twice_with_equal_end_patterns():
    # h1 = relu(x), h2 = relu(-x); layer 2: relu(h1 + h2 - 1) = relu(|x| - 1): creases at x = +-1.
    net = MLP.from_weights(
        [
            (np.array([[1.0, 0.0], [-1.0, 0.0]]), np.zeros(2)),
            (np.array([[1.0, 1.0]]), np.array([-1.0])),
            (np.ones((1, 1)), np.zeros(1)),
        ]
    )
    p, q = np.array([-2.0, 0.3]), np.array([2.0, 0.3])
    found = segment_crossings(net, p, q)
    assert [(layer, n) for _, layer, n in found] == [(2, 0), (1, 0), (1, 1), (2, 0)]
    np.testing.assert_allclose([t for t, _, _ in found], [0.25, 0.5, 0.5, 0.75])
    # Both ends are in the same on/off state, yet creases lie between them.
    pat = net.activation_pattern(np.stack([p, q]))
    assert (pat[0, 2] == pat[1, 2]) and crease_between(net, p, q)
    assert not crease_between(net, np.array([1.5, 0.0]), np.array([3.0, 1.0]))


def test_bent_creases_on_synthetic_segments():
    seg = np.array(
        [
            [0, 0, 1, 0],  # layer 1 neuron 0: bends do not count in layer 1
            [1, 0, 2, 1],
            [0, 1, 1, 1],  # layer 2 neuron 0: two collinear pieces, no bend
            [1, 1, 2, 1],
            [0, 2, 1, 2],  # layer 2 neuron 1: bends
            [1, 2, 2, 3],
            [0, 3, 1, 3],  # layer 3 neuron 0: a single piece
        ],
        dtype=float,
    )
    layers = np.array([1, 1, 2, 2, 2, 2, 3])
    neurons = np.array([0, 0, 0, 0, 1, 1, 0])
    assert bent_creases(layers, neurons, seg) == 1
    assert bent_creases(layers[:2], neurons[:2], seg[:2]) == 0
    # Opposite orientation of a collinear piece is not a bend.
    seg2 = seg.copy()
    seg2[3] = [2, 1, 1, 1]
    assert bent_creases(layers, neurons, seg2) == 1


def test_dead_neurons():
    W1 = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    b1 = np.array([0.0, 0.0, -100.0])  # third never on near the data
    net = MLP.from_weights([(W1, b1), (np.ones((2, 3)), np.zeros(2))])
    X = np.random.default_rng(0).uniform(-5, 5, size=(300, 2))
    assert dead_neurons(net, X) == [(1, 2)]
    X_neg = -np.abs(X)
    assert dead_neurons(net, X_neg) == [(1, 0), (1, 1), (1, 2)]


def _net_with_copies(seed=0):
    rng = np.random.default_rng(seed)
    W1 = rng.normal(size=(5, 2))
    b1 = rng.normal(size=5)
    W1[3], b1[3] = 2.5 * W1[1], 2.5 * b1[1]  # neuron 3 copies neuron 1
    W1[4], b1[4] = -1.0 * W1[0], -1.0 * b1[0]  # neuron 4 mirrors neuron 0: not a copy
    W2 = rng.normal(size=(4, 5))
    b2 = rng.normal(size=4)
    W2[2], b2[2] = 0.5 * W2[0], 0.5 * b2[0]  # layer 2: neuron 2 copies neuron 0
    Wo = rng.normal(size=(2, 4))
    return MLP.from_weights([(W1, b1), (W2, b2), (Wo, rng.normal(size=2))])


def test_copycat_pairs():
    pairs = copycat_pairs(_net_with_copies())
    assert [(layer, c, o) for layer, c, o, _ in pairs] == [(1, 3, 1), (2, 2, 0)]
    np.testing.assert_allclose([s for *_, s in pairs], [2.5, 0.5])


@pytest.mark.parametrize("layer, neuron", [(1, 3), (1, 1), (2, 2), (2, 0)])
def test_pruning_a_copycat_or_its_original_keeps_the_function(layer, neuron):
    net = _net_with_copies()
    X = np.random.default_rng(1).uniform(-6, 6, size=(500, 2))
    pruned = prune_neuron(net, layer, neuron)
    assert pruned.hidden_sizes[layer - 1] == net.hidden_sizes[layer - 1] - 1
    np.testing.assert_allclose(pruned.forward(X), net.forward(X), rtol=1e-10, atol=1e-10)
    remaining = copycat_pairs(pruned)
    assert len(remaining) == 1 and remaining[0][0] == 3 - layer


def test_pruning_a_dead_neuron_keeps_the_function_on_the_data():
    W1 = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    b1 = np.array([0.0, 0.5, -100.0])
    net = MLP.from_weights([(W1, b1), (np.arange(6.0).reshape(2, 3), np.zeros(2))])
    X = np.random.default_rng(0).uniform(-5, 5, size=(300, 2))
    pruned = prune_neuron(net, 1, 2)
    np.testing.assert_array_equal(pruned.forward(X), net.forward(X))
    assert dead_neurons(pruned, X) == []


def test_prune_errors():
    net = MLP([2, 1, 3, 2])
    with pytest.raises(ValueError, match="single neuron"):
        prune_neuron(net, 1, 0)
    with pytest.raises(ValueError, match="allowed: 1 to 2"):
        prune_neuron(net, 3, 0)
    with pytest.raises(ValueError, match="neurons 0 to 2"):
        prune_neuron(net, 2, 3)
