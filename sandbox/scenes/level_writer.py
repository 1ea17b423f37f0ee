"""Save as level: the sandbox as it is now, written as a level file for the menu's "Your levels".

`LevelWriter` is one controller of the sandbox screen. Ctrl+L (`SaveAsLevel`; the FILE area's
Save button says so) pauses training, takes a snapshot of what the sandbox shows (points,
network and weights, training settings, views, the window) and opens the Save-level card
(sandbox/ui/level_writer_card.py). Each pick (`SetLevelChoice`) makes the level text again
(sandbox.levels.writer) and reads it back with the level loader, so the card shows the loader's
own message while the teacher chooses. `WriteLevel` writes the file atomically into the Level
files folder under a name made from the title (never over another file), tells the full path,
and has the Game read the folder again, so the level is in the menu at once. A level that would
not load is not written: the message says what to change.
"""

from __future__ import annotations

import html
from dataclasses import replace
from typing import TYPE_CHECKING

import pygame
import pygame_gui

from sandbox import actions as A
from sandbox import game_actions as G
from sandbox.io.atomic import atomic_write_text
from sandbox.io.files import level_files_dir
from sandbox.levels.writer import (
    AS_THIS_LEVEL,
    GOAL_PICKS,
    LevelChoices,
    check_level_text,
    choices_problem,
    level_text,
    new_level_path,
)
from sandbox.scenes.base import Controller, Routes
from sandbox.scenes.workshop import scene_data_from_state
from sandbox.ui.level_writer_card import LevelWriterCard

if TYPE_CHECKING:
    from sandbox.io.scene_format import SceneData
    from sandbox.scenes.sandbox import SandboxScene

READY = "Ready: the level loads. Save level writes it into the Level files folder."


class LevelWriter(Controller):
    """The Save-level card's state and what its actions do; see the module docstring."""

    def __init__(self, scene: SandboxScene) -> None:
        self.scene = scene
        self.choices = LevelChoices()
        self.snapshot: SceneData | None = None
        self.bounds: tuple[float, float, float, float] = (-6.0, 6.0, -6.0, 6.0)
        self.problem: str | None = None
        self.card: LevelWriterCard | None = None
        self.manager: pygame_gui.UIManager | None = None

    def routes(self) -> Routes:
        return {
            G.SaveAsLevel: self._on_open,
            G.SetLevelChoice: self._on_choice,
            G.WriteLevel: self._on_write,
            G.CloseLevelWriter: lambda a: self._close(),
        }

    @property
    def open(self) -> bool:
        return self.snapshot is not None

    # ------------------------------------------------------------------ UI
    def build_ui(self, manager: pygame_gui.UIManager) -> None:
        self.manager = manager
        self.card = None
        if self.open:
            self._build()

    def _build(self) -> None:
        if self.manager is None or self.snapshot is None:
            return
        if self.card is not None:
            self.card.clear()
        dataset = bool(self.snapshot.extra.get("sandbox", {}).get("dataset"))
        s = self.scene.state
        self.card = LevelWriterCard(
            self.manager,
            s.scale,
            s.layout.window,
            self.choices,
            self._status(),
            dataset,
            level=self.policy() is not None,
        )

    def translate(self, event: pygame.event.Event) -> list[A.Action]:
        return self.card.handle_event(event) if self.card is not None else []

    def exit(self) -> None:
        if self.card is not None:
            self.card.clear()
            self.card = None

    def _status(self) -> str:
        if self.problem is None:
            return html.escape(READY, quote=False)
        return f"<font color='#ff8a7a'>{html.escape(self.problem, quote=False)}</font>"

    # ------------------------------------------------------------------ actions
    def _on_open(self, a: G.SaveAsLevel) -> None:
        s = self.scene.state
        s.playing = False
        s.toast = None  # (it would show through the card)
        if self.policy():  # saved from a level: its own controls, unless the teacher picks others
            self.choices = replace(self.choices, controls=AS_THIS_LEVEL)
        self.snapshot = scene_data_from_state(s)
        if s.camera is not None:
            x0, y0, x1, y1 = s.camera.world_bounds()
            self.bounds = tuple(round(float(v), 2) for v in (x0, x1, y0, y1))  # type: ignore[assignment]
        if not self.snapshot.extra.get("sandbox", {}).get("dataset"):
            self.choices = replace(self.choices, points="these points")
        self._check()
        self._build()

    def _on_choice(self, a: G.SetLevelChoice) -> None:
        if not self.open:
            return
        c = self.choices
        if a.field == "goal":
            pick = next((g for g in GOAL_PICKS if g.name == a.value), None)
            if pick is None:  # "your own check": keep what the Check line says
                return
            c = replace(c, goal_check=pick.check, goal_text=pick.text)
        elif a.field == "keep_weights":
            c = replace(c, keep_weights=a.value == "these")
        elif a.field in ("title", "goal_check", "goal_text", "points", "controls"):
            c = replace(c, **{a.field: a.value})
        else:
            return
        self.choices = c
        self._check()
        if self.card is not None:
            self.card.show(c, self._status())

    def _text(self) -> str:
        assert self.snapshot is not None
        return level_text(self.snapshot, self.choices, self.bounds, self.policy())

    def policy(self) -> dict[str, str] | None:
        """The controls of the level being played (None in the free sandbox)."""
        status = getattr(self.scene, "status", None)
        return dict(status.policy) if status is not None else None

    def _check(self) -> None:
        """The loader's message about the file the picks make now (None: it loads)."""
        if self.snapshot is None:
            return
        problem = choices_problem(self.snapshot, self.choices)
        if problem is None:
            path = new_level_path(level_files_dir(), self.choices.title)
            problem = check_level_text(self._text(), f"{path.parent.name}/{path.name}")
        self.problem = problem

    def _on_write(self, a: G.WriteLevel) -> None:
        if not self.open:
            return
        self._check()
        if self.problem is not None:
            self.scene.say(f"Not saved: {self.problem}", "error")
            if self.card is not None:
                self.card.show(self.choices, self._status())
            return
        folder = level_files_dir()
        path = new_level_path(folder, self.choices.title)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            atomic_write_text(path, self._text())
        except OSError as exc:
            self.scene.say(f"Could not write {path} ({exc.strerror or exc}).", "error")
            return
        game = getattr(self.scene, "game", None)
        if game is not None:
            game.reload_own()
        self.scene.say(f"Saved the level: {path}. The menu lists it under Your levels.")
        self._close()

    def _close(self) -> None:
        self.snapshot = None
        self.problem = None
        if self.card is not None:
            self.card.clear()
            self.card = None
