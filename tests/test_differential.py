"""Randomized differential test against PyTorch.

For each seed a random *recipe* is drawn: a DAG of ops over a handful of leaves with broadcasting
shapes, where later ops reuse earlier results (shared subexpressions), depth about 6. The recipe is
then built twice, once in tracegrad and once in torch, and the value and the gradient of every leaf
are compared in float64.
"""
from __future__ import annotations

import random

import numpy as np
import pytest

import autograd
from autograd import Tensor

SEEDS = range(50)
DEPTH = 6
LEAF_SHAPES = [(3, 4), (4,), (3, 1), (), (1, 4)]  # all broadcast to (3, 4)


class Ours:
    tensor = staticmethod(lambda a: Tensor(a, requires_grad=True))
    maximum, minimum, where = autograd.maximum, autograd.minimum, autograd.where
    softmax, log_softmax, logsumexp, exp = autograd.softmax, autograd.log_softmax, autograd.logsumexp, autograd.exp
    amax = staticmethod(lambda x, d: x.amax(axis=d, keepdims=True))
    grad = staticmethod(lambda t: None if t.grad is None else t.grad.data)
    value = staticmethod(lambda t: t.data)


def torch_side(torch):
    """The torch counterpart of ``Ours``, built from the ``torch`` fixture."""

    class Torch:
        tensor = staticmethod(lambda a: torch.tensor(a, requires_grad=True))
        maximum, minimum, where = torch.maximum, torch.minimum, torch.where
        softmax, log_softmax, logsumexp, exp = torch.softmax, torch.log_softmax, torch.logsumexp, torch.exp
        amax = staticmethod(lambda x, d: torch.amax(x, d, keepdim=True))
        grad = staticmethod(lambda t: None if t.grad is None else t.grad.numpy())
        value = staticmethod(lambda t: t.detach().numpy())

    return Torch


def _has_axis(x) -> bool:
    return x.ndim > 0


UNARY = {  # name -> (fn(L, x), applicable(x)); domains kept safe so both sides stay finite
    "tanh": (lambda L, x: x.tanh(), None),
    "sin": (lambda L, x: x.sin(), None),
    "cos": (lambda L, x: x.cos(), None),
    "sigmoid": (lambda L, x: x.sigmoid(), None),
    "exp_tanh": (lambda L, x: L.exp(x.tanh()), None),
    "log_safe": (lambda L, x: (x * x + 1.0).log(), None),
    "sqrt_safe": (lambda L, x: (x * x + 0.5).sqrt(), None),
    "neg": (lambda L, x: -x, None),
    "square": (lambda L, x: x * x, None),
    "relu": (lambda L, x: x.relu(), None),
    "abs": (lambda L, x: x.abs(), None),
    "clamp": (lambda L, x: x.clamp(-1.0, 1.0), None),
    "scale": (lambda L, x: 0.5 * x - 0.25, None),
    "softmax": (lambda L, x: L.softmax(x, -1), _has_axis),
    "log_softmax": (lambda L, x: L.log_softmax(x, -1), _has_axis),
    "lse": (lambda L, x: L.logsumexp(x, -1, keepdim=True), _has_axis),
    "sum_keep": (lambda L, x: x.sum(-1, keepdim=True), _has_axis),
    "mean0": (lambda L, x: x.mean(0, keepdim=True), _has_axis),
    "amax": (lambda L, x: L.amax(x, -1), _has_axis),
    "var_keep": (lambda L, x: x.var(dim=-1, keepdim=True) if x.shape[-1] > 1 else x * 2, _has_axis),
    "matmul_w": (None, lambda x: x.ndim > 0 and x.shape[-1] == 4),  # x @ W with the shared (4, 4) leaf W
}
BINARY = {
    "add": lambda L, a, b: a + b,
    "sub": lambda L, a, b: a - b,
    "mul": lambda L, a, b: a * b,
    "div_safe": lambda L, a, b: a / (1.0 + b * b),
    "maximum": lambda L, a, b: L.maximum(a, b),
    "minimum": lambda L, a, b: L.minimum(a, b),
    "where": lambda L, a, b: L.where(a > b, a * b, b - 1.0),
    "pow_safe": lambda L, a, b: (a * a + 1.0) ** b.tanh(),
}


def make_recipe(seed: int):
    """Leaves (arrays) and steps (op, argument ids); ids index leaves first, then earlier steps.

    Odd seeds put the leaves on a grid of 0.5, so kinks and ties are hit exactly: both libraries must
    then agree on the subgradient conventions (relu'(0) = abs'(0) = 0, ties split evenly, clamp passes
    at its bounds).
    """
    rng = random.Random(seed)
    nrng = np.random.default_rng(seed)
    leaves = [nrng.uniform(-2, 2, size=rng.choice(LEAF_SHAPES)) for _ in range(rng.randint(3, 5))]
    leaves.append(nrng.uniform(-0.6, 0.6, size=(4, 4)))  # W, used by matmul_w
    if seed % 2:  # on a grid of 0.5: kinks (relu/abs at 0, clamp at ±1) and ties (max, min, where) hit exactly
        leaves = [np.round(a * 2) / 2 for a in leaves]
    w_id = len(leaves) - 1
    shapes = [a.shape for a in leaves]
    steps: list[tuple] = []

    def pick_existing():
        ids = [i for i in range(len(shapes)) if i != w_id]
        # prefer recent results: that is what makes the graph share subexpressions
        return rng.choice(ids[-6:]) if rng.random() < 0.5 else rng.choice(ids)

    def build(depth: int) -> int:
        if depth == 0 or (depth < DEPTH - 2 and rng.random() < 0.1):
            return pick_existing()
        if rng.random() < 0.4:
            name = rng.choice(list(UNARY))
            x = build(depth - 1)
            applicable = UNARY[name][1]
            if applicable is not None and not applicable(np.empty(shapes[x])):
                name = "tanh"
            args = (x, w_id) if name == "matmul_w" else (x,)
        else:
            name = rng.choice(list(BINARY))
            a = build(depth - 1)
            b = build(depth - 1) if rng.random() < 0.85 else pick_existing()
            args = (a, b)
        steps.append((name, args))
        shapes.append(_shape_of(name, [shapes[i] for i in args]))
        return len(shapes) - 1

    root = build(DEPTH)
    extra = pick_existing()  # the output also reads one more earlier result directly
    steps.append(("add", (root, extra)))
    shapes.append(np.broadcast_shapes(shapes[root], shapes[extra]))
    return leaves, steps


def _shape_of(name, arg_shapes):
    if name in BINARY:
        return np.broadcast_shapes(*arg_shapes)
    s = arg_shapes[0]
    if name in ("lse", "sum_keep", "amax", "var_keep"):
        return s[:-1] + (1,)
    if name == "mean0":
        return (1,) + s[1:]
    return s


def run(L, leaves, steps):
    ts = [L.tensor(a) for a in leaves]
    vals = list(ts)
    for name, args in steps:
        xs = [vals[i] for i in args]
        if name == "matmul_w":
            vals.append(xs[0] @ xs[1])
        elif name in UNARY:
            vals.append(UNARY[name][0](L, xs[0]))
        else:
            vals.append(BINARY[name](L, *xs))
    out = vals[-1]
    cot = np.random.default_rng(1).standard_normal(tuple(out.shape))
    loss = (out * L.tensor(cot).detach()).sum()
    loss.backward()
    return L.value(out), [L.grad(t) for t in ts]


@pytest.mark.parametrize("seed", SEEDS)
def test_random_expression_dag_matches_torch(seed, torch):
    leaves, steps = make_recipe(seed)
    assert len(steps) >= 3
    out, grads = run(Ours, leaves, steps)
    tout, tgrads = run(torch_side(torch), leaves, steps)
    assert out.dtype == np.float64 and out.shape == tout.shape
    scale = max(1.0, float(np.abs(tout).max()))
    np.testing.assert_allclose(out, tout, rtol=1e-6, atol=1e-9 * scale, err_msg=f"value; recipe {steps}")
    for i, (g, tg) in enumerate(zip(grads, tgrads)):
        if tg is None:
            assert g is None, f"leaf {i}: torch gives no gradient, tracegrad does"
            continue
        assert g is not None, f"leaf {i}: no gradient; recipe {steps}"
        assert g.shape == leaves[i].shape and g.dtype == np.float64
        gscale = max(1.0, float(np.abs(tg).max()))
        np.testing.assert_allclose(g, tg, rtol=1e-6, atol=1e-9 * gscale, err_msg=f"grad of leaf {i}; recipe {steps}")


def test_recipes_share_subexpressions_and_cover_the_op_table():
    """The generator really makes DAGs (some result is read twice) and, over all seeds, uses every op."""
    used, shared_seeds = set(), 0
    for seed in SEEDS:
        leaves, steps = make_recipe(seed)
        reads: dict[int, int] = {}
        for name, args in steps:
            used.add(name)
            for i in args:
                reads[i] = reads.get(i, 0) + 1
        n = len(leaves)
        if any(c > 1 for i, c in reads.items() if i >= n):
            shared_seeds += 1
    assert shared_seeds >= len(SEEDS) // 2
    assert used >= set(BINARY) | (set(UNARY) - {"matmul_w"}), sorted(set(UNARY) | set(BINARY) - used)
