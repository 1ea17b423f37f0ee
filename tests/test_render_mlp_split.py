"""The per-pixel network fallback and the split screen, against CPU references per pixel."""

from __future__ import annotations

import numpy as np
import pytest
from gl_util import (  # noqa: F401  (the fixtures gl and gl_session)
    assert_pixels_close,
    forward,
    gl_fixture,
    gl_session_fixture,
    laplace_of,
    layers_for,
    logit_variance,
    random_layers,
    upload,
)

from sandbox.render import palette
from sandbox.render.camera import View2D
from sandbox.render.field import FieldMode, FieldStyle
from sandbox.render.mlp_field import pack_weights
from sandbox.render.split import split_panes, union_bounds

pytestmark = pytest.mark.gl


@pytest.mark.parametrize(
    ("sizes", "view"),
    [
        ([2, 16, 16, 3], View2D((0.0, 0.0), 1.0, 320, 240)),
        ([2, 64, 5, 8, 8, 8, 8, 8, 6, 2], View2D((0.3, -0.2), 1.5, 320, 240)),
        ([2, 12, 12, 2], View2D((500.0, -300.0), 50.0, 320, 240)),
    ],
    ids=["3-classes", "8-hidden-64-wide", "far"],
)
def test_per_pixel_network_matches_cpu(gl, sizes, view):
    layers = layers_for(view, sizes, seed=7)
    r = gl.renderer()
    r.mlp_field.set_network(layers)
    r.begin_frame()
    r.draw_network_field(view, FieldStyle())
    pixels = r.read_pixels()
    _, logits = forward(layers, view.pixel_centers().reshape(-1, 2))
    expected = palette.to_uint8(palette.class_field_colors(logits)).reshape(pixels.shape)
    assert_pixels_close(pixels, expected, 3, what=f"per-pixel network {sizes}")
    assert len(np.unique(logits.argmax(1))) >= 2


def test_per_pixel_regression_and_mesh_agree(gl):
    view = View2D((0.0, 0.0), 1.0, 320, 240)
    layers = random_layers([2, 10, 10, 1], seed=2)
    style = FieldStyle(value_range=(-2.0, 2.0))
    r = gl.renderer()
    r.mlp_field.set_network(layers)
    r.begin_frame()
    r.draw_network_field(view, style)
    per_pixel = r.read_pixels()
    upload(r, layers, view)
    r.begin_frame()
    r.draw_field(view, style)
    mesh = r.read_pixels()
    assert_pixels_close(per_pixel, mesh, 2, what="per-pixel vs mesh")
    _, y = forward(layers, view.pixel_centers().reshape(-1, 2))
    expected = palette.to_uint8(palette.regression_colors(y, (-2.0, 2.0))).reshape(mesh.shape)
    assert_pixels_close(per_pixel, expected, 3, what="per-pixel regression")


def test_pack_weights_layout():
    layers = random_layers([2, 5, 3], seed=0)
    texels, offsets = pack_weights(layers, (1.5, -2.0))
    (W1, b1), (W2, b2) = layers
    # Layer 1: 2 output groups x 1 input group, 4 texels each, then 2 texels of biases.
    assert offsets.tolist() == [0, 10]
    for o in range(2):
        for c in range(2):
            rows = slice(4 * o, min(4 * o + 4, 5))
            got = texels[4 * o + c]
            np.testing.assert_allclose(got[: rows.stop - rows.start], W1[rows, c], rtol=1e-6)
        assert not texels[4 * o + 2 : 4 * o + 4].any()  # inputs 2, 3 are padding
    np.testing.assert_allclose(texels[8:10].reshape(-1)[:5], b1 + W1 @ [1.5, -2.0], rtol=1e-6)
    # Layer 2: 1 output group x 2 input groups, then 1 texel of biases.
    layer2 = texels[10:18].reshape(2, 4, 4)  # (j, c, r) = W2[r, 4j + c]
    W2_back = layer2.transpose(2, 0, 1).reshape(4, 8)
    np.testing.assert_allclose(W2_back[:3, :5], W2, rtol=1e-6)
    assert not W2_back[3:].any() and not W2_back[:, 5:].any()
    np.testing.assert_allclose(texels[18, :3], b2, rtol=1e-6)
    assert len(texels) == 19


def test_per_pixel_network_refuses_what_it_cannot_draw(gl):
    r = gl.renderer()
    with pytest.raises(ValueError, match="width 65"):
        r.mlp_field.set_network(random_layers([2, 65, 2]))
    with pytest.raises(ValueError, match="hidden layers"):
        r.mlp_field.set_network(random_layers([2] + [4] * 9 + [2]))
    r.mlp_field.set_network(random_layers([2, 4, 2]))
    with pytest.raises(ValueError, match="OUTPUT"):
        r.mlp_field.draw(View2D(), FieldStyle(mode=FieldMode.LAPLACE))


def test_split_screen_map_left_laplace_right(gl):
    """The app's split view (sandbox.render.plane_view, the sandbox's X key): MAP on the left,
    the Laplace confidence on the right, each pane against the CPU at every pixel."""
    from sandbox.nn import MLP
    from sandbox.render.plane_view import PlaneRenderer
    from sandbox.session import new_points
    from sandbox.state import AppState
    from sandbox.vocab import Task, View

    view = View2D((0.2, 0.1), 1.2, 320, 240)
    layers = random_layers([2, 8, 8, 2], seed=13)
    panes = split_panes(view)
    rng = np.random.default_rng(1)
    X = rng.uniform(-4, 4, (30, 2))
    s = AppState()
    s.layout.window = (320, 240)
    s.layout.plane = (0, 0, 320, 240)
    s.camera = view
    s.views = {View.FIELD, View.SPLIT}
    s.prior_precision = 0.5
    s.session.show_network(MLP.from_weights(layers))
    points = new_points(Task.CLASSIFICATION, 0.0, 0)
    points.add(X, forward(layers, X)[1].argmax(axis=1))
    s.session.set_points(points)
    la = s.session.laplace(s.prior_precision).laplace
    assert la is not None and s.laplace is la
    # The geometry covers both panes, as the sandbox's window bounds do.
    x0, y0, x1, y1 = union_bounds(panes)
    s.partition = s.session.partition((x0, x1, y0, y1))
    plane = PlaneRenderer(gl.renderer())
    r = plane.r
    r.begin_frame()
    plane.draw(s)
    pixels = r.read_pixels()
    plane.release()
    assert plane.laplace_ok
    for pane, laplace in zip(panes, (False, True), strict=True):
        x, _, w, _ = pane.scissor
        vx = pane.viewport[0]
        # Pixel centres of this pane's columns in its own camera.
        cols = np.arange(x, x + w) - vx
        centers = pane.view.pixel_centers()[:, cols].reshape(-1, 2)
        _, logits = forward(layers, centers)
        if laplace:
            colors = palette.laplace_colors(logits, logit_variance(la, centers))
        else:
            colors = palette.class_field_colors(logits)
        expected = palette.to_uint8(colors).reshape(240, w, 3)
        got = pixels[:, x : x + w]
        inner = np.ones((240, w), bool)
        inner[:, :2] = inner[:, -2:] = False  # the pane's edges
        # the painted points are drawn over the field: leave their discs out
        dots = pane.view.world_to_screen(X) + np.array([vx - x, 0.0])
        yy, xx = np.mgrid[0:240, 0:w] + 0.5
        for px, py in dots:
            inner &= (xx - px) ** 2 + (yy - py) ** 2 > 12.0**2
        assert inner.sum() > 0.5 * inner.size
        assert_pixels_close(got, expected, 3, mask=inner, what=f"pane laplace={laplace}")
