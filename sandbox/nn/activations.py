"""The hidden units' activations: their numpy values, derivatives, kernel ids and linear pieces.

Every activation of `sandbox.vocab.Activation` is defined here once for numpy (`activate`,
`derivative`, both with PyTorch's conventions at the kinks: ReLU'(0) = 0, leaky ReLU'(0) = the
negative slope, |z|'(0) = 0, hardtanh'(+-1) = 0), with the integer id the numba kernels use
(`ACTIVATION_IDS`; the kernels' own elementwise loops live in `act_kernels.py`). A piecewise
linear activation is also described by its pieces (`pieces`): the breakpoints where the exact
geometry cuts a region, and the slope and offset of each piece, sigma(z) = s_k z + t_k, which
the region maps use (MATH.md section 6).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sandbox.vocab import DEFAULT_NEGATIVE_SLOPE, NEGATIVE_SLOPE_RANGE, Activation

# The kernels' integer codes (cfg[CFG_ACTIVATION]); 0 is ReLU, so a zeroed cfg trains ReLU.
ACT_RELU = 0
ACT_LEAKY_RELU = 1
ACT_ABS = 2
ACT_HARDTANH = 3
ACT_LINEAR = 4
ACT_TANH = 5
ACT_SIGMOID = 6
ACT_GELU = 7
ACT_SIN = 8

ACTIVATION_IDS = {
    Activation.RELU: ACT_RELU,
    Activation.LEAKY_RELU: ACT_LEAKY_RELU,
    Activation.ABS: ACT_ABS,
    Activation.HARDTANH: ACT_HARDTANH,
    Activation.LINEAR: ACT_LINEAR,
    Activation.TANH: ACT_TANH,
    Activation.SIGMOID: ACT_SIGMOID,
    Activation.GELU: ACT_GELU,
    Activation.SIN: ACT_SIN,
}

_SQRT1_2 = 1.0 / math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


def parse_activation(value: object) -> Activation:
    """The Activation named by `value` (an Activation or its name, any case); a ValueError
    listing the allowed names otherwise."""
    if isinstance(value, Activation):
        return value
    name = str(value).strip().lower().replace("-", "_")
    try:
        return Activation(name)
    except ValueError:
        choices = ", ".join(a.value for a in Activation)
        raise ValueError(f"unknown activation {value!r}; allowed: {choices}") from None


def check_negative_slope(value: object) -> float:
    """Leaky ReLU's negative slope as a float in NEGATIVE_SLOPE_RANGE, or a ValueError."""
    lo, hi = NEGATIVE_SLOPE_RANGE
    try:
        a = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValueError(
            f"negative slope {value!r} is not a number; allowed: {lo} to {hi}"
        ) from None
    if not (lo <= a <= hi):
        raise ValueError(f"negative slope is {a}; allowed: {lo} to {hi}")
    return a


def _erf(x: np.ndarray) -> np.ndarray:
    return np.vectorize(math.erf, otypes=[np.float64])(x)


def activate(
    z: np.ndarray, activation: Activation = Activation.RELU, slope: float = DEFAULT_NEGATIVE_SLOPE
) -> np.ndarray:
    """sigma(z) elementwise, in float64 (`slope` is leaky ReLU's negative slope)."""
    z = np.asarray(z, dtype=np.float64)
    a = activation
    if a is Activation.RELU:
        return np.maximum(z, 0.0)
    if a is Activation.LEAKY_RELU:
        return np.where(z > 0.0, z, z * slope)
    if a is Activation.ABS:
        return np.abs(z)
    if a is Activation.HARDTANH:
        return np.clip(z, -1.0, 1.0)
    if a is Activation.LINEAR:
        return z.copy()
    if a is Activation.TANH:
        return np.tanh(z)
    if a is Activation.SIGMOID:
        return 1.0 / (1.0 + np.exp(-z))
    if a is Activation.GELU:
        return 0.5 * z * (1.0 + _erf(z * _SQRT1_2))
    if a is Activation.SIN:
        return np.sin(z)
    raise ValueError(f"unknown activation {a!r}")


def derivative(
    z: np.ndarray, activation: Activation = Activation.RELU, slope: float = DEFAULT_NEGATIVE_SLOPE
) -> np.ndarray:
    """sigma'(z) elementwise, with PyTorch's values at the kinks."""
    z = np.asarray(z, dtype=np.float64)
    a = activation
    if a is Activation.RELU:
        return (z > 0.0).astype(np.float64)
    if a is Activation.LEAKY_RELU:
        return np.where(z > 0.0, 1.0, slope)
    if a is Activation.ABS:
        return np.sign(z)
    if a is Activation.HARDTANH:
        return ((z > -1.0) & (z < 1.0)).astype(np.float64)
    if a is Activation.LINEAR:
        return np.ones_like(z)
    if a is Activation.TANH:
        t = np.tanh(z)
        return 1.0 - t * t
    if a is Activation.SIGMOID:
        s = 1.0 / (1.0 + np.exp(-z))
        return s * (1.0 - s)
    if a is Activation.GELU:
        return 0.5 * (1.0 + _erf(z * _SQRT1_2)) + z * np.exp(-0.5 * z * z) * _INV_SQRT_2PI
    if a is Activation.SIN:
        return np.cos(z)
    raise ValueError(f"unknown activation {a!r}")


@dataclass(frozen=True)
class Pieces:
    """A piecewise-linear activation: sigma(z) = slopes[k] z + offsets[k] between breakpoints
    k-1 and k (piece 0 below the first breakpoint, the last piece above the last one)."""

    breakpoints: tuple[float, ...]
    slopes: tuple[float, ...]
    offsets: tuple[float, ...]

    def piece(self, z: np.ndarray) -> np.ndarray:
        """The piece index of each z, a value on a breakpoint counting as the piece below it
        (so a ReLU neuron at exactly 0 is off, as ReLU'(0) = 0)."""
        return np.searchsorted(np.asarray(self.breakpoints), np.asarray(z), side="left")


def pieces(activation: Activation, slope: float = DEFAULT_NEGATIVE_SLOPE) -> Pieces:
    """The linear pieces of a piecewise-linear activation (MATH.md section 6)."""
    a = activation
    if a is Activation.RELU:
        return Pieces((0.0,), (0.0, 1.0), (0.0, 0.0))
    if a is Activation.LEAKY_RELU:
        return Pieces((0.0,), (float(slope), 1.0), (0.0, 0.0))
    if a is Activation.ABS:
        return Pieces((0.0,), (-1.0, 1.0), (0.0, 0.0))
    if a is Activation.HARDTANH:
        return Pieces((-1.0, 1.0), (0.0, 1.0, 0.0), (-1.0, 0.0, 1.0))
    if a is Activation.LINEAR:
        return Pieces((), (1.0,), (0.0,))
    raise ValueError(f"{a.value} is smooth: it has no linear pieces")


def smooth_note(activation: Activation) -> str:
    """The one line a crease view shows for a smooth activation."""
    return f"{activation.value} bends the paper smoothly: there are no creases to draw"
