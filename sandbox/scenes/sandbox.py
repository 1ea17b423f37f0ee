"""The sandbox screen: paint data, train live, and see regions, creases, boundary and confidence.

`SandboxScene` owns the state while it is active. Each frame it applies the actions from the
panels and the plane, pushes changed points to the trainer, trains for the speed setting's steps
(or as many as fit the frame budget, flat out), reads the metrics a few times a second, and
recomputes the exact partition of the visible window only when the weights or the view changed.
The Laplace posterior is refitted only when a view or the hover readout needs it. Drawing is
delegated to `PlaneRenderer` (sandbox.scenes.plane), which feeds the render passes arrays.

Nothing a user does may crash the scene or lose the painted points: refusals (the point cap, a
network past the region budget, a Laplace fit on one class) become messages, and a diverging
network is restored to its last good weights and paused.
"""

from __future__ import annotations

import copy
import math
import time
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pygame

from sandbox import actions as A
from sandbox.io.files import stamped
from sandbox.scenes import backend
from sandbox.scenes.base import Scene
from sandbox.scenes.closer import Closer
from sandbox.scenes.sharing import Workshop
from sandbox.state import GeometryStats, HoverInfo, Metrics, Toast
from sandbox.ui.input import InputMapper
from sandbox.ui.layout import compute_layout
from sandbox.vocab import (
    BRUSH_DENSITY_RANGE,
    BRUSH_RADIUS_RANGE,
    FAR_ZOOM,
    L2_MAX,
    LR_MAX,
    LR_SLIDER_RANGE,
    MAX_HIDDEN_LAYERS,
    MAX_WIDTH_UI,
    MIN_HIDDEN_LAYERS,
    MIN_WIDTH,
    NOISE_RANGE,
    PRIOR_RANGE,
    SPEEDS,
    TEST_FRACTION_UI_MAX,
    UI_SCALE_RANGE,
    Optimizer,
    Task,
    View,
)

if TYPE_CHECKING:
    from sandbox.app import App
    from sandbox.config import AppConfig

DEFAULT_ZOOM = 0.9
MAX_WEIGHT_EDITS = 100
METRICS_INTERVAL = 0.1
HEALTH_INTERVAL = 0.5
TOAST_SECONDS = 4.0
ERROR_SECONDS = 7.0
DEFAULT_POINTS = {Task.CLASSIFICATION: 400, Task.REGRESSION: 1000}
DEFAULT_PRESET = {Task.CLASSIFICATION: "ring", Task.REGRESSION: "disk"}


@dataclass(frozen=True)
class WeightEdit:
    """A hand edit of the weights (a crease dragged or turned, a neuron's a, b, c set): the
    parameters before and after it, and the points' version it was made on."""

    version: int
    before: np.ndarray
    after: np.ndarray
    key: Any = None


@dataclass(frozen=True)
class PresetSource:
    """Where generated points came from; the point set keeps it in its undo history, so undoing
    a preset brings back the preset box, noise and seed that made the points on screen."""

    name: str
    noise: float
    data_seed: int
    n_preset: int


class SandboxScene(Scene):
    """The free sandbox."""

    name = "sandbox"

    def __init__(self, app: App, config: AppConfig) -> None:
        super().__init__(app)
        self.config = config
        self.input = InputMapper()
        self.panels: Any = None
        self.plane: Any = None
        self._stash: dict[Task, Any] = {}
        self._weight_undo: list[WeightEdit] = []  # crease edits, newest last (see _on_Undo)
        self._weight_redo: list[WeightEdit] = []
        self._pushed_points = -1
        self._geom_key: tuple = ()
        self._laplace_key: tuple = ()
        self._hover_key: tuple = ()
        self._metrics_time = -1.0
        self._health_time = -1.0
        self._health_key: tuple = ()
        self._preset_version = -1
        self._stroke_active = False
        self._last_step_count = -1
        self._cap_warned_at = -10.0
        self._laplace_error = ""
        self.workshop = Workshop(self)  # scene files, weights, recording, presenter mode
        self.closer = Closer(self)  # 3D view, ray probe, inspector, training timeline

    # ------------------------------------------------------------------ set-up
    def enter(self) -> None:
        s = self.state
        s.start_afresh()  # nothing of the screen before (a level's settings) carries over
        cfg = self.config
        s.presets = tuple(backend.preset_list())
        info = backend.dataset_info(cfg.dataset)
        task = Task(info.task.value)
        s.settings = replace(
            s.settings,
            hidden=list(cfg.hidden),
            task=task,
            seed=cfg.seed,
            learning_rate=(
                cfg.learning_rate if cfg.learning_rate is not None else s.settings.learning_rate
            ),
            optimizer=cfg.optimizer or s.settings.optimizer,
            batch_size=cfg.batch_size or s.settings.batch_size,
        )
        s.preset = cfg.dataset
        s.data_seed = cfg.seed
        s.noise = cfg.noise if cfg.noise is not None else float(info.default_noise)
        s.n_preset = cfg.points if cfg.points is not None else DEFAULT_POINTS[task]
        s.ui_scale = float(np.clip(cfg.ui_scale, *UI_SCALE_RANGE))
        s.show_ui = not cfg.hide_ui
        if cfg.views is not None:
            s.views = {View(v) for v in cfg.views}
        s.points = backend.new_points(task, s.test_fraction, cfg.seed)
        self._load_preset(cfg.dataset)
        self._relayout(s.layout.window)
        s.camera = backend.new_camera(s.layout.plane, cfg.zoom or DEFAULT_ZOOM)
        self._build_network(fresh=True)
        self._sync_data()
        if cfg.steps:
            self.train_now(cfg.steps)
        s.playing = bool(cfg.play)
        if not cfg.screenshot and not s.playing:
            self.say(
                "Press Space to train. Paint points with the left mouse button (keys 1-6 pick "
                "the colour); H lists every key."
            )
        from sandbox.scenes.plane import PlaneRenderer

        self.plane = PlaneRenderer(self.app.renderer)

    def build_ui(self, manager: Any) -> None:
        from sandbox.ui.panels import SandboxPanels

        if self.panels is not None:
            self.panels.clear()
        self.panels = SandboxPanels(manager, self.state)
        self.workshop.build_ui(manager)
        self.closer.build_ui(manager)

    def exit(self) -> None:
        self.workshop.exit()
        self.closer.exit()
        if self.panels is not None:
            self.panels.clear()
            self.panels = None
        if self.plane is not None:
            self.plane.release()
            self.plane = None

    # ------------------------------------------------------------------ events -> actions
    def translate(self, event: pygame.event.Event, consumed: bool) -> list[A.Action]:
        if event.type in (pygame.KEYDOWN, pygame.KEYUP) and self.esc_closes_a_card():
            # the help card or the shortcut overlay is up: keys go to it alone
            return [] if consumed else self.input.card_key(event, self.state)
        out: list[A.Action] = []
        if self.panels is not None:
            out += self.panels.handle_event(event)
        out += self.workshop.translate(event)
        closer, claimed = self.closer.translate(event, consumed)
        out += closer
        if not claimed:
            out += self.input.handle(event, self.state, consumed)
        return out

    def esc_closes_a_card(self) -> bool:
        """Esc has a card or overlay to close first (help card, shortcut overlay), so a screen
        that sends Esc elsewhere (back to the menu) must leave it to the key mapping."""
        s = self.state
        return bool(s.show_help or s.workshop.shortcuts)

    # ------------------------------------------------------------------ helpers
    def say(self, text: str, kind: str = "info") -> None:
        seconds = ERROR_SECONDS if kind in ("error", "warn") else TOAST_SECONDS
        self.state.toast = Toast(text, kind, self.state.time + seconds)

    def _plane_local(self, pos: tuple[float, float]) -> tuple[float, float]:
        x, y, _, _ = self.state.layout.plane
        return (pos[0] - x, pos[1] - y)

    def split_active(self) -> bool:
        s = self.state
        return View.SPLIT in s.views and s.task is Task.CLASSIFICATION

    def views(self) -> list[tuple[Any, float]]:
        """The cameras drawn side by side (one, or two in split view) and their x offsets."""
        cam = self.state.camera
        if not self.split_active():
            return [(cam, 0.0)]
        return [(v, float(x)) for v, x in backend.split_views(cam)]

    def _view_at(self, pos: tuple[float, float]) -> tuple[Any, tuple[float, float]]:
        """The camera under a window position and the position in its own pixels."""
        lx, ly = self._plane_local(pos)
        views = self.views()
        view, x0 = views[0]
        for v, x in views:
            if lx >= x:
                view, x0 = v, x
        return view, (lx - x0, ly)

    def _to_world(self, pos: tuple[float, float]) -> np.ndarray:
        view, local = self._view_at(pos)
        return view.screen_to_world(np.asarray(local, np.float64))

    def _relayout(self, window: tuple[int, int]) -> None:
        s = self.state
        s.layout = compute_layout(window, s.ui_scale, s.show_ui, len(s.settings.hidden))
        self.closer.ensure_layout()  # the 3D view, probe, inspector, timeline take their parts
        if s.camera is not None:
            _, _, w, h = s.layout.plane
            s.camera = s.camera.resized(max(1, w), max(1, h))
        s.view_version += 1

    def _bump_weights(self) -> None:
        self.state.weights_version += 1

    # ------------------------------------------------------------------ data
    def _load_preset(self, name: str, coalesce: bool = False) -> bool:
        s = self.state
        try:
            info = backend.dataset_info(name)
        except ValueError as exc:
            self.say(str(exc), "error")
            return False
        task = Task(info.task.value)
        if task is not s.task:
            self._switch_task(task, load_default=False)
            if self.config.points is None:
                s.n_preset = DEFAULT_POINTS[task]
        n = s.n_preset
        try:
            X, y = backend.make_dataset(name, n, min(s.noise, NOISE_RANGE[1]), s.data_seed)
        except ValueError as exc:
            self.say(str(exc), "error")
            return False
        pts = s.points
        if coalesce and self._preset_version == pts.version and pts.can_undo:
            pts.undo()  # one undo step for a whole slider drag, not one per pixel
        try:
            pts.replace(X, y, source=PresetSource(name, float(s.noise), int(s.data_seed), n))
        except ValueError as exc:
            self.say(str(exc), "error")
            return False
        self._preset_version = pts.version
        s.preset = name
        s.settings_version += 1
        return True

    def _follow_source(self) -> None:
        """Show the preset, noise and seed that made the points now on screen (after undo, redo
        or a task switch brought other points back)."""
        s = self.state
        src = s.points.source
        if isinstance(src, PresetSource):
            s.preset, s.noise, s.data_seed, s.n_preset = (
                src.name, src.noise, src.data_seed, src.n_preset
            )  # fmt: skip
            s.settings_version += 1

    def _switch_task(self, task: Task, load_default: bool = True) -> None:
        s = self.state
        if task is s.task:
            return
        self._stash[s.task] = s.points
        s.playing = False
        s.settings = replace(s.settings, task=task)
        if task in self._stash:
            s.points = self._stash.pop(task)
            self._follow_source()
        else:
            s.points = backend.new_points(task, s.test_fraction, s.data_seed)
            if load_default:
                s.n_preset = DEFAULT_POINTS[task]
                s.noise = 0.0
                self._load_preset(DEFAULT_PRESET[task])
        s.selected_class = 0
        s.laplace = None
        if s.net is not None:
            self._build_network(fresh=True)
        s.settings_version += 1

    def _sync_data(self) -> None:
        """Push changed points to the trainer; the output layer follows the data's classes."""
        s = self.state
        pts = s.points
        if pts.version == self._pushed_points and s.trainer is not None:
            return
        # outputs follow the classes of the data: a new class widens the output layer first
        # (the trainer checks labels against it); a class gone removes its output, so the plane
        # never predicts a class with no point (an imported network keeps its outputs until its
        # data changes)
        n_out = backend.outputs_needed(pts)
        if n_out > s.net.n_out:
            self._resize_network(s.settings.hidden, n_out)
        backend.push_data(s.trainer, pts)
        if n_out < s.net.n_out:  # after the push: the trainer checks its labels fit
            self._resize_network(s.settings.hidden, n_out)
        self._pushed_points = pts.version
        s.data_version += 1
        s.laplace = None
        self._laplace_key = ()
        self._health_key = ()
        self._metrics_time = -1.0

    def _brush_world_radius(self, pos: tuple[float, float]) -> float:
        view, _ = self._view_at(pos)
        return float(self.state.brush_radius_px) / view.pixels_per_unit

    def _paint(self, action: A.Paint) -> None:
        s = self.state
        pts = s.points
        if action.phase is A.Phase.BEGIN:
            pts.begin_stroke()
            self._stroke_active = True
        if action.phase is A.Phase.END:
            pts.end_stroke()
            self._stroke_active = False
            return
        if not s.layout.in_plane(action.pos):
            return
        radius = self._brush_world_radius(action.pos)
        label: Any = s.selected_class if s.task is Task.CLASSIFICATION else s.paint_value
        # density is "points per dab": spread over the brush disk in world units
        density = s.brush_density / (math.pi * radius * radius)
        try:
            backend.brush(pts, self._to_world(action.pos), radius, density, label)
        except ValueError as exc:
            if s.time - self._cap_warned_at > 2.0:
                self._cap_warned_at = s.time
                self.say(str(exc), "warn")

    def _erase(self, action: A.Erase) -> None:
        pts = self.state.points
        if action.phase is A.Phase.BEGIN:
            pts.begin_stroke()
            self._stroke_active = True
        if action.phase is A.Phase.END:
            pts.end_stroke()
            self._stroke_active = False
            return
        pts.erase(self._to_world(action.pos), self._brush_world_radius(action.pos))

    # ------------------------------------------------------------------ network
    def _sizes(self, hidden: list[int], n_out: int | None = None) -> list[int]:
        if n_out is None:
            n_out = backend.outputs_needed(self.state.points)
        return [2, *hidden, n_out]

    def _build_network(self, fresh: bool, net: Any = None, n_out: int | None = None) -> None:
        """A new trainer on a fresh network (`n_out` outputs, default: the data's), or on `net`
        (a loaded or imported one)."""
        s = self.state
        st = s.settings
        if net is None:
            net = backend.new_network(self._sizes(st.hidden, n_out), st.seed)
        s.net = net
        s.trainer = backend.new_trainer(net, s.points, st)
        self._pushed_points = s.points.version
        s.history.clear()
        s.metrics = Metrics()
        s.diverged = ""
        s.laplace = None
        self._laplace_key = ()
        self._metrics_time = -1.0
        self._last_step_count = -1
        s.layer_view = min(s.layer_view, len(st.hidden) - 1) if s.layer_view else 0
        self._bump_weights()

    def _resize_network(self, hidden: list[int], n_out: int | None = None) -> None:
        s = self.state
        n_out = backend.outputs_needed(s.points) if n_out is None else n_out
        s.net = backend.resize(s.trainer, hidden, n_out, s.settings.seed)
        layers_changed = len(hidden) != len(s.settings.hidden)
        s.settings = replace(s.settings, hidden=list(hidden))
        if layers_changed:
            # a taller network panel may need a smaller UI scale to fit the window
            self._relayout(s.layout.window)
        s.laplace = None
        self._laplace_key = ()
        if s.layer_view >= len(hidden):
            s.layer_view = 0
        s.settings_version += 1
        self._bump_weights()

    def train_now(self, steps: int) -> None:
        """Run `steps` training steps at once (the --steps option and scripted tests)."""
        s = self.state
        self._sync_data()
        done = 0
        # about a hundred chunks, so the loss chart has a curve to show
        per_chunk = max(1, min(500, steps // 100))
        while done < steps:
            chunk = min(per_chunk, steps - done)
            self.closer.train(chunk)  # records the timeline's snapshots
            done += chunk
            if self._check_divergence():
                break
            s.history.append(*self._loss_sample())
        self._bump_weights()
        self._read_metrics(force=True)

    def _loss_sample(self) -> tuple[int, float, float]:
        m = backend.metrics(self.state.trainer)
        return m.step, m.train_loss, m.test_loss

    def _check_divergence(self) -> bool:
        s = self.state
        msg = backend.diverged(s.trainer)
        if msg and not s.diverged:
            s.diverged = msg
            s.playing = False
            self.say(self._diverged_message(), "error")
            self._bump_weights()  # the picture shows the restored weights
            self._read_metrics(force=True)  # and so do the readouts
            return True
        if not msg:
            s.diverged = ""
        return bool(msg)

    def _diverged_message(self) -> str:
        """What happened and what to change, with the numbers to change it to."""
        from sandbox.nn.trainer import plain_number

        lr = self.state.settings.learning_rate
        return (
            f"The learning rate is too high ({plain_number(lr)}): the network blew up. It is "
            "back to its last good weights and paused. Lower the learning rate (try "
            f"{plain_number(lr / 10)}), then press Space."
        )

    def can_change_learning_rate(self) -> bool:
        """Whether the player can lower the learning rate here (a level may lock it)."""
        return True

    # ------------------------------------------------------------------ apply
    def apply(self, action: A.Action) -> None:
        if self.closer.apply(action):
            return
        handler = getattr(self, "_on_" + type(action).__name__, None)
        if handler is not None:
            handler(action)
        else:
            self.workshop.apply(action)

    def _on_Paint(self, a: A.Paint) -> None:
        self._paint(a)

    def _on_Erase(self, a: A.Erase) -> None:
        self._erase(a)

    def _on_SelectClass(self, a: A.SelectClass) -> None:
        s = self.state
        if s.task is Task.CLASSIFICATION and 0 <= a.label < backend.MAX_CLASSES:
            s.selected_class = int(a.label)

    def _on_SetBrushSize(self, a: A.SetBrushSize) -> None:
        self.state.brush_radius_px = float(np.clip(a.radius_px, *BRUSH_RADIUS_RANGE))

    def _on_SetBrushDensity(self, a: A.SetBrushDensity) -> None:
        self.state.brush_density = int(np.clip(a.density, *BRUSH_DENSITY_RANGE))

    def _on_SetPaintValue(self, a: A.SetPaintValue) -> None:
        self.state.paint_value = float(np.clip(a.value, 0.0, 1.0))

    def note_weights_edit(self, before: np.ndarray, after: np.ndarray, key: Any = None) -> None:
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

    def _swap_weights(self, source: list, target: list, forward: bool) -> bool:
        """Undo (or redo) the newest hand edit of the weights when nothing changed since: the
        same points, and the weights as that edit left them (no training since)."""
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
        backend.weights_edited(s.trainer)
        s.playing = False
        self.closer._bump()
        target.append(edit)
        return True

    def _on_Undo(self, a: A.Undo) -> None:
        # the newest step first: a crease drag (when nothing changed since), else the points
        if self._swap_weights(self._weight_undo, self._weight_redo, forward=False):
            self.say("Undid the crease edit. Ctrl+Y puts it back.")
            return
        if not self.state.points.undo():
            self.say("Nothing to undo.")
        self._follow_source()

    def _on_Redo(self, a: A.Redo) -> None:
        if self._swap_weights(self._weight_redo, self._weight_undo, forward=True):
            self.say("Redid the crease edit.")
            return
        if not self.state.points.redo():
            self.say("Nothing to redo.")
        self._follow_source()

    def _on_ClearPoints(self, a: A.ClearPoints) -> None:
        if self.state.points.clear():
            self.say("Cleared every point. Ctrl+Z brings them back.")

    def _on_LoadPreset(self, a: A.LoadPreset) -> None:
        # another data set is another problem: a fresh network (step 0) with the data's outputs
        if self._load_preset(a.name):
            self._build_network(fresh=True)

    def _on_SetNoise(self, a: A.SetNoise) -> None:
        s = self.state
        s.noise = float(np.clip(a.noise, *NOISE_RANGE))
        self._load_preset(s.preset, coalesce=True)

    def _on_NewDataSeed(self, a: A.NewDataSeed) -> None:
        self.state.data_seed += 1
        self._load_preset(self.state.preset)

    def _on_SetTestFraction(self, a: A.SetTestFraction) -> None:
        self.state.test_fraction = float(np.clip(a.fraction, 0.0, TEST_FRACTION_UI_MAX))
        self.state.points.set_test_fraction(self.state.test_fraction)

    def _on_Pan(self, a: A.Pan) -> None:
        cam = self.state.camera
        pos = self.input.last_pos or (0.0, 0.0)
        view = copy.copy(self._view_at(pos)[0])
        view.pan_pixels(a.dx, a.dy)
        cam.center = view.center
        self.state.view_version += 1

    def _on_ZoomAt(self, a: A.ZoomAt) -> None:
        if a.factor > 0 and math.isfinite(a.factor):
            cam = self.state.camera
            view, local = self._view_at(a.pos)
            view = copy.copy(view)
            view.zoom_at(local, a.factor)
            cam.center, cam.zoom = view.center, view.zoom
            self.state.view_version += 1

    def _on_ZoomOutFar(self, a: A.ZoomOutFar) -> None:
        s = self.state
        cam = s.camera
        if s.far_return is None:
            s.far_return = (cam.center[0], cam.center[1], cam.zoom)
            cam.center = (0.0, 0.0)
            cam.zoom = FAR_ZOOM
            self.say(
                "Far out: the data is the small patch in the middle. Switch on Laplace (L) and "
                "compare how sure the network is out here."
            )
        else:
            cx, cy, z = s.far_return
            cam.center = (cx, cy)
            cam.zoom = z
            s.far_return = None
        s.view_version += 1

    def _on_ResetView(self, a: A.ResetView) -> None:
        s = self.state
        s.camera.center = (0.0, 0.0)
        s.camera.zoom = DEFAULT_ZOOM
        s.far_return = None
        s.view_version += 1

    def _on_Hover(self, a: A.Hover) -> None:
        self.state.hover_pos = a.pos
        if a.pos is None:
            self.state.hover = None

    def _on_ToggleView(self, a: A.ToggleView) -> None:
        try:
            view = View(a.name)
        except ValueError:
            return
        self._set_view(view, view not in self.state.views)

    def _on_SetView(self, a: A.SetView) -> None:
        try:
            self._set_view(View(a.name), a.on)
        except ValueError:
            return

    def _set_view(self, view: View, on: bool) -> None:
        s = self.state
        if on:
            s.views.add(view)
            if view is View.LAPLACE:
                s.views.discard(View.SPLIT)
            elif view is View.SPLIT:
                s.views.discard(View.LAPLACE)
            if view in (View.LAPLACE, View.SPLIT) and s.task is Task.REGRESSION:
                self.say("Laplace confidence is shown for classification; pictures show grey.")
        else:
            s.views.discard(view)
        s.settings_version += 1

    def _on_ToggleDiscretise(self, a: A.ToggleDiscretise) -> None:
        self.state.discretise = not self.state.discretise

    def _on_SetLayerView(self, a: A.SetLayerView) -> None:
        n = len(self.state.settings.hidden)
        layer = int(a.layer)
        self.state.layer_view = 0 if layer <= 0 or layer >= n else layer

    def _on_CycleLayerView(self, a: A.CycleLayerView) -> None:
        n = len(self.state.settings.hidden)
        # cycle 1, 2, ..., n-1, Joint (layer n is the joint partition)
        current = self.state.layer_view or n
        nxt = (current - 1 + a.step) % n + 1
        self.state.layer_view = 0 if nxt == n else nxt
        if View.REGIONS not in self.state.views and self.state.layer_view:
            self._set_view(View.REGIONS, True)

    def _on_AddLayer(self, a: A.AddLayer) -> None:
        hidden = list(self.state.settings.hidden)
        if len(hidden) >= MAX_HIDDEN_LAYERS:
            self.say(f"At most {MAX_HIDDEN_LAYERS} hidden layers.", "warn")
            return
        self._resize_network([*hidden, min(hidden[-1], MAX_WIDTH_UI)])

    def _on_RemoveLayer(self, a: A.RemoveLayer) -> None:
        hidden = list(self.state.settings.hidden)
        if len(hidden) <= MIN_HIDDEN_LAYERS:
            self.say("The network needs at least one hidden layer.", "warn")
            return
        self._resize_network(hidden[:-1])

    def _on_SetWidth(self, a: A.SetWidth) -> None:
        hidden = list(self.state.settings.hidden)
        if not 0 <= a.layer < len(hidden):
            return
        width = int(np.clip(a.width, MIN_WIDTH, max(MAX_WIDTH_UI, hidden[a.layer])))
        if width != hidden[a.layer]:
            hidden[a.layer] = width
            self._resize_network(hidden)

    def _on_SetTask(self, a: A.SetTask) -> None:
        try:
            task = Task(a.task)
        except ValueError:
            return
        self._switch_task(task)

    def _on_SetOptimizer(self, a: A.SetOptimizer) -> None:
        s = self.state
        if a.name in tuple(Optimizer) and a.name != s.settings.optimizer:
            s.settings = replace(s.settings, optimizer=a.name)
            backend.set_optimizer(s.trainer, a.name)
            s.settings_version += 1

    def _on_SetLearningRate(self, a: A.SetLearningRate) -> None:
        s = self.state
        if not (math.isfinite(a.learning_rate) and a.learning_rate > 0):
            return
        # the slider stops at LR_SLIDER_RANGE; scripts and levels may go higher (divergence)
        lr = float(np.clip(a.learning_rate, LR_SLIDER_RANGE[0], LR_MAX))
        s.settings = replace(s.settings, learning_rate=lr)
        backend.set_lr(s.trainer, lr)

    def _on_SetBatchSize(self, a: A.SetBatchSize) -> None:
        s = self.state
        s.settings = replace(s.settings, batch_size=max(1, int(a.batch_size)))
        backend.set_batch_size(s.trainer, s.settings.batch_size)

    def _on_SetL2(self, a: A.SetL2) -> None:
        s = self.state
        s.settings = replace(s.settings, l2=float(np.clip(a.l2, 0.0, L2_MAX)))
        backend.set_l2(s.trainer, s.settings.l2)

    def _on_TogglePlay(self, a: A.TogglePlay) -> None:
        self._set_playing(not self.state.playing)

    def _on_SetPlaying(self, a: A.SetPlaying) -> None:
        self._set_playing(a.playing)

    def _set_playing(self, on: bool) -> None:
        s = self.state
        if on and len(s.points) == 0:
            self.say("Paint some points first (left drag on the plane), then press Space.")
            return
        if on and s.diverged:
            if backend.diverged(s.trainer) and self.can_change_learning_rate():
                # nothing was changed: the same rate would blow up again (or, worse, quietly
                # kill neurons before it does)
                self.say(self._diverged_message(), "error")
                return
            backend.clear_divergence(s.trainer)
            s.diverged = ""
        s.playing = on

    def _on_StepOnce(self, a: A.StepOnce) -> None:
        s = self.state
        s.playing = False
        self._sync_data()
        if s.diverged:
            backend.clear_divergence(s.trainer)
            s.diverged = ""
        self.closer.train(1)
        self._check_divergence()
        self._bump_weights()
        self._read_metrics(force=True)

    def _on_ResetNetwork(self, a: A.ResetNetwork) -> None:
        s = self.state
        seed = s.settings.seed + 1 if a.seed is None else int(a.seed)
        s.settings = replace(s.settings, seed=seed)
        self._build_network(fresh=True)  # fresh weights; the outputs follow the data's classes
        self.say(f"Fresh weights (seed {seed}).")

    def _on_SetSpeed(self, a: A.SetSpeed) -> None:
        self.state.speed = int(np.clip(a.level, 0, len(SPEEDS) - 1))

    def _on_ChangeSpeed(self, a: A.ChangeSpeed) -> None:
        self.state.speed = int(np.clip(self.state.speed + a.step, 0, len(SPEEDS) - 1))

    def _on_SetPriorPrecision(self, a: A.SetPriorPrecision) -> None:
        s = self.state
        if math.isfinite(a.value) and a.value > 0:
            s.prior_precision = float(np.clip(a.value, *PRIOR_RANGE))

    def _on_OptimizePrior(self, a: A.OptimizePrior) -> None:
        s = self.state
        la = self._laplace(force=True)
        if la is None:
            self.say(self._laplace_error or "Laplace needs a classification network.", "warn")
            return
        try:
            value = backend.optimize_prior(la)
        except (ValueError, ArithmeticError) as exc:
            self.say(f"Could not optimise the prior precision: {exc}", "warn")
            return
        # the state is the one source of truth: the optimiser's bounds are wider than the
        # slider's, so the value is clipped first and the fitted posterior is given that same
        # value (the shading, slider, caption and message then all show one number)
        s.prior_precision = float(np.clip(value, *PRIOR_RANGE))
        la.prior_precision = s.prior_precision
        self._laplace_key = (s.weights_version, s.data_version, s.prior_precision)
        if s.prior_precision != value:
            end = "smallest" if value < s.prior_precision else "largest"
            self.say(
                f"Prior precision {s.prior_precision:.3g}: the {end} the slider allows (the data "
                f"would support {value:.3g})."
            )
        else:
            self.say(f"Prior precision {s.prior_precision:.3g}: the value the data supports best.")

    def _on_SetUiScale(self, a: A.SetUiScale) -> None:
        s = self.state
        scale = float(np.clip(a.scale, *UI_SCALE_RANGE))
        if scale != s.ui_scale:
            s.ui_scale = scale
            self._relayout(s.layout.window)
            if s.scale < scale:
                self.say(
                    f"UI {scale:g}x does not fit this window; using {s.scale:g}x until the "
                    "window is larger."
                )

    def _on_ToggleUi(self, a: A.ToggleUi) -> None:
        self.state.show_ui = not self.state.show_ui
        self._relayout(self.state.layout.window)

    def _on_Resize(self, a: A.Resize) -> None:
        self._relayout((a.width, a.height))

    def _on_ToggleHelp(self, a: A.ToggleHelp) -> None:
        self.state.show_help = not self.state.show_help

    def _on_Screenshot(self, a: A.Screenshot) -> None:
        path = a.path or str(stamped("neural-origami", ".png"))
        self.state.screenshot_request = path

    def _on_ScreenshotSaved(self, a: A.ScreenshotSaved) -> None:
        self.state.screenshot_request = None
        self.say(a.message, "info" if a.ok else "error")

    def _on_Quit(self, a: A.Quit) -> None:
        self.state.quit = True

    # ------------------------------------------------------------------ frame
    def update(self, dt: float) -> None:
        s = self.state
        t0 = time.perf_counter()
        self._sync_data()
        if s.playing and s.trainer is not None:
            steps = s.steps_per_frame
            if steps:
                self.closer.train(steps)
            else:
                self.closer.train_for(s.train_budget_s)
            if not self._check_divergence():
                self._bump_weights()
        t1 = time.perf_counter()
        self._read_metrics()
        self._update_geometry()
        t2 = time.perf_counter()
        self._update_laplace()
        self._update_health()
        self._update_hover()
        t3 = time.perf_counter()
        s.timings["train"] = t1 - t0
        s.timings["geometry"] = t2 - t1
        s.timings["laplace"] = t3 - t2
        self.closer.update(dt)
        if self.panels is not None:
            self.panels.sync(s)
        self.workshop.update(dt)

    def _read_metrics(self, force: bool = False) -> None:
        s = self.state
        if not force and s.time - self._metrics_time < METRICS_INTERVAL:
            return
        self._metrics_time = s.time
        m = backend.metrics(s.trainer)
        s.metrics = m
        if m.step != self._last_step_count:
            self._last_step_count = m.step
            s.history.append(m.step, m.train_loss, m.test_loss)

    def bounds(self) -> tuple[float, float, float, float]:
        """The visible window (xmin, xmax, ymin, ymax) with a pixel of margin."""
        boxes = [v.world_bounds() for v, _ in self.views()]
        m = 2.0 / min(v.pixels_per_unit for v, _ in self.views())
        xmin = min(b[0] for b in boxes) - m
        ymin = min(b[1] for b in boxes) - m
        xmax = max(b[2] for b in boxes) + m
        ymax = max(b[3] for b in boxes) + m
        return (xmin, xmax, ymin, ymax)

    def _view_key(self) -> tuple:
        cam = self.state.camera
        return (cam.center, cam.zoom, cam.width, cam.height, self.split_active())

    def _update_geometry(self) -> None:
        s = self.state
        key = (s.weights_version, self._view_key(), s.layer_view, View.REGIONS in s.views)
        if key == self._geom_key:
            return
        self._geom_key = key
        bounds = self.bounds()
        part = backend.partition(s.net, bounds)
        s.partition = part
        layer_part = None
        if s.layer_view and View.REGIONS in s.views:
            layer_part = backend.partition(s.net, bounds, upto_layer=s.layer_view)
        self.layer_partition = layer_part
        g = s.geometry
        s.geometry = GeometryStats(
            regions=backend.region_count(part),
            bound=backend.serra_bound(s.net.sizes),
            dead=g.dead,
            dead_names=g.dead_names,
            too_many=backend.too_many(part),
            message=backend.partition_message(part),
        )

    def laplace_wanted(self) -> bool:
        s = self.state
        return (
            s.task is Task.CLASSIFICATION and bool(s.views & {View.LAPLACE, View.SPLIT})
        ) or self.closer.wants_laplace()

    def _laplace(self, force: bool = False) -> Any:
        s = self.state
        key = (s.weights_version, s.data_version, s.prior_precision)
        if key == self._laplace_key and (s.laplace is not None or not force):
            return s.laplace
        self._laplace_key = key
        s.laplace = None
        if s.task is not Task.CLASSIFICATION:
            self._laplace_error = "Laplace confidence is for classification networks."
            return None
        try:
            s.laplace = backend.fit_laplace(s.net, s.points, s.prior_precision)
            self._laplace_error = ""
        except (ValueError, ArithmeticError) as exc:
            self._laplace_error = f"Laplace is off for now: {exc}"
        return s.laplace

    def _update_laplace(self) -> None:
        s = self.state
        hovering = s.hover_pos is not None and s.layout.in_plane(s.hover_pos)
        if self.laplace_wanted() or (hovering and s.task is Task.CLASSIFICATION):
            self._laplace()

    def _update_health(self) -> None:
        s = self.state
        key = (s.weights_version, s.data_version)
        if key == self._health_key or s.time - self._health_time < HEALTH_INTERVAL:
            return
        self._health_key = key
        self._health_time = s.time
        dead, names = backend.dead_neurons(s.net, self.bounds(), s.points, s.partition)
        s.geometry = replace(s.geometry, dead=dead, dead_names=tuple(names))

    def _update_hover(self) -> None:
        s = self.state
        pos = s.hover_pos
        if pos is None or not s.layout.in_plane(pos):
            s.hover = None
            return
        key = (pos, s.weights_version, self._view_key(), s.laplace is not None, s.prior_precision)
        if key == self._hover_key:
            return
        self._hover_key = key
        s.hover = self.hover_at(self._to_world(pos))

    def hover_at(self, world: np.ndarray) -> HoverInfo:
        """What the network says at a plane point (the hover readout; the 3D view's too)."""
        s = self.state
        world = np.asarray(world, dtype=np.float64)
        info = HoverInfo(world=(float(world[0]), float(world[1])))
        net = s.net
        X = world[None, :]
        out = net.forward(X)[0]
        if net.n_out == 1:
            info.value = float(out[0])
            info.map_probs = None
        else:
            z = out - out.max()
            p = np.exp(z)
            info.map_probs = p / p.sum()
            if s.laplace is not None:
                try:
                    info.laplace_probs = backend.laplace_proba(s.laplace, X)[0]
                except (ValueError, ArithmeticError):
                    info.laplace_probs = None
        info.pattern = tuple(
            "".join("1" if v > 0 else "0" for v in z_l[0]) for z_l in net.preactivations(X)
        )
        return info

    # ------------------------------------------------------------------ drawing
    def draw(self) -> None:
        if self.plane is not None and not self.closer.hides_2d():
            self.plane.draw(self.state, getattr(self, "layer_partition", None))
        self.closer.draw()
        self.workshop.after_draw()

    def draw_underlay(self, surface: pygame.Surface) -> None:
        from sandbox.ui import hud

        s = self.state
        scale = s.scale
        if not self.closer.hides_2d():
            hud.draw_captions(surface, s, scale)
        # no brush ring while panning, or while a selected neuron's crease takes the mouse
        grabbing = s.closer.selected is not None and View.INSPECTOR in s.views
        if not self.input.drag == "pan" and not grabbing:
            hud.draw_brush(surface, s, scale)
        hud.draw_hover(surface, s, scale)
        self.closer.draw_overlay(surface)
        hud.draw_toast(surface, s, scale)
        self.workshop.draw_underlay(surface)

    def draw_overlay(self, surface: pygame.Surface) -> None:
        from sandbox.ui import hud

        s = self.state
        hud.draw_help(surface, s, s.scale)
        self.workshop.draw_overlay(surface)

    def ui_needs_redraw(self) -> bool:
        s = self.state
        return s.toast is not None and s.time <= s.toast.until + 0.1
