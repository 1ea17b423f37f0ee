"""Where the files the app writes go: one documented folder, never silently the current one.

Scenes, exported weights, recordings and screenshots are written to `files_dir()`:
$NEURAL_ORIGAMI_FILES_DIR when set (tests point it at a temporary folder), else "Neural Origami"
in the user's home folder. The folder is created when the first file is written (`ensure`).
File dialogs start there, or in the folder the user last chose (remembered by the app).
Its "Level files" folder (`level_files_dir`) holds the level files a teacher writes or drops
there: the menu lists them as "Your levels". The same folder holds the app's log (`append_log`:
tracebacks of frames that failed, kept to about `LOG_MAX_BYTES`) and the work saved when a
frame failed (`AUTOSAVE_NAME`).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

ENV_FILES_DIR = "NEURAL_ORIGAMI_FILES_DIR"
FOLDER_NAME = "Neural Origami"
LOG_NAME = "neural-origami.log"
LOG_MAX_BYTES = 1_000_000  # a longer log is renamed to NAME.1 (the one before is dropped)
AUTOSAVE_NAME = "autosave.origami"
LEVEL_FILES_FOLDER = "Level files"  # the player's own levels: the menu lists them, Save as level


def files_dir() -> Path:
    """The folder for the files the app writes (absolute; not created here)."""
    env = os.environ.get(ENV_FILES_DIR)
    base = Path(env).expanduser() if env else Path.home() / FOLDER_NAME
    return base.absolute()


def level_files_dir() -> Path:
    """The folder of the player's own level files, "Level files" in `files_dir()` (not created
    here): the menu lists them under "Your levels" and Save as level writes there."""
    return files_dir() / LEVEL_FILES_FOLDER


def ensure(folder: Path | None = None) -> Path:
    """Create `folder` (default: `files_dir()`) when missing; returns it. An OSError (no
    permission, a file in the way) is left to the caller, who reports it with the path."""
    folder = files_dir() if folder is None else Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def stamped(prefix: str, suffix: str, folder: Path | None = None) -> Path:
    """A new file name with the time in it (prefix-YYYYmmdd-HHMMSS.suffix) in `folder`
    (default: `files_dir()`; not created here); a second in the same second gets -2, -3..."""
    folder = files_dir() if folder is None else Path(folder)
    return free_path(folder, time.strftime(f"{prefix}-%Y%m%d-%H%M%S"), suffix)


def free_path(folder: Path, stem: str, suffix: str) -> Path:
    """`folder`/stem+suffix, or stem-2, stem-3... +suffix: the first name no file has."""
    path = folder / f"{stem}{suffix}"
    n = 2
    while path.exists():
        path = folder / f"{stem}-{n}{suffix}"
        n += 1
    return path


def log_path() -> Path:
    return files_dir() / LOG_NAME


def append_log(text: str) -> Path:
    """Append `text` (a timestamped entry) to the app's log in the files folder; returns its
    path. Raises OSError when the folder or the file cannot be written."""
    path = ensure() / LOG_NAME
    try:
        if path.stat().st_size > LOG_MAX_BYTES:
            os.replace(path, path.with_name(LOG_NAME + ".1"))
    except FileNotFoundError:
        pass
    stamp = time.strftime("%Y-%m-%d %H:%M:%S")
    with open(path, "a", encoding="utf-8", errors="replace") as fh:
        fh.write(f"--- {stamp}\n{text.rstrip()}\n")
    return path
