"""The engine's behaviour: hooks, retain_grad, accumulation, retain_graph, grad modes and autograd.grad."""
from __future__ import annotations

import numpy as np
import pytest

import autograd
from autograd import Tensor


def _x(*values, grad=True):
    return Tensor(np.array(values, dtype=np.float64), requires_grad=grad)


# ---- hooks ----------------------------------------------------------------------------------------
def test_hook_observes_gradient_without_changing_it():
    x = _x(1.0, 2.0, 3.0)
    y = x * x
    seen = []
    y.register_hook(lambda g: seen.append(g.numpy().copy()))
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
    g1 = x.grad.numpy().copy()
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
    g = x.grad.numpy().copy()
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
    assert W.grad.numpy().flags.c_contiguous and x.grad.numpy().flags.c_contiguous
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
