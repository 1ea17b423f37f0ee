"""Reading level files: one TOML file per level, played in file-name order, each loaded alone.

`load_levels` returns one entry per file in the levels folder, in file-name order; a file that
cannot be read or validated becomes an entry carrying its `LevelError` (the menu shows it as an
error card) and the others still load. `free_sandbox` builds the goal-less level with every
control unlocked that the menu offers at any time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

from sandbox.resources import resource_dir

from .chapters import CHAPTERS_FILE
from .reader import parse_toml
from .schema import MAX_POINTS as MAX_LEVEL_POINTS
from .schema import DataSpec, Level, LevelError, NetworkSpec, level_from_dict
from .vocab import Control, ControlState, View

MAX_FILE_BYTES = 1_000_000


@dataclass(frozen=True, eq=False)
class LevelEntry:
    """One level file: the Level when it loaded, else the error to show on its card."""

    id: str
    path: Path
    level: Level | None = None
    error: LevelError | None = None

    @property
    def ok(self) -> bool:
        return self.level is not None

    @property
    def title(self) -> str:
        """The level's title, or one made from the file name for an error card."""
        if self.level is not None:
            return self.level.title
        stem = self.path.stem
        return re.sub(r"^\d+[-_ ]*", "", stem).replace("-", " ").replace("_", " ").capitalize()


def load_level(path: str | Path) -> Level:
    """Read and validate one level file. Raises LevelError naming the file and the key."""
    path = Path(path)
    file = _display_name(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise LevelError(file, "", f"cannot read the file ({exc.strerror or exc})") from None
    if len(raw) > MAX_FILE_BYTES:
        raise LevelError(
            file,
            "",
            f"file is {len(raw)} bytes; at most {MAX_FILE_BYTES} allowed. A level lists at most "
            f"{MAX_LEVEL_POINTS} points in data.points; for more, let data.dataset and data.count "
            "make them when the level opens",
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise LevelError(file, "", f"not UTF-8 text (byte {exc.start})") from None
    return level_from_toml(text, path.stem, file)


def level_from_toml(text: str, level_id: str = "level", file: str = "<level>") -> Level:
    """Parse TOML text and validate it as a level. Raises only LevelError."""
    return level_from_dict(parse_toml(text, file), level_id, file)


def level_files(folder: str | Path | None = None) -> list[Path]:
    """The level files of `folder` (default: the project's levels/), in file-name order
    (chapters.toml, which orders them, is not a level)."""
    folder = Path(folder) if folder is not None else resource_dir("levels")
    try:
        found = [p for p in folder.glob("*.toml") if p.is_file() and p.name != CHAPTERS_FILE]
    except OSError:
        return []
    return sorted(found, key=lambda p: p.name)


def load_levels(folder: str | Path | None = None, prefix: str = "") -> list[LevelEntry]:
    """Every level in `folder`, in file-name order; broken files become error entries. Each
    id is `prefix` + the file name without .toml (the player's own levels get "yours:")."""
    entries = []
    for path in level_files(folder):
        level_id = prefix + path.stem
        try:
            level = load_level(path)
            if prefix:
                level = replace(level, id=level_id)
            entries.append(LevelEntry(level_id, path, level=level))
        except LevelError as exc:
            entries.append(LevelEntry(level_id, path, error=exc))
    return entries


def _display_name(path: Path) -> str:
    # "levels/01-one-crease.toml" reads better on an error card than a long absolute path.
    return f"{path.parent.name}/{path.name}" if path.parent.name else path.name


FREE_SANDBOX_ID = "free-sandbox"


def free_sandbox() -> Level:
    """The free sandbox: every control shown, no goals, the circle data set, a [8, 8] network."""
    return Level(
        id=FREE_SANDBOX_ID,
        title="Free sandbox",
        story=("Everything is unlocked. Paint, train, fold, explore.",),
        success="",
        data=DataSpec(source="generator", dataset="circle", count=200, noise=0.0, seed=0),
        network=NetworkSpec(hidden=(8, 8)),
        controls={c: ControlState.SHOWN for c in Control},
        views=frozenset({View.FIELD, View.BOUNDARY, View.CREASES}),
        bounds=(-6.0, 6.0, -6.0, 6.0),
    )
