"""What the layer pass (_kernels._layer_pass) needs besides its inputs, kept per thread.

`_kernels.run_layer` is a plain Python driver around the pass, so every array it makes and
every number it reads from an array costs a Python call. The layer's sizes, its activation's
piece adds and the pass's work arrays depend only on the layer's shape and activation: `_plan`
makes them once per thread (a layer cut on two threads uses two sets). Also the driver's buffer
growth, in numpy.
"""

from __future__ import annotations

import threading

import numpy as np

from ._map_kernels import _piece_adds


def _grown(a, cap, n):
    """A new array of `cap` rows (of a's dtype and row shape) holding a's first n rows."""
    b = np.empty((cap,) + a.shape[1:], a.dtype)
    b[:n] = a[:n]
    return b


_LOCAL = threading.local()  # per thread: the arrays below, reused


def _plan(layout, l, h_total, bps, slopes, toffs, K):
    """This thread's plan of hidden layer l's pass, made once per layer shape and activation:
    ((a, n, n_prev, b, bit, nbp, max_poly), (zadd, cadd), scratch, hs, kids). a, n, n_prev, b:
    the layer's row of `layout`; bit: its first bit in the patterns; nbp: breakpoints per neuron
    (at least 1); max_poly: the most corners of a piece; zadd, cadd: _piece_adds of the pieces;
    scratch: the pass's (la0, la1, la2, kk, F0, F1, F2, cls, und, todo, lines, pvals, sg, tmp,
    cx, cy) for a layer with K output columns more (a residual last layer). The pass reads
    zadd and cadd, needs none of the other arrays' contents on entry but `lines`, all zero,
    and leaves `lines` all zero."""
    plans = getattr(_LOCAL, "plans", None)
    if plans is None:
        plans = _LOCAL.plans = {}
    key = (l, h_total, K, bps.shape[0], layout.tobytes(), slopes.tobytes(), toffs.tobytes())
    got = plans.get(key)
    if got is None:
        if len(plans) >= 32:
            plans.clear()
        rows = layout[: l + 1, :4].tolist()
        a, n, n_prev, b = rows[l]
        bit = sum(row[1] for row in rows[:l])
        nbp = max(1, bps.shape[0])
        # a convex piece of the rectangle cut by h lines has at most 4 + h corners
        max_poly = 8 + h_total * nbp
        n_all = n + K
        got = plans[key] = (
            (a, n, n_prev, b, bit, nbp, max_poly),
            _piece_adds(slopes, toffs),
            (
                np.empty(n_all), np.empty(n_all), np.empty(n_all), np.empty(n_prev, np.int64),
                np.empty(n_prev), np.empty(n_prev), np.empty(n_prev), np.empty(n, np.int8),
                np.empty(n, np.int64), np.empty(n * nbp, np.int64), np.zeros(n * nbp, np.uint8),
                np.empty(max_poly), np.empty(max_poly, np.int8), np.empty((max_poly, 2)),
                np.empty(max_poly), np.empty(max_poly),
            ),
            np.empty((3, n_prev)),
            np.empty((n_prev * nbp + 1, 2), np.int64),
        )  # fmt: skip
    return got


def _no_tree(rows):
    """This thread's tree of `rows` regions with no children (all -1), which the pass only reads
    (it writes a snapshot row only for a child)."""
    tree = getattr(_LOCAL, "no_tree", None)
    if tree is None or tree.shape[0] < rows:
        grown = max(rows, 2 * (0 if tree is None else tree.shape[0]))
        tree = _LOCAL.no_tree = np.full((grown, 3), -1, np.int64)
    return tree[:rows]


def _spare_rows(cap):
    """This thread's scratch for the pieces' parents (spar), of at least `cap` rows."""
    spar = getattr(_LOCAL, "spar", None)
    if spar is None or spar.shape[0] < cap:
        spar = _LOCAL.spar = np.empty(cap, np.int64)
    return spar
