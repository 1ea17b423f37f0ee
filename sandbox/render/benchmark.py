"""Frame-time benchmark of the 2D renderer: milliseconds per pass for the default scene.

`benchmark_frame(renderer, scene, view)` times the app's default frame (field over region
pastels, creases, decision boundary, points, UI overlay) and returns and prints per-pass
milliseconds (each pass finished with glFinish, so the numbers are real rasteriser time), the
unsynchronised frame time with a buffer swap (what the app's frame rate sees), and the upload
costs of data that changes while training (mesh, creases, points) or when the UI changes.
`python -m sandbox.render.benchmark` (or `python -m sandbox.bench render`) runs it at 1280x800 on
a [2, 16, 16, 16, 2] network with about a thousand regions, the issue's speed target scene.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Sequence

import numpy as np

from sandbox.geometry import Partition, linear_regions
from sandbox.nn import MLP

from . import palette
from .camera import View2D

DEFAULT_SIZES = (2, 16, 16, 16, 2)


def build_scene(view: View2D, sizes: Sequence[int] = DEFAULT_SIZES, seed: int = 1) -> dict:
    """Arrays for a frame: the exact partition of the view (the app's geometry), creases,
    boundary and points."""
    net = MLP(list(sizes), seed=seed)
    x0, y0, x1, y1 = view.world_bounds()
    t0 = time.perf_counter()
    part: Partition = linear_regions(net, (x0, x1, y0, y1))
    t_part = time.perf_counter() - t0
    rng = np.random.default_rng(seed)
    X = rng.uniform(-5.5, 5.5, (500, 2))
    logits = net.forward(X)
    creases = part.creases
    return {
        "layers": net.weights(),
        "partition": part,
        "partition_s": t_part,
        "mesh": part.mesh,
        "region_colors": part.region_colors,
        "creases": creases.segments,
        "crease_colors": palette.layer_colors(len(palette.LAYER_COLORS), 0.9)[
            (np.asarray(creases.layer) - 1) % len(palette.LAYER_COLORS)
        ],
        "boundary": part.boundary,
        "points": X,
        "classes": logits.argmax(axis=1),
        "hollow": rng.random(len(X)) < 0.2,
    }


def make_ui_surface(size: tuple[int, int], coverage: float = 0.22):
    """A stand-in for the pygame-gui panels: a side panel, a top bar and a few buttons."""
    import pygame

    w, h = size
    surface = pygame.Surface(size, pygame.SRCALPHA)
    surface.fill((0, 0, 0, 0))
    panel_w = int(w * coverage * 0.8)
    surface.fill((32, 34, 40, 235), (w - panel_w, 0, panel_w, h))
    surface.fill((32, 34, 40, 200), (0, 0, w - panel_w, 36))
    for i in range(8):
        surface.fill((70, 110, 170, 255), (w - panel_w + 16, 60 + 48 * i, panel_w - 32, 36))
    return surface


def upload_scene(renderer, scene: dict, origin: tuple[float, float]) -> None:
    m = scene["mesh"]
    renderer.mesh.set_mesh(m.vertices, m.triangles, m.region, m.logits, origin=origin)
    renderer.mesh.set_region_colors(scene["region_colors"])
    renderer.creases.set(scene["creases"], scene["crease_colors"], 2.0, origin=origin)
    renderer.boundary.set(scene["boundary"], palette.BOUNDARY_COLOR, 3.0, origin=origin)
    renderer.points.set(scene["points"], scene["classes"], scene["hollow"], 6.0, origin=origin)


def _mean_ms(fn, repeats: int) -> float:
    t0 = time.perf_counter()
    for _ in range(repeats):
        fn()
    return 1000.0 * (time.perf_counter() - t0) / repeats


def benchmark_frame(
    renderer,
    scene: dict,
    view: View2D,
    frames: int = 40,
    swap=None,
    ui_surface=None,
    quiet: bool = False,
) -> dict[str, float]:
    """Time the default frame; returns {name: milliseconds} and prints a table unless quiet.

    `swap` is called at the end of each whole frame (pygame.display.flip in the app).
    """
    from .field import FieldStyle
    from .gl import GL

    style = FieldStyle(regions=True)
    upload_scene(renderer, scene, view.center)
    if ui_surface is None:
        ui_surface = make_ui_surface(view.size)
    renderer.overlay.upload(ui_surface)
    finish = swap if swap is not None else (lambda: None)

    def frame() -> None:
        renderer.begin_frame()
        renderer.draw_scene(view, style)
        renderer.draw_overlay()

    frame()
    GL.glFinish()
    # Per-pass rasteriser time: each pass finished before the next starts.
    renderer.profile = True
    totals: dict[str, float] = {}
    for _ in range(frames):
        frame()
        for k, v in renderer.timings.items():
            totals[k] = totals.get(k, 0.0) + v
    renderer.profile = False
    results = {f"pass {k}": v / frames for k, v in totals.items()}

    # Whole frames as the app runs them (no per-pass synchronisation, one swap), finished so the
    # time is the rasteriser's: an offscreen swap does not wait, and queued frames would only
    # show up in whatever synchronises next.
    def full() -> None:
        frame()
        finish()
        GL.glFinish()

    results["frame"] = _mean_ms(full, frames)
    results["frames per second"] = 1000.0 / results["frame"]

    # Uploads: the mesh, creases and boundary change with every training step; points and UI
    # change on edits only.
    m = scene["mesh"]
    results["upload mesh"] = _mean_ms(
        lambda: renderer.mesh.set_mesh(
            m.vertices, m.triangles, m.region, m.logits, origin=view.center
        ),
        10,
    )
    results["upload region colours"] = _mean_ms(
        lambda: renderer.mesh.set_region_colors(scene["region_colors"]), 10
    )
    results["upload creases"] = _mean_ms(
        lambda: renderer.creases.set(scene["creases"], scene["crease_colors"], 2.0), 10
    )
    results["upload UI surface"] = _mean_ms(lambda: renderer.overlay.upload(ui_surface), 10)
    GL.glFinish()

    if not quiet:
        part = scene["partition"]
        print(
            f"render benchmark {view.width}x{view.height}: {len(part)} regions, "
            f"{len(scene['creases'])} crease segments, {len(scene['boundary'])} boundary "
            f"segments, {len(scene['points'])} points, {int(renderer.overlay.tiles.sum())} UI "
            f"tiles, {frames} frames"
        )
        for name, value in results.items():
            unit = "" if name == "frames per second" else " ms"
            print(f"  {name:<26} {value:8.2f}{unit}")
    return results


def benchmark_per_pixel(renderer, layers, view: View2D, frames: int = 5) -> float:
    """Milliseconds per frame of the per-pixel network fallback."""
    from .gl import GL

    renderer.mlp_field.set_network(layers)

    def frame() -> None:
        renderer.begin_frame()
        renderer.draw_network_field(view)
        GL.glFinish()

    frame()
    return _mean_ms(frame, frames)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sandbox.render.benchmark")
    parser.add_argument("--size", default="1280x800", help="window size WxH (default 1280x800)")
    parser.add_argument("--frames", type=int, default=40)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-per-pixel", action="store_true", help="skip the fallback shader")
    args = parser.parse_args(list(argv) if argv is not None else None)
    try:
        w, h = (int(v) for v in args.size.lower().split("x"))
    except ValueError:
        parser.error(f"--size {args.size!r} must look like 1280x800")
    # Headless machines (CI) render offscreen; set before pygame and OpenGL are imported.
    if "DISPLAY" not in os.environ and "WAYLAND_DISPLAY" not in os.environ:
        os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")
        os.environ.setdefault("PYOPENGL_PLATFORM", "egl")
    os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

    import pygame

    from .context import GLContextError, create_window, gl_info
    from .renderer import Renderer

    try:
        create_window((w, h), "render benchmark", resizable=False, vsync=False)
    except GLContextError as exc:
        print(f"cannot benchmark: {exc}")
        return 1
    print(gl_info())
    view = View2D(width=w, height=h)
    scene = build_scene(view, seed=args.seed)
    print(f"exact partition (sandbox.geometry): {scene['partition_s']:.3f} s")
    renderer = Renderer((w, h))
    benchmark_frame(renderer, scene, view, args.frames, swap=pygame.display.flip)
    if not args.no_per_pixel:
        ms = benchmark_per_pixel(renderer, scene["layers"], view)
        print(f"  {'per-pixel network field':<26} {ms:8.2f} ms  (fallback, {list(DEFAULT_SIZES)})")
    renderer.delete()
    pygame.quit()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
