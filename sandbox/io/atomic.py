"""Atomic file writes: a file on disk is either the complete old version or the complete new one.

Every writer of user files (scenes, weights, recordings) goes through here. The new content goes
to a temporary file in the destination folder (same file system, so the final rename is atomic),
is flushed and fsynced, and only then replaces the destination with `os.replace`. If anything
fails before that rename (an exception in the writer, a full disk, a crash), the old file is left
untouched and the temporary file is removed (a hard crash may leave a hidden `.NAME.*.tmp` file
behind, never a damaged destination). Such leftovers older than `STALE_TEMP_S` are removed by
`remove_stale_temps`: for a file's own name each time it is written, and for the whole files
folder when the app starts. New files get the usual permissions (0666 minus the umask);
replaced files keep theirs.
"""

from __future__ import annotations

import glob
import os
import stat
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

__all__ = [
    "AtomicFile",
    "atomic_write",
    "atomic_write_bytes",
    "atomic_write_text",
    "remove_stale_temps",
]
TEMP_SUFFIX = ".tmp"
STALE_TEMP_S = 3600.0  # a write in progress (another window of the app) is younger than this


def remove_stale_temps(
    folder: str | os.PathLike[str], name: str | None = None, older_than_s: float = STALE_TEMP_S
) -> list[Path]:
    """Delete the temporary files (`.NAME.*.tmp`) an interrupted write left in `folder`, those
    for `name` only when given, older than `older_than_s`; returns what it removed. Never
    raises: what cannot be listed or removed stays."""
    pattern = f".{glob.escape(name)}.*{TEMP_SUFFIX}" if name else f".*{TEMP_SUFFIX}"
    removed: list[Path] = []
    now = time.time()
    try:
        candidates = list(Path(folder).glob(pattern))
    except OSError:
        return removed
    for path in candidates:
        try:
            st = path.lstat()
            if stat.S_ISREG(st.st_mode) and now - st.st_mtime > older_than_s:
                path.unlink()
                removed.append(path)
        except OSError:
            pass
    return removed


def _current_umask() -> int:
    # /proc avoids the set-and-restore dance of os.umask, which races with other threads.
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _fsync_dir(folder: Path) -> None:
    # Makes the rename itself durable on POSIX; not possible (nor needed) on Windows.
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class AtomicFile:
    """A temporary file that becomes `path` on `commit()` and vanishes on `discard()`.

    For writers that produce their output over time (a recording): write to `.file`, then call
    `commit()` once; until then the destination is untouched. Used as a context manager it
    commits when the block succeeds and discards when it raises.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        folder = self.path.parent
        remove_stale_temps(folder, self.path.name)
        fd, temp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=TEMP_SUFFIX, dir=folder)
        self.temp_path = Path(temp)
        self.file: BinaryIO = os.fdopen(fd, "wb")
        self._done = False

    @property
    def closed(self) -> bool:
        """True once committed or discarded."""
        return self._done

    def commit(self) -> None:
        """Flush, fsync and move the temporary file onto the destination."""
        if self._done:
            raise ValueError(f"{self.path}: this write was already committed or discarded")
        try:
            self.file.flush()
            os.fsync(self.file.fileno())
            self.file.close()
            try:
                mode = stat.S_IMODE(os.stat(self.path).st_mode)
            except FileNotFoundError:
                mode = 0o666 & ~_current_umask()
            os.chmod(self.temp_path, mode)
            os.replace(self.temp_path, self.path)
        except BaseException:
            self.discard()
            raise
        self._done = True
        _fsync_dir(self.path.parent)

    def discard(self) -> None:
        """Drop the temporary file; the destination stays as it was. Safe to call twice."""
        if self._done:
            return
        self._done = True
        try:
            self.file.close()
        except OSError:
            pass
        try:
            os.unlink(self.temp_path)
        except FileNotFoundError:
            pass

    def __enter__(self) -> AtomicFile:
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.discard()


def atomic_write(path: str | os.PathLike[str], write: Callable[[BinaryIO], object]) -> None:
    """Call `write(fileobj)` on a temporary file, then atomically replace `path` with it.

    If `write` raises, the exception propagates and `path` keeps its old content (or stays absent).
    """
    with AtomicFile(path) as out:
        write(out.file)


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Atomically replace `path` with `data`."""
    atomic_write(path, lambda fh: fh.write(data))


def atomic_write_text(path: str | os.PathLike[str], text: str, encoding: str = "utf-8") -> None:
    """Atomically replace `path` with `text` encoded as `encoding` (UTF-8 by default)."""
    atomic_write_bytes(path, text.encode(encoding))
