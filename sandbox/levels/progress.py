"""The player's progress: stars per level, which levels are open, the last level played.

Progress is a small JSON file in the user's data directory ($NEURAL_ORIGAMI_DATA_DIR if set, else
$XDG_DATA_HOME/neural-origami, else ~/.local/share/neural-origami). Writes are atomic (a crash
leaves the old file or the new one, never half of each). A file that cannot be understood is
never a crash: `ProgressStore.load` moves it aside (progress.json.corrupt-<time>), starts fresh,
writes the fresh file, and leaves a message in `ProgressStore.warning` for the menu to show.
Levels open in order: the first always, each later one when the playable level before it has a
star; `unlock_all` (for workshop presenters) opens everything.
"""

from __future__ import annotations

import json
import math
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sandbox.io.atomic import atomic_write_text

PROGRESS_VERSION = 1
ENV_DATA_DIR = "NEURAL_ORIGAMI_DATA_DIR"
FILE_NAME = "progress.json"
MAX_STARS = 3
MAX_FILE_BYTES = 1_000_000

Setting = str | int | float | bool


def data_dir() -> Path:
    """The folder for user data (progress, settings), not created here."""
    env = os.environ.get(ENV_DATA_DIR)
    if env:
        return Path(env)
    xdg = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".local" / "share"
    return base / "neural-origami"


@dataclass
class Progress:
    """Stars per level id (0 to 3), the last level played, and free-form app settings."""

    stars: dict[str, int] = field(default_factory=dict)
    last_played: str | None = None
    unlock_all: bool = False
    settings: dict[str, Setting] = field(default_factory=dict)

    def record(self, level_id: str, stars: int) -> bool:
        """Keep the best result for a level; True when it improved."""
        if isinstance(stars, bool) or not isinstance(stars, int) or not 0 <= stars <= MAX_STARS:
            raise ValueError(f"stars must be a whole number from 0 to {MAX_STARS}, got {stars!r}")
        self.last_played = level_id
        if stars > self.stars.get(level_id, 0):
            self.stars[level_id] = stars
            return True
        return False

    def completed(self, level_id: str) -> bool:
        return self.stars.get(level_id, 0) > 0

    def unlocked(self, level_ids: Sequence[str]) -> list[bool]:
        """Open flags for the playable levels `level_ids` in play order.

        Pass only the levels that loaded, so a broken file never locks the ones after it.
        """
        out = []
        previous_done = True
        for level_id in level_ids:
            out.append(self.unlock_all or previous_done or self.completed(level_id))
            previous_done = self.completed(level_id)
        return out

    def continue_level(self, level_ids: Sequence[str]) -> str | None:
        """What "Continue" opens: the last level played if unfinished, else the first open
        unfinished level, else the last level played, else the first level."""
        if not level_ids:
            return None
        open_flags = self.unlocked(level_ids)
        last = self.last_played if self.last_played in level_ids else None
        if last is not None and not self.completed(last):
            return last
        for level_id, is_open in zip(level_ids, open_flags, strict=True):
            if is_open and not self.completed(level_id):
                return level_id
        return last or level_ids[0]

    def to_json(self) -> str:
        doc = {
            "version": PROGRESS_VERSION,
            "stars": dict(sorted(self.stars.items())),
            "last_played": self.last_played,
            "unlock_all": self.unlock_all,
            "settings": dict(sorted(self.settings.items())),
        }
        return json.dumps(doc, indent=2, allow_nan=False) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Progress:
        """Parse a progress file; raises ValueError saying what is wrong with it."""
        try:
            doc = json.loads(text, parse_constant=_reject_constant)
        except json.JSONDecodeError as exc:
            raise ValueError(f"not valid JSON ({exc.msg} at line {exc.lineno})") from None
        except RecursionError:
            raise ValueError("not valid JSON (nested too deeply)") from None
        if not isinstance(doc, dict):
            raise ValueError("the top level is not an object")
        allowed = {"version", "stars", "last_played", "unlock_all", "settings"}
        unknown = sorted(set(doc) - allowed)
        if unknown:
            raise ValueError(f"unknown key {unknown[0]!r}; allowed: {', '.join(sorted(allowed))}")
        if doc.get("version") != PROGRESS_VERSION:
            raise ValueError(f"version is {doc.get('version')!r}; this program reads version 1")
        stars = doc.get("stars", {})
        if not isinstance(stars, dict):
            raise ValueError("'stars' is not an object")
        for key, value in stars.items():
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_STARS:
                raise ValueError(f"stars for {key!r} is {value!r}; allowed: 0 to {MAX_STARS}")
        last = doc.get("last_played")
        if last is not None and not isinstance(last, str):
            raise ValueError("'last_played' is not a string")
        unlock_all = doc.get("unlock_all", False)
        if not isinstance(unlock_all, bool):
            raise ValueError("'unlock_all' is not true or false")
        settings = doc.get("settings", {})
        if not isinstance(settings, dict):
            raise ValueError("'settings' is not an object")
        for key, value in settings.items():
            if not isinstance(value, str | int | float | bool) or (
                isinstance(value, float) and not math.isfinite(value)
            ):
                raise ValueError(f"setting {key!r} is not a string, number or true/false")
        return cls(dict(stars), last, unlock_all, dict(settings))


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not allowed")


class ProgressStore:
    """Loads and saves `Progress` at `path` (default: data_dir() / progress.json).

    Neither method raises for a bad or unwritable file: problems land in `warning`, a sentence
    the menu can show as is (None when all went well).
    """

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(path) if path is not None else data_dir() / FILE_NAME
        self.warning: str | None = None
        self.save_error: str | None = None

    def load(self) -> Progress:
        self.warning = None
        try:
            with open(self.path, "rb") as fh:
                raw = fh.read(MAX_FILE_BYTES + 1)
        except FileNotFoundError:
            return Progress()
        except OSError as exc:
            # Unreadable but maybe fine (permissions): keep it, play without saved progress.
            self.warning = f"Could not read your progress from {self.path} ({exc.strerror})."
            return Progress()
        try:
            if len(raw) > MAX_FILE_BYTES:
                raise ValueError(f"larger than {MAX_FILE_BYTES} bytes")
            return Progress.from_json(raw.decode("utf-8"))
        except (ValueError, UnicodeDecodeError) as exc:
            reason = "not UTF-8 text" if isinstance(exc, UnicodeDecodeError) else str(exc)
            return self._replace_corrupt(reason)

    def _replace_corrupt(self, reason: str) -> Progress:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        aside = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        n = 1
        while aside.exists():
            aside = self.path.with_name(f"{self.path.name}.corrupt-{stamp}-{n}")
            n += 1
        progress = Progress()
        try:
            os.replace(self.path, aside)
        except OSError as exc:
            self.warning = (
                f"Your progress file {self.path} is damaged ({reason}) and could not be moved "
                f"aside ({exc.strerror}); playing without saved progress."
            )
            return progress
        self.warning = (
            f"Your progress file was damaged ({reason}). It was moved to {aside.name} and a "
            "fresh one was started."
        )
        if not self.save(progress):
            self.warning += " " + (self.save_error or "")
        return progress

    def save(self, progress: Progress) -> bool:
        """Write atomically; False (with `save_error` set) when the disk refused."""
        self.save_error = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write_text(self.path, progress.to_json())
        except OSError as exc:
            self.save_error = f"Could not save your progress to {self.path} ({exc.strerror})."
            return False
        return True
