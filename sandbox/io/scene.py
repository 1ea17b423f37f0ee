"""Scene files: save and load a whole sandbox (points, network, training settings, view, level).

A scene file (extension `.origami`) is a ZIP archive, written by `save_scene` with fixed
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
Reading never unpickles and trusts nothing: file and entry sizes are capped before anything is
decompressed, every entry is CRC-checked, the NPY headers are parsed and compared with the
shapes the manifest implies before any data is read, and every value is validated (types,
known keys, finite numbers, label ranges, network limits from `sandbox.nn`). A file from a newer
version, a damaged, truncated or hand-broken file, or an impossible scene raises ValueError
naming the file and what is wrong; loading returns a fully validated `SceneData` or raises, so
the caller's state is never half-replaced. Saving validates first and writes atomically
(`sandbox.io.atomic`), so a failed save leaves the previous file intact. Filesystem errors are
reported as ValueError too, so the app needs one `except` for everything a user can cause.
"""

from __future__ import annotations

import io
import json
import math
import os
import re
import stat
import struct
import zipfile
import zlib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import numpy as np

from sandbox.io.atomic import atomic_write_bytes
from sandbox.nn.mlp import MLP, validate_sizes
from sandbox.vocab import (
    DEFAULT_BATCH_SIZE,
    DEFAULT_LR,
    DEFAULT_MOMENTUM,
    LR_MAX,
    MAX_BATCH_SIZE,
    MAX_POINTS,
    Optimizer,
    Task,
)

__all__ = [
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "MAX_FILE_BYTES",
    "MAX_POINTS",
    "OPTIMIZERS",
    "TASKS",
    "SceneData",
    "TrainingSettings",
    "ViewSettings",
    "load_scene",
    "save_scene",
    "scene_from_bytes",
    "scene_to_bytes",
    "validate_scene",
]

FORMAT_NAME = "neural-origami-scene"
FORMAT_VERSION = 1
SUFFIX = ".origami"

TASKS = tuple(t.value for t in Task)
OPTIMIZERS = tuple(o.value for o in Optimizer)

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

# An NPY 1.0 header is padded to a multiple of 64 bytes; numpy itself refuses headers over 10000.
_NPY_HEADER_ALLOWANCE = 10_240
_FIXED_DATE = (1980, 1, 1, 0, 0, 0)
_F8 = np.dtype("<f8")
_I8 = np.dtype("<i8")
_B1 = np.dtype("|b1")

_VIEW_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,31}")
_LEVEL_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")

# Exceptions the standard library and numpy raise on damaged archives and NPY headers.
_DAMAGE_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    EOFError,
    OSError,
    struct.error,
    NotImplementedError,
    RuntimeError,
    KeyError,
    IndexError,
    OverflowError,
    SyntaxError,
    ValueError,
)


class _Problem(ValueError):
    """What is wrong with a scene, without saying where; the public entry points add that."""


class _NewerVersion(ValueError):
    """A complete message: the file comes from a newer program."""


@dataclass
class TrainingSettings:
    """How the network is trained; the names follow `sandbox.nn.Trainer`.

    `test_fraction` is the train/test split ratio; `steps` the number of steps done so far.
    """

    optimizer: str = Optimizer.ADAM.value
    learning_rate: float = DEFAULT_LR
    batch_size: int = DEFAULT_BATCH_SIZE
    l2: float = 0.0
    momentum: float = DEFAULT_MOMENTUM
    seed: int = 0
    test_fraction: float = 0.0
    steps: int = 0


@dataclass
class ViewSettings:
    """What the window shows: camera, active views, layer selector, split screen, Laplace prior.

    `views` holds view names such as "field", "regions", "creases", "laplace", "3d";
    `layer` is the layer selector: 0 for the joint partition, l for the partition of layers <= l.
    """

    center_x: float = 0.0
    center_y: float = 0.0
    zoom: float = 1.0
    views: tuple[str, ...] = ("field", "regions", "creases")
    layer: int = 0
    split_screen: bool = False
    prior_precision: float = 1.0


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


# ---------------------------------------------------------------------------- writing


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


def _npy_bytes(array: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.lib.format.write_array(buf, array, version=(1, 0), allow_pickle=False)
    return buf.getvalue()


def scene_to_bytes(scene: SceneData) -> bytes:
    """The scene file's bytes (validated first; raises ValueError for an impossible scene)."""
    scene = validate_scene(scene)
    manifest = _manifest_text(scene).encode("ascii")
    if len(manifest) > MAX_MANIFEST_BYTES:
        raise ValueError(
            f"scene: the settings take {len(manifest)} bytes; at most {MAX_MANIFEST_BYTES} "
            "(is `extra` holding something large?)"
        )
    entries = {"manifest.json": manifest}
    entries.update({name: _npy_bytes(a) for name, a in _arrays(scene).items()})
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in entries.items():
            info = zipfile.ZipInfo(name, date_time=_FIXED_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, data, compresslevel=6)
    data = buf.getvalue()
    if len(data) > MAX_FILE_BYTES:
        raise ValueError(f"scene: the file would take {len(data)} bytes; at most {MAX_FILE_BYTES}")
    return data


def save_scene(path: str | os.PathLike[str], scene: SceneData) -> None:
    """Validate `scene` and write it to `path` atomically (the old file survives any failure).

    Raises ValueError for an impossible scene or when the file cannot be written.
    """
    data = scene_to_bytes(scene)
    try:
        atomic_write_bytes(path, data)
    except OSError as err:
        raise ValueError(f"cannot write scene file {path}: {err.strerror or err}") from err


# ---------------------------------------------------------------------------- reading


def _json_constant(name: str) -> None:
    raise _Problem(f"manifest.json contains {name}; only finite numbers are allowed")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = {}
    for key, value in pairs:
        if key in out:
            raise _Problem(f"manifest.json has the key {key!r} twice")
        out[key] = value
    return out


def _keys(obj: object, name: str, expected: list[str]) -> dict[str, Any]:
    if not isinstance(obj, dict):
        raise _Problem(f"{name} must be a JSON object, got {type(obj).__name__}")
    unknown = [k for k in obj if k not in expected]
    if unknown:
        raise _Problem(f"{name} has unknown key {unknown[0]!r}; known: {', '.join(expected)}")
    missing = [k for k in expected if k not in obj]
    if missing:
        raise _Problem(f"{name} is missing the key {missing[0]!r}")
    return obj


def _read_entry(zf: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int) -> bytes:
    if info.flag_bits & 0x1:
        raise _Problem(f"entry {info.filename} is encrypted; scene files never are")
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise _Problem(f"entry {info.filename} uses an unsupported compression method")
    if info.file_size > cap:
        raise _Problem(
            f"entry {info.filename} holds {info.file_size} bytes; at most {cap} expected"
        )
    with zf.open(info) as fh:
        # Reading to the end makes zipfile check the CRC; the cap guards against a lying header.
        data = fh.read(cap + 1)
    if len(data) > cap:
        raise _Problem(f"entry {info.filename} is larger than its header says")
    return data


def _read_npy(data: bytes, name: str, dtype: np.dtype, shape: tuple[int, ...]) -> np.ndarray:
    fh = io.BytesIO(data)
    try:
        major, _minor = np.lib.format.read_magic(fh)
        if major != 1:
            raise _Problem(f"{name}: NPY format {major}.x; scene files use 1.0")
        file_shape, fortran, file_dtype = np.lib.format.read_array_header_1_0(fh)
    except _Problem:
        raise
    except Exception as err:
        # numpy parses the header with tokenize and ast; what they raise on garbage varies.
        raise _Problem(f"{name} has a damaged NPY header ({type(err).__name__}: {err})") from None
    if file_dtype != dtype:
        raise _Problem(f"{name} has dtype {file_dtype.str}; expected {dtype.str}")
    if tuple(file_shape) != shape:
        raise _Problem(f"{name} has shape {tuple(file_shape)}; the manifest implies {shape}")
    if fortran:
        raise _Problem(f"{name} is stored in Fortran order; scene files use C order")
    body = data[fh.tell() :]
    nbytes = math.prod(shape) * dtype.itemsize
    if len(body) != nbytes:
        raise _Problem(f"{name} holds {len(body)} data bytes; its header promises {nbytes}")
    if dtype == _B1 and nbytes and np.frombuffer(body, dtype=np.uint8).max() > 1:
        raise _Problem(f"{name} holds bytes other than 0 and 1 in a bool array")
    return np.frombuffer(body, dtype=dtype).reshape(shape).copy()


def _decode(data: bytes, source: str) -> SceneData:
    if len(data) > MAX_FILE_BYTES:
        raise _Problem(f"the file has {len(data)} bytes; scene files are at most {MAX_FILE_BYTES}")
    if not data.startswith(b"PK\x03\x04"):
        raise _Problem("not a scene file (it is not a ZIP archive)")
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        infos = zf.infolist()
        names = [i.filename for i in infos]
        if len(names) > 64:
            raise _Problem(f"the archive has {len(names)} entries; a scene has at most 21")
        if len(set(names)) != len(names):
            raise _Problem("the archive holds the same entry twice")
        by_name = dict(zip(names, infos, strict=True))
        if "manifest.json" not in by_name:
            raise _Problem("manifest.json is missing (not a scene file?)")
        raw = _read_entry(zf, by_name["manifest.json"], MAX_MANIFEST_BYTES)
        try:
            manifest = json.loads(
                raw.decode("utf-8"),
                object_pairs_hook=_no_duplicates,
                parse_constant=_json_constant,
            )
        except _Problem:
            raise
        except (ValueError, RecursionError) as err:
            raise _Problem(f"manifest.json is not valid JSON ({err})") from None
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_NAME:
            raise _Problem(f"manifest.json does not say format {FORMAT_NAME!r}; not a scene file")
        version = manifest.get("version")
        if not _is_int(version) or version < 1:
            raise _Problem(
                f"format version {version!r} is not valid; expected 1 to {FORMAT_VERSION}"
            )
        if version > FORMAT_VERSION:
            raise _NewerVersion(
                f"scene file {source} was written by a newer version (format {version}); "
                f"this version reads up to {FORMAT_VERSION}"
            )
        top = ["format", "version", "task", "network", "points", "training", "view", "level"]
        _keys(manifest, "manifest", [*top, "extra"])
        task = _choice(manifest["task"], "task", TASKS)
        raw_sizes = _keys(manifest["network"], "network", ["sizes"])["sizes"]
        if not isinstance(raw_sizes, list) or not all(_is_int(s) for s in raw_sizes):
            raise _Problem(f"network.sizes must be a list of integers, got {raw_sizes!r}")
        try:
            sizes = validate_sizes(raw_sizes)
        except ValueError as err:
            raise _Problem(f"network.sizes: {err}") from None
        n = _int(
            _keys(manifest["points"], "points", ["count"])["count"], "points.count", 0, MAX_POINTS
        )
        training_raw = _keys(
            manifest["training"], "training", [f.name for f in fields(TrainingSettings)]
        )
        view_raw = dict(_keys(manifest["view"], "view", [f.name for f in fields(ViewSettings)]))
        if not isinstance(view_raw["views"], list):
            raise _Problem(f"view.views must be a list of names, got {view_raw['views']!r}")
        view_raw["views"] = tuple(view_raw["views"])

        shapes: dict[str, tuple[tuple[int, ...], np.dtype]] = {
            "points/X.npy": ((n, 2), _F8),
            "points/labels.npy": ((n,), _I8 if task == "classification" else _F8),
            "points/test.npy": ((n,), _B1),
        }
        for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True), start=1):
            shapes[f"network/W{i}.npy"] = ((n_out, n_in), _F8)
            shapes[f"network/b{i}.npy"] = ((n_out,), _F8)
        unexpected = sorted(set(names) - set(shapes) - {"manifest.json"})
        if unexpected:
            raise _Problem(f"unexpected entry {unexpected[0]} in the archive")
        arrays = {}
        for name, (shape, dtype) in shapes.items():
            if name not in by_name:
                raise _Problem(f"entry {name} is missing")
            cap = _NPY_HEADER_ALLOWANCE + math.prod(shape) * dtype.itemsize
            arrays[name] = _read_npy(_read_entry(zf, by_name[name], cap), name, dtype, shape)

    scene = SceneData(
        X=arrays["points/X.npy"],
        labels=arrays["points/labels.npy"],
        test=arrays["points/test.npy"],
        task=task,
        weights=[
            (arrays[f"network/W{i}.npy"], arrays[f"network/b{i}.npy"]) for i in range(1, len(sizes))
        ],
        training=TrainingSettings(**training_raw),
        view=ViewSettings(**view_raw),
        level=manifest["level"],
        extra=manifest["extra"],
        version=version,
    )
    return _canonical(scene)


def scene_from_bytes(data: bytes, source: str = "<memory>") -> SceneData:
    """Parse and validate a scene file's bytes; `source` names the file in error messages.

    Returns a fully validated SceneData or raises ValueError (never another exception type).
    """
    try:
        return _decode(bytes(data), source)
    except _NewerVersion:
        raise
    except _Problem as err:
        raise ValueError(f"scene file {source}: {err}") from None
    except RecursionError as err:
        raise ValueError(f"scene file {source} is damaged (nested too deeply)") from err
    except _DAMAGE_ERRORS as err:
        kind = "zlib.error" if isinstance(err, zlib.error) else type(err).__name__
        raise ValueError(f"scene file {source} is damaged or truncated ({kind}: {err})") from err


def load_scene(path: str | os.PathLike[str]) -> SceneData:
    """Read a scene file. Pure: returns a validated SceneData or raises ValueError; it changes
    nothing, so a failed load leaves the caller's state exactly as it was."""
    p = Path(path)
    try:
        info = p.stat()
        if not stat.S_ISREG(info.st_mode):
            raise ValueError(f"cannot read scene file {p}: not a regular file")
        size = info.st_size
        if size > MAX_FILE_BYTES:
            raise ValueError(
                f"scene file {p} has {size} bytes; scene files are at most {MAX_FILE_BYTES}"
            )
        with open(p, "rb") as fh:
            data = fh.read(MAX_FILE_BYTES + 1)
    except OSError as err:
        raise ValueError(f"cannot read scene file {p}: {err.strerror or err}") from err
    return scene_from_bytes(data, str(p))
