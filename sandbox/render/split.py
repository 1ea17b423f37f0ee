"""Split screen: MAP on the left, Laplace on the right (or any two field styles); the panes'
cameras and rectangles (sandbox.render.plane_view draws them).

Each half gets its own viewport and a camera of half the width with the same centre and zoom,
so each half shows the whole scene (the zoom is relative to the half's own size, so the default
view still fits [-6, 6]^2). The geometry must cover `union_bounds(panes)`, which is taller than
the full-window view.
"""

from __future__ import annotations

from dataclasses import dataclass

from .camera import View2D


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
