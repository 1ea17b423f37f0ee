"""Actions of the stage views (the menu's "look closer"): the 3D folded paper, the ray probe, the
network inspector and the training timeline.

Like sandbox.actions, these are small immutable messages; sandbox.ui.stage_input and
sandbox.ui.stage_panels make them from events and widgets, and the sandbox scene routes each to
its controller (sandbox.scenes.view3d, probe, inspector, timeline). Positions are window pixels
(origin top left); the controllers convert them with the 2D camera or the 3D orbit camera.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sandbox.actions import Action, Phase


# ----------------------------------------------------------------------------- 3D view
@dataclass(frozen=True, slots=True)
class Orbit3D(Action):
    """Turn the 3D view by a drag of (dx, dy) pixels."""

    looks = True

    dx: float
    dy: float


@dataclass(frozen=True, slots=True)
class Zoom3D(Action):
    """Move the 3D camera closer (factor > 1) or away."""

    looks = True

    factor: float


@dataclass(frozen=True, slots=True)
class Reset3D(Action):
    """Back to the default 3D angle and distance."""

    looks = True


class Switch3D(StrEnum):
    """The on/off choices of the 3D view."""

    ONLY_3D = "only_3d"  # the 3D view alone on the stage, or beside the 2D view
    PROBABILITY = "probability"  # height: the probability, not the logits (classification)
    SINGLE_NEURON = "single_neuron"  # the surface: the selected hidden neuron's activation


@dataclass(frozen=True, slots=True)
class Toggle3D(Action):
    """Turn one of the 3D view's switches over."""

    looks = True

    switch: Switch3D


@dataclass(frozen=True, slots=True)
class Hover3D(Action):
    """The mouse is over the 3D view at a window position (None: it left)."""

    looks = True

    pos: tuple[float, float] | None


# ----------------------------------------------------------------------------- ray probe
@dataclass(frozen=True, slots=True)
class ProbeDrag(Action):
    """Drag on the plane: `what` is "new" (a new ray from the press point), "origin" (move the
    ray's start) or "direction" (turn it)."""

    control = "probe"
    looks = True

    what: str
    pos: tuple[float, float]
    phase: Phase = Phase.MOVE


@dataclass(frozen=True, slots=True)
class ProbeReach(Action):
    """Make the probed radius longer (factor > 1) or shorter."""

    control = "probe"
    looks = True

    factor: float


@dataclass(frozen=True, slots=True)
class SetProbeRays(Action):
    """One ray, or this many evenly spaced rays from the same origin."""

    control = "probe"
    looks = True

    n: int


@dataclass(frozen=True, slots=True)
class ResetProbe(Action):
    """The default probe: from the data's centre, three data radii long."""

    control = "probe"
    looks = True


# ----------------------------------------------------------------------------- inspector
@dataclass(frozen=True, slots=True)
class InspectorPointer(Action):
    """The mouse is over the network diagram at a window position (None: it left); `click`
    selects the neuron there (or clears the selection on empty space)."""

    looks = True

    pos: tuple[float, float] | None
    click: bool = False


@dataclass(frozen=True, slots=True)
class PickNeuron(Action):
    """Select hidden neuron `index` (0-based) of hidden layer `layer` (1-based); layer 0 clears."""

    control = "inspector|neuron_sliders"
    looks = True

    layer: int
    index: int = 0


@dataclass(frozen=True, slots=True)
class CreaseDrag(Action):
    """Drag the selected first-layer neuron's crease: `mode` "move" or "rotate"."""

    control = "neuron_sliders"
    edit = True

    mode: str
    pos: tuple[float, float]
    phase: Phase = Phase.MOVE


@dataclass(frozen=True, slots=True)
class CreaseHover(Action):
    """The pointer is (or no longer is) where a press would grab the selected crease: `mode`
    "move" (on the crease), "rotate" (on its round handle) or None."""

    looks = True

    mode: str | None


@dataclass(frozen=True, slots=True)
class CreaseMissed(Action):
    """A press on the plane, away from the selected neuron's crease: nothing is painted."""

    looks = True

    pos: tuple[float, float]


@dataclass(frozen=True, slots=True)
class EditNeuron(Action):
    """Set one of the selected first-layer neuron's a, b (weights) or c (bias)."""

    control = "neuron_sliders"
    edit = True

    which: str
    value: float


# ----------------------------------------------------------------------------- timeline
@dataclass(frozen=True, slots=True)
class Scrub(Action):
    """Show the snapshot at `fraction` of the timeline (0 first, 1 newest)."""

    control = "timeline"
    looks = True

    fraction: float


@dataclass(frozen=True, slots=True)
class ScrubBy(Action):
    """Step through the snapshots: -1 one back, +1 one forward."""

    control = "timeline"
    looks = True

    delta: int


@dataclass(frozen=True, slots=True)
class ScrubToStep(Action):
    """Show the snapshot nearest a training step (a click on the loss chart)."""

    control = "timeline"
    looks = True

    step: float


@dataclass(frozen=True, slots=True)
class BackToNow(Action):
    """Stop looking at the past: the live weights again."""

    control = "timeline"
    looks = True


@dataclass(frozen=True, slots=True)
class ResumeHere(Action):
    """Continue training from the snapshot shown (later snapshots are dropped)."""

    control = "timeline"
    looks = True


@dataclass(frozen=True, slots=True)
class ToggleReplay(Action):
    """Play the training again from the snapshot shown (or the start), or stop."""

    control = "timeline"
    looks = True


@dataclass(frozen=True, slots=True)
class SetReplaySpeed(Action):
    """Training steps per second of the replay."""

    control = "timeline"
    looks = True

    steps_per_second: float
