"""An experiment's screen: the free sandbox started as the experiment says, with its caption.

`ExperimentScene` is the sandbox (every control open) prepared from a `sandbox.experiments`
entry: dataset or picture, network, training settings and schedule, views, layer selector and
zoom, the steps trained before the first frame, and whether it trains at once. Its caption sits
on a card at the top of the plane with a Replay button, which starts the experiment again from
the same seed (so a run can be watched twice); some experiments add a live chart card at the
plane's bottom right (sandbox.scenes.experiment_readout); Hide hides both, or, where the plane is
too small for the chart under the caption, shows the chart in the caption's place. Esc goes back
to the start menu's Experiments page. Nothing here touches the free sandbox's memory: an
experiment is a fresh scene each time.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import pygame
import pygame_gui
from pygame_gui.elements import UIButton

from sandbox import actions as A
from sandbox import game_actions as G
from sandbox.experiments import Experiment, experiment
from sandbox.geometry.symmetry import crease_symmetry
from sandbox.scenes.base import Routes
from sandbox.scenes.experiment_readout import ExperimentReadout
from sandbox.scenes.game import Game
from sandbox.scenes.menu import MenuScene
from sandbox.scenes.sandbox import SandboxScene
from sandbox.ui import hud
from sandbox.ui.charts import font
from sandbox.ui.theme import TEXT

if TYPE_CHECKING:
    from sandbox.app import App
    from sandbox.config import AppConfig

CAPTION_WIDTH = 620  # at 1x: the caption card's widest
REPLAY_WIDTH = 84  # at 1x: the Replay button beside the card


def experiment_config(config: AppConfig, exp: Experiment) -> AppConfig:
    """`config` with the experiment's start (dataset, network, training, views) in place;
    steps asked for on the command line are trained on top of the experiment's own."""
    fields = exp.config_fields()
    fields["steps"] = exp.steps + int(config.steps or 0)
    return replace(config, **fields, experiment=exp.id)


class ExperimentScene(SandboxScene):
    """The sandbox started as an experiment; see the module docstring."""

    name = "experiment"

    def __init__(
        self, app: App, config: AppConfig, exp: Experiment, game: Game | None = None
    ) -> None:
        super().__init__(app, experiment_config(config, exp))
        self.base_config = config  # what a replay starts from again
        self.experiment = exp
        self.game = game
        self.replay_button: UIButton | None = None
        self.caption_button: UIButton | None = None
        self.show_caption = True
        self._card: pygame.Rect | None = None
        self.readout = ExperimentReadout(self, exp)

    def enter(self) -> None:
        super().enter()
        s = self.state
        s.layer_view = self.experiment.layer_view
        s.toast = None  # the caption says what to do
        self.readout.enter()

    def update(self, dt: float) -> None:
        super().update(dt)
        self.readout.update()  # after the frame's training and probe; read by the next frame

    def stage_extras(self) -> dict[str, object]:
        return self.readout.stage_extras()

    def hud_key(self) -> tuple:
        return (super().hud_key(), self.show_caption, self.readout.key())

    def build_ui(self, manager: pygame_gui.UIManager) -> None:
        super().build_ui(manager)
        rect = self._caption_rect()
        s = self.state.scale
        w, h = round(REPLAY_WIDTH * s), round(34 * s)
        self.replay_button = UIButton(
            pygame.Rect(rect.right + round(8 * s), rect.y, w, h),
            "Replay",
            manager=manager,
            tool_tip_text="Start this experiment again from the beginning (same seed).",
        )
        self.caption_button = UIButton(
            pygame.Rect(rect.right + round(8 * s), rect.y + h + round(6 * s), w, h),
            "Hide" if self.show_caption else "Caption",
            manager=manager,
            tool_tip_text="Hide the caption to see the whole plane, or show it again.",
        )

    def exit(self) -> None:
        for button in (self.replay_button, self.caption_button):
            if button is not None:
                button.kill()
        self.replay_button = self.caption_button = None
        super().exit()

    def translate(self, event: pygame.event.Event, consumed: bool) -> list[A.Action]:
        if (
            event.type == pygame_gui.UI_BUTTON_PRESSED
            and self.replay_button is not None
            and event.ui_element is self.replay_button
        ):
            return [G.OpenExperiment(self.experiment.id)]
        if (
            event.type == pygame_gui.UI_BUTTON_PRESSED
            and self.caption_button is not None
            and event.ui_element is self.caption_button
        ):
            self.show_caption = not self.show_caption  # a look, not a change of the state
            self.caption_button.set_text("Hide" if self.show_caption else "Caption")
            self.state.toast = None
            return []
        if (
            event.type == pygame.KEYDOWN
            and event.key == pygame.K_ESCAPE
            and not consumed
            and not self.esc_is_taken()
        ):
            return [G.OpenMenu()]
        return super().translate(event, consumed)

    def screen_routes(self) -> Routes:
        return {
            **super().screen_routes(),
            G.OpenMenu: self._on_OpenMenu,
            G.OpenExperiment: self._on_OpenExperiment,
        }

    def _on_OpenExperiment(self, a: G.OpenExperiment) -> None:
        self.state.playing = False
        exp = experiment(a.experiment_id)
        self.next_scene = ExperimentScene(self.app, self.base_config, exp, self.game)

    def _on_OpenMenu(self, a: G.OpenMenu) -> None:
        game = self.game
        if game is None:
            try:
                game = Game(self.config.extra.get("levels_dir"))
            except (OSError, ValueError) as exc:
                self.say(f"The menu cannot be opened: {exc}", "error")
                return
        self.state.playing = False
        self.next_scene = MenuScene(self.app, game, self.config, page="experiments")

    # ------------------------------------------------------------------ the caption
    def _buttons_rect(self) -> pygame.Rect | None:
        """Where the Replay and Caption buttons are (a card must not cover them)."""
        rects = [b.rect for b in (self.replay_button, self.caption_button) if b is not None]
        return rects[0].unionall(rects[1:]) if rects else None

    def _caption_px(self) -> float:
        """The caption's type size: 15 px at 1x, smaller (down to 12) where the card would be
        taller than the plane (a small plane beside tall stage views)."""
        s = self.state.scale
        px, py, pw, ph = self.state.layout.plane
        width = min(pw - round((32 + REPLAY_WIDTH) * s), round(CAPTION_WIDTH * s))
        for size in (15, 14, 13, 12):
            f = font(size * s)
            lines = hud.wrap_words(self.experiment.caption, f, width - round(24 * s))
            if self._title_height(width) + f.get_linesize() * len(lines) <= ph - round(40 * s):
                break
        return size * s

    def _caption_lines(self, width: int) -> list[str]:
        f = font(self._caption_px())
        return hud.wrap_words(self.experiment.caption, f, width)

    def _title_lines(self, width: int) -> list[str]:
        """The title, wrapped when the card is narrow (the plane beside tall stage views)."""
        s = self.state.scale
        return hud.wrap_words(self.experiment.title, font(18 * s, True), width - round(24 * s))

    def _title_height(self, width: int) -> int:
        extra = len(self._title_lines(width)) - 1
        return (
            round(46 * self.state.scale) + extra * font(18 * self.state.scale, True).get_linesize()
        )

    def _caption_rect(self) -> pygame.Rect:
        s = self.state.scale
        px, py, pw, _ = self.state.layout.plane
        width = min(pw - round((32 + REPLAY_WIDTH) * s), round(CAPTION_WIDTH * s))
        lines = self._caption_lines(width - round(24 * s))
        f = font(self._caption_px())
        extra = round(28 * s) if self.experiment.readout else 0
        h = self._title_height(width) + f.get_linesize() * len(lines) + round(10 * s) + extra
        return pygame.Rect(px + round(12 * s), py + round(12 * s), width, h)

    def draw_overlay(self, surface: pygame.Surface) -> None:
        super().draw_overlay(surface)
        s = self.state.scale
        plane, rect = pygame.Rect(self.state.layout.plane), self._caption_rect()
        if not self.show_caption:
            # Hide hides the chart too, unless it had no room under the caption: then the
            # caption and the chart take turns (a small window)
            if self.readout.card(plane, s, above=rect) is None:
                card = self.readout.card(plane, s, beside=self._buttons_rect())
                if card is not None:
                    surface.blit(*card)
            return
        card = self.readout.card(plane, s, above=rect)
        if card is not None:
            surface.blit(*card)
        hud._card(surface, rect, s, alpha=225)
        x = rect.x + round(12 * s)
        ty = rect.y + round(12 * s)
        for line in self._title_lines(rect.width):
            hud._text(surface, line, (x, ty), 18 * s, TEXT, bold=True)
            ty += font(18 * s, True).get_linesize()
        px = self._caption_px()
        f = font(px)
        y = rect.y + self._title_height(rect.width)
        for line in self._caption_lines(rect.width - round(24 * s)):
            hud._text(surface, line, (x, y), px, TEXT)
            y += f.get_linesize()
        if self.experiment.readout == "symmetry" and self.state.net is not None:
            score = crease_symmetry(self.state.net)
            text = f"Left-right symmetry of the layer 1 creases: {score:.2f}"
            hud._text(surface, text, (x, y + round(6 * s)), 16 * s, TEXT, bold=True)
