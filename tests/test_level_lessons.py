"""Lessons that teach what they say, in the running app (offscreen OpenGL): the region counter of
level 6, the far star's live confidence in level 10, hints that follow the level's state and end
with the level, buttons named as labelled, levels not won before their lesson happens, and a held
+ button that keeps repeating (and counts in fives) in level 3.
"""

from __future__ import annotations

import re

import numpy as np
import pygame
import pytest
from app_util import ev, key, motion, send
from gl_util import gl_session_fixture  # noqa: F401
from level_util import LEVELS, close_story, data_dir_fixture, start_level_fixture  # noqa: F401
from level_util import train as _train

from sandbox import actions as A
from sandbox import game_actions as G
from sandbox.levels import plain_text
from sandbox.scenes.level import LevelScene
from sandbox.scenes.menu import MenuScene

pytestmark = pytest.mark.filterwarnings("error:Label Rect is too small")


def readout(app, i: int = 0) -> str:
    return app.scene.panels._labels[f"readout_{i}"].text  # noqa: SLF001


def test_level_six_counts_its_regions_in_the_goal_panel(start_level):
    app = start_level("06-counting-regions")
    close_story(app)
    scene = app.scene
    live = scene.live
    assert readout(app) == f"regions: {live.regions():.0f} (most possible: 37)"
    # width against depth: 6 neurons, then a second layer of 2; the counter follows
    scene.apply(A.SetWidth(0, 6))
    scene.apply(A.AddLayer())
    scene.apply(A.SetWidth(1, 2))
    app.run_frames(3, dt=1 / 30)
    assert app.state.settings.hidden == [6, 2]
    bound = live.region_bound()
    assert bound > 37
    assert readout(app) == f"regions: {live.regions():.0f} (most possible: {bound})"


def test_level_ten_shows_the_far_star_while_the_prior_moves(start_level):
    app = start_level("10-a-bit-of-bayes")
    close_story(app)
    scene = app.scene
    _train(app, 1000)
    send(app, key(pygame.K_l), frames=3)
    assert scene.status.laplace_on
    plain, before = readout(app, 0), readout(app, 1)
    assert plain in ("far star, plain: 100% sure", "far star, plain: 99.9% sure")
    scene.apply(A.SetPriorPrecision(0.011))  # the slider, moved left
    app.run_frames(2, dt=1 / 30)
    after = readout(app, 1)
    conf = scene.live.confidence("far_star", "laplace")
    assert after == f"far star, Laplace: {100 * conf:.0f}% sure" and after != before
    assert conf < 0.7 and scene.status.won
    # the star rules in the panel are the player's words, not the check
    texts = " ".join(getattr(e, "html_text", "") for e in scene.panels.elements)
    assert "prior_precision" not in texts and "at least 0.005" not in texts


def test_hints_follow_the_state_and_end_with_the_level(start_level):
    app = start_level("04-xor-needs-two-creases")
    close_story(app)
    scene = app.scene
    st = scene.status
    first = scene.level.hints[0]
    assert "neurons < 3" in first.when.source
    app.run_frames(int(first.after_seconds) + 1, dt=1.0)
    assert st.hints == [first.text]
    assert app.state.toast.text.startswith("Hint:")
    scene.apply(A.SetWidth(0, 3))  # the hint's advice followed: it is no longer true
    app.run_frames(3, dt=0.5)
    assert first.text not in st.hints
    send(app, key(pygame.K_ESCAPE), frames=3)
    assert isinstance(app.scene, MenuScene)
    toast = app.state.toast
    assert toast is None or not toast.text.startswith("Hint:")  # no hint in the menu


def test_no_hint_once_the_goal_is_met(start_level):
    app = start_level("01-one-crease")
    close_story(app)
    scene = app.scene
    app.run_frames(61, dt=1.0)
    assert len(scene.status.hints) == 2  # A and B still share a side
    scene.apply(G.SetNeuronParam(0, "c", -2.5))
    app.run_frames(2, dt=1 / 30)
    assert scene.status.won and scene.status.hints == []
    app.run_frames(30, dt=1.0)
    assert scene.status.hints == []


def test_level_eleven_restart_hint_only_after_a_harmful_prune(start_level):
    app = start_level("11-dead-neurons-and-copycats")
    close_story(app)
    scene = app.scene
    scene.apply(G.CheckGoals())  # too early, but nothing harmed: no "Restart" advice
    app.run_frames(2, dt=1 / 30)
    assert not any("Restart" in h for h in scene.status.hints)
    scene.apply(G.PruneNeuron(1, 0))  # neuron 1 goes, its copycat takes over: nothing lost
    scene.apply(G.PruneNeuron(1, 2))  # ...and then that copycat: now the accuracy drops
    app.run_frames(2, dt=1 / 30)
    assert scene.live.accuracy("train") < 0.95
    scene.apply(G.CheckGoals())
    app.run_frames(2, dt=1 / 30)
    assert any("Restart" in h for h in scene.status.hints)
    assert "Restart" in [b.text.strip() for b in scene.panels.named.values()]


def test_stories_and_hints_name_buttons_as_labelled(start_level):
    """ "Press <b>X</b>" and "click <b>X</b>" name a button the level shows, by its label."""
    app = start_level("01-one-crease")
    game = app.scene.game
    pattern = re.compile(r"(?:[Pp]ress|[Cc]lick) <b>([^<]+)</b>")
    for level_id, level in LEVELS.items():
        app.set_scene(LevelScene(app, game, level))
        close_story(app)
        labels = {b.text.strip() for b in app.scene.panels.named.values()}
        labels |= {"+", "-"} if "plus_0" in app.scene.panels.named else set()
        texts = [*level.story, *(h.text for h in level.hints), *(g.text for g in level.goals)]
        for text in texts:
            for name in pattern.findall(text):
                assert name in labels, (level_id, name, sorted(labels))
        assert not any("Play" in plain_text(t) for t in texts), level_id


def test_lessons_are_not_won_before_they_happen(start_level):
    # level 5: one click on Add layer bends creases, but the network has learned nothing yet
    app = start_level("05-depth-bends-creases")
    close_story(app)
    scene = app.scene
    scene.apply(A.AddLayer())
    app.run_frames(2, dt=1 / 30)
    assert scene.status.goals[0] and not scene.status.won and scene.steps == 0
    _train(app, 1500)
    assert scene.status.won
    game = scene.game

    def open_level(level_id: str) -> LevelScene:
        app.set_scene(LevelScene(app, game, LEVELS[level_id]))
        app.run_frames(2, dt=1 / 30)
        close_story(app)
        return app.scene

    # level 9: "the network has learned two clouds": it has, before any step
    scene = open_level("09-far-away")
    assert scene.level.id == "09-far-away" and scene.steps == 0
    assert scene.live.accuracy("train") >= 0.95
    # level 2: a few hundred steps are not yet the lesson's end
    open_level("02-sum-of-creases")
    _train(app, 300)
    assert not app.scene.status.won
    # level 8: two painted blobs and a blink of training are not enough
    scene = open_level("08-paint-your-own")
    rng = np.random.default_rng(0)
    x, y, w, h = app.state.layout.plane
    for label, fx in ((0, 0.3), (1, 0.7)):
        scene.apply(A.SelectClass(label))
        for p in rng.normal((x + w * fx, y + h / 2), 10.0, size=(30, 2)):
            scene.apply(A.Paint(tuple(p), A.Phase.BEGIN))
            scene.apply(A.Paint(tuple(p), A.Phase.END))
    _train(app, 25)
    assert len(app.state.points) >= 40 and not scene.status.won
    _train(app, 400)
    assert scene.status.won


def test_holding_plus_repeats_and_counts_in_fives(start_level):
    app = start_level("03-many-creases")
    close_story(app)
    scene = app.scene
    pos = scene.panels.named["plus_0"].rect.center
    send(app, motion(pos), frames=1)
    down = ev(pygame.MOUSEBUTTONDOWN, pos=pos, button=1, touch=False, window=None)
    send(app, [down], frames=1, dt=0.1)
    app.run_frames(50, dt=0.1)  # five seconds held
    held = app.state.settings.hidden[0]
    assert held >= 100  # from 10: repeats, then fives
    up = ev(pygame.MOUSEBUTTONUP, pos=pos, button=1, touch=False, window=None)
    send(app, [up], frames=1, dt=0.1)
    app.run_frames(5, dt=0.1)
    released = app.state.settings.hidden[0]
    assert released - held <= 2  # the release is one last click (and a repeat under way)
    app.run_frames(20, dt=0.1)
    assert app.state.settings.hidden[0] == released  # and then it stops
