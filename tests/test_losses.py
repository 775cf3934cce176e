"""Losses against PyTorch (forward and input gradient, float64, every reduction), stability and bad input."""
from __future__ import annotations

import numpy as np
import pytest

import autograd
import nn
import nn.functional as F
from autograd import Tensor

REDUCTIONS = ["mean", "sum", "none"]


def _compare(torch, ours, theirs, inputs, rng, rtol=1e-10, atol=1e-12):
    """Run both on copies of ``inputs`` (the first requires grad) with a random upstream gradient."""
    x = Tensor(inputs[0], requires_grad=True)
    xt = torch.tensor(inputs[0], requires_grad=True)
    rest = [Tensor(a) if isinstance(a, np.ndarray) else a for a in inputs[1:]]
    rest_t = [torch.tensor(a) if isinstance(a, np.ndarray) else a for a in inputs[1:]]
    y, yt = ours(x, *rest), theirs(xt, *rest_t)
    g = rng.standard_normal(y.shape)
    y.backward(g)
    yt.backward(torch.tensor(g))
    np.testing.assert_allclose(y.data, yt.detach().numpy(), rtol=rtol, atol=atol)
    np.testing.assert_allclose(x.grad.data, xt.grad.numpy(), rtol=rtol, atol=atol)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy(reduction, rng, torch):
    TF = torch.nn.functional
    logits, target = rng.standard_normal((6, 5)), rng.integers(0, 5, 6)
    _compare(torch, lambda x, t: F.cross_entropy(x, t, reduction=reduction),
                    lambda x, t: TF.cross_entropy(x, t, reduction=reduction), [logits, target], rng)


def test_cross_entropy_weight_ignore_index_and_spatial(rng, torch):
    TF = torch.nn.functional
    logits, target = rng.standard_normal((6, 4)), np.array([0, 1, 3, -100, 2, 1])
    w = rng.uniform(0.5, 2.0, 4)
    _compare(torch, lambda x, t: F.cross_entropy(x, t, weight=w),
                    lambda x, t: TF.cross_entropy(x, t, weight=torch.tensor(w)), [logits, target], rng)
    logits, target = rng.standard_normal((2, 3, 4, 5)), rng.integers(0, 3, (2, 4, 5))
    _compare(torch, F.cross_entropy, TF.cross_entropy, [logits, target], rng)
    probs = rng.dirichlet(np.ones(4), 6)
    _compare(torch, F.cross_entropy, TF.cross_entropy, [rng.standard_normal((6, 4)), probs], rng)


def test_cross_entropy_gradient_is_softmax_minus_onehot(rng):
    logits, target = rng.standard_normal((8, 3)), rng.integers(0, 3, 8)
    x = Tensor(logits, requires_grad=True)
    F.cross_entropy(x, target, reduction="sum").backward()
    e = np.exp(logits - logits.max(1, keepdims=True))
    np.testing.assert_allclose(x.grad.data, e / e.sum(1, keepdims=True) - np.eye(3)[target], atol=1e-12)


def test_cross_entropy_is_stable():
    x = Tensor(np.array([[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 0.0]]), requires_grad=True)
    loss = F.cross_entropy(x, np.array([1, 1]))
    loss.backward()
    assert np.isfinite(loss.data) and np.isfinite(x.grad.data).all()
    np.testing.assert_allclose(loss.item(), 1000.0)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_nll_loss(reduction, rng, torch):
    TF = torch.nn.functional
    logp = np.log(rng.dirichlet(np.ones(4), 5))
    target = rng.integers(0, 4, 5)
    _compare(torch, lambda x, t: F.nll_loss(x, t, reduction=reduction),
                    lambda x, t: TF.nll_loss(x, t, reduction=reduction), [logp, target], rng)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_regression_losses(reduction, rng, torch):
    TF = torch.nn.functional
    a, b = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    _compare(torch, lambda x, t: F.mse_loss(x, t, reduction), lambda x, t: TF.mse_loss(x, t, reduction=reduction),
             [a, b], rng)
    _compare(torch, lambda x, t: F.l1_loss(x, t, reduction), lambda x, t: TF.l1_loss(x, t, reduction=reduction),
             [a, b], rng)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_binary_cross_entropy(reduction, rng, torch):
    TF = torch.nn.functional
    p, t = rng.uniform(0.05, 0.95, (5, 2)), rng.integers(0, 2, (5, 2)).astype(float)
    w = rng.uniform(0.5, 1.5, (5, 2))
    _compare(torch, lambda x, y: F.binary_cross_entropy(x, y, weight=w, reduction=reduction),
                    lambda x, y: TF.binary_cross_entropy(x, y, weight=torch.tensor(w), reduction=reduction),
                    [p, t], rng)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_binary_cross_entropy_with_logits(reduction, rng, torch):
    TF = torch.nn.functional
    z, t = rng.standard_normal((5, 3)) * 4, rng.uniform(0, 1, (5, 3))
    pw = rng.uniform(0.5, 3, 3)
    _compare(torch, lambda x, y: F.binary_cross_entropy_with_logits(x, y, reduction=reduction),
                    lambda x, y: TF.binary_cross_entropy_with_logits(x, y, reduction=reduction), [z, t], rng)
    _compare(torch, lambda x, y: F.binary_cross_entropy_with_logits(x, y, pos_weight=pw, reduction=reduction),
                    lambda x, y: TF.binary_cross_entropy_with_logits(x, y, pos_weight=torch.tensor(pw),
                                                                     reduction=reduction),
                    [z, t], rng)


def test_bce_with_logits_is_stable(torch):
    TF = torch.nn.functional
    z = np.array([-1000.0, -60.0, 0.0, 60.0, 1000.0])
    t = np.array([1.0, 1.0, 0.5, 0.0, 0.0])
    _compare(torch, lambda x, y: F.binary_cross_entropy_with_logits(x, y, reduction="none"),
                    lambda x, y: TF.binary_cross_entropy_with_logits(x, y, reduction="none"), [z, t],
                    np.random.default_rng(0), rtol=1e-9, atol=1e-9)


def test_bce_clamps_its_logs_like_torch(torch):
    TF = torch.nn.functional
    p, t = np.array([0.0, 1.0, 0.3]), np.array([1.0, 0.0, 1.0])
    y = F.binary_cross_entropy(Tensor(p), Tensor(t), reduction="none")
    np.testing.assert_allclose(y.data, TF.binary_cross_entropy(torch.tensor(p), torch.tensor(t),
                                                               reduction="none").numpy(), rtol=1e-6)


@pytest.mark.parametrize("p,margin", [(1, 1.0), (2, 0.5)])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_multi_margin_loss(p, margin, reduction, rng, torch):
    TF = torch.nn.functional
    x, t = rng.standard_normal((6, 4)), rng.integers(0, 4, 6)
    w = rng.uniform(0.5, 2, 4)
    _compare(torch, lambda a, b: F.multi_margin_loss(a, b, p=p, margin=margin, weight=w, reduction=reduction),
                    lambda a, b: TF.multi_margin_loss(a, b, p=p, margin=margin, weight=torch.tensor(w),
                                                      reduction=reduction),
                    [x, t], rng)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_hinge_loss_matches_its_formula(reduction, rng, torch):
    s, y = rng.standard_normal(7), np.array([1, -1, 1, 1, -1, -1, 1])
    _compare(torch, lambda a, b: F.hinge_loss(a, b, margin=1.0, reduction=reduction),
                    lambda a, b: _reduce_t(torch.clamp(1.0 - a * b, min=0), reduction), [s, y], rng)


def _reduce_t(v, reduction):
    return v.mean() if reduction == "mean" else v.sum() if reduction == "sum" else v


MODULES = [
    (nn.CrossEntropyLoss(), lambda torch: torch.nn.CrossEntropyLoss(), "class"),
    (nn.CrossEntropyLoss(reduction="sum", ignore_index=2),
     lambda torch: torch.nn.CrossEntropyLoss(reduction="sum", ignore_index=2), "class"),
    (nn.NLLLoss(), lambda torch: torch.nn.NLLLoss(), "class"),
    (nn.MSELoss(), lambda torch: torch.nn.MSELoss(), "same"),
    (nn.L1Loss(reduction="sum"), lambda torch: torch.nn.L1Loss(reduction="sum"), "same"),
    (nn.BCELoss(), lambda torch: torch.nn.BCELoss(), "prob"),
    (nn.BCEWithLogitsLoss(), lambda torch: torch.nn.BCEWithLogitsLoss(), "binary"),
    (nn.MultiMarginLoss(), lambda torch: torch.nn.MultiMarginLoss(), "class"),
]


@pytest.mark.parametrize("i", range(len(MODULES)))
def test_loss_modules(i, rng, torch):
    ours, make_theirs, kind = MODULES[i]
    theirs = make_theirs(torch)
    x = rng.standard_normal((5, 3))
    if kind == "class":
        t = rng.integers(0, 3, 5)
    elif kind == "prob":
        x, t = rng.uniform(0.1, 0.9, (5, 3)), rng.integers(0, 2, (5, 3)).astype(float)
    else:
        t = rng.uniform(0, 1, (5, 3)) if kind == "binary" else rng.standard_normal((5, 3))
    _compare(torch, ours, theirs, [x, t], rng)


def test_hinge_module_and_perceptron_criterion(rng):
    s = Tensor(np.array([0.5, -2.0, 3.0]), requires_grad=True)
    loss = nn.HingeLoss(margin=0.0, reduction="sum")(s, np.array([1, 1, -1]))
    np.testing.assert_allclose(loss.item(), 5.0)
    loss.backward()
    np.testing.assert_allclose(s.grad.data, [0.0, -1.0, 1.0])


def test_weighted_loss_keeps_weight_as_buffer():
    m = nn.CrossEntropyLoss(weight=np.array([1.0, 2.0]))
    assert list(m.state_dict()) == ["weight"]
    assert repr(nn.MSELoss(reduction="sum")) == "MSELoss(reduction='sum')"


def test_bad_labels_and_shapes():
    x = Tensor(np.zeros((3, 4)))
    with pytest.raises(ValueError, match="label 4 .* 4 classes"):
        F.cross_entropy(x, np.array([0, 4, 1]))
    with pytest.raises(ValueError, match="label -1"):
        F.nll_loss(x, np.array([0, -1, 1]))
    with pytest.raises(ValueError, match=r"target of shape \(3,\)"):
        F.cross_entropy(x, np.array([0, 1]))
    with pytest.raises(ValueError, match="integer class labels"):
        F.cross_entropy(x, np.array([0.0, 1.0, 2.0]))
    with pytest.raises(ValueError, match=r"\(3, 4\).*\(4, 3\)"):
        F.mse_loss(x, np.zeros((4, 3)))
    with pytest.raises(ValueError, match="probabilities"):
        F.binary_cross_entropy(Tensor(np.array([1.5])), np.array([1.0]))
    with pytest.raises(ValueError, match="-1 or \\+1"):
        F.hinge_loss(Tensor(np.zeros(2)), np.array([0, 1]))
    with pytest.raises(ValueError, match="reduction"):
        F.mse_loss(x, x, reduction="avg")
    with pytest.raises(ValueError, match="reduction"):
        nn.L1Loss(reduction="avg")


def test_float32_stays_float32(rng):
    x = Tensor(rng.standard_normal((4, 3)).astype(np.float32), requires_grad=True)
    loss = F.cross_entropy(x, np.array([0, 1, 2, 0]))
    loss.backward()
    assert loss.dtype == np.float32 and x.grad.dtype == np.float32


def test_gradcheck_losses(rng):
    t = rng.integers(0, 3, 4)
    x = Tensor(rng.standard_normal((4, 3)), requires_grad=True)
    assert autograd.gradcheck(lambda a: F.cross_entropy(a, t), [x])
    assert autograd.gradcheck(lambda a: F.binary_cross_entropy_with_logits(a, Tensor(np.full((4, 3), 0.3))), [x])
