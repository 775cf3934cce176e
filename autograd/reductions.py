"""Reductions with PyTorch's signatures: ``dim=`` / ``keepdim=`` (NumPy's ``axis=`` / ``keepdims=`` kept as aliases).

``max`` / ``min`` follow torch: over everything a value; with a dimension a ``(values, indices)`` named
tuple whose gradient goes to the index picked (torch's rule; ``amax`` / ``amin`` share it between ties);
with a second tensor the elementwise ``maximum`` / ``minimum``.
"""
from __future__ import annotations

import builtins as _builtins
from typing import TYPE_CHECKING, Any, Callable, NamedTuple, overload

import numpy as np

from .ops import elementwise as E, movement as M, reduce as R
from .dtypes import DtypeError
from .tensor import Tensor, as_tensor

if TYPE_CHECKING:
    from typing import Protocol

    from .function import Function
    from .types import Dims, DType, TensorLike

    class _Extremum(Protocol):
        """max / min: over everything a value; with a dim (values, indices); with a tensor the elementwise one."""

        @overload
        def __call__(self, x: TensorLike, dim: None = None, keepdim: bool = False, *, axis: None = None,
                     keepdims: bool | None = None) -> Tensor: ...
        @overload
        def __call__(self, x: TensorLike, dim: int, keepdim: bool = False, *,
                     keepdims: bool | None = None) -> ValuesIndices: ...
        @overload
        def __call__(self, x: TensorLike, *, axis: int, keepdim: bool = False,
                     keepdims: bool | None = None) -> ValuesIndices: ...
        @overload
        def __call__(self, x: TensorLike, other: Tensor, /) -> Tensor: ...

    class _IndexReduction(Protocol):
        def __call__(self, x: TensorLike, dim: int | None = None, keepdim: bool = False, *, axis: int | None = None,
                     keepdims: bool | None = None) -> Tensor: ...

    class _Reduction(Protocol):
        def __call__(self, x: TensorLike, dim: Dims = None, keepdim: bool = False, *, axis: Dims = None,
                     keepdims: bool | None = None) -> Tensor: ...


class ValuesIndices(NamedTuple):
    """What ``max(dim)``, ``min(dim)``, ``sort``, ``topk`` return: ``values`` (recorded) and ``indices`` (int64)."""
    values: Tensor
    indices: Tensor


def _axis(op: str, dim: Dims, axis: Dims, keepdim: bool, keepdims: bool | None) -> tuple[Any, bool]:
    """Accept NumPy's ``axis=`` / ``keepdims=`` as aliases of PyTorch's ``dim=`` / ``keepdim=``."""
    if axis is not None:
        if dim is not None:
            raise TypeError(f"{op}: give axis= or dim=, not both")
        dim = axis
    if keepdims is not None:
        keepdim = keepdims
    if isinstance(dim, list):
        dim = tuple(dim)
    return dim, bool(keepdim)


def sum(x: TensorLike, dim: Dims = None, keepdim: bool = False, *, axis: Dims = None,  # noqa: A001
        keepdims: bool | None = None, dtype: DType | None = None) -> Tensor:
    """Sum over ``dim`` (all by default)."""
    dim, keepdim = _axis("sum", dim, axis, keepdim, keepdims)
    x = as_tensor(x)
    if dtype is not None:
        x = x.to(dtype)
    elif x.dtype.kind in "bui" and x.dtype != np.int64:  # torch sums integers and bools as int64
        x = x.to(np.int64)
    return R.Sum.apply(x, axis=dim, keepdims=keepdim)


def _count(x: Tensor, axis: Dims) -> int:
    axes = R.norm_axes("mean", axis, x.ndim)
    shape = x.shape
    return int(np.prod([shape[a] for a in axes] if axes is not None else shape))


def mean(x: TensorLike, dim: Dims = None, keepdim: bool = False, *, axis: Dims = None, keepdims: bool | None = None,
         dtype: DType | None = None) -> Tensor:
    """Composed: sum, then a multiply by 1/n. An integer tensor needs ``dtype=`` or ``.float()`` (as torch)."""
    dim, keepdim = _axis("mean", dim, axis, keepdim, keepdims)
    x = as_tensor(x)
    if dtype is not None:
        x = x.to(dtype)
    if x.dtype.kind != "f":
        raise DtypeError(f"mean: the input has dtype {x.dtype}; mean needs a floating-point tensor "
                        "(torch: x.float().mean(), or mean(dtype=autograd.float32))")
    n = _count(x, dim)
    return R.Sum.apply(x, axis=dim, keepdims=keepdim) * (1.0 / n if n else np.nan)


def var(x: TensorLike, dim: Dims = None, unbiased: bool | int | None = None, keepdim: bool = False, *,
        axis: Dims = None, keepdims: bool | None = None, correction: int = 1) -> Tensor:
    """Variance with PyTorch's default ``correction=1`` (unbiased); ``correction=0`` is the population variance."""
    if isinstance(unbiased, bool):
        correction = int(unbiased)
    elif unbiased is not None and dim is None:  # var(x, 1): NumPy-style positional axis
        dim = unbiased
    dim, keepdim = _axis("var", dim, axis, keepdim, keepdims)
    x = as_tensor(x)
    d = x - mean(x, dim, keepdim=True)
    n = _count(x, dim) - correction
    return R.Sum.apply(d * d, axis=dim, keepdims=keepdim) * (1.0 / n if n > 0 else np.nan)


def std(x: TensorLike, dim: Dims = None, unbiased: bool | int | None = None, keepdim: bool = False, *,
        axis: Dims = None, keepdims: bool | None = None, correction: int = 1) -> Tensor:
    """Square root of ``var``."""
    return E.Sqrt.apply(var(x, dim, unbiased, keepdim, axis=axis, keepdims=keepdims, correction=correction))


def prod(x: TensorLike, dim: Dims = None, keepdim: bool = False, *, axis: Dims = None, keepdims: bool | None = None,
         dtype: DType | None = None) -> Tensor:
    """Product over ``dim`` (one dimension, or all); integers and bools multiply as int64, as torch."""
    dim, keepdim = _axis("prod", dim, axis, keepdim, keepdims)
    x = as_tensor(x)
    if dtype is not None:
        x = x.to(dtype)
    elif x.dtype.kind in "bui" and x.dtype != np.int64:
        x = x.to(np.int64)
    return R.Prod.apply(x, axis=dim, keepdims=keepdim)


def amax(x: TensorLike, dim: Dims = None, keepdim: bool = False, *, axis: Dims = None,
         keepdims: bool | None = None) -> Tensor:
    """Largest value over ``dim`` (one or several); ties share the gradient evenly."""
    dim, keepdim = _axis("amax", dim, axis, keepdim, keepdims)
    return R.Max.apply(x, axis=dim, keepdims=keepdim)


def amin(x: TensorLike, dim: Dims = None, keepdim: bool = False, *, axis: Dims = None,
         keepdims: bool | None = None) -> Tensor:
    """Smallest value over ``dim``; ties share the gradient evenly."""
    dim, keepdim = _axis("amin", dim, axis, keepdim, keepdims)
    return R.Min.apply(x, axis=dim, keepdims=keepdim)


def gather(x: TensorLike, dim: int, index: TensorLike) -> Tensor:
    """``out[i][j] = x[i][index[i][j]]`` along ``dim`` (torch.gather); the gradient scatters back."""
    x = as_tensor(x)
    idx = index.numpy() if isinstance(index, Tensor) else np.asarray(index)
    if idx.dtype.kind not in "iu" or idx.ndim != x.ndim:
        raise ValueError(f"gather: index must be an integer tensor with as many dimensions as the input "
                         f"({x.ndim}), got dtype {idx.dtype} and shape {idx.shape}")
    d = R.norm_axes("gather", dim, x.ndim)[0]  # type: ignore[index]  # NOTE: drop when norm_axes has overloads
    grid: list[np.ndarray] = list(np.indices(idx.shape, sparse=True))
    grid[d] = idx
    return M.GetItem.apply(x, index=tuple(grid))


def _pick(op: str, x: TensorLike, dim: int, keepdim: bool, argf: Callable[..., Any]) -> ValuesIndices:
    """Values at ``argf``'s indices along ``dim``: the gradient goes to the index picked (torch's max(dim))."""
    x = as_tensor(x)
    d = R.norm_axes(op, dim, _builtins.max(x.ndim, 1))[0]  # type: ignore[index]  # NOTE: drop when norm_axes has overloads
    if x.ndim == 0:
        return ValuesIndices(x, Tensor._wrap(np.asarray(0), None, False))
    if x.shape[d] == 0:
        raise ValueError(f"{op}: cannot reduce dimension {dim} of size 0 (shape {x.shape})")
    idx = np.expand_dims(argf(x.numpy(), axis=d), d)
    values = gather(x, d, idx)
    if not keepdim:
        values, idx = M.Reshape.apply(values, shape=idx.shape[:d] + idx.shape[d + 1:]), idx.squeeze(d)
    return ValuesIndices(values, Tensor._wrap(idx.astype(np.int64), None, False))


def _extremum(op: str, prim: type[Function], pair: Callable[[TensorLike, Tensor], Tensor],
              argf: Callable[..., Any]) -> _Extremum:
    def reduce(x: TensorLike, dim: Any = None, keepdim: bool = False, *, axis: Dims = None,
               keepdims: bool | None = None) -> Any:
        if isinstance(dim, Tensor):  # torch.max(a, b): elementwise
            return pair(x, dim)
        dim, keepdim = _axis(op, dim, axis, keepdim, keepdims)
        if dim is None:
            return prim.apply(x, axis=None, keepdims=False)
        if isinstance(dim, tuple):
            raise TypeError(f"{op}: dim must be one int (it returns values and indices); for several "
                            f"dimensions use a{op}(x, dim=(...)) (torch.a{op})")
        return _pick(op, x, dim, keepdim, argf)
    reduce.__name__ = op
    reduce.__doc__ = (f"torch.{op}: over everything the {op} value; with ``dim`` a (values, indices) named tuple; "
                      f"with a second tensor the elementwise {op}imum.")
    return reduce


max = _extremum("max", R.Max, lambda a, b: E.Maximum.apply(a, b), np.argmax)  # noqa: A001
min = _extremum("min", R.Min, lambda a, b: E.Minimum.apply(a, b), np.argmin)  # noqa: A001


def sort(x: TensorLike, dim: int = -1, descending: bool = False, stable: bool = False) -> ValuesIndices:
    """Sorted values along ``dim`` and their indices (a stable sort)."""
    x = as_tensor(x)
    d = R.norm_axes("sort", dim, _builtins.max(x.ndim, 1))[0]  # type: ignore[index]  # NOTE: drop when norm_axes has overloads
    a = x.numpy()
    idx = np.argsort(-a if descending else a, axis=d, kind="stable") if x.ndim else np.asarray(0)
    if x.ndim == 0:
        return ValuesIndices(x, Tensor._wrap(idx, None, False))
    return ValuesIndices(gather(x, d, idx), Tensor._wrap(idx.astype(np.int64), None, False))


def topk(x: TensorLike, k: int, dim: int = -1, largest: bool = True, sorted: bool = True) -> ValuesIndices:  # noqa: A002
    """The ``k`` largest (or smallest) values along ``dim`` and their indices."""
    x = as_tensor(x)
    d = R.norm_axes("topk", dim, _builtins.max(x.ndim, 1))[0]  # type: ignore[index]  # NOTE: drop when norm_axes has overloads
    n = x.shape[d] if x.ndim else 1
    if not 0 <= k <= n:
        raise ValueError(f"topk: k = {k} is out of range for dimension {dim} of size {n}")
    _, order = sort(x, d, descending=largest, stable=True)
    idx = order.numpy().take(np.arange(k), axis=d)
    return ValuesIndices(gather(x, d, idx), Tensor._wrap(idx, None, False))


def _index_reduction(op: str, argf: Callable[..., Any]) -> _IndexReduction:
    def reduce(x: TensorLike, dim: int | None = None, keepdim: bool = False, *, axis: int | None = None,
               keepdims: bool | None = None) -> Tensor:
        dim, keepdim = _axis(op, dim, axis, keepdim, keepdims)
        a = as_tensor(x).numpy()
        r = argf(a, axis=dim, keepdims=keepdim) if dim is not None else argf(a)
        return Tensor._wrap(np.asarray(r, dtype=np.int64), None, False)
    reduce.__name__ = op
    reduce.__doc__ = f"Index of the {op[3:]} value over ``dim`` (of the flattened tensor when None); int64."
    return reduce


argmax = _index_reduction("argmax", np.argmax)
argmin = _index_reduction("argmin", np.argmin)


def _logical(op: str, npf: Callable[..., Any]) -> _Reduction:
    def reduce(x: TensorLike, dim: Dims = None, keepdim: bool = False, *, axis: Dims = None,
               keepdims: bool | None = None) -> Tensor:
        dim, keepdim = _axis(op, dim, axis, keepdim, keepdims)
        return Tensor._wrap(np.asarray(npf(as_tensor(x).numpy(), axis=dim, keepdims=keepdim)), None, False)
    reduce.__name__ = op
    reduce.__doc__ = f"Whether {op} elements are nonzero over ``dim`` (a bool tensor, no gradient)."
    return reduce


all = _logical("all", np.all)  # noqa: A001
any = _logical("any", np.any)  # noqa: A001


def norm(x: TensorLike, p: float | str = "fro", dim: Dims = None, keepdim: bool = False, *, axis: Dims = None,
         keepdims: bool | None = None, dtype: DType | None = None) -> Tensor:
    """Vector p-norm over ``dim`` (all elements by default): p = 2 / 'fro', 1, inf, -inf, 0 or any p > 0.

    NOTE: a primitive for stability: the gradient at a zero vector is 0 (as torch), where the composed
    sqrt(sum(x²)) would give NaN.
    """
    dim, keepdim = _axis("norm", dim, axis, keepdim, keepdims)
    x = as_tensor(x)
    if dtype is not None:
        x = x.to(dtype)
    if p == "fro":
        p = 2
    if isinstance(p, str):
        raise ValueError(f"norm: p={p!r} is not supported; use a number (2, 1, inf, ...) or 'fro'")
    return R.Norm.apply(x, p=float(p), axis=dim, keepdims=keepdim)
