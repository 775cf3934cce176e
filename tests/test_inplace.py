"""In-place operations with PyTorch's semantics: the optimizer update, in-place methods and their values, the
leaf rule, and dtype and shape rules. PyTorch 2.13 is the spec (graph cases, views, ``x[idx] = v`` and the
saved-tensor check: test_inplace_graph.py)."""
import numpy as np
import pytest

import autograd

from _inplace_helpers import LEAF_MSG, _close


# ---- the optimizer update: w -= lr * w.grad ------------------------------------------------------------
def test_sgd_update_under_no_grad_is_in_place_and_seen_by_alias():
    w = autograd.tensor([1.0, -2.0, 3.0], requires_grad=True)
    alias = w
    arr = w.numpy()
    (w * w).sum().backward()
    with autograd.no_grad():
        w -= 0.1 * w.grad
    assert w is alias
    assert w.numpy() is arr  # the very same memory
    np.testing.assert_allclose(alias.numpy(), [0.8, -1.6, 2.4], rtol=1e-6)
    assert w.is_leaf and w.requires_grad and w.grad_fn is None
    # a second step builds a fresh graph on the updated values
    w.grad = None
    (w * w).sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), [1.6, -3.2, 4.8], rtol=1e-6)


def test_update_through_data_is_seen_by_holders_of_the_parameter():
    p = autograd.tensor([1.0, 2.0], requires_grad=True)
    holder = {"p": p}
    p.data.sub_(autograd.tensor([0.5, 0.5]))
    p.data -= 0.5
    p.data.add_(autograd.tensor([1.0, 1.0]), alpha=-0.25)
    np.testing.assert_allclose(holder["p"].numpy(), [-0.25, 0.75])
    assert p.requires_grad and p.is_leaf


@pytest.mark.parametrize("op", ["iadd", "isub", "imul", "itruediv"])
@pytest.mark.parametrize("other_kind", ["scalar", "tensor", "broadcast"])
def test_augmented_assignment_matches_torch(torch, op, other_kind):
    base = np.array([[1.0, -2.0, 3.0], [0.5, 4.0, -1.5]], dtype=np.float32)
    oth = {"scalar": 1.5, "tensor": np.array([[2.0, 0.5, -1.0], [1.0, 2.0, 4.0]], np.float32),
           "broadcast": np.array([2.0, -0.5, 4.0], np.float32)}[other_kind]
    results = []
    for lib in (autograd, torch):
        x = lib.tensor(base)
        keep = x
        o = oth if other_kind == "scalar" else lib.tensor(oth)
        x = getattr(x, f"__{op}__")(o)
        assert x is keep
        results.append(x)
    _close(*results)


_METHOD_CASES = {
    "add_": lambda L, x: x.add_(L.tensor([1.0, 2.0, 3.0])),
    "add_alpha": lambda L, x: x.add_(L.tensor([1.0, 2.0, 3.0]), alpha=2),
    "add_scalar_alpha": lambda L, x: x.add_(2.0, alpha=-0.5),
    "sub_alpha": lambda L, x: x.sub_(L.tensor([1.0, 1.0, 1.0]), alpha=0.5),
    "mul_": lambda L, x: x.mul_(L.tensor([2.0, -1.0, 0.5])),
    "mul_scalar": lambda L, x: x.mul_(3),
    "div_": lambda L, x: x.div_(L.tensor([2.0, -4.0, 0.5])),
    "div_scalar": lambda L, x: x.div_(2),
    "pow_": lambda L, x: x.pow_(2),
    "zero_": lambda L, x: x.zero_(),
    "fill_": lambda L, x: x.fill_(2.5),
    "fill_0d_tensor": lambda L, x: x.fill_(L.tensor(3.0)),
    "copy_": lambda L, x: x.copy_(L.tensor([7.0, 8.0, 9.0])),
    "copy_int_src": lambda L, x: x.copy_(L.tensor([1, 2, 3])),
    "copy_broadcast": lambda L, x: x.copy_(L.tensor(5.0)),
    "clamp_": lambda L, x: x.clamp_(-1, 1),
    "clamp_min": lambda L, x: x.clamp_(min=0),
    "clamp_max": lambda L, x: x.clamp_(max=0),
    "masked_fill_": lambda L, x: x.masked_fill_(L.tensor([True, False, True]), 0.5),
    "masked_fill_tensor": lambda L, x: x.masked_fill_(L.tensor([True, False, True]), L.tensor(7.0)),
    "addcmul_": lambda L, x: x.addcmul_(L.tensor([1.0, 2.0, 3.0]), L.tensor([2.0, 2.0, 2.0]), value=0.5),
    "addcdiv_": lambda L, x: x.addcdiv_(L.tensor([1.0, 2.0, 3.0]), L.tensor([2.0, 4.0, 2.0]), value=-2),
    "lerp_": lambda L, x: x.lerp_(L.tensor([0.0, 0.0, 0.0]), 0.25),
    "lerp_tensor_weight": lambda L, x: x.lerp_(L.tensor([1.0, 1.0, 1.0]), L.tensor([0.0, 0.5, 1.0])),
    "neg_": lambda L, x: x.neg_(),
    "abs_": lambda L, x: x.abs_(),
    "exp_": lambda L, x: x.exp_(),
    "relu_": lambda L, x: x.relu_(),
    "sigmoid_": lambda L, x: x.sigmoid_(),
    "tanh_": lambda L, x: x.tanh_(),
}


@pytest.mark.parametrize("name", list(_METHOD_CASES))
def test_inplace_method_values_match_torch(torch, name):
    results = []
    for lib in (autograd, torch):
        x = lib.tensor([1.0, -2.0, 3.0])
        arr_before = x.numpy()
        out = _METHOD_CASES[name](lib, x)
        assert out is x  # in-place methods return self
        assert x.numpy() is arr_before or lib is torch
        results.append(x)
    _close(*results)


def test_inplace_ops_on_2d_broadcast_operands_match_torch(torch):
    a = np.arange(6, dtype=np.float32).reshape(2, 3) - 2
    row = np.array([1.0, -1.0, 2.0], np.float32)
    outs = []
    for lib in (autograd, torch):
        x = lib.tensor(a)
        x.mul_(lib.tensor(row)).add_(lib.tensor([[1.0], [2.0]]), alpha=3).clamp_(-2, 6)
        x.copy_(x * lib.tensor(row))  # copy_ of an expression of itself
        lib.zeros(2, 3).copy_(lib.tensor(row))  # copy_ broadcasting a row
        outs.append(x)
    _close(*outs)


def test_copy_and_fill_cast_into_an_integer_tensor_like_torch(torch):
    for lib in (autograd, torch):
        x = lib.tensor([1, 2])
        x.fill_(2.7)
        assert x.tolist() == [2, 2]
        x.copy_(lib.tensor([2.7, -1.5]))
        assert x.tolist() == [2, -1]
        assert str(x.dtype).endswith("int64")


def test_normal_and_uniform_fill_in_place_with_the_right_statistics():
    w = autograd.empty(200, 50)
    arr = w.numpy()
    assert w.normal_(0.5, 0.02) is w and w.numpy() is arr
    assert abs(float(w.mean()) - 0.5) < 0.005
    assert abs(float(w.std()) - 0.02) < 0.002
    w.uniform_(-2, 3)
    assert float(w.min()) >= -2 and float(w.max()) < 3
    assert abs(float(w.mean()) - 0.5) < 0.05
    d = autograd.ones(4, dtype=autograd.float64).normal_()
    assert d.dtype == autograd.float64  # the tensor keeps its dtype
    g1, g2 = autograd.Generator().manual_seed(3), autograd.Generator().manual_seed(3)
    np.testing.assert_array_equal(autograd.zeros(5).normal_(generator=g1).numpy(),
                                  autograd.zeros(5).normal_(generator=g2).numpy())


def test_normal_and_uniform_on_data_of_a_parameter():
    w = autograd.zeros(100, 40, requires_grad=True)
    w.data.normal_(0, 0.02)
    assert w.requires_grad and w.is_leaf
    assert abs(float(w.detach().std()) - 0.02) < 0.003
    w.data.uniform_(0.0, 1.0)
    assert 0.0 <= float(w.detach().min()) and float(w.detach().max()) < 1.0


# ---- the leaf rule ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("op", [
    lambda w: w.add_(1), lambda w: w.__iadd__(1), lambda w: w.__isub__(1), lambda w: w.mul_(2),
    lambda w: w.zero_(), lambda w: w.fill_(1.0), lambda w: w.copy_(w.detach() * 2), lambda w: w.clamp_(0, 1),
    lambda w: w.normal_(), lambda w: w.uniform_(), lambda w: w.masked_fill_(w.detach() > 1, 0.0),
    lambda w: w.__setitem__(0, 5.0), lambda w: w.exp_(),
], ids=["add_", "+=", "-=", "mul_", "zero_", "fill_", "copy_", "clamp_", "normal_", "uniform_", "masked_fill_",
        "setitem", "exp_"])
def test_inplace_on_leaf_requiring_grad_raises_torchs_error(torch, op):
    for lib in (autograd, torch):
        w = lib.tensor([1.0, 2.0], requires_grad=True)
        with pytest.raises(RuntimeError, match=LEAF_MSG):
            op(w)
        np.testing.assert_array_equal(w.detach().numpy(), [1.0, 2.0])  # nothing was written
        with lib.no_grad():
            op(w)  # allowed under no_grad, as optimizers do
        assert w.is_leaf and w.requires_grad


def test_inplace_on_leaf_without_grad_with_a_grad_operand_joins_the_graph(torch):
    grads = []
    for lib in (autograd, torch):
        w = lib.tensor([1.0, 2.0, 3.0], dtype=lib.float64, requires_grad=True)
        x = lib.zeros(3, dtype=lib.float64)
        x.add_(w * w)
        assert x.requires_grad and not x.is_leaf
        (x * lib.tensor([1.0, 2.0, 3.0], dtype=lib.float64)).sum().backward()
        grads.append(w.grad)
    _close(*grads)


# ---- dtype and shape rules ------------------------------------------------------------------------
@pytest.mark.parametrize("case", [
    ("int64", lambda L, x: x.__iadd__(1.5)), ("int64", lambda L, x: x.mul_(2.0)),
    ("int64", lambda L, x: x.div_(2)), ("int64", lambda L, x: x.add_(L.tensor(1.5))),
    ("int32", lambda L, x: x.add_(L.tensor([0.5, 0.5]))), ("bool", lambda L, x: x.add_(1)),
    ("uint8", lambda L, x: x.__itruediv__(L.tensor([2, 2], dtype=L.uint8))),
], ids=["int+=1.5", "int*=2.0", "int/=2", "int+=0d-float", "int32+=float", "bool+=1", "uint8/=uint8"])
def test_inplace_result_that_cannot_be_cast_raises(torch, case):
    dt, op = case
    for lib in (autograd, torch):
        x = lib.tensor([1, 0], dtype=getattr(lib, dt))
        with pytest.raises(RuntimeError, match="can't be cast to the desired output type"):
            op(lib, x)
        assert x.tolist() == ([True, False] if dt == "bool" else [1, 0])  # nothing was written


@pytest.mark.parametrize("self_dt,other_dt", [
    ("float32", "float64"), ("float16", "float64"), ("float32", "int64"), ("int32", "int64"), ("int64", "bool"),
    ("float64", "float16"), ("int8", "int16"),
])
def test_inplace_keeps_self_dtype_like_torch(torch, self_dt, other_dt):
    outs = []
    for lib in (autograd, torch):
        x = lib.tensor([1, 2], dtype=getattr(lib, self_dt))
        x += lib.tensor([3, 1], dtype=getattr(lib, other_dt))
        x *= lib.tensor([2, 2], dtype=getattr(lib, other_dt))
        assert str(x.dtype).removeprefix("torch.") == self_dt
        outs.append(x)
    assert outs[0].tolist() == outs[1].tolist()


def test_float32_inplace_with_float64_operand_in_graph_stays_float32(torch):
    grads = []
    for lib in (autograd, torch):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        w = lib.tensor([3.0, 0.5], dtype=lib.float64, requires_grad=True)
        y = x * 1
        y += w
        y.mul_(w)
        assert str(y.dtype).endswith("float32")
        y.sum().backward()
        assert str(w.grad.dtype).endswith("float64") and str(x.grad.dtype).endswith("float32")
        grads.append((x.grad, w.grad))
    for a, b in zip(*grads):
        _close(a, b)


@pytest.mark.parametrize("op", [
    lambda L, x: x.add_(L.ones(3, 2)), lambda L, x: x.__imul__(L.ones(2, 2)), lambda L, x: x.copy_(L.ones(3)),
    lambda L, x: x.masked_fill_(L.ones(3, 2) > 0, 1.0),
], ids=["add_grow", "imul_grow", "copy_mismatch", "masked_fill_grow"])
@pytest.mark.parametrize("in_graph", [False, True])
def test_inplace_that_would_change_the_shape_raises(torch, op, in_graph):
    for lib in (autograd, torch):
        x = lib.ones(2, requires_grad=in_graph) * 1 if in_graph else lib.ones(2)
        # NOTE: torch raises RuntimeError for every case; tracegrad's copy_ raises its shape errors as ValueError
        with pytest.raises((RuntimeError, ValueError), match="shape|broadcast|size"):
            op(lib, x)
        assert tuple(x.shape) == (2,)


def test_read_only_memory_is_refused():
    x = autograd.tensor([1.0, 2.0]).expand(3, 2)
    with pytest.raises(RuntimeError, match="clone"):
        x.add_(1)
