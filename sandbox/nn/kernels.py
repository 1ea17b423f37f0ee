"""The numba training kernel: n fused forward/backward/optimizer steps of the MLP in one call.

`train_steps` runs whole training steps (batch sampling, forward pass, softmax cross-entropy or
squared error, backward pass, L2, Adam or SGD with momentum, divergence checks) for n steps
without returning to Python, on the flat parameter vector of `sandbox.nn.mlp.MLP`. Every
intermediate lives in a preallocated work array laid out feature-major (one row of contiguous
per-sample values per neuron), so the innermost loops run over the samples with unit stride and
vectorise; the dense layers are register-blocked 4 x 4 by hand, the loss uses inlined
vectorisable exp/log, and a batch larger than `DEFAULT_CHUNK` runs in chunks whose gradients
add up, so the scratch memory is bounded. `sandbox.nn.reference` holds the plain-numpy twin with
identical semantics, used as the test oracle (they agree to rounding, about 1e-15). The integer
and float settings travel in small arrays (`cfg`, `hp`, `state`) whose slots are named by the
constants below, so one compiled kernel serves every architecture, task and optimizer.
"""

from __future__ import annotations

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.extending import intrinsic

# Reassociation lets the batch reductions (weight gradients, loss) vectorise; contraction allows
# FMA. No nnan/ninf: the divergence checks must see infinities and NaNs.
FASTMATH = {"reassoc", "contract", "nsz"}

TASK_CLASSIFICATION = 0
TASK_REGRESSION = 1
OPT_ADAM = 0
OPT_SGD = 1

# cfg (int64): what to run
CFG_TASK = 0
CFG_OPTIMIZER = 1
CFG_BATCH = 2  # batch size B; B == len(order) means full batch in data order
CFG_FULL = 3  # 1: full batch in data order, no sampling
CFG_CHUNK = 4  # samples per pass through the network; a larger batch runs in chunks
CFG_SIZE = 5

# A chunk of 256 samples keeps a 64-wide layer's activations (128 KiB) in L2 and the scratch
# memory of the largest network (8 x 256 wide) near 5 MiB whatever the batch size.
DEFAULT_CHUNK = 256

# hp (float64): hyper-parameters
HP_LR = 0
HP_BETA1 = 1
HP_BETA2 = 2
HP_EPS = 3
HP_L2 = 4
HP_MOMENTUM = 5
HP_LOSS_LIMIT = 6  # a batch loss above this counts as divergence
HP_JUMP_LIMIT = 7  # so does an update |new - old| above this times max(1, |old|)
HP_SIZE = 8

# state (int64): carried between calls
ST_T = 0  # optimizer steps taken (Adam bias correction)
ST_POS = 1  # position in the shuffled order of the current epoch
ST_STATUS = 2  # why the last call stopped early (STATUS_*)
ST_SIZE = 3

STATUS_OK = 0
STATUS_LOSS_NONFINITE = 1
STATUS_LOSS_EXPLODED = 2
STATUS_UPDATE_NONFINITE = 3
STATUS_UPDATE_JUMP = 4

_SM_INC = np.uint64(0x9E3779B97F4A7C15)
_SM_MUL1 = np.uint64(0xBF58476D1CE4E5B9)
_SM_MUL2 = np.uint64(0x94D049BB133111EB)
_U30 = np.uint64(30)
_U27 = np.uint64(27)
_U31 = np.uint64(31)
_U32 = np.uint64(32)


def work_layout(layout: np.ndarray, batch: int) -> tuple[np.ndarray, int]:
    """Offsets of every block in the work array for chunks of `batch` samples, and its length.

    Returns (offsets, size): offsets[l] is the start of layer l's activations (l = 0 is the
    input, l = L the output), then come the two delta buffers, the targets, two per-sample
    temporaries and three spare rows (padding of the 4-row blocks), each block one row of `batch`
    values per neuron. Shared by the kernel (which recomputes it) and the Python side (which
    allocates the array for min(batch size, chunk)).
    """
    n_layers = layout.shape[0]
    offs = np.empty(n_layers + 7, dtype=np.int64)
    _fill_work_offsets(layout, batch, offs)
    return offs, int(offs[n_layers + 6])


@njit(cache=True, error_model="numpy")
def _fill_work_offsets(layout, batch, offs):
    n_layers = layout.shape[0]
    pos = 0
    offs[0] = 0
    pos = layout[0, 2] * batch
    widest = layout[0, 2]
    for l in range(n_layers):
        offs[l + 1] = pos
        pos += layout[l, 1] * batch
        if layout[l, 1] > widest:
            widest = layout[l, 1]
    offs[n_layers + 1] = pos  # delta buffer 0
    pos += widest * batch
    offs[n_layers + 2] = pos  # delta buffer 1
    pos += widest * batch
    offs[n_layers + 3] = pos  # batch targets
    pos += batch
    offs[n_layers + 4] = pos  # per-sample temporaries (2 rows)
    pos += 2 * batch
    offs[n_layers + 5] = pos  # spare rows for padded blocks (3 rows)
    pos += 3 * batch
    offs[n_layers + 6] = pos  # total


@njit(cache=True, error_model="numpy")
def _splitmix(rng):
    s = rng[0] + _SM_INC
    rng[0] = s
    z = (s ^ (s >> _U30)) * _SM_MUL1
    z = (z ^ (z >> _U27)) * _SM_MUL2
    return z ^ (z >> _U31)


@njit(cache=True, error_model="numpy")
def _below(rng, n):
    """A random integer in [0, n) for n < 2**32 (multiply-shift, bias below 2**-32 * n)."""
    r = _splitmix(rng) >> _U32
    return np.int64((r * np.uint64(n)) >> _U32)


@njit(cache=True, error_model="numpy")
def shuffle_inplace(order, rng):
    """Fisher-Yates shuffle driven by the splitmix64 state rng[0]."""
    for i in range(order.shape[0] - 1, 0, -1):
        j = _below(rng, i + 1)
        t = order[i]
        order[i] = order[j]
        order[j] = t


# The dense layers below are register-blocked by hand: four output rows and four inputs per pass
# over the batch, so each loaded batch vector feeds sixteen FMAs and the innermost loop (over the
# batch, unit stride) vectorises. Widths that are not multiples of four are padded inside a
# block: missing inputs get weight 0 (adding 0 * x changes no sum), missing output rows write to
# spare rows of the work array. The first pass of a block starts from the bias and the last one
# applies the ReLU, so every output row is written exactly ceil(n_in / 4) times.


@njit(cache=True, error_model="numpy")
def _w(W, j, i):
    if j < W.shape[0] and i < W.shape[1]:
        return W[j, i]
    return 0.0


@njit(cache=True, fastmath=FASTMATH, error_model="numpy")
def _dense_forward(W, b, H, Z, relu, spare):
    """Z = W H + b (columns are samples), then ReLU when relu; spare: 3 rows of scratch."""
    n_out, n_in = W.shape
    for j in range(0, n_out, 4):
        z0 = Z[j]
        z1 = Z[j + 1] if j + 1 < Z.shape[0] else spare[0]
        z2 = Z[j + 2] if j + 2 < Z.shape[0] else spare[1]
        z3 = Z[j + 3] if j + 3 < Z.shape[0] else spare[2]
        b0 = b[j]
        b1 = b[j + 1] if j + 1 < n_out else 0.0
        b2 = b[j + 2] if j + 2 < n_out else 0.0
        b3 = b[j + 3] if j + 3 < n_out else 0.0
        for i in range(0, n_in, 4):
            h0 = H[i]
            h1 = H[i + 1] if i + 1 < H.shape[0] else h0
            h2 = H[i + 2] if i + 2 < H.shape[0] else h0
            h3 = H[i + 3] if i + 3 < H.shape[0] else h0
            a0, a1, a2, a3 = _w(W, j, i), _w(W, j, i + 1), _w(W, j, i + 2), _w(W, j, i + 3)
            c0, c1, c2, c3 = (
                _w(W, j + 1, i),
                _w(W, j + 1, i + 1),
                _w(W, j + 1, i + 2),
                _w(W, j + 1, i + 3),
            )
            e0, e1, e2, e3 = (
                _w(W, j + 2, i),
                _w(W, j + 2, i + 1),
                _w(W, j + 2, i + 2),
                _w(W, j + 2, i + 3),
            )
            g0, g1, g2, g3 = (
                _w(W, j + 3, i),
                _w(W, j + 3, i + 1),
                _w(W, j + 3, i + 2),
                _w(W, j + 3, i + 3),
            )
            # max(x, -inf) is the identity: the ReLU costs nothing extra on the last pass
            lo = 0.0 if (relu and i + 4 >= n_in) else -np.inf
            if i == 0:
                for n in range(z0.shape[0]):
                    x0, x1, x2, x3 = h0[n], h1[n], h2[n], h3[n]
                    z0[n] = max(b0 + a0 * x0 + a1 * x1 + a2 * x2 + a3 * x3, lo)
                    z1[n] = max(b1 + c0 * x0 + c1 * x1 + c2 * x2 + c3 * x3, lo)
                    z2[n] = max(b2 + e0 * x0 + e1 * x1 + e2 * x2 + e3 * x3, lo)
                    z3[n] = max(b3 + g0 * x0 + g1 * x1 + g2 * x2 + g3 * x3, lo)
            else:
                for n in range(z0.shape[0]):
                    x0, x1, x2, x3 = h0[n], h1[n], h2[n], h3[n]
                    z0[n] = max(z0[n] + a0 * x0 + a1 * x1 + a2 * x2 + a3 * x3, lo)
                    z1[n] = max(z1[n] + c0 * x0 + c1 * x1 + c2 * x2 + c3 * x3, lo)
                    z2[n] = max(z2[n] + e0 * x0 + e1 * x1 + e2 * x2 + e3 * x3, lo)
                    z3[n] = max(z3[n] + g0 * x0 + g1 * x1 + g2 * x2 + g3 * x3, lo)


@njit(cache=True, fastmath=FASTMATH, error_model="numpy")
def _dense_grad(DZ, H, gW, gb, accumulate):
    """gW = DZ H^T and gb = row sums of DZ (sums over the batch); added to gW, gb when
    accumulate (the later chunks of a batch)."""
    n_out, n_in = gW.shape
    for j in range(0, n_out, 4):
        d0 = DZ[j]
        d1 = DZ[j + 1] if j + 1 < n_out else d0
        d2 = DZ[j + 2] if j + 2 < n_out else d0
        d3 = DZ[j + 3] if j + 3 < n_out else d0
        t0 = t1 = t2 = t3 = 0.0
        for n in range(d0.shape[0]):
            t0 += d0[n]
            t1 += d1[n]
            t2 += d2[n]
            t3 += d3[n]
        _store4(gb, 0, j, t0, t1, t2, t3, accumulate)
        for i in range(0, n_in, 4):
            h0 = H[i]
            h1 = H[i + 1] if i + 1 < n_in else h0
            h2 = H[i + 2] if i + 2 < n_in else h0
            h3 = H[i + 3] if i + 3 < n_in else h0
            s00 = s01 = s02 = s03 = 0.0
            s10 = s11 = s12 = s13 = 0.0
            s20 = s21 = s22 = s23 = 0.0
            s30 = s31 = s32 = s33 = 0.0
            for n in range(d0.shape[0]):
                x0, x1, x2, x3 = h0[n], h1[n], h2[n], h3[n]
                y0, y1, y2, y3 = d0[n], d1[n], d2[n], d3[n]
                s00 += y0 * x0
                s01 += y0 * x1
                s02 += y0 * x2
                s03 += y0 * x3
                s10 += y1 * x0
                s11 += y1 * x1
                s12 += y1 * x2
                s13 += y1 * x3
                s20 += y2 * x0
                s21 += y2 * x1
                s22 += y2 * x2
                s23 += y2 * x3
                s30 += y3 * x0
                s31 += y3 * x1
                s32 += y3 * x2
                s33 += y3 * x3
            _store4(gW, j, i, s00, s01, s02, s03, accumulate)
            _store4(gW, j + 1, i, s10, s11, s12, s13, accumulate)
            _store4(gW, j + 2, i, s20, s21, s22, s23, accumulate)
            _store4(gW, j + 3, i, s30, s31, s32, s33, accumulate)


@njit(cache=True, error_model="numpy")
def _store4(G, j, i, s0, s1, s2, s3, accumulate):
    """G[j, i:i+4] = s0..s3 (or += when accumulate), skipping entries outside G (padding)."""
    if j < G.shape[0]:
        n_in = G.shape[1]
        if accumulate:
            s0 += G[j, i]
            s1 += G[j, i + 1] if i + 1 < n_in else 0.0
            s2 += G[j, i + 2] if i + 2 < n_in else 0.0
            s3 += G[j, i + 3] if i + 3 < n_in else 0.0
        G[j, i] = s0
        if i + 1 < n_in:
            G[j, i + 1] = s1
        if i + 2 < n_in:
            G[j, i + 2] = s2
        if i + 3 < n_in:
            G[j, i + 3] = s3


@njit(cache=True, fastmath=FASTMATH, error_model="numpy")
def _dense_backprop(W, DZ, H, DH, spare):
    """DH = W^T DZ, zeroed where the layer input H (after ReLU) is not positive.

    H > 0 exactly where the pre-activation was > 0, so this applies ReLU'(z) with ReLU'(0) = 0.
    """
    n_out, n_in = W.shape
    for i in range(0, n_in, 4):
        o0 = DH[i]
        o1 = DH[i + 1] if i + 1 < DH.shape[0] else spare[0]
        o2 = DH[i + 2] if i + 2 < DH.shape[0] else spare[1]
        o3 = DH[i + 3] if i + 3 < DH.shape[0] else spare[2]
        h0 = H[i]
        h1 = H[i + 1] if i + 1 < H.shape[0] else h0
        h2 = H[i + 2] if i + 2 < H.shape[0] else h0
        h3 = H[i + 3] if i + 3 < H.shape[0] else h0
        for j in range(0, n_out, 4):
            d0 = DZ[j]
            d1 = DZ[j + 1] if j + 1 < DZ.shape[0] else d0
            d2 = DZ[j + 2] if j + 2 < DZ.shape[0] else d0
            d3 = DZ[j + 3] if j + 3 < DZ.shape[0] else d0
            a0, a1, a2, a3 = _w(W, j, i), _w(W, j + 1, i), _w(W, j + 2, i), _w(W, j + 3, i)
            c0, c1, c2, c3 = (
                _w(W, j, i + 1),
                _w(W, j + 1, i + 1),
                _w(W, j + 2, i + 1),
                _w(W, j + 3, i + 1),
            )
            e0, e1, e2, e3 = (
                _w(W, j, i + 2),
                _w(W, j + 1, i + 2),
                _w(W, j + 2, i + 2),
                _w(W, j + 3, i + 2),
            )
            g0, g1, g2, g3 = (
                _w(W, j, i + 3),
                _w(W, j + 1, i + 3),
                _w(W, j + 2, i + 3),
                _w(W, j + 3, i + 3),
            )
            first = j == 0
            last = j + 4 >= n_out
            if first and last:
                for n in range(o0.shape[0]):
                    y0, y1, y2, y3 = d0[n], d1[n], d2[n], d3[n]
                    s0 = a0 * y0 + a1 * y1 + a2 * y2 + a3 * y3
                    s1 = c0 * y0 + c1 * y1 + c2 * y2 + c3 * y3
                    s2 = e0 * y0 + e1 * y1 + e2 * y2 + e3 * y3
                    s3 = g0 * y0 + g1 * y1 + g2 * y2 + g3 * y3
                    o0[n] = s0 if h0[n] > 0.0 else 0.0
                    o1[n] = s1 if h1[n] > 0.0 else 0.0
                    o2[n] = s2 if h2[n] > 0.0 else 0.0
                    o3[n] = s3 if h3[n] > 0.0 else 0.0
            elif first:
                for n in range(o0.shape[0]):
                    y0, y1, y2, y3 = d0[n], d1[n], d2[n], d3[n]
                    o0[n] = a0 * y0 + a1 * y1 + a2 * y2 + a3 * y3
                    o1[n] = c0 * y0 + c1 * y1 + c2 * y2 + c3 * y3
                    o2[n] = e0 * y0 + e1 * y1 + e2 * y2 + e3 * y3
                    o3[n] = g0 * y0 + g1 * y1 + g2 * y2 + g3 * y3
            elif last:
                for n in range(o0.shape[0]):
                    y0, y1, y2, y3 = d0[n], d1[n], d2[n], d3[n]
                    s0 = o0[n] + a0 * y0 + a1 * y1 + a2 * y2 + a3 * y3
                    s1 = o1[n] + c0 * y0 + c1 * y1 + c2 * y2 + c3 * y3
                    s2 = o2[n] + e0 * y0 + e1 * y1 + e2 * y2 + e3 * y3
                    s3 = o3[n] + g0 * y0 + g1 * y1 + g2 * y2 + g3 * y3
                    o0[n] = s0 if h0[n] > 0.0 else 0.0
                    o1[n] = s1 if h1[n] > 0.0 else 0.0
                    o2[n] = s2 if h2[n] > 0.0 else 0.0
                    o3[n] = s3 if h3[n] > 0.0 else 0.0
            else:
                for n in range(o0.shape[0]):
                    y0, y1, y2, y3 = d0[n], d1[n], d2[n], d3[n]
                    o0[n] = o0[n] + a0 * y0 + a1 * y1 + a2 * y2 + a3 * y3
                    o1[n] = o1[n] + c0 * y0 + c1 * y1 + c2 * y2 + c3 * y3
                    o2[n] = o2[n] + e0 * y0 + e1 * y1 + e2 * y2 + e3 * y3
                    o3[n] = o3[n] + g0 * y0 + g1 * y1 + g2 * y2 + g3 * y3


# Vectorisable exp and log for the loss. libm's scalar exp and log cost about 3 ns each and
# would be a tenth of a training step; these inline into the batch loops and vectorise. They are
# compiled without reassociation, which would fold the two-part ln 2 constants and lose accuracy.
_EXACT = {"contract"}
_LOG2E = 1.4426950408889634
_LN2_HI = 0.6931471803691238  # ln 2 split so that k * _LN2_HI is exact for |k| < 2**20
_LN2_LO = 1.9082149292705877e-10
_SQRT2 = 1.4142135623730951


@intrinsic
def _int_bits_as_float(typingctx, bits):
    """Reinterpret an int64 bit pattern as a float64 (no conversion)."""
    if bits != types.int64:
        return None

    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.DoubleType())

    return types.float64(types.int64), codegen


@intrinsic
def _float_bits_as_int(typingctx, x):
    """Reinterpret a float64 as its int64 bit pattern (no conversion)."""
    if x != types.float64:
        return None

    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.IntType(64))

    return types.int64(types.float64), codegen


@njit(cache=True, fastmath=_EXACT, error_model="numpy")
def exp_nonpos(x):
    """exp(x) for x <= 0, within 2 ulp; results below 1e-307 (x < -707) are flushed to 0."""
    if x < -707.0:
        return 0.0
    k = np.floor(x * _LOG2E + 0.5)
    r = (x - k * _LN2_HI) - k * _LN2_LO
    # Taylor series of exp on |r| <= ln(2)/2, to the r**13 term (truncation below 1e-17)
    p = 1.0 / 6227020800.0
    p = p * r + 1.0 / 479001600.0
    p = p * r + 1.0 / 39916800.0
    p = p * r + 1.0 / 3628800.0
    p = p * r + 1.0 / 362880.0
    p = p * r + 1.0 / 40320.0
    p = p * r + 1.0 / 5040.0
    p = p * r + 1.0 / 720.0
    p = p * r + 1.0 / 120.0
    p = p * r + 1.0 / 24.0
    p = p * r + 1.0 / 6.0
    p = p * r + 0.5
    p = p * r + 1.0
    p = p * r + 1.0
    return p * _int_bits_as_float((np.int64(k) + 1023) << 52)


@njit(cache=True, fastmath=_EXACT, error_model="numpy")
def log_pos(x):
    """log(x) for finite normal x > 0, within 2 ulp."""
    bits = _float_bits_as_int(x)
    e = (bits >> 52) - 1023
    f = _int_bits_as_float((bits & 0x000FFFFFFFFFFFFF) | 0x3FF0000000000000)  # in [1, 2)
    if f > _SQRT2:
        f = f * 0.5
        e += 1
    u = (f - 1.0) / (f + 1.0)  # |u| <= 0.172
    u2 = u * u
    # log f = 2 atanh(u) = 2 (u + u^3/3 + u^5/5 + ...), to the u**23 term (truncation below 1e-19)
    p = 1.0 / 23.0
    p = p * u2 + 1.0 / 21.0
    p = p * u2 + 1.0 / 19.0
    p = p * u2 + 1.0 / 17.0
    p = p * u2 + 1.0 / 15.0
    p = p * u2 + 1.0 / 13.0
    p = p * u2 + 1.0 / 11.0
    p = p * u2 + 1.0 / 9.0
    p = p * u2 + 1.0 / 7.0
    p = p * u2 + 1.0 / 5.0
    p = p * u2 + 1.0 / 3.0
    ef = float(e)
    return ef * _LN2_HI + (ef * _LN2_LO + 2.0 * u * (1.0 + u2 * p))


@njit(cache=True, fastmath=FASTMATH, error_model="numpy")
def _loss_and_dlogits(task, Z, targets, mx, ssum, DZ, inv_b):
    """Loss summed over the chunk's samples times inv_b (1 / the whole batch, so the chunks'
    results add up to the batch mean) of logits Z (K x chunk); writes dLoss/dZ into DZ.

    Classification: softmax cross-entropy with targets holding class ids as floats.
    Regression: mean squared error of row 0. A non-finite logit makes the loss NaN.
    """
    n_classes, batch = Z.shape
    total = 0.0
    if task == TASK_REGRESSION:
        z = Z[0]
        d = DZ[0]
        for n in range(batch):
            r = z[n] - targets[n]
            total += r * r
            d[n] = 2.0 * r * inv_b
        return total * inv_b
    poison = 0.0  # inf * 0 and NaN * 0 are NaN: carries any non-finite logit into the loss
    z0 = Z[0]
    for n in range(batch):  # a loop: a slice assignment costs seconds of compile time
        mx[n] = z0[n]
    for k in range(1, n_classes):
        z = Z[k]
        for n in range(batch):
            mx[n] = max(mx[n], z[n])
    ssum[:] = 0.0
    for k in range(n_classes):
        z = Z[k]
        d = DZ[k]
        kf = float(k)
        for n in range(batch):
            e = exp_nonpos(z[n] - mx[n])
            d[n] = e
            ssum[n] += e
        # the target logit is subtracted one class at a time, as a select rather than a gather
        for n in range(batch):
            zn = z[n]
            poison += zn * 0.0
            total -= zn if targets[n] == kf else 0.0
    for n in range(batch):
        total += log_pos(ssum[n]) + mx[n]
    for k in range(n_classes):
        d = DZ[k]
        kf = float(k)
        for n in range(batch):
            g = d[n] * (inv_b / ssum[n])
            d[n] = g - inv_b if targets[n] == kf else g
    return (total + poison) * inv_b


@njit(cache=True, error_model="numpy")
def _block(work, start, rows, batch):
    return work[start : start + rows * batch].reshape((rows, batch))


@njit(cache=True, error_model="numpy")
def _weights(params, layout, l):
    w_off = layout[l, 0]
    n_out = layout[l, 1]
    n_in = layout[l, 2]
    b_off = layout[l, 3]
    W = params[w_off : w_off + n_out * n_in].reshape((n_out, n_in))
    return W, params[b_off : b_off + n_out]


@njit(cache=True, fastmath=FASTMATH, error_model="numpy")
def _forward_backward(params, grad, layout, offs, work, task, batch, inv_b, accumulate):
    """Forward and backward on the chunk of `batch` samples gathered into the work array.

    Returns the chunk's loss sum times inv_b; gradients are written, or added when accumulate.
    """
    n_layers = layout.shape[0]
    spare = _block(work, offs[n_layers + 5], 3, batch)
    for l in range(n_layers):
        W, b = _weights(params, layout, l)
        H = _block(work, offs[l], layout[l, 2], batch)
        Z = _block(work, offs[l + 1], layout[l, 1], batch)
        _dense_forward(W, b, H, Z, l < n_layers - 1, spare)
    d_cur = offs[n_layers + 1]
    d_nxt = offs[n_layers + 2]
    n_out = layout[n_layers - 1, 1]
    tmp = offs[n_layers + 4]
    targets = offs[n_layers + 3]
    loss = _loss_and_dlogits(
        task,
        _block(work, offs[n_layers], n_out, batch),
        work[targets : targets + batch],
        work[tmp : tmp + batch],
        work[tmp + batch : tmp + 2 * batch],
        _block(work, d_cur, n_out, batch),
        inv_b,
    )
    for l in range(n_layers - 1, -1, -1):
        W, b = _weights(params, layout, l)
        gW, gb = _weights(grad, layout, l)
        n_out = layout[l, 1]
        n_in = layout[l, 2]
        H = _block(work, offs[l], n_in, batch)
        DZ = _block(work, d_cur, n_out, batch)
        _dense_grad(DZ, H, gW, gb.reshape((1, gb.shape[0])), accumulate)
        if l > 0:
            _dense_backprop(W, DZ, H, _block(work, d_nxt, n_in, batch), spare)
        t = d_cur
        d_cur = d_nxt
        d_nxt = t
    return loss


@njit(cache=True, error_model="numpy")
def _gather(X, y, order, start, batch, work, targets):
    for n in range(batch):
        k = order[start + n]
        work[n] = X[k, 0]
        work[batch + n] = X[k, 1]
        work[targets + n] = y[k]


@njit(cache=True, fastmath=FASTMATH, error_model="numpy")
def _update_status(check, jumps):
    if check != 0.0:  # NaN: some new parameter was infinite or NaN
        return STATUS_UPDATE_NONFINITE
    if jumps > 0.0:
        return STATUS_UPDATE_JUMP
    return STATUS_OK


@njit(cache=True, fastmath=FASTMATH, error_model="numpy")
def _adam_update(params, grad, prev, m1, m2, lr, beta1, beta2, eps, l2, t, jump):
    """torch.optim.Adam's update (lerp form of the first moment); returns a STATUS_*."""
    bc1 = 1.0 - beta1**t
    bc2_sqrt = np.sqrt(1.0 - beta2**t)
    step_size = lr / bc1
    w1 = 1.0 - beta1
    w2 = 1.0 - beta2
    check = 0.0
    jumps = 0.0
    for p in range(params.shape[0]):
        old = params[p]
        g = grad[p] + l2 * old
        m = m1[p] + w1 * (g - m1[p])
        v = m2[p] * beta2 + w2 * g * g
        m1[p] = m
        m2[p] = v
        new = old - step_size * m / (np.sqrt(v) / bc2_sqrt + eps)
        prev[p] = old
        params[p] = new
        check += new * 0.0
        jumps += 1.0 if abs(new - old) > jump * max(1.0, abs(old)) else 0.0
    return _update_status(check, jumps)


@njit(cache=True, fastmath=FASTMATH, error_model="numpy")
def _sgd_update(params, grad, prev, buf, lr, momentum, l2, jump):
    """torch.optim.SGD's update with momentum (no dampening); returns a STATUS_*."""
    check = 0.0
    jumps = 0.0
    for p in range(params.shape[0]):
        old = params[p]
        g = grad[p] + l2 * old
        b = momentum * buf[p] + g
        buf[p] = b
        new = old - lr * b
        prev[p] = old
        params[p] = new
        check += new * 0.0
        jumps += 1.0 if abs(new - old) > jump * max(1.0, abs(old)) else 0.0
    return _update_status(check, jumps)


@njit(cache=True, error_model="numpy")
def train_steps(
    params, grad, prev, m1, m2, layout, X, y, order, cfg, hp, state, rng, work, losses, n_steps
):
    """Run up to n_steps training steps in place; returns how many completed.

    params, prev, grad, m1, m2: float64 vectors of the parameter count (prev receives the
    parameters from before the latest update, so the caller can undo a diverging step).
    X (N, 2), y (N,) float64 (class ids as floats for classification); order: int64 indices
    of the training points (shuffled in place between epochs). losses[s] receives step s's
    batch loss, computed before that step's update. A step whose loss is not finite or above
    hp[HP_LOSS_LIMIT] stops the run before its update (STATUS_LOSS_*); an update producing a
    non-finite parameter, or moving one by more than hp[HP_JUMP_LIMIT] * max(1, |old value|),
    is undone (params restored from prev) and stops the run (STATUS_UPDATE_*).
    """
    task = cfg[CFG_TASK]
    optimizer = cfg[CFG_OPTIMIZER]
    batch = cfg[CFG_BATCH]
    full = cfg[CFG_FULL] != 0
    chunk = min(cfg[CFG_CHUNK], batch)
    tail = batch % chunk  # size of a last, shorter chunk (0: none)
    n_train = order.shape[0]
    n_layers = layout.shape[0]
    offs = np.empty(n_layers + 7, dtype=np.int64)
    _fill_work_offsets(layout, chunk, offs)
    offs_tail = np.empty(n_layers + 7, dtype=np.int64)
    _fill_work_offsets(layout, max(tail, 1), offs_tail)
    inv_b = 1.0 / batch
    lr = hp[HP_LR]
    limit = hp[HP_LOSS_LIMIT]
    jump = hp[HP_JUMP_LIMIT]
    state[ST_STATUS] = STATUS_OK
    done = 0
    for s in range(n_steps):
        if full:
            start = 0
        else:
            if state[ST_POS] + batch > n_train:
                shuffle_inplace(order, rng)
                state[ST_POS] = 0
            start = state[ST_POS]
            state[ST_POS] = start + batch
        loss = 0.0
        for c0 in range(0, batch, chunk):
            cb = min(chunk, batch - c0)
            o = offs if cb == chunk else offs_tail
            _gather(X, y, order, start + c0, cb, work, o[n_layers + 3])
            loss += _forward_backward(params, grad, layout, o, work, task, cb, inv_b, c0 > 0)
        losses[s] = loss
        if not np.isfinite(loss):
            state[ST_STATUS] = STATUS_LOSS_NONFINITE
            break
        if loss > limit:
            state[ST_STATUS] = STATUS_LOSS_EXPLODED
            break
        if optimizer == OPT_ADAM:
            state[ST_T] += 1
            status = _adam_update(
                params,
                grad,
                prev,
                m1,
                m2,
                lr,
                hp[HP_BETA1],
                hp[HP_BETA2],
                hp[HP_EPS],
                hp[HP_L2],
                state[ST_T],
                jump,
            )
        else:
            state[ST_T] += 1
            status = _sgd_update(params, grad, prev, m1, lr, hp[HP_MOMENTUM], hp[HP_L2], jump)
        if status != STATUS_OK:
            for p in range(params.shape[0]):
                params[p] = prev[p]
            state[ST_STATUS] = status
            break
        done += 1
    return done


def loss_and_grad(
    params: np.ndarray, layout: np.ndarray, X: np.ndarray, y: np.ndarray, task: int
) -> tuple[float, np.ndarray]:
    """Mean loss over all of (X, y) and its gradient, computed by `train_steps` itself.

    One full-batch SGD step with learning rate 0 leaves the parameters as they are and the
    gradient in the kernel's gradient buffer; reusing the training kernel saves compiling a
    second one. The scratch memory starts as NaN, so a read of anything the kernel did not write
    first would show in the result. For tests and diagnostics; it allocates.
    """
    X = np.ascontiguousarray(X, dtype=np.float64)
    y = np.ascontiguousarray(y, dtype=np.float64)
    n = X.shape[0]
    n_params = params.shape[0]
    cfg = np.zeros(CFG_SIZE, dtype=np.int64)
    cfg[CFG_TASK] = task
    cfg[CFG_OPTIMIZER] = OPT_SGD
    cfg[CFG_BATCH] = n
    cfg[CFG_FULL] = 1
    cfg[CFG_CHUNK] = DEFAULT_CHUNK
    hp = np.zeros(HP_SIZE)
    hp[HP_LOSS_LIMIT] = np.inf
    hp[HP_JUMP_LIMIT] = np.inf
    grad = np.full(n_params, np.nan)
    losses = np.zeros(1)
    _, size = work_layout(layout, min(n, DEFAULT_CHUNK))
    train_steps(
        np.array(params, dtype=np.float64),
        grad,
        np.zeros(n_params),
        np.zeros(n_params),
        np.zeros(n_params),
        layout,
        X,
        y,
        np.arange(n, dtype=np.int64),
        cfg,
        hp,
        np.zeros(ST_SIZE, dtype=np.int64),
        np.zeros(1, dtype=np.uint64),
        np.full(size, np.nan),
        losses,
        1,
    )
    return float(losses[0]), grad
