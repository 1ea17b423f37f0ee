"""The row builder: the controls of a side panel as a list of rows (a section title, a labelled
slider, a row of buttons, a hint), and the slider rows of the user settings, defined once for the
sandbox's and the levels' panels.

`setting_row(name)` is the slider row of one setting: its label and hover help, its slider range
and the mapping between the setting's value and the slider's position (log scales for the
learning rate, weight decay and prior precision). `RowPanel` builds rows onto a pygame-gui
container and keeps each slider showing its setting (`_sync_sliders`); a panel class handles the
row kinds only it has by overriding `_build_special`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pygame_gui.elements import UIButton, UIHorizontalSlider, UILabel

from sandbox import actions as A
from sandbox import game_actions as G
from sandbox.state import AppState, speed_label
from sandbox.ui.base import PanelBase
from sandbox.ui.numbers import plain_number
from sandbox.vocab import (
    BATCH_SIZES,
    BRUSH_DENSITY_RANGE,
    BRUSH_RADIUS_RANGE,
    L2_RANGE,
    LR_SLIDER_RANGE,
    PRIOR_RANGE,
    SPEEDS,
)

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
    """Slider 0 is no weight decay; 1..100 spread 1e-5 .. L2_RANGE[1] on a log scale."""
    if i <= 0:
        return 0.0
    return slider_to_log(i - 1, 1e-5, L2_RANGE[1], 99)


def l2_to_slider(v: float) -> int:
    if v <= 0:
        return 0
    return 1 + log_to_slider(max(v, 1e-5), 1e-5, L2_RANGE[1], 99)


def _batch_position(s: AppState) -> int:
    return min(range(len(BATCH_SIZES)), key=lambda i: abs(BATCH_SIZES[i] - s.settings.batch_size))


_LR, _PRIOR = LR_SLIDER_RANGE, PRIOR_RANGE

# name -> (label, hover help, slider range, get, move, text); the level control is the name
# unless CONTROL_OF says otherwise.
SETTING_SLIDERS: dict[str, SliderSpec] = {
    "paint_value": SliderSpec(
        "Grey to paint",
        "The grey level painted points ask for: 0 is black, 1 is white.",
        (0, 100),
        lambda s: round(s.paint_value * 100),
        lambda v: A.SetPaintValue(v / 100.0),
        lambda s: f"{s.paint_value:.2f}",
    ),
    "brush_size": SliderSpec(
        "Brush size",
        "How wide the brush is. Left drag paints points, right drag erases them.",
        (int(BRUSH_RADIUS_RANGE[0]), int(BRUSH_RADIUS_RANGE[1])),
        lambda s: round(s.brush_radius_px),
        lambda v: A.SetBrushSize(float(v)),
        lambda s: f"{s.brush_radius_px:.0f} px",
    ),
    "brush_density": SliderSpec(
        "Brush density",
        "How many points each dab of the brush adds.",
        BRUSH_DENSITY_RANGE,
        lambda s: s.brush_density,
        lambda v: A.SetBrushDensity(int(v)),
        lambda s: f"{s.brush_density}",
    ),
    "noise": SliderSpec(
        "Noise",
        "How messy the data set is: 0 is clean, higher mixes the classes near the borders.",
        (0, 50),
        lambda s: round(s.noise * 100),
        lambda v: A.SetNoise(v / 100.0),
        lambda s: f"{s.noise:.2f}",
    ),
    "test_fraction": SliderSpec(
        "Test points",
        "Share of points the network never trains on (drawn hollow). They show whether it "
        "generalises.",
        (0, 50),
        lambda s: round(s.test_fraction * 100),
        lambda v: A.SetTestFraction(v / 100.0),
        lambda s: f"{s.test_fraction * 100:.0f}%",
    ),
    "learning_rate": SliderSpec(
        "Learning rate",
        "How big each training step is. Too small: slow. Too big: training explodes "
        "(the app then restores the last good weights).",
        (0, 100),
        lambda s: log_to_slider(s.settings.learning_rate, *_LR, 100),
        lambda v: A.SetLearningRate(slider_to_log(v, *_LR, 100)),
        lambda s: plain_number(s.settings.learning_rate),
    ),
    "batch_size": SliderSpec(
        "Batch size",
        "How many points each step looks at. Small batches are noisy but quick.",
        (0, len(BATCH_SIZES) - 1),
        _batch_position,
        lambda v: A.SetBatchSize(BATCH_SIZES[int(v)]),
        lambda s: str(s.settings.batch_size),
    ),
    "l2": SliderSpec(
        "L2 (weight decay)",
        "Pulls every weight a little towards zero each step: smoother, simpler fits.",
        (0, 100),
        lambda s: l2_to_slider(s.settings.l2),
        lambda v: A.SetL2(l2_from_slider(int(v))),
        lambda s: plain_number(s.settings.l2),
    ),
    "speed": SliderSpec(
        "Steps per frame",
        "How fast training runs: training steps per drawn frame, from one step at a time "
        "to flat out (as many as fit the frame).",
        (0, len(SPEEDS) - 1),
        lambda s: s.speed,
        lambda v: A.SetSpeed(int(v)),
        lambda s: speed_label(s.speed),
    ),
    "seed": SliderSpec(
        "Starting weights seed",
        "Which random starting weights the network gets: each seed is a different start.",
        (0, 99),
        lambda s: min(99, max(0, s.settings.seed)),
        lambda v: G.SetNetworkSeed(int(v)),
        lambda s: str(s.settings.seed),
    ),
    "prior_precision": SliderSpec(
        "Prior precision",
        "How strongly the Laplace posterior believes weights are small. Small values: "
        "humbler far from the data; large values: close to the plain network.",
        (0, 120),
        lambda s: log_to_slider(s.prior_precision, *_PRIOR, 120),
        lambda v: A.SetPriorPrecision(slider_to_log(v, *_PRIOR, 120)),
        lambda s: plain_number(s.prior_precision),
    ),
}

# the level control (levels/*.toml `controls`) that shows, hides or locks a setting's row
CONTROL_OF = {
    "paint_value": "paint",
    "brush_size": "paint",
    "brush_density": "paint",
    "test_fraction": "split",
    "speed": "play",
}


def setting_row(name: str, **words: str) -> Row:
    """The slider row of setting `name`; `words` may replace its label or tip."""
    spec = SETTING_SLIDERS[name]
    if words:
        spec = SliderSpec(
            words.get("label", spec.label),
            words.get("tip", spec.tip),
            spec.range,
            spec.get,
            spec.move,
            spec.text,
        )
    return Row("slider", CONTROL_OF.get(name, name), SLIDER_ROW, dict(spec=spec))


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

    def __init__(self, manager: Any, scale: float) -> None:
        super().__init__(manager, scale)
        self._sliders: list[SliderWidget] = []

    def clear(self) -> None:
        super().clear()
        self._sliders.clear()

    def _slider_row(self, container: Any, y: int, width: int, spec: SliderSpec, state) -> int:
        """A labelled slider with its value on the right; returns the next row's y."""
        pad = self.s(12)
        row = self.s(24)
        vw = self.s(76)
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

    def _build_rows(self, container: Any, rows: list[Row], state, y: int, width: int) -> int:
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
        x = pad
        for i, b in enumerate(buttons):
            bw = round(free * b.weight / total) if i < len(buttons) - 1 else pad + inner - x
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
