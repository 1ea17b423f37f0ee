"""Health of a network's geometry: dead neurons, copycats, creases outside the data's hull, the
Serra bound in the summary, and the segment-hull test against brute force."""

from __future__ import annotations

import numpy as np
import pytest

from sandbox.geometry import (
    copycat_neurons,
    creases_outside_hull,
    dead_neurons,
    linear_regions,
    network_health,
    serra_bound,
)
from sandbox.geometry.health import convex_hull, segments_meet_convex
from sandbox.nn import MLP

SQUARE = (-1.0, 1.0, -1.0, 1.0)


def net_from(layers):
    return MLP.from_weights([(np.asarray(W, float), np.asarray(b, float)) for W, b in layers])


def _planted():
    """Layer 1: neuron 2 dead in [-1,1]^2 (b = -10), neuron 3 = 3 x neuron 0 (same crease),
    neuron 4 = -neuron 1 (same crease, flipped), neuron 5 crosses only at x = 0.9."""
    rng = np.random.default_rng(3)
    W1 = rng.normal(size=(6, 2))
    b1 = rng.normal(0, 0.2, 6)
    W1[2], b1[2] = [0.1, 0.1], -10.0
    W1[3], b1[3] = 3.0 * W1[0], 3.0 * b1[0]
    W1[4], b1[4] = -W1[1], -b1[1]
    W1[5], b1[5] = [1.0, 0.0], -0.9
    W2 = rng.normal(size=(4, 6))
    b2 = rng.normal(0, 0.2, 4)
    W2[3], b2[3] = W2[1], b2[1]
    return net_from([(W1, b1), (W2, b2), (rng.normal(size=(2, 4)), np.zeros(2))])


def test_dead_neurons_in_window_and_on_data():
    net = _planted()
    d = dead_neurons(net, SQUARE)
    assert not d.sampled and d.on_data is None
    assert d.in_window.shape == (10,)
    assert d.in_window[2] and d.in_window.sum() >= 1
    # exact: a neuron is dead in the window iff no region has it on; check with a dense grid
    g = np.stack(np.meshgrid(np.linspace(-1, 1, 301), np.linspace(-1, 1, 301)), -1).reshape(-1, 2)
    on_grid = net.activation_pattern(g).any(axis=0)
    assert np.all(d.in_window <= ~on_grid)
    # on data: the points all have x < 0.8, where neuron 5 (x > 0.9) is off
    X = np.random.default_rng(0).uniform(-1, 0.8, size=(200, 2))
    d = dead_neurons(net, SQUARE, X)
    assert d.on_data[5] and not d.in_window[5]
    assert np.array_equal(d.on_data, ~net.activation_pattern(X).any(axis=0))


def test_dead_neurons_fall_back_to_sampling_when_too_many():
    net = MLP([2, 16, 16, 2], seed=0)
    P = linear_regions(net, SQUARE, max_regions=10)
    d = dead_neurons(net, SQUARE, partition=P)
    exact = dead_neurons(net, SQUARE)
    assert d.sampled and not exact.sampled
    assert np.all(exact.in_window <= d.in_window)


def test_copycats_found_in_both_layers():
    net = _planted()
    pairs = copycat_neurons(net, (-3.0, 3.0, -3.0, 3.0))
    assert (1, 0, 3) in pairs  # scaled copy
    assert (1, 1, 4) in pairs  # flipped copy
    assert (2, 1, 3) in pairs  # identical second-layer neurons
    assert all(layer in (1, 2) and i < j for layer, i, j in pairs)


def test_no_copycats_in_random_networks_and_tolerance():
    for seed in range(3):
        net = MLP([2, 8, 8, 2], seed=seed)
        assert copycat_neurons(net, SQUARE, tol=1e-3) == []
    # two nearly parallel, nearly coincident lines: copycats at a loose tolerance only
    W1 = np.array([[1.0, 0.2], [1.0, 0.2 + 1e-3], [0.0, 1.0]])
    net = net_from([(W1, [0.1, 0.1, 0.0]), (np.ones((2, 3)), np.zeros(2))])
    assert copycat_neurons(net, SQUARE, tol=0.01) == [(1, 0, 1)]
    assert copycat_neurons(net, SQUARE, tol=1e-5) == []
    with pytest.raises(ValueError, match="tol"):
        copycat_neurons(net, SQUARE, tol=0)


def test_segments_meet_convex_against_brute_force():
    rng = np.random.default_rng(0)
    hull = convex_hull(rng.normal(size=(30, 2)))
    assert len(hull) >= 3
    # hull is counter-clockwise
    x, y = hull[:, 0], hull[:, 1]
    assert np.sum(x * np.roll(y, -1) - np.roll(x, -1) * y) > 0
    seg = rng.uniform(-3, 3, size=(400, 4))
    got = segments_meet_convex(seg, hull)
    t = np.linspace(0, 1, 2001)
    pts = seg[:, None, :2] + t[None, :, None] * (seg[:, None, 2:] - seg[:, None, :2])
    e = np.roll(hull, -1, axis=0) - hull
    rel = pts[:, :, None, :] - hull[None, None, :, :]
    inside = (e[None, None, :, 0] * rel[..., 1] - e[None, None, :, 1] * rel[..., 0] >= 0).all(-1)
    brute = inside.any(axis=1)
    # sampling can miss a segment that only grazes a corner; never the other way round
    assert np.all(brute <= got)
    assert np.mean(got == brute) > 0.98
    assert got.any() and not got.all()


def test_creases_outside_the_data_hull():
    net = _planted()
    rng = np.random.default_rng(1)
    X = rng.uniform(-0.5, 0.5, size=(80, 2))
    out = creases_outside_hull(net, X)
    assert out.shape == (10,)
    assert out[2] and out[5]  # dead one, and x = 0.9 misses the data
    # first layer: a line crosses the hull iff its pre-activation changes sign on the data
    z = net.preactivations(X)[0]
    crosses = (z > 0).any(axis=0) & (z < 0).any(axis=0)
    assert np.array_equal(out[:6], ~crosses)
    # deeper layer: compare with sign changes on a dense sample inside the hull
    hull = convex_hull(X)
    g = np.stack(np.meshgrid(np.linspace(-0.5, 0.5, 201), np.linspace(-0.5, 0.5, 201)), -1)
    g = g.reshape(-1, 2)
    g = g[segments_meet_convex(np.concatenate([g, g], axis=1), hull)]
    z2 = net.preactivations(g)[1]
    crosses2 = (z2 > 0).any(axis=0) & (z2 < 0).any(axis=0)
    assert np.all(crosses2 <= ~out[6:])


def test_creases_outside_a_degenerate_hull():
    net = _planted()
    X = np.array([[-0.5, 0.0], [0.0, 0.0], [0.5, 0.0]])  # collinear
    out = creases_outside_hull(net, X)
    z = np.concatenate(net.preactivations(X), axis=1)
    assert np.array_equal(out, ~((z > 0).any(axis=0) & (z < 0).any(axis=0)))
    with pytest.raises(ValueError, match="at least one"):
        creases_outside_hull(net, np.zeros((0, 2)))
    with pytest.raises(ValueError, match="shape"):
        creases_outside_hull(net, np.zeros((3, 3)))


def test_network_health_summary():
    net = _planted()
    X = np.random.default_rng(0).uniform(-0.5, 0.5, size=(50, 2))
    h = network_health(net, SQUARE, X)
    assert h.n_regions == len(linear_regions(net, SQUARE))
    assert h.serra_bound == serra_bound([6, 4]) and h.n_regions <= h.serra_bound
    assert not h.too_many and h.message == ""
    assert h.n_dead_in_window >= 1 and h.n_dead_on_data >= h.n_dead_in_window
    assert (1, 0, 3) in h.copycats
    assert h.n_outside_hull >= 2
    bare = network_health(net, SQUARE)
    assert bare.dead_on_data is None and bare.outside_hull is None and bare.n_outside_hull == 0
    crowded = network_health(MLP([2, 16, 16, 2]), SQUARE, partition=None)
    assert crowded.n_regions > 0
    tight = linear_regions(MLP([2, 16, 16, 2]), SQUARE, max_regions=5)
    h = network_health(MLP([2, 16, 16, 2]), SQUARE, partition=tight)
    assert h.too_many and "too many" in h.message and h.copycats == []


def test_serra_bound_rejects_bad_sizes():
    with pytest.raises(ValueError, match="positive"):
        serra_bound([])
    with pytest.raises(ValueError, match="positive"):
        serra_bound([4, 0])


@pytest.mark.parametrize("activation", ["relu", "hardtanh"])
def test_one_hidden_layer_over_budget_is_still_exact(activation):
    # a picture's wide single layer: too many regions, yet dead-in-window needs no sample
    rng = np.random.default_rng(3)
    W1, b1 = rng.normal(size=(40, 2)), rng.normal(0, 0.5, 40)
    W1[:6] = [1.0, 0.5]
    # the largest value over the square is 1.5 + b: -1.5, 0.1, -0.1, 3.1, 4.5 and 0
    b1[:6] = [-3.0, -1.4, -1.6, 1.6, 3.0, -1.5]
    net = MLP.from_weights(
        [(W1, b1), (rng.normal(size=(1, 40)), np.zeros(1))], activation=activation
    )
    P = linear_regions(net, SQUARE, max_regions=10)
    assert P.too_many
    d = dead_neurons(net, SQUARE, partition=P)
    exact = dead_neurons(net, SQUARE)
    assert not d.sampled and not exact.sampled
    np.testing.assert_array_equal(d.in_window, exact.in_window)
    if activation == "relu":
        assert list(d.in_window[:6]) == [True, False, True, False, False, True]
    else:  # hardtanh is flat below -1 and above 1: the values span 1.5 + b - 3 to 1.5 + b
        assert list(d.in_window[:6]) == [True, False, False, False, True, False]


@pytest.mark.parametrize(
    "kw", [{}, {"activation": "leaky_relu", "residual": True}, {"activation": "hardtanh"}]
)
def test_copycat_gradients_equal_the_regions_own_maps(kw):
    """The input gradients the copycat check carries through the layers are the slopes of the
    pre-activations, which are affine inside each region: checked by finite differences at
    every region's centre, for each hidden layer."""
    from sandbox.geometry.health import _preact_and_grad

    net = MLP([2, 5, 5, 5, 2], seed=1, **kw)
    for layer in (1, 2, 3):
        P = linear_regions(net, SQUARE, upto_layer=layer)
        centres = P.centroids()
        z, g = _preact_and_grad(net, centres, layer)
        assert g.shape == (len(P), net.sizes[layer], 2)
        # finite differences inside each region (the maps are affine there)
        h = 1e-7
        zx, _ = _preact_and_grad(net, centres + [h, 0.0], layer)
        zy, _ = _preact_and_grad(net, centres + [0.0, h], layer)
        np.testing.assert_allclose(g[:, :, 0], (zx - z) / h, atol=1e-5)
        np.testing.assert_allclose(g[:, :, 1], (zy - z) / h, atol=1e-5)
