"""Anomaly mode: the first op whose forward or backward makes NaN or inf raises, naming it."""
from __future__ import annotations

import contextlib
import os
import sys
from typing import TYPE_CHECKING, Any, Iterator

import numpy as np

from .vjp_helpers import ARRAYS, raw
from .mode import STATE

if TYPE_CHECKING:
    from types import FrameType

_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_OURS = tuple(os.path.join(_ROOT, p) + os.sep for p in ("autograd", "nn", "optim", "viz", "tracegrad"))


class AnomalyError(RuntimeError):
    """Raised in anomaly mode by the first op that produces NaN or inf.

    It carries what is needed to draw where the bad value came from (``viz.draw_graph(err)``):
    ``phase`` ("forward" or "backward"), ``op``, ``node`` (the engine node that went bad; None for a forward,
    where the op was never recorded), ``parents`` (the input nodes; None for a constant input), ``inputs`` (the
    input arrays the op computed from), ``output`` (the bad array), ``input_index`` (backward: which input's
    gradient went bad) and ``where`` (``file:line in function: code`` of the user's line that made the op).
    """

    def __init__(self, message: str, *, phase: str = "", op: str = "", node: Any = None, parents: tuple = (),
                 inputs: tuple = (), output: Any = None, input_index: int | None = None, where: str = "",
                 scope: str = "") -> None:
        super().__init__(message)
        self.phase, self.op, self.node, self.parents = phase, op, node, tuple(parents)
        self.inputs, self.output, self.input_index, self.where, self.scope = tuple(inputs), output, input_index, \
            where, scope

    def graph(self) -> Any:
        """The recorded graph behind the bad value (``autograd.Graph``): the node itself for a backward
        anomaly, its inputs for a forward one (the op was never recorded)."""
        from .graph import Graph
        roots = [self.node] if self.node is not None else [p for p in self.parents if p is not None]
        return Graph.of_nodes(roots)


@contextlib.contextmanager
def detect_anomaly() -> Iterator[None]:
    """Check every op's forward and backward for NaN/inf; record where each node was made."""
    prev = STATE.anomaly
    STATE.anomaly = True
    try:
        yield
    finally:
        STATE.anomaly = prev


def user_frame() -> str:
    """``file:line in function: code`` of the innermost frame outside tracegrad's packages."""
    f: FrameType | None = sys._getframe(1)
    while f is not None and os.path.abspath(f.f_code.co_filename).startswith(_OURS):
        f = f.f_back
    if f is None:
        return "<unknown>"
    import linecache
    code = linecache.getline(f.f_code.co_filename, f.f_lineno).strip()
    return f"{f.f_code.co_filename}:{f.f_lineno} in {f.f_code.co_name}: {code}"


def _bad(a) -> bool:
    a = raw(a)
    return isinstance(a, ARRAYS) and a.dtype.kind == "f" and not np.isfinite(a).all()


def _shapes(datas) -> str:
    return ", ".join(str(np.shape(d)) for d in datas)


def check_forward(fn, datas, out, parents: tuple = ()) -> None:
    if _bad(out) and not any(_bad(d) for d in datas):
        kind = "NaN" if np.isnan(out).any() else "inf"
        where = user_frame()
        raise AnomalyError(f"anomaly: forward of {fn.op} produced {kind} (scope {STATE.scope or '<top>'}; "
                           f"input shapes {_shapes(datas)}); created at {where}",
                           phase="forward", op=fn.op, parents=parents, inputs=tuple(datas), output=out, where=where,
                           scope=STATE.scope)


def check_backward(node, grads, inputs: tuple = ()) -> None:
    for i, g in enumerate(grads):
        if g is not None and _bad(g):
            kind = "NaN" if np.isnan(raw(g)).any() else "inf"
            shapes = [p.shape for p in node.parents if p is not None]
            raise AnomalyError(f"anomaly: backward of {node.op} produced {kind} in the gradient of input {i} "
                               f"(scope {node.scope or '<top>'}; input shapes {', '.join(map(str, shapes))}); "
                               f"the op was created at {node.where or '<unknown>'}",
                               phase="backward", op=node.op, node=node, parents=node.parents,
                               inputs=tuple(inputs or ()),
                               output=raw(g), input_index=i, where=node.where or "", scope=node.scope)
