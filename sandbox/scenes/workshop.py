"""Workshop features of the sandbox scene: scene files, weights in and out, recordings of the plane
and presenter mode, in one controller (`Workshop`) that the sandbox scene hands those actions to.

`scene_data_from_state` turns the app state into a `SceneData` (sandbox.io.scene): points, network
weights, activation, training settings, camera, views, layer selector, split screen, prior
precision, level id, seeds, and the sandbox's own settings under `extra["sandbox"]`.
`prepare_scene` turns a `SceneData` back into objects (point set, network, settings, view) and
checks that a trainer accepts them without touching the state; only then does `Workshop` commit
them, so a damaged, newer-version or impossible file is refused and changes nothing. The
workshop writes the state; its widgets (file dialogs, presenter overlays) emit actions.
Recording reads the plane back after the GL draw (no panels or cards) at a fixed rate, since
reading pixels stalls the GPU; slower frames are repeated so the recording keeps real time.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import numpy as np
import pygame
import pygame_gui

from sandbox import actions as A
from sandbox.data import PointSet, dataset_info
from sandbox.io import files
from sandbox.io.recording import Recorder, available_formats
from sandbox.io.scene import SUFFIX as SCENE_SUFFIX
from sandbox.io.scene import SceneData, TrainingSettings, ViewSettings, load_scene, save_scene
from sandbox.io.scene_format import NetworkKind
from sandbox.io.weights import load_network, save_weights
from sandbox.nn import MLP
from sandbox.render.target import read_pixels
from sandbox.scenes.base import Controller, Routes
from sandbox.scenes.model import DEFAULT_PRESET, training_setup
from sandbox.settings import migrate
from sandbox.state import AppState, NetworkSettings
from sandbox.training_setup import new_trainer
from sandbox.ui import presenter
from sandbox.ui.dialogs import FileDialogs
from sandbox.ui.layout import presenter_hides_panels
from sandbox.vocab import (
    BRUSH_DENSITY_RANGE,
    BRUSH_RADIUS_RANGE,
    MAX_CLASSES,
    MAX_POINTS,
    NOISE_RANGE,
    SPEEDS,
    UI_SCALE_RANGE,
    ZOOM_RANGE,
    Task,
    View,
)

if TYPE_CHECKING:
    from sandbox.scenes.sandbox import SandboxScene

T = TypeVar("T")
SANDBOX_KEY = "sandbox"  # the key of the sandbox's own settings in SceneData.extra
WEIGHTS_SUFFIX = ".npz"
RECORD_FPS = 15.0
RECORD_MAX_SIDE = 960
RECORD_MAX_FRAMES = 1500  # 100 s at 15 fps
MAX_REPEATS = 4  # at most this many copies of one frame when the app runs slow
PRESENTER_SCALE = 2.0  # asked for; the layout lowers it (to 1.5x or less) when it cannot fit


# ----------------------------------------------------------------------------- state -> file
def _sandbox_extra(state: AppState) -> dict[str, object]:
    pts = state.points
    return {
        "dataset": state.preset,
        "noise": float(state.noise),
        "data_seed": int(state.data_seed),
        "points": int(state.n_preset),
        "point_seed": int(getattr(pts, "seed", 0)),
        "selected_class": int(state.selected_class),
        "brush_radius_px": float(state.brush_radius_px),
        "brush_density": int(state.brush_density),
        "paint_value": float(state.paint_value),
        "discretise": bool(state.discretise),
        "show_points": bool(state.show_points),
        "speed": int(state.speed),
        "far_return": None if state.far_return is None else [float(v) for v in state.far_return],
    }


def scene_data_from_state(state: AppState, level: str | None = None) -> SceneData:
    """Everything the sandbox shows, as a SceneData (copies; the state is not changed)."""
    pts = state.points
    st = state.settings
    trainer = state.trainer
    cam = state.camera
    order = list(View)
    views = sorted((v for v in state.views if v is not View.SPLIT), key=order.index)
    training = TrainingSettings(
        optimizer=str(st.optimizer),
        learning_rate=float(st.learning_rate),
        batch_size=int(st.batch_size),
        l2=float(st.l2),
        schedule=str(st.schedule),
        schedule_steps=int(st.schedule_steps),
        momentum=float(getattr(trainer, "momentum", 0.9)),
        seed=int(st.seed),
        test_fraction=float(pts.test_fraction),
        steps=int(trainer.steps) if trainer is not None else int(state.metrics.step),
    )
    view = ViewSettings(
        center_x=float(cam.center[0]),
        center_y=float(cam.center[1]),
        zoom=float(cam.zoom),
        views=tuple(v.value for v in views),
        layer=int(state.layer_view),
        split_screen=View.SPLIT in state.views,
        prior_precision=float(state.prior_precision),
    )
    return SceneData(
        X=np.array(pts.X, dtype=np.float64),
        labels=np.array(pts.y),
        test=np.array(pts.is_test, dtype=bool),
        task=state.task.value,
        weights=state.net.weights(),
        training=training,
        network=NetworkKind.of(state.net),
        view=view,
        level=level,
        extra={SANDBOX_KEY: _sandbox_extra(state)},
    )


# ----------------------------------------------------------------------------- file -> objects
@dataclass
class PreparedScene:
    """A scene turned into the objects the sandbox holds, checked and not yet adopted."""

    points: PointSet
    net: MLP
    settings: NetworkSettings
    momentum: float
    steps: int
    views: set[View]
    dropped_views: list[str]
    center: tuple[float, float]
    zoom: float
    layer_view: int
    prior_precision: float
    test_fraction: float
    sandbox: dict[str, object]
    level: str | None


def _get(
    extra: dict[str, object],
    key: str,
    kind: type[T],
    default: T,
    lo: float = -math.inf,
    hi: float = math.inf,
) -> T:
    """One sandbox setting from `extra`, or `default` when missing, mistyped or out of range
    (conveniences: a scene written by another program may lack them; no reason to refuse it)."""
    value = extra.get(key, default)
    if kind is bool:
        return value if isinstance(value, bool) else default
    if isinstance(value, bool) or not isinstance(value, int | float):
        return default
    if kind is int and not float(value).is_integer():
        return default
    value = kind(value)
    return value if lo <= value <= hi else default


def prepare_scene(data: SceneData, state: AppState, source: str = "scene") -> PreparedScene:
    """Build the points, network and settings of a validated scene without changing `state`;
    ValueError naming `source` when this app cannot hold the scene."""
    task = Task(data.task)
    raw = data.extra.get(SANDBOX_KEY) if isinstance(data.extra, dict) else None
    extra: dict[str, object] = migrate(raw) if isinstance(raw, dict) else {}  # old names too
    test = np.asarray(data.test, dtype=bool)
    ratio = float(data.training.test_fraction)
    if ratio == 0.0 and test.any():
        ratio = float(test.mean())
    point_seed = _get(extra, "point_seed", int, max(0, int(state.data_seed)), 0, 2**63 - 1)
    try:
        points = PointSet.from_arrays(
            {
                "X": data.X,
                "y": data.labels,
                "is_test": test,
                "task": np.array(task.value),
                "n_classes": np.array(MAX_CLASSES, dtype=np.int64),
                "test_fraction": np.array(ratio),
                "seed": np.array(point_seed, dtype=np.int64),
            }
        )
    except ValueError as exc:
        raise ValueError(f"{source}: its points cannot be used here: {exc}") from None
    net = data.build_network()
    t = data.training
    settings = NetworkSettings(
        hidden=[int(h) for h in net.hidden_sizes],
        task=task,
        optimizer=t.optimizer,
        learning_rate=float(t.learning_rate),
        batch_size=int(t.batch_size),
        l2=float(t.l2),
        seed=int(t.seed),
        **net.kind(),
        schedule=t.schedule,
        schedule_steps=int(t.schedule_steps),
    )
    try:
        # a throwaway trainer: whatever it refuses is refused before anything changes
        trainer = new_trainer(net, points, training_setup(settings))
        trainer.set_momentum(float(t.momentum))
    except ValueError as exc:
        raise ValueError(f"{source}: its training settings cannot be used here: {exc}") from None
    views: set[View] = set()
    dropped: list[str] = []
    for name in data.view.views:
        try:
            views.add(View(name))
        except ValueError:
            dropped.append(name)
    if data.view.split_screen:
        views.add(View.SPLIT)
        views.discard(View.LAPLACE)  # the two are exclusive in the sandbox
    n_hidden = len(settings.hidden)
    layer = int(data.view.layer)
    sandbox = dict(extra)
    dataset = extra.get("dataset")
    try:
        ok = isinstance(dataset, str) and dataset_info(dataset).task.value == task.value
    except ValueError:
        ok = False
    sandbox["dataset"] = dataset if ok else DEFAULT_PRESET[task]
    return PreparedScene(
        points=points,
        net=net,
        settings=settings,
        momentum=float(t.momentum),
        steps=int(t.steps),
        views=views,
        dropped_views=dropped,
        center=(float(data.view.center_x), float(data.view.center_y)),
        zoom=float(np.clip(data.view.zoom, *ZOOM_RANGE)),
        layer_view=layer if 0 < layer < n_hidden else 0,
        prior_precision=float(data.view.prior_precision),
        test_fraction=float(points.test_fraction),
        sandbox=sandbox,
        level=data.level,
    )


def _with_suffix(path: str, suffix: str) -> str:
    return path if Path(path).suffix.lower() == suffix else path + suffix


# ----------------------------------------------------------------------------- the controller
class Workshop(Controller):
    """Scene files, weights, recording and presenter mode for one sandbox scene.

    The scene calls `apply` with actions it has no handler for, `update` once a frame,
    `after_draw` right after the plane is drawn, `draw_overlay` with the UI surface, and
    `exit` when it stops (an open recording is saved then). `tap`, when set, receives the plane's
    pixels after every draw (the render command writes movies with it).
    """

    def __init__(self, scene: SandboxScene) -> None:
        self.scene = scene
        self.state: AppState = scene.state
        self.dialogs: FileDialogs | None = None
        self.recorder: Recorder | None = None
        self.tap: Callable[[np.ndarray], None] | None = None
        self.loaded_level: str | None = None
        self._due = 0.0  # frames owed to the recording (fractional)
        self._first = False  # the next draw starts a recording: capture it whatever the time

    # ------------------------------------------------------------------ scene hooks
    def build_ui(self, manager: pygame_gui.UIManager) -> None:
        if self.dialogs is not None:
            self.dialogs.clear()
        self.dialogs = FileDialogs(manager)

    def translate(self, event: pygame.event.Event) -> list[A.Action]:
        return self.dialogs.handle_event(event) if self.dialogs is not None else []

    def routes(self) -> Routes:
        return {
            A.CloseDialog: self._on_CloseDialog,
            A.SaveScene: self._on_SaveScene,
            A.OpenScene: self._on_OpenScene,
            A.ExportWeights: self._on_ExportWeights,
            A.ImportWeights: self._on_ImportWeights,
            A.ToggleRecording: self._on_ToggleRecording,
            A.TogglePresenter: self._on_TogglePresenter,
            A.ToggleShortcuts: self._on_ToggleShortcuts,
        }

    def update(self, dt: float) -> None:
        if self.dialogs is not None:
            self.dialogs.sync(self.state)
        if self.recorder is not None:
            self._due += dt * self.recorder.fps

    def after_draw(self) -> None:
        """Capture the plane for the recording (when due) and for the tap."""
        if self.recorder is None and self.tap is None:
            return
        copies = 0
        if self.recorder is not None and (self._first or self._due >= 1.0 - 1e-9):
            copies = max(1, min(MAX_REPEATS, int(self._due + 1e-9)))
            self._due = max(0.0, self._due - copies)
            self._first = False
        if not copies and self.tap is None:
            return
        pixels = self.capture_plane()
        if self.tap is not None:
            self.tap(pixels)
        for _ in range(copies):
            if not self._record_frame(pixels):
                break

    def draw_underlay(self, surface: pygame.Surface) -> None:
        presenter.draw_workshop_marks(surface, self.state)

    def draw_overlay(self, surface: pygame.Surface) -> None:
        presenter.draw_workshop_overlay(surface, self.state)

    def exit(self) -> None:
        if self.recorder is not None:
            self._stop_recording()
        if self.dialogs is not None:
            self.dialogs.clear()
            self.dialogs = None

    def capture_plane(self) -> np.ndarray:
        """The plane as drawn now, (h, w, 3) uint8, top row first (read from the back buffer).

        With the stage views on, the whole stage (2D plane, 3D view, probe plots,
        inspector) is captured, so a recording shows what the audience sees.
        """
        s = self.state
        w, h = s.layout.window
        stage = s.layout.stage
        x, y, pw, ph = stage if stage[2] > 0 and stage[3] > 0 else s.layout.plane
        pixels = read_pixels((int(w), int(h)))
        return np.ascontiguousarray(pixels[y : y + ph, x : x + pw])

    def say(self, text: str, kind: str = "info") -> None:
        self.scene.say(text, kind)

    def level_id(self) -> str | None:
        """The level being played (a level scene's), else the level a loaded scene came from."""
        level = getattr(getattr(self.scene, "level", None), "id", None)
        return level if isinstance(level, str) else self.loaded_level

    # ------------------------------------------------------------------ dialogs
    def folder(self) -> Path:
        """Where a file dialog starts: the folder of the last dialog (picked or cancelled) while
        it exists, else the app's files folder (created now, so the dialog can list it)."""
        last = self.state.workshop.last_folder
        if last and Path(last).is_dir():
            return Path(last)
        try:
            return files.ensure()
        except OSError:
            return Path.home()

    def start_path(self, last_file: str) -> str:
        """Where an Open or Import dialog starts: the last file (picked, so OK opens it again)
        when it is in the dialog's folder, else that folder."""
        folder = self.folder()
        if last_file and Path(last_file).is_file() and Path(last_file).parent == folder:
            return last_file
        return str(folder)

    def _remember(self, path: str) -> None:
        """The next dialog starts in the folder of `path` (a file written, opened or picked)."""
        self.state.workshop.last_folder = str(Path(path).absolute().parent)

    def ask(self, kind: str, path: str) -> None:
        w = self.state.workshop
        w.shortcuts = False  # the dialog must not open under the shortcut overlay
        w.dialog = kind
        w.dialog_serial += 1
        w.dialog_path = path

    def _on_CloseDialog(self, a: A.CloseDialog) -> None:
        w = self.state.workshop
        w.dialog = None
        if a.folder and Path(a.folder).is_dir():
            w.last_folder = str(Path(a.folder).absolute())

    # ------------------------------------------------------------------ scene files
    def _on_SaveScene(self, a: A.SaveScene) -> None:
        w = self.state.workshop
        if a.path is None:
            name = Path(w.scene_path).name if w.scene_path else f"scene{SCENE_SUFFIX}"
            self.ask("save_scene", str(self.folder() / name))
            return
        w.dialog = None
        self.save_scene(a.path)

    def _on_OpenScene(self, a: A.OpenScene) -> None:
        w = self.state.workshop
        if a.path is None:
            self.ask("open_scene", self.start_path(w.scene_path))
            return
        w.dialog = None
        self.open_scene(a.path)

    def save_scene(self, path: str) -> bool:
        """Save the sandbox to `path` (".origami" added when missing); False with a message."""
        path = str(Path(_with_suffix(str(path), SCENE_SUFFIX)).absolute())
        try:
            save_scene(path, scene_data_from_state(self.state, self.level_id()))
        except ValueError as exc:
            self.say(f"Could not save the scene: {exc}", "error")
            return False
        self.state.workshop.scene_path = path
        self._remember(path)
        self.say(f"Saved the scene: {path}")
        return True

    def open_scene(self, path: str) -> bool:
        """Load `path` fully, then replace the sandbox by it; on any problem nothing changes."""
        try:
            data = load_scene(path)
            self.adopt(data, str(path))
        except ValueError as exc:
            self.say(f"Could not open the scene: {exc}. Nothing was changed.", "error")
            return False
        self.state.workshop.scene_path = str(Path(path).absolute())
        self._remember(path)
        return True

    def adopt(self, data: SceneData, source: str = "scene") -> PreparedScene:
        """Replace the sandbox by a validated scene; ValueError (and no change) if it cannot."""
        prepared = prepare_scene(data, self.state, source)
        self._commit(prepared)
        notes = [f"Opened {Path(source).name}"]
        if dropped := ", ".join(prepared.dropped_views):
            notes.append(f"views this version does not have were left off: {dropped}")
        if prepared.zoom != (zoom := data.view.zoom):  # the file's zoom was outside ZOOM_RANGE
            lo, hi = ZOOM_RANGE
            notes.append(f"its zoom {zoom:g} is outside {lo:g}-{hi:g}; using {prepared.zoom:g}")
        if prepared.level:
            notes.append(f"it was saved in level {prepared.level}; it opens in the free sandbox")
        self.say("; ".join(notes) + ".")
        return prepared

    def restore(self, p: PreparedScene) -> None:
        """Adopt a prepared scene without a message (the sandbox coming back as it was left)."""
        self._commit(p)

    def _commit(self, p: PreparedScene) -> None:
        s = self.state
        sc = self.scene
        ex = p.sandbox
        s.playing = False
        sc.model.stash.clear()  # the other task's points belong to the sandbox being replaced
        s.settings = p.settings
        s.session.set_points(p.points)
        s.test_fraction = p.test_fraction
        s.preset = str(ex["dataset"])
        s.noise = _get(ex, "noise", float, s.noise, *NOISE_RANGE)
        s.data_seed = _get(ex, "data_seed", int, s.data_seed, 0, 2**63 - 1)
        s.n_preset = _get(ex, "points", int, s.n_preset, 0, MAX_POINTS)
        s.selected_class = _get(ex, "selected_class", int, 0, 0, MAX_CLASSES - 1)
        s.brush_radius_px = _get(
            ex, "brush_radius_px", float, s.brush_radius_px, *BRUSH_RADIUS_RANGE
        )
        s.brush_density = _get(ex, "brush_density", int, s.brush_density, *BRUSH_DENSITY_RANGE)
        s.paint_value = _get(ex, "paint_value", float, s.paint_value, 0.0, 1.0)
        s.discretise = _get(ex, "discretise", bool, False)
        s.show_points = _get(ex, "show_points", bool, True)
        s.speed = _get(ex, "speed", int, s.speed, 0, len(SPEEDS) - 1)
        s.views = set(p.views)
        s.prior_precision = p.prior_precision
        sc.model.build_network(net=p.net)
        s.trainer.set_momentum(p.momentum)
        s.trainer.steps = p.steps
        s.layer_view = p.layer_view
        sc.relayout()  # the network panel's height follows the layer count
        cam = s.camera
        cam.center = p.center
        cam.zoom = p.zoom
        far = ex.get("far_return")
        s.far_return = (
            tuple(float(v) for v in far)  # type: ignore[assignment]
            if isinstance(far, list)
            and len(far) == 3
            and all(isinstance(v, int | float) and math.isfinite(v) for v in far)
            else None
        )
        self.loaded_level = p.level
        sc.model.read_metrics(force=True)

    # ------------------------------------------------------------------ weights
    def _on_ExportWeights(self, a: A.ExportWeights) -> None:
        w = self.state.workshop
        if a.path is None:
            name = Path(w.weights_path).name if w.weights_path else f"network{WEIGHTS_SUFFIX}"
            self.ask("export_weights", _with_suffix(str(self.folder() / name), WEIGHTS_SUFFIX))
            return
        w.dialog = None
        self.export_weights(a.path)

    def _on_ImportWeights(self, a: A.ImportWeights) -> None:
        w = self.state.workshop
        if a.path is None:
            self.ask("import_weights", self.start_path(w.weights_path))
            return
        w.dialog = None
        self.import_weights(a.path)

    def export_weights(self, path: str) -> bool:
        """Write the network as .npz (".npz" added when missing); False with a message."""
        path = str(Path(_with_suffix(str(path), WEIGHTS_SUFFIX)).absolute())
        try:
            save_weights(self.state.net, path)
        except (OSError, ValueError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
            self.say(f"Could not export the weights to {path}: {reason}", "error")
            return False
        self.state.workshop.weights_path = path
        self._remember(path)
        sizes = "-".join(str(n) for n in self.state.net.sizes)
        self.say(f"Exported the {sizes} network to {path}")
        return True

    def import_weights(self, path: str) -> bool:
        """Adopt the network in `path` (architecture and weights), keeping the painted points.

        A network with one output fits pictures, more outputs classify: the task follows the
        network. On any problem a message says why and nothing changes.
        """
        s = self.state
        sc = self.scene
        try:
            net = load_network(path)
        except ValueError as exc:
            self.say(f"Could not import the network: {exc}", "error")
            return False
        task = Task.REGRESSION if net.n_out == 1 else Task.CLASSIFICATION
        points = s.points if task is s.task else sc.model.stash.get(task)
        if task is Task.CLASSIFICATION and points is not None and len(points):
            top = int(np.max(points.y))
            if top >= net.n_out:
                self.say(
                    f"Could not import the network: it tells {net.n_out} classes apart, but the "
                    f"points use classes 1 to {top + 1}. Erase the points of class "
                    f"{net.n_out + 1} and up, or import a network with {top + 1} or more outputs.",
                    "error",
                )
                return False
        s.playing = False
        switched = task is not s.task
        if switched:
            sc.model.switch_task(task)
        s.settings = replace(s.settings, hidden=[int(h) for h in net.hidden_sizes])
        sc.model.build_network(net=net)
        sc.relayout()
        sc.model.read_metrics(force=True)
        s.workshop.weights_path = str(Path(path).absolute())
        self._remember(path)
        sizes = "-".join(str(n) for n in net.sizes)
        what = "a picture (one output)" if task is Task.REGRESSION else f"{net.n_out} classes"
        text = f"Imported the {sizes} network from {Path(path).name}: {what}."
        if switched:
            text += " Switched to " + ("picture" if task is Task.REGRESSION else "class") + " mode."
        self.say(text + " Your points are kept; Space trains it further.")
        return True

    # ------------------------------------------------------------------ recording
    def _on_ToggleRecording(self, a: A.ToggleRecording) -> None:
        if self.recorder is not None:
            self._stop_recording()
        else:
            self.start_recording(a.path)

    def start_recording(self, path: str | None = None, fps: float = RECORD_FPS) -> bool:
        """Record the plane to `path` (.gif, with .mp4 beside it where imageio-ffmpeg is
        installed; an .mp4 path records MP4 only). False with a message when it cannot."""
        if path is None:
            try:
                path = str(files.stamped("neural-origami", ".gif", files.ensure()))
            except OSError as exc:
                folder = files.files_dir()
                self.say(f"Could not start recording: cannot write to {folder}: {exc}", "error")
                return False
        path = str(Path(path).absolute())
        formats = available_formats() if Path(path).suffix.lower() != ".mp4" else ("mp4",)
        if Path(path).suffix.lower() not in (".gif", ".mp4"):
            path = str(path) + ".gif"
        try:
            self.recorder = Recorder(
                path,
                fps=fps,
                max_width=RECORD_MAX_SIDE,
                max_height=RECORD_MAX_SIDE,
                max_frames=RECORD_MAX_FRAMES,
                formats=formats,
            )
        except ValueError as exc:
            self.say(f"Could not start recording: {exc}", "error")
            return False
        self._due = 0.0
        self._first = True
        w = self.state.workshop
        w.recording = True
        w.rec_frames = 0
        w.rec_seconds = 0.0
        w.rec_limit = self.recorder.max_frames
        w.rec_path = " and ".join(str(p) for p in self.recorder.paths)
        self.say(f"Recording the plane to {w.rec_path}. F9 stops and saves.")
        return True

    def _record_frame(self, pixels: np.ndarray) -> bool:
        rec = self.recorder
        try:
            rec.add_frame(pixels)
        except ValueError as exc:
            self._stop_recording(reason=str(exc))
            return False
        w = self.state.workshop
        w.rec_frames = rec.frame_count
        w.rec_seconds = rec.seconds
        if rec.full:
            self._stop_recording(reason=rec.limit_message)
            return False
        return True

    def _stop_recording(self, reason: str | None = None) -> list[Path]:
        rec, self.recorder = self.recorder, None
        w = self.state.workshop
        w.recording = False
        written: list[Path] = []
        try:
            written = rec.close()
        except ValueError as exc:
            self.say(f"Could not save the recording: {exc}", "error")
            return written
        w.rec_path = " and ".join(str(p) for p in written)
        # the recorder's limit message ends with advice to stop, which has just happened
        prefix = f"Recording stopped: {reason.split(';')[0]}. " if reason else ""
        if written:
            self.say(f"{prefix}Saved {w.rec_frames} frames to {w.rec_path}")
        else:
            self.say(f"{prefix}Nothing was recorded.", "warn")
        return written

    # ------------------------------------------------------------------ presenter mode
    def _on_TogglePresenter(self, a: A.TogglePresenter) -> None:
        self.set_presenter(not self.state.workshop.presenter)

    def set_presenter(self, on: bool) -> None:
        """Presenter mode on: full screen, UI scale 2x (1.5x where that does not fit),
        high-contrast theme, cursor halo, big readouts. Off restores what was before."""
        s = self.state
        w = s.workshop
        if on == w.presenter:
            return
        app = self.scene.app
        set_fullscreen = getattr(app, "set_fullscreen", None)
        if on:
            was_full = bool(set_fullscreen(True)) if set_fullscreen else False
            # in the state: it outlives screens
            w.presenter_restore = (s.ui_scale, was_full, s.show_ui)
            w.presenter = True
            w.theme = "contrast"
            s.ui_scale = float(np.clip(PRESENTER_SCALE, *UI_SCALE_RANGE))
            # the free sandbox gives a small window's plane the room; a level keeps its panels
            # (they hold its goals and the controls the lesson is about)
            in_level = getattr(self.scene, "level", None) is not None
            if not in_level and presenter_hides_panels(s.layout.window, len(s.settings.hidden)):
                s.show_ui = False  # the plane gets the window; Tab brings the panels back
                self.say("Presenter mode: the plane has the window. Tab shows the panels, F5 "
                         "goes back, ? shows every key.")  # fmt: skip
            else:
                self.say("Presenter mode: F5 goes back, Tab hides the panels, ? shows every key.")
        else:
            scale, was_full, s.show_ui = w.presenter_restore or (1.0, False, True)
            w.presenter_restore = None
            if set_fullscreen and not was_full:
                set_fullscreen(False)
            w.presenter = False
            w.theme = "default"
            s.ui_scale = scale
        self.scene.relayout()

    def _on_ToggleShortcuts(self, a: A.ToggleShortcuts) -> None:
        w = self.state.workshop
        w.shortcuts = not w.shortcuts
        if w.shortcuts:
            self.state.show_help = False
