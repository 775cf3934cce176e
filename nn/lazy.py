"""Lazy layers (d2l.ai's style): the input size is read from the first input, then the layer becomes an
ordinary ``Linear`` / ``Conv2d``. The parameters are the same objects before and after, so an optimizer
built before the first call (as d2l's trainer does) updates them. A never-run lazy module also takes its
shapes from ``load_state_dict`` (d2l's File I/O: ``clone = MLP(); clone.load_state_dict(...)``)."""
from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor

from .conv import Conv2d
from .linear import Linear
from .module import Module
from .parameter import UninitializedParameter

__all__ = ["UninitializedParameter", "LazyLinear", "LazyConv2d"]


class _Lazy(Module):
    """The first call (or a state-dict load) materialises the parameters from the input's size, then the
    module is its full class."""

    becomes: type

    def _in_size(self, x: Tensor) -> int:
        """The input size (features, channels) read from the first input."""
        raise NotImplementedError

    def _in_from_weight(self, weight_shape: tuple) -> int:
        """The input size a weight of ``weight_shape`` implies (-1 where its rank is wrong)."""
        raise NotImplementedError

    def _shapes(self, n_in: int) -> dict[str, tuple]:
        """The shapes of ``weight`` and ``bias`` for input size ``n_in``."""
        raise NotImplementedError

    def _set_in(self, n_in: int) -> None:
        raise NotImplementedError

    def _materialize_in(self, n_in: int) -> None:
        """Set the input size, give the parameters their shapes and PyTorch's initial values."""
        self._set_in(n_in)
        for name, shape in self._shapes(n_in).items():
            p = self._parameters.get(name)
            if isinstance(p, UninitializedParameter):
                p.materialize(shape)
        self.__class__ = self.becomes
        self.reset_parameters()

    def _shapes_from_weight(self, weight_shape: tuple) -> dict[str, tuple]:
        """What ``load_state_dict`` expects of each parameter given the checkpoint's weight shape."""
        return self._shapes(max(self._in_from_weight(tuple(weight_shape)), 0))

    def _materialize_from_weight(self, weight_shape: tuple) -> None:
        self._materialize_in(self._in_from_weight(tuple(weight_shape)))

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if isinstance(self.weight, UninitializedParameter):
            self._materialize_in(self._in_size(args[0] if isinstance(args[0], Tensor) else Tensor(args[0])))
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

    def _in_size(self, x: Tensor) -> int:
        if x.ndim == 0:
            raise ValueError("LazyLinear: the first input must have at least one dimension, got a 0-d tensor")
        return int(x.shape[-1])

    def _in_from_weight(self, weight_shape: tuple) -> int:
        return int(weight_shape[1]) if len(weight_shape) == 2 else -1

    def _shapes(self, n_in: int) -> dict[str, tuple]:
        return {"weight": (self.out_features, n_in), "bias": (self.out_features,)}

    def _set_in(self, n_in: int) -> None:
        self.in_features = n_in


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

    def _in_size(self, x: Tensor) -> int:
        if x.ndim not in (3, 4):
            raise ValueError(f"LazyConv2d: the first input must be (N, C, H, W) or (C, H, W), got shape {x.shape}")
        return int(x.shape[-3])

    def _in_from_weight(self, weight_shape: tuple) -> int:
        return int(weight_shape[1]) * self.groups if len(weight_shape) == 4 else -1

    def _shapes(self, n_in: int) -> dict[str, tuple]:
        return {"weight": (self.out_channels, n_in // self.groups) + self.kernel_size, "bias": (self.out_channels,)}

    def _set_in(self, n_in: int) -> None:
        if n_in % self.groups:
            raise ValueError(f"LazyConv2d: groups={self.groups} must divide the input's {n_in} channels")
        self.in_channels = n_in
