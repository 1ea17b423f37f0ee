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


@pytest.mark.parametrize("residual", [False, True], ids=["plain", "residual"])
def test_per_pixel_network_of_every_activation_matches_cpu_in_both_programs(gl, monkeypatch,
                                                                            residual):  # fmt: skip
    """Every activation, plain and residual: the program written out for the network's shape
    and the one with loops both draw the CPU forward pass's colours, and the same pixels."""
    from sandbox.nn.activations import ACTIVATION_IDS
    from sandbox.nn.mlp import MLP
    from sandbox.render import mlp_field
    from sandbox.vocab import Activation

    view = View2D((0.4, -0.3), 1.2, 320, 240)
    centers = view.pixel_centers().reshape(-1, 2)
    r = gl.renderer()
    for act in Activation:
        net = MLP([2, 6, 6, 5, 3], seed=3, activation=act, negative_slope=0.2, residual=residual)
        assert residual == any(net.residual_layers)
        expected = palette.to_uint8(palette.class_field_colors(net.forward(centers)))
        drawn = []
        for blocks in (mlp_field.STRAIGHT_MAX_BLOCKS, 0):  # written out, then the loops
            monkeypatch.setattr(mlp_field, "STRAIGHT_MAX_BLOCKS", blocks)
            r.mlp_field.set_network(net.weights(), ACTIVATION_IDS[act], net.negative_slope,
                                    net.residual_layers)  # fmt: skip
            assert r.mlp_field.straight == (blocks > 0)
            r.begin_frame()
            r.draw_network_field(view, FieldStyle())
            pixels = r.read_pixels()
            what = f"{act.value}, {'written out' if blocks else 'loops'}"
            assert_pixels_close(pixels, expected.reshape(pixels.shape), 3, what=what)
            drawn.append(pixels)
        assert_pixels_close(drawn[0], drawn[1], 1, what=f"{act.value}: the two programs")


def test_the_written_out_forward_pass_follows_the_packed_layout():
    from sandbox.render.mlp_field import forward_statements, pack_weights, weight_blocks

    shape = [2, 5, 9, 3]
    assert weight_blocks(shape) == 1 * 2 + 2 * 3 + 3 * 1
    code, out0, out1 = forward_statements(shape, residual=(False, False))
    _, offsets = pack_weights(random_layers(shape, seed=0), (0.0, 0.0))
    # each layer's first block starts at its packed offset; its biases follow its blocks
    assert f"weight_block({offsets[1]}) * h1_0" in code
    assert f"weight_block({offsets[2]}) * h2_0" in code
    assert f"texelFetch(u_weights, {offsets[1] + 4 * 3 * 2})" in code  # layer 2's first bias
    assert code.count("activate(") == 2 + 3 and (out0, out1) == ("h3_0", "vec4(0.0)")
    # a residual layer adds its input; the output layer never does
    code = forward_statements([2, 4, 4, 6], residual=(False, True))[0]
    assert "h1_0 + " not in code.split("vec4 h2_0")[0]
    assert code.split("vec4 h2_0 = ")[1].split(";")[0].endswith(" + h1_0")
    assert forward_statements([2, 4, 4, 6], residual=(False, True))[2] == "h3_1"


def test_programs_of_a_shape_are_kept_for_the_last_few_shapes(gl):
    from sandbox.render import mlp_field

    r = gl.renderer()
    view = View2D((0.0, 0.0), 1.0, 32, 24)
    for width in range(1, mlp_field.PROGRAMS_KEPT + 3):
        r.mlp_field.set_network(random_layers([2, width, 2], seed=width))
        r.begin_frame()
        r.draw_network_field(view, FieldStyle())
    own = [k for k in r.mlp_field._programs if len(k) == 5]  # noqa: SLF001
    assert len(own) == mlp_field.PROGRAMS_KEPT
    assert own[-1][2] == (2, mlp_field.PROGRAMS_KEPT + 2, 2)  # the newest shape kept
    # a network over the budget is drawn by the program with loops
    r.mlp_field.set_network(random_layers([2, 64, 64, 64, 2], seed=0))
    assert not r.mlp_field.straight


def test_the_cost_of_a_pixel_is_measured_once_and_leaves_gl_as_found(gl):
    from sandbox.render.gl import GL

    r = gl.renderer()
    GL.glViewport(3, 4, 50, 60)
    GL.glScissor(5, 6, 7, 8)
    GL.glEnable(GL.GL_SCISSOR_TEST)
    r.mlp_field.set_network(random_layers([2, 4, 2], seed=1))
    small = r.mlp_field.pixel_ns()
    assert list(GL.glGetIntegerv(GL.GL_VIEWPORT)) == [3, 4, 50, 60]
    assert list(GL.glGetIntegerv(GL.GL_SCISSOR_BOX)) == [5, 6, 7, 8]
    assert GL.glIsEnabled(GL.GL_SCISSOR_TEST)
    assert int(GL.glGetIntegerv(GL.GL_DRAW_FRAMEBUFFER_BINDING)) == 0
    r.mlp_field.set_network(random_layers([2, 32, 32, 32, 32, 2], seed=1))
    big = r.mlp_field.pixel_ns()
    assert 0 < small and 4 * small < big  # 2 against 208 weight blocks
    r.mlp_field.set_network(random_layers([2, 32, 32, 32, 32, 2], seed=2))  # new weights
    assert r.mlp_field.pixel_ns() == big  # the same shape: not measured again


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


def _split_state(view: View2D, net, X: np.ndarray, labels: np.ndarray, prior: float):
    """An app state with the split view on over `view`: `net` and its points X, labelled."""
    from sandbox.state import AppState
    from sandbox.training_setup import new_points
    from sandbox.vocab import Task, View

    s = AppState()
    s.layout.window = (view.width, view.height)
    s.layout.plane = (0, 0, view.width, view.height)
    s.camera = view
    s.views = {View.FIELD, View.SPLIT}
    s.prior_precision = prior
    s.session.show_network(net)
    points = new_points(Task.CLASSIFICATION, 0.0, 0)
    points.add(X, labels)
    s.session.set_points(points)
    return s


def test_split_screen_map_left_laplace_right(gl):
    """The app's split view (sandbox.render.plane_view, the sandbox's X key): MAP on the left,
    the Laplace confidence on the right, each pane against the CPU at every pixel."""
    from sandbox.nn import MLP
    from sandbox.render.plane_view import PlaneRenderer

    view = View2D((0.2, 0.1), 1.2, 320, 240)
    layers = random_layers([2, 8, 8, 2], seed=13)
    panes = split_panes(view)
    rng = np.random.default_rng(1)
    X = rng.uniform(-4, 4, (30, 2))
    s = _split_state(view, MLP.from_weights(layers), X, forward(layers, X)[1].argmax(axis=1), 0.5)
    la = s.session.laplace(s.prior_precision).laplace
    assert la is not None and s.laplace is la
    # The geometry covers both panes, as the sandbox's window bounds do.
    x0, y0, x1, y1 = union_bounds(panes)
    s.partition = s.session.partition((x0, x1, y0, y1))
    # the closed forms per region, as the model controller derives them each frame
    s.region_laplace = s.session.region_laplace(s.partition, s.prior_precision)
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


def _grid_interpolate(values: np.ndarray, bounds, nx: int, ny: int, X: np.ndarray) -> np.ndarray:
    """Values (nx * ny, K) on field_grid.grid's nx x ny grid over bounds, interpolated at X as
    its triangles do: each cell cut along its diagonal from (xmin, ymin) to (xmax, ymax)."""
    x0, y0, x1, y1 = bounds
    fx = (X[:, 0] - x0) / (x1 - x0) * (nx - 1)
    fy = (X[:, 1] - y0) / (y1 - y0) * (ny - 1)
    i = np.clip(np.floor(fx).astype(int), 0, nx - 2)
    j = np.clip(np.floor(fy).astype(int), 0, ny - 2)
    u, v = (fx - i)[:, None], (fy - j)[:, None]
    a, b = values[j * nx + i], values[j * nx + i + 1]
    c, d = values[(j + 1) * nx + i], values[(j + 1) * nx + i + 1]
    below = a + u * (b - a) + v * (d - b)  # triangle (a, b, d): u >= v
    above = a + v * (c - a) + u * (d - c)  # triangle (a, d, c)
    return np.where(u >= v, below, above)


def test_split_screen_of_a_smooth_network_samples_laplace_on_the_right(gl, monkeypatch):
    """A tanh network has no regions for the closed forms: the split view's right pane shows
    the Laplace fit's probit logits m / sqrt(1 + pi/8 v) sampled on a grid (MacKay), the left
    the MAP output per pixel; both against the CPU (the variances from logit_mean_cov)."""
    from sandbox.nn import MLP
    from sandbox.render.field_grid import GRID_STEP
    from sandbox.render.mlp_field import MLPFieldPass
    from sandbox.render.plane_view import PlaneRenderer

    # the left pane per pixel whatever this machine's load makes a pixel cost (a busy machine
    # measured it too dear: the pane was sampled, and differed from the CPU's per-pixel picture)
    monkeypatch.setattr(MLPFieldPass, "pixel_ns", lambda self: 1.0)

    view = View2D((0.2, 0.1), 1.2, 320, 240)
    net = MLP.from_weights(random_layers([2, 8, 8, 2], seed=13), activation="tanh")
    panes = split_panes(view)
    X = np.random.default_rng(1).uniform(-4, 4, (12, 2))
    s = _split_state(view, net, X, net.forward(X).argmax(axis=1), 0.05)
    la = s.session.laplace(s.prior_precision).laplace
    x0, y0, x1, y1 = union_bounds(panes)
    s.partition = s.session.partition((x0, x1, y0, y1))
    assert s.partition.smooth and la is not None
    plane = PlaneRenderer(gl.renderer())
    r = plane.r
    r.begin_frame()
    plane.draw(s)
    pixels = r.read_pixels()
    plane.release()
    assert plane.split_sampled and not plane.laplace_ok
    shrink = []
    for pane, laplace in zip(panes, (False, True), strict=True):
        x, _, w, _ = pane.scissor
        cols = np.arange(x, x + w) - pane.viewport[0]
        centers = pane.view.pixel_centers()[:, cols].reshape(-1, 2)
        logits = net.forward(centers)
        if laplace:
            bounds = pane.view.world_bounds()
            nx, ny = w // GRID_STEP + 2, 240 // GRID_STEP + 2
            gx, gy = np.meshgrid(np.linspace(bounds[0], bounds[2], nx),
                                 np.linspace(bounds[1], bounds[3], ny))  # fmt: skip
            samples = np.column_stack([gx.ravel(), gy.ravel()])
            mean, cov = la.logit_mean_cov(samples)
            var = np.diagonal(cov, axis1=1, axis2=2)
            probit = mean / np.sqrt(1.0 + np.pi / 8.0 * var)
            shrink.append(np.abs(probit).mean() / np.abs(mean).mean())
            logits = _grid_interpolate(probit, bounds, nx, ny, centers)
        expected = palette.to_uint8(palette.class_field_colors(logits)).reshape(240, w, 3)
        got = pixels[:, x : x + w]
        inner = np.ones((240, w), bool)
        inner[:, :2] = inner[:, -2:] = False  # the pane's edges
        dots = pane.view.world_to_screen(X) + np.array([pane.viewport[0] - x, 0.0])
        yy, xx = np.mgrid[0:240, 0:w] + 0.5
        for px, py in dots:
            inner &= (xx - px) ** 2 + (yy - py) ** 2 > 12.0**2
        assert inner.sum() > 0.5 * inner.size
        assert_pixels_close(got, expected, 3, mask=inner, what=f"pane laplace={laplace}")
    # the right pane is not the left one again: the variances shrink the logits visibly
    assert shrink[0] < 0.9
    left, right = pixels[:, :160].astype(int), pixels[:, 160:].astype(int)
    assert np.abs(left - right).max() > 20


def test_the_laplace_pane_of_a_wide_last_layer_is_sampled_coarser():
    from sandbox.render.split import LAPLACE_GRID_TERMS, laplace_grid

    class Fit:  # what laplace_grid asks of a fit: sizes and probit logits
        n_outputs = 3

        def __init__(self, width):
            self.n_features = width

        def probit_logits(self, X):
            return np.zeros((len(X), 3))

    view = View2D((0.0, 0.0), 1.0, 640, 700)
    narrow = laplace_grid(Fit(16), view)[0]
    assert len(narrow) == (640 // 8 + 2) * (700 // 8 + 2)  # every 8 pixels
    for width in (200, 1000):
        vertices, triangles, logits = laplace_grid(Fit(width), view)
        assert len(vertices) * 3 * (width + 1) ** 2 <= LAPLACE_GRID_TERMS
        assert len(vertices) >= 16 and logits.shape == (len(vertices), 3)
        assert triangles.max() == len(vertices) - 1
