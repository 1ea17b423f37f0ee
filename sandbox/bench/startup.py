"""Benchmark: seconds from launch to the first interactive menu frame, and to a ready sandbox.

`python -m sandbox.bench startup [--size WxH]` launches the app (offscreen) in a fresh process
twice: cold, with numba's cache pointed at an empty folder (the first start after install), and
warm, with the cache that run left. Each launch opens the start menu, draws its first frame,
then at once asks for the free sandbox and presses Train (as a user clicking straight away),
and runs frames at a display's rate until the sandbox is fully ready: its first frame, its
first training step, its first step with the numba kernel (full speed), and its exact regions on
screen. On a first start the sandbox opens while the kernels still compile: training runs in
the kernel's numpy twin until the kernel is loaded, and the regions come from the region
kernels' plain-Python twins until theirs are (both times are printed). Printed: wall
seconds from the launch to each of these, to the end of the whole background warm-up, and the
CPU seconds the process and its warm-up children used. Targets: menu 3 s cold and 1 s warm,
sandbox ready (training and regions) 10 s cold.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time

from sandbox.bench import headless_environment

_CHILD = """
import resource, sys, time
w, h = (int(v) for v in sys.argv[1].split("x"))
from sandbox.app import App
from sandbox.config import AppConfig
from sandbox import game_actions as G
from sandbox import actions as A
from sandbox.kernel_cache import REST
app = App(AppConfig(size=(w, h), menu=True))
app.start(hidden=True)
app.run_frames(1, dt=1 / 60)
print("menu", app.scene.name, flush=True)
app.scene.apply(G.OpenSandbox())
while app.scene.name != "sandbox":
    app.run_frames(1, dt=1 / 60)
    time.sleep(1 / 60)  # a display's frame rate
app.run_frames(1, dt=1 / 60)
print("sandbox", flush=True)
app.scene.apply(A.SetPlaying(True))
left = {"trained", "fast", "regions", "kernel"}
while left:
    t = time.perf_counter()
    app.run_frames(1, dt=1 / 60)
    s = app.state
    if "trained" in left and s.trainer is not None and s.trainer.steps > 0:
        left.discard("trained")
        print("trained", flush=True)
    if "fast" in left and s.trainer is not None and s.trainer.steps > 0:
        if not s.trainer.numpy_steps:
            left.discard("fast")
            print("fast", flush=True)
    if "regions" in left and s.geometry.regions > 0:
        left.discard("regions")
        print("regions", flush=True)
    if "kernel" in left and s.geometry.regions > 0 and not s.partition.twin:
        left.discard("kernel")
        print("kernel", flush=True)
    time.sleep(max(0.0, 1 / 60 - (time.perf_counter() - t)))
app.kernels.wait(REST, 600)
print("all", flush=True)
own = resource.getrusage(resource.RUSAGE_SELF)
kids = resource.getrusage(resource.RUSAGE_CHILDREN)
print("cpu", own.ru_utime + own.ru_stime, kids.ru_utime + kids.ru_stime, flush=True)
app.close()
"""


def launch(size: str, cache_dir: str) -> dict[str, float]:
    """One launch; wall seconds from Popen to each milestone line, and CPU seconds."""
    env = dict(os.environ, NUMBA_CACHE_DIR=cache_dir)
    # an installed app has its byte-code (pip compiles it at install): a shell that forbids
    # writing it would time compiling every module on every start instead
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", _CHILD, size],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    out: dict[str, float] = {}
    assert proc.stdout is not None
    for line in proc.stdout:
        parts = line.split()
        if not parts:
            continue
        if parts[0] == "cpu":
            out["cpu_app"], out["cpu_children"] = float(parts[1]), float(parts[2])
        elif parts[0] in ("menu", "sandbox", "trained", "fast", "regions", "kernel", "all"):
            out[parts[0]] = time.perf_counter() - t0
    err = proc.stderr.read() if proc.stderr else ""
    if proc.wait() != 0 or "sandbox" not in out:
        raise RuntimeError(f"the app did not start: {err[-2000:]}")
    return out


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m sandbox.bench startup")
    ap.add_argument("--size", default="1280x800", help="window size WxH")
    args = ap.parse_args(argv)
    headless_environment()
    print(
        "start-up: seconds from launch to the first menu frame, then (the sandbox clicked and "
        "Train pressed at once) to the sandbox's first frame, its first training step and its "
        "exact regions on screen"
    )
    with tempfile.TemporaryDirectory(prefix="numba-cache-") as cache:
        for label in ("cold (empty numba cache)", "warm (cache filled)"):
            r = launch(args.size, cache)
            print(
                f"{label:<26} menu {r['menu']:6.2f}   sandbox {r['sandbox']:6.2f}   "
                f"training {r['trained']:6.2f} (full speed {r['fast']:6.2f})   "
                f"regions {r['regions']:6.2f} (by the kernels {r['kernel']:6.2f})   "
                f"warm-up done {r['all']:6.2f}   CPU: app {r['cpu_app']:.1f} s, "
                f"warm-up processes {r['cpu_children']:.1f} s"
            )
    print(
        "targets: menu <= 3 s cold and <= 1 s warm; sandbox ready (training and regions) "
        "<= 10 s cold"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
