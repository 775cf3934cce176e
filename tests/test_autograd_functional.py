"""torch.autograd.functional's jacobian / hessian / vjp / jvp / hvp / vhp, equal to torch's."""
import numpy as np
import pytest

import autograd
from autograd.autograd import functional as AF

X = np.array([0.5, -1.0, 2.0])
Y = np.array([1.0, 2.0])
V = np.array([1.0, 2.0, 3.0])


def _f(x):
    return (x ** 3).sum() + x[0] * x[1]


def _flat(z):
    if isinstance(z, tuple):
        return [u for w in z for u in _flat(w)]
    return [z.detach().numpy()]


CASES = {
    "hessian": lambda F, L: F.hessian(_f, L.tensor(X)),
    "jacobian": lambda F, L: F.jacobian(lambda x: x.exp() * x.sum(), L.tensor(X)),
    "jacobian_tuples": lambda F, L: F.jacobian(lambda x, y: (x * y.sum(), x.exp()), (L.tensor(X), L.tensor(Y))),
    "vjp": lambda F, L: F.vjp(lambda x: x.exp(), L.tensor(X), L.tensor(V)),
    "jvp": lambda F, L: F.jvp(lambda x: x.exp() * x, L.tensor(X), L.tensor(V)),
    "hvp": lambda F, L: F.hvp(_f, L.tensor(X), L.tensor(V)),
    "vhp": lambda F, L: F.vhp(_f, L.tensor(X), L.tensor(V)),
}


@pytest.mark.parametrize("name", list(CASES))
def test_matches_torch(torch, name):
    import torch.autograd.functional as TF
    ours, theirs = _flat(CASES[name](AF, autograd)), _flat(CASES[name](TF, torch))
    assert [a.shape for a in ours] == [b.shape for b in theirs]
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_importable_by_torchs_path_after_the_import_change():
    from autograd.autograd.functional import hessian
    h = hessian(lambda x: (x * x).sum(), autograd.tensor([1.0, 2.0]))
    np.testing.assert_allclose(h.numpy(), 2 * np.eye(2))
    assert autograd.autograd.functional.jacobian is AF.jacobian


def test_bad_inputs_are_named():
    with pytest.raises(TypeError, match="inputs must be a Tensor or a tuple of Tensors"):
        AF.jacobian(lambda x: x, [1.0, 2.0])
    with pytest.raises(RuntimeError, match="hessian: func must return a single-element Tensor"):
        AF.hessian(lambda x: x * 2, autograd.tensor([1.0, 2.0]))
