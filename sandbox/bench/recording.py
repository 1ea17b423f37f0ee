"""Recording benchmark: what capturing the plane costs, and how fast `neural-origami render` runs.

`python -m sandbox.bench recording [--size WxH] [--frames N]` opens the sandbox offscreen
(the 400-point ring on [2, 16, 16, 16, 2], training on) and prints, per captured frame:
reading the window back (glReadPixels), cropping the plane, and adding the frame to a GIF
(palette, changed rectangle, LZW), plus the app's frame time without recording and while
recording at 15 fps; then the render command's frames per second for a 960x720 GIF. These are
the figures behind recording at a fixed rate instead of every frame. Prints; asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from sandbox.bench import headless_environment


def _ms(samples: list[float]) -> str:
    median, mean = 1000 * statistics.median(samples), 1000 * statistics.fmean(samples)
    return f"{median:6.1f} ms median, {mean:6.1f} ms mean ({len(samples)} frames)"


def run(size: tuple[int, int], frames: int, folder: Path) -> None:
    from sandbox import actions as A
    from sandbox.app import App
    from sandbox.config import AppConfig
    from sandbox.io.recording import Recorder
    from sandbox.render.context import gl_info
    from sandbox.render.target import read_pixels

    app = App(AppConfig(size=size, points=400, play=True, skip_loading=True))
    app.start(hidden=True)
    app.run_frames(10, dt=1 / 60)
    s = app.state
    print(f"{gl_info()}; window {size[0]}x{size[1]}, plane {s.layout.plane[2]}x{s.layout.plane[3]}")

    reads, crops, adds = [], [], []
    recorder = Recorder(folder / "bench.gif", fps=15)
    workshop = app.scene.workshop

    def tap(_pixels) -> None:
        t0 = time.perf_counter()
        full = read_pixels(s.layout.window)
        t1 = time.perf_counter()
        x, y, w, h = s.layout.plane
        plane = full[y : y + h, x : x + w].copy()
        t2 = time.perf_counter()
        recorder.add_frame(plane)
        t3 = time.perf_counter()
        reads.append(t1 - t0)
        crops.append(t2 - t1)
        adds.append(t3 - t2)

    workshop.tap = tap
    app.run_frames(frames, dt=1 / 60)
    workshop.tap = None
    recorder.close()
    print(f"read the window back:  {_ms(reads)}")
    print(f"crop the plane:        {_ms(crops)}")
    print(f"add a GIF frame:       {_ms(adds)}  (training on: every frame changes)")

    def frame_times(n: int) -> list[float]:
        out = []
        s.toast = None  # a message on screen redraws the UI every frame: not what is measured
        for _ in range(n):
            t0 = time.perf_counter()
            app.frame(dt=1 / 60)
            out.append(time.perf_counter() - t0)
        return out

    plain = frame_times(frames)
    app.scene.apply(A.ToggleRecording(str(folder / "live.gif")))
    recording = frame_times(frames)
    app.scene.apply(A.ToggleRecording())
    print(f"app frame, no recording:        {_ms(plain)}")
    print(f"app frame, recording at 15 fps: {_ms(recording)}  (dt 1/60: every 4th frame)")
    app.close()

    from sandbox.render_cli import main as render_main

    out = folder / "render.gif"
    t0 = time.perf_counter()
    render_main(["--dataset", "spiral", "--steps", "2000", "--frames", "30", "--out", str(out)])
    dt = time.perf_counter() - t0
    print(f"render 30 frames of 960x720 (spiral, 2000 steps): {dt:.1f} s, {30 / dt:.1f} frames/s, "
          f"{out.stat().st_size / 1024:.0f} KiB")  # fmt: skip


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m sandbox.bench recording")
    parser.add_argument("--size", default="1280x800", help="window size (1280x800)")
    parser.add_argument("--frames", type=int, default=60, help="frames per measurement (60)")
    args = parser.parse_args(argv)
    w, h = (int(v) for v in args.size.lower().split("x"))
    headless_environment()
    with tempfile.TemporaryDirectory() as folder:
        run((w, h), args.frames, Path(folder))


if __name__ == "__main__":
    main()
