"""The 3D view through the real GL pipeline: pixels at the CPU projection of known points.

A CPU ray caster (camera3d.ray + pick_triangles) finds which facet every sampled pixel sees; where
the pixel and its neighbours see the same region, the GPU colour must equal the region colour lit
by the CPU twin of the shader's lighting (surface3d.shade_colors). Points, crease lines, depth
and the translucent band are checked the same way at their projected positions.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from gl_util import gl_fixture, gl_session_fixture  # noqa: F401  (fixtures gl, gl_session)

from sandbox.geometry import linear_regions
from sandbox.geometry import surface as S
from sandbox.geometry.colors import region_colors
from sandbox.nn import MLP
from sandbox.render import palette
from sandbox.render.camera3d import OrbitCamera, SceneFrame, pick_triangles
from sandbox.render.surface3d import (
    BAND_COLOR,
    KEY_DIR,
    SURFACE_HALVES_FROM,
    Surface3DPass,
    Surface3DStyle,
    point_centers,
    shade_colors,
)
from sandbox.render.target import RenderTarget

pytestmark = pytest.mark.gl
TOL = 3
SIZE = (200, 150)
BOUNDS = (-6.0, 6.0, -6.0, 6.0)
BG = np.array([1.0, 1.0, 1.0])


@pytest.fixture
def pass3d(gl):
    key = "surface3d_pass"
    if gl.extra.get(key + "_gen") != gl.generation:
        gl.extra[key] = Surface3DPass()
        gl.extra[key + "_gen"] = gl.generation
    p = gl.extra[key]
    for clear in (p.set_band, p.set_plane):
        clear(None, None)
    p.set_creases(np.zeros((0, 2, 3)), (0, 0, 0, 1))
    p.set_boundary(np.zeros((0, 2, 3)))
    p.set_highlight(None)
    p.set_points(np.zeros((0, 3)), 0)
    p.set_cursor(None)
    return p


def render(p, camera, frame, style):
    target = RenderTarget(camera.size)
    try:
        target.bind()
        from sandbox.render.gl import GL

        GL.glClearColor(*BG, 1.0)
        GL.glClear(GL.GL_COLOR_BUFFER_BIT | GL.GL_DEPTH_BUFFER_BIT)
        p.draw(camera, frame, style)
        return target.read().astype(int)
    finally:
        target.delete()
        from sandbox.render.gl import GL

        GL.glBindFramebuffer(GL.GL_FRAMEBUFFER, 0)


def to_u8(c):
    return np.clip(np.rint(np.asarray(c) * 255), 0, 255).astype(int)


def cpu_pick(camera, frame, surface, pixels):
    """Region seen at each pixel centre by the CPU ray caster (-1: background)."""
    tri = frame.to_scene(surface.positions)[surface.triangles.astype(int)]
    origins, dirs = camera.ray(pixels)
    out = np.full(len(pixels), -1)
    hits = []
    for i, (o, d) in enumerate(zip(origins, dirs, strict=True)):
        h = pick_triangles(o, d, tri)
        if h is not None:
            out[i] = surface.triangles[h[0], 0]
        hits.append(h)
    return out, hits


def test_surface_pixels_equal_the_lit_region_colour_seen_by_a_cpu_ray_caster(pass3d):
    net = MLP([2, 5, 4, 2], seed=7)
    part = linear_regions(net, BOUNDS)
    fs = S.build_surface(part, net, "output")
    surf = fs.surface
    frame = SceneFrame(BOUNDS, fs.z_range())
    camera = OrbitCamera(*SIZE, yaw=-50.0, pitch=38.0, distance=3.4)
    colors = region_colors(part.patterns)
    pass3d.set_surface(surf, colors)
    pixels = render(pass3d, camera, frame, Surface3DStyle(tint=False, regions=True))
    rng = np.random.default_rng(0)
    samples = np.column_stack(
        [rng.integers(2, SIZE[0] - 2, 300), rng.integers(2, SIZE[1] - 2, 300)]
    )
    centres = samples + 0.5
    vid, hits = cpu_pick(camera, frame, surf, centres)
    region = np.where(vid >= 0, surf.region[np.maximum(vid, 0)], -1)
    stable = np.ones(len(samples), bool)
    for dx, dy in ((1.5, 0), (-1.5, 0), (0, 1.5), (0, -1.5)):
        v2, _ = cpu_pick(camera, frame, surf, centres + [dx, dy])
        r2 = np.where(v2 >= 0, surf.region[np.maximum(v2, 0)], -1)
        stable &= r2 == region
    normals = surf.normals(frame.gradient_scale)
    checked = 0
    for (i, j), r, v, ok, hit in zip(samples, region, vid, stable, hits, strict=True):
        if not ok:
            continue
        got = pixels[j, i]
        if r < 0:
            expected = to_u8(BG)
        else:
            # Steep facets can show their underside even from above: pass the point seen.
            expected = to_u8(shade_colors(colors[r][None], normals[v][None], camera, hit[1])[0])
        assert np.abs(got - expected).max() <= TOL, (i, j, r, got, expected)
        checked += 1
    assert checked > 150
    assert (region[stable] >= 0).sum() > 80  # most checks are on the surface, not background


def test_a_fold_projects_where_the_cpu_says_flat_side_and_slope_side(pass3d):
    fs = S.halfplane_surface(0.6, 0.2, -0.5, BOUNDS)
    surf = fs.surface
    frame = SceneFrame(BOUNDS, fs.z_range())
    camera = OrbitCamera(*SIZE, yaw=-120.0, pitch=30.0, distance=3.2)
    colors = np.array([[0.9, 0.5, 0.4], [0.4, 0.8, 0.5]])
    pass3d.set_surface(surf, colors)
    pixels = render(pass3d, camera, frame, Surface3DStyle(tint=False))
    normals = surf.normals(frame.gradient_scale)
    seg = fs.creases.segments[0]
    w = np.array([0.6, 0.2]) / np.hypot(0.6, 0.2)
    for t in (0.3, 0.5, 0.7):
        on = seg[0] + t * (seg[1] - seg[0])
        for side, r in ((+1, 0), (-1, 1)):  # +: the sloped facet (region 0), -: the flat one
            xy = on[:2] + side * 0.6 * w
            h = fs.height_at(xy[None])[0]
            px, _ = camera.project(frame.to_scene([[*xy, h]]))
            i, j = np.floor(px[0]).astype(int)
            v = np.flatnonzero(surf.region == r)[0]
            expected = to_u8(shade_colors(colors[r][None], normals[v][None], camera)[0])
            assert np.abs(pixels[j, i] - expected).max() <= TOL, (t, side)


def test_points_stand_on_the_surface_and_hide_behind_folds(pass3d):
    fs = S.halfplane_surface(0.0, 0.0, 0.0, BOUNDS)  # the flat sheet z = 0
    surf = fs.surface
    frame = SceneFrame(BOUNDS, (-1.0, 1.0))
    camera = OrbitCamera(*SIZE, yaw=-60.0, pitch=35.0, distance=3.0)
    pass3d.set_surface(surf, np.array([[0.85, 0.85, 0.85]]))
    on_top = np.array([[1.0, 2.0, 0.0]])
    below = np.array([[-2.0, -1.0, -0.6]])  # under the sheet: hidden
    pass3d.set_points(np.concatenate([on_top, below]), [2, 4], radius=7.0)
    pixels = render(pass3d, camera, frame, Surface3DStyle(tint=False))
    px = point_centers(camera, frame.to_scene(np.concatenate([on_top, below])), 7.0)
    # Centre pixel of the visible point: the sphere's colour at that pixel's exact offset.
    i, j = np.floor(px[0]).astype(int)
    off = np.array([i + 0.5 - px[0, 0], -(j + 0.5 - px[0, 1])]) / 7.0
    n = np.array([off[0], off[1], np.sqrt(1 - off @ off)])
    light = 0.62 + 0.45 * max(n @ KEY_DIR, 0.0)
    expected = to_u8(np.clip(palette.CLASS_COLORS[2] * light, 0, 1))
    assert np.abs(pixels[j, i] - expected).max() <= TOL
    # The hidden point's pixel shows the sheet.
    i, j = np.floor(px[1]).astype(int)
    sheet = to_u8(shade_colors(np.array([[0.85] * 3]), np.array([[0, 0, 1.0]]), camera)[0])
    assert np.abs(pixels[j, i] - sheet).max() <= TOL
    # The linked cursor: a white sphere at a given point.
    pass3d.set_points(np.zeros((0, 3)), 0)
    pass3d.set_cursor(np.array([-1.0, 1.5, 0.0]), radius=8.0)
    pixels = render(pass3d, camera, frame, Surface3DStyle(tint=False))
    c = point_centers(camera, frame.to_scene([[-1.0, 1.5, 0.0]]), 8.0)
    i, j = np.floor(c[0]).astype(int)
    assert pixels[j, i].min() >= 235
    # Seen from below, the sheet hides the balls resting on its upper side.
    under = OrbitCamera(*SIZE, yaw=-60.0, pitch=-35.0, distance=3.0)
    pixels = render(pass3d, under, frame, Surface3DStyle(tint=False))
    c = point_centers(under, frame.to_scene([[-1.0, 1.5, 0.0]]), 8.0)
    i, j = np.floor(c[0]).astype(int)
    assert pixels[j, i].max() < 235


def test_crease_lines_are_drawn_on_the_surface_at_their_projection(pass3d):
    fs = S.halfplane_surface(1.0, -0.5, 0.3, BOUNDS)
    frame = SceneFrame(BOUNDS, fs.z_range())
    camera = OrbitCamera(*SIZE, yaw=-70.0, pitch=40.0, distance=3.0)
    pass3d.set_surface(fs.surface, np.array([[0.9, 0.9, 0.9], [0.8, 0.8, 0.8]]))
    color = np.array([0.1, 0.2, 0.6, 1.0])
    pass3d.set_creases(fs.creases.segments, color, 4.0)
    pixels = render(pass3d, camera, frame, Surface3DStyle(tint=False))
    seg = fs.creases.segments[0]
    for t in (0.25, 0.5, 0.75):
        p = seg[0] + t * (seg[1] - seg[0])
        px, _ = camera.project(frame.to_scene(p[None]))
        i, j = np.floor(px[0]).astype(int)
        assert np.abs(pixels[j, i] - to_u8(color[:3])).max() <= TOL
    # Turned off by the style, the same pixel shows the surface.
    pixels = render(pass3d, camera, frame, Surface3DStyle(tint=False, creases=False))
    assert np.abs(pixels[j, i] - to_u8(color[:3])).max() > 60


def test_translucent_band_blends_both_sheets_over_the_background(pass3d):
    flat = S.halfplane_surface(0.0, 0.0, 0.0, BOUNDS).surface
    lower = S.Surface(
        flat.positions + [0, 0, -1.0], flat.triangles, flat.gradients, flat.region,
        flat.colour_values, True,
    )  # fmt: skip
    upper = S.Surface(
        flat.positions + [0, 0, 1.0], flat.triangles, flat.gradients, flat.region,
        flat.colour_values, True,
    )  # fmt: skip
    pass3d.set_surface(S.Surface(np.zeros((0, 3)), np.zeros((0, 3), np.uint32), np.zeros((0, 2)),
                                 np.zeros(0, np.int32), np.zeros((0, 1)), True))  # fmt: skip
    pass3d.set_band(lower, upper)
    frame = SceneFrame(BOUNDS, (-1.0, 1.0))
    camera = OrbitCamera(*SIZE, yaw=0.0, pitch=89.0, distance=4.0)
    a = 0.4
    pixels = render(pass3d, camera, frame, Surface3DStyle(band_alpha=a))
    c = shade_colors(BAND_COLOR[None], np.array([[0, 0, 1.0]]), camera)[0]
    expected = c * a + (c * a + BG * (1 - a)) * (1 - a)
    j, i = SIZE[1] // 2, SIZE[0] // 2
    assert np.abs(pixels[j, i] - to_u8(expected)).max() <= TOL
    no_band = render(pass3d, camera, frame, Surface3DStyle(band=False))
    assert np.abs(no_band[j, i] - to_u8(BG)).max() <= TOL


def test_viewport_must_match_the_camera(pass3d):
    camera = OrbitCamera(*SIZE)
    with pytest.raises(ValueError, match="does not match"):
        pass3d.draw(camera, SceneFrame(BOUNDS), viewport=(0, 0, 10, 10))


def test_a_picture_drawn_in_parts_equals_one_drawn_whole(pass3d):
    """sandbox.render.held_layer's parts: the surface and the first share of the creases, then
    a share each, the boundary and points with the last, over what the earlier parts drew (no
    clear between them), make the same picture as one draw."""
    from sandbox.render.gl import GL

    net = MLP([2, 8, 8, 2], seed=3)
    part = linear_regions(net, BOUNDS)
    fs = S.build_surface(part, net, "output")
    frame = SceneFrame(BOUNDS, fs.z_range())
    camera = OrbitCamera(*SIZE, yaw=-50.0, pitch=38.0, distance=3.4)
    pass3d.set_surface(fs.surface, region_colors(part.patterns))
    segments = fs.creases.segments
    assert len(segments) > 20
    rgba = np.tile([0.1, 0.2, 0.6, 0.7], (len(segments), 1))  # translucent: order shows
    rgba[::2] = [0.7, 0.1, 0.1, 0.6]
    pass3d.set_creases(segments, rgba, 3.0)
    pass3d.set_boundary(segments[:5] + np.array([0.0, 0.0, 0.05]))
    pass3d.set_points(fs.lift_points(np.array([[0.5, 0.5], [-1.0, 2.0]])), np.array([0.0, 1.0]))
    style = Surface3DStyle(tint=True, regions=True)
    whole = render(pass3d, camera, frame, style)
    target = RenderTarget(camera.size)
    try:
        target.bind()
        GL.glClearColor(*BG, 1.0)
        GL.glClear(GL.GL_COLOR_BUFFER_BIT | GL.GL_DEPTH_BUFFER_BIT)
        shown = {}
        for n in (2, 4, SURFACE_HALVES_FROM + 1):
            GL.glClear(GL.GL_COLOR_BUFFER_BIT | GL.GL_DEPTH_BUFFER_BIT)
            shown[n] = []
            for k in range(n):
                pass3d.draw(camera, frame, style, part=(k, n))
                shown[n].append(target.read().astype(int))
    finally:
        target.delete()
        GL.glBindFramebuffer(GL.GL_FRAMEBUFFER, 0)
    halves = SURFACE_HALVES_FROM + 1
    for n in shown:
        np.testing.assert_array_equal(shown[n][-1], whole)
        # each part adds more
        assert all((b != a).any() for a, b in zip(shown[n], shown[n][1:], strict=False))
    # two parts: the surface with the first half of the creases; three or more: the surface
    # alone first; SURFACE_HALVES_FROM or more: the surface in two halves, alone
    bare = render(
        pass3d, camera, frame, replace(style, creases=False, boundary=False, points=False)
    )
    assert (shown[2][0] != bare).any()
    np.testing.assert_array_equal(shown[4][0], bare)
    assert (shown[halves][0] != bare).any() and (shown[halves][0] != shown[4][0]).any()
    np.testing.assert_array_equal(shown[halves][1], bare)


def test_a_surface_packed_elsewhere_draws_what_it_draws_packed_here(pass3d):
    from sandbox.render.surface3d import pack_folded

    net = MLP([2, 6, 5, 2], seed=4)
    part = linear_regions(net, BOUNDS)
    fs = S.build_surface(part, net, "output")
    frame = SceneFrame(BOUNDS, fs.z_range())
    camera = OrbitCamera(*SIZE, yaw=-40.0, pitch=35.0, distance=3.2)
    colors = region_colors(part.patterns)
    style = Surface3DStyle(tint=True, regions=True)
    pass3d.set_surface(fs.surface, colors)
    here = render(pass3d, camera, frame, style)
    pass3d.set_surface(fs.surface, np.zeros_like(colors))  # something else in between
    assert (render(pass3d, camera, frame, style) != here).any()
    pass3d.set_packed_surface(pack_folded(fs.surface, colors))
    np.testing.assert_array_equal(render(pass3d, camera, frame, style), here)
    with pytest.raises(ValueError, match="region colours"):
        pack_folded(fs.surface, colors[:1])


def test_a_surface_uploaded_into_the_storage_it_has_draws_the_new_one(pass3d):
    """The 3D surface's buffers are written in place when the new data fits (fresh storage of
    8 x 64's 36 MB cost llvmpipe 33 ms a time): the buffer holds the new data and the picture
    is the one a first upload of it draws."""
    from sandbox.render.gl import GL
    from sandbox.render.surface3d import pack_folded

    nets = [MLP([2, 8, 8, 2], seed=5), MLP([2, 6, 2], seed=6)]  # the second is smaller
    surfaces = [S.build_surface(linear_regions(n, BOUNDS), n, "output") for n in nets]
    camera = OrbitCamera(*SIZE, yaw=-30.0, pitch=40.0, distance=3.3)
    style = Surface3DStyle(tint=True)
    frames = [SceneFrame(BOUNDS, fs.z_range()) for fs in surfaces]
    pass3d.set_surface(surfaces[0].surface)
    mesh = pass3d.surface
    buffer_id, capacity = mesh.vertices.id, mesh.vertices.capacity
    pass3d.set_surface(surfaces[1].surface)
    assert (mesh.vertices.id, mesh.vertices.capacity) == (buffer_id, capacity)
    assert not mesh.vertices.orphan and mesh.vertices.nbytes < capacity
    packed = pack_folded(surfaces[1].surface)
    GL.glBindBuffer(GL.GL_ARRAY_BUFFER, mesh.vertices.id)
    held = GL.glGetBufferSubData(GL.GL_ARRAY_BUFFER, 0, packed.data.nbytes)
    GL.glBindBuffer(GL.GL_ARRAY_BUFFER, 0)
    assert np.frombuffer(bytes(held), np.float32).tobytes() == packed.data.tobytes()
    again = render(pass3d, camera, frames[1], style)
    fresh = Surface3DPass()
    try:
        fresh.set_surface(surfaces[1].surface)
        assert (again == render(fresh, camera, frames[1], style)).all()
    finally:
        fresh.delete()


def test_the_3d_pass_on_the_window_needs_no_depth_cleared_before_it(gl, pass3d):
    """The frame's start clears the window's colour only (Renderer.begin_frame): the 3D pass
    clears the depth in its viewport itself. With the window's depth left at its nearest
    (as anything drawn before might leave it), the picture equals one drawn into a freshly
    cleared target."""
    from sandbox.render.gl import GL

    net = MLP([2, 6, 5, 2], seed=3)
    fs = S.build_surface(linear_regions(net, BOUNDS), net, "output")
    frame = SceneFrame(BOUNDS, fs.z_range())
    camera = OrbitCamera(*gl.size, yaw=-30.0, pitch=40.0, distance=3.3)
    style = Surface3DStyle()
    pass3d.set_surface(fs.surface)
    r = gl.renderer()
    GL.glBindFramebuffer(GL.GL_FRAMEBUFFER, 0)
    assert (
        GL.glGetFramebufferAttachmentParameteriv(
            GL.GL_FRAMEBUFFER, GL.GL_DEPTH, GL.GL_FRAMEBUFFER_ATTACHMENT_DEPTH_SIZE
        )
        > 0
    ), "the window has a depth buffer"
    GL.glClearDepth(0.0)
    GL.glClear(GL.GL_DEPTH_BUFFER_BIT)
    GL.glClearDepth(1.0)
    r.begin_frame(clear_color=BG)
    pass3d.draw(camera, frame, style)
    GL.glBindFramebuffer(GL.GL_FRAMEBUFFER, 0)
    got = r.read_pixels().astype(int)
    alone = render(pass3d, camera, frame, style)
    assert (alone[..., :3] != to_u8(BG)).any(axis=-1).mean() > 0.05, "the surface shows"
    assert np.abs(got - alone[..., :3]).max() <= 1
