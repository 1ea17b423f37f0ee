"""Direct crease manipulation: translation and rotation are exact, hit testing finds the crease."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sandbox.geometry import linear_regions
from sandbox.nn import MLP
from sandbox.nn import edits as E

finite = st.floats(-50, 50, allow_nan=False, allow_infinity=False)


def crease_points(w, b, n=7):
    """Points on the line w . x + b = 0 (foot of the origin plus multiples of the direction)."""
    w = np.asarray(w, float)
    p0 = -b / (w @ w) * w
    u = np.array([-w[1], w[0]])
    return p0 + np.linspace(-3, 3, n)[:, None] * u


@settings(max_examples=200, deadline=None)
@given(wx=finite, wy=finite, b=finite, dx=finite, dy=finite)
def test_translating_by_d_moves_every_crease_point_by_exactly_d(wx, wy, b, dx, dy):
    w = np.array([wx, wy])
    if np.hypot(wx, wy) < 1e-3:
        return
    w2, b2 = E.translated(w, b, (dx, dy))
    assert np.array_equal(w2, w)
    d = np.array([dx, dy])
    for x in crease_points(w, b):
        moved = x + d
        # the sizes of what was summed (x and d may cancel in `moved`): rounding scales with them
        scale = abs(w) @ (abs(x) + abs(d)) + abs(b2) + abs(b)
        assert abs(w2 @ moved + b2) <= 1e-12 * scale + 1e-300  # (subnormal rounding)


@settings(max_examples=200, deadline=None)
@given(wx=finite, wy=finite, b=finite, angle=st.floats(-7, 7), px=finite, py=finite)
def test_rotation_keeps_the_value_at_the_pivot_and_turns_the_normal(wx, wy, b, angle, px, py):
    w = np.array([wx, wy])
    if np.hypot(wx, wy) < 1e-3:
        return
    p = np.array([px, py])
    w2, b2 = E.rotated(w, b, angle, p)
    scale = abs(w) @ abs(p) + abs(b) + abs(b2)
    assert abs((w2 @ p + b2) - (w @ p + b)) <= 1e-12 * scale
    assert math.isclose(np.hypot(*w2), np.hypot(*w), rel_tol=1e-12)
    turned = math.atan2(w[0] * w2[1] - w[1] * w2[0], w @ w2)
    assert math.isclose(math.remainder(turned - angle, 2 * math.pi), 0.0, abs_tol=1e-9)
    # A pivot on the crease stays on it: the rotated line passes through the foot point.
    foot = E.foot_point(w, b, p)
    w3, b3 = E.rotated(w, b, angle, foot)
    # (The foot itself carries rounding of the size of the pivot's coordinates.)
    # (and a floor for subnormal inputs, where the relative bound itself rounds to zero)
    assert (
        abs(w3 @ foot + b3) <= 1e-12 * (abs(w) @ (abs(foot) + abs(p)) + abs(b) + abs(b3)) + 1e-300
    )


def test_rotation_is_rigid_points_of_the_old_crease_rotate_onto_the_new_one():
    w, b = np.array([0.3, -1.7]), 0.9
    p = np.array([2.0, -1.0])
    a = 0.7
    w2, b2 = E.rotated(w, b, a, p)
    R = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
    for x in crease_points(w, b):
        y = p + R @ (x - p)
        assert abs(w2 @ y + b2) < 1e-12 * (1 + abs(y).sum())


def test_dragging_a_crease_on_a_network_moves_the_geometrys_crease_by_exactly_d():
    net = MLP([2, 6, 5, 2], seed=4)
    bounds = (-6.0, 6.0, -6.0, 6.0)
    i = 2
    d = np.array([0.8125, -0.4375])
    before = linear_regions(net, bounds, upto_layer=1).creases.of(1, i)
    start = E.neuron_weights(net, i)
    old = E.translate_neuron(net, i, d, start=start)
    assert old == start
    W, b = net.layers[0]
    # Every endpoint of the old exact crease segments, moved by d, lies on the new crease.
    ends = before.reshape(-1, 2) + d
    z = ends @ W[i] + b[i]
    assert np.abs(z).max() <= 1e-12 * (np.abs(ends) @ np.abs(W[i]) + abs(b[i])).max()
    # Other neurons are untouched, and a second drag from the same start does not accumulate.
    E.translate_neuron(net, i, d, start=start)
    assert math.isclose(b[i], start.b - np.dot(start.w, d), rel_tol=0, abs_tol=1e-15)
    E.restore_neuron(net, i, start)
    assert E.neuron_weights(net, i) == start


def test_set_neuron_writes_the_live_weights_and_only_them():
    net = MLP([2, 4, 3, 2], seed=1)
    before = net.params.copy()
    old = E.set_neuron(net, 1, 0.5, -2.0, 0.25)
    W, b = net.layers[0]
    assert (W[1, 0], W[1, 1], b[1]) == (0.5, -2.0, 0.25)
    changed = np.flatnonzero(net.params != before)
    assert set(changed.tolist()) <= {2, 3, 8 + 1}  # W1[1, :] and b1[1]
    assert old.w == (before[2], before[3]) and old.b == before[9]
    X = np.array([[1.0, 2.0], [-3.0, 0.5]])
    assert np.allclose(net.preactivations(X)[0][:, 1], X @ [0.5, -2.0] + 0.25)
    with pytest.raises(ValueError, match="out of range"):
        E.set_neuron(net, 4, 1, 1, 1)
    with pytest.raises(ValueError, match="finite"):
        E.set_neuron(net, 0, math.nan, 1, 1)


def test_nearest_crease_hit_test_uses_the_true_distance():
    W = np.array([[1.0, 0.0], [0.0, 2.0], [3.0, 4.0]])
    b = np.array([-1.0, 1.0, 0.0])  # x = 1, y = -0.5, 3x + 4y = 0
    net = MLP.from_weights([(W, b), (np.ones((2, 3)), np.zeros(2))])
    d = E.crease_distance(W, b, [[1.2, 3.0], [0.0, 0.0]])
    assert np.allclose(d, [[0.2, 3.5, 3.12], [1.0, 0.5, 0.0]])
    assert E.nearest_crease(net, (1.2, 3.0), tolerance=0.25) == 0
    assert E.nearest_crease(net, (1.2, 3.0), tolerance=0.19) is None
    assert E.nearest_crease(net, (4.0, -3.0), tolerance=0.01) == 2
    assert E.nearest_crease(net, (-2.0, -0.45), tolerance=0.06) == 1
    dead = MLP.from_weights([(np.zeros((1, 2)), np.ones(1)), (np.ones((2, 1)), np.zeros(2))])
    assert E.nearest_crease(dead, (0.0, 0.0), tolerance=100.0) is None


def test_crease_clipping_and_handles():
    seg = E.crease_in_bounds((1.0, 1.0), 0.0, (-2, 2, -1, 1))
    assert seg is not None
    assert np.allclose(sorted(seg[:, 0]), [-1, 1]) and np.allclose(seg.sum(axis=1), 0)
    assert E.crease_in_bounds((1.0, 0.0), -5.0, (-2, 2, -1, 1)) is None
    assert E.crease_in_bounds((0.0, 0.0), 1.0, (-2, 2, -1, 1)) is None
    vertical = E.crease_in_bounds((1.0, 0.0), -0.5, (-2, 2, -1, 1))
    assert np.allclose(sorted(vertical[:, 1]), [-1, 1]) and np.allclose(vertical[:, 0], 0.5)
    h = E.rotation_handle((1.0, 0.0), -0.5, (-2, 2, -1, 1), offset=0.75)
    assert np.allclose(abs(h[1]), 0.75) and np.isclose(h[0], 0.5)
    assert math.isclose(E.angle_about((0, 0), (1, 0), (0, 2)), math.pi / 2)
    assert math.isclose(E.angle_about((1, 1), (2, 1), (1, 0)), -math.pi / 2)
