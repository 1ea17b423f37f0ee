"""Exact regions for every piecewise-linear activation and for residual layers (MATH.md section 6).

For leaky ReLU, abs, hardtanh and linear, with and without residual layers: the numba kernels
against the plain-Python twin (to the bit), and the invariants: areas sum to the window, each
region's map equals the forward pass at its centroid and next to its vertices, crease ends sit
on a breakpoint of their neuron, regions = 1 + cuts, and the pieces seen on a fine grid are the
partition's (each grid pattern is a region's, and nearly every region is hit). ReLU's partition
is unchanged (tests/test_geometry.py). Smooth activations give no regions and say so.
"""

from __future__ import annotations

import numpy as np
import pytest

from sandbox.geometry import linear_regions
from sandbox.geometry.colors import pattern_hashes, pattern_hashes_numpy
from sandbox.geometry.reference import partition_reference
from sandbox.nn import MLP
from sandbox.nn.activations import pieces
from sandbox.vocab import Activation

EXACT = [a for a in Activation if a.piecewise_linear]
SMOOTH = [a for a in Activation if not a.piecewise_linear]
WINDOW = (-3.0, 3.0, -2.5, 2.5)


def _net(act, residual, sizes=(2, 6, 6, 5, 2), seed=3, slope=0.2):
    return MLP(list(sizes), seed=seed, activation=act, negative_slope=slope, residual=residual)


def _grid(bounds, n):
    xs = bounds[0] + (np.arange(n) + 0.5) * (bounds[1] - bounds[0]) / n
    ys = bounds[2] + (np.arange(n) + 0.5) * (bounds[3] - bounds[2]) / n
    return np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2)


def _scale(net, X):
    """Size of the terms summed into the outputs and pre-activations at X (|W| |h| + |b|)."""
    h = np.abs(X) + 3.0
    zs = []
    for (W, b), res in zip(net.layers[:-1], net.residual_layers, strict=True):
        z = h @ np.abs(W).T + np.abs(b)
        zs.append(z)
        h = z + 1.0 + (h if res else 0.0)
    W, b = net.layers[-1]
    return zs, h @ np.abs(W).T + np.abs(b)


@pytest.mark.parametrize("residual", [False, True], ids=["plain", "residual"])
@pytest.mark.parametrize("act", EXACT, ids=[a.value for a in EXACT])
def test_kernels_match_the_plain_python_twin_to_the_bit(act, residual):
    net = _net(act, residual)
    P = linear_regions(net, WINDOW)
    ref = partition_reference(
        net.params, net.layout, 3, WINDOW, pieces=pieces(act, 0.2), residual=net.residual_layers
    )
    assert np.array_equal(P.offsets, ref.offsets)
    assert np.array_equal(P.vertices, ref.vertices)
    assert np.array_equal(P.patterns, ref.patterns)
    assert np.array_equal(P.feature_maps, ref.feature_maps)
    assert np.array_equal(P.creases.segments, ref.crease_segments)
    assert np.array_equal(P.creases.neuron, ref.crease_neuron)
    assert P.n_cuts == ref.n_cuts


@pytest.mark.parametrize(
    "act,sizes",
    [(a, (2, 6, 6, 6, 2)) for a in EXACT]
    + [
        (Activation(a), s)
        for a in ("relu", "hardtanh")
        for s in ((2, 5, 6, 6, 6, 2), (2, 6, 6, 6, 6, 2))
    ],
)
def test_residual_last_layers_maps_match_the_twin_to_the_bit(act, sizes):
    # a residual layer's input features are stored only after another residual layer and not
    # for the last layer; else they are formed from the maps before: of one region (layer 1's)
    # or of many (layer 2's in [F, F, T, T]); stored in [F, T, T, T]'s layer 3
    net = _net(act, True, sizes=sizes)
    for upto in range(2, len(sizes) - 1):
        P = linear_regions(net, WINDOW, upto_layer=upto)
        ref = partition_reference(
            net.params, net.layout, upto, WINDOW, pieces=pieces(act, 0.2),
            residual=net.residual_layers,
        )  # fmt: skip
        assert len(P) > 20 or act == Activation.LINEAR
        assert np.array_equal(P.vertices, ref.vertices)
        assert np.array_equal(P.feature_maps, ref.feature_maps)
        assert np.array_equal(np.signbit(P.feature_maps), np.signbit(ref.feature_maps))


@pytest.mark.parametrize("residual", [False, True], ids=["plain", "residual"])
@pytest.mark.parametrize("act", EXACT, ids=[a.value for a in EXACT])
def test_invariants(act, residual):
    net = _net(act, residual, sizes=(2, 8, 8, 8, 3), seed=7)
    P = linear_regions(net, WINDOW)
    R = len(P)
    assert not P.too_many and not P.smooth
    assert R == 1 + P.n_cuts
    if act is Activation.LINEAR:
        assert R == 1 and len(P.creases) == 0
    else:
        assert R > 20
    area = (WINDOW[1] - WINDOW[0]) * (WINDOW[3] - WINDOW[2])
    areas = P.areas()
    assert np.all(areas >= -1e-14 * area)
    assert abs(areas.sum() - area) <= 1e-9 * area
    # each region's output and feature maps equal the forward pass at its centroid and just
    # inside every vertex
    cen = P.centroids()
    ok = areas > 1e-10 * area
    reg = P.region_ids
    near = P.vertices + 1e-7 * (cen[reg] - P.vertices)
    keep = ok[reg]
    for pts, rid in ((cen[ok], np.flatnonzero(ok)), (near[keep], reg[keep])):
        zscale, oscale = _scale(net, pts)
        assert np.all(np.abs(P.logits(pts, rid) - net.forward(pts)) <= 1e-10 * oscale)
        F = P.feature_maps[rid]
        h = F[:, :, 0] * pts[:, :1] + F[:, :, 1] * pts[:, 1:2] + F[:, :, 2]
        assert np.all(np.abs(h - net.features(pts)) <= 1e-10 * zscale[-1])
    # the region's pattern is the piece every neuron is on at its centroid
    c = cen[ok]
    zs = np.concatenate(net.preactivations(c), axis=1)
    zsc = np.concatenate(_scale(net, c)[0], axis=1)
    bps = np.asarray(pieces(act, 0.2).breakpoints)
    clear = np.ones_like(zs, dtype=bool)
    for bp in bps:
        clear &= np.abs(zs - bp) > 1e-9 * zsc
    assert np.all((net.piece_pattern(c) == P.patterns[ok].astype(np.int8))[clear])
    # crease ends lie on a breakpoint of their neuron (0 for ReLU-like, -1 or 1 for hardtanh)
    cr = P.creases
    starts = np.concatenate([[0], np.cumsum(net.hidden_sizes)])
    col = starts[cr.layer - 1] + cr.neuron
    rows = np.arange(len(cr))
    for ends in (cr.segments[:, :2], cr.segments[:, 2:]):
        z = np.concatenate(net.preactivations(ends), axis=1)[rows, col]
        s = np.concatenate(_scale(net, ends)[0], axis=1)[rows, col]
        off = np.min(np.abs(z[:, None] - bps[None, :]), axis=1) if len(bps) else z
        assert np.all(off <= 1e-9 * s)
    if act is Activation.HARDTANH:
        # both kinks of some neuron are drawn
        z1 = np.concatenate(net.preactivations(cr.segments[:, :2]), axis=1)[rows, col]
        assert np.any(z1 > 0.5) and np.any(z1 < -0.5)
    # distinct patterns: each region is one convex polygon
    assert len(np.unique(pattern_hashes(P.patterns))) == R
    assert np.array_equal(pattern_hashes(P.patterns), pattern_hashes_numpy(P.patterns))


@pytest.mark.parametrize("residual", [False, True], ids=["plain", "residual"])
@pytest.mark.parametrize("act", EXACT, ids=[a.value for a in EXACT])
def test_region_count_against_a_fine_grid(act, residual):
    net = _net(act, residual, sizes=(2, 5, 5, 2), seed=1)
    P = linear_regions(net, WINDOW)
    G = _grid(WINDOW, 400)
    seen = net.piece_pattern(G)
    hashes = pattern_hashes(seen.astype(np.uint8))
    region_hashes = pattern_hashes(P.patterns.astype(np.uint8))
    distinct = np.unique(hashes)
    # every pattern on the grid is one of the partition's regions, and the grid finds all but
    # the thinnest few
    assert np.isin(distinct, region_hashes).all()
    assert len(distinct) <= len(P)
    # the regions the grid misses are slivers: under 30 grid cells of area
    cell = (WINDOW[1] - WINDOW[0]) * (WINDOW[3] - WINDOW[2]) / 400**2
    missed = ~np.isin(region_hashes, distinct)
    assert np.all(P.areas()[missed] < 30 * cell)
    assert len(distinct) >= 0.7 * len(P)


@pytest.mark.parametrize("act", SMOOTH, ids=[a.value for a in SMOOTH])
def test_smooth_activations_have_no_regions_and_say_so(act):
    net = _net(act, True)
    P = linear_regions(net, WINDOW)
    assert P.smooth and P.too_many and len(P) == 0
    assert P.message == f"{act.value} bends the paper smoothly: there are no creases to draw"


def test_residual_relu_keeps_regions_where_plain_relu_collapses():
    """A residual layer passes its input on even where its neurons are all off: the map update
    is (I + D W) A, so a region where layer 2 is off keeps layer 1's features."""
    W1 = np.array([[1.0, 0.0], [0.0, 1.0]])
    b1 = np.array([0.0, 0.0])
    W2 = -np.eye(2)
    b2 = np.array([-10.0, -10.0])  # layer 2 off everywhere in the window
    Wo = np.array([[1.0, 1.0]])
    bo = np.array([0.0])
    layers = [(W1, b1), (W2, b2), (Wo, bo)]
    plain = MLP.from_weights(layers)
    res = MLP.from_weights(layers, residual=True)
    X = _grid((-2, 2, -2, 2), 5)
    assert np.allclose(plain.forward(X), 0.0)
    assert np.allclose(res.forward(X)[:, 0], np.maximum(X, 0).sum(axis=1))
    P = linear_regions(res, (-2.0, 2.0, -2.0, 2.0))
    assert len(P) == 4
    cen = P.centroids()
    assert np.allclose(P.logits(cen, np.arange(4)), res.forward(cen))


@pytest.mark.parametrize("residual", [False, True], ids=["plain", "residual"])
@pytest.mark.parametrize("act", EXACT, ids=[a.value for a in EXACT])
def test_ray_probe_is_exact(act, residual):
    from sandbox.geometry import ray_probe

    net = _net(act, residual, sizes=(2, 8, 8, 8, 3), seed=5)
    rp = ray_probe(net, (0.3, -0.2), (1.0, 0.7), 6.0)
    assert not rp.sampled
    r = np.linspace(0.0, 40.0, 997)
    pts = rp.points(r)
    _, oscale = _scale(net, pts)
    assert np.all(np.abs(rp.logits(r) - net.forward(pts)) <= 1e-10 * oscale)
    # every crossing is a neuron reaching one of its breakpoints
    bps = np.asarray(pieces(act, 0.2).breakpoints)
    starts = np.concatenate([[0], np.cumsum(net.hidden_sizes)])
    z = np.concatenate(net.preactivations(rp.points(rp.radii)), axis=1)
    z = z[np.arange(len(rp.radii)), starts[rp.layer - 1] + rp.neuron]
    if len(bps):
        assert np.all(np.min(np.abs(z[:, None] - bps[None, :]), axis=1) < 1e-9 * (1 + np.abs(z)))
    else:
        assert len(rp.radii) == 0


@pytest.mark.parametrize("act", SMOOTH, ids=[a.value for a in SMOOTH])
def test_ray_probe_of_a_smooth_network_is_sampled(act):
    from sandbox.geometry import ray_probe

    net = _net(act, False, sizes=(2, 8, 8, 2), seed=5)
    rp = ray_probe(net, (0.0, 0.0), (1.0, 0.0), 5.0)
    assert rp.sampled and len(rp.radii) == 0
    r = np.linspace(0.0, 5.0, 301)
    np.testing.assert_allclose(rp.logits(r), net.forward(rp.points(r)), atol=2e-3)


@pytest.mark.parametrize("act", SMOOTH, ids=[a.value for a in SMOOTH])
def test_sampled_boundary_of_a_smooth_network_is_on_the_boundary(act):
    for seed in range(20):  # a network whose classes meet in the window
        net = _net(act, False, sizes=(2, 8, 8, 3), seed=seed)
        P = linear_regions(net, WINDOW)
        if len(P.boundary) > 10:
            break
    assert len(P.boundary) > 10 and P.boundary_classes.shape == (len(P.boundary), 2)
    # every segment end is within a grid cell of a point where its two classes tie
    cell = (WINDOW[1] - WINDOW[0]) / 384
    for ends in (P.boundary[:, :2], P.boundary[:, 2:]):
        f = net.forward(ends)
        a, b = P.boundary_classes[:, 0], P.boundary_classes[:, 1]
        rows = np.arange(len(ends))
        gap = np.abs(f[rows, a] - f[rows, b])
        # the gap's slope is bounded by the weights: a cell's worth of it at most
        grad = (
            np.abs(net.forward(ends + [cell, 0]) - f).max()
            + np.abs(net.forward(ends + [0, cell]) - f).max()
        )
        assert np.all(gap <= 2 * grad + 1e-9)
    # points on either side of a segment's middle take the two classes
    mid = 0.5 * (P.boundary[:, :2] + P.boundary[:, 2:])
    labels = net.forward(mid).argmax(axis=1)
    assert np.mean(np.isin(labels, P.boundary_classes.ravel())) == 1.0


def _marching_squares_one_cell_at_a_time(net, bounds, n):
    """The sampled boundary written cell by cell (the reference): each cell's edges in the
    order bottom, right, top, left; two crossings make a segment, more join the cell's centre."""
    xmin, xmax, ymin, ymax = bounds
    xs, ys = np.linspace(xmin, xmax, n + 1), np.linspace(ymin, ymax, n + 1)
    f = net.forward(np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2)).reshape(n + 1, n + 1, -1)
    lab = f.argmax(axis=-1)
    segs, pairs = [], []
    for i in range(n):
        for j in range(n):
            corners = [(i, j), (i, j + 1), (i + 1, j + 1), (i + 1, j)]
            found = []
            for k in range(4):
                a, b = corners[k], corners[(k + 1) % 4]
                la, lb = lab[a], lab[b]
                if la == lb:
                    continue
                da, db = f[a][la] - f[a][lb], f[b][la] - f[b][lb]
                t = min(max(da / (da - db), 0.0), 1.0)
                pa = np.array([xs[a[1]], ys[a[0]]])
                pb = np.array([xs[b[1]], ys[b[0]]])
                found.append((pa + t * (pb - pa), min(la, lb), max(la, lb)))
            if len(found) == 2:
                segs.append([*found[0][0], *found[1][0]])
                pairs.append(found[0][1:])
            elif len(found) > 2:
                mid = np.mean([p for p, _, _ in found], axis=0)
                for p, lo, hi in found:
                    segs.append([*p, *mid])
                    pairs.append((lo, hi))
    return np.array(segs), np.array(pairs)


@pytest.mark.parametrize("seed", [0, 1])
def test_sampled_boundary_is_marching_squares_cell_by_cell(seed):
    from sandbox.geometry.sampled import sampled_boundary

    net = _net(Activation.TANH, False, sizes=(2, 8, 8, 3), seed=seed)
    segs, pairs = sampled_boundary(net, WINDOW, n=40)
    want_segs, want_pairs = _marching_squares_one_cell_at_a_time(net, WINDOW, 40)
    assert len(segs) == len(want_segs) > 10
    # the same segments (to rounding: a shared edge's crossing is formed from one end here)
    dist = np.abs(segs[:, None, :] - want_segs[None, :, :]).max(axis=-1)
    match = dist.argmin(axis=1)
    assert dist[np.arange(len(segs)), match].max() < 1e-9
    assert len(set(match.tolist())) == len(segs)
    np.testing.assert_array_equal(pairs, want_pairs[match])


@pytest.mark.parametrize("residual", [False, True], ids=["plain", "residual"])
@pytest.mark.parametrize("act", EXACT, ids=[a.value for a in EXACT])
def test_folded_surface_is_exact_with_creases_on_breakpoints(act, residual):
    from sandbox.geometry.surface import build_surface

    net = _net(act, residual, sizes=(2, 6, 6, 2), seed=4)
    P = linear_regions(net, WINDOW)
    S = build_surface(P, net, "output")
    assert S.exact
    pos = S.surface.positions
    f = net.forward(pos[:, :2])
    assert np.allclose(pos[:, 2], f[:, 1] - f[:, 0], rtol=1e-9, atol=1e-9)
    segs = S.creases.segments
    if act is Activation.LINEAR:
        assert len(segs) == 0
        return
    assert len(segs) > 0
    # lifted creases stand on the surface, on a breakpoint of their neuron
    ends = segs[:, 0, :]
    fe = net.forward(ends[:, :2])
    assert np.allclose(ends[:, 2], fe[:, 1] - fe[:, 0], rtol=1e-9, atol=1e-9)
    starts = np.concatenate([[0], np.cumsum(net.hidden_sizes)])
    z = np.concatenate(net.preactivations(ends[:, :2]), axis=1)
    z = z[np.arange(len(ends)), starts[S.creases.layer - 1] + S.creases.neuron]
    bps = np.asarray(pieces(act, 0.2).breakpoints)
    assert np.all(np.min(np.abs(z[:, None] - bps[None, :]), axis=1) < 1e-7 * (1 + np.abs(z)))
    N = build_surface(linear_regions(net, WINDOW, upto_layer=2), net, "neuron", neuron=(2, 1))
    npos = N.surface.positions
    assert np.allclose(npos[:, 2], net.layer_outputs(npos[:, :2])[1][:, 1], atol=1e-9)


@pytest.mark.parametrize("act", SMOOTH, ids=[a.value for a in SMOOTH])
def test_smooth_surface_is_sampled_on_the_forward_pass(act):
    from sandbox.geometry.sampled import sampled_surface

    net = _net(act, True, sizes=(2, 6, 6, 3), seed=4)
    P = linear_regions(net, WINDOW)
    S = sampled_surface(net, WINDOW, "probability", boundary=P.boundary)
    assert not S.exact and len(S.surface) > 0 and len(S.creases) == 0
    pos = S.surface.positions
    from sandbox.nn.mlp import softmax

    assert np.allclose(pos[:, 2], softmax(net.forward(pos[:, :2])).max(axis=1), atol=1e-12)


def test_health_says_leaky_neurons_never_die():
    from sandbox.geometry import dead_neurons

    X = np.random.default_rng(0).normal(size=(30, 2))
    leaky = _net("leaky_relu", False, slope=0.01)
    W, b = leaky.layers[0]
    b[0] = -100.0  # off everywhere: dead for ReLU, alive (slope 0.01) for leaky ReLU
    d = dead_neurons(leaky, WINDOW, X)
    assert not d.in_window.any() and not d.on_data.any()
    assert "never die" in d.note and "0.01" in d.note
    relu = MLP.from_weights(leaky.weights())
    assert dead_neurons(relu, WINDOW, X).in_window[0]
    hard = MLP.from_weights(leaky.weights(), activation="hardtanh")
    b2 = hard.layers[0][1]
    b2[1] = 100.0  # stuck on the flat top: dead for hardtanh too
    dh = dead_neurons(hard, WINDOW, X)
    assert dh.in_window[0] and dh.in_window[1] and dh.note == ""


@pytest.mark.parametrize("act,residual", [("leaky_relu", False), ("hardtanh", True), ("abs", True)])
def test_laplace_region_coefficients_follow_the_region_maps(act, residual):
    """The last-layer Laplace mean and variance per region (from the exact feature maps) equal
    the pointwise predictions inside the region, as for ReLU."""
    from sandbox.bayes import LastLayerLaplace

    rng = np.random.default_rng(0)
    X = rng.uniform(-2.5, 2.5, (80, 2))
    y = (X[:, 0] * X[:, 1] > 0).astype(int)
    net = _net(act, residual, sizes=(2, 6, 6, 2), seed=3)
    la = LastLayerLaplace(net).fit(X, y)
    P = linear_regions(net, WINDOW)
    mean_c, var_c = la.region_coefficients(P.feature_maps)
    big = np.flatnonzero(P.areas() > 0.05)[:10]
    cen = P.centroids()[big]
    m, V = la.logit_mean_cov(cen)
    x, yy = cen[:, 0], cen[:, 1]
    basis = np.stack([x * x, x * yy, yy * yy, x, yy, np.ones_like(x)], axis=1)
    m_c = np.einsum("nkc,nc->nk", mean_c[big][:, :, :2], cen) + mean_c[big][:, :, 2]
    v_c = np.einsum("nc,nkc->nk", basis, var_c[big])
    assert np.allclose(m_c, m, atol=1e-9)
    assert np.allclose(v_c, np.diagonal(V, axis1=1, axis2=2), rtol=1e-7, atol=1e-9)
