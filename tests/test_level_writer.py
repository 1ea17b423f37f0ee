"""Save as level: the level text a sandbox makes loads back as the same points, network and
weights; every goal the picker offers is valid goal language; a bad pick gets the loader's own
message and writes nothing; and the whole round trip in the real window: Ctrl+L, a title typed,
a goal picked and edited, Save level, the menu's "Your levels" lists it, it opens, and it is won.
"""

from __future__ import annotations

import numpy as np
import pygame
import pygame_gui
import pytest
from app_util import app_factory, click, ev, key, motion, send, type_text
from gl_util import gl_session_fixture  # noqa: F401

from sandbox.io.scene_format import SceneData, TrainingSettings, ViewSettings
from sandbox.levels import LevelSession, load_level
from sandbox.levels.writer import (
    GOAL_PICKS,
    LevelChoices,
    check_level_text,
    choices_problem,
    level_text,
    new_level_path,
)
from sandbox.nn import MLP
from sandbox.scenes.level import LevelScene
from sandbox.scenes.menu import MenuScene


def scene(task="classification", n=40, dataset="circle") -> SceneData:
    rng = np.random.default_rng(1)
    X = rng.uniform(-5, 5, (n, 2))
    y = (X[:, 0] > 0).astype(np.int64) if task == "classification" else X[:, 0] * 0.5
    net = MLP([2, 5, 3, 2 if task == "classification" else 1], seed=4)
    return SceneData(
        X=X, labels=y, test=np.zeros(n, bool), task=task, weights=net.weights(),
        training=TrainingSettings(learning_rate=0.02, seed=7, test_fraction=0.25),
        view=ViewSettings(views=("field", "regions")),
        extra={"sandbox": {"dataset": dataset, "points": 150, "noise": 0.1, "data_seed": 3}},
    )  # fmt: skip


@pytest.mark.parametrize("task", ["classification", "regression"])
def test_the_level_text_loads_back_as_the_same_points_network_and_weights(task, tmp_path):
    sc = scene(task)
    goal = "train_accuracy >= 0.9" if task == "classification" else "train_loss <= 0.1"
    choices = LevelChoices(title="Mine", goal_check=goal, goal_text="Do it.", keep_weights=True)
    path = tmp_path / "mine.toml"
    path.write_text(level_text(sc, choices, (-5, 5, -4, 4)), encoding="utf-8")
    level = load_level(path)
    assert level.title == "Mine" and level.bounds == (-5, 5, -4, 4)
    np.testing.assert_allclose(level.data.points, sc.X, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(level.data.labels, sc.labels, rtol=1e-5, atol=1e-5)
    assert level.data.test_fraction == 0.25
    assert level.network.hidden == (5, 3) and level.network.seed == 7
    for (W, b), (W2, b2) in zip(sc.weights, level.network.layers, strict=True):
        np.testing.assert_array_equal(W, W2)  # written exactly: the level starts as it was
        np.testing.assert_array_equal(b, b2)
    assert {v.value for v in level.views} == {"field", "regions"}
    shown = {c.value for c, st in level.controls.items() if st.value == "shown"}
    assert shown == {"play", "step", "reset", "learning_rate", "neurons", "add_layer",
                     "remove_layer", "views", "zoom"}  # fmt: skip
    if task == "regression":  # (circle is a classification data set: the loader says so)
        return
    level = load_level_text(tmp_path, level_text(sc, LevelChoices(controls="training only")))
    states = {c.value: st.value for c, st in level.controls.items()}
    assert states["neurons"] == "locked" and states["play"] == "shown"
    assert states["paint"] == "hidden"
    policy = {"play": "shown", "neurons": "locked", "paint": "hidden"}
    text = level_text(sc, LevelChoices(controls="as in this level"), policy=policy)
    states = {c.value: st.value for c, st in load_level_text(tmp_path, text).controls.items()}
    assert (states["play"], states["neurons"], states["step"]) == ("shown", "locked", "hidden")
    # the data set instead of the points: its name, count, noise and seed
    level = load_level_text(tmp_path, level_text(sc, LevelChoices(points="the data set")))
    d = level.data
    assert (d.source, d.dataset, d.count, d.seed) == ("generator", "circle", 150, 3)


def load_level_text(tmp_path, text: str):
    path = tmp_path / "again.toml"
    path.write_text(text, encoding="utf-8")
    return load_level(path)


def test_every_picked_goal_is_goal_language_and_bad_picks_get_the_loaders_message(tmp_path):
    sc = scene()
    for pick in GOAL_PICKS:
        text = level_text(sc, LevelChoices(goal_check=pick.check, goal_text=pick.text))
        assert check_level_text(text) is None, pick.name
    bad = level_text(sc, LevelChoices(goal_check="train_acuracy >= 0.9"))
    assert "goals[0].check: unknown name 'train_acuracy'" in check_level_text(bad, "x/a.toml")
    assert "title" in choices_problem(sc, LevelChoices(title="  "))
    assert "no data set" in choices_problem(scene(dataset=""), LevelChoices(points="the data set"))
    (tmp_path / "my-level.toml").write_text("", encoding="utf-8")
    assert new_level_path(tmp_path, "My level!").name == "my-level-2.toml"


@pytest.fixture
def start_app(gl_session, tmp_path, monkeypatch):
    make, close = app_factory({"size": (1024, 700)}, tmp_path, monkeypatch,
                              files_dir=tmp_path / "files", data_dir=tmp_path / "data")  # fmt: skip
    yield make, tmp_path / "files" / "Level files"
    errors = close()
    assert not errors, f"OpenGL errors: {errors}"


def press(app, element, frames: int = 2) -> None:
    send(app, motion(element.rect.center), frames=1)
    send(app, click(element.rect.center), frames=frames)


def test_save_as_level_round_trip_in_the_window(start_app):
    make, folder = start_app
    app = make(dataset="circle", points=120, hidden=[8])
    send(app, key(pygame.K_l, mod=pygame.KMOD_CTRL), frames=2)
    writer = app.scene.level_writer
    card = writer.card
    assert card is not None and card.window.alive()
    # the title, typed over the one it proposes
    press(app, card.title, 1)
    send(app, key(pygame.K_a, mod=pygame.KMOD_CTRL) + type_text("Circle for 5b"), frames=2)
    assert writer.choices.title == "Circle for 5b"
    # a goal from the picker, as pygame-gui reports the pick
    dropdown = next(d for d, act in card._select.items() if act("x").field == "goal")  # noqa: SLF001
    pick = ev(pygame_gui.UI_DROP_DOWN_MENU_CHANGED, ui_element=dropdown, text="Few neurons",
              selected_option_id="Few neurons", ui_object_id="")  # fmt: skip
    send(app, [pick], frames=2)
    assert card.check.get_text() == "train_accuracy >= 0.95 and neurons <= 4"
    # a typo in the check: the loader's own message, and nothing is written
    press(app, card.check, 1)
    send(app, key(pygame.K_a, mod=pygame.KMOD_CTRL) + type_text("train_acuracy >= 0.9"), 2)
    assert "unknown name 'train_acuracy'" in card.status.html_text
    press(app, card.buttons["save"], 2)
    assert not folder.exists() or not list(folder.glob("*.toml"))
    assert "Not saved" in app.state.toast.text
    press(app, card.check, 1)
    send(app, key(pygame.K_a, mod=pygame.KMOD_CTRL) + type_text("train_accuracy >= 0.9"), 2)
    assert "Ready" in card.status.html_text
    press(app, card.buttons["save"], 2)
    files = list(folder.glob("*.toml"))
    assert [f.name for f in files] == ["circle-for-5b.toml"]
    assert str(files[0]) in app.state.toast.text and writer.card is None
    # the menu lists it at once under Your levels, and it opens
    send(app, key(pygame.K_ESCAPE), frames=3)
    menu = app.scene
    assert isinstance(menu, MenuScene)
    press(app, menu.panels.chapter_buttons["Your levels"], 2)
    press(app, menu.panels.cards["yours:circle-for-5b"], 3)
    assert isinstance(app.scene, LevelScene)
    level = app.scene.level
    assert level.title == "Circle for 5b" and len(level.data.points) == 120
    # and it can be won with the controls it shows
    s = LevelSession(level)
    for _ in range(8):
        s.train(250)
        if s.goal_met():
            break
    assert s.goal_met()
