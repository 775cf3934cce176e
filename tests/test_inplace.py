"""In-place operations with PyTorch's semantics: values, the leaf rule, gradients through a graph, the
saved-tensor (version counter) check, dtype and shape rules, and ``x[idx] = v``. PyTorch 2.13 is the spec."""
import numpy as np
import pytest

import autograd

# torch's message for a saved tensor changed in place; tracegrad quotes it in its own message
SAVED_MSG = "modified by an inplace operation"
LEAF_MSG = "a leaf Variable that requires grad is being used in an in-place operation"


def _close(ours, theirs, atol=1e-6):
    """An autograd Tensor equals a torch tensor: same shape and values (and grads compared the same way)."""
    a = ours.detach().numpy() if isinstance(ours, autograd.Tensor) else np.asarray(ours)
    b = theirs.detach().numpy()
    assert a.shape == b.shape, (a.shape, b.shape)
    np.testing.assert_allclose(a, b, atol=atol, rtol=1e-6)


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


# ---- in-place inside a graph: gradients equal torch's ------------------------------------------------
_GRAPH_CASES = {
    "add_mul_x": lambda L, x, w: (lambda y: (y.add_(1), y.mul_(x))[-1])(x * 2),
    "add_alpha": lambda L, x, w: (x * 1).add_(w, alpha=3),
    "sub_alpha": lambda L, x, w: (x * 1).sub_(w, alpha=0.5),
    "mul_": lambda L, x, w: (x * 2).mul_(w),
    "div_": lambda L, x, w: (x * 2).div_(w),
    "pow_": lambda L, x, w: (x * 2).pow_(2),
    "clamp_": lambda L, x, w: (x * w).clamp_(-1, 1),
    "masked_fill_": lambda L, x, w: (x * w).masked_fill_(L.tensor([True, False, False]), 0.0),
    "masked_fill_value_grad": lambda L, x, w: (x * 1).masked_fill_(L.tensor([True, False, False]), w.sum()),
    "addcmul_": lambda L, x, w: (x * 1).addcmul_(w, x, value=2),
    "addcdiv_": lambda L, x, w: (x * 1).addcdiv_(w, x, value=2),
    "lerp_": lambda L, x, w: (x * 1).lerp_(w, 0.3),
    "lerp_tensor_weight": lambda L, x, w: (x * 1).lerp_(w, L.tensor([0.1, 0.5, 0.9], dtype=L.float64)),
    "zero_": lambda L, x, w: (x * w).zero_() + x,
    "fill_": lambda L, x, w: (x * w).fill_(2.0) * x,
    "copy_": lambda L, x, w: (x * 2).copy_(w) * x,
    "copy_broadcast": lambda L, x, w: (x * 2).copy_(w[0]) * x,
    "exp_": lambda L, x, w: (x * w).exp_(),
    "relu_": lambda L, x, w: (x * w).relu_(),
    "neg_": lambda L, x, w: (x * w).neg_(),
    "sigmoid_": lambda L, x, w: (x * w).sigmoid_(),
    "tanh_": lambda L, x, w: (x * w).tanh_(),
    "iadd": lambda L, x, w: (x * x).__iadd__(w),
    "chain": lambda L, x, w: (lambda y: (y.add_(1), y.mul_(x), y.div_(w), y.sub_(x))[-1])(x * 2),
    "zeros_add_": lambda L, x, w: L.zeros(3, dtype=L.float64).add_(w * x),
}


def _graph_grads(lib, f):
    x = lib.tensor([1.0, -2.0, 3.0], dtype=lib.float64, requires_grad=True)
    w = lib.tensor([0.5, 2.0, -1.0], dtype=lib.float64, requires_grad=True)
    y = f(lib, x, w)
    (y * lib.tensor([1.0, 2.0, 3.0], dtype=lib.float64)).sum().backward()
    zero = lib.zeros(3, dtype=lib.float64)
    return y, (x.grad if x.grad is not None else zero), (w.grad if w.grad is not None else zero)


@pytest.mark.parametrize("name", list(_GRAPH_CASES))
def test_inplace_in_graph_gradients_match_torch(torch, name):
    ours, theirs = _graph_grads(autograd, _GRAPH_CASES[name]), _graph_grads(torch, _GRAPH_CASES[name])
    for a, b in zip(ours, theirs):
        _close(a, b, atol=1e-10)


def test_inplace_rebases_history_like_torch(torch):
    for lib in (autograd, torch):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x * 2
        node_before = y.grad_fn
        y.add_(1)
        assert y.grad_fn is not node_before
        assert y.grad_fn.name() == "AddBackward0"
        assert not y.is_leaf and y.requires_grad


def test_inplace_through_a_slice_view_in_graph_matches_torch(torch):
    f = lambda L, x, w: (lambda y: (y[1:].mul_(w[1:]), y)[-1])(x * 2)  # noqa: E731
    for a, b in zip(_graph_grads(autograd, f), _graph_grads(torch, f)):
        _close(a, b, atol=1e-10)


def test_inplace_through_a_reshape_view_in_graph_matches_torch(torch):
    f = lambda L, x, w: (lambda y: (y.view(3, 1).mul_(2), y)[-1])(x * w)  # noqa: E731
    for a, b in zip(_graph_grads(autograd, f), _graph_grads(torch, f)):
        _close(a, b, atol=1e-10)


def test_inplace_through_a_slice_view_changes_the_base_values(torch):
    for lib in (autograd, torch):
        x = lib.zeros(2, 3)
        x[1:].add_(1)
        x[:, 0].fill_(5)
        x.view(6)[2:4].mul_(0)  # x[0, 2] and x[1, 0]
        np.testing.assert_array_equal(x.numpy(), [[5, 0, 0], [0, 1, 1]])


def test_inplace_on_a_0d_element_view_writes_into_the_base(torch):
    for lib in (torch, autograd):
        x = lib.zeros(2, 3)
        x[0, 1].fill_(5)
        x[1][2].add_(1)
        np.testing.assert_array_equal(x.numpy(), [[0, 5, 0], [0, 0, 1]])


# ---- saved tensors changed in place: backward raises (version counters) ------------------------------
_SAVED_CASES = {
    # name: (build y from x, change, what tracegrad's message names)
    "exp_output": (lambda L, x: x.exp(), lambda y: y.add_(1), "Exp"),
    "sigmoid_output": (lambda L, x: x.sigmoid(), lambda y: y.mul_(2), "Sigmoid"),
    "tanh_output": (lambda L, x: x.tanh(), lambda y: y.zero_(), "Tanh"),
    "pow_input": (lambda L, x: (lambda h: (h, h ** 2))(x * 1), lambda y: y[0].add_(1), "Pow"),
    "mul_input": (lambda L, x: (lambda h: (h, h * h))(x * 1), lambda y: y[0].mul_(3), "Mul"),
    "exp_output_slice": (lambda L, x: x.exp(), lambda y: y[0:1].mul_(2), "Exp"),
    "exp_output_view": (lambda L, x: x.exp(), lambda y: y.view(2, 1).mul_(2), "Exp"),
    "exp_output_setitem": (lambda L, x: x.exp(), lambda y: y.__setitem__(0, 0.0), "Exp"),
}


@pytest.mark.parametrize("name", list(_SAVED_CASES))
def test_backward_after_saved_tensor_changed_in_place_raises_naming_op(torch, name):
    build, change, op = _SAVED_CASES[name]
    for lib in (autograd, torch):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = build(lib, x)
        with lib.no_grad():
            change(y)
        out = y[1] if isinstance(y, tuple) else y
        with pytest.raises(RuntimeError, match=SAVED_MSG) as err:
            out.sum().backward()
        if lib is autograd:
            assert op in str(err.value)


@pytest.mark.parametrize("grad_mode", [True, False])
def test_exp_then_add_inplace_raises_in_and_out_of_graph(torch, grad_mode):
    # y = x.exp(); y.add_(1); y.sum().backward(): torch raises whether or not the add_ is recorded
    for lib in (autograd, torch):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x.exp()
        with lib.set_grad_enabled(grad_mode):
            y.add_(1)
        with pytest.raises(RuntimeError, match=SAVED_MSG):
            y.sum().backward()


def test_leaf_updated_under_no_grad_after_use_raises(torch):
    for lib in (autograd, torch):
        a = lib.tensor([1.0, 2.0], requires_grad=True)
        b = lib.tensor([3.0, 4.0], requires_grad=True)
        z = a * b
        with lib.no_grad():
            a.add_(1)
        with pytest.raises(RuntimeError, match=SAVED_MSG):
            z.sum().backward()


def test_change_through_data_after_use_differs_from_torch(torch):
    """torch: ``.data`` writes bypass the version counter, so backward silently uses the new values
    (b.grad = a + 1). tracegrad tracks the memory itself, so it raises instead of giving that gradient.
    A deliberate difference: documented here so a change to either side is noticed."""
    a = torch.tensor([1.0, 2.0], requires_grad=True)
    b = torch.tensor([3.0, 4.0], requires_grad=True)
    z = a * b
    a.data.add_(1)
    z.sum().backward()
    np.testing.assert_allclose(b.grad.numpy(), [2.0, 3.0])  # torch: the changed values, no error

    a = autograd.tensor([1.0, 2.0], requires_grad=True)
    b = autograd.tensor([3.0, 4.0], requires_grad=True)
    z = a * b
    a.data.add_(1)
    with pytest.raises(RuntimeError, match=SAVED_MSG):
        z.sum().backward()


def test_inplace_on_tensor_not_saved_is_fine(torch):
    # an op that saved only its output (exp) or nothing (add) does not care about its input changing
    grads = []
    for lib in (autograd, torch):
        x = lib.tensor([1.0, 2.0], dtype=lib.float64, requires_grad=True)
        y = x * 2
        z = y.exp() + (y + y)
        y.add_(1)
        z.sum().backward()
        grads.append(x.grad)
    _close(*grads)


def test_write_before_the_graph_is_built_does_not_raise():
    w = autograd.tensor([1.0, 2.0], requires_grad=True)
    with autograd.no_grad():
        w.mul_(2)
    (w * w).sum().backward()  # the graph was built after the write
    np.testing.assert_allclose(w.grad.numpy(), [4.0, 8.0])


@pytest.mark.parametrize("name,f", [
    ("y*2", lambda L, y: y * 2), ("y*const", lambda L, y: y * L.tensor([2.0, 0.5], dtype=L.float64)),
    ("y/2", lambda L, y: y / 2), ("y@C", lambda L, y: y @ L.ones(2, 3, dtype=L.float64)),
])
def test_inplace_on_an_input_backward_does_not_read_is_allowed(torch, name, f):
    grads = []
    for lib in (torch, autograd):
        x = lib.tensor([1.0, 2.0], dtype=lib.float64, requires_grad=True)
        y = x * 1
        z = f(lib, y)
        with lib.no_grad():
            y.add_(1)
        z.sum().backward()
        grads.append(x.grad)
    _close(grads[1], grads[0])


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


# ---- x[idx] = v ---------------------------------------------------------------------------------------------
def test_setitem_without_graph_matches_torch(torch):
    outs = []
    for lib in (autograd, torch):
        x = lib.zeros(3, 4)
        arr = x.numpy()
        x[0] = 5.0
        x[1, 1:3] = lib.tensor([1.0, 2.0])
        x[:, 3] = lib.tensor([7.0, 8.0, 9.0])
        x[x > 7.5] = -1.0
        x[lib.tensor([2, 0]), 0] = lib.tensor([4.0, 3.0])
        x[2][1] = 6.0  # through a row view
        assert lib is torch or x.numpy() is arr
        outs.append(x)
    _close(*outs)


def test_setitem_under_no_grad_on_a_parameter(torch):
    outs = []
    for lib in (autograd, torch):
        w = lib.ones(2, 3, requires_grad=True)
        with lib.no_grad():
            w[0, 0] = 0.0
            w[1] = lib.tensor([2.0, 3.0, 4.0])
        assert w.is_leaf and w.requires_grad
        outs.append(w)
    _close(*outs)


_SETITEM_CASES = {
    "int": lambda L, x, w: (lambda y: (y.__setitem__(0, w[1] * 3), y)[-1])(x * 2),
    "slice": lambda L, x, w: (lambda y: (y.__setitem__(slice(1, 3), w[:2] * w[1:]), y)[-1])(x * 2),
    "mask_const": lambda L, x, w: (lambda y: (y.__setitem__(L.tensor([True, False, True]), 0.0), y)[-1])(x * w),
    "index_tensor": lambda L, x, w: (lambda y: (y.__setitem__(L.tensor([2, 0]), w[:2]), y)[-1])(x * 2),
    "twice": lambda L, x, w: (lambda y: (y.__setitem__(0, w[0]), y.__setitem__(0, x[1]), y)[-1])(x * w),
    "zeros_target": lambda L, x, w: (lambda y: (y.__setitem__(0, w[0]), y.__setitem__(2, x[1] * w[2]), y)[-1])(
        L.zeros(3, dtype=L.float64)),
    "slice_iadd": lambda L, x, w: (lambda y: (y.__setitem__(slice(1, None), y[1:].__iadd__(w[1:])), y)[-1])(
        L.zeros(3, dtype=L.float64)),
}


@pytest.mark.parametrize("name", list(_SETITEM_CASES))
def test_setitem_in_graph_gradients_match_torch(torch, name):
    for a, b in zip(_graph_grads(autograd, _SETITEM_CASES[name]), _graph_grads(torch, _SETITEM_CASES[name])):
        _close(a, b, atol=1e-10)


def test_setitem_of_a_grad_value_makes_a_plain_tensor_require_grad(torch):
    grads = []
    for lib in (autograd, torch):
        w = lib.tensor(2.0, requires_grad=True)
        x = lib.zeros(3)
        assert not x.requires_grad
        x[0] = w
        x[2] = w * w
        assert x.requires_grad and not x.is_leaf
        (x * lib.tensor([1.0, 10.0, 100.0])).sum().backward()
        grads.append(w.grad)
    _close(*grads)
    assert float(grads[0]) == pytest.approx(401.0)


def test_setitem_on_a_leaf_requiring_grad_raises(torch):
    for lib in (autograd, torch):
        w = lib.ones(3, requires_grad=True)
        with pytest.raises(RuntimeError, match=LEAF_MSG):
            w[0] = 2.0


def test_setitem_shape_mismatch_raises():
    x = autograd.zeros(2, 3)
    with pytest.raises(ValueError, match="setitem"):
        x[0] = autograd.ones(4)
