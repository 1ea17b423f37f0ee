"""The Trainer against PyTorch, step for step (optional: skipped when torch is not installed).

An identical torch network (float64) is trained with torch.optim.Adam / torch.optim.SGD on the
same batches (the trainer's sampler is replayed with the numpy twin's generator), and after every
one of 10 steps the loss and all weights must agree to 1e-10.
"""

from __future__ import annotations

import numpy as np
import pytest

from sandbox.nn import MLP, Trainer
from sandbox.nn import reference as R

torch = pytest.importorskip("torch")


def _torch_net(net: MLP):
    layers = []
    for i, (W, b) in enumerate(net.weights()):
        lin = torch.nn.Linear(W.shape[1], W.shape[0], dtype=torch.float64)
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(W))
            lin.bias.copy_(torch.from_numpy(b))
        layers.append(lin)
        if i < len(net.layers) - 1:
            layers.append(torch.nn.ReLU())
    return torch.nn.Sequential(*layers)


def _batches(n: int, batch: int, seed: int, steps: int):
    """The trainer's batch indices: seeded epochs of a shuffled order, remainder dropped."""
    if batch >= n:
        return [np.arange(n)] * steps
    order = np.arange(n, dtype=np.int64)
    rng = np.array([seed], dtype=np.uint64)
    pos = n
    out = []
    for _ in range(steps):
        if pos + batch > n:
            R.shuffle(order, rng)
            pos = 0
        out.append(order[pos : pos + batch].copy())
        pos += batch
    return out


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
    tnet = _torch_net(net)
    lr, momentum, seed = (0.01 if optimizer == "adam" else 0.05), 0.9, 21
    tr = Trainer(
        net, X, y, task=task, optimizer=optimizer, lr=lr, batch_size=batch, l2=l2,
        momentum=momentum, seed=seed,
    )  # fmt: skip
    if optimizer == "adam":
        opt = torch.optim.Adam(tnet.parameters(), lr=lr, betas=(0.9, 0.999), eps=1e-8,
                               weight_decay=l2)  # fmt: skip
    else:
        opt = torch.optim.SGD(tnet.parameters(), lr=lr, momentum=momentum, weight_decay=l2)
    Xt = torch.from_numpy(X)
    yt = torch.from_numpy(y) if task == "classification" else torch.from_numpy(y)[:, None]
    loss_fn = torch.nn.CrossEntropyLoss() if task == "classification" else torch.nn.MSELoss()
    for idx in _batches(n, batch, seed, 10):
        opt.zero_grad()
        loss = loss_fn(tnet(Xt[idx]), yt[idx])
        loss.backward()
        opt.step()
        ours = tr.step(1)
        assert ours == pytest.approx(loss.item(), rel=1e-12, abs=1e-14)
        theirs = np.concatenate(
            [np.concatenate([m.weight.detach().numpy().ravel(), m.bias.detach().numpy()])
             for m in tnet if isinstance(m, torch.nn.Linear)]
        )  # fmt: skip
        np.testing.assert_allclose(net.params, theirs, rtol=0, atol=1e-10)
    assert np.max(np.abs(net.params - MLP(sizes, seed=6).params)) > 1e-3
