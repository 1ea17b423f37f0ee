"""Changing screens through the running app (offscreen, real OpenGL): what one screen set up does
not leak into the next.

A level sets its own batch size (every point at once), test split, views (the inspector) and
network; after Esc and the free sandbox, the sandbox has its own defaults again and Ctrl+S saves
it. Whatever a level can set, a scene file can hold: saving inside the level works too.
"""

from __future__ import annotations

import numpy as np
import pygame
import pytest
from app_util import app_factory, click, drag, hover_click, key, send
from gl_util import gl_session_fixture  # noqa: F401

from sandbox.app import App
from sandbox.io.scene import load_scene
from sandbox.levels.loader import level_files
from sandbox.scenes.free_sandbox import FreeSandboxScene
from sandbox.scenes.level import LevelScene
from sandbox.scenes.menu import MenuScene
from sandbox.state import AppState, NetworkSettings
from sandbox.vocab import DEFAULT_SPEED, DEFAULT_VIEWS

SIZE = (1280, 800)


@pytest.fixture(name="start_menu")
def start_menu_fixture(gl_session, tmp_path, monkeypatch):
    make, close = app_factory(
        {"size": SIZE, "menu": True},
        tmp_path,
        monkeypatch,
        files_dir=tmp_path / "files",
        data_dir=tmp_path / "data",
    )
    yield make
    errors = close()
    assert not errors, f"OpenGL errors: {errors}"


def save_through_the_dialog(app: App) -> str:
    send(app, key(pygame.K_s, mod=pygame.KMOD_CTRL), frames=2)
    dialog = app.scene.workshop.dialogs.dialog
    assert dialog is not None
    send(app, click(dialog.ok_button.rect.center), frames=3)
    return app.state.toast.text if app.state.toast else ""


def level_id(name: str) -> str:
    return next(p.stem for p in level_files() if name in p.stem)


def test_a_level_then_the_sandbox_starts_the_sandbox_afresh(start_menu, tmp_path):
    app = start_menu()
    send(app, key(pygame.K_u), frames=2)  # presenters: every level open
    lid = level_id("dead-neurons")
    chapter = next(c.title for c in app.scene.view.chapters if lid in c.level_ids)
    send(app, hover_click(app.scene.panels.chapter_buttons[chapter].rect.center), frames=3)
    send(app, hover_click(app.scene.panels.cards[lid].rect.center), frames=3)
    assert isinstance(app.scene, LevelScene)
    for _ in range(10):  # page through the story card (while it is up, keys go to it alone)
        if app.scene.status.card != "story":
            break
        send(app, key(pygame.K_RETURN), frames=2)
    s = app.state
    level_settings = (s.settings.batch_size, s.test_fraction, set(s.views))
    assert s.settings.batch_size > 1_000_000 and "inspector" in {v.value for v in s.views}
    # whatever a level can set, a scene file can hold
    told = save_through_the_dialog(app)
    assert told.startswith("Saved the scene"), told
    saved = load_scene(told.split(": ", 1)[1])
    assert saved.training.batch_size == level_settings[0]

    send(app, key(pygame.K_ESCAPE), frames=3)
    assert isinstance(app.scene, MenuScene)
    send(app, hover_click(app.scene.panels.buttons["sandbox"].rect.center), frames=3)
    assert isinstance(app.scene, FreeSandboxScene)
    fresh = AppState()
    assert s.settings.batch_size == NetworkSettings().batch_size
    assert s.settings.learning_rate == NetworkSettings().learning_rate
    assert s.test_fraction == fresh.test_fraction and s.points.test_fraction == fresh.test_fraction
    assert s.views == set(DEFAULT_VIEWS)
    assert s.stage.selected is None and s.layer_view == 0
    classes = int(s.points.y.max()) + 1
    assert s.net.n_out == classes == 2  # the ring's two classes, not the level's outputs
    told = save_through_the_dialog(app)
    assert told.startswith("Saved the scene"), told


def test_the_sandbox_does_not_leak_into_a_level(start_menu):
    app = start_menu()
    send(app, hover_click(app.scene.panels.buttons["sandbox"].rect.center), frames=3)
    s = app.state
    send(app, key(pygame.K_g) + key(pygame.K_i) + key(pygame.K_3), frames=2)
    send(app, key(pygame.K_EQUALS) + key(pygame.K_EQUALS), frames=2)  # faster training
    assert s.selected_class == 2 and s.speed == DEFAULT_SPEED + 2
    send(app, key(pygame.K_ESCAPE), frames=3)
    send(app, key(pygame.K_RETURN), frames=3)  # continue: the first level
    assert isinstance(app.scene, LevelScene)
    assert s.selected_class == 0 and s.speed == DEFAULT_SPEED
    assert not {v.value for v in s.views} & {"regions", "inspector"} - {
        v.value for v in app.scene.level.views
    }


def test_what_outlives_a_screen_names_real_fields():
    from dataclasses import fields

    from sandbox.state import APP_WIDE

    names = {f.name for f in fields(AppState)}
    assert APP_WIDE <= names
    s = AppState()
    s.ui_scale, s.selected_class = 1.5, 3
    session = s.session
    weights, data = session.weights_version, session.data_version
    s.start_afresh()
    assert s.ui_scale == 1.5 and s.selected_class == 0
    # the change counters (the Session's versions) move on: nothing cached survives
    assert s.session is session and session.weights_version > weights
    assert session.data_version != data and session.net is None


def test_back_from_a_level_the_sandbox_is_as_it_was_left(start_menu):
    app = start_menu()
    send(app, hover_click(app.scene.panels.buttons["sandbox"].rect.center), frames=3)
    s = app.state
    x, y, w, h = s.layout.plane
    send(app, key(pygame.K_3), frames=1)
    send(app, drag((x + w // 2, y + h // 2), (x + w // 2 + 40, y + h // 2 + 10)), frames=3)
    send(app, key(pygame.K_g) + key(pygame.K_EQUALS), frames=2)
    app.scene.train_now(50)
    before = (s.points.X.copy(), s.net.params.copy(), set(s.views), s.speed, s.trainer.steps)
    assert s.net.n_out == 3
    send(app, key(pygame.K_ESCAPE), frames=3)
    send(app, key(pygame.K_RETURN), frames=3)  # a level
    assert isinstance(app.scene, LevelScene)
    send(app, key(pygame.K_ESCAPE), frames=3)
    send(app, hover_click(app.scene.panels.buttons["sandbox"].rect.center), frames=3)
    assert isinstance(app.scene, FreeSandboxScene)
    assert np.array_equal(s.points.X, before[0]) and np.array_equal(s.net.params, before[1])
    assert set(s.views) == before[2] and s.speed == before[3] and s.trainer.steps == before[4]
    assert "as you left it" in s.toast.text
    told = save_through_the_dialog(app)
    assert told.startswith("Saved the scene"), told
