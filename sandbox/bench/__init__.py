"""Benchmarks that print figures: `python -m sandbox.bench NAME` (trainer, regions, laplace, frame,
render, stage, recording, levels, data, figure); also the headless set-up the window benchmarks
share.

Each benchmark is a module sandbox/bench/NAME.py with a `main(argv: list[str]) -> int`.
Speed targets live here, never in timed tests.
"""

import os

# One BLAS thread, as the app's own start sets it (sandbox/cli.py) before numpy loads: a
# two-thread BLAS fighting the software rasteriser and the geometry worker for two cores made the
# 8 x 64 trainer's metrics (a forward pass over 200 points) take 100-340 ms a frame here, a stall
# the app never has. A value set by the user is kept.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")


def headless_environment() -> None:
    """Before pygame/OpenGL load: without a display, render offscreen through EGL; no audio."""
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")
    if os.environ.get("SDL_VIDEODRIVER") == "offscreen":
        os.environ.setdefault("PYOPENGL_PLATFORM", "egl")
    os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
