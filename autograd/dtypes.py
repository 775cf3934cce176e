"""dtypes and devices with PyTorch's names, and PyTorch's type-promotion rule.

A dtype is a NumPy dtype (``autograd.float32 is numpy.float32``), so NumPy and torch spellings mix freely.
There is one device, the CPU: tracegrad computes with NumPy.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from .types import DType

class DtypeError(TypeError, RuntimeError):
    """A tensor of the wrong dtype for an op (a TypeError; also a RuntimeError, which torch raises)."""


DTYPES: dict[str, Any] = {
    "float16": np.float16, "half": np.float16,
    "float32": np.float32, "float": np.float32,
    "float64": np.float64, "double": np.float64,
    "uint8": np.uint8, "int8": np.int8,
    "int16": np.int16, "short": np.int16,
    "int32": np.int32, "int": np.int32,
    "int64": np.int64, "long": np.int64,
    "bool": np.bool_,
}
_DEFAULT = {0: np.dtype(np.bool_), 1: np.dtype(np.int64), 2: np.dtype(np.float32)}  # per category
_CATEGORY = {"b": 0, "u": 1, "i": 1, "f": 2}
_TORCH_NAMES = {np.dtype(v): k for k, v in DTYPES.items() if k.endswith(("8", "16", "32", "64")) or k == "bool"}


def as_dtype(dtype: DType, op: str = "dtype") -> np.dtype:
    """A NumPy dtype from any spelling: ``autograd.float``, ``numpy.float32``, ``"float32"``, ``"torch.float32"``."""
    if isinstance(dtype, str) and dtype.startswith("torch."):
        dtype = dtype[6:]
    if isinstance(dtype, str) and dtype in DTYPES:
        dtype = DTYPES[dtype]
    try:
        dt = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"{op}: {dtype!r} is not a dtype; expected one of autograd.float32, float64, int64, "
                        "bool, ... (NumPy dtypes)") from None
    if dt.kind not in _CATEGORY:
        raise TypeError(f"{op}: dtype {dt} is not supported (bool, integer or floating point)")
    return dt


def torch_name(dtype: DType) -> str:
    """``torch.float32``-style name of a dtype, for messages."""
    return "torch." + _TORCH_NAMES.get(np.dtype(dtype), str(dtype))


def category(dtype: DType) -> int:
    """0 bool, 1 integer, 2 floating point (PyTorch's promotion categories)."""
    return _CATEGORY[np.dtype(dtype).kind]


def promote_types(a: DType, b: DType) -> np.dtype:
    """PyTorch's ``promote_types``: within a category the wider type; across categories the higher
    category's type (int64 with float32 is float32, where NumPy would say float64)."""
    a, b = np.dtype(a), np.dtype(b)
    if a == b:
        return a
    ca, cb = _CATEGORY[a.kind], _CATEGORY[b.kind]
    if ca != cb:
        return a if ca > cb else b
    return np.promote_types(a, b)


def result_type(*operands: Any) -> np.dtype:
    """PyTorch's ``result_type``: tensors with dimensions decide, then 0-d tensors of a higher category,
    then Python scalars of a higher category (which give the default dtype: float32, int64, bool).

    A Python scalar (or NumPy scalar) never widens a tensor: ``float32 tensor * 2.0`` is float32 and
    ``int64 tensor * 2.5`` is float32, as in torch.
    """
    dim = zero = None
    scalar = -1
    for x in operands:
        dt = getattr(x, "dtype", None)
        if dt is None or isinstance(x, np.generic):
            kind = "b" if isinstance(x, (bool, np.bool_)) else (
                "f" if isinstance(x, (float, np.floating)) else "i")
            scalar = max(scalar, _CATEGORY[kind])
        elif x.ndim:
            dim = dt if dim is None else promote_types(dim, dt)
        else:
            zero = dt if zero is None else promote_types(zero, dt)
    r = dim
    if zero is not None and (r is None or category(zero) > category(r)):
        r = zero
    if scalar >= 0 and (r is None or scalar > category(r)):
        r = _DEFAULT[scalar]
    return np.dtype(r)


class device:  # noqa: N801 - PyTorch's name
    """``autograd.device("cpu")``: the only device (tracegrad computes with NumPy on the CPU)."""

    __slots__ = ("type", "index")
    type: str
    index: int | None

    def __init__(self, type: str | device = "cpu", index: int | None = None) -> None:  # noqa: A002 - torch's name
        if isinstance(type, device):
            index, type = type.index, type.type
        if not isinstance(type, str):
            raise TypeError(f"device: expected a string such as 'cpu', got {type!r}")
        name, _, idx = type.partition(":")
        if name != "cpu":
            raise RuntimeError(f"device {type!r} is not available: tracegrad computes with NumPy on the CPU, "
                               "so the only device is 'cpu' (autograd.cuda.is_available() is False)")
        self.type, self.index = "cpu", index if index is not None else (int(idx) if idx else None)

    def __repr__(self) -> str:
        return f"device(type='{self.type}')"

    def __str__(self) -> str:
        return self.type

    def __eq__(self, other: object) -> bool:
        try:
            return device(other).type == self.type  # type: ignore[arg-type]  # anything else: False
        except (TypeError, RuntimeError):
            return False

    def __hash__(self) -> int:
        return hash(self.type)


CPU = device("cpu")


def check_device(dev: Any, op: str = "device") -> None:
    """Accept None, 'cpu', 'cpu:0' or a device; anything else raises, saying there is only the CPU."""
    if dev is None or dev is CPU:
        return
    device(dev if isinstance(dev, (str, device)) else str(dev))


class cuda:  # noqa: N801 - torch.cuda's spelling, as a namespace
    """``autograd.cuda.is_available()`` is False: tracegrad has no GPU backend."""

    @staticmethod
    def is_available() -> bool:
        """False: there is no GPU backend."""
        return False

    @staticmethod
    def device_count() -> int:
        """0: no GPUs."""
        return 0

    @staticmethod
    def manual_seed(seed: int) -> None:
        """Nothing to seed (no GPU); accepted so torch programs run."""

    manual_seed_all = manual_seed


# ---- the promotion the primitives apply (Function.apply and the operators' fast paths) ---------------------
# dtype keys (an array's dtype, a NumPy scalar's type) -> floating point? Unknown keys read False (the slow path).
FLOAT_KEYS: dict = {k: np.dtype(t).kind == "f" for t in (np.bool_, np.uint8, np.int8, np.int16, np.int32, np.int64,
                                                          np.float16, np.float32, np.float64)
                     for k in (np.dtype(t), np.dtype(t).type)}


def promoted(cls: Any, a: Any, b: Any, ad: Any, bd: Any) -> tuple[Any, Any]:
    """``ad``, ``bd`` cast to ``result_type(a, b)`` (float32 for integer true division)."""
    dt = result_type(a, b)
    if cls.no_bool and (getattr(ad, "dtype", None) == np.bool_ or getattr(bd, "dtype", None) == np.bool_
                        or type(a) is bool or type(b) is bool):
        raise DtypeError("sub: subtraction, the `-` operator, with a bool tensor is not supported (as in torch); to "
                        "invert a mask use `~mask` or logical_not()")
    if cls.true_division and dt.kind != "f":
        dt = _FLOAT32
    if getattr(ad, "dtype", dt) != dt:
        ad = ad.astype(dt)
    if getattr(bd, "dtype", dt) != dt:
        bd = bd.astype(dt)
    return ad, bd


def promote_datas(cls: Any, args: tuple, datas: list) -> None:
    """``Function.apply``'s promotion: cast the array operands from ``cls.promotes`` on, in place in ``datas``."""
    ops = [a for a in args[cls.promotes:] if a is not None]
    if len(ops) < 2 and not cls.true_division:
        return
    dt = result_type(*ops)
    if cls.true_division and dt.kind != "f":
        dt = _FLOAT32
    for i in range(cls.promotes, len(datas)):
        d = datas[i]
        if isinstance(d, (np.ndarray, np.generic)) and d.dtype != dt:
            datas[i] = d.astype(dt)


_FLOAT32 = np.dtype(np.float32)
