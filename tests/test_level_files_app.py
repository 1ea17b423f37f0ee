"""Level files from anywhere, in the real window (offscreen OpenGL): `--level PATH` plays a file,
a .toml dropped on the sandbox or the menu opens it as a level (and it is then listed under "Your
levels"), and a broken one is a message naming the file and the key, never a crash.
"""

from __future__ import annotations

import shutil

import pygame
import pytest
from app_util import app_factory, ev, key, send
from gl_util import gl_session_fixture  # noqa: F401

from sandbox.levels import level_files
from sandbox.scenes.level import LevelScene
from sandbox.scenes.menu import MenuScene, scene_factory
from sandbox.scenes.sandbox import SandboxScene

SIZE = (1024, 700)
BAD = 'title = "Bad"\nstory = ["A page."]\nsuccess = "Yes."\n[data]\n[network]\nhidden = [300]\n'


@pytest.fixture
def start_app(gl_session, tmp_path, monkeypatch):
    files = tmp_path / "files"
    make, close = app_factory({"size": SIZE}, tmp_path, monkeypatch, files_dir=files,
                              data_dir=tmp_path / "data")  # fmt: skip
    yield make
    errors = close()
    assert not errors, f"OpenGL errors: {errors}"


@pytest.fixture
def ring(tmp_path):
    path = tmp_path / "elsewhere" / "ring for class 5b.toml"
    path.parent.mkdir()
    shutil.copy(next(p for p in level_files() if "the-ring" in p.stem), path)
    return path


def drop(path) -> list:
    return [ev(pygame.DROPFILE, file=str(path), window=None)]


def test_level_path_plays_the_file_and_a_broken_one_is_refused_with_the_loaders_words(
    start_app, ring, tmp_path
):
    app = start_app(level=str(ring))
    assert isinstance(app.scene, LevelScene)
    assert app.scene.level.title == "The ring" and app.scene.level.id == "yours:ring for class 5b"
    bad = tmp_path / "bad.toml"
    bad.write_text(BAD, encoding="utf-8")
    config = app.config.__class__(level=str(bad), size=SIZE)
    with pytest.raises(ValueError, match=r"bad\.toml: network\.hidden\[0\]: is 300"):
        scene_factory(app.app, config)


def test_a_toml_dropped_on_the_sandbox_plays_it_and_a_broken_one_changes_nothing(
    start_app, ring, tmp_path
):
    app = start_app(points=50)
    assert isinstance(app.scene, SandboxScene) and not isinstance(app.scene, LevelScene)
    bad = tmp_path / "bad.toml"
    bad.write_text(BAD, encoding="utf-8")
    send(app, drop(bad), frames=2)
    assert not isinstance(app.scene, LevelScene)
    toast = app.state.toast
    assert toast.kind == "error" and "bad.toml: network.hidden[0]: is 300" in toast.text
    send(app, drop(ring), frames=3)
    assert isinstance(app.scene, LevelScene) and app.scene.level.title == "The ring"
    # Esc goes to the menu, where the dropped file is listed with the player's own levels
    app.scene.status.card = ""
    send(app, key(pygame.K_ESCAPE), frames=3)
    assert isinstance(app.scene, MenuScene)
    yours = next(c for c in app.scene.view.chapters if c.title == "Your levels")
    assert "yours:ring for class 5b" in yours.level_ids


def test_a_toml_dropped_on_the_menu_plays_it_and_anything_else_is_explained(
    start_app, ring, tmp_path
):
    app = start_app(menu=True)
    send(app, drop(tmp_path / "photo.png"), frames=2)
    assert isinstance(app.scene, MenuScene) and "level files (.toml)" in app.state.toast.text
    broken = tmp_path / "garbage.toml"
    broken.write_text("title = [oops\n", encoding="utf-8")
    send(app, drop(broken), frames=2)
    assert isinstance(app.scene, MenuScene)
    assert "garbage.toml: not valid TOML" in app.state.toast.text
    assert "yours:garbage" in app.scene.view.chapters[-1].level_ids  # its error card
    send(app, drop(ring), frames=3)
    assert isinstance(app.scene, LevelScene) and app.scene.level.id == "yours:ring for class 5b"
