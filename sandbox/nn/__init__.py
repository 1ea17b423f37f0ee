"""The network core: the ReLU MLP, its numba training kernels with numpy twins, and the Trainer.

No pygame or OpenGL here; everything runs and is tested without a display. `warmup()` compiles
(or loads from numba's cache) every training kernel, for the app's loading screen.

The trainer's names are imported on first use (PEP 562), so a module that needs only the network
(`MLP`, the start menu's background, weight files) does not import numba: the menu opens before
numba has loaded.
"""

from typing import TYPE_CHECKING, Any

from .mlp import MLP, resize_network, softmax, validate_sizes

if TYPE_CHECKING:
    from .schedule import LrSchedule
    from .trainer import (
        Metrics,
        Optimizer,
        Task,
        Trainer,
        TrainerSnapshot,
        TrainerState,
    )
    from .warm_kernels import warmup

# the module each lazily imported name lives in (all of them import numba)
_LAZY = {
    "Metrics": "trainer",
    "Optimizer": "trainer",
    "Task": "trainer",
    "Trainer": "trainer",
    "TrainerSnapshot": "trainer",
    "TrainerState": "trainer",
    "LrSchedule": "schedule",
    "warmup": "warm_kernels",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is not None:
        import importlib

        return getattr(importlib.import_module(f".{module}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
