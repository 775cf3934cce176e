"""Every registered primitive, gradchecked in float64 on shapes including () and broadcasting pairs.

A primitive added to the registry without an entry in SPECS fails ``test_every_primitive_has_a_spec``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pytest

import autograd
from autograd import Tensor, REGISTRY
from autograd.ops import conv as _C, movement as _M, norm as _N


@dataclass
class Case:
    fn: Callable                     # takes Tensors, returns a Tensor
    shapes: list                     # one shape per input
    low: float = -2.0                # inputs are drawn uniformly from [low, high]
    high: float = 2.0
    away_from: float | None = None   # keep inputs at least 0.05 from this value (kinks)
    extra: dict = field(default_factory=dict)


def _elementwise(fn, low=-2.0, high=2.0, away=None):
    return [Case(fn, [()], low, high, away), Case(fn, [(3, 4)], low, high, away)]


def _binary(fn, low=-2.0, high=2.0, away=None):
    return [Case(fn, [(), ()], low, high, away), Case(fn, [(3, 4), (4,)], low, high, away),
            Case(fn, [(2, 1, 3), (4, 1)], low, high, away), Case(fn, [(), (2, 3)], low, high, away)]


SPECS: dict[str, list[Case]] = {
    "Add": _binary(lambda a, b: a + b),
    "Sub": _binary(lambda a, b: a - b),
    "Mul": _binary(lambda a, b: a * b),
    "Div": _binary(lambda a, b: a / b, 0.5, 2.0),
    "Neg": _elementwise(lambda x: -x),
    "Pow": _binary(lambda a, b: a ** b, 0.5, 2.0) + _elementwise(lambda x: x ** 3) + [
        Case(lambda x: 2.0 ** x, [(3,)])],
    "Exp": _elementwise(lambda x: x.exp()),
    "Log": _elementwise(lambda x: x.log(), 0.2, 3.0),
    "Sqrt": _elementwise(lambda x: x.sqrt(), 0.2, 3.0),
    "Abs": _elementwise(lambda x: x.abs(), away=0.0),
    "Sin": _elementwise(lambda x: x.sin()),
    "Cos": _elementwise(lambda x: x.cos()),
    "Tanh": _elementwise(lambda x: x.tanh()),
    "Sigmoid": _elementwise(lambda x: x.sigmoid(), -6, 6),
    "Relu": _elementwise(lambda x: x.relu(), away=0.0),
    "Maximum": _binary(autograd.maximum),
    "Minimum": _binary(autograd.minimum),
    "Where": [Case(lambda a, b: autograd.where(np.array([True, False, True]), a, b), [(3,), ()]),
              Case(lambda a, b: autograd.where(np.eye(3, dtype=bool), a, b), [(3, 3), (3, 1)])],
    "Clip": [Case(lambda x: x.clip(-1.0, 0.5), [(4, 3)], away_from=-1.0),
             Case(lambda x: x.clip(min=0.1), [()], away_from=0.1)],
    "Cast": [Case(lambda x: x.astype(np.float32).astype(np.float64) * 1.0, [(3,)], extra={"eps": 1e-2, "atol": 1e-3})],
    "Sum": [Case(lambda x: x.sum(), [()]), Case(lambda x: x.sum(axis=1), [(3, 4)]),
            Case(lambda x: x.sum(axis=(0, 2), keepdims=True), [(2, 3, 4)])],
    "Max": [Case(lambda x: x.max(), [(3, 4)]), Case(lambda x: x.amax(axis=0), [(3, 4)]),
            Case(lambda x: x.max(), [()])],
    "Min": [Case(lambda x: x.amin(dim=-1, keepdim=True), [(3, 4)]), Case(lambda x: x.min(), [()])],
    "Norm": [Case(lambda x: x.norm(), [(3, 4)]), Case(lambda x: x.norm(1, dim=1), [(3, 4)], away_from=0.0),
             Case(lambda x: x.norm(float("inf"), dim=0, keepdim=True), [(3, 4)]),
             Case(lambda x: x.norm(3, dim=(0, 1)), [(2, 3)], away_from=0.0),
             Case(lambda x: x.norm(), [()], away_from=0.0)],
    "Reshape": [Case(lambda x: x.reshape(6, 2), [(3, 4)]), Case(lambda x: x.reshape(1, 1), [()])],
    "Transpose": [Case(lambda x: x.T, [(3, 4)]), Case(lambda x: x.transpose((2, 0, 1)), [(2, 3, 4)])],
    "BroadcastTo": [Case(lambda x: autograd.broadcast_to(x, (2, 3, 4)), [(3, 1)]),
                    Case(lambda x: autograd.broadcast_to(x, (3,)), [()])],
    "GetItem": [Case(lambda x: x[1:, ::2], [(4, 5)]), Case(lambda x: x[np.array([0, 2, 0])], [(3, 2)]),
                Case(lambda x: x[x.data > 0], [(4, 3)]), Case(lambda x: x[..., None, 1], [(2, 3)])],
    "ScatterAdd": [Case(lambda g: autograd.functional.M.ScatterAdd.apply(g, index=np.array([0, 2, 0]), shape=(4, 2)),
                        [(3, 2)])],
    "IndexPut": [Case(lambda x, v: _M.IndexPut.apply(x, v, index=(slice(1, 3),)), [(4, 3), (3,)]),
                 Case(lambda x, v: _M.IndexPut.apply(x, v, index=(np.array([0, 2]),)), [(3, 2), (2, 2)]),
                 Case(lambda x, v: _M.IndexPut.apply(x, v, index=(1, 0)), [(2, 3), ()]),
                 Case(lambda x, v: _M.IndexPut.apply(x, v, index=(0,)), [(2, 3), (1, 3)])],
    "Clone": _elementwise(lambda x: x.clone()),
    "Det": [Case(lambda a: autograd.det(a + 3 * autograd.eye(3, dtype=autograd.float64)), [(3, 3)]),
            Case(lambda a: autograd.det(a + 3 * autograd.eye(2, dtype=autograd.float64)), [(4, 2, 2)])],
    "Inv": [Case(lambda a: autograd.inv(a + 3 * autograd.eye(3, dtype=autograd.float64)), [(3, 3)]),
            Case(lambda a: autograd.inv(a + 3 * autograd.eye(2, dtype=autograd.float64)), [(2, 2, 2)])],
    "Prod": [Case(lambda x: x.prod(), [(3, 4)]), Case(lambda x: x.prod(dim=1), [(3, 4)]),
             Case(lambda x: x.prod(0, keepdim=True), [(2, 3)]), Case(lambda x: x.prod(), [()]),
             Case(lambda x: (x * autograd.tensor([1.0, 0.0, 2.0], dtype=autograd.float64)).prod(), [(3,)])],
    "Log1p": _elementwise(lambda x: x.log1p(), -0.5, 2.0), "Expm1": _elementwise(lambda x: x.expm1()),
    "Asin": _elementwise(lambda x: x.asin(), -0.9, 0.9), "Acos": _elementwise(lambda x: x.acos(), -0.9, 0.9),
    "Atan": _elementwise(lambda x: x.atan()), "Tan": _elementwise(lambda x: x.tan(), -1.2, 1.2),
    "Sinh": _elementwise(lambda x: x.sinh()), "Cosh": _elementwise(lambda x: x.cosh()),
    "Log2": _elementwise(lambda x: x.log2(), 0.2, 3.0), "Log10": _elementwise(lambda x: x.log10(), 0.2, 3.0),
    "Reciprocal": _elementwise(lambda x: x.reciprocal(), 0.3, 2.0),
    "Rsqrt": _elementwise(lambda x: x.rsqrt(), 0.3, 2.0),
    "Sign": _elementwise(lambda x: x.sign() * x, away=0.0),
    "Round": [Case(lambda x: autograd.floor(x) * x, [(3, 4)]), Case(lambda x: autograd.round(x) + x, [()]),
              Case(lambda x: x.ceil() * x.trunc(), [(2, 3)])],
    "Pad": [Case(lambda x: x.pad(((1, 0), (2, 1))), [(2, 3)]), Case(lambda x: x.pad(1, value=3.0), [(2,)])],
    "Concatenate": [Case(lambda a, b: autograd.concatenate([a, b, a], axis=1), [(2, 3), (2, 1)]),
                    Case(lambda a, b: autograd.stack([a, b]), [(3,), (3,)])],
    "Matmul": [Case(lambda a, b: a @ b, [(3, 4), (4, 2)]), Case(lambda a, b: a @ b, [(4,), (4,)]),
               Case(lambda a, b: a @ b, [(4,), (4, 2)]), Case(lambda a, b: a @ b, [(3, 4), (4,)]),
               Case(lambda a, b: a @ b, [(2, 1, 3, 4), (5, 4, 2)])],
    "Linear": [Case(lambda x, w, b: autograd.linear(x, w, b), [(3, 4), (2, 4), (2,)]),
               Case(lambda x, w: autograd.linear(x, w), [(2, 3, 4), (5, 4)]),
               Case(lambda x, w, b: autograd.linear(x, w, b), [(4,), (2, 4), (2,)])],
    "Softmax": [Case(lambda x: x.softmax(axis=-1), [(3, 4)]), Case(lambda x: x.softmax(axis=0), [(3,)])],
    "LogSoftmax": [Case(lambda x: x.log_softmax(axis=1), [(3, 4)])],
    "LogSumExp": [Case(lambda x: x.logsumexp(), [(3, 4)]), Case(lambda x: x.logsumexp(axis=1, keepdims=True), [(3, 4)]),
                  Case(lambda x: x.logsumexp(axis=0), [(3,)])],
    # ---- convolution and normalisation (autograd/ops/conv.py, norm.py) ---------------------------
    "Unfold": [Case(lambda x: _C.Unfold.apply(x, kernel_size=2), [(1, 2, 3, 3)]),
               Case(lambda x: _C.Unfold.apply(x, kernel_size=(3, 2), stride=2, padding=1, dilation=(1, 2)),
                    [(2, 1, 5, 4)]),
               Case(lambda x: _C.Unfold.apply(x, kernel_size=2, stride=2, padding=1, value=-5.0), [(1, 1, 3, 3)])],
    "Fold": [Case(lambda c: _C.Fold.apply(c, output_size=(3, 3), kernel_size=2), [(1, 8, 4)]),
             Case(lambda c: _C.Fold.apply(c, output_size=(5, 4), kernel_size=(3, 2), stride=2, padding=1,
                                          dilation=(1, 2)), [(2, 6, 6)])],
    "Conv2d": [Case(lambda x, w: _C.Conv2d.apply(x, w, padding=1), [(2, 2, 4, 3), (3, 2, 3, 3)]),   # transposed
               Case(lambda x, w: _C.Conv2d.apply(x, w, stride=2, padding=(1, 0), dilation=(1, 2)),  # col2im
                    [(1, 2, 5, 6), (2, 2, 2, 2)]),
               Case(lambda x, w: _C.Conv2d.apply(x, w, padding=(0, 1), dilation=2, groups=2),
                    [(2, 4, 5, 5), (2, 2, 2, 2)]),
               Case(lambda x, w: _C.Conv2d.apply(x, w, padding=1), [(1, 2, 3, 3), (2, 2, 1, 1)])],  # pad > reach
    "BatchNorm": [Case(lambda x, w, b: _N.BatchNorm.apply(x, w, b), [(4, 3), (3,), (3,)]),
                  Case(lambda x, w, b: _N.BatchNorm.apply(x, w, b, eps=1e-3), [(2, 3, 2, 2), (3,), (3,)]),
                  Case(lambda x: _N.BatchNorm.apply(x, None, None), [(3, 2, 2)])],
}


def test_every_primitive_has_a_spec():
    missing = sorted(set(REGISTRY) - set(SPECS))
    assert not missing, f"primitives without a gradcheck spec in tests/test_primitives.py: {missing}"
    unknown = sorted(set(SPECS) - set(REGISTRY))
    assert not unknown, f"specs for primitives that are not registered: {unknown}"


def _inputs(case: Case, rng) -> list[Tensor]:
    out = []
    for shape in case.shapes:
        x = rng.uniform(case.low, case.high, size=shape)
        if case.away_from is not None:
            near = np.abs(x - case.away_from) < 0.05
            x = np.where(near, x + 0.1 * np.sign(x - case.away_from + 1e-12), x)
        out.append(Tensor(np.asarray(x, dtype=np.float64), requires_grad=True))
    return out


@pytest.mark.parametrize("name,i", [(n, i) for n, cases in SPECS.items() for i in range(len(cases))])
def test_gradcheck(name, i, rng):
    case = SPECS[name][i]
    inputs = _inputs(case, rng)
    assert autograd.gradcheck(case.fn, inputs, **case.extra)


@pytest.mark.parametrize("name,i", [(n, i) for n, cases in SPECS.items() for i in range(len(cases))])
def test_second_order(name, i, rng):
    """d/dx of <v, J^T u> checked numerically: every backward is itself differentiable."""
    case = SPECS[name][i]
    inputs = _inputs(case, rng)
    out = case.fn(*inputs)
    u = Tensor(rng.standard_normal(out.shape))
    used = [x for x in inputs]
    grads = autograd.grad((out * u).sum(), used, create_graph=True, allow_unused=True)

    def first_order(*xs):
        o = case.fn(*xs)
        gs = autograd.grad((o * u).sum(), list(xs), create_graph=True, allow_unused=True)
        return sum((g * g).sum() for g in gs if g is not None)

    if any(g is not None and g.requires_grad for g in grads):
        assert autograd.gradcheck(first_order, inputs, **{"atol": 1e-4, **case.extra})
        return
    # The recorded first derivative is a constant (a linear op, or a piecewise-linear one away from
    # its kinks): then the true second derivative is zero, so nudging the inputs must not move it.
    eps = 1e-4
    nudged = [Tensor(x.data + eps * rng.standard_normal(x.shape), requires_grad=True) for x in inputs]
    again = autograd.grad((case.fn(*nudged) * u).sum(), nudged, allow_unused=True)
    for g0, g1 in zip(grads, again):
        if g0 is not None:
            np.testing.assert_allclose(g1.data, g0.data, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("name,i", [(n, i) for n, cases in SPECS.items() for i in range(len(cases))])
def test_each_spec_records_its_op(name, i, rng):
    """A spec that never runs its primitive (say, a composed path took over) would check nothing."""
    case = SPECS[name][i]
    out = case.fn(*_inputs(case, rng))
    outs = [o for o in (out if isinstance(out, tuple) else (out,)) if isinstance(o, Tensor) and o.requires_grad]
    ops = {n.op for n in autograd.Graph.of(*outs)}
    assert name in ops, f"spec {name}[{i}] records {sorted(ops)}, not {name}"
