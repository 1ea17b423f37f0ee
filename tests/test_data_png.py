"""The zlib PNG reader against Pillow and a literal per-byte decoder, and its error reporting."""

from __future__ import annotations

import importlib.util
import io
import struct
import zlib

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from sandbox.data.png import encode_png, read_png, read_png_gray, to_gray, unfilter
from sandbox.resources import resource_dir

MODES = {"L": 1, "LA": 2, "RGB": 3, "RGBA": 4}


def pillow_png(arr: np.ndarray, mode: str, **save) -> bytes:
    img = Image.fromarray(arr[..., 0] if mode == "L" else arr, mode=None)
    assert img.mode == mode
    buf = io.BytesIO()
    img.save(buf, "PNG", **save)
    return buf.getvalue()


def pillow_decode(data: bytes) -> np.ndarray:
    a = np.asarray(Image.open(io.BytesIO(data)))
    return a[..., None] if a.ndim == 2 else a


def structured_image(rng: np.random.Generator, h: int, w: int, c: int) -> np.ndarray:
    """Smooth gradients plus noise plus flat patches, so every filter type has work to do."""
    yy, xx = np.mgrid[0:h, 0:w]
    base = (3 * xx + 5 * yy)[..., None] + 40 * np.arange(c)
    img = (base + rng.integers(0, 12, size=(h, w, c))) % 256
    img[: h // 3, : w // 2] = 200
    return img.astype(np.uint8)


def reference_unfilter(raw: bytes, h: int, w: int, c: int) -> np.ndarray:
    """The PNG specification's reconstruction, byte by byte, as the test oracle."""
    stride = w * c
    prev = [0] * stride
    out = []
    pos = 0
    for _ in range(h):
        ftype = raw[pos]
        line = list(raw[pos + 1 : pos + 1 + stride])
        pos += 1 + stride
        cur = [0] * stride
        for i in range(stride):
            a = cur[i - c] if i >= c else 0
            b = prev[i]
            cc = prev[i - c] if i >= c else 0
            if ftype == 0:
                pred = 0
            elif ftype == 1:
                pred = a
            elif ftype == 2:
                pred = b
            elif ftype == 3:
                pred = (a + b) // 2
            else:
                p = a + b - cc
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - cc)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else cc)
            cur[i] = (line[i] + pred) & 255
        out.append(cur)
        prev = cur
    return np.array(out, dtype=np.uint8).reshape(h, w, c)


def chunk(ctype: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + ctype + body + struct.pack(">I", zlib.crc32(ctype + body))


def handmade_png(
    w: int, h: int, depth: int, colour: int, raw: bytes, interlace: int = 0, extra: bytes = b""
) -> bytes:
    header = struct.pack(">IIBBBBB", w, h, depth, colour, 0, 0, interlace)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + extra
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


# ----------------------------------------------------------------------------- against Pillow
@pytest.mark.parametrize("mode", list(MODES))
@pytest.mark.parametrize("shape", [(1, 1), (1, 9), (9, 1), (37, 53), (64, 64)])
def test_pillow_written_files_decode_identically(mode, shape):
    rng = np.random.default_rng(sum(shape))
    arr = structured_image(rng, *shape, MODES[mode])
    data = pillow_png(arr, mode)
    got = read_png(data)
    assert got.dtype == np.uint8 and got.shape == arr.shape
    np.testing.assert_array_equal(got, arr)
    np.testing.assert_array_equal(got, pillow_decode(data))


@pytest.mark.parametrize("mode", list(MODES))
@pytest.mark.parametrize("ftype", [0, 1, 2, 3, 4])
def test_every_filter_type_matches_pillow(mode, ftype):
    rng = np.random.default_rng(ftype)
    arr = structured_image(rng, 23, 31, MODES[mode])
    data = encode_png(arr, ftype)
    np.testing.assert_array_equal(pillow_decode(data), arr)  # the encoder is right
    np.testing.assert_array_equal(read_png(data), arr)  # and so is the decoder


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    h=st.integers(1, 12),
    w=st.integers(1, 12),
    c=st.sampled_from([1, 2, 3, 4]),
    seed=st.integers(0, 2**32 - 1),
)
def test_random_filtered_streams_match_the_literal_decoder(h, w, c, seed):
    rng = np.random.default_rng(seed)
    raw = rng.integers(0, 256, size=(h, 1 + w * c), dtype=np.uint8)
    raw[:, 0] = rng.integers(0, 5, size=h)
    np.testing.assert_array_equal(unfilter(raw, w, c), reference_unfilter(raw.tobytes(), h, w, c))
    # the fast path (filters 0-2 only) too
    raw[:, 0] = rng.integers(0, 3, size=h)
    np.testing.assert_array_equal(unfilter(raw, w, c), reference_unfilter(raw.tobytes(), h, w, c))


@settings(max_examples=40, deadline=None)
@given(
    h=st.integers(1, 10),
    w=st.integers(1, 10),
    c=st.sampled_from([1, 2, 3, 4]),
    seed=st.integers(0, 2**32 - 1),
)
def test_mixed_row_filters_round_trip_through_pillow(h, w, c, seed):
    rng = np.random.default_rng(seed)
    arr = rng.integers(0, 256, size=(h, w, c), dtype=np.uint8)
    data = encode_png(arr, rng.integers(0, 5, size=h))
    np.testing.assert_array_equal(pillow_decode(data), arr)
    np.testing.assert_array_equal(read_png(data), arr)


def test_gray_conversion_matches_pillow_luma():
    rng = np.random.default_rng(0)
    rgb = rng.integers(0, 256, size=(40, 40, 3), dtype=np.uint8)
    data = pillow_png(rgb, "RGB")
    pil_l = np.asarray(Image.open(io.BytesIO(data)).convert("L"))
    gray = read_png_gray(data)
    assert gray.dtype == np.float64 and gray.shape == (40, 40)
    np.testing.assert_array_equal(np.round(gray * 255).astype(np.uint8), pil_l)


def test_alpha_composites_over_black():
    rng = np.random.default_rng(1)
    la = rng.integers(0, 256, size=(10, 12, 2), dtype=np.uint8)
    np.testing.assert_allclose(
        to_gray(la), la[..., 0] / 255.0 * la[..., 1] / 255.0, rtol=0, atol=1e-15
    )
    rgba = rng.integers(0, 256, size=(10, 12, 4), dtype=np.uint8)
    luma = np.asarray(Image.fromarray(rgba[..., :3]).convert("L")) / 255.0
    np.testing.assert_allclose(to_gray(rgba), luma * rgba[..., 3] / 255.0, atol=1e-15)
    assert to_gray(np.zeros((2, 2, 4), np.uint8)).max() == 0.0


def test_ancillary_chunks_are_skipped():
    arr = np.arange(12, dtype=np.uint8).reshape(3, 4, 1)
    raw = b"".join(b"\x00" + row.tobytes() for row in arr[..., 0])
    data = handmade_png(4, 3, 8, 0, raw, extra=chunk(b"gAMA", b"\x00\x00\xb1\x8f"))
    np.testing.assert_array_equal(read_png(data), arr)
    # IDAT may be split over several chunks
    comp = zlib.compress(raw)
    header = struct.pack(">IIBBBBB", 4, 3, 8, 0, 0, 0, 0)
    split = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", comp[:5])
        + chunk(b"IDAT", comp[5:])
        + chunk(b"IEND", b"")
    )
    np.testing.assert_array_equal(read_png(split), arr)


# ----------------------------------------------------------------------------- the asset
def test_smiley_asset_reads_like_pillow_and_matches_its_recipe():
    path = resource_dir("assets") / "smiley.png"
    got = read_png(path)
    np.testing.assert_array_equal(got, pillow_decode(path.read_bytes()))
    spec = importlib.util.spec_from_file_location("make_pictures", path.parent / "make_pictures.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    np.testing.assert_array_equal(got[..., 0], module.smiley())
    assert got.shape == (64, 64, 1) and path.stat().st_size < 4096


# ----------------------------------------------------------------------------- errors
def test_unsupported_kinds_are_named():
    rng = np.random.default_rng(0)
    arr = rng.integers(0, 256, size=(8, 8, 3), dtype=np.uint8)
    palette = io.BytesIO()
    Image.fromarray(arr).convert("P").save(palette, "PNG")
    with pytest.raises(ValueError, match="palette"):
        read_png(palette.getvalue())
    deep = io.BytesIO()
    Image.fromarray(arr[..., 0].astype(np.uint16) * 257).save(deep, "PNG")
    with pytest.raises(ValueError, match="bit depth 16"):
        read_png(deep.getvalue())
    bilevel = io.BytesIO()
    Image.fromarray(arr[..., 0] > 128).save(bilevel, "PNG")
    with pytest.raises(ValueError, match="bit depth 1"):
        read_png(bilevel.getvalue())
    raw = b"\x00" * (8 * 9)
    with pytest.raises(ValueError, match="interlaced"):
        read_png(handmade_png(8, 8, 8, 0, raw, interlace=1))
    with pytest.raises(ValueError, match="colour type 5"):
        read_png(handmade_png(8, 8, 8, 5, raw))


@pytest.mark.parametrize(
    "data, fragment",
    [
        (b"hello, not a png", "signature"),
        (b"", "signature"),
        (b"\x89PNG\r\n\x1a\n", "truncated"),
        (handmade_png(2, 2, 8, 0, b"\x00\x01\x02" * 2)[:-12], "truncated"),
        (handmade_png(2, 2, 8, 0, b"\x00\x01\x02"), "need 6 bytes"),
        (handmade_png(2, 2, 8, 0, b"\x00\x01\x02" * 3), "or more"),
        (handmade_png(2, 2, 8, 0, b"\x07\x01\x02\x00\x01\x02"), "filter type 7"),
        (handmade_png(0, 2, 8, 0, b""), "at least 1"),
        (handmade_png(9000, 1, 8, 0, b""), "9000x1"),
        (handmade_png(2, 2, 8, 0, b"", extra=chunk(b"ZZZZ", b"")), "unknown critical"),
    ],
)
def test_corrupt_files_give_value_errors(data, fragment):
    with pytest.raises(ValueError, match=fragment):
        read_png(data)


def test_missing_file_names_the_path(tmp_path):
    with pytest.raises(ValueError, match="nothere.png"):
        read_png(tmp_path / "nothere.png")


GOOD = encode_png(structured_image(np.random.default_rng(5), 6, 7, 3), [0, 1, 2, 3, 4, 4])


def test_every_truncation_is_a_value_error():
    for cut in range(len(GOOD)):
        with pytest.raises(ValueError):
            read_png(GOOD[:cut])


@settings(max_examples=300, deadline=None)
@given(pos=st.integers(0, len(GOOD) - 1), flip=st.integers(1, 255))
def test_any_changed_byte_is_caught(pos, flip):
    # the signature, the chunk lengths and the CRCs together cover every byte of the file
    bad = bytearray(GOOD)
    bad[pos] ^= flip
    with pytest.raises(ValueError):
        read_png(bytes(bad))


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200))
def test_arbitrary_bytes_never_raise_anything_but_value_error(blob):
    with pytest.raises(ValueError):
        read_png(b"\x89PNG\r\n\x1a\n" + blob)
