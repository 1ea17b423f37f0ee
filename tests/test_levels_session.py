"""LevelSession: building a level's state, control checks, and every metric against independent
computations (no training here; the curriculum tests train)."""

from __future__ import annotations

import copy
import math

import numpy as np
import pytest

from sandbox.bayes import LastLayerLaplace
from sandbox.data import make_dataset
from sandbox.geometry import linear_regions, serra_bound
from sandbox.levels import LevelSession, level_from_dict
from sandbox.levels.goals import METRICS
from sandbox.nn import MLP, softmax

BASE = {
    "title": "Session test",
    "story": ["Hi."],
    "success": "Yes.",
    "data": {"dataset": "gauss", "count": 60, "seed": 3, "test_fraction": 0.25},
    "network": {"hidden": [5, 4], "seed": 2},
    "view": {"bounds": [-6.0, 6.0, -5.0, 5.0]},
    "controls": {"default": "hidden", "paint": "shown", "neuron_sliders": "shown"},
    "markers": {
        "near": {"kind": "point", "at": [2.0, 2.0]},
        "far": {"kind": "star", "at": [40.0, -30.0], "movable": True},
    },
    "goals": [{"text": "x", "check": "train_accuracy > 2"}],
    "hints": [
        {"text": "time", "after_seconds": 10},
        {"text": "tries", "after_failures": 2},
        {"text": "either", "after_seconds": 100, "after_failures": 1},
    ],
    "quiz": {"question": "Q?", "choices": ["a", "b", "c"], "answer": 3},
}


def make(**changes) -> LevelSession:
    doc = copy.deepcopy(BASE)
    for key, value in changes.items():
        doc[key] = value
    return LevelSession(level_from_dict(doc, "test"))


def test_generated_data_and_split():
    s = make()
    X, y = make_dataset("gauss", 60, 0.0, 3)
    np.testing.assert_array_equal(s.points.X, X)
    np.testing.assert_array_equal(s.points.y, y)
    n_test = len(s.points.X_test)
    assert 0 < n_test < 60 and n_test + len(s.X_train) == 60
    assert not s.points.can_undo  # the level's own points are not an undo step
    assert s.net.sizes == [2, 5, 4, 2]
    np.testing.assert_array_equal(s.net.params, MLP([2, 5, 4, 2], seed=2).params)


def test_explicit_points_and_weights():
    s = make(
        data={"points": [[0, 0], [1, 2], [3, -1]], "labels": [1, 0, 1]},
        network={
            "hidden": [1],
            "layers": [{"W": [[1.0, -1.0]], "b": [0.5]}, {"W": [[1.0], [-1.0]], "b": [0, 0]}],
        },
    )
    np.testing.assert_array_equal(s.points.X, [[0, 0], [1, 2], [3, -1]])
    assert s.points.y.tolist() == [1, 0, 1]
    W, b = s.net.layers[0]
    assert W.tolist() == [[1.0, -1.0]] and b.tolist() == [0.5]


def test_empty_data_metrics_are_nan_or_zero():
    s = make(data={})
    assert s.point_count() == 0 and s.classes() == 0
    for name in ("train_accuracy", "train_loss", "test_accuracy"):
        assert math.isnan(METRICS[name].call(s))
    assert math.isnan(s.distance("far"))
    assert math.isnan(s.confidence("far", "laplace"))
    assert not s.goal_met()


def test_accuracy_and_loss_match_a_direct_computation():
    s = make()
    for split, (X, y) in {
        "train": (s.points.X_train, s.points.y_train),
        "test": (s.points.X_test, s.points.y_test),
    }.items():
        p = softmax(s.net.forward(X))
        assert s.accuracy(split) == pytest.approx(np.mean(p.argmax(1) == y))
        assert s.loss(split) == pytest.approx(-np.mean(np.log(p[np.arange(len(y)), y])))


def test_regression_loss_is_mean_squared_error():
    s = make(
        data={"dataset": "disk", "count": 50, "seed": 1},
        network={"hidden": [3], "task": "regression"},
        goals=[{"text": "x", "check": "train_loss < 0"}],
    )
    out = s.net.forward(s.points.X_train)[:, 0]
    assert s.loss("train") == pytest.approx(np.mean((out - s.points.y_train) ** 2))
    assert math.isnan(s.accuracy("train"))
    assert s.classes() == 0


def test_geometry_metrics():
    s = make()
    P = linear_regions(s.net, (-6.0, 6.0, -5.0, 5.0))
    assert s.regions() == len(P)
    assert s.region_bound() == serra_bound([5, 4])
    assert s.neurons() == 9 and s.layers() == 2
    # Every first-layer neuron is straight; the count only looks at layer 2.
    assert 0 <= s.bent_creases() <= 4


def test_confidence_map_and_laplace():
    s = make()
    at = np.array([[40.0, -30.0]])
    assert s.confidence("far", "map") == pytest.approx(softmax(s.net.forward(at)).max())
    la = LastLayerLaplace(s.net, 1.0).fit(s.points.X_train, s.points.y_train)
    expected = la.predict_proba(at, link="probit").max()
    assert s.confidence("far", "laplace") == pytest.approx(expected)


def test_prior_precision_and_its_optimum():
    s = make(controls={"default": "shown"})
    assert s.prior_precision() == 1.0
    c1 = s.confidence("far", "laplace")
    s.set_prior_precision(0.01)
    assert s.prior_precision() == 0.01
    assert s.confidence("far", "laplace") < c1  # a vaguer prior is less sure far away
    lam = s.optimize_prior()
    assert s.prior_precision() == lam
    la = s.laplace()
    assert abs(la.log_marginal_likelihood_grad(lam)) * lam < 1e-6
    with pytest.raises(ValueError, match="above 0"):
        s.set_prior_precision(0.0)


def test_distance_and_markers():
    s = make()
    X = s.points.X
    expected = np.min(np.hypot(X[:, 0] - 40.0, X[:, 1] + 30.0))
    assert s.distance("far") == pytest.approx(expected)
    s.move_marker("far", 2.0, 2.0)
    assert s.distance("far") == pytest.approx(np.min(np.hypot(X[:, 0] - 2, X[:, 1] - 2)))
    with pytest.raises(ValueError, match="cannot be moved"):
        s.move_marker("near", 0.0, 0.0)
    with pytest.raises(ValueError, match="unknown marker"):
        s.move_marker("nowhere", 0.0, 0.0)
    with pytest.raises(ValueError, match="finite"):
        s.move_marker("far", math.nan, 0.0)


def test_neuron_sliders_move_the_crease_and_refresh_cached_metrics():
    s = make(network={"hidden": [1], "task": "regression"}, data={},
             goals=[{"text": "x", "check": "crease_between(near, far)"}])  # fmt: skip
    s.set_neuron(0, 0.0, 1.0, -10.0)  # y = 10: near (y 2) and far (y -30) on one side
    assert not s.crease_between("near", "far") and s.regions() == 1
    s.set_neuron(0, 0.0, 1.0, 0.0)  # y = 0 separates them
    assert s.crease_between("near", "far") and s.regions() == 2
    assert s.goal_met() and s.stars() == 1


def test_controls_are_enforced():
    s = make()
    with pytest.raises(ValueError, match="'play' or 'step' is hidden"):
        s.train(5)
    with pytest.raises(ValueError, match="'add_layer' is hidden"):
        s.set_hidden([5, 4, 3])
    with pytest.raises(ValueError, match="'neurons' is hidden"):
        s.set_hidden([6, 4])
    with pytest.raises(ValueError, match="'laplace' is hidden"):
        s.set_laplace(True)
    with pytest.raises(ValueError, match="'inspector' is hidden"):
        s.prune(1, 0)
    with pytest.raises(ValueError, match="'erase' is hidden"):
        s.erase((0.0, 0.0), 1.0)
    locked = make(controls={"default": "hidden", "reset": "locked"})
    with pytest.raises(ValueError, match="'reset' is locked"):
        locked.reset()
    free = LevelSession(s.level, enforce_controls=False)
    free.set_hidden([5, 4, 3])
    assert free.layers() == 3


def test_painting_changes_points_and_classes():
    s = make(data={})
    assert s.add_points(np.array([[0.0, 0.0], [1.0, 1.0]]), 0) == 2
    assert s.point_count() == 2 and s.classes() == 1
    s.add_points(np.array([[3.0, 3.0]]), 1)
    assert s.classes() == 2
    assert s.distance("near") == pytest.approx(math.hypot(1.0, 1.0))


def test_pruning_through_the_session():
    s = make(controls={"default": "hidden", "inspector": "shown"})
    before = s.net.forward(s.points.X)
    W1, b1 = s.net.layers[0]
    W1[4], b1[4] = 3.0 * W1[1], 3.0 * b1[1]  # make neuron 4 a copycat of neuron 1
    s._changed()
    assert s.copycat_neurons() >= 1
    ref = s.net.forward(s.points.X)
    s.prune(1, 4)
    assert s.neurons() == 8
    np.testing.assert_allclose(s.net.forward(s.points.X), ref, rtol=1e-12, atol=1e-12)
    assert before.shape == ref.shape


def test_quiz_and_failed_checks():
    s = make()
    assert not s.quiz_solved()
    assert not s.answer_quiz(0)
    assert s.failed_checks() == 1
    assert s.answer_quiz(2) and s.quiz_solved()
    assert s.failed_checks() == 1
    with pytest.raises(ValueError, match="allowed: 0 to 2"):
        s.answer_quiz(3)
    assert not s.check()
    assert s.failed_checks() == 2


def test_hints_by_time_and_failures():
    s = make()
    assert [h.text for h in s.due_hints(0)] == []
    assert [h.text for h in s.due_hints(10)] == ["time"]
    s.check()
    assert [h.text for h in s.due_hints(0)] == ["either"]
    s.check()
    assert [h.text for h in s.due_hints(200)] == ["time", "tries", "either"]


def test_session_satisfies_the_provider_for_every_metric():
    s = make()
    for metric in METRICS.values():
        args = [{"marker": "near", "split": "train", "mode": "map"}[p.value] for p in metric.params]
        value = metric.call(s, *args)
        assert isinstance(value, bool | int | float | np.floating), metric.name


def test_hints_wait_for_their_condition_and_stop_once_the_goal_is_met():
    hints = [
        {"text": "paint", "after_seconds": 5, "when": "points < 70"},
        {"text": "now", "when": "points >= 70"},  # no time: as soon as it holds
        {"text": "tries", "after_failures": 1, "when": "not (points >= 70)"},
    ]
    goals = [{"text": "x", "check": "points >= 80"}]
    s = make(hints=hints, goals=goals)
    assert [h.text for h in s.due_hints(0)] == []
    assert [h.text for h in s.due_hints(6)] == ["paint"]
    s.check()
    assert [h.text for h in s.due_hints(6)] == ["paint", "tries"]

    def paint_until(n: int) -> None:
        while s.point_count() < n:
            s.add_points(np.zeros((1, 2)), 1)

    paint_until(70)
    assert [h.text for h in s.due_hints(6)] == ["now"]
    paint_until(80)
    assert s.goal_met()
    assert s.due_hints(1000) == []  # never a hint once the goal is met


def test_readouts_render_live_numbers():
    s = make(readouts=["regions: {regions} (most possible: {region_bound})",
                       "near: {confidence(near, map):%} sure, {distance(near)} away"])  # fmt: skip
    regions, near = s.readouts()
    assert regions == f"regions: {int(s.regions())} (most possible: {s.region_bound()})"
    conf = s.confidence("near", "map")
    assert near.startswith("near: ") and "% sure, " in near
    shown = float(near.split(": ")[1].split("%")[0])
    assert abs(shown - 100 * conf) <= 0.5 or (99 < 100 * conf < 100 and shown == 99.9)
    assert near.endswith(" away")


def test_format_value_is_plain():
    from sandbox.levels.readouts import format_value

    assert format_value(37.0) == "37"
    assert format_value(0.001) == "0.001"
    assert format_value(0.04567) == "0.0457"
    assert format_value(1234.56) == "1235"
    assert format_value(0.87, "%") == "87%"
    assert format_value(0.99996, "%") == "99.9%"  # not "100%": the lesson is in the last tenths
    assert format_value(1.0, "%") == "100%"
    assert format_value(math.nan) == "-"
    assert format_value(math.inf) == "very many"


def test_a_level_can_start_trained_and_the_step_count_starts_at_zero():
    untrained = make(network={"hidden": [8], "seed": 1})
    trained = make(network={"hidden": [8], "seed": 1, "trained_steps": 400})
    assert trained.steps() == 0
    assert trained.loss("train") < 0.5 * untrained.loss("train")
    assert trained.accuracy("train") >= 0.95


def test_reshaping_keeps_the_shared_weights_as_the_app_does():
    s = make(controls={"default": "shown"})
    s.train(50)
    W0, b0 = (a.copy() for a in s.net.layers[0])
    s.set_hidden([7, 4])  # the + button on layer 1, twice
    W1, b1 = s.net.layers[0]
    np.testing.assert_array_equal(W1[:5], W0)
    np.testing.assert_array_equal(b1[:5], b0)
    assert s.net.sizes == [2, 7, 4, 2]


def test_height_is_the_regression_output_at_a_marker():
    doc = {"data": {"dataset": "disk", "count": 40, "seed": 1, "test_fraction": 0.25},
           "network": {"hidden": [3], "task": "regression", "seed": 1}}  # fmt: skip
    s = make(**doc)
    expected = s.net.forward(np.array([[2.0, 2.0]]))[0, 0]
    assert s.height("near") == pytest.approx(expected)
    assert math.isnan(make().height("near"))  # a classifier has no height
