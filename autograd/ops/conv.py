"""Convolution primitives over NCHW: ``Unfold`` (im2col), its adjoint ``Fold`` (col2im), and ``Conv2d``.

``nn.functional`` composes the layers from these: conv2d = Unfold + one matmul, max/avg pooling =
Unfold + a reduction over the window axis. Unfold and Fold are linear and each is the other's
adjoint, so each one's backward is the other one applied, and conv's second derivatives come free.

The column layout is PyTorch's ``F.unfold``: ``(N, C*kh*kw, OH*OW)``, channel-major then kernel row,
kernel column, so a weight ``(O, C, kh, kw)`` reshaped to ``(O, C*kh*kw)`` multiplies it directly and
the product ``(N, O, OH*OW)`` is already NCHW.
"""
from __future__ import annotations

from typing import Any

import numpy as np
from numpy.lib.stride_tricks import as_strided

from ..vjp_helpers import is_array
from ..function import Function


def pair(v, name: str = "value", op: str = "conv") -> tuple[int, int]:
    """``3`` -> ``(3, 3)``; ``(3, 2)`` stays; anything else is a ValueError naming ``op`` and ``name``."""
    t = (v, v) if isinstance(v, (int, np.integer)) else tuple(v)
    if len(t) != 2 or not all(isinstance(i, (int, np.integer)) for i in t):
        raise ValueError(f"{op}: {name} must be an int or a pair of ints, got {v!r}")
    return int(t[0]), int(t[1])


def geometry(shape: tuple, kernel_size, stride, padding, dilation,
             op: str = "unfold") -> tuple[Any, Any, Any, Any, Any]:
    """Check an NCHW shape against the window parameters; return them as pairs and the output (OH, OW)."""
    if len(shape) != 4:
        raise ValueError(f"{op}: expects a 4-D NCHW input (batch, channels, height, width), got shape {tuple(shape)}")
    k, s, p, d = (pair(kernel_size, "kernel_size", op), pair(stride, "stride", op),
                  pair(padding, "padding", op), pair(dilation, "dilation", op))
    if min(k) < 1 or min(s) < 1 or min(d) < 1 or min(p) < 0:
        raise ValueError(f"{op}: kernel_size {k}, stride {s} and dilation {d} must be positive and padding {p} "
                         "non-negative")
    out = tuple((n + 2 * pp - dd * (kk - 1) - 1) // ss + 1 for n, kk, ss, pp, dd in zip(shape[2:], k, s, p, d))
    if min(out) < 1:
        raise ValueError(f"{op}: the input's spatial size {tuple(shape[2:])} (padding {p}) is smaller than the "
                         f"{'dilated ' if max(d) > 1 else ''}kernel {k}, so the output would be empty")
    return k, s, p, d, out


def unfold(x: np.ndarray, k, s, p, d, out, value: float = 0.0) -> np.ndarray:
    """im2col on arrays: ``(N, C, H, W)`` -> ``(N, C*kh*kw, OH*OW)``, padding with ``value``."""
    n, c, h, w = x.shape
    if p[0] or p[1]:
        xp = np.empty((n, c, h + 2 * p[0], w + 2 * p[1]), dtype=x.dtype)
        xp[:, :, :p[0]] = value
        xp[:, :, h + p[0]:] = value
        xp[:, :, :, :p[1]] = value
        xp[:, :, :, w + p[1]:] = value
        xp[:, :, p[0]:p[0] + h, p[1]:p[1] + w] = x
    else:
        xp = x
    s0, s1, s2, s3 = xp.strides
    view = as_strided(xp, (n, c, k[0], k[1], out[0], out[1]),
                      (s0, s1, s2 * d[0], s3 * d[1], s2 * s[0], s3 * s[1]), writeable=False)
    return np.ascontiguousarray(view).reshape(n, c * k[0] * k[1], out[0] * out[1])


def fold(cols: np.ndarray, hw: tuple, k, s, p, d, out) -> np.ndarray:
    """col2im on arrays, the adjoint of ``unfold``: overlapping windows add up.

    NOTE: kh*kw strided slice-adds, each over the whole batch (no np.add.at, no loop over pixels).
    """
    n = cols.shape[0]
    c = cols.shape[1] // (k[0] * k[1])
    c6 = cols.reshape(n, c, k[0], k[1], out[0], out[1])
    h, w = hw
    img = np.zeros((n, c, h + 2 * p[0], w + 2 * p[1]), dtype=cols.dtype)
    hspan, wspan = s[0] * (out[0] - 1) + 1, s[1] * (out[1] - 1) + 1
    for i in range(k[0]):
        for j in range(k[1]):
            img[:, :, i * d[0]:i * d[0] + hspan:s[0], j * d[1]:j * d[1] + wspan:s[1]] += c6[:, :, i, j]
    if p[0] or p[1]:
        img = np.ascontiguousarray(img[:, :, p[0]:p[0] + h, p[1]:p[1] + w])
    return img


class Unfold(Function):
    """Sliding windows of an NCHW tensor as columns (PyTorch's ``F.unfold``); padding takes ``value``
    (``-inf`` for max pooling), which gets no gradient."""
    needs_inputs = False

    def forward(self, x, kernel_size=1, stride=1, padding=0, dilation=1, value=0.0):
        self.geom = geometry(x.shape, kernel_size, stride, padding, dilation, "unfold")
        self.hw = x.shape[2:]
        return unfold(x, *self.geom, value=value)

    def backward(self, g, out):
        if is_array(g):
            return (fold(g, self.hw, *self.geom),)
        k, s, p, d, _ = self.geom
        return (Fold.apply(g, output_size=self.hw, kernel_size=k, stride=s, padding=p, dilation=d),)


class Fold(Function):
    """Columns back into an NCHW image, overlaps summed (PyTorch's ``F.fold``): the adjoint of Unfold."""
    needs_inputs = False

    def forward(self, cols, output_size=None, kernel_size=1, stride=1, padding=0, dilation=1):
        k = pair(kernel_size, "kernel_size", "fold")
        if cols.ndim != 3 or cols.shape[1] % (k[0] * k[1]):
            raise ValueError(f"fold: expects columns of shape (N, C*kh*kw, L) with kernel {k}, got {cols.shape}")
        hw = pair(output_size, "output_size", "fold")
        shape = (cols.shape[0], cols.shape[1] // (k[0] * k[1])) + hw
        self.geom = geometry(shape, k, stride, padding, dilation, "fold")
        if self.geom[4][0] * self.geom[4][1] != cols.shape[2]:
            raise ValueError(f"fold: {cols.shape[2]} columns do not match the {self.geom[4]} windows of an "
                             f"output of size {hw}")
        self.hw = hw
        return fold(cols, hw, *self.geom)

    def backward(self, g, out):
        if is_array(g):
            return (unfold(g, *self.geom),)
        k, s, p, d, _ = self.geom
        return (Unfold.apply(g, kernel_size=k, stride=s, padding=p, dilation=d),)


def conv_arrays(x: np.ndarray, w: np.ndarray, s, p, d, groups: int):
    """Forward convolution on arrays: (out (N, O, OH, OW), columns (N, G, C/G*kh*kw, L))."""
    o, cg, kh, kw = w.shape
    k, s, p, d, out = geometry(x.shape, (kh, kw), s, p, d, "conv2d")
    n = x.shape[0]
    cols = unfold(x, k, s, p, d, out).reshape(n, groups, cg * kh * kw, out[0] * out[1])
    y = np.matmul(w.reshape(groups, o // groups, cg * kh * kw), cols)      # (N, G, O/G, L)
    return y.reshape(n, o, out[0], out[1]), cols


class Conv2d(Function):
    """2-D cross-correlation of NCHW ``x`` with weight ``(O, C/groups, kh, kw)`` (no bias: add it after).

    NOTE: a primitive for speed, though it is Unfold + matmul. Composed, the input gradient is
    wᵀ·g followed by Fold (col2im, kh*kw read-modify-write passes); here, for stride 1, it is the
    convolution of g with the flipped, transposed kernel (one Unfold pass and one matmul), which is
    the transposed convolution, about 3x cheaper. Strided convolutions keep wᵀ·g + Fold. The
    columns are kept from forward for the weight gradient. With create_graph the backward is the
    composed form (Unfold, matmul, Fold), so second derivatives hold.
    """

    def forward(self, x, w, stride=1, padding=0, dilation=1, groups=1):
        if w.ndim != 4 or x.ndim != 4 or x.shape[1] != w.shape[1] * groups:
            raise ValueError(f"conv2d: input {x.shape} and weight {w.shape} do not match (groups={groups})")
        y, self.cols = conv_arrays(x, w, stride, padding, dilation, groups)
        self.geom = geometry(x.shape, w.shape[2:], stride, padding, dilation, "conv2d")
        self.groups = groups
        return y

    def backward(self, g, out, x, w):
        k, s, p, d, (oh, ow) = self.geom
        gr, (n, c), (o, cg) = self.groups, x.shape[:2], w.shape[:2]
        w3 = w.reshape(gr, o // gr, cg * k[0] * k[1])
        g4 = g.reshape(n, gr, o // gr, oh * ow)
        if not is_array(g):  # create_graph: the composed form, differentiable again
            gw = (g4 @ Unfold.apply(x, kernel_size=k, stride=s, padding=p, dilation=d).reshape(
                n, gr, cg * k[0] * k[1], oh * ow).swapaxes(-1, -2)).sum(axis=0).reshape(w.shape)
            gx = Fold.apply((w3.swapaxes(-1, -2) @ g4).reshape(n, c * k[0] * k[1], oh * ow), output_size=x.shape[2:],
                            kernel_size=k, stride=s, padding=p, dilation=d)
            return gx if self.needs(0) else None, gw if self.needs(1) else None
        gx = gw = None
        if self.needs(1):
            gw = np.matmul(g4, self.cols.swapaxes(-1, -2)).sum(axis=0).reshape(w.shape)
        if self.needs(0):
            back = tuple(dd * (kk - 1) - pp for dd, kk, pp in zip(d, k, p))
            if s == (1, 1) and min(back) >= 0:   # transposed convolution: flip the kernel, swap in/out per group
                wt = w.reshape(gr, o // gr, cg, k[0], k[1]).swapaxes(1, 2)[..., ::-1, ::-1]
                gx = conv_arrays(g, np.ascontiguousarray(wt).reshape(c, o // gr, k[0], k[1]), 1, back, d, gr)[0]
            else:
                gx = fold(np.matmul(w3.swapaxes(-1, -2), g4).reshape(n, c * k[0] * k[1], oh * ow),
                          x.shape[2:], k, s, p, d, (oh, ow))
        return gx, gw

    def free(self) -> None:
        super().free()
        self.cols = None
