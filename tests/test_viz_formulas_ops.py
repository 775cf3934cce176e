"""viz.formulas on every primitive: each registered op's result is what the engine sent, the tensor texts (shapes
and norms), and robustness (custom and unknown ops, missing values). Helpers from test_viz_formulas.py."""
from __future__ import annotations

import math

import numpy as np
import pytest

import autograd
import nn.functional as F
from autograd import REGISTRY, Tensor
from test_primitives import SPECS
from test_viz_formulas import (
    _check_results, _close, _evaluate, _one, _raw, _record, _result, _scalar, _Steps, _texts,
)
from viz.formulas import DEDICATED, local_derivative


# ---- every registered primitive: the result is what the engine sent -------------------------------------------
def _spec_rows(name: str, k: int, rng) -> list:
    case = SPECS[name][k]
    inputs = []
    for shape in case.shapes:
        x = rng.uniform(case.low, case.high, size=shape)
        if case.away_from is not None:
            x = np.where(np.abs(x - case.away_from) < 0.05, x + 0.1 * np.sign(x - case.away_from + 1e-12), x)
        inputs.append(Tensor(np.asarray(x, dtype=np.float64), requires_grad=True))
    out = case.fn(*inputs)
    u = Tensor(rng.standard_normal(out.shape))
    return _record((out * u).sum(), **{f"x{j}": t for j, t in enumerate(inputs)})


_CASES = [(n, k) for n, cases in SPECS.items() for k in range(len(cases))]


@pytest.mark.parametrize("name,k", _CASES)
def test_every_result_matches_the_engine(name, k, rng):
    rows = _spec_rows(name, k, rng)
    _check_results(rows)
    assert _texts(rows, name), f"{name} sent no gradient in its spec"


@pytest.mark.parametrize("name,k", _CASES)
def test_scalar_numbers_plugged_in_give_the_result(name, k, rng):
    """Where a formula shows its numbers, working them out gives (to their rounding) what the engine sent."""
    for op, i, text, gi in _spec_rows(name, k, rng):
        parts = text.split(" = ")
        if gi is None or gi.size != 1 or len(parts) != 3 or "‖" in text:
            continue
        shown = _evaluate(parts[1])
        assert math.isclose(shown, float(gi.reshape(-1)[0]), rel_tol=1e-2, abs_tol=1e-3), text


def test_the_specs_exercise_the_whole_registry_with_dedicated_formulas(rng):
    seen = {op for name, k in _CASES for op, _, _, gi in _spec_rows(name, k, rng) if gi is not None}
    assert set(REGISTRY) <= seen
    assert set(REGISTRY) <= DEDICATED, sorted(set(REGISTRY) - DEDICATED)


# ---- tensors -----------------------------------------------------------------------------------------------
def test_mlp_linear_relu_log_softmax_mean(rng):
    x = Tensor(rng.standard_normal((8, 5)))
    w = Tensor(rng.standard_normal((4, 5)), requires_grad=True)
    b = Tensor(rng.standard_normal(4), requires_grad=True)
    h = autograd.linear(x, w, b)
    r = h.relu()
    y = r.log_softmax(axis=1)
    loss = y.mean()
    rows = _record(loss, x=x, w=w, b=b, h=h, r=r, y=y, loss=loss)
    _check_results(rows)
    assert _one(rows, "Linear", 1).startswith("∂L/∂w += ∂L/∂hᵀ @ x  [(4, 8) @ (8, 5)] → ‖·‖ = ")
    assert _one(rows, "Linear", 2).startswith("∂L/∂b += Σ ∂L/∂h over the batch  [(8, 4) → (4,)] → ‖·‖ = ")
    assert not [t for o, i, t, gi in rows if o == "Linear" and i == 0 and gi is not None]  # x is data
    assert _one(rows, "Relu", 0).startswith("∂L/∂h += ∂L/∂r ⊙ [h > 0]  [(8, 4)] → ‖·‖ = ")
    assert _one(rows, "LogSoftmax", 0).startswith(
        "∂L/∂r += ∂L/∂y − softmax(r) ⊙ Σ ∂L/∂y  [(8, 4), Σ along axis 1] → ‖·‖ = ")
    assert _one(rows, "Sum", 0).startswith("∂L/∂y += broadcast(∂L/∂#")


def test_linear_input_gradient(rng):
    x = Tensor(rng.standard_normal((3, 5)), requires_grad=True)
    w = Tensor(rng.standard_normal((2, 5)), requires_grad=True)
    y = autograd.linear(x, w)
    rows = _record((y * y).sum(), x=x, w=w, y=y)
    _check_results(rows)
    assert _one(rows, "Linear", 0).startswith("∂L/∂x += ∂L/∂y @ w  [(3, 2) @ (2, 5)] → ‖·‖ = ")


def test_matmul_operands_in_their_places(rng):
    a = Tensor(rng.standard_normal((6, 5)), requires_grad=True)
    b = Tensor(rng.standard_normal((5, 3)), requires_grad=True)
    c = a @ b
    rows = _record((c * c).sum(), A=a, B=b, C=c)
    _check_results(rows)
    assert _one(rows, "Matmul", 0).startswith("∂L/∂A += ∂L/∂C @ Bᵀ  [(6, 3) @ (3, 5)] → ‖·‖ = ")
    assert _one(rows, "Matmul", 1).startswith("∂L/∂B += Aᵀ @ ∂L/∂C  [(5, 6) @ (6, 3)] → ‖·‖ = ")
    assert np.isclose(_result(_one(rows, "Matmul", 0)), np.linalg.norm(a.grad.numpy()), rtol=6e-4)


def test_conv2d_with_bias(rng):
    x = Tensor(rng.standard_normal((2, 3, 6, 6)), requires_grad=True)
    w = Tensor(rng.standard_normal((4, 3, 3, 3)), requires_grad=True)
    b = Tensor(rng.standard_normal(4), requires_grad=True)
    y = F.conv2d(x, w, b, padding=1)
    rows = _record((y * y).sum(), x=x, W=w, bias=b, y=y)
    _check_results(rows)
    gx, gw = _one(rows, "Conv2d", 0), _one(rows, "Conv2d", 1)
    assert gx.startswith("∂L/∂x += conv_transpose(∂L/∂#")
    assert ", W)  [(2, 4, 6, 6) ⋆ᵀ (4, 3, 3, 3), stride 1, padding 1] → ‖·‖ = " in gx
    assert gw.startswith("∂L/∂W += corr(x, ∂L/∂#") and "[(2, 3, 6, 6) ⋆ (2, 4, 6, 6), stride 1, padding 1]" in gw
    assert np.isclose(_result(gw), np.linalg.norm(w.grad.numpy()), rtol=6e-4)
    assert any(t.startswith("∂L/∂bias += reshape ") for t in _texts(rows, "Reshape"))


def test_sum_over_an_axis_and_getitem(rng):
    x = Tensor(rng.standard_normal((4, 3)), requires_grad=True)
    y = x.sum(axis=1)
    z = y[1:3]
    rows = _record((z * z).sum(), x=x, y=y, z=z)
    _check_results(rows)
    sums = [t for o, i, t, gi in rows if o == "Sum" and t.startswith("∂L/∂x")]
    assert sums == [sums[0]] and sums[0].startswith(
        "∂L/∂x += broadcast(∂L/∂y) to (4, 3)  [(4,) → (4, 3), the sum was over axis 1] → ‖·‖ = ")
    assert _one(rows, "GetItem", 0).startswith("∂L/∂y += scatter ∂L/∂z into zeros (4,) at [1:3]  [(2,) → (4,)]")


def test_softmax_and_batch_norm(rng):
    x = Tensor(rng.standard_normal((5, 3)), requires_grad=True)
    gamma = Tensor(rng.uniform(0.5, 1.5, 3), requires_grad=True)
    beta = Tensor(rng.standard_normal(3), requires_grad=True)
    h = F.batch_norm(x, None, None, gamma, beta, training=True)
    p = h.softmax(axis=1)
    rows = _record((p * Tensor(rng.standard_normal((5, 3)))).sum(), x=x, gamma=gamma, beta=beta, h=h, p=p)
    _check_results(rows)
    assert _one(rows, "Softmax", 0).startswith("∂L/∂h += p ⊙ (∂L/∂p − Σ ∂L/∂p ⊙ p)  [(5, 3), Σ along axis 1]")
    assert _one(rows, "BatchNorm", 0).startswith("∂L/∂x += gamma/σ ⊙ (∂L/∂h − mean(∂L/∂h) − x̂ ⊙ mean(")
    assert _one(rows, "BatchNorm", 1).startswith("∂L/∂gamma += Σ ∂L/∂h ⊙ x̂ over batch  [(5, 3) → (3,)]")
    assert _one(rows, "BatchNorm", 2).startswith("∂L/∂beta += Σ ∂L/∂h over batch  [(5, 3) → (3,)]")


def test_broadcast_mul_names_the_scale_and_sums_back(rng):
    x = Tensor(rng.standard_normal((4, 3)), requires_grad=True)
    s = Tensor(2.5, requires_grad=True)
    y = x * s
    rows = _record((y * y).sum(), x=x, s=s, y=y)
    _check_results(rows)
    assert _one(rows, "Mul", 0, "x").startswith("∂L/∂x += ∂L/∂y · s  [(4, 3), s = 2.5] → ‖·‖ = ")
    text = _one(rows, "Mul", 1, "s")
    assert text.startswith("∂L/∂s += ∂L/∂y ⊙ x  [(4, 3), summed to ()] = ")
    assert _close(_result(text), float(s.grad.numpy()))


def test_a_recorded_backward_hands_out_tensors(rng):
    """Under create_graph the engine hands Tensors to the tracer: the formulas read their data."""
    x = Tensor(rng.standard_normal(4), requires_grad=True)
    tracer = _Steps()
    with autograd.tracing(tracer):
        (g,) = autograd.grad((x.tanh() * x).sum(), [x], create_graph=True)
    assert g.requires_grad and tracer.steps
    for node, grad, out, inputs, grads_in in tracer.steps:
        for i, gi in enumerate(grads_in):
            if gi is None:
                continue
            text = local_derivative(node.op, i, names=["a", "b"], out_name="y", grad=grad, out=out, inputs=inputs,
                                    grad_in=gi, node=node)
            assert _close(_result(text), float(np.linalg.norm(_raw(gi))))


# ---- unknown ops, missing values ---------------------------------------------------------------------------
def test_a_custom_function_gets_the_generic_text_with_the_result():
    class Cube(autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return 3 * x ** 2 * grad

    x = _scalar(2.0)
    y = Cube.apply(x)
    rows = _record(y * 1.5, x=x, y=y)
    assert _one(rows, "Cube", 0) == "∂L/∂x += ∂L/∂y · ∂y/∂x (by Cube.backward) = 18"


def test_an_unknown_op_gets_the_generic_text_with_the_result():
    text = local_derivative("Mystery", 1, names=["p", "q"], out_name="r", grad=np.float64(2.0), out=None,
                            inputs=None, grad_in=np.array(-0.25))
    assert text == "∂L/∂q += ∂L/∂r · ∂r/∂q (by Mystery.backward) = −0.25"
    text = local_derivative("Mystery", 0, names=["p"], out_name="r", grad=np.ones((3, 4)), out=None, inputs=(),
                            grad_in=np.full((3, 4), 0.5))
    assert text.endswith("→ ‖·‖ = 1.732") and "∂r/∂p" in text


@pytest.mark.parametrize("op", sorted(REGISTRY))
def test_never_raises_whatever_is_missing(op):
    bare = object.__new__(REGISTRY[op])  # a node whose forward never ran: no attributes at all
    for node in (None, bare):
        for grad, gi in ((np.array(1.5), np.array(-3.0)), (np.ones((2, 3)), np.full((2, 3), 2.0)),
                         (np.ones((2, 3)), np.float64(4.0)), (np.ones(5), np.zeros(0))):
            for i in range(4):
                for names in (["a", "b", "c", "d"], [], ["a"]):
                    text = local_derivative(op, i, names=names, out_name="y", grad=grad, out=None, inputs=None,
                                            grad_in=gi, node=node)
                    assert isinstance(text, str) and "\n" not in text
                    if gi.size:
                        assert _close(_result(text), float(np.linalg.norm(gi)) if gi.size > 1 else float(gi)), text
        assert "nothing" in local_derivative(op, 0, names=["a"], out_name="y", grad=np.ones(3), out=None,
                                             inputs=None, grad_in=None, node=node)


def test_symbolic_only_when_values_are_unknown():
    text = local_derivative("Mul", 0, names=["a", "b"], out_name="c", grad=np.array(1.5), out=None, inputs=None,
                            grad_in=np.array(-4.5))
    assert text == "∂L/∂a += ∂L/∂c · b = −4.5"
    text = local_derivative("Tanh", 0, names=["x"], out_name="y", grad=np.array(0.5), out=None, inputs=None,
                            grad_in=np.array(0.21))
    assert text == "∂L/∂x += ∂L/∂y · (1 − y²) = 0.21"
