"""Losses with PyTorch's semantics and ``reduction='mean' | 'sum' | 'none'``, composed from primitives.

A label out of range, a wrong target dtype or a shape mismatch is a ``ValueError`` that says what was expected.
"""
from __future__ import annotations

import numpy as np

import autograd
from autograd import Tensor, as_tensor

from .activation import softplus

__all__ = ["cross_entropy", "nll_loss", "mse_loss", "l1_loss", "binary_cross_entropy",
           "binary_cross_entropy_with_logits", "multi_margin_loss", "hinge_loss"]

_LOG_FLOOR = float(np.exp(-100.0))  # PyTorch clamps BCE's logs at -100


def _reduce(loss: Tensor, reduction: str, op: str, denom: float | None = None) -> Tensor:
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    if reduction == "mean":
        return loss.mean() if denom is None else loss.sum() * (1.0 / denom if denom else np.nan)
    raise ValueError(f"{op}: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")


def _legacy(size_average: bool | None, reduce: bool | None, reduction: str) -> str:
    """PyTorch's mapping of the deprecated ``size_average`` / ``reduce`` flags onto ``reduction``."""
    if size_average is None and reduce is None:
        return reduction
    if reduce is False:
        return "none"
    return "sum" if size_average is False else "mean"


def _same_shape(op: str, input: Tensor, target: Tensor) -> None:
    if input.shape != target.shape:
        raise ValueError(f"{op}: input has shape {tuple(input.shape)} but target has shape {tuple(target.shape)}; "
                         "they must match")


def _class_coefs(op: str, input: Tensor, target, weight, ignore_index: int):
    """(one-hot · class weight · not-ignored) shaped like ``input`` (classes on dim 1), and the weight total."""
    t = np.asarray(target.numpy() if isinstance(target, Tensor) else target)
    if t.dtype.kind not in "iu":
        raise ValueError(f"{op}: target must hold integer class labels, got dtype {t.dtype} "
                         "(float targets must have the input's shape: class probabilities)")
    if input.ndim == 0:
        raise ValueError(f"{op}: input must have a class dimension, got a 0-d tensor")
    cdim = 1 if input.ndim >= 2 else 0
    c = input.shape[cdim]
    expected = input.shape[:cdim] + input.shape[cdim + 1:]
    if t.shape != expected:
        raise ValueError(f"{op}: input of shape {tuple(input.shape)} ({c} classes on dim {cdim}) needs a target "
                         f"of shape {expected}, got {t.shape}")
    if (weight is None and cdim == 1 and t.ndim == 1 and t.size and not 0 <= ignore_index < c
            and 0 <= t.min() and t.max() < c):
        # NOTE: the common case (N, C) logits, no weights, every label in range, so none ignored:
        # a direct one-hot, 5x cheaper than the general path below (it is per training step).
        onehot = np.zeros(input.shape, dtype=input.dtype)
        onehot[np.arange(t.size), t] = 1
        return onehot, float(t.size)
    valid = t != ignore_index
    bad = valid & ((t < 0) | (t >= c))
    if bad.any():
        raise ValueError(f"{op}: target contains label {int(t[bad].flat[0])} but the input has {c} classes "
                         f"(valid labels are 0..{c - 1})")
    safe = np.where(valid, t, 0)
    onehot = np.moveaxis(np.eye(c, dtype=input.dtype)[safe], -1, cdim)
    w = np.ones(c, dtype=input.dtype) if weight is None else np.asarray(as_tensor(weight).numpy(), dtype=input.dtype)
    if w.shape != (c,):
        raise ValueError(f"{op}: weight must have one value per class, shape ({c},), got {w.shape}")
    per_sample = w[safe] * valid
    coefs = onehot * np.expand_dims(per_sample, cdim)
    return coefs, float(per_sample.sum())


def nll_loss(input: Tensor, target, weight=None, size_average=None, ignore_index: int = -100, reduce=None,
             reduction: str = "mean") -> Tensor:
    """−input[n, target[n]] (input: log-probabilities, classes on dim 1); weighted mean over non-ignored targets."""
    reduction = _legacy(size_average, reduce, reduction)
    input = as_tensor(input)
    coefs, total = _class_coefs("nll_loss", input, target, weight, ignore_index)
    loss = -(input * coefs).sum(axis=1 if input.ndim >= 2 else 0)
    return _reduce(loss, reduction, "nll_loss", total)


def cross_entropy(input: Tensor, target, weight=None, size_average=None, ignore_index: int = -100, reduce=None,
                  reduction: str = "mean", label_smoothing: float = 0.0) -> Tensor:
    """nll_loss(log_softmax(logits)): stable, and its gradient w.r.t. the logits is softmax − onehot.

    ``target`` holds integer class labels (shape: input's without dim 1); a float target shaped like
    ``input`` is taken as class probabilities. ``label_smoothing`` ε mixes the target with the uniform
    distribution, as PyTorch: (1 − ε)·nll + ε/C·Σ_c w_c·(−log p_c), both parts normalised alike.
    """
    reduction = _legacy(size_average, reduce, reduction)
    input = as_tensor(input)
    if label_smoothing > 1.0:
        raise ValueError(f"cross_entropy: label_smoothing must be between 0.0 and 1.0, got {label_smoothing}")
    cdim = 1 if input.ndim >= 2 else 0
    logp = autograd.log_softmax(input, axis=cdim)
    t = target.numpy() if isinstance(target, Tensor) else np.asarray(target)
    if t.dtype.kind == "f":
        if t.shape != input.shape:
            raise ValueError(f"cross_entropy: a float target is read as class probabilities and needs the input's "
                             f"shape {tuple(input.shape)}, got {t.shape}; integer class labels need an integer dtype")
        probs = as_tensor(target)
        if label_smoothing > 0:
            probs = probs * (1.0 - label_smoothing) + label_smoothing / input.shape[cdim]
        coefs = probs if weight is None else probs * _class_shape(weight, input)
        loss = -(logp * coefs).sum(axis=cdim)
        return _reduce(loss, reduction, "cross_entropy")
    coefs, total = _class_coefs("cross_entropy", input, target, weight, ignore_index)
    if label_smoothing > 0:
        # NOTE: the smoothing part weighs every class c by w_c (masked where the target is ignored) and shares
        # the nll part's normaliser Σ w_{y_n}, as torch's cross_entropy_loss_label_smoothing.
        c = input.shape[cdim]
        valid = np.expand_dims(t != ignore_index, cdim)
        w = _class_shape(np.ones(c) if weight is None else weight, input)
        coefs = coefs * (1.0 - label_smoothing) + valid * w * (label_smoothing / c)
    loss = -(logp * coefs).sum(axis=cdim)
    return _reduce(loss, reduction, "cross_entropy", total)


def _class_shape(weight, input: Tensor) -> np.ndarray:
    w = np.asarray(as_tensor(weight).numpy(), dtype=input.dtype)
    return w.reshape((-1,) + (1,) * (input.ndim - 2)) if input.ndim >= 2 else w


def mse_loss(input: Tensor, target, reduction: str = "mean") -> Tensor:
    """(input − target)²."""
    input, target = as_tensor(input), as_tensor(target)
    _same_shape("mse_loss", input, target)
    d = input - target
    return _reduce(d * d, reduction, "mse_loss")


def l1_loss(input: Tensor, target, reduction: str = "mean") -> Tensor:
    """|input − target|."""
    input, target = as_tensor(input), as_tensor(target)
    _same_shape("l1_loss", input, target)
    return _reduce(autograd.abs(input - target), reduction, "l1_loss")


def binary_cross_entropy(input: Tensor, target, weight=None, reduction: str = "mean") -> Tensor:
    """−[t log p + (1 − t) log(1 − p)] for probabilities p ∈ [0, 1] (logs floored at −100, like PyTorch)."""
    input, target = as_tensor(input), as_tensor(target)
    _same_shape("binary_cross_entropy", input, target)
    p = input.numpy()
    if np.any((p < 0) | (p > 1)) or np.isnan(p).any():
        raise ValueError("binary_cross_entropy: input must hold probabilities in [0, 1] (apply a sigmoid, or use "
                         "binary_cross_entropy_with_logits on raw scores)")
    # NOTE: clip before log, so log(0) never appears (its gradient would be 0/0 = nan).
    log_p = autograd.log(autograd.clip(input, min=_LOG_FLOOR))
    log_q = autograd.log(autograd.clip(1.0 - input, min=_LOG_FLOOR))
    loss = -(target * log_p + (1.0 - target) * log_q)
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction, "binary_cross_entropy")


def binary_cross_entropy_with_logits(input: Tensor, target, weight=None, reduction: str = "mean",
                                     pos_weight=None) -> Tensor:
    """BCE of sigmoid(logits), stably: (1 − t)·x + (1 + (pos_weight − 1)·t)·softplus(−x)."""
    input, target = as_tensor(input), as_tensor(target)
    _same_shape("binary_cross_entropy_with_logits", input, target)
    sp = softplus(-input, threshold=50.0)  # NOTE: never exp of a large number; exact ±x tails
    if pos_weight is not None:
        sp = sp * ((as_tensor(pos_weight) - 1.0) * target + 1.0)
    loss = (1.0 - target) * input + sp
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction, "binary_cross_entropy_with_logits")


def multi_margin_loss(input: Tensor, target, p: int = 1, margin: float = 1.0, weight=None,
                      reduction: str = "mean") -> Tensor:
    """Multi-class hinge (PyTorch's): Σ_{j≠y} max(0, margin − x_y + x_j)^p / C per sample."""
    if p not in (1, 2):
        raise ValueError(f"multi_margin_loss: p must be 1 or 2, got {p!r}")
    input = as_tensor(input)
    if input.ndim not in (1, 2):
        raise ValueError(f"multi_margin_loss: input must be (C,) or (N, C), got shape {tuple(input.shape)}")
    onehot, _ = _class_coefs("multi_margin_loss", input, target, None, ignore_index=-(2 ** 62))
    axis = input.ndim - 1
    x_y = (input * onehot).sum(axis=axis, keepdims=True)
    m = autograd.relu(input - x_y + margin) * (1.0 - onehot)
    if p == 2:
        m = m * m
    if weight is not None:
        w = np.asarray(as_tensor(weight).numpy(), dtype=input.dtype)
        m = m * (onehot @ w)[..., None]
    loss = m.sum(axis=axis) * (1.0 / input.shape[axis])
    return _reduce(loss, reduction, "multi_margin_loss")


def hinge_loss(input: Tensor, target, margin: float = 1.0, reduction: str = "mean") -> Tensor:
    """Binary hinge max(0, margin − y·s) with labels y ∈ {−1, +1}; margin=0 is the perceptron criterion."""
    input, target = as_tensor(input), as_tensor(target)
    _same_shape("hinge_loss", input, target)
    if not np.isin(target.numpy(), (-1, 1)).all():
        raise ValueError("hinge_loss: target labels must be -1 or +1 (map 0/1 labels with 2*y - 1)")
    y = target.numpy().astype(input.dtype)
    return _reduce(autograd.relu(margin - input * y), reduction, "hinge_loss")
