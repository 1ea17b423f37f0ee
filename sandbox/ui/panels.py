"""The sandbox's pygame-gui panels: data and brush (left), network and training (right), the view
toolbar (above the plane; its buttons are sandbox.ui.view_toolbar's) and the readout strip with
the loss chart (below it).

Panels read the state and emit actions; they never change the state. `handle_event` turns
pygame-gui widget events into actions, `sync` makes the widgets show what the state says (a key
press may have changed a setting the panel shows). Every control carries a tooltip in plain
words. Layout geometry is multiplied by the UI scale; a structural change (number of layers,
task, a setting shown by a drop-down) rebuilds the panels, which takes a few milliseconds.
"""

from __future__ import annotations

import math
from functools import partial

import pygame
import pygame_gui
from pygame_gui.elements import UIButton, UIImage, UIPanel, UIScrollingContainer

from sandbox import actions as A
from sandbox.data.datasets import picture_source, short_name
from sandbox.settings import setting
from sandbox.state import AppState
from sandbox.ui import stat_charts
from sandbox.ui.base import LABEL_FONT_PX, Container, select_if
from sandbox.ui.dialogs import FileButtons
from sandbox.ui.layout import COMPACT_LAYERS, panels_visible
from sandbox.ui.numbers import compact_count, loss_text, percent_text, plain_number
from sandbox.ui.rows import (
    ButtonSpec,
    RowPanel,
    SliderSpec,
    SliderWidget,
    buttons_row,
    hint_row,
    section_row,
    setting_row,
)
from sandbox.ui.theme import CLASS_NAMES
from sandbox.ui.view_toolbar import TOOL_TIPS, build_view_toolbar, toggle_on
from sandbox.ui.view_toolbar import VIEW_TIPS as VIEW_TIPS  # level panels import it from here
from sandbox.vocab import (
    MAX_CLASSES,
    MAX_WIDTH_UI,
    MIN_WIDTH,
    PER_PIXEL_MAX_WIDTH,
    SCHEDULE_STEP_STOPS,
    UI_SCALES,
    Optimizer,
    Schedule,
    Task,
    View,
)


def _short_steps(n: int) -> str:
    """10000 -> "10k", 1000000 -> "1M", 2500 -> "2.5k": a dropdown label that fits."""
    for size, unit in ((1_000_000, "M"), (1000, "k")):
        if n >= size:
            return f"{n / size:g}{unit}"
    return str(n)


class SandboxPanels(RowPanel):
    """All pygame-gui elements of the sandbox screen."""

    def __init__(
        self, manager: pygame_gui.UIManager, state: AppState, heights: dict | None = None
    ) -> None:
        super().__init__(manager, state.scale)
        self._toggles: dict[View | str, UIButton] = {}
        self._swatches: list[UIButton] = []
        self._chart: UIImage | None = None
        self._chart_key: tuple = ()
        self._chart_time = -1.0
        self._scroll: set[str] = set()
        # a side's height without scrolling (_height_key), handed on to the panels built after
        # these for a new scale or screen (a side measured taller than the window is built
        # once, scrolling, not first plain and then again: a presenter-mode toggle or resize)
        self.heights: dict[tuple, int] = {} if heights is None else heights
        self._tab = "right"  # the compact layout's side panel on show: "left" or "right"
        self._file: FileButtons | None = None
        self.build(state)

    # ------------------------------------------------------------------ building
    def _structure_key(self, state: AppState) -> tuple:
        return (
            state.layout.window,
            state.layout.plane,
            len(state.settings.hidden),
            state.settings.task,
            state.settings.optimizer,
            state.settings.activation,
            state.settings.residual,
            state.settings.schedule,
            state.settings.schedule_steps,
            state.preset,
            state.scale,
            state.n_classes,
            tuple(name for name, _, _ in state.presets),
            self._tab if state.layout.tabs[2] > 0 else "",
        )

    def build(self, state: AppState) -> None:
        self.clear()
        self.scale = state.scale
        self._key = self._structure_key(state)
        self.visible = panels_visible(state.layout) and state.show_ui
        if not self.visible:
            return
        # a side panel taller than the window scrolls (its widgets make room for the bar); in
        # the compact layout only the side panel of the chosen tab is built
        builders = {"left": self._build_left, "right": self._build_right}
        sides = [self._tab] if state.layout.tabs[2] > 0 else ["left", "right"]
        room = {side: getattr(state.layout, side)[3] for side in sides}
        # whether a side scrolls needs its height, known once it was built at this width with
        # these settings: a resize then builds each side once, not twice
        known = {side: self.heights.get(self._height_key(state, side)) for side in sides}
        self._scroll = {side for side in sides if (known[side] or 0) > room[side]}
        tall = {}
        for side in sides:
            height = builders[side](state)
            if side not in self._scroll:
                self.heights[self._height_key(state, side)] = height
                tall[side] = height > room[side]
        if any(tall.values()):  # not known before, or not what it was
            self.clear()
            self._scroll |= {side for side, over in tall.items() if over}
            for side in sides:
                builders[side](state)
        if state.layout.tabs[2] > 0:
            self._build_tabs(state)
        self._build_toolbar(state)
        self._build_bottom(state)
        self.sync(state, force=True)

    def _height_key(self, state: AppState, side: str) -> tuple:
        """What a side panel's height depends on: its width and the structure but the window."""
        if len(self.heights) > 64:
            self.heights.clear()
        return (side, getattr(state.layout, side)[2], self._structure_key(state)[2:])

    def clear(self) -> None:
        super().clear()
        self._file = None
        self._toggles.clear()
        self._swatches.clear()
        self._chart = None
        self._chart_key = ()
        self._chart_time = -1.0  # a rebuilt chart is drawn at once

    # ------------------------------------------------------------------ compact: tabs
    def _build_tabs(self, state: AppState) -> None:
        """The compact layout's two tabs above the shared column (see sandbox.ui.layout)."""
        x, y, w, h = state.layout.tabs
        strip = self._panel((x, y, w, h), "#side_tabs")
        pad, gap = self.s(8), self.s(6)
        guide = self.s(34)
        bw = (w - 2 * pad - 2 * gap - guide) // 2
        for i, (side, text, tip) in enumerate(
            (
                ("left", "Data", "The points: paint, presets, noise, the view and files."),
                ("right", "Network", "The network: layers, training and its settings."),
            )
        ):
            button = self._button(strip, (pad + i * (bw + gap), self.s(5), bw, h - self.s(10)),
                                  text, tip, partial(self._show_tab, side), "@toggle",
                                  f"#tab_{side}")  # fmt: skip
            select_if(button, side == self._tab)
        self._guide_button(strip, (w - pad - guide, self.s(5), guide, h - self.s(10)))

    def _guide_button(self, container: Container, rect: tuple) -> UIButton:
        """The "?" that opens the "what am I looking at" card (sandbox.ui.guide)."""
        tip = ("What am I looking at? A small picture and a sentence for each thing on the "
               "screen. Key W.")  # fmt: skip
        return self._button(container, rect, "?", tip, lambda: A.ToggleHelp("guide"),
                            oid="#guide_button")  # fmt: skip

    def _show_tab(self, side: str) -> None:
        """A tab was clicked: the next sync builds that side panel (no action: the state is
        the same, only what the column shows changes)."""
        self._tab = side

    # ------------------------------------------------------------------ left: data
    def _side_panel(
        self, rect: tuple, oid: str, side: str
    ) -> tuple[UIPanel | UIScrollingContainer, int]:
        """A side panel, or a scrolling box inside one when its widgets are taller than the
        window; returns the container to build into and the width the widgets may use."""
        panel = self._panel(rect, oid)
        if side not in self._scroll:
            return panel, rect[2]
        bar = 20  # pygame-gui's scroll bar width
        box = self._add(
            UIScrollingContainer(
                pygame.Rect(0, 0, rect[2] - 4, rect[3] - 4),
                manager=self.manager,
                container=panel,
                allow_scroll_x=False,
            )
        )
        return box, rect[2] - 4 - bar

    def _end_side_panel(self, container: Container, width: int, bottom: int) -> int:
        if isinstance(container, UIScrollingContainer):
            container.set_scrollable_area_dimensions((width, bottom + self.s(10)))
        return bottom

    def _build_left(self, state: AppState) -> int:
        x, y0, _, h = state.layout.left
        panel, w = self._side_panel(state.layout.left, "#left_panel", "left")
        pad = self.s(12)
        inner = w - 2 * pad
        y = self.s(10)
        if state.layout.tabs[2] > 0:  # compact: the "?" sits beside the tabs
            self._label(panel, (pad, y, inner, self.s(30)), "Neural Origami", "@title")
        else:
            self._label(panel, (pad, y, inner - self.s(40), self.s(30)), "Neural Origami",
                        "@title")  # fmt: skip
            self._guide_button(panel, (pad + inner - self.s(34), y, self.s(34), self.s(30)))
        y = self._build_rows(panel, [section_row("PAINT")], state, y + self.s(36), w)
        if state.task is Task.CLASSIFICATION:
            gap = self.s(5)
            size = (inner - gap * (MAX_CLASSES - 1)) // MAX_CLASSES
            for k in range(MAX_CLASSES):
                btn = self._button(
                    panel,
                    (pad + k * (size + gap), y, size, self.s(34)),
                    str(k + 1),
                    f"Paint class {k + 1} ({CLASS_NAMES[k]}). Key {k + 1}.",
                    lambda k=k: A.SelectClass(k),
                    cls="@swatch",
                    oid=f"#swatch_{k}",
                )
                self._swatches.append(btn)
            y += self.s(44)
        rows = [] if state.task is Task.CLASSIFICATION else [setting_row("paint_value")]
        rows += [
            setting_row("brush_radius_px"),
            setting_row("brush_density"),
            buttons_row(
                [
                    ButtonSpec("undo", "Undo", "Take back the last stroke, clear or preset. "
                               "Ctrl+Z.", A.Undo),
                    ButtonSpec("redo", "Redo", "Put back what Undo took. Ctrl+Y.", A.Redo),
                    ButtonSpec("clear", "Clear", "Remove every point (Undo brings them back).",
                               A.ClearPoints, "@danger"),
                ],
                height=40,
            ),
            hint_row("", key="counts"),
            section_row("PRESETS"),
        ]  # fmt: skip
        y = self._build_rows(panel, rows, state, y, w)
        options = [
            (short_name(name), name) for name, _, task in state.presets if task == state.task.value
        ]
        if state.preset not in [name for _, name in options]:
            options.append((short_name(state.preset), state.preset))  # a picture file opened
        tips = "; ".join(f"{n}: {d}" for n, d, t in state.presets if t == state.task.value)
        self._dropdown(
            panel,
            (pad, y, inner - self.s(96), self.s(32)),
            options,
            state.preset,
            "Replace the points by a ready-made dataset. " + tips,
            lambda name: A.LoadPreset(name),
        )
        self._button(
            panel,
            (pad + inner - self.s(90), y, self.s(90), self.s(32)),
            "New seed",
            "Draw the same kind of dataset again with fresh random points.",
            A.NewDataSeed,
        )
        rows = [
            setting_row("noise"),
            *([setting_row("resolution")] if picture_source(state.preset) else []),
            setting_row("test_fraction"),
            section_row("VIEW"),
            buttons_row(
                [
                    ButtonSpec("zoom_far", "Zoom out far", "Jump far out (or back): the network "
                               "keeps predicting far from the data, and a plain network is sure "
                               "of itself there. Key O.", A.ZoomOutFar, short="Zoom out"),
                    ButtonSpec("reset_view", "Reset view", "Back to the data. Key 0 (zero). "
                               "Wheel zooms at the cursor, middle drag or Space+drag pans.",
                               A.ResetView, short="Reset"),
                ]
            ),
        ]  # fmt: skip
        y = self._build_rows(panel, rows, state, y + self.s(42), w)
        self._file = FileButtons(self, panel, y, pad, inner)  # sandbox.ui.dialogs
        y = self._file.bottom
        if y + self.s(90) < h and "left" not in self._scroll:
            for i, text in enumerate(
                ("Left drag paints, right erases", "Wheel: zoom · middle: pan",
                 "Space trains · H: all keys")
            ):  # fmt: skip
                self._label(panel, (pad, h - self.s(84 - 22 * i), inner, self.s(20)), text, "@hint")
        return self._end_side_panel(panel, w, y)

    # ------------------------------------------------------------------ right: network
    def _build_right(self, state: AppState) -> int:
        panel, w = self._side_panel(state.layout.right, "#right_panel", "right")
        pad = self.s(12)
        inner = w - 2 * pad
        y = self._build_rows(panel, [section_row("NETWORK")], state, self.s(12), w)
        res, rw = setting("residual"), self.text_width("Residual", "@button") + self.s(20)
        self._toggles["residual"] = self._button(
            panel,
            (pad + inner - rw, self.s(8), rw, self.s(26)),
            "Residual",
            f"{res.label}: {res.help} Off: each layer replaces its input.",
            lambda: A.SetResidual(not state.settings.residual),
            "@toggle",
        )
        bw = self.s(40)
        self._button(
            panel,
            (pad, y, bw, self.s(32)),
            "-",
            "Remove the last hidden layer (at least one stays).",
            A.RemoveLayer,
        )
        self._button(
            panel,
            (pad + bw + self.s(6), y, bw, self.s(32)),
            "+",
            "Add a hidden layer (up to 8). Deeper networks bend their creases more.",
            A.AddLayer,
        )
        self._label(
            panel,
            (pad + 2 * bw + self.s(14), y + self.s(4), inner - 2 * bw - self.s(14), self.s(24)),
            "",
            "@readout",
            key="layers",
        )
        y += self.s(40)
        n_layers = len(state.settings.hidden)
        compact = n_layers > COMPACT_LAYERS
        for i in range(n_layers):
            spec = SliderSpec(
                f"Layer {i + 1}" if compact else f"Layer {i + 1} neurons",
                f"Neurons in hidden layer {i + 1}. Each neuron adds one crease (a fold) to the "
                "plane.",
                (MIN_WIDTH, MAX_WIDTH_UI),
                # a network from a file or the command line may be wider than the slider
                lambda s, i=i: (
                    min(s.settings.hidden[i], MAX_WIDTH_UI) if i < len(s.settings.hidden) else 1
                ),
                lambda v, i=i: A.SetWidth(i, int(v)),
                lambda s, i=i: str(s.settings.hidden[i]) if i < len(s.settings.hidden) else "",
            )
            y = self._compact_slider(panel, y, w, spec, state) if compact else self._slider_row(
                panel, y, w, spec, state)  # fmt: skip
        if compact:
            y += self.s(6)
        half = (inner - self.s(6)) // 2
        # task, optimizer and activation share a row (the optimizer's words are the shortest)
        free = inner - 2 * self.s(6)
        w_task, w_opt = free * 33 // 100, free * 28 // 100
        self._dropdown(
            panel,
            (pad, y, w_task, self.s(32)),
            [("Classify", Task.CLASSIFICATION.value), ("Picture", Task.REGRESSION.value)],
            state.task.value,
            "What the network learns: to classify coloured points, or to fit a grey picture "
            "(regression) painted with grey values.",
            lambda v: A.SetTask(v),
        )
        self._dropdown(
            panel,
            (pad + w_task + self.s(6), y, w_opt, self.s(32)),
            [("Adam", "adam"), ("SGD", "sgd")],
            state.settings.optimizer if state.settings.optimizer in tuple(Optimizer) else "adam",
            "How the weights are updated: Adam adapts its step size per weight and is forgiving; "
            "SGD with momentum is the classic.",
            lambda v: A.SetOptimizer(v),
        )
        x3 = pad + w_task + w_opt + 2 * self.s(6)
        current = str(state.settings.activation.value)
        self._setting_dropdown(
            panel, (x3, y, inner + pad - x3, self.s(32)), "activation", current, A.SetActivation
        )
        y += self.s(42)
        self._schedule_row(panel, pad, y, half, state)
        slope = [setting_row("negative_slope")] if state.settings.activation == "leaky_relu" else []
        rows = [
            *slope,
            setting_row("learning_rate"),
            setting_row("batch_size"),
            setting_row("l2"),
            section_row("TRAINING"),
            buttons_row(
                [
                    ButtonSpec("play", "Train", "Start or pause training. Key Space.",
                               A.TogglePlay, "@primary", weight=1.3),
                    ButtonSpec("step", "Step", "Run exactly one training step (pauses first). "
                               "Key S.", A.StepOnce),
                    ButtonSpec("reset", "Reset", "Start again from fresh random weights (a new "
                               "seed each time). Key R.", A.ResetNetwork),
                ],
                height=44,
                button=36,
            ),
            setting_row("speed"),
            section_row("BAYES (LAST-LAYER LAPLACE)"),
            setting_row("prior_precision"),
        ]  # fmt: skip
        y = self._build_rows(panel, rows, state, y + self.s(42), w)
        self._button(
            panel,
            (pad, y, inner // 2 + self.s(20), self.s(32)),
            "Optimise prior",
            "Pick the prior precision that the data supports best (maximum evidence).",
            A.OptimizePrior,
        )
        self._dropdown(
            panel,
            (pad + inner // 2 + self.s(26), y, inner - inner // 2 - self.s(26), self.s(32)),
            [(f"UI {s:g}x", f"{s:g}") for s in UI_SCALES],
            f"{state.ui_scale:g}",
            "Make every panel and text larger (for projectors) or smaller.",
            lambda v: A.SetUiScale(float(v)),
        )
        return self._end_side_panel(panel, w, y + self.s(32))

    def _schedule_row(self, panel, x: int, y: int, half: int, state: AppState) -> None:
        """The learning-rate schedule and its length, as two dropdowns side by side."""
        st = state.settings
        kind = setting("schedule")
        self._dropdown(
            panel,
            (x, y, half, self.s(32)),
            list(zip(kind.choice_labels, kind.choices, strict=True)),
            str(st.schedule),
            kind.help,
            lambda v: A.SetSchedule(v),
        )
        stops = sorted({*SCHEDULE_STEP_STOPS, int(st.schedule_steps)})
        steps = setting("schedule_steps")
        self._dropdown(
            panel,
            (x + half + self.s(6), y, half, self.s(32)),
            [(f"{_short_steps(n)} steps", str(n)) for n in stops],
            str(int(st.schedule_steps)),
            steps.help,
            lambda v: A.SetSchedule(str(state.settings.schedule), int(v)),
        )

    def _compact_slider(self, panel, y: int, w: int, spec: SliderSpec, state: AppState) -> int:
        """A one-line slider row (name, slider, value) for networks with many layers."""
        pad, row = self.s(12), self.s(24)
        name = self._label(panel, (pad, y, self.s(70), row), spec.label)
        self._tip(name, spec.tip)
        value = self._label(panel, (w - pad - self.s(34), y, self.s(34), row), "", "@value")
        slider = self._slider(panel, (pad + self.s(72), y + self.s(1), w - 2 * pad - self.s(110),
                              self.s(22)), int(spec.get(state)), spec.range, spec.tip,
                              spec.move)  # fmt: skip
        self._sliders.append(SliderWidget(slider, value, spec.get, spec.text))
        return y + self.s(28)

    def _row_button(self, container, rect: tuple, b: ButtonSpec) -> UIButton:
        button = super()._row_button(container, rect, b)
        if b.key == "play":
            self._toggles["play"] = button
        return button

    # ------------------------------------------------------------------ top: views
    def _build_toolbar(self, state: AppState) -> None:
        build_view_toolbar(self, state)

    # ------------------------------------------------------------------ bottom: readouts
    def _build_bottom(self, state: AppState) -> None:
        x, y0, w, h = state.layout.bottom
        panel = self._panel((x, y0, w, h), "#bottom_panel")
        pad = self.s(12)
        col = min(max(self.s(300), int(w * 0.5)), w - 2 * pad)
        line = max(self.s(24), math.ceil(LABEL_FONT_PX["@readout"] * self.scale * 1.65))
        y = self.s(8)
        self._label(panel, (pad, y, col, self.s(28)), "", "@big_readout", key="step")
        y += self.s(30)
        for key in ("loss", "accuracy", "regions", "dead"):
            self._label(panel, (pad, y, col, line), "", "@readout", key=key)
            y += line
        chart_w = w - col - 3 * pad
        if chart_w > self.s(80):
            tabs = self.s(stat_charts.TAB_ROW)  # the chart picker and CSV export above it
            stat_charts.chart_buttons(self, panel, col + 2 * pad, self.s(6), chart_w)
            surf = pygame.Surface((chart_w, h - 2 * self.s(8) - tabs), pygame.SRCALPHA)
            self._chart = UIImage(
                pygame.Rect(col + 2 * pad, self.s(8) + tabs, chart_w, h - 2 * self.s(8) - tabs),
                surf,
                manager=self.manager,
                container=panel,
            )
            self.elements.append(self._chart)
            self._tip(
                self._chart,
                "Loss against training steps (log scale): blue for training points, orange for "
                "test points. When orange rises while blue falls, the network is memorising. Click "
                "to go back to that moment of training.",
            )

    # ------------------------------------------------------------------ events and sync
    def needs_rebuild(self, state: AppState) -> bool:
        return self._structure_key(state) != self._key or self.visible != (
            panels_visible(state.layout) and state.show_ui
        )

    def sync(self, state: AppState, force: bool = False) -> None:
        """Make every widget show the state (cheap when nothing changed)."""
        if self.needs_rebuild(state):
            self.build(state)
            return
        if not self.visible:
            return
        self._sync_sliders(state, force)
        for key, button in self._toggles.items():
            if isinstance(key, View):
                on = key in state.views
            elif key in TOOL_TIPS:  # Discrete, Dots, Read
                on = toggle_on(key, state)
            elif key == "residual":
                on = state.settings.residual
            elif key == "play":
                on = state.playing
                text = "Pause" if state.playing else "Train"
                if button.text != text:
                    button.set_text(text)
            elif isinstance(key, tuple):  # ("chart", name): the chart shown
                on = state.stats.chart == key[1]
            elif key == "layer":
                text = state.layer_view_label()
                if button.text != text:
                    button.set_text(text)
                on = state.layer_view != 0
            else:
                continue
            select_if(button, on)
        for k, sw in enumerate(self._swatches):
            select_if(sw, k == state.selected_class)
        self._sync_readouts(state)
        if self._file is not None:
            self._file.sync(state)

    def _sync_readouts(self, state: AppState) -> None:
        m = state.metrics
        n_layers = len(state.settings.hidden)
        layers = f"{n_layers} layer{'s' if n_layers > 1 else ''}"
        neurons = f"{sum(state.settings.hidden)} neurons"
        self._set_label_fit("layers", f"{layers} · {neurons}", neurons)
        pts = state.points
        if pts is not None:
            n = len(pts)
            self._set_label("counts", f"{n} points: {m.n_train} train, {m.n_test} test")
        status = "training" if state.playing else "paused"
        if state.stage.scrub is not None:
            status = f"past; now {state.stage.live_step:,}"
        trainer = state.trainer
        if trainer is None or trainer.schedule.kind is Schedule.CONSTANT:
            self._set_label("step", f"Step {m.step:,}  ({status})")
        else:  # the rate the schedule has reached, beside the step
            rate = plain_number(trainer.current_lr())
            self._set_label_fit(
                "step", f"Step {m.step:,}  ({status})  rate {rate}", f"Step {m.step:,} · {rate}"
            )
        train, test = loss_text(m.train_loss), loss_text(m.test_loss)
        self._set_label_fit(
            "loss", f"Loss       train {train}    test {test}", f"Loss {train} · test {test}"
        )
        if state.task is Task.CLASSIFICATION:
            train, test = percent_text(m.train_accuracy), percent_text(m.test_accuracy)
            self._set_label_fit(
                "accuracy",
                f"Accuracy  train {train}    test {test}",
                f"Accuracy {train} · test {test}",
            )
        else:
            if m.psnr is not None and math.isfinite(m.psnr):
                self._set_label_fit(
                    "accuracy",
                    f"Picture  {m.psnr:.1f} dB PSNR at full resolution",
                    f"PSNR {m.psnr:.1f} dB",
                )
            else:
                self._set_label("accuracy", "Fitting a picture: lower loss is better")
        g = state.geometry
        if g.smooth:
            self._set_label_fit("regions", f"No regions: {g.message}", "No regions: no creases")

        if g.preparing:
            self._set_label_fit(
                "regions",
                "Regions: preparing (only the first start takes this long)",
                "Regions: preparing",
            )
        elif g.making:
            self._set_label_fit(
                "regions", "Regions: being made (a big network: a second or so)",
                "Regions: being made",
            )  # fmt: skip
        elif g.too_many and max(state.settings.hidden, default=0) > PER_PIXEL_MAX_WIDTH:
            self._set_label_fit(
                "regions",
                "Regions: too many; the field is sampled, layer 1 creases only",
                "Too many regions: layer 1 creases only",
            )
        elif g.smooth:  # a smooth activation has no regions at all (the message says why)
            self._set_label_fit(
                "regions", f"Regions: none; {g.message}", "Regions: none (a smooth activation)"
            )
        elif g.too_many:
            self._set_label_fit(
                "regions", f"Regions: too many to list ({g.message})", "Regions: too many to list"
            )
        else:
            # (it changed in a third of the default scene's frames: 6 ms more UI time in each)
            regions = self.at_reading("regions", state, g.regions)
            bound = f", at most {compact_count(g.bound)}" if g.bound else ""
            when = "" if g.behind_step is None else f" at step {g.behind_step:,}"
            self._set_label_fit(
                "regions",
                f"Regions {regions:,} in view{when}{bound}",
                f"Regions {regions:,}{when}",
            )
        dead = f"Dead neurons {g.dead}" + (f": {', '.join(g.dead_names[:3])}" if g.dead else "")
        if g.dead > 3:
            dead += ", ..."
        if g.dead_note:
            self._set_label_fit("dead", g.dead_note, "Dead neurons: none can die")
        else:
            self._set_label("dead", dead)
        if self._chart is not None:
            marker = state.stage.scrub_step if state.stage.scrub is not None else None
            # another chart or scale, or only the marker moved: at once; new data: 5 a second
            key = (state.stats.chart, self.scale, stat_charts.chart_key(state), marker)
            old = self._chart_key
            if key != old and (
                state.time - self._chart_time > 0.2 or key[:2] != old[:2] or key[:3] == old[:3]
            ):
                self._chart_key = key
                self._chart_time = state.time
                size = self._chart.rect.size
                image = stat_charts.chart_image(state, size, self.scale, marker)
                self._chart.set_image(image)

    def chart_rect(self) -> tuple[int, int, int, int] | None:
        """The loss chart's rectangle in the window (clicks there jump the timeline)."""
        if self._chart is None or not self.visible:
            return None
        r = self._chart.rect
        return (r.x, r.y, r.w, r.h)
