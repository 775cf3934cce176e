"""Watching the engine work: tracers see every op recorded and every gradient the backward walk computes.

This is what a step-by-step backprop replay and gradient heat on the graph are built from:

    rec = autograd.BackwardRecorder()
    with autograd.tracing(rec):
        loss.backward()
    rec.events        # [(node, |grad|_2, grad shape), ...] in the order backward reached the nodes
"""
from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any, Iterator

import numpy as np

from .vjp_helpers import raw
from .mode import STATE

if TYPE_CHECKING:
    from .function import Node


class Tracer:
    """Base of tracers: override any of the three methods. They run inside the engine's hot path, so keep them
    light.

    ``keeps_arrays``: a tracer that may keep the arrays it is handed says so (the default); the engine then never
    adopts or writes into them. A tracer that only reads them (norms, shapes) sets it False, so a plain
    ``backward()`` under it still adopts fresh gradient arrays as ``.grad`` instead of copying them.
    """

    keeps_arrays: bool = True

    def on_forward(self, node: Node, out: Any) -> None:
        """Called when op ``node`` has been recorded with output array ``out``."""

    def on_backward(self, node: Node, grad: Any) -> None:
        """Called when the backward walk reaches ``node`` with its complete gradient ``grad``."""

    def on_step(self, node: Node, grad: Any, out: Any, inputs: tuple, grads_in: tuple) -> None:
        """Called after op ``node`` ran its backward: ``grad`` came in, ``grads_in[i]`` goes to ``node.parents[i]``
        (None where that input gets none). ``out`` and ``inputs`` are what the op saved for its backward (None or
        empty where it saved nothing): the numbers its local derivative was computed from."""


@contextlib.contextmanager
def tracing(tracer: Tracer) -> Iterator[Tracer]:
    """Let ``tracer`` watch every op recorded and every node backward reaches inside the block."""
    STATE.tracers.append(tracer)
    try:
        yield tracer
    finally:
        STATE.tracers.remove(tracer)


class TracerHandle:
    """Returned by ``attach_tracer``: ``.remove()`` takes the tracer off the engine (idempotent)."""

    def __init__(self, tracer: Tracer) -> None:
        self.tracer = tracer

    def remove(self) -> None:
        if self.tracer in STATE.tracers:
            STATE.tracers.remove(self.tracer)

    @property
    def attached(self) -> bool:
        return self.tracer in STATE.tracers


def attach_tracer(tracer: Tracer) -> TracerHandle:
    """Let ``tracer`` watch the engine until ``.remove()`` is called on the returned handle (``tracing`` is the
    block-scoped form). Attaching a tracer that is already attached changes nothing."""
    if not isinstance(tracer, Tracer):
        raise TypeError(f"attach_tracer: expected an autograd.Tracer, got {type(tracer).__name__}")
    if tracer not in STATE.tracers:
        STATE.tracers.append(tracer)
    return TracerHandle(tracer)


class BackwardRecorder(Tracer):
    """Records, in the order the backward walk visits them, each node and the L2 norm of its gradient."""

    def __init__(self) -> None:
        self.events: list[tuple[Node, float, tuple[int, ...]]] = []

    def on_backward(self, node: Node, grad: Any) -> None:
        """Record ``node`` with the L2 norm and shape of ``grad`` (an array, or a Tensor under create_graph)."""
        g = raw(grad)
        self.events.append((node, float(np.sqrt(np.sum(np.square(g, dtype=np.float64)))), np.shape(g)))

    def grad_norms(self) -> dict[Node, float]:
        """node -> L2 norm of its gradient (for gradient heat on ``Graph.of(...)``'s nodes, via ``GraphNode.node``)."""
        return {node: norm for node, norm, _ in self.events}
