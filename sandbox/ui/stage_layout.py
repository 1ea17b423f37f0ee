"""Where the stage views go: the stage (the area between the panels) is cut into the 2D
view, the 3D view, a side column for the network inspector and the ray-probe plots, and a
timeline strip along the bottom.

Pure arithmetic on rectangles (x, y, w, h; top-left origin), tested without a display. The side
column takes about half of the stage's width (the inspector above the probe when both are on);
the 3D view shares what is left with the 2D view, side by side or one above the other (whichever
gives each the larger short side), or takes all of it ("3D only"). Nothing is ever smaller than a
usable minimum: when the stage is too small for a part, that part is left out.
"""

from __future__ import annotations

from dataclasses import dataclass

Rect = tuple[int, int, int, int]

TIMELINE_HEIGHT = 46
SIDE_FRACTION = 0.48
SIDE_MIN, SIDE_MAX = 340, 600
MIN_VIEW = (160, 120)  # the smallest 2D or 3D pane worth drawing
INSPECTOR_SHARE = 0.47  # of the side column, when the probe plots are below it


@dataclass(frozen=True)
class StageRects:
    """The stage and its parts; parts that are off (or do not fit) are None. `plane` is the 2D
    view; with `hide_2d` the 3D view covers it (the 2D camera still sizes the window shown)."""

    stage: Rect
    plane: Rect
    view3d: Rect | None = None
    inspector: Rect | None = None
    probe: Rect | None = None
    timeline: Rect | None = None
    hide_2d: bool = False

    @property
    def side(self) -> Rect | None:
        parts = [r for r in (self.inspector, self.probe) if r is not None]
        if not parts:
            return None
        x = min(r[0] for r in parts)
        y = min(r[1] for r in parts)
        x1 = max(r[0] + r[2] for r in parts)
        y1 = max(r[1] + r[3] for r in parts)
        return (x, y, x1 - x, y1 - y)


def contains(rect: Rect | None, pos: tuple[float, float]) -> bool:
    """Whether the window position lies in the rectangle (False for None)."""
    if rect is None:
        return False
    x, y, w, h = rect
    return x <= pos[0] < x + w and y <= pos[1] < y + h


def carve(
    stage: Rect,
    *,
    three_d: bool = False,
    only_3d: bool = False,
    probe: bool = False,
    inspector: bool = False,
    timeline: bool = False,
    scale: float = 1.0,
) -> StageRects:
    """Cut the stage into the parts that are on (see the module docstring)."""
    x, y, w, h = (int(v) for v in stage)
    w, h = max(1, w), max(1, h)
    strip = None
    th = round(TIMELINE_HEIGHT * scale)
    if timeline and h - th >= MIN_VIEW[1]:
        strip = (x, y + h - th, w, th)
        h -= th
    insp = prb = None
    if probe or inspector:
        side_w = round(min(max(SIDE_FRACTION * w, SIDE_MIN * scale), SIDE_MAX * scale))
        if w - side_w < MIN_VIEW[0]:
            side_w = w // 2
        if side_w >= MIN_VIEW[0]:
            sx = x + w - side_w
            if probe and inspector:
                ih = round(h * INSPECTOR_SHARE)
                insp = (sx, y, side_w, ih)
                prb = (sx, y + ih, side_w, h - ih)
            elif probe:
                prb = (sx, y, side_w, h)
            else:
                insp = (sx, y, side_w, h)
            w -= side_w
    main = (x, y, w, h)
    if not three_d:
        return StageRects(stage, main, None, insp, prb, strip)
    if only_3d:
        return StageRects(stage, main, main, insp, prb, strip, hide_2d=True)
    # side by side or one above the other: whichever gives each view the larger short side
    beside = min(w // 2, h) >= min(w, h // 2)
    if beside and w // 2 >= MIN_VIEW[0]:
        half = w // 2
        plane = (x, y, half, h)
        view3d = (x + half, y, w - half, h)
    elif h // 2 >= MIN_VIEW[1]:
        half = h // 2
        plane = (x, y, w, half)
        view3d = (x, y + half, w, h - half)
    else:  # too small to share: the 3D view alone
        return StageRects(stage, main, main, insp, prb, strip, hide_2d=True)
    return StageRects(stage, plane, view3d, insp, prb, strip)


NEURON_TRAY_ROWS = 4
NEURON_TRAY_ROW = 28


def neuron_tray(rects: StageRects | None, scale: float) -> Rect | None:
    """Where the single-neuron sliders go: along the bottom of the inspector, else of the 3D
    view when it is tall enough; None when neither has room."""
    if rects is None:
        return None
    h = round((12 + NEURON_TRAY_ROWS * NEURON_TRAY_ROW) * scale)
    for part, room in ((rects.inspector, 240), (rects.view3d, 150)):
        if part is not None and part[3] >= h + room * scale and part[2] >= 220 * scale:
            x, y, w, ph = part
            return (x, y + ph - h, w, h)
    return None
