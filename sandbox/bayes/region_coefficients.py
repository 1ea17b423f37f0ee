"""Per-region closed forms of a last-layer Laplace: mean logits (affine) and logit variances
(quadratic) on every linear region of a partition (MATH.md section 3, last line).

Inside region r the features are phi = F_r x~ with x~ = (x, y, 1) and F_r (H, 3) the region's
feature map; with the bias coordinate, phi~ = G_r x~, G_r = [F_r; (0, 0, 1)] (D = H + 1 rows).
The mean logit k is theta_k . phi~ and the variance V_kk = x~^T (G_r^T Sigma_kk G_r) x~.

`region_coefficients_kernel` forms the 3 x 3 matrix G^T Sigma G as U^T U with U = L^T G and
Sigma_kk = L L^T (Cholesky, once per fit): only the rows of G that are not zero contribute
(ReLU switches off about half of them), each with one row of L, summed over contiguous memory;
U^T U is positive semi-definite by construction, so no variance comes out negative from
rounding. `region_coefficients_numpy` is the same closed form as dense products in numpy, used
for every block of the full covariance (`full`, the pairwise link) and as the kernel's twin in
the tests.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def region_coefficients_kernel(fm, theta, L):
    """Mean coefficients (R, K, 3) and variance coefficients (R, K, 6) (module docstring).

    fm (R, H, 3) feature maps; theta (K, D) the last layer's mean weights with the bias last;
    L (K, D, D) the lower Cholesky factor of each class's covariance block Sigma_kk. Variance
    coefficients: V = c0 x^2 + c1 x y + c2 y^2 + c3 x + c4 y + c5."""
    R = fm.shape[0]
    H = fm.shape[1]
    K = theta.shape[0]
    D = H + 1
    mean = np.empty((R, K, 3))
    var = np.empty((R, K, 6))
    rows = np.empty(D, np.int64)
    g0 = np.empty(D)
    g1 = np.empty(D)
    g2 = np.empty(D)
    u0 = np.empty(D)
    u1 = np.empty(D)
    u2 = np.empty(D)
    for r in range(R):
        na = 0
        for a in range(H):
            f0 = fm[r, a, 0]
            f1 = fm[r, a, 1]
            f2 = fm[r, a, 2]
            rows[na] = a
            g0[na] = f0
            g1[na] = f1
            g2[na] = f2
            na += (f0 != 0.0) | (f1 != 0.0) | (f2 != 0.0)
        rows[na] = H  # the bias coordinate, the constant 1
        g0[na] = 0.0
        g1[na] = 0.0
        g2[na] = 1.0
        na += 1
        for k in range(K):
            s0 = 0.0
            s1 = 0.0
            s2 = 0.0
            for j in range(na):
                t = theta[k, rows[j]]
                s0 += t * g0[j]
                s1 += t * g1[j]
                s2 += t * g2[j]
            mean[r, k, 0] = s0
            mean[r, k, 1] = s1
            mean[r, k, 2] = s2
            # U = L^T G: row a of G adds row a of L (its first a + 1 entries)
            for i in range(D):
                u0[i] = 0.0
                u1[i] = 0.0
                u2[i] = 0.0
            for j in range(na):
                a = rows[j]
                h0 = g0[j]
                h1 = g1[j]
                h2 = g2[j]
                for i in range(a + 1):
                    w = L[k, a, i]
                    u0[i] += w * h0
                    u1[i] += w * h1
                    u2[i] += w * h2
            m00 = 0.0
            m01 = 0.0
            m02 = 0.0
            m11 = 0.0
            m12 = 0.0
            m22 = 0.0
            for i in range(D):
                m00 += u0[i] * u0[i]
                m01 += u0[i] * u1[i]
                m02 += u0[i] * u2[i]
                m11 += u1[i] * u1[i]
                m12 += u1[i] * u2[i]
                m22 += u2[i] * u2[i]
            var[r, k, 0] = m00
            var[r, k, 1] = 2.0 * m01
            var[r, k, 2] = m11
            var[r, k, 3] = 2.0 * m02
            var[r, k, 4] = 2.0 * m12
            var[r, k, 5] = m22
    return mean, var


def region_coefficients_numpy(
    fm: np.ndarray, theta4: np.ndarray, sigma4: np.ndarray, full: bool
) -> tuple[np.ndarray, np.ndarray]:
    """The same closed forms with dense numpy products: theta4 (K, D), sigma4 (K, D, K, D).
    Returns (R, K, 3) and (R, K, 6), or with `full` (R, K, K, 6) for every block Sigma_kj."""
    k, d = theta4.shape
    h, r = d - 1, fm.shape[0]
    gt = np.zeros((r, d, 3))
    gt[:, :h, :] = fm
    gt[:, h, 2] = 1.0  # the bias coordinate is the constant 1
    mean_coef = np.matmul(theta4, gt)  # (R, K, 3)
    if full:
        blocks = sigma4.reshape(k * d * k, d)  # rows (k, a, j), columns b
        n_blocks = k * k
    else:
        blocks = sigma4[np.arange(k), :, np.arange(k), :].reshape(k * d, d)  # (K, D, D)
        n_blocks = k
    # Sigma_kj G_r for every block and region in one product, then G_r^T (Sigma_kj G_r).
    t = blocks @ gt.transpose(1, 0, 2).reshape(d, 3 * r)
    if full:
        t = t.reshape(k, d, k, r, 3).transpose(3, 0, 2, 4, 1).reshape(r, n_blocks, 3, d)
    else:
        t = t.reshape(k, d, r, 3).transpose(2, 0, 3, 1)  # (R, K, 3, D)
    m = np.matmul(t, gt[:, None, :, :])  # (R, blocks, 3, 3): x~^T M x~ = V
    var_coef = np.stack(
        [
            m[..., 0, 0],
            m[..., 0, 1] + m[..., 1, 0],
            m[..., 1, 1],
            m[..., 0, 2] + m[..., 2, 0],
            m[..., 1, 2] + m[..., 2, 1],
            m[..., 2, 2],
        ],
        axis=-1,
    )
    if full:
        var_coef = var_coef.reshape(r, k, k, 6)
        var_coef = 0.5 * (var_coef + var_coef.transpose(0, 2, 1, 3))
    return mean_coef, var_coef
