"""Where the panels go: left (data and brush), right (network and training), a view toolbar on
top of the plane and a readout strip below it; the plane fills the rest.

A small window (800x600) gets the compact layout: the two side panels share one column on the
right, under two tabs that pick which one shows, so the plane keeps most of the window's width.

Pure arithmetic on the window size and UI scale, so it is tested without a display. When the
window is too small for panels and a usable plane (resized tiny, or a large UI scale on a small
screen) the panels are dropped and the plane takes the whole window: nothing breaks, and the
keyboard still works.
"""

from __future__ import annotations

from sandbox.state import Layout

LEFT_WIDTH = 250
RIGHT_WIDTH = 290
MIN_LEFT = 224
MIN_RIGHT = 250
TOOLBAR_ROW = 46
BOTTOM_HEIGHT = 160
MIN_PLANE = (240, 200)
COMPACT_SHARE = 0.43  # panels leaving the plane less of the width (800x600: 41%) share a column
TAB_HEIGHT = 44


# (view name, label, width at 1x); "layer" is the layer selector group (< label >)
TOOLBAR_ITEMS: tuple[tuple[str, str, int], ...] = (
    ("field", "Field", 62),
    ("boundary", "Boundary", 88),
    ("regions", "Regions", 78),
    ("creases", "Creases", 78),
    ("read", "Read", 60),  # not a view: the Read tool (sandbox.ui.view_toolbar)
    ("laplace", "Laplace", 74),
    ("split", "Split", 56),
    ("error", "Error", 60),
    ("discrete", "Discrete", 78),
    ("dots", "Dots", 56),
    ("3d", "3D", 46),
    ("probe", "Probe", 64),
    ("inspector", "Inspector", 88),
    ("timeline", "Timeline", 84),
    ("layer", "", 28 + 78 + 28 + 10),
)
LAYER_LABEL_WIDTH = 78
TOOLBAR_PAD = 5
PICTURE_TOOLS = ("error", "dots")  # toolbar items that only a picture needs


def sandbox_toolbar(picture: bool) -> tuple[tuple[str, str, int], ...]:
    """The sandbox's toolbar items: all of them for a picture, else all but PICTURE_TOOLS."""
    return tuple(item for item in TOOLBAR_ITEMS if picture or item[0] not in PICTURE_TOOLS)


def toolbar_rows(
    plane_width: int, scale: float, items: tuple[tuple[str, str, int], ...] = TOOLBAR_ITEMS
) -> int:
    """How many rows the view toolbar with these items needs at this width (its buttons
    wrap)."""
    rows, x = 1, TOOLBAR_PAD * scale
    for _, _, width in items:
        w = (width + TOOLBAR_PAD) * scale
        if x + w > plane_width and x > TOOLBAR_PAD * scale:
            rows += 1
            x = TOOLBAR_PAD * scale
        x += w
    return rows


COMPACT_LAYERS = 3  # more hidden layers than this get one-line rows in the network panel


def panel_content_height(n_layers: int) -> int:
    """Height at 1x that the side panels' controls need (the network panel grows with layers)."""
    n = max(1, int(n_layers))
    right = 519 + 28 * n if n > COMPACT_LAYERS else 513 + 54 * n
    return max(right, 620) + 12


def compute_layout(
    window: tuple[int, int],
    scale: float,
    show_ui: bool = True,
    n_layers: int = 3,
    picture: bool = False,
) -> Layout:
    """Panel rectangles and the plane rectangle (x, y, w, h; top-left origin) for a window;
    `picture`: the data is a picture, whose toolbar has the PICTURE_TOOLS too.

    When the panels at `scale` would leave too small a plane, or their controls would not fit
    the window's height, smaller scales are tried (down to 1x) before the panels are dropped;
    `Layout.scale` is the scale used.
    """
    scales = [scale]
    s = scale - 0.25
    while s >= 1.0 - 1e-9:
        scales.append(round(s, 2))
        s -= 0.25
    if scales[-1] > 1.0:
        scales.append(1.0)
    need = panel_content_height(n_layers)
    for s in scales:
        layout = _layout_at(window, s, show_ui, sandbox_toolbar(picture))
        if not show_ui:
            return layout
        if panels_visible(layout) and (s <= 1.0 or window[1] >= need * s):
            return layout
    return layout


def _layout_at(
    window: tuple[int, int], scale: float, show_ui: bool, items: tuple[tuple[str, str, int], ...]
) -> Layout:
    w = max(1, int(window[0]))
    h = max(1, int(window[1]))
    if show_ui:
        # a small window gets narrower side panels (down to a minimum; they scroll) before the
        # plane gets too small to paint on
        left = min(round(LEFT_WIDTH * scale), max(round(MIN_LEFT * scale), round(0.28 * w)))
        right = min(round(RIGHT_WIDTH * scale), max(round(MIN_RIGHT * scale), round(0.3 * w)))
        bottom = round(BOTTOM_HEIGHT * scale)
        plane_w = w - left - right
        if plane_w < COMPACT_SHARE * w:
            return _compact_layout(w, h, scale, items)
        rows = toolbar_rows(plane_w, scale, items) if plane_w > 0 else 1
        top = round(TOOLBAR_ROW * scale * rows)
        plane_h = h - top - bottom
        if plane_w >= MIN_PLANE[0] and plane_h >= MIN_PLANE[1]:
            return Layout(
                window=(w, h),
                plane=(left, top, plane_w, plane_h),
                left=(0, 0, left, h),
                right=(w - right, 0, right, h),
                bottom=(left, h - bottom, plane_w, bottom),
                scale=scale,
                toolbar=tuple(name for name, _, _ in items),
            )
    return Layout(window=(w, h), plane=(0, 0, w, h), scale=scale)


def _compact_layout(
    w: int, h: int, scale: float, items: tuple[tuple[str, str, int], ...]
) -> Layout:
    """Both side panels in one column on the right, under a strip of tabs (see the module
    docstring); the toolbar and the readouts span the rest of the width as usual."""
    col = max(round(MIN_RIGHT * scale), min(round(RIGHT_WIDTH * scale), round(0.32 * w)))
    tabs = round(TAB_HEIGHT * scale)
    plane_w = w - col
    rows = toolbar_rows(plane_w, scale, items) if plane_w > 0 else 1
    top = round(TOOLBAR_ROW * scale * rows)
    bottom = round(BOTTOM_HEIGHT * scale)
    plane_h = h - top - bottom
    if plane_w >= MIN_PLANE[0] and plane_h >= MIN_PLANE[1] and h - tabs >= MIN_PLANE[1]:
        side = (w - col, tabs, col, h - tabs)
        return Layout(
            window=(w, h),
            plane=(0, top, plane_w, plane_h),
            left=side,
            right=side,
            bottom=(0, h - bottom, plane_w, bottom),
            tabs=(w - col, 0, col, tabs),
            scale=scale,
            toolbar=tuple(name for name, _, _ in items),
        )
    return Layout(window=(w, h), plane=(0, 0, w, h), scale=scale)


def panels_visible(layout: Layout) -> bool:
    return layout.left[2] > 0


PRESENTER_PANEL_SCALE = 1.5  # panels smaller than this are hard to read on a projector


def presenter_hides_panels(window: tuple[int, int], n_layers: int = 3) -> bool:
    """Presenter mode gives the plane the window when the panels cannot be shown at a size a
    room can read (1.5x): on a 1280x800 projector they would leave the plane a third of it."""
    return compute_layout(window, 2.0, True, n_layers).scale < PRESENTER_PANEL_SCALE
