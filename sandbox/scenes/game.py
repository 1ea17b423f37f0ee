"""The game around the levels: which level files exist, the player's progress, and the settings
that outlive a screen (UI scale, unlock-all for presenters).

`Game` is created once when the app starts and handed from scene to scene (menu, level, free
sandbox), so the level list is read once and the progress store is one object. It loads every
level file of a folder (broken ones become error entries, see sandbox.levels.load_levels) in the
play order of levels/chapters.toml (grouped in `chapters`; a broken chapters file is reported
once and the levels play in file order), the player's own level files (the "Level files"
folder: always open, ids starting "yours:"), reads
the progress file (a damaged one is moved aside by the store and reported once through
`take_warning`), and answers the menu's questions: which levels are open, which one "Continue"
opens, what comes after a level. Saving is atomic (the store's job); a save that fails becomes a
message, never an exception. No pygame here: the menu and level scenes draw what this decides.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from sandbox.io.files import level_files_dir
from sandbox.levels import (
    Level,
    LevelEntry,
    LevelError,
    Progress,
    ProgressStore,
    load_level,
    load_levels,
)
from sandbox.levels.chapters import Chapter, arrange, chapter_of, chapters_path, load_chapters

SETTING_UI_SCALE = "ui_scale"
OWN_PREFIX = "yours:"  # the id of a level from the Level files folder: never a shipped one's


class Game:
    """Level entries, progress and persistent settings; see the module docstring."""

    def __init__(
        self,
        levels_dir: str | Path | None = None,
        progress_path: str | Path | None = None,
        own_dir: str | Path | None = None,
    ) -> None:
        self.levels_dir = levels_dir
        entries = load_levels(levels_dir)
        warnings = []
        try:
            chapters = load_chapters(chapters_path(levels_dir), [e.id for e in entries])
        except LevelError as exc:
            chapters = ()
            warnings.append(
                f"The chapters file has a problem, so the levels are not grouped: {exc}"
            )
        # play order is chapter order: the chapters' levels, then those no chapter lists
        self.chapters: list[Chapter] = arrange(chapters, [e.id for e in entries])
        order = {i: n for n, i in enumerate(i for ch in self.chapters for i in ch.levels)}
        self.entries: list[LevelEntry] = sorted(entries, key=lambda e: order[e.id])
        self.own_dir = Path(own_dir) if own_dir is not None else level_files_dir()
        self.own_entries: list[LevelEntry] = []
        self.reload_own()
        self.store = ProgressStore(progress_path)
        self.progress: Progress = self.store.load()
        if self.store.warning:
            warnings.insert(0, self.store.warning)
        self._warning: str | None = " ".join(warnings) or None
        self._scale_given = False

    def reload_own(self) -> None:
        """Read the Level files folder again (a level saved or dropped there shows at once)."""
        folder = load_levels(self.own_dir, prefix=OWN_PREFIX)
        ids = {e.id for e in folder}
        # files opened from elsewhere this run (--level PATH, a dropped file) stay listed
        elsewhere = [e for e in self.own_entries if e.path.parent != self.own_dir]
        self.own_entries = folder + [e for e in elsewhere if e.id not in ids]

    def add_own(self, entry: LevelEntry) -> None:
        """Keep a level opened from elsewhere (--level PATH, a dropped file) for this run."""
        self.own_entries = [e for e in self.own_entries if e.id != entry.id] + [entry]

    def open_file(self, path: str | Path) -> LevelEntry:
        """A level file from anywhere (--level PATH, a file dropped on the window), read now and
        kept among the player's own levels; the entry carries the loader's error if it is bad."""
        path = Path(path)
        level_id = OWN_PREFIX + path.stem
        try:
            level = replace(load_level(path), id=level_id)
            entry = LevelEntry(level_id, path, level=level)
        except LevelError as exc:
            entry = LevelEntry(level_id, path, error=exc)
        self.add_own(entry)
        return entry

    def learned_card(self, level_id: str) -> tuple[str, str] | None:
        """(chapter title, what it taught) when `level_id` ends a chapter, for its success card."""
        ch = self.chapter_done(level_id)
        return (ch.title, ch.learned) if ch is not None else None

    def chapter_done(self, level_id: str) -> Chapter | None:
        """The chapter whose last level is `level_id` (its learned card follows a win)."""
        ch = chapter_of(self.chapters, level_id)
        return ch if ch is not None and ch.last == level_id and ch.learned else None

    def first_ui_scale(self, command_line: float) -> float | None:
        """The UI scale the first screen uses (then None): --ui-scale when given, else the saved
        setting, else None (keep what the app has)."""
        if self._scale_given:
            return None
        self._scale_given = True
        if command_line != 1.0:
            return float(command_line)
        saved = self.setting(SETTING_UI_SCALE)
        if isinstance(saved, int | float) and not isinstance(saved, bool):
            return float(saved)
        return None

    # ------------------------------------------------------------------ levels
    @property
    def playable_ids(self) -> list[str]:
        """Ids of the levels that loaded, in play order."""
        return [e.id for e in self.entries if e.ok]

    def entry(self, level_id: str) -> LevelEntry | None:
        return next((e for e in (*self.entries, *self.own_entries) if e.id == level_id), None)

    def is_own(self, level_id: str) -> bool:
        return level_id.startswith(OWN_PREFIX)

    def level(self, level_id: str) -> Level | None:
        e = self.entry(level_id)
        return e.level if e is not None else None

    def number(self, level_id: str) -> int:
        """The level's number as the menu shows it (its place in the play order, from 1; an own
        level's place among the player's own levels)."""
        for i, e in enumerate(self.own_entries if self.is_own(level_id) else self.entries, 1):
            if e.id == level_id:
                return i
        return 0

    def is_open(self, level_id: str) -> bool:
        if self.is_own(level_id):  # a teacher's own levels are always open
            return any(e.id == level_id and e.ok for e in self.own_entries)
        ids = self.playable_ids
        if level_id not in ids:
            return False
        return self.progress.unlocked(ids)[ids.index(level_id)]

    def open_flags(self) -> dict[str, bool]:
        ids = self.playable_ids
        return dict(zip(ids, self.progress.unlocked(ids), strict=True))

    def stars(self, level_id: str) -> int:
        return int(self.progress.stars.get(level_id, 0))

    def continue_id(self) -> str | None:
        """The level Continue opens; never a locked one (--level may have opened one)."""
        target = self.progress.continue_level(self.playable_ids)
        if target is None or self.is_open(target):
            return target
        flags = self.open_flags()
        ids = [i for i in self.playable_ids if flags[i]]
        return next((i for i in ids if not self.progress.completed(i)), ids[-1] if ids else None)

    def next_level_id(self, level_id: str) -> str | None:
        """The playable level after `level_id`, or None when it is the last (the player's own
        levels follow one another, never into the shipped ones)."""
        ids = self.playable_ids
        if self.is_own(level_id):
            ids = [e.id for e in self.own_entries if e.ok]
        if level_id not in ids:
            return None
        i = ids.index(level_id)
        return ids[i + 1] if i + 1 < len(ids) else None

    def previous_id(self, level_id: str) -> str | None:
        ids = self.playable_ids
        if level_id not in ids:
            return None
        i = ids.index(level_id)
        return ids[i - 1] if i > 0 else None

    # ------------------------------------------------------------------ progress
    def started(self, level_id: str) -> str | None:
        """Remember `level_id` as the last level played; returns a save error or None."""
        self.progress.record(level_id, 0)
        return self._save()

    def record(self, level_id: str, stars: int) -> tuple[bool, str | None]:
        """Keep the best stars for a level and save; (improved, save error or None)."""
        improved = self.progress.record(level_id, int(stars))
        return improved, self._save()

    @property
    def unlock_all(self) -> bool:
        return bool(self.progress.unlock_all)

    def set_unlock_all(self, on: bool) -> str | None:
        self.progress.unlock_all = bool(on)
        return self._save()

    def setting(self, key: str, default: float | str | bool | None = None):
        return self.progress.settings.get(key, default)

    def set_setting(self, key: str, value: float | str | bool) -> str | None:
        if self.progress.settings.get(key) == value:
            return None
        self.progress.settings[key] = value
        return self._save()

    def _save(self) -> str | None:
        if self.store.save(self.progress):
            return None
        return self.store.save_error

    def take_warning(self) -> str | None:
        """The progress file's problem at start-up, once (None afterwards or when all was well)."""
        warning, self._warning = self._warning, None
        return warning
