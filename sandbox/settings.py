"""The settings table: every user setting once, with everything each part of the app needs to know.

In the spirit of the TensorFlow Playground's `state.ts` PROPS list, `SETTINGS` holds one
`Setting` per user setting: its one name (the attribute, the command-line option, the key in
level and scene files), its kind, default, allowed range or choices, label, hover help, how a
slider maps to it, and the level control (`Control`) that hides or locks it. The parts of the
app are generated from the table or checked against it (tests/test_settings.py):

- the command line (`sandbox.cli`, `sandbox.render_cli`) adds one option per setting with a `cli`
  entry and validates it with `Setting.check`;
- level files (`sandbox.levels.schema`) take their [network] and [data] keys, ranges and
  defaults from the settings with a `level` entry;
- scene files (`sandbox.io.scene_format`) store the settings with a `scene` entry under that
  key; the test checks the format's fields and limits against the table;
- the level lock rules: each setting names its `Control`, and `CONTROL_WORDS` says what every
  control is called when a level locks it.

Building a panel row from the table (the panels use this):

    s = setting("learning_rate")
    s.label, s.help                       # the row's name and its tooltip
    lo, hi = s.slider_range()             # the slider's integer positions
    s.to_slider(state.settings.learning_rate)   # value -> slider position
    s.from_slider(position)               # slider position -> value (for the action)
    s.format(value, plain_number)         # the value label ("0.01", "20%", "flat out"),
                                          # numbers written by the panels' number formatter
    s.choices, s.choice_labels            # a dropdown's values and what it shows

Old names are kept in `aliases`; `migrate` renames them when a file or a caller uses them, so
anything written by an earlier version still reads. Standard library only: the command line
imports this before anything heavy.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sandbox.vocab import (
    BATCH_SIZE_RANGE,
    BATCH_SIZES,
    BRUSH_DENSITY_RANGE,
    BRUSH_RADIUS_RANGE,
    DEFAULT_BATCH_SIZE,
    DEFAULT_LR,
    DEFAULT_MOMENTUM,
    DEFAULT_SPEED,
    DEFAULT_VIEWS,
    DEFAULT_ZOOM,
    L2_MAX,
    L2_RANGE,
    LR_RANGE,
    LR_SLIDER_RANGE,
    MAX_CLASSES,
    MAX_LEVEL_POINTS,
    MAX_POINTS,
    MAX_SEED,
    NOISE_RANGE,
    PRIOR_RANGE,
    SPEEDS,
    TEST_FRACTION_LEVEL_MAX,
    TEST_FRACTION_UI_MAX,
    UI_SCALE_RANGE,
    UI_SCALES,
    ZOOM_RANGE,
    Control,
    Optimizer,
    Task,
    View,
)


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
    own range or default differs from the app's, those (`default` SAME: the setting's)."""

    key: str
    default: Any = SAME
    range: tuple[float, float] | None = None


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


# ----------------------------------------------------------------------------- the table
L2_SLIDER_FLOOR = 1e-5  # the weight-decay slider's first non-zero stop

SETTINGS: tuple[Setting, ...] = (
    # data
    Setting(
        "dataset",
        ValueKind.TEXT,
        "ring",
        "Presets",
        "Replace the points by a ready-made dataset.",
        control=Control.PRESETS,
        cli=CliOption(("--dataset",), "starting dataset (ring)", "NAME", default="ring"),
        level=FileKey("data.generator"),
        aliases=("preset",),
    ),
    Setting(
        "points",
        ValueKind.INT,
        None,  # the dataset's own number
        "Points",
        "How many points the dataset has.",
        range=(0, MAX_POINTS),
        fmt=Format.INT,
        control=Control.PRESETS,
        cli=CliOption(("--points",), "points in the starting dataset", "N"),
        level=FileKey("data.n", default=200, range=(1, MAX_LEVEL_POINTS)),
        aliases=("n_preset",),
    ),
    Setting(
        "noise",
        ValueKind.FLOAT,
        None,  # the dataset's own noise
        "Noise",
        "How messy the preset is: 0 is clean, higher mixes the classes near the borders.",
        range=NOISE_RANGE,
        slider=Slider(Scale.LINEAR, *NOISE_RANGE, unit=0.01),
        fmt=Format.FIXED2,
        control=Control.NOISE,
        cli=CliOption(("--noise",), "dataset noise, 0 to 0.5", "X"),
        level=FileKey("data.noise", default=0.0),
    ),
    Setting(
        "data_seed",
        ValueKind.INT,
        0,
        "Data seed",
        "Draw the same kind of dataset again with fresh random points.",
        range=(0, MAX_SEED),
        fmt=Format.INT,
        control=Control.PRESETS,
        level=FileKey("data.seed"),
    ),
    Setting(
        "test_fraction",
        ValueKind.FLOAT,
        0.2,
        "Test points",
        "Share of points the network never trains on (drawn hollow). They show whether it "
        "generalises.",
        range=(0.0, TEST_FRACTION_UI_MAX),
        slider=Slider(Scale.LINEAR, 0.0, TEST_FRACTION_UI_MAX, unit=0.01),
        fmt=Format.PERCENT,
        control=Control.SPLIT,
        level=FileKey("data.test_fraction", default=0.0, range=(0.0, TEST_FRACTION_LEVEL_MAX)),
        scene=FileKey("training.test_fraction", default=0.0),
        aliases=("test_ratio",),
    ),
    # network
    Setting(
        "hidden",
        ValueKind.WIDTHS,
        (16, 16, 16),
        "Hidden layers",
        "Neurons per hidden layer. Each neuron adds one crease (a fold) to the plane.",
        control=Control.NEURONS,
        cli=CliOption(("--hidden",), "neurons per hidden layer", "N,N,...", default="16,16,16"),
        level=FileKey("network.hidden"),
    ),
    Setting(
        "task",
        ValueKind.CHOICE,
        Task.CLASSIFICATION.value,
        "Task",
        "What the network learns: to classify coloured points, or to fit a grey picture "
        "(regression) painted with grey values.",
        choices=tuple(t.value for t in Task),
        choice_labels=("Classify", "Picture"),
        control=Control.TASK,
        level=FileKey("network.task"),
        scene=FileKey("task"),
    ),
    Setting(
        "classes",
        ValueKind.INT,
        2,
        "Classes",
        "How many classes a level's network tells apart.",
        range=(2, MAX_CLASSES),
        fmt=Format.INT,
        level=FileKey("network.classes"),
    ),
    Setting(
        "optimizer",
        ValueKind.CHOICE,
        Optimizer.ADAM.value,
        "Optimizer",
        "How the weights are updated: Adam adapts its step size per weight and is forgiving; "
        "SGD with momentum is the classic.",
        choices=(Optimizer.ADAM.value, Optimizer.SGD.value),  # the menu lists the default first
        choice_labels=("Adam", "SGD"),
        control=Control.OPTIMIZER,
        cli=CliOption(("--optimizer",), "optimizer (adam)"),
        level=FileKey("network.optimizer"),
        scene=FileKey("training.optimizer"),
    ),
    Setting(
        "learning_rate",
        ValueKind.FLOAT,
        DEFAULT_LR,
        "Learning rate",
        "How big each training step is. Too small: slow. Too big: training explodes "
        "(the app then restores the last good weights).",
        range=LR_RANGE,
        slider=Slider(Scale.LOG, *LR_SLIDER_RANGE, steps=100),
        control=Control.LEARNING_RATE,
        cli=CliOption(("--learning-rate", "--lr"), "learning rate (0.01)", "LR"),
        level=FileKey("network.learning_rate"),
        scene=FileKey("training.learning_rate"),
        aliases=("lr",),
    ),
    Setting(
        "batch_size",
        ValueKind.INT,
        DEFAULT_BATCH_SIZE,
        "Batch size",
        "How many points each step looks at. Small batches are noisy but quick.",
        range=BATCH_SIZE_RANGE,
        slider=Slider(Scale.STOPS, stops=BATCH_SIZES),
        fmt=Format.INT,
        control=Control.BATCH_SIZE,
        cli=CliOption(("--batch-size",), "batch size (64)", "N"),
        level=FileKey("network.batch_size", default=None),  # none: every training point
        scene=FileKey("training.batch_size"),
    ),
    Setting(
        "l2",
        ValueKind.FLOAT,
        0.0,
        "L2 (weight decay)",
        "Pulls every weight a little towards zero each step: smoother, simpler fits.",
        range=(0.0, L2_MAX),
        slider=Slider(Scale.LOG_OR_ZERO, L2_SLIDER_FLOOR, L2_RANGE[1], steps=100),
        control=Control.L2,
        level=FileKey("network.l2"),
        scene=FileKey("training.l2"),
    ),
    Setting(
        "momentum",
        ValueKind.FLOAT,
        DEFAULT_MOMENTUM,
        "Momentum",
        "How much of the last step SGD keeps in the next one.",
        range=(0.0, 0.999),
        scene=FileKey("training.momentum"),
    ),
    Setting(
        "seed",
        ValueKind.INT,
        0,
        "Seed",
        "The random seed of the starting weights (and, on the command line, of the data).",
        range=(0, MAX_SEED),
        fmt=Format.INT,
        control=Control.SEED,
        cli=CliOption(("--seed",), "seed of the data and the network (0)", default=0),
        level=FileKey("network.seed"),
        scene=FileKey("training.seed"),
    ),
    Setting(
        "speed",
        ValueKind.INT,
        DEFAULT_SPEED,
        "Steps per frame",
        "How fast training runs: training steps per drawn frame, from one step at a time "
        "to flat out (as many as fit the frame).",
        range=(0, len(SPEEDS) - 1),
        slider=Slider(Scale.STOPS, stops=tuple(range(len(SPEEDS)))),
        fmt=Format.SPEED,
        control=Control.PLAY,
    ),
    # Bayes
    Setting(
        "prior_precision",
        ValueKind.FLOAT,
        1.0,
        "Prior precision",
        "How strongly the Laplace posterior believes weights are small. Small values: "
        "humbler far from the data; large values: close to the plain network.",
        range=PRIOR_RANGE,
        slider=Slider(Scale.LOG, *PRIOR_RANGE, steps=120),
        control=Control.PRIOR_PRECISION,
        scene=FileKey("view.prior_precision"),
    ),
    # view
    Setting(
        "views",
        ValueKind.VIEWS,
        tuple(v.value for v in View if v in DEFAULT_VIEWS),
        "Views",
        "The drawing layers that are on.",
        choices=tuple(v.value for v in View),
        control=Control.VIEWS,
        cli=CliOption(
            ("--view",),
            "views to show, comma separated: " + ", ".join(v.value for v in View),
            "LIST",
        ),
        level=FileKey("view.on", default=("field",)),
        scene=FileKey("view.views", default=("field", "regions", "creases")),
    ),
    Setting(
        "zoom",
        ValueKind.FLOAT,
        DEFAULT_ZOOM,
        "Zoom",
        "How far in the view is: 1 shows the datasets' domain, smaller is further out.",
        range=ZOOM_RANGE,
        control=Control.ZOOM,
        cli=CliOption(("--zoom",), "zoom, 0.01 (far out) to 1000", "Z"),
        scene=FileKey("view.zoom", default=1.0),
    ),
    Setting(
        "layer_view",
        ValueKind.INT,
        0,
        "Layer",
        "Whose creases are drawn: one hidden layer's, or all of them (joint).",
        range=(0, 8),
        control=Control.LAYER_SELECTOR,
        scene=FileKey("view.layer"),
    ),
    # the window and the brush
    Setting(
        "ui_scale",
        ValueKind.FLOAT,
        1.0,
        "UI scale",
        "Make every panel and text larger (for projectors) or smaller.",
        range=UI_SCALE_RANGE,
        choices=tuple(f"{s:g}" for s in UI_SCALES),
        choice_labels=tuple(f"UI {s:g}x" for s in UI_SCALES),
        cli=CliOption(
            ("--ui-scale",),
            "UI scale, 1 to 2 (projectors)",
            "S",
            default=1.0,
            describes_sandbox=False,
        ),
    ),
    Setting(
        "brush_radius_px",
        ValueKind.FLOAT,
        18.0,
        "Brush size",
        "How wide the brush is. Left drag paints points, right drag erases them.",
        range=BRUSH_RADIUS_RANGE,
        slider=Slider(Scale.LINEAR, *BRUSH_RADIUS_RANGE),
        fmt=Format.PIXELS,
        control=Control.PAINT,
    ),
    Setting(
        "brush_density",
        ValueKind.INT,
        4,
        "Brush density",
        "How many points each dab of the brush adds.",
        range=BRUSH_DENSITY_RANGE,
        slider=Slider(Scale.LINEAR, *BRUSH_DENSITY_RANGE),
        fmt=Format.INT,
        control=Control.PAINT,
    ),
)

BY_NAME: Mapping[str, Setting] = {s.name: s for s in SETTINGS}
_ALIASES: Mapping[str, str] = {a: s.name for s in SETTINGS for a in s.aliases}


def setting(name: str) -> Setting:
    """The setting called `name` (or an old name of it); KeyError listing the names if none."""
    name = _ALIASES.get(name, name)
    try:
        return BY_NAME[name]
    except KeyError:
        raise KeyError(f"no setting {name!r}; settings: {', '.join(BY_NAME)}") from None


def canonical_name(name: str) -> str:
    """The setting's one name for `name`, which may be an old name (`lr` -> `learning_rate`)."""
    return _ALIASES.get(name, name)


def migrate(values: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of `values` with old setting names renamed to the current ones. A value given
    under both names keeps the current name's."""
    out = {canonical_name(k): v for k, v in values.items() if canonical_name(k) != k}
    out.update({k: v for k, v in values.items() if canonical_name(k) == k})
    return out


def with_cli() -> tuple[Setting, ...]:
    """The settings the command line offers, in table order."""
    return tuple(s for s in SETTINGS if s.cli is not None)


def in_level_table(table: str) -> tuple[Setting, ...]:
    """The settings a level file keeps in `table` ("network", "data", "view")."""
    return tuple(s for s in SETTINGS if s.level and s.level.key.split(".")[0] == table)


def level_key(s: Setting) -> str:
    """The key inside its level table: "learning_rate" for "network.learning_rate"."""
    assert s.level is not None
    return s.level.key.split(".", 1)[1]


def level_default(s: Setting) -> Any:
    """The value a level file's missing key means."""
    assert s.level is not None
    return s.default if s.level.default is SAME else s.level.default


def level_range(s: Setting) -> tuple[float, float]:
    assert s.level is not None
    rng = s.level.range or s.range
    assert rng is not None, s.name
    return rng


def in_scene_table(table: str) -> tuple[Setting, ...]:
    """The settings a scene file keeps in `table` ("training", "view")."""
    return tuple(s for s in SETTINGS if s.scene and s.scene.key.split(".")[0] == table)


def scene_key(s: Setting) -> str:
    """The key inside its scene table: "learning_rate" for "training.learning_rate"."""
    assert s.scene is not None
    return s.scene.key.split(".", 1)[-1]


def scene_default(name: str) -> Any:
    """The value a scene file's setting `name` has when a program builds one without it."""
    s = setting(name)
    assert s.scene is not None
    return s.default if s.scene.default is SAME else s.scene.default


def controls_of(names: Iterable[str]) -> set[Control]:
    """The level controls that hide or lock the named settings."""
    return {c for n in names if (c := setting(n).control) is not None}


# ----------------------------------------------------------------------------- level controls
# What each control is called when a level locks it ("Locked in this level: the noise.").
# "files" is the app's own control for opening scene and weight files, which levels never show.
FILES_CONTROL = "files"
CONTROL_WORDS: Mapping[str, str] = {
    Control.PAINT: "painting points",
    Control.ERASE: "erasing points",
    Control.PRESETS: "the data set",
    Control.NOISE: "the noise",
    Control.SEED: "the seed",
    Control.ADD_LAYER: "adding layers",
    Control.REMOVE_LAYER: "removing layers",
    Control.NEURONS: "the number of neurons",
    Control.TASK: "the task",
    Control.OPTIMIZER: "the optimizer",
    Control.LEARNING_RATE: "the learning rate",
    Control.BATCH_SIZE: "the batch size",
    Control.L2: "the weight decay",
    Control.PLAY: "training",
    Control.STEP: "single steps",
    Control.RESET: "new starting weights",
    Control.LAPLACE: "the Laplace switch",
    Control.PRIOR_PRECISION: "the prior precision",
    Control.OPTIMIZE_PRIOR: "optimising the prior",
    Control.LAYER_SELECTOR: "the layer selector",
    Control.TIMELINE: "the timeline",
    Control.INSPECTOR: "the inspector",
    Control.PROBE: "the probe",
    Control.NEURON_SLIDERS: "the neuron's sliders",
    Control.SPLIT: "the test points",
    Control.ZOOM: "zooming",
    Control.VIEWS: "the views",
    FILES_CONTROL: "opening scene and weight files",
}


def control_words(control: str) -> str:
    """What `control` is called in a message about it."""
    return CONTROL_WORDS.get(control, control.replace("_", " "))
