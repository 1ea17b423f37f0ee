"""Small bad inputs the monkey and the file fuzzing found, each made from its reproduction.

An upper-case extension (net.NPZ) is a good file; a level too large to load says how to make it
smaller; a scene's zoom outside the allowed range is corrected with a message; screenshots are
written atomically and never overwrite each other; temporary files left by a killed save are
cleaned up.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np
import pygame
import pytest
from app_util import key

from sandbox import actions as A
from sandbox.io.atomic import STALE_TEMP_S, AtomicFile, remove_stale_temps
from sandbox.io.scene import load_scene, save_scene
from sandbox.io.weights import load_network, save_weights
from sandbox.levels import LevelError, load_level
from sandbox.nn import MLP
from sandbox.vocab import ZOOM_RANGE


# ----------------------------------------------------------------------------- .NPZ
def test_an_upper_case_npz_is_a_weights_file(tmp_path):
    path = tmp_path / "net.NPZ"
    save_weights(MLP([2, 5, 2], seed=3), path)
    assert load_network(path).sizes == [2, 5, 2]


def test_the_import_dialog_lists_upper_case_extensions(make_app, tmp_path):
    folder = tmp_path / "nets"
    folder.mkdir()
    save_weights(MLP([2, 4, 2], seed=1), folder / "net.NPZ")
    save_weights(MLP([2, 4, 2], seed=1), folder / "other.npz")
    (folder / "notes.txt").write_text("not a network")
    (folder / "sub").mkdir()
    app = make_app()
    app.state.workshop.last_folder = str(folder)  # the dialog starts there
    app.scene.apply(A.ImportWeights(None))
    app.run_frames(2)
    dialog = app.scene.workshop.dialogs.dialog
    assert dialog is not None
    names = [item[0] if isinstance(item, tuple) else item for item in dialog.current_file_list]
    assert "net.NPZ" in names and "other.npz" in names and "sub" in names
    assert "notes.txt" not in names


def test_the_dialog_lists_a_folder_as_pygame_gui_does_read_once(make_app, tmp_path, monkeypatch):
    """One scandir of the folder (a resize reopened the dialog over a folder of 2,400 files in
    94 ms of stat calls): the same entries, in the same order, as pygame-gui's own listing
    without the hidden ones; links count as what they point to, a broken one as a folder."""
    import os

    from pygame_gui.windows import UIFileDialog

    folder = tmp_path / "mixed"
    folder.mkdir()
    for name in ("b_dir", "a_dir", ".hidden_dir", "Zeta"):
        (folder / name).mkdir()
    for name in ("z.npz", "A.NPZ", "m.txt", ".h.npz", "b.npz"):
        (folder / name).write_bytes(b"")
    (folder / "link_to_dir").symlink_to(folder / "a_dir")
    (folder / "link_to_file.npz").symlink_to(folder / "z.npz")
    (folder / "broken").symlink_to(folder / "nowhere")
    app = make_app()
    app.state.workshop.last_folder = str(folder)
    app.scene.apply(A.ImportWeights(None))
    app.run_frames(2)
    dialog = app.scene.workshop.dialogs.dialog
    ours = list(dialog.current_file_list)
    wanted = dialog.allowed_suffixes
    dialog.allowed_suffixes = {""}
    UIFileDialog._create_list_of_directories_and_files_on_current_path(dialog)
    dialog.allowed_suffixes = wanted
    theirs = [
        (name, kind)
        for name, kind in dialog.current_file_list
        if not name.startswith(".")
        and (kind == "#directory_list_item" or name.lower().endswith(".npz"))
    ]
    assert ours == theirs
    folders = [n for n, kind in ours if kind == "#directory_list_item"]
    assert set(folders) == {"a_dir", "b_dir", "Zeta", "link_to_dir", "broken"}
    assert {n for n, _ in ours} - set(folders) == {"z.npz", "A.NPZ", "b.npz", "link_to_file.npz"}
    scans = []
    scandir = os.scandir
    monkeypatch.setattr(os, "scandir", lambda p: scans.append(p) or scandir(p))
    dialog.update_current_file_list()
    assert len(scans) == 1 and dialog.current_file_list == ours


# ----------------------------------------------------------------------------- levels
def test_a_level_too_large_says_how_to_make_it_smaller(tmp_path):
    rng = np.random.default_rng(0)
    pts = rng.uniform(-1, 1, (100_000, 2))
    lines = ", ".join(f"[{x:.4f}, {y:.4f}]" for x, y in pts)
    text = (
        'title = "Big"\nstory = ["Many points."]\nsuccess = "Done"\n'
        f"[data]\npoints = [{lines}]\nlabels = [{', '.join('0' for _ in pts)}]\n"
        '[network]\nhidden = [4]\n[[goals]]\ntext = "x"\ncheck = "train_accuracy >= 0.9"\n'
    )
    path = tmp_path / "big.toml"
    path.write_text(text)
    assert path.stat().st_size > 1_000_000
    with pytest.raises(LevelError) as info:
        load_level(path)
    message = str(info.value)
    assert "bytes" in message and "data.dataset" in message and "5000" in message


# ----------------------------------------------------------------------------- scene zoom
def test_a_scene_zoom_outside_the_range_is_corrected_with_a_message(make_app, tmp_path):
    from dataclasses import replace

    from sandbox.scenes.workshop import scene_data_from_state

    app = make_app(points=60)
    data = scene_data_from_state(app.state)
    path = tmp_path / "far.origami"
    save_scene(path, replace(data, view=replace(data.view, zoom=1e5)))
    assert load_scene(path).view.zoom == 1e5
    assert app.scene.workshop.open_scene(str(path))
    assert app.state.camera.zoom == ZOOM_RANGE[1]
    text = app.state.toast.text
    assert "zoom 100000 is outside" in text and f"{ZOOM_RANGE[1]:g}" in text


# ----------------------------------------------------------------------------- screenshots
def test_two_screenshots_in_the_same_second_are_two_files(make_app, tmp_path):
    app = make_app(points=40)
    app.send(key(pygame.K_F12), frames=1)
    app.send(key(pygame.K_F12), frames=1)
    shots = sorted(tmp_path.glob("neural-origami-*.png"))
    assert len(shots) == 2, shots
    assert shots[0].stat().st_size > 0 and shots[1].stat().st_size > 0
    assert not list(tmp_path.glob(".*.tmp"))


def test_a_failing_screenshot_leaves_no_file_and_says_so(make_app, tmp_path, monkeypatch):
    from PIL import Image

    app = make_app(points=40)
    old = tmp_path / "old.png"
    app.write_png(str(old))
    before = old.read_bytes()

    def broken(self, fp, format=None, **kw):
        fp.write(b"\x89PNG half")
        raise OSError("encoder failed")

    monkeypatch.setattr(Image.Image, "save", broken)
    app.state.screenshot_request = str(old)
    app.run_frames(1)
    assert old.read_bytes() == before  # the old picture, not a damaged one
    assert not list(tmp_path.glob(".*.tmp"))
    assert "Could not save the screenshot" in app.state.toast.text
    app.state.screenshot_request = str(tmp_path / "new.png")
    app.run_frames(1)
    assert not (tmp_path / "new.png").exists()


# ----------------------------------------------------------------------------- stale .tmp files
def _stale(path: Path, age: float) -> Path:
    path.write_bytes(b"half a file")
    t = time.time() - age
    os.utime(path, (t, t))
    return path


def test_stale_temp_files_are_removed_and_fresh_ones_kept(tmp_path):
    old = _stale(tmp_path / ".scene.origami.abc123.tmp", STALE_TEMP_S + 60)
    other = _stale(tmp_path / ".net.npz.zz9.tmp", STALE_TEMP_S + 60)
    fresh = _stale(tmp_path / ".scene.origami.fresh1.tmp", 5)
    mine = _stale(tmp_path / "notes.tmp", STALE_TEMP_S + 60)  # not one of ours: no leading dot
    # writing scene.origami removes its own leftovers only
    with AtomicFile(tmp_path / "scene.origami") as out:
        out.file.write(b"new")
    assert not old.exists() and other.exists() and fresh.exists() and mine.exists()
    assert remove_stale_temps(tmp_path) == [other]
    assert fresh.exists() and mine.exists()


def test_the_app_cleans_the_files_folder_when_it_starts(make_app, tmp_path):
    left = _stale(tmp_path / ".neural-origami-20250101-101010.png.q1w2.tmp", STALE_TEMP_S * 2)
    make_app(points=20)
    assert not left.exists()
