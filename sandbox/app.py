"""The application: the window, the loop, the scenes and the UI surface; it wires every layer.

`App` opens the pygame window with an OpenGL 3.3 core context (sandbox.render), keeps one
pygame-gui manager whose elements are drawn to an offscreen transparent surface, and runs the
active scene frame by frame:

1. events: pygame-gui sees each event first; the scene turns it (and whether a widget used it)
   into actions, and applies them; it is the only writer of the state;
2. the scene advances: training within the frame budget, geometry when weights or view changed;
3. the scene draws the plane with GL; the parts of the UI surface that changed (a widget's
   picture, the HUD's marks: sandbox.ui.redraw) are drawn again and uploaded, and the UI
   texture is composited over the GL scene. A frame where nothing in the UI changed draws and
   uploads nothing.

`run(config)` is what the command line calls: the interactive loop, or, with a screenshot path,
one trained and rendered frame written to a PNG. Nothing opens the display at import time.
"""

from __future__ import annotations

import math
import sys
import time
from typing import Any

from sandbox import actions as A
from sandbox.config import AppConfig
from sandbox.state import AppState

MAX_DT = 0.1
FPS_CAP = 120
# Below this nothing useful fits (above it, small windows give the plane the room): the app
# shows a "make the window larger" card instead of the scene, keeps the scene laid out for its
# last usable size and gives it no input.
MIN_USABLE_WINDOW = (320, 240)
MIN_BARE_WINDOW = (16, 16)  # the plane alone (`render`, --hide-ui) draws down to this


def usable_window(size: tuple[int, int], least: tuple[int, int] = MIN_USABLE_WINDOW) -> bool:
    return size[0] >= least[0] and size[1] >= least[1]


class StartupError(RuntimeError):
    """The app cannot start (no OpenGL 3.3, a bad dataset name...); the message is for users."""


class App:
    """The window and loop. Create, `start()`, then `run_loop()` or drive `frame()` yourself."""

    def __init__(self, config: AppConfig | None = None) -> None:
        self.config = config or AppConfig()
        self.state = AppState()
        self.state.layout.window = tuple(self.config.size)  # type: ignore[assignment]
        self.window_size: tuple[int, int] = tuple(self.config.size)  # type: ignore[assignment]
        self.scene: Any = None
        self.manager: Any = None
        self.renderer: Any = None
        self.ui_surface: Any = None
        self.window: Any = None
        self.kernels: Any = None  # the KernelWarmer filling numba's cache (sandbox.kernel_cache)
        self.minimized = False
        self.sync_phases = False  # glFinish after each phase, so timings are real (benchmarks)
        self.frames = 0
        self._ui_dirty = True  # the next frame draws the whole UI surface
        self.ui_damage: Any = None  # sandbox.ui.redraw.UiDamage, made with the first manager
        self.ui_redraws = 0  # frames that drew (part of) the UI surface again
        self._ui_scale_built = None
        self._ui_theme_built = "default"
        self._managers: dict[tuple, Any] = {}  # UI managers by (scale, theme), newest last
        self._window_built: tuple[int, int] | None = None
        self._card_for: tuple[int, int] | None = None  # the size the too-small card was drawn for
        self._last = 0.0
        self._fps_time = 0.0
        self._fps_frames = 0
        from sandbox.memory import MemoryKeeper

        self.memory = MemoryKeeper()  # freed UI memory goes back to the system (sandbox.memory)

    # ------------------------------------------------------------------ start-up
    def start(self, hidden: bool = False, reuse_window: bool = False) -> None:
        """Open the window and GL context, build the UI manager and the first scene.

        `reuse_window`: an OpenGL window of the configured size left open by an app closed
        with `close(keep_window=True)` is used again (the monkey's soak opens dozens of apps in
        one process; with SDL's offscreen driver each new window kept 4-8 MB for good).
        Raises StartupError with a readable message when OpenGL 3.3 is not available or the
        configuration names something that does not exist.
        """
        import pygame

        from sandbox.render import GLContextError, create_window

        size = tuple(self.config.size)
        if reuse_window and _gl_window_of(size):
            self.window = pygame.display.get_surface()
        else:
            if pygame.display.get_init() and pygame.display.get_surface() is not None:
                # a window left by someone else (a test) keeps its drawable size: start afresh
                pygame.display.quit()
            try:
                self.window = create_window(size, hidden=hidden, vsync=not hidden)
            except GLContextError as exc:
                raise StartupError(str(exc)) from exc
        if self.config.fullscreen and not hidden:
            try:
                pygame.display.toggle_fullscreen()
            except pygame.error:
                pass
        size = pygame.display.get_window_size() if not hidden else size
        self.window_size = (int(size[0]), int(size[1]))
        # the scene is laid out for a usable size even when the window starts smaller
        least = self.least_window
        self.state.layout.window = (max(size[0], least[0]), max(size[1], least[1]))
        from sandbox.render import ShaderError
        from sandbox.render.renderer import Renderer

        try:
            self.renderer = Renderer(self.state.layout.window)
        except (ShaderError, GLContextError) as exc:
            raise StartupError(f"the OpenGL shaders could not be prepared: {exc}") from exc
        if self.config.screenshot:  # a file (--screenshot, render): no part waits a frame
            self.renderer.paints.per_frame = math.inf
        self._build_ui_surface()  # the UI manager is built by set_scene, at the scene's scale
        from sandbox.io.atomic import remove_stale_temps
        from sandbox.io.files import files_dir

        remove_stale_temps(files_dir())  # what a killed save left behind
        try:
            from sandbox.data import dataset_info
            from sandbox.scenes.menu import scene_factory

            dataset_info(self.config.dataset)
            # the menu, a level (--level) or the free sandbox
            first = scene_factory(self, self.config)
        except ValueError as exc:
            raise StartupError(str(exc)) from exc

        if self.config.skip_loading or self.config.screenshot:
            self.set_scene(first())
        else:
            # kernels compile in the background; the menu needs none and opens at once
            from sandbox.scenes.loading import kernel_warmer, open_when_ready

            kernel_warmer(self, menu_first=bool(self.config.menu))
            self.set_scene(first() if self.config.menu else open_when_ready(self, first))
        self._last = time.perf_counter()

    def _build_ui_surface(self) -> None:
        import pygame

        w, h = self.state.layout.window
        self.ui_surface = pygame.Surface((max(1, w), max(1, h)), pygame.SRCALPHA)
        self._window_built = (w, h)
        self._ui_dirty = True

    def _build_manager(self) -> None:
        import pygame
        import pygame_gui

        if not pygame.font.get_init():
            pygame.font.init()

        from sandbox.ui import gui_fixes
        from sandbox.ui.presenter import theme_for

        gui_fixes.install()  # before the first element asks its theme for its ids
        replacing = self.manager is not None  # (the first frees nothing)
        scale = self.state.scale
        theme = self.state.workshop.theme
        w, h = self.state.layout.window
        size = (max(1, w), max(1, h))
        # the last two managers are kept (presenter mode on and off): a theme's parsing and
        # fonts do not depend on the window, and were a third of presenter mode's frame
        kept = self._managers.pop((scale, theme), None)
        if kept is not None:
            kept.clear_and_reset()
            kept.set_window_resolution(size)
            self.manager = kept
        else:
            self.manager = pygame_gui.UIManager(
                size, theme_for(theme, scale), enable_live_theme_updates=False
            )
        self._managers[(scale, theme)] = self.manager
        while len(self._managers) > 2:
            self._managers.pop(next(iter(self._managers)))
        self._ui_scale_built = scale
        self._ui_theme_built = theme
        self._ui_dirty = True
        if replacing:
            self.memory.after_rebuild()

    def set_scene(self, scene: Any) -> None:
        replacing = self.scene is not None  # the first scene frees nothing: nothing to collect
        if replacing:
            self.scene.exit()
        self.scene = scene
        scene.enter()
        if self.manager is None or self._ui_outdated():
            self._build_manager()
        self.manager.clear_and_reset()
        scene.build_ui(self.manager)
        self._ui_dirty = True
        if replacing:
            self.memory.after_rebuild()

    # ------------------------------------------------------------------ the frame
    def _system_actions(self, event: Any) -> list[A.Action]:
        import pygame

        if event.type == pygame.QUIT:
            return [A.Quit()]
        if event.type in (pygame.VIDEORESIZE, pygame.WINDOWSIZECHANGED):
            w, h = (event.w, event.h) if event.type == pygame.VIDEORESIZE else (event.x, event.y)
            if w > 0 and h > 0:
                self.window_size = (int(w), int(h))
                if not self.too_small and self.window_size != self.state.layout.window:
                    return [A.Resize(int(w), int(h))]
        if event.type == pygame.WINDOWMINIMIZED:
            self.minimized = True
        elif event.type in (pygame.WINDOWRESTORED, pygame.WINDOWMAXIMIZED, pygame.WINDOWSHOWN):
            self.minimized = False
        return []

    def handle_events(self, events: list[Any]) -> None:

        from sandbox.ui.focus import process_ui_event, route_key

        for event in events:
            actions = self._system_actions(event)
            if self.too_small:
                # the card asks for a larger window; the scene's panels are not there to use
                for action in actions:
                    self.scene.apply(action)
                continue
            # a focused text box or dialog takes every key, even those pygame-gui leaves
            focused = route_key(self.manager, event)
            consumed = process_ui_event(self.manager, event) or focused
            actions += self.scene.translate(event, consumed)
            for action in actions:
                self.scene.apply(action)

    def frame(self, events: list[Any] | None = None, dt: float | None = None) -> None:
        """One frame: events, scene update, GL drawing, UI compositing, screenshot, flip."""
        import pygame

        now = time.perf_counter()
        if dt is None:
            dt = min(MAX_DT, max(0.0, now - self._last))
        self._last = now
        if events is None:
            events = pygame.event.get()
        state = self.state
        state.time += dt
        t0 = time.perf_counter()
        self.handle_events(events)
        # a scale or theme change made by the events gets its UI manager before the panels
        # rebuild themselves in update (else they are laid out once with the old fonts)
        self._follow_window()
        self.scene.update(dt)
        if self.scene.next_scene is not None:
            self.set_scene(self.scene.next_scene)
            self.scene.update(0.0)
        self._follow_window()
        t1 = time.perf_counter()
        if self.minimized:
            time.sleep(0.05)
            return
        if self.too_small:
            self._draw_too_small()
            self.renderer.flush()
            pygame.display.flip()
            self.frames += 1
            return
        self.renderer.begin_frame()
        self.scene.draw()
        if self.sync_phases:
            self._finish()
        t2 = time.perf_counter()
        self.manager.update(dt)
        self._composite_ui()
        if self.sync_phases:
            self._finish()
        t3 = time.perf_counter()
        if state.screenshot_request:
            self._save_screenshot(state.screenshot_request)
        self.renderer.flush()  # before the flip: see Renderer.flush
        pygame.display.flip()
        if self.kernels is not None and self.frames == 0:
            self.kernels.first_frame_shown()  # the warm-up may load kernels in this process now
        t4 = time.perf_counter()
        state.timings.update(
            {"frame_logic": t1 - t0, "render": t2 - t1, "ui": t3 - t2, "flip": t4 - t3}
        )
        self.frames += 1
        self.memory.tick(t4 - t0)  # (a trim waits for a frame that was not slow itself)
        self.renderer.paints.frame_done(t4 - t0)  # (a long one: the next paints less)
        self._fps_frames += 1
        if now - self._fps_time >= 1.0:
            state.fps = self._fps_frames / max(1e-9, now - self._fps_time)
            self._fps_time = now
            self._fps_frames = 0

    def _finish(self) -> None:
        self.renderer.finish()

    @property
    def too_small(self) -> bool:
        """The window is below the smallest size the panels fit in."""
        return not usable_window(self.window_size, self.least_window)

    @property
    def least_window(self) -> tuple[int, int]:
        return MIN_BARE_WINDOW if self.config.hide_ui else MIN_USABLE_WINDOW

    def _draw_too_small(self) -> None:
        """The whole window: a card saying how large it must be, instead of the scene."""
        import pygame

        from sandbox.render import palette
        from sandbox.ui.theme import font_file

        w, h = self.window_size
        self._ui_dirty = True  # the panels come back in full when the window does
        self._window_built = None
        self.renderer.resize(self.window_size)
        self.renderer.begin_frame()
        if self._card_for == self.window_size:
            self.renderer.draw_overlay()
            return
        self._card_for = self.window_size
        surface = pygame.Surface((w, h), pygame.SRCALPHA)
        surface.fill((*(int(255 * c) for c in palette.BACKGROUND[:3]), 255))
        need = f"{self.least_window[0]} x {self.least_window[1]}"
        lines = ["Make the window larger", f"(at least {need}; now {w} x {h})"]
        if not pygame.font.get_init():
            pygame.font.init()
        size = max(6, min(28, h // 5))
        while True:  # the largest type at which both lines fit the width
            fonts = [pygame.font.Font(font_file(bold), size) for bold in (True, False)]
            widest = max(f.size(line)[0] for f, line in zip(fonts, lines, strict=True))
            if widest <= 0.92 * w or size <= 6:
                break
            size -= 1
        y = max(0, h // 2 - size)
        for f, line in zip(fonts, lines, strict=True):
            text = f.render(line, True, (40, 40, 48))
            surface.blit(text, (max(0, (w - text.get_width()) // 2), y))
            y += int(size * 1.4)
        self.renderer.overlay.upload(surface)
        self.renderer.draw_overlay()

    def _follow_window(self) -> None:
        """Rebuild the UI surface and manager after a resize or a UI scale change."""
        state = self.state
        if self.too_small:
            return
        self._card_for = None
        window = state.layout.window
        if window != self._window_built:
            self.renderer.resize(window)
            self._build_ui_surface()
            self.memory.after_rebuild()
            if self._ui_scale_built == state.scale:
                self.manager.set_window_resolution(window)
        if self._ui_outdated():
            self._build_manager()
            self.scene.build_ui(self.manager)

    def _ui_outdated(self) -> bool:
        """The UI manager was built for another scale or theme (presenter mode switches both)."""
        state = self.state
        return self._ui_scale_built != state.scale or self._ui_theme_built != state.workshop.theme

    def set_fullscreen(self, on: bool) -> bool:
        """Put the window in (or out of) full screen; returns whether it was full screen before.

        Offscreen and dummy video drivers have no screen, so nothing changes there.
        """
        import pygame

        try:
            was = bool(pygame.display.is_fullscreen())
        except pygame.error:
            return False
        if was != on and pygame.display.get_driver() not in ("offscreen", "dummy"):
            try:
                pygame.display.toggle_fullscreen()
            except pygame.error:
                pass
        return was

    def _composite_ui(self) -> None:
        """Draw again the parts of the UI surface that changed, upload them, composite."""
        from sandbox.ui.redraw import UiDamage

        if self.ui_damage is None:
            self.ui_damage = UiDamage()
        if self._ui_dirty:
            self.ui_damage.everything()
            self._ui_dirty = False
        surface = self.ui_surface
        rects = self.ui_damage.collect(
            self.manager, self.scene.hud_key(), surface.get_size(), self.scene.pointer_marks()
        )
        if rects:
            self.ui_redraws += 1
            for rect in rects:
                # everything drawn is clipped to the rectangle, so the rest keeps its pixels
                surface.set_clip(rect)
                surface.fill((0, 0, 0, 0), rect)
                # captions on the views go under the panels, cards drawn by the scene over
                self.scene.draw_underlay(surface)
                self.manager.draw_ui(surface)
                self.scene.draw_overlay(surface)
            surface.set_clip(None)
            full = rects == [(0, 0, *surface.get_size())]
            self.renderer.overlay.upload(surface, None if full else rects)
        self.renderer.draw_overlay()

    def _save_screenshot(self, path: str) -> None:
        from pathlib import Path

        try:
            Path(path).parent.mkdir(parents=True, exist_ok=True)  # the files folder, at first
            self.write_png(path)
            action = A.ScreenshotSaved(path, f"Saved a screenshot: {path}", ok=True)
        except (OSError, ValueError) as exc:
            action = A.ScreenshotSaved(path, f"Could not save the screenshot {path}: {exc}", False)
        self.scene.apply(action)

    def write_png(self, path: str) -> None:
        """Save what the window shows now (after the overlay) as a PNG."""
        from sandbox.render.target import save_png

        save_png(path, self.renderer.read_pixels())

    # ------------------------------------------------------------------ loops
    def use_loop_settings(self) -> None:
        """What the app's own loop runs with, and benchmarks that drive `frame` as it does: a
        slow partition computed beside the frames, never inside one, the collector's full
        passes kept to the memory keeper's (sandbox.memory), and a frame after a long one kept
        short (sandbox.render.held_layer.FramePaints). Tests drive `frame` without them: every
        partition in its frame, every paint in its turn whatever the frames took,
        deterministic, and no object frozen."""
        from sandbox.render.held_layer import REST_AFTER_S
        from sandbox.session import BACKGROUND_ABOVE_S

        self.state.session.background_above = BACKGROUND_ABOVE_S
        self.memory.freezing = True
        if self.renderer is not None:
            self.renderer.paints.rest_after = REST_AFTER_S

    def run_loop(self) -> int:
        """Frames until the user quits (or `config.frames` have run). A frame that raises does
        not end the loop: sandbox.frame_guard saves the work, logs the traceback to the files
        folder and shows one line; only a long run of failing frames stops it (status 1)."""
        import pygame

        from sandbox.frame_guard import FrameGuard

        self.use_loop_settings()
        clock = pygame.time.Clock()
        limit = self.config.frames
        self.guard = guard = FrameGuard()
        while not self.state.quit:
            try:
                self.frame()
                guard.succeeded()
            except Exception as exc:
                guard.failed(self, exc)
                if guard.given_up:
                    print(guard.give_up(), file=sys.stderr)
                    return 1
            clock.tick(FPS_CAP)
            if limit is not None and self.frames >= limit:
                break
        return 0

    def run_frames(self, n: int, script: dict[int, list[Any]] | None = None, dt: float = 1 / 30):
        """Run n frames with a fixed dt; script maps frame index -> pygame events to inject.

        Events from pygame's own queue (pygame-gui posts its widget events there) are handled
        too, after the injected ones.
        """
        import pygame

        for i in range(n):
            events = list((script or {}).get(i, []))
            events += pygame.event.get()
            self.frame(events, dt)
            if self.state.quit:
                break

    def close(self, keep_window: bool = False) -> None:
        """End the app: its scene, worker and warm-up processes, and the window unless
        `keep_window` (then its GL objects are deleted and the window waits for the next
        app's `start(reuse_window=True)`)."""
        import pygame

        if self.scene is not None:
            self.scene.exit()
            self.scene = None
        session = self.state._session  # noqa: SLF001 - made on first use; none to close then
        if session is not None and session.worker is not None:
            session.worker.close()
            session.worker = None
        if self.kernels is not None:
            self.kernels.stop()  # the warm-up's child processes end with the app
            self.kernels = None
        from pygame_gui.core.utility import get_default_manager, set_default_manager

        for manager in self._managers.values():
            manager.clear_and_reset()
            if get_default_manager() is manager:  # pygame-gui keeps the first manager made
                set_default_manager(None)
        self._managers.clear()
        self.manager = None
        self.memory.release()  # what it froze is the collector's again, the closed scene too
        if pygame.display.get_init():
            # pygame-gui's queued events hold the elements they name, and through them the
            # closed panels (40-50 MB in the soak) until someone reads the queue; read, not
            # cleared: pygame-ce 2.5's event.clear() never lets go of a posted event's dict
            pygame.event.get()
        if keep_window and pygame.display.get_init() and self.renderer is not None:
            self.renderer.delete()
            self.renderer = None
            return
        pygame.display.quit()


def _gl_window_of(size: tuple[int, ...]) -> bool:
    """An OpenGL window of this size is open (and its context current)."""
    import pygame

    if not pygame.display.get_init():
        return False
    surface = pygame.display.get_surface()
    if surface is None or not surface.get_flags() & pygame.OPENGL:
        return False
    return tuple(pygame.display.get_window_size()) == tuple(int(v) for v in size)


def run(config: AppConfig) -> int:
    """Run the app as the command line asked; returns the process exit status."""
    app = App(config)
    try:
        app.start(hidden=bool(config.screenshot))
        if config.screenshot:
            app.run_frames(2, dt=0.0)
            try:
                app.write_png(config.screenshot)
            except OSError as exc:
                raise StartupError(f"cannot write {config.screenshot}: {exc}") from exc
            print(f"wrote {config.screenshot}")
            return 0
        return app.run_loop()
    finally:
        try:
            app.close()
        except Exception:
            pass
