"""The scene file format: its layout, its limits and the validation of everything in it.

A scene file saves and restores a whole sandbox (points, network, training settings, view,
level). It has the extension `.origami` and is a ZIP archive, written by `save_scene` with fixed
timestamps and entry order, so the same scene always gives the same bytes:

- `manifest.json` (first entry, UTF-8 JSON): `format` ("neural-origami-scene"), `version`
  (`FORMAT_VERSION`), `task` ("classification" or "regression"), `network` {`sizes`},
  `points` {`count`}, `training` {the `TrainingSettings` fields}, `view` {the `ViewSettings`
  fields}, `level` (a level id or null), `extra` (free JSON settings of the app). JSON floats are
  written with the shortest repr that reads back to the same float, so settings round-trip bit
  for bit.
- `points/X.npy` (N, 2) float64, `points/labels.npy` (N,) int64 class ids (classification) or
  float64 targets (regression), `points/test.npy` (N,) bool test-split flags.
- `network/W1.npy`, `network/b1.npy`, ... one pair per layer, float64, W of shape (out, in).

Arrays are NPY version 1.0, little-endian, C order, no pickles, so floats round-trip bit for bit.

This module owns what a scene may hold: the dataclasses, the limits (at least everything the
app can set, so every scene it writes loads again) and `validate_scene`, which checks every
value (types, known keys, finite numbers, label ranges, network limits from `sandbox.nn`) and
raises ValueError naming the field and what is allowed. Reading and writing the archive live in
`sandbox.io.scene`.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np

from sandbox.nn.mlp import MLP, validate_sizes
from sandbox.settings import scene_default
from sandbox.vocab import (
    LR_MAX,
    MAX_BATCH_SIZE,
    MAX_POINTS,
    SCHEDULE_STEPS_RANGE,
    Optimizer,
    Schedule,
    Task,
)

FORMAT_NAME = "neural-origami-scene"
FORMAT_VERSION = 1
SUFFIX = ".origami"

TASKS = tuple(t.value for t in Task)
OPTIMIZERS = tuple(o.value for o in Optimizer)
SCHEDULES = tuple(s.value for s in Schedule)

MAX_FILE_BYTES = 32 * 1024 * 1024
MAX_MANIFEST_BYTES = 1024 * 1024
MAX_VIEWS = 32
MAX_EXTRA_DEPTH = 32
MAX_SEED = 2**63 - 1
MAX_STEPS = 2**63 - 1
MAX_LEARNING_RATE = LR_MAX
MAX_L2 = 1e3
MIN_ZOOM = 1e-6
MAX_ZOOM = 1e6
MAX_CENTER = 1e12
MAX_PRIOR_PRECISION = 1e12

_F8 = np.dtype("<f8")
_I8 = np.dtype("<i8")
_B1 = np.dtype("|b1")

_VIEW_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,31}")
_LEVEL_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")


class _Problem(ValueError):
    """What is wrong with a scene, without saying where; the public entry points add that."""


class _NewerVersion(ValueError):
    """A complete message: the file comes from a newer program."""


@dataclass
class TrainingSettings:
    """How the network is trained: the settings table's `training.*` settings, and `steps`.

    `test_fraction` is the train/test split ratio; `steps` the number of steps done so far.
    """

    optimizer: str = scene_default("optimizer")
    learning_rate: float = scene_default("learning_rate")
    batch_size: int = scene_default("batch_size")
    l2: float = scene_default("l2")
    schedule: str = scene_default("schedule")
    schedule_steps: int = scene_default("schedule_steps")
    momentum: float = scene_default("momentum")
    seed: int = scene_default("seed")
    test_fraction: float = scene_default("test_fraction")
    steps: int = 0


@dataclass
class ViewSettings:
    """What the window shows: the settings table's `view.*` settings (zoom, views, layer
    selector, Laplace prior), the camera's centre and the split screen.

    `views` holds view names such as "field", "regions", "creases", "laplace", "3d";
    `layer` is the layer selector: 0 for the joint partition, l for the partition of layers <= l.
    """

    center_x: float = 0.0
    center_y: float = 0.0
    zoom: float = scene_default("zoom")
    views: tuple[str, ...] = scene_default("views")
    layer: int = scene_default("layer_view")
    split_screen: bool = False
    prior_precision: float = scene_default("prior_precision")


@dataclass(eq=False)
class SceneData:
    """Everything needed to restore a sandbox exactly, as plain arrays and settings.

    X (N, 2) float64 points; `labels` (N,) int64 class ids in [0, K) for classification or
    float64 targets for regression; `test` (N,) bool test-split flags; `weights` [(W, b), ...]
    float64 with W of shape (out, in); `level` the current level id or None; `extra` free-form
    JSON-safe settings of the app. `version` is the format version the scene was read from.
    """

    X: np.ndarray
    labels: np.ndarray
    test: np.ndarray
    task: str
    weights: list[tuple[np.ndarray, np.ndarray]]
    training: TrainingSettings = field(default_factory=TrainingSettings)
    view: ViewSettings = field(default_factory=ViewSettings)
    level: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    version: int = FORMAT_VERSION

    @property
    def sizes(self) -> list[int]:
        """Layer sizes [2, h1, ..., out] implied by the weights."""
        return [int(np.shape(self.weights[0][0])[1])] + [
            int(np.shape(W)[0]) for W, _ in self.weights
        ]

    @property
    def n_points(self) -> int:
        return int(np.shape(self.X)[0])

    def build_network(self) -> MLP:
        """A new `MLP` holding copies of these weights."""
        return MLP.from_weights(self.weights)

    def identical(self, other: SceneData) -> bool:
        """True when both scenes would be saved as the same bytes (bitwise, so -0.0 != 0.0)."""
        a, b = validate_scene(self), validate_scene(other)
        if _manifest_text(a) != _manifest_text(b):
            return False
        return all(
            x.dtype == y.dtype and x.shape == y.shape and x.tobytes() == y.tobytes()
            for x, y in zip(_arrays(a).values(), _arrays(b).values(), strict=True)
        )


# ---------------------------------------------------------------------------- validation


def _is_int(value: object) -> bool:
    return isinstance(value, int | np.integer) and not isinstance(value, bool | np.bool_)


def _is_real(value: object) -> bool:
    return isinstance(value, int | float | np.integer | np.floating) and not isinstance(
        value, bool | np.bool_
    )


def _int(value: object, name: str, lo: int, hi: int) -> int:
    if not _is_int(value):
        raise _Problem(f"{name} must be an integer, got {value!r}")
    value = int(value)
    if not lo <= value <= hi:
        raise _Problem(f"{name} is {value}; allowed: {lo} to {hi}")
    return value


def _float(
    value: object, name: str, lo: float, hi: float, lo_open: bool = False, hi_open: bool = False
) -> float:
    if not _is_real(value):
        raise _Problem(f"{name} must be a number, got {value!r}")
    value = float(value)
    if not math.isfinite(value):
        raise _Problem(f"{name} is {value}; it must be a finite number")
    too_low = value <= lo if lo_open else value < lo
    too_high = value >= hi if hi_open else value > hi
    if too_low or too_high:
        left = "(" if lo_open else "["
        right = ")" if hi_open else "]"
        raise _Problem(f"{name} is {value!r}; allowed: {left}{lo:g}, {hi:g}{right}")
    return value


def _bool(value: object, name: str) -> bool:
    if not isinstance(value, bool | np.bool_):
        raise _Problem(f"{name} must be true or false, got {value!r}")
    return bool(value)


def _choice(value: object, name: str, allowed: tuple[str, ...]) -> str:
    # str(Enum) would give "Task.X"; a str-enum member's value is what we want.
    value = getattr(value, "value", value)
    if not isinstance(value, str) or value not in allowed:
        raise _Problem(f"{name} is {value!r}; allowed: {', '.join(sorted(allowed))}")
    return str(value)


def _array(value: object, name: str, kinds: str, dtype: np.dtype) -> np.ndarray:
    """A C-ordered little-endian copy in `dtype`, accepting only lossless source kinds."""
    if not isinstance(value, np.ndarray):
        try:
            value = np.asarray(value)
        except (TypeError, ValueError) as err:
            raise _Problem(f"{name} is not an array ({err})") from None
    if value.dtype.kind not in kinds:
        raise _Problem(f"{name} has dtype {value.dtype}; expected {dtype.name}")
    return np.array(value, dtype=dtype, order="C", copy=True)


def _json_safe(value: object, name: str, depth: int = 0) -> object:
    """A plain-Python copy of JSON-safe data (dict with str keys, list, str, finite numbers)."""
    if depth > MAX_EXTRA_DEPTH:
        raise _Problem(f"{name} is nested deeper than {MAX_EXTRA_DEPTH} levels")
    if value is None or isinstance(value, bool | str):
        return value
    if _is_int(value):
        return int(value)
    if isinstance(value, float | np.floating):
        if not math.isfinite(value):
            raise _Problem(f"{name} is {value}; only finite numbers can be saved")
        return float(value)
    if isinstance(value, list | tuple):
        return [_json_safe(v, f"{name}[{i}]", depth + 1) for i, v in enumerate(value)]
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if not isinstance(k, str):
                raise _Problem(f"{name} has the key {k!r}; keys must be strings")
            out[k] = _json_safe(v, f"{name}[{k!r}]", depth + 1)
        return out
    raise _Problem(f"{name} is a {type(value).__name__}; only JSON values can be saved")


def _canonical(scene: SceneData) -> SceneData:
    """Validate every field and return an independent copy in the canonical dtypes."""
    if not isinstance(scene, SceneData):
        raise _Problem(f"expected a SceneData, got {type(scene).__name__}")
    task = _choice(scene.task, "task", TASKS)

    # network
    try:
        layers = list(scene.weights)
    except TypeError:
        raise _Problem("weights must be a list of (W, b) pairs") from None
    if not 2 <= len(layers) <= 9:
        raise _Problem(f"weights have {len(layers)} layers; allowed: 2 to 9 (W, b) pairs")
    weights = []
    for i, pair in enumerate(layers, start=1):
        if not isinstance(pair, tuple | list) or len(pair) != 2:
            raise _Problem(f"layer {i} must be a (W, b) pair")
        W = _array(pair[0], f"layer {i} W", "fiu", _F8)
        b = _array(pair[1], f"layer {i} b", "fiu", _F8)
        if W.ndim != 2 or b.ndim != 1 or b.shape[0] != W.shape[0]:
            raise _Problem(f"layer {i}: W must be (out, in) and b (out,); got {W.shape}, {b.shape}")
        if not (np.isfinite(W).all() and np.isfinite(b).all()):
            raise _Problem(f"layer {i} has NaN or infinite weights")
        weights.append((W, b))
    sizes = [weights[0][0].shape[1]]
    for i, (W, _) in enumerate(weights, start=1):
        if W.shape[1] != sizes[-1]:
            raise _Problem(
                f"layer {i} W has {W.shape[1]} inputs but the previous layer has {sizes[-1]}"
            )
        sizes.append(W.shape[0])
    try:
        validate_sizes(sizes)
        MLP.from_weights(weights)
    except ValueError as err:
        raise _Problem(f"network: {err}") from None
    n_out = sizes[-1]
    if task == "classification" and n_out == 1:
        raise _Problem("a classification scene needs 2 to 6 network outputs, the network has 1")
    if task == "regression" and n_out != 1:
        raise _Problem(f"a regression scene needs 1 network output, the network has {n_out}")

    # points
    X = _array(scene.X, "points X", "fiu", _F8)
    if X.ndim != 2 or X.shape[1] != 2:
        raise _Problem(f"points X must have shape (N, 2), got {X.shape}")
    n = X.shape[0]
    if n > MAX_POINTS:
        raise _Problem(f"{n} points; at most {MAX_POINTS} can be saved")
    if not np.isfinite(X).all():
        raise _Problem("points X contain NaN or infinite coordinates")
    if task == "classification":
        labels = _array(scene.labels, "labels", "iu", _I8)
    else:
        labels = _array(scene.labels, "targets", "fiu", _F8)
    if labels.shape != (n,):
        raise _Problem(f"labels must have shape ({n},) like the points, got {labels.shape}")
    if task == "classification" and n and (labels.min() < 0 or labels.max() >= n_out):
        bad = labels[(labels < 0) | (labels >= n_out)][0]
        raise _Problem(f"label {bad} is out of range; allowed: 0 to {n_out - 1} ({n_out} classes)")
    if task == "regression" and not np.isfinite(labels).all():
        raise _Problem("regression targets contain NaN or infinite values")
    test = _array(scene.test, "test flags", "b", _B1)
    if test.shape != (n,):
        raise _Problem(f"test flags must have shape ({n},) like the points, got {test.shape}")

    # settings
    t = scene.training
    if not isinstance(t, TrainingSettings):
        raise _Problem(f"training must be TrainingSettings, got {type(t).__name__}")
    training = TrainingSettings(
        optimizer=_choice(t.optimizer, "training.optimizer", OPTIMIZERS),
        learning_rate=_float(
            t.learning_rate, "training.learning_rate", 0.0, MAX_LEARNING_RATE, lo_open=True
        ),
        batch_size=_int(t.batch_size, "training.batch_size", 1, MAX_BATCH_SIZE),
        l2=_float(t.l2, "training.l2", 0.0, MAX_L2),
        schedule=_choice(t.schedule, "training.schedule", SCHEDULES),
        schedule_steps=_int(t.schedule_steps, "training.schedule_steps", *SCHEDULE_STEPS_RANGE),
        momentum=_float(t.momentum, "training.momentum", 0.0, 1.0, hi_open=True),
        seed=_int(t.seed, "training.seed", 0, MAX_SEED),
        test_fraction=_float(t.test_fraction, "training.test_fraction", 0.0, 1.0, hi_open=True),
        steps=_int(t.steps, "training.steps", 0, MAX_STEPS),
    )
    v = scene.view
    if not isinstance(v, ViewSettings):
        raise _Problem(f"view must be ViewSettings, got {type(v).__name__}")
    if isinstance(v.views, str) or not isinstance(v.views, tuple | list):
        raise _Problem(f"view.views must be a list of view names, got {v.views!r}")
    if len(v.views) > MAX_VIEWS:
        raise _Problem(f"view.views has {len(v.views)} names; at most {MAX_VIEWS}")
    views = []
    for name in v.views:
        name = getattr(name, "value", name)
        if not isinstance(name, str) or not _VIEW_NAME.fullmatch(name):
            raise _Problem(
                f"view name {name!r} is not allowed; names are 1 to 32 lowercase letters, "
                "digits, '_' or '-'"
            )
        if name in views:
            raise _Problem(f"view name {name!r} appears twice")
        views.append(name)
    n_hidden_layers = len(sizes) - 2
    view = ViewSettings(
        center_x=_float(v.center_x, "view.center_x", -MAX_CENTER, MAX_CENTER),
        center_y=_float(v.center_y, "view.center_y", -MAX_CENTER, MAX_CENTER),
        zoom=_float(v.zoom, "view.zoom", MIN_ZOOM, MAX_ZOOM),
        views=tuple(views),
        layer=_int(v.layer, "view.layer (0 = joint)", 0, n_hidden_layers),
        split_screen=_bool(v.split_screen, "view.split_screen"),
        prior_precision=_float(
            v.prior_precision, "view.prior_precision", 0.0, MAX_PRIOR_PRECISION, lo_open=True
        ),
    )

    level = scene.level
    if level is not None and (not isinstance(level, str) or not _LEVEL_ID.fullmatch(level)):
        raise _Problem(
            f"level {level!r} is not a level id (1 to 64 letters, digits, '_', '.' or '-')"
        )
    if not isinstance(scene.extra, dict):
        raise _Problem(f"extra must be a dict of JSON values, got {type(scene.extra).__name__}")
    extra = _json_safe(scene.extra, "extra")
    version = _int(scene.version, "version", 1, FORMAT_VERSION)
    return SceneData(
        X=X,
        labels=labels,
        test=test,
        task=task,
        weights=weights,
        training=training,
        view=view,
        level=level,
        extra=extra,
        version=version,
    )


def validate_scene(scene: SceneData) -> SceneData:
    """Check a scene and return an independent canonical copy (float64 / int64 / bool arrays).

    Raises ValueError naming the field and what is allowed.
    """
    try:
        return _canonical(scene)
    except _Problem as err:
        raise ValueError(f"scene: {err}") from None


# ---------------------------------------------------------------------------- layout


def _manifest(scene: SceneData) -> dict[str, Any]:
    t, v = scene.training, scene.view
    return {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "task": scene.task,
        "network": {"sizes": scene.sizes},
        "points": {"count": scene.n_points},
        "training": {f.name: getattr(t, f.name) for f in fields(TrainingSettings)},
        "view": {
            f.name: list(v.views) if f.name == "views" else getattr(v, f.name)
            for f in fields(ViewSettings)
        },
        "level": scene.level,
        "extra": scene.extra,
    }


def _manifest_text(scene: SceneData) -> str:
    return json.dumps(_manifest(scene), indent=2, allow_nan=False, ensure_ascii=True) + "\n"


def _arrays(scene: SceneData) -> dict[str, np.ndarray]:
    out = {
        "points/X.npy": scene.X,
        "points/labels.npy": scene.labels,
        "points/test.npy": scene.test,
    }
    for i, (W, b) in enumerate(scene.weights, start=1):
        out[f"network/W{i}.npy"] = W
        out[f"network/b{i}.npy"] = b
    return out
