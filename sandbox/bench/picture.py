"""Benchmark of picture fitting: [2, 500, 1] with Adam at batch 256 on the 128 x 128 disk.

`python -m sandbox.bench picture [--steps N] [--hidden 500] [--lr 0.01] [--picture disk]`

Trains the bundled picture at training resolution 128 (every pixel a point) with our Trainer
(`sandbox.fit`, one numba thread) and, where torch is installed, with torch.optim.Adam on an
identical float64 network in the same run (one thread, the same initial weights, its own uniform
minibatches of the same pixels), and prints for each the training steps per second and the PSNR
of the output against the full picture after the same number of steps. The machine's load moves
the figures: compare the two lines of one run, not runs of different days.
"""

from __future__ import annotations

import argparse
import math
import os
import time

import numpy as np

os.environ.setdefault("NUMBA_NUM_THREADS", "1")


def torch_fit(net, X, y, picture, steps: int, lr: float, batch: int, seed: int):
    """(steps/s, PSNR) of torch.optim.Adam from `net`'s weights on (X, y), or None."""
    try:
        import torch
    except ImportError:
        return None
    from sandbox.io.weights import torch_sequential

    torch.set_num_threads(1)
    model = torch_sequential(net)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)[:, None]
    g = torch.Generator().manual_seed(seed)
    n = X.shape[0]
    t0 = time.perf_counter()
    for _ in range(steps):
        idx = torch.randint(0, n, (batch,), generator=g)
        opt.zero_grad()
        loss = torch.nn.functional.mse_loss(model(Xt[idx]), yt[idx])
        loss.backward()
        opt.step()
    seconds = time.perf_counter() - t0
    with torch.no_grad():
        out = model(torch.from_numpy(picture.pixel_centres()))[:, 0].numpy()
    mse = float(np.mean((np.clip(out, 0, 1) - picture.pixels.ravel()) ** 2))
    return steps / seconds, 10 * math.log10(1 / mse)


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="python -m sandbox.bench picture")
    p.add_argument("--steps", type=int, default=20_000)
    p.add_argument("--hidden", type=int, default=500)
    p.add_argument("--lr", type=float, default=0.01)
    p.add_argument("--batch", type=int, default=256)
    p.add_argument("--picture", default="disk")
    p.add_argument("--no-torch", action="store_true")
    ns = p.parse_args(argv)
    from sandbox.data import load_picture, make_dataset
    from sandbox.fit import FitJob, fit
    from sandbox.nn import MLP

    dataset = f"image:{ns.picture}"
    job = FitJob(dataset, (ns.hidden,), 200, learning_rate=ns.lr, batch_size=ns.batch,
                 resolution=128)  # fmt: skip
    fit(job)  # compile (or load) the kernel first
    job.steps = ns.steps
    ours = fit(job)
    picture = load_picture(ns.picture)
    h, w = picture.shape
    print(f"[2, {ns.hidden}, 1] Adam lr {ns.lr:g}, batch {ns.batch}, {ns.steps:,} steps on the "
          f"{w} x {h} {ns.picture} (every pixel), one thread:")  # fmt: skip
    print(f"  ours  {ours.steps_per_second:9,.0f} steps/s   PSNR {ours.psnr:5.2f} dB")
    if not ns.no_torch:
        X, y = make_dataset(dataset, resolution=128)
        theirs = torch_fit(MLP([2, ns.hidden, 1], seed=0), X, y, picture, ns.steps, ns.lr,
                           ns.batch, 0)  # fmt: skip
        if theirs is None:
            print("  torch not installed")
        else:
            print(f"  torch {theirs[0]:9,.0f} steps/s   PSNR {theirs[1]:5.2f} dB")
    return 0
