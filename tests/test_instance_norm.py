"""InstanceNorm1d/2d, F.instance_norm and LocalResponseNorm: PyTorch's parameters, buffers, train/eval
behaviour and float64 parity (outputs, input and parameter gradients), plus gradchecks."""
import numpy as np
import pytest

import autograd
import nn
from autograd import Tensor
from nn import functional as F

SHAPES = {nn.InstanceNorm1d: (3, 4, 6), nn.InstanceNorm2d: (2, 4, 3, 5)}


def test_defaults_parameters_and_buffers():
    m = nn.InstanceNorm2d(4)
    assert (m.affine, m.track_running_stats, m.eps, m.momentum) == (False, False, 1e-5, 0.1)
    assert list(m.state_dict()) == [] and m.weight is None and m.bias is None
    m = nn.InstanceNorm1d(4, affine=True, track_running_stats=True)
    assert list(m.state_dict()) == ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"]
    assert (m.weight.numpy() == 1).all() and (m.bias.numpy() == 0).all() and (m.running_var.numpy() == 1).all()
    assert [n for n, _ in m.named_parameters()] == ["weight", "bias"]


def test_each_instance_is_normalised(rng):
    x = Tensor(rng.standard_normal((2, 3, 5, 4)) * 3 + 2)
    y = nn.InstanceNorm2d(3)(x).numpy()
    np.testing.assert_allclose(y.mean(axis=(2, 3)), 0, atol=1e-6)
    np.testing.assert_allclose(y.var(axis=(2, 3)), 1, atol=1e-4)


def test_errors():
    with pytest.raises(ValueError, match="3-D or 4-D"):
        nn.InstanceNorm2d(3)(Tensor(np.zeros((2, 3))))
    with pytest.raises(ValueError, match="expected 3 channels"):
        nn.InstanceNorm1d(3, affine=True)(Tensor(np.zeros((2, 4, 5))))
    with pytest.raises(ValueError, match="more than 1 spatial element"):
        F.instance_norm(Tensor(np.zeros((2, 3, 1))))


def _twin(torch, cls, **kw):
    ours = cls(4, dtype=np.float64, **kw)
    theirs = getattr(torch.nn, cls.__name__)(4, dtype=torch.float64, **kw)
    with torch.no_grad():
        for p in theirs.parameters():
            p.uniform_(0.5, 1.5)
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    return ours, theirs


@pytest.mark.parametrize("cls", [nn.InstanceNorm1d, nn.InstanceNorm2d])
@pytest.mark.parametrize("kw", [{}, {"affine": True}, {"affine": True, "track_running_stats": True},
                                {"track_running_stats": True, "momentum": None, "eps": 1e-3}])
def test_parity_with_torch_train_then_eval(torch, cls, kw, rng):
    ours, theirs = _twin(torch, cls, **kw)
    for step in range(3):
        if step == 2:
            ours.eval(), theirs.eval()
        xs = rng.standard_normal(SHAPES[cls]) * 2 + 1
        g = rng.standard_normal(SHAPES[cls])
        x, xt = Tensor(xs, requires_grad=True), torch.tensor(xs, requires_grad=True)
        y, yt = ours(x), theirs(xt)
        np.testing.assert_allclose(y.numpy(), yt.detach().numpy(), rtol=1e-10, atol=1e-10)
        (y * Tensor(g)).sum().backward()
        (yt * torch.tensor(g)).sum().backward()
        np.testing.assert_allclose(x.grad.numpy(), xt.grad.numpy(), rtol=1e-10, atol=1e-10)
        for (name, p), pt in zip(ours.named_parameters(), theirs.parameters()):
            np.testing.assert_allclose(p.grad.numpy(), pt.grad.numpy(), rtol=1e-10, atol=1e-10, err_msg=name)
        ours.zero_grad(), theirs.zero_grad()
        for k, v in theirs.state_dict().items():
            np.testing.assert_allclose(ours.state_dict()[k].numpy(), v.numpy(), rtol=1e-12, err_msg=k)


def test_unbatched_input_matches_torch(torch, rng):
    xs = rng.standard_normal((4, 7))
    ours, theirs = _twin(torch, nn.InstanceNorm1d, affine=True)
    np.testing.assert_allclose(ours(Tensor(xs)).numpy(), theirs(torch.tensor(xs)).detach().numpy(), atol=1e-12)


def test_functional_matches_torch(torch, rng):
    xs, w, b = rng.standard_normal((2, 3, 4, 4)), rng.standard_normal(3), rng.standard_normal(3)
    rm, rv = rng.standard_normal(3), rng.random(3) + 0.5
    ours_rm, ours_rv = Tensor(rm.copy()), Tensor(rv.copy())
    their_rm, their_rv = torch.tensor(rm), torch.tensor(rv)
    for use in (True, False):
        y = F.instance_norm(Tensor(xs), ours_rm, ours_rv, Tensor(w), Tensor(b), use, 0.3, 1e-4)
        yt = torch.nn.functional.instance_norm(torch.tensor(xs), their_rm, their_rv, torch.tensor(w),
                                               torch.tensor(b), use, 0.3, 1e-4)
        np.testing.assert_allclose(y.numpy(), yt.numpy(), rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(ours_rm.numpy(), their_rm.numpy(), rtol=1e-12)
        np.testing.assert_allclose(ours_rv.numpy(), their_rv.numpy(), rtol=1e-12)


@pytest.mark.parametrize("shape", [(2, 3, 4), (1, 2, 3, 3)])
def test_instance_norm_gradcheck(shape, rng):
    x = Tensor(rng.standard_normal(shape), requires_grad=True)
    w, b = (Tensor(rng.standard_normal(shape[1]), requires_grad=True) for _ in range(2))
    assert autograd.gradcheck(lambda x, w, b: F.instance_norm(x, weight=w, bias=b, eps=1e-3), [x, w, b])


@pytest.mark.parametrize("size", [1, 2, 3, 5])
@pytest.mark.parametrize("shape", [(2, 4, 5), (2, 6, 3, 3)])
def test_local_response_norm_matches_torch(torch, size, shape, rng):
    xs, g = rng.standard_normal(shape), rng.standard_normal(shape)
    x, xt = Tensor(xs, requires_grad=True), torch.tensor(xs, requires_grad=True)
    y = nn.LocalResponseNorm(size, alpha=0.5, beta=0.6, k=2.0)(x)
    yt = torch.nn.LocalResponseNorm(size, alpha=0.5, beta=0.6, k=2.0)(xt)
    np.testing.assert_allclose(y.numpy(), yt.detach().numpy(), rtol=1e-10, atol=1e-12)
    (y * Tensor(g)).sum().backward()
    (yt * torch.tensor(g)).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), xt.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_local_response_norm_gradcheck_and_errors(rng):
    x = Tensor(rng.standard_normal((2, 4, 3)), requires_grad=True)
    assert autograd.gradcheck(lambda x: F.local_response_norm(x, 3, alpha=0.5, k=2.0), [x])
    with pytest.raises(ValueError, match="3-D or higher"):
        F.local_response_norm(Tensor(np.ones((2, 3))), 2)
    with pytest.raises(ValueError, match="positive int"):
        nn.LocalResponseNorm(0)
