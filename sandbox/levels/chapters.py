"""Chapters: which levels belong together, in what order they are played, what each one taught.

levels/chapters.toml lists the chapters in order. Each names one of the chapter titles of
`ChapterName` (sandbox/levels/vocab.py), the ids of its levels (level file names without .toml)
in play order, and a short "what you learned" card the level screen shows when the chapter's
last level is won:

```toml
format = 1                              # optional; only 1 exists
[[chapters]]
title = "One neuron"                    # required: one of the chapter titles, each at most once
levels = ["01-one-crease"]              # required: level ids, each in one chapter only (may be [])
learned = "One neuron makes one crease. ..."   # required: 1 to 400 characters of story markup
```

`load_chapters` checks the file completely and raises `LevelError` naming the file, the key and
what is allowed (an unknown level id, a level in two chapters, a title that is not a chapter's).
`arrange` turns the chapters and the level files that exist into what the menu shows: every
chapter with its levels that exist, then "More levels" holding any level file no chapter lists
(in file-name order), so a new level file is playable before it is given a chapter; chapters
with no levels are left out. The play order (which level opens which) is the arranged order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sandbox.resources import resource_dir

from .reader import LevelError, Reader, parse_toml
from .vocab import MORE_LEVELS, ChapterName

CHAPTERS_FILE = "chapters.toml"
MAX_LEARNED = 400
MAX_LEVELS_PER_CHAPTER = 60
MAX_FILE_BYTES = 100_000


@dataclass(frozen=True)
class Chapter:
    """A chapter: its title, its level ids in play order, and its "what you learned" text."""

    title: str
    levels: tuple[str, ...]
    learned: str = ""

    @property
    def last(self) -> str | None:
        """The chapter's last level: winning it shows the learned card."""
        return self.levels[-1] if self.levels else None


def chapters_path(folder: str | Path | None = None) -> Path:
    """levels/chapters.toml of `folder` (default: the project's levels/)."""
    folder = Path(folder) if folder is not None else resource_dir("levels")
    return folder / CHAPTERS_FILE


def load_chapters(path: str | Path, level_ids: Sequence[str]) -> tuple[Chapter, ...]:
    """Read and check a chapters file against the level ids that exist. A missing file is no
    chapters (every level then shows under "More levels"). Raises LevelError."""
    path = Path(path)
    file = f"{path.parent.name}/{path.name}" if path.parent.name else path.name
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return ()
    except OSError as exc:
        raise LevelError(file, "", f"cannot read the file ({exc.strerror or exc})") from None
    if len(raw) > MAX_FILE_BYTES:
        raise LevelError(file, "", f"file is {len(raw)} bytes; at most {MAX_FILE_BYTES} allowed")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise LevelError(file, "", f"not UTF-8 text (byte {exc.start})") from None
    return chapters_from_toml(text, level_ids, file)


def chapters_from_toml(
    text: str, level_ids: Sequence[str], file: str = "chapters.toml"
) -> tuple[Chapter, ...]:
    """Parse and check chapters TOML text. Raises only LevelError."""
    return chapters_from_dict(parse_toml(text, file), level_ids, file)


def chapters_from_dict(
    doc: object, level_ids: Sequence[str], file: str = "chapters.toml"
) -> tuple[Chapter, ...]:
    r = Reader(file)
    top = r.table(doc, "", ("chapters",), ("format",))
    if "format" in top:
        r.integer(top["format"], "format", 1, 1)
    known = set(level_ids)
    raw_chapters = r.array(top["chapters"], "chapters", 1, len(ChapterName))
    out: list[Chapter] = []
    where: dict[str, str] = {}  # level id -> the title of the chapter that has it
    titles: set[str] = set()
    for i, raw in enumerate(raw_chapters):
        key = f"chapters[{i}]"
        t = r.table(raw, key, ("title", "levels", "learned"), ())
        title = r.enum(t["title"], f"{key}.title", ChapterName).value
        if title in titles:
            raise r.error(f"{key}.title", f"chapter {title!r} is listed twice; each title once")
        titles.add(title)
        ids = r.array(t["levels"], f"{key}.levels", 0, MAX_LEVELS_PER_CHAPTER)
        levels = []
        for j, level_id in enumerate(ids):
            lkey = f"{key}.levels[{j}]"
            level_id = r.string(level_id, lkey, 100)
            if level_id not in known:
                shown = ", ".join(sorted(known)) or "none"
                raise r.error(
                    lkey,
                    f"no level file {level_id + '.toml'!r} in the levels folder; a level id is "
                    f"its file name without .toml: {shown}",
                )
            if level_id in where:
                raise r.error(
                    lkey,
                    f"level {level_id!r} is already in chapter {where[level_id]!r}; a level "
                    "belongs to one chapter",
                )
            where[level_id] = title
            levels.append(level_id)
        learned = r.text(t["learned"], f"{key}.learned")
        if len(learned) > MAX_LEARNED:
            raise r.error(
                f"{key}.learned",
                f"is {len(learned)} characters long; at most {MAX_LEARNED} allowed (2 to 4 "
                "short sentences)",
            )
        out.append(Chapter(title, tuple(levels), learned))
    return tuple(out)


def arrange(chapters: Sequence[Chapter], level_ids: Sequence[str]) -> list[Chapter]:
    """The chapters the menu shows: each with only the levels that exist (a chapter left empty
    is dropped), then "More levels" with the level files no chapter lists, in file-name order."""
    exist = set(level_ids)
    out = []
    listed: set[str] = set()
    for ch in chapters:
        levels = tuple(i for i in ch.levels if i in exist and i not in listed)
        listed.update(levels)
        if levels:
            out.append(Chapter(ch.title, levels, ch.learned))
    rest = tuple(i for i in level_ids if i not in listed)
    if rest:
        out.append(Chapter(MORE_LEVELS, rest, ""))
    return out


def chapter_of(chapters: Sequence[Chapter], level_id: str) -> Chapter | None:
    return next((ch for ch in chapters if level_id in ch.levels), None)
