"""Scene files: save and load a whole sandbox (points, network, training settings, view, level).

A scene file (extension `.origami`) is a ZIP archive of a JSON manifest and NPY arrays; the
format, its limits and its validation are specified in `sandbox.io.scene_format`. This module
writes the archive (fixed timestamps and entry order, so the same scene always gives the same
bytes; atomically, so a failed save leaves the previous file intact) and reads it back trusting
nothing: file and entry sizes are capped before anything is decompressed, every entry is
CRC-checked, NPY headers are parsed and compared with the shapes the manifest implies before any
data is read, and never unpickles. Loading returns a fully validated `SceneData` or raises
ValueError naming the file and what is wrong, so the caller's state is never half-replaced.
Filesystem errors are reported as ValueError too, so the app needs one `except` for everything
a user can cause.
"""

from __future__ import annotations

import io
import json
import math
import os
import stat
import struct
import zipfile
import zlib
from dataclasses import fields
from pathlib import Path
from typing import Any

import numpy as np

from sandbox.io.atomic import atomic_write_bytes
from sandbox.io.scene_format import (
    _B1,
    _F8,
    _I8,
    FORMAT_NAME,
    FORMAT_VERSION,
    MAX_FILE_BYTES,
    MAX_MANIFEST_BYTES,
    MAX_POINTS,
    OPTIMIZERS,
    SUFFIX,
    TASKS,
    SceneData,
    TrainingSettings,
    ViewSettings,
    _arrays,
    _canonical,
    _choice,
    _int,
    _is_int,
    _manifest_text,
    _NewerVersion,
    _Problem,
    validate_scene,
)
from sandbox.nn.mlp import validate_sizes

__all__ = [
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "MAX_FILE_BYTES",
    "MAX_POINTS",
    "OPTIMIZERS",
    "SUFFIX",
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

# An NPY 1.0 header is padded to a multiple of 64 bytes; numpy itself refuses headers over 10000.
_NPY_HEADER_ALLOWANCE = 10_240
_FIXED_DATE = (1980, 1, 1, 0, 0, 0)

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


# ---------------------------------------------------------------------------- writing


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


def _keys(
    obj: object, name: str, expected: list[str], optional: tuple[str, ...] = ()
) -> dict[str, Any]:
    """`obj` as a dict with exactly the `expected` keys (those in `optional` may be missing:
    settings added after the first format, which then take their defaults)."""
    if not isinstance(obj, dict):
        raise _Problem(f"{name} must be a JSON object, got {type(obj).__name__}")
    unknown = [k for k in obj if k not in expected]
    if unknown:
        raise _Problem(f"{name} has unknown key {unknown[0]!r}; known: {', '.join(expected)}")
    missing = [k for k in expected if k not in obj and k not in optional]
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
            manifest["training"],
            "training",
            [f.name for f in fields(TrainingSettings)],
            optional=("schedule", "schedule_steps"),
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
