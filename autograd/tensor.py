"""The Tensor: a NumPy array, its gradient, and the node of the graph that made it."""
from __future__ import annotations

import weakref
from typing import Any, Callable

import numpy as np

from . import function
from .dtypes import DtypeError
from .hooks import RemovableHandle

_FLOAT_KINDS = "f"

_OK_KINDS = "biuf"


def _to_array(data: Any, dtype, infer: bool = False) -> np.ndarray:
    """Convert user data. NumPy arrays keep their dtype (and are not copied). Python numbers and lists
    become float32, as ``torch.Tensor(...)`` makes them; with ``infer`` (``autograd.tensor``, like
    ``torch.tensor``) ints become int64 and bools stay bool."""
    if isinstance(data, Tensor):
        arr = data.numpy()
    elif isinstance(data, np.ndarray):
        arr = data
    elif isinstance(data, np.generic):
        arr = np.asarray(data)
    else:
        try:
            arr = np.asarray(data)
        except ValueError as e:  # ragged nested lists
            raise TypeError(f"Tensor: cannot build a tensor from {type(data).__name__} data: {e}") from None
        if dtype is None and arr.dtype.kind in _OK_KINDS and (arr.dtype.kind == "f" or not infer):
            arr = arr.astype(np.float32)
    if dtype is not None:
        try:
            dt = np.dtype(dtype)
        except TypeError:
            raise TypeError(f"Tensor: {dtype!r} is not a dtype") from None
        if dt.kind not in _OK_KINDS:
            raise TypeError(f"Tensor: dtype {dt} is not supported (bool, integer or floating point)")
        arr = arr.astype(dt, copy=False)
    if arr.dtype.kind not in _OK_KINDS:
        raise TypeError(f"Tensor: data of dtype {arr.dtype} ({type(data).__name__}) is not numeric; "
                        "expected bool, integer or floating-point numbers")
    return arr


class _Size(int):
    """An element count that can also be called like PyTorch's ``Tensor.size(dim=None)``."""

    def __new__(cls, n: int, shape: tuple) -> "_Size":
        obj = super().__new__(cls, n)
        obj.shape = shape
        return obj

    def __call__(self, dim: int | None = None):
        return self.shape if dim is None else self.shape[dim]


class Tensor:
    """A NumPy array that can record the graph of the primitive ops applied to it."""

    __slots__ = ("_data", "grad", "_requires_grad", "_node", "name", "__weakref__")

    def __init__(self, data: Any = None, *sizes: int, requires_grad: bool = False, dtype=None,
                 name: str | None = None, _infer: bool = False) -> None:
        # torch.Tensor(2, 3) and torch.Tensor(3) give a shape (zeros here: torch leaves the memory unset). One int
        # with requires_grad=True (an argument torch.Tensor does not take) is micrograd's scalar: Tensor(-4, ...).
        if sizes or type(data) is int and not _infer and not requires_grad:
            if not all(type(n) is int for n in (data, *sizes)):
                raise TypeError(f"Tensor: give data (Tensor([1.0, 2.0])) or a shape of ints (Tensor(2, 3)), got "
                                f"{(data, *sizes)!r}")
            data = np.zeros((data, *sizes), dtype=dtype or np.float32)
        elif data is None:
            data = np.empty((0,), dtype=dtype or np.float32)
        self._data = _to_array(data, dtype, _infer)
        self.grad = None
        self._node = None
        self.name = name
        self._requires_grad = False
        if requires_grad:
            self.requires_grad_(True)

    @staticmethod
    def _wrap(data: np.ndarray, node, requires_grad: bool) -> "Tensor":
        t = _new(Tensor)
        t._data = data
        t._node = node
        t._requires_grad = requires_grad
        t.grad = None
        t.name = None
        return t

    # ---- attributes -------------------------------------------------------------------
    @property
    def data(self) -> "Tensor":
        """This tensor's values as a new Tensor that shares its memory and is cut from the graph
        (PyTorch's ``.data``: ``p.data.sub_(lr * p.grad)``, ``w.data.normal_(0, 0.02)``); ``.numpy()``
        gives the NumPy array itself."""
        return Tensor._wrap(self.numpy(), None, False)

    @data.setter
    def data(self, value) -> None:
        """``p.data = t`` makes this tensor use ``t``'s values (a Tensor or anything NumPy takes)."""
        self._data = value.numpy() if isinstance(value, Tensor) else np.asarray(value)

    def numpy(self, force: bool = False) -> np.ndarray:
        """The NumPy array behind this tensor: no copy, writes show in the tensor (``force=True`` copies).

        NOTE: a 0-d result is kept internally as a NumPy scalar (7x cheaper arithmetic than a 0-d
        array: the scalar mode's whole cost) and becomes a 0-d array here."""
        d = self._data
        if type(d) is not np.ndarray:
            d = self._data = np.asarray(d)
        return d.copy() if force else d

    shape = property(lambda self: self._data.shape)
    dtype = property(lambda self: self._data.dtype)
    ndim = property(lambda self: self._data.ndim)

    @property
    def size(self) -> "_Size":
        """The number of elements (NumPy's ``.size``); also callable as PyTorch's ``.size()`` / ``.size(dim)``."""
        return _Size(self._data.size, self._data.shape)

    @property
    def is_leaf(self) -> bool:
        return self._node is None or self._node.is_leaf

    @property
    def grad_fn(self):
        """The node that made this tensor (None for leaves), like PyTorch's ``grad_fn``."""
        return None if self.is_leaf else self._node

    def item(self) -> Any:
        """The one value as a Python number."""
        d = self._data
        if d.size != 1:
            raise ValueError(f"item: only a tensor with one element can be converted to a Python number, "
                             f"this one has shape {self.shape}")
        return d.item()

    def tolist(self):
        return self.numpy().tolist()

    def detach(self) -> "Tensor":
        """The same values (shared memory), cut from the graph."""
        return Tensor._wrap(self.numpy(), None, False)

    def detach_(self) -> "Tensor":
        """Cut this tensor from the graph: it becomes a leaf that does not require grad."""
        self._node, self._requires_grad = None, False
        return self

    def requires_grad_(self, requires_grad: bool = True) -> "Tensor":
        if requires_grad and self.numpy().dtype.kind not in _FLOAT_KINDS:
            raise DtypeError(f"requires_grad: only floating-point tensors can require gradients; this one has "
                             f"dtype {self.dtype} (integer and bool tensors hold labels and indices; torch: 'Only "
                             "Tensors of floating point and complex dtype can require gradients')")
        if not self.is_leaf:
            if not requires_grad:
                raise RuntimeError("requires_grad_(False) on a non-leaf tensor: use .detach() instead")
            return self
        if bool(requires_grad) != self._requires_grad and self._node is not None:
            self._node = None  # graphs recorded before the change keep the old leaf (as in PyTorch)
        self._requires_grad = bool(requires_grad)
        return self

    @property
    def requires_grad(self) -> bool:
        """Whether operations on this tensor are recorded for backward (set it like ``requires_grad_``)."""
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        self.requires_grad_(value)

    def retain_grad(self) -> None:
        """Keep ``.grad`` on this non-leaf tensor after backward (leaves always get it)."""
        if not self.requires_grad:
            raise RuntimeError("retain_grad: this tensor does not require grad, so it gets no gradient")
        if not self.is_leaf:
            self._node.retain = weakref.ref(self)

    def register_hook(self, hook: Callable) -> RemovableHandle:
        """``hook(grad) -> Tensor or None`` runs when this tensor's gradient is computed; a
        returned tensor replaces the gradient. Returns a handle with ``.remove()``."""
        if not self.requires_grad:
            raise RuntimeError("register_hook: cannot register a hook on a tensor that does not require grad")
        node = function._parent(self)
        if node.hooks is None:
            node.hooks = {}
        return RemovableHandle.add(node.hooks, hook)

    # NOTE: no __getattr__ for "did you mean" messages on Tensor: defining one slows every attribute read on the
    # hot path (CPython's slot_tp_getattr_hook); Python 3.10+ already suggests the nearest name in tracebacks.

    # ---- Python protocol ------------------------------------------------------------
    def __repr__(self) -> str:
        body = np.array2string(self.numpy(), separator=", ", precision=4, threshold=50,
                               prefix="tensor(")
        extra = ""
        if self.numpy().dtype not in (np.float32, np.int64, np.bool_):
            extra += f", dtype={self.numpy().dtype}"
        if self._node is not None and not self._node.is_leaf:
            extra += f", grad_fn=<{self._node.name()}>"
        elif self.requires_grad:
            extra += ", requires_grad=True"
        return f"tensor({body}{extra})"

    def __format__(self, spec: str) -> str:
        """``f"{loss:.4f}"`` formats a one-element tensor's value (as torch); other tensors print as ``repr``."""
        if spec and self._data.size == 1:
            return format(self.item(), spec)
        return format(repr(self), spec)

    def __len__(self) -> int:
        if self.numpy().ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return len(self.numpy())

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    def __bool__(self) -> bool:
        return bool(self.numpy())

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __index__(self) -> int:
        if self.numpy().dtype.kind not in "iub" or self.numpy().size != 1:
            raise TypeError("only a one-element integer tensor can be used as an index")
        return int(self.item())

    def __array_ufunc__(self, ufunc, method: str, *inputs, **kwargs):
        """NumPy ufuncs on Tensors: ``ndarray * x`` and ``np.exp(x)`` run tracegrad's op (recorded, a Tensor,
        as ``torch.exp``); another ufunc computes on the arrays when no input requires grad (as torch's
        ``__array__``), and raises, naming the tracegrad spelling, when one does (it would lose the gradient)."""
        fn = _UFUNCS.get(ufunc.__name__) if method == "__call__" and not kwargs else None
        if fn is not None:
            return fn(*inputs)
        tensors = [x for x in inputs + tuple(kwargs.get("out", ())) if isinstance(x, Tensor)]
        if any(t.requires_grad for t in tensors):
            name = ufunc.__name__
            fix = (f"tracegrad's op (autograd.{name}(x) or x.{name}(), torch's spelling)" if hasattr(Tensor, name)
                   else "tracegrad's ops (tracegrad has no " + name + "; compose it, e.g. from exp, log, sqrt)")
            raise TypeError(f"numpy.{name}: a NumPy function cannot record the graph of a Tensor that requires "
                            f"grad; use {fix}, or apply NumPy to x.detach().numpy()")
        out = kwargs.get("out")
        if out is not None:
            kwargs["out"] = tuple(o.numpy() if isinstance(o, Tensor) else o for o in out)
        r = getattr(ufunc, method)(*(x.numpy() if isinstance(x, Tensor) else x for x in inputs), **kwargs)
        if out is not None:
            return out[0] if len(out) == 1 else out
        return tuple(_wrap_array(a) for a in r) if isinstance(r, tuple) else _wrap_array(r)

    def __array__(self, dtype=None, copy=None):
        return self.numpy() if dtype is None else self.numpy().astype(dtype)

    __hash__ = object.__hash__

    def __deepcopy__(self, memo) -> "Tensor":
        """A new leaf with copied data (and grad): no link to the original's graph."""
        t = Tensor._wrap(self.numpy().copy(), None, self.requires_grad)
        t.name = self.name
        if self.grad is not None:
            t.grad = Tensor._wrap(self.grad.numpy().copy(), None, False)
        memo[id(self)] = t
        return t


_new = object.__new__


def _wrap_array(a):
    """A NumPy result as a Tensor (torch's ``__array_wrap__``); anything else unchanged."""
    return Tensor._wrap(np.asarray(a), None, False) if isinstance(a, (np.ndarray, np.generic)) else a
_UFUNCS: dict[str, Callable] = {}  # NumPy ufunc name -> tracegrad function, filled by tensor_methods.py


def _index(index):
    """Turn Tensors and lists inside an index into arrays (what NumPy indexing expects)."""
    if isinstance(index, tuple):
        return tuple(_index(i) for i in index)
    if isinstance(index, Tensor):
        return index.numpy()
    if isinstance(index, list):
        return np.asarray(index)
    return index


def as_tensor(x: Any) -> Tensor:
    """``x`` if it is a Tensor, else a constant Tensor made from it."""
    return x if isinstance(x, Tensor) else Tensor(x)


function.Tensor = Tensor
function._wrap = Tensor._wrap
