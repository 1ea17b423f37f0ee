"""Tests for the last-layer Laplace regression path (one-output networks, Gaussian noise).

References: the Hessian of the summed Gaussian negative log-likelihood by finite differences of
its gradient, dense inverses and log-determinants, and finite differences of the dense evidence
in (log prior precision, log noise variance).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from sandbox.bayes import NOISE_VARIANCE_RELATIVE_BOUNDS, LastLayerLaplace
from sandbox.nn import MLP, Trainer

NOISE = 0.15


def train_regression(net: MLP, X: np.ndarray, t: np.ndarray, steps: int = 300) -> MLP:
    """Full-batch Adam on the mean squared error."""
    Trainer(net, X, t, task="regression", optimizer="adam", lr=0.02, batch_size=len(X)).step(steps)
    return net


@pytest.fixture(scope="module")
def problem():
    rng = np.random.default_rng(0)
    X = rng.uniform(-3, 3, (150, 2))
    t = np.sin(X[:, 0]) + 0.5 * X[:, 1] + rng.normal(0, NOISE, 150)
    net = train_regression(MLP([2, 12, 8, 1], seed=1), X, t)
    return net, X, t


def augmented(phi: np.ndarray) -> np.ndarray:
    return np.concatenate([phi, np.ones((phi.shape[0], 1))], axis=1)


def theta_public(net: MLP) -> np.ndarray:
    W, b = net.layers[-1]
    return np.concatenate([W.ravel(), b])


def nll_grad(theta, phi, t, var):
    r = augmented(phi) @ theta - t
    return augmented(phi).T @ r / var


def dense_evidence(net, X, t, lam, var):
    phit = augmented(net.features(X))
    r = t - net.forward(X)[:, 0]
    theta = theta_public(net)
    P, n = theta.size, t.size
    _, logdet = np.linalg.slogdet(phit.T @ phit / var + lam * np.eye(P))
    loglik = -0.5 * n * math.log(2 * math.pi * var) - 0.5 * float(r @ r) / var
    return loglik - 0.5 * (logdet - P * math.log(lam) + lam * float(theta @ theta))


def test_ggn_and_covariance_match_fd_hessian(problem):
    net, X, t = problem
    la = LastLayerLaplace(net, prior_precision=0.3, sigma_noise=0.2).fit(X, t)
    assert la.noise_variance == pytest.approx(0.04, rel=1e-15)
    phi = net.features(X)
    theta = theta_public(net)
    P = theta.size
    assert la.n_params == P == net.hidden_sizes[-1] + 1
    hess = np.empty((P, P))
    for i in range(P):
        e = np.zeros(P)
        e[i] = 1e-5
        hess[:, i] = (nll_grad(theta + e, phi, t, 0.04) - nll_grad(theta - e, phi, t, 0.04)) / 2e-5
    scale = np.abs(hess).max()
    assert np.abs(la.ggn - hess).max() <= 1e-7 * scale
    sigma_ref = np.linalg.inv(hess + 0.3 * np.eye(P))
    assert np.abs(la.posterior_covariance - sigma_ref).max() <= 1e-6 * np.abs(sigma_ref).max()


def test_evidence_matches_dense_formula(problem):
    net, X, t = problem
    la = LastLayerLaplace(net, sigma_noise=0.3).fit(X, t)
    for lam in (1e-3, 0.1, 1.0, 50.0):
        assert la.log_marginal_likelihood(lam) == pytest.approx(
            dense_evidence(net, X, t, lam, 0.09), rel=1e-11
        )
        assert la.log_marginal_likelihood(lam, sigma_noise=0.5) == pytest.approx(
            dense_evidence(net, X, t, lam, 0.25), rel=1e-11
        )


def test_noise_estimated_at_fit_maximises_the_evidence(problem):
    net, X, t = problem
    la = LastLayerLaplace(net, prior_precision=2.0).fit(X, t)
    var = la.noise_variance
    h = 1e-4
    fd = (
        dense_evidence(net, X, t, 2.0, var * math.exp(h))
        - dense_evidence(net, X, t, 2.0, var * math.exp(-h))
    ) / (2 * h)
    assert abs(fd) <= 1e-6 * t.size


def test_joint_optimum_is_stationary_and_maximal(problem):
    net, X, t = problem
    la = LastLayerLaplace(net).fit(X, t)
    lam = la.optimize_prior_precision()
    var = la.noise_variance
    assert la.sigma_noise == pytest.approx(math.sqrt(var))
    n, P = t.size, la.n_params
    h = 1e-4
    d_lam = (
        dense_evidence(net, X, t, lam * math.exp(h), var)
        - dense_evidence(net, X, t, lam * math.exp(-h), var)
    ) / (2 * h)
    d_var = (
        dense_evidence(net, X, t, lam, var * math.exp(h))
        - dense_evidence(net, X, t, lam, var * math.exp(-h))
    ) / (2 * h)
    assert abs(d_lam) <= 1e-6 * P
    assert abs(d_var) <= 1e-6 * n
    assert abs(la.log_marginal_likelihood_grad()) * lam <= 1e-10 * P
    z = la.log_marginal_likelihood()
    assert z == pytest.approx(dense_evidence(net, X, t, lam, var), rel=1e-11)
    for f_lam, f_var in ((0.5, 1), (2, 1), (1, 0.5), (1, 2), (0.5, 2), (2, 0.5)):
        assert z > dense_evidence(net, X, t, lam * f_lam, var * f_var)
    # a sensible noise level: the data were generated with NOISE
    assert 0.5 * NOISE < la.sigma_noise < 2.0 * NOISE


def test_fixed_noise_is_kept(problem):
    net, X, t = problem
    la = LastLayerLaplace(net, sigma_noise=0.4).fit(X, t)
    lam = la.optimize_prior_precision()
    assert la.sigma_noise == pytest.approx(0.4, rel=1e-15)
    assert abs(la.log_marginal_likelihood_grad()) * lam <= 1e-10 * la.n_params


def test_predict_mean_and_variance(problem):
    net, X, t = problem
    la = LastLayerLaplace(net).fit(X, t)
    la.optimize_prior_precision()
    Xt = np.random.default_rng(3).uniform(-10, 10, (40, 2))
    mean, var = la.predict(Xt)
    mean_f, var_f = la.predict(Xt, include_noise=False)
    assert np.allclose(mean, net.forward(Xt)[:, 0], rtol=1e-12, atol=1e-12)
    phit = augmented(net.features(Xt))
    ref = np.einsum("np,pq,nq->n", phit, la.posterior_covariance, phit)
    assert np.allclose(var_f, ref, rtol=1e-10, atol=1e-14)
    assert np.allclose(var - var_f, la.noise_variance, rtol=1e-10)
    m, V = la.logit_mean_cov(Xt)
    assert m.shape == (40, 1) and V.shape == (40, 1, 1)
    assert np.allclose(V[:, 0, 0], var_f, rtol=1e-10, atol=1e-14)
    # far from the data the band widens: the network is extrapolating
    near = la.predict(X[:40], include_noise=False)[1]
    assert np.median(var_f) > np.median(near)


def test_region_coefficients_for_regression(problem):
    net, X, t = problem
    la = LastLayerLaplace(net).fit(X, t)
    la.optimize_prior_precision()
    rng = np.random.default_rng(4)
    for x0 in rng.uniform(-5, 5, (8, 2)):
        A, c = np.eye(2), np.zeros(2)
        h = x0
        for W, b in net.layers[:-1]:
            z = W @ h + b
            q = (z > 0).astype(float)
            A, c, h = q[:, None] * (W @ A), q * (W @ c + b), np.maximum(z, 0)
        fmap = np.concatenate([A, c[:, None]], axis=1)[None]
        mean_c, var_c = la.region_coefficients(fmap)
        _, var_n = la.region_coefficients(fmap, include_noise=True)
        assert mean_c.shape == (1, 1, 3) and var_c.shape == (1, 1, 6)
        pattern = net.activation_pattern(x0[None])
        pts = x0 + rng.uniform(-1e-3, 1e-3, (30, 2))
        pts = pts[np.all(net.activation_pattern(pts) == pattern, axis=1)]
        x, y = pts[:, 0], pts[:, 1]
        basis = np.stack([x * x, x * y, y * y, x, y, np.ones_like(x)], axis=1)
        mean, var = la.predict(pts, include_noise=False)
        assert np.allclose(pts @ mean_c[0, 0, :2] + mean_c[0, 0, 2], mean, rtol=1e-11, atol=1e-11)
        assert np.allclose(basis @ var_c[0, 0], var, rtol=1e-8, atol=1e-12)
        assert np.allclose(basis @ var_n[0, 0], var + la.noise_variance, rtol=1e-8, atol=1e-12)


def test_perfect_fit_clamps_the_noise_and_stays_finite(problem):
    net, X, _ = problem
    t = net.forward(X)[:, 0]  # zero residuals: the evidence wants sigma -> 0
    la = LastLayerLaplace(net).fit(X, t)
    la.optimize_prior_precision()
    floor = NOISE_VARIANCE_RELATIVE_BOUNDS[0] * float(np.mean(t * t))
    assert la.noise_variance == pytest.approx(floor, rel=1e-12)
    mean, var = la.predict(np.random.default_rng(5).uniform(-50, 50, (20, 2)))
    assert np.all(np.isfinite(mean)) and np.all(np.isfinite(var)) and np.all(var > 0)


def test_regression_bad_input():
    net = MLP([2, 4, 1])
    X = np.zeros((3, 2))
    with pytest.raises(ValueError, match="sigma_noise"):
        LastLayerLaplace(net, sigma_noise=0.0)
    with pytest.raises(ValueError, match="sigma_noise"):
        LastLayerLaplace(net, sigma_noise=float("nan"))
    la = LastLayerLaplace(net)
    with pytest.raises(ValueError, match="NaN"):
        la.fit(X, np.array([0.0, np.nan, 1.0]))
    with pytest.raises(ValueError, match="shape"):
        la.fit(X, np.zeros(4))
    with pytest.raises(ValueError, match="no data"):
        la.fit(np.zeros((0, 2)), np.zeros(0))
    la.fit(X, np.zeros((3, 1)))
    with pytest.raises(ValueError, match="classification"):
        la.predict_proba(X)
    with pytest.raises(ValueError, match="classification"):
        la.far_field_proba(np.ones(4))
    with pytest.raises(ValueError, match="sigma_noise"):
        la.log_marginal_likelihood(1.0, sigma_noise=-2.0)
    with pytest.raises(ValueError, match="regression"):
        _ = LastLayerLaplace(MLP([2, 4, 3])).sigma_noise
