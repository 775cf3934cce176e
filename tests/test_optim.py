"""optim: parity with torch.optim (float64, 50 steps), state_dict resume, bad hyper-parameters, behaviour."""
import tracemalloc

import numpy as np
import pytest

import optim
from autograd import Tensor

SHAPES = [(3, 4), (5,), ()]

# (optimizer name, keyword arguments): every option of every optimizer, alone and combined.
CONFIGS = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict()),
    ("SGD", dict(lr=0.1, momentum=0.9)),
    ("SGD", dict(lr=0.1, momentum=0.9, dampening=0.3)),
    ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True)),
    ("SGD", dict(lr=0.1, weight_decay=0.05)),
    ("SGD", dict(lr=0.05, momentum=0.8, dampening=0.1, weight_decay=0.01)),
    ("SGD", dict(lr=0.05, momentum=0.8, nesterov=True, weight_decay=0.01, maximize=True)),
    ("Adagrad", dict()),
    ("Adagrad", dict(lr=0.1, lr_decay=0.05)),
    ("Adagrad", dict(lr=0.1, weight_decay=0.1)),
    ("Adagrad", dict(lr=0.1, initial_accumulator_value=0.5, eps=1e-6)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01, weight_decay=0.02, initial_accumulator_value=0.1, maximize=True)),
    ("Adadelta", dict()),
    ("Adadelta", dict(lr=0.5, rho=0.8, eps=1e-4)),
    ("Adadelta", dict(weight_decay=0.1)),
    ("Adadelta", dict(lr=0.7, rho=0.95, weight_decay=0.05, maximize=True)),
    ("RMSprop", dict()),
    ("RMSprop", dict(alpha=0.9, eps=1e-6)),
    ("RMSprop", dict(centered=True)),
    ("RMSprop", dict(momentum=0.9)),
    ("RMSprop", dict(weight_decay=0.1)),
    ("RMSprop", dict(lr=0.005, momentum=0.5, centered=True, weight_decay=0.01, maximize=True)),
    ("Adam", dict()),
    ("Adam", dict(lr=0.01, betas=(0.8, 0.99), eps=1e-6)),
    ("Adam", dict(lr=0.01, betas=(0.3, 0.9))),  # beta1 < 0.5: torch's lerp takes its other branch
    ("Adam", dict(lr=0.01, weight_decay=0.1)),
    ("Adam", dict(lr=0.01, amsgrad=True)),
    ("Adam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)),
    ("Adam", dict(lr=0.01, weight_decay=0.05, amsgrad=True, maximize=True)),
    ("AdamW", dict()),
    ("AdamW", dict(lr=0.01, weight_decay=0.1)),
    ("AdamW", dict(lr=0.01, weight_decay=0.1, amsgrad=True)),
    ("AdamW", dict(lr=0.01, betas=(0.5, 0.9), weight_decay=0.3, maximize=True)),
]
IDS = [f"{name}-{'-'.join(f'{k}={v}' for k, v in kw.items()) or 'defaults'}" for name, kw in CONFIGS]


def grads_for(seed, steps):
    """Per step, one float64 gradient per parameter; the last parameter sometimes has none (skipped)."""
    rng = np.random.default_rng(seed)
    out = []
    for t in range(steps):
        gs = [rng.standard_normal(s) * (1 + t % 3) for s in SHAPES]
        if t % 4 == 1:
            gs[-1] = None
        out.append(gs)
    return out


def init_values(seed=0):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(s) for s in SHAPES]


def run_ours(name, kw, grads, values=None, opt=None, params=None):
    if params is None:
        params = [Tensor(v.copy(), requires_grad=True) for v in (values or init_values())]
    opt = opt or getattr(optim, name)(params, **kw)
    for gs in grads:
        for p, g in zip(params, gs):
            p.grad = None if g is None else Tensor(g.copy())
        opt.step()
    return params, opt


def run_torch(torch, name, kw, grads):
    params = [torch.tensor(v, requires_grad=True) for v in init_values()]
    opt = getattr(torch.optim, name)(params, **kw)
    for gs in grads:
        for p, g in zip(params, gs):
            p.grad = None if g is None else torch.tensor(g)
        opt.step()
    return [p.detach().numpy() for p in params], opt


@pytest.mark.parametrize("name,kw", CONFIGS, ids=IDS)
def test_matches_torch(name, kw, torch):
    grads = grads_for(1, 50)
    ours, opt = run_ours(name, kw, grads)
    ref, topt = run_torch(torch, name, kw, grads)
    for p, r in zip(ours, ref):
        assert p.dtype == np.float64
        np.testing.assert_allclose(p.numpy(), r, rtol=1e-7, atol=0)
    # the state has the same keys and (for arrays) the same values
    for p, tp in zip(ours, topt.param_groups[0]["params"]):
        ts = topt.state[tp]
        assert set(opt.state[p]) == set(ts)
        for k, v in opt.state[p].items():
            np.testing.assert_allclose(np.asarray(v), ts[k].detach().numpy(), rtol=1e-7, atol=1e-300)


def test_param_groups_with_different_lrs_match_torch(torch):
    grads = grads_for(2, 50)
    vals = init_values()
    ps = [Tensor(v.copy(), requires_grad=True) for v in vals]
    opt = optim.SGD([{"params": ps[:1]}, {"params": ps[1:], "lr": 0.01, "momentum": 0.5}], lr=0.1, momentum=0.9)
    run_ours(None, None, grads, opt=opt, params=ps)
    tps = [torch.tensor(v, requires_grad=True) for v in vals]
    topt = torch.optim.SGD([{"params": tps[:1]}, {"params": tps[1:], "lr": 0.01, "momentum": 0.5}],
                           lr=0.1, momentum=0.9)
    for gs in grads:
        for p, g in zip(tps, gs):
            p.grad = None if g is None else torch.tensor(g)
        topt.step()
    for p, r in zip(ps, tps):
        np.testing.assert_allclose(p.numpy(), r.detach().numpy(), rtol=1e-7, atol=0)
    assert [g["lr"] for g in opt.param_groups] == [0.1, 0.01]
    assert [g["momentum"] for g in opt.param_groups] == [0.9, 0.5]


def _plain(obj):
    """Only Tensors, numbers, strings, lists and dicts (what nn.save can store; torch's state holds Tensors)."""
    if isinstance(obj, dict):
        return all(isinstance(k, (int, str)) and _plain(v) for k, v in obj.items())
    if isinstance(obj, list):
        return all(_plain(v) for v in obj)
    return isinstance(obj, (Tensor, int, float, str, bool))


@pytest.mark.parametrize("name,kw", CONFIGS, ids=IDS)
def test_state_dict_resumes_bit_for_bit(name, kw):
    grads = grads_for(3, 50)
    full, _ = run_ours(name, kw, grads)
    first, opt = run_ours(name, kw, grads[:20])
    sd = opt.state_dict()
    assert _plain(sd)
    # the snapshot is a copy: stepping on does not change it
    run_ours(None, None, grads[20:22], opt=opt, params=first)
    params = [Tensor(p.numpy().copy(), requires_grad=True) for p in run_ours(name, kw, grads[:20])[0]]
    fresh = getattr(optim, name)(params, **kw)
    fresh.load_state_dict(sd)
    run_ours(None, None, grads[20:], opt=fresh, params=params)
    for a, b in zip(full, params):
        assert np.array_equal(a.numpy(), b.numpy())


def test_load_state_dict_restores_hyper_parameters_and_casts_state():
    p = Tensor(np.ones(3, np.float32), requires_grad=True)
    opt = optim.Adam([p], lr=0.5, betas=(0.8, 0.9))
    sd = {"state": {"0": {"step": 3.0, "exp_avg": np.ones(3), "exp_avg_sq": np.ones(3)}},
          "param_groups": [dict(opt.state_dict()["param_groups"][0], lr=0.25, betas=[0.7, 0.8])]}
    opt.load_state_dict(sd)
    g = opt.param_groups[0]
    assert g["lr"] == 0.25 and g["betas"] == (0.7, 0.8) and g["params"][0] is p
    assert isinstance(opt.state[p]["exp_avg"], Tensor) and opt.state[p]["exp_avg"].dtype == np.float32
    assert isinstance(opt.state[p]["step"], Tensor) and opt.state[p]["step"].item() == 3.0
    with pytest.raises(ValueError, match="number of parameter groups"):
        opt.load_state_dict({"state": {}, "param_groups": []})
    with pytest.raises(ValueError, match="size"):
        opt.load_state_dict({"state": {}, "param_groups": [dict(sd["param_groups"][0], params=[0, 1])]})


BAD = [
    ("SGD", dict(lr=-0.1), "lr"), ("SGD", dict(momentum=-0.5), "momentum"),
    ("SGD", dict(weight_decay=-1e-3), "weight_decay"), ("SGD", dict(nesterov=True), "nesterov"),
    ("SGD", dict(momentum=0.9, dampening=0.1, nesterov=True), "nesterov"), ("Adagrad", dict(lr=-1.0), "lr"),
    ("Adagrad", dict(lr_decay=-1.0), "lr_decay"), ("Adagrad", dict(weight_decay=-1.0), "weight_decay"),
    ("Adagrad", dict(initial_accumulator_value=-1.0), "initial_accumulator_value"),
    ("Adagrad", dict(eps=-1e-10), "eps"), ("Adadelta", dict(lr=-1.0), "lr"), ("Adadelta", dict(rho=1.5), "rho"),
    ("Adadelta", dict(rho=-0.1), "rho"), ("Adadelta", dict(eps=-1.0), "eps"),
    ("Adadelta", dict(weight_decay=-1.0), "weight_decay"), ("RMSprop", dict(lr=-1.0), "lr"),
    ("RMSprop", dict(alpha=-0.1), "alpha"), ("RMSprop", dict(eps=-1.0), "eps"),
    ("RMSprop", dict(momentum=-1.0), "momentum"), ("RMSprop", dict(weight_decay=-1.0), "weight_decay"),
    ("Adam", dict(lr=-1.0), "lr"), ("Adam", dict(betas=(1.0, 0.999)), r"betas\[0\]"),
    ("Adam", dict(betas=(-0.1, 0.999)), r"betas\[0\]"), ("Adam", dict(betas=(0.9, 1.0)), r"betas\[1\]"),
    ("Adam", dict(betas=(0.9, -1e-3)), r"betas\[1\]"), ("Adam", dict(eps=-1e-8), "eps"),
    ("Adam", dict(weight_decay=-1.0), "weight_decay"), ("AdamW", dict(lr=-1.0), "lr"),
    ("AdamW", dict(betas=(0.9, 1.5)), r"betas\[1\]"), ("AdamW", dict(eps=-1.0), "eps"),
    ("AdamW", dict(weight_decay=-0.01), "weight_decay"),
]


@pytest.mark.parametrize("name,kw,param", BAD, ids=[f"{n}-{p}-{kw}" for n, kw, p in BAD])
def test_bad_hyper_parameters_raise(name, kw, param):
    p = Tensor(np.zeros(2), requires_grad=True)
    with pytest.raises(ValueError, match=rf"Invalid {param} value"):
        getattr(optim, name)([p], **kw)
    q = Tensor(np.zeros(2), requires_grad=True)
    opt = getattr(optim, name)([p])  # a bad value in an added group is caught too
    with pytest.raises(ValueError, match=rf"Invalid {param} value"):
        opt.add_param_group({"params": [q], **kw})


def test_param_checks():
    p = Tensor(np.zeros(2), requires_grad=True)
    with pytest.raises(ValueError, match="empty"):
        optim.SGD([], lr=0.1)
    with pytest.raises(TypeError):
        optim.SGD([np.zeros(2)], lr=0.1)
    with pytest.raises(TypeError):
        optim.SGD(p, lr=0.1)
    with pytest.raises(TypeError, match="set"):
        optim.SGD({p}, lr=0.1)
    with pytest.raises(ValueError, match="non-leaf"):
        optim.SGD([p * 2], lr=0.1)
    with pytest.raises(ValueError, match="duplicate"):
        optim.SGD([p, p], lr=0.1)
    opt = optim.SGD([p], lr=0.1)
    with pytest.raises(ValueError, match="more than one"):
        opt.add_param_group({"params": [p]})


def rosenbrock(p):
    x, y = p[0], p[1]
    return (1 - x) ** 2 + 100 * (y - x * x) ** 2


@pytest.mark.parametrize("name,kw", [("SGD", dict(lr=1e-4, momentum=0.9)), ("SGD", dict(lr=1e-4, nesterov=True,
                                     momentum=0.9)), ("Adagrad", dict(lr=0.1)), ("Adadelta", dict()),
                                     ("RMSprop", dict(lr=1e-3)), ("Adam", dict(lr=0.02)), ("AdamW", dict(lr=0.02))])
def test_descends_rosenbrock(name, kw):
    p = Tensor(np.array([-1.5, 2.0]), requires_grad=True)
    opt = getattr(optim, name)([p], **kw)
    start = rosenbrock(p).item()

    def closure():
        opt.zero_grad()
        loss = rosenbrock(p)
        loss.backward()
        return loss

    losses = [opt.step(closure).item() for _ in range(300)]
    assert losses[0] == start
    assert rosenbrock(p).item() < 0.5 * start
    assert p.numpy().shape == (2,) and np.all(np.isfinite(p.numpy()))


def test_zero_grad_and_skipping():
    a, b = Tensor(np.ones(3), requires_grad=True), Tensor(np.ones(2), requires_grad=True)
    opt = optim.Adam([a, b], lr=0.1)
    (a * a).sum().backward()
    data_a, data_b = a.numpy(), b.numpy()
    opt.step()
    assert a.numpy() is data_a and b.numpy() is data_b  # in place: the same array objects
    assert np.all(a.numpy() < 1) and np.all(b.numpy() == 1)  # b had no gradient: untouched, no state
    assert b not in opt.state and len(opt.state) == 1
    g = a.grad
    opt.zero_grad(set_to_none=False)
    assert a.grad is g and np.all(g.numpy() == 0) and b.grad is None
    opt.zero_grad()
    assert a.grad is None


@pytest.mark.parametrize("name", ["SGD", "Adagrad", "Adadelta", "RMSprop", "Adam", "AdamW"])
def test_float32_stays_float32_and_steps_do_not_allocate(name):
    kw = {"SGD": dict(lr=0.1, momentum=0.9, weight_decay=0.1), "RMSprop": dict(centered=True, momentum=0.9),
          "Adam": dict(amsgrad=True, weight_decay=0.1)}.get(name, {})
    p = Tensor(np.ones((256, 256), np.float32), requires_grad=True)
    p.grad = Tensor(np.full((256, 256), 0.5, np.float32))
    opt = getattr(optim, name)([p], **kw)
    opt.step()
    opt.step()
    tracemalloc.start()
    opt.step()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert p.dtype == np.float32 and all(isinstance(v, Tensor) and v.dtype == np.float32
                                         for v in opt.state[p].values())
    assert peak < p.numpy().nbytes // 8, f"{name}.step allocated {peak} bytes for a {p.numpy().nbytes}-byte parameter"


def test_gradient_laid_out_unlike_its_parameter():
    """The grad of W in x @ W.T can arrive F-ordered; the update is the same as for a C-ordered one."""
    g = np.random.default_rng(0).standard_normal((6, 5)).T
    p, q = (Tensor(np.ones((5, 6)), requires_grad=True) for _ in range(2))
    p.grad, q.grad = Tensor(np.ascontiguousarray(g)), Tensor(np.asfortranarray(g))
    opt_p, opt_q = optim.Adam([p], weight_decay=0.1), optim.Adam([q], weight_decay=0.1)
    for _ in range(3):
        opt_p.step()
        opt_q.step()
    assert np.array_equal(p.numpy(), q.numpy()) and q.numpy().flags.c_contiguous


def test_closure_runs_with_grad_enabled_and_returns_loss():
    import autograd
    p = Tensor(np.array([2.0]), requires_grad=True)
    opt = optim.SGD([p], lr=0.25)

    def closure():
        opt.zero_grad()
        loss = (p * p).sum()
        loss.backward()
        return loss

    with autograd.no_grad():
        loss = opt.step(closure)
    assert loss.item() == 4.0 and p.numpy()[0] == 1.0


def test_backward_through_a_graph_made_before_step_raises_as_torch(torch):
    """step() changes the parameters in place; a graph that saved them is stale, and torch refuses it too."""
    w = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    x = Tensor(np.array([3.0, 4.0]), requires_grad=True)
    loss = (w * x).sum()                       # Mul saved w for x's gradient
    loss.backward(retain_graph=True)
    optim.SGD([w], lr=0.1).step()
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        loss.backward()
    tw = torch.tensor([1.0, 2.0], requires_grad=True)
    tx = torch.tensor([3.0, 4.0], requires_grad=True)
    tloss = (tw * tx).sum()
    tloss.backward(retain_graph=True)
    torch.optim.SGD([tw], lr=0.1).step()
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        tloss.backward()
