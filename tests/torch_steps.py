"""Training step for step against torch.optim, shared by the tests that compare a Trainer with
PyTorch (tests/test_nn_torch.py for ReLU, tests/test_nn_activations.py for every activation).

Importing this module skips the importing test module when torch is not installed.
"""

from __future__ import annotations

import numpy as np
import pytest

from sandbox.nn import MLP, Trainer
from sandbox.nn import reference as R

torch = pytest.importorskip("torch")


def relu_sequential(net: MLP):
    """The same ReLU network as a torch nn.Sequential (float64), built here from the weights
    alone, independently of the app's own torch export."""
    layers = []
    for i, (W, b) in enumerate(net.weights()):
        lin = torch.nn.Linear(W.shape[1], W.shape[0], dtype=torch.float64)
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(W))
            lin.bias.copy_(torch.from_numpy(b))
        layers += [lin, torch.nn.ReLU()] if i < len(net.layers) - 1 else [lin]
    return torch.nn.Sequential(*layers)


def trainer_batches(n: int, batch: int, seed: int, steps: int) -> list[np.ndarray]:
    """The Trainer's batch indices: seeded epochs of a shuffled order, remainder dropped (its
    sampler replayed with the numpy twin's generator)."""
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


def torch_optimizer(name: str, module, lr: float, l2: float, momentum: float = 0.9):
    """torch.optim's Adam or SGD with the Trainer's settings (weight decay is its l2)."""
    if name == "adam":
        return torch.optim.Adam(
            module.parameters(), lr=lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=l2
        )
    return torch.optim.SGD(module.parameters(), lr=lr, momentum=momentum, weight_decay=l2)


def linear_params(module) -> np.ndarray:
    """The weights and biases of a torch module's Linear layers, in the MLP's flat order."""
    return np.concatenate(
        [
            np.concatenate([m.weight.detach().numpy().ravel(), m.bias.detach().numpy()])
            for m in module.modules()
            if isinstance(m, torch.nn.Linear)
        ]
    )


def assert_steps_match_torch(
    tr: Trainer, module, opt, X: np.ndarray, y: np.ndarray, task: str, batches
) -> None:
    """One torch.optim step and one Trainer step per batch; after each, the losses agree to
    1e-12 and every weight to 1e-10."""
    Xt = torch.from_numpy(X)
    if task == "classification":
        loss_fn, yt = torch.nn.CrossEntropyLoss(), torch.from_numpy(y)
    else:
        loss_fn, yt = torch.nn.MSELoss(), torch.from_numpy(y)[:, None]
    for idx in batches:
        opt.zero_grad()
        loss = loss_fn(module(Xt[idx]), yt[idx])
        loss.backward()
        opt.step()
        ours = tr.step(1)
        assert ours == pytest.approx(loss.item(), rel=1e-12, abs=1e-14)
        np.testing.assert_allclose(tr.net.params, linear_params(module), rtol=0, atol=1e-10)
