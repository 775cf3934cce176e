"""What torch programs do with an optimizer: zero_grad, add_param_group, editing param_groups, state_dict,
and subclassing ``optim.Optimizer`` the way torch's documentation writes a custom optimizer."""
import numpy as np
import pytest

import optim
from autograd import Tensor, enable_grad, no_grad
from optim.optimizer import required


def _grads(seed, steps, shapes):
    rng = np.random.default_rng(seed)
    return [[rng.standard_normal(s) for s in shapes] for _ in range(steps)]


def _step(opt, params, grads, make):
    for p, g in zip(params, grads):
        p.grad = make(g)
    opt.step()


@pytest.mark.parametrize("set_to_none", [True, False])
def test_zero_grad_set_to_none_like_torch(set_to_none, torch):
    p = Tensor(np.ones(3), requires_grad=True)
    tp = torch.ones(3, dtype=torch.float64, requires_grad=True)
    opt, topt = optim.SGD([p], lr=0.1), torch.optim.SGD([tp], lr=0.1)
    (p * p).sum().backward()
    (tp * tp).sum().backward()
    g, tg = p.grad, tp.grad
    opt.zero_grad(set_to_none=set_to_none)
    topt.zero_grad(set_to_none=set_to_none)
    if set_to_none:
        assert p.grad is None and tp.grad is None
    else:
        assert p.grad is g and tp.grad is tg  # zeroed in place, the same tensor
        assert np.array_equal(p.grad.numpy(), tg.numpy()) and not p.grad.numpy().any()
    (p * p).sum().backward()  # accumulates onto what zero_grad left
    np.testing.assert_array_equal(p.grad.numpy(), 2 * np.ones(3))


@pytest.mark.parametrize("name,kw", [("SGD", dict(lr=0.1, momentum=0.9)), ("Adam", dict(lr=0.01)),
                                     ("RMSprop", dict(lr=0.01, momentum=0.5)), ("AdamW", dict(lr=0.01))])
def test_add_param_group_and_editing_lr_match_torch(name, kw, torch):
    """Add a group mid-run (its own lr, other options from the defaults), then set lrs by hand."""
    shapes = [(3, 2), (4,)]
    grads = _grads(0, 30, shapes)
    rng = np.random.default_rng(1)
    init = [rng.standard_normal(s) for s in shapes]
    a, b = (Tensor(v.copy(), requires_grad=True) for v in init)
    ta, tb = (torch.tensor(v, requires_grad=True) for v in init)
    opt, topt = getattr(optim, name)([a], **kw), getattr(torch.optim, name)([ta], **kw)
    for t, gs in enumerate(grads):
        if t == 5:
            opt.add_param_group({"params": [b], "lr": 0.003})
            topt.add_param_group({"params": [tb], "lr": 0.003})
            assert {k for k in opt.param_groups[1] if k != "params"} <= set(topt.param_groups[1])
        if t == 12:
            opt.param_groups[0]["lr"] = topt.param_groups[0]["lr"] = 0.5 * kw["lr"]
        if t == 20:
            for g, tg in zip(opt.param_groups, topt.param_groups):
                g["lr"] = tg["lr"] = 0.0  # lr 0: the parameters stay where they are
            before = [a.numpy().copy(), b.numpy().copy()]
        params, tparams = ([a, b], [ta, tb]) if t >= 5 else ([a], [ta])
        _step(opt, params, gs, Tensor)
        _step(topt, tparams, gs, torch.tensor)
        for p, tp in zip([a, b], [ta, tb]):
            np.testing.assert_allclose(p.numpy(), tp.detach().numpy(), rtol=1e-12, atol=1e-14)
    assert all(np.array_equal(x, p.numpy()) for x, p in zip(before, [a, b]))
    assert len(opt.state) == 2 and len(opt.state_dict()["param_groups"]) == 2


def test_state_dict_after_add_param_group_loads_into_a_two_group_optimizer():
    shapes = [(3,), (2, 2)]
    grads = _grads(2, 12, shapes)
    a, b = (Tensor(np.ones(s), requires_grad=True) for s in shapes)
    opt = optim.Adam([a], lr=0.01)
    _step(opt, [a], grads[0][:1], Tensor)
    opt.add_param_group({"params": [b], "lr": 0.02, "betas": (0.5, 0.9)})
    for gs in grads[1:6]:
        _step(opt, [a, b], gs, Tensor)
    sd = opt.state_dict()
    a2, b2 = (Tensor(p.numpy().copy(), requires_grad=True) for p in (a, b))
    opt2 = optim.Adam([{"params": [a2]}, {"params": [b2]}], lr=0.5)
    opt2.load_state_dict(sd)
    assert [g["lr"] for g in opt2.param_groups] == [0.01, 0.02] and opt2.param_groups[1]["betas"] == (0.5, 0.9)
    for gs in grads[6:]:
        _step(opt, [a, b], gs, Tensor)
        _step(opt2, [a2, b2], gs, Tensor)
    assert np.array_equal(a.numpy(), a2.numpy()) and np.array_equal(b.numpy(), b2.numpy())


class MomentumSGD(optim.Optimizer):
    """A custom optimizer written as torch's docs write one (state kept as Tensors)."""

    def __init__(self, params, lr=required, momentum=0.0):
        if lr is not required and lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @no_grad()
    def step(self, closure=None):
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                buf = state.get("momentum_buffer")
                if buf is None:
                    buf = state["momentum_buffer"] = p.grad.detach() * 1.0  # torch: torch.clone(grad).detach()
                else:
                    buf[...] = buf * group["momentum"] + p.grad  # torch: buf.mul_(momentum).add_(grad)
                p[...] = p - group["lr"] * buf  # torch: p.add_(buf, alpha=-group["lr"])
        return loss


class MomentumSGDInPlace(MomentumSGD):
    """The same, with torch's in-place Tensor methods (``add_(..., alpha=)``, ``mul_``)."""

    @no_grad()
    def step(self, closure=None):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if "momentum_buffer" not in state:
                    state["momentum_buffer"] = p.grad.detach() * 1.0
                else:
                    state["momentum_buffer"].mul_(group["momentum"]).add_(p.grad)
                p.add_(state["momentum_buffer"], alpha=-group["lr"])


CUSTOM = [MomentumSGD, pytest.param(MomentumSGDInPlace, marks=pytest.mark.skipif(
    not hasattr(Tensor, "add_"), reason="Tensor.add_(other, alpha=) not in this tree yet"))]


@pytest.mark.parametrize("cls", CUSTOM)
def test_custom_optimizer_the_torch_way(cls, torch):
    shapes = [(3, 4), (5,)]
    grads = _grads(3, 20, shapes)
    init = [np.random.default_rng(4).standard_normal(s) for s in shapes]
    ps = [Tensor(v.copy(), requires_grad=True) for v in init]
    tps = [torch.tensor(v, requires_grad=True) for v in init]
    opt = cls([{"params": ps[:1]}, {"params": ps[1:], "lr": 0.05}], lr=0.1, momentum=0.9)
    topt = torch.optim.SGD([{"params": tps[:1]}, {"params": tps[1:], "lr": 0.05}], lr=0.1, momentum=0.9)
    for t, gs in enumerate(grads):
        if t == 10:
            sd = opt.state_dict()
        _step(opt, ps, gs, Tensor)
        _step(topt, tps, gs, torch.tensor)
    for p, tp in zip(ps, tps):
        np.testing.assert_allclose(p.numpy(), tp.detach().numpy(), rtol=1e-12, atol=1e-14)
    assert isinstance(opt.state[ps[0]]["momentum_buffer"], Tensor)

    # resume from the step-10 snapshot (a copy: later steps did not change it)
    qs = [Tensor(v.copy(), requires_grad=True) for v in init]
    ref = cls([{"params": qs[:1]}, {"params": qs[1:], "lr": 0.05}], lr=0.1, momentum=0.9)
    for gs in grads[:10]:
        _step(ref, qs, gs, Tensor)
    rs = [Tensor(q.numpy().copy(), requires_grad=True) for q in qs]
    resumed = cls([{"params": rs[:1]}, {"params": rs[1:]}], lr=0.7)
    resumed.load_state_dict(sd)
    assert [g["lr"] for g in resumed.param_groups] == [0.1, 0.05]
    for gs in grads[10:]:
        _step(resumed, rs, gs, Tensor)
    for p, r in zip(ps, rs):
        assert np.array_equal(p.numpy(), r.numpy())


def test_custom_optimizer_required_and_unusual_defaults():
    p, q = Tensor(np.zeros(2), requires_grad=True), Tensor(np.zeros(2), requires_grad=True)
    with pytest.raises(ValueError, match="required optimization parameter lr"):
        MomentumSGD([p])
    opt = MomentumSGD([{"params": [p], "lr": 0.1}])  # every group gives it: fine
    with pytest.raises(ValueError, match="required optimization parameter lr"):
        opt.add_param_group({"params": [q]})
    with pytest.raises(ValueError, match="learning rate"):
        MomentumSGD([p], lr=-1.0)

    class NoLr(optim.Optimizer):  # defaults need not hold an lr at all
        def __init__(self, params, scale=0.5):
            super().__init__(params, dict(scale=scale))

        def step(self, closure=None):
            for group in self.param_groups:
                for x in group["params"]:
                    x.numpy()[...] *= group["scale"]

    x = Tensor(np.ones(2), requires_grad=True)
    opt = NoLr([x])
    opt.step()
    assert x.numpy().tolist() == [0.5, 0.5] and "scale" in repr(opt)


def test_custom_optimizer_closure_and_zero_grad():
    p = Tensor(np.array([2.0, -1.0]), requires_grad=True)
    opt = MomentumSGD([p], lr=0.25)

    def closure():
        opt.zero_grad()
        loss = (p * p).sum()
        loss.backward()
        return loss

    with no_grad():
        assert opt.step(closure).item() == 5.0
    np.testing.assert_array_equal(p.numpy(), [1.0, -0.5])
    assert p.is_leaf and p.requires_grad and p.grad is not None
