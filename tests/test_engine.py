"""The engine's behaviour: hooks, grad modes, retain_graph, autograd.grad, higher order, anomaly mode,
deep graphs and freeing, numerical stability, and gradcheck itself."""
from __future__ import annotations

import numpy as np
import pytest

import autograd
from autograd import Function, Graph, Tensor


def _x(*values, grad=True):
    return Tensor(np.array(values, dtype=np.float64), requires_grad=grad)


# ---- hooks ----------------------------------------------------------------------------------------
def test_hook_observes_gradient_without_changing_it():
    x = _x(1.0, 2.0, 3.0)
    y = x * x
    seen = []
    y.register_hook(lambda g: seen.append(g.data.copy()))
    (y * _x(1.0, 10.0, 100.0, grad=False)).sum().backward()
    assert len(seen) == 1
    np.testing.assert_array_equal(seen[0], [1.0, 10.0, 100.0])
    np.testing.assert_array_equal(x.grad.data, [2.0, 40.0, 600.0])


def test_hook_replaces_gradient_on_non_leaf_and_leaf():
    x = _x(1.0, 2.0)
    y = x * 3
    y.register_hook(lambda g: g * 10)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.data, [30.0, 30.0])

    z = _x(1.0, 2.0)
    z.register_hook(lambda g: g + 1)  # on a leaf: changes what lands in .grad
    (z * 2).sum().backward()
    np.testing.assert_array_equal(z.grad.data, [3.0, 3.0])


def test_hooks_chain_in_registration_order_and_remove():
    x = _x(1.0)
    y = x * 1.0
    calls = []

    def h1(g):
        calls.append("h1")
        return g * 2

    def h2(g):
        calls.append(("h2", g.item()))
        return g + 1

    r1 = y.register_hook(h1)
    y.register_hook(h2)
    y.backward(retain_graph=True)
    assert calls == ["h1", ("h2", 2.0)]
    assert x.grad.item() == 3.0
    r1.remove()
    r1.remove()  # removing twice is harmless
    calls.clear()
    x.grad = None
    y.backward()
    assert calls == [("h2", 1.0)]
    assert x.grad.item() == 2.0


def test_retain_grad_on_non_leaf():
    x = _x(1.0, 2.0)
    h = x * 2
    h.retain_grad()
    other = x * 3
    (h * h + other).sum().backward()
    np.testing.assert_array_equal(h.grad.data, 2 * h.data)
    assert other.grad is None  # not asked for
    np.testing.assert_array_equal(x.grad.data, 8 * x.data + 3)


# ---- accumulation, retain_graph, explicit gradients ------------------------------------------------
def test_grad_accumulates_across_backward_calls():
    x = _x(1.0, 2.0)
    (x * x).sum().backward()
    g1 = x.grad.data.copy()
    (x * x * x).sum().backward()
    np.testing.assert_array_equal(x.grad.data, g1 + 3 * x.data ** 2)
    x.grad = None
    (x * 5).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [5.0, 5.0])


def test_reused_node_accumulates_within_one_backward():
    x = _x(3.0)
    y = x * x
    z = y + y * y + y.exp() * 0  # y is used three times
    z.backward()
    assert x.grad.item() == pytest.approx(2 * 3 + 4 * 27)


def test_second_backward_without_retain_graph_raises():
    x = _x(1.0, 2.0)
    y = (x.exp() * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match=r"second time.*retain_graph=True"):
        y.backward()


def test_retain_graph_allows_a_second_backward():
    x = _x(1.0, 2.0)
    y = (x.exp() * x).sum()
    y.backward(retain_graph=True)
    g = x.grad.data.copy()
    y.backward()
    np.testing.assert_allclose(x.grad.data, 2 * g)
    np.testing.assert_allclose(g, np.exp(x.data) * (1 + x.data))


def test_backward_with_explicit_gradient():
    x = _x(1.0, 2.0, 3.0)
    y = x * x
    y.backward(gradient=Tensor(np.array([1.0, 0.5, -1.0])))
    np.testing.assert_array_equal(x.grad.data, [2.0, 2.0, -6.0])
    x.grad = None
    (x * 2).backward(np.array([1.0, 1.0, 2.0]))
    np.testing.assert_array_equal(x.grad.data, [2.0, 2.0, 4.0])


def test_backward_on_non_scalar_without_gradient_raises():
    y = _x(1.0, 2.0) * 2
    with pytest.raises(RuntimeError, match=r"shape \(2,\).*needs a gradient"):
        y.backward()


def test_backward_through_int_and_constant_inputs():
    x = _x(1.0, 2.0)
    idx = Tensor(np.array([1, 1, 0]))
    c = Tensor(np.array([2.0, 3.0]))
    (x[idx] * 2).sum().backward()
    (x * c).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [2.0 + 2.0, 4.0 + 3.0])
    assert c.grad is None and idx.grad is None


# ---- grad modes -----------------------------------------------------------------------------------
def test_no_grad_context():
    x = _x(1.0)
    with autograd.no_grad():
        y = x * 2
        assert not autograd.is_grad_enabled()
        with autograd.enable_grad():
            z = x * 2
    assert autograd.is_grad_enabled()
    assert not y.requires_grad and y.grad_fn is None
    assert z.requires_grad and z.grad_fn is not None


def test_no_grad_restores_after_exception():
    with pytest.raises(KeyError):
        with autograd.no_grad():
            raise KeyError
    assert autograd.is_grad_enabled()


def test_no_grad_and_enable_grad_as_decorators():
    x = _x(1.0)

    @autograd.no_grad()
    def f(t):
        return t * 2

    @autograd.no_grad
    def f_bare(t):
        return t * 2

    @autograd.enable_grad()
    def g(t):
        return t * 2

    for _ in range(2):  # a decorator is reusable
        assert not f(x).requires_grad
        assert not f_bare(x).requires_grad
        with autograd.no_grad():
            assert g(x).requires_grad
    assert autograd.is_grad_enabled()


def test_set_grad_enabled_as_call_context_and_decorator():
    x = _x(1.0)
    autograd.set_grad_enabled(False)
    try:
        assert not autograd.is_grad_enabled()
        assert not (x * 2).requires_grad
    finally:
        autograd.set_grad_enabled(True)
    assert autograd.is_grad_enabled() and (x * 2).requires_grad

    with autograd.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    assert autograd.is_grad_enabled()

    with autograd.no_grad():
        with autograd.set_grad_enabled(True):
            assert (x * 2).requires_grad
        assert not autograd.is_grad_enabled()

    @autograd.set_grad_enabled(False)
    def f(t):
        return t * 2

    assert autograd.is_grad_enabled(), "decorating must not change the grad mode"
    for _ in range(2):
        assert not f(x).requires_grad
        assert autograd.is_grad_enabled()


# ---- autograd.grad --------------------------------------------------------------------------------
def test_grad_does_not_touch_dot_grad():
    x, w = _x(1.0, 2.0), _x(3.0, 4.0)
    y = (x * w).sum()
    gx, gw = autograd.grad(y, [x, w])
    np.testing.assert_array_equal(gx.data, w.data)
    np.testing.assert_array_equal(gw.data, x.data)
    assert x.grad is None and w.grad is None
    assert not gx.requires_grad


def test_grad_single_input_and_grad_outputs():
    x = _x(1.0, 2.0)
    (g,) = autograd.grad(x * x, x, grad_outputs=Tensor(np.array([1.0, -1.0])))
    np.testing.assert_array_equal(g.data, [2.0, -4.0])


def test_grad_allow_unused():
    x, z = _x(1.0), _x(2.0)
    gx, gz = autograd.grad((x * 3).sum(), [x, z], allow_unused=True)
    assert gx.item() == 3.0 and gz is None


def test_grad_of_intermediate():
    x = _x(2.0)
    h = x * x
    y = h.exp()
    (gh,) = autograd.grad(y, [h])
    assert gh.item() == pytest.approx(np.exp(4.0))


def test_grad_create_graph():
    x = _x(1.5)
    (g,) = autograd.grad(x ** 3, [x], create_graph=True)
    assert g.requires_grad
    assert g.item() == pytest.approx(3 * 1.5 ** 2)
    g.backward()
    assert x.grad.item() == pytest.approx(6 * 1.5)


def test_grad_runs_hooks_and_multiple_outputs():
    x = _x(1.0, 2.0)
    x.register_hook(lambda g: g * 10)
    y1, y2 = (x * x).sum(), (x * 3).sum()
    (g,) = autograd.grad([y1, y2], [x])
    np.testing.assert_array_equal(g.data, 10 * (2 * x.data + 3))
    assert x.grad is None


def test_backward_of_several_outputs_and_of_a_leaf():
    x = _x(1.0, 2.0)
    autograd.backward([x * 2, (x * x).sum()], [np.array([1.0, -1.0]), None])
    np.testing.assert_array_equal(x.grad.data, [2.0 + 2.0, -2.0 + 4.0])
    leaf = _x(5.0, 6.0)
    leaf.backward(np.array([0.5, 2.0]))
    np.testing.assert_array_equal(leaf.grad.data, [0.5, 2.0])


def test_backward_create_graph_makes_grad_differentiable():
    x = _x(0.5, 2.0)
    (x ** 3).sum().backward(create_graph=True)
    assert x.grad.requires_grad
    np.testing.assert_allclose(x.grad.data, 3 * x.data ** 2)
    (h,) = autograd.grad(x.grad.sum(), [x])
    np.testing.assert_allclose(h.data, 6 * x.data)


# ---- higher order ---------------------------------------------------------------------------------
def test_tanh_second_derivative():
    x = Tensor(np.linspace(-3, 3, 13), requires_grad=True)
    (d1,) = autograd.grad(x.tanh().sum(), [x], create_graph=True)
    (d2,) = autograd.grad(d1.sum(), [x])
    t = np.tanh(x.data)
    np.testing.assert_allclose(d1.data, 1 - t ** 2, rtol=1e-12)
    np.testing.assert_allclose(d2.data, -2 * t * (1 - t ** 2), rtol=1e-10, atol=1e-14)


def test_third_derivative_of_x4():
    x = _x(-1.0, 0.5, 2.0)
    (d1,) = autograd.grad((x ** 4).sum(), [x], create_graph=True)
    (d2,) = autograd.grad(d1.sum(), [x], create_graph=True)
    (d3,) = autograd.grad(d2.sum(), [x], create_graph=True)
    d3.sum().backward()
    np.testing.assert_allclose(d1.data, 4 * x.data ** 3)
    np.testing.assert_allclose(d2.data, 12 * x.data ** 2)
    np.testing.assert_allclose(d3.data, 24 * x.data)
    np.testing.assert_allclose(x.grad.data, [24.0] * 3)


def _mlp_params(rng):
    return {"W1": rng.standard_normal((3, 5)), "b1": rng.standard_normal(5),
            "W2": rng.standard_normal((5, 2)), "b2": rng.standard_normal(2)}


def _mlp_loss(lib, x, p):
    h = (x @ p["W1"] + p["b1"]).tanh()
    o = h @ p["W2"] + p["b2"]
    return (o.sigmoid() * o).mean() + lib.logsumexp(o, 1).mean()


def test_hessian_vector_product_matches_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    p_np, x_np = _mlp_params(rng), rng.standard_normal((4, 3))
    v_np = {k: rng.standard_normal(a.shape) for k, a in p_np.items()}
    names = list(p_np)

    p = {k: Tensor(a, requires_grad=True) for k, a in p_np.items()}
    loss = _mlp_loss(autograd, Tensor(x_np), p)
    gs = autograd.grad(loss, [p[k] for k in names], create_graph=True)
    gv = sum((g * Tensor(v_np[k])).sum() for g, k in zip(gs, names))
    hv = autograd.grad(gv, [p[k] for k in names])

    tp = {k: torch.tensor(a, requires_grad=True) for k, a in p_np.items()}
    tloss = _mlp_loss(torch, torch.tensor(x_np), tp)
    _, thv = torch.autograd.functional.hvp(
        lambda *ps: _mlp_loss(torch, torch.tensor(x_np), dict(zip(names, ps))),
        tuple(tp[k] for k in names), tuple(torch.tensor(v_np[k]) for k in names))
    assert loss.item() == pytest.approx(tloss.item(), rel=1e-12)
    for k, a, b in zip(names, hv, thv):
        np.testing.assert_allclose(a.data, b.numpy(), rtol=1e-7, atol=1e-10, err_msg=k)


def test_gradient_penalty_matches_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    p_np, x_np = _mlp_params(rng), rng.standard_normal((4, 3))

    p = {k: Tensor(a, requires_grad=True) for k, a in p_np.items()}
    x = Tensor(x_np, requires_grad=True)
    loss = _mlp_loss(autograd, x, p)
    (gx,) = autograd.grad(loss, [x], create_graph=True)
    total = loss + (gx * gx).sum()
    total.backward()

    tp = {k: torch.tensor(a, requires_grad=True) for k, a in p_np.items()}
    tx = torch.tensor(x_np, requires_grad=True)
    tloss = _mlp_loss(torch, tx, tp)
    (tgx,) = torch.autograd.grad(tloss, [tx], create_graph=True)
    (tloss + (tgx * tgx).sum()).backward()

    assert total.item() == pytest.approx((tloss + (tgx * tgx).sum()).item(), rel=1e-12)
    np.testing.assert_allclose(x.grad.data, tx.grad.numpy(), rtol=1e-8, atol=1e-12)
    for k in p:
        np.testing.assert_allclose(p[k].grad.data, tp[k].grad.numpy(), rtol=1e-8, atol=1e-12, err_msg=k)


# ---- anomaly mode ---------------------------------------------------------------------------------
def test_anomaly_forward_nan_names_op_scope_shapes_and_line():
    x = Tensor(np.array([[1.0, -1.0, 2.0]]), requires_grad=True)
    with autograd.detect_anomaly():
        with autograd.scope("enc"):
            with pytest.raises(autograd.AnomalyError) as info:
                x.log()  # the line the error must point at
    msg = str(info.value)
    assert "forward of Log produced NaN" in msg
    assert "scope enc" in msg
    assert "(1, 3)" in msg
    assert "test_engine.py" in msg and "x.log()" in msg


def test_anomaly_backward_inf_names_op():
    x = Tensor(np.array([0.0, 4.0]), requires_grad=True)
    with autograd.detect_anomaly():
        y = x.sqrt().sum()  # sqrt'(0) = inf
        with pytest.raises(autograd.AnomalyError) as info, np.errstate(divide="ignore"):
            y.backward()
    msg = str(info.value)
    assert "backward of Sqrt produced inf" in msg
    assert "(2,)" in msg
    assert "test_engine.py" in msg and "x.sqrt()" in msg


def test_anomaly_backward_nan_from_upstream_nan_gradient():
    x = Tensor(np.array([0.0]), requires_grad=True)
    with autograd.detect_anomaly():
        y = (x.sqrt() * 0.0).sum()  # inf * 0 -> nan in Sqrt's backward
        with pytest.raises(autograd.AnomalyError, match="backward of Sqrt produced (NaN|inf)"), \
                np.errstate(all="ignore"):
            y.backward()


def test_no_anomaly_outside_anomaly_mode():
    x = Tensor(np.array([-1.0, 0.0]), requires_grad=True)
    with np.errstate(all="ignore"):
        y = x.log()
        z = x.sqrt().sum()
        z.backward()
    assert np.isnan(y.data[0]) and np.isinf(x.grad.data[1])
    assert not autograd.mode.STATE.anomaly


def test_anomaly_mode_does_not_change_results():
    x = Tensor(np.array([0.5, 1.5]), requires_grad=True)
    with autograd.detect_anomaly():
        y = (x.log() * x.tanh()).sum()
        y.backward()
    g = x.grad.data.copy()
    x.grad = None
    (x.log() * x.tanh()).sum().backward()
    np.testing.assert_array_equal(g, x.grad.data)


# ---- deep graphs and freeing ----------------------------------------------------------------------
def test_chain_of_100k_ops():
    x = Tensor(np.array(0.5), requires_grad=True)
    y = x
    for i in range(50_000):
        y = y * 1.0
        y = y + 0.0
    y = y * 3.0
    y.backward(retain_graph=True)
    assert x.grad.item() == 3.0
    g = Graph.of(y)
    assert len(g) == 100_002
    assert g.depth() == 100_001
    assert g.stats()["ops"] == {"Mul": 50_001, "Add": 50_000}
    assert g[0].op == "Parameter" and g.outputs == [100_001]


def test_saved_arrays_freed_after_backward():
    rng = np.random.default_rng(0)
    w = Tensor(rng.standard_normal((8, 4)), requires_grad=True)
    x = Tensor(rng.standard_normal((16, 8)))
    loss = ((x @ w).tanh() * (x @ w).sigmoid()).log_softmax(axis=1).mean()
    before = Graph.of(loss).stats()["saved_bytes"]
    assert before > 0
    loss.backward(retain_graph=True)
    assert Graph.of(loss).stats()["saved_bytes"] == before  # retained
    loss.backward()
    assert Graph.of(loss).stats()["saved_bytes"] == 0
    for n in Graph.of(loss):
        if not n.is_leaf:
            assert n.node.out is None and not n.node.inputs


# ---- stability ------------------------------------------------------------------------------------
def _naive_softmax(z):
    e = np.exp(z)
    return e / e.sum(-1, keepdims=True)


@pytest.mark.parametrize("v", [1000.0, -1000.0])
def test_softmax_family_stable_at_1000(v):
    a = np.array([[v, v - 1.0, -v, 0.0], [v, v, v, v]])
    w = np.array([[1.0, 2.0, 3.0, 4.0], [-1.0, 0.5, 2.0, 0.0]])
    shift = a - a.max(-1, keepdims=True)  # the naive formulas are exact on shifted inputs
    s_ref = _naive_softmax(shift)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        x = Tensor(a, requires_grad=True)
        s = x.softmax(axis=-1)
        (s * Tensor(w)).sum().backward()
        np.testing.assert_allclose(s.data, s_ref, atol=1e-15)
        np.testing.assert_allclose(x.grad.data, s_ref * (w - (w * s_ref).sum(-1, keepdims=True)), atol=1e-15)

        x.grad = None
        ls = x.log_softmax(axis=-1)
        (ls * Tensor(w)).sum().backward()
        ls_ref = shift - np.log(np.exp(shift).sum(-1, keepdims=True))
        np.testing.assert_allclose(ls.data, ls_ref, rtol=1e-12)
        np.testing.assert_allclose(x.grad.data, w - s_ref * w.sum(-1, keepdims=True), atol=1e-12)

        x.grad = None
        lse = x.logsumexp(axis=1)
        (lse * Tensor(np.array([1.0, 2.0]))).sum().backward()
        np.testing.assert_allclose(lse.data, a.max(-1) + np.log(np.exp(shift).sum(-1)), rtol=1e-12)
        np.testing.assert_allclose(x.grad.data, s_ref * np.array([[1.0], [2.0]]), atol=1e-15)


def test_sigmoid_stable_at_1000():
    x = Tensor(np.array([1000.0, -1000.0, 0.0, 30.0, -30.0]), requires_grad=True)
    with np.errstate(over="raise", invalid="raise"):
        s = x.sigmoid()
        s.sum().backward()
    np.testing.assert_allclose(s.data, [1.0, 0.0, 0.5, 1 / (1 + np.exp(-30)), np.exp(-30) / (1 + np.exp(-30))],
                               rtol=1e-12)
    np.testing.assert_allclose(x.grad.data, s.data * (1 - s.data), rtol=1e-12)
    assert np.isfinite(x.grad.data).all()
    assert s.data[1] > 0 or s.data[1] == 0.0  # not -0 noise, not nan


def test_float32_stability_at_1000():
    x = Tensor(np.array([1000.0, -1000.0, 0.0], dtype=np.float32), requires_grad=True)
    out = x.softmax() + x.log_softmax() + x.logsumexp() + x.sigmoid()
    out.sum().backward()
    assert out.dtype == np.float32 and x.grad.dtype == np.float32
    assert np.isfinite(out.data).all() and np.isfinite(x.grad.data).all()


def test_kinks_are_masks():
    x = _x(0.0, -0.0, 1.0, -2.0)
    x.relu().sum().backward()
    np.testing.assert_array_equal(x.grad.data, [0.0, 0.0, 1.0, 0.0])
    x.grad = None
    x.abs().sum().backward()
    np.testing.assert_array_equal(x.grad.data, [0.0, 0.0, 1.0, -1.0])
    x.grad = None
    y = _x(0.0)
    (y.relu() * y.abs()).backward()
    assert y.grad.item() == 0.0 and np.isfinite(y.grad.data).all()


def test_pow_exponent_gradient_at_zero_base_is_finite():
    a, b = _x(0.0, 2.0), _x(2.0, 3.0)
    (a ** b).sum().backward()
    np.testing.assert_allclose(b.grad.data, [0.0, 8 * np.log(2.0)])
    np.testing.assert_allclose(a.grad.data, [0.0, 12.0])


def test_scalar_base_pow_twice():
    x = _x(1.0, 2.0)
    for _ in range(2):
        (2.0 ** x + 3.0 ** x).sum().backward()
    assert type(x.grad.data) is np.ndarray
    np.testing.assert_allclose(x.grad.data, 2 * (2.0 ** x.data * np.log(2) + 3.0 ** x.data * np.log(3)))


# ---- gradcheck ------------------------------------------------------------------------------------
def test_gradcheck_passes_for_correct_functions():
    rng = np.random.default_rng(0)
    a = Tensor(rng.standard_normal((3, 4)), requires_grad=True)
    b = Tensor(rng.standard_normal(4), requires_grad=True)
    assert autograd.gradcheck(lambda a, b: ((a * b).tanh() @ b).softmax(), [a, b]) is True
    assert autograd.gradcheck(lambda a: a.var(axis=0), a) is True


class _WrongSquare(Function):
    """x**2 with a wrong backward (g*x instead of 2*g*x); deliberately not registered."""

    def forward(self, x):
        return x * x

    def backward(self, g, out, x):
        return (g * x,)


class _WrongSecond(Function):
    """a*b whose gradient for b is wrong by a constant; deliberately not registered."""

    def forward(self, a, b):
        return a * b

    def backward(self, g, out, a, b):
        return g * b, g * a + 1.0


def test_gradcheck_catches_a_wrong_primitive():
    assert "_WrongSquare" not in autograd.REGISTRY
    x = Tensor(np.array([0.1, -0.2, 3.0]), requires_grad=True)
    with pytest.raises(autograd.GradcheckError,
                       match=r"input 0 \(shape \(3,\)\) is wrong; worst element \(2,\): analytic (\S+) vs numeric"):
        autograd.gradcheck(lambda t: _WrongSquare.apply(t).sum(), [x])
    assert autograd.gradcheck(lambda t: _WrongSquare.apply(t).sum(), [x], raise_exception=False) is False


def test_gradcheck_names_the_wrong_input():
    a = Tensor(np.ones((2, 2)), requires_grad=True)
    b = Tensor(np.ones((2, 2)), requires_grad=True)
    c = Tensor(np.ones((2, 2)))  # a constant input is skipped
    with pytest.raises(autograd.GradcheckError, match=r"input 2 \(shape \(2, 2\)\)"):
        autograd.gradcheck(lambda c, a, b: _WrongSecond.apply(a, b) + c, [c, a, b])


def test_gradcheck_error_reports_analytic_and_numeric_values():
    x = Tensor(np.array([3.0]), requires_grad=True)
    with pytest.raises(autograd.GradcheckError) as info:
        autograd.gradcheck(lambda t: _WrongSquare.apply(t), [x])
    msg = str(info.value)
    analytic = float(msg.split("analytic ")[1].split(" vs")[0])
    numeric = float(msg.split("numeric ")[1].split(" ")[0])
    assert numeric == pytest.approx(2 * analytic, rel=1e-6)


def test_gradcheck_requires_float64():
    x = Tensor(np.ones(3, dtype=np.float32), requires_grad=True)
    with pytest.raises(ValueError, match=r"input 0 has dtype float32.*float64"):
        autograd.gradcheck(lambda t: t * 2, [x])
    with pytest.raises(ValueError, match="no input requires grad"):
        autograd.gradcheck(lambda t: t * 2, [Tensor(np.ones(2))])


def test_requires_grad_after_use_as_constant_does_not_reach_old_graphs():
    """A graph recorded while x was a constant gives x no gradient after x.requires_grad_() (as in PyTorch)."""
    w = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    x = Tensor(np.array([3.0, 4.0]))
    old = (w * x).sum()
    x.requires_grad_()
    new = (w * x).sum()
    old.backward()
    assert x.grad is None
    new.backward()
    np.testing.assert_allclose(x.grad.data, [1.0, 2.0])


def test_grad_walks_only_the_paths_to_its_inputs():
    """autograd.grad w.r.t. an intermediate does not run the backward of ops below it."""
    calls = []
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    h = x.exp()
    h.register_hook(lambda g: calls.append("h"))
    x.register_hook(lambda g: calls.append("x"))
    y = (h * h).sum()
    (gh,) = autograd.grad(y, [h])
    np.testing.assert_allclose(gh.data, 2 * np.exp([1.0, 2.0]))
    assert calls == ["h"]  # the walk stopped at h: x's hook never ran
    assert x.grad is None


def test_weight_gradient_has_the_weights_memory_layout():
    """In x @ W.T the gradient of W comes back C-ordered like W (optimizers run ~5x slower on mixed layouts)."""
    W = Tensor(np.random.default_rng(0).standard_normal((5, 4)), requires_grad=True)
    x = Tensor(np.random.default_rng(1).standard_normal((3, 4)), requires_grad=True)
    (x @ W.T).tanh().sum().backward()
    assert W.grad.data.flags.c_contiguous and x.grad.data.flags.c_contiguous
    expected = (1 - np.tanh(x.data @ W.data.T) ** 2).T @ x.data
    np.testing.assert_allclose(W.grad.data, expected)


def test_leaf_gradients_never_alias_each_other_or_the_callers_arrays():
    """Gradients are adopted without a copy only when nobody else holds them."""
    x = Tensor(np.ones(3), requires_grad=True)
    y = Tensor(np.ones(3), requires_grad=True)
    (x + y).sum().backward()                     # Add hands the same array to both
    assert not np.shares_memory(x.grad.data, y.grad.data)
    x.grad.data *= 2
    np.testing.assert_allclose(y.grad.data, 1.0)
    seed = np.full(3, 5.0)
    z = Tensor(np.ones(3), requires_grad=True)
    z.backward(seed)                              # the caller's gradient is copied, not adopted
    z.grad.data += 1
    np.testing.assert_allclose(seed, 5.0)
    h = Tensor(np.ones(2), requires_grad=True)
    m = h * 1.0
    m.retain_grad()
    (m * 3.0).sum().backward()
    assert not np.shares_memory(m.grad.data, h.grad.data)
