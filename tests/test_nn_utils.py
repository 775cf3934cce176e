"""Regularisation helpers and gradient clipping, against PyTorch where it has the function."""
from __future__ import annotations

import numpy as np
import pytest

import nn
from autograd import Tensor


def _params(rng, shapes=((4, 3), (4,), (2, 3, 2, 2))):
    return [nn.Parameter(rng.standard_normal(s) * 3) for s in shapes]


def test_l1_and_l2_penalties_and_their_gradients(rng):
    ps = _params(rng)
    l1, l2 = nn.utils.l1_penalty(ps), nn.utils.l2_penalty(ps)
    assert l1.item() == pytest.approx(sum(np.abs(p.data).sum() for p in ps))
    assert l2.item() == pytest.approx(sum((p.data ** 2).sum() for p in ps))
    (0.1 * l1 + 0.01 * l2).backward()
    for p in ps:
        np.testing.assert_allclose(p.grad.data, 0.1 * np.sign(p.data) + 0.02 * p.data)
    model = nn.Linear(3, 2)
    assert nn.utils.l2_penalty(model).item() == pytest.approx(
        float((model.weight.data.astype(np.float64) ** 2).sum() + (model.bias.data.astype(np.float64) ** 2).sum()),
        rel=1e-5)
    with pytest.raises(ValueError):
        nn.utils.l1_penalty([])


def test_max_norm_matches_torch_renorm(rng, torch):
    model = nn.Sequential(nn.Linear(6, 5), nn.ReLU(), nn.Linear(5, 3))
    for p in model.parameters():
        p.data = rng.standard_normal(p.shape) * 2
    before = {n: p.numpy().copy() for n, p in model.named_parameters()}
    nn.utils.max_norm_(model, 1.5)
    for n, p in model.named_parameters():
        if p.ndim < 2:
            np.testing.assert_array_equal(p.data, before[n])  # biases untouched
        else:
            expected = torch.renorm(torch.tensor(before[n]), 2, 0, 1.5).numpy()
            np.testing.assert_allclose(p.data, expected, rtol=1e-6)
            assert np.linalg.norm(p.data, axis=1).max() <= 1.5 + 1e-6


def test_max_norm_conv_weights_and_dim(rng, torch):
    w = nn.Parameter(rng.standard_normal((4, 3, 2, 2)))
    w0 = w.numpy().copy()
    nn.utils.max_norm_([w], 1.0)
    np.testing.assert_allclose(w.data, torch.renorm(torch.tensor(w0), 2, 0, 1.0).numpy(), rtol=1e-6)
    v = nn.Parameter(rng.standard_normal((4, 3)))
    v0 = v.numpy().copy()
    nn.utils.max_norm_([v], 0.5, dim=1)
    np.testing.assert_allclose(v.data, torch.renorm(torch.tensor(v0), 2, 1, 0.5).numpy(), rtol=1e-6)
    small = nn.Parameter(np.full((2, 2), 0.01))
    nn.utils.max_norm_([small], 1.0)
    np.testing.assert_array_equal(small.data, 0.01)  # within the ball: unchanged
    with pytest.raises(ValueError):
        nn.utils.max_norm_([v], 0.0)


@pytest.mark.parametrize("norm_type", [2.0, 1.0, float("inf"), 3.0])
@pytest.mark.parametrize("max_norm", [0.5, 1e6])
def test_clip_grad_norm_matches_torch(norm_type, max_norm, rng, torch):
    ps = _params(rng)
    tps = [torch.tensor(p.numpy(), requires_grad=True) for p in ps]
    for p, tp in zip(ps, tps):
        g = rng.standard_normal(p.shape)
        p.grad = Tensor(g.copy())
        tp.grad = torch.tensor(g.copy())
    no_grad = nn.Parameter(np.ones(2))
    total = nn.utils.clip_grad_norm_(ps + [no_grad], max_norm, norm_type)
    ttotal = torch.nn.utils.clip_grad_norm_(tps, max_norm, norm_type)
    assert isinstance(total, Tensor)
    assert total.item() == pytest.approx(ttotal.item(), rel=1e-10)
    for p, tp in zip(ps, tps):
        np.testing.assert_allclose(p.grad.data, tp.grad.numpy(), rtol=1e-10)


def test_clip_grad_norm_nonfinite_and_empty():
    p = nn.Parameter(np.ones(2))
    assert nn.utils.clip_grad_norm_([p], 1.0).item() == 0.0
    p.grad = Tensor(np.array([np.inf, 1.0]))
    with pytest.raises(RuntimeError, match="inf"):
        nn.utils.clip_grad_norm_(p, 1.0, error_if_nonfinite=True)


def test_clip_grad_value_matches_torch(rng, torch):
    model = nn.Linear(4, 3)
    g = rng.standard_normal((3, 4)) * 2
    model.weight.grad = Tensor(g.copy())
    nn.utils.clip_grad_value_(model, 0.5)
    t = torch.tensor(g.copy(), requires_grad=True)
    t.grad = torch.tensor(g.copy())
    torch.nn.utils.clip_grad_value_([t], 0.5)
    np.testing.assert_allclose(model.weight.grad.data, t.grad.numpy())
    with pytest.raises(ValueError):
        nn.utils.clip_grad_value_(model, -1.0)
    with pytest.raises(TypeError, match="Tensors"):
        nn.utils.clip_grad_value_([np.ones(2)], 1.0)
