"""The values a Trainer takes and gives: checked settings and data, the train/test split, records.

Settings and points arrive from the UI, scene files and the command line: each check here (the
settings, `check_data` for X and y) returns the value in its proper type or raises ValueError
saying what was wrong and what is allowed. `split_mask` chooses the test points by a hash of
their coordinates (stable as points come and go). `TrainerState`, `Metrics` (defined in
sandbox.metrics) and `TrainerSnapshot` are what the trainer reports and restores;
`plain_number` writes the numbers of its messages without exponents.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import Enum, StrEnum

import numpy as np

from sandbox.metrics import Metrics as Metrics  # the trainer's report, named with its values
from sandbox.vocab import MAX_BATCH_SIZE, Task


class TrainerState(StrEnum):
    READY = "ready"
    NO_DATA = "no_data"
    DIVERGED = "diverged"


@dataclass(frozen=True)
class TrainerSnapshot:
    """Weights and optimizer state at one moment (see `Trainer.snapshot`)."""

    sizes: tuple[int, ...]
    params: np.ndarray
    moment1: np.ndarray
    moment2: np.ndarray
    optimizer: str
    optimizer_steps: int
    steps: int
    rng_state: int
    sampler_order: np.ndarray
    sampler_position: int
    kind: tuple = ()  # (activation, negative_slope, residual) of the network; () is ReLU


def parse_enum(enum: type[Enum], value: object, what: str) -> Enum:
    try:
        return enum(value)
    except ValueError:
        allowed = ", ".join(repr(m.value) for m in enum)
        raise ValueError(f"{what} is {value!r}; allowed: {allowed}") from None


def positive_finite(value: object, what: str) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{what} must be a number, got {value!r}") from None
    if not (math.isfinite(v) and v > 0.0):
        raise ValueError(f"{what} is {value!r}; allowed: a finite number > 0")
    return v


def split_mask(X: np.ndarray, train_ratio: float, seed: int) -> np.ndarray:
    """Test mask with exactly round((1 - ratio) N) test points, chosen by a hash of each point's
    coordinates: adding or removing a point moves at most one other point between the sets."""
    n = X.shape[0]
    n_test = int(round((1.0 - train_ratio) * n))
    mask = np.zeros(n, dtype=bool)
    if n_test <= 0 or n == 0:
        return mask
    bits = np.ascontiguousarray(X).view(np.uint64)
    with np.errstate(over="ignore"):
        h = bits[:, 0] * np.uint64(0x9E3779B97F4A7C15) ^ bits[:, 1] * np.uint64(0xC2B2AE3D27D4EB4F)
        h ^= np.uint64((int(seed) * 0xD6E8FEB86659FD93) & ((1 << 64) - 1))
        h ^= h >> np.uint64(31)
        h *= np.uint64(0xBF58476D1CE4E5B9)
        h ^= h >> np.uint64(29)
    order = np.lexsort((np.arange(n), h))
    mask[order[:n_test]] = True
    return mask


def check_batch_size(batch_size: object) -> int:
    if isinstance(batch_size, bool) or not isinstance(batch_size, int | np.integer):
        raise ValueError(f"batch size must be a whole number, got {batch_size!r}")
    if not 1 <= int(batch_size) <= MAX_BATCH_SIZE:
        raise ValueError(f"batch size is {batch_size}; allowed: 1 to {MAX_BATCH_SIZE}")
    return int(batch_size)


def check_l2(l2: object) -> float:
    try:
        v = float(l2)
    except (TypeError, ValueError):
        raise ValueError(f"L2 must be a number, got {l2!r}") from None
    if not (math.isfinite(v) and v >= 0.0):
        raise ValueError(f"L2 is {l2!r}; allowed: a finite number >= 0")
    return v


def check_momentum(momentum: object) -> float:
    try:
        v = float(momentum)
    except (TypeError, ValueError):
        raise ValueError(f"momentum must be a number, got {momentum!r}") from None
    if not (math.isfinite(v) and 0.0 <= v < 1.0):
        raise ValueError(f"momentum is {momentum!r}; allowed: 0 <= momentum < 1")
    return v


def plain_number(x: float) -> str:
    """`x` with up to 3 significant digits and no exponent (0.003, not 3e-03)."""
    if not math.isfinite(x) or x == 0:
        return f"{x:g}"
    digits = max(0, 2 - math.floor(math.log10(abs(x))))
    text = f"{x:.{digits}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def check_data(
    X: np.ndarray, y: np.ndarray, task: Task, n_out: int
) -> tuple[np.ndarray, np.ndarray]:
    """X as a C-ordered (N, 2) float64 array and y as float64 (class ids for classification),
    or ValueError naming the first bad row."""
    X = np.asarray(X)
    if X.size == 0 and X.ndim <= 2:
        X = X.reshape(0, 2)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"X must have shape (N, 2), got {X.shape}; inputs are 2-D points")
    try:
        X = np.array(X, dtype=np.float64, order="C")
    except (TypeError, ValueError):
        raise ValueError("X must hold numbers") from None
    bad = ~np.isfinite(X)
    if bad.any():
        row = int(np.argwhere(bad)[0, 0])
        raise ValueError(
            f"X[{row}] is {X[row].tolist()}: NaN or infinite coordinates are not allowed"
        )
    y = np.asarray(y)
    if y.ndim != 1 or y.shape[0] != X.shape[0]:
        raise ValueError(f"y must have shape ({X.shape[0]},) to match X, got {y.shape}")
    try:
        yf = np.array(y, dtype=np.float64, order="C")
    except (TypeError, ValueError):
        raise ValueError("y must hold numbers") from None
    if not np.all(np.isfinite(yf)):
        row = int(np.argwhere(~np.isfinite(yf))[0, 0])
        raise ValueError(f"y[{row}] is {yf[row]}: NaN or infinite targets are not allowed")
    if task is Task.CLASSIFICATION and yf.size:
        wrong = (yf != np.round(yf)) | (yf < 0) | (yf > n_out - 1)
        if wrong.any():
            row = int(np.argwhere(wrong)[0, 0])
            raise ValueError(
                f"label y[{row}] = {y[row].item()!r} is out of range; allowed: class ids 0 to "
                f"{n_out - 1} for a network with {n_out} outputs"
            )
    return X, yf


def divergence_message(status: int, bad_loss: float, step: int, lr: float) -> str:
    """What the trainer says when its kernel stopped a run at `step` with `status` (a
    kernels.STATUS_* code), in words, with what to change."""
    from . import kernels as K
    from .trainer import JUMP_FACTOR

    if status == K.STATUS_LOSS_NONFINITE:
        reason = "the loss became infinite or NaN"
    elif status == K.STATUS_LOSS_EXPLODED:
        reason = f"the loss exploded to {plain_number(bad_loss)}"
    elif status == K.STATUS_UPDATE_JUMP:
        reason = f"one step would have moved a weight by more than {JUMP_FACTOR:g} times its size"
    else:
        reason = "an update would have made a weight infinite"
    return (
        f"Training diverged at step {step}: {reason}. The learning rate {plain_number(lr)} is "
        f"too high; the last good weights were restored. Lower the learning rate (try "
        f"{plain_number(lr / 10)}) or change another setting to continue."
    )
