"""The level screen's pygame-gui elements: the level panel (title, goals with live ticks, stars,
Check, hints), the panel of the controls the level shows, the view toolbar and the readout
strip; the story and success cards come from sandbox.ui.level_cards, the quiz and the trials
(prediction, race, seeds) from sandbox.ui.level_trials.

`LevelPanels` extends the sandbox's panels (same panel base, same row builder, same readout strip,
same action routing) but builds only what the level allows (sandbox.ui.level_plan decides): a
hidden control is absent, a locked one is drawn disabled with a padlock and a tooltip saying why.
It reads the state and the scene's `LevelStatus` and emits actions; it never changes either.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import pygame
import pygame_gui
from pygame_gui.core import ObjectID
from pygame_gui.core.ui_element import UIElement
from pygame_gui.elements import UIButton, UIImage, UILabel, UIPanel, UIScrollingContainer

from sandbox import actions as A
from sandbox import game_actions as G
from sandbox.state import AppState
from sandbox.ui import glyphs
from sandbox.ui.game_theme import ensure_theme
from sandbox.ui.layout import LAYER_LABEL_WIDTH
from sandbox.ui.level_cards import LevelCards
from sandbox.ui.level_plan import (
    LOCKED,
    LevelStatus,
    locked_tip,
    plan_controls,
    rule_text,
    stage_rect,
    story_html,
    toolbar_items,
)
from sandbox.ui.level_trials import LevelTrialsPanel
from sandbox.ui.panels import VIEW_TIPS, SandboxPanels
from sandbox.ui.rows import ButtonSpec, Row
from sandbox.ui.theme import CLASS_NAMES
from sandbox.vocab import MAX_WIDTH, VIEW_KEYS, Optimizer, Task, View

HOLD_DELAY = 0.45  # seconds a +/- button is held before it repeats
HOLD_FAST = 2.0  # seconds held before it counts in HOLD_FAST_STEP
HOLD_FAST_STEP = 5


class LockedButton(UIButton):
    """A disabled button that still shows its tooltip (pygame-gui hides tips of disabled ones)."""

    def can_hover(self) -> bool:
        return self.alive()

    def on_hovered(self) -> None:
        UIElement.on_hovered(self)

    def on_unhovered(self) -> None:
        UIElement.on_unhovered(self)


class LevelPanels(LevelCards, LevelTrialsPanel, SandboxPanels):
    """Every pygame-gui element of a level screen; see the module docstring."""

    def __init__(
        self,
        manager: pygame_gui.UIManager,
        state: AppState,
        status: LevelStatus,
        heights: dict | None = None,
    ) -> None:
        self.status = status
        self._ticks: list[tuple[UIImage, int]] = []
        self._stars: UIImage | None = None
        self._stars_key: tuple = ()
        self._dyn: list[tuple[UILabel, Callable[[AppState], str]]] = []
        self._laplace_button: UIButton | None = None
        self._hold: dict[UIButton, tuple[Callable[[int], A.Action | None], float]] = {}
        self._held_since: dict[UIButton, float] = {}
        self.card_panel: UIPanel | None = None
        self.card_buttons: dict[str, UIButton] = {}
        self.named: dict[str, UIButton] = {}
        super().__init__(manager, state, heights)

    # ------------------------------------------------------------------ structure
    def _structure_key(self, state: AppState) -> tuple:
        st = self.status
        first = state.settings.hidden[0] if state.settings.hidden else 0
        return (*super()._structure_key(state), st.version, first, st.inspector, st.card, st.page)

    def clear(self) -> None:
        super().clear()
        self._ticks = []
        self._stars = None
        self._stars_key = ()
        self._dyn = []
        self._laplace_button = None
        self._hold = {}
        self._held_since = {}
        self.card_panel = None
        self.card_buttons = {}
        self.named = {}

    def build(self, state: AppState) -> None:
        # A +/- button held down survives the rebuild its own clicks cause (the width changed):
        # its successor is held too, so holding keeps repeating.
        held = {
            key: (self._held_since.get(b), self._hold[b][1])
            for key, b in self.named.items()
            if b in self._hold and b.held
        }
        # a side scrolls when it was taller than this room before (see SandboxPanels): built once
        self.scale = state.scale
        rooms = {
            "left": state.layout.left[3] - self.s(54) - self.s(8),
            "right": state.layout.right[3],
        }
        known = {side: self.heights.get(self._height_key(state, side), 0) for side in rooms}
        self._build(state, frozenset(side for side in rooms if known[side] > rooms[side]))
        for key, (since, last) in held.items():
            b = self.named.get(key)
            if b in self._hold:
                b.held = True
                b._set_active()  # noqa: SLF001 - drawn pressed, as pygame-gui does on a press
                self._hold[b] = (self._hold[b][0], last)
                if since is not None:
                    self._held_since[b] = since

    def _build(self, state: AppState, scroll: frozenset[str] = frozenset()) -> None:
        self.clear()
        self._scroll = set(scroll)
        self.scale = state.scale
        self._key = self._structure_key(state)
        ensure_theme(self.manager, self.scale)
        layout = state.layout
        self.visible = layout.left[2] > 0 and state.show_ui
        if self.visible:
            if self._build_level_panel(state) and "left" not in scroll:
                # its words and buttons are taller than the window: again, in a scrolling box
                self._build(state, frozenset({"left", *scroll}))
                return
            if layout.right[2] > 0:
                bottom = self._build_controls(state)
                if "right" not in scroll:
                    self.heights[self._height_key(state, "right")] = bottom
                if bottom > layout.right[3] and "right" not in scroll:
                    # taller than the window: built again inside a scrolling box
                    self._build(state, frozenset({"right", *scroll}))
                    return
            if stage_rect(layout)[1] > 0:
                self._build_level_toolbar(state)
            if layout.bottom[2] > 0:
                self._build_bottom(state)
        if self.status.card == "story":
            self._build_story_card(state)
        elif self.status.card == "success":
            self._build_success_card(state)
        if self.card_panel is not None:
            self._mute_tips_behind(self.card_panel)
        self.sync(state, force=True)

    def _mute_tips_behind(self, card: UIPanel) -> None:
        """A card is modal: the elements behind it show no tooltips while it is open (a tip of a
        button beside the card would cover the card's words)."""
        inside = card.get_container()
        for el in self.elements:
            if el is card or el.ui_container is inside:
                continue
            for part in (el, getattr(el, "sliding_button", None)):
                if getattr(part, "tool_tip", None) is not None:
                    part.tool_tip.kill()
                    part.tool_tip = None
                if getattr(part, "tool_tip_text", None):
                    part.set_tooltip(None)

    def _locked_button(self, container, rect, text, control) -> UIButton:
        button = LockedButton(
            pygame.Rect(rect),
            text,
            manager=self.manager,
            container=container,
            object_id=ObjectID(class_id="@locked"),
        )
        button.disable()
        button.set_tooltip(locked_tip(control), delay=self.tooltip_delay, wrap_width=self.s(300))
        self.elements.append(button)
        self.controls.append(button)
        return button

    def _control_button(self, container, rect, text, tip, act, control, cls="@button", key=None):
        """A button for `control`: working when shown, disabled with a padlock when locked."""
        if self.status.control(control) == LOCKED:
            button = self._locked_button(container, rect, text, control)
        else:
            button = self._button(container, rect, text, tip, act, cls=cls)
        if key:
            self.named[key] = button
        return button

    def _icon_button(self, container, rect, text, tip, act, icon_name, cls, key) -> UIButton:
        """A button with an icon left of its words, the two centred together: the icon alone
        when the words do not fit (the tooltip still says them), the words alone without an
        icon name."""
        x, y, w, h = rect
        size, gap = self.s(18), self.s(6)
        if icon_name is None:
            button = self._button(container, rect, text, tip, act, cls=cls)
            self.named[key] = button
            return button
        text_w = self.text_width(text, cls) if text else 0
        group = size + gap + text_w
        if text and group + self.s(8) > w:
            text, text_w, group = "", 0, size
        space = max(1, self.text_width(" ", cls))
        label = " " * round((size + gap) / space) + text if text else ""
        button = self._button(container, rect, label, tip, act, cls=cls)
        left = x + (w - group) // 2
        self._decal(container, (left, y + (h - size) // 2, size, size),
                    glyphs.icon(icon_name, size))  # fmt: skip
        self.named[key] = button
        return button

    # ------------------------------------------------------------------ the level panel
    def _build_level_panel(self, state: AppState) -> bool:
        """The level panel: goals, stars, quiz, hints and the bottom row (story, restart,
        menu). Returns whether what is above the bottom row is taller than the room it has;
        built with "left" in `_scroll`, that part scrolls in a box of its own."""
        st = self.status
        level = st.level
        x, y0, w, h = state.layout.left
        outer = self._panel((x, y0, w, h), "#level_panel")
        s = self.s
        pad = s(16)
        inner = full = w - 2 * pad
        bottom_row = h - s(54)
        panel = outer
        scrolls = "left" in self._scroll
        if scrolls:
            bar = 20  # pygame-gui's scroll bar width
            panel = self._add(
                UIScrollingContainer(
                    pygame.Rect(0, 0, w - 4, bottom_row - s(8)),
                    manager=self.manager,
                    container=outer,
                    allow_scroll_x=False,
                )
            )
            inner -= bar
        y = s(12)
        self._label(panel, (pad, y, inner, s(20)), f"LEVEL {st.number} OF {st.total}", "@section")
        y += s(24)
        title = self._text(panel, (pad, y, inner, -1), f"<b>{level.title}</b>", "@level_title")
        y += title.rect.height + s(12)
        y = self._build_trials(panel, state, pad, y, inner, "predict")  # the guess comes first
        self._label(panel, (pad, y, inner, s(20)), "GOALS", "@section")
        y += s(26)
        tick = s(24)
        for i, goal in enumerate(level.goals):
            box = self._text(panel, (pad + tick + s(10), y, inner - tick - s(10), -1),
                             story_html(goal.text), "@goal_text")  # fmt: skip
            img = self._image(panel, (pad, y + s(1), tick, tick), glyphs.tick(tick, False))
            self._ticks.append((img, i))
            y += max(box.rect.height, tick) + s(10)
        for i in range(len(level.readouts)):  # live numbers the goals talk about
            self._label(panel, (pad, y, inner, s(24)), "", "@readout", key=f"readout_{i}")
            y += s(28)
        y = self._build_trials(panel, state, pad, y + s(4), inner, "runs")  # race, seeds
        # stars: what the current state earns once the goal is met, and the best so far
        y += s(2)
        self._stars = self._image(panel, (pad, y, s(3 * 28 + 8), s(28)), glyphs.star_row(s(28), 0))
        self._label(panel, (pad + s(104), y + s(2), inner - s(104), s(24)), "", "@hint",
                    key="stars_text")  # fmt: skip
        y += s(38)
        rules = self._star_rules()
        if rules:
            box = self._text(panel, (pad, y, inner, -1), rules, "@note")
            y += box.rect.height + s(10)
        if level.quiz is not None:
            y = self._build_quiz(panel, state, pad, y, inner)
        if st.explicit_check:
            self._icon_button(
                panel,
                (pad, y, inner, s(48)),
                "Check",
                "Am I done? Checks every goal now. Checking too early counts as a try.",
                G.CheckGoals,
                "check",
                "@card_primary",
                "check",
            )
            y += s(58)
        if st.message:
            box = self._text(panel, (pad, y, inner, -1), st.message, "@goal_text")
            y += box.rect.height + s(8)
        if not scrolls:  # (in a scrolling box it is narrower: taller)
            self.heights[self._height_key(state, "left")] = y
        over = y > bottom_row - s(8)  # goals, stars and quiz need more room than there is
        room = 1 << 20 if scrolls else bottom_row  # a scrolling box has room for every hint
        for text in reversed(st.hints[-2:]):
            if y > room - s(60):
                break
            box = self._text(panel, (pad, y, inner, -1), "<b>Hint:</b> " + story_html(text),
                             "@hint_box")  # fmt: skip
            if box.relative_rect.bottom > room - s(6):
                box.kill()
                break
            y += box.rect.height + s(8)
        for note in st.notes:
            if y > room - s(30):
                break
            box = self._text(panel, (pad, y, inner, -1), note, "@note")
            y += box.rect.height + s(4)
        if scrolls:
            panel.set_scrollable_area_dimensions((w - 4 - bar, y + s(8)))
        # the bottom row: story, restart, menu, each as wide as its icon and words need
        gap = s(8)
        items = (
            ("story", "Story", "Read the level's story again.", G.ShowStory, "story"),
            ("restart", "Restart", "Start this level again from the beginning.",
             G.RestartLevel, "restart"),
            ("menu", "Menu", "Back to the level menu. Key Esc.", G.OpenMenu, "menu"),
        )  # fmt: skip
        # icons and words where both fit, else the words alone, else the icons alone
        words = [self.text_width(item[1], "@button") for item in items]
        icon = True
        needs = [s(18 + 6 + 8) + tw for tw in words]
        if sum(needs) + 2 * gap > full:
            icon, needs = False, [s(12) + tw for tw in words]
        if sum(needs) + 2 * gap > full:
            icon, needs = True, [0, 0, 0]
        spare = (full - 2 * gap - sum(needs)) // 3
        x = pad
        for need, (key, text, tip, act, icon_name) in zip(needs, items, strict=True):
            self._icon_button(outer, (x, bottom_row, need + spare, s(40)), text, tip, act,
                              icon_name if icon else None, "@button", key)  # fmt: skip
            x += need + spare + gap
        return over

    def _star_rules(self) -> str:
        level = self.status.level
        parts = []
        quiz = level.quiz is not None
        for n, rule, words in ((2, level.two_stars, level.two_stars_text),
                               (3, level.three_stars, level.three_stars_text)):  # fmt: skip
            if rule is not None:
                words = story_html(words) or rule_text(rule.source, level.markers, quiz)
                parts.append(f"{n} stars: {words}")
        return "<br>".join(parts)

    # ------------------------------------------------------------------ the controls panel
    def _build_controls(self, state: AppState) -> int:
        """The controls panel (a scrolling box inside it when it is taller than the window);
        returns the bottom of its last row."""
        panel, w = self._side_panel(state.layout.right, "#controls_panel", "right")
        rows = plan_controls(self.status, state)
        bottom = self._build_rows(panel, rows, state, self.s(10), w)
        self._controls_bottom = self._end_side_panel(panel, w, bottom)
        return bottom

    def _row_button(self, container, rect: tuple, b: ButtonSpec) -> UIButton:
        control = b.control or b.key
        button = self._control_button(container, rect, b.text, b.tip, b.act, control, b.cls,
                                      key=b.key)  # fmt: skip
        if b.key == "play" and self.status.control(control) != LOCKED:
            self._toggles["play"] = button
        return button

    def _after_slider(self, panel, row: Row, y: int, w: int, pad: int) -> None:
        if self.status.control(row.control) == LOCKED:
            self._lock_last_slider(panel, row.control, y, w, pad)

    def _build_special(self, panel, state, row: Row, y: int, w: int, pad: int) -> int:
        s = self.s
        inner = w - 2 * pad
        a = row.args
        locked = self.status.control(row.control) == LOCKED
        k = row.kind
        if k == "layer":
            self._build_layer_row(panel, state, a["layer"], y, pad, inner)
        elif k == "optimizer":
            self._dropdown(
                panel,
                (pad, y, inner, s(32)),
                [("Adam", "adam"), ("SGD", "sgd")],
                state.settings.optimizer
                if state.settings.optimizer in tuple(Optimizer)
                else "adam",
                "How the weights are updated: Adam adapts its step size per weight; SGD is the "
                "classic.",
                lambda v: A.SetOptimizer(v),
            )
        elif k == "activation":
            current = str(state.settings.activation.value)
            self._setting_dropdown(panel, (pad, y, inner, s(32)), "activation", current,
                                   A.SetActivation)  # fmt: skip
        elif k == "neuron_select":
            self._build_neuron_select(panel, a["n"], y, pad, inner)
        elif k == "inspector":
            self._build_inspector_row(panel, a, y, pad, inner, locked)
        elif k == "swatches":
            n = max(2, min(a["n"], len(CLASS_NAMES)))
            gap = s(6)
            size = min(s(48), (inner - gap * (n - 1)) // n)
            for c in range(n):
                if locked:
                    self._locked_button(panel, (pad + c * (size + gap), y, size, s(34)),
                                        str(c + 1), "paint")  # fmt: skip
                    continue
                btn = self._button(panel, (pad + c * (size + gap), y, size, s(34)), str(c + 1),
                                   f"Paint class {c + 1} ({CLASS_NAMES[c]}). Key {c + 1}.",
                                   lambda c=c: A.SelectClass(c), cls="@swatch",
                                   oid=f"#swatch_{c}")  # fmt: skip
                self._swatches.append(btn)
        elif k == "erase":
            self._label(panel, (pad, y, inner, s(24)), "Right drag erases points", "@hint")
        elif k == "presets":
            options = [(n, n) for n, _, t in state.presets if t == state.task.value] or [
                (state.preset, state.preset)
            ]
            if locked:
                self._locked_button(panel, (pad, y, inner, s(32)), state.preset, "presets")
            else:
                self._dropdown(panel, (pad, y, inner, s(32)), options, state.preset,
                               "Replace the points by a ready-made data set.",
                               lambda name: A.LoadPreset(name))  # fmt: skip
        elif k == "laplace":
            on = self.status.laplace_on
            b = self._control_button(
                panel,
                (pad, y, inner, s(34)),
                "Laplace: on" if on else "Laplace: off",
                "Show how sure the network is with a bit of Bayes (last-layer Laplace). Key L.",
                lambda: G.SetLaplace(not self.status.laplace_on),
                "laplace",
                "@toggle",
                key="laplace",
            )
            if not locked:
                self._laplace_button = b
        elif k == "optimize_prior":
            self._control_button(panel, (pad, y, inner, s(34)), "Optimise prior",
                                 "Pick the prior precision the data supports best (maximum "
                                 "evidence).", A.OptimizePrior, "optimize_prior",
                                 key="optimize_prior")  # fmt: skip
        elif k == "note":
            self._text(panel, (pad, y, inner, -1), a["text"], "@note")
        else:
            return super()._build_special(panel, state, row, y, w, pad)
        return y + s(row.height)

    def _lock_last_slider(self, panel, control: str, y: int, w: int, pad: int) -> None:
        sl = self._sliders.pop()
        sl.widget.disable()
        self._slide.pop(sl.widget, None)
        size = self.s(18)
        x = w - pad - self.s(76) - size - self.s(6)
        self._image(panel, (x, y + self.s(3), size, size), glyphs.padlock(size),
                    tip=locked_tip(control))  # fmt: skip
        sl.value_label.set_tooltip(locked_tip(control), delay=self.tooltip_delay)
        self._sliders.append(sl)

    def _build_layer_row(self, panel, state: AppState, i: int, y: int, pad: int, inner: int):
        s = self.s
        hidden = state.settings.hidden
        bw = s(40)
        value_w = s(52) if inner >= s(230) else s(36)  # a scrolling panel is narrower
        x_minus = pad + inner - 2 * bw - value_w - s(8)
        self._label(panel, (pad, y, min(s(84), x_minus - pad - s(2)), s(28)), f"Layer {i + 1}")
        tip = (f"Neurons in hidden layer {i + 1}: each adds one crease. Hold a button: it "
               "repeats, and after two seconds it counts in fives.")  # fmt: skip

        def width(delta: int, i=i) -> A.Action | None:
            h = self.status_hidden()
            if i >= len(h):
                return None
            return A.SetWidth(i, max(1, min(MAX_WIDTH, h[i] + delta)))

        control = "neurons"
        if self.status.present("neurons"):
            minus = self._control_button(panel, (x_minus, y, bw, s(30)), "-", tip,
                                         lambda: width(-1), control)  # fmt: skip
            plus = self._control_button(panel, (x_minus + bw + value_w + s(8), y, bw, s(30)), "+",
                                        tip, lambda: width(1), control)  # fmt: skip
            if self.status.control(control) != LOCKED:
                self._hold[minus] = (lambda n: width(-n), 0.0)
                self._hold[plus] = (lambda n: width(n), 0.0)
                self.named[f"minus_{i}"] = minus
                self.named[f"plus_{i}"] = plus
        value = self._label(panel, (x_minus + bw + s(4), y, value_w, s(28)), str(hidden[i]),
                            "@value")  # fmt: skip
        value.set_tooltip(tip, delay=self.tooltip_delay, wrap_width=self.s(300))
        self._dyn.append(
            (
                value,
                lambda st, i=i: str(st.settings.hidden[i]) if i < len(st.settings.hidden) else "",
            )
        )

    def status_hidden(self) -> list[int]:
        return list(self._state_ref.settings.hidden) if self._state_ref is not None else []

    def _build_neuron_select(self, panel, n: int, y: int, pad: int, inner: int) -> None:
        s = self.s
        bw = s(34)
        tip = "Which neuron of layer 1 the sliders below move."
        self._button(panel, (pad, y, bw, s(30)), "<", tip,
                     lambda: G.SelectNeuron((self.status.neuron - 1) % n))  # fmt: skip
        label = self._label(panel, (pad + bw + s(6), y, inner - 2 * bw - s(12), s(28)), "")
        self._dyn.append((label, lambda st: f"Neuron {self.status.neuron + 1} of {n}"))
        self._button(panel, (pad + inner - bw, y, bw, s(30)), ">", tip,
                     lambda: G.SelectNeuron((self.status.neuron + 1) % n))  # fmt: skip

    def _build_inspector_row(self, panel, a: dict, y: int, pad: int, inner: int, locked: bool):
        s = self.s
        layer, neuron, what = a["layer"], a["neuron"], a["what"]
        name = f"L{layer} #{neuron + 1}"
        name_w = max(s(64), self.text_width(name, "@readout", "label") + s(6))
        button_w = max(s(72), self.text_width("Prune", "@button") + s(16))
        what_w = inner - name_w - button_w - s(12)
        if self.text_width(what, "@hint", "label") > what_w - s(4):
            what = what.split(": ")[-1]  # "never on: dead" -> "dead"
        self._label(panel, (pad, y, name_w, s(26)), name, "@readout")
        self._label(panel, (pad + name_w + s(6), y, what_w, s(26)), what, "@hint")
        rect = (pad + inner - button_w, y, button_w, s(28))
        tip = (
            "Remove this neuron. A dead one never mattered; a copycat's work goes to its twin, "
            "so nothing the network computes changes."
        )
        if locked:
            self._locked_button(panel, rect, "Prune", "inspector")
        else:
            b = self._button(panel, rect, "Prune", tip, lambda: G.PruneNeuron(layer, neuron))
            self.named[f"prune_{layer}_{neuron}"] = b

    # ------------------------------------------------------------------ the view toolbar
    def _build_level_toolbar(self, state: AppState) -> None:
        px, py, pw, ph = stage_rect(state.layout)
        panel = self._panel((px, 0, pw, py), "#toolbar")
        pad = self.s(5)
        h = self.s(34)
        x = pad
        y = (self.s(46) - h) // 2
        for name, label, width in toolbar_items(self.status):
            if name == "layer":
                y, x = self._build_layer_group(panel, x, y, h, pad, pw)
                continue
            width = self.s(width)
            if x + width > pw - pad:
                x = pad
                y += self.s(46)
            control = "layer_selector" if name == "layer" else "views"
            if name in View._value2member_map_:
                view = View(name)
                key = VIEW_KEYS.get(view)
                tip = VIEW_TIPS.get(view, label) + (f" Key {key}." if key else "")
                act: Callable[[], A.Action] = lambda n=name: A.ToggleView(n)  # noqa: E731
                toggle_key: View | str = view
            else:
                tip = "Hard class colours instead of confidence shading. Key D."
                act = A.ToggleDiscretise
                toggle_key = name
            if self.status.control(control) == LOCKED:
                self._locked_button(panel, (x, y, width, h), label, control)
            else:
                self._toggles[toggle_key] = self._button(panel, (x, y, width, h), label, tip, act,
                                                         "@toggle")  # fmt: skip
            x += width + pad

    def _build_layer_group(self, panel, x, y, h, pad, pw) -> tuple[int, int]:
        width = self.s(28)
        mid = self.s(LAYER_LABEL_WIDTH)
        if x + width * 2 + mid + pad * 2 > pw - pad:
            x = pad
            y += self.s(46)
        tip = (
            "Which creases and regions to show: those made by layers 1..l only, or the joint "
            "picture of the whole network. Keys [ and ]."
        )
        if self.status.control("layer_selector") == LOCKED:
            self._locked_button(panel, (x, y, width * 2 + mid + 2 * pad, h), "Joint",
                                "layer_selector")  # fmt: skip
            return y, x + width * 2 + mid + 3 * pad
        self._button(panel, (x, y, width, h), "<", tip, lambda: A.CycleLayerView(-1))
        x += width + pad
        self._toggles["layer"] = self._button(panel, (x, y, mid, h), "Joint", tip,
                                              lambda: A.CycleLayerView(1), "@toggle")  # fmt: skip
        x += mid + pad
        self._button(panel, (x, y, width, h), ">", tip, lambda: A.CycleLayerView(1))
        return y, x + width + pad

    # ------------------------------------------------------------------ readouts
    def _build_bottom(self, state: AppState) -> None:
        """Step, loss and accuracy with the loss chart: what a level's goals talk about."""
        x, y0, w, h = state.layout.bottom
        panel = self._panel((x, y0, w, h), "#bottom_panel")
        s = self.s
        pad = s(12)
        col = max(s(290), int(w * 0.5))
        line = max(s(26), math.ceil(16 * self.scale * 1.65))
        y = s(8)
        self._label(panel, (pad, y, col, s(28)), "", "@big_readout", key="step")
        y += s(32)
        keys = ("loss", "accuracy") if state.task is Task.CLASSIFICATION else ("loss",)
        for key in keys:
            self._label(panel, (pad, y, col, line), "", "@readout", key=key)
            y += line
        chart_w = w - col - 3 * pad
        if chart_w > s(200):  # narrower, its labels would not fit
            surf = pygame.Surface((chart_w, h - 2 * s(8)), pygame.SRCALPHA)
            self._chart = UIImage(
                pygame.Rect(col + 2 * pad, s(8), chart_w, h - 2 * s(8)),
                surf,
                manager=self.manager,
                container=panel,
            )
            self.elements.append(self._chart)
            self._tip(self._chart, "Loss against training steps: lower is better.")

    # ------------------------------------------------------------------ cards

    def sync(self, state: AppState, force: bool = False) -> None:
        self._state_ref = state
        super().sync(state, force)
        st = self.status
        for img, i in self._ticks:
            done = i < len(st.goals) and st.goals[i]
            if getattr(img, "_done", None) != done:
                img._done = done
                img.set_image(glyphs.tick(img.rect.width, done))
        if self._stars is not None:
            key = (st.met, st.stars, st.best, st.won)
            if key != self._stars_key:
                self._stars_key = key
                shown = st.stars if st.met else st.best
                self._stars.set_image(glyphs.star_row(self._stars.rect.height, shown))
                if st.met and st.explicit_check and not st.won:
                    texts = ("all goals met: press Check!", "press Check!")
                elif st.met:
                    now = f"{st.stars} of 3 stars now"
                    best = f" · best {st.best}" if st.best else ""
                    texts = (now + best, now, f"{st.stars} of 3")
                elif st.best:
                    texts = (f"best so far: {st.best} of 3", f"best: {st.best} of 3", "")
                else:
                    texts = ("win to earn stars", "win to earn", "to win")
                self._set_label_fit("stars_text", *texts)  # a narrow panel gets fewer words
        for i, text in enumerate(st.readouts):  # narrower: no brackets, then no "far star, "
            self._set_label_fit(f"readout_{i}", text, (t := text.split(" (")[0]), t.split(", ")[-1])
        for label, text in self._dyn:
            t = text(state)
            if label.text != t:
                label.set_text(t)
        if self._laplace_button is not None:
            on = st.laplace_on
            text = "Laplace: on" if on else "Laplace: off"
            if self._laplace_button.text != text:
                self._laplace_button.set_text(text)
            if on and not self._laplace_button.is_selected:
                self._laplace_button.select()
            elif not on and self._laplace_button.is_selected:
                self._laplace_button.unselect()

    _state_ref: AppState | None = None

    def poll(self, now: float) -> list[A.Action]:
        """Actions of +/- buttons held down (`now` in seconds): after a short pause they repeat,
        faster, and after HOLD_FAST seconds they count in fives (100 neurons in a few seconds)."""
        out: list[A.Action] = []
        for button, (act, _) in self._hold.items():
            if not button.held:
                self._held_since.pop(button, None)
                continue
            since = self._held_since.setdefault(button, now)
            held = now - since
            if held < HOLD_DELAY:
                continue
            last = self._hold[button][1]
            fast = held >= HOLD_FAST
            interval = 0.08 if fast else 0.12
            if now - last >= interval:
                self._hold[button] = (act, now)
                action = act(HOLD_FAST_STEP if fast else 1)
                if action is not None:
                    out.append(action)
        return out
