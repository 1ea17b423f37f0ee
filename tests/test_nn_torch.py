"""The Trainer against PyTorch, step for step (optional: skipped when torch is not installed).

An identical torch network (float64) is trained with torch.optim.Adam / torch.optim.SGD on the
same batches (the trainer's sampler is replayed with the numpy twin's generator), and after every
one of 10 steps the loss and all weights must agree to 1e-10.
"""

from __future__ import annotations

import numpy as np
import pytest

from sandbox.nn import MLP, Trainer

torch = pytest.importorskip("torch")
from torch_steps import (  # noqa: E402
    assert_steps_match_torch,
    relu_sequential,
    torch_optimizer,
    trainer_batches,
)


@pytest.mark.parametrize("optimizer", ["adam", "sgd"])
@pytest.mark.parametrize(
    "task,sizes,batch,l2",
    [
        ("classification", [2, 16, 16, 16, 2], 1000, 0.0),
        ("classification", [2, 12, 9, 3], 16, 1e-3),
        ("regression", [2, 10, 10, 1], 24, 1e-2),
        ("regression", [2, 7, 1], 1000, 0.0),
    ],
    ids=["cls-full", "cls3-minibatch-l2", "reg-minibatch-l2", "reg-full"],
)
def test_ten_steps_match_pytorch(optimizer, task, sizes, batch, l2):
    torch.set_num_threads(1)
    rng = np.random.default_rng(11)
    n = 70
    X = rng.uniform(-4, 4, size=(n, 2))
    if task == "classification":
        y = rng.integers(0, sizes[-1], n)
    else:
        y = np.cos(X[:, 0]) * X[:, 1] / 4
    net = MLP(sizes, seed=6)
    tnet = relu_sequential(net)
    lr, momentum, seed = (0.01 if optimizer == "adam" else 0.05), 0.9, 21
    tr = Trainer(
        net, X, y, task=task, optimizer=optimizer, lr=lr, batch_size=batch, l2=l2,
        momentum=momentum, seed=seed,
    )  # fmt: skip
    opt = torch_optimizer(optimizer, tnet, lr, l2, momentum)
    assert_steps_match_torch(tr, tnet, opt, X, y, task, trainer_batches(n, batch, seed, 10))
    assert np.max(np.abs(net.params - MLP(sizes, seed=6).params)) > 1e-3
