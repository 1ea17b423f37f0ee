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


@pytest.mark.parametrize("act", ["leaky_relu", "hardtanh", "abs"])
def test_branch_free_rows_and_zero_rows_match_the_reference_to_the_bit(act):
    # layer 1 holds neurons whose map is zero (no weights, no bias): their rows are dropped in
    # the second loop for leaky ReLU and abs, kept (a piece's offset) for hardtanh; the rows of
    # every piece (slope 0, 1 or the leak; offsets +-1), also added to a residual layer's input,
    # must equal _map_kernels._input_feature's branches, and the zeros keep their sign
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
