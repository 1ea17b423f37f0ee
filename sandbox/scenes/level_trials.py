"""A level's trials on screen: predict-then-run, you against training, many seeds.

`LevelTrials` is the level scene's controller for the three optional tables of a level file
(sandbox.levels.trials): it refuses training until the player has picked a prediction (whatever
asks for it: the Train button, Space, Step), picks it, notes when the run has answered it, runs
training's race from the level's starting weights, and trains the seeds' table one run per
frame, putting each run's network on the plane as it finishes (a row of the table puts that run
back). The numbers come from the scene's `LiveLevel`, the same core session the headless tests
play, so the screen shows what the tests check. The level panel draws it all from the
`LevelStatus` fields it sets (sandbox.ui.level_trials).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from sandbox import actions as A
from sandbox import game_actions as G
from sandbox.levels import plain_text
from sandbox.nn import MLP
from sandbox.scenes.base import Routes

if TYPE_CHECKING:
    from sandbox.scenes.level import LevelScene

# What waits for a prediction: every way of training
TRAINING = (A.TogglePlay, A.StepOnce, G.RunRace, G.RunSeeds)
# What would change the player's network: refused while training's try is shown in its place
EDITS = (G.SetNeuronParam, G.PruneNeuron, G.ShowSeed, A.SetWidth, A.AddLayer, A.RemoveLayer,
         A.ResetNetwork, A.SetActivation)  # fmt: skip


class LevelTrials:
    """The trials of the level `scene` plays; see the module docstring."""

    def __init__(self, scene: LevelScene) -> None:
        self.scene = scene
        self.level = scene.level
        self._queue: list[int] = []  # seed runs still to train, one per frame
        self._hand: MLP | None = None  # the player's network while training's try is shown

    def routes(self) -> Routes:
        return {
            G.Predict: self._on_predict,
            G.RunRace: self._on_run_race,
            G.RunSeeds: self._on_run_seeds,
            G.ShowSeed: self._on_show_seed,
            G.ShowRace: self._on_show_race,
        }

    def measured(self, net: MLP) -> MLP:
        """The network the goals measure: the player's, also while training's try is shown."""
        return self._hand if self._hand is not None else net

    def waits(self, action: A.Action) -> bool:
        """True (and the player told why) when `action` trains before the prediction, or
        changes the network while training's try is on the plane."""
        if self._hand is not None and isinstance(action, (*TRAINING, *EDITS)):
            self.scene.say("This is training's try: press Back to mine to change yours.", "warn")
            return True
        if self.level.predict is None or self.scene.status.prediction is not None:
            return False
        starts = isinstance(action, TRAINING) or (
            isinstance(action, A.SetPlaying) and action.playing
        )
        if isinstance(action, A.TogglePlay) and self.scene.state.playing:
            starts = False  # pausing is always allowed
        if starts:
            self.scene.say("First pick your prediction: the run will answer it.", "warn")
        return starts

    def key(self) -> tuple:
        """What the goals read of the trials (the scene measures again when it changes)."""
        st = self.scene.status
        return (st.prediction, st.raced, st.seed_rows, st.seed_shown)

    # ------------------------------------------------------------------ actions
    def _on_predict(self, a: G.Predict) -> None:
        spec = self.level.predict
        st = self.scene.status
        if spec is None or st.prediction is not None or not 0 <= a.choice < len(spec.choices):
            return
        self.scene.live.predict(int(a.choice))
        st.prediction = int(a.choice)
        self.scene.say("Now press Train: the run will tell.")
        self.scene.refresh_goals()

    def _on_run_race(self, a: G.RunRace) -> None:
        spec = self.level.race
        if spec is None:
            return
        scene = self.scene
        scene.state.playing = False
        scene.follow_live()
        try:
            loss = scene.live.run_race()
        except ValueError as exc:
            scene.say(str(exc), "warn")
            return
        scene.status.raced = True
        scene.say(f"Training tried {spec.steps} steps from the starting creases: loss {loss:.3g}.")
        scene.refresh_goals()

    def _on_show_race(self, a: G.ShowRace) -> None:
        scene = self.scene
        st = scene.status
        race = scene.live.race_net
        if a.on and race is not None and self._hand is None:
            scene.state.playing = False
            self._hand = scene.state.net
            scene.adopt_network(race.copy())
            st.showing_race = True
        elif not a.on and self._hand is not None:
            hand, self._hand = self._hand, None
            scene.adopt_network(hand)
            st.showing_race = False
        scene.refresh_goals()

    def _on_run_seeds(self, a: G.RunSeeds) -> None:
        spec = self.level.seeds
        st = self.scene.status
        if spec is None or st.seeds_running:
            return
        self.scene.state.playing = False
        self.scene.follow_live()
        self._queue = list(range(spec.count))
        st.seed_rows = ()
        st.seed_shown = None
        st.seeds_running = True

    def _on_show_seed(self, a: G.ShowSeed) -> None:
        st = self.scene.status
        if st.seeds_running or not 0 <= a.index < len(st.seed_rows):
            return
        self.scene.live.show_seed(int(a.index))
        st.seed_shown = int(a.index)
        self.scene.adopt_network(self.scene.live.net)
        self.scene.refresh_goals()

    # ------------------------------------------------------------------ frame
    def update(self) -> None:
        """One seed run per frame while the table fills; the answer once the run gave it."""
        st = self.scene.status
        if self._queue:
            k = self._queue.pop(0)
            scene = self.scene
            scene.follow_live()
            try:
                run = scene.live.run_seed(k)
            except ValueError as exc:
                self._queue = []
                st.seeds_running = False
                scene.say(str(exc), "warn")
                return
            rows = (run.seed, run.loss, run.accuracy)
            st.seed_rows = (*st.seed_rows, rows)
            st.seed_shown = len(st.seed_rows) - 1
            scene.adopt_network(MLP.from_weights(run.weights, **scene.live.net.kind()))
            if not self._queue:
                st.seeds_running = False
                worst = min(r[2] for r in st.seed_rows)
                best = max(r[2] for r in st.seed_rows)
                if math.isfinite(worst):
                    scene.say(f"Seeds done: from {worst:.0%} to {best:.0%} right.")
            scene.refresh_goals()
        if self.level.predict is not None and st.prediction is not None and not st.revealed:
            if self.scene.live.revealed():
                st.revealed = True
                spec = self.level.predict
                right = st.prediction == spec.answer
                self.scene.say(("Right! " if right else "Not this time. ") + plain_text(spec.why))
