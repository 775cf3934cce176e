"""The primitive base class, the registry of primitives, and graph nodes.

A primitive is one small class: ``forward`` on raw NumPy arrays, ``backward`` (the
vector-Jacobian product) beside it. ``backward(g, out, *inputs)`` is written once
and runs on either representation: NumPy arrays for an ordinary backward, or
Tensors when ``create_graph=True`` (then every operation it performs is itself
recorded, which is what makes second derivatives work). It returns one gradient
per input, or None where an input gets none.

The instance that ran ``forward`` *is* the graph node: it keeps its parents' nodes
(in order), the op's scope, the output's shape and dtype, and what backward needs.

The rule for arrays handed out: a tracer (``autograd.tracing``) and a tensor hook may keep every
array the engine gives them (an op's output, a gradient), so the engine never writes into an array
after handing it out. A primitive's ``forward`` may write into arrays it allocated itself before it
returns, and its ``backward`` never writes into ``g`` or the saved arrays; the backward walk adopts a
fresh gradient array as a leaf's ``.grad`` (and later adds into it in place, as torch does) only if
no tracer or hook has seen it.
"""
from __future__ import annotations

import itertools
import weakref
from typing import Any, ClassVar

import numpy as np

from .dtypes import promote_datas
from .vjp_helpers import ARRAYS
from .mode import STATE

Tensor: Any = None            # bound by tensor.py (the two modules need each other)
REGISTRY: dict[str, type["Function"]] = {}
_seq = itertools.count()


def register(cls: type["Function"]) -> type["Function"]:
    """Add a primitive to the one registry (tests loop over it). Every ``Function`` subclass calls it when it
    is defined, except abstract bases (a name starting with ``_``) and ctx-style custom functions; so a
    primitive cannot escape the gradient-check suite. Kept as a decorator for old code (idempotent)."""
    name = cls.__name__
    old = REGISTRY.get(name)
    if old is not None and old is not cls and (old.__module__, old.__qualname__) != (cls.__module__, cls.__qualname__):
        raise ValueError(f"primitive {name!r} is registered twice ({old.__module__} and {cls.__module__})")
    REGISTRY[name] = cls
    return cls


class Node:
    """What every graph node has, primitive or leaf.

    ``extra`` is None on the hot path; hooks, retain_grad and anomaly's creation site
    live in it only when asked for (one slot to check instead of three to set).
    """

    __slots__ = ("parents", "shape", "dtype", "scope", "seq", "extra", "__weakref__")
    parents: tuple[Node | None, ...]
    shape: tuple[int, ...]
    dtype: np.dtype
    scope: str
    seq: int
    extra: dict[str, Any] | None
    requires_grad: bool  # a Leaf's own (slot); True on every Function (class attribute)
    is_leaf: ClassVar[bool] = False

    def _get(self, key: str):
        return None if self.extra is None else self.extra.get(key)

    def _set(self, key: str, value) -> None:
        if self.extra is None:
            self.extra = {}
        self.extra[key] = value

    hooks = property(lambda self: self._get("hooks"), lambda self, v: self._set("hooks", v))
    retain = property(lambda self: self._get("retain"), lambda self, v: self._set("retain", v))
    where = property(lambda self: self._get("where"), lambda self, v: self._set("where", v),
                     doc="file:line of the user code that made this node (recorded in anomaly mode)")

    @property
    def op(self) -> str:
        return type(self).__name__

    # ---- PyTorch's grad_fn view of a node ----------------------------------------------------
    def name(self) -> str:
        """torch's name for this backward node: ``MulBackward0``, ``AccumulateGrad`` for a parameter."""
        return f"{self.op}Backward" + ("" if getattr(type(self), "_ctx_style", False) else "0")

    @property
    def next_functions(self) -> tuple:
        """``((node, 0), ...)`` per input, as torch's grad_fn shows them (None for inputs without gradient)."""
        return tuple((p if p is not None and p.requires_grad else None, 0) for p in self.parents)

    def __repr__(self) -> str:
        return f"<{self.name()} object at {id(self):#x}>"


class Leaf(Node):
    """A tensor the user made. ``requires_grad`` leaves accumulate into ``.grad``; the
    others (data, labels) are recorded so a graph can show them, and get no gradient."""

    __slots__ = ("ref", "requires_grad", "tname")
    is_leaf = True

    def __init__(self, tensor) -> None:
        self.parents = ()
        self.shape, self.dtype = tensor.shape, tensor.dtype
        self.scope = ""  # a leaf belongs to no op's scope (Graph.of places named parameters)
        self.seq = next(_seq)
        self.extra = None
        self.ref = weakref.ref(tensor)
        self.requires_grad = tensor.requires_grad
        self.tname = tensor.name  # the tensor's name when first used, for a graph drawn after the tensor is gone

    @property
    def op(self) -> str:
        return "Parameter" if self.requires_grad else "Constant"

    def name(self) -> str:
        return "AccumulateGrad"

    @property
    def variable(self):
        """The leaf tensor (torch's ``AccumulateGrad.variable``)."""
        return self.ref()


class Function(Node):
    """Base of every primitive. Subclasses define ``forward`` and ``backward``.

    Class flags say what backward needs, so nothing else is kept alive:
    ``needs_inputs`` (the input arrays) and ``needs_out`` (the output array).
    """

    __slots__ = ("inputs", "out")
    inputs: tuple[Any, ...] | None
    out: Any
    needs_inputs: ClassVar[bool] = True
    needs_out: ClassVar[bool] = False
    differentiable: ClassVar[bool] = True
    requires_grad: bool = True
    keeps_extra: ClassVar[bool] = False  # True when a subclass's free() does more (the engine then calls it)
    promotes: ClassVar[int] = -1  # operands from this index on are cast to torch's result type (-1: none)
    true_division: ClassVar[bool] = False  # integer operands give float32 (torch's true division)
    no_bool: ClassVar[bool] = False  # bool operands are refused (torch's rule for -)
    int_sensitive: ClassVar[bool] = False  # true_division or no_bool: integer and bool operands need a look
    is_view: ClassVar[bool] = False  # the output may share the first input's memory (redo / undo below)

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        from . import custom_function
        if custom_function.is_ctx_style(cls):
            custom_function.setup(cls)
            return
        cls.keeps_extra = cls.free is not Function.free
        cls.int_sensitive = cls.true_division or cls.no_bool
        if not cls.__name__.startswith("_"):
            register(cls)

    def forward(self, *xs: Any, **kwargs: Any) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def backward(self, g, out, *xs):  # pragma: no cover - abstract
        raise NotImplementedError

    @classmethod
    def apply(cls, *args, **kwargs):
        """Run the primitive on Tensors (or scalars / arrays as constants) and record it."""
        datas = []
        req = False
        for a in args:
            if isinstance(a, Tensor):
                datas.append(a._data)
                if a._requires_grad:
                    req = True
            elif a is None or type(a) in _SCALARS or isinstance(a, np.ndarray):
                datas.append(a)
            elif isinstance(a, np.generic):  # np.float64(2), np.sqrt(2): a scalar, so no upcast (as torch)
                datas.append(a.item())
            else:
                datas.append(np.asarray(a))
        if cls.promotes >= 0:
            promote_datas(cls, args, datas)
        fn = _new(cls)
        state = STATE
        if state.anomaly:
            return _apply_checked(fn, args, datas, kwargs, req)
        out = fn.forward(*datas, **kwargs)
        if type(out) is not np.ndarray and not isinstance(out, np.generic):
            out = np.asarray(out)  # NOTE: NumPy scalars from 0-d arithmetic stay scalars (Tensor.numpy)
        if not req or not state.grad_enabled or not cls.differentiable:
            return _wrap(out, None, False)
        parents = tuple([(a._node or _leaf(a)) if isinstance(a, Tensor) else None for a in args])
        t = _record(cls, fn, out, parents, tuple(datas))
        if cls.is_view and type(out) is np.ndarray and out.base is not None and isinstance(args[0], Tensor):
            setattr(fn, "view_of", weakref.ref(args[0]))  # an in-place op on the view rebases it (inplace.py)
        return t

    def needs(self, i: int) -> bool:
        """Does input ``i`` want a gradient? (Lets backward skip work for constants.)"""
        p = self.parents[i]
        return p is not None and p.requires_grad

    def saved_as_tensors(self):
        """(out, inputs) as Tensors tied to this graph, for a backward that is itself recorded
        (``create_graph=True``); an ordinary backward reads ``out`` and ``inputs`` directly."""
        if self.inputs is FREED:
            raise freed_error(self)
        out, xs = self.out, self.inputs or ()
        xs = tuple(_as_graph_tensor(x, p) for x, p in zip(xs, self.parents))
        if out is not None:
            out = Tensor._wrap(out, self, True)
        return out, xs

    def free(self) -> None:
        self.inputs = FREED
        self.out = None


FREED = ()  # sentinel for freed saved inputs: empty and distinct from None


def freed_error(node) -> RuntimeError:
    return RuntimeError(
        f"Trying to backward through the graph a second time (op {node.op} in scope "
        f"{node.scope or '<top>'}): its saved arrays were freed after the first backward. "
        "Pass retain_graph=True to the first backward() if you need to backward twice.")


_new = object.__new__
_SCALARS = frozenset((float, int, bool))


_wrap: Any = None  # Tensor._wrap, bound by tensor.py


def _record(cls, fn, out, parents: tuple, inputs: tuple):
    """Make ``fn`` a graph node for output ``out`` and return the output Tensor."""
    fn.parents = parents
    fn.inputs = inputs if cls.needs_inputs else None  # a tuple of arrays: the GC untracks it
    fn.out = out if cls.needs_out else None
    fn.shape = out.shape
    fn.dtype = out.dtype
    state = STATE
    fn.scope = state.scope
    fn.seq = next(_seq)
    fn.extra = None
    if state.tracers:
        for t in state.tracers:
            t.on_forward(fn, out)
    return _wrap(out, fn, True)


def _leaf(a):
    node = a._node = Leaf(a)
    return node


def _apply_checked(fn, args, datas, kwargs, req):
    """apply() in anomaly mode: NaN/inf in the forward raises, and the creation site is recorded."""
    from .anomaly import check_forward, user_frame
    cls = type(fn)
    with np.errstate(all="ignore"):
        out = fn.forward(*datas, **kwargs)
    if type(out) is not np.ndarray and not isinstance(out, np.generic):
        out = np.asarray(out)
    if not req or not STATE.grad_enabled or not cls.differentiable:
        check_forward(fn, datas, out)
        return _wrap(out, None, False)
    parents = tuple([(a._node or _leaf(a)) if isinstance(a, Tensor) else None for a in args])
    check_forward(fn, datas, out, parents)
    t = _record(cls, fn, out, parents, tuple(datas))
    fn.where = user_frame()
    return t


def _parent(a):
    """The node an input contributes to the graph: a Tensor's node, or None for constants."""
    if isinstance(a, Tensor):
        node = a._node
        if node is None:
            node = a._node = Leaf(a)
        return node
    return None


def _as_graph_tensor(x, parent):
    if parent is None or not isinstance(x, ARRAYS):
        return x
    return Tensor._wrap(x, parent, parent.requires_grad)
