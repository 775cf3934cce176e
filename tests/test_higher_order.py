"""Higher-order gradients: create_graph, second and third derivatives, HVPs and gradient penalties vs torch."""
from __future__ import annotations

import numpy as np
import pytest

import autograd
from autograd import Tensor


def _x(*values, grad=True):
    return Tensor(np.array(values, dtype=np.float64), requires_grad=grad)


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


def test_hessian_vector_product_matches_torch(torch):
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


def test_gradient_penalty_matches_torch(torch):
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
