"""Upsampling, padding, reshaping and channel-dropout layers (PyTorch's names, arguments and reprs)."""
from __future__ import annotations

from typing import Any, Sequence

import autograd
from autograd import Tensor, as_tensor

from . import functional as F
from .module import Module

__all__ = ["Upsample", "UpsamplingNearest2d", "UpsamplingBilinear2d", "Unflatten", "ZeroPad1d", "ZeroPad2d",
           "ConstantPad1d", "ConstantPad2d", "Dropout1d", "Dropout2d", "PixelShuffle", "PixelUnshuffle"]


class Upsample(Module):
    """Resize by ``size`` or ``scale_factor`` (``F.interpolate``): 'nearest', 'nearest-exact', 'linear', 'bilinear'."""

    def __init__(self, size: Any = None, scale_factor: Any = None, mode: str = "nearest",
                 align_corners: bool | None = None, recompute_scale_factor: bool | None = None) -> None:
        super().__init__()
        self.name = type(self).__name__
        self.size = size
        if isinstance(scale_factor, tuple):
            self.scale_factor: Any = tuple(float(f) for f in scale_factor)
        else:
            self.scale_factor = float(scale_factor) if scale_factor else None
        self.mode, self.align_corners, self.recompute_scale_factor = mode, align_corners, recompute_scale_factor

    def forward(self, x: Tensor) -> Tensor:
        """``x`` resized."""
        return F.interpolate(x, self.size, self.scale_factor, self.mode, self.align_corners,
                             recompute_scale_factor=self.recompute_scale_factor)

    def extra_repr(self) -> str:
        info = f"scale_factor={self.scale_factor!r}" if self.scale_factor is not None else f"size={self.size!r}"
        return info + f", mode={self.mode!r}"


class UpsamplingNearest2d(Upsample):
    """``Upsample(mode='nearest')`` on NCHW input."""

    def __init__(self, size: Any = None, scale_factor: Any = None) -> None:
        super().__init__(size, scale_factor, mode="nearest")


class UpsamplingBilinear2d(Upsample):
    """``Upsample(mode='bilinear', align_corners=True)`` on NCHW input."""

    def __init__(self, size: Any = None, scale_factor: Any = None) -> None:
        super().__init__(size, scale_factor, mode="bilinear", align_corners=True)


class Unflatten(Module):
    """Split dimension ``dim`` into ``unflattened_size`` (one entry may be -1), the inverse of Flatten."""

    def __init__(self, dim: int, unflattened_size: Sequence[int]) -> None:
        super().__init__()
        if isinstance(dim, str):
            raise ValueError("Unflatten: named dimensions are not supported; give dim as an int")
        if not isinstance(unflattened_size, (tuple, list)) or not all(isinstance(s, int) for s in unflattened_size):
            raise TypeError(f"Unflatten: unflattened_size must be a tuple of ints, got {unflattened_size!r}")
        self.dim, self.unflattened_size = dim, unflattened_size

    def forward(self, x: Tensor) -> Tensor:
        """``x`` with dimension ``dim`` split."""
        x = as_tensor(x)
        if not -x.ndim <= self.dim < x.ndim:
            raise ValueError(f"Unflatten layer {autograd.current_scope() or '<root>'!r}: dim {self.dim} is out of "
                             f"range for an input of shape {tuple(x.shape)}")
        d = self.dim % x.ndim
        sizes = list(self.unflattened_size)
        known = 1
        for s in sizes:
            known *= s if s != -1 else 1
        n = x.shape[d]
        if sizes.count(-1) > 1 or (-1 in sizes and (known == 0 or n % known)) or (-1 not in sizes and known != n):
            raise ValueError(f"Unflatten layer {autograd.current_scope() or '<root>'!r}: unflattened_size "
                             f"{tuple(sizes)} does not match dimension {self.dim} of size {n} (input shape "
                             f"{tuple(x.shape)})")
        return x.reshape(*x.shape[:d], *sizes, *x.shape[d + 1:])

    def extra_repr(self) -> str:
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"


class _ConstantPadNd(Module):
    dims = 2

    def __init__(self, padding: Any, value: float) -> None:
        super().__init__()
        n = 2 * self.dims
        self.padding = (int(padding),) * n if isinstance(padding, int) else tuple(int(p) for p in padding)
        if len(self.padding) != n:
            raise ValueError(f"{type(self).__name__}: padding must be an int or a tuple of {n} ints, got {padding!r}")
        self.value = value

    def forward(self, x: Tensor) -> Tensor:
        """``x`` padded on its last dimensions."""
        x = as_tensor(x)
        if x.ndim not in (self.dims + 1, self.dims + 2):
            raise ValueError(f"{type(self).__name__} layer {autograd.current_scope() or '<root>'!r} expects a "
                             f"{self.dims + 1}-D or {self.dims + 2}-D input, got shape {tuple(x.shape)}")
        return F.pad(x, self.padding, value=self.value)

    def extra_repr(self) -> str:
        return f"padding={self.padding}, value={self.value}"


class ConstantPad1d(_ConstantPadNd):
    """Pad the last dimension with ``value``: padding (left, right)."""

    dims = 1


class ConstantPad2d(_ConstantPadNd):
    """Pad the last two dimensions with ``value``: padding (left, right, top, bottom)."""


class ZeroPad1d(ConstantPad1d):
    """Pad the last dimension with zeros: padding (left, right)."""

    def __init__(self, padding: Any) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ZeroPad2d(ConstantPad2d):
    """Pad the last two dimensions with zeros: padding (left, right, top, bottom)."""

    def __init__(self, padding: Any) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class _DropoutNd(Module):
    fn = staticmethod(F.dropout2d)

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"{type(self).__name__}: p must be a probability in [0, 1], got {p}")
        self.p, self.inplace = p, inplace

    def forward(self, x: Tensor) -> Tensor:
        """``x`` with whole channels dropped when training."""
        return type(self).fn(x, self.p, self.training)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


class Dropout1d(_DropoutNd):
    """Zero whole channels of (N, C, L) with probability p in training, scaling the rest by 1/(1-p)."""

    fn = staticmethod(F.dropout1d)


class Dropout2d(_DropoutNd):
    """Zero whole channels of (N, C, H, W) with probability p in training, scaling the rest by 1/(1-p)."""


class PixelShuffle(Module):
    """(*, C·r², H, W) -> (*, C, H·r, W·r)."""

    def __init__(self, upscale_factor: int) -> None:
        super().__init__()
        self.upscale_factor = upscale_factor

    def forward(self, x: Tensor) -> Tensor:
        """``x`` rearranged."""
        return F.pixel_shuffle(x, self.upscale_factor)

    def extra_repr(self) -> str:
        return f"upscale_factor={self.upscale_factor}"


class PixelUnshuffle(Module):
    """(*, C, H·r, W·r) -> (*, C·r², H, W)."""

    def __init__(self, downscale_factor: int) -> None:
        super().__init__()
        self.downscale_factor = downscale_factor

    def forward(self, x: Tensor) -> Tensor:
        """``x`` rearranged."""
        return F.pixel_unshuffle(x, self.downscale_factor)

    def extra_repr(self) -> str:
        return f"downscale_factor={self.downscale_factor}"
