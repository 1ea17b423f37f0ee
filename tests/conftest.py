"""Shared test setup: headless environment variables (set before any pygame/OpenGL import).

The GL fixtures live in tests/gl_fixtures.py; they fail (not skip) when CI=true and no OpenGL
context can be made, because rendering tests must run in CI.
"""

import os
import tempfile

os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")
os.environ.setdefault("PYOPENGL_PLATFORM", "egl")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
# files the app writes by itself (recordings, screenshots, dialogs' defaults) never go to the
# home folder from a test; tests that look at them point this at their own tmp_path
os.environ.setdefault("NEURAL_ORIGAMI_FILES_DIR", tempfile.mkdtemp(prefix="neural-origami-files-"))
