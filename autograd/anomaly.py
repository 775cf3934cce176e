"""Anomaly mode: the first op whose forward or backward makes NaN or inf raises, naming it."""
from __future__ import annotations

import contextlib
import os
import sys
from typing import TYPE_CHECKING, Iterator

import numpy as np

from .vjp_helpers import ARRAYS, raw
from .mode import STATE

if TYPE_CHECKING:
    from types import FrameType

_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_OURS = tuple(os.path.join(_ROOT, p) + os.sep for p in ("autograd", "nn", "optim", "viz", "tracegrad"))


class AnomalyError(RuntimeError):
    """Raised in anomaly mode by the first op that produces NaN or inf."""


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


def check_forward(fn, datas, out) -> None:
    if _bad(out) and not any(_bad(d) for d in datas):
        kind = "NaN" if np.isnan(out).any() else "inf"
        raise AnomalyError(f"anomaly: forward of {fn.op} produced {kind} (scope {STATE.scope or '<top>'}; "
                           f"input shapes {_shapes(datas)}); created at {user_frame()}")


def check_backward(node, grads) -> None:
    for i, g in enumerate(grads):
        if g is not None and _bad(g):
            kind = "NaN" if np.isnan(raw(g)).any() else "inf"
            shapes = [p.shape for p in node.parents if p is not None]
            raise AnomalyError(f"anomaly: backward of {node.op} produced {kind} in the gradient of input {i} "
                               f"(scope {node.scope or '<top>'}; input shapes {', '.join(map(str, shapes))}); "
                               f"the op was created at {node.where or '<unknown>'}")
