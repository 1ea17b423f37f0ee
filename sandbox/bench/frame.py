"""Frame benchmark: the real sandbox window, offscreen, for a few hundred frames.

`python -m sandbox.bench frame [--size WxH] [--frames N] [--view LIST] [--speed K]` runs the
default scene ([2, 16, 16, 16, 2] on the 400-point ring, training on, regions + creases + field
+ the UI panels) and prints frames per second and where the time goes: training, geometry (the
exact partition, Laplace and health), GL drawing of the plane, and the UI (pygame-gui update
and drawing, the overlay upload and composite). Two runs: a synchronised one (glFinish after
the plane and after the UI, so each share is real rasteriser time, and the frames do not
overlap) and a free-running one (the frame rate the app sees, with the GPU or the software
rasteriser working in parallel with Python). `--view 3d` (or probe, inspector, timeline, with
the others: `--view field,creases,3d`) measures the stage views, whose surface, probe and
diagram building count as geometry. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence

from sandbox.bench import headless_environment


def run(size: tuple[int, int], frames: int, views: Sequence[str], speed: int) -> dict:
    from sandbox import actions as A
    from sandbox.app import App
    from sandbox.config import AppConfig
    from sandbox.kernel_cache import warm_here
    from sandbox.render.context import gl_info
    from sandbox.render.gl import GL

    t0 = time.perf_counter()
    warm_here()
    warm = time.perf_counter() - t0
    app = App(AppConfig(size=size, points=400, views=tuple(views), play=True, skip_loading=True))
    app.start(hidden=True)
    app.scene.apply(A.SetSpeed(speed))
    print(f"{gl_info()}; window {size[0]}x{size[1]}; kernels warmed in {warm:.1f} s")
    state = app.state
    app.run_frames(10, dt=1 / 60)

    def measure(sync: bool) -> dict:
        parts = {"train": 0.0, "geometry": 0.0, "render": 0.0, "ui": 0.0, "other": 0.0}
        app.sync_phases = sync
        start = time.perf_counter()
        for _ in range(frames):
            f0 = time.perf_counter()
            app.frame(dt=1 / 60)
            if sync:
                GL.glFinish()
            total = time.perf_counter() - f0
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
        elapsed = time.perf_counter() - start
        app.sync_phases = False
        return {"fps": frames / elapsed, **{k: 1000 * v / frames for k, v in parts.items()}}

    synced = measure(True)
    free = measure(False)
    regions = state.geometry.regions
    steps = state.metrics.step
    app.close()
    return {"synced": synced, "free": free, "regions": regions, "steps": steps}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sandbox.bench frame")
    parser.add_argument("--size", default="1280x800")
    parser.add_argument("--frames", type=int, default=300)
    parser.add_argument(
        "--views",
        "--view",
        dest="views",
        default="field,regions,creases",
        help="views to show, e.g. 3d (the folded paper beside the plane), probe, inspector",
    )
    parser.add_argument("--speed", type=int, default=4, help="index into the speed table")
    args = parser.parse_args(argv)
    headless_environment()
    w, h = (int(v) for v in args.size.lower().split("x"))
    result = run((w, h), args.frames, [v for v in args.views.split(",") if v], args.speed)
    print(
        f"default scene: [2, 16, 16, 16, 2], 400 points, training on, views {args.views} + UI; "
        f"{result['regions']} regions in view, {result['steps']} steps trained"
    )
    for name in ("synced", "free"):
        r = result[name]
        split = ", ".join(f"{k} {r[k]:.2f}" for k in ("train", "geometry", "render", "ui", "other"))
        label = "synchronised (glFinish per phase)" if name == "synced" else "free-running"
        print(f"{label:34s} {r['fps']:6.1f} frames/s   ms per frame: {split}")
    return 0
