"""Atomic writes: the destination is always the whole old file or the whole new one."""

import os
import stat

import pytest

from sandbox.io import atomic
from sandbox.io.atomic import AtomicFile, atomic_write, atomic_write_bytes, atomic_write_text


def _leftovers(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_write_bytes_and_text_create_and_replace(tmp_path):
    target = tmp_path / "a.bin"
    atomic_write_bytes(target, b"first")
    assert target.read_bytes() == b"first"
    atomic_write_bytes(target, b"second, longer")
    assert target.read_bytes() == b"second, longer"
    atomic_write_text(target, "caf\u00e9")
    assert target.read_bytes() == "caf\u00e9".encode()
    assert _leftovers(tmp_path) == []


def test_writer_raising_midway_keeps_old_file(tmp_path):
    target = tmp_path / "scene.origami"
    target.write_bytes(b"old content")

    def half_then_fail(fh):
        fh.write(b"new con")
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError, match="disk on fire"):
        atomic_write(target, half_then_fail)
    assert target.read_bytes() == b"old content"
    assert _leftovers(tmp_path) == []


def test_failing_fsync_or_replace_keeps_old_file(tmp_path, monkeypatch):
    target = tmp_path / "x.bin"
    target.write_bytes(b"old")
    for name in ("fsync", "replace"):

        def boom(*args, _name=name):
            raise OSError(f"{_name} failed")

        with monkeypatch.context() as m:
            m.setattr(atomic.os, name, boom)
            with pytest.raises(OSError, match=f"{name} failed"):
                atomic_write_bytes(target, b"new")
        assert target.read_bytes() == b"old"
        assert _leftovers(tmp_path) == []


def test_missing_target_stays_missing_on_failure(tmp_path):
    target = tmp_path / "never.bin"
    with pytest.raises(ZeroDivisionError):
        atomic_write(target, lambda fh: 1 / 0)
    assert not target.exists()
    assert _leftovers(tmp_path) == []


def test_atomic_file_commit_and_discard(tmp_path):
    target = tmp_path / "rec.gif"
    target.write_bytes(b"old")
    out = AtomicFile(target)
    out.file.write(b"streamed ")
    out.file.write(b"over time")
    assert target.read_bytes() == b"old"
    out.commit()
    assert target.read_bytes() == b"streamed over time"
    assert out.closed
    with pytest.raises(ValueError):
        out.commit()

    out = AtomicFile(target)
    out.file.write(b"abandoned")
    out.discard()
    out.discard()
    assert target.read_bytes() == b"streamed over time"
    assert _leftovers(tmp_path) == []


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_permissions_new_file_umask_and_existing_mode_kept(tmp_path):
    target = tmp_path / "p.bin"
    old_mask = os.umask(0o027)
    try:
        atomic_write_bytes(target, b"1")
    finally:
        os.umask(old_mask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    os.chmod(target, 0o600)
    atomic_write_bytes(target, b"2")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
