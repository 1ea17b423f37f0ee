"""numba kernel that cuts a range of one layer's input regions by its neurons (MATH.md 1 and 6).

`layer_pass` is the loop over input regions of _kernels.run_layer. Per input region it pulls the
layer's neurons back to input space (one line per neuron and breakpoint), settles the lines that
miss the region, cuts the region's pieces by the others in order (Sutherland-Hodgman, recording
crease chords) and emits the pieces. Everything is written out in one function on arrays passed
in, with no calls and no arrays chosen at run time: numba then does no reference counting per
region. The arithmetic is the reference twin's (reference.py), operation for operation, so the
result is the same to the bit; where a step is shortened (rows summed four at a time, lines
settled by a bounding-box test) its comment says why the result cannot change.
"""

from __future__ import annotations

import numpy as np
from numba import njit

# Codes returned by layer_pass when a buffer is full; the caller grows it and resumes at the
# region where the pass stopped (that region's partial output is discarded).
_NEED_SCRATCH_VERTS = 10
_NEED_SCRATCH_PIECES = 11
_NEED_ROWS = 12
_NEED_VERTS = 13
_NEED_CREASES = 14

# Rounding slack of the bounding-box test, relative to the size S of the terms: the box bound,
# the centre and half-widths computed in floating point and each vertex's value differ from exact
# arithmetic by a few units of 2^-53 times S (about 1e-15 S); 1e-13 S covers them many times over.
BOX_SLACK = 1e-13


@njit(cache=True, nogil=True)
def layer_pass(
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
    layer_no,
    r_end,
    off,
    V,
    G,
    grp,
    pat,
    oG,
    r_start,
    oR,
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
):
    """Cut input regions r_start..r_end-1 by one layer's n neurons (MATH.md section 1, step 2).

    Writes the layer's pre-activation map of input region r to oG[r] (and for a residual layer
    the region's input feature map to oG[r, :, n:]) and its pieces to the output rows from oR on.
    Every array is an argument and is never rebound here: numba then keeps
    reference counting out of the loops, which otherwise costs more than the geometry. Returns
    (code, r, oR, nc, cuts, work, need): code 0 when all regions are done, a status code (1, 3)
    when a budget is exceeded, or a _NEED_* code with `need` the size asked for, to resume at r.
    """
    n_prev = wt.shape[0]
    n = wt.shape[1]
    nbp = bps.shape[0]
    plain = nbp == 1 and bps[0] == 0.0
    plain = plain and not (res_prev or res_cur) and slopes[0] == 0.0 and slopes[1] == 1.0
    plain = plain and toffs[0] == 0.0 and toffs[1] == 0.0
    h_total = opat.shape[1]
    svcap = sv.shape[0]
    scap = sstart.shape[0]
    ocap = ogrp.shape[0]
    ovcap = oV.shape[0]
    ccap = cseg.shape[0]
    for r in range(r_start, r_end):
        nc0 = nc
        cuts0 = cuts
        # Pull the layer's neurons back to input space: line i is W_i F_r (+ b_i), F_r the input
        # region's map G[grp[r]] on each neuron's piece (ReLU: its switched-off rows zero). The
        # rows that are not zero are gathered first, then added four at a time, each neuron's
        # sum still running over them in order (the same operations as one row at a time).
        g = grp[r]
        na = 0
        if plain:  # ReLU: an off neuron adds nothing, an on one its map as it is
            if first:
                for k in range(n_prev):
                    kk[k] = k
                na = n_prev
            else:
                for k in range(n_prev):
                    kk[na] = k
                    na += pat[r, np.uint64(bit_prev + k)]
            nb = na
            na = 0
            for j in range(nb):
                k = kk[j]
                f0 = G[g, 0, k]
                f1 = G[g, 1, k]
                f2 = G[g, 2, k]
                kk[na] = k
                F0[na] = f0
                F1[na] = f1
                F2[na] = f2
                na += (f0 != 0.0) | (f1 != 0.0) | (f2 != 0.0)
        else:
            for k in range(n_prev):
                f0 = G[g, 0, k]
                f1 = G[g, 1, k]
                f2 = G[g, 2, k]
                if not first:  # the neuron's piece, as _map_kernels._input_feature
                    piece = pat[r, np.uint64(bit_prev + k)]
                    slope = slopes[piece]
                    toff = toffs[piece]
                    if slope == 0.0:
                        f0 = 0.0
                        f1 = 0.0
                        f2 = toff
                    elif slope != 1.0:
                        f0 = slope * f0
                        f1 = slope * f1
                        f2 = slope * f2 + toff
                    elif toff != 0.0:
                        f2 = f2 + toff
                    if res_prev:
                        f0 += G[g, 0, n_prev + k]
                        f1 += G[g, 1, n_prev + k]
                        f2 += G[g, 2, n_prev + k]
                if res_cur:
                    oG[r, 0, n + k] = f0
                    oG[r, 1, n + k] = f1
                    oG[r, 2, n + k] = f2
                kk[na] = k
                F0[na] = f0
                F1[na] = f1
                F2[na] = f2
                na += (f0 != 0.0) | (f1 != 0.0) | (f2 != 0.0)
        for i in range(n):
            la0[i] = 0.0
            la1[i] = 0.0
            la2[i] = 0.0
        j = 0
        while j + 4 <= na:
            k1 = kk[j]
            k2 = kk[j + 1]
            k3 = kk[j + 2]
            k4 = kk[j + 3]
            fa = F0[j]
            fb = F0[j + 1]
            fc = F0[j + 2]
            fd = F0[j + 3]
            for i in range(n):
                acc = ((la0[i] + wt[k1, i] * fa) + wt[k2, i] * fb) + wt[k3, i] * fc
                la0[i] = acc + wt[k4, i] * fd
            fa = F1[j]
            fb = F1[j + 1]
            fc = F1[j + 2]
            fd = F1[j + 3]
            for i in range(n):
                acc = ((la1[i] + wt[k1, i] * fa) + wt[k2, i] * fb) + wt[k3, i] * fc
                la1[i] = acc + wt[k4, i] * fd
            fa = F2[j]
            fb = F2[j + 1]
            fc = F2[j + 2]
            fd = F2[j + 3]
            for i in range(n):
                acc = ((la2[i] + wt[k1, i] * fa) + wt[k2, i] * fb) + wt[k3, i] * fc
                la2[i] = acc + wt[k4, i] * fd
            j += 4
        while j < na:
            k = kk[j]
            f0 = F0[j]
            f1 = F1[j]
            f2 = F2[j]
            for i in range(n):
                w = wt[k, i]
                la0[i] += w * f0
                la1[i] += w * f1
                la2[i] += w * f2
            j += 1
        for i in range(n):
            la2[i] += bias[i]
            oG[r, 0, i] = la0[i]
            oG[r, 1, i] = la1[i]
            oG[r, 2, i] = la2[i]
        work += n * na
        # Settle the lines that miss the region: neuron i at breakpoint kb is line i * nbp + kb,
        # value v - bps[kb]. A line with the input region strictly on its positive side sets
        # sq[0, i] = kb + 1 (inherited by every piece, since all descend from piece 0), one
        # strictly on its negative side changes nothing; the others cut piece by piece, in order.
        # A vertex's value v counts as zero when |v| <= tol = eps * max(1, max over the vertices
        # of |a0 x| + |a1 y| + |c|) (c = la2 - bp). With X, Y the largest |x|, |y| on the region,
        # S = |a0| X + |a1| Y + |c| bounds every such sum, so tol <= eps * max(1, S): when the
        # line's value at the bounding box's centre is farther from zero than its spread over the
        # box plus that bound and the rounding slack, every vertex is on that side beyond tol.
        # That decides most neurons with no loop over the vertices, and only where the vertex
        # test would give the same answer; the others get the vertex test (MATH.md section 1).
        p0 = off[r]
        m = off[r + 1] - p0
        x = V[p0, 0]
        y = V[p0, 1]
        xmin = x
        xmax = x
        ymin = y
        ymax = y
        for k in range(1, m):
            x = V[p0 + k, 0]
            y = V[p0 + k, 1]
            xmin = min(xmin, x)
            xmax = max(xmax, x)
            ymin = min(ymin, y)
            ymax = max(ymax, y)
        X = max(abs(xmin), abs(xmax))
        Y = max(abs(ymin), abs(ymax))
        bx = (xmin + xmax) * 0.5
        by = (ymin + ymax) * 0.5
        rx = (xmax - xmin) * 0.5
        ry = (ymax - ymin) * 0.5
        for i in range(n):
            sq[0, i] = 0
        for kb in range(nbp):
            bp = bps[kb]
            for i in range(n):
                a0 = la0[i]
                a1 = la1[i]
                cc = la2[i] - bp
                b0 = abs(a0)
                b1 = abs(a1)
                S = b0 * X + b1 * Y + abs(cc)
                marg = eps * max(1.0, S) + BOX_SLACK * S
                vc = a0 * bx + a1 * by + cc
                sp = b0 * rx + b1 * ry
                cls[i] = np.int8(vc - sp > marg) + np.int8(2) * np.int8(vc + sp < -marg)
            nu = 0
            on = np.uint8(kb + 1)
            for i in range(n):
                ci = cls[i]
                if ci == 1:
                    sq[0, i] = on
                und[nu] = i
                nu += ci == 0
            for u in range(nu):
                i = und[u]
                a0 = la0[i]
                a1 = la1[i]
                cc = la2[i] - bp
                tol = 1.0
                for k in range(m):
                    mag = abs(a0 * V[p0 + k, 0]) + abs(a1 * V[p0 + k, 1]) + abs(cc)
                    tol = mag if mag > tol else tol
                tol *= eps
                ip = 0
                ineg = 0
                for k in range(m):
                    v = a0 * V[p0 + k, 0] + a1 * V[p0 + k, 1] + cc
                    ip += 1 if v > tol else 0
                    ineg += 1 if v < -tol else 0
                if ip == 0 and ineg == 0:
                    continue
                if m - ip - ineg < 2:
                    if ineg == 0:
                        sq[0, i] = on
                        continue
                    if ip == 0:
                        continue
                lines[i * nbp + kb] = 1
            work += n * m
        nt = 0
        for j in range(n * nbp):
            if lines[j] != 0:
                lines[j] = 0
                todo[nt] = j
                nt += 1
        for k in range(m):
            sv[k, 0] = V[p0 + k, 0]
            sv[k, 1] = V[p0 + k, 1]
        svn = m
        ns = 1
        sstart[0] = 0
        scnt[0] = m
        code = 0
        need = 0
        for ti in range(nt):
            i = todo[ti] // nbp
            kb = todo[ti] - i * nbp
            a0 = la0[i]
            a1 = la1[i]
            be = la2[i] - bps[kb]
            ns0 = ns
            for s in range(ns0):
                st = sstart[s]
                c = scnt[s]
                tol = 1.0
                for k in range(c):
                    x = sv[st + k, 0]
                    y = sv[st + k, 1]
                    pvals[k] = a0 * x + a1 * y + be
                    mag = abs(a0 * x) + abs(a1 * y) + abs(be)
                    if mag > tol:
                        tol = mag
                tol *= eps
                ip = 0
                ineg = 0
                nzero = 0
                for k in range(c):
                    if pvals[k] > tol:
                        sg[k] = 1
                        ip += 1
                    elif pvals[k] < -tol:
                        sg[k] = -1
                        ineg += 1
                    else:
                        sg[k] = 0
                        nzero += 1
                work += c
                if ip > 0 and ineg > 0:
                    if svn + 2 * c + 4 > svcap:
                        code = _NEED_SCRATCH_VERTS
                        need = svn + 2 * c + 4
                        break
                    if ns + 1 > scap:
                        code = _NEED_SCRATCH_PIECES
                        need = ns + 1
                        break
                    if nc >= ccap:
                        code = _NEED_CREASES
                        need = nc + 1
                        break
                    pc = 0
                    qc = 0
                    ncut = 0
                    for k in range(c):
                        kn = k + 1
                        if kn == c:
                            kn = 0
                        xk = sv[st + k, 0]
                        yk = sv[st + k, 1]
                        if sg[k] >= 0:
                            sv[svn + pc, 0] = xk
                            sv[svn + pc, 1] = yk
                            pc += 1
                        if sg[k] <= 0:
                            tmp[qc, 0] = xk
                            tmp[qc, 1] = yk
                            qc += 1
                        if sg[k] == 0:
                            cx[ncut] = xk
                            cy[ncut] = yk
                            ncut += 1
                        elif sg[k] * sg[kn] < 0:
                            t = pvals[k] / (pvals[k] - pvals[kn])
                            x = xk + t * (sv[st + kn, 0] - xk)
                            y = yk + t * (sv[st + kn, 1] - yk)
                            sv[svn + pc, 0] = x
                            sv[svn + pc, 1] = y
                            pc += 1
                            tmp[qc, 0] = x
                            tmp[qc, 1] = y
                            qc += 1
                            cx[ncut] = x
                            cy[ncut] = y
                            ncut += 1
                    for k in range(qc):
                        sv[svn + pc + k, 0] = tmp[k, 0]
                        sv[svn + pc + k, 1] = tmp[k, 1]
                    sstart[s] = svn
                    scnt[s] = pc
                    sstart[ns] = svn + pc
                    scnt[ns] = qc
                    svn += pc + qc
                    for j in range(n):
                        sq[ns, j] = sq[s, j]
                    sq[s, i] = kb + 1
                    ns += 1
                    cuts += 1
                    # the chord joins the two on-line points; with more (a near-degenerate
                    # piece) take the farthest pair
                    ci = 0
                    cj = 1
                    if ncut > 2:
                        best = -1.0
                        for u in range(ncut):
                            for u2 in range(u + 1, ncut):
                                d = (cx[u] - cx[u2]) ** 2 + (cy[u] - cy[u2]) ** 2
                                if d > best:
                                    best = d
                                    ci = u
                                    cj = u2
                    cseg[nc, 0] = cx[ci]
                    cseg[nc, 1] = cy[ci]
                    cseg[nc, 2] = cx[cj]
                    cseg[nc, 3] = cy[cj]
                    clay[nc] = layer_no
                    cneu[nc] = i
                    nc += 1
                    if oR + ns + (r_end - r - 1) > max_regions:
                        code = 1
                        break
                elif ip > 0:
                    sq[s, i] = kb + 1
                    if nzero >= 2:
                        # The crease runs along an edge of this piece: record it from the side
                        # where the neuron is on, so that a shared edge is recorded once.
                        for k in range(c):
                            kn = k + 1
                            if kn == c:
                                kn = 0
                            if sg[k] == 0 and sg[kn] == 0:
                                if nc >= ccap:
                                    code = _NEED_CREASES
                                    need = nc + 1
                                    break
                                cseg[nc, 0] = sv[st + k, 0]
                                cseg[nc, 1] = sv[st + k, 1]
                                cseg[nc, 2] = sv[st + kn, 0]
                                cseg[nc, 3] = sv[st + kn, 1]
                                clay[nc] = layer_no
                                cneu[nc] = i
                                nc += 1
                        if code != 0:
                            break
            if code != 0:
                break
        if code == 1:
            return 1, r, oR, nc, cuts, work, 0
        if code != 0:
            return code, r, oR, nc0, cuts0, work, need
        # Emit the pieces of region r as regions of this layer.
        if oR + ns > ocap:
            return _NEED_ROWS, r, oR, nc0, cuts0, work, oR + ns
        nv = 0
        for s in range(ns):
            nv += scnt[s]
        if ooff[oR] + nv > ovcap:
            return _NEED_VERTS, r, oR, nc0, cuts0, work, ooff[oR] + nv
        for s in range(ns):
            o = ooff[oR]
            st = sstart[s]
            for k in range(scnt[s]):
                oV[o + k, 0] = sv[st + k, 0]
                oV[o + k, 1] = sv[st + k, 1]
            ooff[oR + 1] = o + scnt[s]
            ogrp[oR] = r
            for j in range(bit):
                opat[oR, j] = pat[r, j]
            for i in range(n):
                opat[oR, bit + i] = sq[s, i]
            for j in range(bit + n, h_total):
                opat[oR, j] = 0
            oR += 1
        if work > max_work:
            return 3, r + 1, oR, nc, cuts, work, 0
    return 0, r_end, oR, nc, cuts, work, 0
