"""A comparison run for the experiments that set two runs side by side (Adam vs SGD, 10 vs 500
creases, two seeds of the bottle): another experiment's network and training settings, trained
on this scene's points in step with this scene's run.

`ComparisonRun.frame` (called once a frame) makes the run when it is missing or the scene's
network shape or data changed or its run started again, then trains it up to the scene's step
(at most MAX_STEPS a frame: it catches up over the next frames), in pieces whose loss on every
training point it records, so steps trained at once still give a curve. The run is the
experiment's own: not in the Session, the timeline or the plane; the scene's card shows it.
"""

from __future__ import annotations

import numpy as np

from sandbox.experiments import Experiment
from sandbox.nn import MLP, Trainer
from sandbox.nn.schedule import LrSchedule
from sandbox.training_setup import TrainingSetup, new_trainer

MAX_STEPS = 2000  # the most steps the comparison trains in one frame
CHUNKS = 20  # steps caught up at once are recorded in up to this many pieces...
MIN_CHUNK = 25  # ...of at least this many steps (each costs a loss on every training point)
MAX_POINTS = 4000  # recorded losses kept (the newest)


class ComparisonRun:
    """Another experiment's run, trained in step with the scene's (see the module docstring)."""

    def __init__(self, other: Experiment) -> None:
        self.other = other
        self.trainer: Trainer | None = None
        self.losses: list[tuple[int, float]] = []  # step and loss on the training points
        self._key: tuple | None = None

    @property
    def net(self) -> MLP | None:
        return None if self.trainer is None else self.trainer.net

    def _start(self, points, n_out: int) -> None:
        o = self.other
        setup = TrainingSetup(optimizer=o.optimizer, learning_rate=o.learning_rate,
                              batch_size=o.batch_size, seed=o.seed,
                              schedule=LrSchedule(o.schedule, o.schedule_steps))  # fmt: skip
        net = MLP([2, *o.hidden, n_out], seed=o.seed)
        try:
            self.trainer = new_trainer(net, points, setup)
        except ValueError:
            self.trainer = None
        self.losses = []

    def frame(self, session) -> None:
        """Catch up with the session's run (see the module docstring)."""
        tr, net = session.trainer, session.net
        if tr is None or net is None:
            return
        key = (tuple(net.sizes), session.data_version)
        if self.trainer is None or key != self._key or tr.steps < self.trainer.steps:
            self._key = key
            self._start(session.points, int(net.n_out))
        shadow = self.trainer
        if shadow is None:
            return
        todo = min(int(tr.steps - shadow.steps), MAX_STEPS)
        chunk = max(MIN_CHUNK, todo // CHUNKS)
        added = []
        while todo > 0:
            n = min(chunk, todo)
            shadow.step(n)
            todo -= n
            loss = shadow.metrics().train_loss
            if loss is not None and np.isfinite(loss):
                added.append((int(shadow.steps), float(loss)))
        if added:
            self.losses = (self.losses + added)[-MAX_POINTS:]
