"""The experiments' own charts, drawn with pygame from plain arrays onto a card surface.

- `rose_chart`: the first layer's crease directions as a rose (a polar histogram, bars from the
  centre, the area of a bar its count) against what uniformly random directions give (the
  dashed ring: the expected count per bin; two faint rings: two standard deviations around it),
  beside the histogram of the creases' distances from the middle now (bars) and at the start of
  the run (outline); the bunching index of both.
- `pulse_chart`: the loss of two runs of the same task (Adam and SGD) side by side, on one
  log axis and one step axis.
- `compare_chart`: another run's output as a small grey picture with its first-layer creases,
  its title and a line comparing it with the run on the plane.
- `motion_chart`: per first-layer neuron, how far its crease has turned (degrees) and slid
  (offset) since the first step, one thin line each, their mean size thick (bias before weights).
The charts share `_plot` (a line plot with nice ticks, as sandbox.render.plots picks them) and
the frame of the readout strip's charts (sandbox.ui.stat_charts). Nothing here computes: the
experiment scene hands over the arrays (sandbox.geometry.crease_motion measures them).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pygame

from sandbox.render.plots import format_tick, nice_ticks, tick_step
from sandbox.ui.charts import font
from sandbox.ui.stat_charts import FRAME, GRID, _frame
from sandbox.ui.theme import TEXT, TEXT_DIM

LAYER1 = (86, 180, 233)  # Okabe-Ito sky blue: layer 1's crease colour
START = (230, 159, 0)  # Okabe-Ito orange: the start of the run / random directions
MEAN = (236, 238, 242)


def _title(surf: pygame.Surface, text: str, pos, scale: float, colour=TEXT) -> int:
    img = font(13 * scale, bold=True).render(text, True, colour)
    surf.blit(img, pos)
    return img.get_height()


def _plot(
    surf: pygame.Surface,
    box: pygame.Rect,
    x: np.ndarray,
    ys: Sequence[np.ndarray],
    colours: Sequence[tuple],
    widths: Sequence[int],
    scale: float,
    title: str = "",
    ylim: tuple[float, float] | None = None,
    marks: np.ndarray | None = None,
    xlabels: Sequence[tuple[float, str]] = (),
    ylabels: Sequence[tuple[float, str]] | None = None,
) -> None:
    """Lines y(x) in `box` (the plot area; tick labels go left of it, the title above; the
    `xlabels`, (x, text) pairs, under it)."""
    f = font(11 * scale)
    x = np.asarray(x, np.float64)
    finite = [np.asarray(y, np.float64)[np.isfinite(y)] for y in ys]
    if ylim is None:
        lo = min([0.0, *[float(v.min()) for v in finite if v.size]])
        hi = max([0.0, *[float(v.max()) for v in finite if v.size]])
        ylim = (lo, hi if hi > lo else lo + 1.0)
    lo, hi = ylim
    x0, x1 = (float(x[0]), float(x[-1])) if len(x) else (0.0, 1.0)
    x1 = x1 if x1 > x0 else x0 + 1.0

    def px(vx, vy):
        u = box.x + (np.asarray(vx) - x0) / (x1 - x0) * box.w
        v = box.bottom - (np.clip(vy, lo, hi) - lo) / (hi - lo) * box.h
        return np.column_stack([u, v])

    pygame.draw.rect(surf, (14, 16, 21), box)
    if ylabels is None:
        ticks = nice_ticks(lo, hi, max(2, box.h // round(18 * scale)))
        ticks = ticks[(ticks >= lo - 1e-12) & (ticks <= hi + 1e-12)]
        ylabels = [(float(t), format_tick(float(t), tick_step(ticks))) for t in ticks]
    for t, text in ylabels:
        yy = float(px([x0], [t])[0, 1])
        pygame.draw.line(surf, GRID, (box.x, yy), (box.right, yy), 1)
        img = f.render(text, True, TEXT_DIM)
        surf.blit(img, (box.x - img.get_width() - round(4 * scale), yy - img.get_height() // 2))
    if lo < 0 < hi:
        yy = float(px([x0], [0.0])[0, 1])
        pygame.draw.line(surf, TEXT_DIM, (box.x, yy), (box.right, yy), 1)
    if marks is not None:
        for m in np.asarray(marks, np.float64):
            if x0 <= m <= x1:
                mx = float(px([m], [lo])[0, 0])
                pygame.draw.line(surf, (70, 62, 40), (mx, box.y), (mx, box.bottom), 1)
    for y, colour, width in zip(ys, colours, widths, strict=True):
        pts = px(x, np.asarray(y, np.float64))
        ok = np.all(np.isfinite(pts), axis=1)
        if ok.sum() >= 2:
            pygame.draw.lines(surf, colour, False, pts[ok].tolist(), max(1, round(width * scale)))
    for vx, text in xlabels:
        mx = float(px([vx], [lo])[0, 0])
        pygame.draw.line(surf, GRID, (mx, box.y), (mx, box.bottom), 1)
        img = f.render(text, True, TEXT_DIM)
        rect = img.get_rect(midtop=(mx, box.bottom + 2))
        rect.right = min(rect.right, box.right + 2)  # the last label stays under its plot
        surf.blit(img, rect)
    pygame.draw.rect(surf, FRAME, box, 1)
    if title:
        img = f.render(title, True, TEXT)
        surf.blit(img, (box.x, box.y - img.get_height() - round(2 * scale)))


# ------------------------------------------------------------------------------- the rose
def rose_chart(
    counts: np.ndarray,
    band: tuple[float, float],
    offsets: np.ndarray,
    start_offsets: np.ndarray,
    bunch: float,
    start_bunch: float,
    size: tuple[int, int],
    scale: float = 1.0,
) -> pygame.Surface:
    """The rose of crease directions against random ones, and the offsets histogram."""
    surf = _frame(size, scale)
    w, h = surf.get_size()
    pad = round(10 * scale)
    f = font(11 * scale)
    n = int(np.sum(counts))
    top = pad + _title(surf, f"Layer 1 crease directions ({n} creases)", (pad, pad), scale)
    line = f"bunching {bunch:.1f} now, {start_bunch:.1f} at the start (random: about 1)"
    img = f.render(line, True, TEXT_DIM)
    surf.blit(img, (pad, top + round(2 * scale)))
    top += img.get_height() + round(8 * scale)
    legend_h = f.get_linesize() + round(4 * scale)
    side = max(10, min(w // 2 - 2 * pad, h - top - pad - legend_h))
    label_w = f.size("180\u00b0")[0] + round(4 * scale)
    cx, cy = pad + side / 2, top + side / 2
    radius = max(4.0, side / 2 - label_w)
    k = len(counts)
    mean, sd = band
    r_max = max(float(np.max(counts)) if k else 1.0, mean + 2 * sd, 1.0)

    def ring(value: float) -> float:
        return radius * math.sqrt(max(value, 0.0) / r_max)  # area, not length, shows the count

    pygame.draw.circle(surf, (14, 16, 21), (cx, cy), radius)
    for r in (ring(max(mean - 2 * sd, 0.0)), ring(mean + 2 * sd)):
        pygame.draw.circle(surf, (70, 58, 30), (cx, cy), r, 1)
    for j in range(k):
        if counts[j] <= 0:
            continue
        a0, a1 = 2 * math.pi * j / k, 2 * math.pi * (j + 1) / k
        r = ring(float(counts[j]))
        arc = [(cx + r * math.cos(a), cy - r * math.sin(a)) for a in np.linspace(a0, a1, 4)]
        pygame.draw.polygon(surf, LAYER1, [(cx, cy), *arc])
    rm = ring(mean)  # the dashed ring: what random directions give per bin
    for a in np.arange(0.0, 2 * math.pi, math.pi / 24):
        p0 = (cx + rm * math.cos(a), cy - rm * math.sin(a))
        p1 = (cx + rm * math.cos(a + math.pi / 48), cy - rm * math.sin(a + math.pi / 48))
        pygame.draw.line(surf, START, p0, p1, max(1, round(2 * scale)))
    for deg, anchor in ((0, "midleft"), (90, "midbottom"), (180, "midright"), (270, "midtop")):
        a = math.radians(deg)
        img = f.render(f"{deg}\u00b0", True, TEXT_DIM)
        rect = img.get_rect(**{anchor: (cx + (radius + 2) * math.cos(a),
                                        cy - (radius + 2) * math.sin(a))})  # fmt: skip
        surf.blit(img, rect)
    y = top + side + round(4 * scale)
    pygame.draw.line(surf, START, (pad, y + 7 * scale), (pad + 14 * scale, y + 7 * scale), 2)
    surf.blit(f.render("random directions", True, TEXT_DIM), (pad + 18 * scale, y))
    # distances from the middle: now (bars) and at the start (outline), same bins
    box = pygame.Rect(round(w / 2 + 3 * pad), top + round(16 * scale), 0, 0)
    box.w = w - box.x - pad
    box.h = h - box.y - pad - legend_h - f.get_linesize()
    if box.w < 20 or box.h < 20:
        return surf
    now_d = np.abs(np.asarray(offsets, np.float64))
    then_d = np.abs(np.asarray(start_offsets, np.float64))
    both = np.concatenate([now_d, then_d])
    both = both[np.isfinite(both)]
    ticks = nice_ticks(0.0, min(float(np.max(both)) if both.size else 1.0, 12.0) or 1.0, 3)
    hi = float(ticks[-1]) if ticks[-1] > 0 else 1.0
    if both.size and hi < min(float(both.max()), 12.0):
        hi += tick_step(ticks)
    edges = np.linspace(0.0, hi, 25)
    now, _ = np.histogram(np.clip(now_d, 0.0, hi * (1 - 1e-9)), edges)
    then, _ = np.histogram(np.clip(then_d, 0.0, hi * (1 - 1e-9)), edges)
    top_c = max(1, int(np.ceil(now.max() * 1.15)))  # the start's outline may run off the top
    _plot(surf, box, np.array([0.0, hi]), [], [], [], scale, "distance from the middle",
          (0.0, top_c))  # fmt: skip
    bw = box.w / len(now)
    for j, c in enumerate(now):
        bh = c / top_c * box.h
        pygame.draw.rect(surf, LAYER1, (box.x + j * bw + 1, box.bottom - bh, max(1, bw - 1), bh))
    pts = []
    for j, c in enumerate(then):
        yy = box.bottom - min(c / top_c, 1.0) * box.h
        pts += [(box.x + j * bw, yy), (box.x + (j + 1) * bw, yy)]
    pygame.draw.lines(surf, START, False, pts, max(1, round(2 * scale)))
    for v in nice_ticks(0.0, hi, 3):
        img = f.render(format_tick(float(v), tick_step(nice_ticks(0.0, hi, 3))), True, TEXT_DIM)
        surf.blit(img, img.get_rect(midtop=(box.x + v / hi * box.w, box.bottom + 2)))
    y = box.bottom + f.get_linesize() + round(4 * scale)
    pygame.draw.line(surf, START, (box.x, y + 7 * scale), (box.x + 14 * scale, y + 7 * scale), 2)
    surf.blit(f.render("at the start", True, TEXT_DIM), (box.x + 18 * scale, y))
    return surf


# ------------------------------------------------------------------------ bias vs weights
def motion_chart(
    steps: np.ndarray,
    turn: np.ndarray,
    slide: np.ndarray,
    size: tuple[int, int],
    scale: float = 1.0,
    note: str = "",
) -> pygame.Surface:
    """Per-neuron turn (degrees) and slide (offset) since the first step, against the step on
    a log axis (the first steps get as much room as the hundreds after them)."""
    surf = _frame(size, scale)
    w, h = surf.get_size()
    pad = round(10 * scale)
    left = round(46 * scale)
    top = pad + _title(surf, "Layer 1 creases: turn and slide since step 0", (pad, pad), scale)
    f = font(11 * scale)
    if note:
        img = f.render(note, True, TEXT_DIM)
        surf.blit(img, (pad, top + round(2 * scale)))
        top += img.get_height() + round(2 * scale)
    if len(steps) < 2 or turn.size == 0:
        img = f.render("appears once training starts", True, TEXT_DIM)
        surf.blit(img, img.get_rect(center=(w // 2, h // 2)))
        return surf
    x = np.log10(1.0 + np.asarray(steps, np.float64))
    marks = [v for v in (0, 1, 3, 10, 30, 100, 300, 1000) if v <= steps[-1]]
    xlabels = [(float(np.log10(1.0 + v)), str(v)) for v in marks]
    title_h = f.get_linesize() + round(4 * scale)
    ph = (h - top - 2 * title_h - pad - 3 * f.get_linesize()) // 2
    for k, (values, name) in enumerate(((turn, "turned (degrees)"), (slide, "slid (offset)"))):
        box = pygame.Rect(left, top + title_h + k * (ph + title_h + f.get_linesize()), 0, ph)
        box.w = w - left - pad
        lines = [values[:, j] for j in range(values.shape[1])]
        mean = np.mean(np.abs(values), axis=1)
        colours = [(60, 110, 140)] * len(lines) + [MEAN]
        _plot(surf, box, x, [*lines, mean], colours, [1] * len(lines) + [2], scale, name,
              xlabels=xlabels)  # fmt: skip
    img = f.render("step (log scale)  ·  thin: each crease  ·  thick: their mean size", True,
                   TEXT_DIM)  # fmt: skip
    surf.blit(img, (left, h - pad - img.get_height()))
    return surf


# --------------------------------------------------------------------------- Adam vs SGD
def pulse_chart(
    runs: Sequence[tuple[np.ndarray, np.ndarray]],
    names: Sequence[str],
    size: tuple[int, int],
    scale: float = 1.0,
) -> pygame.Surface:
    """One loss curve per run ((steps, losses) each), side by side, sharing a log loss axis
    and a step axis."""
    surf = _frame(size, scale)
    w, h = surf.get_size()
    pad = round(10 * scale)
    f = font(11 * scale)
    top = pad + _title(surf, "The same disk, the same steps: " + " | ".join(names), (pad, pad),
                       scale)  # fmt: skip
    runs = [(np.asarray(x, np.float64), np.asarray(v, np.float64)) for x, v in runs]
    if any(len(x) < 2 for x, _ in runs):
        img = f.render("appears once training starts", True, TEXT_DIM)
        surf.blit(img, img.get_rect(center=(w // 2, h // 2)))
        return surf
    logs = [np.log10(np.maximum(v, 1e-12)) for _, v in runs]
    lo = float(np.floor(min(float(v.min()) for v in logs)))
    hi = max(float(np.ceil(max(float(v.max()) for v in logs))), lo + 1.0)
    ylabels = [(float(e), f"{10.0**e:g}") for e in range(int(lo), int(hi) + 1)]
    first = min(float(x[0]) for x, _ in runs)
    last = max(float(x[-1]) for x, _ in runs)
    ends = [(first, str(int(first))), (last, str(int(last)))]
    left = round(40 * scale)
    gap = round(46 * scale)
    pw = (w - left - pad - gap) // 2
    title_h = f.get_linesize() + round(4 * scale)
    ph = h - top - title_h - pad - 2 * f.get_linesize()
    for k, ((x, _), values, name) in enumerate(zip(runs, logs, names, strict=True)):
        box = pygame.Rect(left + k * (pw + gap), top + title_h, pw, ph)
        colour = (86, 180, 233) if k == 0 else START
        title = f"{name}: loss now {10.0 ** values[-1]:.3g}"
        xs = np.concatenate([[first], x, [last]])  # one step axis for both
        ys = np.concatenate([[np.nan], values, [np.nan]])
        _plot(surf, box, xs, [ys], [colour], [1], scale, title, (lo, hi),
              xlabels=ends, ylabels=ylabels)  # fmt: skip
    img = f.render("step  ·  log loss on the training pixels", True, TEXT_DIM)
    surf.blit(img, (left, h - pad - img.get_height()))
    return surf


# ------------------------------------------------------------------------ another run
def compare_chart(
    image: np.ndarray,
    bounds: tuple[float, float, float, float],
    segments: np.ndarray,
    title: str,
    subtitle: str,
    rows: Sequence[str],
    size: tuple[int, int],
    scale: float = 1.0,
) -> pygame.Surface:
    """Another run's output (image (n, n), values 0 black to 1 white, top row first, over
    `bounds`) with its first-layer creases (segments (S, 4) x0 y0 x1 y1 in world units)."""
    surf = _frame(size, scale)
    w, h = surf.get_size()
    pad = round(10 * scale)
    f = font(11 * scale)
    top = pad + _title(surf, title, (pad, pad), scale)
    img = f.render(subtitle, True, TEXT_DIM)
    surf.blit(img, (pad, top + round(2 * scale)))
    top += img.get_height() + round(6 * scale)
    text_h = len(rows) * (f.get_linesize() + round(2 * scale))
    side = max(10, min(w - 2 * pad, h - top - pad - text_h - round(4 * scale)))
    box = pygame.Rect((w - side) // 2, top, side, side)
    grey = (np.clip(np.nan_to_num(np.asarray(image, np.float64)), 0.0, 1.0) * 255).astype(np.uint8)
    rgb = np.repeat(grey.T[:, :, None], 3, axis=2)  # surfarray is indexed [x, y]
    pic = pygame.transform.smoothscale(pygame.surfarray.make_surface(rgb), box.size)
    surf.blit(pic, box)
    x0, x1, y0, y1 = bounds
    seg = np.asarray(segments, np.float64).reshape(-1, 4)
    u = box.x + (seg[:, [0, 2]] - x0) / (x1 - x0) * box.w
    v = box.bottom - (seg[:, [1, 3]] - y0) / (y1 - y0) * box.h
    clip = surf.get_clip()
    surf.set_clip(box)
    for (ua, ub), (va, vb) in zip(u, v, strict=True):
        pygame.draw.aaline(surf, LAYER1, (ua, va), (ub, vb))
    surf.set_clip(clip)
    pygame.draw.rect(surf, FRAME, box, 1)
    y = box.bottom + round(4 * scale)
    for row in rows:
        img = f.render(row, True, TEXT)
        surf.blit(img, img.get_rect(midtop=(w // 2, y)))
        y += f.get_linesize() + round(2 * scale)
    return surf
