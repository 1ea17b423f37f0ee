"""The 3D surface meshes: heights equal the forward pass at every vertex, facets are planar,
creases lie exactly on the surface, curved surfaces are exact at their vertices."""

from __future__ import annotations

import numpy as np
import pytest

from sandbox.bayes import LastLayerLaplace
from sandbox.geometry import _argmax_split as AS
from sandbox.geometry import crease_edges as CE
from sandbox.geometry import linear_regions
from sandbox.geometry import surface as S
from sandbox.nn import MLP

BOUNDS = (-6.0, 6.0, -6.0, 6.0)


def close(a, b, rel=1e-9):
    a, b = np.asarray(a), np.asarray(b)
    scale = max(1.0, float(np.abs(b).max()) if b.size else 1.0)
    return np.abs(a - b).max() <= rel * scale if a.size else True


def data(task, n=120, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-4, 4, (n, 2))
    if task == "regression":
        return X, np.sin(X[:, 0]) + 0.3 * X[:, 1]
    return X, (np.hypot(X[:, 0], X[:, 1]) > 2.5).astype(int) + (X[:, 0] > 2).astype(int)


@pytest.mark.parametrize("sizes", [[2, 8, 1], [2, 6, 6, 2], [2, 8, 8, 3], [2, 5, 5, 5, 4]])
def test_output_heights_equal_the_forward_pass_and_facets_are_planar(sizes):
    net = MLP(sizes, seed=2)
    P = linear_regions(net, BOUNDS)
    fs = S.build_surface(P, net, "output")
    s = fs.surface
    assert s.exact and len(s) > 0
    xy = s.positions[:, :2]
    truth = S.output_height(net.forward(xy))
    assert close(s.heights, truth)
    # Planar facets: every vertex of a facet (same region, same gradient) lies on the plane
    # through the facet's first vertex with the facet's gradient, using forward-pass heights.
    tri = s.triangles.astype(int)
    for t in tri[:: max(1, len(tri) // 200)]:
        g = s.gradients[t[0]]
        assert np.array_equal(s.gradients[t[1]], g) and np.array_equal(s.gradients[t[2]], g)
        pred = truth[t[0]] + (xy[t] - xy[t[0]]) @ g
        assert close(truth[t], pred, 1e-8)
        # The facet's gradient is the network's true gradient inside the triangle.
        c = xy[t].mean(axis=0)
        h = 1e-6
        fd = [
            (S.output_height(net.forward(np.array([c + d, c - d]))) @ [1, -1]) / (2 * h)
            for d in (np.array([h, 0.0]), np.array([0.0, h]))
        ]
        assert np.allclose(fd, g, rtol=1e-5, atol=1e-5)
    # The facets tile the window: triangle areas add up to its area, all counter-clockwise.
    a = xy[tri[:, 1]] - xy[tri[:, 0]]
    b = xy[tri[:, 2]] - xy[tri[:, 0]]
    cross = a[:, 0] * b[:, 1] - a[:, 1] * b[:, 0]
    assert (cross > -1e-12).all()
    assert np.isclose(cross.sum() / 2, 144.0, rtol=1e-9)


def test_normals_are_perpendicular_to_facets_at_any_height_scale():
    net = MLP([2, 6, 6, 2], seed=5)
    P = linear_regions(net, BOUNDS)
    s = S.build_surface(P, net, "output").surface
    for z_scale in (1.0, 0.1, 7.0):
        n = s.normals(z_scale)
        assert np.allclose(np.linalg.norm(n, axis=1), 1.0) and (n[:, 2] > 0).all()
        p = s.positions * [1.0, 1.0, z_scale]
        t = s.triangles.astype(int)
        for k in (1, 2):
            assert np.abs(((p[t[:, k]] - p[t[:, 0]]) * n[t[:, 0]]).sum(axis=1)).max() < 1e-9


def test_argmax_split_kernel_matches_its_python_twin_and_splits_exactly():
    net = MLP([2, 7, 7, 4], seed=11)
    P = linear_regions(net, BOUNDS)
    M = P.output_maps
    got = AS.argmax_split_kernel(P.offsets, P.vertices, M, len(P), S.EPS)
    ref = AS.argmax_split_reference(P.offsets, P.vertices, M, len(P), S.EPS)
    for g, r in zip(got, ref, strict=True):
        assert g.shape == r.shape and np.array_equal(g, r)
    off, V, parent, cls = got
    # Pieces of a region add up to its area, and inside each piece its class is on top.
    areas = np.zeros(len(P))
    for p in range(len(parent)):
        poly = V[off[p] : off[p + 1]]
        x, y = poly[:, 0], poly[:, 1]
        area = 0.5 * (x * np.roll(y, -1) - np.roll(x, -1) * y).sum()
        areas[parent[p]] += area
        c = poly.mean(axis=0)
        assert np.argmax(net.forward(c[None])[0]) == cls[p]
    assert np.allclose(areas, P.areas(), rtol=1e-9, atol=1e-12)


def test_crease_edges_cover_the_partitions_creases_once_and_lie_on_the_surface():
    net = MLP([2, 6, 5, 2], seed=3)
    P = linear_regions(net, BOUNDS)
    seg, layer, neuron = S.crease_edges(P, net)
    length = np.hypot(seg[:, 2] - seg[:, 0], seg[:, 3] - seg[:, 1])
    ref = P.creases
    ref_len = np.hypot(
        ref.segments[:, 2] - ref.segments[:, 0], ref.segments[:, 3] - ref.segments[:, 1]
    )
    for l, i in set(zip(ref.layer.tolist(), ref.neuron.tolist(), strict=True)):
        mine = length[(layer == l) & (neuron == i)].sum()
        theirs = ref_len[(ref.layer == l) & (ref.neuron == i)].sum()
        assert np.isclose(mine, theirs, rtol=1e-9), (l, i)
    # Each end of each edge is on its neuron's zero set.
    zs = net.preactivations(np.concatenate([seg[:, :2], seg[:, 2:]]))
    flat = np.concatenate(zs, axis=1)
    starts = np.cumsum([0, *net.hidden_sizes])
    j = np.concatenate([starts[layer - 1] + neuron] * 2)
    assert np.abs(flat[np.arange(len(j)), j]).max() < 1e-9
    fs = S.build_surface(P, net, "output")
    lifted = fs.creases.segments.reshape(-1, 3)
    assert close(lifted[:, 2], S.output_height(net.forward(lifted[:, :2])))
    # On planar facets a crease edge stays one straight piece.
    assert len(fs.creases) == len(seg)
    b = fs.boundary.segments.reshape(-1, 3)
    assert len(b) and np.abs(b[:, 2]).max() < 1e-9  # the decision boundary is at height 0


@pytest.mark.parametrize(
    ("sizes", "kind"),
    [
        ([2, 6, 5, 2], {}),
        ([2, 24, 24, 24, 2], {}),
        ([2, 12, 12, 12, 2], {"residual": True}),
        ([2, 12, 12, 2], {"activation": "hardtanh"}),
        ([2, 16, 16, 2], {"activation": "leaky_relu", "negative_slope": 0.1}),
        ([2, 12, 12, 2], {"activation": "abs"}),
    ],
)
def test_crease_edges_kernel_equals_its_numpy_twin(sizes, kind):
    """crease_edge_kernel (the edge test and the activations in one pass) gives the numpy
    twin's edges, layers and neurons to the bit, in the same order."""
    net = MLP(sizes, seed=5, **kind)
    P = linear_regions(net, BOUNDS)
    got = CE.crease_edges(P, net)
    want = CE._crease_edges_numpy(P, net)
    assert len(want[0]) > 50
    for a, b in zip(got, want, strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("chunk", [1, 37, 500])
@pytest.mark.parametrize(
    ("sizes", "kind"),
    [([2, 24, 24, 24, 2], {}), ([2, 12, 12, 12, 2], {"residual": True}),
     ([2, 12, 12, 2], {"activation": "hardtanh"})],
)  # fmt: skip
def test_crease_edges_a_few_regions_at_a_time_equal_the_whole_numpy_pass(
    monkeypatch, sizes, kind, chunk
):
    """The kernel path walks the vertices in chunks of whole regions (two passes: the
    tolerances over every vertex, then the edges); with chunks of one region up to many it
    gives the numpy twin's edges, which takes every vertex at once, to the bit."""
    net = MLP(sizes, seed=5, **kind)
    P = linear_regions(net, BOUNDS)
    monkeypatch.setattr(CE, "CHUNK_VERTICES", chunk)
    chunks = CE._region_chunks(P.offsets)
    assert len(chunks) > 1
    starts, ends = np.array(chunks).T
    assert starts[0] == 0 and ends[-1] == len(P.vertices) and np.all(starts[1:] == ends[:-1])
    assert np.isin(starts, P.offsets).all() and np.isin(ends, P.offsets).all()  # whole regions
    got = CE.crease_edges(P, net)
    want = CE._crease_edges_numpy(P, net)
    assert len(want[0]) > 50
    for a, b in zip(got, want, strict=True):
        np.testing.assert_array_equal(a, b)


def test_features_of_many_points_a_block_at_a_time_equal_one_pass():
    """MLP.features takes FORWARD_ROWS points at a time (the surface lifts its creases at
    10^5 points and more); each block gives the values one pass over every point gives."""
    from sandbox.nn import mlp as M

    net = MLP([2, 32, 32, 32, 3], seed=2)
    X = np.random.default_rng(0).uniform(-5, 5, (3 * M.FORWARD_ROWS + 17, 2))
    whole = net._hidden_pass(X)[1]
    got = net.features(X)
    assert got.shape == whole.shape
    np.testing.assert_allclose(got, whole, rtol=1e-13, atol=1e-13)
    np.testing.assert_allclose(net.forward(X), whole @ net.layers[-1][0].T + net.layers[-1][1],
                               rtol=1e-13, atol=1e-13)  # fmt: skip


def test_probability_surface_is_exact_at_vertices_and_close_between():
    net = MLP([2, 8, 8, 2], seed=4)
    P = linear_regions(net, BOUNDS)
    fs = S.build_surface(P, net, "probability", max_level=4, tolerance=0.002)
    s = fs.surface
    assert not s.exact
    xy = s.positions[:, :2]
    p = net.predict_proba(xy)[:, 1]
    assert close(s.heights, p, 1e-12)
    # Between vertices the mesh stays near the true surface (the midpoint criterion).
    t = s.triangles.astype(int)
    c = s.positions[t].mean(axis=1)
    zr = np.ptp(s.heights)
    assert np.abs(c[:, 2] - net.predict_proba(c[:, :2])[:, 1]).max() < 0.02 * zr
    # Smooth gradients: the analytic p (1 - p) grad(f1 - f0) of the vertex's own region.
    M = P.output_maps[s.region]
    analytic = (p * (1 - p))[:, None] * (M[:, 1, :2] - M[:, 0, :2])
    assert np.abs(s.gradients - analytic).max() < 1e-6 * max(1.0, np.abs(analytic).max())
    # Colour values are the exact logits at the vertices.
    assert close(s.colour_values, net.forward(xy))


def test_top_class_probability_surface_for_three_classes():
    net = MLP([2, 6, 6, 3], seed=8)
    P = linear_regions(net, BOUNDS)
    s = S.build_surface(P, net, "probability").surface
    xy = s.positions[:, :2]
    assert close(s.heights, net.predict_proba(xy).max(axis=1), 1e-12)


def test_laplace_probability_surface_matches_the_posterior_at_every_vertex():
    net = MLP([2, 8, 8, 3], seed=1)
    X, y = data("classification")
    la = LastLayerLaplace(net, prior_precision=1.0).fit(X, y)
    P = linear_regions(net, BOUNDS)
    fs = S.build_surface(P, net, "laplace", laplace=la)
    s = fs.surface
    xy = s.positions[:, :2]
    ref = la.predict_proba(xy, link="probit").max(axis=1)
    assert close(s.heights, ref, 1e-9)
    assert close(fs.height_at(xy), ref, 1e-12)
    lifted = fs.creases.segments.reshape(-1, 3)
    assert close(lifted[:, 2], la.predict_proba(lifted[:, :2], link="probit").max(axis=1), 1e-9)


def test_regression_band_is_mean_plus_minus_one_standard_deviation():
    net = MLP([2, 8, 8, 1], seed=6)
    X, y = data("regression")
    la = LastLayerLaplace(net, prior_precision=1.0).fit(X, y)
    P = linear_regions(net, BOUNDS)
    fs = S.build_surface(P, net, "band", laplace=la)
    assert fs.surface.exact and fs.lower is not None and fs.upper is not None
    assert np.array_equal(fs.lower.positions[:, :2], fs.upper.positions[:, :2])
    xy = fs.upper.positions[:, :2]
    mean, var = la.predict(xy, include_noise=False)
    sd = np.sqrt(var)
    assert close(fs.upper.heights, mean + sd, 1e-9)
    assert close(fs.lower.heights, mean - sd, 1e-9)
    assert close(fs.surface.heights, net.forward(fs.surface.positions[:, :2])[:, 0])
    lo, hi = fs.z_range()
    assert lo <= fs.lower.heights.min() and hi >= fs.upper.heights.max()
    noisy = S.build_surface(P, net, "band", laplace=la, include_noise=True)
    _, var_n = la.predict(noisy.upper.positions[:, :2], include_noise=True)
    m_n = net.forward(noisy.upper.positions[:, :2])[:, 0]
    assert close(noisy.upper.heights, m_n + np.sqrt(var_n), 1e-9)


@pytest.mark.parametrize("layer", [1, 2])
def test_single_neuron_surface_is_its_exact_activation(layer):
    net = MLP([2, 5, 4, 2], seed=9)
    P = linear_regions(net, BOUNDS, upto_layer=layer)
    for i in range(net.sizes[layer]):
        fs = S.build_surface(P, net, "neuron", neuron=(layer, i))
        s = fs.surface
        act = np.maximum(net.preactivations(s.positions[:, :2])[layer - 1][:, i], 0.0)
        assert s.exact and close(s.heights, act)
        # Its own crease is among the lifted creases, at height 0.
        own = fs.creases.of(layer, i)
        if len(own):
            assert np.abs(own[:, :, 2]).max() < 1e-9


def test_halfplane_surface_is_max_of_the_affine_function_with_one_crease():
    a, b, c = 0.7, -1.3, 0.4
    fs = S.halfplane_surface(a, b, c, BOUNDS)
    s = fs.surface
    xy = s.positions[:, :2]
    assert close(s.heights, np.maximum(xy @ [a, b] + c, 0.0))
    assert len(np.unique(s.region)) == 2
    assert len(fs.creases) == 1
    seg = fs.creases.segments[0]
    assert np.abs(seg[:, :2] @ [a, b] + c).max() < 1e-12 and np.abs(seg[:, 2]).max() < 1e-12
    # Same as the partition-based surface of a one-neuron first layer.
    net = MLP.from_weights([(np.array([[a, b]]), np.array([c])), (np.ones((2, 1)), np.zeros(2))])
    P = linear_regions(net, BOUNDS, upto_layer=1)
    ref = S.build_surface(P, net, "neuron", neuron=(1, 0))
    rng = np.random.default_rng(0)
    X = rng.uniform(-6, 6, (200, 2))
    assert close(fs.height_at(X), ref.height_at(X))
    # A line missing the window: one flat or one sloped facet, no crease.
    far = S.halfplane_surface(1.0, 0.0, 10.0, BOUNDS)
    assert len(far.creases) == 0 and len(np.unique(far.surface.region)) == 1
    zero = S.halfplane_surface(0.0, 0.0, 0.0, BOUNDS)
    assert np.all(zero.surface.heights == 0.0)


def test_lifted_points_stand_on_the_surface():
    net = MLP([2, 6, 6, 2], seed=1)
    P = linear_regions(net, BOUNDS)
    fs = S.build_surface(P, net, "output")
    X = np.array([[0.0, 0.0], [1.5, -2.0], [5.0, 5.0]])
    p3 = fs.lift_points(X)
    f = net.forward(X)
    assert np.allclose(p3[:, :2], X) and np.allclose(p3[:, 2], f[:, 1] - f[:, 0])
    assert fs.lift_points(np.zeros((0, 2))).shape == (0, 3)


def test_the_triangle_budget_lowers_the_subdivision_level():
    net = MLP([2, 8, 8, 2], seed=4)
    P = linear_regions(net, BOUNDS)
    small = S.build_surface(P, net, "probability", max_level=4, max_triangles=5000).surface
    assert len(small) <= 5000
    assert close(small.heights, net.predict_proba(small.positions[:, :2])[:, 1], 1e-12)


def test_user_errors():
    net = MLP([2, 4, 4, 2], seed=0)
    P = linear_regions(net, BOUNDS)
    with pytest.raises(ValueError, match="unknown"):
        S.build_surface(P, net, "wobbly")
    with pytest.raises(ValueError, match="regression"):
        S.build_surface(P, net, "band")
    with pytest.raises(ValueError, match="Laplace"):
        S.build_surface(P, net, "laplace")
    with pytest.raises(ValueError, match="neuron="):
        S.build_surface(linear_regions(net, BOUNDS, upto_layer=1), net, "neuron")
    with pytest.raises(ValueError, match="layer 2"):
        S.build_surface(P, net, "neuron", neuron=(1, 0))
    with pytest.raises(ValueError, match="out of range"):
        S.build_surface(P, net, "neuron", neuron=(2, 4))
    with pytest.raises(ValueError, match="all 2 hidden layers"):
        S.build_surface(linear_regions(net, BOUNDS, upto_layer=1), net, "output")
    reg = MLP([2, 4, 1], seed=0)
    with pytest.raises(ValueError, match="classification"):
        S.build_surface(linear_regions(reg, BOUNDS), reg, "probability")
    with pytest.raises(ValueError, match="finite"):
        S.halfplane_surface(np.nan, 1, 1, BOUNDS)
