"""The Save-level card: a small window where a teacher turns the sandbox into a level file.

It shows the title, the goal picker (which writes the goal in the goal language into the Check
line, where it can be edited), the goal's words for the player, how the points and the weights
are written, and which controls the player keeps; under them the level loader's own message
about the file these picks make ("Ready" when it loads), then Cancel and Save level. It is a
pygame-gui window, so while it has focus the keys go to it alone (sandbox.ui.focus) and Esc
closes it. It reads the picks it is given and emits actions (sandbox.game_actions); the status
and the Check line change in place, so typing keeps its focus.
"""

from __future__ import annotations

import pygame
import pygame_gui
from pygame_gui.core import ObjectID
from pygame_gui.elements import UITextBox, UITextEntryLine, UIWindow

from sandbox import actions as A
from sandbox import game_actions as G
from sandbox.levels.writer import (
    AS_THIS_LEVEL,
    CONTROL_PICKS,
    GOAL_PICKS,
    POINT_PICKS,
    LevelChoices,
)
from sandbox.ui.base import PanelBase, widget_actions

WEIGHT_PICKS = (("fresh weights from the seed", "fresh"), ("these weights", "these"))
OWN_GOAL = "your own check"
ROWS = 7


class LevelWriterCard(PanelBase):
    """The window; see the module docstring."""

    def __init__(
        self,
        manager: pygame_gui.UIManager,
        scale: float,
        window: tuple[int, int],
        choices: LevelChoices,
        status: str,
        dataset: bool,
        level: bool = False,
    ) -> None:
        super().__init__(manager, scale)
        s = self.s
        w = min(s(560), window[0] - s(16))
        pad, row, gap = s(14), s(32), s(8)
        label_w = min(s(150), w // 3)
        field_w = w - 2 * pad - label_w - s(8) - s(32)  # (the window's own border)
        status_h = s(96)
        h = min(window[1] - s(16), s(40) + ROWS * (row + gap) + status_h + s(56) + 2 * pad)
        rect = pygame.Rect(0, 0, w, h)
        rect.center = (window[0] // 2, window[1] // 2)
        self.window = UIWindow(
            rect, manager, "Save as level", object_id="#level_writer", draggable=True
        )
        self._add(self.window)
        box = self.window
        self.entries: dict[UITextEntryLine, str] = {}
        y = pad

        def label(text: str) -> None:
            self._label(box, (pad, y, label_w, row), text, "@label")

        def entry(name: str, text: str, tip: str) -> UITextEntryLine:
            e = UITextEntryLine(
                pygame.Rect(pad + label_w + s(8), y, field_w, row),
                manager,
                container=box,
                object_id=ObjectID(object_id=f"#lw_{name}"),
            )
            e.set_text(text)
            e.set_tooltip(tip, delay=self.tooltip_delay, wrap_width=s(self.tip_width))
            self._add(e)
            self.entries[e] = name
            return e

        def dropdown(name: str, options, current: str, tip: str) -> None:
            act = lambda v, n=name: G.SetLevelChoice(n, v)  # noqa: E731
            self._dropdown(
                box, (pad + label_w + s(8), y, field_w, row), list(options), current, tip, act
            )

        label("Title")
        self.title = entry(
            "title", choices.title, "The level's name in the menu (a file name is made from it)."
        )
        y += row + gap
        label("Goal")
        picks = [(g.name, g.name) for g in GOAL_PICKS] + [(OWN_GOAL, OWN_GOAL)]
        current = next((g.name for g in GOAL_PICKS if g.check == choices.goal_check), OWN_GOAL)
        dropdown(
            "goal",
            picks,
            current,
            "Pick what the player must reach; it is written in "
            "the goal language below, where you can change the numbers.",
        )
        y += row + gap
        label("Check")
        self.check = entry(
            "goal_check",
            choices.goal_check,
            "The goal in the goal language "
            "(levels/README.md lists every word), e.g. train_accuracy >= 0.9 "
            "and neurons <= 4.",
        )
        y += row + gap
        label("Goal in words")
        self.words = entry("goal_text", choices.goal_text, "The goal as the player reads it.")
        y += row + gap
        label("Points")
        options = [(p, p) for p in POINT_PICKS if dataset or p != "the data set"]
        dropdown(
            "points",
            options,
            choices.points,
            "Write these points into the file, or "
            "the data set's name and seed (its points are made when the level opens).",
        )
        y += row + gap
        label("Start with")
        dropdown(
            "keep_weights",
            WEIGHT_PICKS,
            "these" if choices.keep_weights else "fresh",
            "Start the level with the network as it is now, or with fresh weights.",
        )
        y += row + gap
        label("Player may use")
        dropdown(
            "controls",
            [(k, k) for k in (*CONTROL_PICKS, *([AS_THIS_LEVEL] if level else []))],
            choices.controls,
            "Which controls the player can use; 'training only' shows the network's size "
            "greyed out; the others are hidden.",
        )
        y += row + gap
        inner = w - 2 * pad - s(32)
        self.status = UITextBox(
            status,
            pygame.Rect(pad, y, inner, status_h),
            manager,
            container=box,
            object_id=ObjectID(class_id="@story"),
        )
        self._add(self.status)
        self._status_text = status
        y += status_h + s(12)
        bw = s(150)
        self.buttons = {}
        self.buttons["save"] = self._button(
            box,
            (pad + inner - bw, y, bw, s(40)),
            "Save level",
            "Write the level file into the Level files folder (the menu lists it: Your levels).",
            G.WriteLevel,
            "@button",
            "#lw_save",
        )
        self.buttons["cancel"] = self._button(
            box,
            (pad + inner - 2 * bw - s(10), y, bw, s(40)),
            "Cancel",
            "Close without writing. Esc.",
            G.CloseLevelWriter,
            "@button",
            "#lw_cancel",
        )

    def handle_event(self, event: pygame.event.Event) -> list[A.Action]:
        if event.type == pygame_gui.UI_TEXT_ENTRY_CHANGED and event.ui_element in self.entries:
            return [G.SetLevelChoice(self.entries[event.ui_element], event.ui_element.get_text())]
        if event.type == pygame_gui.UI_WINDOW_CLOSE and event.ui_element is self.window:
            return [G.CloseLevelWriter()]
        return widget_actions(event, self._press, self._slide, self._select)

    def show(self, choices: LevelChoices, status: str) -> None:
        """The picks and the loader's message as they are now (changed in place)."""
        for e, text in ((self.check, choices.goal_check), (self.words, choices.goal_text)):
            if e.get_text() != text:
                e.set_text(text)
        if status != self._status_text:
            self.status.set_text(status)
            self._status_text = status
