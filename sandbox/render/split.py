"""Split screen: MAP on the left, Laplace on the right (or any two field styles); the panes'
cameras and rectangles (sandbox.render.plane_view draws them).

Each half gets its own viewport and a camera of half the width with the same centre and zoom,
so each half shows the whole scene (the zoom is relative to the half's own size, so the default
view still fits [-6, 6]^2). The geometry must cover `union_bounds(panes)`, which is taller than
the full-window view.

A network with no exact regions (a smooth activation: tanh, sigmoid, gelu, sin) has no
per-region closed forms for the Laplace pane; `laplace_grid` samples the Laplace fit's probit
logits over the right pane instead (MacKay's approximation at every sample, as the single Laplace
view of such a network does), for a mesh of its own beside the left pane's MAP output.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .camera import View2D
from .field_grid import GRID_STEP, grid

# Multiply-adds of the logit variances per sampling of the Laplace pane (K (H + 1)^2 a sample,
# about 50 ms): a wide last layer gets a coarser grid instead of a frame that stalls.
LAPLACE_GRID_TERMS = 60_000_000


@dataclass(frozen=True)
class Pane:
    """A camera and where it draws: viewport and scissor as GL rectangles (x, y, w, h),
    origin at the bottom-left of the window."""

    view: View2D
    viewport: tuple[int, int, int, int]
    scissor: tuple[int, int, int, int]


def split_panes(view: View2D, divider: float = 0.5) -> tuple[Pane, Pane]:
    """Left and right panes of `view`'s window; `divider` is the split's fraction of the width."""
    if not 0.0 < divider < 1.0:
        raise ValueError(f"divider {divider} must lie strictly between 0 and 1")
    w, h = view.width, view.height
    wl = min(max(int(round(w * divider)), 1), w - 1)
    left_rect = (0, 0, wl, h)
    right_rect = (wl, 0, w - wl, h)
    left = View2D(view.center, view.zoom, wl, h)
    right = View2D(view.center, view.zoom, w - wl, h)
    return Pane(left, left_rect, left_rect), Pane(right, right_rect, right_rect)


def union_bounds(panes: tuple[Pane, ...] | list[Pane]) -> tuple[float, float, float, float]:
    """The world rectangle every pane can see: what the geometry must cover."""
    bounds = [p.view.world_bounds() for p in panes]
    return (
        min(b[0] for b in bounds),
        min(b[1] for b in bounds),
        max(b[2] for b in bounds),
        max(b[3] for b in bounds),
    )


def laplace_grid(
    laplace, view: View2D, step: int = GRID_STEP
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(vertices (V, 2), triangles (T, 3) int32, logits (V, K)) of a fitted last-layer Laplace's
    probit logits sampled about every `step` screen pixels over `view`'s window (the grid of
    field_grid.grid). Each logit is its mean over the last-layer features at the sample shrunk by
    its variance, m / sqrt(1 + pi/8 v) (LastLayerLaplace.probit_logits), so the mesh pass draws
    the Laplace confidence from them as it draws an output; between samples the logits
    interpolate linearly; the grid is coarser where a wide last layer would make it cost over
    LAPLACE_GRID_TERMS. Raises ValueError when the fit does not match the network."""
    bounds = view.world_bounds()
    nx = view.width // max(1, int(step)) + 2
    ny = view.height // max(1, int(step)) + 2
    d = int(laplace.n_features) + 1
    cost = nx * ny * int(laplace.n_outputs) * d * d
    if cost > LAPLACE_GRID_TERMS:
        f = (cost / LAPLACE_GRID_TERMS) ** 0.5
        nx, ny = max(2, int(nx / f)), max(2, int(ny / f))
    vertices, triangles = grid(bounds, nx, ny)
    return vertices, triangles, np.asarray(laplace.probit_logits(vertices), dtype=np.float64)
