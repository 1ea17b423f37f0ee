"""Scratch arrays of the layer pass (_kernels._layer_pass), kept per thread between calls.

`_kernels.run_layer` is a plain Python driver around the pass, so each array it makes costs a
call; the pass's work arrays depend only on the layer's sizes and are made once per thread (a
layer cut on two threads uses two sets). Also the buffer growth of the driver, in numpy.
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


_LOCAL = threading.local()  # per thread: scratch arrays of the pass, reused (see _scratch)
_PIECES: dict[bytes, tuple[np.ndarray, np.ndarray]] = {}  # _piece_adds by activation (read only)


def _scratch(n_prev, n_all, n, nbp, max_poly):
    """This thread's scratch arrays of the pass for these sizes, made once: (la0, la1, la2, kk,
    F0, F1, F2, cls, und, todo, lines, pvals, sg, tmp, cx, cy), hs and kids. The pass needs none
    of their contents on entry but `lines`, all zero, which it leaves all zero."""
    cache = getattr(_LOCAL, "scratch", None)
    if cache is None:
        cache = _LOCAL.scratch = {}
    key = (n_prev, n_all, n, nbp, max_poly)
    got = cache.get(key)
    if got is None:
        if len(cache) >= 16:
            cache.clear()
        got = cache[key] = (
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


def _pieces(slopes, toffs):
    """_map_kernels._piece_adds of the activation's pieces, made once (the pass only reads them)."""
    key = slopes.tobytes() + b"|" + toffs.tobytes()
    got = _PIECES.get(key)
    if got is None:
        if len(_PIECES) >= 16:
            _PIECES.clear()
        got = _PIECES[key] = _piece_adds(slopes, toffs)
    return got
