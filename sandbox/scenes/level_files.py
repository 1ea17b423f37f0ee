"""The teacher's level files on the sandbox and level screens: a .toml dropped on the window is
played as a level (a broken one is a message with the loader's words, and nothing changes).

`LevelFiles` is one controller of the sandbox screen (and so of every screen built on it: the
free sandbox, a level, an experiment). It reads the file through the `Game` of the screen (the
one the menu handed over, or a new one), which keeps it among the player's own levels for the
menu's "Your levels", and opens the level the way the menu does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sandbox import game_actions as G
from sandbox.scenes.base import Controller, Routes
from sandbox.scenes.game import Game
from sandbox.scenes.menu import open_level

if TYPE_CHECKING:
    from sandbox.scenes.sandbox import SandboxScene


class LevelFiles(Controller):
    """Level files opened on a sandbox screen; see the module docstring."""

    def __init__(self, scene: SandboxScene) -> None:
        self.scene = scene

    def routes(self) -> Routes:
        return {G.OpenLevelFile: self._on_open}

    def game(self) -> Game | None:
        """The screen's Game (made now when the screen was opened without the menu)."""
        scene = self.scene
        game = getattr(scene, "game", None)
        if game is None:
            try:
                game = Game(scene.config.extra.get("levels_dir"))
            except (OSError, ValueError) as exc:
                scene.say(f"The level files cannot be read: {exc}", "error")
                return None
            scene.game = game
        return game

    def _on_open(self, a: G.OpenLevelFile) -> None:
        game = self.game()
        if game is None:
            return
        entry = game.open_file(a.path)
        if entry.level is None:
            self.scene.say(f"This level file cannot be played: {entry.error}", "error")
            return
        scene = self.scene
        scene.state.playing = False
        scene.next_scene = open_level(scene.app, game, entry.level, scene.config)
