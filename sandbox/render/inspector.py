"""The network inspector: a diagram of the network with live neuron thumbnails, and hit testing.

As in the TensorFlow Playground, neurons are nodes in columns by layer (inputs x and y on the
left, outputs on the right) and every weight is a link whose width grows with |w| (relative to
the largest |w| of its layer, so deep layers with small weights stay readable) and whose colour
gives its sign: blue positive, orange negative (the Okabe-Ito pair of the class colours); a
layer of more than MAX_LINKS_PER_LAYER links shows its strongest (`strongest_links`). Each
node is a small picture of its neuron over the current view, computed on the CPU on a coarse
grid (icons, not the main view): the region where a hidden neuron is off is paper grey, where it
is on it darkens to blue with its activation, so its crease is the edge between the two. Dead
neurons are crossed out, copycats carry an "=" badge, indecisive neurons (whose crease swings
far while the loss barely changes: the indecisive-neuron experiment) a "~" badge, the hovered
and selected neurons get a frame.

The hidden activation's curve (sigma(z) for z in [-3, 3], with its name) sits in the diagram's
bottom-left corner, so a leaky slope or hardtanh's two kinks are in view beside the neurons.

Pure functions: `network_layout` (node positions and links), `link_styles`, `neuron_thumbnails`,
`activation_curve`,
`thumbnail_atlas`, `hit_node`, `neuron_info`, `activity_tint`, `flat_index`. Drawing goes through
a sandbox.render.canvas.Canvas; `NetworkDiagram` ties them together for the app:

    diagram = NetworkDiagram()
    diagram.update(net, view_bounds, rect, dead=dead_flags, copycat=copycat_flags)
    canvas.begin(window_size); diagram.draw(canvas, selected=ref, hovered=hover); canvas.draw()
    ref = hit_node(diagram.layout, mouse_pos)       # NodeRef(layer, index) or None
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from sandbox.nn.activations import activate
from sandbox.settings import setting
from sandbox.vocab import Activation

from . import palette
from .canvas import INK, INK_DIM, Canvas, Rect

POSITIVE = palette.hex_to_rgb(palette.OKABE_ITO["blue"])
NEGATIVE = palette.hex_to_rgb(palette.OKABE_ITO["orange"])
OFF_COLOR = np.array([0.90, 0.89, 0.86], dtype=np.float32)
ON_LOW = np.array([0.80, 0.88, 0.95], dtype=np.float32)
ON_HIGH = np.array([0.05, 0.30, 0.55], dtype=np.float32)
DEAD_MARK = np.array([0.55, 0.10, 0.10, 0.95], dtype=np.float32)
COPYCAT_MARK = np.array([0.45, 0.20, 0.55, 1.0], dtype=np.float32)
INDECISIVE_MARK = np.array([0.84, 0.37, 0.0, 1.0], dtype=np.float32)  # Okabe-Ito vermillion
SELECT_COLOR = INK
# what the curve's label calls each activation: the network panel's words
ACTIVATION_NAMES = dict(
    zip(setting("activation").choices, setting("activation").choice_labels, strict=True)
)
MAX_NODE = 48
MAX_LINKS_PER_LAYER = 256  # the widest links of a layer drawn (strongest_links)


@dataclass(frozen=True)
class NodeRef:
    """A node of the diagram: layer 0 are the inputs, 1..L the hidden layers, L + 1 the
    outputs; index within the layer (0-based)."""

    layer: int
    index: int


@dataclass
class DiagramLayout:
    """Node centres `xy` (N, 2) in pixels (origin top-left, y down), their `layer` and `index`,
    the node side `node` (pixels); links from node `src` to node `dst` (E,), with the weight
    layer `link_layer` (1-based: weights into hidden layer 1 are layer 1) and the weight's row
    (`link_out`) and column (`link_in`) in that layer's W."""

    sizes: list[int]
    rect: Rect
    xy: np.ndarray
    layer: np.ndarray
    index: np.ndarray
    node: float
    src: np.ndarray
    dst: np.ndarray
    link_layer: np.ndarray
    link_out: np.ndarray
    link_in: np.ndarray

    @property
    def n_nodes(self) -> int:
        return int(self.xy.shape[0])

    def node_id(self, ref: NodeRef) -> int:
        starts = np.cumsum([0, *self.sizes])
        if not (0 <= ref.layer < len(self.sizes) and 0 <= ref.index < self.sizes[ref.layer]):
            raise ValueError(f"node {ref} is not in a network of sizes {self.sizes}")
        return int(starts[ref.layer] + ref.index)

    def node_rect(self, node_id: int) -> Rect:
        x, y = self.xy[node_id]
        h = self.node / 2
        return (float(x - h), float(y - h), float(self.node), float(self.node))


def network_layout(
    sizes: Sequence[int], rect: Rect, max_node: float = MAX_NODE, header: float = 24.0
) -> DiagramLayout:
    """Columns evenly spaced across `rect` (x, y, w, h), nodes evenly spaced and centred in each
    column below a `header` band for the layer names; the node side is as large as the
    crowdedest column allows, at most `max_node` pixels (whole pixels, so thumbnails map 1:1)."""
    sizes = [int(s) for s in sizes]
    if len(sizes) < 2 or min(sizes) < 1:
        raise ValueError(f"layer sizes {sizes} must be at least two positive integers")
    x, y, w, h = (float(v) for v in rect)
    if w <= 0 or h <= header:
        raise ValueError(f"diagram rectangle {rect} is too small")
    n_cols = len(sizes)
    col_w = w / n_cols
    body = h - header
    pitch = body / max(sizes)
    node = max(1.0, float(np.floor(min(max_node, 0.42 * col_w, 0.8 * pitch))))
    xs, ys, layers, index = [], [], [], []
    for c, n in enumerate(sizes):
        cx = x + (c + 0.5) * col_w
        # Spacing of this column: as in the crowdedest column, capped so small layers stay
        # compact around the middle.
        step = min(pitch * max(sizes) / n, 2.2 * node + 8.0, body / n)
        cy0 = y + header + body / 2 - step * (n - 1) / 2
        for i in range(n):
            xs.append(cx)
            ys.append(cy0 + i * step)
            layers.append(c)
            index.append(i)
    # Keep node edges on whole pixels: centres at .0 for even sides, .5 for odd.
    xy = np.column_stack([xs, ys])
    off = 0.5 * (node % 2)
    xy = np.floor(xy) + off
    starts = np.cumsum([0, *sizes])
    src, dst, ll, lo, li = [], [], [], [], []
    for l in range(1, n_cols):
        n_in, n_out = sizes[l - 1], sizes[l]
        o, i = np.meshgrid(np.arange(n_out), np.arange(n_in), indexing="ij")
        src.append(starts[l - 1] + i.ravel())
        dst.append(starts[l] + o.ravel())
        ll.append(np.full(o.size, l))
        lo.append(o.ravel())
        li.append(i.ravel())
    return DiagramLayout(
        sizes=sizes,
        rect=(x, y, w, h),
        xy=xy,
        layer=np.asarray(layers, np.int64),
        index=np.asarray(index, np.int64),
        node=node,
        src=np.concatenate(src),
        dst=np.concatenate(dst),
        link_layer=np.concatenate(ll),
        link_out=np.concatenate(lo),
        link_in=np.concatenate(li),
    )


def link_styles(
    layers: Sequence[tuple[np.ndarray, np.ndarray]],
    layout: DiagramLayout,
    max_width: float = 6.0,
    min_width: float = 0.6,
) -> tuple[np.ndarray, np.ndarray]:
    """Width (E,) and RGBA colour (E, 4) of every link from the weights [(W, b), ...]: width
    and opacity grow with |w| / (largest |w| of its layer); blue for w > 0, orange for w < 0."""
    w = np.empty(len(layout.src))
    for l, (W, _) in enumerate(layers, start=1):
        sel = layout.link_layer == l
        w[sel] = np.asarray(W)[layout.link_out[sel], layout.link_in[sel]]
    mags = np.abs(w)
    scale = np.zeros_like(w)
    for l in np.unique(layout.link_layer):
        sel = layout.link_layer == l
        top = mags[sel].max() if sel.any() else 0.0
        scale[sel] = top if top > 0 else 1.0
    t = np.clip(mags / scale, 0.0, 1.0)
    widths = min_width + (max_width - min_width) * t
    colors = np.empty((len(w), 4), np.float32)
    colors[:, :3] = np.where((w >= 0)[:, None], POSITIVE, NEGATIVE)
    colors[:, 3] = 0.25 + 0.7 * t
    return widths.astype(np.float32), colors


def _grid(bounds, size: int) -> np.ndarray:
    """Pixel-centre points (size * size, 2) of bounds = (xmin, xmax, ymin, ymax), rows top-down."""
    xmin, xmax, ymin, ymax = (float(v) for v in bounds)
    u = (np.arange(size) + 0.5) / size
    X, Y = np.meshgrid(xmin + u * (xmax - xmin), ymax - u * (ymax - ymin))
    return np.column_stack([X.ravel(), Y.ravel()])


def _per_scale(scale) -> np.ndarray:
    """A scale, or one per column, with 1 where it is not positive."""
    s = np.asarray(scale, np.float64)
    return np.where(s > 0, s, 1.0)


def activation_colors(values: np.ndarray, scale) -> np.ndarray:
    """Hidden-neuron thumbnail colours: off (<= 0) paper grey, on from pale to deep blue.
    `scale`: one number, or one per column of `values` (each neuron its own)."""
    v = np.asarray(values, np.float64)
    t = np.clip(v / _per_scale(scale), 0.0, 1.0)[..., None]
    on = ON_LOW + (ON_HIGH - ON_LOW) * np.sqrt(t)
    return np.where((v > 0)[..., None], on, OFF_COLOR)


def signed_colors(values: np.ndarray, scale) -> np.ndarray:
    """Input / regression-output thumbnails: orange below 0, blue above, paper at 0. `scale`
    as for activation_colors."""
    v = np.asarray(values, np.float64)
    t = np.clip(v / _per_scale(scale), -1.0, 1.0)[..., None]
    paper = palette.BACKGROUND
    return np.where(t >= 0, paper + (POSITIVE - paper) * t, paper + (NEGATIVE - paper) * (-t))


def neuron_thumbnails(net, bounds, size: int = 24) -> np.ndarray:
    """(nodes, size, size, 4) uint8 pictures of every node over bounds (rows top-down): inputs
    x and y, every hidden neuron's activation, and the outputs (class colour by confidence for
    classification, value for regression). Node order is that of network_layout."""
    size = int(size)
    if size < 1:
        raise ValueError(f"thumbnail size is {size}; it must be >= 1")
    X = _grid(bounds, size)
    pics = []
    span = max(np.abs(X).max(), 1e-12)
    pics.append(signed_colors(X[:, 0], span))
    pics.append(signed_colors(X[:, 1], span))
    act = getattr(net, "activation", Activation.RELU)
    for z in net.preactivations(X):  # a layer's neurons at once, each on its own scale
        if act is Activation.RELU:
            h = np.maximum(z, 0.0)
            pics.extend(activation_colors(h, h.max(axis=0)).transpose(1, 0, 2))
            continue
        # the neuron's own activation (residual sums left out), signed: most activations go
        # below zero
        h = activate(z, act, net.negative_slope)
        pics.extend(signed_colors(h, np.abs(h).max(axis=0)).transpose(1, 0, 2))
    f = net.forward(X)
    if f.shape[1] == 1:
        pics.append(signed_colors(f[:, 0], float(np.abs(f[:, 0]).max())))
    else:
        p = palette.softmax(f)
        for k in range(f.shape[1]):
            one = palette.BACKGROUND + (palette.CLASS_COLORS[k] - palette.BACKGROUND) * (
                np.clip(p[:, k : k + 1], 0, 1) * palette.DEFAULT_STRENGTH
            )
            pics.append(one)
    rgb = palette.to_uint8(np.stack(pics).reshape(-1, size, size, 3))
    out = np.full(rgb.shape[:3] + (4,), 255, np.uint8)
    out[..., :3] = rgb
    return out


CURVE_BOX = (72.0, 44.0)  # the activation curve's box, pixels at 1x
CURVE_SPAN = 3.0  # it shows z in [-CURVE_SPAN, CURVE_SPAN]


def activation_curve(net, box: Rect, n: int = 97) -> tuple[np.ndarray, np.ndarray]:
    """The hidden activation's curve in pixel coordinates inside `box` (x, y, w, h; y down):
    (points (n, 2), axes (2, 4) segments: z = 0 and sigma = 0). sigma's range over the span,
    with 0 always in it, fills the box's height."""
    x0, y0, w, h = (float(v) for v in box)
    z = np.linspace(-CURVE_SPAN, CURVE_SPAN, n)
    act = getattr(net, "activation", Activation.RELU)
    s = activate(z, act, getattr(net, "negative_slope", 0.01))
    lo, hi = min(float(s.min()), 0.0), max(float(s.max()), 0.0)
    scale = (hi - lo) or 1.0
    px = x0 + (z + CURVE_SPAN) / (2 * CURVE_SPAN) * w
    py = y0 + h - (s - lo) / scale * h
    zero_y = y0 + h - (0.0 - lo) / scale * h
    mid_x = x0 + w / 2
    axes = np.array([[x0, zero_y, x0 + w, zero_y], [mid_x, y0, mid_x, y0 + h]])
    return np.column_stack([px, py]), axes


def thumbnail_atlas(thumbs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pack (n, s, s, 4) thumbnails in a square-ish grid: the atlas (H, W, 4) and the source
    rectangle (n, 4) (x, y, w, h) of each."""
    n, s = thumbs.shape[0], thumbs.shape[1]
    cols = max(1, int(np.ceil(np.sqrt(n))))
    rows = max(1, int(np.ceil(n / cols)))
    atlas = np.zeros((rows * s, cols * s, 4), np.uint8)
    rects = np.zeros((n, 4))
    for k in range(n):
        r, c = divmod(k, cols)
        atlas[r * s : (r + 1) * s, c * s : (c + 1) * s] = thumbs[k]
        rects[k] = (c * s, r * s, s, s)
    return atlas, rects


def hit_node(layout: DiagramLayout, pixel, pad: float = 3.0) -> NodeRef | None:
    """The node whose square (grown by `pad` pixels) contains `pixel`, nearest first; or None."""
    p = np.asarray(pixel, np.float64).reshape(2)
    d = np.abs(layout.xy - p).max(axis=1)
    i = int(np.argmin(d)) if len(d) else -1
    if i < 0 or d[i] > layout.node / 2 + pad:
        return None
    return NodeRef(int(layout.layer[i]), int(layout.index[i]))


def flat_index(sizes: Sequence[int], layer: int, index: int) -> int:
    """Index of hidden neuron (layer 1-based, index) among all hidden neurons (the order of
    activation patterns and of the health checks' flags)."""
    hidden = list(sizes[1:-1])
    if not (1 <= layer <= len(hidden) and 0 <= index < hidden[layer - 1]):
        raise ValueError(f"hidden neuron ({layer}, {index}) does not exist in {list(sizes)}")
    return int(sum(hidden[: layer - 1]) + index)


def neuron_info(layers: Sequence[tuple[np.ndarray, np.ndarray]], layer: int, index: int) -> str:
    """A one-line description of a hidden or output neuron's incoming weights and bias."""
    if not 1 <= layer <= len(layers):
        raise ValueError(f"layer {layer} does not exist; allowed: 1 to {len(layers)}")
    W, b = layers[layer - 1]
    if not 0 <= index < W.shape[0]:
        raise ValueError(f"neuron {index} does not exist in layer {layer} (0 to {W.shape[0] - 1})")
    w = np.asarray(W)[index]
    name = "output" if layer == len(layers) else f"layer {layer}"
    if w.size == 2:
        return f"{name} neuron {index + 1}: w = ({w[0]:.3g}, {w[1]:.3g}), b = {b[index]:.3g}"
    return (
        f"{name} neuron {index + 1}: {w.size} inputs, |w| = {np.linalg.norm(w):.3g}, "
        f"w in [{w.min():.3g}, {w.max():.3g}], b = {b[index]:.3g}"
    )


def activity_tint(
    region_colors: np.ndarray,
    patterns: np.ndarray,
    neuron: int,
    tint=POSITIVE,
    amount: float = 0.35,
) -> np.ndarray:
    """Region colours with the regions where hidden neuron `neuron` (flat index) is active mixed
    towards `tint`: feed them to the 2D mesh (set_region_colors) to show its region of activity."""
    rc = np.asarray(region_colors, np.float32)
    on = np.asarray(patterns, bool)[:, int(neuron)]
    out = rc.copy()
    out[on, :3] = rc[on, :3] + (np.asarray(tint, np.float32)[:3] - rc[on, :3]) * float(amount)
    return out


def layer_names(sizes: Sequence[int], short: bool = False) -> list[str]:
    """The diagram's column titles; `short` ("in", "L1", ..., "out") where the long ones would
    run into each other (8 hidden layers in a narrow inspector)."""
    if short:
        return ["in", *[f"L{l}" for l in range(1, len(sizes) - 1)], "out"]
    return ["input", *[f"layer {l}" for l in range(1, len(sizes) - 1)], "output"]


def strongest_links(layout: DiagramLayout, widths: np.ndarray, per_layer: int) -> np.ndarray:
    """Indices of the links drawn: in each layer, the `per_layer` widest (largest |w|), all of
    a layer with fewer. A 64 x 64 layer's 4,096 links fill the panel (the picture hardly changes
    with 256 of them) and took a software rasteriser 190 ms for 8 x 64 (50 ms with 256)."""
    keep = []
    for l in np.unique(layout.link_layer):
        idx = np.flatnonzero(layout.link_layer == l)
        if len(idx) > per_layer:
            idx = idx[np.argpartition(-widths[idx], per_layer - 1)[:per_layer]]
        keep.append(idx)
    return np.sort(np.concatenate(keep)) if keep else np.zeros(0, np.int64)


def draw_network(
    canvas: Canvas,
    layout: DiagramLayout,
    widths: np.ndarray,
    colors: np.ndarray,
    sources: np.ndarray | None = None,
    *,
    dead: np.ndarray | None = None,
    copycat: np.ndarray | None = None,
    indecisive: np.ndarray | None = None,
    selected: NodeRef | None = None,
    hovered: NodeRef | None = None,
    font_px: int = 14,
    curve: tuple[str, np.ndarray, np.ndarray] | None = None,
) -> None:
    """Links, node thumbnails (from the canvas's image atlas, `sources` rects per node), dead,
    copycat and indecisive markers (flags per hidden neuron, flat order), hover and selection
    frames."""
    xy = layout.xy
    drawn = strongest_links(layout, widths, MAX_LINKS_PER_LAYER)
    seg = np.concatenate([xy[layout.src[drawn]], xy[layout.dst[drawn]]], axis=1)
    order = np.argsort(widths[drawn])  # thick links on top
    canvas.segments(seg[order], colors[drawn][order], widths[drawn][order])
    canvas.next_group()  # nodes over the links
    half = layout.node / 2
    starts = np.cumsum([0, *layout.sizes])
    n = layout.n_nodes
    rects = np.column_stack([xy[:n] - half, np.full((n, 2), float(layout.node))])
    if sources is not None:
        canvas.image_rows(rects, np.asarray(sources)[:n])
    else:
        for rect in rects:
            canvas.rect(rect, palette.BACKGROUND)
    canvas.frames(rects, INK_DIM, 1.0)
    n_hidden = int(sum(layout.sizes[1:-1]))
    for flags, kind in ((dead, "dead"), (copycat, "copycat"), (indecisive, "indecisive")):
        if flags is None:
            continue
        flags = np.asarray(flags, bool).reshape(-1)
        for j in np.flatnonzero(flags[:n_hidden]):
            k = int(starts[1] + j)  # hidden neurons follow the two inputs
            x, y = xy[k]
            if kind == "dead":
                d = half - 2
                cross = np.array([[x - d, y - d, x + d, y + d], [x - d, y + d, x + d, y - d]])
                canvas.segments(cross, DEAD_MARK, 2.5)
            elif kind == "indecisive":  # a "~" badge at the bottom right: it swings
                bx, by = x + half - 1, y + half - 1
                canvas.disc(np.array([[bx, by]]), 7.0, INDECISIVE_MARK)
                t = np.linspace(-3.8, 3.8, 9)
                wave = np.column_stack([bx + t, by - 1.8 * np.sin(t * 0.85)])
                canvas.polyline(wave, (1, 1, 1, 1), 1.4)
            else:
                bx, by = x + half - 1, y - half + 1
                canvas.disc(np.array([[bx, by]]), 7.0, COPYCAT_MARK)
                bars = np.array(
                    [
                        [bx - 3.5, by - 1.8, bx + 3.5, by - 1.8],
                        [bx - 3.5, by + 1.8, bx + 3.5, by + 1.8],
                    ]
                )
                canvas.segments(bars, (1, 1, 1, 1), 1.4)
    for ref, width in ((hovered, 2.0), (selected, 3.0)):
        if ref is None:
            continue
        k = layout.node_id(ref)
        x, y = xy[k]
        g = half + 2.5
        canvas.frame((x - g, y - g, 2 * g, 2 * g), SELECT_COLOR, width)
    names = layer_names(layout.sizes)
    gap = float(np.diff(xy[starts[:-1], 0]).min()) if len(layout.sizes) > 1 else 1e9
    if max(canvas.text_size(n, font_px)[0] for n in names) + 4 > gap:
        names = layer_names(layout.sizes, short=True)
    for c, name in enumerate(names):
        canvas.text(name, (xy[starts[c], 0], layout.rect[1] + 2), font_px, INK, "tc")
    if curve is not None:
        name, points, axes = curve
        canvas.segments(axes, INK_DIM, 1.0)
        canvas.polyline(points, SELECT_COLOR, 2.0)
        canvas.text(name, (float(axes[0, 0]), float(axes[1, 1]) - 2), font_px, INK, "bl")


class NetworkDiagram:
    """The inspector's state between frames: layout, link styles, thumbnails (see module)."""

    def __init__(self, thumbnail_px: int | None = None) -> None:
        self.layout: DiagramLayout | None = None
        self.widths = np.zeros(0, np.float32)
        self.colors = np.zeros((0, 4), np.float32)
        self.sources: np.ndarray | None = None
        self.atlas: np.ndarray | None = None
        self.dead: np.ndarray | None = None
        self.copycat: np.ndarray | None = None
        self.indecisive: np.ndarray | None = None
        self.thumbnail_px = thumbnail_px
        self._atlas_dirty = False
        self.curve: tuple[str, np.ndarray, np.ndarray] | None = None

    def update(
        self,
        net,
        bounds,
        rect: Rect,
        *,
        dead: np.ndarray | None = None,
        copycat: np.ndarray | None = None,
        thumbnails: bool = True,
        indecisive: np.ndarray | None = None,
    ) -> None:
        """Recompute from the current weights (call when weights, view or rect changed).

        bounds: the view window (xmin, xmax, ymin, ymax) the thumbnails show; dead/copycat:
        flags per hidden neuron (flat order), e.g. from sandbox.geometry's health checks.
        """
        lay = self.layout
        if lay is None or lay.sizes != list(net.sizes) or lay.rect != tuple(float(v) for v in rect):
            self.layout = network_layout(net.sizes, rect)
        self.widths, self.colors = link_styles(net.layers, self.layout)
        self.dead, self.copycat, self.indecisive = dead, copycat, indecisive
        rx, ry, rw, rh = (float(v) for v in rect)
        cw, ch = CURVE_BOX
        box = (rx + 6, ry + rh - ch - 6, cw, ch)
        self.curve = None
        half = self.layout.node / 2 + 4  # the curve only where it covers no node (and its label)
        xy = self.layout.xy
        clear = (xy[:, 0] + half < box[0]) | (xy[:, 0] - half > box[0] + cw)
        clear |= (xy[:, 1] + half < box[1] - 20) | (xy[:, 1] - half > box[1] + ch)
        if clear.all():
            points, axes = activation_curve(net, box)
            label = ACTIVATION_NAMES.get(net.activation, net.activation.value)
            self.curve = (label + (" + residual" if net.residual else ""), points, axes)
        if thumbnails:
            px = self.thumbnail_px or max(1, int(self.layout.node))
            self.atlas, self.sources = thumbnail_atlas(neuron_thumbnails(net, bounds, px))
            self._atlas_dirty = True

    def draw(
        self,
        canvas: Canvas,
        selected: NodeRef | None = None,
        hovered: NodeRef | None = None,
        font_px: int = 14,
    ) -> None:
        if self.layout is None:
            return
        if self._atlas_dirty and self.atlas is not None:
            canvas.set_images(self.atlas)
            self._atlas_dirty = False
        draw_network(
            canvas,
            self.layout,
            self.widths,
            self.colors,
            self.sources,
            dead=self.dead,
            copycat=self.copycat,
            indecisive=self.indecisive,
            selected=selected,
            hovered=hovered,
            font_px=font_px,
            curve=self.curve,
        )

    def hit(self, pixel) -> NodeRef | None:
        return None if self.layout is None else hit_node(self.layout, pixel)
