"""Reference scenes for the renderer's tests, benchmark and screenshots (plain numpy, slow).

A small, independent implementation of the exact partition of a rectangle by a ReLU network
(the polygon-splitting algorithm of MATH.md section 1, in plain Python), so the rendering layer
can be tested and benchmarked against exact geometry without depending on sandbox.geometry. It
takes about a second for a thousand regions: fine for tests and benchmarks, far too slow for the
app, which uses sandbox.geometry. Also here: the mesh arrays the field pass takes (fan
triangulation, per-vertex logits), the decision boundary, the last-layer Laplace coefficients
for a given posterior covariance, and a complete demo scene.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from . import palette

Layers = Sequence[tuple[np.ndarray, np.ndarray]]


@dataclass
class Partition:
    """Exact linear regions of a network in a rectangle.

    polygons[r]: (n, 2) CCW vertices; patterns (R, N) bool activation pattern; feat_A (R, H, 2)
    and feat_c (R, H): last hidden layer h = A x + c on the region; out_A (R, K, 2), out_c (R, K):
    the output; creases (S, 4) segments with crease_layer (S,) (0-based hidden layer) and
    crease_neuron (S,).
    """

    polygons: list[np.ndarray]
    patterns: np.ndarray
    feat_A: np.ndarray
    feat_c: np.ndarray
    out_A: np.ndarray
    out_c: np.ndarray
    creases: np.ndarray
    crease_layer: np.ndarray
    crease_neuron: np.ndarray

    @property
    def n_regions(self) -> int:
        return len(self.polygons)


def _split(poly: np.ndarray, v: np.ndarray, s: np.ndarray):
    """Sutherland-Hodgman split of a convex polygon by the sign of an affine function."""
    pos, neg, chord = [], [], []
    n = len(poly)
    for k in range(n):
        j = (k + 1) % n
        if s[k] >= 0:
            pos.append(poly[k])
        if s[k] <= 0:
            neg.append(poly[k])
        if s[k] == 0:
            chord.append(poly[k])
        if s[k] * s[j] < 0:
            t = v[k] / (v[k] - v[j])
            x = poly[k] + t * (poly[j] - poly[k])
            pos.append(x)
            neg.append(x)
            chord.append(x)
    return np.array(pos), np.array(neg), chord


def partition(layers: Layers, bounds: tuple[float, float, float, float], eps: float = 1e-12):
    """Exact partition of the rectangle `bounds` = (xmin, ymin, xmax, ymax) by the network."""
    layers = [(np.asarray(W, np.float64), np.asarray(b, np.float64)) for W, b in layers]
    x0, y0, x1, y1 = bounds
    rect = np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], dtype=np.float64)
    # region: polygon, A, c, pattern bits so far
    regions = [(rect, np.eye(2), np.zeros(2), [])]
    creases, crease_layer, crease_neuron = [], [], []
    for li, (W, b) in enumerate(layers[:-1]):
        n_l = W.shape[0]
        current = [(poly, A, c, bits, np.zeros(n_l, bool)) for poly, A, c, bits in regions]
        for i in range(n_l):
            w = W[i]
            nxt = []
            for poly, A, c, bits, q in current:
                a = A.T @ w
                beta = w @ c + b[i]
                v = poly @ a + beta
                tol = eps * max(1.0, float(np.abs(v).max()))
                s = np.where(v > tol, 1, np.where(v < -tol, -1, 0))
                if not (s > 0).any():
                    nxt.append((poly, A, c, bits, q))
                    continue
                if not (s < 0).any():
                    q = q.copy()
                    q[i] = True
                    nxt.append((poly, A, c, bits, q))
                    continue
                pos, neg, chord = _split(poly, v, s)
                qp = q.copy()
                qp[i] = True
                nxt.append((pos, A, c, bits, qp))
                nxt.append((neg, A, c, bits, q))
                if len(chord) >= 2:
                    pts = np.array(chord)
                    d = ((pts[:, None, :] - pts[None, :, :]) ** 2).sum(-1)
                    ia, ib = np.unravel_index(np.argmax(d), d.shape)
                    creases.append(np.concatenate([pts[ia], pts[ib]]))
                    crease_layer.append(li)
                    crease_neuron.append(i)
            current = nxt
        regions = []
        for poly, A, c, bits, q in current:
            qf = q.astype(np.float64)
            regions.append((poly, qf[:, None] * (W @ A), qf * (W @ c + b), bits + list(q)))
    Wo, bo = layers[-1]
    polygons = [r[0] for r in regions]
    feat_A = np.array([r[1] for r in regions])
    feat_c = np.array([r[2] for r in regions])
    return Partition(
        polygons=polygons,
        patterns=np.array([r[3] for r in regions], dtype=bool),
        feat_A=feat_A,
        feat_c=feat_c,
        out_A=np.einsum("kh,rhd->rkd", Wo, feat_A),
        out_c=feat_c @ Wo.T + bo,
        creases=np.array(creases, dtype=np.float64).reshape(-1, 4),
        crease_layer=np.array(crease_layer, dtype=np.int32),
        crease_neuron=np.array(crease_neuron, dtype=np.int32),
    )


def mesh_arrays(part: Partition) -> dict[str, np.ndarray]:
    """Fan-triangulated mesh with per-region duplicated vertices and exact vertex logits."""
    counts = np.array([len(p) for p in part.polygons])
    vertices = np.concatenate(part.polygons)
    region = np.repeat(np.arange(part.n_regions, dtype=np.int32), counts)
    logits = np.einsum("vkd,vd->vk", part.out_A[region], vertices) + part.out_c[region]
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    tris = [
        np.stack([np.full(n - 2, s), s + np.arange(1, n - 1), s + np.arange(2, n)], axis=1)
        for s, n in zip(starts, counts, strict=True)
    ]
    return {
        "vertices": vertices,
        "triangles": np.concatenate(tris).astype(np.uint32),
        "region": region,
        "logits": logits,
    }


def _clip_halfplane(poly: np.ndarray, a: np.ndarray, beta: float) -> np.ndarray:
    """Keep the part of a convex polygon where a.x + beta >= 0."""
    if len(poly) < 3:
        return poly
    v = poly @ a + beta
    s = np.sign(v).astype(int)
    if (s >= 0).all():
        return poly
    if (s <= 0).all():
        return poly[:0]
    return _split(poly, v, s)[0]


def boundary_segments(part: Partition) -> np.ndarray:
    """Decision boundary (S, 4): where the top two classes tie, clipped to every region."""
    k_count = part.out_A.shape[1]
    segs = []
    for r, poly in enumerate(part.polygons):
        A, c = part.out_A[r], part.out_c[r]
        for j in range(k_count):
            for k in range(j + 1, k_count):
                cell = poly
                for i in range(k_count):
                    if i in (j, k):
                        continue
                    cell = _clip_halfplane(cell, A[j] - A[i], c[j] - c[i])
                if len(cell) < 2:
                    continue
                v = cell @ (A[j] - A[k]) + (c[j] - c[k])
                tol = 1e-12 * max(1.0, float(np.abs(v).max()))
                s = np.where(v > tol, 1, np.where(v < -tol, -1, 0))
                if (s > 0).all() or (s < 0).all():
                    continue
                chord = _split(cell, v, s)[2]
                if len(chord) >= 2:
                    pts = np.array(chord)
                    d = ((pts[:, None, :] - pts[None, :, :]) ** 2).sum(-1)
                    ia, ib = np.unravel_index(np.argmax(d), d.shape)
                    if d[ia, ib] > 0:
                        segs.append(np.concatenate([pts[ia], pts[ib]]))
    return np.array(segs, dtype=np.float64).reshape(-1, 4)


def jacobian_basis(part: Partition, n_classes: int) -> np.ndarray:
    """E (R, K, P, 3): the last-layer Jacobian row of logit k is E[r, k] @ (x, y, 1) on region r.

    Parameters theta = [rows of W_o (K x H), then b_o (K)], as in MATH.md section 3.
    """
    r_count, h = part.feat_c.shape
    p = n_classes * h + n_classes
    E = np.zeros((r_count, n_classes, p, 3))
    for k in range(n_classes):
        E[:, k, k * h : (k + 1) * h, :2] = part.feat_A
        E[:, k, k * h : (k + 1) * h, 2] = part.feat_c
        E[:, k, n_classes * h + k, 2] = 1.0
    return E


def laplace_coefficients(
    part: Partition, output: tuple[np.ndarray, np.ndarray], sigma: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per-region mean-logit (R, K, 3) and logit-variance (R, K, 6) coefficients."""
    Wo, bo = output
    k_count = Wo.shape[0]
    mean = np.zeros((part.n_regions, k_count, 3))
    mean[:, :, :2] = part.out_A
    mean[:, :, 2] = part.out_c
    E = jacobian_basis(part, k_count)
    M = np.einsum("rkpi,pq,rkqj->rkij", E, sigma, E)
    var = np.stack(
        [
            M[..., 0, 0],
            2.0 * M[..., 0, 1],
            M[..., 1, 1],
            2.0 * M[..., 0, 2],
            2.0 * M[..., 1, 2],
            M[..., 2, 2],
        ],
        axis=-1,
    )
    return mean, var


# ---------------------------------------------------------------------- CPU forward references
def forward(layers: Layers, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(features h_L, logits) of the network at points X (N, 2), float64."""
    h = np.asarray(X, dtype=np.float64)
    for W, b in layers[:-1]:
        h = np.maximum(h @ np.asarray(W).T + b, 0.0)
    Wo, bo = layers[-1]
    return h, h @ np.asarray(Wo).T + bo


def logit_variance(features: np.ndarray, sigma: np.ndarray, n_classes: int) -> np.ndarray:
    """v_kk = J_k Sigma J_k^T at each point, J_k = [0.. phi^T (block k) ..0, e_k]."""
    n, h = features.shape
    J = np.zeros((n, n_classes, n_classes * h + n_classes))
    for k in range(n_classes):
        J[:, k, k * h : (k + 1) * h] = features
        J[:, k, n_classes * h + k] = 1.0
    return np.einsum("nkp,pq,nkq->nk", J, sigma, J)


def laplace_covariance(layers: Layers, X: np.ndarray, prior_precision: float) -> np.ndarray:
    """Last-layer Laplace posterior covariance (GGN, softmax), MATH.md section 3."""
    phi, logits = forward(layers, X)
    k_count = logits.shape[1]
    p = palette.softmax(logits)
    n, h = phi.shape
    J = np.zeros((n, k_count, k_count * h + k_count))
    for k in range(k_count):
        J[:, k, k * h : (k + 1) * h] = phi
        J[:, k, k_count * h + k] = 1.0
    lam = np.einsum("nk,kl->nkl", p, np.eye(k_count)) - p[:, :, None] * p[:, None, :]
    P = np.einsum("nkp,nkl,nlq->pq", J, lam, J) + prior_precision * np.eye(J.shape[2])
    return np.linalg.inv(P)


def random_layers(sizes: Sequence[int], seed: int = 0, bias_std: float = 0.1) -> list:
    """He-normal weights and N(0, bias_std^2) biases, W of shape (out, in)."""
    rng = np.random.default_rng(seed)
    return [
        (rng.normal(0, np.sqrt(2.0 / n_in), (n_out, n_in)), rng.normal(0, bias_std, n_out))
        for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True)
    ]


def crease_colors(part: Partition, alpha: float = 0.9) -> np.ndarray:
    """RGBA per crease segment, coloured by layer."""
    n_layers = int(part.crease_layer.max()) + 1 if len(part.crease_layer) else 0
    return palette.layer_colors(max(n_layers, 1), alpha)[part.crease_layer]
