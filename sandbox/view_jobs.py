"""The slow derived views as jobs: dead neurons, the inspector's neuron flags, the 3D surface.

Each `*_job(session, ...)` reads what it needs from the Session now (copies of the points, the
weights a partition was made from or a snapshot of the live ones, a shallow copy of a Laplace
fit) and returns a function that touches nothing live. `Session.derive_behind` runs it in the
frame while it is cheap and on the geometry worker once it takes longer than a frame (a resize
builds a new surface; a picture has thousands of points), so the frame never waits for it.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np

from sandbox.bayes import LastLayerLaplace
from sandbox.geometry import Partition, copycat_neurons, dead_neurons, linear_regions
from sandbox.geometry.sampled import sampled_surface
from sandbox.geometry.surface import FoldedSurface, build_surface, halfplane_surface
from sandbox.session import Bounds, first_layer_neuron
from sandbox.vocab import Activation

if TYPE_CHECKING:
    from sandbox.session import Session

# while training, the health readouts (the plane's dead neurons, the inspector's neuron flags)
# are made again at most this often (seconds)
HEALTH_INTERVAL = 0.5


def neuron_names(hidden_sizes: Sequence[int], flat: np.ndarray) -> list[str]:
    """Names like "L2 #5" for flat hidden-neuron indices."""
    starts = np.cumsum([0, *hidden_sizes])
    names = []
    for i in np.asarray(flat, dtype=np.int64):
        layer = int(np.searchsorted(starts, i, side="right"))
        names.append(f"L{layer} #{int(i - starts[layer - 1]) + 1}")
    return names


def dead_neurons_job(
    session: Session, bounds: Bounds, part: Partition | None
) -> Callable[[], list[str]]:
    """Names ("L2 #5") of the neurons that get no gradient: never active on the training data
    (or, with no data, nowhere in the window). On a big network and a picture's thousands of
    points it takes a good part of a second."""
    if session.geometry_pending or part is None or part.pending:
        return list  # no partition yet: the check waits for it rather than make one here
    pts = session.points
    X = np.array(pts.X, dtype=np.float64) if len(pts) else None
    usable = part if not part.too_many else None
    net = session.net_of(usable)
    if net is session.net:
        net = session.snapshot().net  # the trainer goes on changing the live one

    def job() -> list[str]:
        # over budget: the partition says so, and the check samples a grid instead of
        # computing the partition all over again
        result = dead_neurons(net, bounds, X, partition=part)
        mask = result.on_data if result.on_data is not None else result.in_window
        return neuron_names(net.hidden_sizes, np.flatnonzero(np.asarray(mask, dtype=bool)))

    return job


def neuron_flags_job(
    session: Session, bounds: Bounds, part: Partition | None
) -> Callable[[], tuple[np.ndarray, np.ndarray]]:
    """Dead (never active on the training data, or in the window without data) and copycat
    (crease on top of another neuron's of the same layer) flags, per hidden neuron. The
    copycat check alone takes about 80 ms on a resize."""
    n = int(sum(session.net.hidden_sizes))
    if session.geometry_pending or part is None or part.pending:
        # no partition yet: the flags wait for it rather than make one here
        return lambda: (np.zeros(n, dtype=bool), np.zeros(n, dtype=bool))
    pts = session.points
    X = np.array(pts.X, dtype=np.float64) if pts is not None and len(pts) else None
    usable = part if not part.too_many else None
    net = session.net_of(usable)
    if net is session.net:
        net = session.snapshot().net  # the trainer goes on changing the live one

    def job() -> tuple[np.ndarray, np.ndarray]:
        try:
            # over budget: the partition says so, and the check samples instead of partitioning
            # the window again (a picture's 500 neurons took 2.4 s in the frame that way)
            dead = dead_neurons(net, bounds, X, partition=part)
        except ValueError:
            return np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
        flags = dead.on_data if dead.on_data is not None else dead.in_window
        copycat = np.zeros(n, dtype=bool)
        if usable is not None and usable.upto_layer == len(net.hidden_sizes):
            starts = np.cumsum([0, *net.hidden_sizes])
            for layer, i, j in copycat_neurons(net, bounds, partition=usable):
                copycat[starts[layer - 1] + i] = copycat[starts[layer - 1] + j] = True
        return np.asarray(flags, dtype=bool), copycat

    return job


def surface_job(
    session: Session,
    kind: str,
    bounds: Bounds,
    part: Partition | None,
    laplace: LastLayerLaplace | None = None,
    neuron: tuple[int, int] | None = None,
) -> Callable[[], FoldedSurface]:
    """The 3D surface of `kind` (output, probability, laplace, band, neuron, halfplane); the
    job raises ValueError when the partition is over its budget or not computed yet. A surface
    of thousands of regions takes a good part of a frame, and every resize builds one."""
    if session.geometry_pending:
        pending = session.geometry_pending

        def waiting() -> FoldedSurface:
            raise ValueError(pending)

        return waiting
    net = session.snapshot().net  # the trainer goes on changing the live one
    if laplace is not None:
        # the prior slider sets the fit's precision in place (set_prior_precision); a
        # shallow copy keeps this one's (a refit makes new arrays, never writes into them)
        laplace = copy.copy(laplace)
    if kind == "halfplane" and net.activation is Activation.RELU:
        return lambda: halfplane_surface(*first_layer_neuron(net, neuron[1]), bounds)
    if kind == "halfplane":  # another activation: the neuron's own curve over the plane
        kind = "neuron"
    if not net.activation.piecewise_linear:  # smooth: a sampled surface
        b = part.boundary if part is not None else None
        return lambda: sampled_surface(
            net, bounds, kind, laplace=laplace, neuron=neuron, boundary=b
        )
    if kind == "neuron":

        def neuron_surface() -> FoldedSurface:
            layer_part = linear_regions(net, bounds, upto_layer=neuron[0])
            if layer_part.too_many:
                raise ValueError(layer_part.message or "too many regions")
            return build_surface(layer_part, net, "neuron", neuron=neuron)

        return neuron_surface
    made_from = session.net_of(part)
    if made_from is session.net:
        made_from = net

    def output_surface() -> FoldedSurface:
        if part is None or part.too_many:
            raise ValueError((part.message if part is not None else "") or "too many regions")
        return build_surface(part, made_from, kind, laplace=laplace)

    return output_surface
