"""The scenes' thin adapter over the core: datasets, point sets, networks, the trainer, the exact
partition, the Laplace posterior and the network health figures.

Scenes call these small functions instead of the core packages directly, so the scene code reads
as what it means ("push the points to the trainer") and the one place that knows the core's
exact signatures is here. Everything returns plain values the state can hold.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from sandbox.state import Metrics, NetworkSettings, Task

MAX_CLASSES = 6


# ----------------------------------------------------------------------------- data
def preset_list() -> list[tuple[str, str, str]]:
    """(name, description, task) of every dataset generator, for the presets menu."""
    from sandbox.data import list_datasets

    return [(d.name, d.description, d.task.value) for d in list_datasets()]


def dataset_info(name: str) -> Any:
    from sandbox.data import dataset_info as info

    return info(name)


def make_dataset(name: str, n: int, noise: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    from sandbox.data import make_dataset as make

    return make(name, n=int(n), noise=float(noise), seed=int(seed))


def new_points(task: Task, test_ratio: float, seed: int) -> Any:
    """An empty painted point set; classification sets accept all six classes."""
    from sandbox.data import PointSet

    n_classes = MAX_CLASSES if task is Task.CLASSIFICATION else 2
    return PointSet(task.value, n_classes, test_ratio=test_ratio, seed=max(0, int(seed)))


def brush(points: Any, center: np.ndarray, radius: float, density: float, label: Any) -> int:
    return points.add_brush(center, radius, density, label)


def outputs_needed(points: Any) -> int:
    """Network outputs for the data: 1 for a picture, else classes up to the highest used."""
    if points.task.value == Task.REGRESSION.value:
        return 1
    y = points.y
    return max(2, int(y.max()) + 1) if len(y) else 2


# ----------------------------------------------------------------------------- network
def new_camera(plane: tuple[int, int, int, int], zoom: float) -> Any:
    from sandbox.render.camera import View2D

    return View2D((0.0, 0.0), zoom, max(1, plane[2]), max(1, plane[3]))


def split_views(camera: Any) -> list[tuple[Any, int]]:
    """The side-by-side split's two cameras and their x offsets in the plane (pixels)."""
    from sandbox.render.split import split_panes

    return [(pane.view, pane.viewport[0]) for pane in split_panes(camera)]


def new_network(sizes: Sequence[int], seed: int) -> Any:
    from sandbox.nn import MLP

    return MLP(list(sizes), seed=int(seed))


def resize_network(net: Any, sizes: Sequence[int], seed: int) -> Any:
    """A network of `sizes` that keeps every weight the old one shares with it.

    Rows and columns that exist in both keep their values; new ones come from a fresh network
    with `seed`, so adding a neuron or a layer does not throw away what was learnt.
    """
    from sandbox.nn import MLP

    sizes = list(sizes)
    resized = getattr(net, "resized", None)
    if callable(resized) and sizes[-1] == net.n_out:
        try:
            return resized(sizes[1:-1], seed=int(seed))
        except TypeError:
            pass
    new = MLP(sizes, seed=int(seed))
    old_layers = net.layers
    new_layers = new.weights()
    n_old, n_new = len(old_layers), len(new_layers)
    pairs = [(i, i) for i in range(min(n_old, n_new) - 1)]
    if n_old == n_new:
        pairs.append((n_new - 1, n_old - 1))  # same depth: the output layer reads the same layer
    for i, j in pairs:
        W, b = new_layers[i]
        Wo, bo = old_layers[j]
        r = min(W.shape[0], Wo.shape[0])
        c = min(W.shape[1], Wo.shape[1])
        W[:r, :c] = Wo[:r, :c]
        b[:r] = bo[:r]
    new.set_weights(new_layers)
    return new


def _trainer_class() -> Any:
    from sandbox import nn

    return getattr(nn, "Trainer", None)


def _task(points: Any) -> str:
    return points.task.value


def new_trainer(net: Any, points: Any, settings: NetworkSettings) -> Any:
    Trainer = _trainer_class()
    X, y, test = points.X, points.y, points.is_test
    if Trainer is None:
        from sandbox.scenes._fallback_trainer import FallbackTrainer as Trainer
    tr = Trainer(
        net,
        X[~test],
        y[~test],
        task=_task(points),
        optimizer=settings.optimizer,
        lr=settings.lr,
        batch_size=settings.batch_size,
        l2=settings.l2,
        seed=settings.seed,
    )
    push_data(tr, points)
    return tr


def push_data(trainer: Any, points: Any) -> None:
    if trainer is None:
        return
    X = np.ascontiguousarray(points.X)
    y = np.ascontiguousarray(points.y)
    trainer.set_data(X, y, test_mask=np.asarray(points.is_test))


def set_network(trainer: Any, net: Any, points: Any, settings: NetworkSettings) -> None:
    trainer.set_network(net)


def configure(trainer: Any, settings: NetworkSettings) -> None:
    """Apply optimizer, learning rate, batch size and L2 without touching the weights."""
    trainer.set_optimizer(settings.optimizer)
    trainer.set_lr(settings.lr)
    trainer.set_batch_size(settings.batch_size)
    trainer.set_l2(settings.l2)


def train_steps(trainer: Any, n: int) -> None:
    trainer.step(int(n))


def train_for(trainer: Any, seconds: float) -> None:
    trainer.step_for(float(seconds), 1_000_000)


def diverged(trainer: Any) -> str:
    """The trainer's divergence message, or "" when it is healthy."""
    if getattr(trainer, "diverged", False):
        return str(getattr(trainer, "message", "") or "diverged")
    return ""


def clear_divergence(trainer: Any) -> None:
    fn = getattr(trainer, "clear_divergence", None)
    if callable(fn):
        fn()


def metrics(trainer: Any) -> Metrics:
    m = trainer.metrics()
    get = m.get if isinstance(m, dict) else lambda k, d=None: getattr(m, k, d)
    nan = float("nan")

    def f(key: str) -> float:
        v = get(key, None)
        return nan if v is None else float(v)

    return Metrics(
        step=int(get("step", get("steps", 0)) or 0),
        train_loss=f("train_loss"),
        test_loss=f("test_loss"),
        train_acc=f("train_accuracy")
        if get("train_accuracy", None) is not None
        else f("train_acc"),
        test_acc=f("test_accuracy") if get("test_accuracy", None) is not None else f("test_acc"),
        n_train=int(get("n_train", 0) or 0),
        n_test=int(get("n_test", 0) or 0),
    )


# ----------------------------------------------------------------------------- geometry
def partition(net: Any, bounds: tuple[float, float, float, float], upto_layer: int | None = None):
    from sandbox.geometry import linear_regions

    return linear_regions(net, bounds, upto_layer=upto_layer)


def region_count(part: Any) -> int:
    return 0 if part is None or part.too_many else len(part)


def too_many(part: Any) -> bool:
    return bool(part is not None and part.too_many)


def partition_message(part: Any) -> str:
    return str(getattr(part, "message", "")) if part is not None else ""


_SERRA: dict[tuple[int, ...], int] = {}


def serra_bound(sizes: Sequence[int]) -> int:
    """Upper bound on the region count of a network of layer sizes [2, h1, ..., out]."""
    key = tuple(int(s) for s in sizes[1:-1])
    if key not in _SERRA:
        from sandbox.geometry import serra_bound as bound

        _SERRA[key] = int(bound(list(key)))
    return _SERRA[key]


def dead_neurons(net: Any, bounds: tuple, points: Any, part: Any = None) -> tuple[int, list[str]]:
    """Neurons that get no gradient: never active on the training data (or, with no data,
    nowhere in the window). Returns the count and names like "L2 #5"."""
    from sandbox.geometry import dead_neurons as dead

    X = np.asarray(points.X) if len(points) else None
    usable = part if part is not None and not part.too_many else None
    result = dead(net, bounds, X, partition=usable)
    mask = result.on_data if result.on_data is not None else result.in_window
    idx = np.flatnonzero(np.asarray(mask, dtype=bool))
    starts = np.cumsum([0, *net.hidden_sizes])
    names = []
    for i in idx:
        layer = int(np.searchsorted(starts, i, side="right"))
        names.append(f"L{layer} #{int(i - starts[layer - 1]) + 1}")
    return len(names), names


# ----------------------------------------------------------------------------- Laplace
def fit_laplace(net: Any, points: Any, prior_precision: float) -> Any:
    from sandbox.bayes import LastLayerLaplace

    test = points.is_test
    X, y = points.X[~test], points.y[~test]
    if len(X) == 0:
        raise ValueError("there are no training points")
    return LastLayerLaplace(net, prior_precision=float(prior_precision)).fit(X, y)


def optimize_prior(la: Any) -> float:
    return float(la.optimize_prior_precision())


def laplace_proba(la: Any, X: np.ndarray) -> np.ndarray:
    return np.asarray(la.predict_proba(X, link="probit"))


def laplace_region_coefficients(la: Any, part: Any) -> tuple[np.ndarray, np.ndarray]:
    mean, var = la.region_coefficients(part.feature_maps)
    return np.asarray(mean), np.asarray(var)
