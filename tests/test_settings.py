"""The settings table drives the command line, level files, scene files and the lock rules.

Each part of the app that names a setting is checked against `sandbox.settings.SETTINGS`: the
command-line options and AppConfig, the level schema's [network] and [data] keys with their
ranges and defaults, the scene format's fields, defaults and limits, the level controls and
their words, and the panels' slider mappings. Files written by the previous version (a scene
file, a level file, a progress file under tests/data) still load, and old names are migrated.
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import numpy as np
import pytest
from gl_util import gl_session_fixture  # noqa: F401

from sandbox import cli, render_cli, settings
from sandbox.config import AppConfig
from sandbox.io import scene_format
from sandbox.io.scene import load_scene
from sandbox.levels.loader import level_files, level_from_toml, load_level
from sandbox.levels.progress import Progress
from sandbox.levels.schema import LevelError
from sandbox.settings import SETTINGS, Scale, ValueKind, canonical_name, setting
from sandbox.vocab import Control, Optimizer, Task, View

DATA = Path(__file__).parent / "data"


# ----------------------------------------------------------------------------- the table
def test_each_setting_has_one_name_and_complete_entries():
    names = [s.name for s in SETTINGS]
    assert len(names) == len(set(names))
    aliases = [a for s in SETTINGS for a in s.aliases]
    assert len(aliases) == len(set(aliases)) and not set(aliases) & set(names)
    for s in SETTINGS:
        assert s.label and s.help.endswith((".", ")")), s.name
        if s.kind in (ValueKind.INT, ValueKind.FLOAT):
            assert s.range is not None and s.range[0] < s.range[1], s.name
            if s.default is not None:
                assert s.in_range(s.default), s.name
        if s.kind is ValueKind.CHOICE:
            assert s.default in s.choices and len(s.choice_labels) == len(s.choices)
        if s.control is not None:
            assert isinstance(s.control, Control)


def test_choices_are_the_vocabulary():
    assert set(setting("optimizer").choices) == {o.value for o in Optimizer}
    assert set(setting("task").choices) == {t.value for t in Task}
    assert setting("views").choices == tuple(v.value for v in View)


def test_old_names_lead_to_the_setting():
    assert setting("lr") is setting("learning_rate")
    assert setting("test_ratio") is setting("test_fraction")
    assert settings.migrate({"lr": 0.1, "test_ratio": 0.2, "l2": 0.0}) == {
        "learning_rate": 0.1,
        "test_fraction": 0.2,
        "l2": 0.0,
    }
    # both names given: the current name wins
    assert settings.migrate({"lr": 0.1, "learning_rate": 0.3}) == {"learning_rate": 0.3}
    with pytest.raises(KeyError, match="no setting 'wobble'; settings: dataset"):
        setting("wobble")


@pytest.mark.parametrize("s", [s for s in SETTINGS if s.range is not None], ids=lambda s: s.name)
def test_check_names_the_setting_and_what_is_allowed(s):
    lo, hi = s.range
    assert s.check(hi) == hi
    with pytest.raises(ValueError, match=f"{s.name} is .*; allowed: {s.allowed()}$"):
        s.check(hi * 2 + 1)
    with pytest.raises(ValueError, match="allowed"):
        s.check(math.nan)


# ----------------------------------------------------------------------------- sliders
def test_the_panels_sliders_map_values_as_the_table_says():
    """The panels' slider rows (sandbox.ui.rows) and the table agree on every position."""
    from sandbox.state import AppState
    from sandbox.ui import rows
    from sandbox.ui.numbers import plain_number
    from sandbox.vocab import BATCH_SIZES

    lr, prior, l2 = setting("learning_rate"), setting("prior_precision"), setting("l2")
    specs = rows.SETTING_SLIDERS
    for name in ("learning_rate", "prior_precision", "l2", "batch_size", "noise", "speed"):
        assert specs[name].range == setting(name).slider_range(), name
        assert specs[name].label == setting(name).label, name
    assert specs["test_fraction"].range == setting("test_fraction").slider_range()
    for i in range(0, 101):
        assert specs["learning_rate"].move(i).learning_rate == lr.from_slider(i)
        assert specs["l2"].move(i).l2 == l2.from_slider(i)
        assert l2.to_slider(l2.from_slider(i)) == rows.l2_to_slider(l2.from_slider(i)) == i
    state = AppState()
    for v in (1e-5, 3e-4, 0.01, 0.5, 1.0, 7.0):
        state.settings.learning_rate = v
        state.prior_precision = v
        assert specs["learning_rate"].get(state) == lr.to_slider(v)
        assert specs["prior_precision"].get(state) == prior.to_slider(v)
        assert specs["learning_rate"].text(state) == lr.format(v, plain_number)
    batch = setting("batch_size")
    assert [batch.from_slider(i) for i in range(len(BATCH_SIZES))] == list(BATCH_SIZES)
    assert batch.to_slider(100) == BATCH_SIZES.index(128)
    noise, test = setting("noise"), setting("test_fraction")
    assert noise.to_slider(0.1) == 10 and noise.from_slider(25) == 0.25
    state.test_fraction, state.noise = 0.2, 0.1
    assert specs["test_fraction"].text(state) == test.format(0.2) == "20%"
    assert specs["noise"].text(state) == noise.format(0.1) == "0.10"
    assert setting("speed").format(8) == "flat out" and setting("speed").format(0) == "1"
    assert setting("brush_radius_px").slider_range() == specs["brush_radius_px"].range == (4, 120)
    assert {s.slider.scale for s in SETTINGS if s.slider} == set(Scale)


def test_every_panel_slider_row_is_a_setting_of_the_table():
    """The row builder's slider rows have the table's words, slider range and level control."""
    from sandbox.ui import rows

    for name in rows.STATE_ACCESS:
        spec, control = rows.table_slider(name)
        s = setting(name)
        assert rows.SETTING_SLIDERS[name].label == spec.label
        assert (spec.label, spec.tip) == (s.label, s.help), name
        assert spec.range == s.slider_range(), name
        assert control == s.control, name
    # the sliders of what the table does not list are the panels' own (not saved, not set by
    # levels): the grey to paint and the level's starting-weights seed
    assert set(rows.SETTING_SLIDERS) - set(rows.STATE_ACCESS) == set(rows.OTHER_SLIDERS)


# ----------------------------------------------------------------------------- command line
def _options(parser) -> dict[str, tuple[str, ...]]:
    return {a.dest: tuple(a.option_strings) for a in parser._actions if a.option_strings}


def test_the_command_line_offers_each_cli_setting_under_its_name():
    options = _options(cli.build_parser())
    config_fields = {f.name for f in dataclasses.fields(AppConfig)}
    for s in settings.with_cli():
        assert options[s.name] == s.cli.flags
        assert s.name in config_fields
    render = _options(render_cli.build_parser())
    for name in render_cli.RENDER_SETTINGS:
        assert render[name] == setting(name).cli.flags
        assert name in {f.name for f in dataclasses.fields(render_cli.RenderJob)}


def test_old_and_new_option_names_reach_the_same_setting():
    parse = cli.build_parser().parse_args
    for argv in (["--lr", "0.05"], ["--learning-rate", "0.05"]):
        assert cli.config_from_args(parse(argv)).learning_rate == 0.05
    config = cli.config_from_args(parse([]))
    assert config.hidden == setting("hidden").default and config.seed == 0
    assert config.learning_rate is None  # not given: the app's default applies


@pytest.mark.parametrize(
    "s", [s for s in settings.with_cli() if s.range is not None], ids=lambda s: s.name
)
def test_the_command_line_refuses_values_outside_the_table(s, capsys):
    bad = s.range[1] * 2 + 1
    value = str(int(bad)) if s.kind is ValueKind.INT else str(bad)
    assert cli.main([s.cli.flags[0], value]) == cli.EXIT_USAGE
    err = capsys.readouterr().err
    assert f"{s.cli.flags[0]} {value}: allowed {s.allowed()}\n" in err


def test_a_learning_rate_level_files_refuse_is_refused_on_the_command_line_too(capsys):
    assert cli.main(["--lr", "100"]) == cli.EXIT_USAGE
    assert "--learning-rate 100.0: allowed 1e-06 to 10" in capsys.readouterr().err


# ----------------------------------------------------------------------------- level files
LEVEL = """
title = "t"
story = ["s"]
success = "ok"
[data]
generator = "xor"
[network]
hidden = [4]
[[goals]]
text = "g"
check = "train_accuracy >= 0.5"
"""


def test_level_keys_come_from_the_table():
    from sandbox.levels import schema

    network = {settings.level_key(s) for s in settings.in_level_table("network")}
    data = {settings.level_key(s) for s in settings.in_level_table("data")}
    assert set(schema._NETWORK_KEYS) | {"hidden"} == network | {"layers", "trained_steps"}
    # a level's own data (inline points, labels, flipped labels) is no user setting
    assert set(schema._DATA_KEYS) == data | {"points", "labels", "flip_labels"}


def test_a_level_without_settings_gets_the_tables_level_defaults():
    level = level_from_toml(LEVEL)
    for s in settings.in_level_table("network"):
        key = settings.level_key(s)
        if key not in ("hidden", "task", "optimizer"):
            assert getattr(level.network, key) == settings.level_default(s), key
    assert level.network.optimizer == settings.level_default(setting("optimizer"))
    assert level.network.batch_size is None  # every training point
    assert level.data.count == settings.level_default(setting("points")) == 200
    assert level.data.test_fraction == 0.0 and level.data.noise == 0.0


@pytest.mark.parametrize(
    "s",
    [s for s in SETTINGS if s.level and s.kind in (ValueKind.INT, ValueKind.FLOAT)],
    ids=lambda s: s.name,
)
def test_a_level_value_outside_the_tables_range_names_the_key(s):
    table, key = s.level.key.split(".", 1)
    rng = settings.level_range(s)
    value = int(rng[1]) + 1 if s.kind is ValueKind.INT else rng[1] * 2 + 1
    text = LEVEL.replace(f"[{table}]\n", f"[{table}]\n{key} = {value}\n", 1)
    with pytest.raises(LevelError, match=f"{table}.{key}: is .*; allowed: {s.allowed(rng)}$"):
        level_from_toml(text)


def test_a_level_file_of_the_first_format_still_loads():
    level = load_level(DATA / "level-v1.toml")
    n = level.network
    assert (n.hidden, n.optimizer, n.learning_rate, n.batch_size, n.l2, n.seed) == (
        (6, 4),
        Optimizer.SGD,
        0.05,
        32,
        0.001,
        3,
    )
    d = level.data
    assert (d.dataset, d.count, d.noise, d.seed, d.test_fraction) == ("xor", 120, 0.2, 7, 0.25)
    assert level.control("learning_rate") == "locked" and level.control("noise") == "shown"


def test_level_keys_of_earlier_versions_are_read_under_the_current_names():
    old = level_from_toml(LEVEL)  # [data] generator = "xor": the first format's name
    new = level_from_toml(LEVEL.replace('generator = "xor"', 'dataset = "xor"'))
    assert old.data.dataset == new.data.dataset == "xor" and old.data.count == new.data.count
    # [data] n = ...: the first format's name of count
    old_n = level_from_toml(LEVEL.replace('generator = "xor"', 'generator = "xor"\nn = 77'))
    new_n = level_from_toml(LEVEL.replace('generator = "xor"', 'dataset = "xor"\ncount = 77'))
    assert old_n.data.count == new_n.data.count == 77
    with pytest.raises(LevelError, match=r"data.n: .*data.count; give one"):
        level_from_toml(LEVEL.replace('generator = "xor"', 'generator = "xor"\nn = 7\ncount = 7'))
    with pytest.raises(LevelError, match=r"data.n: is 0; allowed: 1 to"):
        level_from_toml(LEVEL.replace('generator = "xor"', 'generator = "xor"\nn = 0'))
    with pytest.raises(LevelError, match=r"data.generator: .*data.dataset; give one"):
        level_from_toml(LEVEL.replace('generator = "xor"', 'generator = "xor"\ndataset = "xor"'))
    with pytest.raises(LevelError, match=r"data.generator: is 'spirals'; allowed"):
        level_from_toml(LEVEL.replace('"xor"', '"spirals"'))  # messages name the key as written
    for path in level_files():  # the levels that ship use the current names only
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        assert not any(line.startswith(("generator =", "n =")) for line in lines), path


# ----------------------------------------------------------------------------- scene files
def test_scene_fields_are_the_tables_scene_settings():
    training = {settings.scene_key(s) for s in settings.in_scene_table("training")}
    view = {settings.scene_key(s) for s in settings.in_scene_table("view")}
    assert {f.name for f in dataclasses.fields(scene_format.TrainingSettings)} == training | {
        "steps"
    }
    assert {f.name for f in dataclasses.fields(scene_format.ViewSettings)} == view | {
        "center_x",
        "center_y",
        "split_screen",
    }
    t = scene_format.TrainingSettings()
    for s in settings.in_scene_table("training"):
        assert getattr(t, settings.scene_key(s)) == settings.scene_default(s.name)
    assert t.batch_size == setting("batch_size").default == 64


def test_scene_files_hold_everything_the_app_can_set():
    """The format's limits contain each setting's range, so what the app saves it can load."""
    from sandbox.vocab import LR_MAX, MAX_SEED

    f = scene_format
    assert f.MAX_LEARNING_RATE >= LR_MAX >= setting("learning_rate").range[1]
    assert f.MAX_BATCH_SIZE >= setting("batch_size").range[1]
    assert f.MAX_L2 >= setting("l2").range[1]
    assert f.MAX_SEED >= MAX_SEED == setting("seed").range[1]
    assert f.MIN_ZOOM <= setting("zoom").range[0] and setting("zoom").range[1] <= f.MAX_ZOOM
    assert setting("prior_precision").range[1] <= f.MAX_PRIOR_PRECISION
    assert settings.level_range(setting("test_fraction"))[1] < 1.0  # the format's bound
    assert f.MAX_POINTS >= setting("points").range[1]
    assert set(setting("optimizer").choices) == set(f.OPTIMIZERS)


def test_a_scene_file_of_the_first_format_still_loads():
    scene = load_scene(DATA / "scene-v1.origami")
    t, v = scene.training, scene.view
    assert (t.optimizer, t.learning_rate, t.batch_size, t.l2, t.seed) == ("sgd", 0.05, 16, 0.001, 5)
    assert t.test_fraction == 0.3 and t.steps == 40
    assert v.views == ("field", "regions") and v.prior_precision == 3.5 and v.zoom == 0.9
    assert scene.sizes == [2, 4, 3, 2] and scene.n_points == 60 and scene.task == "classification"
    assert scene.extra["sandbox"]["preset"] == "moons"


def test_a_scene_file_of_the_first_format_opens_in_the_app(gl_session, tmp_path, monkeypatch):
    import pygame

    from sandbox.app import App

    monkeypatch.chdir(tmp_path)
    app = App(AppConfig(size=(960, 640), skip_loading=True, points=50, hidden=(4,)))
    try:
        app.start(hidden=True)
        pygame.event.get()  # (read, not cleared: pygame-ce 2.5 keeps what clear() drops)
        app.scene.workshop.adopt(load_scene(DATA / "scene-v1.origami"), "scene-v1.origami")
        s = app.state
        assert s.settings.learning_rate == 0.05 and s.settings.optimizer == "sgd"
        assert s.settings.batch_size == 16 and s.settings.hidden == [4, 3]
        assert s.test_fraction == 0.3 and s.points.test_fraction == 0.3
        assert s.prior_precision == 3.5 and s.preset == "moons"
        app.run_frames(2, dt=1 / 30)
    finally:
        app.close()


def test_scene_files_keep_sandbox_settings_under_their_setting_names():
    from sandbox.scenes.workshop import SANDBOX_KEY, _sandbox_extra, prepare_scene
    from sandbox.state import AppState

    state = AppState()
    state.preset, state.n_preset = "xor", 150
    extra = _sandbox_extra(state)
    assert extra["dataset"] == "xor" and extra["points"] == 150
    assert all(canonical_name(k) == k for k in extra), "only current setting names are written"
    # a file of the first format wrote the old names; they are read as the new ones
    old = load_scene(DATA / "scene-v1.origami")
    assert {"preset", "n_preset"} <= set(old.extra[SANDBOX_KEY])
    prepared = prepare_scene(old, AppState())
    assert prepared.sandbox["dataset"] == "moons" and prepared.sandbox["points"] == 60
    assert "preset" not in prepared.sandbox and "n_preset" not in prepared.sandbox


def test_a_progress_file_of_the_first_format_still_loads():
    p = Progress.from_json((DATA / "progress-v1.json").read_text(encoding="utf-8"))
    assert p.stars == {"01-one-crease": 3, "02-sum-of-creases": 1}
    assert p.settings == {"ui_scale": 1.25} and setting("ui_scale").in_range(1.25)


def test_point_data_under_the_old_name_is_migrated():
    from sandbox.data import PointSet

    X = np.random.default_rng(0).uniform(-5, 5, (40, 2))
    flags = np.arange(40) % 4 == 0
    arrays = {"X": X, "y": np.zeros(40, dtype=np.int64), "is_test": flags}
    old = PointSet.from_arrays({**arrays, "test_ratio": np.array(0.25)})
    assert old.test_fraction == 0.25 and (old.is_test == flags).all()
    new = PointSet.from_arrays({**arrays, "test_fraction": np.array(0.25)})
    assert new.test_fraction == old.test_fraction


# ----------------------------------------------------------------------------- level controls
def test_every_control_has_words_and_every_setting_a_real_control():
    assert set(settings.CONTROL_WORDS) == {c.value for c in Control} | {settings.FILES_CONTROL}
    from sandbox.ui import level_plan

    assert level_plan.CONTROL_WORDS is settings.CONTROL_WORDS
    assert settings.controls_of(["learning_rate", "lr", "momentum"]) == {Control.LEARNING_RATE}
    assert settings.control_words("noise") == "the noise"


def test_the_level_scenes_lock_rules_name_only_known_controls():
    """Whatever an action needs (the `control` each action class declares) is a control level
    files know, or the app's own file control."""
    from sandbox import actions as A
    from sandbox import game_actions as G
    from sandbox import stage_actions as S

    known = {c.value for c in Control} | {settings.FILES_CONTROL}
    used: set[str] = set()
    for module in (A, G, S):
        for name in dir(module):
            control = getattr(getattr(module, name), "control", None)
            if isinstance(control, str):
                used.update(control.split("|"))
    assert used, "no lock rules found"
    assert used <= known, sorted(used - known)
    # every setting a level can lock is guarded by some action
    assert {s.control.value for s in SETTINGS if s.control} <= used
