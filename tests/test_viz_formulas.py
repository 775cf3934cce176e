"""viz.formulas: each primitive's chain-rule step written out, checked against what the engine actually sent.

The scalar texts exactly, the number formats, and the helpers test_viz_formulas_ops.py shares."""
from __future__ import annotations

import math
import re

import numpy as np
import pytest

import autograd
from autograd import Tensor
from viz.formulas import MINUS, format_number, local_derivative, summarize


class _Steps(autograd.Tracer):
    """Keeps every backward step the engine reports."""

    def __init__(self) -> None:
        self.steps: list = []

    def on_step(self, node, grad, out, inputs, grads_in) -> None:
        self.steps.append((node, grad, out, inputs, grads_in))


def _raw(x):
    return x.numpy() if isinstance(x, Tensor) else x


def _record(loss: Tensor, /, **named: Tensor) -> list[tuple[str, int, str, np.ndarray]]:
    """Backward through ``loss`` under a tracer: ``(op, input index, text, gradient sent)`` per gradient sent.
    Nodes are named after the keyword arguments; the others ``#k``, constants ``k``."""
    tracer = _Steps()
    with autograd.tracing(tracer):
        loss.backward()
    names = {id(t._node): n for n, t in named.items() if t._node is not None}

    def name(node) -> str:
        if node is None:
            return "k"
        return names.setdefault(id(node), f"#{len(names)}")

    rows = []
    for node, grad, out, inputs, grads_in in tracer.steps:
        ins = [name(p) for p in node.parents]
        for i, gi in enumerate(grads_in):
            text = local_derivative(node.op, i, names=ins, out_name=name(node), grad=grad, out=out, inputs=inputs,
                                    grad_in=gi, node=node)
            rows.append((node.op, i, text, None if gi is None else np.asarray(_raw(gi))))
    return rows


def _texts(rows, op: str) -> list[str]:
    return [text for o, _, text, gi in rows if o == op and gi is not None]


def _number(s: str) -> float:
    s = s.strip().replace(MINUS, "-").replace("∞", "inf")
    return float(s)


def _result(text: str) -> float:
    """The number a formula ends with: after its last ``=`` (a value, or the norm after ``‖·‖ =``)."""
    return _number(text.rsplit("= ", 1)[1])


def _close(shown: float, actual: float) -> bool:
    """``shown`` is ``actual`` to the 4 significant digits it was written with."""
    if math.isnan(actual):
        return math.isnan(shown)
    if math.isinf(actual):
        return shown == actual
    return math.isclose(shown, actual, rel_tol=6e-4, abs_tol=1e-300)


def _check_results(rows) -> None:
    assert rows
    for op, i, text, gi in rows:
        assert "\n" not in text
        if gi is None:
            continue
        assert text.startswith("∂L/∂"), text
        g64 = gi.astype(np.float64)
        actual = float(g64.reshape(-1)[0]) if gi.size == 1 else float(np.linalg.norm(g64.reshape(-1)))
        if gi.size != 1:
            assert "‖·‖ = " in text, text
        assert _close(_result(text), actual), f"{op}[{i}]: {text} but the engine sent {actual}"


_FUNCS = {"cos": math.cos, "sin": math.sin, "cosh": math.cosh, "sinh": math.sinh, "exp": math.exp, "log": math.log,
          "sqrt": math.sqrt, "sign": lambda v: float(np.sign(v))}


def _evaluate(numbers: str) -> float:
    """The numbers part of a scalar formula (``1.5 · 2·3^1``) as Python arithmetic."""
    expr = (numbers.replace(MINUS, "-").replace("·", "*").replace("²", "**2").replace("³", "**3").replace("^", "**")
            .replace("√", "sqrt").replace("ln 2", "log(2)").replace("ln 10", "log(10)").replace("ln(", "log("))
    assert re.fullmatch(r"[-+*/(). 0-9e a-z]*", expr), expr
    return float(eval(expr, {"__builtins__": {}}, _FUNCS))


def _scalar(v: float) -> Tensor:
    return Tensor(v, requires_grad=True)


# ---- the lecture's scalar formulas, exactly ----------------------------------------------------------------
def _one(rows, op: str, i: int, to: str | None = None) -> str:
    """The one formula of ``op`` for input ``i`` (of the step that sends to ``to``, if given)."""
    found = [text for o, j, text, gi in rows
             if o == op and j == i and gi is not None and (to is None or text.startswith(f"∂L/∂{to} +="))]
    assert len(found) == 1, (op, i, rows)
    return found[0]


def test_mul_add_sub():
    a, b = _scalar(2.0), _scalar(-3.0)
    c = a * b
    rows = _record(c * 1.5, a=a, b=b, c=c)
    assert _one(rows, "Mul", 0, "a") == "∂L/∂a += ∂L/∂c · b = 1.5 · (−3) = −4.5"
    assert "∂L/∂b += ∂L/∂c · a = 1.5 · 2 = 3" in _texts(rows, "Mul")
    c = a + b
    rows = _record(c * 1.5, a=a, b=b, c=c)
    assert _one(rows, "Add", 0) == "∂L/∂a += ∂L/∂c · 1 = 1.5"
    assert _one(rows, "Add", 1) == "∂L/∂b += ∂L/∂c · 1 = 1.5"
    c = a - b
    rows = _record(c * 1.5, a=a, b=b, c=c)
    assert _one(rows, "Sub", 0) == "∂L/∂a += ∂L/∂c · 1 = 1.5"
    assert _one(rows, "Sub", 1) == "∂L/∂b += ∂L/∂c · (−1) = −1.5"


def test_div():
    a, b = _scalar(2.0), _scalar(-3.0)
    c = a / b
    rows = _record(c * 1.5, a=a, b=b, c=c)
    assert _one(rows, "Div", 0, "a") == "∂L/∂a += ∂L/∂c · 1/b = 1.5 · 1/(−3) = −0.5"
    assert _one(rows, "Div", 1) == "∂L/∂b += ∂L/∂c · (−a/b²) = 1.5 · (−2/(−3)²) = −0.3333"


def test_pow():
    x = _scalar(3.0)
    y = x ** 2
    rows = _record(y * 1.5, x=x, y=y)
    assert _one(rows, "Pow", 0, "x") == "∂L/∂x += ∂L/∂y · n·x^(n−1) = 1.5 · 2·3^1 = 9"
    a, b = _scalar(2.0), _scalar(3.0)
    y = a ** b
    rows = _record(y * 1.5, a=a, b=b, y=y)
    assert _one(rows, "Pow", 0, "a") == "∂L/∂a += ∂L/∂y · b·a^(b−1) = 1.5 · 3·2^2 = 18"
    assert _one(rows, "Pow", 1) == "∂L/∂b += ∂L/∂y · y·ln a = 1.5 · 8·ln(2) = 8.318"


@pytest.mark.parametrize("op,x,g,expected", [
    ("tanh", 1.0, 0.5, "∂L/∂x += ∂L/∂y · (1 − y²) = 0.5 · (1 − 0.7616²) = 0.21"),
    ("tanh", -1.0, 0.5, "∂L/∂x += ∂L/∂y · (1 − y²) = 0.5 · (1 − (−0.7616)²) = 0.21"),
    ("sigmoid", 1.0, 0.5, "∂L/∂x += ∂L/∂y · y(1 − y) = 0.5 · 0.7311·(1 − 0.7311) = 0.09831"),
    ("relu", 2.0, 1.5, "∂L/∂x += ∂L/∂y · [x > 0] = 1.5 · 1 = 1.5"),
    ("relu", -2.0, 1.5, "∂L/∂x += ∂L/∂y · [x > 0] = 1.5 · 0 = 0"),
    ("exp", 1.0, 1.5, "∂L/∂x += ∂L/∂y · y = 1.5 · 2.718 = 4.077"),
    ("log", 2.0, 1.5, "∂L/∂x += ∂L/∂y · 1/x = 1.5 · 1/2 = 0.75"),
    ("sqrt", 4.0, 1.5, "∂L/∂x += ∂L/∂y · 1/(2·y) = 1.5 · 1/(2·2) = 0.375"),
    ("sin", 0.5, -1.5, "∂L/∂x += ∂L/∂y · cos(x) = −1.5 · cos(0.5) = −1.316"),
    ("neg", 0.5, 1.5, "∂L/∂x += ∂L/∂y · (−1) = −1.5"),
])
def test_unary_scalar_formulas(op, x, g, expected):
    xt = _scalar(x)
    y = getattr(xt, op)() if op != "neg" else -xt
    rows = _record(y * g, x=xt, y=y)
    assert [t for o, _, t, gi in rows if o != "Mul" and gi is not None] == [expected]


def test_micrograd_neuron():
    """The micrograd lecture's neuron: every step's numbers, plugged in, give what the engine sent."""
    x1, x2, w1, w2 = _scalar(2.0), _scalar(0.0), _scalar(-3.0), _scalar(1.0)
    b = _scalar(6.8813735870195432)
    x1w1, x2w2 = x1 * w1, x2 * w2
    n = x1w1 + x2w2 + b
    o = n.tanh()
    rows = _record(o, x1=x1, x2=x2, w1=w1, w2=w2, b=b, x1w1=x1w1, x2w2=x2w2, n=n, o=o)
    _check_results(rows)
    assert _one(rows, "Tanh", 0) == "∂L/∂n += ∂L/∂o · (1 − o²) = 1 · (1 − 0.7071²) = 0.5"
    assert "∂L/∂w1 += ∂L/∂x1w1 · x1 = 0.5 · 2 = 1" in _texts(rows, "Mul")
    assert "∂L/∂x1 += ∂L/∂x1w1 · w1 = 0.5 · (−3) = −1.5" in _texts(rows, "Mul")
    assert "∂L/∂x2 += ∂L/∂x2w2 · w2 = 0.5 · 1 = 0.5" in _texts(rows, "Mul")
    assert "∂L/∂b += ∂L/∂n · 1 = 0.5" in _texts(rows, "Add")


# ---- helpers -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("x,expected", [
    (0.76159, "0.7616"), (-4.5, "−4.5"), (1.2e-05, "1.2e-05"), (9.0, "9"), (3, "3"), (-0.0, "0"), (True, "1"),
    (np.float32(0.5), "0.5"), (np.array([[2.0]]), "2"), (123456.0, "1.235e+05"), (float("nan"), "nan"),
    (float("inf"), "∞"), (-float("inf"), "−∞"),
])
def test_format_number(x, expected):
    assert format_number(x) == expected


def test_summarize():
    assert summarize(np.array(-3.0)) == "−3"
    assert summarize(2.5) == "2.5"
    assert summarize(np.array([[1.0]])) == "1"
    assert summarize(np.array([[3.0, -4.0], [0.0, 0.0]])) == "(2, 2) ‖·‖=5 [−4, 3]"
    assert summarize(Tensor(np.array([1.0, 2.0, 2.0]))) == "(3,) ‖·‖=3 [1, 2]"
    assert summarize(np.zeros((0, 3))) == "(0, 3) empty"
    assert summarize(None) == "None"
