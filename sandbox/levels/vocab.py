"""The vocabulary shared by level files and the app: control, view, task and marker names.

Level files name controls and views as plain strings; the string enums here make those strings
valid values and give the app one list to implement. A control is one widget group of the
sandbox (a slider, a button row, a panel) and each level sets it "shown", "hidden" or "locked"
(visible but greyed out), the way the TensorFlow Playground's classroom mode hides its controls.
A view is a drawing layer that a level can switch on at the start.
"""

from __future__ import annotations

from enum import Enum, StrEnum


class Control(StrEnum):
    """Every control the app offers; a level sets each one shown, hidden or locked."""

    PAINT = "paint"  # the brush that adds points of the selected class
    ERASE = "erase"  # the brush that removes points
    PRESETS = "presets"  # the dataset generator buttons (circle, xor, spiral, ...)
    NOISE = "noise"  # the dataset noise slider
    SEED = "seed"  # the random seed of data and initial weights
    ADD_LAYER = "add_layer"  # the button adding a hidden layer
    REMOVE_LAYER = "remove_layer"  # the button removing a hidden layer
    NEURONS = "neurons"  # the +/- buttons changing a hidden layer's width
    TASK = "task"  # classification or regression
    OPTIMIZER = "optimizer"  # sgd or adam
    LEARNING_RATE = "learning_rate"
    BATCH_SIZE = "batch_size"
    L2 = "l2"  # weight decay
    PLAY = "play"  # start and pause training
    STEP = "step"  # one training step at a time
    RESET = "reset"  # new initial weights
    LAPLACE = "laplace"  # the switch turning last-layer Laplace on and off
    PRIOR_PRECISION = "prior_precision"  # the Laplace prior precision slider
    OPTIMIZE_PRIOR = "optimize_prior"  # the button maximising the evidence over the prior
    LAYER_SELECTOR = "layer_selector"  # which layer's creases are drawn (1, 2, ..., joint)
    TIMELINE = "timeline"  # the training-run replay slider
    INSPECTOR = "inspector"  # the neuron inspector (dead neurons, copycats, pruning)
    PROBE = "probe"  # the ray probe from the origin towards far away
    NEURON_SLIDERS = "neuron_sliders"  # direct sliders for one neuron's weights and bias
    SPLIT = "split"  # the train/test split slider
    ZOOM = "zoom"  # zooming and panning the plane
    VIEWS = "views"  # the buttons toggling the views


class ControlState(StrEnum):
    SHOWN = "shown"
    HIDDEN = "hidden"
    LOCKED = "locked"  # visible, greyed out: the player sees it exists but cannot change it


class View(StrEnum):
    """Drawing layers a level can switch on at its start."""

    FIELD = "field"  # the output (class colour or regression value) over the plane
    BOUNDARY = "boundary"  # the exact decision boundary
    REGIONS = "regions"  # the linear regions, each in its own pale colour
    CREASES = "creases"  # every neuron's crease as a line
    LAPLACE = "laplace"  # confidence with last-layer Laplace instead of the plain network
    SPLIT = "split"  # network and Laplace confidence side by side
    THREE_D = "3d"  # the folded-paper surface of the output
    PROBE = "probe"  # the ray-probe plot of logits against distance
    INSPECTOR = "inspector"  # the per-neuron inspector panel
    TIMELINE = "timeline"  # the training replay strip


class Task(StrEnum):
    CLASSIFICATION = "classification"
    REGRESSION = "regression"


class MarkerKind(StrEnum):
    STAR = "star"  # a place of interest, often far from the data
    POINT = "point"  # a dot, e.g. one of two points a crease must pass between


class Split(StrEnum):
    TRAIN = "train"
    TEST = "test"


class ConfidenceMode(StrEnum):
    MAP = "map"  # the trained network's own softmax
    LAPLACE = "laplace"  # last-layer Laplace predictive (probit)


def allowed(enum: type[Enum]) -> str:
    """The enum's values as a readable list for error messages."""
    return ", ".join(repr(m.value) for m in enum)  # type: ignore[attr-defined]
