"""PointSet: the painted data the app edits, with undo/redo, a point cap and a stable test split.

Points are stored as plain arrays (X (N, 2) float64; y int64 class ids or float64 regression
targets). Each point also carries a key in [0, 1) drawn when it is created (a SplitMix64 hash of
the set's seed and a running point id); a point is in the test split when key < test_fraction. The
key travels with the point through erase, undo and redo, so adding or removing other points never
moves a point between train and test, and changing the ratio moves only the points it must.
History is a bounded list of strokes; a stroke is a list of primitive edits (append rows, remove
rows at indices) that each store their rows, so undo and redo cost memory proportional to what
changed, not to the size of the set. A stroke may also change the set's `source` (what generated
the points, such as a preset's name and settings), so undo and redo bring that back too.
`version` increments on every change, so the app can tell when to push data to the trainer by
comparing one integer.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from sandbox.settings import migrate
from sandbox.vocab import MAX_CLASSES, MAX_POINTS, TEST_FRACTION_LEVEL_MAX, Task

MAX_HISTORY = 200
# Bounds the memory held by undo: 1M stored rows is about 40 MB.
MAX_HISTORY_ROWS = 1_000_000

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


def _splitmix64_unit(ids: np.ndarray, seed: int) -> np.ndarray:
    """Uniform floats in [0, 1) from SplitMix64 of (seed, id), elementwise."""
    with np.errstate(over="ignore"):
        z = (np.uint64(seed) * _GOLDEN) ^ ids.astype(np.uint64)
        z = z + _GOLDEN
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    return (z >> np.uint64(11)).astype(np.float64) * (1.0 / (1 << 53))


class PointSetFull(ValueError):
    """Raised when an edit would take the set past its point cap; nothing is changed."""


@dataclass(frozen=True)
class _Rows:
    X: np.ndarray
    y: np.ndarray
    key: np.ndarray

    def __len__(self) -> int:
        return len(self.X)


@dataclass(frozen=True)
class _Edit:
    """Rows appended at the end (idx None) or removed from positions idx (sorted)."""

    rows: _Rows
    idx: np.ndarray | None


@dataclass(frozen=True)
class _SourceChange:
    """The points' source (what generated them, e.g. a preset and its settings) changed from
    `before` to `after`; part of a stroke, so undo and redo restore the source with the points."""

    before: Any
    after: Any
    rows: tuple = ()  # no rows: costs nothing against the history's row budget


class PointSet:
    """Painted points of one task: classification with n_classes classes, or regression."""

    def __init__(
        self,
        task: Task | str = Task.CLASSIFICATION,
        n_classes: int = 2,
        *,
        max_points: int = MAX_POINTS,
        test_fraction: float = 0.0,
        max_history: int = MAX_HISTORY,
        seed: int = 0,
    ) -> None:
        try:
            self.task = Task(task)
        except ValueError:
            allowed = ", ".join(t.value for t in Task)
            raise ValueError(f"unknown task {task!r}; allowed: {allowed}") from None
        if self.task is Task.REGRESSION:
            n_classes = 0
        elif not 2 <= int(n_classes) <= MAX_CLASSES:
            raise ValueError(f"n_classes = {n_classes}; allowed: 2 to {MAX_CLASSES}")
        if not 1 <= int(max_points) <= 10 * MAX_POINTS:
            raise ValueError(f"max_points = {max_points}; allowed: 1 to {10 * MAX_POINTS}")
        if not 1 <= int(max_history) <= 10_000:
            raise ValueError(f"max_history = {max_history}; allowed: 1 to 10000")
        if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
            raise ValueError(f"seed = {seed!r}; allowed: an integer >= 0")
        self.n_classes = int(n_classes)
        self.max_points = int(max_points)
        self.seed = int(seed)
        self._ydtype = np.int64 if self.task is Task.CLASSIFICATION else np.float64
        self._X = np.empty((0, 2), dtype=np.float64)
        self._y = np.empty(0, dtype=self._ydtype)
        self._key = np.empty(0, dtype=np.float64)
        self._next_id = 0
        self._test_fraction = 0.0
        self._undo: deque[list[_Edit | _SourceChange]] = deque(maxlen=int(max_history))
        self._redo: list[list[_Edit | _SourceChange]] = []
        self._stroke: list[_Edit | _SourceChange] | None = None
        self._source: Any = None
        self._brush_rng = np.random.default_rng(self.seed)
        self.version = 0
        self.set_test_fraction(test_fraction)
        self.version = 0

    # ------------------------------------------------------------------ views
    def __len__(self) -> int:
        return len(self._X)

    @property
    def X(self) -> np.ndarray:
        """All points, (N, 2) float64 (read-only view)."""
        return _readonly(self._X)

    @property
    def y(self) -> np.ndarray:
        """Class ids (int64) or regression targets (float64), (N,) (read-only view)."""
        return _readonly(self._y)

    @property
    def keys(self) -> np.ndarray:
        """Each point's split key in [0, 1); the point is a test point when key < test_fraction."""
        return _readonly(self._key)

    @property
    def is_test(self) -> np.ndarray:
        return self._key < self._test_fraction

    @property
    def X_train(self) -> np.ndarray:
        return self._X[~self.is_test]

    @property
    def y_train(self) -> np.ndarray:
        return self._y[~self.is_test]

    @property
    def X_test(self) -> np.ndarray:
        return self._X[self.is_test]

    @property
    def y_test(self) -> np.ndarray:
        return self._y[self.is_test]

    @property
    def test_fraction(self) -> float:
        return self._test_fraction

    @property
    def can_undo(self) -> bool:
        return bool(self._undo) or bool(self._stroke)

    @property
    def can_redo(self) -> bool:
        return bool(self._redo)

    def class_counts(self) -> np.ndarray:
        """Points per class, (n_classes,) int64 (classification only)."""
        if self.task is not Task.CLASSIFICATION:
            raise ValueError("class_counts needs a classification point set")
        return np.bincount(self._y, minlength=self.n_classes).astype(np.int64)

    # ------------------------------------------------------------------ settings
    def set_test_fraction(self, ratio: float) -> None:
        """Fraction of points held out for testing, 0 to 0.9; points keep their keys."""
        ratio = float(ratio)
        if not 0.0 <= ratio <= TEST_FRACTION_LEVEL_MAX:
            raise ValueError(f"test ratio = {ratio!r}; allowed: 0 to {TEST_FRACTION_LEVEL_MAX}")
        if ratio != self._test_fraction:
            self._test_fraction = ratio
            self.version += 1

    def set_n_classes(self, n_classes: int) -> None:
        """Change the number of classes; fewer than the labels in use is refused."""
        if self.task is not Task.CLASSIFICATION:
            raise ValueError("a regression point set has no classes")
        n_classes = int(n_classes)
        if not 2 <= n_classes <= MAX_CLASSES:
            raise ValueError(f"n_classes = {n_classes}; allowed: 2 to {MAX_CLASSES}")
        used = int(self._y.max()) + 1 if len(self._y) else 0
        if n_classes < used:
            raise ValueError(
                f"n_classes = {n_classes} but class {used - 1} has points; erase them first"
            )
        if n_classes != self.n_classes:
            self.n_classes = n_classes
            self.version += 1

    # ------------------------------------------------------------------ validation
    def _check_points(self, points: object) -> np.ndarray:
        P = np.asarray(points, dtype=np.float64)
        if P.ndim == 1 and P.shape == (2,):
            P = P[None, :]
        if P.ndim != 2 or P.shape[1] != 2:
            raise ValueError(f"points must have shape (N, 2) or (2,), got {P.shape}")
        if not np.all(np.isfinite(P)):
            raise ValueError("points contain NaN or infinite coordinates")
        return P

    def _check_labels(self, label: object, n: int) -> np.ndarray:
        lab = np.asarray(label)
        if lab.ndim == 0:
            lab = np.full(n, lab)
        if lab.shape != (n,):
            raise ValueError(f"labels must be one value or {n} values, got shape {lab.shape}")
        if self.task is Task.CLASSIFICATION:
            if lab.dtype.kind not in "iu":
                try:
                    f = lab.astype(np.float64)
                except (TypeError, ValueError):
                    raise ValueError(f"class labels must be integers, got {label!r}") from None
                if not np.all(np.isfinite(f) & (f == np.round(f))):
                    raise ValueError(f"class labels must be integers, got {label!r}")
                lab = f
            lab = lab.astype(np.int64)
            if n and (lab.min() < 0 or lab.max() >= self.n_classes):
                bad = int(lab[(lab < 0) | (lab >= self.n_classes)][0])
                raise ValueError(f"class {bad}; allowed: 0 to {self.n_classes - 1}")
            return lab
        try:
            lab = lab.astype(np.float64)
        except (TypeError, ValueError):
            raise ValueError(f"regression targets must be numbers, got {label!r}") from None
        if not np.all(np.isfinite(lab)):
            raise ValueError("regression targets contain NaN or infinite values")
        return lab

    def _check_room(self, extra: int, after_removing: int = 0) -> None:
        total = len(self) - after_removing + extra
        if total > self.max_points:
            have = len(self) - after_removing
            raise PointSetFull(
                f"cannot add {extra} points: the set would hold {total}, over the limit of "
                f"{self.max_points} points ({have} now); erase some points first"
            )

    # ------------------------------------------------------------------ primitive edits
    def _append(self, rows: _Rows) -> None:
        self._X = np.concatenate([self._X, rows.X])
        self._y = np.concatenate([self._y, rows.y])
        self._key = np.concatenate([self._key, rows.key])

    def _truncate(self, k: int) -> None:
        n = len(self) - k
        self._X, self._y, self._key = self._X[:n], self._y[:n], self._key[:n]

    def _delete(self, idx: np.ndarray) -> None:
        keep = np.ones(len(self), dtype=bool)
        keep[idx] = False
        self._X, self._y, self._key = self._X[keep], self._y[keep], self._key[keep]

    def _insert(self, idx: np.ndarray, rows: _Rows) -> None:
        n = len(self) + len(rows)
        at = np.zeros(n, dtype=bool)
        at[idx] = True
        X = np.empty((n, 2), dtype=np.float64)
        y = np.empty(n, dtype=self._ydtype)
        key = np.empty(n, dtype=np.float64)
        X[~at], y[~at], key[~at] = self._X, self._y, self._key
        X[at], y[at], key[at] = rows.X, rows.y, rows.key
        self._X, self._y, self._key = X, y, key

    def _apply(self, edit: _Edit | _SourceChange) -> None:
        if isinstance(edit, _SourceChange):
            self._source = edit.after
        elif edit.idx is None:
            self._append(edit.rows)
        else:
            self._delete(edit.idx)

    def _revert(self, edit: _Edit | _SourceChange) -> None:
        if isinstance(edit, _SourceChange):
            self._source = edit.before
        elif edit.idx is None:
            self._truncate(len(edit.rows))
        else:
            self._insert(edit.idx, edit.rows)

    def _record(self, edit: _Edit | _SourceChange) -> None:
        self._apply(edit)
        self._redo.clear()
        if self._stroke is not None:
            self._stroke.append(edit)
        else:
            self._push([edit])
        self.version += 1

    def _push(self, stroke: list[_Edit | _SourceChange]) -> None:
        self._undo.append(stroke)
        rows = sum(len(e.rows) for s in self._undo for e in s)
        while len(self._undo) > 1 and rows > MAX_HISTORY_ROWS:
            rows -= sum(len(e.rows) for e in self._undo.popleft())

    def _new_rows(self, P: np.ndarray, lab: np.ndarray) -> _Rows:
        ids = np.arange(self._next_id, self._next_id + len(P), dtype=np.uint64)
        self._next_id += len(P)
        return _Rows(P.copy(), lab.copy(), _splitmix64_unit(ids, self.seed))

    # ------------------------------------------------------------------ public edits
    def add(self, points: object, label: object) -> int:
        """Append points ((N, 2) or one (2,)) with one label or one per point.

        All or nothing: raises PointSetFull (a ValueError) when they do not fit under the cap.
        Returns the number added.
        """
        P = self._check_points(points)
        lab = self._check_labels(label, len(P))
        if len(P) == 0:
            return 0
        self._check_room(len(P))
        self._record(_Edit(self._new_rows(P, lab), None))
        return len(P)

    def add_brush(
        self,
        center: object,
        radius: float,
        density: float,
        label: object,
        rng: np.random.Generator | None = None,
    ) -> int:
        """Spray points uniformly over the disk of `radius` around `center`.

        The count is Poisson with mean density * pi * radius^2 (density = points per unit area),
        so a brush held still keeps adding at an even rate. `rng` defaults to the set's own
        seeded generator. Returns the number added; PointSetFull when they do not fit.
        """
        c = self._check_points(center)
        if c.shape != (1, 2):
            raise ValueError(f"brush centre must be one point (x, y), got shape {c.shape}")
        radius = float(radius)
        density = float(density)
        if not 0.0 < radius <= 1e6:
            raise ValueError(f"brush radius = {radius!r}; allowed: above 0, up to 1e6")
        if not 0.0 <= density <= 1e6:
            raise ValueError(f"brush density = {density!r}; allowed: 0 to 1e6 points per area")
        mean = density * np.pi * radius * radius
        if mean > self.max_points:
            raise ValueError(
                f"brush would spray about {mean:.0f} points at once; allowed: at most "
                f"{self.max_points} (lower the density or the radius)"
            )
        rng = self._brush_rng if rng is None else rng
        k = int(rng.poisson(mean))
        r = radius * np.sqrt(rng.random(k))
        t = rng.uniform(0.0, 2.0 * np.pi, k)
        P = c + np.column_stack([r * np.cos(t), r * np.sin(t)])
        return self.add(P, label)

    def erase(self, center: object, radius: float) -> int:
        """Remove every point within `radius` (inclusive) of `center`; returns how many."""
        c = self._check_points(center)
        if c.shape != (1, 2):
            raise ValueError(f"eraser centre must be one point (x, y), got shape {c.shape}")
        radius = float(radius)
        if not 0.0 <= radius <= 1e6:
            raise ValueError(f"eraser radius = {radius!r}; allowed: 0 to 1e6")
        d2 = np.sum((self._X - c) ** 2, axis=1)
        return self._remove(np.flatnonzero(d2 <= radius * radius))

    def remove(self, indices: object) -> int:
        """Remove the points at the given indices (duplicates ignored); returns how many."""
        idx = np.unique(np.asarray(indices, dtype=np.int64).ravel())
        if idx.size and (idx[0] < 0 or idx[-1] >= len(self)):
            raise ValueError(f"point indices must be 0 to {len(self) - 1}")
        return self._remove(idx)

    def _remove(self, idx: np.ndarray) -> int:
        if idx.size == 0:
            return 0
        rows = _Rows(self._X[idx].copy(), self._y[idx].copy(), self._key[idx].copy())
        self._record(_Edit(rows, idx))
        return int(idx.size)

    def clear(self) -> int:
        """Remove every point (one undo step); returns how many."""
        return self._remove(np.arange(len(self)))

    @property
    def source(self) -> Any:
        """What the points were generated from (given to `replace`; None: painted by hand).
        Undo and redo restore it with the points, so whoever shows it stays in step."""
        return self._source

    def replace(self, X: object, y: object, source: Any = None, is_test: object = None) -> None:
        """Swap all points for (X, y), e.g. a generated dataset described by `source` (any
        immutable value); one undo step. `is_test` (N,) bools, when given, is the exact split
        (it needs a test fraction above 0 when any point is a test point)."""
        P = self._check_points(X)
        lab = self._check_labels(y, len(P))
        self._check_room(len(P), after_removing=len(self))
        flags = None
        if is_test is not None:
            flags = np.asarray(is_test)
            if flags.shape != (len(P),) or flags.dtype != np.bool_:
                raise ValueError(f"is_test must be {len(P)} booleans, got {flags.shape}")
            if flags.any() and self._test_fraction == 0.0:
                raise ValueError("test points need a test fraction above 0; set it first")
        self.begin_stroke()
        try:
            self.clear()
            if len(P):
                rows = self._new_rows(P, lab)
                if flags is not None:
                    rows = _Rows(rows.X, rows.y, _split_keys(rows.key, flags, self._test_fraction))
                self._record(_Edit(rows, None))
            if source != self._source:
                self._record(_SourceChange(self._source, source))
        finally:
            self.end_stroke()

    # ------------------------------------------------------------------ history
    def begin_stroke(self) -> None:
        """Start grouping edits into one undo step (a brush drag); closes an open stroke."""
        self.end_stroke()
        self._stroke = []

    def end_stroke(self) -> None:
        """Close the current stroke; an empty stroke leaves no undo step."""
        stroke, self._stroke = self._stroke, None
        if stroke:
            self._push(stroke)

    def undo(self) -> bool:
        """Revert the last stroke (closing an open one first); False when there is none."""
        self.end_stroke()
        if not self._undo:
            return False
        stroke = self._undo.pop()
        for edit in reversed(stroke):
            self._revert(edit)
        self._redo.append(stroke)
        self.version += 1
        return True

    def redo(self) -> bool:
        """Re-apply the last undone stroke; False when there is none."""
        self.end_stroke()
        if not self._redo:
            return False
        stroke = self._redo.pop()
        for edit in stroke:
            self._apply(edit)
        self._push(stroke)
        self.version += 1
        return True

    # ------------------------------------------------------------------ saving
    def to_arrays(self) -> dict[str, np.ndarray]:
        """Plain arrays (no objects) for np.savez: points, labels, keys and settings."""
        return {
            "X": self._X.copy(),
            "y": self._y.copy(),
            "key": self._key.copy(),
            "task": np.array(self.task.value),
            "n_classes": np.array(self.n_classes, dtype=np.int64),
            "test_fraction": np.array(self._test_fraction, dtype=np.float64),
            "seed": np.array(self.seed, dtype=np.int64),
            "next_id": np.array(self._next_id, dtype=np.int64),
            "max_points": np.array(self.max_points, dtype=np.int64),
        }

    @classmethod
    def from_arrays(cls, arrays: Mapping[str, np.ndarray]) -> PointSet:
        """Rebuild a set from to_arrays output (history starts empty).

        Only X and y are required. Without `key`, an `is_test` bool array (N,) keeps that exact
        split (keys are drawn below or above the ratio); with neither, points get fresh keys.
        ValueError names a bad entry. Old entry names (`test_ratio`) are read as the new ones.
        """
        arrays = migrate(arrays)
        for name in ("X", "y"):
            if name not in arrays:
                raise ValueError(f"point data lacks the array {name!r}")

        def scalar(name: str, default: Any, kind: type) -> Any:
            if name not in arrays:
                return default
            value = np.asarray(arrays[name])
            if value.shape != ():
                raise ValueError(f"point data entry {name!r} must be a single value")
            try:
                return kind(value.item())
            except (TypeError, ValueError):
                raise ValueError(
                    f"point data entry {name!r} is not a valid {kind.__name__}"
                ) from None

        y = np.asarray(arrays["y"])
        default_task = Task.REGRESSION if y.dtype.kind == "f" else Task.CLASSIFICATION
        task = scalar("task", default_task.value, str)
        n_classes = scalar("n_classes", None, int)
        if n_classes is None:
            used = int(y.max()) + 1 if y.size and y.dtype.kind in "iu" else 0
            n_classes = min(max(2, used), MAX_CLASSES)
        ps = cls(
            task,
            n_classes,
            max_points=scalar("max_points", MAX_POINTS, int),
            seed=scalar("seed", 0, int),
        )
        P = ps._check_points(arrays["X"])
        lab = ps._check_labels(y, len(P))
        ps._check_room(len(P))
        ratio = scalar("test_fraction", None, float)
        if "key" in arrays:
            key = _float_array(arrays["key"], "key", len(P))
            if not np.all((key >= 0.0) & (key < 1.0)):
                raise ValueError("point data entry 'key' must hold values in [0, 1)")
            ps._append(_Rows(P.copy(), lab, key.copy()))
            ps._next_id = max(scalar("next_id", len(P), int), len(P))
        elif "is_test" in arrays:
            flags = np.asarray(arrays["is_test"])
            if flags.shape != (len(P),) or flags.dtype != np.bool_:
                raise ValueError(f"point data entry 'is_test' must be {len(P)} booleans")
            if ratio is None:
                ratio = float(np.mean(flags)) if len(P) else 0.0
            if flags.any() and not 0.0 < ratio <= TEST_FRACTION_LEVEL_MAX:
                raise ValueError(
                    f"point data has test points but test ratio {ratio!r}; allowed: above 0, "
                    f"up to {TEST_FRACTION_LEVEL_MAX}"
                )
            rows = ps._new_rows(P, lab)
            ps._append(_Rows(rows.X, rows.y, _split_keys(rows.key, flags, ratio)))
        else:
            ps._append(ps._new_rows(P, lab))
        ps.set_test_fraction(0.0 if ratio is None else ratio)
        ps.version = 0
        return ps


def _split_keys(u: np.ndarray, flags: np.ndarray, ratio: float) -> np.ndarray:
    """Keys from uniform draws `u` that put exactly the `flags` points in the test split at
    this ratio: test keys below it, train keys at or above it."""
    key = np.where(flags, u * ratio, ratio + u * (1.0 - ratio))
    # train keys are >= ratio; the clamp keeps rounding from reaching 1.0
    return np.minimum(key, np.nextafter(1.0, 0.0))


def _float_array(value: object, name: str, n: int) -> np.ndarray:
    try:
        a = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"point data entry {name!r} must hold numbers") from None
    if a.shape != (n,):
        raise ValueError(f"point data entry {name!r} must have shape ({n},), got {a.shape}")
    return a


def _readonly(a: np.ndarray) -> np.ndarray:
    v = a.view()
    v.flags.writeable = False
    return v
