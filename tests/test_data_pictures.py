"""Pictures through Pillow: every common format, grey by luminance, transparency over white,
animations' first frame, training resolution, and one clear message for every bad file."""

from __future__ import annotations

import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from sandbox.data import load_picture, make_dataset, picture_names
from sandbox.data.pictures import MAX_PICTURE_PIXELS, box_resample, read_picture_gray

BUNDLED = ["bottle", "disk", "ring", "smiley", "square", "star"]


def gradient_rgb(h: int = 12, w: int = 16) -> np.ndarray:
    rng = np.random.default_rng(0)
    return rng.integers(0, 256, size=(h, w, 3), dtype=np.uint8)


def luma(rgb: np.ndarray) -> np.ndarray:
    return np.asarray(Image.fromarray(rgb, "RGB").convert("L"), dtype=np.float64) / 255.0


@pytest.mark.parametrize("suffix", [".png", ".bmp", ".tiff", ".webp"])
def test_lossless_formats_give_the_luminance_exactly(tmp_path, suffix):
    rgb = gradient_rgb()
    path = tmp_path / f"p{suffix}"
    kwargs = {"lossless": True} if suffix == ".webp" else {}
    Image.fromarray(rgb, "RGB").save(path, **kwargs)
    pic = load_picture(path)
    assert pic.pixels.shape == (12, 16) and pic.pixels.dtype == np.float64
    np.testing.assert_allclose(pic.pixels, luma(rgb), atol=1e-12)
    assert pic.extent == (-6.0, 6.0, -4.5, 4.5)  # aspect kept, longest side fills the domain


def test_jpeg_is_close_to_its_luminance(tmp_path):
    grey = np.tile(np.linspace(0, 255, 32).astype(np.uint8), (32, 1))
    path = tmp_path / "g.jpg"
    Image.fromarray(grey, "L").save(path, quality=95)
    pixels = load_picture(path).pixels
    assert np.abs(pixels - grey / 255.0).max() < 0.05


def test_gif_palette_and_animation_give_the_first_frame(tmp_path):
    frames = [Image.new("L", (8, 8), v) for v in (200, 20, 90)]
    path = tmp_path / "anim.gif"
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=50, loop=0)
    with Image.open(path) as im:
        assert im.n_frames == 3
    np.testing.assert_allclose(load_picture(path).pixels, 200 / 255.0, atol=1e-12)


def test_transparency_is_composited_over_white(tmp_path):
    rgba = np.zeros((4, 4, 4), dtype=np.uint8)
    rgba[..., 3] = 0  # transparent black: white
    rgba[0, 0] = (0, 0, 0, 255)  # opaque black
    rgba[1, 1] = (0, 0, 0, 128)  # half transparent black: mid grey
    path = tmp_path / "alpha.png"
    Image.fromarray(rgba, "RGBA").save(path)
    p = load_picture(path).pixels
    assert p[0, 0] == 0.0 and p[3, 3] == 1.0 and p[2, 0] == 1.0
    assert abs(p[1, 1] - 127 / 255.0) <= 1 / 255.0
    la = np.zeros((2, 2, 2), dtype=np.uint8)
    la[0, 0] = (0, 255)
    Image.fromarray(la, "LA").save(tmp_path / "la.png")
    np.testing.assert_array_equal(load_picture(tmp_path / "la.png").pixels, [[0, 1], [1, 1]])


def test_large_pictures_keep_full_resolution_and_train_small(tmp_path):
    big = (np.indices((600, 900)).sum(axis=0) % 256).astype(np.uint8)
    path = tmp_path / "big.png"
    Image.fromarray(big, "L").save(path)
    pic = load_picture(path)
    assert pic.pixels.shape == (600, 900)  # the full picture for display and testing
    small = pic.at_resolution(64)
    assert small.pixels.shape == (43, 64) and small.extent == pic.extent
    np.testing.assert_allclose(small.pixels.mean(), pic.pixels.mean(), atol=1e-9)
    X, y = make_dataset(f"image:{path}", resolution=64)
    assert X.shape == (43 * 64, 2)
    assert pic.at_resolution(2000) is pic


def test_box_resample_averages_exact_areas():
    a = np.arange(36, dtype=float).reshape(6, 6)
    np.testing.assert_allclose(box_resample(a, 3, 2), a.reshape(3, 2, 2, 3).mean(axis=(1, 3)))
    # a fractional factor keeps the mean and constants
    np.testing.assert_allclose(box_resample(np.full((7, 5), 0.3), 3, 2), 0.3)
    np.testing.assert_allclose(box_resample(a, 4, 5).mean(), a.mean())


def test_bundled_pictures_are_made_by_the_script():
    import importlib.util

    from sandbox.resources import resource_dir

    assert picture_names() == BUNDLED
    spec = importlib.util.spec_from_file_location(
        "make_pictures", resource_dir("assets") / "make_pictures.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for name in BUNDLED:
        pixels = load_picture(name).pixels
        np.testing.assert_array_equal(
            np.round(pixels * 255).astype(np.uint8), module.PICTURES[name]()
        )
    disk = load_picture("disk")
    assert disk.pixels.shape == (128, 128)
    # the disk: radius 3 on the plane, white inside, black outside
    assert disk.sample(np.array([[0.0, 0.0]]))[0] == 1.0
    assert disk.sample(np.array([[4.0, 0.0], [0.0, -3.3]])).max() == 0.0
    bottle = load_picture("bottle")
    assert bottle.sample(np.array([[0.0, -2.0]]))[0] == 0.0  # the diamond
    assert bottle.sample(np.array([[2.0, -2.0]]))[0] == 1.0  # the body beside it


def _png_header_only(width: int, height: int) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def _truncated_png(tmp_path):
    path = tmp_path / "good.png"
    Image.fromarray(gradient_rgb(64, 64), "RGB").save(path)
    data = path.read_bytes()
    bad = tmp_path / "cut.png"
    bad.write_bytes(data[: len(data) // 2])
    return bad


def _file(name: str, data: bytes):
    def make(folder):
        (folder / name).write_bytes(data)
        return folder / name

    return make


BAD = {
    "empty": (_file("empty.png", b""), "empty"),
    "text": (_file("notes.png", b"not a picture at all"), "not an image"),
    "truncated": (_truncated_png, "damaged or truncated"),
    "bomb": (_file("bomb.png", _png_header_only(60000, 60000)), "decompression bomb"),
    "big": (_file("big.png", _png_header_only(6000, 6000)), f"at most {MAX_PICTURE_PIXELS} pixels"),
    "missing": (lambda t: t / "nothere.png", "cannot read"),
    "folder": (lambda t: t, "not a file"),
}


@pytest.mark.parametrize("kind", list(BAD))
def test_bad_files_give_one_clear_message(tmp_path, kind):
    make, fragment = BAD[kind]
    path = make(tmp_path)
    with pytest.raises(ValueError) as err:
        load_picture(path)
    msg = str(err.value)
    assert fragment in msg and str(path) in msg, msg
    with pytest.raises(ValueError):
        make_dataset(f"image:{path}")


def test_reading_is_cached_until_the_file_changes(tmp_path):
    path = tmp_path / "p.png"
    Image.new("L", (3, 3), 0).save(path)
    a = read_picture_gray(path)
    assert read_picture_gray(path) is a and not a.flags.writeable
    Image.new("L", (3, 4), 255).save(path)
    import os

    os.utime(path, ns=(1, 1))
    assert read_picture_gray(path).shape == (4, 3)
