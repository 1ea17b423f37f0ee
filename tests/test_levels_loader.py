"""Level schema and loader: strict validation, clear errors, fuzzed input never crashes."""

from __future__ import annotations

import copy
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sandbox.levels import (
    Control,
    ControlState,
    LevelError,
    MarkupError,
    View,
    free_sandbox,
    level_from_dict,
    level_from_toml,
    load_level,
    load_levels,
    plain_text,
    validate_markup,
)

MINIMAL = {
    "title": "Test level",
    "story": ["Hello <b>there</b>."],
    "success": "Done!",
    "data": {"dataset": "circle", "count": 50, "seed": 1},
    "network": {"hidden": [4]},
    "goals": [{"text": "Be accurate.", "check": "train_accuracy >= 0.9"}],
}

FULL = """
format = 1
title = "Everything"
story = ["Page <i>one</i>.", "Page two<br>with a break."]
success = "You did it."
goal_mode = "any"

[data]
points = [[0.0, 0.0], [1.0, 1.0], [2.0, -1.0]]
labels = [0, 1, 2]
test_fraction = 0.3

[network]
hidden = [3, 2]
classes = 3
optimizer = "sgd"
learning_rate = 0.1
batch_size = 16
l2 = 0.001
seed = 7
layers = [
  { W = [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]], b = [0.0, 0.5, -0.5] },
  { W = [[1.0, 2.0, 3.0], [-1.0, 0.0, 1.0]], b = [0.1, 0.2] },
  { W = [[1.0, 0.0], [0.0, 1.0], [1.0, -1.0]], b = [0.0, 0.0, 0.0] },
]

[view]
bounds = [-3.0, 3.0, -2.0, 2.0]
on = ["field", "creases", "3d"]

[controls]
default = "hidden"
play = "shown"
laplace = "locked"

[markers.far_star]
kind = "star"
at = [30.0, 20.0]
label = "Far away"

[markers.p]
kind = "point"
at = [-1.0, 0.5]
movable = true

[[goals]]
text = "Be sure far away."
check = "confidence('far_star', laplace) < 0.7 and test_accuracy > 0.5"

[[goals]]
text = "Cross."
check = "crease_between(p, far_star)"

[[hints]]
text = "Try the Laplace switch."
after_seconds = 30

[[hints]]
text = "Really."
after_failures = 2

[stars]
two = "steps <= 2000"
three = "steps <= 500"

[quiz]
question = "Which?"
choices = ["This", "That"]
answer = 2
"""


def err(doc, **kw) -> LevelError:
    with pytest.raises(LevelError) as info:
        level_from_dict(doc, file="levels/x.toml", **kw)
    return info.value


def with_(path: str, value, base=MINIMAL):
    """A copy of `base` with the dotted `path` set to `value` (or removed when value is ...)."""
    doc = copy.deepcopy(base)
    keys = path.split(".")
    node = doc
    for k in keys[:-1]:
        node = node.setdefault(k, {})
    if value is ...:
        node.pop(keys[-1])
    else:
        node[keys[-1]] = value
    return doc


def test_minimal_level_gets_defaults():
    level = level_from_dict(MINIMAL, "07-test", "levels/07-test.toml")
    assert level.id == "07-test"
    assert level.network.sizes == [2, 4, 2]
    assert level.network.optimizer == "adam"
    assert level.data.source == "generator" and level.data.count == 50
    assert level.bounds == (-6.0, 6.0, -6.0, 6.0)
    assert level.views == {View.FIELD}
    assert all(level.control(c) is ControlState.SHOWN for c in Control)
    assert level.quiz is None and level.hints == () and level.two_stars is None


def test_full_level_round_trip():
    level = level_from_toml(FULL, "x", "levels/x.toml")
    assert level.goal_mode == "any"
    assert level.network.sizes == [2, 3, 2, 3]
    assert level.network.batch_size == 16 and level.network.optimizer == "sgd"
    W1, b1 = level.network.layers[0]
    assert W1.shape == (3, 2) and b1.tolist() == [0.0, 0.5, -0.5]
    assert level.network.layers[1][0].shape == (2, 3)
    assert level.data.source == "points" and level.data.labels.tolist() == [0, 1, 2]
    assert level.data.test_fraction == 0.3
    assert level.bounds == (-3.0, 3.0, -2.0, 2.0)
    assert level.views == {View.FIELD, View.CREASES, View.THREE_D}
    assert level.control("play") is ControlState.SHOWN
    assert level.control(Control.LAPLACE) is ControlState.LOCKED
    assert level.control("noise") is ControlState.HIDDEN
    assert level.markers["p"].movable and not level.markers["far_star"].movable
    assert level.markers["far_star"].x == 30.0
    assert [h.after_seconds for h in level.hints] == [30.0, None]
    assert [h.after_failures for h in level.hints] == [None, 2]
    assert level.quiz.answer == 1 and level.quiz.choices == ("This", "That")
    assert level.three_stars.source == "steps <= 500"


def test_explicit_regression_points():
    doc = with_("network", {"hidden": [2], "task": "regression"})
    doc["data"] = {"points": [[0, 0], [1, 2]], "labels": [0.5, -1.25]}
    level = level_from_dict(doc)
    assert level.network.n_out == 1
    assert level.data.labels.dtype == np.float64 and level.data.labels.tolist() == [0.5, -1.25]


@pytest.mark.parametrize(
    "path, value, key, fragment",
    [
        ("titel", "x", "titel", "unknown key 'titel'; allowed here: title, story"),
        ("title", ..., "title", "required key is missing"),
        ("title", 3, "title", "must be a string"),
        ("title", "", "title", "must not be empty"),
        ("title", "x" * 61, "title", "at most 60"),
        ("story", [], "story", "allowed: 1 to 20"),
        ("story", ["<blink>hi</blink>"], "story[0]", "tag <blink>"),
        ("story", ["a < b"], "story[0]", "write &lt;"),
        ("story", ["<b>open"], "story[0]", "never closed"),
        ("success", ..., "success", "required key is missing"),
        ("goals", [], "goals", "at least one goal"),
        ("goals", [{"text": "x"}], "goals[0].check", "required key is missing"),
        ("goals", [{"text": "x", "check": "regionz > 1"}], "goals[0].check", "unknown name"),
        ("goals", [{"text": "x", "check": "regions > 1", "when": 3}], "goals[0].when", "unknown"),
        ("goal_mode", "some", "goal_mode", "allowed: 'all', 'any'"),
        ("network.hidden", [], "network.hidden", "allowed: 1 to 8"),
        ("network.hidden", [4, 0], "network.hidden[1]", "allowed: 1 to 256"),
        ("network.hidden", [4.5], "network.hidden[0]", "whole number"),
        ("network.hidden", [True], "network.hidden[0]", "whole number"),
        ("network.task", "clustering", "network.task", "'classification', 'regression'"),
        ("network.classes", 7, "network.classes", "allowed: 2 to 6"),
        ("network.classes", 3, "network.classes", "makes 2 classes"),
        ("network.optimizer", "rmsprop", "network.optimizer", "allowed: 'sgd', 'adam'"),
        ("network.learning_rate", 0, "network.learning_rate", "allowed: 1e-06 to 10"),
        ("network.learning_rate", math.nan, "network.learning_rate", "allowed"),
        ("network.learning_rate", math.inf, "network.learning_rate", "allowed"),
        ("network.l2", -1.0, "network.l2", "allowed: 0 to 10"),
        ("network.width", 3, "network.width", "unknown key 'width'"),
        ("network.layers", [], "network.layers", "allowed: 2 to 2"),
        ("data.dataset", "spirals", "data.dataset", "allowed: circle, xor"),
        ("data.dataset", "disk", "data.dataset", "makes regression data"),
        ("data.noise", 0.9, "data.noise", "allowed: 0 to 0.5"),
        ("data.count", 0, "data.count", "allowed: 1 to 5000"),
        ("data.points", [[0, 0]], "data.points", "either a generator or explicit points"),
        ("data.test_fraction", 1.0, "data.test_fraction", "allowed: 0 to 0.9"),
        ("view.on", ["fields"], "view.on[0]", "allowed: 'field', 'boundary'"),
        ("view.bounds", [1, 0, 0, 1], "view.bounds", "xmin < xmax"),
        ("view.bounds", [0, 1, 0], "view.bounds", "allowed: 4 to 4"),
        ("view.zoom", 2, "view.zoom", "unknown key 'zoom'"),
        ("controls.play", "visible", "controls.play", "allowed: 'shown', 'hidden', 'locked'"),
        (
            "controls.fly",
            "shown",
            "controls.fly",
            "unknown key 'fly'; allowed here: default, paint",
        ),
        ("markers", [1], "markers", "must be a table"),
        ("markers.far-star", {"kind": "star", "at": [1, 2]}, "markers.far-star", "letters"),
        ("markers.s", {"kind": "comet", "at": [1, 2]}, "markers.s.kind", "'star', 'point'"),
        ("markers.s", {"kind": "star", "at": [1]}, "markers.s.at", "allowed: 2 to 2"),
        ("markers.s", {"kind": "star"}, "markers.s.at", "required key is missing"),
        ("hints", [{"text": "Hi"}], "hints[0]", "after_seconds, after_failures or when"),
        ("hints", [{"text": "Hi", "when": "stpes > 3"}], "hints[0].when", "unknown name 'stpes'"),
        ("hints", [{"text": "Hi", "when": "steps"}], "hints[0].when", "must be a condition"),
        ("readouts", ["regions: {regions"], "readouts[0]", "without its partner"),
        ("readouts", ["just words"], "readouts[0]", "shows no value"),
        ("readouts", ["{steps > 3}"], "readouts[0]", "must be a number"),
        ("readouts", ["{regoins}"], "readouts[0]", "unknown name 'regoins'"),
        ("readouts", ["{regions:x}"], "readouts[0]", "unknown format 'x'"),
        ("stars.two", {"check": "steps > 1"}, "stars.two.text", "required key is missing"),
        ("stars.two", {"check": "steps", "text": "t"}, "stars.two.check", "must be a condition"),
        ("network.trained_steps", -1, "network.trained_steps", "0 to 100000"),
        ("hints", [{"text": "Hi", "after_failures": 0}], "hints[0].after_failures", "1 to 100"),
        ("stars.four", "true", "stars.four", "unknown key 'four'"),
        ("stars.two", "steps", "stars.two", "must be a condition"),
        ("quiz", {"question": "Q", "choices": ["a", "b"], "answer": 3}, "quiz.answer", "1 to 2"),
        ("format", 2, "format", "allowed: 1 to 1"),
    ],
)
def test_errors_name_file_key_and_allowed_values(path, value, key, fragment):
    e = err(with_(path, value))
    assert e.file == "levels/x.toml"
    assert e.key == key, str(e)
    assert fragment in str(e)
    assert str(e).startswith(f"levels/x.toml: {key}: ")


def test_cross_checks():
    doc = with_("goals", [{"text": "x", "check": "test_accuracy > 0.5"}])
    assert err(doc).key == "data.test_fraction"
    doc = with_("goals", [{"text": "x", "check": "quiz_solved"}])
    assert err(doc).key == "quiz"
    doc = with_("goals", [{"text": "x", "check": "confidence(s, map) > 0.5"}])
    assert "unknown marker 's'" in str(err(doc))
    doc["markers"] = {"s": {"kind": "star", "at": [1.0, 2.0]}}
    level_from_dict(doc)
    doc["network"] = {"hidden": [3], "task": "regression"}
    doc["data"] = {}
    assert err(doc).key == "network.task"
    doc = with_(
        "network.layers", [{"W": [[1, 2]] * 4, "b": [0] * 4}, {"W": [[1] * 3] * 2, "b": [0] * 2}]
    )
    e = err(doc)
    assert e.key == "network.layers[1].W[0]" and "allowed: 4 to 4" in str(e)
    doc = with_("data", {"points": [[0, 0], [1, 1]], "labels": [0, 2]})
    assert err(doc).key == "data.labels[1]"
    doc = with_("data", {"points": [[0, 0], [1, 1]], "labels": [0]})
    assert err(doc).key == "data.labels"


def test_free_sandbox_has_everything_unlocked_and_no_goal():
    level = free_sandbox()
    assert all(level.control(c) is ControlState.SHOWN for c in Control)
    assert level.goals == ()
    assert not level.goal_met(object())


def test_toml_syntax_and_encoding_errors(tmp_path: Path):
    bad = tmp_path / "03-bad.toml"
    bad.write_text('title = "x\nstory = [')
    with pytest.raises(LevelError) as info:
        load_level(bad)
    assert str(info.value).startswith(f"{tmp_path.name}/03-bad.toml: not valid TOML")
    bad.write_bytes(b"title = \xff\xfe")
    with pytest.raises(LevelError, match="not UTF-8"):
        load_level(bad)
    with pytest.raises(LevelError, match="cannot read"):
        load_level(tmp_path / "missing.toml")


def test_broken_level_becomes_an_error_entry_and_the_others_load(tmp_path: Path):
    import tomllib

    good = level_from_toml(FULL)
    assert good.title == "Everything"
    (tmp_path / "01-good.toml").write_text(FULL)
    (tmp_path / "02-broken-level.toml").write_text(FULL.replace('kind = "star"', 'kind = "sun"'))
    (tmp_path / "03-good.toml").write_text(FULL)
    (tmp_path / "README.md").write_text("not a level")
    entries = load_levels(tmp_path)
    assert [e.id for e in entries] == ["01-good", "02-broken-level", "03-good"]
    assert [e.ok for e in entries] == [True, False, True]
    broken = entries[1]
    assert broken.title == "Broken level"
    assert broken.error.key == "markers.far_star.kind"
    assert tomllib.loads(FULL)  # the fixture itself is valid TOML


# ----------------------------------------------------------------------------- markup
@pytest.mark.parametrize(
    "text",
    [
        "plain",
        "<b>bold</b> <i>it</i> <u>u</u>",
        "<b><i>nested</i></b>",
        "line<br>break<br/>again",
        "<font color='#ff8800'>orange</font> <font color=\"#abc\">short</font>",
        "1 &lt; 2 &amp;&amp; 3 &gt; 2, Tom & Jerry",
        "multi\nline",
    ],
)
def test_markup_accepted(text):
    validate_markup(text)


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("<b>x</i>", "does not match <b>"),
        ("<b>x", "never closed"),
        ("x</b>", "closes nothing"),
        ("<script>x</script>", "not allowed"),
        ("<font>x</font>", "exactly one attribute"),
        ("<font color='red'>x</font>", "exactly one attribute"),
        ("<font color='#ff0000' size=3>x</font>", "exactly one attribute"),
        ("<b class='x'>x</b>", "takes no attributes"),
        ("a > b", "write &gt;"),
        ("x &nbsp; y", "unknown entity"),
        ("", "empty"),
        ("line 1\n<b", "line 2, column 1"),
    ],
)
def test_markup_rejected(text, fragment):
    with pytest.raises(MarkupError) as info:
        validate_markup(text)
    assert fragment in str(info.value)


def test_plain_text():
    assert plain_text("<b>a</b><br>b &lt; c &amp;lt;") == "a\nb < c &lt;"


# ----------------------------------------------------------------------------- fuzzing
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(["circle", "shown", "star", "regression", "adam", "train_accuracy > 1"]),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.text(max_size=8), inner, max_size=4),
    ),
    max_leaves=20,
)
KEYS = ["title", "story", "success", "data", "network", "goals", "view", "controls", "markers",
        "hints", "stars", "quiz", "format", "goal_mode"]  # fmt: skip


def _paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _paths(v, (*prefix, i))


FULL_DOC = __import__("tomllib").loads(FULL)
FULL_PATHS = list(_paths(FULL_DOC))[1:]


def _mutate(doc, path, value, delete):
    doc = copy.deepcopy(doc)
    node = doc
    for k in path[:-1]:
        node = node[k]
    if delete:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return doc


def _must_be_level_error_or_level(doc):
    try:
        level = level_from_dict(doc, file="levels/fuzz.toml")
    except LevelError as e:
        assert str(e).startswith("levels/fuzz.toml")
        return None
    return level


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(KEYS), values, max_size=8))
def test_random_documents_give_level_errors(doc):
    _must_be_level_error_or_level(doc)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(FULL_PATHS), values, st.booleans())
def test_mutated_valid_level_gives_a_level_error_or_a_level(path, value, delete):
    _must_be_level_error_or_level(_mutate(FULL_DOC, path, value, delete))


@settings(max_examples=200, deadline=None)
@given(st.integers(0, len(FULL) - 1), st.integers(1, 30), st.text(max_size=10))
def test_corrupted_toml_text_gives_a_level_error_or_a_level(start, length, replacement):
    text = FULL[:start] + replacement + FULL[start + length :]
    try:
        level_from_toml(text, file="levels/fuzz.toml")
    except LevelError as e:
        assert str(e).startswith("levels/fuzz.toml")


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=200))
def test_random_bytes_on_disk_give_level_errors(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("fuzz") / "01-x.toml"
    path.write_bytes(data)
    entries = load_levels(path.parent)
    assert len(entries) == 1 and not entries[0].ok
    assert isinstance(entries[0].error, LevelError)
