"""Benchmark of the stage views (the menu's "look closer"): 3D surface, ray probes, inspector
and the timeline.

`python -m sandbox.bench stage [--frames N] [--size W H]` prints milliseconds for building the
surface meshes from an exact partition, drawing the 3D view (full window and one half of a split
screen), eight ray probes with their plots, the network diagram with live thumbnails, and the
timeline's memory and time per snapshot over a 100k-step run. Rendering uses whatever OpenGL the
machine offers (set SDL_VIDEODRIVER=offscreen and PYOPENGL_PLATFORM=egl for no window).
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np


def _ms(fn, repeats: int) -> float:
    fn()  # warm: compile shaders, numba, caches
    t0 = time.perf_counter()
    for _ in range(repeats):
        fn()
    return 1000.0 * (time.perf_counter() - t0) / repeats


def _trained(sizes, seed=0, steps=1500):
    from sandbox.nn import MLP
    from sandbox.nn.trainer import Trainer

    net = MLP(sizes, seed=seed)
    rng = np.random.default_rng(seed)
    X = rng.uniform(-5, 5, (400, 2))
    r = np.hypot(X[:, 0], X[:, 1])
    if sizes[-1] == 1:
        Trainer(net, X, np.sin(X[:, 0]) * 0.5, task="regression", lr=0.01).step(steps)
        return net, X, np.zeros(len(X), int), np.sin(X[:, 0]) * 0.5
    y = (r < 3).astype(int) + (sizes[-1] > 2) * (X[:, 0] > 2)
    Trainer(net, X, y, lr=0.02).step(steps)
    return net, X, y, y


def bench_timeline() -> None:
    from sandbox.nn import MLP
    from sandbox.nn.timeline import Timeline

    for sizes in ([2, 16, 16, 2], [2, 64, 64, 64, 2]):
        n = MLP(sizes).n_params
        tl = Timeline(n)
        p = np.zeros(n)
        t0 = time.perf_counter()
        for step in range(100_001):
            tl.record(step, p, 0.0, 0.0)
        dt = (time.perf_counter() - t0) / 100_001 * 1e6
        kept = tl.steps
        print(
            f"timeline {sizes}: 100k steps recorded every step -> {tl.memory_report()}; "
            f"{dt:.1f} us per record; every step kept up to {int(np.argmax(np.diff(kept) > 1))}, "
            f"median gap near 100k: {int(np.median(np.diff(kept[-20:])))} steps"
        )


def _bench_surface(p3, sizes, kind: str, size, gl_ms) -> str:
    """Build, upload and draw one surface; returns the report line."""
    from sandbox.bayes import LastLayerLaplace
    from sandbox.geometry import linear_regions
    from sandbox.geometry import surface as S
    from sandbox.render import palette
    from sandbox.render.camera3d import OrbitCamera, SceneFrame
    from sandbox.render.gl import GL
    from sandbox.render.surface3d import Surface3DStyle

    W, H = size
    bounds = (-6.0, 6.0, -6.0, 6.0)
    net, X, y, t = _trained(sizes)
    la = LastLayerLaplace(net, 1.0).fit(X, t) if kind in ("laplace", "band") else None
    P = linear_regions(net, bounds)
    build = _ms(lambda: S.build_surface(linear_regions(net, bounds), net, kind, laplace=la), 5)
    part_only = _ms(lambda: linear_regions(net, bounds), 5)
    fs = S.build_surface(P, net, kind, laplace=la)
    frame = SceneFrame(bounds, fs.z_range())
    lc = palette.layer_colors(8)[(fs.creases.layer - 1) % 8]

    def upload():
        p3.set_surface(fs.surface, P.region_colors)
        p3.set_creases(fs.creases.segments, lc, 2.0)
        p3.set_boundary(fs.boundary.segments)
        p3.set_points(fs.lift_points(X), y % 6)
        p3.set_band(fs.lower, fs.upper)
        GL.glFinish()

    up = _ms(upload, 5)
    full = OrbitCamera(W, H)
    half = OrbitCamera(W // 2, H)
    style = Surface3DStyle()
    t_full = gl_ms(lambda: p3.draw(full, frame, style))
    t_half = gl_ms(lambda: p3.draw(half, frame, style, viewport=(W - W // 2, 0, W // 2, H)))
    return (
        f"3D {kind:11s} {sizes}: {len(P)} regions, {len(fs.surface)} triangles, "
        f"{len(fs.creases)} crease pieces; partition {part_only:.1f} ms, partition + "
        f"surface {build:.1f} ms, upload {up:.1f} ms; draw {W}x{H} {t_full:.1f} ms, "
        f"half {W // 2}x{H} {t_half:.1f} ms"
    )


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m sandbox.bench stage")
    ap.add_argument("--frames", type=int, default=20)
    ap.add_argument("--size", type=int, nargs=2, default=(1280, 800))
    args = ap.parse_args(argv)
    os.environ.setdefault("PYOPENGL_PLATFORM", "egl")

    from sandbox.bayes import LastLayerLaplace
    from sandbox.geometry import ray_probe
    from sandbox.render import inspector as I
    from sandbox.render import plots as PL
    from sandbox.render.context import create_window, gl_info
    from sandbox.render.gl import GL
    from sandbox.render.surface3d import Surface3DPass

    W, H = args.size
    create_window((W, H), "bench", resizable=False, vsync=False, hidden=True)
    print(f"{gl_info()}; window {W}x{H}; {args.frames} frames per figure")
    bounds = (-6.0, 6.0, -6.0, 6.0)

    def gl_ms(draw) -> float:
        def frame():
            GL.glClear(GL.GL_COLOR_BUFFER_BIT | GL.GL_DEPTH_BUFFER_BIT)
            draw()
            GL.glFinish()

        return _ms(frame, args.frames)

    p3 = Surface3DPass()
    for sizes, kind in (
        ([2, 16, 16, 2], "output"),
        ([2, 16, 16, 2], "probability"),
        ([2, 16, 16, 2], "laplace"),
        ([2, 16, 16, 3], "output"),
        ([2, 16, 16, 1], "band"),
        ([2, 32, 32, 32, 2], "output"),
    ):
        print(_bench_surface(p3, sizes, kind, (W, H), gl_ms))

    net, X, y, _ = _trained([2, 16, 16, 2])
    la = LastLayerLaplace(net, 1.0).fit(X, y)
    canvas = PL.Canvas()
    dirs = PL.even_directions(8, 0.2)
    colors = PL.ray_colors(8)

    def probes():
        return [
            PL.probe_curves(ray_probe(net, (0.0, 0.0), d, 12.0, la), color=c)
            for d, c in zip(dirs, colors, strict=True)
        ]

    t_probe = _ms(probes, 5)
    curves = probes()

    def plot():
        canvas.begin((W, H))
        PL.draw_probe_plots(canvas, (W - 440, 0, 440, 600), curves)
        canvas.draw()

    t_plot = gl_ms(plot)
    print(f"8 ray probes with Laplace: compute {t_probe:.1f} ms, plots draw {t_plot:.1f} ms")

    diagram = I.NetworkDiagram()
    rect = (0, 0, 640, 420)
    t_upd = _ms(lambda: diagram.update(net, bounds, rect), 5)

    def diag():
        canvas.begin((W, H))
        diagram.draw(canvas, selected=I.NodeRef(1, 2))
        canvas.draw()

    t_diag = gl_ms(diag)
    print(f"inspector {net.sizes}: update with thumbnails {t_upd:.1f} ms, draw {t_diag:.1f} ms")
    bench_timeline()
    return 0
