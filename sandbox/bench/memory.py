"""Resident memory over repeated cycles of what users repeat: does it stay flat?

    python -m sandbox.bench memory [--cycle presenter|roundtrip|train] [--cycles N] [--every K]
                                   [--steps N] [--views field,regions,timeline] [--no-trim]

`presenter` toggles presenter mode on and off (two frames each way); `roundtrip` goes from the
free sandbox to the menu and back; `train` runs training frames flat out (with the views named,
the timeline by default) until `--steps` training steps or `--cycles` frames. Every K cycles it
prints the resident size, its change since the warm-up, the change in the number of Python
objects and how many times the app handed freed memory back (sandbox.memory). `--no-trim`
switches that off, to see what the allocator keeps without it. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import tempfile
import time

from sandbox.bench import headless_environment
from sandbox.memory import collect, object_count, resident_mb


def main(argv: list[str]) -> int:
    headless_environment()
    parser = argparse.ArgumentParser(prog="python -m sandbox.bench memory", description=__doc__)
    parser.add_argument("--cycle", choices=("presenter", "roundtrip", "train"), default="presenter")
    parser.add_argument("--cycles", type=int, default=40)
    parser.add_argument("--every", type=int, default=10)
    parser.add_argument("--steps", type=int, default=0, help="train: stop after this many steps")
    parser.add_argument("--views", default="field,boundary,regions,timeline")
    parser.add_argument("--hidden", default="", help="train: hidden sizes, e.g. 8,8")
    parser.add_argument("--no-trim", action="store_true", help="never hand memory back")
    args = parser.parse_args(argv)

    import os

    os.environ.setdefault("NEURAL_ORIGAMI_FILES_DIR", tempfile.mkdtemp(prefix="origami-mem-"))
    import pygame

    from sandbox import actions as A
    from sandbox import game_actions as G
    from sandbox.app import App
    from sandbox.config import AppConfig
    from sandbox.vocab import SPEEDS

    training = args.cycle == "train"
    views = tuple(v for v in args.views.split(",") if v) if training else None
    hidden = [int(h) for h in args.hidden.split(",") if h] or None
    config = AppConfig(points=200, skip_loading=True, size=(1024, 700), play=training,
                       views=views, **({"hidden": hidden} if hidden else {}))  # fmt: skip
    app = App(config)
    app.start(hidden=True)
    app.use_loop_settings()  # the collector's passes too, as the app's own loop has them
    if args.no_trim:
        app.memory.tick = lambda *_: False
    if training:
        app.state.speed = len(SPEEDS) - 1  # flat out: as many steps as the frame budget allows

    def frames(n: int) -> None:
        for _ in range(n):
            app.frame(pygame.event.get(), 1 / 30)

    def cycle() -> None:
        if args.cycle == "presenter":
            for _ in range(2):
                app.scene.apply(A.TogglePresenter())
                frames(2)
        elif args.cycle == "roundtrip":
            app.scene.apply(G.OpenMenu())
            frames(3)
            app.scene.apply(G.OpenSandbox())
            for _ in range(600):
                frames(1)
                if type(app.scene).__name__ == "FreeSandboxScene":
                    break
            frames(2)
        else:
            frames(1)

    def steps() -> int:
        return int(app.state.metrics.step)

    frames(5)
    for _ in range(args.every):
        cycle()
    collect()
    warm, objects, t0 = resident_mb(), object_count(), time.perf_counter()
    peak = warm
    trim = "off" if args.no_trim else "on"
    at = f" (step {steps():,})" if training else ""
    print(f"{args.cycle}: warm-up {args.every} cycles{at}; resident {warm:.0f} MiB, "
          f"{objects} Python objects, trim {trim}", flush=True)  # fmt: skip
    i = 0
    while i < args.cycles and (not args.steps or steps() < args.steps):
        cycle()
        i += 1
        peak = max(peak, resident_mb())
        if i % args.every == 0:
            collect()
            rss = resident_mb()
            extra = f", step {steps()}" if training else ""
            print(f"  {i:7d} cycles: resident {rss:7.1f} MiB ({rss - warm:+6.1f}), objects "
                  f"{object_count() - objects:+6d}, trims {app.memory.trims}{extra}, "
                  f"{time.perf_counter() - t0:.0f} s", flush=True)  # fmt: skip
    rss = resident_mb()
    done = f"{i} cycles" + (f" and {steps()} steps" if training else "")
    print(f"end after {done}: resident {rss:.0f} MiB ({rss - warm:+.0f} from warm-up), "
          f"peak {peak:.0f} MiB", flush=True)  # fmt: skip
    app.close()
    return 0
