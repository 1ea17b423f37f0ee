"""Vector figures: the plane's exact geometry as an SVG file a paper, a slide or Inkscape can use.

A `Figure` holds what to draw as plain arrays in plane units with colours already chosen (the
render floor's sandbox.render.figure fills one from the screen's state and palette): the
rectangle shown, the linear regions (flat vertex pool and offsets, as a Partition holds them)
with their fill colours and activation patterns, the creases with their (layer, neuron), the
decision boundary, the points and the legend. `figure_svg` writes it with the standard library's
ElementTree (the bulk of numbers as plain text, see `_BULK`); `save_svg` writes it to a file
atomically.

What the file holds, so anyone can check it against the weights:
- the root `<svg>`: `viewBox="0 0 W H"` in pixels (y down, as SVG has it: a plane point (x, y)
  is drawn at ((x - xmin) / (xmax - xmin) W, (ymax - y) / (ymax - ymin) H)), `data-bounds="xmin
  xmax ymin ymax"`, the plane rectangle shown, and `data-layers`, the hidden layer widths;
- `<polygon class="region">` per linear region, in the partition's order, with `data-pattern`:
  each hidden neuron's piece ('1' on, '0' off; hardtanh: '0' low, '1' linear, '2' high), one
  word per hidden layer separated by spaces, and its fill: a colour, or, where the colour changes
  inside the region (the field near the boundary), a linear gradient in `<defs>` (`shade<r>`);
- `<path class="crease">` per neuron with `data-layer` (1-based) and `data-neuron` (0-based in
  its layer): the neuron's crease segments inside the rectangle;
- `<path class="boundary">` per pair of classes it separates (`data-classes="0 1"`; for a
  picture's network the level set, `data-level`);
- `<circle class="point">` per point inside the rectangle with `data-label`, `data-split`
  (train or test) and `data-x`, `data-y` (its plane coordinates, full precision);
- `<g class="legend">`: what the colours mean.
Coordinates are written to `DECIMALS` decimals of a pixel; neighbouring regions share their
corner texts exactly, so no gap opens between them. No pygame or OpenGL here.
"""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from sandbox.io.atomic import atomic_write_bytes

SUFFIX = ".svg"
NS = "http://www.w3.org/2000/svg"
DECIMALS = 3
FONT = "DejaVu Sans, Helvetica, Arial, sans-serif"


@dataclass(frozen=True)
class LegendEntry:
    """One line of the legend: a `kind` of mark ("fill", "line", "point", "hollow"), its colour
    (rgb in [0, 1]) and its text."""

    kind: str
    color: tuple[float, float, float]
    text: str
    width: float = 2.0  # of a line mark, pixels


@dataclass
class Figure:
    """What an SVG figure draws (see the module docstring); arrays in plane units."""

    bounds: tuple[float, float, float, float]  # xmin, xmax, ymin, ymax
    size: tuple[int, int]  # width, height in pixels
    background: np.ndarray  # rgb
    offsets: np.ndarray  # (R + 1,) region r is vertices[offsets[r]:offsets[r + 1]]
    vertices: np.ndarray  # (V, 2)
    fills: np.ndarray  # (R, 3) rgb
    patterns: np.ndarray  # (R, n) bool, or uint8 pieces
    layers: tuple[int, ...]  # hidden layer widths: how the pattern's bits group
    creases: np.ndarray = field(default_factory=lambda: np.zeros((0, 4)))  # (S, 4) x0 y0 x1 y1
    crease_layer: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))  # 1-based
    crease_neuron: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))  # 0-based
    layer_colors: np.ndarray = field(default_factory=lambda: np.zeros((1, 4)))  # (L, 4) rgba
    crease_width: float = 1.6
    boundary: np.ndarray = field(default_factory=lambda: np.zeros((0, 4)))
    boundary_classes: np.ndarray = field(default_factory=lambda: np.zeros((0, 2), np.int32))
    boundary_color: tuple[float, ...] = (0.0, 0.0, 0.0, 1.0)
    boundary_width: float = 3.0
    level: float | None = None  # a picture network's boundary is the level set f = level
    points: np.ndarray = field(default_factory=lambda: np.zeros((0, 2)))
    point_colors: np.ndarray = field(default_factory=lambda: np.zeros((0, 3)))
    point_labels: list[str] = field(default_factory=list)
    point_test: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))
    point_radius: float = 5.5
    point_outline: tuple[float, ...] = (0.12, 0.12, 0.13, 1.0)
    hollow_fill: tuple[float, ...] = (1.0, 1.0, 1.0, 0.85)
    ring_fraction: float = 0.25
    # regions whose colour changes inside them (the field near the boundary) are filled with a
    # linear gradient: region index, its ends in plane units (x0, y0, x1, y1), stop offsets in
    # [0, 1] (NaN: no stop) and stop colours; the others have their flat `fills`
    shade_regions: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    shade_ends: np.ndarray = field(default_factory=lambda: np.zeros((0, 4)))
    shade_offsets: np.ndarray = field(default_factory=lambda: np.zeros((0, 2)))
    shade_colors: np.ndarray = field(default_factory=lambda: np.zeros((0, 2, 3)))
    legend: list[LegendEntry] = field(default_factory=list)
    title: str = "Neural Origami figure"
    description: str = ""

    def __post_init__(self) -> None:
        xmin, xmax, ymin, ymax = (float(v) for v in self.bounds)
        if not (np.isfinite([xmin, xmax, ymin, ymax]).all() and xmax > xmin and ymax > ymin):
            raise ValueError(f"figure bounds {self.bounds}: need xmin < xmax and ymin < ymax")
        w, h = self.size
        if not (1 <= int(w) <= 100_000 and 1 <= int(h) <= 100_000):
            raise ValueError(f"figure size {self.size}: allowed 1 to 100000 pixels a side")
        R = len(self.offsets) - 1
        if self.fills.shape != (R, 3) or len(self.patterns) != R:
            raise ValueError(
                f"{R} regions need {R} fills and patterns; got {self.fills.shape}, "
                f"{np.shape(self.patterns)}"
            )

    @property
    def n_regions(self) -> int:
        return int(len(self.offsets) - 1)

    def to_pixels(self, xy: np.ndarray) -> np.ndarray:
        """(N, 2) plane points -> (N, 2) SVG pixels (y down)."""
        xmin, xmax, ymin, ymax = self.bounds
        w, h = self.size
        p = np.asarray(xy, dtype=np.float64).reshape(-1, 2)
        return np.column_stack(
            [(p[:, 0] - xmin) * (w / (xmax - xmin)), (ymax - p[:, 1]) * (h / (ymax - ymin))]
        )


# ----------------------------------------------------------------------------- text helpers
def hex_colors(rgb: np.ndarray) -> list[str]:
    """(N, 3) floats in [0, 1] -> '#rrggbb' (rounded as the GL framebuffer rounds)."""
    c = np.clip(np.rint(np.asarray(rgb, dtype=np.float64).reshape(-1, 3) * 255.0), 0, 255)
    v = c.astype(np.int64) @ np.array([65536, 256, 1], dtype=np.int64)
    return [f"#{int(x):06x}" for x in v.tolist()]


def _hex(rgb) -> str:
    return hex_colors(np.asarray(rgb, dtype=np.float64)[:3])[0]


def _num(v: float) -> str:
    return f"{float(v):.{DECIMALS}f}".rstrip("0").rstrip(".") or "0"


def pattern_words(patterns: np.ndarray, layers: tuple[int, ...]) -> list[str]:
    """Each row of (R, n) activation pieces as digits, one word per hidden layer."""
    P = np.asarray(patterns)
    R, n = P.shape if P.ndim == 2 else (len(P), 0)
    if R == 0:
        return []
    if sum(layers) != n:
        raise ValueError(
            f"patterns have {n} neurons but the layers {list(layers)} hold {sum(layers)}"
        )
    digits = P.astype(np.uint8) + np.uint8(ord("0"))
    cuts = np.cumsum(layers)[:-1]
    chars = np.insert(digits, cuts, np.uint8(ord(" ")), axis=1) if len(cuts) else digits
    width = chars.shape[1]
    text = np.ascontiguousarray(chars).tobytes().decode("ascii")
    return [text[i * width : (i + 1) * width] for i in range(R)]


def _point_lists(fig: Figure) -> list[str]:
    """The `points` attribute text of each region's polygon."""
    pix = fig.to_pixels(fig.vertices)
    fmt = f"%.{DECIMALS}f,%.{DECIMALS}f"
    flat = ((fmt + " ") * len(pix)) % tuple(pix.ravel().tolist()) if len(pix) else ""
    corners = flat.split(" ")
    off = np.asarray(fig.offsets).tolist()
    return [" ".join(corners[a:b]) for a, b in zip(off[:-1], off[1:], strict=True)]


def _segments_path(pix: np.ndarray) -> str:
    """(S, 4) pixel segments -> 'M x y L x y ...'."""
    if len(pix) == 0:
        return ""
    fmt = f"M%.{DECIMALS}f %.{DECIMALS}fL%.{DECIMALS}f %.{DECIMALS}f"
    return ((fmt + " ") * len(pix)).rstrip() % tuple(pix.ravel().tolist())


# ----------------------------------------------------------------------------- the document
def _sub(parent: ET.Element, tag: str, attrs: dict[str, str], text: str | None = None):
    el = ET.SubElement(parent, tag, attrs)
    if text is not None:
        el.text = text
    return el


# The two bulk parts (region polygons, their gradients) hold only numbers, hex colours and fixed
# words: they are written as text and put in place of a comment the ElementTree skeleton holds
# (an escaped title cannot forge one), which makes a 20,000-region figure several times faster.
_BULK = ("@regions@", "@shades@")


def _skeleton(fig: Figure) -> tuple[ET.Element, dict[str, str]]:
    """The figure as an ElementTree `<svg>`, and the bulk text of each placeholder comment."""
    w, h = (int(v) for v in fig.size)
    xmin, xmax, ymin, ymax = fig.bounds
    root = ET.Element(
        "svg",
        {
            "xmlns": NS,
            "version": "1.1",
            "width": str(w),
            "height": str(h),
            "viewBox": f"0 0 {w} {h}",
            "data-bounds": f"{xmin!r} {xmax!r} {ymin!r} {ymax!r}",
            "data-layers": " ".join(str(n) for n in fig.layers),
            "data-regions": str(fig.n_regions),
        },
    )
    _sub(root, "title", {}, fig.title)
    if fig.description:
        _sub(root, "desc", {}, fig.description)
    _sub(root, "rect", {"class": "background", "x": "0", "y": "0", "width": str(w),
                        "height": str(h), "fill": _hex(fig.background)})  # fmt: skip
    bulk = _regions(root, fig)
    _creases(root, fig)
    _boundary(root, fig)
    _points(root, fig)
    if fig.legend:
        _legend(root, fig)
    return root, bulk


def _shades(fig: Figure) -> tuple[dict[int, str], str]:
    """The gradients of the shaded regions: region -> its paint ("url(#id)"), and their text."""
    regions = np.asarray(fig.shade_regions, dtype=np.int64)
    if len(regions) == 0:
        return {}, ""
    ends = fig.to_pixels(np.asarray(fig.shade_ends, dtype=np.float64).reshape(-1, 2))
    ends = ends.reshape(-1, 4).tolist()
    offsets = np.asarray(fig.shade_offsets, dtype=np.float64)
    kept = np.isfinite(offsets)  # NaN: a stop left out
    colors = hex_colors(np.asarray(fig.shade_colors)[kept])
    stops = [f"{v:.4f}" for v in offsets[kept].tolist()]
    bounds = np.r_[0, np.cumsum(kept.sum(axis=1))].tolist()
    paint: dict[int, str] = {}
    out: list[str] = []
    for i, r in enumerate(regions.tolist()):
        x0, y0, x1, y1 = ends[i]
        out.append(f'<linearGradient id="shade{r}" gradientUnits="userSpaceOnUse" '
                   f'x1="{x0:.{DECIMALS}f}" y1="{y0:.{DECIMALS}f}" x2="{x1:.{DECIMALS}f}" '
                   f'y2="{y1:.{DECIMALS}f}">')  # fmt: skip
        for j in range(bounds[i], bounds[i + 1]):
            out.append(f'<stop offset="{stops[j]}" stop-color="{colors[j]}" />')
        out.append("</linearGradient>")
        paint[r] = f"url(#shade{r})"
    return paint, "".join(out)


def _regions(root: ET.Element, fig: Figure) -> dict[str, str]:
    paint, shades = _shades(fig)
    if shades:
        _sub(root, "defs", {}).append(ET.Comment(_BULK[1]))
    # each polygon is stroked with its own fill: renderers that anti-alias every edge would
    # otherwise show hairline seams of the background between neighbours
    g = _sub(root, "g", {"class": "regions", "stroke-width": "0.5", "stroke-linejoin": "round"})
    g.append(ET.Comment(_BULK[0]))
    fills = hex_colors(fig.fills)
    for r, p in paint.items():
        fills[r] = p
    words = pattern_words(fig.patterns, fig.layers)
    polygons = "".join(
        f'<polygon class="region" data-pattern="{word}" points="{pts}" fill="{fill}" '
        f'stroke="{fill}" />'
        for pts, fill, word in zip(_point_lists(fig), fills, words, strict=True)
    )
    return {_BULK[0]: polygons, _BULK[1]: shades}


def _creases(root: ET.Element, fig: Figure) -> None:
    seg = np.asarray(fig.creases, dtype=np.float64).reshape(-1, 4)
    if len(seg) == 0:
        return
    g = _sub(root, "g", {"class": "creases", "fill": "none", "stroke-linecap": "round",
                         "stroke-width": _num(fig.crease_width)})  # fmt: skip
    layer = np.asarray(fig.crease_layer, dtype=np.int64)
    neuron = np.asarray(fig.crease_neuron, dtype=np.int64)
    order = np.lexsort((neuron, layer))
    pix = fig.to_pixels(seg[order].reshape(-1, 2)).reshape(-1, 4)
    lay, neu = layer[order], neuron[order]
    starts = np.flatnonzero(np.r_[True, (lay[1:] != lay[:-1]) | (neu[1:] != neu[:-1])])
    ends = np.r_[starts[1:], len(order)]
    colors = np.asarray(fig.layer_colors, dtype=np.float64).reshape(-1, 4)
    for a, b in zip(starts.tolist(), ends.tolist(), strict=True):
        rgba = colors[(int(lay[a]) - 1) % len(colors)]
        attrs = {"class": "crease", "data-layer": str(int(lay[a])),
                 "data-neuron": str(int(neu[a])), "stroke": _hex(rgba)}  # fmt: skip
        if rgba[3] < 1.0:
            attrs["stroke-opacity"] = _num(rgba[3])
        attrs["d"] = _segments_path(pix[a:b])
        ET.SubElement(g, "path", attrs)


def _boundary(root: ET.Element, fig: Figure) -> None:
    seg = np.asarray(fig.boundary, dtype=np.float64).reshape(-1, 4)
    if len(seg) == 0:
        return
    rgba = tuple(fig.boundary_color) + (1.0,) * (4 - len(fig.boundary_color))
    g = _sub(root, "g", {"class": "boundaries", "fill": "none", "stroke": _hex(rgba[:3]),
                         "stroke-width": _num(fig.boundary_width), "stroke-linecap": "round",
                         "stroke-linejoin": "round"})  # fmt: skip
    if rgba[3] < 1.0:
        g.set("stroke-opacity", _num(rgba[3]))
    pairs = np.asarray(fig.boundary_classes, dtype=np.int64).reshape(-1, 2)
    keys = pairs[:, 0] * 64 + pairs[:, 1]
    for key in np.unique(keys).tolist():
        mask = keys == key
        attrs = {"class": "boundary"}
        if fig.level is not None:
            attrs["data-level"] = repr(float(fig.level))
        else:
            attrs["data-classes"] = f"{key // 64} {key % 64}"
        attrs["d"] = _segments_path(fig.to_pixels(seg[mask].reshape(-1, 2)).reshape(-1, 4))
        ET.SubElement(g, "path", attrs)


def _points(root: ET.Element, fig: Figure) -> None:
    X = np.asarray(fig.points, dtype=np.float64).reshape(-1, 2)
    if len(X) == 0:
        return
    xmin, xmax, ymin, ymax = fig.bounds
    inside = (X[:, 0] >= xmin) & (X[:, 0] <= xmax) & (X[:, 1] >= ymin) & (X[:, 1] <= ymax)
    idx = np.flatnonzero(inside)
    pix = fig.to_pixels(X[idx])
    colors = hex_colors(np.asarray(fig.point_colors)[idx])
    test = np.asarray(fig.point_test, dtype=bool)[idx]
    r = float(fig.point_radius)
    ring = r * fig.ring_fraction
    outline = _hex(fig.point_outline)
    hollow = _hex(fig.hollow_fill)
    g = _sub(root, "g", {"class": "points"})
    xs, ys = pix[:, 0].tolist(), pix[:, 1].tolist()
    for j, i in enumerate(idx.tolist()):
        attrs = {"class": "point", "data-label": fig.point_labels[i],
                 "data-split": "test" if test[j] else "train", "data-x": repr(float(X[i, 0])),
                 "data-y": repr(float(X[i, 1])), "cx": _num(xs[j]), "cy": _num(ys[j])}  # fmt: skip
        attrs["r"] = _num(r - 0.75)
        attrs["fill"] = colors[j]
        attrs["stroke"] = outline
        attrs["stroke-width"] = "1.5"
        ET.SubElement(g, "circle", attrs)
        if test[j]:  # hollow: the outline, a ring of the class colour, translucent white inside
            hole = {"class": "hole", "cx": attrs["cx"], "cy": attrs["cy"],
                    "r": _num(r - 1.5 - ring), "fill": hollow,
                    "fill-opacity": _num(fig.hollow_fill[3])}  # fmt: skip
            ET.SubElement(g, "circle", hole)


def _legend(root: ET.Element, fig: Figure) -> None:
    line_h, pad, font = 20.0, 8.0, 13
    longest = max(len(e.text) for e in fig.legend)
    box_w = pad * 3 + 24 + 0.6 * font * longest
    box_h = pad * 2 + line_h * len(fig.legend)
    g = _sub(root, "g", {"class": "legend", "transform": "translate(10 10)",
                         "font-family": FONT, "font-size": str(font)})  # fmt: skip
    _sub(g, "rect", {"x": "0", "y": "0", "width": _num(box_w), "height": _num(box_h), "rx": "4",
                     "fill": "#ffffff", "fill-opacity": "0.85", "stroke": "#999999",
                     "stroke-width": "0.75"})  # fmt: skip
    for i, e in enumerate(fig.legend):
        cy = pad + line_h * (i + 0.5)
        color = _hex(e.color)
        mark = {"class": f"legend-{e.kind}"}
        if e.kind == "fill":
            _sub(g, "rect", {**mark, "x": _num(pad), "y": _num(cy - 6), "width": "24",
                             "height": "12", "fill": color, "stroke": "#666666",
                             "stroke-width": "0.5"})  # fmt: skip
        elif e.kind == "line":
            _sub(g, "line", {**mark, "x1": _num(pad), "y1": _num(cy), "x2": _num(pad + 24),
                             "y2": _num(cy), "stroke": color, "stroke-width": _num(e.width),
                             "stroke-linecap": "round"})  # fmt: skip
        else:
            r = min(fig.point_radius, 6.0)
            if e.kind == "hollow":
                fill, stroke, width = "#ffffff", color, r * fig.ring_fraction
            else:
                fill, stroke, width = color, _hex(fig.point_outline), 1.5
            circle = {"cx": _num(pad + 12), "cy": _num(cy), "r": _num(r), "fill": fill,
                      "stroke": stroke, "stroke-width": _num(width)}  # fmt: skip
            _sub(g, "circle", {**mark, **circle})
        _sub(g, "text", {"x": _num(pad * 2 + 24), "y": _num(cy + font * 0.35),
                         "fill": "#222222"}, e.text)  # fmt: skip


def figure_svg(fig: Figure) -> bytes:
    """The figure as SVG file bytes (UTF-8, with the XML declaration)."""
    root, bulk = _skeleton(fig)
    # serialised to one str and encoded once: ElementTree's byte writer pays per attribute
    body = ET.tostring(root, encoding="unicode")
    for name, text in bulk.items():
        body = body.replace(f"<!--{name}-->", text, 1)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n").encode("utf-8")


def save_svg(path: str | os.PathLike[str], fig: Figure) -> Path:
    """Write the figure to `path` atomically; ValueError names the file when it cannot."""
    return write_figure(path, figure_svg(fig))


def write_figure(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write a figure file's bytes to `path` atomically; ValueError names the file when it
    cannot (the SVG and the PDF writer alike)."""
    path = Path(path)
    try:
        atomic_write_bytes(path, data)
    except OSError as exc:
        raise ValueError(f"{path}: cannot write it: {exc.strerror or exc}") from None
    return path
