"""The sandbox's pygame-gui panels: data and brush (left), network and training (right), the view
toolbar (above the plane) and the readout strip with the loss chart (below it).

Panels read the state and emit actions; they never change the state. `handle_event` turns
pygame-gui widget events into actions, `sync` makes the widgets show what the state says (a key
press may have changed a setting the panel shows). Every control carries a tooltip in plain
words. Layout geometry is multiplied by the UI scale; a structural change (number of layers,
task, a setting shown by a drop-down) rebuilds the panels, which takes a few milliseconds.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import pygame
import pygame_gui
from pygame_gui.core import ObjectID
from pygame_gui.elements import (
    UIButton,
    UIDropDownMenu,
    UIHorizontalSlider,
    UIImage,
    UILabel,
    UIPanel,
)

from sandbox import actions as A
from sandbox.state import AppState, speed_label
from sandbox.ui import charts
from sandbox.ui.dialogs import FileButtons
from sandbox.ui.layout import COMPACT_LAYERS, LAYER_LABEL_WIDTH, TOOLBAR_ITEMS, panels_visible
from sandbox.ui.theme import CLASS_NAMES
from sandbox.vocab import (
    BATCH_SIZES,
    BRUSH_DENSITY_RANGE,
    BRUSH_RADIUS_RANGE,
    L2_RANGE,
    LR_SLIDER_RANGE,
    MAX_CLASSES,
    MAX_WIDTH_UI,
    MIN_WIDTH,
    PRIOR_RANGE,
    SPEEDS,
    VIEW_KEYS,
    Optimizer,
    Task,
    View,
)

TOOLTIP_DELAY = 0.5
# font sizes of the label classes at 1x (assets/theme.json)
LABEL_FONT_PX = {
    "@label": 15,
    "@value": 15,
    "@readout": 16,
    "@big_readout": 18,
    "@hint": 13,
    "@section": 13,
    "@title": 19,
}
UI_SCALES = (1.0, 1.25, 1.5, 1.75, 2.0)


def widget_actions(
    event: pygame.event.Event,
    press: dict[Any, Callable[[], A.Action | None]],
    slide: dict[Any, Callable[[float], A.Action | None]],
    select: dict[Any, Callable[[str], A.Action | None]],
) -> list[A.Action]:
    """The action a pygame-gui widget event asks for, through a panel's widget tables."""
    element = getattr(event, "ui_element", None)
    if element is None:
        return []
    action = None
    if event.type == pygame_gui.UI_BUTTON_PRESSED and element in press:
        action = press[element]()
    elif event.type == pygame_gui.UI_HORIZONTAL_SLIDER_MOVED and element in slide:
        action = slide[element](event.value)
    elif event.type == pygame_gui.UI_DROP_DOWN_MENU_CHANGED and element in select:
        option = getattr(event, "selected_option_id", None) or event.text
        action = select[element](option)
    return [action] if action is not None else []


def label_rect(rect: tuple, cls: str, scale: float) -> pygame.Rect:
    """`rect` grown evenly up and down to the height a label of class `cls` needs at `scale`."""
    x, y, w, h = rect
    # taller than the font needs, at every scale (rounding makes big fonts a bit taller)
    need = math.ceil(LABEL_FONT_PX.get(cls, 15) * scale * 1.7)
    if h < need:
        y -= (need - h) // 2
        h = need
    return pygame.Rect(x, y, w, h)


VIEW_TIPS = {
    View.FIELD: "Colour the plane by what the network predicts: the stronger the colour, the "
    "surer it is. For a picture, the predicted grey.",
    View.BOUNDARY: "Draw the decision boundary: the exact line where the network switches "
    "from one class to another.",
    View.REGIONS: "Fill each linear region with its own colour. Inside a region the network "
    "is a flat (linear) function; the colour stays with the region while it trains.",
    View.CREASES: "Draw every neuron's crease: where it switches on or off. Colours tell the "
    "layers apart; later layers bend where they meet earlier creases.",
    View.LAPLACE: "Show confidence with a bit of Bayes (last-layer Laplace) instead of the "
    "plain trained network. Zoom out far to see the difference.",
    View.SPLIT: "Split screen: the plain network (MAP) on the left, the Laplace version on the "
    "right, same view.",
    View.THREE_D: "The output as folded paper: one flat facet per linear region, folded along the "
    "creases. Drag to turn it, wheel to zoom; the cursor is linked with the flat view.",
    View.PROBE: "Walk along a ray from the data outwards and plot the logits and the confidence "
    "against the distance, plain and with Laplace. Shift+drag on the plane for a new ray.",
    View.INSPECTOR: "The network as a diagram: every neuron with a picture of where it is on. "
    "Click one to see its crease and weights; drag a first-layer crease to move it.",
    View.TIMELINE: "Go back in training: a slider through the saved snapshots, a replay, and "
    "training on from any past moment. A click on the loss chart jumps there too.",
}


def _log_to_slider(value: float, lo: float, hi: float, steps: int) -> int:
    value = min(max(value, lo), hi)
    return round(steps * math.log(value / lo) / math.log(hi / lo))


def _slider_to_log(i: float, lo: float, hi: float, steps: int) -> float:
    return float(lo * (hi / lo) ** (float(i) / steps))


def fmt_number(x: float) -> str:
    """Short, readable number for value labels (0.01, 3e-4, 12.5)."""
    if x == 0:
        return "0"
    if abs(x) >= 100:
        return f"{x:.0f}"
    if abs(x) >= 0.01:
        return f"{x:.3g}"
    return f"{x:.0e}".replace("e-0", "e-")


def l2_from_slider(i: int) -> float:
    """Slider 0 is no weight decay; 1..100 spread 1e-5 .. L2_RANGE[1] on a log scale."""
    if i <= 0:
        return 0.0
    return _slider_to_log(i - 1, 1e-5, L2_RANGE[1], 99)


def l2_to_slider(v: float) -> int:
    if v <= 0:
        return 0
    return 1 + _log_to_slider(max(v, 1e-5), 1e-5, L2_RANGE[1], 99)


@dataclass
class _Slider:
    widget: UIHorizontalSlider
    value_label: UILabel
    get: Callable[[AppState], float]  # state -> slider position
    text: Callable[[AppState], str]  # state -> value label text


class SandboxPanels:
    """All pygame-gui elements of the sandbox screen."""

    def __init__(self, manager: pygame_gui.UIManager, state: AppState) -> None:
        self.manager = manager
        self.scale = state.scale
        self.elements: list[Any] = []
        self.controls: list[Any] = []  # every interactive element (for the tooltip test)
        self._press: dict[Any, Callable[[], A.Action | None]] = {}
        self._slide: dict[Any, Callable[[float], A.Action | None]] = {}
        self._select: dict[Any, Callable[[str], A.Action | None]] = {}
        self._sliders: list[_Slider] = []
        self._labels: dict[str, UILabel] = {}
        self._label_text: dict[str, str] = {}
        self._toggles: dict[View | str, UIButton] = {}
        self._swatches: list[UIButton] = []
        self._chart: UIImage | None = None
        self._chart_key: tuple = ()
        self._chart_time = -1.0
        self.build(state)

    # ------------------------------------------------------------------ building
    def s(self, px: float) -> int:
        return round(px * self.scale)

    def _structure_key(self, state: AppState) -> tuple:
        return (
            state.layout.window,
            state.layout.plane,
            len(state.settings.hidden),
            state.settings.task,
            state.settings.optimizer,
            state.preset,
            state.scale,
            state.n_classes,
            tuple(name for name, _, _ in state.presets),
        )

    def build(self, state: AppState) -> None:
        self.clear()
        self.scale = state.scale
        self._key = self._structure_key(state)
        self.visible = panels_visible(state.layout) and state.show_ui
        if not self.visible:
            return
        self._build_left(state)
        self._build_right(state)
        self._build_toolbar(state)
        self._build_bottom(state)
        self.sync(state, force=True)

    def clear(self) -> None:
        for el in self.elements:
            el.kill()
        self.elements.clear()
        self.controls.clear()
        self._press.clear()
        self._slide.clear()
        self._select.clear()
        self._sliders.clear()
        self._labels.clear()
        self._label_text.clear()
        self._toggles.clear()
        self._swatches.clear()
        self._chart = None
        self._chart_key = ()
        self._chart_time = -1.0  # a rebuilt chart is drawn at once

    def _panel(self, rect: tuple[int, int, int, int], oid: str) -> UIPanel:
        panel = UIPanel(
            pygame.Rect(rect),
            starting_height=1,
            manager=self.manager,
            object_id=ObjectID(object_id=oid, class_id="@panel"),
        )
        self.elements.append(panel)
        return panel

    def _tip(self, element: Any, text: str) -> None:
        element.set_tooltip(text, delay=TOOLTIP_DELAY, wrap_width=self.s(300))
        self.controls.append(element)

    def _label(
        self, container: Any, rect: tuple, text: str, cls: str = "@label", key: str | None = None
    ) -> UILabel:
        label = UILabel(
            label_rect(rect, cls, self.scale),
            text,
            manager=self.manager,
            container=container,
            object_id=ObjectID(class_id=cls, object_id=f"#{key}" if key else None),
        )
        self.elements.append(label)
        if key:
            self._labels[key] = label
            self._label_text[key] = text
        return label

    def _button(
        self,
        container: Any,
        rect: tuple,
        text: str,
        tip: str,
        on_press: Callable[[], A.Action | None],
        cls: str = "@button",
        oid: str | None = None,
    ) -> UIButton:
        button = UIButton(
            pygame.Rect(rect),
            text,
            manager=self.manager,
            container=container,
            object_id=ObjectID(class_id=cls, object_id=oid),
        )
        self.elements.append(button)
        self._tip(button, tip)
        self._press[button] = on_press
        return button

    def _slider_row(
        self,
        container: Any,
        y: int,
        width: int,
        label: str,
        tip: str,
        value_range: tuple[int, int],
        get: Callable[[AppState], float],
        on_move: Callable[[float], A.Action | None],
        text: Callable[[AppState], str],
        state: AppState,
    ) -> int:
        """A labelled slider with its value on the right; returns the next row's y."""
        pad = self.s(12)
        row = self.s(24)
        vw = self.s(76)
        name = self._label(container, (pad, y, width - 2 * pad - vw, row), label)
        value = self._label(container, (width - pad - vw, y, vw, row), text(state), "@value")
        self._tip(name, tip)
        slider = UIHorizontalSlider(
            pygame.Rect(pad, y + row, width - 2 * pad, self.s(22)),
            start_value=int(get(state)),
            value_range=value_range,
            manager=self.manager,
            container=container,
            click_increment=1,
        )
        self.elements.append(slider)
        self._tip(slider, tip)
        if slider.sliding_button is not None:
            slider.sliding_button.set_tooltip(tip, delay=TOOLTIP_DELAY, wrap_width=self.s(300))
        self._slide[slider] = on_move
        self._sliders.append(_Slider(slider, value, get, text))
        return y + row + self.s(30)

    def _dropdown(
        self,
        container: Any,
        rect: tuple,
        options: list[tuple[str, str]],
        current: str,
        tip: str,
        on_select: Callable[[str], A.Action | None],
    ) -> UIDropDownMenu:
        start = next((o for o in options if o[1] == current), options[0])
        dd = UIDropDownMenu(
            options,
            start,
            pygame.Rect(rect),
            manager=self.manager,
            container=container,
        )
        self.elements.append(dd)
        self._tip(dd, tip)
        self._select[dd] = on_select
        return dd

    # ------------------------------------------------------------------ left: data
    def _build_left(self, state: AppState) -> None:
        x, y0, w, h = state.layout.left
        panel = self._panel((x, y0, w, h), "#left_panel")
        pad = self.s(12)
        inner = w - 2 * pad
        y = self.s(10)
        self._label(panel, (pad, y, inner, self.s(30)), "Neural Origami", "@title")
        y += self.s(36)
        self._label(panel, (pad, y, inner, self.s(20)), "PAINT", "@section")
        y += self.s(24)
        if state.task is Task.CLASSIFICATION:
            gap = self.s(5)
            size = (inner - gap * (MAX_CLASSES - 1)) // MAX_CLASSES
            for k in range(MAX_CLASSES):
                btn = self._button(
                    panel,
                    (pad + k * (size + gap), y, size, self.s(34)),
                    str(k + 1),
                    f"Paint class {k + 1} ({CLASS_NAMES[k]}). Key {k + 1}.",
                    lambda k=k: A.SelectClass(k),
                    cls="@swatch",
                    oid=f"#swatch_{k}",
                )
                self._swatches.append(btn)
            y += self.s(44)
        else:
            y = self._slider_row(
                panel,
                y,
                w,
                "Grey to paint",
                "The grey level painted points ask for: 0 is black, 1 is white.",
                (0, 100),
                lambda s: round(s.paint_value * 100),
                lambda v: A.SetPaintValue(v / 100.0),
                lambda s: f"{s.paint_value:.2f}",
                state,
            )
        y = self._slider_row(
            panel,
            y,
            w,
            "Brush size",
            "How wide the brush is. Left drag paints points, right drag erases them.",
            (int(BRUSH_RADIUS_RANGE[0]), int(BRUSH_RADIUS_RANGE[1])),
            lambda s: round(s.brush_radius_px),
            lambda v: A.SetBrushSize(float(v)),
            lambda s: f"{s.brush_radius_px:.0f} px",
            state,
        )
        y = self._slider_row(
            panel,
            y,
            w,
            "Brush density",
            "How many points each dab of the brush adds.",
            BRUSH_DENSITY_RANGE,
            lambda s: s.brush_density,
            lambda v: A.SetBrushDensity(int(v)),
            lambda s: f"{s.brush_density}",
            state,
        )
        bw = (inner - 2 * self.s(6)) // 3
        for i, (text, tip, act) in enumerate(
            (
                ("Undo", "Take back the last stroke, clear or preset. Ctrl+Z.", A.Undo),
                ("Redo", "Put back what Undo took. Ctrl+Y.", A.Redo),
                ("Clear", "Remove every point (Undo brings them back).", A.ClearPoints),
            )
        ):
            self._button(
                panel,
                (pad + i * (bw + self.s(6)), y, bw, self.s(32)),
                text,
                tip,
                lambda act=act: act(),
                cls="@danger" if text == "Clear" else "@button",
            )
        y += self.s(40)
        self._label(panel, (pad, y, inner, self.s(22)), "", "@hint", key="counts")
        y += self.s(30)

        self._label(panel, (pad, y, inner, self.s(20)), "PRESETS", "@section")
        y += self.s(24)
        options = [(name, name) for name, _, task in state.presets if task == state.task.value]
        if not options:
            options = [(state.preset, state.preset)]
        tips = "; ".join(f"{n}: {d}" for n, d, t in state.presets if t == state.task.value)
        self._dropdown(
            panel,
            (pad, y, inner - self.s(96), self.s(32)),
            options,
            state.preset,
            "Replace the points by a ready-made dataset. " + tips,
            lambda name: A.LoadPreset(name),
        )
        self._button(
            panel,
            (pad + inner - self.s(90), y, self.s(90), self.s(32)),
            "New seed",
            "Draw the same kind of dataset again with fresh random points.",
            A.NewDataSeed,
        )
        y += self.s(42)
        y = self._slider_row(
            panel,
            y,
            w,
            "Noise",
            "How messy the preset is: 0 is clean, higher mixes the classes near the borders.",
            (0, 50),
            lambda s: round(s.noise * 100),
            lambda v: A.SetNoise(v / 100.0),
            lambda s: f"{s.noise:.2f}",
            state,
        )
        y = self._slider_row(
            panel,
            y,
            w,
            "Test points",
            "Share of points the network never trains on (drawn hollow). They show whether it "
            "generalises.",
            (0, 50),
            lambda s: round(s.test_ratio * 100),
            lambda v: A.SetTestRatio(v / 100.0),
            lambda s: f"{s.test_ratio * 100:.0f}%",
            state,
        )
        self._label(panel, (pad, y, inner, self.s(20)), "VIEW", "@section")
        y += self.s(24)
        bw = (inner - self.s(6)) // 2
        self._button(
            panel,
            (pad, y, bw, self.s(32)),
            "Zoom out far",
            "Jump far out (or back): the network keeps predicting far from the data, and a "
            "plain network is sure of itself there. Key O.",
            A.ZoomOutFar,
        )
        self._button(
            panel,
            (pad + bw + self.s(6), y, bw, self.s(32)),
            "Reset view",
            "Back to the data. Key 0 (zero). Wheel zooms at the cursor, middle drag or "
            "Space+drag pans.",
            A.ResetView,
        )
        y += self.s(42)
        self._file = FileButtons(self, panel, y, pad, inner)  # sandbox.ui.dialogs
        y = self._file.bottom
        if y + self.s(90) < h:
            self._label(
                panel,
                (pad, h - self.s(84), inner, self.s(20)),
                "Left drag paints, right erases",
                "@hint",
            )
            self._label(
                panel,
                (pad, h - self.s(62), inner, self.s(20)),
                "Wheel: zoom · middle: pan",
                "@hint",
            )
            self._label(
                panel,
                (pad, h - self.s(40), inner, self.s(20)),
                "Space trains · H: all keys",
                "@hint",
            )

    # ------------------------------------------------------------------ right: network
    def _build_right(self, state: AppState) -> None:
        x, y0, w, h = state.layout.right
        panel = self._panel((x, y0, w, h), "#right_panel")
        pad = self.s(12)
        inner = w - 2 * pad
        y = self.s(12)
        self._label(panel, (pad, y, inner, self.s(20)), "NETWORK", "@section")
        y += self.s(24)
        bw = self.s(40)
        self._button(
            panel,
            (pad, y, bw, self.s(32)),
            "-",
            "Remove the last hidden layer (at least one stays).",
            A.RemoveLayer,
        )
        self._button(
            panel,
            (pad + bw + self.s(6), y, bw, self.s(32)),
            "+",
            "Add a hidden layer (up to 8). Deeper networks bend their creases more.",
            A.AddLayer,
        )
        self._label(
            panel,
            (pad + 2 * bw + self.s(14), y + self.s(4), inner - 2 * bw - self.s(14), self.s(24)),
            "",
            "@readout",
            key="layers",
        )
        y += self.s(40)
        n_layers = len(state.settings.hidden)
        compact = n_layers > COMPACT_LAYERS
        for i in range(n_layers):
            tip = (
                f"Neurons in hidden layer {i + 1}. Each neuron adds one crease (a fold) to the "
                "plane."
            )
            if compact:
                row = self.s(24)
                name = self._label(panel, (pad, y, self.s(70), row), f"Layer {i + 1}")
                self._tip(name, tip)
                value = self._label(panel, (w - pad - self.s(34), y, self.s(34), row), "", "@value")
                slider = UIHorizontalSlider(
                    pygame.Rect(pad + self.s(72), y + self.s(1), inner - self.s(110), self.s(22)),
                    start_value=state.settings.hidden[i],
                    value_range=(MIN_WIDTH, MAX_WIDTH_UI),
                    manager=self.manager,
                    container=panel,
                )
                self.elements.append(slider)
                self._tip(slider, tip)
                self._slide[slider] = lambda v, i=i: A.SetWidth(i, int(v))
                self._sliders.append(
                    _Slider(
                        slider,
                        value,
                        lambda s, i=i: s.settings.hidden[i] if i < len(s.settings.hidden) else 1,
                        lambda s, i=i: (
                            str(s.settings.hidden[i]) if i < len(s.settings.hidden) else ""
                        ),
                    )
                )
                y += self.s(28)
            else:
                y = self._slider_row(
                    panel,
                    y,
                    w,
                    f"Layer {i + 1} neurons",
                    tip,
                    (MIN_WIDTH, MAX_WIDTH_UI),
                    lambda s, i=i: s.settings.hidden[i] if i < len(s.settings.hidden) else 1,
                    lambda v, i=i: A.SetWidth(i, int(v)),
                    lambda s, i=i: str(s.settings.hidden[i]) if i < len(s.settings.hidden) else "",
                    state,
                )
        if compact:
            y += self.s(6)
        half = (inner - self.s(6)) // 2
        self._dropdown(
            panel,
            (pad, y, half, self.s(32)),
            [("Classify", Task.CLASSIFICATION.value), ("Picture", Task.REGRESSION.value)],
            state.task.value,
            "What the network learns: to classify coloured points, or to fit a grey picture "
            "(regression) painted with grey values.",
            lambda v: A.SetTask(v),
        )
        self._dropdown(
            panel,
            (pad + half + self.s(6), y, half, self.s(32)),
            [("Adam", "adam"), ("SGD", "sgd")],
            state.settings.optimizer if state.settings.optimizer in tuple(Optimizer) else "adam",
            "How the weights are updated: Adam adapts its step size per weight and is forgiving; "
            "SGD with momentum is the classic.",
            lambda v: A.SetOptimizer(v),
        )
        y += self.s(42)
        lo, hi = LR_SLIDER_RANGE
        y = self._slider_row(
            panel,
            y,
            w,
            "Learning rate",
            "How big each training step is. Too small: slow. Too big: training explodes "
            "(the app then restores the last good weights).",
            (0, 100),
            lambda s: _log_to_slider(s.settings.lr, lo, hi, 100),
            lambda v: A.SetLearningRate(_slider_to_log(v, lo, hi, 100)),
            lambda s: fmt_number(s.settings.lr),
            state,
        )
        y = self._slider_row(
            panel,
            y,
            w,
            "Batch size",
            "How many points each step looks at. Small batches are noisy but quick.",
            (0, len(BATCH_SIZES) - 1),
            lambda s: min(
                range(len(BATCH_SIZES)),
                key=lambda i: abs(BATCH_SIZES[i] - s.settings.batch_size),
            ),
            lambda v: A.SetBatchSize(BATCH_SIZES[int(v)]),
            lambda s: str(s.settings.batch_size),
            state,
        )
        y = self._slider_row(
            panel,
            y,
            w,
            "L2 (weight decay)",
            "Pulls every weight a little towards zero each step: smoother, simpler fits.",
            (0, 100),
            lambda s: l2_to_slider(s.settings.l2),
            lambda v: A.SetL2(l2_from_slider(int(v))),
            lambda s: fmt_number(s.settings.l2),
            state,
        )
        self._label(panel, (pad, y, inner, self.s(20)), "TRAINING", "@section")
        y += self.s(24)
        bw3 = (inner - 2 * self.s(6)) // 3
        play = self._button(
            panel,
            (pad, y, bw3 + self.s(20), self.s(36)),
            "Train",
            "Start or pause training. Key Space.",
            A.TogglePlay,
            cls="@primary",
        )
        self._toggles["play"] = play
        self._button(
            panel,
            (pad + bw3 + self.s(26), y, bw3 - self.s(10), self.s(36)),
            "Step",
            "Run exactly one training step (pauses first). Key S.",
            A.StepOnce,
        )
        self._button(
            panel,
            (pad + 2 * bw3 + self.s(22), y, bw3 - self.s(10), self.s(36)),
            "Reset",
            "Start again from fresh random weights (a new seed each time). Key R.",
            A.ResetNetwork,
        )
        y += self.s(44)
        y = self._slider_row(
            panel,
            y,
            w,
            "Steps per frame",
            "How fast training runs: training steps per drawn frame, from one step at a time "
            "to flat out (as many as fit the frame).",
            (0, len(SPEEDS) - 1),
            lambda s: s.speed,
            lambda v: A.SetSpeed(int(v)),
            lambda s: speed_label(s.speed),
            state,
        )
        self._label(panel, (pad, y, inner, self.s(20)), "BAYES (LAST-LAYER LAPLACE)", "@section")
        y += self.s(24)
        plo, phi = PRIOR_RANGE
        y = self._slider_row(
            panel,
            y,
            w,
            "Prior precision",
            "How strongly the Laplace posterior believes weights are small. Small values: "
            "humbler far from the data; large values: close to the plain network.",
            (0, 120),
            lambda s: _log_to_slider(s.prior_precision, plo, phi, 120),
            lambda v: A.SetPriorPrecision(_slider_to_log(v, plo, phi, 120)),
            lambda s: fmt_number(s.prior_precision),
            state,
        )
        self._button(
            panel,
            (pad, y, inner // 2 + self.s(20), self.s(32)),
            "Optimise prior",
            "Pick the prior precision that the data supports best (maximum evidence).",
            A.OptimizePrior,
        )
        self._dropdown(
            panel,
            (pad + inner // 2 + self.s(26), y, inner - inner // 2 - self.s(26), self.s(32)),
            [(f"UI {s:g}x", f"{s:g}") for s in UI_SCALES],
            f"{state.ui_scale:g}",
            "Make every panel and text larger (for projectors) or smaller.",
            lambda v: A.SetUiScale(float(v)),
        )

    # ------------------------------------------------------------------ top: views
    def _build_toolbar(self, state: AppState) -> None:
        # above the whole stage (the 2D view and any 3D view, probe or inspector beside it)
        stage = state.layout.stage
        px, py, pw, ph = stage if stage[2] > 0 else state.layout.plane
        top = py
        panel = self._panel((px, 0, pw, top), "#toolbar")
        pad = self.s(5)
        h = self.s(34)
        items: list[tuple[str, int, Any]] = [
            (label, width, View(name) if name in View._value2member_map_ else name)
            for name, label, width in TOOLBAR_ITEMS
            if name != "layer"
        ]
        x = pad
        y = (self.s(46) - h) // 2
        for label, width, view in items:
            width = self.s(width)
            if x + width > pw - pad:
                x = pad
                y += self.s(46)
            if isinstance(view, View):
                tip = f"{VIEW_TIPS[view]} Key {VIEW_KEYS[view]}."
                act: Callable[[], A.Action] = partial(A.ToggleView, view.value)
            else:
                tip = (
                    "Hard class colours instead of confidence shading (for pictures: a few grey "
                    "steps). Key D."
                )
                act = A.ToggleDiscretise
            self._toggles[view] = self._button(panel, (x, y, width, h), label, tip, act, "@toggle")
            x += width + pad
        width = self.s(28)
        mid = self.s(LAYER_LABEL_WIDTH)
        group = width * 2 + mid + pad * 2
        if x + group > pw - pad:
            x = pad
            y += self.s(46)
        tip = (
            "Which partition the regions view shows: the one made by layers 1..l only, or the "
            "joint one of the whole network. Keys [ and ]."
        )
        self._button(panel, (x, y, width, h), "<", tip, lambda: A.CycleLayerView(-1))
        x += width + pad
        label = self._button(
            panel, (x, y, mid, h), "Joint", tip, lambda: A.CycleLayerView(1), "@toggle"
        )
        self._toggles["layer"] = label
        x += mid + pad
        self._button(panel, (x, y, width, h), ">", tip, lambda: A.CycleLayerView(1))

    # ------------------------------------------------------------------ bottom: readouts
    def _build_bottom(self, state: AppState) -> None:
        x, y0, w, h = state.layout.bottom
        panel = self._panel((x, y0, w, h), "#bottom_panel")
        pad = self.s(12)
        col = max(self.s(300), int(w * 0.5))
        line = max(self.s(24), math.ceil(LABEL_FONT_PX["@readout"] * self.scale * 1.65))
        y = self.s(8)
        self._label(panel, (pad, y, col, self.s(28)), "", "@big_readout", key="step")
        y += self.s(30)
        for key in ("loss", "accuracy", "regions", "dead"):
            self._label(panel, (pad, y, col, line), "", "@readout", key=key)
            y += line
        chart_w = w - col - 3 * pad
        if chart_w > self.s(80):
            surf = pygame.Surface((chart_w, h - 2 * self.s(8)), pygame.SRCALPHA)
            self._chart = UIImage(
                pygame.Rect(col + 2 * pad, self.s(8), chart_w, h - 2 * self.s(8)),
                surf,
                manager=self.manager,
                container=panel,
            )
            self.elements.append(self._chart)
            self._tip(
                self._chart,
                "Loss against training steps (log scale): blue for training points, orange for "
                "test points. When orange rises while blue falls, the network is memorising. Click "
                "to go back to that moment of training.",
            )

    # ------------------------------------------------------------------ events and sync
    def handle_event(self, event: pygame.event.Event) -> list[A.Action]:
        """Actions for a pygame-gui widget event (empty for anything else)."""
        return widget_actions(event, self._press, self._slide, self._select)

    def needs_rebuild(self, state: AppState) -> bool:
        return self._structure_key(state) != self._key or self.visible != (
            panels_visible(state.layout) and state.show_ui
        )

    def _set_label(self, key: str, text: str) -> None:
        if self._label_text.get(key) != text and key in self._labels:
            self._labels[key].set_text(text)
            self._label_text[key] = text

    def sync(self, state: AppState, force: bool = False) -> None:
        """Make every widget show the state (cheap when nothing changed)."""
        if self.needs_rebuild(state):
            self.build(state)
            return
        if not self.visible:
            return
        for sl in self._sliders:
            target = sl.get(state)
            if force or abs(sl.widget.get_current_value() - target) >= 1:
                sl.widget.set_current_value(target, warn=False)
            text = sl.text(state)
            if sl.value_label.text != text:
                sl.value_label.set_text(text)
        for key, button in self._toggles.items():
            if isinstance(key, View):
                on = key in state.views
            elif key == "discrete":
                on = state.discretise
            elif key == "play":
                on = state.playing
                text = "Pause" if state.playing else "Train"
                if button.text != text:
                    button.set_text(text)
            elif key == "layer":
                text = state.layer_view_label()
                if button.text != text:
                    button.set_text(text)
                on = state.layer_view != 0
            else:
                continue
            if on and not button.is_selected:
                button.select()
            elif not on and button.is_selected:
                button.unselect()
        for k, sw in enumerate(self._swatches):
            want = k == state.selected_class
            if want and not sw.is_selected:
                sw.select()
            elif not want and sw.is_selected:
                sw.unselect()
        self._sync_readouts(state)
        if getattr(self, "_file", None) is not None:
            self._file.sync(state)

    def _sync_readouts(self, state: AppState) -> None:
        m = state.metrics
        n_layers = len(state.settings.hidden)
        self._set_label(
            "layers",
            f"{n_layers} layer{'s' if n_layers > 1 else ''} · {sum(state.settings.hidden)} neurons",
        )
        pts = state.points
        if pts is not None:
            n = len(pts)
            self._set_label("counts", f"{n} points: {m.n_train} train, {m.n_test} test")
        status = "training" if state.playing else "paused"
        if state.closer.scrub is not None:
            status = f"past; now {state.closer.live_step:,}"
        self._set_label("step", f"Step {m.step:,}  ({status})")
        self._set_label(
            "loss", f"Loss       train {_fmt_loss(m.train_loss)}    test {_fmt_loss(m.test_loss)}"
        )
        if state.task is Task.CLASSIFICATION:
            self._set_label(
                "accuracy",
                f"Accuracy  train {_fmt_pct(m.train_acc)}    test {_fmt_pct(m.test_acc)}",
            )
        else:
            self._set_label("accuracy", "Fitting a picture: lower loss is better")
        g = state.geometry
        if g.too_many:
            self._set_label("regions", f"Regions: too many to list ({g.message})")
        else:
            bound = f", at most {compact_count(g.bound)}" if g.bound else ""
            self._set_label("regions", f"Regions {g.regions:,} in view{bound}")
        dead = f"Dead neurons {g.dead}" + (f": {', '.join(g.dead_names[:3])}" if g.dead else "")
        if g.dead > 3:
            dead += ", ..."
        self._set_label("dead", dead)
        if self._chart is not None:
            marker = state.closer.scrub_step if state.closer.scrub is not None else None
            key = (state.history.version, self.scale, marker)
            if key != self._chart_key and (
                state.time - self._chart_time > 0.2 or key[:2] == self._chart_key[:2]
            ):
                self._chart_key = key
                self._chart_time = state.time
                size = self._chart.rect.size
                image = charts.loss_chart(state.history, size, self.scale, marker)
                self._chart.set_image(image)

    def chart_rect(self) -> tuple[int, int, int, int] | None:
        """The loss chart's rectangle in the window (clicks there jump the timeline)."""
        if self._chart is None or not self.visible:
            return None
        r = self._chart.rect
        return (r.x, r.y, r.w, r.h)


def compact_count(n: int) -> str:
    """1,234 / 2.6 million / 3.1e12: short enough for a readout line."""
    if n < 100_000:
        return f"{n:,}"
    if n < 1_000_000_000:
        return f"{n / 1e6:.1f} million"
    return f"{n:.1e}".replace("e+", "e")


def _fmt_loss(x: float) -> str:
    if not math.isfinite(x):
        return "  -  "
    return f"{x:.4f}" if x >= 1e-3 else f"{x:.1e}"


def _fmt_pct(x: float) -> str:
    return "  -  " if not math.isfinite(x) else f"{100 * x:.1f}%"
