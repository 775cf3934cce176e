"""Reductions. ``mean`` and ``var`` are composed from these in functional.py."""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ..vjp_helpers import is_array, raw, xp
from ..function import Function


def norm_axes(op: str, axis, ndim: int) -> tuple | None:
    """Normalise ``axis`` (None, int or tuple, negatives allowed) or raise naming the op."""
    if axis is None:
        return None
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    out = []
    for a in axes:
        if not isinstance(a, (int, np.integer)) or not -ndim <= a < max(ndim, 1):
            raise ValueError(f"{op}: axis {axis!r} is out of range for a tensor with {ndim} dimension(s)")
        out.append(int(a) % max(ndim, 1))
    if len(set(out)) != len(out):
        raise ValueError(f"{op}: axis {axis!r} repeats a dimension")
    return tuple(out)


def keepdims_shape(shape: tuple, axes: tuple | None) -> tuple:
    if axes is None:
        return (1,) * len(shape)
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


def expand_back(g, shape: tuple, axes: tuple | None, keepdims: bool):
    """Reshape a reduced gradient so it broadcasts against the input again."""
    return g if keepdims else g.reshape(keepdims_shape(shape, axes))


class Sum(Function):
    needs_inputs = False

    def forward(self, x, axis=None, keepdims=False):
        self.shape_in = x.shape
        self.axes = norm_axes("sum", axis, x.ndim)
        self.keepdims = keepdims
        return np.sum(x, axis=self.axes, keepdims=keepdims)

    def backward(self, g, out):
        g = expand_back(g, self.shape_in, self.axes, self.keepdims)
        return (xp(g).broadcast_to(g, self.shape_in),)


class _Extremum(Function):
    """max / min over axes. NOTE: ties share the gradient evenly (mask / count), as PyTorch's amax."""
    needs_out = True
    reducer: Callable[..., Any] = staticmethod(np.max)

    def forward(self, x, axis=None, keepdims=False):
        if x.size == 0:
            raise ValueError(f"{type(self).__name__.lower()}: cannot reduce an empty tensor of shape {x.shape}")
        self.axes = norm_axes(type(self).__name__.lower(), axis, x.ndim)
        self.keepdims = keepdims
        return self.reducer(x, axis=self.axes, keepdims=keepdims)

    def backward(self, g, out, x):
        x = raw(x)
        peak = expand_back(raw(out), x.shape, self.axes, self.keepdims)
        mask = x == peak
        share = mask / mask.sum(axis=self.axes, keepdims=True)
        return (expand_back(g, x.shape, self.axes, self.keepdims) * share.astype(x.dtype, copy=False),)


class Max(_Extremum):
    reducer = staticmethod(np.max)


class Min(_Extremum):
    reducer = staticmethod(np.min)


class Norm(Function):
    """Vector p-norm over axes. NOTE: a primitive for stability: the gradient at a zero vector is 0 (a mask),
    where sqrt(sum(x²)) composed gives 0/0."""
    needs_out = True

    def forward(self, x, p=2.0, axis=None, keepdims=False):
        self.p, self.axes, self.keepdims = p, norm_axes("norm", axis, x.ndim), keepdims
        a = np.abs(x)
        if p == np.inf:
            return np.max(a, axis=self.axes, keepdims=keepdims) if a.size else np.zeros((), x.dtype)
        if p == -np.inf:
            return np.min(a, axis=self.axes, keepdims=keepdims)
        if p == 0:
            return np.sum(a != 0, axis=self.axes, keepdims=keepdims).astype(x.dtype)
        if p <= 0:
            raise ValueError(f"norm: p must be positive, inf, -inf or 0, got {p}")
        if p == 1:
            return np.sum(a, axis=self.axes, keepdims=keepdims)
        if p == 2:
            return np.sqrt(np.sum(a * a, axis=self.axes, keepdims=keepdims))
        return np.sum(a ** p, axis=self.axes, keepdims=keepdims) ** (1.0 / p)

    def backward(self, g, out, x):
        p, shape = self.p, np.shape(raw(x))
        g = expand_back(g, shape, self.axes, self.keepdims)
        n = expand_back(out, shape, self.axes, self.keepdims)
        xr, nr = raw(x), raw(n)
        if p == 0:
            return (None,)  # piecewise constant: no gradient
        if p in (np.inf, -np.inf):  # ties share, as amax
            mask = np.abs(xr) == nr
            share = mask / mask.sum(axis=self.axes, keepdims=True)
            return (g * (np.sign(xr) * share).astype(xr.dtype),)
        sign = np.sign(xr)
        if p == 1:
            return (g * sign,)
        zero = nr == 0
        safe = xp(n).where(zero, 1, n)
        if p == 2:
            return (g * x / safe * ~zero,)
        ax = xp(x).abs(x)
        powered = ax ** (p - 1) if p >= 1 else xp(x).where(xr == 0, 0.0, xp(x).where(xr == 0, 1.0, ax) ** (p - 1))
        return (g * sign * powered / safe ** (p - 1) * ~zero,)  # NOTE: masks, for p < 1 at zero elements


class Prod(Function):
    """Product over one axis (or all). NOTE: a primitive: the gradient, the product of the *other* elements,
    comes from exclusive cumulative products, exact with zeros (out / x would divide by them)."""
    needs_out = True

    def forward(self, x, axis=None, keepdims=False):
        self.axes = norm_axes("prod", axis, x.ndim)
        if self.axes is not None and len(self.axes) != 1:
            raise ValueError(f"prod: reduces one dimension or all of them, got dim={axis!r}")
        self.keepdims = keepdims
        return np.prod(x, axis=self.axes, keepdims=keepdims)

    def backward(self, g, out, x):
        shape = np.shape(raw(x))
        g = expand_back(g, shape, self.axes, self.keepdims)
        ax = self.axes[0] if self.axes is not None else None
        if is_array(x):
            a = np.moveaxis(x, ax, -1) if ax is not None else x.reshape(-1)
            ones = np.ones(a.shape[:-1] + (1,), dtype=a.dtype)
            left = np.concatenate([ones, np.cumprod(a[..., :-1], axis=-1)], axis=-1)
            right = np.concatenate([np.cumprod(a[..., :0:-1], axis=-1)[..., ::-1], ones], axis=-1)
            others = left * right
            others = np.moveaxis(others, -1, ax) if ax is not None else others.reshape(shape)
            return (g * others,)
        # recorded (create_graph): the product of the others as a Prod over a copy with each element set to 1
        n = shape[ax] if ax is not None else int(np.prod(shape))
        xs = xp(x).reshape(x, (-1,)) if ax is None else xp(x).swapaxes(x, ax, -1)
        eye = np.eye(n, dtype=bool)
        expanded = xp(x).where(eye, 1.0, xp(x).unsqueeze(xs, -2))  # [..., i, j] = x_j, 1 where j == i
        others = Prod.apply(expanded, axis=-1)
        others = xp(x).reshape(others, shape) if ax is None else xp(x).swapaxes(others, ax, -1)
        return (g * others,)
