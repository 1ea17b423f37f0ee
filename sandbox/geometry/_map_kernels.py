"""numba kernels of a partition's per-region maps (MATH.md sections 1 and 6).

A region's feature map is its input region's pre-activation map G[g] with every neuron on its
linear piece (slope times its row, plus the piece's offset; ReLU: the rows of neurons it
switches off are zero), plus the layer's input features for a residual layer (G[g, :, n:2n]).
`_input_feature` forms one row of it (the region kernels in _kernels.py write the same
operations out inline while they cut), `feature_maps_kernel` all of them and
`output_maps_kernel` the output layer's maps on top.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def _input_feature(G, g, k, piece, first, slopes, toffs, res_prev, n_prev):
    """Row k of the input region's feature map (f0, f1, f2): the previous layer's neuron k on
    its linear piece `piece` (plus its input's row for a residual layer)."""
    f0 = G[g, 0, k]
    f1 = G[g, 1, k]
    f2 = G[g, 2, k]
    if first:
        return f0, f1, f2
    s = slopes[piece]
    t = toffs[piece]
    if s == 0.0:
        f0 = 0.0
        f1 = 0.0
        f2 = t
    elif s != 1.0:
        f0 = s * f0
        f1 = s * f1
        f2 = s * f2 + t
    elif t != 0.0:
        f2 = f2 + t
    if res_prev:
        f0 += G[g, 0, n_prev + k]
        f1 += G[g, 1, n_prev + k]
        f2 += G[g, 2, n_prev + k]
    return f0, f1, f2


@njit(cache=True, nogil=True)
def feature_maps_kernel(G, grp, pat, bit, R, n, slopes, toffs, res):
    """(R, n, 3) feature maps: region r's activations are F[r, :, :2] @ x + F[r, :, 2]; the
    map of its input region's layer with each neuron on its piece (slope times its row, plus the
    piece's offset; ReLU: the rows of neurons it switches off zero), plus the layer's input
    features for a residual layer (res)."""
    F = np.empty((R, n, 3))
    for r in range(R):
        g = grp[r]
        for i in range(n):
            f0, f1, f2 = _input_feature(G, g, i, pat[r, bit + i], False, slopes, toffs, res, n)
            F[r, i, 0] = f0
            F[r, i, 1] = f1
            F[r, i, 2] = f2
    return F


# Summed in any order (reassociation lets the sums over neurons vectorise): the output maps are
# exact to rounding like every map here, and no twin fixes their order.
@njit(cache=True, nogil=True, fastmath={"reassoc"})
def output_maps_kernel(G, grp, pat, bit, R, Wo, bo, n, slopes, toffs, res):
    """(R, K, 3) output maps Wo F_r (+ bo in the constant column), F_r as in
    feature_maps_kernel."""
    K = Wo.shape[0]
    M = np.empty((R, K, 3))
    for r in range(R):
        g = grp[r]
        for k in range(K):
            s0 = 0.0
            s1 = 0.0
            s2 = 0.0
            for i in range(n):
                p = pat[r, bit + i]
                w = Wo[k, i] * slopes[p]
                s0 += w * G[g, 0, i]
                s1 += w * G[g, 1, i]
                s2 += w * G[g, 2, i] + Wo[k, i] * toffs[p]
            if res:
                for i in range(n):
                    w = Wo[k, i]
                    s0 += w * G[g, 0, n + i]
                    s1 += w * G[g, 1, n + i]
                    s2 += w * G[g, 2, n + i]
            M[r, k, 0] = s0
            M[r, k, 1] = s1
            M[r, k, 2] = s2 + bo[k]
    return M
