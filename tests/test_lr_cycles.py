"""OneCycleLR, CosineAnnealingWarmRestarts, SequentialLR, ChainedScheduler: torch's sequences, resume, checks."""
import warnings

import numpy as np
import pytest

import optim
from autograd import Tensor
from optim import lr_scheduler as ours

LRS = [0.1, 0.03, 0.5]


def make_opt(lib, kind="SGD", lrs=LRS):
    """An optimizer over three parameter groups (different lrs), from ``optim``, or from ``torch.optim`` when given
    the ``torch`` fixture."""
    if lib is optim:
        ps = [Tensor(np.zeros(2), requires_grad=True) for _ in lrs]
    else:
        torch, lib = lib, lib.optim
        ps = [torch.zeros(2, requires_grad=True) for _ in lrs]
    groups = [{"params": [p], "lr": lr} for p, lr in zip(ps, lrs)]
    if kind == "SGD":
        return lib.SGD(groups, momentum=0.9)
    if kind == "Adam":
        return lib.Adam(groups, betas=(0.9, 0.99))
    return getattr(lib, kind)(groups)


# name -> (optimizer kind, steps after construction, build(lr_scheduler module, optimizer) -> scheduler)
CASES = {
    "onecycle-cos": ("SGD", 100, lambda m, o: m.OneCycleLR(o, max_lr=1.0, total_steps=100)),
    "onecycle-linear-3phase": ("SGD", 50, lambda m, o: m.OneCycleLR(
        o, max_lr=[0.4, 0.2, 1.0], total_steps=50, anneal_strategy="linear", three_phase=True, pct_start=0.25)),
    "onecycle-cos-3phase-adam": ("Adam", 60, lambda m, o: m.OneCycleLR(
        o, max_lr=0.01, epochs=6, steps_per_epoch=10, three_phase=True, base_momentum=[0.8, 0.7, 0.85],
        max_momentum=0.95, div_factor=10.0, final_div_factor=100.0)),
    "onecycle-adam-linear": ("Adam", 37, lambda m, o: m.OneCycleLR(
        o, max_lr=[0.01, 0.02, 0.03], total_steps=37, pct_start=0.4, anneal_strategy="linear")),
    "onecycle-no-momentum": ("Adagrad", 20, lambda m, o: m.OneCycleLR(
        o, max_lr=0.5, total_steps=20, cycle_momentum=False, pct_start=0.5)),
    "onecycle-pct0": ("SGD", 10, lambda m, o: m.OneCycleLR(o, max_lr=0.5, total_steps=10, pct_start=0.0)),
    "onecycle-pct1": ("SGD", 9, lambda m, o: m.OneCycleLR(o, max_lr=0.5, total_steps=10, pct_start=1.0)),
    "warm-restarts": ("SGD", 40, lambda m, o: m.CosineAnnealingWarmRestarts(o, T_0=7)),
    "warm-restarts-mult": ("SGD", 50, lambda m, o: m.CosineAnnealingWarmRestarts(o, T_0=3, T_mult=2,
                                                                                eta_min=0.001)),
    "constant": ("SGD", 12, lambda m, o: m.ConstantLR(o, factor=0.25, total_iters=4)),
    "linear-warmup": ("SGD", 15, lambda m, o: m.LinearLR(o, start_factor=0.1, total_iters=6)),
    "linear-decay": ("SGD", 15, lambda m, o: m.LinearLR(o, start_factor=1.0, end_factor=0.05, total_iters=9)),
    "sequential-warmup-cosine": ("SGD", 30, lambda m, o: m.SequentialLR(
        o, [m.LinearLR(o, start_factor=0.2, total_iters=5), m.CosineAnnealingLR(o, T_max=20)], milestones=[5])),
    "sequential-three": ("SGD", 30, lambda m, o: m.SequentialLR(
        o, [m.ConstantLR(o, factor=0.5, total_iters=2), m.ExponentialLR(o, gamma=0.9),
            m.StepLR(o, step_size=3, gamma=0.5)], milestones=[4, 12])),
    "sequential-warmup-restarts": ("SGD", 30, lambda m, o: m.SequentialLR(
        o, [m.LinearLR(o, start_factor=0.5, total_iters=3), m.CosineAnnealingWarmRestarts(o, T_0=4, T_mult=2)],
        milestones=[3])),
    "chained": ("SGD", 25, lambda m, o: m.ChainedScheduler(
        [m.ConstantLR(o, factor=0.1, total_iters=3), m.ExponentialLR(o, gamma=0.9)])),
    "chained-linear-step": ("Adam", 25, lambda m, o: m.ChainedScheduler(
        [m.LinearLR(o, start_factor=0.5, total_iters=4), m.MultiStepLR(o, milestones=[6, 10], gamma=0.5)],
        optimizer=o)),
}


def _momenta(opt):
    return [g["betas"][0] if "betas" in g else g.get("momentum", -1.0) for g in opt.param_groups]


def _run(opt, sched, steps):
    """lrs and momenta after construction and after each of ``steps`` steps."""
    lrs, moms = [list(sched.get_last_lr())], [_momenta(opt)]
    for _ in range(steps):
        opt.step()
        sched.step()
        lrs.append(list(sched.get_last_lr()))
        assert lrs[-1] == [g["lr"] for g in opt.param_groups]
        moms.append(_momenta(opt))
    return lrs, moms


def _close(a, b, tol=1e-12):
    a, b = np.array(a, dtype=float), np.array(b, dtype=float)
    return a.shape == b.shape and bool(np.all(np.abs(a - b) <= tol * np.maximum(1.0, np.abs(b))))


@pytest.mark.parametrize("case", list(CASES))
def test_sequence_equals_torch(case, torch):
    kind, steps, build = CASES[case]
    opt, topt = make_opt(optim, kind), make_opt(torch, kind)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch's "lr_scheduler.step() before optimizer.step()"
        tsched = build(torch.optim.lr_scheduler, topt)
        tlrs, tmoms = _run(topt, tsched, steps)
    sched = build(ours, opt)
    lrs, moms = _run(opt, sched, steps)
    assert _close(lrs, tlrs), (lrs, tlrs)
    assert _close(moms, tmoms), (moms, tmoms)
    assert getattr(sched, "last_epoch", None) == getattr(tsched, "last_epoch", None)
    assert len(set(map(tuple, lrs))) > 1  # the schedule did move


def test_one_cycle_past_total_steps_raises_like_torch(torch):
    opt, topt = make_opt(optim), make_opt(torch)
    sched, tsched = ours.OneCycleLR(opt, 1.0, total_steps=5), torch.optim.lr_scheduler.OneCycleLR(topt, 1.0, 5)
    for _ in range(5):
        opt.step()
        topt.step()
        sched.step()
        tsched.step()
    assert _close(sched.get_last_lr(), tsched.get_last_lr())
    with pytest.raises(ValueError, match="total steps"):
        tsched.step()
    with pytest.raises(ValueError, match="total steps is 5"):
        sched.step()


def test_one_cycle_phases_hit_their_ends():
    opt = make_opt(optim)
    sched = ours.OneCycleLR(opt, max_lr=[1.0, 2.0, 4.0], total_steps=10, pct_start=0.5, div_factor=4.0,
                            final_div_factor=5.0, anneal_strategy="linear")
    assert sched.get_last_lr() == [0.25, 0.5, 1.0] and _momenta(opt) == [0.95] * 3
    lrs, moms = _run(opt, sched, 9)
    peak = int(np.argmax([lr[0] for lr in lrs]))
    assert peak == 4 and _close(lrs[peak], [1.0, 2.0, 4.0]) and _close(moms[peak], [0.85] * 3)
    assert _close(lrs[-1], [0.05, 0.1, 0.2]) and _close(moms[-1], [0.95] * 3)
    assert opt.param_groups[0]["max_lr"] == 1.0 and opt.param_groups[2]["min_lr"] == 0.2


@pytest.mark.parametrize("T_0,T_mult", [(5, 1), (3, 2), (2, 3)])
def test_warm_restarts_float_epochs_equal_torch(T_0, T_mult, torch):
    """``step(epoch + i / iters)`` within an epoch, as torch's docs show; then going back in time."""
    opt, topt = make_opt(optim), make_opt(torch)
    sched = ours.CosineAnnealingWarmRestarts(opt, T_0=T_0, T_mult=T_mult, eta_min=1e-3)
    tsched = torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(topt, T_0=T_0, T_mult=T_mult, eta_min=1e-3)
    iters = 7
    epochs = [e + i / iters for e in range(25) for i in range(iters)] + [3.5, 0, 11.25, 40]
    for epoch in epochs:
        sched.step(epoch)
        tsched.step(epoch)
        assert _close(sched.get_last_lr(), tsched.get_last_lr()), epoch
        assert (sched.T_i, sched.last_epoch) == (tsched.T_i, tsched.last_epoch)
        assert _close(sched.T_cur, tsched.T_cur)
    # interleaved: plain step() after an explicit epoch continues from it
    for _ in range(9):
        sched.step()
        tsched.step()
        assert _close(sched.get_last_lr(), tsched.get_last_lr())
    with pytest.raises(ValueError, match="epoch"):
        sched.step(-1)


@pytest.mark.parametrize("case", list(CASES))
def test_state_dict_resume_gives_the_same_sequence(case):
    """Save the optimizer and scheduler mid-run; a fresh pair (scheduler built first, as torch advises,
    then both states loaded) continues exactly as the uninterrupted run."""
    kind, steps, build = CASES[case]
    opt = make_opt(optim, kind)
    sched = build(ours, opt)
    full_lrs, full_moms = _run(opt, sched, steps)

    opt = make_opt(optim, kind)
    sched = build(ours, opt)
    cut = steps // 2 + 1
    _run(opt, sched, cut)
    osd, sd = opt.state_dict(), sched.state_dict()
    assert _plain(sd), sd
    _run(opt, sched, 2)  # stepping on does not change the snapshot
    assert sched.state_dict() != sd

    opt2 = make_opt(optim, kind)
    sched2 = build(ours, opt2)
    opt2.load_state_dict(osd)
    sched2.load_state_dict(sd)
    lrs, moms = _run(opt2, sched2, steps - cut)
    assert lrs == full_lrs[cut:] and moms == full_moms[cut:]


def _plain(obj):
    """Only numbers, strings, lists and dicts (what nn.save can store)."""
    if isinstance(obj, dict):
        return all(isinstance(k, (int, str)) and _plain(v) for k, v in obj.items())
    if isinstance(obj, (list, tuple)):
        return all(_plain(v) for v in obj)
    return isinstance(obj, (int, float, str, bool))


BAD = [  # (what is built, arguments, the argument the message names)
    ("OneCycleLR", dict(max_lr=1.0), "total_steps"),
    ("OneCycleLR", dict(max_lr=1.0, epochs=3), "steps_per_epoch"),
    ("OneCycleLR", dict(max_lr=1.0, total_steps=0), "total_steps"),
    ("OneCycleLR", dict(max_lr=1.0, total_steps=2.5), "total_steps"),
    ("OneCycleLR", dict(max_lr=1.0, epochs=0, steps_per_epoch=3), "epochs"),
    ("OneCycleLR", dict(max_lr=1.0, epochs=2, steps_per_epoch=-1), "steps_per_epoch"),
    ("OneCycleLR", dict(max_lr=1.0, total_steps=10, pct_start=1.5), "pct_start"),
    ("OneCycleLR", dict(max_lr=1.0, total_steps=10, pct_start=-0.1), "pct_start"),
    ("OneCycleLR", dict(max_lr=1.0, total_steps=10, pct_start=1), "pct_start"),
    ("OneCycleLR", dict(max_lr=1.0, total_steps=10, anneal_strategy="exp"), "anneal_strategy"),
    ("OneCycleLR", dict(max_lr=[1.0, 2.0], total_steps=10), "max_lr"),
    ("OneCycleLR", dict(max_lr=1.0, total_steps=10, max_momentum=[0.9]), "max_momentum"),
    ("OneCycleLR", dict(max_lr=1.0, total_steps=10, base_momentum=[0.9, 0.8]), "base_momentum"),
    ("LinearLR", dict(start_factor=0), "start_factor"),
    ("LinearLR", dict(start_factor=1.5), "start_factor"),
    ("LinearLR", dict(end_factor=-0.1), "end_factor"),
    ("LinearLR", dict(end_factor=1.1), "end_factor"),
    ("ConstantLR", dict(factor=1.5), "factor"),
    ("ConstantLR", dict(factor=-0.5), "factor"),
    ("CosineAnnealingWarmRestarts", dict(T_0=0), "T_0"),
    ("CosineAnnealingWarmRestarts", dict(T_0=2.5), "T_0"),
    ("CosineAnnealingWarmRestarts", dict(T_0=3, T_mult=0), "T_mult"),
    ("CosineAnnealingWarmRestarts", dict(T_0=3, T_mult=1.5), "T_mult"),
    ("CosineAnnealingWarmRestarts", dict(T_0=3, eta_min="0"), "eta_min"),
]


@pytest.mark.parametrize("name,kw,arg", BAD, ids=[f"{n}-{a}-{i}" for i, (n, _, a) in enumerate(BAD)])
def test_bad_arguments_raise_value_error_naming_them(name, kw, arg):
    with pytest.raises(ValueError, match=arg):
        getattr(ours, name)(make_opt(optim), **kw)


@pytest.mark.parametrize("name,kw,arg", BAD, ids=[f"{n}-{a}-{i}" for i, (n, _, a) in enumerate(BAD)])
def test_torch_rejects_the_same_arguments(name, kw, arg, torch):
    with pytest.raises(ValueError):
        getattr(torch.optim.lr_scheduler, name)(make_opt(torch), **kw)


def test_one_cycle_momentum_needs_an_optimizer_with_momentum(torch):
    with pytest.raises(ValueError, match="cycle_momentum"):
        ours.OneCycleLR(make_opt(optim, "Adagrad"), max_lr=1.0, total_steps=10)
    with pytest.raises(ValueError, match="momentum"):
        torch.optim.lr_scheduler.OneCycleLR(make_opt(torch, "Adagrad"), max_lr=1.0, total_steps=10)


def test_combinator_checks():
    opt, other = make_opt(optim), make_opt(optim)
    a, b = ours.ExponentialLR(opt, gamma=0.9), ours.StepLR(opt, step_size=2)
    with pytest.raises(ValueError, match="milestones"):
        ours.SequentialLR(opt, [a, b], milestones=[2, 4])
    with pytest.raises(ValueError, match="schedulers"):
        ours.SequentialLR(opt, [], milestones=[])
    with pytest.raises(ValueError, match="schedulers"):
        ours.ChainedScheduler([])
    with pytest.raises(ValueError, match="same optimizer"):
        ours.SequentialLR(opt, [a, ours.StepLR(other, step_size=2)], milestones=[3])
    with pytest.raises(ValueError, match="same optimizer"):
        ours.ChainedScheduler([a, ours.StepLR(other, step_size=2)])
    with pytest.raises(ValueError, match="ReduceLROnPlateau"):
        ours.ChainedScheduler([a, ours.ReduceLROnPlateau(opt)])
    with pytest.raises(TypeError, match="optimizer"):
        ours.SequentialLR(opt, [a, object()], milestones=[3])
