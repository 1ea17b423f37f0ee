"""Charts drawn with OpenGL in pixel space on a `Canvas` (sandbox.render.canvas): the ray-probe
plots with their ticks and axes.

Two layers, each usable alone:
- `Axes`, `nice_ticks`, `log_ticks`, `format_tick` (pure numpy): a plot rectangle in pixels
  (origin top-left, y down, like pygame) with data limits, mapping data to pixels and back (a
  click on a plot -> a data point).
- `ProbeCurves` + `draw_probe_plots`: logit difference and confidence against radius for one or
  several rays (MAP solid, Laplace in a lighter shade of the ray colour or, for one ray, in a
  contrasting colour), crease crossings marked by layer colour, the Laplace far-field limit as a
  dashed line. (The loss chart is drawn with pygame in the readout strip: sandbox.ui.charts.)

Typical frame:

    canvas.begin((width, height))
    curves = [probe_curves(p, color=c) for p, c in zip(probes, ray_colors(len(probes)))]
    axes = draw_probe_plots(canvas, (x, y, w, h), curves)   # returns the two Axes
    canvas.draw()

`probe_curves` reads a sandbox.geometry.RayProbe (arrays and its exact evaluation methods); the
canvas itself only takes arrays.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from . import palette
from .canvas import DEFAULT_FONT_PX, GRID, INK, INK_DIM, PANEL, Canvas, Rect

LAPLACE_COLOR = np.array([0.80, 0.27, 0.55, 1.0], dtype=np.float32)  # deeper reddish purple
MAP_COLOR = INK


# ---------------------------------------------------------------------- ticks and axes
def nice_ticks(lo: float, hi: float, max_ticks: int = 6) -> np.ndarray:
    """Round tick values (1, 2, 2.5, 5 x 10^k steps) covering [lo, hi], at most max_ticks + 1."""
    lo, hi = float(lo), float(hi)
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise ValueError(f"tick range ({lo}, {hi}) must be finite")
    if hi < lo:
        lo, hi = hi, lo
    if hi == lo:
        return np.array([lo])
    raw = (hi - lo) / max(1, int(max_ticks))
    mag = 10.0 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1.0, 2.0, 2.5, 5.0, 10.0) if m * mag >= raw * (1 - 1e-9))
    first = math.ceil(lo / step - 1e-9) * step
    n = int(math.floor((hi - first) / step + 1e-9)) + 1
    ticks = first + step * np.arange(max(n, 0))
    ticks[np.abs(ticks) < step * 1e-9] = 0.0
    return ticks


def tick_step(ticks: np.ndarray) -> float:
    return float(ticks[1] - ticks[0]) if len(ticks) > 1 else 1.0


def format_tick(value: float, step: float) -> str:
    """A label with just enough decimals for the tick step (1e4 and up in short form)."""
    if value == 0:
        return "0"
    a = abs(value)
    if a >= 1e4 or a < 1e-3:
        return f"{value:.0e}".replace("e+0", "e").replace("e-0", "e-")
    decimals = 0
    step = abs(step) or 1.0
    # Just enough decimals to write the step exactly (0.25 needs two, 0.5 one, 5 none).
    while decimals < 8 and abs(step * 10**decimals - round(step * 10**decimals)) > 1e-6 * max(
        1.0, step * 10**decimals
    ):
        decimals += 1
    return f"{value:.{decimals}f}"


def log_ticks(lo: float, hi: float) -> np.ndarray:
    """Powers of ten covering [lo, hi] (positive), at least two."""
    lo, hi = max(float(lo), 1e-300), max(float(hi), 1e-300)
    a, b = math.floor(math.log10(lo)), math.ceil(math.log10(hi))
    if b <= a:
        b = a + 1
    return 10.0 ** np.arange(a, b + 1)


@dataclass
class Axes:
    """A plot rectangle `rect` (x, y, w, h) in pixels with data limits; `log_y` maps y by log10."""

    rect: Rect
    xlim: tuple[float, float]
    ylim: tuple[float, float]
    log_y: bool = False

    def __post_init__(self) -> None:
        x0, x1 = (float(v) for v in self.xlim)
        y0, y1 = (float(v) for v in self.ylim)
        if not all(math.isfinite(v) for v in (x0, x1, y0, y1)):
            raise ValueError(f"axis limits must be finite, got x {self.xlim}, y {self.ylim}")
        if self.log_y and (y0 <= 0 or y1 <= 0):
            raise ValueError(f"a log axis needs positive limits, got {self.ylim}")
        if x1 == x0:
            x0, x1 = x0 - 0.5, x1 + 0.5
        if y1 == y0:
            y0, y1 = (y0 / 2, y1 * 2) if self.log_y else (y0 - 0.5, y1 + 0.5)
        self.xlim, self.ylim = (x0, x1), (y0, y1)
        if self.rect[2] <= 0 or self.rect[3] <= 0:
            raise ValueError(f"plot rectangle {self.rect} must have a positive size")

    def _fy(self, y: np.ndarray) -> np.ndarray:
        if self.log_y:
            return np.log10(np.maximum(y, 1e-300))
        return y

    def to_pixel(self, x, y) -> np.ndarray:
        """Data (x, y) arrays -> (N, 2) pixel positions (y down)."""
        x = np.asarray(x, dtype=np.float64).reshape(-1)
        y = np.asarray(y, dtype=np.float64).reshape(-1)
        rx, ry, rw, rh = self.rect
        y0, y1 = self._fy(np.array(self.ylim))
        px = rx + (x - self.xlim[0]) / (self.xlim[1] - self.xlim[0]) * rw
        py = ry + rh - (self._fy(y) - y0) / (y1 - y0) * rh
        return np.stack([px, py], axis=1)

    def from_pixel(self, pixels) -> np.ndarray:
        """(N, 2) pixels -> (N, 2) data coordinates."""
        p = np.asarray(pixels, dtype=np.float64).reshape(-1, 2)
        rx, ry, rw, rh = self.rect
        y0, y1 = self._fy(np.array(self.ylim))
        x = self.xlim[0] + (p[:, 0] - rx) / rw * (self.xlim[1] - self.xlim[0])
        fy = y0 + (ry + rh - p[:, 1]) / rh * (y1 - y0)
        y = 10.0**fy if self.log_y else fy
        return np.stack([x, y], axis=1)

    def contains(self, pixel) -> bool:
        x, y = float(pixel[0]), float(pixel[1])
        rx, ry, rw, rh = self.rect
        return rx <= x <= rx + rw and ry <= y <= ry + rh


# ---------------------------------------------------------------------- rays and probe curves
def ray_colors(n: int) -> np.ndarray:
    """(n, 4) distinct, medium-dark ray colours (a hue wheel), shared by the plane's rays and the
    probe plots; one ray gets ink."""
    if n < 0:
        raise ValueError(f"n is {n}; it must be >= 0")
    if n == 1:
        return MAP_COLOR[None].copy()
    hue = (np.arange(n) / max(n, 1) + 0.58) % 1.0
    # HSV with saturation 0.75 and value 0.72: one channel at v, one at v(1 - s), one between.
    k = (hue[:, None] * 6.0 + np.array([5.0, 3.0, 1.0])) % 6.0
    rgb = 0.72 - 0.72 * 0.75 * np.clip(np.minimum(k, 4.0 - k), 0.0, 1.0)
    return np.concatenate([rgb, np.ones((n, 1))], axis=1).astype(np.float32)


def even_directions(n: int, start_angle: float = 0.0) -> np.ndarray:
    """(n, 2) unit vectors evenly spaced around the circle, starting at `start_angle` radians."""
    if n < 1:
        raise ValueError(f"n is {n}; at least one ray is needed")
    a = float(start_angle) + 2.0 * np.pi * np.arange(n) / n
    return np.stack([np.cos(a), np.sin(a)], axis=1)


def ray_segments(origin, directions: np.ndarray, r_max: float) -> np.ndarray:
    """(n, 4) world segments origin -> origin + r_max * direction, to draw the rays on the plane
    (with a LineBatch, in the ray_colors)."""
    o = np.asarray(origin, np.float64).reshape(2)
    d = np.asarray(directions, np.float64).reshape(-1, 2)
    d = d / np.linalg.norm(d, axis=1, keepdims=True)
    return np.concatenate([np.broadcast_to(o, d.shape), o + float(r_max) * d], axis=1)


@dataclass
class ProbeCurves:
    """One ray's plot data (all arrays): radius and logit difference (exact polyline vertices);
    conf_radius with map_confidence and laplace_confidence (None when absent); crossings (m,)
    radii with their crossing_layer (1-based); far_field: the Laplace confidence limit (None);
    n_out; color RGBA."""

    radius: np.ndarray
    logit_difference: np.ndarray
    conf_radius: np.ndarray
    map_confidence: np.ndarray | None
    laplace_confidence: np.ndarray | None
    crossings: np.ndarray
    crossing_layer: np.ndarray
    far_field: float | None
    n_out: int
    color: np.ndarray


def probe_curves(probe, n_samples: int = 240, color=None) -> ProbeCurves:
    """Plot data of a sandbox.geometry.RayProbe: the exact piecewise-linear logit difference,
    confidences sampled on [0, r_max] plus every crease crossing (where their slope jumps)."""
    r, d = probe.logit_difference_polyline()
    rc = np.unique(
        np.concatenate([np.linspace(0.0, probe.r_max, max(2, int(n_samples))), probe.breakpoints])
    )
    map_c = lap_c = None
    if probe.n_out > 1:
        map_c = probe.map_confidence(rc)
        if probe.laplace is not None:
            lap_c = probe.laplace_confidence(rc)
    return ProbeCurves(
        radius=np.asarray(r, np.float64),
        logit_difference=np.asarray(d, np.float64),
        conf_radius=rc,
        map_confidence=map_c,
        laplace_confidence=lap_c,
        crossings=np.asarray(probe.radii, np.float64),
        crossing_layer=np.asarray(probe.layer, np.int64),
        far_field=probe.far_field_confidence,
        n_out=int(probe.n_out),
        color=np.asarray(MAP_COLOR if color is None else color, np.float32).reshape(-1),
    )


def _lighter(c: np.ndarray, t: float = 0.45) -> np.ndarray:
    out = np.asarray(c, np.float32).copy()
    out[:3] = out[:3] + (1.0 - out[:3]) * t
    return out


def curve_styles(curves: Sequence[ProbeCurves]) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """(MAP colours, Laplace colours) per curve: ink and purple for one ray, the ray colour and
    a lighter shade of it for several."""
    if len(curves) == 1:
        return [curves[0].color], [LAPLACE_COLOR]
    return [c.color for c in curves], [_lighter(c.color) for c in curves]


def probe_axes(
    rect: Rect, curves: Sequence[ProbeCurves], font_px: int = DEFAULT_FONT_PX
) -> tuple[Axes, Axes]:
    """The two plot areas (logit difference on top, confidence below) inside `rect`, leaving
    room for tick labels and titles; limits cover every curve."""
    x, y, w, h = (float(v) for v in rect)
    left, right = 3.8 * font_px, 14.0
    top = 2.0 * font_px
    bottom = 2.6 * font_px + 8.0
    gap = 1.5 * font_px + 8.0
    ph = max(10.0, (h - top - bottom - gap - top) / 2.0)
    pw = max(10.0, w - left - right)
    r_max = max([float(c.radius[-1]) for c in curves if len(c.radius)] or [1.0])
    ds = [c.logit_difference for c in curves if len(c.logit_difference)]
    dmin = min([0.0, *[float(np.min(d)) for d in ds]])
    dmax = max([0.0, *[float(np.max(d)) for d in ds]])
    t = nice_ticks(dmin, dmax, 5)
    step = tick_step(t)
    lo = math.floor(dmin / step - 1e-9) * step
    hi = math.ceil(dmax / step + 1e-9) * step
    k = max([c.n_out for c in curves] or [2])
    c_lo = math.floor(10 * (1.0 / max(k, 2)) - 1e-9) / 10 if k > 1 else 0.0
    top_axes = Axes((x + left, y + top, pw, ph), (0.0, r_max), (lo, hi))
    bottom_axes = Axes((x + left, y + top + ph + gap + top, pw, ph), (0.0, r_max), (c_lo, 1.0))
    return top_axes, bottom_axes


def draw_axes(
    canvas: Canvas,
    axes: Axes,
    title: str = "",
    xlabel: str = "",
    font_px: int = DEFAULT_FONT_PX,
    yticks: np.ndarray | None = None,
    xticks: np.ndarray | None = None,
) -> None:
    """Panel, grid, axis lines, tick labels and title of one plot area."""
    x, y, w, h = axes.rect
    canvas.rect((x, y, w, h), PANEL)
    xt = nice_ticks(*axes.xlim, 6) if xticks is None else xticks
    if yticks is None:
        yt = log_ticks(*axes.ylim) if axes.log_y else nice_ticks(*axes.ylim, 4)
    else:
        yt = yticks
    xt = xt[(xt >= axes.xlim[0] - 1e-12) & (xt <= axes.xlim[1] + 1e-12)]
    yt = yt[(yt >= axes.ylim[0] * (1 - 1e-12)) & (yt <= axes.ylim[1] * (1 + 1e-12))]
    gx = axes.to_pixel(xt, np.full(len(xt), axes.ylim[0]))[:, 0]
    gy = axes.to_pixel(np.full(len(yt), axes.xlim[0]), yt)[:, 1]
    grid = [(px, y, px, y + h) for px in gx] + [(x, py, x + w, py) for py in gy]
    canvas.segments(np.asarray(grid).reshape(-1, 4), GRID, 1.0)
    canvas.segments(np.array([[x, y + h, x + w, y + h], [x, y, x, y + h]]), INK_DIM, 1.5)
    xs, ys = tick_step(xt), tick_step(yt)
    for v, px in zip(xt, gx, strict=True):
        canvas.text(format_tick(v, xs), (px, y + h + 4), font_px, INK_DIM, "tc")
    for v, py in zip(yt, gy, strict=True):
        label = format_tick(v, v if axes.log_y else ys)
        canvas.text(label, (x - 6, py), font_px, INK_DIM, "mr")
    if title:
        canvas.text(title, (x, y - 6), font_px + 2, INK, "bl")
    if xlabel:
        canvas.text(xlabel, (x + w, y + h + 4 + font_px + 2), font_px, INK_DIM, "tr")


def _clip_to(axes: Axes, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Pixel points of a curve, with y clamped to the plot's limits (a curve leaving the box
    runs along its edge rather than over the labels)."""
    lo, hi = axes.ylim
    return axes.to_pixel(x, np.clip(y, lo, hi))


def draw_probe_plots(
    canvas: Canvas,
    rect: Rect,
    curves: Sequence[ProbeCurves],
    font_px: int = DEFAULT_FONT_PX,
    legend: bool = True,
) -> tuple[Axes, Axes]:
    """Logit difference (top) and confidence (bottom) against radius for every curve."""
    if not curves:
        raise ValueError("draw_probe_plots needs at least one ray's curves")
    top, bottom = probe_axes(rect, curves, font_px)
    k = max(c.n_out for c in curves)
    diff_title = {1: "network output", 2: "logit difference f1 - f0"}.get(k, "top two logits gap")
    draw_axes(canvas, top, diff_title, "", font_px)
    draw_axes(canvas, bottom, "confidence", "radius", font_px)
    map_colors, lap_colors = curve_styles(curves)
    single = len(curves) == 1
    layer_rgba = palette.layer_colors(8, alpha=0.9)
    for ax in (top, bottom):
        x, y, w, h = ax.rect
        zero = ax.to_pixel([0.0], [0.0])[0, 1]
        if ax is top and ax.ylim[0] < 0 < ax.ylim[1]:
            canvas.segments(np.array([[x, zero, x + w, zero]]), INK_DIM, 1.0)
        for c in curves:
            keep = c.crossings <= ax.xlim[1]
            if not keep.any():
                continue
            px = ax.to_pixel(c.crossings[keep], np.full(int(keep.sum()), ax.ylim[0]))[:, 0]
            col = layer_rgba[(c.crossing_layer[keep] - 1) % 8]
            ticks = np.stack([px, np.full_like(px, y + h), px, np.full_like(px, y + h - 9)], 1)
            canvas.segments(ticks, col, 2.0)
            if single:
                faint = col.copy()
                faint[:, 3] = 0.35
                full = np.stack([px, np.full_like(px, y), px, np.full_like(px, y + h)], 1)
                canvas.segments(full, faint, 1.0)
    for c, mc, lc in zip(curves, map_colors, lap_colors, strict=True):
        canvas.polyline(_clip_to(top, c.radius, c.logit_difference), mc, 2.0)
        if c.map_confidence is not None:
            canvas.polyline(_clip_to(bottom, c.conf_radius, c.map_confidence), mc, 2.0)
        if c.laplace_confidence is not None:
            canvas.polyline(_clip_to(bottom, c.conf_radius, c.laplace_confidence), lc, 2.0)
        if c.far_field is not None:
            x, _, w, _ = bottom.rect
            yy = _clip_to(bottom, [0.0], [c.far_field])[0, 1]
            canvas.polyline(np.array([[x, yy], [x + w, yy]]), lc, 1.5, dash=(7.0, 5.0))
    if legend and any(c.map_confidence is not None for c in curves):
        x, y, w, _ = bottom.rect
        items = [("MAP", map_colors[0], None)]
        if any(c.laplace_confidence is not None for c in curves):
            items.append(("Laplace", lap_colors[0], None))
        if any(c.far_field is not None for c in curves):
            items.append(("far-field limit", lap_colors[0], (5.0, 4.0)))
        cx = x + w
        for label, color, dash in reversed(items):
            tw, _ = canvas.text_size(label, font_px)
            cx -= tw
            canvas.text(label, (cx, y - 6), font_px, INK_DIM, "bl")
            cx -= 24
            ly = y - 6 - font_px * 0.55
            canvas.polyline(np.array([[cx, ly], [cx + 18, ly]]), color, 2.0, dash=dash)
            cx -= 14
    return top, bottom
