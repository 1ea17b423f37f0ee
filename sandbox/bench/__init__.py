"""Benchmarks that print figures: `python -m sandbox.bench NAME` (trainer, regions, laplace, frame,
render, stage, recording, levels, data, figure); also the headless set-up the window benchmarks
share.

Each benchmark is a module sandbox/bench/NAME.py with a `main(argv: list[str]) -> int`.
Speed targets live here, never in timed tests.
"""

import os


def headless_environment() -> None:
    """Before pygame/OpenGL load: without a display, render offscreen through EGL; no audio."""
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")
    if os.environ.get("SDL_VIDEODRIVER") == "offscreen":
        os.environ.setdefault("PYOPENGL_PLATFORM", "egl")
    os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
