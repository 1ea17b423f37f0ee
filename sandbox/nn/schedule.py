"""Learning-rate schedules: the rate each training step uses, in the kernel and in plain Python.

A `LrSchedule` is one of the vocabulary's `Schedule` kinds with its parameters: "constant" (the
base rate at every step), "cosine" (annealing from the base rate to zero over `steps` steps, as
GINN trained: lr_t = lr * (1 + cos(pi * t / steps)) / 2, then zero from step `steps` on) and
"step" (the rate multiplied by `gamma` every `steps` steps: lr * gamma ** (t // steps)). Step t
counts the trainer's steps from 0, so the first step uses the base rate; these are the rates
torch.optim.lr_scheduler.CosineAnnealingLR(T_max=steps, eta_min=0) and StepLR(step_size=steps,
gamma=gamma) give after t calls of `scheduler.step()` (within the first `steps` steps for the
cosine, which torch then lets rise again; here the run has finished annealing and stays at 0).
`scheduled_lr` is the numba form the training kernel calls per step; `LrSchedule.lr_at` is its
plain twin, used for the readout beside the loss chart and as the tests' oracle.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numba import njit

from sandbox.vocab import (
    DEFAULT_SCHEDULE_GAMMA,
    DEFAULT_SCHEDULE_STEPS,
    SCHEDULE_GAMMA_RANGE,
    SCHEDULE_STEPS_RANGE,
    Schedule,
)

SCHEDULE_CODES = {Schedule.CONSTANT: 0, Schedule.COSINE: 1, Schedule.STEP: 2}


@njit(cache=True, nogil=True, error_model="numpy")
def scheduled_lr(base, kind, steps, gamma, t):
    """The rate of step t (0-based) of schedule `kind` (0 constant, 1 cosine, 2 step decay)."""
    if kind == 1:
        if t >= steps:
            return 0.0
        return base * 0.5 * (1.0 + math.cos(math.pi * t / steps))
    if kind == 2:
        return base * gamma ** (t // steps)
    return base


@dataclass(frozen=True)
class LrSchedule:
    """A learning-rate schedule (see the module docstring); validated on construction."""

    kind: Schedule = Schedule.CONSTANT
    steps: int = DEFAULT_SCHEDULE_STEPS
    gamma: float = DEFAULT_SCHEDULE_GAMMA

    def __post_init__(self) -> None:
        try:
            kind = Schedule(self.kind)
        except ValueError:
            allowed = ", ".join(s.value for s in Schedule)
            raise ValueError(f"schedule {self.kind!r}; allowed: {allowed}") from None
        object.__setattr__(self, "kind", kind)
        lo, hi = SCHEDULE_STEPS_RANGE
        if isinstance(self.steps, bool) or not isinstance(self.steps, int | np.integer):
            raise ValueError(f"schedule steps must be a whole number, got {self.steps!r}")
        if not lo <= self.steps <= hi:
            raise ValueError(f"schedule steps {self.steps}; allowed: {lo} to {hi:,}")
        glo, ghi = SCHEDULE_GAMMA_RANGE
        g = float(self.gamma)
        if not (math.isfinite(g) and glo <= g <= ghi):
            raise ValueError(f"schedule decay factor {self.gamma!r}; allowed: {glo:g} to {ghi:g}")
        object.__setattr__(self, "steps", int(self.steps))
        object.__setattr__(self, "gamma", g)

    @property
    def code(self) -> int:
        return SCHEDULE_CODES[self.kind]

    def lr_at(self, base: float, t: int) -> float:
        """The rate step t (0-based) uses (the plain twin of `scheduled_lr`)."""
        if self.kind is Schedule.COSINE:
            if t >= self.steps:
                return 0.0
            return base * 0.5 * (1.0 + math.cos(math.pi * t / self.steps))
        if self.kind is Schedule.STEP:
            return base * self.gamma ** (t // self.steps)
        return base

    def describe(self) -> str:
        """A short phrase for readouts: "cosine to 0 over 10,000 steps"."""
        if self.kind is Schedule.COSINE:
            return f"cosine to 0 over {self.steps:,} steps"
        if self.kind is Schedule.STEP:
            return f"x{self.gamma:g} every {self.steps:,} steps"
        return "constant"
