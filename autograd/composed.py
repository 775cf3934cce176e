"""More of PyTorch's tensor functions, each composed from the primitives (indexing, reshaping, arithmetic).

None needs a primitive of its own: their gradients come from the ops they are made of, so the recorded
graph shows what they do (``chunk`` is slicing, ``repeat`` a broadcast, ``tril`` a mask).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Sequence

import numpy as np

from . import functional as F
from .ops import elementwise as E, movement as M, reduce as R
from .tensor import Tensor, as_tensor

if TYPE_CHECKING:
    from typing import Protocol

    from .types import TensorLike

    class _Triangle(Protocol):
        def __call__(self, x: TensorLike, diagonal: int = 0) -> Tensor: ...


def _dim(op: str, d: int, ndim: int) -> int:
    return R.norm_axes(op, d, ndim)[0]  # type: ignore[index]  # NOTE: drop when norm_axes has overloads


def _const(a: Any) -> Tensor:
    return Tensor._wrap(np.asarray(a), None, False)


def _raw(x: Any) -> Any:
    return x.numpy() if isinstance(x, Tensor) else x


def split(x: TensorLike, split_size_or_sections: int | Sequence[int], dim: int = 0) -> tuple[Tensor, ...]:
    """Pieces of ``split_size`` along ``dim`` (the last may be smaller), or of the listed sizes."""
    x = as_tensor(x)
    d = _dim("split", dim, x.ndim)
    n = x.shape[d]
    if isinstance(split_size_or_sections, (int, np.integer)):
        step = int(split_size_or_sections)
        if step <= 0:
            raise ValueError(f"split: split_size must be positive, got {step}")
        sizes = [min(step, n - i) for i in range(0, n, step)] or [0]
    else:
        sizes = [int(s) for s in split_size_or_sections]
        if sum(sizes) != n:
            raise ValueError(f"split: sizes {sizes} sum to {sum(sizes)}, but dimension {dim} has size {n}")
    out, start, lead = [], 0, (slice(None),) * d
    for s in sizes:
        out.append(F.getitem(x, lead + (slice(start, start + s),)))
        start += s
    return tuple(out)


def chunk(x: TensorLike, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
    """``chunks`` nearly equal pieces along ``dim`` (torch's sizes: ceil(n / chunks) each)."""
    x = as_tensor(x)
    if chunks <= 0:
        raise ValueError(f"chunk: chunks must be positive, got {chunks}")
    n = x.shape[_dim("chunk", dim, x.ndim)]
    return split(x, max(1, -(-n // chunks)), dim)


def unbind(x: TensorLike, dim: int = 0) -> tuple[Tensor, ...]:
    """The slices along ``dim``, each without that dimension."""
    x = as_tensor(x)
    d = _dim("unbind", dim, x.ndim)
    lead = (slice(None),) * d
    return tuple(F.getitem(x, lead + (i,)) for i in range(x.shape[d]))


def repeat(x: TensorLike, *sizes: int | Sequence[int]) -> Tensor:
    """Tile ``x`` ``sizes[i]`` times along dimension ``i`` (torch's ``repeat``; NumPy's ``tile``)."""
    reps: tuple[int, ...] = (tuple(sizes[0]) if len(sizes) == 1 and not isinstance(sizes[0], (int, np.integer))
                             else sizes)  # type: ignore[assignment]  # ints here
    x = as_tensor(x)
    if len(reps) < x.ndim:
        raise ValueError(f"repeat: got {len(reps)} sizes for a tensor with {x.ndim} dimensions; give at least one "
                         "per dimension")
    shape = (1,) * (len(reps) - x.ndim) + x.shape
    y = F.reshape(x, tuple(v for n in shape for v in (1, n)))  # a size-1 axis before each one
    y = F.broadcast_to(y, tuple(v for r, n in zip(reps, shape) for v in (r, n)))
    return F.reshape(y, tuple(r * n for r, n in zip(reps, shape)))


def flip(x: TensorLike, dims: int | Sequence[int]) -> Tensor:
    """Reverse the order along ``dims``."""
    x = as_tensor(x)
    dims = (dims,) if isinstance(dims, (int, np.integer)) else tuple(dims)
    idx = [slice(None)] * x.ndim
    for d in dims:
        idx[_dim("flip", d, x.ndim)] = slice(None, None, -1)
    return F.getitem(x, tuple(idx))


def index_select(x: TensorLike, dim: int, index: TensorLike) -> Tensor:
    """The entries ``index`` (a 1-d integer tensor) along ``dim``."""
    x = as_tensor(x)
    d = _dim("index_select", dim, x.ndim)
    return F.getitem(x, (slice(None),) * d + (np.asarray(_raw(index)).reshape(-1),))


def masked_select(x: TensorLike, mask: TensorLike) -> Tensor:
    """The entries where ``mask`` (broadcast to ``x``) is true, as a 1-d tensor."""
    x = as_tensor(x)
    m = np.broadcast_to(np.asarray(_raw(mask), dtype=bool), x.shape)
    return F.getitem(x, m)


def _tri(op: str, keep: Callable[[np.ndarray, int], np.ndarray]) -> _Triangle:
    def fn(x: TensorLike, diagonal: int = 0) -> Tensor:
        x = as_tensor(x)
        if x.ndim < 2:
            raise ValueError(f"{op}: needs a tensor with at least 2 dimensions, got shape {x.shape}")
        mask = keep(np.ones(x.shape[-2:], dtype=bool), diagonal)
        return F.where(mask, x, np.zeros((), dtype=x.dtype))
    fn.__name__ = op
    fn.__doc__ = f"The {'lower' if op == 'tril' else 'upper'} triangle (from ``diagonal``), zeros elsewhere."
    return fn


tril = _tri("tril", np.tril)
triu = _tri("triu", np.triu)


def square(x: TensorLike) -> Tensor:
    """x * x."""
    return F.multiply(x, x)


def _fixed_rank_product(op: str, ndim: int, doc: str) -> Callable[[TensorLike, TensorLike], Tensor]:
    def fn(a: TensorLike, b: TensorLike) -> Tensor:
        a, b = as_tensor(a), as_tensor(b)
        if a.ndim != ndim or b.ndim != ndim:
            raise ValueError(f"{op}: both operands must be {ndim}-d, got shapes {a.shape} and {b.shape} (matmul "
                             "takes any)")
        return F.matmul(a, b)
    fn.__name__, fn.__doc__ = op, doc
    return fn


mm = _fixed_rank_product("mm", 2, "Matrix product of two 2-d tensors.")
bmm = _fixed_rank_product("bmm", 3, "Batched matrix product of two 3-d tensors.")
dot = _fixed_rank_product("dot", 1, "Inner product of two 1-d tensors.")


def outer(a: TensorLike, b: TensorLike) -> Tensor:
    """Outer product of two 1-d tensors."""
    return F.multiply(F.unsqueeze(as_tensor(a), 1), as_tensor(b))


def _nondiff(name: str, npf: Callable[..., Any]) -> Callable[..., Tensor]:
    def fn(*args: TensorLike) -> Tensor:
        return _const(npf(*(_raw(a) for a in args)))
    fn.__name__ = name
    fn.__doc__ = f"NumPy's ``{npf.__name__}`` (piecewise constant or boolean: no gradient)."
    return fn


def _rounding(mode: str) -> Callable[[TensorLike], Tensor]:
    def fn(x: TensorLike) -> Tensor:
        return E.Round.apply(x, mode=mode)
    fn.__name__ = mode
    fn.__doc__ = f"NumPy's {mode}; recorded with a zero gradient, as torch's."
    return fn


floor, ceil, round, trunc = (_rounding(m) for m in ("floor", "ceil", "round", "trunc"))  # noqa: A001

NONDIFF = {
    "isnan": np.isnan,
    "isinf": np.isinf, "isfinite": np.isfinite, "logical_not": np.logical_not, "logical_and": np.logical_and,
    "logical_or": np.logical_or, "logical_xor": np.logical_xor, "floor_divide": np.floor_divide,
    "remainder": np.remainder, "eq": np.equal, "ne": np.not_equal, "lt": np.less, "le": np.less_equal,
    "gt": np.greater, "ge": np.greater_equal, "signbit": np.signbit, "bitwise_and": np.bitwise_and,
    "bitwise_or": np.bitwise_or, "bitwise_xor": np.bitwise_xor, "bitwise_not": np.invert,
}
globals().update({k: _nondiff(k, f) for k, f in NONDIFF.items()})
if TYPE_CHECKING:  # what the line above defines, declared for type checkers
    isnan: Callable[[TensorLike], Tensor]
    isinf: Callable[[TensorLike], Tensor]
    isfinite: Callable[[TensorLike], Tensor]
    logical_not: Callable[[TensorLike], Tensor]
    signbit: Callable[[TensorLike], Tensor]
    logical_and: Callable[[TensorLike, TensorLike], Tensor]
    logical_or: Callable[[TensorLike, TensorLike], Tensor]
    logical_xor: Callable[[TensorLike, TensorLike], Tensor]
    bitwise_and: Callable[[TensorLike, TensorLike], Tensor]
    bitwise_or: Callable[[TensorLike, TensorLike], Tensor]
    bitwise_xor: Callable[[TensorLike, TensorLike], Tensor]
    bitwise_not: Callable[[TensorLike], Tensor]
    floor_divide: Callable[[TensorLike, TensorLike], Tensor]
    remainder: Callable[[TensorLike, TensorLike], Tensor]
    eq: Callable[[TensorLike, TensorLike], Tensor]
    ne: Callable[[TensorLike, TensorLike], Tensor]
    lt: Callable[[TensorLike, TensorLike], Tensor]
    le: Callable[[TensorLike, TensorLike], Tensor]
    gt: Callable[[TensorLike, TensorLike], Tensor]
    ge: Callable[[TensorLike, TensorLike], Tensor]


def equal(a: TensorLike, b: TensorLike) -> bool:
    """True when both have the same shape and values."""
    return bool(np.array_equal(_raw(a), _raw(b)))


def allclose(a: TensorLike, b: TensorLike, rtol: float = 1e-5, atol: float = 1e-8, equal_nan: bool = False) -> bool:
    """NumPy's (and torch's) ``allclose``."""
    return bool(np.allclose(_raw(a), _raw(b), rtol=rtol, atol=atol, equal_nan=equal_nan))


def isclose(a: TensorLike, b: TensorLike, rtol: float = 1e-5, atol: float = 1e-8, equal_nan: bool = False) -> Tensor:
    """Elementwise ``allclose``."""
    return _const(np.isclose(_raw(a), _raw(b), rtol=rtol, atol=atol, equal_nan=equal_nan))


def cumsum(x: TensorLike, dim: int) -> Tensor:
    """Running sum along ``dim``; composed as a product with a triangular ones matrix (its gradient is exact)."""
    x = as_tensor(x)
    d = _dim("cumsum", dim, x.ndim)
    n = x.shape[d]
    tri = np.triu(np.ones((n, n), dtype=x.dtype if x.dtype.kind == "f" else np.int64))
    moved = F.swapaxes(x, d, -1)
    return F.swapaxes(F.matmul(moved, tri), d, -1)


def numel(x: TensorLike) -> int:
    """The number of elements."""
    return int(as_tensor(x).size)


def _scatter_index(op: str, x: Tensor, dim: int, index: Any) -> tuple:
    """torch's scatter index (``index`` along ``dim``, positions elsewhere) as a NumPy advanced index."""
    idx = np.asarray(_raw(index))
    if idx.ndim == 0:
        idx = idx.reshape(1)
    if idx.dtype.kind not in "iu" or idx.ndim != x.ndim:
        raise ValueError(f"{op}: index must be an integer tensor with as many dimensions as the input ({x.ndim}), "
                         f"got dtype {idx.dtype} and shape {idx.shape}")
    grid: list[np.ndarray] = list(np.indices(idx.shape, sparse=True))
    grid[_dim(op, dim, x.ndim)] = idx
    return tuple(grid)


def _scatter_src(src: Any, shape: tuple, x: Tensor) -> Any:
    if isinstance(src, Tensor):
        return F.getitem(src, tuple(slice(0, n) for n in shape)) if src.shape != shape else src
    return np.asarray(src, dtype=x.dtype)


def scatter(x: TensorLike, dim: int, index: TensorLike, src: Any = None, *, value: Any = None,
            reduce: str | None = None) -> Tensor:
    """``out[i][index[i][j]] = src[i][j]`` along ``dim`` (torch.scatter; ``value=`` for a constant); recorded:
    the overwritten places send ``x`` no gradient, ``src`` gets the gradient of the places it wrote."""
    x = as_tensor(x)
    idx = _scatter_index("scatter", x, dim, index)
    if src is None:
        src = value
    if src is None:
        raise TypeError("scatter: give src (a tensor) or value= (a number)")
    if reduce == "add":
        return scatter_add(x, dim, index, src)
    if reduce is not None:
        raise ValueError(f"scatter: reduce={reduce!r} is not supported (use scatter_add or 'add')")
    shape = np.broadcast_shapes(*[np.shape(i) for i in idx])
    return M.IndexPut.apply(x, _scatter_src(src, shape, x), index=idx)


def scatter_add(x: TensorLike, dim: int, index: TensorLike, src: TensorLike) -> Tensor:
    """``out[i][index[i][j]] += src[i][j]`` along ``dim`` (repeated indices add up)."""
    x = as_tensor(x)
    idx = _scatter_index("scatter_add", x, dim, index)
    shape = np.broadcast_shapes(*[np.shape(i) for i in idx])
    src_t = _scatter_src(src if isinstance(src, Tensor) else Tensor(np.asarray(src, dtype=x.dtype)), shape, x)
    return F.add(x, M.ScatterAdd.apply(src_t, index=idx, shape=x.shape))


def index_add(x: TensorLike, dim: int, index: TensorLike, source: TensorLike, *, alpha: Any = 1) -> Tensor:
    """``x`` with ``alpha * source`` added at the entries ``index`` along ``dim`` (repeats add up)."""
    x = as_tensor(x)
    idx = np.asarray(_raw(index)).reshape(-1)
    if idx.dtype.kind not in "iu":
        raise ValueError(f"index_add: index must be an integer tensor, got dtype {idx.dtype}")
    d = _dim("index_add", dim, x.ndim)
    src = as_tensor(source) if alpha == 1 else F.multiply(source, alpha)
    index_t = (slice(None),) * d + (idx,)
    return F.add(x, M.ScatterAdd.apply(src, index=index_t, shape=x.shape))


def unique(x: TensorLike, sorted: bool = True, return_inverse: bool = False, return_counts: bool = False,  # noqa: A002
           dim: int | None = None) -> Any:
    """The distinct values (sorted), and optionally the inverse indices and the counts (no gradient)."""
    out = np.unique(_raw(as_tensor(x)), return_inverse=return_inverse,  # type: ignore[call-overload]
                    return_counts=return_counts, axis=dim)
    if not isinstance(out, tuple):
        return _const(out)
    return tuple(_const(o if i == 0 else np.asarray(o, dtype=np.int64)) for i, o in enumerate(out))


__all__ = ["scatter", "scatter_add", "index_add", "unique", "floor", "ceil", "round", "trunc",
           "split", "chunk", "unbind", "repeat", "flip", "index_select", "masked_select", "tril", "triu", "square",
           "mm", "bmm", "dot", "outer", "equal", "allclose", "isclose", "cumsum", "numel", *NONDIFF]
