"""Writing a level file from a sandbox: the teacher's "Save as level".

`level_text(scene, choices)` turns what the sandbox shows (a `SceneData`: the points, the
network and its weights, the training settings, the views) and the teacher's choices (title,
goal, how the points and weights are written, which controls the player keeps) into the text
of a level file, in the format levels/README.md describes. `check_level_text` reads that text
back with the level loader itself, so the message a teacher sees while choosing is the one the
menu would show (None when the level loads). `GOAL_PICKS` are the goals offered in the picker,
each written in the goal language (sandbox/levels/goals.py), and `new_level_path` names the file
in the Level files folder without overwriting one.

No pygame here: the sandbox's Save-level card (sandbox/scenes/level_writer.py) calls this.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from sandbox.io.files import free_path

from .loader import level_from_toml
from .reader import LevelError
from .schema import MAX_POINTS
from .vocab import Control, ControlState, Task, View

if TYPE_CHECKING:
    from sandbox.io.scene_format import SceneData

MAX_TITLE = 60


@dataclass(frozen=True)
class GoalPick:
    """A goal the picker offers: its name in the list, its check and the player's words."""

    name: str
    check: str
    text: str


GOAL_PICKS: tuple[GoalPick, ...] = (
    GoalPick("Most dots right", "train_accuracy >= 0.95", "Get at least 95% of the dots right."),
    GoalPick("Test dots right", "test_accuracy >= 0.9", "Get at least 90% of the test dots right."),
    GoalPick("Small loss", "train_loss <= 0.05", "Bring the loss down to 0.05 or less."),
    GoalPick("Few neurons", "train_accuracy >= 0.95 and neurons <= 4",
             "Get 95% of the dots right with at most 4 neurons."),
    GoalPick("Many regions", "regions >= 30", "Make at least 30 flat regions."),
    GoalPick("No dead neurons", "dead_neurons == 0 and train_accuracy >= 0.9",
             "No dead neurons, and 90% of the dots right."),
)  # fmt: skip

# what the player may change, by the teacher's pick: the controls shown, and those locked (seen
# greyed out, not used); every other control is hidden
CONTROL_PICKS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "everything": (tuple(c.value for c in Control), ()),
    "training and neurons": (("play", "step", "reset", "learning_rate", "neurons", "add_layer",
                              "remove_layer", "views", "zoom"), ()),
    "training only": (("play", "step", "reset", "views", "zoom"), ("neurons", "learning_rate")),
}  # fmt: skip
AS_THIS_LEVEL = "as in this level"  # offered when saving from a level: its shown/locked controls
POINT_PICKS = ("these points", "the data set")


@dataclass(frozen=True)
class LevelChoices:
    """The teacher's picks on the Save-level card."""

    title: str = "My level"
    goal_check: str = GOAL_PICKS[0].check
    goal_text: str = GOAL_PICKS[0].text
    points: str = POINT_PICKS[0]  # "these points" (written out) or "the data set" (+ its seed)
    keep_weights: bool = False  # start from these weights (else fresh ones from the seed)
    controls: str = "training and neurons"


def _s(text: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's)."""
    return json.dumps(text, ensure_ascii=False)


def _n(value: float) -> str:
    v = float(value)
    return str(int(v)) if v.is_integer() and abs(v) < 1e15 else repr(v)


def _short(value: float) -> str:
    """A coordinate or target: six significant digits are plenty, and keep the file small."""
    return f"{float(value):.6g}"


def _list(values: Sequence[float], fmt=_n) -> str:
    return "[" + ", ".join(fmt(v) for v in values) + "]"


def level_text(
    scene: SceneData,
    choices: LevelChoices,
    bounds: tuple[float, float, float, float] = (-6.0, 6.0, -6.0, 6.0),
    policy: Mapping[str, str] | None = None,
) -> str:
    """The level file for `scene` and the teacher's `choices` (not checked: see
    `check_level_text`). `policy` (control -> "shown", "hidden" or "locked") is the level being
    played, for the pick "as in this level"."""
    title = choices.title.strip() or "My level"
    lines = [
        "# Written by Neural Origami's Save level. Edit it in any text editor: levels/README.md",
        "# lists every key. The story pages and the success text are yours to write.",
        f"title = {_s(title)}",
        "story = [",
        f"  {_s('A level made in the sandbox. ' + choices.goal_text)},",
        "]",
        f"success = {_s('You did it!')}",
        "",
    ]
    lines += _data_lines(scene, choices)
    lines += _network_lines(scene, choices)
    order = list(View)
    views = [v for v in order if v.value in scene.view.views]
    lines += [
        "[view]",
        f"bounds = {_list(bounds)}",
        "on = [" + ", ".join(_s(v.value) for v in views) + "]",
        "",
        "[controls]",
        'default = "hidden"',
    ]
    if choices.controls == AS_THIS_LEVEL and policy:
        shown = tuple(c for c, st in policy.items() if st == ControlState.SHOWN.value)
        locked = tuple(c for c, st in policy.items() if st == ControlState.LOCKED.value)
    else:
        shown, locked = CONTROL_PICKS.get(choices.controls, CONTROL_PICKS["training and neurons"])
    lines += [f'{c} = "{ControlState.SHOWN.value}"' for c in shown]
    lines += [f'{c} = "{ControlState.LOCKED.value}"' for c in locked]
    lines += [
        "",
        "[[goals]]",
        f"text = {_s(choices.goal_text)}",
        f"check = {_s(choices.goal_check)}",
        "",
    ]
    return "\n".join(lines)


def _data_lines(scene: SceneData, choices: LevelChoices) -> list[str]:
    extra = scene.extra.get("sandbox", {})
    test = float(scene.training.test_fraction)
    out = ["[data]"]
    if choices.points == "the data set":
        out += [
            f"dataset = {_s(str(extra.get('dataset', '')))}",
            f"count = {int(extra.get('points', len(scene.X)))}",
            f"noise = {_n(extra.get('noise', 0.0))}",
            f"seed = {int(extra.get('data_seed', 0))}",
        ]
    elif len(scene.X):
        regression = scene.task == Task.REGRESSION.value
        label = _short if regression else (lambda v: str(int(v)))
        out.append("points = [")
        out += [f"  [{_short(x)}, {_short(y)}]," for x, y in np.asarray(scene.X)]
        out.append("]")
        out.append("labels = " + _list(np.asarray(scene.labels), label))
    if test > 0:
        out.append(f"test_fraction = {_n(round(test, 6))}")
    return [*out, ""]


def _network_lines(scene: SceneData, choices: LevelChoices) -> list[str]:
    t = scene.training
    sizes = scene.sizes
    out = [
        "[network]",
        f"hidden = {_list(sizes[1:-1])}",
        f"task = {_s(scene.task)}",
    ]
    if scene.task == Task.CLASSIFICATION.value:
        out.append(f"classes = {sizes[-1]}")
    out += [
        f"optimizer = {_s(t.optimizer)}",
        f"learning_rate = {_n(t.learning_rate)}",
        f"seed = {int(t.seed)}",
        f"activation = {_s(scene.network.activation)}",
    ]
    if 1 <= t.batch_size < len(scene.X):
        out.append(f"batch_size = {int(t.batch_size)}")
    if t.l2 > 0:
        out.append(f"l2 = {_n(t.l2)}")
    if scene.network.activation == "leaky_relu":
        out.append(f"negative_slope = {_n(scene.network.negative_slope)}")
    if scene.network.residual:
        out.append("residual = true")
    if choices.keep_weights:
        out.append("layers = [")
        for W, b in scene.weights:
            rows = ", ".join(_list(row) for row in np.asarray(W))
            out.append(f"  {{ W = [{rows}], b = {_list(np.asarray(b))} }},")
        out.append("]")
    return [*out, ""]


def choices_problem(scene: SceneData, choices: LevelChoices) -> str | None:
    """What makes the choices impossible before any file is written (None: nothing)."""
    dataset = str(scene.extra.get("sandbox", {}).get("dataset") or "")
    if choices.points == "the data set" and not dataset:
        return "these points come from no data set: pick 'these points'"
    if choices.points == "these points" and len(scene.X) > MAX_POINTS:
        return (
            f"{len(scene.X)} points: a level lists at most {MAX_POINTS}; pick 'the data set' "
            "(its points are made when the level opens)"
        )
    if not choices.title.strip():
        return "the level needs a title"
    if len(choices.title) > MAX_TITLE:
        return f"the title is {len(choices.title)} characters long; at most {MAX_TITLE} allowed"
    return None


def check_level_text(text: str, file: str = "Level files/my-level.toml") -> str | None:
    """What the level loader says about `text` (None: it loads and can be played)."""
    try:
        level_from_toml(text, Path(file).stem, file)
    except LevelError as exc:
        return str(exc)
    return None


def slug(title: str) -> str:
    """A file name from a title: lower case, letters, digits and dashes."""
    text = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    return text[:40].strip("-") or "my-level"


def new_level_path(folder: Path, title: str) -> Path:
    """`folder`/<slug>.toml, or <slug>-2.toml, -3... so no file is overwritten."""
    return free_path(folder, slug(title), ".toml")
