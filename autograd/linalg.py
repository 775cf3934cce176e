"""``torch.linalg``'s common names: ``det``, ``inv``, ``solve``, ``norm`` / ``vector_norm`` / ``matrix_norm``,
``cross``, ``matmul``. ``det`` and ``inv`` are primitives; the rest are composed."""
from __future__ import annotations

from typing import Any

import numpy as np

from . import functional as F
from .ops import linalg as L
from .tensor import Tensor, as_tensor


def det(a: Any) -> Tensor:
    """Determinant of each square matrix in the last two dimensions."""
    return L.Det.apply(a)


def inv(a: Any) -> Tensor:
    """Inverse of each square matrix in the last two dimensions."""
    return L.Inv.apply(a)


def solve(a: Any, b: Any) -> Tensor:
    """x with a @ x = b, computed as inv(a) @ b (differentiable in both)."""
    b = as_tensor(b)
    if b.ndim == 1:
        return F.reshape(F.matmul(inv(a), F.unsqueeze(b, -1)), b.shape)
    return F.matmul(inv(a), b)


def vector_norm(x: Any, ord: float = 2, dim: Any = None, keepdim: bool = False) -> Tensor:  # noqa: A002
    """The p-norm of the flattened tensor, or over ``dim``."""
    return F.norm(x, ord, dim, keepdim)


def matrix_norm(x: Any, ord: str = "fro", dim: tuple = (-2, -1), keepdim: bool = False) -> Tensor:  # noqa: A002
    """The Frobenius norm over the last two dimensions (the only ``ord`` supported here)."""
    if ord != "fro":
        raise ValueError(f"matrix_norm: ord={ord!r} is not supported; only 'fro'")
    return F.norm(x, 2, dim, keepdim)


def norm(x: Any, ord: Any = None, dim: Any = None, keepdim: bool = False) -> Tensor:  # noqa: A002
    """torch.linalg.norm: a vector norm (1-d input or an int ``dim``), else the Frobenius norm."""
    x = as_tensor(x)
    if ord is None or ord == "fro":
        return F.norm(x, 2, dim, keepdim)
    if isinstance(ord, str):
        raise ValueError(f"linalg.norm: ord={ord!r} is not supported; use a number, None or 'fro'")
    if dim is None and x.ndim != 1:
        raise ValueError("linalg.norm: a numeric ord needs a 1-d input or dim= (matrix norms other than 'fro' "
                         "are not supported)")
    return F.norm(x, ord, dim, keepdim)


def cross(a: Any, b: Any, dim: int = -1) -> Tensor:
    """The cross product of 3-vectors along ``dim``."""
    a, b = as_tensor(a), as_tensor(b)
    if a.shape[dim] != 3 or b.shape[dim] != 3:
        raise ValueError(f"cross: dimension {dim} must have size 3, got shapes {a.shape} and {b.shape}")
    d = dim % a.ndim

    def pick(t: Tensor, order: list) -> Tensor:
        return F.getitem(t, (slice(None),) * d + (np.array(order),))
    return pick(a, [1, 2, 0]) * pick(b, [2, 0, 1]) - pick(a, [2, 0, 1]) * pick(b, [1, 2, 0])


matmul = F.matmul
