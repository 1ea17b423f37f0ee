"""Levels benchmark: the start menu and every level in the real window, offscreen.

`python -m sandbox.bench levels [--size WxH] [--frames N]` opens the menu and then each level
(story closed), trains where the level trains, and prints per screen: the time to open it
(scene set-up and UI build), the mean frame time while playing, and what measuring the level's
goals on the live network costs (the level scene measures a few times a second while training,
at most every 8x that cost). Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

from sandbox.bench import headless_environment


def run(size: tuple[int, int], frames: int) -> list[tuple[str, float, float, float]]:
    from sandbox import actions as A
    from sandbox import game_actions as G
    from sandbox.app import App
    from sandbox.config import AppConfig
    from sandbox.kernel_cache import warm_here
    from sandbox.render.context import gl_info
    from sandbox.scenes.level import LevelScene
    from sandbox.scenes.menu import MenuScene

    warm_here()
    app = App(AppConfig(size=size, menu=True, skip_loading=True))
    app.start(hidden=True)
    print(f"{gl_info()}; window {size[0]}x{size[1]}; {frames} frames per screen")
    game = app.scene.game
    rows = []

    def frames_ms() -> float:
        t0 = time.perf_counter()
        app.run_frames(frames, dt=1 / 60)
        return 1000 * (time.perf_counter() - t0) / frames

    t0 = time.perf_counter()
    app.set_scene(MenuScene(app, game))
    app.run_frames(1, dt=1 / 60)
    rows.append(("menu", 1000 * (time.perf_counter() - t0), frames_ms(), float("nan")))
    for level_id in game.playable_ids:
        t0 = time.perf_counter()
        app.set_scene(LevelScene(app, game, game.level(level_id), show_story=False))
        app.run_frames(1, dt=1 / 60)
        opened = 1000 * (time.perf_counter() - t0)
        scene = app.scene
        if scene.status.shown("play") and len(app.state.points):
            scene.apply(A.SetPlaying(True))
        frame = frames_ms()
        scene.apply(A.SetPlaying(False))
        scene.apply(G.CloseCard())
        scene.live._changed()  # measure from scratch, as after a training step
        t0 = time.perf_counter()
        scene._evaluate(force=True)
        goals = 1000 * (time.perf_counter() - t0)
        rows.append((level_id, opened, frame, goals))
    app.close()
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sandbox.bench levels")
    parser.add_argument("--size", default="1280x800")
    parser.add_argument("--frames", type=int, default=60)
    ns = parser.parse_args(argv)
    w, h = (int(v) for v in ns.size.lower().split("x"))
    headless_environment()
    # progress goes to a scratch folder: a benchmark must not touch the player's stars
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["NEURAL_ORIGAMI_DATA_DIR"] = tmp
        rows = run((w, h), max(1, ns.frames))
    print(f"{'screen':32s} {'open ms':>9s} {'frame ms':>9s} {'goals ms':>9s}")
    for name, opened, frame, goals in rows:
        g = "-" if goals != goals else f"{goals:9.1f}"
        print(f"{name:32s} {opened:9.1f} {frame:9.1f} {g:>9s}")
    return 0
