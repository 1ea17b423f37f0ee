"""The row builder: the controls of a side panel as a list of rows (a section title, a labelled
slider, a row of buttons, a hint), and the slider rows of the user settings, built from the
settings table (sandbox.settings) for the sandbox's and the levels' panels alike.

`setting_row(name)` is the slider row of one setting: its label, hover help, slider range,
value <-> slider mapping (log scales for the learning rate, weight decay and prior precision)
and value label all come from the table; this module adds only where the state keeps the value
and which action sets it (`STATE_ACCESS`). `RowPanel` builds rows onto a pygame-gui
container and keeps each slider showing its setting (`_sync_sliders`); a panel class handles the
row kinds only it has by overriding `_build_special`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import pygame_gui
from pygame_gui.elements import UIButton, UIHorizontalSlider, UILabel

from sandbox import actions as A
from sandbox import game_actions as G
from sandbox.settings import setting
from sandbox.state import AppState
from sandbox.ui.base import Container, PanelBase
from sandbox.ui.numbers import plain_number

SLIDER_ROW = 54  # height at 1x of a labelled slider row: the label line and the slider
SECTION_ROW = 24


@dataclass
class Row:
    """One row of a panel: its kind, the level control it belongs to, its height at 1x."""

    kind: str
    control: str
    height: int
    args: dict = field(default_factory=dict)


@dataclass(frozen=True)
class SliderSpec:
    """A labelled slider: words, the slider's integer range and the value <-> position maps."""

    label: str
    tip: str
    range: tuple[int, int]
    get: Callable[[AppState], float]  # state -> slider position
    move: Callable[[float], A.Action | None]  # slider position -> action
    text: Callable[[AppState], str]  # state -> the value shown right of the label


def log_to_slider(value: float, lo: float, hi: float, steps: int) -> int:
    value = min(max(value, lo), hi)
    return round(steps * math.log(value / lo) / math.log(hi / lo))


def slider_to_log(i: float, lo: float, hi: float, steps: int) -> float:
    return float(lo * (hi / lo) ** (float(i) / steps))


def l2_from_slider(i: int) -> float:
    """Slider 0 is no weight decay; 1..100 spread over a log scale (the settings table's)."""
    return float(setting("l2").from_slider(i))


def l2_to_slider(v: float) -> int:
    return setting("l2").to_slider(v)


# How a panel reads each setting of the table from the state, and the action that sets it.
# Words, slider range, value <-> position and the value's label come from sandbox.settings.
STATE_ACCESS: dict[str, tuple[Callable[[AppState], float], Callable[[float], A.Action]]] = {
    "noise": (lambda s: s.noise, A.SetNoise),
    "resolution": (lambda s: s.resolution, lambda v: A.SetResolution(int(v))),
    "test_fraction": (lambda s: s.test_fraction, A.SetTestFraction),
    "learning_rate": (lambda s: s.settings.learning_rate, A.SetLearningRate),
    "batch_size": (lambda s: s.settings.batch_size, lambda v: A.SetBatchSize(int(v))),
    "l2": (lambda s: s.settings.l2, A.SetL2),
    "speed": (lambda s: s.speed, lambda v: A.SetSpeed(int(v))),
    "prior_precision": (lambda s: s.prior_precision, A.SetPriorPrecision),
    "brush_radius_px": (lambda s: s.brush_radius_px, lambda v: A.SetBrushSize(float(v))),
    "brush_density": (lambda s: s.brush_density, lambda v: A.SetBrushDensity(int(v))),
}

# Sliders of things the settings table does not list (they are not saved or set by levels).
OTHER_SLIDERS: dict[str, tuple[SliderSpec, str]] = {
    "paint_value": (
        SliderSpec(
            "Grey to paint",
            "The grey level painted points ask for: 0 is black, 1 is white.",
            (0, 100),
            lambda s: round(s.paint_value * 100),
            lambda v: A.SetPaintValue(v / 100.0),
            lambda s: f"{s.paint_value:.2f}",
        ),
        "paint",
    ),
    "seed": (
        SliderSpec(
            "Starting weights seed",
            "Which random starting weights the network gets: each seed is a different start.",
            (0, 99),
            lambda s: min(99, max(0, s.settings.seed)),
            lambda v: G.SetNetworkSeed(int(v)),
            lambda s: str(s.settings.seed),
        ),
        "seed",
    ),
}


def table_slider(name: str) -> tuple[SliderSpec, str]:
    """The slider of setting `name` built from the settings table, and its level control."""
    if name in OTHER_SLIDERS:
        return OTHER_SLIDERS[name]
    st = setting(name)
    get, act = STATE_ACCESS[st.name]
    spec = SliderSpec(
        st.label,
        st.help,
        st.slider_range(),
        lambda s: st.to_slider(get(s)),
        lambda v: act(st.from_slider(v)),
        lambda s: st.format(get(s), plain_number),
    )
    return spec, (st.control.value if st.control is not None else st.name)


# every slider a panel offers, by setting name
SETTING_SLIDERS: dict[str, SliderSpec] = {
    name: table_slider(name)[0] for name in (*STATE_ACCESS, *OTHER_SLIDERS)
}


def setting_row(name: str, **words: str) -> Row:
    """The slider row of setting `name`; `words` may replace its label or tip."""
    spec, control = table_slider(name)
    if words:
        spec = replace(spec, label=words.get("label", spec.label), tip=words.get("tip", spec.tip))
    return Row("slider", control, SLIDER_ROW, dict(spec=spec))


def section_row(title: str) -> Row:
    return Row("section", "", SECTION_ROW, dict(title=title))


@dataclass(frozen=True)
class ButtonSpec:
    """One button of a row: `key` names it (and is its level control unless `control` is set)."""

    key: str
    text: str
    tip: str
    act: Callable[[], A.Action | None]
    cls: str = "@button"
    weight: float = 1.0  # share of the row's width
    control: str = ""
    short: str = ""  # fewer words for a narrow panel


def buttons_row(buttons: list[ButtonSpec], height: int = 42, button: int = 32) -> Row:
    """A row of buttons sharing the width by weight; `button` is their height at 1x."""
    control = (buttons[0].control or buttons[0].key) if buttons else ""
    return Row("buttons", control, height, dict(buttons=buttons, button=button))


def hint_row(text: str, key: str | None = None, height: int = 30) -> Row:
    return Row("hint", "", height, dict(text=text, key=key))


@dataclass
class SliderWidget:
    widget: UIHorizontalSlider
    value_label: UILabel
    get: Callable[[AppState], float]
    text: Callable[[AppState], str]


class RowPanel(PanelBase):
    """A panel class that builds rows (see the module docstring)."""

    def __init__(self, manager: pygame_gui.UIManager, scale: float) -> None:
        super().__init__(manager, scale)
        self._sliders: list[SliderWidget] = []

    def clear(self) -> None:
        super().clear()
        self._sliders.clear()

    def _slider_row(self, container: Container, y: int, width: int, spec: SliderSpec, state) -> int:
        """A labelled slider with its value on the right; returns the next row's y."""
        pad = self.s(12)
        row = self.s(24)
        # the value column gives way to a long label in a narrow panel, down to what it shows
        room = width - 2 * pad - self.text_width(spec.label, "@label", "label") - self.s(8)
        shown = self.text_width(spec.text(state), "@value", "label") + self.s(6)
        vw = max(min(self.s(76), room), shown)
        name = self._label(container, (pad, y, width - 2 * pad - vw, row), spec.label)
        value = self._label(container, (width - pad - vw, y, vw, row), spec.text(state), "@value")
        self._tip(name, spec.tip)
        slider = self._slider(
            container,
            (pad, y + row, width - 2 * pad, self.s(22)),
            int(spec.get(state)),
            spec.range,
            spec.tip,
            spec.move,
        )
        self._sliders.append(SliderWidget(slider, value, spec.get, spec.text))
        return y + row + self.s(30)

    def _build_rows(self, container: Container, rows: list[Row], state, y: int, width: int) -> int:
        """Build `rows` top to bottom from `y`; returns the y below the last one."""
        pad = self.s(12)
        for row in rows:
            if row.kind == "section":
                self._label(container, (pad, y, width - 2 * pad, self.s(20)), row.args["title"],
                            "@section")  # fmt: skip
                y += self.s(row.height)
            elif row.kind == "slider":
                top = y
                y = self._slider_row(container, y, width, row.args["spec"], state)
                y += self.s(row.height - SLIDER_ROW)
                self._after_slider(container, row, top, width, pad)
            elif row.kind == "buttons":
                self._buttons_row(container, row, y, width - 2 * pad, pad)
                y += self.s(row.height)
            elif row.kind == "hint":
                self._label(container, (pad, y, width - 2 * pad, self.s(22)), row.args["text"],
                            "@hint", key=row.args["key"])  # fmt: skip
                y += self.s(row.height)
            else:
                y = self._build_special(container, state, row, y, width, pad)
        return y

    def _buttons_row(self, container, row: Row, y: int, inner: int, pad: int) -> None:
        buttons: list[ButtonSpec] = row.args["buttons"]
        gap = self.s(6)
        free = inner - gap * (len(buttons) - 1)
        total = sum(b.weight for b in buttons)
        # each button gets the width its words need, the rest is shared by weight
        needs = [self.text_width(b.text, b.cls) + self.s(14) for b in buttons]
        if sum(needs) > free and any(b.short for b in buttons):
            buttons = [replace(b, text=b.short) if b.short else b for b in buttons]
            needs = [self.text_width(b.text, b.cls) + self.s(14) for b in buttons]
        spare = free - sum(needs)
        if spare < 0:
            needs, spare = [0] * len(buttons), free
        x = pad
        for i, b in enumerate(buttons):
            share = needs[i] + round(spare * b.weight / total)
            bw = share if i < len(buttons) - 1 else pad + inner - x
            self._row_button(container, (x, y, bw, self.s(row.args["button"])), b)
            x += bw + gap

    def _row_button(self, container, rect: tuple, b: ButtonSpec) -> UIButton:
        """One button of a buttons row (a level draws a locked control's disabled)."""
        return self._button(container, rect, b.text, b.tip, b.act, cls=b.cls)

    def _after_slider(self, container, row: Row, y: int, width: int, pad: int) -> None:
        """Hook after a slider row (a level locks it here)."""

    def _build_special(self, container, state, row: Row, y: int, width: int, pad: int) -> int:
        raise ValueError(f"{type(self).__name__} has no row of kind {row.kind!r}")

    def _sync_sliders(self, state, force: bool = False) -> None:
        for sl in self._sliders:
            target = sl.get(state)
            if force or abs(sl.widget.get_current_value() - target) >= 1:
                sl.widget.set_current_value(target, warn=False)
            text = sl.text(state)
            if sl.value_label.text != text:
                sl.value_label.set_text(text)
