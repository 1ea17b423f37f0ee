"""The per-region Laplace kernel (bayes/region_coefficients.py) equals its dense numpy twin.

The kernel forms each region's quadratic from the Cholesky factor of the class blocks and the
rows of the feature map that are not zero; the twin with dense products over every row. Both
must agree to rounding on the maps of real partitions (ReLU, leaky ReLU, residual), for
classification and regression, and `region_coefficients` must take the kernel path.
"""

from __future__ import annotations

import numpy as np
import pytest

from sandbox.bayes import LastLayerLaplace
from sandbox.bayes import region_coefficients as RC
from sandbox.geometry import linear_regions
from sandbox.nn import MLP


def _fit(sizes, activation="relu", residual=False, seed=0):
    net = MLP(sizes, seed=seed, activation=activation, residual=residual)
    rng = np.random.default_rng(seed)
    X = rng.uniform(-3, 3, (60, 2))
    if sizes[-1] == 1:
        y = np.sin(X[:, 0]) + 0.1 * X[:, 1]
    else:
        y = (X[:, 0] * X[:, 1] > 0).astype(np.int64) + (X[:, 0] > 1.5) * (sizes[-1] > 2)
    la = LastLayerLaplace(net).fit(X, y)
    P = linear_regions(net, (-4.0, 4.0, -4.0, 4.0))
    return la, np.ascontiguousarray(P.feature_maps)


def _close(a, b):
    scale = np.abs(b).max(axis=-1, keepdims=True) + 1e-300
    return np.all(np.abs(a - b) <= 1e-12 * scale)


@pytest.mark.parametrize(
    "sizes,activation,residual",
    [
        ([2, 8, 8, 2], "relu", False),
        ([2, 7, 9, 3], "leaky_relu", False),
        ([2, 6, 6, 6, 2], "relu", True),
        ([2, 5, 6, 1], "relu", False),
        ([2, 6, 4], "hardtanh", False),
    ],
)
def test_kernel_equals_the_dense_twin(sizes, activation, residual):
    la, fm = _fit(sizes, activation, residual)
    sigma4 = la._sigma()
    chol = la._sigma_cholesky(sigma4)
    assert chol is not None
    mean_k, var_k = RC.region_coefficients_kernel(fm, np.ascontiguousarray(la._theta4), chol)
    mean_n, var_n = RC.region_coefficients_numpy(fm, la._theta4, sigma4, False)
    assert mean_k.shape == mean_n.shape and var_k.shape == var_n.shape
    assert _close(mean_k, mean_n) and _close(var_k, var_n)
    # the public method takes the kernel path and returns the same arrays
    mean, var = la.region_coefficients(fm)
    assert np.array_equal(mean, mean_k) and np.array_equal(var, var_k)


def test_zero_rows_and_the_bias_row_are_handled():
    la, fm = _fit([2, 8, 8, 2])
    fm = fm[:20].copy()
    fm[3] = 0.0  # a region where every feature is off: only the bias coordinate is left
    fm[5, ::2] = 0.0
    sigma4 = la._sigma()
    chol = la._sigma_cholesky(sigma4)
    mean_k, var_k = RC.region_coefficients_kernel(fm, np.ascontiguousarray(la._theta4), chol)
    mean_n, var_n = RC.region_coefficients_numpy(fm, la._theta4, sigma4, False)
    assert _close(mean_k, mean_n) and _close(var_k, var_n)
    # all-off region: a constant variance, the bias coordinate's prior-and-data variance
    assert np.all(var_k[3, :, :5] == 0.0) and np.all(var_k[3, :, 5] > 0.0)


def test_a_block_that_is_not_positive_definite_takes_the_dense_path(monkeypatch):
    la, fm = _fit([2, 6, 6, 2])
    expected = la.region_coefficients(fm)

    def not_pd(a):
        raise np.linalg.LinAlgError("not positive definite")

    monkeypatch.setattr(np.linalg, "cholesky", not_pd)
    la._chol = None
    mean, var = la.region_coefficients(fm)
    assert _close(mean, expected[0]) and _close(var, expected[1])
