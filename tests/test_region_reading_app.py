"""Reading a region through the running app (offscreen, real OpenGL): Enter over the plane reads
the region under the pointer (and so does a click while the toolbar's Read is on), the arrow
keys walk across exactly one crease, a click reads another region instead of painting, a crease
or a bit of the card lights a neuron's regions, Ctrl+C copies exact numbers, the selection
follows its pattern through training and says so when the region is gone, Esc lets go (the
brush paints again), and typing in a text field reads nothing."""

from __future__ import annotations

import numpy as np
import pygame
from app_util import click, key, motion

from sandbox import stage_actions as S
from sandbox.geometry.region_query import (
    find_pattern,
    locate,
    neuron_on,
    pattern_text,
    read_region,
)
from sandbox.render.region_marks import lit_neuron
from sandbox.scenes import reading
from sandbox.ui.region_card import card_layout

APP_DEFAULTS = {"points": 120, "hidden": (6, 6)}


def read_under(app, fx=0.5, fy=0.5):
    """Move the pointer to a share of the plane, press Enter; the facts read."""
    pos = app.plane_point(fx, fy)
    app.send(motion(pos) + key(pygame.K_RETURN), frames=2)
    return pos, app.state.reading.facts


def inside(facts) -> tuple[float, float]:
    """A point well inside the region (centroid pulled towards the vertices' mean)."""
    return tuple(0.5 * facts.centroid + 0.5 * facts.polygon.mean(axis=0))


def test_enter_reads_arrows_walk_one_crease_and_clicks_read_not_paint(make_app, monkeypatch):
    app = make_app()
    s = app.state
    pos, facts = read_under(app)
    assert s.reading.active and facts is not None
    assert facts.region == locate(s.partition, app.world(pos))
    check_outline(app, pos)
    n_points = len(s.points)
    walked = 0
    for k in (pygame.K_RIGHT, pygame.K_UP, pygame.K_LEFT, pygame.K_DOWN, pygame.K_RIGHT):
        before = s.reading.facts
        app.send(key(k), frames=1)
        after = s.reading.facts
        if after.region == before.region:
            continue  # no neighbour that way (the window's edge)
        walked += 1
        old = np.concatenate(before.bits)
        new = np.concatenate(after.bits)
        assert (old != new).sum() == 1, "a step crosses exactly one crease"
        assert s.reading.crossed.startswith("Crossed one crease: L")
    assert walked >= 2
    # a click on another region (a large one, off the card) reads it, and paints nothing
    target, px = clickable_region(app, pos)
    app.send(click(px), frames=2)
    assert s.reading.facts.region == target
    assert len(s.points) == n_points
    check_crease_click(app, pos)
    check_card(app, monkeypatch)
    # Esc lets go; then a click paints again
    app.send(key(pygame.K_ESCAPE), frames=1)
    assert not s.reading.active and s.reading.facts is None
    app.send(click(app.plane_point(0.6, 0.6)), frames=1)
    assert len(s.points) > n_points
    # a neuron selected in the inspector is hatched where it is on, its crease drawn bold
    marks = app.scene.plane.renderer.marks
    assert marks.lit.count == 0
    app.send(key(pygame.K_i), frames=1)
    app.scene.apply(S.PickNeuron(2, 1))
    app.run_frames(1)
    assert lit_neuron(s) == (2, 1) and marks.lit.count > 0
    assert app.scene.__class__.__name__ != "MenuScene"


def test_the_read_button_reads_with_the_mouse_alone(make_app):
    app = make_app()
    s = app.state
    n_points = len(s.points)
    big = int(np.argmax(s.partition.areas()))
    view, _ = app.scene.plane.view_at(app.plane_point(0.5, 0.5))
    x, y, _, _ = s.layout.plane
    px = view.world_to_screen(np.asarray(inside(read_region(s.partition, big)))) + (x, y)
    pos = (round(px[0]), round(px[1]))
    app.press("Read")
    assert s.reading.tool and not s.reading.active and app.button("Read").is_selected
    assert "Read is on" in s.toast.text
    app.send(motion(pos), frames=1)
    app.send(click(pos), frames=2)
    assert s.reading.active and s.reading.facts.region == big
    assert len(s.points) == n_points  # read, not painted
    # Read again lets go, and a click paints again
    app.press("Read")
    assert not s.reading.active and not s.reading.tool and not app.button("Read").is_selected
    app.send(click(pos), frames=1)
    assert len(s.points) > n_points
    # Enter lights the button too; Esc lets go of the region and the tool
    app.send(motion(pos) + key(pygame.K_RETURN), frames=2)
    assert s.reading.active and app.button("Read").is_selected
    app.press("Read")
    app.press("Read")
    assert s.reading.tool
    app.send(key(pygame.K_ESCAPE), frames=1)
    assert not s.reading.tool and not app.button("Read").is_selected


def test_the_selection_follows_its_pattern_through_training_and_says_when_gone(make_app):
    app = make_app()
    s = app.state
    app.scene.train_now(40)
    app.send(motion(app.plane_point(0.45, 0.55)), frames=1)
    # an Enter that a focused text field used never reaches the reader
    event = pygame.event.Event(pygame.KEYDOWN, key=pygame.K_RETURN, mod=0, unicode="\r")
    assert app.scene.translate(event, True) == []
    assert not s.reading.active
    # read the largest region (Enter over a point well inside it)
    big = int(np.argmax(s.partition.areas()))
    view, _ = app.scene.plane.view_at(app.plane_point(0.5, 0.5))
    x, y, _, _ = s.layout.plane
    px = view.world_to_screen(np.asarray(inside(read_region(s.partition, big)))) + (x, y)
    app.send(motion((round(px[0]), round(px[1]))) + key(pygame.K_RETURN), frames=2)
    facts = s.reading.facts
    assert facts is not None and facts.region == big
    pattern = facts.pattern
    # training moves the creases a little: the same pattern is still read, wherever it went
    app.scene.train_now(3)
    app.run_frames(2)
    assert s.reading.facts is not None and s.reading.facts.pattern == pattern
    assert s.reading.facts.region == find_pattern(s.partition, pattern)
    assert pattern_text(s.partition, s.reading.facts.region) == pattern
    # first layer all off (or all on) everywhere: that pattern exists no more, the card says so
    saved = s.net.params.copy()
    W1, b1 = s.net.layers[0]
    first = facts.bits[0]
    W1[...] = 0.0
    b1[...] = -1.0 if first.any() else 1.0
    s.session.weights_changed(edited=True)
    app.run_frames(2)
    assert find_pattern(s.partition, pattern) is None
    assert s.reading.facts is None and "gone" in s.reading.gone
    lay = card_layout(s)
    assert any(item[0] == "title" and item[3] == "Region gone" for item in lay.items)
    # the weights come back, and so does the region
    s.net.params[:] = saved
    s.session.weights_changed(edited=True)
    app.run_frames(2)
    assert s.reading.facts is not None and s.reading.facts.pattern == pattern
    # the card's close box lets go
    app.send(click(card_layout(s).close.center), frames=1)
    assert not s.reading.active


def clickable_region(app, pos) -> tuple[int, tuple[int, int]]:
    """A region other than the one read, by size, and a window pixel well inside it that is
    neither under the card nor near a crease."""
    s = app.state
    part = s.partition
    view, _ = app.scene.plane.view_at(pos)
    x, y, w, h = s.layout.plane
    card = card_layout(s).rect.inflate(20, 20)
    for r in np.argsort(-part.areas()):
        if r == s.reading.facts.region:
            continue
        px = view.world_to_screen(np.asarray(inside(read_region(part, int(r))))) + (x, y)
        p = (round(px[0]), round(px[1]))
        seg = part.creases.segments
        world = app.world(p)
        a, b = seg[:, :2], seg[:, 2:]
        t = np.clip(((world - a) * (b - a)).sum(1) / ((b - a) ** 2).sum(1), 0, 1)
        far = np.hypot(*(world - (a + t[:, None] * (b - a))).T).min() * view.pixels_per_unit > 12
        if (
            far
            and not card.collidepoint(p)
            and x + 10 < p[0] < x + w - 10
            and y + 10 < p[1] < y + h - 10
        ):
            return int(r), p
    raise AssertionError("no region to click")


def check_outline(app, pos):
    """The region read is outlined in white on the plane (the line pass draws over the field,
    the creases and the points)."""
    s = app.state
    facts = s.reading.facts
    view, _ = app.scene.plane.view_at(pos)
    x, y, w, h = s.layout.plane
    app.send(motion((x + w + 40, y + h + 40)), frames=1)  # off the plane: no hover readout
    pixels = app.renderer.read_pixels()
    card = card_layout(s).rect.inflate(30, 30)
    seen = 0
    poly = facts.polygon
    for a, b in zip(poly, np.roll(poly, -1, axis=0), strict=True):
        mx, my = view.world_to_screen(0.5 * (a + b)) + (x, y)
        px, py = round(mx), round(my)
        if card.collidepoint(px, py) or not (x + 8 <= px < x + w - 8 and y + 8 <= py < y + h - 8):
            continue
        patch = pixels[py - 1 : py + 2, px - 1 : px + 2].reshape(-1, 3)
        assert (patch.min(axis=1) > 200).any(), (px, py, patch)
        seen += 1
    assert seen >= 1


def check_card(app, monkeypatch):
    """A click on a bit of the card lights that neuron (again: puts it out); Ctrl+C copies
    the formulas at full precision."""
    s = app.state
    lay = card_layout(s)
    rect, layer, index = lay.cells[len(lay.cells) - 2]  # a neuron of the last layer
    app.send(click(rect.center), frames=2)
    assert s.reading.neuron == (layer, index)
    assert s.reading.lit == int(neuron_on(s.partition, layer, index).sum())
    assert s.reading.tint == sum(s.net.hidden_sizes[: layer - 1]) + index
    assert s.reading.active  # a click on the card reads no region under it
    app.send(click(rect.center), frames=1)
    assert s.reading.neuron is None and s.reading.tint is None
    copied: list[str] = []
    monkeypatch.setattr(reading.gui_utility, "clipboard_copy", copied.append)
    app.send(key(pygame.K_c, mod=pygame.KMOD_CTRL), frames=1)
    assert copied and all(repr(float(v)).lstrip("-") in copied[0]
                          for v in s.reading.facts.formula.ravel())  # fmt: skip


def check_crease_click(app, pos):
    """A click on a crease lights its neuron; the region read stays."""
    s = app.state
    facts = s.reading.facts
    view, _ = app.scene.plane.view_at(pos)
    x, y, _, _ = s.layout.plane
    card = card_layout(s).rect.inflate(20, 20)
    for nb in facts.neighbours:  # one whose shared side shows (not under the card)
        px = view.world_to_screen(nb.side.mean(axis=0)) + (x, y)
        p = (round(px[0]), round(px[1]))
        if not card.collidepoint(p) and s.layout.in_plane(p):
            break
    app.send(click(p), frames=1)
    ((layer, index),) = nb.flipped
    assert s.reading.neuron is not None
    # the crease nearest the click is the shared side's (or one that meets it there)
    assert s.reading.neuron == (layer, index)
    assert s.reading.facts.region == facts.region
    app.send(click(p), frames=1)  # again: the light goes out
    assert s.reading.neuron is None
