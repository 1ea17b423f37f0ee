"""The sandbox screen: paint data, train live, and see regions, creases, boundary and confidence.

`SandboxScene` owns the state while it is active and is made of one controller per feature:

- `model` (sandbox.scenes.model): data presets, the task, the network and its training;
- `plane` (sandbox.scenes.plane): painting, the camera, the views, the exact geometry, hover;
- `view3d`, `probe`, `inspector`, `timeline`: the views that look closer, laid out, hit-tested
  and drawn together by `stage` (sandbox.scenes.stage);
- `stats` (sandbox.scenes.stats): margins, nudge-to-flip, region statistics over training;
- `workshop` (sandbox.scenes.workshop): scene files, weights, recording, presenter mode;
- `exchange` (sandbox.scenes.exchange): points CSV in and out, the SVG figure;
- level files (sandbox.scenes.level_files): a dropped .toml played as a level;
- `level_writer` (sandbox.scenes.level_writer): Save as level, the teacher's level files.

One frame, top to bottom: `translate` turns an event into actions (the panels, the file
dialogs, the stage's input, then the plane's keys and mouse); `apply` sends each action through
the timeline's guard to the one controller that owns its type (`routes`, a table built from the
controllers); `update` trains (`model`, through the Session, which records the timeline), then
asks the Session for the derived geometry (`plane`: partition, counts, health, hover; the
Laplace fit; the 3D surface, probes and diagram) and places the stage's handles; `draw` renders
the plane and the stage views through their adapters in sandbox.render.

Nothing a user does may crash the scene or lose the painted points: refusals (the point cap, a
network past the region budget, a Laplace fit on one class) become messages, and a diverging
network is restored to its last good weights and paused.
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np
import pygame
import pygame_gui

from sandbox import actions as A
from sandbox.data import dataset_info, picture_source
from sandbox.io.files import stamped
from sandbox.render.plane_view import PlaneRenderer
from sandbox.scenes.base import Routes, Scene, build_routes
from sandbox.scenes.exchange import Exchange
from sandbox.scenes.inspector import InspectorController
from sandbox.scenes.level_files import LevelFiles
from sandbox.scenes.level_writer import LevelWriter
from sandbox.scenes.loading import kernels_compiling, kernels_ready
from sandbox.scenes.model import DEFAULT_POINTS, ModelController, preset_list
from sandbox.scenes.plane import DEFAULT_ZOOM, PlaneController
from sandbox.scenes.probe import ProbeController
from sandbox.scenes.reading import RegionReader
from sandbox.scenes.stage import Stage
from sandbox.scenes.stats import StatsController
from sandbox.scenes.timeline import TimelineController
from sandbox.scenes.torch_export import TorchExport
from sandbox.scenes.view3d import View3DController
from sandbox.scenes.workshop import Workshop
from sandbox.state import Toast
from sandbox.training_setup import new_points
from sandbox.ui import hud, presenter, region_card, stage_panels
from sandbox.ui.dialogs import dropped_file_action
from sandbox.ui.layout import compute_layout
from sandbox.ui.panels import SandboxPanels
from sandbox.ui.region_input import RegionInput
from sandbox.vocab import UI_SCALE_RANGE, Activation, Schedule, Task, View

if TYPE_CHECKING:
    from sandbox.app import App
    from sandbox.config import AppConfig
    from sandbox.ui.level_panels import LevelPanels

TOAST_SECONDS = 4.0
ERROR_SECONDS = 7.0


PREPARING_REGIONS = (
    "preparing the exact regions: only the first start compiles them (under a minute)"
)
PENDING_FRAME_S = 1 / 8  # the frame time while kernels compile in the background
PREPARING_TRAINING = (
    "First start: training runs at a slower pace until its fast kernel is compiled "
    "(under a minute)."
)


class SandboxScene(Scene):
    """The free sandbox."""

    name = "sandbox"

    def __init__(self, app: App, config: AppConfig) -> None:
        super().__init__(app)
        self.config = config
        self.session = self.state.session
        self.panels: SandboxPanels | LevelPanels | None = None
        self.model = ModelController(self)
        self.plane = PlaneController(self)
        self.view3d = View3DController(self)
        self.probe = ProbeController(self)
        self.inspector = InspectorController(self)
        self.reading = RegionReader(self)
        self.reading_input = RegionInput()
        self.timeline = TimelineController(self)
        self.stats = StatsController(self)
        self.stage = Stage(self)
        self.workshop = Workshop(self)
        self.exchange = Exchange(self)
        self.level_writer = LevelWriter(self)
        self.routes: Routes = build_routes(
            self.model,
            self.plane,
            self.view3d,
            self.probe,
            self.inspector,
            self.reading,
            self.timeline,
            self.stats,
            self.workshop,
            self.exchange,
            TorchExport(self),
            LevelFiles(self),
            self.level_writer,
        )
        self.routes.update(self.screen_routes())

    def screen_routes(self) -> Routes:
        """The screen's own actions (window, UI, help, screenshots, quitting)."""
        return {
            A.SetUiScale: self._on_ui_scale,
            A.ToggleUi: self._on_toggle_ui,
            A.Resize: lambda a: self.relayout((a.width, a.height)),
            A.ToggleHelp: self._on_toggle_help,
            A.Screenshot: self._on_screenshot,
            A.ScreenshotSaved: self._on_screenshot_saved,
            A.Quit: self._on_quit,
        }

    # ------------------------------------------------------------------ set-up
    def enter(self) -> None:
        s = self.state
        s.start_afresh()  # nothing of the screen before (a level's settings) carries over
        self.follow_kernels()
        cfg = self.config
        s.presets = preset_list()
        info = dataset_info(cfg.dataset)
        task = Task(info.task.value)
        s.settings = replace(
            s.settings,
            hidden=list(cfg.hidden),
            activation=Activation(cfg.activation or s.settings.activation),
            negative_slope=(
                cfg.negative_slope if cfg.negative_slope is not None else s.settings.negative_slope
            ),
            residual=bool(cfg.residual) if cfg.residual is not None else s.settings.residual,
            task=task,
            seed=cfg.seed,
            learning_rate=(
                cfg.learning_rate if cfg.learning_rate is not None else s.settings.learning_rate
            ),
            optimizer=cfg.optimizer or s.settings.optimizer,
            batch_size=cfg.batch_size or s.settings.batch_size,
            schedule=Schedule(cfg.schedule or s.settings.schedule),
            schedule_steps=cfg.schedule_steps or s.settings.schedule_steps,
        )
        s.preset = cfg.dataset
        s.data_seed = cfg.seed
        s.noise = cfg.noise if cfg.noise is not None else float(info.default_noise)
        s.n_preset = cfg.points if cfg.points is not None else DEFAULT_POINTS[task]
        s.resolution = cfg.resolution or s.resolution
        s.ui_scale = float(np.clip(cfg.ui_scale, *UI_SCALE_RANGE))
        s.show_ui = not cfg.hide_ui
        if cfg.views is not None:
            s.views = {View(v) for v in cfg.views}
        self.session.set_points(new_points(task, s.test_fraction, cfg.seed))
        self.model.load_preset(cfg.dataset)
        if cfg.points_file:
            self.exchange.import_points(cfg.points_file)
        self.relayout(s.layout.window)
        s.camera = self.plane.new_camera(cfg.zoom or DEFAULT_ZOOM)
        self.model.build_network()
        self.model.sync_data()
        if cfg.steps:
            self.model.train_now(cfg.steps)
        s.playing = bool(cfg.play)
        if not cfg.screenshot and not s.playing and not cfg.points_file:
            self.say(
                "Press Space to train. Paint points with the left mouse button (keys 1-6 pick "
                "the colour); H lists every key."
            )
        self.plane.renderer = PlaneRenderer(self.app.renderer)

    def build_ui(self, manager: pygame_gui.UIManager) -> None:
        self.panels = SandboxPanels(manager, self.state, self.retire_panels())
        self.workshop.build_ui(manager)
        self.stage.build_ui(manager)
        self.level_writer.build_ui(manager)

    def retire_panels(self) -> dict | None:
        """Clear the panels a rebuild replaces; returns the side heights they measured, for
        their successor (None when there were none)."""
        if self.panels is None:
            return None
        self.panels.clear()
        return self.panels.heights

    def exit(self) -> None:
        self.level_writer.exit()
        self.workshop.exit()
        self.stage.exit()
        if self.panels is not None:
            self.panels.clear()
            self.panels = None
        self.plane.release()

    # ------------------------------------------------------------------ events -> actions
    def translate(self, event: pygame.event.Event, consumed: bool) -> list[A.Action]:
        if event.type in (pygame.KEYDOWN, pygame.KEYUP) and self.esc_closes_a_card():
            # the help card or the shortcut overlay is up: keys go to it alone
            return [] if consumed else self.plane.input.card_key(event, self.state)
        out: list[A.Action] = []
        if self.panels is not None:
            out += self.panels.handle_event(event)
        out += self.workshop.translate(event)
        out += self.level_writer.translate(event)
        if event.type == pygame.DROPFILE:  # a file dropped on the window: open it by its kind
            out.append(dropped_file_action(str(event.file)))
        staged, claimed = self.stage.translate(event, consumed)
        out += staged
        if not claimed:
            read, claimed = self.reading_input.handle(event, self.state, consumed)
            out += read
        if not claimed:
            out += self.plane.input.handle(event, self.state, consumed)
        return out

    def esc_closes_a_card(self) -> bool:
        """Esc has a card or overlay to close first (help card, shortcut overlay), so a screen
        that sends Esc elsewhere (back to the menu) must leave it to the key mapping."""
        s = self.state
        return bool(s.show_help or s.workshop.shortcuts)

    def esc_is_taken(self) -> bool:
        """Esc closes something on this screen first (a card, the overlay, a region being
        read, the Read tool), so a screen that sends Esc elsewhere (back to the menu) must not."""
        return self.esc_closes_a_card() or self.state.reading.active or self.state.reading.tool

    # ------------------------------------------------------------------ services
    def say(self, text: str, kind: str = "info") -> None:
        seconds = ERROR_SECONDS if kind in ("error", "warn") else TOAST_SECONDS
        self.state.toast = Toast(text, kind, self.state.time + seconds)

    def relayout(self, window: tuple[int, int] | None = None) -> None:
        """Lay the window out again (a resize, the UI scale, a taller network panel)."""
        s = self.state
        window = s.layout.window if window is None else window
        picture = picture_source(s.preset) is not None
        s.layout = compute_layout(window, s.ui_scale, s.show_ui, len(s.settings.hidden), picture)
        self.after_layout()

    def follow_picture(self) -> None:
        """The toolbar's picture-only buttons (Error, Dots) come with a picture and go with it:
        the window is laid out again when the data turns into a picture or back."""
        s = self.state
        shown = "error" in s.layout.toolbar
        if s.layout.toolbar and shown != (picture_source(s.preset) is not None):
            self.relayout()

    def after_layout(self) -> None:
        s = self.state
        self.stage.ensure_layout()  # the 3D view, probe, inspector, timeline take their parts
        if s.camera is not None:
            _, _, w, h = s.layout.plane
            s.camera = s.camera.resized(max(1, w), max(1, h))

    def set_view(self, view: View, on: bool) -> None:
        self.plane.set_view(view, on)

    def stage_extras(self) -> dict[str, object]:
        """More for the stage views to show (StageContent fields; an experiment adds some)."""
        return {}

    def can_change_learning_rate(self) -> bool:
        """Whether the player can lower the learning rate here (a level may lock it)."""
        return True

    def train_now(self, steps: int) -> None:
        """Run `steps` training steps at once (the --steps option, the render command, scripts)."""
        self.model.train_now(steps)

    # ------------------------------------------------------------------ apply
    def apply(self, action: A.Action) -> None:
        if self.timeline.guard(action):
            return
        if isinstance(action, A.ToggleView | A.SetView):
            self.stage.view_rules(action)
        handler = self.routes.get(type(action))
        if handler is not None:
            handler(action)

    def _on_ui_scale(self, a: A.SetUiScale) -> None:
        s = self.state
        scale = float(np.clip(a.scale, *UI_SCALE_RANGE))
        if scale != s.ui_scale:
            s.ui_scale = scale
            self.relayout()
            if s.scale < scale:
                self.say(
                    f"UI {scale:g}x does not fit this window; using {s.scale:g}x until the "
                    "window is larger."
                )

    def _on_toggle_ui(self, a: A.ToggleUi) -> None:
        self.state.show_ui = not self.state.show_ui
        self.relayout()

    def _on_toggle_help(self, a: A.ToggleHelp) -> None:
        s = self.state
        page = a.page if a.page in ("keys", "guide") else "keys"
        s.show_help = not (s.show_help and s.help_page == page)
        s.help_page = page

    def _on_screenshot(self, a: A.Screenshot) -> None:
        path = a.path or str(stamped("neural-origami", ".png"))
        self.state.screenshot_request = path

    def _on_screenshot_saved(self, a: A.ScreenshotSaved) -> None:
        self.state.screenshot_request = None
        self.say(a.message, "info" if a.ok else "error")

    def _on_quit(self, a: A.Quit) -> None:
        self.state.quit = True

    # ------------------------------------------------------------------ frame
    def update(self, dt: float) -> None:
        s = self.state
        s.session.memo.new_frame()  # one expensive rebuild per frame while training (Memo)
        self.follow_kernels()
        if (s.session.geometry_pending or s.session.training_pending) and dt < PENDING_FRAME_S:
            # 8 frames a second leave the cores to the compilers (software OpenGL draws on the
            # CPU; a first start only)
            time.sleep(PENDING_FRAME_S - dt)
        self.follow_picture()
        t0 = time.perf_counter()
        self.model.train_frame()
        t1 = time.perf_counter()
        self.model.read_metrics()
        self.plane.update_geometry()
        self.reading.update(dt)
        t2 = time.perf_counter()
        self.model.update_laplace()
        self.plane.update_health()
        self.plane.update_hover()
        self.stats.update(dt)
        t3 = time.perf_counter()
        s.timings["train"] = t1 - t0
        s.timings["geometry"] = t2 - t1
        s.timings["laplace"] = t3 - t2
        self.update_stage(dt)
        if self.panels is not None:
            self.panels.sync(s)
        self.workshop.update(dt)

    def follow_kernels(self) -> None:
        """On a first start the screen opens while the kernels still compile: until they are
        loaded the session calls no region kernel (the kernels' plain-Python twins make the
        partitions while they compile) and takes no numba training step, and says why
        (Session.geometry_pending, geometry_twins, training_pending)."""
        session = self.state.session
        ready = kernels_ready(self.app, "geometry")
        session.geometry_pending = "" if ready else PREPARING_REGIONS
        session.geometry_twins = kernels_compiling(self.app)
        ready = kernels_ready(self.app, "training")
        session.training_pending = "" if ready else PREPARING_TRAINING

    def update_stage(self, dt: float) -> None:
        """The views that look closer: layout, timeline, 3D surface, probe, inspector."""
        s = self.state
        t0 = time.perf_counter()
        self.stage.ensure_layout()
        self.timeline.update(dt)
        self.inspector.update_tint()
        self.view3d.update(dt)
        self.probe.update(dt)
        self.inspector.update(dt)
        self.view3d.update_cursor()
        self.stage.update_handles()
        s.timings["stage"] = time.perf_counter() - t0
        self.stage.sync_panels()

    # ------------------------------------------------------------------ drawing
    def draw(self) -> None:
        if not self.stage.hides_2d():
            self.plane.draw()
        self.stage.draw()
        self.workshop.after_draw()

    def draw_underlay(self, surface: pygame.Surface) -> None:
        s = self.state
        scale = s.scale
        if not self.stage.hides_2d():
            hud.draw_captions(surface, s, scale)
        # no brush ring while panning, while a selected neuron's crease takes the mouse, or
        # while a click reads a region
        grabbing = s.stage.selected is not None and View.INSPECTOR in s.views
        reads = s.reading.active or s.reading.tool
        if not self.plane.input.drag == "pan" and not grabbing and not reads:
            hud.draw_brush(surface, s, scale)
        hud.draw_hover(surface, s, scale, avoid=self.draw_reading(surface))
        self.stage.draw_overlay(surface)
        hud.draw_toast(surface, s, scale)
        self.workshop.draw_underlay(surface)

    def draw_reading(self, surface: pygame.Surface) -> list[pygame.Rect]:
        """The card of the region being read; the rectangles the hover readout keeps clear of."""
        rect = region_card.draw_region_card(surface, self.state)
        return [] if rect is None else [rect]

    def draw_overlay(self, surface: pygame.Surface) -> None:
        s = self.state
        hud.draw_help(surface, s, s.scale)
        self.workshop.draw_overlay(surface)

    def pointer_marks(self) -> tuple[tuple, list[tuple[int, int, int, int]] | None]:
        s = self.state
        card = region_card.card_layout(s)  # the hover readout keeps clear of it
        return hud.pointer_key(s), hud.pointer_rects(
            s, s.scale, [] if card is None else [card.rect]
        )

    def hud_key(self) -> tuple:
        s = self.state
        grabbing = s.stage.selected is not None and View.INSPECTOR in s.views
        return (
            hud.hud_key(s, s.scale),
            self.plane.input.drag == "pan",
            grabbing,
            self.stage.hides_2d(),
            stage_panels.overlay_key(s),
            presenter.workshop_key(s),
            region_card.card_key(s),
        )
