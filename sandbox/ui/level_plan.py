"""What a level shows, decided before any widget is made: the level's status as the scene sets
it (`LevelStatus`), which controls are shown, hidden or locked, the panel rectangles of a level
(`level_layout`), the view toolbar's items, the rows of the controls panel (`plan_controls`, built
from the shared setting rows of sandbox.ui.rows) and star rules and stories in plain words.

Like the TensorFlow Playground's classroom mode: a hidden control is absent, a locked one is
drawn disabled with a padlock and a tooltip saying why. Nothing here makes a widget, so it is all
tested without a display.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sandbox import actions as A
from sandbox import game_actions as G
from sandbox.settings import CONTROL_WORDS
from sandbox.state import AppState, Layout, Tracked
from sandbox.ui.layout import MIN_PLANE, TOOLBAR_ITEMS, TOOLBAR_ROW, toolbar_rows
from sandbox.ui.rows import (
    ButtonSpec,
    Row,
    SliderSpec,
    buttons_row,
    section_row,
    setting_row,
)
from sandbox.vocab import Task, View

if TYPE_CHECKING:
    from sandbox.levels import Level, Marker

LEFT_WIDTH = 320
RIGHT_WIDTH = 280
MIN_LEFT = 216
MIN_RIGHT = 236
BOTTOM_HEIGHT = 118
LEVEL_PANEL_HEIGHT = 520  # at 1x: title, goals, stars and the bottom row of the level panel
NEURON_RANGE = (-3.0, 3.0)  # the neuron sliders' a and b
BIAS_RANGE = (-8.0, 8.0)  # and c
SLIDER_STEPS = 240
MAX_INSPECTOR_ROWS = 12
SHOWN, HIDDEN, LOCKED = "shown", "hidden", "locked"


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


def rule_text(source: str, markers: Mapping[str, Marker], quiz: bool = False) -> str:
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
class LevelStatus(Tracked):
    """What the level scene decided; the level panels and the marker drawing only read it.

    `version` goes up whenever a field that changes the panels' make-up (cards, pages, hints,
    the quiz, messages, winning) is set to a new value; the panels rebuild when it moved."""

    tracked = frozenset(
        {"card", "page", "message", "quiz_choice", "quiz_right", "won", "next_id", "hints",
         "prediction", "revealed", "raced", "seed_rows", "seeds_running", "seed_shown",
         "showing_race"}
    )  # fmt: skip

    level: Level
    number: int = 1
    total: int = 1
    policy: dict[str, str] = field(default_factory=dict)  # control name -> shown/hidden/locked
    card: str = "story"  # "story", "success" or "" (none)
    page: int = 0
    goals: list[bool] = field(default_factory=list)
    met: bool = False
    stars: int = 0  # stars the current state earns (0 while the goal is not met)
    waiting: bool = False  # the goals need the regions, whose kernels still compile
    best: int = 0  # best stars saved for this level
    won: bool = False
    explicit_check: bool = False
    hints: list[str] = field(default_factory=list)  # the hints due now
    readouts: list[str] = field(default_factory=list)  # the level's live numbers, as text
    marker_notes: dict[str, str] = field(default_factory=dict)  # e.g. "97% sure" by a marker
    notes: list[str] = field(default_factory=list)
    message: str = ""
    quiz_choice: int | None = None
    quiz_right: bool = False
    neuron: int = 0
    neuron_params: tuple[float, float, float] = (0.0, 0.0, 0.0)
    inspector: tuple[tuple[int, int, str], ...] = ()
    laplace_on: bool = False
    next_id: str | None = None
    learned: tuple[str, str] | None = None  # (chapter, what it taught) when this level ends one
    markers: dict[str, tuple[float, float]] = field(default_factory=dict)
    pairs: list[tuple[str, str, bool]] = field(default_factory=list)  # crease goals' point pairs
    dragging: str | None = None
    # the trials (sandbox.scenes.level_trials): the prediction, the race, the seeds' table
    prediction: int | None = None
    revealed: bool = False
    raced: bool = False
    showing_race: bool = False  # training's try on the plane instead of the player's network
    seed_rows: tuple[tuple[int, float, float], ...] = ()  # (seed, loss, accuracy) per run
    seeds_running: bool = False
    seed_shown: int | None = None

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


def level_layout(
    window: tuple[int, int],
    scale: float,
    show_ui: bool,
    status: LevelStatus,
    right_height: int,
) -> Layout:
    """Panel rectangles for a level: level panel (left), controls (right, when the level shows
    any; `right_height` is their height at 1x, and they scroll when taller than the window),
    toolbar (when it shows views), readouts (when it trains). Falls back to smaller UI scales
    (when the level panel would not fit the window's height, or the plane would be too small),
    then to no panels, like the sandbox's layout."""
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
        left = max(round(MIN_LEFT * s), min(round(LEFT_WIDTH * s), round(0.27 * w)))
        right = max(round(MIN_RIGHT * s), min(round(RIGHT_WIDTH * s), round(0.26 * w)))
        right = right if has_right else 0
        plane_w = w - left - right
        rows = toolbar_rows(plane_w, s, tuple(items)) if items and plane_w > 0 else 0
        top = round(TOOLBAR_ROW * s * rows)
        bottom = round(BOTTOM_HEIGHT * s) if has_bottom else 0
        plane_h = h - top - bottom
        # the level panel must fit the window's height; the controls panel scrolls
        fits = h >= LEVEL_PANEL_HEIGHT * s
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
def plan_controls(status: LevelStatus, state: AppState) -> list[Row]:
    """The rows of the controls panel for this level and state (empty: no panel)."""
    rows: list[Row] = []

    def section(title: str, body: list[Row]) -> None:
        body = [r for r in body if status.present(r.control)]
        if body:
            rows.append(section_row(title))
            rows.extend(body)

    # training
    train_buttons = [
        ButtonSpec("play", "Train", "Start or pause training. Key Space.", A.TogglePlay,
                   "@primary"),
        ButtonSpec("step", "Step", "Run exactly one training step. Key S.", A.StepOnce),
        ButtonSpec("reset", "Reset", "Fresh random starting weights (a new seed each time). "
                   "Key R.", A.ResetNetwork),
    ]  # fmt: skip
    present = [b for b in train_buttons if status.present(b.key)]
    body = [buttons_row(present, 44, 36)] if present else []
    body += [setting_row(name) for name in ("speed", "learning_rate", "batch_size", "l2")]
    body.append(Row("optimizer", "optimizer", 42))
    body.append(setting_row("seed"))
    section("TRAINING", body)
    # network
    body = []
    layer_buttons = [
        ButtonSpec("add_layer", "Add layer", "Add a hidden layer (as wide as the last one).",
                   A.AddLayer),
        ButtonSpec("remove_layer", "Remove layer", "Remove the last hidden layer.",
                   A.RemoveLayer, short="Remove"),
    ]  # fmt: skip
    present = [b for b in layer_buttons if status.present(b.key)]
    if present:
        body.append(buttons_row(present, 42, 34))
    if status.present("neurons") or present:
        for i in range(len(state.settings.hidden)):
            body.append(Row("layer", "neurons" if status.present("neurons") else present[0].key,
                            34, dict(layer=i)))  # fmt: skip
    body.append(Row("activation", "activation", 42))
    if state.settings.activation == "leaky_relu":
        body.append(setting_row("negative_slope"))
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
        spec = SliderSpec(
            label,
            f"The neuron computes max(a x + b y + c, 0). This slider sets {param}.",
            (0, SLIDER_STEPS),
            lambda s, i=idx, r=rng: _to_slider(status.neuron_params[i], r),
            lambda v, p=param, r=rng: G.SetNeuronParam(status.neuron, p, _from_slider(v, r)),
            lambda s, i=idx: f"{status.neuron_params[i]:+.2f}",
        )
        body.append(Row("slider", "neuron_sliders", 54, dict(spec=spec)))
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
        setting_row("brush_radius_px", tip="How wide the brush is. Left drag paints points.")
    )
    body.append(Row("erase", "erase", 40))
    body.append(Row("presets", "presets", 42))
    body += [setting_row("noise"), setting_row("test_fraction")]
    section("DATA", body)
    # Bayes
    body = [Row("laplace", "laplace", 42), setting_row("prior_precision")]
    body.append(Row("optimize_prior", "optimize_prior", 42))
    section("A BIT OF BAYES", body)
    # view
    zoom = [
        ButtonSpec("zoom_far", "Zoom out far", "Jump far out (or back). Key O. The wheel zooms "
                   "at the cursor.", A.ZoomOutFar, control="zoom", short="Zoom out"),
        ButtonSpec("reset_view", "Reset view", "Back to the level's view. Key 0 (zero). Middle "
                   "drag pans.", A.ResetView, control="zoom", short="Reset"),
    ]  # fmt: skip
    section("VIEW", [buttons_row(zoom, 42, 34)])
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
