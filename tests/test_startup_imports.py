"""The start menu opens without importing numba.

numba takes a noticeable part of a second to import even with its cache filled, so the menu's
first frame must not wait for it: the training and geometry kernels load in the background
(sandbox/kernel_cache.py) while the player reads the menu. Each check runs in a fresh Python
process and reads `sys.modules`; the last one starts the real app (offscreen) at the menu and
draws its first frame.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run_child(code: str) -> str:
    env = dict(os.environ, PYTHONPATH=str(ROOT))  # the offscreen drivers conftest.py chose
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT, timeout=300
    )
    assert out.returncode == 0, out.stderr[-3000:]
    return out.stdout


@pytest.mark.parametrize(
    "modules",
    [
        "sandbox.app sandbox.scenes.menu",
        "sandbox.scenes.loading sandbox.ui.menu_panels sandbox.scenes.game",
        "sandbox.levels sandbox.io sandbox.nn",
    ],
)
def test_the_menus_modules_do_not_import_numba(modules):
    code = (
        "import importlib, sys\n"
        f"for m in {modules.split()!r}: importlib.import_module(m)\n"
        "print(sorted(m for m in sys.modules if m == 'numba' or m.startswith('numba.')))\n"
    )
    assert run_child(code).strip() == "[]"


def test_the_trainer_and_the_level_session_still_load_on_first_use():
    code = (
        "import sys\n"
        "import sandbox.nn, sandbox.levels\n"
        "assert 'numba' not in sys.modules\n"
        "from sandbox.nn import Trainer\n"
        "from sandbox.levels import LevelSession\n"
        "print(Trainer.__module__, LevelSession.__module__, 'numba' in sys.modules)\n"
    )
    assert run_child(code).split() == ["sandbox.nn.trainer", "sandbox.levels.session", "True"]


def test_the_first_menu_frame_is_drawn_before_numba_is_imported(gl_session, tmp_path):
    # gl_session: skipped (or failed in CI) like every rendering test when there is no OpenGL
    code = (
        "import sys\n"
        "from sandbox.app import App\n"
        "from sandbox.config import AppConfig\n"
        "app = App(AppConfig(size=(800, 600), menu=True, extra={'progress_path': "
        f"{str(tmp_path / 'progress.json')!r}}}))\n"
        "app.start(hidden=True)\n"
        "app.run_frames(1, dt=1 / 60)\n"
        "print(app.scene.name, 'numba' in sys.modules)\n"
        "app.close()\n"
    )
    assert run_child(code).split()[-2:] == ["menu", "False"]
