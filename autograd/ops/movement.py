"""Shape and movement primitives: reshape, transpose, broadcast, indexing, pad, concatenate."""
from __future__ import annotations

import numpy as np

from ..vjp_helpers import is_array, sum_to
from ..function import Function


class Reshape(Function):
    needs_inputs = False
    is_view = True

    def redo(self, base):
        return Reshape.apply(base, shape=self.shape)

    def undo(self, base, view):
        """The base whose view is ``view`` (a reshape covers the whole base)."""
        return Reshape.apply(view, shape=self.shape_in)

    def forward(self, x, shape=None):
        self.shape_in = x.shape
        try:
            return x.reshape(shape)
        except ValueError:
            raise ValueError(f"reshape: cannot reshape a tensor of shape {x.shape} (size {x.size}) "
                             f"into shape {tuple(shape)}; the sizes must match") from None

    def backward(self, g, out):
        return (g.reshape(self.shape_in),)


class Transpose(Function):
    needs_inputs = False
    is_view = True

    def redo(self, base):
        return Transpose.apply(base, axes=self.axes)

    def undo(self, base, view):
        return Transpose.apply(view, axes=tuple(np.argsort([a % max(view.ndim, 1) for a in self.axes])))

    def forward(self, x, axes=None):
        if axes is None:
            axes = tuple(range(x.ndim))[::-1]
        if sorted(a % max(x.ndim, 1) for a in axes) != list(range(x.ndim)):
            raise ValueError(f"transpose: axes {tuple(axes)} are not a permutation of the "
                             f"{x.ndim} dimensions of a tensor of shape {x.shape}")
        self.axes = tuple(axes)
        return x.transpose(self.axes)

    def backward(self, g, out):
        return (g.transpose(tuple(np.argsort([a % g.ndim for a in self.axes]))),)


class BroadcastTo(Function):
    needs_inputs = False

    def forward(self, x, shape=None):
        self.shape_in = x.shape
        try:
            return np.broadcast_to(x, shape)
        except ValueError:
            raise ValueError(f"broadcast_to: cannot broadcast a tensor of shape {x.shape} to shape "
                             f"{tuple(shape)}; each dimension must match or be 1") from None

    def backward(self, g, out):
        return (sum_to(g, self.shape_in),)


def _is_basic(index) -> bool:
    """True when ``x[index]`` picks each element at most once (no integer arrays)."""
    items = index if isinstance(index, tuple) else (index,)
    for it in items:
        if it is None or it is Ellipsis or isinstance(it, (slice, int, np.integer)):
            continue
        if isinstance(it, np.ndarray) and it.dtype == bool and len(items) == 1:
            continue
        return False
    return True


def scatter(g: np.ndarray, index, shape: tuple) -> np.ndarray:
    """Adjoint of ``x[index]``: zeros of ``shape`` with ``g`` added at ``index`` (repeats accumulate)."""
    out = np.zeros(shape, dtype=g.dtype)
    if _is_basic(index):
        out[index] = g
    else:
        np.add.at(out, index, g)
    return out


class GetItem(Function):
    needs_inputs = False
    is_view = True

    def redo(self, base):
        return GetItem.apply(base, index=self.index)

    def undo(self, base, view):
        """``base`` with the viewed places replaced by ``view`` (torch's CopySlices)."""
        return IndexPut.apply(base, view, index=self.index)

    def forward(self, x, index=None):
        self.index, self.shape_in = index, x.shape
        try:
            out = x[index]
            if type(out) is not np.ndarray and type(x) is np.ndarray:  # all-integer index: a 0-d view, not a copy
                out = x[(index if isinstance(index, tuple) else (index,)) + (Ellipsis,)]
            return out
        except IndexError as e:
            raise IndexError(f"getitem: index {_show(index)} is invalid for a tensor of shape {x.shape}: {e}") from None

    def backward(self, g, out):
        if is_array(g):
            return (scatter(g, self.index, self.shape_in),)
        return (ScatterAdd.apply(g, index=self.index, shape=self.shape_in),)


class ScatterAdd(Function):
    """The adjoint of indexing (its own backward is indexing again): used by higher-order gradients."""
    needs_inputs = False

    def forward(self, g, index=None, shape=None):
        self.index = index
        return scatter(g, index, shape)

    def backward(self, g, out):
        return (g[self.index],)


def _show(index) -> str:
    items = index if isinstance(index, tuple) else (index,)
    return "[" + ", ".join(f"<array {i.dtype}{i.shape}>" if isinstance(i, np.ndarray) else repr(i)
                           for i in items) + "]"


class Pad(Function):
    """Constant padding with NumPy's ``pad_width`` convention: one (before, after) pair per dimension."""
    needs_inputs = False

    def forward(self, x, pad_width=None, value=0.0):
        try:
            widths = np.broadcast_to(np.asarray(pad_width, dtype=int), (x.ndim, 2))
        except ValueError:
            raise ValueError(f"pad: pad_width {pad_width!r} does not give (before, after) pairs for the "
                             f"{x.ndim} dimensions of a tensor of shape {x.shape}") from None
        if (widths < 0).any():
            raise ValueError(f"pad: pad_width {pad_width!r} has a negative width")
        self.slices = tuple(slice(int(b), int(b) + n) for (b, _), n in zip(widths, x.shape))
        return np.pad(x, widths, mode="constant", constant_values=value)

    def backward(self, g, out):
        return (g[self.slices],)


class Concatenate(Function):
    needs_inputs = False

    def forward(self, *xs, axis=0):
        if not xs:
            raise ValueError("concatenate: needs at least one tensor")
        first = xs[0]
        if first.ndim == 0:
            raise ValueError("concatenate: zero-dimensional tensors cannot be concatenated (use stack)")
        ax = axis % first.ndim if -first.ndim <= axis < first.ndim else None
        if ax is None:
            raise ValueError(f"concatenate: axis {axis} is out of range for tensors with {first.ndim} dimensions")
        for x in xs[1:]:
            if x.ndim != first.ndim or x.shape[:ax] + x.shape[ax + 1:] != first.shape[:ax] + first.shape[ax + 1:]:
                raise ValueError(f"concatenate: shapes {first.shape} and {x.shape} must match except along "
                                 f"axis {axis}")
        self.axis = ax
        self.bounds = np.cumsum([0] + [x.shape[ax] for x in xs])
        return np.concatenate(xs, axis=ax)

    def backward(self, g, out):
        lead = (slice(None),) * self.axis
        b = self.bounds
        return tuple(g[lead + (slice(int(b[i]), int(b[i + 1])),)] for i in range(len(b) - 1))




class IndexPut(Function):
    """``x[index] = v`` out of place (``out = x.copy(); out[index] = v``): what ``x[i] = v`` records in a graph.

    The gradient is ``g`` with the overwritten places zeroed for ``x``, and ``g[index]`` summed back to
    ``v``'s shape for ``v``.
    """
    needs_inputs = False

    def forward(self, x, v, index=None):
        self.index, self.shape_v = index, np.shape(v)
        out = np.array(x, copy=True)
        try:
            out[index] = v
        except (IndexError, ValueError) as e:
            raise type(e)(f"setitem: cannot assign a value of shape {np.shape(v)} to index {_show(index)} of a "
                          f"tensor of shape {np.shape(x)}: {e}") from None
        return out

    def backward(self, g, out):
        if is_array(g):
            gx = g.copy()
            gx[self.index] = 0
        else:
            gx = IndexPut.apply(g, 0.0, index=self.index)
        gv = None
        if self.needs(1):
            picked = g[self.index]
            n = len(self.shape_v)
            if picked.ndim >= n:
                gv = sum_to(picked, self.shape_v)
            else:  # v had leading 1s that assignment drops
                gv = picked.reshape((1,) * (n - picked.ndim) + picked.shape)
        return gx, gv


class Clone(Function):
    """A copy with its own memory (``x.clone()``); the gradient passes through unchanged."""
    needs_inputs = False

    def forward(self, x):
        return np.array(x, copy=True)

    def backward(self, g, out):
        return (g,)
