"""Functions on Tensors with NumPy-shaped signatures: primitives applied, and the composed ops.

These are also the namespace a primitive's backward uses when it runs on Tensors
(``create_graph=True``), so each mirrors the NumPy function of the same name.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Sequence

import numpy as np

from .ops import elementwise as E, special as SP, reduce as R, movement as M, linalg as L, softmax as S
from .fastpath import binary, unary
from .tensor import Tensor, _index, as_tensor
from .reductions import (  # noqa: F401  (re-exported: the functional namespace is complete)
    ValuesIndices, _axis, all, amax, amin, any, argmax, argmin, gather, max, mean, min, norm, prod, sort, std, sum,
    topk, var,
)

if TYPE_CHECKING:
    from .types import Dims, DType, Shape, TensorLike


# ---- elementwise -------------------------------------------------------------------------
def add(a: TensorLike, b: TensorLike) -> Tensor:
    """a + b, broadcasting."""
    return binary(E.Add, a, b)


def subtract(a: TensorLike, b: TensorLike) -> Tensor:
    """a - b, broadcasting."""
    return binary(E.Sub, a, b)


def multiply(a: TensorLike, b: TensorLike) -> Tensor:
    """a * b, broadcasting."""
    return binary(E.Mul, a, b)


def divide(a: TensorLike, b: TensorLike) -> Tensor:
    """a / b, broadcasting."""
    return binary(E.Div, a, b)


def negative(x: TensorLike) -> Tensor:
    """-x."""
    return unary(E.Neg, x)


def power(a: TensorLike, b: TensorLike) -> Tensor:
    """a ** b; the exponent may be a tensor too."""
    return binary(E.Pow, a, b)


def exp(x: TensorLike) -> Tensor:
    """e ** x."""
    return unary(E.Exp, x)


def log(x: TensorLike) -> Tensor:
    """Natural logarithm."""
    return unary(E.Log, x)


def sqrt(x: TensorLike) -> Tensor:
    """Square root."""
    return unary(E.Sqrt, x)


def abs(x: TensorLike) -> Tensor:  # noqa: A001 - NumPy's name
    """|x|; the subgradient at 0 is 0."""
    return unary(E.Abs, x)


def sin(x: TensorLike) -> Tensor:
    """Sine."""
    return unary(E.Sin, x)


def cos(x: TensorLike) -> Tensor:
    """Cosine."""
    return unary(E.Cos, x)


def tanh(x: TensorLike) -> Tensor:
    """Hyperbolic tangent."""
    return unary(E.Tanh, x)


def sigmoid(x: TensorLike) -> Tensor:
    """1 / (1 + e**-x), stable for any x."""
    return unary(E.Sigmoid, x)


def relu(x: TensorLike) -> Tensor:
    """max(x, 0); ReLU'(0) = 0."""
    return unary(E.Relu, x)


def maximum(a: TensorLike, b: TensorLike) -> Tensor:
    """Elementwise max; a tie splits the gradient in half (as PyTorch)."""
    return binary(E.Maximum, a, b)


def minimum(a: TensorLike, b: TensorLike) -> Tensor:
    """Elementwise min; a tie splits the gradient in half (as PyTorch)."""
    return binary(E.Minimum, a, b)


def where(cond: TensorLike, a: TensorLike, b: TensorLike) -> Tensor:
    """Pick ``a`` where ``cond`` is true, else ``b``; ``cond`` is a boolean constant."""
    c = cond.numpy() if isinstance(cond, Tensor) else np.asarray(cond)
    if c.dtype != bool:
        raise TypeError(f"where: the condition must be boolean, got dtype {c.dtype}")
    return E.Where.apply(c, a, b)


def _special(cls: type, doc: str) -> Callable[[TensorLike], Tensor]:
    def fn(x: TensorLike) -> Tensor:
        return unary(cls, x)
    fn.__name__, fn.__doc__ = cls.__name__.lower(), doc
    return fn


log1p = _special(SP.Log1p, "log(1 + x), accurate near 0.")
expm1 = _special(SP.Expm1, "e**x - 1, accurate near 0.")
asin = arcsin = _special(SP.Asin, "Inverse sine.")
acos = arccos = _special(SP.Acos, "Inverse cosine.")
atan = arctan = _special(SP.Atan, "Inverse tangent.")
tan = _special(SP.Tan, "Tangent.")
sinh = _special(SP.Sinh, "Hyperbolic sine.")
cosh = _special(SP.Cosh, "Hyperbolic cosine.")
log2 = _special(SP.Log2, "Base-2 logarithm.")
log10 = _special(SP.Log10, "Base-10 logarithm.")
reciprocal = _special(SP.Reciprocal, "1 / x.")
rsqrt = _special(SP.Rsqrt, "1 / sqrt(x).")


def clone(x: TensorLike) -> Tensor:
    """A copy with its own memory; recorded, so the gradient flows back to ``x``."""
    return unary(M.Clone, x)


def clip(x: TensorLike, min: TensorLike | None = None, max: TensorLike | None = None) -> Tensor:  # noqa: A002,F811 - PyTorch's clamp names
    """Clamp into [min, max] (either may be None); the gradient passes where min <= x <= max."""
    if min is None and max is None:
        raise ValueError("clip: give at least one of min and max")
    return E.Clip.apply(x, lo=min, hi=max)


clamp = clip


def astype(x: TensorLike, dtype: DType) -> Tensor:
    """Cast; to a floating dtype the gradient flows (cast back), to integers it stops."""
    dt = np.dtype(dtype)
    x = as_tensor(x)
    if dt == x.dtype:
        return x
    if dt.kind != "f":
        return Tensor._wrap(x.numpy().astype(dt), None, False)
    return E.Cast.apply(x, dtype=dt)


def sign(x: TensorLike) -> Tensor:
    """sign(x) in {-1, 0, 1}; recorded with a zero gradient, as ``torch.sign``."""
    return unary(E.Sign, x)


# ---- shape -------------------------------------------------------------------------------
def _dim(op: str, d: int, ndim: int) -> int:
    """One dimension index, range-checked (negatives count from the end)."""
    return R.norm_axes(op, d, ndim)[0]  # type: ignore[index]  # NOTE: drop when norm_axes has overloads


def reshape(x: TensorLike, shape: int | Shape) -> Tensor:
    """``x`` with a new shape of as many elements (NumPy's reshape; one dimension may be -1)."""
    return M.Reshape.apply(x, shape=tuple(shape) if not isinstance(shape, int) else (shape,))


def transpose(x: TensorLike, axes: Shape | None = None) -> Tensor:
    """NumPy's transpose: reverse the axes, or permute them by ``axes``."""
    return M.Transpose.apply(x, axes=None if axes is None else tuple(axes))


def swapaxes(x: TensorLike, a: int, b: int) -> Tensor:
    """Swap dimensions ``a`` and ``b``."""
    x = as_tensor(x)
    nd = x.ndim
    if not (-nd <= a < nd and -nd <= b < nd):
        raise ValueError(f"transpose: dimensions ({a}, {b}) are out of range for a tensor with {nd} dimension(s)")
    axes = list(range(nd))
    axes[a], axes[b] = axes[b], axes[a]
    return M.Transpose.apply(x, axes=tuple(axes))


def broadcast_to(x: TensorLike, shape: Shape) -> Tensor:
    """``x`` broadcast to ``shape``; the gradient sums back to ``x``'s shape."""
    return M.BroadcastTo.apply(x, shape=tuple(shape))


def flatten(x: TensorLike, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """PyTorch's flatten: merge dimensions ``start_dim..end_dim`` into one."""
    x = as_tensor(x)
    if x.ndim == 0:
        return reshape(x, (1,))
    s, e = _dim("flatten", start_dim, x.ndim), _dim("flatten", end_dim, x.ndim)
    shape = x.shape
    return reshape(x, shape[:s] + (int(np.prod(shape[s:e + 1])),) + shape[e + 1:])


def squeeze(x: TensorLike, dim: Dims = None, *, axis: Dims = None) -> Tensor:
    """Drop dimensions of size 1 (all of them, or those in ``dim``)."""
    axis = dim if axis is None else axis
    x = as_tensor(x)
    axes = R.norm_axes("squeeze", axis, x.ndim)
    shape = x.shape
    drop = axes if axes is not None else tuple(i for i, n in enumerate(shape) if n == 1)
    return reshape(x, tuple(n for i, n in enumerate(shape) if not (i in drop and n == 1)))


def unsqueeze(x: TensorLike, dim: int | None = None, *, axis: int | None = None) -> Tensor:
    """Insert a dimension of size 1 at ``dim``."""
    axis = dim if axis is None else axis
    if axis is None:
        raise TypeError("unsqueeze: missing the dimension (dim=)")
    x = as_tensor(x)
    if not -x.ndim - 1 <= axis <= x.ndim:
        raise ValueError(f"unsqueeze: axis {axis} is out of range for a tensor with {x.ndim} dimension(s)")
    axis = axis % (x.ndim + 1)
    return reshape(x, x.shape[:axis] + (1,) + x.shape[axis:])


expand_dims = unsqueeze


def pad(x: TensorLike, pad_width: int | Sequence[int] | Sequence[Sequence[int]], value: float = 0.0) -> Tensor:
    """Constant padding, NumPy's ``pad_width``: one (before, after) pair per dimension (or one for all)."""
    return M.Pad.apply(x, pad_width=pad_width, value=value)


def getitem(x: TensorLike, index: Any) -> Tensor:
    """``x[index]`` with NumPy's indexing (ints, slices, None, Ellipsis, boolean masks, integer arrays or Tensors)."""
    return M.GetItem.apply(x, index=_index(index))


def concatenate(tensors: Sequence[TensorLike], dim: int = 0, *, axis: int | None = None) -> Tensor:
    """Join tensors along an existing dimension (``torch.cat(tensors, dim=)``)."""
    if isinstance(tensors, Tensor):
        raise TypeError("cat: expected a sequence of Tensors (cat((a, b), dim=0)), got one Tensor")
    return M.Concatenate.apply(*tensors, axis=dim if axis is None else axis)


cat = concat = concatenate


def stack(tensors: Sequence[TensorLike], dim: int = 0, *, axis: int | None = None) -> Tensor:
    """Composed: unsqueeze each, then concatenate."""
    axis = dim if axis is None else axis
    ts = [as_tensor(t) for t in tensors]
    if not ts:
        raise ValueError("stack: needs at least one tensor")
    first = ts[0].shape
    for t in ts[1:]:
        if t.shape != first:
            raise ValueError(f"stack: all tensors need the same shape, got {first} and {t.shape}")
    return concatenate([unsqueeze(t, axis) for t in ts], axis=axis)


# ---- linear algebra and the stable family -----------------------------------------------
def linear(x: TensorLike, weight: TensorLike, bias: TensorLike | None = None) -> Tensor:
    """``x @ weight.T + bias`` in one primitive (PyTorch's ``F.linear``); ``weight`` is (out, in)."""
    return L.Linear.apply(x, weight, bias)


def matmul(a: TensorLike, b: TensorLike) -> Tensor:
    """Matrix product with NumPy's rules (``a @ b``: 1-d operands are vectors, leading dimensions broadcast)."""
    return binary(L.Matmul, a, b)


def softmax(x: TensorLike, axis: int = -1, *, dim: int | None = None) -> Tensor:
    """e^x / Σ e^x along ``dim`` (``axis``), stable for any x."""
    return S.Softmax.apply(x, axis=axis if dim is None else dim)


def log_softmax(x: TensorLike, axis: int = -1, *, dim: int | None = None) -> Tensor:
    """log(softmax(x)) along ``dim`` (``axis``), stable for any x."""
    return S.LogSoftmax.apply(x, axis=axis if dim is None else dim)


def logsumexp(x: TensorLike, dim: Dims = None, keepdim: bool = False, *, axis: Dims = None,
              keepdims: bool | None = None) -> Tensor:
    """log Σ e^x over ``dim``, stable for any x."""
    dim, keepdim = _axis("logsumexp", dim, axis, keepdim, keepdims)
    return S.LogSumExp.apply(x, axis=dim, keepdims=keepdim)


# ---- constructors --------------------------------------------------------------------------
def zeros_like(x: TensorLike, requires_grad: bool = False) -> Tensor:
    """Zeros with ``x``'s shape and dtype."""
    return Tensor(np.zeros_like(as_tensor(x).numpy()), requires_grad=requires_grad)


def ones_like(x: TensorLike, requires_grad: bool = False) -> Tensor:
    """Ones with ``x``'s shape and dtype."""
    return Tensor(np.ones_like(as_tensor(x).numpy()), requires_grad=requires_grad)
