"""Optimizer state holds torch's types: Tensors shaped and typed like the parameter, 0-d float32 Tensors for
``step`` and the other counters, LBFGS's vectors and lists of Tensors; in ``state`` and in ``state_dict()``,
through ``autograd.save`` / ``nn.save`` and back, and loading from Tensors, arrays or plain numbers."""
import io

import numpy as np
import pytest

import autograd
import nn
import optim
from autograd import Tensor

SHAPES = [(3, 4), (5,)]

CONFIGS = [
    ("SGD", dict(lr=0.1, momentum=0.9)), ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True)),
    ("Adam", dict()), ("Adam", dict(amsgrad=True)), ("AdamW", dict(amsgrad=True)),
    ("Adamax", dict()), ("NAdam", dict()), ("RAdam", dict()), ("ASGD", dict(t0=1)), ("Rprop", dict()),
    ("Adadelta", dict()), ("Adagrad", dict(initial_accumulator_value=0.1)),
    ("RMSprop", dict(momentum=0.9, centered=True)), ("RMSprop", dict()),
]
IDS = [f"{n}-{'-'.join(f'{k}={v}' for k, v in kw.items()) or 'defaults'}" for n, kw in CONFIGS]


def _grads(seed, steps, dtype=np.float64):
    rng = np.random.default_rng(seed)
    return [[rng.standard_normal(s).astype(dtype) for s in SHAPES] for _ in range(steps)]


def _params(dtype=np.float64):
    rng = np.random.default_rng(0)
    return [Tensor(rng.standard_normal(s).astype(dtype), requires_grad=True) for s in SHAPES]


def _run(opt, params, grads):
    for gs in grads:
        for p, g in zip(params, gs):
            p.grad = Tensor(g)
        opt.step()


def _torch_dtype_name(t):
    return str(t.dtype).replace("torch.", "")


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name,kw", CONFIGS, ids=IDS)
def test_state_types_match_torch(name, kw, dtype, torch):
    grads = _grads(1, 3, dtype)
    params = _params(dtype)
    opt = getattr(optim, name)(params, **kw)
    _run(opt, params, grads)
    tparams = [torch.tensor(p.numpy().copy(), requires_grad=True) for p in _params(dtype)]
    topt = getattr(torch.optim, name)(tparams, **kw)
    for gs in grads:
        for p, g in zip(tparams, gs):
            p.grad = torch.tensor(g)
        topt.step()
    for p, tp in zip(params, tparams):
        ours, theirs = opt.state[p], topt.state[tp]
        assert set(ours) == set(theirs)
        for k, v in ours.items():
            tv = theirs[k]
            assert isinstance(v, Tensor), (k, type(v))
            assert str(v.dtype) == _torch_dtype_name(tv), k
            assert tuple(v.shape) == tuple(tv.shape), k
            np.testing.assert_allclose(v.numpy(), tv.detach().numpy(), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("name,kw", CONFIGS, ids=IDS)
def test_state_tensors_work_as_torch_programs_use_them(name, kw):
    params = _params()
    opt = getattr(optim, name)(params, **kw)
    _run(opt, params, _grads(2, 2))
    sd = opt.state_dict()
    for i, p in enumerate(params):
        for k, v in sd["state"][i].items():
            assert isinstance(v, Tensor), k
            assert v.clone().shape == v.shape and np.isfinite(float(v.norm()))
    if "step" in opt.state[params[0]]:
        step = opt.state[params[0]]["step"]
        assert step.shape == () and step.dtype == np.float32 and step.item() == 2.0


def test_momentum_buffer_is_the_state_the_step_reads():
    """Editing the state Tensor in place (as torch programs do) changes the next update."""
    p = Tensor(np.ones(3), requires_grad=True)
    opt = optim.SGD([p], lr=0.5, momentum=0.9)
    p.grad = Tensor(np.full(3, 2.0))
    opt.step()
    buf = opt.state[p]["momentum_buffer"]
    assert isinstance(buf, Tensor) and np.array_equal(buf.numpy(), np.full(3, 2.0))
    buf.zero_()
    opt.step()
    np.testing.assert_array_equal(opt.state[p]["momentum_buffer"].numpy(), np.full(3, 2.0))
    np.testing.assert_array_equal(p.numpy(), np.full(3, 1.0 - 1.0 - 1.0))


def test_state_dict_is_a_copy_of_the_tensors():
    params = _params()
    opt = optim.Adam(params)
    _run(opt, params, _grads(3, 2))
    sd = opt.state_dict()
    before = sd["state"][0]["exp_avg"].numpy().copy()
    _run(opt, params, _grads(4, 1))
    assert np.array_equal(sd["state"][0]["exp_avg"].numpy(), before)
    assert sd["state"][0]["step"].item() == 2.0 and opt.state[params[0]]["step"].item() == 3.0


def _save_load(kind, obj, tmp_path):
    if kind == "autograd-file":
        autograd.save(obj, tmp_path / "ck.npz")
        return autograd.load(tmp_path / "ck.npz")
    if kind == "nn-file":
        nn.save(obj, tmp_path / "ck.npz")
        return nn.load(tmp_path / "ck.npz")
    buf = io.BytesIO()
    autograd.save(obj, buf)
    buf.seek(0)
    return autograd.load(buf)


@pytest.mark.parametrize("kind", ["autograd-file", "nn-file", "bytes"])
@pytest.mark.parametrize("name,kw", CONFIGS, ids=IDS)
def test_save_load_round_trip_resumes_bit_for_bit(name, kw, kind, tmp_path):
    grads = _grads(5, 12)
    full = _params()
    _run(getattr(optim, name)(full, **kw), full, grads)
    params = _params()
    opt = getattr(optim, name)(params, **kw)
    _run(opt, params, grads[:5])
    ck = _save_load(kind, {"opt": opt.state_dict(), "params": [p.detach() for p in params]}, tmp_path)
    resumed = [Tensor(p.numpy().copy(), requires_grad=True) for p in ck["params"]]
    fresh = getattr(optim, name)(resumed, **kw)
    fresh.load_state_dict(ck["opt"])
    for p in resumed:
        for k, v in fresh.state[p].items():
            assert isinstance(v, Tensor) and v.dtype == (np.float32 if v.ndim == 0 else p.dtype), k
    _run(fresh, resumed, grads[5:])
    for a, b in zip(full, resumed):
        assert np.array_equal(a.numpy(), b.numpy())


@pytest.mark.parametrize("name,kw", CONFIGS, ids=IDS)
def test_loads_arrays_and_plain_numbers(name, kw):
    """A state dict of NumPy arrays and Python floats (an older tracegrad file) loads as Tensors, resumes exactly."""
    grads = _grads(6, 8)
    full = _params()
    _run(getattr(optim, name)(full, **kw), full, grads)
    params = _params()
    opt = getattr(optim, name)(params, **kw)
    _run(opt, params, grads[:3])
    sd = opt.state_dict()
    sd["state"] = {str(i): {k: (v.item() if v.ndim == 0 else v.numpy()) for k, v in s.items()}
                   for i, s in sd["state"].items()}
    fresh = getattr(optim, name)(params, **kw)
    fresh.load_state_dict(sd)
    for p in params:
        for k, v in fresh.state[p].items():
            assert isinstance(v, Tensor) and v.dtype == (np.float32 if v.ndim == 0 else np.float64), k
    _run(fresh, params, grads[3:])
    for a, b in zip(full, params):
        assert np.array_equal(a.numpy(), b.numpy())


def test_load_casts_buffers_to_the_parameter_dtype():
    p = Tensor(np.ones(3, np.float32), requires_grad=True)
    opt = optim.Adam([p])
    sd = {"state": {0: {"step": Tensor(np.array(4.0, np.float32)), "exp_avg": Tensor(np.ones(3)),
                        "exp_avg_sq": np.ones(3)}}, "param_groups": opt.state_dict()["param_groups"]}
    opt.load_state_dict(sd)
    st = opt.state[p]
    assert st["exp_avg"].dtype == np.float32 and st["exp_avg_sq"].dtype == np.float32
    assert st["step"].dtype == np.float32 and st["step"].item() == 4.0
    sd["state"][0]["exp_avg"].numpy()[...] = 7  # the loaded state is a private copy
    assert st["exp_avg"].numpy()[0] == 1


def _lbfgs_run(opt_mod, make, kw, steps):
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((16, 3)), rng.standard_normal((16, 1))
    w = make(rng.standard_normal((3, 1)))
    opt = opt_mod.LBFGS([w], **kw)
    xt, yt = make(x, False), make(y, False)

    def closure():
        opt.zero_grad()
        loss = (((xt @ w).tanh() - yt) ** 2).mean()
        loss.backward()
        return loss
    for _ in range(steps):
        opt.step(closure)
    return opt, w


@pytest.mark.parametrize("kw", [dict(max_iter=3, history_size=2), dict(max_iter=4, line_search_fn="strong_wolfe")])
def test_lbfgs_state_types_match_torch(kw, torch):
    opt, w = _lbfgs_run(optim, lambda v, g=True: Tensor(v.copy(), requires_grad=g), kw, 3)
    topt, tw = _lbfgs_run(torch.optim, lambda v, g=True: torch.tensor(v, requires_grad=g), kw, 3)
    ours, theirs = opt.state[w], topt.state[tw]
    assert set(ours) == set(theirs)
    for k, tv in theirs.items():
        v = ours[k]
        if isinstance(tv, torch.Tensor):
            assert isinstance(v, Tensor) and tuple(v.shape) == tuple(tv.shape), k
            np.testing.assert_allclose(v.numpy(), tv.detach().numpy(), rtol=1e-6)
        elif isinstance(tv, list):
            assert isinstance(v, list) and len(v) == len(tv), k
            for a, b in zip(v, tv):
                assert (a is None) == (b is None) and (b is None or isinstance(a, Tensor)), k
        else:
            assert not isinstance(v, Tensor) and v == pytest.approx(tv, rel=1e-6), k


def test_lbfgs_state_dict_round_trips_through_a_file(tmp_path):
    kw = dict(max_iter=4, history_size=3, line_search_fn="strong_wolfe")
    mk = lambda v, g=True: Tensor(v.copy(), requires_grad=g)  # noqa: E731
    _, full = _lbfgs_run(optim, mk, kw, 4)
    opt, w = _lbfgs_run(optim, mk, kw, 2)
    autograd.save(opt.state_dict(), tmp_path / "lbfgs.npz")
    sd = autograd.load(tmp_path / "lbfgs.npz")
    assert isinstance(sd["state"][0]["d"], Tensor) and all(isinstance(v, Tensor) for v in sd["state"][0]["old_dirs"])
    w2 = Tensor(w.numpy().copy(), requires_grad=True)
    opt2 = optim.LBFGS([w2], **kw)
    opt2.load_state_dict(sd)
    assert isinstance(opt2.state[w2]["prev_flat_grad"], Tensor)
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((16, 3)), rng.standard_normal((16, 1))

    def closure():
        opt2.zero_grad()
        loss = (((Tensor(x) @ w2).tanh() - Tensor(y)) ** 2).mean()
        loss.backward()
        return loss
    for _ in range(2):
        opt2.step(closure)
    assert np.array_equal(w2.numpy(), full.numpy())
