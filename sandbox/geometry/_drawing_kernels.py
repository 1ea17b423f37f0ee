"""numba kernels that turn a finished partition into what is drawn and measured.

`boundary_kernel` clips the decision boundary (or a regression level set) to every final region;
`mesh_kernel` fan-triangulates the regions and evaluates their affine maps at every vertex. Both
read the flat form of a partition (one vertex pool plus offsets, per-region maps) and have a
plain-Python twin in reference.py used as the test oracle. `crease_edge_kernel` finds the final
regions' edges that lie on one layer's creases (crease_edges.py, beside its numpy twin).
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def boundary_kernel(off, V, M, r0, r1, level, eps):
    """Decision-boundary segments of the final regions r0..r1-1 (MATH.md section 1), in order of
    region: the segments of two ranges, one after the other, are those of the joined range.

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
    for r in range(r0, r1):
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
    for r in range(r0, r1):
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
        # tol is symmetric to the bit (pair j, k has the differences of k, j negated, exactly),
        # so each pair is measured once; a class against itself is never clipped
        for k in range(kp):
            tol[k, k] = -1.0
            for j in range(k + 1, kp):
                d0 = g[k, 0] - g[j, 0]
                d1 = g[k, 1] - g[j, 1]
                d2 = g[k, 2] - g[j, 2]
                mx = 0.0
                mag = 1.0
                for v in range(m):
                    x = V[np.uint64(p0 + v), 0]
                    y = V[np.uint64(p0 + v), 1]
                    d = d0 * x + d1 * y + d2
                    if abs(d) > mx:
                        mx = abs(d)
                    t = abs(d0 * x) + abs(d1 * y) + abs(d2)
                    if t > mag:
                        mag = t
                # tol < 0 marks a pair tied on the whole region
                tol[k, j] = tol[j, k] = eps * mag if mx > eps * mag else -1.0
        for k in range(kp):
            cnt = m
            for v in range(m):
                ca[v, 0] = V[np.uint64(p0 + v), 0]
                ca[v, 1] = V[np.uint64(p0 + v), 1]
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
                            # loops, not slice assignments: those cost seconds to compile
                            for u in range(nb):
                                for c in range(4):
                                    seg2[u, c] = seg[u, c]
                                cls2[u, 0] = cls[u, 0]
                                cls2[u, 1] = cls[u, 1]
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


@njit(cache=True, nogil=True)
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


@njit(cache=True, nogil=True)
def crease_edge_kernel(z, nxt, tol, breakpoints, slopes, offsets, patterns, region_ids, col):
    """The edges (vertex v to nxt[v]) that lie on a crease of one layer, and the layer's
    activations at every vertex. z (V, n): its pre-activations; an edge is on neuron j's
    breakpoint kb when both its ends are within tol[j] of it, and it is reported from the region
    on the upper side (its piece patterns[region, col + j] is kb + 1), so once. patterns (R, N)
    uint8 pieces. Returns (edges, neurons as columns col + j), in order of edge then neuron, and
    h (V, n) = slopes[q] z + offsets[q], q the piece of z (a z on a breakpoint: the one below)."""
    nv, n = z.shape
    nb = breakpoints.shape[0]
    h = np.empty((nv, n))
    edges = np.empty(0, np.int64)
    neurons = np.empty(0, np.int64)
    count = 0
    for fill in range(2):  # count (and the activations), then fill
        if fill == 1:
            edges = np.empty(count, np.int64)
            neurons = np.empty(count, np.int64)
            count = 0
        for v in range(nv):
            w = nxt[v]
            r = region_ids[v]
            for j in range(n):
                zv = z[v, j]
                if fill == 0:
                    q = 0
                    while q < nb and breakpoints[q] < zv:
                        q += 1
                    h[v, j] = zv * slopes[q] + offsets[q]
                kb = int(patterns[r, col + j]) - 1
                if kb < 0 or kb >= nb:
                    continue
                bp = breakpoints[kb]
                t = tol[j]
                if abs(zv - bp) <= t and abs(z[w, j] - bp) <= t:
                    if fill == 1:
                        edges[count] = v
                        neurons[count] = col + j
                    count += 1
    return edges, neurons, h
