"""The start menu scene, the free sandbox reached from it, and the choice of the first screen.

`MenuScene` is the app's first screen after loading when it starts without sandbox options: a
big title, Continue (the next unfinished level), the level grid with stars and locks, the free
sandbox and the settings (UI scale, every level open for presenters). Behind it a small fixed
network folds the window into pastel regions, drawn by the same passes as the sandbox's plane.
It writes the app state only for the layout and the UI scale, and the `Game` (progress,
settings) through its methods. A damaged progress file is reported once, as a message, and the
menu carries on with fresh progress.

`scene_factory` decides what the app opens first: a level (--level), the menu (no sandbox
options), or the free sandbox (sandbox/scenes/free_sandbox.py).

The menu's module imports nothing that loads numba (tests/test_startup_imports.py): the level and
sandbox screens, and the background picture (sandbox/scenes/menu_background.py: the geometry
kernels, or on a first start their plain-Python twins a second after the menu is up), are
imported when they are first opened or drawn, so the first menu frame does not wait for numba.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
import pygame
import pygame_gui

from sandbox import actions as A
from sandbox import game_actions as G
from sandbox.cli import is_level_path, resolve_level_id
from sandbox.experiments import EXPERIMENTS, experiment
from sandbox.io.files import stamped
from sandbox.levels import MORE_LEVELS, YOUR_LEVELS, plain_text
from sandbox.scenes.base import Routes, Scene
from sandbox.scenes.game import SETTING_UI_SCALE, Game
from sandbox.scenes.loading import kernels_ready, open_when_ready
from sandbox.state import Layout, Toast
from sandbox.ui import hud
from sandbox.ui.menu_chapters import ChapterInfo
from sandbox.ui.menu_panels import (
    PAGES,
    CardInfo,
    ExperimentCard,
    MenuPanels,
    MenuView,
    menu_scale,
)
from sandbox.vocab import UI_SCALE_RANGE

if TYPE_CHECKING:
    from sandbox.app import App
    from sandbox.config import AppConfig
    from sandbox.levels import Level
    from sandbox.scenes.menu_background import MenuBackground

MESSAGE_SECONDS = 12.0
CHAPTER_PART = 6  # levels of a chapter shown at once: all of them fit 800x600
# a first start draws the background from the region kernels' twins after this long
TWIN_BACKGROUND_AFTER_S = 1.0


class MenuScene(Scene):
    """The start menu; see the module docstring."""

    name = "menu"

    def __init__(
        self, app: App, game: Game, config: AppConfig | None = None, page: str = "levels"
    ) -> None:
        super().__init__(app)
        self.game = game
        self.config = config if config is not None else app.config
        self.page = page if page in PAGES else "levels"
        self.panels: MenuPanels | None = None
        self.view: MenuView | None = None
        self.settings_open = False
        self.chapter = ""  # the chapter whose levels are shown ("": Continue's)
        self._background: MenuBackground | None = None
        self._age = 0.0  # seconds this menu has been up
        self.routes: Routes = {
            G.OpenLevel: self._on_OpenLevel,
            G.OpenLevelFile: self._on_OpenLevelFile,
            G.ContinueGame: self._on_ContinueGame,
            G.OpenSandbox: self._on_OpenSandbox,
            G.OpenExperiment: self._on_OpenExperiment,
            G.ShowPage: self._on_ShowPage,
            G.ShowChapter: self._on_ShowChapter,
            G.ShowSettings: self._on_ShowSettings,
            G.SetUnlockAll: self._on_SetUnlockAll,
            A.SetUiScale: self._on_SetUiScale,
            A.Resize: self._on_Resize,
            A.Screenshot: self._on_Screenshot,
            A.ScreenshotSaved: self._on_ScreenshotSaved,
            A.Quit: self._on_Quit,
        }

    # ------------------------------------------------------------------ set-up
    def enter(self) -> None:
        s = self.state
        scale = self.game.first_ui_scale(self.config.ui_scale)
        if scale is not None:
            s.ui_scale = float(np.clip(scale, *UI_SCALE_RANGE))
        s.playing = False
        s.show_help = False
        s.hover = None
        self._relayout(s.layout.window)
        self.game.reload_own()  # a level file saved or copied there meanwhile shows at once
        warning = self.game.take_warning()
        if warning:
            self.say(warning, "warn", MESSAGE_SECONDS)
        self._refresh()

    def exit(self) -> None:
        if self.panels is not None:
            self.panels.clear()
            self.panels = None
        if self._background is not None:
            self._background.release()
            self._background = None

    def build_ui(self, manager: pygame_gui.UIManager) -> None:
        if self.panels is not None:
            self.panels.clear()
        self.panels = MenuPanels(manager, self.state, self.view)

    def say(self, text: str, kind: str = "info", seconds: float = 5.0) -> None:
        self.state.toast = Toast(text, kind, self.state.time + seconds)

    def _relayout(self, window: tuple[int, int]) -> None:
        w, h = max(1, int(window[0])), max(1, int(window[1]))
        scale = menu_scale((w, h), self.state.ui_scale)
        self.state.layout = Layout(window=(w, h), plane=(0, 0, w, h), scale=scale)

    def _refresh(self) -> None:
        """Rebuild the MenuView from the game (after progress or settings changed)."""
        game = self.game
        flags = game.open_flags()
        next_id = game.continue_id()
        cards = []
        for entries in (game.entries, game.own_entries):
            for i, e in enumerate(entries, 1):
                cards.append(
                    CardInfo(
                        level_id=e.id,
                        number=i,
                        title=e.title,
                        stars=game.stars(e.id),
                        open=flags.get(e.id, False) or (game.is_own(e.id) and e.ok),
                        error=str(e.error) if e.error is not None else "",
                        is_next=e.id == next_id,
                    )
                )
        chapters = chapter_infos(game, {c.level_id: c for c in cards})
        if self.chapter not in [c.title for c in chapters]:
            self.chapter = self._chapter_of(next_id, chapters)
        if next_id is None:
            text = ""
        else:
            started = any(game.stars(i) for i in game.playable_ids) or (
                game.progress.last_played is not None
            )
            word = "Continue" if started else "Start"
            text = f"{word}: level {game.number(next_id)}"
        self.view = MenuView(
            cards=tuple(cards),
            continue_id=next_id,
            continue_text=text,
            settings_open=self.settings_open,
            unlock_all=game.unlock_all,
            ui_scale=self.state.ui_scale,
            page=self.page,
            experiments=tuple(ExperimentCard(e.id, e.title, e.caption) for e in EXPERIMENTS),
            chapters=chapters,
            chapter=self.chapter,
        )

    @staticmethod
    def _chapter_of(level_id: str | None, chapters: tuple[ChapterInfo, ...]) -> str:
        """The chapter the menu opens on: the one holding the level Continue opens."""
        found = next((c.title for c in chapters if level_id in c.level_ids), None)
        return found or (chapters[0].title if chapters else "")

    # ------------------------------------------------------------------ events -> actions
    def translate(self, event: pygame.event.Event, consumed: bool) -> list[A.Action]:
        out: list[A.Action] = []
        if self.panels is not None:
            out += self.panels.handle_event(event)
        if event.type == pygame.DROPFILE:  # a level file dropped on the menu: play it
            path = str(event.file)
            if path.lower().endswith(".toml"):
                out.append(G.OpenLevelFile(path))
            else:
                self.say("The menu opens level files (.toml); pictures, points and scenes open "
                         "in the free sandbox.", "warn")  # fmt: skip
        if event.type == pygame.KEYDOWN and not consumed:
            key = event.key
            if key in (pygame.K_RETURN, pygame.K_KP_ENTER) and not self.settings_open:
                out.append(G.ContinueGame())
            elif key == pygame.K_ESCAPE and self.settings_open:
                out.append(G.ShowSettings(False))
            elif key in (pygame.K_UP, pygame.K_DOWN) and self.view and self.view.chapters:
                out += self._next_chapter(1 if key == pygame.K_DOWN else -1)
            elif key == pygame.K_u:
                out.append(G.SetUnlockAll(not self.game.unlock_all))
            elif key == pygame.K_F12:
                out.append(A.Screenshot())
        return out

    def _next_chapter(self, step: int) -> list[A.Action]:
        """Up and Down walk the chapter list (when the Levels page shows it)."""
        if self.settings_open or self.page != "levels" or self.view is None:
            return []
        titles = [c.title for c in self.view.chapters]
        i = titles.index(self.chapter) if self.chapter in titles else 0
        return [G.ShowChapter(titles[(i + step) % len(titles)])]

    # ------------------------------------------------------------------ apply
    def apply(self, action: A.Action) -> None:
        handler = self.routes.get(type(action))
        if handler is not None:
            handler(action)

    def _on_OpenLevel(self, a: G.OpenLevel) -> None:
        entry = self.game.entry(a.level_id)
        if entry is None:
            self.say(f"There is no level {a.level_id!r}.", "warn")
            return
        if entry.error is not None:
            self.say(f"This level cannot be played: {entry.error}", "error", MESSAGE_SECONDS)
            return
        if not self.game.is_open(a.level_id):
            before = self.game.previous_id(a.level_id)
            what = f"level {self.game.number(before)}" if before else "the level before it"
            self.say(f"Locked: win {what} first (presenters: U opens every level).", "warn")
            return
        self.next_scene = open_level(self.app, self.game, entry.level, self.config)

    def _on_OpenLevelFile(self, a: G.OpenLevelFile) -> None:
        entry = self.game.open_file(a.path)
        if entry.level is None:
            self.say(f"This level file cannot be played: {entry.error}", "error", MESSAGE_SECONDS)
            self._refresh()  # it shows under "Your levels" with its error card
            return
        self._on_OpenLevel(G.OpenLevel(entry.id))

    def _on_ContinueGame(self, a: G.ContinueGame) -> None:
        target = self.game.continue_id()
        if target is None:
            self.say("No level could be loaded; the free sandbox is always there.", "warn")
            return
        self._on_OpenLevel(G.OpenLevel(target))

    def _on_OpenSandbox(self, a: G.OpenSandbox) -> None:
        from sandbox.scenes.free_sandbox import FreeSandboxScene

        # the free sandbox opens at once, paused: on a first start its regions and training
        # join as their kernels are compiled (SandboxScene.follow_kernels)
        self.next_scene = FreeSandboxScene(self.app, self.config, self.game)

    def _on_OpenExperiment(self, a: G.OpenExperiment) -> None:
        try:
            exp = experiment(a.experiment_id)
        except ValueError as exc:
            self.say(str(exc), "warn")
            return
        from sandbox.scenes.experiment import ExperimentScene

        self.next_scene = open_when_ready(
            self.app, lambda: ExperimentScene(self.app, self.config, exp, self.game)
        )

    def _on_ShowPage(self, a: G.ShowPage) -> None:
        self.page = a.page if a.page in PAGES else "levels"
        self._refresh()

    def _on_ShowChapter(self, a: G.ShowChapter) -> None:
        self.chapter = a.title
        self._refresh()

    def _on_ShowSettings(self, a: G.ShowSettings) -> None:
        self.settings_open = bool(a.on)
        self._refresh()

    def _on_SetUnlockAll(self, a: G.SetUnlockAll) -> None:
        error = self.game.set_unlock_all(a.on)
        self._refresh()
        if error:
            self.say(error, "error")
        else:
            self.say("Every level is open." if a.on else "Levels open in order again.")

    def _on_SetUiScale(self, a: A.SetUiScale) -> None:
        s = self.state
        scale = float(np.clip(a.scale, *UI_SCALE_RANGE))
        s.ui_scale = scale
        self._relayout(s.layout.window)
        error = self.game.set_setting(SETTING_UI_SCALE, scale)
        self._refresh()
        if error:
            self.say(error, "error")
        elif s.scale < scale:
            self.say(f"UI {scale:g}x does not fit this window; using {s.scale:g}x for now.")

    def _on_Resize(self, a: A.Resize) -> None:
        self._relayout((a.width, a.height))
        self._refresh()

    def _on_Screenshot(self, a: A.Screenshot) -> None:
        self.state.screenshot_request = a.path or str(stamped("neural-origami", ".png"))

    def _on_ScreenshotSaved(self, a: A.ScreenshotSaved) -> None:
        self.state.screenshot_request = None
        self.say(a.message, "info" if a.ok else "error")

    def _on_Quit(self, a: A.Quit) -> None:
        self.state.quit = True

    # ------------------------------------------------------------------ frame
    def update(self, dt: float) -> None:
        self._age += dt
        if self.panels is not None and self.view is not None:
            self.panels.sync(self.state, self.view)

    def draw(self) -> None:
        """A fixed small network folding the window into pastel regions, with its creases."""
        ready = kernels_ready(self.app, "geometry")
        if not ready and self._age < TWIN_BACKGROUND_AFTER_S:
            return  # the first frames do not wait for numba's import (the twins need it too)
        if self._background is None:
            from sandbox.scenes.menu_background import MenuBackground

            self._background = MenuBackground(self.app.renderer)
        # on a first start the region kernels still compile: their twins make the picture
        self._background.draw(self.state.layout.window, ready)

    def draw_overlay(self, surface: pygame.Surface) -> None:
        hud.draw_toast(surface, self.state, self.state.scale)

    def hud_key(self) -> tuple:
        s = self.state
        shown = s.toast is not None and s.time <= s.toast.until
        return (s.toast.text, s.toast.kind, s.scale, repr(s.layout)) if shown else ()


def chapter_infos(game: Game, cards: dict[str, CardInfo]) -> tuple[ChapterInfo, ...]:
    """The chapter list: the game's chapters (numbered; "More levels" not), then "Your levels"
    with the Level files folder's files and where that folder is."""
    out = []
    number = 0
    for ch in game.chapters:
        infos = [cards[i] for i in ch.levels if i in cards]
        numbered = ch.title != MORE_LEVELS
        number += numbered
        # a chapter longer than fits a small window is listed in parts (no level out of reach)
        parts = [infos[i : i + CHAPTER_PART] for i in range(0, len(infos), CHAPTER_PART)]
        for k, part in enumerate(parts, 1):
            playable = [c for c in part if not c.error]
            out.append(
                ChapterInfo(
                    title=ch.title if len(parts) == 1 else f"{ch.title} ({k}/{len(parts)})",
                    number=number if numbered else 0,
                    level_ids=tuple(c.level_id for c in part),
                    stars=sum(c.stars for c in playable),
                    max_stars=3 * len(playable),
                    open=any(c.open for c in playable),
                    done=bool(playable) and all(c.stars > 0 for c in playable),
                    learned=plain_text(ch.learned) if k == len(parts) else "",
                )
            )
    own = [cards[e.id] for e in game.own_entries if e.id in cards]
    playable = [c for c in own if not c.error]
    note = (
        f"Level files in {game.own_dir} play here. Ctrl+L in the free sandbox saves one there "
        "(Save as level); a level file dropped on this window opens at once."
    )
    out.append(
        ChapterInfo(
            title=YOUR_LEVELS,
            number=0,
            level_ids=tuple(c.level_id for c in own),
            stars=sum(c.stars for c in playable),
            max_stars=3 * len(playable),
            open=True,
            done=False,
            note=note,
        )
    )
    return tuple(out)


def level_scene(app: App, game: Game, level: Level, config: AppConfig) -> Scene:
    """The screen of `level` (imported when first needed: it loads numba)."""
    from sandbox.scenes.level import LevelScene

    return LevelScene(app, game, level, config)


def open_level(app: App, game: Game, level: Level, config: AppConfig) -> Scene:
    """The scene a screen switches to for playing `level`, at once: on a first start it opens
    while the kernels compile, as the free sandbox does (training runs in the kernel's numpy
    twin, the plane draws the regions' plain-Python twins, and the goals that need the exact
    regions wait for their kernels: LevelScene)."""
    return level_scene(app, game, level, config)


# ----------------------------------------------------------------------------- the first screen
def scene_factory(app: App, config: AppConfig) -> Callable[[], Scene]:
    """What to open first, as a factory (the loading screen calls it when kernels are ready).

    Raises ValueError with a message for users when --level names no level or a broken one.
    """
    levels_dir = config.extra.get("levels_dir")
    if config.experiment:
        exp = experiment(config.experiment)

        def experiment_scene() -> Scene:
            from sandbox.scenes.experiment import ExperimentScene

            return ExperimentScene(app, config, exp)

        return experiment_scene
    if config.level:
        game = Game(levels_dir, config.extra.get("progress_path"))
        if is_level_path(config.level):
            entry = game.open_file(config.level)
        else:
            level_id = resolve_level_id(config.level, [e.id for e in game.entries])
            if level_id is None:
                ids = ", ".join(e.id for e in game.entries) or "none"
                raise ValueError(f"--level {config.level!r}: no such level; available: {ids}")
            entry = game.entry(level_id)
        if entry.error is not None:
            raise ValueError(f"--level {config.level!r} cannot be played: {entry.error}")

        return lambda: level_scene(app, game, entry.level, config)
    if getattr(config, "menu", False):

        def menu() -> Scene:
            return MenuScene(app, Game(levels_dir, config.extra.get("progress_path")), config)

        return menu

    def sandbox() -> Scene:
        from sandbox.scenes.free_sandbox import FreeSandboxScene

        return FreeSandboxScene(app, config)

    return sandbox
