"""PyTorch's spellings on tracegrad, compared with torch 2.13: creation functions (dtype, device, requires_grad),
random creation and seeding, from_numpy / as_tensor / tensor memory sharing, and the ``new_*`` methods."""
import numpy as np
import pytest

import autograd

from _torch_api_helpers import _close


# ---- creation -----------------------------------------------------------------------------------------------
_CREATE = {
    "zeros": lambda L, **k: L.zeros(2, 3, **k), "zeros_tuple": lambda L, **k: L.zeros((2, 3), **k),
    "zeros_list": lambda L, **k: L.zeros([2], **k), "ones": lambda L, **k: L.ones(2, **k),
    "empty": lambda L, **k: L.empty(2, 1, **k), "full": lambda L, **k: L.full((2,), 1.5, **k),
    "rand": lambda L, **k: L.rand(3, **k), "randn": lambda L, **k: L.randn(2, 2, **k),
    "arange": lambda L, **k: L.arange(5.0, **k), "arange_step": lambda L, **k: L.arange(0, 1, 0.25, **k),
    "linspace": lambda L, **k: L.linspace(0, 1, 5, **k), "eye": lambda L, **k: L.eye(3, **k),
    "eye_rect": lambda L, **k: L.eye(2, 3, **k), "normal": lambda L, **k: L.normal(0.0, 1.0, (2, 2), **k),
    "zeros_like": lambda L, **k: L.zeros_like(L.ones(2, dtype=L.float64), **k),
    "ones_like": lambda L, **k: L.ones_like(L.ones(2, 2), **k),
    "empty_like": lambda L, **k: L.empty_like(L.ones(2), **k),
    "full_like": lambda L, **k: L.full_like(L.ones(2), 7, **k),
    "rand_like": lambda L, **k: L.rand_like(L.ones(2, dtype=L.float64), **k),
    "randn_like": lambda L, **k: L.randn_like(L.ones(3), **k), "tensor": lambda L, **k: L.tensor([1.5, 2], **k),
    "tensor_scalar": lambda L, **k: L.tensor(3.5, **k),
}
_INT_CREATE = {
    "full_int": lambda L, **k: L.full((2,), 3, **k), "full_bool": lambda L, **k: L.full((2,), True, **k),
    "randint": lambda L, **k: L.randint(0, 5, (3,), **k), "randint_high": lambda L, **k: L.randint(5, (3,), **k),
    "randperm": lambda L, **k: L.randperm(4, **k), "arange_int": lambda L, **k: L.arange(5, **k),
    "arange_3": lambda L, **k: L.arange(1, 7, 2, **k), "tensor_int": lambda L, **k: L.tensor([1, 2], **k),
    "tensor_bool": lambda L, **k: L.tensor([True], **k), "tensor_mixed": lambda L, **k: L.tensor([1, 2.5, True], **k),
    "tensor_np_int32": lambda L, **k: L.tensor(np.array([1], dtype=np.int32), **k),
    "tensor_np_float64": lambda L, **k: L.tensor(np.array([1.0]), **k),
    "Tensor_shape": lambda L, **k: L.Tensor(2, 3), "Tensor_one_int": lambda L, **k: L.Tensor(3),
    "Tensor_list": lambda L, **k: L.Tensor([1, 2]), "Tensor_empty": lambda L, **k: L.Tensor(),
}
_KWARGS = [{}, {"dtype": "float64"}, {"device": "cpu"}, {"requires_grad": True},
           {"dtype": "float64", "requires_grad": True, "device": "cpu"}, {"dtype": "float16"}]


def _desc(t):
    return str(t.dtype).removeprefix("torch."), tuple(t.shape), t.requires_grad, t.is_leaf


@pytest.mark.parametrize("name", list(_CREATE))
def test_float_creation_dtype_device_requires_grad_match_torch(torch, name):
    for kw in _KWARGS:
        got = []
        for lib in (autograd, torch):
            k = {a: getattr(lib, v) if a == "dtype" else (lib.device(v) if a == "device" else v) for a, v in kw.items()}
            got.append(_desc(_CREATE[name](lib, **k)))
        assert got[0] == got[1], kw


@pytest.mark.parametrize("name", list(_INT_CREATE))
def test_integer_creation_dtypes_match_torch(torch, name):
    for kw in ({}, {"device": "cpu"}):
        k = dict(kw)
        if name.startswith("Tensor"):
            k = {}
        a, b = _INT_CREATE[name](autograd, **k), _INT_CREATE[name](torch, **k)
        assert _desc(a) == _desc(b)


@pytest.mark.parametrize("name", ["full_int", "randint", "arange_int", "tensor_int", "tensor_bool"])
def test_integer_creation_with_requires_grad_raises_runtime_error(torch, name):
    for lib in (torch, autograd):
        with pytest.raises(RuntimeError, match="floating point"):
            _INT_CREATE[name](lib, requires_grad=True)


def test_deterministic_creation_values_match_torch(torch):
    for f in (lambda L: L.arange(1, 7, 2), lambda L: L.arange(0, 1, 0.25), lambda L: L.linspace(-1, 1, 5),
              lambda L: L.eye(2, 3), lambda L: L.full((2, 2), 1.5), lambda L: L.full_like(L.ones(3), 7),
              lambda L: L.tensor([[1, 2], [3, 4]], dtype=L.float16), lambda L: L.Tensor([1, 2]),
              lambda L: L.ones_like(L.tensor([1, 2], dtype=L.int32))):
        _close(f(autograd), f(torch))


def test_random_creation_ranges_and_seeding():
    autograd.manual_seed(5)
    a = autograd.randn(4)
    autograd.manual_seed(5)
    np.testing.assert_array_equal(a.numpy(), autograd.randn(4).numpy())
    r = autograd.randint(2, 5, (1000,))
    assert r.min().item() == 2 and r.max().item() == 4
    assert sorted(autograd.randperm(6).tolist()) == list(range(6))
    u = autograd.rand(1000)
    assert 0 <= float(u.min()) and float(u.max()) < 1
    n = autograd.normal(autograd.zeros(3), autograd.ones(3))
    assert n.shape == (3,) and n.dtype == np.float32
    g = autograd.Generator().manual_seed(1)
    h = autograd.Generator().manual_seed(1)
    np.testing.assert_array_equal(autograd.randn(3, generator=g).numpy(), autograd.randn(3, generator=h).numpy())


def test_from_numpy_shares_memory_and_keeps_dtype():
    a = np.ones(3)
    t = autograd.from_numpy(a)
    assert t.dtype == np.float64
    a[0] = 5
    t.add_(1)
    np.testing.assert_array_equal(a, [6.0, 2.0, 2.0])
    with pytest.raises(TypeError, match="ndarray"):
        autograd.from_numpy([1, 2])


def test_as_tensor_shares_and_tensor_copies(torch):
    for lib in (autograd, torch):
        a = np.ones(3)
        shared, copied = lib.as_tensor(a), lib.tensor(a)
        a[0] = 5
        assert shared.tolist() == [5.0, 1.0, 1.0] and copied.tolist() == [1.0, 1.0, 1.0]
        t = lib.ones(3)
        assert lib.as_tensor(t) is t
        u = lib.tensor(t.numpy())
        u.add_(1)
        assert t.tolist() == [1.0, 1.0, 1.0]


def test_as_tensor_takes_dtype_and_device(torch):
    for lib in (autograd, torch):
        assert _desc(lib.as_tensor([1.0, 2.0], dtype=lib.float64, device="cpu")) == ("float64", (2,), False, True)
        assert _desc(lib.as_tensor([1, 2], device=lib.device("cpu"))) == ("int64", (2,), False, True)
        assert _desc(lib.as_tensor(np.ones(2, dtype=np.int16), dtype=lib.float32)) == ("float32", (2,), False, True)


def test_new_methods_take_dtype_and_device(torch):
    for lib in (autograd, torch):
        x = lib.ones(2, dtype=lib.float64)
        assert _desc(x.new_zeros(2, 3)) == ("float64", (2, 3), False, True)
        assert _desc(x.new_ones((2,), dtype=lib.int32, device="cpu")) == ("int32", (2,), False, True)
        assert x.new_full((2,), 3.0).tolist() == [3.0, 3.0]
        assert str(x.new_tensor([1, 2]).dtype).endswith("float64")
