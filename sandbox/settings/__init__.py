"""The settings table: every user setting once, with everything each part of the app needs to know.

In the spirit of the TensorFlow Playground's `state.ts` PROPS list, `SETTINGS` (the table in
`sandbox.settings.table`; `Setting` and its parts in `sandbox.settings.spec`) holds one
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

from collections.abc import Iterable, Mapping
from typing import Any

from sandbox.vocab import Control

from .spec import SAME, CliOption, FileKey, Format, Scale, Setting, Slider, ValueKind
from .table import L2_SLIDER_FLOOR, SETTINGS

__all__ = [
    "BY_NAME",
    "CONTROL_WORDS",
    "FILES_CONTROL",
    "L2_SLIDER_FLOOR",
    "SAME",
    "SETTINGS",
    "CliOption",
    "FileKey",
    "Format",
    "Scale",
    "Setting",
    "Slider",
    "ValueKind",
    "canonical_name",
    "control_words",
    "controls_of",
    "in_level_table",
    "in_scene_table",
    "level_default",
    "level_key",
    "level_range",
    "migrate",
    "scene_default",
    "scene_key",
    "setting",
    "with_cli",
]

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
    Control.ACTIVATION: "the activation",
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
