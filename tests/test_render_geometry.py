"""The renderer fed by the real pipeline: sandbox.geometry's mesh and sandbox.bayes's per-region
Laplace coefficients, checked per pixel against the network and the Laplace predictive on the
CPU (so the array conventions of the three layers are checked to agree)."""

from __future__ import annotations

import numpy as np
import pytest
from gl_util import assert_pixels_close, gl_fixture, gl_session_fixture  # noqa: F401

from sandbox.nn import MLP
from sandbox.render import palette
from sandbox.render.camera import View2D
from sandbox.render.field import FieldMode, FieldStyle

geometry = pytest.importorskip("sandbox.geometry")
bayes = pytest.importorskip("sandbox.bayes")

pytestmark = pytest.mark.gl


def test_geometry_mesh_and_laplace_coefficients_render_exactly(gl):
    view = View2D((0.4, -0.3), 1.3, 320, 240)
    net = MLP([2, 12, 12, 3], seed=5)
    x0, y0, x1, y1 = view.world_bounds()
    part = geometry.linear_regions(net, (x0, x1, y0, y1))
    assert not part.too_many and part.n_regions > 20
    mesh = part.mesh
    r = gl.renderer()
    r.mesh.set_mesh(mesh.vertices, mesh.triangles, mesh.region, mesh.logits, origin=view.center)
    r.mesh.set_region_colors(part.region_colors)

    rng = np.random.default_rng(2)
    X = rng.uniform(-4, 4, (60, 2))
    y = net.forward(X).argmax(axis=1)
    la = bayes.LastLayerLaplace(net, prior_precision=1.0).fit(X, y)
    r.mesh.set_laplace(*la.region_coefficients(part.feature_maps))

    centers = view.pixel_centers().reshape(-1, 2)
    logits = net.forward(centers)
    mean, cov = la.logit_mean_cov(centers)
    var = np.einsum("nkk->nk", cov) if cov.ndim == 3 else cov
    np.testing.assert_allclose(mean, logits, rtol=1e-9, atol=1e-9)
    for style, colors in (
        (FieldStyle(), palette.class_field_colors(logits)),
        (FieldStyle(mode=FieldMode.LAPLACE), palette.laplace_colors(mean, var)),
    ):
        r.begin_frame()
        r.draw_field(view, style)
        pixels = r.read_pixels()
        expected = palette.to_uint8(colors).reshape(pixels.shape)
        assert_pixels_close(pixels, expected, 3, what=f"geometry mesh, {style.mode.value}")
