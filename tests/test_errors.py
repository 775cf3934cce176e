"""Bad input gets a clear error naming the op and the shapes, never a bare NumPy traceback."""
from __future__ import annotations

import re

import numpy as np
import pytest

import autograd
from autograd import Tensor


def _t(*shape, grad=True):
    return Tensor(np.ones(shape), requires_grad=grad)


def _shapes(a, b):
    return re.escape(str(a)) + ".*" + re.escape(str(b))


# ---- shape mismatches ---------------------------------------------------------------------------
@pytest.mark.parametrize("a,b", [((2, 3), (4, 5)), ((3,), (4,)), ((2, 3), (2,))])
def test_matmul_mismatch(a, b):
    with pytest.raises(ValueError, match=r"matmul: shapes " + _shapes(a, b) + r" are not aligned"):
        _t(*a) @ _t(*b)


def test_matmul_batch_mismatch():
    with pytest.raises(ValueError, match=r"matmul: batch dimensions of shapes " + _shapes((2, 3, 4), (5, 4, 2))
                       + ".*do not broadcast"):
        autograd.matmul(_t(2, 3, 4), _t(5, 4, 2))


def test_matmul_zero_dim():
    with pytest.raises(ValueError, match=r"matmul: both operands need at least 1 dimension.*\(\).*\(3,\)"):
        _t() @ _t(3)


@pytest.mark.parametrize("op,name", [
    (lambda a, b: a + b, "Add"), (lambda a, b: a - b, "Sub"), (lambda a, b: a * b, "Mul"),
    (lambda a, b: a / b, "Div"), (lambda a, b: a ** b, "Pow"), (autograd.maximum, "Maximum"),
    (autograd.minimum, "Minimum"),
])
def test_binary_broadcast_mismatch(op, name):
    with pytest.raises(ValueError, match=name.lower() + r".*" + _shapes((2, 3), (4,)) + r".*broadcast"):
        op(_t(2, 3), _t(4))
    # the raw-array and reversed forms name the shapes too
    with pytest.raises(ValueError, match=name.lower() + r".*" + _shapes((4,), (2, 3)) + r".*broadcast"):
        op(np.ones(4), _t(2, 3))


def test_where_broadcast_mismatch():
    with pytest.raises(ValueError, match=r"where.*\(3,\).*\(2,\).*\(4,\).*broadcast"):
        autograd.where(np.ones(3, dtype=bool), _t(2), _t(4))


@pytest.mark.parametrize("cmp", [lambda a, b: a < b, lambda a, b: a == b, lambda a, b: a >= b])
def test_comparison_broadcast_mismatch(cmp):
    with pytest.raises(ValueError, match=r"\(2, 3\).*\(4,\).*broadcast"):
        cmp(_t(2, 3), _t(4))


def test_reshape_mismatch():
    with pytest.raises(ValueError, match=r"reshape: cannot reshape a tensor of shape \(2, 3\) \(size 6\) into shape "
                                         r"\(4, 2\); the sizes must match"):
        _t(2, 3).reshape(4, 2)


def test_concatenate_mismatch():
    with pytest.raises(ValueError, match=r"concatenate: shapes \(2, 3\) and \(3, 3\) must match except along axis 1"):
        autograd.concatenate([_t(2, 3), _t(3, 3)], axis=1)
    with pytest.raises(ValueError, match=r"concatenate: shapes \(2, 3\) and \(2,\) must match"):
        autograd.cat([_t(2, 3), _t(2)])
    with pytest.raises(ValueError, match=r"concatenate: axis 2 is out of range"):
        autograd.cat([_t(2, 3), _t(2, 3)], axis=2)


def test_stack_mismatch():
    with pytest.raises(ValueError, match=r"stack: all tensors need the same shape, got \(2,\) and \(3,\)"):
        autograd.stack([_t(2), _t(3)])


def test_broadcast_to_mismatch():
    with pytest.raises(ValueError, match=r"broadcast_to: cannot broadcast a tensor of shape \(3,\) to shape \(4,\)"):
        autograd.broadcast_to(_t(3), (4,))


def test_bad_axis():
    with pytest.raises(ValueError, match=r"sum: axis 2 is out of range for a tensor with 2 dimension"):
        _t(2, 3).sum(axis=2)
    with pytest.raises(ValueError, match=r"transpose: axes \(0, 0\) are not a permutation"):
        _t(2, 3).transpose((0, 0))


def test_dimension_out_of_range():
    with pytest.raises(ValueError, match=r"transpose: dimensions \(0, 5\) are out of range for a tensor with 2"):
        _t(2, 3).transpose(0, 5)
    with pytest.raises(ValueError, match=r"flatten: axis 5 is out of range for a tensor with 3"):
        _t(2, 3, 4).flatten(5)
    with pytest.raises(ValueError, match=r"unsqueeze: axis 4 is out of range"):
        _t(2, 3).unsqueeze(4)


def test_matmul_with_a_python_scalar():
    with pytest.raises(ValueError, match=r"matmul: both operands need at least 1 dimension, got shapes \(2, 3\) "
                                         r"and \(\)"):
        _t(2, 3) @ 3.0
    with pytest.raises(ValueError, match=r"matmul: .* got shapes \(\) and \(2, 3\)"):
        3.0 @ _t(2, 3)


def test_bad_index():
    with pytest.raises(IndexError, match=r"getitem: index \[5\] is invalid for a tensor of shape \(3,\)"):
        _t(3)[5]


# ---- backward -----------------------------------------------------------------------------------
def test_backward_on_non_scalar_needs_gradient():
    y = _t(2, 3) * 2
    with pytest.raises(RuntimeError, match=r"backward: the output has shape \(2, 3\), so backward needs a gradient"):
        y.backward()


def test_backward_gradient_of_wrong_shape():
    y = _t(2, 3) * 2
    with pytest.raises(ValueError, match=r"the gradient has shape \(3,\) but the output has shape \(2, 3\)"):
        y.backward(np.ones(3))


def test_backward_without_requires_grad():
    with pytest.raises(RuntimeError, match="does not require grad"):
        (_t(2, grad=False) * 2).sum().backward()


def test_grad_of_input_that_does_not_require_grad():
    x = _t(2)
    with pytest.raises(RuntimeError, match="grad: input 0 does not require grad"):
        autograd.grad((x * 2).sum(), [_t(2, grad=False)])


def test_grad_unused_input_without_allow_unused():
    x, z = _t(2), _t(3)
    with pytest.raises(RuntimeError, match=r"grad: input 1 \(shape \(3,\)\) was not used.*allow_unused=True"):
        autograd.grad((x * 2).sum(), [x, z])


def test_hook_returning_wrong_shape():
    x = _t(3)
    x.register_hook(lambda g: np.ones(2))
    with pytest.raises(ValueError, match=r"returned a gradient of shape \(2,\) for a tensor of shape \(3,\)"):
        (x * 2).sum().backward()


def test_hook_on_tensor_without_grad():
    with pytest.raises(RuntimeError, match="cannot register a hook"):
        _t(2, grad=False).register_hook(lambda g: g)


def test_retain_grad_on_tensor_without_grad():
    with pytest.raises(RuntimeError, match="retain_grad: this tensor does not require grad"):
        _t(2, grad=False).retain_grad()


# ---- construction -------------------------------------------------------------------------------
@pytest.mark.parametrize("bad,kind", [(["x"], "<U1"), ("abc", "<U3"), (object(), "object"), ([None, 1.0], "object")])
def test_type_error_for_strings_and_objects(bad, kind):
    with pytest.raises(TypeError, match=rf"Tensor: data of dtype {kind} .* is not numeric"):
        Tensor(bad)


def test_type_error_for_unsupported_dtype():
    with pytest.raises(TypeError, match=r"dtype complex128 is not supported"):
        Tensor([1.0], dtype=np.complex128)
    with pytest.raises(TypeError, match=r"is not a dtype"):
        Tensor([1.0], dtype="nonsense")


def test_requires_grad_on_integer_tensor():
    with pytest.raises(TypeError, match=r"only floating-point tensors can require gradients; this one has dtype int64"):
        Tensor(np.array([1, 2, 3]), requires_grad=True)
    with pytest.raises(TypeError, match=r"only floating-point tensors can require gradients; this one has dtype int64"):
        autograd.tensor([1, 2, 3], requires_grad=True)


def test_argument_errors():
    with pytest.raises(ValueError, match="clip: give at least one of min and max"):
        _t(2).clip()
    with pytest.raises(TypeError, match="where: the condition must be boolean"):
        autograd.where(np.ones(2), _t(2), _t(2))
    with pytest.raises(TypeError, match="sum: give axis= or dim=, not both"):
        _t(2).sum(axis=0, dim=0)
    with pytest.raises(ValueError, match="scope: name must be a non-empty string"):
        with autograd.scope(""):
            pass
