"""Tensor constructors. Random ones draw from the one generator that ``manual_seed`` sets."""
from __future__ import annotations

import numpy as np

from .mode import STATE
from .tensor import Tensor

_F32 = np.float32


def _shape(shape) -> tuple:
    return tuple(shape[0]) if len(shape) == 1 and not isinstance(shape[0], (int, np.integer)) else tuple(shape)


def tensor(data, requires_grad: bool = False, dtype=None) -> Tensor:
    """Like ``torch.tensor``: the dtype is inferred (Python floats float32, ints int64, bools bool);
    ``Tensor(data)`` instead makes Python numbers float32, like ``torch.Tensor``."""
    return Tensor(data, requires_grad=requires_grad, dtype=dtype, _infer=True)


def zeros(*shape, dtype=_F32, requires_grad: bool = False) -> Tensor:
    return Tensor(np.zeros(_shape(shape), dtype=dtype), requires_grad=requires_grad)


def ones(*shape, dtype=_F32, requires_grad: bool = False) -> Tensor:
    return Tensor(np.ones(_shape(shape), dtype=dtype), requires_grad=requires_grad)


def full(shape, fill_value, dtype=_F32, requires_grad: bool = False) -> Tensor:
    return Tensor(np.full(_shape((shape,)), fill_value, dtype=dtype), requires_grad=requires_grad)


def randn(*shape, dtype=_F32, requires_grad: bool = False) -> Tensor:
    return Tensor(STATE.rng.standard_normal(_shape(shape)).astype(dtype), requires_grad=requires_grad)


def rand(*shape, dtype=_F32, requires_grad: bool = False) -> Tensor:
    return Tensor(STATE.rng.random(_shape(shape)).astype(dtype), requires_grad=requires_grad)


def randint(low: int, high: int, size, dtype=np.int64) -> Tensor:
    return Tensor(STATE.rng.integers(low, high, size=_shape((size,))).astype(dtype))


def arange(*args, dtype=None) -> Tensor:
    a = np.arange(*args)
    return Tensor(a, dtype=dtype if dtype is not None else (_F32 if a.dtype.kind == "f" else np.int64))


def linspace(start: float, stop: float, num: int, dtype=_F32) -> Tensor:
    return Tensor(np.linspace(start, stop, num, dtype=dtype))


def eye(n: int, m: int | None = None, dtype=_F32) -> Tensor:
    return Tensor(np.eye(n, m, dtype=dtype))
