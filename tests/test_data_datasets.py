"""Dataset generators and registry: determinism, shapes, balance, domain and the MATH.md rules."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from sandbox.data import (
    DOMAIN,
    Task,
    dataset_info,
    dataset_names,
    image_dataset,
    list_datasets,
    load_picture,
    make_dataset,
)
from sandbox.data.datasets import RINGS_BANDS, _split

BUILTIN = [
    "circle",
    "xor",
    "gauss",
    "spiral",
    "moons",
    "ring",
    "rings",
    "blobs3",
    "blobs4",
    "disk",
    "reg-plane",
]
ALL = BUILTIN + ["image:smiley"]
# generators that place an exact share of points in each class
EXACT_BALANCE = ["gauss", "spiral", "moons", "ring", "rings", "blobs3", "blobs4"]


def radius(X: np.ndarray) -> np.ndarray:
    return np.hypot(X[:, 0], X[:, 1])


# ----------------------------------------------------------------------------- registry
def test_registry_lists_every_builtin_and_asset_pictures():
    names = dataset_names()
    assert names[: len(BUILTIN)] == BUILTIN
    assert "image:smiley" in names
    assert dataset_names(include_pictures=False) == BUILTIN
    infos = list_datasets()
    assert [i.name for i in infos] == names
    for info in infos:
        assert info.description and len(info.description) < 100
        assert 0.0 <= info.default_noise <= 0.5
        if info.task is Task.CLASSIFICATION:
            assert info.n_classes >= 2 and info.n_out == info.n_classes
            assert info.default_n == 500
        else:
            assert info.n_classes == 0 and info.n_out == 1
            # pictures train on every pixel whatever n is
            assert info.default_n == (0 if info.name.startswith("image:") else 1200)
    assert dataset_info("blobs3").n_classes == 3
    assert dataset_info("blobs4").n_classes == 4
    assert dataset_info("disk").task == "regression"  # string enum: plain strings compare


@pytest.mark.parametrize("bad", ["nope", "image:nope", "Circle", "", 3])
def test_unknown_dataset_names_the_value_and_the_choices(bad):
    with pytest.raises(ValueError) as err:
        make_dataset(bad)
    msg = str(err.value)
    if bad == "image:nope":  # a picture name: the pictures are the choices
        assert "unknown picture 'nope'; allowed: bottle, disk" in msg
        return
    assert repr(bad) in msg
    if isinstance(bad, str):
        assert "circle" in msg and "reg-plane" in msg


@pytest.mark.parametrize(
    "kwargs, fragment",
    [
        ({"n": -1}, "n = -1"),
        ({"n": 10**7}, "n = 10000000"),
        ({"n": 2.5}, "2.5"),
        ({"n": True}, "True"),
        ({"noise": 0.6}, "noise = 0.6"),
        ({"noise": -0.1}, "noise = -0.1"),
        ({"noise": float("nan")}, "nan"),
        ({"noise": "lots"}, "lots"),
        ({"seed": -3}, "seed = -3"),
        ({"seed": 1.5}, "seed = 1.5"),
    ],
)
def test_bad_arguments_raise_value_error_naming_them(kwargs, fragment):
    with pytest.raises(ValueError, match="allowed|must be") as err:
        make_dataset("circle", **kwargs)
    assert fragment in str(err.value)


# ----------------------------------------------------------------------------- every dataset
@pytest.mark.parametrize("name", ALL)
def test_seeded_deterministic_shapes_dtypes_domain(name):
    info = dataset_info(name)
    X, y = make_dataset(name, seed=3)
    X2, y2 = make_dataset(name, seed=3)
    X3, _ = make_dataset(name, seed=4)
    assert X.tobytes() == X2.tobytes() and y.tobytes() == y2.tobytes()
    assert not np.array_equal(X, X3)
    n = 64 * 64 if name.startswith("image:") else info.default_n
    assert X.shape == (n, 2) and X.dtype == np.float64 and X.flags.c_contiguous
    assert y.shape == (n,)
    if info.task is Task.CLASSIFICATION:
        assert y.dtype == np.int64
        assert set(np.unique(y)) == set(range(info.n_classes))
    else:
        assert y.dtype == np.float64 and np.all(np.isfinite(y))
    lo, hi = DOMAIN
    for noise in (0.0, 0.5):
        Xn, _ = make_dataset(name, n=2000, noise=noise, seed=1)
        assert Xn.min() >= lo and Xn.max() <= hi


@pytest.mark.parametrize("name", BUILTIN)
@pytest.mark.parametrize("n", [0, 1, 7])
def test_small_and_odd_sizes(name, n):
    X, y = make_dataset(name, n=n, noise=0.2, seed=0)
    assert X.shape == (n, 2) and y.shape == (n,)
    assert X.dtype == np.float64


@pytest.mark.parametrize("name", EXACT_BALANCE)
@pytest.mark.parametrize("n", [500, 301])
def test_exact_class_balance(name, n):
    k = dataset_info(name).n_classes
    _, y = make_dataset(name, n=n, noise=0.3, seed=2)
    assert sorted(np.bincount(y, minlength=k)) == sorted(_split(n, k))


def test_points_come_shuffled():
    for name in EXACT_BALANCE + ["circle"]:
        _, y = make_dataset(name, n=400, seed=0)
        assert len(np.unique(y[:50])) > 1, name


def test_xor_is_roughly_balanced():
    _, y = make_dataset("xor", n=4000, seed=0)
    assert abs(np.mean(y) - 0.5) < 0.03


# ----------------------------------------------------------------------------- MATH.md rules
def test_circle_noise_zero_labels_are_exactly_radius_below_2_5():
    X, y = make_dataset("circle", n=3000, noise=0.0, seed=5)
    r = radius(X)
    np.testing.assert_array_equal(y, (r < 2.5).astype(np.int64))
    assert np.all((r < 2.5) | ((r >= 3.5) & (r <= 5.0)))
    assert np.sum(y) == 1500


def test_circle_noise_only_flips_labels_near_the_edge():
    X, y = make_dataset("circle", n=4000, noise=0.1, seed=6)
    r = radius(X)
    reach = 5.0 * 0.1 * np.sqrt(2.0)  # largest U(-5, 5) * noise shift
    assert np.all(y[r < 2.5 - reach] == 1)
    assert np.all(y[r > 2.5 + reach] == 0)
    # more noise, more labels that disagree with the noiseless rule
    wrong = []
    for noise in (0.0, 0.1, 0.5):
        Xs, ys = make_dataset("circle", n=4000, noise=noise, seed=1)
        wrong.append(np.mean(ys != (radius(Xs) < 2.5)))
    assert wrong[0] == 0.0 < wrong[1] < wrong[2] < 0.5


def test_xor_padding_and_labels():
    X, y = make_dataset("xor", n=3000, noise=0.0, seed=0)
    assert np.all(np.abs(X) >= 0.3) and np.all(np.abs(X) <= 5.3)
    np.testing.assert_array_equal(y, (X[:, 0] * X[:, 1] >= 0).astype(np.int64))
    Xn, yn = make_dataset("xor", n=3000, noise=0.1, seed=0)
    safe = np.all(np.abs(Xn) > 0.5, axis=1)  # a U(-5, 5) * 0.1 shift cannot change the sign
    np.testing.assert_array_equal(yn[safe], (Xn[safe, 0] * Xn[safe, 1] >= 0).astype(np.int64))
    assert np.any(yn[~safe] != (Xn[~safe, 0] * Xn[~safe, 1] >= 0))


@pytest.mark.parametrize("noise", [0.0, 0.1])
def test_gauss_centres_and_variance(noise):
    X, y = make_dataset("gauss", n=8000, noise=noise, seed=0)
    var = 0.5 + 7.0 * noise
    for cls, c in ((1, 2.0), (0, -2.0)):
        P = X[y == cls]
        np.testing.assert_allclose(P.mean(axis=0), [c, c], atol=0.06)
        np.testing.assert_allclose(P.var(axis=0), [var, var], rtol=0.08)


def test_spiral_noise_zero_follows_the_formula():
    m = 250
    X, y = make_dataset("spiral", n=2 * m, noise=0.0, seed=0)
    for cls, delta in ((1, 0.0), (0, np.pi)):
        P = X[y == cls]
        r = radius(P)
        order = np.argsort(r)
        np.testing.assert_allclose(r[order], 5.0 * np.arange(m) / m, atol=1e-12)
        rs = r[order]
        t = 1.75 * (rs / 5.0) * 2.0 * np.pi + delta
        expected = np.column_stack([rs * np.sin(t), rs * np.cos(t)])
        np.testing.assert_allclose(P[order], expected, atol=1e-12)


def test_spiral_noise_is_bounded_uniform():
    X0, y0 = make_dataset("spiral", n=500, noise=0.0, seed=9)
    X1, y1 = make_dataset("spiral", n=500, noise=0.3, seed=9)
    # same seed and shuffle draw order differ, so compare the sorted clean arms instead
    for cls in (0, 1):
        clean = X0[y0 == cls]
        noisy = X1[y1 == cls]
        d = np.min(np.max(np.abs(noisy[:, None, :] - clean[None, :, :]), axis=2), axis=1)
        assert np.all(d <= 0.3 + 1e-12)
        assert np.max(d) > 0.15


def test_moons_noise_zero_lie_on_the_scaled_half_circles():
    X, y = make_dataset("moons", n=400, noise=0.0, seed=0)
    U = X / 3.0 + np.array([0.5, 0.25])  # back to scikit-learn's units
    outer, inner = U[y == 0], U[y == 1]
    np.testing.assert_allclose(np.hypot(*outer.T), 1.0, atol=1e-12)
    assert np.all(outer[:, 1] >= -1e-12)
    np.testing.assert_allclose(np.hypot(inner[:, 0] - 1.0, inner[:, 1] - 0.5), 1.0, atol=1e-12)
    assert np.all(inner[:, 1] <= 0.5 + 1e-12)


def test_moons_noise_is_gaussian_in_scikit_units():
    X, y = make_dataset("moons", n=6000, noise=0.1, seed=0)
    U = X / 3.0 + np.array([0.5, 0.25])
    dist = np.where(y == 0, np.hypot(*U.T), np.hypot(U[:, 0] - 1.0, U[:, 1] - 0.5)) - 1.0
    # radial deviation of a 2-D N(0, 0.1^2) shift from a unit circle has std close to 0.1
    assert 0.085 < np.std(dist) < 0.115


def test_ring_noise_zero_bands_and_uniform_area():
    X, y = make_dataset("ring", n=6000, noise=0.0, seed=0)
    r = radius(X)
    assert np.all(r[y == 0] < 2.5)
    assert np.all((r[y == 1] >= 3.5) & (r[y == 1] < 5.0))
    # uniform over the area: r^2 is uniform, so its median is the middle of the r^2 range
    assert abs(np.median(r[y == 0] ** 2) - 2.5**2 / 2) < 0.25
    assert abs(np.median(r[y == 1] ** 2) - (3.5**2 + 5**2) / 2) < 0.5


def test_ring_noise_blurs_the_gap():
    X, y = make_dataset("ring", n=3000, noise=0.3, seed=0)
    r = radius(X)
    assert np.any(r[y == 0] > 2.5) and np.any(r[y == 1] < 3.5)


def test_rings_alternate_classes_by_band():
    X, y = make_dataset("rings", n=4000, noise=0.0, seed=0)
    r = radius(X)
    band = np.full(len(r), -1)
    for k, (b0, b1) in enumerate(RINGS_BANDS):
        band[(r >= b0) & (r < b1)] = k
    assert np.all(band >= 0)
    np.testing.assert_array_equal(y, band % 2)
    assert set(np.unique(band)) == set(range(len(RINGS_BANDS)))


@pytest.mark.parametrize("name, k", [("blobs3", 3), ("blobs4", 4)])
def test_blobs_centres_on_a_circle(name, k):
    X, y = make_dataset(name, n=4000, noise=0.1, seed=0)
    means = np.array([X[y == c].mean(axis=0) for c in range(k)])
    np.testing.assert_allclose(radius(means), 3.5, atol=0.1)
    gaps = np.linalg.norm(means[:, None] - means[None], axis=2)[np.triu_indices(k, 1)]
    assert gaps.min() > 4.0
    for c in range(k):
        assert 0.6 < X[y == c].std(axis=0).mean() < 0.8  # std = 0.5 + 2 * 0.1


def test_reg_plane_targets():
    X, y = make_dataset("reg-plane", n=3000, noise=0.0, seed=0)
    np.testing.assert_allclose(y, (X[:, 0] + X[:, 1]) / 10.0, rtol=0, atol=1e-15)
    Xn, yn = make_dataset("reg-plane", n=3000, noise=0.1, seed=0)
    dev = np.abs(yn - (Xn[:, 0] + Xn[:, 1]) / 10.0)
    assert dev.max() <= 2 * 0.6 / 10 + 1e-12 and dev.max() > 0.05


def test_disk_picture_targets():
    X, y = make_dataset("disk", n=6000, noise=0.0, seed=0)
    np.testing.assert_array_equal(y, (radius(X) < 3.0).astype(np.float64))
    assert abs(y.mean() - np.pi * 9.0 / 144.0) < 0.02
    Xn, yn = make_dataset("disk", n=6000, noise=0.05, seed=0)
    r = radius(Xn)
    reach = 6.0 * 0.05 * np.sqrt(2.0)
    assert np.all(yn[r < 3.0 - reach] == 1.0) and np.all(yn[r > 3.0 + reach] == 0.0)


def test_image_dataset_is_every_pixel_at_the_training_resolution():
    pic = load_picture("smiley")  # 64 x 64
    X, y = make_dataset("image:smiley", n=2000, noise=0.0, seed=0, resolution=32)
    assert X.shape == (32 * 32, 2)  # n does not apply to pictures
    small = pic.at_resolution(32)
    # each target is the 2 x 2 box average of the full picture, at that box's centre
    np.testing.assert_allclose(y, small.sample(X), atol=1e-12)
    full = pic.pixels.reshape(32, 2, 32, 2).mean(axis=(1, 3))
    np.testing.assert_allclose(np.sort(y), np.sort(full.ravel()), atol=1e-12)
    xmin, xmax, ymin, ymax = pic.extent
    assert np.all((X[:, 0] > xmin) & (X[:, 0] < xmax) & (X[:, 1] > ymin) & (X[:, 1] < ymax))
    X64, _ = make_dataset("image:smiley", seed=0, resolution=None)
    assert X64.shape == (64 * 64, 2)


def test_image_dataset_from_any_file_keeps_the_aspect(tmp_path):
    from PIL import Image

    # 2 x 4 picture, black left half, white right half: extent [-6, 6] x [-3, 3]
    img = np.array([[0, 0, 255, 255], [0, 0, 255, 255]], dtype=np.uint8)
    path = tmp_path / "halves.png"
    Image.fromarray(img, "L").save(path)
    X, y = image_dataset(path, noise=0.0, seed=1)
    assert X.shape == (8, 2)
    np.testing.assert_allclose(np.sort(np.unique(np.abs(X[:, 0]))), [1.5, 4.5])
    np.testing.assert_allclose(np.unique(np.abs(X[:, 1])), [1.5])
    np.testing.assert_array_equal(y, (X[:, 0] > 0).astype(float))
    assert dataset_info(f"image:{path}").task is Task.REGRESSION
    with pytest.raises(ValueError, match="noise"):
        image_dataset(path, noise=-2)


def test_picture_sample_hits_pixel_centres_exactly():
    pic = load_picture("smiley")
    h, w = pic.pixels.shape
    xmin, xmax, ymin, ymax = pic.extent
    rows, cols = np.meshgrid(np.arange(h), np.arange(w), indexing="ij")
    x = xmin + (cols + 0.5) * (xmax - xmin) / w
    yy = ymax - (rows + 0.5) * (ymax - ymin) / h
    got = pic.sample(np.column_stack([x.ravel(), yy.ravel()])).reshape(h, w)
    np.testing.assert_allclose(got, pic.pixels, atol=1e-12)


def test_core_imports_no_display_libraries():
    code = (
        "import sys, sandbox.data, sandbox.io\n"
        "sandbox.data.make_dataset('image:smiley', n=10)\n"
        "mods = ('pygame', 'pygame_gui', 'OpenGL', 'torch')\n"
        "bad = [m for m in mods if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
