"""Drawn items (triangles, line segments) ordered by height, so a band draws only what reaches it.

A heavy picture is painted in horizontal bands, one a frame (sandbox.render.held_layer). The
scissor keeps each band's pixels to the band, but every triangle of the whole picture was still
shaded, set up and binned for each band: a band of 8 x 64's plane cost 40-50% of the whole,
not a quarter. `order_by_height` gives the permutation that lists the items bottom to top by
their lowest point, in BUCKETS buckets of height (a stable radix sort of small keys, a few
milliseconds for 300,000 triangles), with the items taller than TALL_SHARE of the whole first:
those may reach any band and are drawn in every one. `HeightOrder.runs(y0, y1)` is then two runs
of the reordered items, the tall ones and the buckets from the one reaching down to y0 (the
others span at most `reach`) up to y1: every item that reaches the band, in the order a whole
draw makes them, so a band's pixels are exactly those of the whole picture there.
`HeightOrder.cuts(n, y0, y1)` splits y0..y1 into n bands holding as many items each, so bands
of a picture whose regions crowd its middle cost alike; `even_bands` makes them rectangles of a
view (`pane_bands`: of each pane of the split view, which each show the whole plane), and
`band_heights` gives the world heights of the band being painted.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .camera import View2D

Rect = tuple[int, int, int, int]  # GL's x, y, w, h (bottom-left origin)

BUCKETS = 256
TALL_SHARE = 1 / 32  # items taller than this share of the whole height go in every band


@dataclass(frozen=True)
class HeightOrder:
    """Where the items of each height bucket start, once reordered by `order_by_height`."""

    tall: int  # items [0, tall) are taller than `reach` and drawn in every band
    starts: np.ndarray  # (BUCKETS + 1,) first item of each bucket; starts[-1] = the count
    low: float  # the bottom of bucket 0
    step: float  # the height of a bucket
    reach: float  # no item after the tall ones spans more than this in y

    def _bucket(self, y: float) -> int:
        return int(np.clip(np.floor((y - self.low) / self.step), 0, BUCKETS))

    def runs(self, y0: float, y1: float) -> list[tuple[int, int]]:
        """(first, count) runs of the reordered items that may reach y0..y1, in their order."""
        first = int(self.starts[self._bucket(y0 - self.reach)])
        end = int(self.starts[min(BUCKETS, self._bucket(y1) + 1)])
        runs = []
        if self.tall:
            runs.append((0, self.tall))
        if end > first:
            if runs and first == self.tall:
                runs[0] = (0, end)
            else:
                runs.append((first, end - first))
        return runs

    def cuts(self, n: int, y0: float, y1: float) -> list[float]:
        """n - 1 heights splitting y0..y1 into n bands that hold as many items each (at the
        buckets' resolution), bottom to top."""
        counts = np.diff(self.starts).astype(np.float64)
        lows = self.low + self.step * np.arange(BUCKETS)
        counts[(lows + self.step < y0) | (lows > y1)] = 0.0
        total = counts.sum()
        if n <= 1 or total <= 0:
            return [y0 + (y1 - y0) * k / max(n, 1) for k in range(1, max(n, 1))]
        cumulative = np.cumsum(counts)
        out = []
        for k in range(1, n):
            b = int(np.searchsorted(cumulative, total * k / n))
            out.append(float(np.clip(self.low + self.step * (b + 1), y0, y1)))
        return out


def order_by_height(ymin: np.ndarray, ymax: np.ndarray) -> tuple[np.ndarray, HeightOrder]:
    """The permutation listing items bottom to top (the tall ones first) and its HeightOrder.

    `ymin`, `ymax`: (N,) the lowest and highest y of each item (world units)."""
    ymin = np.asarray(ymin, dtype=np.float64)
    ymax = np.asarray(ymax, dtype=np.float64)
    n = len(ymin)
    if n == 0:
        return np.zeros(0, np.intp), HeightOrder(0, np.zeros(BUCKETS + 1, np.intp), 0.0, 1.0, 0.0)
    low, top = float(ymin.min()), float(ymax.max())
    extent = ymax - ymin
    tall = extent > TALL_SHARE * max(top - low, 1e-300)
    step = max((float(ymin.max()) - low) / BUCKETS * (1 + 1e-9), 1e-300)
    keys = np.minimum(((ymin - low) / step).astype(np.int16), BUCKETS - 1)
    keys[tall] = -1
    order = np.argsort(keys, kind="stable")  # a radix sort of 16-bit keys
    n_tall = int(tall.sum())
    counts = np.bincount(keys[~tall], minlength=BUCKETS)
    starts = np.concatenate([[0], np.cumsum(counts)]) + n_tall
    reach = float(extent[~tall].max()) if n_tall < n else 0.0
    return order, HeightOrder(n_tall, starts.astype(np.intp), low, step, reach)


def overlap(a: Rect, b: Rect) -> bool:
    """Whether two rectangles share a pixel (a band and a pane of the split view)."""
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


def band_heights(painting: Rect | None, rect: Rect, view: View2D) -> tuple[float, float] | None:
    """The world heights (low, high) of the band `painting` of a view drawn in `rect`, or None
    when no band is being painted."""
    if painting is None:
        return None
    _, bottom, _, _ = view.world_bounds()
    ppu = view.pixels_per_unit
    y0 = painting[1] - rect[1]
    return (bottom + y0 / ppu, bottom + (y0 + painting[3]) / ppu)


def even_bands(order: HeightOrder | None, rect: Rect, view: View2D, n: int) -> list[Rect] | int:
    """`n` bands of the view drawn in `rect` holding as many of the ordered items each, bottom
    to top (fewer where bands would be empty), or n bands of equal height without an order."""
    if order is None:
        return n
    x, y, w, h = rect
    _, bottom, _, top = view.world_bounds()
    cuts = order.cuts(n, bottom, top)
    rows = [y] + [y + round((c - bottom) * view.pixels_per_unit) for c in cuts]
    rows = sorted({min(max(row, y), y + h) for row in rows} | {y + h})
    return [(x, a, w, b - a) for a, b in zip(rows[:-1], rows[1:], strict=True) if b > a]


def pane_bands(
    order: HeightOrder | None, rect: Rect, panes: list[tuple[Rect, View2D]], n: int
) -> list[Rect]:
    """`even_bands` of each pane (its viewport inside `rect`, its view), bottom to top, the
    panes in turn; a pane is one band where the items are not ordered."""
    bands: list[Rect] = []
    for (x, y, w, h), view in panes:
        pane = (rect[0] + x, rect[1] + y, w, h)
        cut = even_bands(order, pane, view, n)
        bands += [pane] if isinstance(cut, int) else cut
    return bands
