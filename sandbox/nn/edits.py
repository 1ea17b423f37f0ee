"""Direct manipulation of first-layer neurons: move, rotate and set the creases by hand.

A first-layer neuron i is the line w . x + b = 0 in the plane (its crease), with w = W1[i] and
b = b1[i]. Dragging the crease by d moves every point of the line by d: w stays, b becomes
b - w . d. Rotating it by an angle about a pivot p is the rigid rotation of the line about p:
w becomes R w and b becomes b + w . p - (R w) . p, so the neuron's value at the pivot is
unchanged (a pivot on the crease stays on it). Setting (a, b, c) writes w = (a, b) and bias c:
the single-neuron mode's sliders. The pure functions work on (w, b) pairs so a drag can always be
computed from the weights at mouse-down plus the total displacement (no accumulated rounding);
the `*_neuron` helpers write into a network's live weights and return the previous values for
undo. Hit testing finds the crease nearest a world point: its distance is |w . x + b| / |w|.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class NeuronWeights:
    """A first-layer neuron's incoming weights w = (w_x, w_y) and bias b."""

    w: tuple[float, float]
    b: float


def _check_neuron(net, neuron: int) -> int:
    n = int(net.sizes[1])
    i = int(neuron)
    if not 0 <= i < n:
        raise ValueError(f"neuron index {neuron} is out of range; layer 1 has neurons 0 to {n - 1}")
    return i


def _vec2(value, name: str) -> np.ndarray:
    v = np.asarray(value, dtype=np.float64).reshape(-1)
    if v.shape != (2,) or not np.all(np.isfinite(v)):
        raise ValueError(f"{name} must be two finite numbers, got {value!r}")
    return v


def _finite(value, name: str) -> float:
    try:
        out = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a finite number, got {value!r}") from None
    if not math.isfinite(out):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    return out


# ---------------------------------------------------------------------- pure functions
def translated(w, b: float, d) -> tuple[np.ndarray, float]:
    """(w, b) of the crease moved by the vector d: every point x of the old line, x + d is on
    the new one."""
    w = _vec2(w, "w")
    d = _vec2(d, "displacement")
    return w.copy(), float(b) - float(w @ d)


def rotated(w, b: float, angle: float, pivot) -> tuple[np.ndarray, float]:
    """(w, b) of the crease rotated counter-clockwise by `angle` radians about `pivot`.

    The neuron's pre-activation at the pivot is unchanged, so a pivot on the crease stays on it;
    |w| (the slope of the neuron's ramp) is unchanged too.
    """
    w = _vec2(w, "w")
    p = _vec2(pivot, "pivot")
    angle = _finite(angle, "angle")
    c, s = math.cos(angle), math.sin(angle)
    w_new = np.array([c * w[0] - s * w[1], s * w[0] + c * w[1]])
    return w_new, float(b) + float(w @ p) - float(w_new @ p)


def crease_distance(w, b, points) -> np.ndarray:
    """Distance |w . x + b| / |w| from each point (N, 2) to each crease; w (n, 2), b (n,).

    Returns (N, n); a neuron with w = 0 has no crease and is infinitely far.
    """
    W = np.asarray(w, dtype=np.float64).reshape(-1, 2)
    B = np.asarray(b, dtype=np.float64).reshape(-1)
    X = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    norm = np.hypot(W[:, 0], W[:, 1])
    z = np.abs(X @ W.T + B)
    with np.errstate(divide="ignore", invalid="ignore"):
        dist = np.where(norm > 0, z / np.where(norm > 0, norm, 1.0), np.inf)
    return dist


def foot_point(w, b: float, point) -> np.ndarray:
    """The point of the crease nearest `point` (its orthogonal projection)."""
    w = _vec2(w, "w")
    p = _vec2(point, "point")
    nn = float(w @ w)
    if nn == 0.0:
        raise ValueError("a neuron with zero weights has no crease")
    return p - (float(w @ p) + float(b)) / nn * w


def crease_in_bounds(w, b: float, bounds) -> np.ndarray | None:
    """The crease clipped to bounds = (xmin, xmax, ymin, ymax): (2, 2) endpoints, or None when
    the line misses the rectangle (or w = 0)."""
    w = _vec2(w, "w")
    xmin, xmax, ymin, ymax = (float(v) for v in bounds)
    nn = float(w @ w)
    if nn == 0.0:
        return None
    # Parametrise the line as p0 + t u, p0 the foot of the origin, u along the line; clip t.
    p0 = -float(b) / nn * w
    u = np.array([-w[1], w[0]]) / math.sqrt(nn)
    lo, hi = -math.inf, math.inf
    for k, (a0, a1) in enumerate(((xmin, xmax), (ymin, ymax))):
        if u[k] == 0.0:
            if not a0 <= p0[k] <= a1:
                return None
            continue
        t0, t1 = (a0 - p0[k]) / u[k], (a1 - p0[k]) / u[k]
        lo, hi = max(lo, min(t0, t1)), min(hi, max(t0, t1))
    if not lo < hi:
        return None
    return np.stack([p0 + lo * u, p0 + hi * u])


def rotation_handle(w, b: float, bounds, anchor=None, offset: float = 0.0) -> np.ndarray | None:
    """Where to draw a crease's rotation handle: on the crease, `offset` world units from its
    anchor (default: the midpoint of its visible part) along the line. None if not visible."""
    seg = crease_in_bounds(w, b, bounds)
    if seg is None:
        return None
    a = 0.5 * (seg[0] + seg[1]) if anchor is None else foot_point(w, b, anchor)
    u = seg[1] - seg[0]
    u = u / np.hypot(u[0], u[1])
    return a + float(offset) * u


def angle_about(pivot, start, current) -> float:
    """Signed angle (radians, counter-clockwise) from `start` to `current` as seen from
    `pivot`: the rotation a handle drag asks for."""
    p = _vec2(pivot, "pivot")
    a = _vec2(start, "start") - p
    c = _vec2(current, "current") - p
    return math.atan2(a[0] * c[1] - a[1] * c[0], a[0] * c[0] + a[1] * c[1])


# ---------------------------------------------------------------------- on a network
def neuron_weights(net, neuron: int) -> NeuronWeights:
    """The current (w, b) of first-layer neuron `neuron` (0-based)."""
    i = _check_neuron(net, neuron)
    W, b = net.layers[0]
    return NeuronWeights((float(W[i, 0]), float(W[i, 1])), float(b[i]))


def set_neuron(net, neuron: int, a: float, b: float, c: float) -> NeuronWeights:
    """Write w = (a, b) and bias c into first-layer neuron `neuron`; returns the old values."""
    i = _check_neuron(net, neuron)
    values = [_finite(a, "a"), _finite(b, "b"), _finite(c, "c")]
    old = neuron_weights(net, i)
    W, bias = net.layers[0]
    W[i, 0], W[i, 1] = values[0], values[1]
    bias[i] = values[2]
    return old


def restore_neuron(net, neuron: int, weights: NeuronWeights) -> None:
    """Put back values returned by an edit (undo)."""
    set_neuron(net, neuron, weights.w[0], weights.w[1], weights.b)


def translate_neuron(net, neuron: int, d, start: NeuronWeights | None = None) -> NeuronWeights:
    """Move neuron's crease by d (from `start`, the weights at mouse-down, if given); returns
    the values before this call."""
    i = _check_neuron(net, neuron)
    base = start or neuron_weights(net, i)
    w, b = translated(base.w, base.b, d)
    return set_neuron(net, i, w[0], w[1], b)


def rotate_neuron(
    net, neuron: int, angle: float, pivot, start: NeuronWeights | None = None
) -> NeuronWeights:
    """Rotate neuron's crease by `angle` radians about `pivot` (from `start` if given)."""
    i = _check_neuron(net, neuron)
    base = start or neuron_weights(net, i)
    w, b = rotated(base.w, base.b, angle, pivot)
    return set_neuron(net, i, w[0], w[1], b)


def nearest_crease(net, point, tolerance: float) -> int | None:
    """The first-layer neuron whose crease passes nearest `point`, if within `tolerance` world
    units (pass the pick radius in pixels times the view's units per pixel); else None."""
    tol = _finite(tolerance, "tolerance")
    if tol < 0:
        raise ValueError(f"tolerance is {tolerance}; it must be >= 0")
    W, b = net.layers[0]
    dist = crease_distance(W, b, _vec2(point, "point"))[0]
    if dist.size == 0:
        return None
    i = int(np.argmin(dist))
    return i if dist[i] <= tol else None
