"""The rules a level puts on the sandbox: which control each action needs, the refusal messages,
the goals measured on the live network, and what a level's goals ask of its screen.

An action class names the level control it belongs to (`Action.control`, sandbox.actions);
`control_for` adds the two rules that depend on the action's content (the views, and stopping
training, which is always allowed) and picks one of several controls ("inspector|neuron_sliders")
that the level shows. `LiveLevel` points the core `LevelSession` at the app's network and
points, so every goal is measured by the same code the headless solvers use.
"""

from __future__ import annotations

from sandbox import actions as A
from sandbox.data import PointSet
from sandbox.levels import Level, LevelSession
from sandbox.levels.goals import Call, walk
from sandbox.nn import MLP
from sandbox.ui.level_panels import CONTROL_WORDS, LOCKED, LevelStatus
from sandbox.vocab import View


class LiveLevel(LevelSession):
    """The level's goal metrics, measured on the app's live network and points.

    The session built the level's starting points and network; the scene hands it the objects
    it trains (`follow`) so every goal is evaluated by the same code the headless solvers use.
    """

    def __init__(self, level: Level) -> None:
        super().__init__(level, enforce_controls=False)
        self._followed: tuple = ()

    def follow(self, net: MLP, points: PointSet, steps: int, version: tuple) -> None:
        """Measure `net` on `points` after `steps` steps; `version` says when they changed."""
        now = (id(net), id(points), steps, version)
        if now != self._followed:
            self._followed = now
            self.net = net
            self.points = points
            self.step_count = int(steps)
            self._changed()


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
