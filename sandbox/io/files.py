"""Where the files the app writes go: one documented folder, never silently the current one.

Scenes, exported weights, recordings and screenshots are written to `files_dir()`:
$NEURAL_ORIGAMI_FILES_DIR when set (tests point it at a temporary folder), else "Neural Origami"
in the user's home folder. The folder is created when the first file is written (`ensure`).
File dialogs start there, or in the folder the user last chose (remembered by the app).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

ENV_FILES_DIR = "NEURAL_ORIGAMI_FILES_DIR"
FOLDER_NAME = "Neural Origami"


def files_dir() -> Path:
    """The folder for the files the app writes (absolute; not created here)."""
    env = os.environ.get(ENV_FILES_DIR)
    base = Path(env).expanduser() if env else Path.home() / FOLDER_NAME
    return base.absolute()


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
    stem = time.strftime(f"{prefix}-%Y%m%d-%H%M%S")
    path = folder / f"{stem}{suffix}"
    n = 2
    while path.exists():
        path = folder / f"{stem}-{n}{suffix}"
        n += 1
    return path
