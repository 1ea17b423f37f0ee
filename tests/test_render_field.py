"""The field pass through the real GL pipeline against CPU references at every pixel.

Each test renders an exact partition mesh (computed by the app's sandbox.geometry) and compares
every pixel with the CPU forward pass at that pixel's centre mapped through sandbox.render.palette,
including far from the origin at extreme zoom, where float32 would fail without re-centring.
"""

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
    partition,
    random_layers,
    stable_pattern_mask,
    upload,
)

from sandbox.geometry.colors import region_colors
from sandbox.render import palette
from sandbox.render.camera import View2D
from sandbox.render.field import FieldMode, FieldStyle
from sandbox.render.target import RenderTarget

pytestmark = pytest.mark.gl
TOL = 3  # units of 255: float32 GPU arithmetic vs float64 CPU, and 8-bit rounding


def render(renderer, view, style, target=None):
    if target is None:
        renderer.resize(view.size)
        renderer.begin_frame()
        renderer.draw_field(view, style)
        return renderer.read_pixels()
    target.bind()
    renderer.field_pass.draw(view, renderer.mesh, style)
    pixels = target.read()
    target.bind_default(renderer.size)
    return pixels


def region_base(layers, view, part):
    """Region colour under every pixel centre (via the activation pattern)."""
    from gl_util import activation_pattern

    colors = region_colors(part.patterns)
    index = {p.tobytes(): i for i, p in enumerate(part.patterns)}
    pats = activation_pattern(layers, view.pixel_centers().reshape(-1, 2))
    ids = np.array([index.get(p.tobytes(), -1) for p in pats])
    base = np.where((ids >= 0)[:, None], colors[np.maximum(ids, 0)], palette.BACKGROUND)
    return base, ids.reshape(view.height, view.width) >= 0


VIEWS = {
    "default": View2D((0.0, 0.0), 1.0, 320, 240),
    "offset": View2D((1.3, -0.7), 2.5, 320, 240),
    "far-in": View2D((500.0, -300.0), 1000.0, 320, 240),
    "far-out": View2D((500.0, -300.0), 0.01, 320, 240),
}


@pytest.mark.parametrize("name", list(VIEWS))
@pytest.mark.parametrize("k", [2, 3])
def test_output_field_matches_cpu_at_every_pixel(gl, name, k):
    view = VIEWS[name]
    layers = layers_for(view, [2, 8, 8, k], seed=k)
    r = gl.renderer()
    part = upload(r, layers, view)
    assert len(part) > 10, "the view must show real geometry"
    pixels = render(r, view, FieldStyle())
    _, logits = forward(layers, view.pixel_centers().reshape(-1, 2))
    expected = palette.to_uint8(palette.class_field_colors(logits)).reshape(pixels.shape)
    assert_pixels_close(pixels, expected, TOL, what=f"output field, {name} view")
    # The picture is not trivially uniform: the field shows at least two classes.
    assert len(np.unique(logits.argmax(axis=1))) >= 2


def test_regression_grey_ramp_and_bands(gl):
    view = VIEWS["offset"]
    layers = random_layers([2, 12, 1], seed=5)
    r = gl.renderer()
    upload(r, layers, view)
    _, y = forward(layers, view.pixel_centers().reshape(-1, 2))
    vr = (float(np.percentile(y, 5)), float(np.percentile(y, 95)))
    style = FieldStyle(value_range=vr)
    pixels = render(r, view, style)
    expected = palette.to_uint8(palette.regression_colors(y, vr)).reshape(pixels.shape)
    assert_pixels_close(pixels, expected, TOL, what="regression ramp")

    pixels = render(r, view, FieldStyle(value_range=vr, discretise=True, levels=5))
    expected = palette.to_uint8(
        palette.regression_colors(y, vr, discretise=True, levels=5)
    ).reshape(pixels.shape)
    # Pixels whose value sits on a band edge may fall either way.
    t = np.clip((y[:, 0] - vr[0]) / (vr[1] - vr[0]), 0, 1) * 5
    clear = (np.abs(t - np.rint(t)) > 1e-3).reshape(view.height, view.width)
    assert_pixels_close(pixels, expected, TOL, mask=clear, what="discretised regression")
    assert len(np.unique(pixels.reshape(-1, 3)[clear.reshape(-1)], axis=0)) == 5


def test_regions_flat_fill_and_region_base(gl):
    view = VIEWS["default"]
    layers = random_layers([2, 10, 10, 2], seed=3)
    r = gl.renderer()
    part = upload(r, layers, view)
    inside = stable_pattern_mask(layers, view)
    base, known = region_base(layers, view, part)
    assert known.all(), "every pixel's activation pattern is one of the mesh's regions"

    pixels = render(r, view, FieldStyle(mode=FieldMode.REGIONS))
    expected = palette.to_uint8(base).reshape(pixels.shape)
    assert_pixels_close(pixels, expected, 1, mask=inside, what="flat region fill")

    pixels = render(r, view, FieldStyle(regions=True))
    _, logits = forward(layers, view.pixel_centers().reshape(-1, 2))
    expected = palette.to_uint8(palette.class_field_colors(logits, base)).reshape(pixels.shape)
    assert_pixels_close(pixels, expected, TOL, mask=inside, what="field over region pastels")


def test_discretised_classes_show_the_hard_decision(gl):
    view = VIEWS["offset"]
    layers = random_layers([2, 8, 8, 3], seed=11)
    r = gl.renderer()
    upload(r, layers, view)
    pixels = render(r, view, FieldStyle(discretise=True))
    _, logits = forward(layers, view.pixel_centers().reshape(-1, 2))
    top2 = np.sort(logits, axis=1)[:, -2:]
    clear = (top2[:, 1] - top2[:, 0] > 1e-3).reshape(view.height, view.width)
    expected = palette.to_uint8(palette.class_field_colors(logits, discretise=True))
    assert_pixels_close(pixels, expected.reshape(pixels.shape), 1, mask=clear, what="discrete")


@pytest.mark.parametrize("name", ["default", "far-in", "far-out"])
def test_laplace_probit_matches_cpu(gl, name):
    view = VIEWS[name]
    layers = layers_for(view, [2, 8, 8, 3], seed=21)
    rng = np.random.default_rng(0)
    lo = np.array(view.world_bounds()[:2])
    hi = np.array(view.world_bounds()[2:])
    X = rng.uniform(lo, hi, (40, 2))
    la = laplace_of(layers, X, prior_precision=1.0)
    r = gl.renderer()
    upload(r, layers, view, la)
    pixels = render(r, view, FieldStyle(mode=FieldMode.LAPLACE))
    centers = view.pixel_centers().reshape(-1, 2)
    _, logits = forward(layers, centers)
    var = logit_variance(la, centers)
    expected = palette.to_uint8(palette.laplace_colors(logits, var)).reshape(pixels.shape)
    assert_pixels_close(pixels, expected, TOL, what=f"Laplace probit, {name} view")
    # The Laplace picture differs from MAP somewhere (it is less confident).
    map_colors = palette.to_uint8(palette.class_field_colors(logits)).reshape(pixels.shape)
    assert np.abs(map_colors.astype(int) - expected.astype(int)).max() > 10


def test_render_target_of_another_size(gl):
    view = View2D((0.5, 0.5), 1.7, 200, 150)
    layers = random_layers([2, 8, 2], seed=8)
    r = gl.renderer()
    upload(r, layers, view)
    target = RenderTarget(view.size)
    try:
        pixels = render(r, view, FieldStyle(), target)
    finally:
        target.delete()
    assert pixels.shape == (150, 200, 3)
    _, logits = forward(layers, view.pixel_centers().reshape(-1, 2))
    expected = palette.to_uint8(palette.class_field_colors(logits)).reshape(pixels.shape)
    assert_pixels_close(pixels, expected, TOL, what="offscreen target")


def test_mesh_input_errors_name_the_problem(gl):
    r = gl.renderer()
    with pytest.raises(ValueError, match="vertices"):
        r.mesh.set_mesh(np.zeros((3, 3)), np.zeros((1, 3)), np.zeros(3, np.int32), np.zeros((3, 2)))
    with pytest.raises(ValueError, match="triangle indices"):
        r.mesh.set_mesh(
            np.zeros((3, 2)), np.array([[0, 1, 5]]), np.zeros(3, np.int32), np.zeros((3, 2))
        )
    with pytest.raises(ValueError, match="logits"):
        r.mesh.set_mesh(
            np.zeros((3, 2)), np.array([[0, 1, 2]]), np.zeros(3, np.int32), np.zeros((3, 7))
        )
    with pytest.raises(ValueError, match="field mode"):
        FieldStyle(mode="sparkles")
    # Laplace without coefficients for this many regions is refused, not drawn wrong.
    view = VIEWS["default"]
    layers = random_layers([2, 6, 2], seed=1)
    m = partition(layers, view).mesh
    r.mesh.set_mesh(m.vertices, m.triangles, m.region, m.logits)
    r.mesh.set_laplace(np.zeros((1, 2, 3)), np.zeros((1, 2, 6)))
    with pytest.raises(ValueError, match="Laplace coefficients cover 1 regions"):
        r.field_pass.draw(view, r.mesh, FieldStyle(mode=FieldMode.LAPLACE))
