"""The edges of a partition's final regions that lie on a neuron's crease: what the 3D surface
lifts as its creases (sandbox.geometry.surface). The partition's own creases are the cuts as
they were made, each possibly crossing several final regions; a folded surface needs them split
at every vertex, each piece on one facet's edge.

`crease_edges` finds them with one matrix product per layer and `crease_edge_kernel`
(_drawing_kernels.py) for the test of every edge; `_crease_edges_numpy` is its numpy twin.
"""

from __future__ import annotations

import numpy as np

from sandbox.nn.activations import pieces as activation_pieces

from ._drawing_kernels import crease_edge_kernel
from .regions import Partition

ZERO_REL = 1e-9  # a pre-activation counts as zero below this fraction of its magnitude
# vertices at a time (whole regions): a 64-wide layer's pre-activations within 16 MB, which
# the allocator keeps for the next chunk (whole layers of 8 x 64 took 2 GB of fresh pages)
CHUNK_VERTICES = 32768


def crease_edges(partition: Partition, net) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Edges of the final regions lying on a neuron's crease: segments (E, 4), layer (E,) 1-based
    and neuron (E,). Each edge is reported once, from the region on the neuron's active side.

    An edge lies on neuron j's crease when j's pre-activation is zero at both of its ends (it is
    affine along the edge); zero means below 1e-9 of the neuron's largest possible magnitude in
    the window, |W_j| . max|h| + |b_j|. The pre-activations are one matrix product per layer
    (BLAS); the test of every edge and the activations are `crease_edge_kernel` (8 x 64's 447,000
    vertices: 4.2 s, against 9.7 s for `_crease_edges_numpy`, its numpy twin). More vertices
    than CHUNK_VERTICES are taken that many at a time (whole regions), after a first pass for
    the tolerances (each layer's max|h| over every vertex): 8 x 64's whole layers took 2 GB
    of fresh pages."""
    P, V = partition, partition.vertices
    if len(V) == 0:
        return _no_edges()
    nxt, pc = _next_vertex(P), activation_pieces(net.activation, net.negative_slope)
    slopes = np.asarray(pc.slopes, dtype=np.float64)
    toffs = np.asarray(pc.offsets, dtype=np.float64)
    breakpoints = np.asarray(pc.breakpoints, dtype=np.float64)
    pats = P.patterns.view(np.uint8) if P.patterns.dtype == np.bool_ else P.patterns
    pats = np.ascontiguousarray(pats, dtype=np.uint8)
    rid = np.ascontiguousarray(P.region_ids, dtype=np.int64)
    layers = list(zip(net.layers[: P.upto_layer], net.residual_layers, strict=False))
    chunks = _region_chunks(P.offsets)
    walk = (V, layers, chunks, nxt, rid, (breakpoints, slopes, toffs, pats))
    tols = None  # one chunk (all but the biggest networks): each layer's from its one pass
    if len(chunks) > 1:  # first each layer's max|h| over every vertex; no edge meets -1
        tops = [np.zeros(W.shape[1]) for (W, _), _ in layers]
        _walk(*walk, [np.full(W.shape[0], -1.0) for (W, _), _ in layers], tops)
        tols = [_tolerance(W, b, top) for ((W, b), _), top in zip(layers, tops, strict=True)]
    e, j = _walk(*walk, tols)
    order = np.lexsort((j, e))  # as numpy's nonzero over (edge, neuron) gives them
    e, j = e[order], j[order]
    return _edge_crease_arrays(P, V, nxt, e, j)


def _region_chunks(offsets: np.ndarray) -> list[tuple[int, int]]:
    """Vertex ranges of whole regions, each about CHUNK_VERTICES long (a region longer than
    that alone)."""
    offsets = np.asarray(offsets, dtype=np.int64)
    total = int(offsets[-1])
    chunks, start = [], 0
    while start < total:
        k = int(np.searchsorted(offsets, start + CHUNK_VERTICES, side="right")) - 1
        end = int(offsets[k]) if int(offsets[k]) > start else int(offsets[k + 1])
        chunks.append((start, end))
        start = end
    return chunks


def _walk(V, layers, chunks, nxt, rid, kernel_args, tols, tops=None):
    """The regions a chunk at a time through the layers: the edges (and their neurons) that
    crease_edge_kernel finds on each layer's creases with `tols` (one per layer; None: each
    layer's own from its inputs, right when there is one chunk), and, given `tops`, each
    layer's max|h| over its inputs gathered into them."""
    found_e, found_j = [], []
    for v0, v1 in chunks:
        h, near = V[v0:v1], nxt[v0:v1] - v0  # a region's next vertex is in its own chunk
        col = 0
        for k, ((W, b), res) in enumerate(layers):
            if tops is not None:
                np.maximum(tops[k], np.abs(h).max(axis=0), out=tops[k])
            if tols is None:
                z, tol = _preactivations(h, W, b)
            else:
                z, tol = h @ W.T, tols[k]
                z += b
            e, j, h_new = crease_edge_kernel(z, near, tol, *kernel_args, rid[v0:v1], col)
            found_e.append(e + v0)
            found_j.append(j)
            h = h + h_new if res else h_new
            col += W.shape[0]
    return np.concatenate(found_e), np.concatenate(found_j)


def _no_edges() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return np.zeros((0, 4)), np.zeros(0, np.int32), np.zeros(0, np.int32)


def _preactivations(h: np.ndarray, W: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A layer's pre-activations at every vertex, and the tolerance under which one is zero."""
    z = h @ W.T
    z += b
    return z, _tolerance(W, b, np.abs(h).max(axis=0))


def _tolerance(W: np.ndarray, b: np.ndarray, top: np.ndarray) -> np.ndarray:
    """Each neuron's zero tolerance, its largest possible magnitude times ZERO_REL, from the
    largest |h| of the layer's inputs."""
    return ZERO_REL * (np.abs(W) @ top + np.abs(b))


def _next_vertex(P: Partition) -> np.ndarray:
    """For each vertex, the next one around its region."""
    nxt = np.arange(len(P.vertices)) + 1
    nxt[P.offsets[1:] - 1] = P.offsets[:-1]
    return nxt


def _edge_crease_arrays(P: Partition, V, nxt, e, j) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    starts = np.cumsum([0, *P.sizes[1 : P.upto_layer + 1]])
    layer = np.searchsorted(starts, j, side="right").astype(np.int32)
    neuron = (j - starts[layer - 1]).astype(np.int32)
    return np.concatenate([V[e], V[nxt[e]]], axis=1), layer, neuron


def _crease_edges_numpy(partition: Partition, net) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """crease_edges in numpy alone (its twin in the tests)."""
    P, V = partition, partition.vertices
    if len(V) == 0:
        return _no_edges()
    nxt, pc = _next_vertex(P), activation_pieces(net.activation, net.negative_slope)
    slopes = np.asarray(pc.slopes)
    toffs = np.asarray(pc.offsets)
    pats = P.patterns[P.region_ids]
    on_parts = []
    h = V
    col = 0
    for (W, b), res in zip(net.layers[: P.upto_layer], net.residual_layers, strict=False):
        z, tol = _preactivations(h, W, b)
        q = pc.piece(z)
        h_new = z * slopes[q] + toffs[q]
        h = h + h_new if res else h_new
        n = W.shape[0]
        on = np.zeros(z.shape, dtype=bool)
        piece = pats[:, col : col + n].astype(np.int64)
        for kb, bp in enumerate(pc.breakpoints):
            # an edge on breakpoint kb, reported from the region on its upper side
            zero = np.abs(z - bp) <= tol
            on |= zero & zero[nxt] & (piece == kb + 1)
        on_parts.append(on)
        col += n
    on = np.concatenate(on_parts, axis=1)
    e, j = np.nonzero(on)
    return _edge_crease_arrays(P, V, nxt, e, j)
