"""The network and the panels follow the data, through the running app (offscreen, real OpenGL).

- Outputs follow the classes of the data: a third painted class grows an output; choosing
  another preset starts a fresh network (step 0) with that data's outputs; removing a layer or
  erasing a class never leaves an output for a class with no point.
- Undo and redo of a preset bring back the preset box, noise and seed with the points.
"""

from __future__ import annotations

import numpy as np
import pygame
import pytest
from app_util import click, drag, hover_click, key, send
from gl_util import gl_session_fixture  # noqa: F401
from pygame_gui.elements import UIButton, UIDropDownMenu

from sandbox.app import App
from sandbox.config import AppConfig

SIZE = (1280, 800)


@pytest.fixture(name="make_app")
def make_app_fixture(gl_session, tmp_path, monkeypatch):
    monkeypatch.setenv("NEURAL_ORIGAMI_FILES_DIR", str(tmp_path / "files"))
    monkeypatch.chdir(tmp_path)
    apps: list[App] = []

    def make(**kw) -> App:
        kw.setdefault("size", SIZE)
        kw.setdefault("points", 200)
        kw.setdefault("hidden", (8, 8))
        app = App(AppConfig(skip_loading=True, **kw))
        app.start(hidden=True)
        pygame.event.clear()
        apps.append(app)
        app.run_frames(2, dt=1 / 30)
        return app

    yield make
    for app in apps:
        app.close()


def preset_box(app: App) -> UIDropDownMenu:
    return next(e for e in app.scene.panels.elements if isinstance(e, UIDropDownMenu))


def choose_preset(app: App, name: str) -> None:
    """Open the preset box and click `name` in its list, as a user does."""
    box = preset_box(app)
    send(app, hover_click(box.rect.center), frames=2)
    items = box.current_state.options_selection_list.item_list
    button = next(i["button_element"] for i in items if i["text"] == name)
    # pressed item -> list selection -> box changed -> action: a frame each
    send(app, click(button.rect.center), frames=5)
    assert app.state.preset == name


def button_with_tip(app: App, start: str) -> UIButton:
    found = [
        e
        for e in app.scene.panels.elements
        if isinstance(e, UIButton) and str(e.tool_tip_text or "").startswith(start)
    ]
    assert found, start
    return found[0]


def plane_point(app: App, fx: float, fy: float) -> tuple[int, int]:
    x, y, w, h = app.state.layout.plane
    return (round(x + fx * w), round(y + fy * h))


def predicted_classes(app: App) -> set[int]:
    g = np.linspace(-6.0, 6.0, 41)
    X = np.stack(np.meshgrid(g, g), axis=-1).reshape(-1, 2)
    return set(np.argmax(app.state.net.forward(X), axis=1).tolist())


def paint_class_3(app: App) -> None:
    send(app, key(pygame.K_3), frames=1)
    send(app, drag(plane_point(app, 0.45, 0.45), plane_point(app, 0.55, 0.5)), frames=3)


def test_outputs_and_steps_follow_the_data(make_app):
    app = make_app(dataset="ring")
    s = app.state
    paint_class_3(app)
    assert s.net.n_out == 3 and 2 in s.points.y
    app.scene.train_now(40)
    assert s.trainer.steps == 40

    choose_preset(app, "moons")
    send(app, [], frames=2)
    assert set(np.unique(s.points.y)) == {0, 1}
    assert s.net.n_out == 2 and s.n_classes == 2, "moons has two classes"
    assert s.trainer.steps == 0 and s.metrics.step == 0, "a new data set, a fresh network"

    send(app, click(button_with_tip(app, "Remove the last hidden layer").rect.center), frames=3)
    assert len(s.settings.hidden) == 1 and s.net.n_out == 2
    assert predicted_classes(app) <= {0, 1}

    # paint a third class, erase it again: its output goes with it
    paint_class_3(app)
    assert s.net.n_out == 3
    send(app, drag(plane_point(app, 0.45, 0.45), plane_point(app, 0.55, 0.5), button=3), frames=3)
    assert 2 not in s.points.y and s.net.n_out == 2
    send(app, click(button_with_tip(app, "Add a hidden layer").rect.center), frames=3)
    assert s.net.n_out == 2 and predicted_classes(app) <= {0, 1}


def test_undo_and_redo_of_a_preset_keep_the_panels_in_step(make_app):
    app = make_app(dataset="ring")
    s = app.state
    ring = s.points.X.copy()
    choose_preset(app, "spiral")
    spiral = s.points.X.copy()
    send(app, click(button_with_tip(app, "Draw the same kind of dataset again").rect.center))
    seed_after = s.data_seed
    assert seed_after == 1
    choose_preset(app, "moons")
    ctrl_z = key(pygame.K_z, mod=pygame.KMOD_CTRL)
    send(app, ctrl_z, frames=3)
    assert s.preset == "spiral" and s.data_seed == seed_after
    assert preset_box(app).selected_option[0] == "spiral"
    send(app, ctrl_z, frames=3)  # the new seed goes back
    assert s.preset == "spiral" and s.data_seed == 0 and np.array_equal(s.points.X, spiral)
    send(app, ctrl_z, frames=3)
    assert s.preset == "ring" and np.array_equal(s.points.X, ring)
    assert preset_box(app).selected_option[0] == "ring"
    send(app, key(pygame.K_y, mod=pygame.KMOD_CTRL), frames=3)
    assert s.preset == "spiral" and preset_box(app).selected_option[0] == "spiral"
