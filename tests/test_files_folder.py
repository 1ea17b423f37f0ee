"""Where files go, through the running app (offscreen, real OpenGL).

Recordings (F9), screenshots (F12) and the Save / Export dialogs' defaults go to the app's files
folder ($NEURAL_ORIGAMI_FILES_DIR here; ~/Neural Origami for users), never to the current folder;
each message shows the full path. The file dialog hides dot-folders, remembers the folder it
was in (after OK and after Cancel) and has tooltips that are not cut short.
"""

from __future__ import annotations

from pathlib import Path

import pygame
import pytest
from app_util import app_factory, click, key, send, type_text
from gl_util import gl_session_fixture  # noqa: F401

from sandbox.app import App
from sandbox.io import files

SIZE = (960, 640)


@pytest.fixture(name="folders")
def folders_fixture(tmp_path, monkeypatch) -> tuple[Path, Path]:
    out, cwd = tmp_path / "Neural Origami", tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.setenv(files.ENV_FILES_DIR, str(out))
    monkeypatch.chdir(cwd)
    return out, cwd


@pytest.fixture(name="make_app")
def make_app_fixture(gl_session, folders, tmp_path, monkeypatch):
    out, cwd = folders
    defaults = {"size": SIZE, "points": 200, "hidden": (8, 8)}
    make, close = app_factory(defaults, tmp_path, monkeypatch, files_dir=out, cwd=cwd)
    yield make
    errors = close()
    assert not errors, f"OpenGL errors: {errors}"


def toast(app: App) -> str:
    return app.state.toast.text if app.state.toast is not None else ""


def test_the_files_folder_is_home_unless_the_environment_says(monkeypatch, tmp_path):
    monkeypatch.delenv(files.ENV_FILES_DIR, raising=False)
    assert files.files_dir() == Path.home().absolute() / "Neural Origami"
    monkeypatch.setenv(files.ENV_FILES_DIR, str(tmp_path / "x"))
    assert files.files_dir() == tmp_path / "x" and not (tmp_path / "x").exists()
    assert files.ensure().is_dir()
    a = files.stamped("shot", ".png")
    a.write_bytes(b"")
    b = files.stamped("shot", ".png")
    assert a.parent == b.parent == tmp_path / "x" and a != b


def test_recordings_and_screenshots_go_to_the_files_folder(make_app, folders):
    out, cwd = folders
    app = make_app()
    send(app, key(pygame.K_F9), frames=1, dt=1 / 15)
    assert app.state.workshop.recording
    app.run_frames(4, dt=1 / 15)
    send(app, key(pygame.K_F9), frames=1)
    gifs = list(out.glob("neural-origami-*.gif"))
    assert len(gifs) == 1 and str(gifs[0]) in toast(app), toast(app)
    send(app, key(pygame.K_F12), frames=2)
    pngs = list(out.glob("neural-origami-*.png"))
    assert len(pngs) == 1 and str(pngs[0]) in toast(app), toast(app)
    assert list(cwd.iterdir()) == [], "nothing is written to the current folder"


def test_dialogs_start_in_the_files_folder_hide_dot_folders_and_remember(make_app, folders):
    out, cwd = folders
    for name in (".git", ".venv", "talks"):
        (out / name).mkdir(parents=True)
    (out / ".hidden.origami").write_bytes(b"")
    app = make_app()
    s, sc = app.state, app.scene

    send(app, key(pygame.K_s, mod=pygame.KMOD_CTRL), frames=2)
    dialog = sc.workshop.dialogs.dialog
    assert Path(dialog.current_directory_path) == out
    listed = [i[0] if isinstance(i, tuple) else i for i in dialog.current_file_list]
    assert "talks" in listed and not [n for n in listed if n.startswith(".")], listed
    assert dialog.parent_directory_button.tool_tip_text == "The folder above this one"
    # into the "talks" folder by typing its path, then Cancel: the next dialog starts there
    line = dialog.file_path_text_line
    line.set_text("")
    send(app, type_text(str(out / "talks")) + key(pygame.K_RETURN), frames=3)
    assert Path(dialog.current_directory_path) == out / "talks"
    send(app, click(dialog.cancel_button.rect.center), frames=3)
    assert sc.workshop.dialogs.dialog is None and s.workshop.dialog is None

    send(app, key(pygame.K_e, mod=pygame.KMOD_CTRL), frames=2)
    dialog = sc.workshop.dialogs.dialog
    assert Path(dialog.current_directory_path) == out / "talks"
    send(app, click(dialog.ok_button.rect.center), frames=3)
    written = out / "talks" / "network.npz"
    assert written.exists() and str(written) in toast(app), toast(app)

    # Save goes there too now, and the message has the whole path
    send(app, key(pygame.K_s, mod=pygame.KMOD_CTRL), frames=2)
    dialog = sc.workshop.dialogs.dialog
    assert Path(dialog.current_directory_path) == out / "talks"
    send(app, click(dialog.ok_button.rect.center), frames=3)
    assert toast(app) == f"Saved the scene: {out / 'talks' / 'scene.origami'}"
    assert list(cwd.iterdir()) == []
