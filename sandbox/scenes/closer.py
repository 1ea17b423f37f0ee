"""The "look closer" views of the sandbox scene: the 3D folded paper, the ray probe, the network
inspector with direct manipulation of creases, and the training timeline.

`Closer` is a part of the sandbox scene (one per scene) and, like it, the only writer of what
these views show (`AppState.closer`). The scene hands it events first (mouse and keys over the
3D view, the side column, the handles on the plane), every action (its own, plus a guard that
returns to the live weights before anything changes the network while the timeline shows the
past), every training call (so the timeline records a snapshot per step for the first
`DENSE_STEPS` steps and one per training call after that), and one `update` per frame, which
cuts the stage into the 2D view, 3D view, side column and timeline strip (sandbox.ui.closer_layout),
builds the folded surface, the probes and the diagram when their inputs changed (throttled
while training so they never take more than a share of the frame), and places the handles that
the input code hit-tests. Drawing goes through sandbox.scenes.closer_draw.
"""

from __future__ import annotations

import math
import time
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np

from sandbox import actions as A
from sandbox import closer_actions as C
from sandbox.scenes import backend
from sandbox.state import HoverInfo
from sandbox.ui.closer_layout import CloserRects, carve, neuron_tray
from sandbox.vocab import Task, View

if TYPE_CHECKING:
    import pygame

    from sandbox.scenes.sandbox import SandboxScene

CLOSER_VIEWS = frozenset({View.THREE_D, View.PROBE, View.INSPECTOR, View.TIMELINE})
DENSE_STEPS = 100  # every step is a snapshot up to here (the timeline keeps them all)
BUILD_SHARE = 0.3  # while training, rebuilding a view may take this share of the time
PLAYING_INTERVAL = {"surface": 1 / 20, "probe": 1 / 12, "diagram": 1 / 5, "health": 0.5}
REPLAY_SPEEDS = (50.0, 200.0, 500.0, 2000.0, 10000.0)
PROBE_RAYS = (1, 8)
DEFAULT_ANGLE = 0.35
ROTATE_HANDLE_PX = 70.0
MIN_REACH, MAX_REACH = 1e-3, 1e6
FIT_ASPECT = 1.1  # panes narrower than this get the camera further back
NEURON_RANGE = {"a": (-4.0, 4.0), "b": (-4.0, 4.0), "c": (-12.0, 12.0)}

# Actions that only look: they are fine while the timeline shows a past snapshot. Anything else
# brings the live weights back first, so nothing is ever done to (or saved from) the past by
# accident; edits of the past are refused with a message instead.
_LOOKING: tuple[type, ...] = (
    A.Pan,
    A.ZoomAt,
    A.ZoomOutFar,
    A.ResetView,
    A.Hover,
    A.ToggleView,
    A.SetView,
    A.ToggleDiscretise,
    A.SetLayerView,
    A.CycleLayerView,
    A.SetSpeed,
    A.ChangeSpeed,
    A.SetPriorPrecision,
    A.OptimizePrior,
    A.SetUiScale,
    A.Screenshot,
    A.ScreenshotSaved,
    A.ToggleHelp,
    A.ToggleUi,
    A.Resize,
    A.Quit,
    A.SelectClass,
    A.SetBrushSize,
    A.SetBrushDensity,
    A.SetPaintValue,
    A.SetLearningRate,
    A.SetBatchSize,
    A.SetL2,
    A.SetOptimizer,
    A.ToggleRecording,
    A.TogglePresenter,
    A.ToggleShortcuts,
    A.CloseDialog,
    A.SetPlaying,  # SetPlaying(False) only; True is handled below
)
_EDITS = (C.CreaseDrag, C.EditNeuron)


def _set_pointer(mode: str | None) -> None:
    """The system pointer for a crease hover: a four-way arrow to move, a hand to turn."""
    import pygame

    shapes = {"move": pygame.SYSTEM_CURSOR_SIZEALL, "rotate": pygame.SYSTEM_CURSOR_HAND}
    try:
        pygame.mouse.set_cursor(shapes.get(mode or "", pygame.SYSTEM_CURSOR_ARROW))
    except pygame.error:
        pass  # no pointer to change (offscreen drivers)


def _flat(sizes: list[int], layer: int, index: int) -> int:
    return int(sum(sizes[: layer - 1]) + index)


class Closer:
    """The look-closer part of a sandbox scene (see the module docstring)."""

    def __init__(self, scene: SandboxScene) -> None:
        from sandbox.ui.closer_input import CloserInput

        self.scene = scene
        self.state = scene.state
        self.input = CloserInput()
        self._missed_said = -10.0  # when the "a neuron is selected" hint was last given
        self.panels: Any = None
        self.draw_pass: Any = None
        # derived data the passes draw
        self.surface: Any = None  # sandbox.geometry.surface.FoldedSurface
        self.frame3d: Any = None  # sandbox.render.camera3d.SceneFrame
        self.plane_height: float | None = None
        self.points3d: Any = None  # (N, 3) points standing on the surface
        self.neuron_surface = False
        self.probes: list[Any] = []
        self.curves: list[Any] = []
        self.bands: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []  # regression: r, lo, hi
        self.diagram: Any = None
        self.dead = np.zeros(0, dtype=bool)
        self.copycat = np.zeros(0, dtype=bool)
        # keys and clocks of what was built
        self._layout_obj: Any = None
        self._base: tuple[int, int, int, int] = (0, 0, 1, 1)
        self._layout_key: tuple = ()
        self._keys: dict[str, tuple] = {}
        self._built_at: dict[str, float] = {}
        self._cost: dict[str, float] = {}
        self._reg_laplace: Any = None
        self._reg_key: tuple = ()
        # timeline
        self._tl_net: Any = None
        self._live: np.ndarray | None = None
        self._replay_start = 0
        self._replay_elapsed = 0.0
        # interaction
        self._drag: dict | None = None
        self._pick: tuple[float, float] | None = None
        self._pick_info: HoverInfo | None = None
        self._pivot: np.ndarray | None = None
        self._handle0: np.ndarray | None = None

    # ------------------------------------------------------------------ lifecycle
    def build_ui(self, manager: Any) -> None:
        from sandbox.ui.closer_panels import CloserPanels

        if self.panels is not None:
            self.panels.clear()
        self.ensure_layout()
        self.panels = CloserPanels(manager, self.state)

    def exit(self) -> None:
        if self.panels is not None:
            self.panels.clear()
            self.panels = None
        if self.draw_pass is not None:
            self.draw_pass.release()
            self.draw_pass = None

    def say(self, text: str, kind: str = "info") -> None:
        self.scene.say(text, kind)

    def _bump(self) -> None:
        self.state.weights_version += 1
        self.state.closer.version += 1

    # ------------------------------------------------------------------ layout
    def wanted(self) -> dict[str, bool]:
        s = self.state
        v = s.views
        return dict(
            three_d=View.THREE_D in v,
            only_3d=s.closer.only_3d,
            probe=View.PROBE in v,
            inspector=View.INSPECTOR in v,
            timeline=View.TIMELINE in v and s.show_ui,
        )

    def ensure_layout(self) -> bool:
        """Cut the stage into the parts that are on; True when something moved."""
        s = self.state
        lay = s.layout
        if lay is not self._layout_obj:
            # a fresh layout from the scene: its plane is the whole stage
            self._layout_obj = lay
            self._base = tuple(int(v) for v in lay.plane)  # type: ignore[assignment]
        flags = self.wanted()
        key = (id(lay), self._base, tuple(sorted(flags.items())), lay.scale)
        if key == self._layout_key:
            return False
        self._layout_key = key
        rects = carve(self._base, scale=lay.scale, **flags)
        lay.stage = self._base
        lay.plane = rects.plane
        cs = s.closer
        cs.rects = rects
        if s.camera is not None and (s.camera.width, s.camera.height) != rects.plane[2:]:
            s.camera = s.camera.resized(max(1, rects.plane[2]), max(1, rects.plane[3]))
        if rects.view3d is not None:
            from sandbox.render.camera3d import OrbitCamera

            w, h = max(1, rects.view3d[2]), max(1, rects.view3d[3])
            if cs.orbit is None:
                cs.orbit = OrbitCamera(w, h, distance=fit_distance(w, h))
            else:
                # keep the zoom the user chose, relative to what fits the new pane
                old = fit_distance(cs.orbit.width, cs.orbit.height)
                cs.orbit = cs.orbit.resized(w, h)
                cs.orbit.zoom(old / fit_distance(w, h))
        if rects.hide_2d:
            s.hover_pos = None
            s.hover = None
        s.view_version += 1
        cs.version += 1
        return True

    @property
    def rects(self) -> CloserRects | None:
        return self.state.closer.rects

    # ------------------------------------------------------------------ events
    def translate(self, event: pygame.event.Event, consumed: bool) -> tuple[list[A.Action], bool]:
        """Actions for one event and whether it was the closer's alone (the plane's own input
        must not see it then)."""
        out: list[A.Action] = []
        if self.panels is not None:
            out += self.panels.handle_event(event)
        acts, claimed = self.input.handle(event, self.state, consumed, self.chart_hit)
        return out + acts, claimed

    def chart_hit(self, pos: tuple[float, float]) -> float | None:
        """The training step under a window position on the loss chart, or None."""
        from sandbox.ui import charts

        s = self.state
        panels = self.scene.panels
        rect = panels.chart_rect() if hasattr(panels, "chart_rect") else None
        if rect is None:
            return None
        x, y, w, h = rect
        if not (x <= pos[0] < x + w and y <= pos[1] < y + h):
            return None
        return charts.step_at(s.history, (w, h), s.scale, pos[0] - x)

    # ------------------------------------------------------------------ actions
    def apply(self, action: A.Action) -> bool:
        """Apply the closer's own actions (True); guard the others while scrubbing (False)."""
        s = self.state
        cs = s.closer
        mine = type(action).__module__ == C.__name__
        if cs.scrub is not None and not mine and not isinstance(action, _LOOKING):
            self.back_to_now()
            if isinstance(action, A.TogglePlay | A.StepOnce):
                self.say(
                    "Back to the live weights first; press Resume here to train from a past "
                    "snapshot instead."
                )
        elif isinstance(action, A.SetPlaying) and action.playing and cs.scrub is not None:
            self.back_to_now()
        if isinstance(action, A.ToggleView | A.SetView):
            self._view_rules(action)
            return False
        if not mine:
            return False
        if cs.scrub is not None and isinstance(action, _EDITS):
            self.say(
                f"This is step {cs.scrub_step:,} of the past. Press Resume here to change it and "
                "train on from it, or Back to now.",
                "warn",
            )
            return True
        handler = getattr(self, "_on_" + type(action).__name__, None)
        if handler is not None:
            handler(action)
        return True

    def _view_rules(self, action: A.ToggleView | A.SetView) -> None:
        s = self.state
        try:
            view = View(action.name)
        except ValueError:
            return
        on = action.on if isinstance(action, A.SetView) else view not in s.views
        # the 3D view and the MAP | Laplace split both want the stage beside the 2D view
        if on and view is View.THREE_D:
            s.views.discard(View.SPLIT)
        elif on and view is View.SPLIT:
            s.views.discard(View.THREE_D)
        if not on and view is View.TIMELINE:
            self.back_to_now()
        if not on and view is View.THREE_D:
            self._pick = None

    def _ensure_3d(self) -> None:
        s = self.state
        if View.THREE_D not in s.views:
            s.views.add(View.THREE_D)
            s.views.discard(View.SPLIT)
            s.settings_version += 1

    # 3D
    def _on_Orbit3D(self, a: C.Orbit3D) -> None:
        orbit = self.state.closer.orbit
        if orbit is not None and math.isfinite(a.dx) and math.isfinite(a.dy):
            orbit.orbit(a.dx, a.dy)

    def _on_Zoom3D(self, a: C.Zoom3D) -> None:
        orbit = self.state.closer.orbit
        if orbit is not None and math.isfinite(a.factor) and a.factor > 0:
            orbit.zoom(a.factor)

    def _on_Reset3D(self, a: C.Reset3D) -> None:
        orbit = self.state.closer.orbit
        if orbit is not None:
            orbit.reset()
            orbit.distance = fit_distance(orbit.width, orbit.height)

    def _on_ToggleOnly3D(self, a: C.ToggleOnly3D) -> None:
        cs = self.state.closer
        if View.THREE_D not in self.state.views:
            cs.only_3d = True
        else:
            cs.only_3d = not cs.only_3d
        self._ensure_3d()
        cs.version += 1

    def _on_ToggleProbability(self, a: C.ToggleProbability) -> None:
        s = self.state
        cs = s.closer
        if s.task is not Task.CLASSIFICATION:
            self.say("The probability surface is for classification; a picture shows its value.")
            return
        cs.probability = not cs.probability
        cs.single_neuron = False
        self._ensure_3d()
        cs.version += 1

    def _on_ToggleSingleNeuron(self, a: C.ToggleSingleNeuron) -> None:
        s = self.state
        cs = s.closer
        cs.single_neuron = not cs.single_neuron
        if cs.single_neuron:
            if cs.selected is None:
                cs.selected = (1, 0)
            self._ensure_3d()
            layer, index = cs.selected
            self.say(
                f"The surface is now layer {layer} neuron {index + 1} alone: its activation "
                "max(a x + b y + c, 0). N goes back to the network's output."
                if layer == 1
                else f"The surface is now layer {layer} neuron {index + 1} alone: a ramp folded "
                "by the layers before it. N goes back to the network's output."
            )
        cs.version += 1

    def _on_Hover3D(self, a: C.Hover3D) -> None:
        self._pick = None
        self._pick_info = None
        if a.pos is None:
            return
        hit = self.pick(a.pos)
        if hit is not None:
            self._pick = (float(hit[0]), float(hit[1]))
            self._pick_info = self.scene.hover_at(np.asarray(self._pick))

    def pick(self, pos: tuple[float, float]) -> np.ndarray | None:
        """The surface point (x, y, z) under a window position in the 3D view, or None."""
        from sandbox.render.camera3d import pick_surface

        cs = self.state.closer
        r = self.rects
        fs = self.surface
        if r is None or r.view3d is None or fs is None or cs.orbit is None or self.frame3d is None:
            return None
        mesh = fs.surface
        if not len(mesh):
            return None
        local = (pos[0] - r.view3d[0], pos[1] - r.view3d[1])
        return pick_surface(cs.orbit, self.frame3d, mesh.positions, mesh.triangles, local)

    # probe
    def _on_ProbeDrag(self, a: C.ProbeDrag) -> None:
        s = self.state
        cs = s.closer
        world = self.scene._to_world(a.pos)
        if not np.all(np.isfinite(world)):
            return
        if a.phase is A.Phase.BEGIN:
            self._drag = {"kind": "probe", "what": a.what, "start": world}
            if a.what == "new":
                cs.probe_origin = (float(world[0]), float(world[1]))
            return
        drag = self._drag
        if drag is None or drag.get("kind") != "probe":
            return
        if a.what == "origin":
            cs.probe_origin = (float(world[0]), float(world[1]))
        else:
            ox, oy, _ = cs.probe_resolved
            origin = np.asarray(cs.probe_origin if cs.probe_origin is not None else (ox, oy))
            d = world - origin
            length = float(np.hypot(d[0], d[1]))
            if length > 1e-12:
                cs.probe_angle = float(math.atan2(d[1], d[0]))
                if a.what == "new":
                    # a click without a drag keeps the reach; a drag sets it
                    px = length * s.camera.pixels_per_unit
                    if px >= 12.0:
                        cs.probe_reach = float(np.clip(length, MIN_REACH, MAX_REACH))
        if a.phase is A.Phase.END:
            self._drag = None
        cs.version += 1

    def _on_ProbeReach(self, a: C.ProbeReach) -> None:
        cs = self.state.closer
        if math.isfinite(a.factor) and a.factor > 0:
            reach = cs.probe_resolved[2] * a.factor
            cs.probe_reach = float(np.clip(reach, MIN_REACH, MAX_REACH))
            cs.version += 1

    def _on_SetProbeRays(self, a: C.SetProbeRays) -> None:
        cs = self.state.closer
        cs.probe_rays = int(np.clip(a.n, 1, 16))
        cs.version += 1

    def _on_ResetProbe(self, a: C.ResetProbe) -> None:
        cs = self.state.closer
        cs.probe_origin = None
        cs.probe_reach = None
        cs.probe_angle = DEFAULT_ANGLE
        cs.version += 1

    # inspector
    def _hidden_ref(self, pos: tuple[float, float] | None) -> tuple[int, int] | None | str:
        """The hidden neuron under a window position in the diagram; "other" for an input or
        output node; None for empty space."""
        if pos is None or self.diagram is None:
            return None
        ref = self.diagram.hit(pos)
        if ref is None:
            return None
        n_hidden = len(self.state.net.hidden_sizes)
        if 1 <= ref.layer <= n_hidden:
            return (int(ref.layer), int(ref.index))
        return "other"

    def _on_InspectorPointer(self, a: C.InspectorPointer) -> None:
        cs = self.state.closer
        ref = self._hidden_ref(a.pos)
        cs.hovered = ref if isinstance(ref, tuple) else None
        if a.click and ref != "other":
            cs.selected = ref if isinstance(ref, tuple) else None
            if cs.selected is None:
                cs.single_neuron = False
        cs.version += 1

    def _on_PickNeuron(self, a: C.PickNeuron) -> None:
        cs = self.state.closer
        sizes = list(self.state.net.hidden_sizes)
        if a.layer == 0:
            cs.selected = None
            cs.single_neuron = False
        elif 1 <= a.layer <= len(sizes) and 0 <= a.index < sizes[a.layer - 1]:
            cs.selected = (int(a.layer), int(a.index))
        cs.version += 1

    def _editable(self) -> int | None:
        """Index of the selected first-layer neuron (the one whose crease can be edited)."""
        cs = self.state.closer
        if cs.selected is None or cs.selected[0] != 1:
            return None
        index = cs.selected[1]
        return index if index < self.state.net.hidden_sizes[0] else None

    def _on_CreaseHover(self, a: C.CreaseHover) -> None:
        """The hover cue: the crease (or its handle) lights up and the pointer changes."""
        cs = self.state.closer
        if cs.crease_hover != a.mode:
            cs.crease_hover = a.mode
            cs.version += 1
            _set_pointer(a.mode)

    def _on_CreaseMissed(self, a: C.CreaseMissed) -> None:
        now = self.state.time
        if now - self._missed_said < 3.0:
            return
        self._missed_said = now
        self.say(
            "A neuron is selected, so the brush is off. Drag its crease (the bold line; it lights "
            "up under the pointer) or the round handle to turn it. Click an empty spot in the "
            "inspector to let go of the neuron and paint again."
        )

    def _on_CreaseDrag(self, a: C.CreaseDrag) -> None:
        s = self.state
        index = self._editable()
        world = self.scene._to_world(a.pos)
        if index is None or not np.all(np.isfinite(world)):
            return
        if a.phase is A.Phase.BEGIN:
            if a.mode == "rotate" and self._pivot is None:
                return
            s.playing = False
            self._drag = {
                "kind": "crease",
                "mode": a.mode,
                "start": world,
                "weights": backend.first_layer_neuron(s.net, index),
                "pivot": None if self._pivot is None else self._pivot.copy(),
                "handle": None if self._handle0 is None else self._handle0.copy(),
                "params": s.net.params.copy(),  # for undo
            }
            return
        drag = self._drag
        if drag is None or drag.get("kind") != "crease":
            return
        start = drag["start"]
        if drag["mode"] == "move":
            backend.move_crease(s.net, index, drag["weights"], world - start)
        else:
            p = drag["pivot"]
            u, v = start - p, world - p
            angle = math.atan2(u[0] * v[1] - u[1] * v[0], u[0] * v[0] + u[1] * v[1])
            drag["angle"] = angle
            backend.turn_crease(s.net, index, drag["weights"], angle, p)
        backend.weights_edited(s.trainer)
        self._bump()
        if a.phase is A.Phase.END:
            self._drag = None
            self.scene.note_weights_edit(drag["params"], s.net.params.copy())

    def _on_EditNeuron(self, a: C.EditNeuron) -> None:
        s = self.state
        index = self._editable()
        if index is None or a.which not in NEURON_RANGE or not math.isfinite(a.value):
            return
        abc = list(backend.first_layer_neuron(s.net, index))
        abc["abc".index(a.which)] = float(np.clip(a.value, *NEURON_RANGE[a.which]))
        before = s.net.params.copy()
        backend.set_first_layer_neuron(s.net, index, *abc)
        backend.weights_edited(s.trainer)
        s.playing = False
        self._bump()
        # one undo step for a whole slider drag on one neuron's a, b or c
        self.scene.note_weights_edit(before, s.net.params.copy(), key=(index, a.which))

    # timeline
    def _on_Scrub(self, a: C.Scrub) -> None:
        tl = self.state.closer.timeline
        if tl is None or len(tl) == 0 or not math.isfinite(a.fraction):
            return
        n = len(tl)
        index = int(round(float(np.clip(a.fraction, 0.0, 1.0)) * (n - 1)))
        if index == n - 1 and self.state.closer.scrub is None:
            return  # the newest snapshot is now
        self.scrub_to(index)

    def _on_ScrubBy(self, a: C.ScrubBy) -> None:
        cs = self.state.closer
        tl = cs.timeline
        if tl is None or len(tl) == 0:
            return
        n = len(tl)
        if cs.scrub is None:
            if a.delta >= 0:
                return
            index = n - 1 + int(a.delta)
        else:
            index = cs.scrub + int(a.delta)
        if cs.scrub is not None and index >= n:
            self.back_to_now()
            return
        self.scrub_to(int(np.clip(index, 0, n - 1)))

    def _on_ScrubToStep(self, a: C.ScrubToStep) -> None:
        tl = self.state.closer.timeline
        if tl is None or len(tl) == 0 or not math.isfinite(a.step):
            return
        self.scrub_to(tl.index_at_step(a.step))

    def _on_BackToNow(self, a: C.BackToNow) -> None:
        self.back_to_now()

    def _on_ResumeHere(self, a: C.ResumeHere) -> None:
        self.resume_here()

    def _on_ToggleReplay(self, a: C.ToggleReplay) -> None:
        cs = self.state.closer
        tl = cs.timeline
        if cs.replay:
            cs.replay = False
            cs.version += 1
            return
        if tl is None or len(tl) < 2:
            self.say("Train for a while first: the replay plays the snapshots of the training.")
            return
        start = cs.scrub if cs.scrub is not None and cs.scrub < len(tl) - 1 else 0
        self.scrub_to(start)
        self._replay_start = start
        self._replay_elapsed = 0.0
        cs.replay = True
        cs.version += 1

    def _on_SetReplaySpeed(self, a: C.SetReplaySpeed) -> None:
        cs = self.state.closer
        if math.isfinite(a.steps_per_second) and a.steps_per_second > 0:
            cs.replay_speed = float(a.steps_per_second)
            if cs.replay and cs.scrub is not None:
                # carry on from where the replay is, at the new speed
                self._replay_start = cs.scrub
                self._replay_elapsed = 0.0
            cs.version += 1

    def scrub_to(self, index: int) -> None:
        """Show snapshot `index`: its weights go into the network (the live ones are kept)."""
        s = self.state
        cs = s.closer
        tl = cs.timeline
        if tl is None or len(tl) == 0 or s.net is None:
            return
        if cs.scrub is None:
            self._live = s.net.params.copy()
            cs.live_step = int(s.trainer.steps)
            s.playing = False
        cs.scrub_step = tl.restore(index, s.net.params)
        cs.scrub = int(index) % len(tl)
        if View.TIMELINE not in s.views:
            s.views.add(View.TIMELINE)
        self._bump()

    def back_to_now(self) -> None:
        """The live weights again (after scrubbing or a replay)."""
        s = self.state
        cs = s.closer
        cs.replay = False
        if cs.scrub is None:
            return
        if self._live is not None and s.net is not None and self._live.shape == s.net.params.shape:
            s.net.params[:] = self._live
        cs.scrub = None
        self._live = None
        self._bump()

    def resume_here(self) -> None:
        """Train on from the snapshot shown: later snapshots (and the live weights) are dropped."""
        s = self.state
        cs = s.closer
        tl = cs.timeline
        if cs.scrub is None or tl is None:
            self.say("Pick a moment of the past first (the timeline slider or the loss chart).")
            return
        step = tl.branch(cs.scrub)
        backend.branch_trainer(s.trainer, step)
        s.history.truncate(step)
        cs.scrub = None
        cs.replay = False
        self._live = None
        self._bump()
        self.scene._read_metrics(force=True)
        self.say(f"Training goes on from step {step:,}; the snapshots after it are gone.")

    # ------------------------------------------------------------------ training
    def train(self, n: int) -> None:
        """Run n training steps, one at a time while the timeline is still dense."""
        s = self.state
        tr = s.trainer
        self._sync_timeline()
        n = int(n)
        while n > 0 and tr.steps < DENSE_STEPS:
            before = tr.steps
            backend.train_steps(tr, 1)
            n -= 1
            if tr.steps == before:
                return
            self._record()
        if n > 0:
            before = tr.steps
            backend.train_steps(tr, n)
            if tr.steps != before:
                self._record()

    def train_for(self, seconds: float) -> None:
        """Train for a time budget (flat out), one step at a time while the timeline is dense."""
        tr = self.state.trainer
        self._sync_timeline()
        if tr.steps < DENSE_STEPS:
            deadline = time.perf_counter() + float(seconds)
            while tr.steps < DENSE_STEPS:
                before = tr.steps
                backend.train_steps(tr, 1)
                if tr.steps == before:
                    return
                self._record()
                if time.perf_counter() >= deadline:
                    return
            return
        before = tr.steps
        backend.train_for(tr, seconds)
        if tr.steps != before:
            self._record()

    def _sync_timeline(self) -> None:
        """A fresh timeline for a new network or a restarted run; the first snapshot."""
        s = self.state
        cs = s.closer
        net, tr = s.net, s.trainer
        if net is None or tr is None:
            return
        tl = cs.timeline
        if tl is None or self._tl_net is not net or tl.n_params != net.n_params:
            cs.timeline = tl = backend.new_timeline(net.n_params)
            self._tl_net = net
            cs.scrub = None
            cs.replay = False
            self._live = None
            cs.version += 1
        if cs.scrub is None and (len(tl) == 0 or tr.steps < tl.last_step):
            if len(tl):
                tl.clear()
            self._record()

    def _record(self) -> None:
        s = self.state
        cs = s.closer
        tl, tr = cs.timeline, s.trainer
        if tl is None or cs.scrub is not None:
            return
        step = int(tr.steps)
        last = tl.last_step
        if last is not None and step <= last:
            if step == last:
                return
            tl.clear()
        m = backend.metrics(tr)
        tl.record(step, s.net.params, m.train_loss, m.test_loss)

    # ------------------------------------------------------------------ per frame
    def update(self, dt: float) -> None:
        s = self.state
        t0 = time.perf_counter()
        self.ensure_layout()
        self._sync_timeline()
        self._replay(dt)
        cs = s.closer
        if cs.scrub is not None and s.metrics.step != cs.scrub_step:
            s.metrics = replace(s.metrics, step=cs.scrub_step)
        self._update_tint()
        self._update_surface()
        self._update_probe()
        self._update_inspector()
        self._update_cursor()
        self._update_handles()
        s.timings["closer"] = time.perf_counter() - t0
        if self.panels is not None:
            self.panels.sync(s)

    def _due(self, name: str, key: tuple) -> bool:
        """Whether view `name` must be rebuilt for `key`; while training, not more often than
        its interval nor than its own cost allows."""
        if self._keys.get(name) == key:
            return False
        if self.state.playing:
            now = time.perf_counter()
            wait = max(PLAYING_INTERVAL[name], self._cost.get(name, 0.0) / BUILD_SHARE)
            if now - self._built_at.get(name, -1e9) < wait:
                return False
        return True

    def _built(self, name: str, key: tuple, t0: float) -> None:
        now = time.perf_counter()
        self._keys[name] = key
        self._built_at[name] = now
        self._cost[name] = now - t0

    def _replay(self, dt: float) -> None:
        cs = self.state.closer
        tl = cs.timeline
        if not cs.replay or tl is None or len(tl) == 0:
            return
        self._replay_elapsed += max(0.0, float(dt))
        start = min(self._replay_start, len(tl) - 1)
        index = tl.replay_index(start, self._replay_elapsed, cs.replay_speed)
        if index >= len(tl) - 1:
            self.back_to_now()
            cs.version += 1
            return
        if index != cs.scrub:
            self.scrub_to(index)

    def _update_tint(self) -> None:
        s = self.state
        cs = s.closer
        ref = cs.hovered or cs.selected
        tint = None
        if View.INSPECTOR in s.views and ref is not None and s.net is not None:
            sizes = list(s.net.hidden_sizes)
            if 1 <= ref[0] <= len(sizes) and ref[1] < sizes[ref[0] - 1]:
                tint = _flat(sizes, *ref)
            else:
                cs.selected = cs.hovered = None
        cs.tint = tint

    # ------------------------------------------------------------------ 3D
    def _surface_kind(self) -> tuple[str, tuple[int, int] | None, Any, str, float | None]:
        """(kind, neuron, laplace, label, reference plane height) of the surface to show."""
        from sandbox.ui.theme import CLASS_NAMES

        s = self.state
        cs = s.closer
        net = s.net
        if cs.single_neuron and cs.selected is not None:
            layer, index = cs.selected
            if layer <= len(net.hidden_sizes) and index < net.hidden_sizes[layer - 1]:
                name = f"layer {layer} neuron {index + 1}"
                if layer == 1:
                    return (
                        "halfplane",
                        cs.selected,
                        None,
                        f"height: {name}, max(a x + b y + c, 0)",
                        None,
                    )
                return "neuron", cs.selected, None, f"height: {name}'s activation", None
        if s.task is Task.REGRESSION:
            if View.LAPLACE in s.views:
                la = self._regression_laplace()
                if la is not None:
                    return (
                        "band",
                        None,
                        la,
                        "height: predicted value, band of one std (Laplace)",
                        None,
                    )
            return "output", None, None, "height: predicted value", None
        k = int(net.n_out)
        if View.LAPLACE in s.views and s.laplace is not None:
            return "laplace", None, s.laplace, "height: Laplace confidence (top class)", None
        if cs.probability:
            if k == 2:
                return "probability", None, None, f"height: probability of {CLASS_NAMES[1]}", 0.5
            return "probability", None, None, "height: probability of the top class", None
        if k == 2:
            label = f"height: logit {CLASS_NAMES[1]} minus logit {CLASS_NAMES[0]}"
            return "output", None, None, label, 0.0
        return "output", None, None, "height: the top logit", None

    def _regression_laplace(self) -> Any:
        s = self.state
        key = (s.weights_version, s.data_version, s.prior_precision, id(s.net))
        if key != self._reg_key:
            self._reg_key = key
            try:
                self._reg_laplace = backend.fit_regression_laplace(
                    s.net, s.points, s.prior_precision
                )
            except (ValueError, ArithmeticError):
                self._reg_laplace = None
        return self._reg_laplace

    def _update_surface(self) -> None:
        s = self.state
        cs = s.closer
        r = self.rects
        if View.THREE_D not in s.views or r is None or r.view3d is None or s.partition is None:
            self.surface = None
            self._keys.pop("surface", None)
            return
        kind, neuron, la, label, plane = self._surface_kind()
        bounds = self.scene.bounds()
        abc = None
        if kind == "halfplane":
            abc = backend.first_layer_neuron(s.net, neuron[1])
        key = (
            s.weights_version,
            id(s.partition),
            kind,
            neuron,
            id(la),
            abc,
            s.points.version,
            bounds,
        )
        if not self._due("surface", key):
            return
        t0 = time.perf_counter()
        cs.surface_label = label
        try:
            if kind == "halfplane":
                fs = backend.neuron_surface(*abc, bounds)
            elif kind == "neuron":
                part = backend.partition(s.net, bounds, upto_layer=neuron[0])
                if part.too_many:
                    raise ValueError(part.message or "too many regions")
                fs = backend.folded_surface(part, s.net, "neuron", neuron=neuron)
            else:
                if s.partition.too_many:
                    raise ValueError(s.partition.message or "too many regions")
                fs = backend.folded_surface(s.partition, s.net, kind, laplace=la)
        except (ValueError, ArithmeticError) as exc:
            self.surface = None
            cs.surface_message = f"No 3D surface: {exc}"
            self._built("surface", key, t0)
            return
        from sandbox.render.camera3d import SceneFrame

        cs.surface_message = ""
        self.surface = fs
        self.neuron_surface = kind in ("halfplane", "neuron")
        self.plane_height = plane
        lo, hi = fs.z_range()
        if kind in ("probability", "laplace"):
            lo, hi = min(lo, 1.0 / max(2, s.net.n_out)), 1.0  # the same scale while it learns
        self.frame3d = SceneFrame(bounds, (lo, hi))
        pts = s.points
        self.points3d = fs.lift_points(pts.X) if len(pts) else np.zeros((0, 3))
        self._built("surface", key, t0)

    # ------------------------------------------------------------------ probe
    def _data_centre(self) -> tuple[np.ndarray, float]:
        pts = self.state.points
        if pts is None or len(pts) == 0:
            return np.zeros(2), 6.0
        X = np.asarray(pts.X, dtype=np.float64)
        c = X.mean(axis=0)
        radius = float(np.max(np.hypot(X[:, 0] - c[0], X[:, 1] - c[1])))
        return c, max(radius, 1e-3)

    def _update_probe(self) -> None:
        s = self.state
        cs = s.closer
        r = self.rects
        if View.PROBE not in s.views or r is None or s.net is None:
            if self.probes or self.curves:
                self.probes, self.curves, self.bands = [], [], []
            self._keys.pop("probe", None)
            return
        centre, radius = self._data_centre()
        origin = np.asarray(cs.probe_origin, dtype=np.float64) if cs.probe_origin else centre
        reach = float(cs.probe_reach) if cs.probe_reach else 3.0 * radius
        cs.probe_resolved = (float(origin[0]), float(origin[1]), reach)
        la = s.laplace if s.task is Task.CLASSIFICATION else None
        # a picture's probe shows the Laplace band (mean and one standard deviation) instead
        band_la = self._regression_laplace() if s.task is Task.REGRESSION else None
        key = (
            s.weights_version,
            id(la),
            id(band_la),
            cs.probe_resolved,
            cs.probe_angle,
            cs.probe_rays,
        )
        if not self._due("probe", key):
            return
        from sandbox.render.plots import probe_curves, ray_colors

        t0 = time.perf_counter()
        n = cs.probe_rays
        angles = cs.probe_angle + 2.0 * np.pi * np.arange(n) / n
        dirs = np.stack([np.cos(angles), np.sin(angles)], axis=1)
        colors = ray_colors(n)
        probes, curves, bands = [], [], []
        try:
            for d, c in zip(dirs, colors, strict=True):
                p = backend.probe(s.net, origin, d, reach, la)
                probes.append(p)
                curves.append(probe_curves(p, color=c))
                if band_la is not None:
                    radius = curves[-1].conf_radius
                    mean, std = backend.predictive_band(band_la, p.points(radius))
                    bands.append((radius, mean - std, mean + std))
        except (ValueError, ArithmeticError):
            probes, curves, bands = [], [], []
        self.probes, self.curves, self.bands = probes, curves, bands
        self._built("probe", key, t0)

    # ------------------------------------------------------------------ inspector
    def diagram_rect(self) -> tuple[int, int, int, int] | None:
        """Where the network diagram goes inside the inspector (below the header, above the
        neuron's description)."""
        r = self.rects
        if r is None or r.inspector is None:
            return None
        x, y, w, h = r.inspector
        sc = self.state.scale
        top = round(40 * sc)
        bottom = round(76 * sc) + self.tray_height_in_inspector()
        pad = round(8 * sc)
        if h - top - bottom < 60 or w < 120:
            return None
        return (x + pad, y + top, w - 2 * pad, h - top - bottom)

    def tray(self) -> tuple[int, int, int, int] | None:
        """Where the single-neuron sliders are (None when they are not shown)."""
        cs = self.state.closer
        if not (cs.single_neuron and cs.selected is not None and cs.selected[0] == 1):
            return None
        return neuron_tray(self.rects, self.state.scale)

    def tray_height_in_inspector(self) -> int:
        tray, r = self.tray(), self.rects
        if tray is None or r is None or r.inspector is None or tray[0] != r.inspector[0]:
            return 0
        return int(tray[3])

    def _update_inspector(self) -> None:
        s = self.state
        cs = s.closer
        rect = self.diagram_rect()
        if View.INSPECTOR not in s.views or rect is None or s.net is None:
            self._keys.pop("diagram", None)
            return
        bounds = self.scene.bounds()
        hkey = (s.weights_version, s.data_version, bounds)
        if self._due("health", hkey):
            t0 = time.perf_counter()
            try:
                self.dead, self.copycat = backend.neuron_flags(s.net, bounds, s.points, s.partition)
            except ValueError:
                n = int(sum(s.net.hidden_sizes))
                self.dead = self.copycat = np.zeros(n, dtype=bool)
            self._built("health", hkey, t0)
        key = (s.weights_version, bounds, rect, self._keys.get("health"), tuple(s.net.sizes))
        if self._due("diagram", key):
            from sandbox.render.inspector import NetworkDiagram

            t0 = time.perf_counter()
            if self.diagram is None:
                self.diagram = NetworkDiagram()
            dead = self.dead if len(self.dead) == sum(s.net.hidden_sizes) else None
            copy = self.copycat if len(self.copycat) == sum(s.net.hidden_sizes) else None
            self.diagram.update(s.net, bounds, rect, dead=dead, copycat=copy)
            self._built("diagram", key, t0)
        cs.neuron_text = self._neuron_text()

    def _neuron_text(self) -> tuple[str, ...]:
        from sandbox.render.inspector import neuron_info

        s = self.state
        cs = s.closer
        ref = cs.hovered or cs.selected
        if ref is None:
            return (
                "Click a neuron to select it: its crease is drawn bold.",
                "Links: blue positive, orange negative; thicker is larger.",
            )
        layer, index = ref
        sizes = list(s.net.hidden_sizes)
        lines = [neuron_info(s.net.layers, layer, index)]
        flat = _flat(sizes, layer, index)
        notes = []
        if flat < len(self.dead) and self.dead[flat]:
            notes.append("dead: never on for the training points")
        if flat < len(self.copycat) and self.copycat[flat]:
            notes.append("copycat: its crease lies on another's")
        if notes:
            lines.append("; ".join(notes).capitalize())
        if layer == 1 and cs.selected == ref:
            lines.append("Drag its crease on the plane; the round handle turns it.")
        elif layer == 1:
            lines.append("Click to select, then drag its crease on the plane.")
        else:
            lines.append("A deeper neuron: its crease bends at earlier creases.")
        return tuple(lines)

    # ------------------------------------------------------------------ cursor and handles
    def _update_cursor(self) -> None:
        s = self.state
        cs = s.closer
        r = self.rects
        if self._pick is not None and r is not None and r.view3d is not None:
            cs.cursor = self._pick
            if s.hover_pos is None:
                s.hover = self._pick_info
        elif s.hover is not None and not (r is not None and r.hide_2d):
            cs.cursor = s.hover.world
        else:
            cs.cursor = None

    def _update_handles(self) -> None:
        """Window-pixel handles on the 2D view(s): the probe's origin and direction dots, the
        selected first-layer crease and its rotation handle."""
        s = self.state
        cs = s.closer
        r = self.rects
        handles: list[tuple[str, float, float, float]] = []
        crease_px: list[np.ndarray] = []
        self._pivot = self._handle0 = None
        if r is None or r.hide_2d or s.camera is None or s.net is None:
            cs.handles, cs.crease_px = (), None
            return
        sc = s.scale
        px0, py0, pw, ph = s.layout.plane
        index = self._editable() if View.INSPECTOR in s.views else None
        drag = self._drag
        for view, x0 in self.scene.views():
            off = np.array([px0 + x0, py0], dtype=np.float64)
            xmin, ymin, xmax, ymax = view.world_bounds()
            if index is not None:
                abc = backend.first_layer_neuron(s.net, index)
                seg = backend.crease_line(abc, (xmin, xmax, ymin, ymax))
                if seg is not None:
                    pix = view.world_to_screen(seg) + off
                    crease_px.append(pix.reshape(4))
                    if (
                        drag is not None
                        and drag.get("kind") == "crease"
                        and drag["mode"] == "rotate"
                    ):
                        pivot = drag["pivot"]
                        a = drag.get("angle", 0.0)
                        rot = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
                        handle = pivot + rot @ (drag["handle"] - pivot)
                    else:
                        pivot = 0.5 * (seg[0] + seg[1])
                        u = seg[1] - seg[0]
                        length_px = float(np.hypot(*u)) * view.pixels_per_unit
                        along = min(ROTATE_HANDLE_PX * sc, 0.4 * length_px)
                        handle = (
                            pivot + u / max(np.hypot(*u), 1e-300) * along / view.pixels_per_unit
                        )
                    if self._pivot is None:
                        self._pivot, self._handle0 = np.asarray(pivot), np.asarray(handle)
                    hp = view.world_to_screen(handle) + off
                    handles.append(("rotate", float(hp[0]), float(hp[1]), 9.0 * sc))
            if View.PROBE in s.views:
                ox, oy, reach = cs.probe_resolved
                o = view.world_to_screen(np.array([ox, oy])) + off
                u = np.array([math.cos(cs.probe_angle), -math.sin(cs.probe_angle)])
                # the direction dot sits on the ray, inside the pane, at most at its end
                along = min(
                    reach * view.pixels_per_unit, _inside(o, u, (px0 + x0, py0, view.width, ph))
                )
                along = max(along, 24.0 * sc)
                d = o + u * along
                handles.append(("probe_direction", float(d[0]), float(d[1]), 8.0 * sc))
                handles.append(("probe_origin", float(o[0]), float(o[1]), 8.0 * sc))
        cs.handles = tuple(handles)
        cs.crease_px = np.asarray(crease_px) if crease_px else None
        if cs.crease_px is None and cs.crease_hover is not None and drag is None:
            cs.crease_hover = None  # the crease went away under the pointer
            self.input.grab_hover = None
            _set_pointer(None)

    # ------------------------------------------------------------------ drawing
    def draw(self) -> None:
        from sandbox.scenes.closer_draw import CloserRenderer

        r = self.rects
        if r is None:
            return
        if self.draw_pass is None:
            if not (
                r.view3d
                or r.probe
                or r.inspector
                or self.state.closer.handles
                or self.state.closer.cursor is not None
                or self.state.closer.tint is not None
            ):
                return
            self.draw_pass = CloserRenderer()
        self.draw_pass.draw(self.state, self)

    def hides_2d(self) -> bool:
        r = self.rects
        return bool(r is not None and r.hide_2d)

    def draw_overlay(self, surface: pygame.Surface) -> None:
        from sandbox.ui import closer_panels

        closer_panels.draw_overlay(surface, self.state)

    def wants_laplace(self) -> bool:
        """The probe plots show the Laplace confidence (classification)."""
        s = self.state
        return s.task is Task.CLASSIFICATION and View.PROBE in s.views


def fit_distance(width: int, height: int) -> float:
    """The camera distance at which the whole scene fits a pane of this shape: the default
    distance suits a landscape window; a narrow pane needs the camera further back."""
    from sandbox.render.camera3d import DEFAULT_DISTANCE, MAX_DISTANCE

    aspect = max(1, int(width)) / max(1, int(height))
    return float(min(DEFAULT_DISTANCE * max(1.0, FIT_ASPECT / aspect), MAX_DISTANCE))


def _inside(origin: np.ndarray, u: np.ndarray, rect: tuple) -> float:
    """Pixels from `origin` along unit `u` to 85% of the way to the rectangle's edge (0 when the
    origin is outside)."""
    x, y, w, h = rect
    if not (x <= origin[0] <= x + w and y <= origin[1] <= y + h):
        return 0.0
    ts = []
    for k, (lo, hi) in enumerate(((x, x + w), (y, y + h))):
        if abs(u[k]) > 1e-12:
            ts.append(((hi if u[k] > 0 else lo) - origin[k]) / u[k])
    return 0.85 * (min(ts) if ts else 0.0)
