"""Files in and out: network weights (.npz and PyTorch), with atomic writes.

No pygame or OpenGL here; PyTorch is imported only when a .pt/.pth file is loaded.
"""

from .atomic import atomic_write_bytes
from .weights import (
    FORMAT_VERSION,
    build_network,
    load_network,
    load_torch,
    load_weights,
    mlp_from_sequential,
    mlp_from_state_dict,
    save_weights,
    weights_from_bytes,
    weights_to_bytes,
)

__all__ = [
    "FORMAT_VERSION",
    "atomic_write_bytes",
    "build_network",
    "load_network",
    "load_torch",
    "load_weights",
    "mlp_from_sequential",
    "mlp_from_state_dict",
    "save_weights",
    "weights_from_bytes",
    "weights_to_bytes",
]
