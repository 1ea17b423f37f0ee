"""The figures the benchmarks print are computed as their docstrings say (the benchmarks
themselves assert nothing: their figures go in the notes)."""

from __future__ import annotations

import numpy as np

from sandbox.bench.maximum import input_waits


def test_an_input_waits_for_the_rest_of_its_frame_then_the_next_from_the_first_picture_on():
    # the first frame (start-up, before anything can be clicked) is not waited on
    waits = input_waits(np.array([0.5] + [0.01] * 1000))
    assert waits.max() <= 0.02 + 1e-12
    assert waits.min() >= 0.01 - 1e-12
    # one slow frame later on: arrivals during it wait for its rest, then one 10 ms frame;
    # the arrivals during the frame before it wait for the slow frame whole
    d = np.array([0.01] * 500 + [0.3] + [0.01] * 500)
    waits = input_waits(d, samples=100_000)
    assert abs(waits.max() - 0.31) < 1e-3
    span = d.sum() - d[0] - d[-1]
    slow = (waits > 0.1).mean() * span
    assert abs(slow - (0.3 - 0.09 + 0.01)) < 2e-3  # 0.21 s of the slow frame + the frame before


def test_the_waits_once_the_scene_is_open_leave_out_the_arrivals_before():
    # slow opening frames (the views' first pictures), then 10 ms frames from 0.6 s on
    d = np.array([0.1, 0.2, 0.3] + [0.01] * 200)
    assert input_waits(d).max() > 0.29  # an arrival in the second frame waits for the third
    assert input_waits(d, after=0.6).max() <= 0.02 + 1e-12


def test_the_soak_compiles_every_kernel_before_its_first_screen(monkeypatch, capsys):
    # a kernel first used by a gesture compiled in that frame (7.9 s in a fresh checkout):
    # the soak warms them all first and says how long that took
    from sandbox.bench import monkey

    calls = []
    monkeypatch.setattr(monkey, "headless_environment", lambda: None)
    monkeypatch.setattr(monkey, "warm_here", lambda: calls.append("warm"))

    class Run:
        def __init__(self, screen, seed, *args, **kwargs):
            self.screen, self.seed = screen, seed

        def run(self, count, unit, progress=None):
            calls.append(self.screen)
            return monkey.MonkeyReport(self.screen, self.seed, events=count, seconds=1.0)

    monkeypatch.setattr(monkey, "MonkeyRun", Run)
    monkeypatch.setattr(monkey, "settled_mb", lambda: 100.0)
    assert monkey.main(["--events", "4", "--screens", "menu,sandbox", "--warm-up", "0"]) == 0
    assert calls == ["warm", "menu", "sandbox"]
    assert "kernels compiled or loaded in" in capsys.readouterr().out
