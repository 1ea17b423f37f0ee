"""Scene files: bit-for-bit round trips, strict validation, clear errors, atomic saves."""

import io
import json
import struct
import warnings
import zipfile
from dataclasses import replace
from enum import Enum

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from sandbox.io import atomic, scene
from sandbox.io.scene import (
    FORMAT_VERSION,
    MAX_POINTS,
    SceneData,
    TrainingSettings,
    ViewSettings,
    load_scene,
    save_scene,
    scene_from_bytes,
    scene_to_bytes,
    validate_scene,
)
from sandbox.nn import MLP

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def make_scene(n=40, sizes=(2, 5, 4, 3), seed=0, task=None, **kw):
    rng = np.random.default_rng(seed)
    net = MLP(list(sizes), seed=seed)
    k = sizes[-1]
    task = task or ("regression" if k == 1 else "classification")
    labels = rng.normal(size=n) if task == "regression" else rng.integers(0, k, n)
    return SceneData(
        X=rng.normal(scale=3.0, size=(n, 2)),
        labels=labels,
        test=rng.random(n) < 0.25,
        task=task,
        weights=net.weights(),
        **kw,
    )


def assert_bitwise_equal(a: SceneData, b: SceneData) -> None:
    for x, y in [(a.X, b.X), (a.labels, b.labels), (a.test, b.test)]:
        assert x.dtype == y.dtype and x.shape == y.shape and x.tobytes() == y.tobytes()
    assert len(a.weights) == len(b.weights)
    for (W1, b1), (W2, b2) in zip(a.weights, b.weights, strict=True):
        assert W1.dtype == W2.dtype == np.float64
        assert W1.tobytes() == W2.tobytes() and b1.tobytes() == b2.tobytes()
        assert W1.shape == W2.shape and b1.shape == b2.shape
    assert a.task == b.task and a.level == b.level and a.extra == b.extra
    for s, t in [(a.training, b.training), (a.view, b.view)]:
        for f in s.__dataclass_fields__:
            u, v = getattr(s, f), getattr(t, f)
            assert type(u) is type(v), f
            if isinstance(u, float):
                assert struct.pack("<d", u) == struct.pack("<d", v), f
            else:
                assert u == v, f


def entries(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {i.filename: zf.read(i) for i in zf.infolist()}


def rezip(items: dict[str, bytes] | list[tuple[str, bytes]]) -> bytes:
    buf = io.BytesIO()
    pairs = items.items() if isinstance(items, dict) else items
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate-name test case
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, data in pairs:
                zf.writestr(name, data)
    return buf.getvalue()


def with_manifest(data: bytes, edit) -> bytes:
    items = entries(data)
    manifest = json.loads(items["manifest.json"])
    edit(manifest)
    items["manifest.json"] = json.dumps(manifest).encode()
    return rezip(items)


def npy(array: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.save(buf, array, allow_pickle=False)
    return buf.getvalue()


# ---------------------------------------------------------------- strategies

finite = st.floats(allow_nan=False, allow_infinity=False)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | finite | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=12,
)
VIEW_NAMES = ["field", "boundary", "regions", "creases", "laplace", "split", "3d", "probe"]


@st.composite
def scenes(draw):
    hidden = draw(st.lists(st.integers(1, 6), min_size=1, max_size=3))
    k = draw(st.sampled_from([1, 2, 3, 6]))
    sizes = [2, *hidden, k]
    weights = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True):
        W = draw(hnp.arrays(np.float64, (n_out, n_in), elements=finite))
        b = draw(hnp.arrays(np.float64, (n_out,), elements=finite))
        weights.append((W, b))
    n = draw(st.integers(0, 30))
    if k == 1:
        task = "regression"
        labels = draw(hnp.arrays(np.float64, (n,), elements=finite))
    else:
        task = "classification"
        labels = draw(hnp.arrays(np.int64, (n,), elements=st.integers(0, k - 1)))
    training = TrainingSettings(
        optimizer=draw(st.sampled_from(scene.OPTIMIZERS)),
        learning_rate=draw(st.floats(0, 1e4, exclude_min=True)),
        batch_size=draw(st.integers(1, 10**6)),
        l2=draw(st.floats(0, 1e3)),
        momentum=draw(st.floats(0, 1, exclude_max=True)),
        seed=draw(st.integers(0, 2**63 - 1)),
        test_fraction=draw(st.floats(0, 1, exclude_max=True)),
        steps=draw(st.integers(0, 2**63 - 1)),
    )
    view = ViewSettings(
        center_x=draw(st.floats(-1e12, 1e12)),
        center_y=draw(st.floats(-1e12, 1e12)),
        zoom=draw(st.floats(1e-6, 1e6)),
        views=tuple(draw(st.lists(st.sampled_from(VIEW_NAMES), unique=True))),
        layer=draw(st.integers(0, len(hidden))),
        split_screen=draw(st.booleans()),
        prior_precision=draw(st.floats(0, 1e12, exclude_min=True)),
    )
    return SceneData(
        X=draw(hnp.arrays(np.float64, (n, 2), elements=finite)),
        labels=labels,
        test=draw(hnp.arrays(np.bool_, (n,))),
        task=task,
        weights=weights,
        training=training,
        view=view,
        level=draw(st.none() | st.from_regex(r"[a-z0-9][a-z0-9_.-]{0,10}", fullmatch=True)),
        extra=draw(st.dictionaries(st.text(max_size=6), JSON, max_size=4)),
    )


# ---------------------------------------------------------------- round trips


@settings(max_examples=60, deadline=None)
@given(scenes())
def test_round_trip_bit_for_bit(s):
    data = scene_to_bytes(s)
    back = scene_from_bytes(data)
    assert_bitwise_equal(s, back)
    assert back.identical(s)
    assert scene_to_bytes(back) == data  # deterministic: same scene, same bytes


def test_round_trip_through_disk_special_floats(tmp_path):
    s = make_scene(n=6)
    s.X[:, 0] = [-0.0, 5e-324, -1.7976931348623157e308, 1e-310, np.nextafter(1.0, 2.0), 0.1]
    s.weights[0][0][0, 0] = -0.0
    s.training.learning_rate = 0.1 + 0.2
    s.view.zoom = 1 / 3
    path = tmp_path / "a.origami"
    save_scene(path, s)
    back = load_scene(path)
    assert_bitwise_equal(validate_scene(s), back)
    assert np.signbit(back.X[0, 0]) and np.signbit(back.weights[0][0][0, 0])
    assert back.version == FORMAT_VERSION
    net = back.build_network()
    assert net.sizes == [2, 5, 4, 3]
    grid = np.linspace(-3, 3, 14).reshape(7, 2)
    np.testing.assert_array_equal(net.forward(grid), MLP.from_weights(s.weights).forward(grid))


def test_regression_scene_and_empty_points_round_trip():
    s = make_scene(n=0, sizes=(2, 3, 1))
    back = scene_from_bytes(scene_to_bytes(s))
    assert back.task == "regression" and back.labels.dtype == np.float64
    assert back.X.shape == (0, 2) and back.test.shape == (0,)
    s = make_scene(n=20, sizes=(2, 8, 1))
    assert_bitwise_equal(validate_scene(s), scene_from_bytes(scene_to_bytes(s)))


def test_canonical_dtypes_and_str_enum_task():
    class Task(str, Enum):  # noqa: UP042 (the project's string-enum form)
        CLASSIFICATION = "classification"

    s = make_scene(n=5, task=Task.CLASSIFICATION)
    s.labels = s.labels.astype(np.uint8)
    s.X = s.X.astype(np.float32)
    s.weights = [(W.astype(np.float32), b) for W, b in s.weights]
    back = scene_from_bytes(scene_to_bytes(s))
    assert back.task == "classification" and type(back.task) is str
    assert back.labels.dtype == np.int64 and back.X.dtype == np.float64
    np.testing.assert_array_equal(back.X, s.X.astype(np.float64))


def test_loaded_arrays_are_independent_and_writable():
    s = make_scene()
    back = scene_from_bytes(scene_to_bytes(s))
    for a in [back.X, back.labels, back.test, *[w for pair in back.weights for w in pair]]:
        assert a.flags.writeable and a.flags.c_contiguous
    v = validate_scene(s)
    v.X[0, 0] = 123.0
    assert s.X[0, 0] != 123.0


def test_file_layout_is_documented_zip_with_npy():
    items = entries(scene_to_bytes(make_scene(sizes=(2, 4, 2))))
    assert list(items)[0] == "manifest.json"
    assert set(items) == {
        "manifest.json",
        "points/X.npy",
        "points/labels.npy",
        "points/test.npy",
        "network/W1.npy",
        "network/b1.npy",
        "network/W2.npy",
        "network/b2.npy",
    }
    manifest = json.loads(items["manifest.json"])
    assert manifest["format"] == "neural-origami-scene" and manifest["version"] == FORMAT_VERSION
    assert manifest["network"]["sizes"] == [2, 4, 2]
    assert np.load(io.BytesIO(items["network/W1.npy"]), allow_pickle=False).shape == (4, 2)


# ---------------------------------------------------------------- validation on save

BAD_SCENES = [
    (dict(task="clustering"), "task is 'clustering'; allowed: classification, regression"),
    (dict(task="regression"), "regression scene needs 1 network output"),
    (dict(X=np.zeros((40, 3))), "shape \\(N, 2\\)"),
    (dict(X=np.full((40, 2), np.nan)), "NaN or infinite"),
    (dict(X=np.zeros((40, 2), dtype=complex)), "dtype complex128"),
    (dict(labels=np.full(40, 3)), "label 3 is out of range; allowed: 0 to 2"),
    (dict(labels=np.full(40, -1)), "label -1 is out of range"),
    (dict(labels=np.zeros(40)), "labels has dtype float64; expected int64"),
    (dict(labels=np.zeros(39, dtype=int)), "labels must have shape \\(40,\\)"),
    (dict(test=np.zeros(40, dtype=int)), "test flags has dtype int64; expected bool"),
    (dict(weights=[]), "allowed: 2 to 9"),
    (
        dict(training=TrainingSettings(optimizer="lbfgs")),
        "optimizer is 'lbfgs'; allowed: adam, sgd",
    ),
    (dict(training=TrainingSettings(learning_rate=0.0)), "learning_rate is 0.0; allowed: \\(0"),
    (dict(training=TrainingSettings(learning_rate=float("inf"))), "finite"),
    (dict(training=TrainingSettings(batch_size=0)), "batch_size is 0; allowed: 1 to"),
    (dict(training=TrainingSettings(batch_size=True)), "batch_size must be an integer"),
    (dict(training=TrainingSettings(momentum=1.0)), "momentum is 1.0"),
    (dict(training=TrainingSettings(seed=-1)), "seed is -1"),
    (dict(training=TrainingSettings(test_fraction=1.0)), "test_fraction"),
    (dict(view=ViewSettings(zoom=0.0)), "zoom is 0.0"),
    (dict(view=ViewSettings(layer=3)), "layer \\(0 = joint\\) is 3; allowed: 0 to 2"),
    (dict(view=ViewSettings(views=("Regions!",))), "view name 'Regions!' is not allowed"),
    (dict(view=ViewSettings(views=("field", "field"))), "appears twice"),
    (dict(view=ViewSettings(views="field")), "list of view names"),
    (dict(view=ViewSettings(split_screen=1)), "split_screen must be true or false"),
    (dict(view=ViewSettings(prior_precision=-1.0)), "prior_precision"),
    (dict(level="../etc/passwd"), "not a level id"),
    (dict(extra={"a": float("nan")}), "extra\\['a'\\] is nan"),
    (dict(extra={1: 2}), "keys must be strings"),
    (dict(extra={"a": object()}), "only JSON values"),
]


@pytest.mark.parametrize("change, message", BAD_SCENES)
def test_impossible_scene_refused_before_writing(tmp_path, change, message):
    path = tmp_path / "keep.origami"
    path.write_bytes(b"previous")
    bad = replace(make_scene(), **change)
    with pytest.raises(ValueError, match=message):
        save_scene(path, bad)
    assert path.read_bytes() == b"previous"


def test_network_shape_errors_name_the_layer():
    s = make_scene()
    W, b = s.weights[1]
    with pytest.raises(ValueError, match="layer 2 W has 6 inputs but the previous layer has 5"):
        validate_scene(replace(s, weights=[s.weights[0], (np.zeros((4, 6)), b), s.weights[2]]))
    with pytest.raises(ValueError, match="layer 2 has NaN"):
        validate_scene(replace(s, weights=[s.weights[0], (W, b * np.nan), s.weights[2]]))
    with pytest.raises(ValueError, match="width 1200; allowed: 1 to 1000"):
        validate_scene(_wide_scene())


def _wide_scene():
    s = make_scene(sizes=(2, 3, 2))
    return replace(
        s, weights=[(np.zeros((1200, 2)), np.zeros(1200)), (np.zeros((2, 1200)), np.zeros(2))]
    )


def test_point_limit():
    s = make_scene(n=MAX_POINTS)
    assert scene_from_bytes(scene_to_bytes(s)).n_points == MAX_POINTS
    with pytest.raises(ValueError, match=f"{MAX_POINTS + 1} points; at most {MAX_POINTS}"):
        scene_to_bytes(make_scene(n=MAX_POINTS + 1))


def test_failed_write_keeps_old_file(tmp_path, monkeypatch):
    path = tmp_path / "s.origami"
    old = make_scene(seed=1)
    save_scene(path, old)
    before = path.read_bytes()

    def fail(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic.os, "replace", fail)
    with pytest.raises(ValueError, match="cannot write scene file .*No space left"):
        save_scene(path, make_scene(seed=2))
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["s.origami"]
    assert load_scene(path).identical(old)


def test_unwritable_folder_is_a_value_error(tmp_path):
    with pytest.raises(ValueError, match="cannot write scene file"):
        save_scene(tmp_path / "missing" / "s.origami", make_scene())


# ---------------------------------------------------------------- reading bad files


def test_newer_version_message(tmp_path):
    data = with_manifest(scene_to_bytes(make_scene()), lambda m: m.update(version=7, future=1))
    path = tmp_path / "new.origami"
    path.write_bytes(data)
    with pytest.raises(ValueError) as info:
        load_scene(path)
    assert str(info.value) == (
        f"scene file {path} was written by a newer version (format 7); "
        f"this version reads up to {FORMAT_VERSION}"
    )


def test_missing_directory_and_oversized_files(tmp_path):
    with pytest.raises(ValueError, match="cannot read scene file .*nope.origami"):
        load_scene(tmp_path / "nope.origami")
    with pytest.raises(ValueError, match="cannot read scene file .*not a regular file"):
        load_scene(tmp_path)
    big = tmp_path / "big.origami"
    with open(big, "wb") as fh:
        fh.truncate(scene.MAX_FILE_BYTES + 1)  # sparse: costs no disk
    with pytest.raises(ValueError, match="scene files are at most"):
        load_scene(big)


MANIFEST_EDITS = [
    (lambda m: m.update(format="something-else"), "does not say format"),
    (lambda m: m.update(version="1"), "format version '1' is not valid"),
    (lambda m: m.update(version=0), "format version 0 is not valid"),
    (lambda m: m.update(colour="red"), "manifest has unknown key 'colour'"),
    (lambda m: m.pop("view"), "manifest is missing the key 'view'"),
    (lambda m: m["training"].update(lr=1), "training has unknown key 'lr'"),
    (lambda m: m["training"].update(batch_size=2.0), "batch_size must be an integer"),
    (lambda m: m["view"].update(views="field"), "view.views must be a list"),
    (lambda m: m["view"].update(split_screen=0), "split_screen must be true or false"),
    (lambda m: m["network"].update(sizes=[2, 5, 4]), "unexpected entry network/W3.npy"),
    (lambda m: m["network"].update(sizes=[2, 5, 4, 4]), "shape \\(3, 4\\); the manifest implies"),
    (lambda m: m["network"].update(sizes=[3, 5, 4, 3]), "only 2 inputs"),
    (lambda m: m["network"].update(sizes=[2, 5, 4.0, 3]), "list of integers"),
    (lambda m: m["points"].update(count=41), "points/X.npy has shape \\(40, 2\\)"),
    (lambda m: m["points"].update(count=MAX_POINTS + 1), "points.count is 20001"),
    (lambda m: m.update(task="regression"), "labels.npy has dtype <i8; expected <f8"),
    (lambda m: m.update(level=5), "level 5 is not a level id"),
    (lambda m: m.update(extra=[1]), "extra must be a dict"),
]


@pytest.mark.parametrize("edit, message", MANIFEST_EDITS)
def test_bad_manifest_values(edit, message):
    data = with_manifest(scene_to_bytes(make_scene()), edit)
    with pytest.raises(ValueError, match="scene file x.origami: .*" + message):
        scene_from_bytes(data, "x.origami")


def test_bad_json_text():
    good = entries(scene_to_bytes(make_scene()))
    text = good["manifest.json"].decode()
    cases = {
        "not valid JSON": b"{",
        "contains NaN": text.replace('"zoom": 1.0', '"zoom": NaN').encode(),
        "the key 'task' twice": text.replace('"task":', '"task": "regression", "task":').encode(),
        "not valid JSON \\(.*utf-8": b"\xff\xfe",
        "nested too deeply|not valid JSON": b"[" * 100_000,
    }
    for message, manifest in cases.items():
        with pytest.raises(ValueError, match=message):
            scene_from_bytes(rezip({**good, "manifest.json": manifest}))


def _pickled_npy() -> bytes:
    """An object array as np.save writes it with pickles allowed: must never be unpickled."""
    buf = io.BytesIO()
    np.save(buf, np.array([{"evil": 1}], dtype=object), allow_pickle=True)
    return buf.getvalue()


PICKLED_NPY = _pickled_npy()


def test_bad_archive_entries():
    good = entries(scene_to_bytes(make_scene()))
    X = np.load(io.BytesIO(good["points/X.npy"]))
    cases = [
        ({**good, "evil.py": b"print(1)"}, "unexpected entry evil.py"),
        (
            {k: v for k, v in good.items() if k != "network/b2.npy"},
            "entry network/b2.npy is missing",
        ),
        ({k: v for k, v in good.items() if k != "manifest.json"}, "manifest.json is missing"),
        ([*good.items(), ("points/X.npy", good["points/X.npy"])], "same entry twice"),
        ({**good, "points/X.npy": npy(X.astype(">f8"))}, "dtype >f8; expected <f8"),
        ({**good, "points/X.npy": npy(np.asfortranarray(X))}, "Fortran order"),
        ({**good, "points/X.npy": good["points/X.npy"][:-8]}, "promises 640"),
        ({**good, "points/X.npy": good["points/X.npy"] + b"\0" * 8}, "promises 640"),
        ({**good, "points/X.npy": PICKLED_NPY}, "dtype \\|O; expected <f8"),
        ({**good, "points/test.npy": good["points/test.npy"][:-1] + b"\x02"}, "other than 0 and 1"),
        ({**good, "points/X.npy": b"not an npy file at all"}, "damaged"),
    ]
    for items, message in cases:
        with pytest.raises(ValueError, match=message):
            scene_from_bytes(rezip(items))


def test_zip_bomb_is_refused_before_decompressing():
    good = entries(scene_to_bytes(make_scene()))
    huge = b'{"format": "neural-origami-scene"' + b" " * (3 * 1024 * 1024) + b"}"
    data = rezip({**good, "manifest.json": huge})
    assert len(data) < 64 * 1024
    with pytest.raises(ValueError, match="manifest.json holds 3145762 bytes; at most 1048576"):
        scene_from_bytes(data)


def test_encrypted_flag_and_not_a_zip():
    data = bytearray(scene_to_bytes(make_scene()))
    cd = data.rfind(b"PK\x01\x02")  # last central directory record
    data[cd + 8] |= 1
    with pytest.raises(ValueError, match="encrypted"):
        scene_from_bytes(bytes(data))
    with pytest.raises(ValueError, match="not a ZIP archive"):
        scene_from_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 100, "pic.png")
    with pytest.raises(ValueError, match="not a ZIP archive"):
        scene_from_bytes(b"")


# ---------------------------------------------------------------- fuzzing

BASE = scene_to_bytes(make_scene(n=12, sizes=(2, 3, 2)))
BASE_SCENE = scene_from_bytes(BASE)


def assert_rejected_or_intact(data: bytes) -> None:
    try:
        result = scene_from_bytes(data, "fuzz.origami")
    except ValueError as err:
        assert "fuzz.origami" in str(err)
        return
    # Only bytes the format does not use (timestamps, attributes) may change without notice:
    # every entry is CRC-checked, so anything that loads must be the original scene.
    assert result.identical(BASE_SCENE)


@FUZZ
@given(st.data())
def test_fuzz_flipped_bytes(data):
    raw = bytearray(BASE)
    for _ in range(data.draw(st.integers(1, 8))):
        i = data.draw(st.integers(0, len(raw) - 1))
        raw[i] = data.draw(st.integers(0, 255))
    assert_rejected_or_intact(bytes(raw))


@FUZZ
@given(st.integers(0, len(BASE) - 1))
def test_fuzz_truncated(cut):
    with pytest.raises(ValueError, match="fuzz.origami"):
        scene_from_bytes(BASE[:cut], "fuzz.origami")


@FUZZ
@given(st.integers(0, len(BASE)), st.binary(min_size=1, max_size=64))
def test_fuzz_inserted_bytes(at, junk):
    assert_rejected_or_intact(BASE[:at] + junk + BASE[at:])


@FUZZ
@given(st.binary(max_size=600))
def test_fuzz_random_bytes(junk):
    with pytest.raises(ValueError):
        scene_from_bytes(junk)
    with pytest.raises(ValueError):
        scene_from_bytes(b"PK\x03\x04" + junk)


ENTRY_NAMES = sorted(entries(BASE))


@FUZZ
@given(st.sampled_from(ENTRY_NAMES), st.data())
def test_fuzz_entry_contents_with_valid_crc(name, data):
    """Damage inside an entry, re-zipped so the CRC matches: the validation must catch it."""
    items = entries(BASE)
    raw = bytearray(items[name])
    for _ in range(data.draw(st.integers(1, 6))):
        i = data.draw(st.integers(0, len(raw) - 1))
        raw[i] = data.draw(st.integers(0, 255))
    if data.draw(st.booleans()):
        raw = raw[: data.draw(st.integers(0, len(raw)))]
    items[name] = bytes(raw)
    try:
        result = scene_from_bytes(rezip(items), "fuzz.origami")
    except ValueError as err:
        assert "fuzz.origami" in str(err)
        return
    # A change that still makes sense (a digit in a setting, a weight) loads as a valid scene.
    assert validate_scene(result).identical(result)


@FUZZ
@given(st.sampled_from(["task", "network", "points", "training", "view", "level", "extra"]), JSON)
def test_fuzz_manifest_values(key, value):
    data = with_manifest(BASE, lambda m: m.update({key: value}))
    try:
        result = scene_from_bytes(data, "fuzz.origami")
    except ValueError as err:
        assert "fuzz.origami" in str(err)
        return
    assert key in ("level", "extra") and validate_scene(result).identical(result)


def test_the_learning_rate_schedule_round_trips_and_old_files_take_constant():
    s = make_scene(training=TrainingSettings(schedule="cosine", schedule_steps=777))
    back = scene_from_bytes(scene_to_bytes(s))
    assert back.training.schedule == "cosine" and back.training.schedule_steps == 777
    with pytest.raises(ValueError, match="training.schedule"):
        scene_to_bytes(make_scene(training=TrainingSettings(schedule="wobbly")))
    # a file written before schedules existed: no schedule keys, a constant rate
    raw = scene_to_bytes(make_scene())
    zin = zipfile.ZipFile(io.BytesIO(raw))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "manifest.json":
                manifest = json.loads(data)
                del manifest["training"]["schedule"], manifest["training"]["schedule_steps"]
                data = json.dumps(manifest).encode()
            zout.writestr(info, data)
    old = scene_from_bytes(out.getvalue())
    assert old.training.schedule == "constant"
