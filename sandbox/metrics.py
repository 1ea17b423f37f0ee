"""Training figures: `Metrics`, what a trainer reports after a full pass over the points and what
the readout shows.

Defined here, outside sandbox.nn, so the state and the panels can name it without loading the
numba trainer; standard library only. Losses and accuracies are None where a set is empty
(accuracy is None for regression); `Metrics()` is the readout before any network exists.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Metrics:
    """Full-pass figures. Losses exclude the L2 term, as PyTorch's loss.item()."""

    step: int = 0
    train_loss: float | None = None
    test_loss: float | None = None
    train_accuracy: float | None = None
    test_accuracy: float | None = None
    n_train: int = 0
    n_test: int = 0
    last_batch_loss: float | None = None
    state: str = "ready"  # a TrainerState value
    psnr: float | None = None  # a picture: the output against the full-resolution picture
