"""Tests for the last-layer Laplace classifier (sandbox.bayes) against brute-force references.

The references are deliberately naive: explicit per-point Jacobians, the Hessian of the summed
cross-entropy by central finite differences of its gradient, dense inverses and log-determinants.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sandbox.bayes import PRIOR_PRECISION_BOUNDS, LastLayerLaplace, Link, helmert_basis
from sandbox.bayes.evidence import decreasing_root
from sandbox.bench.laplace import reference_fit
from sandbox.nn import MLP, Trainer

# ---------------------------------------------------------------------- fixtures and references


def blobs(k: int, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    angles = 2.0 * np.pi * np.arange(k) / k
    centres = 3.0 * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    y = rng.integers(0, k, n)
    return centres[y] + rng.normal(0.0, 1.0, (n, 2)), y


def train(net: MLP, X: np.ndarray, y: np.ndarray, steps: int = 150, lr: float = 0.03) -> MLP:
    """Full-batch Adam on mean cross-entropy: puts the last layer near a (local) optimum."""
    Trainer(net, X, y, optimizer="adam", lr=lr, batch_size=len(X)).step(steps)
    return net


def trained(k: int, hidden: list[int], n: int = 120, seed: int = 0):
    X, y = blobs(k, n, seed)
    net = train(MLP([2, *hidden, k], seed=seed + 1), X, y)
    return net, X, y


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def expected_sigmoid(mu: float, var: float) -> float:
    """E[sigmoid(d)], d ~ N(mu, var), by the trapezoid rule on a grid that resolves both the
    Gaussian (whatever its width) and the sigmoid's transition around 0."""
    sd = math.sqrt(var)
    grid = np.unique(
        np.concatenate([np.linspace(mu - 12 * sd, mu + 12 * sd, 6001), np.linspace(-40, 40, 6001)])
    )
    pdf = np.exp(-0.5 * ((grid - mu) / sd) ** 2) / (sd * math.sqrt(2 * math.pi))
    f = sigmoid(grid) * pdf
    return float(np.sum(0.5 * (f[1:] + f[:-1]) * np.diff(grid)))


def theta_public(net: MLP) -> np.ndarray:
    W, b = net.layers[-1]
    return np.concatenate([W.ravel(), b])


def nll_grad(theta: np.ndarray, phi: np.ndarray, y: np.ndarray, k: int) -> np.ndarray:
    """Gradient of the summed cross-entropy in (rows of W_o, b_o)."""
    h = phi.shape[1]
    W = theta[: k * h].reshape(k, h)
    b = theta[k * h :]
    f = phi @ W.T + b
    p = np.exp(f - f.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    r = p - np.eye(k)[y]
    return np.concatenate([(r.T @ phi).ravel(), r.sum(0)])


def fd_hessian(theta: np.ndarray, phi: np.ndarray, y: np.ndarray, k: int) -> np.ndarray:
    P = theta.size
    hess = np.empty((P, P))
    for i in range(P):
        step = 1e-5 * max(1.0, abs(theta[i]))
        e = np.zeros(P)
        e[i] = step
        hess[:, i] = (nll_grad(theta + e, phi, y, k) - nll_grad(theta - e, phi, y, k)) / (2 * step)
    return 0.5 * (hess + hess.T)


def jacobians(phi: np.ndarray, k: int) -> np.ndarray:
    """Explicit per-point Jacobians of the logits, (N, K, P), public parameter order."""
    n, h = phi.shape
    J = np.zeros((n, k, k * (h + 1)))
    for c in range(k):
        J[:, c, c * h : (c + 1) * h] = phi
        J[:, c, k * h + c] = 1.0
    return J


def explicit_ggn(net: MLP, X: np.ndarray) -> np.ndarray:
    phi = net.features(X)
    k = net.n_out
    p = net.predict_proba(X)
    J = jacobians(phi, k)
    G = np.zeros((J.shape[2], J.shape[2]))
    for n in range(phi.shape[0]):
        lam_n = np.diag(p[n]) - np.outer(p[n], p[n])
        G += J[n].T @ lam_n @ J[n]
    return G


def dense_evidence(net: MLP, X: np.ndarray, y: np.ndarray, G: np.ndarray, lam: float) -> float:
    logits = net.forward(X)
    mx = logits.max(1)
    lse = mx + np.log(np.exp(logits - mx[:, None]).sum(1))
    loglik = float(np.sum(logits[np.arange(len(y)), y] - lse))
    theta = theta_public(net)
    P = theta.size
    _, logdet = np.linalg.slogdet(G + lam * np.eye(P))
    return loglik - 0.5 * (logdet - P * math.log(lam) + lam * float(theta @ theta))


def feature_map(net: MLP, x0: np.ndarray) -> np.ndarray:
    """(H, 3) affine feature map of the linear region containing x0, composed layer by layer
    with the activation pattern at x0 (phi = F[:, :2] @ x + F[:, 2] inside that region)."""
    A = np.eye(2)
    c = np.zeros(2)
    h = x0
    for W, b in net.layers[:-1]:
        z = W @ h + b
        q = (z > 0).astype(float)
        A = q[:, None] * (W @ A)
        c = q * (W @ c + b)
        h = np.maximum(z, 0.0)
    return np.concatenate([A, c[:, None]], axis=1)


def same_region_points(net: MLP, x0: np.ndarray, rng, count: int = 6) -> np.ndarray:
    pattern = net.activation_pattern(x0[None])[0]
    for radius in (0.3, 0.03, 3e-3, 3e-4, 3e-5):
        cand = x0 + rng.uniform(-radius, radius, (200, 2))
        keep = cand[np.all(net.activation_pattern(cand) == pattern, axis=1)]
        if keep.shape[0] >= count:
            return keep[:count]
    return x0[None]


def last_crossing(net: MLP, u: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
    """Largest delta at which some neuron changes sign along x = delta u (delta > 0), and the
    feature slope and offset beyond it (phi(delta) = delta * slope + offset)."""
    slope, offset = u.copy(), np.zeros(2)
    last = 0.0
    for W, b in net.layers[:-1]:
        za, zc = W @ slope, W @ offset + b
        with np.errstate(divide="ignore", invalid="ignore"):
            roots = -zc / za
        roots = roots[np.isfinite(roots) & (roots > last)]
        if roots.size:
            last = float(roots.max())
        on = (za > 0) | ((za == 0) & (zc > 0))
        slope, offset = np.where(on, za, 0.0), np.where(on, zc, 0.0)
    return last, slope, offset


@pytest.fixture(scope="module", params=[2, 3, 4, 6])
def fitted(request):
    k = request.param
    net, X, y = trained(k, [8, 6], n=90 + 10 * k, seed=k)
    la = LastLayerLaplace(net, prior_precision=0.7).fit(X, y)
    return net, X, y, la


# ---------------------------------------------------------------------- curvature and covariance


def test_ggn_matches_explicit_jacobians_and_fd_hessian(fitted):
    net, X, y, la = fitted
    G_explicit = explicit_ggn(net, X)
    scale = np.abs(G_explicit).max()
    assert np.abs(la.ggn - G_explicit).max() <= 1e-11 * scale
    H_fd = fd_hessian(theta_public(net), net.features(X), y, net.n_out)
    assert np.abs(la.ggn - H_fd).max() <= 1e-6 * scale


def test_posterior_covariance_is_the_dense_inverse(fitted):
    net, X, y, la = fitted
    P = la.n_params
    assert P == net.n_out * (net.hidden_sizes[-1] + 1)
    H_fd = fd_hessian(theta_public(net), net.features(X), y, net.n_out)
    sigma_fd = np.linalg.inv(H_fd + la.prior_precision * np.eye(P))
    sigma = la.posterior_covariance
    assert sigma.shape == (P, P)
    assert np.abs(sigma - sigma_fd).max() <= 1e-6 * np.abs(sigma_fd).max()
    sigma_exact = np.linalg.inv(explicit_ggn(net, X) + la.prior_precision * np.eye(P))
    assert np.abs(sigma - sigma_exact).max() <= 1e-10 * np.abs(sigma_exact).max()
    assert np.array_equal(sigma, sigma.T)


def test_logit_mean_cov_is_jacobian_sandwich(fitted):
    net, X, y, la = fitted
    Xt = np.random.default_rng(1).uniform(-8, 8, (40, 2))
    mean, cov = la.logit_mean_cov(Xt)
    J = jacobians(net.features(Xt), net.n_out)
    sigma = la.posterior_covariance
    assert np.allclose(mean, J @ theta_public(net), rtol=1e-12, atol=1e-12)
    cov_ref = J @ sigma @ J.transpose(0, 2, 1)
    assert np.abs(cov - cov_ref).max() <= 1e-10 * np.abs(cov_ref).max()


def test_fit_snapshots_the_network(fitted):
    net, X, y, la = fitted
    moved = net.copy()
    la2 = LastLayerLaplace(moved, prior_precision=0.7).fit(X, y)
    before = la2.predict_proba(X[:5])
    moved.params[:] += 0.5  # training goes on after the fit
    assert np.array_equal(la2.predict_proba(X[:5]), before)
    assert np.allclose(before, la.predict_proba(X[:5]), rtol=1e-13, atol=1e-15)


def test_fit_features_equals_fit(fitted):
    net, X, y, la = fitted
    la2 = LastLayerLaplace(net, prior_precision=0.7).fit_features(net.features(X), y)
    assert np.allclose(la2.posterior_covariance, la.posterior_covariance, rtol=1e-13, atol=0)
    assert la2.log_marginal_likelihood() == pytest.approx(la.log_marginal_likelihood(), rel=1e-13)


def test_helmert_basis_is_orthonormal_complement_of_ones():
    for k in range(2, 7):
        q = helmert_basis(k)
        assert np.allclose(q.T @ q, np.eye(k - 1), atol=1e-15)
        assert np.allclose(q.sum(axis=0), 0.0, atol=1e-15)


# ---------------------------------------------------------------------- evidence


def test_evidence_matches_dense_formula(fitted):
    net, X, y, la = fitted
    G = explicit_ggn(net, X)
    for lam in (1e-3, 0.05, 0.7, 3.0, 200.0):
        dense = dense_evidence(net, X, y, G, lam)
        assert la.log_marginal_likelihood(lam) == pytest.approx(dense, rel=1e-11, abs=1e-9)
    assert la.log_marginal_likelihood() == pytest.approx(
        dense_evidence(net, X, y, G, la.prior_precision), rel=1e-11
    )


def test_optimum_is_the_stationary_maximiser(fitted):
    net, X, y, la0 = fitted
    la = LastLayerLaplace(net, prior_precision=0.7).fit(X, y)
    lam = la.optimize_prior_precision()
    assert lam == la.prior_precision
    lo, hi = PRIOR_PRECISION_BOUNDS
    assert lo < lam < hi
    P = la.n_params
    G = explicit_ggn(net, X)
    sigma = np.linalg.inv(G + lam * np.eye(P))
    theta = theta_public(net)
    # d log Z / d lambda = (P / lam - tr Sigma - ||theta||^2) / 2, relative to its largest term
    grad = 0.5 * (P / lam - np.trace(sigma) - theta @ theta)
    assert abs(grad) <= 1e-6 * 0.5 * P / lam
    assert abs(la.log_marginal_likelihood_grad()) <= 1e-11 * 0.5 * P / lam
    # central difference of the dense evidence in log lambda
    h = 1e-4
    fd = (
        dense_evidence(net, X, y, G, lam * math.exp(h))
        - dense_evidence(net, X, y, G, lam * math.exp(-h))
    ) / (2 * h)
    assert abs(fd) <= 1e-6 * P
    z = la.log_marginal_likelihood()
    assert z > la.log_marginal_likelihood(0.5 * lam)
    assert z > la.log_marginal_likelihood(2.0 * lam)
    assert z > dense_evidence(net, X, y, G, 0.5 * lam)
    assert z > dense_evidence(net, X, y, G, 2.0 * lam)
    # the covariance left behind is the one at the optimum
    assert np.abs(la.posterior_covariance - sigma).max() <= 1e-10 * np.abs(sigma).max()


def test_optimum_does_not_depend_on_the_start(fitted):
    net, X, y, _ = fitted
    results = [
        LastLayerLaplace(net, prior_precision=start).fit(X, y).optimize_prior_precision()
        for start in (1e-6, 1.0, 1e6)
    ]
    assert max(results) / min(results) - 1.0 < 1e-12


def test_matches_bench_reference(fitted):
    net, X, y, la = fitted
    lam_ref, sigma_ref, logz_ref = reference_fit(net, X, y)
    la2 = LastLayerLaplace(net).fit(X, y)
    assert la2.optimize_prior_precision() == pytest.approx(lam_ref, rel=1e-9)
    assert np.allclose(la2.posterior_covariance, sigma_ref, rtol=1e-8, atol=1e-12)
    assert la2.log_marginal_likelihood() == pytest.approx(logz_ref, rel=1e-11)


def test_decreasing_root_newton_and_bounds():
    def cubic(x):
        return 2.0 - x**3 - x, -3 * x * x - 1.0

    root = decreasing_root(cubic, -5.0, 5.0, 4.9)
    assert abs(cubic(root)[0]) < 1e-14
    assert decreasing_root(cubic, 3.0, 5.0, 4.0) == 3.0  # negative everywhere: lower bound
    assert decreasing_root(cubic, -5.0, 0.0, -1.0) == 0.0  # positive everywhere: upper bound

    def flat_then_steep(x):  # Newton from the flat part overshoots; the bracket must catch it
        return -math.atan(x - 1.0) * 1e-3 - (x - 1.0) ** 3, -1e-3 / (1 + (x - 1) ** 2) - 3 * (
            x - 1.0
        ) ** 2

    assert decreasing_root(flat_then_steep, -10.0, 30.0, 29.0) == pytest.approx(1.0, abs=1e-9)


# ---------------------------------------------------------------------- links


@pytest.mark.parametrize("link", [link.value for link in Link])
def test_every_link_gives_probabilities(fitted, link):
    net, X, y, la = fitted
    Xt = np.random.default_rng(2).uniform(-30, 30, (50, 2))
    p = la.predict_proba(Xt, link=link, n_samples=200, seed=3)
    assert p.shape == (50, net.n_out)
    assert np.all(np.isfinite(p)) and np.all(p >= 0.0) and np.all(p <= 1.0)
    assert np.allclose(p.sum(1), 1.0, atol=1e-12)
    assert np.array_equal(p, la.predict_proba_features(net.features(Xt), Link(link), 200, 3))


def test_map_link_is_the_network(fitted):
    net, X, y, la = fitted
    assert np.allclose(la.predict_proba(X, link="map"), net.predict_proba(X), atol=1e-14)


def test_probit_formula(fitted):
    net, X, y, la = fitted
    Xt = np.random.default_rng(4).uniform(-10, 10, (30, 2))
    m, V = la.logit_mean_cov(Xt)
    z = m / np.sqrt(1 + np.pi / 8 * np.einsum("nkk->nk", V))
    ref = np.exp(z - z.max(1, keepdims=True))
    ref /= ref.sum(1, keepdims=True)
    assert np.allclose(la.predict_proba(Xt), ref, rtol=1e-12, atol=1e-15)


def test_pairwise_is_the_binary_probit_for_two_classes():
    net, X, y = trained(2, [10], seed=5)
    la = LastLayerLaplace(net).fit(X, y)
    la.optimize_prior_precision()
    Xt = np.random.default_rng(5).uniform(-12, 12, (60, 2))
    m, V = la.logit_mean_cov(Xt)
    d = m[:, 1] - m[:, 0]
    vd = V[:, 0, 0] + V[:, 1, 1] - 2 * V[:, 0, 1]
    p1 = 1.0 / (1.0 + np.exp(-d / np.sqrt(1 + np.pi / 8 * vd)))
    assert np.allclose(la.predict_proba(Xt, link="pairwise")[:, 1], p1, rtol=1e-12, atol=1e-15)


def test_probit_and_mc_agree_where_the_variance_is_small(fitted):
    net, X, y, la0 = fitted
    Xt = np.random.default_rng(6).uniform(-4, 4, (40, 2))
    gaps = []
    for lam in (1e2, 1e5, 1e8):  # V <= |phi~|^2 / lam
        la = LastLayerLaplace(net, prior_precision=lam).fit(X, y)
        _, V = la.logit_mean_cov(Xt)
        probit = la.predict_proba(Xt, link="probit")
        mc = la.predict_proba(Xt, link="mc", n_samples=4000, seed=0)
        gap = np.abs(probit - mc).max()
        # both tend to the MAP prediction as V -> 0; the gap is O(V) plus MC noise O(sqrt(V/S))
        vmax = np.einsum("nkk->nk", V).max()
        assert gap <= 2 * vmax + 5 * math.sqrt(vmax / 4000) + 1e-12
        gaps.append(gap)
    assert gaps[2] < gaps[1] < gaps[0]
    assert vmax < 1e-4 and gaps[2] < 1e-4


def test_mc_matches_gauss_hermite_for_two_classes():
    net, X, y = trained(2, [10], seed=7)
    la = LastLayerLaplace(net, prior_precision=0.05).fit(X, y)
    Xt = np.random.default_rng(7).uniform(-15, 15, (25, 2))
    S = 20000
    samples = la.sample_logits(Xt, n_samples=S, seed=11)
    mc = la.predict_proba(Xt, link="mc", n_samples=S, seed=11)
    # the "mc" link averages exactly these draws
    soft = sigmoid(samples[..., 1] - samples[..., 0])
    assert np.allclose(mc[:, 1], soft.mean(0), rtol=1e-12, atol=1e-15)
    m, V = la.logit_mean_cov(Xt)
    d = m[:, 1] - m[:, 0]
    vd = V[:, 0, 0] + V[:, 1, 1] - 2 * V[:, 0, 1]
    exact = np.array([expected_sigmoid(mu, v) for mu, v in zip(d, vd, strict=True)])
    se = soft.std(0) / math.sqrt(S)
    assert np.all(np.abs(mc[:, 1] - exact) <= 4.5 * se + 1e-12)
    assert np.any(vd > 1.0)  # the check is not vacuous: some points are uncertain


def test_mc_samples_have_the_analytic_moments(fitted):
    net, X, y, la = fitted
    Xt = np.random.default_rng(8).uniform(-6, 6, (10, 2))
    S = 20000
    samples = la.sample_logits(Xt, n_samples=S, seed=1)
    m, V = la.logit_mean_cov(Xt)
    se = np.sqrt(np.einsum("nkk->nk", V) / S)
    assert np.all(np.abs(samples.mean(0) - m) <= 4.5 * se + 1e-12)
    centred = samples - m
    cov = np.einsum("snk,snj->nkj", centred, centred) / S
    scale = np.sqrt(np.einsum("nkk->nk", V))
    assert np.all(np.abs(cov - V) <= 0.06 * scale[:, :, None] * scale[:, None, :] + 1e-12)


def test_mc_is_reproducible_and_chunk_independent(fitted):
    net, X, y, la = fitted
    Xt = np.random.default_rng(9).uniform(-6, 6, (7, 2))
    a = la.predict_proba(Xt, link="mc", n_samples=300, seed=4)
    b = la.predict_proba(Xt, link="mc", n_samples=300, seed=4)
    c = la.predict_proba(Xt, link="mc", n_samples=300, seed=5)
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)


# ---------------------------------------------------------------------- per-region closed forms


@pytest.mark.parametrize("hidden", [[9], [7, 5], [4, 4, 6]])
def test_region_coefficients_match_pointwise_predictions(hidden):
    k = 3
    net, X, y = trained(k, hidden, seed=len(hidden))
    la = LastLayerLaplace(net).fit(X, y)
    la.optimize_prior_precision()
    rng = np.random.default_rng(10)
    centres = rng.uniform(-7, 7, (12, 2))
    maps = np.stack([feature_map(net, c) for c in centres])
    mean_c, var_c = la.region_coefficients(maps)
    _, full_c = la.region_coefficients(maps, full=True)
    assert (
        mean_c.shape == (12, k, 3) and var_c.shape == (12, k, 6) and full_c.shape == (12, k, k, 6)
    )
    for r, c in enumerate(centres):
        pts = same_region_points(net, c, rng)
        assert np.allclose(net.features(pts), pts @ maps[r][:, :2].T + maps[r][:, 2])
        m, V = la.logit_mean_cov(pts)
        x, yy = pts[:, 0], pts[:, 1]
        basis = np.stack([x * x, x * yy, yy * yy, x, yy, np.ones_like(x)], axis=1)
        m_c = pts @ mean_c[r][:, :2].T + mean_c[r][:, 2]
        v_c = basis @ var_c[r].T
        V_c = np.einsum("nc,kjc->nkj", basis, full_c[r])
        tol = 1e-9 * (1 + np.abs(V).max())
        assert np.allclose(m_c, m, rtol=1e-11, atol=1e-11)
        assert np.abs(v_c - np.einsum("nkk->nk", V)).max() <= tol
        assert np.abs(V_c - V).max() <= tol
        # the shader's probit from the coefficients is the library's probit
        z = m_c / np.sqrt(1 + np.pi / 8 * np.maximum(v_c, 0))
        p = np.exp(z - z.max(1, keepdims=True))
        p /= p.sum(1, keepdims=True)
        assert np.allclose(p, la.predict_proba(pts), atol=1e-10)


def test_region_coefficients_reject_bad_shapes(fitted):
    net, X, y, la = fitted
    h = net.hidden_sizes[-1]
    with pytest.raises(ValueError, match="feature_maps"):
        la.region_coefficients(np.zeros((3, h + 1, 3)))
    with pytest.raises(ValueError, match="NaN"):
        la.region_coefficients(np.full((3, h, 3), np.nan))
    with pytest.raises(ValueError, match="regression"):
        la.region_coefficients(np.zeros((3, h, 3)), include_noise=True)


# ---------------------------------------------------------------------- far field


def test_far_field_limits_along_random_rays(fitted):
    net, X, y, la0 = fitted
    la = LastLayerLaplace(net).fit(X, y)
    la.optimize_prior_precision()
    rng = np.random.default_rng(12)
    checked = 0
    for angle in rng.uniform(0, 2 * np.pi, 12):
        u = np.array([math.cos(angle), math.sin(angle)])
        last, slope, offset = last_crossing(net, u)
        if not np.any(slope):
            continue
        start = max(1.0, 2.0 * last)
        deltas = start * np.array([1.0, 1e2, 1e4, 1e6, 1e8])
        pts = deltas[:, None] * u[None, :]
        phi = net.features(pts)
        assert np.allclose(phi, deltas[:, None] * slope + offset, rtol=1e-12, atol=1e-9)
        # beyond the last crossing the measured slope, hence the limit, is constant
        s1 = (net.features((start * 3.0) * u[None]) - net.features((start * 2.0) * u[None]))[0]
        s2 = (net.features((start * 9.0) * u[None]) - net.features((start * 8.0) * u[None]))[0]
        s1, s2 = s1 / start, s2 / start
        assert np.allclose(s1, s2, rtol=1e-9, atol=1e-12)
        for link in ("probit", "pairwise"):
            lim = la.far_field_proba(slope, link=link)
            assert np.allclose(la.far_field_proba(s1, link=link), lim, rtol=1e-7, atol=1e-9)
            assert np.allclose(la.far_field_proba(7.5 * slope, link=link), lim, atol=1e-14)
            conf = la.predict_proba(pts, link=link)
            err = np.abs(conf - lim).max(axis=1)
            assert err[-1] <= 1e-6
            assert np.all(err[2:] <= 1.5 * err[1:-1] + 1e-12)  # converges, O(1 / delta)
            assert lim.max() < 1.0
        a = la._theta4[:, :-1] @ slope
        top2 = np.sort(a)[-2:]
        if top2[1] - top2[0] > 1e-6 * np.abs(a).max():
            map_conf = la.predict_proba(pts, link="map").max(axis=1)
            assert map_conf[-1] > 1.0 - 1e-9
            assert map_conf[-1] > la.predict_proba(pts, link="probit").max(axis=1)[-1]
            assert np.allclose(la.far_field_proba(slope, link="map").max(), 1.0)
        checked += 1
    assert checked >= 6


def test_far_field_with_constant_features():
    net, X, y = trained(3, [6], seed=13)
    la = LastLayerLaplace(net).fit(X, y)
    h = net.hidden_sizes[-1]
    offset = np.abs(np.random.default_rng(13).normal(size=h))
    lim = la.far_field_proba(np.zeros(h), feature_offset=offset)
    assert np.allclose(lim, la.predict_proba_features(offset[None])[0], atol=0)
    with pytest.raises(ValueError, match="feature_offset"):
        la.far_field_proba(np.zeros(h))
    with pytest.raises(ValueError, match="feature_slope"):
        la.far_field_proba(np.zeros(h + 2))


# ---------------------------------------------------------------------- bad input and fallbacks


def test_no_data_is_a_value_error():
    net = MLP([2, 5, 3])
    with pytest.raises(ValueError, match="no data"):
        LastLayerLaplace(net).fit(np.zeros((0, 2)), np.zeros(0, dtype=int))
    with pytest.raises(ValueError, match="no data"):
        LastLayerLaplace(net).fit_features(np.zeros((0, 5)), np.zeros(0, dtype=int))


@pytest.mark.parametrize("bad", [0.0, -1.0, float("nan"), float("inf"), "abc", None])
def test_bad_prior_precision_names_the_value(bad):
    net, X, y = MLP([2, 4, 2]), np.zeros((3, 2)), np.array([0, 1, 0])
    with pytest.raises(ValueError, match="prior_precision"):
        LastLayerLaplace(net, prior_precision=bad)
    la = LastLayerLaplace(net).fit(X, y)
    with pytest.raises(ValueError, match=r"prior_precision.*" + repr(bad).replace("(", r"\(")):
        la.prior_precision = bad
    if bad is not None:  # None asks for the current value
        with pytest.raises(ValueError, match="prior_precision"):
            la.log_marginal_likelihood(bad)


def test_bad_labels_inputs_and_order():
    net = MLP([2, 4, 3])
    X = np.zeros((4, 2))
    la = LastLayerLaplace(net)
    with pytest.raises(ValueError, match="not fitted"):
        la.predict_proba(X)
    with pytest.raises(ValueError, match="label 3 out of range"):
        la.fit(X, np.array([0, 1, 2, 3]))
    with pytest.raises(ValueError, match="whole class ids"):
        la.fit(X, np.array([0.0, 1.5, 2.0, 1.0]))
    with pytest.raises(ValueError, match="shape"):
        la.fit(X, np.array([0, 1]))
    with pytest.raises(ValueError, match=r"\(N, 2\)"):
        la.fit(np.zeros((4, 3)), np.array([0, 1, 2, 1]))
    with pytest.raises(ValueError, match="NaN"):
        la.fit(np.full((4, 2), np.nan), np.array([0, 1, 2, 1]))
    la.fit(X, np.array([0.0, 1.0, 2.0, 1.0]))  # whole-number floats are fine
    with pytest.raises(ValueError, match="NaN"):
        la.predict_proba(np.array([[np.nan, 0.0]]))
    with pytest.raises(ValueError, match="unknown link"):
        la.predict_proba(X, link="logit")
    with pytest.raises(ValueError, match="n_samples"):
        la.predict_proba(X, link="mc", n_samples=0)
    with pytest.raises(ValueError, match="regression"):
        la.predict(X)
    with pytest.raises(ValueError, match="sigma_noise"):
        la.log_marginal_likelihood(1.0, sigma_noise=1.0)


def test_one_class_present_is_a_working_fit():
    net, X, _ = trained(3, [8], seed=14)
    y = np.zeros(X.shape[0], dtype=int)
    la = LastLayerLaplace(net).fit(X, y)
    lam = la.optimize_prior_precision()
    lo, hi = PRIOR_PRECISION_BOUNDS
    assert lo <= lam <= hi and math.isfinite(la.log_marginal_likelihood())
    for link in Link:
        p = la.predict_proba(np.random.default_rng(0).uniform(-50, 50, (20, 2)), link=link)
        assert np.all(np.isfinite(p)) and np.allclose(p.sum(1), 1.0)


def test_dead_last_layer_leaves_the_prior_on_the_weights():
    net = MLP([2, 5, 4, 3], seed=3)
    W, b = net.layers[1]
    b[:] = -1e3  # every last-layer unit is off everywhere near the data
    X, y = blobs(3, 60, 3)
    assert not np.any(net.features(X))
    la = LastLayerLaplace(net).fit(X, y)
    lam = la.optimize_prior_precision()
    sigma = la.posterior_covariance
    kh = 3 * 4
    assert np.allclose(sigma[:kh, :kh], np.eye(kh) / lam, rtol=1e-14, atol=0)
    assert not np.any(sigma[:kh, kh:])
    G = explicit_ggn(net, X)
    assert np.allclose(la.ggn, G, atol=1e-12 * np.abs(G).max())
    ref = np.linalg.inv(G + lam * np.eye(la.n_params))
    assert np.allclose(sigma, ref, rtol=1e-10, atol=1e-14)
    p = la.predict_proba(np.random.default_rng(1).uniform(-9, 9, (10, 2)))
    assert np.all(np.isfinite(p)) and np.allclose(p.sum(1), 1.0)


def test_partly_dead_features_match_the_dense_reference():
    net, X, y = trained(4, [9, 7], seed=15)
    W, b = net.layers[1]
    b[:3] = -1e3
    la = LastLayerLaplace(net).fit(X, y)
    lam_ref, sigma_ref, logz_ref = reference_fit(net, X, y)
    assert la.optimize_prior_precision() == pytest.approx(lam_ref, rel=1e-9)
    assert np.allclose(la.posterior_covariance, sigma_ref, rtol=1e-8, atol=1e-12)
    assert la.log_marginal_likelihood() == pytest.approx(logz_ref, rel=1e-11)


def test_saturated_network_never_draws_nan():
    net, X, y = trained(3, [8], seed=16)
    W, b = net.layers[-1]
    W *= 1e4  # predictions saturate: Lambda_n is 0 to rounding on most points
    la = LastLayerLaplace(net).fit(X, y)
    lam = la.optimize_prior_precision()
    assert math.isfinite(lam) and math.isfinite(la.log_marginal_likelihood())
    Xt = np.random.default_rng(2).uniform(-100, 100, (30, 2))
    for link in Link:
        p = la.predict_proba(Xt, link=link, n_samples=50)
        assert np.all(np.isfinite(p)) and np.allclose(p.sum(1), 1.0)
    mean, var = la.region_coefficients(np.stack([feature_map(net, x) for x in Xt[:5]]))
    assert np.all(np.isfinite(mean)) and np.all(np.isfinite(var))


def test_non_finite_network_output_is_a_value_error():
    net = MLP([2, 4, 2])
    W, b = net.layers[-1]
    W[:] = 1e308
    with pytest.raises(ValueError, match="not finite"):
        LastLayerLaplace(net).fit(np.full((3, 2), 5.0), np.array([0, 1, 0]))


@settings(max_examples=25, deadline=None)
@given(
    k=st.integers(2, 6),
    width=st.integers(1, 12),
    n=st.integers(1, 40),
    seed=st.integers(0, 10_000),
    log_lam=st.floats(-6, 6),
    spread=st.floats(0.01, 100.0),
)
def test_property_fit_optimise_predict_stays_finite(k, width, n, seed, log_lam, spread):
    rng = np.random.default_rng(seed)
    net = MLP([2, width, k], seed=seed)
    X = rng.normal(0, spread, (n, 2))
    y = rng.integers(0, k, n)
    la = LastLayerLaplace(net, prior_precision=10.0**log_lam).fit(X, y)
    lam = la.optimize_prior_precision()
    lo, hi = PRIOR_PRECISION_BOUNDS
    assert lo <= lam <= hi
    if lo < lam < hi:
        assert abs(la.log_marginal_likelihood_grad()) * lam <= 1e-9 * la.n_params
    Xt = rng.normal(0, 10 * spread, (16, 2))
    for link in Link:
        p = la.predict_proba(Xt, link=link, n_samples=20)
        assert np.all(np.isfinite(p)) and np.allclose(p.sum(1), 1.0)
    sigma = la.posterior_covariance
    assert np.all(np.isfinite(sigma)) and np.all(np.linalg.eigvalsh(sigma) > 0)


def test_refit_follows_a_new_architecture():
    """Shapes come from the fitted snapshot, and a refit after the network object changed
    its architecture (the app swaps `la.net`) describes the new one."""
    net_a, X, y = trained(3, [6], seed=17)
    la = LastLayerLaplace(net_a).fit(X, y)
    assert la.n_params == 3 * 7
    net_b = MLP([2, 9, 5, 3], seed=18)
    la.net = net_b
    assert la.n_params == 3 * 7  # still the fitted posterior until the refit
    assert la.predict_proba(X[:4]).shape == (4, 3)
    la.fit(X, y)
    assert la.n_params == 3 * 6 and la.posterior_covariance.shape == (18, 18)
    la.fit_features(net_b.features(X), y)
    assert la.n_params == 18


@pytest.mark.parametrize("k", [3, 6])
def test_pairwise_tracks_monte_carlo_closer_than_the_diagonal_probit(k):
    """The documented reason the pairwise link exists: the diagonal probit is flattened by the
    common-mode logit variance that softmax ignores."""
    net, X, y = trained(k, [16], n=200, seed=20 + k)
    la = LastLayerLaplace(net).fit(X, y)
    la.optimize_prior_precision()
    Xt = np.random.default_rng(21).uniform(-15, 15, (150, 2))
    mc = la.predict_proba(Xt, link="mc", n_samples=4000, seed=0).max(1)
    err = {
        link: np.abs(la.predict_proba(Xt, link=link).max(1) - mc).mean()
        for link in ("probit", "pairwise")
    }
    assert err["pairwise"] < err["probit"]
    assert err["pairwise"] < 0.05


def test_region_coefficients_on_the_exact_partition():
    """With the geometry module's exact partition: every region's closed form reproduces the
    pointwise logit mean and variance at its centroid."""
    from sandbox.geometry import linear_regions

    net, X, y = trained(3, [7, 5], seed=22)
    la = LastLayerLaplace(net).fit(X, y)
    la.optimize_prior_precision()
    part = linear_regions(net, (-8.0, 8.0, -8.0, 8.0))
    assert not part.too_many and len(part) > 10
    mean_c, var_c = la.region_coefficients(part.feature_maps)
    pts = part.centroids()
    m, V = la.logit_mean_cov(pts)
    x, yy = pts[:, 0], pts[:, 1]
    basis = np.stack([x * x, x * yy, yy * yy, x, yy, np.ones_like(x)], axis=1)
    assert np.allclose(np.einsum("rkc,rc->rk", mean_c[:, :, :2], pts) + mean_c[:, :, 2], m)
    v = np.einsum("rkc,rc->rk", var_c, basis)
    assert np.abs(v - np.einsum("nkk->nk", V)).max() <= 1e-9 * (1 + np.abs(V).max())
