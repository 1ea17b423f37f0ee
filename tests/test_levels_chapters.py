"""Chapters (levels/chapters.toml): the shipped file is valid and places every level; a bad file
gets a message naming the key and what is allowed; unlisted level files still show (under "More
levels"); the game plays levels in chapter order and survives a broken chapters file.
"""

from __future__ import annotations

import re
import shutil

import pytest

from sandbox.cli import UsageError, resolve_level_arg
from sandbox.levels import (
    MORE_LEVELS,
    Chapter,
    ChapterName,
    LevelError,
    arrange,
    chapters_from_toml,
    chapters_path,
    level_files,
    load_chapters,
)
from sandbox.levels.markup import plain_text
from sandbox.scenes.game import Game

IDS = ["01-a", "02-b", "03-c"]


def chapters(text: str, ids=IDS):
    return chapters_from_toml(text, ids, "levels/chapters.toml")


def one(title="Depth", levels='["01-a"]', learned='"You learned it."', extra=""):
    return f'[[chapters]]\ntitle = "{title}"\nlevels = {levels}\nlearned = {learned}\n{extra}'


def test_shipped_chapters_place_every_level_and_read_like_a_kid_would():
    ids = [p.stem for p in level_files()]
    assert "chapters" not in ids  # the chapters file is not a level
    shipped = load_chapters(chapters_path(), ids)
    assert [c.title for c in shipped] == [c.value for c in ChapterName]  # every chapter, in order
    shown = arrange(shipped, ids)
    placed = [i for ch in shown for i in ch.levels]
    assert sorted(placed) == sorted(ids)  # every level file shows once
    for ch in shipped:
        sentences = [x for x in re.split(r"[.!?](?:\s|$)", plain_text(ch.learned)) if x.strip()]
        assert 2 <= len(sentences) <= 4, (ch.title, sentences)
        assert max(len(s.split()) for s in sentences) <= 22, ch.title  # short sentences


@pytest.mark.parametrize(
    ("text", "key", "says"),
    [
        (
            one(levels='["01-a", "09-nope"]'),
            "chapters[0].levels[1]",
            "no level file '09-nope.toml'",
        ),
        (one() + one(title="Regions"), "chapters[1].levels[0]", "already in chapter 'Depth'"),
        (one() + one(levels="[]"), "chapters[1].title", "listed twice"),
        (one(title="Deep"), "chapters[0].title", "allowed: 'One neuron'"),
        (one(extra='colour = "red"'), "chapters[0].colour", "unknown key 'colour'"),
        (one(learned='"' + "Long words. " * 40 + '"'), "chapters[0].learned", "at most 400"),
        (one(learned='"<b>bold"'), "chapters[0].learned", "<b>"),
        (one(levels='"01-a"'), "chapters[0].levels", "must be a list"),
        (one(levels="[1]"), "chapters[0].levels[0]", "must be a string"),
        ("format = 2\n" + one(), "format", "allowed: 1 to 1"),
        ("title = [unclosed", "", "not valid TOML"),
        ("format = 1\n", "chapters", "required key is missing"),
    ],
)
def test_a_bad_chapters_file_says_which_key_and_what_is_allowed(text, key, says):
    with pytest.raises(LevelError) as err:
        chapters(text)
    assert err.value.file == "levels/chapters.toml"
    assert err.value.key == key
    assert says in err.value.message


def test_unlisted_levels_show_under_more_levels_and_empty_chapters_are_left_out():
    got = chapters(one(levels='["02-b"]') + one(title="Pictures", levels="[]"))
    shown = arrange(got, IDS)
    assert [(c.title, c.levels) for c in shown] == [
        ("Depth", ("02-b",)),
        (MORE_LEVELS, ("01-a", "03-c")),
    ]
    assert arrange((), IDS) == [Chapter(MORE_LEVELS, tuple(IDS), "")]
    assert load_chapters(chapters_path(IDS[0]), IDS) == ()  # no file: no chapters


@pytest.fixture
def levels_copy(tmp_path):
    folder = tmp_path / "levels"
    folder.mkdir()
    for path in level_files():
        shutil.copy(path, folder / path.name)
    return folder


def test_game_plays_levels_in_chapter_order_and_shows_the_learned_card_at_a_chapters_end(
    levels_copy, tmp_path
):
    (levels_copy / "chapters.toml").write_text(
        one(title="One neuron", levels='["02-sum-of-creases", "01-one-crease"]',
            learned='"Two sentences here. Yes."'),
        encoding="utf-8",
    )  # fmt: skip
    game = Game(levels_copy, tmp_path / "progress.json", own_dir=tmp_path / "mine")
    assert game.take_warning() is None
    ids = [e.id for e in game.entries]
    assert ids[:3] == ["02-sum-of-creases", "01-one-crease", "03-many-creases"]
    assert [c.title for c in game.chapters] == ["One neuron", MORE_LEVELS]
    assert game.number("01-one-crease") == 2
    assert game.next_level_id("02-sum-of-creases") == "01-one-crease"
    assert game.is_open("02-sum-of-creases") and not game.is_open("01-one-crease")
    assert game.chapter_done("01-one-crease").title == "One neuron"
    assert game.chapter_done("02-sum-of-creases") is None
    assert game.chapter_done("03-many-creases") is None  # "More levels" teaches no lesson


def test_a_broken_chapters_file_is_reported_once_and_levels_play_in_file_order(
    levels_copy, tmp_path
):
    (levels_copy / "chapters.toml").write_text(one(levels='["01-one-crase"]'), encoding="utf-8")
    game = Game(levels_copy, tmp_path / "progress.json", own_dir=tmp_path / "mine")
    warning = game.take_warning()
    assert "chapters[0].levels[0]" in warning and "01-one-crase" in warning
    assert game.take_warning() is None
    assert [e.id for e in game.entries] == [p.stem for p in level_files(levels_copy)]
    assert [c.title for c in game.chapters] == [MORE_LEVELS]


def test_level_argument_takes_an_id_a_number_or_a_path(tmp_path):
    assert resolve_level_arg("01-one-crease") == "01-one-crease"
    assert resolve_level_arg("9") == "09-far-away"
    mine = tmp_path / "mine.toml"
    mine.write_text("x = 1\n", encoding="utf-8")
    assert resolve_level_arg(str(mine)) == str(mine)
    with pytest.raises(UsageError, match="no such file"):
        resolve_level_arg(str(tmp_path / "missing.toml"))
    with pytest.raises(UsageError, match="no such level"):
        resolve_level_arg("chapters")
