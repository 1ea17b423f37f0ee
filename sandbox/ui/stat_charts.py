"""The readout strip's other charts, drawn with pygame: region statistics over training and the
histogram of the points' margins; and the row of buttons that picks the chart (loss, regions,
margins) and exports the statistics as CSV.

The regions chart shares the loss chart's step axis (so a click on it goes back to that moment
of training the same way) and a log count axis: regions in view, near the data and far from it,
with N^2/2 (dashed) and the Serra bound (dotted, or named in the legend when it is far above).
The histogram's bars take the colours of the margins view (sandbox.render.margin_palette), so
it is also that view's legend.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
import pygame

from sandbox import actions as A
from sandbox.render.margin_palette import MARGIN_COLORS
from sandbox.state import AppState
from sandbox.ui import charts
from sandbox.ui.charts import axis_decades, decade_label, font
from sandbox.ui.numbers import plain_number
from sandbox.ui.theme import TEXT, TEXT_DIM

if TYPE_CHECKING:
    from sandbox.geometry.margins import Margins
    from sandbox.geometry.region_stats import StatsTrack

BG = (20, 23, 29, 255)
FRAME = (45, 51, 62)
GRID = (38, 43, 52)
VIEW_LINE = (236, 238, 242)
NEAR_LINE = (86, 180, 233)  # Okabe-Ito sky blue
FAR_LINE = (150, 156, 168)
SCALE_LINE = (230, 159, 0)  # Okabe-Ito orange: N^2/2 and the Serra bound
STEP_RGB = [tuple(int(round(255 * c)) for c in row) for row in MARGIN_COLORS]
TAB_ROW = 30  # height at 1x of the button row above the chart
CHART_TABS = (
    ("loss", "Loss", "The train and test loss over training."),
    ("regions", "Regions", "Linear regions over training: in view, near the data (its convex "
     "hull grown a little) and far from it, against N\u00b2/2 (the count at initialisation) and "
     "the Serra bound (the most there can be). Recorded with the timeline's snapshots."),
    ("margins", "Margins", "How far each point is from the decision boundary (exact): a "
     "histogram coloured as the margins view (M) colours the points; left of 0, the wrong side."),
)  # fmt: skip
EXPORT_TIP = (
    "Write the region statistics by training step and every point's margin (exact distance to "
    "the decision boundary, its nearest point) as CSV files in the files folder. Ctrl+M."
)


def _frame(size: tuple[int, int], scale: float) -> pygame.Surface:
    surf = pygame.Surface((max(1, size[0]), max(1, size[1])), pygame.SRCALPHA)
    surf.fill(BG)
    pygame.draw.rect(surf, FRAME, surf.get_rect(), 1, border_radius=round(6 * scale))
    return surf


def _centered(surf: pygame.Surface, text: str, scale: float) -> pygame.Surface:
    f = font(12 * scale)
    words, lines, line = text.split(), [], ""
    for w in words:
        wider = f"{line} {w}".strip()
        if line and f.size(wider)[0] > surf.get_width() - 16 * scale:
            lines.append(line)
            line = w
        else:
            line = wider
    lines.append(line)
    y = surf.get_height() // 2 - len(lines) * f.get_linesize() // 2
    for t in lines:
        img = f.render(t, True, TEXT_DIM)
        surf.blit(img, ((surf.get_width() - img.get_width()) // 2, y))
        y += f.get_linesize()
    return surf


def _count(n: float) -> str:
    n = float(n)
    if n >= 1e6:
        return f"{n / 1e6:.1f}M"
    if n >= 1e4:
        return f"{n / 1e3:.0f}k"
    return f"{n:,.0f}"


def region_chart(
    track: StatsTrack | None,
    history_steps: np.ndarray,
    size: tuple[int, int],
    scale: float = 1.0,
    marker: float | None = None,
) -> pygame.Surface:
    """Regions in view / near / far against step (log counts), with N^2/2 and the Serra bound."""
    surf = _frame(size, scale)
    if track is None or len(track) < 1:
        return _centered(surf, "region statistics appear while training", scale)
    steps, values = track.series()
    left, top, pw, ph = charts._plot_box(surf.get_size(), scale)
    f = font(12 * scale)
    last = values[-1]
    view, near, far, hr, serra = last[0], last[1], last[2], last[3], last[4]
    x = left
    names = ("in view", "near data", "far")
    room = surf.get_width() - left - 30 * scale * len(names)
    if sum(f.size(n)[0] for n in names) > room:
        names = ("view", "near", "far")
    for name, colour in zip(names, (VIEW_LINE, NEAR_LINE, FAR_LINE), strict=True):
        pygame.draw.line(surf, colour, (x, top // 2), (x + 12 * scale, top // 2), 3)
        img = f.render(name, True, TEXT_DIM)
        surf.blit(img, (x + 16 * scale, top // 2 - img.get_height() // 2))
        x += 16 * scale + img.get_width() + 10 * scale
    if pw < 10 or ph < 10:
        return surf
    counts = values[:, :3]
    pos = counts[counts > 0]
    lo_v = max(1.0, float(pos.min()) if pos.size else 1.0)
    hi_v = max(float(counts.max()), hr, 1.0)
    lo = math.floor(math.log10(lo_v))
    hi = max(math.ceil(math.log10(hi_v * 1.5)), lo + 1)  # room above the top line
    show_serra = serra > 0 and math.log10(serra) <= hi + 1
    if show_serra:
        hi = max(hi, math.ceil(math.log10(serra)))
    hs = history_steps if len(history_steps) >= 2 else steps
    s0 = float(hs[0]) if len(hs) else 0.0
    s1 = float(max(hs[-1], s0 + 1)) if len(hs) else 1.0

    def y_of(v: float) -> float:
        lv = math.log10(min(max(v, 10.0**lo), 10.0**hi))
        return top + ph - (lv - lo) / (hi - lo) * ph

    labelled = set(axis_decades(lo, hi, ph, f.get_height()))
    for e in range(lo, hi + 1):
        y = y_of(10.0**e)
        pygame.draw.line(surf, GRID, (left, y), (left + pw, y), 1)
        if e in labelled:
            img = f.render(decade_label(e), True, TEXT_DIM)
            surf.blit(img, (left - img.get_width() - 4 * scale, y - img.get_height() // 2))
    dash = max(2, round(6 * scale))
    for value, gap, name in ((hr, dash, "N\u00b2/2"), (serra if show_serra else 0, 2, "Serra")):
        if value <= 0:
            continue
        y = y_of(value)
        for xd in range(left, left + pw, dash + gap):
            pygame.draw.line(surf, SCALE_LINE, (xd, y), (min(xd + dash, left + pw), y), 1)
        img = f.render(name, True, SCALE_LINE)
        above = y - img.get_height()
        surf.blit(img, (left + 3, above if above >= top else y + 1))  # clear of the legend
    xs = left + (steps.astype(np.float64) - s0) / (s1 - s0) * pw
    keep = (xs >= left - 1) & (xs <= left + pw + 1)
    for col, colour in ((2, FAR_LINE), (1, NEAR_LINE), (0, VIEW_LINE)):
        v = counts[keep, col]
        ok = v > 0
        pts = [(float(a), y_of(float(b))) for a, b in zip(xs[keep][ok], v[ok], strict=True)]
        if len(pts) >= 2:
            pygame.draw.lines(surf, colour, False, pts, max(1, round(2 * scale)))
        elif len(pts) == 1:
            pygame.draw.circle(surf, colour, pts[0], max(2, round(3 * scale)))
    crossing = int(last[7])
    bound = f" · Serra {_count(serra)}" if serra > 0 else ""
    areas = f" · mean area {plain_number(last[5])} near, {plain_number(last[6])} far"
    for text in (
        f"{_count(view)} = {_count(near)} near + {_count(far)} far{areas} · {crossing} creases "
        f"cross the data{bound}",
        f"{_count(view)} = {_count(near)} near + {_count(far)} far · {crossing} creases cross "
        f"the data{bound}",
        f"{_count(near)} near · {_count(far)} far · {crossing} cross the data{bound}",
        f"{_count(near)} near · {_count(far)} far · {crossing} cross",
    ):
        if f.size(text)[0] <= surf.get_width() - left - 4 * scale:
            break
    foot = f.render(text, True, TEXT_DIM)
    surf.blit(foot, (left, top + ph + 2 * scale))
    if marker is not None and s0 <= marker <= s1:
        mx = round(left + (marker - s0) / (s1 - s0) * pw)
        pygame.draw.line(surf, VIEW_LINE, (mx, top), (mx, top + ph), max(1, round(2 * scale)))
    return surf


def margin_histogram(
    margins: Margins | None, edges: tuple[float, ...], note: str, size, scale: float = 1.0
) -> pygame.Surface:
    """Histogram of the signed margins, bars in the margin view's colours, with its legend."""
    surf = _frame(size, scale)
    if margins is None or len(margins) == 0 or margins.message:
        text = note or "margins appear with points to classify"
        return _centered(surf, text.replace("no exact margins: ", "No exact margins: "), scale)
    f = font(12 * scale)
    signed = margins.signed
    ok = np.isfinite(signed)
    signed = signed[ok]
    unit = edges[3] if len(edges) >= 4 else 1.0
    hi = max(3.0 * unit, 1e-9)
    left, top, pw, ph = charts._plot_box(surf.get_size(), scale)
    left = round(12 * scale)
    pw = surf.get_width() - left - round(10 * scale)
    wrong = int((signed < 0).sum())
    med = float(np.median(np.abs(signed))) if signed.size else math.nan
    for title in (
        f"{len(signed)} points · median {plain_number(med)} · {wrong} on the wrong side",
        f"median {plain_number(med)} · {wrong} wrong side",
        f"median {plain_number(med)}",
    ):
        if f.size(title)[0] <= surf.get_width() - 2 * left:
            break
    img = f.render(title, True, TEXT_DIM)
    surf.blit(img, (left, top // 2 - img.get_height() // 2))
    if pw < 20 or ph < 10 or not signed.size:
        return surf
    # bins of one width on both sides of 0, so the wrong side gets whole bins
    n_right = int(max(6, min(30, pw // max(4, round(8 * scale)))))
    width = hi / n_right
    lo = 0.0
    if wrong:
        lo = -width * min(n_right, math.ceil(-float(signed.min()) / width))
    n_bins = round((hi - lo) / width)
    clipped = np.clip(signed, lo, hi - 1e-9 * width)
    counts, bins = np.histogram(clipped, bins=n_bins, range=(lo, hi))
    top_count = max(1, int(counts.max()))
    bar_w = pw / n_bins
    for k, c in enumerate(counts):
        if c == 0:
            continue
        mid = 0.5 * (bins[k] + bins[k + 1])
        step = 0 if mid < 0 else 1 + int(np.searchsorted(np.asarray(edges[1:]), mid, "right"))
        h = max(1.0, c / top_count * ph)
        rect = pygame.Rect(round(left + k * bar_w), round(top + ph - h), max(1, round(bar_w) - 1),
                           round(h))  # fmt: skip
        pygame.draw.rect(surf, STEP_RGB[step], rect)
    x0 = left + (0.0 - lo) / (hi - lo) * pw
    pygame.draw.line(surf, TEXT, (x0, top), (x0, top + ph), 1)
    taken: list[pygame.Rect] = []
    for v in (0.0, hi, unit, 2 * unit, lo):
        x = left + (v - lo) / (hi - lo) * pw
        label = plain_number(v) + ("+" if v == hi else "")
        img = f.render(label, True, TEXT_DIM)
        tx = min(max(x - img.get_width() / 2, 0), surf.get_width() - img.get_width() - 2)
        rect = img.get_rect(topleft=(round(tx), round(top + ph + 2 * scale)))
        if rect.collidelist([r.inflate(round(6 * scale), 0) for r in taken]) >= 0:
            continue
        taken.append(rect)
        surf.blit(img, rect)
    return surf


def chart_key(state: AppState) -> tuple:
    """What the chart shows, as plain values (it is drawn again when this changes)."""
    st = state.stats
    if st.chart == "regions":
        track = st.track
        too_many = state.partition is not None and state.partition.too_many
        return ("regions", None if track is None else track.version, state.history.version,
                too_many)  # fmt: skip
    if st.chart == "margins":
        return ("margins", id(st.margins), st.margin_note)
    return ("loss", state.history.version)


def chart_image(state: AppState, size, scale: float, marker: float | None) -> pygame.Surface:
    """The chart the readout strip shows now (sandbox.ui.panels)."""
    st = state.stats
    if st.chart == "regions":
        part = state.partition
        if (st.track is None or len(st.track) == 0) and part is not None and part.too_many:
            return _centered(_frame(size, scale), f"No region statistics: {part.message}", scale)
        steps = state.history.view()[0]
        return region_chart(st.track, steps, size, scale, marker)
    if st.chart == "margins":
        return margin_histogram(st.margins, st.step_edges, st.margin_note, size, scale)
    return charts.loss_chart(state.history, size, scale, marker)


def chart_buttons(panels, container, x: int, y: int, width: int) -> None:
    """The row of chart buttons (and the CSV export, where it fits; Ctrl+M anyway) at (x, y) of
    the readout strip, right aligned within `width`; registered as toggles ("chart", name)."""
    s = panels.s
    h, gap = s(TAB_ROW - 6), s(4)
    widths = [panels.text_width(label, "@toggle") + s(16) for _, label, _ in CHART_TABS]
    export_w = panels.text_width("CSV", "@button") + s(16)
    total = sum(widths) + gap * (len(widths) - 1)
    export = total + gap + export_w <= width
    bx = x + max(0, width - total - (gap + export_w if export else 0))
    for (name, label, tip), w in zip(CHART_TABS, widths, strict=True):
        button = panels._button(
            container, (bx, y, w, h), label, tip, lambda n=name: A.SetChart(n), "@toggle"
        )
        panels._toggles[("chart", name)] = button
        bx += w + gap
    if export:
        panels._button(container, (bx, y, export_w, h), "CSV", EXPORT_TIP, A.ExportStats)
