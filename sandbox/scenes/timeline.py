"""The training timeline of the sandbox: scrub back through the recorded weight snapshots, replay
the training, go back to now, or resume training from a past moment.

The Session records the snapshots (through its `train`) and restores them; `TimelineController`
applies the timeline's actions, plays the replay each frame and mirrors what the timeline panel
shows into `AppState.stage` (scrub, steps, replay). It also guards every other action: while
the past is shown, an action that only looks is fine, a hand edit of the weights is refused with
a message, and anything else brings the live weights back first, so nothing is ever done to (or
saved from) the past by accident.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from sandbox import actions as A
from sandbox import stage_actions as S
from sandbox.scenes.base import Controller, Routes
from sandbox.vocab import View

if TYPE_CHECKING:
    from sandbox.scenes.sandbox import SandboxScene


class TimelineController(Controller):
    """Scrubbing, replay and branching of one sandbox scene's training (module docstring)."""

    def __init__(self, scene: SandboxScene) -> None:
        self.scene = scene
        self.state = scene.state
        self.session = scene.state.session
        self._replay_start = 0
        self._replay_elapsed = 0.0

    def routes(self) -> Routes:
        return {
            S.Scrub: self._on_scrub,
            S.ScrubBy: self._on_scrub_by,
            S.ScrubToStep: self._on_scrub_to_step,
            S.BackToNow: lambda a: self.back_to_now(),
            S.ResumeHere: lambda a: self.resume_here(),
            S.ToggleReplay: self._on_toggle_replay,
            S.SetReplaySpeed: self._on_replay_speed,
        }

    def guard(self, action: A.Action) -> bool:
        """Before any action: bring the live weights back unless it only looks; True when the
        action must not apply (a hand edit of a past snapshot)."""
        cs = self.state.stage
        if cs.scrub is None:
            return False
        if action.edit:
            self.scene.say(
                f"This is step {cs.scrub_step:,} of the past. Press Resume here to change it and "
                "train on from it, or Back to now.",
                "warn",
            )
            return True
        if not action.looks or (isinstance(action, A.SetPlaying) and action.playing):
            self.back_to_now()
            if isinstance(action, A.TogglePlay | A.StepOnce):
                self.scene.say(
                    "Back to the live weights first; press Resume here to train from a past "
                    "snapshot instead."
                )
        return False

    # ------------------------------------------------------------------ actions
    def _on_scrub(self, a: S.Scrub) -> None:
        tl = self.session.timeline
        if tl is None or len(tl) == 0 or not math.isfinite(a.fraction):
            return
        n = len(tl)
        index = int(round(float(np.clip(a.fraction, 0.0, 1.0)) * (n - 1)))
        if index == n - 1 and self.session.scrub is None:
            return  # the newest snapshot is now
        self.scrub_to(index)

    def _on_scrub_by(self, a: S.ScrubBy) -> None:
        tl = self.session.timeline
        scrub = self.session.scrub
        if tl is None or len(tl) == 0:
            return
        n = len(tl)
        if scrub is None:
            if a.delta >= 0:
                return
            index = n - 1 + int(a.delta)
        else:
            index = scrub + int(a.delta)
        if scrub is not None and index >= n:
            self.back_to_now()
            return
        self.scrub_to(int(np.clip(index, 0, n - 1)))

    def _on_scrub_to_step(self, a: S.ScrubToStep) -> None:
        tl = self.session.timeline
        if tl is None or len(tl) == 0 or not math.isfinite(a.step):
            return
        self.scrub_to(tl.index_at_step(a.step))

    def _on_toggle_replay(self, a: S.ToggleReplay) -> None:
        cs = self.state.stage
        tl = self.session.timeline
        if cs.replay:
            cs.replay = False
            return
        if tl is None or len(tl) < 2:
            self.scene.say(
                "Train for a while first: the replay plays the snapshots of the training."
            )
            return
        scrub = self.session.scrub
        start = scrub if scrub is not None and scrub < len(tl) - 1 else 0
        self.scrub_to(start)
        self._replay_start = start
        self._replay_elapsed = 0.0
        cs.replay = True

    def _on_replay_speed(self, a: S.SetReplaySpeed) -> None:
        cs = self.state.stage
        if math.isfinite(a.steps_per_second) and a.steps_per_second > 0:
            cs.replay_speed = float(a.steps_per_second)
            if cs.replay and cs.scrub is not None:
                # carry on from where the replay is, at the new speed
                self._replay_start = cs.scrub
                self._replay_elapsed = 0.0

    def scrub_to(self, index: int) -> None:
        """Show snapshot `index`: its weights go into the network (the live ones are kept)."""
        s = self.state
        cs = s.stage
        tl = self.session.timeline
        if tl is None or len(tl) == 0 or s.net is None:
            return
        if self.session.scrub is None:
            cs.live_step = int(s.trainer.steps)
            s.playing = False
        cs.scrub_step = self.session.show_snapshot(index)
        cs.scrub = self.session.scrub
        s.views.add(View.TIMELINE)

    def back_to_now(self) -> None:
        """The live weights again (after scrubbing or a replay)."""
        cs = self.state.stage
        cs.replay = False
        self.session.back_to_now()
        cs.scrub = None

    def resume_here(self) -> None:
        """Train on from the snapshot shown: later snapshots (and the live weights) are dropped."""
        s = self.state
        cs = s.stage
        if self.session.scrub is None or self.session.timeline is None:
            self.scene.say(
                "Pick a moment of the past first (the timeline slider or the loss chart)."
            )
            return
        step = self.session.resume_from_snapshot()
        s.history.truncate(step)
        cs.scrub = None
        cs.replay = False
        self.scene.model.read_metrics(force=True)
        self.scene.say(f"Training goes on from step {step:,}; the snapshots after it are gone.")

    # ------------------------------------------------------------------ per frame
    def update(self, dt: float) -> None:
        s = self.state
        cs = s.stage
        cs.timeline = self.session.start_timeline()
        if self.session.scrub is None and cs.scrub is not None:
            cs.scrub = None  # a new network or a restarted run: a fresh timeline
            cs.replay = False
        self._replay(dt)
        if cs.scrub is not None and s.metrics.step != cs.scrub_step:
            s.metrics = replace(s.metrics, step=cs.scrub_step)

    def _replay(self, dt: float) -> None:
        cs = self.state.stage
        tl = self.session.timeline
        if not cs.replay or tl is None or len(tl) == 0:
            return
        self._replay_elapsed += max(0.0, float(dt))
        start = min(self._replay_start, len(tl) - 1)
        index = tl.replay_index(start, self._replay_elapsed, cs.replay_speed)
        if index >= len(tl) - 1:
            self.back_to_now()
            return
        if index != cs.scrub:
            self.scrub_to(index)
