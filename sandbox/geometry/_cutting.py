"""Runs the exact region kernels layer by layer: buffers, budgets and the second thread.

`cut_layers` starts from the window rectangle and cuts it by one hidden layer after another with
_kernels.run_layer (MATH.md section 1), checking the region, memory and work budgets between
layers. Big layers are cut in two halves at once, the second half on a worker thread (the kernels
release the interpreter lock, so both cores work), and the halves joined in order, which gives
the same result to the bit as one pass. Work buffers come from a pool that hands a buffer out
again only once no live partition holds a view of it.
"""

from __future__ import annotations

import functools
import os
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from . import _join_kernels as J
from . import _kernels as K

DEFAULT_MAX_REGIONS = 200_000
# A partition needs about 24 * width + neurons + 136 bytes per region (feature map, pattern,
# vertices); past this it is "too many" even under the region budget (wide layers), so the app
# never runs out of memory.
DEFAULT_MAX_BYTES = 256 * 1024 * 1024
# Work units are multiply-adds of the pull-back plus vertex evaluations; 1.5e9 is about a second.
DEFAULT_MAX_WORK = 1_500_000_000
EPS = 1e-12


class _BufferPool:
    """Reusable work buffers of the partition kernels, by name.

    Fresh large arrays cost page faults on first touch (half the time of a big partition);
    reusing the previous frames' buffers avoids that. A buffer is handed out again only when
    nothing else references it: a live Partition (or any view of its arrays) holds a reference
    to the buffer its arrays are views of, which the reference count shows. Layers alternate
    between sets a and b (offsets, vertices, maps G, groups, patterns, parents); the part_*
    buffers hold the second half of a layer cut on a second thread.
    """

    EMPTY = {
        "off_a": ((0,), np.int64),
        "off_b": ((0,), np.int64),
        "v_a": ((0, 2), np.float64),
        "v_b": ((0, 2), np.float64),
        "g_a": ((0,), np.float64),
        "g_b": ((0,), np.float64),
        "grp_a": ((0,), np.int64),
        "grp_b": ((0,), np.int64),
        "pat_a": ((0,), np.uint8),
        "pat_b": ((0,), np.uint8),
        "par_a": ((0,), np.int64),
        "par_b": ((0,), np.int64),
        "sv": ((0, 2), np.float64),
        "sstart": ((0,), np.int64),
        "scnt": ((0,), np.int64),
        "sq": ((0,), np.uint8),
        "cseg": ((0, 4), np.float64),
        "clay": ((0,), np.int32),
        "cneu": ((0,), np.int32),
        "part_off": ((0,), np.int64),
        "part_v": ((0, 2), np.float64),
        "part_grp": ((0,), np.int64),
        "part_pat": ((0,), np.uint8),
        "part_par": ((0,), np.int64),
        "part_cseg": ((0, 4), np.float64),
        "part_clay": ((0,), np.int32),
        "part_cneu": ((0,), np.int32),
        "part_sv": ((0, 2), np.float64),
        "part_sstart": ((0,), np.int64),
        "part_scnt": ((0,), np.int64),
        "part_sq": ((0,), np.uint8),
    }
    NAMES = tuple(EMPTY)
    KEEP = 3  # buffers kept per name
    MAX_POOLED_BYTES = 256 * 1024 * 1024

    def __init__(self) -> None:
        self._free: dict[str, list[np.ndarray]] = {name: [] for name in self.NAMES}
        self._lock = threading.Lock()
        probe = [np.empty(1)]
        self._unshared = self._refs(probe, 0)

    @staticmethod
    def _refs(items: list, i: int) -> int:
        return sys.getrefcount(items[i])

    def take(self) -> dict[str, np.ndarray]:
        out = {}
        with self._lock:
            for name in self.NAMES:
                items = self._free[name]
                # the largest free one: the least likely to be replaced by a bigger one
                best = -1
                for i in range(len(items)):
                    if self._refs(items, i) <= self._unshared and (
                        best < 0 or items[i].nbytes > items[best].nbytes
                    ):
                        best = i
                if best >= 0:
                    out[name] = items.pop(best)
                else:
                    shape, dtype = self.EMPTY[name]
                    out[name] = np.empty(shape, dtype)
        return out

    def give(self, arrays: dict[str, np.ndarray]) -> None:
        with self._lock:
            for name in self.NAMES:
                a = arrays[name]
                items = self._free[name]
                if not any(a is b for b in items):
                    items.append(a)
                del items[: -self.KEEP]
            total = sum(a.nbytes for items in self._free.values() for a in items)
            while total > self.MAX_POOLED_BYTES:
                name = max(self.NAMES, key=lambda k: sum(a.nbytes for a in self._free[k]))
                total -= self._free[name].pop(0).nbytes


_POOL = _BufferPool()

# ReLU's pieces as the kernels take them: breakpoint 0; slope 0 below it, 1 above; no offsets.
RELU_PIECES = (np.zeros(1), np.array([0.0, 1.0]), np.zeros(2))

# A layer is cut on two threads when (input regions) x (neurons) x (inputs per neuron) reaches
# this: below it the hand-over to the worker costs more than the half saves (measured on 2
# cores: 250k beats 1M by 5-10% on [32]^3 and [64]^3 and changes nothing on [16]^3).
SPLIT_MIN_WORK = 250_000
_EXECUTOR: ThreadPoolExecutor | None = None
_EXECUTOR_LOCK = threading.Lock()


@functools.cache
def default_threads() -> int:
    """Threads a big layer is split across: 2 when the machine has two or more cores (read
    once: `os.cpu_count` reads the system's list of cores, 35 us of every [32]^3 partition's
    2 ms)."""
    return 2 if (os.cpu_count() or 1) >= 2 else 1


def executor() -> ThreadPoolExecutor:
    """The one worker thread that takes the second half of big region work."""
    global _EXECUTOR
    with _EXECUTOR_LOCK:
        if _EXECUTOR is None:
            _EXECUTOR = ThreadPoolExecutor(max_workers=1, thread_name_prefix="regions")
        return _EXECUTOR


@dataclass
class CutLayers:
    """What cut_layers returns: status (a K.STATUS_* code), the R regions (offsets (R + 1,),
    vertices, groups (R,), patterns (R, h) uint8), the last layer's maps G (groups, 3, n, or
    n + K: see out_weights in cut_layers), the previous layer's maps and groups (`prev_maps`,
    `prev_groups`: group g's input features, which a residual last layer adds, are
    prev_maps[prev_groups[g]] on the pieces of g's pattern; the identity map and one group for
    the first layer; after a residual layer, adding that layer's own input features as
    `prev_source` says: K.run_layer's Gs, grs, s_bit, s_mode), the creases, the number of cuts
    and `buffers` (the pooled buffers these arrays are views of, to be given back with
    give_back once the views exist)."""

    status: int
    offsets: np.ndarray
    vertices: np.ndarray
    groups: np.ndarray
    patterns: np.ndarray
    maps: np.ndarray
    prev_maps: np.ndarray
    prev_groups: np.ndarray
    prev_source: tuple
    crease_segments: np.ndarray
    crease_layer: np.ndarray
    crease_neuron: np.ndarray
    n_cuts: int
    buffers: dict


def give_back(buffers: dict) -> None:
    """Return a CutLayers' buffers to the pool (views that live on keep theirs reserved)."""
    _POOL.give(buffers)


def _run(params, layout, l, h_total, r0, r1, inp, oG, buf, prefix, s, nc, work, eps, limits, act):
    max_regions, max_rows, max_work = limits
    off, V, G, grp, pat, par = inp
    bps, slopes, toffs, res_prev, res_cur, Wo, src = act
    res = K.run_layer(
        params, layout, l, bps, slopes, toffs, res_prev, res_cur, h_total, r0, r1, off, V, G,
        grp, pat, par, oG, Wo, *src,
        buf[prefix + "off" + s], buf[prefix + "v" + s], buf[prefix + "grp" + s],
        buf[prefix + "pat" + s], buf[prefix + "par" + s], buf[prefix + "cseg"],
        buf[prefix + "clay"], buf[prefix + "cneu"], nc, buf[prefix + "sv"],
        buf[prefix + "sstart"], buf[prefix + "scnt"], buf[prefix + "sq"], eps, max_regions,
        max_rows, work, max_work,
    )  # fmt: skip
    status, n_out, nc, cuts, work = res[:5]
    names = ("off", "v", "grp", "pat")
    for name, a in zip(names, res[5:9], strict=True):
        buf[prefix + name + s] = a
    buf[prefix + "par" + s] = res[16]
    for name, a in zip(
        ("cseg", "clay", "cneu", "sv", "sstart", "scnt", "sq"), res[9:16], strict=True
    ):
        buf[prefix + name] = a
    return status, n_out, nc, cuts, work


def cut_layers(
    params: np.ndarray,
    layout: np.ndarray,
    n_layers: int,
    bounds: np.ndarray,
    eps: float,
    max_regions: int,
    max_work: int,
    max_bytes: int,
    threads: int,
    split_min_work: int | None = None,
    *,
    pieces: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
    residual: np.ndarray | None = None,
    out_weights: np.ndarray | None = None,
) -> CutLayers:
    """Partition the rectangle `bounds` by hidden layers 0..n_layers-1 (see the module doc).

    split_min_work: the size of a layer from which it is cut on two threads (SPLIT_MIN_WORK).
    pieces: the activation's (breakpoints, slopes, offsets) as float64 arrays (default ReLU's);
    residual: per hidden layer, whether it is a residual layer (default none). A residual
    layer's maps G hold 2 n columns (its pre-activations, then its input features) when it is
    the first layer or the layer before it is residual too, and it is not the last; the others'
    input features are
    formed from the previous layer's maps when asked for (the next layer's pass, and
    CutLayers.prev_maps for the last), which saves writing and reading them for every region.
    out_weights: the output layer's weights Wo (K, n), given when the last layer is the last
    hidden one: a residual last layer's maps then hold K more columns, Wo times each input
    region's input features (pulled back with the layer), for the output maps."""
    if split_min_work is None:
        split_min_work = SPLIT_MIN_WORK
    if pieces is None:
        pieces = RELU_PIECES
    bps, slopes, toffs = pieces
    if residual is None:
        residual = np.zeros(n_layers, dtype=np.bool_)
    h_total = int(layout[:n_layers, 1].sum())
    buf = _POOL.take()
    xmin, xmax, ymin, ymax = (float(v) for v in bounds)
    off = np.array([0, 4], np.int64)
    V = np.array([[xmin, ymin], [xmax, ymin], [xmax, ymax], [xmin, ymax]])
    G = np.zeros((1, 3, 2))
    G[0, 0, 0] = G[0, 1, 1] = 1.0
    grp = np.zeros(1, np.int64)
    pat = np.zeros((1, h_total), np.uint8)
    par = np.full(1, -1, np.int64)
    R = 1
    nc = 0
    cuts = 0
    work = 0
    status = K.STATUS_OK
    no_wo = np.zeros((0, 0))
    no_src = (np.zeros((1, 3, 1)), np.zeros(1, np.int64), 0, 0)
    src = no_src
    G_prev, grp_prev = G, grp
    stored = False
    for l in range(n_layers):
        # after a residual layer the rows add its input features: stored beside its maps when
        # it is the first layer or the layer before it was residual too, else formed from the
        # maps before (copied: their buffers are about to be reused; see K.run_layer)
        src = no_src
        if l > 0 and bool(residual[l - 1]):
            if stored:
                src = (no_src[0], no_src[1], 0, 1)
            else:
                bit_pp = int(layout[: l - 2, 1].sum())
                src = (G_prev.copy(), grp_prev.copy(), bit_pp, 2)
        G_prev, grp_prev = G, grp
        n = int(layout[l, 1])
        n_prev = int(layout[l, 2])
        s = "_a" if l % 2 == 0 else "_b"
        # feature map, pattern, offset and about eight pooled vertices per region
        by_memory = max_bytes // (24 * n + h_total + 8 + 128)
        max_rows = min(max_regions + 1, by_memory)
        if R > max_rows or 24 * n * R > max_bytes:
            status = (
                K.STATUS_TOO_MUCH_MEMORY
                if by_memory < max_regions + 1
                else K.STATUS_TOO_MANY_REGIONS
            )
            break
        res_cur = stored = (
            bool(residual[l]) and (l == 0 or bool(residual[l - 1])) and l < n_layers - 1
        )
        Wo = no_wo
        if l == n_layers - 1 and bool(residual[l]) and out_weights is not None:
            Wo = np.ascontiguousarray(out_weights, dtype=np.float64)
        cols = 2 * n if res_cur else n + Wo.shape[0]
        g_flat = buf["g" + s]
        if g_flat.shape[0] < 3 * cols * R:
            g_flat = buf["g" + s] = np.empty(max(3 * cols * R, 2 * g_flat.shape[0]))
        oG = g_flat[: 3 * cols * R].reshape(R, 3, cols)
        inp = (off, V, G, grp, pat, par)
        limits = (max_regions, max_rows, max_work)
        act = (bps, slopes, toffs, l > 0 and bool(residual[l - 1]), res_cur, Wo, src)
        if threads > 1 and R >= 2 and R * n * n_prev >= split_min_work:
            half = R // 2
            job = executor().submit(
                _run, params, layout, l, h_total, half, R, inp, oG, buf, "part_", "", 0, 0, eps,
                limits, act,
            )  # fmt: skip
            try:
                st0, n0, nc0, c0, w0 = _run(
                    params, layout, l, h_total, 0, half, inp, oG, buf, "", s, nc, work, eps,
                    limits, act,
                )  # fmt: skip
            finally:
                st1, n1, nc1, c1, w1 = job.result()
            status = st0 if st0 != K.STATUS_OK else st1
            cuts += c0 + c1
            work = w0 + w1
            R_new = n0 + n1
            if status == K.STATUS_OK:
                if R_new > max_rows:
                    status = (
                        K.STATUS_TOO_MUCH_MEMORY
                        if by_memory < max_regions + 1
                        else K.STATUS_TOO_MANY_REGIONS
                    )
                elif R_new > max_regions:
                    status = K.STATUS_TOO_MANY_REGIONS
                elif work > max_work:
                    status = K.STATUS_TOO_MUCH_WORK
            if status != K.STATUS_OK:
                break
            joined = J.join_layer_parts(
                n0, nc0, buf["off" + s], buf["v" + s], buf["grp" + s], buf["pat" + s],
                buf["par" + s], buf["cseg"], buf["clay"], buf["cneu"],
                n1, nc1, buf["part_off"], buf["part_v"], buf["part_grp"], buf["part_pat"],
                buf["part_par"], buf["part_cseg"], buf["part_clay"], buf["part_cneu"],
                h_total, 2 * R_new, 2 * (nc0 + nc1),
            )  # fmt: skip
            for name, a in zip(("off", "v", "grp", "pat", "par"), joined[:5], strict=True):
                buf[name + s] = a
            buf["cseg"], buf["clay"], buf["cneu"] = joined[5:]
            nc = nc0 + nc1
        else:
            status, R_new, nc, c, work = _run(
                params, layout, l, h_total, 0, R, inp, oG, buf, "", s, nc, work, eps, limits, act
            )
            cuts += c
            if status != K.STATUS_OK:
                break
        off = buf["off" + s][: R_new + 1]
        V = buf["v" + s][: off[R_new]]
        G = oG
        grp = buf["grp" + s][:R_new]
        pat = buf["pat" + s][: R_new * h_total].reshape(R_new, h_total)
        par = buf["par" + s][:R_new]
        R = R_new
    return CutLayers(
        status=int(status),
        offsets=off,
        vertices=V,
        groups=grp,
        patterns=pat,
        maps=G,
        prev_maps=G_prev,
        prev_groups=grp_prev,
        prev_source=src,
        crease_segments=buf["cseg"][:nc],
        crease_layer=buf["clay"][:nc],
        crease_neuron=buf["cneu"][:nc],
        n_cuts=int(cuts),
        buffers=buf,
    )
