"""Grabbing a crease through the running app (offscreen, real OpenGL).

With a first-layer neuron selected in the inspector, the pointer near its crease (within a
generous reach, not a 7 px hairline) shows a hover cue (the crease lights up, the pointer turns
into a move arrow) and a press there grabs the crease; a press that misses paints nothing and
says why; once the neuron is let go, the brush paints again.
"""

from __future__ import annotations

import numpy as np
import pygame
import pytest
from app_util import click, drag, key, motion, send
from gl_util import gl_session_fixture  # noqa: F401

from sandbox.app import App
from sandbox.config import AppConfig
from sandbox.render.inspector import NodeRef
from sandbox.session import crease_line, first_layer_neuron

SIZE = (1280, 800)


@pytest.fixture(name="app")
def app_fixture(gl_session, tmp_path, monkeypatch):
    monkeypatch.setenv("NEURAL_ORIGAMI_FILES_DIR", str(tmp_path / "files"))
    monkeypatch.chdir(tmp_path)
    app = App(AppConfig(skip_loading=True, size=SIZE, points=200, hidden=(8, 8)))
    app.start(hidden=True)
    pygame.event.get()  # (read, not cleared: pygame-ce 2.5 keeps what clear() drops)
    app.run_frames(2, dt=1 / 30)
    yield app
    app.close()


def select_a_crease(app: App) -> tuple[int, np.ndarray]:
    """Open the inspector and click a first-layer neuron whose crease crosses the view."""
    s, scene = app.state, app.scene
    scene.train_now(30)
    send(app, key(pygame.K_i), frames=3)
    bounds = scene.plane.bounds()
    k = next(
        i
        for i in range(s.net.hidden_sizes[0])
        if crease_line(first_layer_neuron(s.net, i), bounds) is not None
    )
    diagram = scene.inspector.diagram
    node = diagram.layout.node_id(NodeRef(1, k))
    send(app, click(tuple(int(v) for v in diagram.layout.xy[node])), frames=3)
    assert s.stage.selected == (1, k) and s.stage.crease_px is not None
    return k, np.asarray(s.stage.crease_px[0], dtype=float)


def off_the_crease(seg: np.ndarray, t: float, px: float) -> tuple[int, int]:
    """A window pixel `px` pixels to the side of the crease, a share `t` along it."""
    a, b = seg[:2], seg[2:]
    u = (b - a) / np.hypot(*(b - a))
    q = a + t * (b - a) + px * np.array([-u[1], u[0]])
    return (round(q[0]), round(q[1]))


def test_a_near_miss_grabs_the_crease_and_shows_a_cue(app):
    s = app.state
    k, seg = select_a_crease(app)
    n = len(s.points)
    near = off_the_crease(seg, 0.4, 12.0)  # 12 px off the line: a miss at 7 px, a grab now
    assert s.layout.in_plane(near)
    send(app, motion(near), frames=2)
    assert s.stage.crease_hover == "move"
    b0 = float(s.net.layers[0][1][k])
    send(app, drag(near, (near[0] + 30, near[1] + 20)), frames=3)
    assert len(s.points) == n, "no points painted"
    assert float(s.net.layers[0][1][k]) != b0, "the crease moved"
    # away from it: the cue goes out
    far = off_the_crease(np.asarray(s.stage.crease_px[0], float), 0.4, 80.0)
    if s.layout.in_plane(far):
        send(app, motion(far), frames=2)
        assert s.stage.crease_hover is None


def test_no_painting_while_a_neuron_is_selected(app):
    s = app.state
    k, seg = select_a_crease(app)
    n = len(s.points)
    far = off_the_crease(seg, 0.5, 90.0)
    if not s.layout.in_plane(far):
        far = off_the_crease(seg, 0.5, -90.0)
    weights = s.net.params.copy()
    send(app, drag(far, (far[0] + 20, far[1] + 5)), frames=3)
    assert len(s.points) == n and np.array_equal(s.net.params, weights)
    assert "neuron is selected" in s.toast.text
    # let go of the neuron (a click on an empty spot of the inspector): the brush paints again
    x, y, w, h = s.stage.rects.inspector
    send(app, click((x + 6, y + h - 6)), frames=3)
    assert s.stage.selected is None, s.stage.selected
    send(app, drag(far, (far[0] + 20, far[1] + 5)), frames=3)
    assert len(s.points) > n


def test_ctrl_z_after_a_crease_drag_undoes_the_drag_first(app):
    s = app.state
    k, seg = select_a_crease(app)
    points, preset = s.points.X.copy(), s.preset
    before = s.net.params.copy()
    near = off_the_crease(seg, 0.4, 3.0)
    send(app, drag(near, (near[0] + 30, near[1] + 20)), frames=3)
    after = s.net.params.copy()
    assert not np.array_equal(after, before)
    ctrl = pygame.KMOD_CTRL
    send(app, key(pygame.K_z, mod=ctrl), frames=2)
    assert np.array_equal(s.net.params, before), "the crease went back"
    assert np.array_equal(s.points.X, points) and s.preset == preset, "the points stayed"
    assert "crease" in s.toast.text
    send(app, key(pygame.K_y, mod=ctrl), frames=2)
    assert np.array_equal(s.net.params, after)
    # the next Ctrl+Z after that goes on to the points, with the panels in step
    send(app, key(pygame.K_z, mod=ctrl) + key(pygame.K_z, mod=ctrl), frames=2)
    assert np.array_equal(s.net.params, before)
    assert len(s.points) == 0 or not np.array_equal(s.points.X, points)
