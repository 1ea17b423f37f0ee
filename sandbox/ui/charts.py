"""Small charts drawn with pygame onto surfaces: the train/test loss curve of the readout strip.

The chart uses a log loss axis (losses span decades while training) and the step axis of the
history it is given; it is redrawn a few times a second at most, never per frame.
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np
import pygame

from sandbox.state import LossHistory
from sandbox.ui.theme import TEST_LINE, TEXT_DIM, TRAIN_LINE, font_file


@cache
def _font(size: int, bold: bool = False) -> pygame.font.Font:
    if not pygame.font.get_init():
        pygame.font.init()
    return pygame.font.Font(font_file(bold), size)


def font(size: int, bold: bool = False) -> pygame.font.Font:
    """A cached Noto Sans font at a pixel size."""
    return _font(max(6, int(size)), bold)


def _nice_steps(n: int) -> str:
    if n >= 1_000_000:
        return f"{n / 1e6:.1f}M"
    if n >= 1000:
        return f"{n / 1000:.0f}k" if n >= 10_000 else f"{n / 1000:.1f}k"
    return str(n)


def axis_decades(lo: int, hi: int, plot_height: float, label_height: int) -> list[int]:
    """The decades lo..hi of the log axis that get a label: every one when they are far enough
    apart, else every second, third... (always the top one), so labels never overlap."""
    spacing = plot_height / max(1, hi - lo)
    stride = max(1, math.ceil((label_height + 2) / max(spacing, 1e-9)))
    return [e for e in range(hi, lo - 1, -stride)]


def decade_label(e: int) -> str:
    """10**e in plain words where they are short: 0.0001 ... 1000, 10k; 1e-5 below."""
    if e >= 4:
        return f"{10 ** (e - 3)}k"
    if e >= 0:
        return str(10**e)
    if e >= -4:
        return f"{10.0**e:.{-e}f}"
    return f"1e{e}"


def _plot_box(size: tuple[int, int], scale: float) -> tuple[int, int, int, int]:
    """The plotting area (left, top, width, height) of a chart of `size` pixels."""
    w, h = max(1, size[0]), max(1, size[1])
    left, right = round(44 * scale), round(10 * scale)
    top, bottom = round(22 * scale), round(20 * scale)
    return left, top, w - left - right, h - top - bottom


def step_at(history: LossHistory, size: tuple[int, int], scale: float, x: float) -> float | None:
    """The training step under pixel column `x` of the chart (None before any curve)."""
    steps, _, _ = history.view()
    if len(steps) < 2:
        return None
    left, _, pw, _ = _plot_box(size, scale)
    if pw < 10:
        return None
    s0, s1 = float(steps[0]), float(max(steps[-1], steps[0] + 1))
    return s0 + min(max((x - left) / pw, 0.0), 1.0) * (s1 - s0)


def loss_chart(
    history: LossHistory, size: tuple[int, int], scale: float = 1.0, marker: float | None = None
) -> pygame.Surface:
    """Train (blue) and test (orange) loss against step on a log axis, with a small legend;
    `marker`: a step to mark with a vertical line (the timeline's snapshot shown)."""
    w, h = max(1, size[0]), max(1, size[1])
    surf = pygame.Surface((w, h), pygame.SRCALPHA)
    surf.fill((20, 23, 29, 255))
    pygame.draw.rect(surf, (45, 51, 62), surf.get_rect(), 1, border_radius=round(6 * scale))
    f = font(12 * scale)
    steps, train, test = history.view()
    left, top, pw, ph = _plot_box((w, h), scale)
    legend = [("train", TRAIN_LINE), ("test", TEST_LINE)]
    x = left
    for name, colour in legend:
        pygame.draw.line(surf, colour, (x, top // 2), (x + 16 * scale, top // 2), 3)
        img = f.render(name, True, TEXT_DIM)
        surf.blit(img, (x + 20 * scale, top // 2 - img.get_height() // 2))
        x += 20 * scale + img.get_width() + 14 * scale
    if pw < 10 or ph < 10:
        return surf
    finite = np.concatenate([train[np.isfinite(train)], test[np.isfinite(test)]])
    finite = finite[finite > 0]
    if len(steps) < 2 or finite.size == 0:
        # one line where it fits, else as many lines as a narrow chart needs
        lines, line = [], ""
        for word in "the loss curve appears while training".split():
            wider = f"{line} {word}".strip()
            if line and f.size(wider)[0] > pw:
                lines.append(line)
                line = word
            else:
                line = wider
        lines.append(line)
        y = top + ph // 2 - (len(lines) - 1) * f.get_linesize() // 2
        for text in lines:
            img = f.render(text, True, TEXT_DIM)
            surf.blit(img, (left + (pw - img.get_width()) // 2, y))
            y += f.get_linesize()
        return surf
    lo = math.floor(math.log10(max(finite.min(), 1e-8)))
    hi = math.ceil(math.log10(max(finite.max(), 1e-8)))
    if hi <= lo:
        hi = lo + 1
    s0, s1 = float(steps[0]), float(max(steps[-1], steps[0] + 1))

    def to_xy(s: np.ndarray, v: np.ndarray) -> np.ndarray:
        xs = left + (s - s0) / (s1 - s0) * pw
        lv = np.log10(np.clip(v, 10.0**lo, 10.0**hi))
        ys = top + ph - (lv - lo) / (hi - lo) * ph
        return np.stack([xs, ys], axis=1)

    grid = (38, 43, 52)
    labelled = set(axis_decades(lo, hi, ph, f.get_height()))
    for e in range(lo, hi + 1):
        y = top + ph - (e - lo) / (hi - lo) * ph
        pygame.draw.line(surf, grid, (left, y), (left + pw, y), 1)
        if e in labelled:
            img = f.render(decade_label(e), True, TEXT_DIM)
            surf.blit(img, (left - img.get_width() - 4 * scale, y - img.get_height() // 2))
    label = f.render(f"step {_nice_steps(int(steps[-1]))}", True, TEXT_DIM)
    surf.blit(label, (left + pw - label.get_width(), top + ph + 2 * scale))
    start = f.render(_nice_steps(int(steps[0])), True, TEXT_DIM)
    surf.blit(start, (left, top + ph + 2 * scale))
    for values, colour in ((test, TEST_LINE), (train, TRAIN_LINE)):
        ok = np.isfinite(values) & (values > 0)
        if ok.sum() >= 2:
            pts = to_xy(steps[ok].astype(np.float64), values[ok])
            pygame.draw.aalines(surf, colour, False, pts.tolist())
            pygame.draw.lines(surf, colour, False, pts.tolist(), max(1, round(2 * scale)))
    if marker is not None and s0 <= marker <= s1:
        mx = round(left + (marker - s0) / (s1 - s0) * pw)
        pygame.draw.line(surf, (236, 238, 242), (mx, top), (mx, top + ph), max(1, round(2 * scale)))
    return surf
