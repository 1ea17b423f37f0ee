"""The shared vocabulary: every word and every limit the app, its files and its command line use.

Each name is defined here once and imported everywhere else: the task (classification or
regression), the views (drawing layers), the optimizers, and the ranges every setting may take.
They are string enums (`class Task(StrEnum)`), so the plain strings of level files, scene files
and the command line are valid values as they are (`Task("regression")`, `Optimizer.ADAM ==
"adam"`).
The settings table (`sandbox.settings`) describes each user setting with these words.

Several quantities have two ranges on purpose, and both are named here: the span a slider covers
(`LR_SLIDER_RANGE`) is narrower than what a person may type on the command line or write in a
level file (`LR_RANGE`), and scripts may go further still to show divergence (`LR_MAX`). File
formats (scene files) accept at least everything the app can set, so what it saves it can load;
a test checks that. Standard library only: the core imports this module.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum, StrEnum

# ----------------------------------------------------------------------------- words


class Task(StrEnum):
    """What the network learns: class ids (softmax) or one number per point (squared error)."""

    CLASSIFICATION = "classification"
    REGRESSION = "regression"


class Optimizer(StrEnum):
    """How the trainer updates the weights (the semantics of torch.optim.SGD and Adam)."""

    SGD = "sgd"  # stochastic gradient descent with momentum
    ADAM = "adam"


class Activation(StrEnum):
    """The hidden units' nonlinearity, the same in every hidden layer.

    The first five are piecewise linear, so the network stays affine on exact linear regions
    (creases, regions, facets and probes are exact); the last four are smooth and bend the plane
    without creases (the app samples their field, boundary and surface instead).
    """

    RELU = "relu"
    LEAKY_RELU = "leaky_relu"  # slope NEGATIVE_SLOPE below 0 instead of 0
    ABS = "abs"  # |z|: a V-shaped fold
    HARDTANH = "hardtanh"  # clip(z, -1, 1): two kinks (creases) per neuron
    LINEAR = "linear"  # no activation: the whole network is one affine map
    TANH = "tanh"
    SIGMOID = "sigmoid"
    GELU = "gelu"  # z * Phi(z), the exact (erf) form, as torch.nn.GELU()
    SIN = "sin"

    @property
    def piecewise_linear(self) -> bool:
        """True when the network is exactly affine on linear regions (creases exist)."""
        return self in PIECEWISE_LINEAR


PIECEWISE_LINEAR = frozenset(
    {Activation.RELU, Activation.LEAKY_RELU, Activation.ABS, Activation.HARDTANH, Activation.LINEAR}
)


class Schedule(StrEnum):
    """How the learning rate changes during a run (sandbox.nn.schedule has the formulas)."""

    CONSTANT = "constant"  # the same rate at every step
    COSINE = "cosine"  # cosine annealing to zero over the schedule's steps (as GINN trained)
    STEP = "step"  # step decay: the rate times a factor every so many steps


class View(StrEnum):
    """Drawing layers; each can be toggled by a key, combined with the others, and switched on
    by a level file or the command line."""

    FIELD = "field"  # the output (class colour or regression value) over the plane
    BOUNDARY = "boundary"  # the exact decision boundary
    REGIONS = "regions"  # the linear regions, each in its own pale colour
    CREASES = "creases"  # every neuron's crease as a line
    LAPLACE = "laplace"  # confidence with last-layer Laplace instead of the plain network
    SPLIT = "split"  # network and Laplace confidence side by side
    ERROR = "error"  # pictures: |target - output|, bright where the network struggles
    MARGINS = "margins"  # points coloured by their exact distance to the decision boundary
    # the stage views (beside or over the 2D plane)
    THREE_D = "3d"  # the folded-paper surface of the output
    PROBE = "probe"  # the ray-probe plot of logits against distance
    INSPECTOR = "inspector"  # the per-neuron inspector panel
    TIMELINE = "timeline"  # the training replay strip


# Views that the level files and the command line may name but this version does not draw yet.
PLANNED_VIEWS: tuple[str, ...] = ()

DEFAULT_VIEWS = frozenset({View.FIELD, View.CREASES, View.BOUNDARY})

VIEW_KEYS = {
    View.FIELD: "F",
    View.BOUNDARY: "B",
    View.REGIONS: "G",
    View.CREASES: "C",
    View.LAPLACE: "L",
    View.SPLIT: "X",
    View.ERROR: "E",
    View.MARGINS: "M",
    View.THREE_D: "V",
    View.PROBE: "P",
    View.INSPECTOR: "I",
    View.TIMELINE: "T",
}

VIEW_LABELS = {
    View.FIELD: "Output field",
    View.BOUNDARY: "Decision boundary",
    View.REGIONS: "Linear regions",
    View.CREASES: "Creases",
    View.LAPLACE: "Laplace confidence",
    View.SPLIT: "Split: MAP | Laplace",
    View.ERROR: "Error |target - output|",
    View.MARGINS: "Margins",
    View.THREE_D: "3D folded paper",
    View.PROBE: "Ray probe",
    View.INSPECTOR: "Network inspector",
    View.TIMELINE: "Training timeline",
}


class Control(StrEnum):
    """Every control the app offers. A control is one widget group of the sandbox (a slider, a
    button row, a panel); each level sets it "shown", "hidden" or "locked" (visible but greyed
    out), the way the TensorFlow Playground's classroom mode hides its controls."""

    PAINT = "paint"  # the brush that adds points of the selected class
    ERASE = "erase"  # the brush that removes points
    PRESETS = "presets"  # the dataset generator buttons (circle, xor, spiral, ...)
    NOISE = "noise"  # the dataset noise slider
    SEED = "seed"  # the random seed of data and initial weights
    ADD_LAYER = "add_layer"  # the button adding a hidden layer
    REMOVE_LAYER = "remove_layer"  # the button removing a hidden layer
    NEURONS = "neurons"  # the +/- buttons changing a hidden layer's width
    ACTIVATION = "activation"  # the activation menu, its leaky slope and the residual switch
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


def allowed(enum: type[Enum]) -> str:
    """The enum's values as a readable list for error messages: 'a', 'b'."""
    return ", ".join(repr(m.value) for m in enum)


def parse_views(names: Iterable[str]) -> frozenset[View]:
    """Validate view names (from the command line or a level) and return them as a set.

    Raises ValueError naming the unknown view and listing the allowed ones.
    """
    choices = ", ".join(v.value for v in View)
    out = set()
    for raw in names:
        name = raw.strip().lower()
        if not name:
            continue
        if name in PLANNED_VIEWS:
            raise ValueError(f"view {name!r} is not available in this version; allowed: {choices}")
        try:
            out.add(View(name))
        except ValueError:
            raise ValueError(f"unknown view {name!r}; allowed: {choices}") from None
    return frozenset(out)


# ----------------------------------------------------------------------------- limits
# The network's shape (any network: the command line, level files, imported weights).
MIN_HIDDEN_LAYERS, MAX_HIDDEN_LAYERS = 1, 8
MIN_WIDTH, MAX_WIDTH = 1, 256
MAX_SINGLE_WIDTH = 1000  # a network with one hidden layer may be this wide (the blog's 500)
PER_PIXEL_MAX_WIDTH = 64  # wider networks over the partition budget get a sampled field
MAX_WIDTH_UI = 64  # the sandbox's width sliders stop here (wider networks come from files)
MAX_CLASSES = 6  # the class palette's size


def max_width(n_hidden: int) -> int:
    """The widest hidden layer allowed in a network of n_hidden hidden layers: one layer may
    have up to MAX_SINGLE_WIDTH neurons, deeper networks up to MAX_WIDTH per layer."""
    return MAX_SINGLE_WIDTH if n_hidden == 1 else MAX_WIDTH


# Points: the painted set's cap (also the command line's and scene files'); level files are
# typed by hand and stay smaller.
MAX_POINTS = 20_000
MAX_LEVEL_POINTS = 5000
NOISE_RANGE = (0.0, 0.5)
# A picture trains on every pixel of it shrunk to this many pixels along its longest side.
TRAIN_SIDES = (16, 32, 64, 128)
DEFAULT_TRAIN_SIDE = 64  # dataset noise (the generators' own unit)
TEST_FRACTION_UI_MAX = 0.5  # the sandbox's train/test slider
TEST_FRACTION_LEVEL_MAX = 0.9  # a level may hold out more (to show overfitting)

# Training. The learning-rate slider spans LR_SLIDER_RANGE on a log scale; the command line and
# level files accept LR_RANGE; scripted actions may go up to LR_MAX (to show divergence).
LR_SLIDER_RANGE = (1e-4, 1.0)
LR_RANGE = (1e-6, 10.0)
LR_MAX = 1e6
DEFAULT_LR = 0.01
BATCH_SIZES = (8, 16, 32, 64, 128, 256, 512, 1024)  # the batch-size slider's stops
BATCH_SIZE_RANGE = (1, 100_000)  # what the command line and level files accept
DEFAULT_BATCH_SIZE = 64
MAX_BATCH_SIZE = 1 << 20  # the trainer's cap; levels without a batch size train full batch
L2_RANGE = (0.0, 0.1)  # the weight-decay slider
L2_MAX = 10.0  # what levels and scripts may set
DEFAULT_MOMENTUM = 0.9
# Leaky ReLU's slope below zero (0 is plain ReLU, 1 is linear); PyTorch's default is 0.01.
NEGATIVE_SLOPE_RANGE = (0.0, 1.0)
DEFAULT_NEGATIVE_SLOPE = 0.01
# Learning-rate schedules: the cosine's length, or step decay's interval, and its factor.
DEFAULT_SCHEDULE_STEPS = 10_000
SCHEDULE_STEPS_RANGE = (1, 10_000_000)
SCHEDULE_STEP_STOPS = (100, 300, 1000, 3000, 10_000, 30_000, 100_000, 300_000, 1_000_000)
DEFAULT_SCHEDULE_GAMMA = 0.5
SCHEDULE_GAMMA_RANGE = (0.01, 1.0)
MAX_SEED = 2**31 - 1
# steps trained before a screenshot or over a movie (a few minutes of flat-out training)
MAX_TRAIN_STEPS = 10_000_000
# Steps per frame; 0 means "flat out": as many steps as fit the frame's training budget.
SPEEDS = (1, 2, 5, 10, 25, 50, 100, 250, 0)
DEFAULT_SPEED = 4

# Bayes: the prior-precision slider (log); the evidence optimiser may go further (clipped).
PRIOR_RANGE = (1e-4, 1e4)

# The view. The default view shows the datasets' domain [-6, 6]^2 with a margin; zoom is
# relative to it.
DEFAULT_HALF_EXTENT = 7.0
ZOOM_RANGE = (0.01, 1000.0)
DEFAULT_ZOOM = 0.9  # the sandbox's first view: the domain with a margin
FAR_ZOOM = 0.02

# The window and the brush.
UI_SCALE_RANGE = (1.0, 2.0)
UI_SCALES = (1.0, 1.25, 1.5, 1.75, 2.0)  # the UI scale menu's choices
WINDOW_SIDE_RANGE = (64, 8192)
BRUSH_RADIUS_RANGE = (4.0, 120.0)
BRUSH_DENSITY_RANGE = (1, 20)
