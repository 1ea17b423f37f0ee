"""Stars over seeds: every level's two- and three-star rules are reachable with the level's own
controls from at least 4 of 5 starting seeds, within a budget of play a player spends in about
two minutes (training at fixed step counts, so the result is the same on every machine).

Each strategy is a player's plan written as a generator: it acts through `LevelSession` (which
refuses any control the level hides) and yields after every move; after each yield the harness
notes whether the goal is met and which star rules hold. A seed changes the starting weights
(`network.seed`) and, in the painting level, the painted strokes. The figures are printed
(`pytest -s`) and named in any failure.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator

import levels_season2b
import numpy as np
import pytest

from sandbox.levels import Level, load_levels
from sandbox.levels.session import LevelSession

LEVELS = {e.id: e.level for e in load_levels() if e.ok}
SEEDS = range(5)
NEEDED = 4  # of 5 seeds
MAX_STEPS = 20_000  # training steps of one seed's play: well under two minutes in the app

Plan = Callable[[LevelSession, int], Iterator[None]]


def train(s: LevelSession, steps: int, every: int = 500) -> Iterator[None]:
    """Press Train and look at the screen every `every` steps."""
    done = 0
    while done < steps:
        s.train(min(every, steps - done))
        done += every
        yield


def plan_01(s: LevelSession, seed: int) -> Iterator[None]:
    s.set_neuron(0, 0.0, -1.0, 2.5)  # crease y = 2.5, ramp downwards: A and C lifted, B flat
    yield
    s.set_neuron(0, 0.0, 1.0, -2.5)  # the same crease turned round: only B lifted
    yield


def plan_02(s: LevelSession, seed: int) -> Iterator[None]:
    yield from train(s, 3000)
    s.configure(learning_rate=0.1)  # the hint: bigger steps
    yield from train(s, 8000, 1000)


def plan_03(s: LevelSession, seed: int) -> Iterator[None]:
    s.set_hidden([100])
    yield from train(s, 6000, 1000)
    s.configure(learning_rate=0.01)  # the hint: calmer steps
    yield from train(s, 3000, 1000)
    s.configure(learning_rate=0.003)
    yield from train(s, 3000, 1000)


def plan_04(s: LevelSession, seed: int) -> Iterator[None]:
    yield from train(s, 300)  # one neuron: the story's "try it"
    for width in (2, 3):  # the + button, training after each press
        s.set_hidden([width])
        yield from train(s, 1500)


def plan_05(s: LevelSession, seed: int) -> Iterator[None]:
    s.set_hidden([4, 4])  # Add layer
    yield
    s.set_hidden([4, 8])  # the three-star rule's tip: more neurons in layer 2, then Train
    yield from train(s, 2000)


def plan_06(s: LevelSession, seed: int) -> Iterator[None]:
    s.set_hidden([5, 3])  # the hint: fewer in layer 1, a second layer with the rest
    yield
    for _ in range(25):  # the hint: luck matters; Reset and train a little
        s.reset()
        yield from train(s, 300, 300)


def plan_07(s: LevelSession, seed: int) -> Iterator[None]:
    yield from train(s, 500)
    for width in (4, 3):
        s.set_hidden([width])
        yield from train(s, 1500)
    s.configure(learning_rate=0.1)  # the hint for three neurons
    yield from train(s, 2000)


def spiral(seed: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Two spiral arms as a player paints them: along the curve, a little shaky."""
    rng = np.random.default_rng(seed)
    t = np.linspace(0.05, 1.0, n)
    X, y = [], []
    for label, phase in ((0, 0.0), (1, np.pi)):
        r = 5.0 * t
        a = 1.25 * 2.0 * np.pi * t + phase
        X.append(np.column_stack([r * np.sin(a), r * np.cos(a)]) + rng.normal(0, 0.15, (n, 2)))
        y.append(np.full(n, label))
    return np.concatenate(X), np.concatenate(y)


def plan_08(s: LevelSession, seed: int) -> Iterator[None]:
    X, y = spiral(seed, 60)
    for label in (0, 1):
        s.add_points(X[y == label], label)
    yield from train(s, 2000)
    X, y = spiral(seed + 100, 50)  # more dots along the same arms
    for label in (0, 1):
        s.add_points(X[y == label], label)
    yield from train(s, 6000, 1000)


def plan_09(s: LevelSession, seed: int) -> Iterator[None]:
    for radius in (30.0, 150.0, 600.0):
        for angle in np.linspace(0.0, 2.0 * np.pi, 8, endpoint=False):
            s.move_marker("flag", radius * np.cos(angle), radius * np.sin(angle))
            yield


def plan_10(s: LevelSession, seed: int) -> Iterator[None]:
    yield from train(s, 1000)
    s.set_laplace(True)
    s.optimize_prior()
    yield
    for prior in (0.03, 0.02, 0.015, 0.011, 0.008, 0.006):  # the slider, left a little at a time
        s.set_prior_precision(prior)
        yield


def plan_11(s: LevelSession, seed: int) -> Iterator[None]:
    for neuron in (5, 4, 3, 2):
        s.prune(1, neuron)
        yield


def plan_12(s: LevelSession, seed: int) -> Iterator[None]:
    yield from train(s, 300, 100)
    s.answer_quiz(s.level.quiz.answer)
    yield


def plan_13(s: LevelSession, seed: int) -> Iterator[None]:
    s.set_activation("leaky_relu")  # the story's advice, straight away
    yield from train(s, 2000)


def plan_14(s: LevelSession, seed: int) -> Iterator[None]:
    yield from train(s, 600, 300)
    s.answer_quiz(s.level.quiz.answer)
    yield
    s.set_activation("relu")  # the same weights, folded
    yield from train(s, 1500)


def plan_15(s: LevelSession, seed: int) -> Iterator[None]:
    s.predict(s.level.predict.answer)  # the guess first: Train waits for it
    yield from train(s, 300, 100)
    s.set_activation("relu")  # the hint: bends
    yield from train(s, 1000, 250)


def plan_16(s: LevelSession, seed: int) -> Iterator[None]:
    s.set_neuron(0, 1.0, 0.0, -1.0)  # the hint: one ramp up to the right of x = 1...
    yield
    s.set_neuron(1, -1.0, 0.0, 1.0)  # ...and one up to the left
    yield
    s.run_race()
    yield


def plan_17(s: LevelSession, seed: int) -> Iterator[None]:
    yield from train(s, 1000)
    for width in (5, 4, 3):  # the - button, training after each press
        s.set_hidden([width])
        yield from train(s, 1500)
    for _ in range(3):  # the hint for three: Reset and train again
        if s.goal_met():
            break
        s.reset()
        yield from train(s, 1500)


def plan_18(s: LevelSession, seed: int) -> Iterator[None]:
    s.predict(s.level.predict.answer)
    s.run_seeds()
    yield
    s.set_hidden([6])  # the hint: more neurons, then the seeds again
    s.run_seeds()
    yield


def plan_19(s: LevelSession, seed: int) -> Iterator[None]:
    s.predict(s.level.predict.answer)
    s.set_hidden([6, 6])  # Add layer
    yield from train(s, 600, 100)


def plan_20(s: LevelSession, seed: int) -> Iterator[None]:
    s.run_race()
    yield
    s.set_neuron(1, -1.0, 0.0, -2.0)  # the sleepy neuron, slid back and turned round
    yield
    s.set_neuron(0, 1.0, 0.0, -2.0)  # the three-star hint: neuron 1's crease to x = 2 too
    yield


PLANS: dict[str, Plan] = {
    "01-one-crease": plan_01,
    "02-sum-of-creases": plan_02,
    "03-many-creases": plan_03,
    "04-xor-needs-two-creases": plan_04,
    "05-depth-bends-creases": plan_05,
    "06-counting-regions": plan_06,
    "07-the-ring": plan_07,
    "08-paint-your-own": plan_08,
    "09-far-away": plan_09,
    "10-a-bit-of-bayes": plan_10,
    "11-dead-neurons-and-copycats": plan_11,
    "12-bias-before-weights": plan_12,
    "13-leaky-neurons-never-die": plan_13,
    "14-smooth-bends-no-creases": plan_14,
    "15-predict-no-bends": plan_15,
    "16-you-against-training": plan_16,
    "17-the-smallest-network": plan_17,
    "18-five-seeds": plan_18,
    "19-predict-depth": plan_19,
    "20-training-gets-stuck": plan_20,
}
PLANS.update(levels_season2b.PLANS)


def with_seed(level: Level, seed: int) -> Level:
    network = dataclasses.replace(level.network, seed=level.network.seed + seed)
    return dataclasses.replace(level, network=network)


def reached(level: Level, seed: int) -> tuple[bool, bool, bool, int]:
    """(goal met, two-star rule held with the goal met, three-star rule too, steps trained)
    at some moment of the plan's play from `seed`."""
    s = LevelSession(with_seed(level, seed), enforce_controls=True)
    won = two = three = False
    for _ in PLANS[level.id](s, seed):
        assert s.steps() <= MAX_STEPS, f"{level.id}: the plan trains past the budget"
        if s.goal_met():
            won = True
            two = two or level.two_stars.evaluate(s)
            three = three or level.three_stars.evaluate(s)
    return won, two, three, s.steps()


def test_every_level_has_a_plan_and_three_stars():
    assert sorted(PLANS) == sorted(LEVELS)
    for level in LEVELS.values():
        assert level.two_stars is not None and level.three_stars is not None, level.id


@pytest.mark.parametrize("level_id", sorted(LEVELS))
def test_every_star_is_reachable_from_most_seeds(level_id):
    level = LEVELS[level_id]
    results = {seed: reached(level, seed) for seed in SEEDS}
    figures = " ".join(
        f"seed {k}: {'won' if w else 'lost'} {'2' if t else '-'}{'3' if h else '-'} ({n} steps)"
        for k, (w, t, h, n) in results.items()
    )
    print(f"{level_id}: {figures}")
    for what, index in (("the goal", 0), ("two stars", 1), ("three stars", 2)):
        count = sum(r[index] for r in results.values())
        assert count >= NEEDED, f"{level_id}: {what} reached from {count} of 5 seeds; {figures}"
