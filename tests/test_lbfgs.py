"""optim.LBFGS against torch.optim.LBFGS: the same closure calls (every loss it evaluates), the same iterates,
with and without the strong-Wolfe line search; torch's documentation's closure loop; state_dict resume."""
import numpy as np
import pytest

import nn
import optim
from autograd import Tensor


def _rosenbrock(p):
    x, y = p[0], p[1]
    return (1 - x) ** 2 + 100 * (y - x * x) ** 2


def _mlp_loss(params, x, y):
    w1, b1, w2, b2 = params
    h = (x @ w1 + b1).tanh()
    return ((h @ w2 + b2 - y) ** 2).mean()


def _mlp_data():
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((32, 3)), rng.standard_normal((32, 2))
    init = [rng.standard_normal((3, 8)) * 0.5, np.zeros(8), rng.standard_normal((8, 2)) * 0.5, np.zeros(2)]
    return x, y, init


def _numpy_rosenbrock(v):
    """f and its gradient in plain NumPy: both libraries then see bit-identical closures."""
    x, y = v
    return (1 - x) ** 2 + 100 * (y - x * x) ** 2, np.array([-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)])


def _optimize(make, module, problem, kw, steps):
    """Every loss the closure computes, the step() return values, the final parameters, the optimizer."""
    if problem == "numpy":
        params = [make(np.array([-1.2, 1.0]))]
        opt = module.LBFGS(params, **kw)
        seen = []

        def oracle():
            f, g = _numpy_rosenbrock(np.array(params[0].detach().numpy()))
            params[0].grad = make(g, False)
            seen.append(f)
            return make(np.array(f), False)
        returned = [float(opt.step(oracle)) for _ in range(steps)]
        return seen, returned, [np.array(params[0].detach().numpy())], opt
    if problem == "rosenbrock":
        params = [make(np.array([-1.5, 2.0]))]

        def f():
            return _rosenbrock(params[0])
    else:
        x, y, init = _mlp_data()
        xt, yt = make(x, False), make(y, False)
        params = [make(v) for v in init]

        def f():
            return _mlp_loss(params, xt, yt)
    opt = module.LBFGS(params, **kw)
    seen = []

    def closure():
        opt.zero_grad()
        loss = f()
        loss.backward()
        seen.append(float(loss.detach()))
        return loss

    returned = [float(opt.step(closure).detach()) for _ in range(steps)]
    return seen, returned, [np.array(p.detach().numpy()) for p in params], opt


# NOTE: torch's dot (BLAS) and its fused ``add_(x, alpha=)`` round differently from NumPy's in the last bit, and
# the two autograds' forward / backward differ by ulps; on Rosenbrock's curved valley L-BFGS amplifies that
# (about 10x per few iterations). So: the first 32 evaluations agree to 1e-10, all of them to 1e-5, and the
# counts of evaluations and iterations exactly. The "numpy" runs give both optimizers bit-identical closures.
CASES = [
    ("rosenbrock", dict(), 1),
    ("rosenbrock", dict(line_search_fn="strong_wolfe"), 3),
    ("rosenbrock", dict(lr=0.5, max_iter=7, history_size=3, line_search_fn="strong_wolfe"), 3),
    ("rosenbrock", dict(lr=0.1, max_iter=5, max_eval=6, tolerance_change=1e-12), 5),
    ("mlp", dict(line_search_fn="strong_wolfe"), 4),
    ("mlp", dict(lr=0.5, history_size=4), 2),
    ("mlp", dict(max_iter=10, history_size=5, line_search_fn="strong_wolfe", tolerance_grad=1e-5), 5),
    ("numpy", dict(), 5),
    ("numpy", dict(line_search_fn="strong_wolfe"), 5),
    ("numpy", dict(lr=0.8, max_iter=9, history_size=2, line_search_fn="strong_wolfe"), 8),
    ("numpy", dict(lr=0.3, max_iter=6, max_eval=4, history_size=3, line_search_fn="strong_wolfe"), 8),
]


@pytest.mark.parametrize("problem,kw,steps", CASES, ids=[f"{p}-{kw}" for p, kw, _ in CASES])
def test_same_closure_calls_and_iterates_as_torch(problem, kw, steps, torch):
    seen, returned, params, opt = _optimize(lambda v, g=True: Tensor(v.copy(), requires_grad=g), optim, problem,
                                            kw, steps)
    tseen, treturned, tparams, topt = _optimize(lambda v, g=True: torch.tensor(v, requires_grad=g), torch.optim,
                                                problem, kw, steps)
    assert len(seen) == len(tseen) > steps
    np.testing.assert_allclose(seen[:32], tseen[:32], rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(seen, tseen, rtol=1e-5, atol=1e-12)
    np.testing.assert_allclose(returned, treturned, rtol=1e-5, atol=1e-12)
    for p, tp in zip(params, tparams):
        np.testing.assert_allclose(p, tp, rtol=1e-5, atol=1e-8)
    state, tstate = opt.state[opt.param_groups[0]["params"][0]], topt.state[topt.param_groups[0]["params"][0]]
    assert state["func_evals"] == tstate["func_evals"] and state["n_iter"] == tstate["n_iter"]
    assert len(state["old_dirs"]) == len(tstate["old_dirs"]) <= kw.get("history_size", 100)


def test_docs_closure_example_with_modules(torch):
    """torch.optim's documentation: ``for input, target in dataset: ... optimizer.step(closure)`` (float64)."""
    rng = np.random.default_rng(1)
    init = [rng.standard_normal(s) * 0.5 for s in [(6, 4), (6,), (1, 6), (1,)]]
    dataset = [(rng.standard_normal((16, 4)), rng.standard_normal((16, 1))) for _ in range(3)]
    results = []
    for lib, opt_mod in ((nn, optim), (torch.nn, torch.optim)):
        model = lib.Sequential(lib.Linear(4, 6), lib.Tanh(), lib.Linear(6, 1)).double()
        for p, v in zip(model.parameters(), init):
            p.data[...] = v if lib is nn else torch.tensor(v)
        loss_fn = lib.MSELoss()
        optimizer = opt_mod.LBFGS(model.parameters(), line_search_fn="strong_wolfe")
        losses = []
        for input, target in dataset:
            input, target = (Tensor(input), Tensor(target)) if lib is nn else (torch.tensor(input),
                                                                               torch.tensor(target))

            def closure():
                optimizer.zero_grad()
                output = model(input)
                loss = loss_fn(output, target)
                loss.backward()
                return loss
            losses.append(float(optimizer.step(closure).detach()))
        results.append((losses, [np.array(p.detach().numpy()) for p in model.parameters()]))
    (ours, params), (theirs, tparams) = results
    np.testing.assert_allclose(ours, theirs, rtol=1e-10)
    for p, tp in zip(params, tparams):
        np.testing.assert_allclose(p, tp, rtol=1e-8, atol=1e-10)


def test_state_dict_resumes_bit_for_bit():
    kw = dict(max_iter=4, history_size=3, line_search_fn="strong_wolfe")
    mk = lambda v, g=True: Tensor(v.copy(), requires_grad=g)  # noqa: E731
    _, full, final, _ = _optimize(mk, optim, "mlp", kw, 6)
    _, first, _, opt = _optimize(mk, optim, "mlp", kw, 3)
    sd = opt.state_dict()
    x, y, _ = _mlp_data()
    params = [Tensor(p.numpy().copy(), requires_grad=True) for p in opt.param_groups[0]["params"]]
    opt.step(lambda: _mlp_loss(opt.param_groups[0]["params"], Tensor(x), Tensor(y)))  # moves on; sd is a copy
    fresh = optim.LBFGS(params, **kw)
    fresh.load_state_dict(sd)

    def closure():
        fresh.zero_grad()
        loss = _mlp_loss(params, Tensor(x), Tensor(y))
        loss.backward()
        return loss
    rest = [float(fresh.step(closure)) for _ in range(3)]
    assert first + rest == full
    assert all(np.array_equal(p.numpy(), f) for p, f in zip(params, final))


def test_edge_cases():
    p, q = Tensor(np.array([1.0, 2.0]), requires_grad=True), Tensor(np.array([3.0]), requires_grad=True)
    with pytest.raises(ValueError, match="parameter groups"):
        optim.LBFGS([{"params": [p]}, {"params": [q]}])
    opt = optim.LBFGS([p, q], line_search_fn="backtracking")
    with pytest.raises(ValueError, match="parameter groups"):
        opt.add_param_group({"params": [Tensor(np.zeros(1), requires_grad=True)]})

    def closure():  # q gets no gradient: it counts as zero and stays put
        opt.zero_grad()
        loss = (p * p).sum()
        loss.backward()
        return loss
    with pytest.raises(RuntimeError, match="strong_wolfe"):
        opt.step(closure)
    opt = optim.LBFGS([p, q])
    opt.step(closure)
    assert q.numpy()[0] == 3.0 and np.abs(p.numpy()).max() < 1e-6
    calls = opt.state[p]["func_evals"]
    opt.step(closure)  # already optimal: one evaluation, no iteration
    assert opt.state[p]["func_evals"] == calls + 1
