"""The trials of a level, headless: the [predict], [race] and [seeds] tables (loader messages),
training refused until a prediction is picked, the run revealing the answer, training's race
from the level's own starting weights, and the seeds' table (small runs: a few hundred steps)."""

from __future__ import annotations

import copy
import math

import numpy as np
import pytest

from sandbox.levels import LevelError, LevelSession, level_files, level_from_dict, load_level
from sandbox.nn import MLP

BASE = {
    "title": "Trials test",
    "story": ["Hi."],
    "success": "Yes.",
    "data": {"dataset": "gauss", "count": 40, "seed": 3},
    "network": {"hidden": [3], "seed": 2, "learning_rate": 0.03},
    "controls": {"default": "hidden", "play": "shown", "neuron_sliders": "shown"},
    "goals": [{"text": "x", "check": "revealed and seeds_run >= 3 and race_loss >= 0"}],
    "predict": {
        "question": "Will it learn?",
        "choices": ["Yes", "No"],
        "answer": 1,
        "why": "Two clouds: one crease does it.",
        "reveal": "steps >= 50",
    },
    "race": {"steps": 60},
    "seeds": {"count": 3, "steps": 80},
}


def doc(**changes) -> dict:
    d = copy.deepcopy(BASE)
    for key, value in changes.items():
        if value is None:
            d.pop(key)
        else:
            d[key] = value
    return d


def make(**changes) -> LevelSession:
    return LevelSession(level_from_dict(doc(**changes), "test"), enforce_controls=True)


@pytest.mark.parametrize(
    "changes, key, fragment",
    [
        ({"predict": {**BASE["predict"], "answer": 3}}, "predict.answer", "1 to 2"),
        ({"predict": {**BASE["predict"], "reveal": "revealed"}}, "predict.reveal", "revealed"),
        ({"predict": {**BASE["predict"], "reveal": "stepz > 1"}}, "predict.reveal", "stepz"),
        ({"predict": {**BASE["predict"], "colour": 1}}, "predict.colour", "unknown key"),
        ({"predict": None}, "predict", "needs a [predict] table"),
        ({"race": {"steps": 0}}, "race.steps", "1 to 20000"),
        ({"race": None}, "race", "needs a [race] table"),
        ({"seeds": {"count": 9, "steps": 10}}, "seeds.count", "2 to 8"),
        ({"seeds": {"count": 3}}, "seeds.steps", "missing"),
        ({"seeds": None}, "seeds", "needs a [seeds] table"),
    ],
)
def test_trial_tables_are_checked_with_named_keys(changes, key, fragment):
    with pytest.raises(LevelError) as info:
        level_from_dict(doc(**changes), "test", "levels/test.toml")
    assert info.value.key == key, str(info.value)
    assert fragment in str(info.value)


def test_training_waits_for_the_prediction_and_the_run_reveals_it():
    s = make()
    assert not s.predicted() and not s.revealed()
    with pytest.raises(ValueError, match="prediction"):
        s.train(10)
    with pytest.raises(ValueError, match="prediction"):
        s.run_race()
    assert s.predict(1) is False  # "No": wrong, two clouds are easy
    with pytest.raises(ValueError, match="already picked"):
        s.predict(0)  # a bet stays
    assert s.predicted() and not s.prediction_right()
    s.train(20)
    assert not s.revealed()  # the run has not answered yet
    s.train(40)
    assert s.revealed()
    assert s.accuracy("train") == 1.0  # and the answer (Yes) is what happened


def test_the_race_trains_the_starting_weights_not_the_players():
    s = make(predict=None, goals=[{"text": "x", "check": "race_loss >= 0"}])
    start = s.net.copy()
    s.set_neuron(0, 0.0, 1.0, 0.5)  # the player moves a crease by hand
    hand = s.net.copy()
    assert math.isnan(s.race_loss())
    loss = s.run_race()
    assert s.race_loss() == loss and loss < s.loss("train")  # training got somewhere
    np.testing.assert_array_equal(s.net.params, hand.params)  # the player's net is untouched
    # training's try is the level's start trained 60 steps (the same as a fresh session's)
    other = make(predict=None, goals=[{"text": "x", "check": "race_loss >= 0"}])
    np.testing.assert_array_equal(other.start_net.params, start.params)
    other.run_race()
    np.testing.assert_array_equal(other.race_net.params, s.race_net.params)
    assert s.goal_met()


def test_seeds_run_one_after_another_and_a_run_can_be_shown():
    s = make(predict=None, goals=[{"text": "x", "check": "seeds_run >= 3"}])
    assert s.seeds_run() == 0 and math.isnan(s.worst_seed_accuracy())
    runs = s.run_seeds()
    assert [r.seed for r in runs] == [2, 3, 4] and s.seeds_run() == 3
    accs = [r.accuracy for r in runs]
    assert s.best_seed_accuracy() == max(accs) and s.worst_seed_accuracy() == min(accs)
    # each run is a fresh network of the current shape, seed 2 + k, trained 80 steps
    net = MLP(s.net.sizes, seed=3, **s.net.kind())
    s._make_trainer(net, seed=3).step(80)  # noqa: SLF001
    for (W, b), (W2, b2) in zip(runs[1].weights, net.weights(), strict=True):
        np.testing.assert_array_equal(W, W2)
        np.testing.assert_array_equal(b, b2)
    s.show_seed(2)
    assert s.accuracy("train") == runs[2].accuracy
    assert s.run_seed(0).seed == 2 and s.seeds_run() == 1  # run 0 starts a new table
    assert s.goal_met() is False


def test_trial_levels_hints_follow_the_trial():
    """The shipped trial levels' hints: each says what the trial needs next, and no more."""
    files = {p.stem: p for p in level_files()}
    s = LevelSession(load_level(files["15-predict-no-bends"]))
    assert [h.text[:4] for h in s.due_hints(25.0)] == ["Pick"]
    s.predict(1)
    assert "Train" in s.due_hints(25.0)[0].text
    s.train(300)
    assert "ReLU" in s.due_hints(25.0)[0].text  # the run has answered: now the bends
    s = LevelSession(load_level(files["20-training-gets-stuck"]))
    assert "first" in s.due_hints(25.0)[0].text  # the race before anything
    s.run_race()
    assert "Neuron 2" in s.due_hints(35.0)[0].text
    s.set_neuron(1, -1.0, 0.0, -2.0)
    assert s.goal_met() and s.due_hints(1000.0) == []
