"""Actions: the small, immutable messages that every input turns into before anything changes.

Mouse and keyboard events that pygame-gui did not use, and pygame-gui's own widget events, are
translated into these dataclasses (by sandbox.ui); the active scene applies them to the state, as
the only writer. Screen positions are window pixels with the origin at the top left; the scene
converts them to plane coordinates with its camera. Keeping input as plain data makes scripted
tests and replays trivial: a test builds a list of actions and hands them to the scene.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import ClassVar


class Phase(StrEnum):
    """Where a drag gesture (a paint stroke, an erase stroke) is."""

    BEGIN = "begin"
    MOVE = "move"
    END = "end"


@dataclass(frozen=True, slots=True)
class Action:
    """Base class of every action (so handlers can type-check their input).

    Each action class says what it is with class attributes:
    - `control`: the level control that must be shown for it to apply (None: always allowed);
      "a|b" means any one of them (sandbox.scenes.level_rules refuses the others);
    - `looks`: it only looks (view, camera, settings of the brush): fine while the timeline shows
      a past snapshot; anything else brings the live weights back first;
    - `edit`: it edits the weights by hand, which is refused while the past is shown.
    """

    control: ClassVar[str | None] = None
    looks: ClassVar[bool] = False
    edit: ClassVar[bool] = False


# ----------------------------------------------------------------------------- data and brush
@dataclass(frozen=True, slots=True)
class Paint(Action):
    """Add points of the selected class with the brush at a screen position."""

    control = "paint"

    pos: tuple[float, float]
    phase: Phase = Phase.MOVE


@dataclass(frozen=True, slots=True)
class Erase(Action):
    """Remove the points under the brush at a screen position."""

    control = "erase"

    pos: tuple[float, float]
    phase: Phase = Phase.MOVE


@dataclass(frozen=True, slots=True)
class SelectClass(Action):
    """Choose the class painted next (0-based; keys 1-6 give 0-5)."""

    control = "paint"
    looks = True

    label: int


@dataclass(frozen=True, slots=True)
class SetBrushSize(Action):
    """Brush radius in screen pixels."""

    control = "paint"
    looks = True

    radius_px: float


@dataclass(frozen=True, slots=True)
class SetBrushDensity(Action):
    """Points added per brush dab."""

    control = "paint"
    looks = True

    density: int


@dataclass(frozen=True, slots=True)
class SetPaintValue(Action):
    """The target value painted in picture (regression) mode, in [0, 1]."""

    control = "paint"
    looks = True

    value: float


@dataclass(frozen=True, slots=True)
class Undo(Action):
    """Undo the last paint or erase stroke, clear or preset."""


@dataclass(frozen=True, slots=True)
class Redo(Action):
    """Redo what Undo took back."""


@dataclass(frozen=True, slots=True)
class ClearPoints(Action):
    """Remove every point (undoable)."""

    control = "paint"


@dataclass(frozen=True, slots=True)
class LoadPreset(Action):
    """Replace the points by a dataset generator's output (undoable)."""

    control = "presets"

    name: str


@dataclass(frozen=True, slots=True)
class SetResolution(Action):
    """A picture's training resolution (its longest side in pixels); reloads a picture."""

    control = "presets"

    resolution: int


@dataclass(frozen=True, slots=True)
class SetNoise(Action):
    """Noise of the preset generator; regenerates the current preset."""

    control = "noise"

    noise: float


@dataclass(frozen=True, slots=True)
class NewDataSeed(Action):
    """Draw the current preset again with a fresh seed."""

    control = "presets"


@dataclass(frozen=True, slots=True)
class SetTestFraction(Action):
    """Fraction of points held out as test points (drawn hollow)."""

    control = "split"

    fraction: float


# ----------------------------------------------------------------------------- view
@dataclass(frozen=True, slots=True)
class Pan(Action):
    """Move the view by a drag of (dx, dy) screen pixels."""

    control = "zoom"
    looks = True

    dx: float
    dy: float


@dataclass(frozen=True, slots=True)
class ZoomAt(Action):
    """Zoom by `factor` (> 1 zooms in) keeping the plane point under `pos` fixed."""

    control = "zoom"
    looks = True

    pos: tuple[float, float]
    factor: float


@dataclass(frozen=True, slots=True)
class ZoomOutFar(Action):
    """Jump far out (where the overconfidence lesson happens), or back if already out."""

    control = "zoom"
    looks = True


@dataclass(frozen=True, slots=True)
class ResetView(Action):
    """Back to the default view of the data."""

    control = "zoom"
    looks = True


@dataclass(frozen=True, slots=True)
class Hover(Action):
    """The mouse is over the plane at a screen position (None: it left the plane)."""

    looks = True

    pos: tuple[float, float] | None


@dataclass(frozen=True, slots=True)
class Nudge(Action):
    """Ctrl + drag on the plane: show the nearest boundary point and the smallest move that
    flips the class from the cursor (a drag that starts on a point follows that point)."""

    looks = True

    pos: tuple[float, float]
    phase: Phase = Phase.MOVE


@dataclass(frozen=True, slots=True)
class SetChart(Action):
    """What the readout strip's chart shows: "loss", "regions" (statistics over training) or
    "margins" (the histogram of the points' margins)."""

    looks = True

    name: str


@dataclass(frozen=True, slots=True)
class ExportStats(Action):
    """Write the region statistics by training step and the points' margins as CSV files."""

    looks = True


@dataclass(frozen=True, slots=True)
class ToggleView(Action):
    """Switch one view layer on or off (field, boundary, regions, creases, laplace, split)."""

    looks = True

    name: str


@dataclass(frozen=True, slots=True)
class SetView(Action):
    """Switch one view layer on or off explicitly."""

    looks = True

    name: str
    on: bool


@dataclass(frozen=True, slots=True)
class ToggleDiscretise(Action):
    """Field drawn with hard class colours instead of confidence shading."""

    control = "views"
    looks = True


@dataclass(frozen=True, slots=True)
class TogglePoints(Action):
    """The training points drawn as dots, or hidden (a picture's pixels are its points)."""

    control = "views"
    looks = True


@dataclass(frozen=True, slots=True)
class SetLayerView(Action):
    """Which partition the regions view shows: 1..L (layers <= l) or 0 for the joint one."""

    control = "layer_selector"
    looks = True

    layer: int


@dataclass(frozen=True, slots=True)
class CycleLayerView(Action):
    """Step the layer selector forwards (+1) or backwards (-1), wrapping through "Joint"."""

    control = "layer_selector"
    looks = True

    step: int


# ----------------------------------------------------------------------------- network
@dataclass(frozen=True, slots=True)
class AddLayer(Action):
    """Append a hidden layer (as wide as the last one)."""

    control = "add_layer"


@dataclass(frozen=True, slots=True)
class RemoveLayer(Action):
    """Drop the last hidden layer (at least one stays)."""

    control = "remove_layer"


@dataclass(frozen=True, slots=True)
class SetWidth(Action):
    """Set the number of neurons of hidden layer `layer` (0-based)."""

    control = "neurons"

    layer: int
    width: int


@dataclass(frozen=True, slots=True)
class SetTask(Action):
    """classification or regression (picture fitting)."""

    control = "task"

    task: str


@dataclass(frozen=True, slots=True)
class SetActivation(Action):
    """The hidden activation (a name of sandbox.vocab.Activation); the weights are kept."""

    control = "activation"

    name: str


@dataclass(frozen=True, slots=True)
class SetNegativeSlope(Action):
    """Leaky ReLU's slope below zero, 0 to 1."""

    control = "activation"

    slope: float


@dataclass(frozen=True, slots=True)
class SetResidual(Action):
    """Residual hidden layers on or off; the weights are kept."""

    control = "activation"

    on: bool


@dataclass(frozen=True, slots=True)
class SetOptimizer(Action):
    """adam or sgd."""

    control = "optimizer"
    looks = True

    name: str


@dataclass(frozen=True, slots=True)
class SetLearningRate(Action):
    control = "learning_rate"
    looks = True

    learning_rate: float


@dataclass(frozen=True, slots=True)
class SetSchedule(Action):
    """The learning-rate schedule (constant, cosine, step) and its steps (None: keep them)."""

    control = "learning_rate"
    looks = True

    schedule: str
    steps: int | None = None


@dataclass(frozen=True, slots=True)
class SetBatchSize(Action):
    control = "batch_size"
    looks = True

    batch_size: int


@dataclass(frozen=True, slots=True)
class SetL2(Action):
    control = "l2"
    looks = True

    l2: float


@dataclass(frozen=True, slots=True)
class TogglePlay(Action):
    """Start or pause training."""

    control = "play"


@dataclass(frozen=True, slots=True)
class SetPlaying(Action):
    looks = True

    playing: bool


@dataclass(frozen=True, slots=True)
class StepOnce(Action):
    """One training step (pauses first)."""

    control = "step"


@dataclass(frozen=True, slots=True)
class ResetNetwork(Action):
    """Fresh weights; with seed None the next seed is used."""

    control = "reset"

    seed: int | None = None


@dataclass(frozen=True, slots=True)
class SetSpeed(Action):
    """Index into state.SPEEDS: steps per frame, the last entry is flat out."""

    control = "play"
    looks = True

    level: int


@dataclass(frozen=True, slots=True)
class ChangeSpeed(Action):
    """Faster (+1) or slower (-1)."""

    control = "play"
    looks = True

    step: int


# ----------------------------------------------------------------------------- confidence
@dataclass(frozen=True, slots=True)
class SetPriorPrecision(Action):
    control = "prior_precision"
    looks = True

    value: float


@dataclass(frozen=True, slots=True)
class OptimizePrior(Action):
    """Set the Laplace prior precision to the evidence maximiser."""

    control = "optimize_prior"
    looks = True


# ----------------------------------------------------------------------------- application
@dataclass(frozen=True, slots=True)
class SetUiScale(Action):
    looks = True

    scale: float


@dataclass(frozen=True, slots=True)
class Screenshot(Action):
    """Save the window as a PNG (path None: a time-stamped name in the app's files folder)."""

    looks = True

    path: str | None = None


@dataclass(frozen=True, slots=True)
class ScreenshotSaved(Action):
    """The app wrote (or failed to write) the requested screenshot."""

    looks = True

    path: str
    message: str
    ok: bool = True


@dataclass(frozen=True, slots=True)
class ToggleHelp(Action):
    """Show or hide the help card at `page`: "keys" (every key, H) or "guide" (what am I
    looking at, W). Asked for the page already open, it closes the card; for the other page,
    it turns to that page."""

    looks = True

    page: str = "keys"


@dataclass(frozen=True, slots=True)
class ToggleUi(Action):
    """Hide or show the panels (the plane then fills the window)."""

    looks = True


@dataclass(frozen=True, slots=True)
class Resize(Action):
    looks = True

    width: int
    height: int


@dataclass(frozen=True, slots=True)
class Quit(Action):
    looks = True


# ----------------------------------------------------------------------------- workshop
@dataclass(frozen=True, slots=True)
class SaveScene(Action):
    """Save the whole sandbox as a .origami scene file (path None: ask with a file dialog)."""

    path: str | None = None


@dataclass(frozen=True, slots=True)
class OpenScene(Action):
    """Replace the sandbox by a scene file, once it is fully read (path None: ask)."""

    control = "files"

    path: str | None = None


@dataclass(frozen=True, slots=True)
class ExportWeights(Action):
    """Write the network's weights as .npz, W of shape (out, in) (path None: ask)."""

    path: str | None = None


@dataclass(frozen=True, slots=True)
class ExportTorch(Action):
    """Save the network for PyTorch as a .pt file (path None: ask)."""

    path: str | None = None


@dataclass(frozen=True, slots=True)
class ImportWeights(Action):
    """Adopt a network from .npz or a PyTorch .pt/.pth file, keeping the points (path None: ask)."""

    control = "files"

    path: str | None = None


@dataclass(frozen=True, slots=True)
class OpenPicture(Action):
    """Learn a picture from an image file (PNG, JPEG, BMP, GIF, WebP, ...; path None: ask). A
    bad file is refused with a message and nothing changes."""

    control = "files"

    path: str | None = None


@dataclass(frozen=True, slots=True)
class ImportPoints(Action):
    """Replace the points by those of a CSV file (x, y, label, split), as one undo step; a bad
    file is refused with a message naming the line and nothing changes (path None: ask)."""

    control = "files"

    path: str | None = None


@dataclass(frozen=True, slots=True)
class ExportPoints(Action):
    """Write the points as CSV: x, y, label, split (path None: ask)."""

    looks = True

    path: str | None = None


@dataclass(frozen=True, slots=True)
class ExportFigure(Action):
    """Write the plane as shown as an SVG vector figure (path None: ask)."""

    looks = True

    path: str | None = None


@dataclass(frozen=True, slots=True)
class CloseDialog(Action):
    """The file dialog was closed without picking a file; `folder` is where it was looking
    (the next dialog starts there)."""

    folder: str | None = None

    looks = True


@dataclass(frozen=True, slots=True)
class ToggleRecording(Action):
    """Start recording the plane (GIF, plus MP4 where available) or stop and save it.

    path None: a time-stamped name in the app's files folder (sandbox.io.files).
    """

    looks = True

    path: str | None = None


@dataclass(frozen=True, slots=True)
class TogglePresenter(Action):
    """Presenter mode: full screen, large high-contrast UI, cursor halo, big readouts."""

    looks = True


@dataclass(frozen=True, slots=True)
class ToggleShortcuts(Action):
    """Show or hide every key in big type ("?")."""

    looks = True
