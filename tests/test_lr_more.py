"""CyclicLR, MultiplicativeLR, PolynomialLR against torch 2.13's: the lr (and cycled momentum) sequences over
every phase with several parameter groups, state_dict round trips through nn.save, bad arguments."""
import math

import numpy as np
import pytest

import autograd
import nn
import optim
from autograd import Tensor
from optim.lr_scheduler import CyclicLR, MultiplicativeLR, PolynomialLR

GROUP_LRS = [0.1, 0.02, 0.5]


def _halfsine(x):
    return 0.5 * (1 + math.sin(x * math.pi / 2))


class _Decay:
    """A callable object with state (its __dict__ is what state_dict saves)."""

    def __init__(self, rate):
        self.rate = rate

    def __call__(self, x):
        return self.rate ** x


CYCLIC = [
    ("SGD", dict(momentum=0.9), dict(base_lr=0.01, max_lr=0.1, step_size_up=4)),
    ("SGD", dict(momentum=0.9), dict(base_lr=[0.01, 0.001, 0.05], max_lr=[0.1, 0.01, 0.2], step_size_up=3,
                                     step_size_down=5, mode="triangular2", base_momentum=[0.7, 0.8, 0.85],
                                     max_momentum=0.95)),
    ("SGD", dict(momentum=0.5), dict(base_lr=0.01, max_lr=0.3, step_size_up=2, step_size_down=7, mode="exp_range",
                                     gamma=0.93)),
    ("SGD", dict(), dict(base_lr=0.01, max_lr=0.3, step_size_up=5, scale_fn=_halfsine, cycle_momentum=False)),
    ("SGD", dict(momentum=0.9), dict(base_lr=0.01, max_lr=0.3, step_size_up=5, step_size_down=2,
                                     scale_fn=_Decay(0.97), scale_mode="iterations")),
    ("Adam", dict(), dict(base_lr=1e-4, max_lr=[1e-3, 2e-3, 5e-3], step_size_up=3, mode="triangular2")),
    ("Adam", dict(), dict(base_lr=1e-4, max_lr=1e-2, step_size_up=4, step_size_down=1, mode="exp_range",
                          gamma=0.99, base_momentum=0.85, max_momentum=[0.95, 0.9, 0.99])),
    ("Adagrad", dict(), dict(base_lr=0.01, max_lr=0.1, step_size_up=6, step_size_down=3, cycle_momentum=False)),
]
CYCLIC_IDS = [f"{o}-{s.get('mode', 'fn' if 'scale_fn' in s else 'triangular')}-{i}"
              for i, (o, _, s) in enumerate(CYCLIC)]
SIMPLE = [
    ("MultiplicativeLR", dict(lr_lambda=lambda epoch: 0.95)),
    ("MultiplicativeLR", dict(lr_lambda=[lambda e: 0.9, lambda e: 1.0 + 0.01 * e, lambda e: 0.5 if e % 3 else 1.0])),
    ("PolynomialLR", dict()),
    ("PolynomialLR", dict(total_iters=7, power=0.9)),
    ("PolynomialLR", dict(total_iters=4, power=2.0)),
    ("PolynomialLR", dict(total_iters=10, power=0)),
]
SIMPLE_IDS = [f"{n}-{i}" for i, (n, _) in enumerate(SIMPLE)]


def _optimizer(module, make, name, kw):
    groups = [{"params": [make()], "lr": lr} for lr in GROUP_LRS]
    return getattr(module, name)(groups, **kw)


def _trace(opt, sched, steps):
    """Per step: every group's lr, momentum and betas (when it has them), and get_last_lr()."""
    out = []
    for _ in range(steps):
        row = []
        for g in opt.param_groups:
            row += [g["lr"], g.get("momentum", 0.0), *g.get("betas", ())]
        out.append(row + list(sched.get_last_lr()))
        opt.step()
        sched.step()
    return np.array(out, dtype=np.float64)


def _ours(opt_name, opt_kw, sched_cls, sched_kw):
    opt = _optimizer(optim, lambda: Tensor(np.zeros(2), requires_grad=True), opt_name, opt_kw)
    return opt, getattr(optim.lr_scheduler, sched_cls)(opt, **sched_kw)


def _theirs(torch, opt_name, opt_kw, sched_cls, sched_kw):
    opt = _optimizer(torch.optim, lambda: torch.zeros(2, requires_grad=True), opt_name, opt_kw)
    return opt, getattr(torch.optim.lr_scheduler, sched_cls)(opt, **sched_kw)


@pytest.mark.parametrize("opt_name,opt_kw,kw", CYCLIC, ids=CYCLIC_IDS)
def test_cyclic_matches_torch(opt_name, opt_kw, kw, torch):
    ours = _trace(*_ours(opt_name, opt_kw, "CyclicLR", kw), 40)
    theirs = _trace(*_theirs(torch, opt_name, opt_kw, "CyclicLR", kw), 40)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-15)
    assert len(np.unique(ours[:, 0])) > 3  # the lr moved through its phases


@pytest.mark.parametrize("name,kw", SIMPLE, ids=SIMPLE_IDS)
def test_simple_schedules_match_torch(name, kw, torch):
    ours = _trace(*_ours("SGD", {}, name, kw), 16)
    theirs = _trace(*_theirs(torch, "SGD", {}, name, kw), 16)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-15)


def test_polynomial_closed_form_matches_torch(torch):
    """step(epoch), deprecated in both, jumps with the closed form."""
    rows = []
    for opt, sched in (_ours("SGD", {}, "PolynomialLR", dict(total_iters=6, power=1.5)),
                       _theirs(torch, "SGD", {}, "PolynomialLR", dict(total_iters=6, power=1.5))):
        got = []
        with pytest.warns(UserWarning):
            for epoch in (3, 1, 5, 9):
                sched.step(epoch)
                got.append([g["lr"] for g in opt.param_groups])
        rows.append(got)
    np.testing.assert_allclose(rows[0], rows[1], rtol=1e-12)


@pytest.mark.parametrize("opt_name,opt_kw,sched_cls,kw",
                         [(o, okw, "CyclicLR", kw) for o, okw, kw in CYCLIC]
                         + [("SGD", {}, n, kw) for n, kw in SIMPLE],
                         ids=CYCLIC_IDS + SIMPLE_IDS)
def test_state_dict_round_trip(opt_name, opt_kw, sched_cls, kw, tmp_path):
    full = _trace(*_ours(opt_name, opt_kw, sched_cls, kw), 25)
    opt, sched = _ours(opt_name, opt_kw, sched_cls, kw)
    first = _trace(opt, sched, 9)
    nn.save({"opt": opt.state_dict(), "sched": sched.state_dict()}, tmp_path / "ck.npz")
    ck = nn.load(tmp_path / "ck.npz")
    opt2, sched2 = _ours(opt_name, opt_kw, sched_cls, kw)
    opt2.load_state_dict(ck["opt"])
    sched2.load_state_dict(ck["sched"])
    assert sched2.last_epoch == sched.last_epoch and sched2.get_last_lr() == sched.get_last_lr()
    rest = _trace(opt2, sched2, 16)
    np.testing.assert_array_equal(np.concatenate([first, rest]), full)


def test_cyclic_state_dict_keeps_a_callable_objects_attributes():
    fn = _Decay(0.9)
    opt, sched = _ours("SGD", dict(momentum=0.9), "CyclicLR", dict(base_lr=0.01, max_lr=0.1, scale_fn=fn))
    sd = sched.state_dict()
    assert sd["_scale_fn_custom"] == {"rate": 0.9} and "_scale_fn_ref" not in sd
    fn2 = _Decay(0.5)
    _, other = _ours("SGD", dict(momentum=0.9), "CyclicLR", dict(base_lr=0.01, max_lr=0.1, scale_fn=fn2))
    other.load_state_dict(sd)
    assert fn2.rate == 0.9 and other._scale_fn_custom is fn2
    _, plain = _ours("SGD", dict(momentum=0.9), "CyclicLR", dict(base_lr=0.01, max_lr=0.1, scale_fn=_halfsine))
    assert plain.state_dict()["_scale_fn_custom"] is None


def test_cyclic_state_dict_keys_are_torchs(torch):
    kw = dict(base_lr=0.01, max_lr=0.1, step_size_up=3, mode="exp_range", gamma=0.9)
    ours = _ours("SGD", dict(momentum=0.9), "CyclicLR", kw)[1].state_dict()
    theirs = _theirs(torch, "SGD", dict(momentum=0.9), "CyclicLR", kw)[1].state_dict()
    assert set(ours) <= set(theirs)
    assert {k for k in theirs if not k.startswith("_get_lr")} - set(ours) <= {"_is_initial"}
    for k in ("total_size", "step_ratio", "max_lrs", "base_lrs", "base_momentums", "max_momentums", "scale_mode"):
        assert ours[k] == theirs[k], k


BAD_CYCLIC = [
    (dict(mode="triangle"), ValueError, "mode"),
    (dict(scale_mode="epochs", scale_fn=_halfsine), ValueError, "scale_mode"),
    (dict(step_size_up=0), ValueError, "step_size_up"),
    (dict(step_size_down=-1), ValueError, "step_size_down"),
    (dict(base_lr=[0.01, 0.02]), ValueError, "base_lr"),
    (dict(max_lr=-0.1), ValueError, "max_lr"),
    (dict(mode="exp_range", gamma=0.0), ValueError, "gamma"),
    (dict(max_momentum=[0.9]), ValueError, "max_momentum"),
    (dict(base_momentum=-0.5), ValueError, "base_momentum"),
    (dict(scale_fn=3.0), TypeError, "scale_fn"),
]


@pytest.mark.parametrize("bad,exc,name", BAD_CYCLIC, ids=[n for _, _, n in BAD_CYCLIC])
def test_cyclic_bad_arguments_name_the_argument(bad, exc, name):
    kw = dict(base_lr=0.01, max_lr=0.1) | bad
    with pytest.raises(exc, match=name):
        _ours("SGD", dict(momentum=0.9), "CyclicLR", kw)


def test_cyclic_momentum_needs_an_optimizer_with_momentum():
    with pytest.raises(ValueError, match="cycle_momentum"):
        _ours("Adagrad", {}, "CyclicLR", dict(base_lr=0.01, max_lr=0.1))
    opt, sched = _ours("Adagrad", {}, "CyclicLR", dict(base_lr=0.01, max_lr=0.1, cycle_momentum=False))
    assert "momentum" not in opt.param_groups[0]


@pytest.mark.parametrize("kw,exc,name", [
    (dict(total_iters=0), ValueError, "total_iters"), (dict(total_iters=-3), ValueError, "total_iters"),
    (dict(total_iters="5"), ValueError, "total_iters"), (dict(power=-1.0), ValueError, "power"),
])
def test_polynomial_bad_arguments(kw, exc, name):
    with pytest.raises(exc, match=name):
        _ours("SGD", {}, "PolynomialLR", kw)


def test_multiplicative_bad_arguments():
    with pytest.raises(ValueError, match="lr_lambdas"):
        _ours("SGD", {}, "MultiplicativeLR", dict(lr_lambda=[lambda e: 0.9]))
    with pytest.raises(TypeError, match="lr_lambda"):
        _ours("SGD", {}, "MultiplicativeLR", dict(lr_lambda=0.9))


def test_exported_names():
    assert {"CyclicLR", "MultiplicativeLR", "PolynomialLR"} <= set(optim.lr_scheduler.__all__)
    assert optim.lr_scheduler.CyclicLR is CyclicLR and MultiplicativeLR and PolynomialLR


def test_old_base_name_lrscheduler_subclasses_as_torch(torch):
    from optim.lr_scheduler import _LRScheduler
    lrs = []
    for base, opt_cls, mk in ((_LRScheduler, optim.SGD, autograd.zeros),
                              (torch.optim.lr_scheduler._LRScheduler, torch.optim.SGD, torch.zeros)):
        class Half(base):
            def get_lr(self):
                return [b * 0.5 ** self.last_epoch for b in self.base_lrs]
        p = mk(2, requires_grad=True)
        opt = opt_cls([p], lr=1.0)
        sched = Half(opt)
        for _ in range(3):
            opt.step()
            sched.step()
        lrs.append(opt.param_groups[0]["lr"])
    assert lrs[0] == lrs[1] == 0.125
