"""The operators' fast paths: ``unary`` and ``binary`` run a primitive on Tensors, Python numbers and arrays with
less overhead than ``Function.apply`` (no keyword arguments, torch's type promotion as one identity test)."""
from __future__ import annotations

import numpy as np

from .dtypes import FLOAT_KEYS, promoted
from .function import _SCALARS, _leaf, _new, _record
from .mode import STATE
from .tensor import Tensor


def unary(cls, x):
    """``cls.apply(x)`` for a Tensor ``x`` and no keywords: the operators' fast path (~2x less overhead)."""
    if STATE.anomaly or not isinstance(x, Tensor):
        return cls.apply(x)
    fn = _new(cls)
    d = x._data
    if type(d) is np.ndarray and d.ndim == 0:
        d = d[()]  # see binary()
    out = fn.forward(d)
    if type(out) is not np.ndarray and not isinstance(out, np.generic):
        out = np.asarray(out)
    if not x._requires_grad or not STATE.grad_enabled or not cls.differentiable:
        return Tensor._wrap(out, None, False)
    return _record(cls, fn, out, (x._node or _leaf(x),), (d,))


def binary(cls, a, b):
    """``cls.apply(a, b)`` without keywords: the operators' fast path for Tensors, Python scalars and arrays.

    NOTE: each operand gets a dtype key on the way (an array's dtype, a NumPy scalar's type: ``.dtype`` on a
    NumPy scalar is slow), so torch's type promotion costs one identity test when the keys agree.
    """
    ka: object
    kb: object
    if type(a) is Tensor or isinstance(a, Tensor):
        ad, ra = a._data, a._requires_grad
        if type(ad) is np.ndarray:
            if ad.ndim:
                ka = ad.dtype
            else:
                ad = ad[()]  # NOTE: a 0-d array as a NumPy scalar: 10x cheaper arithmetic (the scalar mode)
                ka = type(ad)
        else:
            ka = type(ad)
    elif type(a) in _SCALARS or type(a) is np.ndarray:
        ad, ra, ka = a, False, None
    else:
        return cls.apply(a, b)
    if type(b) is Tensor or isinstance(b, Tensor):
        bd, rb = b._data, b._requires_grad
        if type(bd) is np.ndarray:
            if bd.ndim:
                kb = bd.dtype
            else:
                bd = bd[()]
                kb = type(bd)
        else:
            kb = type(bd)
    elif type(b) in _SCALARS or type(b) is np.ndarray:
        bd, rb, kb = b, False, None
    else:
        return cls.apply(a, b)
    state = STATE
    if state.anomaly:
        return cls.apply(a, b)
    if ka is not kb or cls.int_sensitive:  # otherwise: two tensors whose dtypes agree
        if kb is None:  # b is a Python number or a NumPy constant
            need = bd.dtype is not ka if type(bd) is np.ndarray else type(bd) is bool or not FLOAT_KEYS.get(ka, False)
        elif ka is None:
            need = ad.dtype is not kb if type(ad) is np.ndarray else type(ad) is bool or not FLOAT_KEYS.get(kb, False)
        else:
            need = ka is not kb
        if need or cls.int_sensitive and not FLOAT_KEYS.get(kb if ka is None else ka, False):
            ad, bd = promoted(cls, a, b, ad, bd)
    fn = _new(cls)
    out = fn.forward(ad, bd)
    if type(out) is not np.ndarray and not isinstance(out, np.generic):
        out = np.asarray(out)
    if not (ra or rb) or not state.grad_enabled or not cls.differentiable:
        return Tensor._wrap(out, None, False)
    parents = ((a._node or _leaf(a)) if ka is not None else None, (b._node or _leaf(b)) if kb is not None else None)
    return _record(cls, fn, out, parents, (ad, bd))
