"""Exact measurements that level goals need and the geometry core does not offer as such.

`segment_crossings` walks a segment through the network layer by layer and returns every point
where some neuron's pre-activation changes sign on it: exact (up to float64 rounding), because
between the kinks found so far every pre-activation of the next layer is affine in the segment
parameter, so a sign change inside a piece is one linear root. `bent_creases` counts neurons of
layer 2 and deeper whose crease changes direction (from the exact crease segments of a
partition). `dead_neurons`, `copycat_pairs` and `prune_neuron` serve the dead-neuron lesson:
a copycat is a neuron whose incoming weights and bias are a positive multiple of another's in the
same layer, so its output is that multiple of the other's and pruning can fold it into its twin
without changing the network's function.
"""

from __future__ import annotations

import itertools

import numpy as np

from sandbox.nn import MLP
from sandbox.nn.activations import pieces

COPYCAT_COSINE = 1.0 - 1e-9
BEND_TOLERANCE = 1e-6  # |sin| of the angle between two pieces of one crease that counts as a bend


def segment_crossings(net: MLP, p: np.ndarray, q: np.ndarray) -> list[tuple[float, int, int]]:
    """(t, layer, neuron) for each crease crossing of the segment p + t (q - p), 0 < t < 1.

    `layer` is 1-based, `neuron` 0-based within its layer (as in geometry's Creases). A crease
    is where the pre-activation crosses one of the activation's kinks (0 for ReLU; -1 and +1
    for hardtanh, so one of its neurons can cross twice); a smooth activation has none. A
    pre-activation that only touches a kink without crossing it is not a crossing.
    """
    try:
        kinks = pieces(net.activation, net.negative_slope).breakpoints
    except ValueError:
        return []  # smooth: no creases at all
    p = np.asarray(p, dtype=np.float64).reshape(2)
    q = np.asarray(q, dtype=np.float64).reshape(2)
    ts = np.array([0.0, 1.0])
    found: list[tuple[float, int, int]] = []
    n_layers = net.n_hidden_layers
    for layer in range(1, n_layers + 1):
        X = p[None, :] + ts[:, None] * (q - p)[None, :]
        Z = net.preactivations(X)[layer - 1]  # (len(ts), width)
        new_ts = []
        for neuron, kink in itertools.product(range(Z.shape[1]), kinks):
            z = Z[:, neuron] - kink
            nonzero = np.flatnonzero(z != 0.0)
            for a, b in zip(nonzero[:-1], nonzero[1:], strict=True):
                if (z[a] > 0) == (z[b] > 0):
                    continue
                if b == a + 1:
                    # Affine on [ts[a], ts[b]]: one linear root strictly inside.
                    t = ts[a] + (ts[b] - ts[a]) * z[a] / (z[a] - z[b])
                else:
                    # Exact zeros at the breakpoints in between: the sign changes at the first.
                    t = ts[a + 1]
                found.append((float(t), layer, neuron))
                new_ts.append(t)
        if new_ts:
            ts = np.unique(np.concatenate([ts, np.asarray(new_ts)]))
    found.sort()
    return found


def crease_between(net: MLP, p: np.ndarray, q: np.ndarray) -> bool:
    """Whether any neuron's crease crosses the open segment from p to q."""
    return bool(segment_crossings(net, p, q))


def bent_creases(layers: np.ndarray, neurons: np.ndarray, segments: np.ndarray) -> int:
    """Neurons of layer 2+ whose crease pieces (rows x0, y0, x1, y1) point in different directions.

    `layers` (1-based) and `neurons` label each segment, as geometry's Creases does.
    """
    layers = np.asarray(layers)
    neurons = np.asarray(neurons)
    segments = np.asarray(segments, dtype=np.float64).reshape(-1, 4)
    count = 0
    deep = layers >= 2
    if not deep.any():
        return 0
    keys = np.stack([layers[deep], neurons[deep]], axis=1)
    segs = segments[deep]
    for key in np.unique(keys, axis=0):
        mine = segs[np.all(keys == key, axis=1)]
        d = mine[:, 2:] - mine[:, :2]
        length = np.hypot(d[:, 0], d[:, 1])
        d = d[length > 0] / length[length > 0, None]
        if len(d) < 2:
            continue
        cross = d[0, 0] * d[1:, 1] - d[0, 1] * d[1:, 0]
        if np.any(np.abs(cross) > BEND_TOLERANCE):
            count += 1
    return count


def dead_neurons(net: MLP, X: np.ndarray) -> list[tuple[int, int]]:
    """(layer, neuron) pairs (layer 1-based) never switched on (z > 0) at any point of X."""
    X = np.asarray(X, dtype=np.float64).reshape(-1, 2)
    out = []
    for layer, z in enumerate(net.preactivations(X), start=1):
        for neuron in np.flatnonzero(~np.any(z > 0.0, axis=0)):
            out.append((layer, int(neuron)))
    return out


def copycat_pairs(net: MLP) -> list[tuple[int, int, int, float]]:
    """(layer, copy, original, scale) for each neuron that copies an earlier one of its layer.

    The copy's incoming row [w, b] equals scale times the original's, scale > 0, so its output
    is scale times the original's everywhere. Each copy is listed once, with its first original.
    """
    out = []
    for layer, (W, b) in enumerate(net.layers[:-1], start=1):
        rows = np.concatenate([W, b[:, None]], axis=1)
        norms = np.linalg.norm(rows, axis=1)
        copied: set[int] = set()
        for j in range(len(rows)):
            for i in range(j):
                if i in copied or norms[i] == 0.0 or norms[j] == 0.0:
                    continue
                cos = float(rows[i] @ rows[j]) / (norms[i] * norms[j])
                if cos >= COPYCAT_COSINE:
                    out.append((layer, j, i, float(norms[j] / norms[i])))
                    copied.add(j)
                    break
    return out


def prune_neuron(net: MLP, layer: int, neuron: int) -> MLP:
    """A new network without hidden neuron `neuron` of `layer` (1-based).

    A copycat is folded into its twin first (the twin's outgoing weights absorb the pruned
    neuron's, rescaled), so the function does not change; any other neuron is simply removed.
    """
    n_layers = net.n_hidden_layers
    if not 1 <= layer <= n_layers:
        raise ValueError(f"layer is {layer}; allowed: 1 to {n_layers}")
    width = net.hidden_sizes[layer - 1]
    if not 0 <= neuron < width:
        raise ValueError(f"neuron is {neuron}; layer {layer} has neurons 0 to {width - 1}")
    if width == 1:
        raise ValueError(f"layer {layer} has a single neuron; a layer cannot become empty")
    weights = net.weights()
    W_next, b_next = weights[layer]
    for lay, copy, original, scale in copycat_pairs(net):
        if lay != layer:
            continue
        if copy == neuron:
            W_next[:, original] += scale * W_next[:, copy]
            break
        if original == neuron:  # pruning the original: its copy carries on for it
            W_next[:, copy] += W_next[:, original] / scale
            break
    W, b = weights[layer - 1]
    keep = np.arange(width) != neuron
    weights[layer - 1] = (W[keep], b[keep])
    weights[layer] = (W_next[:, keep], b_next)
    return MLP.from_weights(weights, **net.kind())
