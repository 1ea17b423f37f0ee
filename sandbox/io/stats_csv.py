"""CSV files of the region statistics by training step and of the points' margins.

Region statistics, one row per recorded training step (the timeline's snapshots):
    step, regions, near, far, hanin_rolnick, serra, mean_area_near, mean_area_far,
    creases_crossing_hull
(`near`/`far`: regions meeting the data's neighbourhood or not; `hanin_rolnick` is N^2/2;
`serra` is 0 where the bound does not apply; a mean area with no region is empty.)

Margins, one row per point:
    x, y, label, split, predicted, distance, signed_margin, exact, nearest_x, nearest_y
(`split` train or test; `signed_margin` is negative on the wrong side; `exact` 1 where the
distance is exact and 0 where it is a lower bound, the nearest point then empty.)

Numbers are written with repr (full float64 precision, read back bit for bit); files are
written atomically (sandbox.io.atomic) as UTF-8 with a header row. Plain arrays in, so this
module imports neither the geometry nor numba.
"""

from __future__ import annotations

import csv
import io
import math
import os
from collections.abc import Sequence

import numpy as np

from .atomic import atomic_write_bytes

STATS_COLUMNS = (
    "step", "regions", "near", "far", "hanin_rolnick", "serra", "mean_area_near",
    "mean_area_far", "creases_crossing_hull",
)  # fmt: skip
MARGIN_COLUMNS = (
    "x", "y", "label", "split", "predicted", "distance", "signed_margin", "exact",
    "nearest_x", "nearest_y",
)  # fmt: skip
_INTS = {"step", "regions", "near", "far", "serra", "creases_crossing_hull", "label", "predicted"}


def _cell(name: str, v) -> str:
    if isinstance(v, str):
        return v
    f = float(v)
    if not math.isfinite(f):
        return ""
    if name in _INTS or name == "exact":
        return str(int(f))
    return repr(f)


def _write(path: str | os.PathLike[str], columns: Sequence[str], rows) -> None:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(columns)
    for row in rows:
        w.writerow([_cell(c, v) for c, v in zip(columns, row, strict=True)])
    atomic_write_bytes(path, buf.getvalue().encode("utf-8"))


def write_region_stats(path, steps: np.ndarray, values: np.ndarray) -> int:
    """Write steps (n,) and values (n, 8) in STATS_COLUMNS[1:] order; returns the row count."""
    steps = np.asarray(steps).reshape(-1)
    values = np.asarray(values, dtype=np.float64).reshape(len(steps), len(STATS_COLUMNS) - 1)
    _write(path, STATS_COLUMNS, ((s, *v) for s, v in zip(steps, values, strict=True)))
    return len(steps)


def write_margins(
    path,
    X: np.ndarray,
    labels: np.ndarray,
    is_test: np.ndarray,
    predicted: np.ndarray,
    distance: np.ndarray,
    signed: np.ndarray,
    exact: np.ndarray,
    nearest: np.ndarray,
) -> int:
    """Write one MARGIN_COLUMNS row per point; returns the row count."""
    X = np.asarray(X, dtype=np.float64).reshape(-1, 2)
    n = len(X)
    rows = (
        (X[i, 0], X[i, 1], labels[i], "test" if is_test[i] else "train", predicted[i],
         distance[i], signed[i], int(bool(exact[i])), nearest[i, 0], nearest[i, 1])
        for i in range(n)
    )  # fmt: skip
    _write(path, MARGIN_COLUMNS, rows)
    return n


def read_table(path) -> tuple[list[str], list[dict[str, str]]]:
    """(header, rows as dicts of strings) of a file written here (tests, scripts)."""
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        rows = list(reader)
        return list(reader.fieldnames or []), rows
