"""numba kernels of the exact region algorithm (MATH.md section 1) on flat, growable arrays.

Regions of a layer live in one vertex pool with offsets. What a layer adds per region is small:
its activation bits and `grp`, the index of the input region it was cut from. The layer's affine
pre-activation map (3, n) is stored once per input region in `G` and shared by all its pieces; a
region's feature map is that map with the neurons the region switches off zeroed, and the next
layer's pull-back reads it from there. Feature and output maps per region are formed from G on
demand (`feature_maps_kernel`, `output_maps_kernel`), so a layer writes no per-region matrices.

Any piecewise-linear activation works the same way (MATH.md section 6): `pat` holds the piece
each neuron is on (0/1 for ReLU: off/on), every neuron cuts by each of its activation's
breakpoints `bps` (two lines for hardtanh, none for linear), and a neuron on piece p contributes
slopes[p] * its map + offsets[p]; ReLU's off piece (slope 0, offset 0) is skipped, so ReLU runs
the same operations as before. A residual layer (h + sigma(z)) keeps each input region's
feature map beside its pre-activation map: G[g, :, n:2n].

The kernels are pure functions of arrays and scalars, so the same call always gives the same
partition; reference.py holds a plain-Python twin with the same arithmetic in the same order, used
as the test oracle. `run_layer` cuts any range of a layer's input regions, so a layer can be split
across threads (every kernel releases the interpreter lock) and the pieces joined with
`_join_kernels.join_layer_parts`, with the same result to the bit. Status codes: 0 done, 1 region
budget exceeded, 2 memory budget exceeded, 3 work budget exceeded (the caller turns them into a
"too many regions" result).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ._layer_pass import (
    _NEED_ROWS,
    _NEED_SCRATCH_PIECES,
    _NEED_SCRATCH_VERTS,
    _NEED_VERTS,
    layer_pass,
)

STATUS_OK = 0
STATUS_TOO_MANY_REGIONS = 1
STATUS_TOO_MUCH_MEMORY = 2
STATUS_TOO_MUCH_WORK = 3


# Copies are explicit loops: numba compiles each slice assignment with its own shape check,
# which costs seconds of start-up per site.
@njit(cache=True, nogil=True)
def _copy1(dst, d0, src, s0, n):
    """dst[d0 : d0 + n] = src[s0 : s0 + n] for 1-D arrays."""
    for i in range(n):
        dst[d0 + i] = src[s0 + i]


@njit(cache=True, nogil=True)
def _copy2(dst, d0, src, s0, n):
    """Rows dst[d0 : d0 + n] = src[s0 : s0 + n] of 2-D arrays."""
    for i in range(n):
        for j in range(dst.shape[1]):
            dst[d0 + i, j] = src[s0 + i, j]


@njit(cache=True, nogil=True)
def run_layer(
    params,
    layout,
    l,
    bps,
    slopes,
    toffs,
    res_prev,
    res_cur,
    h_total,
    r_start,
    r_end,
    off,
    V,
    G,
    grp,
    pat,
    oG,
    ooff,
    oV,
    ogrp,
    opat,
    cseg,
    clay,
    cneu,
    nc,
    sv,
    sstart,
    scnt,
    sq,
    eps,
    max_regions,
    max_rows,
    work,
    max_work,
):
    """Cut input regions r_start..r_end-1 of hidden layer l (0-based) by its neurons.

    bps, slopes, toffs: the activation's breakpoints and its pieces' slopes and offsets;
    res_prev / res_cur: layer l-1 / layer l is a residual layer.
    off/V/grp/pat: the input regions (pat (R, h_total) uint8 pieces); G (groups, 3, n_prev, or
    2 n_prev after a residual layer) their groups' maps (layer 0: the identity, one group). oG
    (>= r_end, 3, n, or 2 n for a residual layer) receives the layer's map of every input region
    in the range. The output buffers (ooff, oV, ogrp, flat opat), the
    crease buffers and the scratch buffers are used in place when big enough and replaced by
    larger ones when not; output regions start at row 0, creases are appended after the first nc,
    and `work` counts on from the value given. Returns (status, regions, creases, cuts, work,
    ooff, oV, ogrp, opat, cseg, clay, cneu, sv, sstart, scnt, sq).
    """
    n = layout[l, 1]
    n_prev = layout[l, 2]
    first = l == 0
    bit = l - l  # not the literal 0 (see below)
    for j in range(l):
        bit += layout[j, 1]
    bit_prev = bit - n_prev if l > 0 else 0
    # a convex piece of the rectangle cut by h lines has at most 4 + h corners
    max_poly = 8 + h_total * max(1, bps.shape[0])
    wt = np.empty((n_prev, n))
    for i in range(n):
        for k in range(n_prev):
            wt[k, i] = params[layout[l, 0] + i * n_prev + k]
    bias = params[layout[l, 3] : layout[l, 3] + n]
    la0 = np.empty(n)
    la1 = np.empty(n)
    la2 = np.empty(n)
    kk = np.empty(n_prev, np.int64)
    F0 = np.empty(n_prev)
    F1 = np.empty(n_prev)
    F2 = np.empty(n_prev)
    cls = np.empty(n, np.int8)
    und = np.empty(n, np.int64)
    todo = np.empty(n * max(1, bps.shape[0]), np.int64)
    lines = np.zeros(n * max(1, bps.shape[0]), np.uint8)
    pvals = np.empty(max_poly)
    sg = np.empty(max_poly, np.int8)
    tmp = np.empty((max_poly, 2))
    cx = np.empty(max_poly)
    cy = np.empty(max_poly)

    # buffers of one group come from separate pools: a group is only used as is when all its
    # members are big enough
    if not (cseg.shape[0] == clay.shape[0] == cneu.shape[0] >= max(1024, nc + 1)):
        cap = max(1024, 2 * nc)
        cseg2 = np.empty((cap, 4))
        _copy2(cseg2, 0, cseg, 0, nc)
        clay2 = np.empty(cap, np.int32)
        _copy1(clay2, 0, clay, 0, nc)
        cneu2 = np.empty(cap, np.int32)
        _copy1(cneu2, 0, cneu, 0, nc)
        cseg = cseg2
        clay = clay2
        cneu = cneu2
    scap = sstart.shape[0]
    if not (scnt.shape[0] == scap >= 256 and sq.shape[0] >= scap * n):
        scap = 256
        sstart = np.empty(scap, np.int64)
        scnt = np.empty(scap, np.int64)
        sq = np.empty(scap * n, np.uint8)
    if sv.shape[0] < 64 * max_poly:
        sv = np.empty((64 * max_poly, 2))
    n_in = r_end - r_start
    ocap = min(ooff.shape[0] - 1, ogrp.shape[0], opat.shape[0] // h_total)
    want = min(max(2 * n_in, 16), max_rows)
    if ocap < want:
        ocap = want
        ooff = np.empty(ocap + 1, np.int64)
        ogrp = np.empty(ocap, np.int64)
        opat = np.empty(ocap * h_total, np.uint8)
    ocap = min(ocap, max_rows)
    nv_in = off[r_end] - off[r_start]
    if oV.shape[0] < max(2 * nv_in, 64):
        oV = np.empty((max(2 * nv_in, 64), 2))

    ooff[0] = 0
    # not the literal 0: numba would compile the pass twice (once for the literal)
    oR = r_start - r_start
    cuts = oR
    r = r_start
    status = 0
    while True:
        code, r, oR, nc, cuts, work, need = layer_pass(
            wt,
            bias,
            bps,
            slopes,
            toffs,
            res_prev,
            res_cur,
            first,
            bit_prev,
            bit,
            l + 1,
            r_end,
            off,
            V,
            G,
            grp,
            pat,
            oG,
            r,
            oR,
            ooff,
            oV,
            ogrp[:ocap],
            opat[: ocap * h_total].reshape((ocap, h_total)),
            cseg,
            clay,
            cneu,
            nc,
            sv,
            sstart,
            scnt,
            sq[: scap * n].reshape((scap, n)),
            la0,
            la1,
            la2,
            kk,
            F0,
            F1,
            F2,
            cls,
            und,
            todo,
            lines,
            pvals,
            sg,
            tmp,
            cx,
            cy,
            eps,
            max_regions,
            cuts,
            work,
            max_work,
        )
        if code < _NEED_SCRATCH_VERTS:
            status = code
            break
        # scratch content is rebuilt when the pass resumes; outputs are kept
        if code == _NEED_SCRATCH_VERTS:
            sv = np.empty((max(need, 2 * sv.shape[0]), 2))
        elif code == _NEED_SCRATCH_PIECES:
            scap = max(need, 2 * scap)
            sstart = np.empty(scap, np.int64)
            scnt = np.empty(scap, np.int64)
            sq = np.empty(scap * n, np.uint8)
        elif code == _NEED_ROWS:
            cap = min(max(need, 2 * ocap), max_rows)
            if cap < need:
                status = STATUS_TOO_MUCH_MEMORY
                break
            ooff2 = np.empty(cap + 1, np.int64)
            _copy1(ooff2, 0, ooff, 0, oR + 1)
            ogrp2 = np.empty(cap, np.int64)
            _copy1(ogrp2, 0, ogrp, 0, oR)
            op2 = np.empty(cap * h_total, np.uint8)
            _copy1(op2, 0, opat, 0, oR * h_total)
            ooff = ooff2
            ogrp = ogrp2
            opat = op2
            ocap = cap
        elif code == _NEED_VERTS:
            oV2 = np.empty((max(need, 2 * oV.shape[0]), 2))
            _copy2(oV2, 0, oV, 0, ooff[oR])
            oV = oV2
        else:
            cap = max(need, 2 * cseg.shape[0])
            cseg2 = np.empty((cap, 4))
            _copy2(cseg2, 0, cseg, 0, nc)
            clay2 = np.empty(cap, np.int32)
            _copy1(clay2, 0, clay, 0, nc)
            cneu2 = np.empty(cap, np.int32)
            _copy1(cneu2, 0, cneu, 0, nc)
            cseg = cseg2
            clay = clay2
            cneu = cneu2
    return (
        status, oR, nc, cuts, work,
        ooff, oV, ogrp, opat, cseg, clay, cneu, sv, sstart, scnt, sq,
    )  # fmt: skip
