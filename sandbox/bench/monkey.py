"""The monkey: seeded random but plausible input for the running app, and the soak command.

A `Monkey` turns a seed into a stream of gestures a person could make (pointer moves, clicks,
drags with each button, wheel steps, shortcut keys, Ctrl shortcuts that open dialogs, typing,
window resizes), each a list of pygame events. `MonkeyRun` feeds them to a real `App` through its
event loop, a few frames per gesture, and records every exception (with the seed, screen and
gesture index that replays it), every OpenGL error, resident memory and the slowest frames with
the phase that took the time. When a gesture ends the app (Esc in the menu), the screen opens
again. The test suite runs a few thousand events per screen; the soak command runs many more:

    python -m sandbox.bench monkey [--events 100000] [--seed 1] [--screens menu,sandbox,...]
                                   [--sizes any|usual] [--size WxH] [--in-frame]
                                   [--warm-up 100]

Screens: `menu`, `sandbox`, `views` (the sandbox with every view on), `level:ID` (e.g.
`level:07`), `levels` (all of them). Slow partitions are made on the geometry worker, as in
the app's own loop (`--in-frame`: in the frame, as the suite does). Every numba kernel is
compiled or loaded first (kernel_cache.warm_here). Before the count, a warm-up pass gives every
screen `--warm-up` events (other seeds), so that every feature the soak will use is loaded (the
3D and Laplace kernels alone add about 150 MB the first time); the memory goal compares the end
with the level after that pass, both read once the garbage is collected and the free pages
trimmed (sandbox.memory.settled_mb), and prints the raw figures and the peak beside them.
Prints figures; asserts nothing. Exit status 1 when an exception or a GL error was seen (in the
warm-up pass too), so a soak can gate a script.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from sandbox.bench import headless_environment
from sandbox.kernel_cache import warm_here
from sandbox.memory import resident_mb, settled_mb

ALL_VIEWS = ("field", "boundary", "regions", "creases", "laplace", "split", "3d", "probe",
             "inspector", "timeline")  # fmt: skip
# window sizes: "any" reaches the extremes (1 px, 8K); "usual" stays within what desks have
SIZE_RANGES = {
    "any": ((1, 1), (7680, 4320)),
    "usual": ((320, 240), (1920, 1080)),
    "suite": ((1, 1), (2560, 1600)),  # tiny ones included, large ones cheap enough for the suite
}
FRAMES_PER_GESTURE = (1, 3)


def _keys() -> tuple[list[int], list[int], list[int]]:
    import pygame

    plain = [getattr(pygame, f"K_{c}") for c in "abcdefghijklmnopqrstuvwxyz0123456789"]
    plain += [pygame.K_SPACE, pygame.K_ESCAPE, pygame.K_TAB, pygame.K_RETURN, pygame.K_BACKSPACE,
              pygame.K_LEFT, pygame.K_RIGHT, pygame.K_UP, pygame.K_DOWN, pygame.K_HOME,
              pygame.K_END, pygame.K_PLUS, pygame.K_MINUS, pygame.K_EQUALS, pygame.K_LEFTBRACKET,
              pygame.K_RIGHTBRACKET, pygame.K_COMMA, pygame.K_PERIOD, pygame.K_SLASH,
              pygame.K_KP_PLUS, pygame.K_KP_MINUS, pygame.K_DELETE]  # fmt: skip
    function = [pygame.K_F1, pygame.K_F5, pygame.K_F9, pygame.K_F12]
    ctrl = [pygame.K_s, pygame.K_o, pygame.K_e, pygame.K_i, pygame.K_z, pygame.K_y]
    return plain, function, ctrl


@dataclass
class Gesture:
    """One thing a person does: its name (for reports) and the events it produces."""

    kind: str
    events: list
    detail: str = ""


class Monkey:
    """A seeded stream of plausible gestures for a window of a given size."""

    WEIGHTS = {"move": 14, "click": 20, "drag": 12, "right_drag": 5, "middle_drag": 3,
               "wheel": 8, "key": 20, "function": 2, "ctrl": 3, "type": 6, "resize": 3,
               "hold": 4}  # fmt: skip

    def __init__(self, seed: int, sizes: str = "usual") -> None:
        self.seed = seed
        self.rng = np.random.default_rng(seed)
        self.size_range = SIZE_RANGES[sizes]
        self.plain, self.function, self.ctrl = _keys()
        kinds = list(self.WEIGHTS)
        weights = np.array([self.WEIGHTS[k] for k in kinds], float)
        self._kinds = kinds
        self._p = weights / weights.sum()

    # -------------------------------------------------------------- event makers
    @staticmethod
    def _ev(kind: int, **kw):
        import pygame

        return pygame.event.Event(kind, **kw)

    def _pos(self, window: tuple[int, int]) -> tuple[int, int]:
        w, h = window
        return int(self.rng.integers(0, max(1, w))), int(self.rng.integers(0, max(1, h)))

    def _key(self, k: int, mod: int = 0) -> list:
        import pygame

        uni = ""
        if mod == 0:
            name = pygame.key.name(k)
            uni = name if len(name) == 1 else (" " if k == pygame.K_SPACE else "")
        return [self._ev(pygame.KEYDOWN, key=k, mod=mod, unicode=uni, scancode=0),
                self._ev(pygame.KEYUP, key=k, mod=mod, unicode=uni, scancode=0)]  # fmt: skip

    def _button(self, down: bool, pos, button: int) -> object:
        import pygame

        kind = pygame.MOUSEBUTTONDOWN if down else pygame.MOUSEBUTTONUP
        return self._ev(kind, pos=pos, button=button, touch=False, window=None)

    def _motion(self, pos, rel, held) -> object:
        import pygame

        return self._ev(pygame.MOUSEMOTION, pos=pos, rel=rel, buttons=held, touch=False,
                        window=None)  # fmt: skip

    def _drag(self, window, button: int) -> list:
        a, b = self._pos(window), self._pos(window)
        held = (button == 1, button == 2, button == 3)
        out = [self._motion(a, (0, 0), (0, 0, 0)), self._button(True, a, button)]
        prev = a
        for t in np.linspace(0.0, 1.0, int(self.rng.integers(2, 8)))[1:]:
            p = (round(a[0] + t * (b[0] - a[0])), round(a[1] + t * (b[1] - a[1])))
            out.append(self._motion(p, (p[0] - prev[0], p[1] - prev[1]), held))
            prev = p
        out.append(self._button(False, b, button))
        return out

    # -------------------------------------------------------------- gestures
    def gesture(self, window: tuple[int, int]) -> Gesture:
        import pygame

        kind = self._kinds[int(self.rng.choice(len(self._kinds), p=self._p))]
        rng = self.rng
        if kind == "move":
            p = self._pos(window)
            return Gesture(kind, [self._motion(p, (1, 0), (0, 0, 0))], f"{p}")
        if kind == "click":
            p = self._pos(window)
            button = int(rng.choice([1, 1, 1, 3]))
            events = [self._motion(p, (0, 0), (0, 0, 0)), self._button(True, p, button),
                      self._button(False, p, button)]  # fmt: skip
            return Gesture(kind, events, f"{p} button {button}")
        if kind in ("drag", "right_drag", "middle_drag"):
            button = {"drag": 1, "middle_drag": 2, "right_drag": 3}[kind]
            return Gesture(kind, self._drag(window, button))
        if kind == "wheel":
            y = int(rng.choice([-3, -1, 1, 3]))
            p = self._pos(window)
            events = [self._motion(p, (0, 0), (0, 0, 0)),
                      self._ev(pygame.MOUSEWHEEL, x=0, y=y, precise_x=0.0, precise_y=float(y),
                               flipped=False, touch=False, which=0, window=None)]  # fmt: skip
            return Gesture(kind, events, f"{p} y={y}")
        if kind == "key":
            k = self.plain[int(rng.integers(len(self.plain)))]
            return Gesture(kind, self._key(k), pygame.key.name(k))
        if kind == "hold":
            # a held key: the repeats a person's keyboard sends
            k = self.plain[int(rng.integers(len(self.plain)))]
            events = []
            for _ in range(int(rng.integers(2, 6))):
                events.append(self._key(k)[0])
            events.append(self._key(k)[1])
            return Gesture(kind, events, pygame.key.name(k))
        if kind == "function":
            k = self.function[int(rng.integers(len(self.function)))]
            return Gesture(kind, self._key(k), pygame.key.name(k))
        if kind == "ctrl":
            k = self.ctrl[int(rng.integers(len(self.ctrl)))]
            return Gesture(kind, self._key(k, pygame.KMOD_CTRL), "ctrl+" + pygame.key.name(k))
        if kind == "type":
            text = "".join(rng.choice(list("abc xyz.-_0123456789/"), int(rng.integers(1, 9))))
            events = []
            for ch in text:
                events.append(self._ev(pygame.TEXTINPUT, text=ch, window=None))
            return Gesture(kind, events, repr(text))
        # resize
        (lo_w, lo_h), (hi_w, hi_h) = self.size_range
        if rng.random() < 0.15:
            w, h = int(rng.choice([lo_w, lo_w + 1, 100, 120, hi_w])), int(rng.choice([lo_h, 90]))
        else:
            w, h = int(rng.integers(lo_w, hi_w + 1)), int(rng.integers(lo_h, hi_h + 1))
        return Gesture(kind, [self._ev(pygame.VIDEORESIZE, w=w, h=h, size=(w, h))], f"{w}x{h}")

    def frames_after(self) -> int:
        lo, hi = FRAMES_PER_GESTURE
        return int(self.rng.integers(lo, hi + 1))


# ------------------------------------------------------------------ running it against the app
def gl_errors() -> list[int]:
    from sandbox.render.gl import GL

    errors = []
    for _ in range(16):
        code = GL.glGetError()
        if code == GL.GL_NO_ERROR:
            break
        errors.append(int(code))
    return errors


@dataclass
class Failure:
    screen: str
    seed: int
    gesture_index: int
    gesture: str
    error: str

    def replay(self) -> str:
        return (f"python -m sandbox.bench monkey --screens {self.screen} --seed {self.seed} "
                f"--events {self.gesture_index + 1} --count gestures")  # fmt: skip


@dataclass
class MonkeyReport:
    screen: str
    seed: int
    gestures: int = 0
    events: int = 0
    frames: int = 0
    seconds: float = 0.0
    failures: list[Failure] = field(default_factory=list)
    gl_errors: list[str] = field(default_factory=list)
    slow_frames: list[tuple[float, str, str]] = field(default_factory=list)  # (s, phase, gesture)
    rss_start: float = 0.0
    rss_warm: float = 0.0
    rss_end: float = 0.0
    rss_peak: float = 0.0
    restarts: int = 0

    def summary(self) -> str:
        rate = self.events / max(1e-9, self.seconds)
        slow = ", ".join(f"{s * 1e3:.0f} ms ({p}, after {g})" for s, p, g in self.slow_frames[:3])
        return (
            f"{self.screen:<10} seed {self.seed}: {self.events} events ({self.gestures} gestures, "
            f"{self.frames} frames) in {self.seconds:.1f} s = {rate:.0f} events/s; "
            f"exceptions {len(self.failures)}, GL errors {len(self.gl_errors)}, restarts "
            f"{self.restarts}; memory MiB start {self.rss_start:.0f}, warm {self.rss_warm:.0f}, "
            f"end {self.rss_end:.0f}, peak {self.rss_peak:.0f}; slowest: {slow or '-'}"
        )


def screen_config(screen: str, size: tuple[int, int], workdir: Path):
    """The AppConfig that opens `screen` (menu, sandbox, views, level:ID)."""
    from sandbox.config import AppConfig

    extra = {"progress_path": str(workdir / "progress.json")}
    common = dict(size=size, skip_loading=True, extra=extra)
    if screen == "menu":
        return AppConfig(menu=True, **common)
    if screen == "sandbox":
        return AppConfig(points=200, **common)
    if screen == "views":
        return AppConfig(points=200, views=ALL_VIEWS, play=True, **common)
    if screen.startswith("level:"):
        return AppConfig(level=screen.split(":", 1)[1], **common)
    raise ValueError(f"unknown screen {screen!r}; allowed: menu, sandbox, views, level:ID, levels")


def level_screens() -> list[str]:
    from sandbox.levels import level_files  # (chapters.toml is not a level)

    return [f"level:{p.stem}" for p in level_files()]


class MonkeyRun:
    """Feed one screen of the real app `count` events (or gestures) of a seeded monkey."""

    def __init__(self, screen: str, seed: int, size: tuple[int, int] = (1280, 800),
                 sizes: str = "usual", workdir: Path | None = None,
                 stop_at_first: bool = True, background: bool = False) -> None:  # fmt: skip
        self.screen = screen
        # as the app's own loop does: a partition slower than a frame's share is made on the
        # geometry worker (the suite keeps every partition in the frame, deterministic)
        self.background = background
        self.seed = seed
        self.size = size
        self.monkey = Monkey(seed, sizes)
        self.workdir = Path(workdir or tempfile.mkdtemp(prefix="origami-monkey-"))
        self.stop_at_first = stop_at_first
        self.app = None

    def _open(self) -> None:
        from sandbox.app import App

        if self.app is not None:
            try:
                self.app.close(keep_window=True)
            except Exception:
                pass
        # one window for every screen and restart of a soak: each new offscreen window kept
        # 4-8 MB (SDL's offscreen driver with Mesa), 29 screens 110-230 MB
        self.app = App(screen_config(self.screen, self.size, self.workdir))
        self.app.start(hidden=True, reuse_window=True)
        if self.background:
            self.app.use_loop_settings()

    def _slowest(self, report: MonkeyReport, seconds: float, gesture: Gesture) -> None:
        timings = dict(self.app.state.timings) if self.app is not None else {}
        phase = max(timings, key=timings.get) if timings else "?"
        report.slow_frames.append((seconds, phase, f"{gesture.kind} {gesture.detail}".strip()))
        report.slow_frames.sort(reverse=True)
        del report.slow_frames[5:]

    def run(self, count: int, unit: str = "events", warmup: int = 200,
            progress: Callable[[MonkeyReport], None] | None = None) -> MonkeyReport:  # fmt: skip
        import pygame

        report = MonkeyReport(self.screen, self.seed)
        report.rss_start = resident_mb()
        cwd = os.getcwd()
        os.chdir(self.workdir)  # files a gesture saves (F12, F9, Ctrl+S) land in the temp folder
        start = time.perf_counter()
        try:
            self._open()
            while (report.events if unit == "events" else report.gestures) < count:
                gesture = self.monkey.gesture(self.app.state.layout.window)
                index = report.gestures
                report.gestures += 1
                report.events += len(gesture.events)
                frames = self.monkey.frames_after()
                try:
                    for i in range(frames):
                        events = gesture.events if i == 0 else []
                        f0 = time.perf_counter()
                        self.app.frame(list(events) + pygame.event.get(), 1 / 30)
                        self._slowest(report, time.perf_counter() - f0, gesture)
                        report.frames += 1
                        for code in gl_errors():
                            report.gl_errors.append(
                                f"GL error 0x{code:04x} after gesture {index} ({gesture.kind})"
                            )
                        if self.app.state.quit:
                            report.restarts += 1
                            self._open()
                            break
                except Exception:
                    report.failures.append(Failure(self.screen, self.seed, index,
                                                   f"{gesture.kind} {gesture.detail}".strip(),
                                                   traceback.format_exc()))  # fmt: skip
                    if self.stop_at_first:
                        break
                    report.restarts += 1
                    self._open()
                if report.gestures == warmup:
                    report.rss_warm = resident_mb()
                rss = resident_mb()
                report.rss_peak = max(report.rss_peak, rss)
                if progress is not None and report.gestures % 1000 == 0:
                    report.seconds = time.perf_counter() - start
                    progress(report)
        finally:
            report.seconds = time.perf_counter() - start
            report.rss_end = resident_mb()
            if not report.rss_warm:
                report.rss_warm = report.rss_end
            os.chdir(cwd)
            if self.app is not None:
                try:
                    self.app.close(keep_window=True)
                except Exception:
                    pass
        return report


def screen_names(text: str) -> Iterator[str]:
    """The screens of a comma-separated list, `levels` standing for every level's."""
    for name in text.split(","):
        name = name.strip()
        if name == "levels":
            yield from level_screens()
        elif name:
            yield name


def main(argv: list[str]) -> int:
    headless_environment()
    parser = argparse.ArgumentParser(prog="python -m sandbox.bench monkey", description=__doc__)
    parser.add_argument("--events", type=int, default=100_000, help="events in all (default 1e5)")
    parser.add_argument("--count", choices=("events", "gestures"), default="events")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--screens", default="menu,sandbox,views,levels")
    parser.add_argument("--sizes", choices=tuple(SIZE_RANGES), default="usual")
    parser.add_argument("--size", default="1280x800")
    parser.add_argument("--keep-going", action="store_true", help="go on after an exception")
    parser.add_argument("--in-frame", action="store_true", help="partitions in the frame")
    parser.add_argument(
        "--warm-up", type=int, default=100, dest="warmup", help="events per screen first (0: none)"
    )
    args = parser.parse_args(argv)
    w, h = (int(v) for v in args.size.lower().split("x"))
    screens = list(screen_names(args.screens))
    per_screen = max(1, args.events // len(screens))
    seen_problem = False

    def one(screen: str, seed: int, count: int, progress) -> MonkeyReport:
        nonlocal seen_problem
        run = MonkeyRun(screen, seed, (w, h), args.sizes, background=not args.in_frame,
                        stop_at_first=not args.keep_going)  # fmt: skip
        report = run.run(count, args.count, progress=progress)
        for failure in report.failures:
            seen_problem = True
            print(f"  EXCEPTION at gesture {failure.gesture_index} ({failure.gesture}); replay: "
                  f"{failure.replay()}\n{failure.error}")  # fmt: skip
        for line in report.gl_errors[:5]:
            seen_problem = True
            print("  " + line)
        return report

    # every kernel compiled (or loaded from numba's cache) first: the soak measures the app,
    # not numba's compiler (a kernel first used by a gesture in a fresh checkout compiled in
    # that frame, 1-8 s; the app's own first start compiles behind its loading screen)
    t0 = time.perf_counter()
    warm_here()
    print(f"kernels compiled or loaded in {time.perf_counter() - t0:.1f} s", flush=True)
    warm = 0.0
    if args.warmup > 0:
        t0, events = time.perf_counter(), 0
        for i, screen in enumerate(screens):
            events += one(screen, args.seed + 10_000 + i, args.warmup, None).events
        warm = settled_mb()
        print(f"warm-up pass: {events} events over {len(screens)} screens in "
              f"{time.perf_counter() - t0:.0f} s; resident memory after it (collected and "
              f"trimmed): {warm:.0f} MiB", flush=True)  # fmt: skip
    totals = MonkeyReport("all", args.seed)
    for i, screen in enumerate(screens):
        report = one(
            screen, args.seed + i, per_screen, lambda r: print("  " + r.summary(), flush=True)
        )
        print(report.summary(), flush=True)
        print(f"  memory after it (collected and trimmed): {settled_mb():.0f} MiB", flush=True)
        totals.events += report.events
        totals.seconds += report.seconds
        totals.rss_peak = max(totals.rss_peak, report.rss_peak)
        totals.rss_warm = totals.rss_warm or report.rss_warm
        totals.rss_end = report.rss_end
    rate = totals.events / max(1e-9, totals.seconds)
    end = settled_mb()
    first = totals.rss_warm
    print(f"all screens: {totals.events} events in {totals.seconds:.0f} s = {rate:.0f} events/s; "
          f"resident memory MiB, raw: first screen's warm-up {first:.0f}, end "
          f"{totals.rss_end:.0f} ({totals.rss_end - first:+.0f}), peak {totals.rss_peak:.0f} "
          f"({totals.rss_peak - first:+.0f})")  # fmt: skip
    if warm:
        print(f"memory goal (collected and trimmed): after the warm-up pass {warm:.0f} MiB, at "
              f"the end {end:.0f} MiB ({end - warm:+.0f}; goal within 100); peak "
              f"{totals.rss_peak - warm:+.0f} over the warm-up level")  # fmt: skip
    import pygame

    pygame.display.quit()
    return 1 if seen_problem else 0
