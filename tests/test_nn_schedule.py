"""Learning-rate schedules: the rates against torch.optim.lr_scheduler, the kernel against its
numpy twin, and a scheduled Adam run against torch step for step."""

from __future__ import annotations

import numpy as np
import pytest

from sandbox.nn import MLP, LrSchedule, Trainer
from sandbox.nn import kernels as K
from sandbox.nn import reference as R
from sandbox.nn.schedule import scheduled_lr
from sandbox.vocab import Schedule

torch = pytest.importorskip("torch")
from torch_steps import relu_sequential  # noqa: E402


def _torch_rates(kind: str, base: float, steps: int, gamma: float, n: int) -> list[float]:
    p = torch.nn.Parameter(torch.zeros(1, dtype=torch.float64))
    opt = torch.optim.SGD([p], lr=base)
    if kind == "cosine":
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=steps, eta_min=0.0)
    else:
        sched = torch.optim.lr_scheduler.StepLR(opt, step_size=steps, gamma=gamma)
    rates = []
    for _ in range(n):
        rates.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return rates


@pytest.mark.parametrize(
    "kind,steps,gamma",
    [("cosine", 37, 1.0), ("cosine", 1, 1.0), ("step", 5, 0.5), ("step", 3, 0.1)],
)
def test_rates_match_torch_lr_scheduler(kind, steps, gamma):
    base = 0.03
    n = steps + 1 if kind == "cosine" else 40  # torch's cosine rises again after T_max
    theirs = _torch_rates(kind, base, steps, gamma, n)
    s = LrSchedule(Schedule(kind), steps, gamma)
    ours = [s.lr_at(base, t) for t in range(n)]
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-15)
    kernel = [scheduled_lr(base, s.code, steps, gamma, t) for t in range(n)]
    np.testing.assert_allclose(kernel, ours, rtol=1e-15, atol=0)
    if kind == "cosine":  # annealed to zero, and it stays there
        assert s.lr_at(base, steps) == 0.0 == s.lr_at(base, 10 * steps)


def test_constant_and_validation():
    s = LrSchedule()
    assert s.kind is Schedule.CONSTANT and s.lr_at(0.2, 10**6) == 0.2
    assert LrSchedule("cosine", 100).describe() == "cosine to 0 over 100 steps"
    for bad, fragment in [
        (dict(kind="linear"), "allowed: constant, cosine, step"),
        (dict(kind="cosine", steps=0), "schedule steps 0; allowed: 1 to"),
        (dict(kind="step", steps=2.5), "whole number"),
        (dict(kind="step", gamma=1.5), "decay factor 1.5"),
        (dict(kind="step", gamma=float("nan")), "decay factor nan"),
    ]:
        with pytest.raises(ValueError, match=fragment):
            LrSchedule(**bad)


@pytest.mark.parametrize("kind,code", [("cosine", 1), ("step", 2)])
def test_kernel_matches_its_numpy_twin_with_a_schedule(kind, code):
    rng = np.random.default_rng(3)
    X = rng.uniform(-3, 3, size=(40, 2))
    y = np.sin(X[:, 0])
    net = MLP([2, 9, 7, 1], seed=2)
    cfg = np.zeros(K.CFG_SIZE, dtype=np.int64)
    cfg[K.CFG_TASK], cfg[K.CFG_OPTIMIZER] = K.TASK_REGRESSION, K.OPT_ADAM
    cfg[K.CFG_BATCH], cfg[K.CFG_CHUNK] = 8, 256
    hp = np.zeros(K.HP_SIZE)
    hp[K.HP_LR], hp[K.HP_BETA1], hp[K.HP_BETA2], hp[K.HP_EPS] = 0.02, 0.9, 0.999, 1e-8
    hp[K.HP_LOSS_LIMIT] = hp[K.HP_JUMP_LIMIT] = np.inf
    hp[K.HP_SCHEDULE], hp[K.HP_SCHEDULE_STEPS], hp[K.HP_SCHEDULE_GAMMA] = code, 6, 0.3
    runs = []
    for twin in (False, True):
        params, prev, m1, m2 = (
            net.params.copy(),
            net.params.copy(),
            np.zeros(net.n_params),
            np.zeros(net.n_params),
        )
        state = np.zeros(K.ST_SIZE, dtype=np.int64)
        state[K.ST_POS], state[K.ST_SCHEDULE_T] = 40, 3  # the run is at step 3 already
        order, rng, losses = np.arange(40), np.array([5], dtype=np.uint64), np.zeros(12)
        if twin:
            R.train_steps(
                params,
                prev,
                m1,
                m2,
                net.layout,
                X,
                y,
                order,
                cfg.copy(),
                hp,
                state,
                rng,
                losses,
                12,
            )
        else:
            _, size = K.work_layout(net.layout, 8)
            grad, work = np.zeros(net.n_params), np.full(size, np.nan)
            K.train_steps(params, grad, prev, m1, m2, net.layout, X, y, order,
                          cfg.copy(), hp, state, rng, work, losses, 12)  # fmt: skip
        runs.append((params, losses))
    np.testing.assert_allclose(runs[0][1], runs[1][1], rtol=1e-10)
    np.testing.assert_allclose(runs[0][0], runs[1][0], rtol=0, atol=1e-10)


@pytest.mark.parametrize("kind", ["cosine", "step"])
def test_scheduled_adam_matches_torch_step_for_step(kind):
    torch.set_num_threads(1)
    rng = np.random.default_rng(4)
    X = rng.uniform(-4, 4, size=(50, 2))
    y = np.cos(X[:, 0]) * X[:, 1] / 4
    net = MLP([2, 10, 10, 1], seed=1)
    tnet = relu_sequential(net)
    steps, gamma, lr = 7, 0.5, 0.02
    schedule = LrSchedule(Schedule(kind), steps, gamma)
    tr = Trainer(net, X, y, task="regression", lr=lr, batch_size=1000, schedule=schedule)
    opt = torch.optim.Adam(tnet.parameters(), lr=lr)
    if kind == "cosine":
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=steps, eta_min=0.0)
    else:
        sched = torch.optim.lr_scheduler.StepLR(opt, step_size=steps, gamma=gamma)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)[:, None]
    for _ in range(steps):
        assert tr.current_lr() == pytest.approx(opt.param_groups[0]["lr"], rel=1e-12, abs=1e-15)
        opt.zero_grad()
        loss = torch.nn.functional.mse_loss(tnet(Xt), yt)
        loss.backward()
        opt.step()
        sched.step()
        tr.step(1)
        theirs = np.concatenate(
            [np.concatenate([m.weight.detach().numpy().ravel(), m.bias.detach().numpy()])
             for m in tnet if isinstance(m, torch.nn.Linear)]
        )  # fmt: skip
        np.testing.assert_allclose(net.params, theirs, rtol=0, atol=1e-10)
    # and in one call: the kernel walks the schedule itself
    net2 = MLP([2, 10, 10, 1], seed=1)
    tr2 = Trainer(net2, X, y, task="regression", lr=lr, batch_size=1000, schedule=schedule)
    tr2.step(steps)
    np.testing.assert_allclose(net2.params, net.params, rtol=0, atol=1e-12)
    assert tr2.current_lr() == pytest.approx(schedule.lr_at(lr, steps))
