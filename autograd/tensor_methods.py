"""Operators and methods of Tensor, bound from the functional namespace (PyTorch's names)."""
from __future__ import annotations

import numpy as np

from . import composed as C, functional as F
from .conversion import METHODS as CONVERSIONS
from .engine import backward as _backward
from .fastpath import binary, unary
from .ops import elementwise as E, linalg as L
from .tensor import _UFUNCS, Tensor


def _shape_args(shape) -> tuple:
    """``x.reshape(2, 3)`` and ``x.reshape((2, 3))`` both work."""
    return tuple(shape[0]) if len(shape) == 1 and not isinstance(shape[0], (int, np.integer)) else shape


def _compare(ufunc):
    def op(self, other):
        other = other.numpy() if isinstance(other, Tensor) else other
        try:
            return Tensor._wrap(np.asarray(ufunc(self.numpy(), other)), None, False)
        except ValueError:
            raise ValueError(f"{ufunc.__name__}: shapes {self.shape} and {np.shape(other)} cannot be broadcast "
                             "together; each dimension must match or be 1 (NumPy broadcasting)") from None
    return op


def _transpose(self, *axes) -> Tensor:
    """``x.transpose()`` reverses the axes; ``x.transpose(d0, d1)`` swaps two (PyTorch);
    ``x.transpose((2, 0, 1))`` or a full permutation of >2 axes permutes (NumPy)."""
    if len(axes) == 1 and not isinstance(axes[0], (int, np.integer)):
        return F.transpose(self, axes[0])
    if len(axes) == 2:
        return F.swapaxes(self, *axes)
    return F.transpose(self, axes or None)


def backward(self, gradient=None, retain_graph: bool | None = None, create_graph: bool = False) -> None:
    """Accumulate d(self)/d(leaf) into every leaf's ``.grad`` (``gradient`` is needed unless self is a scalar)."""
    _backward([self], None if gradient is None else [gradient], retain_graph, create_graph)


_METHODS = {
    "backward": backward,
    "__neg__": lambda a: unary(E.Neg, a),
    "__pos__": lambda a: a,
    "__getitem__": F.getitem,
    "__lt__": _compare(np.less), "__le__": _compare(np.less_equal),
    "__gt__": _compare(np.greater), "__ge__": _compare(np.greater_equal),
    "__eq__": _compare(np.equal), "__ne__": _compare(np.not_equal),
    "__invert__": lambda a: Tensor._wrap(np.logical_not(a.numpy()) if a.dtype == bool else ~a.numpy(), None, False),
    "__and__": _compare(np.bitwise_and), "__or__": _compare(np.bitwise_or),  # logical for bools
    "T": property(lambda a: F.transpose(a)),
    "mT": property(lambda a: F.swapaxes(a, -1, -2)),
    "reshape": lambda a, *shape: F.reshape(a, _shape_args(shape)),
    "view": lambda a, *shape: F.reshape(a, _shape_args(shape)),
    "transpose": _transpose,
    "permute": lambda a, *axes: F.transpose(a, _shape_args(axes)),
    "expand": lambda a, *shape: F.broadcast_to(a, _shape_args(shape)),
    "dim": lambda a: a.ndim, "ndimension": lambda a: a.ndim,
    "numel": lambda a: int(a._data.size), "nelement": lambda a: int(a._data.size),
    "element_size": lambda a: a.dtype.itemsize,
    "t": lambda a: F.transpose(a),
    "contiguous": lambda a, memory_format=None: a,
    "view_as": lambda a, other: F.reshape(a, other.shape),
    "reshape_as": lambda a, other: F.reshape(a, other.shape),
    "expand_as": lambda a, other: F.broadcast_to(a, other.shape),
    "repeat": C.repeat,
    "__xor__": _compare(np.bitwise_xor),
    "__floordiv__": C.floor_divide, "__rfloordiv__": lambda a, b: C.floor_divide(b, a),
    "__mod__": C.remainder, "__rmod__": lambda a, b: C.remainder(b, a),
}

for _name in ("exp log sqrt abs sin cos tanh sigmoid relu clip clamp astype sign sum max min amax amin mean var "
              "std argmax argmin all any norm prod sort topk gather clone swapaxes broadcast_to flatten squeeze "
              "unsqueeze "
              "pad softmax log_softmax logsumexp maximum minimum matmul log1p expm1 asin arcsin acos arccos atan "
              "arctan tan sinh cosh log2 log10 reciprocal rsqrt").split():
    _METHODS.setdefault(_name, getattr(F, _name))
for _name in C.__all__:
    if _name not in ("numel", "equal", "allclose"):
        _METHODS.setdefault(_name, getattr(C, _name))
_METHODS["equal"], _METHODS["allclose"] = C.equal, C.allclose
_METHODS["swapdims"] = _METHODS["swapaxes"]
_METHODS["absolute"] = _METHODS["abs"]
_METHODS.update(CONVERSIONS)


def _operator(cls, reflected: bool):
    """``a <op> b`` (or, reflected, ``b <op> a`` when the left operand is not a Tensor) on the fast path."""
    if reflected:
        return lambda a, b: binary(cls, b, a)
    return lambda a, b: binary(cls, a, b)


# operator -> primitive, and PyTorch's method spelling of it (x.add(y) is x + y)
for _op, _cls, _torch in (("add", E.Add, "add"), ("sub", E.Sub, "sub"), ("mul", E.Mul, "mul"),
                          ("truediv", E.Div, "div"), ("pow", E.Pow, "pow"), ("matmul", L.Matmul, None)):
    _METHODS[f"__{_op}__"] = _METHODS[_torch or _op] = _operator(_cls, reflected=False)
    _METHODS[f"__r{_op}__"] = _operator(_cls, reflected=True)
_METHODS["neg"] = _METHODS["negative"] = _METHODS["__neg__"]
_METHODS["add"] = lambda a, b, *, alpha=None: binary(E.Add, a, b if alpha is None else b * alpha)
_METHODS["sub"] = lambda a, b, *, alpha=None: binary(E.Sub, a, b if alpha is None else b * alpha)
_METHODS["multiply"], _METHODS["divide"], _METHODS["true_divide"] = _METHODS["mul"], _METHODS["div"], _METHODS["div"]

for _name, _fn in _METHODS.items():
    setattr(Tensor, _name, _fn)


# NumPy ufuncs that run tracegrad's op on Tensors (np.exp(x), ndarray * x); see Tensor.__array_ufunc__
_UFUNCS.update({
    "add": F.add, "subtract": F.subtract, "multiply": F.multiply, "divide": F.divide, "true_divide": F.divide,
    "power": F.power, "matmul": F.matmul, "maximum": F.maximum, "minimum": F.minimum, "negative": F.negative,
    "exp": F.exp, "log": F.log, "sqrt": F.sqrt, "absolute": F.abs, "sin": F.sin, "cos": F.cos, "tanh": F.tanh,
    "log1p": F.log1p, "expm1": F.expm1, "arcsin": F.asin, "arccos": F.acos, "arctan": F.atan, "tan": F.tan,
    "sinh": F.sinh, "cosh": F.cosh, "log2": F.log2, "log10": F.log10, "reciprocal": F.reciprocal,
})
for _uf in (np.less, np.less_equal, np.greater, np.greater_equal, np.equal, np.not_equal):
    _UFUNCS[_uf.__name__] = lambda a, b, _uf=_uf: _compare(_uf)(F.as_tensor(a), b)
