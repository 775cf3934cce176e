"""Lazy layers (d2l.ai's style): the input size is read from the first input, then the layer becomes an
ordinary ``Linear`` / ``Conv2d``. The parameters are the same objects before and after, so an optimizer
built before the first call (as d2l's trainer does) updates them."""
from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor

from .conv import Conv2d
from .linear import Linear
from .module import Module, Parameter

__all__ = ["UninitializedParameter", "LazyLinear", "LazyConv2d"]


class UninitializedParameter(Parameter):
    """A parameter whose shape is not known yet (a lazy layer's, before its first call)."""

    __slots__ = ()

    def __init__(self, requires_grad: bool = True, dtype: Any = np.float32) -> None:
        super().__init__(np.empty((0,), dtype=dtype), requires_grad=requires_grad)

    def materialize(self, shape: tuple, dtype: Any = None) -> None:
        """Give it its shape (values set by the layer's initialiser next); it becomes a plain Parameter."""
        self.data = np.empty(shape, dtype=dtype or self.dtype)
        self.__class__ = Parameter

    def __repr__(self) -> str:
        return "<UninitializedParameter>"


class _Lazy(Module):
    """The first call materialises the parameters from the input's size, then the module is its full class."""

    becomes: type

    def _materialize(self, x: Tensor) -> None:
        raise NotImplementedError

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if isinstance(self.weight, UninitializedParameter):
            x = args[0] if isinstance(args[0], Tensor) else Tensor(args[0])
            self._materialize(x)
            self.__class__ = self.becomes
            self.reset_parameters()
        return Module.__call__(self, *args, **kwargs)


class LazyLinear(_Lazy, Linear):
    """``Linear`` whose ``in_features`` is the last dimension of the first input."""

    becomes = Linear

    def __init__(self, out_features: int, bias: bool = True, dtype: Any = np.float32) -> None:
        Module.__init__(self)
        if not isinstance(out_features, (int, np.integer)) or out_features < 0:
            raise ValueError(f"LazyLinear: out_features must be a non-negative int, got {out_features!r}")
        self.in_features, self.out_features = 0, int(out_features)
        self.weight = UninitializedParameter(dtype=dtype)
        self.register_parameter("bias", UninitializedParameter(dtype=dtype) if bias else None)

    def _materialize(self, x: Tensor) -> None:
        if x.ndim == 0:
            raise ValueError("LazyLinear: the first input must have at least one dimension, got a 0-d tensor")
        self.in_features = int(x.shape[-1])
        self.weight.materialize((self.out_features, self.in_features))
        if self.bias is not None:
            self.bias.materialize((self.out_features,))


class LazyConv2d(_Lazy, Conv2d):
    """``Conv2d`` whose ``in_channels`` is read from the first input (N, C, H, W)."""

    becomes = Conv2d

    def __init__(self, out_channels: int, kernel_size: Any, stride: Any = 1, padding: Any = 0, dilation: Any = 1,
                 groups: int = 1, bias: bool = True, dtype: Any = np.float32) -> None:
        Conv2d.__init__(self, groups, out_channels, kernel_size, stride, padding, dilation, groups, bias, dtype)
        self.in_channels = 0
        self.weight = UninitializedParameter(dtype=dtype)
        if bias:
            self.bias = UninitializedParameter(dtype=dtype)

    def _materialize(self, x: Tensor) -> None:
        if x.ndim not in (3, 4):
            raise ValueError(f"LazyConv2d: the first input must be (N, C, H, W) or (C, H, W), got shape {x.shape}")
        self.in_channels = int(x.shape[-3])
        if self.in_channels % self.groups:
            raise ValueError(f"LazyConv2d: groups={self.groups} must divide the input's {self.in_channels} channels")
        self.weight.materialize((self.out_channels, self.in_channels // self.groups) + self.kernel_size)
        if self.bias is not None:
            self.bias.materialize((self.out_channels,))
