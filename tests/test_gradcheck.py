"""gradcheck itself: passes correct functions, catches and names wrong ones."""
from __future__ import annotations

import numpy as np
import pytest

import autograd
from autograd import Function, Tensor


def _x(*values, grad=True):
    return Tensor(np.array(values, dtype=np.float64), requires_grad=grad)


# ---- gradcheck ------------------------------------------------------------------------------------
def test_gradcheck_passes_for_correct_functions():
    rng = np.random.default_rng(0)
    a = Tensor(rng.standard_normal((3, 4)), requires_grad=True)
    b = Tensor(rng.standard_normal(4), requires_grad=True)
    assert autograd.gradcheck(lambda a, b: ((a * b).tanh() @ b).softmax(), [a, b]) is True
    assert autograd.gradcheck(lambda a: a.var(axis=0), a) is True


class _WrongSquare(Function):
    """x**2 with a wrong backward (g*x instead of 2*g*x); deliberately not registered."""

    def forward(self, x):
        return x * x

    def backward(self, g, out, x):
        return (g * x,)


class _WrongSecond(Function):
    """a*b whose gradient for b is wrong by a constant; deliberately not registered."""

    def forward(self, a, b):
        return a * b

    def backward(self, g, out, a, b):
        return g * b, g * a + 1.0


def test_gradcheck_catches_a_wrong_primitive():
    assert "_WrongSquare" not in autograd.REGISTRY
    x = Tensor(np.array([0.1, -0.2, 3.0]), requires_grad=True)
    with pytest.raises(autograd.GradcheckError,
                       match=r"input 0 \(shape \(3,\)\) is wrong; worst element \(2,\): analytic (\S+) vs numeric"):
        autograd.gradcheck(lambda t: _WrongSquare.apply(t).sum(), [x])
    assert autograd.gradcheck(lambda t: _WrongSquare.apply(t).sum(), [x], raise_exception=False) is False


def test_gradcheck_names_the_wrong_input():
    a = Tensor(np.ones((2, 2)), requires_grad=True)
    b = Tensor(np.ones((2, 2)), requires_grad=True)
    c = Tensor(np.ones((2, 2)))  # a constant input is skipped
    with pytest.raises(autograd.GradcheckError, match=r"input 2 \(shape \(2, 2\)\)"):
        autograd.gradcheck(lambda c, a, b: _WrongSecond.apply(a, b) + c, [c, a, b])


def test_gradcheck_error_reports_analytic_and_numeric_values():
    x = Tensor(np.array([3.0]), requires_grad=True)
    with pytest.raises(autograd.GradcheckError) as info:
        autograd.gradcheck(lambda t: _WrongSquare.apply(t), [x])
    msg = str(info.value)
    analytic = float(msg.split("analytic ")[1].split(" vs")[0])
    numeric = float(msg.split("numeric ")[1].split(" ")[0])
    assert numeric == pytest.approx(2 * analytic, rel=1e-6)


def test_gradcheck_requires_float64():
    x = Tensor(np.ones(3, dtype=np.float32), requires_grad=True)
    with pytest.raises(ValueError, match=r"input 0 has dtype float32.*float64"):
        autograd.gradcheck(lambda t: t * 2, [x])
    with pytest.raises(ValueError, match="no input requires grad"):
        autograd.gradcheck(lambda t: t * 2, [Tensor(np.ones(2))])
