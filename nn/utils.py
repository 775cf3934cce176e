"""Regularisation helpers from the lecture (L1, L2, max-norm) and gradient clipping (PyTorch's semantics)."""
from __future__ import annotations

import math
from typing import Iterable, Union

import numpy as np

import autograd
from autograd import Tensor

from .module import Module

__all__ = ["l1_penalty", "l2_penalty", "max_norm_", "clip_grad_norm_", "clip_grad_value_"]

Params = Union[Module, Tensor, Iterable[Tensor]]


def _params(params: Params, op: str) -> list[Tensor]:
    if isinstance(params, Module):
        return list(params.parameters())
    if isinstance(params, Tensor):
        return [params]
    out = list(params)
    for p in out:
        if not isinstance(p, Tensor):
            raise TypeError(f"{op}: expected Tensors (or a Module), got a {type(p).__name__}")
    return out


def l1_penalty(params: Params) -> Tensor:
    """Σ |w| over every parameter: a differentiable scalar; multiply by λ and add it to the loss."""
    ps = _params(params, "l1_penalty")
    if not ps:
        raise ValueError("l1_penalty: no parameters given")
    total = autograd.abs(ps[0]).sum()
    for p in ps[1:]:
        total = total + autograd.abs(p).sum()
    return total


def l2_penalty(params: Params) -> Tensor:
    """Σ w² over every parameter (no ½: λ·l2_penalty has gradient 2λw; SGD's weight_decay=2λ is the same)."""
    ps = _params(params, "l2_penalty")
    if not ps:
        raise ValueError("l2_penalty: no parameters given")
    total = (ps[0] * ps[0]).sum()
    for p in ps[1:]:
        total = total + (p * p).sum()
    return total


def max_norm_(module_or_params: Params, max_norm: float, dim: int = 0) -> None:
    """Rescale, in place, each unit's incoming weight vector to L2 norm ≤ ``max_norm`` (Srivastava et al. 2014).

    Units run along ``dim`` (0: the output units of a Linear (out, in) or Conv2d (out, in, kh, kw) weight);
    the norm is over all other dimensions. Only parameters with ndim ≥ 2 (weights, not biases) are touched.
    Call it after each optimizer step.
    """
    if not max_norm > 0:
        raise ValueError(f"max_norm_: max_norm must be positive, got {max_norm}")
    for p in _params(module_or_params, "max_norm_"):
        if p.ndim < 2:
            continue
        w = p.numpy()
        d = dim % w.ndim
        axes = tuple(i for i in range(w.ndim) if i != d)
        norms = np.sqrt((w.astype(np.float64) ** 2).sum(axis=axes, keepdims=True))
        # NOTE: PyTorch's renorm: scale c / (‖w‖ + 1e-7) only where ‖w‖ > c.
        scale = np.where(norms > max_norm, max_norm / (norms + 1e-7), 1.0)
        w *= scale.astype(w.dtype)


def clip_grad_norm_(parameters: Params, max_norm: float, norm_type: float = 2.0,
                    error_if_nonfinite: bool = False) -> Tensor:
    """Scale all gradients together so their total ``norm_type`` norm is ≤ max_norm; returns the norm before."""
    grads = [p.grad for p in _params(parameters, "clip_grad_norm_") if p.grad is not None]
    norm_type = float(norm_type)
    if not grads:
        return Tensor(np.asarray(0.0, dtype=np.float32))
    if math.isinf(norm_type):
        total = max(float(np.abs(g.numpy()).max()) if g.size else 0.0 for g in grads)
    else:
        total = sum(float((np.abs(g.numpy().astype(np.float64)) ** norm_type).sum())
                    for g in grads) ** (1.0 / norm_type)
    if error_if_nonfinite and not math.isfinite(total):
        raise RuntimeError(f"clip_grad_norm_: the total norm of order {norm_type} of the gradients is {total}; "
                           "pass error_if_nonfinite=False to clip anyway")
    coef = min(max_norm / (total + 1e-6), 1.0)
    if coef < 1.0:
        for g in grads:
            g.mul_(np.asarray(coef, dtype=g.dtype))
    return Tensor(np.asarray(total, dtype=grads[0].dtype))


def clip_grad_value_(parameters: Params, clip_value: float) -> None:
    """Clamp every gradient element into [−clip_value, clip_value], in place."""
    if clip_value < 0:
        raise ValueError(f"clip_grad_value_: clip_value must be non-negative, got {clip_value}")
    for p in _params(parameters, "clip_grad_value_"):
        if p.grad is not None:
            np.clip(p.grad.numpy(), -clip_value, clip_value, out=p.grad.numpy())
