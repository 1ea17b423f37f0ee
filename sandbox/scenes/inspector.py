"""The network inspector of the sandbox: the network as a diagram of neurons and links, the
selected neuron's description, its region of activity tinted on the plane, and direct
manipulation of a first-layer neuron's crease (drag it, turn it, or set a, b, c with sliders).

`InspectorController` applies the inspector's actions and each frame asks the Session for the
neuron health flags (dead, copycat) and rebuilds the diagram when the network or its place
changed (at most a few times a second while training). It also places the handles drawn on the
2D view (the selected crease's rotation handle) that the input code hit-tests.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np
import pygame

from sandbox import actions as A
from sandbox import stage_actions as S
from sandbox.nn.edits import NeuronWeights, rotate_neuron, set_neuron, translate_neuron
from sandbox.render.camera import View2D
from sandbox.render.inspector import MAX_LINKS_PER_LAYER, NetworkDiagram, neuron_info
from sandbox.scenes.base import Controller, Routes
from sandbox.session import crease_line, first_layer_neuron, heavy_partition
from sandbox.ui.stage_layout import neuron_tray
from sandbox.view_jobs import HEALTH_INTERVAL, neuron_flags_job
from sandbox.vocab import View

if TYPE_CHECKING:
    from sandbox.scenes.sandbox import SandboxScene

DIAGRAM_INTERVAL = 1 / 5
# ...and a diagram of more links than this follows training proportionally less often: drawing
# 8 x 64's 29,000 links costs a software rasteriser a few hundred milliseconds each time
DIAGRAM_LINKS = 2_000
MAX_WEIGHT_EDITS = 100
ROTATE_HANDLE_PX = 70.0
NEURON_RANGE = {"a": (-4.0, 4.0), "b": (-4.0, 4.0), "c": (-12.0, 12.0)}
Handle = tuple[str, float, float, float]  # name, x, y, radius in window pixels


def diagram_hold(sizes) -> float:
    """Seconds the inspector's diagram is kept while training: DIAGRAM_INTERVAL, longer in
    proportion to its links above DIAGRAM_LINKS (2.9 s for 8 x 64)."""
    links = sum(a * b for a, b in zip(sizes[:-1], sizes[1:], strict=False))
    return DIAGRAM_INTERVAL * max(1.0, links / DIAGRAM_LINKS)


@dataclass(frozen=True)
class WeightEdit:
    """A hand edit of the weights (a crease dragged or turned, a neuron's a, b, c set): the
    parameters before and after it, and the points' version it was made on."""

    version: int
    before: np.ndarray
    after: np.ndarray
    key: object = None


def set_pointer(mode: str | None) -> None:
    """The system pointer for a crease hover: a four-way arrow to move, a hand to turn."""
    shapes = {"move": pygame.SYSTEM_CURSOR_SIZEALL, "rotate": pygame.SYSTEM_CURSOR_HAND}
    try:
        pygame.mouse.set_cursor(shapes.get(mode or "", pygame.SYSTEM_CURSOR_ARROW))
    except pygame.error:
        pass  # no pointer to change (offscreen drivers)


def flat_index(sizes: list[int], layer: int, index: int) -> int:
    return int(sum(sizes[: layer - 1]) + index)


class InspectorController(Controller):
    """The network inspector of one sandbox scene (see the module docstring)."""

    def __init__(self, scene: SandboxScene) -> None:
        self.scene = scene
        self.state = scene.state
        self.session = scene.state.session
        self.diagram: NetworkDiagram | None = None
        self.diagram_key: tuple | None = None
        self.dead = np.zeros(0, dtype=bool)
        self.copycat = np.zeros(0, dtype=bool)
        self.indecisive = np.zeros(0, dtype=bool)  # set by the indecisive-neuron experiment
        # no flags yet (a big network's check still on the worker): the same arrays every
        # frame, so the diagram made with them stays current
        self._no_flags = (np.zeros(0, dtype=bool), np.zeros(0, dtype=bool))
        self._drag: dict | None = None
        self._weight_undo: list[WeightEdit] = []  # crease edits, newest last
        self._weight_redo: list[WeightEdit] = []
        self._missed_said = -10.0  # when the "a neuron is selected" hint was last given
        self._pivot: np.ndarray | None = None
        self._handle0: np.ndarray | None = None

    def routes(self) -> Routes:
        return {
            S.InspectorPointer: self._on_pointer,
            S.PickNeuron: self._on_pick,
            S.CreaseHover: self._on_crease_hover,
            S.CreaseMissed: self._on_crease_missed,
            S.CreaseDrag: self._on_crease_drag,
            S.EditNeuron: self._on_edit,
        }

    # ------------------------------------------------------------------ actions
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

    def _on_pointer(self, a: S.InspectorPointer) -> None:
        cs = self.state.stage
        ref = self._hidden_ref(a.pos)
        cs.hovered = ref if isinstance(ref, tuple) else None
        if a.click and ref != "other":
            cs.selected = ref if isinstance(ref, tuple) else None
            if cs.selected is None:
                cs.single_neuron = False

    def _on_pick(self, a: S.PickNeuron) -> None:
        cs = self.state.stage
        sizes = list(self.state.net.hidden_sizes)
        if a.layer == 0:
            cs.selected = None
            cs.single_neuron = False
        elif 1 <= a.layer <= len(sizes) and 0 <= a.index < sizes[a.layer - 1]:
            cs.selected = (int(a.layer), int(a.index))

    def editable(self) -> int | None:
        """Index of the selected first-layer neuron (the one whose crease can be edited)."""
        cs = self.state.stage
        if cs.selected is None or cs.selected[0] != 1:
            return None
        index = cs.selected[1]
        return index if index < self.state.net.hidden_sizes[0] else None

    def _on_crease_hover(self, a: S.CreaseHover) -> None:
        """The hover cue: the crease (or its handle) lights up and the pointer changes."""
        cs = self.state.stage
        if cs.crease_hover != a.mode:
            cs.crease_hover = a.mode
            set_pointer(a.mode)

    def _on_crease_missed(self, a: S.CreaseMissed) -> None:
        now = self.state.time
        if now - self._missed_said < 3.0:
            return
        self._missed_said = now
        self.scene.say(
            "A neuron is selected, so the brush is off. Drag its crease (the bold line; it lights "
            "up under the pointer) or the round handle to turn it. Click an empty spot in the "
            "inspector to let go of the neuron and paint again."
        )

    @property
    def dragging(self) -> bool:
        return self._drag is not None

    def _on_crease_drag(self, a: S.CreaseDrag) -> None:
        s = self.state
        index = self.editable()
        world = self.scene.plane.to_world(a.pos)
        if index is None or not np.all(np.isfinite(world)):
            return
        if a.phase is A.Phase.BEGIN:
            if a.mode == "rotate" and self._pivot is None:
                return
            s.playing = False
            self._drag = {
                "mode": a.mode,
                "start": world,
                "weights": first_layer_neuron(s.net, index),
                "pivot": None if self._pivot is None else self._pivot.copy(),
                "handle": None if self._handle0 is None else self._handle0.copy(),
                "params": s.net.params.copy(),  # for undo
            }
            return
        drag = self._drag
        if drag is None:
            return
        start = drag["start"]
        a0, b0, c0 = drag["weights"]
        before = NeuronWeights((a0, b0), c0)
        if drag["mode"] == "move":
            translate_neuron(s.net, index, world - start, start=before)
        else:
            p = drag["pivot"]
            u, v = start - p, world - p
            angle = math.atan2(u[0] * v[1] - u[1] * v[0], u[0] * v[0] + u[1] * v[1])
            drag["angle"] = angle
            rotate_neuron(s.net, index, angle, p, start=before)
        self.session.weights_changed(edited=True)
        if a.phase is A.Phase.END:
            self._drag = None
            self.note_weights_edit(drag["params"], s.net.params.copy())

    def _on_edit(self, a: S.EditNeuron) -> None:
        s = self.state
        index = self.editable()
        if index is None or a.which not in NEURON_RANGE or not math.isfinite(a.value):
            return
        abc = list(first_layer_neuron(s.net, index))
        abc["abc".index(a.which)] = float(np.clip(a.value, *NEURON_RANGE[a.which]))
        before = s.net.params.copy()
        set_neuron(s.net, index, *abc)
        self.session.weights_changed(edited=True)
        s.playing = False
        # one undo step for a whole slider drag on one neuron's a, b or c
        self.note_weights_edit(before, s.net.params.copy(), key=(index, a.which))

    def note_weights_edit(self, before: np.ndarray, after: np.ndarray, key: object = None) -> None:
        """A crease dragged or a neuron's a, b, c set by hand: one undo step (edits with the
        same `key` in a row, a slider drag, make one step)."""
        if np.array_equal(before, after):
            return
        version = self.state.points.version
        undo = self._weight_undo
        top = undo[-1] if undo else None
        if key is not None and top is not None and top.key == key and top.version == version:
            if top.after.shape == before.shape and np.array_equal(top.after, before):
                undo[-1] = replace(top, after=after)
                return
        undo.append(WeightEdit(version, before, after, key))
        del undo[:-MAX_WEIGHT_EDITS]
        self._weight_redo.clear()

    def swap_weights(self, forward: bool) -> bool:
        """Undo (or redo, `forward`) the newest hand edit of the weights when nothing changed
        since: the same points, and the weights as that edit left them (no training since)."""
        source, target = (
            (self._weight_redo, self._weight_undo) if forward
            else (self._weight_undo, self._weight_redo)
        )  # fmt: skip
        if not source:
            return False
        edit = source[-1]
        s = self.state
        now, back = (edit.before, edit.after) if forward else (edit.after, edit.before)
        if (
            edit.version != s.points.version
            or now.shape != s.net.params.shape
            or not np.array_equal(s.net.params, now)
        ):
            return False
        source.pop()
        s.net.params[:] = back
        self.session.weights_changed(edited=True)
        s.playing = False
        target.append(edit)
        return True

    # ------------------------------------------------------------------ layout
    def diagram_rect(self) -> tuple[int, int, int, int] | None:
        """Where the network diagram goes inside the inspector (below the header, above the
        neuron's description)."""
        r = self.state.stage.rects
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
        cs = self.state.stage
        if not (cs.single_neuron and cs.selected is not None and cs.selected[0] == 1):
            return None
        return neuron_tray(cs.rects, self.state.scale)

    def tray_height_in_inspector(self) -> int:
        tray, r = self.tray(), self.state.stage.rects
        if tray is None or r is None or r.inspector is None or tray[0] != r.inspector[0]:
            return 0
        return int(tray[3])

    # ------------------------------------------------------------------ per frame
    def update(self, dt: float) -> None:
        s = self.state
        cs = s.stage
        rect = self.diagram_rect()
        if View.INSPECTOR not in s.views or rect is None or s.net is None:
            self.diagram_key = None
            return
        bounds = self.scene.plane.bounds()
        hold = HEALTH_INTERVAL if s.playing else 0.0
        # on the geometry worker once it takes longer than a frame (a resize, big networks)
        job = neuron_flags_job(self.session, bounds, s.partition)
        flags = self.session.derive_behind(
            "neuron_flags", job, bounds, s.partition, reads=("weights", "data"), hold=hold,
            heavy=heavy_partition(s.partition),
        )  # fmt: skip
        n = int(sum(s.net.hidden_sizes))
        if flags is None or len(flags[0]) != n:  # none yet, or made for another network
            if len(self._no_flags[0]) != n:
                self._no_flags = (np.zeros(n, dtype=bool), np.zeros(n, dtype=bool))
            flags = self._no_flags
        self.dead, self.copycat = flags
        hold = diagram_hold(s.net.sizes) if s.playing else 0.0
        self.diagram = self.session.derive(
            "diagram", self._build_diagram, bounds, rect, self.dead, self.copycat,
            self.indecisive, hold=hold,
        )  # fmt: skip
        self.diagram_key = self.session.memo.key_of("diagram")
        cs.neuron_text = self._neuron_text()

    def _build_diagram(
        self, bounds: tuple, rect: tuple, dead: np.ndarray, copycat: np.ndarray,
        indecisive: np.ndarray,
    ) -> NetworkDiagram:  # fmt: skip
        net = self.state.net
        diagram = self.diagram if self.diagram is not None else NetworkDiagram()
        n = sum(net.hidden_sizes)
        diagram.update(
            net,
            bounds,
            rect,
            dead=dead if len(dead) == n else None,
            copycat=copycat if len(copycat) == n else None,
            indecisive=indecisive if len(indecisive) == n else None,
        )
        return diagram

    def update_tint(self) -> None:
        s = self.state
        cs = s.stage
        ref = cs.hovered or cs.selected
        tint = None
        if View.INSPECTOR in s.views and ref is not None and s.net is not None:
            sizes = list(s.net.hidden_sizes)
            if 1 <= ref[0] <= len(sizes) and ref[1] < sizes[ref[0] - 1]:
                tint = flat_index(sizes, *ref)
            else:
                cs.selected = cs.hovered = None
        cs.tint = tint

    def _neuron_text(self) -> tuple[str, ...]:
        s = self.state
        cs = s.stage
        ref = cs.hovered or cs.selected
        if ref is None:
            sizes = list(s.net.sizes)
            most = max(a * b for a, b in zip(sizes, sizes[1:], strict=False))
            shown = (
                f" (each layer's {MAX_LINKS_PER_LAYER} strongest)"
                if most > MAX_LINKS_PER_LAYER
                else ""
            )
            return (
                "Click a neuron to select it: its crease is drawn bold.",
                f"Links: blue positive, orange negative; thicker is larger{shown}.",
            )
        layer, index = ref
        sizes = list(s.net.hidden_sizes)
        lines = [neuron_info(s.net.layers, layer, index)]
        flat = flat_index(sizes, layer, index)
        notes = []
        if flat < len(self.dead) and self.dead[flat]:
            notes.append("dead: never on for the training points")
        if flat < len(self.copycat) and self.copycat[flat]:
            notes.append("copycat: its crease lies on another's")
        if flat < len(self.indecisive) and self.indecisive[flat]:
            notes.append("indecisive: its crease swings far while the loss barely changes")
        if notes:
            lines.append("; ".join(notes).capitalize())
        if layer == 1 and cs.selected == ref:
            lines.append("Drag its crease on the plane; the round handle turns it.")
        elif layer == 1:
            lines.append("Click to select, then drag its crease on the plane.")
        else:
            lines.append("A deeper neuron: its crease bends at earlier creases.")
        return tuple(lines)

    def crease_handles(
        self, view: View2D, off: np.ndarray
    ) -> tuple[list[Handle], np.ndarray | None]:
        """The selected first-layer crease on one 2D pane (window pixels) and its rotation
        handle (none when no editable crease crosses the pane)."""
        s = self.state
        index = self.editable() if View.INSPECTOR in s.views else None
        if index is None:
            return [], None
        xmin, ymin, xmax, ymax = view.world_bounds()
        seg = crease_line(first_layer_neuron(s.net, index), (xmin, xmax, ymin, ymax))
        if seg is None:
            return [], None
        pix = view.world_to_screen(seg) + off
        drag = self._drag
        if drag is not None and drag["mode"] == "rotate":
            pivot = drag["pivot"]
            a = drag.get("angle", 0.0)
            rot = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
            handle = pivot + rot @ (drag["handle"] - pivot)
        else:
            pivot = 0.5 * (seg[0] + seg[1])
            u = seg[1] - seg[0]
            length_px = float(np.hypot(*u)) * view.pixels_per_unit
            along = min(ROTATE_HANDLE_PX * s.scale, 0.4 * length_px)
            handle = pivot + u / max(np.hypot(*u), 1e-300) * along / view.pixels_per_unit
        if self._pivot is None:
            self._pivot, self._handle0 = np.asarray(pivot), np.asarray(handle)
        hp = view.world_to_screen(handle) + off
        return [("rotate", float(hp[0]), float(hp[1]), 9.0 * s.scale)], pix.reshape(4)

    def clear_handles(self) -> None:
        self._pivot = self._handle0 = None
