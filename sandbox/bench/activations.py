"""Benchmark: training and the exact partition for each activation and residual layers, beside ReLU.

`python -m sandbox.bench activations [--steps N] [--repeats R] [--partitions R]` prints, for
[2,16,16,16,2] (Adam, batch 128 from 1000 points, one thread) and each of ReLU, leaky ReLU,
hardtanh, ReLU with residual layers, tanh and GELU: microseconds per training step (best of R
rounds in which the kinds take turns running N steps), the same step in torch.optim float64
with the matching layers (batches pre-drawn), the ratio torch/ours, and the step time relative
to ReLU's (goal: within 25%, i.e. at most 1.25x, for the piecewise-linear ones). Then, for
[2,16,16,16,2], [2,32,32,32,2] and [2,64,64,64,2] in [-6, 6]^2, milliseconds per
`linear_regions` call (best of R rounds in which the kinds take turns) with the region count,
relative to ReLU's. Everything runs in one process, so the figures share the machine's load;
rerun for steadier numbers.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from sandbox.geometry import linear_regions
from sandbox.nn import MLP, Trainer

from .trainer import N_POINTS, _data

SIZES = [2, 16, 16, 16, 2]
BATCH = 128
# (label, activation, residual); the first is the reference
KINDS = [
    ("relu", "relu", False),
    ("leaky_relu", "leaky_relu", False),
    ("hardtanh", "hardtanh", False),
    ("relu+residual", "relu", True),
    ("leaky+residual", "leaky_relu", True),
    ("tanh", "tanh", False),
    ("gelu", "gelu", False),
]
PARTITION_ARCHS = ([2, 16, 16, 16, 2], [2, 32, 32, 32, 2], [2, 64, 64, 64, 2])
BOUNDS = (-6.0, 6.0, -6.0, 6.0)


def _net(sizes, activation, residual, seed=0) -> MLP:
    return MLP(sizes, seed=seed, activation=activation, residual=residual)


def time_ours(kinds, steps: int, repeats: int) -> list[float]:
    """Best seconds per step for each (activation, residual) kind. As for the partitions, the
    kinds take turns in every round, so a burst of load from elsewhere cannot land on one kind
    only and skew its ratio to ReLU's."""
    X, y = _data(SIZES[-1])
    trainers = [
        Trainer(_net(SIZES, activation, residual), X, y, lr=1e-3, batch_size=BATCH)
        for activation, residual in kinds
    ]
    for tr in trainers:
        tr.step(10)
    best = [np.inf] * len(trainers)
    for _ in range(repeats):
        for i, tr in enumerate(trainers):
            t = time.perf_counter()
            tr.step(steps)
            best[i] = min(best[i], (time.perf_counter() - t) / steps)
    return best


def time_torch(activation: str, residual: bool, steps: int, repeats: int) -> float | None:
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    net = _net(SIZES, activation, residual)
    act = {
        "relu": torch.nn.ReLU(),
        "leaky_relu": torch.nn.LeakyReLU(net.negative_slope),
        "hardtanh": torch.nn.Hardtanh(),
        "tanh": torch.nn.Tanh(),
        "gelu": torch.nn.GELU(),
    }[activation]
    lins = torch.nn.ModuleList()
    for W, b in net.weights():
        lin = torch.nn.Linear(W.shape[1], W.shape[0], dtype=torch.float64)
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(W))
            lin.bias.copy_(torch.from_numpy(b))
        lins.append(lin)
    res = net.residual_layers

    def forward(x):
        h = x
        for l, lin in enumerate(lins[:-1]):
            a = act(lin(h))
            h = h + a if res[l] else a
        return lins[-1](h)

    opt = torch.optim.Adam(lins.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()
    X, y = _data(SIZES[-1])
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    g = torch.Generator().manual_seed(0)
    batches = [torch.randperm(N_POINTS, generator=g)[:BATCH] for _ in range(64)]

    def run(n: int) -> None:
        for s in range(n):
            idx = batches[s % len(batches)]
            opt.zero_grad()
            loss = loss_fn(forward(Xt[idx]), yt[idx])
            loss.backward()
            opt.step()
            loss.item()

    run(20)
    best = np.inf
    for _ in range(repeats):
        t = time.perf_counter()
        run(steps)
        best = min(best, (time.perf_counter() - t) / steps)
    return best


def time_partitions(sizes, kinds, repeats: int) -> list[tuple[float, int]]:
    """(best seconds, regions) per (activation, residual) kind. The kinds take turns in every
    round, so a burst of load from elsewhere slows all of them alike and the best of the rounds
    compares them over the same stretch of time."""
    nets = [_net(sizes, activation, residual) for activation, residual in kinds]
    counts = [len(linear_regions(net, BOUNDS)) for net in nets]  # compile, warm the pool
    best = [np.inf] * len(nets)
    for _ in range(repeats):
        for i, net in enumerate(nets):
            t = time.perf_counter()
            linear_regions(net, BOUNDS)
            best[i] = min(best[i], time.perf_counter() - t)
    return list(zip(best, counts, strict=True))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m sandbox.bench activations")
    parser.add_argument("--steps", type=int, default=2000, help="training steps per timed run")
    parser.add_argument("--repeats", type=int, default=7, help="timed runs per figure (best)")
    parser.add_argument("--partitions", type=int, default=15, help="timed partitions (best)")
    args = parser.parse_args(argv)
    print(f"Adam step on {SIZES}, batch {BATCH} of {N_POINTS} points, one thread (best of "
          f"{args.repeats})")  # fmt: skip
    timed = time_ours([(act, res) for _, act, res in KINDS], args.steps, args.repeats)
    ref = timed[0]
    for (label, act, res), ours in zip(KINDS, timed, strict=True):
        theirs = time_torch(act, res, max(20, args.steps // 10), args.repeats)
        ratio = f"torch {theirs * 1e6:8.2f} us  ratio {theirs / ours:5.1f}x" if theirs else ""
        print(f"  {label:15s} ours {ours * 1e6:7.2f} us  {ours / ref:4.2f}x relu's  {ratio}")
    print(f"linear_regions in {BOUNDS} (best of {args.partitions})")
    exact = [(label, act, res) for label, act, res in KINDS if act not in ("tanh", "gelu")]
    for sizes in PARTITION_ARCHS:
        timed = time_partitions(sizes, [(act, res) for _, act, res in exact], args.partitions)
        ref_t = timed[0][0]
        for (label, _, _), (t, n) in zip(exact, timed, strict=True):
            print(f"  {str(sizes):18s} {label:15s} {t * 1e3:8.2f} ms  {n:6d} regions  "
                  f"{t / ref_t:4.2f}x relu's  {n / t / 1e3:7.1f} k regions/s")  # fmt: skip
    return 0
