"""The training kernel's activations: elementwise loops over a feature-major block of a layer.

`activate_rows` turns a layer's pre-activations into its outputs (adding the layer's input for a
residual layer) and `scale_by_derivative` multiplies a block of gradients by sigma'(z), both for
every activation id of `sandbox.nn.activations` and with PyTorch's values at the kinks. ReLU
without residual layers never comes here: the dense kernels fuse it (dense_kernels.py). The
activation is chosen once per block, outside the loops over the samples, so each loop is
branch-free and vectorises. For ReLU, leaky ReLU and hard tanh a residual layer's addition rides
in the activation pass and the backward one in the derivative pass (`add_and_scale`), and a plain
hard tanh layer clips in place (`clip_in_place`). The numpy twins are `activations.activate` and
`derivative`.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from .activations import (
    ACT_ABS,
    ACT_GELU,
    ACT_HARDTANH,
    ACT_LEAKY_RELU,
    ACT_LINEAR,
    ACT_RELU,
    ACT_SIGMOID,
    ACT_TANH,
)
from .dense_kernels import FASTMATH

_SQRT1_2 = 1.0 / math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


@njit(cache=True, nogil=True, fastmath=FASTMATH, error_model="numpy")
def activate_rows(act, slope, Z, H, H_in, residual):
    """H = sigma(Z) (+ H_in when residual), row by row; Z, H, H_in have the same shape."""
    rows = Z.shape[0]
    for j in range(rows):
        z = Z[j]
        h = H[j]
        n_samples = z.shape[0]
        if residual and act <= ACT_HARDTANH and act != ACT_ABS:
            # the piecewise-linear kinds add the layer's input in the same pass
            g = H_in[j]
            if act == ACT_RELU:
                for n in range(n_samples):
                    h[n] = g[n] + (z[n] if z[n] > 0.0 else 0.0)
            elif act == ACT_LEAKY_RELU:
                for n in range(n_samples):
                    h[n] = g[n] + (z[n] if z[n] > 0.0 else z[n] * slope)
            else:
                for n in range(n_samples):
                    h[n] = g[n] + min(max(z[n], -1.0), 1.0)
            continue
        if act == ACT_RELU:
            for n in range(n_samples):
                h[n] = z[n] if z[n] > 0.0 else 0.0
        elif act == ACT_LEAKY_RELU:
            for n in range(n_samples):
                h[n] = z[n] if z[n] > 0.0 else z[n] * slope
        elif act == ACT_ABS:
            for n in range(n_samples):
                h[n] = abs(z[n])
        elif act == ACT_HARDTANH:
            for n in range(n_samples):
                h[n] = min(max(z[n], -1.0), 1.0)
        elif act == ACT_LINEAR:
            for n in range(n_samples):
                h[n] = z[n]
        elif act == ACT_TANH:
            for n in range(n_samples):
                h[n] = np.tanh(z[n])
        elif act == ACT_SIGMOID:
            for n in range(n_samples):
                h[n] = 1.0 / (1.0 + np.exp(-z[n]))
        elif act == ACT_GELU:
            for n in range(n_samples):
                h[n] = 0.5 * z[n] * (1.0 + math.erf(z[n] * _SQRT1_2))
        else:  # ACT_SIN
            for n in range(n_samples):
                h[n] = np.sin(z[n])
        if residual:
            g = H_in[j]
            for n in range(n_samples):
                h[n] += g[n]


@njit(cache=True, nogil=True, fastmath=FASTMATH, error_model="numpy")
def scale_by_derivative(act, slope, Z, G, D):
    """D = G * sigma'(Z) elementwise (the backward pass through the activation; D may be G)."""
    rows = Z.shape[0]
    for j in range(rows):
        z = Z[j]
        g = G[j]
        d = D[j]
        n_samples = z.shape[0]
        if act == ACT_RELU:
            for n in range(n_samples):
                d[n] = g[n] if z[n] > 0.0 else 0.0
        elif act == ACT_LEAKY_RELU:
            for n in range(n_samples):
                d[n] = g[n] if z[n] > 0.0 else g[n] * slope
        elif act == ACT_ABS:
            for n in range(n_samples):
                zn = z[n]
                d[n] = g[n] if zn > 0.0 else (-g[n] if zn < 0.0 else 0.0)
        elif act == ACT_HARDTANH:
            for n in range(n_samples):
                d[n] = g[n] if abs(z[n]) < 1.0 else 0.0  # 0 at the kinks, as torch
        elif act == ACT_LINEAR:
            for n in range(n_samples):
                d[n] = g[n]
        elif act == ACT_TANH:
            for n in range(n_samples):
                t = np.tanh(z[n])
                d[n] = g[n] * (1.0 - t * t)
        elif act == ACT_SIGMOID:
            for n in range(n_samples):
                s = 1.0 / (1.0 + np.exp(-z[n]))
                d[n] = g[n] * (s * (1.0 - s))
        elif act == ACT_GELU:
            for n in range(n_samples):
                zn = z[n]
                cdf = 0.5 * (1.0 + math.erf(zn * _SQRT1_2))
                d[n] = g[n] * (cdf + zn * np.exp(-0.5 * zn * zn) * _INV_SQRT_2PI)
        else:  # ACT_SIN
            for n in range(n_samples):
                d[n] = g[n] * np.cos(z[n])


@njit(cache=True, nogil=True, fastmath=FASTMATH, error_model="numpy")
def scale_by_output_derivative(act, H, G, D):
    """D = G * sigma'(z) from the layer's output H = sigma(z) (tanh: 1 - H^2, sigmoid:
    H (1 - H)), sparing a second transcendental per value; not for residual layers."""
    rows = H.shape[0]
    for j in range(rows):
        h = H[j]
        g = G[j]
        d = D[j]
        n_samples = h.shape[0]
        if act == ACT_TANH:
            for n in range(n_samples):
                d[n] = g[n] * (1.0 - h[n] * h[n])
        else:  # ACT_SIGMOID
            for n in range(n_samples):
                d[n] = g[n] * (h[n] * (1.0 - h[n]))


@njit(cache=True, nogil=True, fastmath=FASTMATH, error_model="numpy")
def add_rows(D, E):
    """D += E (a residual layer passes its output's gradient straight to its input)."""
    for j in range(D.shape[0]):
        d = D[j]
        e = E[j]
        for n in range(d.shape[0]):
            d[n] += e[n]


@njit(cache=True, nogil=True, fastmath=FASTMATH, error_model="numpy")
def add_and_scale(act, slope, Z, G, E, D):
    """G += E, then D = G * sigma'(Z) in one pass for ReLU, leaky ReLU and hard tanh (the
    backward step into a residual layer's input; only these kinds). The same values as
    `add_rows` then `scale_by_derivative`, to the last bit."""
    for j in range(Z.shape[0]):
        z = Z[j]
        g = G[j]
        e = E[j]
        d = D[j]
        n_samples = z.shape[0]
        if act == ACT_RELU:
            for n in range(n_samples):
                s = g[n] + e[n]
                g[n] = s
                d[n] = s if z[n] > 0.0 else 0.0
        elif act == ACT_LEAKY_RELU:
            for n in range(n_samples):
                s = g[n] + e[n]
                g[n] = s
                d[n] = s if z[n] > 0.0 else s * slope
        else:
            for n in range(n_samples):
                s = g[n] + e[n]
                g[n] = s
                d[n] = s if abs(z[n]) < 1.0 else 0.0


@njit(cache=True, nogil=True, fastmath=FASTMATH, error_model="numpy")
def clip_in_place(Z):
    """Z = hardtanh(Z) in place: a plain hard tanh layer reads sigma'(z) from its output (|h| < 1
    exactly where |z| < 1), so it keeps no separate pre-activations. One array, so the loop
    vectorises without runtime alias checks."""
    for j in range(Z.shape[0]):
        z = Z[j]
        for n in range(z.shape[0]):
            z[n] = min(max(z[n], -1.0), 1.0)
