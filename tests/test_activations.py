"""Every row of the lecture's activation table, functional and Module forms, against PyTorch (float64)."""
from __future__ import annotations

import numpy as np
import pytest

import autograd
import nn
import nn.functional as F
from autograd import Tensor


def _input(rng, shape=(4, 5), away=(0.0,)):
    x = rng.uniform(-3, 3, shape)
    for k in away:  # keep clear of kinks, where subgradient conventions may differ
        x = np.where(np.abs(x - k) < 0.05, x + 0.1, x)
    return x


# name -> (our function, torch function (given torch and the input), kinks to avoid)
CASES = {
    "identity": (F.identity, lambda torch, t: t, ()),
    "hardtanh": (F.hardtanh, lambda torch, t: torch.nn.functional.hardtanh(t), (-1.0, 1.0)),
    "hardtanh_range": (lambda x: F.hardtanh(x, -0.5, 2.0),
                       lambda torch, t: torch.nn.functional.hardtanh(t, -0.5, 2.0), (-0.5, 2.0)),
    "piecewise_linear": (F.piecewise_linear,
                         lambda torch, t: torch.nn.functional.hardtanh(t + 0.5, 0.0, 1.0), (-0.5, 0.5)),
    "sigmoid": (F.sigmoid, lambda torch, t: torch.sigmoid(t), ()),
    "tanh": (F.tanh, lambda torch, t: torch.tanh(t), ()),
    "relu": (F.relu, lambda torch, t: torch.nn.functional.relu(t), (0.0,)),
    "softplus": (F.softplus, lambda torch, t: torch.nn.functional.softplus(t), ()),
    "softplus_beta": (lambda x: F.softplus(x, beta=2.0, threshold=3.0),
                      lambda torch, t: torch.nn.functional.softplus(t, beta=2.0, threshold=3.0), (1.5,)),
    "softmax": (lambda x: F.softmax(x, dim=1), lambda torch, t: torch.softmax(t, 1), ()),
    "softmax0": (lambda x: F.softmax(x, dim=0), lambda torch, t: torch.softmax(t, 0), ()),
    "log_softmax": (lambda x: F.log_softmax(x, dim=-1), lambda torch, t: torch.log_softmax(t, -1), ()),
    "elu": (F.elu, lambda torch, t: torch.nn.functional.elu(t), (0.0,)),
    "elu_alpha": (lambda x: F.elu(x, 0.3), lambda torch, t: torch.nn.functional.elu(t, 0.3), (0.0,)),
    "selu": (F.selu, lambda torch, t: torch.nn.functional.selu(t), (0.0,)),
    "softsign": (F.softsign, lambda torch, t: torch.nn.functional.softsign(t), ()),
    "leaky_relu": (F.leaky_relu, lambda torch, t: torch.nn.functional.leaky_relu(t), (0.0,)),
    "leaky_relu_slope": (lambda x: F.leaky_relu(x, 0.2),
                         lambda torch, t: torch.nn.functional.leaky_relu(t, 0.2), (0.0,)),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_functional_matches_torch(name, rng, torch):
    ours, theirs, away = CASES[name]
    xn = _input(rng, away=away)
    g = rng.standard_normal(xn.shape)
    x = Tensor(xn, requires_grad=True)
    y = ours(x)
    y.backward(g)
    xt = torch.tensor(xn, requires_grad=True)
    yt = theirs(torch, xt)
    yt.backward(torch.tensor(g))
    np.testing.assert_allclose(y.numpy(), yt.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(x.grad.numpy(), xt.grad.numpy(), rtol=1e-10, atol=1e-12)
    assert y.dtype == np.float64


MODULES = {
    "Hardtanh": (nn.Hardtanh(), lambda torch: torch.nn.Hardtanh(), (-1.0, 1.0)),
    "Sigmoid": (nn.Sigmoid(), lambda torch: torch.nn.Sigmoid(), ()),
    "Tanh": (nn.Tanh(), lambda torch: torch.nn.Tanh(), ()),
    "ReLU": (nn.ReLU(), lambda torch: torch.nn.ReLU(), (0.0,)),
    "Softplus": (nn.Softplus(beta=1.5), lambda torch: torch.nn.Softplus(beta=1.5), ()),
    "Softmax": (nn.Softmax(dim=1), lambda torch: torch.nn.Softmax(dim=1), ()),
    "LogSoftmax": (nn.LogSoftmax(dim=1), lambda torch: torch.nn.LogSoftmax(dim=1), ()),
    "ELU": (nn.ELU(alpha=0.7), lambda torch: torch.nn.ELU(alpha=0.7), (0.0,)),
    "SELU": (nn.SELU(), lambda torch: torch.nn.SELU(), (0.0,)),
    "Softsign": (nn.Softsign(), lambda torch: torch.nn.Softsign(), ()),
    "LeakyReLU": (nn.LeakyReLU(0.1), lambda torch: torch.nn.LeakyReLU(0.1), (0.0,)),
    "Identity": (nn.Identity(), lambda torch: torch.nn.Identity(), ()),
}


@pytest.mark.parametrize("name", sorted(MODULES))
def test_module_matches_torch(name, rng, torch):
    ours, make_theirs, away = MODULES[name]
    theirs = make_theirs(torch)
    xn = _input(rng, (3, 4, 2), away)
    x, xt = Tensor(xn, requires_grad=True), torch.tensor(xn, requires_grad=True)
    ours(x).sum().backward()
    y = ours(Tensor(xn))
    theirs(xt).sum().backward()
    np.testing.assert_allclose(y.numpy(), theirs(torch.tensor(xn)).numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(x.grad.numpy(), xt.grad.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("num_parameters,shape", [(1, (4, 3)), (3, (2, 3, 5, 5)), (3, (4, 3)), (1, (6,))])
def test_prelu_matches_torch_with_weight_gradient(num_parameters, shape, rng, torch):
    ours = nn.PReLU(num_parameters, init=0.25)
    theirs = torch.nn.PReLU(num_parameters, init=0.25).double()
    w = rng.uniform(0.05, 0.5, num_parameters)
    ours.weight.data = w.copy()
    with torch.no_grad():
        theirs.weight.copy_(torch.tensor(w))
    xn = _input(rng, shape)
    g = rng.standard_normal(shape)
    x, xt = Tensor(xn, requires_grad=True), torch.tensor(xn, requires_grad=True)
    y, yt = ours(x), theirs(xt)
    y.backward(g)
    yt.backward(torch.tensor(g))
    np.testing.assert_allclose(y.numpy(), yt.detach().numpy(), rtol=1e-10)
    np.testing.assert_allclose(x.grad.numpy(), xt.grad.numpy(), rtol=1e-10)
    np.testing.assert_allclose(ours.weight.grad.numpy(), theirs.weight.grad.numpy(), rtol=1e-10)
    assert [n for n, _ in ours.named_parameters()] == ["weight"]


def test_prelu_wrong_channel_count():
    with pytest.raises(ValueError, match="3 values.*4 channels"):
        nn.PReLU(3)(Tensor(np.ones((2, 4))))


def test_heaviside_values_and_zero_gradient(torch):
    x = Tensor(np.array([-2.0, -0.0, 0.0, 1e-9, 3.0]), requires_grad=True)
    y = F.heaviside(x)
    np.testing.assert_array_equal(y.numpy(), [0, 0.5, 0.5, 1, 1])
    half = torch.tensor(0.5, dtype=torch.float64)
    np.testing.assert_array_equal(y.numpy(), torch.heaviside(torch.tensor(x.numpy()), half).numpy())
    (y * 3.0).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.zeros(5))
    assert nn.Heaviside()(x).requires_grad  # on the graph (viz shows it), but the gradient is zero


def test_sign_values_and_zero_gradient():
    x = Tensor(np.array([-2.0, 0.0, 3.0]), requires_grad=True)
    y = nn.Sign()(x)
    np.testing.assert_array_equal(y.numpy(), [-1, 0, 1])
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.zeros(3))


def test_piecewise_linear_is_the_lectures_ramp():
    x = Tensor(np.array([-1.0, -0.5, -0.25, 0.0, 0.25, 0.5, 2.0]))
    np.testing.assert_allclose(nn.PiecewiseLinear()(x).numpy(), [0, 0, 0.25, 0.5, 0.75, 1, 1])
    np.testing.assert_allclose(nn.Hardtanh()(x).numpy(), [-1, -0.5, -0.25, 0, 0.25, 0.5, 1])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_softplus_is_stable_for_large_inputs(dtype, torch):
    TF = torch.nn.functional
    xn = np.array([-1000.0, -50.0, -1.0, 0.0, 1.0, 19.0, 21.0, 50.0, 1000.0], dtype=dtype)
    x = Tensor(xn, requires_grad=True)
    y = F.softplus(x)
    y.sum().backward()
    xt = torch.tensor(xn, requires_grad=True)
    TF.softplus(xt).sum().backward()
    assert np.isfinite(y.numpy()).all() and np.isfinite(x.grad.numpy()).all()
    tol = 1e-6 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(y.numpy(), TF.softplus(torch.tensor(xn)).numpy(), rtol=tol, atol=tol)
    np.testing.assert_allclose(x.grad.numpy(), xt.grad.numpy(), rtol=tol, atol=tol)
    assert y.dtype == dtype


def test_extreme_inputs_stay_finite():
    xn = np.array([[-1000.0, 0.0, 1000.0]])
    for name, cls in nn.ACTIVATIONS.items():
        x = Tensor(xn, requires_grad=True)
        y = cls()(x)
        y.sum().backward()
        assert np.isfinite(y.numpy()).all(), name
        assert np.isfinite(x.grad.numpy()).all(), name


def test_registry_lists_the_whole_table():
    expected = {"heaviside", "sign", "identity", "piecewise_linear", "hardtanh", "sigmoid", "tanh", "relu", "softplus",
                "softmax", "log_softmax", "elu", "selu", "softsign", "leaky_relu", "prelu"}
    assert set(nn.ACTIVATIONS) == expected
    for name, cls in nn.ACTIVATIONS.items():
        assert issubclass(cls, nn.Module)
        assert cls.__doc__, name
        y = cls()(Tensor(np.linspace(-2, 2, 6).reshape(2, 3)))
        assert y.shape == (2, 3)


def test_activation_reprs():
    assert repr(nn.LeakyReLU(0.2)) == "LeakyReLU(negative_slope=0.2)"
    assert repr(nn.Softmax(dim=1)) == "Softmax(dim=1)"
    assert repr(nn.ReLU()) == "ReLU()"
    assert repr(nn.PReLU(3)) == "PReLU(num_parameters=3)"


def test_bad_arguments():
    with pytest.raises(ValueError):
        nn.Hardtanh(1.0, -1.0)
    with pytest.raises(ValueError):
        nn.Softplus(beta=0)
    with pytest.raises(ValueError):
        nn.PReLU(0)


def test_gradcheck_composed_activations():
    for fn in (F.softplus, F.elu, F.selu, F.softsign, lambda t: F.leaky_relu(t, 0.3)):
        x = Tensor(np.array([-2.1, -0.7, 0.3, 1.9]), requires_grad=True)
        assert autograd.gradcheck(fn, [x])
