"""The plane as a vector figure: the state's view turned into a `sandbox.io.svg.Figure`.

`figure_from_state` reads what the plane shows (the camera's rectangle, the views that are on,
the points) and fills a Figure with the exact partition of that rectangle and the screen's own
colours: the palette (sandbox.render.palette) and the plane's line widths and point sizes
(sandbox.render.plane_view), so a figure and a screenshot agree. The screen shades confidence per
pixel inside a region; a figure has one flat polygon per region, filled with the colour the
screen gives the region's centroid (exact for the regions view and for discretised classes away
from the boundary, which is drawn on top). `figure_legend` says what the colours mean. No GL
calls here: this runs in the render command and behind File > Export figure alike.
"""

from __future__ import annotations

import numpy as np

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


class FigureRefused(ValueError):
    """The view has no exact regions to draw (over the budget, or a smooth activation)."""


def plane_bounds(state: AppState) -> tuple[float, float, float, float]:
    """The plane rectangle shown, (xmin, xmax, ymin, ymax)."""
    xmin, ymin, xmax, ymax = state.camera.world_bounds()
    return (float(xmin), float(xmax), float(ymin), float(ymax))


def region_fills(state: AppState, part: Partition) -> np.ndarray:
    """(R, 3) the colour the screen gives each region's centroid, in the views now on."""
    R = len(part)
    views = state.views
    base = (
        np.asarray(part.region_colors, dtype=np.float64)
        if View.REGIONS in views
        else np.broadcast_to(palette.BACKGROUND.astype(np.float64), (R, 3))
    )
    if not (View.FIELD in views or View.LAPLACE in views) or R == 0:
        return np.array(base)
    centres = part.centroids()
    logits = part.logits(centres, np.arange(R))
    if state.task is Task.REGRESSION:
        picture = picture_source(state.preset) is not None
        strength = 1.0 if picture else palette.DEFAULT_STRENGTH
        value_range = (0.0, 1.0)
        return palette.regression_colors(
            logits[:, 0], value_range, base, state.discretise, strength=strength
        )
    la = state.laplace if View.LAPLACE in views else None
    if la is not None:
        try:
            mean, cov = la.logit_mean_cov(centres)
            var = np.diagonal(cov, axis1=1, axis2=2) if cov.ndim == 3 else cov
            return palette.laplace_colors(mean, var, base, state.discretise)
        except (ValueError, ArithmeticError):
            pass  # no fit yet: the plain network, as the screen falls back to it
    return palette.class_field_colors(logits, base, state.discretise)


def figure_legend(state: AppState, part: Partition) -> list[LegendEntry]:
    """What the figure's colours mean: classes (or grey targets), test points, boundary, creases
    per layer, and the number of regions."""
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
    if View.CREASES in views and len(part.creases):
        layers = sorted({int(v) for v in np.unique(part.creases.layer)})[:MAX_LEGEND_LAYERS]
        for layer in layers:
            rgb = palette.LAYER_COLORS[(layer - 1) % len(palette.LAYER_COLORS)]
            out.append(LegendEntry("line", tuple(float(c) for c in rgb), f"crease, layer {layer}"))  # type: ignore[arg-type]
    n = len(part)
    rgb = tuple(float(c) for c in palette.BACKGROUND)
    out.append(LegendEntry("fill", rgb, f"{n:,} linear region{'s' if n != 1 else ''}"))  # type: ignore[arg-type]
    return out


def figure_from_state(state: AppState) -> Figure:
    """The plane as shown now, as a Figure; FigureRefused says why when it has no regions."""
    net = state.net
    if net is None or state.camera is None:
        raise FigureRefused("there is no network to draw yet")
    bounds = plane_bounds(state)
    part = bounded_regions(net, bounds, None)
    if part.too_many:
        raise FigureRefused(
            f"{part.message.split(';')[0]}; a vector figure needs the exact regions: zoom in or "
            "use a smaller network"
            if not part.smooth
            else f"{part.message}; a vector figure needs a piecewise-linear activation"
        )
    views = state.views
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
    cr = part.creases
    level = float(part.level) if state.task is Task.REGRESSION else None
    sizes = "-".join(str(n) for n in net.sizes)
    step = int(state.trainer.steps) if state.trainer is not None else 0
    return Figure(
        bounds=bounds,
        size=(int(round(width)), int(round(height))),
        background=palette.BACKGROUND,
        offsets=part.offsets,
        vertices=part.vertices,
        fills=region_fills(state, part),
        patterns=part.patterns,
        layers=tuple(int(n) for n in net.hidden_sizes),
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
        legend=figure_legend(state, part),
        title=f"Neural Origami: {sizes} network, {len(part):,} linear regions",
        description=(
            f"network {sizes} ({getattr(net.activation, 'value', net.activation)}), training "
            f"step {step}, plane x {bounds[0]:.6g} to {bounds[1]:.6g}, y {bounds[2]:.6g} to "
            f"{bounds[3]:.6g}"
        ),
    )
