"""Benchmark of the data core: datasets, picture decoding (Pillow), PointSet edits, weights files.

Prints milliseconds per call (best of several runs). Run: python -m sandbox.bench data
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from sandbox.data import PointSet, dataset_names, make_dataset
from sandbox.data.pictures import decode_picture_gray
from sandbox.io import load_weights, save_weights
from sandbox.nn import MLP


def best_ms(fn: Callable[[], object], repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return 1000.0 * min(times)


def main(argv: list[str]) -> int:
    print("datasets (default n / n = 20000), ms:")
    for name in dataset_names():
        small = best_ms(lambda name=name: make_dataset(name))
        big = best_ms(lambda name=name: make_dataset(name, n=20_000, noise=0.2), repeat=3)
        print(f"  {name:14s} {small:8.2f} {big:8.2f}")

    rng = np.random.default_rng(0)
    print("picture decode to grey (Pillow, PNG), ms:")
    with tempfile.TemporaryDirectory() as folder:
        for h, w, c in ((64, 64, 1), (512, 512, 3), (1024, 1024, 1)):
            from PIL import Image

            img = rng.integers(0, 256, size=(h, w, c), dtype=np.uint8)
            path = Path(folder) / f"noise{w}x{h}x{c}.png"
            Image.fromarray(img[..., 0] if c == 1 else img).save(path)
            ms = best_ms(lambda p=path: decode_picture_gray(p), 3)
            print(f"  {f'{w}x{h}x{c}':12s} {ms:8.2f}")

    print("PointSet with 19,000 points, ms:")
    X, y = make_dataset("blobs4", n=19_000, seed=0)
    ps = PointSet(n_classes=4, test_fraction=0.2)
    ps.replace(X, y)
    print(f"  replace(19000 points)       {best_ms(lambda: (ps.replace(X, y), ps.undo())):8.3f}")

    def stroke() -> None:
        ps.begin_stroke()
        for i in range(30):
            ps.add_brush((i * 0.1, 0.0), 0.4, 40.0, 1)
        ps.end_stroke()

    print(f"  brush stroke (30 dabs)      {best_ms(lambda: (stroke(), ps.undo())):8.3f}")
    print(
        f"  erase r=1 + undo            {best_ms(lambda: (ps.erase((3, 3), 1.0), ps.undo())):8.3f}"
    )
    print(f"  X_train/y_train views       {best_ms(lambda: (ps.X_train, ps.y_train)):8.3f}")

    print("weights .npz, largest network [2, 256 x 8, 6], ms:")
    net = MLP([2] + [256] * 8 + [6], seed=0)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "net.npz"
        print(f"  save {best_ms(lambda: save_weights(net, path)):8.2f}")
        print(f"  load {best_ms(lambda: load_weights(path)):8.2f}")
    return 0
