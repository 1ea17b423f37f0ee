"""Memory does not grow with what the user repeats: presenter mode, menu <-> sandbox trips.

Counts, not timings or megabytes: after a warm-up, repeating a cycle must not leave Python
objects or pygame-gui elements behind (a rebuild that kept the old panels alive would add
thousands per cycle). The resident size itself is measured by `python -m sandbox.bench memory`;
here `MemoryKeeper` is checked for when it trims.
"""

from __future__ import annotations

import gc
import weakref

import pygame
import pygame_gui
from app_util import ev
from gl_util import gl_fixture  # noqa: F401

from sandbox import actions as A
from sandbox import game_actions as G
from sandbox import memory
from sandbox.memory import MemoryKeeper


def _objects() -> int:
    gc.collect()
    return len(gc.get_objects())


def _elements(app) -> int:
    return len(app.manager.get_root_container().elements)


def _settle(app, frames: int = 3) -> None:
    app.run_frames(frames, dt=1 / 30)


def test_presenter_mode_on_and_off_leaves_nothing_behind(make_app):
    app = make_app(points=100)

    def cycle():
        app.scene.apply(A.TogglePresenter())
        _settle(app)
        app.scene.apply(A.TogglePresenter())
        _settle(app)

    for _ in range(2):
        cycle()
    objects, elements = _objects(), _elements(app)
    for _ in range(6):
        cycle()
    assert _elements(app) == elements
    grown = _objects() - objects
    assert grown < 300, f"{grown} more Python objects after 6 presenter-mode cycles"


def test_menu_and_sandbox_round_trips_leave_nothing_behind(make_app):
    app = make_app(points=100)

    def cycle():
        app.scene.apply(G.OpenMenu())
        _settle(app)
        assert type(app.scene).__name__ == "MenuScene"
        app.scene.apply(G.OpenSandbox())
        for _ in range(200):
            _settle(app, 1)
            if type(app.scene).__name__ == "FreeSandboxScene":
                break
        _settle(app)
        assert type(app.scene).__name__ == "FreeSandboxScene"

    for _ in range(2):
        cycle()
    objects, elements = _objects(), _elements(app)
    for _ in range(5):
        cycle()
    assert _elements(app) == elements
    grown = _objects() - objects
    assert grown < 300, f"{grown} more Python objects after 5 menu <-> sandbox round trips"


def test_a_closed_app_lets_go_of_its_panels_though_their_events_are_queued(make_app):
    # the soak's memory after a screen read 40-50 MB high until the next app read the queue
    app = make_app(points=100)
    _settle(app)
    manager = weakref.ref(app.manager)
    button = next(
        e
        for e in app.manager.get_sprite_group().sprites()
        if isinstance(e, pygame_gui.elements.UIButton)
    )
    pygame.event.post(pygame.event.Event(pygame_gui.UI_BUTTON_PRESSED, {"ui_element": button}))
    del button
    app.close(keep_window=True)
    gc.collect()
    assert manager() is None, "the closed app's UI manager is still alive"


def _keeper(monkeypatch) -> tuple[MemoryKeeper, list[float], list[float], list[float]]:
    """A keeper on a fake clock and resident size: (keeper, now, trims made, resident MiB)."""
    now = [100.0]
    trims: list[float] = []
    rss = [500.0]
    monkeypatch.setattr(memory, "trim", lambda: trims.append(now[0]) or True)
    monkeypatch.setattr(memory, "resident_mb", lambda: rss[0])
    return MemoryKeeper(clock=lambda: now[0]), now, trims, rss


def test_rebuilds_ask_for_a_trim_and_the_keeper_waits_between_trims(monkeypatch):
    keeper, now, trims, rss = _keeper(monkeypatch)
    assert not keeper.tick()  # nothing grew, nothing rebuilt
    keeper.after_rebuild()
    assert not keeper.tick()  # never in the rebuild's own frame: it is slow enough
    now[0] += memory.QUIET_S + 0.01
    assert keeper.tick() and trims == [now[0]]
    # rebuilds in quick succession (dragging the window's edge): one trim per interval
    keeper.after_rebuild()
    now[0] += 0.5
    assert not keeper.tick()
    now[0] += memory.REBUILD_MIN_INTERVAL_S
    keeper.after_rebuild()  # the edge still moving: wait until it rests
    assert not keeper.tick()
    now[0] += memory.QUIET_S + 0.01
    assert keeper.tick() and len(trims) == 2
    # growth alone trims, checked once a second, at most every TRIM_MIN_INTERVAL_S
    rss[0] += memory.TRIM_GROWTH_MB + 1
    now[0] += 1.5
    assert not keeper.tick()  # the last trim was too recent
    now[0] += memory.TRIM_MIN_INTERVAL_S
    assert keeper.tick() and len(trims) == 3
    now[0] += memory.TRIM_MIN_INTERVAL_S + 1
    assert not keeper.tick()  # the baseline moved to the size after the trim


def test_a_due_trim_waits_for_a_frame_no_slower_than_usual(monkeypatch):
    keeper, now, trims, rss = _keeper(monkeypatch)
    for _ in range(20):  # usual frames of 20 ms
        now[0] += 0.02
        assert not keeper.tick(0.02)
    keeper.after_rebuild()
    assert not keeper.tick(0.3)  # the rebuild's frame
    now[0] += memory.QUIET_S + 0.01
    assert not keeper.tick(0.2)  # due, but this frame was slow (panels rebuilt by a click)
    assert not keeper.tick(0.15) and not trims
    assert keeper.tick(0.021) and trims == [now[0]]  # a usual frame takes it
    # growth: due at the check, put off by a slow frame, taken by the next usual one
    rss[0] += memory.TRIM_GROWTH_MB + 1
    now[0] += memory.TRIM_MIN_INTERVAL_S + 1
    assert not keeper.tick(0.25) and len(trims) == 1
    now[0] += 0.02
    assert keeper.tick(0.02) and len(trims) == 2
    # a machine whose every frame is slow still trims: the usual follows the frames
    for _ in range(60):
        now[0] += 0.1
        keeper.tick(0.1)
    keeper.after_rebuild()
    keeper.tick(0.1)
    now[0] += memory.REBUILD_MIN_INTERVAL_S + memory.TRIM_MIN_INTERVAL_S
    assert keeper.tick(0.1) and len(trims) == 3


def test_only_a_rebuild_that_freed_panels_asks_for_a_collection(make_app, monkeypatch):
    """The keeper's collection walks every object (60-90 ms): a fresh start, which tore
    nothing down, asks for none; a rebuild (presenter mode) does."""
    collected = []
    monkeypatch.setattr(memory, "collect", lambda: collected.append(1))
    monkeypatch.setattr(memory, "QUIET_S", 0.0)
    monkeypatch.setattr(memory, "REBUILD_MIN_INTERVAL_S", 0.0)
    app = make_app(points=50)
    _settle(app, 5)
    assert collected == [] and app.memory.trims == 0
    app.scene.apply(A.TogglePresenter())
    _settle(app, 5)
    assert collected == [1] and app.memory.trims == 1


class _Node:
    """A garbage cycle only the collector frees (with a weak reference to see it go)."""

    def __init__(self) -> None:
        self.me = self


def test_in_the_apps_loop_the_keeper_freezes_what_lives_and_collects_it_at_rebuilds(monkeypatch):
    """The automatic full pass walked 160,000 objects (74 ms in a frame): the keeper freezes
    what lives at the end of the first frame, so those passes leave it alone, and frees the
    frozen garbage at its own collection after a rebuild, freezing the rest again."""
    assert gc.get_freeze_count() == 0  # tests never freeze: an app's loop does
    keeper, now, trims, rss = _keeper(monkeypatch)
    keeper.freezing = True
    node = _Node()
    gone = weakref.ref(node)
    try:
        keeper.tick(0.02)
        assert keeper.froze and gc.get_freeze_count() > 0
        del node
        gc.collect()  # an automatic full pass: the frozen cycle is not its to free
        assert gone() is not None
        keeper.after_rebuild()
        keeper.tick(0.3)
        now[0] += memory.QUIET_S + 0.01
        assert keeper.tick(0.02) and trims
        assert gone() is None  # the keeper's collection took the frozen objects too
        assert gc.get_freeze_count() > 0  # and froze what lives again
        later = _Node()
        later_gone = weakref.ref(later)
        del later
        memory.collect()  # a full collection, the frozen ones included, frozen again after
        assert later_gone() is None and gc.get_freeze_count() > 0
        keeper.release()
        assert gc.get_freeze_count() == 0 and not keeper.froze
    finally:
        gc.unfreeze()


def test_a_keeper_not_told_to_freeze_freezes_nothing(monkeypatch):
    keeper, now, trims, rss = _keeper(monkeypatch)
    for _ in range(3):
        now[0] += 0.02
        keeper.tick(0.02)
    assert gc.get_freeze_count() == 0 and not keeper.froze


def test_the_apps_loop_settings_freeze_and_closing_the_app_unfreezes(make_app):
    app = make_app(points=50)
    try:
        app.use_loop_settings()
        _settle(app, 2)
        assert gc.get_freeze_count() > 0 and app.memory.froze
        assert app.state.session.background_above is not None
        assert app.renderer.paints.rest_after is not None  # (a frame after a long one rests)
        app.close()
        assert gc.get_freeze_count() == 0
    finally:
        gc.unfreeze()


def test_resident_size_is_read_and_trim_is_harmless():
    assert memory.resident_mb() >= 0.0
    assert memory.trim() in (True, False)


def _settled_mb() -> float:
    gc.collect()
    memory.trim()
    return memory.resident_mb()


def test_a_flushed_frame_frees_the_overlay_it_re_allocated(gl):
    # Offscreen (here, in the monkey, in the benchmarks) a flip flushed no GL commands, and
    # Mesa's llvmpipe kept the old storage of every texture re-allocated (and buffer orphaned)
    # since, for good: the UI overlay at each new window size, 14 MB for these three sizes.
    renderer = gl.renderer()
    pictures = []
    for size in ((800, 600), (1280, 800), (1600, 1000)):
        picture = pygame.Surface(size, pygame.SRCALPHA)
        picture.fill((40, 40, 48, 200))  # every tile drawn: the frame reads the whole texture
        pictures.append(picture)

    def cycle():
        for picture in pictures:
            renderer.overlay.upload(picture)
            renderer.begin_frame()
            renderer.draw_overlay()
            renderer.flush()
            pygame.display.flip()

    cycle()
    before = _settled_mb()
    for _ in range(3):
        cycle()
    grown = _settled_mb() - before
    assert grown < 8.0, f"resident size grew {grown:.1f} MB over 3 cycles of 3 overlay sizes"


def test_the_app_flushes_before_each_flip(make_app, monkeypatch):
    app = make_app(points=50, size=(640, 480))
    calls = []
    monkeypatch.setattr(app.renderer, "flush", lambda: calls.append("flush"))
    monkeypatch.setattr(pygame.display, "flip", lambda: calls.append("flip"))
    app.run_frames(2, dt=1 / 30)
    # and below the usable size, where the app draws only the "make the window larger" card
    app.run_frames(1, {0: [ev(pygame.VIDEORESIZE, w=200, h=100, size=(200, 100))]}, dt=1 / 30)
    assert app.too_small
    assert calls == ["flush", "flip"] * 3


def test_a_flush_keeps_at_most_two_frames_queued(gl, monkeypatch):
    """A pbuffer's flip waits for nothing: each flush fences its frame and waits for the
    frame FRAMES_IN_FLIGHT before it, as a swap chain would (on llvmpipe the frames ran ahead
    of the rasteriser, then a clear waited 250-360 ms for all of them). Each fence waited for
    is signalled when the flush returns, and deleted."""
    from sandbox.render import renderer as R
    from sandbox.render.gl import GL

    renderer = gl.renderer()
    made, waited, deleted = [], [], []

    class Recording:
        def __getattr__(self, name):
            return getattr(GL, name)

        def glFenceSync(self, *args):
            made.append(GL.glFenceSync(*args))
            return made[-1]

        def glClientWaitSync(self, fence, flags, timeout):
            status = GL.glClientWaitSync(fence, flags, timeout)
            waited.append((fence, status))
            return status

        def glDeleteSync(self, fence):
            # (a deleted fence's name may be a new fence's: so recorded, not asked of GL later)
            deleted.append(fence)
            GL.glDeleteSync(fence)

    monkeypatch.setattr(R, "GL", Recording())
    for _ in range(5):
        renderer.begin_frame()
        renderer.flush()
        assert len(renderer.in_flight) <= R.FRAMES_IN_FLIGHT
    assert len(made) == 5
    assert [f for f, _ in waited] == made[: 5 - R.FRAMES_IN_FLIGHT], "the oldest, in order"
    done = (GL.GL_ALREADY_SIGNALED, GL.GL_CONDITION_SATISFIED)
    assert all(status in done for _, status in waited)
    assert deleted == [f for f, _ in waited], "each deleted once waited for"
    assert list(renderer.in_flight) == made[-R.FRAMES_IN_FLIGHT :]
