"""The stage of the sandbox: the area between the panels, shared by the 2D view and the views
that look closer (the 3D view, the ray probe, the network inspector, the timeline strip).

`Stage` cuts the stage into those parts when the views that are on change
(sandbox.ui.stage_layout), keeps the rules between the views (the 3D view and the split view
both want the space beside the 2D view), turns the events over those parts into actions
(sandbox.ui.stage_input, before the plane's own input), places the handles drawn on the 2D view,
and draws the 3D view, the side column and the marks on the plane through
sandbox.render.stage_views with what the 3D, probe and inspector controllers derived.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
import pygame
import pygame_gui

from sandbox import actions as A
from sandbox.render.stage_views import StageContent, StageRenderer
from sandbox.scenes.base import Controller
from sandbox.scenes.inspector import set_pointer
from sandbox.scenes.view3d import fit_orbit
from sandbox.ui import charts, stage_panels
from sandbox.ui.stage_input import StageInput
from sandbox.ui.stage_layout import StageRects, carve
from sandbox.ui.stage_panels import StagePanels
from sandbox.vocab import View

if TYPE_CHECKING:
    from sandbox.scenes.sandbox import SandboxScene

Handle = tuple[str, float, float, float]


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


class Stage(Controller):
    """Layout, input, handles and drawing of the stage views (see the module docstring)."""

    def __init__(self, scene: SandboxScene) -> None:
        self.scene = scene
        self.state = scene.state
        self.input = StageInput()
        self.panels: StagePanels | None = None
        self.renderer: StageRenderer | None = None
        self._layout_obj: object = None
        self._base: tuple[int, int, int, int] = (0, 0, 1, 1)
        self._carved: tuple | None = None

    # ------------------------------------------------------------------ lifecycle
    def build_ui(self, manager: pygame_gui.UIManager) -> None:
        if self.panels is not None:
            self.panels.clear()
        self.ensure_layout()
        self.panels = StagePanels(manager, self.state)

    def exit(self) -> None:
        if self.panels is not None:
            self.panels.clear()
            self.panels = None
        if self.renderer is not None:
            self.renderer.release()
            self.renderer = None

    # ------------------------------------------------------------------ layout
    def wanted(self) -> dict[str, bool]:
        s = self.state
        v = s.views
        return dict(
            three_d=View.THREE_D in v,
            only_3d=s.stage.only_3d,
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
            self._carved = None
        flags = self.wanted()
        carved = (self._base, tuple(sorted(flags.items())), lay.scale)
        if carved == self._carved:
            return False
        self._carved = carved
        rects = carve(self._base, scale=lay.scale, **flags)
        lay.stage = self._base
        lay.plane = rects.plane
        cs = s.stage
        cs.rects = rects
        if s.camera is not None and (s.camera.width, s.camera.height) != rects.plane[2:]:
            s.camera = s.camera.resized(max(1, rects.plane[2]), max(1, rects.plane[3]))
        if rects.view3d is not None:
            cs.orbit = fit_orbit(cs.orbit, max(1, rects.view3d[2]), max(1, rects.view3d[3]))
        if rects.hide_2d:
            s.hover_pos = None
            s.hover = None
        return True

    @property
    def rects(self) -> StageRects | None:
        return self.state.stage.rects

    def hides_2d(self) -> bool:
        r = self.rects
        return bool(r is not None and r.hide_2d)

    def view_rules(self, action: A.ToggleView | A.SetView) -> None:
        """Before a view switches: the 3D view and the split view exclude each other; the
        timeline going off shows the live weights; the 3D view going off drops its cursor."""
        s = self.state
        try:
            view = View(action.name)
        except ValueError:
            return
        on = action.on if isinstance(action, A.SetView) else view not in s.views
        if on and view is View.THREE_D:
            s.views.discard(View.SPLIT)
        elif on and view is View.SPLIT:
            s.views.discard(View.THREE_D)
        if not on and view is View.TIMELINE:
            self.scene.timeline.back_to_now()
        if not on and view is View.THREE_D:
            self.scene.view3d.pick_world = None

    # ------------------------------------------------------------------ events
    def translate(self, event: pygame.event.Event, consumed: bool) -> tuple[list[A.Action], bool]:
        """Actions for one event and whether it was the stage's alone (the plane's own input
        must not see it then)."""
        out: list[A.Action] = []
        if self.panels is not None:
            out += self.panels.handle_event(event)
        acts, claimed = self.input.handle(event, self.state, consumed, self.chart_hit)
        return out + acts, claimed

    def chart_hit(self, pos: tuple[float, float]) -> float | None:
        """The training step under a window position on the loss or regions chart, or None
        (the margins histogram has no step axis)."""
        s = self.state
        panels = self.scene.panels
        if s.stats.chart == "margins":
            return None
        rect = panels.chart_rect() if hasattr(panels, "chart_rect") else None
        if rect is None:
            return None
        x, y, w, h = rect
        if not (x <= pos[0] < x + w and y <= pos[1] < y + h):
            return None
        return charts.step_at(s.history, (w, h), s.scale, pos[0] - x)

    # ------------------------------------------------------------------ per frame
    def update_handles(self) -> None:
        """Window-pixel handles on the 2D view(s): the probe's origin and direction dots, the
        selected first-layer crease and its rotation handle."""
        s = self.state
        cs = s.stage
        r = self.rects
        inspector = self.scene.inspector
        inspector.clear_handles()
        if r is None or r.hide_2d or s.camera is None or s.net is None:
            cs.handles, cs.crease_px = (), None
            return
        handles: list[Handle] = []
        crease_px: list[np.ndarray] = []
        sc = s.scale
        px0, py0, pw, ph = s.layout.plane
        for view, x0 in self.scene.plane.views():
            off = np.array([px0 + x0, py0], dtype=np.float64)
            found, pix = inspector.crease_handles(view, off)
            handles += found
            if pix is not None:
                crease_px.append(pix)
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
        if cs.crease_px is None and cs.crease_hover is not None and not inspector.dragging:
            cs.crease_hover = None  # the crease went away under the pointer
            self.input.grab_hover = None
            set_pointer(None)

    def sync_panels(self) -> None:
        if self.panels is not None:
            self.panels.sync(self.state)

    # ------------------------------------------------------------------ drawing
    def content(self) -> StageContent:
        sc = self.scene
        v3, probe, inspector = sc.view3d, sc.probe, sc.inspector
        return StageContent(
            panes=sc.plane.views(),
            surface=v3.surface,
            frame3d=v3.frame3d,
            plane_height=v3.plane_height,
            points3d=v3.points3d,
            point_y=v3.point_y,
            point_test=v3.point_test,
            neuron_surface=v3.neuron_surface,
            region_colors=v3.region_colors,
            surface_packed=v3.packed if v3.surface is not None else None,
            probes=probe.probes,
            curves=probe.curves,
            bands=probe.bands,
            probe_key=self.state.session.memo.key_of("probe"),
            diagram=inspector.diagram,
            diagram_rect=inspector.diagram_rect(),
            diagram_key=inspector.diagram_key,
            tray_height=inspector.tray_height_in_inspector(),
            **sc.stage_extras(),
        )

    def draw(self) -> None:
        r = self.rects
        if r is None:
            return
        cs = self.state.stage
        if self.renderer is None:
            if not (
                r.view3d
                or r.probe
                or r.inspector
                or cs.handles
                or cs.cursor is not None
                or cs.tint is not None
            ):
                return
            self.renderer = StageRenderer(self.scene.app.renderer.paints)
        self.renderer.draw(self.state, self.content())

    def draw_overlay(self, surface: pygame.Surface) -> None:
        stage_panels.draw_overlay(surface, self.state)
