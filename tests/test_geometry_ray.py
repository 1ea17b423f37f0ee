"""Ray probe: exact crease crossings against dense sampling, logits against the forward pass,
exact piecewise-linear logit differences, MAP and Laplace confidence and their far-field limits."""

from __future__ import annotations

import numpy as np
import pytest

from sandbox.geometry import ray_probe
from sandbox.nn import MLP, softmax

PROBIT = np.pi / 8.0


class FakeLaplace:
    """A closed-form stand-in: logits m = A phi + c, variance v = s2 (|phi|^2 + 1), probit link.

    Its far-field limit along phi = delta * slope + offset is softmax(A slope / sqrt(pi/8 s2
    |slope|^2)), computed here independently of the probe.
    """

    def __init__(self, A, c, s2):
        self.A, self.c, self.s2 = np.asarray(A, float), np.asarray(c, float), float(s2)
        self.calls = []

    def predict_proba_features(self, Phi, link="probit"):
        assert link == "probit"
        Phi = np.asarray(Phi, float)
        m = Phi @ self.A.T + self.c
        v = self.s2 * ((Phi**2).sum(axis=1) + 1.0)
        return softmax(m / np.sqrt(1.0 + PROBIT * v)[:, None])

    def far_field_proba(self, feature_slope, feature_offset=None, link="probit"):
        self.calls.append((np.array(feature_slope), np.array(feature_offset), link))
        s = np.asarray(feature_slope, float)
        if not np.any(s):
            return self.predict_proba_features(np.asarray(feature_offset)[None, :])[0]
        return softmax((self.A @ s / np.sqrt(PROBIT * self.s2 * (s @ s)))[None, :])[0]


def _scale(f):
    return np.abs(f).max() + 1.0


CASES = [
    ([2, 8, 2], (0.1, 0.2), (1.0, 0.5), 4.0, 0),
    ([2, 16, 16, 3], (-2.0, 1.0), (0.3, -1.0), 8.0, 1),
    ([2, 12, 12, 12, 4], (0.0, 0.0), (-1.0, -0.2), 6.0, 2),
    ([2, 6, 6, 1], (3.0, -3.0), (-1.0, 1.0), 10.0, 3),
    ([2, 32, 32, 2], (500.0, -400.0), (-1.0, 0.8), 1500.0, 4),
]


@pytest.mark.parametrize("sizes,origin,direction,r_max,seed", CASES)
def test_crossings_are_where_the_pattern_changes(sizes, origin, direction, r_max, seed):
    net = MLP(sizes, seed=seed)
    rp = ray_probe(net, origin, direction, r_max)
    assert np.all(np.diff(rp.radii) >= 0) and np.all((rp.radii > 0) & (rp.radii <= r_max))
    r = np.linspace(0.0, r_max, 200_001)
    pats = net.activation_pattern(rp.points(r))
    starts = np.concatenate([[0], np.cumsum(net.hidden_sizes)])
    col = starts[rp.layer - 1] + rp.neuron
    where = np.searchsorted(r, rp.radii, side="left") - 1  # crossing in (r[i], r[i + 1]]
    changed = pats[1:] != pats[:-1]
    expect = np.zeros_like(changed)
    np.logical_xor.at(expect, (np.clip(where, 0, len(r) - 2), col), True)
    # a crossing landing exactly on a sample belongs to the interval before it; ignore samples
    # within rounding of a crossing, where the sampled sign is a coin toss
    near = np.zeros(len(r) - 1, bool)
    for rc in rp.radii:
        near |= np.abs(r[1:] - rc) < 1e-12 * max(1.0, r_max)
        near |= np.abs(r[:-1] - rc) < 1e-12 * max(1.0, r_max)
    assert np.array_equal(changed[~near], expect[~near])
    assert changed.any()
    # breakpoints are 0, the distinct crossings and r_max
    assert np.array_equal(rp.breakpoints, np.unique(np.concatenate([[0, r_max], rp.radii])))


@pytest.mark.parametrize("sizes,origin,direction,r_max,seed", CASES)
def test_logits_equal_the_forward_pass(sizes, origin, direction, r_max, seed):
    net = MLP(sizes, seed=seed)
    rp = ray_probe(net, origin, direction, r_max)
    u = np.asarray(direction) / np.hypot(*direction)
    assert np.allclose(rp.direction, u)
    r = np.concatenate([np.random.default_rng(seed).uniform(0, 2 * r_max, 500), rp.breakpoints])
    f = net.forward(np.asarray(origin) + r[:, None] * u)
    assert np.allclose(rp.logits(r), f, rtol=1e-9, atol=1e-9 * _scale(f))
    assert np.allclose(rp.features(r), net.features(rp.points(r)), rtol=1e-9, atol=1e-9)
    fb = net.forward(rp.points(rp.breakpoints))
    assert np.allclose(rp.logits_at_breakpoints, fb, rtol=1e-9, atol=1e-9 * _scale(fb))
    # between breakpoints the logits are linear: midpoints are the mean of the ends
    mid = 0.5 * (rp.breakpoints[1:] + rp.breakpoints[:-1])
    lb = rp.logits_at_breakpoints
    fm = net.forward(rp.points(mid))
    assert np.allclose(0.5 * (lb[1:] + lb[:-1]), fm, rtol=1e-9, atol=1e-9 * _scale(fm))
    # the difference and the MAP confidence follow from the forward pass
    d = rp.logit_difference(r)
    if f.shape[1] == 1:
        assert np.allclose(d, f[:, 0])
        with pytest.raises(ValueError, match="classification"):
            rp.map_confidence(r)
    elif f.shape[1] == 2:
        assert np.allclose(d, f[:, 1] - f[:, 0], atol=1e-9 * _scale(f))
    else:
        top = np.sort(f, axis=1)
        assert np.allclose(d, top[:, -1] - top[:, -2], atol=1e-9 * _scale(f))
        assert np.all(d >= 0)
    if f.shape[1] > 1:
        assert np.allclose(rp.map_confidence(r), softmax(f).max(axis=1), atol=1e-12)


@pytest.mark.parametrize("n_out", [2, 3, 5, 1])
def test_logit_difference_polyline_is_exact(n_out):
    net = MLP([2, 10, 10, n_out], seed=7)
    rp = ray_probe(net, (-1.0, -2.0), (1.0, 1.3), 6.0)
    r_poly, d_poly = rp.logit_difference_polyline()
    assert r_poly[0] == 0.0 and r_poly[-1] == 6.0 and np.all(np.diff(r_poly) > 0)
    r = np.linspace(0, 6.0, 20_001)
    d = rp.logit_difference(r)
    assert np.allclose(np.interp(r, r_poly, d_poly), d, rtol=1e-9, atol=1e-9 * _scale(d))
    if n_out > 2:
        # the top-two ranking changes add kinks besides the creases
        assert len(r_poly) > len(rp.breakpoints)


def test_last_region_of_the_unbounded_ray():
    net = MLP([2, 16, 16, 2], seed=3)
    origin, u = np.array([0.2, -0.1]), np.array([0.6, 0.8])
    rp = ray_probe(net, origin, u, 0.05)  # the crossings mostly lie beyond r_max
    assert rp.last_crossing > rp.r_max
    beyond = rp.last_crossing + np.array([1.0, 10.0, 1e3, 1e6])
    pats = net.activation_pattern(origin + beyond[:, None] * u)
    assert np.all(pats == rp.patterns[-1])
    # the far feature slope is the derivative of the features out there (finite difference)
    h = net.features(origin + np.array([[1e6], [1e6 + 1.0]]) * u)
    assert np.allclose(rp.far_feature_slope, h[1] - h[0], rtol=1e-6, atol=1e-6)
    # no crossing is lost between r_max and the last one
    r = np.linspace(rp.r_max, rp.last_crossing + 1.0, 100_001)
    P = net.activation_pattern(origin + r[:, None] * u)
    n_changes = int((P[1:] != P[:-1]).sum())
    everything = ray_probe(net, origin, u, rp.last_crossing + 1.0)
    assert n_changes == np.sum(everything.radii > rp.r_max)


def test_map_far_field_limit():
    net = MLP([2, 8, 8, 3], seed=2)
    rp = ray_probe(net, (0.0, 0.0), (1.0, -0.4), 3.0)
    lim = rp.map_far_field_limit
    assert lim.shape == (3,) and lim.sum() == pytest.approx(1.0)
    p_far = softmax(net.forward(rp.points(np.array([1e9]))))[0]
    assert np.allclose(lim, p_far, atol=1e-9)
    assert ray_probe(MLP([2, 4, 1]), (0, 0), (1, 0), 1.0).map_far_field_limit is None


def test_laplace_confidence_and_far_field_with_a_fake():
    net = MLP([2, 12, 12, 3], seed=5)
    rng = np.random.default_rng(0)
    la = FakeLaplace(rng.normal(size=(3, 12)), rng.normal(size=3), s2=0.7)
    rp = ray_probe(net, (0.5, 0.5), (-0.3, 1.0), 4.0, laplace=la)
    # the probe hands the Laplace object the features of the last piece of the unbounded ray
    slope, offset, link = la.calls[-1]
    assert link == "probit"
    assert np.array_equal(slope, rp.feature_slope[-1])
    assert np.array_equal(offset, rp.feature_offset[-1])
    r = np.linspace(0, 4.0, 101)
    phi = net.features(rp.points(r))
    want = la.predict_proba_features(phi).max(axis=1)
    assert np.allclose(rp.laplace_confidence(r), want, atol=1e-12)
    # the limit is what the confidence tends to, and it stays below 1 (unlike MAP)
    far = rp.laplace_confidence(np.array([1e8]))[0]
    assert rp.far_field_confidence == pytest.approx(far, abs=1e-6)
    assert rp.far_field_confidence < 1.0 - 1e-6
    assert np.isclose(rp.far_field_limit.sum(), 1.0)
    with pytest.raises(ValueError, match="laplace"):
        ray_probe(net, (0, 0), (1, 0), 1.0).laplace_confidence(r)


def test_laplace_far_field_with_the_real_last_layer_laplace():
    from sandbox.bayes import LastLayerLaplace

    net = MLP([2, 16, 16, 2], seed=0)
    rng = np.random.default_rng(1)
    X = rng.normal(size=(120, 2))
    y = (X[:, 0] * X[:, 1] > 0).astype(int)
    la = LastLayerLaplace(net, prior_precision=1.0).fit(X, y)
    rp = ray_probe(net, (0.3, -0.2), (1.0, 2.0), 5.0, laplace=la)
    r = np.linspace(0, 5.0, 60)
    assert np.allclose(rp.laplace_proba(r), la.predict_proba(rp.points(r), link="probit"))
    far = la.predict_proba(rp.points(np.array([1e9])), link="probit")[0]
    assert np.allclose(rp.far_field_limit, far, atol=1e-6)
    assert rp.far_field_confidence < 1.0


@pytest.mark.parametrize(
    "origin,direction,r_max,match",
    [
        ((0, 0), (0, 0), 1.0, "zero vector"),
        ((0, np.nan), (1, 0), 1.0, "origin"),
        ((0, 0), (np.inf, 0), 1.0, "direction"),
        ((0, 0, 0), (1, 0), 1.0, "origin"),
        ((0, 0), (1, 0), 0.0, "r_max"),
        ((0, 0), (1, 0), -2.0, "r_max"),
        ((0, 0), (1, 0), np.inf, "r_max"),
    ],
)
def test_bad_ray(origin, direction, r_max, match):
    with pytest.raises(ValueError, match=match):
        ray_probe(MLP([2, 4, 2]), origin, direction, r_max)


def test_ray_through_a_crease_intersection_and_identical_neurons():
    # two identical neurons and zero biases: both switch at the same radius, both reported
    W1 = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    net = MLP.from_weights([(W1, np.zeros(3)), (np.ones((2, 3)), np.zeros(2))])
    rp = ray_probe(net, (-1.0, -1.0), (1.0, 1.0), 3.0)
    assert np.allclose(rp.radii, np.sqrt(2.0))
    assert sorted(rp.neuron.tolist()) == [0, 1, 2]
    assert np.all(rp.layer == 1)
