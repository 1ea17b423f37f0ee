"""numba kernel that joins the two halves of a layer cut on two threads (see _cutting.py).

`join_layer_parts` appends part 1 (the later input regions) to part 0 in place when part 0's
buffers are big enough, growing them otherwise, so the joined layer is the same to the bit as
one pass over all input regions. This module also owns the copy and growth helpers of the
growable buffers, which the region kernels (_kernels.py) use too.
"""

from __future__ import annotations

import numpy as np
from numba import njit


# Explicit loops: numba compiles each slice assignment with a shape check (seconds of start-up).
# The indices are unsigned: a signed index gets a wrap-around test for negative values, which
# keeps LLVM from vectorising the loop (1.5 MB of patterns: 2.0 ms signed, 0.05 ms unsigned).
@njit(cache=True, nogil=True)
def _copy1(dst, d0, src, s0, n):
    """dst[d0 : d0 + n] = src[s0 : s0 + n] for 1-D arrays."""
    for i in range(n):
        dst[np.uint64(d0 + i)] = src[np.uint64(s0 + i)]


@njit(cache=True, nogil=True)
def _copy2(dst, d0, src, s0, n):
    """Rows dst[d0 : d0 + n] = src[s0 : s0 + n] of 2-D arrays."""
    for i in range(n):
        for j in range(dst.shape[1]):
            dst[np.uint64(d0 + i), np.uint64(j)] = src[np.uint64(s0 + i), np.uint64(j)]


@njit(cache=True, nogil=True)
def _grow_creases(cseg, clay, cneu, nc, cap):
    """Crease buffers of `cap` rows holding the first nc of the given ones."""
    cseg2 = np.empty((cap, 4))
    _copy2(cseg2, 0, cseg, 0, nc)
    clay2 = np.empty(cap, np.int32)
    _copy1(clay2, 0, clay, 0, nc)
    cneu2 = np.empty(cap, np.int32)
    _copy1(cneu2, 0, cneu, 0, nc)
    return cseg2, clay2, cneu2


@njit(cache=True, nogil=True)
def join_layer_parts(
    n_part0, nc0, off0, V0, grp0, pat0, par0, cs0, cl0, cn0,
    n_part1, nc1, off1, V1, grp1, pat1, par1, cs1, cl1, cn1,
    h_total, cap_rows, cap_creases,
):  # fmt: skip
    """Append part 1 of a layer (cut from the later input regions) to part 0, in place when part
    0's buffers are big enough (part 1's parent rows move with it). Returns (off, V, grp, pat,
    par, cseg, clay, cneu) of the whole layer."""
    R = n_part0 + n_part1
    nv0 = off0[n_part0]
    nv = nv0 + off1[n_part1]
    if (
        off0.shape[0] < R + 1
        or grp0.shape[0] < R
        or pat0.shape[0] < R * h_total
        or par0.shape[0] < R
    ):
        cap = max(R, cap_rows)
        o = np.empty(cap + 1, np.int64)
        _copy1(o, 0, off0, 0, n_part0 + 1)
        g = np.empty(cap, np.int64)
        _copy1(g, 0, grp0, 0, n_part0)
        p = np.empty(cap * h_total, np.uint8)
        _copy1(p, 0, pat0, 0, n_part0 * h_total)
        q = np.empty(cap, np.int64)
        _copy1(q, 0, par0, 0, n_part0)
        off0, grp0, pat0, par0 = o, g, p, q
    if V0.shape[0] < nv:
        v = np.empty((max(nv, 2 * V0.shape[0]), 2))
        _copy2(v, 0, V0, 0, nv0)
        V0 = v
    C = nc0 + nc1
    if cs0.shape[0] < C:
        cs0, cl0, cn0 = _grow_creases(cs0, cl0, cn0, nc0, max(C, cap_creases))
    for r in range(n_part1):
        off0[n_part0 + 1 + r] = off1[r + 1] + nv0
        grp0[n_part0 + r] = grp1[r]
        par0[n_part0 + r] = par1[r] + n_part0 if par1[r] >= 0 else -1
    _copy1(pat0, n_part0 * h_total, pat1, 0, n_part1 * h_total)
    _copy2(V0, nv0, V1, 0, nv - nv0)
    _copy2(cs0, nc0, cs1, 0, nc1)
    _copy1(cl0, nc0, cl1, 0, nc1)
    _copy1(cn0, nc0, cn1, 0, nc1)
    return off0, V0, grp0, pat0, par0, cs0, cl0, cn0
