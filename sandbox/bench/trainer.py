"""Benchmark: microseconds per training step of the numba Trainer, against PyTorch when present.

`python -m sandbox.bench trainer [--steps N] [--repeats R] [--no-compile] [--float32-torch]`
prints, for Adam on [2,16,16,16,2] at batch 128 and [2,64,64,64,4] at batch 256 (minibatches
sampled from 1000 points, one thread), the best and median time per step over R runs of N steps
inside `Trainer.step(N)`. Where torch is installed it times torch.optim.Adam on an identical
float64 torch network in the same run (one thread, batches pre-drawn so that torch pays no
sampling cost) and prints the ratio; the target is at least 30x on the first network. It also
measures, in fresh processes, the cold numba compile of every training kernel (`warmup()` with
an empty cache; target under 10 s) and the warm start with that cache (target under 1 s).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

from sandbox.nn import MLP, Trainer

CASES = [([2, 16, 16, 16, 2], 128), ([2, 64, 64, 64, 4], 256)]
N_POINTS = 1000

_CHILD = """
import resource, time
t0 = time.perf_counter()
from sandbox.nn import warmup
t1 = time.perf_counter()
warmup()
t2 = time.perf_counter()
cpu = resource.getrusage(resource.RUSAGE_SELF)
print(f"{t1 - t0:.3f} {t2 - t1:.3f} {cpu.ru_utime + cpu.ru_stime:.3f}")
"""


def _data(k: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.uniform(-6, 6, size=(N_POINTS, 2))
    y = (np.floor(np.hypot(X[:, 0], X[:, 1]) / 1.5) % k).astype(np.int64)
    return X, y


def time_numba(sizes: list[int], batch: int, steps: int, repeats: int) -> list[float]:
    X, y = _data(sizes[-1])
    tr = Trainer(MLP(sizes, seed=0), X, y, optimizer="adam", lr=1e-3, batch_size=batch)
    tr.step(10)
    out = []
    for _ in range(repeats):
        t = time.perf_counter()
        tr.step(steps)
        out.append((time.perf_counter() - t) / steps)
    if tr.diverged:
        raise RuntimeError(f"benchmark run diverged: {tr.message}")
    return out


def time_torch(
    sizes: list[int], batch: int, steps: int, repeats: int, dtype_name: str
) -> list[float] | None:
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    dtype = getattr(torch, dtype_name)
    X, y = _data(sizes[-1])
    net = MLP(sizes, seed=0)
    layers = []
    for i, (W, b) in enumerate(net.weights()):
        lin = torch.nn.Linear(W.shape[1], W.shape[0], dtype=dtype)
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(W))
            lin.bias.copy_(torch.from_numpy(b))
        layers.append(lin)
        if i < len(sizes) - 2:
            layers.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*layers)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()
    Xt = torch.from_numpy(X).to(dtype)
    yt = torch.from_numpy(y)
    g = torch.Generator().manual_seed(0)
    batches = [torch.randperm(N_POINTS, generator=g)[:batch] for _ in range(64)]

    def run(n: int) -> None:
        for s in range(n):
            idx = batches[s % len(batches)]
            opt.zero_grad()
            loss = loss_fn(model(Xt[idx]), yt[idx])
            loss.backward()
            opt.step()
            loss.item()

    run(20)
    out = []
    for _ in range(repeats):
        t = time.perf_counter()
        run(steps)
        out.append((time.perf_counter() - t) / steps)
    return out


def compile_times() -> tuple[tuple[float, float, float], tuple[float, float, float]]:
    """(import s, warmup s, process CPU s) for a cold cache, then for the warm cache."""
    with tempfile.TemporaryDirectory(prefix="numba-cache-") as cache:
        env = dict(os.environ, NUMBA_CACHE_DIR=cache)
        results = []
        for _ in range(2):
            out = subprocess.run(
                [sys.executable, "-c", _CHILD], env=env, capture_output=True, text=True, check=True
            )
            a, b, c = (float(v) for v in out.stdout.split()[-3:])
            results.append((a, b, c))
    return results[0], results[1]


def _us(values: list[float]) -> str:
    return f"best {min(values) * 1e6:8.2f} us  median {statistics.median(values) * 1e6:8.2f} us"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m sandbox.bench trainer")
    parser.add_argument("--steps", type=int, default=2000, help="steps per timed run")
    parser.add_argument("--repeats", type=int, default=9, help="timed runs per figure")
    parser.add_argument("--no-compile", action="store_true", help="skip the compile timings")
    parser.add_argument(
        "--float32-torch", action="store_true", help="also time torch in float32 (its default)"
    )
    args = parser.parse_args(argv)
    print(f"Adam step, {N_POINTS} points, minibatches, one thread (best/median of {args.repeats})")
    for sizes, batch in CASES:
        steps = args.steps if sizes[1] <= 16 else max(50, args.steps // 10)
        ours = time_numba(sizes, batch, steps, args.repeats)
        print(f"{str(sizes):22s} batch {batch:4d}  numba   {_us(ours)}")
        dtypes = ["float64"] + (["float32"] if args.float32_torch else [])
        for dtype in dtypes:
            theirs = time_torch(sizes, batch, max(20, steps // 10), args.repeats, dtype)
            if theirs is None:
                print(f"{'':33s}torch not installed: no ratio")
                break
            ratio = min(theirs) / min(ours)
            print(
                f"{'':33s}torch {dtype[-2:]} {_us(theirs)}  ratio {ratio:5.1f}x"
                + ("  (target >= 30x)" if sizes[1] == 16 and dtype == "float64" else "")
            )
    if not args.no_compile:
        cold, warm = compile_times()
        print(
            f"cold compile of every training kernel: {cold[1]:.2f} s wall "
            f"(process CPU {cold[2]:.2f} s, import {cold[0]:.2f} s; target < 10 s)"
        )
        print(
            f"warm start with the cache:             {warm[1]:.2f} s wall "
            f"(process CPU {warm[2]:.2f} s, import {warm[0]:.2f} s; target < 1 s)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
