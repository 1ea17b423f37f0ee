"""Training without a window (sandbox.fit) and `neural-origami render --out net.npz`: the
network file, its PSNR against the picture, determinism, and parity with torch.optim.Adam."""

from __future__ import annotations

import numpy as np
import pytest

from sandbox import render_cli
from sandbox.data import load_picture, make_dataset
from sandbox.fit import FitJob, fit, picture_psnr
from sandbox.io.weights import load_network
from sandbox.nn import MLP, LrSchedule
from sandbox.vocab import Schedule


def test_psnr_is_exact_for_a_known_error():
    pic = load_picture("square")
    net = MLP([2, 1, 1], seed=0)
    net.params[:] = 0.0  # outputs 0 everywhere: the MSE is the mean of the squared picture
    mse = float(np.mean(pic.pixels**2))
    assert picture_psnr(net, pic) == pytest.approx(10 * np.log10(1 / mse), rel=1e-12)
    net.params[-1] = 2.0  # clipped to 1 as a picture shows it
    mse = float(np.mean((1 - pic.pixels) ** 2))
    assert picture_psnr(net, pic) == pytest.approx(10 * np.log10(1 / mse), rel=1e-12)


def test_fit_learns_the_disk_and_repeats_bit_for_bit():
    job = FitJob("image:disk", (40,), 1500, batch_size=128, resolution=32)
    a, b = fit(job), fit(job)
    np.testing.assert_array_equal(a.net.params, b.net.params)
    assert a.sizes == [2, 40, 1] and a.steps == 1500
    assert a.psnr > 11.0  # a blurry but clear disk (chance, a flat grey: about 8 dB)
    flat = MLP([2, 40, 1], seed=0)
    flat.params[:] = 0.0
    flat.params[-1] = 0.2
    assert picture_psnr(flat, load_picture("disk")) < 9.0
    cosine = fit(FitJob("image:disk", (40,), 1500, batch_size=128, resolution=32,
                        schedule=LrSchedule(Schedule.COSINE, 1500)))  # fmt: skip
    assert cosine.psnr > a.psnr - 1.0  # annealing settles instead of pulsing


def test_render_writes_the_network_as_npz(tmp_path, capsys):
    out = tmp_path / "net.npz"
    args = ["--picture", "disk", "--hidden", "30", "--steps", "600", "--resolution", "32"]
    code = render_cli.main([*args, "--batch-size", "128", "--out", str(out)])
    printed = capsys.readouterr().out
    assert code == 0, printed
    net = load_network(out)
    assert net.sizes == [2, 30, 1]
    job = FitJob("image:disk", (30,), 600, batch_size=128, resolution=32)
    np.testing.assert_array_equal(net.params, fit(job).net.params)
    psnr = picture_psnr(net, load_picture("disk"))
    assert f"PSNR {psnr:.2f} dB" in printed and "steps/s" in printed
    bad = render_cli.main(["--picture", str(tmp_path / "nothere.png"), "--out", str(out)])
    assert bad == 2 and "cannot read picture file" in capsys.readouterr().err


def test_psnr_matches_torch_adam_on_the_same_run():
    torch = pytest.importorskip("torch")
    from sandbox.bench.picture import torch_fit

    steps, lr, batch = 1500, 0.003, 128  # a calm rate: Adam at 0.01 pulses (the blog saw it)
    ours = fit(FitJob("image:disk", (60,), steps, learning_rate=lr, batch_size=batch,
                      resolution=32))  # fmt: skip
    X, y = make_dataset("image:disk", resolution=32)
    torch.manual_seed(0)
    _, theirs = torch_fit(MLP([2, 60, 1], seed=0), X, y, load_picture("disk"), steps, lr, batch, 0)
    assert abs(ours.psnr - theirs) < 1.5, (ours.psnr, theirs)
