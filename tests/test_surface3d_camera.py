"""The 3D camera and scene frame (numpy only): projection, rays, picking, orbit and zoom."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sandbox.render.camera3d import (
    MAX_DISTANCE,
    MIN_DISTANCE,
    PITCH_LIMIT,
    OrbitCamera,
    SceneFrame,
    pick_triangles,
)


def test_scene_frame_maps_the_window_to_the_unit_square_and_back():
    f = SceneFrame((-2.0, 6.0, 1.0, 3.0), (-5.0, 15.0), height_ratio=0.5)
    corners = np.array([[-2.0, 1.0, -5.0], [6.0, 3.0, 15.0]])
    s = f.to_scene(corners)
    assert np.allclose(s[:, 0], [-1, 1]) and np.allclose(s[:, 1], [-0.25, 0.25])
    assert np.allclose(s[:, 2], [-0.5, 0.5])  # height = 0.5 x the scene width of 2
    assert np.allclose(f.from_scene(s), corners)
    # A data slope dz/dx becomes the scene slope gradient_scale * dz/dx.
    a, b = np.array([0.0, 2.0, 1.0]), np.array([1.0, 2.0, 3.0])
    sa, sb = f.to_scene(a), f.to_scene(b)
    assert math.isclose((sb[2] - sa[2]) / (sb[0] - sa[0]), f.gradient_scale * 2.0)
    flat = SceneFrame((-1.0, 1.0, -1.0, 1.0), (3.0, 3.0))
    assert np.isfinite(flat.z_scale)
    with pytest.raises(ValueError):
        SceneFrame((1.0, 0.0, 0.0, 1.0))
    with pytest.raises(ValueError):
        SceneFrame((0.0, 1.0, 0.0, 1.0), (2.0, 1.0))


def test_projection_and_rays_are_inverse():
    cam = OrbitCamera(640, 400, yaw=30.0, pitch=25.0, distance=3.0)
    rng = np.random.default_rng(0)
    pts = rng.uniform(-1, 1, (50, 3))
    px, depth = cam.project(pts)
    assert np.all((depth > -1) & (depth < 1))
    o, d = cam.ray(px)
    # Each point lies on the ray through its own pixel.
    t = ((pts - o) * d).sum(axis=1)
    assert np.allclose(o + t[:, None] * d, pts, atol=1e-9)
    # The target projects to the viewport centre; up in the scene is up on screen.
    c, _ = cam.project(np.array([[0.0, 0.0, 0.0], [0.0, 0.0, 0.5]]))
    assert np.allclose(c[0], [320, 200]) and c[1, 1] < c[0, 1]
    # Nearer points have smaller depth.
    eye = cam.eye()
    near = 0.3 * eye
    _, dd = cam.project(np.array([near, [0.0, 0.0, 0.0]]))
    assert dd[0] < dd[1]
    behind = cam.project((2 * eye)[None])[0]
    assert np.isnan(behind).all()


def test_orbit_zoom_and_reset_stay_in_range():
    cam = OrbitCamera(100, 100)
    start = (cam.yaw, cam.pitch, cam.distance)
    cam.orbit(100, 0)
    assert math.isclose((start[0] - cam.yaw) % 360, 30.0)
    cam.orbit(0, 10_000)
    assert cam.pitch == PITCH_LIMIT
    cam.orbit(0, -100_000)
    assert cam.pitch == -PITCH_LIMIT
    cam.zoom(1e6)
    assert cam.distance == MIN_DISTANCE
    cam.zoom(1e-6)
    assert cam.distance == MAX_DISTANCE
    cam.reset()
    assert (cam.yaw, cam.pitch, cam.distance) == start
    with pytest.raises(ValueError, match="zoom factor"):
        cam.zoom(0.0)
    with pytest.raises(ValueError, match="viewport"):
        OrbitCamera(0, 10)
    # Looking straight down still gives a valid view matrix.
    top = OrbitCamera(100, 100, pitch=89.0)
    assert np.all(np.isfinite(top.view_matrix()))
    r = top.resized(50, 70)
    assert r.size == (50, 70) and r.yaw == top.yaw


def test_pick_triangles_finds_the_nearest_hit():
    tri = np.array(
        [
            [[-1, -1, 0], [1, -1, 0], [0, 1, 0]],
            [[-1, -1, 0.5], [1, -1, 0.5], [0, 1, 0.5]],
            [[5, 5, 5], [6, 5, 5], [5, 6, 5]],
        ],
        dtype=float,
    )
    hit = pick_triangles([0, 0, 3], [0, 0, -1], tri)
    assert hit is not None and hit[0] == 1 and np.allclose(hit[1], [0, 0, 0.5])
    hit = pick_triangles([0, 0, -3], [0, 0, 1], tri)
    assert hit[0] == 0
    assert pick_triangles([3, 3, 3], [0, 0, -1], tri) is None
    assert pick_triangles([0, 0, 3], [0, 0, -1], np.zeros((0, 3, 3))) is None


def test_pick_surface_returns_the_data_point_under_a_pixel():
    from sandbox.geometry import surface as S
    from sandbox.render.camera3d import pick_surface

    fs = S.halfplane_surface(0.5, -0.25, 1.0, (-6.0, 6.0, -6.0, 6.0))
    frame = SceneFrame(fs.bounds, fs.z_range())
    cam = OrbitCamera(400, 300, yaw=-40.0, pitch=40.0)
    for xy in ([1.0, 2.0], [-4.0, 3.0], [3.0, -5.0]):
        p = np.array([*xy, fs.height_at(np.array([xy]))[0]])
        px, _ = cam.project(frame.to_scene(p[None]))
        got = pick_surface(cam, frame, fs.surface.positions, fs.surface.triangles, px[0])
        assert got is not None and np.allclose(got, p, atol=1e-9)
    assert pick_surface(cam, frame, fs.surface.positions, fs.surface.triangles, (0, 0)) is None
