"""Seeded dataset generators and the registry the app lists them from.

Every dataset lives in the domain [-6, 6]^2 (the TensorFlow Playground's), so all of them share
one view. Classification sets return integer class ids 0..K-1, regression sets float targets.
The Playground generators (circle, xor, gauss, spiral, reg-plane) follow MATH.md section 4 with
the Playground's labels mapped -1 -> 0 and +1 -> 1; moons (scikit-learn's shape) and the blobs are
scaled into the domain. The procedural disk samples points uniformly; a picture (image:NAME,
image:PATH) gives every pixel at the training resolution; targets are brightness in [0, 1] (0
black, 1 white). Regression noise perturbs where the target formula or picture is evaluated by
U(-6, 6) * noise per axis, as the Playground does.
ring and rings draw points uniformly over each band's area (MATH.md's r ~ U(0, r1) would crowd
the centre and make ring a relabelled circle); their noise is a Gaussian jitter of std 2 * noise.
Points are returned in random order (the rng's), so any prefix is a fair subsample. Gaussian
noise that would carry a point out of the domain is redrawn (a truncated Gaussian) rather than
clipped, so no points pile up on the border.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from sandbox.vocab import NOISE_RANGE, Task

from .pictures import (
    DEFAULT_TRAIN_SIDE,
    DISK_RADIUS,
    DOMAIN_HALF,
    Picture,
    disk_target,
    is_bundled_name,
    load_picture,
    picture_names,
    picture_path,
)

DOMAIN = (-DOMAIN_HALF, DOMAIN_HALF)
MAX_SAMPLES = 100_000
IMAGE_PREFIX = "image:"

CIRCLE_RADIUS = 5.0  # Playground: inside r < 2.5, outside 3.5 <= r < 5
XOR_PADDING = 0.3
GAUSS_CENTRE = 2.0
SPIRAL_RADIUS = 5.0
SPIRAL_TURNS = 1.75
MOONS_SCALE = 3.0
MOONS_CENTRE = (0.5, 0.25)
RING_RADII = (2.5, 3.5, 5.0)
RINGS_BANDS = ((0.0, 1.0), (1.5, 2.5), (3.0, 4.0), (4.5, 5.5))
RING_JITTER = 2.0  # Gaussian jitter std per unit of noise
BLOBS_RADIUS = 3.5
BLOBS_STD = (0.5, 2.0)  # std = 0.5 + 2 * noise


@dataclass(frozen=True)
class DatasetInfo:
    """One registry entry: what the app shows in its dataset list and tooltips."""

    name: str
    task: Task
    n_classes: int  # 0 for regression
    default_n: int
    default_noise: float
    description: str

    @property
    def n_out(self) -> int:
        """Network output width this dataset needs (1 for regression)."""
        return self.n_classes if self.task is Task.CLASSIFICATION else 1


Generator = Callable[[np.random.Generator, int, float], tuple[np.ndarray, np.ndarray]]


# ----------------------------------------------------------------------------- helpers
def _split(n: int, k: int) -> list[int]:
    """n items over k groups as evenly as possible (the first groups get the remainder)."""
    return [n // k + (1 if i < n % k else 0) for i in range(k)]


def _labels(counts: list[int]) -> np.ndarray:
    return np.repeat(np.arange(len(counts), dtype=np.int64), counts)


def _in_domain(X: np.ndarray) -> np.ndarray:
    return np.all(np.abs(X) <= DOMAIN_HALF, axis=1)


def _truncated_jitter(rng: np.random.Generator, X: np.ndarray, std: float) -> np.ndarray:
    """X plus N(0, std^2) per axis, redrawing the jitter of points that would leave the domain."""
    out = X + rng.normal(0.0, std, size=X.shape) if std > 0 else X.copy()
    for _ in range(1000):
        bad = ~_in_domain(out)
        if not bad.any():
            return out
        out[bad] = X[bad] + rng.normal(0.0, std, size=(int(bad.sum()), 2))
    bad = ~_in_domain(out)
    out[bad] = np.clip(X[bad], -DOMAIN_HALF, DOMAIN_HALF)  # unreachable for in-domain centres
    return out


def _polar(r: np.ndarray, angle: np.ndarray) -> np.ndarray:
    # Playground convention: x = r sin(angle), y = r cos(angle)
    return np.column_stack([r * np.sin(angle), r * np.cos(angle)])


def _annulus(rng: np.random.Generator, n: int, r0: float, r1: float) -> np.ndarray:
    """n points uniform over the area of the annulus r0 <= r < r1."""
    r = np.sqrt(rng.uniform(r0 * r0, r1 * r1, size=n))
    return _polar(r, rng.uniform(0.0, 2.0 * np.pi, size=n))


# ----------------------------------------------------------------------------- generators
def _circle(rng: np.random.Generator, n: int, noise: float) -> tuple[np.ndarray, np.ndarray]:
    n_in, n_out = _split(n, 2)
    half = CIRCLE_RADIUS * 0.5
    r = np.concatenate(
        [rng.uniform(0.0, half, n_in), rng.uniform(CIRCLE_RADIUS * 0.7, CIRCLE_RADIUS, n_out)]
    )
    X = _polar(r, rng.uniform(0.0, 2.0 * np.pi, size=n))
    jitter = rng.uniform(-CIRCLE_RADIUS, CIRCLE_RADIUS, size=(n, 2)) * noise
    y = (np.hypot(*(X + jitter).T) < half).astype(np.int64)
    return X, y


def _xor(rng: np.random.Generator, n: int, noise: float) -> tuple[np.ndarray, np.ndarray]:
    X = rng.uniform(-5.0, 5.0, size=(n, 2))
    X += np.where(X > 0, XOR_PADDING, -XOR_PADDING)
    jitter = rng.uniform(-5.0, 5.0, size=(n, 2)) * noise
    Z = X + jitter
    y = (Z[:, 0] * Z[:, 1] >= 0).astype(np.int64)
    return X, y


def _gauss(rng: np.random.Generator, n: int, noise: float) -> tuple[np.ndarray, np.ndarray]:
    counts = _split(n, 2)
    std = math.sqrt(0.5 + 7.0 * noise)
    # class 0 is the Playground's negative blob at (-2, -2), class 1 the positive one at (2, 2)
    centres = np.repeat(np.array([[-GAUSS_CENTRE] * 2, [GAUSS_CENTRE] * 2]), counts, axis=0)
    return _truncated_jitter(rng, centres, std), _labels(counts)


def _spiral(rng: np.random.Generator, n: int, noise: float) -> tuple[np.ndarray, np.ndarray]:
    parts = []
    counts = _split(n, 2)
    # class 1 is the Playground's positive arm (delta 0), class 0 the negative one (delta pi)
    for m, delta in zip(counts, (np.pi, 0.0), strict=True):
        frac = np.arange(m) / max(m, 1)
        r = SPIRAL_RADIUS * frac
        t = SPIRAL_TURNS * frac * 2.0 * np.pi + delta
        parts.append(_polar(r, t) + rng.uniform(-1.0, 1.0, size=(m, 2)) * noise)
    return np.concatenate(parts), _labels(counts)


def _moons(rng: np.random.Generator, n: int, noise: float) -> tuple[np.ndarray, np.ndarray]:
    n_outer, n_inner = _split(n, 2)
    t_out = np.linspace(0.0, np.pi, n_outer)
    t_in = np.linspace(0.0, np.pi, n_inner)
    outer = np.column_stack([np.cos(t_out), np.sin(t_out)])
    inner = np.column_stack([1.0 - np.cos(t_in), 1.0 - np.sin(t_in) - 0.5])
    base = (np.concatenate([outer, inner]) - MOONS_CENTRE) * MOONS_SCALE
    # noise is scikit-learn's std in the moons' own units, hence the scale
    return _truncated_jitter(rng, base, noise * MOONS_SCALE), _labels([n_outer, n_inner])


def _bands(
    rng: np.random.Generator, n: int, noise: float, bands: tuple[tuple[float, float], ...]
) -> tuple[np.ndarray, np.ndarray]:
    """Classes alternate over the bands from the centre out; each class gets half the points,
    spread over its bands in proportion to their areas (uniform density within a class)."""
    counts = _split(n, 2)
    parts, labels = [], []
    for cls, m in enumerate(counts):
        mine = bands[cls::2]
        areas = np.array([b1 * b1 - b0 * b0 for b0, b1 in mine])
        per_band = rng.multinomial(m, areas / areas.sum()) if m else np.zeros(len(mine), int)
        for (b0, b1), k in zip(mine, per_band, strict=True):
            parts.append(_annulus(rng, int(k), b0, b1))
        labels.append(np.full(m, cls, dtype=np.int64))
    X = np.concatenate(parts)
    return _truncated_jitter(rng, X, RING_JITTER * noise), np.concatenate(labels)


def _ring(rng: np.random.Generator, n: int, noise: float) -> tuple[np.ndarray, np.ndarray]:
    r1, r2, r3 = RING_RADII
    return _bands(rng, n, noise, ((0.0, r1), (r2, r3)))


def _rings(rng: np.random.Generator, n: int, noise: float) -> tuple[np.ndarray, np.ndarray]:
    return _bands(rng, n, noise, RINGS_BANDS)


def _blobs(k: int) -> Generator:
    def generate(rng: np.random.Generator, n: int, noise: float) -> tuple[np.ndarray, np.ndarray]:
        counts = _split(n, k)
        angles = np.pi / 2 + 2.0 * np.pi * np.arange(k) / k + (np.pi / 4 if k == 4 else 0.0)
        centres = BLOBS_RADIUS * np.column_stack([np.cos(angles), np.sin(angles)])
        base = np.repeat(centres, counts, axis=0)
        std = BLOBS_STD[0] + BLOBS_STD[1] * noise
        return _truncated_jitter(rng, base, std), _labels(counts)

    return generate


def _reg_noise(rng: np.random.Generator, X: np.ndarray, noise: float) -> np.ndarray:
    return X + rng.uniform(-DOMAIN_HALF, DOMAIN_HALF, size=X.shape) * noise


def _reg_plane(rng: np.random.Generator, n: int, noise: float) -> tuple[np.ndarray, np.ndarray]:
    X = rng.uniform(-DOMAIN_HALF, DOMAIN_HALF, size=(n, 2))
    Z = _reg_noise(rng, X, noise)
    return X, (Z[:, 0] + Z[:, 1]) / 10.0


def _disk(rng: np.random.Generator, n: int, noise: float) -> tuple[np.ndarray, np.ndarray]:
    X = rng.uniform(-DOMAIN_HALF, DOMAIN_HALF, size=(n, 2))
    return X, disk_target(_reg_noise(rng, X, noise))


def picture_pixels(
    picture: Picture, rng: np.random.Generator, noise: float, side: int | None
) -> tuple[np.ndarray, np.ndarray]:
    """Every pixel of the picture at training resolution `side`: its centre, and its brightness
    (bilinear at the centre moved by the regression noise; exactly the pixel without noise)."""
    small = picture.at_resolution(side)
    X = small.pixel_centres()
    if noise == 0.0:
        return X, small.pixels.ravel().copy()
    return X, small.sample(_reg_noise(rng, X, noise))


# ----------------------------------------------------------------------------- registry
_C = Task.CLASSIFICATION
_R = Task.REGRESSION
_REGISTRY: dict[str, tuple[DatasetInfo, Generator]] = {
    info.name: (info, gen)
    for info, gen in [
        (
            DatasetInfo(
                "circle", _C, 2, 500, 0.0,
                "A disk of one class inside a ring of the other; noise blurs the edge.",
            ),
            _circle,
        ),
        (
            DatasetInfo(
                "xor", _C, 2, 500, 0.0,
                "Opposite quadrants share a class (exclusive or): one crease cannot do it.",
            ),
            _xor,
        ),
        (
            DatasetInfo(
                "gauss", _C, 2, 500, 0.0,
                "Two Gaussian clouds; a single straight crease separates them.",
            ),
            _gauss,
        ),
        (
            DatasetInfo(
                "spiral", _C, 2, 500, 0.0,
                "Two interleaved spiral arms: the hard one, it needs many creases.",
            ),
            _spiral,
        ),
        (
            DatasetInfo(
                "moons", _C, 2, 500, 0.1,
                "Two interlocking half-moons (the Laplace paper's toy uses 90 points).",
            ),
            _moons,
        ),
        (
            DatasetInfo(
                "ring", _C, 2, 500, 0.0,
                "A filled disk against a ring around it, with a clear gap between them.",
            ),
            _ring,
        ),
        (
            DatasetInfo(
                "rings", _C, 2, 500, 0.0,
                "Four bands from the centre out, alternating classes, like a target.",
            ),
            _rings,
        ),
        (
            DatasetInfo(
                "blobs3", _C, 3, 500, 0.1,
                "Three round clusters, one per class.",
            ),
            _blobs(3),
        ),
        (
            DatasetInfo(
                "blobs4", _C, 4, 500, 0.1,
                "Four round clusters, one per class.",
            ),
            _blobs(4),
        ),
        (
            DatasetInfo(
                "disk", _R, 0, 1200, 0.0,
                f"Regression: paint a white disk of radius {DISK_RADIUS:g} on black by folding.",
            ),
            _disk,
        ),
        (
            DatasetInfo(
                "reg-plane", _R, 0, 1200, 0.0,
                "Regression: a tilted plane (x + y) / 10; one linear region fits it exactly.",
            ),
            _reg_plane,
        ),
    ]
}  # fmt: skip


def _picture_info(name: str) -> DatasetInfo:
    shown = f"{name}.png" if is_bundled_name(name) else os.path.basename(name)
    return DatasetInfo(
        f"{IMAGE_PREFIX}{name}", _R, 0, 0, 0.0,
        f"Picture {shown}: learn its grey (0 black, 1 white) from every pixel.",
    )  # fmt: skip


def short_name(name: str) -> str:
    """A dataset's name as menus show it: a picture file by its file name ("image:cat.jpg")."""
    source = picture_source(name)
    if source is None or is_bundled_name(source):
        return name
    return IMAGE_PREFIX + os.path.basename(source)


def picture_source(name: str) -> str | None:
    """The picture behind dataset `name` ("image:star" -> "star", "image:/a/b.jpg" -> the
    path), or None when `name` is not a picture dataset."""
    if isinstance(name, str) and name.startswith(IMAGE_PREFIX):
        return name[len(IMAGE_PREFIX) :]
    return None


def dataset_names(include_pictures: bool = True) -> list[str]:
    """Every dataset name, built-ins first, then "image:NAME" for each PNG in assets/."""
    names = list(_REGISTRY)
    if include_pictures:
        names += [f"{IMAGE_PREFIX}{p}" for p in picture_names()]
    return names


def list_datasets(include_pictures: bool = True) -> list[DatasetInfo]:
    """Registry entries for every dataset, in the order of dataset_names."""
    return [dataset_info(name) for name in dataset_names(include_pictures)]


def dataset_info(name: str) -> DatasetInfo:
    """The registry entry of `name`; ValueError naming the allowed names when unknown."""
    if not isinstance(name, str):
        raise ValueError(f"dataset name must be a string, got {name!r}")
    if name in _REGISTRY:
        return _REGISTRY[name][0]
    picture = picture_source(name)
    if picture is not None:
        # ValueError naming the picture or file when it is no picture. A bundled one is only
        # looked up: the start menu reads every level file before its first frame, and decoding
        # a picture there cost tens of milliseconds (it is decoded when the level opens)
        if is_bundled_name(picture):
            picture_path(picture)
        else:
            load_picture(picture)
        return _picture_info(picture)
    raise ValueError(f"unknown dataset {name!r}; allowed: {', '.join(dataset_names())}")


def _check_n_noise_seed(n: object, noise: object, seed: object) -> tuple[int, float, int]:
    if isinstance(n, bool) or not isinstance(n, int | np.integer):
        raise ValueError(f"n must be an integer, got {n!r}")
    if not 0 <= n <= MAX_SAMPLES:
        raise ValueError(f"n = {n}; allowed: 0 to {MAX_SAMPLES}")
    try:
        noise_f = float(noise)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValueError(f"noise must be a number, got {noise!r}") from None
    lo, hi = NOISE_RANGE
    if not lo <= noise_f <= hi:  # also rejects NaN
        raise ValueError(f"noise = {noise!r}; allowed: {lo:g} to {hi}")
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"seed = {seed!r}; allowed: an integer >= 0")
    return int(n), noise_f, int(seed)


def _finish(
    rng: np.random.Generator, X: np.ndarray, y: np.ndarray, task: Task
) -> tuple[np.ndarray, np.ndarray]:
    order = rng.permutation(len(X))
    X = np.ascontiguousarray(X[order], dtype=np.float64).reshape(-1, 2)
    dtype = np.int64 if task is Task.CLASSIFICATION else np.float64
    return X, np.ascontiguousarray(y[order], dtype=dtype)


def make_dataset(
    name: str,
    n: int | None = None,
    noise: float | None = None,
    seed: int = 0,
    resolution: int | None = DEFAULT_TRAIN_SIDE,
) -> tuple[np.ndarray, np.ndarray]:
    """Generate dataset `name` with n points (registry default when None) and noise in [0, 0.5].

    Returns X (n, 2) float64 and y: int64 class ids 0..K-1 for classification, float64 targets
    for regression. The same (name, n, noise, seed) always gives the same arrays. A picture
    ("image:NAME" or "image:PATH") gives every pixel of the picture at `resolution` (its longest
    side in pixels; None: the picture's own pixels) whatever n is: the trainer's minibatches then
    sample pixel positions uniformly, so the network sees the whole picture.
    """
    info = dataset_info(name)
    n, noise, seed = _check_n_noise_seed(
        info.default_n if n is None else n, info.default_noise if noise is None else noise, seed
    )
    rng = np.random.default_rng(seed)
    source = picture_source(name)
    if source is not None:
        X, y = picture_pixels(load_picture(source), rng, noise, resolution)
    else:
        X, y = _REGISTRY[name][1](rng, n, noise)
    return _finish(rng, X, y, info.task)


def image_dataset(
    source: str | os.PathLike,
    noise: float = 0.0,
    seed: int = 0,
    resolution: int | None = DEFAULT_TRAIN_SIDE,
) -> tuple[np.ndarray, np.ndarray]:
    """Picture regression from any image file (a path) or bundled picture (a name): every pixel
    at the training resolution, targets the brightness in [0, 1], in a seeded random order."""
    _, noise, seed = _check_n_noise_seed(0, noise, seed)
    rng = np.random.default_rng(seed)
    X, y = picture_pixels(load_picture(source), rng, noise, resolution)
    return _finish(rng, X, y, Task.REGRESSION)


def flip_labels(
    X: np.ndarray,
    y: np.ndarray,
    box: tuple[float, float, float, float],
    n_classes: int,
    fraction: float = 1.0,
    seed: int = 0,
) -> np.ndarray:
    """Class labels with some of those inside `box` ([xmin, xmax, ymin, ymax]) taught wrong.

    Each point in the box is flipped with probability `fraction` (1: every one), to the next
    class (c -> c + 1 mod n_classes), drawn from its own generator seeded by `seed`, so the same
    data and seed always flip the same points. Returns a new array; `y` is not changed.
    """
    X = np.asarray(X, dtype=np.float64).reshape(-1, 2)
    out = np.asarray(y, dtype=np.int64).copy()
    x0, x1, y0, y1 = box
    inside = (X[:, 0] >= x0) & (X[:, 0] <= x1) & (X[:, 1] >= y0) & (X[:, 1] <= y1)
    chosen = np.random.default_rng(seed).random(len(X)) < fraction
    flip = inside & chosen
    out[flip] = (out[flip] + 1) % max(int(n_classes), 2)
    return out
