"""The start menu as a chapter map, in the real window (offscreen OpenGL), with 26 levels (the
shipped ones and copies, as season two will have) and a Level files folder: every level is one
click on its chapter away at 800x600, 1280x800 and 1920x1080 with nothing clipped or overlapping,
chapters show their stars and locks from the progress file, and the player's own level files
show under "Your levels", a broken one as the loader's message instead of a crash.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pygame
import pytest
from app_util import app_factory, click, key, motion, send
from gl_util import gl_session_fixture  # noqa: F401
from test_ui_fit import fit_problems

from sandbox import game_actions as G
from sandbox.levels import MORE_LEVELS, YOUR_LEVELS, level_files
from sandbox.scenes.level import LevelScene
from sandbox.scenes.menu import MenuScene

pytestmark = pytest.mark.filterwarnings("error:Label Rect is too small")

EXTRA = {  # copies of shipped levels standing in for season two's files, by chapter
    "One neuron": ["15-extra-a"],
    "Depth": ["16-extra-b", "17-extra-c"],
    "Pictures": ["18-extra-d", "19-extra-e", "20-extra-f"],
    "Confidence": ["21-extra-g", "22-extra-h"],
    "Beyond ReLU": ["23-extra-i", "24-extra-j"],
    "": ["25-extra-k", "26-extra-l"],  # in no chapter: "More levels"
}


def press(app, element, frames: int = 2) -> None:
    """Point at `element`, let a frame pass (pygame-gui hovers it), then click it."""
    send(app, motion(element.rect.center), frames=1)
    send(app, click(element.rect.center), frames=frames)


@pytest.fixture
def levels_dir(tmp_path) -> Path:
    folder = tmp_path / "levels"
    folder.mkdir()
    shipped = level_files()
    for path in shipped:
        shutil.copy(path, folder / path.name)
    text = (shipped[0].parent / "chapters.toml").read_text(encoding="utf-8")
    for title, ids in EXTRA.items():
        for i, level_id in enumerate(ids):
            shutil.copy(shipped[i % len(shipped)], folder / f"{level_id}.toml")
        if title:
            head = f'title = "{title}"\nlevels = ['
            assert head in text
            listed = "".join(f'"{i}", ' for i in ids)
            text = text.replace(head, head + listed)
    (folder / "chapters.toml").write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def files_dir(tmp_path) -> Path:
    folder = tmp_path / "files"
    own = folder / "Level files"
    own.mkdir(parents=True)
    shutil.copy(level_files()[6], own / "my ring.toml")
    (own / "broken.toml").write_text("title = [oops\n", encoding="utf-8")
    return folder


@pytest.fixture
def start_menu(gl_session, tmp_path, monkeypatch, levels_dir, files_dir):
    data = tmp_path / "data"
    defaults = {"menu": True, "extra": {"levels_dir": levels_dir}}
    make, close = app_factory(defaults, tmp_path, monkeypatch, files_dir=files_dir, data_dir=data)
    yield make, data
    errors = close()
    assert not errors, f"OpenGL errors: {errors}"


@pytest.mark.parametrize("size", [(800, 600), (1280, 800), (1920, 1080)], ids=str)
def test_every_level_is_one_chapter_click_away_and_nothing_is_clipped(start_menu, size):
    make, _ = start_menu
    app = make(size=size, ui_scale=2.0)
    scene = app.scene
    titles = [c.title for c in scene.view.chapters]
    named = list(dict.fromkeys(re.sub(r" \(\d+/\d+\)$", "", t) for t in titles))  # (parts)
    assert named == [
        "One neuron", "Many neurons", "Depth", "Regions", "Training", "Confidence", "Pictures",
        "Beyond ReLU", MORE_LEVELS, YOUR_LEVELS,
    ]  # fmt: skip
    window = pygame.Rect((0, 0), size)
    seen: list[str] = []
    for title in titles:
        if size == (800, 600):  # clicked as a child would; elsewhere asked directly (faster)
            press(app, scene.panels.chapter_buttons[title], 2)
        else:  # the panels rebuild as in a frame (the picture behind them is not drawn)
            scene.apply(G.ShowChapter(title))
            scene.update(1 / 30)
        panels = scene.panels
        assert scene.view.chapter == title
        chapter = next(c for c in scene.view.chapters if c.title == title)
        assert list(panels.cards) == list(chapter.level_ids), title  # all of them, in order
        elements = {*panels.buttons.values(), *panels.chapter_buttons.values()}
        elements |= set(panels.cards.values())
        problems = fit_problems(list(elements), window)
        problems += [f"chapter {t!r} cut short" for t in panels.clipped]
        assert not problems, f"{title} at {size}: {problems[:5]}"
        seen += list(panels.cards)
    expected = [p.stem for p in level_files(scene.game.levels_dir)]
    assert sorted(seen) == sorted(expected + ["yours:broken", "yours:my ring"])


SMALL_CHAPTERS = """
[[chapters]]
title = "One neuron"
levels = ["01-one-crease", "15-extra-a"]
learned = "One neuron makes one crease. Its numbers turn it and slide it."
[[chapters]]
title = "Many neurons"
levels = ["02-sum-of-creases", "03-many-creases", "04-xor-needs-two-creases"]
learned = "Many neurons make many creases. They add up."
[[chapters]]
title = "Depth"
levels = ["05-depth-bends-creases", "16-extra-b"]
learned = "A second layer bends creases. It folds the folded paper."
"""


def test_chapters_show_stars_and_locks_from_progress_and_the_learned_text_once_done(
    start_menu, levels_dir
):
    make, data = start_menu
    (levels_dir / "chapters.toml").write_text(SMALL_CHAPTERS, encoding="utf-8")  # fixed ones
    data.mkdir()
    stars = {"01-one-crease": 3, "15-extra-a": 1}
    progress = {"version": 1, "stars": stars, "last_played": "15-extra-a"}
    (data / "progress.json").write_text(json.dumps(progress), encoding="utf-8")
    app = make(size=(1280, 800))
    chapters = {c.title: c for c in app.scene.view.chapters}
    one, many, depth = chapters["One neuron"], chapters["Many neurons"], chapters["Depth"]
    assert (one.stars, one.max_stars, one.done) == (4, 6, True)
    assert "crease" in one.learned
    assert many.open and not many.done and many.stars == 0
    assert not depth.open  # nothing in it can be played yet
    # the menu opens on the chapter of the level Continue points at
    assert app.scene.view.chapter == "Many neurons"
    assert app.scene.view.continue_id == "02-sum-of-creases"
    # Up and Down walk the chapter list
    send(app, key(pygame.K_DOWN), frames=2)
    assert app.scene.view.chapter == "Depth"
    send(app, key(pygame.K_UP) + key(pygame.K_UP), frames=2)
    assert app.scene.view.chapter == "One neuron"
    # a locked chapter's cards say why they do not open
    press(app, app.scene.panels.chapter_buttons["Depth"], 2)
    card = app.scene.panels.cards["05-depth-bends-creases"]
    press(app, card, 2)
    assert isinstance(app.scene, MenuScene) and "Locked" in app.state.toast.text


def test_your_levels_play_and_a_broken_one_gives_the_loaders_message(start_menu):
    make, _ = start_menu
    app = make(size=(800, 600))
    scene = app.scene
    press(app, scene.panels.chapter_buttons[YOUR_LEVELS], 2)
    cards = scene.panels.cards
    press(app, cards["yours:broken"], 2)
    assert isinstance(app.scene, MenuScene)
    toast = app.state.toast.text
    assert "cannot be played" in toast and "broken.toml" in toast and "not valid TOML" in toast
    press(app, cards["yours:my ring"], 3)
    assert isinstance(app.scene, LevelScene) and app.scene.level.id == "yours:my ring"
    assert app.scene.level.title == "The ring"


def test_winning_a_chapters_last_level_shows_what_the_chapter_taught(start_menu):
    make, _ = start_menu
    app = make(size=(800, 600))
    game = app.scene.game
    regions = next(c for c in game.chapters if c.title == "Regions")
    app.set_scene(LevelScene(app.app, game, game.level(regions.last)))
    app.run_frames(1, dt=1 / 30)
    scene = app.scene
    assert scene.status.learned[0] == "Regions"
    scene.status.card = ""
    scene._win(1)  # noqa: SLF001 - the card a win opens
    app.run_frames(1, dt=1 / 30)
    texts = [el.html_text for el in scene.panels.elements if hasattr(el, "html_text")]
    assert any("Chapter done: Regions!" in t and "flat pieces" in t for t in texts)
    # a level in the middle of a chapter has no such card
    assert game.learned_card(regions.levels[0]) is None


def test_a_broken_chapters_file_is_a_message_and_every_level_still_shows(start_menu, levels_dir):
    make, _ = start_menu
    (levels_dir / "chapters.toml").write_text(
        '[[chapters]]\ntitle = "Depht"\nlevels = []\nlearned = "x"\n', encoding="utf-8"
    )
    app = make(size=(800, 600))
    assert isinstance(app.scene, MenuScene)
    toast = app.state.toast.text
    assert "chapters.toml: chapters[0].title: is 'Depht'; allowed: 'One neuron'" in toast
    # every level, in parts that fit the window, none out of reach
    chapters = app.scene.view.chapters
    assert chapters[0].title == f"{MORE_LEVELS} (1/{len(chapters) - 1})"
    assert chapters[-1].title == YOUR_LEVELS
    seen = []
    for ch in chapters[:-1]:
        app.scene.apply(G.ShowChapter(ch.title))
        app.scene.update(1 / 30)
        assert list(app.scene.panels.cards) == list(ch.level_ids)
        seen += ch.level_ids
    assert sorted(seen) == sorted(p.stem for p in level_files(levels_dir))
