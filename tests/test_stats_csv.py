"""CSV files of region statistics and margins: headers, full precision, empty cells for
numbers that do not exist, and an atomic write that leaves no partial file."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sandbox.io.stats_csv import (
    MARGIN_COLUMNS,
    STATS_COLUMNS,
    read_table,
    write_margins,
    write_region_stats,
)


def test_region_stats_round_trip(tmp_path):
    steps = np.array([0, 5, 40])
    values = np.array(
        [
            [10, 4, 6, 32.0, 37, 0.1, 2.0 / 3.0, 3],
            [12, 12, 0, 32.0, 37, 0.25, math.nan, 5],
            [9, 0, 9, 32.0, 0, math.nan, 1e-300, 0],
        ]  # fmt: skip
    )
    path = tmp_path / "s.csv"
    assert write_region_stats(path, steps, values) == 3
    head, rows = read_table(path)
    assert tuple(head) == STATS_COLUMNS
    assert [int(r["step"]) for r in rows] == [0, 5, 40]
    assert float(rows[0]["mean_area_far"]) == 2.0 / 3.0  # bit for bit
    assert rows[1]["mean_area_far"] == "" and rows[2]["mean_area_near"] == ""
    assert float(rows[2]["mean_area_far"]) == 1e-300
    assert rows[0]["regions"] == "10" and rows[0]["hanin_rolnick"] == "32.0"


def test_margins_round_trip(tmp_path):
    X = np.array([[0.1, -0.2], [1.0 / 3.0, 2.0]])
    nearest = np.array([[0.5, 0.5], [math.nan, math.nan]])
    path = tmp_path / "m.csv"
    n = write_margins(path, X, np.array([0, 2]), np.array([False, True]), np.array([1, 2]),
                      np.array([0.3, 4.0]), np.array([-0.3, 4.0]), np.array([True, False]),
                      nearest)  # fmt: skip
    assert n == 2
    head, rows = read_table(path)
    assert tuple(head) == MARGIN_COLUMNS
    assert float(rows[1]["x"]) == 1.0 / 3.0
    assert [r["split"] for r in rows] == ["train", "test"]
    assert rows[0]["signed_margin"] == "-0.3" and rows[0]["exact"] == "1"
    assert rows[1]["exact"] == "0" and rows[1]["nearest_x"] == ""


def test_a_failed_write_leaves_nothing(tmp_path):
    path = tmp_path / "bad.csv"
    with pytest.raises(ValueError):
        write_region_stats(path, np.array([1, 2]), np.zeros((3, 8)))
    assert not path.exists()
