"""Conv2d and the pooling layers on NCHW tensors (PyTorch's names, arguments and initialisation)."""
from __future__ import annotations

import math

import numpy as np

import autograd
from autograd import Tensor, as_tensor
from autograd.ops.conv import pair

from . import functional as F
from . import init
from .module import Module, Parameter

__all__ = ["Conv2d", "MaxPool2d", "AvgPool2d", "AdaptiveAvgPool2d"]

IntPair = int | tuple[int, int]


def _where() -> str:
    return autograd.current_scope() or "<root>"


class Conv2d(Module):
    """2-D convolution (cross-correlation) over NCHW input; weight (out, in/groups, kh, kw)."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: IntPair, stride: IntPair = 1,
                 padding: IntPair | str = 0, dilation: IntPair = 1, groups: int = 1, bias: bool = True,
                 dtype=np.float32) -> None:
        super().__init__()
        for name, v in (("in_channels", in_channels), ("out_channels", out_channels), ("groups", groups)):
            if not isinstance(v, (int, np.integer)) or isinstance(v, bool) or v < 1:
                raise ValueError(f"Conv2d: {name} must be a positive int, got {v!r}")
        if in_channels % groups or out_channels % groups:
            raise ValueError(f"Conv2d: groups={groups} must divide in_channels={in_channels} and "
                             f"out_channels={out_channels}")
        self.in_channels, self.out_channels, self.groups = int(in_channels), int(out_channels), int(groups)
        self.kernel_size = pair(kernel_size, "kernel_size", "Conv2d")
        self.stride, self.dilation = pair(stride, "stride", "Conv2d"), pair(dilation, "dilation", "Conv2d")
        self.padding = padding if isinstance(padding, str) else pair(padding, "padding", "Conv2d")
        self.weight = Parameter(np.empty((out_channels, in_channels // groups) + self.kernel_size, dtype=dtype))
        self.register_parameter("bias", Parameter(np.empty((out_channels,), dtype=dtype)) if bias else None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Kaiming-uniform with a=√5 for the weight, U(±1/√fan_in) for the bias (PyTorch's defaults)."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in = self.weight.shape[1] * self.kernel_size[0] * self.kernel_size[1]
            bound = 1 / math.sqrt(fan_in)
            init.uniform_(self.bias, -bound, bound)

    def forward(self, x: Tensor) -> Tensor:
        """The convolution of ``x`` (N, in_channels, H, W) -> (N, out_channels, H', W')."""
        x = as_tensor(x)
        if x.ndim != 4:
            raise ValueError(f"Conv2d layer {_where()!r} ({self.extra_repr()}) expects a 4-D NCHW input "
                             f"(batch, channels, height, width), got shape {tuple(x.shape)}"
                             + (" (add a batch dimension with x.unsqueeze(0))" if x.ndim == 3 else ""))
        if x.shape[1] != self.in_channels:
            raise ValueError(f"Conv2d layer {_where()!r} ({self.extra_repr()}) expected input with "
                             f"{self.in_channels} channels, got {x.shape[1]} (input shape {tuple(x.shape)})")
        return F.conv2d(x, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups)

    def extra_repr(self) -> str:
        s = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding not in ((0, 0), "valid"):
            s += f", padding={self.padding}"
        if self.dilation != (1, 1):
            s += f", dilation={self.dilation}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        return s + ("" if self.bias is not None else ", bias=False")


def _unsupported(name: str, dilation: IntPair = 1, ceil_mode: bool = False, return_indices: bool = False,
                 divisor_override: int | None = None) -> None:
    """PyTorch's pooling options that tracegrad accepts only at their defaults."""
    if pair(dilation, "dilation", name) != (1, 1) or ceil_mode or return_indices or divisor_override is not None:
        raise ValueError(f"{name}: dilation != 1, ceil_mode=True, return_indices=True and divisor_override are "
                         "not supported")


class MaxPool2d(Module):
    """Max over each kernel_size window (stride defaults to kernel_size)."""

    def __init__(self, kernel_size: IntPair, stride: IntPair | None = None, padding: IntPair = 0,
                 dilation: IntPair = 1, return_indices: bool = False, ceil_mode: bool = False) -> None:
        super().__init__()
        _unsupported("MaxPool2d", dilation, ceil_mode, return_indices)
        self.kernel_size, self.padding = kernel_size, padding
        self.stride = stride if stride is not None else kernel_size
        self.dilation, self.return_indices, self.ceil_mode = dilation, return_indices, ceil_mode

    def forward(self, x: Tensor) -> Tensor:
        """Pooled ``x``."""
        return F.max_pool2d(x, self.kernel_size, self.stride, self.padding)

    def extra_repr(self) -> str:
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
                f"dilation={self.dilation}, ceil_mode={self.ceil_mode}")


class AvgPool2d(Module):
    """Mean over each kernel_size window (stride defaults to kernel_size); PyTorch's argument order."""

    def __init__(self, kernel_size: IntPair, stride: IntPair | None = None, padding: IntPair = 0,
                 ceil_mode: bool = False, count_include_pad: bool = True, divisor_override: int | None = None) -> None:
        super().__init__()
        _unsupported("AvgPool2d", ceil_mode=ceil_mode, divisor_override=divisor_override)
        self.kernel_size, self.padding = kernel_size, padding
        self.stride = stride if stride is not None else kernel_size
        self.ceil_mode, self.count_include_pad, self.divisor_override = ceil_mode, count_include_pad, divisor_override

    def forward(self, x: Tensor) -> Tensor:
        """Pooled ``x``."""
        return F.avg_pool2d(x, self.kernel_size, self.stride, self.padding, self.count_include_pad)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AdaptiveAvgPool2d(Module):
    """Average pooling to a fixed ``output_size`` whatever the input's size (1: global average pooling)."""

    def __init__(self, output_size: int | tuple[int | None, int | None]) -> None:
        super().__init__()
        self.output_size = output_size

    def forward(self, x: Tensor) -> Tensor:
        """Pooled ``x`` of spatial size ``output_size``."""
        return F.adaptive_avg_pool2d(x, self.output_size)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"
