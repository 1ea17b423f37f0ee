"""Actions of the start menu and the guided levels, beside the sandbox's own (sandbox.actions).

Like every action these are small immutable messages: the menu and level panels emit them, and
the active scene applies them as the only writer of the state. Switching screens is an action
too (open a level, the free sandbox, the menu), so a test can drive the whole game by handing
actions to scenes.
"""

from __future__ import annotations

from dataclasses import dataclass

from sandbox.actions import Action, Phase


# ----------------------------------------------------------------------------- screens
@dataclass(frozen=True, slots=True)
class OpenLevel(Action):
    """Play the level with this id (the level file's name without .toml)."""

    level_id: str


@dataclass(frozen=True, slots=True)
class OpenLevelFile(Action):
    """Play a level file from anywhere (a .toml dropped on the window); a broken one is a
    message with the loader's words."""

    path: str


@dataclass(frozen=True, slots=True)
class ContinueGame(Action):
    """Open the level "Continue" points at: the next unfinished one."""


@dataclass(frozen=True, slots=True)
class OpenSandbox(Action):
    """The free sandbox, every control unlocked."""


@dataclass(frozen=True, slots=True)
class OpenMenu(Action):
    """Back to the start menu."""


@dataclass(frozen=True, slots=True)
class NextLevel(Action):
    """From a finished level to the one after it (the menu when it was the last)."""


@dataclass(frozen=True, slots=True)
class RestartLevel(Action):
    """Start the current level again from its first state (story skipped)."""


# ----------------------------------------------------------------------------- save as level
@dataclass(frozen=True, slots=True)
class SaveAsLevel(Action):
    """Open the Save-level card: the sandbox as it is now, written as a level file."""

    looks = True


@dataclass(frozen=True, slots=True)
class SetLevelChoice(Action):
    """One of the Save-level card's picks changed (a field of sandbox.levels.writer's
    LevelChoices, or "goal" for the goal picker)."""

    looks = True

    field: str
    value: str


@dataclass(frozen=True, slots=True)
class WriteLevel(Action):
    """Write the level file the Save-level card describes into the Level files folder."""

    looks = True


@dataclass(frozen=True, slots=True)
class CloseLevelWriter(Action):
    """Close the Save-level card without writing."""

    looks = True


# ----------------------------------------------------------------------------- menu settings
@dataclass(frozen=True, slots=True)
class OpenExperiment(Action):
    """Open one of the seeds' experiments (sandbox.experiments), from its start."""

    experiment_id: str


@dataclass(frozen=True, slots=True)
class ShowPage(Action):
    """The start menu's page: "levels" or "experiments"."""

    page: str


@dataclass(frozen=True, slots=True)
class ShowChapter(Action):
    """The start menu's chapter whose levels are shown (its title)."""

    title: str


@dataclass(frozen=True, slots=True)
class ShowSettings(Action):
    """Open (True) or close (False) the settings card."""

    on: bool


@dataclass(frozen=True, slots=True)
class SetUnlockAll(Action):
    """Open every level (for workshop presenters) or go back to opening them in order."""

    on: bool


# ----------------------------------------------------------------------------- level cards
@dataclass(frozen=True, slots=True)
class StoryPage(Action):
    """Turn the story card by `step` pages (+1 next, -1 back); past the last page it closes."""

    step: int


@dataclass(frozen=True, slots=True)
class ShowStory(Action):
    """Open the story card again at its first page."""


@dataclass(frozen=True, slots=True)
class CloseCard(Action):
    """Close the story or success card and keep playing."""


@dataclass(frozen=True, slots=True)
class CheckGoals(Action):
    """The level's Check button: win if the goals hold, else one more failed check."""


@dataclass(frozen=True, slots=True)
class AnswerQuiz(Action):
    """Pick quiz choice `choice` (0-based)."""

    choice: int


# ----------------------------------------------------------------------------- level controls
@dataclass(frozen=True, slots=True)
class SetNeuronParam(Action):
    """Set one of a first-layer neuron's a, b, c in max(a x + b y + c, 0) (the neuron sliders)."""

    control = "neuron_sliders"

    neuron: int
    param: str  # "a", "b" or "c"
    value: float


@dataclass(frozen=True, slots=True)
class SelectNeuron(Action):
    """Which first-layer neuron the neuron sliders edit (0-based)."""

    control = "neuron_sliders"

    neuron: int


@dataclass(frozen=True, slots=True)
class PruneNeuron(Action):
    """Remove a hidden neuron (layer 1-based, neuron 0-based); a copycat folds into its twin."""

    control = "inspector"

    layer: int
    neuron: int


@dataclass(frozen=True, slots=True)
class SetLaplace(Action):
    """The level's Laplace switch: confidence with last-layer Laplace on or off."""

    control = "laplace"

    on: bool


@dataclass(frozen=True, slots=True)
class SetNetworkSeed(Action):
    """Fresh starting weights from this seed (the level's seed control)."""

    control = "seed"

    seed: int


@dataclass(frozen=True, slots=True)
class DragMarker(Action):
    """Drag a movable marker with the mouse: screen position and gesture phase."""

    name: str
    pos: tuple[float, float]
    phase: Phase = Phase.MOVE


# ----------------------------------------------------------------------------- level trials
@dataclass(frozen=True, slots=True)
class Predict(Action):
    """Pick prediction `choice` (0-based) of the level's [predict] table, before training."""

    choice: int


@dataclass(frozen=True, slots=True)
class RunRace(Action):
    """The "Let training try" button: train the level's starting weights for the race's steps."""


@dataclass(frozen=True, slots=True)
class RunSeeds(Action):
    """Train the level's task from each seed of its [seeds] table, one after another."""


@dataclass(frozen=True, slots=True)
class ShowSeed(Action):
    """Put run `index` (0-based) of the seeds' table on the plane."""

    index: int


@dataclass(frozen=True, slots=True)
class ShowRace(Action):
    """Put training's try on the plane (True) or the player's own network back (False)."""

    on: bool
