"""BatchNorm1d/2d against PyTorch (train and eval, running statistics over steps) and dropout statistics."""
from __future__ import annotations

import numpy as np
import pytest

import autograd
import nn
import nn.functional as F
from autograd import Tensor



@pytest.fixture
def torch():
    """PyTorch for the parity tests (skipped where it is not installed)."""
    return pytest.importorskip("torch")


def _pair(ours_cls, ref_cls, c, torch, **kw):
    ours = ours_cls(c, dtype=np.float64, **kw)
    ref = ref_cls(c, **kw).double()
    if ours.affine:
        rng = np.random.default_rng(5)
        ours.weight.data[...] = rng.uniform(0.5, 1.5, c)
        ours.bias.data[...] = rng.standard_normal(c)
        with torch.no_grad():
            ref.weight.copy_(torch.tensor(ours.weight.data))
            ref.bias.copy_(torch.tensor(ours.bias.data))
    return ours, ref


def _step(ours, ref, x, g, torch):
    xt, xr = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, expect = ours(xt), ref(xr)
    np.testing.assert_allclose(out.data, expect.detach().numpy(), atol=1e-10)
    (out * Tensor(g)).sum().backward()
    (expect * torch.tensor(g)).sum().backward()
    np.testing.assert_allclose(xt.grad.data, xr.grad.numpy(), atol=1e-9)
    if ours.affine:
        for name in ("weight", "bias"):
            ours_g, ref_g = getattr(ours, name).grad, getattr(ref, name).grad
            np.testing.assert_allclose(ours_g.data, ref_g.numpy(), atol=1e-9)
            getattr(ours, name).grad, getattr(ref, name).grad = None, None


@pytest.mark.parametrize("cls,shape", [("BatchNorm1d", (8, 3)), ("BatchNorm1d", (4, 3, 5)),
                                       ("BatchNorm2d", (4, 3, 5, 6))])
@pytest.mark.parametrize("kw", [{}, {"momentum": 0.3, "eps": 1e-3}, {"momentum": None}, {"affine": False},
                                {"track_running_stats": False}])
def test_batchnorm_matches_torch_train_then_eval(cls, shape, kw, rng, torch):
    ours, ref = _pair(getattr(nn, cls), getattr(torch.nn, cls), shape[1], torch, **kw)
    for step in range(4):
        x = rng.standard_normal(shape) * (1 + step) + step
        _step(ours, ref, x, rng.standard_normal(shape), torch)
        if ours.track_running_stats:
            np.testing.assert_allclose(ours.running_mean.data, ref.running_mean.numpy(), atol=1e-12)
            np.testing.assert_allclose(ours.running_var.data, ref.running_var.numpy(), atol=1e-12)
            assert int(ours.num_batches_tracked.data) == int(ref.num_batches_tracked) == step + 1
    ours.eval()
    ref.eval()
    _step(ours, ref, rng.standard_normal(shape) + 2, rng.standard_normal(shape), torch)


def test_batchnorm_buffers_state_dict_and_dtype():
    bn = nn.BatchNorm2d(4)
    assert list(bn.state_dict()) == ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"]
    assert [n for n, _ in bn.named_buffers()] == ["running_mean", "running_var", "num_batches_tracked"]
    x = Tensor(np.random.default_rng(0).standard_normal((2, 4, 3, 3)).astype(np.float32), requires_grad=True)
    out = bn(x)
    out.sum().backward()
    assert out.dtype == x.grad.dtype == bn.running_var.dtype == np.float32
    assert bn.running_mean.data.dtype == np.float32


def test_batchnorm_errors():
    with pytest.raises(ValueError, match="4 channels"):
        nn.BatchNorm2d(4)(Tensor(np.zeros((2, 3, 2, 2), dtype=np.float32)))
    with pytest.raises(ValueError, match="4-D"):
        nn.BatchNorm2d(3)(Tensor(np.zeros((2, 3), dtype=np.float32)))
    with pytest.raises(ValueError, match="more than 1 value"):
        nn.BatchNorm1d(3)(Tensor(np.zeros((1, 3), dtype=np.float32)))
    nn.BatchNorm1d(3).eval()(Tensor(np.zeros((1, 3), dtype=np.float32)))  # fine in eval


def test_batch_norm_functional_is_twice_differentiable(rng):
    x = Tensor(rng.standard_normal((5, 2, 3)), requires_grad=True)
    w = Tensor(rng.uniform(0.5, 1.5, 2), requires_grad=True)

    def grad_norm(x, w):
        y = F.batch_norm(x, None, None, w, None, training=True).tanh()
        gx, = autograd.grad((y * y).sum(), [x], create_graph=True)
        return (gx * gx).sum()

    assert autograd.gradcheck(grad_norm, [x, w], atol=1e-4)


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_dropout_statistics(p):
    x = Tensor(np.ones((400, 500), dtype=np.float32), requires_grad=True)
    drop = nn.Dropout(p)
    out = drop(x)
    zeroed = (out.data == 0).mean()
    assert abs(zeroed - p) < 0.01
    assert abs(out.data.mean() - 1.0) < 0.02                       # inverted dropout preserves the mean
    np.testing.assert_allclose(out.data[out.data != 0], 1 / (1 - p), rtol=1e-6)
    out.sum().backward()
    np.testing.assert_array_equal(x.grad.data, out.data)           # the gradient is the same mask
    assert out.dtype == np.float32
    drop.eval()
    assert drop(x) is x or np.array_equal(drop(x).data, x.data)


def test_dropout_seeded_and_edge_cases():
    x = Tensor(np.ones((50, 50)))
    autograd.manual_seed(3)
    a = F.dropout(x, 0.5).data
    autograd.manual_seed(3)
    np.testing.assert_array_equal(a, F.dropout(x, 0.5).data)
    assert not np.array_equal(a, F.dropout(x, 0.5).data)
    assert np.array_equal(F.dropout(x, 0.0).data, x.data)
    assert not F.dropout(x, 1.0).data.any()
    assert np.array_equal(F.dropout(x, 0.9, training=False).data, x.data)
    with pytest.raises(ValueError, match="probability"):
        nn.Dropout(1.5)
