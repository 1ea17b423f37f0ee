"""Points CSV in and out (sandbox.io.points_csv): round trips, headers or none, and bad files that
are refused with the line and what is allowed, never half read."""

from __future__ import annotations

import numpy as np
import pytest

from sandbox.data import PointSet
from sandbox.io.points_csv import (
    MAX_FILE_BYTES,
    PointsTable,
    load_points_csv,
    points_csv_text,
    points_from_csv_bytes,
    points_from_csv_text,
    save_points_csv,
)
from sandbox.vocab import MAX_POINTS, Task


def _table(task: Task, n: int = 50, seed: int = 0) -> PointsTable:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2)) * 3.7
    X[0] = (1e-300, -123456789.123456789)  # extremes read back bit for bit
    if task is Task.CLASSIFICATION:
        labels = rng.integers(0, 6, size=n)
    else:
        labels = rng.random(n)
    return PointsTable(X, labels, rng.random(n) < 0.3, task)


@pytest.mark.parametrize("task", list(Task))
def test_a_file_round_trips_bit_for_bit(tmp_path, task):
    t = _table(task)
    path = save_points_csv(tmp_path / "pts.csv", t)
    back = load_points_csv(path)
    assert back.task is task and back.has_split
    np.testing.assert_array_equal(back.X, t.X)
    np.testing.assert_array_equal(back.labels, t.labels)
    np.testing.assert_array_equal(back.test, t.test)
    assert back.labels.dtype == (np.int64 if task is Task.CLASSIFICATION else np.float64)
    text = path.read_text(encoding="utf-8")
    assert text.splitlines()[0] == "x,y,label,split"


def test_the_header_is_detected_and_may_reorder_and_rename_columns():
    plain = points_from_csv_text("0.5,1,2\n-1,2.5,0\n")
    assert not plain.has_split and plain.task is Task.CLASSIFICATION
    np.testing.assert_array_equal(plain.X, [[0.5, 1.0], [-1.0, 2.5]])
    np.testing.assert_array_equal(plain.labels, [2, 0])
    np.testing.assert_array_equal(plain.test, [False, False])
    named = points_from_csv_text("Split; Class; X2; X1\ntest;1;2;3\ntrain;0;4;5\n")
    np.testing.assert_array_equal(named.X, [[3.0, 2.0], [5.0, 4.0]])
    np.testing.assert_array_equal(named.labels, [1, 0])
    np.testing.assert_array_equal(named.test, [True, False])
    tabs = points_from_csv_text("\ufeff# my points\nx\ty\tlabel\n\n1\t2\t1\n", "t.tsv")
    assert len(tabs) == 1 and tabs.labels[0] == 1
    # trailing delimiters (spreadsheets) and a split column without a header
    four = points_from_csv_text("1,2,0,TEST,\n3,4,1,train,\n")
    np.testing.assert_array_equal(four.test, [True, False])


def test_labels_decide_the_task():
    assert points_from_csv_text("1,2,0.25\n3,4,1\n").task is Task.REGRESSION
    assert points_from_csv_text("x,y,target\n1,2,0\n3,4,1\n").task is Task.REGRESSION
    classes = points_from_csv_text("1,2,5.0\n3,4,1\n")
    assert classes.task is Task.CLASSIFICATION
    np.testing.assert_array_equal(classes.labels, [5, 1])


@pytest.mark.parametrize(
    "text, words",
    [
        ("x,y,label\n1,2,0\n1,oops,1\n", ["line 3", "y is 'oops'", "number"]),
        ("x,y,label\n1,2,0\nnan,2,1\n", ["line 3", "x is nan", "finite"]),
        ("1,2,0\n1,2\n", ["line 2", "2 columns", "x, y, label"]),
        ("1,2\n", ["line 1", "2 columns", "x, y, label"]),
        ("x,y,label\n1,2,0,train,9\n", ["line 2", "5 columns", "x, y, label"]),
        ("x,y,label\n1,2,cat\n", ["line 2", "label 'cat'", "class 0 to 5"]),
        ("1,2,0\n1,2,7\n", ["line 2", "class 7", "0 to 5"]),
        ("1,2,0\n1,2,-1\n", ["line 2", "class -1", "0 to 5"]),
        ("1,2,0,train\n1,2,0,validation\n", ["line 2", "'validation'", "train or test"]),
        ("x,y,colour\n1,2,0\n", ["line 1", "unknown column 'colour'", "x, y, label"]),
        ("x,y,split\n1,2,test\n", ["line 1", "lacks the label column"]),
        ("", ["holds no points"]),
        ("x,y,label\n\n# nothing\n", ["holds no points"]),
    ],
)
def test_a_bad_file_names_the_line_and_what_is_allowed(text, words):
    with pytest.raises(ValueError) as err:
        points_from_csv_text(text, "mine.csv")
    message = str(err.value)
    assert message.startswith("mine.csv")
    for w in words:
        assert w in message, message


def test_binary_huge_and_missing_files_are_refused(tmp_path):
    with pytest.raises(ValueError, match="binary"):
        points_from_csv_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00", "pic.csv")
    with pytest.raises(ValueError, match="line 2: not UTF-8"):
        points_from_csv_bytes(b"1,2,0\n\xff\xfe,1,1\n", "latin.csv")
    big = tmp_path / "big.csv"
    with open(big, "wb") as fh:  # sparse: its size is checked before anything is read
        fh.truncate(MAX_FILE_BYTES + 1)
    with pytest.raises(ValueError, match="big.csv is .* MiB"):
        load_points_csv(big)
    too_many = "".join(f"{i},0,0\n" for i in range(MAX_POINTS + 1))
    with pytest.raises(ValueError, match=f"line {MAX_POINTS + 1}: more than"):
        points_from_csv_text(too_many, "many.csv")
    with pytest.raises(ValueError, match="cannot read"):
        load_points_csv(tmp_path / "absent.csv")
    with pytest.raises(ValueError, match="is a folder"):
        load_points_csv(tmp_path)


def test_writing_refuses_bad_arrays_and_unwritable_places(tmp_path):
    with pytest.raises(ValueError, match="NaN"):
        points_csv_text(PointsTable(np.array([[np.nan, 0.0]]), np.zeros(1), np.zeros(1, bool),
                                    Task.REGRESSION))  # fmt: skip
    with pytest.raises(ValueError, match="cannot write"):
        save_points_csv(tmp_path / "no" / "such" / "p.csv", _table(Task.CLASSIFICATION, 3))


def test_a_point_set_takes_a_file_split_exactly_as_one_undo_step():
    ps = PointSet(Task.CLASSIFICATION, 6, test_fraction=0.2, seed=3)
    ps.add([[0.0, 0.0], [1.0, 1.0]], 1)
    t = _table(Task.CLASSIFICATION, 400, seed=1)
    ps.replace(t.X, t.labels, source="file", is_test=t.test)
    np.testing.assert_array_equal(ps.is_test, t.test)  # 30% test in the file, ratio 0.2
    assert ps.source == "file"
    ps.undo()
    assert len(ps) == 2
    ps.redo()
    np.testing.assert_array_equal(ps.is_test, t.test)
    empty = PointSet(Task.CLASSIFICATION, 6)
    with pytest.raises(ValueError, match="test fraction above 0"):
        empty.replace(t.X, t.labels, is_test=t.test)
    assert len(empty) == 0
