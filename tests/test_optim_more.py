"""Adamax, NAdam, RAdam, ASGD, Rprop against torch.optim (float64, 60 steps, two param groups), state_dict
resume, bad hyper-parameters; every optimizer's signature (names, order, defaults) is torch's."""
import inspect

import numpy as np
import pytest

import optim
from autograd import Tensor

SHAPES = [(3, 4), (5,), (), (2, 3)]

CONFIGS = [
    ("Adamax", dict()),
    ("Adamax", dict(lr=0.01, betas=(0.3, 0.9), eps=1e-4)),
    ("Adamax", dict(lr=0.01, weight_decay=0.1, maximize=True)),
    ("NAdam", dict()),
    ("NAdam", dict(lr=0.01, betas=(0.3, 0.95), momentum_decay=0.01)),
    ("NAdam", dict(lr=0.01, weight_decay=0.1)),
    ("NAdam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True, maximize=True)),
    ("RAdam", dict()),
    ("RAdam", dict(lr=0.01, betas=(0.8, 0.9))),  # rho_t > 5 from step 6 on: both branches
    ("RAdam", dict(lr=0.01, weight_decay=0.1)),
    ("RAdam", dict(lr=0.01, betas=(0.4, 0.7), weight_decay=0.1, decoupled_weight_decay=True, maximize=True)),
    ("ASGD", dict()),
    ("ASGD", dict(lr=0.05, lambd=0.01, alpha=0.5, t0=10)),  # mu < 1 after step 11: the averaging branch
    ("ASGD", dict(lr=0.05, t0=3, weight_decay=0.1, maximize=True)),
    ("Rprop", dict()),
    ("Rprop", dict(lr=0.05, etas=(0.3, 1.5), step_sizes=(1e-3, 0.2))),
    ("Rprop", dict(lr=0.02, maximize=True)),
]
IDS = [f"{n}-{'-'.join(f'{k}={v}' for k, v in kw.items()) or 'defaults'}" for n, kw in CONFIGS]


def _grads(seed, steps):
    """One float64 gradient per parameter and step; the third parameter sometimes has none."""
    rng = np.random.default_rng(seed)
    out = []
    for t in range(steps):
        gs = [rng.standard_normal(s) * (1 + t % 3) for s in SHAPES]
        if t % 4 == 1:
            gs[2] = None
        if t % 7 == 3:  # repeat the previous sign pattern sometimes (Rprop's growing steps)
            gs[0] = np.abs(gs[0])
        out.append(gs)
    return out


def _init():
    rng = np.random.default_rng(0)
    return [rng.standard_normal(s) for s in SHAPES]


def _groups(params, kw):
    """Two groups: the second with half the lr (when the optimizer has one of its own)."""
    return [{"params": params[:2]}, {"params": params[2:], "lr": kw.get("lr", 0.01) * 0.5}]


def _run(make_tensor, module, name, kw, grads, params=None, opt=None):
    if params is None:
        params = [make_tensor(v) for v in _init()]
    opt = opt or getattr(module, name)(_groups(params, kw), **kw)
    for gs in grads:
        for p, g in zip(params, gs):
            p.grad = None if g is None else make_tensor(g, grad=False)
        opt.step()
    return params, opt


def _ours(v, grad=True):
    return Tensor(v.copy(), requires_grad=grad)


@pytest.mark.parametrize("name,kw", CONFIGS, ids=IDS)
def test_matches_torch(name, kw, torch):
    grads = _grads(1, 60)
    ours, opt = _run(_ours, optim, name, kw, grads)
    ref, topt = _run(lambda v, grad=True: torch.tensor(v, requires_grad=grad), torch.optim, name, kw, grads)
    for p, r in zip(ours, ref):
        assert p.dtype == np.float64
        np.testing.assert_allclose(p.numpy(), r.detach().numpy(), rtol=1e-12, atol=1e-13)
    for p, tp in zip(ours, ref):
        ts = topt.state[tp]
        assert set(opt.state[p]) == set(ts)
        for k, v in opt.state[p].items():
            np.testing.assert_allclose(np.asarray(v), ts[k].detach().numpy(), rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize("name,kw", CONFIGS, ids=IDS)
def test_state_dict_resumes_bit_for_bit(name, kw):
    grads = _grads(3, 40)
    full, _ = _run(_ours, optim, name, kw, grads)
    first, opt = _run(_ours, optim, name, kw, grads[:15])
    sd = opt.state_dict()
    _run(_ours, optim, name, kw, grads[15:17], params=first, opt=opt)  # the snapshot is a copy
    params = [Tensor(p.numpy().copy(), requires_grad=True) for p in _run(_ours, optim, name, kw, grads[:15])[0]]
    fresh = getattr(optim, name)(_groups(params, kw), **kw)
    fresh.load_state_dict(sd)
    _run(_ours, optim, name, kw, grads[15:], params=params, opt=fresh)
    for a, b in zip(full, params):
        assert np.array_equal(a.numpy(), b.numpy())


def test_float32_matches_torch_float32(torch):
    """float32 parameters: the float32-rounded scalars (NAdam's mu_product, ASGD's eta) agree too."""
    grads = [[g.astype(np.float32) if g is not None else None for g in gs] for gs in _grads(5, 30)]
    for name, kw in [("NAdam", dict(lr=0.01)), ("ASGD", dict(lr=0.05, t0=5)), ("Rprop", dict(lr=0.03))]:
        ps = [Tensor(v.astype(np.float32), requires_grad=True) for v in _init()]
        tps = [torch.tensor(v.astype(np.float32), requires_grad=True) for v in _init()]
        opt, topt = getattr(optim, name)(ps, **kw), getattr(torch.optim, name)(tps, **kw)
        for gs in grads:
            for p, tp, g in zip(ps, tps, gs):
                p.grad, tp.grad = (None, None) if g is None else (Tensor(g), torch.tensor(g))
            opt.step()
            topt.step()
        for p, tp in zip(ps, tps):
            assert p.dtype == np.float32
            np.testing.assert_allclose(p.numpy(), tp.detach().numpy(), rtol=2e-5, atol=1e-6)


BAD = [
    ("Adamax", dict(lr=-1.0), "lr"), ("Adamax", dict(eps=-1.0), "eps"), ("Adamax", dict(betas=(1.0, 0.9)),
                                                                        r"betas\[0\]"),
    ("Adamax", dict(betas=(0.9, -0.1)), r"betas\[1\]"), ("Adamax", dict(weight_decay=-1.0), "weight_decay"),
    ("NAdam", dict(lr=-1.0), "lr"), ("NAdam", dict(eps=-1.0), "eps"), ("NAdam", dict(betas=(0.9, 1.0)),
                                                                     r"betas\[1\]"),
    ("NAdam", dict(weight_decay=-1.0), "weight_decay"), ("NAdam", dict(momentum_decay=-1.0), "momentum_decay"),
    ("RAdam", dict(lr=-1.0), "lr"), ("RAdam", dict(eps=-1.0), "eps"), ("RAdam", dict(betas=(-0.1, 0.9)),
                                                                     r"betas\[0\]"),
    ("RAdam", dict(weight_decay=-1.0), "weight_decay"), ("ASGD", dict(lr=-1.0), "lr"),
    ("ASGD", dict(weight_decay=-1.0), "weight_decay"), ("Rprop", dict(lr=-1.0), "lr"),
    ("Rprop", dict(etas=(1.5, 1.2)), "etas"), ("Rprop", dict(etas=(0.5, 0.9)), "etas"),
    ("Rprop", dict(etas=(0.0, 1.2)), "etas"), ("LBFGS", dict(lr=-1.0), "lr"),
]


@pytest.mark.parametrize("name,kw,param", BAD, ids=[f"{n}-{p}-{kw}" for n, kw, p in BAD])
def test_bad_hyper_parameters_raise(name, kw, param):
    p = Tensor(np.zeros(2), requires_grad=True)
    with pytest.raises(ValueError, match=rf"Invalid {param} value"):
        getattr(optim, name)([p], **kw)


ALL = ["SGD", "Adagrad", "Adadelta", "RMSprop", "Adam", "AdamW", "Adamax", "NAdam", "RAdam", "ASGD", "Rprop",
       "LBFGS"]


@pytest.mark.parametrize("name", ALL)
def test_signature_is_torchs(name, torch):
    """Same names, order, kinds and defaults (foreach= / fused= / capturable= / differentiable= included)."""
    ours = inspect.signature(getattr(optim, name)).parameters
    theirs = inspect.signature(getattr(torch.optim, name)).parameters
    assert [(k, v.kind) for k, v in ours.items()] == [(k, v.kind) for k, v in theirs.items()]
    for k, v in theirs.items():
        assert ours[k].default == v.default or v.default is inspect.Parameter.empty, k


@pytest.mark.parametrize("name", ALL[:-1])
def test_torch_only_flags_are_accepted_and_ignored(name):
    params = inspect.signature(getattr(optim, name)).parameters
    flags = {k: (None if k in ("foreach", "fused") else False) for k in ("foreach", "fused", "capturable",
                                                                          "differentiable") if k in params}
    assert "foreach" in flags and "differentiable" in flags
    grads = _grads(4, 5)
    a, _ = _run(_ours, optim, name, {"lr": 0.01}, grads)
    b, _ = _run(_ours, optim, name, {"lr": 0.01, **flags}, grads)
    assert all(np.array_equal(x.numpy(), y.numpy()) for x, y in zip(a, b))


@pytest.mark.parametrize("name", ["Adam", "AdamW"])
def test_amsgrad_and_maximize_match_torch(name, torch):
    grads = _grads(6, 40)
    kw = dict(lr=0.02, amsgrad=True, maximize=True, weight_decay=0.05)
    ours, _ = _run(_ours, optim, name, kw, grads)
    ref, _ = _run(lambda v, grad=True: torch.tensor(v, requires_grad=grad), torch.optim, name, kw, grads)
    for p, r in zip(ours, ref):
        np.testing.assert_allclose(p.numpy(), r.detach().numpy(), rtol=1e-11, atol=1e-13)


def test_named_parameters_as_torch(torch):
    """``optim.SGD(model.named_parameters(), ...)``: groups get ``param_names``, as torch's (docs: Named parameters)."""
    import nn
    model, tmodel = nn.Linear(3, 2), torch.nn.Linear(3, 2)
    opt, topt = optim.SGD(model.named_parameters(), lr=0.1), torch.optim.SGD(tmodel.named_parameters(), lr=0.1)
    assert opt.param_groups[0]["param_names"] == topt.param_groups[0]["param_names"] == ["weight", "bias"]
    assert opt.param_groups[0]["params"] == list(model.parameters())
    assert opt.state_dict()["param_groups"][0]["param_names"] == ["weight", "bias"]
    a, b = Tensor(np.ones(2), requires_grad=True), Tensor(np.ones(2), requires_grad=True)
    opt = optim.Adam([("layer0", a), ("layer1", b)], lr=1e-4)
    assert opt.param_groups[0]["param_names"] == ["layer0", "layer1"]
    with pytest.raises(ValueError, match="with/without names"):
        opt.add_param_group({"params": [Tensor(np.ones(1), requires_grad=True)]})
    with pytest.raises(ValueError, match="with/without names"):
        optim.SGD([("a", a), b], lr=0.1)
    opt2 = optim.Adam([("x", Tensor(np.ones(2), requires_grad=True)), ("y", Tensor(np.ones(2), requires_grad=True))])
    opt2.load_state_dict(opt.state_dict())
    assert opt2.param_groups[0]["param_names"] == ["layer0", "layer1"]
