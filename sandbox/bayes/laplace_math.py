"""The pieces of the last-layer Laplace posterior that are not the posterior itself.

The prediction links (`Link`; softmax, the probit of logit differences), the checked prior
precision, the orthonormal basis of the complement of 1_K used to remove the softmax's flat
direction, the augmented features [phi; 1], and the symmetric inverse and eigenvalues the
evidence needs. laplace.py builds `LastLayerLaplace` from them (MATH.md section 3).
"""

from __future__ import annotations

import math
from enum import StrEnum

import numpy as np

from sandbox.nn.mlp import softmax

_PROBIT_SCALE = math.pi / 8.0
_CHUNK_ROWS = 4096


class Link(StrEnum):
    """How logit uncertainty becomes class probabilities."""

    PROBIT = "probit"
    """Extended probit: softmax_k(m_k / sqrt(1 + pi/8 V_kk)); closed form, used for shading."""
    MC = "mc"
    """Monte Carlo: average softmax over samples of N(m, V); the more faithful, the slower."""
    MAP = "map"
    """No uncertainty: softmax(m), the trained network's own confidence."""
    PAIRWISE = "pairwise"
    """Mean-field pairwise probit (Lu, Ie, Sha 2020): p_k proportional to
    1 / sum_j exp(-(m_k - m_j) / sqrt(1 + pi/8 (V_kk + V_jj - 2 V_kj))). It sees only logit
    differences, which is all softmax sees, so it is blind to the common-mode variance that
    makes the diagonal probit too flat, and for K = 2 it is exactly the binary probit of the
    logit difference. Needs the full logit covariance (`region_coefficients(full=True)`)."""


def check_precision(value: float, name: str = "prior_precision") -> float:
    """Return `value` as a float if it is finite and > 0, else raise ValueError naming it."""
    try:
        out = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}") from None
    if not (math.isfinite(out) and out > 0.0):
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    return out


def helmert_basis(k: int) -> np.ndarray:
    """(k, k-1) orthonormal columns spanning the complement of the all-ones vector."""
    q = np.zeros((k, k - 1))
    for a in range(1, k):
        q[:a, a - 1] = 1.0
        q[a, a - 1] = -float(a)
        q[:, a - 1] /= math.sqrt(a * (a + 1.0))
    return q


_softmax = softmax  # the project's one numpy softmax (sandbox.nn.mlp)


def _pairwise_probit(mean: np.ndarray, cov: np.ndarray) -> np.ndarray:
    """Mean-field pairwise probit from logit means (N, K) and covariances (N, K, K)."""
    var = np.diagonal(cov, axis1=1, axis2=2)
    diff_var = np.maximum(var[:, :, None] + var[:, None, :] - 2.0 * cov, 0.0)
    z = -(mean[:, :, None] - mean[:, None, :]) / np.sqrt(1.0 + _PROBIT_SCALE * diff_var)
    return _pairwise_from_args(z)


def _pairwise_from_args(z: np.ndarray) -> np.ndarray:
    """p_k proportional to 1 / sum_j exp(z_kj) (z_kk = 0), in log space so nothing overflows."""
    zmax = z.max(axis=-1, keepdims=True)
    log_p = -(zmax[..., 0] + np.log(np.exp(z - zmax).sum(axis=-1)))
    return _softmax(log_p)


def _augment(phi: np.ndarray) -> np.ndarray:
    out = np.empty((phi.shape[0], phi.shape[1] + 1))
    out[:, :-1] = phi
    out[:, -1] = 1.0
    return out


def _augmented_features_t(net, X: np.ndarray) -> np.ndarray:
    """[phi(X), 1] transposed, (H + 1, N), in one product: the last hidden layer's input gets a
    constant 1 (carrying the biases) and the layer an extra unit passing that 1 through."""
    if getattr(net, "activation", "relu") != "relu" or getattr(net, "residual", False):
        # other activations and residual layers: the network's own forward pass
        phi = net.features(X)
        out = np.empty((phi.shape[1] + 1, phi.shape[0]))
        out[:-1] = phi.T
        out[-1] = 1.0
        return out
    layers = net.layers
    h = X
    for W, b in layers[:-2]:
        h = np.maximum(h @ W.T + b, 0.0)
    W, b = layers[-2]
    n_out, n_in = W.shape
    h_aug = np.empty((h.shape[0], n_in + 1))
    h_aug[:, :n_in] = h
    h_aug[:, n_in] = 1.0
    w_aug = np.zeros((n_out + 1, n_in + 1))
    w_aug[:n_out, :n_in] = W
    w_aug[:n_out, n_in] = b
    w_aug[n_out, n_in] = 1.0
    z = w_aug @ h_aug.T
    return np.maximum(z, 0.0, out=z)


def _symmetric_inverse(a: np.ndarray) -> np.ndarray:
    """Inverse of a symmetric positive definite matrix, exact-symmetric, never raising."""
    scale = float(np.max(np.abs(np.diag(a)))) if a.size else 1.0
    try:
        inv = np.linalg.inv(a)
        # inv() via LU is accurate for the condition numbers met here; eigh is the safe path
        # when it is not finite or the matrix is close to singular.
        if np.all(np.isfinite(inv)) and scale * float(np.max(np.abs(np.diag(inv)))) < 1e12:
            return 0.5 * (inv + inv.T)
    except np.linalg.LinAlgError:
        pass
    w, u = np.linalg.eigh(0.5 * (a + a.T))
    w = np.maximum(w, np.finfo(float).tiny)
    inv = (u / w) @ u.T
    return 0.5 * (inv + inv.T)


def _eigvalsh(a: np.ndarray) -> np.ndarray:
    """Eigenvalues of a symmetric PSD matrix, clipped at 0 (rounding makes tiny negatives)."""
    try:
        w = np.linalg.eigvalsh(a)
    except np.linalg.LinAlgError:
        try:
            # For a symmetric PSD matrix the singular values are the eigenvalues.
            w = np.linalg.svd(a, compute_uv=False)
        except np.linalg.LinAlgError:
            raise ValueError(
                "the posterior precision could not be decomposed; the network's outputs are "
                "too extreme for a Laplace approximation"
            ) from None
    return np.maximum(w, 0.0)
