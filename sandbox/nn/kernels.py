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
constants below, so one compiled kernel serves every architecture, task, optimizer and
activation. ReLU networks without residual layers take the fused path (ReLU inside the dense
loops); every other activation, and residual layers, keep each hidden layer's pre-activations in
their own block (but plain hard tanh layers, whose derivative is read from their output) and
apply the activation and its derivative in separate elementwise passes (act_kernels.py).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .act_kernels import (
    activate_rows,
    add_and_scale,
    add_rows,
    clip_in_place,
    scale_by_derivative,
    scale_by_output_derivative,
)
from .activations import ACT_HARDTANH, ACT_LEAKY_RELU, ACT_RELU, ACT_SIGMOID, ACT_TANH
from .dense_kernels import FASTMATH, _dense_backprop, _dense_forward, _dense_grad
from .exp_log import exp_nonpos, log_pos
from .schedule import scheduled_lr

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
CFG_ACTIVATION = 5  # the hidden activation's id (sandbox.nn.activations.ACT_*; 0 is ReLU)
CFG_RESIDUAL = 6  # 1: hidden layers after the first of their input's width are residual
CFG_SIZE = 7

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
HP_SCHEDULE = 8  # the learning-rate schedule's code (sandbox.nn.schedule.SCHEDULE_CODES)
HP_SCHEDULE_STEPS = 9  # its length (cosine) or interval (step decay)
HP_SCHEDULE_GAMMA = 10  # step decay's factor
HP_NEGATIVE_SLOPE = 11  # leaky ReLU's slope below 0
HP_SIZE = 12

# state (int64): carried between calls
ST_T = 0  # optimizer steps taken (Adam bias correction)
ST_POS = 1  # position in the shuffled order of the current epoch
ST_STATUS = 2  # why the last call stopped early (STATUS_*)
ST_SCHEDULE_T = 3  # the schedule's step count at the start of the call (the run's step)
ST_SIZE = 4

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
    input, l = L the output), then come two delta buffers, the targets, two per-sample
    temporaries, three spare rows (padding of the 4-row blocks), a third delta buffer and the
    pre-activations of each hidden layer (the last two for activations other than plain ReLU),
    each block one row of `batch` values per neuron; the last offset is the size. Shared by the
    kernel (which recomputes it) and the Python side (which allocates the array for min(batch
    size, chunk)).
    """
    offs = np.empty(2 * layout.shape[0] + 7, dtype=np.int64)
    _fill_work_offsets(layout, batch, offs)
    return offs, int(offs[-1])


def aligned_work(size: int) -> np.ndarray:
    """A zeroed work array of `size` float64 values starting on a 64-byte boundary (a cache line),
    so that every row of a block of a multiple of 8 samples loads as whole vectors: a work array
    that malloc happens to align to 16 bytes only makes each step about a tenth slower."""
    raw = np.zeros(size + 8)
    start = (-raw.ctypes.data % 64) // 8
    return raw[start : start + size]


@njit(cache=True, nogil=True, error_model="numpy")
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
    offs[n_layers + 6] = pos  # delta buffer 2 (the gradient of a residual layer's output)
    pos += widest * batch
    for l in range(n_layers - 1):
        offs[n_layers + 7 + l] = pos  # pre-activations of hidden layer l
        pos += layout[l, 1] * batch
    offs[2 * n_layers + 6] = pos  # total


@njit(cache=True, nogil=True, error_model="numpy")
def _splitmix(rng):
    s = rng[0] + _SM_INC
    rng[0] = s
    z = (s ^ (s >> _U30)) * _SM_MUL1
    z = (z ^ (z >> _U27)) * _SM_MUL2
    return z ^ (z >> _U31)


@njit(cache=True, nogil=True, error_model="numpy")
def _below(rng, n):
    """A random integer in [0, n) for n < 2**32 (multiply-shift, bias below 2**-32 * n)."""
    r = _splitmix(rng) >> _U32
    return np.int64((r * np.uint64(n)) >> _U32)


@njit(cache=True, nogil=True, error_model="numpy")
def shuffle_inplace(order, rng):
    """Fisher-Yates shuffle driven by the splitmix64 state rng[0]."""
    for i in range(order.shape[0] - 1, 0, -1):
        j = _below(rng, i + 1)
        t = order[i]
        order[i] = order[j]
        order[j] = t


@njit(cache=True, nogil=True, fastmath=FASTMATH, error_model="numpy")
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


@njit(cache=True, nogil=True, error_model="numpy")
def _block(work, start, rows, batch):
    return work[start : start + rows * batch].reshape((rows, batch))


@njit(cache=True, nogil=True, error_model="numpy")
def _weights(params, layout, l):
    w_off = layout[l, 0]
    n_out = layout[l, 1]
    n_in = layout[l, 2]
    b_off = layout[l, 3]
    W = params[w_off : w_off + n_out * n_in].reshape((n_out, n_in))
    return W, params[b_off : b_off + n_out]


@njit(cache=True, nogil=True, fastmath=FASTMATH, error_model="numpy")
def _is_residual(layout, l, residual):
    """Hidden layer l (0-based) is residual: the switch is on, it is not the first hidden layer
    or the output, and its width equals its input's (as `mlp.residual_flags`)."""
    return residual and 0 < l < layout.shape[0] - 1 and layout[l, 1] == layout[l, 2]


@njit(cache=True, nogil=True, fastmath=FASTMATH, error_model="numpy")
def _forward_backward(
    params, grad, layout, offs, work, task, batch, inv_b, accumulate, act, slope, residual
):
    """Forward and backward on the chunk of `batch` samples gathered into the work array.

    Returns the chunk's loss sum times inv_b; gradients are written, or added when accumulate.
    """
    if act != ACT_RELU or residual:
        return _forward_backward_general(
            params, grad, layout, offs, work, task, batch, inv_b, accumulate, act, slope, residual
        )
    return _forward_backward_relu(params, grad, layout, offs, work, task, batch, inv_b, accumulate)


@njit(cache=True, nogil=True, fastmath=FASTMATH, error_model="numpy")
def _forward_backward_relu(params, grad, layout, offs, work, task, batch, inv_b, accumulate):
    """`_forward_backward` of a plain ReLU network (no residual layers): ReLU runs inside the
    dense loops, and the backward pass masks by the stored activations."""
    n_layers = layout.shape[0]
    # variables, not literals: a literal argument would compile the dense kernels once more
    zero = inv_b * 0.0
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
            _dense_backprop(W, DZ, H, _block(work, d_nxt, n_in, batch), spare, zero)
        t = d_cur
        d_cur = d_nxt
        d_nxt = t
    return loss


@njit(cache=True, nogil=True, fastmath=FASTMATH, error_model="numpy")
def _forward_backward_general(
    params, grad, layout, offs, work, task, batch, inv_b, accumulate, act, slope, residual
):
    """`_forward_backward` for any activation and residual layers: each hidden layer's
    pre-activations Z_l are kept, H_l = sigma(Z_l) (+ H_{l-1}), and the backward pass carries
    dLoss/dH_l (needed twice by a residual layer) beside dLoss/dZ_l."""
    n_layers = layout.shape[0]
    pre = n_layers + 7  # offs[pre + l]: the pre-activations of hidden layer l
    no_relu = n_layers < 0  # False, as a variable: a literal would compile the kernels again
    pl = act == ACT_RELU or act == ACT_LEAKY_RELU or act == ACT_HARDTANH
    # hard tanh's sigma'(z) is read from sigma(z) (|h| < 1 exactly where |z| < 1), so a plain
    # layer keeps no Z_l and activates in place; measured slower for (leaky) ReLU, which keep it
    in_place = act == ACT_HARDTANH
    spare = _block(work, offs[n_layers + 5], 3, batch)
    for l in range(n_layers):
        W, b = _weights(params, layout, l)
        n_out = layout[l, 1]
        H = _block(work, offs[l], layout[l, 2], batch)
        Z_out = _block(work, offs[l + 1], n_out, batch)
        # one call site of the dense layer, as in the ReLU path, so LLVM inlines it once
        last = l == n_layers - 1
        res_l = _is_residual(layout, l, residual)
        own = last or (in_place and not res_l)  # no separate pre-activations
        P = Z_out if own else _block(work, offs[pre + l], n_out, batch)
        _dense_forward(W, b, H, P, no_relu, spare)
        if not last:
            if own:
                clip_in_place(Z_out)
            else:
                activate_rows(act, slope, P, Z_out, H, res_l)
    n_out = layout[n_layers - 1, 1]
    tmp = offs[n_layers + 4]
    targets = offs[n_layers + 3]
    d_z = offs[n_layers + 1]  # dLoss/dZ of the current layer
    d_h = offs[n_layers + 2]  # dLoss/dH of the current layer's output (hidden layers)
    d_new = offs[n_layers + 6]  # dLoss/dH of its input, being formed
    loss = _loss_and_dlogits(
        task,
        _block(work, offs[n_layers], n_out, batch),
        work[targets : targets + batch],
        work[tmp : tmp + batch],
        work[tmp + batch : tmp + 2 * batch],
        _block(work, d_z, n_out, batch),
        inv_b,
    )
    neg_inf = -np.inf
    for l in range(n_layers - 1, -1, -1):
        W, b = _weights(params, layout, l)
        gW, gb = _weights(grad, layout, l)
        n_out = layout[l, 1]
        n_in = layout[l, 2]
        H = _block(work, offs[l], n_in, batch)
        DZ = _block(work, d_z, n_out, batch)
        _dense_grad(DZ, H, gW, gb.reshape((1, gb.shape[0])), accumulate)
        if l > 0:
            G = _block(work, d_new, n_in, batch)
            _dense_backprop(W, DZ, H, G, spare, neg_inf)
            # dLoss/dZ of layer l-1 from dLoss/dH of its output (G is kept for its residual)
            D = _block(work, d_z, n_in, batch)
            if in_place and not _is_residual(layout, l - 1, residual):
                P = H  # sigma'(z) from layer l-1's output: the same values
            else:
                P = _block(work, offs[pre + l - 1], n_in, batch)
            res_l = _is_residual(layout, l, residual)
            if res_l and pl:
                add_and_scale(act, slope, P, G, _block(work, d_h, n_out, batch), D)
            else:
                if res_l:
                    add_rows(G, _block(work, d_h, n_out, batch))
                if (act == ACT_TANH or act == ACT_SIGMOID) and not _is_residual(
                    layout, l - 1, residual
                ):
                    scale_by_output_derivative(act, H, G, D)  # H is layer l-1's output
                else:
                    scale_by_derivative(act, slope, P, G, D)
            t = d_h
            d_h = d_new
            d_new = t
    return loss


@njit(cache=True, nogil=True, error_model="numpy")
def _gather(X, y, order, start, batch, work, targets):
    for n in range(batch):
        k = order[start + n]
        work[n] = X[k, 0]
        work[batch + n] = X[k, 1]
        work[targets + n] = y[k]


@njit(cache=True, nogil=True, fastmath=FASTMATH, error_model="numpy")
def _update_status(check, jumps):
    if check != 0.0:  # NaN: some new parameter was infinite or NaN
        return STATUS_UPDATE_NONFINITE
    if jumps > 0.0:
        return STATUS_UPDATE_JUMP
    return STATUS_OK


@njit(cache=True, nogil=True, fastmath=FASTMATH, error_model="numpy")
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


@njit(cache=True, nogil=True, fastmath=FASTMATH, error_model="numpy")
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


@njit(cache=True, nogil=True, error_model="numpy")
def _chunk_offsets(layout, cfg):
    """(offsets of a full chunk, offsets of the last shorter chunk, chunk size) for cfg's batch."""
    batch = cfg[CFG_BATCH]
    chunk = min(cfg[CFG_CHUNK], batch)
    n_layers = layout.shape[0]
    offs = np.empty(2 * n_layers + 7, dtype=np.int64)
    _fill_work_offsets(layout, chunk, offs)
    offs_tail = np.empty(2 * n_layers + 7, dtype=np.int64)
    _fill_work_offsets(layout, max(batch % chunk, 1), offs_tail)
    return offs, offs_tail, chunk


@njit(cache=True, nogil=True, error_model="numpy")
def _batch_start(order, cfg, state, rng):
    """Where this step's batch starts in `order`, reshuffling at the end of an epoch."""
    if cfg[CFG_FULL] != 0:
        return 0
    batch = cfg[CFG_BATCH]
    if state[ST_POS] + batch > order.shape[0]:
        shuffle_inplace(order, rng)
        state[ST_POS] = 0
    start = state[ST_POS]
    state[ST_POS] = start + batch
    return start


@njit(cache=True, nogil=True, fastmath=FASTMATH, error_model="numpy")
def _finish_step(params, grad, prev, m1, m2, cfg, hp, state, loss, s):
    """Step s's divergence checks and optimizer update after its gradient was formed; returns
    False (with state[ST_STATUS] saying why, and the parameters as they were) when the run must
    stop."""
    if not np.isfinite(loss):
        state[ST_STATUS] = STATUS_LOSS_NONFINITE
        return False
    if loss > hp[HP_LOSS_LIMIT]:
        state[ST_STATUS] = STATUS_LOSS_EXPLODED
        return False
    lr = scheduled_lr(
        hp[HP_LR],
        int(hp[HP_SCHEDULE]),
        max(int(hp[HP_SCHEDULE_STEPS]), 1),
        hp[HP_SCHEDULE_GAMMA],
        state[ST_SCHEDULE_T] + s,
    )
    jump = hp[HP_JUMP_LIMIT]
    state[ST_T] += 1
    if cfg[CFG_OPTIMIZER] == OPT_ADAM:
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
        status = _sgd_update(params, grad, prev, m1, lr, hp[HP_MOMENTUM], hp[HP_L2], jump)
    if status != STATUS_OK:
        for p in range(params.shape[0]):
            params[p] = prev[p]
        state[ST_STATUS] = status
        return False
    return True


@njit(cache=True, nogil=True, error_model="numpy")
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
    Any activation and residual layers; `train_steps_relu` is the same for plain ReLU networks.
    """
    batch = cfg[CFG_BATCH]
    n_layers = layout.shape[0]
    act = cfg[CFG_ACTIVATION]
    residual = cfg[CFG_RESIDUAL] != 0
    slope = hp[HP_NEGATIVE_SLOPE]
    offs, offs_tail, chunk = _chunk_offsets(layout, cfg)
    inv_b = 1.0 / batch
    state[ST_STATUS] = STATUS_OK
    for s in range(n_steps):
        start = _batch_start(order, cfg, state, rng)
        loss = 0.0
        for c0 in range(0, batch, chunk):
            cb = min(chunk, batch - c0)
            o = offs if cb == chunk else offs_tail
            _gather(X, y, order, start + c0, cb, work, o[n_layers + 3])
            loss += _forward_backward(
                params, grad, layout, o, work, cfg[CFG_TASK], cb, inv_b, c0 > 0, act, slope,
                residual,
            )  # fmt: skip
        losses[s] = loss
        if not _finish_step(params, grad, prev, m1, m2, cfg, hp, state, loss, s):
            return s
    return n_steps


@njit(cache=True, nogil=True, error_model="numpy")
def train_steps_relu(
    params, grad, prev, m1, m2, layout, X, y, order, cfg, hp, state, rng, work, losses, n_steps
):
    """`train_steps` for a plain ReLU network without residual layers (cfg's activation and
    residual slots are not read). The same steps to the last bit; it links only the fused ReLU
    path, so it compiles in about half the time: the first start needs only this one."""
    batch = cfg[CFG_BATCH]
    n_layers = layout.shape[0]
    offs, offs_tail, chunk = _chunk_offsets(layout, cfg)
    inv_b = 1.0 / batch
    state[ST_STATUS] = STATUS_OK
    for s in range(n_steps):
        start = _batch_start(order, cfg, state, rng)
        loss = 0.0
        for c0 in range(0, batch, chunk):
            cb = min(chunk, batch - c0)
            o = offs if cb == chunk else offs_tail
            _gather(X, y, order, start + c0, cb, work, o[n_layers + 3])
            loss += _forward_backward_relu(
                params, grad, layout, o, work, cfg[CFG_TASK], cb, inv_b, c0 > 0
            )
        losses[s] = loss
        if not _finish_step(params, grad, prev, m1, m2, cfg, hp, state, loss, s):
            return s
    return n_steps


def kernel_for(activation: int, residual: bool):
    """The training kernel for a network: `train_steps_relu` for plain ReLU, else `train_steps`."""
    return train_steps_relu if activation == ACT_RELU and not residual else train_steps


def loss_and_grad(
    params: np.ndarray,
    layout: np.ndarray,
    X: np.ndarray,
    y: np.ndarray,
    task: int,
    activation: int = ACT_RELU,
    negative_slope: float = 0.0,
    residual: bool = False,
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
    cfg[CFG_ACTIVATION] = activation
    cfg[CFG_RESIDUAL] = 1 if residual else 0
    hp = np.zeros(HP_SIZE)
    hp[HP_LOSS_LIMIT] = np.inf
    hp[HP_JUMP_LIMIT] = np.inf
    hp[HP_NEGATIVE_SLOPE] = negative_slope
    grad = np.full(n_params, np.nan)
    losses = np.zeros(1)
    _, size = work_layout(layout, min(n, DEFAULT_CHUNK))
    kernel_for(activation, residual)(
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
