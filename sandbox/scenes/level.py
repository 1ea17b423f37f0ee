"""A guided level on screen: the sandbox scene, set up and limited by a level file.

`LevelScene` is a `SandboxScene` (same training, geometry, drawing and action handlers) whose
starting data, network, views and camera come from a `Level`, and which applies only the
actions whose control the level shows: a hidden or locked control's action is refused with a
short message, whatever sent it (a panel, a key, a script). On top it runs the level: the story
card, the goals measured on the live network (through `LiveLevel`, the core `LevelSession`
pointed at the app's network and points, so the ticks are exactly what the headless solvers
check), hints after their time or failed checks, the Check button or a live win, the quiz,
markers (drawn, and dragged when movable), the neuron sliders and the pruning inspector, the
success card with the stars earned, and the saved progress. Esc goes back to the menu.

Views a level asks for that this version does not draw yet are left out with a one-line note in
the level panel.
"""

from __future__ import annotations

import math
import time
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pygame

from sandbox import actions as A
from sandbox import game_actions as G
from sandbox.levels import Level, LevelSession, plain_text
from sandbox.levels.goals import Call, walk
from sandbox.scenes import backend
from sandbox.scenes.sandbox import DEFAULT_POINTS, DEFAULT_PRESET, SandboxScene
from sandbox.settings import CONTROL_WORDS
from sandbox.state import Metrics, NetworkSettings
from sandbox.ui.level_plan import (
    LOCKED,
    SHOWN,
    LevelStatus,
    controls_height,
    level_layout,
    missing_controls,
)
from sandbox.ui.markers import marker_radius
from sandbox.vocab import MAX_WIDTH, UI_SCALE_RANGE, Task, View

if TYPE_CHECKING:
    from sandbox.app import App
    from sandbox.config import AppConfig
    from sandbox.scenes.game import Game

# Keys that still reach the app while the story or success card is up (help, presenter mode,
# recording, screenshot); the others would change the level behind the card.
CARD_PASS_KEYS = frozenset(
    {pygame.K_h, pygame.K_F1, pygame.K_QUESTION, pygame.K_SLASH, pygame.K_F5, pygame.K_F9,
     pygame.K_F12}
)  # fmt: skip
HINT_SECONDS = 9.0
HINT_INTERVAL = 0.25  # seconds between looks at which hints are due (their conditions cost)
REFUSE_INTERVAL = 2.5
MIN_EVAL_INTERVAL = 0.2
VIEW_NAMES = {
    "3d": "the 3D view",
    "probe": "the ray probe",
    "inspector": "the inspector view",
    "timeline": "the timeline",
}

# Which control an action needs (None: always allowed). Actions not listed are allowed.
_ACTION_CONTROLS: dict[type, str | None] = {
    A.Paint: "paint",
    A.SelectClass: "paint",
    A.SetBrushSize: "paint",
    A.SetBrushDensity: "paint",
    A.SetPaintValue: "paint",
    A.Erase: "erase",
    A.ClearPoints: "paint",
    A.LoadPreset: "presets",
    A.NewDataSeed: "presets",
    A.SetNoise: "noise",
    A.SetTestFraction: "split",
    A.Pan: "zoom",
    A.ZoomAt: "zoom",
    A.ZoomOutFar: "zoom",
    A.ResetView: "zoom",
    A.ToggleDiscretise: "views",
    A.SetLayerView: "layer_selector",
    A.CycleLayerView: "layer_selector",
    A.AddLayer: "add_layer",
    A.RemoveLayer: "remove_layer",
    A.SetWidth: "neurons",
    A.SetTask: "task",
    A.SetOptimizer: "optimizer",
    A.SetLearningRate: "learning_rate",
    A.SetBatchSize: "batch_size",
    A.SetL2: "l2",
    A.TogglePlay: "play",
    A.SetSpeed: "play",
    A.ChangeSpeed: "play",
    A.StepOnce: "step",
    A.ResetNetwork: "reset",
    A.SetPriorPrecision: "prior_precision",
    A.OptimizePrior: "optimize_prior",
    G.SetNeuronParam: "neuron_sliders",
    G.SelectNeuron: "neuron_sliders",
    G.PruneNeuron: "inspector",
    G.SetLaplace: "laplace",
    G.SetNetworkSeed: "seed",
}
# Files that would replace the level's data or network belong to the free sandbox.
for _name in ("OpenScene", "ImportWeights"):
    if hasattr(A, _name):
        _ACTION_CONTROLS[getattr(A, _name)] = "files"

# The "look closer" views' actions, by name: turning the 3D view is only looking (allowed).
_CLOSER_CONTROLS = {
    "ProbeDrag": "probe",
    "ProbeReach": "probe",
    "SetProbeRays": "probe",
    "ResetProbe": "probe",
    "PickNeuron": "inspector|neuron_sliders",
    "CreaseDrag": "neuron_sliders",
    "EditNeuron": "neuron_sliders",
    "Scrub": "timeline",
    "ScrubBy": "timeline",
    "ScrubToStep": "timeline",
    "BackToNow": "timeline",
    "ResumeHere": "timeline",
    "ToggleReplay": "timeline",
    "SetReplaySpeed": "timeline",
}


class LiveLevel(LevelSession):
    """The level's goal metrics, measured on the app's live network and points.

    The session built the level's starting points and network; the scene hands it the objects
    it trains (`follow`) so every goal is evaluated by the same code the headless solvers use.
    """

    def __init__(self, level: Level) -> None:
        super().__init__(level, enforce_controls=False)
        self._follow_key: tuple = ()

    def follow(self, net: Any, points: Any, steps: int, version: tuple) -> None:
        key = (id(net), id(points), steps, version)
        if key != self._follow_key:
            self._follow_key = key
            self.net = net
            self.points = points
            self.step_count = int(steps)
            self._changed()


def level_policy(level: Level) -> dict[str, str]:
    return {c.value: level.control(c).value for c in level.controls}


def _explicit_check(level: Level) -> bool:
    """A level asks for a Check button when its hints or stars count failed checks (a quiz
    counts its own wrong answers instead)."""
    if level.quiz is not None:
        return False
    names = set()
    for g in level.goals:
        names |= g.goal.names()
    for star in (level.two_stars, level.three_stars):
        if star is not None:
            names |= star.names()
    return "failed_checks" in names or any(h.after_failures for h in level.hints)


def crease_pairs(level: Level) -> list[tuple[str, str]]:
    """The marker pairs of the goals' crease_between checks, in order, without repeats."""
    out: list[tuple[str, str]] = []
    for g in level.goals:
        for node in walk(g.goal.tree):
            if isinstance(node, Call) and node.metric.name == "crease_between":
                pair = (node.args[0], node.args[1])
                if pair not in out:
                    out.append(pair)
    return out


class LevelScene(SandboxScene):
    """A level being played; see the module docstring."""

    name = "level"

    def __init__(
        self,
        app: App,
        game: Game,
        level: Level,
        config: AppConfig | None = None,
        show_story: bool = True,
    ) -> None:
        super().__init__(app, config if config is not None else app.config)
        self.game = game
        self.level = level
        self.live = LiveLevel(level)
        self.status = LevelStatus(
            level=level,
            number=game.number(level.id) or 1,
            total=max(1, len(game.entries)),
            policy=level_policy(level),
            card="story" if show_story else "",
            explicit_check=_explicit_check(level),
            next_id=game.next_level_id(level.id),
            best=game.stars(level.id),
            markers={name: (m.x, m.y) for name, m in level.markers.items()},
        )
        self._pairs = crease_pairs(level)
        self.steps = 0
        self.elapsed = 0.0
        self._step_ref: tuple[int, int] = (0, 0)
        self._eval_key: tuple = ()
        self._eval_next = -1.0
        self._inspector_key: tuple = ()
        self._pairs_key: tuple = ()
        self._refused: dict[str, float] = {}
        self._overlay_key: tuple = ()
        self._drag: str | None = None
        self._hints_next = -1.0
        self._hints_said: set[str] = set()

    # ------------------------------------------------------------------ set-up
    def enter(self) -> None:
        s = self.state
        s.start_afresh()  # nothing of the screen before (the sandbox's settings) carries over
        level = self.level
        spec = level.network
        live = self.live
        task = Task(spec.task.value)
        from sandbox.nn.trainer import MAX_BATCH_SIZE

        scale = self.game.first_ui_scale(self.config.ui_scale)
        if scale is not None:
            s.ui_scale = float(np.clip(scale, *UI_SCALE_RANGE))
        s.presets = tuple(backend.preset_list())
        s.settings = NetworkSettings(
            hidden=list(live.net.hidden_sizes),
            task=task,
            optimizer=spec.optimizer,
            learning_rate=spec.learning_rate,
            batch_size=spec.batch_size or MAX_BATCH_SIZE,  # none given: every training point
            l2=spec.l2,
            seed=spec.seed,
        )
        data = level.data
        s.preset = data.generator or DEFAULT_PRESET[task]
        s.data_seed = data.seed
        s.noise = data.noise
        s.n_preset = data.n or DEFAULT_POINTS[task]
        s.test_fraction = data.test_fraction
        s.points = live.points
        s.selected_class = 0
        s.paint_value = 1.0
        s.layer_view = 0
        s.discretise = False
        s.far_return = None
        s.show_help = False
        s.hover = None
        s.hover_pos = None
        s.toast = None
        s.playing = False
        s.diverged = ""
        s.prior_precision = live.prior_precision()
        s.views = self._initial_views()
        self.status.laplace_on = bool(s.views & {View.LAPLACE, View.SPLIT})
        live.set_laplace(self.status.laplace_on)
        self._relayout(s.layout.window)
        s.camera = backend.new_camera(s.layout.plane, 1.0)
        self._fit_camera()
        s.net = live.net
        s.trainer = backend.new_trainer(s.net, s.points, s.settings)
        self._pushed_points = s.points.version
        self._step_ref = (id(s.trainer), 0)
        s.history.clear()
        s.metrics = Metrics()
        s.laplace = None
        self._laplace_key = ()
        self._metrics_time = -1.0
        self._last_step_count = -1
        self._bump_weights()
        s.settings_version += 1
        self._neuron_params()
        from sandbox.scenes.plane import PlaneRenderer

        self.plane = PlaneRenderer(self.app.renderer)
        error = self.game.started(level.id)
        if error:
            self.say(error, "error")
        self._evaluate(force=True)

    def _initial_views(self) -> set[View]:
        out: set[View] = set()
        missing = []
        laplace_switch = self.status.present("laplace")
        for v in self.level.views:
            name = v.value
            try:
                view = View(name)
            except ValueError:
                missing.append(VIEW_NAMES.get(name, f"the {name} view"))
                continue
            if view in (View.LAPLACE, View.SPLIT) and laplace_switch:
                continue  # the player switches Laplace on: that is the lesson
            out.add(view)
        for label in missing_controls(self.status):
            if label not in missing:
                missing.append(label)
        if missing:
            self.status.notes.append(f"Not in this version yet: {', '.join(missing)}.")
        return out

    def _fit_camera(self) -> None:
        """Show the level's bounds, with a small margin, in the plane."""
        s = self.state
        cam = s.camera
        x0, x1, y0, y1 = self.level.bounds
        _, _, w, h = s.layout.plane
        ppu = 0.92 * min(max(1, w) / (x1 - x0), max(1, h) / (y1 - y0))
        cam.center = ((x0 + x1) / 2.0, (y0 + y1) / 2.0)
        cam.zoom = float(np.clip(ppu / cam.base_pixels_per_unit, 0.01, 1000.0))
        s.far_return = None
        s.view_version += 1

    def _relayout(self, window: tuple[int, int]) -> None:
        s = self.state
        need = controls_height(self.status, s)
        s.layout = level_layout(window, s.ui_scale, s.show_ui, self.status, need)
        closer = getattr(self, "closer", None)
        if closer is not None:
            closer.ensure_layout()  # the 3D view, probe, inspector, timeline take their parts
        if s.camera is not None:
            _, _, w, h = s.layout.plane
            s.camera = s.camera.resized(max(1, w), max(1, h))
        s.view_version += 1

    def build_ui(self, manager: Any) -> None:
        from sandbox.ui.level_panels import LevelPanels

        if self.panels is not None:
            self.panels.clear()
        self.panels = LevelPanels(manager, self.state, self.status)
        self.workshop.build_ui(manager)
        closer = getattr(self, "closer", None)  # the 3D view, probe, inspector, timeline
        if closer is not None:
            closer.build_ui(manager)

    # ------------------------------------------------------------------ events -> actions
    def translate(self, event: pygame.event.Event, consumed: bool) -> list[A.Action]:
        st = self.status
        t = event.type
        if t == pygame.KEYDOWN and not consumed:
            key = event.key
            if key == pygame.K_ESCAPE and not self.esc_closes_a_card():
                return [G.OpenMenu()]
            if key in (pygame.K_RETURN, pygame.K_KP_ENTER):
                if st.card == "story":
                    return [G.StoryPage(1)]
                if st.card == "success":
                    return [G.NextLevel() if st.next_id else G.CloseCard()]
            if st.card in ("story", "success") and key not in CARD_PASS_KEYS:
                return []  # a card is up: its keys (Enter, Esc) and the help keys only
            if key == pygame.K_l and st.present("laplace"):
                return [G.SetLaplace(not st.laplace_on)]
        if self._drag is not None:
            if t == pygame.MOUSEMOTION:
                return [G.DragMarker(self._drag, event.pos, A.Phase.MOVE), A.Hover(event.pos)]
            if t == pygame.MOUSEBUTTONUP and event.button == 1:
                return [G.DragMarker(self._drag, event.pos, A.Phase.END)]
        if t == pygame.MOUSEBUTTONDOWN and event.button == 1 and not consumed:
            name = self._marker_at(event.pos)
            if name is not None:
                return [G.DragMarker(name, event.pos, A.Phase.BEGIN)]
        return super().translate(event, consumed)

    def _marker_at(self, pos: tuple[float, float]) -> str | None:
        """The movable marker under a window position (None if none)."""
        s = self.state
        if not s.layout.in_plane(pos):
            return None
        reach = marker_radius(s.scale) * 2.2
        best, best_d = None, reach
        for name, (wx, wy) in self.status.markers.items():
            if not self.level.markers[name].movable:
                continue
            for cam, x0 in self.views():
                p = cam.world_to_screen(np.array([wx, wy]))
                d = math.dist((p[0] + s.layout.plane[0] + x0, p[1] + s.layout.plane[1]), pos)
                if d < best_d:
                    best, best_d = name, d
        return best

    # ------------------------------------------------------------------ apply
    def control_for(self, action: A.Action) -> str | None:
        """The control `action` needs in this level (None: always allowed)."""
        if isinstance(action, A.ToggleView | A.SetView):
            return "laplace" if action.name in (View.LAPLACE.value, "laplace") else "views"
        if isinstance(action, A.SetPlaying) and not action.playing:
            return None  # stopping is always allowed
        control = _ACTION_CONTROLS.get(type(action))
        if control is None:
            control = _CLOSER_CONTROLS.get(type(action).__name__)
            if control is not None and "|" in control:  # any one of them will do
                options = control.split("|")
                control = next((c for c in options if self.status.shown(c)), options[0])
        return control

    def can_change_learning_rate(self) -> bool:
        return self.status.control("learning_rate") == SHOWN

    def apply(self, action: A.Action) -> None:
        if isinstance(action, A.ToggleView) and action.name == View.LAPLACE.value:
            action = G.SetLaplace(not self.status.laplace_on)
        control = self.control_for(action)
        if control is not None and self.status.control(control) != SHOWN:
            self._refuse(control)
            return
        super().apply(action)

    def _refuse(self, control: str) -> None:
        now = self.state.time
        if now - self._refused.get(control, -1e9) < REFUSE_INTERVAL:
            return
        self._refused[control] = now
        what = CONTROL_WORDS.get(control, control.replace("_", " "))
        if self.status.control(control) == LOCKED:
            self.say(f"Locked in this level: {what}.", "warn")
        elif control in ("paint", "erase"):
            self.say("This level brings its own points: painting is off here.")
        else:
            self.say(f"Not part of this level: {what}. The free sandbox has everything.")

    def exit(self) -> None:
        super().exit()
        # the level's hints and messages end with it: none follows the player into the menu
        self.status.hints = []
        self.state.toast = None

    # screens
    def _on_OpenMenu(self, a: G.OpenMenu) -> None:
        from sandbox.scenes.menu import MenuScene

        self.state.playing = False
        self.next_scene = MenuScene(self.app, self.game, self.config)

    def _on_NextLevel(self, a: G.NextLevel) -> None:
        nid = self.game.next_level_id(self.level.id)
        level = self.game.level(nid) if nid else None
        if level is None:
            self._on_OpenMenu(G.OpenMenu())
            return
        self.state.playing = False
        self.next_scene = LevelScene(self.app, self.game, level, self.config)

    def _on_RestartLevel(self, a: G.RestartLevel) -> None:
        self.state.playing = False
        self.next_scene = LevelScene(self.app, self.game, self.level, self.config, False)

    # cards
    def _on_StoryPage(self, a: G.StoryPage) -> None:
        st = self.status
        if st.card != "story":
            return
        page = st.page + int(a.step)
        if page >= len(self.level.story):
            st.card = ""
            st.page = 0
        else:
            st.page = max(0, page)
        st.version += 1

    def _on_ShowStory(self, a: G.ShowStory) -> None:
        self.status.card = "story"
        self.status.page = 0
        self.status.version += 1

    def _on_CloseCard(self, a: G.CloseCard) -> None:
        self.status.card = ""
        self.status.version += 1

    # goals
    def _on_CheckGoals(self, a: G.CheckGoals) -> None:
        self._evaluate(force=True)
        st = self.status
        if self.live.check():
            self._win(self.level.stars_for(self.live))
            return
        todo = [plain_text(g.text) for g, ok in zip(self.level.goals, st.goals, strict=True)
                if not ok]  # fmt: skip
        st.message = "Not yet: " + " ".join(todo) if todo else "Not yet."
        st.version += 1
        self.say(st.message, "warn")
        self._update_hints(force=True)

    def _on_AnswerQuiz(self, a: G.AnswerQuiz) -> None:
        st = self.status
        quiz = self.level.quiz
        if quiz is None or st.quiz_right or not 0 <= a.choice < len(quiz.choices):
            return
        right = self.live.answer_quiz(int(a.choice))
        st.quiz_choice = int(a.choice)
        st.quiz_right = right
        st.message = "" if right else "Not quite. Watch the creases again and try another answer."
        if right:
            self.say("Right!")
        else:
            self.say(st.message, "warn")
        st.version += 1
        self._evaluate(force=True)
        self._update_hints(force=True)

    def _win(self, stars: int) -> None:
        st = self.status
        s = self.state
        st.won = True
        st.met = True
        st.stars = int(stars)
        st.message = ""
        _, error = self.game.record(self.level.id, st.stars)
        st.best = max(st.best, st.stars)
        st.next_id = self.game.next_level_id(self.level.id)
        st.card = "success"
        st.hints = []  # won: no advice left to give
        st.version += 1
        s.playing = False
        if error:
            self.say(error, "error")

    # level controls
    def _on_SetNeuronParam(self, a: G.SetNeuronParam) -> None:
        s = self.state
        if a.param not in ("a", "b", "c") or not math.isfinite(a.value):
            return
        n = int(a.neuron)
        if not 0 <= n < s.net.sizes[1]:
            return
        self._follow()
        W, b = s.net.layers[0]
        params = [float(W[n, 0]), float(W[n, 1]), float(b[n])]
        params["abc".index(a.param)] = float(a.value)
        try:
            self.live.set_neuron(n, *params)
            s.trainer.weights_changed()
        except ValueError as exc:
            self.say(str(exc), "warn")
            return
        self._bump_weights()
        self._neuron_params()

    def _on_SelectNeuron(self, a: G.SelectNeuron) -> None:
        n = int(self.state.net.sizes[1])
        self.status.neuron = int(a.neuron) % max(1, n)
        self._neuron_params()

    def _neuron_params(self) -> None:
        net = self.state.net
        if net is None:
            return
        n = min(self.status.neuron, net.sizes[1] - 1)
        self.status.neuron = n
        W, b = net.layers[0]
        self.status.neuron_params = (float(W[n, 0]), float(W[n, 1]), float(b[n]))

    def _on_PruneNeuron(self, a: G.PruneNeuron) -> None:
        s = self.state
        self._follow()
        try:
            self.live.prune(int(a.layer), int(a.neuron))
        except ValueError as exc:
            self.say(f"Cannot prune that neuron: {exc}", "warn")
            return
        s.net = self.live.net
        s.settings = replace(s.settings, hidden=list(s.net.hidden_sizes))
        s.trainer = backend.new_trainer(s.net, s.points, s.settings)
        self._pushed_points = s.points.version
        s.laplace = None
        self._laplace_key = ()
        self._relayout(s.layout.window)
        s.settings_version += 1
        self._bump_weights()
        self._neuron_params()
        self.say(f"Pruned neuron {a.neuron + 1} of layer {a.layer}.")

    def _on_SetLaplace(self, a: G.SetLaplace) -> None:
        s = self.state
        on = bool(a.on)
        if on and s.task is not Task.CLASSIFICATION:
            self.say("Laplace confidence is for classification networks.", "warn")
            return
        if on:
            if View.SPLIT not in s.views:
                self._set_view(View.LAPLACE, True)
        else:
            self._set_view(View.LAPLACE, False)
            self._set_view(View.SPLIT, False)

    def _set_view(self, view: View, on: bool) -> None:
        super()._set_view(view, on)
        st = self.status
        st.laplace_on = bool(self.state.views & {View.LAPLACE, View.SPLIT})
        if self.live.laplace_enabled != st.laplace_on:
            self.live.set_laplace(st.laplace_on)

    def _on_SetNetworkSeed(self, a: G.SetNetworkSeed) -> None:
        super()._on_ResetNetwork(A.ResetNetwork(int(a.seed)))

    def _on_ResetNetwork(self, a: A.ResetNetwork) -> None:
        if a.seed is not None and self.status.control("seed") != SHOWN:
            a = A.ResetNetwork(None)
        super()._on_ResetNetwork(a)
        self._neuron_params()

    def _on_SetWidth(self, a: A.SetWidth) -> None:
        hidden = list(self.state.settings.hidden)
        if not 0 <= a.layer < len(hidden):
            return
        width = int(np.clip(a.width, 1, MAX_WIDTH))
        if width != hidden[a.layer]:
            hidden[a.layer] = width
            self._resize_network(hidden)
            self._neuron_params()

    def _on_AddLayer(self, a: A.AddLayer) -> None:
        super()._on_AddLayer(a)
        self._neuron_params()

    def _on_RemoveLayer(self, a: A.RemoveLayer) -> None:
        super()._on_RemoveLayer(a)
        self._neuron_params()

    def _on_SelectClass(self, a: A.SelectClass) -> None:
        if a.label < self.level.network.classes:
            super()._on_SelectClass(a)

    def _on_ResetView(self, a: A.ResetView) -> None:
        self._fit_camera()

    def _on_ZoomOutFar(self, a: A.ZoomOutFar) -> None:
        super()._on_ZoomOutFar(a)
        if self.state.far_return is not None and not self.status.shown("laplace"):
            # the sandbox's message suggests Laplace, which this level does not offer
            self.say("Far out: the dots are the small patch in the middle. O goes back.")

    def _on_DragMarker(self, a: G.DragMarker) -> None:
        marker = self.level.markers.get(a.name)
        if marker is None or not marker.movable:
            return
        st = self.status
        if a.phase is A.Phase.BEGIN:
            self._drag = a.name
        if a.phase is A.Phase.END:
            self._drag = None
        st.dragging = self._drag
        world = self._to_world(a.pos)
        x, y = float(world[0]), float(world[1])
        if math.isfinite(x) and math.isfinite(y):
            self.live.move_marker(a.name, x, y)
            st.markers[a.name] = (x, y)

    # ------------------------------------------------------------------ frame
    def update(self, dt: float) -> None:
        s = self.state
        if self.panels is not None:
            for action in self.panels.poll(s.time):
                self.apply(action)
        super().update(dt)
        self._count_steps()
        if self.status.card != "story":
            self.elapsed += dt
        self._evaluate()
        self._update_hints()
        self._update_inspector()
        self._update_pairs()
        if self.panels is not None:
            self.panels.sync(s)

    def _count_steps(self) -> None:
        """Training steps since the level started, across resets and new trainers."""
        trainer = self.state.trainer
        now = int(getattr(trainer, "steps", 0))
        ref_id, ref = self._step_ref
        if ref_id != id(trainer):
            ref = 0
        if now >= ref:
            self.steps += now - ref
        else:
            self.steps += now
        self._step_ref = (id(trainer), now)

    def _follow(self) -> None:
        s = self.state
        self.live.follow(s.net, s.points, self.steps, (s.weights_version, s.points.version))
        if not math.isclose(self.live.prior_precision(), s.prior_precision):
            self.live.set_prior_precision(s.prior_precision)

    def _evaluate(self, force: bool = False) -> None:
        """Measure the goals on the live state (throttled: some metrics cost milliseconds)."""
        s = self.state
        st = self.status
        key = (
            s.weights_version,
            s.points.version,
            self.steps,
            st.laplace_on,
            s.prior_precision,
            tuple(sorted(st.markers.items())),
            st.quiz_choice,
        )
        if key == self._eval_key and not force:
            return
        if not force and s.playing and s.time < self._eval_next:
            return  # while training, measure a few times a second (some metrics cost ms)
        self._eval_key = key
        t0 = time.perf_counter()
        self._follow()
        try:
            goals = self.level.goal_status(self.live)
            met = all(goals) if self.level.goal_mode == "all" else any(goals)
            stars = self.level.stars_for(self.live) if met else 0
        except (ValueError, ArithmeticError) as exc:
            self.say(f"Could not measure the goals: {exc}", "warn")
            return
        finally:
            cost = time.perf_counter() - t0
            self._eval_next = s.time + max(MIN_EVAL_INTERVAL, 8.0 * cost)
        st.goals = goals
        st.met = met
        st.stars = stars
        try:
            st.readouts = self.live.readouts()
            st.marker_notes = self.live.marker_notes()
        except (ValueError, ArithmeticError):
            st.readouts = []
            st.marker_notes = {}
        if not met or st.card == "success":
            return
        if not st.won and not st.explicit_check:
            self._win(stars)
        elif st.won and stars > st.best:
            _, error = self.game.record(self.level.id, stars)
            st.best = stars
            self.say(f"Now {stars} of 3 stars!" if not error else error)

    def _update_hints(self, force: bool = False) -> None:
        """The hints due now (their time or tries passed, their condition holds, the goal not
        met yet): the panel shows exactly these, a toast announces each the first time."""
        st = self.status
        if not force and self.state.time < self._hints_next:
            return
        if st.card == "story":
            return
        t0 = time.perf_counter()
        self._follow()
        try:
            due = [h.text for h in self.live.due_hints(self.elapsed)]
        except (ValueError, ArithmeticError):
            return
        finally:  # conditions can cost milliseconds (regions): look less often when they do
            cost = time.perf_counter() - t0
            self._hints_next = self.state.time + max(HINT_INTERVAL, 8.0 * cost)
        if due == st.hints:
            return
        new = [t for t in due if t not in self._hints_said]
        st.hints = due
        st.version += 1
        if new:
            self._hints_said.update(new)
            self.say("Hint: " + plain_text(new[-1]), "info")
            self.state.toast = replace(self.state.toast, until=self.state.time + HINT_SECONDS)
        elif self.state.toast is not None and self.state.toast.text.startswith("Hint:"):
            if plain_text(self.state.toast.text[6:]) not in map(plain_text, due):
                self.state.toast = None  # its condition no longer holds: it would mislead

    def _update_inspector(self) -> None:
        st = self.status
        if not st.present("inspector"):
            return
        s = self.state
        key = (s.weights_version, s.points.version)
        if key == self._inspector_key:
            return
        self._inspector_key = key
        from sandbox.geometry import copycat_neurons, dead_neurons

        net = s.net
        X = s.points.X_train
        try:
            dead = dead_neurons(net, self.level.bounds, X if len(X) else None)
            flags = dead.on_data if dead.on_data is not None else dead.in_window
            copies = copycat_neurons(net, self.level.bounds)
        except ValueError:
            return
        twin = {(layer, j): i for layer, i, j in copies}
        rows = []
        k = 0
        for layer, width in enumerate(net.hidden_sizes, start=1):
            for j in range(width):
                if flags[k]:
                    what = "never on: dead"
                elif (layer, j) in twin:
                    what = f"copies #{twin[(layer, j)] + 1}"
                else:
                    what = "working"
                rows.append((layer, j, what))
                k += 1
        st.inspector = tuple(rows)

    def _update_pairs(self) -> None:
        st = self.status
        if not self._pairs:
            return
        s = self.state
        key = (s.weights_version, tuple(sorted(st.markers.items())))
        if key == self._pairs_key:
            return
        self._pairs_key = key
        from sandbox.levels.measures import crease_between

        out = []
        for a, b in self._pairs:
            p = np.array([st.markers[a]], dtype=np.float64)
            q = np.array([st.markers[b]], dtype=np.float64)
            out.append((a, b, bool(crease_between(s.net, p, q))))
        st.pairs = out

    # ------------------------------------------------------------------ drawing
    def draw_underlay(self, surface: pygame.Surface) -> None:
        from sandbox.ui import hud
        from sandbox.ui.markers import draw_markers

        s = self.state
        scale = s.scale
        closer = getattr(self, "closer", None)
        if closer is None or not closer.hides_2d():
            hud.draw_captions(surface, s, scale)
        marks = draw_markers(surface, s, self.status, self.views())
        if self.status.shown("paint") and self.input.drag != "pan" and self._drag is None:
            hud.draw_brush(surface, s, scale)
        hud.draw_hover(surface, s, scale, avoid=marks)
        if closer is not None:
            closer.draw_overlay(surface)
        hud.draw_toast(surface, s, scale)
        self.workshop.draw_underlay(surface)

    def draw_overlay(self, surface: pygame.Surface) -> None:
        from sandbox.ui import hud

        s = self.state
        hud.draw_help(surface, s, s.scale)
        self.workshop.draw_overlay(surface)
        self._overlay_key = self._marker_key()

    def _marker_key(self) -> tuple:
        s = self.state
        cam = s.camera
        st = self.status
        return (
            st.version,
            tuple(st.goals),
            st.met,
            st.stars,
            tuple(sorted(st.markers.items())),
            tuple(sorted(st.marker_notes.items())),
            tuple(st.pairs),
            st.dragging,
            (cam.center, cam.zoom, cam.width, cam.height) if cam is not None else None,
        )

    def ui_needs_redraw(self) -> bool:
        return super().ui_needs_redraw() or self._marker_key() != self._overlay_key
