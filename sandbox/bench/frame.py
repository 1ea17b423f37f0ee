"""Frame benchmark: the real sandbox window, offscreen, for a few hundred frames.

`python -m sandbox.bench frame [--scenes LIST] [--sizes LIST] [--frames N] [--view LIST]
[--speed K]` runs, at each window size (default 800x600, 1280x800 and 1920x1080), each scene:

- `default`: [2, 16, 16, 16, 2] on the 400-point ring, training on, field + regions + creases
  and the UI panels (`--view` changes its views);
- `all`: the same with every view on: the 3D folded paper, the ray probe, the inspector and
  the timeline beside the plane, regions, creases, boundary and the Laplace split view;
- `big`: a [2, 64, 64, 64, 64, 2] network training with regions on, as a new user would try;
- `smooth`: [2, 32, 32, 32, 2] with tanh (no regions: the network drawn per pixel in bands, or
  sampled on a grid where that would cost too much; sandbox.render.plane_view) training;
- `picture`: the blog's [2, 500, 1] fitting the bundled disk picture at 128 x 128 (16,384
  pixels) at batch 256 (too many regions: the sampled field and the first layer's 500 creases,
  held between samples by sandbox.render.held_layer);

and prints frames per second, the slowest frames (p99 and max) and where the time goes:
training, geometry (the exact partition, Laplace and health, and the stage views' surface,
probe and diagram), GL
drawing, the UI (pygame-gui update, the parts of the UI surface drawn again and uploaded, the
composite), and the rest; then how many frames drew the UI again, and for the partitions the
geometry worker made beside the frames (as in the app) how many finished and how old the shown
one was on average. Two runs each: a synchronised one (glFinish after the plane and after the
UI, so each share is real rasteriser time, and the frames do not overlap) and a free-running
one (the frame rate the app sees, with the GPU or the software rasteriser working in parallel
with Python). Each run also prints the CPU time a frame took on the app's thread and on all
the others (on a software rasteriser such as llvmpipe its threads' work: there the cores
bound the frame rate at cores / (both CPU times), and the rasteriser's share alone at
cores / its time, whatever Python does). Prints figures; asserts nothing.

Without a display it renders offscreen (a pbuffer, whose swap waits for nothing: the renderer
keeps two frames queued, sandbox.render.renderer.FRAMES_IN_FLIGHT). With DISPLAY set (a
desktop, or Xvfb) it opens a real window, and there llvmpipe's swap waits for the frame's
rasterising and copies it to the window on the app's thread, so no frame overlaps the next:
on this 2-core machine the default scene at 1280 x 800 gave 70-77 frames/s under Xvfb against
94-96 offscreen.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Sequence

from sandbox.bench import headless_environment

# name: (hidden layers, views (None: --views), other AppConfig fields)
SCENES = {
    "default": ((16, 16, 16), None, {}),
    "all": ((16, 16, 16), "field,regions,creases,boundary,split,3d,probe,inspector,timeline", {}),
    "big": ((64, 64, 64, 64), "field,regions,creases,boundary", {}),
    "smooth": ((32, 32, 32), "field,creases,boundary", {"activation": "tanh"}),
    "picture": (
        (500,),
        "field,creases,boundary",
        {"dataset": "image:disk", "batch_size": 256, "resolution": 128},
    ),
}
SIZES = ((800, 600), (1280, 800), (1920, 1080))


def run(
    size: tuple[int, int],
    frames: int,
    views: Sequence[str],
    speed: int,
    hidden: Sequence[int] = (16, 16, 16),
    extra: dict | None = None,
) -> dict:
    from sandbox import actions as A
    from sandbox.app import App
    from sandbox.config import AppConfig
    from sandbox.kernel_cache import warm_here
    from sandbox.render.gl import GL

    t0 = time.perf_counter()
    warm_here()
    warm = time.perf_counter() - t0
    config = AppConfig(
        size=size,
        points=400,
        views=tuple(views),
        hidden=tuple(hidden),
        play=True,
        skip_loading=True,
        **(extra or {}),
    )
    app = App(config)
    app.start(hidden=True)
    app.scene.apply(A.SetSpeed(speed))
    state = app.state
    session = state.session
    app.use_loop_settings()
    app.run_frames(10, dt=1 / 60)

    def measure(sync: bool) -> dict:
        parts = {"train": 0.0, "geometry": 0.0, "render": 0.0, "ui": 0.0, "other": 0.0}
        app.sync_phases = sync
        redraws = app.ui_redraws
        jobs = session.worker.jobs_run if session.worker is not None else 0
        lag_sum, lagging = 0.0, 0
        totals = []
        cpu0, main0 = time.process_time(), time.thread_time()
        start = time.perf_counter()
        for _ in range(frames):
            f0 = time.perf_counter()
            app.frame(dt=1 / 60)
            if sync:
                GL.glFinish()
            total = time.perf_counter() - f0
            totals.append(total)
            t = state.timings
            train = t.get("train", 0.0)
            # the stage views (3D surface, probes, diagram) count as geometry
            geometry = t.get("geometry", 0.0) + t.get("laplace", 0.0) + t.get("stage", 0.0)
            render = t.get("render", 0.0)
            ui = t.get("ui", 0.0)
            parts["train"] += train
            parts["geometry"] += geometry
            parts["render"] += render
            parts["ui"] += ui
            parts["other"] += max(0.0, total - train - geometry - render - ui)
            lag = session.geometry_lag()
            if lag is not None:
                lag_sum += lag[0]
                lagging += 1
        GL.glFinish()  # (the frames' rasterising counted in full)
        elapsed = time.perf_counter() - start
        cpu, main = time.process_time() - cpu0, time.thread_time() - main0
        app.sync_phases = False
        worker = session.worker.jobs_run if session.worker is not None else 0
        totals.sort()
        return {
            "fps": frames / elapsed,
            "p99_ms": 1000 * totals[min(len(totals) - 1, int(0.99 * len(totals)))],
            "max_ms": 1000 * totals[-1],
            **{k: 1000 * v / frames for k, v in parts.items()},
            "ui_redraws": (app.ui_redraws - redraws) / frames,
            "worker_jobs": worker - jobs,
            "lag_ms": 1000 * lag_sum / frames,
            "lagging": lagging / frames,
            "cpu_main_ms": 1000 * main / frames,
            "cpu_other_ms": 1000 * (cpu - main) / frames,
            "busy": cpu / elapsed,
        }

    synced = measure(True)
    free = measure(False)
    regions = state.geometry.regions
    steps = state.metrics.step
    sizes, points = list(state.net.sizes), len(state.points)
    from sandbox.render.context import gl_info

    info = gl_info()  # while the context is current
    app.close()
    return {
        "synced": synced, "free": free, "regions": regions, "steps": steps, "warm": warm,
        "sizes": sizes, "points": points, "gl": info,
    }  # fmt: skip


def _report(label: str, r: dict) -> None:
    split = ", ".join(f"{k} {r[k]:.2f}" for k in ("train", "geometry", "render", "ui", "other"))
    print(f"  {label:34s} {r['fps']:6.1f} frames/s   ms per frame: {split}")
    worker = ""
    if r["worker_jobs"] or r["lagging"]:
        worker = (
            f"; {r['worker_jobs']} partitions made beside the frames, the shown one older than "
            f"the weights in {100 * r['lagging']:.0f}% of frames (by {r['lag_ms']:.0f} ms on "
            "average)"
        )
    print(
        f"  {'':34s} slowest frames: p99 {r['p99_ms']:.1f} ms, max {r['max_ms']:.1f} ms "
        f"(the frame rate never below {1000 / r['max_ms']:.0f} frames/s)"
    )
    print(f"  {'':34s} UI drawn again in {100 * r['ui_redraws']:.0f}% of frames{worker}")
    cores = os.cpu_count() or 1
    other = r["cpu_other_ms"]
    ceiling = f"{1000 * cores / other:.0f}" if other > 0 else "no"
    print(
        f"  {'':34s} CPU a frame: this thread {r['cpu_main_ms']:.2f} ms, the other threads "
        f"{other:.2f} ms (a software rasteriser's, the geometry worker's); {r['busy']:.2f} of "
        f"{cores} cores busy; their work alone allows {ceiling} frames/s"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sandbox.bench frame")
    parser.add_argument("--scenes", default="default,all,big", help="of " + ", ".join(SCENES))
    parser.add_argument("--sizes", "--size", dest="sizes", default="800x600,1280x800,1920x1080")
    parser.add_argument("--frames", type=int, default=150)
    parser.add_argument(
        "--views",
        "--view",
        dest="views",
        default="field,regions,creases",
        help="views of the default scene, e.g. 3d (the folded paper beside the plane), probe",
    )
    parser.add_argument("--speed", type=int, default=4, help="index into the speed table")
    args = parser.parse_args(argv)
    headless_environment()

    sizes = [tuple(int(v) for v in s.lower().split("x")) for s in args.sizes.split(",") if s]
    scenes = [s for s in args.scenes.split(",") if s]
    for name in scenes:
        if name not in SCENES:
            parser.error(f"unknown scene {name!r}; allowed: {', '.join(SCENES)}")
    first = True
    for name in scenes:
        hidden, views, extra = SCENES[name]
        views = views or args.views
        for w, h in sizes:
            listed = [v for v in views.split(",") if v]
            result = run((w, h), args.frames, listed, args.speed, hidden, extra)
            if first:
                print(f"{result['gl']}; kernels warmed in {result['warm']:.1f} s")
                first = False
            print(
                f"{name}: {result['sizes']}, {result['points']} points, training on, views "
                f"{views} + UI, {w}x{h}; {result['regions']} regions in view, "
                f"{result['steps']} steps trained"
            )
            _report("synchronised (glFinish per phase)", result["synced"])
            _report("free-running", result["free"])
    return 0
