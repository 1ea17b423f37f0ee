"""Colours, and the CPU reference of every colour mapping the shaders perform.

Each function here is the numpy twin of a function in shaders/palette.glsl: the tests render a
scene through OpenGL and compare pixels with these functions applied to a CPU forward pass, so a
change to one side must be made on the other. Colours are floats in [0, 1], mixed in display
(sRGB-encoded) space, as the shaders do.

The output field: with p the class probabilities and k* the argmax, the confidence p_k* is
rescaled so that chance (1/K) maps to 0 and certainty to 1, t = (p_k* - 1/K) / (1 - 1/K), and the
pixel is mix(base, class_colour[k*], strength * t); `base` is the background, or the region's
pastel when regions are shown. Discretised, t = 1 (the hard decision). Regression draws a grey
ramp of the value over a given range, mix(base, ramp(t), strength), and discretised quantises t
into bands. The Laplace view applies the probit link, p = softmax(m / sqrt(1 + pi/8 v)), and then
the same class mapping. Class colours are the colour-blind-safe Okabe-Ito palette.
"""

from __future__ import annotations

import numpy as np

from sandbox.nn.mlp import softmax
from sandbox.vocab import MAX_CLASSES

# Okabe & Ito (2008), "Color Universal Design": distinguishable under the common colour
# vision deficiencies. Yellow is left out of the class list: it vanishes on a light background.
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}
# one colour per class the app allows (sandbox.vocab.MAX_CLASSES)
CLASS_ORDER = ("blue", "orange", "bluish_green", "reddish_purple", "vermillion", "sky_blue")

DEFAULT_STRENGTH = 0.62
DEFAULT_LEVELS = 8
PROBIT_SCALE = np.pi / 8.0


def hex_to_rgb(code: str) -> np.ndarray:
    """'#RRGGBB' -> float32 (3,) in [0, 1]."""
    code = code.lstrip("#")
    if len(code) != 6:
        raise ValueError(f"colour {code!r} must be written as #RRGGBB")
    return np.array([int(code[i : i + 2], 16) / 255.0 for i in (0, 2, 4)], dtype=np.float32)


CLASS_COLORS = np.stack([hex_to_rgb(OKABE_ITO[name]) for name in CLASS_ORDER])
BACKGROUND = hex_to_rgb("#F6F4EF")  # warm paper white
RAMP_LOW = hex_to_rgb("#1E1E1E")
RAMP_HIGH = hex_to_rgb("#F2F2F2")
BOUNDARY_COLOR = np.array([0.07, 0.07, 0.08, 1.0], dtype=np.float32)
POINT_OUTLINE = np.array([0.12, 0.12, 0.13, 1.0], dtype=np.float32)
# Creases by layer: darker, muted hues that stay apart from the class colours and read on pastel.
_LAYER_HEX = (
    "#3A3F58",  # slate
    "#8E3B46",  # wine
    "#2F6F5E",  # deep teal
    "#7A5C2E",  # umber
    "#5B3F8C",  # indigo
    "#2E5E8C",  # steel blue
    "#8C5A2E",  # rust
    "#4F4F4F",  # graphite
)
LAYER_COLORS = np.stack([hex_to_rgb(h) for h in _LAYER_HEX])


def layer_colors(n_layers: int, alpha: float = 0.9) -> np.ndarray:
    """RGBA (n_layers, 4) float32 crease colours, one per hidden layer (cycled beyond 8)."""
    if n_layers < 0:
        raise ValueError(f"n_layers is {n_layers}; it must be >= 0")
    rgb = LAYER_COLORS[np.arange(n_layers) % len(LAYER_COLORS)]
    return np.concatenate([rgb, np.full((n_layers, 1), alpha, np.float32)], axis=1)


def class_colors(n_classes: int) -> np.ndarray:
    """(n_classes, 3) float32 class colours."""
    if not 1 <= n_classes <= MAX_CLASSES:
        raise ValueError(f"{n_classes} classes requested; allowed: 1 to {MAX_CLASSES}")
    return CLASS_COLORS[:n_classes].copy()


# ---------------------------------------------------------------------- field mappings
def _base(base: np.ndarray | None, n: int) -> np.ndarray:
    if base is None:
        base = BACKGROUND
    base = np.asarray(base, dtype=np.float64)
    return np.broadcast_to(base, (n, 3))


def confidence_t(probs: np.ndarray) -> np.ndarray:
    """Rescaled top-class confidence: 0 at chance (1/K), 1 at certainty."""
    probs = np.asarray(probs, dtype=np.float64)
    k = probs.shape[1]
    return np.clip((probs.max(axis=1) - 1.0 / k) / (1.0 - 1.0 / k), 0.0, 1.0)


def class_field_colors(
    logits: np.ndarray,
    base: np.ndarray | None = None,
    discretise: bool = False,
    strength: float = DEFAULT_STRENGTH,
) -> np.ndarray:
    """(N, K) logits -> (N, 3) colours: argmax class colour, shaded by rescaled confidence."""
    logits = np.asarray(logits, dtype=np.float64)
    n, k = logits.shape
    if not 2 <= k <= MAX_CLASSES:
        raise ValueError(f"{k} logits per point; classes need 2 to {MAX_CLASSES}")
    probs = softmax(logits)
    best = np.argmax(logits, axis=1)
    t = np.ones(n) if discretise else confidence_t(probs)
    a = (strength * t)[:, None]
    return (1.0 - a) * _base(base, n) + a * CLASS_COLORS[best].astype(np.float64)


def regression_t(
    values: np.ndarray, value_range: tuple[float, float], discretise: bool, levels: int
) -> np.ndarray:
    lo, hi = float(value_range[0]), float(value_range[1])
    if not hi > lo:
        raise ValueError(f"value range {value_range} must have high > low")
    t = np.clip((np.asarray(values, dtype=np.float64).reshape(-1) - lo) / (hi - lo), 0.0, 1.0)
    if discretise:
        t = (np.minimum(np.floor(t * levels), levels - 1) + 0.5) / levels
    return t


def regression_colors(
    values: np.ndarray,
    value_range: tuple[float, float] = (-1.0, 1.0),
    base: np.ndarray | None = None,
    discretise: bool = False,
    levels: int = DEFAULT_LEVELS,
    strength: float = DEFAULT_STRENGTH,
) -> np.ndarray:
    """(N,) or (N, 1) regression outputs -> (N, 3): a grey ramp, dark at low, light at high."""
    t = regression_t(values, value_range, discretise, levels)[:, None]
    ramp = (1.0 - t) * RAMP_LOW.astype(np.float64) + t * RAMP_HIGH.astype(np.float64)
    return (1.0 - strength) * _base(base, len(t)) + strength * ramp


def probit_logits(mean: np.ndarray, var: np.ndarray) -> np.ndarray:
    """The probit approximation's scaled logits m_k / sqrt(1 + pi/8 v_kk)."""
    mean = np.asarray(mean, dtype=np.float64)
    var = np.maximum(np.asarray(var, dtype=np.float64), 0.0)
    return mean / np.sqrt(1.0 + PROBIT_SCALE * var)


def laplace_colors(
    mean: np.ndarray,
    var: np.ndarray,
    base: np.ndarray | None = None,
    discretise: bool = False,
    strength: float = DEFAULT_STRENGTH,
) -> np.ndarray:
    """Laplace (probit) view: (N, K) mean logits and (N, K) logit variances -> (N, 3)."""
    return class_field_colors(probit_logits(mean, var), base, discretise, strength)


def to_uint8(colors: np.ndarray) -> np.ndarray:
    """Float colours in [0, 1] -> uint8, rounding as the GL framebuffer does."""
    return np.clip(np.rint(np.asarray(colors) * 255.0), 0, 255).astype(np.uint8)
