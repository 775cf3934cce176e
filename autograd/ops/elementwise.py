"""Elementwise primitives. Binary ones broadcast; their one adjoint is ``sum_to``."""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ..vjp_helpers import is_array, raw, sum_to, xp
from ..function import Function


def _shape(x) -> tuple:
    """Shape of an input: arrays have one, Python scalars are ()."""
    return getattr(x, "shape", ())


class Add(Function):
    promotes = 0
    needs_inputs = False

    def forward(self, a, b):
        self.sa, self.sb = getattr(a, "shape", ()), getattr(b, "shape", ())
        try:  # NOTE: a try costs nothing on success; NumPy's own message names no op
            return a + b  # NOTE: operators, not np.add: ~2x less call overhead on small arrays
        except ValueError:
            raise _mismatch("add", a, b) from None

    def backward(self, g, out):
        return sum_to(g, self.sa), sum_to(g, self.sb)


class Sub(Function):
    """NOTE: a primitive (not a + -b) for speed: it halves the per-op cost of a difference."""
    promotes = 0
    no_bool = True  # torch refuses bool operands to -
    needs_inputs = False

    def forward(self, a, b):
        self.sa, self.sb = getattr(a, "shape", ()), getattr(b, "shape", ())
        try:
            return a - b
        except ValueError:
            raise _mismatch("sub", a, b) from None

    def backward(self, g, out):
        return sum_to(g, self.sa), sum_to(-g, self.sb)


class Mul(Function):
    promotes = 0

    def reads(self) -> tuple:
        """Input i is read only for the other input's gradient (what the version check looks at)."""
        return tuple(i for i in (0, 1) if self.needs(1 - i))
    def forward(self, a, b):
        try:
            return a * b
        except ValueError:
            raise _mismatch("mul", a, b) from None

    def backward(self, g, out, a, b):
        pa, pb = self.parents
        return (sum_to(g * b, getattr(a, "shape", ())) if pa is not None and pa.requires_grad else None,
                sum_to(g * a, getattr(b, "shape", ())) if pb is not None and pb.requires_grad else None)


class Div(Function):
    """NOTE: a primitive (not a * b**-1) for speed."""
    promotes = 0
    true_division = True

    def reads(self) -> tuple:
        """``b`` is read for both gradients, ``a`` only for ``b``'s."""
        return (0, 1) if self.needs(1) else (1,)

    def forward(self, a, b):
        try:
            return a / b
        except ValueError:
            raise _mismatch("div", a, b) from None

    def backward(self, g, out, a, b):
        ga = g / b
        return (sum_to(ga, _shape(a)) if self.needs(0) else None,
                sum_to(-ga * a / b, _shape(b)) if self.needs(1) else None)


class Neg(Function):
    needs_inputs = False

    def forward(self, x):
        return -x

    def backward(self, g, out):
        return (-g,)


class Pow(Function):
    """``a ** b``; the exponent may be a tensor too (then d/db = out * log a, 0 where a == 0)."""
    promotes = 0
    needs_out = True

    def forward(self, a, b):
        try:
            out = np.power(a, b)
            if (type(out) is np.int8 or type(out) is np.ndarray and out.dtype == np.int8) and (
                    np.result_type(a) == np.bool_ and np.result_type(b) == np.bool_):
                out = out.astype(np.bool_)  # NumPy widens bool ** bool to int8; torch keeps bool
            return out
        except ValueError as e:
            if "negative integer powers" in str(e):
                raise RuntimeError("pow: Integers to negative integer powers are not allowed (as in torch); "
                                   "use a floating-point base: x.float() ** -1") from None
            raise _mismatch("pow", a, b) from None

    def backward(self, g, out, a, b):
        ga = gb = None
        if self.needs(0):
            ga = sum_to(g * b * a ** (b - 1), _shape(a))
        if self.needs(1):
            # NOTE: mask, not division: log(0) = -inf would make 0 * -inf = nan at a == 0.
            zero = np.asarray(raw(a)) == 0
            safe_a = xp(out).where(zero, 1, a)  # xp(out): `a` may be a Python scalar (2.0 ** x)
            gb = sum_to(g * out * xp(safe_a).log(safe_a) * ~zero, _shape(b))
        return ga, gb


class Exp(Function):
    needs_inputs = False
    needs_out = True

    def forward(self, x):
        return np.exp(x)

    def backward(self, g, out):
        return (g * out,)


class Log(Function):
    def forward(self, x):
        return np.log(x)

    def backward(self, g, out, x):
        return (g / x,)


class Sqrt(Function):
    """NOTE: a primitive (not x ** 0.5) for speed and to save the output, as norms need."""
    needs_inputs = False
    needs_out = True

    def forward(self, x):
        return np.sqrt(x)

    def backward(self, g, out):
        return (g / (2 * out),)


class Abs(Function):
    def forward(self, x):
        return np.abs(x)

    def backward(self, g, out, x):
        # NOTE: the subgradient at 0 is 0 (a mask: sign(0) = 0), as in PyTorch.
        return (g * np.sign(raw(x)),)


class Sin(Function):
    def forward(self, x):
        return np.sin(x)

    def backward(self, g, out, x):
        return (g * xp(x).cos(x),)


class Cos(Function):
    def forward(self, x):
        return np.cos(x)

    def backward(self, g, out, x):
        return (-g * xp(x).sin(x),)


class Tanh(Function):
    needs_inputs = False
    needs_out = True

    def forward(self, x):
        return np.tanh(x)

    def backward(self, g, out):
        return (g * (1 - out * out),)


class Sigmoid(Function):
    """NOTE: a primitive for stability: 1/(1+e^-x) composed overflows e^-x at x = -1000."""
    needs_inputs = False
    needs_out = True

    def forward(self, x):
        e = np.exp(-np.abs(x))
        return np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(np.result_type(x, np.float32), copy=False)

    def backward(self, g, out):
        return (g * out * (1 - out),)


class Relu(Function):
    """NOTE: a primitive for speed (maximum(x, 0) would save both inputs)."""
    needs_inputs = False
    needs_out = True

    def forward(self, x):
        return np.maximum(x, 0)

    def backward(self, g, out):
        # NOTE: ReLU'(0) = 0: a mask on the output, never out / x.
        return (g * (raw(out) > 0),)


class Maximum(Function):
    promotes = 0
    def forward(self, a, b):
        try:
            return np.maximum(a, b)
        except ValueError:
            raise _mismatch("maximum", a, b) from None

    def backward(self, g, out, a, b):
        return _tie_split(self, g, raw(a), raw(b), np.greater)


class Minimum(Function):
    promotes = 0
    def forward(self, a, b):
        try:
            return np.minimum(a, b)
        except ValueError:
            raise _mismatch("minimum", a, b) from None

    def backward(self, g, out, a, b):
        return _tie_split(self, g, raw(a), raw(b), np.less)


def _tie_split(fn, g, a, b, wins):
    """Gradient of max/min: all to the winner, split in half on a tie (PyTorch's rule)."""
    dt = g.dtype
    wa = wins(a, b).astype(dt) + (a == b).astype(dt) * 0.5
    return (sum_to(g * wa, np.shape(a)) if fn.needs(0) else None,
            sum_to(g * (1 - wa), np.shape(b)) if fn.needs(1) else None)


def _mismatch(op: str, *xs) -> ValueError:
    """The error raised instead of NumPy's own when a binary op's operands do not broadcast."""
    shapes = [str(_shape(x)) for x in xs]
    return ValueError(f"{op}: shapes {', '.join(shapes[:-1])} and {shapes[-1]} cannot be broadcast together; "
                      "each dimension must match or be 1 (NumPy broadcasting)")


class Where(Function):
    """``where(cond, a, b)``; ``cond`` is a boolean constant."""
    promotes = 1
    needs_inputs = False

    def forward(self, cond, a, b):
        self.cond = np.asarray(cond, dtype=bool)
        self.sa, self.sb = _shape(a), _shape(b)
        try:
            return np.where(self.cond, a, b)
        except ValueError:
            raise _mismatch("where", cond, a, b) from None

    def backward(self, g, out):
        c, w = self.cond, xp(g).where
        return None, sum_to(w(c, g, 0), self.sa), sum_to(w(c, 0, g), self.sb)


class Clip(Function):
    """``clip(x, lo, hi)``; the gradient passes where lo <= x <= hi (PyTorch's clamp rule)."""

    def forward(self, x, lo=None, hi=None):
        self.lo, self.hi = lo, hi
        return np.clip(x, lo, hi)

    def backward(self, g, out, x):
        x = raw(x)
        mask = np.ones(x.shape, dtype=bool)
        if self.lo is not None:
            mask &= x >= self.lo
        if self.hi is not None:
            mask &= x <= self.hi
        return (g * mask,)


class Cast(Function):
    """Change dtype; the gradient is cast back to the input's dtype."""
    needs_inputs = False

    def forward(self, x, dtype=None):
        self.src = x.dtype
        return x.astype(dtype)

    def backward(self, g, out):
        return (g.astype(self.src),)


class _PiecewiseConstant(Function):
    """Ops whose derivative is 0 wherever it exists (sign, floor, ...): recorded, as torch records them, with a
    zero gradient, so a graph shows them and backward through them gives zeros, not a missing gradient."""
    needs_inputs = False

    def backward(self, g, out):
        return (np.zeros_like(g) if is_array(g) else g * 0.0,)


class Sign(_PiecewiseConstant):
    def forward(self, x):
        return np.sign(x)


class Round(_PiecewiseConstant):
    """floor / ceil / round (half to even, as torch) / trunc."""

    def forward(self, x, mode="round"):
        return _ROUNDING[mode](x)


_ROUNDING: dict[str, Callable[..., Any]] = {"floor": np.floor, "ceil": np.ceil, "round": np.round, "trunc": np.trunc}
