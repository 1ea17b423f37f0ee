"""Split screen: MAP on the left, Laplace on the right (or any two field styles).

Two layouts. SIDE_BY_SIDE gives each half its own viewport and a camera of half the width with
the same centre and zoom, so each half shows the whole scene (the zoom is relative to the half's
own size, so the default view still fits [-6, 6]^2). CURTAIN keeps one camera over the whole
window and only scissors it, so one picture is cut at the divider: left of it one style, right
of it the other, with creases and points continuing across. The geometry must cover
`union_bounds(panes)`, which for SIDE_BY_SIDE is taller than the full-window view.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum

from .camera import View2D
from .gl import GL


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


@contextmanager
def pane_scope(pane: Pane, window_size: tuple[int, int]) -> Iterator[View2D]:
    """Draw inside one pane: sets viewport and scissor, restores the full window afterwards."""
    GL.glViewport(*pane.viewport)
    GL.glScissor(*pane.scissor)
    GL.glEnable(GL.GL_SCISSOR_TEST)
    try:
        yield pane.view
    finally:
        GL.glDisable(GL.GL_SCISSOR_TEST)
        GL.glViewport(0, 0, int(window_size[0]), int(window_size[1]))


def draw_divider(
    right: Pane, color: tuple[float, float, float, float] = (0.1, 0.1, 0.1, 1.0), width: int = 2
) -> None:
    """A vertical bar at the left edge of the right pane (a scissored clear: no program)."""
    x, y, _, h = right.scissor
    GL.glEnable(GL.GL_SCISSOR_TEST)
    GL.glScissor(x - width // 2, y, width, h)
    GL.glClearColor(*color)
    GL.glClear(GL.GL_COLOR_BUFFER_BIT)
    GL.glDisable(GL.GL_SCISSOR_TEST)


def draw_split(
    view: View2D,
    draw_pane: Callable[[View2D, int], None],
    mode: SplitMode | str = SplitMode.SIDE_BY_SIDE,
    divider: float = 0.5,
    divider_color: tuple[float, float, float, float] = (0.1, 0.1, 0.1, 1.0),
) -> tuple[Pane, Pane]:
    """Call draw_pane(pane_view, 0) for the left pane and draw_pane(pane_view, 1) for the right,
    each clipped to its half, then draw the divider. Returns the panes."""
    panes = split_panes(view, mode, divider)
    for index, pane in enumerate(panes):
        with pane_scope(pane, view.size) as pane_view:
            draw_pane(pane_view, index)
    draw_divider(panes[1], divider_color)
    return panes
