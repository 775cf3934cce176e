"""Label smoothing, one_hot, smooth L1 / Huber, KL divergence, cosine / margin losses and distances vs PyTorch."""
from __future__ import annotations

import numpy as np
import pytest

import autograd
import nn
import nn.functional as F
from autograd import Tensor

REDUCTIONS = ["mean", "sum", "none"]


def _compare(torch, ours, theirs, inputs, grads, rng, tol=1e-10):
    """Both functions on float64 copies of ``inputs``; those flagged in ``grads`` require grad and are compared."""
    xs = [Tensor(a, requires_grad=g) if isinstance(a, np.ndarray) else a for a, g in zip(inputs, grads)]
    ts = [torch.tensor(a, requires_grad=g) if isinstance(a, np.ndarray) else a for a, g in zip(inputs, grads)]
    y, yt = ours(*xs), theirs(*ts)
    np.testing.assert_allclose(y.numpy(), yt.detach().numpy(), rtol=tol, atol=tol)
    up = rng.standard_normal(y.shape)
    y.backward(Tensor(up))
    yt.backward(torch.tensor(up))
    for x, t, g in zip(xs, ts, grads):
        if g:
            np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=tol, atol=tol)


# ---- cross_entropy(label_smoothing=) ------------------------------------------------------------------------
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
def test_label_smoothing_class_indices(reduction, weighted, rng, torch):
    logits, target = rng.standard_normal((7, 5)), np.array([0, 4, -100, 2, 2, 1, -100])
    w = rng.uniform(0.5, 2.0, 5) if weighted else None
    kw = dict(ignore_index=-100, reduction=reduction, label_smoothing=0.2)
    _compare(torch, lambda x, t: F.cross_entropy(x, t, weight=w, **kw),
             lambda x, t: torch.nn.functional.cross_entropy(x, t, weight=None if w is None else torch.tensor(w), **kw),
             [logits, target], [True, False], rng)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_label_smoothing_spatial_and_probabilities(reduction, rng, torch):
    TF = torch.nn.functional
    w = rng.uniform(0.5, 2.0, 3)
    logits, target = rng.standard_normal((2, 3, 4, 2)), rng.integers(0, 3, (2, 4, 2))
    target[0, 1, 1] = 1  # ignore_index=1 drops every label 1
    kw = dict(reduction=reduction, label_smoothing=0.3, ignore_index=1)
    _compare(torch, lambda x, t: F.cross_entropy(x, t, weight=w, **kw),
             lambda x, t: TF.cross_entropy(x, t, weight=torch.tensor(w), **kw), [logits, target], [True, False], rng)
    probs = rng.dirichlet(np.ones(4), 6)
    for weight in (None, rng.uniform(0.5, 2.0, 4)):
        _compare(torch, lambda x, p: F.cross_entropy(x, p, weight=weight, reduction=reduction, label_smoothing=0.15),
                 lambda x, p: TF.cross_entropy(x, p, weight=None if weight is None else torch.tensor(weight),
                                               reduction=reduction, label_smoothing=0.15),
                 [rng.standard_normal((6, 4)), probs], [True, True], rng)


def test_label_smoothing_module_unbatched_and_gradcheck(rng, torch):
    m, ref = nn.CrossEntropyLoss(label_smoothing=0.1), torch.nn.CrossEntropyLoss(label_smoothing=0.1)
    _compare(torch, m, ref, [rng.standard_normal(5), np.array(3)], [True, False], rng)
    assert m.label_smoothing == 0.1 and m.ignore_index == -100 and m.reduction == "mean"
    x, t = Tensor(rng.standard_normal((4, 3)), requires_grad=True), np.array([0, 2, 1, 2])
    assert autograd.gradcheck(lambda a: F.cross_entropy(a, t, label_smoothing=0.25, weight=np.array([1., 2., 3.])),
                              [x])


def test_label_smoothing_out_of_range_and_legacy_flags(rng, torch):
    x, t = Tensor(rng.standard_normal((3, 4))), np.array([0, 1, 2])
    with pytest.raises(ValueError, match="cross_entropy: label_smoothing must be between 0.0 and 1.0"):
        F.cross_entropy(x, t, label_smoothing=1.5)
    # a negative value is ignored, as torch does
    np.testing.assert_allclose(F.cross_entropy(x, t, label_smoothing=-0.1).item(), F.cross_entropy(x, t).item())
    assert nn.CrossEntropyLoss(reduce=False)(x, t).shape == (3,)
    assert nn.NLLLoss(size_average=False).reduction == "sum"


# ---- one_hot --------------------------------------------------------------------------------------------------
def test_one_hot_matches_torch(torch):
    t = np.array([[0, 3], [2, 2]])
    for n in (-1, 5):
        ours, theirs = F.one_hot(Tensor(t, dtype=np.int64), n), torch.nn.functional.one_hot(torch.tensor(t), n)
        assert ours.dtype == np.int64 and ours.shape == tuple(theirs.shape)
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    assert F.one_hot(autograd.arange(0, 5) % 3).shape == (5, 3)
    assert F.one_hot(np.zeros(0, dtype=np.int64), 4).shape == (0, 4)


@pytest.mark.parametrize("args, exc, match", [
    ((np.array([1, 2], dtype=np.int32),), TypeError, "one_hot: the index tensor must be int64"),
    ((np.array([1.0]),), TypeError, "must be int64"),
    ((np.array([-1, 2]),), ValueError, "non-negative"),
    ((np.array([1, 5]), 3), ValueError, "smaller than num_classes=3"),
    ((np.array([1, 2]), -2), ValueError, "smaller than num_classes"),
    ((np.zeros(0, dtype=np.int64),), ValueError, "empty tensor"),
])
def test_one_hot_errors(args, exc, match):
    with pytest.raises(exc, match=match):
        F.one_hot(*args)


# ---- smooth L1, Huber, KL divergence ----------------------------------------------------------------------------
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("beta", [1.0, 0.5, 0.0])
def test_smooth_l1_loss(reduction, beta, rng, torch):
    a, b = rng.standard_normal((4, 5)) * 2, rng.standard_normal((4, 5))
    _compare(torch, lambda x, t: F.smooth_l1_loss(x, t, reduction=reduction, beta=beta),
             lambda x, t: torch.nn.functional.smooth_l1_loss(x, t, reduction=reduction, beta=beta),
             [a, b], [True, True], rng)
    _compare(torch, nn.SmoothL1Loss(reduction=reduction, beta=beta),
             torch.nn.SmoothL1Loss(reduction=reduction, beta=beta), [a, b], [True, False], rng)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("delta", [1.0, 0.3, 2.5])
def test_huber_loss(reduction, delta, rng, torch):
    a, b = rng.standard_normal((3, 6)) * 2, rng.standard_normal((3, 6))
    _compare(torch, nn.HuberLoss(reduction=reduction, delta=delta),
             torch.nn.HuberLoss(reduction=reduction, delta=delta), [a, b], [True, True], rng)
    w = rng.uniform(0, 2, (3, 6))
    _compare(torch, lambda x, t: F.huber_loss(x, t, reduction, delta, weight=w),
             lambda x, t: torch.nn.functional.huber_loss(x, t, reduction, delta, weight=torch.tensor(w)),
             [a, b], [True, False], rng)


@pytest.mark.filterwarnings("ignore:reduction. .mean. divides")
@pytest.mark.parametrize("reduction", ["mean", "batchmean", "sum", "none"])
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div(reduction, log_target, rng, torch):
    logp = np.log(rng.dirichlet(np.ones(5), 4))
    q = rng.dirichlet(np.ones(5), 4)
    q[1, 2] = 0.0  # a zero target contributes 0 (xlogy)
    target = np.log(q + 1e-3) if log_target else q
    _compare(torch, nn.KLDivLoss(reduction=reduction, log_target=log_target),
             torch.nn.KLDivLoss(reduction=reduction, log_target=log_target), [logp, target], [True, False], rng)
    if log_target:
        _compare(torch, lambda x, t: F.kl_div(x, t, reduction=reduction, log_target=True),
                 lambda x, t: torch.nn.functional.kl_div(x, t, reduction=reduction, log_target=True),
                 [logp, target], [True, True], rng)


def test_kl_div_batchmean_is_the_kl_divergence_and_gradchecks(rng):
    p, q = rng.dirichlet(np.ones(3), 2), rng.dirichlet(np.ones(3), 2)
    kl = F.kl_div(Tensor(np.log(q)), Tensor(p), reduction="batchmean").item()
    np.testing.assert_allclose(kl, (p * np.log(p / q)).sum() / 2, rtol=1e-12)
    x = Tensor(np.log(q), requires_grad=True)
    assert autograd.gradcheck(lambda a: F.kl_div(a, Tensor(p), reduction="batchmean"), [x])
    assert F.kl_div(Tensor(np.array(0.5)), Tensor(np.array(0.3)), reduction="batchmean").shape == ()


@pytest.mark.parametrize("fn", [F.smooth_l1_loss, F.huber_loss, F.soft_margin_loss])
def test_pointwise_losses_gradcheck(fn, rng):
    a = Tensor(rng.standard_normal((3, 4)) * 2, requires_grad=True)
    b = Tensor(np.sign(rng.standard_normal((3, 4))) if fn is F.soft_margin_loss else rng.standard_normal((3, 4)),
               requires_grad=fn is not F.soft_margin_loss)
    assert autograd.gradcheck(lambda x, y: fn(x, y, reduction="sum"), [a, b])


def test_bad_arguments_name_the_function():
    a, b = Tensor(np.ones((2, 3))), Tensor(np.ones((3, 2)))
    with pytest.raises(ValueError, match=r"smooth_l1_loss: input has shape \(2, 3\) but target has shape \(3, 2\)"):
        F.smooth_l1_loss(a, b)
    with pytest.raises(ValueError, match="smooth_l1_loss: beta must be non-negative"):
        F.smooth_l1_loss(a, a, beta=-1)
    with pytest.raises(ValueError, match="huber_loss: delta must be positive"):
        F.huber_loss(a, a, delta=0)
    with pytest.raises(ValueError, match="kl_div: reduction must be"):
        F.kl_div(a, a, reduction="bogus")
    with pytest.raises(ValueError, match="KLDivLoss: reduction must be"):
        nn.KLDivLoss(reduction="avg")
    with pytest.raises(ValueError, match="huber_loss: weight has shape"):
        F.huber_loss(a, a, weight=np.ones(3))
    with pytest.raises(ValueError, match="cosine_embedding_loss: expected inputs"):
        F.cosine_embedding_loss(a, a, np.ones((2, 1)))


# ---- cosine / margin losses and distances -------------------------------------------------------------------------
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cosine_embedding_loss(reduction, rng, torch):
    x1, x2, y = rng.standard_normal((6, 4)), rng.standard_normal((6, 4)), np.array([1, -1, 1, -1, -1, 1.0])
    _compare(torch, nn.CosineEmbeddingLoss(margin=0.1, reduction=reduction),
             torch.nn.CosineEmbeddingLoss(margin=0.1, reduction=reduction), [x1, x2, y], [True, True, False], rng)
    _compare(torch, lambda a, b, t: F.cosine_embedding_loss(a, b, t, reduction=reduction),
             lambda a, b, t: torch.nn.functional.cosine_embedding_loss(a, b, t, reduction=reduction),
             [x1[0], x2[0], np.array(-1.0)], [True, True, False], rng)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_margin_ranking_and_soft_margin(reduction, rng, torch):
    x1, x2, y = rng.standard_normal(7), rng.standard_normal(7), np.sign(rng.standard_normal(7))
    _compare(torch, nn.MarginRankingLoss(margin=0.2, reduction=reduction),
             torch.nn.MarginRankingLoss(margin=0.2, reduction=reduction), [x1, x2, y], [True, True, False], rng)
    s, t = rng.standard_normal((3, 4)) * 3, np.sign(rng.standard_normal((3, 4)))
    _compare(torch, nn.SoftMarginLoss(reduction=reduction), torch.nn.SoftMarginLoss(reduction=reduction),
             [s, t], [True, False], rng)


@pytest.mark.parametrize("dim", [1, -1, 0])
def test_cosine_similarity(dim, rng, torch):
    a, b = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    _compare(torch, nn.CosineSimilarity(dim=dim), torch.nn.CosineSimilarity(dim=dim), [a, b], [True, True], rng)
    _compare(torch, lambda x, y: F.cosine_similarity(x, y, dim=-1),
             lambda x, y: torch.nn.functional.cosine_similarity(x, y, dim=-1), [a, b[:1]], [True, True], rng)
    x, y = Tensor(a, requires_grad=True), Tensor(b, requires_grad=True)
    assert autograd.gradcheck(lambda u, v: F.cosine_similarity(u, v, dim=dim), [x, y])


@pytest.mark.parametrize("p", [2.0, 1.0, 3.0])
@pytest.mark.parametrize("keepdim", [False, True])
def test_pairwise_distance(p, keepdim, rng, torch):
    a, b = rng.standard_normal((5, 3)), rng.standard_normal((5, 3))
    _compare(torch, nn.PairwiseDistance(p=p, keepdim=keepdim), torch.nn.PairwiseDistance(p=p, keepdim=keepdim),
             [a, b], [True, True], rng)
    x, y = Tensor(a, requires_grad=True), Tensor(b, requires_grad=True)
    assert autograd.gradcheck(lambda u, v: F.pairwise_distance(u, v, p=p), [x, y])
