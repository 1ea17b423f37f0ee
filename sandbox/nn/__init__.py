"""The network core: the ReLU MLP, its numba training kernels with numpy twins, and the Trainer.

No pygame or OpenGL here; everything runs and is tested without a display. `warmup()` compiles
(or loads from numba's cache) every training kernel, for the app's loading screen.
"""

from .mlp import MLP, resize_network, softmax, validate_sizes
from .schedule import LrSchedule
from .trainer import (
    Metrics,
    Optimizer,
    Task,
    Trainer,
    TrainerSnapshot,
    TrainerState,
)
from .warmup import warmup

__all__ = [
    "MLP",
    "LrSchedule",
    "Metrics",
    "Optimizer",
    "Task",
    "Trainer",
    "TrainerSnapshot",
    "TrainerState",
    "resize_network",
    "softmax",
    "validate_sizes",
    "warmup",
]
