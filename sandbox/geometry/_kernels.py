"""numba kernels of the exact region algorithm (MATH.md section 1) on flat, growable arrays.

Regions live in one vertex pool with offsets; every per-region quantity (affine feature map,
activation pattern) is a row of a preallocated array that doubles when full. The kernels are pure
functions of arrays and scalars, so the same call always gives the same partition; reference.py
holds a plain-Python twin of each with the same arithmetic in the same order, used as the test
oracle. Status codes: 0 done, 1 region budget exceeded, 2 memory budget exceeded, 3 work budget
exceeded (the caller turns them into a "too many regions" result).
"""

from __future__ import annotations

import numpy as np
from numba import njit

STATUS_OK = 0
STATUS_TOO_MANY_REGIONS = 1
STATUS_TOO_MUCH_MEMORY = 2
STATUS_TOO_MUCH_WORK = 3


# Codes returned by _layer_pass when a buffer is full; the caller grows it and resumes at the
# region where the pass stopped (that region's partial output is discarded).
_NEED_SCRATCH_VERTS = 10
_NEED_SCRATCH_PIECES = 11
_NEED_ROWS = 12
_NEED_VERTS = 13
_NEED_CREASES = 14


@njit(cache=True)
def _grow_rows2(a, need):
    b = np.empty((max(need, 2 * a.shape[0]), a.shape[1]), a.dtype)
    b[: a.shape[0]] = a
    return b


@njit(cache=True)
def _grow_rows1(a, need):
    b = np.empty(max(need, 2 * a.shape[0]), a.dtype)
    b[: a.shape[0]] = a
    return b


@njit(cache=True)
def _layer_pass(
    params,
    wt,
    n,
    b_off,
    n_prev,
    bit,
    layer_no,
    R,
    off,
    V,
    F,
    pat,
    r_start,
    oR,
    ooff,
    oV,
    oF,
    opat,
    cseg,
    clay,
    cneu,
    nc,
    sv,
    sstart,
    scnt,
    sq,
    la,
    vals,
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
    """Cut regions r_start.. of one layer by its n neurons (MATH.md section 1, step 2).

    Every array is an argument and is never rebound here: numba then keeps reference counting
    out of the loops, which otherwise costs more than the geometry. Returns (code, r, oR, nc,
    cuts, work, need): code 0 when all regions are done, a status code (1, 3) when a budget is
    exceeded, or a _NEED_* code with `need` the size asked for, to resume at region r.
    """
    h_total = pat.shape[1]
    svcap = sv.shape[0]
    scap = sstart.shape[0]
    ocap = oF.shape[0]
    ovcap = oV.shape[0]
    ccap = cseg.shape[0]
    for r in range(r_start, R):
        nc0 = nc
        cuts0 = cuts
        # Pull the layer's neurons back to input space: line i is la[:, i] = W_i F_r (+ b_i).
        # Summed over k in order, as the reference does; rows of neurons that are off in this
        # region are zero and skipped (about half of them), and the loop over i vectorises.
        for i in range(n):
            la[0, i] = 0.0
            la[1, i] = 0.0
            la[2, i] = 0.0
        for k in range(n_prev):
            f0 = F[r, k, 0]
            f1 = F[r, k, 1]
            f2 = F[r, k, 2]
            if f0 == 0.0 and f1 == 0.0 and f2 == 0.0:
                continue
            for i in range(n):
                w = wt[k, i]
                la[0, i] += w * f0
                la[1, i] += w * f1
                la[2, i] += w * f2
            work += n
        for i in range(n):
            la[2, i] += params[b_off + i]
        p0 = off[r]
        m = off[r + 1] - p0
        for k in range(m):
            sv[k, 0] = V[p0 + k, 0]
            sv[k, 1] = V[p0 + k, 1]
        svn = m
        ns = 1
        sstart[0] = 0
        scnt[0] = m
        for i in range(n):
            sq[0, i] = 0
        code = 0
        need = 0
        for i in range(n):
            a0 = la[0, i]
            a1 = la[1, i]
            be = la[2, i]
            if ns > 1:
                # A neuron that does not cross the layer's input region cannot cross its pieces:
                # settle it for all pieces at once (most neurons of deep layers).
                tol = 1.0
                for k in range(m):
                    x = sv[k, 0]
                    y = sv[k, 1]
                    vals[k] = a0 * x + a1 * y + be
                    mag = abs(a0 * x) + abs(a1 * y) + abs(be)
                    if mag > tol:
                        tol = mag
                tol *= eps
                npos = 0
                nneg = 0
                for k in range(m):
                    if vals[k] > tol:
                        npos += 1
                    elif vals[k] < -tol:
                        nneg += 1
                nzero = m - npos - nneg
                work += m
                if npos == 0 and nneg == 0:
                    continue
                if nzero < 2:
                    if nneg == 0:
                        for s in range(ns):
                            sq[s, i] = 1
                        continue
                    if npos == 0:
                        continue
            ns0 = ns
            for s in range(ns0):
                st = sstart[s]
                c = scnt[s]
                tol = 1.0
                for k in range(c):
                    x = sv[st + k, 0]
                    y = sv[st + k, 1]
                    vals[k] = a0 * x + a1 * y + be
                    mag = abs(a0 * x) + abs(a1 * y) + abs(be)
                    if mag > tol:
                        tol = mag
                tol *= eps
                npos = 0
                nneg = 0
                nzero = 0
                for k in range(c):
                    if vals[k] > tol:
                        sg[k] = 1
                        npos += 1
                    elif vals[k] < -tol:
                        sg[k] = -1
                        nneg += 1
                    else:
                        sg[k] = 0
                        nzero += 1
                work += c
                if npos > 0 and nneg > 0:
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
                            t = vals[k] / (vals[k] - vals[kn])
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
                    sq[s, i] = 1
                    sq[ns, i] = 0
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
                    if oR + ns + (R - r - 1) > max_regions:
                        code = 1
                        break
                elif npos > 0:
                    sq[s, i] = 1
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
            for i in range(n):
                if sq[s, i] != 0:
                    oF[oR, i, 0] = la[0, i]
                    oF[oR, i, 1] = la[1, i]
                    oF[oR, i, 2] = la[2, i]
                else:
                    oF[oR, i, 0] = 0.0
                    oF[oR, i, 1] = 0.0
                    oF[oR, i, 2] = 0.0
            for j in range(bit):
                opat[oR, j] = pat[r, j]
            for i in range(n):
                opat[oR, bit + i] = sq[s, i]
            for j in range(bit + n, h_total):
                opat[oR, j] = 0
            oR += 1
        if work > max_work:
            return 3, r + 1, oR, nc, cuts, work, 0
    return 0, R, oR, nc, cuts, work, 0


@njit(cache=True)
def partition_kernel(
    params,
    layout,
    n_layers,
    bounds,
    eps,
    max_regions,
    max_work,
    max_bytes,
    off_a,
    off_b,
    v_a,
    v_b,
    f_a,
    f_b,
    pat_a,
    pat_b,
    sv,
    sstart,
    scnt,
    sq_flat,
    cseg,
    clay,
    cneu,
):
    """Exact partition of the rectangle by hidden layers 0..n_layers-1 (0-based here).

    params/layout: the MLP's flat parameter vector and layout rows (w_off, n_out, n_in, b_off).
    The remaining arguments are reusable buffers (any size, even empty): layers alternate between
    set a and set b (offsets, vertices (cap, 2), flat feature maps and flat patterns), then the
    scratch and crease buffers. Each is used in place when big enough and replaced by a larger
    one when not. Returns (status, R, n_creases, n_cuts, work, final_set, and every buffer in
    argument order); the result is in set `final_set` (0 = a, 1 = b): offsets[:R + 1],
    vertices[:offsets[R]], F = f[:R * n * 3] as (R, n, 3), the affine map of the last layer's
    activations, and patterns = pat[:R * h] as (R, h) uint8 activation bits of layers <= n_layers.
    """
    h_total = 0
    max_w = 2
    for l in range(n_layers):
        h_total += layout[l, 1]
        if layout[l, 1] > max_w:
            max_w = layout[l, 1]
    max_poly = 8 + h_total

    R = 1
    off = np.zeros(2, np.int64)
    off[1] = 4
    V = np.empty((4, 2))
    V[0, 0] = bounds[0]
    V[0, 1] = bounds[2]
    V[1, 0] = bounds[1]
    V[1, 1] = bounds[2]
    V[2, 0] = bounds[1]
    V[2, 1] = bounds[3]
    V[3, 0] = bounds[0]
    V[3, 1] = bounds[3]
    F = np.zeros((1, 2, 3))
    F[0, 0, 0] = 1.0
    F[0, 1, 1] = 1.0
    pat = np.zeros((1, h_total), np.uint8)
    n_prev = 2

    # buffers of one group come from separate pools: the pass takes its capacity from the first
    # of them, so a group is only used as is when all its members agree
    if not (cseg.shape[0] == clay.shape[0] == cneu.shape[0] >= 1024):
        cseg = np.empty((1024, 4))
        clay = np.empty(1024, np.int32)
        cneu = np.empty(1024, np.int32)
    nc = 0
    vals = np.empty(max_poly)
    sg = np.empty(max_poly, np.int8)
    tmp = np.empty((max_poly, 2))
    cx = np.empty(max_poly)
    cy = np.empty(max_poly)
    la = np.empty((3, max_w))
    scap = sstart.shape[0]
    if not (scnt.shape[0] == scap >= 256 and sq_flat.shape[0] >= scap * max_w):
        scap = 256
        sstart = np.empty(scap, np.int64)
        scnt = np.empty(scap, np.int64)
        sq_flat = np.empty(scap * max_w, np.uint8)
    if sv.shape[0] < 64 * max_poly:
        sv = np.empty((64 * max_poly, 2))

    status = 0
    work = 0
    cuts = 0
    bit = 0
    for l in range(n_layers):
        n = layout[l, 1]
        # feature map, pattern, offset and about eight pooled vertices per region
        row_bytes = 24 * n + h_total + 8 + 128
        # every input region gives at least one output region
        max_rows = min(max_regions + 1, max_bytes // row_bytes)
        if R > max_rows:
            status = 2 if max_bytes // row_bytes < max_regions + 1 else 1
            break
        if l % 2 == 0:
            ooff = off_a
            oV = v_a
            of_flat = f_a
            op_flat = pat_a
        else:
            ooff = off_b
            oV = v_b
            of_flat = f_b
            op_flat = pat_b
        ocap = min(ooff.shape[0] - 1, of_flat.shape[0] // (3 * n), op_flat.shape[0] // h_total)
        want = min(max(2 * R, 16), max_rows)
        if ocap < want:
            ocap = want
            ooff = np.empty(ocap + 1, np.int64)
            of_flat = np.empty(ocap * n * 3)
            op_flat = np.empty(ocap * h_total, np.uint8)
        ocap = min(ocap, max_rows)
        if oV.shape[0] < max(2 * off[R], 64):
            oV = np.empty((max(2 * off[R], 64), 2))
        ooff[0] = 0
        oR = 0
        r = 0
        # W_l transposed and contiguous, (n_prev, n)
        wt = np.empty((n_prev, n))
        for i in range(n):
            for k in range(n_prev):
                wt[k, i] = params[layout[l, 0] + i * layout[l, 2] + k]
        while True:
            code, r, oR, nc, cuts, work, need = _layer_pass(
                params,
                wt,
                n,
                layout[l, 3],
                n_prev,
                bit,
                l + 1,
                R,
                off,
                V,
                F,
                pat,
                r,
                oR,
                ooff,
                oV,
                of_flat[: ocap * n * 3].reshape((ocap, n, 3)),
                op_flat[: ocap * h_total].reshape((ocap, h_total)),
                cseg,
                clay,
                cneu,
                nc,
                sv,
                sstart,
                scnt,
                sq_flat[: scap * max_w].reshape((scap, max_w)),
                la,
                vals,
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
                sq_flat = np.empty(scap * max_w, np.uint8)
            elif code == _NEED_ROWS:
                cap = min(max(need, 2 * ocap), max_rows)
                if cap < need:
                    status = 2
                    break
                ooff2 = np.empty(cap + 1, np.int64)
                ooff2[: oR + 1] = ooff[: oR + 1]
                of2 = np.empty(cap * n * 3)
                of2[: oR * n * 3] = of_flat[: oR * n * 3]
                op2 = np.empty(cap * h_total, np.uint8)
                op2[: oR * h_total] = op_flat[: oR * h_total]
                ooff = ooff2
                of_flat = of2
                op_flat = op2
                ocap = cap
            elif code == _NEED_VERTS:
                oV2 = np.empty((max(need, 2 * oV.shape[0]), 2))
                oV2[: ooff[oR]] = oV[: ooff[oR]]
                oV = oV2
            else:
                cap = max(need, 2 * cseg.shape[0])
                cseg = _grow_rows2(cseg, cap)
                clay = _grow_rows1(clay, cap)
                cneu = _grow_rows1(cneu, cap)
        if l % 2 == 0:
            off_a = ooff
            v_a = oV
            f_a = of_flat
            pat_a = op_flat
        else:
            off_b = ooff
            v_b = oV
            f_b = of_flat
            pat_b = op_flat
        if status != 0:
            break
        R = oR
        off = ooff
        V = oV
        F = of_flat[: R * n * 3].reshape((R, n, 3))
        pat = op_flat[: R * h_total].reshape((R, h_total))
        bit += n
        n_prev = n
    return (
        status,
        R,
        nc,
        cuts,
        work,
        (n_layers - 1) % 2,
        off_a,
        off_b,
        v_a,
        v_b,
        f_a,
        f_b,
        pat_a,
        pat_b,
        sv,
        sstart,
        scnt,
        sq_flat,
        cseg,
        clay,
        cneu,
    )


@njit(cache=True)
def boundary_kernel(off, V, M, R, level, eps):
    """Decision-boundary segments of the final regions (MATH.md section 1).

    M: (R, K, 3) output maps. K >= 2: per region, the cell where class k is on top is the polygon
    clipped by f_k - f_j >= 0 for all j; a cell edge on f_k = f_j is boundary between k and j,
    recorded from the cell of the smaller class id so that every piece is recorded once, also
    across regions. K = 1 (regression): the same with the pseudo-classes (level, f), i.e. the level
    set f = level. Pairs tied on a whole region (f_k = f_j everywhere on it) give no boundary.
    Returns (segments (cap, 4), class pairs (cap, 2) int32, count).
    """
    K = M.shape[1]
    kp = 2 if K == 1 else K
    maxm = 0
    for r in range(R):
        if off[r + 1] - off[r] > maxm:
            maxm = off[r + 1] - off[r]
    pcap = maxm + 2 * kp + 4
    ca = np.empty((pcap, 2))
    cb = np.empty((pcap, 2))
    vals = np.empty(pcap)
    sg = np.empty(pcap, np.int8)
    g = np.empty((kp, 3))
    tol = np.empty((kp, kp))
    cap = 256
    seg = np.empty((cap, 4))
    cls = np.empty((cap, 2), np.int32)
    nb = 0
    for r in range(R):
        if K == 1:
            g[0, 0] = 0.0
            g[0, 1] = 0.0
            g[0, 2] = level
            g[1, 0] = M[r, 0, 0]
            g[1, 1] = M[r, 0, 1]
            g[1, 2] = M[r, 0, 2]
        else:
            for k in range(K):
                g[k, 0] = M[r, k, 0]
                g[k, 1] = M[r, k, 1]
                g[k, 2] = M[r, k, 2]
        p0 = off[r]
        m = off[r + 1] - p0
        for k in range(kp):
            for j in range(kp):
                d0 = g[k, 0] - g[j, 0]
                d1 = g[k, 1] - g[j, 1]
                d2 = g[k, 2] - g[j, 2]
                mx = 0.0
                mag = 1.0
                for v in range(m):
                    x = V[p0 + v, 0]
                    y = V[p0 + v, 1]
                    d = d0 * x + d1 * y + d2
                    if abs(d) > mx:
                        mx = abs(d)
                    t = abs(d0 * x) + abs(d1 * y) + abs(d2)
                    if t > mag:
                        mag = t
                # tol < 0 marks a pair tied on the whole region
                tol[k, j] = eps * mag if mx > eps * mag else -1.0
        for k in range(kp):
            cnt = m
            for v in range(m):
                ca[v, 0] = V[p0 + v, 0]
                ca[v, 1] = V[p0 + v, 1]
            for j in range(kp):
                if j == k or tol[k, j] < 0.0:
                    continue
                d0 = g[k, 0] - g[j, 0]
                d1 = g[k, 1] - g[j, 1]
                d2 = g[k, 2] - g[j, 2]
                t_kj = tol[k, j]
                nneg = 0
                for v in range(cnt):
                    val = d0 * ca[v, 0] + d1 * ca[v, 1] + d2
                    vals[v] = val
                    if val > t_kj:
                        sg[v] = 1
                    elif val < -t_kj:
                        sg[v] = -1
                        nneg += 1
                    else:
                        sg[v] = 0
                if nneg == 0:
                    continue
                nc = 0
                for v in range(cnt):
                    vn = v + 1
                    if vn == cnt:
                        vn = 0
                    if sg[v] >= 0:
                        cb[nc, 0] = ca[v, 0]
                        cb[nc, 1] = ca[v, 1]
                        nc += 1
                    if sg[v] * sg[vn] < 0:
                        t = vals[v] / (vals[v] - vals[vn])
                        cb[nc, 0] = ca[v, 0] + t * (ca[vn, 0] - ca[v, 0])
                        cb[nc, 1] = ca[v, 1] + t * (ca[vn, 1] - ca[v, 1])
                        nc += 1
                for v in range(nc):
                    ca[v, 0] = cb[v, 0]
                    ca[v, 1] = cb[v, 1]
                cnt = nc
                if cnt < 3:
                    break
            if cnt < 3:
                continue
            for j in range(k + 1, kp):
                if tol[k, j] < 0.0:
                    continue
                d0 = g[k, 0] - g[j, 0]
                d1 = g[k, 1] - g[j, 1]
                d2 = g[k, 2] - g[j, 2]
                t_kj = tol[k, j]
                for v in range(cnt):
                    vn = v + 1
                    if vn == cnt:
                        vn = 0
                    va = d0 * ca[v, 0] + d1 * ca[v, 1] + d2
                    vb = d0 * ca[vn, 0] + d1 * ca[vn, 1] + d2
                    if abs(va) <= t_kj and abs(vb) <= t_kj:
                        if nb >= cap:
                            cap *= 2
                            seg2 = np.empty((cap, 4))
                            cls2 = np.empty((cap, 2), np.int32)
                            seg2[:nb] = seg[:nb]
                            cls2[:nb] = cls[:nb]
                            seg = seg2
                            cls = cls2
                        seg[nb, 0] = ca[v, 0]
                        seg[nb, 1] = ca[v, 1]
                        seg[nb, 2] = ca[vn, 0]
                        seg[nb, 3] = ca[vn, 1]
                        cls[nb, 0] = k
                        cls[nb, 1] = j
                        nb += 1
    return seg, cls, nb


@njit(cache=True)
def mesh_kernel(off, V, M, R):
    """Fan triangulation of every region plus the exact value of the affine maps M at each vertex.

    Returns triangles (T, 3) uint32 indexing V, the region id (V,) int32 of every vertex and
    values (V, K) with values[v] = M[region, :, :2] @ V[v] + M[region, :, 2].
    """
    nv = off[R]
    K = M.shape[1]
    tri = np.empty((nv - 2 * R, 3), np.uint32)
    reg = np.empty(nv, np.int32)
    out = np.empty((nv, K))
    t = 0
    for r in range(R):
        o = off[r]
        m = off[r + 1] - o
        for v in range(m):
            reg[o + v] = r
            x = V[o + v, 0]
            y = V[o + v, 1]
            for k in range(K):
                out[o + v, k] = M[r, k, 0] * x + M[r, k, 1] * y + M[r, k, 2]
        for v in range(1, m - 1):
            tri[t, 0] = o
            tri[t, 1] = o + v
            tri[t, 2] = o + v + 1
            t += 1
    return tri, reg, out
