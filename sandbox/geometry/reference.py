"""Plain-Python twins of the numba region kernels, kept as the test oracle.

The same algorithm as sandbox/geometry/_kernels.py (MATH.md section 1) written with Python lists
and one object per region, with the same floating-point operations in the same order, so that the
numba kernels must reproduce these results to the last bit on small networks. Slow (pure Python):
use it on networks of a few dozen neurons.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class ReferencePartition:
    """Trimmed result of partition_reference (same meaning as the numba kernel's outputs)."""

    offsets: np.ndarray  # (R + 1,) int64
    vertices: np.ndarray  # (V, 2)
    feature_maps: np.ndarray  # (R, n_last, 3)
    patterns: np.ndarray  # (R, hidden neurons up to the layer) bool
    crease_segments: np.ndarray  # (S, 4)
    crease_layer: np.ndarray  # (S,) 1-based
    crease_neuron: np.ndarray  # (S,)
    n_cuts: int
    too_many: bool


def _classify(poly, a0, a1, be, eps):
    vals = [a0 * x + a1 * y + be for x, y in poly]
    mx = 1.0
    for x, y in poly:
        mx = max(mx, abs(a0 * x) + abs(a1 * y) + abs(be))
    tol = eps * mx
    sg = [1 if v > tol else (-1 if v < -tol else 0) for v in vals]
    return vals, sg


def _chord(cuts):
    if len(cuts) <= 2:
        return cuts[0], cuts[1]
    best = (-1.0, 0, 1)
    for i in range(len(cuts)):
        for j in range(i + 1, len(cuts)):
            d = (cuts[i][0] - cuts[j][0]) ** 2 + (cuts[i][1] - cuts[j][1]) ** 2
            if d > best[0]:
                best = (d, i, j)
    return cuts[best[1]], cuts[best[2]]


def _split(poly, vals, sg):
    pos, neg, cuts = [], [], []
    c = len(poly)
    for k in range(c):
        kn = (k + 1) % c
        xk, yk = poly[k]
        if sg[k] >= 0:
            pos.append((xk, yk))
        if sg[k] <= 0:
            neg.append((xk, yk))
        if sg[k] == 0:
            cuts.append((xk, yk))
        elif sg[k] * sg[kn] < 0:
            t = vals[k] / (vals[k] - vals[kn])
            p = (xk + t * (poly[kn][0] - xk), yk + t * (poly[kn][1] - yk))
            pos.append(p)
            neg.append(p)
            cuts.append(p)
    return pos, neg, cuts


def _on_piece(f, s, t):
    """A neuron's map f = (a0, a1, c) through the linear piece s z + t (as the kernel's
    _piece_adds: the same bits)."""
    if s == 0.0:
        return (0.0, 0.0, t)
    if s != 1.0:
        return (s * f[0], s * f[1], s * f[2] + t)
    if t != 0.0:
        return (f[0], f[1], f[2] + t)
    return f


def partition_reference(
    params: np.ndarray,
    layout: np.ndarray,
    n_layers: int,
    bounds: tuple[float, float, float, float],
    eps: float = 1e-12,
    max_regions: int = 200_000,
    pieces=None,
    residual=None,
) -> ReferencePartition:
    """Exact partition of the rectangle `bounds` by the first n_layers hidden layers.

    pieces: the activation's Pieces (sandbox.nn.activations; default ReLU's); residual: per
    hidden layer, whether it adds its input (h + sigma(z)). Patterns hold each neuron's piece
    (bools for two-piece activations)."""
    if pieces is None:
        bps, slopes, toffs = (0.0,), (0.0, 1.0), (0.0, 0.0)
    else:
        bps, slopes, toffs = pieces.breakpoints, pieces.slopes, pieces.offsets
    if residual is None:
        residual = [False] * n_layers
    params = [float(p) for p in np.asarray(params, dtype=np.float64)]
    xmin, xmax, ymin, ymax = (float(b) for b in bounds)
    h_total = int(sum(int(layout[l, 1]) for l in range(n_layers)))
    rect = [(xmin, ymin), (xmax, ymin), (xmax, ymax), (xmin, ymax)]
    # a region: (polygon, F rows [(a0, a1, c)] of the previous layer's activations, pattern bits)
    regions = [(rect, [(1.0, 0.0, 0.0), (0.0, 1.0, 0.0)], [])]
    creases: list[tuple[float, float, float, float, int, int]] = []
    cuts = 0
    too_many = False
    for l in range(n_layers):
        w_off, n, n_in, b_off = (int(v) for v in layout[l])
        out = []
        for r, (poly, F, bits) in enumerate(regions):
            la = []
            for i in range(n):
                s0 = s1 = s2 = 0.0
                for k in range(len(F)):
                    w = params[w_off + i * n_in + k]
                    s0 += w * F[k][0]
                    s1 += w * F[k][1]
                    s2 += w * F[k][2]
                la.append((s0, s1, s2 + params[b_off + i]))
            subs = [[poly, [0] * n]]
            for line in range(n * len(bps)):
                i, kb = divmod(line, len(bps))
                a0, a1, be = la[i]
                be = be - bps[kb]
                if len(subs) > 1:
                    vals, sg = _classify(poly, a0, a1, be, eps)
                    npos, nneg = sg.count(1), sg.count(-1)
                    nzero = len(sg) - npos - nneg
                    if npos == 0 and nneg == 0:
                        continue
                    if nzero < 2:
                        if nneg == 0:
                            for sub in subs:
                                sub[1][i] = kb + 1
                            continue
                        if npos == 0:
                            continue
                for s in range(len(subs)):
                    piece, q = subs[s]
                    vals, sg = _classify(piece, a0, a1, be, eps)
                    npos, nneg = sg.count(1), sg.count(-1)
                    nzero = len(sg) - npos - nneg
                    if npos > 0 and nneg > 0:
                        pos, neg, cut_pts = _split(piece, vals, sg)
                        q_neg = list(q)
                        q_pos = list(q)
                        q_pos[i] = kb + 1
                        subs[s] = [pos, q_pos]
                        subs.append([neg, q_neg])
                        cuts += 1
                        p, p2 = _chord(cut_pts)
                        creases.append((p[0], p[1], p2[0], p2[1], l + 1, i))
                        if len(out) + len(subs) + (len(regions) - r - 1) > max_regions:
                            too_many = True
                            break
                    elif npos > 0:
                        q[i] = kb + 1
                        if nzero >= 2:
                            c = len(piece)
                            for k in range(c):
                                kn = (k + 1) % c
                                if sg[k] == 0 and sg[kn] == 0:
                                    creases.append((*piece[k], *piece[kn], l + 1, i))
                if too_many:
                    break
            if too_many:
                break
            res = bool(residual[l]) and l > 0
            for piece, q in subs:
                newF = [_on_piece(la[i], slopes[q[i]], toffs[q[i]]) for i in range(n)]
                if res:
                    newF = [
                        (f[0] + g[0], f[1] + g[1], f[2] + g[2])
                        for f, g in zip(newF, F, strict=True)
                    ]
                out.append((piece, newF, bits + q))
        if too_many:
            break
        regions = out
    if too_many:
        regions = []
    counts = [len(p) for p, _, _ in regions]
    offsets = np.zeros(len(regions) + 1, dtype=np.int64)
    offsets[1:] = np.cumsum(counts)
    verts = np.array([v for p, _, _ in regions for v in p], dtype=np.float64).reshape(-1, 2)
    n_last = int(layout[n_layers - 1, 1])
    fm = np.array([F for _, F, _ in regions], dtype=np.float64).reshape(-1, n_last, 3)
    pats = np.array([b for _, _, b in regions], dtype=np.uint8).reshape(-1, h_total)
    if len(slopes) <= 2:
        pats = pats.astype(bool)
    cr = np.array(creases, dtype=np.float64).reshape(-1, 6)
    return ReferencePartition(
        offsets=offsets,
        vertices=verts,
        feature_maps=fm,
        patterns=pats,
        crease_segments=cr[:, :4].copy(),
        crease_layer=cr[:, 4].astype(np.int32),
        crease_neuron=cr[:, 5].astype(np.int32),
        n_cuts=cuts,
        too_many=too_many,
    )


def boundary_reference(
    offsets: np.ndarray, vertices: np.ndarray, maps: np.ndarray, level: float, eps: float = 1e-12
) -> tuple[np.ndarray, np.ndarray]:
    """Twin of boundary_kernel: (segments (B, 4), class pairs (B, 2))."""
    K = maps.shape[1]
    kp = 2 if K == 1 else K
    segs, pairs = [], []
    for r in range(len(offsets) - 1):
        poly = [tuple(map(float, p)) for p in vertices[offsets[r] : offsets[r + 1]]]
        if K == 1:
            g = [(0.0, 0.0, float(level)), tuple(float(v) for v in maps[r, 0])]
        else:
            g = [tuple(float(v) for v in maps[r, k]) for k in range(K)]
        tol = [[0.0] * kp for _ in range(kp)]
        for k in range(kp):
            for j in range(kp):
                d0, d1, d2 = (g[k][c] - g[j][c] for c in range(3))
                mx = 0.0
                mag = 1.0
                for x, y in poly:
                    mx = max(mx, abs(d0 * x + d1 * y + d2))
                    mag = max(mag, abs(d0 * x) + abs(d1 * y) + abs(d2))
                tol[k][j] = eps * mag if mx > eps * mag else -1.0
        for k in range(kp):
            cell = list(poly)
            for j in range(kp):
                if j == k or tol[k][j] < 0.0:
                    continue
                d = [g[k][c] - g[j][c] for c in range(3)]
                vals = [d[0] * x + d[1] * y + d[2] for x, y in cell]
                sg = [1 if v > tol[k][j] else (-1 if v < -tol[k][j] else 0) for v in vals]
                if sg.count(-1) == 0:
                    continue
                new = []
                c = len(cell)
                for v in range(c):
                    vn = (v + 1) % c
                    if sg[v] >= 0:
                        new.append(cell[v])
                    if sg[v] * sg[vn] < 0:
                        t = vals[v] / (vals[v] - vals[vn])
                        new.append(
                            (
                                cell[v][0] + t * (cell[vn][0] - cell[v][0]),
                                cell[v][1] + t * (cell[vn][1] - cell[v][1]),
                            )
                        )
                cell = new
                if len(cell) < 3:
                    break
            if len(cell) < 3:
                continue
            for j in range(k + 1, kp):
                if tol[k][j] < 0.0:
                    continue
                d = [g[k][c] - g[j][c] for c in range(3)]
                c = len(cell)
                for v in range(c):
                    vn = (v + 1) % c
                    va = d[0] * cell[v][0] + d[1] * cell[v][1] + d[2]
                    vb = d[0] * cell[vn][0] + d[1] * cell[vn][1] + d[2]
                    if abs(va) <= tol[k][j] and abs(vb) <= tol[k][j]:
                        segs.append((*cell[v], *cell[vn]))
                        pairs.append((k, j))
    return (
        np.array(segs, dtype=np.float64).reshape(-1, 4),
        np.array(pairs, dtype=np.int32).reshape(-1, 2),
    )


def mesh_reference(
    offsets: np.ndarray, vertices: np.ndarray, maps: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Twin of mesh_kernel with numpy: (triangles, region id per vertex, values per vertex)."""
    R = len(offsets) - 1
    counts = np.diff(offsets)
    region = np.repeat(np.arange(R, dtype=np.int32), counts)
    tris = [
        (offsets[r], offsets[r] + v, offsets[r] + v + 1)
        for r in range(R)
        for v in range(1, counts[r] - 1)
    ]
    tri = np.array(tris, dtype=np.uint32).reshape(-1, 3)
    M = maps[region]
    values = M[:, :, 0] * vertices[:, :1] + M[:, :, 1] * vertices[:, 1:2] + M[:, :, 2]
    return tri, region, values


def grid_patterns(net, bounds: tuple[float, float, float, float], n: int) -> np.ndarray:
    """Activation patterns of the n x n pixel centres of `bounds` (rows of bools, numpy)."""
    xmin, xmax, ymin, ymax = bounds
    xs = xmin + (np.arange(n) + 0.5) * (xmax - xmin) / n
    ys = ymin + (np.arange(n) + 0.5) * (ymax - ymin) / n
    X = np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2)
    return net.activation_pattern(X)
