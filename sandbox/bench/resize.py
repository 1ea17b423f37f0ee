"""What a window resize costs: the frames after each resize, on each screen, and where they go.

    python -m sandbox.bench resize [--screens sandbox,level:05-depth-bends-creases,menu,views]
                                   [--resizes 20] [--sizes 800x600,1280x800,1920x1080]
                                   [--drag N] [--profile K]

Each screen opens in one window (offscreen, as the monkey does), runs a few frames, then gets
`--resizes` resize events cycling through `--sizes`, with `--after` plain frames after each.
For each resize it records the frame that took the event and the slowest of the frames after it
(a rebuild spread over frames shows there), and prints their median and maximum with the phase
that took the most (sandbox.state timings). `--drag N` sends each resize as N events a frame
apart, sizes in between, as dragging a window's edge does. Slow partitions are made on the
geometry worker as in the app's own loop (`--in-frame`: in the frame, as the suite does).
`--profile K` prints the K functions with the most cumulative time over all resize frames.
Prints figures, the garbage collections and the load average; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from sandbox.bench import headless_environment
from sandbox.bench.monkey import screen_names


def _size(text: str) -> tuple[int, int]:
    w, h = text.lower().split("x")
    return int(w), int(h)


def _frame(app, events: list) -> tuple[float, str]:
    t0 = time.perf_counter()
    app.frame(events, 1 / 30)
    seconds = time.perf_counter() - t0
    timings = {k: v for k, v in app.state.timings.items() if k in PHASES}
    phase = max(timings, key=timings.get) if timings else "?"
    return seconds, phase


PHASES = ("frame_logic", "render", "ui", "flip")


def run_screen(screen: str, sizes: list[tuple[int, int]], resizes: int, after: int, drag: int,
               profiler=None, background: bool = True) -> dict:  # fmt: skip
    import pygame

    from sandbox.app import App
    from sandbox.bench.monkey import screen_config

    work = Path(tempfile.mkdtemp(prefix="origami-resize-"))
    app = App(screen_config(screen, (1280, 800), work))
    app.start(hidden=True, reuse_window=True)
    if background:
        app.use_loop_settings()
    for _ in range(10):
        app.frame(pygame.event.get(), 1 / 30)
    took, later, phases = [], [], []
    current = app.state.layout.window
    for i in range(resizes):
        target = sizes[i % len(sizes)]
        steps = [
            (round(current[0] + (target[0] - current[0]) * k / drag),
             round(current[1] + (target[1] - current[1]) * k / drag))
            for k in range(1, drag + 1)
        ]  # fmt: skip
        worst, worst_phase = 0.0, "?"
        if profiler is not None:
            profiler.enable()
        for w, h in steps:
            event = pygame.event.Event(pygame.VIDEORESIZE, w=w, h=h, size=(w, h))
            seconds, phase = _frame(app, [event] + pygame.event.get())
            if seconds > worst:
                worst, worst_phase = seconds, phase
        slow_after = 0.0
        for _ in range(after):
            seconds, phase = _frame(app, pygame.event.get())
            if seconds > slow_after:
                slow_after = seconds
            if seconds > worst:
                worst_phase = phase
        if profiler is not None:
            profiler.disable()
        took.append(worst)
        later.append(slow_after)
        phases.append(worst_phase)
        current = target
    app.close(keep_window=True)
    return {"took": took, "after": later, "phases": phases}


def main(argv: list[str]) -> int:
    headless_environment()
    parser = argparse.ArgumentParser(prog="python -m sandbox.bench resize", description=__doc__)
    parser.add_argument("--screens", default="sandbox,level:05-depth-bends-creases,menu,views")
    parser.add_argument("--resizes", type=int, default=20)
    parser.add_argument("--sizes", default="800x600,1280x800,1920x1080")
    parser.add_argument("--after", type=int, default=3, help="plain frames after each resize")
    parser.add_argument("--drag", type=int, default=1, help="events per resize (a drag)")
    parser.add_argument("--profile", type=int, default=0, help="print the K costliest functions")
    parser.add_argument("--in-frame", action="store_true", help="partitions in the frame")
    args = parser.parse_args(argv)
    os.environ.setdefault("NEURAL_ORIGAMI_FILES_DIR", tempfile.mkdtemp(prefix="origami-resize-"))
    sizes = [_size(s) for s in args.sizes.split(",") if s]
    profiler = None
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()
    import gc

    gc_times: dict[int, list[float]] = {0: [], 1: [], 2: []}
    started: list[float] = []

    def on_gc(phase: str, info: dict) -> None:
        if phase == "start":
            started[:] = [time.perf_counter()]
        elif started:
            gc_times[info["generation"]].append(time.perf_counter() - started[0])

    gc.callbacks.append(on_gc)
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for screen in screen_names(args.screens):
        r = run_screen(screen, sizes, args.resizes, args.after, max(1, args.drag), profiler,
                       background=not args.in_frame)  # fmt: skip
        ms = [1e3 * s for s in r["took"]]
        after = [1e3 * s for s in r["after"]]
        counts = {p: r["phases"].count(p) for p in set(r["phases"])}
        print(f"{screen:<32} resize frame ms: median {statistics.median(ms):6.0f}, max "
              f"{max(ms):6.0f}, over 500 ms {sum(m > 500 for m in ms):2d}/{len(ms)}; frames "
              f"after: median {statistics.median(after):4.0f}, max {max(after):5.0f}; slowest "
              f"phase {counts}", flush=True)  # fmt: skip
    for gen, times in gc_times.items():
        if times:
            print(
                f"garbage collections of generation {gen}: {len(times)}, "
                f"{1e3 * sum(times):.0f} ms in all, longest {1e3 * max(times):.0f} ms"
            )
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if profiler is not None:
        import pstats

        pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.profile)
    import pygame

    pygame.display.quit()
    return 0
