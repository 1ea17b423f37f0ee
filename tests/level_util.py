"""Shared set-up of the tests that play levels in the running app (offscreen OpenGL): a data folder
of their own, a started app on a level, closing the story card, training at a fixed speed.

Use in a test module (the fixtures are named `data_dir` and `start_level`):
    from gl_util import gl_session_fixture  # noqa: F401
    from level_util import close_story, data_dir_fixture, start_level_fixture, train  # noqa: F401
"""

from __future__ import annotations

import pytest
from app_util import Driver, app_factory

from sandbox import actions as A
from sandbox import game_actions as G
from sandbox.app import App
from sandbox.levels import load_levels
from sandbox.vocab import SPEEDS

SIZE = (1280, 800)
LEVELS = {e.id: e.level for e in load_levels() if e.ok}


@pytest.fixture(name="data_dir")
def data_dir_fixture(tmp_path, monkeypatch):
    folder = tmp_path / "data"
    monkeypatch.setenv("NEURAL_ORIGAMI_DATA_DIR", str(folder))
    monkeypatch.chdir(tmp_path)
    return folder


@pytest.fixture(name="start_level")
def start_level_fixture(gl_session, data_dir, tmp_path, monkeypatch):
    """`start_level(level_id, **config)`: the app on that level (tests/app_util.py's Driver)."""
    make, close = app_factory({"size": SIZE}, tmp_path, monkeypatch, data_dir=data_dir)

    def start(level_id: str, **kw) -> Driver:
        return make(level=level_id, **kw)

    yield start
    errors = close()
    assert not errors, f"OpenGL errors: {errors}"


def close_story(app: App) -> None:
    scene = app.scene
    for _ in range(len(scene.level.story)):
        scene.apply(G.StoryPage(1))
    app.run_frames(2, dt=1 / 30)
    assert scene.status.card == ""


def train(app: App, steps: int) -> None:
    """Press Train and let it run until `steps` more steps were taken, at the fastest fixed
    speed (steps per frame), so the run is the same on a slow or a fast machine."""
    scene = app.scene
    target = scene.steps + steps
    scene.apply(A.SetSpeed(SPEEDS.index(max(SPEEDS))))
    scene.apply(A.SetPlaying(True))
    for _ in range(2000):
        app.run_frames(1, dt=1 / 30)
        if scene.steps >= target or not app.state.playing:
            break
    scene.apply(A.SetPlaying(False))
    # one paused frame, as a player looks after pausing: values held while training (costly
    # ones are rebuilt at most every so often, by the clock: sandbox.memo) follow the weights
    app.run_frames(1, dt=1 / 30)
