"""The level schema: validated, immutable Level objects built from parsed TOML tables.

This module owns every rule a level file must follow (levels/README.md is its prose twin): which
keys exist in which table, their types and ranges, the story markup, the goal expressions, the
markers they refer to, explicit weights matching the architecture. Unknown keys are errors, so a
typo never silently does nothing. Every failure is a `LevelError` (a ValueError) whose message
names the file, the key (as a dotted path like `network.hidden`) and what is allowed; no other
exception escapes `level_from_dict`, whatever the input. The typed reading of TOML values with
those messages is `sandbox.levels.reader`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sandbox.data import dataset_info, dataset_names
from sandbox.settings import (
    Setting,
    ValueKind,
    in_level_table,
    level_default,
    level_key,
    level_range,
)
from sandbox.vocab import (
    DEFAULT_LR,
    DEFAULT_SCHEDULE_STEPS,
    MAX_HIDDEN_LAYERS,
    MAX_LEVEL_POINTS,
    MAX_WIDTH,
    MIN_HIDDEN_LAYERS,
    MIN_WIDTH,
    Activation,
    Optimizer,
    Schedule,
)

from .goals import Goal
from .reader import MAX_COORD, LevelError, Reader, type_words
from .readouts import Readout, ReadoutError, parse_readout
from .trials import (
    MAX_CHOICES,
    Predict,
    Race,
    Seeds,
    check_trials,
    read_predict,
    read_race,
    read_seeds,
)
from .vocab import Control, ControlState, MarkerKind, Task, View

FORMAT_VERSION = 1

GOAL_MODES = ("all", "any")
DEFAULT_BOUNDS = (-6.0, 6.0, -6.0, 6.0)
MAX_POINTS = MAX_LEVEL_POINTS
MAX_PAGES = 20
MAX_HINTS = 20
MAX_MARKERS = 20
MAX_GOALS = 10
MAX_READOUTS = 6
MAX_TRAINED_STEPS = 100_000


# ----------------------------------------------------------------------------- level objects
@dataclass(frozen=True, eq=False)
class DataSpec:
    """The starting points: a generated dataset, explicit points, or none (the player paints).

    `source` is "generator", "points" or "empty". Labels are class ids for classification and
    target values for regression. `test_fraction` of the points are held out as the test set.
    `flip_box` (with `flip_fraction`) teaches some labels wrong, see sandbox.data.flip_labels.
    """

    source: str
    dataset: str | None = None
    count: int = 0  # how many points the dataset draws
    noise: float = 0.0
    seed: int = 0
    points: np.ndarray | None = None
    labels: np.ndarray | None = None
    test_fraction: float = 0.0
    flip_box: tuple[float, float, float, float] | None = None  # labels taught wrong in this box
    flip_fraction: float = 1.0  # the share of the points in flip_box whose label is flipped


@dataclass(frozen=True, eq=False)
class NetworkSpec:
    """The starting network and how it trains; `layers` are optional explicit (W, b) pairs."""

    hidden: tuple[int, ...]
    task: Task = Task.CLASSIFICATION
    classes: int = 2
    optimizer: Optimizer = Optimizer.ADAM
    learning_rate: float = DEFAULT_LR
    batch_size: int | None = None
    l2: float = 0.0
    seed: int = 0
    schedule: Schedule = Schedule.CONSTANT
    schedule_steps: int = DEFAULT_SCHEDULE_STEPS
    layers: tuple[tuple[np.ndarray, np.ndarray], ...] | None = None
    trained_steps: int = 0  # training done before the level starts (a network that has learned)
    activation: Activation = Activation.RELU
    negative_slope: float = 0.01
    residual: bool = False

    def network_kind(self) -> dict:
        """MLP keyword arguments: the activation and the residual switch."""
        return {
            "activation": self.activation,
            "negative_slope": self.negative_slope,
            "residual": self.residual,
        }

    @property
    def n_out(self) -> int:
        return 1 if self.task is Task.REGRESSION else self.classes

    @property
    def sizes(self) -> list[int]:
        return [2, *self.hidden, self.n_out]


@dataclass(frozen=True)
class Marker:
    name: str
    kind: MarkerKind
    x: float
    y: float
    label: str = ""
    movable: bool = False  # the player may drag it (e.g. a probe looking for a far place)


@dataclass(frozen=True)
class GoalSpec:
    """One goal: the condition and the sentence telling the player what to do."""

    text: str
    goal: Goal


@dataclass(frozen=True)
class Hint:
    """A hint shown after `after_seconds` of play or `after_failures` failed checks, while its
    `when` condition holds (a goal-language condition on the level's state) and the level's goal
    is not met."""

    text: str
    after_seconds: float | None = None
    after_failures: int | None = None
    when: Goal | None = None


@dataclass(frozen=True)
class Quiz:
    question: str
    choices: tuple[str, ...]
    answer: int  # 0-based index into choices (the file writes it 1-based)


@dataclass(frozen=True, eq=False)
class Level:
    """A validated level. `id` is the file name without .toml, e.g. "01-one-crease"."""

    id: str
    title: str
    story: tuple[str, ...]
    success: str
    data: DataSpec
    network: NetworkSpec
    controls: Mapping[Control, ControlState]
    views: frozenset[View]
    bounds: tuple[float, float, float, float]
    markers: Mapping[str, Marker] = field(default_factory=dict)
    goals: tuple[GoalSpec, ...] = ()
    goal_mode: str = "all"
    hints: tuple[Hint, ...] = ()
    two_stars: Goal | None = None
    three_stars: Goal | None = None
    two_stars_text: str = ""  # the rule in the player's words ("": written out from the check)
    three_stars_text: str = ""
    readouts: tuple[Readout, ...] = ()
    quiz: Quiz | None = None
    predict: Predict | None = None  # the trials (sandbox.levels.trials): predict-then-run,
    race: Race | None = None  # you against training,
    seeds: Seeds | None = None  # many seeds
    source: str = ""

    def control(self, control: Control | str) -> ControlState:
        return self.controls[Control(control)]

    def goal_met(self, provider: Any) -> bool:
        """Whether the level is won in the state `provider` describes (a MetricsProvider)."""
        if not self.goals:
            return False
        results = (g.goal.evaluate(provider) for g in self.goals)
        return all(results) if self.goal_mode == "all" else any(results)

    def goal_status(self, provider: Any) -> list[bool]:
        """Each goal's state, for a checklist on screen."""
        return [g.goal.evaluate(provider) for g in self.goals]

    def stars_for(self, provider: Any) -> int:
        """0 if the goal is not met, else 1, 2 or 3 by the star conditions."""
        if not self.goal_met(provider):
            return 0
        if self.three_stars is not None and self.three_stars.evaluate(provider):
            return 3
        if self.two_stars is not None and self.two_stars.evaluate(provider):
            return 2
        return 1


# ----------------------------------------------------------------------------- sections
TOP_REQUIRED = ("title", "story", "data", "network")
TOP_OPTIONAL = (
    "format",
    "success",
    "view",
    "controls",
    "markers",
    "goals",
    "goal_mode",
    "hints",
    "stars",
    "quiz",
    "readouts",
    "predict",
    "race",
    "seeds",
)


def level_from_dict(
    doc: object, level_id: str = "level", file: str = "<level>", require_goals: bool = True
) -> Level:
    """Validate a parsed level table and build the Level. Raises only LevelError.

    `require_goals` is False for the free sandbox, which has no goal, success text or stars.
    """
    r = Reader(file)
    try:
        return _build(r, doc, level_id, require_goals)
    except LevelError:
        raise
    except RecursionError:
        raise r.error("", "nested too deeply") from None
    except (ValueError, TypeError, OverflowError, ArithmeticError) as exc:
        # Belt and braces: any check missed above still reaches the player as a named error.
        raise r.error("", f"invalid level: {exc}") from None


def _build(r: Reader, doc: object, level_id: str, require_goals: bool) -> Level:
    top = r.table(doc, "", TOP_REQUIRED, TOP_OPTIONAL)
    if "format" in top:
        r.integer(top["format"], "format", FORMAT_VERSION, FORMAT_VERSION)
    title = r.string(top["title"], "title", 60)
    pages = r.array(top["story"], "story", 1, MAX_PAGES)
    story = tuple(r.text(p, f"story[{i}]") for i, p in enumerate(pages))
    network = _network(r, top["network"])
    data = _data(r, top["data"], network)
    bounds, views = _view(r, top.get("view", {}))
    controls = _controls(r, top.get("controls", {}))
    markers = _markers(r, top.get("markers", {}))
    goals = tuple(
        _goal(r, g, f"goals[{i}]", markers)
        for i, g in enumerate(r.array(top.get("goals", []), "goals", 0, MAX_GOALS))
    )
    goal_mode = r.choice(top.get("goal_mode", "all"), "goal_mode", GOAL_MODES)
    hints = tuple(
        _hint(r, h, f"hints[{i}]", markers)
        for i, h in enumerate(r.array(top.get("hints", []), "hints", 0, MAX_HINTS))
    )
    (two, two_text), (three, three_text) = _stars(r, top.get("stars", {}), markers)
    readouts = tuple(
        _readout(r, v, f"readouts[{i}]", markers)
        for i, v in enumerate(r.array(top.get("readouts", []), "readouts", 0, MAX_READOUTS))
    )
    quiz = _quiz(r, top["quiz"]) if "quiz" in top else None
    predict = read_predict(r, top["predict"], markers) if "predict" in top else None
    race = read_race(r, top["race"]) if "race" in top else None
    seeds = read_seeds(r, top["seeds"]) if "seeds" in top else None
    success = r.text(top["success"], "success") if "success" in top else ""
    if require_goals:
        if not goals:
            raise r.error("goals", "a level needs at least one goal")
        if not success:
            raise r.error(
                "success", "required key is missing (the text shown when the goal is met)"
            )
    used = {n for g in goals for n in g.goal.names()}
    for star in (two, three, *(h.when for h in hints)):
        if star is not None:
            used |= star.names()
    for readout in readouts:
        used |= readout.names()
    check_trials(r, used, predict, race, seeds)
    if "quiz_solved" in used and quiz is None:
        raise r.error("quiz", "a goal uses quiz_solved, so the level needs a [quiz] table")
    if used & {"test_accuracy", "test_loss"} and data.test_fraction == 0.0:
        raise r.error("data.test_fraction", "a goal uses the test set, so this must be above 0")
    if used & {"confidence"} and network.task is Task.REGRESSION:
        raise r.error("network.task", "confidence goals need a classification network")
    if used & {"height"} and network.task is Task.CLASSIFICATION:
        raise r.error("network.task", "height goals need a regression network")
    return Level(
        id=level_id,
        title=title,
        story=story,
        success=success,
        data=data,
        network=network,
        controls=controls,
        views=views,
        bounds=bounds,
        markers=markers,
        goals=goals,
        goal_mode=goal_mode,
        hints=hints,
        two_stars=two,
        three_stars=three,
        two_stars_text=two_text,
        three_stars_text=three_text,
        readouts=readouts,
        quiz=quiz,
        predict=predict,
        race=race,
        seeds=seeds,
        source=r.file,
    )


# [network] and [data] keys: the settings table's (sandbox.settings), plus explicit weights,
# training done before the level starts, and points, which are not settings.
_NETWORK_SETTINGS = {level_key(s): s for s in in_level_table("network")}
_NETWORK_KEYS = (*(k for k in _NETWORK_SETTINGS if k != "hidden"), "layers", "trained_steps")
_DATA_SETTINGS = {level_key(s): s for s in in_level_table("data")}
_DATA_KEYS = (*_DATA_SETTINGS, "points", "labels", "flip_labels")


def _setting(
    r: Reader, t: Mapping[str, Any], table: str, s: Setting, used: Mapping[str, str] = {}
) -> Any:
    """The value of setting `s` in level table `table` (its level default when missing),
    checked against the level range the settings table gives. `used`: the old name the file
    gave a key (see _current_names), which its messages name."""
    key = level_key(s)
    lo, hi = level_range(s)
    value = t.get(key, level_default(s))
    where = f"{table}.{used.get(key, key)}"
    if s.kind is ValueKind.INT:
        return r.integer(value, where, int(lo), int(hi))
    return r.number(value, where, lo, hi)


def _network(r: Reader, value: object) -> NetworkSpec:
    t = r.table(value, "network", ("hidden",), _NETWORK_KEYS)
    n = _NETWORK_SETTINGS
    hidden = tuple(
        r.integer(h, f"network.hidden[{i}]", MIN_WIDTH, MAX_WIDTH)
        for i, h in enumerate(
            r.array(t["hidden"], "network.hidden", MIN_HIDDEN_LAYERS, MAX_HIDDEN_LAYERS)
        )
    )
    task = r.enum(t.get("task", "classification"), "network.task", Task)
    if task is Task.REGRESSION:
        if "classes" in t:
            raise r.error("network.classes", "a regression network has no classes; remove it")
        classes = 1
    else:
        classes = _setting(r, t, "network", n["classes"])
    optimizer = t.get("optimizer", level_default(n["optimizer"]))
    spec = NetworkSpec(
        hidden=hidden,
        task=task,
        classes=classes,
        optimizer=r.enum(optimizer, "network.optimizer", Optimizer),
        learning_rate=_setting(r, t, "network", n["learning_rate"]),
        batch_size=(
            _setting(r, t, "network", n["batch_size"])
            if "batch_size" in t
            else level_default(n["batch_size"])
        ),
        l2=_setting(r, t, "network", n["l2"]),
        seed=_setting(r, t, "network", n["seed"]),
        activation=r.enum(
            t.get("activation", level_default(n["activation"])), "network.activation", Activation
        ),
        negative_slope=_setting(r, t, "network", n["negative_slope"]),
        residual=r.boolean(t.get("residual", level_default(n["residual"])), "network.residual"),
        schedule=r.enum(
            t.get("schedule", level_default(n["schedule"])), "network.schedule", Schedule
        ),
        schedule_steps=_setting(r, t, "network", n["schedule_steps"]),
        trained_steps=r.integer(
            t.get("trained_steps", 0), "network.trained_steps", 0, MAX_TRAINED_STEPS
        ),
    )
    if "layers" not in t:
        return spec
    sizes = spec.sizes
    entries = r.array(t["layers"], "network.layers", len(sizes) - 1, len(sizes) - 1)
    layers = []
    for i, entry in enumerate(entries):
        key = f"network.layers[{i}]"
        e = r.table(entry, key, ("W", "b"), ())
        n_out, n_in = sizes[i + 1], sizes[i]
        rows = r.array(e["W"], f"{key}.W", n_out, n_out)
        W = np.array(
            [
                [
                    r.number(v, f"{key}.W[{j}][{k}]", -MAX_COORD, MAX_COORD)
                    for k, v in enumerate(r.array(row, f"{key}.W[{j}]", n_in, n_in))
                ]
                for j, row in enumerate(rows)
            ],
            dtype=np.float64,
        ).reshape(n_out, n_in)
        b = np.array(
            [
                r.number(v, f"{key}.b[{j}]", -MAX_COORD, MAX_COORD)
                for j, v in enumerate(r.array(e["b"], f"{key}.b", n_out, n_out))
            ],
            dtype=np.float64,
        )
        layers.append((W, b))
    return NetworkSpec(**{**spec.__dict__, "layers": tuple(layers)})


def _current_names(r: Reader, value: object, table: str) -> tuple[object, dict[str, str]]:
    """`value` (a level table) with the keys of earlier versions renamed to the current ones,
    and the name the file used for each renamed key (messages speak of what the file says)."""
    if not isinstance(value, dict):
        return value, {}
    t, used = dict(value), {}
    for s in in_level_table(table):
        assert s.level is not None
        key = level_key(s)
        for old in s.level.old:
            if old in t:
                if key in t:
                    raise r.error(f"{table}.{old}", f"is the old name of {table}.{key}; give one")
                t[key], used[key] = t.pop(old), old
    return t, used


def _data(r: Reader, value: object, network: NetworkSpec) -> DataSpec:
    spec = _data_source(r, value, network)
    if not isinstance(value, Mapping) or "flip_labels" not in value:
        return spec
    key = "data.flip_labels"
    if network.task is not Task.CLASSIFICATION:
        raise r.error(key, "only class labels can be flipped; this network does regression")
    t = r.table(value["flip_labels"], key, ("box",), ("fraction",))
    raw = r.array(t["box"], f"{key}.box", 4, 4)
    box = tuple(r.number(v, f"{key}.box[{i}]", -MAX_COORD, MAX_COORD) for i, v in enumerate(raw))
    if not (box[0] < box[1] and box[2] < box[3]):
        raise r.error(f"{key}.box", f"{list(box)} must be [xmin, xmax, ymin, ymax], min < max")
    fraction = r.number(t.get("fraction", 1.0), f"{key}.fraction", 0.0, 1.0)
    return DataSpec(**{**spec.__dict__, "flip_box": box, "flip_fraction": fraction})


def _data_source(r: Reader, value: object, network: NetworkSpec) -> DataSpec:
    value, used = _current_names(r, value, "data")
    t = r.table(value, "data", (), _DATA_KEYS)
    d = _DATA_SETTINGS
    test_fraction = _setting(r, t, "data", d["test_fraction"])
    if "dataset" in t:
        for k in ("points", "labels"):
            if k in t:
                raise r.error(f"data.{k}", "give either a generator or explicit points, not both")
        dataset = t["dataset"]
        where = f"data.{used.get('dataset', 'dataset')}"
        try:
            info = dataset_info(dataset)
        except ValueError:
            shown = repr(dataset) if isinstance(dataset, str) else type_words(dataset)
            raise r.error(where, f"is {shown}; allowed: {', '.join(dataset_names())}") from None
        if info.task.value != network.task.value:
            raise r.error(
                where,
                f"{dataset!r} makes {info.task.value} data but network.task is "
                f"{network.task.value!r}",
            )
        if info.task.value == Task.CLASSIFICATION.value and info.n_classes != network.classes:
            raise r.error(
                "network.classes",
                f"is {network.classes} but the dataset {dataset!r} makes {info.n_classes} classes",
            )
        return DataSpec(
            source="generator",
            dataset=dataset,
            count=_setting(r, t, "data", d["count"], used),
            noise=_setting(r, t, "data", d["noise"]),
            seed=_setting(r, t, "data", d["seed"]),
            test_fraction=test_fraction,
        )
    for k in ("count", "noise", "seed"):
        if k in t:
            where = f"data.{used.get(k, k)}"
            raise r.error(where, "only used with a dataset; remove it or add a dataset")
    if "points" not in t:
        if "labels" in t:
            raise r.error("data.labels", "labels need points")
        return DataSpec(source="empty", test_fraction=test_fraction)
    if "labels" not in t:
        raise r.error("data.labels", "required key is missing (one label per point)")
    pts = r.array(t["points"], "data.points", 1, MAX_POINTS)
    points = np.array([r.point(p, f"data.points[{i}]") for i, p in enumerate(pts)], np.float64)
    raw = r.array(t["labels"], "data.labels", len(pts), len(pts))
    if network.task is Task.REGRESSION:
        labels = np.array(
            [r.number(v, f"data.labels[{i}]", -MAX_COORD, MAX_COORD) for i, v in enumerate(raw)],
            dtype=np.float64,
        )
    else:
        labels = np.array(
            [r.integer(v, f"data.labels[{i}]", 0, network.classes - 1) for i, v in enumerate(raw)],
            dtype=np.int64,
        )
    return DataSpec(source="points", points=points, labels=labels, test_fraction=test_fraction)


def _view(r: Reader, value: object) -> tuple[tuple[float, float, float, float], frozenset[View]]:
    t = r.table(value, "view", (), ("bounds", "on"))
    bounds = DEFAULT_BOUNDS
    if "bounds" in t:
        raw = r.array(t["bounds"], "view.bounds", 4, 4)
        b = tuple(
            r.number(v, f"view.bounds[{i}]", -MAX_COORD, MAX_COORD) for i, v in enumerate(raw)
        )
        if not (b[0] < b[1] and b[2] < b[3]):
            raise r.error(
                "view.bounds",
                f"{list(b)} must be [xmin, xmax, ymin, ymax] with xmin < xmax and ymin < ymax",
            )
        bounds = b  # type: ignore[assignment]
    names = r.array(t.get("on", ["field"]), "view.on", 0, len(View))
    views = frozenset(r.enum(v, f"view.on[{i}]", View) for i, v in enumerate(names))
    return bounds, views


def _controls(r: Reader, value: object) -> dict[Control, ControlState]:
    names = tuple(c.value for c in Control)
    t = r.table(value, "controls", (), ("default", *names))
    default = r.enum(t.get("default", "shown"), "controls.default", ControlState)
    out = {c: default for c in Control}
    for name in names:
        if name in t:
            out[Control(name)] = r.enum(t[name], f"controls.{name}", ControlState)
    return out


def _markers(r: Reader, value: object) -> dict[str, Marker]:
    if not isinstance(value, Mapping):
        raise r.error("markers", f"must be a table of named markers, got {type_words(value)}")
    if len(value) > MAX_MARKERS:
        raise r.error("markers", f"has {len(value)} markers; at most {MAX_MARKERS}")
    out = {}
    for name, entry in value.items():
        key = f"markers.{name}"
        if not isinstance(name, str) or not name.isidentifier() or not name.isascii():
            raise r.error(key, "a marker name must be letters, digits and _ (like far_star)")
        t = r.table(entry, key, ("kind", "at"), ("label", "movable"))
        x, y = r.point(t["at"], f"{key}.at")
        out[name] = Marker(
            name=name,
            kind=r.enum(t["kind"], f"{key}.kind", MarkerKind),
            x=x,
            y=y,
            label=r.string(t.get("label", ""), f"{key}.label", 40, empty=True),
            movable=r.boolean(t.get("movable", False), f"{key}.movable"),
        )
    return out


def _goal(r: Reader, value: object, key: str, markers: Mapping[str, Marker]) -> GoalSpec:
    t = r.table(value, key, ("text", "check"), ())
    return GoalSpec(
        text=r.text(t["text"], f"{key}.text"), goal=r.goal(t["check"], f"{key}.check", markers)
    )


def _hint(r: Reader, value: object, key: str, markers: Mapping[str, Marker]) -> Hint:
    t = r.table(value, key, ("text",), ("after_seconds", "after_failures", "when"))
    if "after_seconds" not in t and "after_failures" not in t and "when" not in t:
        raise r.error(key, "a hint needs after_seconds, after_failures or when")
    return Hint(
        when=r.goal(t["when"], f"{key}.when", markers) if "when" in t else None,
        text=r.text(t["text"], f"{key}.text"),
        after_seconds=(
            r.number(t["after_seconds"], f"{key}.after_seconds", 0.0, 3600.0)
            if "after_seconds" in t
            else None
        ),
        after_failures=(
            r.integer(t["after_failures"], f"{key}.after_failures", 1, 100)
            if "after_failures" in t
            else None
        ),
    )


def _stars(
    r: Reader, value: object, markers: Mapping[str, Marker]
) -> tuple[tuple[Goal | None, str], tuple[Goal | None, str]]:
    """Each star rule: a goal-language condition, or a table {check, text} whose text says the
    rule in the player's words."""
    t = r.table(value, "stars", (), ("two", "three"))
    out = []
    for name in ("two", "three"):
        key = f"stars.{name}"
        if name not in t:
            out.append((None, ""))
        elif isinstance(t[name], Mapping):
            rule = r.table(t[name], key, ("check", "text"), ())
            out.append(
                (
                    r.goal(rule["check"], f"{key}.check", markers),
                    r.text(rule["text"], f"{key}.text"),
                )
            )
        else:
            out.append((r.goal(t[name], key, markers), ""))
    return out[0], out[1]


def _readout(r: Reader, value: object, key: str, markers: Mapping[str, Marker]) -> Readout:
    src = r.string(value, key, 200)
    try:
        return parse_readout(src, markers)
    except ReadoutError as exc:
        raise r.error(key, f"{exc} (in readout {src!r})") from None


def _quiz(r: Reader, value: object) -> Quiz:
    t = r.table(value, "quiz", ("question", "choices", "answer"), ())
    choices = tuple(
        r.text(c, f"quiz.choices[{i}]")
        for i, c in enumerate(r.array(t["choices"], "quiz.choices", 2, MAX_CHOICES))
    )
    answer = r.integer(t["answer"], "quiz.answer", 1, len(choices))
    return Quiz(question=r.text(t["question"], "quiz.question"), choices=choices, answer=answer - 1)
