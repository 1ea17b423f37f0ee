"""The goal language: a tiny, safe expression language for level goals, parsed here by hand.

A goal is a condition on the live state, such as
`train_accuracy >= 0.95 and confidence("far_star", laplace) < 0.7` or `crease_between("p", "q")`.
This module owns the tokenizer, the recursive-descent parser, the type checker (numbers and truth
values never mix; names and functions come from one fixed table, so an unknown metric is an error
at load time that lists the allowed ones) and the evaluator. Nothing is ever passed to Python's
eval. Evaluation asks a `MetricsProvider` for the numbers it needs, lazily and with short-circuit
and/or, so expensive metrics (region counts) are computed only when a goal needs them, and goals
can be tested on crafted states without any network. A metric that does not apply to the current
state (accuracy with no data, confidence of a regression network) is NaN, and every comparison
with NaN is false, so such a goal simply is not met.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol, runtime_checkable

from .vocab import ConfidenceMode, Split

MAX_GOAL_LENGTH = 1000
MAX_DEPTH = 40  # nesting limit, so a hostile file cannot exhaust the parser's recursion


class GoalError(ValueError):
    """A goal expression that cannot be parsed or type-checked; `pos` is a 0-based column."""

    def __init__(self, message: str, pos: int | None = None) -> None:
        super().__init__(message)
        self.pos = pos


# ----------------------------------------------------------------------------- the provider
@runtime_checkable
class MetricsProvider(Protocol):
    """What goal evaluation asks of the live state. Each method maps to names in `METRICS`."""

    def accuracy(self, split: str) -> float: ...  # fraction correct on "train" or "test"
    def loss(self, split: str) -> float: ...  # mean cross-entropy, or mean squared error
    def regions(self) -> int: ...  # exact linear regions inside the level's bounds
    def region_bound(self) -> int: ...  # the upper bound for the current architecture
    def regions_near(self) -> int: ...  # regions meeting the data's neighbourhood
    def regions_far(self) -> int: ...  # the other regions inside the bounds
    def neurons(self) -> int: ...  # hidden neurons in the network
    def layers(self) -> int: ...  # hidden layers
    def dead_neurons(self) -> int: ...
    def copycat_neurons(self) -> int: ...
    def bent_creases(self) -> int: ...  # neurons of layer 2+ whose crease bends
    def steps(self) -> int: ...  # training steps taken
    def point_count(self) -> int: ...  # training points
    def classes(self) -> int: ...  # distinct labels among the training points
    def prior_precision(self) -> float: ...
    def laplace_on(self) -> bool: ...
    def quiz_solved(self) -> bool: ...
    def failed_checks(self) -> int: ...  # checks (and quiz answers) that failed so far
    def confidence(self, marker: str, mode: str) -> float: ...  # top class probability
    def crease_between(self, marker_a: str, marker_b: str) -> bool: ...
    def distance(self, marker: str) -> float: ...  # to the nearest training point
    def height(self, marker: str) -> float: ...  # a regression network's output there
    # the trials (sandbox.levels.trial_runs): predict-then-run, the race, many seeds
    def predicted(self) -> bool: ...
    def prediction_right(self) -> bool: ...
    def revealed(self) -> bool: ...
    def race_loss(self) -> float: ...
    def seeds_run(self) -> int: ...
    def best_seed_accuracy(self) -> float: ...
    def worst_seed_accuracy(self) -> float: ...
    # reading a region (sandbox.levels.reading)
    def x_weight(self) -> float: ...
    def most_x_weight(self) -> float: ...
    def walked_from_x_weight(self) -> float: ...
    def flipped_neuron(self) -> float: ...
    def lit_neuron(self) -> float: ...
    def regions_read(self) -> int: ...


# ----------------------------------------------------------------------------- the name table
class Kind(StrEnum):
    NUMBER = "number"
    BOOL = "truth value"


class ArgKind(StrEnum):
    MARKER = "marker"
    SPLIT = "split"
    MODE = "mode"


@dataclass(frozen=True)
class Metric:
    """A name usable in goals: a plain metric (no params) or a function with typed params."""

    name: str
    kind: Kind
    params: tuple[ArgKind, ...]
    call: Callable[..., float | bool]
    doc: str


def _m(name: str, kind: Kind, params: tuple[ArgKind, ...], call, doc: str) -> Metric:
    return Metric(name, kind, params, call, doc)


N, B = Kind.NUMBER, Kind.BOOL
_MARKER, _SPLIT, _MODE = ArgKind.MARKER, ArgKind.SPLIT, ArgKind.MODE

METRICS: dict[str, Metric] = {
    m.name: m
    for m in [
        _m(
            "train_accuracy",
            N,
            (),
            lambda p: p.accuracy("train"),
            "accuracy on the training points",
        ),
        _m("test_accuracy", N, (), lambda p: p.accuracy("test"), "accuracy on the test points"),
        _m("train_loss", N, (), lambda p: p.loss("train"), "loss on the training points"),
        _m("test_loss", N, (), lambda p: p.loss("test"), "loss on the test points"),
        _m("accuracy", N, (_SPLIT,), lambda p, s: p.accuracy(s), 'accuracy("train"|"test")'),
        _m("loss", N, (_SPLIT,), lambda p, s: p.loss(s), 'loss("train"|"test")'),
        _m("regions", N, (), lambda p: p.regions(), "linear regions inside the level's bounds"),
        _m("region_bound", N, (), lambda p: p.region_bound(), "most regions this shape can make"),
        _m("regions_near", N, (), lambda p: p.regions_near(), "regions near the training points"),
        _m("regions_far", N, (), lambda p: p.regions_far(), "regions away from the points"),
        _m("neurons", N, (), lambda p: p.neurons(), "hidden neurons in the network"),
        _m("layers", N, (), lambda p: p.layers(), "hidden layers in the network"),
        _m("dead_neurons", N, (), lambda p: p.dead_neurons(), "neurons never switched on"),
        _m("copycat_neurons", N, (), lambda p: p.copycat_neurons(), "neurons copying another"),
        _m("bent_creases", N, (), lambda p: p.bent_creases(), "creases of layer 2+ that bend"),
        _m("steps", N, (), lambda p: p.steps(), "training steps taken"),
        _m("points", N, (), lambda p: p.point_count(), "training points"),
        _m("classes", N, (), lambda p: p.classes(), "different labels among the points"),
        _m("prior_precision", N, (), lambda p: p.prior_precision(), "the Laplace prior precision"),
        _m("laplace_on", B, (), lambda p: p.laplace_on(), "whether Laplace is switched on"),
        _m("quiz_solved", B, (), lambda p: p.quiz_solved(), "whether the quiz was answered right"),
        _m("failed_checks", N, (), lambda p: p.failed_checks(), "checks that failed so far"),
        # the trials (sandbox.levels.trial_runs): predict-then-run, the race, many seeds
        _m("predicted", B, (), lambda p: p.predicted(), "whether a prediction was picked"),
        _m("prediction_right", B, (), lambda p: p.prediction_right(), "the pick is right"),
        _m("revealed", B, (), lambda p: p.revealed(), "whether the run answered the prediction"),
        _m("race_loss", N, (), lambda p: p.race_loss(), "training's loss in the race"),
        _m("seeds_run", N, (), lambda p: p.seeds_run(), "seeds trained so far"),
        _m("best_seed_accuracy", N, (), lambda p: p.best_seed_accuracy(), "of the seeds run"),
        _m("worst_seed_accuracy", N, (), lambda p: p.worst_seed_accuracy(), "of the seeds run"),
        # reading a region (sandbox.levels.reading)
        _m("x_weight", N, (), lambda p: p.x_weight(), "the x weight of the region read"),
        _m("most_x_weight", N, (), lambda p: p.most_x_weight(), "the largest x weight of all"),
        _m("walked_from_x_weight", N, (), lambda p: p.walked_from_x_weight(), "before a walk"),
        _m("flipped_neuron", N, (), lambda p: p.flipped_neuron(), "neuron the walk flipped"),
        _m("lit_neuron", N, (), lambda p: p.lit_neuron(), "neuron lit by a crease click"),
        _m("regions_read", N, (), lambda p: p.regions_read(), "different regions read"),
        _m(
            "confidence",
            N,
            (_MARKER, _MODE),
            lambda p, m, mode: p.confidence(m, mode),
            'confidence("marker", map|laplace): top class probability there',
        ),
        _m(
            "crease_between",
            B,
            (_MARKER, _MARKER),
            lambda p, a, b: p.crease_between(a, b),
            'crease_between("a", "b"): some crease crosses the segment from a to b',
        ),
        _m(
            "distance",
            N,
            (_MARKER,),
            lambda p, m: p.distance(m),
            'distance("marker"): from the marker to the nearest training point',
        ),
        _m(
            "height",
            N,
            (_MARKER,),
            lambda p, m: p.height(m),
            "height(\"marker\"): a regression network's output there (the folded paper's height)",
        ),
    ]
}

_ARG_VALUES: dict[ArgKind, tuple[str, ...]] = {
    ArgKind.SPLIT: tuple(s.value for s in Split),
    ArgKind.MODE: tuple(m.value for m in ConfidenceMode),
}

KEYWORDS = ("and", "or", "not", "true", "false")
COMPARISONS = ("<", "<=", ">", ">=", "==", "!=")


def allowed_names() -> str:
    """All metric and function names, for error messages and documentation."""
    return ", ".join(sorted(METRICS))


# ----------------------------------------------------------------------------- tokenizer
@dataclass(frozen=True)
class Token:
    kind: str  # "num", "str", "name", "op", "end"
    text: str
    pos: int
    value: float | str | None = None


_DIGITS = frozenset("0123456789")  # str.isdigit would accept superscripts and other scripts
_OPS = ("<=", ">=", "==", "!=", "<", ">", "+", "-", "*", "/", "(", ")", ",")


def tokenize(src: str) -> list[Token]:
    """Split a goal into tokens; raises GoalError at the first character that fits nothing."""
    if not isinstance(src, str):
        raise GoalError(f"a goal must be a string, got {type(src).__name__}")
    if len(src) > MAX_GOAL_LENGTH:
        raise GoalError(f"goal is {len(src)} characters long; at most {MAX_GOAL_LENGTH} allowed")
    tokens: list[Token] = []
    i, n = 0, len(src)
    while i < n:
        c = src[i]
        if c in " \t\r\n":
            i += 1
            continue
        if c in _DIGITS or (c == "." and i + 1 < n and src[i + 1] in _DIGITS):
            j = i
            while j < n and (src[j] in _DIGITS or src[j] == "."):
                j += 1
            if j < n and src[j] in "eE":
                k = j + 1
                if k < n and src[k] in "+-":
                    k += 1
                if k < n and src[k] in _DIGITS:
                    j = k
                    while j < n and src[j] in _DIGITS:
                        j += 1
            text = src[i:j]
            if text.count(".") > 1:
                raise GoalError(f"malformed number {text!r} at column {i + 1}", i)
            value = float(text)
            if j < n and src[j] == "%":  # 95% reads as 0.95, friendlier in accuracy goals
                value /= 100.0
                j += 1
            if j < n and (src[j].isalnum() or src[j] == "_"):
                raise GoalError(f"malformed number {src[i : j + 1]!r} at column {i + 1}", i)
            tokens.append(Token("num", src[i:j], i, value))
            i = j
            continue
        if c.isascii() and (c.isalpha() or c == "_"):
            j = i
            while j < n and src[j].isascii() and (src[j].isalnum() or src[j] == "_"):
                j += 1
            tokens.append(Token("name", src[i:j], i, src[i:j]))
            i = j
            continue
        if c in "\"'":
            j = src.find(c, i + 1)
            if j < 0:
                raise GoalError(f"unterminated string starting at column {i + 1}", i)
            tokens.append(Token("str", src[i : j + 1], i, src[i + 1 : j]))
            i = j + 1
            continue
        for op in _OPS:
            if src.startswith(op, i):
                tokens.append(Token("op", op, i))
                i += len(op)
                break
        else:
            hint = " (use 'and', 'or', 'not')" if c in "&|!" else ""
            if c == "=":
                hint = " (use '==' to compare)"
            raise GoalError(f"unexpected character {c!r} at column {i + 1}{hint}", i)
    tokens.append(Token("end", "", n))
    return tokens


# ----------------------------------------------------------------------------- syntax tree
@dataclass(frozen=True)
class Num:
    value: float


@dataclass(frozen=True)
class Bool:
    value: bool


@dataclass(frozen=True)
class Call:
    metric: Metric
    args: tuple[str, ...]


@dataclass(frozen=True)
class Neg:
    operand: Node


@dataclass(frozen=True)
class Arith:
    op: str
    left: Node
    right: Node


@dataclass(frozen=True)
class Compare:
    """A comparison chain `a < b <= c`, true when every link holds (as in Python)."""

    operands: tuple[Node, ...]
    ops: tuple[str, ...]


@dataclass(frozen=True)
class Not:
    operand: Node


@dataclass(frozen=True)
class BoolOp:
    op: str  # "and" | "or"
    operands: tuple[Node, ...]


Node = Num | Bool | Call | Neg | Arith | Compare | Not | BoolOp


def kind_of(node: Node) -> Kind:
    if isinstance(node, Num | Neg | Arith):
        return Kind.NUMBER
    if isinstance(node, Call):
        return node.metric.kind
    return Kind.BOOL


# ----------------------------------------------------------------------------- parser
class _Parser:
    def __init__(self, src: str, markers: Collection[str] | None) -> None:
        self.src = src
        self.tokens = tokenize(src)
        self.i = 0
        self.depth = 0
        self.markers = markers

    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def advance(self) -> Token:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def at(self, kind: str, text: str | None = None) -> bool:
        tok = self.tok
        return tok.kind == kind and (text is None or tok.text == text)

    def where(self, tok: Token) -> str:
        return "at the end" if tok.kind == "end" else f"at column {tok.pos + 1}"

    def fail(self, message: str, tok: Token | None = None) -> GoalError:
        tok = tok or self.tok
        return GoalError(f"{message} {self.where(tok)}", tok.pos)

    def expect_kind(self, node: Node, kind: Kind, what: str, tok: Token) -> None:
        got = kind_of(node)
        if got != kind:
            raise GoalError(f"{what} needs a {kind.value}, got a {got.value} {self.where(tok)}")

    # grammar, lowest precedence first
    def goal(self, kind: Kind = Kind.BOOL) -> Node:
        if self.at("end"):
            raise GoalError("the goal is empty", 0)
        start = self.tok
        node = self.or_expr()
        if not self.at("end"):
            raise self.fail(f"unexpected {self.tok.text!r}")
        if kind is Kind.NUMBER and kind_of(node) != Kind.NUMBER:
            raise GoalError(
                f"a value shown to the player must be a number, e.g. 'regions'; this one is a "
                f"truth value {self.where(start)}",
                start.pos,
            )
        if kind is Kind.BOOL and kind_of(node) != Kind.BOOL:
            raise GoalError(
                "a goal must be a condition (true or false), e.g. 'train_accuracy >= 0.9'; "
                f"this one is a number {self.where(start)}",
                start.pos,
            )
        return node

    def nest(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.fail(f"expression nested more than {MAX_DEPTH} deep")

    def or_expr(self) -> Node:
        first = self.tok
        parts = [self.and_expr()]
        while self.at("name", "or"):
            tok = self.advance()
            parts.append(self.and_expr())
            self.expect_kind(parts[-1], Kind.BOOL, "'or'", tok)
        if len(parts) == 1:
            return parts[0]
        self.expect_kind(parts[0], Kind.BOOL, "'or'", first)
        return BoolOp("or", tuple(parts))

    def and_expr(self) -> Node:
        first = self.tok
        parts = [self.not_expr()]
        while self.at("name", "and"):
            tok = self.advance()
            parts.append(self.not_expr())
            self.expect_kind(parts[-1], Kind.BOOL, "'and'", tok)
        if len(parts) == 1:
            return parts[0]
        self.expect_kind(parts[0], Kind.BOOL, "'and'", first)
        return BoolOp("and", tuple(parts))

    def not_expr(self) -> Node:
        if self.at("name", "not"):
            tok = self.advance()
            self.nest()
            operand = self.not_expr()
            self.depth -= 1
            self.expect_kind(operand, Kind.BOOL, "'not'", tok)
            return Not(operand)
        return self.comparison()

    def comparison(self) -> Node:
        first = self.tok
        operands = [self.arith()]
        ops: list[str] = []
        while self.tok.kind == "op" and self.tok.text in COMPARISONS:
            tok = self.advance()
            ops.append(tok.text)
            operands.append(self.arith())
            self.expect_kind(operands[-1], Kind.NUMBER, f"'{tok.text}'", tok)
        if not ops:
            return operands[0]
        self.expect_kind(operands[0], Kind.NUMBER, f"'{ops[0]}'", first)
        return Compare(tuple(operands), tuple(ops))

    def arith(self) -> Node:
        node = self.term()
        while self.at("op", "+") or self.at("op", "-"):
            tok = self.advance()
            self.expect_kind(node, Kind.NUMBER, f"'{tok.text}'", tok)
            right = self.term()
            self.expect_kind(right, Kind.NUMBER, f"'{tok.text}'", tok)
            node = Arith(tok.text, node, right)
        return node

    def term(self) -> Node:
        node = self.unary()
        while self.at("op", "*") or self.at("op", "/"):
            tok = self.advance()
            self.expect_kind(node, Kind.NUMBER, f"'{tok.text}'", tok)
            right = self.unary()
            self.expect_kind(right, Kind.NUMBER, f"'{tok.text}'", tok)
            node = Arith(tok.text, node, right)
        return node

    def unary(self) -> Node:
        if self.at("op", "-"):
            tok = self.advance()
            self.nest()
            operand = self.unary()
            self.depth -= 1
            self.expect_kind(operand, Kind.NUMBER, "'-'", tok)
            return Neg(operand)
        return self.atom()

    def atom(self) -> Node:
        tok = self.tok
        if tok.kind == "num":
            self.advance()
            return Num(float(tok.value))  # type: ignore[arg-type]
        if tok.kind == "str":
            raise self.fail(
                f"a quoted name ({tok.text}) can only be an argument of a function such as "
                "confidence or crease_between,",
                tok,
            )
        if self.at("op", "("):
            self.advance()
            self.nest()
            node = self.or_expr()
            self.depth -= 1
            if not self.at("op", ")"):
                raise self.fail("missing ')'")
            self.advance()
            return node
        if tok.kind == "name":
            if tok.text in ("true", "false"):
                self.advance()
                return Bool(tok.text == "true")
            if tok.text in KEYWORDS:
                raise self.fail(f"'{tok.text}' needs a condition before it;")
            return self.name()
        if tok.kind == "end":
            raise self.fail("the goal stops too early:")
        raise self.fail(f"unexpected {tok.text!r}")

    def name(self) -> Node:
        tok = self.advance()
        metric = METRICS.get(tok.text)
        if metric is None:
            raise GoalError(
                f"unknown name {tok.text!r} {self.where(tok)}; allowed: {allowed_names()}",
                tok.pos,
            )
        if not metric.params:
            if self.at("op", "("):
                raise self.fail(f"{metric.name} takes no arguments; write it without '()'")
            return Call(metric, ())
        if not self.at("op", "("):
            raise self.fail(f"{metric.name} needs arguments: {metric.doc};", tok)
        self.advance()
        args: list[str] = []
        for k, param in enumerate(metric.params):
            if k:
                if not self.at("op", ","):
                    raise self.fail(
                        f"{metric.name} takes {len(metric.params)} arguments ({metric.doc}); "
                        "expected ','"
                    )
                self.advance()
            args.append(self.argument(metric, param))
        if not self.at("op", ")"):
            raise self.fail(
                f"{metric.name} takes {len(metric.params)} argument(s) ({metric.doc}); expected ')'"
            )
        self.advance()
        return Call(metric, tuple(args))

    def argument(self, metric: Metric, param: ArgKind) -> str:
        tok = self.tok
        if tok.kind not in ("str", "name") or tok.text in KEYWORDS:
            raise self.fail(f"{metric.name} expects a {param.value} name here ({metric.doc}),")
        self.advance()
        value = str(tok.value)
        if param is ArgKind.MARKER:
            if self.markers is not None and value not in self.markers:
                known = ", ".join(repr(m) for m in sorted(self.markers)) or "none defined"
                raise GoalError(
                    f"unknown marker {value!r} {self.where(tok)}; this level's markers: {known}",
                    tok.pos,
                )
        else:
            choices = _ARG_VALUES[param]
            if value not in choices:
                raise GoalError(
                    f"{metric.name}: {param.value} {value!r} {self.where(tok)} is not allowed; "
                    f"allowed: {', '.join(choices)}",
                    tok.pos,
                )
        return value


# ----------------------------------------------------------------------------- public API
@dataclass(frozen=True)
class Goal:
    """A parsed, type-checked goal; `source` is the text as written in the level file."""

    source: str
    tree: Node

    def evaluate(self, provider: MetricsProvider) -> bool:
        return bool(_eval(self.tree, provider))

    def value(self, provider: MetricsProvider) -> float:
        """The number a number expression (see `parse_number`) has in `provider`'s state."""
        return _number(_eval(self.tree, provider))

    def names(self) -> set[str]:
        """The metric and function names this goal uses (to know what the level needs)."""
        return {node.metric.name for node in walk(self.tree) if isinstance(node, Call)}

    def markers(self) -> set[str]:
        """The marker names this goal refers to."""
        out: set[str] = set()
        for node in walk(self.tree):
            if isinstance(node, Call):
                for param, arg in zip(node.metric.params, node.args, strict=True):
                    if param is ArgKind.MARKER:
                        out.add(arg)
        return out


def parse_goal(src: str, markers: Collection[str] | None = None) -> Goal:
    """Parse and type-check a goal. `markers` (if given) are the only marker names allowed.

    Raises GoalError (a ValueError) naming the problem and its column.
    """
    return Goal(src, _Parser(src, markers).goal())


def parse_number(src: str, markers: Collection[str] | None = None) -> Goal:
    """Parse and type-check a number expression of the goal language (e.g. `region_bound`),
    for values shown to the player; evaluate it with `Goal.value`. Raises GoalError."""
    return Goal(src, _Parser(src, markers).goal(Kind.NUMBER))


def walk(node: Node) -> Iterator[Node]:
    yield node
    if isinstance(node, Neg | Not):
        yield from walk(node.operand)
    elif isinstance(node, Arith):
        yield from walk(node.left)
        yield from walk(node.right)
    elif isinstance(node, Compare | BoolOp):
        for child in node.operands:
            yield from walk(child)


def _number(value: object) -> float:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan


def _eval(node: Node, p: MetricsProvider) -> float | bool:
    if isinstance(node, Num):
        return node.value
    if isinstance(node, Bool):
        return node.value
    if isinstance(node, Call):
        value = node.metric.call(p, *node.args)
        return bool(value) if node.metric.kind is Kind.BOOL else _number(value)
    if isinstance(node, Neg):
        return -_eval(node.operand, p)
    if isinstance(node, Arith):
        a = _eval(node.left, p)
        b = _eval(node.right, p)
        if node.op == "+":
            return a + b
        if node.op == "-":
            return a - b
        if node.op == "*":
            return a * b
        return a / b if b != 0 else math.nan
    if isinstance(node, Compare):
        left = _eval(node.operands[0], p)
        for op, operand in zip(node.ops, node.operands[1:], strict=True):
            right = _eval(operand, p)
            if not _compare(op, left, right):
                return False
            left = right
        return True
    if isinstance(node, Not):
        return not _eval(node.operand, p)
    if isinstance(node, BoolOp):
        if node.op == "and":
            return all(_eval(child, p) for child in node.operands)
        return any(_eval(child, p) for child in node.operands)
    raise TypeError(f"not a goal node: {node!r}")


def _compare(op: str, a: float, b: float) -> bool:
    # NaN compares false everywhere, "!=" included, so an inapplicable metric never meets a goal.
    if math.isnan(a) or math.isnan(b):
        return False
    if op == "<":
        return a < b
    if op == "<=":
        return a <= b
    if op == ">":
        return a > b
    if op == ">=":
        return a >= b
    if op == "==":
        return a == b
    return a != b
