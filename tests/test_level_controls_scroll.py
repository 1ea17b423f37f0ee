"""Every control of a level's panels is reachable at 800x600, however tall the controls panel
grows, and in presenter mode (F5: UI 1.5x or more) on a 1280x800 projector.

Each level is played at 800x600 in the running app (offscreen GL); where it offers "Add layer" the
player presses it until the network has the most layers, so the network section is as tall as it
gets. Then every control on the right side is brought into view with the mouse wheel over the
panel, as a user would, and must end up inside the window and under the pointer (not clipped by
the scrolling box). The offscreen video driver has no pointer, so the test moves pygame's idea of
the mouse position itself (`pointer`), which is what pygame-gui reads for hovering.

In presenter mode every control of both panels (the level panel's goals, quiz and buttons, and
the controls) is wheeled into view the same way, and every word fits its button or label.
"""

from __future__ import annotations

import pygame
import pytest
from app_util import hover_click, key, motion, send, wheel
from gl_util import gl_session_fixture  # noqa: F401
from level_util import LEVELS, data_dir_fixture, start_level_fixture  # noqa: F401
from pygame_gui.elements import UIButton, UILabel, UIScrollingContainer
from test_ui_fit import fit_problems

from sandbox.scenes.level import LevelScene
from sandbox.ui.layout import PRESENTER_PANEL_SCALE
from sandbox.ui.level_plan import stage_rect
from sandbox.vocab import MAX_HIDDEN_LAYERS

SIZE = (800, 600)


@pytest.fixture
def pointer(monkeypatch):
    """Where pygame (and so pygame-gui) believes the mouse is: set `pointer[0]`."""
    where = [(0, 0)]
    monkeypatch.setattr(pygame.mouse, "get_pos", lambda: where[0])
    return where


def right_side_controls(app) -> list:
    right = pygame.Rect(app.state.layout.right)
    panels = app.scene.panels
    return [el for el in panels.controls if el.alive() and right.left <= el.rect.centerx]


def bring_into_view(app, el, box, pointer) -> bool:
    """Wheel over the panel until `el` lies inside the window and the box; True if it did."""
    window = pygame.Rect((0, 0), app.state.layout.window)
    seen = window.clip(box.rect) if box is not None else window
    for _ in range(80):
        if seen.contains(el.rect):
            return True
        if box is None:
            return False
        pointer[0] = box.rect.center
        send(app, motion(box.rect.center) + wheel(-1 if el.rect.bottom > seen.bottom else 1), 3)
    return seen.contains(el.rect)


def box_of(app, el):
    """The scrolling box `el` sits in (None when its panel does not scroll)."""
    boxes = [b for b in app.scene.panels.elements if isinstance(b, UIScrollingContainer)]
    inside = [b for b in boxes if b.rect.left <= el.rect.centerx < b.rect.right]
    return next((b for b in inside if el.ui_container is b.get_container()), None)


@pytest.mark.parametrize("level_id", sorted(LEVELS))
def test_every_control_of_the_controls_panel_is_reachable_at_800x600(
    start_level, level_id, pointer
):
    app = start_level("01-one-crease", size=SIZE)
    app.set_scene(LevelScene(app, app.scene.game, LEVELS[level_id]))
    app.run_frames(1, dt=1 / 30)
    scene = app.scene
    for _ in scene.level.story:
        send(app, key(pygame.K_RETURN), frames=1)
    assert scene.status.card == ""
    # the panels leave the views most of the window (the plane was 314 px wide with wider ones)
    _, _, w, h = stage_rect(app.state.layout)
    assert w >= 345 and h >= 340, f"{level_id}: the views get {w}x{h}"
    if app.state.layout.right[2] == 0:
        pytest.skip(f"{level_id} shows no controls panel")
    # the tallest the panel gets: as many layers as the level lets the player add
    for _ in range(MAX_HIDDEN_LAYERS):
        add = scene.panels.named.get("add_layer")
        if add is None or len(app.state.settings.hidden) >= MAX_HIDDEN_LAYERS:
            break
        pointer[0] = add.rect.center
        send(app, hover_click(add.rect.center), frames=2)
    controls = right_side_controls(app)
    assert controls, level_id
    lowest = max(controls, key=lambda el: el.rect.bottom)
    if lowest.rect.bottom > SIZE[1]:
        assert box_of(app, lowest) is not None, f"{level_id}: controls below the window, no bar"
    unreachable = []
    for el in sorted(controls, key=lambda el: el.rect.top):
        box = box_of(app, el)
        if not bring_into_view(app, el, box, pointer):
            unreachable.append(f"{type(el).__name__} {getattr(el, 'text', '')!r} at {el.rect}")
            continue
        inside = el.rect.clip(box.rect) if box is not None else el.rect
        assert el.hover_point(*inside.center), f"{level_id}: {el} is clipped away"
    assert not unreachable, f"{level_id}: " + "; ".join(unreachable)
    # and their words fit, in the narrower scrolling panel too
    right = pygame.Rect(app.state.layout.right)
    texts = [el for el in scene.panels.elements if isinstance(el, (UIButton, UILabel))]
    problems = fit_problems([el for el in texts if right.left <= el.rect.centerx], None, False)
    assert not problems, f"{level_id}: " + "; ".join(problems)


@pytest.mark.parametrize("level_id", sorted(LEVELS))
def test_presenter_mode_keeps_a_levels_panels_at_projector_scale_at_1280x800(
    start_level, level_id, pointer
):
    app = start_level("01-one-crease", size=(1280, 800))
    app.set_scene(LevelScene(app, app.scene.game, LEVELS[level_id]))
    app.run_frames(1, dt=1 / 30)
    scene = app.scene
    for _ in scene.level.story:
        send(app, key(pygame.K_RETURN), frames=1)
    send(app, key(pygame.K_F5), frames=3)
    lay = app.state.layout
    assert app.state.workshop.presenter
    assert lay.scale >= PRESENTER_PANEL_SCALE, f"{level_id}: presenter panels at {lay.scale}x"
    assert scene.panels.visible and lay.plane[2] >= 240 and lay.plane[3] >= 200, lay.plane
    controls = [el for el in scene.panels.controls if el.alive()]
    unreachable = []
    for el in sorted(controls, key=lambda el: el.rect.top):
        box = box_of(app, el)
        if not bring_into_view(app, el, box, pointer):
            unreachable.append(f"{type(el).__name__} {getattr(el, 'text', '')!r} at {el.rect}")
            continue
        inside = el.rect.clip(box.rect) if box is not None else el.rect
        assert el.hover_point(*inside.center), f"{level_id}: {el} is clipped away"
    assert not unreachable, f"{level_id}: " + "; ".join(unreachable)
    texts = [el for el in scene.panels.elements if isinstance(el, (UIButton, UILabel))]
    problems = fit_problems([el for el in texts if el.alive()], None, False)
    assert not problems, f"{level_id}: " + "; ".join(problems)
    send(app, key(pygame.K_F5), frames=3)  # and back
    assert not app.state.workshop.presenter and app.state.layout.scale == 1.0


def test_a_resize_builds_a_levels_panels_once(start_level):
    # whether a side scrolls was found by building it: a short window built the panels twice
    # (three times when both sides overflowed) in the resize's frame
    app = start_level("07-the-ring", size=(1280, 800))
    panels = app.scene.panels
    assert not panels._scroll
    built = []
    for name in ("_build_level_panel", "_build_controls"):
        builder = getattr(panels, name)
        setattr(panels, name, lambda s, b=builder, n=name: built.append(n) or b(s))
    send(app, [pygame.event.Event(pygame.VIDEORESIZE, w=1280, h=420, size=(1280, 420))], 1)
    assert panels._scroll == {"right"}  # the controls are taller than 420 px, the goals not
    assert sorted(built) == ["_build_controls", "_build_level_panel"]
