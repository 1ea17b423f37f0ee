"""The level screen's pygame-gui elements and plane markers: the level panel (title, goals with
live ticks, stars, quiz, Check, hints), the panel of the controls the level shows, the view
toolbar, the story and success cards.

`LevelPanels` extends the sandbox's panels (same helpers, same readout strip, same action
routing) but builds only what the level file allows, like the TensorFlow Playground's classroom
mode: a hidden control is absent, a locked one is drawn disabled with a padlock and a tooltip
saying why. It reads the state and the scene's `LevelStatus` and emits actions; it never changes
either. `draw_markers` draws the level's marked places onto the UI surface: a star glyph with its
label, points with theirs, a line between the two points of a crease goal (solid once a crease
crosses it), and an arrow at the edge of the plane towards a marker out of view.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pygame
from pygame_gui.core import ObjectID
from pygame_gui.core.ui_element import UIElement
from pygame_gui.elements import UIButton, UIImage, UIPanel, UITextBox

from sandbox import actions as A
from sandbox import game_actions as G
from sandbox.state import AppState, Layout, speed_label
from sandbox.ui import glyphs
from sandbox.ui.charts import font
from sandbox.ui.game_theme import ensure_theme
from sandbox.ui.layout import LAYER_LABEL_WIDTH, MIN_PLANE, TOOLBAR_ITEMS, TOOLBAR_PAD, TOOLBAR_ROW
from sandbox.ui.menu_panels import Decal
from sandbox.ui.overlay import premul
from sandbox.ui.panels import (
    TOOLTIP_DELAY,
    VIEW_TIPS,
    SandboxPanels,
    _log_to_slider,
    _slider_to_log,
    fmt_number,
    l2_from_slider,
    l2_to_slider,
)
from sandbox.ui.theme import CLASS_NAMES, TEXT
from sandbox.vocab import (
    BATCH_SIZES,
    BRUSH_RADIUS_RANGE,
    LR_SLIDER_RANGE,
    MAX_WIDTH,
    PRIOR_RANGE,
    SPEEDS,
    VIEW_KEYS,
    Optimizer,
    Task,
    View,
)

LEFT_WIDTH = 320
RIGHT_WIDTH = 280
MIN_LEFT = 250
MIN_RIGHT = 236
BOTTOM_HEIGHT = 118
NEURON_RANGE = (-3.0, 3.0)  # the neuron sliders' a and b
BIAS_RANGE = (-8.0, 8.0)  # and c
SLIDER_STEPS = 240
MAX_INSPECTOR_ROWS = 12
SHOWN, HIDDEN, LOCKED = "shown", "hidden", "locked"

# What each control is called in a locked control's tooltip.
CONTROL_WORDS = {
    "paint": "painting points",
    "erase": "erasing points",
    "presets": "the data set",
    "noise": "the noise",
    "seed": "the seed",
    "add_layer": "adding layers",
    "remove_layer": "removing layers",
    "neurons": "the number of neurons",
    "task": "the task",
    "optimizer": "the optimizer",
    "learning_rate": "the learning rate",
    "batch_size": "the batch size",
    "l2": "the weight decay",
    "play": "training",
    "step": "single steps",
    "reset": "new starting weights",
    "laplace": "the Laplace switch",
    "prior_precision": "the prior precision",
    "optimize_prior": "optimising the prior",
    "layer_selector": "the layer selector",
    "timeline": "the timeline",
    "inspector": "the inspector",
    "probe": "the probe",
    "neuron_sliders": "the neuron's sliders",
    "split": "the test points",
    "zoom": "zooming",
    "views": "the views",
    "files": "opening scene and weight files",
}


def locked_tip(control: str) -> str:
    what = CONTROL_WORDS.get(control, control.replace("_", " "))
    return (
        f"Locked in this level: {what} stays as the level set it, so you can see it but not "
        "change it here. The free sandbox unlocks everything."
    )


def story_html(text: str) -> str:
    """Level markup as a text box shows it: a blank line is a paragraph break, a single line
    break in the file is a space (level files wrap long sentences), <br> is a line break."""
    text = text.strip()
    text = re.sub(r"\n[ \t]*\n\s*", "<br><br>", text)
    text = re.sub(r"[ \t]*\n[ \t]*", " ", text)
    return text


_COMPARE_WORDS = ((">=", " at least "), ("<=", " at most "), ("!=", " not "), ("==", " = "),
                  (">", " above "), ("<", " below "))  # fmt: skip


def rule_text(source: str, markers: dict[str, Any], quiz: bool = False) -> str:
    """A star condition from a level file in plain words (the font has no math signs):
    `neurons <= 4` -> `neurons at most 4`, `distance(flag) >= 100` -> `distance of flag from
    the dots at least 100`."""

    def marker(name: str) -> str:
        name = name.strip().strip("\"'")
        m = markers.get(name)
        if m is not None and m.label and len(name) == 1:
            return m.label  # single-letter markers go by their labels (A, B)
        return name.replace("_", " ")

    def call(m: re.Match) -> str:
        fn, args = m.group(1), [a.strip().strip("\"'") for a in m.group(2).split(",")]
        if fn == "crease_between" and len(args) == 2:
            return f"a crease between {marker(args[0])} and {marker(args[1])}"
        if fn == "distance" and len(args) == 1:
            return f"distance of {marker(args[0])} from the dots"
        if fn == "confidence" and len(args) == 2:
            how = "Laplace confidence" if args[1] == "laplace" else "confidence"
            return f"{how} at {marker(args[0])}"
        if fn in ("accuracy", "loss") and len(args) == 1:
            return f"{args[0]} {fn}"
        return m.group(0)

    text = re.sub(r"([a-z_]+)\(([^()]*)\)", call, source)
    for sign, words in _COMPARE_WORDS:
        text = text.replace(sign, words)
    text = re.sub(r"\s+", " ", text).strip()
    if quiz:  # in a quiz level the failed checks are the wrong answers
        text = text.replace("failed_checks", "wrong answers")
    return text.replace("_", " ")


# ----------------------------------------------------------------------------- status
@dataclass
class LevelStatus:
    """What the level scene decided; the level panels and the marker drawing only read it."""

    level: Any
    number: int = 1
    total: int = 1
    policy: dict[str, str] = field(default_factory=dict)  # control name -> shown/hidden/locked
    card: str = "story"  # "story", "success" or "" (none)
    page: int = 0
    goals: list[bool] = field(default_factory=list)
    met: bool = False
    stars: int = 0  # stars the current state earns (0 while the goal is not met)
    best: int = 0  # best stars saved for this level
    won: bool = False
    explicit_check: bool = False
    hints: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    message: str = ""
    quiz_choice: int | None = None
    quiz_right: bool = False
    neuron: int = 0
    neuron_params: tuple[float, float, float] = (0.0, 0.0, 0.0)
    inspector: tuple[tuple[int, int, str], ...] = ()
    laplace_on: bool = False
    next_id: str | None = None
    markers: dict[str, tuple[float, float]] = field(default_factory=dict)
    pairs: list[tuple[str, str, bool]] = field(default_factory=list)  # crease goals' point pairs
    dragging: str | None = None
    version: int = 0  # bumped whenever the panels must be rebuilt (cards, pages, hints, quiz)

    def control(self, name: str) -> str:
        return self.policy.get(name, HIDDEN)

    def shown(self, name: str) -> bool:
        return self.policy.get(name) == SHOWN

    def present(self, name: str) -> bool:
        return self.policy.get(name, HIDDEN) != HIDDEN


# ----------------------------------------------------------------------------- layout
def stage_rect(layout: Layout) -> tuple[int, int, int, int]:
    """The area between the panels: the plane's, unless other views (3D, probe...) share it."""
    stage = getattr(layout, "stage", None)
    if stage is not None and stage[2] > 0 and stage[3] > 0:
        return tuple(stage)  # type: ignore[return-value]
    return layout.plane


BASIC_VIEWS = ("field", "boundary", "regions", "creases", "discrete")
# Views with a control of the same name in level files: offered when that control is.
VIEW_CONTROLS = ("probe", "inspector", "timeline")


def toolbar_items(status: LevelStatus) -> list[tuple[str, str, int]]:
    """The view toolbar's items the level allows (name, label, width at 1x): the plane's basic
    views with the views control, Split with the Laplace switch, the layer selector with its
    control, and the other views only when the level starts with them or shows their control,
    so a lesson's toolbar stays short."""
    level_views = {v.value for v in status.level.views} if status.level is not None else set()
    out = []
    for name, label, width in TOOLBAR_ITEMS:
        if name == "layer":
            keep = status.present("layer_selector")
        elif name == View.LAPLACE.value:
            keep = False  # the Laplace switch in the controls panel stands for it
        elif name == View.SPLIT.value:
            keep = status.present("laplace") and status.present("views")
        elif name in BASIC_VIEWS:
            keep = status.present("views")
        else:
            keep = status.present("views") and (
                name in level_views or (name in VIEW_CONTROLS and status.present(name))
            )
        if keep:
            out.append((name, label, width))
    return out


def _toolbar_rows(items: list[tuple[str, str, int]], plane_width: int, scale: float) -> int:
    rows, x = 1, TOOLBAR_PAD * scale
    for _, _, width in items:
        w = (width + TOOLBAR_PAD) * scale
        if x + w > plane_width and x > TOOLBAR_PAD * scale:
            rows += 1
            x = TOOLBAR_PAD * scale
        x += w
    return rows


def level_layout(
    window: tuple[int, int],
    scale: float,
    show_ui: bool,
    status: LevelStatus,
    right_height: int,
) -> Layout:
    """Panel rectangles for a level: level panel (left), controls (right, when the level shows
    any), toolbar (when it shows views), readouts (when it trains). Falls back to smaller UI
    scales, then to no panels, like the sandbox's layout."""
    w, h = max(1, int(window[0])), max(1, int(window[1]))
    scales = [scale]
    while scales[-1] - 0.25 >= 1.0 - 1e-9:
        scales.append(round(scales[-1] - 0.25, 2))
    items = toolbar_items(status)
    has_right = right_height > 0
    has_bottom = status.present("play") or status.present("step")
    for s in scales:
        if not show_ui:
            break
        # a small window gets narrower panels (down to a minimum) before it loses them
        left = max(round(MIN_LEFT * s), min(round(LEFT_WIDTH * s), round(0.28 * w)))
        right = max(round(MIN_RIGHT * s), min(round(RIGHT_WIDTH * s), round(0.26 * w)))
        right = right if has_right else 0
        plane_w = w - left - right
        rows = _toolbar_rows(items, plane_w, s) if items and plane_w > 0 else 0
        top = round(TOOLBAR_ROW * s * rows)
        bottom = round(BOTTOM_HEIGHT * s) if has_bottom else 0
        plane_h = h - top - bottom
        fits = h >= (right_height + 16) * s and h >= 560 * s
        if plane_w >= MIN_PLANE[0] and plane_h >= MIN_PLANE[1] and (fits or s <= 1.0):
            return Layout(
                window=(w, h),
                plane=(left, top, plane_w, plane_h),
                left=(0, 0, left, h),
                right=(w - right, 0, right, h) if has_right else (0, 0, 0, 0),
                bottom=(left, h - bottom, plane_w, bottom) if has_bottom else (0, 0, 0, 0),
                scale=s,
            )
    return Layout(window=(w, h), plane=(0, 0, w, h), scale=scales[-1] if show_ui else scale)


# ----------------------------------------------------------------------------- control rows
@dataclass
class Row:
    """One row of the controls panel: its kind, the control it belongs to, its height at 1x."""

    kind: str
    control: str
    height: int
    args: dict = field(default_factory=dict)


def _slider(control, label, tip, value_range, get, move, text) -> Row:
    return Row(
        "slider",
        control,
        54,
        dict(label=label, tip=tip, range=value_range, get=get, move=move, text=text),
    )


def plan_controls(status: LevelStatus, state: AppState) -> list[Row]:
    """The rows of the controls panel for this level and state (empty: no panel)."""
    rows: list[Row] = []

    def section(title: str, body: list[Row]) -> None:
        body = [r for r in body if status.present(r.control)]
        if body:
            rows.append(Row("section", "", 24, dict(title=title)))
            rows.extend(body)

    lo, hi = LR_SLIDER_RANGE
    plo, phi = PRIOR_RANGE
    # training
    train_buttons = [
        ("play", "Train", "Start or pause training. Key Space.", A.TogglePlay, "@primary"),
        ("step", "Step", "Run exactly one training step. Key S.", A.StepOnce, "@button"),
        ("reset", "Reset", "Fresh random starting weights (a new seed each time). Key R.",
         A.ResetNetwork, "@button"),
    ]  # fmt: skip
    present = [b for b in train_buttons if status.present(b[0])]
    body = []
    if present:
        body.append(Row("buttons", present[0][0], 44, dict(buttons=present)))
    body.append(
        _slider(
            "play",
            "Steps per frame",
            "How fast training runs: training steps per drawn frame, up to flat out.",
            (0, len(SPEEDS) - 1),
            lambda s: s.speed,
            lambda v: A.SetSpeed(int(v)),
            lambda s: speed_label(s.speed),
        )
    )
    body.append(
        _slider(
            "learning_rate",
            "Learning rate",
            "How big each training step is. Too small: slow. Too big: training explodes.",
            (0, 100),
            lambda s: _log_to_slider(s.settings.lr, lo, hi, 100),
            lambda v: A.SetLearningRate(_slider_to_log(v, lo, hi, 100)),
            lambda s: fmt_number(s.settings.lr),
        )
    )
    body.append(
        _slider(
            "batch_size",
            "Batch size",
            "How many points each step looks at. Small batches are noisy but quick.",
            (0, len(BATCH_SIZES) - 1),
            lambda s: min(
                range(len(BATCH_SIZES)), key=lambda i: abs(BATCH_SIZES[i] - s.settings.batch_size)
            ),
            lambda v: A.SetBatchSize(BATCH_SIZES[int(v)]),
            lambda s: str(s.settings.batch_size),
        )
    )
    body.append(
        _slider(
            "l2",
            "L2 (weight decay)",
            "Pulls every weight a little towards zero each step: smoother, simpler fits.",
            (0, 100),
            lambda s: l2_to_slider(s.settings.l2),
            lambda v: A.SetL2(l2_from_slider(int(v))),
            lambda s: fmt_number(s.settings.l2),
        )
    )
    body.append(Row("optimizer", "optimizer", 42))
    body.append(
        _slider(
            "seed",
            "Starting weights seed",
            "Which random starting weights the network gets: each seed is a different start.",
            (0, 99),
            lambda s: min(99, max(0, s.settings.seed)),
            lambda v: G.SetNetworkSeed(int(v)),
            lambda s: str(s.settings.seed),
        )
    )
    section("TRAINING", body)
    # network
    body = []
    layer_buttons = [
        ("add_layer", "Add layer", "Add a hidden layer (as wide as the last one).", A.AddLayer),
        ("remove_layer", "Remove layer", "Remove the last hidden layer.", A.RemoveLayer),
    ]
    present = [b for b in layer_buttons if status.present(b[0])]
    if present:
        body.append(Row("layer_buttons", present[0][0], 42, dict(buttons=present)))
    if status.present("neurons") or present:
        for i in range(len(state.settings.hidden)):
            body.append(Row("layer", "neurons" if status.present("neurons") else present[0][0],
                            34, dict(layer=i)))  # fmt: skip
    section("NETWORK", body)
    # one neuron's sliders
    body = []
    n_first = int(state.settings.hidden[0]) if state.settings.hidden else 1
    if n_first > 1:
        body.append(Row("neuron_select", "neuron_sliders", 34, dict(n=n_first)))
    for param, label, rng in (
        ("a", "a: turns the crease", NEURON_RANGE),
        ("b", "b: turns it too", NEURON_RANGE),
        ("c", "c: slides it", BIAS_RANGE),
    ):
        idx = "abc".index(param)
        body.append(
            _slider(
                "neuron_sliders",
                label,
                f"The neuron computes max(a x + b y + c, 0). This slider sets {param}.",
                (0, SLIDER_STEPS),
                lambda s, i=idx, r=rng: _to_slider(status.neuron_params[i], r),
                lambda v, p=param, r=rng: G.SetNeuronParam(status.neuron, p, _from_slider(v, r)),
                lambda s, i=idx: f"{status.neuron_params[i]:+.2f}",
            )
        )
    section("ONE NEURON", body)
    # the inspector
    body = []
    for layer, neuron, what in status.inspector[:MAX_INSPECTOR_ROWS]:
        body.append(Row("inspector", "inspector", 32, dict(layer=layer, neuron=neuron, what=what)))
    section("NEURONS", body)
    # data
    body = []
    if state.task is Task.CLASSIFICATION:
        body.append(Row("swatches", "paint", 44, dict(n=state.n_classes)))
    body.append(
        _slider(
            "paint",
            "Brush size",
            "How wide the brush is. Left drag paints points.",
            (int(BRUSH_RADIUS_RANGE[0]), int(BRUSH_RADIUS_RANGE[1])),
            lambda s: round(s.brush_radius_px),
            lambda v: A.SetBrushSize(float(v)),
            lambda s: f"{s.brush_radius_px:.0f} px",
        )
    )
    body.append(Row("erase", "erase", 40))
    body.append(Row("presets", "presets", 42))
    body.append(
        _slider(
            "noise",
            "Noise",
            "How messy the data set is: 0 is clean.",
            (0, 50),
            lambda s: round(s.noise * 100),
            lambda v: A.SetNoise(v / 100.0),
            lambda s: f"{s.noise:.2f}",
        )
    )
    body.append(
        _slider(
            "split",
            "Test points",
            "Share of points the network never trains on (drawn hollow).",
            (0, 50),
            lambda s: round(s.test_ratio * 100),
            lambda v: A.SetTestRatio(v / 100.0),
            lambda s: f"{s.test_ratio * 100:.0f}%",
        )
    )
    section("DATA", body)
    # Bayes
    body = [Row("laplace", "laplace", 42)]
    body.append(
        _slider(
            "prior_precision",
            "Prior precision",
            "How strongly Laplace believes weights are small. To the left: humbler far from the "
            "data.",
            (0, 120),
            lambda s: _log_to_slider(s.prior_precision, plo, phi, 120),
            lambda v: A.SetPriorPrecision(_slider_to_log(v, plo, phi, 120)),
            lambda s: fmt_number(s.prior_precision),
        )
    )
    body.append(Row("optimize_prior", "optimize_prior", 42))
    section("A BIT OF BAYES", body)
    # view
    section("VIEW", [Row("zoom", "zoom", 42)])
    return rows


def missing_controls(status: LevelStatus) -> list[str]:
    """Controls the level shows that this version has no widget for (their views are missing
    too), in words for the level panel's note."""
    names = {v.value for v in View}
    out = []
    for control, label in (("timeline", "the timeline"), ("probe", "the ray probe")):
        if status.present(control) and control not in names:
            out.append(label)
    return out


def controls_height(status: LevelStatus, state: AppState) -> int:
    """Height at 1x the controls panel needs (0: the level shows no controls there)."""
    rows = plan_controls(status, state)
    if not rows:
        return 0
    return 16 + sum(r.height for r in rows)


def _to_slider(value: float, rng: tuple[float, float]) -> int:
    lo, hi = rng
    t = (min(max(value, lo), hi) - lo) / (hi - lo)
    return round(t * SLIDER_STEPS)


def _from_slider(i: float, rng: tuple[float, float]) -> float:
    lo, hi = rng
    return round(lo + (hi - lo) * float(i) / SLIDER_STEPS, 4)


# ----------------------------------------------------------------------------- widgets
class LockedButton(UIButton):
    """A disabled button that still shows its tooltip (pygame-gui hides tips of disabled ones)."""

    def can_hover(self) -> bool:
        return self.alive()

    def on_hovered(self) -> None:
        UIElement.on_hovered(self)

    def on_unhovered(self) -> None:
        UIElement.on_unhovered(self)


class LevelPanels(SandboxPanels):
    """Every pygame-gui element of a level screen; see the module docstring."""

    def __init__(self, manager: Any, state: AppState, status: LevelStatus) -> None:
        self.status = status
        self._ticks: list[tuple[UIImage, int]] = []
        self._stars: UIImage | None = None
        self._stars_key: tuple = ()
        self._dyn: list[tuple[Any, Callable[[AppState], str]]] = []
        self._laplace_button: UIButton | None = None
        self._hold: dict[Any, tuple[Callable[[], A.Action | None], float]] = {}
        self._held_since: dict[Any, float] = {}
        self.card_panel: UIPanel | None = None
        self.card_buttons: dict[str, UIButton] = {}
        self.named: dict[str, UIButton] = {}
        super().__init__(manager, state)

    # ------------------------------------------------------------------ structure
    def _structure_key(self, state: AppState) -> tuple:
        st = self.status
        first = state.settings.hidden[0] if state.settings.hidden else 0
        return (*super()._structure_key(state), st.version, first, st.inspector, st.card, st.page)

    def clear(self) -> None:
        super().clear()
        self._ticks = []
        self._stars = None
        self._stars_key = ()
        self._dyn = []
        self._laplace_button = None
        self._hold = {}
        self._held_since = {}
        self.card_panel = None
        self.card_buttons = {}
        self.named = {}

    def build(self, state: AppState) -> None:
        self.clear()
        self.scale = state.scale
        self._key = self._structure_key(state)
        ensure_theme(self.manager, self.scale)
        layout = state.layout
        self.visible = layout.left[2] > 0 and state.show_ui
        if self.visible:
            self._build_level_panel(state)
            if layout.right[2] > 0:
                self._build_controls(state)
            if stage_rect(layout)[1] > 0:
                self._build_level_toolbar(state)
            if layout.bottom[2] > 0:
                self._build_bottom(state)
        if self.status.card == "story":
            self._build_story_card(state)
        elif self.status.card == "success":
            self._build_success_card(state)
        self.sync(state, force=True)

    def _locked_button(self, container, rect, text, control) -> UIButton:
        button = LockedButton(
            pygame.Rect(rect),
            text,
            manager=self.manager,
            container=container,
            object_id=ObjectID(class_id="@locked"),
        )
        button.disable()
        button.set_tooltip(locked_tip(control), delay=TOOLTIP_DELAY, wrap_width=self.s(300))
        self.elements.append(button)
        self.controls.append(button)
        return button

    def _control_button(self, container, rect, text, tip, act, control, cls="@button", key=None):
        """A button for `control`: working when shown, disabled with a padlock when locked."""
        if self.status.control(control) == LOCKED:
            button = self._locked_button(container, rect, text, control)
        else:
            button = self._button(container, rect, text, tip, act, cls=cls)
        if key:
            self.named[key] = button
        return button

    def _text(self, container, rect, html, cls, wrap=True) -> UITextBox:
        box = UITextBox(
            html,
            pygame.Rect(rect),
            manager=self.manager,
            container=container,
            wrap_to_height=wrap,
            object_id=ObjectID(class_id=cls),
        )
        self.elements.append(box)
        return box

    def _decal(self, container, rect, image) -> Decal:
        decal = Decal(pygame.Rect(rect), image, manager=self.manager, container=container)
        self.elements.append(decal)
        return decal

    def _image(self, container, rect, image, tip: str | None = None) -> UIImage:
        img = UIImage(pygame.Rect(rect), image, manager=self.manager, container=container)
        self.elements.append(img)
        if tip:
            img.set_tooltip(tip, delay=TOOLTIP_DELAY, wrap_width=self.s(300))
        return img

    def _icon_button(self, container, rect, text, tip, act, icon_name, cls, key) -> UIButton:
        x, y, w, h = rect
        size = self.s(18)
        label = f"      {text}" if text else ""
        if text and font(15 * self.scale).size(label)[0] + self.s(8) > w:
            label = ""  # too narrow for words: the icon alone (the tooltip still says it)
            text = ""
        button = self._button(container, rect, label, tip, act, cls=cls)
        pad = self.s(12) if text else (w - size) // 2
        self._decal(container, (x + pad, y + (h - size) // 2, size, size),
                    glyphs.icon(icon_name, size))  # fmt: skip
        self.named[key] = button
        return button

    # ------------------------------------------------------------------ the level panel
    def _build_level_panel(self, state: AppState) -> None:
        st = self.status
        level = st.level
        x, y0, w, h = state.layout.left
        panel = self._panel((x, y0, w, h), "#level_panel")
        s = self.s
        pad = s(16)
        inner = w - 2 * pad
        y = s(12)
        self._label(panel, (pad, y, inner, s(20)), f"LEVEL {st.number} OF {st.total}", "@section")
        y += s(24)
        title = self._text(panel, (pad, y, inner, -1), f"<b>{level.title}</b>", "@level_title")
        y += title.rect.height + s(12)
        bottom_row = h - s(54)
        self._label(panel, (pad, y, inner, s(20)), "GOALS", "@section")
        y += s(26)
        tick = s(24)
        for i, goal in enumerate(level.goals):
            box = self._text(panel, (pad + tick + s(10), y, inner - tick - s(10), -1),
                             story_html(goal.text), "@goal_text")  # fmt: skip
            img = self._image(panel, (pad, y + s(1), tick, tick), glyphs.tick(tick, False))
            self._ticks.append((img, i))
            y += max(box.rect.height, tick) + s(10)
        # stars: what the current state earns once the goal is met, and the best so far
        y += s(2)
        self._stars = self._image(panel, (pad, y, s(3 * 28 + 8), s(28)), glyphs.star_row(s(28), 0))
        self._label(panel, (pad + s(104), y + s(2), inner - s(104), s(24)), "", "@hint",
                    key="stars_text")  # fmt: skip
        y += s(38)
        rules = self._star_rules()
        if rules:
            box = self._text(panel, (pad, y, inner, -1), rules, "@note")
            y += box.rect.height + s(10)
        if level.quiz is not None:
            y = self._build_quiz(panel, state, pad, y, inner)
        if st.explicit_check:
            self._icon_button(
                panel,
                (pad, y, inner, s(48)),
                "Check",
                "Am I done? Checks every goal now. Checking too early counts as a try.",
                G.CheckGoals,
                "check",
                "@card_primary",
                "check",
            )
            y += s(58)
        if st.message:
            box = self._text(panel, (pad, y, inner, -1), st.message, "@goal_text")
            y += box.rect.height + s(8)
        for text in reversed(st.hints[-2:]):
            if y > bottom_row - s(60):
                break
            box = self._text(panel, (pad, y, inner, -1), "<b>Hint:</b> " + story_html(text),
                             "@hint_box")  # fmt: skip
            if box.rect.bottom > bottom_row - s(6):
                box.kill()
                break
            y += box.rect.height + s(8)
        for note in st.notes:
            if y > bottom_row - s(30):
                break
            box = self._text(panel, (pad, y, inner, -1), note, "@note")
            y += box.rect.height + s(4)
        # the bottom row: story, restart, menu
        gap = s(8)
        bw = (inner - 2 * gap) // 3
        for i, (key, text, tip, act, icon_name) in enumerate(
            (
                ("story", "Story", "Read the level's story again.", G.ShowStory, "story"),
                ("restart", "Restart", "Start this level again from the beginning.",
                 G.RestartLevel, "restart"),
                ("menu", "Menu", "Back to the level menu. Key Esc.", G.OpenMenu, "menu"),
            )
        ):  # fmt: skip
            self._icon_button(panel, (pad + i * (bw + gap), bottom_row, bw, s(40)), text, tip,
                              act, icon_name, "@button", key)  # fmt: skip

    def _star_rules(self) -> str:
        level = self.status.level
        parts = []
        quiz = level.quiz is not None
        for n, rule in ((2, level.two_stars), (3, level.three_stars)):
            if rule is not None:
                parts.append(f"{n} stars: {rule_text(rule.source, level.markers, quiz)}")
        return "<br>".join(parts)

    def _build_quiz(self, panel, state: AppState, pad: int, y: int, inner: int) -> int:
        st = self.status
        quiz = st.level.quiz
        s = self.s
        self._label(panel, (pad, y, inner, s(20)), "QUESTION", "@section")
        y += s(24)
        box = self._text(panel, (pad, y, inner, -1), story_html(quiz.question), "@goal_text")
        y += box.rect.height + s(6)
        for i, choice in enumerate(quiz.choices):
            picked = st.quiz_choice == i
            mark = " ✓" if picked and st.quiz_right else (" ✗" if picked else "")
            text = f"<b>{i + 1}.</b> {story_html(choice)}{mark}"
            box = self._text(panel, (pad, y, inner, -1), text, "@goal_text")
            y += box.rect.height + s(4)
        gap = s(6)
        n = len(quiz.choices)
        bw = (inner - (n - 1) * gap) // n
        for i in range(n):
            b = self._button(
                panel,
                (pad + i * (bw + gap), y, bw, s(36)),
                str(i + 1),
                f"Answer {i + 1}: {quiz.choices[i]}",
                lambda i=i: G.AnswerQuiz(i),
                cls="@toggle",
            )
            self.named[f"quiz_{i}"] = b
            if st.quiz_choice == i:
                b.select()
            if st.quiz_right:
                b.disable()
        return y + s(46)

    # ------------------------------------------------------------------ the controls panel
    def _build_controls(self, state: AppState) -> None:
        x, y0, w, h = state.layout.right
        panel = self._panel((x, y0, w, h), "#controls_panel")
        s = self.s
        pad = s(12)
        inner = w - 2 * pad
        y = s(10)
        for row in plan_controls(self.status, state):
            y = self._build_row(panel, state, row, y, w, pad, inner)
        self._controls_bottom = y

    def _build_row(self, panel, state, row: Row, y: int, w: int, pad: int, inner: int) -> int:
        s = self.s
        a = row.args
        locked = self.status.control(row.control) == LOCKED
        k = row.kind
        if k == "section":
            self._label(panel, (pad, y, inner, s(20)), a["title"], "@section")
        elif k == "buttons":
            n = len(a["buttons"])
            gap = s(6)
            bw = (inner - (n - 1) * gap) // n
            for i, (control, text, tip, act, cls) in enumerate(a["buttons"]):
                b = self._control_button(panel, (pad + i * (bw + gap), y, bw, s(36)), text, tip,
                                         act, control, cls, key=control)  # fmt: skip
                if control == "play" and not locked:
                    self._toggles["play"] = b
        elif k == "layer_buttons":
            n = len(a["buttons"])
            gap = s(6)
            bw = (inner - (n - 1) * gap) // n
            for i, (control, text, tip, act) in enumerate(a["buttons"]):
                self._control_button(panel, (pad + i * (bw + gap), y, bw, s(34)), text, tip, act,
                                     control, key=control)  # fmt: skip
        elif k == "layer":
            self._build_layer_row(panel, state, a["layer"], y, pad, inner)
        elif k == "slider":
            self._slider_row(panel, y, w, a["label"], a["tip"], a["range"], a["get"], a["move"],
                             a["text"], state)  # fmt: skip
            if locked:
                self._lock_last_slider(panel, row.control, y, w, pad)
        elif k == "optimizer":
            self._dropdown(
                panel,
                (pad, y, inner, s(32)),
                [("Adam", "adam"), ("SGD", "sgd")],
                state.settings.optimizer
                if state.settings.optimizer in tuple(Optimizer)
                else Optimizer.ADAM,
                "How the weights are updated: Adam adapts its step size per weight; SGD is the "
                "classic.",
                lambda v: A.SetOptimizer(v),
            )
        elif k == "neuron_select":
            self._build_neuron_select(panel, a["n"], y, pad, inner)
        elif k == "inspector":
            self._build_inspector_row(panel, a, y, pad, inner, locked)
        elif k == "swatches":
            n = max(2, min(a["n"], len(CLASS_NAMES)))
            gap = s(6)
            size = min(s(48), (inner - gap * (n - 1)) // n)
            for c in range(n):
                if locked:
                    self._locked_button(panel, (pad + c * (size + gap), y, size, s(34)),
                                        str(c + 1), "paint")  # fmt: skip
                    continue
                btn = self._button(panel, (pad + c * (size + gap), y, size, s(34)), str(c + 1),
                                   f"Paint class {c + 1} ({CLASS_NAMES[c]}). Key {c + 1}.",
                                   lambda c=c: A.SelectClass(c), cls="@swatch",
                                   oid=f"#swatch_{c}")  # fmt: skip
                self._swatches.append(btn)
        elif k == "erase":
            self._label(panel, (pad, y, inner, s(24)), "Right drag erases points", "@hint")
        elif k == "presets":
            options = [(n, n) for n, _, t in state.presets if t == state.task.value] or [
                (state.preset, state.preset)
            ]
            if locked:
                self._locked_button(panel, (pad, y, inner, s(32)), state.preset, "presets")
            else:
                self._dropdown(panel, (pad, y, inner, s(32)), options, state.preset,
                               "Replace the points by a ready-made data set.",
                               lambda name: A.LoadPreset(name))  # fmt: skip
        elif k == "laplace":
            on = self.status.laplace_on
            b = self._control_button(
                panel,
                (pad, y, inner, s(34)),
                "Laplace: on" if on else "Laplace: off",
                "Show how sure the network is with a bit of Bayes (last-layer Laplace). Key L.",
                lambda: G.SetLaplace(not self.status.laplace_on),
                "laplace",
                "@toggle",
                key="laplace",
            )
            if not locked:
                self._laplace_button = b
        elif k == "optimize_prior":
            self._control_button(panel, (pad, y, inner, s(34)), "Optimise prior",
                                 "Pick the prior precision the data supports best (maximum "
                                 "evidence).", A.OptimizePrior, "optimize_prior",
                                 key="optimize_prior")  # fmt: skip
        elif k == "zoom":
            gap = s(6)
            bw = (inner - gap) // 2
            self._control_button(panel, (pad, y, bw, s(34)), "Zoom out far",
                                 "Jump far out (or back). Key O. The wheel zooms at the cursor.",
                                 A.ZoomOutFar, "zoom", key="zoom_far")  # fmt: skip
            self._control_button(panel, (pad + bw + gap, y, bw, s(34)), "Reset view",
                                 "Back to the level's view. Key 0 (zero). Middle drag pans.",
                                 A.ResetView, "zoom", key="reset_view")  # fmt: skip
        elif k == "note":
            self._text(panel, (pad, y, inner, -1), a["text"], "@note")
        return y + s(row.height)

    def _lock_last_slider(self, panel, control: str, y: int, w: int, pad: int) -> None:
        sl = self._sliders.pop()
        sl.widget.disable()
        self._slide.pop(sl.widget, None)
        size = self.s(18)
        x = w - pad - self.s(76) - size - self.s(6)
        self._image(panel, (x, y + self.s(3), size, size), glyphs.padlock(size),
                    tip=locked_tip(control))  # fmt: skip
        sl.value_label.set_tooltip(locked_tip(control), delay=TOOLTIP_DELAY)
        self._sliders.append(sl)

    def _build_layer_row(self, panel, state: AppState, i: int, y: int, pad: int, inner: int):
        s = self.s
        hidden = state.settings.hidden
        self._label(panel, (pad, y, s(84), s(28)), f"Layer {i + 1}")
        bw = s(40)
        value_w = s(52)
        x_minus = pad + inner - 2 * bw - value_w - s(8)
        tip = f"Neurons in hidden layer {i + 1}: each adds one crease. Hold a button to go faster."

        def width(delta: int, i=i) -> A.Action | None:
            h = self.status_hidden()
            if i >= len(h):
                return None
            return A.SetWidth(i, max(1, min(MAX_WIDTH, h[i] + delta)))

        control = "neurons"
        if self.status.present("neurons"):
            minus = self._control_button(panel, (x_minus, y, bw, s(30)), "-", tip,
                                         lambda: width(-1), control)  # fmt: skip
            plus = self._control_button(panel, (x_minus + bw + value_w + s(8), y, bw, s(30)), "+",
                                        tip, lambda: width(1), control)  # fmt: skip
            if self.status.control(control) != LOCKED:
                self._hold[minus] = (lambda: width(-1), 0.0)
                self._hold[plus] = (lambda: width(1), 0.0)
                self.named[f"minus_{i}"] = minus
                self.named[f"plus_{i}"] = plus
        value = self._label(panel, (x_minus + bw + s(4), y, value_w, s(28)), str(hidden[i]),
                            "@value")  # fmt: skip
        value.set_tooltip(tip, delay=TOOLTIP_DELAY, wrap_width=self.s(300))
        self._dyn.append(
            (
                value,
                lambda st, i=i: str(st.settings.hidden[i]) if i < len(st.settings.hidden) else "",
            )
        )

    def status_hidden(self) -> list[int]:
        return list(self._state_ref.settings.hidden) if self._state_ref is not None else []

    def _build_neuron_select(self, panel, n: int, y: int, pad: int, inner: int) -> None:
        s = self.s
        bw = s(34)
        tip = "Which neuron of layer 1 the sliders below move."
        self._button(panel, (pad, y, bw, s(30)), "<", tip,
                     lambda: G.SelectNeuron((self.status.neuron - 1) % n))  # fmt: skip
        label = self._label(panel, (pad + bw + s(6), y, inner - 2 * bw - s(12), s(28)), "")
        self._dyn.append((label, lambda st: f"Neuron {self.status.neuron + 1} of {n}"))
        self._button(panel, (pad + inner - bw, y, bw, s(30)), ">", tip,
                     lambda: G.SelectNeuron((self.status.neuron + 1) % n))  # fmt: skip

    def _build_inspector_row(self, panel, a: dict, y: int, pad: int, inner: int, locked: bool):
        s = self.s
        layer, neuron, what = a["layer"], a["neuron"], a["what"]
        self._label(panel, (pad, y, s(64), s(26)), f"L{layer} #{neuron + 1}", "@readout")
        self._label(panel, (pad + s(70), y, inner - s(70) - s(78), s(26)), what, "@hint")
        rect = (pad + inner - s(72), y, s(72), s(28))
        tip = (
            "Remove this neuron. A dead one never mattered; a copycat's work goes to its twin, "
            "so nothing the network computes changes."
        )
        if locked:
            self._locked_button(panel, rect, "Prune", "inspector")
        else:
            b = self._button(panel, rect, "Prune", tip, lambda: G.PruneNeuron(layer, neuron))
            self.named[f"prune_{layer}_{neuron}"] = b

    # ------------------------------------------------------------------ the view toolbar
    def _build_level_toolbar(self, state: AppState) -> None:
        px, py, pw, ph = stage_rect(state.layout)
        panel = self._panel((px, 0, pw, py), "#toolbar")
        pad = self.s(5)
        h = self.s(34)
        x = pad
        y = (self.s(46) - h) // 2
        for name, label, width in toolbar_items(self.status):
            if name == "layer":
                y, x = self._build_layer_group(panel, x, y, h, pad, pw)
                continue
            width = self.s(width)
            if x + width > pw - pad:
                x = pad
                y += self.s(46)
            control = "layer_selector" if name == "layer" else "views"
            if name in View._value2member_map_:
                view = View(name)
                key = VIEW_KEYS.get(view)
                tip = VIEW_TIPS.get(view, label) + (f" Key {key}." if key else "")
                act: Callable[[], A.Action] = lambda n=name: A.ToggleView(n)  # noqa: E731
                toggle_key: Any = view
            else:
                tip = "Hard class colours instead of confidence shading. Key D."
                act = A.ToggleDiscretise
                toggle_key = name
            if self.status.control(control) == LOCKED:
                self._locked_button(panel, (x, y, width, h), label, control)
            else:
                self._toggles[toggle_key] = self._button(panel, (x, y, width, h), label, tip, act,
                                                         "@toggle")  # fmt: skip
            x += width + pad

    def _build_layer_group(self, panel, x, y, h, pad, pw) -> tuple[int, int]:
        width = self.s(28)
        mid = self.s(LAYER_LABEL_WIDTH)
        if x + width * 2 + mid + pad * 2 > pw - pad:
            x = pad
            y += self.s(46)
        tip = (
            "Which creases and regions to show: those made by layers 1..l only, or the joint "
            "picture of the whole network. Keys [ and ]."
        )
        if self.status.control("layer_selector") == LOCKED:
            self._locked_button(panel, (x, y, width * 2 + mid + 2 * pad, h), "Joint",
                                "layer_selector")  # fmt: skip
            return y, x + width * 2 + mid + 3 * pad
        self._button(panel, (x, y, width, h), "<", tip, lambda: A.CycleLayerView(-1))
        x += width + pad
        self._toggles["layer"] = self._button(panel, (x, y, mid, h), "Joint", tip,
                                              lambda: A.CycleLayerView(1), "@toggle")  # fmt: skip
        x += mid + pad
        self._button(panel, (x, y, width, h), ">", tip, lambda: A.CycleLayerView(1))
        return y, x + width + pad

    # ------------------------------------------------------------------ readouts
    def _build_bottom(self, state: AppState) -> None:
        """Step, loss and accuracy with the loss chart: what a level's goals talk about."""
        x, y0, w, h = state.layout.bottom
        panel = self._panel((x, y0, w, h), "#bottom_panel")
        s = self.s
        pad = s(12)
        col = max(s(290), int(w * 0.5))
        line = max(s(26), math.ceil(16 * self.scale * 1.65))
        y = s(8)
        self._label(panel, (pad, y, col, s(28)), "", "@big_readout", key="step")
        y += s(32)
        keys = ("loss", "accuracy") if state.task is Task.CLASSIFICATION else ("loss",)
        for key in keys:
            self._label(panel, (pad, y, col, line), "", "@readout", key=key)
            y += line
        chart_w = w - col - 3 * pad
        if chart_w > s(200):  # narrower, its labels would not fit
            surf = pygame.Surface((chart_w, h - 2 * s(8)), pygame.SRCALPHA)
            self._chart = UIImage(
                pygame.Rect(col + 2 * pad, s(8), chart_w, h - 2 * s(8)),
                surf,
                manager=self.manager,
                container=panel,
            )
            self.elements.append(self._chart)
            self._tip(self._chart, "Loss against training steps: lower is better.")

    # ------------------------------------------------------------------ cards
    def _card_width(self, state: AppState, width: int) -> int:
        return min(width, stage_rect(state.layout)[2] - 2 * self.s(16))

    def _measure(self, html: str, cls: str, width: int) -> int:
        """Height a text box needs for `html` at `width` (so a card is made at its final size:
        pygame-gui redraws a resized rounded panel only after a delay)."""
        box = UITextBox(
            html,
            pygame.Rect(0, 0, width, -1),
            manager=self.manager,
            wrap_to_height=True,
            object_id=ObjectID(class_id=cls),
        )
        height = box.rect.height
        box.kill()
        return height

    def _card(self, state: AppState, w: int, height: int, oid: str, cls: str) -> UIPanel:
        """A card centred over the stage, a little above the middle (the eye starts there)."""
        px, py, pw, ph = stage_rect(state.layout)
        height = min(height, ph - self.s(16))
        top = py + max(self.s(8), (ph - height) * 2 // 5)
        panel = UIPanel(
            pygame.Rect(px + (pw - w) // 2, top, w, height),
            starting_height=20,
            manager=self.manager,
            object_id=ObjectID(object_id=oid, class_id=cls),
        )
        self.elements.append(panel)
        self.card_panel = panel
        return panel

    def _card_button(self, panel, rect, key, text, tip, act, cls) -> UIButton:
        b = self._button(panel, rect, text, tip, act, cls=cls)
        self.card_buttons[key] = b
        return b

    def _build_story_card(self, state: AppState) -> None:
        st = self.status
        level = st.level
        s = self.s
        w = self._card_width(state, s(700))
        pad = s(28)
        inner = w - 2 * pad
        n = len(level.story)
        page = min(max(st.page, 0), n - 1)
        html = story_html(level.story[page])
        bh = s(50)
        title = f"<b>{level.title}</b>"
        title_h = self._measure(title, "@card_title_box", inner)
        height = s(20 + 26) + title_h + s(12) + self._measure(html, "@story", inner)
        height += s(22) + bh + s(24)
        panel = self._card(state, w, height, "#story_card", "@card_panel")
        y = s(20)
        self._label(panel, (pad, y, inner, s(24)), f"LEVEL {st.number}", "@card_kicker")
        y += s(26)
        box = self._text(panel, (pad, y, inner, -1), title, "@card_title_box")
        y += box.rect.height + s(12)
        box = self._text(panel, (pad, y, inner, -1), html, "@story")
        y += box.rect.height + s(22)
        # page dots: where you are in the story
        if n > 1:
            dot = s(12)
            img = pygame.Surface((n * dot * 2, dot), pygame.SRCALPHA)
            for i in range(n):
                c = (110, 165, 232, 255) if i == page else (70, 78, 92, 255)
                pygame.draw.circle(img, premul(c), (i * dot * 2 + dot // 2, dot // 2), dot // 2)
            self._image(panel, (pad, y + s(14), n * dot * 2, dot), img)
        last = page == n - 1
        nw = s(200)
        self._card_button(panel, (w - pad - nw, y, nw, bh), "next",
                          "Let's go!" if last else "Next",
                          "Start playing. Key Enter." if last else "Next page. Key Enter.",
                          lambda: G.StoryPage(1), "@card_primary")  # fmt: skip
        if page > 0:
            self._card_button(panel, (w - pad - nw - s(12) - s(140), y, s(140), bh), "back",
                              "Back", "The page before.", lambda: G.StoryPage(-1),
                              "@card_button")  # fmt: skip

    def _build_success_card(self, state: AppState) -> None:
        st = self.status
        level = st.level
        s = self.s
        w = self._card_width(state, s(660))
        pad = s(28)
        inner = w - 2 * pad
        size = s(56)
        bh = s(50)
        html = story_html(level.success)
        more_text = ""
        if st.stars < 3:
            rule = level.three_stars if level.three_stars is not None else level.two_stars
            if rule is not None:
                more = "3 stars" if level.three_stars is not None else "2 stars"
                words = rule_text(rule.source, level.markers, level.quiz is not None)
                more_text = f"For {more}: {words}. Keep playing to try!"
        height = s(22 + 58) + size + s(18) + self._measure(html, "@story", inner) + s(10)
        if more_text:
            height += self._measure(more_text, "@goal_done", inner) + s(10)
        height += s(10) + bh + s(24)
        panel = self._card(state, w, height, "#success_card", "@success_panel")
        y = s(22)
        self._label(panel, (pad, y, inner, s(48)), "Level complete!", "@card_title_center")
        y += s(58)
        row = glyphs.star_row(size, st.stars, gap=s(14))
        self._image(panel, ((w - row.get_width()) // 2, y, row.get_width(), size), row,
                    tip=f"{st.stars} of 3 stars")  # fmt: skip
        y += size + s(18)
        box = self._text(panel, (pad, y, inner, -1), html, "@story")
        y += box.rect.height + s(10)
        if more_text:
            box = self._text(panel, (pad, y, inner, -1), more_text, "@goal_done")
            y += box.rect.height + s(10)
        y += s(10)
        gap = s(12)
        buttons = [
            (
                "keep",
                "Keep playing",
                "Close this card and keep playing with the level.",
                G.CloseCard,
                "@card_button",
            ),
            ("menu", "Menu", "Back to the level menu.", G.OpenMenu, "@card_button"),
        ]
        if st.next_id is not None:
            buttons.append(("next", "Next level", "On to the next level. Key Enter.",
                            G.NextLevel, "@card_primary"))  # fmt: skip
        widths = {"keep": s(190), "menu": s(130), "next": s(200)}
        total = sum(widths[b[0]] for b in buttons) + gap * (len(buttons) - 1)
        x = (w - total) // 2
        for key, text, tip, act, cls in buttons:
            self._card_button(panel, (x, y, widths[key], bh), key, text, tip, act, cls)
            x += widths[key] + gap

    # ------------------------------------------------------------------ sync
    def sync(self, state: AppState, force: bool = False) -> None:
        self._state_ref = state
        super().sync(state, force)
        st = self.status
        for img, i in self._ticks:
            done = i < len(st.goals) and st.goals[i]
            if getattr(img, "_done", None) != done:
                img._done = done
                img.set_image(glyphs.tick(img.rect.width, done))
        if self._stars is not None:
            key = (st.met, st.stars, st.best, st.won)
            if key != self._stars_key:
                self._stars_key = key
                shown = st.stars if st.met else st.best
                self._stars.set_image(glyphs.star_row(self._stars.rect.height, shown))
                if st.met and st.explicit_check and not st.won:
                    text = "all goals met: press Check!"
                elif st.met:
                    text = f"{st.stars} of 3 stars now" + (f" · best {st.best}" if st.best else "")
                elif st.best:
                    text = f"best so far: {st.best} of 3"
                else:
                    text = "win to earn stars"
                self._set_label("stars_text", text)
        for label, text in self._dyn:
            t = text(state)
            if label.text != t:
                label.set_text(t)
        if self._laplace_button is not None:
            on = st.laplace_on
            text = "Laplace: on" if on else "Laplace: off"
            if self._laplace_button.text != text:
                self._laplace_button.set_text(text)
            if on and not self._laplace_button.is_selected:
                self._laplace_button.select()
            elif not on and self._laplace_button.is_selected:
                self._laplace_button.unselect()

    _state_ref: AppState | None = None

    def poll(self, now: float) -> list[A.Action]:
        """Actions of +/- buttons held down: after a short pause they repeat, faster and faster."""
        out: list[A.Action] = []
        for button, (act, _) in self._hold.items():
            if not button.held:
                self._held_since.pop(button, None)
                continue
            since = self._held_since.setdefault(button, now)
            held = now - since
            if held < 0.45:
                continue
            last = self._hold[button][1]
            interval = 0.12 if held < 1.5 else 0.05
            if now - last >= interval:
                self._hold[button] = (act, now)
                action = act()
                if action is not None:
                    out.append(action)
        return out


# ----------------------------------------------------------------------------- plane markers
def marker_radius(scale: float) -> float:
    return 11.0 * scale


def draw_markers(
    surface: pygame.Surface, state: AppState, status: LevelStatus, cameras: list[tuple[Any, float]]
) -> None:
    """The level's markers on the plane (in every pane of a split view)."""
    level = status.level
    if not level.markers or state.camera is None or status.card:
        return  # a card over the plane hides them: drawn after the UI, they would cover it
    px, py, pw, ph = state.layout.plane
    scale = state.scale
    r = marker_radius(scale)
    clip = surface.get_clip()
    for cam, x0 in cameras:
        pane = pygame.Rect(round(px + x0), py, cam.width, cam.height)
        surface.set_clip(pane)
        screen = {}
        for name, (wx, wy) in status.markers.items():
            p = cam.world_to_screen(np.array([wx, wy]))
            screen[name] = (float(p[0]) + pane.x, float(p[1]) + pane.y)
        for a, b, crossed in status.pairs:
            if a in screen and b in screen:
                _draw_pair(surface, screen[a], screen[b], crossed, scale)
        for name, pos in screen.items():
            marker = level.markers[name]
            inside = pane.inflate(-2 * r, -2 * r).collidepoint(pos)
            label = marker.label or name
            if not inside:
                _draw_offscreen(surface, pane, pos, label, status.markers[name], cam, scale)
                continue
            hot = status.dragging == name
            if marker.kind.value == "star":
                glyphs.draw_marker_star(surface, pos, r * 1.25, hot)
            else:
                glyphs.draw_marker_point(surface, pos, r * 0.6, hot)
            if marker.movable and not hot:
                pygame.draw.circle(surface, premul((255, 255, 255, 200)), pos, r * 1.9,
                                   max(1, round(2 * scale)))  # fmt: skip
            _tag(surface, label, (pos[0] + r * 1.5, pos[1] - r * 1.6), scale)
    surface.set_clip(clip)


def _draw_pair(surface, a, b, crossed: bool, scale: float) -> None:
    colour = (46, 168, 98) if crossed else (40, 44, 54)
    width = max(2, round(3 * scale))
    length = math.dist(a, b)
    if length < 1:
        return
    if crossed:
        pygame.draw.line(surface, premul(colour), a, b, width)
        return
    dash = 10 * scale
    n = int(length // (2 * dash)) + 1
    for i in range(n):
        t0 = (2 * i * dash) / length
        t1 = min(1.0, (2 * i + 1) * dash / length)
        p = (a[0] + (b[0] - a[0]) * t0, a[1] + (b[1] - a[1]) * t0)
        q = (a[0] + (b[0] - a[0]) * t1, a[1] + (b[1] - a[1]) * t1)
        pygame.draw.line(surface, premul(colour), p, q, width)


def _tag(surface, text: str, pos: tuple[float, float], scale: float) -> None:
    """A label on a small dark card, readable on any field colour."""
    f = font(15 * scale, True)
    w, h = f.size(text)
    pad = round(5 * scale)
    rect = pygame.Rect(round(pos[0]), round(pos[1]), w + 2 * pad, h + pad // 2)
    card = pygame.Surface(rect.size, pygame.SRCALPHA)
    pygame.draw.rect(
        card, premul((14, 17, 22, 225)), card.get_rect(), border_radius=round(5 * scale)
    )
    surface.blit(card, rect, special_flags=pygame.BLEND_PREMULTIPLIED)
    img = f.render(text, True, TEXT).premul_alpha()
    surface.blit(img, img.get_rect(center=rect.center), special_flags=pygame.BLEND_PREMULTIPLIED)


def _draw_offscreen(surface, pane: pygame.Rect, pos, label: str, world, cam, scale: float) -> None:
    """An arrow at the plane's edge pointing at a marker out of view, with its label and its
    distance from the middle of the view, on the inner side of the arrow."""
    cx, cy = pane.center
    dx, dy = pos[0] - cx, pos[1] - cy
    n = math.hypot(dx, dy)
    if n == 0:
        return
    ux, uy = dx / n, dy / n
    margin = 12 * scale
    tx = (pane.width / 2 - margin) / abs(dx) if dx else math.inf
    ty = (pane.height / 2 - margin) / abs(dy) if dy else math.inf
    t = min(tx, ty)
    tip = (cx + dx * t, cy + dy * t)
    size = 30 * scale
    glyphs.draw_arrow(surface, tip, (dx, dy), size, (255, 205, 64))
    inner_tip = (tip[0] - ux * 4 * scale, tip[1] - uy * 4 * scale)
    glyphs.draw_arrow(surface, inner_tip, (dx, dy), size * 0.62, (24, 26, 32))
    text = f"{label} · {math.dist(world, cam.center):.0f} away"
    f = font(15 * scale, True)
    w, h = f.size(text)
    w += round(10 * scale)
    back = (tip[0] - ux * (size + 6 * scale), tip[1] - uy * (size + 6 * scale))
    if abs(ux) >= abs(uy):
        lx = back[0] - w if ux > 0 else back[0]
        ly = back[1] - h / 2
    else:
        lx = back[0] - w / 2
        ly = back[1] - h - 4 * scale if uy > 0 else back[1]
    lx = min(max(lx, pane.x + 4), pane.right - w - 4)
    ly = min(max(ly, pane.y + 4), pane.bottom - h - 8)
    _tag(surface, text, (lx, ly), scale)
