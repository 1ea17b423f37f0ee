"""Reading a region of the sandbox plane: which region is read, following it through training,
walking to its neighbours, and the neuron whose regions are lit.

`RegionReader` applies the actions of sandbox.region_actions; the toolbar's Read tool
(`ToggleReadTool`) makes a click on the plane read, as Enter does. A region is remembered by its
activation pattern, not its index: every frame (`update`) the reader finds the pattern again in
the Session's current partition (sandbox.geometry.region_query), so the selection follows the
region while training moves its creases, and says so plainly when no region of the view has
that pattern any more (training removed it, or it left the window); should the pattern come
back, so does the card. The lit neuron's flat index goes to `state.reading.tint`, which the
plane's renderer uses to tint the regions where it is on (like the inspector's tint).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from pygame_gui.core import utility as gui_utility

from sandbox import region_actions as R
from sandbox.geometry import Partition
from sandbox.geometry.region_query import (
    RegionFacts,
    find_pattern,
    hidden_sizes,
    locate,
    neuron_name,
    neuron_on,
    read_region,
    ref_to_flat,
    region_report,
    step_towards,
)
from sandbox.scenes.base import Controller, Routes

if TYPE_CHECKING:
    from sandbox.scenes.sandbox import SandboxScene

CREASE_REACH_PX = 5.0  # a click this close to a crease (times the UI scale) picks its neuron
FIRST_HINT = (
    "Reading region {r}: click another region to read it, arrow keys walk across one crease, a "
    "click on a crease (or a bit in the card) lights up where that neuron is on. Ctrl+C copies "
    "the exact numbers; Esc lets go and the brush paints again."
)


def _world_distance_to_segments(p: np.ndarray, seg: np.ndarray) -> np.ndarray:
    a, b = seg[:, :2], seg[:, 2:]
    ab = b - a
    n2 = np.maximum((ab * ab).sum(axis=1), 1e-300)
    t = np.clip(((p - a) * ab).sum(axis=1) / n2, 0.0, 1.0)
    return np.hypot(*(p - (a + t[:, None] * ab)).T)


class RegionReader(Controller):
    """Reading one region of the plane (see the module docstring)."""

    def __init__(self, scene: SandboxScene) -> None:
        self.scene = scene
        self.state = scene.state
        self._hinted = False
        self._last_centroid: np.ndarray | None = None

    def routes(self) -> Routes:
        return {
            R.ReadAt: self._on_read_at,
            R.WalkRegion: self._on_walk,
            R.LightNeuron: self._on_light,
            R.CopyRegion: self._on_copy,
            R.StopReading: self._on_stop,
            R.ToggleReadTool: self._on_tool,
        }

    # ------------------------------------------------------------------ actions
    def _exact(self) -> Partition | None:
        """The current partition when it has exact regions; else says why and None."""
        part = self.state.partition
        if part is None:
            return None
        if part.too_many:
            self.scene.say(f"No region to read here: {part.message}.", "warn")
            return None
        return part

    def _on_read_at(self, a: R.ReadAt) -> None:
        s = self.state
        if not s.layout.in_plane(a.pos):
            return
        part = self._exact()
        if part is None:
            return
        world = self.scene.plane.to_world(a.pos)
        if a.crease and self._pick_crease(part, world, a.pos):
            return
        r = locate(part, world)
        if r is None:
            return
        self._select(part, r)

    def _pick_crease(self, part: Partition, world: np.ndarray, pos: tuple[float, float]) -> bool:
        """Light the neuron of the crease within reach of `world`; False when none is."""
        cr = part.creases
        if not len(cr):
            return False
        view, _ = self.scene.plane.view_at(pos)
        reach = CREASE_REACH_PX * self.state.scale / view.pixels_per_unit
        d = _world_distance_to_segments(np.asarray(world, np.float64), cr.segments)
        k = int(np.argmin(d))
        if d[k] > reach:
            return False
        self._light(int(cr.layer[k]), int(cr.neuron[k]), toggle=True)
        return True

    def _select(self, part: Partition, r: int) -> None:
        rd = self.state.reading
        old = rd.facts
        facts = read_region(part, r)
        rd.crossed = ""
        if old is not None and rd.active:
            for nb in old.neighbours:
                if nb.region == r:
                    rd.crossed = self._crossing_words(nb.flipped, facts)
        rd.pattern = facts.pattern
        rd.facts = facts
        rd.gone = ""
        rd.active = True
        self._last_centroid = facts.centroid
        if not self._hinted:
            self._hinted = True
            self.scene.say(FIRST_HINT.format(r=r + 1))

    @staticmethod
    def _crossing_words(flipped: tuple[tuple[int, int], ...], facts: RegionFacts) -> str:
        words = []
        for layer, index in flipped:
            now = int(facts.bits[layer - 1][index])
            state = {0: "off", 1: "on", 2: "high"}.get(now, str(now))
            words.append(f"{neuron_name(layer, index)} turned {state}")
        return "Crossed one crease: " + ", ".join(words) if words else ""

    def _on_walk(self, a: R.WalkRegion) -> None:
        rd = self.state.reading
        part = self.state.partition
        if not rd.active or rd.facts is None or part is None or part.too_many:
            return
        nb = step_towards(rd.facts.neighbours, (a.dx, a.dy))
        if nb is None:
            self.scene.say("No neighbour that way inside the view: that side is the window's edge.")
            return
        rd.walked_from, rd.flipped = rd.facts.pattern, tuple(nb.flipped)
        self._select(part, nb.region)

    def _on_light(self, a: R.LightNeuron) -> None:
        if a.layer <= 0:
            self._light(0, 0, toggle=False)
        else:
            self._light(a.layer, a.index, toggle=True)

    def _light(self, layer: int, index: int, toggle: bool) -> None:
        rd = self.state.reading
        ref = (int(layer), int(index)) if layer > 0 else None
        if toggle and ref == rd.neuron:
            ref = None
        rd.neuron = ref
        self._update_tint()
        if ref is not None:
            self.scene.say(
                f"{neuron_name(*ref)} is on in the tinted regions ({rd.lit} of the view's "
                f"{len(self.state.partition or ())}). Click it again to put the light out."
            )

    def _on_copy(self, a: R.CopyRegion) -> None:
        rd = self.state.reading
        if rd.facts is None:
            self.scene.say("No region to copy: press Enter over a region to read it first.")
            return
        text = region_report(rd.facts)
        try:
            gui_utility.clipboard_copy(text)
        except Exception as exc:  # noqa: BLE001 - any clipboard failure is a message, not a crash
            self.scene.say(f"The clipboard refused the region's numbers ({exc}).", "error")
            return
        self.scene.say(
            f"Copied region {rd.facts.region + 1} at full precision: formulas, on/off bits, area, "
            "vertices and neighbours."
        )

    def _on_tool(self, a: R.ToggleReadTool) -> None:
        rd = self.state.reading
        if rd.active or rd.tool:
            self._on_stop(R.StopReading())
            self.scene.say("Read is off: a click paints again.")
            return
        rd.tool = True
        self.scene.say(
            "Read is on: click a region of the plane to read its formula, on/off bits, area and "
            "neighbours. Click Read again (or press Esc) to paint again."
        )

    def _on_stop(self, a: R.StopReading) -> None:
        rd = self.state.reading
        rd.tool = False
        rd.active = False
        rd.facts = None
        rd.pattern = rd.gone = rd.crossed = ""
        rd.neuron = None
        self._update_tint()

    # ------------------------------------------------------------------ per frame
    def update(self, dt: float = 0.0) -> None:
        """Find the followed pattern in the current partition (and the lit neuron's regions)."""
        s = self.state
        rd = s.reading
        part = s.partition
        if rd.active and part is not None:
            facts = s.session.derive("region_reading", self._read, part, rd.pattern, reads=())
            if facts is not None:
                self._last_centroid = facts.centroid
                rd.facts, rd.gone = facts, ""
            else:
                rd.facts, rd.gone = None, self._why_gone(part)
        self._update_tint()

    @staticmethod
    def _read(part: Partition, pattern: str) -> RegionFacts | None:
        r = find_pattern(part, pattern)
        return None if r is None else read_region(part, r)

    def _why_gone(self, part: Partition) -> str:
        if part.too_many:
            return f"No exact regions here: {part.message}."
        if len(self.state.reading.pattern.replace("|", "")) != part.patterns.shape[1]:
            return "The network changed shape, so this region is no more. Enter reads another."
        c = self._last_centroid
        x0, x1, y0, y1 = part.bounds
        if c is not None and not (x0 <= c[0] <= x1 and y0 <= c[1] <= y1):
            return "The region is outside the view: pan or zoom back to it."
        return (
            "This region is gone: its creases moved (training, or an edit) and no region of the "
            "view has its on/off pattern now. It comes back if the pattern does; Enter reads "
            "another."
        )

    def _update_tint(self) -> None:
        s = self.state
        rd = s.reading
        part = s.partition
        tint, lit = None, 0
        if rd.neuron is not None and part is not None and not part.too_many:
            try:
                sizes = hidden_sizes(part)
                tint = ref_to_flat(sizes, *rd.neuron)
                lit = int(s.session.derive("lit_regions", _count_on, part, rd.neuron, reads=()))
            except ValueError:  # the network changed shape: that neuron is no more
                rd.neuron = None
                tint = None
        rd.tint, rd.lit = tint, lit


def _count_on(part: Partition, ref: tuple[int, int]) -> int:
    return int(neuron_on(part, *ref).sum())
