"""Batch, instance, layer, group and local-response normalisation and dropout, with PyTorch's semantics."""
from __future__ import annotations

import numpy as np

import autograd
from autograd import Tensor, as_tensor
from autograd.ops.norm import BatchNorm

__all__ = ["batch_norm", "instance_norm", "layer_norm", "group_norm", "local_response_norm", "dropout"]


def batch_norm(x: Tensor, running_mean: Tensor | None, running_var: Tensor | None, weight: Tensor | None = None,
               bias: Tensor | None = None, training: bool = False, momentum: float = 0.1,
               eps: float = 1e-5) -> Tensor:
    """Normalise each channel (axis 1) of ``x``: ``(x - mean) / sqrt(var + eps) * weight + bias``.

    Training (or no running statistics): the batch's mean and biased variance normalise, and the
    running statistics, when given, move in place as PyTorch's do:
    ``running = (1 - momentum) * running + momentum * batch`` with the batch's *unbiased* variance.
    Evaluation: the running statistics normalise.
    """
    x = as_tensor(x)
    if x.ndim < 2:
        raise ValueError(f"batch_norm: expects an input of shape (N, C) or (N, C, ...), got shape {x.shape}")
    c = x.shape[1]
    for name, t in (("running_mean", running_mean), ("running_var", running_var), ("weight", weight),
                    ("bias", bias)):
        if t is not None and tuple(t.shape) != (c,):
            raise ValueError(f"batch_norm: {name} has shape {tuple(t.shape)} but the input has {c} channels "
                             f"(shape {x.shape})")
    if training or running_mean is None or running_var is None:
        count = x.size // c
        if training and count < 2:
            raise ValueError(f"batch_norm: expected more than 1 value per channel when training, got input "
                             f"shape {x.shape}")
        stats: dict = {}
        y = BatchNorm.apply(x, weight, bias, eps=eps, stats=stats if training else None)
        if training:
            with autograd.no_grad():
                if running_mean is not None:
                    rm = running_mean.numpy()
                    rm *= 1.0 - momentum
                    rm += (momentum * stats["mean"]).astype(rm.dtype, copy=False)
                if running_var is not None:
                    rv = running_var.numpy()
                    rv *= 1.0 - momentum
                    rv += (momentum * count / max(count - 1, 1) * stats["var"]).astype(rv.dtype, copy=False)
        return y
    # evaluation: an affine map per channel, composed (both statistics are constants)
    bshape = (1, c) + (1,) * (x.ndim - 2)
    inv = 1.0 / np.sqrt(running_var.numpy() + eps)
    scale = Tensor(inv.astype(x.dtype, copy=False)) if weight is None else weight * inv.astype(weight.dtype)
    shift = -(running_mean.numpy().astype(x.dtype, copy=False) * scale)
    if bias is not None:
        shift = shift + bias
    return x * scale.reshape(bshape) + shift.reshape(bshape)


def _normalize(x: Tensor, axes: tuple[int, ...], eps: float) -> Tensor:
    """(x − mean) / sqrt(var + eps) over ``axes``, with the biased variance (composed from primitives)."""
    centred = x - autograd.mean(x, axis=axes, keepdims=True)
    var = autograd.mean(centred * centred, axis=axes, keepdims=True)
    return centred / autograd.sqrt(var + eps)


def instance_norm(x: Tensor, running_mean: Tensor | None = None, running_var: Tensor | None = None,
                  weight: Tensor | None = None, bias: Tensor | None = None, use_input_stats: bool = True,
                  momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Normalise each channel of each sample of ``x`` (N, C, *) over its spatial dimensions, then
    ``* weight + bias`` per channel.

    ``use_input_stats`` (training, or no running statistics): the instance's mean and biased variance
    normalise, and the running statistics, when given, move in place as PyTorch's do, by the batch
    average of the instances' mean and *unbiased* variance. Otherwise the running statistics normalise.
    """
    x = as_tensor(x)
    if x.ndim < 3:
        raise ValueError(f"instance_norm: expects an input of shape (N, C, *) with a spatial dimension, "
                         f"got shape {tuple(x.shape)}")
    c = x.shape[1]
    for name, t in (("running_mean", running_mean), ("running_var", running_var), ("weight", weight),
                    ("bias", bias)):
        if t is not None and tuple(t.shape) != (c,):
            raise ValueError(f"instance_norm: {name} has shape {tuple(t.shape)} but the input has {c} channels "
                             f"(shape {tuple(x.shape)})")
    if not use_input_stats:
        if running_mean is None or running_var is None:
            raise ValueError("instance_norm: use_input_stats=False needs running_mean and running_var")
        return batch_norm(x, running_mean, running_var, weight, bias, False, momentum, eps)
    count = x.size // max(x.shape[0] * c, 1)
    if count < 2:
        raise ValueError(f"instance_norm: expected more than 1 spatial element when training, got input shape "
                         f"{tuple(x.shape)}")
    axes = tuple(range(2, x.ndim))
    y = _normalize(x, axes, eps)
    with autograd.no_grad():
        data = x.numpy()
        for run, stat in ((running_mean, lambda: data.mean(axis=axes)),
                          (running_var, lambda: data.var(axis=axes) * (count / (count - 1)))):
            if run is not None:
                r = run.numpy()
                r *= 1.0 - momentum
                r += (momentum * stat().mean(axis=0)).astype(r.dtype, copy=False)
    bshape = (1, c) + (1,) * (x.ndim - 2)
    if weight is not None:
        y = y * weight.reshape(bshape)
    return y if bias is None else y + bias.reshape(bshape)


def layer_norm(x: Tensor, normalized_shape, weight: Tensor | None = None, bias: Tensor | None = None,
               eps: float = 1e-5) -> Tensor:
    """Normalise over the last ``len(normalized_shape)`` dimensions, then ``* weight + bias`` (elementwise)."""
    x = as_tensor(x)
    shape = (int(normalized_shape),) if isinstance(normalized_shape, (int, np.integer)) else \
        tuple(int(d) for d in normalized_shape)
    k = len(shape)
    if k == 0 or x.ndim < k or tuple(x.shape[x.ndim - k:]) != shape:
        raise ValueError(f"layer_norm: given normalized_shape={list(shape)}, expected an input of shape "
                         f"[*, {', '.join(map(str, shape))}], got shape {tuple(x.shape)}")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and tuple(t.shape) != shape:
            raise ValueError(f"layer_norm: {name} has shape {tuple(t.shape)}, expected normalized_shape {shape}")
    y = _normalize(x, tuple(range(x.ndim - k, x.ndim)), eps)
    if weight is not None:
        y = y * weight
    return y if bias is None else y + bias


def group_norm(x: Tensor, num_groups: int, weight: Tensor | None = None, bias: Tensor | None = None,
               eps: float = 1e-5) -> Tensor:
    """Split the channels (axis 1) of ``x`` (N, C, *) into ``num_groups`` groups, normalise each group of each
    sample, then ``* weight + bias`` per channel."""
    x = as_tensor(x)
    if x.ndim < 2 or num_groups < 1 or x.shape[1] % num_groups:
        raise ValueError(f"group_norm: expected an input of shape (N, C, *) with C divisible by num_groups="
                         f"{num_groups}, got shape {tuple(x.shape)}")
    n, c = x.shape[0], x.shape[1]
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and tuple(t.shape) != (c,):
            raise ValueError(f"group_norm: {name} has shape {tuple(t.shape)} but the input has {c} channels "
                             f"(shape {tuple(x.shape)})")
    y = _normalize(x.reshape((n, num_groups, -1)), (2,), eps).reshape(x.shape)
    bshape = (1, c) + (1,) * (x.ndim - 2)
    if weight is not None:
        y = y * weight.reshape(bshape)
    return y if bias is None else y + bias.reshape(bshape)


def local_response_norm(x: Tensor, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0) -> Tensor:
    """``x / (k + alpha / size * sum of x² over a window of size channels) ** beta`` (AlexNet's LRN).

    The window around channel c runs from c - size // 2 to c + (size - 1) // 2, zero-padded, as PyTorch's.
    """
    x = as_tensor(x)
    if x.ndim < 3:
        raise ValueError(f"local_response_norm: expected a 3-D or higher input (N, C, *), got shape "
                         f"{tuple(x.shape)}")
    c = x.shape[1]
    j, ch = np.arange(c)[:, None], np.arange(c)[None, :]
    band = ((j >= ch - size // 2) & (j <= ch + (size - 1) // 2)).astype(x.dtype)  # band[j, c]: j in c's window
    window = autograd.matmul(autograd.swapaxes(x * x, 1, -1), Tensor(band))  # channels last, summed by window
    div = (autograd.swapaxes(window, 1, -1) * (alpha / size) + k) ** beta
    return x / div


def dropout(x: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Inverted dropout: zero each element with probability ``p`` and scale survivors by 1/(1-p);
    the identity when not training. Draws from ``autograd.default_generator()``.

    ``inplace`` is accepted for PyTorch's signature; the result is always a new tensor.
    """
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout: p must be a probability in [0, 1], got {p}")
    x = as_tensor(x)
    if not training or p == 0.0:
        return x
    if p == 1.0:
        return x * np.zeros((), dtype=x.dtype)
    dt = x.dtype if x.dtype.kind == "f" else np.float32
    keep = autograd.default_generator().random(x.shape, dtype=np.float32 if dt == np.float32 else np.float64) >= p
    mask = np.multiply(keep, 1.0 / (1.0 - p), dtype=dt)
    return x * mask
