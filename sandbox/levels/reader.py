"""Typed reading of a parsed level file: every value checked, every failure a `LevelError`.

`Reader` gives the level schema (`sandbox.levels.schema`) typed access to TOML tables, strings,
numbers, lists, enums, points and goal expressions, with the key's dotted path (like
`network.hidden[1]`) and what is allowed in every error message.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from enum import Enum
from typing import TYPE_CHECKING, Any, TypeVar

from .goals import Goal, GoalError, parse_goal
from .markup import MarkupError, validate_markup
from .vocab import allowed

if TYPE_CHECKING:
    from .schema import Marker

MAX_COORD = 1e6
MAX_TEXT = 2000

E = TypeVar("E", bound=Enum)


class LevelError(ValueError):
    """A level that cannot be used; says which file, which key and what is allowed."""

    def __init__(self, file: str, key: str, message: str) -> None:
        self.file = file
        self.key = key
        self.message = message
        where = f"{file}: {key}" if key else file
        super().__init__(f"{where}: {message}")


class Reader:
    """Typed access to a TOML table with dotted key paths in every error."""

    def __init__(self, file: str) -> None:
        self.file = file

    def error(self, key: str, message: str) -> LevelError:
        return LevelError(self.file, key, message)

    def table(
        self, value: object, key: str, required: tuple[str, ...], optional: tuple[str, ...]
    ) -> dict[str, Any]:
        if not isinstance(value, Mapping):
            what = "the file" if not key else key
            raise self.error(key, f"{what} must be a table, got {type_words(value)}")
        for k in value:
            if not isinstance(k, str):
                raise self.error(key, f"keys must be strings, got {k!r}")
        unknown = [k for k in value if k not in required and k not in optional]
        if unknown:
            allowed_keys = ", ".join((*required, *optional))
            raise self.error(
                _join(key, unknown[0]), f"unknown key {unknown[0]!r}; allowed here: {allowed_keys}"
            )
        missing = [k for k in required if k not in value]
        if missing:
            raise self.error(_join(key, missing[0]), "required key is missing")
        return dict(value)

    def string(self, value: object, key: str, max_len: int = 200, empty: bool = False) -> str:
        if not isinstance(value, str):
            raise self.error(key, f"must be a string, got {type_words(value)}")
        if not empty and not value.strip():
            raise self.error(key, "must not be empty")
        if len(value) > max_len:
            raise self.error(key, f"is {len(value)} characters long; at most {max_len} allowed")
        return value

    def text(self, value: object, key: str) -> str:
        text = self.string(value, key, MAX_TEXT)
        try:
            validate_markup(text)
        except MarkupError as exc:
            raise self.error(key, str(exc)) from None
        return text

    def integer(self, value: object, key: str, lo: int, hi: int) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(
                key, f"must be a whole number from {lo} to {hi}, got {type_words(value)}"
            )
        if not lo <= value <= hi:
            raise self.error(key, f"is {value}; allowed: {lo} to {hi}")
        return value

    def number(self, value: object, key: str, lo: float, hi: float) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.error(
                key, f"must be a number from {lo:g} to {hi:g}, got {type_words(value)}"
            )
        value = float(value)
        if not math.isfinite(value) or not lo <= value <= hi:
            raise self.error(key, f"is {value:g}; allowed: {lo:g} to {hi:g}")
        return value

    def boolean(self, value: object, key: str) -> bool:
        if not isinstance(value, bool):
            raise self.error(key, f"must be true or false, got {type_words(value)}")
        return value

    def choice(self, value: object, key: str, choices: tuple[str, ...]) -> str:
        if not isinstance(value, str) or value not in choices:
            shown = repr(value) if isinstance(value, str) else type_words(value)
            raise self.error(key, f"is {shown}; allowed: {', '.join(repr(c) for c in choices)}")
        return value

    def enum(self, value: object, key: str, enum: type[E]) -> E:
        try:
            return enum(value)
        except (ValueError, TypeError):
            shown = repr(value) if isinstance(value, str) else type_words(value)
            raise self.error(key, f"is {shown}; allowed: {allowed(enum)}") from None

    def array(self, value: object, key: str, lo: int, hi: int) -> list[Any]:
        if not isinstance(value, list):
            raise self.error(key, f"must be a list, got {type_words(value)}")
        if not lo <= len(value) <= hi:
            raise self.error(key, f"has {len(value)} entries; allowed: {lo} to {hi}")
        return value

    def point(self, value: object, key: str) -> tuple[float, float]:
        pair = self.array(value, key, 2, 2)
        return (
            self.number(pair[0], f"{key}[0]", -MAX_COORD, MAX_COORD),
            self.number(pair[1], f"{key}[1]", -MAX_COORD, MAX_COORD),
        )

    def goal(self, value: object, key: str, markers: Mapping[str, Marker]) -> Goal:
        src = self.string(value, key, 1000)
        try:
            return parse_goal(src, markers)
        except GoalError as exc:
            raise self.error(key, f"{exc} (in goal {src!r})") from None


def _join(key: str, sub: str) -> str:
    return f"{key}.{sub}" if key else sub


def type_words(value: object) -> str:
    if isinstance(value, bool):
        return f"a true/false value ({str(value).lower()})"
    if isinstance(value, int | float):
        return f"the number {value!r}"
    if isinstance(value, str):
        return f"the string {value[:40]!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, Mapping):
        return "a table"
    return f"a {type(value).__name__}"


def parse_toml(text: str, file: str) -> dict[str, Any]:
    """TOML text as a dict; a syntax error, or nesting too deep, becomes a LevelError."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise LevelError(file, "", f"not valid TOML: {exc}") from None
    except RecursionError:
        raise LevelError(file, "", "not valid TOML: nested too deeply") from None
