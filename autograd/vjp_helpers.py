"""Helpers that every primitive's backward shares. Each works on NumPy data (an ordinary backward)
and on Tensors (a backward being recorded, for higher-order gradients), so a backward is written once."""
from __future__ import annotations

from typing import Any

import numpy as np

ARRAYS = (np.ndarray, np.generic)
F: Any = None  # autograd.functional (NumPy-shaped functions on Tensors), bound by autograd/__init__.py


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
    """True for NumPy data (an ordinary backward), False for Tensors (a backward being recorded)."""
    return isinstance(x, ARRAYS)


def raw(x):
    """The NumPy data behind ``x`` (masks and indices are computed on raw data: they are constants).

    NOTE: a Tensor's ``_data``, not ``getattr(x, "data")``: an ndarray's own ``.data`` is a memoryview.
    """
    return x if isinstance(x, ARRAYS) else getattr(x, "_data", x)


def xp(x):
    """``np`` for NumPy data, autograd's NumPy-shaped functional namespace for Tensors."""
    return np if isinstance(x, ARRAYS) else F
