"""Split screen: MAP on the left, Laplace on the right (or any two field styles); the panes'
cameras and rectangles (sandbox.render.plane_view draws them).

Two layouts. SIDE_BY_SIDE gives each half its own viewport and a camera of half the width with
the same centre and zoom, so each half shows the whole scene (the zoom is relative to the half's
own size, so the default view still fits [-6, 6]^2). CURTAIN keeps one camera over the whole
window and only scissors it, so one picture is cut at the divider: left of it one style, right
of it the other, with creases and points continuing across. The geometry must cover
`union_bounds(panes)`, which for SIDE_BY_SIDE is taller than the full-window view.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from .camera import View2D


class SplitMode(StrEnum):
    SIDE_BY_SIDE = "side_by_side"
    CURTAIN = "curtain"


@dataclass(frozen=True)
class Pane:
    """A camera and where it draws: viewport and scissor as GL rectangles (x, y, w, h),
    origin at the bottom-left of the window."""

    view: View2D
    viewport: tuple[int, int, int, int]
    scissor: tuple[int, int, int, int]


def split_panes(
    view: View2D, mode: SplitMode | str = SplitMode.SIDE_BY_SIDE, divider: float = 0.5
) -> tuple[Pane, Pane]:
    """Left and right panes of `view`'s window; `divider` is the split's fraction of the width."""
    try:
        mode = SplitMode(mode)
    except ValueError:
        allowed = ", ".join(m.value for m in SplitMode)
        raise ValueError(f"split mode {mode!r} is unknown; allowed: {allowed}") from None
    if not 0.0 < divider < 1.0:
        raise ValueError(f"divider {divider} must lie strictly between 0 and 1")
    w, h = view.width, view.height
    wl = min(max(int(round(w * divider)), 1), w - 1)
    left_rect = (0, 0, wl, h)
    right_rect = (wl, 0, w - wl, h)
    if mode is SplitMode.CURTAIN:
        full = (0, 0, w, h)
        return Pane(view, full, left_rect), Pane(view, full, right_rect)
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
