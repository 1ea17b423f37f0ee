"""The rules a level puts on the sandbox: which control each action needs, the refusal messages,
the goals measured on the live network, and what a level's goals ask of its screen.

An action class names the level control it belongs to (`Action.control`, sandbox.actions);
`control_for` adds the two rules that depend on the action's content (the views, and stopping
training, which is always allowed) and picks one of several controls ("inspector|neuron_sliders")
that the level shows. `LiveLevel` points the core `LevelSession` at the app's network and
points, so every goal is measured by the same code the headless solvers use. On a first start
the level opens while the region kernels still compile: until they are in, whatever needs the
exact partition raises `GeometryPending`, and the screen waits to tell those goals.
"""

from __future__ import annotations

import numpy as np
import pygame

from sandbox import actions as A
from sandbox.data import PointSet
from sandbox.geometry import copycat_neurons, dead_neurons
from sandbox.levels import Level, LevelSession
from sandbox.levels.goals import Call, walk
from sandbox.levels.measures import crease_between
from sandbox.nn import MLP
from sandbox.settings import CONTROL_WORDS
from sandbox.state import ReadingState
from sandbox.ui.level_plan import LOCKED, LevelStatus
from sandbox.vocab import View

# Keys that still reach the app while the story or success card is up (help, presenter mode,
# recording, screenshot); the others would change the level behind the card.
CARD_PASS_KEYS = frozenset(
    {pygame.K_h, pygame.K_F1, pygame.K_QUESTION, pygame.K_SLASH, pygame.K_F5, pygame.K_F9,
     pygame.K_F12}
)  # fmt: skip
VIEW_NAMES = {
    "3d": "the 3D view",
    "probe": "the ray probe",
    "inspector": "the inspector view",
    "timeline": "the timeline",
}


class GeometryPending(Exception):
    """A goal, hint or readout needs the exact partition, whose kernels still compile."""


WAITING_FOR_REGIONS = "First start: the goals are checked once the regions are ready."
READOUT_WAITING = "waiting for the regions (first start)"  # a readout that needs them


def waiting_readouts(level: Level) -> list[str]:
    """The level's readouts while the regions' kernels still compile."""
    return [READOUT_WAITING] * len(level.readouts)


class LiveLevel(LevelSession):
    """The level's goal metrics, measured on the app's live network and points.

    The session built the level's starting points and network; the scene hands it the objects
    it trains (`follow`) so every goal is evaluated by the same code the headless solvers use.
    """

    def __init__(self, level: Level) -> None:
        super().__init__(level, enforce_controls=False)
        self._followed: tuple = ()
        self.geometry_pending = False  # the region kernels still compile (a first start)

    def _partition(self):
        if self.geometry_pending:
            raise GeometryPending(WAITING_FOR_REGIONS)
        return super()._partition()

    def follow(self, net: MLP, points: PointSet, steps: int, version: tuple) -> None:
        """Measure `net` on `points` after `steps` steps; `version` says when they changed."""
        now = (id(net), id(points), steps, version)
        if now != self._followed:
            self._followed = now
            self.net = net
            self.points = points
            self.step_count = int(steps)
            self._changed()

    def follow_reading(self, rd: ReadingState) -> None:
        """The region the app's reader reads, its last walk and the lit neuron."""
        self.reading.read(rd.pattern if rd.active else "")
        self.reading.walked_from, self.reading.flipped = rd.walked_from, rd.flipped
        self.reading.lit = rd.neuron


def count_steps(total: int, ref: tuple[int, int], trainer: object) -> tuple[int, tuple[int, int]]:
    """A level's training steps `total` brought up to date with `trainer`'s count, across resets
    and new trainers; `ref` is (id of the trainer, its count) when last counted. Returns the new
    total and reference."""
    now = int(getattr(trainer, "steps", 0))
    ref_id, last = ref
    if ref_id != id(trainer):
        last = 0
    total += now - last if now >= last else now
    return total, (id(trainer), now)


def level_policy(level: Level) -> dict[str, str]:
    return {c.value: level.control(c).value for c in level.controls}


def explicit_check(level: Level) -> bool:
    """A level asks for a Check button when its hints or stars count failed checks (a quiz
    counts its own wrong answers instead)."""
    if level.quiz is not None:
        return False
    names = set()
    for g in level.goals:
        names |= g.goal.names()
    for star in (level.two_stars, level.three_stars):
        if star is not None:
            names |= star.names()
    return "failed_checks" in names or any(h.after_failures for h in level.hints)


def crease_pairs(level: Level) -> list[tuple[str, str]]:
    """The marker pairs of the goals' crease_between checks, in order, without repeats."""
    out: list[tuple[str, str]] = []
    for g in level.goals:
        for node in walk(g.goal.tree):
            if isinstance(node, Call) and node.metric.name == "crease_between":
                pair = (node.args[0], node.args[1])
                if pair not in out:
                    out.append(pair)
    return out


def control_for(action: A.Action, status: LevelStatus) -> str | None:
    """The control `action` needs in this level (None: always allowed)."""
    if isinstance(action, A.ToggleView | A.SetView):
        return "laplace" if action.name in (View.LAPLACE.value, "laplace") else "views"
    if isinstance(action, A.SetPlaying) and not action.playing:
        return None  # stopping is always allowed
    control = action.control
    if control is not None and "|" in control:  # any one of them will do
        options = control.split("|")
        control = next((c for c in options if status.shown(c)), options[0])
    return control


def refusal(control: str, status: LevelStatus) -> tuple[str, str]:
    """The message (and its kind) when an action's control is hidden or locked."""
    what = CONTROL_WORDS.get(control, control.replace("_", " "))
    if status.control(control) == LOCKED:
        return f"Locked in this level: {what}.", "warn"
    if control in ("paint", "erase"):
        return "This level brings its own points: painting is off here.", "info"
    return f"Not part of this level: {what}. The free sandbox has everything.", "info"


def crease_pair_status(
    net: MLP, pairs: list[tuple[str, str]], markers: tuple[tuple[str, tuple[float, float]], ...]
) -> list[tuple[str, str, bool]]:
    """Whether a crease separates each pair of markers the goals name."""
    at = dict(markers)
    out = []
    for a, b in pairs:
        p = np.array([at[a]], dtype=np.float64)
        q = np.array([at[b]], dtype=np.float64)
        out.append((a, b, bool(crease_between(net, p, q))))
    return out


def inspector_rows(
    net: MLP, bounds: tuple[float, float, float, float], X: np.ndarray
) -> tuple[tuple[int, int, str], ...] | None:
    """Each hidden neuron of the level's inspector: working, dead, or a copy of another (None
    when the window cannot be measured)."""
    try:
        dead = dead_neurons(net, bounds, X if len(X) else None)
        flags = dead.on_data if dead.on_data is not None else dead.in_window
        copies = copycat_neurons(net, bounds)
    except ValueError:
        return None
    twin = {(layer, j): i for layer, i, j in copies}
    rows = []
    k = 0
    for layer, width in enumerate(net.hidden_sizes, start=1):
        for j in range(width):
            if flags[k]:
                what = "never on: dead"
            elif (layer, j) in twin:
                what = f"copies #{twin[(layer, j)] + 1}"
            else:
                what = "working"
            rows.append((layer, j, what))
            k += 1
    return tuple(rows)
