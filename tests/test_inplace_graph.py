"""In-place operations inside a graph, with PyTorch's semantics: gradients, views, the saved-tensor (version
counter) check, and ``x[idx] = v``. PyTorch 2.13 is the spec."""
import numpy as np
import pytest

import autograd

from _inplace_helpers import LEAF_MSG, _close

# torch's message for a saved tensor changed in place; tracegrad quotes it in its own message
SAVED_MSG = "modified by an inplace operation"


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
