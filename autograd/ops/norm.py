"""Batch normalisation as one primitive (NOTE in the class says why)."""
from __future__ import annotations

import numpy as np

from ..vjp_helpers import is_array
from ..function import Function


class BatchNorm(Function):
    """Batch normalisation over every axis but 1: ``(x - mean) / sqrt(var + eps) * weight + bias``
    with the batch's biased variance. ``weight`` / ``bias`` may be None. When ``stats`` (a dict) is
    given, forward stores the batch ``mean`` and biased ``var`` (shape (C,)) in it for running statistics.

    NOTE: a primitive for speed: composed, it costs ~7 full-size passes forward and ~12 backward,
    this about 6 and 6. Its backward is written in shared ops, and with create_graph it recomputes
    the statistics from the Tensor ``x``, so second derivatives are exact.
    """

    def forward(self, x, weight, bias, eps=1e-5, stats=None):
        if x.ndim < 2:
            raise ValueError(f"batch_norm: expects an input of shape (N, C, ...), got shape {x.shape}")
        self.axes = (0,) + tuple(range(2, x.ndim))
        self.bshape = (1, x.shape[1]) + (1,) * (x.ndim - 2)
        self.eps = eps
        mean = x.mean(axis=self.axes, keepdims=True)
        xhat = x - mean
        var = np.einsum(_SQ[x.ndim], xhat, xhat).reshape(self.bshape) * (x.shape[1] / x.size)
        if stats is not None:
            stats["mean"], stats["var"] = mean.reshape(-1), var.reshape(-1)
        self.invstd = (1.0 / np.sqrt(var + eps)).astype(x.dtype, copy=False)
        xhat *= self.invstd
        self.xhat = xhat
        y = xhat * weight.reshape(self.bshape) if weight is not None else xhat.copy()
        if bias is not None:
            y += bias.reshape(self.bshape)
        return y

    def backward(self, g, out, x, weight, bias):
        axes, bshape = self.axes, self.bshape
        count = g.size // g.shape[1]
        if is_array(g):
            xhat, invstd = self.xhat, self.invstd
        else:  # differentiable: the statistics are functions of x
            dx = x - x.mean(axis=axes, keepdims=True)
            invstd = ((dx * dx).mean(axis=axes, keepdims=True) + self.eps) ** -0.5
            xhat = dx * invstd
        gb = g.sum(axis=axes, keepdims=True)
        gw = (g * xhat).sum(axis=axes, keepdims=True)
        gx = None
        if self.needs(0):
            scale = invstd * (1.0 / count) if weight is None else weight.reshape(bshape) * invstd * (1.0 / count)
            if is_array(g):  # the same formula, fewer temporaries
                gx = g * (scale * count)
                gx -= xhat * (gw * scale)
                gx -= gb * scale
            else:
                gx = (g * count - gb - xhat * gw) * scale
        return (gx, None if weight is None or not self.needs(1) else gw.reshape(weight.shape),
                None if bias is None or not self.needs(2) else gb.reshape(bias.shape))

    def free(self) -> None:
        super().free()
        self.xhat = self.invstd = None


# sum of squares over every axis but 1, per channel, in one pass without a temporary
_SQ = {n: f"a{'bcdefgh'[:n - 1]},a{'bcdefgh'[:n - 1]}->b" for n in range(2, 8)}
