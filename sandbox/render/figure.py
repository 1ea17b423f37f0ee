"""The plane as a vector figure: the state's view turned into a `sandbox.io.svg.Figure`.

`figure_from_state` reads what the plane shows (the camera's rectangle, the views that are on,
the points) and fills a Figure with the exact partition of that rectangle and the screen's own
colours: the palette (sandbox.render.palette) and the plane's line widths and point sizes
(sandbox.render.plane_view), so a figure and a screenshot agree. The screen shades confidence per
pixel; a figure has one polygon per region, filled with the screen's colour at its centroid, or,
where the colour changes inside the region (near the boundary), with a linear gradient along the
direction the outputs change (`region_shading`). `figure_legend` says what the colours mean. No GL
calls here: this runs in the render command and behind File > Export figure alike.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from sandbox.bayes import LastLayerLaplace
from sandbox.data.datasets import picture_source
from sandbox.geometry import Partition
from sandbox.geometry.arrangement import bounded_regions
from sandbox.io.svg import Figure, LegendEntry
from sandbox.render import palette
from sandbox.render.plane_view import (
    BOUNDARY_COLOR,
    BOUNDARY_WIDTH,
    GREYS,
    POINT_RADIUS,
    crease_width,
)
from sandbox.render.points import DEFAULT_RING_FRACTION, HOLLOW_FILL
from sandbox.state import AppState
from sandbox.vocab import Task, View

MAX_LEGEND_LAYERS = 8
SHADE_MIN = 1.5 / 255  # a region whose colour changes more than this inside it gets a gradient
STOP_TOLERANCE = 0.75 / 255  # a gradient stop the neighbours' linear mix matches is left out
UNIFORM_STOPS = 7  # evenly spaced samples of a gradient, before the bends and the pruning


class FigureRefused(ValueError):
    """The view has no exact regions to draw (over the budget, or a smooth activation)."""


def plane_bounds(state: AppState) -> tuple[float, float, float, float]:
    """The plane rectangle shown, (xmin, xmax, ymin, ymax)."""
    xmin, ymin, xmax, ymax = state.camera.world_bounds()
    return (float(xmin), float(xmax), float(ymin), float(ymax))


@dataclass
class Shading:
    """Region fills: a flat colour per region (the screen's at its centroid) and, for regions
    whose colour changes inside them, a linear gradient (see sandbox.io.svg.Figure)."""

    fills: np.ndarray
    regions: np.ndarray
    ends: np.ndarray
    offsets: np.ndarray
    colors: np.ndarray


@dataclass(frozen=True)
class FieldLook:
    """What decides the plane's colours: the views on, the task, discretised or not, and whether
    the targets are a picture's (drawn at full contrast)."""

    views: frozenset[View]
    task: Task = Task.CLASSIFICATION
    discretise: bool = False
    picture: bool = False

    @classmethod
    def of(cls, state: AppState) -> FieldLook:
        picture = state.task is Task.REGRESSION and picture_source(state.preset) is not None
        return cls(frozenset(state.views), state.task, bool(state.discretise), picture)


def _color_function(look: FieldLook) -> Callable[[np.ndarray, np.ndarray], np.ndarray] | None:
    """(N, K) outputs and (N, 3) bases -> (N, 3) the screen's field colours (None: no field)."""
    if View.FIELD not in look.views and View.LAPLACE not in look.views:
        return None
    if look.task is Task.REGRESSION:
        strength = 1.0 if look.picture else palette.DEFAULT_STRENGTH
        return lambda out, base: palette.regression_colors(
            out[:, 0], (0.0, 1.0), base, look.discretise, strength=strength
        )
    return lambda out, base: palette.class_field_colors(out, base, look.discretise)


def _special_values(state: FieldLook) -> np.ndarray:
    """Values of the shading coordinate where the colour bends (stops are placed there)."""
    eps = 1e-9
    if state.task is Task.REGRESSION:
        if state.discretise:
            edges = np.arange(palette.DEFAULT_LEVELS + 1) / palette.DEFAULT_LEVELS
            return np.concatenate([edges - eps, edges + eps])
        return np.array([0.0, 1.0])
    # d = l_a - l_b: the colour is the background at d = 0 and saturates like tanh(d / 2)
    knees = np.array([0.25, 0.5, 1.0, 1.5, 2.0, 3.0, 4.5])
    zero = [-eps, eps] if state.discretise else [0.0]
    return np.concatenate([-knees, zero, knees])


def region_shading(
    part: Partition, look: FieldLook, laplace: LastLayerLaplace | None = None
) -> Shading:
    """The screen's colours of every region (views now on): flat at the centroid, and along a
    gradient where they change inside the region. In a region the outputs are affine; the
    colour follows d = l_a - l_b (the two classes on top at the centroid; a picture's value), so
    the gradient runs along the direction in which d grows, with stops where the colour bends.
    For two classes or a picture that is the screen's colour exactly (between stops, linear);
    with more classes, exact along the gradient's line. The Laplace view (`laplace` given) is
    flat."""
    R = len(part)
    views = look.views
    base = (
        np.asarray(part.region_colors, dtype=np.float64)
        if View.REGIONS in views
        else np.broadcast_to(palette.BACKGROUND.astype(np.float64), (R, 3))
    )
    none = Shading(np.array(base), np.zeros(0, np.int64), np.zeros((0, 4)), np.zeros((0, 2)),
                   np.zeros((0, 2, 3)))  # fmt: skip
    color = _color_function(look)
    if color is None or R == 0:
        return none
    M = part.output_maps
    centres = part.centroids()
    logits = part.logits(centres, np.arange(R))
    la = laplace if View.LAPLACE in views else None
    if la is not None:
        try:
            mean, cov = la.logit_mean_cov(centres)
            var = np.diagonal(cov, axis1=1, axis2=2) if cov.ndim == 3 else cov
            return replace(none, fills=palette.laplace_colors(mean, var, base, look.discretise))
        except (ValueError, ArithmeticError):
            pass  # no fit yet: the plain network, as the screen falls back to it
    fills = color(logits, base)
    rows = np.arange(R)
    if M.shape[1] == 1:
        grad, dc = M[:, 0, :2], logits[:, 0]
    else:
        top = np.argsort(logits, axis=1)
        a, b = top[:, -1], top[:, -2]
        grad = M[rows, a, :2] - M[rows, b, :2]
        dc = logits[rows, a] - logits[rows, b]
    norm2 = np.einsum("ij,ij->i", grad, grad)
    # d at every corner, its range per region
    rid = part.region_ids
    dv = np.einsum("ij,ij->i", part.vertices - centres[rid], grad[rid]) + dc[rid]
    starts = part.offsets[:-1]
    dmin = np.minimum.reduceat(dv, starts)
    dmax = np.maximum.reduceat(dv, starts)
    span = dmax - dmin
    moving = np.flatnonzero((norm2 > 1e-300) & (span > 1e-12 * (1.0 + np.abs(dc))))

    def colors_at(idx: np.ndarray, d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Points (G, S, 2) where d takes the values `d` (G, S) on the line of steepest change
        through each region's centroid, and the screen's colours there (G, S, 3)."""
        G, S = d.shape
        step = (d - dc[idx, None]) / norm2[idx, None]
        pts = centres[idx, None, :] + step[:, :, None] * grad[idx, None, :]
        Mi = M[idx]
        out = np.einsum("gsj,gkj->gsk", pts, Mi[:, :, :2]) + Mi[:, None, :, 2]
        cols = color(out.reshape(G * S, -1), np.repeat(base[idx], S, axis=0))
        return pts, cols.reshape(G, S, 3)

    # a cheap look first: the colour at both ends and at the boundary (or a picture's ends)
    lo, hi = dmin[moving, None], dmax[moving, None]
    probe = np.concatenate([lo, hi, np.clip(0.0, lo, hi)], axis=1)
    _, cols = colors_at(moving, probe)
    shaded = moving[np.abs(cols - fills[moving, None, :]).max(axis=(1, 2)) > SHADE_MIN]
    if len(shaded) == 0:
        return replace(none, fills=fills)
    lo, hi = dmin[shaded, None], dmax[shaded, None]
    uniform = lo + (hi - lo) * np.linspace(0.0, 1.0, UNIFORM_STOPS)[None, :]
    d = np.sort(np.concatenate([uniform, np.clip(_special_values(look)[None, :], lo, hi)], 1), 1)
    pts, cols = colors_at(shaded, d)
    offsets = (d - lo) / (hi - lo)
    offsets[~_needed_stops(offsets, cols)] = np.nan  # linear between its neighbours anyway
    ends = np.concatenate([pts[:, 0, :], pts[:, -1, :]], axis=1)
    return Shading(fills, shaded, ends, offsets, cols)


def _needed_stops(offsets: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """(G, S) which stops a gradient needs so that the linear mix between the stops kept is
    within STOP_TOLERANCE of every stop (top down: from the two ends, the stop the mix misses
    most is added, one per gradient and round, until none misses)."""
    G, S = offsets.shape
    keep = np.zeros((G, S), dtype=bool)
    keep[:, 0] = keep[:, -1] = True
    idx = np.arange(S)
    active = np.arange(G)  # gradients that may still miss a stop
    for _ in range(S - 2):
        k = keep[active]
        o, c = offsets[active], cols[active]
        a = np.maximum.accumulate(np.where(k, idx, 0), axis=1)  # kept stop at or before
        b = np.minimum.accumulate(np.where(k, idx, S - 1)[:, ::-1], axis=1)[:, ::-1]
        oa, ob = np.take_along_axis(o, a, 1), np.take_along_axis(o, b, 1)
        width = ob - oa
        with np.errstate(divide="ignore", invalid="ignore"):
            t = np.where(width > 0, (o - oa) / width, 0.0)
        ca = np.take_along_axis(c, a[:, :, None], 1)
        cb = np.take_along_axis(c, b[:, :, None], 1)
        err = np.abs(c - (ca + (cb - ca) * t[:, :, None])).max(axis=2)
        err[k] = 0.0
        j = np.argmax(err, axis=1)
        add = err[np.arange(len(active)), j] > STOP_TOLERANCE
        if not add.any():
            break
        active = active[add]
        keep[active, j[add]] = True
    return keep


def figure_legend(
    state: AppState, part: Partition, shown: Partition | None = None
) -> list[LegendEntry]:
    """What the figure's colours mean: classes (or grey targets), test points, boundary (of
    `part`), creases per layer and the number of regions (of `shown`, default `part`)."""
    shown = part if shown is None else shown
    out: list[LegendEntry] = []
    pts = state.points
    views = state.views
    if state.task is Task.CLASSIFICATION:
        used = sorted({int(c) for c in np.unique(pts.y)}) if len(pts) else []
        n_out = int(state.net.n_out) if state.net is not None else 2
        for k in sorted(set(used) | set(range(n_out))):
            rgb = tuple(float(c) for c in palette.CLASS_COLORS[k % len(palette.CLASS_COLORS)])
            out.append(LegendEntry("point", rgb, f"class {k + 1}"))  # type: ignore[arg-type]
        if len(pts) and bool(np.any(pts.is_test)):
            grey = (0.45, 0.45, 0.45)
            out.append(LegendEntry("hollow", grey, "test point"))
    elif state.show_points and len(pts):
        out.append(LegendEntry("point", tuple(GREYS[0]), "target 0 (black)"))  # type: ignore[arg-type]
        out.append(LegendEntry("point", tuple(GREYS[-1]), "target 1 (white)"))  # type: ignore[arg-type]
    if View.BOUNDARY in views and len(part.boundary):
        what = "decision boundary" if state.task is Task.CLASSIFICATION else "level 0.5"
        out.append(LegendEntry("line", tuple(BOUNDARY_COLOR[:3]), what, BOUNDARY_WIDTH))
    if View.CREASES in views and len(shown.creases):
        layers = sorted({int(v) for v in np.unique(shown.creases.layer)})[:MAX_LEGEND_LAYERS]
        for layer in layers:
            rgb = palette.LAYER_COLORS[(layer - 1) % len(palette.LAYER_COLORS)]
            out.append(LegendEntry("line", tuple(float(c) for c in rgb), f"crease, layer {layer}"))  # type: ignore[arg-type]
    n = len(shown)
    rgb = tuple(float(c) for c in palette.BACKGROUND)
    out.append(LegendEntry("fill", rgb, f"{n:,} linear region{'s' if n != 1 else ''}"))  # type: ignore[arg-type]
    return out


def _exact(part: Partition) -> Partition:
    if part.too_many:
        raise FigureRefused(
            f"{part.message.split(';')[0]}; a vector figure needs the exact regions: zoom in or "
            "use a smaller network"
            if not part.smooth
            else f"{part.message}; a vector figure needs a piecewise-linear activation"
        )
    return part


def figure_from_state(state: AppState) -> Figure:
    """The plane as shown now, as a Figure; FigureRefused says why when it has no regions.
    With the layer selector on layer l (regions view), the regions and creases are those of
    layers 1 to l, flat in their own colours, as the screen shows them."""
    net = state.net
    if net is None or state.camera is None:
        raise FigureRefused("there is no network to draw yet")
    bounds = plane_bounds(state)
    part = _exact(bounded_regions(net, bounds, None))
    views = state.views
    upto = int(state.layer_view) if state.layer_view and View.REGIONS in views else 0
    shown = _exact(bounded_regions(net, bounds, upto)) if upto else part
    layers = tuple(int(n) for n in net.hidden_sizes[: upto or None])
    n_hidden = int(getattr(net, "n_hidden", 0))
    show_creases = View.CREASES in views
    show_boundary = View.BOUNDARY in views
    pts = state.points
    show_points = bool(state.show_points) and len(pts) > 0
    if state.task is Task.CLASSIFICATION:
        labels = np.asarray(pts.y, dtype=np.int64)
        point_colors = palette.CLASS_COLORS[labels % len(palette.CLASS_COLORS)]
        point_labels = [str(v) for v in labels.tolist()]
    else:
        values = np.asarray(pts.y, dtype=np.float64)
        point_colors = GREYS[np.clip(np.rint(values * 5), 0, 5).astype(np.int64)]
        point_labels = [repr(float(v)) for v in values.tolist()]
    width, height = state.camera.width, state.camera.height
    radius = POINT_RADIUS if len(pts) <= 2000 else 3.5
    cr = shown.creases
    level = float(part.level) if state.task is Task.REGRESSION else None
    sizes = "-".join(str(n) for n in net.sizes)
    if upto:  # flat colours of the partition by the first layers, no field
        shading = region_shading(shown, FieldLook(frozenset({View.REGIONS})))
    else:
        shading = region_shading(part, FieldLook.of(state), state.laplace)
    step = int(state.trainer.steps) if state.trainer is not None else 0
    return Figure(
        bounds=bounds,
        size=(int(round(width)), int(round(height))),
        background=palette.BACKGROUND,
        offsets=shown.offsets,
        vertices=shown.vertices,
        fills=shading.fills,
        shade_regions=shading.regions,
        shade_ends=shading.ends,
        shade_offsets=shading.offsets,
        shade_colors=shading.colors,
        patterns=shown.patterns,
        layers=layers,
        creases=cr.segments if show_creases else np.zeros((0, 4)),
        crease_layer=cr.layer if show_creases else np.zeros(0, np.int32),
        crease_neuron=cr.neuron if show_creases else np.zeros(0, np.int32),
        layer_colors=palette.layer_colors(len(palette.LAYER_COLORS), 0.95),
        crease_width=crease_width(n_hidden, 1.0),
        boundary=part.boundary if show_boundary else np.zeros((0, 4)),
        boundary_classes=part.boundary_classes if show_boundary else np.zeros((0, 2), np.int32),
        boundary_color=tuple(BOUNDARY_COLOR),
        boundary_width=BOUNDARY_WIDTH,
        level=level,
        points=pts.X if show_points else np.zeros((0, 2)),
        point_colors=point_colors if show_points else np.zeros((0, 3)),
        point_labels=point_labels if show_points else [],
        point_test=pts.is_test if show_points else np.zeros(0, bool),
        point_radius=radius,
        point_outline=tuple(float(c) for c in palette.POINT_OUTLINE),
        hollow_fill=tuple(float(c) for c in HOLLOW_FILL),
        ring_fraction=DEFAULT_RING_FRACTION,
        legend=figure_legend(state, part, shown),
        title=f"Neural Origami: {sizes} network, {len(shown):,} linear regions"
        + (f" of layers 1 to {upto}" if upto else ""),
        description=(
            f"network {sizes} ({getattr(net.activation, 'value', net.activation)}), training "
            f"step {step}, plane x {bounds[0]:.6g} to {bounds[1]:.6g}, y {bounds[2]:.6g} to "
            f"{bounds[3]:.6g}"
        ),
    )
