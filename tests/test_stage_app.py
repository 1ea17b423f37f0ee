"""The stage views in the sandbox window, offscreen with a real OpenGL context.

Every view (3D folded paper, ray probe, inspector, timeline, and all of them at once; the
regression band; 3D only) runs for a few training frames with PyOpenGL checking every call; the
command line writes 3D, probe and inspector screenshots; the 3D screenshot differs from the flat
view and its surface pixels are the lit paper colour the CPU twin of the shader predicts for the
facet seen there. A scripted session drives the window with real events: orbit and zoom in 3D,
a Shift+drag probe ray and a handle drag, a click on a neuron in the diagram (its crease is drawn
bold on the plane and in 3D), a crease dragged by (dx, dy) pixels (b moves by exactly -w.d),
a crease turned about its pivot, the timeline scrubbed (the weights are the snapshot's, bit for
bit), edits of the past refused, back to now, resume from a snapshot (a branch), a click on the
loss chart, and a replay.
"""

from __future__ import annotations

import math

import app_util
import numpy as np
import pygame
import pytest
from app_util import click, key, motion, wheel
from gl_util import gl_session_fixture  # noqa: F401

from sandbox import cli
from sandbox import stage_actions as S
from sandbox.render import palette
from sandbox.vocab import Task, View

pytestmark = pytest.mark.filterwarnings("error:Label Rect is too small")


# ----------------------------------------------------------------------------- event helpers
def drag(a, b, button: int = 1) -> list[pygame.event.Event]:
    return app_util.drag(a, b, button, steps=5)


def _segment_distance(p: np.ndarray, seg: np.ndarray) -> np.ndarray:
    a, b = seg[:, :2], seg[:, 2:]
    ab = b - a
    t = np.clip(((p - a) * ab).sum(axis=1) / np.maximum((ab * ab).sum(axis=1), 1e-12), 0, 1)
    return np.hypot(*(p - (a + t[:, None] * ab)).T)


def centre(rect) -> tuple[int, int]:
    x, y, w, h = rect
    return (round(x + w / 2), round(y + h / 2))


# ----------------------------------------------------------------------------- every view
@pytest.mark.parametrize(
    "views,dataset",
    [
        (("field", "creases", "3d"), "ring"),
        (("field", "probe"), "ring"),
        (("regions", "inspector"), "ring"),
        (("field", "timeline"), "ring"),
        (("field", "creases", "boundary", "3d", "probe", "inspector", "timeline"), "spiral"),
        (("field", "creases", "3d", "laplace", "probe"), "disk"),
    ],
)
def test_each_view_renders_while_training(make_app, views, dataset):
    d = make_app(views=views, dataset=dataset, steps=30, play=True)
    d.send([], frames=6)
    s, cs, scene = d.state, d.cs, d.scene
    assert s.metrics.step > 30
    r = cs.rects
    assert (r.view3d is not None) == ("3d" in views)
    assert (r.probe is not None) == ("probe" in views)
    assert (r.inspector is not None) == ("inspector" in views)
    assert (r.timeline is not None) == ("timeline" in views)
    assert s.layout.plane == r.plane and s.layout.stage[2] >= r.plane[2]
    assert (s.camera.width, s.camera.height) == tuple(r.plane[2:])
    if "3d" in views:
        assert scene.view3d.surface is not None and len(scene.view3d.surface.surface) > 0
        assert (cs.orbit.width, cs.orbit.height) == tuple(r.view3d[2:])
        if s.task is Task.REGRESSION and "laplace" in views:
            assert scene.view3d.surface.kind.value == "band"
            assert scene.view3d.surface.lower is not None and scene.view3d.surface.upper is not None
            lo, hi = scene.view3d.surface.lower.heights, scene.view3d.surface.upper.heights
            assert (hi >= lo - 1e-9).all()
    if "probe" in views:
        assert len(scene.probe.curves) == cs.probe_rays == 1
        if s.task is Task.CLASSIFICATION:
            assert scene.probe.curves[0].laplace_confidence is not None, "the probe fits Laplace"
        else:  # a picture: the Laplace band along the ray, around the network's value
            (radius, lo, hi), *_ = scene.probe.bands
            f = scene.probe.probes[0].logits(radius)[:, 0]  # the network the probe was made from
            assert (lo <= hi).all() and np.isfinite(lo).all()
            assert np.allclose(0.5 * (lo + hi), f, atol=1e-6), "the mean is the network's value"
    if "inspector" in views:
        diagram = scene.inspector.diagram
        assert diagram is not None and diagram.layout.sizes == list(s.net.sizes)
    # the timeline records every step at first, whatever the view, in bounded memory
    from sandbox.session import TIMELINE_BYTES

    assert cs.timeline.nbytes <= TIMELINE_BYTES + 64 * cs.timeline.capacity
    steps = cs.timeline.steps
    assert np.array_equal(steps[: min(31, len(steps))], np.arange(min(31, len(steps))))


def test_only_3d_takes_the_stage_and_the_mouse(make_app):
    d = make_app(views=("field", "creases", "3d"), steps=50)
    d.send(key(pygame.K_v, pygame.KMOD_SHIFT))
    r = d.cs.rects
    assert d.cs.only_3d and r.hide_2d and r.view3d == d.state.layout.stage
    n = len(d.state.points)
    yaw = d.cs.orbit.yaw
    d.send(drag(centre(r.view3d), (centre(r.view3d)[0] + 50, centre(r.view3d)[1])))
    assert len(d.state.points) == n, "a drag in 3D only turns the view, it paints nothing"
    assert d.cs.orbit.yaw != yaw
    d.send(key(pygame.K_v, pygame.KMOD_SHIFT))
    assert not d.cs.rects.hide_2d and d.cs.rects.plane[2] < d.state.layout.stage[2]
    # the MAP | Laplace split and the 3D view take turns beside the 2D view
    d.send(key(pygame.K_x))
    assert View.SPLIT in d.state.views and View.THREE_D not in d.state.views
    d.send(key(pygame.K_v))
    assert View.THREE_D in d.state.views and View.SPLIT not in d.state.views


def test_the_3d_surface_comes_packed_with_its_job_and_is_not_packed_in_the_frame(
    make_app, monkeypatch
):
    from sandbox.render import stage_views

    d = make_app(views=("field", "regions", "creases", "3d"), steps=50)
    d.run_frames(2, dt=1 / 30)
    v3 = d.scene.view3d
    assert v3.surface is not None and v3.packed is not None
    again = stage_views.pack_surface_of(v3.surface, v3.region_colors, v3.neuron_surface)
    np.testing.assert_array_equal(v3.packed.data, again.data)
    np.testing.assert_array_equal(v3.packed.indices, again.indices)

    def packed_in_the_frame(*args):
        raise AssertionError("the surface was packed again in the frame")

    monkeypatch.setattr(stage_views, "pack_surface_of", packed_in_the_frame)
    old = v3.surface
    d.scene.train_now(20)  # a new surface: made and packed by its job, uploaded as it is
    d.run_frames(3, dt=1 / 30)
    assert v3.surface is not old
    assert d.scene.stage.renderer._surface is v3.surface  # noqa: SLF001 - the one uploaded


# ----------------------------------------------------------------------------- screenshots
def _png(path) -> np.ndarray:
    from PIL import Image

    return np.asarray(Image.open(path).convert("RGB")).astype(int)


@pytest.mark.parametrize("view", ["3d,creases", "probe", "inspector"])
def test_command_line_screenshots_of_each_view(gl_session, tmp_path, capsys, view):
    path = tmp_path / "out.png"
    code = cli.main(
        [
            "--size",
            "960x640",
            "--dataset",
            "ring",
            "--points",
            "200",
            "--steps",
            "200",
            "--hidden",
            "8,8",
            "--view",
            view,
            "--screenshot",
            str(path),
        ]
    )
    out, err = capsys.readouterr()
    assert code == 0, err
    img = _png(path)
    assert img.shape == (640, 960, 3)
    from sandbox.state import Layout
    from sandbox.ui.layout import compute_layout
    from sandbox.ui.stage_layout import carve

    lay: Layout = compute_layout((960, 640), 1.0, True, 2)
    names = view.split(",")
    r = carve(
        lay.plane, three_d="3d" in names, probe="probe" in names, inspector="inspector" in names
    )
    paper = palette.BACKGROUND * 255
    if "3d" in names:
        x, y, w, h = r.view3d
        block = img[y : y + h, x : x + w]
        bg = np.array([0.905, 0.912, 0.925]) * 255
        surface = np.abs(block - bg).max(axis=2) > 6
        assert surface.mean() > 0.15, "the folded paper fills a good part of its pane"
    if "probe" in names:
        x, y, w, h = r.probe
        block = img[y : y + h, x : x + w]
        assert (np.abs(block - paper).max(axis=2) <= 3).mean() > 0.3, "plots on paper"
        ink = (block.max(axis=2) < 80).mean()
        purple = (np.abs(block - np.array([204, 69, 140])).max(axis=2) < 30).mean()
        assert ink > 0.005 and purple > 0.0005, "the MAP curve in ink and the Laplace one in purple"
    if "inspector" in names:
        x, y, w, h = r.inspector
        block = img[y : y + h, x : x + w]
        for rgb in (palette.OKABE_ITO["blue"], palette.OKABE_ITO["orange"]):
            c = palette.hex_to_rgb(rgb) * 255
            near = (np.abs(block - c).max(axis=2) < 40).mean()
            assert near > 0.002, f"links in {rgb} (positive and negative weights)"


def test_3d_screenshot_differs_from_2d_and_shows_the_lit_facets(make_app, tmp_path):
    from sandbox.render.camera3d import pick_triangles
    from sandbox.render.surface3d import point_centers, shade_colors

    d2 = make_app(size=(960, 640), views=("creases",), steps=200)
    d2.app.write_png(str(tmp_path / "flat.png"))
    d = make_app(size=(960, 640), views=("creases", "3d"), steps=200)
    d.app.run_frames(2, dt=0.0)
    d.app.write_png(str(tmp_path / "fold.png"))
    flat, fold = _png(tmp_path / "flat.png"), _png(tmp_path / "fold.png")
    x0, y0, w, h = d.cs.rects.view3d
    differ = np.abs(flat[y0 : y0 + h, x0 : x0 + w] - fold[y0 : y0 + h, x0 : x0 + w]).max(axis=2)
    assert (differ > 30).mean() > 0.3

    scene = d.scene
    fs, frame, cam = scene.view3d.surface, scene.view3d.frame3d, d.cs.orbit
    mesh = fs.surface
    P = frame.to_scene(mesh.positions)
    tri = mesh.triangles.astype(np.int64)
    g = mesh.gradients * frame.gradient_scale
    normals = np.column_stack([-g[:, 0], -g[:, 1], np.ones(len(g))])
    cen = P[tri].mean(axis=1)
    px, _ = cam.project(cen)
    corners = cam.project(P[tri].reshape(-1, 3))[0].reshape(-1, 3, 2)
    e1, e2 = corners[:, 1] - corners[:, 0], corners[:, 2] - corners[:, 0]
    area = 0.5 * np.abs(e1[:, 0] * e2[:, 1] - e1[:, 1] * e2[:, 0])
    inside = (px[:, 0] > 4) & (px[:, 0] < w - 4) & (px[:, 1] > 40) & (px[:, 1] < h - 30)
    above = mesh.positions[tri, 2].mean(axis=1) > 0.0  # above the z = 0 reference sheet
    cand = np.flatnonzero(inside & above & (area > 60.0))
    cand = cand[np.argsort(-area[cand])][:200]
    # sample points inside each big facet, away from the points and lines drawn over it
    balls = point_centers(cam, frame.to_scene(scene.view3d.points3d), 4.5)
    lines = np.concatenate([fs.creases.segments, fs.boundary.segments]).reshape(-1, 3)
    lines = cam.project(frame.to_scene(lines))[0].reshape(-1, 4)
    bary = np.array(
        [
            [1 / 3, 1 / 3, 1 / 3],
            [0.6, 0.2, 0.2],
            [0.2, 0.6, 0.2],
            [0.2, 0.2, 0.6],
            [0.45, 0.45, 0.1],
            [0.45, 0.1, 0.45],
            [0.1, 0.45, 0.45],
        ]
    )
    samples, matched, shades = 0, 0, set()
    for i in cand:
        want = shade_colors(palette.BACKGROUND[None], normals[tri[i, 0]][None], cam, cen[i][None])
        want = want[0] * 255
        for wts in bary:
            q = wts @ corners[i]
            if np.hypot(*(balls - q).T).min() < 9.0 or _segment_distance(q, lines).min() < 3.5:
                continue
            o, dirn = cam.ray(q[None])
            hit = pick_triangles(o[0], dirn[0], P[tri])
            if hit is None or not np.allclose(normals[tri[hit[0], 0]], normals[tri[i, 0]]):
                continue  # another part of the surface is in front
            got = fold[y0 + int(q[1]), x0 + int(q[0])]
            samples += 1
            matched += int(np.abs(got - want).max() <= 6)
            shades.add(tuple(np.round(want).astype(int)))
    assert samples >= 25, "enough visible facet pixels to check"
    assert matched >= 0.95 * samples, f"{matched} of {samples} facet pixels are lit paper"
    assert len(shades) >= 4, "facets facing different ways are lit differently"


# ----------------------------------------------------------------------------- the session
def test_scripted_session(make_app):
    d = make_app(views=("field", "creases", "3d"), dataset="ring")
    s, cs, scene = d.state, d.cs, d.scene

    # train: the first hundred steps are each a snapshot
    d.send(key(pygame.K_SPACE))
    assert s.playing
    d.send([], frames=14)
    d.send(key(pygame.K_SPACE))
    assert not s.playing and s.metrics.step >= 120
    tl = cs.timeline
    assert np.array_equal(tl.steps[:101], np.arange(101))
    assert tl.last_step == s.trainer.steps

    # orbit (left drag) and zoom (wheel) in the 3D view
    c3 = centre(cs.rects.view3d)
    yaw, pitch, dist = cs.orbit.yaw, cs.orbit.pitch, cs.orbit.distance
    d.send(drag(c3, (c3[0] + 40, c3[1] + 20)))
    assert math.isclose(cs.orbit.yaw, (yaw - 0.3 * 40) % 360.0, abs_tol=1e-9)
    assert math.isclose(cs.orbit.pitch, pitch + 0.3 * 20, abs_tol=1e-9)
    d.send(motion(c3) + wheel(2))
    assert math.isclose(cs.orbit.distance, dist / 1.15**2, rel_tol=1e-9)
    # the linked cursor: the surface point under the mouse, marked in 2D and 3D
    assert cs.cursor is not None and s.hover is not None
    assert np.allclose(s.hover.world, cs.cursor)
    p = scene.view3d.pick(c3)
    assert p is not None and np.allclose(p[:2], cs.cursor)
    d.send(key(pygame.K_v))  # 3D off
    assert cs.rects.view3d is None

    # the ray probe: Shift + drag draws a new ray; its origin handle moves it
    d.send(key(pygame.K_p))
    assert cs.rects.probe is not None
    px, py, pw, ph = s.layout.plane
    a, b = (px + pw * 0.3, py + ph * 0.6), (px + pw * 0.7, py + ph * 0.3)
    a, b = (round(a[0]), round(a[1])), (round(b[0]), round(b[1]))
    pygame.key.set_mods(pygame.KMOD_SHIFT)
    d.send(drag(a, b))
    pygame.key.set_mods(0)
    wa, wb = d.world(a), d.world(b)
    assert np.allclose(cs.probe_origin, wa)
    assert math.isclose(cs.probe_angle, math.atan2(*(wb - wa)[::-1]), abs_tol=1e-12)
    assert math.isclose(cs.probe_reach, float(np.hypot(*(wb - wa))), rel_tol=1e-12)
    probe = scene.probe.probes[0]
    assert np.allclose(probe.origin, wa) and math.isclose(probe.r_max, cs.probe_reach)
    (name, hx, hy, _), *_ = [h for h in cs.handles if h[0] == "probe_origin"]
    d.send(drag((round(hx), round(hy)), (round(hx) + 30, round(hy))))
    assert math.isclose(cs.probe_origin[0] - wa[0], 30 / s.camera.pixels_per_unit, rel_tol=1e-6)
    reach = cs.probe_reach
    d.send(motion(centre(cs.rects.probe)) + wheel(-1))
    assert math.isclose(cs.probe_reach, reach * 1.15, rel_tol=1e-9)
    d.send(key(pygame.K_p))

    # the inspector: click a first-layer neuron whose crease crosses the view
    d.send(key(pygame.K_i))
    bounds = scene.plane.bounds()
    from sandbox.render.inspector import NodeRef
    from sandbox.session import crease_line, first_layer_neuron

    k = next(
        i
        for i in range(s.net.hidden_sizes[0])
        if crease_line(first_layer_neuron(s.net, i), bounds) is not None
    )
    node = scene.inspector.diagram.layout.node_id(NodeRef(1, k))
    d.send(click(tuple(int(v) for v in scene.inspector.diagram.layout.xy[node])))
    assert cs.selected == (1, k) and cs.tint == k
    seg = cs.crease_px[0]
    layer1 = palette.layer_colors(1)[0, :3] * 255
    img = s.layout.window
    pixels = d.app.renderer.read_pixels()
    hits = 0
    for t in (0.15, 0.25, 0.35, 0.75, 0.85):
        q = seg[:2] + t * (seg[2:] - seg[:2])
        if not s.layout.in_plane(q):
            continue
        hits += int(np.abs(pixels[int(q[1]), int(q[0])].astype(int) - layer1).max() <= 30)
    assert hits >= 2, "the selected crease is drawn bold in its layer colour on the plane"
    assert img == tuple(pixels.shape[1::-1])

    # drag that crease by (dx, dy) pixels: w stays, b changes by exactly -w.d
    W0 = s.net.layers[0][0].copy()
    b0 = s.net.layers[0][1].copy()
    start = seg[:2] + 0.3 * (seg[2:] - seg[:2])
    start = (int(round(start[0])), int(round(start[1])))
    end = (start[0] + 25, start[1] - 15)
    d.send(drag(start, end))
    dw = d.world(end) - d.world(start)
    W1, b1 = s.net.layers[0]
    assert np.array_equal(W1, W0)
    assert math.isclose(b1[k], b0[k] - float(W0[k] @ dw), rel_tol=1e-12, abs_tol=1e-12)
    assert np.array_equal(np.delete(b1, k), np.delete(b0, k))
    # turn it with the round handle: |w| and the value at the pivot stay
    pivot = scene.inspector._pivot.copy()
    w_before, b_before = W1[k].copy(), float(b1[k])
    (_, hx, hy, _), *_ = [h for h in cs.handles if h[0] == "rotate"]
    pv = s.camera.world_to_screen(pivot) + np.array(s.layout.plane[:2])
    hand = np.array([hx, hy])
    rot = np.array([[0.0, -1.0], [1.0, 0.0]])  # a quarter turn on screen
    target = pv + rot @ (hand - pv)
    d.send(drag((round(hx), round(hy)), (round(target[0]), round(target[1]))))
    w_after, b_after = s.net.layers[0][0][k], float(s.net.layers[0][1][k])
    assert not np.allclose(w_after, w_before)
    assert math.isclose(np.hypot(*w_after), np.hypot(*w_before), rel_tol=1e-12)
    assert math.isclose(w_after @ pivot + b_after, w_before @ pivot + b_before, abs_tol=1e-9)
    # the highlighted crease is in 3D too
    d.send(key(pygame.K_v))
    assert (
        scene.stage.renderer.p3d.highlight.count == len(scene.view3d.surface.creases.of(1, k)) > 0
    )
    d.send(key(pygame.K_v) + key(pygame.K_i))

    # the timeline: one snapshot back (","), the weights are the snapshot's exactly
    d.send(key(pygame.K_t))
    live = s.net.params.copy()
    n = len(tl)
    d.send(key(pygame.K_COMMA))
    assert cs.scrub == n - 2
    assert np.array_equal(s.net.params, tl.scrub(n - 2))
    scene.apply(S.Scrub(0.0))
    d.send([], frames=2)
    assert cs.scrub == 0 and np.array_equal(s.net.params, tl.scrub(0))
    assert s.metrics.step == 0
    # the past cannot be edited; back to now brings the live weights back
    scene.apply(S.EditNeuron("c", 1.5))
    assert np.array_equal(s.net.params, tl.scrub(0)) and s.toast.kind == "warn"
    d.send(key(pygame.K_END))
    assert cs.scrub is None and np.array_equal(s.net.params, live)

    # resume from step 50: a branch
    scene.apply(S.ScrubToStep(50.0))
    d.send([], frames=1)
    assert cs.scrub_step == 50 and np.array_equal(s.net.params, tl.scrub(cs.scrub))
    d.send(click(d.stage_button("Resume here").rect.center))
    assert cs.scrub is None and s.trainer.steps == 50 and tl.last_step == 50
    assert s.history.view()[0][-1] <= 50
    d.send(key(pygame.K_SPACE))
    d.send([], frames=4)
    d.send(key(pygame.K_SPACE))
    assert s.trainer.steps > 50 and tl.last_step == s.trainer.steps
    assert np.all(np.diff(tl.steps) > 0)

    # a click on the loss chart jumps to the snapshot nearest that step
    from sandbox.ui import charts

    d.send([], frames=8)  # the chart redraws a few times a second
    x, y, w, h = scene.panels.chart_rect()
    pos = (x + w // 3, y + h // 2)
    step = charts.step_at(s.history, (w, h), s.scale, pos[0] - x)
    d.send(click(pos))
    assert cs.scrub == tl.index_at_step(step)
    assert np.array_equal(s.net.params, tl.scrub(cs.scrub))

    # a replay plays the snapshots forward and ends at now
    d.send(click(d.stage_button("Back to now").rect.center))
    live = s.net.params.copy()
    scene.apply(S.SetReplaySpeed(200.0))
    d.send(click(d.stage_button("Replay").rect.center), frames=2)
    assert cs.replay and cs.scrub is not None
    first = cs.scrub
    d.send([], frames=3)
    assert cs.scrub > first and np.array_equal(s.net.params, tl.scrub(cs.scrub))
    d.send([], frames=45)
    assert not cs.replay and cs.scrub is None and np.array_equal(s.net.params, live)


def test_single_neuron_sliders_set_a_b_c(make_app):
    d = make_app(views=("field", "creases", "inspector"), steps=40)
    scene, cs, s = d.scene, d.cs, d.state
    scene.apply(S.PickNeuron(1, 2))
    d.send(key(pygame.K_n))
    assert cs.single_neuron and View.THREE_D in s.views
    assert scene.view3d.neuron_surface and cs.surface_label.startswith("height: layer 1 neuron 3")
    sliders = scene.stage.panels._neuron_sliders
    assert set(sliders) == {"a", "b", "c"}
    # its heading fits the tray (the longest that does: pygame-gui clipped the whole formula)
    head = scene.stage.panels._labels["nhead"]
    assert head.text.startswith(("Layer 1 neuron 3", "Neuron 3"))
    assert head.font.size(head.text)[0] <= head.rect.width - 4
    scene.apply(S.EditNeuron("a", 1.25))
    scene.apply(S.EditNeuron("c", -2.0))
    d.send([], frames=2)
    W, b = s.net.layers[0]
    assert W[2, 0] == 1.25 and b[2] == -2.0
    # the surface is that neuron's ramp: max(a x + b y + c, 0) at the points
    fs = scene.view3d.surface
    X = np.asarray(s.points.X)
    want = np.maximum(X @ W[2] + b[2], 0.0)
    assert np.allclose(fs.lift_points(X)[:, 2], want)
    assert np.isclose(sliders["a"][0].get_current_value(), 400 * (1.25 + 4) / 8, atol=1)
    d.send(key(pygame.K_n))
    assert not scene.view3d.neuron_surface
