"""Training without a window: a network fitted to a dataset or picture, its weights, its score.

`fit(FitJob)` builds the dataset (a picture trains on every pixel at its training resolution),
a network of the job's shape and a Trainer with the job's optimizer, rate, schedule and batch
size, runs the steps in large kernel calls and returns the trained network with its figures:
steps per second of the training alone, the final training loss and, for a picture, the PSNR of
the network's output against the full-resolution picture (`picture_psnr`, pixel centres, targets
and outputs clipped to [0, 1] as a picture shows them). `neural-origami render --out net.npz`
calls it and writes the network in the documented .npz format (sandbox.io.weights), so anyone
can score the fit with their own code. The same seed gives the same network, bit for bit.
No pygame or OpenGL here.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np

from sandbox.data import dataset_info, make_dataset, picture_source
from sandbox.data.pictures import Picture, load_picture
from sandbox.nn import MLP, LrSchedule, Trainer
from sandbox.vocab import DEFAULT_LR, DEFAULT_TRAIN_SIDE, Optimizer, Task

CALL_STEPS = 2000  # steps per kernel call (a progress line per call when asked)


@dataclass
class FitJob:
    """What to fit: a dataset name ("image:disk", "image:/a/b.png", "ring"), the hidden layers
    and the training settings."""

    dataset: str
    hidden: tuple[int, ...] = (16, 16, 16)
    steps: int = 1000
    optimizer: str = Optimizer.ADAM.value
    learning_rate: float = DEFAULT_LR
    batch_size: int = 256
    schedule: LrSchedule = field(default_factory=LrSchedule)
    seed: int = 0
    points: int | None = None
    noise: float | None = None
    resolution: int = DEFAULT_TRAIN_SIDE


@dataclass
class FitResult:
    net: MLP
    steps: int
    seconds: float  # training time alone (the kernel calls)
    loss: float  # the mean loss over every training point at the end
    psnr: float | None  # pictures: against the full-resolution picture, in dB
    sizes: list[int]

    @property
    def steps_per_second(self) -> float:
        return self.steps / self.seconds if self.seconds > 0 else float("inf")


def picture_psnr(net: MLP, picture: Picture) -> float:
    """PSNR in dB of the network's output at every pixel centre of `picture` (clipped to
    [0, 1]) against its brightness: 10 log10(1 / MSE); infinite for a perfect fit."""
    out = np.clip(net.forward(picture.pixel_centres())[:, 0], 0.0, 1.0)
    mse = float(np.mean((out - picture.pixels.ravel()) ** 2))
    return math.inf if mse == 0.0 else 10.0 * math.log10(1.0 / mse)


def fit(job: FitJob, progress=None) -> FitResult:
    """Train as `job` says (see the module docstring); ValueError for anything it refuses.
    progress(step, loss) is called after each kernel call when given."""
    info = dataset_info(job.dataset)
    X, y = make_dataset(job.dataset, job.points, job.noise, job.seed, resolution=job.resolution)
    sizes = [2, *job.hidden, info.n_out]
    net = MLP(sizes, seed=job.seed)
    trainer = Trainer(
        net, X, y, task=info.task.value, optimizer=job.optimizer, lr=job.learning_rate,
        batch_size=job.batch_size, seed=job.seed, schedule=job.schedule,
    )  # fmt: skip
    seconds = 0.0
    done = 0
    while done < job.steps and not trainer.diverged:
        n = min(CALL_STEPS, job.steps - done)
        t0 = time.perf_counter()
        trainer.step(n)
        seconds += time.perf_counter() - t0
        done += n
        if progress is not None:
            progress(done, trainer.last_loss)
    if trainer.diverged:
        raise ValueError(trainer.message)
    m = trainer.metrics()
    source = picture_source(job.dataset)
    psnr = None
    if source is not None and info.task is Task.REGRESSION:
        psnr = picture_psnr(net, load_picture(source))
    loss = m.train_loss if m.train_loss is not None else float("nan")
    return FitResult(net, trainer.steps, seconds, loss, psnr, sizes)
