"""Points to and from CSV: x, y, label and the train/test split, in a file anyone can read.

The file written (`save_points_csv`, `points_csv_text`) is plain UTF-8 CSV with a header line
`x,y,label,split` and one point a line: coordinates in the plane's units written so that they read
back to the same float64, the label (a class id 0 to 5 for classes, or a number for a picture's
target, 0 black to 1 white) and the split, `train` or `test`.

The reader (`load_points_csv`, `points_from_csv_text`) is lenient in what it accepts and strict in
what it keeps. The delimiter may be a comma, a semicolon or a tab. The first line is a header when
its x or y field is not a number; a header may order the columns in any way and name them with the
usual words (x/x1, y/x2, label/class/target/value, split/set/subset); without a header the columns
are x, y, label and, optionally, split. Blank lines and lines starting with `#` are skipped. The
task follows the labels: whole numbers 0 to 5 are classes; any other number (or a label column
named target or value) makes picture targets. Every problem is a ValueError that names the file,
the line and what is allowed, and nothing is returned half-read, so a caller that keeps its points
until the read succeeds never loses them. Limits: `MAX_FILE_BYTES` and the app's point cap
(sandbox.vocab.MAX_POINTS); a file with NUL bytes or that is not UTF-8 text is refused as binary.
No pygame or OpenGL here.
"""

from __future__ import annotations

import csv
import io
import math
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sandbox.io.atomic import atomic_write_text
from sandbox.vocab import MAX_CLASSES, MAX_POINTS, Task

SUFFIX = ".csv"
HEADER = ("x", "y", "label", "split")
SPLITS = ("train", "test")
MAX_FILE_BYTES = 64 * 2**20  # far above MAX_POINTS lines; a bigger file is not a point set
DELIMITERS = (",", ";", "\t")
# the words a header may use for each column (any case, surrounding spaces ignored)
COLUMN_NAMES = {
    "x": ("x", "x1", "x_1", "x0"),
    "y": ("y", "x2", "x_2", "y0"),
    "label": ("label", "class", "labels", "classes", "target", "value", "c", "t"),
    "split": ("split", "set", "subset", "fold"),
}
TARGET_WORDS = ("target", "value", "t")  # a label column named so holds picture targets
ALLOWED_COLUMNS = "x, y, label and optionally split (train or test)"
ALLOWED_LABELS = (
    f"a class 0 to {MAX_CLASSES - 1}, or a number (a picture's target, 0 black to 1 white)"
)


@dataclass(frozen=True)
class PointsTable:
    """Points read from or written to CSV: X (N, 2) float64, labels (N,) (int64 class ids, or
    float64 targets for a picture), test (N,) bool, the task, and whether the file said which
    points are test points (`has_split`; without it every point reads as train)."""

    X: np.ndarray
    labels: np.ndarray
    test: np.ndarray
    task: Task
    has_split: bool = True

    def __len__(self) -> int:
        return int(self.X.shape[0])


# ----------------------------------------------------------------------------- writing
def _number(v: float) -> str:
    """Shortest text that reads back to the same float64 (`repr`), integers without '.0'."""
    f = float(v)
    return str(int(f)) if f.is_integer() and abs(f) < 2**53 else repr(f)


def points_csv_text(table: PointsTable) -> str:
    """The CSV text of `table` (header line, one point a line, "\\n" line ends)."""
    X = np.asarray(table.X, dtype=np.float64)
    labels = np.asarray(table.labels)
    test = np.asarray(table.test, dtype=bool)
    if X.ndim != 2 or X.shape[1] != 2 or labels.shape != (len(X),) or test.shape != (len(X),):
        raise ValueError(
            f"points must be X (N, 2) with N labels and N split flags; got X {X.shape}, "
            f"labels {labels.shape}, split {test.shape}"
        )
    if not np.all(np.isfinite(X)):
        raise ValueError("points contain NaN or infinite coordinates")
    classes = table.task is Task.CLASSIFICATION
    out = io.StringIO()
    out.write(",".join(HEADER) + "\n")
    for (x, y), lab, t in zip(X.tolist(), labels.tolist(), test.tolist(), strict=True):
        label = str(int(lab)) if classes else _number(lab)
        out.write(f"{_number(x)},{_number(y)},{label},{'test' if t else 'train'}\n")
    return out.getvalue()


def save_points_csv(path: str | os.PathLike[str], table: PointsTable) -> Path:
    """Write `table` to `path` atomically (the old file stays whole on failure); returns the
    path. ValueError names the file when it cannot be written."""
    path = Path(path)
    text = points_csv_text(table)
    try:
        atomic_write_text(path, text)
    except OSError as exc:
        raise ValueError(f"{path}: cannot write it: {exc.strerror or exc}") from None
    return path


# ----------------------------------------------------------------------------- reading
def load_points_csv(path: str | os.PathLike[str]) -> PointsTable:
    """Read a points CSV file (see the module docstring); ValueError naming the file, the line
    and what is allowed, for anything it cannot use."""
    path = Path(path)
    name = path.name or str(path)
    try:
        if path.is_dir():
            raise ValueError(f"{name} is a folder; give a CSV file")
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ValueError(
                f"{name} is {size / 2**20:.0f} MiB; a points file may be at most "
                f"{MAX_FILE_BYTES // 2**20} MiB ({MAX_POINTS:,} points)"
            )
        with open(path, "rb") as fh:
            data = fh.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise ValueError(f"{name}: cannot read it: {exc.strerror or exc}") from None
    return points_from_csv_bytes(data, name)


def points_from_csv_bytes(data: bytes, name: str = "points file") -> PointsTable:
    """Read CSV bytes (UTF-8, with or without a byte-order mark)."""
    if len(data) > MAX_FILE_BYTES:
        raise ValueError(f"{name} is over {MAX_FILE_BYTES // 2**20} MiB; not a points file")
    if b"\x00" in data:
        raise ValueError(f"{name} is a binary file, not CSV text (x, y, label, split)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ValueError(
            f"{name} line {line}: not UTF-8 text; a points file is CSV text (x, y, label, split)"
        ) from None
    return points_from_csv_text(text, name)


def _delimiter(lines: list[str]) -> str:
    """The delimiter of the first data-looking line: the one of , ; tab it holds (comma first)."""
    for line in lines:
        s = line.strip()
        if s and not s.startswith("#"):
            for d in DELIMITERS:
                if d in s:
                    return d
            return ","
    return ","


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _header_columns(fields: list[str], where: str) -> dict[str, int]:
    """Column index of x, y, label (and split when present) from a header line."""
    found: dict[str, int] = {}
    for i, raw in enumerate(fields):
        word = raw.strip().lower()
        for column, names in COLUMN_NAMES.items():
            if word in names:
                if column in found:
                    raise ValueError(f"{where}: the header names the {column} column twice")
                found[column] = i
                break
        else:
            if word:
                raise ValueError(
                    f"{where}: unknown column {raw.strip()!r} in the header; allowed: "
                    f"{ALLOWED_COLUMNS}"
                )
    missing = [c for c in ("x", "y", "label") if c not in found]
    if missing:
        raise ValueError(
            f"{where}: the header lacks the {', '.join(missing)} column; a points file has "
            f"{ALLOWED_COLUMNS}"
        )
    return found


def _short(text: str) -> str:
    return repr(text if len(text) <= 24 else text[:21] + "...")


def points_from_csv_text(text: str, name: str = "points file") -> PointsTable:
    """Read CSV text; see the module docstring for what is accepted."""
    if text.startswith("\ufeff"):  # a byte-order mark some editors write
        text = text[1:]
    lines = text.splitlines()
    delim = _delimiter(lines[:50])
    reader = csv.reader(io.StringIO(text), delimiter=delim)
    columns: dict[str, int] | None = None
    xs: list[float] = []
    ys: list[float] = []
    raw_labels: list[tuple[int, str]] = []
    splits: list[bool] = []
    has_split = False
    targets = False  # the header calls the label column target or value
    try:
        for fields in reader:
            line = reader.line_num
            where = f"{name} line {line}"
            if not fields or all(not f.strip() for f in fields):
                continue
            if fields[0].lstrip().startswith("#"):
                continue
            while not fields[-1].strip():
                fields.pop()  # trailing delimiters (spreadsheets write them)
            if columns is None:
                if not (_is_number(fields[0]) and len(fields) > 1 and _is_number(fields[1])):
                    columns = _header_columns(fields, where)
                    has_split = "split" in columns
                    targets = fields[columns["label"]].strip().lower() in TARGET_WORDS
                    continue
                if len(fields) not in (3, 4):
                    raise ValueError(
                        f"{where}: {len(fields)} columns; without a header a points file has "
                        f"3 or 4: {ALLOWED_COLUMNS}"
                    )
                columns = {"x": 0, "y": 1, "label": 2}
                if len(fields) == 4:
                    columns["split"] = 3
                    has_split = True
            width = max(columns.values()) + 1
            if len(fields) != width:
                raise ValueError(
                    f"{where}: {len(fields)} columns where the file has {width}: {ALLOWED_COLUMNS}"
                )
            if len(xs) >= MAX_POINTS:
                raise ValueError(
                    f"{where}: more than {MAX_POINTS:,} points; the app holds at most "
                    f"{MAX_POINTS:,}"
                )
            for axis, out in (("x", xs), ("y", ys)):
                cell = fields[columns[axis]].strip()
                try:
                    v = float(cell)
                except ValueError:
                    raise ValueError(
                        f"{where}: {axis} is {_short(cell)}, not a number; allowed: a finite "
                        "number such as -1.25"
                    ) from None
                if not math.isfinite(v):
                    raise ValueError(f"{where}: {axis} is {cell}; allowed: a finite number")
                out.append(v)
            raw_labels.append((line, fields[columns["label"]].strip()))
            if has_split:
                word = fields[columns["split"]].strip().lower()
                if word not in SPLITS:
                    raise ValueError(
                        f"{where}: split is {_short(fields[columns['split']].strip())}; allowed: "
                        "train or test"
                    )
                splits.append(word == "test")
    except csv.Error as exc:
        raise ValueError(f"{name} line {reader.line_num}: not readable as CSV: {exc}") from None
    if not xs:
        raise ValueError(f"{name} holds no points; a points file has {ALLOWED_COLUMNS}")
    labels, task = _labels(raw_labels, name, targets)
    n = len(xs)
    return PointsTable(
        X=np.column_stack([np.asarray(xs), np.asarray(ys)]).reshape(n, 2),
        labels=labels,
        test=np.asarray(splits, dtype=bool) if has_split else np.zeros(n, dtype=bool),
        task=task,
        has_split=has_split,
    )


def _labels(raw: list[tuple[int, str]], name: str, targets: bool) -> tuple[np.ndarray, Task]:
    """Labels as class ids (whole numbers 0 to 5, unless the header says targets) or as picture
    targets (any other finite numbers); ValueError names the first line that is neither."""
    values = np.empty(len(raw), dtype=np.float64)
    for i, (line, cell) in enumerate(raw):
        try:
            v = float(cell)
        except ValueError:
            v = math.nan
        if not math.isfinite(v):
            raise ValueError(
                f"{name} line {line}: label {_short(cell)} is not allowed; allowed: "
                f"{ALLOWED_LABELS}"
            )
        values[i] = v
    whole = values == np.round(values)
    if not targets and bool(np.all(whole)):
        bad = np.flatnonzero((values < 0) | (values >= MAX_CLASSES))
        if bad.size:
            line, cell = raw[int(bad[0])]
            raise ValueError(
                f"{name} line {line}: class {cell} is not allowed; allowed: classes 0 to "
                f"{MAX_CLASSES - 1} (or name the column 'target' for a picture's numbers)"
            )
        return values.astype(np.int64), Task.CLASSIFICATION
    return values, Task.REGRESSION
