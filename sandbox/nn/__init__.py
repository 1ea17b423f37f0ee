"""The network core: the MLP (nine activations, residual layers), its numba training kernels
with numpy twins, and the Trainer.

No pygame or OpenGL here; everything runs and is tested without a display. `warmup()` compiles
(or loads from numba's cache) every training kernel, for the app's loading screen.

The trainer's names are imported on first use (PEP 562), so a module that needs only the network
(`MLP`, the start menu's background, weight files) does not import numba: the menu opens before
numba has loaded.
"""

from typing import TYPE_CHECKING, Any

from .mlp import MLP, resize_network, softmax, validate_sizes

if TYPE_CHECKING:
    from .trainer import (
        Metrics,
        Optimizer,
        Task,
        Trainer,
        TrainerSnapshot,
        TrainerState,
        warmup,
    )

_FROM_TRAINER = (
    "Metrics",
    "Optimizer",
    "Task",
    "Trainer",
    "TrainerSnapshot",
    "TrainerState",
    "warmup",
)


def __getattr__(name: str) -> Any:
    if name in _FROM_TRAINER:
        from . import trainer

        return getattr(trainer, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
