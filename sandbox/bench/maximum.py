"""The UI maximum: the sandbox with the largest network its sliders allow and every view on.

`python -m sandbox.bench maximum [--seconds S] [--size WxH] [--hidden LIST] [--phases]` opens
the sandbox offscreen with an 8 x 64 network (`--hidden`), every view on (the soak's
`ALL_VIEWS`: the Laplace split view, the 3D Laplace surface, probe, inspector, timeline...) and
the app's own loop settings (slow partitions on the geometry worker), moves the mouse over the
plane every frame as a user reading it would, and runs S seconds training, then S seconds
paused. Prints, for each: the first frame, how many frames, their median, p90, p99 and maximum,
how many took over 100 and over 500 ms, how long an input waits to be shown (an event that
arrives during a frame waits for it to end and is shown by the next: the median, p99 and worst
over every moment from the first picture shown to the end, and from OPENING_S on: the scene
open, its views' first pictures painted), how many jobs the geometry worker ran and how old
the shown partition was on average, and the slowest frames with the phases that took their
time. The goals (issue "never freeze"): no frame over 500 ms, input shown within 100 ms.
`--phases` finishes the GL work after each phase (real rasteriser time per phase, slower
frames). Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from sandbox.bench import headless_environment
from sandbox.bench.monkey import ALL_VIEWS


def run(size: tuple[int, int], hidden: tuple[int, ...], seconds: float, play: bool, phases: bool):
    import pygame

    from sandbox.app import App
    from sandbox.config import AppConfig
    from sandbox.kernel_cache import warm_here

    warm_here()
    config = AppConfig(
        size=size, points=200, hidden=hidden, views=ALL_VIEWS, play=play, skip_loading=True
    )
    app = App(config)
    t0 = time.perf_counter()
    app.start(hidden=True)
    app.use_loop_settings()
    app.sync_phases = phases
    started = time.perf_counter() - t0
    x, y, w, h = app.state.layout.plane
    frames: list[tuple[float, dict]] = []
    lags: list[float] = []
    end = time.perf_counter() + seconds
    i = 0
    while time.perf_counter() < end:
        i += 1
        pos = (x + (i * 37) % max(1, w), y + (i * 23) % max(1, h))
        move = pygame.event.Event(pygame.MOUSEMOTION, pos=pos, rel=(1, 1), buttons=(0, 0, 0))
        f0 = time.perf_counter()
        app.frame([move], None)
        dt = time.perf_counter() - f0
        split = {k: round(1000 * v) for k, v in app.state.timings.items() if v > 0.01}
        frames.append((dt, split))
        lag = app.state.session.geometry_lag()
        lags.append(lag[0] if lag is not None else 0.0)
    session = app.state.session
    worker = session.worker.jobs_run if session.worker is not None else 0
    shown = {"regions": app.state.geometry.regions, "steps": app.state.metrics.step,
             "jobs": worker, "lag": float(np.mean(lags)) if lags else 0.0}  # fmt: skip
    app.close()
    return started, frames, shown


# the scene's opening: its views' first pictures take turns and the timeline keeps every step
OPENING_S = 1.0


def input_waits(durations: np.ndarray, samples: int = 20_000, after: float = 0.0) -> np.ndarray:
    """How long an input waits to be shown, for arrivals spread evenly over the run from the
    moment the window shows its first picture (the end of the first frame: nothing can be
    clicked before), or from `after` seconds when later: the rest of the frame it arrives in,
    then the next frame whole."""
    ends = np.cumsum(durations)
    t = np.linspace(max(float(ends[0]), after), float(ends[-2]), samples, endpoint=False)
    k = np.searchsorted(ends, t, side="right")
    return (ends[k] - t) + durations[k + 1]


def report(label: str, started: float, frames: list, shown: dict) -> None:
    d = np.array([f[0] for f in frames])
    ms = np.sort(d) * 1000
    print(
        f"{label}: {len(d)} frames, {shown['regions']:,} regions at the end, step "
        f"{shown['steps']:,}; {shown['jobs']} jobs on the geometry worker, the shown partition "
        f"{1000 * shown['lag']:.0f} ms older than the weights on average"
    )
    print(f"  start-up {1000 * started:.0f} ms; first frame {1000 * d[0]:.0f} ms")
    pct = {p: ms[min(len(ms) - 1, int(p / 100 * len(ms)))] for p in (90, 99)}
    print(
        f"  frames: median {statistics.median(ms):.0f} ms, p90 {pct[90]:.0f}, p99 {pct[99]:.0f}, "
        f"max {ms[-1]:.0f}; over 100 ms: {(ms > 100).sum()}, over 500 ms: {(ms > 500).sum()}"
    )
    for when, after in (("from the first picture", 0.0), (f"from {OPENING_S:g} s on", OPENING_S)):
        if len(d) > 2 and d[:-1].sum() > after:
            waits = np.sort(input_waits(d, after=after)) * 1000
            print(
                f"  input shown after ({when}): median {np.median(waits):.0f} ms, "
                f"p99 {waits[int(0.99 * len(waits))]:.0f}, worst {waits[-1]:.0f} (goal 100)"
            )
    slowest = sorted(range(len(frames)), key=lambda k: -frames[k][0])[:5]
    for k in slowest:
        print(f"    frame {k}: {1000 * frames[k][0]:.0f} ms  {frames[k][1]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sandbox.bench maximum")
    parser.add_argument("--seconds", type=float, default=30.0, help="each of training, paused")
    parser.add_argument("--size", default="1280x800", help="window WxH")
    parser.add_argument("--hidden", default="64,64,64,64,64,64,64,64", help="hidden layer sizes")
    parser.add_argument("--phases", action="store_true", help="finish the GL work per phase")
    args = parser.parse_args(argv)
    try:
        wh = tuple(int(v) for v in args.size.lower().split("x"))
        hidden = tuple(int(v) for v in args.hidden.split(","))
    except ValueError:
        parser.error("--size is WxH (e.g. 1280x800), --hidden a list like 64,64,64")
    if len(wh) != 2 or min(wh) < 1 or not hidden or min(hidden) < 1:
        parser.error("--size is WxH (e.g. 1280x800), --hidden a list like 64,64,64")
    if args.seconds <= 0:
        parser.error("--seconds must be positive")
    headless_environment()
    print(f"UI maximum: [2, {', '.join(map(str, hidden))}, 2], every view, {wh[0]}x{wh[1]}, "
          f"mouse moving over the plane, {args.seconds:g} s each")  # fmt: skip
    for play in (True, False):
        label = "training" if play else "paused"
        report(label, *run(wh, hidden, args.seconds, play, args.phases))
    return 0
