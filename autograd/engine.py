"""Reverse mode: walk the recorded graph backwards, without recursion.

The nodes reachable from the outputs are collected with an explicit stack and
processed in decreasing creation order, which is a reverse topological order (a
node is always made after its parents). Pending gradients live in a dict and are
popped when used, so a gradient is complete when its node is reached.
"""
from __future__ import annotations

import gc
from operator import attrgetter
from typing import Any, Sequence

import numpy as np

from .function import FREED, Leaf, freed_error
from .mode import STATE, set_grad_enabled
from .tensor import Tensor
from .versions import check_saved, mark_written

_SEQ = attrgetter("seq")


def _topo(roots) -> list:
    seen = set(roots)
    stack = list(roots)
    while stack:
        for p in stack.pop().parents:
            if p is not None and p.requires_grad and p not in seen:
                seen.add(p)
                stack.append(p)
    return sorted(seen, key=_SEQ, reverse=True)


def _leading_to(order: list, targets) -> list:
    """The nodes of ``order`` (reverse topological) from which some node in ``targets`` can be reached."""
    useful = set(targets)
    for node in reversed(order):  # parents before children
        if node not in useful:
            for p in node.parents:
                if p in useful:
                    useful.add(node)
                    break
    return [n for n in order if n in useful]


def _seed(t: Tensor, g, create_graph: bool, op: str):
    """The starting gradient for output ``t``: ones for a scalar, or the one given."""
    if g is None:
        if t._data.size != 1:
            raise RuntimeError(f"{op}: the output has shape {t.shape}, so backward needs a gradient of that "
                               "shape (gradient=...); only a one-element (scalar) output gets an implicit 1")
        g = np.ones_like(t.numpy())
    elif isinstance(g, Tensor):
        g = g if create_graph else g.numpy()
    else:
        g = np.asarray(g, dtype=t.dtype)
    if g.shape != t.shape:
        raise ValueError(f"{op}: the gradient has shape {g.shape} but the output has shape {t.shape}; they must match")
    if create_graph and not isinstance(g, Tensor):
        g = Tensor._wrap(g, None, False)
    return g


def _accumulate_leaf(t: Tensor, g, create_graph: bool, shared: set) -> None:
    """Add ``g`` into ``t.grad``. A fresh array that no one else holds is adopted, not copied;
    ``shared`` has the ids of arrays that may be held elsewhere (then a copy is taken)."""
    if create_graph:
        t.grad = g if t.grad is None else t.grad + g
    elif t.grad is None:
        if (type(g) is np.ndarray and g.base is None and g.flags.writeable and g.dtype == t.dtype
                and id(g) not in shared):
            shared.add(id(g))  # adopted: a second adopter must copy
        else:
            g = np.array(g, dtype=t.dtype, copy=True)
        t.grad = Tensor._wrap(g, None, False)
    elif t.grad._requires_grad or t.grad.shape != g.shape:
        t.grad = Tensor._wrap(t.grad.numpy() + g, None, False)
    else:
        acc = t.grad.numpy()
        acc += g
        mark_written(acc)  # as torch bumps .grad's version: a graph that saved it is now stale


def _run_hooks(node, g, create_graph: bool):
    for hook in list(node.hooks.values()):
        gt = g if create_graph else Tensor._wrap(g, None, False)
        r = hook(gt)
        if r is not None:
            r = r if isinstance(r, Tensor) else Tensor(r)
            if r.shape != gt.shape:
                raise ValueError(f"hook {getattr(hook, '__name__', hook)!r} returned a gradient of shape "
                                 f"{r.shape} for a tensor of shape {gt.shape}")
            g = r if create_graph else r.numpy()
    return g


def run(outputs: Sequence[Tensor], grads, retain_graph, create_graph: bool, capture=None, op="backward"):
    """The engine. With ``capture`` (a dict node -> None) gradients for those nodes are
    returned in it instead of being accumulated into leaves' ``.grad``."""
    if retain_graph is None:
        retain_graph = create_graph
    pending: dict = {}
    shared: set = set()
    for i, t in enumerate(outputs):
        if not isinstance(t, Tensor):
            raise TypeError(f"{op}: output {i} is a {type(t).__name__}, not a Tensor")
        if not t.requires_grad:
            raise RuntimeError(f"{op}: output {i} does not require grad and has no grad_fn (torch: 'element {i} of "
                               "tensors does not require grad'): no input of the computation that made it has "
                               "requires_grad=True, or it was computed under no_grad(). Create the leaves with "
                               "requires_grad=True (or call x.requires_grad_()) and compute outside no_grad()")
        node = t._node
        if node is None:
            node = t._node = Leaf(t)
        g = _seed(t, None if grads is None else grads[i], create_graph, op)
        if grads is not None:
            shared.add(id(g))  # the caller holds it
        pending[node] = pending[node] + g if node in pending else g
    # NOTE: the cyclic GC is paused while the graph is walked: the walk allocates only
    # acyclic gradient arrays, and a full collection scanning a large graph mid-walk costs
    # more than the walk itself (measured: 40% of micrograd's scalar demo).
    gc_was_on = gc.isenabled()
    gc.disable()
    try:
        _walk(pending, retain_graph, create_graph, capture, shared)
    finally:
        if gc_was_on:
            gc.enable()


def _walk(pending: dict, retain_graph: bool, create_graph: bool, capture, shared: set) -> None:
    order = _topo(list(pending))
    useful: set = set()
    if capture is not None:  # autograd.grad: walk only the nodes that lead to a requested input
        order = _leading_to(order, capture)
        useful = set(order)
    anomaly = STATE.anomaly
    tracers = STATE.tracers
    last_write = STATE.last_write
    observed = bool(tracers) or capture is not None
    keeps = capture is not None or any(tr.keeps_arrays for tr in tracers)
    pop, get = pending.pop, pending.get
    with set_grad_enabled(create_graph):
        for node in order:
            g = pop(node, None)
            if g is None:
                continue
            if node.extra is not None:
                g = _extras(node, g, create_graph, capture, shared)
            if observed:
                for tr in tracers:
                    tr.on_backward(node, g)
                if keeps:
                    shared.add(id(g))  # handed out: a tracer may keep it, so it is never adopted (nor added into)
                if capture is not None and node in capture:
                    capture[node] = g
                    if not any(p in useful for p in node.parents):
                        continue  # a requested input: the walk stops here (its own history is not touched)
            if node.is_leaf:
                if capture is None:
                    t = node.ref()
                    if t is not None:
                        _accumulate_leaf(t, g, create_graph, shared)
                continue
            if node.seq < last_write:
                check_saved(node)  # an array it saved may have been written in place since
            if create_graph:
                out, xs = node.saved_as_tensors()
            else:
                xs = node.inputs
                if xs is FREED:
                    raise freed_error(node)
                out = node.out
            if anomaly:
                from .anomaly import check_backward
                with np.errstate(all="ignore"):  # the check below names the op instead of a warning
                    grads_in = node.backward(g, out, *xs) if xs else node.backward(g, out)
                check_backward(node, grads_in, xs)
            else:
                grads_in = node.backward(g, out, *xs) if xs else node.backward(g, out)
            if tracers:
                for tr in tracers:
                    tr.on_step(node, g, out, xs, grads_in)
                if keeps:
                    for gi in grads_in:
                        if gi is not None:
                            shared.add(id(gi))
            n_in = len(grads_in)
            if n_in == 2:
                if grads_in[0] is grads_in[1] and grads_in[0] is not None:
                    shared.add(id(grads_in[0]))  # Add hands one array to both inputs: it is shared
            elif n_in > 2:
                _mark_repeats(grads_in, shared)
            for p, gi in zip(node.parents, grads_in):
                if gi is None or p is None or not p.requires_grad:
                    continue
                if gi.shape != p.shape:  # the shapes are asserted after every backward step
                    raise RuntimeError(f"internal error: {node.op}.backward returned a gradient of shape {gi.shape} "
                                       f"for an input of shape {p.shape}")
                if gi.dtype is not p.dtype and gi.dtype != p.dtype:
                    gi = gi.astype(p.dtype)
                acc = get(p)
                pending[p] = gi if acc is None else acc + gi
            if not retain_graph:
                if node.keeps_extra:
                    node.free()  # a primitive that keeps more than inputs/out on self frees it too
                else:
                    node.inputs = FREED
                    node.out = None


def _extras(node, g, create_graph: bool, capture, shared: set):
    """The rare per-node work: tensor hooks, then retain_grad."""
    if node.hooks:
        g = _run_hooks(node, g, create_graph)
        shared.add(id(g))  # a hook's caller may keep what it returned
    if capture is None and node.retain is not None:
        t = node.retain()
        if t is not None:
            _accumulate_leaf(t, g, create_graph, shared)
    return g


def _mark_repeats(grads: tuple, shared: set) -> None:
    """One array handed to several inputs is shared."""
    seen = set()
    for gi in grads:
        if gi is not None:
            if id(gi) in seen:
                shared.add(id(gi))
            seen.add(id(gi))


def backward(tensors: Tensor | Sequence[Tensor], grad_tensors: Tensor | np.ndarray | Sequence[Any] | None = None,
             retain_graph: bool | None = None, create_graph: bool = False) -> None:
    """Accumulate the gradients of ``tensors`` into the ``.grad`` of every leaf they depend on."""
    if isinstance(tensors, Tensor):
        tensors = [tensors]
    if isinstance(grad_tensors, (Tensor, np.ndarray)):
        grad_tensors = [grad_tensors]
    run(list(tensors), grad_tensors, retain_graph, create_graph)


def grad(outputs: Tensor | Sequence[Tensor], inputs: Tensor | Sequence[Tensor],
         grad_outputs: Tensor | np.ndarray | Sequence[Any] | None = None, retain_graph: bool | None = None,
         create_graph: bool = False, only_inputs: bool = True, allow_unused: bool | None = None,
         materialize_grads: bool = False) -> tuple[Tensor | None, ...]:
    """d(outputs)/d(inputs) as a tuple of Tensors, without touching any ``.grad``.

    With ``create_graph=True`` the result is itself recorded, so it can be differentiated again.
    ``only_inputs`` is accepted for old torch code (torch ignores it too); ``materialize_grads=True``
    gives zeros instead of None for inputs the outputs do not depend on.
    """
    if allow_unused is None:
        allow_unused = materialize_grads
    outputs = [outputs] if isinstance(outputs, Tensor) else list(outputs)
    inputs = [inputs] if isinstance(inputs, Tensor) else list(inputs)
    if grad_outputs is not None and isinstance(grad_outputs, (Tensor, np.ndarray)):
        grad_outputs = [grad_outputs]
    capture: dict = {}
    for i, x in enumerate(inputs):
        if not isinstance(x, Tensor) or not x.requires_grad:
            raise RuntimeError(f"grad: input {i} does not require grad, so no gradient can be taken with respect to it")
        if x._node is None:
            x._node = Leaf(x)
        capture[x._node] = None
    run(outputs, grad_outputs, retain_graph, create_graph, capture=capture, op="grad")
    result = []
    for i, x in enumerate(inputs):
        g = capture[x._node]
        if g is None:
            if not allow_unused:
                raise RuntimeError(f"grad: input {i} (shape {x.shape}) was not used to compute the outputs; "
                                   "pass allow_unused=True to get None for it")
            result.append(Tensor._wrap(np.zeros_like(x.numpy()), None, False) if materialize_grads else None)
        else:
            result.append(g if isinstance(g, Tensor) else Tensor._wrap(g, None, False))
    return tuple(result)
