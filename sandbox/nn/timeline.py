"""The training timeline: a bounded buffer of weight snapshots to scrub, replay and branch from.

`Timeline` keeps copies of the flat parameter vector (`MLP.params`) with their step number and the
train/test loss at that step. Training changes a network fastest at the start (biases move
before weights), so the buffer is dense early and thinner later: every snapshot up to
`dense_steps` is kept, and once the buffer is full the snapshot whose removal leaves the
smallest gap in log(step + 1) is evicted (never the first, the newest, or a dense one). For a
long run the kept steps are therefore close to evenly spaced in log(step), and memory is fixed:
at most `capacity` snapshots, lowered further when a snapshot is large so the buffer never holds
more than `max_bytes`. Storage is one preallocated (capacity, n_params) float64 array, so
recording a snapshot copies into a free row and allocates nothing; evicting one frees its row
without moving any other.

Resuming training from a past snapshot is a branch: `branch(index)` drops every later snapshot,
and the next `record` continues from there. Restoring writes the stored bits back exactly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

DEFAULT_CAPACITY = 400
DEFAULT_DENSE_STEPS = 100
DEFAULT_MAX_BYTES = 256 * 1024 * 1024
MIN_CAPACITY = 4


@dataclass(frozen=True)
class Snapshot:
    """One stored state: `params` is a read-only copy of the flat parameter vector."""

    index: int
    step: int
    params: np.ndarray
    train_loss: float
    test_loss: float


class Timeline:
    """Bounded, log-thinned weight snapshots of one training run (see the module docstring).

    n_params: length of the network's flat parameter vector. capacity: the most snapshots kept
    (at least 4). dense_steps: snapshots at steps <= this are never thinned (reduced to a quarter
    of the capacity when the capacity is small). max_bytes: a ceiling on the parameter storage;
    a large network gets fewer snapshots.
    """

    def __init__(
        self,
        n_params: int,
        capacity: int = DEFAULT_CAPACITY,
        dense_steps: int = DEFAULT_DENSE_STEPS,
        max_bytes: int = DEFAULT_MAX_BYTES,
    ) -> None:
        n_params = int(n_params)
        if n_params < 1:
            raise ValueError(f"n_params is {n_params}; a network has at least one parameter")
        if int(capacity) < MIN_CAPACITY:
            raise ValueError(f"capacity is {capacity}; it must be at least {MIN_CAPACITY}")
        if int(dense_steps) < 0:
            raise ValueError(f"dense_steps is {dense_steps}; it must be >= 0")
        if int(max_bytes) < 1:
            raise ValueError(f"max_bytes is {max_bytes}; it must be positive")
        by_bytes = int(max_bytes) // (8 * n_params)
        self.capacity = max(MIN_CAPACITY, min(int(capacity), by_bytes))
        self.n_params = n_params
        self.dense_steps = int(dense_steps)
        # A dense prefix as large as the buffer would leave nothing to thin.
        self._dense_limit = min(self.dense_steps, self.capacity // 4)
        self._params = np.empty((self.capacity, n_params), dtype=np.float64)
        # Per kept snapshot, in step order: its step, losses and the row of _params it uses.
        self._steps = np.empty(self.capacity, dtype=np.int64)
        self._train = np.empty(self.capacity, dtype=np.float64)
        self._test = np.empty(self.capacity, dtype=np.float64)
        self._rows = np.empty(self.capacity, dtype=np.int64)
        self._free: list[int] = list(range(self.capacity - 1, -1, -1))
        self._n = 0
        self.evicted = 0

    # ------------------------------------------------------------------ size
    def __len__(self) -> int:
        return self._n

    @property
    def nbytes(self) -> int:
        """Bytes held by the preallocated buffers (the memory bound, reached or not)."""
        return int(
            self._params.nbytes
            + self._steps.nbytes
            + self._train.nbytes
            + self._test.nbytes
            + self._rows.nbytes
        )

    @property
    def steps(self) -> np.ndarray:
        """(n,) int64 step of every kept snapshot, increasing (a copy)."""
        return self._steps[: self._n].copy()

    @property
    def train_losses(self) -> np.ndarray:
        return self._train[: self._n].copy()

    @property
    def test_losses(self) -> np.ndarray:
        return self._test[: self._n].copy()

    @property
    def last_step(self) -> int | None:
        return int(self._steps[self._n - 1]) if self._n else None

    # ------------------------------------------------------------------ recording
    def record(
        self,
        step: int,
        params: np.ndarray,
        train_loss: float = math.nan,
        test_loss: float = math.nan,
    ) -> None:
        """Store a copy of `params` taken at `step` (which must exceed the newest step kept).

        When the buffer is full one older snapshot is evicted first (see the class docstring).
        """
        step = int(step)
        if step < 0:
            raise ValueError(f"step is {step}; steps start at 0")
        if self._n and step <= self._steps[self._n - 1]:
            raise ValueError(
                f"step {step} is not after the newest snapshot (step "
                f"{int(self._steps[self._n - 1])}); call branch() to resume from an earlier one"
            )
        p = np.asarray(params)
        if p.shape != (self.n_params,):
            raise ValueError(
                f"params must be a flat vector of {self.n_params} values, got shape {p.shape}"
            )
        if self._n == self.capacity:
            self._evict()
        i = self._n
        row = self._free.pop()
        self._params[row] = p
        self._rows[i] = row
        self._steps[i] = step
        self._train[i] = float(train_loss)
        self._test[i] = float(test_loss)
        self._n += 1

    def _evict(self) -> None:
        """Drop the snapshot whose removal leaves the smallest gap in log(step + 1)."""
        n = self._n
        logs = np.log1p(self._steps[:n].astype(np.float64))
        # Removing i joins the gaps on both sides: the new gap is logs[i+1] - logs[i-1].
        gaps = logs[2:] - logs[:-2]
        candidates = np.arange(1, n - 1)
        protected = self._steps[1 : n - 1] <= self._dense_limit
        if protected.all():
            # Only dense snapshots are left between the ends (tiny capacity): thin them too.
            protected[:] = False
        gaps = np.where(protected, np.inf, gaps)
        i = int(candidates[int(np.argmin(gaps))])
        self._free.append(int(self._rows[i]))
        for arr in (self._rows, self._steps, self._train, self._test):
            arr[i : n - 1] = arr[i + 1 : n]
        self._n -= 1
        self.evicted += 1

    # ------------------------------------------------------------------ reading
    def _check_index(self, index: int) -> int:
        i = int(index)
        if not -self._n <= i < self._n:
            raise ValueError(
                f"snapshot index {index} is out of range; the timeline holds {self._n} snapshots"
            )
        return i % self._n

    def snapshot(self, index: int) -> Snapshot:
        """The snapshot at `index` (negative counts from the newest); params are read-only."""
        i = self._check_index(index)
        params = self._params[self._rows[i]].copy()
        params.flags.writeable = False
        return Snapshot(i, int(self._steps[i]), params, float(self._train[i]), float(self._test[i]))

    def scrub(self, index: int) -> np.ndarray:
        """A copy of the parameters stored at `index`, for showing a past state."""
        return self._params[self._rows[self._check_index(index)]].copy()

    def index_at_step(self, step: float) -> int:
        """Index of the snapshot whose step is nearest `step` (a click on the loss chart)."""
        if not self._n:
            raise ValueError("the timeline is empty")
        steps = self._steps[: self._n]
        j = int(np.searchsorted(steps, step))
        if j == 0:
            return 0
        if j >= self._n:
            return self._n - 1
        return j if steps[j] - step < step - steps[j - 1] else j - 1

    def replay_index(self, start_index: int, elapsed_s: float, steps_per_second: float) -> int:
        """Where a replay started at `start_index` stands after `elapsed_s` seconds when it plays
        `steps_per_second` training steps per second (the nearest snapshot, the newest at most)."""
        if not (math.isfinite(steps_per_second) and steps_per_second > 0):
            raise ValueError(
                f"replay speed {steps_per_second} must be a positive number of steps/s"
            )
        start = int(self._steps[self._check_index(start_index)])
        return self.index_at_step(start + max(0.0, float(elapsed_s)) * steps_per_second)

    def restore(self, index: int, params_out: np.ndarray) -> int:
        """Write the stored parameters into `params_out` (e.g. `net.params`) in place, bit for
        bit, and return the snapshot's step."""
        i = self._check_index(index)
        if params_out.shape != (self.n_params,):
            raise ValueError(
                f"params_out must be a flat vector of {self.n_params} values, "
                f"got shape {params_out.shape}"
            )
        params_out[...] = self._params[self._rows[i]]
        return int(self._steps[i])

    def branch(self, index: int) -> int:
        """Keep snapshots 0..index and drop the later ones; returns the kept step, from which
        training resumes (the next `record` must come after it)."""
        i = self._check_index(index)
        self._free.extend(int(r) for r in self._rows[i + 1 : self._n])
        self._n = i + 1
        return int(self._steps[i])

    def clear(self) -> None:
        self._n = 0
        self._free = list(range(self.capacity - 1, -1, -1))
        self.evicted = 0

    def memory_report(self) -> str:
        """One line: snapshots kept, capacity, bytes."""
        return (
            f"{self._n} of {self.capacity} snapshots of {self.n_params} parameters, "
            f"{self.nbytes / 2**20:.2f} MiB reserved"
        )
