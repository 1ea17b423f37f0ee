"""Mouse and keys of the stage views, turned into actions before the plane's own input.

Over the 3D view a left (or right) drag orbits and the wheel zooms; over the network diagram the
pointer hovers and clicks neurons; over the probe plots the wheel zooms the probed radius; a
click on the loss chart jumps the timeline to that step. On the 2D view, a press on one of the
handles the scene placed (the probe's origin and direction dots, the selected crease and its
rotation handle) starts that drag, and Shift + drag draws a new probe ray; anything else is left
to sandbox.ui.input (paint, erase, pan). `handle` returns the actions and whether the event was
used here (the plane's input must not see it then). STAGE_KEYS lists the keys for the help
card; V, P, I and T are view keys (sandbox.state.VIEW_KEYS) that sandbox.ui.input handles.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pygame

from sandbox import stage_actions as S
from sandbox.actions import Action, Phase
from sandbox.state import AppState
from sandbox.ui.stage_layout import contains
from sandbox.vocab import View

WHEEL = 1.15
# Generous reach (times the UI scale): a crease is a hairline, and a near miss must not paint
CREASE_PICK_PX = 16.0
HANDLE_SLACK_PX = 10.0  # beyond a round handle's own radius

# For the help card (sandbox.ui.input.KEY_HELP); the mouse is explained where it applies.
STAGE_KEYS: tuple[tuple[str, str], ...] = (
    ("V / Shift+V", "3D folded paper / the 3D view alone"),
    ("P / I / T", "ray probe / network inspector / timeline"),
    ("N / Y / Shift+P", "one neuron in 3D / probability / 8 rays"),
    (", / . / End", "timeline: back / forward / now"),
)


def _segment_distance(p: np.ndarray, seg: np.ndarray) -> np.ndarray:
    """Pixel distance from p to each segment (S, 4)."""
    a, b = seg[:, :2], seg[:, 2:]
    ab = b - a
    n2 = np.maximum((ab * ab).sum(axis=1), 1e-12)
    t = np.clip(((p - a) * ab).sum(axis=1) / n2, 0.0, 1.0)
    q = a + t[:, None] * ab
    return np.hypot(*(p - q).T)


def _crease_grab(p: np.ndarray, state: AppState) -> str | None:
    """What a left press at window pixel `p` grabs of the selected crease: "rotate" (its round
    handle), "move" (the crease itself) or None."""
    cs = state.stage
    if cs.crease_px is None or not len(cs.crease_px):
        return None
    for name, hx, hy, radius in cs.handles:
        if name == "rotate" and np.hypot(p[0] - hx, p[1] - hy) <= radius + HANDLE_SLACK_PX * (
            state.scale
        ):
            return "rotate"
    if _segment_distance(p, np.asarray(cs.crease_px)).min() <= CREASE_PICK_PX * state.scale:
        return "move"
    return None


class StageInput:
    """Turns events into stage-view actions; remembers its own drags."""

    def __init__(self) -> None:
        self.drag: str | None = None  # "orbit", "probe:<what>", "crease:<mode>"
        self.button = 0
        self.last_pos: tuple[float, float] | None = None
        self.over_3d = False
        self.over_inspector = False
        self.grab_hover: str | None = None  # what a press would grab now (the hover cue)

    def handle(
        self,
        event: pygame.event.Event,
        state: AppState,
        consumed: bool,
        chart_step: Callable[[tuple[float, float]], float | None] | None = None,
    ) -> tuple[list[Action], bool]:
        rects = state.stage.rects
        if rects is None:
            return [], False
        t = event.type
        if t == pygame.MOUSEMOTION:
            return self._motion(event, state, consumed)
        if t == pygame.MOUSEBUTTONDOWN:
            if self.drag is not None:
                return [], False
            if consumed:
                # the loss chart is a picture in a panel: the panel takes its clicks
                return self._chart_click(event, chart_step)
            return self._down(event, state, chart_step)
        if t == pygame.MOUSEBUTTONUP:
            return self._up(event)
        if t == pygame.MOUSEWHEEL and not consumed:
            return self._wheel(event, state)
        if t == pygame.KEYDOWN and not consumed:
            return self._key(event, state)
        if t == pygame.WINDOWLEAVE:
            out: list[Action] = []
            if self.over_3d:
                out.append(S.Hover3D(None))
            if self.over_inspector:
                out.append(S.InspectorPointer(None))
            self.over_3d = self.over_inspector = False
            return out, False
        return [], False

    # ------------------------------------------------------------------ mouse
    def _motion(self, event, state: AppState, consumed: bool) -> tuple[list[Action], bool]:
        rects = state.stage.rects
        pos = (float(event.pos[0]), float(event.pos[1]))
        prev, self.last_pos = self.last_pos, pos
        if self.drag == "orbit":
            if prev is None:
                return [], True
            return [S.Orbit3D(pos[0] - prev[0], pos[1] - prev[1])], True
        if self.drag is not None:
            kind, what = self.drag.split(":")
            act = S.ProbeDrag(what, pos) if kind == "probe" else S.CreaseDrag(what, pos)
            return [act], True
        out: list[Action] = []
        in_3d = not consumed and contains(rects.view3d, pos)
        if in_3d:
            out.append(S.Hover3D(pos))
            self.over_3d = True
        elif self.over_3d:
            out.append(S.Hover3D(None))
            self.over_3d = False
        in_insp = not consumed and contains(rects.inspector, pos)
        if in_insp:
            out.append(S.InspectorPointer(pos))
            self.over_inspector = True
        elif self.over_inspector:
            out.append(S.InspectorPointer(None))
            self.over_inspector = False
        on_plane = not consumed and state.layout.in_plane(pos)
        grab = _crease_grab(np.asarray(pos), state) if on_plane else None
        if grab != self.grab_hover:
            self.grab_hover = grab
            out.append(S.CreaseHover(grab))
        # with the 3D view alone on the stage the plane's input would take it for the plane
        return out, in_3d and rects.hide_2d

    def _down(self, event, state: AppState, chart_step) -> tuple[list[Action], bool]:
        cs = state.stage
        rects = cs.rects
        pos = (float(event.pos[0]), float(event.pos[1]))
        self.last_pos = pos
        b = event.button
        if contains(rects.view3d, pos):
            if b in (1, 3):
                self.drag, self.button = "orbit", b
            return [], True
        if contains(rects.inspector, pos):
            return ([S.InspectorPointer(pos, click=True)] if b == 1 else []), True
        if contains(rects.probe, pos):
            return [], True
        if b != 1:
            return [], False
        acts, used = self._chart_click(event, chart_step)
        if used:
            return acts, used
        if not state.layout.in_plane(pos):
            return [], False
        p = np.asarray(pos)
        best = None
        for name, hx, hy, radius in cs.handles:
            d = float(np.hypot(p[0] - hx, p[1] - hy))
            if d <= radius + HANDLE_SLACK_PX * state.scale and (best is None or d < best[1]):
                best = (name, d)
        if best is not None:
            name = best[0]
            if name == "rotate":
                return self._start("crease:rotate", S.CreaseDrag("rotate", pos, Phase.BEGIN))
            what = name.split("_", 1)[1]
            return self._start(f"probe:{what}", S.ProbeDrag(what, pos, Phase.BEGIN))
        if _crease_grab(p, state) == "move":
            return self._start("crease:move", S.CreaseDrag("move", pos, Phase.BEGIN))
        if View.PROBE in state.views and pygame.key.get_mods() & pygame.KMOD_SHIFT:
            return self._start("probe:new", S.ProbeDrag("new", pos, Phase.BEGIN))
        if cs.selected is not None and View.INSPECTOR in state.views:
            # a neuron is selected: a press that misses its crease must not paint points
            return [S.CreaseMissed(pos)], True
        return [], False

    def _chart_click(self, event, chart_step) -> tuple[list[Action], bool]:
        if event.button != 1 or chart_step is None:
            return [], False
        step = chart_step((float(event.pos[0]), float(event.pos[1])))
        if step is None:
            return [], False
        return [S.ScrubToStep(step)], True

    def _start(self, drag: str, action: Action) -> tuple[list[Action], bool]:
        self.drag, self.button = drag, 1
        return [action], True

    def _up(self, event) -> tuple[list[Action], bool]:
        if self.drag is None or event.button != self.button:
            return [], False
        pos = (float(event.pos[0]), float(event.pos[1]))
        drag, self.drag = self.drag, None
        if drag == "orbit":
            return [], True
        kind, what = drag.split(":")
        if kind == "probe":
            return [S.ProbeDrag(what, pos, Phase.END)], True
        return [S.CreaseDrag(what, pos, Phase.END)], True

    def _wheel(self, event, state: AppState) -> tuple[list[Action], bool]:
        rects = state.stage.rects
        pos = self.last_pos if self.last_pos is not None else pygame.mouse.get_pos()
        dy = float(getattr(event, "precise_y", event.y) or event.y)
        if contains(rects.view3d, pos):
            return [S.Zoom3D(WHEEL**dy)], True
        if contains(rects.probe, pos):
            return [S.ProbeReach(WHEEL ** (-dy))], True
        if contains(rects.inspector, pos):
            return [], True
        return [], False

    # ------------------------------------------------------------------ keys
    def _key(self, event, state: AppState) -> tuple[list[Action], bool]:
        mod = event.mod
        if mod & (pygame.KMOD_CTRL | pygame.KMOD_META | pygame.KMOD_ALT):
            return [], False
        shift = bool(mod & pygame.KMOD_SHIFT)
        key = event.key
        cs = state.stage
        if key == pygame.K_v and shift:
            return [S.Toggle3D(S.Switch3D.ONLY_3D)], True
        if key == pygame.K_p and shift:
            return [S.SetProbeRays(8 if cs.probe_rays == 1 else 1)], True
        simple: dict[int, Action] = {
            pygame.K_y: S.Toggle3D(S.Switch3D.PROBABILITY),
            pygame.K_n: S.Toggle3D(S.Switch3D.SINGLE_NEURON),
            pygame.K_COMMA: S.ScrubBy(-1),
            pygame.K_PERIOD: S.ScrubBy(1),
            pygame.K_END: S.BackToNow(),
        }
        if key in simple:
            return [simple[key]], True
        return [], False
