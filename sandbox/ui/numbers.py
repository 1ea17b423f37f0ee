"""Numbers as the panels, cards and readouts show them: plain decimals a twelve-year-old can read
(0.001, not 1e-3), big counts in words (2.6 million), losses and percentages at a steady width.
"""

from __future__ import annotations

import math

_BIG = ((1e12, "trillion"), (1e9, "billion"), (1e6, "million"))


def plain_number(x: float, digits: int = 2) -> str:
    """A short plain decimal: 12.5, 0.01, 0.0003 (never an exponent); `digits` significant
    digits below 0.01, three from there to 100, whole numbers above."""
    if not math.isfinite(x):
        return "-"
    if x == 0:
        return "0"
    a = abs(x)
    if a >= 1e6:
        return compact_count(round(x))
    if a >= 100:
        return f"{x:.0f}"
    if a >= 0.01:
        text = f"{x:.3g}"
        return text if "e" not in text else f"{x:.2f}"
    decimals = min(12, -math.floor(math.log10(a)) + digits - 1)
    text = f"{x:.{decimals}f}".rstrip("0").rstrip(".")
    return text if text not in ("0", "-0") else "0"


def compact_count(n: float) -> str:
    """1,234 / 2.6 million / 19 trillion: short enough for a readout line, no exponents."""
    n = float(n)
    if abs(n) < 100_000:
        return f"{n:,.0f}"
    for size, word in _BIG:
        if abs(n) >= size:
            v = n / size
            if abs(v) >= 1000 and word == "trillion":
                return "over 1,000 trillion"
            text = f"{v:,.1f}".rstrip("0").rstrip(".") if abs(v) < 100 else f"{v:,.0f}"
            return f"{text} {word}"
    return f"{n:,.0f}"


def loss_text(x: float | None) -> str:
    """A loss at a steady width: four decimals, then plain small numbers (0.00018); a dash
    where there is none (None) or it is not finite."""
    if x is None or not math.isfinite(x):
        return "  -  "
    if x >= 1e-3:
        return f"{x:.4f}"
    if x < 1e-7:
        return "0.0000"
    return plain_number(x)


def percent_text(x: float | None) -> str:
    return "  -  " if x is None or not math.isfinite(x) else f"{100 * x:.1f}%"


def axis_number(v: float) -> str:
    """A chart axis label: 10, 1, 0.1, 0.001 (plain), 100k for big values."""
    if v >= 1e4:
        return f"{v / 1000:g}k"
    return plain_number(v)
