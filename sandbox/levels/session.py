"""A level being played, headless: data, network, trainer, Laplace state and every goal metric.

`LevelSession(level)` builds the starting points, the network and (on first use) the trainer
from a Level, then offers the player's actions as methods (train, reshape the network, move a
neuron's crease, prune, paint, drag a marker, switch Laplace on, answer the quiz, check the
goal). Each action first checks that the level shows the control it needs, so the level scene
cannot offer more than the level file allows and the reference solutions in the tests prove
every level is solvable with its own controls. The session is also the real `MetricsProvider`:
accuracy and loss are computed exactly on the train and test points, regions (all, near the
data and away from it, as the region statistics count them) and bent creases from the exact
partition of the level's bounds, dead neurons and copycats by the geometry
core's health checks, confidence by the network (MAP) or a last-layer Laplace fit, and
crease_between by walking the segment through the network. Expensive results are cached until
the weights or the data change.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from sandbox.bayes import LastLayerLaplace
from sandbox.data import PointSet, flip_labels, make_dataset
from sandbox.geometry import copycat_neurons, dead_neurons, linear_regions, serra_bound
from sandbox.geometry.region_stats import data_shape, region_stats
from sandbox.nn import MLP, LrSchedule, Trainer, softmax
from sandbox.nn.edits import set_neuron as _set_first_layer_neuron
from sandbox.nn.trainer import MAX_BATCH_SIZE
from sandbox.vocab import BATCH_SIZE_RANGE, L2_MAX, LR_RANGE, Optimizer, allowed

from . import measures, reading
from .goals import Call
from .goals import walk as walk_tree
from .reading import Reading
from .readouts import format_value
from .schema import Hint, Level
from .trial_runs import TrialsMixin
from .vocab import ConfidenceMode, Control, ControlState, Split, Task

DEFAULT_PRIOR_PRECISION = 1.0
MAX_STEPS_PER_CALL = 1_000_000


class LevelSession(TrialsMixin):
    """The live state of one level; see the module docstring (the predict, race and seeds
    trials are `TrialsMixin`'s). Not thread-safe."""

    def __init__(self, level: Level, enforce_controls: bool = True) -> None:
        self.level = level
        self.enforce_controls = enforce_controls
        spec = level.network
        self.task = spec.task
        self.optimizer = spec.optimizer
        self.learning_rate = spec.learning_rate
        self.batch_size = spec.batch_size
        self.l2 = spec.l2
        self.seed = spec.seed
        self.points = self._initial_points()
        if spec.layers is not None:
            self.net = MLP.from_weights(spec.layers, **spec.network_kind())
        else:
            self.net = MLP(spec.sizes, seed=spec.seed, **spec.network_kind())
        self.markers: dict[str, tuple[float, float]] = {
            name: (m.x, m.y) for name, m in level.markers.items()
        }
        self.laplace_enabled = False
        self._prior_precision = DEFAULT_PRIOR_PRECISION
        self._failed_checks = 0
        self.quiz_choice: int | None = None
        self.reading = Reading()  # the region read (sandbox.levels.reading)
        self.step_count = 0
        self._trainer: Trainer | None = None
        self._cache: dict[str, Any] = {}
        self._cache_static: dict[str, Any] = {}  # what depends on the level file alone
        if spec.trained_steps and len(self.points.X_train):
            # The story says the network has learned: it starts trained, and the player's step
            # counter starts at zero. The optimiser's state is dropped, as the app's trainer
            # starts afresh from these weights.
            self._trainer_for_current_state().step(spec.trained_steps)
            self._trainer = None
        self._init_trials()

    # ------------------------------------------------------------------ construction
    def _initial_points(self) -> PointSet:
        data = self.level.data
        n_classes = self.level.network.classes
        if data.source == "empty":
            return PointSet(
                self.task.value, n_classes, test_fraction=data.test_fraction, seed=data.seed
            )
        if data.source == "generator":
            X, y = make_dataset(data.dataset, data.count, data.noise, data.seed)
        else:
            X, y = data.points, data.labels
        if data.flip_box is not None:  # labels taught wrong: the same points flip every time
            y = flip_labels(X, y, data.flip_box, n_classes, data.flip_fraction, data.seed)
        # from_arrays starts with an empty history: undo cannot remove the level's own points.
        return PointSet.from_arrays(
            {
                "X": X,
                "y": y,
                "task": np.array(self.task.value),
                "n_classes": np.array(max(n_classes, 2)),
                "test_fraction": np.array(data.test_fraction),
                "seed": np.array(data.seed),
            }
        )

    def _require(self, *controls: Control) -> None:
        """Raise ValueError unless at least one of `controls` is shown in this level."""
        if not self.enforce_controls:
            return
        if any(self.level.control(c) is ControlState.SHOWN for c in controls):
            return
        names = " or ".join(repr(c.value) for c in controls)
        state = self.level.control(controls[0]).value
        raise ValueError(f"level {self.level.id!r}: the control {names} is {state} here")

    def _changed(self) -> None:
        self._cache.clear()

    def _new_network(self, net: MLP) -> None:
        self.net = net
        self._trainer = None  # optimizer state belongs to the old weights
        self._changed()

    # ------------------------------------------------------------------ data views
    @property
    def X_train(self) -> np.ndarray:
        return self.points.X_train

    @property
    def y_train(self) -> np.ndarray:
        return self.points.y_train

    def _split(self, split: str) -> tuple[np.ndarray, np.ndarray]:
        split = Split(split)
        if split is Split.TRAIN:
            return self.points.X_train, self.points.y_train
        return self.points.X_test, self.points.y_test

    # ------------------------------------------------------------------ actions: training
    def _make_trainer(self, net: MLP, seed: int | None = None) -> Trainer:
        """A trainer of `net` on the level's points with the current settings."""
        return Trainer(
            net,
            self.points.X,
            self.points.y,
            task=self.task.value,
            optimizer=self.optimizer,
            lr=self.learning_rate,
            batch_size=self.batch_size or MAX_BATCH_SIZE,  # None: every training point
            l2=self.l2,
            seed=self.seed if seed is None else seed,
            test_mask=self.points.is_test,
            schedule=LrSchedule(self.level.network.schedule, self.level.network.schedule_steps),
        )

    def _trainer_for_current_state(self) -> Trainer:
        if self._trainer is None:
            self._trainer = self._make_trainer(self.net)
        return self._trainer

    def train(self, steps: int) -> int:
        """Run `steps` training steps (play or step); returns the steps actually taken."""
        self._require(Control.PLAY, Control.STEP)
        self._require_prediction()
        if isinstance(steps, bool) or not isinstance(steps, int | np.integer):
            raise ValueError(f"steps must be a whole number, got {steps!r}")
        if not 0 <= steps <= MAX_STEPS_PER_CALL:
            raise ValueError(f"steps is {steps}; allowed: 0 to {MAX_STEPS_PER_CALL}")
        if steps == 0 or len(self.points.X_train) == 0:
            return 0
        trainer = self._trainer_for_current_state()
        before = int(trainer.steps)
        trainer.step(int(steps))  # a diverged trainer takes no steps until a setting changes
        taken = int(trainer.steps) - before
        self.step_count += taken
        self._changed()
        return taken

    def configure(
        self,
        *,
        optimizer: str | None = None,
        learning_rate: float | None = None,
        batch_size: int | None = None,
        l2: float | None = None,
    ) -> None:
        """Change training settings (each needs its control shown); weights are kept."""
        if optimizer is not None:
            self._require(Control.OPTIMIZER)
            if optimizer not in tuple(Optimizer):
                raise ValueError(f"optimizer is {optimizer!r}; allowed: {allowed(Optimizer)}")
            self.optimizer = Optimizer(optimizer)
        if learning_rate is not None:
            self._require(Control.LEARNING_RATE)
            lo, hi = LR_RANGE
            if not (math.isfinite(learning_rate) and lo <= learning_rate <= hi):
                raise ValueError(f"learning_rate is {learning_rate!r}; allowed: {lo:g} to {hi:g}")
            self.learning_rate = float(learning_rate)
        if batch_size is not None:
            self._require(Control.BATCH_SIZE)
            lo, hi = BATCH_SIZE_RANGE
            if not lo <= int(batch_size) <= hi:
                raise ValueError(f"batch_size is {batch_size!r}; allowed: {lo} to {hi}")
            self.batch_size = int(batch_size)
        if l2 is not None:
            self._require(Control.L2)
            if not (math.isfinite(l2) and 0 <= l2 <= L2_MAX):
                raise ValueError(f"l2 is {l2!r}; allowed: 0 to {L2_MAX:g}")
            self.l2 = float(l2)
        trainer = self._trainer
        if trainer is not None:
            trainer.set_optimizer(self.optimizer)
            trainer.set_lr(self.learning_rate)
            trainer.set_batch_size(self.batch_size or MAX_BATCH_SIZE)
            trainer.set_l2(self.l2)

    # ------------------------------------------------------------------ actions: the network
    def set_activation(
        self,
        activation: str,
        negative_slope: float | None = None,
        residual: bool | None = None,
    ) -> None:
        """The same weights under another activation (the activation menu); needs its control."""
        self._require(Control.ACTIVATION)
        kind = self.net.kind()
        kind["activation"] = activation
        if negative_slope is not None:
            kind["negative_slope"] = negative_slope
        if residual is not None:
            kind["residual"] = residual
        self._new_network(MLP.from_weights(self.net.weights(), **kind))

    def set_hidden(self, hidden: Sequence[int], seed: int | None = None) -> None:
        """New network shape, as the app's +/- and layer buttons make it: every weight the old
        and new shapes share is kept (with its optimiser state), new neurons and layers get
        fresh weights from `seed` (default: the current seed). A new `seed` needs its control."""
        hidden = [int(h) for h in hidden]
        old = self.net.hidden_sizes
        if len(hidden) > len(old):
            self._require(Control.ADD_LAYER)
        if len(hidden) < len(old):
            self._require(Control.REMOVE_LAYER)
        if any(a != b for a, b in zip(hidden, old, strict=False)):
            self._require(Control.NEURONS)
        if seed is not None and int(seed) != self.seed:
            self._require(Control.SEED)
            self.seed = int(seed)
        if self._trainer is not None:
            self.net = self._trainer.resize(hidden, seed=self.seed, n_out=self.net.n_out)
            self._changed()
        else:
            self.net = self.net.resized(hidden, seed=self.seed)
            self._changed()

    def reset(self, seed: int | None = None) -> None:
        """Fresh starting weights for the same shape (the reset button; seed needs `seed`)."""
        self._require(Control.RESET)
        if seed is not None:
            self._require(Control.SEED)
            self.seed = int(seed)
        else:
            self.seed += 1  # each press of reset gives new weights
        self._new_network(MLP(self.net.sizes, seed=self.seed, **self.net.kind()))

    def set_neuron(self, neuron: int, a: float, b: float, c: float) -> None:
        """Set first-layer neuron `neuron` to max(a x + b y + c, 0) (the neuron sliders)."""
        self._require(Control.NEURON_SLIDERS)
        _set_first_layer_neuron(self.net, neuron, a, b, c)
        if self._trainer is not None:
            self._trainer.weights_changed()
        self._changed()

    def prune(self, layer: int, neuron: int) -> None:
        """Remove a hidden neuron (layer 1-based); a copycat is folded into its twin first."""
        self._require(Control.INSPECTOR)
        self._new_network(measures.prune_neuron(self.net, layer, neuron))

    # ------------------------------------------------------------------ actions: data, markers
    def add_points(self, X: np.ndarray, label: int | float | np.ndarray) -> int:
        """Paint points (N, 2) with one label or one per point; returns how many were added."""
        self._require(Control.PAINT)
        added = self.points.add(X, label)
        self._data_changed()
        return added

    def erase(self, center: Sequence[float], radius: float) -> int:
        self._require(Control.ERASE)
        removed = self.points.erase(center, radius)
        self._data_changed()
        return removed

    def _data_changed(self) -> None:
        if self._trainer is not None:
            self._trainer.set_data(self.points.X, self.points.y, test_mask=self.points.is_test)
        self._changed()

    def move_marker(self, name: str, x: float, y: float) -> None:
        """Drag a movable marker to (x, y)."""
        marker = self.level.markers.get(name)
        if marker is None:
            known = ", ".join(sorted(self.level.markers)) or "none"
            raise ValueError(f"unknown marker {name!r}; this level's markers: {known}")
        if self.enforce_controls and not marker.movable:
            raise ValueError(f"marker {name!r} cannot be moved in this level")
        x, y = float(x), float(y)
        if not (math.isfinite(x) and math.isfinite(y)):
            raise ValueError(f"marker position must be finite, got ({x}, {y})")
        self.markers[name] = (x, y)
        self._changed()

    # ------------------------------------------------------------------ actions: Laplace
    def set_laplace(self, on: bool) -> None:
        self._require(Control.LAPLACE)
        self.laplace_enabled = bool(on)
        self._changed()

    def set_prior_precision(self, value: float) -> None:
        self._require(Control.PRIOR_PRECISION)
        value = float(value)
        if not (math.isfinite(value) and value > 0):
            raise ValueError(f"prior precision is {value!r}; allowed: a number above 0")
        self._prior_precision = value
        self._changed()

    def optimize_prior(self) -> float:
        """Set the prior precision to the evidence maximiser and return it."""
        self._require(Control.OPTIMIZE_PRIOR)
        la = self.laplace()
        if la is None:
            raise ValueError("optimising the prior needs training points")
        self._prior_precision = float(la.optimize_prior_precision())
        self._changed()
        return self._prior_precision

    def laplace(self) -> LastLayerLaplace | None:
        """The last-layer Laplace fit to the current network and points (None without points)."""
        if "laplace" not in self._cache:
            la = None
            if len(self.points.X_train):
                la = LastLayerLaplace(self.net, self._prior_precision)
                la.fit(self.points.X_train, self.points.y_train)
            self._cache["laplace"] = la
        return self._cache["laplace"]

    # ------------------------------------------------------------------ quiz, checks, hints
    def answer_quiz(self, choice: int) -> bool:
        """Pick quiz choice `choice` (0-based); a wrong pick counts as a failed check."""
        quiz = self.level.quiz
        if quiz is None:
            raise ValueError(f"level {self.level.id!r} has no quiz")
        if not 0 <= int(choice) < len(quiz.choices):
            raise ValueError(f"choice is {choice}; allowed: 0 to {len(quiz.choices) - 1}")
        self.quiz_choice = int(choice)
        right = self.quiz_choice == quiz.answer
        if not right:
            self._failed_checks += 1
        return right

    def goal_met(self) -> bool:
        return self.level.goal_met(self)

    def goal_status(self) -> list[bool]:
        return self.level.goal_status(self)

    def stars(self) -> int:
        return self.level.stars_for(self)

    def check(self) -> bool:
        """The player's "Check": True when the goal is met, else one more failed check."""
        met = self.goal_met()
        if not met:
            self._failed_checks += 1
        return met

    def due_hints(self, elapsed_seconds: float) -> list[Hint]:
        """Hints to show now: after `elapsed_seconds` of play or the failed checks so far (a
        hint with neither waits for nothing), while the hint's `when` condition holds; none once
        the goal is met (a hint must never contradict what the player sees)."""
        out = []
        if self.goal_met():
            return out
        for hint in self.level.hints:
            by_time = hint.after_seconds is not None and elapsed_seconds >= hint.after_seconds
            tries = hint.after_failures
            by_tries = tries is not None and self._failed_checks >= tries
            untimed = hint.after_seconds is None and tries is None
            if not (by_time or by_tries or untimed):
                continue
            if hint.when is not None and not hint.when.evaluate(self):
                continue
            out.append(hint)
        return out

    def readouts(self) -> list[str]:
        """The level's live readouts as text (e.g. "regions: 23 (most possible: 37)")."""
        return [r.render(self) for r in self.level.readouts]

    def marker_notes(self) -> dict[str, str]:
        """How sure the network is at each marker a goal asks the confidence of ("97% sure"),
        with Laplace when it is switched on: the number to watch, written by the marker."""
        mode = ConfidenceMode.LAPLACE if self.laplace_enabled else ConfidenceMode.MAP
        out = {}
        for name in self._confidence_markers():
            conf = self.confidence(name, mode.value)
            if math.isfinite(conf):
                out[name] = f"{format_value(conf, '%')} sure"
        return out

    def _confidence_markers(self) -> list[str]:
        if "confidence_markers" not in self._cache_static:
            names: list[str] = []
            for g in self.level.goals:
                for node in walk_tree(g.goal.tree):
                    if isinstance(node, Call) and node.metric.name == "confidence":
                        if node.args[0] not in names:
                            names.append(node.args[0])
            self._cache_static["confidence_markers"] = names
        return self._cache_static["confidence_markers"]

    # ------------------------------------------------------------------ metrics (the provider)
    def _partition(self):
        if "partition" not in self._cache:
            self._cache["partition"] = linear_regions(self.net, self.level.bounds)
        return self._cache["partition"]

    def accuracy(self, split: str) -> float:
        X, y = self._split(split)
        if self.task is Task.REGRESSION or len(X) == 0:
            return math.nan
        pred = np.argmax(self.net.forward(X), axis=1)
        return float(np.mean(pred == y))

    def loss(self, split: str) -> float:
        X, y = self._split(split)
        if len(X) == 0:
            return math.nan
        out = self.net.forward(X)
        if self.task is Task.REGRESSION:
            return float(np.mean((out[:, 0] - y) ** 2))
        z = out - out.max(axis=1, keepdims=True)
        log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        return float(-np.mean(log_p[np.arange(len(y)), y.astype(np.int64)]))

    def regions(self) -> float:
        P = self._partition()
        if P.smooth:
            return 0.0  # a smooth network has no linear regions at all
        return math.inf if P.too_many else float(len(P))

    def _region_stats(self):
        if "region_stats" not in self._cache:
            shape = data_shape(self.points.X_train)
            stats = region_stats(self._partition(), shape, self.net) if shape.n_points else None
            self._cache["region_stats"] = stats
        return self._cache["region_stats"]

    def regions_near(self) -> float:
        stats = self._region_stats()
        return math.nan if stats is None else float(stats.near)

    def regions_far(self) -> float:
        stats = self._region_stats()
        return math.nan if stats is None else float(stats.far)

    # ------------------------------------------------------------------ reading a region
    def read_at(self, x: float, y: float) -> bool:
        """Read the region under (x, y), as Enter over the plane does (reading only looks)."""
        return reading.read_at(self.reading, self._partition(), (x, y))

    def walk(self, dx: int, dy: int) -> bool:
        """Walk from the region read to its neighbour in direction (dx, dy) (an arrow key)."""
        return reading.walk(self.reading, self._partition(), dx, dy)

    def light_neuron(self, layer: int, index: int) -> None:
        """Light up neuron `index` (0-based) of `layer` (1-based), as a click on its crease."""
        self.reading.lit = (int(layer), int(index))

    def x_weight(self) -> float:
        return reading.x_weight(self._partition(), self.reading.pattern)

    def most_x_weight(self) -> float:
        return reading.most_x_weight(self._partition())

    def walked_from_x_weight(self) -> float:
        return reading.x_weight(self._partition(), self.reading.walked_from)

    def flipped_neuron(self) -> float:
        flipped = self.reading.flipped
        return reading.neuron_number(self._partition(), flipped[0]) if flipped else math.nan

    def lit_neuron(self) -> float:
        return reading.neuron_number(self._partition(), self.reading.lit)

    def regions_read(self) -> int:
        return len(self.reading.seen)

    def region_bound(self) -> int:
        return int(serra_bound(self.net.hidden_sizes))

    def neurons(self) -> int:
        return int(self.net.n_hidden)

    def layers(self) -> int:
        return int(self.net.n_hidden_layers)

    def dead_neurons(self) -> int:
        X = self.points.X_train
        dead = dead_neurons(self.net, self.level.bounds, X if len(X) else None, self._partition())
        flags = dead.on_data if dead.on_data is not None else dead.in_window
        return int(np.count_nonzero(flags))

    def copycat_neurons(self) -> int:
        pairs = copycat_neurons(self.net, self.level.bounds, partition=self._partition())
        return len({(layer, j) for layer, _, j in pairs})

    def bent_creases(self) -> float:
        P = self._partition()
        if P.too_many:
            return math.nan
        cr = P.creases
        return float(measures.bent_creases(cr.layer, cr.neuron, cr.segments))

    def steps(self) -> int:
        return self.step_count

    def point_count(self) -> int:
        return int(len(self.points.X_train))

    def classes(self) -> int:
        if self.task is Task.REGRESSION:
            return 0
        return int(np.unique(self.points.y_train).size)

    def prior_precision(self) -> float:
        return self._prior_precision

    def laplace_on(self) -> bool:
        return self.laplace_enabled

    def failed_checks(self) -> int:
        return self._failed_checks

    def quiz_solved(self) -> bool:
        quiz = self.level.quiz
        return quiz is not None and self.quiz_choice == quiz.answer

    def _marker(self, name: str) -> np.ndarray:
        if name not in self.markers:
            raise ValueError(f"unknown marker {name!r}")
        return np.array([self.markers[name]], dtype=np.float64)

    def confidence(self, marker: str, mode: str) -> float:
        if self.task is Task.REGRESSION:
            return math.nan
        at = self._marker(marker)
        if ConfidenceMode(mode) is ConfidenceMode.MAP:
            return float(softmax(self.net.forward(at)).max())
        la = self.laplace()
        if la is None:
            return math.nan
        return float(la.predict_proba(at, link="probit").max())

    def crease_between(self, marker_a: str, marker_b: str) -> bool:
        return measures.crease_between(self.net, self._marker(marker_a), self._marker(marker_b))

    def height(self, marker: str) -> float:
        if self.task is not Task.REGRESSION:
            return math.nan
        return float(self.net.forward(self._marker(marker))[0, 0])

    def distance(self, marker: str) -> float:
        X = self.points.X
        if len(X) == 0:
            return math.nan
        d = X - self._marker(marker)
        return float(np.sqrt(np.min(np.einsum("ij,ij->i", d, d))))
