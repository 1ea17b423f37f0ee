"""The application state: everything a screen shows, in one place, written only by scenes.

`AppState` gathers the painted data, the network and its trainer, the training settings, the
camera, which views are on, and the figures derived each frame (metrics, the loss history, the
exact partition's counts, the hover readout, messages). UI panels and the renderer read it; only
the active scene writes it, by applying actions. Its words and limits (tasks, views, speeds,
ranges) come from `sandbox.vocab`, the user settings' defaults from `sandbox.settings`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, ClassVar

import numpy as np

from sandbox.metrics import Metrics
from sandbox.settings import setting
from sandbox.vocab import (
    DEFAULT_VIEWS,
    SPEEDS,
    Activation,
    Optimizer,
    Schedule,
    Task,
    View,
)

if TYPE_CHECKING:
    from sandbox.bayes import LastLayerLaplace
    from sandbox.data import PointSet
    from sandbox.geometry import Partition
    from sandbox.geometry.margins import FlipMove, Margins
    from sandbox.geometry.region_query import RegionFacts
    from sandbox.geometry.region_stats import RegionStats, StatsTrack
    from sandbox.io.scene import SceneData
    from sandbox.nn import MLP, Trainer
    from sandbox.nn.timeline import Timeline
    from sandbox.render.camera import View2D
    from sandbox.render.camera3d import OrbitCamera
    from sandbox.session import RegionLaplace, Session
    from sandbox.ui.stage_layout import StageRects


class Tracked:
    """A record whose `version` goes up by itself whenever one of the attributes named in
    `tracked` is set to a different value. A reader that rebuilds on a change keeps the version
    it built from and compares that one number; no writer has a counter to forget."""

    tracked: ClassVar[frozenset[str]] = frozenset()
    version: int = 0

    def __setattr__(self, name: str, value: object) -> None:
        if name in self.tracked and getattr(self, name, _UNSET) != value:
            object.__setattr__(self, "version", self.version + 1)
        object.__setattr__(self, name, value)


_UNSET = object()


def speed_label(level: int) -> str:
    steps = SPEEDS[level]
    return "flat out" if steps == 0 else str(steps)


@dataclass
class NetworkSettings:
    """What the network and trainer are built from; changing it is what the network panel does."""

    hidden: list[int] = field(default_factory=lambda: list(setting("hidden").default))
    activation: Activation = Activation(setting("activation").default)
    negative_slope: float = setting("negative_slope").default
    residual: bool = setting("residual").default
    task: Task = Task(setting("task").default)
    optimizer: Optimizer = Optimizer(setting("optimizer").default)
    learning_rate: float = setting("learning_rate").default
    batch_size: int = setting("batch_size").default
    l2: float = setting("l2").default
    seed: int = setting("seed").default
    schedule: Schedule = Schedule(setting("schedule").default)
    schedule_steps: int = setting("schedule_steps").default


class LossHistory(Tracked):
    """Train and test loss against step for the chart, bounded in memory.

    When full, every other sample is dropped and the sampling interval doubles, so a long run
    keeps an even coverage of its whole history in at most `capacity` samples. Samples only
    ever change with their number, so `version` follows `size`.
    """

    tracked = frozenset({"size"})

    def __init__(self, capacity: int = 512) -> None:
        self.capacity = capacity
        self.clear()

    def clear(self) -> None:
        self.steps = np.zeros(self.capacity, dtype=np.int64)
        self.train = np.zeros(self.capacity, dtype=np.float64)
        self.test = np.zeros(self.capacity, dtype=np.float64)
        self.size = 0
        self.interval = 1

    def append(self, step: int, train_loss: float | None, test_loss: float | None) -> None:
        """Add a sample (a loss that is not defined, None, is kept as NaN)."""
        if self.size and step < self.steps[self.size - 1]:
            self.clear()
        if self.size and step - self.steps[self.size - 1] < self.interval:
            return
        if self.size == self.capacity:
            keep = slice(0, self.capacity, 2)
            n = len(range(0, self.capacity, 2))
            self.steps[:n] = self.steps[keep]
            self.train[:n] = self.train[keep]
            self.test[:n] = self.test[keep]
            self.size = n
            self.interval *= 2
        self.steps[self.size] = step
        self.train[self.size] = np.nan if train_loss is None else train_loss
        self.test[self.size] = np.nan if test_loss is None else test_loss
        self.size += 1

    def view(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        n = self.size
        return self.steps[:n], self.train[:n], self.test[:n]

    def truncate(self, step: int) -> None:
        """Forget the samples after `step` (training resumed from an earlier snapshot)."""
        n = int(np.searchsorted(self.steps[: self.size], step, side="right"))
        if n != self.size:
            self.size = n


@dataclass
class GeometryStats:
    """Counts from the exact partition of the visible window."""

    regions: int = 0
    bound: int = 0
    dead: int = 0
    dead_names: tuple[str, ...] = ()
    too_many: bool = False
    message: str = ""
    smooth: bool = False  # a smooth activation: no regions at all (`message` says so)
    preparing: bool = False  # the region kernels still compile (first start): none shown yet
    making: bool = False  # a big network's first partition is made on the worker: none yet
    dead_note: str = ""  # why no neuron can die (leaky ReLU, abs, ...), else ""
    # the regions shown are for this training step, seconds older than the weights (the
    # geometry worker is still computing newer ones); None when they are current
    behind_step: int | None = None


@dataclass
class HoverInfo:
    """What the plane point under the cursor looks like to the network."""

    world: tuple[float, float]
    map_probs: np.ndarray | None = None
    laplace_probs: np.ndarray | None = None
    value: float | None = None
    pattern: tuple[str, ...] = ()
    # the exact distance from here to the decision boundary (a lower bound when not `exact`)
    # and, with the cursor on a data point, (its index, its signed margin, exact); while the
    # margins are known (sandbox.scenes.stats)
    boundary_distance: float | None = None
    boundary_exact: bool = True
    point_margin: tuple[int, float, bool] | None = None


@dataclass
class Toast:
    """A plain-language message shown for a while (errors and refusals included)."""

    text: str
    kind: str = "info"
    until: float = 0.0


@dataclass
class Layout:
    """Window size and the rectangle (x, y, w, h; top-left origin) where the plane is drawn."""

    window: tuple[int, int] = (1280, 800)
    plane: tuple[int, int, int, int] = (0, 0, 1280, 800)
    left: tuple[int, int, int, int] = (0, 0, 0, 0)
    right: tuple[int, int, int, int] = (0, 0, 0, 0)
    bottom: tuple[int, int, int, int] = (0, 0, 0, 0)
    # the whole area between the panels; the 3D view, probe, inspector and timeline take parts
    # of it and `plane` is what is left for the 2D view (all of it when none is on)
    stage: tuple[int, int, int, int] = (0, 0, 0, 0)
    # a small window's compact layout: both side panels share one column (`left` == `right`)
    # under this strip of tabs that picks which one shows; (0, 0, 0, 0) in the usual layout
    tabs: tuple[int, int, int, int] = (0, 0, 0, 0)

    scale: float = 1.0  # the UI scale in effect (the setting, or less when the window is small)
    # the view toolbar's items (sandbox.ui.layout.TOOLBAR_ITEMS names) its rows were counted for
    toolbar: tuple[str, ...] = ()

    def in_plane(self, pos: tuple[float, float]) -> bool:
        x, y, w, h = self.plane
        return x <= pos[0] < x + w and y <= pos[1] < y + h


@dataclass
class StageState:
    """The stage views (the menu's "look closer"): the 3D folded paper, the ray probe, the network
    inspector and the training timeline (written by their controllers in sandbox.scenes, read by
    the panels and passes)."""

    rects: StageRects | None = None  # the parts of the stage in the current layout
    # 3D
    orbit: OrbitCamera | None = None  # the 3D pane's camera
    only_3d: bool = False  # the 3D view takes the whole stage (else it sits beside the 2D view)
    probability: bool = False  # the probability surface instead of the logit one
    single_neuron: bool = False  # the surface is the selected neuron's activation
    cursor: tuple[float, float] | None = None  # the linked cursor (plane point)
    surface_label: str = ""  # what the height shows
    surface_message: str = ""  # why there is no surface, when there is none
    # ray probe: origin None is the data's centre, reach None is three data radii
    probe_origin: tuple[float, float] | None = None
    probe_angle: float = 0.35
    probe_reach: float | None = None
    probe_rays: int = 1
    probe_resolved: tuple[float, float, float] = (0.0, 0.0, 1.0)  # origin x, y and reach used
    # inspector: hidden neurons as (layer 1-based, index 0-based)
    selected: tuple[int, int] | None = None
    hovered: tuple[int, int] | None = None
    tint: int | None = None  # flat index of the neuron whose region of activity is tinted
    neuron_text: tuple[str, ...] = ()
    # handles on the 2D view in window pixels: (name, x, y, radius), and the selected crease
    handles: tuple[tuple[str, float, float, float], ...] = ()
    crease_px: np.ndarray | None = None  # (S, 4) window-pixel segments of the editable crease
    crease_hover: str | None = None  # "move" / "rotate": a press here grabs the crease
    # training timeline
    timeline: Timeline | None = None  # the current run's (the session's, shown here)
    scrub: int | None = None  # the snapshot shown; None: the live weights ("now")
    scrub_step: int = 0
    live_step: int = 0
    replay: bool = False
    replay_speed: float = 500.0  # training steps per second of replay


@dataclass
class ReadingState:
    """Reading one linear region (sandbox.scenes.reading; the card is sandbox.ui.region_card):
    the activation pattern followed through training, what the region is now, the neuron whose
    regions are lit, and the last step across a crease."""

    active: bool = False  # a region is being read: a left click on the plane reads another
    tool: bool = False  # the toolbar's Read is on: a left click reads, before any region is read
    pattern: str = ""  # the activation pattern followed (region_query.pattern_text)
    facts: RegionFacts | None = None  # the region now; None while no region has the pattern
    gone: str = ""  # why no region has it now ("" while one does)
    neuron: tuple[int, int] | None = None  # lit neuron (layer 1-based, index 0-based)
    tint: int | None = None  # its flat index in the partition's patterns (None: none lit)
    lit: int = 0  # in how many regions of the view the lit neuron is on
    crossed: str = ""  # the last step across a crease, in words
    walked_from: str = ""  # the pattern the last arrow-key walk left (a level's goals read it)
    flipped: tuple[tuple[int, int], ...] = ()  # the neurons that walk flipped (layer, index)


@dataclass
class StatsState:
    """Margins and region statistics as the plane and the chart show them (written by
    sandbox.scenes.stats)."""

    chart: str = "loss"  # what the readout strip's chart shows: loss, regions or margins
    margins: Margins | None = None  # every point's exact margin, while they are wanted
    margin_note: str = ""  # why there are no margins, when there are none
    point_steps: np.ndarray | None = None  # (N,) margin colour step of every point (0..5)
    step_edges: tuple[float, ...] = ()  # the right-side edges of those steps
    region: RegionStats | None = None  # the statistics of the partition shown
    track: StatsTrack | None = None  # the statistics by training step (the chart, CSV)
    nudge_pos: tuple[float, float] | None = None  # the plane point a Ctrl+drag is at
    nudge_point: int | None = None  # the data point that drag started on
    nudge: FlipMove | None = None  # the smallest move that flips the class from nudge_pos


@dataclass
class WorkshopState:
    """Scene files, weights, recording and presenter mode, as the workshop controls show them."""

    dialog: str | None = None  # save_scene, open_scene, export_weights or import_weights
    dialog_serial: int = 0  # bumped each time a dialog is asked for (the UI opens it once)
    dialog_path: str = ""  # where that dialog starts
    scene_path: str = ""  # the scene file last saved or opened
    weights_path: str = ""  # the weights file last exported or imported
    points_path: str = ""  # the points CSV file last exported or imported
    figure_path: str = ""  # the SVG figure last exported
    last_folder: str = ""  # where the last file dialog was (picked or cancelled); "": files_dir
    recording: bool = False
    rec_frames: int = 0
    rec_seconds: float = 0.0
    rec_limit: int = 0
    rec_path: str = ""  # the recording being written, then the files written, for the message
    presenter: bool = False
    presenter_restore: tuple[float, bool, bool] | None = None  # UI scale, full screen, panels
    theme: str = "default"  # pygame-gui theme: "default" or "contrast" (presenter mode)
    shortcuts: bool = False  # the big shortcut overlay ("?")


@dataclass
class AppState:
    """Everything the sandbox shows. Only scenes assign to it; panels and passes only read it.

    The exceptions are the app loop's own bookkeeping: `time`, `fps` and `timings` (and the
    window size before the first scene starts).
    """

    settings: NetworkSettings = field(default_factory=NetworkSettings)
    # data
    preset: str = setting("dataset").default
    presets: tuple[tuple[str, str, str], ...] = ()  # (name, description, task) to choose from
    noise: float = 0.1  # until a dataset brings its own
    resolution: int = setting("resolution").default  # a picture's training resolution
    data_seed: int = setting("data_seed").default
    n_preset: int = 400
    test_fraction: float = setting("test_fraction").default
    selected_class: int = 0
    brush_radius_px: float = setting("brush_radius_px").default
    brush_density: int = setting("brush_density").default
    paint_value: float = setting("paint_value").default
    # model
    prior_precision: float = setting("prior_precision").default
    # training
    playing: bool = False
    speed: int = setting("speed").default
    train_budget_s: float = 0.010
    metrics: Metrics = field(default_factory=Metrics)
    history: LossHistory = field(default_factory=LossHistory)
    diverged: str = ""
    # view
    camera: View2D | None = None  # the 2D view's camera
    views: set[View] = field(default_factory=lambda: set(DEFAULT_VIEWS))
    discretise: bool = False
    show_points: bool = True  # the training points as dots (off for pictures: the field shows them)
    layer_view: int = 0  # 0: joint partition; l: partition made by layers <= l
    ui_scale: float = 1.0
    show_ui: bool = True
    show_help: bool = False
    help_page: str = "keys"  # the help card's page: "keys" (H) or "guide" (W: what is on screen)
    far_return: tuple[float, float, float] | None = None  # view to go back to from "zoom out far"
    layout: Layout = field(default_factory=Layout)
    # derived each frame
    partition: Partition | None = None  # exact partition of the visible window
    # the Laplace fit's closed forms per region, for the partition or an earlier one
    region_laplace: RegionLaplace | None = None
    geometry: GeometryStats = field(default_factory=GeometryStats)
    hover: HoverInfo | None = None
    hover_pos: tuple[float, float] | None = None
    toast: Toast | None = None
    timings: dict[str, float] = field(default_factory=dict)
    fps: float = 0.0
    screenshot_request: str | None = None
    workshop: WorkshopState = field(default_factory=WorkshopState)
    stats: StatsState = field(default_factory=StatsState)
    stage: StageState = field(default_factory=StageState)
    reading: ReadingState = field(default_factory=ReadingState)
    quit: bool = False
    time: float = 0.0
    # the free sandbox as it was left, brought back when it opens
    sandbox_memory: SceneData | None = None
    _session: Session | None = field(default=None, repr=False)

    @property
    def session(self) -> Session:
        """Points, network, trainer, timeline and the values derived from them. Made on first
        use, so the core (numba) loads after the window opened, behind the loading screen."""
        if self._session is None:
            from sandbox.session import Session

            self._session = Session()
        return self._session

    @property
    def points(self) -> PointSet:
        return self.session.points

    @property
    def net(self) -> MLP | None:
        return self.session.net

    @property
    def trainer(self) -> Trainer | None:
        return self.session.trainer

    @property
    def laplace(self) -> LastLayerLaplace | None:
        """The Laplace fit of the current weights and data, when one was made."""
        return self.session.current_laplace(self.prior_precision)

    def start_afresh(self) -> None:
        """Put everything a screen sets up (data, network, settings, views, camera, readouts)
        back to its defaults, keeping what belongs to the whole app (window, UI scale, presenter
        mode, file paths). A screen calls it first when it starts, so nothing a level set (its
        batch size, test split, classes, open inspector) leaks into the free sandbox or another
        level. The Session stays the same object (the screen's controllers hold it) but starts
        afresh too, its versions moving on, so nothing cached against them survives."""
        fresh = AppState()
        for f in fields(self):
            if f.name in APP_WIDE:
                continue
            if f.name == "_session":
                if self._session is not None:
                    self._session.reset()
                continue
            setattr(self, f.name, getattr(fresh, f.name))

    @property
    def task(self) -> Task:
        return self.settings.task

    @property
    def n_classes(self) -> int:
        """Classes the network distinguishes (1 for the picture regression task)."""
        if self.net is None:
            return 1 if self.task is Task.REGRESSION else 2
        return int(self.net.n_out) if self.net.n_out > 1 else 1

    @property
    def scale(self) -> float:
        """The UI scale in effect: the setting, lowered when the window cannot fit it."""
        return self.layout.scale

    @property
    def steps_per_frame(self) -> int:
        return SPEEDS[self.speed]

    def layer_view_label(self) -> str:
        return "Joint" if self.layer_view == 0 else f"Layer {self.layer_view}"


# What outlives a change of screen (see AppState.start_afresh); everything else starts afresh.
APP_WIDE = frozenset(
    {"layout", "ui_scale", "show_ui", "workshop", "time", "timings", "fps", "quit",
     "screenshot_request", "sandbox_memory"}
)  # fmt: skip
