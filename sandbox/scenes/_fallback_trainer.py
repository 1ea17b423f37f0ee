"""A plain numpy trainer with the Trainer interface, used only when sandbox.nn has no Trainer.

Full-batch-or-minibatch Adam/SGD on softmax cross-entropy or squared error, with the divergence
guard the app relies on. It is slow next to the numba trainer and exists so the window works
while that is unavailable.
"""

from __future__ import annotations

import time

import numpy as np


class FallbackTrainer:
    def __init__(self, net, X, y, task="classification", optimizer="adam", lr=0.01,
                 batch_size=128, l2=0.0, momentum=0.9, seed=0):  # fmt: skip
        self.net = net
        self.task = task
        self.optimizer = optimizer
        self.lr = lr
        self.batch_size = batch_size
        self.l2 = l2
        self.momentum = momentum
        self.rng = np.random.default_rng(seed)
        self.steps = 0
        self.diverged = False
        self.message = ""
        self._reset_state()
        self.set_data(X, y)

    def _reset_state(self):
        self.m = np.zeros_like(self.net.params)
        self.v = np.zeros_like(self.net.params)
        self.t = 0
        self.good = self.net.params.copy()

    def set_data(self, X, y, test_mask=None):
        X = np.asarray(X, dtype=np.float64)
        test = np.zeros(len(X), bool) if test_mask is None else np.asarray(test_mask, bool)
        self.X, self.y = X[~test], np.asarray(y)[~test]
        self.Xt, self.yt = X[test], np.asarray(y)[test]

    def set_network(self, net):
        self.net = net
        self._reset_state()

    def set_lr(self, lr):
        self.lr = lr
        self.diverged = False

    def set_optimizer(self, name):
        self.optimizer = name

    def set_l2(self, l2):
        self.l2 = l2

    def set_batch_size(self, n):
        self.batch_size = n

    def _grad(self, X, y):
        net = self.net
        hs = [X]
        for W, b in net.layers[:-1]:
            hs.append(np.maximum(hs[-1] @ W.T + b, 0.0))
        Wo, bo = net.layers[-1]
        out = hs[-1] @ Wo.T + bo
        n = len(X)
        if self.task == "classification":
            z = out - out.max(axis=1, keepdims=True)
            p = np.exp(z)
            p /= p.sum(axis=1, keepdims=True)
            loss = -np.mean(np.log(p[np.arange(n), y] + 1e-300))
            d = p
            d[np.arange(n), y] -= 1
            d /= n
        else:
            r = out[:, 0] - y
            loss = np.mean(r * r)
            d = (2 * r / n)[:, None]
        grads = []
        for li in range(len(net.layers) - 1, -1, -1):
            W, b = net.layers[li]
            grads.append((d.T @ hs[li], d.sum(axis=0)))
            if li:
                d = (d @ W) * (hs[li] > 0)
        grads.reverse()
        g = np.concatenate([np.concatenate([gW.ravel(), gb]) for gW, gb in grads])
        return loss, g

    def step(self, n=1):
        loss = float("nan")
        if len(self.X) == 0 or self.diverged:
            return loss
        for _ in range(int(n)):
            if self.batch_size >= len(self.X):
                Xb, yb = self.X, self.y
            else:
                idx = self.rng.integers(0, len(self.X), self.batch_size)
                Xb, yb = self.X[idx], self.y[idx]
            with np.errstate(all="ignore"):
                loss, g = self._grad(Xb, yb)
            g += self.l2 * self.net.params
            if self.optimizer == "adam":
                self.t += 1
                self.m = 0.9 * self.m + 0.1 * g
                self.v = 0.999 * self.v + 0.001 * g * g
                mh = self.m / (1 - 0.9**self.t)
                vh = self.v / (1 - 0.999**self.t)
                self.net.params -= self.lr * mh / (np.sqrt(vh) + 1e-8)
            else:
                self.m = self.momentum * self.m + g
                self.net.params -= self.lr * self.m
            if not (np.isfinite(loss) and self.net.is_finite()):
                self.net.params[:] = self.good
                self.diverged = True
                self.message = "learning rate too high"
                return loss
            self.steps += 1
            if self.steps % 50 == 0:
                self.good[:] = self.net.params
        return loss

    def step_for(self, seconds, max_steps):
        t0 = time.perf_counter()
        done = 0
        while done < max_steps and time.perf_counter() - t0 < seconds:
            self.step(5)
            done += 5
        return done

    def _eval(self, X, y):
        if len(X) == 0:
            return float("nan"), float("nan")
        out = self.net.forward(X)
        if self.task == "classification":
            z = out - out.max(axis=1, keepdims=True)
            p = np.exp(z)
            p /= p.sum(axis=1, keepdims=True)
            return (float(-np.mean(np.log(p[np.arange(len(X)), y] + 1e-300))),
                    float(np.mean(out.argmax(axis=1) == y)))  # fmt: skip
        return float(np.mean((out[:, 0] - y) ** 2)), float("nan")

    def metrics(self):
        tl, ta = self._eval(self.X, self.y)
        vl, va = self._eval(self.Xt, self.yt)
        return {"step": self.steps, "train_loss": tl, "test_loss": vl, "train_accuracy": ta,
                "test_accuracy": va, "n_train": len(self.X), "n_test": len(self.Xt)}  # fmt: skip
