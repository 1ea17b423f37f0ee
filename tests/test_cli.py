"""The command line: instant --help, clear errors with exit status 2, and the headless screenshot.

The screenshot test runs the documented command in-process (offscreen EGL), then checks the PNG:
right size, and the trained field visible in it, i.e. pixels inside the ring dataset's disk
(class 0) carry class 0's colour and pixels on the ring (class 1) class 1's, away from any drawn
point, so the colour can only come from the field.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from gl_util import gl_session_fixture  # noqa: F401

from sandbox import cli

ROOT = Path(__file__).resolve().parent.parent


def run_main(args: list[str], capsys) -> tuple[int, str, str]:
    code = cli.main(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_help_is_instant_and_imports_nothing_heavy():
    code = (
        "import sys, sandbox.cli as c\n"
        "heavy = [m for m in ('numpy', 'pygame', 'OpenGL', 'numba') if m in sys.modules]\n"
        "print(','.join(heavy) or 'none')\n"
        "c.build_parser().parse_args(['--help'])\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0
    first, rest = proc.stdout.split("\n", 1)
    assert first == "none"
    for flag in ("--size", "--dataset", "--steps", "--view", "--screenshot", "--seed", "--hidden",
                 "--ui-scale", "--fullscreen", "--level"):  # fmt: skip
        assert flag in rest


@pytest.mark.parametrize(
    "args,needle",
    [
        (["--size", "12x"], "--size '12x': expected WIDTHxHEIGHT"),
        (["--size", "10x10"], "between 64 and 8192"),
        (["--view", "regions,wobble"], "unknown view 'wobble'; allowed: field, boundary"),
        (["--view", "3d,wobble"], "unknown view 'wobble'; allowed: field, boundary"),
        (["--hidden", "16,0"], "layer 2 has 0 neurons; allowed: 1 to 256"),
        (["--hidden", "1001"], "layer 1 has 1001 neurons; allowed: 1 to 1000"),
        (["--hidden", "16,300"], "layer 2 has 300 neurons; allowed: 1 to 256"),
        (["--picture", "no/such.png"], "--picture: cannot read picture file"),
        (["--picture", "README.md"], "is not an image Pillow can read"),
        (["--picture", "nope"], "unknown picture 'nope'; allowed: bottle, disk"),
        (["--picture", "star", "--dataset", "ring"], "give one starting point, not both"),
        (["--hidden", "1,1,1,1,1,1,1,1,1"], "9 layers given; allowed: 1 to 8"),
        (["--hidden", "a,b"], "expected neurons per hidden layer"),
        (["--dataset", "nope"], "unknown dataset 'nope'; allowed: circle"),
        (["--ui-scale", "3"], "--ui-scale 3.0: allowed 1 to 2"),
        (["--steps", "-5"], "--steps -5: allowed 0 to 10,000,000"),
        (["--steps", "100000000000"], "--steps 100000000000: allowed 0 to 10,000,000"),
        (["--seed", "-1"], "--seed -1: allowed 0 to 2147483647"),
        (["--seed", "1180591620717411303424"], "allowed 0 to 2147483647"),
        (["--screenshot", "."], "--screenshot '.': the file name must end in .png"),
        (["--screenshot", "shot"], "--screenshot 'shot': the file name must end in .png"),
        (["--screenshot", "x.txt"], "--screenshot 'x.txt': the file name must end in .png"),
        (["--screenshot", "no/such/folder/x.png"], "the folder 'no/such/folder' does not exist"),
        (["--noise", "0.9"], "--noise 0.9: allowed 0 to 0.5"),
        (["--zoom", "1e6"], "allowed 0.01 to 1000"),
        (["--level", "nope"], "--level 'nope': no such level; available: 01-one-crease"),
    ],
)
def test_bad_options_exit_2_with_a_clear_message(args, needle, capsys):
    code, out, err = run_main(args, capsys)
    assert code == 2
    assert needle in err
    assert "Traceback" not in err and err.count("\n") == 1


def test_missing_opengl_is_a_message_not_a_traceback(monkeypatch, capsys):
    import sandbox.render.context as context

    def no_gl(*args, **kwargs):
        raise context.GLContextError(
            "This system offers OpenGL 2.1 on llvmpipe, older than 3.3. OpenGL 3.3 is needed. "
            "Try: updating the graphics driver"
        )

    monkeypatch.setattr(context, "create_window", no_gl)
    code, out, err = run_main(["--screenshot", "x.png"], capsys)
    assert code == 2
    assert "OpenGL 3.3 is needed" in err and "Traceback" not in err


def test_screenshot_shows_the_trained_field(gl_session, tmp_path, capsys):
    from PIL import Image

    from sandbox.data import make_dataset
    from sandbox.render import palette
    from sandbox.render.camera import View2D

    path = tmp_path / "out.png"
    size = (480, 360)
    code, out, err = run_main(
        ["--size", "480x360", "--dataset", "ring", "--points", "200", "--steps", "600",
         "--view", "field", "--hide-ui", "--screenshot", str(path)],
        capsys,
    )  # fmt: skip
    assert code == 0, err
    assert path.exists() and "wrote" in out
    img = np.asarray(Image.open(path).convert("RGB")).astype(float)
    assert img.shape == (size[1], size[0], 3)
    # where the app put the data: the default view of the whole window (panels hidden)
    view = View2D((0.0, 0.0), 0.9, *size)
    X, y = make_dataset("ring", n=200, noise=0.0, seed=0)
    pts = view.world_to_screen(X)
    colors = palette.CLASS_COLORS[:2] * 255
    # pixels 9 px from each training point (just outside its disc), none closer to another point
    angles = np.linspace(0, 2 * np.pi, 8, endpoint=False)
    ring = 9.0 * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    samples = (pts[:, None, :] + ring[None]).reshape(-1, 2)
    labels = np.repeat(y, len(angles))
    inside = (samples >= 0).all(axis=1) & (samples[:, 0] < size[0]) & (samples[:, 1] < size[1])
    dist = np.linalg.norm(samples[:, None, :] - pts[None, :, :], axis=2)
    clear = inside & ((dist < 8.5).sum(axis=1) == 0)
    rgb = img[samples[clear, 1].astype(int), samples[clear, 0].astype(int)]
    nearest = np.argmin(np.linalg.norm(rgb[:, None, :] - colors[None], axis=2), axis=1)
    coloured = np.linalg.norm(rgb[:, None, :] - colors[None], axis=2).min(axis=1) < np.linalg.norm(
        rgb - palette.BACKGROUND * 255, axis=1
    )
    lab = labels[clear]
    for k in (0, 1):
        assert (lab == k).sum() > 50
        assert (nearest[lab == k] == k).mean() > 0.9, f"class {k} points sit in its colour"
        assert coloured[lab == k].mean() > 0.9, "the field is shaded, not background"


def test_main_py_runs_the_same_command_line():
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [sys.executable, "main.py", "--view", "nope"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert proc.returncode == 2
    assert "unknown view 'nope'" in proc.stderr and "Traceback" not in proc.stderr


def test_picture_option_names_the_file_or_bundled_picture(tmp_path):
    from PIL import Image

    path = tmp_path / "cat.webp"
    Image.new("RGB", (30, 20), (200, 100, 50)).save(path, lossless=True)
    ns = cli.build_parser().parse_args(["--picture", str(path)])
    config = cli.config_from_args(ns)
    assert config.dataset == f"image:{path.resolve()}"
    ns = cli.build_parser().parse_args(["--picture", "star", "--hidden", "500"])
    config = cli.config_from_args(ns)
    assert config.dataset == "image:star" and config.hidden == (500,)
    assert cli.sandbox_options_given(["--picture", "star"])
    assert cli.config_from_args(cli.build_parser().parse_args([])).dataset == "ring"
