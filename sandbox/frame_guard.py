"""When a frame raises: the user's work is saved first, the traceback logged, one line shown.

`App.run_loop` hands every exception a frame raises to `FrameGuard.failed`, then goes on with
the next frame. In this order:

1. the work is saved: a sandbox or level screen's points, network and settings are written to
   `autosave.origami` in the files folder (sandbox.io.files), atomically, as a scene file that
   Ctrl+O opens. Once per run of failing frames (a bug hit on every frame writes it once);
2. the traceback is appended to the app's log in the same folder (`neural-origami.log`); a
   traceback seen before in the same run of failures is counted, not written again;
3. training stops and the screen shows one line: what went wrong, where the work is, where the
   details are.

Nothing here raises: a failure while saving or logging becomes part of the message. After
`MAX_FAILED_FRAMES` failing frames in a row `give_up` says where the work is, for the loop to
stop with.
"""

from __future__ import annotations

import sys
import traceback
from pathlib import Path
from typing import Any

MAX_FAILED_FRAMES = 300  # in a row (10 s at 30 fps); a good frame starts the count again


class FrameGuard:
    """Counts failing frames; saves, logs and tells the user about each run of them."""

    def __init__(self) -> None:
        self.failures = 0  # frames in a row that raised
        self.saved: Path | None = None  # where the work went in this run of failures
        self.log: Path | None = None
        self.save_error: str | None = None
        self._seen: set[str] = set()

    def succeeded(self) -> None:
        if self.failures:
            self.failures = 0
            self._seen.clear()

    @property
    def given_up(self) -> bool:
        return self.failures >= MAX_FAILED_FRAMES

    def failed(self, app: Any, exc: BaseException) -> str:
        """Save, log and tell; returns the line shown to the user."""
        self.failures += 1
        first = self.failures == 1
        if first:
            self.saved, self.save_error = save_work(app)
        self._log(exc)
        line = self.message(exc)
        if first:
            tell(app, line)
        return line

    def message(self, exc: BaseException) -> str:
        what = f"{type(exc).__name__}: {exc}".strip().rstrip(":")
        what = what.splitlines()[0] if what else type(exc).__name__
        if len(what) > 120:
            what = what[:117] + "..."
        if self.saved is not None:
            work = f"your work is saved in {self.saved}"
        elif self.save_error:
            work = f"your work could not be saved ({self.save_error})"
        else:
            work = "there was no work to save"
        details = f"; details in {self.log}" if self.log is not None else ""
        paused = " Training is paused." if self.saved or self.save_error else ""
        return f"Something went wrong ({what}); {work}{details}.{paused}"

    def give_up(self) -> str:
        """What to print when the loop stops after too many failing frames."""
        where = f"Your work is saved in {self.saved}. " if self.saved else ""
        log = f"Details in {self.log}." if self.log else ""
        return f"Neural Origami stopped: {self.failures} frames in a row failed. {where}{log}"

    def _log(self, exc: BaseException) -> None:
        from sandbox.io import files

        text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        if text in self._seen:
            return
        self._seen.add(text)
        print(text, file=sys.stderr, end="")
        try:
            entry = f"a frame failed (failure {self.failures} in a row)\n{text}"
            self.log = files.append_log(entry)
        except OSError as err:
            print(f"(the log could not be written: {err})", file=sys.stderr)
            self.log = None


def save_work(app: Any) -> tuple[Path | None, str | None]:
    """Write the screen's work to the autosave file: (its path, None), (None, why not), or
    (None, None) when the screen holds no work (the menu, the loading screen)."""
    from sandbox.io import files

    workshop = getattr(app.scene, "workshop", None)
    if workshop is None:
        return None, None
    try:
        from sandbox.io.scene import save_scene
        from sandbox.scenes.workshop import scene_data_from_state

        path = files.ensure() / files.AUTOSAVE_NAME
        save_scene(path, scene_data_from_state(app.state, workshop.level_id()))
    except Exception as exc:  # the state itself may be what broke
        return None, f"{type(exc).__name__}: {exc}"
    return path, None


def tell(app: Any, line: str) -> None:
    """Pause training and show `line` on the screen (as an error message); never raises."""
    from sandbox import actions as A

    scene = getattr(app, "scene", None)
    try:
        if hasattr(scene, "workshop"):
            scene.apply(A.SetPlaying(False))
    except Exception:
        try:
            app.state.playing = False
        except Exception:
            pass
    try:
        say = getattr(scene, "say", None)
        if say is not None:
            say(line, "error")
    except Exception:
        pass
