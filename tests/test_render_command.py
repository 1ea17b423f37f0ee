"""`neural-origami render`, run in-process on the offscreen EGL context.

- A GIF has exactly --frames frames of the --size size (read back with Pillow); its first frame
  shows the untrained network and its last one the trained network, which is the very picture
  the PNG of the same command shows.
- A PNG has the --size size and is the plane the app's own --screenshot draws for the same
  options (the screenshot adds only the zoom caption in its bottom-left corner).
- A scene file renders the scene's network: the PNG of `--scene` equals the PNG of the
  dataset command the scene was saved from.
- A corrupt scene, an unknown dataset, an unwritable or wrong output, MP4 without its extra:
  one line, exit status 2, no file written.
"""

from __future__ import annotations

import numpy as np
import pytest
from gl_util import gl_session_fixture  # noqa: F401
from PIL import Image

from sandbox import cli
from sandbox.render_cli import frame_steps


def run(args: list[str], capsys) -> tuple[int, str, str]:
    code = cli.main(["render", *args])
    out, err = capsys.readouterr()
    return code, out, err


def rgb(path) -> np.ndarray:
    with Image.open(path) as im:
        return np.asarray(im.convert("RGB")).astype(int)


BASE = ["--dataset", "ring", "--points", "120", "--hidden", "8,8", "--seed", "3"]


def test_frame_steps_spread_training_over_the_frames():
    assert frame_steps(100, 5) == [0, 25, 50, 75, 100]
    assert frame_steps(7, 1) == [7]
    assert frame_steps(0, 3) == [0, 0, 0]
    s = frame_steps(1001, 60)
    assert s[0] == 0 and s[-1] == 1001 and len(s) == 60
    assert all(b >= a for a, b in zip(s, s[1:], strict=False))


def test_gif_has_the_frames_and_size_asked_for(gl_session, tmp_path, capsys):
    gif = tmp_path / "movie.gif"
    png = tmp_path / "last.png"
    code, out, err = run([*BASE, "--steps", "300", "--frames", "7", "--size", "200x150",
                          "--out", str(gif)], capsys)  # fmt: skip
    assert code == 0, err
    assert "wrote" in out and "7 frames, 200x150" in out
    with Image.open(gif) as im:
        assert im.n_frames == 7 and im.size == (200, 150)
        im.seek(0)
        first = np.asarray(im.convert("RGB")).astype(int)
        im.seek(6)
        last = np.asarray(im.convert("RGB")).astype(int)
    code, out, err = run([*BASE, "--steps", "300", "--size", "200x150", "--out", str(png)], capsys)
    assert code == 0, err
    final = rgb(png)
    assert final.shape == (150, 200, 3)
    # the last movie frame is the PNG (GIF palettes round colours a little); the first is not
    assert np.abs(last - final).mean() < 2.0
    assert np.abs(first - final).mean() > 4.0


def test_png_is_the_plane_of_the_screenshot(gl_session, tmp_path, capsys):
    png = tmp_path / "render.png"
    shot = tmp_path / "shot.png"
    common = [*BASE, "--steps", "200", "--size", "240x180", "--view", "regions,creases"]
    code, out, err = run([*common, "--out", str(png)], capsys)
    assert code == 0, err
    code = cli.main([*common, "--hide-ui", "--screenshot", str(shot)])
    capsys.readouterr()
    assert code == 0
    a, b = rgb(png), rgb(shot)
    assert a.shape == b.shape == (180, 240, 3)
    # everything above the screenshot's zoom caption is the same picture
    top = slice(0, 180 - 40)
    assert np.abs(a[top] - b[top]).max() <= 2
    assert len(np.unique(a.reshape(-1, 3), axis=0)) > 20  # regions and creases, not a blank


def test_a_png_holds_every_view_asked_for(gl_session, tmp_path, capsys):
    """A file is one frame: the 3D view, the inspector and the probe are all in it (in the app
    a view's first picture may wait a frame for another's; a file's never do)."""
    png = tmp_path / "views.png"
    views = "regions,creases,3d,probe,inspector"
    code, out, err = run([*BASE, "--steps", "50", "--size", "800x600", "--view", views,
                          "--out", str(png)], capsys)  # fmt: skip
    assert code == 0, err
    a = rgb(png)
    column = a[:, 560:]  # the side column: the inspector over the probe
    for part in (column[:280], column[320:]):
        assert len(np.unique(part.reshape(-1, 3), axis=0)) > 50, "a blank side view"
    assert len(np.unique(a[320:, :400].reshape(-1, 3), axis=0)) > 50, "a blank 3D view"


def test_a_scene_renders_its_own_network(gl_session, tmp_path, capsys):
    from sandbox.app import App
    from sandbox.config import AppConfig
    from sandbox.scenes.workshop import scene_data_from_state

    app = App(AppConfig(size=(240, 180), dataset="moons", points=150, hidden=(6, 6), seed=5,
                        skip_loading=True, hide_ui=True))  # fmt: skip
    app.start(hidden=True)
    try:
        app.scene.train_now(150)
        app.scene.workshop.save_scene(str(tmp_path / "moons.origami"))
        saved = scene_data_from_state(app.state)
    finally:
        app.close()
    out_a = tmp_path / "a.png"
    code, out, err = run(["--scene", str(tmp_path / "moons.origami"), "--size", "240x180",
                          "--out", str(out_a)], capsys)  # fmt: skip
    assert code == 0, err
    out_b = tmp_path / "b.png"
    code, out, err = run(["--dataset", "moons", "--points", "150", "--hidden", "6,6", "--seed",
                          "5", "--steps", "150", "--size", "240x180", "--out", str(out_b)],
                         capsys)  # fmt: skip
    assert code == 0, err
    assert np.abs(rgb(out_a) - rgb(out_b)).max() <= 2
    # more steps on top of the scene move the picture on
    out_c = tmp_path / "c.png"
    code, _, err = run(["--scene", str(tmp_path / "moons.origami"), "--steps", "400",
                        "--size", "240x180", "--out", str(out_c)], capsys)  # fmt: skip
    assert code == 0, err
    assert np.abs(rgb(out_c) - rgb(out_a)).mean() > 1.0
    assert saved.training.steps == 150


@pytest.mark.parametrize(
    "args,needle",
    [
        (["--scene", "{tmp}/bad.origami", "--out", "{tmp}/x.gif"],
         "scene file {tmp}/bad.origami: not a scene file (it is not a ZIP archive)"),
        (["--scene", "{tmp}/cut.origami", "--out", "{tmp}/x.gif"], "damaged or truncated"),
        (["--scene", "{tmp}/none.origami", "--out", "{tmp}/x.gif"], "No such file"),
        (["--dataset", "wobble", "--out", "{tmp}/x.gif"], "unknown dataset 'wobble'"),
        (["--out", "{tmp}/missing/x.gif"], "the folder '{tmp}/missing' does not exist"),
        (["--out", "{tmp}/x.jpg"], "must end in .gif, .mp4, .png, .svg, .pdf or .npz"),
        (["--out", "{tmp}"], "must end in .gif, .mp4, .png, .svg, .pdf or .npz"),
        (["--out", "{tmp}/ro/x.gif"], "cannot write there"),
        (["--out", "{tmp}/x.gif", "--frames", "0"], "--frames 0: allowed 1 to"),
        (["--out", "{tmp}/x.gif", "--size", "9x9"], "must be 64 to 4096 pixels"),
        (["--out", "{tmp}/x.gif", "--view", "wobble"], "unknown view 'wobble'"),
        (["--scene", "{tmp}/bad.origami", "--hidden", "4", "--out", "{tmp}/x.gif"],
         "a scene file brings its own"),
    ],
)  # fmt: skip
def test_user_errors_print_one_line_and_exit_2(args, needle, tmp_path, capsys):
    import os

    (tmp_path / "bad.origami").write_bytes(b"no zip here")
    from sandbox.io.scene import SceneData, scene_to_bytes
    from sandbox.nn import MLP

    good = scene_to_bytes(
        SceneData(
            X=np.zeros((3, 2)),
            labels=np.array([0, 1, 0]),
            test=np.zeros(3, bool),
            task="classification",
            weights=MLP([2, 3, 2]).weights(),
        )
    )
    (tmp_path / "cut.origami").write_bytes(good[: len(good) - 40])
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    if os.access(ro, os.W_OK):  # running as root: permissions do not stop us
        if "cannot write there" in needle:
            pytest.skip("permissions are not enforced for this user")
    try:
        code, out, err = run([a.format(tmp=tmp_path) for a in args], capsys)
    finally:
        ro.chmod(0o700)
    assert code == 2
    assert needle.format(tmp=tmp_path) in err, err
    assert "Traceback" not in err and err.count("\n") == 1
    assert not (tmp_path / "x.gif").exists()


def test_mp4_needs_its_extra_or_writes_the_frames(gl_session, tmp_path, capsys):
    from sandbox.io.recording import mp4_available

    out = tmp_path / "movie.mp4"
    code, _, err = run([*BASE, "--steps", "20", "--frames", "3", "--size", "96x64",
                        "--out", str(out)], capsys)  # fmt: skip
    if not mp4_available():
        assert code == 2 and "pip install neural-origami[video]" in err
        assert not out.exists()
    else:
        import imageio_ffmpeg

        assert code == 0, err
        reader = imageio_ffmpeg.read_frames(str(out))
        meta = next(reader)
        assert meta["size"] == (96, 64) and sum(1 for _ in reader) == 3
