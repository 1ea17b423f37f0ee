"""The network core: the ReLU MLP, its numba training kernels with numpy twins, and the Trainer.

No pygame or OpenGL here; everything runs and is tested without a display.
"""

from .mlp import MLP, softmax, validate_sizes

__all__ = ["MLP", "softmax", "validate_sizes"]
