"""The network core: the MLP (nine activations, residual layers), its numba training kernels
with numpy twins, and the Trainer.

No pygame or OpenGL here; everything runs and is tested without a display. `warmup()` compiles
(or loads from numba's cache) every training kernel, for the app's loading screen.
"""

from .mlp import MLP, resize_network, softmax, validate_sizes
from .trainer import (
    Metrics,
    Optimizer,
    Task,
    Trainer,
    TrainerSnapshot,
    TrainerState,
    warmup,
)

__all__ = [
    "MLP",
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
