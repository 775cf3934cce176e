"""nn.init.eye_, dirac_, orthogonal_ (exact), trunc_normal_ and sparse_ (statistics), generator= everywhere."""
from __future__ import annotations

import numpy as np
import pytest

import autograd
import nn
from autograd import Tensor


@pytest.mark.parametrize("shape", [(3, 3), (2, 5), (5, 2)])
def test_eye_(shape, torch):
    w = Tensor(np.full(shape, 7.0))
    assert nn.init.eye_(w) is w
    np.testing.assert_array_equal(w.numpy(), torch.nn.init.eye_(torch.empty(shape)).numpy())


@pytest.mark.parametrize("shape, groups", [((4, 4, 3), 1), ((6, 3, 3, 3), 2), ((2, 5, 3, 1, 3), 1), ((4, 2, 2, 2), 2)])
def test_dirac_(shape, groups, torch):
    w = Tensor(np.full(shape, 7.0))
    nn.init.dirac_(w, groups)
    np.testing.assert_array_equal(w.numpy(), torch.nn.init.dirac_(torch.empty(shape), groups).numpy())


def test_dirac_conv_passes_its_input_through(rng):
    conv = nn.Conv2d(3, 3, 3, padding=1, bias=False)
    nn.init.dirac_(conv.weight)
    x = Tensor(rng.standard_normal((2, 3, 5, 5)).astype(np.float32))
    np.testing.assert_allclose(conv(x).numpy(), x.numpy(), atol=1e-6)


@pytest.mark.parametrize("shape", [(4, 4), (3, 7), (7, 3), (4, 2, 3, 3)])
def test_orthogonal_(shape):
    w = Tensor(np.zeros(shape))
    nn.init.orthogonal_(w, gain=2.0)
    m = w.numpy().reshape(shape[0], -1) / 2.0
    small = min(m.shape)
    gram = m @ m.T if m.shape[0] <= m.shape[1] else m.T @ m
    np.testing.assert_allclose(gram, np.eye(small), atol=1e-12)


def test_generator_makes_draws_reproducible():
    a, b = Tensor(np.zeros((5, 5))), Tensor(np.zeros((5, 5)))
    for fn in (nn.init.orthogonal_, nn.init.trunc_normal_, nn.init.normal_, nn.init.xavier_uniform_,
               nn.init.kaiming_normal_, lambda t, generator: nn.init.sparse_(t, 0.4, generator=generator)):
        fn(a, generator=autograd.Generator().manual_seed(3))
        fn(b, generator=autograd.Generator().manual_seed(3))
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    autograd.manual_seed(11)
    nn.init.trunc_normal_(a)
    autograd.manual_seed(11)
    nn.init.trunc_normal_(b)
    np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_trunc_normal_statistics():
    w = Tensor(np.zeros((400, 250)))
    nn.init.trunc_normal_(w, mean=0.5, std=1.0, a=-0.5, b=1.0)
    v = w.numpy()
    assert v.min() >= -0.5 and v.max() <= 1.0
    # N(0.5, 1) on [-0.5, 1]: standardised bounds α = -1, β = 0.5; mean = μ + σ(φ(α) − φ(β)) / (Φ(β) − Φ(α))
    phi = lambda z: np.exp(-z * z / 2) / np.sqrt(2 * np.pi)  # noqa: E731
    from math import erf
    cdf = lambda z: 0.5 * (1 + erf(z / np.sqrt(2)))  # noqa: E731
    z = cdf(0.5) - cdf(-1)
    mean = 0.5 + (phi(-1) - phi(0.5)) / z
    var = 1 + (-1 * phi(-1) - 0.5 * phi(0.5)) / z - ((phi(-1) - phi(0.5)) / z) ** 2
    assert abs(v.mean() - mean) < 0.01 and abs(v.var() - var) < 0.01
    d = Tensor(np.zeros(100_000))
    nn.init.trunc_normal_(d, std=0.02)  # the common ViT call: practically an untruncated N(0, 0.02²)
    assert abs(d.numpy().std() - 0.02) < 5e-4 and np.abs(d.numpy()).max() <= 2.0


def test_sparse_statistics():
    w = Tensor(np.zeros((10, 2000)))
    nn.init.sparse_(w, sparsity=0.25, std=0.5)
    v = w.numpy()
    assert ((v == 0).sum(axis=0) == 3).all()  # ⌈0.25·10⌉ zeros in every column
    nz = v[v != 0]
    assert abs(nz.std() - 0.5) < 0.01 and abs(nz.mean()) < 0.01


@pytest.mark.parametrize("call, match", [
    (lambda: nn.init.eye_(Tensor(np.zeros(3))), r"eye_: only tensors with 2 dimensions.*\(3,\)"),
    (lambda: nn.init.dirac_(Tensor(np.zeros((3, 3)))), "dirac_: only tensors with 3, 4, or 5 dimensions"),
    (lambda: nn.init.dirac_(Tensor(np.zeros((3, 3, 3))), groups=2), "divisible by groups"),
    (lambda: nn.init.orthogonal_(Tensor(np.zeros(3))), "orthogonal_: only tensors with 2 or more"),
    (lambda: nn.init.sparse_(Tensor(np.zeros((2, 2, 2))), 0.1), "sparse_: only tensors with 2 dimensions"),
    (lambda: nn.init.trunc_normal_(Tensor(np.zeros(3)), a=1.0, b=-1.0), "trunc_normal_: the bounds"),
])
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()
