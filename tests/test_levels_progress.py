"""Progress store: best stars, unlock order, atomic saves, corrupt files reported and replaced."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sandbox.levels.progress import (
    ENV_DATA_DIR,
    FILE_NAME,
    Progress,
    ProgressStore,
    data_dir,
)

IDS = ["01-a", "02-b", "03-c", "04-d"]


def test_data_dir_resolution(monkeypatch, tmp_path):
    monkeypatch.setenv(ENV_DATA_DIR, str(tmp_path / "mine"))
    assert data_dir() == tmp_path / "mine"
    monkeypatch.delenv(ENV_DATA_DIR)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert data_dir() == tmp_path / "xdg" / "neural-origami"
    monkeypatch.setenv("XDG_DATA_HOME", "relative/path")  # the XDG spec says: ignore it
    assert data_dir() == Path.home() / ".local" / "share" / "neural-origami"
    monkeypatch.delenv("XDG_DATA_HOME")
    assert data_dir() == Path.home() / ".local" / "share" / "neural-origami"


def test_default_store_uses_the_env_dir(monkeypatch, tmp_path):
    monkeypatch.setenv(ENV_DATA_DIR, str(tmp_path))
    store = ProgressStore()
    assert store.path == tmp_path / FILE_NAME
    p = store.load()
    assert p.stars == {} and store.warning is None
    p.record("01-a", 2)
    assert store.save(p)
    assert ProgressStore().load().stars == {"01-a": 2}


def test_record_keeps_the_best():
    p = Progress()
    assert p.record("01-a", 1)
    assert p.record("01-a", 3)
    assert not p.record("01-a", 2)
    assert p.stars["01-a"] == 3 and p.last_played == "01-a"
    assert not p.record("02-b", 0)
    assert "02-b" not in p.stars and p.last_played == "02-b"
    with pytest.raises(ValueError, match="0 to 3"):
        p.record("01-a", 4)
    with pytest.raises(ValueError):
        p.record("01-a", True)


def test_unlock_order():
    p = Progress()
    assert p.unlocked(IDS) == [True, False, False, False]
    p.record("01-a", 1)
    assert p.unlocked(IDS) == [True, True, False, False]
    p.record("02-b", 2)
    assert p.unlocked(IDS) == [True, True, True, False]
    # A level finished earlier stays open even if the list changes around it.
    p.stars["04-d"] = 1
    assert p.unlocked(IDS) == [True, True, True, True]
    assert p.unlocked(["01-a", "03-c", "04-d"]) == [True, True, True]
    p.unlock_all = True
    assert Progress(unlock_all=True).unlocked(IDS) == [True] * 4


def test_continue_target():
    p = Progress()
    assert p.continue_level([]) is None
    assert p.continue_level(IDS) == "01-a"
    p.record("01-a", 1)
    assert p.continue_level(IDS) == "02-b"
    p.record("02-b", 0)  # played, not finished
    assert p.continue_level(IDS) == "02-b"
    p.record("02-b", 1)
    p.record("01-a", 3)  # replayed a finished one: continue goes to the first open unfinished
    assert p.continue_level(IDS) == "03-c"
    for level in IDS:
        p.record(level, 3)
    assert p.continue_level(IDS) == "04-d"


def test_save_load_round_trip(tmp_path):
    store = ProgressStore(tmp_path / "sub" / "progress.json")
    p = Progress(settings={"ui_scale": 1.5, "palette": "okabe-ito", "sound": False})
    p.record("01-a", 3)
    p.record("02-b", 1)
    assert store.save(p)
    q = store.load()
    assert q == p and store.warning is None
    assert json.loads(store.path.read_text())["version"] == 1
    # No temporary files left behind by the atomic write.
    assert sorted(x.name for x in store.path.parent.iterdir()) == ["progress.json"]


@pytest.mark.parametrize(
    "content, reason",
    [
        (b"{not json", "not valid JSON"),
        (b"", "not valid JSON"),
        (b"\xff\xfe\x00", "not UTF-8"),
        (b"[1, 2]", "not an object"),
        (b'{"version": 99}', "version is 99"),
        (b'{"version": 1, "stars": {"01-a": 5}}', "allowed: 0 to 3"),
        (b'{"version": 1, "stars": {"01-a": true}}', "allowed: 0 to 3"),
        (b'{"version": 1, "stars": []}', "'stars' is not an object"),
        (b'{"version": 1, "last_played": 3}', "'last_played'"),
        (b'{"version": 1, "unlock_all": "yes"}', "'unlock_all'"),
        (b'{"version": 1, "settings": {"a": NaN}}', "NaN is not allowed"),
        (b'{"version": 1, "settings": {"a": [1]}}', "setting 'a'"),
        (b'{"version": 1, "extra": 1}', "unknown key 'extra'"),
        (b"[" * 100000, "nested too deeply"),
    ],
)
def test_corrupt_file_is_reported_moved_aside_and_replaced(tmp_path, content, reason):
    store = ProgressStore(tmp_path / "progress.json")
    store.path.write_bytes(content)
    p = store.load()
    assert p == Progress()
    assert store.warning is not None and reason in store.warning
    aside = [x for x in tmp_path.iterdir() if x.name.startswith("progress.json.corrupt-")]
    assert len(aside) == 1 and aside[0].read_bytes() == content
    assert aside[0].name in store.warning
    # A fresh, valid file replaced it; loading again is clean.
    assert ProgressStore(store.path).load() == Progress()
    again = ProgressStore(store.path)
    again.load()
    assert again.warning is None


def test_two_corruptions_keep_both_copies(tmp_path):
    store = ProgressStore(tmp_path / "progress.json")
    for content in (b"bad one", b"bad two"):
        store.path.write_bytes(content)
        store.load()
    kept = sorted(x.read_bytes() for x in tmp_path.iterdir() if ".corrupt-" in x.name)
    assert kept == [b"bad one", b"bad two"]


def test_unwritable_location_is_a_message_not_a_crash(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    store = ProgressStore(blocker / "progress.json")  # parent is a file: cannot create
    assert store.load() == Progress()
    assert not store.save(Progress())
    assert store.save_error and "Could not save" in store.save_error


def test_unreadable_file_is_kept(tmp_path, monkeypatch):
    import sandbox.levels.progress as progress

    store = ProgressStore(tmp_path / "progress.json")
    store.save(Progress(stars={"01-a": 2}))

    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(progress, "open", denied, raising=False)
    assert store.load() == Progress()
    assert "Could not read" in store.warning and "Permission denied" in store.warning
    monkeypatch.undo()
    assert store.load().stars == {"01-a": 2}  # left alone: it was fine


def test_failed_write_keeps_the_old_file(tmp_path, monkeypatch):
    store = ProgressStore(tmp_path / "progress.json")
    store.save(Progress(stars={"01-a": 2}))
    import sandbox.io.atomic as atomic

    def boom(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic.os, "replace", boom)
    assert not store.save(Progress(stars={"01-a": 3}))
    monkeypatch.undo()
    assert store.load().stars == {"01-a": 2}
    assert sorted(x.name for x in tmp_path.iterdir()) == ["progress.json"]


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=300))
def test_any_bytes_load_without_crashing(tmp_path_factory, content):
    folder = tmp_path_factory.mktemp("p")
    store = ProgressStore(folder / "progress.json")
    store.path.write_bytes(content)
    p = store.load()
    assert isinstance(p, Progress)
    # Whatever happened, the file on disk now loads cleanly.
    clean = ProgressStore(store.path)
    clean.load()
    assert clean.warning is None


@settings(max_examples=100, deadline=None)
@given(
    st.dictionaries(st.text(min_size=1, max_size=12), st.integers(0, 3), max_size=6),
    st.one_of(st.none(), st.text(max_size=12)),
    st.booleans(),
    st.dictionaries(
        st.text(max_size=8),
        st.one_of(st.text(max_size=8), st.integers(-5, 5), st.booleans(), st.floats(-9, 9)),
        max_size=4,
    ),
)
def test_json_round_trip(stars, last, unlock_all, prefs):
    p = Progress(stars, last, unlock_all, prefs)
    assert Progress.from_json(p.to_json()) == p
