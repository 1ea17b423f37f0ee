"""Colours of the geometry: a stable pastel colour per activation pattern and a palette per layer.

Region colours come from a 64-bit hash of the activation pattern (not the region's index), so a
region keeps its colour while training moves it, and the colour of a pattern is the same in every
window and every run. Hashes map to soft "paper" pastels in the OKLCH colour space (high lightness,
low chroma, hue from the hash), which stay distinguishable and never fight the class colours drawn
on top. Crease colours distinguish layers with the Okabe-Ito palette, chosen to be told apart with
the common colour-vision deficiencies.
"""

from __future__ import annotations

import numpy as np
from numba import njit

_MASK64 = np.uint64(0xFFFFFFFFFFFFFFFF)

# Okabe-Ito, ordered so that the first layers (the usual case) get the most distinct hues; black
# and yellow come last because they read as "outline" and "weak" on pastel paper.
LAYER_PALETTE = np.array(
    [
        (0x00, 0x72, 0xB2),  # layer 1: blue
        (0xD5, 0x5E, 0x00),  # layer 2: vermillion
        (0x00, 0x9E, 0x73),  # layer 3: bluish green
        (0xCC, 0x79, 0xA7),  # layer 4: reddish purple
        (0xE6, 0x9F, 0x00),  # layer 5: orange
        (0x56, 0xB4, 0xE9),  # layer 6: sky blue
        (0x00, 0x00, 0x00),  # layer 7: black
        (0xF0, 0xE4, 0x42),  # layer 8: yellow
    ],
    dtype=np.float32,
) / np.float32(255.0)


def _splitmix64(x: np.ndarray) -> np.ndarray:
    """The splitmix64 finaliser on uint64 arrays (wrapping arithmetic)."""
    with np.errstate(over="ignore"):
        z = (x + np.uint64(0x9E3779B97F4A7C15)) & _MASK64
        z = ((z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)) & _MASK64
        z = ((z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)) & _MASK64
        return z ^ (z >> np.uint64(31))


def pattern_hash_keys(n: int) -> np.ndarray:
    """The fixed random 64-bit key of each of n neuron positions (splitmix64 of the index)."""
    return _splitmix64(np.arange(n, dtype=np.uint64))


@njit(cache=True, nogil=True)
def _hash_kernel(patterns, keys):
    out = np.zeros(patterns.shape[0], np.uint64)
    for r in range(patterns.shape[0]):
        h = np.uint64(0)
        for j in range(patterns.shape[1]):
            p = patterns[r, j]
            if p:
                # piece p > 0 of a neuron: its key times the odd number 2p - 1 (piece 1, "on",
                # is the key itself, so ReLU patterns hash as they always have)
                h ^= keys[j] * np.uint64(2 * p - 1)
        out[r] = h
    return out


def pattern_hashes_numpy(patterns: np.ndarray) -> np.ndarray:
    """Plain-numpy twin of pattern_hashes (test oracle)."""
    patterns = np.asarray(patterns).astype(np.uint64)
    keys = pattern_hash_keys(patterns.shape[1])
    if patterns.shape[0] == 0 or patterns.shape[1] == 0:
        return np.zeros(patterns.shape[0], dtype=np.uint64)
    with np.errstate(over="ignore"):
        terms = np.where(patterns > 0, keys * (2 * patterns - np.uint64(1)), np.uint64(0))
    return np.bitwise_xor.reduce(terms, axis=1)


def pattern_hashes(patterns: np.ndarray) -> np.ndarray:
    """(R,) uint64 hash of each row of a (R, N) bool activation-pattern array (or uint8 pieces,
    for hardtanh's three).

    Zobrist hashing: the XOR of a fixed random key per active neuron, so the hash depends only on
    the set of active neurons (by their position in the network), the same in every window.
    """
    patterns = np.asarray(patterns)
    if patterns.ndim != 2:
        raise ValueError(f"patterns must be a 2-D (regions, neurons) array, got {patterns.shape}")
    if patterns.dtype == np.bool_:
        bits = np.ascontiguousarray(patterns).view(np.uint8)
    else:
        bits = np.ascontiguousarray(patterns, dtype=np.uint8)
    return _hash_kernel(bits, pattern_hash_keys(patterns.shape[1]))


def oklch_to_srgb(L: np.ndarray, C: np.ndarray, h: np.ndarray) -> np.ndarray:
    """OKLCH (lightness 0..1, chroma, hue in radians) to gamma-encoded sRGB in [0, 1], (N, 3)."""
    a = C * np.cos(h)
    b = C * np.sin(h)
    l_ = L + 0.3963377774 * a + 0.2158037573 * b
    m_ = L - 0.1055613458 * a - 0.0638541728 * b
    s_ = L - 0.0894841775 * a - 1.2914855480 * b
    l3, m3, s3 = l_**3, m_**3, s_**3
    lin = np.stack(
        [
            4.0767416621 * l3 - 3.3077115913 * m3 + 0.2309699292 * s3,
            -1.2684380046 * l3 + 2.6097574011 * m3 - 0.3413193965 * s3,
            -0.0041960863 * l3 - 0.7034186147 * m3 + 1.7076147010 * s3,
        ],
        axis=-1,
    )
    lin = np.clip(lin, 0.0, 1.0)
    return np.where(lin <= 0.0031308, 12.92 * lin, 1.055 * lin ** (1 / 2.4) - 0.055)


def hash_colors(hashes: np.ndarray) -> np.ndarray:
    """(R, 3) float32 pastel sRGB colours in [0, 1] from uint64 hashes."""
    h = np.asarray(hashes, dtype=np.uint64)
    # independent bit fields of the hash drive hue, lightness and chroma
    hue = (h & np.uint64(0xFFFF)).astype(np.float64) / 65536.0 * 2.0 * np.pi
    lum = ((h >> np.uint64(16)) & np.uint64(0xFF)).astype(np.float64) / 255.0
    chroma = ((h >> np.uint64(24)) & np.uint64(0xFF)).astype(np.float64) / 255.0
    L = 0.84 + 0.09 * lum
    C = 0.035 + 0.045 * chroma
    return oklch_to_srgb(L, C, hue).astype(np.float32)


def region_colors(patterns: np.ndarray) -> np.ndarray:
    """Stable pastel colour (R, 3) float32 in [0, 1] for each activation pattern row."""
    return hash_colors(pattern_hashes(patterns))


def crease_colors(layer_ids: np.ndarray) -> np.ndarray:
    """(S, 3) float32 colour per crease from its 1-based layer number (layers 1..8)."""
    ids = np.asarray(layer_ids)
    if ids.size and (ids.min() < 1 or ids.max() > len(LAYER_PALETTE)):
        raise ValueError(
            f"layer ids must be 1 to {len(LAYER_PALETTE)}, got {ids.min()} to {ids.max()}"
        )
    return LAYER_PALETTE[ids.astype(np.int64) - 1]
