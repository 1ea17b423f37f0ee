"""The training timeline: bounded memory, dense-early thinning, exact restore and branching."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sandbox.nn import MLP
from sandbox.nn.timeline import Timeline


def params_at(step: int, n: int) -> np.ndarray:
    """Distinct, irrational-looking parameters per step, so a mix-up shows."""
    return np.sin(np.arange(n) * 0.37 + step * 1.618) * (1.0 + step)


def test_restore_reproduces_the_stored_weights_bit_for_bit():
    net = MLP([2, 8, 8, 3], seed=3)
    tl = Timeline(net.n_params, capacity=16, dense_steps=4)
    stored = {}
    rng = np.random.default_rng(0)
    for step in range(0, 200, 7):
        net.params[...] = rng.normal(size=net.n_params) * 1e3 + 1e-300
        stored[step] = net.params.copy()
        tl.record(step, net.params, train_loss=step * 0.5, test_loss=step * 0.25)
    assert len(tl) == 16
    probe = MLP([2, 8, 8, 3], seed=99)
    X = rng.normal(size=(50, 2))
    for i in range(len(tl)):
        step = tl.restore(i, probe.params)
        assert np.array_equal(probe.params, stored[step])
        assert probe.params.tobytes() == stored[step].tobytes()
        ref = MLP([2, 8, 8, 3], seed=0)
        ref.params[...] = stored[step]
        assert np.array_equal(probe.forward(X), ref.forward(X))
        snap = tl.snapshot(i)
        assert snap.step == step and snap.train_loss == step * 0.5 and snap.test_loss == step * 0.25
        assert np.array_equal(tl.scrub(i), stored[step])
        with pytest.raises(ValueError):
            snap.params[0] = 1.0  # read-only


def test_recorded_copies_do_not_alias_the_live_params():
    net = MLP([2, 4, 2], seed=0)
    tl = Timeline(net.n_params)
    before = net.params.copy()
    tl.record(0, net.params)
    net.params += 1.0
    assert np.array_equal(tl.scrub(0), before)
    out = tl.scrub(0)
    out += 5
    assert np.array_equal(tl.scrub(0), before)


def test_memory_is_bounded_for_a_100k_step_run_and_dense_early():
    n_params = MLP([2, 16, 16, 2]).n_params
    tl = Timeline(n_params, capacity=400, dense_steps=100)
    reserved = tl.nbytes
    # Every step for the first 2000, then a record every 25 steps (as an app does per frame).
    steps = list(range(0, 2000)) + list(range(2000, 100_001, 25))
    p = np.zeros(n_params)
    for s in steps:
        p[0] = s
        tl.record(s, p)
    assert len(tl) == 400
    assert tl.nbytes == reserved  # nothing grew
    assert reserved <= 400 * (n_params * 8 + 32)
    kept = tl.steps
    assert np.all(np.diff(kept) > 0)
    # Every step up to dense_steps is still there, and so are the first and the newest.
    assert set(range(0, 101)) <= set(kept.tolist())
    assert kept[-1] == 100_000
    # Later snapshots are spread close to evenly in log(step): no gap in log much larger than
    # the even spacing of the thinned part.
    late = np.log1p(kept[kept > 100].astype(float))
    even = (late[-1] - late[0]) / (len(late) - 1)
    assert np.diff(late).max() < 2.5 * even
    # Each stored row still holds the parameters of its own step.
    for i in range(0, 400, 37):
        assert tl.scrub(i)[0] == kept[i]


def test_a_large_network_gets_fewer_snapshots_under_the_byte_ceiling():
    tl = Timeline(1_000_000, capacity=400, max_bytes=80 * 1024 * 1024)
    assert tl.capacity == 10
    assert tl._params.nbytes <= 80 * 1024 * 1024


def test_branch_drops_the_future_and_recording_continues_from_it():
    tl = Timeline(3, capacity=50, dense_steps=10)
    for s in range(0, 30):
        tl.record(s, np.full(3, float(s)), train_loss=float(s))
    i = tl.index_at_step(12)
    assert tl.branch(i) == 12
    assert tl.last_step == 12 and len(tl) == 13
    with pytest.raises(ValueError, match="not after the newest"):
        tl.record(12, np.zeros(3))
    tl.record(13, np.full(3, -13.0))
    assert tl.last_step == 13
    assert np.array_equal(tl.scrub(-1), np.full(3, -13.0))
    assert np.array_equal(tl.scrub(12), np.full(3, 12.0))
    # Freed rows are reused: fill to capacity again without error.
    for s in range(14, 200):
        tl.record(s, np.full(3, float(s)))
    assert len(tl) == 50
    assert all(tl.scrub(i)[0] == tl.steps[i] or tl.steps[i] == 13 for i in range(50))


def test_index_at_step_picks_the_nearest_snapshot():
    tl = Timeline(1, capacity=10)
    for s in (0, 10, 20, 40):
        tl.record(s, np.zeros(1))
    assert [tl.index_at_step(v) for v in (-5, 4, 6, 14, 16, 29, 31, 1000)] == [
        0, 0, 1, 1, 2, 2, 3, 3,
    ]  # fmt: skip


def test_user_errors_name_the_value():
    with pytest.raises(ValueError, match="capacity"):
        Timeline(10, capacity=2)
    with pytest.raises(ValueError, match="n_params"):
        Timeline(0)
    tl = Timeline(4)
    with pytest.raises(ValueError, match="shape"):
        tl.record(0, np.zeros(5))
    with pytest.raises(ValueError, match="out of range"):
        tl.scrub(0)
    with pytest.raises(ValueError, match="empty"):
        tl.index_at_step(3)
    tl.record(0, np.zeros(4), train_loss=math.inf)
    with pytest.raises(ValueError, match="out of range"):
        tl.snapshot(1)


@settings(max_examples=30, deadline=None)
@given(
    capacity=st.integers(4, 30),
    dense=st.integers(0, 20),
    gaps=st.lists(st.integers(1, 50), min_size=1, max_size=300),
)
def test_invariants_under_any_recording_pattern(capacity, dense, gaps):
    tl = Timeline(2, capacity=capacity, dense_steps=dense)
    step = 0
    for g in gaps:
        tl.record(step, np.array([step, -step], dtype=float))
        step += g
    kept = tl.steps
    assert len(tl) == min(capacity, len(gaps))
    assert np.all(np.diff(kept) > 0)
    assert kept[0] == 0  # the start is never evicted
    for i, s in enumerate(kept):
        assert np.array_equal(tl.scrub(i), [s, -s])


def test_replay_walks_through_snapshots_at_the_chosen_speed():
    tl = Timeline(1, capacity=20)
    for s in (0, 10, 20, 40, 80):
        tl.record(s, np.zeros(1))
    assert tl.replay_index(1, 0.0, 100.0) == 1
    assert tl.replay_index(1, 0.1, 100.0) == 2  # step 10 + 10
    assert tl.replay_index(1, 0.32, 100.0) == 3  # step 42 is nearest 40
    assert tl.replay_index(0, 100.0, 100.0) == 4  # never past the newest
    with pytest.raises(ValueError, match="replay speed"):
        tl.replay_index(0, 1.0, 0.0)
