"""The trial levels played in the running app (offscreen OpenGL) through their own controls, with
real input: predict-then-run (Train refused until the pick, the run's answer in the panel), you
against training (the neuron sliders, "Let training try", both losses side by side), the smallest
network (the - button and the neurons readout) and five seeds (the table, a row shown on the
plane). Training runs at the fastest fixed speed, only as long as each lesson needs.
"""

from __future__ import annotations

import numpy as np
import pygame
import pygame_gui
import pytest
from app_util import click, ev, hover_click, send
from gl_util import gl_session_fixture  # noqa: F401
from level_util import LEVELS, close_story, data_dir_fixture, start_level_fixture  # noqa: F401
from pygame_gui.elements import UIDropDownMenu

from sandbox import actions as A
from sandbox.scenes.level import LevelScene
from sandbox.vocab import SPEEDS

pytestmark = pytest.mark.filterwarnings("error:Label Rect is too small")


def press(app, key: str, frames: int = 2) -> None:
    """Click the level's button named `key` (sandbox.ui.level_panels' `named`)."""
    send(app, hover_click(app.scene.panels.named[key].rect.center), frames=frames)


def train_by_button(app, steps: int) -> None:
    """Press Train, let it run `steps` more steps at the fastest fixed speed, press it again
    (a win pauses it first: the success card comes up)."""
    scene = app.scene
    scene.apply(A.SetSpeed(SPEEDS.index(max(SPEEDS))))
    target = scene.steps + steps
    press(app, "play")
    assert app.state.playing
    for _ in range(400):
        app.run_frames(1, dt=1 / 30)
        if scene.steps >= target or not app.state.playing:  # reached, or won (a card is up)
            break
    if app.state.playing:
        press(app, "play", frames=3)  # the button's event, the pause, the goals measured
    else:
        app.run_frames(2, dt=1 / 30)
    assert not app.state.playing


def texts(app) -> str:
    return " ".join(getattr(e, "html_text", "") for e in app.scene.panels.elements)


def readout(app, i: int) -> str:
    return app.scene.panels._labels[f"readout_{i}"].text  # noqa: SLF001


def slide(app, index: int, value: int) -> None:
    """Move controls slider `index` of the level to step `value`, as pygame-gui reports a drag."""
    widget = app.scene.panels._sliders[index].widget  # noqa: SLF001
    widget.set_current_value(value)
    moved = ev(pygame_gui.UI_HORIZONTAL_SLIDER_MOVED, ui_element=widget, value=value)
    send(app, [moved], frames=2)


def set_neuron(app, a: float, b: float, c: float) -> None:
    """The ONE NEURON sliders a, b (range -3..3) and c (-8..8), 240 steps each."""
    for i, (v, lo, hi) in enumerate(((a, -3, 3), (b, -3, 3), (c, -8, 8))):
        slide(app, i, round((v - lo) / (hi - lo) * 240))


def open_level(app, level_id: str) -> LevelScene:
    app.set_scene(LevelScene(app, app.scene.game, LEVELS[level_id]))
    app.run_frames(2, dt=1 / 30)
    close_story(app)
    return app.scene


def test_predict_first_then_the_run_answers_and_relu_wins(start_level):
    app = start_level("15-predict-no-bends")
    close_story(app)
    scene = app.scene
    st = scene.status
    assert "predict_1" in scene.panels.named and "play" in scene.panels.named
    press(app, "play")  # before the pick: refused, and the player told why
    assert not app.state.playing and scene.steps == 0
    assert "prediction" in app.state.toast.text
    press(app, "predict_1")  # "No: it can only draw one straight border"
    assert st.prediction == 1 and "predict_0" not in scene.panels.named  # a bet stays
    train_by_button(app, 300)
    assert st.revealed and st.goals[0] and not st.won
    assert "(right, your pick)" in texts(app) and "You were right!" in texts(app)
    assert scene.live.accuracy("train") < 0.8  # straight lines only
    # the activation menu, as a player opens it and picks ReLU
    box = next(e for e in scene.panels.elements if isinstance(e, UIDropDownMenu))
    send(app, hover_click(box.rect.center), frames=2)
    items = box.current_state.options_selection_list.item_list
    relu = next(i["button_element"] for i in items if i["text"] == "ReLU")
    send(app, click(relu.rect.center), frames=5)
    assert app.state.settings.activation == "relu"
    train_by_button(app, 500)
    assert st.won and st.stars == 3


def test_you_against_training_and_training_gets_stuck(start_level):
    app = start_level("16-you-against-training")
    close_story(app)
    scene = app.scene
    st = scene.status
    assert readout(app, 1) == "training's loss: -"  # no race yet
    set_neuron(app, 1.0, 0.0, -1.0)  # neuron 1: up to the right of x = 1
    send(app, hover_click(app.button(">").rect.center), frames=2)  # the next neuron
    assert st.neuron == 1
    set_neuron(app, -1.0, 0.0, 1.0)  # neuron 2: up to the left
    assert scene.live.loss("train") < 1e-6 and not st.won  # the valley alone is not the lesson
    press(app, "race")
    assert st.won and st.stars == 3
    race = scene.live.race_loss()
    assert readout(app, 0) == "your loss: 0" and readout(app, 1) == f"training's loss: {race:.3g}"
    np.testing.assert_array_equal(app.state.net.layers[0][0], [[1, 0], [-1, 0]])  # still yours
    # training's try on the plane: its creases to look at, not to change; the goals stay yours
    hand = app.state.net
    press(app, "race_view")
    assert st.showing_race and app.state.net is not hand
    np.testing.assert_array_equal(app.state.net.params, scene.live.race_net.params)
    slide(app, 2, 120)  # a slider: refused while training's try is shown
    np.testing.assert_array_equal(app.state.net.params, scene.live.race_net.params)
    assert "training's try" in app.state.toast.text and readout(app, 0) == "your loss: 0"
    press(app, "race_view")  # "Back to mine"
    assert not st.showing_race and app.state.net is hand and st.stars == 3

    scene = open_level(app, "20-training-gets-stuck")
    st = scene.status
    press(app, "race")
    stuck = scene.live.race_loss()
    assert (
        stuck > 0.5
        and not st.won
        and "Let training try again" in [b.text for b in scene.panels.named.values()]
    )
    send(app, hover_click(app.button(">").rect.center), frames=2)
    set_neuron(app, -1.0, 0.0, -2.0)  # the sleepy neuron, woken by hand
    assert st.won and st.stars == 2


def test_the_smallest_network_counts_its_neurons(start_level):
    app = start_level("17-the-smallest-network")
    close_story(app)
    scene = app.scene
    st = scene.status
    assert readout(app, 0) == "neurons: 10"
    train_by_button(app, 1000)
    assert st.won and st.stars == 1 and st.card == "success"
    send(app, hover_click(scene.panels.card_buttons["keep"].rect.center), frames=2)
    for _ in range(6):  # the - button, six clicks: 10 -> 4 neurons
        press(app, "minus_0")
    assert app.state.settings.hidden == [4] and readout(app, 0) == "neurons: 4"
    train_by_button(app, 1500)
    assert st.stars == 2 and st.best == 2


def test_five_seeds_fill_the_table_and_a_row_goes_on_the_plane(start_level):
    app = start_level("18-five-seeds")
    close_story(app)
    scene = app.scene
    st = scene.status
    press(app, "seeds")  # before the pick: refused
    assert st.seed_rows == () and "prediction" in app.state.toast.text
    press(app, "predict_1")  # "No: some starts end much worse"
    press(app, "seeds", frames=8)  # one run a frame
    assert len(st.seed_rows) == 5 and not st.seeds_running
    accs = [acc for _, _, acc in st.seed_rows]
    assert max(accs) - min(accs) >= 0.05  # the start matters
    assert st.won and st.stars == 2 and st.revealed
    send(app, hover_click(scene.panels.card_buttons["keep"].rect.center), frames=2)
    worst = int(np.argmin(accs))
    press(app, f"seed_{worst}")
    assert st.seed_shown == worst
    assert scene.live.accuracy("train") == pytest.approx(accs[worst])
    # (more neurons and the seeds again, the three-star way, is played headless: the curriculum)

    scene = open_level(app, "19-predict-depth")
    st = scene.status
    before = scene.live.regions()
    press(app, "predict_2")  # "many more"
    press(app, "add_layer")
    train_by_button(app, 300)
    assert st.revealed and st.won and st.stars == 3
    assert scene.live.regions() >= 40 > 22 >= before  # one layer of 6: at most 22
    assert readout(app, 0) == f"regions: {scene.live.regions():.0f}"
    assert isinstance(pygame.display.get_surface(), pygame.Surface)
