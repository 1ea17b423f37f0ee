"""The dense layers of the training kernel: forward pass, weight gradients and backpropagation.

Each is register-blocked by hand over a feature-major work array (one row of contiguous
per-sample values per neuron), so the innermost loops run over the samples with unit stride and
vectorise. Used by the fused training steps in kernels.py; sandbox.nn.reference is their
plain-numpy twin.
"""

from __future__ import annotations

import numpy as np
from numba import njit

# Reassociation lets the batch reductions (weight gradients, loss) vectorise; contraction allows
# FMA. No nnan/ninf: the divergence checks must see infinities and NaNs.
FASTMATH = {"reassoc", "contract", "nsz"}


# The dense layers below are register-blocked by hand: four output rows and four inputs per pass
# over the batch, so each loaded batch vector feeds sixteen FMAs and the innermost loop (over the
# batch, unit stride) vectorises. Widths that are not multiples of four are padded inside a
# block: missing inputs get weight 0 (adding 0 * x changes no sum), missing output rows write to
# spare rows of the work array. The first pass of a block starts from the bias and the last one
# applies the ReLU, so every output row is written exactly ceil(n_in / 4) times.


@njit(cache=True, nogil=True, error_model="numpy")
def _w(W, j, i):
    if j < W.shape[0] and i < W.shape[1]:
        return W[j, i]
    return 0.0


@njit(cache=True, nogil=True, fastmath=FASTMATH, error_model="numpy")
def _dense_forward(W, b, H, Z, relu, spare):
    """Z = W H + b (columns are samples), then ReLU when relu; spare: 3 rows of scratch."""
    n_out, n_in = W.shape
    for j in range(0, n_out, 4):
        z0 = Z[j]
        z1 = Z[j + 1] if j + 1 < Z.shape[0] else spare[0]
        z2 = Z[j + 2] if j + 2 < Z.shape[0] else spare[1]
        z3 = Z[j + 3] if j + 3 < Z.shape[0] else spare[2]
        b0 = b[j]
        b1 = b[j + 1] if j + 1 < n_out else 0.0
        b2 = b[j + 2] if j + 2 < n_out else 0.0
        b3 = b[j + 3] if j + 3 < n_out else 0.0
        for i in range(0, n_in, 4):
            h0 = H[i]
            h1 = H[i + 1] if i + 1 < H.shape[0] else h0
            h2 = H[i + 2] if i + 2 < H.shape[0] else h0
            h3 = H[i + 3] if i + 3 < H.shape[0] else h0
            a0, a1, a2, a3 = _w(W, j, i), _w(W, j, i + 1), _w(W, j, i + 2), _w(W, j, i + 3)
            c0, c1, c2, c3 = (
                _w(W, j + 1, i),
                _w(W, j + 1, i + 1),
                _w(W, j + 1, i + 2),
                _w(W, j + 1, i + 3),
            )
            e0, e1, e2, e3 = (
                _w(W, j + 2, i),
                _w(W, j + 2, i + 1),
                _w(W, j + 2, i + 2),
                _w(W, j + 2, i + 3),
            )
            g0, g1, g2, g3 = (
                _w(W, j + 3, i),
                _w(W, j + 3, i + 1),
                _w(W, j + 3, i + 2),
                _w(W, j + 3, i + 3),
            )
            # max(x, -inf) is the identity: the ReLU costs nothing extra on the last pass
            lo = 0.0 if (relu and i + 4 >= n_in) else -np.inf
            if i == 0:
                for n in range(z0.shape[0]):
                    x0, x1, x2, x3 = h0[n], h1[n], h2[n], h3[n]
                    z0[n] = max(b0 + a0 * x0 + a1 * x1 + a2 * x2 + a3 * x3, lo)
                    z1[n] = max(b1 + c0 * x0 + c1 * x1 + c2 * x2 + c3 * x3, lo)
                    z2[n] = max(b2 + e0 * x0 + e1 * x1 + e2 * x2 + e3 * x3, lo)
                    z3[n] = max(b3 + g0 * x0 + g1 * x1 + g2 * x2 + g3 * x3, lo)
            else:
                for n in range(z0.shape[0]):
                    x0, x1, x2, x3 = h0[n], h1[n], h2[n], h3[n]
                    z0[n] = max(z0[n] + a0 * x0 + a1 * x1 + a2 * x2 + a3 * x3, lo)
                    z1[n] = max(z1[n] + c0 * x0 + c1 * x1 + c2 * x2 + c3 * x3, lo)
                    z2[n] = max(z2[n] + e0 * x0 + e1 * x1 + e2 * x2 + e3 * x3, lo)
                    z3[n] = max(z3[n] + g0 * x0 + g1 * x1 + g2 * x2 + g3 * x3, lo)


@njit(cache=True, nogil=True, fastmath=FASTMATH, error_model="numpy")
def _dense_grad(DZ, H, gW, gb, accumulate):
    """gW = DZ H^T and gb = row sums of DZ (sums over the batch); added to gW, gb when
    accumulate (the later chunks of a batch)."""
    n_out, n_in = gW.shape
    for j in range(0, n_out, 4):
        d0 = DZ[j]
        d1 = DZ[j + 1] if j + 1 < n_out else d0
        d2 = DZ[j + 2] if j + 2 < n_out else d0
        d3 = DZ[j + 3] if j + 3 < n_out else d0
        t0 = t1 = t2 = t3 = 0.0
        for n in range(d0.shape[0]):
            t0 += d0[n]
            t1 += d1[n]
            t2 += d2[n]
            t3 += d3[n]
        _store4(gb, 0, j, t0, t1, t2, t3, accumulate)
        for i in range(0, n_in, 4):
            h0 = H[i]
            h1 = H[i + 1] if i + 1 < n_in else h0
            h2 = H[i + 2] if i + 2 < n_in else h0
            h3 = H[i + 3] if i + 3 < n_in else h0
            s00 = s01 = s02 = s03 = 0.0
            s10 = s11 = s12 = s13 = 0.0
            s20 = s21 = s22 = s23 = 0.0
            s30 = s31 = s32 = s33 = 0.0
            for n in range(d0.shape[0]):
                x0, x1, x2, x3 = h0[n], h1[n], h2[n], h3[n]
                y0, y1, y2, y3 = d0[n], d1[n], d2[n], d3[n]
                s00 += y0 * x0
                s01 += y0 * x1
                s02 += y0 * x2
                s03 += y0 * x3
                s10 += y1 * x0
                s11 += y1 * x1
                s12 += y1 * x2
                s13 += y1 * x3
                s20 += y2 * x0
                s21 += y2 * x1
                s22 += y2 * x2
                s23 += y2 * x3
                s30 += y3 * x0
                s31 += y3 * x1
                s32 += y3 * x2
                s33 += y3 * x3
            _store4(gW, j, i, s00, s01, s02, s03, accumulate)
            _store4(gW, j + 1, i, s10, s11, s12, s13, accumulate)
            _store4(gW, j + 2, i, s20, s21, s22, s23, accumulate)
            _store4(gW, j + 3, i, s30, s31, s32, s33, accumulate)


@njit(cache=True, nogil=True, error_model="numpy")
def _store4(G, j, i, s0, s1, s2, s3, accumulate):
    """G[j, i:i+4] = s0..s3 (or += when accumulate), skipping entries outside G (padding)."""
    if j < G.shape[0]:
        n_in = G.shape[1]
        if accumulate:
            s0 += G[j, i]
            s1 += G[j, i + 1] if i + 1 < n_in else 0.0
            s2 += G[j, i + 2] if i + 2 < n_in else 0.0
            s3 += G[j, i + 3] if i + 3 < n_in else 0.0
        G[j, i] = s0
        if i + 1 < n_in:
            G[j, i + 1] = s1
        if i + 2 < n_in:
            G[j, i + 2] = s2
        if i + 3 < n_in:
            G[j, i + 3] = s3


@njit(cache=True, nogil=True, fastmath=FASTMATH, error_model="numpy")
def _dense_backprop(W, DZ, H, DH, spare, thr):
    """DH = W^T DZ, zeroed where the layer input H is not above thr.

    With thr = 0 and H the output of a ReLU layer, H > 0 exactly where the pre-activation was
    > 0, so this applies ReLU'(z) with ReLU'(0) = 0. With thr = -inf it is plain W^T DZ (other
    activations apply their derivative afterwards, see act_kernels.py).
    """
    n_out, n_in = W.shape
    for i in range(0, n_in, 4):
        o0 = DH[i]
        o1 = DH[i + 1] if i + 1 < DH.shape[0] else spare[0]
        o2 = DH[i + 2] if i + 2 < DH.shape[0] else spare[1]
        o3 = DH[i + 3] if i + 3 < DH.shape[0] else spare[2]
        h0 = H[i]
        h1 = H[i + 1] if i + 1 < H.shape[0] else h0
        h2 = H[i + 2] if i + 2 < H.shape[0] else h0
        h3 = H[i + 3] if i + 3 < H.shape[0] else h0
        for j in range(0, n_out, 4):
            d0 = DZ[j]
            d1 = DZ[j + 1] if j + 1 < DZ.shape[0] else d0
            d2 = DZ[j + 2] if j + 2 < DZ.shape[0] else d0
            d3 = DZ[j + 3] if j + 3 < DZ.shape[0] else d0
            a0, a1, a2, a3 = _w(W, j, i), _w(W, j + 1, i), _w(W, j + 2, i), _w(W, j + 3, i)
            c0, c1, c2, c3 = (
                _w(W, j, i + 1),
                _w(W, j + 1, i + 1),
                _w(W, j + 2, i + 1),
                _w(W, j + 3, i + 1),
            )
            e0, e1, e2, e3 = (
                _w(W, j, i + 2),
                _w(W, j + 1, i + 2),
                _w(W, j + 2, i + 2),
                _w(W, j + 3, i + 2),
            )
            g0, g1, g2, g3 = (
                _w(W, j, i + 3),
                _w(W, j + 1, i + 3),
                _w(W, j + 2, i + 3),
                _w(W, j + 3, i + 3),
            )
            first = j == 0
            last = j + 4 >= n_out
            if first and last:
                for n in range(o0.shape[0]):
                    y0, y1, y2, y3 = d0[n], d1[n], d2[n], d3[n]
                    s0 = a0 * y0 + a1 * y1 + a2 * y2 + a3 * y3
                    s1 = c0 * y0 + c1 * y1 + c2 * y2 + c3 * y3
                    s2 = e0 * y0 + e1 * y1 + e2 * y2 + e3 * y3
                    s3 = g0 * y0 + g1 * y1 + g2 * y2 + g3 * y3
                    o0[n] = s0 if h0[n] > thr else 0.0
                    o1[n] = s1 if h1[n] > thr else 0.0
                    o2[n] = s2 if h2[n] > thr else 0.0
                    o3[n] = s3 if h3[n] > thr else 0.0
            elif first:
                for n in range(o0.shape[0]):
                    y0, y1, y2, y3 = d0[n], d1[n], d2[n], d3[n]
                    o0[n] = a0 * y0 + a1 * y1 + a2 * y2 + a3 * y3
                    o1[n] = c0 * y0 + c1 * y1 + c2 * y2 + c3 * y3
                    o2[n] = e0 * y0 + e1 * y1 + e2 * y2 + e3 * y3
                    o3[n] = g0 * y0 + g1 * y1 + g2 * y2 + g3 * y3
            elif last:
                for n in range(o0.shape[0]):
                    y0, y1, y2, y3 = d0[n], d1[n], d2[n], d3[n]
                    s0 = o0[n] + a0 * y0 + a1 * y1 + a2 * y2 + a3 * y3
                    s1 = o1[n] + c0 * y0 + c1 * y1 + c2 * y2 + c3 * y3
                    s2 = o2[n] + e0 * y0 + e1 * y1 + e2 * y2 + e3 * y3
                    s3 = o3[n] + g0 * y0 + g1 * y1 + g2 * y2 + g3 * y3
                    o0[n] = s0 if h0[n] > thr else 0.0
                    o1[n] = s1 if h1[n] > thr else 0.0
                    o2[n] = s2 if h2[n] > thr else 0.0
                    o3[n] = s3 if h3[n] > thr else 0.0
            else:
                for n in range(o0.shape[0]):
                    y0, y1, y2, y3 = d0[n], d1[n], d2[n], d3[n]
                    o0[n] = o0[n] + a0 * y0 + a1 * y1 + a2 * y2 + a3 * y3
                    o1[n] = o1[n] + c0 * y0 + c1 * y1 + c2 * y2 + c3 * y3
                    o2[n] = o2[n] + e0 * y0 + e1 * y1 + e2 * y2 + e3 * y3
                    o3[n] = o3[n] + g0 * y0 + g1 * y1 + g2 * y2 + g3 * y3
