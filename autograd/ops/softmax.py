"""Softmax, log-softmax and logsumexp.

NOTE: primitives for stability: composed from exp/sum they overflow at inputs of
±1000; here the maximum is subtracted first and the backward uses the output.
"""
from __future__ import annotations

import numpy as np

from ..vjp_helpers import xp
from ..function import Function
from .reduce import norm_axes, expand_back


def _shifted(x, axes):
    """x minus its maximum over ``axes`` (a row of all -inf shifts by 0, not by nan)."""
    m = np.max(x, axis=axes, keepdims=True)
    m = np.where(np.isfinite(m), m, 0)
    return x - m, m


class Softmax(Function):
    needs_inputs = False
    needs_out = True

    def forward(self, x, axis=-1):
        self.axis = norm_axes("softmax", axis, x.ndim)
        z, _ = _shifted(x, self.axis)
        e = np.exp(z)
        return e / e.sum(axis=self.axis, keepdims=True)

    def backward(self, g, out):
        return (out * (g - (g * out).sum(axis=self.axis, keepdims=True)),)


class LogSoftmax(Function):
    needs_inputs = False
    needs_out = True

    def forward(self, x, axis=-1):
        self.axis = norm_axes("log_softmax", axis, x.ndim)
        z, _ = _shifted(x, self.axis)
        return z - np.log(np.exp(z).sum(axis=self.axis, keepdims=True))

    def backward(self, g, out):
        return (g - xp(out).exp(out) * g.sum(axis=self.axis, keepdims=True),)


class LogSumExp(Function):
    needs_out = True

    def forward(self, x, axis=None, keepdims=False):
        self.axes = norm_axes("logsumexp", axis, x.ndim)
        self.keepdims = keepdims
        z, m = _shifted(x, self.axes)
        out = np.log(np.exp(z).sum(axis=self.axes, keepdims=True)) + m
        return out if keepdims else out.reshape(np.sum(x, axis=self.axes).shape)

    def backward(self, g, out, x):
        g = expand_back(g, x.shape, self.axes, self.keepdims)
        out = expand_back(out, x.shape, self.axes, self.keepdims)
        return (g * xp(x).exp(x - out),)
