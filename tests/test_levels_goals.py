"""The goal language: tokenizer, parser, type checks and evaluation on crafted metric states."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sandbox.levels.goals import (
    METRICS,
    GoalError,
    MetricsProvider,
    parse_goal,
    tokenize,
)


@dataclass
class FakeState:
    """A crafted state: every metric is a plain attribute; calls are recorded."""

    acc: dict[str, float] = field(default_factory=lambda: {"train": 0.9, "test": 0.8})
    losses: dict[str, float] = field(default_factory=lambda: {"train": 0.2, "test": 0.3})
    n_regions: int = 37
    bound: int = 37
    n_neurons: int = 8
    n_layers: int = 1
    dead: int = 0
    copycats: int = 0
    bent: int = 0
    n_steps: int = 100
    n_points: int = 200
    n_classes: int = 2
    precision: float = 1.0
    laplace: bool = False
    quiz: bool = False
    failures: int = 0
    conf: dict[tuple[str, str], float] = field(default_factory=dict)
    creases: set[frozenset[str]] = field(default_factory=set)
    dist: dict[str, float] = field(default_factory=dict)
    calls: list[str] = field(default_factory=list)

    def accuracy(self, split: str) -> float:
        self.calls.append(f"accuracy:{split}")
        return self.acc[split]

    def loss(self, split: str) -> float:
        self.calls.append(f"loss:{split}")
        return self.losses[split]

    def regions(self) -> int:
        self.calls.append("regions")
        return self.n_regions

    def region_bound(self) -> int:
        return self.bound

    def regions_near(self) -> int:
        return self.n_regions

    def regions_far(self) -> int:
        return 0

    # reading a region: nothing read in this state
    def x_weight(self) -> float:
        return math.nan

    most_x_weight = walked_from_x_weight = flipped_neuron = lit_neuron = x_weight

    def regions_read(self) -> int:
        return 0

    # the trials: no prediction, race or seeds in this state
    def predicted(self) -> bool:
        return False

    prediction_right = revealed = predicted

    def race_loss(self) -> float:
        return math.nan

    best_seed_accuracy = worst_seed_accuracy = race_loss

    def seeds_run(self) -> int:
        return 0

    def neurons(self) -> int:
        return self.n_neurons

    def layers(self) -> int:
        return self.n_layers

    def dead_neurons(self) -> int:
        return self.dead

    def copycat_neurons(self) -> int:
        return self.copycats

    def bent_creases(self) -> int:
        return self.bent

    def steps(self) -> int:
        return self.n_steps

    def point_count(self) -> int:
        return self.n_points

    def classes(self) -> int:
        return self.n_classes

    def prior_precision(self) -> float:
        return self.precision

    def laplace_on(self) -> bool:
        return self.laplace

    def quiz_solved(self) -> bool:
        return self.quiz

    def failed_checks(self) -> int:
        return self.failures

    def confidence(self, marker: str, mode: str) -> float:
        self.calls.append(f"confidence:{marker}:{mode}")
        return self.conf[(marker, mode)]

    def crease_between(self, marker_a: str, marker_b: str) -> bool:
        return frozenset((marker_a, marker_b)) in self.creases

    def distance(self, marker: str) -> float:
        return self.dist[marker]

    def height(self, marker: str) -> float:
        return self.dist[marker] / 10.0


def ev(src: str, state: FakeState, markers=("p", "q", "far_star", "probe")) -> bool:
    return parse_goal(src, markers).evaluate(state)


def test_fake_state_satisfies_the_protocol():
    assert isinstance(FakeState(), MetricsProvider)


def test_every_metric_is_reachable_on_the_provider():
    # Each table entry must call a Protocol method that exists (no typo in the lambdas).
    state = FakeState(
        conf={("p", "map"): 0.5, ("p", "laplace"): 0.5}, dist={"p": 1.0}, creases=set()
    )
    for metric in METRICS.values():
        args = []
        for param in metric.params:
            args.append({"marker": "p", "split": "train", "mode": "map"}[param.value])
        value = metric.call(state, *args)
        assert isinstance(value, bool | int | float), metric.name


@pytest.mark.parametrize(
    "src, expected",
    [
        ("train_accuracy >= 0.9", True),
        ("train_accuracy > 0.9", False),
        ("test_accuracy < 0.85 and train_loss <= 0.2", True),
        ("accuracy('test') >= 0.8 and loss(\"test\") == 0.3", True),
        ("accuracy(test) > 0.8", False),
        ("regions >= 40 and neurons <= 8", False),
        ("regions >= 37 and neurons <= 8", True),
        ("regions > 36 or neurons > 100", True),
        ("not regions > 36", False),
        ("not (regions > 36 and neurons < 8)", True),
        ("regions == region_bound", True),
        ("regions != region_bound", False),
        ("regions / neurons > 4.5", True),
        ("regions - 2 * neurons == 21", True),
        ("-neurons < -7.5", True),
        ("--neurons == 8", True),
        ("0 < steps <= 100", True),
        ("0 < steps < 100", False),
        ("steps <= 1e2 and steps >= 1E+2", True),
        ("train_accuracy >= 90%", True),
        ("train_accuracy >= 91%", False),
        ("true", True),
        ("false or true and false", False),  # and binds tighter than or
        ("(false or true) and true", True),
        ("not laplace_on", True),
        ("laplace_on or quiz_solved", False),
        ("dead_neurons == 0 and copycat_neurons == 0 and layers == 1", True),
        ("points >= 200 and classes >= 2 and bent_creases == 0", True),
        ("prior_precision > 0.5", True),
        ("failed_checks == 0", True),
        ("1 / 0 > 0", False),  # division by zero is NaN, never met
        ("not 1 / 0 > 0", True),
    ],
)
def test_evaluation_on_a_crafted_state(src, expected):
    assert ev(src, FakeState()) is expected


def test_functions_with_markers_and_modes():
    state = FakeState(
        conf={("far_star", "laplace"): 0.65, ("far_star", "map"): 0.999},
        creases={frozenset(("p", "q"))},
        dist={"probe": 25.0},
    )
    assert ev('train_accuracy >= 0.9 and confidence("far_star", laplace) < 0.7', state)
    assert not ev('confidence("far_star", map) < 0.7', state)
    assert ev("confidence(far_star, 'map') > 99%", state)
    assert ev('crease_between("p", "q")', state)
    assert ev('crease_between("q", "p")', state)
    assert not ev('crease_between("p", "far_star")', state)
    assert ev('distance("probe") >= 20', state)


def test_nan_metrics_never_meet_a_goal():
    state = FakeState(acc={"train": math.nan, "test": math.nan})
    for op in ("<", "<=", ">", ">=", "==", "!="):
        assert not ev(f"train_accuracy {op} 0.5", state)
    assert ev("not train_accuracy > 0.5", state)


def test_and_or_short_circuit_skips_expensive_metrics():
    state = FakeState()
    assert not ev("neurons > 100 and regions > 1", state)
    assert "regions" not in state.calls
    assert ev("neurons < 100 or regions > 1", state)
    assert "regions" not in state.calls
    assert ev("neurons < 100 and regions > 1", state)
    assert "regions" in state.calls


def test_names_and_markers_are_reported():
    g = parse_goal('train_accuracy > 0.9 and confidence("far_star", laplace) < 0.7', ["far_star"])
    assert g.names() == {"train_accuracy", "confidence"}
    assert g.markers() == {"far_star"}
    g = parse_goal('crease_between(p, "q") or steps < 10', ["p", "q"])
    assert g.markers() == {"p", "q"}


@pytest.mark.parametrize(
    "src, fragment",
    [
        ("", "empty"),
        ("   ", "empty"),
        ("regionz > 3", "unknown name 'regionz'"),
        ("regions", "must be a condition"),
        ("regions + 1", "must be a condition"),
        ("regions > 3 and", "stops too early"),
        ("regions > 3 and 4", "'and' needs a truth value"),
        ("4 or regions > 3", "'or' needs a truth value"),
        ("not 4", "'not' needs a truth value"),
        ("laplace_on > 1", "needs a number"),
        ("1 < laplace_on", "needs a number"),
        ("laplace_on + 1 > 0", "needs a number"),
        ("-laplace_on", "needs a number"),
        ("regions = 3", "use '=='"),
        ("regions > 3 && steps < 2", "use 'and'"),
        ("regions > 3)", "unexpected ')'"),
        ("(regions > 3", "missing ')'"),
        ("regions() > 3", "takes no arguments"),
        ("confidence > 0.5", "needs arguments"),
        ('confidence("nowhere", map) > 0.5', "unknown marker 'nowhere'"),
        ('confidence("p") > 0.5', "expected ','"),
        ('confidence("p", map, map) > 0.5', "expected ')'"),
        ('confidence("p", bayes) > 0.5', "allowed: map, laplace"),
        ('loss("val") < 1', "allowed: train, test"),
        ("loss(3) < 1", "expects a split name"),
        ('"p" == 3', "quoted name"),
        ("confidence('p, map) > 0.5", "unterminated string"),
        ("1.2.3 > 0", "malformed number"),
        ("2x > 0", "malformed number"),
        ("1e > 0", "malformed number"),
        ("steps # 2", "unexpected character '#'"),
        ("and steps > 2", "needs a condition before it"),
    ],
)
def test_errors_name_the_problem(src, fragment):
    with pytest.raises(GoalError) as info:
        parse_goal(src, ["p", "q"])
    assert fragment in str(info.value)


def test_unknown_metric_lists_the_allowed_names():
    with pytest.raises(GoalError) as info:
        parse_goal("accurcy > 0.5")
    message = str(info.value)
    for name in METRICS:
        assert name in message


def test_error_columns_point_at_the_culprit():
    with pytest.raises(GoalError) as info:
        parse_goal("steps > 3 and bogus < 2")
    assert info.value.pos == 14
    assert "column 15" in str(info.value)


def test_nesting_depth_is_limited_not_a_crash():
    deep = "(" * 500 + "true" + ")" * 500
    with pytest.raises(GoalError):
        parse_goal(deep)
    with pytest.raises(GoalError):
        parse_goal("not " * 300 + "true")
    with pytest.raises(GoalError):
        parse_goal("-" * 300 + "1 > 0")
    assert parse_goal("(" * 20 + "true" + ")" * 20).evaluate(FakeState())


def test_overlong_goal_is_refused():
    with pytest.raises(GoalError, match="at most"):
        parse_goal("true or " * 200 + "true")


def test_tokens():
    kinds = [(t.kind, t.text) for t in tokenize("a>=0.5 and f('x',y)")]
    assert kinds == [
        ("name", "a"),
        ("op", ">="),
        ("num", "0.5"),
        ("name", "and"),
        ("name", "f"),
        ("op", "("),
        ("str", "'x'"),
        ("op", ","),
        ("name", "y"),
        ("op", ")"),
        ("end", ""),
    ]


# ----------------------------------------------------------------------------- property tests
_NUM_METRICS = ["regions", "neurons", "steps", "train_accuracy", "prior_precision"]


@st.composite
def num_expr(draw, depth=0):
    if depth > 2 or draw(st.booleans()):
        if draw(st.booleans()):
            return str(draw(st.integers(0, 50)))
        return draw(st.sampled_from(_NUM_METRICS))
    op = draw(st.sampled_from(["+", "-", "*"]))
    return f"({draw(num_expr(depth + 1))} {op} {draw(num_expr(depth + 1))})"


@st.composite
def bool_expr(draw, depth=0):
    choice = draw(st.integers(0, 4 if depth < 2 else 1))
    if choice == 0:
        op = draw(st.sampled_from(["<", "<=", ">", ">=", "==", "!="]))
        return f"{draw(num_expr())} {op} {draw(num_expr())}"
    if choice == 1:
        return draw(st.sampled_from(["true", "false", "laplace_on", "quiz_solved"]))
    if choice == 2:
        return f"not ({draw(bool_expr(depth + 1))})"
    op = draw(st.sampled_from(["and", "or"]))
    return f"({draw(bool_expr(depth + 1))}) {op} ({draw(bool_expr(depth + 1))})"


def _python_twin(src: str, state: FakeState) -> bool:
    # The generated subset is also valid Python with the same precedence; evaluate it there
    # (in the test only) as an independent oracle for the hand-written parser and evaluator.
    env = {
        "regions": state.n_regions,
        "neurons": state.n_neurons,
        "steps": state.n_steps,
        "train_accuracy": state.acc["train"],
        "prior_precision": state.precision,
        "laplace_on": state.laplace,
        "quiz_solved": state.quiz,
        "true": True,
        "false": False,
    }
    return bool(eval(src, {"__builtins__": {}}, env))  # noqa: S307


@settings(max_examples=200, deadline=None)
@given(
    bool_expr(),
    st.integers(0, 60),
    st.integers(1, 20),
    st.integers(0, 60),
    st.booleans(),
    st.booleans(),
)
def test_evaluation_matches_python_on_random_expressions(src, regions, neurons, steps, lap, quiz):
    state = FakeState(n_regions=regions, n_neurons=neurons, n_steps=steps, laplace=lap, quiz=quiz)
    assert parse_goal(src).evaluate(state) == _python_twin(src, state)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_arbitrary_text_parses_or_raises_goal_error(src):
    try:
        goal = parse_goal(src, ["p", "q"])
    except GoalError:
        return
    assert goal.source == src
