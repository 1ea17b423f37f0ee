"""Benchmark: exact linear regions per frame versus labelling activation patterns on a pixel grid.

`python -m sandbox.bench regions [--repeats N] [--grid N]` prints, for He-initialised networks
in [-6, 6]^2, the exact region count, milliseconds per `linear_regions` call (and for the mesh and
colours the renderer asks for next), regions per second, and the cost of the grid approach of the
"neural-geometry" viewer (numba forward pass per pixel on a 600 x 600 grid, patterns hashed and
labelled), with the ratio and how many regions the grid sees.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from numba import njit

from sandbox.geometry import RegionMesh, linear_regions, region_colors
from sandbox.geometry._cutting import default_threads
from sandbox.geometry.colors import pattern_hash_keys
from sandbox.nn import MLP

# [32] is the "32 hidden units" case the neural-geometry author timed (7 ms on their machine)
ARCHS = ([2, 32, 2], [2, 16, 16, 16, 2], [2, 32, 32, 32, 2], [2, 64, 64, 64, 2])
BOUNDS = (-6.0, 6.0, -6.0, 6.0)


@njit(cache=True, nogil=True)
def grid_pattern_hashes(params, layout, n_hidden_layers, bounds, n, keys):
    """Activation-pattern hash of each pixel centre of an n x n grid (the grid-labelling method)."""
    out = np.empty(n * n, np.uint64)
    max_w = 0
    for l in range(n_hidden_layers):
        max_w = max(max_w, layout[l, 1])
    h = np.empty(max_w)
    h2 = np.empty(max_w)
    for iy in range(n):
        y = bounds[2] + (iy + 0.5) * (bounds[3] - bounds[2]) / n
        for ix in range(n):
            x = bounds[0] + (ix + 0.5) * (bounds[1] - bounds[0]) / n
            code = np.uint64(0)
            bit = 0
            n_prev = 2
            h[0] = x
            h[1] = y
            for l in range(n_hidden_layers):
                w_off = layout[l, 0]
                nl = layout[l, 1]
                n_in = layout[l, 2]
                b_off = layout[l, 3]
                for i in range(nl):
                    z = params[b_off + i]
                    for k in range(n_prev):
                        z += params[w_off + i * n_in + k] * h[k]
                    if z > 0.0:
                        h2[i] = z
                        code ^= keys[bit + i]
                    else:
                        h2[i] = 0.0
                for i in range(nl):
                    h[i] = h2[i]
                bit += nl
                n_prev = nl
            out[iy * n + ix] = code
    return out


def grid_hashes(net, bounds, n: int) -> np.ndarray:
    keys = pattern_hash_keys(net.n_hidden)
    return grid_pattern_hashes(
        net.params, net.layout, len(net.sizes) - 2, np.asarray(bounds, float), n, keys
    )


def grid_labels(net, bounds, n: int) -> tuple[np.ndarray, int]:
    """Label every pixel with the index of its activation pattern; returns (labels, count)."""
    uniq, labels = np.unique(grid_hashes(net, bounds, n), return_inverse=True)
    return labels, int(uniq.size)


def _median_ms(fn, repeats: int) -> float:
    fn()
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return 1e3 * float(np.median(times))


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m sandbox.bench regions")
    ap.add_argument("--repeats", type=int, default=30, help="timed calls per network")
    ap.add_argument("--seeds", type=int, default=3, help="random networks per architecture")
    ap.add_argument("--grid", type=int, default=600, help="grid side of the pixel method")
    args = ap.parse_args(argv)

    print(f"exact linear regions in {BOUNDS}, He-normal weights, biases N(0, 0.1^2)")
    print(f"median of {args.repeats} calls, {args.seeds} seeds per architecture (mean shown)")
    header = (
        f"{'network':<14}{'regions':>8}{'exact ms':>10}{'1 thread':>9}{'regions/s':>11}"
        f"{'mesh ms':>9}{'colour ms':>10}{'grid ms':>9}{'+label ms':>10}{'grid sees':>10}"
        f"{'speed-up':>9}"
    )
    print(header)
    for sizes in ARCHS:
        rows = []
        for seed in range(args.seeds):
            net = MLP(sizes, seed=seed)
            P = linear_regions(net, BOUNDS)
            reps = max(3, args.repeats if len(P) < 20_000 else args.repeats // 10)
            t_exact = _median_ms(lambda net=net: linear_regions(net, BOUNDS), reps)
            t_one = _median_ms(lambda net=net: linear_regions(net, BOUNDS, threads=1), reps)
            t_mesh = _median_ms(lambda P=P: RegionMesh(P), reps)
            t_col = _median_ms(lambda P=P: region_colors(P.patterns), reps)
            greps = max(3, reps // 5)
            t_grid = _median_ms(lambda net=net: grid_hashes(net, BOUNDS, args.grid), greps)
            t_label = _median_ms(lambda net=net: grid_labels(net, BOUNDS, args.grid), greps)
            _, seen = grid_labels(net, BOUNDS, args.grid)
            rows.append((len(P), t_exact, t_mesh, t_col, t_grid, t_label, seen, t_one))
        r = np.mean(np.array(rows), axis=0)
        name = "[" + ",".join(str(s) for s in sizes[1:-1]) + "]"
        print(
            f"{name:<14}{r[0]:>8.0f}{r[1]:>10.3f}{r[7]:>9.3f}{1e3 * r[0] / r[1]:>11.0f}{r[2]:>9.3f}"
            f"{r[3]:>10.3f}{r[4]:>9.1f}{r[5]:>10.1f}{r[6]:>10.0f}{r[4] / r[1]:>8.1f}x"
        )
    print(
        f"exact ms: big layers split across {default_threads()} thread(s); 1 thread: on one; "
        f"grid ms: activation-pattern hash of every pixel centre of a {args.grid}x{args.grid} "
        "grid (numba, one thread); +label: with the pixels labelled by pattern (np.unique); "
        "grid sees: distinct patterns found (regions smaller than a pixel are missed); "
        "speed-up: grid ms / exact ms"
    )
    return 0


if __name__ == "__main__":
    import sys

    sys.exit(main(sys.argv[1:]))
