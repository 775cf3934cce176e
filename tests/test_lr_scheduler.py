"""optim.lr_scheduler: learning-rate sequences equal torch's, step semantics, state_dict."""
import warnings

import numpy as np
import pytest

import optim
from autograd import Tensor
from optim import lr_scheduler as ours

LRS = [0.1, 0.03]


def make_ours(lrs=LRS):
    ps = [Tensor(np.zeros(2), requires_grad=True) for _ in lrs]
    return optim.SGD([{"params": [p], "lr": lr} for p, lr in zip(ps, lrs)], momentum=0.9)


def make_torch(torch, lrs=LRS):
    ps = [torch.zeros(2, requires_grad=True) for _ in lrs]
    return torch.optim.SGD([{"params": [p], "lr": lr} for p, lr in zip(ps, lrs)], momentum=0.9)


class Warmup:
    """A callable object (its attributes travel in LambdaLR's state_dict)."""

    def __init__(self, n):
        self.n = n

    def __call__(self, epoch):
        return min(1.0, (epoch + 1) / self.n)


SCHEDULES = [
    ("StepLR", dict(step_size=3)),
    ("StepLR", dict(step_size=5, gamma=0.5)),
    ("MultiStepLR", dict(milestones=[2, 5, 5, 11], gamma=0.3)),
    ("ExponentialLR", dict(gamma=0.9)),
    ("CosineAnnealingLR", dict(T_max=10)),
    ("CosineAnnealingLR", dict(T_max=7, eta_min=0.001)),
    ("LambdaLR", dict(lr_lambda=lambda e: 0.95 ** e)),
    ("LambdaLR", "per-group"),
    ("ConstantLR", dict()),
    ("ConstantLR", dict(factor=0.5, total_iters=7)),
    ("LinearLR", dict()),
    ("LinearLR", dict(start_factor=0.9, end_factor=0.1, total_iters=12)),
]


def _kwargs(kw):
    if kw == "per-group":
        return dict(lr_lambda=[lambda e: 1.0 / (1 + e), Warmup(4)])
    return kw


@pytest.mark.parametrize("name,kw", SCHEDULES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(SCHEDULES)])
def test_lr_sequence_equals_torch(name, kw, torch):
    opt, topt = make_ours(), make_torch(torch)
    sched = getattr(ours, name)(opt, **_kwargs(kw))
    tsched = getattr(torch.optim.lr_scheduler, name)(topt, **_kwargs(kw))
    assert sched.last_epoch == tsched.last_epoch == 0
    seq, tseq = [sched.get_last_lr()], [tsched.get_last_lr()]
    for _ in range(30):
        opt.step()
        topt.step()
        sched.step()
        tsched.step()
        seq.append(sched.get_last_lr())
        tseq.append(tsched.get_last_lr())
        assert [g["lr"] for g in opt.param_groups] == seq[-1]
    assert seq == tseq  # exactly: the same float operations in the same order
    assert sched.last_epoch == tsched.last_epoch == 30
    assert [g["initial_lr"] for g in opt.param_groups] == LRS


@pytest.mark.parametrize("name,kw", [("StepLR", dict(step_size=3)), ("MultiStepLR", dict(milestones=[2, 6])),
                                     ("ExponentialLR", dict(gamma=0.8)), ("CosineAnnealingLR", dict(T_max=6)),
                                     ("ConstantLR", dict(factor=0.2, total_iters=4)),
                                     ("LinearLR", dict(start_factor=0.2, end_factor=0.9, total_iters=5))])
def test_step_with_epoch_uses_closed_form_like_torch(name, kw, torch):
    opt, topt = make_ours(), make_torch(torch)
    sched = getattr(ours, name)(opt, **kw)
    tsched = getattr(torch.optim.lr_scheduler, name)(topt, **kw)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for epoch in [3, 4, 9, 2]:
            sched.step(epoch)
            tsched.step(epoch)
            assert sched.get_last_lr() == tsched.get_last_lr()


PLATEAU = [
    dict(),
    dict(mode="max", factor=0.5, patience=2),
    dict(patience=1, threshold=0.1, threshold_mode="abs", cooldown=2),
    dict(mode="max", patience=0, threshold_mode="abs", min_lr=[0.02, 0.001]),
    dict(patience=0, min_lr=0.05, factor=0.5),
]


@pytest.mark.parametrize("kw", PLATEAU, ids=[str(k) for k in PLATEAU])
def test_reduce_on_plateau_equals_torch(kw, torch):
    opt, topt = make_ours(), make_torch(torch)
    sched = ours.ReduceLROnPlateau(opt, **kw)
    tsched = torch.optim.lr_scheduler.ReduceLROnPlateau(topt, **kw)
    rng = np.random.default_rng(5)
    metrics = np.concatenate([np.linspace(1, 0.5, 5), 0.5 + 0.01 * rng.standard_normal(40)])
    for m in metrics:
        sched.step(m)
        tsched.step(m)
        assert sched.get_last_lr() == tsched.get_last_lr()
        assert [g["lr"] for g in opt.param_groups] == [g["lr"] for g in topt.param_groups]
        assert sched.num_bad_epochs == tsched.num_bad_epochs and sched.best == tsched.best
    assert sched.get_last_lr() != LRS  # the schedule did cut the learning rate


def test_reduce_on_plateau_checks_and_metric_tensor():
    opt = make_ours()
    with pytest.raises(ValueError, match="factor"):
        ours.ReduceLROnPlateau(opt, factor=1.0)
    with pytest.raises(ValueError, match="mode"):
        ours.ReduceLROnPlateau(opt, mode="up")
    with pytest.raises(ValueError, match="threshold_mode"):
        ours.ReduceLROnPlateau(opt, threshold_mode="x")
    with pytest.raises(ValueError, match="min_lr"):
        ours.ReduceLROnPlateau(opt, min_lr=[0.1])
    sched = ours.ReduceLROnPlateau(opt, patience=0)
    sched.step(Tensor(np.array(1.0)))
    sched.step(Tensor(np.array(2.0)))
    assert sched.get_last_lr() == [0.1 * 0.1, 0.03 * 0.1]


@pytest.mark.parametrize("name,kw", SCHEDULES + [("ReduceLROnPlateau", dict(patience=1, cooldown=1))],
                         ids=[f"{n}-{i}" for i, (n, _) in enumerate(SCHEDULES)] + ["ReduceLROnPlateau"])
def test_state_dict_round_trip(name, kw):
    def run(sched, opt, epochs):
        for e in epochs:
            opt.step()
            sched.step(float(np.cos(e))) if name == "ReduceLROnPlateau" else sched.step()
        return sched.get_last_lr()

    opt = make_ours()
    sched = getattr(ours, name)(opt, **_kwargs(kw))
    run(sched, opt, range(8))
    sd, osd = sched.state_dict(), opt.state_dict()
    assert _plain(sd)
    full = run(sched, opt, range(8, 25))

    # torch's advice: build the scheduler before loading the optimizer's state, since building it sets the
    # lrs (ConstantLR and LinearLR scale the current lr at epoch 0, in torch too)
    opt2 = make_ours()
    sched2 = getattr(ours, name)(opt2, **_kwargs(kw))
    opt2.load_state_dict(osd)
    sched2.load_state_dict(sd)
    assert run(sched2, opt2, range(8, 25)) == full


def _plain(obj):
    """Only numbers, strings, lists and dicts (what nn.save can store)."""
    if isinstance(obj, dict):
        return all(isinstance(k, (int, str)) and _plain(v) for k, v in obj.items())
    if isinstance(obj, list):
        return all(_plain(v) for v in obj)
    return isinstance(obj, (int, float, str, bool))


def test_resume_with_last_epoch_needs_initial_lr():
    with pytest.raises(KeyError, match="initial_lr"):
        ours.StepLR(make_ours(), step_size=2, last_epoch=4)
    opt = make_ours()
    ours.StepLR(opt, step_size=2)
    sched = ours.StepLR(opt, step_size=2, last_epoch=4)
    assert sched.last_epoch == 5


def test_lambda_lr_wrong_count_and_type_checks():
    with pytest.raises(ValueError, match="lr_lambdas"):
        ours.LambdaLR(make_ours(), lr_lambda=[lambda e: 1.0])
    with pytest.raises(TypeError, match="not an Optimizer"):
        ours.StepLR(object(), step_size=1)
