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

from sandbox.state import Metrics, NetworkSettings
from sandbox.vocab import MAX_CLASSES, Task


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


def new_points(task: Task, test_fraction: float, seed: int) -> Any:
    """An empty painted point set; classification sets accept all six classes."""
    from sandbox.data import PointSet

    n_classes = MAX_CLASSES if task is Task.CLASSIFICATION else 2
    return PointSet(task.value, n_classes, test_fraction=test_fraction, seed=max(0, int(seed)))


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


def new_trainer(net: Any, points: Any, settings: NetworkSettings) -> Any:
    from sandbox.nn import Trainer

    return Trainer(
        net,
        np.ascontiguousarray(points.X),
        np.ascontiguousarray(points.y),
        task=points.task.value,
        optimizer=settings.optimizer,
        lr=settings.learning_rate,
        batch_size=settings.batch_size,
        l2=settings.l2,
        seed=settings.seed,
        test_mask=np.asarray(points.is_test),
    )


def push_data(trainer: Any, points: Any) -> None:
    trainer.set_data(
        np.ascontiguousarray(points.X),
        np.ascontiguousarray(points.y),
        test_mask=np.asarray(points.is_test),
    )


def resize(trainer: Any, hidden: Sequence[int], n_out: int, seed: int) -> Any:
    """Resize the trained network in place of the old one, keeping every shared weight and its
    optimizer moments; returns the new network."""
    return trainer.resize(list(hidden), seed=int(seed), n_out=int(n_out))


def set_optimizer(trainer: Any, name: str) -> None:
    trainer.set_optimizer(name)


def set_lr(trainer: Any, lr: float) -> None:
    trainer.set_lr(lr)


def set_batch_size(trainer: Any, batch_size: int) -> None:
    trainer.set_batch_size(int(batch_size))


def set_l2(trainer: Any, l2: float) -> None:
    trainer.set_l2(l2)


def train_steps(trainer: Any, n: int) -> None:
    trainer.step(int(n))


def train_for(trainer: Any, seconds: float) -> None:
    trainer.step_for(float(seconds), 1_000_000)


def diverged(trainer: Any) -> str:
    """The trainer's divergence message, or "" when it is healthy."""
    return str(trainer.message or "diverged") if trainer.diverged else ""


def clear_divergence(trainer: Any) -> None:
    trainer.clear_divergence()


def metrics(trainer: Any) -> Metrics:
    m = trainer.metrics()

    def f(v: float | None) -> float:
        return float("nan") if v is None else float(v)

    return Metrics(
        step=int(m.step),
        train_loss=f(m.train_loss),
        test_loss=f(m.test_loss),
        train_acc=f(m.train_accuracy),
        test_acc=f(m.test_accuracy),
        n_train=int(m.n_train),
        n_test=int(m.n_test),
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


# ----------------------------------------------------------------------------- look closer
def folded_surface(
    part: Any, net: Any, kind: str, laplace: Any = None, neuron: tuple[int, int] | None = None
) -> Any:
    """The 3D surface of `kind` (output, probability, laplace, band, neuron) over the partition."""
    from sandbox.geometry.surface import build_surface

    return build_surface(part, net, kind, laplace=laplace, neuron=neuron)


def neuron_surface(a: float, b: float, c: float, bounds: tuple) -> Any:
    """The single first-layer neuron max(a x + b y + c, 0): two exact facets and its crease."""
    from sandbox.geometry.surface import halfplane_surface

    return halfplane_surface(a, b, c, bounds)


def probe(net: Any, origin: Any, direction: Any, reach: float, laplace: Any = None) -> Any:
    from sandbox.geometry import ray_probe

    return ray_probe(net, origin, direction, reach, laplace)


def neuron_flags(net: Any, bounds: tuple, points: Any, part: Any) -> tuple[np.ndarray, np.ndarray]:
    """Dead (never active on the training data, or in the window without data) and copycat
    (crease on top of another neuron's of the same layer) flags, per hidden neuron."""
    from sandbox.geometry import copycat_neurons, dead_neurons

    X = np.asarray(points.X) if points is not None and len(points) else None
    usable = part if part is not None and not part.too_many else None
    dead = dead_neurons(net, bounds, X, partition=usable)
    flags = dead.on_data if dead.on_data is not None else dead.in_window
    copy = np.zeros(int(sum(net.hidden_sizes)), dtype=bool)
    if usable is not None and usable.upto_layer == len(net.hidden_sizes):
        starts = np.cumsum([0, *net.hidden_sizes])
        for layer, i, j in copycat_neurons(net, bounds, partition=usable):
            copy[starts[layer - 1] + i] = copy[starts[layer - 1] + j] = True
    return np.asarray(flags, dtype=bool), copy


def fit_regression_laplace(net: Any, points: Any, prior_precision: float) -> Any:
    """Last-layer Laplace of a regression network (the 3D uncertainty band)."""
    return fit_laplace(net, points, prior_precision)


TIMELINE_BYTES = 64 * 1024 * 1024  # the largest network allowed still keeps ~280 snapshots


def new_timeline(n_params: int) -> Any:
    """A bounded timeline of weight snapshots for a network of n_params parameters."""
    from sandbox.nn.timeline import Timeline

    return Timeline(int(n_params), max_bytes=TIMELINE_BYTES)


def first_layer_neuron(net: Any, index: int) -> tuple[float, float, float]:
    """(a, b, c) of first-layer neuron `index`: its crease is a x + b y + c = 0."""
    from sandbox.nn.edits import neuron_weights

    nw = neuron_weights(net, index)
    return (nw.w[0], nw.w[1], nw.b)


def move_crease(net: Any, index: int, start: tuple, d: Any) -> None:
    """Move first-layer neuron `index`'s crease by the world vector d from weights `start`
    (a, b, c at the start of the drag)."""
    from sandbox.nn.edits import NeuronWeights, translate_neuron

    translate_neuron(net, index, d, start=NeuronWeights((start[0], start[1]), start[2]))


def turn_crease(net: Any, index: int, start: tuple, angle: float, pivot: Any) -> None:
    from sandbox.nn.edits import NeuronWeights, rotate_neuron

    rotate_neuron(net, index, angle, pivot, start=NeuronWeights((start[0], start[1]), start[2]))


def set_first_layer_neuron(net: Any, index: int, a: float, b: float, c: float) -> None:
    from sandbox.nn.edits import set_neuron

    set_neuron(net, index, a, b, c)


def weights_edited(trainer: Any) -> None:
    """Hand-edited weights become the trainer's last good weights."""
    trainer.weights_changed()


def branch_trainer(trainer: Any, step: int) -> None:
    """Training resumes from weights restored from step `step` (already in the network): the
    step counter goes back and the optimizer's running averages start afresh."""
    trainer.steps = int(step)
    trainer.reset_optimizer()
    trainer.weights_changed()


def crease_line(abc: tuple[float, float, float], bounds: tuple) -> np.ndarray | None:
    """First-layer crease a x + b y + c = 0 clipped to bounds (xmin, xmax, ymin, ymax): (2, 2)
    world endpoints, or None when it misses the window."""
    from sandbox.nn.edits import crease_in_bounds

    return crease_in_bounds(abc[:2], abc[2], bounds)


def predictive_band(la: Any, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and standard deviation (without the noise) of a regression Laplace at points X."""
    mean, var = la.predict(np.asarray(X, dtype=np.float64), include_noise=False)
    return np.asarray(mean).reshape(-1), np.sqrt(np.maximum(np.asarray(var).reshape(-1), 0.0))
