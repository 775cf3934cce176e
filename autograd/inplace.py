"""In-place operations with PyTorch's semantics: ``w -= lr * w.grad``, ``p.data.add_(g, alpha=-lr)``, ``x[i] = v``.

Three cases, as in torch:

- nothing to record (under ``no_grad``, or no operand requires grad): the values are written into
  the tensor's own array, so every view and every holder of the tensor sees them;
- a leaf that requires grad, with grad mode on: refused with torch's error (the update would be lost
  from the graph);
- a tensor inside a graph: the op is recorded out of place on a copy, then the tensor takes the
  new values (written into its memory) and the new node, as torch rebases a tensor's history.

Every write marks the memory as written (versions.py), so a backward that would read an array an
op saved before the write raises instead of returning a wrong gradient.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from . import functional as F
from .dtypes import category, result_type, torch_name
from .mode import STATE
from .tensor import Tensor, _index
from .versions import mark_written


def _needs_graph(self: Tensor, operands) -> bool:
    if not STATE.grad_enabled:
        return False
    return self.requires_grad or any(isinstance(o, Tensor) and o.requires_grad for o in operands)


def _check(shape: tuple, dtype, arr: np.ndarray, op: str, cast_any: bool = False) -> None:
    """torch's rules for writing a result into a tensor: its shape stays, and a float result never goes
    into an integer tensor (nor an integer one into a bool tensor), except for fills and copies."""
    if np.broadcast_shapes(shape, arr.shape) != arr.shape:
        raise RuntimeError(f"{op}: the result has shape {tuple(shape)} but the tensor changed in place has shape "
                           f"{arr.shape}; an in-place op cannot change a tensor's shape")
    if not cast_any and category(dtype) > category(arr.dtype):
        raise RuntimeError(f"{op}: result type {torch_name(dtype)} can't be cast to the desired output type "
                           f"{torch_name(arr.dtype)} of this tensor (convert it first: x = x.float())")
    if not arr.flags.writeable:
        raise RuntimeError(f"{op}: this tensor's memory is read-only (a broadcast view, or a NumPy array marked "
                           "read-only); .clone() it first")


def _write(self: Tensor, values, op: str, cast_any: bool = False) -> None:
    """Copy ``values`` into ``self``'s array and mark it written."""
    arr = self.numpy()
    v = values.numpy() if isinstance(values, Tensor) else np.asarray(values)
    _check(v.shape, v.dtype, arr, op, cast_any)
    np.copyto(arr, v, casting="unsafe")
    mark_written(arr)


def apply_inplace(self: Tensor, op: str, compute: Callable[[Tensor], Tensor], *operands,
                  cast_any: bool = False) -> Tensor:
    """Run ``compute(self)`` (out of place) and make ``self`` the result, in place (see the module docstring)."""
    if not _needs_graph(self, operands):
        prev, STATE.grad_enabled = STATE.grad_enabled, False
        try:
            res = compute(Tensor._wrap(self.numpy(), None, False))
        finally:
            STATE.grad_enabled = prev
        _write(self, res, op, cast_any)
        return self
    if self.requires_grad and self.is_leaf:
        raise RuntimeError(f"{op}: a leaf Variable that requires grad is being used in an in-place operation. "
                           "Update it under `with autograd.no_grad():` (as optimizers do), or use an out-of-place "
                           "op (w = w - lr * g)")
    src = Tensor._wrap(self.numpy().copy(), self._node if self.requires_grad else None, self.requires_grad)
    res = compute(src)
    _check(res.shape, res.dtype, self.numpy(), op, cast_any)
    if res.shape != self.shape:
        res = F.broadcast_to(res, self.shape)
    if res.dtype != self.dtype:
        res = F.astype(res, self.dtype)
    _rebase(self, res, op)
    return self


def _base_of(t: Tensor):
    """The tensor ``t`` is a recorded view of (a slice, reshape or transpose sharing its memory), or None."""
    node = t._node
    ref = getattr(node, "view_of", None) if node is not None and not node.is_leaf else None
    base = ref() if ref is not None else None
    if base is None or not np.may_share_memory(base.numpy(), t.numpy()):
        return None
    return node, base


def _rebase(t: Tensor, res: Tensor, op: str) -> None:
    """Make ``t`` hold ``res`` (values written into its memory, ``res``'s node taken). When ``t`` is a view of a
    tensor in a graph, that base is rebased too, as torch's CopySlices does, so its gradient sees the change."""
    viewed = _base_of(t)
    if viewed is None:
        _write(t, res, op, cast_any=True)
        t._node, t._requires_grad = res._node, res._requires_grad
        return
    node, base = viewed
    if base.requires_grad and base.is_leaf:
        raise RuntimeError(f"{op}: a view of a leaf Variable that requires grad is being used in an in-place "
                           "operation. Change the leaf under `with autograd.no_grad():`, or clone() the view first")
    base_src = Tensor._wrap(base.numpy().copy(), base._node if base.requires_grad else None, base.requires_grad)
    _rebase(base, node.undo(base_src, res), op)  # writes the base's memory, which holds t's
    again = node.redo(base)
    t._node, t._requires_grad = again._node, again._requires_grad


def _arith(ufunc, fn, op: str, alpha_ok: bool = False):
    """``x.add_(y)`` and friends: a NumPy ufunc with ``out=`` when nothing is recorded, else the recorded op."""
    def method(self: Tensor, other, *, alpha=None) -> Tensor:
        if alpha is not None and not alpha_ok:
            raise TypeError(f"{op}: got an unexpected keyword argument 'alpha'")
        if alpha is not None and alpha != 1:
            other = other * alpha
        if _needs_graph(self, (other,)):
            return apply_inplace(self, op, lambda s: fn(s, other), other)
        arr = self.numpy()
        o = other.numpy() if isinstance(other, Tensor) else other
        rt = result_type(self, other)
        if ufunc is np.true_divide and rt.kind != "f":
            rt = np.dtype(np.float32)
        _check(np.shape(o), rt, arr, op)
        try:
            ufunc(arr, o, out=arr, casting="unsafe")
        except ValueError:
            return apply_inplace(self, op, lambda s: fn(s, other), other)  # the shape error, named
        mark_written(arr)
        return self
    method.__name__ = op
    method.__doc__ = f"In place: ``self = {op.rstrip('_')}(self, other)`` (PyTorch's ``Tensor.{op}``)."
    return method


def _unary(fn, op: str):
    def method(self: Tensor, *args, **kwargs) -> Tensor:
        return apply_inplace(self, op, lambda s: fn(s, *args, **kwargs), *args, *kwargs.values())
    method.__name__ = op
    method.__doc__ = f"In place: ``self = {op.rstrip('_')}(self)``."
    return method


def _replaced(s: Tensor, values) -> Tensor:
    """``values`` broadcast to ``s``'s shape, recorded so that ``s`` gets a zero gradient (not ``s * 0``: inf * 0)."""
    return F.where(np.zeros(s.shape, dtype=bool), s, values)


def _fill(self: Tensor, values, op: str) -> Tensor:
    """Overwrite with constant ``values`` (a graph tensor keeps its place in the graph, with zero gradient)."""
    if _needs_graph(self, ()):
        return apply_inplace(self, op, lambda s: _replaced(s, np.asarray(values, dtype=self.dtype)), cast_any=True)
    _write(self, values, op, cast_any=True)
    return self


def fill_(self: Tensor, value) -> Tensor:
    """Fill with ``value``."""
    return _fill(self, value.numpy() if isinstance(value, Tensor) else value, "fill_")


def zero_(self: Tensor) -> Tensor:
    """Fill with zeros (``p.grad.zero_()``)."""
    return _fill(self, 0, "zero_")


def normal_(self: Tensor, mean: float = 0.0, std: float = 1.0, *, generator=None) -> Tensor:
    """Fill with N(mean, std²) samples from ``generator`` (default: the one ``manual_seed`` sets)."""
    rng = generator if generator is not None else STATE.rng
    return _fill(self, rng.normal(mean, std, self.shape).astype(self.dtype), "normal_")


def uniform_(self: Tensor, a: float = 0.0, b: float = 1.0, *, generator=None) -> Tensor:
    """Fill with U[a, b) samples."""
    rng = generator if generator is not None else STATE.rng
    return _fill(self, rng.uniform(a, b, self.shape).astype(self.dtype), "uniform_")


def bernoulli_(self: Tensor, p: float = 0.5, *, generator=None) -> Tensor:
    """Fill with 0/1 draws, 1 with probability ``p``."""
    rng = generator if generator is not None else STATE.rng
    pr = p.numpy() if isinstance(p, Tensor) else p
    return _fill(self, (rng.random(self.shape) < pr).astype(self.dtype), "bernoulli_")


def copy_(self: Tensor, src) -> Tensor:
    """Copy ``src``'s values in (broadcasting, casting to this tensor's dtype); the gradient flows to ``src``."""
    if not isinstance(src, Tensor):
        src = Tensor(np.asarray(src))
    return apply_inplace(self, "copy_", lambda s: _replaced(s, F.astype(src, self.dtype)), src, cast_any=True)


def masked_fill(self: Tensor, mask, value) -> Tensor:
    """``value`` where ``mask`` is true, else ``self`` (recorded)."""
    m = mask.numpy() if isinstance(mask, Tensor) else np.asarray(mask)
    if m.dtype != bool:
        raise TypeError(f"masked_fill: the mask must be boolean, got dtype {m.dtype}")
    v = value if isinstance(value, Tensor) else np.asarray(value, dtype=self.dtype)
    return F.where(m, v, self)


def masked_fill_(self: Tensor, mask, value) -> Tensor:
    """In place: ``value`` where ``mask`` is true."""
    return apply_inplace(self, "masked_fill_", lambda s: masked_fill(s, mask, value), value)


def addcmul(self: Tensor, t1, t2, *, value=1) -> Tensor:
    """``self + value * t1 * t2``."""
    return self + value * t1 * t2


def addcdiv(self: Tensor, t1, t2, *, value=1) -> Tensor:
    """``self + value * t1 / t2``."""
    return self + value * t1 / t2


def lerp(self: Tensor, end, weight) -> Tensor:
    """``self + weight * (end - self)``."""
    return self + weight * (end - self)


def scatter_(self: Tensor, dim: int, index, src=None, *, value=None, reduce=None) -> Tensor:
    """In place: ``scatter`` (torch's ``x.scatter_(dim, index, src)`` / ``value=``)."""
    from .composed import scatter
    return apply_inplace(self, "scatter_", lambda s: scatter(s, dim, index, src, value=value, reduce=reduce), src)


def scatter_add_(self: Tensor, dim: int, index, src) -> Tensor:
    """In place: ``scatter_add``."""
    from .composed import scatter_add
    return apply_inplace(self, "scatter_add_", lambda s: scatter_add(s, dim, index, src), src)


def index_add_(self: Tensor, dim: int, index, source, *, alpha=1) -> Tensor:
    """In place: ``index_add``."""
    from .composed import index_add
    return apply_inplace(self, "index_add_", lambda s: index_add(s, dim, index, source, alpha=alpha), source)


def setitem(self: Tensor, index, value) -> None:
    """``x[index] = value``: written into the array, or recorded (IndexPut) when a graph is involved."""
    from .ops.movement import IndexPut
    idx = _index(index)
    if not _needs_graph(self, (value,)):
        arr = self.numpy()
        v = value.numpy() if isinstance(value, Tensor) else value
        if isinstance(v, np.ndarray) and v.dtype.kind in "biuf":
            _check((), v.dtype, arr, "setitem")
        try:
            arr[idx] = v
        except (IndexError, ValueError) as e:
            raise type(e)(f"setitem: cannot assign a value of shape {np.shape(v)} to index {index!r} of a tensor "
                          f"of shape {arr.shape}: {e}") from None
        mark_written(arr)
        return
    apply_inplace(self, "setitem", lambda s: IndexPut.apply(s, value, index=idx), value)


_ARITH = {
    "add_": (np.add, F.add, True), "sub_": (np.subtract, F.subtract, True),
    "mul_": (np.multiply, F.multiply, False), "div_": (np.true_divide, F.divide, False),
    "pow_": (np.power, F.power, False),
}
_UNARY = {
    "neg_": F.negative, "abs_": F.abs, "exp_": F.exp, "log_": F.log, "sqrt_": F.sqrt, "sin_": F.sin,
    "cos_": F.cos, "tanh_": F.tanh, "sigmoid_": F.sigmoid, "relu_": F.relu, "clamp_": F.clip, "clip_": F.clip,
    "square_": lambda x: x * x,
}


def bind() -> None:
    """Put the in-place methods on Tensor (called once by autograd/__init__.py)."""
    for name, (ufunc, arith_fn, alpha_ok) in _ARITH.items():
        method = _arith(ufunc, arith_fn, name, alpha_ok)
        setattr(Tensor, name, method)
    for dunder, name in (("__iadd__", "add_"), ("__isub__", "sub_"), ("__imul__", "mul_"),
                         ("__itruediv__", "div_"), ("__ipow__", "pow_")):
        setattr(Tensor, dunder, getattr(Tensor, name))
    for name, fn in _UNARY.items():
        setattr(Tensor, name, _unary(fn, name))
    for function in (fill_, zero_, normal_, uniform_, bernoulli_, copy_, masked_fill, masked_fill_, addcmul, addcdiv,
                     lerp, scatter_, scatter_add_, index_add_):
        setattr(Tensor, function.__name__, function)
    for name in ("addcmul", "addcdiv", "lerp"):
        setattr(Tensor, name + "_", _unary(globals()[name], name + "_"))
    setattr(Tensor, "__setitem__", setitem)
