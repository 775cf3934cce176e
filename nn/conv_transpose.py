"""ConvTranspose2d, the 1-D convolutions and the 1-D / adaptive-max pools (PyTorch's names, arguments,
parameter shapes, initialisation and reprs)."""
from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np

import autograd
from autograd import Tensor, as_tensor

from . import functional as F
from . import init
from .functional.conv_transpose import transposed_size
from .module import Module, Parameter

__all__ = ["ConvTranspose2d", "Conv1d", "ConvTranspose1d", "MaxPool1d", "AvgPool1d", "AdaptiveAvgPool1d",
           "AdaptiveMaxPool1d", "AdaptiveMaxPool2d"]


def _where() -> str:
    return autograd.current_scope() or "<root>"


def _tuple(v: Any, n: int, name: str, layer: str) -> tuple[int, ...]:
    t = (v,) * n if isinstance(v, (int, np.integer)) else tuple(v)
    if len(t) != n or not all(isinstance(i, (int, np.integer)) and not isinstance(i, bool) for i in t):
        raise ValueError(f"{layer}: {name} must be an int or a tuple of {n} ints, got {v!r}")
    return tuple(int(i) for i in t)


class _ConvNd(Module):
    """Shared by the convolutions: argument checks, parameters, PyTorch's init and repr."""

    transposed = False
    dims = 2

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1, padding: Any = 0,
                 dilation: Any = 1, groups: int = 1, bias: bool = True, padding_mode: str = "zeros",
                 output_padding: Any = 0, device: Any = None, dtype: Any = np.float32) -> None:
        super().__init__()
        layer, n = type(self).__name__, self.dims
        for name, v in (("in_channels", in_channels), ("out_channels", out_channels), ("groups", groups)):
            if not isinstance(v, (int, np.integer)) or isinstance(v, bool) or v < 1:
                raise ValueError(f"{layer}: {name} must be a positive int, got {v!r}")
        if in_channels % groups or out_channels % groups:
            raise ValueError(f"{layer}: groups={groups} must divide in_channels={in_channels} and "
                             f"out_channels={out_channels}")
        if padding_mode != "zeros":
            raise ValueError(f"{layer}: only padding_mode='zeros' is supported, got {padding_mode!r}")
        self.in_channels, self.out_channels, self.groups = int(in_channels), int(out_channels), int(groups)
        self.kernel_size = _tuple(kernel_size, n, "kernel_size", layer)
        self.stride, self.dilation = _tuple(stride, n, "stride", layer), _tuple(dilation, n, "dilation", layer)
        if isinstance(padding, str):
            if self.transposed or padding not in ("same", "valid"):
                raise ValueError(f"{layer}: padding must be an int or a tuple of ints"
                                 + ("" if self.transposed else " or 'same' / 'valid'") + f", got {padding!r}")
            self.padding: Any = padding
        else:
            self.padding = _tuple(padding, n, "padding", layer)
        self.output_padding = _tuple(output_padding, n, "output_padding", layer)
        self.padding_mode = padding_mode
        shape = ((in_channels, out_channels // groups) if self.transposed else (out_channels, in_channels // groups))
        self.weight = Parameter(np.empty(shape + self.kernel_size, dtype=dtype))
        self.register_parameter("bias", Parameter(np.empty((out_channels,), dtype=dtype)) if bias else None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Kaiming-uniform with a=√5 for the weight, U(±1/√fan_in) for the bias (PyTorch's defaults)."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in = self.weight.shape[1] * int(np.prod(self.kernel_size))
            bound = 1 / math.sqrt(fan_in) if fan_in else 0.0
            init.uniform_(self.bias, -bound, bound)

    def _check(self, x: Any) -> Tensor:
        x = as_tensor(x)
        layout = "(batch, channels, length)" if self.dims == 1 else "NCHW (batch, channels, height, width)"
        if x.ndim not in (self.dims + 1, self.dims + 2):
            raise ValueError(f"{type(self).__name__} layer {_where()!r} ({self.extra_repr()}) expects a "
                             f"{self.dims + 2}-D {layout} input (or {self.dims + 1}-D unbatched), got shape "
                             f"{tuple(x.shape)}")
        c = x.shape[-self.dims - 1]
        if c != self.in_channels:
            raise ValueError(f"{type(self).__name__} layer {_where()!r} ({self.extra_repr()}) expected input with "
                             f"{self.in_channels} channels, got {c} (input shape {tuple(x.shape)})")
        return x

    def extra_repr(self) -> str:
        s = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != (0,) * self.dims:
            s += f", padding={self.padding}"
        if self.dilation != (1,) * self.dims:
            s += f", dilation={self.dilation}"
        if self.output_padding != (0,) * self.dims:
            s += f", output_padding={self.output_padding}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        return s + ("" if self.bias is not None else ", bias=False")


class _ConvTransposeNd(_ConvNd):
    transposed = True

    def _output_padding(self, x: Tensor, output_size: Sequence[int] | None) -> tuple[int, ...]:
        """PyTorch's ``output_size`` argument: the output_padding that gives it (checked against the range)."""
        if output_size is None:
            return self.output_padding
        size = list(output_size)[-self.dims:]
        if len(size) != self.dims:
            raise ValueError(f"{type(self).__name__}: output_size must have {self.dims} or {self.dims + 2} "
                             f"entries, got {output_size!r}")
        pads = []
        for n, want, k, s, p, d in zip(x.shape[-self.dims:], size, self.kernel_size, self.stride, self.padding,
                                       self.dilation):
            lo = transposed_size(n, k, s, p, 0, d)
            if not lo <= want < lo + s:
                raise ValueError(f"{type(self).__name__} layer {_where()!r}: requested an output size of "
                                 f"{list(size)}, but valid sizes range from {lo} to {lo + s - 1} (for an input of "
                                 f"{tuple(x.shape[-self.dims:])})")
            pads.append(int(want) - lo)
        return tuple(pads)


class ConvTranspose2d(_ConvTransposeNd):
    """2-D transposed convolution (the adjoint of Conv2d) over NCHW input; weight (in, out/groups, kh, kw)."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1, padding: Any = 0,
                 output_padding: Any = 0, groups: int = 1, bias: bool = True, dilation: Any = 1,
                 padding_mode: str = "zeros", device: Any = None, dtype: Any = np.float32) -> None:
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias,
                         padding_mode, output_padding, device, dtype)

    def forward(self, x: Tensor, output_size: Sequence[int] | None = None) -> Tensor:
        """``x`` (N, in_channels, H, W) -> (N, out_channels, H', W'), H' = (H-1)s - 2p + d(k-1) + op + 1."""
        x = self._check(x)
        return F.conv_transpose2d(x, self.weight, self.bias, self.stride, self.padding,
                                  self._output_padding(x, output_size), self.groups, self.dilation)


class ConvTranspose1d(_ConvTransposeNd):
    """1-D transposed convolution over (N, C, L); weight (in, out/groups, k)."""

    dims = 1

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1, padding: Any = 0,
                 output_padding: Any = 0, groups: int = 1, bias: bool = True, dilation: Any = 1,
                 padding_mode: str = "zeros", device: Any = None, dtype: Any = np.float32) -> None:
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias,
                         padding_mode, output_padding, device, dtype)

    def forward(self, x: Tensor, output_size: Sequence[int] | None = None) -> Tensor:
        """``x`` (N, in_channels, L) -> (N, out_channels, L')."""
        x = self._check(x)
        return F.conv_transpose1d(x, self.weight, self.bias, self.stride, self.padding,
                                  self._output_padding(x, output_size), self.groups, self.dilation)


class Conv1d(_ConvNd):
    """1-D convolution (cross-correlation) over (N, C, L); weight (out, in/groups, k)."""

    dims = 1

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1, padding: Any = 0,
                 dilation: Any = 1, groups: int = 1, bias: bool = True, padding_mode: str = "zeros",
                 device: Any = None, dtype: Any = np.float32) -> None:
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias,
                         padding_mode, 0, device, dtype)

    def forward(self, x: Tensor) -> Tensor:
        """``x`` (N, in_channels, L) -> (N, out_channels, L')."""
        x = self._check(x)
        return F.conv1d(x, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups)


class MaxPool1d(Module):
    """Max over each window of (N, C, L) (stride defaults to kernel_size)."""

    def __init__(self, kernel_size: int, stride: int | None = None, padding: int = 0, dilation: int = 1,
                 return_indices: bool = False, ceil_mode: bool = False) -> None:
        super().__init__()
        self.kernel_size, self.stride = kernel_size, stride if stride is not None else kernel_size
        self.padding, self.dilation, self.return_indices, self.ceil_mode = padding, dilation, return_indices, ceil_mode

    def forward(self, x: Tensor) -> Tensor:
        """Pooled ``x``."""
        return F.max_pool1d(x, self.kernel_size, self.stride, self.padding, self.dilation, self.ceil_mode,
                            self.return_indices)

    def extra_repr(self) -> str:
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
                f"dilation={self.dilation}, ceil_mode={self.ceil_mode}")


class AvgPool1d(Module):
    """Mean over each window of (N, C, L) (stride defaults to kernel_size)."""

    def __init__(self, kernel_size: int, stride: int | None = None, padding: int = 0, ceil_mode: bool = False,
                 count_include_pad: bool = True) -> None:
        super().__init__()
        self.kernel_size = _tuple(kernel_size, 1, "kernel_size", "AvgPool1d")
        self.stride = _tuple(stride if stride is not None else kernel_size, 1, "stride", "AvgPool1d")
        self.padding = _tuple(padding, 1, "padding", "AvgPool1d")
        self.ceil_mode, self.count_include_pad = ceil_mode, count_include_pad

    def forward(self, x: Tensor) -> Tensor:
        """Pooled ``x``."""
        return F.avg_pool1d(x, self.kernel_size, self.stride, self.padding, self.ceil_mode, self.count_include_pad)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class _Adaptive(Module):
    fn = staticmethod(F.adaptive_avg_pool1d)

    def __init__(self, output_size: Any, return_indices: bool = False) -> None:
        super().__init__()
        self.output_size, self.return_indices = output_size, return_indices
        if return_indices:
            raise ValueError(f"{type(self).__name__}: return_indices=True is not supported")

    def forward(self, x: Tensor) -> Tensor:
        """Pooled ``x`` of size ``output_size``."""
        return type(self).fn(x, self.output_size)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveAvgPool1d(_Adaptive):
    """Average pooling of (N, C, L) to length ``output_size`` whatever L."""

    def __init__(self, output_size: int) -> None:
        super().__init__(output_size)


class AdaptiveMaxPool1d(_Adaptive):
    """Max pooling of (N, C, L) to length ``output_size`` whatever L."""

    fn = staticmethod(F.adaptive_max_pool1d)


class AdaptiveMaxPool2d(_Adaptive):
    """Max pooling of NCHW input to a fixed ``output_size`` whatever its size (``None`` keeps a dimension)."""

    fn = staticmethod(F.adaptive_max_pool2d)
