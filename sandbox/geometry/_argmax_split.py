"""Splitting regions where the top class changes: a numba kernel and its plain-Python twin.

For more than two classes the top logit max_k f_k folds inside a region wherever the top class
changes; `argmax_split_kernel` clips every region into the convex parts where each class is on
top, so that every facet of the OUTPUT surface (surface.py) is planar again.
`argmax_split_reference` does the same with Python lists and the same arithmetic, as the test
oracle.
"""

from __future__ import annotations

import numpy as np
from numba import njit


# ---------------------------------------------------------------------- polygon clipping
@njit(cache=True, nogil=True)
def _clip_into(src, n, a0, a1, c, eps, dst):
    """Keep the part of convex polygon src[:n] where a0 x + a1 y + c >= 0; returns the count
    written to dst, or -1 when the function is zero on every vertex (identically zero)."""
    vmax = 0.0
    for i in range(n):
        v = a0 * src[i, 0] + a1 * src[i, 1] + c
        if abs(v) > vmax:
            vmax = abs(v)
    thr = eps * max(1.0, vmax)
    if vmax <= thr:
        return -1
    cnt = 0
    for i in range(n):
        ii = i + 1 if i + 1 < n else 0
        vi = a0 * src[i, 0] + a1 * src[i, 1] + c
        vj = a0 * src[ii, 0] + a1 * src[ii, 1] + c
        si = 0 if abs(vi) <= thr else (1 if vi > 0 else -1)
        sj = 0 if abs(vj) <= thr else (1 if vj > 0 else -1)
        if si >= 0:
            dst[cnt, 0] = src[i, 0]
            dst[cnt, 1] = src[i, 1]
            cnt += 1
        if si * sj < 0:
            t = vi / (vi - vj)
            dst[cnt, 0] = src[i, 0] + t * (src[ii, 0] - src[i, 0])
            dst[cnt, 1] = src[i, 1] + t * (src[ii, 1] - src[i, 1])
            cnt += 1
    return cnt


@njit(cache=True, nogil=True)
def _area(poly, n):
    s = 0.0
    for i in range(n):
        j = i + 1 if i + 1 < n else 0
        s += poly[i, 0] * poly[j, 1] - poly[j, 0] * poly[i, 1]
    return 0.5 * s


@njit(cache=True, nogil=True)
def argmax_split_kernel(off, V, M, R, eps):
    """Split every region r (vertices V[off[r]:off[r+1]], convex, CCW) into the parts where each
    class k has the top logit M[r, k, :2] @ x + M[r, k, 2] (ties go to the lower class).

    Returns offsets (P + 1,), vertices (nv, 2), parent region (P,) int32 and class (P,) int32.
    """
    K = M.shape[1]
    nv_in = off[R]
    max_n = 3
    for r in range(R):
        if off[r + 1] - off[r] > max_n:
            max_n = off[r + 1] - off[r]
    bufa = np.empty((max_n + K + 1, 2))
    bufb = np.empty((max_n + K + 1, 2))
    ooff = np.zeros(R * K + 1, np.int64)
    oV = np.empty((K * (nv_in + R * K), 2))
    parent = np.empty(R * K, np.int32)
    cls = np.empty(R * K, np.int32)
    P = 0
    nv = 0
    for r in range(R):
        o = off[r]
        m = off[r + 1] - o
        box = 0.0
        for v in range(m):
            box = max(box, abs(V[o + v, 0]), abs(V[o + v, 1]))
        for k in range(K):
            for v in range(m):
                bufa[v, 0] = V[o + v, 0]
                bufa[v, 1] = V[o + v, 1]
            n = m
            src = bufa
            dst = bufb
            for j in range(K):
                if j == k:
                    continue
                a0 = M[r, k, 0] - M[r, j, 0]
                a1 = M[r, k, 1] - M[r, j, 1]
                c = M[r, k, 2] - M[r, j, 2]
                cnt = _clip_into(src, n, a0, a1, c, eps, dst)
                if cnt == -1:
                    # f_k = f_j on the whole polygon: the lower class index takes it.
                    if j < k:
                        n = 0
                        break
                    continue
                n = cnt
                tmp = src
                src = dst
                dst = tmp
                if n < 3:
                    break
            if n >= 3 and _area(src, n) > eps * max(1.0, box * box):
                for v in range(n):
                    oV[nv + v, 0] = src[v, 0]
                    oV[nv + v, 1] = src[v, 1]
                nv += n
                parent[P] = r
                cls[P] = k
                P += 1
                ooff[P] = nv
    return ooff[: P + 1].copy(), oV[:nv].copy(), parent[:P].copy(), cls[:P].copy()


def _clip_py(poly: list, a0: float, a1: float, c: float, eps: float):
    """Plain-Python twin of _clip_into (None when identically zero)."""
    vals = [a0 * p[0] + a1 * p[1] + c for p in poly]
    vmax = max((abs(v) for v in vals), default=0.0)
    thr = eps * max(1.0, vmax)
    if vmax <= thr:
        return None
    out = []
    n = len(poly)
    for i in range(n):
        ii = (i + 1) % n
        vi, vj = vals[i], vals[ii]
        si = 0 if abs(vi) <= thr else (1 if vi > 0 else -1)
        sj = 0 if abs(vj) <= thr else (1 if vj > 0 else -1)
        if si >= 0:
            out.append((poly[i][0], poly[i][1]))
        if si * sj < 0:
            t = vi / (vi - vj)
            out.append(
                (
                    poly[i][0] + t * (poly[ii][0] - poly[i][0]),
                    poly[i][1] + t * (poly[ii][1] - poly[i][1]),
                )
            )
    return out


def argmax_split_reference(off, V, M, R, eps):
    """Plain-Python twin of argmax_split_kernel (the test oracle), same arithmetic and order."""
    K = M.shape[1]
    offs, verts, parent, cls = [0], [], [], []
    for r in range(R):
        poly0 = [(float(x), float(y)) for x, y in V[off[r] : off[r + 1]]]
        box = max(max(abs(x), abs(y)) for x, y in poly0)
        for k in range(K):
            poly = list(poly0)
            for j in range(K):
                if j == k:
                    continue
                a0 = M[r, k, 0] - M[r, j, 0]
                a1 = M[r, k, 1] - M[r, j, 1]
                c = M[r, k, 2] - M[r, j, 2]
                out = _clip_py(poly, a0, a1, c, eps)
                if out is None:
                    if j < k:
                        poly = []
                        break
                    continue
                poly = out
                if len(poly) < 3:
                    break
            if len(poly) >= 3:
                area = 0.5 * sum(
                    poly[i][0] * poly[(i + 1) % len(poly)][1]
                    - poly[(i + 1) % len(poly)][0] * poly[i][1]
                    for i in range(len(poly))
                )
                if area > eps * max(1.0, box * box):
                    verts.extend(poly)
                    offs.append(len(verts))
                    parent.append(r)
                    cls.append(k)
    return (
        np.asarray(offs, np.int64),
        np.asarray(verts, np.float64).reshape(-1, 2),
        np.asarray(parent, np.int32),
        np.asarray(cls, np.int32),
    )
