"""The first layer's region count without a partition, and the quick "too many" it allows."""

from __future__ import annotations

import numpy as np
import pytest

from sandbox.geometry import linear_regions
from sandbox.geometry.arrangement import (
    FIRST_LAYER_REGION_CAP,
    bounded_regions,
    first_layer_regions,
)
from sandbox.nn import MLP


@pytest.mark.parametrize("width,seed", [(1, 0), (5, 0), (12, 1), (30, 2), (64, 3)])
def test_the_count_is_the_exact_partitions(width, seed):
    net = MLP([2, width, 1], seed=seed)
    bounds = (-7.0, 7.0, -5.0, 5.0)
    assert first_layer_regions(net, bounds) == linear_regions(net, bounds).n_regions


def _pairs_inside(net, bounds) -> int:
    """1 + L + I the long way: every pair of crossing lines solved, the crossing kept when it
    lies inside the window (an independent count)."""
    W, b = net.weights()[0]
    xmin, xmax, ymin, ymax = bounds
    corners = np.array([[xmin, ymin], [xmax, ymin], [xmax, ymax], [xmin, ymax]])
    v = corners @ W.T + b
    keep = (v.min(axis=0) < 0) & (v.max(axis=0) > 0)
    W, b = W[keep], b[keep]
    inside = 0
    for i in range(len(b)):
        for j in range(i + 1, len(b)):
            det = W[i, 0] * W[j, 1] - W[i, 1] * W[j, 0]
            if abs(det) > 1e-12:
                x, y = np.linalg.solve(W[[i, j]], -b[[i, j]])
                inside += xmin < x < xmax and ymin < y < ymax
    return 1 + len(b) + inside


@pytest.mark.parametrize("seed", range(6))
def test_the_count_from_chord_ends_is_the_pairwise_count(seed):
    rng = np.random.default_rng(seed)
    net = MLP([2, 40, 1], seed=seed)
    c, h = rng.normal(size=2), 0.2 + 3 * abs(rng.normal())
    bounds = (c[0] - h, c[0] + h, c[1] - 0.6 * h, c[1] + 0.6 * h)
    assert first_layer_regions(net, bounds) == _pairs_inside(net, bounds)


def test_a_first_layer_of_hundreds_is_too_many_at_once(monkeypatch):
    import sandbox.geometry.arrangement as arrangement

    net = MLP([2, 500, 1], seed=0)
    bounds = (-7.0, 7.0, -5.0, 5.0)
    assert first_layer_regions(net, bounds) > FIRST_LAYER_REGION_CAP

    def no_kernels(*args, **kw):
        raise AssertionError("the region kernels ran")

    monkeypatch.setattr(arrangement, "linear_regions", no_kernels)
    part = bounded_regions(net, bounds, None)
    monkeypatch.undo()
    assert part.too_many and "first layer alone makes" in part.message
    assert part.n_regions == 0 and len(part.creases) == 0
    small = MLP([2, 16, 16, 1], seed=0)
    np.testing.assert_array_equal(
        bounded_regions(small, bounds, None).vertices, linear_regions(small, bounds).vertices
    )


def test_the_partitions_thread_count_is_read_once(monkeypatch):
    # os.cpu_count reads the system's list of cores: 35 us of every [32]^3 partition's 2 ms
    import os

    from sandbox.geometry import _cutting

    calls = []
    monkeypatch.setattr(os, "cpu_count", lambda: calls.append(1) or 4)
    _cutting.default_threads.cache_clear()
    try:
        assert [_cutting.default_threads() for _ in range(3)] == [2, 2, 2]
        assert len(calls) == 1
        monkeypatch.setattr(os, "cpu_count", lambda: 1)
        _cutting.default_threads.cache_clear()
        assert _cutting.default_threads() == 1
    finally:
        _cutting.default_threads.cache_clear()
