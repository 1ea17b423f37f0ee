"""Playing the trials of a level headless: the prediction, training's race, the seeds' runs.

`TrialsMixin` is the part of `LevelSession` that keeps the player's prediction (training is
refused until one is picked; the run answers it once the table's reveal condition has held),
trains the level's starting weights for the race's budget, and runs the seeds' table, and it
measures the goal-language metrics `predicted`, `prediction_right`, `revealed`, `race_loss`,
`seeds_run`, `best_seed_accuracy` and `worst_seed_accuracy`. The tables themselves (what a level
file says) are `sandbox.levels.trials`. No pygame here: the level scene shows all this through
the same session.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from sandbox.nn import MLP

if TYPE_CHECKING:
    from .schema import Level


# ----------------------------------------------------------------------------- measuring a net
def net_loss(net: MLP, X: np.ndarray, y: np.ndarray, regression: bool) -> float:
    """Mean squared error (regression) or mean cross-entropy of `net` on (X, y)."""
    if len(X) == 0:
        return math.nan
    out = net.forward(X)
    if regression:
        return float(np.mean((out[:, 0] - y) ** 2))
    z = out - out.max(axis=1, keepdims=True)
    log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return float(-np.mean(log_p[np.arange(len(y)), y.astype(np.int64)]))


def net_accuracy(net: MLP, X: np.ndarray, y: np.ndarray, regression: bool) -> float:
    if regression or len(X) == 0:
        return math.nan
    return float(np.mean(np.argmax(net.forward(X), axis=1) == y))


@dataclass(frozen=True, eq=False)
class SeedRun:
    """One seed's run: the seed, its final training loss and accuracy, and its weights."""

    seed: int
    loss: float
    accuracy: float
    weights: tuple[tuple[np.ndarray, np.ndarray], ...]


# ----------------------------------------------------------------------------- playing them
class TrialsMixin:
    """The predict, race and seeds part of `LevelSession` (which provides `level`, `net`,
    `points`, `seed`, `task`, `_require_control`, `_new_network` and `_make_trainer`)."""

    level: Level
    net: MLP
    seed: int

    def _init_trials(self) -> None:
        self.prediction: int | None = None
        self._revealed = False
        self.start_net = self.net.copy()  # the weights the player starts from: the race's too
        self.race_net: MLP | None = None
        self._race_loss = math.nan
        self.seed_runs: list[SeedRun] = []

    # ------------------------------------------------------------------ predict
    def predict(self, choice: int) -> bool:
        """Pick prediction `choice` (0-based) before training; returns whether it is right.
        A prediction is a bet: once picked it stays."""
        spec = self.level.predict
        if spec is None:
            raise ValueError(f"level {self.level.id!r} asks no prediction")
        if self.prediction is not None:
            raise ValueError("the prediction is already picked; the run will answer it")
        if not 0 <= int(choice) < len(spec.choices):
            raise ValueError(f"choice is {choice}; allowed: 0 to {len(spec.choices) - 1}")
        self.prediction = int(choice)
        return self.prediction == spec.answer

    def _require_prediction(self) -> None:
        if self.level.predict is not None and self.prediction is None:
            raise ValueError("first pick your prediction: training waits for it")

    def predicted(self) -> bool:
        return self.prediction is not None

    def prediction_right(self) -> bool:
        spec = self.level.predict
        return spec is not None and self.prediction == spec.answer

    def revealed(self) -> bool:
        """Whether the run has answered the prediction: its reveal condition held once, after
        the pick (it stays answered)."""
        spec = self.level.predict
        if spec is None or self.prediction is None:
            return False
        if not self._revealed and spec.reveal.evaluate(self):  # type: ignore[arg-type]
            self._revealed = True
        return self._revealed

    # ------------------------------------------------------------------ race
    def run_race(self) -> float:
        """Let training try: the level's starting weights, trained `race.steps` steps on the
        current points with the level's settings. Returns training's loss."""
        spec = self.level.race
        if spec is None:
            raise ValueError(f"level {self.level.id!r} has no race")
        self._require_prediction()
        X, y = self._train_xy()
        if len(X) == 0:
            raise ValueError("the race needs training points")
        net = self.start_net.copy()
        self._make_trainer(net).step(spec.steps)
        self.race_net = net
        self._race_loss = net_loss(net, X, y, self._regression())
        return self._race_loss

    def race_loss(self) -> float:
        return self._race_loss

    # ------------------------------------------------------------------ seeds
    def run_seed(self, k: int) -> SeedRun:
        """Run seed number `k` (0-based) of the table: fresh weights of the current shape from
        seed `seed + k`, trained `seeds.steps` steps. Run 0 starts a new table."""
        spec = self.level.seeds
        if spec is None:
            raise ValueError(f"level {self.level.id!r} has no seeds table")
        if not 0 <= int(k) < spec.count:
            raise ValueError(f"seed run is {k}; allowed: 0 to {spec.count - 1}")
        self._require_prediction()
        X, y = self._train_xy()
        if len(X) == 0:
            raise ValueError("training from seeds needs training points")
        if k == 0:
            self.seed_runs = []
        net = MLP(self.net.sizes, seed=self.seed + int(k), **self.net.kind())
        self._make_trainer(net, seed=self.seed + int(k)).step(spec.steps)
        regression = self._regression()
        run = SeedRun(
            seed=self.seed + int(k),
            loss=net_loss(net, X, y, regression),
            accuracy=net_accuracy(net, X, y, regression),
            weights=tuple((W.copy(), b.copy()) for W, b in net.weights()),
        )
        self.seed_runs = [r for r in self.seed_runs if r.seed != run.seed] + [run]
        self._changed()
        return run

    def run_seeds(self) -> list[SeedRun]:
        """Every seed of the table, one after another."""
        spec = self.level.seeds
        if spec is None:
            raise ValueError(f"level {self.level.id!r} has no seeds table")
        for k in range(spec.count):
            self.run_seed(k)
        return list(self.seed_runs)

    def show_seed(self, k: int) -> None:
        """Put run `k`'s trained network on the plane (training may go on from it)."""
        if not 0 <= int(k) < len(self.seed_runs):
            raise ValueError(f"seed run {k} has not run yet")
        run = self.seed_runs[int(k)]
        self._new_network(MLP.from_weights(run.weights, **self.net.kind()))

    def seeds_run(self) -> int:
        return len(self.seed_runs)

    def best_seed_accuracy(self) -> float:
        accs = [r.accuracy for r in self.seed_runs]
        return max(accs) if accs else math.nan

    def worst_seed_accuracy(self) -> float:
        accs = [r.accuracy for r in self.seed_runs]
        return min(accs) if accs else math.nan

    # ------------------------------------------------------------------ the session provides
    def _train_xy(self) -> tuple[np.ndarray, np.ndarray]:
        return self.points.X_train, self.points.y_train  # type: ignore[attr-defined]

    def _regression(self) -> bool:
        return self.task.value == "regression"  # type: ignore[attr-defined]

    def _make_trainer(self, net: MLP, seed: int | None = None) -> Any:
        raise NotImplementedError

    def _new_network(self, net: MLP) -> None:
        raise NotImplementedError

    def _changed(self) -> None:
        raise NotImplementedError
