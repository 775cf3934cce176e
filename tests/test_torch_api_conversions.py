"""PyTorch's spellings on tracegrad, compared with torch 2.13: ``.data`` and ``.numpy()``, dtypes, casts and
``.to``/``.type`` conversions, and devices (the CPU only)."""
import numpy as np
import pytest

import autograd

from _torch_api_helpers import _close, _np


# ---- .data and .numpy() ------------------------------------------------------------------------------
def test_data_is_a_detached_tensor_sharing_memory(torch):
    for lib in (autograd, torch):
        p = lib.tensor([1.0, 2.0], requires_grad=True)
        d = p.data
        assert isinstance(d, lib.Tensor) and not d.requires_grad and d.is_leaf and d.grad_fn is None
        p.data.sub_(lib.tensor([0.5, 0.5]))
        p.data -= 0.5
        p.data.mul_(2)
        np.testing.assert_allclose(_np(p), [0.0, 2.0])
        assert float(p.data.norm()) == pytest.approx(2.0)
        assert tuple(p.data.size()) == (2,) and p.data.size(0) == 2
        assert p.requires_grad and p.is_leaf
        assert not (p * 2).data.requires_grad


def test_data_normal_and_setter():
    w = autograd.empty(64, 32, requires_grad=True)
    w.data.normal_(0, 0.02)
    assert abs(float(w.detach().std()) - 0.02) < 0.003
    w.data = autograd.tensor([9.0, 9.0, 9.0])
    assert w.shape == (3,) and w.requires_grad
    np.testing.assert_array_equal(w.numpy(), [9.0, 9.0, 9.0])


def test_numpy_and_detach_share_memory():
    x = autograd.ones(3)
    n = x.numpy()
    n[0] = 7
    assert x.tolist() == [7.0, 1.0, 1.0]
    q = autograd.tensor([1.0, 2.0], requires_grad=True)
    q.detach().numpy()[1] = 5
    assert q.tolist() == [1.0, 5.0]
    assert x.numpy(force=True) is not x.numpy()


# ---- dtypes, conversions, devices -------------------------------------------------------------------------------
_DTYPE_NAMES = "float double long int bool half short float16 float32 float64 int8 int16 int32 int64 uint8".split()


def test_dtype_names_match_torch(torch):
    for n in _DTYPE_NAMES:
        assert np.dtype(getattr(autograd, n)).name == str(getattr(torch, n)).removeprefix("torch."), n
    assert autograd.float == autograd.float32 and autograd.tensor([1.0]).dtype == autograd.float
    assert autograd.tensor([1]).dtype == autograd.long
    assert autograd.get_default_dtype() == autograd.float32


@pytest.mark.parametrize("method", "float double long int bool half short byte char".split())
def test_cast_methods_match_torch(torch, method):
    a, b = getattr(autograd.tensor([1.5, -2.7, 0.0]), method)(), getattr(torch.tensor([1.5, -2.7, 0.0]), method)()
    _close(a, b)


def test_type_names_and_type_conversion_match_torch(torch):
    for lib in (autograd, torch):
        x = lib.tensor([1.5, -2.7])
        assert x.type() == "torch.FloatTensor"
        assert [x.double().type(), x.long().type(), x.bool().type(), x.half().type(), x.int().type()] == [
            "torch.DoubleTensor", "torch.LongTensor", "torch.BoolTensor", "torch.HalfTensor", "torch.IntTensor"]
        assert str(x.type(lib.float64).dtype).endswith("float64")
        assert str(x.type("torch.DoubleTensor").dtype).endswith("float64")
        assert x.type(lib.int32).tolist() == [1, -2]


def test_to_matches_torch(torch):
    for lib in (autograd, torch):
        x = lib.tensor([1.5, -2.7])
        assert str(x.to(lib.float64).dtype).endswith("float64")
        assert x.to("cpu") is x and x.to(lib.device("cpu")) is x and x.cpu() is x
        assert str(x.to("cpu", lib.float64).dtype).endswith("float64")
        assert str(x.to(lib.device("cpu"), dtype=lib.int64).dtype).endswith("int64")
        assert str(x.to(dtype=lib.float16).dtype).endswith("float16")
        assert str(x.to(lib.tensor([1], dtype=lib.int32)).dtype).endswith("int32")
        assert x.to(lib.float32) is x and x.float() is x  # same dtype: the tensor itself
        y = x.to(lib.float32, copy=True)
        assert y is not x and y.tolist() == x.tolist()


def test_float_conversions_keep_the_gradient_integer_ones_cut_it(torch):
    for lib in (autograd, torch):
        w = lib.tensor([1.0, 2.0], requires_grad=True)
        y = w.double()
        assert y.requires_grad and str(y.dtype).endswith("float64")
        (y * y).sum().backward()
        assert str(w.grad.dtype).endswith("float32") and w.grad.tolist() == [2.0, 4.0]
        assert not w.long().requires_grad and not w.int().requires_grad and not w.bool().requires_grad
        assert w.half().requires_grad


def test_device_is_the_cpu(torch):
    for lib in (autograd, torch):
        x = lib.ones(2)
        assert str(x.device) == "cpu" and x.device.type == "cpu"
        assert x.device == lib.device("cpu")
        assert lib.cuda.is_available() is False
        assert not x.is_cuda


@pytest.mark.parametrize("make", [
    lambda: autograd.device("cuda"), lambda: autograd.device("cuda:0"), lambda: autograd.ones(2).to("cuda"),
    lambda: autograd.ones(2).cuda(), lambda: autograd.zeros(2, device="cuda"),
    lambda: autograd.ones(2).to("cuda", autograd.float64), lambda: autograd.tensor([1.0], device="cuda:1"),
])
def test_cuda_raises_saying_tracegrad_computes_on_the_cpu(make):
    with pytest.raises(RuntimeError, match="CPU") as err:
        make()
    assert "tracegrad" in str(err.value)
