"""The network inspector: diagram layout, link styles, thumbnails, hit testing and drawing."""

from __future__ import annotations

import numpy as np
import pytest
from gl_util import gl_fixture, gl_session_fixture  # noqa: F401  (fixtures gl, gl_session)

from sandbox.geometry import linear_regions
from sandbox.nn import MLP
from sandbox.nn.activations import activate
from sandbox.render import inspector as I
from sandbox.render import palette
from sandbox.render import plots as PL
from sandbox.render.target import RenderTarget
from sandbox.vocab import Activation

BOUNDS = (-6.0, 6.0, -6.0, 6.0)


@pytest.mark.parametrize("sizes", [[2, 1, 1], [2, 8, 2], [2, 16, 16, 3], [2, 5, 40, 7, 1]])
def test_layout_columns_spacing_and_links(sizes):
    rect = (30.0, 20.0, 700.0, 460.0)
    lay = I.network_layout(sizes, rect)
    assert lay.n_nodes == sum(sizes)
    x, y, w, h = rect
    half = lay.node / 2
    assert (lay.xy[:, 0] - half >= x).all() and (lay.xy[:, 0] + half <= x + w).all()
    assert (lay.xy[:, 1] - half >= y).all() and (lay.xy[:, 1] + half <= y + h).all()
    assert lay.node == int(lay.node) and lay.node >= 1
    cols = [lay.xy[lay.layer == c, 0] for c in range(len(sizes))]
    cx = np.array([c[0] for c in cols])
    assert all(np.all(c == c[0]) for c in cols) and np.all(np.diff(cx) > lay.node)
    assert np.ptp(np.diff(cx)) <= 1.0  # evenly spaced columns (to the pixel)
    for c in range(len(sizes)):
        ys = lay.xy[lay.layer == c, 1]
        assert np.all(np.diff(ys) >= lay.node)  # no overlap
        if len(ys) > 2:
            assert np.ptp(np.diff(ys)) <= 1.0
        assert np.array_equal(lay.index[lay.layer == c], np.arange(sizes[c]))
    assert len(lay.src) == sum(a * b for a, b in zip(sizes[:-1], sizes[1:], strict=False))
    assert np.array_equal(lay.layer[lay.dst], lay.link_layer)
    assert np.array_equal(lay.layer[lay.src], lay.link_layer - 1)
    assert np.array_equal(lay.index[lay.dst], lay.link_out)
    assert np.array_equal(lay.index[lay.src], lay.link_in)


def test_link_widths_grow_with_abs_weight_and_colours_follow_the_sign():
    net = MLP([2, 6, 5, 2], seed=1)
    lay = I.network_layout(net.sizes, (0, 0, 500, 300))
    widths, colors = I.link_styles(net.layers, lay, max_width=6.0, min_width=0.5)
    for l, (W, _) in enumerate(net.layers, start=1):
        sel = lay.link_layer == l
        w = W[lay.link_out[sel], lay.link_in[sel]]
        order = np.argsort(np.abs(w))
        assert np.all(np.diff(widths[sel][order]) >= -1e-6)
        assert np.isclose(widths[sel].max(), 6.0)
        pos = w >= 0
        assert np.allclose(colors[sel][pos, :3], I.POSITIVE)
        assert np.allclose(colors[sel][~pos, :3], I.NEGATIVE)
        assert np.allclose(widths[sel], 0.5 + 5.5 * np.abs(w) / np.abs(w).max(), rtol=1e-5)


def test_hit_testing_finds_each_node_and_nothing_between():
    lay = I.network_layout([2, 4, 3, 2], (0, 0, 400, 300))
    for k in range(lay.n_nodes):
        ref = I.hit_node(lay, lay.xy[k])
        assert ref == I.NodeRef(int(lay.layer[k]), int(lay.index[k]))
        assert lay.node_id(ref) == k
        corner = lay.xy[k] + lay.node / 2 + 2.0
        assert I.hit_node(lay, corner, pad=3.0) == ref
        assert I.hit_node(lay, lay.xy[k] + lay.node / 2 + 4.0, pad=3.0) != ref
    mid = 0.5 * (lay.xy[0] + lay.xy[2])  # between the input column and layer 1
    assert I.hit_node(lay, mid) is None
    with pytest.raises(ValueError):
        lay.node_id(I.NodeRef(1, 9))


def test_thumbnails_show_each_neurons_activation_over_the_view():
    net = MLP([2, 4, 3, 2], seed=2)
    s = 16
    th = I.neuron_thumbnails(net, BOUNDS, s)
    assert th.shape == (sum(net.sizes), s, s, 4) and th.dtype == np.uint8
    grid = I._grid(BOUNDS, s)
    # Row 0 is the top of the view (largest y); column 0 its left.
    assert grid[0, 1] > grid[-1, 1] and grid[0, 0] < grid[s - 1, 0]
    zs = net.preactivations(grid)
    k = 2
    off = palette.to_uint8(I.OFF_COLOR)
    for z in zs:
        for i in range(z.shape[1]):
            pic = th[k].reshape(-1, 4)[:, :3]
            dead = z[:, i] <= 0
            assert np.abs(pic[dead].astype(int) - off).max(initial=0) <= 1
            if (~dead).any():
                on = pic[~dead].astype(int)
                assert np.all(on[:, 2] > on[:, 0])  # bluish where active
            k += 1
    # Inputs: x grows to the right (blue), y grows upwards.
    x_pic = th[0, :, :, :3].astype(int)
    assert x_pic[0, -1, 2] > x_pic[0, -1, 0] and x_pic[0, 0, 0] > x_pic[0, 0, 2]
    y_pic = th[1, :, :, :3].astype(int)
    assert y_pic[0, 0, 2] > y_pic[0, 0, 0] and y_pic[-1, 0, 0] > y_pic[-1, 0, 2]
    atlas, rects = I.thumbnail_atlas(th)
    for j in range(len(th)):
        x, y, w, h = rects[j].astype(int)
        assert np.array_equal(atlas[y : y + h, x : x + w], th[j])


@pytest.mark.parametrize("activation", [Activation.RELU, Activation.TANH, Activation.LEAKY_RELU])
def test_thumbnails_of_a_layer_at_once_equal_each_neuron_alone(activation):
    """The layer's neurons are coloured together, each on its own scale: exactly the pictures
    of colouring them one at a time (a dead neuron's scale of 0 included)."""
    net = MLP([2, 6, 5, 3], seed=4, activation=activation)
    layers = net.weights()
    layers[0][1][2] = -50.0  # a dead neuron: off everywhere, its scale 0
    net.set_weights(layers)
    s = 12
    th = I.neuron_thumbnails(net, BOUNDS, s)
    grid = I._grid(BOUNDS, s)
    k = 2
    for z in net.preactivations(grid):
        for i in range(z.shape[1]):
            if activation is Activation.RELU:
                h = np.maximum(z[:, i], 0.0)
                one = I.activation_colors(h, float(h.max()))
            else:
                h = activate(z[:, i], activation, net.negative_slope)
                one = I.signed_colors(h, float(np.abs(h).max()))
            assert np.array_equal(th[k, :, :, :3].reshape(-1, 3), palette.to_uint8(one))
            k += 1


def test_flat_index_activity_tint_and_neuron_info():
    net = MLP([2, 3, 4, 2], seed=0)
    assert I.flat_index(net.sizes, 1, 2) == 2 and I.flat_index(net.sizes, 2, 0) == 3
    with pytest.raises(ValueError):
        I.flat_index(net.sizes, 3, 0)
    P = linear_regions(net, BOUNDS)
    rc = P.region_colors
    j = I.flat_index(net.sizes, 2, 1)
    tinted = I.activity_tint(rc, P.patterns, j, amount=0.5)
    on = P.patterns[:, j]
    assert np.allclose(tinted[~on], rc[~on])
    assert np.allclose(tinted[on, :3], 0.5 * (rc[on, :3] + I.POSITIVE))
    W, b = net.layers[0]
    text = I.neuron_info(net.layers, 1, 1)
    assert f"{W[1, 0]:.3g}" in text and f"{b[1]:.3g}" in text and "neuron 2" in text
    assert "4 inputs" not in text and "3 inputs" in I.neuron_info(net.layers, 2, 0)
    assert I.neuron_info(net.layers, 3, 0).startswith("output")


@pytest.mark.gl
def test_diagram_pixels_show_thumbnails_links_and_markers(gl):
    from sandbox.render.gl import GL

    W1 = np.array([[1.0, -0.5]])
    net = MLP.from_weights([(W1, np.array([0.2])), (np.array([[-2.0]]), np.array([0.0]))])
    size = (300, 200)
    canvas = PL.Canvas()
    target = RenderTarget(size)
    try:
        d = I.NetworkDiagram()
        d.update(net, BOUNDS, (0, 0, *size), dead=np.array([True]))
        target.bind()
        GL.glClearColor(1.0, 1.0, 1.0, 1.0)
        GL.glClear(GL.GL_COLOR_BUFFER_BIT)
        canvas.begin(size)
        d.draw(canvas, selected=I.NodeRef(2, 0))
        canvas.draw()
        pixels = target.read().astype(int)
    finally:
        target.delete()
        canvas.delete()
        GL.glBindFramebuffer(GL.GL_FRAMEBUFFER, 0)
    lay = d.layout
    th = I.neuron_thumbnails(net, BOUNDS, int(lay.node))
    # Thumbnails are exact texel copies (away from the frame and the dead cross).
    for k in (0, 1):
        x0, y0, w, h = (int(v) for v in lay.node_rect(k))
        inner = pixels[y0 + 3 : y0 + h - 3, x0 + 3 : x0 + w - 3]
        assert np.abs(inner - th[k, 3:-3, 3:-3, :3]).max() <= 1
    # Each link's midpoint: its colour blended over white with its opacity.
    widths, colors = I.link_styles(net.layers, lay)
    for e in range(len(lay.src)):
        m = 0.5 * (lay.xy[lay.src[e]] + lay.xy[lay.dst[e]])
        a = colors[e, 3]
        expected = np.rint((colors[e, :3] * a + (1 - a)) * 255)
        got = pixels[int(np.floor(m[1])), int(np.floor(m[0]))]
        assert np.abs(got - expected).max() <= 3, (e, got, expected)
    assert (colors[:, :3] == I.POSITIVE).all(axis=1).tolist() == [True, False, False]
    # The dead hidden neuron is crossed out through its centre.
    c = lay.xy[2]
    assert np.abs(pixels[int(c[1]), int(c[0])] - np.rint(I.DEAD_MARK[:3] * 255)).max() <= 30
    # The selected output node has a dark frame just outside its square.
    x0, y0, w, h = lay.node_rect(3)
    assert pixels[int(y0 + h / 2), int(np.floor(x0 - 2.5))].max() < 90


def test_a_big_layer_draws_its_strongest_links():
    """Over MAX_LINKS_PER_LAYER links a layer shows its widest ones (the largest |w|); a smaller
    layer shows every link."""
    net = MLP([2, 40, 40, 3], seed=2)
    lay = I.network_layout(net.sizes, (0, 0, 500, 300))
    widths, _ = I.link_styles(net.layers, lay)
    drawn = I.strongest_links(lay, widths, 256)
    for l, count in ((1, 80), (2, 256), (3, 120)):
        sel = np.flatnonzero(lay.link_layer == l)
        mine = np.intersect1d(drawn, sel)
        assert len(mine) == count
        if count < len(sel):  # every drawn link is at least as wide as every one left out
            left = np.setdiff1d(sel, mine)
            assert widths[mine].min() >= widths[left].max()
    assert np.array_equal(drawn, np.sort(drawn))


def test_crowded_columns_get_short_titles(gl):
    """Eight hidden layers in a narrow diagram: "in, L1, ..., L8, out" instead of titles that
    run into each other ("inputlayer 1layer 2..." at 1280x800)."""
    net = MLP([2, *(4,) * 8, 2], seed=0)
    drawn: list[list[str]] = []
    for width in (1400, 360):
        canvas = PL.Canvas()
        titles: list[str] = []
        original = canvas.text

        def spy(text, pos, *args, _titles=titles, _original=original, **kwargs):
            _titles.append(str(text))
            return _original(text, pos, *args, **kwargs)

        canvas.text = spy
        try:
            d = I.NetworkDiagram()
            d.update(net, BOUNDS, (0, 0, width, 240))
            canvas.begin((width, 300))
            d.draw(canvas, font_px=14)
        finally:
            canvas.delete()
        drawn.append(titles)
    assert drawn[0][-10:] == I.layer_names(net.sizes)
    assert drawn[1][-10:] == I.layer_names(net.sizes, short=True)
    assert drawn[1][-10:][:2] == ["in", "L1"] and drawn[1][-1] == "out"


def test_node_outlines_and_pictures_are_drawn_as_one_at_a_time_calls_drew_them(gl):
    """The diagram's 512 nodes are collected in one call each for their pictures and outlines
    (a loop of 512 `image` and `frame` calls cost 20-30 ms of Python a paint): the same rows."""
    rng = np.random.default_rng(3)
    rects = np.column_stack([rng.uniform(0, 500, (40, 2)), np.full((40, 2), 23.0)])
    sources = np.column_stack([rng.integers(0, 200, (40, 2)), np.full((40, 2), 24)])
    batched, single = PL.Canvas(), PL.Canvas()
    try:
        for c in (batched, single):
            c.begin((600, 600))
            c.set_images(np.zeros((256, 256, 4), np.uint8))
        batched.image_rows(rects, sources)
        batched.frames(rects, (0.2, 0.3, 0.4, 1.0), 1.0)
        for rect, source in zip(rects, sources, strict=True):
            x, y, w, h = (float(v) for v in rect)
            sx, sy, sw, sh = (float(v) for v in source)
            single.image(rect, source)
            # the outline as a closed polyline, as `frame` drew it before
            pts = np.array([[x, y], [x + w, y], [x + w, y + h], [x, y + h], [x, y]])
            single.polyline(pts, (0.2, 0.3, 0.4, 1.0), 1.0)
        for name in ("_quads", "_lines"):
            np.testing.assert_array_equal(
                np.concatenate(getattr(batched, name)), np.concatenate(getattr(single, name))
            )
    finally:
        batched.delete()
        single.delete()
