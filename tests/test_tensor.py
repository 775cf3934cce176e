"""The Tensor itself: construction and dtypes, attributes, comparisons, indexing and its gradient."""
from __future__ import annotations

import numpy as np
import pytest

import autograd
from autograd import Tensor


# ---- construction and dtypes ------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64, np.int32, np.int64, np.uint8, np.bool_])
def test_numpy_array_keeps_its_dtype_and_is_shared(dtype):
    a = np.zeros((2, 3), dtype=dtype)
    t = Tensor(a)
    assert t.dtype == dtype
    assert t.numpy() is a  # shared, not copied (like torch.from_numpy)


@pytest.mark.parametrize("data", [2.0, [1.0, 2.5], [[1, 2.0], [3, 4]], [3], [1, 2, 3], True, [True, False]])
def test_python_data_becomes_float32_like_torch_Tensor(data):
    """Tensor(python data) is float32 whatever the numbers are (as torch.Tensor and the issue say)."""
    t = Tensor(data)
    assert t.dtype == np.float32
    np.testing.assert_array_equal(t.data, np.asarray(data, dtype=np.float32))


def test_ints_give_a_shape_like_torch_Tensor():
    """torch.Tensor(2, 3) is a (2, 3) tensor (zeros here; torch leaves the memory unset)."""
    assert Tensor(3).shape == (3,) and Tensor(2, 3).shape == (2, 3) and Tensor(2, 3).dtype == np.float32
    assert not Tensor(2, 3).numpy().any() and Tensor().shape == (0,)
    with pytest.raises(TypeError, match="shape of ints"):
        Tensor(2, 3.0)


@pytest.mark.parametrize("data,dtype", [
    (2.0, np.float32), ([1.0, 2.5], np.float32), ([[1, 2.0], [3, 4]], np.float32),
    (3, np.int64), ([1, 2, 3], np.int64), (True, np.bool_), ([True, False], np.bool_),
])
def test_autograd_tensor_infers_dtypes_like_torch_tensor(data, dtype):
    t = autograd.tensor(data)
    assert t.dtype == dtype
    np.testing.assert_array_equal(t.data, np.asarray(data))


def test_micrograd_style_integer_scalars_can_require_grad():
    a = Tensor(-4, requires_grad=True)
    (a * a).backward()
    assert a.dtype == np.float32 and a.grad.item() == -8.0


def test_explicit_dtype_wins():
    assert Tensor(2.0, dtype=np.float64).dtype == np.float64
    assert Tensor([1, 2], dtype=np.float32).dtype == np.float32
    assert Tensor(np.ones(2, dtype=np.float32), dtype="float64").dtype == np.float64


def test_numpy_scalar_keeps_its_dtype():
    assert Tensor(np.float64(1.5)).dtype == np.float64
    assert Tensor(np.float16(1.5)).dtype == np.float16


@pytest.mark.parametrize("scalar", [2.0, 2, 0.5])
def test_python_scalars_do_not_upcast(scalar):
    x = Tensor([1.0, 2.0], requires_grad=True)
    for y in (x * scalar, scalar * x, x + scalar, scalar - x, x / scalar, scalar / x, x ** scalar):
        assert y.dtype == np.float32
    (x * scalar).sum().backward()
    assert x.grad.dtype == np.float32
    np.testing.assert_allclose(x.grad.data, [scalar, scalar])


@pytest.mark.parametrize("scalar", [np.float64(2.0), np.sqrt(2.0), np.int64(3), np.float32(0.5)])
def test_numpy_scalars_do_not_upcast_either(scalar):
    x = Tensor([1.0, 2.0], requires_grad=True)
    ys = (x * scalar, scalar * x, x / scalar, x - scalar, autograd.maximum(x, scalar), autograd.where(x > 1, x, scalar))
    for y in ys:
        assert y.dtype == np.float32
    (x * scalar).sum().backward()
    np.testing.assert_allclose(x.grad.data, [float(scalar)] * 2, rtol=1e-6)


def test_float64_stays_float64():
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    y = (x * 2.0 + 1).tanh().sum()
    assert y.dtype == np.float64
    y.backward()
    assert x.grad.dtype == np.float64


def test_float32_tensor_times_float64_array_promotes_like_numpy():
    x = Tensor(np.ones(2, dtype=np.float32))
    assert (x * np.ones(2)).dtype == np.float64


@pytest.mark.parametrize("bad", [["a", "b"], "text", object(), [object(), object()], {"a": 1}])
def test_non_numeric_data_raises_type_error(bad):
    with pytest.raises(TypeError, match="not numeric"):
        Tensor(bad)


def test_ragged_list_raises_type_error():
    with pytest.raises(TypeError, match="cannot build a tensor from list"):
        Tensor([[1.0, 2.0], [3.0]])


@pytest.mark.parametrize("make", [lambda: autograd.tensor([1, 2]), lambda: Tensor(np.arange(3)),
                                  lambda: autograd.tensor(True), lambda: Tensor(np.array([True])),
                                  lambda: Tensor([1, 2], dtype=np.int64)])
def test_requires_grad_on_int_or_bool_raises(make):
    with pytest.raises(TypeError, match="only floating-point"):
        make().requires_grad_()


def test_scalar_case_like_micrograd():
    a = Tensor(2.0, requires_grad=True)
    (a * a + a).backward()
    assert a.shape == ()
    assert a.grad.shape == ()
    assert a.grad.item() == 5.0
    assert a.grad.dtype == np.float32


def test_scalar_neuron_every_weight_a_node():
    x1, x2 = Tensor(2.0, requires_grad=True), Tensor(0.0, requires_grad=True)
    w1, w2 = Tensor(-3.0, requires_grad=True), Tensor(1.0, requires_grad=True)
    b = Tensor(6.8813735870195432, requires_grad=True)
    o = (x1 * w1 + x2 * w2 + b).tanh()
    o.backward()
    assert o.item() == pytest.approx(0.7071, abs=1e-4)
    assert x1.grad.item() == pytest.approx(-1.5, abs=1e-4)
    assert w1.grad.item() == pytest.approx(1.0, abs=1e-4)
    assert x2.grad.item() == pytest.approx(0.5, abs=1e-4)
    assert w2.grad.item() == pytest.approx(0.0, abs=1e-6)
    assert b.grad.item() == pytest.approx(0.5, abs=1e-4)


# ---- attributes ---------------------------------------------------------------------------------
def test_shape_ndim_size_len():
    t = Tensor(np.zeros((2, 3, 4)))
    assert t.shape == (2, 3, 4) and t.ndim == 3 and t.size == 24 and len(t) == 2
    s = Tensor(1.0)
    assert s.shape == () and s.ndim == 0 and s.size == 1
    with pytest.raises(TypeError, match="0-d"):
        len(s)


def test_T_and_mT():
    a = np.arange(6.0).reshape(2, 3)
    x = Tensor(a, requires_grad=True)
    np.testing.assert_array_equal(x.T.data, a.T)
    b = np.arange(24.0).reshape(2, 3, 4)
    np.testing.assert_array_equal(Tensor(b).mT.data, b.swapaxes(-1, -2))
    (x.T * Tensor(np.arange(6.0).reshape(3, 2))).sum().backward()
    np.testing.assert_array_equal(x.grad.data, np.arange(6.0).reshape(3, 2).T)


def test_item_numpy_tolist():
    assert Tensor(np.array([[3.5]])).item() == 3.5
    assert isinstance(Tensor(np.array(2, dtype=np.int64)).item(), int)
    with pytest.raises(ValueError, match="one element"):
        Tensor(np.ones(2)).item()
    a = np.ones(3)
    assert Tensor(a).numpy() is a
    assert Tensor(np.array([1, 2])).tolist() == [1, 2]
    assert float(Tensor(2.5)) == 2.5 and int(autograd.tensor(3)) == 3 and Tensor(3).shape == (3,)  # a shape, as torch


def test_detach_shares_data_and_cuts_the_graph():
    x = Tensor(np.ones(3), requires_grad=True)
    y = x * 2
    d = y.detach()
    assert not d.requires_grad and d.is_leaf and d.grad_fn is None
    assert np.shares_memory(d.data, y.data)
    (d * x).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [2.0, 2.0, 2.0])  # d is a constant


def test_requires_grad_():
    x = Tensor(np.ones(2))
    assert not x.requires_grad
    assert x.requires_grad_() is x and x.requires_grad
    (x * 3).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [3.0, 3.0])
    x.requires_grad_(False)
    assert not (x * 3).requires_grad
    y = Tensor(np.ones(2), requires_grad=True) * 2
    with pytest.raises(RuntimeError, match="detach"):
        y.requires_grad_(False)


def test_is_leaf_and_grad_fn():
    x = Tensor(np.ones(2), requires_grad=True)
    y = x.exp()
    assert x.is_leaf and x.grad_fn is None
    assert not y.is_leaf and y.grad_fn.op == "Exp"


def test_repr_mentions_grad_fn_and_dtype():
    x = Tensor(np.ones(2), requires_grad=True)
    assert "requires_grad=True" in repr(x) and "float64" in repr(x)
    assert "grad_fn=<MulBackward0>" in repr(x * 2)  # torch's name for the node


def test_creation_functions_use_the_global_generator():
    autograd.manual_seed(7)
    a = autograd.randn(3, 2)
    autograd.manual_seed(7)
    b = autograd.randn((3, 2))
    np.testing.assert_array_equal(a.data, b.data)
    assert a.dtype == np.float32 and a.shape == (3, 2)
    assert autograd.zeros(2, 3).shape == (2, 3) and autograd.ones(4).data.sum() == 4
    assert autograd.arange(5).dtype == np.int64 and autograd.arange(0.0, 1.0, 0.5).dtype == np.float32
    assert autograd.randint(0, 3, (10,)).dtype == np.int64
    np.testing.assert_array_equal(autograd.eye(2).data, np.eye(2))


# ---- comparisons --------------------------------------------------------------------------------
def test_comparisons_are_bool_without_grad():
    x = Tensor(np.array([1.0, 2.0, 3.0]), requires_grad=True)
    y = Tensor(np.array([3.0, 2.0, 1.0]), requires_grad=True)
    for r, expect in [(x < y, [1, 0, 0]), (x <= y, [1, 1, 0]), (x > y, [0, 0, 1]), (x >= y, [0, 1, 1]),
                      (x == y, [0, 1, 0]), (x != y, [1, 0, 1]), (x > 1.5, [0, 1, 1]), (2.0 < x, [0, 0, 1])]:
        assert r.dtype == np.bool_
        assert not r.requires_grad and r.grad_fn is None
        np.testing.assert_array_equal(r.data, np.array(expect, dtype=bool))
    np.testing.assert_array_equal((~(x > 1.5)).data, [True, False, False])
    np.testing.assert_array_equal(((x > 1.5) & (x < 2.5)).data, [False, True, False])


# ---- indexing -----------------------------------------------------------------------------------
def _indexed(index, shape=(4, 5)):
    a = np.arange(float(np.prod(shape))).reshape(shape)
    x = Tensor(a, requires_grad=True)
    y = x[index]
    g = np.random.default_rng(0).standard_normal(y.shape)
    (y * Tensor(g)).sum().backward()
    np_index = index.data if isinstance(index, Tensor) else index
    np.testing.assert_array_equal(y.data, a[np_index])
    expect = np.zeros(shape)
    np.add.at(expect, np_index, g)
    return x.grad.data, expect


@pytest.mark.parametrize("index", [
    1, -1, slice(1, 3), (slice(None), slice(None, None, 2)), (1, slice(2, None)), (Ellipsis, 2), (None, 1),
    (slice(None), None, 3), (Ellipsis, None), np.array([True, False, True, True]),
    np.arange(20).reshape(4, 5) % 3 == 0, np.array([0, 2]), (np.array([0, 1]), np.array([4, 0])),
    (slice(1, None), np.array([1, 3])),
])
def test_indexing_values_and_gradients(index):
    got, expect = _indexed(index)
    np.testing.assert_array_equal(got, expect)


def test_repeated_integer_indices_accumulate():
    got, expect = _indexed(np.array([0, 2, 0, 0]))
    np.testing.assert_array_equal(got, expect)
    x = Tensor(np.zeros(3), requires_grad=True)
    x[[1, 1, 1, 2]].sum().backward()
    np.testing.assert_array_equal(x.grad.data, [0.0, 3.0, 1.0])


def test_indexing_with_tensors():
    x = Tensor(np.arange(5.0), requires_grad=True)
    idx = Tensor(np.array([4, 4, 0]))
    y = x[idx]
    np.testing.assert_array_equal(y.data, [4.0, 4.0, 0.0])
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.data, [1, 0, 0, 0, 2])
    x.grad = None
    x[x > 2.5].sum().backward()
    np.testing.assert_array_equal(x.grad.data, [0, 0, 0, 1, 1])


def test_iteration_yields_rows_with_gradient():
    x = Tensor(np.arange(6.0).reshape(3, 2), requires_grad=True)
    rows = list(x)
    assert [r.shape for r in rows] == [(2,)] * 3
    (rows[0] * 2 + rows[2]).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [[2, 2], [0, 0], [1, 1]])


def test_setitem_under_no_grad_and_refused_when_recording():
    x = Tensor(np.zeros(3), requires_grad=True)
    with pytest.raises(RuntimeError, match="in-place"):
        x[0] = 1.0
    with autograd.no_grad():
        x[0] = 1.0
    np.testing.assert_array_equal(x.data, [1.0, 0.0, 0.0])


def test_pytorch_spellings_feel_at_home():
    x = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    assert x.size == 6 and x.size() == (2, 3) and x.size(1) == 3 and x.numel() == 6 and x.dim() == 2
    assert x.t().shape == (3, 2) and x.contiguous() is x
    y = x.mul(2.0).add(1.0).sub(x).div(2.0).pow(2).neg().amax(dim=1).sum()
    y.backward()
    expected = -(x.data + 1) / 2 * (np.arange(6).reshape(2, 3) % 3 == 0)  # -((x+1)/2)**2 peaks at each row's min x
    np.testing.assert_allclose(x.grad.data, expected)
    x.grad.zero_()
    assert not x.grad.data.any()
    with pytest.raises(RuntimeError, match="in-place"):
        x.fill_(1.0)
    with autograd.no_grad():
        x.fill_(1.0)
    assert (x.data == 1.0).all()
