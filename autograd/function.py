"""The primitive base class, the registry of primitives, and graph nodes.

A primitive is one small class: ``forward`` on raw NumPy arrays, ``backward`` (the
vector-Jacobian product) beside it. ``backward(g, out, *inputs)`` is written once
and runs on either representation: NumPy arrays for an ordinary backward, or
Tensors when ``create_graph=True`` (then every operation it performs is itself
recorded, which is what makes second derivatives work). It returns one gradient
per input, or None where an input gets none.

The instance that ran ``forward`` *is* the graph node: it keeps its parents' nodes
(in order), the op's scope, the output's shape and dtype, and what backward needs.
"""
from __future__ import annotations

import itertools
import weakref
from typing import Any, ClassVar

import numpy as np

from .mode import STATE

Tensor: Any = None            # bound by tensor.py (the two modules need each other)
REGISTRY: dict[str, type["Function"]] = {}
_seq = itertools.count()


def register(cls: type["Function"]) -> type["Function"]:
    """Class decorator: add a primitive to the one registry (tests loop over it)."""
    name = cls.__name__
    if name in REGISTRY:
        raise ValueError(f"primitive {name!r} is registered twice")
    REGISTRY[name] = cls
    return cls


class Node:
    """What every graph node has, primitive or leaf."""

    __slots__ = ("parents", "shape", "dtype", "scope", "seq", "hooks", "retain", "where", "__weakref__")
    is_leaf: ClassVar[bool] = False

    def _init_node(self, shape, dtype, where=None) -> None:
        self.shape = shape
        self.dtype = dtype
        self.scope = STATE.scope
        self.seq = next(_seq)
        self.hooks = None
        self.retain = None
        self.where = where

    @property
    def op(self) -> str:
        return type(self).__name__


class Leaf(Node):
    """A tensor the user made. ``requires_grad`` leaves accumulate into ``.grad``; the
    others (data, labels) are recorded so a graph can show them, and get no gradient."""

    __slots__ = ("ref", "requires_grad")
    is_leaf = True

    def __init__(self, tensor) -> None:
        self.parents = ()
        self._init_node(tensor.data.shape, tensor.data.dtype)
        self.ref = weakref.ref(tensor)
        self.requires_grad = tensor.requires_grad

    @property
    def op(self) -> str:
        return "Parameter" if self.requires_grad else "Constant"

    def tensor(self):
        return self.ref()


class Function(Node):
    """Base of every primitive. Subclasses define ``forward`` and ``backward``.

    Class flags say what backward needs, so nothing else is kept alive:
    ``needs_inputs`` (the input arrays) and ``needs_out`` (the output array).
    """

    __slots__ = ("inputs", "out", "freed")
    needs_inputs: ClassVar[bool] = True
    needs_out: ClassVar[bool] = False
    differentiable: ClassVar[bool] = True
    requires_grad: ClassVar[bool] = True

    def forward(self, *xs: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def backward(self, g, out, *xs):  # pragma: no cover - abstract
        raise NotImplementedError

    @classmethod
    def apply(cls, *args, **kwargs):
        """Run the primitive on Tensors (or scalars / arrays as constants) and record it."""
        datas = []
        req = False
        for a in args:
            if type(a) is Tensor or isinstance(a, Tensor):
                datas.append(a.data)
                if a.requires_grad:
                    req = True
            else:
                datas.append(a)
        fn = cls.__new__(cls)
        if STATE.anomaly:
            with np.errstate(all="ignore"):
                out = fn.forward(*datas, **kwargs)
        else:
            out = fn.forward(*datas, **kwargs)
        if type(out) is not np.ndarray:  # NumPy returns scalars from 0-d arithmetic
            out = np.asarray(out)
        if STATE.anomaly:
            from .anomaly import check_forward, user_frame
            check_forward(fn, datas, out)
            fn.where = user_frame()
        if not (req and STATE.grad_enabled and cls.differentiable):
            return Tensor._wrap(out, None, False)
        fn.parents = tuple(_parent(a) for a in args)
        fn.inputs = tuple(datas) if cls.needs_inputs else None
        fn.out = out if cls.needs_out else None
        fn.freed = False
        fn._init_node(out.shape, out.dtype, fn.where if STATE.anomaly else None)
        if STATE.tracers:
            for t in STATE.tracers:
                t.on_forward(fn, out)
        return Tensor._wrap(out, fn, True)

    def needs(self, i: int) -> bool:
        """Does input ``i`` want a gradient? (Lets backward skip work for constants.)"""
        p = self.parents[i]
        return p is not None and p.requires_grad

    def saved(self, create_graph: bool):
        """(out, inputs) for backward: arrays, or Tensors tied to this graph when differentiating it."""
        if self.freed:
            raise RuntimeError(
                f"Trying to backward through the graph a second time (op {self.op} in scope "
                f"{self.scope or '<top>'}): its saved arrays were freed after the first backward. "
                "Pass retain_graph=True to the first backward() if you need to backward twice.")
        out, xs = self.out, self.inputs or ()
        if not create_graph:
            return out, xs
        xs = tuple(_as_graph_tensor(x, p) for x, p in zip(xs, self.parents))
        if out is not None:
            out = Tensor._wrap(out, self, True)
        return out, xs

    def free(self) -> None:
        self.inputs = None
        self.out = None
        self.freed = True

    def extra_repr(self) -> str:
        return ""


def _parent(a):
    """The node an input contributes to the graph: a Tensor's node, or None for constants."""
    if isinstance(a, Tensor):
        node = a._node
        if node is None:
            node = a._node = Leaf(a)
        return node
    return None


def _as_graph_tensor(x, parent):
    if parent is None or not isinstance(x, np.ndarray):
        return x
    return Tensor._wrap(x, parent, parent.requires_grad)


# --------------------------------------------------------------------------------------
# Helpers that backward functions share; each works on NumPy arrays and on Tensors.

def sum_to(g, shape: tuple):
    """The one adjoint of broadcasting: sum ``g`` back down to ``shape``."""
    gshape = g.shape
    if gshape == shape:
        return g
    lead = len(gshape) - len(shape)
    axes = tuple(range(lead)) + tuple(
        i + lead for i, n in enumerate(shape) if n == 1 and gshape[i + lead] != 1)
    if axes:
        g = g.sum(axis=axes, keepdims=True)
    if lead:
        g = g.reshape(shape)
    return g


def is_array(x) -> bool:
    return isinstance(x, np.ndarray)


def raw(x):
    """The NumPy array behind ``x`` (masks and indices are computed on raw data: they are constants)."""
    return x if isinstance(x, np.ndarray) else getattr(x, "data", x)


F: Any = None  # autograd.functional, bound by __init__: NumPy-shaped functions on Tensors


def xp(x):
    """``np`` for arrays, autograd's NumPy-shaped functional namespace for Tensors."""
    return np if isinstance(x, np.ndarray) else F
