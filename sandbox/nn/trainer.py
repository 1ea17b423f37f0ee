"""The Trainer: live training of an MLP with the fused numba kernel, and everything around it.

`Trainer` owns the training data (with an optional train/test split), the optimizer state
(Adam moments or SGD momentum, in flat vectors parallel to `MLP.params`), the batch sampler's
generator and the kernel's scratch memory. `step(n)` runs n whole steps in one numba call and
updates the parameters in place (the rest of the program always sees the current weights).
Anything can change between calls: data, learning rate, optimizer, L2, batch size, the network
itself (its activation included; moments are carried over for kept parameters).
Divergence is caught in the kernel before it reaches the weights: the last good weights return and
the trainer stays `diverged` (with a message) until a setting changes. PyTorch's semantics, step
for step (see the class docstring).
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence

import numpy as np

from sandbox.vocab import (
    DEFAULT_BATCH_SIZE,
    DEFAULT_LR,
    DEFAULT_MOMENTUM,
    MAX_BATCH_SIZE,  # noqa: F401 - read from here by levels and scenes
    Optimizer,
    Task,
)

from . import kernels as K
from .activations import ACTIVATION_IDS
from .mlp import KIND_KEYS, MLP, resize_network, softmax
from .schedule import LrSchedule
from .trainer_values import (
    Metrics,
    TrainerSnapshot,
    TrainerState,
    check_batch_size,
    check_data,
    check_l2,
    check_momentum,
    divergence_message,
    parse_enum,
    positive_finite,
    split_mask,
)

# Divergence beyond NaN and infinity. A batch loss this many times above max(1, chance level,
# first loss) is far outside anything a working run produces. An update that moves a parameter
# by more than JUMP_FACTOR * max(1, |value|) in one step is too: Adam's steps are about lr in
# size, so lr = 1e3 moves every weight by ~1e3 at once and can kill every ReLU (a dead network
# has a flat, unexploded loss, so the loss alone would not notice).
LOSS_EXPLOSION_FACTOR = 1e3
JUMP_FACTOR = 100.0
# The last good state (weights, optimizer moments) is the start of the latest `step` call whose
# first batch loss (measured on exactly those weights) was at most GOOD_SLACK * the best such
# loss since the last change, plus GOOD_MARGIN. A run that degrades slowly before it explodes
# (loss 0.001, 0.5, 500, then 1e6) therefore goes back to where it was still good, not to the
# step before the explosion.
GOOD_SLACK = 4.0
GOOD_MARGIN = 0.05
MAX_STEPS_PER_CALL = 10_000_000
ADAM_BETAS = (0.9, 0.999)
ADAM_EPS = 1e-8


class Trainer:
    """Trains `net` in place on (X, y).

    Semantics (chosen to match PyTorch step for step): the loss is the batch mean of softmax
    cross-entropy (classification, y = class ids 0..K-1) or of (f - y)^2 (regression, one output);
    `l2` adds l2 * parameter to every gradient (weights and biases), as `weight_decay`; "adam" is
    torch.optim.Adam with betas (0.9, 0.999), eps 1e-8; "sgd" is torch.optim.SGD with `momentum`
    (no dampening, no Nesterov). `batch_size >= ` the number of training points means full batch
    in data order; smaller batches walk through a seeded shuffle of the training points, a fresh
    one each epoch, dropping the remainder (every batch has exactly `batch_size` distinct
    points). `step(n)` returns the last step's batch loss, computed before that step's update.

    State: `state` is "ready", "no_data" (no training points: step() does nothing and returns
    NaN) or "diverged" (see `step`); `message` explains the last two. `steps` counts the steps
    taken with this trainer.

    `schedule` (sandbox.nn.schedule.LrSchedule) sets the rate of step t (t = `steps`) from `lr`:
    constant, cosine annealing or step decay, as torch's lr_scheduler; `current_lr()` reads it.
    Live use: `step_for(seconds, max_steps)` fills a frame's time budget; `set_data(X, y,
    test_mask)`, `split(train_ratio, seed)`, `set_lr`, `set_schedule`, `set_l2`, `set_momentum`,
    `set_batch_size` and `set_optimizer` change one thing and keep the rest (weights always;
    optimizer state except on an optimizer switch); `resize(...)` or `set_network(net,
    param_map)` swap the network, carrying moments over for kept parameters.
    Figures: `metrics()` (full pass, cached while nothing changes), `batch_losses()` (every step
    of the last call), `last_loss`. `snapshot()` / `restore(snap)` save and replay weights with
    the optimizer and sampler state.
    """

    def __init__(
        self,
        net: MLP,
        X: np.ndarray,
        y: np.ndarray,
        task: str = Task.CLASSIFICATION,
        optimizer: str = Optimizer.ADAM,
        lr: float = DEFAULT_LR,
        batch_size: int = DEFAULT_BATCH_SIZE,
        l2: float = 0.0,
        momentum: float = DEFAULT_MOMENTUM,
        seed: int = 0,
        test_mask: np.ndarray | None = None,
        schedule: LrSchedule | None = None,
    ) -> None:
        self.task = parse_enum(Task, task, "task")
        self.schedule = schedule or LrSchedule()
        self.optimizer = parse_enum(Optimizer, optimizer, "optimizer")
        self.lr = positive_finite(lr, "learning rate")
        self.batch_size = check_batch_size(batch_size)
        self.l2 = check_l2(l2)
        self.momentum = check_momentum(momentum)
        self.seed = int(seed)
        self.steps = 0
        self.state = TrainerState.READY
        self.message = ""
        self.last_loss = float("nan")
        self._rng = np.array([np.uint64(self.seed & ((1 << 64) - 1))], dtype=np.uint64)
        self._kstate = np.zeros(K.ST_SIZE, dtype=np.int64)
        self._cfg = np.zeros(K.CFG_SIZE, dtype=np.int64)
        self._hp = np.zeros(K.HP_SIZE, dtype=np.float64)
        self._losses = np.zeros(64, dtype=np.float64)
        self._work = np.zeros(0, dtype=np.float64)
        self._work_key: tuple = ()
        self._ref_loss: float | None = None
        self._good: tuple[np.ndarray, np.ndarray, np.ndarray, int] | None = None
        self._good_best: float | None = None
        self._sec_per_step: float | None = None
        self._split: tuple[float, int] | None = None
        self._shuffled = False
        self._data_version = 0
        self._last_done = 0
        self._metrics_cache: tuple[tuple, np.ndarray, Metrics] | None = None
        self._numpy_steps = False
        self.net = self._check_network(net)
        self._reset_buffers()
        self._X = np.zeros((0, 2))
        self._y = np.zeros(0)
        self._test = np.zeros(0, dtype=bool)
        self._order = np.zeros(0, dtype=np.int64)
        self.set_data(X, y, test_mask)

    # ------------------------------------------------------------------ validation
    def _check_network(self, net: MLP) -> MLP:
        if not isinstance(net, MLP):
            raise ValueError(f"the network must be a sandbox.nn.MLP, got {type(net).__name__}")
        if self.task is Task.REGRESSION and net.n_out != 1:
            raise ValueError(
                f"regression needs a network with 1 output; this one has {net.n_out} outputs"
            )
        if self.task is Task.CLASSIFICATION and net.n_out < 2:
            raise ValueError("classification needs a network with 2 to 6 outputs; this one has 1")
        if not net.is_finite():
            raise ValueError("the network's weights contain NaN or infinite values")
        return net

    # ------------------------------------------------------------------ state
    @property
    def diverged(self) -> bool:
        return self.state is TrainerState.DIVERGED

    @property
    def X(self) -> np.ndarray:
        """All points (train and test), read-only view."""
        v = self._X.view()
        v.flags.writeable = False
        return v

    @property
    def y(self) -> np.ndarray:
        v = self._y.view()
        v.flags.writeable = False
        return v

    @property
    def test_mask(self) -> np.ndarray:
        """(N,) bool, True for test points (a copy)."""
        return self._test.copy()

    @property
    def n_train(self) -> int:
        return int(self._order.shape[0])

    @property
    def n_test(self) -> int:
        return int(self._test.sum())

    @property
    def optimizer_steps(self) -> int:
        """Updates since the optimizer state was last reset (Adam's bias-correction t)."""
        return int(self._kstate[K.ST_T])

    def _reset_buffers(self) -> None:
        P = self.net.n_params
        self._grad = np.zeros(P)
        self._prev = self.net.params.copy()
        self._left = self.net.params.copy()  # the weights as the last step left them
        self._m1 = np.zeros(P)
        self._m2 = np.zeros(P)
        self._kstate[K.ST_T] = 0
        self._good = None  # another network: the old one's last good state does not apply
        self._good_best = None

    def reset_optimizer(self) -> None:
        """Zero the Adam moments / SGD momentum (a fresh torch optimizer on the same weights)."""
        self._m1[:] = 0.0
        self._m2[:] = 0.0
        self._kstate[K.ST_T] = 0

    def _settings_changed(self) -> None:
        """Any setting change lifts a divergence: the caller may have fixed its cause."""
        if self.state is TrainerState.DIVERGED:
            self.state = TrainerState.READY
            self.message = ""
        self._update_data_state()

    def clear_divergence(self) -> None:
        """Resume after a divergence without changing any setting."""
        self._settings_changed()

    def _update_data_state(self) -> None:
        if self.state is TrainerState.DIVERGED:
            return
        if self.n_train == 0:
            self.state = TrainerState.NO_DATA
            self.message = (
                "no training points: add points to train"
                if self._X.shape[0] == 0
                else "every point is in the test set: lower the test share to train"
            )
        else:
            self.state = TrainerState.READY
            self.message = ""

    # ------------------------------------------------------------------ data and settings
    def set_data(self, X: np.ndarray, y: np.ndarray, test_mask: np.ndarray | None = None) -> None:
        """Replace the points (optimizer state and weights are kept).

        test_mask: (N,) bool, True for test points. None keeps the ratio set by `split` (applied
        to the new points) or, without one, uses every point for training.
        """
        X, y = check_data(X, y, self.task, self.net.n_out)
        n = X.shape[0]
        if test_mask is not None:
            mask = np.asarray(test_mask)
            if mask.shape != (n,):
                raise ValueError(f"test_mask must have shape ({n},), got {mask.shape}")
            if mask.dtype != bool:
                raise ValueError(f"test_mask must be boolean, got dtype {mask.dtype}")
            mask = mask.copy()
            self._split = None
        elif self._split is not None:
            mask = split_mask(X, *self._split)
        else:
            mask = np.zeros(n, dtype=bool)
        self._X, self._y, self._test = X, y, mask
        self._order = np.flatnonzero(~mask).astype(np.int64)
        self._shuffled = False
        self._kstate[K.ST_POS] = self._order.shape[0]  # the next batch starts a fresh epoch
        self._ref_loss = None
        self._good_best = None
        self._data_version += 1
        self._settings_changed()

    def split(self, train_ratio: float, seed: int = 0) -> None:
        """Hold out a test set: a share 1 - train_ratio of the points, chosen by a seeded hash
        of their coordinates (stable while points are added or removed). 1.0: no test set."""
        try:
            r = float(train_ratio)
        except (TypeError, ValueError):
            raise ValueError(f"train ratio must be a number, got {train_ratio!r}") from None
        if not (math.isfinite(r) and 0.0 <= r <= 1.0):
            raise ValueError(f"train ratio is {train_ratio!r}; allowed: 0 to 1")
        self._split = (r, int(seed))
        self._test = split_mask(self._X, r, int(seed))
        self._order = np.flatnonzero(~self._test).astype(np.int64)
        self._shuffled = False
        self._kstate[K.ST_POS] = self._order.shape[0]
        self._ref_loss = None
        self._good_best = None
        self._data_version += 1
        self._settings_changed()

    def set_lr(self, lr: float) -> None:
        self.lr = positive_finite(lr, "learning rate")
        self._settings_changed()

    def set_schedule(self, schedule: LrSchedule) -> None:
        if not isinstance(schedule, LrSchedule):
            raise ValueError(f"schedule must be an LrSchedule, got {type(schedule).__name__}")
        self.schedule = schedule
        self._settings_changed()

    def current_lr(self) -> float:
        """The learning rate the next step uses (the schedule's rate at step `steps`)."""
        return self.schedule.lr_at(self.lr, self.steps)

    def set_l2(self, l2: float) -> None:
        self.l2 = check_l2(l2)
        self._settings_changed()

    def set_momentum(self, momentum: float) -> None:
        self.momentum = check_momentum(momentum)
        self._settings_changed()

    def set_batch_size(self, batch_size: int) -> None:
        self.batch_size = check_batch_size(batch_size)
        self._kstate[K.ST_POS] = self._order.shape[0]
        self._settings_changed()

    def set_optimizer(self, optimizer: str) -> None:
        """Switch optimizer; weights are kept, the optimizer state starts fresh (as a new torch
        optimizer would). Setting the current optimizer again changes nothing."""
        new = parse_enum(Optimizer, optimizer, "optimizer")
        if new is not self.optimizer:
            self.optimizer = new
            self.reset_optimizer()
        self._settings_changed()

    def set_network(self, net: MLP, param_map: np.ndarray | None = None) -> None:
        """Train `net` from now on (e.g. after an architecture edit).

        Optimizer moments are carried over for parameters that `param_map` (from
        `resize_network`) maps to old ones, and start at zero for new ones; without a map they
        are kept when the architecture is unchanged and reset otherwise.
        """
        self._check_network(net)
        if self.task is Task.CLASSIFICATION and self._y.size and self._y.max() > net.n_out - 1:
            raise ValueError(
                f"the data has class {int(self._y.max())} but the network has only {net.n_out} "
                f"outputs; allowed: networks with at least {int(self._y.max()) + 1} outputs"
            )
        old_m1, old_m2, t = self._m1, self._m2, int(self._kstate[K.ST_T])
        same = net.sizes == self.net.sizes
        self.net = net
        self._reset_buffers()
        if param_map is not None:
            pm = np.asarray(param_map, dtype=np.int64)
            if pm.shape != (net.n_params,) or pm.max(initial=-1) >= old_m1.shape[0]:
                raise ValueError("param_map does not match the old and new networks")
            kept = pm >= 0
            self._m1[kept] = old_m1[pm[kept]]
            self._m2[kept] = old_m2[pm[kept]]
            self._kstate[K.ST_T] = t if kept.any() else 0
        elif same:
            self._m1[:] = old_m1
            self._m2[:] = old_m2
            self._kstate[K.ST_T] = t
        self._ref_loss = None
        self._good_best = None
        self._data_version += 1
        self._settings_changed()

    def resize(
        self,
        hidden_sizes: Sequence[int],
        seed: int = 0,
        *,
        n_out: int | None = None,
        keep: Sequence[Sequence[int] | None] | None = None,
        layer_map: Sequence[int | None] | None = None,
    ) -> MLP:
        """Resize the network (see `resize_network`), keep moments of kept parameters, and
        return the new network (also `self.net`)."""
        new, pm = resize_network(
            self.net, hidden_sizes, seed, n_out=n_out, keep=keep, layer_map=layer_map
        )
        self.set_network(new, pm)
        return new

    def weights_changed(self) -> None:
        """Call after editing `net`'s weights by hand: they become the new last good weights."""
        if not self.net.is_finite():
            raise ValueError("the network's weights contain NaN or infinite values")
        self._prev[:] = self.net.params
        self._ref_loss = None
        self._good_best = None
        self._data_version += 1
        self._settings_changed()

    # ------------------------------------------------------------------ training
    def _chance_loss(self) -> float:
        if self.task is Task.CLASSIFICATION:
            return math.log(self.net.n_out)
        yt = self._y[self._order]
        return float(np.mean(yt * yt)) if yt.size else 1.0

    def _prepare(self, n: int) -> int:
        n_train = self.n_train
        batch = min(self.batch_size, n_train)
        full = self.batch_size >= n_train
        cfg = self._cfg
        cfg[K.CFG_TASK] = (
            K.TASK_CLASSIFICATION if self.task is Task.CLASSIFICATION else K.TASK_REGRESSION
        )
        cfg[K.CFG_OPTIMIZER] = K.OPT_ADAM if self.optimizer is Optimizer.ADAM else K.OPT_SGD
        cfg[K.CFG_BATCH] = batch
        cfg[K.CFG_FULL] = 1 if full else 0
        cfg[K.CFG_CHUNK] = K.DEFAULT_CHUNK
        cfg[K.CFG_ACTIVATION] = ACTIVATION_IDS[self.net.activation]
        cfg[K.CFG_RESIDUAL] = 1 if self.net.residual else 0
        if full and self._shuffled:
            # full batch runs in data order: undo the minibatch epochs' shuffles
            self._order = np.flatnonzero(~self._test).astype(np.int64)
            self._shuffled = False
        hp = self._hp
        hp[K.HP_LR] = self.lr
        hp[K.HP_BETA1], hp[K.HP_BETA2] = ADAM_BETAS
        hp[K.HP_EPS] = ADAM_EPS
        hp[K.HP_L2] = self.l2
        hp[K.HP_MOMENTUM] = self.momentum
        hp[K.HP_SCHEDULE] = self.schedule.code
        hp[K.HP_SCHEDULE_STEPS] = self.schedule.steps
        hp[K.HP_SCHEDULE_GAMMA] = self.schedule.gamma
        ref = max(1.0, self._chance_loss(), self._ref_loss or 0.0)
        hp[K.HP_LOSS_LIMIT] = LOSS_EXPLOSION_FACTOR * ref if self._ref_loss is not None else np.inf
        hp[K.HP_JUMP_LIMIT] = JUMP_FACTOR
        hp[K.HP_NEGATIVE_SLOPE] = self.net.negative_slope
        key = (self.net.n_params, tuple(self.net.sizes), batch)
        if key != self._work_key:
            _, size = K.work_layout(self.net.layout, min(batch, K.DEFAULT_CHUNK))
            self._work = K.aligned_work(size)
            self._work_key = key
        if self._losses.shape[0] < n:
            self._losses = np.zeros(max(n, 2 * self._losses.shape[0]))
        return batch

    @property
    def numpy_steps(self) -> bool:
        """Whether steps run in the kernel's numpy twin (`sandbox.nn.reference.train_steps`):
        the same steps (equal to rounding), slower, and with nothing to compile. The app trains
        this way on a first start while the numba kernel still compiles in the background."""
        return self._numpy_steps

    @numpy_steps.setter
    def numpy_steps(self, on: bool) -> None:
        if bool(on) != self._numpy_steps:
            self._numpy_steps = bool(on)
            self._sec_per_step = None  # the cost per step changes by an order of magnitude

    def _run(self, n: int, offset: int) -> int:
        """One kernel call of n steps; their losses land in self._losses[offset:]."""
        if self._cfg[K.CFG_FULL] == 0:
            self._shuffled = True
        self._kstate[K.ST_SCHEDULE_T] = self.steps + offset
        if self._numpy_steps:
            from . import reference

            return reference.train_steps(
                self.net.params, self._prev, self._m1, self._m2, self.net.layout, self._X,
                self._y, self._order, self._cfg, self._hp, self._kstate, self._rng,
                self._losses[offset:], n,
            )  # fmt: skip
        kernel = K.kernel_for(int(self._cfg[K.CFG_ACTIVATION]), bool(self._cfg[K.CFG_RESIDUAL]))
        return kernel(
            self.net.params,
            self._grad,
            self._prev,
            self._m1,
            self._m2,
            self.net.layout,
            self._X,
            self._y,
            self._order,
            self._cfg,
            self._hp,
            self._kstate,
            self._rng,
            self._work,
            self._losses[offset:],
            n,
        )

    def step(self, n: int = 1) -> float:
        """Run n training steps in one numba call; returns the last step's batch loss.

        Divergence (a non-finite or exploding batch loss, or an update that would make a weight
        non-finite) stops the run before it touches the weights: the weights from before the
        offending update are restored, the optimizer state is reset, `state` becomes "diverged"
        with a `message`, and steps do nothing until a setting changes (or
        `clear_divergence()`). The return value is then the last good loss. With no training
        points nothing happens and NaN is returned.
        """
        if isinstance(n, bool) or not isinstance(n, int | np.integer):
            raise ValueError(f"the number of steps must be a whole number, got {n!r}")
        n = int(n)
        if not 0 <= n <= MAX_STEPS_PER_CALL:
            raise ValueError(f"number of steps is {n}; allowed: 0 to {MAX_STEPS_PER_CALL}")
        if self.n_train == 0:
            self._update_data_state()
            return float("nan")
        if n == 0 or self.state is TrainerState.DIVERGED:
            return self.last_loss
        if not np.array_equal(self.net.params, self._left):
            # weights edited by hand since the last step: they are the last good ones now
            self._prev[:] = self.net.params
            self._ref_loss = None
            self._good_best = None
        self._data_version += 1
        self._prepare(n)
        start = (self.net.params.copy(), self._m1.copy(), self._m2.copy(), self.optimizer_steps)
        offset = 0
        done = 0
        if self._ref_loss is None:
            # The first step after a change sets the scale for the explosion check.
            done = self._run(1, 0)
            if done == 1:
                self._ref_loss = float(self._losses[0])
                self._prepare(n)
                offset = 1
        if offset == done and done < n and self._kstate[K.ST_STATUS] == K.STATUS_OK:
            done += self._run(n - offset, offset)
        self.steps += done
        self._last_done = done
        status = int(self._kstate[K.ST_STATUS])
        if done > 0:
            self.last_loss = float(self._losses[done - 1])
        self._consider_good(start, float(self._losses[0]))
        if status != K.STATUS_OK:
            self._diverge(status, float(self._losses[done]))
        self._left[:] = self.net.params
        self._data_version += 1
        return self.last_loss

    def batch_losses(self) -> np.ndarray:
        """The batch loss of every step taken by the last `step` call, in order (a copy)."""
        return self._losses[: self._last_done].copy()

    def _consider_good(self, start: tuple, loss: float) -> None:
        """Keep `start` (params, moments, t at the start of a call) as the last good state when
        its measured loss is close to the best since the last change."""
        if not math.isfinite(loss):
            return
        best = self._good_best
        if best is None or loss <= GOOD_SLACK * best + GOOD_MARGIN:
            self._good = start
            self._good_best = loss if best is None else min(best, loss)

    def _diverge(self, status: int, bad_loss: float) -> None:
        good = self._good
        if good is not None and good[0].shape == self.net.params.shape:
            # back to the last good state, moments included: resuming (at a lower rate) then
            # goes on from there instead of from a zeroed optimizer's first, blind steps
            params, m1, m2, t = good
            self.net.params[:] = params
            self._m1[:] = m1
            self._m2[:] = m2
            self._kstate[K.ST_T] = t
        else:
            self.net.params[:] = self._prev
            self.reset_optimizer()
        self._prev[:] = self.net.params
        self._ref_loss = None
        self._data_version += 1
        self.state = TrainerState.DIVERGED
        self.message = divergence_message(status, bad_loss, self.steps + 1, self.lr)

    def step_for(self, seconds: float, max_steps: int = MAX_STEPS_PER_CALL) -> int:
        """Run as many steps as fit in `seconds` (at least one while training is possible, at
        most `max_steps`); returns the number taken. The cost per step is measured as it goes
        and remembered, so a frame's budget is usually spent in one or two kernel calls."""
        budget = float(seconds)
        if not math.isfinite(budget) or budget < 0:
            raise ValueError(f"seconds is {seconds!r}; allowed: a finite number >= 0")
        limit = int(max_steps)
        start = time.perf_counter()
        deadline = start + budget
        total = 0
        while total < limit and self.state is TrainerState.READY and self.n_train > 0:
            now = time.perf_counter()
            left = deadline - now
            if left <= 0 and total > 0:
                break
            if self._sec_per_step is None:
                chunk = 4
            else:
                chunk = int(0.9 * left / self._sec_per_step)
            chunk = max(1, min(chunk, limit - total, MAX_STEPS_PER_CALL))
            before = self.steps
            self.step(chunk)
            took = self.steps - before
            elapsed = time.perf_counter() - now
            if took > 0:
                per = elapsed / took
                self._sec_per_step = (
                    per if self._sec_per_step is None else 0.5 * (self._sec_per_step + per)
                )
            total += took
            if took < chunk:
                break
        return total

    # ------------------------------------------------------------------ figures
    def _eval(self, X: np.ndarray, y: np.ndarray) -> tuple[float | None, float | None]:
        if X.shape[0] == 0:
            return None, None
        out = self.net.forward(X)
        if self.task is Task.REGRESSION:
            return float(np.mean((out[:, 0] - y) ** 2)), None
        c = y.astype(np.int64)
        m = out.max(axis=1)
        lse = m + np.log(np.exp(out - m[:, None]).sum(axis=1))
        loss = float(np.mean(lse - out[np.arange(len(c)), c]))
        acc = float(np.mean(out.argmax(axis=1) == c))
        return loss, acc

    def metrics(self) -> Metrics:
        """Train and test loss and accuracy from a full pass over the points, and the step.

        The pass is skipped when nothing (data, weights, state) changed since the last call."""
        cache = self._metrics_cache
        if (
            cache is not None
            and cache[0] == (self._data_version, self.steps, self.state)
            and np.array_equal(cache[1], self.net.params)
        ):
            return cache[2]
        tr = ~self._test
        train_loss, train_acc = self._eval(self._X[tr], self._y[tr])
        test_loss, test_acc = self._eval(self._X[self._test], self._y[self._test])
        out = Metrics(
            step=self.steps,
            train_loss=train_loss,
            test_loss=test_loss,
            train_accuracy=train_acc,
            test_accuracy=test_acc,
            n_train=self.n_train,
            n_test=self.n_test,
            last_batch_loss=None if math.isnan(self.last_loss) else self.last_loss,
            state=self.state.value,
        )
        key = (self._data_version, self.steps, self.state)
        self._metrics_cache = (key, self.net.params.copy(), out)
        return out

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Class probabilities of the current network (classification)."""
        return softmax(self.net.forward(X))

    # ------------------------------------------------------------------ snapshots
    def snapshot(self) -> TrainerSnapshot:
        """Copies of the weights, the optimizer state and the sampler state: restoring it and
        training again on the same data repeats the same steps exactly."""
        return TrainerSnapshot(
            sizes=tuple(self.net.sizes),
            params=self.net.params.copy(),
            moment1=self._m1.copy(),
            moment2=self._m2.copy(),
            optimizer=self.optimizer.value,
            optimizer_steps=int(self._kstate[K.ST_T]),
            steps=self.steps,
            rng_state=int(self._rng[0]),
            sampler_order=self._order.copy(),
            sampler_position=int(self._kstate[K.ST_POS]),
            kind=(self.net.activation.value, self.net.negative_slope, self.net.residual),
        )

    def restore(self, snap: TrainerSnapshot) -> None:
        """Go back to a snapshot. With the same architecture the weights are written into the
        current network in place; otherwise `self.net` becomes a new network of the snapshot's
        sizes (re-read it). The optimizer state returns when the optimizer is the same one."""
        kind = dict(zip(KIND_KEYS, snap.kind, strict=True)) if snap.kind else self.net.kind()
        if tuple(self.net.sizes) == tuple(snap.sizes) and self.net.kind() == kind:
            self.net.params[:] = snap.params
        else:
            net = MLP(list(snap.sizes), **kind)
            net.params[:] = snap.params
            self._check_network(net)
            if self.task is Task.CLASSIFICATION and self._y.size:
                if self._y.max() > net.n_out - 1:
                    raise ValueError(
                        f"the snapshot's network has {net.n_out} outputs but the data has "
                        f"class {int(self._y.max())}"
                    )
            self.net = net
        self._reset_buffers()
        if snap.optimizer == self.optimizer.value:
            self._m1[:] = snap.moment1
            self._m2[:] = snap.moment2
            self._kstate[K.ST_T] = snap.optimizer_steps
        self.steps = snap.steps
        self._rng[0] = np.uint64(snap.rng_state)
        if np.array_equal(np.sort(snap.sampler_order), np.flatnonzero(~self._test)):
            # same training points: the replay draws the very same batches
            self._order = snap.sampler_order.copy()
            self._kstate[K.ST_POS] = snap.sampler_position
            self._shuffled = True
        else:
            self._kstate[K.ST_POS] = self._order.shape[0]
        self._ref_loss = None
        self._good_best = None
        self._data_version += 1
        self._settings_changed()
