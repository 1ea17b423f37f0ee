"""numba kernels of a partition's per-region maps (MATH.md sections 1 and 6).

A region's feature map is its input region's pre-activation map G[g] with every neuron on its
linear piece (slope times its row, plus the piece's offset; ReLU: the rows of neurons it
switches off are zero), plus the layer's input features for a residual layer. The last layer's
maps hold no input features (_cutting.cut_layers): those of input region g are the previous
layer's map Gp[grpp[g]] on g's pieces (plus, after a residual layer, its own input features,
Gp[grpp[g], :, n:2n]), formed here once per input region. `feature_maps_kernel`
forms the feature maps and `output_maps_kernel` the output layer's maps on top (for a residual
last layer with the output weights times those features, which the layer pass sums beside the
layer's own pull-back: G[g, :, n:n + K]). A row on its
piece is s f + (z, z, c) with no branch, as in the layer pass (_piece_adds): the same
bits as reference._on_piece's branches, and no mispredicted branch per row. Pattern columns are
indexed unsigned (no wrap-around test, so the sums over neurons vectorise: the output maps of
[64]^3 in 2.0 ms instead of 3.3).
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def _piece_adds(slopes, toffs):
    """Per piece p, z[p] and c[p] such that (s f0 + z, s f1 + z, s f2 + c) equals to the bit what
    reference._on_piece's branches give: (0, 0, t) for slope s = 0, (f0, f1, f2 [+ t])
    for s = 1, (s f0, s f1, s f2 + t) otherwise. As x + (-0.0) is x for every x and 0 x + 0.0 is
    +0.0, z is +0.0 for s = 0 and -0.0 otherwise; c is t, or -0.0 for s = 1 with no offset."""
    m = slopes.shape[0]
    z = np.empty(m)
    c = np.empty(m)
    for p in range(m):
        z[p] = 0.0 if slopes[p] == 0.0 else -0.0
        c[p] = -0.0 if slopes[p] == 1.0 and toffs[p] == 0.0 else toffs[p]
    return z, c


@njit(cache=True, nogil=True)
def feature_maps_kernel(
    G, grp, pat, bit, R, n, slopes, toffs, res, Gp, grpp, bitp, firstp, Gs, grs, s_bit, s_mode
):  # fmt: skip
    """(R, n, 3) feature maps: region r's activations are F[r, :, :2] @ x + F[r, :, 2]; the
    map of its input region's layer with each neuron on its piece (slope times its row, plus the
    piece's offset; ReLU: the rows of neurons it switches off zero), plus for a residual layer
    (res) the layer's input features, formed from the previous layer's maps Gp and groups grpp
    (bits bitp.., firstp: that layer is the first) and after a residual layer those maps' own
    input features (Gs, grs, s_bit, s_mode as in _kernels.run_layer)."""
    F = np.empty((R, n, 3))
    zadd, cadd = _piece_adds(slopes, toffs)
    H = np.zeros((3, n))
    hg = -1
    for r in range(R):
        g = grp[r]
        if res and g != hg:
            hg = g
            gp = grpp[g]
            gs = grs[gp] if s_mode == 2 else 0
            # H (3, n): the layer's input features on g, the previous layer's map Gp[gp] on
            # r's pieces of that layer (as it is for the first layer), plus after a residual
            # layer that layer's own input features: stored in Gp[gp, :, n:] (s_mode 1), or
            # Gs[gs] on the pieces of the layer before (bits s_bit..; 2); the layer pass's
            # operations (branch-free, see _piece_adds)
            for k in range(n):
                f0 = Gp[gp, 0, k]
                f1 = Gp[gp, 1, k]
                f2 = Gp[gp, 2, k]
                if not firstp:
                    p = pat[r, np.uint64(bitp + k)]
                    s = slopes[p]
                    f0 = s * f0 + zadd[p]
                    f1 = s * f1 + zadd[p]
                    f2 = s * f2 + cadd[p]
                if s_mode == 1:
                    f0 += Gp[gp, 0, n + k]
                    f1 += Gp[gp, 1, n + k]
                    f2 += Gp[gp, 2, n + k]
                elif s_mode == 2:
                    p = pat[r, np.uint64(s_bit + k)]
                    s = slopes[p]
                    f0 += s * Gs[gs, 0, k] + zadd[p]
                    f1 += s * Gs[gs, 1, k] + zadd[p]
                    f2 += s * Gs[gs, 2, k] + cadd[p]
                H[0, k] = f0
                H[1, k] = f1
                H[2, k] = f2
        for i in range(n):
            p = pat[r, np.uint64(bit + i)]
            s = slopes[p]
            f0 = s * G[g, 0, i] + zadd[p]
            f1 = s * G[g, 1, i] + zadd[p]
            f2 = s * G[g, 2, i] + cadd[p]
            if res:
                f0 += H[0, i]
                f1 += H[1, i]
                f2 += H[2, i]
            F[r, i, 0] = f0
            F[r, i, 1] = f1
            F[r, i, 2] = f2
    return F


# Summed in any order (reassociation lets the sums over neurons vectorise): the output maps are
# exact to rounding like every map here, and no twin fixes their order.
@njit(cache=True, nogil=True, fastmath={"reassoc"})
def output_maps_kernel(G, grp, pat, bit, r0, r1, Wo, bo, n, slopes, toffs, res, M):
    """Rows r0..r1-1 of M (R, K, 3), the output maps Wo F_r (+ bo in the constant column), F_r as
    in feature_maps_kernel; for a residual layer (res) G[g, :, n + k] is Wo[k] times the input
    features of input region g (the layer pass sums it with the layer's pull-back). Each row on
    its own: ranges may be formed on different threads."""
    K = Wo.shape[0]
    for r in range(r0, r1):
        g = grp[r]
        for k in range(K):
            s0 = 0.0
            s1 = 0.0
            s2 = 0.0
            for i in range(n):
                p = pat[r, np.uint64(bit + i)]
                w = Wo[k, i] * slopes[p]
                s0 += w * G[g, 0, i]
                s1 += w * G[g, 1, i]
                s2 += w * G[g, 2, i] + Wo[k, i] * toffs[p]
            if res:
                s0 += G[g, 0, n + k]
                s1 += G[g, 1, n + k]
                s2 += G[g, 2, n + k]
            M[r, k, 0] = s0
            M[r, k, 1] = s1
            M[r, k, 2] = s2 + bo[k]
