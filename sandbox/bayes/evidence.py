"""The Laplace evidence as a function of the prior precision (and the noise), and its maximiser.

Everything here works on the eigenvalues of the data term of the posterior precision, so after one
eigen-decomposition the evidence, its derivatives and its maximiser cost O(P) per evaluation.
The evidence is strictly concave in t = log(prior precision) (and, for regression, jointly in
(log precision, log noise precision)), so a safeguarded Newton iteration on its derivative finds
the true maximiser to machine precision; the search is confined to documented bounds, and when
the maximiser lies outside them the evidence is monotone there and the bound is returned.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

PRIOR_PRECISION_BOUNDS = (1e-8, 1e8)
"""Search interval for the prior precision; beyond it the posterior is numerically meaningless."""

NOISE_VARIANCE_RELATIVE_BOUNDS = (1e-12, 1e12)
"""Search interval for the regression noise variance, relative to mean(y^2) (floored at 1e-12)."""

_LOG_2PI = math.log(2.0 * math.pi)


def decreasing_root(
    fun: Callable[[float], tuple[float, float]], lo: float, hi: float, x0: float
) -> float:
    """Root of a decreasing function g on [lo, hi] by Newton's method safeguarded by bisection.

    `fun(x)` returns (g(x), g'(x)). Returns lo when g(lo) <= 0 and hi when g(hi) >= 0 (the
    concave objective whose derivative is g is then monotone on the interval). The iteration
    keeps a sign-change bracket, so it cannot diverge, and stops when the step falls to a few
    ulps of x or the bracket collapses.
    """
    g_lo, _ = fun(lo)
    if not g_lo > 0.0:
        return lo
    g_hi, _ = fun(hi)
    if not g_hi < 0.0:
        return hi
    a, b = lo, hi
    x = min(max(x0, lo), hi)
    if not a < x < b:
        x = 0.5 * (a + b)
    for _ in range(300):
        g, dg = fun(x)
        if g == 0.0:
            return x
        if g > 0.0:
            a = x
        else:
            b = x
        step = g / dg if dg < 0.0 else math.inf
        x_new = x - step
        if not a < x_new < b:
            # Newton left the bracket (or the slope was useless): bisect instead.
            x_new = 0.5 * (a + b)
        tol = 4.0 * np.finfo(float).eps * max(1.0, abs(x))
        if abs(x_new - x) <= tol or b - a <= tol:
            return x_new
        x = x_new
    return x


# ---------------------------------------------------------------------- classification
def class_log_evidence(loglik: float, eig: np.ndarray, theta_sq: float, lam: float) -> float:
    """log Z(lambda) = loglik - 1/2 (log det(G + lam I) - P log lam + lam ||theta||^2).

    `eig` holds the eigenvalues of G that may be non-zero; the others contribute
    log(lam) - log(lam) = 0, so only log1p(e / lam) terms remain (no cancellation).
    """
    return float(loglik - 0.5 * (np.sum(np.log1p(eig / lam)) + lam * theta_sq))


def class_log_evidence_grad(eig: np.ndarray, theta_sq: float, lam: float) -> float:
    """d log Z / d lambda = 1/2 (gamma / lam - ||theta||^2), gamma = sum e / (e + lam)."""
    gamma = float(np.sum(eig / (eig + lam)))
    return 0.5 * (gamma / lam - theta_sq)


def optimise_log_precision(eig: np.ndarray, theta_sq: float, lam0: float) -> float:
    """The prior precision maximising the evidence for fixed data eigenvalues `eig`.

    Stationarity in t = log lam reads gamma(lam) = lam ||theta||^2 (MacKay's condition); the
    left side falls and the right side rises with t, so the root is unique.
    """

    def fun(t: float) -> tuple[float, float]:
        lam = math.exp(t)
        q = eig / (eig + lam)
        g = float(q.sum()) - lam * theta_sq
        dg = -float(np.dot(q, 1.0 - q)) - lam * theta_sq
        return g, dg

    lo, hi = (math.log(v) for v in PRIOR_PRECISION_BOUNDS)
    # MacKay's fixed-point step from the current value is a good first guess.
    gamma0 = float(np.sum(eig / (eig + lam0)))
    t0 = math.log(gamma0 / theta_sq) if gamma0 > 0.0 and theta_sq > 0.0 else math.log(lam0)
    lam = math.exp(decreasing_root(fun, lo, hi, t0))
    return min(max(lam, PRIOR_PRECISION_BOUNDS[0]), PRIOR_PRECISION_BOUNDS[1])


# ---------------------------------------------------------------------- regression
def reg_log_evidence(
    n: int, rss: float, eig: np.ndarray, theta_sq: float, lam: float, beta: float
) -> float:
    """Gaussian-likelihood evidence with noise precision beta = 1 / sigma^2.

    log Z = n/2 log(beta / 2 pi) - beta RSS / 2 - lam ||theta||^2 / 2
            - 1/2 sum log(1 + beta a_i / lam),  a_i the eigenvalues of Phi~^T Phi~.
    """
    return float(
        0.5 * n * (math.log(beta) - _LOG_2PI)
        - 0.5 * beta * rss
        - 0.5 * lam * theta_sq
        - 0.5 * np.sum(np.log1p(beta * eig / lam))
    )


def reg_log_evidence_grad(
    n: int, rss: float, eig: np.ndarray, theta_sq: float, lam: float, beta: float
) -> tuple[float, float]:
    """(d log Z / d lambda, d log Z / d beta)."""
    q = beta * eig / (beta * eig + lam)
    gamma = float(q.sum())
    return 0.5 * (gamma / lam - theta_sq), 0.5 * ((n - gamma) / beta - rss)


def optimise_log_noise(n: int, rss: float, eig: np.ndarray, lam: float, beta_bounds) -> float:
    """The noise precision maximising the regression evidence at a fixed prior precision."""

    def fun(v: float) -> tuple[float, float]:
        beta = math.exp(v)
        q = beta * eig / (beta * eig + lam)
        return n - beta * rss - float(q.sum()), -beta * rss - float(np.dot(q, 1.0 - q))

    lo, hi = (math.log(v) for v in beta_bounds)
    v0 = math.log(n / rss) if rss > 0.0 else hi
    return min(max(math.exp(decreasing_root(fun, lo, hi, v0)), beta_bounds[0]), beta_bounds[1])


def optimise_joint(
    n: int, rss: float, eig: np.ndarray, theta_sq: float, lam0: float, beta0: float, beta_bounds
) -> tuple[float, float]:
    """(prior precision, noise precision) jointly maximising the regression evidence.

    log Z is jointly concave in (log lam, log beta): the log-det term's Hessian is
    c [[-1, 1], [1, -1]] with c = sum q (1 - q) >= 0, and the other terms are concave in one
    coordinate each. So the profile over log beta (log lam maximised inside) is concave too;
    its derivative is the partial derivative at the inner optimum (envelope theorem) and its
    second derivative is F_vv - F_uv^2 / F_uu.
    """
    state = {"lam": lam0}

    def fun(v: float) -> tuple[float, float]:
        beta = math.exp(v)
        ev = beta * eig
        lam = optimise_log_precision(ev, theta_sq, state["lam"])
        state["lam"] = lam
        q = ev / (ev + lam)
        c = float(np.dot(q, 1.0 - q))
        h = n - beta * rss - float(q.sum())
        interior = PRIOR_PRECISION_BOUNDS[0] < lam < PRIOR_PRECISION_BOUNDS[1]
        coupling = c * c / (c + lam * theta_sq) if interior and c + lam * theta_sq > 0 else 0.0
        return h, -beta * rss - c + coupling

    lo, hi = (math.log(v) for v in beta_bounds)
    v = decreasing_root(fun, lo, hi, math.log(min(max(beta0, beta_bounds[0]), beta_bounds[1])))
    beta = min(max(math.exp(v), beta_bounds[0]), beta_bounds[1])
    lam = optimise_log_precision(beta * eig, theta_sq, state["lam"])
    return lam, beta
