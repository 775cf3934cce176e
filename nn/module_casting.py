"""``Module.to`` and its family (double, float, half, type, cpu, cuda): dtype casts in place; CPU only.

Casting keeps every Parameter and buffer object (so an optimizer made before still holds them) and swaps the
array inside it (and inside its ``.grad``).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor

__all__ = ["check_device", "CastingMixin"]

CPU_ONLY = ("tracegrad computes with NumPy on the CPU, so only device 'cpu' is available (got {!r}); drop "
            "PyTorch's .cuda() / .to('cuda') or write .to('cpu')")


def _is_device(obj: Any) -> bool:
    return (isinstance(obj, str) or isinstance(getattr(obj, "type", None), str)
            or (isinstance(obj, (int, np.integer)) and not isinstance(obj, bool)))


def check_device(device: Any, where: str) -> None:
    """Accept 'cpu' ("cpu", "cpu:0", or an object whose ``.type`` or ``str()`` is "cpu"); else a RuntimeError."""
    name = device.type if isinstance(getattr(device, "type", None), str) else str(device)
    if name != "cpu" and not (isinstance(device, str) and name.startswith("cpu:")):
        raise RuntimeError(f"{where}: " + CPU_ONLY.format(device if isinstance(device, str) else str(device)))


def _as_dtype(obj: Any) -> np.dtype | None:
    """``obj`` as a NumPy dtype (np.float64, autograd.float32, np.dtype('float16'), ...), or None if it is not one."""
    if obj is None or isinstance(obj, (str, bool)) or _is_device(obj):
        return None
    try:
        return np.dtype(obj)
    except TypeError:
        return None


def parse_to(args: tuple, kwargs: dict) -> np.dtype | None:
    """The dtype asked of ``Module.to(*args, **kwargs)`` (PyTorch's three forms); the device is checked here."""
    kw = dict(kwargs)
    device, dtype = kw.pop("device", None), kw.pop("dtype", None)
    for ignored in ("non_blocking", "copy", "memory_format"):
        kw.pop(ignored, None)
    if kw:
        raise TypeError(f"Module.to() got an unexpected keyword argument {next(iter(kw))!r}")
    rest = list(args)
    if rest and isinstance(rest[0], Tensor):
        dtype = rest.pop(0).dtype
    elif rest and _is_device(rest[0]):
        device = rest.pop(0)
    if rest and _as_dtype(rest[0]) is not None:
        dtype = rest.pop(0)
    if rest and isinstance(rest[0], bool):  # non_blocking
        rest.pop(0)
    if rest:
        raise TypeError(f"Module.to() received an invalid combination of arguments {tuple(args)!r}; expected "
                        "to(device=None, dtype=None), to(dtype) or to(tensor) (device 'cpu', a NumPy dtype such "
                        "as np.float64 or autograd.float64)")
    if device is not None:
        check_device(device, "Module.to")
    if dtype is None:
        return None
    dt = _as_dtype(dtype)
    if dt is None:
        raise TypeError(f"Module.to: {dtype!r} is not a dtype (use np.float64, autograd.float32, ...)")
    if dt.kind != "f":
        raise TypeError(f"Module.to only accepts floating-point dtypes (as PyTorch's nn.Module.to), got {dt}; "
                        "integer buffers such as num_batches_tracked keep their dtype by themselves")
    return dt


def _cast(t: Tensor, dt: np.dtype) -> None:
    """Swap ``t``'s array (and its grad's) for a cast copy; ``t`` stays the same object."""
    if t.dtype != dt:
        t.data = t.numpy().astype(dt)
    g = t.grad
    if isinstance(g, Tensor) and g.dtype != dt and g.dtype.kind == "f":
        g.data = g.numpy().astype(dt)


class CastingMixin:
    """The dtype and device methods of ``Module`` (PyTorch's names)."""

    def _tensors(self) -> list[tuple[Tensor, bool]]:
        """(tensor, is_parameter) for every parameter and buffer of every module, each object once."""
        out, seen = [], set()
        for m in self.modules():
            for key in ("_parameters", "_buffers"):
                for t in m.__dict__[key].values():
                    if t is not None and id(t) not in seen:
                        seen.add(id(t))
                        out.append((t, key == "_parameters"))
        return out

    def _cast_floating(self, dt: np.dtype) -> Any:
        for t, _ in self._tensors():
            if t.dtype.kind == "f":
                _cast(t, dt)
        return self

    def to(self, *args: Any, **kwargs: Any) -> Any:
        """Cast floating-point parameters and buffers in place: ``to(dtype)``, ``to(device, dtype)``,
        ``to(tensor)``; the device must be 'cpu'. Returns self."""
        dt = parse_to(args, kwargs)
        return self if dt is None else self._cast_floating(dt)

    def double(self) -> Any:
        """Floating-point parameters and buffers to float64 (in place); returns self."""
        return self._cast_floating(np.dtype(np.float64))

    def float(self) -> Any:
        """Floating-point parameters and buffers to float32 (in place); returns self."""
        return self._cast_floating(np.dtype(np.float32))

    def half(self) -> Any:
        """Floating-point parameters and buffers to float16 (in place); returns self."""
        return self._cast_floating(np.dtype(np.float16))

    def type(self, dst_type: Any) -> Any:
        """Every parameter and buffer to ``dst_type``, integer buffers included (as PyTorch's); returns self."""
        dt = _as_dtype(dst_type)
        if dt is None:
            raise TypeError(f"Module.type: {dst_type!r} is not a dtype (use np.float64, autograd.float32, ...)")
        tensors = self._tensors()
        if dt.kind != "f" and any(p and t.requires_grad for t, p in tensors):
            raise TypeError(f"Module.type({dt}): parameters that require grad must stay floating point; "
                            "call requires_grad_(False) first")
        for t, _ in tensors:
            _cast(t, dt)
        return self

    def cpu(self) -> Any:
        """Already there (tracegrad computes with NumPy on the CPU); returns self."""
        return self

    def cuda(self, device: Any = None) -> Any:
        """Raises: tracegrad has no GPU (use ``.cpu()`` or ``.to('cpu')``)."""
        raise RuntimeError("Module.cuda: " + CPU_ONLY.format("cuda" if device is None else str(device)))
