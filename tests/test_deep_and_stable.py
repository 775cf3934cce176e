"""Deep graphs (no recursion, freed saved arrays) and numerical stability at +-1000 and at kinks."""
from __future__ import annotations

import numpy as np
import pytest

import autograd
from autograd import Graph, Tensor


def _x(*values, grad=True):
    return Tensor(np.array(values, dtype=np.float64), requires_grad=grad)


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
    assert type(x.grad.numpy()) is np.ndarray
    np.testing.assert_allclose(x.grad.data, 2 * (2.0 ** x.data * np.log(2) + 3.0 ** x.data * np.log(3)))


def test_conv_and_batchnorm_free_what_they_keep_after_backward():
    """saved_bytes counts what primitives keep on themselves too (conv's columns, BN's normalised input)."""
    import nn
    autograd.manual_seed(0)
    block = nn.Sequential(nn.Conv2d(2, 3, 3, padding=1), nn.BatchNorm2d(3), nn.ReLU())
    loss = block(Tensor(np.random.default_rng(0).standard_normal((2, 2, 5, 5)))).sum()
    graph_before = Graph.of(loss).stats()["saved_bytes"]
    cols = 2 * (2 * 3 * 3) * 25 * 8  # the im2col columns alone, float64
    assert graph_before >= cols
    loss.backward()
    assert Graph.of(loss).stats()["saved_bytes"] == 0
