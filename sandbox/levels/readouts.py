"""Readouts: live numbers a level shows in its goal panel, written as text with goal-language parts.

A level file lists readouts such as `"regions: {regions} (most possible: {region_bound})"` or
`"far star: {confidence(far_star, laplace):%} sure"`. Each `{...}` holds a number expression of
the goal language (checked when the file loads, like goals) and an optional format after a colon:
`%` shows a fraction as a percentage. `Readout.render(provider)` fills the parts in with the live
values, as plain numbers a twelve-year-old can read (no 1e-3): whole numbers as they are, others
with a few decimals, a value that does not apply (NaN) as "-".
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection
from dataclasses import dataclass

from .goals import Goal, GoalError, MetricsProvider, parse_number

MAX_READOUT = 200
FORMATS = ("", "%")
_PART = re.compile(r"\{([^{}]*)\}")


class ReadoutError(ValueError):
    """A readout that cannot be parsed; the message says what and where."""


@dataclass(frozen=True)
class Readout:
    """One line of live text: literal pieces and number expressions in between."""

    source: str
    pieces: tuple[str, ...]  # literal text; one more than `values`
    values: tuple[tuple[Goal, str], ...]  # (expression, format) for each {...}

    def render(self, provider: MetricsProvider) -> str:
        out = [self.pieces[0]]
        for (expr, fmt), piece in zip(self.values, self.pieces[1:], strict=True):
            out.append(format_value(expr.value(provider), fmt))
            out.append(piece)
        return "".join(out)

    def names(self) -> set[str]:
        """The metric and function names the readout uses."""
        out: set[str] = set()
        for expr, _ in self.values:
            out |= expr.names()
        return out


def parse_readout(src: str, markers: Collection[str] | None = None) -> Readout:
    """Parse a readout template; raises ReadoutError naming the part that is wrong."""
    if not isinstance(src, str) or not src.strip():
        raise ReadoutError("a readout must be a non-empty string")
    if len(src) > MAX_READOUT:
        raise ReadoutError(f"is {len(src)} characters long; at most {MAX_READOUT} allowed")
    pieces: list[str] = []
    values: list[tuple[Goal, str]] = []
    pos = 0
    for m in _PART.finditer(src):
        pieces.append(src[pos : m.start()])
        body = m.group(1)
        expr, _, fmt = body.partition(":")
        fmt = fmt.strip()
        if fmt not in FORMATS:
            raise ReadoutError(f"unknown format {fmt!r} in {{{body}}}; allowed: '%' or none")
        try:
            values.append((parse_number(expr.strip(), markers), fmt))
        except GoalError as exc:
            raise ReadoutError(f"{exc} (in {{{body}}})") from None
        pos = m.end()
    pieces.append(src[pos:])
    for piece in pieces:
        if "{" in piece or "}" in piece:
            raise ReadoutError("a '{' or '}' without its partner; write values as {regions}")
    if not values:
        raise ReadoutError("shows no value; put a number expression in braces, like {regions}")
    return Readout(src, tuple(pieces), tuple(values))


def format_value(value: float, fmt: str = "") -> str:
    """A number as a plain, short string: 12, 0.045, 87%; NaN as '-', infinity as 'very many'."""
    if math.isnan(value):
        return "-"
    if math.isinf(value):
        return "very many" if value > 0 else "-very many"
    if fmt == "%":
        p = 100.0 * value
        if 99.0 < p < 100.0:  # "100%" would hide the lesson of the last few tenths
            return f"{min(p, 99.9):.1f}%"
        if 0.0 < p < 1.0:
            return f"{max(p, 0.1):.1f}%"
        return f"{p:.0f}%"
    if value == round(value) and abs(value) < 1e15:
        return str(int(round(value)))
    digits = max(0, 3 - int(math.floor(math.log10(abs(value)))) - 1)
    return f"{value:.{min(digits, 8)}f}".rstrip("0").rstrip(".")
