"""The Session without a display: versions bumped by its setters, the memo of derived values,
training with the timeline hook, scrubbing and branching, pushing points to the trainer."""

from __future__ import annotations

import numpy as np
import pytest

from sandbox.memo import Memo, same_key
from sandbox.nn import MLP
from sandbox.session import DENSE_STEPS, Session
from sandbox.training_setup import TrainingSetup, new_points
from sandbox.view_jobs import surface_job
from sandbox.vocab import Task

BOUNDS = (-3.0, 3.0, -3.0, 3.0)


def make_session(n: int = 60, classes: int = 2, seed: int = 0) -> Session:
    rng = np.random.default_rng(seed)
    s = Session()
    pts = new_points(Task.CLASSIFICATION, 0.0, seed)
    X = rng.normal(size=(n, 2))
    pts.add(X, (X[:, 0] > 0).astype(int) % classes)
    s.set_points(pts)
    s.new_network([2, 6, 6, 2], TrainingSetup(batch_size=16, seed=seed))
    return s


def test_keys_compare_numbers_by_value_and_objects_by_identity():
    a = np.zeros(3)
    assert same_key(
        (1, 2.5, "x", None, (np.int64(3), 4.0), a), (1, 2.5, "x", None, (np.int64(3), 4.0), a)
    )
    assert not same_key((a,), (a.copy(),))  # never compared element by element
    assert not same_key((1,), (1.0,)) and not same_key((1,), None) and not same_key((1,), (1, 2))


def test_memo_recomputes_only_when_the_key_changes_and_holds_while_asked():
    calls = []
    memo = Memo()

    def compute():
        calls.append(1)
        return len(calls)

    assert memo.get("x", (1,), compute) == 1
    assert memo.get("x", (1,), compute) == 1 and len(calls) == 1
    assert memo.get("x", (2,), compute) == 2
    # held: a changed key within the hold time returns the old value
    assert memo.get("x", (3,), compute, hold=60.0) == 2 and len(calls) == 2
    assert memo.current("x", (3,)) is None and memo.current("x", (2,)) == 2
    memo.forget("x")
    assert memo.get("x", (3,), compute, hold=60.0) == 3


def test_setters_bump_versions_and_derived_values_follow():
    s = make_session()
    part = s.partition(BOUNDS)
    assert s.partition(BOUNDS) is part, "same weights and window: the same partition"
    w, d = s.weights_version, s.data_version
    s.train(3)
    assert s.weights_version > w and s.data_version == d
    moved = s.partition(BOUNDS)
    assert moved is not part
    s.points.add([[0.5, 0.5]], 1)
    assert s.data_version != d
    assert s.partition(BOUNDS) is moved, "the partition reads the weights only"
    layer1 = s.partition(BOUNDS, upto_layer=1)
    assert layer1 is not moved and layer1.upto_layer == 1


def test_training_records_the_timeline_through_one_hook():
    s = make_session()
    s.train(5)
    tl = s.timeline
    assert tl is not None and list(tl.steps) == [0, 1, 2, 3, 4, 5]
    s.train(DENSE_STEPS + 20)  # dense up to DENSE_STEPS, then one snapshot per call
    assert tl.last_step == s.trainer.steps == DENSE_STEPS + 25
    assert DENSE_STEPS in list(tl.steps) and len(tl) == DENSE_STEPS + 2


def test_scrub_back_to_now_and_resume_from_a_snapshot():
    s = make_session()
    s.train(20)
    live = s.net.params.copy()
    w = s.weights_version
    step = s.show_snapshot(5)
    assert step == 5 and s.scrub == 5 and s.weights_version > w
    assert not np.array_equal(s.net.params, live)
    s.train(0)  # nothing is recorded while the past is shown
    assert s.timeline.last_step == 20
    assert s.back_to_now() and s.scrub is None
    assert np.array_equal(s.net.params, live)
    assert not s.back_to_now()
    s.show_snapshot(8)
    assert s.resume_from_snapshot() == 8
    assert s.trainer.steps == 8 and s.timeline.last_step == 8 and s.scrub is None
    s.train(2)
    assert s.timeline.last_step == 10


def test_points_pushed_once_and_the_outputs_follow_the_classes():
    s = make_session()
    assert not s.sync_data(0), "the trainer was made on these points"
    s.points.add([[1.0, 1.0], [2.0, 2.0]], 2)  # a third class
    assert s.sync_data(0) and s.net.n_out == 3
    assert not s.sync_data(0)
    s.points.undo()  # the third class is gone: its output goes too
    assert s.sync_data(0) and s.net.n_out == 2 and s.trainer.net is s.net


def test_laplace_fits_once_per_weights_data_and_prior():
    s = make_session()
    s.train(30)
    fit = s.laplace(1.0)
    assert fit.laplace is not None and fit.error == ""
    assert s.laplace(1.0) is fit and s.current_laplace(1.0) is fit.laplace
    assert s.current_laplace(2.0) is None
    s.train(1)
    assert s.current_laplace(1.0) is None, "stale after training"
    empty = Session()
    empty.show_network(MLP([2, 4, 2], seed=0))
    failed = empty.laplace(1.0)
    assert failed.laplace is None and "no training points" in failed.error


@pytest.mark.parametrize("kind", ["output", "probability", "neuron", "halfplane"])
def test_surfaces_of_every_kind(kind):
    s = make_session()
    s.train(10)
    part = s.partition(BOUNDS)
    neuron = (1, 0) if kind in ("neuron", "halfplane") else None
    fs = surface_job(s, kind, BOUNDS, part, neuron=neuron)()
    assert len(fs.surface) > 0
