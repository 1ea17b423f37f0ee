"""The process's memory: its resident size, and handing memory freed by the app back to the system.

Rebuilding the UI (presenter mode, a resize, a scene switch) frees tens of megabytes at once:
pygame-gui's panels, their fonts and surfaces, the UI overlay. The Python heap and the object
count stay flat, but glibc's allocator keeps those freed pages mapped (in the middle of its heaps,
where it never trims them by itself), so the resident size climbed by 190 MB within ten
presenter-mode toggles and by hundreds of megabytes over a monkey run, and never came back.
Much of it is garbage only the cyclic collector frees (pygame-gui's elements refer to each
other), so after a rebuild the keeper runs `gc.collect()` first. `malloc_trim(0)` returns the
pages; with the collection it costs 20-250 ms (the collection walks every Python object), so
`MemoryKeeper` asks for it only after a rebuild (`after_rebuild`) or when the resident size has
grown by `TRIM_GROWTH_MB` since the last trim, checking at most once a second and trimming at
most every `TRIM_MIN_INTERVAL_S` (every `REBUILD_MIN_INTERVAL_S` after rebuilds, so dragging the
window's edge does not trim each frame). A trim after a rebuild waits until `QUIET_S` have passed
without another: in the rebuild's own frame it made a slow frame (a resize, 300 ms of panels)
slower still, by 150-250 ms under load. Nor does a due trim join any other slow frame: `tick` is
given the frame's own time, and a trim waits for a frame no slower than the usual
(`QUIET_FRAME_FACTOR` times a running average, so a machine whose every frame is slow still
trims). In a soak a menu's panels rebuilt by a click (no app rebuild) took the trim's collection
and trim, 93 ms, into a frame of 324 ms.

The collector's full passes are the keeper's too, where the app's own loop runs (`freezing`,
set by `App.use_loop_settings`). Python's automatic full collection walks every tracked object,
160,000 of them in the sandbox (modules, numba, pygame-gui): 74 ms, at a moment no one chose (a
frame of the UI maximum, in the middle of comparing two floats). So the keeper freezes the
objects alive at the end of the first frame (`gc.freeze`: the automatic passes then walk only
what came since, about 2,000) and, at each of its own collections after a rebuild, unfreezes,
collects everything and freezes again. A frozen object that becomes garbage in a cycle waits
for the next such collection (closing the app hands the frozen objects back to the collector);
one that does not is freed at once, as always. `collect` is a full collection, the frozen
objects included.

Elsewhere than Linux with glibc, `resident_mb` answers 0 and trimming does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import os
import time

PAGE_BYTES = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
TRIM_GROWTH_MB = 48.0  # trim when the resident size grew this much since the last trim
TRIM_MIN_INTERVAL_S = 10.0  # ...but not more often than this (a real leak must not cost frames)
REBUILD_MIN_INTERVAL_S = 2.0  # a rebuild's trim waits this long after the last (window drags)
QUIET_S = 0.3  # ...and until this long has passed since the last rebuild (not in its frame)
CHECK_INTERVAL_S = 1.0
QUIET_FRAME_FACTOR = 1.5  # a due trim waits for a frame at most this much slower than usual
QUIET_FRAME_SLACK_S = 0.005  # ...plus this (a few ms of jitter are no slow frame)


def resident_mb() -> float:
    """Resident memory of this process in MiB (Linux /proc; 0 elsewhere)."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * PAGE_BYTES / 2**20
    except (OSError, ValueError, IndexError):
        return 0.0


def _load_trim():
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        trim = libc.malloc_trim
    except (OSError, AttributeError):
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim


_TRIM = _load_trim()


def trim() -> bool:
    """Give the allocator's free pages back to the system; False where there is no malloc_trim."""
    if _TRIM is None:
        return False
    _TRIM(0)
    return True


def collect() -> None:
    """A full collection of every object, the frozen ones included (they stay frozen)."""
    frozen = gc.get_freeze_count() > 0
    if frozen:
        gc.unfreeze()
    gc.collect()
    if frozen:
        gc.freeze()


def object_count() -> int:
    """Python objects the collector tracks, the frozen ones included."""
    return len(gc.get_objects()) + gc.get_freeze_count()


def settled_mb() -> float:
    """Resident MiB once the garbage is collected and the free pages handed back: what the
    process holds, not what the allocator kept after a rebuild (the soak compares these)."""
    collect()
    trim()
    return resident_mb()


class MemoryKeeper:
    """Called once a frame (`tick`); trims after rebuilds and when the resident size grew;
    with `freezing`, keeps the collector's full passes to its own (module docstring)."""

    def __init__(self, clock=time.perf_counter) -> None:
        self.clock = clock
        self.trims = 0
        self.freezing = False  # the app's own loop sets it (App.use_loop_settings)
        self.froze = False  # this keeper froze the objects alive (released by `release`)
        self._pending = False
        self._rebuilt: float | None = -1e9
        self._checked = -1e9
        self._trimmed = -1e9
        self._baseline = resident_mb()
        self._usual: float | None = None  # running average of a frame's own time (seconds)

    def after_rebuild(self) -> None:
        """Much was just freed (UI or scene torn down): trim at a quiet tick soon."""
        self._pending = True
        self._rebuilt = None  # the quiet time starts when the rebuild's frame ends (tick)

    def tick(self, frame_s: float | None = None) -> bool:
        """Trim if due; True when it did. `frame_s`, the time the frame just ended took: a trim
        due in a slow frame waits for a usual one."""
        if self.freezing and not self.froze:
            gc.freeze()  # the end of the first frame: what start-up made lives on
            self.froze = True
        now = self.clock()
        usual = self._usual
        slow = False
        if frame_s is not None:
            slow = usual is not None and frame_s > QUIET_FRAME_FACTOR * usual + QUIET_FRAME_SLACK_S
            self._usual = frame_s if usual is None else 0.9 * usual + 0.1 * frame_s
        if self._pending and self._rebuilt is None:
            self._rebuilt = now  # the end of a rebuild's frame (a second long under load)
            return False
        if self._pending:
            if now - self._trimmed < REBUILD_MIN_INTERVAL_S or now - self._rebuilt < QUIET_S:
                return False
            if slow:
                return False
        else:
            if now - self._checked < CHECK_INTERVAL_S:
                return False
            self._checked = now
            grown = resident_mb() - self._baseline
            if grown < TRIM_GROWTH_MB or now - self._trimmed < TRIM_MIN_INTERVAL_S:
                return False
            if slow:
                self._checked = now - CHECK_INTERVAL_S  # due: look again next frame
                return False
        if self._pending:
            # pygame-gui's elements hold each other in cycles: freed only by the collector
            collect()  # (the frozen objects included, frozen again after)
        self._pending = False
        self._trimmed = now
        if trim():
            self.trims += 1
        self._baseline = resident_mb()
        return True

    def release(self) -> None:
        """Hand the objects this keeper froze back to the collector (the app closes)."""
        if self.froze:
            gc.unfreeze()
            self.froze = False
