"""The level tables of the trials: predict-then-run, you against training, many seeds.

This module owns the three optional level tables, their reading and their rules:
- `[predict]`: a multiple-choice prediction the player must pick before training is allowed; the
  run answers it (once the table's `reveal` condition has held, the panel shows the right choice
  and `why`).
- `[race]`: the player sets the creases by hand; "Let training try" trains the level's starting
  weights (the same ones the player started from) for a fixed number of steps, and its loss
  stands beside the player's.
- `[seeds]`: the same task trained from several seeds one after another, each for the same
  number of steps: a table of final loss and accuracy shows the spread.

The tables are read here (`read_predict`, `read_race`, `read_seeds`, with the loader's
messages; `check_trials`: a metric of a trial needs its table). Playing them is
`sandbox.levels.trial_runs` (which trains, so imports numba; the menu reads level files without
it).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .goals import Goal
from .reader import Reader

if TYPE_CHECKING:
    from .schema import Marker

MAX_CHOICES = 6  # of a quiz's or a prediction's answers
MAX_TRIAL_STEPS = 20_000
MAX_SEEDS = 8
REVEAL_NAMES = ("revealed",)  # a reveal condition cannot wait for itself


# ----------------------------------------------------------------------------- the tables
@dataclass(frozen=True)
class Predict:
    """A prediction asked before training: `answer` is 0-based (the file writes it 1-based)."""

    question: str
    choices: tuple[str, ...]
    answer: int
    why: str  # one or two sentences shown once the run has answered
    reveal: Goal  # when the run has answered (a goal-language condition, e.g. steps >= 300)


@dataclass(frozen=True)
class Race:
    """Training's try from the level's starting weights: `steps` steps of the level's optimiser."""

    steps: int


@dataclass(frozen=True)
class Seeds:
    """`count` runs of `steps` steps each, from seeds network.seed, network.seed + 1, ..."""

    count: int
    steps: int


def read_predict(r: Reader, value: object, markers: Mapping[str, Marker]) -> Predict:
    t = r.table(value, "predict", ("question", "choices", "answer", "why", "reveal"), ())
    choices = tuple(
        r.text(c, f"predict.choices[{i}]")
        for i, c in enumerate(r.array(t["choices"], "predict.choices", 2, MAX_CHOICES))
    )
    answer = r.integer(t["answer"], "predict.answer", 1, len(choices))
    reveal = r.goal(t["reveal"], "predict.reveal", markers)
    if reveal.names() & set(REVEAL_NAMES):
        raise r.error("predict.reveal", "cannot use 'revealed' (it is what reveal decides)")
    return Predict(
        question=r.text(t["question"], "predict.question"),
        choices=choices,
        answer=answer - 1,
        why=r.text(t["why"], "predict.why"),
        reveal=reveal,
    )


def read_race(r: Reader, value: object) -> Race:
    t = r.table(value, "race", ("steps",), ())
    return Race(steps=r.integer(t["steps"], "race.steps", 1, MAX_TRIAL_STEPS))


def read_seeds(r: Reader, value: object) -> Seeds:
    t = r.table(value, "seeds", ("steps",), ("count",))
    return Seeds(
        count=r.integer(t.get("count", 5), "seeds.count", 2, MAX_SEEDS),
        steps=r.integer(t["steps"], "seeds.steps", 1, MAX_TRIAL_STEPS),
    )


def check_trials(r: Reader, level_names: set[str], predict, race, seeds) -> None:
    """The metrics a level's goals, stars, hints and readouts use need their table."""
    needs = (
        ("predict", predict, ("predicted", "prediction_right", "revealed")),
        ("race", race, ("race_loss",)),
        ("seeds", seeds, ("seeds_run", "best_seed_accuracy", "worst_seed_accuracy")),
    )
    for table, spec, names in needs:
        used = sorted(level_names & set(names))
        if used and spec is None:
            raise r.error(table, f"the level uses {used[0]}, so it needs a [{table}] table")
