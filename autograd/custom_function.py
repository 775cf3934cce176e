"""Custom functions in PyTorch's ctx style: a ``Function`` subclass with static ``forward(ctx, ...)`` and
``backward(ctx, grad)``.

    class Cube(autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        def backward(ctx, grad):
            x, = ctx.saved_tensors
            return 3 * x ** 2 * grad

    y = Cube.apply(x)      # one node named "Cube" in the recorded graph

``ctx`` is the graph node itself (an instance of the subclass), so it carries the class name into
``autograd.Graph`` and viz. ``forward`` runs without recording (its ops are the function's inside);
``backward`` gets and returns Tensors, and is itself recorded under ``create_graph=True``.
Such subclasses are user code, not primitives: they are not added to the registry.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .function import FREED, Function, _leaf, _record, freed_error
from .mode import STATE
from .tensor import Tensor


def is_ctx_style(cls: type) -> bool:
    return (isinstance(cls.__dict__.get("forward"), staticmethod) or "setup_context" in cls.__dict__
            or getattr(cls, "_ctx_style", False))


def setup(cls: Any) -> None:
    """Turn a ctx-style subclass into something the engine can run (called by ``Function.__init_subclass__``)."""
    cls._ctx_style = True
    if "backward" in cls.__dict__:
        cls._user_backward = staticmethod(cls.__dict__["backward"].__func__)
    elif not hasattr(cls, "_user_backward"):
        cls._user_backward = None
    cls.backward = _backward
    cls.apply = classmethod(_apply)
    cls.needs_inputs = False
    cls.needs_out = False
    cls.keeps_extra = True
    cls.free = _free
    for name, attr in vars(CtxMethods).items():
        if not name.startswith("__"):
            setattr(cls, name, attr)


class CtxMethods:
    """What ``ctx`` offers inside forward / backward (copied onto each ctx-style subclass)."""

    def save_for_backward(self, *tensors) -> None:
        """Keep these Tensors (or None) for backward; read them back as ``ctx.saved_tensors``."""
        for t in tensors:
            if t is not None and not isinstance(t, Tensor):
                raise TypeError(f"save_for_backward: {type(self).__name__} can only save Tensors or None, "
                                f"got {type(t).__name__} (keep other values as ctx attributes)")
        self.__dict__["_saved"] = tensors

    @property
    def saved_tensors(self) -> tuple:
        saved = self.__dict__.get("_saved", ())
        if saved is FREED:
            raise freed_error(self)
        return saved

    saved_variables = saved_tensors

    def mark_non_differentiable(self, *tensors) -> None:
        """Accepted for torch code; outputs that are integer tensors never get a gradient anyway."""

    def mark_dirty(self, *tensors) -> None:
        """These inputs were changed in place by forward: one returned is the same Tensor object, now the output
        of this function (as torch's); the memory check (versions.py) sees the write."""
        self.__dict__["_dirty"] = tensors

    def set_materialize_grads(self, value: bool) -> None:
        """Accepted for torch code: tracegrad always passes a gradient Tensor (zeros where none arrived)."""


def _apply(cls, *args, **kwargs):
    ctx = object.__new__(cls)
    ctx.extra = None
    ctx.needs_input_grad = tuple(isinstance(a, Tensor) and a.requires_grad for a in args)
    prev, STATE.grad_enabled = STATE.grad_enabled, False
    try:
        if "setup_context" in cls.__dict__:
            out = cls.forward(*args, **kwargs)
            cls.setup_context(ctx, args, out)
        else:
            out = cls.forward(ctx, *args, **kwargs)
    finally:
        STATE.grad_enabled = prev
    if isinstance(out, (tuple, list)):
        return _apply_many(cls, ctx, args, tuple(out))
    if not isinstance(out, Tensor):
        out = Tensor(np.asarray(out))
    if not (STATE.grad_enabled and any(ctx.needs_input_grad)) or out.dtype.kind != "f":
        return Tensor._wrap(out.numpy(), None, False)
    parents = tuple((a._node or _leaf(a)) if isinstance(a, Tensor) else None for a in args)
    ctx.n_inputs = len(args)
    result = _record(cls, ctx, out.numpy(), parents, ())
    _save_recorded_outputs(ctx, (out,), (result,))
    if any(out is d for d in ctx.__dict__.get("_dirty", ())):  # changed in place: the input becomes the output
        if out.is_leaf and out.requires_grad:
            raise RuntimeError(f"{cls.__name__}: a leaf Variable that requires grad is being used in an in-place "
                               "operation (mark_dirty)")
        out._node, out._requires_grad = result._node, True
        return out
    return result


def _save_recorded_outputs(ctx, outs: tuple, results: tuple) -> None:
    """A saved output becomes the recorded one, so a double backward differentiates through it (as torch)."""
    saved = ctx.__dict__.get("_saved")
    if saved:
        swap = {id(o): r for o, r in zip(outs, results) if isinstance(r, Tensor)}
        ctx.__dict__["_saved"] = tuple(swap.get(id(t), t) for t in saved)


def _apply_many(cls, ctx, args, outs: tuple) -> tuple:
    """Several outputs: the node's one output is the floating-point outputs flattened and concatenated, and
    each output is a recorded slice of it (reshaped), so one backward call receives every output's gradient."""
    from . import functional as F  # (functional imports the ops, whose classes import this module)
    floats = [i for i, o in enumerate(outs) if isinstance(o, Tensor) and o.dtype.kind == "f"]
    if not (STATE.grad_enabled and any(ctx.needs_input_grad)) or not floats:
        return tuple(Tensor._wrap(o.numpy(), None, False) if isinstance(o, Tensor) else o for o in outs)
    dt = np.result_type(*[outs[i].dtype for i in floats])
    layout, start = [], 0
    for i in floats:
        layout.append((i, start, outs[i].shape, outs[i].dtype))
        start += outs[i].numpy().size
    packed = np.concatenate([outs[i].numpy().reshape(-1).astype(dt, copy=False) for i in floats])
    parents = tuple((a._node or _leaf(a)) if isinstance(a, Tensor) else None for a in args)
    ctx.n_inputs, ctx.layout, ctx.n_outputs = len(args), layout, len(outs)
    whole = _record(cls, ctx, packed, parents, ())
    result = list(outs)
    for i, begin, shape, dtype in layout:
        piece = F.reshape(F.getitem(whole, slice(begin, begin + int(np.prod(shape)))), shape)
        result[i] = F.astype(piece, dtype)
    _save_recorded_outputs(ctx, outs, tuple(result))
    return tuple(result)


def _backward(self, g, out):
    if self._user_backward is None:
        raise NotImplementedError(f"{type(self).__name__} defines no backward(ctx, grad_output)")
    recorded = isinstance(g, Tensor)  # create_graph=True: the user's backward is itself recorded
    gt = g if recorded else Tensor._wrap(g, None, False)
    layout = getattr(self, "layout", None)
    if layout is None:
        grads = self._user_backward(self, gt)
    else:  # one gradient per output: slices of the packed one (None for outputs without a gradient)
        from . import functional as F
        per_output: list = [None] * self.n_outputs
        for i, begin, shape, _ in layout:
            per_output[i] = F.reshape(F.getitem(gt, slice(begin, begin + int(np.prod(shape)))), shape)
        grads = self._user_backward(self, *per_output)
    grads = grads if isinstance(grads, tuple) else (grads,)
    n = self.n_inputs
    if len(grads) != n and not (len(grads) > n and all(x is None for x in grads[n:])):
        raise RuntimeError(f"{type(self).__name__}.backward returned {len(grads)} gradients, but forward took {n} "
                           "inputs: return one per input (None for inputs that need none)")
    out_grads: list[Tensor | np.ndarray | None] = []
    for i, (gi, p) in enumerate(zip(grads, self.parents)):
        if gi is None or p is None:
            out_grads.append(None)
            continue
        if not isinstance(gi, Tensor):
            gi = Tensor(np.asarray(gi, dtype=p.dtype))
        if gi.shape != p.shape:
            raise RuntimeError(f"{type(self).__name__}.backward returned a gradient of shape {gi.shape} for input "
                               f"{i}, which has shape {p.shape}")
        out_grads.append(gi if recorded else gi.numpy())
    return tuple(out_grads)


def _free(self) -> None:
    self.inputs = FREED
    self.out = None
    if "_saved" in self.__dict__:
        self.__dict__["_saved"] = FREED


__all__ = ["CtxMethods", "Function", "is_ctx_style", "setup"]
