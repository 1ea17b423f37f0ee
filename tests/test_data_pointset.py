"""PointSet: edits, strokes, undo/redo against a snapshot model, the cap, the stable test split."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sandbox.data import PointSet, PointSetFull, make_dataset
from sandbox.data import pointset as pointset_module


def snapshot(ps: PointSet) -> tuple[bytes, bytes, bytes]:
    return ps.X.tobytes(), ps.y.tobytes(), ps.keys.tobytes()


def test_add_single_and_batch_points():
    ps = PointSet(n_classes=3)
    assert len(ps) == 0 and ps.X.shape == (0, 2) and ps.y.dtype == np.int64
    assert ps.add((1.0, 2.0), 2) == 1
    assert ps.add([[0.0, 0.0], [3.0, -1.0]], [0, 1]) == 2
    np.testing.assert_array_equal(ps.X, [[1, 2], [0, 0], [3, -1]])
    np.testing.assert_array_equal(ps.y, [2, 0, 1])
    np.testing.assert_array_equal(ps.class_counts(), [1, 1, 1])
    assert ps.add(np.empty((0, 2)), 0) == 0
    with pytest.raises(ValueError):
        ps.X[0, 0] = 5.0  # views are read-only: edits go through the set


@pytest.mark.parametrize(
    "points, label, fragment",
    [
        ([1.0, 2.0, 3.0], 0, "shape"),
        ([[np.nan, 0.0]], 0, "NaN"),
        ([[0.0, 0.0]], 2, "class 2; allowed: 0 to 1"),
        ([[0.0, 0.0]], -1, "class -1"),
        ([[0.0, 0.0]], 0.5, "integers"),
        ([[0.0, 0.0]], "a", "integers"),
        ([[0.0, 0.0], [1.0, 1.0]], [0, 1, 1], "labels must be one value or 2"),
    ],
)
def test_bad_adds_are_refused_without_change(points, label, fragment):
    ps = PointSet()
    ps.add([0.5, 0.5], 1)
    before, version = snapshot(ps), ps.version
    with pytest.raises(ValueError, match=fragment):
        ps.add(points, label)
    assert snapshot(ps) == before and ps.version == version


def test_regression_set_takes_float_targets():
    ps = PointSet("regression")
    ps.add([[0.0, 1.0], [2.0, 3.0]], [0.25, -1.5])
    assert ps.y.dtype == np.float64 and ps.n_classes == 0
    np.testing.assert_array_equal(ps.y, [0.25, -1.5])
    with pytest.raises(ValueError, match="NaN"):
        ps.add([0.0, 0.0], float("inf"))
    with pytest.raises(ValueError, match="classification"):
        ps.class_counts()


def test_constructor_validates():
    with pytest.raises(ValueError, match="unknown task 'sorting'"):
        PointSet("sorting")
    with pytest.raises(ValueError, match="n_classes = 7"):
        PointSet(n_classes=7)
    with pytest.raises(ValueError, match="test ratio"):
        PointSet(test_fraction=0.95)


def test_erase_removes_exactly_the_points_in_the_disk_and_undo_restores_order():
    X, y = make_dataset("blobs3", n=600, seed=0)
    ps = PointSet(n_classes=3)
    ps.add(X, y)
    before = snapshot(ps)
    centre, r = np.array([0.5, 1.0]), 2.0
    inside = np.hypot(*(X - centre).T) <= r
    removed = ps.erase(centre, r)
    assert removed == inside.sum() > 0
    np.testing.assert_array_equal(ps.X, X[~inside])
    np.testing.assert_array_equal(ps.y, y[~inside])
    assert ps.erase(centre, r) == 0  # nothing left there: no change, no undo step
    assert ps.undo()
    assert snapshot(ps) == before
    assert ps.redo()
    np.testing.assert_array_equal(ps.X, X[~inside])


def test_erase_radius_is_inclusive():
    ps = PointSet()
    ps.add([[1.0, 0.0], [1.5, 0.0]], 0)
    assert ps.erase((0.0, 0.0), 1.0) == 1
    np.testing.assert_array_equal(ps.X, [[1.5, 0.0]])


def test_version_counts_every_change_and_only_changes():
    ps = PointSet()
    v = [ps.version]

    def changed(expected: bool) -> None:
        assert (ps.version != v[-1]) == expected
        assert ps.version >= v[-1]
        v.append(ps.version)

    ps.add([0.0, 0.0], 0)
    changed(True)
    ps.add(np.empty((0, 2)), 0)
    changed(False)
    ps.erase((5.0, 5.0), 0.1)
    changed(False)
    ps.erase((0.0, 0.0), 0.1)
    changed(True)
    ps.undo()
    changed(True)
    ps.redo()
    changed(True)
    assert not ps.redo()
    changed(False)
    ps.set_test_fraction(0.2)
    changed(True)
    ps.set_test_fraction(0.2)
    changed(False)
    ps.clear()
    changed(False)  # already empty
    ps.begin_stroke()
    ps.end_stroke()
    changed(False)
    ps.set_n_classes(4)
    changed(True)


def test_a_stroke_is_one_undo_step():
    ps = PointSet(n_classes=2)
    ps.add([[0.0, 0.0], [1.0, 1.0]], 0)
    base = snapshot(ps)
    rng = np.random.default_rng(0)
    ps.begin_stroke()
    for i in range(5):
        ps.add_brush((i * 0.3, 0.0), 0.5, 40.0, 1, rng)
    ps.erase((0.0, 0.0), 0.2)
    ps.end_stroke()
    after = snapshot(ps)
    assert after != base
    assert ps.undo()
    assert snapshot(ps) == base
    assert ps.redo()
    assert snapshot(ps) == after
    assert ps.undo() and ps.undo()  # the first add, its own step
    assert len(ps) == 0 and not ps.can_undo
    assert not ps.undo()


def test_undo_closes_an_open_stroke():
    ps = PointSet()
    ps.begin_stroke()
    ps.add([0.0, 0.0], 0)
    ps.add([1.0, 0.0], 1)
    assert ps.can_undo
    assert ps.undo() and len(ps) == 0
    assert ps.redo() and len(ps) == 2


def test_new_edit_clears_redo():
    ps = PointSet()
    ps.add([0.0, 0.0], 0)
    ps.undo()
    assert ps.can_redo
    ps.add([1.0, 1.0], 1)
    assert not ps.can_redo and not ps.redo()


def test_history_is_bounded():
    ps = PointSet(max_history=3)
    for i in range(6):
        ps.add([float(i), 0.0], 0)
    assert sum(ps.undo() for _ in range(10)) == 3
    assert len(ps) == 3


def test_history_memory_is_bounded(monkeypatch):
    monkeypatch.setattr(pointset_module, "MAX_HISTORY_ROWS", 100)
    ps = PointSet()
    for _ in range(5):
        ps.add(np.zeros((40, 2)), 0)
    # 200 rows were recorded; only the newest steps within 100 rows (but at least one) survive
    assert sum(ps.undo() for _ in range(10)) == 2
    assert len(ps) == 120


def test_cap_refuses_with_a_clear_message_and_changes_nothing():
    ps = PointSet(max_points=100)
    ps.add(np.zeros((90, 2)), 0)
    before, version = snapshot(ps), ps.version
    with pytest.raises(PointSetFull, match="limit of 100 points") as err:
        ps.add(np.ones((20, 2)), 1)
    assert isinstance(err.value, ValueError) and "erase" in str(err.value)
    assert snapshot(ps) == before and ps.version == version
    ps.add(np.ones((10, 2)), 1)  # exactly up to the cap is fine
    assert len(ps) == 100
    with pytest.raises(PointSetFull):
        ps.add_brush((0.0, 0.0), 1.0, 10.0, 0, np.random.default_rng(0))
    with pytest.raises(PointSetFull):
        ps.replace(np.zeros((101, 2)), 0)
    ps.replace(np.zeros((100, 2)), 1)  # replacing frees the old points first
    assert len(ps) == 100 and np.all(ps.y == 1)


def test_default_cap_is_twenty_thousand():
    ps = PointSet()
    assert ps.max_points == 20_000
    ps.add(np.zeros((20_000, 2)), 0)
    with pytest.raises(PointSetFull):
        ps.add([0.0, 0.0], 0)


def test_brush_sprays_inside_its_disk_at_the_requested_density():
    ps = PointSet()
    total = 0
    rng = np.random.default_rng(3)
    for _ in range(200):
        total += ps.add_brush((2.0, -1.0), 0.5, 100.0, 1, rng)
    assert total == len(ps)
    mean = 100.0 * np.pi * 0.25
    assert abs(total / 200 - mean) < 0.1 * mean
    assert np.all(np.hypot(ps.X[:, 0] - 2.0, ps.X[:, 1] + 1.0) <= 0.5 + 1e-12)
    # uniform over the area: half the points within radius 0.5 / sqrt(2)
    frac = np.mean(np.hypot(ps.X[:, 0] - 2.0, ps.X[:, 1] + 1.0) < 0.5 / np.sqrt(2))
    assert abs(frac - 0.5) < 0.03
    assert ps.add_brush((0.0, 0.0), 1.0, 0.0, 0) == 0
    with pytest.raises(ValueError, match="radius"):
        ps.add_brush((0.0, 0.0), 0.0, 1.0, 0)
    with pytest.raises(ValueError, match="density"):
        ps.add_brush((0.0, 0.0), 1.0, -1.0, 0)


def test_brush_is_seeded():
    a, b = PointSet(seed=4), PointSet(seed=4)
    for ps in (a, b):
        ps.add_brush((0.0, 0.0), 1.0, 30.0, 0)
    assert snapshot(a) == snapshot(b)


def test_clear_and_replace_are_single_undo_steps():
    ps = PointSet(n_classes=2)
    X, y = make_dataset("moons", n=100, seed=0)
    ps.replace(X, y)
    first = snapshot(ps)
    X2, y2 = make_dataset("xor", n=50, seed=0)
    ps.replace(X2, y2)
    np.testing.assert_array_equal(ps.X, X2)
    assert ps.undo() and snapshot(ps) == first
    assert ps.clear() == 100 and len(ps) == 0
    assert ps.undo() and snapshot(ps) == first


# ----------------------------------------------------------------------------- test split
def test_split_fraction_and_partition():
    ps = PointSet(test_fraction=0.3)
    X, y = make_dataset("circle", n=5000, seed=0)
    ps.add(X, y)
    frac = ps.is_test.mean()
    assert abs(frac - 0.3) < 0.03
    assert len(ps.X_train) + len(ps.X_test) == len(ps)
    np.testing.assert_array_equal(ps.X_test, X[ps.is_test])
    np.testing.assert_array_equal(ps.y_train, y[~ps.is_test])
    ps.set_test_fraction(0.0)
    assert len(ps.X_test) == 0 and len(ps.y_train) == 5000


def test_each_point_keeps_its_split_through_edits():
    ps = PointSet(test_fraction=0.4, seed=2)
    X, y = make_dataset("gauss", n=400, seed=1)
    ps.add(X, y)
    flag = {tuple(p): t for p, t in zip(ps.X.tolist(), ps.is_test, strict=True)}
    ps.add_brush((4.0, -4.0), 1.0, 30.0, 0)
    ps.erase((2.0, 2.0), 1.0)
    ps.undo()
    ps.erase((-2.0, -2.0), 1.5)
    ps.undo()
    ps.redo()
    for p, t in zip(ps.X.tolist(), ps.is_test, strict=True):
        if tuple(p) in flag:
            assert flag[tuple(p)] == t


def test_raising_the_ratio_only_moves_train_points_to_test():
    ps = PointSet(test_fraction=0.2)
    ps.add(np.random.default_rng(0).normal(size=(1000, 2)), 1)
    low = ps.is_test.copy()
    ps.set_test_fraction(0.5)
    high = ps.is_test
    assert np.all(high[low]) and high.sum() > low.sum()


# ----------------------------------------------------------------------------- saving
def test_arrays_round_trip():
    ps = PointSet(n_classes=4, test_fraction=0.25, seed=7)
    X, y = make_dataset("blobs4", n=300, seed=0)
    ps.add(X, y)
    ps.erase((0.0, 0.0), 2.0)
    arrays = ps.to_arrays()
    assert all(isinstance(a, np.ndarray) and a.dtype != object for a in arrays.values())
    back = PointSet.from_arrays(arrays)
    assert snapshot(back) == snapshot(ps)
    np.testing.assert_array_equal(back.is_test, ps.is_test)
    assert (back.n_classes, back.test_fraction, back.seed, back.task) == (4, 0.25, 7, ps.task)
    assert back.version == 0 and not back.can_undo
    # new points continue the key sequence instead of repeating it
    ps.add([9.0, 9.0], 0)
    back.add([9.0, 9.0], 0)
    assert snapshot(back) == snapshot(ps)


def test_from_arrays_with_only_test_flags_keeps_that_split():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(500, 2))
    flags = rng.random(500) < 0.3
    ps = PointSet.from_arrays({"X": X, "y": np.zeros(500, np.int64), "is_test": flags})
    np.testing.assert_array_equal(ps.is_test, flags)
    assert ps.test_fraction == pytest.approx(flags.mean())
    ps2 = PointSet.from_arrays(
        {"X": X, "y": np.full(500, 0.5), "is_test": flags, "test_fraction": np.array(0.4)}
    )
    assert ps2.task == "regression"
    np.testing.assert_array_equal(ps2.is_test, flags)
    ps2.add(np.zeros((3, 2)), 0.0)  # later points follow the ratio, earlier ones stay put
    np.testing.assert_array_equal(ps2.is_test[:500], flags)


@pytest.mark.parametrize(
    "arrays, fragment",
    [
        ({"X": np.zeros((2, 2))}, "'y'"),
        ({"X": np.zeros((2, 3)), "y": np.zeros(2, np.int64)}, "shape"),
        ({"X": np.zeros((2, 2)), "y": np.array([0, 9])}, "class 9"),
        ({"X": np.zeros((2, 2)), "y": np.zeros(2, np.int64), "key": np.array([0.1])}, "key"),
        ({"X": np.zeros((2, 2)), "y": np.zeros(2, np.int64), "key": np.array([0.1, 2])}, "key"),
        ({"X": np.zeros((2, 2)), "y": np.zeros(2, np.int64), "key": np.array(["a", "b"])}, "key"),
        ({"X": np.zeros((1, 2)), "y": np.zeros(1, np.int64), "is_test": np.array([1])}, "is_test"),
        ({"X": np.zeros((1, 2)), "y": np.zeros(1, np.int64), "task": np.array("x")}, "task"),
        ({"X": np.zeros((1, 2)), "y": np.zeros(1, np.int64), "seed": np.array([1, 2])}, "seed"),
        (
            {
                "X": np.zeros((1, 2)),
                "y": np.zeros(1, np.int64),
                "is_test": np.array([True]),
                "test_fraction": np.array(0.0),
            },
            "test ratio",
        ),
    ],
)
def test_from_arrays_rejects_bad_data(arrays, fragment):
    with pytest.raises(ValueError, match=fragment):
        PointSet.from_arrays(arrays)


# ----------------------------------------------------------------------------- model check
class Model:
    """Reference semantics: whole-state snapshots for undo/redo."""

    def __init__(self) -> None:
        self.state: list[tuple[float, float, int]] = []
        self.undo: list[list] = []
        self.redo: list[list] = []
        self.open: dict | None = None

    def commit(self, before: list) -> None:
        self.redo.clear()
        if self.open is None:
            self.undo.append(before)
        else:
            self.open["edited"] = True

    def close(self) -> None:
        if self.open is not None and self.open["edited"]:
            self.undo.append(self.open["before"])
        self.open = None


ops = st.lists(
    st.one_of(
        st.tuples(st.just("add"), st.integers(0, 5), st.integers(0, 2)),
        st.tuples(st.just("erase"), st.integers(-3, 3), st.integers(0, 3)),
        st.tuples(st.just("undo")),
        st.tuples(st.just("redo")),
        st.tuples(st.just("begin")),
        st.tuples(st.just("end")),
        st.tuples(st.just("clear")),
    ),
    max_size=40,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops)
def test_history_matches_a_snapshot_model(sequence):
    ps = PointSet(n_classes=3)
    m = Model()
    rng = np.random.default_rng(0)
    for op in sequence:
        kind = op[0]
        if kind in ("undo", "redo", "begin", "end"):
            m.close()  # each of these closes an open stroke first
        if kind == "add":
            k, label = op[1], op[2]
            pts = np.round(rng.uniform(-4, 4, size=(k, 2)), 1)
            before = list(m.state)
            ps.add(pts.reshape(-1, 2), label)
            if k:
                m.commit(before)
                m.state += [(float(a), float(b), label) for a, b in pts]
        elif kind == "erase":
            c, r = float(op[1]), float(op[2])
            before = list(m.state)
            ps.erase((c, 0.0), r)
            keep = [p for p in m.state if (p[0] - c) ** 2 + p[1] ** 2 > r * r]
            if len(keep) != len(m.state):
                m.commit(before)
                m.state = keep
        elif kind == "clear":
            before = list(m.state)
            ps.clear()
            if m.state:
                m.commit(before)
                m.state = []
        elif kind == "undo":
            assert ps.undo() == bool(m.undo)
            if m.undo:
                m.redo.append(list(m.state))
                m.state = m.undo.pop()
        elif kind == "redo":
            assert ps.redo() == bool(m.redo)
            if m.redo:
                m.undo.append(list(m.state))
                m.state = m.redo.pop()
        elif kind == "begin":
            ps.begin_stroke()
            m.open = {"before": list(m.state), "edited": False}
        elif kind == "end":
            ps.end_stroke()
        got = [(float(a), float(b), int(c)) for (a, b), c in zip(ps.X, ps.y, strict=True)]
        assert got == m.state
        keys = dict(zip(map(tuple, ps.X.tolist()), ps.keys, strict=False))
        assert all(0.0 <= k < 1.0 for k in keys.values())
