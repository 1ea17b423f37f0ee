"""Pictures in the window: File > Open picture, a file dropped on the window, a bad file that
changes nothing, and the dots that pictures hide (a toggle brings them back)."""

from __future__ import annotations

import numpy as np
import pygame
from gl_util import gl_session_fixture  # noqa: F401
from PIL import Image

from sandbox import actions as A
from sandbox.ui.dialogs import dropped_file_action
from sandbox.vocab import Task

APP_DEFAULTS = {"size": (960, 640), "hidden": (8, 8)}


def _picture(path, size=(40, 30)):
    rgb = np.zeros((size[1], size[0], 3), dtype=np.uint8)
    rgb[:, size[0] // 2 :] = 255
    Image.fromarray(rgb, "RGB").save(path)
    return path


def test_open_picture_learns_every_pixel_and_hides_the_dots(make_app, tmp_path):
    d = make_app(dataset="ring")
    s = d.state
    assert s.task is Task.CLASSIFICATION and s.show_points
    path = _picture(tmp_path / "halves.jpg")
    d.scene.apply(A.OpenPicture(str(path)))
    d.send([], frames=2)
    assert s.task is Task.REGRESSION
    assert s.preset == f"image:{path}"
    assert len(s.points) == 40 * 30  # every pixel (the picture is under the training side)
    assert not s.show_points
    assert "Learning the picture" in s.toast.text
    d.scene.train_now(200)
    d.send([], frames=1)
    d.scene.apply(A.TogglePoints())
    assert s.show_points
    # back to a point set: dots on again
    d.scene.apply(A.LoadPreset("ring"))
    assert s.show_points and s.task is Task.CLASSIFICATION


def test_a_bad_picture_changes_nothing(make_app, tmp_path):
    d = make_app(dataset="ring")
    s = d.state
    before = (s.preset, s.task, s.points.version, s.net.params.copy())
    bad = tmp_path / "broken.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n garbage")
    d.scene.apply(A.OpenPicture(str(bad)))
    d.send([], frames=1)
    assert s.toast.kind == "error" and "broken.png" in s.toast.text
    assert (s.preset, s.task, s.points.version) == before[:3]
    np.testing.assert_array_equal(s.net.params, before[3])


def test_dropping_files_opens_them_by_kind(make_app, tmp_path):
    assert dropped_file_action("a/b.origami") == A.OpenScene("a/b.origami")
    assert dropped_file_action("net.NPZ") == A.ImportWeights("net.NPZ")
    assert dropped_file_action("x.webp") == A.OpenPicture("x.webp")
    d = make_app(dataset="ring")
    path = _picture(tmp_path / "drop.png")
    d.send([pygame.event.Event(pygame.DROPFILE, file=str(path), window=None)], frames=2)
    assert d.state.preset == f"image:{path}" and d.state.task is Task.REGRESSION


def test_open_picture_without_a_path_asks_with_a_file_dialog(make_app, tmp_path):
    d = make_app(dataset="ring")
    d.scene.apply(A.OpenPicture())
    d.send([], frames=3)
    w = d.state.workshop
    assert w.dialog == "open_picture"
    dialogs = d.scene.workshop.dialogs
    assert dialogs is not None and dialogs.dialog is not None  # the window is up
    path = _picture(tmp_path / "picked.bmp")
    d.scene.apply(A.OpenPicture(str(path)))
    d.send([], frames=2)
    assert w.dialog is None and d.state.preset == f"image:{path}"


def test_schedule_and_resolution_actions_change_the_run(make_app):
    d = make_app(dataset="image:disk")
    s = d.state
    d.scene.apply(A.SetSchedule("cosine", 300))
    assert s.trainer.schedule.kind == "cosine" and s.trainer.schedule.steps == 300
    d.scene.apply(A.SetSchedule("cosine", 0))  # refused with a message, nothing changes
    assert s.toast.kind == "error" and s.trainer.schedule.steps == 300
    d.scene.train_now(300)
    assert s.trainer.current_lr() == 0.0
    d.scene.apply(A.SetResolution(32))
    assert len(s.points) == 32 * 32 and s.resolution == 32
    d.send([], frames=2)
