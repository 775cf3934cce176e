"""More of PyTorch's losses and distances: one_hot, smooth L1 / Huber, KL divergence, cosine and margin losses.

Composed from primitives; ``reduction`` is 'mean' | 'sum' | 'none' (kl_div also 'batchmean'), and the legacy
``size_average`` / ``reduce`` flags map onto it as in PyTorch.
"""
from __future__ import annotations

import numpy as np

import autograd
from autograd import Tensor, as_tensor

from .activation import softplus
from .loss import _legacy as legacy_reduction, _reduce, _same_shape

__all__ = ["one_hot", "smooth_l1_loss", "huber_loss", "kl_div", "cosine_similarity", "pairwise_distance",
           "cosine_embedding_loss", "margin_ranking_loss", "soft_margin_loss"]


def one_hot(tensor, num_classes: int = -1) -> Tensor:
    """int64 one-hot encoding: shape ``tensor.shape + (num_classes,)``; -1 infers ``max(tensor) + 1``."""
    t = tensor.numpy() if isinstance(tensor, Tensor) else np.asarray(tensor)
    if t.dtype != np.int64:
        raise TypeError(f"one_hot: the index tensor must be int64 (torch's LongTensor), got dtype {t.dtype}; "
                        "convert it with .long()")
    if num_classes == -1:
        if t.size == 0:
            raise ValueError(f"one_hot: can not infer the number of classes from an empty tensor of shape "
                             f"{t.shape}; pass num_classes")
        num_classes = int(t.max()) + 1
    if t.size and t.min() < 0:
        raise ValueError(f"one_hot: class values must be non-negative, got {int(t.min())}")
    if t.size and t.max() >= num_classes or num_classes < -1:
        raise ValueError(f"one_hot: class values must be smaller than num_classes={num_classes}, "
                         f"got {int(t.max()) if t.size else 'none'}")
    out = np.zeros(t.shape + (max(int(num_classes), 0),), dtype=np.int64)
    np.put_along_axis(out, t[..., None], 1, axis=-1)
    return Tensor(out)


def _pair(op: str, input, target) -> tuple[Tensor, Tensor]:
    input, target = as_tensor(input), as_tensor(target)
    _same_shape(op, input, target)
    return input, target


def smooth_l1_loss(input: Tensor, target, size_average=None, reduce=None, reduction: str = "mean",
                   beta: float = 1.0) -> Tensor:
    """0.5·d²/β where |d| < β, else |d| − 0.5·β (d = input − target); β = 0 is the L1 loss."""
    if beta < 0:
        raise ValueError(f"smooth_l1_loss: beta must be non-negative, got {beta}")
    input, target = _pair("smooth_l1_loss", input, target)
    d = input - target
    ad = autograd.abs(d)
    if beta == 0:
        loss = ad
    else:
        # NOTE: both branches are finite everywhere, so where's masked gradient is exact (continuous at |d| = β).
        loss = autograd.where(ad.numpy() < beta, d * d * (0.5 / beta), ad - 0.5 * beta)
    return _reduce(loss, legacy_reduction(size_average, reduce, reduction), "smooth_l1_loss")


def huber_loss(input: Tensor, target, reduction: str = "mean", delta: float = 1.0, weight=None) -> Tensor:
    """0.5·d² where |d| ≤ δ, else δ·(|d| − 0.5·δ); optional elementwise ``weight`` shaped like ``input``."""
    if delta <= 0:
        raise ValueError(f"huber_loss: delta must be positive, got {delta}")
    input, target = _pair("huber_loss", input, target)
    d = input - target
    ad = autograd.abs(d)
    loss = autograd.where(ad.numpy() <= delta, d * d * 0.5, (ad - 0.5 * delta) * delta)
    if weight is not None:
        weight = as_tensor(weight)
        if weight.shape != input.shape:
            raise ValueError(f"huber_loss: weight has shape {tuple(weight.shape)} but input has shape "
                             f"{tuple(input.shape)}; they must match")
        loss = loss * weight
    return _reduce(loss, reduction, "huber_loss")


def kl_div(input: Tensor, target, size_average=None, reduce=None, reduction: str = "mean",
           log_target: bool = False) -> Tensor:
    """Pointwise KL divergence with ``input`` as log-probabilities: target·(log target − input) (0 where target = 0).

    ``log_target=True`` reads ``target`` as log-probabilities: exp(target)·(target − input). 'batchmean' divides
    the sum by the batch size (dim 0), which is the KL divergence; 'mean' divides by every element.
    """
    reduction = legacy_reduction(size_average, reduce, reduction)
    if reduction not in ("mean", "batchmean", "sum", "none"):
        raise ValueError(f"kl_div: reduction must be 'mean', 'batchmean', 'sum' or 'none', got {reduction!r}")
    input, target = _pair("kl_div", input, target)
    if log_target:
        loss = autograd.exp(target) * (target - input)
    else:
        # NOTE: xlogy: target·log(target) is 0 at target = 0 (log of 1 there keeps the gradient finite).
        pos = target.numpy() > 0
        loss = target * autograd.log(autograd.where(pos, target, np.ones_like(target.numpy()))) - target * input
    if reduction == "batchmean":
        total = loss.sum()
        return total * (1.0 / input.shape[0]) if input.ndim else total
    return _reduce(loss, reduction, "kl_div")


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """Σ (x1/‖x1‖)·(x2/‖x2‖) along ``dim`` (inputs broadcast), each norm floored at ``eps`` as PyTorch does."""
    x1, x2 = as_tensor(x1), as_tensor(x2)
    try:
        shape = np.broadcast_shapes(x1.shape, x2.shape)
    except ValueError:
        raise ValueError(f"cosine_similarity: x1 of shape {tuple(x1.shape)} and x2 of shape {tuple(x2.shape)} "
                         "do not broadcast") from None
    x1, x2 = autograd.broadcast_to(x1, shape), autograd.broadcast_to(x2, shape)

    def unit(x: Tensor) -> Tensor:
        n = autograd.norm(x, 2, dim=dim, keepdim=True)
        # NOTE: torch floors the norm in place under no_grad: the floor changes the value, not the gradient path.
        floor = np.maximum(n.numpy(), eps) - n.numpy()
        return x / (n + floor)

    return (unit(x1) * unit(x2)).sum(axis=dim)


def pairwise_distance(x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False) -> Tensor:
    """‖x1 − x2 + eps‖_p over the last dimension."""
    x1, x2 = as_tensor(x1), as_tensor(x2)
    dim = -1 if max(x1.ndim, x2.ndim) > 0 else None
    return autograd.norm(x1 - x2 + eps, p, dim=dim, keepdim=keepdim)


def cosine_embedding_loss(input1: Tensor, input2: Tensor, target, margin: float = 0.0, size_average=None,
                          reduce=None, reduction: str = "mean") -> Tensor:
    """1 − cos(x1, x2) where target = 1, max(0, cos(x1, x2) − margin) where target = −1 (cos along the last dim)."""
    input1, input2, target = as_tensor(input1), as_tensor(input2), as_tensor(target)
    if target.ndim > 1 or input1.ndim != target.ndim + 1 or input2.shape != input1.shape:
        raise ValueError(f"cosine_embedding_loss: expected inputs of shape (N, D) with target (N,), or (D,) with a "
                         f"0-d target; got {tuple(input1.shape)}, {tuple(input2.shape)} and target "
                         f"{tuple(target.shape)}")
    axis = target.ndim
    prod = (input1 * input2).sum(axis=axis)
    # NOTE: torch adds 1e-12 to each squared magnitude, so a zero vector gives cos = 0, not 0/0.
    mag = ((input1 * input1).sum(axis=axis) + 1e-12) * ((input2 * input2).sum(axis=axis) + 1e-12)
    cos = prod / autograd.sqrt(mag)
    y = target.numpy()
    zero = np.zeros(cos.shape, dtype=cos.dtype)
    loss = autograd.where(y == 1, 1.0 - cos, zero) + autograd.where(y == -1, autograd.relu(cos - margin), zero)
    return _reduce(loss, legacy_reduction(size_average, reduce, reduction), "cosine_embedding_loss")


def margin_ranking_loss(input1: Tensor, input2: Tensor, target, margin: float = 0.0, size_average=None,
                        reduce=None, reduction: str = "mean") -> Tensor:
    """max(0, −y·(x1 − x2) + margin): y = 1 asks x1 to rank above x2, y = −1 below."""
    input1, input2, target = as_tensor(input1), as_tensor(input2), as_tensor(target)
    if not input1.ndim == input2.ndim == target.ndim:
        raise ValueError(f"margin_ranking_loss: input1, input2 and target must have the same number of "
                         f"dimensions, got shapes {tuple(input1.shape)}, {tuple(input2.shape)}, "
                         f"{tuple(target.shape)}")
    loss = autograd.relu(-target * (input1 - input2) + margin)
    return _reduce(loss, legacy_reduction(size_average, reduce, reduction), "margin_ranking_loss")


def soft_margin_loss(input: Tensor, target, size_average=None, reduce=None, reduction: str = "mean") -> Tensor:
    """log(1 + exp(−y·x)) for labels y ∈ {−1, +1}: the two-class logistic loss."""
    input, target = _pair("soft_margin_loss", input, target)
    loss = softplus(-target * input, threshold=50.0)  # NOTE: softplus never exponentiates a large number
    return _reduce(loss, legacy_reduction(size_average, reduce, reduction), "soft_margin_loss")
