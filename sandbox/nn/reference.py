"""Plain-numpy twins of the numba training kernels: the test oracle for `sandbox.nn.kernels`.

Everything here follows the kernels' semantics exactly (same batch sampling with the same
splitmix64 generator, same loss, gradient, L2, Adam/SGD updates, divergence checks and state
slots) but with whole-array numpy operations and readable code, so that a test can run both
for n steps and compare the parameters. It is slow and allocates. The app trains with it only
on a first start while the numba kernel compiles (`Trainer.numpy_steps`).
"""

from __future__ import annotations

import numpy as np

from sandbox.vocab import Schedule

from . import kernels as K
from .activations import ACTIVATION_IDS, activate, derivative
from .schedule import SCHEDULE_CODES, LrSchedule

_BY_ID = {code: act for act, code in ACTIVATION_IDS.items()}

_MASK64 = (1 << 64) - 1


def splitmix_next(rng: np.ndarray) -> int:
    """Advance the splitmix64 state rng[0] (uint64) and return the next 64-bit output."""
    s = (int(rng[0]) + 0x9E3779B97F4A7C15) & _MASK64
    rng[0] = np.uint64(s)
    z = ((s ^ (s >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK64
    return z ^ (z >> 31)


def below(rng: np.ndarray, n: int) -> int:
    """A random integer in [0, n), as the kernel's multiply-shift."""
    return ((splitmix_next(rng) >> 32) * n) >> 32


def shuffle(order: np.ndarray, rng: np.ndarray) -> None:
    """Fisher-Yates shuffle in place, as `kernels.shuffle_inplace`."""
    for i in range(order.shape[0] - 1, 0, -1):
        j = below(rng, i + 1)
        order[i], order[j] = order[j], order[i]


def unpack(params: np.ndarray, layout: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """Views [(W, b), ...] of a flat parameter vector."""
    out = []
    for w_off, n_out, n_in, b_off in layout:
        out.append(
            (
                params[w_off : w_off + n_out * n_in].reshape(n_out, n_in),
                params[b_off : b_off + n_out],
            )
        )
    return out


def loss_and_grad(
    params: np.ndarray,
    layout: np.ndarray,
    X: np.ndarray,
    y: np.ndarray,
    task: int,
    activation: int = 0,
    negative_slope: float = 0.0,
    residual: bool = False,
) -> tuple[float, np.ndarray]:
    """Mean loss over (X, y) and its gradient with respect to the flat parameter vector, for
    the hidden activation with kernel id `activation` (0: ReLU) and, with `residual`, hidden
    layers after the first of their input's width computing h + sigma(W h + b)."""
    act = _BY_ID[int(activation)]
    layers = unpack(params, layout)
    n_hidden = len(layers) - 1
    res = [bool(residual) and 0 < l and layout[l, 1] == layout[l, 2] for l in range(n_hidden)]
    hs = [X]
    zs = []
    h = X
    for l, (W, b) in enumerate(layers[:-1]):
        z = h @ W.T + b
        zs.append(z)
        a = activate(z, act, negative_slope)
        h = h + a if res[l] else a
        hs.append(h)
    W, b = layers[-1]
    f = h @ W.T + b
    n = X.shape[0]
    if task == K.TASK_REGRESSION:
        r = f[:, 0] - y
        loss = float(np.mean(r * r))
        df = (2.0 / n) * r[:, None]
    else:
        c = y.astype(np.int64)
        m = f.max(axis=1, keepdims=True)
        e = np.exp(f - m)
        s = e.sum(axis=1, keepdims=True)
        loss = float(np.mean(np.log(s[:, 0]) + m[:, 0] - f[np.arange(n), c]))
        df = e / s
        df[np.arange(n), c] -= 1.0
        df /= n
    grad = np.zeros_like(params)
    glayers = unpack(grad, layout)
    d = df  # dLoss/dz of layer li
    dh = None  # dLoss/dh of layer li's output (hidden layers)
    for li in range(len(layers) - 1, -1, -1):
        W, _ = layers[li]
        gW, gb = glayers[li]
        gW[...] = d.T @ hs[li]
        gb[...] = d.sum(axis=0)
        if li > 0:
            dh_in = d @ W
            if li < n_hidden and res[li]:
                dh_in = dh_in + dh
            dh = dh_in
            d = dh * derivative(zs[li - 1], act, negative_slope)
    return loss, grad


def train_steps(
    params: np.ndarray,
    prev: np.ndarray,
    m1: np.ndarray,
    m2: np.ndarray,
    layout: np.ndarray,
    X: np.ndarray,
    y: np.ndarray,
    order: np.ndarray,
    cfg: np.ndarray,
    hp: np.ndarray,
    state: np.ndarray,
    rng: np.ndarray,
    losses: np.ndarray,
    n_steps: int,
) -> int:
    """The numpy twin of `kernels.train_steps` (same arguments minus the scratch arrays)."""
    task = int(cfg[K.CFG_TASK])
    optimizer = int(cfg[K.CFG_OPTIMIZER])
    batch = int(cfg[K.CFG_BATCH])
    full = cfg[K.CFG_FULL] != 0
    n_train = order.shape[0]
    base_lr, beta1, beta2, eps, l2, momentum, limit, jump = (float(v) for v in hp[:8])
    kind = {code: name for name, code in SCHEDULE_CODES.items()}[int(hp[K.HP_SCHEDULE])]
    gamma = float(hp[K.HP_SCHEDULE_GAMMA]) if kind is Schedule.STEP else 1.0
    schedule = LrSchedule(kind, max(int(hp[K.HP_SCHEDULE_STEPS]), 1), gamma)
    # slots past the end of a short cfg / hp (written before activations existed) mean ReLU
    activation = int(cfg[K.CFG_ACTIVATION]) if cfg.shape[0] > K.CFG_ACTIVATION else 0
    residual = bool(cfg[K.CFG_RESIDUAL]) if cfg.shape[0] > K.CFG_RESIDUAL else False
    slope = float(hp[K.HP_NEGATIVE_SLOPE]) if hp.shape[0] > K.HP_NEGATIVE_SLOPE else 0.0
    state[K.ST_STATUS] = K.STATUS_OK
    done = 0
    for s in range(n_steps):
        if full:
            start = 0
        else:
            if state[K.ST_POS] + batch > n_train:
                shuffle(order, rng)
                state[K.ST_POS] = 0
            start = int(state[K.ST_POS])
            state[K.ST_POS] = start + batch
        idx = order[start : start + batch]
        loss, grad = loss_and_grad(
            params,
            layout,
            X[idx],
            y[idx],
            task,
            activation,
            slope,
            residual,
        )
        losses[s] = loss
        if not np.isfinite(loss):
            state[K.ST_STATUS] = K.STATUS_LOSS_NONFINITE
            break
        if loss > limit:
            state[K.ST_STATUS] = K.STATUS_LOSS_EXPLODED
            break
        state[K.ST_T] += 1
        lr = schedule.lr_at(base_lr, int(state[K.ST_SCHEDULE_T]) + s)
        g = grad + l2 * params
        prev[:] = params
        if optimizer == K.OPT_ADAM:
            t = int(state[K.ST_T])
            m1 += (1.0 - beta1) * (g - m1)
            m2[:] = m2 * beta2 + (1.0 - beta2) * g * g
            step_size = lr / (1.0 - beta1**t)
            denom = np.sqrt(m2) / np.sqrt(1.0 - beta2**t) + eps
            params -= step_size * m1 / denom
        else:
            m1[:] = momentum * m1 + g
            params -= lr * m1
        if not np.all(np.isfinite(params)):
            params[:] = prev
            state[K.ST_STATUS] = K.STATUS_UPDATE_NONFINITE
            break
        if np.any(np.abs(params - prev) > jump * np.maximum(1.0, np.abs(prev))):
            params[:] = prev
            state[K.ST_STATUS] = K.STATUS_UPDATE_JUMP
            break
        done += 1
    return done
