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

import pytest  # noqa: E402
from app_util import app_factory  # noqa: E402
from gl_util import gl_session_fixture  # noqa: E402, F401

APP_DEFAULTS = {"size": (1280, 800), "points": 200, "hidden": (8, 8)}

# The longest test files, longest first (1.5-3 minutes of one worker each, measured with
# --durations). With pytest-xdist's --dist loadfile each file runs whole on one worker, handed
# out in collection order: a long file collected late kept the other worker idle at the end of
# the run. These are collected first; the order within files and among the rest is kept.
LONG_FILES = ("test_ui_fit.py", "test_monkey.py", "test_level_scene.py", "test_experiments.py")


def pytest_collection_modifyitems(config, items):
    def rank(item) -> int:
        name = item.path.name
        return LONG_FILES.index(name) if name in LONG_FILES else len(LONG_FILES)

    items.sort(key=rank)  # stable


@pytest.fixture
def make_app(gl_session, tmp_path, monkeypatch, request):
    """Start apps on the shared offscreen GL context: `make_app(**AppConfig fields)` returns a
    Driver (tests/app_util.py). A test module may set APP_DEFAULTS (merged over the ones here)
    and APP_FILES_SUBDIR (the app's files folder inside tmp_path; default tmp_path itself).
    Every app is closed afterwards, and OpenGL errors left behind fail the test."""
    defaults = {**APP_DEFAULTS, **getattr(request.module, "APP_DEFAULTS", {})}
    files = tmp_path / getattr(request.module, "APP_FILES_SUBDIR", "")
    make, close = app_factory(defaults, tmp_path, monkeypatch, files)
    yield make
    errors = close()
    assert not errors, f"OpenGL errors: {errors}"
