"""The experiments' own measures and views: the rose of crease directions (creases bunch), the
turn and slide of each crease over the first steps (bias before weights), the indecisive
neuron flagged in the inspector, and the four-neuron surface's contour lines, cross-section,
slope and second differences. The measures are checked against hand-made cases, and each
caption's claim on the experiment's own run."""

from __future__ import annotations

import numpy as np
import pytest
from gl_util import gl_session_fixture  # noqa: F401

from sandbox import actions as A
from sandbox.experiments import experiment
from sandbox.geometry import linear_regions, ray_probe
from sandbox.geometry.contours import (
    contour_levels,
    contour_segments,
    ray_section,
    slope_and_second_differences,
)
from sandbox.geometry.crease_motion import (
    bunching,
    crease_angles,
    crease_motion,
    half_time,
    indecisive_neurons,
    neuron_swings,
    pixel_grid,
    rose_counts,
    uniform_band,
)
from sandbox.geometry.surface import build_surface
from sandbox.nn import MLP

APP_DEFAULTS = {"size": (1280, 800)}


# ----------------------------------------------------------------------------- the measures
def test_crease_angle_and_offset_describe_the_line():
    rng = np.random.default_rng(1)
    W, b = rng.normal(size=(20, 2)), rng.normal(size=20)
    W[3] = 0.0
    theta, d = crease_angles(W, b)
    assert np.isnan(theta[3]) and np.isnan(d[3])
    ok = np.isfinite(theta)
    assert np.all((theta[ok] >= 0) & (theta[ok] < 2 * np.pi))
    n = np.column_stack([np.cos(theta), np.sin(theta)])
    on_line = d[:, None] * n  # the crease's nearest point to the origin
    np.testing.assert_allclose(np.sum(W * on_line, axis=1)[ok] + b[ok], 0.0, atol=1e-12)
    # the normal points to the side where the neuron is on
    inside = on_line + n
    assert np.all(np.sum(W * inside, axis=1)[ok] + b[ok] > 0)


def test_rose_counts_and_bunching_against_random_directions():
    rng = np.random.default_rng(2)
    theta = rng.uniform(0, 2 * np.pi, 500)
    counts = rose_counts(np.append(theta, np.nan))
    assert counts.sum() == 500 and len(counts) == 36
    mean, sd = uniform_band(500)
    assert mean == pytest.approx(500 / 36) and sd == pytest.approx(np.sqrt(500 / 36 * 35 / 36))
    draws = [bunching(rose_counts(rng.uniform(0, 2 * np.pi, 500))) for _ in range(400)]
    lo, hi = np.percentile(draws, [2.5, 97.5])
    assert 0.5 < lo < 1.0 < hi < 1.6  # the range the module docstring quotes
    crowded = np.concatenate([rng.normal(a, 0.05, 125) for a in (0.5, 2.0, 3.5, 5.0)])
    assert bunching(rose_counts(crowded % (2 * np.pi))) > 10
    assert bunching(np.zeros(36)) == 0.0


def test_crease_motion_reads_turn_and_slide_from_snapshots():
    net = MLP([2, 3, 1], seed=0)
    W0, b0 = (a.copy() for a in net.layers[0])
    norms = np.hypot(W0[:, 0], W0[:, 1])
    steps, params = [0, 1, 2, 10], []
    for k, angle in enumerate([0.0, 0.1, 0.3, 0.35]):  # radians turned, and slid by 0.5 k
        c, s = np.cos(angle), np.sin(angle)
        W = W0 @ np.array([[c, s], [-s, c]])  # each normal turned by +angle
        net.layers[0][0][:] = W
        net.layers[0][1][:] = b0 - 0.5 * k * norms  # the offset d = -b / |w| grows by 0.5 k
        params.append(net.params.copy())
    m = crease_motion(steps, params, net.layout)
    np.testing.assert_allclose(m.turn[:, 0], np.degrees([0.0, 0.1, 0.3, 0.35]), atol=1e-9)
    np.testing.assert_allclose(m.slide[:, 1], [0.0, 0.5, 1.0, 1.5], atol=1e-12)
    assert list(half_time(m.steps, m.turn)) == [2, 2, 2]  # 0.3 >= 0.35 / 2 first at step 2
    assert list(half_time(m.steps, m.slide)) == [2, 2, 2]  # 1.0 >= 0.75 first at step 2


def test_swings_and_the_indecisive_flag():
    net = MLP([2, 2, 2, 1], seed=0)
    grid = pixel_grid((-1.0, 1.0, -1.0, 1.0), 40)
    W, b = net.layers[0]
    W[:] = [[1.0, 0.0], [0.0, 1.0]]
    b[:] = 0.0
    first = net.params.copy()
    b[0] = -0.5  # neuron 0's crease moves from x = 0 to x = 0.5: a quarter of the square flips
    moved = net.params.copy()
    swing = neuron_swings(net, [first, moved, first], grid)
    assert swing[0] == pytest.approx(0.25) and swing[1] == 0.0
    assert np.array_equal(net.params, moved)  # the network itself is left alone
    swings = np.array([0.2, 0.01, 0.02, 0.015, 0.01, 0.0, 0.03, 0.02, 0.01, 0.01])
    assert list(np.flatnonzero(indecisive_neurons(swings, [1.0, 1.3, 0.95]))) == [0]
    assert not indecisive_neurons(swings, [1.0, 0.8]).any()  # the loss moved: no flag
    assert not indecisive_neurons(swings * 0.2, [1.0, 1.0]).any()  # nothing swings far


def test_contour_segments_lie_on_the_exact_surface():
    net = MLP([2, 4, 1], seed=5, bias_std=0.5)
    bounds = (-3.0, 3.0, -2.0, 2.0)
    fs = build_surface(linear_regions(net, bounds), net, "output")
    z = fs.surface.positions[:, 2]
    levels = contour_levels(z.min(), z.max(), 8)
    assert len(levels) == 8 and z.min() < levels.min() and levels.max() < z.max()
    segs = contour_segments(fs.surface.positions, fs.surface.triangles, levels)
    assert len(segs) > 8
    ends = segs.reshape(-1, 3)
    np.testing.assert_allclose(net.forward(ends[:, :2])[:, 0], ends[:, 2], atol=1e-9)
    assert set(np.round(ends[:, 2], 9)) <= set(np.round(levels, 9))
    mid = segs.mean(axis=1)  # a contour is straight on a facet: its midpoint is on it too
    np.testing.assert_allclose(net.forward(mid[:, :2])[:, 0], mid[:, 2], atol=1e-9)
    assert len(contour_segments(fs.surface.positions, fs.surface.triangles, [z.max() + 1])) == 0


def test_ray_section_and_second_differences():
    bounds = (-2.0, 2.0, -1.0, 1.0)
    seg = ray_section((-3.0, 0.0), (1.0, 0.0), bounds, lambda p: np.abs(p[:, 0]), n=40)
    ends = seg.reshape(-1, 3)
    assert ends[:, 0].min() == pytest.approx(-2.0) and ends[:, 0].max() == pytest.approx(2.0)
    np.testing.assert_allclose(ends[:, 2], np.abs(ends[:, 0]))
    assert len(ray_section((-3.0, 5.0), (1.0, 0.0), bounds, lambda p: p[:, 0])) == 0
    # |r - 2| on [0, 5]: slope -1 then +1; second differences zero but at the kink
    r, f, rs, slope, r2, second = slope_and_second_differences([0, 2, 5], [2, 0, 3], n=51)
    np.testing.assert_allclose(f, np.abs(r - 2), atol=1e-12)
    assert set(np.round(slope, 9)) == {-1.0, 1.0}
    kink = np.abs(r2 - 2.0) < 0.11
    assert np.all(np.abs(second[~kink]) < 1e-12) and np.abs(second[kink]).max() > 0.1


# ------------------------------------------------------------------------------ the claims
def test_creases_bunch_against_random_directions():
    from sandbox.data import make_dataset
    from sandbox.nn import Trainer

    e = experiment("creases-bunch")
    X, y = make_dataset(e.dataset, resolution=e.resolution)
    net = MLP([2, *e.hidden, 1], seed=e.seed)
    tr = Trainer(net, X, y, task="regression", optimizer=e.optimizer, lr=e.learning_rate,
                 batch_size=e.batch_size)  # fmt: skip
    theta0, d0 = crease_angles(*net.layers[0])
    tr.step(10_000)
    theta, d = crease_angles(*net.layers[0])
    start, now = bunching(rose_counts(theta0)), bunching(rose_counts(theta))
    assert start < 1.5 < 2.0 < now and now > 2 * start, (start, now)  # "two to three times"
    assert np.median(np.abs(d0)) < 0.2 and np.median(np.abs(d)) > 1.0  # out to the edge


def test_the_rose_card_is_drawn_live(make_app):
    d = make_app(experiment="creases-bunch")
    scene = d.scene
    d.send([], frames=3)
    counts, band, offsets, start_offsets, now, start = scene.readout.data
    assert counts.sum() == 500 and band[0] == pytest.approx(500 / 36)
    assert 0.3 < start < 1.6 and len(start_offsets) == len(offsets) == 500
    card = scene.readout.card(_plane(d), d.state.scale)
    assert card is not None
    image, rect = card
    assert _plane(d).contains(rect) and image.get_size() == rect.size


def _plane(d):
    import pygame

    return pygame.Rect(d.state.layout.plane)


def test_creases_turn_before_they_slide(make_app):
    d = make_app(experiment="bias-weights")
    scene = d.scene
    # paused: the chart is measured in the next frame (while training it is held for a quarter
    # of a second of wall time, which a fast machine does not reach in two frames)
    scene.apply(A.SetPlaying(False))
    scene.train_now(300)
    d.send([], frames=2)
    m = scene.readout.data
    assert m.steps[0] == 0 and 250 < m.steps[-1] <= 300 and m.turn.shape[1] == 16
    assert np.all(np.diff(m.steps[:101]) == 1)  # every one of the first steps is there
    turn = np.median(half_time(m.steps, m.turn))
    slide = np.median(half_time(m.steps, m.slide))
    assert turn <= 10 and slide >= 20 and slide >= 2 * turn, (turn, slide)  # the caption's 5, 20-30
    assert scene.readout.card(_plane(d), d.state.scale) is not None


def test_the_indecisive_neuron_is_flagged(make_app):
    d = make_app(experiment="indecisive")
    scene = d.scene
    d.send([], frames=3)
    flags = scene.readout.data
    assert flags.sum() == 1 and np.flatnonzero(flags)[0] >= 32  # one neuron, in layer 3
    assert scene.inspector.indecisive is flags
    assert scene.inspector.diagram.indecisive is flags  # the "~" badge is drawn from these
    tl = d.state.session.timeline
    keep = tl.steps >= tl.steps[-1] - 400
    params = [tl.snapshot(int(i)).params for i in np.flatnonzero(keep)]
    swing = neuron_swings(d.state.net, params, pixel_grid((-6.0, 6.0, -6.0, 6.0)))
    top, second = np.sort(swing)[-2:][::-1]
    assert np.argmax(swing) == np.flatnonzero(flags)[0]
    assert top >= 0.08 and top >= 1.8 * second, swing  # a tenth; no other half as far
    loss = tl.train_losses[keep]
    assert abs(loss[-1] - loss[0]) / loss[0] <= 0.1
    layer, index = 3, int(np.flatnonzero(flags)[0]) - 32
    d.state.stage.selected = (layer, index)
    d.send([], frames=2)
    assert any("indecisive: its crease swings" in t.lower() for t in d.state.stage.neuron_text)


def test_four_neurons_contours_section_and_slopes(make_app):
    d = make_app(experiment="four-neurons")
    scene = d.scene
    d.send([], frames=3)
    assert not d.state.show_points
    content = scene.stage.content()
    net = d.state.net
    lines, section = content.surface_lines, content.section
    assert content.probe_slopes and len(lines) > 20 and len(section) > 100
    ends = lines.reshape(-1, 3)
    np.testing.assert_allclose(net.forward(ends[:, :2])[:, 0], ends[:, 2], atol=1e-9)
    probe = scene.probe.probes[0]
    pts = section.reshape(-1, 3)
    np.testing.assert_allclose(net.forward(pts[:, :2])[:, 0], pts[:, 2], atol=1e-12)
    along = pts[:, :2] - probe.origin
    np.testing.assert_allclose(along[:, 0] * probe.direction[1], along[:, 1] * probe.direction[0],
                               atol=1e-9)  # fmt: skip
    crossings = ray_probe(net, probe.origin, probe.direction, probe.r_max).radii
    assert len(np.unique(crossings)) >= 3  # the ray was chosen to cross creases
    curve = scene.probe.curves[0]
    r, f, rs, slope, r2, second = slope_and_second_differences(curve.radius, curve.logit_difference)
    dr = r[1] - r[0]
    near = np.zeros(len(r2), dtype=bool)
    for c in crossings:
        near |= np.abs(r2 - c) <= 1.01 * dr
    assert np.all(np.abs(second[~near]) < 1e-9) and np.abs(second[near]).max() > 1e-6
    # the cross-section is drawn on the 3D view: its orange shows there
    pixels = d.app.renderer.read_pixels()
    x, y, w, h = d.state.stage.rects.view3d
    view = pixels[y : y + h, x : x + w].reshape(-1, 3).astype(int)
    orange = np.abs(view - [214, 94, 0]).max(axis=1) < 40
    assert orange.sum() > 30


def test_adam_and_sgd_side_by_side(make_app):
    d = make_app(experiment="pulse-adam")
    scene = d.scene
    scene.train_now(300)
    d.send([], frames=2)
    tr, shadow = d.state.session.trainer, scene.readout.compare.trainer
    sgd = experiment("pulse-sgd")  # the comparison is that experiment's run
    assert shadow is not None and shadow.optimizer == sgd.optimizer
    assert shadow.lr == pytest.approx(sgd.learning_rate) and shadow.batch_size == sgd.batch_size
    assert shadow.steps == tr.steps  # in step with this run
    steps, loss = np.array(scene.readout.compare.losses).T
    assert len(steps) >= 10 and np.all(np.diff(steps) > 0) and steps[-1] == tr.steps
    late = loss[steps >= 100]  # past the first steps' swings (as test_experiments measures)
    assert len(late) >= 6 and np.all(late[1:] < 3 * late[:-1])  # no jump of three times over
    image, rect = scene.readout.card(_plane(d), d.state.scale)
    assert _plane(d).contains(rect)


def test_two_seeds_side_by_side_with_their_scores(make_app):
    from sandbox.geometry.symmetry import crease_symmetry

    d = make_app(experiment="symmetry-a")
    scene = d.scene
    d.send([], frames=3)  # the seed-1 run catches up with the 3,000 steps trained at start
    run, other = scene.readout.compare, experiment("symmetry-b")
    assert run.other is other and run.trainer.steps == d.state.session.trainer.steps == 3000
    assert list(run.net.sizes) == [2, *other.hidden, 1] and run.trainer.lr == other.learning_rate
    here, there = crease_symmetry(d.state.net), crease_symmetry(run.net)
    assert here != there  # the same task and settings, another seed: another score
    image, rect = scene.readout.card(_plane(d), d.state.scale)
    assert _plane(d).contains(rect)


def test_500_creases_beat_10_after_4000_steps_in_step():
    from sandbox.data import make_dataset
    from sandbox.data.pictures import disk_picture
    from sandbox.fit import picture_psnr
    from sandbox.nn import Trainer

    X, y = make_dataset("image:disk", resolution=64)
    picture, psnr = disk_picture(256), {}
    for exp_id in ("disk-500", "disk-10"):  # the card's comparison run is disk-10's
        e = experiment(exp_id)
        net = MLP([2, *e.hidden, 1], seed=e.seed)
        Trainer(net, X, y, task="regression", optimizer=e.optimizer, lr=e.learning_rate,
                batch_size=e.batch_size).step(4000)  # fmt: skip
        psnr[exp_id] = picture_psnr(net, picture)
    assert psnr["disk-500"] > psnr["disk-10"] + 2.0, psnr
    assert experiment("disk-500").compare == "disk-10"


def test_which_moves_first_depends_on_where_the_pixels_sit():
    """The caption's last sentence: the same bottle run with its pixels moved into [0, 1]
    (GINN's set-up: the creases start near a corner) slides before it turns."""
    from sandbox.data import make_dataset
    from sandbox.nn import Trainer

    e = experiment("bias-weights")
    X, y = make_dataset(e.dataset, resolution=e.resolution)
    halves = {}
    for name, inputs in (("centred", X), ("corner", (X + 6.0) / 12.0)):
        net = MLP([2, *e.hidden, 1], seed=e.seed)
        tr = Trainer(net, inputs, y, task="regression", optimizer=e.optimizer,
                     lr=e.learning_rate, batch_size=e.batch_size)  # fmt: skip
        steps, params = [0], [net.params.copy()]
        while tr.steps < 300:
            tr.step(1 if tr.steps < 100 else 10)
            steps.append(tr.steps)
            params.append(net.params.copy())
        m = crease_motion(steps, params, net.layout)
        halves[name] = (
            np.median(half_time(m.steps, m.turn)),
            np.median(half_time(m.steps, m.slide)),
        )
    assert halves["centred"][0] < halves["centred"][1], halves  # turn first
    assert halves["corner"][1] < halves["corner"][0], halves  # slide first


def test_a_small_window_shows_the_chart_in_the_captions_place(make_app):
    import pygame
    import pygame_gui

    d = make_app(experiment="bias-weights", size=(800, 600))
    scene, s = d.scene, d.state.scale
    d.send([], frames=2)
    plane = _plane(d)
    assert scene.readout.card(plane, s, above=scene._caption_rect()) is None  # no room under it
    press = pygame.event.Event(pygame_gui.UI_BUTTON_PRESSED, ui_element=scene.caption_button)
    d.send([press], frames=2)
    assert not scene.show_caption
    _, rect = scene.readout.card(plane, s, beside=scene._buttons_rect())
    assert plane.contains(rect) and not rect.colliderect(scene._buttons_rect())
