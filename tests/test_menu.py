"""The start menu in the real window (offscreen OpenGL): every level card, broken level files as
error cards, locks and stars from the progress file, a damaged progress file reported and
replaced, settings saved, and the way from the menu to a level, the free sandbox and back.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pygame
import pytest
from app_util import app_factory, hover_click, key, send
from gl_util import gl_session_fixture  # noqa: F401

from sandbox import actions as A
from sandbox import game_actions as G
from sandbox.app import App
from sandbox.config import AppConfig
from sandbox.levels import ProgressStore, level_files
from sandbox.scenes.free_sandbox import FreeSandboxScene
from sandbox.scenes.game import Game
from sandbox.scenes.level import LevelScene
from sandbox.scenes.menu import MenuScene
from sandbox.ui import glyphs
from sandbox.ui.menu_panels import CardInfo, card_face, menu_scale

SIZE = (1280, 800)
pytestmark = pytest.mark.filterwarnings("error:Label Rect is too small")

BROKEN = """title = "Broken"
story = ["A page."]
success = "Yes."
[data]
generator = "circle"
[network]
hidden = [4]
optimizer = "rmsprop"
[[goals]]
text = "Win."
check = "train_accuracy > 0.9"
"""


COPIED = 12  # real levels in the test folder: 14 cards fit one chapter-less grid


@pytest.fixture
def levels_dir(tmp_path) -> Path:
    """The first COPIED real levels (no chapters file: one grid of cards, which must fit the
    window whole) plus a file with a bad value and one that is not TOML at all."""
    folder = tmp_path / "levels"
    folder.mkdir()
    for path in level_files()[:COPIED]:
        shutil.copy(path, folder / path.name)
    (folder / "98-broken.toml").write_text(BROKEN, encoding="utf-8")
    (folder / "99-garbage.toml").write_text("title = [unclosed\n", encoding="utf-8")
    return folder


@pytest.fixture
def data_dir(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "data"
    monkeypatch.setenv("NEURAL_ORIGAMI_DATA_DIR", str(folder))
    return folder


@pytest.fixture
def start_menu(gl_session, tmp_path, monkeypatch, data_dir, levels_dir):
    defaults = {"size": SIZE, "menu": True, "extra": {"levels_dir": levels_dir}}
    make, close = app_factory(defaults, tmp_path, monkeypatch, data_dir=data_dir)
    yield make
    errors = close()
    assert not errors, f"OpenGL errors: {errors}"


def card_of(app, level_id: str):
    """The card of `level_id`, its chapter clicked first (the menu shows one chapter at a time;
    without a chapters file the levels are listed in parts)."""
    scene = app.scene
    chapter = next(c.title for c in scene.view.chapters if level_id in c.level_ids)
    if scene.view.chapter != chapter:
        send(app, hover_click(scene.panels.chapter_buttons[chapter].rect.center), frames=3)
    return scene.panels.cards[level_id]


def test_menu_shows_every_level_and_error_cards_for_broken_files(start_menu, levels_dir):
    app = start_menu()
    scene = app.scene
    assert isinstance(scene, MenuScene)
    ids = [p.stem for p in sorted(levels_dir.glob("*.toml"))]
    shown = [i for c in scene.view.chapters for i in c.level_ids]
    assert shown == ids and len(ids) == COPIED + 2
    view = {c.level_id: c for c in scene.view.cards}
    # the broken files: error cards carrying the loader's message (file, key, what is allowed)
    bad = view["98-broken"]
    assert "levels/98-broken.toml: network.optimizer" in bad.error
    assert "'sgd', 'adam'" in bad.error
    assert "not valid TOML" in view["99-garbage"].error
    for level_id in ("98-broken", "99-garbage"):
        button = card_of(app, level_id)
        assert "@level_card_error" in button.class_ids
        assert view[level_id].error.split(":")[0] in button.tool_tip_text
    # the others loaded; the first is open, the rest locked, Continue points at the first
    good = [c for c in scene.view.cards if not c.error]
    assert len(good) == COPIED
    assert good[0].open and not any(c.open for c in good[1:])
    assert scene.view.continue_id == good[0].level_id
    assert scene.panels.buttons["continue"].text == "Start: level 1"

    # clicking a broken card opens nothing and says why
    send(app, hover_click(card_of(app, "98-broken").rect.center))
    assert isinstance(app.scene, MenuScene)
    assert "cannot be played" in app.state.toast.text
    # a locked card neither
    send(app, hover_click(card_of(app, good[3].level_id).rect.center))
    assert isinstance(app.scene, MenuScene)
    assert "Locked" in app.state.toast.text
    # the open one does
    send(app, hover_click(card_of(app, good[0].level_id).rect.center), frames=3)
    assert isinstance(app.scene, LevelScene)
    assert app.scene.level.id == good[0].level_id


def test_progress_sets_stars_locks_and_continue(start_menu, data_dir, levels_dir):
    game = Game(levels_dir)
    ids = game.playable_ids
    game.record(ids[0], 3)
    game.record(ids[1], 1)
    assert (data_dir / "progress.json").exists()
    app = start_menu()
    view = {c.level_id: c for c in app.scene.view.cards}
    assert [view[i].stars for i in ids[:3]] == [3, 1, 0]
    assert [view[i].open for i in ids[:4]] == [True, True, True, False]
    assert app.scene.view.continue_id == ids[2]
    assert app.scene.panels.buttons["continue"].text == "Continue: level 3"

    # Enter continues where the player left off
    send(app, key(pygame.K_RETURN), frames=3)
    assert isinstance(app.scene, LevelScene) and app.scene.level.id == ids[2]
    # Esc goes back to the menu, where U (for presenters) opens every level and saves it
    send(app, key(pygame.K_ESCAPE), frames=3)
    assert isinstance(app.scene, MenuScene)
    send(app, key(pygame.K_u), frames=3)
    assert all(c.open for c in app.scene.view.cards if not c.error)
    saved = json.loads((data_dir / "progress.json").read_text())
    assert saved["unlock_all"] is True and saved["stars"][ids[0]] == 3
    last = card_of(app, ids[-1])
    send(app, hover_click(last.rect.center), frames=3)
    assert isinstance(app.scene, LevelScene) and app.scene.level.id == ids[-1]


def test_corrupt_progress_file_is_reported_once_and_replaced(start_menu, data_dir):
    data_dir.mkdir(parents=True)
    (data_dir / "progress.json").write_text('{"version": 1, "stars": {"x": 9}}', "utf-8")
    app = start_menu()
    scene = app.scene
    assert isinstance(scene, MenuScene)
    toast = app.state.toast
    assert toast is not None and toast.kind == "warn"
    assert "damaged" in toast.text and "stars for 'x' is 9" in toast.text
    # moved aside, a fresh file in its place, and the menu carries on with fresh progress
    aside = list(data_dir.glob("progress.json.corrupt-*"))
    assert len(aside) == 1 and "9" in aside[0].read_text()
    fresh = ProgressStore(data_dir / "progress.json")
    assert fresh.load().stars == {} and fresh.warning is None
    send(app, [], frames=5)
    assert scene.game.take_warning() is None  # reported once
    # returning to the menu later does not repeat it
    send(app, key(pygame.K_RETURN), frames=3)
    app.state.toast = None
    send(app, key(pygame.K_ESCAPE), frames=3)
    assert isinstance(app.scene, MenuScene)
    assert app.state.toast is None or "damaged" not in app.state.toast.text


def test_settings_change_the_ui_scale_and_are_saved(start_menu, data_dir):
    app = start_menu()
    send(app, hover_click(app.scene.panels.buttons["settings"].rect.center))
    panels = app.scene.panels
    assert "settings_done" in panels.buttons
    height = panels.buttons["continue"].rect.height
    send(app, hover_click(panels.buttons["scale_1"].rect.center), frames=3)  # 1.25x
    assert app.state.ui_scale == 1.25 and app.state.scale == 1.25
    assert app.manager is app.scene.panels.manager
    saved = json.loads((data_dir / "progress.json").read_text())
    assert saved["settings"]["ui_scale"] == 1.25
    # bigger buttons, in proportion, and still inside the window
    assert app.scene.panels.buttons["continue"].rect.height == round(1.25 * height)
    assert all(b.rect.right <= SIZE[0] for b in app.scene.panels.buttons.values())
    # 2x does not fit this window: the menu says so and uses what fits
    send(app, hover_click(app.scene.panels.buttons["scale_4"].rect.center), frames=3)
    assert app.state.ui_scale == 2.0 and app.state.scale == 1.25
    assert "does not fit" in app.state.toast.text
    send(app, key(pygame.K_ESCAPE))
    assert "settings_done" not in app.scene.panels.buttons
    # a new start uses the saved scale; a window too small for it falls back to what fits
    app2 = start_menu(size=(2560, 1440))
    assert app2.state.scale == 2.0
    assert menu_scale((900, 620), 2.0) == 1.0 and menu_scale((2560, 1440), 2.0) == 2.0


def test_free_sandbox_from_the_menu_and_back(start_menu):
    app = start_menu()
    send(app, hover_click(app.scene.panels.buttons["sandbox"].rect.center), frames=3)
    assert isinstance(app.scene, FreeSandboxScene)
    assert len(app.state.points) > 0
    # every control is there: the sandbox's full panels
    texts = {getattr(e, "text", None) for e in app.scene.panels.elements}
    assert {"Train", "Undo", "Optimise prior", "New seed"} <= texts
    send(app, key(pygame.K_h))
    assert app.state.show_help
    send(app, key(pygame.K_ESCAPE))  # Esc closes the help first
    assert isinstance(app.scene, FreeSandboxScene) and not app.state.show_help
    send(app, key(pygame.K_ESCAPE), frames=3)
    assert isinstance(app.scene, MenuScene)


def test_esc_closes_the_shortcut_overlay_before_the_menu(start_menu):
    app = start_menu()
    send(app, hover_click(app.scene.panels.buttons["sandbox"].rect.center), frames=3)
    assert isinstance(app.scene, FreeSandboxScene)
    question = pygame.event.Event(
        pygame.KEYDOWN, key=pygame.K_SLASH, mod=pygame.KMOD_SHIFT, unicode="?", scancode=0
    )
    send(app, [question])
    assert app.state.workshop.shortcuts
    send(app, key(pygame.K_ESCAPE), frames=3)
    assert isinstance(app.scene, FreeSandboxScene) and not app.state.workshop.shortcuts
    send(app, key(pygame.K_ESCAPE), frames=3)
    assert isinstance(app.scene, MenuScene)


def test_quit_button(start_menu):
    app = start_menu()
    send(app, hover_click(app.scene.panels.buttons["quit"].rect.center))
    assert app.state.quit


def test_menu_picture_has_its_cards(start_menu):
    """Pixels: the Continue card's green frame and the title's white letters are on screen."""
    app = start_menu()
    img = app.renderer.read_pixels()
    first = app.scene.panels.cards["01-one-crease"].rect
    frame = img[first.top + 1, first.centerx, :3].astype(int)
    assert np.abs(frame - np.array([0x3F, 0xAE, 0x70])).max() < 40, frame
    title_rows = img[30:90, 400:880, :3]
    assert (title_rows.min(axis=-1) > 240).sum() > 500  # white title letters


@pytest.mark.parametrize("stars", [0, 1, 2, 3])
def test_card_face_shows_the_stars_earned(gl_session, stars):
    scale = 1.0
    face = card_face(CardInfo("x", 1, "One crease", stars=stars), (292, 124), scale)
    px = pygame.surfarray.pixels3d(face).transpose(1, 0, 2).astype(int)
    alpha = pygame.surfarray.pixels_alpha(face).T
    gold = (np.abs(px - np.array(glyphs.GOLD)).max(axis=-1) < 30) & (alpha > 200)
    # right of the number disc: one run of gold columns per star earned
    row = gold[:, 100:].any(axis=0)
    runs = int(row[0]) + int(np.count_nonzero(row[1:] & ~row[:-1]))
    assert runs == stars
    # and the disc's ring turns gold once the level has a star
    assert gold[:, :100].sum() > 100 if stars else gold[:, :100].sum() == 0
    locked = card_face(CardInfo("x", 1, "One crease", open=False), (292, 124), scale)
    la = pygame.surfarray.pixels3d(locked).transpose(1, 0, 2).astype(int)
    assert (np.abs(la - np.array(glyphs.GOLD)).max(axis=-1) < 30).sum() == 0


def test_error_card_face_says_what_is_wrong(gl_session):
    face = card_face(
        CardInfo("13-x", 13, "X", error="levels/13-x.toml: network.optimizer: is 'rmsprop'"),
        (292, 124),
        1.0,
    )
    px = pygame.surfarray.pixels3d(face).transpose(1, 0, 2).astype(int)
    alpha = pygame.surfarray.pixels_alpha(face).T
    reddish = (px[..., 0] > 200) & (px[..., 1] < 200) & (alpha > 100)
    assert reddish.sum() > 200  # the message is written in the error colour


def test_apply_actions_directly(start_menu):
    """Scripts can drive the menu with actions, as tests of scenes do."""
    app = start_menu()
    scene = app.scene
    scene.apply(G.ShowSettings(True))
    assert scene.view.settings_open
    scene.apply(G.SetUnlockAll(True))
    scene.apply(A.SetUiScale(9.0))  # clamped to what is allowed
    assert app.state.ui_scale == 2.0
    scene.apply(G.OpenLevel("no-such-level"))
    assert scene.next_scene is None and "no level" in app.state.toast.text


def test_a_broken_level_named_on_the_command_line_is_a_startup_error(
    gl_session, levels_dir, data_dir
):
    from sandbox.app import StartupError

    app = App(AppConfig(size=SIZE, level="98", skip_loading=True, extra={"levels_dir": levels_dir}))
    with pytest.raises(StartupError, match=r"--level '98' cannot be played: levels/98-broken.toml"):
        app.start(hidden=True)
    app.close()
    app = App(
        AppConfig(size=SIZE, level="nope", skip_loading=True, extra={"levels_dir": levels_dir})
    )
    with pytest.raises(
        StartupError, match=r"no such level; available: 01-one-crease, .*99-garbage"
    ):
        app.start(hidden=True)
    app.close()


def test_loading_screen_hands_over_to_the_menu(start_menu):
    app = start_menu(skip_loading=False)
    if app.scene.name == "loading":
        assert app.scene.wait(120)
        app.run_frames(2, dt=1 / 30)
    assert isinstance(app.scene, MenuScene)
    assert app.scene.panels.cards


@pytest.mark.parametrize("size", [(330, 760), (520, 760), (1280, 800)])
def test_the_title_and_subtitle_fit_the_window_in_their_longest_form_that_does(start_menu, size):
    """pygame-gui clips a label's text to its rectangle: a narrow window showed a third of the
    subtitle. Each now shows the longest of its forms that fits."""
    app = start_menu(size=size)
    labels = app.scene.panels._labels
    subtitle = "Fold the plane with a neural network, one crease at a time"
    for name, forms in (
        ("menu_title", ("Neural Origami", "Origami")),
        ("menu_sub", (subtitle, "One crease at a time", "")),
    ):
        label = labels[name]
        assert label.text in forms
        assert label.font.size(label.text)[0] <= label.rect.width - 4
        longer = forms[: forms.index(label.text)]
        assert all(label.font.size(t)[0] > label.rect.width - 4 for t in longer)
    if size == (1280, 800):
        assert labels["menu_sub"].text == subtitle
        assert labels["menu_title"].text == "Neural Origami"
    if size == (330, 760):
        assert labels["menu_sub"].text != subtitle
    # the page tabs stay inside the window, their words whole
    for name in ("page_levels", "page_experiments"):
        tab = app.scene.panels.buttons[name]
        assert tab.rect.right <= size[0]
        assert tab.font.size(tab.text)[0] <= tab.rect.width
