"""Bounded work per frame: while training, a frame rebuilds at most one expensive held value.

The Session's memo (sandbox.memo.Memo) holds values that are expensive to rebuild (the
Laplace fit, the 3D surface, the probes...) while training runs; once frames are counted
each frame rebuilds only one of those that are due, the others go first in the next frames.
"""

from __future__ import annotations

from sandbox import memo as M
from sandbox import session as S
from sandbox.memo import Memo


def _all_expensive(monkeypatch):
    monkeypatch.setattr(M, "EXPENSIVE_S", -1.0)  # every build counts as expensive
    monkeypatch.setattr(M, "BUILD_SHARE", 1e12)  # and is due again at once


def test_one_expensive_rebuild_per_frame_in_turn(monkeypatch):
    _all_expensive(monkeypatch)
    memo = Memo()
    built: list[tuple[int, str]] = []

    def ask(version: int) -> dict[str, int]:
        out = {}
        for name in ("laplace", "surface", "probe"):
            out[name] = memo.get(
                name, (version,), lambda n=name: built.append((memo.frame, n)) or version, 1e-9
            )
        return out

    ask(0)  # the first build of each: nothing to show instead, all three are made
    assert len(built) == 3
    built.clear()
    shown = []
    for version in range(1, 7):
        memo.new_frame()
        shown.append(ask(version))
    per_frame = [sum(1 for f, _ in built if f == frame) for frame in range(1, 7)]
    assert per_frame == [1] * 6
    # each value is rebuilt in turn: none waits more than two frames
    assert [n for _, n in built] == ["laplace", "surface", "probe"] * 2
    assert shown[-1] == {"laplace": 4, "surface": 5, "probe": 6}


def test_without_counted_frames_or_hold_everything_is_fresh(monkeypatch):
    _all_expensive(monkeypatch)
    memo = Memo()
    for version in range(3):
        assert memo.get("a", (version,), lambda v=version: v, 1e-9) == version
        assert memo.get("b", (version,), lambda v=version: v, 1e-9) == version
    memo.new_frame()
    for version in range(3, 6):
        memo.new_frame()
        assert memo.get("a", (version,), lambda v=version: v) == version  # no hold: fresh
        assert memo.get("b", (version,), lambda v=version: v) == version


def test_cheap_values_are_not_held(monkeypatch):
    session = S.Session()
    assert session.held_for("laplace", playing=True) == 0.0  # never built: nothing to hold
    session.memo._slots["laplace"] = M.Slot((0,), None, 0.0, M.EXPENSIVE_S * 2)
    assert session.held_for("laplace", playing=True) > 0.0
    assert session.held_for("laplace", playing=False) == 0.0
    session.memo._slots["laplace"] = M.Slot((0,), None, 0.0, M.EXPENSIVE_S / 2)
    assert session.held_for("laplace", playing=True) == 0.0
