"""The held layer: what the plane draws under the points (field, regions, creases, boundary, in
one view or the split view's two panes) is painted into an offscreen texture once it stays the
same for a frame, and copied to the window until it changes (new weights or samples, another
style, view, size); the points and marks are drawn over the copy. The copy is the picture that
drawing the passes straight onto the window gives.

Not to the bit: Mesa rasterises a window's framebuffer upside down relative to a texture's, so
the edge pixels of a thin anti-aliased quad can differ. Measured on llvmpipe with 300 creases:
2-4% of the plane's pixels differ by one level of 255, under 0.1% by more, about 0.01% by more
than 8 (up to 68 where many creases meet); the field alone differs in a handful of pixels by one
level."""

from __future__ import annotations

import numpy as np
import pygame
from app_util import ev

from sandbox import actions as A
from sandbox.render.plane_view import HOLD_AFTER_FRAMES
from sandbox.vocab import View

APP_DEFAULTS = {"size": (800, 600), "hidden": (300,), "dataset": "image:disk", "resolution": 32}
EXACT = {"hidden": (8, 8), "dataset": "ring", "points": 120}


def _upload_frame(d, plane, dt: float) -> None:
    """The frame a heavy partition is uploaded in: no band painted yet, the old picture shown."""
    bands = plane.held.bands_painted
    d.run_frames(1, dt=dt)
    assert plane._mesh_key is d.state.partition  # noqa: SLF001
    assert plane.held.bands_painted == bands and not plane.held.painting


def _direct_pixels(d) -> np.ndarray:
    """The same frame drawn without the held layer (the passes straight onto the window)."""
    plane = d.scene.plane.renderer
    plane.hold = False
    try:
        d.run_frames(1, dt=1 / 30)
        return d.renderer.read_pixels()
    finally:
        plane.hold = True


def _assert_same_picture(d, held: np.ndarray, direct: np.ndarray) -> None:
    x, y, w, h = d.state.layout.plane
    diff = np.abs(held.astype(int) - direct.astype(int))[y : y + h, x : x + w].max(axis=2)
    assert (diff > 0).mean() < 0.06, (diff > 0).mean()
    assert (diff > 1).mean() < 0.002, (diff > 1).mean()
    assert (diff > 8).mean() < 0.0005, (diff > 8).mean()
    outside = np.ones(held.shape[:2], dtype=bool)
    outside[y : y + h, x : x + w] = False
    np.testing.assert_array_equal(held[outside], direct[outside])  # the panels: to the bit


def _counting(monkeypatch, renderer) -> dict[str, list]:
    """Calls of the renderer's passes, by name."""
    calls: dict[str, list] = {}
    for name in ("draw_field", "draw_creases", "draw_boundary", "draw_points"):
        calls[name] = seen = []
        original = getattr(renderer, name)

        def counted(*args, _original=original, _seen=seen, **kwargs):
            _seen.append(1)
            return _original(*args, **kwargs)

        monkeypatch.setattr(renderer, name, counted)
    return calls


def test_idle_frames_copy_the_held_layer_and_match_a_direct_draw(make_app, monkeypatch):
    d = make_app()
    plane = d.scene.plane.renderer
    assert d.state.partition.too_many  # 300 neurons: the sampled path, not the exact partition
    d.run_frames(2, dt=1 / 30)
    held = d.renderer.read_pixels()
    repaints = plane.held.repaints
    assert repaints >= 1
    calls = _counting(monkeypatch, d.renderer)
    d.run_frames(5, dt=1 / 30)
    assert plane.held.repaints == repaints  # nothing changed: no repaint
    assert not calls["draw_field"] and not calls["draw_creases"]  # only copied
    np.testing.assert_array_equal(d.renderer.read_pixels(), held)
    _assert_same_picture(d, held, _direct_pixels(d))
    x, y, w, h = d.state.layout.plane
    crop = held[y : y + h, x : x + w].reshape(-1, 3)
    assert len(np.unique(crop, axis=0)) > 50  # a real picture: the field's greys and the creases


def test_training_panning_and_resizing_paint_it_again(make_app):
    d = make_app()
    plane = d.scene.plane.renderer
    d.run_frames(2, dt=1 / 30)
    before = plane.held.repaints
    d.scene.train_now(20)
    d.run_frames(1, dt=0.3)  # past the sampled field's hold: the new weights are sampled
    # the changed frames are drawn straight on the window, until it stayed the same for a while
    d.run_frames(HOLD_AFTER_FRAMES - 1, dt=1 / 30)
    assert plane.held.repaints == before
    d.run_frames(1, dt=1 / 30)
    assert plane.held.repaints == before + 1  # then painted into the held layer
    _assert_same_picture(d, d.renderer.read_pixels(), _direct_pixels(d))
    before = plane.held.repaints
    d.scene.apply(A.Pan(40, 25))
    d.run_frames(HOLD_AFTER_FRAMES + 1, dt=1 / 30)
    assert plane.held.repaints == before + 1
    _assert_same_picture(d, d.renderer.read_pixels(), _direct_pixels(d))
    before = plane.held.repaints
    d.send([ev(pygame.VIDEORESIZE, w=900, h=640, size=(900, 640))], frames=3)
    assert d.state.layout.window == (900, 640)
    assert plane.held.repaints > before
    _assert_same_picture(d, d.renderer.read_pixels(), _direct_pixels(d))


def test_an_exact_split_view_is_held_while_paused_and_drawn_live_while_training(
    make_app, monkeypatch
):
    d = make_app(**EXACT)
    d.state.views = d.state.views | {View.REGIONS, View.BOUNDARY, View.SPLIT}
    d.scene.train_now(200)  # a Laplace fit for the right pane
    d.run_frames(3, dt=1 / 30)
    plane = d.scene.plane.renderer
    assert not d.state.partition.too_many and len(plane.panes) == 2
    calls = _counting(monkeypatch, d.renderer)
    d.run_frames(4, dt=1 / 30)
    assert not calls["draw_field"] and not calls["draw_creases"] and not calls["draw_boundary"]
    assert len(calls["draw_points"]) == 8  # the points, over the copy, in both panes
    held = d.renderer.read_pixels()
    _assert_same_picture(d, held, _direct_pixels(d))
    x, y, w, h = d.state.layout.plane
    assert len(np.unique(held[y : y + h, x : x + w].reshape(-1, 3), axis=0)) > 50  # regions
    # while training the weights change every frame: drawn straight, never copied stale
    repaints = plane.held.repaints
    d.scene.apply(A.SetPlaying(True))
    d.run_frames(4, dt=1 / 30)
    assert plane.held.repaints == repaints
    assert len(calls["draw_field"]) >= 8


def test_the_probe_and_the_inspector_are_held_apart(make_app, monkeypatch):
    """The side column's two parts are painted again only when their own content changed: a
    longer probe ray repaints the probe plots, not the inspector's diagram (a big network's
    diagram costs a software rasteriser hundreds of milliseconds)."""
    from sandbox import stage_actions as S
    from sandbox.render.stage_views import StageRenderer

    d = make_app(**EXACT)
    d.state.views = d.state.views | {View.PROBE, View.INSPECTOR}
    d.run_frames(3, dt=1 / 30)
    painted: list[str] = []
    original = StageRenderer._draw_side_part

    def spy(self, state, content, part):
        painted.append(part)
        return original(self, state, content, part)

    monkeypatch.setattr(StageRenderer, "_draw_side_part", spy)
    d.run_frames(3, dt=1 / 30)
    assert painted == []  # paused, nothing changed: both copied
    d.scene.apply(S.ProbeReach(1.5))
    d.run_frames(2, dt=1 / 30)
    assert painted == ["probe"]
    held = d.renderer.read_pixels()
    x, y, w, h = d.state.stage.rects.probe
    assert len(np.unique(held[y : y + h, x : x + w].reshape(-1, 3), axis=0)) > 10  # plots drawn


def _colour_paint(colour):
    from sandbox.render.gl import GL

    def paint():
        GL.glClearColor(*colour, 1.0)
        GL.glClear(GL.GL_COLOR_BUFFER_BIT)

    return paint


def test_heavy_parts_take_turns_one_paint_a_frame(make_app):
    """A big partition changes the plane, the 3D view and the diagram at once (each 150-300 ms
    on llvmpipe): the frame's FramePaints let the first paint and a part that may wait show its
    old picture a frame more; the one that waited is owed the next paint, before the others
    (turns: no frame pays for two); a part without `paints` always paints. A part with no
    picture yet waits likewise, showing the background."""
    from sandbox.render import palette
    from sandbox.render.held_layer import FramePaints, HeldLayer

    d = make_app(**EXACT)
    window = d.state.layout.window
    height = window[1]
    rects = {"a": (0, 0, 40, 30), "b": (60, 0, 40, 30)}
    colours = {1: (1.0, 0.0, 0.0), 2: (0.0, 1.0, 0.0), 3: (0.0, 0.0, 1.0)}
    layers = {"a": HeldLayer(), "b": HeldLayer()}
    paints = FramePaints()

    def frame(keys: dict[str, int]) -> dict[str, tuple]:
        paints.new_frame()
        d.renderer.begin_frame()
        for name, k in keys.items():
            layers[name].draw(
                (name, k), rects[name], window, _colour_paint(colours[k]), paints, may_wait=True
            )
        img = d.renderer.read_pixels()
        shown = {}
        for name, (x, y, w, h) in rects.items():
            crop = img[height - y - h : height - y, x : x + w].reshape(-1, 3)
            assert len(np.unique(crop, axis=0)) == 1
            shown[name] = tuple(int(v) for v in crop[0])
        return shown

    red, green, blue = (255, 0, 0), (0, 255, 0), (0, 0, 255)
    background = tuple(round(255 * float(c)) for c in palette.BACKGROUND[:3])
    try:
        # nothing painted yet (views switched on together): the first paints, the second shows
        # the background one frame and paints in the next
        first = frame({"a": 1, "b": 1})
        assert first["a"] == red and layers["b"].blank and layers["b"].waits == 1
        assert np.abs(np.subtract(first["b"], background)).max() <= 1
        assert frame({"a": 1, "b": 1}) == {"a": red, "b": red}
        assert not layers["b"].blank and layers["b"].repaints == 1
        # both change: the first paints, the second shows its old picture one frame more
        assert frame({"a": 2, "b": 2}) == {"a": green, "b": red}
        assert layers["b"].waits == 2
        # the first changes again, but the second waited: its turn, the first waits for its
        assert frame({"a": 3, "b": 2}) == {"a": green, "b": green}
        assert layers["b"].waits == 2 and layers["a"].waits == 1
        assert frame({"a": 3, "b": 2}) == {"a": blue, "b": green}
        assert layers["a"].repaints == 3 and layers["b"].repaints == 2
        # both change every frame: they alternate, a paint a frame
        shown = [frame({"a": a, "b": b}) for a, b in ((1, 3), (2, 1), (3, 2), (1, 3))]
        assert [layers["a"].repaints, layers["b"].repaints] == [5, 4]
        assert shown == [{"a": red, "b": green}, {"a": red, "b": red},
                         {"a": blue, "b": red}, {"a": blue, "b": blue}]  # fmt: skip
        assert frame({"a": 1, "b": 3}) == {"a": red, "b": blue}  # a's turn; b unchanged
        # without the frame's count, a part paints whenever it changed
        paints.new_frame()
        paints.take()
        d.renderer.begin_frame()
        waits = layers["b"].waits
        layers["b"].draw(("b", 1), rects["b"], window, _colour_paint(colours[1]))
        assert layers["b"].repaints == 5 and layers["b"].waits == waits
    finally:
        for layer in layers.values():
            layer.delete()


def test_in_the_apps_loop_a_frame_after_a_long_one_paints_nothing_that_may_wait():
    """An input waits for the frame it arrives in and the next: after a frame whose work took
    longer than `rest_after`, painters that may wait wait (the app's loop sets it; tests' frames
    never rest), keeping their turns; a file's frame, with every paint, never rests."""
    import math

    from sandbox.render.held_layer import REST_AFTER_S, FramePaints

    paints = FramePaints()
    a, b, must = object(), object(), object()

    def frame(work_s: float) -> None:
        paints.frame_done(work_s)
        paints.new_frame()

    frame(1.0)
    assert not paints.resting and paints.turn(a, True)  # never, without rest_after
    paints.rest_after = REST_AFTER_S
    frame(0.5 * REST_AFTER_S)
    assert not paints.resting and paints.turn(a, True) and not paints.turn(b, True)
    frame(2 * REST_AFTER_S)  # a long frame that painted: the next rests
    assert paints.resting
    assert not paints.turn(b, True) and not paints.turn(a, True)
    assert paints.turn(must, False)  # what may not wait paints anyway
    frame(0.5 * REST_AFTER_S)  # b waited first: its turn, then a's
    assert not paints.resting and not paints.turn(a, True) and paints.turn(b, True)
    frame(0.5 * REST_AFTER_S)
    assert paints.turn(a, True) and not paints.turn(b, True)
    frame(0.5 * REST_AFTER_S)  # b stopped asking: owed nothing after a frame
    assert not paints.turn(a, True)
    frame(0.5 * REST_AFTER_S)
    assert paints.turn(a, True)
    frame(2 * REST_AFTER_S)  # long, and it painted: rest
    assert paints.resting and paints.turn(must, False)
    frame(2 * REST_AFTER_S)  # never two resting frames running
    assert not paints.resting
    frame(2 * REST_AFTER_S)  # long, but it painted nothing: no rest either
    assert not paints.resting
    paints.per_frame = math.inf  # a file's one frame holds every picture
    frame(1.0)
    assert not paints.resting and paints.turn(a, True) and paints.turn(b, True)


def test_the_3d_cursor_follows_the_mouse_without_painting_the_surface_again(make_app):
    """The dot under the mouse is drawn over the held 3D picture: moving the mouse over the
    plane moves it without painting the surface again (a big network's took 130-360 ms a
    frame, every frame the mouse moved)."""
    d = make_app(**EXACT)
    d.state.views = d.state.views | {View.THREE_D}
    d.run_frames(4, dt=1 / 30)
    stage = d.scene.stage.renderer
    held = stage._cache_3d
    x, y, w, h = d.state.stage.rects.plane
    rx, ry, rw, rh = d.state.stage.rects.view3d
    pictures = []
    repaints = held.repaints
    for fx in (0.3, 0.7):
        pos = (int(x + fx * w), int(y + 0.5 * h))
        d.send([ev(pygame.MOUSEMOTION, pos=pos, rel=(1, 0), buttons=(0, 0, 0))], frames=2)
        assert d.state.stage.cursor is not None
        pictures.append(d.renderer.read_pixels()[ry : ry + rh, rx : rx + rw].astype(int))
    assert held.repaints == repaints  # the surface was not painted again
    moved = np.abs(pictures[0] - pictures[1]).max(axis=2) > 40
    assert 10 < moved.sum() < 0.05 * rw * rh  # only the dot moved


def test_the_side_column_stays_while_the_3d_view_turns(make_app):
    """The scissor applies to a blit: a part copied after one that was painted must set its
    own. Before, turning the 3D view blanked the inspector and the probe in every frame it
    turned (5,980 colours in the inspector when still, 157 while turning)."""
    d = make_app(**EXACT)
    d.state.views = d.state.views | {View.THREE_D, View.INSPECTOR, View.PROBE}
    d.run_frames(4, dt=1 / 30)
    rects = d.state.stage.rects

    def colours() -> dict[str, int]:
        img = d.renderer.read_pixels()
        out = {}
        for name in ("view3d", "inspector", "probe"):
            x, y, w, h = getattr(rects, name)
            out[name] = len(np.unique(img[y : y + h, x : x + w].reshape(-1, 3), axis=0))
        return out

    still = colours()
    assert min(still.values()) > 300
    for _ in range(3):
        d.state.stage.orbit.yaw += 0.3
        d.run_frames(1, dt=1 / 30)
        turning = colours()
        assert turning["inspector"] >= 0.9 * still["inspector"]
        assert turning["probe"] >= 0.9 * still["probe"]


def _stripes_paint(calls: list):
    """A paint that clears its whole rectangle (through held_layer.scissor) in a colour of its
    own call: painted in bands, each band keeps the colour of the call that painted it."""
    from sandbox.render.gl import GL
    from sandbox.render.held_layer import scissor

    def paint():
        calls.append(1)
        shade = 40 * len(calls) / 255
        scissor(0, 0, 40, 32)
        GL.glClearColor(shade, 1.0 - shade, 0.5, 1.0)
        GL.glClear(GL.GL_COLOR_BUFFER_BIT)

    return paint


def test_a_new_picture_in_the_same_view_is_painted_in_bands(make_app):
    """A heavy part whose content changed while its view stayed (a new partition while
    training) paints a band a frame into a second target and shows the old picture until the
    new one is complete; a change of view or rectangle paints at once; and content that keeps
    changing before the last band is painted at once after MAX_BAND_RESTARTS restarts."""
    from sandbox.render.held_layer import MAX_BAND_RESTARTS, HeldLayer

    d = make_app(**EXACT)
    window = d.state.layout.window
    height = window[1]
    rect = (0, 0, 40, 32)
    layer = HeldLayer()

    def frame(key, paint, view="v", at=rect) -> np.ndarray:
        d.renderer.begin_frame()
        layer.draw(key, at, window, paint, bands=4, view=view)
        x, y, w, h = at
        return d.renderer.read_pixels()[height - y - h : height - y, x : x + w]

    def colours(crop: np.ndarray) -> int:
        return len(np.unique(crop.reshape(-1, 3), axis=0))

    try:
        red = frame(1, _colour_paint((1.0, 0.0, 0.0)))  # nothing shown yet: painted at once
        assert colours(red) == 1 and tuple(red[0, 0]) == (255, 0, 0)
        calls: list = []
        for band in range(3):  # the old picture until the last band
            np.testing.assert_array_equal(frame(2, _stripes_paint(calls)), red)
            assert layer.bands_painted == band + 1 and layer.repaints == 1
        stripes = frame(2, _stripes_paint(calls))
        assert len(calls) == 4 and layer.repaints == 2 and layer.key[0] == 2
        # four bands of 8 rows, each in the colour of the call that painted it: every call kept
        # to its band, even through its own scissor
        assert colours(stripes) == 4
        for band in range(4):
            rows = stripes[32 - 8 * (band + 1) : 32 - 8 * band]  # GL's bands, bottom up
            assert colours(rows) == 1
        np.testing.assert_array_equal(frame(2, _stripes_paint(calls)), stripes)  # copied
        assert len(calls) == 4
        # another view (camera, style): painted at once, whole
        blue = frame(3, _colour_paint((0.0, 0.0, 1.0)), view="w")
        assert colours(blue) == 1 and tuple(blue[0, 0]) == (0, 0, 255)
        # content changing every frame: restarted at most MAX_BAND_RESTARTS times, then at once
        shown = [frame(10 + k, _colour_paint((0.0, 1.0, 0.0)), view="w") for k in range(4)]
        first_whole = MAX_BAND_RESTARTS + 1
        for crop in shown[:first_whole]:
            np.testing.assert_array_equal(crop, blue)
        assert tuple(shown[first_whole][0, 0]) == (0, 255, 0)
        assert layer.key[0] == 10 + first_whole
    finally:
        layer.delete()


def test_a_heavy_partitions_new_picture_comes_in_bands_and_matches_a_direct_draw(
    make_app, monkeypatch
):
    from sandbox.render import plane_view
    from sandbox.render.plane_view import HEAVY_PICTURE_S, PAINT_BANDS

    monkeypatch.setattr(plane_view, "HEAVY_PAINT_REGIONS", 10)  # the small network counts
    d = make_app(**EXACT, views=("field", "creases", "boundary", "regions"))
    d.run_frames(3, dt=1 / 30)
    plane = d.scene.plane.renderer
    assert len(d.state.partition) > 10
    old = d.renderer.read_pixels()
    repaints, bands = plane.held.repaints, plane.held.bands_painted
    d.scene.train_now(30)
    # a heavy picture is started at most every HEAVY_PICTURE_S: the new partition waits
    d.run_frames(1, dt=1 / 30)
    assert plane.held.bands_painted == bands and plane._mesh_key is not d.state.partition
    x, y, w, h = d.state.layout.plane
    np.testing.assert_array_equal(
        d.renderer.read_pixels()[y : y + h, x : x + w], old[y : y + h, x : x + w]
    )
    _upload_frame(d, plane, HEAVY_PICTURE_S)  # its frame to itself, then its bands
    np.testing.assert_array_equal(
        d.renderer.read_pixels()[y : y + h, x : x + w], old[y : y + h, x : x + w]
    )
    for k in range(PAINT_BANDS - 1):  # the old picture while the bands are painted
        d.run_frames(1, dt=1 / 30)
        assert plane.held.bands_painted == bands + k + 1
        x, y, w, h = d.state.layout.plane
        shown = d.renderer.read_pixels()[y : y + h, x : x + w]
        # under the points: the old picture (the points themselves moved nowhere)
        assert (shown != old[y : y + h, x : x + w]).any(axis=2).mean() < 0.01
    d.run_frames(2, dt=1 / 30)
    assert plane.held.bands_painted == bands + PAINT_BANDS
    assert plane.held.repaints == repaints + 1
    new = d.renderer.read_pixels()
    assert (new != old)[y : y + h, x : x + w].any(axis=2).mean() > 0.05  # the trained picture
    _assert_same_picture(d, new, _direct_pixels(d))
    # a pan makes a partition of another window: taken at once, painted whole
    repaints = plane.held.repaints
    d.scene.apply(A.Pan(40, 25))
    d.run_frames(1, dt=1 / 30)
    assert plane._mesh_key is d.state.partition
    assert plane.held.repaints == repaints + 1 and not plane.held.painting
    _assert_same_picture(d, d.renderer.read_pixels(), _direct_pixels(d))
    # other styles over the same view (the creases off) are new content: in bands too, the old
    # picture shown until the new one is whole
    old = d.renderer.read_pixels()
    repaints, bands = plane.held.repaints, plane.held.bands_painted
    d.state.views = d.state.views - {View.CREASES}
    d.run_frames(1, dt=1 / 30)
    assert plane.held.painting and plane.held.bands_painted == bands + 1
    shown = d.renderer.read_pixels()[y : y + h, x : x + w]
    assert (shown != old[y : y + h, x : x + w]).any(axis=2).mean() < 0.01  # (the points' edges)
    d.run_frames(PAINT_BANDS - 1, dt=1 / 30)
    assert not plane.held.painting and plane.held.repaints == repaints + 1
    new = d.renderer.read_pixels()
    assert (new != old)[y : y + h, x : x + w].any(axis=2).mean() > 0.001  # no creases now
    _assert_same_picture(d, new, _direct_pixels(d))
    d.state.views = d.state.views | {View.CREASES}
    d.run_frames(PAINT_BANDS, dt=1 / 30)
    # the split view's cost is in its vertices: its bands are its two panes, one a frame,
    # each drawing only its own pane's triangles
    assert plane.held._next is not None  # (the second texture, kept while bands are painted)
    d.state.views = d.state.views | {View.SPLIT}
    d.run_frames(2, dt=1 / 30)
    assert len(plane.panes) == 2
    repaints, bands = plane.held.repaints, plane.held.bands_painted
    old = d.renderer.read_pixels()
    calls = _counting(monkeypatch, d.renderer)
    d.scene.train_now(30)
    _upload_frame(d, plane, HEAVY_PICTURE_S)
    calls["draw_field"].clear()
    d.run_frames(1, dt=1 / 30)
    assert plane.held.painting and plane.held.bands_painted == bands + 1
    assert len(calls["draw_field"]) == 1  # the left pane alone
    x, y, w, h = d.state.layout.plane
    shown = d.renderer.read_pixels()[y : y + h, x : x + w]
    assert (shown != old[y : y + h, x : x + w]).any(axis=2).mean() < 0.01  # the old picture
    d.run_frames(1, dt=1 / 30)
    assert len(calls["draw_field"]) == 2  # the right pane
    assert plane.held.repaints == repaints + 1 and plane.held.bands_painted == bands + 2
    assert plane._mesh_key is d.state.partition and not plane.held.painting
    _assert_same_picture(d, d.renderer.read_pixels(), _direct_pixels(d))
    # a frame that does not band (no longer heavy) gives the second texture back
    monkeypatch.setattr(plane_view, "HEAVY_PAINT_REGIONS", 10**9)
    d.scene.train_now(30)
    d.run_frames(HOLD_AFTER_FRAMES + 2, dt=1 / 30)
    assert plane.held._next is None


def test_a_big_partitions_bands_draw_what_reaches_them_and_make_the_whole_picture(
    make_app, monkeypatch
):
    """A big partition's triangles and creases are stored bottom to top (band_order): its
    picture's bands hold as many triangles each, each band draws only what reaches it, and the
    finished picture is the one painted whole, to the bit; in the split view too, in bands of
    each pane."""
    from sandbox.render import mesh_pack, plane_view
    from sandbox.render.band_order import even_bands
    from sandbox.render.plane_view import HEAVY_PICTURE_S, PAINT_BANDS, PANE_BANDS

    monkeypatch.setattr(plane_view, "HEAVY_PAINT_REGIONS", 10)  # the small network counts
    monkeypatch.setattr(plane_view, "DENSE_SEGMENTS", 10)  # its creases are dense
    monkeypatch.setattr(mesh_pack, "ORDERED_TRIANGLES", 10)
    d = make_app(**EXACT, views=("field", "creases", "boundary", "regions"))
    d.run_frames(3, dt=1 / 30)
    plane = d.scene.plane.renderer
    mesh = d.renderer.mesh
    assert mesh.height_order is not None and d.renderer.creases.height_order is not None
    drawn: list[int] = []
    original = mesh.draw

    def counted(y_range=None):
        if y_range is not None:
            drawn.append(sum(c for _, c in mesh.height_order.runs(*y_range)))
        return original(y_range)

    monkeypatch.setattr(mesh, "draw", counted)
    d.scene.train_now(30)
    d.run_frames(1, dt=1 / 30)
    _upload_frame(d, plane, HEAVY_PICTURE_S)
    for _ in range(PAINT_BANDS):
        d.run_frames(1, dt=1 / 30)
    assert plane._mesh_key is d.state.partition and not plane.held.painting
    assert len(drawn) == PAINT_BANDS
    triangles = mesh.n_indices // 3
    assert max(drawn) < triangles and sum(drawn) >= triangles
    x, y, w, h = d.state.layout.plane
    window = d.state.layout.window
    rect = (x, window[1] - y - h, w, h)
    bands = even_bands(mesh.height_order, rect, d.state.camera, PAINT_BANDS)
    assert isinstance(bands, list) and sum(b[3] for b in bands) == h
    banded = d.renderer.read_pixels()[y : y + h, x : x + w]
    plane.held.key = None  # painted again, whole
    d.run_frames(1, dt=1 / 30)
    assert not drawn[PAINT_BANDS:]
    np.testing.assert_array_equal(d.renderer.read_pixels()[y : y + h, x : x + w], banded)
    # the split view: bands in each of its panes (each shows the whole plane)
    d.state.views = d.state.views | {View.SPLIT}
    d.run_frames(2, dt=1 / 30)
    assert len(plane.panes) == 2
    painted, drawn[:] = plane.held.bands_painted, []
    d.scene.train_now(30)
    d.run_frames(1, dt=1 / 30)
    _upload_frame(d, plane, HEAVY_PICTURE_S)
    for _ in range(2 * PANE_BANDS):
        d.run_frames(1, dt=1 / 30)
    assert plane.held.bands_painted == painted + 2 * PANE_BANDS and not plane.held.painting
    assert plane._mesh_key is d.state.partition
    assert drawn and max(drawn) < mesh.n_indices // 3
    banded = d.renderer.read_pixels()[y : y + h, x : x + w]
    plane.held.key = None
    d.run_frames(1, dt=1 / 30)
    np.testing.assert_array_equal(d.renderer.read_pixels()[y : y + h, x : x + w], banded)


def test_a_network_costly_per_pixel_is_painted_in_bands_or_sampled(make_app, monkeypatch):
    """The per-pixel network's measured cost decides: whole, in bands (new weights taken when
    the bands are done, the picture equal to a direct draw), or sampled on the grid (a smooth
    network's sampled boundary kept, no creases)."""
    from sandbox.render import plane_view
    from sandbox.render.mlp_field import MLPFieldPass
    from sandbox.render.per_pixel_plane import BAND_MS, MAX_BANDS
    from sandbox.render.plane_view import HEAVY_PICTURE_S

    cost = {"ms": 1.0, "pixels": 1e9}  # what a picture of the whole plane costs

    def pixel_ns(self):
        return cost["ms"] * 1e6 / cost["pixels"]

    monkeypatch.setattr(MLPFieldPass, "pixel_ns", pixel_ns)
    d = make_app(dataset="circle", hidden=(8, 8), activation="tanh", views=("field", "boundary"))
    _, _, pw, ph = d.state.layout.plane
    cost["pixels"] = pw * ph
    d.run_frames(3, dt=1 / 30)
    plane = d.scene.plane.renderer
    mlp = d.renderer.mlp_field
    assert d.state.partition.smooth and plane.per_pixel_picture.bands == 1  # cheap: whole at once
    # a picture of 3.5 bands' cost: four bands, a band a frame, the old picture meanwhile
    cost["ms"] = 3.5 * BAND_MS
    x, y, w, h = d.state.layout.plane
    old = d.renderer.read_pixels()
    for _ in range(3):
        d.scene.train_now(40)
        d.run_frames(1, dt=HEAVY_PICTURE_S)
        if plane.held.painting:
            break
    assert plane.per_pixel_picture.bands == 4 and plane.held.painting
    shown = d.renderer.read_pixels()
    assert (shown != old)[y : y + h, x : x + w].any(axis=2).mean() < 0.01  # (the points moved)
    version, repaints, left = mlp.version, plane.held.repaints, 4 - plane.held._next_band
    for _ in range(left):
        d.scene.train_now(40)  # new weights while the bands are painted: held until done
        d.run_frames(1, dt=1 / 30)
        assert mlp.version == version
    assert plane.held.repaints == repaints + 1 and not plane.held.painting
    new = d.renderer.read_pixels()
    assert (new != old)[y : y + h, x : x + w].any(axis=2).mean() > 0.01
    d.run_frames(1, dt=HEAVY_PICTURE_S)  # the newest weights are taken now, painted in bands
    assert mlp.version > version and plane.held.painting
    d.run_frames(6, dt=HEAVY_PICTURE_S)  # nothing new: the picture of the newest weights
    assert not plane.held.painting
    _assert_same_picture(d, d.renderer.read_pixels(), _direct_pixels(d))
    # too costly for bands: sampled on the grid, the smooth network's boundary kept
    cost["ms"] = (MAX_BANDS + 1) * BAND_MS
    d.scene.train_now(40)
    d.run_frames(2, dt=plane_view.SAMPLE_HOLD_S)
    assert not plane.per_pixel and plane._mesh_key[0] == "sampled"
    assert d.renderer.creases.count == 0 and d.renderer.boundary.count > 0
    _assert_same_picture(d, d.renderer.read_pixels(), _direct_pixels(d))
    # the split view paints at once: two bands' cost per pixel, three sampled
    d.state.views = d.state.views | {View.SPLIT}
    cost["ms"] = 1.5 * BAND_MS
    d.run_frames(2, dt=1 / 30)
    assert plane.per_pixel and plane.per_pixel_picture.bands == 2
    cost["ms"] = 2.5 * BAND_MS
    d.run_frames(2, dt=1 / 30)
    assert not plane.per_pixel and plane.per_pixel_picture.bands == 3


def test_band_rects_are_stripes_or_the_rectangles_given():
    from sandbox.render.held_layer import band_rects

    stripes = band_rects((10, 20, 100, 7), 3)
    assert stripes == [(10, 20, 100, 2), (10, 22, 100, 2), (10, 24, 100, 3)]
    assert band_rects((10, 20, 100, 7), 1) == [(10, 20, 100, 7)]
    panes = [(10, 20, 50, 7), (60, 20, 50, 7)]
    assert band_rects((10, 20, 100, 7), panes) == panes


def test_a_big_networks_3d_picture_comes_in_parts_in_turn_with_the_plane(make_app, monkeypatch):
    from sandbox.render import plane_view
    from sandbox.render.plane_view import HEAVY_PICTURE_S
    from sandbox.render.stage_views import PARTS_3D

    monkeypatch.setattr(plane_view, "HEAVY_PAINT_REGIONS", 10)  # the small network counts
    d = make_app(**EXACT)
    d.state.views = d.state.views | {View.THREE_D, View.REGIONS}
    d.run_frames(4, dt=1 / 30)
    cache = d.scene.stage.renderer._cache_3d  # noqa: SLF001
    plane = d.scene.plane.renderer
    parts, repaints = cache.bands_painted, cache.repaints
    stage = d.scene.stage.renderer
    surface = stage._surface  # noqa: SLF001
    d.scene.train_now(30)
    d.run_frames(1, dt=HEAVY_PICTURE_S)
    seen = []  # per frame: (the plane painted a band, the 3D view a part, the 3D view waited)
    uploaded = []  # the frames the new surface was uploaded in (whole: mesh and lines)
    meshes = []  # the frames its mesh was uploaded in
    mesh = stage._mesh_of  # noqa: SLF001
    while cache.repaints == repaints and len(seen) < 4 * PARTS_3D:
        before, plane_bands, waits = cache.bands_painted, plane.held.bands_painted, cache.waits
        d.run_frames(1, dt=1 / 30)
        seen.append((plane.held.bands_painted > plane_bands, cache.bands_painted - before,
                     cache.waits > waits))  # fmt: skip
        if stage._surface is not surface:  # noqa: SLF001
            uploaded.append(len(seen) - 1)
            surface = stage._surface  # noqa: SLF001
        if stage._mesh_of is not mesh:  # noqa: SLF001
            meshes.append(len(seen) - 1)
            mesh = stage._mesh_of  # noqa: SLF001
    assert not cache.painting and cache.repaints == repaints + 1
    assert cache.bands_painted == parts + PARTS_3D
    # the new surface's mesh is uploaded in a frame of its own, its lines in a later one, then
    # it is painted in parts
    assert len(uploaded) == 1 and seen[uploaded[0]][1] == 0
    assert len(meshes) == 1 and meshes[0] < uploaded[0] and seen[meshes[0]][1] == 0
    assert stage._mesh_of is stage._surface  # noqa: SLF001
    assert all(painted <= 1 for _, painted, _ in seen)  # a part a frame at most
    # turns: a plane's band, a part or an upload a frame, never two
    assert not any(plane_band and painted for plane_band, painted, _ in seen)
    assert not seen[meshes[0]][0] and not seen[uploaded[0]][0]
    assert any(waited for *_, waited in seen)  # (the plane's bands and the parts took turns)
    assert any(plane_band for plane_band, *_ in seen[uploaded[0] :])
