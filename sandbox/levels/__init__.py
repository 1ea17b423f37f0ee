"""Guided levels: level files to validated Level objects, the goal language, progress, sessions.

The core of the curriculum, with no pygame: `load_levels` reads levels/*.toml (see
levels/README.md for the schema), `parse_goal` and `MetricsProvider` are the goal language,
`load_chapters` and `arrange` group them into chapters (levels/chapters.toml),
`LevelSession` runs a level headlessly and measures the live state, and `ProgressStore` keeps
stars and unlocked levels in the user's data directory.

`LevelSession` (which trains, so imports numba) is imported on first use (PEP 562): the start
menu reads the level files and the progress without loading numba.
"""

from typing import TYPE_CHECKING, Any

from .chapters import Chapter, arrange, chapters_from_toml, chapters_path, load_chapters
from .goals import Goal, GoalError, MetricsProvider, parse_goal
from .loader import (
    FREE_SANDBOX_ID,
    LevelEntry,
    free_sandbox,
    level_files,
    level_from_toml,
    load_level,
    load_levels,
)
from .markup import MarkupError, plain_text, validate_markup
from .progress import Progress, ProgressStore, data_dir
from .schema import (
    DataSpec,
    GoalSpec,
    Hint,
    Level,
    LevelError,
    Marker,
    NetworkSpec,
    Quiz,
    level_from_dict,
)
from .vocab import (
    MORE_LEVELS,
    YOUR_LEVELS,
    ChapterName,
    ConfidenceMode,
    Control,
    ControlState,
    MarkerKind,
    Split,
    Task,
    View,
)

if TYPE_CHECKING:
    from .session import LevelSession


def __getattr__(name: str) -> Any:
    if name == "LevelSession":
        from .session import LevelSession

        return LevelSession
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "FREE_SANDBOX_ID",
    "MORE_LEVELS",
    "YOUR_LEVELS",
    "Chapter",
    "ChapterName",
    "ConfidenceMode",
    "Control",
    "ControlState",
    "DataSpec",
    "Goal",
    "GoalError",
    "GoalSpec",
    "Hint",
    "Level",
    "LevelEntry",
    "LevelError",
    "LevelSession",
    "Marker",
    "MarkerKind",
    "MarkupError",
    "MetricsProvider",
    "NetworkSpec",
    "Progress",
    "ProgressStore",
    "Quiz",
    "Split",
    "Task",
    "View",
    "arrange",
    "chapters_from_toml",
    "chapters_path",
    "data_dir",
    "free_sandbox",
    "level_files",
    "level_from_dict",
    "level_from_toml",
    "load_chapters",
    "load_level",
    "load_levels",
    "parse_goal",
    "plain_text",
    "validate_markup",
]
