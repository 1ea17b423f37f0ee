"""The seeds' experiments: each opens as its caption says (network, views, training), the
Experiments page lists them, Replay starts one again, and each caption's claim holds on the
experiment's own run."""

from __future__ import annotations

import numpy as np
import pytest
from gl_util import gl_session_fixture  # noqa: F401

from sandbox import cli, render_cli
from sandbox import game_actions as G
from sandbox.bayes import LastLayerLaplace
from sandbox.experiments import EXPERIMENTS, experiment, listing
from sandbox.fit import FitJob, fit
from sandbox.geometry.ray import ray_probe
from sandbox.nn import softmax
from sandbox.scenes.experiment import ExperimentScene
from sandbox.vocab import Schedule, View

APP_DEFAULTS = {"size": (1100, 720)}
IDS = [e.id for e in EXPERIMENTS]


def test_list_prints_one_id_then_its_title_per_line(capsys):
    assert cli.main(["--experiment", "list"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert [line.split()[0] for line in lines] == IDS
    assert all(line.endswith(e.title) for line, e in zip(lines, EXPERIMENTS, strict=True))
    assert render_cli.main(["--experiment", "list"]) == 0
    assert capsys.readouterr().out.strip() == listing()
    assert cli.main(["--experiment", "nope"]) == 2
    assert "unknown experiment 'nope'; allowed: one-neuron" in capsys.readouterr().err
    for e in EXPERIMENTS:  # one paragraph each, long enough to say what to look for
        assert 150 < len(e.caption) < 600 and "\n" not in e.caption


@pytest.mark.parametrize("exp_id", IDS)
def test_each_experiment_opens_as_it_says(make_app, exp_id):
    exp = experiment(exp_id)
    d = make_app(experiment=exp_id)
    scene, s = d.scene, d.state
    assert isinstance(scene, ExperimentScene) and scene.experiment is exp
    assert s.settings.hidden == list(exp.hidden)
    assert s.preset == exp.dataset
    assert {v.value for v in s.views} == set(exp.views)
    assert s.playing == exp.play
    assert s.layer_view == exp.layer_view
    assert s.trainer.schedule.kind is Schedule(exp.schedule)
    d.send([], frames=3)
    assert s.metrics.step >= exp.steps
    assert scene.replay_button is not None
    # the plane is drawn (never blank): more than a couple of colours in it
    pixels = d.app.renderer.read_pixels()
    x, y, w, h = s.layout.plane
    plane = pixels[y + h // 2 : y + h - 10, x + 10 : x + w - 10].reshape(-1, 3)
    assert len(np.unique(plane // 16, axis=0)) > 3
    # Replay: the same experiment again from its start
    scene.apply(G.OpenExperiment(exp_id))
    d.send([], frames=2)
    again = d.app.scene
    assert again is not scene and isinstance(again, ExperimentScene)
    assert again.experiment is exp and again.state.metrics.step <= exp.steps + 30


def test_the_menu_has_an_experiments_page(make_app):
    d = make_app(menu=True)
    menu = d.scene
    menu.apply(G.ShowPage("experiments"))
    d.send([], frames=2)
    panels = menu.panels
    assert {f"exp_{i}" for i in IDS} <= set(panels.buttons)
    assert "page_levels" in panels.buttons and panels.buttons["page_experiments"].is_selected
    menu.apply(G.OpenExperiment("ring-partitions"))
    d.send([], frames=3)
    assert isinstance(d.app.scene, ExperimentScene)


# ----------------------------------------------------------------------------- the claims
def _along(net, origin, direction, radii):
    pts = np.asarray(origin) + radii[:, None] * np.asarray(direction)
    return net.forward(pts)


def test_one_neuron_is_flat_on_one_side_and_a_plane_on_the_other(make_app):
    d = make_app(experiment="one-neuron")
    net = d.state.net
    (W, b), (w2, b2) = net.weights()
    a, bb, c = W[0, 0], W[0, 1], b[0]
    rng = np.random.default_rng(0)
    X = rng.uniform(-6, 6, (500, 2))
    expected = w2[0, 0] * np.maximum(a * X[:, 0] + bb * X[:, 1] + c, 0) + b2[0]
    np.testing.assert_allclose(net.forward(X)[:, 0], expected, atol=1e-12)
    off = (a * X[:, 0] + bb * X[:, 1] + c) < 0
    assert off.any() and (~off).any()  # the crease crosses the window
    np.testing.assert_allclose(net.forward(X[off])[:, 0], b2[0], atol=1e-12)  # flat side


def test_500_creases_fit_the_disk_better_than_10():
    scores = {}
    for exp_id in ("disk-10", "disk-500"):
        e = experiment(exp_id)
        job = FitJob(e.dataset, e.hidden, 2000, learning_rate=e.learning_rate,
                     batch_size=e.batch_size, resolution=e.resolution, seed=e.seed)  # fmt: skip
        scores[exp_id] = fit(job).psnr
    assert scores["disk-500"] > scores["disk-10"] + 1.0, scores


def test_ginn_bottle_anneals_and_colours_three_layers(make_app):
    d = make_app(experiment="ginn-bottle")
    s = d.state
    d.scene.train_now(400)
    tr = s.trainer
    assert tr.schedule.steps == 20_000 and 0 < tr.current_lr() < tr.lr
    d.send([], frames=2)
    assert set(np.unique(s.partition.creases.layer)) == {1, 2, 3}
    assert View.TIMELINE in s.views


def test_the_ring_joint_partition_refines_layer_one(make_app):
    d = make_app(experiment="ring-partitions")
    s = d.state
    bounds = (-7.0, 7.0, -7.0, 7.0)
    one = s.session.partition(bounds, upto_layer=1)
    joint = s.session.partition(bounds)
    assert 1 < one.n_regions < joint.n_regions
    assert len(joint.boundary) > 0
    assert s.metrics.train_accuracy > 0.95


def test_ray_probe_is_linear_between_creases_and_sure_far_away(make_app):
    d = make_app(experiment="ray-probe")
    net = d.state.net
    probe = ray_probe(net, (0.0, 0.0), (1.0, 0.3), 8.0)
    # between consecutive crossings the logit difference is exactly linear in r
    bp = probe.breakpoints
    for r0, r1 in zip(bp[:-1], bp[1:], strict=True):
        if r1 - r0 < 1e-6:
            continue
        r = np.linspace(r0, r1, 7)[1:-1]
        diff = np.diff(_along(net, (0, 0), probe.direction, r), axis=1)[:, 0]
        np.testing.assert_allclose(np.diff(diff, 2), 0.0, atol=1e-9)
    far = softmax(_along(net, (0, 0), probe.direction, np.array([50.0, 500.0, 5000.0])))
    assert far.max(axis=1)[-1] > 0.999 and np.all(np.diff(far.max(axis=1)) >= -1e-12)


def test_laplace_is_humbler_than_map_far_away(make_app):
    d = make_app(experiment="map-vs-laplace")
    s = d.state
    net, pts = s.net, s.points
    la = LastLayerLaplace(net, prior_precision=1.0).fit(pts.X, pts.y)
    far = np.array([[60.0, 20.0], [-50.0, 45.0], [10.0, -70.0]])
    map_conf = softmax(net.forward(far)).max(axis=1)
    lap_conf = la.predict_proba(far).max(axis=1)
    assert np.all(lap_conf < map_conf) and map_conf.min() > 0.99
    assert View.SPLIT in s.views and s.camera.zoom < 0.1


def test_four_neurons_slope_is_constant_inside_regions(make_app):
    d = make_app(experiment="four-neurons")
    net = d.state.net
    u = np.array([0.6, 0.8])
    r = np.linspace(0.0, 8.0, 801)
    f = _along(net, (0, 0), u, r)[:, 0]
    second = np.abs(np.diff(f, 2))
    crossings = ray_probe(net, (0, 0), u, 8.0).radii
    near = np.zeros_like(second, dtype=bool)
    for c in crossings:
        near |= np.abs(r[1:-1] - c) <= 0.011
    assert np.all(second[~near] < 1e-9)  # zero inside regions
    if len(crossings):
        assert second[near].max() > 1e-6  # a spike at a crease


def test_sharp_edges_carry_the_error(make_app):
    from sandbox.data import load_picture

    d = make_app(experiment="sharp-edges")
    s = d.state
    assert View.ERROR in s.views
    pic = load_picture("star")
    err = np.abs(np.clip(s.net.forward(pic.pixel_centres())[:, 0], 0, 1) - pic.pixels.ravel())
    p = pic.pixels
    # edge pixels: a neighbour within two pixels has the other colour
    pad = np.pad(p, 2, mode="edge")
    h, w = p.shape
    windows = [pad[i : i + h, j : j + w] for i in range(5) for j in range(5)]
    edge = (np.max(windows, axis=0) - np.min(windows, axis=0) > 0.5).ravel()
    assert err[edge].mean() > 4 * err[~edge].mean(), (err[edge].mean(), err[~edge].mean())


def test_adam_pulses_where_sgd_does_not():
    from sandbox.data import make_dataset
    from sandbox.nn import MLP, Trainer

    spikes, finals = {}, {}
    for exp_id in ("pulse-adam", "pulse-sgd"):
        e = experiment(exp_id)
        X, y = make_dataset(e.dataset, resolution=e.resolution)
        net = MLP([2, *e.hidden, 1], seed=e.seed)
        tr = Trainer(net, X, y, task="regression", optimizer=e.optimizer, lr=e.learning_rate,
                     batch_size=e.batch_size)  # fmt: skip
        losses = []
        for _ in range(6):
            tr.step(500)
            losses.append(tr.batch_losses())
        loss = np.concatenate(losses)
        assert len(loss) == 3000 and not tr.diverged
        median = np.array([np.median(loss[i - 100 : i]) for i in range(100, len(loss))])
        spikes[exp_id] = int((loss[100:] > 3 * median).sum())
        finals[exp_id] = float(loss[-200:].mean())
    assert spikes["pulse-adam"] >= 20 and spikes["pulse-sgd"] == 0, spikes
    assert finals["pulse-sgd"] < 1.5 * finals["pulse-adam"], finals


def test_copycats_are_found_and_flagged(make_app):
    from sandbox.geometry.health import copycat_neurons

    d = make_app(experiment="copycats")
    s = d.state
    d.send([], frames=3)
    x0, y0, x1, y1 = s.camera.world_bounds()
    pairs = copycat_neurons(s.net, (x0, x1, y0, y1))
    assert pairs, "no copycats in this run"
    # the inspector's diagram carries the "=" badge of each (flags over every hidden neuron)
    flags = d.scene.inspector.copycat
    assert flags.sum() >= 2


def test_the_caption_hides_and_comes_back(make_app):
    import pygame
    import pygame_gui

    d = make_app(experiment="one-neuron")
    scene = d.scene
    press = pygame.event.Event(pygame_gui.UI_BUTTON_PRESSED, ui_element=scene.caption_button)
    assert scene.show_caption
    d.send([press], frames=2)
    assert not scene.show_caption and scene.caption_button.text == "Caption"
    d.send([press], frames=2)
    assert scene.show_caption and scene.caption_button.text == "Hide"


def test_symmetry_scores_mirror_twins_and_differs_between_seeds(make_app):
    from sandbox.geometry.symmetry import crease_symmetry
    from sandbox.nn import MLP

    net = MLP([2, 6, 1], seed=0)
    W, b = net.layers[0]
    W[3:], b[3:] = W[:3] * [-1.0, 1.0], b[:3]  # every crease has its mirror twin
    assert crease_symmetry(net) == pytest.approx(1.0)
    W[3:] = W[:3] * [1.0, -1.0]  # mirrored in the other axis: no twins across x = 0
    assert crease_symmetry(net) < 0.9
    scores = []
    for exp_id in ("symmetry-a", "symmetry-b"):
        d = make_app(experiment=exp_id)
        assert d.scene.experiment.readout == "symmetry"
        d.send([], frames=2)  # the card draws the score
        scores.append(crease_symmetry(d.state.net))
    assert 0.0 <= min(scores) and max(scores) <= 1.0 and scores[0] != scores[1]
