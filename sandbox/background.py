"""The geometry worker: one thread that computes derived values away from the frame.

The exact partition of a big network takes longer than a frame. The Session hands such a job
to `Worker.submit` as a function of a snapshot of the weights (a copy of the network, so the
trainer can go on changing its own), and the frame goes on drawing the newest finished result.
The region kernels run with `nogil=True`, so while one runs here the frame's Python goes on on
the other core; the thread runs at a lower priority (WORKER_NICE), so the frame keeps the cores
it needs and the worker takes what is left.

One job per name waits at a time: a newer submit replaces the one not started yet (only the
newest weights matter), and a submit for the key already waiting or running does nothing.
`finished(name)` hands back the newest result once; `wait()` blocks until nothing is left to do
(tests, the render command). A job that raises hands back its exception, raised again on the
caller's thread when the result is taken. No pygame or OpenGL here.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# the worker thread's nice value above the app's (Linux). Measured on 2 cores with llvmpipe: a
# 4 x 64 network trains at 54 frames/s instead of 22 (its regions 0.3 s behind, not 0.2), and
# 8 x 64 with every view keeps its frames under 300 ms (was up to 560), its regions following
# training 8-14 s behind instead of 5-8 while the frames keep both cores busy
WORKER_NICE = 10


@dataclass(frozen=True)
class Done:
    """A finished job: the key it was made for, its value (or the error it raised), what it
    was computed from (`source`, the caller's snapshot) and how long it took."""

    key: tuple
    value: Any
    error: BaseException | None
    source: Any
    seconds: float


class Worker:
    """One background thread running the newest job of each name (module docstring)."""

    def __init__(self, name: str = "geometry") -> None:
        self._cond = threading.Condition()
        self._waiting: dict[str, tuple[tuple, Callable[[], Any], Any, int]] = {}
        self._running: tuple[str, tuple] | None = None
        self._done: dict[str, Done] = {}
        self._closed = False
        self._generation = 0  # results of jobs submitted before `drop_all` are dropped
        self.jobs_run = 0
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def submit(self, name: str, key: tuple, job: Callable[[], Any], source: Any = None) -> None:
        """Compute `job()` for `key` under `name`, replacing a waiting job of that name."""
        with self._cond:
            if self._closed:
                raise RuntimeError("the geometry worker was closed")
            waiting = self._waiting.get(name)
            if waiting is not None and waiting[0] == key:
                return
            if self._running == (name, key) and waiting is None:
                return
            self._waiting[name] = (key, job, source, self._generation)
            self._cond.notify_all()

    def discard(self, name: str) -> None:
        """Forget the waiting job of `name`, if any (one running goes on)."""
        with self._cond:
            self._waiting.pop(name, None)
            self._cond.notify_all()

    def busy(self, name: str | None = None) -> bool:
        """A job (of `name`, or any) is waiting or running."""
        with self._cond:
            if name is None:
                return bool(self._waiting) or self._running is not None
            return name in self._waiting or (self._running is not None and self._running[0] == name)

    def finished(self, name: str) -> Done | None:
        """The newest finished result of `name` not taken yet (None when there is none)."""
        with self._cond:
            return self._done.pop(name, None)

    def wait(self, timeout: float | None = None) -> bool:
        """Block until every job is done; False when `timeout` seconds passed first."""
        end = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            while self._waiting or self._running is not None:
                left = None if end is None else end - time.monotonic()
                if left is not None and left <= 0:
                    return False
                self._cond.wait(left)
        return True

    def drop_all(self) -> None:
        """Forget every waiting job and every result, the running job's included (a new
        screen: nothing computed for the old one may come back)."""
        with self._cond:
            self._generation += 1
            self._waiting.clear()
            self._done.clear()

    def close(self) -> None:
        """Drop waiting jobs and end the thread once the running one is done."""
        with self._cond:
            self._closed = True
            self._waiting.clear()
            self._cond.notify_all()
        if self._thread is not threading.current_thread():
            self._thread.join(timeout=30)

    def _run(self) -> None:
        _lower_priority(WORKER_NICE)
        while True:
            with self._cond:
                while not self._waiting and not self._closed:
                    self._cond.wait()
                if self._closed:
                    return
                name = next(iter(self._waiting))
                key, job, source, generation = self._waiting.pop(name)
                self._running = (name, key)
            t0 = time.perf_counter()
            value, error = None, None
            try:
                value = job()
            except Exception as exc:  # handed to the caller, raised on its thread
                error = exc
            seconds = time.perf_counter() - t0
            with self._cond:
                if generation == self._generation:
                    self._done[name] = Done(key, value, error, source, seconds)
                self._running = None
                self.jobs_run += 1
                self._cond.notify_all()


def _lower_priority(nice: int) -> None:
    """Make the calling thread yield the cores to the frame's: `nice` more than it had (Linux
    gives each thread its own nice value); elsewhere, or when not allowed, nothing."""
    if nice <= 0 or not hasattr(os, "setpriority"):
        return
    try:
        me = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, me, min(19, os.getpriority(os.PRIO_PROCESS, me) + nice))
    except OSError:
        pass
