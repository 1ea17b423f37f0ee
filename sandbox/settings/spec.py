"""What a setting is: its value kind, slider mapping, label format, command-line option, file keys.

`Setting` describes one user setting of the settings table (`sandbox.settings.table`) and checks
values against it; `Slider` maps a slider's integer positions to values. Standard library only.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sandbox.vocab import SPEEDS, Control


class ValueKind(StrEnum):
    """What values a setting takes."""

    INT = "int"
    FLOAT = "float"
    CHOICE = "choice"  # one of `choices` (a string enum's values)
    TEXT = "text"  # a name checked elsewhere (a dataset: its registry needs numpy)
    WIDTHS = "widths"  # neurons per hidden layer, e.g. 16,16,16
    VIEWS = "views"  # a set of view names


class Scale(StrEnum):
    """How a slider's integer positions map to values."""

    LINEAR = "linear"  # value = position * unit
    LOG = "log"  # lo * (hi / lo) ** (position / steps)
    LOG_OR_ZERO = "log_or_zero"  # position 0 is 0; 1..steps spread lo..hi on a log scale
    STOPS = "stops"  # position i is stops[i]


class Format(StrEnum):
    """How a value is written on its label."""

    NUMBER = "number"  # short and readable: 0.01, 3e-4, 12.5
    FIXED2 = "fixed2"  # 0.10
    PERCENT = "percent"  # 20%
    INT = "int"  # 64
    PIXELS = "pixels"  # 18 px
    SPEED = "speed"  # 25, or "flat out" for 0


@dataclass(frozen=True)
class Slider:
    """A slider's mapping: lo..hi in steps of `unit` (linear), `steps` positions 0..steps over
    lo..hi (log), or one position per stop."""

    scale: Scale
    lo: float = 0.0
    hi: float = 1.0
    steps: int = 100
    stops: tuple[float, ...] = ()
    unit: float = 1.0


@dataclass(frozen=True)
class CliOption:
    """How the command line offers a setting: its flags (the first is the canonical one)."""

    flags: tuple[str, ...]
    help: str
    metavar: str | None = None
    default: Any = None  # None: the app's own default applies
    describes_sandbox: bool = True  # giving it opens the sandbox instead of the start menu


class _Same:
    """The marker of a file default that is the setting's own."""

    def __repr__(self) -> str:
        return "SAME"


SAME: Any = _Same()


@dataclass(frozen=True)
class FileKey:
    """Where a file format keeps a setting ("network.learning_rate") and, where the format's
    own range or default differs from the app's, those (`default` SAME: the setting's).
    `old` are the names earlier versions of the format gave the key (inside the same table):
    files that use one are read as if they used `key`."""

    key: str
    default: Any = SAME
    range: tuple[float, float] | None = None
    old: tuple[str, ...] = ()


@dataclass(frozen=True)
class Setting:
    """One user setting. `range` is what a person may give (command line, level file, script);
    a slider may span less (`slider`)."""

    name: str
    kind: ValueKind
    default: Any
    label: str
    help: str
    range: tuple[float, float] | None = None
    choices: tuple[str, ...] = ()
    choice_labels: tuple[str, ...] = ()
    slider: Slider | None = None
    fmt: Format = Format.NUMBER
    control: Control | None = None
    cli: CliOption | None = None
    level: FileKey | None = None
    scene: FileKey | None = None
    aliases: tuple[str, ...] = ()

    # ---------------------------------------------------------------- checking
    def allowed(self, rng: tuple[float, float] | None = None) -> str:
        """What is allowed, in words: "0 to 0.5", "'sgd', 'adam'"."""
        if self.kind is ValueKind.CHOICE:
            return ", ".join(repr(c) for c in self.choices)
        lo, hi = rng or self.range or (0, 0)
        return f"{_number(lo)} to {_number(hi)}"

    def in_range(self, value: float, rng: tuple[float, float] | None = None) -> bool:
        lo, hi = rng or self.range or (-math.inf, math.inf)
        return isinstance(value, int | float) and math.isfinite(value) and lo <= value <= hi

    def check(self, value: Any, where: str | None = None) -> Any:
        """The value if allowed, else ValueError naming `where` (default: the setting's name),
        the value and what is allowed."""
        where = where or self.name
        if self.kind is ValueKind.CHOICE:
            if value not in self.choices:
                raise ValueError(f"{where} is {value!r}; allowed: {self.allowed()}")
            return value
        if self.range is not None and not self.in_range(value):
            raise ValueError(f"{where} is {value!r}; allowed: {self.allowed()}")
        return value

    # ---------------------------------------------------------------- sliders
    def slider_range(self) -> tuple[int, int]:
        """The slider's first and last integer position."""
        sl = self._slider()
        if sl.scale is Scale.STOPS:
            return (0, len(sl.stops) - 1)
        if sl.scale is Scale.LINEAR:
            return (round(sl.lo / sl.unit), round(sl.hi / sl.unit))
        return (0, sl.steps)

    def to_slider(self, value: float) -> int:
        sl = self._slider()
        if sl.scale is Scale.STOPS:
            return min(range(len(sl.stops)), key=lambda i: abs(sl.stops[i] - value))
        if sl.scale is Scale.LINEAR:
            return round(value / sl.unit)
        if sl.scale is Scale.LOG_OR_ZERO:
            if value <= 0:
                return 0
            return 1 + _log_to_position(max(value, sl.lo), sl.lo, sl.hi, sl.steps - 1)
        return _log_to_position(value, sl.lo, sl.hi, sl.steps)

    def from_slider(self, position: float) -> float:
        sl = self._slider()
        if sl.scale is Scale.STOPS:
            return sl.stops[int(position)]
        if sl.scale is Scale.LINEAR:
            return position * sl.unit
        if sl.scale is Scale.LOG_OR_ZERO:
            if position <= 0:
                return 0.0
            return _position_to_log(position - 1, sl.lo, sl.hi, sl.steps - 1)
        return _position_to_log(position, sl.lo, sl.hi, sl.steps)

    def _slider(self) -> Slider:
        if self.slider is None:
            raise ValueError(f"{self.name} has no slider")
        return self.slider

    # ---------------------------------------------------------------- labels
    def format(self, value: Any, number: Callable[[float], str] = str) -> str:
        """The value as its label shows it; `number` writes plain numbers (the panels pass
        sandbox.ui.numbers.plain_number)."""
        if self.fmt is Format.PERCENT:
            return f"{value * 100:.0f}%"
        if self.fmt is Format.FIXED2:
            return f"{value:.2f}"
        if self.fmt is Format.INT:
            return str(int(value))
        if self.fmt is Format.PIXELS:
            return f"{value:.0f} px"
        if self.fmt is Format.SPEED:
            steps = SPEEDS[int(value)]
            return "flat out" if steps == 0 else str(steps)
        return number(float(value))


def _number(x: float) -> str:
    """A limit as messages write it: 0, 0.5, 1e-06, 2147483647."""
    if float(x).is_integer() and abs(x) < 1e16:
        return str(int(x))
    return f"{x:g}"


def _log_to_position(value: float, lo: float, hi: float, steps: int) -> int:
    value = min(max(value, lo), hi)
    return round(steps * math.log(value / lo) / math.log(hi / lo))


def _position_to_log(position: float, lo: float, hi: float, steps: int) -> float:
    return float(lo * (hi / lo) ** (float(position) / steps))
