"""The plane's Laplace shading comes from `Session.region_laplace`: the fit's closed forms in
each region, made from the fit of the shown weights with the prior as it is now, and for a big
partition made on the geometry worker while the plane keeps the newest partition that has them."""

from __future__ import annotations

import numpy as np
import pytest

from sandbox import session as session_module
from sandbox.nn import MLP
from sandbox.session import Session
from sandbox.training_setup import new_points
from sandbox.vocab import Task, View

BOUNDS = (-3.0, 3.0, -2.0, 2.0)


def _session(seed: int = 3) -> Session:
    rng = np.random.default_rng(seed)
    s = Session()
    s.show_network(MLP([2, 8, 8, 2], seed=seed))
    X = rng.uniform(-2.5, 2.5, (40, 2))
    points = new_points(Task.CLASSIFICATION, 0.0, 0)
    points.add(X, (X[:, 0] * X[:, 1] > 0).astype(int))
    s.set_points(points)
    return s


def test_the_forms_are_the_fits_and_follow_the_prior_set_in_place():
    """Before, the plane keyed the shading on the fit object alone: "optimise the prior" sets
    the precision on that same object, so the shading kept the old prior until a refit."""
    s = _session()
    part = s.partition(BOUNDS)
    la = s.laplace(1.0).laplace
    first = s.region_laplace(part, 1.0)
    mean, var = la.region_coefficients(part.feature_maps)
    assert first.part is part and not first.error
    np.testing.assert_allclose(first.mean, mean, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(first.var, var, rtol=1e-12, atol=1e-12)
    assert s.region_laplace(part, 1.0) is first  # remembered, not made again

    s.set_prior_precision(la, 20.0)  # what the "optimise" button does
    after = s.region_laplace(part, 20.0)
    fresh = s.fit_laplace(20.0).laplace  # an independent fit with that prior
    _, var20 = fresh.region_coefficients(part.feature_maps)
    np.testing.assert_allclose(after.var, var20, rtol=1e-9, atol=1e-12)
    assert not np.allclose(after.var, first.var)  # a stronger prior: smaller variances


def test_none_without_a_fit_or_regions():
    s = _session()
    part = s.partition(BOUNDS)
    assert s.region_laplace(part, 1.0) is None  # no fit was made for these weights
    s.laplace(1.0)
    assert s.region_laplace(None, 1.0) is None


def test_a_big_partitions_forms_are_made_on_the_worker(monkeypatch):
    """Over HEAVY_REGIONS the forms are never made in the frame (0.2-0.5 s for the 73,000
    regions of 8 x 64); meanwhile the plane draws the newest partition that has them."""
    from sandbox.render.plane_view import _drawn_partition
    from sandbox.state import AppState

    monkeypatch.setattr(session_module, "HEAVY_REGIONS", 1)
    state = AppState()
    s = state.session
    s.show_network(_session().net)
    s.set_points(_session().points)
    s.background_above = 10.0  # the partitions themselves stay in the frame
    try:
        part = s.partition(BOUNDS)
        s.laplace(1.0)
        assert s.region_laplace(part, 1.0) is None  # on the worker: nothing yet
        assert s.wait_for_geometry(20)
        ready = s.region_laplace(part, 1.0)
        assert ready is not None and ready.part is part

        net = s.net.copy()
        W, b = net.layers[0]
        W[:] = W * 1.5  # new weights: a new partition, a new fit
        s.show_network(net)
        newer = s.partition(BOUNDS)
        s.laplace(1.0)
        meanwhile = s.region_laplace(newer, 1.0)
        assert meanwhile is ready  # the last one, while the worker makes the new
        state.partition, state.region_laplace = newer, meanwhile
        assert _drawn_partition(state) is part  # drawn with its own shading
        assert s.wait_for_geometry(20)
        done = s.region_laplace(newer, 1.0)
        assert done.part is newer
        state.region_laplace = done
        assert _drawn_partition(state) is newer
        la = s.current_laplace(1.0)
        np.testing.assert_allclose(done.mean, la.region_coefficients(newer.feature_maps)[0])
    finally:
        if s.worker is not None:
            s.worker.close()


@pytest.mark.parametrize("too_many", [True, False])
def test_the_drawn_partition_is_the_shown_one_without_forms(too_many):
    from sandbox.render.plane_view import _drawn_partition
    from sandbox.state import AppState

    state = AppState()
    s = _session()
    state.partition = s.partition(BOUNDS)
    if too_many:
        state.partition.too_many = True
    assert _drawn_partition(state) is state.partition


def test_the_drawn_partition_is_never_another_networks():
    from sandbox.render.plane_view import _drawn_partition
    from sandbox.session import RegionLaplace
    from sandbox.state import AppState

    state = AppState()
    old = _session().partition(BOUNDS)
    s = Session()
    s.show_network(MLP([2, 6, 2], seed=1))
    state.partition = s.partition(BOUNDS)
    state.region_laplace = RegionLaplace(old, 1.0, np.zeros((len(old), 2, 3)), np.zeros(0))
    assert _drawn_partition(state) is state.partition


@pytest.mark.gl
def test_optimising_the_prior_reshades_the_laplace_pane(make_app):
    """Before, "Optimise prior" set the precision on the fit in place and the plane, keyed on the
    fit object, never uploaded the new closed forms: paused, the old prior's shading stayed."""
    from sandbox import actions as A

    d = make_app(hidden=(8, 8), dataset="ring", points=120)
    d.state.views = d.state.views | {View.SPLIT}
    d.scene.train_now(300)
    d.run_frames(3, dt=1 / 30)
    uploads = []
    mesh = d.renderer.mesh
    original = mesh.set_laplace

    def spy(mean, var):
        uploads.append(np.array(var))
        return original(mean, var)

    mesh.set_laplace = spy
    before = d.state.prior_precision
    d.scene.apply(A.OptimizePrior())
    d.run_frames(2, dt=1 / 30)
    s = d.state
    assert s.prior_precision != before
    shade = s.region_laplace
    assert shade is not None and shade.prior_precision == s.prior_precision
    assert len(uploads) == 1 and d.scene.plane.renderer.laplace_ok
    fresh = s.session.fit_laplace(s.prior_precision, s.session.net_of(s.partition)).laplace
    _, var = fresh.region_coefficients(s.partition.feature_maps)
    np.testing.assert_allclose(uploads[0], var, rtol=1e-6, atol=1e-9)
