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

`run_layer` is plain Python: it lays out the layer's weights, takes its plan and scratch arrays
(_layer_scratch.py) and calls `_layer_pass` until the pass is done, growing a full buffer in
between; its loops are numba kernels (`_layer_pass`, `_layer_tree`). As a numba function it took
a third of the exact geometry's first-start compile (numba compiled the pass again inside it:
35 s against 24 s for the whole warm-up step, on 2 cores); as Python it costs about 5 us more
per layer (its Python steps, and handing the pass 65 arguments), which only the smallest
networks notice (2 x 8 neurons: about 10 us on 0.23 ms).

`_layer_pass` is written out in one function, with no calls and no arrays chosen at run time in
its loop over regions: numba then does no reference counting per region. Three steps are
shortened without changing a bit (tests/test_geometry_settle.py). The pull-back forms each row
with no branch on the neuron's piece (`_piece_adds`), drops the zero rows in a second loop and
adds the rows two at a time, each neuron's sum running over them in order. A region split from
another piece of its input region (its parent, `par`) shares the parent's rows up to the first
neuron on another piece: the parent hands on its sums after those rows. And a bounding-box test
settles the lines that miss a region before any vertex is looked at, answering only where the
vertex test would give the same answer.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ._layer_scratch import _grown, _no_tree, _plan, _spare_rows

STATUS_OK, STATUS_TOO_MANY_REGIONS, STATUS_TOO_MUCH_MEMORY, STATUS_TOO_MUCH_WORK = 0, 1, 2, 3

# _layer_pass's codes for a full buffer: the caller grows it and redoes the region it stopped at.
_NEED_SCRATCH_VERTS, _NEED_SCRATCH_PIECES, _NEED_ROWS = 10, 11, 12
_NEED_VERTS, _NEED_CREASES = 13, 14

# Rounding slack of the bounding-box test, relative to the size S of the terms: the box bound,
# the centre and half-widths computed in floating point and each vertex's value differ from exact
# arithmetic by a few units of 2^-53 times S (about 1e-15 S); 1e-13 S covers them many times over.
BOX_SLACK = 1e-13
# Layers of at most this many weights sum every region's rows from zero: there the hand-over from
# a parent (`par`) costs more than the rows it saves.
SHARE_MIN_SIZE = 32 * 32


@njit(cache=True, nogil=True)
def _layer_pass(
    wt, bias, bps, slopes, toffs, zadd, cadd, res_prev, res_cur, first, bit_prev, bit, layer_no,
    r_end, off, V, G, grp, pat, oG, Gs, grs, s_bit, s_mode, hs, r_start, oR, ooff, oV,
    ogrp, opat, cseg, clay, cneu, nc, sv, sstart, scnt, sq, la0, la1, la2, kk, F0, F1, F2, cls,
    und, todo, lines, pvals, sg, tmp, cx, cy, eps, max_regions, cuts, work, max_work, r_lo, tree,
    kids, spar, opar,
):  # fmt: skip
    """Cut input regions r_start..r_end-1 by one layer's n neurons (MATH.md section 1, step 2).

    Writes the layer's pre-activation map of input region r to oG[r] (and for a residual layer
    the region's input feature map to oG[r, :, n:]; for a residual last layer wt has the
    output layer's K weights as K more columns, pulled back beside the neurons to oG[r, :, n:]:
    Wo times the input features) and its pieces to the output rows
    from oR on.
    Every array is an argument and is never rebound here: numba then keeps reference counting
    out of the loops, which otherwise costs more than the geometry. tree[r - r_lo] holds input
    region r's first child, next sibling and snapshot row (run_layer); opar receives each
    output piece's parent row (-1 for a region's first piece). Returns
    (code, r, oR, nc, cuts, work, need): code 0 when all regions are done, a status code (1, 3)
    when a budget is exceeded, or a _NEED_* code with `need` the size asked for, to resume at r.
    """
    n_prev = wt.shape[0]
    n = bias.shape[0]
    n_all = wt.shape[1]  # n, plus the output layer's K for a residual last layer
    nbp = bps.shape[0]
    plain = nbp == 1 and bps[0] == 0.0
    plain = plain and not res_prev and slopes[0] == 0.0 and slopes[1] == 1.0
    plain = plain and toffs[0] == 0.0 and toffs[1] == 0.0
    hg = -1  # the group whose input features hs holds
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
        # rows that are not zero are gathered first, then added two at a time, each neuron's
        # sum still running over them in order (the same operations as one row at a time).
        g = grp[r]
        if res_prev and g != hg:
            # The previous (residual) layer's input features on group g: stored beside its maps
            # (s_mode 1) or formed from the maps before them, Gs[grs[g]] on the pieces of that
            # layer (bits s_bit on; 2), with the same operations as a stored copy.
            hg = g
            gs = grs[g] if s_mode == 2 else 0
            for c in range(3):
                for k in range(n_prev):
                    if s_mode == 1:
                        hs[c, k] = G[g, c, n_prev + k]
                    else:
                        p = pat[r, np.uint64(s_bit + k)]
                        hs[c, k] = slopes[p] * Gs[gs, c, k] + (cadd[p] if c == 2 else zadd[p])
        na = 0
        nz = 0
        if plain:  # ReLU, not after a residual layer: an off neuron adds nothing, an on one its map
            if first:
                for k in range(n_prev):
                    kk[k] = k
                na = n_prev
            else:
                for k in range(n_prev):
                    kk[na] = k
                    na += pat[r, np.uint64(bit_prev + k)]
            nb = na
            for j in range(nb):
                k = kk[j]
                f0 = G[g, 0, k]
                f1 = G[g, 1, k]
                f2 = G[g, 2, k]
                F0[j] = f0
                F1[j] = f1
                F2[j] = f2
                nz += (f0 != 0.0) | (f1 != 0.0) | (f2 != 0.0)
            # a residual layer's input features: an on neuron's row, zero for an off one
            for c in range(3 if res_cur else 0):
                for k in range(n_prev):
                    on = first or pat[r, np.uint64(bit_prev + k)] != 0
                    oG[r, c, n + k] = G[g, c, k] if on else 0.0
        else:
            for k in range(n_prev):
                f0 = G[g, 0, k]
                f1 = G[g, 1, k]
                f2 = G[g, 2, k]
                if not first:  # the neuron's piece, as reference._on_piece
                    # (branch-free: see _map_kernels._piece_adds)
                    piece = pat[r, np.uint64(bit_prev + k)]
                    slope = slopes[piece]
                    z = zadd[piece]
                    f0 = slope * f0 + z
                    f1 = slope * f1 + z
                    f2 = slope * f2 + cadd[piece]
                    if res_prev:
                        f0 += hs[0, k]
                        f1 += hs[1, k]
                        f2 += hs[2, k]
                if res_cur:
                    oG[r, 0, n + k] = f0
                    oG[r, 1, n + k] = f1
                    oG[r, 2, n + k] = f2
                kk[k] = k
                F0[k] = f0
                F1[k] = f1
                F2[k] = f2
                nz += (f0 != 0.0) | (f1 != 0.0) | (f2 != 0.0)
            nb = n_prev
        # Drop the rows that are zero (rare), keeping the order. Compacting in a second loop keeps
        # the row loop above free of stores whose place depends on the previous row's value.
        na = nb
        if nz < nb:
            na = 0
            for j in range(nb):
                f0 = F0[j]
                f1 = F1[j]
                f2 = F2[j]
                kk[na] = kk[j]
                F0[na] = f0
                F1[na] = f1
                F2[na] = f2
                na += (f0 != 0.0) | (f1 != 0.0) | (f2 != 0.0)
        # The sums start at zero, or from the parent's snapshot in oG[r] (not in a call's first
        # region: it may have been pulled back before the pass stopped). Each child's snapshot
        # is taken after the rows it shares: those before its first neuron on another piece.
        rt = r - r_lo
        j = tree[rt, 2] if r > r_start else -1
        if j >= 0:
            for i in range(n_all):
                la0[i] = oG[r, 0, i]
                la1[i] = oG[r, 1, i]
                la2[i] = oG[r, 2, i]
        else:
            j = 0
            for i in range(n_all):
                la0[i] = 0.0
                la1[i] = 0.0
                la2[i] = 0.0
        nk = 0
        c = tree[rt, 0]
        while c >= 0:
            dn = 0
            while dn < n_prev:
                b = np.uint64(bit_prev + dn)
                if pat[c, b] != pat[r, b]:
                    break
                dn += 1
            jd = 0
            while jd < na and kk[jd] < dn:
                jd += 1
            if jd >= j:  # in order of jd
                u = nk
                while u > 0 and kids[u - 1, 0] > jd:
                    kids[u, 0] = kids[u - 1, 0]
                    kids[u, 1] = kids[u - 1, 1]
                    u -= 1
                kids[u, 0] = jd
                kids[u, 1] = c
                nk += 1
            c = tree[c - r_lo, 1]
        u = 0
        while True:
            stop = na if u == nk else kids[u, 0]
            # two rows at a time, the three columns in one loop (each weight loaded once);
            # each neuron's three sums still run over the rows in order
            while j + 2 <= stop:
                k1 = kk[j]
                k2 = kk[j + 1]
                a0 = F0[j]
                b0 = F0[j + 1]
                a1 = F1[j]
                b1 = F1[j + 1]
                a2 = F2[j]
                b2 = F2[j + 1]
                for i in range(n_all):
                    w1 = wt[k1, i]
                    w2 = wt[k2, i]
                    la0[i] = (la0[i] + w1 * a0) + w2 * b0
                    la1[i] = (la1[i] + w1 * a1) + w2 * b1
                    la2[i] = (la2[i] + w1 * a2) + w2 * b2
                j += 2
            if j < stop:
                k = kk[j]
                f0 = F0[j]
                f1 = F1[j]
                f2 = F2[j]
                for i in range(n_all):
                    w = wt[k, i]
                    la0[i] += w * f0
                    la1[i] += w * f1
                    la2[i] += w * f2
                j += 1
            if u == nk:
                break
            c = kids[u, 1]
            for i in range(n_all):
                oG[c, 0, i] = la0[i]
                oG[c, 1, i] = la1[i]
                oG[c, 2, i] = la2[i]
            tree[c - r_lo, 2] = j
            u += 1
        for i in range(n):
            la2[i] += bias[i]
        for i in range(n_all):
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
        spar[0] = -1
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
                    spar[ns] = s
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
        base = oR
        for s in range(ns):
            o = ooff[oR]
            st = sstart[s]
            for k in range(scnt[s]):
                oV[o + k, 0] = sv[st + k, 0]
                oV[o + k, 1] = sv[st + k, 1]
            ooff[oR + 1] = o + scnt[s]
            ogrp[oR] = r
            opar[oR] = -1 if spar[s] < 0 else base + spar[s]
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


@njit(cache=True, nogil=True)
def _layer_tree(par, grp, r_start, r_end):
    """Per input region r_start..r_end-1 (row r - r_start): its first child, next sibling (in the
    range) and the row of its snapshot (-1: none), from the parents `par` in the same group."""
    tree = np.full((max(r_end - r_start, 1), 3), -1, np.int64)
    for c in range(r_end - 1, r_start - 1, -1):
        p = par[c]
        if p >= r_start and grp[p] == grp[c]:
            tree[c - r_start, 1] = tree[p - r_start, 0]
            tree[p - r_start, 0] = c
    return tree


def run_layer(
    params, layout, l, bps, slopes, toffs, res_prev, res_cur, h_total, r_start, r_end, off, V, G,
    grp, pat, par, oG, Wo, Gs, grs, s_bit, s_mode, ooff, oV, ogrp, opat, opar, cseg, clay,
    cneu, nc, sv, sstart, scnt, sq, eps, max_regions, max_rows, work, max_work,
):  # fmt: skip
    """Cut input regions r_start..r_end-1 of hidden layer l (0-based) by its neurons.

    bps, slopes, toffs: the activation's breakpoints and its pieces' slopes and offsets;
    res_prev / res_cur: layer l-1 / layer l is a residual layer. off/V/grp/pat: the input
    regions (pat (R, h_total) uint8 pieces); G (groups, 3, n_prev, or 2 n_prev after a residual
    layer) their groups' maps (layer 0: the identity, one group); par each region's parent: the
    row of the piece of the same input region it was split from (-1 for none). A region shares
    its parent's feature rows up to the first neuron where their pieces differ, so the pull-back
    of those rows is done once, by the parent, and handed on (the same sums in the same order:
    the same bits). oG (>= r_end, 3, n, or 2 n for a residual layer) receives the layer's map
    of every input region in the range; for a residual last layer Wo (K, n_prev, else no rows)
    times its input features too, in oG[:, :, n:n + K] (oG then n + K wide). After a residual layer
    the rows add its input features: stored in G[g, :, n_prev:] (s_mode 1) or formed from the
    maps Gs before G, whose group is grs[g], on their layer's pieces (bits from s_bit; s_mode
    2). The output buffers
    (ooff, oV, ogrp, flat opat, opar), the crease buffers and the scratch buffers are used in
    place when big enough and replaced by larger ones when not; output regions start at row 0,
    creases are appended after the first nc, `work` counts on from the value given (every row
    counted). Returns (status, regions, creases, cuts, work, ooff, oV, ogrp, opat, cseg, clay,
    cneu, sv, sstart, scnt, sq, opar).

    Plain Python (see the module doc): the loops run in `_layer_pass` and `_layer_tree`, which
    release the interpreter lock."""
    K = Wo.shape[0]
    sizes, (zadd, cadd), scratch, hs, kids = _plan(layout, l, h_total, bps, slopes, toffs, K)
    a, n, n_prev, b, bit, nbp, max_poly = sizes
    bit_prev = bit - n_prev if l > 0 else 0
    n_all = n + K
    w = params[a : a + n * n_prev].reshape(n, n_prev)
    if K:
        wt = np.empty((n_prev, n_all))
        wt[:, :n] = w.T
        wt[:, n:] = Wo[:, :n_prev].T
    else:
        wt = w.T.copy()
    bias = params[b : b + n]
    n_in = r_end - r_start
    if n_prev * n > SHARE_MIN_SIZE:
        tree = _layer_tree(par, grp, r_start, r_end)
    else:
        tree = _no_tree(max(n_in, 1))

    # buffers of one group come from separate pools: a group is only used as is when all its
    # members are big enough
    if not (cseg.shape[0] == clay.shape[0] == cneu.shape[0] >= max(1024, nc + 1)):
        cap = max(1024, 2 * nc)
        cseg, clay, cneu = _grown(cseg, cap, nc), _grown(clay, cap, nc), _grown(cneu, cap, nc)
    scap = sstart.shape[0]
    if not (scnt.shape[0] == scap >= 256 and sq.shape[0] >= scap * n):
        scap = 256
        sstart = np.empty(scap, np.int64)
        scnt = np.empty(scap, np.int64)
        sq = np.empty(scap * n, np.uint8)
    spar = _spare_rows(scap)
    if sv.shape[0] < 64 * max_poly:
        sv = np.empty((64 * max_poly, 2))
    ocap = min(ooff.shape[0] - 1, ogrp.shape[0], opat.shape[0] // h_total, opar.shape[0])
    want = min(max(2 * n_in, 16), max_rows)
    if ocap < want:
        ocap = want
        ooff = np.empty(ocap + 1, np.int64)
        ogrp = np.empty(ocap, np.int64)
        opat = np.empty(ocap * h_total, np.uint8)
        opar = np.empty(ocap, np.int64)
    ocap = min(ocap, max_rows)
    nv_in = int(off[r_end] - off[r_start])
    if oV.shape[0] < max(2 * nv_in, 64):
        oV = np.empty((max(2 * nv_in, 64), 2))

    ooff[0] = 0
    oR = 0
    cuts = 0
    r = r_start
    first = l == 0
    while True:
        code, r, oR, nc, cuts, work, need = _layer_pass(
            wt, bias, bps, slopes, toffs, zadd, cadd, res_prev, res_cur, first, bit_prev, bit,
            l + 1, r_end, off, V, G, grp, pat, oG, Gs, grs, s_bit, s_mode, hs, r, oR, ooff,
            oV, ogrp[:ocap], opat[: ocap * h_total].reshape((ocap, h_total)), cseg, clay, cneu, nc,
            sv, sstart, scnt, sq[: scap * n].reshape((scap, n)), *scratch, eps, max_regions, cuts,
            work, max_work, r_start, tree, kids, spar, opar[:ocap],
        )  # fmt: skip
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
            spar = _spare_rows(scap)
        elif code == _NEED_ROWS:
            cap = min(max(need, 2 * ocap), max_rows)
            if cap < need:
                status = STATUS_TOO_MUCH_MEMORY
                break
            ooff = _grown(ooff, cap + 1, oR + 1)
            ogrp = _grown(ogrp, cap, oR)
            opat = _grown(opat, cap * h_total, oR * h_total)
            opar = _grown(opar, cap, oR)
            ocap = cap
        elif code == _NEED_VERTS:
            oV = _grown(oV, max(need, 2 * oV.shape[0]), int(ooff[oR]))
        else:
            cap = max(need, 2 * cseg.shape[0])
            cseg, clay, cneu = _grown(cseg, cap, nc), _grown(clay, cap, nc), _grown(cneu, cap, nc)
    return (
        status, oR, nc, cuts, work,
        ooff, oV, ogrp, opat, cseg, clay, cneu, sv, sstart, scnt, sq, opar,
    )  # fmt: skip
