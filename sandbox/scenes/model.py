"""The data and the network of the sandbox: presets, the task, the network's shape and training
settings, the training loop with its readouts, and the Laplace posterior.

`ModelController` applies those actions (see `routes`) through the Session's setters, and each
frame pushes changed points to the trainer, trains for the speed setting's steps (or as many as
fit the frame budget, flat out) through `Session.train` (which records the timeline), reads the
metrics a few times a second, and asks the Session for the Laplace fit when a view or the hover
readout needs it. A diverging network is restored to its last good weights and paused, with a
message; refusals (the point cap, a Laplace fit on one class) become messages too.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from sandbox import actions as A
from sandbox.bayes import LastLayerLaplace
from sandbox.data import dataset_info, list_datasets, make_dataset, picture_source
from sandbox.data.datasets import IMAGE_PREFIX
from sandbox.data.pictures import load_picture
from sandbox.fit import picture_psnr
from sandbox.metrics import Metrics
from sandbox.nn import MLP, LrSchedule
from sandbox.nn.activations import parse_activation, smooth_note
from sandbox.nn.trainer_values import plain_number
from sandbox.scenes.base import Controller, Routes
from sandbox.session import RECORD_HOLD_S
from sandbox.settings import setting
from sandbox.state import NetworkSettings
from sandbox.training_setup import TrainingSetup, new_points, outputs_needed
from sandbox.vocab import (
    L2_MAX,
    LR_MAX,
    LR_SLIDER_RANGE,
    MAX_HIDDEN_LAYERS,
    MAX_WIDTH_UI,
    MIN_HIDDEN_LAYERS,
    MIN_WIDTH,
    NEGATIVE_SLOPE_RANGE,
    NOISE_RANGE,
    PRIOR_RANGE,
    SPEEDS,
    TEST_FRACTION_UI_MAX,
    Optimizer,
    Schedule,
    Task,
    View,
)

if TYPE_CHECKING:
    from sandbox.data import PointSet
    from sandbox.scenes.sandbox import SandboxScene

METRICS_INTERVAL = 0.1
PSNR_INTERVAL = 1.0  # seconds between two PSNR passes over the picture while training
PENDING_BUDGET_SCALE = 3.0  # training's share of a frame while the kernel compiles (numpy steps)
PSNR_SIDE = 256  # the picture's longest side for the live PSNR (render --out .npz: all of it)
DEFAULT_POINTS = {Task.CLASSIFICATION: 400, Task.REGRESSION: 1000}
DEFAULT_PRESET = {Task.CLASSIFICATION: "ring", Task.REGRESSION: "disk"}


@dataclass(frozen=True)
class PresetSource:
    """Where generated points came from; the point set keeps it in its undo history, so undoing
    a preset brings back the preset box, noise and seed that made the points on screen."""

    name: str
    noise: float
    data_seed: int
    n_preset: int


def preset_list() -> tuple[tuple[str, str, str], ...]:
    """(name, description, task) of every dataset generator, for the presets menu."""
    return tuple((d.name, d.description, d.task.value) for d in list_datasets())


def training_setup(st: NetworkSettings) -> TrainingSetup:
    return TrainingSetup(
        optimizer=st.optimizer,
        learning_rate=st.learning_rate,
        batch_size=st.batch_size,
        l2=st.l2,
        seed=st.seed,
        kind=(
            ("activation", st.activation.value),
            ("negative_slope", st.negative_slope),
            ("residual", st.residual),
        ),
        schedule=LrSchedule(st.schedule, st.schedule_steps),
    )


class ModelController(Controller):
    """Data, network and training of one sandbox scene (see the module docstring)."""

    def __init__(self, scene: SandboxScene) -> None:
        self.scene = scene
        self.state = scene.state
        self.session = scene.state.session
        self.stash: dict[Task, PointSet] = {}  # the other task's points, kept for a switch back
        self.laplace_error = ""
        self._preset_version = -1
        self._metrics_time = -1.0
        self._last_step_count = -1
        self._psnr: float | None = None
        self._psnr_time = -1.0
        self._said_pending = False  # told once that training waits for its kernel

    def routes(self) -> Routes:
        return {
            A.LoadPreset: self._on_load_preset,
            A.OpenPicture: self._on_open_picture,
            A.SetNoise: self._on_noise,
            A.SetResolution: self._on_resolution,
            A.NewDataSeed: self._on_new_data_seed,
            A.SetTestFraction: self._on_test_fraction,
            A.SetTask: self._on_task,
            A.AddLayer: self._on_add_layer,
            A.RemoveLayer: self._on_remove_layer,
            A.SetWidth: self._on_width,
            A.SetOptimizer: self._on_optimizer,
            A.SetActivation: self._on_activation,
            A.SetNegativeSlope: self._on_negative_slope,
            A.SetResidual: self._on_residual,
            A.SetLearningRate: self._on_lr,
            A.SetBatchSize: self._on_batch_size,
            A.SetL2: self._on_l2,
            A.SetSchedule: self._on_schedule,
            A.TogglePlay: lambda a: self.set_playing(not self.state.playing),
            A.SetPlaying: lambda a: self.set_playing(a.playing),
            A.StepOnce: self._on_step_once,
            A.ResetNetwork: self._on_reset_network,
            A.SetSpeed: self._on_speed,
            A.ChangeSpeed: self._on_change_speed,
            A.SetPriorPrecision: self._on_prior,
            A.OptimizePrior: self._on_optimize_prior,
        }

    # ------------------------------------------------------------------ data
    def load_preset(self, name: str, coalesce: bool = False) -> bool:
        s = self.state
        try:
            info = dataset_info(name)
        except ValueError as exc:
            self.scene.say(str(exc), "error")
            return False
        task = Task(info.task.value)
        if task is not s.task:
            self.switch_task(task, load_default=False)
            if self.scene.config.points is None:
                s.n_preset = DEFAULT_POINTS[task]
        try:
            n = int(s.n_preset)
            X, y = make_dataset(
                name, n=n, noise=float(min(s.noise, NOISE_RANGE[1])),
                seed=int(s.data_seed), resolution=int(s.resolution),
            )  # fmt: skip
        except ValueError as exc:
            self.scene.say(str(exc), "error")
            return False
        pts = s.points
        if coalesce and self._preset_version == pts.version and pts.can_undo:
            pts.undo()  # one undo step for a whole slider drag, not one per pixel
        try:
            pts.replace(X, y, source=PresetSource(name, float(s.noise), int(s.data_seed), n))
        except ValueError as exc:
            self.scene.say(str(exc), "error")
            return False
        self._preset_version = pts.version
        s.preset = name
        s.show_points = picture_source(name) is None  # a picture's pixels: the field shows them
        return True

    def switch_task(self, task: Task, load_default: bool = True) -> None:
        s = self.state
        if task is s.task:
            return
        self.stash[s.task] = s.points
        s.playing = False
        s.settings = replace(s.settings, task=task)
        if task in self.stash:
            self.session.set_points(self.stash.pop(task))
            self.follow_source()
        else:
            self.session.set_points(new_points(task, s.test_fraction, s.data_seed))
            if load_default:
                s.n_preset = DEFAULT_POINTS[task]
                s.noise = 0.0
                self.load_preset(DEFAULT_PRESET[task])
        s.selected_class = 0
        if s.net is not None:
            self.build_network()

    def follow_source(self) -> None:
        """Show the preset, noise and seed that made the points now on screen (after undo, redo
        or a task switch brought other points back)."""
        s = self.state
        src = s.points.source
        if isinstance(src, PresetSource):
            s.preset, s.noise, s.data_seed, s.n_preset = (
                src.name, src.noise, src.data_seed, src.n_preset
            )  # fmt: skip

    def _on_open_picture(self, a: A.OpenPicture) -> None:
        if a.path is None:
            self.scene.workshop.ask("open_picture", str(self.scene.workshop.folder()))
            return
        self.state.workshop.dialog = None
        self.open_picture(a.path)

    def open_picture(self, path: str) -> bool:
        """Learn the picture in `path` with a fresh network; a bad file changes nothing."""
        name = f"{IMAGE_PREFIX}{Path(path).expanduser().absolute()}"
        try:
            dataset_info(name)  # reads the picture: any problem is reported before a change
        except ValueError as exc:
            self.scene.say(str(exc), "error")
            return False
        if not self.load_preset(name):
            return False
        self.build_network()
        self.state.workshop.last_folder = str(Path(path).expanduser().absolute().parent)
        self.scene.say(f"Learning the picture {path}: press Space to train.")
        return True

    def _on_load_preset(self, a: A.LoadPreset) -> None:
        # another data set is another problem: a fresh network (step 0) with the data's outputs
        if self.load_preset(a.name):
            self.build_network()

    def _on_resolution(self, a: A.SetResolution) -> None:
        s = self.state
        s.resolution = int(np.clip(a.resolution, 1, setting("resolution").range[1]))
        if picture_source(s.preset) is not None:
            self.load_preset(s.preset, coalesce=True)

    def _on_noise(self, a: A.SetNoise) -> None:
        s = self.state
        s.noise = float(np.clip(a.noise, *NOISE_RANGE))
        self.load_preset(s.preset, coalesce=True)

    def _on_new_data_seed(self, a: A.NewDataSeed) -> None:
        self.state.data_seed += 1
        self.load_preset(self.state.preset)

    def _on_test_fraction(self, a: A.SetTestFraction) -> None:
        self.state.test_fraction = float(np.clip(a.fraction, 0.0, TEST_FRACTION_UI_MAX))
        self.state.points.set_test_fraction(self.state.test_fraction)

    def sync_data(self) -> None:
        """Push changed points to the trainer (the outputs follow the data's classes)."""
        if self.session.sync_data(self.state.settings.seed):
            self._metrics_time = -1.0

    # ------------------------------------------------------------------ network
    def build_network(self, net: MLP | None = None, n_out: int | None = None) -> None:
        """A new trainer on a fresh network (`n_out` outputs, default: the data's), or on `net`
        (a loaded or imported one)."""
        s = self.state
        if net is not None:  # the panel shows the loaded network's activation
            s.settings = replace(
                s.settings,
                activation=net.activation,
                negative_slope=net.negative_slope,
                residual=net.residual,
            )
        st = s.settings
        setup = training_setup(st)
        if net is None:
            n_out = outputs_needed(s.points) if n_out is None else n_out
            self.session.new_network([2, *st.hidden, n_out], setup)
        else:
            self.session.adopt_network(net, setup)
        s.history.clear()
        s.metrics = Metrics()
        s.diverged = ""
        self._metrics_time = -1.0
        self._last_step_count = -1
        self._psnr = None  # a new network: its own PSNR at the next reading
        s.layer_view = min(s.layer_view, len(st.hidden) - 1) if s.layer_view else 0

    def resize_network(self, hidden: list[int], n_out: int | None = None) -> None:
        s = self.state
        n_out = outputs_needed(s.points) if n_out is None else n_out
        self.session.resize(hidden, n_out, s.settings.seed)
        layers_changed = len(hidden) != len(s.settings.hidden)
        s.settings = replace(s.settings, hidden=list(hidden))
        if layers_changed:
            # a taller network panel may need a smaller UI scale to fit the window
            self.scene.relayout()
        if s.layer_view >= len(hidden):
            s.layer_view = 0

    def _on_add_layer(self, a: A.AddLayer) -> None:
        hidden = list(self.state.settings.hidden)
        if len(hidden) >= MAX_HIDDEN_LAYERS:
            self.scene.say(f"At most {MAX_HIDDEN_LAYERS} hidden layers.", "warn")
            return
        self.resize_network([*hidden, min(hidden[-1], MAX_WIDTH_UI)])

    def _on_remove_layer(self, a: A.RemoveLayer) -> None:
        hidden = list(self.state.settings.hidden)
        if len(hidden) <= MIN_HIDDEN_LAYERS:
            self.scene.say("The network needs at least one hidden layer.", "warn")
            return
        self.resize_network(hidden[:-1])

    def _on_width(self, a: A.SetWidth) -> None:
        hidden = list(self.state.settings.hidden)
        if not 0 <= a.layer < len(hidden):
            return
        width = int(np.clip(a.width, MIN_WIDTH, max(MAX_WIDTH_UI, hidden[a.layer])))
        if width != hidden[a.layer]:
            hidden[a.layer] = width
            self.resize_network(hidden)

    def _on_task(self, a: A.SetTask) -> None:
        try:
            task = Task(a.task)
        except ValueError:
            return
        self.switch_task(task)

    def _on_activation(self, a: A.SetActivation) -> None:
        try:
            act = parse_activation(a.name)
        except ValueError as err:
            self.scene.say(str(err))
            return
        self._change_kind(activation=act)

    def _on_negative_slope(self, a: A.SetNegativeSlope) -> None:
        if not math.isfinite(a.slope):
            return
        self._change_kind(negative_slope=float(np.clip(a.slope, *NEGATIVE_SLOPE_RANGE)))

    def _on_residual(self, a: A.SetResidual) -> None:
        if bool(a.on) == self.state.settings.residual:
            return
        self._change_kind(residual=bool(a.on))
        layers = [i + 2 for i, on in enumerate(self.session.net.residual_layers[1:]) if on]
        if not a.on:
            self.scene.say("Residual layers off: each hidden layer replaces its input.")
        elif layers:
            which = ", ".join(str(i) for i in layers)
            what = (
                f"hidden layers {which} each add their input to what they compute"
                if len(layers) > 1
                else f"hidden layer {which} adds its input to what it computes"
            )
            self.scene.say(f"Residual layers on: {what}, h + act(W h + b).")
        else:
            self.scene.say(
                "Residual layers on, but no hidden layer is as wide as the one before it: "
                "nothing changes until two neighbouring layers have the same width.",
                "warn",
            )

    def _change_kind(self, **kind) -> None:
        """The same weights under another activation or residual switch: a new network (its
        timeline starts afresh) that shows at once how the same numbers fold differently."""
        s = self.state
        new = replace(s.settings, **kind)
        if new == s.settings:
            return
        s.settings = new
        net = MLP.from_weights(
            self.session.net.weights(),
            activation=new.activation,
            negative_slope=new.negative_slope,
            residual=new.residual,
        )
        self.build_network(net)
        note = "" if new.activation.piecewise_linear else f" ({smooth_note(new.activation)})"
        self.scene.say(
            f"Activation: {new.activation.value}"
            + (", residual" if new.residual else "")
            + note
            + "."
        )

    def _on_optimizer(self, a: A.SetOptimizer) -> None:
        s = self.state
        if a.name in tuple(Optimizer) and a.name != s.settings.optimizer:
            s.settings = replace(s.settings, optimizer=a.name)
            s.trainer.set_optimizer(a.name)

    def _on_schedule(self, a: A.SetSchedule) -> None:
        s = self.state
        try:
            kind = Schedule(a.schedule)
            steps = s.settings.schedule_steps if a.steps is None else int(a.steps)
            schedule = LrSchedule(kind, steps)
        except ValueError as exc:
            self.scene.say(str(exc), "error")
            return
        s.settings = replace(s.settings, schedule=kind, schedule_steps=steps)
        s.trainer.set_schedule(schedule)

    def _on_lr(self, a: A.SetLearningRate) -> None:
        s = self.state
        if not (math.isfinite(a.learning_rate) and a.learning_rate > 0):
            return
        # the slider stops at LR_SLIDER_RANGE; scripts and levels may go higher (divergence)
        lr = float(np.clip(a.learning_rate, LR_SLIDER_RANGE[0], LR_MAX))
        s.settings = replace(s.settings, learning_rate=lr)
        s.trainer.set_lr(lr)

    def _on_batch_size(self, a: A.SetBatchSize) -> None:
        s = self.state
        s.settings = replace(s.settings, batch_size=max(1, int(a.batch_size)))
        s.trainer.set_batch_size(int(s.settings.batch_size))

    def _on_l2(self, a: A.SetL2) -> None:
        s = self.state
        s.settings = replace(s.settings, l2=float(np.clip(a.l2, 0.0, L2_MAX)))
        s.trainer.set_l2(s.settings.l2)

    def _on_reset_network(self, a: A.ResetNetwork) -> None:
        s = self.state
        seed = s.settings.seed + 1 if a.seed is None else int(a.seed)
        s.settings = replace(s.settings, seed=seed)
        self.build_network()  # fresh weights; the outputs follow the data's classes
        self.scene.say(f"Fresh weights (seed {seed}).")

    # ------------------------------------------------------------------ training
    def set_playing(self, on: bool) -> None:
        s = self.state
        if on and len(s.points) == 0:
            self.scene.say("Paint some points first (left drag on the plane), then press Space.")
            return
        if on and s.diverged:
            if self.session.divergence() and self.scene.can_change_learning_rate():
                # nothing was changed: the same rate would blow up again (or, worse, quietly
                # kill neurons before it does)
                self.scene.say(self.diverged_message(), "error")
                return
            s.trainer.clear_divergence()
            s.diverged = ""
        s.playing = on

    def _on_step_once(self, a: A.StepOnce) -> None:
        s = self.state
        s.playing = False
        self.sync_data()
        if s.diverged:
            s.trainer.clear_divergence()
            s.diverged = ""
        self.session.train(1)
        self.check_divergence()
        self.read_metrics(force=True)

    def _on_speed(self, a: A.SetSpeed) -> None:
        self.state.speed = int(np.clip(a.level, 0, len(SPEEDS) - 1))

    def _on_change_speed(self, a: A.ChangeSpeed) -> None:
        self.state.speed = int(np.clip(self.state.speed + a.step, 0, len(SPEEDS) - 1))

    def train_now(self, steps: int) -> None:
        """Run `steps` training steps at once (the --steps option and scripted tests)."""
        s = self.state
        self.sync_data()
        done = 0
        # about a hundred chunks, so the loss chart has a curve to show
        per_chunk = max(1, min(500, steps // 100))
        while done < steps:
            chunk = min(per_chunk, steps - done)
            self.session.train(chunk)
            done += chunk
            if self.check_divergence():
                break
            m = self.session.metrics()
            s.history.append(m.step, m.train_loss, m.test_loss)
        self.read_metrics(force=True)

    def train_frame(self) -> None:
        """One frame's training: the speed setting's steps, or flat out for the frame budget."""
        s = self.state
        self.sync_data()
        pending = self.session.training_pending
        if s.playing and pending and not self._said_pending:
            self._said_pending = True
            self.scene.say(pending)
        if s.playing and s.trainer is not None:
            steps = s.steps_per_frame
            if steps:
                self.session.train(steps)
            else:
                # the slower numpy steps get more of the (slower) pending frame
                scale = PENDING_BUDGET_SCALE if pending else 1.0
                self.session.train_for(scale * s.train_budget_s)
            self.check_divergence()

    def check_divergence(self) -> bool:
        s = self.state
        msg = self.session.divergence()
        if msg and not s.diverged:
            s.diverged = msg
            s.playing = False
            self.scene.say(self.diverged_message(), "error")
            self.session.weights_changed()  # the picture shows the restored weights
            self.read_metrics(force=True)  # and so do the readouts
            return True
        if not msg:
            s.diverged = ""
        return bool(msg)

    def diverged_message(self) -> str:
        """What happened and what to change, with the numbers to change it to."""
        lr = self.state.settings.learning_rate
        return (
            f"The learning rate is too high ({plain_number(lr)}): the network blew up. It is "
            "back to its last good weights and paused. Lower the learning rate (try "
            f"{plain_number(lr / 10)}), then press Space."
        )

    def read_metrics(self, force: bool = False) -> None:
        s = self.state
        # a full pass over a picture's points with a wide network costs tens of ms: then the
        # readouts follow as often as the timeline's snapshots do (Session.costly_pass)
        interval = RECORD_HOLD_S if self.session.costly_pass() else METRICS_INTERVAL
        if not force and s.time - self._metrics_time < interval:
            return
        self._metrics_time = s.time
        m = self.session.metrics()
        source = picture_source(s.preset) if s.task is Task.REGRESSION else None
        if source is not None and s.net is not None:
            # the blog's test: the whole picture (up to PSNR_SIDE pixels a side), not the pixels
            # trained; a wide network's pass over it is costly, so about once a second
            if force or s.time - self._psnr_time >= PSNR_INTERVAL or self._psnr is None:
                self._psnr_time = s.time
                try:
                    picture = load_picture(source).at_resolution(PSNR_SIDE)
                except ValueError:
                    self._psnr = None
                else:
                    # on the geometry worker once it takes longer than a frame
                    net = self.session.snapshot().net
                    psnr = self.session.derive_behind(
                        "psnr", lambda: picture_psnr(net, picture), source, reads=("weights",)
                    )
                    self._psnr = psnr if psnr is not None else self._psnr
            m = replace(m, psnr=self._psnr)
        s.metrics = m
        if m.step != self._last_step_count:
            self._last_step_count = m.step
            s.history.append(m.step, m.train_loss, m.test_loss)

    # ------------------------------------------------------------------ Laplace
    def laplace(self, retry: bool = False) -> LastLayerLaplace | None:
        s = self.state
        if s.task is not Task.CLASSIFICATION:
            self.laplace_error = "Laplace confidence is for classification networks."
            return None
        hold = 0.0 if retry else self.session.held_for("laplace", s.playing)
        fit = self.session.laplace(s.prior_precision, retry=retry, hold=hold)
        self.laplace_error = fit.error
        return fit.laplace

    def laplace_shaded(self) -> bool:
        """The plane shades with the Laplace fit (its view or the split view, classifying)."""
        s = self.state
        return s.task is Task.CLASSIFICATION and bool(s.views & {View.LAPLACE, View.SPLIT})

    def laplace_wanted(self) -> bool:
        return self.laplace_shaded() or self.scene.probe.wants_laplace()

    def update_laplace(self) -> None:
        s = self.state
        hovering = s.hover_pos is not None and s.layout.in_plane(s.hover_pos)
        if self.laplace_wanted() or (hovering and s.task is Task.CLASSIFICATION):
            self.laplace()
        # the plane's Laplace shading: the fit's closed forms in each region (a big
        # partition's are made on the worker)
        s.region_laplace = (
            self.session.region_laplace(s.partition, s.prior_precision)
            if self.laplace_shaded()
            else None
        )

    def _on_prior(self, a: A.SetPriorPrecision) -> None:
        s = self.state
        if math.isfinite(a.value) and a.value > 0:
            s.prior_precision = float(np.clip(a.value, *PRIOR_RANGE))

    def _on_optimize_prior(self, a: A.OptimizePrior) -> None:
        s = self.state
        la = self.laplace(retry=True)
        if la is None:
            self.scene.say(self.laplace_error or "Laplace needs a classification network.", "warn")
            return
        try:
            value = float(la.optimize_prior_precision())
        except (ValueError, ArithmeticError) as exc:
            self.scene.say(f"Could not optimise the prior precision: {exc}", "warn")
            return
        # the state is the one source of truth: the optimiser's bounds are wider than the
        # slider's, so the value is clipped first and the fitted posterior is given that same
        # value (the shading, slider, caption and message then all show one number)
        s.prior_precision = float(np.clip(value, *PRIOR_RANGE))
        self.session.set_prior_precision(la, s.prior_precision)
        if s.prior_precision != value:
            end = "smallest" if value < s.prior_precision else "largest"
            self.scene.say(
                f"Prior precision {s.prior_precision:.3g}: the {end} the slider allows (the data "
                f"would support {value:.3g})."
            )
        else:
            self.scene.say(
                f"Prior precision {s.prior_precision:.3g}: the value the data supports best."
            )
