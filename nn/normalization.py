"""Batch, instance, layer, group and local-response normalisation and Dropout (PyTorch's arguments, buffers,
train/eval behaviour)."""
from __future__ import annotations

import numpy as np

import autograd
from autograd import Tensor, as_tensor

from . import functional as F
from .module import Module, Parameter

__all__ = ["BatchNorm1d", "BatchNorm2d", "InstanceNorm1d", "InstanceNorm2d", "LayerNorm", "GroupNorm",
           "LocalResponseNorm", "Dropout"]


class _BatchNorm(Module):
    """Shared by BatchNorm1d/2d: affine weight/bias, running statistics as buffers."""

    _dims: tuple[int, ...] = ()

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1, affine: bool = True,
                 track_running_stats: bool = True, dtype=np.float32, *, bias: bool = True) -> None:
        super().__init__()
        if not isinstance(num_features, (int, np.integer)) or isinstance(num_features, bool) or num_features < 1:
            raise ValueError(f"{type(self).__name__}: num_features must be a positive int, got {num_features!r}")
        self.num_features, self.eps, self.momentum = int(num_features), eps, momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        _affine(self, affine, bias, (self.num_features,), dtype)
        if track_running_stats:
            self.register_buffer("running_mean", Tensor(np.zeros(num_features, dtype=dtype)))
            self.register_buffer("running_var", Tensor(np.ones(num_features, dtype=dtype)))
            self.register_buffer("num_batches_tracked", Tensor(np.array(0, dtype=np.int64)))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)

    def reset_running_stats(self) -> None:
        """Running mean 0, running variance 1, no batches seen."""
        if self.track_running_stats:
            self.running_mean.numpy()[...] = 0
            self.running_var.numpy()[...] = 1
            self.num_batches_tracked.numpy()[...] = 0

    def forward(self, x: Tensor) -> Tensor:
        """Normalised ``x``: batch statistics in training (updating the running ones), running ones in eval."""
        x = as_tensor(x)
        if x.ndim not in self._dims:
            raise ValueError(f"{type(self).__name__} layer {autograd.current_scope() or '<root>'!r} expects a "
                             f"{' or '.join(f'{d}-D' for d in self._dims)} input, got shape {tuple(x.shape)}")
        if x.shape[1] != self.num_features:
            raise ValueError(f"{type(self).__name__} layer {autograd.current_scope() or '<root>'!r} expected "
                             f"{self.num_features} channels (axis 1), got shape {tuple(x.shape)}")
        momentum = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats:
            self.num_batches_tracked.numpy()[...] += 1
            if self.momentum is None:  # cumulative moving average
                momentum = 1.0 / float(self.num_batches_tracked.numpy())
        use_batch = self.training or self.running_mean is None
        track = not self.training or self.track_running_stats
        return F.batch_norm(x, self.running_mean if track else None, self.running_var if track else None,
                            self.weight, self.bias, use_batch, momentum, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
                f"bias={self.bias is not None}, track_running_stats={self.track_running_stats}")


class BatchNorm1d(_BatchNorm):
    """Batch normalisation of (N, C) or (N, C, L) input, per feature C."""

    _dims = (2, 3)


class BatchNorm2d(_BatchNorm):
    """Batch normalisation of (N, C, H, W) input, per channel C."""

    _dims = (4,)


class _InstanceNorm(_BatchNorm):
    """Shared by InstanceNorm1d/2d: PyTorch's defaults (no affine map, no running statistics)."""

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1, affine: bool = False,
                 track_running_stats: bool = False, dtype=np.float32, *, bias: bool = True) -> None:
        super().__init__(num_features, eps, momentum, affine, track_running_stats, dtype, bias=bias)

    def forward(self, x: Tensor) -> Tensor:
        """Each sample's channels normalised by their own statistics (in eval, by the running ones if tracked);
        an unbatched (C, *) input is accepted, as PyTorch's."""
        x = as_tensor(x)
        if x.ndim not in self._dims:
            raise ValueError(f"{type(self).__name__} layer {autograd.current_scope() or '<root>'!r} expects a "
                             f"{' or '.join(f'{d}-D' for d in self._dims)} input, got shape {tuple(x.shape)}")
        batched = x.ndim == self._dims[-1]
        if not batched:
            x = x.unsqueeze(0)
        if x.shape[1] != self.num_features and (self.affine or self.track_running_stats):
            raise ValueError(f"{type(self).__name__} layer {autograd.current_scope() or '<root>'!r} expected "
                             f"{self.num_features} channels, got shape {tuple(x.shape)}")
        # NOTE: as PyTorch's, momentum=None means 0 here and num_batches_tracked is not counted
        y = F.instance_norm(x, self.running_mean, self.running_var, self.weight, self.bias,
                            self.training or not self.track_running_stats,
                            0.0 if self.momentum is None else self.momentum, self.eps)
        return y if batched else y.squeeze(0)


class InstanceNorm1d(_InstanceNorm):
    """Instance normalisation of (N, C, L) or (C, L) input: each sample's channel over its length."""

    _dims = (2, 3)


class InstanceNorm2d(_InstanceNorm):
    """Instance normalisation of (N, C, H, W) or (C, H, W) input: each sample's channel over its plane."""

    _dims = (3, 4)


def _affine(m: Module, affine: bool, bias: bool, shape: tuple, dtype) -> None:
    """Register ``weight`` (ones) and ``bias`` (zeros) of ``shape``, or None where absent (PyTorch's init)."""
    m.register_parameter("weight", Parameter(np.ones(shape, dtype=dtype)) if affine else None)
    m.register_parameter("bias", Parameter(np.zeros(shape, dtype=dtype)) if affine and bias else None)


class LayerNorm(Module):
    """Normalise each sample over its last dimensions ``normalized_shape``, with an elementwise affine map."""

    def __init__(self, normalized_shape, eps: float = 1e-5, elementwise_affine: bool = True, bias: bool = True,
                 dtype=np.float32) -> None:
        super().__init__()
        shape = (normalized_shape,) if isinstance(normalized_shape, (int, np.integer)) else tuple(normalized_shape)
        if not shape or not all(isinstance(d, (int, np.integer)) and not isinstance(d, bool) and d > 0
                                for d in shape):
            raise ValueError(f"LayerNorm: normalized_shape must be a positive int or a non-empty sequence of "
                             f"them, got {normalized_shape!r}")
        self.normalized_shape = tuple(int(d) for d in shape)
        self.eps, self.elementwise_affine = eps, elementwise_affine
        _affine(self, elementwise_affine, bias, self.normalized_shape, dtype)

    def forward(self, x: Tensor) -> Tensor:
        """``layer_norm`` over the last ``len(normalized_shape)`` dimensions."""
        x = as_tensor(x)
        k = len(self.normalized_shape)
        if tuple(x.shape[max(x.ndim - k, 0):]) != self.normalized_shape or x.ndim < k:
            raise ValueError(f"LayerNorm layer {autograd.current_scope() or '<root>'!r}: normalized_shape="
                             f"{self.normalized_shape} expects an input of shape (*, "
                             f"{', '.join(map(str, self.normalized_shape))}), got shape {tuple(x.shape)}")
        return F.layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}, "
                f"bias={self.bias is not None}")


class GroupNorm(Module):
    """Normalise each sample over groups of channels (axis 1), with a per-channel affine map."""

    def __init__(self, num_groups: int, num_channels: int, eps: float = 1e-5, affine: bool = True,
                 dtype=np.float32, *, bias: bool = True) -> None:
        super().__init__()
        for name, v in (("num_groups", num_groups), ("num_channels", num_channels)):
            if not isinstance(v, (int, np.integer)) or isinstance(v, bool) or v < 1:
                raise ValueError(f"GroupNorm: {name} must be a positive int, got {v!r}")
        if num_channels % num_groups:
            raise ValueError(f"GroupNorm: num_channels ({num_channels}) must be divisible by num_groups "
                             f"({num_groups})")
        self.num_groups, self.num_channels, self.eps, self.affine = int(num_groups), int(num_channels), eps, affine
        _affine(self, affine, bias, (self.num_channels,), dtype)

    def forward(self, x: Tensor) -> Tensor:
        """``group_norm`` of an (N, C, *) input."""
        x = as_tensor(x)
        if x.ndim < 2 or x.shape[1] != self.num_channels:
            raise ValueError(f"GroupNorm layer {autograd.current_scope() or '<root>'!r} expected an input of shape "
                             f"(N, {self.num_channels}, *), got shape {tuple(x.shape)}")
        return F.group_norm(x, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}, "
                f"bias={self.bias is not None}")


class LocalResponseNorm(Module):
    """Divide each channel by ``(k + alpha / size * sum of squares over size neighbouring channels) ** beta``."""

    def __init__(self, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0) -> None:
        super().__init__()
        if not isinstance(size, (int, np.integer)) or isinstance(size, bool) or size < 1:
            raise ValueError(f"LocalResponseNorm: size must be a positive int, got {size!r}")
        self.size, self.alpha, self.beta, self.k = int(size), alpha, beta, k

    def forward(self, x: Tensor) -> Tensor:
        """``local_response_norm`` of an (N, C, *) input."""
        return F.local_response_norm(x, self.size, self.alpha, self.beta, self.k)

    def extra_repr(self) -> str:
        return f"{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"


class Dropout(Module):
    """Inverted dropout: in training zero each element with probability p and scale the rest by 1/(1-p);
    the identity in eval mode."""

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"Dropout: p must be a probability in [0, 1], got {p}")
        self.p, self.inplace = p, inplace  # inplace: PyTorch's flag, accepted; the result is a new tensor

    def forward(self, x: Tensor) -> Tensor:
        """``x`` with dropout applied when training."""
        return F.dropout(x, self.p, self.training)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"
