"""dtype and device conversions with PyTorch's spellings: ``x.to(...)``, ``x.float()``, ``x.type(...)``, ``x.cpu()``.

A conversion to a floating dtype is recorded (the gradient is cast back); to an integer or bool dtype it
is not (labels and masks carry no gradient). Converting to the dtype a tensor already has returns the
tensor itself, as torch does.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

import numpy as np

from . import functional as F
from .dtypes import CPU, DTYPES, as_dtype, check_device, device
from .tensor import Tensor

if TYPE_CHECKING:
    from .types import DeviceLike, DType, TensorLike

_TYPE_NAMES = {"FloatTensor": np.float32, "DoubleTensor": np.float64, "HalfTensor": np.float16,
               "LongTensor": np.int64, "IntTensor": np.int32, "ShortTensor": np.int16, "CharTensor": np.int8,
               "ByteTensor": np.uint8, "BoolTensor": np.bool_}
_NAME_OF = {np.dtype(v): k for k, v in _TYPE_NAMES.items()}


def _is_dtype(x: Any) -> bool:
    if isinstance(x, str):
        return x.removeprefix("torch.") in DTYPES
    try:
        return np.dtype(x).kind in "biuf" and not isinstance(x, (int, float))
    except TypeError:
        return False


def to(self: Tensor, *args: Any, dtype: DType | None = None, device: DeviceLike = None, non_blocking: bool = False,
       copy: bool = False, memory_format: Any = None) -> Tensor:
    """``x.to(dtype)``, ``x.to("cpu")``, ``x.to(device, dtype)``, ``x.to(other)``: the only device is the CPU."""
    for a in args:
        if isinstance(a, Tensor):
            dtype = a.dtype
        elif _is_dtype(a):
            dtype = a
        elif a is not None:
            device = a
    check_device(device, "to")
    out = self if dtype is None else F.astype(self, as_dtype(dtype, "to"))
    return F.clone(out) if copy and out is self else out


def type_(self: Tensor, dtype: DType | None = None, non_blocking: bool = False) -> str | Tensor:
    """``x.type()`` names the type (``'torch.FloatTensor'``); ``x.type(dtype)`` converts."""
    if dtype is None:
        return "torch." + _NAME_OF.get(self.dtype, f"{self.dtype}Tensor")
    if isinstance(dtype, str) and dtype.removeprefix("torch.") in _TYPE_NAMES:
        dtype = _TYPE_NAMES[dtype.removeprefix("torch.")]
    return F.astype(self, as_dtype(dtype, "type"))


def _cast(dt: type) -> Callable[..., Tensor]:
    def method(self: Tensor, memory_format: Any = None) -> Tensor:
        return F.astype(self, dt)
    method.__doc__ = f"``x.to({np.dtype(dt).name})``."
    return method


def cpu(self: Tensor, memory_format: Any = None) -> Tensor:
    """The tensor itself: it is on the CPU already (the only device)."""
    return self


def cuda(self: Tensor, device: DeviceLike | int = None, non_blocking: bool = False) -> Tensor:
    """Refused: tracegrad computes with NumPy on the CPU (use ``.to(device)`` with ``device = "cpu"``)."""
    raise RuntimeError("cuda(): tracegrad computes with NumPy on the CPU and has no GPU; write .to(device) with "
                       "device = autograd.device('cpu') (autograd.cuda.is_available() is False)")


def _new(fill: Callable[[dict[str, Any]], Any] | None) -> Callable[..., Tensor]:
    def method(self: Tensor, *size: Any, dtype: DType | None = None, device: DeviceLike = None,
               requires_grad: bool = False, **kw: Any) -> Tensor:
        check_device(device)
        shape = tuple(size[0]) if len(size) == 1 and not isinstance(size[0], (int, np.integer)) else size
        value = fill(kw) if fill is not None else None
        arr = np.empty(shape, dtype=dtype or self.dtype) if value is None else np.full(
            shape, value, dtype=dtype or self.dtype)
        return Tensor(arr, requires_grad=requires_grad)
    return method


def new_tensor(self: Tensor, data: TensorLike, dtype: DType | None = None, device: DeviceLike = None,
               requires_grad: bool = False) -> Tensor:
    """A new tensor from ``data`` with this tensor's dtype (or ``dtype``)."""
    check_device(device)
    arr = np.array(data.numpy() if isinstance(data, Tensor) else data, dtype=dtype or self.dtype)
    return Tensor(arr, requires_grad=requires_grad)


METHODS = {
    "to": to, "type": type_, "cpu": cpu, "cuda": cuda,
    "float": _cast(np.float32), "double": _cast(np.float64), "half": _cast(np.float16),
    "long": _cast(np.int64), "int": _cast(np.int32), "short": _cast(np.int16), "char": _cast(np.int8),
    "byte": _cast(np.uint8), "bool": _cast(np.bool_),
    "type_as": lambda self, other: F.astype(self, other.dtype),
    "device": property(lambda self: CPU, doc="Always the CPU: tracegrad computes with NumPy."),
    "is_cuda": property(lambda self: False), "is_cpu": property(lambda self: True),
    "pin_memory": lambda self, device=None: self, "share_memory_": lambda self: self,
    "is_floating_point": lambda self: self.dtype.kind == "f",
    "is_contiguous": lambda self, memory_format=None: True,
    "new_zeros": _new(lambda kw: 0), "new_ones": _new(lambda kw: 1), "new_empty": _new(None),
    "new_full": lambda self, size, fill_value, **kw: _new(lambda _: fill_value)(self, size, **kw),
    "new_tensor": new_tensor,
}
__all__ = ["METHODS", "device"]
