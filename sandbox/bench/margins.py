"""Benchmark: what region statistics and exact margins cost per frame, beside the partition.

`python -m sandbox.bench margins [--repeats N] [--points N]` trains each network a little on the
spiral (so its boundary winds through the data), then prints, in milliseconds (best of N):
the exact partition of [-6, 6]^2 that every frame already derives, `region_stats` on it (what a
frame adds while the statistics are recorded), `point_margins` (one extra partition of the data's
window plus the distances), the nearest-segment kernel alone and `data_shape` (the hull, made
once per point set). The ratio column is the statistics' cost as a share of the partition's.
"""

from __future__ import annotations

import argparse
import time

from sandbox.data.datasets import make_dataset
from sandbox.geometry import linear_regions
from sandbox.geometry.margins import nearest_on_segments, point_margins
from sandbox.geometry.region_stats import data_shape, region_stats
from sandbox.nn import MLP, Trainer

ARCHS = ([2, 8, 8, 2], [2, 16, 16, 2], [2, 32, 32, 32, 2], [2, 64, 64, 64, 2])
BOUNDS = (-6.0, 6.0, -6.0, 6.0)


def _best(fn, repeats: int) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best * 1e3, out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m sandbox.bench margins")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--points", type=int, default=500)
    ap.add_argument("--steps", type=int, default=300)
    a = ap.parse_args(argv)
    X, y = make_dataset("spiral", n=a.points, seed=0)
    print(f"{len(X)} spiral points, window {BOUNDS}, {a.steps} training steps, best of {a.repeats}")
    head = (
        f"{'network':>20} {'regions':>8} {'boundary':>8} {'partition':>10} {'stats':>8} "
        f"{'ratio':>6} {'margins':>8} {'kernel':>8} {'hull':>6}"
    )
    print(head)
    for sizes in ARCHS:
        net = MLP(sizes, seed=0)
        Trainer(net, X, y, task="classification", lr=0.01).step(a.steps)
        t_part, part = _best(lambda net=net: linear_regions(net, BOUNDS), a.repeats)
        if part.too_many:
            print(f"{str(sizes):>20} too many regions in the window")
            continue
        part.areas()  # noqa: B018 - warm numpy paths
        t_hull, shape = _best(lambda: data_shape(X), a.repeats)
        t_stats, st = _best(lambda p=part, s=shape, n=net: region_stats(p, s, n), a.repeats)
        t_marg, m = _best(lambda net=net: point_margins(net, X, y), a.repeats)
        t_kern, _ = _best(lambda b=m.boundary: nearest_on_segments(X, b), a.repeats)
        print(
            f"{str(sizes):>20} {len(part):>8} {len(m.boundary):>8} {t_part:>10.2f} "
            f"{t_stats:>8.2f} {t_stats / t_part:>6.2f} {t_marg:>8.2f} {t_kern:>8.2f} {t_hull:>6.2f}"
        )
        assert st is not None and st.regions == len(part)
    return 0
