"""``torch.autograd.functional``: Jacobians, Hessians and their products, built on ``autograd.grad``.

Each takes a function of Tensors and the point (a Tensor or a tuple of them), as torch's do, and
returns Tensors detached from the graph unless ``create_graph=True``.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ..engine import grad
from ..mode import enable_grad
from ..tensor import Tensor


def _as_tuple(x: Any, what: str) -> tuple[tuple, bool]:
    if isinstance(x, Tensor):
        return (x,), True
    if isinstance(x, (tuple, list)) and all(isinstance(t, Tensor) for t in x):
        return tuple(x), False
    raise TypeError(f"autograd.functional: {what} must be a Tensor or a tuple of Tensors, got {type(x).__name__}")


def _prepare(inputs: Any, create_graph: bool) -> tuple[tuple, bool]:
    xs, single = _as_tuple(inputs, "inputs")
    fresh = tuple(x if create_graph and x.requires_grad else x.detach().requires_grad_(x.dtype.kind == "f")
                  for x in xs)
    return fresh, single


def _grads(outputs: tuple, xs: tuple, vs: tuple, create_graph: bool) -> tuple:
    """Σ <v, output> differentiated w.r.t. ``xs``; zeros where an input is not used (torch's strict=False)."""
    used = [(o, v) for o, v in zip(outputs, vs) if o.requires_grad]
    if not used:
        return tuple(Tensor(np.zeros_like(x.numpy())) for x in xs)
    gs = grad([o for o, _ in used], list(xs), grad_outputs=[v for _, v in used], retain_graph=True,
              create_graph=create_graph, allow_unused=True)
    return tuple(Tensor(np.zeros_like(x.numpy())) if g is None else (g if create_graph else g.detach())
                 for g, x in zip(gs, xs))


def _out(ts: tuple, single: bool) -> Any:
    return ts[0] if single else ts


def vjp(func: Callable, inputs: Any, v: Any = None, create_graph: bool = False, strict: bool = False) -> tuple:
    """(func(inputs), vᵀ J): the vector-Jacobian product at ``inputs``."""
    xs, single_in = _prepare(inputs, create_graph)
    with enable_grad():
        outs, single_out = _as_tuple(func(*xs), "func's output")
        if v is None:
            if any(o.numpy().size != 1 for o in outs):
                raise RuntimeError("vjp: v may be omitted only when func returns a single-element tensor")
            v = tuple(Tensor(np.ones_like(o.numpy())) for o in outs)
        vs, _ = _as_tuple(v, "v")
        gs = _grads(outs, xs, vs, create_graph)
    return _out(tuple(o if create_graph else o.detach() for o in outs), single_out), _out(gs, single_in)


def jacobian(func: Callable, inputs: Any, create_graph: bool = False, strict: bool = False,
             vectorize: bool = False, strategy: str = "reverse-mode") -> Any:
    """∂ func(inputs) / ∂ inputs, shaped output.shape + input.shape (nested tuples for several of either)."""
    xs, single_in = _prepare(inputs, create_graph)
    with enable_grad():
        outs, single_out = _as_tuple(func(*xs), "func's output")
        rows = []
        for o in outs:
            per_input: list[list] = [[] for _ in xs]
            flat = o.reshape(-1)
            for k in range(flat.shape[0]):
                gs = _grads((flat[k],), xs, (Tensor(np.ones((), dtype=o.dtype)),), create_graph)
                for i, g in enumerate(gs):
                    per_input[i].append(g)
            rows.append(tuple(_stack(parts, o.shape, x.shape) for parts, x in zip(per_input, xs)))
    rows_t = tuple(_out(r, single_in) for r in rows)
    return _out(rows_t, single_out)


def _stack(parts: list, out_shape: tuple, in_shape: tuple) -> Tensor:
    from ..functional import reshape, stack
    if not parts:
        return Tensor(np.zeros(out_shape + in_shape))
    return reshape(stack(parts), out_shape + in_shape)


def hessian(func: Callable, inputs: Any, create_graph: bool = False, strict: bool = False,
            vectorize: bool = False, outer_jacobian_strategy: str = "reverse-mode") -> Any:
    """Second derivatives of a scalar ``func`` at ``inputs``: shape input.shape + input.shape."""
    xs, single_in = _prepare(inputs, True)

    def gradient(*ys: Tensor) -> Any:
        with enable_grad():
            out = func(*ys)
            if not isinstance(out, Tensor) or out.numpy().size != 1:
                raise RuntimeError("hessian: func must return a single-element Tensor")
            return _out(_grads((out,), ys, (Tensor(np.ones_like(out.numpy())),), True), single_in)

    return jacobian(gradient, _out(xs, single_in), create_graph=create_graph)


def hvp(func: Callable, inputs: Any, v: Any = None, create_graph: bool = False, strict: bool = False) -> tuple:
    """(func(inputs), H v) for a scalar ``func``."""
    xs, single_in = _prepare(inputs, True)
    vs, _ = _as_tuple(v, "v")
    with enable_grad():
        out = func(*xs)
        gs = _grads((out,), xs, (Tensor(np.ones_like(out.numpy())),), True)
        dot = sum(((g * vv).sum() for g, vv in zip(gs, vs)), start=Tensor(np.zeros((), dtype=out.dtype)))
        hv = _grads((dot,), xs, (Tensor(np.ones((), dtype=out.dtype)),), create_graph)
    return (out if create_graph else out.detach()), _out(hv, single_in)


def vhp(func: Callable, inputs: Any, v: Any = None, create_graph: bool = False, strict: bool = False) -> tuple:
    """(func(inputs), vᵀ H): equal to ``hvp`` (a Hessian is symmetric)."""
    return hvp(func, inputs, v, create_graph, strict)


def jvp(func: Callable, inputs: Any, v: Any = None, create_graph: bool = False, strict: bool = False) -> tuple:
    """(func(inputs), J v), by the double-vjp trick: J v = ∂/∂u (uᵀ J) v."""
    xs, single_in = _prepare(inputs, True)
    with enable_grad():
        outs, single_out = _as_tuple(func(*xs), "func's output")
        if v is None:
            if any(x.numpy().size != 1 for x in xs):
                raise RuntimeError("jvp: v may be omitted only when the input is a single element")
            v = tuple(Tensor(np.ones_like(x.numpy())) for x in xs)
        vs, _ = _as_tuple(v, "v")
        us = tuple(Tensor(np.zeros_like(o.numpy()), requires_grad=True) for o in outs)
        gs = _grads(outs, xs, us, True)  # uᵀ J, a linear function of u
        dot = sum(((g * vv).sum() for g, vv in zip(gs, vs)), start=Tensor(np.zeros((), dtype=outs[0].dtype)))
        jv = _grads((dot,), us, (Tensor(np.ones((), dtype=outs[0].dtype)),), create_graph)
    return _out(tuple(o if create_graph else o.detach() for o in outs), single_out), _out(jv, single_out)
