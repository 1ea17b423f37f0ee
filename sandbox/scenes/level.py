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
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np
import pygame
import pygame_gui

from sandbox import actions as A
from sandbox import game_actions as G
from sandbox.data.datasets import picture_source
from sandbox.levels import Level, plain_text
from sandbox.nn import MLP
from sandbox.nn.trainer import MAX_BATCH_SIZE
from sandbox.render.plane_view import PlaneRenderer
from sandbox.scenes.base import Routes
from sandbox.scenes.level_rules import (
    CARD_PASS_KEYS,
    VIEW_NAMES,
    WAITING_FOR_REGIONS,
    GeometryPending,
    LiveLevel,
    control_for,
    count_steps,
    crease_pair_status,
    crease_pairs,
    explicit_check,
    inspector_rows,
    level_policy,
    refusal,
    waiting_readouts,
)
from sandbox.scenes.level_trials import LevelTrials
from sandbox.scenes.model import DEFAULT_POINTS, DEFAULT_PRESET, preset_list, training_setup
from sandbox.scenes.sandbox import SandboxScene
from sandbox.state import NetworkSettings
from sandbox.ui import hud
from sandbox.ui.level_panels import LevelPanels
from sandbox.ui.level_plan import (
    SHOWN,
    LevelStatus,
    controls_height,
    level_layout,
    missing_controls,
)
from sandbox.ui.markers import MarkerView, draw_markers, marker_radius
from sandbox.vocab import MAX_WIDTH, UI_SCALE_RANGE, Task, View

if TYPE_CHECKING:
    from sandbox.app import App
    from sandbox.config import AppConfig
    from sandbox.scenes.game import Game

HINT_SECONDS = 9.0
HINT_INTERVAL = 0.25  # seconds between looks at which hints are due (their conditions cost)
REFUSE_INTERVAL = 2.5
MIN_EVAL_INTERVAL = 0.2


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
            total=max(1, len(game.own_entries if game.is_own(level.id) else game.entries)),
            policy=level_policy(level),
            card="story" if show_story else "",
            explicit_check=explicit_check(level),
            next_id=game.next_level_id(level.id),
            learned=game.learned_card(level.id),
            best=game.stars(level.id),
            markers={name: (m.x, m.y) for name, m in level.markers.items()},
        )
        self._pairs = crease_pairs(level)
        self.steps = 0
        self.elapsed = 0.0
        self._step_ref: tuple[int, int] = (0, 0)
        self._eval_next = -1.0
        self._refused: dict[str, float] = {}
        self._drag: str | None = None
        self._hints_next = -1.0
        self._hints_said: set[str] = set()
        self.trials = LevelTrials(self)  # predict-then-run, the race, the seeds' table
        self.routes.update(self.level_routes() | self.trials.routes())

    def level_routes(self) -> Routes:
        """The level's own actions, and the sandbox actions a level applies its own way."""
        model = self.model
        return {
            G.OpenMenu: self._on_OpenMenu,
            G.NextLevel: self._on_NextLevel,
            G.RestartLevel: self._on_RestartLevel,
            G.StoryPage: self._on_StoryPage,
            G.ShowStory: self._on_ShowStory,
            G.CloseCard: self._on_CloseCard,
            G.CheckGoals: self._on_CheckGoals,
            G.AnswerQuiz: self._on_AnswerQuiz,
            G.SetNeuronParam: self._on_SetNeuronParam,
            G.SelectNeuron: self._on_SelectNeuron,
            G.PruneNeuron: self._on_PruneNeuron,
            G.SetLaplace: self._on_SetLaplace,
            G.SetNetworkSeed: lambda a: model._on_reset_network(A.ResetNetwork(int(a.seed))),
            G.DragMarker: self._on_DragMarker,
            A.ResetNetwork: self._on_ResetNetwork,
            A.SetWidth: self._on_SetWidth,
            A.AddLayer: self._then_neuron_params(model._on_add_layer),
            A.RemoveLayer: self._then_neuron_params(model._on_remove_layer),
            A.SelectClass: self._on_SelectClass,
            A.ResetView: lambda a: self.plane.fit_bounds(self.level.bounds),
            A.ZoomOutFar: self._on_ZoomOutFar,
        }

    def _then_neuron_params(self, handler: Callable[[A.Action], None]) -> Callable:
        def apply(a: A.Action) -> None:
            handler(a)
            self._neuron_params()

        return apply

    # ------------------------------------------------------------------ set-up
    def enter(self) -> None:
        s = self.state
        s.start_afresh()  # nothing of the screen before (the sandbox's settings) carries over
        level = self.level
        spec = level.network
        live = self.live
        task = Task(spec.task.value)
        scale = self.game.first_ui_scale(self.config.ui_scale)
        if scale is not None:
            s.ui_scale = float(np.clip(scale, *UI_SCALE_RANGE))
        s.presets = preset_list()
        s.settings = NetworkSettings(
            hidden=list(live.net.hidden_sizes),
            task=task,
            optimizer=spec.optimizer,
            learning_rate=spec.learning_rate,
            batch_size=spec.batch_size or MAX_BATCH_SIZE,  # none given: every training point
            l2=spec.l2,
            seed=spec.seed,
            activation=live.net.activation,
            negative_slope=live.net.negative_slope,
            residual=live.net.residual,
            schedule=spec.schedule,
            schedule_steps=spec.schedule_steps,
        )
        data = level.data
        s.preset = data.dataset or DEFAULT_PRESET[task]
        s.data_seed = data.seed
        s.noise = data.noise
        s.n_preset = data.count or DEFAULT_POINTS[task]
        s.test_fraction = data.test_fraction
        self.session.set_points(live.points)
        s.selected_class = 0
        s.paint_value = 1.0
        s.layer_view = 0
        s.discretise = False
        s.show_points = picture_source(s.preset) is None  # a picture's pixels: the field
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
        self.relayout()
        s.camera = self.plane.new_camera(1.0)
        self.plane.fit_bounds(self.level.bounds)
        self.model.build_network(net=live.net)
        self._step_ref = (id(s.trainer), 0)
        self._neuron_params()
        self.plane.renderer = PlaneRenderer(self.app.renderer)
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

    def relayout(self, window: tuple[int, int] | None = None) -> None:
        s = self.state
        window = s.layout.window if window is None else window
        need = controls_height(self.status, s)
        s.layout = level_layout(window, s.ui_scale, s.show_ui, self.status, need)
        self.after_layout()

    def build_ui(self, manager: pygame_gui.UIManager) -> None:
        self.panels = LevelPanels(manager, self.state, self.status, self.retire_panels())
        self.workshop.build_ui(manager)
        self.stage.build_ui(manager)
        self.level_writer.build_ui(manager)

    # ------------------------------------------------------------------ events -> actions
    def translate(self, event: pygame.event.Event, consumed: bool) -> list[A.Action]:
        st = self.status
        t = event.type
        if t == pygame.KEYDOWN and not consumed:
            key = event.key
            if key == pygame.K_ESCAPE and not self.esc_is_taken():
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
            for cam, x0 in self.plane.views():
                p = cam.world_to_screen(np.array([wx, wy]))
                d = math.dist((p[0] + s.layout.plane[0] + x0, p[1] + s.layout.plane[1]), pos)
                if d < best_d:
                    best, best_d = name, d
        return best

    # ------------------------------------------------------------------ apply
    def can_change_learning_rate(self) -> bool:
        return self.status.control("learning_rate") == SHOWN

    def apply(self, action: A.Action) -> None:
        if isinstance(action, A.ToggleView) and action.name == View.LAPLACE.value:
            action = G.SetLaplace(not self.status.laplace_on)
        control = control_for(action, self.status)
        if control is not None and self.status.control(control) != SHOWN:
            self._refuse(control)
            return
        if not self.trials.waits(action):  # training waits for the prediction
            super().apply(action)

    def _refuse(self, control: str) -> None:
        now = self.state.time
        if now - self._refused.get(control, -1e9) < REFUSE_INTERVAL:
            return
        self._refused[control] = now
        self.say(*refusal(control, self.status))

    def exit(self) -> None:
        super().exit()
        # the level's hints and messages end with it: none follows the player into the menu
        self.status.hints = []
        self.state.toast = None

    # screens
    def _on_OpenMenu(self, a: G.OpenMenu) -> None:
        from sandbox.scenes.menu import MenuScene  # the menu opens levels: a cycle at import

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

    def _on_ShowStory(self, a: G.ShowStory) -> None:
        self.status.card = "story"
        self.status.page = 0

    def _on_CloseCard(self, a: G.CloseCard) -> None:
        self.status.card = ""

    # goals
    def _on_CheckGoals(self, a: G.CheckGoals) -> None:
        self._evaluate(force=True)
        st = self.status
        if st.waiting:  # not a failed check: nothing could be told yet
            self.say(WAITING_FOR_REGIONS, "info")
            return
        if self.live.check():
            self._win(self.level.stars_for(self.live))
            return
        todo = [plain_text(g.text) for g, ok in zip(self.level.goals, st.goals, strict=True)
                if not ok]  # fmt: skip
        st.message = "Not yet: " + " ".join(todo) if todo else "Not yet."
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
        self.follow_live()
        W, b = s.net.layers[0]
        params = [float(W[n, 0]), float(W[n, 1]), float(b[n])]
        params["abc".index(a.param)] = float(a.value)
        try:
            self.live.set_neuron(n, *params)
        except ValueError as exc:
            self.say(str(exc), "warn")
            return
        self.session.weights_changed(edited=True)
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
        self.follow_live()
        try:
            self.live.prune(int(a.layer), int(a.neuron))
        except ValueError as exc:
            self.say(f"Cannot prune that neuron: {exc}", "warn")
            return
        self.adopt_network(self.live.net)
        self.say(f"Pruned neuron {a.neuron + 1} of layer {a.layer}.")

    def adopt_network(self, net: MLP) -> None:
        """Train and show `net` from now on (a pruned network, a seed's run)."""
        s = self.state
        s.settings = replace(s.settings, hidden=list(net.hidden_sizes))
        self.session.adopt_network(net, training_setup(s.settings))
        self.relayout()
        self._neuron_params()

    def _on_SetLaplace(self, a: G.SetLaplace) -> None:
        s = self.state
        on = bool(a.on)
        if on and s.task is not Task.CLASSIFICATION:
            self.say("Laplace confidence is for classification networks.", "warn")
            return
        if on:
            if View.SPLIT not in s.views:
                self.set_view(View.LAPLACE, True)
        else:
            self.set_view(View.LAPLACE, False)
            self.set_view(View.SPLIT, False)

    def set_view(self, view: View, on: bool) -> None:
        super().set_view(view, on)
        st = self.status
        st.laplace_on = bool(self.state.views & {View.LAPLACE, View.SPLIT})
        if self.live.laplace_enabled != st.laplace_on:
            self.live.set_laplace(st.laplace_on)

    def _on_ResetNetwork(self, a: A.ResetNetwork) -> None:
        if a.seed is not None and self.status.control("seed") != SHOWN:
            a = A.ResetNetwork(None)
        self.model._on_reset_network(a)
        self._neuron_params()

    def _on_SetWidth(self, a: A.SetWidth) -> None:
        hidden = list(self.state.settings.hidden)
        if not 0 <= a.layer < len(hidden):
            return
        width = int(np.clip(a.width, 1, MAX_WIDTH))
        if width != hidden[a.layer]:
            hidden[a.layer] = width
            self.model.resize_network(hidden)
            self._neuron_params()

    def _on_SelectClass(self, a: A.SelectClass) -> None:
        if a.label < self.level.network.classes:
            self.plane._on_select_class(a)

    def _on_ZoomOutFar(self, a: A.ZoomOutFar) -> None:
        self.plane._on_zoom_out_far(a)
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
        world = self.plane.to_world(a.pos)
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
        self.trials.update()
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
        self.steps, self._step_ref = count_steps(self.steps, self._step_ref, self.state.trainer)

    def refresh_goals(self) -> None:
        self._evaluate(force=True)
        self._update_hints(force=True)

    def follow_live(self) -> None:
        s = self.state
        session = self.session
        net = self.trials.measured(s.net)  # the player's, while training's try is on the plane
        self.live.geometry_pending = bool(session.geometry_pending)
        self.live.follow(net, s.points, self.steps, (session.weights_version, session.data_version))
        self.live.follow_reading(s.reading)
        if not math.isclose(self.live.prior_precision(), s.prior_precision):
            self.live.set_prior_precision(s.prior_precision)

    def _evaluate(self, force: bool = False) -> None:
        """Measure the goals on the live state (throttled: some metrics cost milliseconds)."""
        s = self.state
        st = self.status
        session = self.session
        force = force or (st.waiting and not session.geometry_pending)  # the kernels came in
        markers = tuple(sorted(st.markers.items()))
        rd = s.reading
        read = (rd.active, rd.pattern, rd.walked_from, rd.flipped, rd.neuron)
        args = (self.steps, st.laplace_on, s.prior_precision, markers, st.quiz_choice,
                self.trials.key(), read, bool(session.geometry_pending))  # fmt: skip
        reads = ("weights", "data")
        if not force and session.is_current("goals", *args, reads=reads):
            return
        if not force and s.playing and s.time < self._eval_next:
            return  # while training, measure a few times a second (some metrics cost ms)
        session.memo.forget("goals")
        t0 = time.perf_counter()
        measured = session.derive("goals", self._measure, *args, reads=reads)
        cost = time.perf_counter() - t0
        self._eval_next = s.time + max(MIN_EVAL_INTERVAL, 8.0 * cost)
        st.waiting = measured is None
        if measured is None:  # the regions' kernels still compile: nothing is told yet
            st.goals, st.met, st.stars = [False] * len(self.level.goals), False, 0
            st.readouts = waiting_readouts(self.level)
            return
        if isinstance(measured, str):
            self.say(measured, "warn")
            return
        goals, met, stars, readouts, notes = measured
        st.goals = goals
        st.met = met
        st.stars = stars
        st.readouts = readouts
        st.marker_notes = notes
        if not met or st.card == "success":
            return
        if not st.won and not st.explicit_check:
            self._win(stars)
        elif st.won and stars > st.best:
            _, error = self.game.record(self.level.id, stars)
            st.best = stars
            self.say(f"Now {stars} of 3 stars!" if not error else error)

    def _measure(self, *key: object) -> tuple | str | None:
        """The goals met, whether the level is won, its stars, the readouts and the markers'
        notes; or why the goals cannot be told; None while they need the regions' kernels."""
        self.follow_live()
        try:
            goals = self.level.goal_status(self.live)
            met = all(goals) if self.level.goal_mode == "all" else any(goals)
            stars = self.level.stars_for(self.live) if met else 0
        except GeometryPending:
            return None
        except (ValueError, ArithmeticError) as exc:
            return f"Could not measure the goals: {exc}"
        try:
            readouts, notes = self.live.readouts(), self.live.marker_notes()
        except GeometryPending:
            readouts, notes = waiting_readouts(self.level), {}
        except (ValueError, ArithmeticError):
            readouts, notes = [], {}
        return goals, met, stars, readouts, notes

    def _update_hints(self, force: bool = False) -> None:
        """The hints due now (their time or tries passed, their condition holds, the goal not
        met yet): the panel shows exactly these, a toast announces each the first time."""
        st = self.status
        if not force and self.state.time < self._hints_next:
            return
        if st.card == "story":
            return
        t0 = time.perf_counter()
        self.follow_live()
        try:
            due = [h.text for h in self.live.due_hints(self.elapsed)]
        except (ValueError, ArithmeticError, GeometryPending):
            return
        finally:  # conditions can cost milliseconds (regions): look less often when they do
            cost = time.perf_counter() - t0
            self._hints_next = self.state.time + max(HINT_INTERVAL, 8.0 * cost)
        if due == st.hints:
            return
        new = [t for t in due if t not in self._hints_said]
        st.hints = due
        if new:
            self._hints_said.update(new)
            self.say("Hint: " + plain_text(new[-1]), "info")
            self.state.toast = replace(self.state.toast, until=self.state.time + HINT_SECONDS)
        elif self.state.toast is not None and self.state.toast.text.startswith("Hint:"):
            if plain_text(self.state.toast.text[6:]) not in map(plain_text, due):
                self.state.toast = None  # its condition no longer holds: it would mislead

    def _update_inspector(self) -> None:
        st = self.status
        if not st.present("inspector") or self.session.geometry_pending:
            return
        rows = self.session.derive(
            "level_inspector",
            inspector_rows,
            self.state.net,
            self.level.bounds,
            self.state.points.X_train,
            reads=("weights", "data"),
        )
        if rows is not None:
            st.inspector = rows

    def _update_pairs(self) -> None:
        if self._pairs:
            markers, net = tuple(sorted(self.status.markers.items())), self.state.net
            self.status.pairs = self.session.derive(
                "crease_pairs", crease_pair_status, net, self._pairs, markers)  # fmt: skip

    # ------------------------------------------------------------------ drawing
    def draw_underlay(self, surface: pygame.Surface) -> None:
        s = self.state
        scale = s.scale
        if not self.stage.hides_2d():
            hud.draw_captions(surface, s, scale)
        marks = draw_markers(surface, s, self.status, self.plane.views())
        marks += self.draw_reading(surface)
        if self.status.shown("paint") and self.plane.input.drag != "pan" and self._drag is None:
            hud.draw_brush(surface, s, scale)
        hud.draw_hover(surface, s, scale, avoid=marks)
        self.stage.draw_overlay(surface)
        hud.draw_toast(surface, s, scale)
        self.workshop.draw_underlay(surface)

    def pointer_marks(self) -> tuple[tuple, None]:
        # the hover readout keeps clear of the markers, whose rectangles come as they are
        # drawn: a new readout draws the whole surface again
        return hud.pointer_key(self.state), None

    def hud_key(self) -> tuple:
        return (
            super().hud_key(),
            MarkerView.of(self.status, self.state.camera),
            self._drag is None,
        )
