"""Shared test setup: headless environment variables (set before any pygame/OpenGL import).

The GL fixtures live in tests/gl_fixtures.py; they fail (not skip) when CI=true and no OpenGL
context can be made, because rendering tests must run in CI.
"""

import os

os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")
os.environ.setdefault("PYOPENGL_PLATFORM", "egl")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
