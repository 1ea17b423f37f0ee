"""Recordings: GIF frames read back with Pillow (count, size, pixels, timing), limits, atomicity."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from sandbox.io import recording
from sandbox.io.recording import MP4_MISSING, Recorder, available_formats

OKABE_ITO = np.array(
    [[230, 159, 0], [86, 180, 233], [0, 158, 115], [240, 228, 66], [0, 114, 178], [213, 94, 0]],
    dtype=np.uint8,
)


def flat_frame(h, w, shift=0):
    """Flat-coloured regions, like the region view: few colours, sharp edges."""
    yy, xx = np.mgrid[0:h, 0:w]
    return OKABE_ITO[((xx // 13) + (yy // 7) * 3 + (xx + yy + shift) // 29) % 6]


def read_gif(path):
    """(frames as RGB arrays, durations in ms, info) as a viewer shows them."""
    frames, durations = [], []
    with Image.open(path) as im:
        info = dict(im.info)
        for i in range(im.n_frames):
            im.seek(i)
            durations.append(im.info["duration"])
            frames.append(np.asarray(im.convert("RGB")))
    return frames, durations, info


def leftovers(folder):
    return [p.name for p in folder.iterdir() if p.name.endswith(".tmp")]


def test_gif_frame_count_size_pixels_and_loop(tmp_path):
    frames = [flat_frame(45, 70, shift=3 * i) for i in range(12)]
    path = tmp_path / "run.gif"
    rec = Recorder(path, fps=20)
    for f in frames:
        rec.add_frame(f)
    assert rec.frame_count == 12 and rec.seconds == pytest.approx(0.6)
    assert rec.close() == [path]
    got, durations, info = read_gif(path)
    assert len(got) == 12
    assert all(g.shape == (45, 70, 3) for g in got)
    for want, g in zip(frames, got, strict=True):
        np.testing.assert_array_equal(g, want)  # <= 256 colours: stored exactly
    assert durations == [50] * 12
    assert info["loop"] == 0
    assert leftovers(tmp_path) == []


@settings(max_examples=25, deadline=None)
@given(
    st.integers(1, 40),
    st.integers(1, 40),
    st.integers(1, 256),
    st.integers(1, 5),
    st.integers(0, 2**32 - 1),
)
def test_gif_exact_for_any_frames_up_to_256_colours(tmp_path_factory, h, w, k, n, seed):
    rng = np.random.default_rng(seed)
    palette = rng.integers(0, 256, (k, 3), dtype=np.uint8)
    frames = [palette[rng.integers(0, k, (h, w))] for _ in range(n)]
    if n > 2:
        frames[2] = frames[1].copy()  # an unchanged frame
        frames[2][h // 2, w // 2] = palette[0]  # ... or one changed pixel
    path = tmp_path_factory.mktemp("gif") / "f.gif"
    with Recorder(path, fps=50) as rec:
        for f in frames:
            rec.add_frame(f)
    got, durations, _ = read_gif(path)
    assert len(got) == n and durations == [20] * n
    for want, g in zip(frames, got, strict=True):
        np.testing.assert_array_equal(g, want)


def test_small_changes_store_small_patches(tmp_path):
    base = flat_frame(200, 300)
    frames = [base]
    for i in range(1, 30):
        f = frames[-1].copy()
        f[10 + i : 14 + i, 20:30] = OKABE_ITO[i % 6]  # a small moving block
        frames.append(f)
    frames += [frames[-1]] * 10  # paused: nothing changes
    path = tmp_path / "small.gif"
    with Recorder(path) as rec:
        for f in frames:
            rec.add_frame(f)
    got, _, _ = read_gif(path)
    assert len(got) == 40
    for want, g in zip(frames, got, strict=True):
        np.testing.assert_array_equal(g, want)
    full = tmp_path / "full.gif"
    Image.fromarray(base).save(full)
    # 40 frames cost far less than 40 full frames would.
    assert path.stat().st_size < 4 * full.stat().st_size


@pytest.mark.parametrize("fps, expected_total_ms", [(30, 1000), (24, 1250), (7, 4290)])
def test_frame_delays_add_up_to_the_duration(tmp_path, fps, expected_total_ms):
    n = 30
    path = tmp_path / "t.gif"
    with Recorder(path, fps=fps) as rec:
        for i in range(n):
            rec.add_frame(flat_frame(8, 8, shift=i))
    _, durations, _ = read_gif(path)
    assert len(durations) == n
    assert sum(durations) == expected_total_ms == round(100 * n / fps) * 10
    assert max(durations) - min(durations) <= 10


def test_rich_frames_are_quantised_closely(tmp_path):
    yy, xx = np.mgrid[0:120, 0:160]
    t = (np.sin(xx / 17.0) * np.cos(yy / 11.0) + 1) / 2
    colour = OKABE_ITO[((xx // 40) + (yy // 30)) % 6].astype(float)
    frame = (colour * t[..., None] + 255 * (1 - t[..., None])).astype(np.uint8)
    assert len(np.unique(frame.reshape(-1, 3), axis=0)) > 256
    path = tmp_path / "q.gif"
    with Recorder(path) as rec:
        rec.add_frame(frame)
    (got,), _, _ = read_gif(path)
    err = np.abs(got.astype(int) - frame.astype(int))
    assert err.mean() < 3.0 and err.max() < 40


def test_downscale_to_max_width_and_rgba(tmp_path):
    frame = np.zeros((1000, 2000, 4), dtype=np.uint8)
    frame[:, :1000, :3] = OKABE_ITO[0]
    frame[:, 1000:, :3] = OKABE_ITO[4]
    frame[..., 3] = 7  # alpha is ignored
    path = tmp_path / "big.gif"
    with Recorder(path, max_width=960) as rec:
        rec.add_frame(frame)
        rec.add_frame(frame)
    assert rec.size == (960, 480)
    got, _, _ = read_gif(path)
    assert len(got) == 2 and got[0].shape == (480, 960, 3)
    np.testing.assert_array_equal(got[1][240, 100], OKABE_ITO[0])
    np.testing.assert_array_equal(got[1][240, 860], OKABE_ITO[4])
    tall = np.zeros((3000, 500, 3), dtype=np.uint8)
    with Recorder(tmp_path / "tall.gif", max_height=600) as rec:
        rec.add_frame(tall)
    assert rec.size == (100, 600)


def test_resized_window_is_letterboxed(tmp_path):
    path = tmp_path / "r.gif"
    first = np.full((40, 80, 3), 200, dtype=np.uint8)
    wider = np.zeros((40, 160, 3), dtype=np.uint8)
    wider[:] = OKABE_ITO[1]
    with Recorder(path) as rec:
        rec.add_frame(first)
        rec.add_frame(wider)
    got, _, _ = read_gif(path)
    assert [g.shape for g in got] == [(40, 80, 3), (40, 80, 3)]
    np.testing.assert_array_equal(got[1][0, 40], [0, 0, 0])  # bars above and below
    np.testing.assert_array_equal(got[1][-1, 40], [0, 0, 0])
    np.testing.assert_array_equal(got[1][20, 40], OKABE_ITO[1])


def test_frame_limit_keeps_what_was_recorded(tmp_path):
    path = tmp_path / "limit.gif"
    rec = Recorder(path, fps=10, max_frames=5)
    for i in range(5):
        assert not rec.full
        rec.add_frame(flat_frame(10, 10, shift=i))
    assert rec.full and rec.counter_text == "REC 5/5  0.5 s"
    with pytest.raises(ValueError, match="limit of 5 frames \\(0 s at 10 fps\\); stop recording"):
        rec.add_frame(flat_frame(10, 10))
    assert rec.frame_count == 5
    rec.close()
    assert len(read_gif(path)[0]) == 5


def test_byte_limit(tmp_path):
    rng = np.random.default_rng(0)
    rec = Recorder(tmp_path / "b.gif", max_bytes=4096)
    with pytest.raises(ValueError, match="size limit of 0 MiB"):
        for _ in range(100):
            rec.add_frame(rng.integers(0, 256, (32, 32, 3), dtype=np.uint8))
    assert 1 <= rec.frame_count < 100
    n = rec.frame_count
    rec.close()
    assert len(read_gif(tmp_path / "b.gif")[0]) == n


@pytest.mark.parametrize(
    "frame, message",
    [
        (np.zeros((10, 10, 3)), "uint8 numpy array, got float64"),
        ([[0, 0, 0]], "uint8 numpy array, got list"),
        (np.zeros((10, 10), dtype=np.uint8), "shape \\(H, W, 3\\) or \\(H, W, 4\\)"),
        (np.zeros((10, 10, 2), dtype=np.uint8), "got \\(10, 10, 2\\)"),
        (np.zeros((0, 10, 3), dtype=np.uint8), "10x0 pixels; allowed: 1 to 16384"),
    ],
)
def test_bad_frames(tmp_path, frame, message):
    rec = Recorder(tmp_path / "x.gif")
    with pytest.raises(ValueError, match=message):
        rec.add_frame(frame)
    rec.discard()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(path="a.avi"), "must end in .gif or .mp4"),
        (dict(path="a.gif", formats=("webm",)), "allowed: gif, mp4"),
        (dict(path="a.gif", fps=0), "fps is 0; allowed: 1 to 50"),
        (dict(path="a.gif", fps=60), "fps is 60"),
        (dict(path="a.gif", max_width=8), "max_width is 8; allowed: 16 to 4096"),
        (dict(path="a.gif", max_frames=0), "max_frames is 0"),
        (dict(path="a.gif", fps=True), "fps must be a number"),
        (dict(path="a.gif", max_frames=2.5), "max_frames must be an integer"),
    ],
)
def test_bad_settings(tmp_path, kwargs, message):
    path = tmp_path / kwargs.pop("path")
    with pytest.raises(ValueError, match=message):
        Recorder(path, **kwargs)
    assert list(tmp_path.iterdir()) == []


def test_missing_folder_is_a_value_error(tmp_path):
    with pytest.raises(ValueError, match="cannot write recording"):
        Recorder(tmp_path / "nope" / "a.gif")


def test_mp4_without_the_extra(tmp_path, monkeypatch):
    monkeypatch.setattr(recording, "mp4_available", lambda: False)
    assert available_formats() == ("gif",)
    with pytest.raises(ValueError) as info:
        Recorder(tmp_path / "a.mp4")
    assert (
        str(info.value)
        == MP4_MISSING
        == ("MP4 needs the optional extra: pip install neural-origami[video]")
    )
    with pytest.raises(ValueError, match="optional extra"):
        Recorder(tmp_path / "a.gif", formats=("gif", "mp4"))
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------- atomicity


def test_old_file_untouched_until_close_and_on_discard(tmp_path):
    path = tmp_path / "demo.gif"
    path.write_bytes(b"old recording")
    rec = Recorder(path)
    rec.add_frame(flat_frame(20, 20))
    assert path.read_bytes() == b"old recording"
    rec.discard()
    assert path.read_bytes() == b"old recording" and leftovers(tmp_path) == []

    with pytest.raises(RuntimeError):
        with Recorder(path) as rec:
            rec.add_frame(flat_frame(20, 20))
            raise RuntimeError("app crashed mid-recording")
    assert path.read_bytes() == b"old recording" and leftovers(tmp_path) == []

    rec = Recorder(path)
    assert rec.close() == []  # nothing recorded: nothing written
    assert path.read_bytes() == b"old recording" and leftovers(tmp_path) == []
    with pytest.raises(ValueError, match="already closed"):
        rec.add_frame(flat_frame(20, 20))


def test_write_failure_mid_recording_keeps_old_file(tmp_path, monkeypatch):
    path = tmp_path / "demo.gif"
    path.write_bytes(b"old recording")
    rec = Recorder(path)
    rec.add_frame(flat_frame(20, 20))
    sink = rec._sinks[0]

    def full_disk(data):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(sink.out.file, "write", full_disk)
    with pytest.raises(ValueError, match="No space left on device; the recording was dropped"):
        rec.add_frame(flat_frame(20, 20, shift=5))
    assert rec.closed
    assert path.read_bytes() == b"old recording" and leftovers(tmp_path) == []


# ---------------------------------------------------------------- MP4 (optional extra)


def test_mp4_frame_count_and_even_size(tmp_path):
    imageio_ffmpeg = pytest.importorskip("imageio_ffmpeg")
    if not recording.mp4_available():
        pytest.skip("imageio-ffmpeg is installed without a usable ffmpeg")
    path = tmp_path / "demo.gif"
    frames = [flat_frame(51, 75, shift=4 * i) for i in range(15)]
    with Recorder(path, fps=15, formats=("gif", "mp4")) as rec:
        for f in frames:
            rec.add_frame(f)
    mp4 = tmp_path / "demo.mp4"
    assert rec.paths == [path, mp4] and path.exists() and mp4.exists()
    n_frames, seconds = imageio_ffmpeg.count_frames_and_secs(str(mp4))
    assert n_frames == 15 and seconds == pytest.approx(1.0, abs=0.1)
    reader = imageio_ffmpeg.read_frames(str(mp4))
    meta = next(reader)
    assert tuple(meta["size"]) == (76, 52)
    first = np.frombuffer(next(reader), dtype=np.uint8).reshape(52, 76, 3)
    reader.close()
    assert np.abs(first[:51, :75].astype(int) - frames[0]).mean() < 12  # lossy H.264
    assert len(read_gif(path)[0]) == 15
    assert leftovers(tmp_path) == []
