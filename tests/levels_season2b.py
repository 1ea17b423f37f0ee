"""Levels 21 to 26 (season two's new content): the stars-over-seeds plans, the headless
reference solutions and the in-window plays, kept here so the shared test files only list them.

`PLANS` join tests/test_levels_stars.py's, `SOLVERS` tests/test_levels_curriculum.py's and
`PLAYS` the window plays of tests/test_level_scene.py (each through the level's own controls).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np
import pygame
from app_util import hover_click, key, motion, send

from sandbox import actions as A
from sandbox import game_actions as G
from sandbox.levels.session import LevelSession
from sandbox.vocab import View


def _train(s: LevelSession, steps: int, every: int = 250) -> Iterator[None]:
    done = 0
    while done < steps:
        s.train(min(every, steps - done))
        done += every
        yield


# ----------------------------------------------------------------------------- stars over seeds
def plan_21(s: LevelSession, seed: int) -> Iterator[None]:
    yield from _train(s, 1500)
    s.answer_quiz(s.level.quiz.answer)
    yield


def plan_22(s: LevelSession, seed: int) -> Iterator[None]:
    yield from _train(s, 2000, 500)
    s.answer_quiz(s.level.quiz.answer)
    yield
    s.set_hidden([32])  # the story: four times as many neurons
    yield from _train(s, 4000, 500)


def plan_23(s: LevelSession, seed: int) -> Iterator[None]:
    s.set_neuron(0, 1.0, 0.0, 0.0)  # the hint: b zero, a one; one ReLU crease is not enough
    yield
    s.set_activation("hardtanh")
    yield
    s.set_neuron(0, 1.0, 0.0, -2.0)  # c slides both creases until B sits between them
    yield


def plan_24(s: LevelSession, seed: int) -> Iterator[None]:
    s.read_at(-3.0, -3.0)  # a first look, bottom left: nothing on, x weight 0
    yield
    s.read_at(2.0, 4.5)  # the hint: up and to the right, where the creases are behind you
    yield
    s.walk(1, 0)  # the right arrow
    yield
    layer, index = s.reading.flipped[0]
    s.light_neuron(layer, index)  # a click on the crease just crossed
    yield


def plan_25(s: LevelSession, seed: int) -> Iterator[None]:
    yield from _train(s, 1000, 500)
    s.set_laplace(True)
    prior = s.optimize_prior()
    yield
    while not s.goal_met() and prior > 0.003:  # the slider, left a little at a time
        prior *= 0.85
        s.set_prior_precision(prior)
        yield


def plan_26(s: LevelSession, seed: int) -> Iterator[None]:
    yield from _train(s, 500)
    s.answer_quiz(s.level.quiz.answer)
    yield
    s.set_hidden([8, 8])  # Add layer
    yield
    yield from _train(s, 1000, 500)


PLANS: dict[str, Callable[[LevelSession, int], Iterator[None]]] = {
    "21-bad-labels": plan_21,
    "22-sharp-edges": plan_22,
    "23-two-creases-per-neuron": plan_23,
    "24-read-a-region": plan_24,
    "25-sure-near-unsure-far": plan_25,
    "26-where-the-regions-live": plan_26,
}


# ----------------------------------------------------------------------------- reference solutions
def solve_21(s: LevelSession) -> int:
    corner = s.markers["corner"]
    X, y = s.points.X, s.points.y
    box = s.level.data.flip_box
    inside = (X[:, 0] >= box[0]) & (X[:, 0] <= box[1]) & (X[:, 1] >= box[2]) & (X[:, 1] <= box[3])
    assert inside.sum() >= 8 and np.all(y[inside] == 0)  # the corner of cloud 1, taught as 0
    s.train(100)
    assert not s.goal_met()
    s.train(1400)
    # the network repeats the mistake, and is sure of it
    out = s.net.forward(np.array([corner]))
    assert int(np.argmax(out)) == 0 and s.confidence("corner", "map") > 0.99
    assert not s.answer_quiz(1)  # "it found out": no, nobody told it
    assert s.answer_quiz(s.level.quiz.answer)
    return 1


def solve_21_three_stars(s: LevelSession) -> int:
    s.train(1500)
    s.answer_quiz(s.level.quiz.answer)
    return 3


def _edge_share(s: LevelSession) -> float:
    """The share of the squared error on the picture's edge pixels, over their share of pixels."""
    X, y = s.points.X, s.points.y
    side = int(round(np.sqrt(len(X))))
    order = np.lexsort((X[:, 0], -X[:, 1]))  # rows from the top, left to right
    err = ((s.net.forward(X)[:, 0] - y) ** 2)[order].reshape(side, side)
    img = y[order].reshape(side, side) > 0.5
    edge = np.zeros_like(img)
    edge[:, 1:] |= img[:, 1:] != img[:, :-1]
    edge[:, :-1] |= img[:, 1:] != img[:, :-1]
    edge[1:, :] |= img[1:, :] != img[:-1, :]
    edge[:-1, :] |= img[1:, :] != img[:-1, :]
    return float(err[edge].sum() / err.sum() / edge.mean())


def solve_22(s: LevelSession) -> int:
    s.train(2000)
    assert _edge_share(s) > 2.0  # the edge pixels carry far more than their share of the error
    before = s.loss("train")
    s.set_hidden([32])
    s.train(3000)
    # four times the neurons: the error goes down, but not four times, and stays on the edges
    assert before / 4 < s.loss("train") < before and _edge_share(s) > 2.0
    assert not s.answer_quiz(0)
    assert s.answer_quiz(s.level.quiz.answer)
    return 1


def solve_23(s: LevelSession) -> int:
    # one ReLU crease: never between A and B and between B and C at once
    for a, b, c in ((1.0, 0.0, 0.0), (1.0, 0.0, -2.0), (1.0, 0.3, -4.0), (-1.0, 0.0, 3.0)):
        s.set_neuron(0, a, b, c)
        assert not s.goal_met() and s.regions() <= 2
    s.set_activation("hardtanh")
    s.set_neuron(0, -0.5, 0.0, 1.0)  # two creases, but the ramp runs from C down to A
    assert s.regions() == 3 and s.goal_met()
    return 1


def solve_23_three_stars(s: LevelSession) -> int:
    s.set_activation("hardtanh")
    s.set_neuron(0, 1.0, 0.0, -2.0)
    assert [s.height(m) for m in "abc"] == [-1.0, 0.0, 1.0]
    return 3


def solve_24(s: LevelSession) -> int:
    assert s.regions() == 11 and s.most_x_weight() == 2.0
    seen = []
    for x, y in ((-3, -3), (1, 0), (-3, 2), (4.5, 2), (2, 4.5)):  # reading region after region
        s.read_at(x, y)
        seen.append(s.x_weight())
        assert s.goal_status()[1:] == [False, False]
    assert seen == [0.0, 1.0, 0.5, 1.5, 2.0] and s.goal_status()[0]
    assert s.walk(0, -1)  # down: across neuron 2's crease (x + 0.5 y = 2), which turns off
    assert s.reading.flipped == ((1, 1),) and s.flipped_neuron() == 2 and s.x_weight() == 1.5
    assert not s.goal_met()  # reading and walking is not naming
    s.light_neuron(1, 0)  # the wrong crease
    assert not s.goal_met()
    s.light_neuron(1, 1)
    assert s.readouts() == ["x weight here: 1.5"]
    return 2  # five regions read, and the one walked to


def solve_24_three_stars(s: LevelSession) -> int:
    s.read_at(2.0, 4.5)
    s.walk(1, 0)
    s.light_neuron(*s.reading.flipped[0])
    return 3


FAR = ("far_1", "far_2", "far_3", "far_4")


def solve_25(s: LevelSession) -> int:
    s.train(1000)
    # the plain network: sure about everything, right near the dots and sure far away
    assert s.accuracy("test") >= 0.9 and min(s.confidence(m, "map") for m in FAR) > 0.99
    s.set_laplace(True)
    prior = s.optimize_prior()
    assert max(s.confidence(m, "laplace") for m in FAR) >= 0.8 and not s.goal_met()
    near = s.confidence("near_a", "laplace")
    while not s.goal_met():
        prior *= 0.85
        s.set_prior_precision(prior)
        assert prior > 0.003
    # humble far away, and the near stars paid a little for it
    assert s.confidence("near_a", "laplace") < near and s.accuracy("test") >= 0.9
    return s.stars()


def solve_26(s: LevelSession) -> int:
    s.train(500)
    assert s.regions_near() > 5 * s.regions_far()
    assert s.regions_near() + s.regions_far() == s.regions()
    assert s.answer_quiz(s.level.quiz.answer)
    return 2


def solve_26_three_stars(s: LevelSession) -> int:
    s.train(500)
    s.answer_quiz(s.level.quiz.answer)
    s.set_hidden([8, 8])
    s.train(500)
    return 3


SOLVERS: dict[str, list[Callable[[LevelSession], int]]] = {
    "21-bad-labels": [solve_21, solve_21_three_stars],
    "22-sharp-edges": [solve_22],
    "23-two-creases-per-neuron": [solve_23, solve_23_three_stars],
    "24-read-a-region": [solve_24, solve_24_three_stars],
    "25-sure-near-unsure-far": [solve_25],
    "26-where-the-regions-live": [solve_26, solve_26_three_stars],
}


# ----------------------------------------------------------------------------- in the window
def click_named(app, name: str, frames: int = 2) -> None:
    """A real click on the level panel's button `name` (e.g. "play", "quiz_0", "plus_0")."""
    window = pygame.Rect((0, 0), app.state.layout.window)
    assert window.contains(app.scene.panels.named[name].rect), f"{name} is out of sight"
    send(app, hover_click(app.scene.panels.named[name].rect.center), frames=frames)


def press_train(app, steps: int) -> None:
    """Click Train, let it run until `steps` more steps were taken, click it again to pause."""
    scene = app.scene
    target = scene.steps + steps
    click_named(app, "play", frames=1)
    for _ in range(400):
        app.run_frames(1, dt=1 / 30)
        if scene.steps >= target:
            break
    click_named(app, "play", frames=3)
    assert not app.state.playing and scene.steps >= target


def answer(app) -> None:
    click_named(app, f"quiz_{app.scene.level.quiz.answer}", frames=3)


def play_21(app) -> None:
    press_train(app, 1000)
    answer(app)


def play_22(app) -> None:
    press_train(app, 1500)
    send(app, key(pygame.K_e), frames=2)  # the error view: bright on the edges
    assert View.ERROR in app.state.views
    answer(app)


def play_23(app) -> None:
    sc = app.scene
    sc.apply(G.SetNeuronParam(0, "a", 1.0))  # the sliders' own action
    sc.apply(G.SetNeuronParam(0, "b", 0.0))
    app.run_frames(2, dt=1 / 30)
    assert not sc.status.won  # one ReLU crease
    sc.apply(A.SetActivation("hardtanh"))  # the activation menu's action
    sc.apply(G.SetNeuronParam(0, "c", -2.0))


def screen_of(app, world) -> tuple[int, int]:
    """The window pixel of plane point `world`."""
    x, y, _, _ = app.state.layout.plane
    p = app.state.camera.world_to_screen(np.asarray(world, dtype=float))
    return (round(p[0] + x), round(p[1] + y))


def play_24(app) -> None:
    sc = app.scene
    send(app, motion(screen_of(app, (2.0, 4.5))) + key(pygame.K_RETURN), frames=3)
    assert app.state.reading.active and sc.live.x_weight() == 2.0
    send(app, key(pygame.K_RIGHT), frames=3)  # across the crease y = x + 1: neuron 4 turns off
    assert app.state.reading.flipped == ((1, 3),) and not sc.status.won
    send(app, hover_click(screen_of(app, (3.0, 4.0))), frames=3)  # a click on that crease
    assert app.state.reading.neuron == (1, 3)


def play_25(app) -> None:
    sc = app.scene
    press_train(app, 1000)
    send(app, key(pygame.K_l), frames=3)  # Laplace on
    assert sc.status.laplace_on and not sc.status.won
    prior = app.state.prior_precision
    while not sc.status.won and prior > 0.003:
        prior *= 0.7
        sc.apply(A.SetPriorPrecision(prior))  # the slider's own action, a little at a time
        app.run_frames(2, dt=1 / 30)


def play_26(app) -> None:
    press_train(app, 500)
    answer(app)


PLAYS: dict[str, Callable] = {
    "21-bad-labels": play_21,
    "22-sharp-edges": play_22,
    "23-two-creases-per-neuron": play_23,
    "24-read-a-region": play_24,
    "25-sure-near-unsure-far": play_25,
    "26-where-the-regions-live": play_26,
}
