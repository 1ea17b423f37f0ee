"""The sandbox's view toolbar above the stage: a toggle per view (VIEW_TIPS say what each shows),
Discrete and Dots, the Read tool and the layer selector group, wrapping onto more rows as
sandbox.ui.layout counted them.

Read is the mouse's way into reading a region (sandbox.scenes.reading): while it is on, a click
on the plane reads the region under it, as Enter over the plane does; it shows on while a
region is read, and a click on it (or Esc) lets go. Like every panel, this only emits actions.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from sandbox import actions as A
from sandbox import region_actions as R
from sandbox.state import AppState
from sandbox.ui.layout import LAYER_LABEL_WIDTH, TOOLBAR_ITEMS
from sandbox.vocab import VIEW_KEYS, View

if TYPE_CHECKING:
    from sandbox.ui.panels import SandboxPanels

VIEW_TIPS = {
    View.ERROR: "Pictures: show |target - output| instead of the output, black where the "
    "network is right and bright where it struggles (the sharp edges).",
    View.FIELD: "Colour the plane by what the network predicts: the stronger the colour, the "
    "surer it is. For a picture, the predicted grey.",
    View.BOUNDARY: "Draw the decision boundary: the exact line where the network switches "
    "from one class to another.",
    View.REGIONS: "Fill each linear region with its own colour. Inside a region the network "
    "is a flat (linear) function; the colour stays with the region while it trains.",
    View.CREASES: "Draw every neuron's crease: where it switches on or off. Colours tell the "
    "layers apart; later layers bend where they meet earlier creases.",
    View.LAPLACE: "Show confidence with a bit of Bayes (last-layer Laplace) instead of the "
    "plain trained network. Zoom out far to see the difference.",
    View.SPLIT: "Split screen: the plain network (MAP) on the left, the Laplace version on the "
    "right, same view.",
    View.THREE_D: "The output as folded paper: one flat facet per linear region, folded along the "
    "creases. Drag to turn it, wheel to zoom; the cursor is linked with the flat view.",
    View.PROBE: "Walk along a ray from the data outwards and plot the logits and the confidence "
    "against the distance, plain and with Laplace. Shift+drag on the plane for a new ray.",
    View.INSPECTOR: "The network as a diagram: every neuron with a picture of where it is on. "
    "Click one to see its crease and weights; drag a first-layer crease to move it.",
    View.MARGINS: "Colour the points by their exact distance to the decision boundary: yellow "
    "close, blue far, vermillion on the wrong side (the Margins chart is the legend). "
    "Ctrl+drag shows the smallest move that flips a class.",
    View.TIMELINE: "Go back in training: a slider through the saved snapshots, a replay, and "
    "training on from any past moment. A click on the loss chart jumps there too.",
}
# the toolbar's items that are not views: (tip, action)
TOOL_TIPS: dict[str, tuple[str, Callable[[], A.Action]]] = {
    "dots": (
        "The training points as dots. Pictures hide them: every pixel is a point, and the field "
        "shows the picture the network makes. Key K.",
        A.TogglePoints,
    ),
    "discrete": (
        "Hard class colours instead of confidence shading (for pictures: a few grey steps). Key D.",
        A.ToggleDiscretise,
    ),
    "read": (
        "Read a region: while this is on, a click on the plane shows the region's formula, the "
        "on/off bit of every neuron, its area and neighbours, instead of painting. Enter over "
        "the plane does the same. Click Read again (or press Esc) to paint again.",
        R.ToggleReadTool,
    ),
}


def toggle_on(key: str, state: AppState) -> bool:
    """Whether the non-view toolbar item `key` shows on."""
    if key == "discrete":
        return bool(state.discretise)
    if key == "dots":
        return bool(state.show_points)
    if key == "read":
        return state.reading.active or state.reading.tool
    return False


def build_view_toolbar(panels: SandboxPanels, state: AppState) -> None:
    """The toolbar's buttons above the whole stage (the 2D view and any 3D view, probe or
    inspector beside it), registered as the panels' toggles."""
    stage = state.layout.stage
    px, py, pw, ph = stage if stage[2] > 0 else state.layout.plane
    panel = panels._panel((px, 0, pw, py), "#toolbar")
    s = panels.s
    pad, h = s(5), s(34)
    x, y = pad, (s(46) - h) // 2
    for name, label, width in TOOLBAR_ITEMS:
        if name == "layer" or name not in state.layout.toolbar:  # Error, Dots: pictures only
            continue
        width = s(width)
        if x + width > pw - pad:
            x, y = pad, y + s(46)
        if name in View._value2member_map_:
            view = View(name)
            tip = f"{VIEW_TIPS[view]} Key {VIEW_KEYS[view]}."
            act: Callable[[], A.Action] = partial(A.ToggleView, view.value)
            key: View | str = view
        else:
            tip, act = TOOL_TIPS[name]
            key = name
        panels._toggles[key] = panels._button(panel, (x, y, width, h), label, tip, act, "@toggle")
        x += width + pad
    width, mid = s(28), s(LAYER_LABEL_WIDTH)
    if x + width * 2 + mid + pad * 2 > pw - pad:
        x, y = pad, y + s(46)
    tip = (
        "Which partition the regions view shows: the one made by layers 1..l only, or the "
        "joint one of the whole network. Keys [ and ]."
    )
    panels._button(panel, (x, y, width, h), "<", tip, lambda: A.CycleLayerView(-1))
    x += width + pad
    panels._toggles["layer"] = panels._button(
        panel, (x, y, mid, h), "Joint", tip, lambda: A.CycleLayerView(1), "@toggle"
    )
    x += mid + pad
    panels._button(panel, (x, y, width, h), ">", tip, lambda: A.CycleLayerView(1))
