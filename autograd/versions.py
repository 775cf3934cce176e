"""Which memory was written in place, and when: what lets backward refuse an array changed after an op saved it.

PyTorch keeps a version counter per storage; here a write records the creation counter (``seq``)
of the moment against the array's root buffer (views share it, as torch's views share a counter).
A node made before that moment that saved an array of that buffer is stale. The engine asks only
when some write happened after the oldest node it walks, so a graph built after the last write
(every training step that updates its weights before the forward) costs one comparison per node.
"""
from __future__ import annotations

import functools
import weakref

import numpy as np

from .function import _seq
from .mode import STATE

_WRITTEN: dict[int, list] = {}  # id(root buffer) -> (weakref to it, seq of the last write)


def _root(a: np.ndarray) -> np.ndarray:
    """The array that owns ``a``'s memory (views share their base's counter)."""
    while isinstance(a.base, np.ndarray):
        a = a.base
    return a


def _forget(key: int, ref: weakref.ref) -> None:
    entry = _WRITTEN.get(key)
    if entry is not None and entry[0] is ref:
        del _WRITTEN[key]


def mark_written(arr) -> None:
    """Record that ``arr``'s memory was just written in place.

    NOTE: on the hot path of every leaf-gradient accumulation, so written flat (no helper calls)."""
    if not isinstance(arr, np.ndarray):
        return
    root, base = arr, arr.base
    while isinstance(base, np.ndarray):
        root, base = base, base.base
    key, seq = id(root), next(_seq)
    entry = _WRITTEN.get(key)
    if entry is not None and entry[0]() is root:
        entry[1] = seq
    else:
        _WRITTEN[key] = [weakref.ref(root, functools.partial(_forget, key)), seq]
    STATE.last_write = seq


def written_after(arr, seq: int) -> bool:
    """Was ``arr``'s memory written in place after creation counter ``seq``?"""
    if not isinstance(arr, np.ndarray):
        return False
    root = _root(arr)
    entry = _WRITTEN.get(id(root))
    return entry is not None and entry[0]() is root and entry[1] > seq


def check_saved(node) -> None:
    """Raise if an array ``node`` saved for its backward was written in place after ``node`` was recorded."""
    saved = list(node.inputs or ())
    if node.out is not None:
        saved.append(node.out)
    reads = getattr(node, "reads", None)
    needed = reads() if reads is not None else range(len(saved))  # a primitive may say which saved arrays it reads
    for i in needed:
        a = saved[i]
        if written_after(a, node.seq):
            what = "its output" if i == len(node.inputs or ()) else f"input {i}"
            raise RuntimeError(
                f"backward: {what} of {node.op} (scope {node.scope or '<top>'}, shape {np.shape(a)}) was modified "
                f"by an in-place operation after {node.op} saved it for the backward pass, so its gradient would "
                "be wrong (PyTorch: 'one of the variables needed for gradient computation has been modified by "
                "an inplace operation'). Use an out-of-place op (x = x + y instead of x += y), or .clone() the "
                "tensor before changing it.")
