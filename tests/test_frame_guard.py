"""The loop survives a failing frame: the work is saved, the traceback logged, one line shown.

An exception is injected into each part of a frame (an action's handler, the scene's update, its
GL drawing) of a running sandbox; the app's own loop (`run_loop`) must save the points and
network to the autosave file, append the traceback to the log in the files folder, tell the
user, pause training and go on running frames.
"""

from __future__ import annotations

import pygame
import pytest
from app_util import key

from sandbox import actions as A
from sandbox.frame_guard import MAX_FAILED_FRAMES, FrameGuard
from sandbox.io import files
from sandbox.io.scene import load_scene


class Injected(RuntimeError):
    pass


def _break_once(target, name: str):
    original = getattr(target, name)
    calls = {"n": 0}

    def broken(*args, **kw):
        calls["n"] += 1
        if calls["n"] == 1:
            raise Injected("injected failure 4711")
        return original(*args, **kw)

    setattr(target, name, broken)
    return calls


@pytest.mark.parametrize("where", ["action", "update", "draw"])
def test_a_failing_frame_saves_the_work_logs_and_goes_on(make_app, tmp_path, where):
    app = make_app(points=120, play=True)
    scene = app.scene
    app.run_frames(3)
    n_points = len(app.state.points)
    assert app.state.playing
    if where == "action":
        calls = {"n": 0}
        original = scene.routes[A.ToggleHelp]

        def broken(a):
            calls["n"] += 1
            raise Injected("injected failure 4711")

        scene.routes[A.ToggleHelp] = broken
        for event in key(pygame.K_F1):
            pygame.event.post(event)
    else:
        calls = _break_once(scene, where)
    frames_before = app.frames
    app.config.frames = app.frames + 6
    assert app.run_loop() == 0
    assert calls["n"] >= 1
    # the next frames ran
    assert app.frames == frames_before + 6
    assert not app.state.quit
    # the work was saved before anything else: a scene file Ctrl+O opens
    saved = tmp_path / files.AUTOSAVE_NAME
    assert saved.is_file()
    data = load_scene(saved)
    assert len(data.X) == n_points
    assert data.build_network().sizes == app.state.net.sizes
    # the traceback is in the log, in the files folder
    log = (tmp_path / files.LOG_NAME).read_text()
    assert "Traceback" in log and "injected failure 4711" in log and "Injected" in log
    # one line tells the user what happened and where the work is; training stopped
    toast = app.state.toast
    assert toast is not None and toast.kind == "error"
    assert "Something went wrong" in toast.text and str(saved) in toast.text
    assert "\n" not in toast.text
    assert not app.state.playing
    if where == "action":
        scene.routes[A.ToggleHelp] = original


def test_a_frame_failing_every_time_logs_once_and_stops_with_the_work_saved(make_app, tmp_path):
    app = make_app(points=50)

    def always(dt):
        raise Injected("every frame")

    app.scene.update = always
    app.config.frames = app.frames + 10
    assert app.run_loop() == 1  # gives up after a long run of failures, not at the first
    assert app.guard.failures == MAX_FAILED_FRAMES
    assert (tmp_path / files.AUTOSAVE_NAME).is_file()
    log = (tmp_path / files.LOG_NAME).read_text()
    assert log.count("Traceback") == 1  # the same traceback is logged once per run of failures
    assert str(tmp_path / files.AUTOSAVE_NAME) in app.guard.give_up()


def test_the_menu_has_no_work_to_save_and_still_goes_on(make_app, tmp_path):
    app = make_app(menu=True)
    _break_once(app.scene, "draw")
    app.config.frames = app.frames + 3
    assert app.run_loop() == 0
    assert not (tmp_path / files.AUTOSAVE_NAME).exists()
    assert "Something went wrong" in app.state.toast.text
    assert "no work to save" in app.state.toast.text


def test_when_the_work_cannot_be_saved_the_message_says_so(monkeypatch, tmp_path):
    class Scene:
        workshop = object()  # level_id() missing: saving fails inside the guard

    class Fake:
        scene = Scene()

    monkeypatch.setenv(files.ENV_FILES_DIR, str(tmp_path))
    guard = FrameGuard()
    line = guard.failed(Fake(), ValueError("boom"))
    assert "could not be saved" in line and "ValueError: boom" in line
    assert (tmp_path / files.LOG_NAME).is_file()


def test_the_log_is_kept_short(monkeypatch, tmp_path):
    monkeypatch.setenv(files.ENV_FILES_DIR, str(tmp_path))
    monkeypatch.setattr(files, "LOG_MAX_BYTES", 1000)
    for i in range(30):
        files.append_log(f"entry {i} " + "x" * 100)
    assert (tmp_path / files.LOG_NAME).stat().st_size < 2000
    assert (tmp_path / (files.LOG_NAME + ".1")).is_file()
    assert "entry 29" in (tmp_path / files.LOG_NAME).read_text()
