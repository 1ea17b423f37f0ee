"""Exact linear regions: numba kernels against their plain-Python twins, the invariants of MATH.md
section 1 on random networks and windows, degenerate cases, counts, mesh, colours, bad input."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sandbox.geometry import (
    RegionMesh,
    crease_colors,
    linear_regions,
    ray_probe,
    region_colors,
    serra_bound,
)
from sandbox.geometry import _kernels as K
from sandbox.geometry.colors import pattern_hashes, pattern_hashes_numpy
from sandbox.geometry.reference import (
    boundary_reference,
    grid_patterns,
    mesh_reference,
    partition_reference,
)
from sandbox.nn import MLP

SQUARE = (-1.0, 1.0, -1.0, 1.0)
WIDE = (-6.0, 6.0, -6.0, 6.0)
TINY = (0.01, 0.01 + 1e-6, -0.02, -0.02 + 2e-6)
FAR = (-1000.0, 1000.0, -1000.0, 1000.0)


def grid_points(bounds, n):
    xs = np.linspace(bounds[0], bounds[1], n)
    ys = np.linspace(bounds[2], bounds[3], n)
    return np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2)


def net_from(layers):
    return MLP.from_weights([(np.asarray(W, float), np.asarray(b, float)) for W, b in layers])


# ----------------------------------------------------------------------------- invariant checks
def term_scales(net, X, xscale=0.0):
    """Magnitude of the terms summed into each pre-activation and output at X: (|W| |h| + |b|)
    propagated through the active neurons, with |x| + xscale for the inputs (vertices carry
    rounding relative to the window's coordinates). Rounding errors are relative to these, not
    to the (possibly cancelled) values themselves."""
    h = np.asarray(X, float)
    habs = np.abs(h) + xscale
    zscales = []
    for W, b in net.layers[:-1]:
        z = h @ W.T + b
        zabs = habs @ np.abs(W).T + np.abs(b)
        zscales.append(zabs)
        h = np.maximum(z, 0.0)
        habs = zabs * (z > 0)
    W, b = net.layers[-1]
    return zscales, habs @ np.abs(W).T + np.abs(b)


def map_scale(maps, X, region, xscale=0.0):
    M = maps[region]
    X = np.abs(np.asarray(X, float)) + xscale
    return np.abs(M[:, :, 0]) * X[:, :1] + np.abs(M[:, :, 1]) * X[:, 1:2] + np.abs(M[:, :, 2])


def assert_close_terms(got, want, scale, rel=1e-9):
    assert np.all(np.abs(got - want) <= rel * scale + 1e-300), np.max(np.abs(got - want) / scale)


def check_invariants(net, P, bounds):
    """Every invariant of MATH.md section 1 that holds for any network and window."""
    xmin, xmax, ymin, ymax = bounds
    R = len(P)
    assert R >= 1 and not P.too_many
    assert P.offsets[0] == 0 and P.offsets[-1] == len(P.vertices)
    assert np.all(np.diff(P.offsets) >= 3)
    # regions = 1 + successful cuts
    assert R == 1 + P.n_cuts
    # vertices inside the window (interpolated points may round by an ulp)
    scale = max(abs(xmin), abs(xmax), abs(ymin), abs(ymax))
    slack = 1e-12 * scale
    V = P.vertices
    assert np.all(V[:, 0] >= xmin - slack) and np.all(V[:, 0] <= xmax + slack)
    assert np.all(V[:, 1] >= ymin - slack) and np.all(V[:, 1] <= ymax + slack)
    # areas sum to the window, every polygon convex and counter-clockwise
    area = (xmax - xmin) * (ymax - ymin)
    areas = P.areas()
    # (exactly concurrent lines may leave rounding-size slivers, never a visible flip)
    assert np.all(areas >= -1e-14 * area)
    assert abs(areas.sum() - area) <= 1e-9 * area
    nxt = np.arange(len(V)) + 1
    nxt[P.offsets[1:] - 1] = P.offsets[:-1]
    e = V[nxt] - V
    e_next = e[nxt]
    cross = e[:, 0] * e_next[:, 1] - e[:, 1] * e_next[:, 0]
    elen = np.hypot(e[:, 0], e[:, 1]) * np.hypot(e_next[:, 0], e_next[:, 1])
    assert np.all(cross >= -1e-9 * elen - 1e-300)
    # region maps equal the forward pass at the centroid and next to every vertex
    cen = P.centroids()
    ok = areas > 1e-14 * area
    assert ok.sum() >= 1
    idx = np.flatnonzero(ok)
    reg = P.region_ids
    near = V + 1e-7 * (cen[reg] - V)
    keep = ok[reg]
    for pts, rid in ((cen[ok], idx), (near[keep], reg[keep])):
        _, out_scale = term_scales(net, pts, scale)
        tol_scale = np.maximum(out_scale, map_scale(P.output_maps, pts, rid, scale))
        assert_close_terms(P.logits(pts, rid), net.forward(pts), tol_scale)
    # feature maps too, and the activation pattern at the centroid is the region's pattern
    c = cen[ok]
    F = P.feature_maps[ok]
    h = F[:, :, 0] * c[:, :1] + F[:, :, 1] * c[:, 1:2] + F[:, :, 2]
    zscales, _ = term_scales(net, c, scale)
    fscale = np.maximum(zscales[-1], map_scale(P.feature_maps, c, idx, scale))
    assert_close_terms(h, net.features(c), fscale)
    zs = np.concatenate(net.preactivations(c), axis=1)
    clear = np.abs(zs) > 1e-9 * np.concatenate(zscales, axis=1)
    assert np.all((zs > 0)[clear] == P.patterns[ok][clear])
    # a crease's neuron has pre-activation 0 at both ends of each of its segments
    cr = P.creases
    if len(cr):
        starts = np.concatenate([[0], np.cumsum(net.hidden_sizes)])
        col = starts[cr.layer - 1] + cr.neuron
        rows = np.arange(len(cr))
        for ends in (cr.segments[:, :2], cr.segments[:, 2:]):
            z = np.concatenate(net.preactivations(ends), axis=1)[rows, col]
            zsc = np.concatenate(term_scales(net, ends, scale)[0], axis=1)[rows, col]
            assert np.all(np.abs(z) <= 1e-9 * zsc + 1e-300)
        assert np.all((cr.layer >= 1) & (cr.layer <= len(net.hidden_sizes)))
    # no more regions than the Serra bound
    assert R <= serra_bound(net.hidden_sizes)
    # patterns are distinct (an activation region is convex, hence one polygon)
    assert len(np.unique(pattern_hashes(P.patterns))) == R
    return areas


def check_twin(net, bounds, upto=None, level=0.5):
    n_layers = upto or len(net.hidden_sizes)
    P = linear_regions(net, bounds, upto_layer=upto, level=level)
    ref = partition_reference(net.params, net.layout, n_layers, bounds)
    assert np.array_equal(P.offsets, ref.offsets)
    assert np.array_equal(P.vertices, ref.vertices)
    assert np.array_equal(P.patterns, ref.patterns)
    assert np.array_equal(P.feature_maps, ref.feature_maps)
    assert np.array_equal(P.creases.segments, ref.crease_segments)
    assert np.array_equal(P.creases.layer, ref.crease_layer)
    assert np.array_equal(P.creases.neuron, ref.crease_neuron)
    assert P.n_cuts == ref.n_cuts
    if P.output_maps is not None:
        bseg, bcls = boundary_reference(P.offsets, P.vertices, P.output_maps, P.level)
        assert np.array_equal(P.boundary, bseg)
        assert np.array_equal(P.boundary_classes, bcls)
    return P


# ----------------------------------------------------------------------------- twins
@pytest.mark.parametrize(
    "sizes,bounds,seed",
    [
        ([2, 8, 2], SQUARE, 0),
        ([2, 8, 8, 2], SQUARE, 1),
        ([2, 16, 16, 3], WIDE, 2),
        ([2, 5, 7, 3, 2], (-3.0, 3.0, -1.0, 2.0), 3),
        ([2, 4, 4, 4, 4, 4], (-2.0, 2.0, -2.0, 2.0), 4),
        ([2, 1, 2], SQUARE, 5),
        ([2, 6, 6, 1], FAR, 6),
        ([2, 6, 6, 2], TINY, 7),
    ],
)
def test_numba_matches_reference_bit_for_bit(sizes, bounds, seed):
    net = MLP(sizes, seed=seed)
    check_twin(net, bounds)
    if len(sizes) > 3:
        check_twin(net, bounds, upto=1)


def test_numba_matches_reference_when_buffers_grow():
    # 32 lines cut the window into ~500 pieces of one region (over the 256 preallocated) and
    # [32, 32] makes over 1024 crease segments, so every growth path runs.
    check_twin(MLP([2, 32, 2], seed=0), WIDE)
    P = check_twin(MLP([2, 24, 24, 2], seed=1), WIDE)
    assert len(P.creases) > 1024


def _same_partition(P, Q):
    assert len(P) == len(Q) and P.n_cuts == Q.n_cuts and P.too_many == Q.too_many
    for name in ("offsets", "vertices", "patterns", "feature_maps", "boundary"):
        assert np.array_equal(getattr(P, name), getattr(Q, name)), name
    if P.output_maps is not None:
        assert np.array_equal(P.output_maps, Q.output_maps)
    for name in ("segments", "layer", "neuron"):
        assert np.array_equal(getattr(P.creases, name), getattr(Q.creases, name)), name


def test_a_layer_cut_on_two_threads_is_the_same_to_the_bit(monkeypatch):
    from sandbox.geometry import _cutting

    big = MLP([2, 32, 32, 32, 2], seed=3)
    _same_partition(linear_regions(big, WIDE, threads=1), linear_regions(big, WIDE, threads=2))
    # every layer split, even the one-region first layer, and checked against the twin
    monkeypatch.setattr(_cutting, "SPLIT_MIN_WORK", 1)
    for sizes, bounds, seed in (([2, 8, 8, 2], SQUARE, 1), ([2, 5, 7, 3, 2], WIDE, 3)):
        net = MLP(sizes, seed=seed)
        P = check_twin(net, bounds)
        _same_partition(P, linear_regions(net, bounds, threads=1))
    exact = len(linear_regions(big, WIDE))
    assert linear_regions(big, WIDE, threads=2, max_regions=exact - 1).too_many
    assert not linear_regions(big, WIDE, threads=2, max_regions=exact).too_many


def test_output_maps_and_boundary_on_two_threads_are_the_same_to_the_bit(monkeypatch):
    from sandbox.geometry import regions

    # the later half of the regions' output maps and boundary on the worker, even for small
    # partitions: classes, a regression level set, a residual network and hardtanh's pieces
    monkeypatch.setattr(regions, "SPLIT_MIN_FINAL_REGIONS", 2)
    nets = (
        (MLP([2, 8, 8, 3], seed=1), 0.5),
        (MLP([2, 7, 6, 1], seed=2), 0.1),
        (MLP([2, 6, 6, 5, 2], seed=1, residual=True), 0.5),
        (MLP([2, 6, 6, 2], seed=4, activation="hardtanh"), 0.5),
    )
    for net, level in nets:
        one = linear_regions(net, WIDE, threads=1, level=level)
        two = linear_regions(net, WIDE, threads=2, level=level)
        assert len(one) >= 20 and len(one.boundary) > 0
        _same_partition(one, two)
        bseg, bcls = boundary_reference(one.offsets, one.vertices, one.output_maps, level)
        assert np.array_equal(two.boundary, bseg) and np.array_equal(two.boundary_classes, bcls)


# ----------------------------------------------------------------------------- invariants
@pytest.mark.parametrize("bounds", [SQUARE, WIDE, TINY, FAR], ids=["square", "wide", "tiny", "far"])
@pytest.mark.parametrize(
    "sizes",
    [[2, 1, 2], [2, 8, 2], [2, 32, 2], [2, 16, 16, 2], [2, 8, 8, 8, 3], [2, 6, 6, 6, 6, 1]],
    ids=lambda s: "x".join(map(str, s[1:-1])),
)
def test_invariants_random_networks(sizes, bounds):
    for seed in range(2):
        net = MLP(sizes, seed=seed)
        P = linear_regions(net, bounds)
        check_invariants(net, P, bounds)


@pytest.mark.parametrize("bounds", [SQUARE, FAR], ids=["square", "far"])
def test_every_grid_pattern_is_a_region(bounds):
    net = MLP([2, 16, 16, 2], seed=3)
    P = linear_regions(net, bounds)
    G = grid_patterns(net, bounds, 200)
    seen = np.unique(pattern_hashes(G))
    regions = pattern_hashes(P.patterns)
    assert len(seen) <= len(P)
    assert np.all(np.isin(seen, regions))
    # and every region holding a disc wider than a grid cell shows up on the grid: a convex
    # polygon of area A and perimeter L holds a disc of radius A / L
    cell = (bounds[1] - bounds[0]) / 200
    V = P.vertices
    nxt = np.arange(len(V)) + 1
    nxt[P.offsets[1:] - 1] = P.offsets[:-1]
    perimeter = np.add.reduceat(np.hypot(*(V[nxt] - V).T), P.offsets[:-1])
    fat = P.areas() / perimeter > cell
    assert fat.sum() > 10
    assert np.all(np.isin(regions[fat], seen))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    widths=st.lists(st.integers(1, 8), min_size=1, max_size=4),
    n_out=st.sampled_from([1, 2, 3]),
    seed=st.integers(0, 2**31 - 1),
    scale=st.sampled_from([0.01, 1.0, 100.0]),
    bias_scale=st.sampled_from([0.0, 0.3, 3.0]),
    box=st.sampled_from([SQUARE, WIDE, TINY, FAR]),
    integer_weights=st.booleans(),
)
def test_property_random_weights(widths, n_out, seed, scale, bias_scale, box, integer_weights):
    rng = np.random.default_rng(seed)
    sizes = [2, *widths, n_out]
    layers = []
    # `scale` multiplies the first layer only: MATH.md's eps rule counts |values| below 1e-12
    # as zero, so networks whose every value is that small are out of its range by design
    for layer, (n_in, n_o) in enumerate(itertools.pairwise(sizes)):
        s = scale if layer == 0 else 1.0
        if integer_weights:
            # small integers make exact ties: concurrent lines, parallel lines, creases along
            # edges and through corners
            W = rng.integers(-2, 3, size=(n_o, n_in)).astype(float) * s
            b = rng.integers(-1, 2, size=n_o).astype(float) * bias_scale * s
        else:
            W = rng.normal(0, s, size=(n_o, n_in))
            b = rng.normal(0, bias_scale * s, size=n_o)
        layers.append((W, b))
    net = net_from(layers)
    P = check_twin(net, box)
    check_invariants(net, P, box)


# ----------------------------------------------------------------------------- counts
def _line_count(W, b, bounds):
    """Regions of an arrangement of lines in a rectangle, counted independently."""
    xmin, xmax, ymin, ymax = bounds
    corners = np.array([[xmin, ymin], [xmax, ymin], [xmax, ymax], [xmin, ymax]])
    vals = corners @ W.T + b
    meets = (vals.max(axis=0) > 0) & (vals.min(axis=0) < 0)
    idx = np.flatnonzero(meets)
    crossings = 0
    for i, j in itertools.combinations(idx, 2):
        A = np.array([W[i], W[j]])
        if abs(np.linalg.det(A)) < 1e-12:
            continue
        p = np.linalg.solve(A, -np.array([b[i], b[j]]))
        if xmin < p[0] < xmax and ymin < p[1] < ymax:
            crossings += 1
    return 1 + len(idx) + crossings


@pytest.mark.parametrize("width", [1, 2, 5, 16, 32])
@pytest.mark.parametrize("bounds", [SQUARE, WIDE, FAR], ids=["square", "wide", "far"])
def test_single_layer_count_is_one_plus_lines_plus_crossings(width, bounds):
    for seed in range(3):
        net = MLP([2, width, 2], seed=seed)
        W, b = net.layers[0]
        P = linear_regions(net, bounds)
        assert len(P) == _line_count(W, b, bounds)
        # each line's crease pieces add up to the line's chord through the window
        for i in range(width):
            seg = P.creases.of(1, i)
            length = np.hypot(seg[:, 2] - seg[:, 0], seg[:, 3] - seg[:, 1]).sum()
            assert length == pytest.approx(_chord_length(W[i], b[i], bounds), rel=1e-9, abs=1e-12)


def _chord_length(w, b, bounds):
    """Length of the line w.x + b = 0 inside the rectangle (0 when it misses)."""
    xmin, xmax, ymin, ymax = bounds
    corners = np.array([[xmin, ymin], [xmax, ymin], [xmax, ymax], [xmin, ymax]])
    v = corners @ w + b
    pts = []
    for k in range(4):
        p, q, vp, vq = corners[k], corners[(k + 1) % 4], v[k], v[(k + 1) % 4]
        if vp == 0:
            pts.append(p)
        elif vp * vq < 0:
            pts.append(p + vp / (vp - vq) * (q - p))
    if len(pts) < 2:
        return 0.0
    pts = np.array(pts)
    return max(np.hypot(*(a - c)) for a in pts for c in pts)


def test_he_initialised_counts_stay_in_the_math_md_band():
    # MATH.md section 2: means over 10 seeds in [-1, 1]^2, spread 10-25%
    expected = {(8,): 34.4, (8, 8): 135, (16, 16): 458, (8, 8, 8, 8): 437, (16, 16, 16): 996}
    for hidden, mean in expected.items():
        counts = [len(linear_regions(MLP([2, *hidden, 2], seed=s), SQUARE)) for s in range(10)]
        assert 0.75 * mean <= np.mean(counts) <= 1.25 * mean, (hidden, np.mean(counts))
        N = sum(hidden)
        assert 0.6 <= np.mean(counts) / (N * N / 2) <= 1.3


def test_serra_bound_values_of_math_md():
    values = {
        (2, 2): 11,
        (4, 4): 121,
        (8,): 37,
        (8, 8): 1369,
        (16, 16): 18769,
        (16, 16, 16): 2571353,
        (32, 32): 279841,
        (96,): 4657,
    }
    for hidden, v in values.items():
        assert serra_bound(hidden) == v
    # one layer: 1 + n + C(n, 2), lines in general position
    for n in range(1, 20):
        assert serra_bound([n]) == 1 + n + n * (n - 1) // 2


# ----------------------------------------------------------------------------- degenerate cases
@pytest.mark.parametrize("n", [1, 2, 3, 7, 12])
def test_zero_biases_give_two_n_regions(n):
    angles = np.pi * (np.arange(n) + 0.37) / n
    W = np.stack([np.cos(angles), np.sin(angles)], axis=1)
    net = net_from([(W, np.zeros(n)), (np.ones((2, n)), np.zeros(2))])
    for bounds in (SQUARE, FAR, (-1.0, 3.0, -2.0, 0.5)):
        P = linear_regions(net, bounds)
        assert len(P) == 2 * n
        check_invariants(net, P, bounds)
        check_twin(net, bounds)


def test_two_identical_neurons_make_one_crease_recorded_for_each():
    w = np.array([[1.0, 0.5]])
    net1 = net_from([(w, [0.2]), (np.ones((2, 1)), np.zeros(2))])
    net2 = net_from([(np.vstack([w, w]), [0.2, 0.2]), (np.ones((2, 2)), np.zeros(2))])
    P1 = linear_regions(net1, SQUARE)
    P2 = linear_regions(net2, SQUARE)
    assert len(P1) == len(P2) == 2
    check_invariants(net2, P2, SQUARE)
    # the second neuron's crease lies on an existing edge: recorded once, same chord
    assert len(P2.creases.of(1, 0)) == 1 and len(P2.creases.of(1, 1)) == 1
    a = np.sort(P2.creases.of(1, 0).reshape(2, 2), axis=0)
    b = np.sort(P2.creases.of(1, 1).reshape(2, 2), axis=0)
    assert np.allclose(a, b, atol=1e-15)
    assert np.array_equal(P2.patterns.sum(axis=1), [2, 0])


def test_identical_neurons_in_deep_layers_keep_invariants():
    rng = np.random.default_rng(5)
    W1, b1 = rng.normal(size=(6, 2)), rng.normal(0, 0.3, 6)
    W2, b2 = rng.normal(size=(4, 6)), rng.normal(0, 0.3, 4)
    W2[1], b2[1] = W2[0], b2[0]
    W2[3], b2[3] = 2.5 * W2[2], 2.5 * b2[2]  # a scaled copy has the same crease
    net = net_from([(W1, b1), (W2, b2), (rng.normal(size=(2, 4)), np.zeros(2))])
    P = check_twin(net, SQUARE)
    check_invariants(net, P, SQUARE)
    assert np.array_equal(P.patterns[:, 6], P.patterns[:, 7])
    assert np.array_equal(P.patterns[:, 8], P.patterns[:, 9])
    only_one = linear_regions(
        net_from([(W1, b1), (W2[[0, 2]], b2[[0, 2]]), (np.ones((2, 2)), np.zeros(2))]), SQUARE
    )
    assert len(P) == len(only_one)


def test_dead_layer():
    rng = np.random.default_rng(1)
    W1, b1 = rng.normal(size=(5, 2)), rng.normal(0, 0.2, 5)
    W2, b2 = np.zeros((4, 5)), -np.ones(4)  # never active
    Wo, bo = rng.normal(size=(2, 4)), np.array([0.3, -0.2])
    net = net_from([(W1, b1), (W2, b2), (Wo, bo)])
    P = linear_regions(net, SQUARE)
    P1 = linear_regions(net, SQUARE, upto_layer=1)
    assert len(P) == len(P1)
    assert not P.patterns[:, 5:].any()
    assert np.all(P.feature_maps == 0.0)
    assert np.allclose(P.output_maps[:, :, :2], 0.0) and np.allclose(P.output_maps[:, :, 2], bo)
    assert len(P.boundary) == 0  # constant logits, one class everywhere
    check_invariants(net, P, SQUARE)


def test_crease_through_a_corner():
    # x + y = 2 touches [-1, 1]^2 only at the corner (1, 1): no cut, no crease
    net = net_from([(np.array([[1.0, 1.0]]), [-2.0]), (np.ones((2, 1)), np.zeros(2))])
    P = linear_regions(net, SQUARE)
    assert len(P) == 1 and len(P.creases) == 0 and not P.patterns.any()
    # the diagonal x = y runs through two corners: two triangles and one crease
    net = net_from([(np.array([[1.0, -1.0]]), [0.0]), (np.ones((2, 1)), np.zeros(2))])
    P = linear_regions(net, SQUARE)
    assert len(P) == 2 and np.array_equal(P.counts, [3, 3])
    assert np.allclose(np.sort(P.creases.segments[0].reshape(2, 2), axis=0), [[-1, -1], [1, 1]])
    check_invariants(net, P, SQUARE)


def test_crease_along_the_window_edge():
    # z = x + 1 vanishes on the left edge of [-1, 1]^2 and is positive inside
    net = net_from([(np.array([[1.0, 0.0]]), [1.0]), (np.ones((2, 1)), np.zeros(2))])
    P = linear_regions(net, SQUARE)
    assert len(P) == 1 and P.patterns.all()
    assert len(P.creases) == 1
    assert np.allclose(np.sort(P.creases.segments[0].reshape(2, 2), axis=0), [[-1, -1], [-1, 1]])
    # the same line with the neuron off inside: no region is on, so no crease is drawn
    net = net_from([(np.array([[-1.0, 0.0]]), [-1.0]), (np.ones((2, 1)), np.zeros(2))])
    P = linear_regions(net, SQUARE)
    assert len(P) == 1 and not P.patterns.any() and len(P.creases) == 0


def test_deep_crease_along_an_existing_edge_is_recorded_once():
    # layer 2 neuron 0 copies neuron 0 of layer 1: zero on its crease and on the whole off side
    W1 = np.array([[1.0, 0.3], [-0.4, 1.0]])
    b1 = np.array([0.1, -0.2])
    W2 = np.array([[1.0, 0.0], [0.5, 0.5]])
    b2 = np.array([0.0, -0.1])
    net = net_from([(W1, b1), (W2, b2), (np.ones((2, 2)), np.zeros(2))])
    P = check_twin(net, SQUARE)
    check_invariants(net, P, SQUARE)
    seg = P.creases.of(2, 0)
    length = np.hypot(seg[:, 2] - seg[:, 0], seg[:, 3] - seg[:, 1]).sum()
    assert length == pytest.approx(_chord_length(W1[0], b1[0], SQUARE), rel=1e-12)


def test_far_zoom_is_as_exact_as_near():
    net = MLP([2, 12, 12, 2], seed=8)
    # the creases near the origin, seen from a window 1000x larger: same regions where they
    # overlap the small window, and the far window is still exact
    P = linear_regions(net, FAR)
    check_invariants(net, P, FAR)
    Q = linear_regions(net, (999.0, 1000.0, -1000.0, -999.0))
    check_invariants(net, Q, (999.0, 1000.0, -1000.0, -999.0))


# ----------------------------------------------------------------------------- partial layers
def test_upto_layer_is_the_partition_of_the_first_layers():
    net = MLP([2, 6, 5, 4, 3], seed=2)
    W1, b1 = net.layers[0]
    W2, b2 = net.layers[1]
    for upto in (1, 2):
        P = linear_regions(net, WIDE, upto_layer=upto)
        sub = net_from([*net.layers[:upto], (np.ones((2, net.hidden_sizes[upto - 1])), [0, 0])])
        Q = linear_regions(sub, WIDE)
        assert np.array_equal(P.vertices, Q.vertices)
        assert np.array_equal(P.patterns, Q.patterns)
        assert np.array_equal(P.feature_maps, Q.feature_maps)
        assert P.output_maps is None and len(P.boundary) == 0
        assert P.patterns.shape[1] == sum(net.hidden_sizes[:upto])
        assert set(np.unique(P.creases.layer)) <= set(range(1, upto + 1))
    full = linear_regions(net, WIDE)
    assert len(full) >= len(linear_regions(net, WIDE, upto_layer=2))


# ----------------------------------------------------------------------------- boundary
def _boundary_crossings_along(P, y):
    """x of the boundary segments crossing the horizontal line at height y."""
    b = P.boundary
    y0, y1 = b[:, 1], b[:, 3]
    hit = (np.minimum(y0, y1) < y) & (np.maximum(y0, y1) > y)
    t = (y - y0[hit]) / (y1[hit] - y0[hit])
    return np.sort(b[hit, 0] + t * (b[hit, 2] - b[hit, 0]))


def _class_changes_along(net, bounds, y, level=0.5):
    """x where the top class (or the side of the level set) changes along y = const, exactly."""
    rp = ray_probe(net, (bounds[0], y), (1.0, 0.0), bounds[1] - bounds[0])
    r = rp.breakpoints
    if net.n_out == 1:
        g = rp.logits(r)[:, 0] - level
        xs = [
            r[k] + g[k] / (g[k] - g[k + 1]) * (r[k + 1] - r[k])
            for k in range(len(r) - 1)
            if g[k] * g[k + 1] < 0
        ]
        return bounds[0] + np.array(xs)
    # refine the linear pieces at every tie of two classes: between the resulting points the
    # ranking is fixed, so the top class can change only at these points
    pts = [r]
    for a, b in itertools.pairwise(r):
        p = rp.piece_of(np.array([0.5 * (a + b)]))[0]
        s, o = rp.logit_slope[p], rp.logit_offset[p]
        with np.errstate(divide="ignore", invalid="ignore"):
            t = -(o[:, None] - o[None, :]) / (s[:, None] - s[None, :])
        pts.append(t[np.isfinite(t) & (t > a) & (t < b)])
    r = np.unique(np.concatenate(pts))
    top = rp.logits(0.5 * (r[:-1] + r[1:])).argmax(axis=1)
    return bounds[0] + r[1:-1][top[1:] != top[:-1]]


@pytest.mark.parametrize("n_out", [1, 2, 3, 5])
def test_decision_boundary_is_exact_and_complete(n_out):
    net = MLP([2, 10, 10, n_out], seed=11 + n_out)
    # for regression, a level the output crosses in the window
    level = float(np.median(net.forward(grid_points(WIDE, 50)))) if n_out == 1 else 0.5
    P = check_twin(net, WIDE, level=level)
    b, cls = P.boundary, P.boundary_classes
    assert len(b) > 0
    mid = 0.5 * (b[:, :2] + b[:, 2:])
    f = net.forward(mid)
    scale = np.abs(f).max() + 1.0
    if n_out == 1:
        assert np.all(cls == [0, 1])
        assert np.allclose(f[:, 0], P.level, atol=1e-9 * scale)
    else:
        # the two classes of each piece tie there and are on top
        fk = f[np.arange(len(b)), cls[:, 0]]
        fj = f[np.arange(len(b)), cls[:, 1]]
        assert np.allclose(fk, fj, atol=1e-9 * scale)
        assert np.all(fk >= f.max(axis=1) - 1e-9 * scale)
    # completeness: along horizontal lines the boundary is crossed exactly where the class changes
    for y in np.random.default_rng(0).uniform(-5.9, 5.9, 15):
        got = _boundary_crossings_along(P, y)
        want = _class_changes_along(net, WIDE, y, P.level)
        assert len(got) == len(want)
        assert np.allclose(got, want, atol=1e-7)


def test_regression_level_is_a_parameter():
    net = MLP([2, 8, 8, 1], seed=4)
    values = net.forward(grid_points(WIDE, 50))[:, 0]
    for level in np.quantile(values, [0.2, 0.5, 0.8]):
        P = linear_regions(net, WIDE, level=level)
        mid = 0.5 * (P.boundary[:, :2] + P.boundary[:, 2:])
        assert len(mid) and np.allclose(net.forward(mid)[:, 0], level, atol=1e-9)


# ----------------------------------------------------------------------------- mesh
@pytest.mark.parametrize("n_out", [1, 3])
def test_mesh_matches_twin_and_forward_pass(n_out):
    net = MLP([2, 12, 12, n_out], seed=1)
    P = linear_regions(net, WIDE)
    mesh = P.mesh
    assert mesh is P.mesh() and isinstance(mesh, RegionMesh)
    tri, reg, vals = mesh_reference(P.offsets, P.vertices, P.output_maps)
    assert np.array_equal(mesh.triangles, tri) and mesh.triangles.dtype == np.uint32
    assert np.array_equal(mesh.region, reg) and mesh.region.dtype == np.int32
    assert np.allclose(mesh.logits, vals, rtol=1e-14, atol=1e-14)
    assert mesh.vertices.shape == (len(reg), 2) and len(tri) == len(reg) - 2 * len(P)
    f = net.forward(mesh.vertices)
    assert np.allclose(mesh.logits, f, rtol=1e-9, atol=1e-9 * (np.abs(f).max() + 1))
    assert np.allclose(mesh.features, net.features(mesh.vertices), rtol=1e-9, atol=1e-9)
    # triangles tile the window counter-clockwise, each inside one region
    v = mesh.vertices[mesh.triangles.astype(np.int64)]
    cross = (v[:, 1, 0] - v[:, 0, 0]) * (v[:, 2, 1] - v[:, 0, 1]) - (v[:, 1, 1] - v[:, 0, 1]) * (
        v[:, 2, 0] - v[:, 0, 0]
    )
    assert np.all(cross >= -1e-12)
    assert 0.5 * cross.sum() == pytest.approx(144.0, rel=1e-9)
    assert np.all(mesh.region[mesh.triangles[:, 0]] == mesh.region[mesh.triangles[:, 2]])


def test_partial_partition_mesh_has_features_not_logits():
    net = MLP([2, 5, 5, 2], seed=0)
    P = linear_regions(net, SQUARE, upto_layer=1)
    assert P.mesh.logits is None
    h1 = np.maximum(P.mesh.vertices @ net.layers[0][0].T + net.layers[0][1], 0)
    assert np.allclose(P.mesh.features, h1, atol=1e-12)


# ----------------------------------------------------------------------------- colours
def test_region_colours_are_stable_per_pattern():
    net = MLP([2, 8, 8, 2], seed=2)
    A = linear_regions(net, SQUARE)
    B = linear_regions(net, (-0.5, 2.0, -0.2, 1.0))
    assert A.region_colors.shape == (len(A), 3) and A.region_colors.dtype == np.float32
    assert np.all((A.region_colors >= 0) & (A.region_colors <= 1))
    ha, hb = A.hashes, B.hashes
    common, ia, ib = np.intersect1d(ha, hb, return_indices=True)
    assert len(common) > 3
    assert np.array_equal(A.region_colors[ia], B.region_colors[ib])
    assert np.array_equal(region_colors(A.patterns), A.region_colors)
    # soft pastels: light, and different patterns rarely share a colour
    lum = A.region_colors @ np.array([0.2126, 0.7152, 0.0722], np.float32)
    assert lum.min() > 0.55
    assert len(np.unique(A.region_colors.round(3), axis=0)) >= 0.95 * len(A)


def test_region_colours_depend_on_the_pattern_only():
    rng = np.random.default_rng(0)
    patterns = rng.random((300, 48)) < 0.5
    c = region_colors(patterns)
    assert c.shape == (300, 3) and c.dtype == np.float32
    # Same pattern, same colour, whatever the region order.
    perm = rng.permutation(300)
    np.testing.assert_array_equal(region_colors(patterns[perm]), c[perm])
    # Neighbours (one flipped neuron) almost always get visibly different colours.
    flipped = patterns.copy()
    flipped[:, 7] ^= True
    diff = np.abs(region_colors(flipped) - c).max(1)
    assert (diff > 0.02).mean() > 0.9


def test_pattern_hash_numba_matches_numpy():
    rng = np.random.default_rng(0)
    for shape in [(0, 5), (7, 0), (50, 1), (300, 48), (20, 700)]:
        pats = rng.random(shape) < 0.5
        assert np.array_equal(pattern_hashes(pats), pattern_hashes_numpy(pats))


def test_crease_colours_by_layer():
    c = crease_colors(np.array([1, 2, 3, 4, 5, 6, 7, 8, 1]))
    assert c.shape == (9, 3) and c.dtype == np.float32
    assert len(np.unique(c[:8], axis=0)) == 8
    assert np.array_equal(c[0], c[8])
    with pytest.raises(ValueError, match="layer ids"):
        crease_colors(np.array([0]))
    with pytest.raises(ValueError, match="layer ids"):
        crease_colors(np.array([9]))


# ----------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    "bounds,match",
    [
        ((1.0, 1.0, 0.0, 1.0), "width"),
        ((2.0, 1.0, 0.0, 1.0), "width"),
        ((0.0, 1.0, 3.0, 3.0), "height"),
        ((0.0, 1.0, 3.0, -3.0), "height"),
        ((0.0, np.nan, 0.0, 1.0), "finite"),
        ((0.0, np.inf, 0.0, 1.0), "finite"),
        ((0.0, 1.0, 0.0), "four numbers"),
        ("abcd", "four numbers"),
    ],
)
def test_bad_bounds(bounds, match):
    with pytest.raises(ValueError, match=match):
        linear_regions(MLP([2, 3, 2]), bounds)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_weights(bad):
    net = MLP([2, 4, 4, 2])
    net.params[net.layout[1, 0] + 3] = bad
    with pytest.raises(ValueError, match="NaN or infinite.*layer 2"):
        linear_regions(net, SQUARE)
    with pytest.raises(ValueError, match="NaN or infinite"):
        ray_probe(net, (0, 0), (1, 0), 1.0)


def test_bad_upto_layer():
    for upto in (0, 3, -1, 1.5):
        with pytest.raises(ValueError, match="upto_layer"):
            linear_regions(MLP([2, 3, 3, 2]), SQUARE, upto_layer=upto)


def test_region_budget_gives_a_prompt_too_many_result():
    net = MLP([2, 16, 16, 16, 2], seed=0)
    exact = len(linear_regions(net, WIDE))
    P = linear_regions(net, WIDE, max_regions=exact - 1)
    assert P.too_many and "too many regions" in P.message and str(exact - 1) in P.message
    assert len(P) == 0 and P.vertices.shape == (0, 2) and P.patterns.shape == (0, 48)
    assert len(P.mesh.triangles) == 0 and P.region_colors.shape == (0, 3)
    assert len(P.creases) == 0 and P.boundary.shape == (0, 4)
    assert not linear_regions(net, WIDE, max_regions=exact).too_many
    # the partial twin agrees on where the budget bites
    assert partition_reference(net.params, net.layout, 3, WIDE, max_regions=exact - 1).too_many


def test_huge_network_is_refused_not_run_out_of_memory():
    # [256, 256] would need ~10^5 regions of 256 features each: past the memory budget
    P = linear_regions(MLP([2, 256, 256, 2], seed=0), WIDE)
    assert P.too_many and "too many regions" in P.message and "MiB" in P.message
    small = linear_regions(MLP([2, 64, 64, 2], seed=0), WIDE, max_work=10_000)
    assert small.too_many and "too long" in small.message


def test_kernel_status_codes_are_distinct():
    codes = {K.STATUS_OK, K.STATUS_TOO_MANY_REGIONS, K.STATUS_TOO_MUCH_MEMORY}
    assert len(codes | {K.STATUS_TOO_MUCH_WORK}) == 4


# ----------------------------------------------------------------------------- buffer reuse
def test_reused_buffers_never_change_a_live_partition_or_its_views():
    rng = np.random.default_rng(0)
    alive = []
    kept_views = []
    for it in range(60):
        hidden = [int(h) for h in rng.integers(1, 30, size=rng.integers(1, 4))]
        net = MLP([2, *hidden, int(rng.integers(1, 4))], seed=it)
        bounds = WIDE if it % 2 else SQUARE
        P = linear_regions(net, bounds)
        snap = (P.vertices.copy(), P.patterns.copy(), P.feature_maps.copy(), P.offsets.copy())
        if it % 10 == 0:
            check_twin(net, bounds)
        alive.append((P, snap))
        if len(alive) > 3:
            Q, sn = alive.pop(int(rng.integers(len(alive))))
            kept_views.append((Q.vertices, sn[0]))  # a view outliving its partition
            del Q
        for Q, sn in alive:
            assert np.array_equal(Q.vertices, sn[0]) and np.array_equal(Q.patterns, sn[1])
            assert np.array_equal(Q.feature_maps, sn[2]) and np.array_equal(Q.offsets, sn[3])
        for view, copy in kept_views:
            assert np.array_equal(view, copy)


def test_buffers_of_a_dropped_partition_are_reused():
    from sandbox.geometry._cutting import _POOL

    def address(a):
        return a.__array_interface__["data"][0]

    net = MLP([2, 16, 16, 2], seed=0)
    P = linear_regions(net, WIDE)
    Q = linear_regions(net, WIDE)  # P alive: other buffers
    shared = bool(np.shares_memory(Q.vertices, P.vertices))  # (no temporaries kept)
    assert not shared
    del P, Q
    pooled = {address(a) for a in _POOL._free["v_b"]}
    R = linear_regions(net, WIDE)
    assert address(R.vertices) in pooled
