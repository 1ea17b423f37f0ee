"""The free sandbox: the sandbox screen reached from the start menu (or opened directly).

`FreeSandboxScene` is `SandboxScene` with every control unlocked and one addition: Esc (when no
help card is open) goes back to the start menu. Leaving it keeps the sandbox as it was
(`AppState.sandbox_memory`, checked like a scene file when it comes back).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pygame

from sandbox import actions as A
from sandbox import game_actions as G
from sandbox.scenes.base import Routes
from sandbox.scenes.game import SETTING_UI_SCALE, Game
from sandbox.scenes.menu import MenuScene
from sandbox.scenes.sandbox import SandboxScene
from sandbox.scenes.workshop import prepare_scene, scene_data_from_state

if TYPE_CHECKING:
    from sandbox.app import App
    from sandbox.config import AppConfig


class FreeSandboxScene(SandboxScene):
    """The sandbox, every control unlocked; Esc goes back to the start menu."""

    name = "sandbox"

    def __init__(self, app: App, config: AppConfig, game: Game | None = None) -> None:
        super().__init__(app, config)
        self.game = game

    def enter(self) -> None:
        keep = self.state.ui_scale if self.game is not None else None
        super().enter()
        if keep is not None and keep != self.state.ui_scale:
            # from the menu: the UI scale chosen there, not the command line's
            self.state.ui_scale = keep
            self.relayout()
        memory = self.state.sandbox_memory
        if memory is not None:
            # back from the menu or a level: the sandbox as it was left, through the same
            # checks as a scene file (whatever cannot be restored leaves the defaults)
            try:
                self.workshop.restore(prepare_scene(memory, self.state, "the last sandbox"))
            except ValueError:
                self.state.sandbox_memory = None
            else:
                self.say("Back in the sandbox, as you left it.")

    def exit(self) -> None:
        if self.state.net is not None and self.state.points is not None:
            self.state.sandbox_memory = scene_data_from_state(self.state)
        super().exit()

    def translate(self, event: pygame.event.Event, consumed: bool) -> list[A.Action]:
        if (
            event.type == pygame.KEYDOWN
            and event.key == pygame.K_ESCAPE
            and not consumed
            and not self.esc_is_taken()
        ):
            return [G.OpenMenu()]
        return super().translate(event, consumed)

    def screen_routes(self) -> Routes:
        return {**super().screen_routes(), G.OpenMenu: self._on_OpenMenu}

    def _on_ui_scale(self, a: A.SetUiScale) -> None:
        super()._on_ui_scale(a)
        if self.game is not None:
            error = self.game.set_setting(SETTING_UI_SCALE, self.state.ui_scale)
            if error:
                self.say(error, "error")

    def _on_OpenMenu(self, a: G.OpenMenu) -> None:
        if self.game is None:
            try:
                self.game = Game(self.config.extra.get("levels_dir"))
            except (OSError, ValueError) as exc:
                self.say(f"The menu cannot be opened: {exc}", "error")
                return
        self.state.playing = False
        self.next_scene = MenuScene(self.app, self.game, self.config)
