"""The memo behind `Session.derive`: one slot per name, keyed on versions and arguments.

`Memo.get(name, key, compute, hold)` returns the stored value while its key matches
(`same_key`: numbers, strings and tuples by value, anything else by identity), else computes
and stores it. With `hold` (training runs) a changed value is rebuilt at most that often and
never for more than BUILD_SHARE of the time; the last one is returned in between. Once frames
are counted (`new_frame`), a frame rebuilds at most one held value that is expensive (its last
build took over EXPENSIVE_S): the others that are due keep theirs and go first in the next
frames, in turn, so no frame pays for the Laplace fit, the 3D surface and the probes at once,
and none of them waits for ever.

No pygame or OpenGL here.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, NamedTuple, TypeVar

import numpy as np

T = TypeVar("T")
BUILD_SHARE = 0.3  # a held value may take this share of the time to rebuild
EXPENSIVE_S = 0.04  # a value that took longer than this to build is held while training
HOLD_BY_COST = 1e-3  # the hold for those: the wait follows their cost (BUILD_SHARE)


def same_key(a: tuple, b: tuple | None) -> bool:
    """Keys match: numbers, strings and tuples by value, anything else (a partition, a fitted
    posterior) by identity, so no array is ever compared element by element."""
    if b is None or len(a) != len(b):
        return False
    for x, y in zip(a, b, strict=True):
        if isinstance(x, tuple) and isinstance(y, tuple):
            if not same_key(x, y):
                return False
        elif isinstance(x, int | float | str | bool | type(None) | np.generic):
            if type(x) is not type(y) or x != y:
                return False
        elif x is not y:
            return False
    return True


class Slot(NamedTuple):
    key: tuple
    value: Any
    built: float  # time.perf_counter() when it was stored
    cost: float  # seconds it took to compute
    source: Any = None  # what it was computed from (a Snapshot), when not the live objects


class Memo:
    """One slot per name. See the module docstring."""

    def __init__(self) -> None:
        self._slots: dict[str, Slot] = {}
        self.frame = 0  # 0: frames are not counted (scripts, tests of the core): no budget
        self._spent = -1  # the frame that rebuilt an expensive held value
        self._turn: list[str] = []  # held values that waited last frame, first come first
        self._waiting: list[str] = []

    def new_frame(self) -> None:
        self.frame += 1
        # those whose turn it was and who still wait keep their place, then the newly waiting
        first = [n for n in self._turn if n in self._waiting]
        self._turn = first + [n for n in self._waiting if n not in first]
        self._waiting = []

    def _must_wait(self, name: str) -> bool:
        if self.frame == 0:
            return False
        if self._spent == self.frame or (self._turn and self._turn[0] != name):
            if name not in self._waiting:
                self._waiting.append(name)
            return True
        return False

    def get(self, name: str, key: tuple, compute: Callable[[], T], hold: float = 0.0) -> T:
        slot = self._slots.get(name)
        if slot is not None and same_key(key, slot[0]):
            return slot[1]
        now = time.perf_counter()
        expensive = False
        if slot is not None and hold > 0.0:
            wait = max(hold, slot[3] / BUILD_SHARE)
            if now - slot[2] < wait:
                return slot[1]
            expensive = slot[3] > EXPENSIVE_S
            if expensive and self._must_wait(name):
                return slot[1]
        value = compute()
        done = time.perf_counter()
        self._slots[name] = Slot(key, value, done, done - now)
        if expensive:
            self._spent = self.frame
            if name in self._turn:
                self._turn.remove(name)
        return value

    def current(self, name: str, key: tuple) -> Any:
        """The value stored under `name` when it was made for `key`, else None."""
        slot = self._slots.get(name)
        return slot[1] if slot is not None and same_key(key, slot[0]) else None

    def put(self, name: str, key: tuple, value: Any, cost: float = 0.0, source: Any = None) -> None:
        self._slots[name] = Slot(key, value, time.perf_counter(), cost, source)

    def cost(self, name: str) -> float:
        """Seconds the value under `name` took to build (0 when there is none)."""
        slot = self._slots.get(name)
        return slot[3] if slot is not None else 0.0

    def key_of(self, name: str) -> tuple | None:
        slot = self._slots.get(name)
        return slot[0] if slot is not None else None

    def slot(self, name: str) -> Slot | None:
        """The slot of `name` whatever its key (the newest value stored), or None."""
        return self._slots.get(name)

    def forget(self, name: str) -> None:
        self._slots.pop(name, None)
