"""PDF figures: the same `sandbox.io.svg.Figure` as a one-page PDF, drawn with reportlab's canvas.

`figure_pdf` draws what `figure_svg` draws, in the same colours (rounded to 8 bits as the SVG's
hex colours are) and at the same sizes, on a page of the figure's pixel size in points, so one
figure pixel is one point: a plane point (x, y) is drawn at ((x - xmin) / (xmax - xmin) W,
(y - ymin) / (ymax - ymin) H) (PDF's y points up). `save_pdf` writes it to a file atomically.

What the file holds, so anyone can check it against the weights:
- the document information: Title (the figure's title), Subject (its description) and Keywords
  `data-bounds=xmin xmax ymin ymax; data-layers=W1 W2 ...; data-regions=R`, the plane rectangle
  shown (full precision), the hidden layer widths and the number of regions, as the SVG's root
  attributes of the same names;
- one content stream with five marked-content sections, in drawing order: `/Regions BMC` (one
  closed path per linear region, in the partition's order, filled and stroked half a point wide
  with its colour, `B`, so no hairline of the background shows between neighbours; a region whose
  colour changes inside it is then clipped to its path, `W n`, and painted with its linear
  gradient: an axial shading, `sh`, with stops as in the SVG), `/Creases BMC` (the segments of
  each neuron's crease, one stroked path per neuron, ordered by layer then neuron), `/Boundary
  BMC`, `/Points BMC` (the points inside the rectangle, circles filled with their colour and
  outlined, each drawn at the origin and moved by `cm`; a test point gets a hole of translucent
  white, mixed with its colour beforehand) and `/Legend BMC`.
The bulk (region paths, gradients, creases, points) is written as content-stream text directly
(`Canvas.addLiteral`, `Canvas.shade`), which keeps a 20,000-region figure near the SVG's time;
the legend uses the canvas' own drawing calls. No pygame or OpenGL here.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import numpy as np
from reportlab import rl_config
from reportlab.pdfbase.pdfdoc import PDFShading
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from sandbox.io.svg import DECIMALS, Figure, write_figure

SUFFIX = ".pdf"
FONT = "Helvetica"  # one of PDF's standard fonts: no font file to embed
SEAM_WIDTH = 0.5  # each region is stroked this wide with its own colour (as in the SVG)
KAPPA = 0.5522847498  # cubic Bezier control distance of a quarter circle, per unit radius
SECTIONS = ("Regions", "Creases", "Boundary", "Points", "Legend")
# 0..255 -> the PDF colour component that reads back as that byte
_LEVELS = [f"{i / 255:.4f}".rstrip("0").rstrip(".") for i in range(256)]


class _Gradient(PDFShading):
    """An axial shading whose dictionary text is written here (its colour function inline),
    so thousands of gradients cost one PDF object each."""

    def __init__(self, text: bytes) -> None:
        self.text = text

    def format(self, document) -> bytes:  # reportlab's object protocol
        return self.text


def _color_texts(rgb: np.ndarray) -> list[str]:
    """(N, 3) floats in [0, 1] -> 'r g b' texts of the 8-bit colour (as sandbox.io.svg's hex)."""
    c = np.clip(np.rint(np.asarray(rgb, dtype=np.float64).reshape(-1, 3) * 255.0), 0, 255)
    levels = _LEVELS
    return [f"{levels[r]} {levels[g]} {levels[b]}" for r, g, b in c.astype(np.int64).tolist()]


def _color(rgb) -> str:
    return _color_texts(np.asarray(rgb, dtype=np.float64)[:3])[0]


def _num(v: float) -> str:
    return f"{float(v):.{DECIMALS}f}".rstrip("0").rstrip(".") or "0"


def _page_points(fig: Figure, xy: np.ndarray) -> np.ndarray:
    """(N, 2) plane points -> (N, 2) page points (y up)."""
    pix = fig.to_pixels(xy)
    pix[:, 1] = float(fig.size[1]) - pix[:, 1]
    return pix


def _pairs(pix: np.ndarray) -> list[str]:
    """(N, 2) page points -> 'x y' texts, formatted in one go."""
    if len(pix) == 0:
        return []
    fmt = f"%.{DECIMALS}f %.{DECIMALS}f\n"
    return ((fmt * len(pix)) % tuple(pix.ravel().tolist())).split("\n")[:-1]


def _gradient_text(pix_ends: list[float], offsets: list[float], colors: list[str]) -> bytes:
    """The axial shading dictionary of one gradient: stops at `offsets` (increasing, 0 to 1:
    the ends of the gradient's line), a colour function made of linear pieces between them."""
    x0, y0, x1, y1 = pix_ends
    if len(colors) == 1:
        colors, offsets = colors * 2, [0.0, 1.0]
    parts = [
        f"<</FunctionType 2/Domain[0 1]/C0[{a}]/C1[{b}]/N 1>>"
        for a, b in zip(colors[:-1], colors[1:], strict=True)
    ]
    if len(parts) == 1:
        function = parts[0]
    else:
        inner, low = [], 0.0
        for v in offsets[1:-1]:  # Bounds must not decrease
            low = min(max(v, low), 1.0)
            inner.append(low)
        bounds = " ".join(f"{v:.6f}" for v in inner)
        encode = " ".join(["0 1"] * len(parts))
        function = (
            f"<</FunctionType 3/Domain[0 1]/Functions[{''.join(parts)}]/Bounds[{bounds}]"
            f"/Encode[{encode}]>>"
        )
    return (
        f"<</ShadingType 2/ColorSpace/DeviceRGB/Coords[{x0:.{DECIMALS}f} {y0:.{DECIMALS}f} "
        f"{x1:.{DECIMALS}f} {y1:.{DECIMALS}f}]/Extend[true true]/Function {function}>>"
    ).encode("ascii")


def _regions(c: Canvas, fig: Figure) -> None:
    off = np.asarray(fig.offsets, dtype=np.int64).tolist()
    pairs = _pairs(_page_points(fig, np.asarray(fig.vertices, dtype=np.float64)))
    fills = _color_texts(fig.fills)
    shades = _gradients(fig)
    c.addLiteral(f"/Regions BMC\n1 j {SEAM_WIDTH} w")
    chunk: list[str] = []
    for r in range(len(off) - 1):
        a, b = off[r], off[r + 1]
        if b - a < 3:
            continue  # cannot happen in a partition: no area to fill
        path = f"{pairs[a]} m\n" + " l\n".join(pairs[a + 1 : b]) + " l\nh"
        chunk.append(f"{fills[r]} rg {fills[r]} RG\n{path} B")
        shading = shades.get(r)
        if shading is not None:
            chunk.append(f"q\n{path} W n")
            c.addLiteral("\n".join(chunk))
            chunk = []
            c.shade(shading)
            c.addLiteral("Q")
    chunk.append("EMC")
    c.addLiteral("\n".join(chunk))


def _gradients(fig: Figure) -> dict[int, _Gradient]:
    regions = np.asarray(fig.shade_regions, dtype=np.int64)
    if len(regions) == 0:
        return {}
    ends = _page_points(fig, np.asarray(fig.shade_ends, dtype=np.float64).reshape(-1, 2))
    ends_list = ends.reshape(-1, 4).tolist()
    offsets = np.asarray(fig.shade_offsets, dtype=np.float64)
    kept = np.isfinite(offsets)  # NaN: a stop left out
    colors = _color_texts(np.asarray(fig.shade_colors, dtype=np.float64)[kept])
    stops = offsets[kept].tolist()
    cuts = np.r_[0, np.cumsum(kept.sum(axis=1))].tolist()
    out: dict[int, _Gradient] = {}
    for i, r in enumerate(regions.tolist()):
        a, b = cuts[i], cuts[i + 1]
        out[r] = _Gradient(_gradient_text(ends_list[i], stops[a:b], colors[a:b]))
    return out


def _segments(pix: np.ndarray) -> str:
    """(S, 4) page segments -> 'x y m x y l' lines."""
    pairs = _pairs(pix.reshape(-1, 2))
    return "\n".join(f"{pairs[2 * i]} m {pairs[2 * i + 1]} l" for i in range(len(pix)))


def _creases(c: Canvas, fig: Figure) -> None:
    seg = np.asarray(fig.creases, dtype=np.float64).reshape(-1, 4)
    c.addLiteral("/Creases BMC")
    if len(seg):
        layer = np.asarray(fig.crease_layer, dtype=np.int64)
        neuron = np.asarray(fig.crease_neuron, dtype=np.int64)
        order = np.lexsort((neuron, layer))
        pix = _page_points(fig, seg[order].reshape(-1, 2)).reshape(-1, 4)
        lay, neu = layer[order], neuron[order]
        starts = np.flatnonzero(np.r_[True, (lay[1:] != lay[:-1]) | (neu[1:] != neu[:-1])])
        ends = np.r_[starts[1:], len(order)]
        colors = np.asarray(fig.layer_colors, dtype=np.float64).reshape(-1, 4)
        c.saveState()
        c.addLiteral(f"1 J 1 j {_num(fig.crease_width)} w")
        for a, b in zip(starts.tolist(), ends.tolist(), strict=True):
            rgba = colors[(int(lay[a]) - 1) % len(colors)]
            c.setStrokeAlpha(float(rgba[3]))
            c.addLiteral(f"{_color(rgba)} RG\n{_segments(pix[a:b])}\nS")
        c.restoreState()
    c.addLiteral("EMC")


def _boundary(c: Canvas, fig: Figure) -> None:
    seg = np.asarray(fig.boundary, dtype=np.float64).reshape(-1, 4)
    c.addLiteral("/Boundary BMC")
    if len(seg):
        rgba = tuple(fig.boundary_color) + (1.0,) * (4 - len(fig.boundary_color))
        c.saveState()
        c.setStrokeAlpha(float(rgba[3]))
        pix = _page_points(fig, seg.reshape(-1, 2)).reshape(-1, 4)
        c.addLiteral(f"1 J 1 j {_num(fig.boundary_width)} w {_color(rgba)} RG\n{_segments(pix)}\nS")
        c.restoreState()
    c.addLiteral("EMC")


def _circle(r: float, x: float = 0.0, y: float = 0.0) -> str:
    """A closed path of four cubic Beziers: the circle of radius `r` around (x, y)."""
    k = KAPPA * r
    # start, then three points per quarter, counter-clockwise from (x + r, y)
    dx = (r, r, k, 0, -k, -r, -r, -r, -k, 0, k, r, r)
    dy = (0, k, r, r, r, k, 0, -k, -r, -r, -r, -k, 0)
    q = [f"{_num(x + u)} {_num(y + v)}" for u, v in zip(dx, dy, strict=True)]
    return (
        f"{q[0]} m {q[1]} {q[2]} {q[3]} c {q[4]} {q[5]} {q[6]} c {q[7]} {q[8]} {q[9]} c "
        f"{q[10]} {q[11]} {q[12]} c h"
    )


def _points(c: Canvas, fig: Figure) -> None:
    X = np.asarray(fig.points, dtype=np.float64).reshape(-1, 2)
    c.addLiteral("/Points BMC")
    xmin, xmax, ymin, ymax = fig.bounds
    inside = (X[:, 0] >= xmin) & (X[:, 0] <= xmax) & (X[:, 1] >= ymin) & (X[:, 1] <= ymax)
    idx = np.flatnonzero(inside)
    if len(idx):
        pairs = _pairs(_page_points(fig, X[idx]))
        rgb = np.asarray(fig.point_colors, dtype=np.float64).reshape(-1, 3)[idx]
        colors = _color_texts(rgb)
        # the hole is translucent white over the point's own (opaque) disc: its colour is the mix
        alpha = float(fig.hollow_fill[3])
        holes = _color_texts(alpha * np.asarray(fig.hollow_fill[:3]) + (1.0 - alpha) * rgb)
        test = np.asarray(fig.point_test, dtype=bool)[idx].tolist()
        r = float(fig.point_radius)
        # one path at the origin, moved to each point: the same text again and again, which
        # costs little to write and to compress
        disc = _circle(r - 0.75)
        hole = _circle(r - 1.5 - r * fig.ring_fraction)
        out = [f"q 1.5 w {_color(fig.point_outline)} RG"]
        for j in range(len(idx)):
            inner = f"\n{holes[j]} rg {hole} f" if test[j] else ""
            out.append(f"q 1 0 0 1 {pairs[j]} cm {colors[j]} rg\n{disc} B{inner} Q")
        out.append("Q")
        c.addLiteral("\n".join(out))
    c.addLiteral("EMC")


def _legend(c: Canvas, fig: Figure) -> None:
    line_h, pad, font = 20.0, 8.0, 13
    H = float(fig.size[1])
    widest = max(stringWidth(e.text, FONT, font) for e in fig.legend)
    box_w, box_h = pad * 3 + 24 + widest, pad * 2 + line_h * len(fig.legend)
    left, top = 10.0, H - 10.0  # the SVG's translate(10 10), y flipped
    c.addLiteral("/Legend BMC")
    c.saveState()
    c.saveState()
    c.setFillColorRGB(1, 1, 1)
    c.setFillAlpha(0.85)
    c.addLiteral(f"{_color((0.6, 0.6, 0.6))} RG")
    c.setLineWidth(0.75)
    c.roundRect(left, top - box_h, box_w, box_h, 4, stroke=1, fill=1)
    c.restoreState()
    c.setFont(FONT, font)
    for i, e in enumerate(fig.legend):
        cy = top - pad - line_h * (i + 0.5)
        color = _color(e.color)
        if e.kind == "fill":
            c.addLiteral(f"0.5 w {_color((0.4, 0.4, 0.4))} RG {color} rg")
            c.rect(left + pad, cy - 6, 24, 12, stroke=1, fill=1)
        elif e.kind == "line":
            c.addLiteral(f"1 J {_num(e.width)} w {color} RG")
            c.line(left + pad, cy, left + pad + 24, cy)
        else:
            r = min(fig.point_radius, 6.0)
            if e.kind == "hollow":
                fill, stroke, width = "1 1 1", color, r * fig.ring_fraction
            else:
                fill, stroke, width = color, _color(fig.point_outline), 1.5
            circle = _circle(r, left + pad + 12, cy)
            c.addLiteral(f"{_num(width)} w {stroke} RG {fill} rg\n{circle} B")
        c.addLiteral(f"{_color((0.133, 0.133, 0.133))} rg")
        c.drawString(left + pad * 2 + 24, cy - font * 0.35, e.text)
    c.restoreState()
    c.addLiteral("EMC")


def figure_pdf(fig: Figure) -> bytes:
    """The figure as PDF file bytes: one page of the figure's size in points."""
    w, h = (int(v) for v in fig.size)
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=(w, h), pageCompression=1)
    xmin, xmax, ymin, ymax = fig.bounds
    c.setTitle(fig.title)
    c.setSubject(fig.description or fig.title)
    c.setCreator("Neural Origami")
    c.setKeywords(
        f"data-bounds={xmin!r} {xmax!r} {ymin!r} {ymax!r}; "
        f"data-layers={' '.join(str(n) for n in fig.layers)}; data-regions={fig.n_regions}"
    )
    c.addLiteral(f"{_color(fig.background)} rg\n0 0 {w} {h} re f")
    _regions(c, fig)
    _creases(c, fig)
    _boundary(c, fig)
    _points(c, fig)
    if fig.legend:
        _legend(c, fig)
    c.showPage()
    # reportlab wraps compressed streams in ASCII85 text by default, in pure Python: a second
    # for a big figure, for a file a quarter larger; PDF files are binary anyway
    a85 = rl_config.useA85
    rl_config.useA85 = 0
    try:
        c.save()
    finally:
        rl_config.useA85 = a85
    return buf.getvalue()


def save_pdf(path: str | os.PathLike[str], fig: Figure) -> Path:
    """Write the figure to `path` atomically; ValueError names the file when it cannot."""
    return write_figure(path, figure_pdf(fig))
