"""Parity with PyTorch on composite expressions, float64: values and the gradient of every leaf.

Each case is written once against a small namespace (``lib``) that is either tracegrad or torch,
so both sides run the very same expression.
"""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

import autograd
from autograd import Tensor

RTOL, ATOL = 1e-9, 1e-12


def _torch_pad(torch, x, widths):
    """NumPy-style ((before, after), ...) per dimension -> torch's flat list, last dimension first."""
    flat = []
    for b, a in reversed(widths):
        flat += [b, a]
    return torch.nn.functional.pad(x, flat)


OURS = SimpleNamespace(
    name="tracegrad", tensor=lambda a, g=False: Tensor(a, requires_grad=g),
    amax=lambda x, dim=None, keepdim=False: x.amax(axis=dim, keepdims=keepdim),
    amin=lambda x, dim=None, keepdim=False: x.amin(axis=dim, keepdims=keepdim),
    pad=lambda x, w: x.pad(w), maximum=autograd.maximum, minimum=autograd.minimum, where=autograd.where,
    softmax=autograd.softmax, log_softmax=autograd.log_softmax, logsumexp=autograd.logsumexp,
    cat=autograd.cat, stack=autograd.stack, tanh=autograd.tanh, exp=autograd.exp, relu=autograd.relu,
    sigmoid=autograd.sigmoid,
)
def theirs_namespace(torch):
    """The torch counterpart of ``OURS``, built from the ``torch`` fixture."""
    return SimpleNamespace(
        name="torch", tensor=lambda a, g=False: torch.tensor(a, requires_grad=g),
        amax=lambda x, dim=None, keepdim=False: torch.amax(x, dim=tuple(range(x.ndim)) if dim is None else dim,
                                                          keepdim=keepdim),
        amin=lambda x, dim=None, keepdim=False: torch.amin(x, dim=tuple(range(x.ndim)) if dim is None else dim,
                                                          keepdim=keepdim),
        pad=lambda x, w: _torch_pad(torch, x, w), maximum=torch.maximum, minimum=torch.minimum, where=torch.where,
        softmax=torch.softmax, log_softmax=torch.log_softmax, logsumexp=torch.logsumexp,
        cat=torch.cat, stack=torch.stack, tanh=torch.tanh, exp=torch.exp, relu=torch.relu, sigmoid=torch.sigmoid,
    )


def check(torch, fn, *arrays, rtol=RTOL, atol=ATOL, seed=0):
    """Run ``fn(lib, *leaves)`` in both libraries; backprop the same random cotangent; compare."""
    THEIRS = theirs_namespace(torch)
    ours = [OURS.tensor(a, True) for a in arrays]
    theirs = [THEIRS.tensor(a, True) for a in arrays]
    out, tout = fn(OURS, *ours), fn(THEIRS, *theirs)
    assert out.shape == tuple(tout.shape)
    assert out.dtype == np.float64
    np.testing.assert_allclose(out.data, tout.detach().numpy(), rtol=rtol, atol=atol, err_msg="value")
    w = np.random.default_rng(seed).standard_normal(out.shape)
    (out * Tensor(w)).sum().backward()
    (tout * torch.tensor(w)).sum().backward()
    for i, (a, b) in enumerate(zip(ours, theirs)):
        if b.grad is None:
            assert a.grad is None or not np.any(a.grad.data), f"leaf {i}: torch has no gradient"
            continue
        assert a.grad is not None, f"leaf {i}: no gradient"
        assert a.grad.shape == a.shape and a.grad.dtype == np.float64
        np.testing.assert_allclose(a.grad.data, b.grad.numpy(), rtol=rtol, atol=atol, err_msg=f"grad of leaf {i}")


def rnd(*shape, seed=0, low=None, high=None):
    r = np.random.default_rng(seed + 17 * len(shape) + sum(shape))
    if low is not None:
        return r.uniform(low, high, size=shape)
    return r.standard_normal(shape)


# ---- composite networks -----------------------------------------------------------------------------
def test_mlp_chain(torch):
    def mlp(L, x, W1, b1, W2, b2, W3):
        h = L.relu(x @ W1 + b1)
        h = L.tanh(h @ W2 + b2) * h.sigmoid().sum(1, keepdim=True)
        logits = h @ W3
        return (L.log_softmax(logits, -1) * L.softmax(logits * 0.5, -1)).sum(-1).mean()

    check(torch, mlp, rnd(8, 3), rnd(3, 16, seed=1), rnd(16, seed=2), rnd(16, 16, seed=3), rnd(16, seed=4),
          rnd(16, 5, seed=5))


def test_scalar_neuron_graph(torch):
    def neuron(L, x1, x2, w1, w2, b):
        n = x1 * w1 + x2 * w2 + b
        return ((2 * n).exp() - 1) / ((2 * n).exp() + 1) + n.tanh() ** 2

    check(torch, neuron, np.array(2.0), np.array(0.0), np.array(-3.0), np.array(1.0), np.array(6.8813735870195432))


def test_cross_entropy_like_loss_with_integer_labels(torch):
    labels = np.array([0, 3, 1, 1, 2])

    def ce(L, logits, W):
        z = logits @ W
        picked = L.log_softmax(z, 1)[np.arange(5), labels]
        return -picked.mean() + 0.01 * (W * W).sum()

    check(torch, ce, rnd(5, 6), rnd(6, 4, seed=1))


# ---- the softmax family and statistics -------------------------------------------------------------
@pytest.mark.parametrize("axis", [0, 1, -1])
def test_softmax_family(axis, torch):
    check(torch, lambda L, x: L.softmax(x, axis) * L.log_softmax(x * 2, axis) + L.logsumexp(x, axis, keepdim=True),
          rnd(3, 4, 5))


def test_logsumexp_no_keepdim_and_all_axes(torch):
    check(torch, lambda L, x: L.logsumexp(x, 1) + L.logsumexp(x, (0, 1)), rnd(4, 3))


@pytest.mark.parametrize("case", [
    lambda L, x: x.var(dim=0), lambda L, x: x.var(dim=1, correction=0), lambda L, x: x.var(),
    lambda L, x: x.std(dim=1), lambda L, x: x.std(), lambda L, x: x.mean(dim=(0, 2), keepdim=True),
    lambda L, x: (x - x.mean(dim=-1, keepdim=True)) / (x.var(dim=-1, keepdim=True, correction=0) + 1e-5).sqrt(),
])
def test_mean_var_std(case, torch):
    check(torch, case, rnd(3, 4, 2))


# ---- max / min with ties ----------------------------------------------------------------------------
TIES = np.array([[1.0, 3.0, 3.0, -2.0], [2.0, 2.0, 2.0, 2.0], [-1.0, 0.5, -1.0, 0.5]])


@pytest.mark.parametrize("dim,keepdim", [(None, False), (0, False), (1, False), (1, True), ((0, 1), False)])
def test_max_min_with_ties(dim, keepdim, torch):
    check(torch, lambda L, x: L.amax(x, dim, keepdim) * 2 + L.amin(x, dim, keepdim), TIES)


def test_max_min_via_dim_aliases(torch):
    check(torch, lambda L, x: L.amax(x, 1) - L.amin(x * x, 0).sum(), TIES)


def test_maximum_minimum_with_ties(torch):
    a = np.array([1.0, 2.0, -3.0, 0.0, 5.0])
    b = np.array([1.0, 1.0, -3.0, 0.5, 5.0])
    check(torch, lambda L, a, b: L.maximum(a, b) * 3 + L.minimum(a, b), a, b)
    check(torch, lambda L, a, c: L.maximum(a, c) + L.minimum(c, a * 2), a, np.array(2.0))  # broadcast scalar


def test_relu_and_abs_at_zero(torch):
    x = np.array([0.0, -1.0, 2.0, 0.0])
    check(torch, lambda L, x: L.relu(x) + x.abs() * 2 + L.relu(x - x), x)


# ---- where, clip --------------------------------------------------------------------------------------
def test_where(torch):
    check(torch, lambda L, a, b: L.where(a > 0, a * 2, L.exp(b)) + L.where(a > b, a, b), rnd(3, 4), rnd(4, seed=1))


@pytest.mark.parametrize("lo,hi", [(-1.0, 0.5), (None, 0.5), (-1.0, None)])
def test_clip_at_boundaries(lo, hi, torch):
    x = np.array([-2.0, -1.0, -0.3, 0.0, 0.5, 0.7, 3.0])  # contains both boundaries exactly
    check(torch, lambda L, x: x.clip(lo, hi) * x + x.clamp(lo, hi), x)


# ---- shape ops --------------------------------------------------------------------------------------
def test_pad(torch):
    check(torch, lambda L, x: L.pad(x, ((1, 0), (2, 1))) * L.pad(x * x, ((0, 1), (0, 3))), rnd(2, 3))


def test_concatenate_and_stack(torch):
    def f(L, a, b, c):
        stacked = L.stack([c, c * 2, c.exp()], 0).sum(0).sum()
        return L.cat([a, b, a], 1).sum(0) + stacked + L.stack([a, b[:, :3]], 2)[0, 1, 1]

    check(torch, f, rnd(2, 3), rnd(2, 4, seed=1), rnd(5, seed=2))


def test_reshape_transpose_permute_flatten(torch):
    def f(L, x):
        y = x.permute(2, 0, 1).reshape(4, 6).transpose(0, 1)
        return y.mT.flatten() * x.flatten(1).reshape(-1) + x.unsqueeze(0).squeeze(0).sum(1).reshape(-1).sum()

    check(torch, f, rnd(2, 3, 4))


def test_indexing(torch):
    def f(L, x):
        return (x[[0, 2, 0]].sum(0) + x[:, 1:3].sum() + x[x > 0.0].sum() + x[None, ..., 1].sum()
                + x[1, [3, 3, 0]].sum())

    check(torch, f, rnd(3, 4))


# ---- matmul -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("sa,sb", [
    ((4,), (4,)), ((4,), (4, 3)), ((3, 4), (4,)), ((3, 4), (4, 2)), ((2, 3, 4), (4, 5)), ((3, 4), (2, 4, 5)),
    ((2, 1, 3, 4), (5, 4, 2)), ((4,), (3, 4, 2)), ((2, 3, 4), (4,)),
])
def test_matmul_shapes(sa, sb, torch):
    check(torch, lambda L, a, b: a @ b, rnd(*sa), rnd(*sb, seed=1))


def test_matmul_chain_with_shared_operand(torch):
    check(torch, lambda L, a, b: (a @ b @ a.mT).tanh() @ a, rnd(3, 4), rnd(4, 4, seed=1))


# ---- broadcasting arithmetic --------------------------------------------------------------------------
@pytest.mark.parametrize("sa,sb,sc", [((3, 1, 4), (2, 4), ()), ((4,), (3, 1), (1, 1)), ((), (), (5,)),
                                      ((2, 3, 1), (1, 3, 4), (4,))])
def test_broadcasting_arithmetic(sa, sb, sc, torch):
    def f(L, a, b, c):
        return (a + b) * c - b / (1.5 + c * c) + (a - c) ** 2 + (-b)

    check(torch, f, rnd(*sa), rnd(*sb, seed=1), rnd(*sc, seed=2))


def test_powers_and_transcendentals(torch):
    def f(L, a, b):
        return a ** b + a.sqrt() * a.log() + (2.0 ** b) + b.sin() * b.cos() + a ** 3 + 1 / a

    check(torch, f, rnd(3, 4, low=0.5, high=2.0), rnd(4, seed=1))


def test_float32_parity(torch):
    """float32 too, at float32 tolerance: dtypes stay float32 through the whole chain."""
    x_np, w_np = rnd(4, 3).astype(np.float32), rnd(3, 2, seed=1).astype(np.float32)
    x, w = Tensor(x_np, requires_grad=True), Tensor(w_np, requires_grad=True)
    tx, tw = torch.tensor(x_np, requires_grad=True), torch.tensor(w_np, requires_grad=True)
    y = autograd.log_softmax((x @ w).tanh() * 2.0, 1).sum()
    ty = torch.log_softmax((tx @ tw).tanh() * 2.0, 1).sum()
    y.backward()
    ty.backward()
    assert y.dtype == np.float32 and x.grad.dtype == np.float32 and w.grad.dtype == np.float32
    np.testing.assert_allclose(y.item(), ty.item(), rtol=1e-5)
    np.testing.assert_allclose(x.grad.data, tx.grad.numpy(), rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(w.grad.data, tw.grad.numpy(), rtol=1e-4, atol=1e-6)
