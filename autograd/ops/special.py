"""The rest of torch's elementwise functions: inverse trigonometric, hyperbolic, log1p / expm1, reciprocal.

Each is a primitive because NumPy computes it more accurately than a composition would (log1p near 0,
expm1, arcsin near ±1); the backward uses only functions that exist for arrays and Tensors alike.
"""
from __future__ import annotations

import numpy as np

from ..function import Function
from ..vjp_helpers import xp


class Log1p(Function):
    def forward(self, x):
        return np.log1p(x)

    def backward(self, g, out, x):
        return (g / (1 + x),)


class Expm1(Function):
    needs_inputs = False
    needs_out = True

    def forward(self, x):
        return np.expm1(x)

    def backward(self, g, out):
        return (g * (out + 1),)


class Asin(Function):
    def forward(self, x):
        return np.arcsin(x)

    def backward(self, g, out, x):
        return (g / xp(x).sqrt(1 - x * x),)


class Acos(Function):
    def forward(self, x):
        return np.arccos(x)

    def backward(self, g, out, x):
        return (-g / xp(x).sqrt(1 - x * x),)


class Atan(Function):
    def forward(self, x):
        return np.arctan(x)

    def backward(self, g, out, x):
        return (g / (1 + x * x),)


class Tan(Function):
    needs_inputs = False
    needs_out = True

    def forward(self, x):
        return np.tan(x)

    def backward(self, g, out):
        return (g * (1 + out * out),)


class Sinh(Function):
    def forward(self, x):
        return np.sinh(x)

    def backward(self, g, out, x):
        return (g * xp(x).cosh(x),)


class Cosh(Function):
    def forward(self, x):
        return np.cosh(x)

    def backward(self, g, out, x):
        return (g * xp(x).sinh(x),)


class Log2(Function):
    def forward(self, x):
        return np.log2(x)

    def backward(self, g, out, x):
        return (g / (x * np.log(2.0)),)


class Log10(Function):
    def forward(self, x):
        return np.log10(x)

    def backward(self, g, out, x):
        return (g / (x * np.log(10.0)),)


class Reciprocal(Function):
    needs_inputs = False
    needs_out = True

    def forward(self, x):
        return np.reciprocal(x)

    def backward(self, g, out):
        return (-g * out * out,)


class Rsqrt(Function):
    needs_inputs = False
    needs_out = True

    def forward(self, x):
        return 1 / np.sqrt(x)

    def backward(self, g, out):
        return (-0.5 * g * out * out * out,)
