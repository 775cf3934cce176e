"""Linear (fully connected), Identity and Flatten."""
from __future__ import annotations

import math

import numpy as np

import autograd
from autograd import Tensor

from . import init
from .module import Module, Parameter

__all__ = ["Linear", "Identity", "Flatten"]


class Linear(Module):
    """y = x Wᵀ + b with W of shape (out_features, in_features); PyTorch's default initialisation."""

    def __init__(self, in_features: int, out_features: int, bias: bool = True, dtype=np.float32) -> None:
        super().__init__()
        for name, v in (("in_features", in_features), ("out_features", out_features)):
            if not isinstance(v, (int, np.integer)) or isinstance(v, bool) or v < 0:
                raise ValueError(f"Linear: {name} must be a non-negative int, got {v!r}")
        self.in_features, self.out_features = int(in_features), int(out_features)
        self.weight = Parameter(np.empty((out_features, in_features), dtype=dtype))
        self.register_parameter("bias", Parameter(np.empty((out_features,), dtype=dtype)) if bias else None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Kaiming-uniform with a=√5 for the weight, U(±1/√fan_in) for the bias (PyTorch's defaults)."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            bound = 1 / math.sqrt(self.in_features) if self.in_features > 0 else 0.0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, x: Tensor) -> Tensor:
        """x @ Wᵀ + b over the last dimension of ``x``."""
        x = x if isinstance(x, Tensor) else Tensor(x)
        if x.ndim == 0 or x.shape[-1] != self.in_features:
            where = autograd.current_scope() or "<root>"
            raise ValueError(f"{type(self).__name__} layer {where!r} ({self.extra_repr()}) expected input whose "
                             f"last dimension has {self.in_features} features, got shape {tuple(x.shape)}")
        return autograd.linear(x, self.weight, self.bias)

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


class Identity(Module):
    """Returns its input unchanged (the lecture's linear activation φ(z) = z)."""

    def __init__(self, *args, **kwargs) -> None:  # PyTorch accepts and ignores any arguments
        super().__init__()

    def forward(self, x: Tensor) -> Tensor:
        """x."""
        return x


class Flatten(Module):
    """Merge dimensions ``start_dim..end_dim`` (default: all but the batch dimension)."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, x: Tensor) -> Tensor:
        """x with the dimensions merged."""
        x = x if isinstance(x, Tensor) else Tensor(x)
        for d in (self.start_dim, self.end_dim):
            if x.ndim and not -x.ndim <= d < x.ndim:
                raise ValueError(f"Flatten: dimension {d} is out of range for an input of shape {tuple(x.shape)}")
        return x.flatten(self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"
