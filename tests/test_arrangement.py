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
