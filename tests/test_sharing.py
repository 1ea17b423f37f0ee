"""Workshop features through the running app (offscreen, real OpenGL): scene files, weights in and
out, file dialogs and recordings.

- Save, change many things, open again: the state equals the saved scene bit for bit (weights,
  points, test flags, settings, camera, views), the trainer trains the loaded network, and the
  file on disk holds the same scene.
- A damaged, truncated, foreign or newer-version file gives the loader's message and changes
  nothing; hypothesis flips and cuts bytes of a real scene file and checks that the state is then
  either untouched or exactly the file's scene, never something in between.
- Importing weights (.npz, and a PyTorch state_dict when torch is installed) adopts the network
  and keeps the points, and the plane then shows that network: pixel colours match the CPU
  colour map of the imported network's own logits.
- Ctrl+S / Ctrl+O open file dialogs whose OK saves and opens; F9 records the plane at a fixed
  rate into a GIF whose frames are the plane, repeating frames when the app runs slow and
  stopping at the frame limit with a message.
"""

from __future__ import annotations

import io
import json
import zipfile

import numpy as np
import pygame
import pytest
from app_util import click, key, send
from gl_util import gl_session_fixture  # noqa: F401
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sandbox import actions as A
from sandbox.app import App
from sandbox.io.scene import load_scene, scene_from_bytes
from sandbox.io.weights import load_network, load_weights, save_weights
from sandbox.nn import MLP
from sandbox.scenes import workshop
from sandbox.scenes.workshop import scene_data_from_state
from sandbox.vocab import View

# clipped text is a bug: a label too small for its text fails the test
pytestmark = pytest.mark.filterwarnings("error:Label Rect is too small")

SIZE = (960, 640)
APP_DEFAULTS = {"size": SIZE}


def toast(app: App) -> str:
    return app.state.toast.text if app.state.toast is not None else ""


def same_bits(a, b) -> bool:
    a, b = np.asarray(a), np.asarray(b)
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


# ----------------------------------------------------------------------------- scene files
def test_save_change_open_restores_the_state_bit_for_bit(make_app, tmp_path):
    app = make_app(hidden=(8, 6))
    s, sc = app.state, app.scene
    sc.train_now(120)
    for a in (
        A.SetTestFraction(0.25),
        A.ToggleView("regions"),
        A.ToggleView("split"),
        A.SetLayerView(1),
        A.SetPriorPrecision(3.7),
        A.SetLearningRate(0.0123),
        A.SetBatchSize(32),
        A.SetL2(0.0004),
        A.SelectClass(2),
        A.SetBrushSize(33.0),
        A.ToggleDiscretise(),
        A.ZoomAt((500.0, 300.0), 1.7),
        A.Pan(37.0, -12.0),
    ):
        sc.apply(a)
    s.points.add([[0.25, -0.5], [1.0, 2.0]], 2)  # a third class: the network grows an output
    app.run_frames(2, dt=1 / 30)
    saved = scene_data_from_state(s)
    assert saved.sizes == [2, 8, 6, 3] and saved.view.split_screen and saved.view.layer == 1
    path = tmp_path / "demo.origami"
    sc.apply(A.SaveScene(str(path)))
    assert path.exists() and "Saved the scene" in toast(app)
    assert load_scene(path).identical(saved)

    # change nearly everything
    sc.train_now(60)
    for a in (
        A.AddLayer(),
        A.SetWidth(0, 12),
        A.ToggleView("split"),
        A.ToggleView("laplace"),
        A.SetLayerView(0),
        A.SetPriorPrecision(20.0),
        A.SetTestFraction(0.1),
        A.ZoomOutFar(),
        A.SetOptimizer("sgd"),
        A.SelectClass(0),
    ):
        sc.apply(a)
    s.points.add(np.random.default_rng(1).normal(size=(30, 2)), 1)
    app.run_frames(2, dt=1 / 30)
    assert not scene_data_from_state(s).identical(saved)

    sc.apply(A.OpenScene(str(path)))
    assert "Opened demo.origami" in toast(app), toast(app)
    now = scene_data_from_state(s)
    assert now.identical(saved)
    # and, spelled out, the parts that matter most
    for (W, b), (W2, b2) in zip(s.net.weights(), saved.weights, strict=True):
        assert same_bits(W, W2) and same_bits(b, b2)
    assert same_bits(s.points.X, saved.X) and same_bits(s.points.y, saved.labels)
    assert same_bits(s.points.is_test, saved.test)
    assert s.settings.hidden == [8, 6] and s.settings.optimizer == "adam"
    assert s.settings.learning_rate == 0.0123 and s.settings.batch_size == 32
    assert View.SPLIT in s.views and View.REGIONS in s.views and View.LAPLACE not in s.views
    assert s.layer_view == 1 and s.prior_precision == 3.7 and s.selected_class == 2
    assert s.camera.center == (saved.view.center_x, saved.view.center_y)
    assert s.trainer.net is s.net and s.trainer.steps == saved.training.steps == 120
    assert s.far_return is None and s.discretise

    # the loaded sandbox is alive: it draws and trains the loaded network
    before = s.net.params.copy()
    send(app, key(pygame.K_SPACE), frames=5)
    assert s.playing and s.metrics.step > 120
    assert not np.array_equal(before, s.net.params)


def _newer_version(data: bytes) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as out:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == "manifest.json":
                manifest = json.loads(body)
                manifest["version"] = 99
                body = json.dumps(manifest).encode()
            out.writestr(info, body)
    return buf.getvalue()


def test_a_bad_or_newer_scene_file_changes_nothing(make_app, tmp_path):
    app = make_app()
    s, sc = app.state, app.scene
    good = tmp_path / "good.origami"
    sc.apply(A.SaveScene(str(good)))
    data = good.read_bytes()
    sc.train_now(40)
    s.points.add([[3.0, 3.0]], 1)
    app.run_frames(1)
    before = scene_data_from_state(s)
    net, points, trainer = s.net, s.points, s.trainer
    cases = {
        "newer.origami": (_newer_version(data), "written by a newer version (format 99)"),
        "short.origami": (data[: len(data) // 2], "damaged or truncated"),
        "text.origami": (b"hello, not a scene", "not a scene file"),
        "missing.origami": (None, "cannot read scene file"),
    }
    for name, (body, needle) in cases.items():
        path = tmp_path / name
        if body is not None:
            path.write_bytes(body)
        sc.apply(A.OpenScene(str(path)))
        assert needle in toast(app), (name, toast(app))
        assert "Nothing was changed" in toast(app) and s.toast.kind == "error"
        assert s.net is net and s.points is points and s.trainer is trainer
        assert scene_data_from_state(s).identical(before)
    app.run_frames(2)  # and the sandbox keeps running


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_fuzzed_scene_files_load_whole_or_not_at_all(make_app, tmp_path_factory, data):
    # one app and one good file for every example (the fixture lives as long as the test)
    app = getattr(make_app, "cached", None)
    if app is None:
        app = make_app.cached = make_app(hidden=(4,), points=40)
        good = tmp_path_factory.mktemp("fuzz") / "good.origami"
        app.scene.apply(A.SaveScene(str(good)))
        make_app.good = good.read_bytes()
    s, sc = app.state, app.scene
    folder = tmp_path_factory.mktemp("fuzz")
    raw = bytearray(make_app.good)
    how = data.draw(st.sampled_from(["cut", "flip", "both"]))
    if how in ("flip", "both"):
        for pos in data.draw(st.lists(st.integers(0, len(raw) - 1), min_size=1, max_size=4)):
            raw[pos] ^= data.draw(st.integers(1, 255))
    if how in ("cut", "both"):
        raw = raw[: data.draw(st.integers(0, len(raw) - 1))]
    bad = folder / "bad.origami"
    bad.write_bytes(bytes(raw))
    s.points.add([[0.5, 0.5]], 0)  # differ from the file, so a load shows
    app.run_frames(1)
    before = scene_data_from_state(s)
    sc.apply(A.OpenScene(str(bad)))
    after = scene_data_from_state(s)
    try:
        expected = scene_from_bytes(bytes(raw), str(bad))
    except ValueError as exc:
        assert after.identical(before), "a refused file changed the state"
        assert str(exc) in toast(app) and s.toast.kind == "error"
    else:
        assert after.identical(expected), "a loaded file was not adopted exactly"


def test_scene_from_another_level_and_unknown_views_opens_with_notes(make_app, tmp_path):
    app = make_app()
    s, sc = app.state, app.scene
    data = scene_data_from_state(s)
    data.level = "03-two-creases"
    data.view.views = ("field", "hologram")
    from sandbox.io.scene import save_scene

    path = tmp_path / "lvl.origami"
    save_scene(path, data)
    sc.apply(A.OpenScene(str(path)))
    text = toast(app)
    assert "hologram" in text and "level 03-two-creases" in text
    assert s.views == {View.FIELD}
    # the level id travels on when the sandbox is saved again
    sc.apply(A.SaveScene(str(tmp_path / "again")))
    assert load_scene(tmp_path / "again.origami").level == "03-two-creases"


# ----------------------------------------------------------------------------- weights
def _plane_pixels(app: App) -> np.ndarray:
    frames: list[np.ndarray] = []
    app.scene.workshop.tap = frames.append
    app.run_frames(1, dt=1 / 30)
    app.scene.workshop.tap = None
    return frames[-1]


def _assert_plane_shows(app: App, layers) -> None:
    """Field pixels (away from the points) carry the CPU colour of `layers`' own logits."""
    from sandbox.render import palette

    s = app.state
    sc = app.scene
    for view in View:
        sc.apply(A.SetView(view.value, view is View.FIELD))
    pixels = _plane_pixels(app).astype(int)
    h, w = pixels.shape[:2]
    cam = s.camera
    rng = np.random.default_rng(0)
    ij = np.stack([rng.integers(2, w - 2, 600), rng.integers(2, h - 2, 600)], axis=1)
    centers = ij + 0.5
    world = cam.screen_to_world(centers)
    z = world
    for W, b in layers[:-1]:
        z = np.maximum(z @ W.T + b, 0.0)
    logits = z @ layers[-1][0].T + layers[-1][1]
    want = palette.to_uint8(palette.class_field_colors(logits)).astype(int)
    pts = cam.world_to_screen(np.asarray(s.points.X)) if len(s.points) else np.zeros((0, 2))
    far = np.ones(len(ij), bool)
    if len(pts):
        d = np.linalg.norm(centers[:, None, :] - pts[None], axis=2).min(axis=1)
        far = d > 10 * s.scale
    got = pixels[ij[:, 1], ij[:, 0]]
    diff = np.abs(got - want).max(axis=1)[far]
    assert far.sum() > 300
    assert np.percentile(diff, 98) <= 3, f"field differs from the network: max {diff.max()}"


def test_import_npz_adopts_the_network_and_keeps_the_points(make_app, tmp_path):
    app = make_app()
    s, sc = app.state, app.scene
    net = MLP([2, 5, 7, 3], seed=11, bias_std=0.5)
    path = tmp_path / "three.npz"
    save_weights(net, path)
    points = s.points
    X = np.array(points.X)
    sc.apply(A.ImportWeights(str(path)))
    assert "Imported the 2-5-7-3 network" in toast(app), toast(app)
    assert s.net.sizes == [2, 5, 7, 3] and s.settings.hidden == [5, 7]
    assert same_bits(s.net.params, net.params)
    assert s.points is points and same_bits(points.X, X)
    assert s.trainer.net is s.net
    _assert_plane_shows(app, net.weights())


def test_export_then_import_round_trips_and_bad_imports_change_nothing(make_app, tmp_path):
    app = make_app()
    s, sc = app.state, app.scene
    sc.train_now(30)
    sc.apply(A.ExportWeights(str(tmp_path / "mine")))
    out = tmp_path / "mine.npz"
    assert out.exists() and "Exported the 2-8-8-2 network" in toast(app)
    back = load_weights(out)
    assert same_bits(back.params, s.net.params)

    # a network that tells 2 classes apart cannot hold points of class 3
    s.points.add([[1.0, 1.0]], 2)
    app.run_frames(1)
    net_before = s.net
    sc.apply(A.ImportWeights(str(out)))
    assert "points use classes 1 to 3" in toast(app) and s.net is net_before
    for name, body, needle in (
        ("junk.npz", b"not a zip", "corrupt or not an .npz file"),
        ("net.h5", b"", "allowed: .npz, .pt, .pth"),
    ):
        (tmp_path / name).write_bytes(body)
        sc.apply(A.ImportWeights(str(tmp_path / name)))
        assert needle in toast(app) and s.toast.kind == "error" and s.net is net_before


def test_import_of_a_one_output_network_switches_to_pictures(make_app, tmp_path):
    app = make_app()
    s, sc = app.state, app.scene
    class_points = s.points
    net = MLP([2, 6, 1], seed=2)
    save_weights(net, tmp_path / "pic.npz")
    sc.apply(A.ImportWeights(str(tmp_path / "pic.npz")))
    assert s.task.value == "regression" and s.net.sizes == [2, 6, 1]
    assert same_bits(s.net.params, net.params) and "picture mode" in toast(app)
    app.run_frames(2)
    sc.apply(A.SetTask("classification"))  # the painted classes come back
    assert s.points is class_points


def test_import_a_pytorch_state_dict(make_app, tmp_path):
    torch = pytest.importorskip("torch")
    app = make_app()
    s, sc = app.state, app.scene
    torch.manual_seed(0)
    model = torch.nn.Sequential(
        torch.nn.Linear(2, 6), torch.nn.ReLU(), torch.nn.Linear(6, 4), torch.nn.ReLU(),
        torch.nn.Linear(4, 2),
    )  # fmt: skip
    torch.save(model.state_dict(), tmp_path / "model.pt")
    sc.apply(A.ImportWeights(str(tmp_path / "model.pt")))
    assert "Imported the 2-6-4-2 network" in toast(app), toast(app)
    layers = [
        (m.weight.detach().double().numpy(), m.bias.detach().double().numpy())
        for m in model
        if isinstance(m, torch.nn.Linear)
    ]
    for (W, b), (W2, b2) in zip(s.net.weights(), layers, strict=True):
        assert same_bits(W, W2) and same_bits(b, b2)
    _assert_plane_shows(app, layers)

    smooth = torch.nn.Sequential(torch.nn.Linear(2, 4), torch.nn.Tanh(), torch.nn.Linear(4, 2))
    torch.save(smooth, tmp_path / "tanh.pt")
    sc.apply(A.ImportWeights(str(tmp_path / "tanh.pt")))
    assert "Imported the 2-4-2 network" in toast(app), toast(app)
    assert s.net.activation == "tanh" and s.settings.activation == "tanh"

    bad = torch.nn.Sequential(torch.nn.Linear(2, 4), torch.nn.ELU(), torch.nn.Linear(4, 2))
    torch.save(bad, tmp_path / "elu.pt")
    net = s.net
    sc.apply(A.ImportWeights(str(tmp_path / "elu.pt")))
    assert "allowed: Linear with ReLU, LeakyReLU" in toast(app) and s.net is net


# ----------------------------------------------------------------------------- dialogs
def test_ctrl_s_and_ctrl_o_go_through_file_dialogs(make_app, tmp_path):
    app = make_app()
    s, sc = app.state, app.scene
    send(app, key(pygame.K_s, pygame.KMOD_CTRL), frames=2)
    dialog = sc.workshop.dialogs.dialog
    assert dialog is not None and s.workshop.dialog == "save_scene"
    assert not dialog.delete_button.visible  # no file deletion from the sandbox
    send(app, click(dialog.ok_button.rect.center), frames=3)
    saved = tmp_path / "scene.origami"
    assert saved.exists() and s.workshop.dialog is None and sc.workshop.dialogs.dialog is None
    reference = scene_data_from_state(s)

    sc.train_now(25)
    send(app, key(pygame.K_o, pygame.KMOD_CTRL), frames=2)
    dialog = sc.workshop.dialogs.dialog
    assert s.workshop.dialog == "open_scene" and dialog.current_file_path is not None
    send(app, click(dialog.ok_button.rect.center), frames=3)
    assert scene_data_from_state(s).identical(reference)

    send(app, key(pygame.K_e, pygame.KMOD_CTRL), frames=2)
    dialog = sc.workshop.dialogs.dialog
    assert s.workshop.dialog == "export_weights"
    send(app, click(dialog.cancel_button.rect.center), frames=3)
    assert s.workshop.dialog is None and not (tmp_path / "network.npz").exists()

    # the File area's buttons ask for the same dialogs
    buttons = {b.text: b for b in sc.panels._file.toggles.values()}
    assert "Record" in buttons
    button = next(e for e in sc.panels.elements if getattr(e, "text", None) == "Import net")
    send(app, click(button.rect.center), frames=2)
    assert s.workshop.dialog == "import_weights" and sc.workshop.dialogs.dialog is not None


# ----------------------------------------------------------------------------- recording
def test_recording_writes_the_plane_at_a_fixed_rate(make_app, tmp_path):
    from PIL import Image

    app = make_app()
    s, sc = app.state, app.scene
    path = tmp_path / "take.gif"
    sc.apply(A.ToggleRecording(str(path)))
    assert s.workshop.recording and "Recording the plane" in toast(app)
    frames: list[np.ndarray] = []
    sc.workshop.tap = frames.append
    app.run_frames(10, dt=1 / 15)  # one recorded frame per drawn frame
    app.run_frames(10, dt=1 / 30)  # every other frame
    app.run_frames(2, dt=0.2)  # a slow app: frames repeat to keep real time (3 each)
    assert s.workshop.rec_frames == 10 + 5 + 6
    sc.workshop.tap = None
    send(app, key(pygame.K_F9), frames=1)
    assert not s.workshop.recording and "Saved 21 frames" in toast(app)
    with Image.open(path) as gif:
        assert gif.n_frames == 21
        x, y, w, h = s.layout.plane
        assert gif.size == (w, h)
        gif.seek(0)
        first = np.asarray(gif.convert("RGB")).astype(int)
    # the first recorded frame is the plane as drawn (GIF palette rounding aside)
    assert np.abs(first - frames[0].astype(int)).mean() < 2.0


def test_recording_stops_at_its_limit_and_keys_toggle_it(make_app, tmp_path, monkeypatch):
    from PIL import Image

    monkeypatch.setattr(workshop, "RECORD_MAX_FRAMES", 5)
    app = make_app()
    s = app.state
    send(app, key(pygame.K_r, pygame.KMOD_CTRL), frames=1, dt=1 / 15)
    assert s.workshop.recording
    app.run_frames(8, dt=1 / 15)
    assert not s.workshop.recording and "limit of 5 frames" in toast(app)
    written = list(tmp_path.glob("neural-origami-*.gif"))
    assert len(written) == 1 and written[0].name in toast(app)
    with Image.open(written[0]) as gif:
        assert gif.n_frames == 5


def test_recording_takes_the_whole_stage_with_the_3d_view(make_app, tmp_path):
    """With the 3D view beside the plane, the recording shows both, not the 2D half alone."""
    from PIL import Image

    app = make_app()
    s, sc = app.state, app.scene
    sc.apply(A.SetView(View.THREE_D.value, True))
    app.run_frames(2, dt=1 / 30)
    _, _, stage_w, stage_h = s.layout.stage
    assert s.layout.plane[2] < stage_w or s.layout.plane[3] < stage_h  # 3D took part of it
    path = tmp_path / "stage.gif"
    sc.apply(A.ToggleRecording(str(path)))
    app.run_frames(4, dt=1 / 15)
    send(app, key(pygame.K_F9), frames=1)
    with Image.open(path) as gif:
        assert gif.n_frames >= 4
        assert gif.size == (stage_w, stage_h)


def test_the_save_pt_button_saves_the_network_for_pytorch(make_app, tmp_path, monkeypatch):
    from sandbox.scenes import torch_export

    app = make_app(size=(1280, 800))
    s, sc = app.state, app.scene
    button = next(e for e in sc.panels.elements if getattr(e, "text", None) == "Save .pt")
    assert pygame.Rect(s.layout.left).contains(button.rect)
    with monkeypatch.context() as m:
        m.setattr(torch_export, "torch_available", lambda: False)  # as without torch
        send(app, click(button.rect.center), frames=2)
    assert s.workshop.dialog is None  # no file name asked for
    assert s.toast.kind == "error" and "needs PyTorch" in toast(app) and ".npz" in toast(app)
    pytest.importorskip("torch")
    send(app, click(button.rect.center), frames=2)
    dialog = sc.workshop.dialogs.dialog
    assert s.workshop.dialog == "export_torch" and dialog is not None
    assert dialog.current_file_path.name == "network.pt"
    send(app, click(dialog.ok_button.rect.center), frames=3)
    saved = tmp_path / "network.pt"
    assert saved.exists() and s.workshop.dialog is None
    assert "for PyTorch (nn.Sequential)" in toast(app) and str(saved) in toast(app)
    net = load_network(saved)
    assert net.sizes == s.net.sizes and same_bits(net.params, s.net.params)
