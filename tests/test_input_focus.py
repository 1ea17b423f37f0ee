"""Keyboard focus through the running app (offscreen, real OpenGL): while a text box or a dialog
has pygame-gui's focus, keys go to it alone and never run the app's shortcuts.

Typing a file name into the Save dialog ("group portrait" holds R, O, T, P, G, N...) must leave
the network, the camera and every view as they were, and the typed name is the file written.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pygame
import pytest
from app_util import click, key, send, type_text
from gl_util import gl_session_fixture  # noqa: F401

from sandbox.app import App
from sandbox.config import AppConfig

SIZE = (960, 640)
APP_DEFAULTS = {"size": SIZE}
APP_FILES_SUBDIR = "files"


def snapshot(app: App) -> tuple:
    s = app.state
    return (
        s.trainer.steps,
        s.net.weights()[0][0].tobytes(),
        tuple(s.camera.center),
        s.camera.zoom,
        sorted(v.value for v in s.views),
        s.show_ui,
        s.show_help,
        s.speed,
        s.playing,
    )


@pytest.mark.parametrize("which", ["save_scene", "export_weights"])
def test_typing_a_file_name_runs_no_shortcuts(make_app, tmp_path, which):
    app = make_app()
    sc = app.scene
    sc.train_now(30)
    app.run_frames(2)
    before = snapshot(app)
    combo = pygame.K_s if which == "save_scene" else pygame.K_e
    send(app, key(combo, mod=pygame.KMOD_CTRL), frames=2)
    dialog = sc.workshop.dialogs.dialog
    assert dialog is not None and app.state.workshop.dialog == which
    line = dialog.file_path_text_line
    assert line.is_focused  # the name is selected for typing at once
    name = "group portrait toxic xyz 0-9 [h] ?"
    send(app, type_text(name), frames=2)
    assert Path(line.get_text()).name.startswith(name)
    assert snapshot(app) == before, "typing into the dialog ran the app's shortcuts"
    assert not app.state.workshop.shortcuts
    # Enter picks the typed name; the file is written under it
    send(app, key(pygame.K_RETURN), frames=3)
    send(app, [], frames=2)
    dialog = sc.workshop.dialogs.dialog
    if dialog is not None:  # pygame-gui's Enter fills the path in; OK confirms it
        send(app, click(dialog.ok_button.rect.center), frames=3)
    suffix = ".origami" if which == "save_scene" else ".npz"
    written = list(tmp_path.rglob("*" + suffix))
    assert [p.name for p in written] == [name + suffix]
    assert snapshot(app)[:4] == before[:4]


def test_esc_in_a_dialog_closes_it_not_the_sandbox(make_app):
    app = make_app(menu=False)
    sc = app.scene
    send(app, key(pygame.K_s, mod=pygame.KMOD_CTRL), frames=2)
    assert sc.workshop.dialogs.dialog is not None
    send(app, key(pygame.K_ESCAPE), frames=3)
    assert app.scene is sc, "Esc in the dialog left the sandbox"
    assert sc.workshop.dialogs.dialog is None and app.state.workshop.dialog is None
    # and with the dialog gone the shortcuts are back
    before = app.state.camera.zoom
    send(app, key(pygame.K_o), frames=2)
    assert app.state.camera.zoom != before


def test_keys_go_to_the_help_card_alone(make_app):
    app = make_app()
    s = app.state
    app.scene.train_now(20)
    app.run_frames(2)
    before = snapshot(app)
    send(app, key(pygame.K_h), frames=2)
    assert s.show_help
    send(app, type_text("rotxpgcny0s") + key(pygame.K_SPACE), frames=3)
    assert s.show_help and snapshot(app)[:5] == before[:5] and not s.playing
    scene = app.scene
    send(app, key(pygame.K_ESCAPE), frames=2)
    assert not s.show_help and app.scene is scene  # Esc closed the card, not the sandbox
    send(app, key(pygame.K_o), frames=2)
    assert s.camera.zoom != before[3]  # the card is gone: shortcuts work again


def test_keys_go_to_a_level_card_alone(gl_session, tmp_path, monkeypatch):
    monkeypatch.setenv("NEURAL_ORIGAMI_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("NEURAL_ORIGAMI_FILES_DIR", str(tmp_path / "files"))
    monkeypatch.chdir(tmp_path)
    app = App(AppConfig(skip_loading=True, size=SIZE, level="02-sum-of-creases"))
    app.start(hidden=True)
    pygame.event.get()  # (read, not cleared: pygame-ce 2.5 keeps what clear() drops)
    try:
        app.run_frames(2, dt=1 / 30)
        s, st = app.state, app.scene.status
        assert st.card == "story"
        zoom, weights = s.camera.zoom, s.net.params.copy()
        send(app, type_text("rosgc") + key(pygame.K_SPACE), frames=3)
        assert st.card == "story" and s.camera.zoom == zoom and not s.playing
        assert np.array_equal(s.net.params, weights)
        send(app, key(pygame.K_RETURN), frames=2)  # the card's own key still works
        assert st.page == 1 or st.card == ""
    finally:
        app.close()


def test_a_stale_text_selection_drops_the_key_instead_of_raising(make_app):
    # the soak's reproduction (level 4, seed 7, gesture 772): Backspace in the file dialog's path
    # line, whose selection had outlived its text layout, raised pygame-gui's IndexError
    app = make_app()
    send(app, key(pygame.K_s, mod=pygame.KMOD_CTRL), frames=2)
    line = app.scene.workshop.dialogs.dialog.file_path_text_line
    line.set_text("/root/Neural Origami/margins-20261203-070037.csv")
    line._select_range = [21, 44]  # a selection the text layout does not hold (no setter)
    with pytest.raises(IndexError):
        app.manager.process_events(key(pygame.K_BACKSPACE)[0])  # pygame-gui alone
    line._select_range = [21, 44]
    send(app, key(pygame.K_BACKSPACE), frames=2)  # through the app: the key is dropped
    assert line.select_range == [0, 0]
    send(app, key(pygame.K_BACKSPACE), frames=2)  # and the next one edits again
    assert line.get_text() == "/root/Neural Origami/margins-20261203-070037.cs"
