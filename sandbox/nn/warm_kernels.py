"""Compiling the training kernels ahead of use, for the loading screen (`warmup`)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .mlp import MLP
from .trainer import Trainer


def warmup(progress: Callable[[float, str], None] | None = None) -> None:
    """Compile (or load from the cache) every training kernel the app uses.

    progress(fraction, label) is called before the first (fraction 0; compiling the fused kernel
    is nearly all of the time, a few seconds cold, well under one from the cache) and after each
    configuration has run, ending at 1.0, for a loading screen.
    """
    if progress is not None:
        progress(0.0, "training kernel")
    rng = np.random.default_rng(0)
    X = rng.normal(size=(8, 2))
    jobs = [
        ("classification", "adam"),
        ("classification", "sgd"),
        ("regression", "adam"),
    ]
    for i, (task, opt) in enumerate(jobs):
        out = 2 if task == "classification" else 1
        y = np.arange(8) % 2 if task == "classification" else X[:, 0].copy()
        tr = Trainer(MLP([2, 3, out]), X, y, task=task, optimizer=opt, batch_size=4)
        tr.step(2)
        tr.set_batch_size(100)
        tr.step(1)
        tr.metrics()
        if progress is not None:
            progress((i + 1) / len(jobs), f"training kernel ({task}, {opt})")
