"""How creases sit and move during training: the measures behind three of the seeds' experiments.

A first-layer neuron's crease is the line w . x + b = 0. Written with its unit normal n = w / |w|
(pointing to the side where the neuron is on) at angle theta = atan2(n_y, n_x) in [0, 2 pi) and
its offset d = -b / |w| (signed distance from the origin along n), the line is {x : n . x = d}.

- Creases bunching (the blog's question): `crease_angles` gives (theta, d) per neuron,
  `rose_counts` the histogram of theta in equal bins, `uniform_band` what uniformly random
  directions give per bin (mean n/k, binomial standard deviation), `bunching` the histogram's
  index of dispersion (variance / mean of the counts: about 1 for random directions, between
  0.57 and 1.5 in 19 of 20 draws with 36 bins; well above when creases crowd into a few
  directions).
- Bias before weights (GINN): `crease_motion` reads the first layer's (theta, d) from every
  snapshot of a training timeline (the timeline keeps every step of the first 100) and returns,
  per neuron, how far each crease has turned (degrees, unwrapped) and slid (offset change) since
  the first snapshot; `half_time` is the step by which half of a neuron's final change is done.
- The indecisive neuron (GINN): `neuron_swings` measures, for every hidden neuron of any layer,
  the largest fraction of a pixel grid whose on/off state differs from the window's first
  snapshot over a run of snapshots (how far its crease swings), and `indecisive_neurons` flags
  those that swing far, far more than the rest, while the loss ends about where it started.
Pure numpy; no display code.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

ROSE_BINS = 36  # 10 degrees each
SWING_FAR = 0.05  # a crease that flips at least this fraction of the pixels swings far...
OUTLIER = 3.0  # ...this many times more than most of the network's creases...
LOSS_STILL = 0.1  # ...while the loss ends within this fraction of where it started


def crease_angles(W: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(theta in [0, 2 pi), offset d) of each first-layer crease w . x + b = 0 (see module).
    A neuron with w = 0 has no crease: theta and d are NaN."""
    W = np.asarray(W, dtype=np.float64).reshape(-1, 2)
    b = np.asarray(b, dtype=np.float64).reshape(-1)
    norm = np.hypot(W[:, 0], W[:, 1])
    ok = norm > 0
    theta = np.full(len(b), np.nan)
    d = np.full(len(b), np.nan)
    theta[ok] = np.arctan2(W[ok, 1], W[ok, 0]) % (2.0 * np.pi)
    d[ok] = -b[ok] / norm[ok]
    return theta, d


def rose_counts(theta: np.ndarray, bins: int = ROSE_BINS) -> np.ndarray:
    """Counts of the angles (radians, NaN ignored) in `bins` equal bins of [0, 2 pi)."""
    t = np.asarray(theta, dtype=np.float64)
    t = t[np.isfinite(t)] % (2.0 * np.pi)
    k = np.minimum((t / (2.0 * np.pi) * bins).astype(np.int64), bins - 1)
    return np.bincount(k, minlength=bins)


def uniform_band(n: int, bins: int = ROSE_BINS) -> tuple[float, float]:
    """Mean and standard deviation of one bin's count for n uniformly random directions."""
    p = 1.0 / bins
    return n * p, float(np.sqrt(n * p * (1.0 - p)))


def bunching(counts: np.ndarray) -> float:
    """Index of dispersion of a histogram (variance / mean of its counts); 0 when empty."""
    c = np.asarray(counts, dtype=np.float64)
    mean = c.mean() if c.size else 0.0
    return float(c.var() / mean) if mean > 0 else 0.0


def first_layer(params: np.ndarray, layout: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(W1, b1) of a flat parameter vector laid out as `MLP.layout` says."""
    w_off, n_out, n_in, b_off = (int(v) for v in layout[0])
    W = params[w_off : w_off + n_out * n_in].reshape(n_out, n_in)
    return W, params[b_off : b_off + n_out]


@dataclass(frozen=True)
class CreaseMotion:
    """Per-snapshot first-layer crease motion since the first snapshot (see the module)."""

    steps: np.ndarray  # (m,) step of each snapshot
    turn: np.ndarray  # (m, n) degrees turned since the first snapshot (signed, unwrapped)
    slide: np.ndarray  # (m, n) offset change since the first snapshot (world units)

    def __len__(self) -> int:
        return len(self.steps)


def crease_motion(steps, params, layout: np.ndarray) -> CreaseMotion:
    """The turn and slide of every first-layer crease over snapshots (`params`: one flat
    parameter vector per step in `steps`, increasing)."""
    steps = np.asarray(steps, dtype=np.int64).reshape(-1)
    thetas, offsets = [], []
    for p in params:
        theta, d = crease_angles(*first_layer(np.asarray(p), layout))
        thetas.append(np.nan_to_num(theta))
        offsets.append(np.nan_to_num(d))
    if not thetas:
        return CreaseMotion(steps, np.zeros((0, 0)), np.zeros((0, 0)))
    theta = np.unwrap(np.array(thetas), axis=0)
    d = np.array(offsets)
    return CreaseMotion(steps, np.degrees(theta - theta[0]), d - d[0])


def half_time(steps: np.ndarray, change: np.ndarray) -> np.ndarray:
    """Per neuron (columns of `change`), the first step at which |change| reaches half of its
    value at the last step."""
    steps = np.asarray(steps)
    c = np.abs(np.asarray(change, dtype=np.float64))
    reached = c >= 0.5 * c[-1][None, :]
    return steps[np.argmax(reached, axis=0)]


def pixel_grid(bounds: tuple[float, float, float, float], n: int = 48) -> np.ndarray:
    """(n * n, 2) pixel centres of the window (xmin, xmax, ymin, ymax)."""
    x0, x1, y0, y1 = bounds
    xs = x0 + (np.arange(n) + 0.5) / n * (x1 - x0)
    ys = y0 + (np.arange(n) + 0.5) / n * (y1 - y0)
    gx, gy = np.meshgrid(xs, ys)
    return np.column_stack([gx.ravel(), gy.ravel()])


def neuron_swings(net, params, grid: np.ndarray) -> np.ndarray:
    """Per hidden neuron (flat order), the largest fraction of the `grid` points whose on/off
    state differs from the first of the parameter vectors `params` (set into a copy of `net`)."""
    work = net.copy()
    first: np.ndarray | None = None
    swing = np.zeros(int(sum(net.hidden_sizes)))
    for p in params:
        work.params[:] = p
        on = np.concatenate([z > 0 for z in work.preactivations(grid)], axis=1)
        if first is None:
            first = on
            continue
        swing = np.maximum(swing, (on != first).mean(axis=0))
    return swing


def indecisive_neurons(
    swing: np.ndarray, losses: np.ndarray, far: float = SWING_FAR, still: float = LOSS_STILL
) -> np.ndarray:
    """Flags (per hidden neuron) of creases that swing far while the loss barely changes over
    the same snapshots: a swing of at least `far` of the window and OUTLIER times the 90th
    percentile of all the swings (the rest of the network holds still), with the loss ending
    within `still` of where it started. No flags when the loss moved more."""
    swing = np.asarray(swing, dtype=np.float64)
    loss = np.asarray(losses, dtype=np.float64)
    loss = loss[np.isfinite(loss)]
    if loss.size < 2 or swing.size < 2 or loss[0] <= 0:
        return np.zeros(swing.shape, dtype=bool)
    if abs(loss[-1] - loss[0]) / loss[0] > still:
        return np.zeros(swing.shape, dtype=bool)
    return (swing >= far) & (swing >= OUTLIER * np.percentile(swing, 90))
