"""The stage views' controls: buttons over the 3D view, the probe and the inspector, the
single-neuron sliders, and the training timeline strip; plus their captions.

Like sandbox.ui.panels these read the state and emit actions (sandbox.stage_actions), never
change the state, carry a plain-words tooltip on every control, and scale with the UI. They sit
in the rectangles sandbox.ui.stage_layout gave each view (`state.stage.rects`) and are rebuilt
when those or the views change. `draw_overlay` adds the 3D view's captions (what the height
shows, how to turn it) and the line between the 2D and 3D views.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import pygame
import pygame_gui
from pygame_gui.elements import UIButton, UIDropDownMenu, UIHorizontalSlider, UILabel

from sandbox import actions as A
from sandbox import stage_actions as S
from sandbox.state import AppState
from sandbox.ui.base import Container, PanelBase, select_if
from sandbox.ui.charts import font
from sandbox.ui.hud import caption, premul
from sandbox.ui.stage_layout import NEURON_TRAY_ROW, neuron_tray
from sandbox.vocab import Task

SLIDER_STEPS = 1000
REPLAY_SPEEDS = (50, 200, 500, 2000, 10000)
NEURON_SLIDERS = (("a", -4.0, 4.0), ("b", -4.0, 4.0), ("c", -12.0, 12.0))
NEURON_STEPS = 400


def _speed_label(v: float) -> str:
    return f"{v / 1000:g}k steps/s" if v >= 1000 else f"{v:g} steps/s"


class StagePanels(PanelBase):
    """The pygame-gui elements of the stage views."""

    def __init__(self, manager: pygame_gui.UIManager, state: AppState) -> None:
        super().__init__(manager, state.scale)
        self._toggles: dict[str, UIButton] = {}
        self._neuron_sliders: dict[str, tuple[UIHorizontalSlider, UILabel]] = {}
        self._scrub: UIHorizontalSlider | None = None
        self._key: tuple = ()
        self._rays = state.stage.probe_rays
        self.build(state)

    # ------------------------------------------------------------------ building
    def _structure_key(self, state: AppState) -> tuple:
        cs = state.stage
        r = cs.rects
        neuron = cs.single_neuron and cs.selected is not None and cs.selected[0] == 1
        return (
            r,
            state.scale,
            state.show_ui,
            state.task,
            neuron,
            cs.selected if neuron else None,
            tuple(sorted(v.value for v in state.views)),
        )

    def clear(self) -> None:
        super().clear()
        self._toggles.clear()
        self._neuron_sliders.clear()
        self._scrub = None

    def build(self, state: AppState) -> None:
        self.clear()
        self.scale = state.scale
        self._key = self._structure_key(state)
        r = state.stage.rects
        if r is None or not state.show_ui:
            return
        if r.view3d is not None:
            self._build_3d(state, r.view3d)
        if r.probe is not None:
            self._build_probe(state, r.probe)
        if r.inspector is not None:
            self._build_inspector(state, r.inspector)
        if r.timeline is not None:
            self._build_timeline(state, r.timeline)
        cs = state.stage
        if cs.single_neuron and cs.selected is not None and cs.selected[0] == 1:
            tray = neuron_tray(r, state.scale)
            if tray is not None:
                self._build_neuron_sliders(state, tray)
        self.sync(state, force=True)

    def _keyed_button(
        self,
        rect: tuple,
        text: str,
        tip: str,
        on_press: Callable[[], A.Action | None],
        cls: str = "@button",
        container: Container = None,
        key: str | None = None,
    ) -> UIButton:
        """A button over a view (or in `container`); `key` names it for `sync`."""
        button = self._button(container, rect, text, tip, on_press, cls)
        if key is not None:
            self._toggles[key] = button
        return button

    def _row(self, x: int, y: int, right: int, items: list[tuple], h: int) -> int:
        """Buttons (text, width, tip, action, cls, key) left to right, wrapping at `right`;
        returns the y below them."""
        pad = self.s(5)
        cx = x
        for text, width, tip, act, cls, key in items:
            w = self.s(width)
            if cx + w > right and cx > x:
                cx = x
                y += h + pad
            self._keyed_button((cx, y, w, h), text, tip, act, cls, key=key)
            cx += w + pad
        return y + h + pad

    def _build_3d(self, state: AppState, rect: tuple) -> None:
        x, y, w, h = rect
        pad = self.s(6)
        items = []
        if state.task is Task.CLASSIFICATION:
            items.append(
                (
                    "Probability",
                    96,
                    "Show the probability (0 to 1) as the height instead "
                    "of the logits: the paper flattens out where the network is sure. Key Y.",
                    partial(S.Toggle3D, S.Switch3D.PROBABILITY),
                    "@toggle",
                    "probability",
                )
            )
        items += [
            (
                "3D only",
                76,
                "The 3D view alone, as large as possible (or back beside the flat view). Shift+V.",
                partial(S.Toggle3D, S.Switch3D.ONLY_3D),
                "@toggle",
                "only3d",
            ),
            ("Reset", 60, "Back to the starting angle and distance.", S.Reset3D, "@button", None),
        ]
        self._row(x + pad, y + pad, x + w - pad, items, self.s(30))

    def _build_neuron_sliders(self, state: AppState, rect: tuple) -> None:
        x, y, w, ph = rect
        row = self.s(NEURON_TRAY_ROW)
        panel = self._panel(rect, "#neuron_panel")
        pad = self.s(10)
        inner = w - 2 * pad
        layer, index = state.stage.selected
        k = index + 1
        # the longest heading that fits the tray, in the label's own font (a narrow tray
        # clipped the formula): made with the shortest, which always fits
        heads = (f"Layer 1 neuron {k}: max(a x + b y + c, 0)", f"Neuron {k}: max(ax+by+c, 0)")
        self._label(panel, (pad, self.s(6), inner, row), f"Neuron {k}", "@label", key="nhead")
        self._set_label_fit("nhead", *heads, f"Neuron {k}")
        tips = {
            "a": "a: how steeply the ramp rises along x (its crease turns as a and b change).",
            "b": "b: how steeply the ramp rises along y.",
            "c": "c: the bias; it slides the crease without turning it.",
        }
        for i, (name, lo, hi) in enumerate(NEURON_SLIDERS):
            yy = self.s(6) + row * (i + 1)
            self._label(panel, (pad, yy, self.s(20), row), name, "@label")
            vw = self.s(56)

            def move(v: float, name=name, lo=lo, hi=hi) -> A.Action:
                return S.EditNeuron(name, lo + (hi - lo) * float(v) / NEURON_STEPS)

            slider = self._slider(
                panel,
                (pad + self.s(22), yy + self.s(3), inner - self.s(22) - vw, self.s(22)),
                NEURON_STEPS // 2,
                (0, NEURON_STEPS),
                tips[name],
                move,
            )
            value = self._label(panel, (pad + inner - vw, yy, vw, row), "", "@value")
            self._neuron_sliders[name] = (slider, value)

    def _build_probe(self, state: AppState, rect: tuple) -> None:
        x, y, w, h = rect
        pad = self.s(6)
        bw = (self.s(72), self.s(60))
        bx = x + w - pad - bw[0] - pad - bw[1]
        self._keyed_button(
            (bx, y + pad, bw[0], self.s(28)),
            "8 rays",
            "Eight rays evenly around the "
            "origin instead of one, as in the neural-geometry pictures. Shift+P.",
            lambda: S.SetProbeRays(1 if self._rays > 1 else 8),
            "@toggle",
            key="rays",
        )
        self._keyed_button(
            (bx + bw[0] + pad, y + pad, bw[1], self.s(28)),
            "Reset",
            "The default ray: from the data's centre outwards, three data radii long.",
            S.ResetProbe,
        )

    def _build_inspector(self, state: AppState, rect: tuple) -> None:
        x, y, w, h = rect
        pad = self.s(6)
        bw = self.s(112)
        self._keyed_button(
            (x + w - pad - bw, y + pad, bw, self.s(28)),
            "Neuron in 3D",
            "Show the "
            "selected neuron alone as the 3D surface (its activation); for a first-layer "
            "neuron with sliders for a, b and c. Key N.",
            partial(S.Toggle3D, S.Switch3D.SINGLE_NEURON),
            "@toggle",
            key="single",
        )

    def _build_timeline(self, state: AppState, rect: tuple) -> None:
        x, y, w, h = rect
        panel = self._panel(rect, "#timeline_panel")
        pad = self.s(6)
        bh = self.s(32)
        by = (h - bh) // 2
        cx = pad
        self._keyed_button(
            (cx, by, self.s(72), bh),
            "Replay",
            "Play the training again from the "
            "snapshot shown (or from the start) at the chosen speed; press again to stop.",
            S.ToggleReplay,
            "@toggle",
            container=panel,
            key="replay",
        )
        cx += self.s(72) + pad
        options = [(_speed_label(v), str(v)) for v in REPLAY_SPEEDS]
        current = min(REPLAY_SPEEDS, key=lambda v: abs(v - state.stage.replay_speed))
        dd = UIDropDownMenu(
            options,
            next(o for o in options if o[1] == str(current)),
            pygame.Rect(cx, by, self.s(118), bh),
            manager=self.manager,
            container=panel,
            expand_on_option_click=True,
        )
        self.elements.append(dd)
        self._tip(dd, "How fast the replay plays: training steps per second.")
        self._select[dd] = lambda v: S.SetReplaySpeed(float(v))
        cx += self.s(118) + pad
        right_w = self.s(104) * 2 + pad * 2
        label_w = self.s(150)
        slider_w = w - cx - label_w - right_w - pad
        if slider_w < self.s(60):
            label_w = max(self.s(90), label_w + slider_w - self.s(60))
            slider_w = self.s(60)
        self._scrub = self._slider(
            panel,
            (cx, (h - self.s(22)) // 2, slider_w, self.s(22)),
            SLIDER_STEPS,
            (0, SLIDER_STEPS),
            "Drag to go back in training: every view shows the network as it was. "
            "Keys , and . step one snapshot; End comes back.",
            lambda v: S.Scrub(float(v) / SLIDER_STEPS),
        )
        cx += slider_w + pad
        self._label(panel, (cx, by, label_w, bh), "", "@value", key="tl_step")
        cx += label_w + pad
        self._keyed_button(
            (cx, by, self.s(104), bh),
            "Resume here",
            "Train on from the snapshot shown. "
            "The later snapshots and the live weights are dropped.",
            S.ResumeHere,
            container=panel,
            key="resume",
        )
        cx += self.s(104) + pad
        self._keyed_button(
            (cx, by, self.s(104), bh),
            "Back to now",
            "Leave the past: the live weights again. Key End.",
            S.BackToNow,
            container=panel,
            key="now",
        )

    # ------------------------------------------------------------------ sync
    def sync(self, state: AppState, force: bool = False) -> None:
        if self._structure_key(state) != self._key:
            self.build(state)
            return
        cs = state.stage
        self._rays = cs.probe_rays
        on = {
            "probability": cs.probability,
            "only3d": cs.only_3d,
            "rays": cs.probe_rays > 1,
            "single": cs.single_neuron,
            "replay": cs.replay,
        }
        for key, button in self._toggles.items():
            if key in on:
                select_if(button, on[key])
        if "replay" in self._toggles:
            text = "Stop" if cs.replay else "Replay"
            if self._toggles["replay"].text != text:
                self._toggles["replay"].set_text(text)
        for key in ("resume", "now"):
            button = self._toggles.get(key)
            if button is not None:
                if cs.scrub is None and button.is_enabled:
                    button.disable()
                elif cs.scrub is not None and not button.is_enabled:
                    button.enable()
        tl = cs.timeline
        n = len(tl) if tl is not None else 0
        if self._scrub is not None:
            target = SLIDER_STEPS
            if cs.scrub is not None and n > 1:
                target = round(SLIDER_STEPS * cs.scrub / (n - 1))
            held = self._scrub.sliding_button is not None and self._scrub.sliding_button.held
            if not held and (force or self._scrub.get_current_value() != target):
                self._scrub.set_current_value(target, warn=False)
        label = self._labels.get("tl_step")
        if label is not None:
            if cs.scrub is not None:
                text = f"step {cs.scrub_step:,} of {cs.live_step:,}"
            elif tl is not None and tl.last_step is not None:
                now = self.at_reading("now", state, tl.last_step)  # (it changed every frame)
                text = f"now: step {now:,}"
            else:
                text = "no snapshots yet"
            if label.text != text:
                label.set_text(text)
        if self._neuron_sliders and cs.selected is not None and state.net is not None:
            W, b = state.net.layers[0]
            i = cs.selected[1]
            if i < W.shape[0]:
                values = {"a": float(W[i, 0]), "b": float(W[i, 1]), "c": float(b[i])}
                for name, lo, hi in NEURON_SLIDERS:
                    slider, value_label = self._neuron_sliders[name]
                    v = values[name]
                    pos = round(NEURON_STEPS * (min(max(v, lo), hi) - lo) / (hi - lo))
                    held = slider.sliding_button is not None and slider.sliding_button.held
                    if not held and (force or abs(slider.get_current_value() - pos) >= 1):
                        slider.set_current_value(pos, warn=False)
                    text = f"{v:.2f}"
                    if value_label.text != text:
                        value_label.set_text(text)


# ------------------------------------------------------------------ captions
def _fit(text: str, width: float, scale: float) -> str:
    """The caption text, shortened with an ellipsis to fit `width` pixels."""
    f = font(13 * scale)
    if f.size(text)[0] <= width:
        return text
    while len(text) > 4 and f.size(text + "...")[0] > width:
        text = text[:-1]
    return text.rstrip(" ,") + "..."


def overlay_key(state: AppState) -> tuple:
    """What `draw_overlay` shows, as plain values (the UI surface is drawn again on a change)."""
    cs = state.stage
    return (
        repr(cs.rects),
        state.show_ui,
        cs.surface_label,
        cs.surface_message,
        cs.single_neuron,
        cs.selected,
        state.scale,
    )


def draw_overlay(surface: pygame.Surface, state: AppState) -> None:
    """Captions of the 3D view and the line between the 2D and 3D views."""
    cs = state.stage
    r = cs.rects
    if r is None or r.view3d is None or not state.show_ui and not cs.surface_label:
        return
    sc = state.scale
    x, y, w, h = r.view3d
    if not r.hide_2d:
        px, py, pw, ph = r.plane
        if px + pw == x:
            pygame.draw.line(surface, premul((240, 240, 240)), (x, y), (x, y + h - 1), 2)
        else:
            pygame.draw.line(surface, premul((240, 240, 240)), (x, y), (x + w - 1, y), 2)
    top = y + round(44 * sc) if state.show_ui else y + round(8 * sc)
    room = w - round(28 * sc)
    if cs.surface_message:
        text = _fit(cs.surface_message, room, sc)
        caption(surface, text, (x + w / 2, y + h / 2), sc, "center")
    elif cs.surface_label:
        caption(surface, _fit(cs.surface_label, room, sc), (x + round(8 * sc), top), sc, "topleft")
    tray = None
    if cs.single_neuron and cs.selected is not None and cs.selected[0] == 1:
        tray = neuron_tray(r, sc)
    if state.show_ui and not (tray is not None and tray[0] == x):
        hint = "drag: turn   wheel: zoom"
        caption(surface, hint, (x + w - round(8 * sc), y + h - round(8 * sc)), sc, "bottomright")
