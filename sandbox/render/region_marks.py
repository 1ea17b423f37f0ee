"""The marks of reading a region on the 2D plane: the region's outline and its neighbours'.

The region read is outlined in white, each neighbour across one crease in amber (a colour no
crease or class uses), both over a dark halo so they read on any field colour: a reader sees
where the arrow keys lead. The segments go to one LineBatch drawn by the line pass after the plane's
scene (sandbox.render.plane_view), uploaded again only when the region's facts (a new
partition) or the UI scale change. The lit neuron (`lit_neuron`: the one lit while reading,
else the inspector's selected one) gets the regions where it is on hatched and its crease drawn
bold; `tint_of` says which neuron's regions are tinted (the inspector's, else the lit one).
"""

from __future__ import annotations

import numpy as np

from sandbox.geometry import Partition
from sandbox.geometry.region_query import RegionFacts, hatch, neuron_on
from sandbox.render import palette
from sandbox.render.camera import View2D
from sandbox.render.lines import LineBatch, LinePass
from sandbox.state import AppState
from sandbox.vocab import View

HALO = (0.05, 0.06, 0.08, 0.8)
OUTLINE = (1.0, 1.0, 1.0, 1.0)
NEIGHBOUR = (1.0, 0.78, 0.28, 1.0)  # amber: apart from every crease colour and the classes'
OUTLINE_PX, NEIGHBOUR_PX, HALO_EXTRA_PX = 3.0, 2.0, 3.0
HATCH_SPACING_PX, HATCH_PX, LIT_CREASE_PX = 7.0, 1.4, 3.0


def tint_of(state: AppState) -> int | None:
    """Flat index of the neuron whose regions of activity are tinted (None: none)."""
    if state.stage.tint is not None:
        return state.stage.tint
    return state.reading.tint


def lit_neuron(state: AppState) -> tuple[int, int] | None:
    """The neuron whose regions are hatched: the one lit while reading a region, else the one
    selected in the network inspector (while the inspector is open)."""
    if state.reading.neuron is not None:
        return state.reading.neuron
    if View.INSPECTOR in state.views:
        return state.stage.selected
    return None


def polygon_segments(poly: np.ndarray) -> np.ndarray:
    """(m, 4) closed-outline segments of an (m, 2) polygon."""
    p = np.asarray(poly, dtype=np.float64)
    return np.concatenate([p, np.roll(p, -1, axis=0)], axis=1)


def outline_segments(
    facts: RegionFacts, neighbour_polygons: list[np.ndarray]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Segments (S, 4), colours (S, 4) and widths at UI scale 1 (S,), in drawing order: the
    neighbours' outlines over a dark halo, then the region's (later ones are drawn on top)."""
    groups = []
    for polys, colour, width in (
        (neighbour_polygons, NEIGHBOUR, NEIGHBOUR_PX),
        ([facts.polygon], OUTLINE, OUTLINE_PX),
    ):
        if not polys:
            continue
        segs = np.concatenate([polygon_segments(p) for p in polys if len(p)] or [np.zeros((0, 4))])
        groups.append((segs, HALO, width + HALO_EXTRA_PX))
        groups.append((segs, colour, width))
    segs = np.concatenate([g[0] for g in groups])
    colors = np.concatenate([np.tile(np.float32(g[1]), (len(g[0]), 1)) for g in groups])
    widths = np.concatenate([np.full(len(g[0]), g[2], np.float32) for g in groups])
    return segs, colors, widths


def lit_segments(
    part: Partition, neuron: tuple[int, int], pixels_per_unit: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The lit neuron's marks at UI scale 1: hatching over the regions where it is on, then its
    crease, bold in its layer's colour over a dark halo."""
    layer, index = neuron
    colour = palette.layer_colors(len(palette.LAYER_COLORS), 1.0)[
        (layer - 1) % len(palette.LAYER_COLORS)
    ]
    lines = hatch(part, neuron_on(part, layer, index), HATCH_SPACING_PX / pixels_per_unit)
    crease = part.creases.of(layer, index)
    faint = colour.copy()
    faint[3] = 0.6
    segs = np.concatenate([lines, crease, crease])
    colors = np.concatenate(
        [np.tile(faint, (len(lines), 1)), np.tile(np.float32(HALO), (len(crease), 1)),
         np.tile(colour, (len(crease), 1))]
    ).astype(np.float32)  # fmt: skip
    widths = np.concatenate([np.full(len(lines), HATCH_PX), np.full(len(crease), LIT_CREASE_PX
                             + HALO_EXTRA_PX), np.full(len(crease), LIT_CREASE_PX)])  # fmt: skip
    return segs, colors, widths.astype(np.float32)


class RegionMarks:
    """The reading marks' GPU batches (one per plane renderer): the lit neuron's hatching and
    crease, and the outlines of the region read and its neighbours."""

    def __init__(self) -> None:
        self.batch = LineBatch()
        self.lit = LineBatch()
        self._facts: RegionFacts | None = None  # what the batch shows, at which UI scale
        self._scale = 0.0
        self._lit: tuple | None = None  # (partition, neuron, zoom, scale) the lit batch shows

    def update(
        self, state: AppState, part: Partition | None, neighbour_polygons: list[np.ndarray]
    ) -> None:
        self._update_lit(state, part)
        facts = state.reading.facts if state.reading.active else None
        if facts is self._facts and state.scale == self._scale:
            return
        self._facts, self._scale = facts, state.scale
        if facts is None:
            self.batch.count = 0
            return
        segs, colors, widths = outline_segments(facts, neighbour_polygons)
        cam = state.camera
        origin = cam.center if cam is not None else None
        self.batch.set(segs, colors, widths * state.scale, origin=origin)

    def _update_lit(self, state: AppState, part: Partition | None) -> None:
        neuron, cam = lit_neuron(state), state.camera
        if neuron is None or part is None or part.too_many or cam is None:
            self._lit = None
            self.lit.count = 0
            return
        key = (part, neuron, cam.pixels_per_unit, state.scale)
        if key == self._lit:  # a partition compares by identity
            return
        self._lit = key
        try:
            segs, colors, widths = lit_segments(part, neuron, cam.pixels_per_unit)
        except ValueError:  # that neuron is not in this network (its shape just changed)
            self.lit.count = 0
            return
        if len(segs):
            self.lit.set(segs, colors, widths * state.scale, origin=cam.center)
        else:
            self.lit.count = 0

    def draw(self, line_pass: LinePass, view: View2D) -> None:
        for batch in (self.lit, self.batch):
            if batch.count:
                line_pass.draw(view, batch)

    def delete(self) -> None:
        self.batch.delete()
        self.lit.delete()
