"""The layer pass's shortcuts leave the partition unchanged to the bit (_kernels._layer_pass).

Lines are settled by a bounding-box test before any vertex is looked at, and the pull-back forms
its rows with no branch on a neuron's piece, drops the zero ones in a second loop and sums them
two at a time. Both must give exactly what the reference twin gives, above all where
a line passes through a vertex or within the zero tolerance of one (the box test must then
leave the neuron to the vertex test), near the origin and far from it.
"""

from __future__ import annotations

import numpy as np
import pytest

from sandbox.geometry import linear_regions
from sandbox.geometry.reference import partition_reference
from sandbox.nn import MLP


def _same_as_reference(net: MLP, bounds) -> None:
    P = linear_regions(net, bounds, threads=1)
    ref = partition_reference(net.params, net.layout, len(net.hidden_sizes), bounds)
    assert np.array_equal(P.offsets, ref.offsets)
    assert np.array_equal(P.vertices, ref.vertices)
    assert np.array_equal(P.patterns, ref.patterns)
    assert np.array_equal(P.feature_maps, ref.feature_maps)
    assert np.array_equal(P.creases.segments, ref.crease_segments)
    assert np.array_equal(P.creases.neuron, ref.crease_neuron)
    assert P.n_cuts == ref.n_cuts


def _lines_near_vertices(centre: float, nudges: tuple[float, ...]) -> MLP:
    """Layer 1 makes lines through (centre, centre); layer 2's lines pass through that vertex
    exactly or nudged off it by each of `nudges` (relative to the size of their terms)."""
    c = float(centre)
    W1 = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, -1.0], [1.0, 1.0]])
    b1 = np.array([-c, -c, 0.0, -2.0 * c])
    # layer 2 reads the (on) features; its lines through the vertex are combinations of layer
    # 1's lines, which are all zero there
    W2 = np.array([[1.0, -2.0, 0.5, 0.0], [0.0, 1.0, -1.0, 1.0], [2.0, 1.0, 0.0, -1.0]])
    rows = [W2]
    biases = [np.zeros(3)]
    scale = max(1.0, 4.0 * abs(c))
    for nudge in nudges:
        rows.append(W2[:1])
        biases.append(np.array([nudge * scale]))
    W2 = np.concatenate(rows)
    b2 = np.concatenate(biases)
    Wo = np.ones((2, W2.shape[0]))
    bo = np.zeros(2)
    return MLP.from_weights([(W1, b1), (W2, b2), (Wo, bo)])


NUDGES = (1e-15, -1e-15, 1e-13, -1e-13, 1e-12, -1e-12, 3e-12, 1e-11, -1e-11, 1e-9)


@pytest.mark.parametrize("centre,half", [(0.0, 1.0), (0.0, 1e-9), (1e6, 1.0), (-3e3, 0.5)])
def test_lines_through_and_near_a_vertex_match_the_reference(centre, half):
    net = _lines_near_vertices(centre, NUDGES)
    bounds = (centre - half, centre + half, centre - 0.7 * half, centre + 1.3 * half)
    _same_as_reference(net, bounds)


def test_pull_back_rows_summed_in_pairs_match_the_reference():
    # odd and even widths (a row left after the pairs or not), with leaky ReLU (every row
    # summed) and ReLU (only the on rows)
    for act in ("relu", "leaky_relu"):
        for width in (5, 6, 7, 8):
            net = MLP([2, width, width + 1, 2], seed=width, activation=act)
            P = linear_regions(net, (-2.0, 2.0, -2.0, 2.0), threads=1)
            ref = partition_reference(
                net.params, net.layout, 2, (-2.0, 2.0, -2.0, 2.0), pieces=_pieces(net)
            )
            assert np.array_equal(P.vertices, ref.vertices)
            assert np.array_equal(P.feature_maps, ref.feature_maps)


@pytest.mark.parametrize("act", ["relu", "leaky_relu", "hardtanh", "abs"])
def test_branch_free_rows_and_zero_rows_match_the_reference_to_the_bit(act):
    # layer 1 holds neurons whose map is zero (no weights, no bias): their rows are dropped in
    # the second loop for leaky ReLU and abs, kept (a piece's offset) for hardtanh; the rows of
    # every piece (slope 0, 1 or the leak; offsets +-1), also added to a residual layer's input,
    # must equal reference._on_piece's branches, and the zeros keep their sign. ReLU's
    # residual layer 1 gathers its on rows only and writes zeros for the off ones as the
    # features the last layer's maps add
    bounds = (-2.0, 2.0, -2.0, 2.0)
    for res in (False, True):
        net = MLP([2, 6, 6, 2], seed=3, activation=act, residual=res)
        W1, b1 = net.layers[0]
        W1[[1, 4]] = 0.0
        b1[[1, 4]] = 0.0
        P = linear_regions(net, bounds, threads=1)
        ref = partition_reference(
            net.params, net.layout, 2, bounds, pieces=_pieces(net), residual=net.residual_layers
        )
        assert len(P) == len(ref.offsets) - 1 > 4
        assert np.array_equal(P.vertices, ref.vertices)
        assert np.array_equal(P.feature_maps, ref.feature_maps)
        assert np.array_equal(np.signbit(P.feature_maps), np.signbit(ref.feature_maps))


def _pieces(net: MLP):
    from sandbox.nn.activations import pieces

    return pieces(net.activation, net.negative_slope)


def _lines_touching_a_corner(bounds, nudges: tuple[float, ...]) -> MLP:
    """Lines x + y = xmin + ymin + nudge: through the window's corner (the box test's worst
    case: the line touches the bounding box), off it by less or more than the zero tolerance.
    Layer 1 holds them directly; layer 2 the same lines through two always-on features."""
    xmin, _, ymin, _ = bounds
    scale = max(1.0, abs(xmin) + abs(ymin))
    offs = np.array([0.0, *nudges]) * scale
    W1 = np.array([[1.0, 0.0], [0.0, 1.0]] + [[1.0, 1.0]] * len(offs))
    b1 = np.concatenate([[1.0 - xmin, 1.0 - ymin], -(xmin + ymin) - offs])
    n1 = W1.shape[0]
    W2 = np.zeros((len(offs), n1))
    W2[:, 0] = 1.0
    W2[:, 1] = 1.0
    b2 = -2.0 - offs
    Wo = np.ones((2, len(offs)))
    return MLP.from_weights([(W1, b1), (W2, b2), (Wo, np.zeros(2))])


@pytest.mark.parametrize(
    "bounds", [(-1.0, 1.0, -1.0, 1.0), (1e6, 1e6 + 2.0, -1e6, -1e6 + 1.0), (3.0, 3.5, 7.0, 9.0)]
)
def test_lines_touching_a_corner_match_the_reference(bounds):
    _same_as_reference(_lines_touching_a_corner(bounds, NUDGES + (-3e-12, -1e-9)), bounds)


@pytest.mark.parametrize("act", ["relu", "leaky_relu", "hardtanh"])
def test_rows_handed_on_by_a_parent_give_the_same_bits(act):
    # a region split from another piece of its input region starts from its parent's sums
    # after the rows they share; without parents (all -1) every region sums all its rows: the
    # layer must come out the same to the bit, also where the output rows grow mid-layer (the
    # pass resumes at a region whose sums may already be written) and for a range that starts
    # mid-layer (the second thread's half: parents before it are not used)
    from sandbox.geometry import _cutting as C
    from sandbox.geometry import _kernels as K
    from sandbox.nn.activations import pieces

    net = MLP([2, 36, 36, 36, 2], seed=5, activation=act)  # over SHARE_MIN_SIZE
    pc = pieces(net.activation, net.negative_slope)
    kp = tuple(np.asarray(x, dtype=np.float64) for x in (pc.breakpoints, pc.slopes, pc.offsets))
    bounds = np.array([-4.0, 4.0, -4.0, 4.0])
    cut = C.cut_layers(net.params, net.layout, 2, bounds, 1e-12, 10**5, 10**9, 2**28, 1, pieces=kp)
    R, h = len(cut.groups), int(net.layout[:, 1][:3].sum())
    par = cut.buffers["par_b"][:R].copy()
    assert (par >= 0).sum() > R // 2  # most regions have a parent
    pat = np.zeros((R, h), np.uint8)
    pat[:, : cut.patterns.shape[1]] = cut.patterns
    inputs = (cut.offsets.copy(), cut.vertices.copy(), cut.maps.copy(), cut.groups.copy(), pat)
    C.give_back(cut.buffers)

    def layer(parents, r0):
        off, V, G, grp, pat = inputs
        oG = np.zeros((R, 3, 36))
        out = K.run_layer(
            net.params, net.layout, 2, *kp, False, False, h, r0, R, off, V, G, grp, pat,
            parents, oG, np.zeros((0, 0)), np.zeros((1, 3, 1)),
            np.zeros(1, np.int64), 0, 0, np.empty(1, np.int64), np.empty((1, 2)),
            np.empty(1, np.int64),
            np.empty(1, np.uint8), np.empty(1, np.int64), np.empty((1, 4)),
            np.empty(1, np.int32), np.empty(1, np.int32), 0, np.empty((1, 2)),
            np.empty(1, np.int64), np.empty(1, np.int64), np.empty(1, np.uint8), 1e-12, 10**5,
            10**5 + 1, 0, 10**9,
        )  # fmt: skip
        n, nc = out[1], out[2]
        assert out[0] == K.STATUS_OK
        # the output rows grew mid-layer (hardtanh's layer 3 adds fewer pieces)
        assert n > 2 * (R - r0) or act == "hardtanh"
        ooff, oV, ogrp, opat = out[5:9]
        return (oG[r0:], ooff[: n + 1], oV[: ooff[n]], ogrp[:n], opat[: n * h], out[9][:nc])

    for r0 in (0, R // 3):
        shared = layer(par, r0)
        alone = layer(np.full(R, -1, np.int64), r0)
        for a, b in zip(shared, alone, strict=True):
            assert a.tobytes() == b.tobytes()
