"""Reading a region (sandbox.geometry.region_query): formulas against the forward pass at points
sampled inside the region, bits against the pre-activations, areas summing to the window, every
neighbour walk flipping exactly one neuron, arrow steps, patterns found again after training, and
the text forms (rounded for reading, full precision for the clipboard)."""

from __future__ import annotations

import numpy as np
import pytest

from sandbox.geometry import linear_regions
from sandbox.geometry.region_query import (
    affine_text,
    find_pattern,
    flat_to_ref,
    hatch,
    locate,
    neighbours,
    neuron_on,
    read_region,
    ref_to_flat,
    region_report,
    step_towards,
)
from sandbox.nn import MLP

WINDOW = (-3.0, 3.0, -2.0, 2.5)
KINDS = [
    dict(sizes=[2, 8, 8, 2]),
    dict(sizes=[2, 6, 5, 4, 3], activation="leaky_relu"),
    dict(sizes=[2, 5, 5, 1], activation="hardtanh"),
    dict(sizes=[2, 6, 6, 2], residual=True),
]


def partition_of(kind: dict, seed: int = 0):
    kw = dict(kind)
    net = MLP(kw.pop("sizes"), seed=seed, **kw)
    return net, linear_regions(net, WINDOW)


def inside_points(poly: np.ndarray, rng: np.random.Generator, n: int = 6) -> np.ndarray:
    """Random convex combinations of the vertices, pulled towards the centroid (strictly
    inside a convex polygon)."""
    w = rng.dirichlet(np.ones(len(poly)), size=n)
    pts = w @ poly
    return 0.9 * pts + 0.1 * poly.mean(axis=0)


def preactivation_bits(net: MLP, X: np.ndarray) -> np.ndarray:
    zs = net.preactivations(X)
    if net.activation.value == "hardtanh":
        return np.concatenate([np.searchsorted([-1.0, 1.0], z, side="left") for z in zs], axis=1)
    return np.concatenate([(z > 0).astype(np.uint8) for z in zs], axis=1)


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: "-".join(map(str, k.values())))
def test_formula_and_bits_match_the_forward_pass(kind):
    net, part = partition_of(kind)
    rng = np.random.default_rng(1)
    assert len(part) > 10
    for r in rng.choice(len(part), size=min(25, len(part)), replace=False):
        facts = read_region(part, int(r))
        if facts.area < 1e-6:
            continue
        X = inside_points(facts.polygon, rng)
        out = net.forward(X)
        F = facts.formula
        mine = X @ F[:, :2].T + F[:, 2]
        np.testing.assert_allclose(mine, out, rtol=1e-9, atol=1e-9)
        bits = np.concatenate(facts.bits)
        assert (preactivation_bits(net, X) == bits).all()
        assert all(locate(part, p) == r for p in X)


@pytest.mark.parametrize("kind", KINDS[:2], ids=["relu", "leaky"])
def test_areas_sum_to_the_window_and_edges_match_the_polygon(kind):
    _, part = partition_of(kind, seed=3)
    facts = [read_region(part, r) for r in range(len(part))]
    x0, x1, y0, y1 = WINDOW
    assert sum(f.area for f in facts) == pytest.approx((x1 - x0) * (y1 - y0), rel=1e-12)
    for f in facts:
        assert 3 <= f.edges <= len(f.polygon)
        assert 0 <= f.border_edges <= min(4, f.edges)
    # the region in a window corner has two sides on the border
    corner = locate(part, (x0 + 1e-9, y0 + 1e-9))
    assert facts[corner].border_edges >= 2


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: "-".join(map(str, k.values())))
def test_every_neighbour_walk_flips_exactly_one_neuron(kind):
    net, part = partition_of(kind, seed=2)
    walks = 0
    around = [neighbours(part, r) for r in range(len(part))]
    for r in range(len(part)):
        for nb in around[r]:
            walks += 1
            assert len(nb.flipped) == 1, (r, nb)
            ((layer, index),) = nb.flipped
            diff = np.flatnonzero(part.patterns[r] != part.patterns[nb.region])
            assert diff.tolist() == [ref_to_flat([int(n) for n in net.sizes[1:-1]], layer, index)]
            # the shared side is on that neuron's crease: its pre-activation is 0 at both ends
            z = net.preactivations(nb.side)[layer - 1][:, index]
            scale = 1 + np.abs(net.preactivations(nb.side)[layer - 1]).max()
            if kind.get("activation") != "hardtanh":
                np.testing.assert_allclose(z, 0.0, atol=1e-8 * scale)
            # and it is a neighbour both ways
            assert r in [m.region for m in around[nb.region]]
    # every region has a neighbour; a side shared by two regions is seen from both
    assert walks >= 2 * (len(part) - 1)


def test_a_region_inside_the_window_is_surrounded():
    """A region away from the border has as many neighbours as sides (one per side, as no
    creases meet in T-junctions in general position)."""
    _, part = partition_of(KINDS[0], seed=5)
    seen = 0
    for r in range(len(part)):
        f = read_region(part, r)
        if f.border_edges == 0:
            seen += 1
            assert len(f.neighbours) == f.edges
    assert seen > 3


def test_arrow_steps_go_the_way_asked():
    _, part = partition_of(KINDS[0], seed=4)
    r = locate(part, (0.0, 0.0))
    facts = read_region(part, r)
    for direction in ((1, 0), (-1, 0), (0, 1), (0, -1)):
        nb = step_towards(facts.neighbours, direction)
        if nb is None:
            continue
        assert nb.direction @ np.asarray(direction, float) > 0
        others = [m.direction @ np.asarray(direction, float) for m in facts.neighbours]
        assert nb.direction @ np.asarray(direction, float) == max(others)
    assert step_towards((), (1, 0)) is None


def test_a_pattern_is_found_again_after_training_moves_the_creases():
    net, part = partition_of(KINDS[0], seed=6)
    r = locate(part, (0.3, 0.2))
    pattern = read_region(part, r).pattern
    assert find_pattern(part, pattern) == r
    # a small change of the weights moves creases a little: the pattern is still there
    net.params += 1e-4 * np.random.default_rng(0).normal(size=net.params.shape)
    moved = linear_regions(net, WINDOW)
    q = find_pattern(moved, pattern)
    assert q is not None and read_region(moved, q).pattern == pattern
    assert locate(moved, (0.3, 0.2)) == q
    # a pattern no region has, and bad patterns, give None
    assert find_pattern(moved, "1" * 8 + "|" + "1" * 7 + "2") is None
    assert find_pattern(moved, "101") is None
    assert find_pattern(moved, "") is None


def test_neuron_on_marks_the_regions_where_it_is_on():
    net, part = partition_of(KINDS[0], seed=7)
    on = neuron_on(part, 2, 3)
    cents = part.centroids()
    z = net.preactivations(cents)[1][:, 3]
    assert ((z > 0) == on).all()
    assert 0 < on.sum() < len(part)
    with pytest.raises(ValueError, match="does not exist"):
        neuron_on(part, 3, 0)
    assert flat_to_ref([8, 8], 11) == (2, 3)


def test_text_rounds_for_reading_and_copies_at_full_precision():
    assert affine_text((0.123456, -2.5, 1e-9)) == "0.123 x - 2.5 y + 0"
    assert affine_text((-1.0, 0.0, -3.25), 2) == "-1 x + 0 y - 3.2"
    assert affine_text((12345.678, -0.5, 2e-5)) == "12346 x - 0.5 y + 0"
    net, part = partition_of(KINDS[0], seed=8)
    facts = read_region(part, 0)
    text = region_report(facts)
    # the copied numbers read back to the same float64
    for line, row in zip(text.splitlines()[1:], facts.formula, strict=False):
        rhs = line.split("=")[1].replace(" x", "").replace(" y", "").split()
        values = [float(rhs[0])] + [
            float(v) * (-1.0 if s == "-" else 1.0)
            for s, v in zip(rhs[1::2], rhs[2::2], strict=True)
        ]
        assert np.array_equal(values, row)


def test_a_partition_without_regions_refuses_politely():
    net = MLP([2, 4, 2], seed=0, activation="tanh")
    part = linear_regions(net, WINDOW)
    assert locate(part, (0, 0)) is None
    assert find_pattern(part, "0101") is None
    with pytest.raises(ValueError, match="no regions"):
        read_region(part, 0)


def test_hatching_stays_inside_the_lit_regions():
    net, part = partition_of(KINDS[0], seed=9)
    on = neuron_on(part, 1, 2)
    segs = hatch(part, on, spacing=0.1)
    assert len(segs) > 10
    # every chord's midpoint is in a lit region, and the chords of one line never overlap
    for seg in segs[:: max(1, len(segs) // 40)]:
        r = locate(part, 0.5 * (seg[:2] + seg[2:]))
        assert r is not None and on[r]
    # hatch lines run at 45 degrees, on the lines x cos + y sin = k * spacing
    n = np.array([1.0, 1.0]) / np.sqrt(2.0)
    d = segs[:, 2:] - segs[:, :2]
    np.testing.assert_allclose(d @ n, 0.0, atol=1e-9)
    k = segs[:, :2] @ n / 0.1
    np.testing.assert_allclose(k, np.round(k), atol=1e-6)
    assert len(hatch(part, np.zeros(len(part), bool), 0.1)) == 0
