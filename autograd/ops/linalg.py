"""Matrix product with NumPy's rules: 1-D operands, batched and broadcast leading dimensions."""
from __future__ import annotations

import numpy as np

from ..vjp_helpers import is_array, sum_to, xp
from ..function import Function


class Matmul(Function):
    promotes = 0

    def reads(self) -> tuple:
        """Input i is read only for the other input's gradient."""
        return tuple(i for i in (0, 1) if self.needs(1 - i))
    def forward(self, a, b):
        if np.ndim(a) == 0 or np.ndim(b) == 0:  # np.ndim: an operand may be a Python scalar
            raise ValueError(f"matmul: both operands need at least 1 dimension, got shapes {np.shape(a)} and "
                             f"{np.shape(b)}")
        k_a = a.shape[-1]
        k_b = b.shape[-2] if b.ndim > 1 else b.shape[0]
        if k_a != k_b:
            raise ValueError(f"matmul: shapes {a.shape} and {b.shape} are not aligned: the last dimension of the "
                             f"first ({k_a}) must equal the {'second-to-last' if b.ndim > 1 else 'only'} "
                             f"dimension of the second ({k_b})")
        try:
            return np.matmul(a, b)
        except ValueError:
            raise ValueError(f"matmul: batch dimensions of shapes {a.shape} and {b.shape} do not broadcast") from None

    def backward(self, g, out, a, b):
        a2 = a if a.ndim > 1 else a.reshape((1, a.shape[0]))
        b2 = b if b.ndim > 1 else b.reshape((b.shape[0], 1))
        gs = g.shape
        if a.ndim == 1 and b.ndim == 1:
            g = g.reshape((1, 1))
        elif a.ndim == 1:
            g = g.reshape(gs[:-1] + (1, gs[-1]))
        elif b.ndim == 1:
            g = g.reshape(gs + (1,))
        ga = gb = None
        if self.needs(0):
            if _transposed(a2, g):  # NOTE: give the gradient its input's memory layout (see _transposed)
                ga = (b2 @ g.T).T
            else:
                ga = sum_to(g @ b2.swapaxes(-1, -2), a2.shape).reshape(a.shape)
        if self.needs(1):
            if _transposed(b2, g):
                gb = (g.T @ a2).T
            else:
                gb = sum_to(a2.swapaxes(-1, -2) @ g, b2.shape).reshape(b.shape)
        return ga, gb


def _transposed(x, g) -> bool:
    """True when 2-D ``x`` is a transposed view (Fortran order), as ``W.T`` in ``x @ W.T`` is.

    Its gradient is then computed transposed, so that after the Transpose's backward the
    weight's ``.grad`` is C-ordered like the weight: the same one product, and no strided copy
    later (an optimizer mixing the two layouts runs ~5x slower).
    """
    return (x.ndim == 2 and g.ndim == 2 and isinstance(x, np.ndarray) and isinstance(g, np.ndarray)
            and x.flags.f_contiguous and not x.flags.c_contiguous)


class Linear(Function):
    """``x @ weight.T + bias`` (PyTorch's ``F.linear``), over the last dimension of ``x``.

    NOTE: a primitive for speed: the bias is added in place into the fresh product (one pass over
    the output and one output-sized array fewer than Transpose + Matmul + Add), and the weight's
    gradient is computed directly in the weight's (out, in) layout.
    """

    def reads(self) -> tuple:
        """x is read for the weight's gradient, the weight for x's; the bias never."""
        return tuple(i for i in (0, 1) if self.needs(1 - i))

    def forward(self, x, weight, bias=None):
        if x.ndim == 0 or weight.ndim != 2 or x.shape[-1] != weight.shape[1]:
            raise ValueError(f"linear: an input of shape {x.shape} does not fit a weight of shape {weight.shape}; "
                             "the input's last dimension must equal the weight's second (in_features)")
        if bias is not None and bias.shape != weight.shape[:1]:
            raise ValueError(f"linear: a bias of shape {bias.shape} does not fit a weight of shape {weight.shape}; "
                             f"expected shape {weight.shape[:1]}")
        out = x @ weight.T
        if bias is None:
            return out
        if out.dtype == np.result_type(out, bias):
            out += bias
            return out
        return out + bias

    def backward(self, g, out, x, weight, bias=None):
        g2 = g.reshape((-1, g.shape[-1]))
        return (g @ weight if self.needs(0) else None,
                g2.T @ x.reshape((-1, x.shape[-1])) if self.needs(1) else None,
                g2.sum(axis=0) if bias is not None and self.needs(2) else None)


class Inv(Function):
    """Matrix inverse over the last two dimensions; d(A⁻¹) = −A⁻¹ dA A⁻¹."""
    needs_inputs = False
    needs_out = True

    def forward(self, x):
        if x.ndim < 2 or x.shape[-1] != x.shape[-2]:
            raise ValueError(f"inv: expects square matrices (..., n, n), got shape {x.shape}")
        try:
            return np.linalg.inv(x)
        except np.linalg.LinAlgError:
            raise ValueError("inv: the matrix is singular (not invertible)") from None

    def backward(self, g, out):
        t = xp(out).swapaxes(out, -1, -2)
        return (-(t @ g @ t),)


class Det(Function):
    """Determinant over the last two dimensions; d det(A) = det(A) A⁻ᵀ (A must be invertible for the gradient)."""
    needs_out = True

    def forward(self, x):
        if x.ndim < 2 or x.shape[-1] != x.shape[-2]:
            raise ValueError(f"det: expects square matrices (..., n, n), got shape {x.shape}")
        return np.linalg.det(x)

    def backward(self, g, out, x):
        inv_t = np.swapaxes(np.linalg.inv(x), -1, -2) if is_array(x) else xp(x).swapaxes(Inv.apply(x), -1, -2)
        scale = g * out
        return (scale.reshape(scale.shape + (1, 1)) * inv_t,)
