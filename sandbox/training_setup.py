"""What a trainer is built from: the network panel's training settings (`TrainingSetup`), an
empty painted point set for a task, the output count the points need, and the trainer of a
network on points. Shared by the session, the workshop and the side-by-side experiments."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sandbox.data import PointSet
from sandbox.nn import MLP, LrSchedule, Trainer
from sandbox.vocab import DEFAULT_BATCH_SIZE, DEFAULT_LR, MAX_CLASSES, Task


@dataclass(frozen=True)
class TrainingSetup:
    """What a trainer is built from (the network panel's training settings)."""

    optimizer: str = "adam"
    learning_rate: float = DEFAULT_LR
    batch_size: int = DEFAULT_BATCH_SIZE
    l2: float = 0.0
    seed: int = 0
    schedule: LrSchedule = LrSchedule()
    kind: tuple = ()  # (name, value) pairs of MLP's activation keywords; () is plain ReLU


def new_points(task: Task, test_fraction: float, seed: int) -> PointSet:
    """An empty painted point set; classification sets accept all six classes."""
    n_classes = MAX_CLASSES if task is Task.CLASSIFICATION else 2
    return PointSet(task.value, n_classes, test_fraction=test_fraction, seed=max(0, int(seed)))


def outputs_needed(points: PointSet) -> int:
    """Network outputs for the data: 1 for a picture, else classes up to the highest used."""
    if points.task.value == Task.REGRESSION.value:
        return 1
    y = points.y
    return max(2, int(y.max()) + 1) if len(y) else 2


def new_trainer(net: MLP, points: PointSet, setup: TrainingSetup) -> Trainer:
    """A trainer of `net` on the points (ValueError when it refuses them or the settings)."""
    return Trainer(
        net,
        np.ascontiguousarray(points.X),
        np.ascontiguousarray(points.y),
        task=points.task.value,
        optimizer=setup.optimizer,
        lr=setup.learning_rate,
        batch_size=setup.batch_size,
        l2=setup.l2,
        seed=setup.seed,
        test_mask=np.asarray(points.is_test),
        schedule=setup.schedule,
    )
