"""BatchNorm1d/2d against PyTorch (train and eval, running statistics over steps) and dropout statistics."""
from __future__ import annotations

import numpy as np
import pytest

import autograd
import nn
import nn.functional as F
from autograd import Tensor


def _pair(ours_cls, ref_cls, c, torch, **kw):
    ours = ours_cls(c, dtype=np.float64, **kw)
    ref = ref_cls(c, **kw).double()
    if ours.affine:
        rng = np.random.default_rng(5)
        ours.weight.numpy()[...] = rng.uniform(0.5, 1.5, c)
        ours.bias.numpy()[...] = rng.standard_normal(c)
        with torch.no_grad():
            ref.weight.copy_(torch.tensor(ours.weight.numpy()))
            ref.bias.copy_(torch.tensor(ours.bias.numpy()))
    return ours, ref


def _step(ours, ref, x, g, torch):
    xt, xr = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, expect = ours(xt), ref(xr)
    np.testing.assert_allclose(out.numpy(), expect.detach().numpy(), atol=1e-10)
    (out * Tensor(g)).sum().backward()
    (expect * torch.tensor(g)).sum().backward()
    np.testing.assert_allclose(xt.grad.numpy(), xr.grad.numpy(), atol=1e-9)
    if ours.affine:
        for name in ("weight", "bias"):
            ours_g, ref_g = getattr(ours, name).grad, getattr(ref, name).grad
            np.testing.assert_allclose(ours_g.numpy(), ref_g.numpy(), atol=1e-9)
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
            np.testing.assert_allclose(ours.running_mean.numpy(), ref.running_mean.numpy(), atol=1e-12)
            np.testing.assert_allclose(ours.running_var.numpy(), ref.running_var.numpy(), atol=1e-12)
            assert int(ours.num_batches_tracked.numpy()) == int(ref.num_batches_tracked) == step + 1
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
    assert bn.running_mean.numpy().dtype == np.float32


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
    zeroed = (out.numpy() == 0).mean()
    assert abs(zeroed - p) < 0.01
    assert abs(out.numpy().mean() - 1.0) < 0.02                       # inverted dropout preserves the mean
    np.testing.assert_allclose(out.numpy()[out.numpy() != 0], 1 / (1 - p), rtol=1e-6)
    out.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), out.numpy())           # the gradient is the same mask
    assert out.dtype == np.float32
    drop.eval()
    assert drop(x) is x or np.array_equal(drop(x).numpy(), x.numpy())


def test_dropout_seeded_and_edge_cases():
    x = Tensor(np.ones((50, 50)))
    autograd.manual_seed(3)
    a = F.dropout(x, 0.5).numpy()
    autograd.manual_seed(3)
    np.testing.assert_array_equal(a, F.dropout(x, 0.5).numpy())
    assert not np.array_equal(a, F.dropout(x, 0.5).numpy())
    assert np.array_equal(F.dropout(x, 0.0).numpy(), x.numpy())
    assert not F.dropout(x, 1.0).numpy().any()
    assert np.array_equal(F.dropout(x, 0.9, training=False).numpy(), x.numpy())
    with pytest.raises(ValueError, match="probability"):
        nn.Dropout(1.5)


# ---- LayerNorm and GroupNorm ------------------------------------------------------------------------------
@pytest.mark.parametrize("shape,normalized", [((4, 5), 5), ((2, 3, 4), (3, 4)), ((3, 2, 6), (6,)), ((7,), 7)])
@pytest.mark.parametrize("affine", [True, False])
def test_layer_norm_gradcheck(shape, normalized, affine, rng):
    k = 1 if isinstance(normalized, int) else len(normalized)
    x = Tensor(rng.standard_normal(shape), requires_grad=True)
    ps = [Tensor(rng.standard_normal(shape[-k:]), requires_grad=True) for _ in range(2)] if affine else []
    assert autograd.gradcheck(lambda x, *wb: F.layer_norm(x, normalized, *wb, eps=1e-3), [x, *ps])


@pytest.mark.parametrize("shape,groups", [((2, 6), 3), ((2, 6, 4), 2), ((3, 4, 2, 3), 4), ((2, 4, 3), 1)])
@pytest.mark.parametrize("affine", [True, False])
def test_group_norm_gradcheck(shape, groups, affine, rng):
    x = Tensor(rng.standard_normal(shape), requires_grad=True)
    ps = [Tensor(rng.standard_normal(shape[1]), requires_grad=True) for _ in range(2)] if affine else []
    assert autograd.gradcheck(lambda x, *wb: F.group_norm(x, groups, *wb, eps=1e-3), [x, *ps])


def _module_parity(ours, ref, shape, rng, torch):
    ours.double()
    ref.double()
    with torch.no_grad():
        for (name, p), (tname, tp) in zip(ours.named_parameters(), ref.named_parameters()):
            assert name == tname
            p.numpy()[...] = rng.standard_normal(p.shape)
            tp.copy_(torch.tensor(p.numpy()))
    x = rng.standard_normal(shape) * 3 + 1
    g = rng.standard_normal(shape)
    xt, xr = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, expect = ours(xt), ref(xr)
    np.testing.assert_allclose(out.numpy(), expect.detach().numpy(), rtol=0, atol=1e-12)
    (out * Tensor(g)).sum().backward()
    (expect * torch.tensor(g)).sum().backward()
    np.testing.assert_allclose(xt.grad.numpy(), xr.grad.numpy(), rtol=0, atol=1e-12)
    for (name, p), tp in zip(ours.named_parameters(), ref.parameters()):
        np.testing.assert_allclose(p.grad.numpy(), tp.grad.numpy(), rtol=0, atol=1e-12, err_msg=name)
    assert repr(ours) == repr(ref)


@pytest.mark.parametrize("shape,normalized", [((4, 5), 5), ((2, 3, 4), (3, 4)), ((2, 3, 4), [4])])
@pytest.mark.parametrize("kw", [{}, {"eps": 1e-3}, {"bias": False}, {"elementwise_affine": False}])
def test_layer_norm_matches_torch(shape, normalized, kw, rng, torch):
    _module_parity(nn.LayerNorm(normalized, **kw), torch.nn.LayerNorm(normalized, **kw), shape, rng, torch)


@pytest.mark.parametrize("shape,groups", [((4, 6), 3), ((2, 6, 5), 2), ((2, 4, 3, 3), 4), ((2, 4, 3), 1)])
@pytest.mark.parametrize("kw", [{}, {"eps": 1e-2}, {"affine": False}])
def test_group_norm_matches_torch(shape, groups, kw, rng, torch):
    _module_parity(nn.GroupNorm(groups, shape[1], **kw), torch.nn.GroupNorm(groups, shape[1], **kw), shape, rng,
                   torch)


def test_layer_and_group_norm_init_and_names():
    ln, gn = nn.LayerNorm((2, 3)), nn.GroupNorm(2, 4)
    assert [n for n, _ in ln.named_parameters()] == ["weight", "bias"] == [n for n, _ in gn.named_parameters()]
    np.testing.assert_array_equal(ln.weight.numpy(), np.ones((2, 3), np.float32))
    np.testing.assert_array_equal(ln.bias.numpy(), np.zeros((2, 3), np.float32))
    np.testing.assert_array_equal(gn.weight.numpy(), np.ones(4, np.float32))
    assert ln.weight.dtype == gn.bias.dtype == np.float32
    assert nn.LayerNorm(3, bias=False).bias is None and "bias" not in nn.LayerNorm(3, bias=False).state_dict()
    assert nn.GroupNorm(2, 4, affine=False).weight is None


def test_layer_and_group_norm_errors():
    with pytest.raises(ValueError, match=r"LayerNorm.*\(3, 4\).*\(\*, 3, 4\).*\(2, 4, 3\)"):
        nn.LayerNorm((3, 4))(Tensor(np.zeros((2, 4, 3), np.float32)))
    with pytest.raises(ValueError, match="LayerNorm.*normalized_shape"):
        nn.LayerNorm(0)
    with pytest.raises(ValueError, match="layer_norm.*weight"):
        F.layer_norm(Tensor(np.zeros((2, 3))), 3, Tensor(np.ones(4)))
    with pytest.raises(ValueError, match=r"num_channels \(4\) must be divisible by num_groups \(3\)"):
        nn.GroupNorm(3, 4)
    with pytest.raises(ValueError, match=r"GroupNorm.*\(N, 4, \*\).*\(2, 3, 5\)"):
        nn.GroupNorm(2, 4)(Tensor(np.zeros((2, 3, 5), np.float32)))
    with pytest.raises(ValueError, match="group_norm.*divisible by num_groups=2"):
        F.group_norm(Tensor(np.zeros((2, 3))), 2)


def test_dropout_inplace_keyword_is_accepted(torch):
    assert repr(nn.Dropout(0.2, inplace=True)) == repr(torch.nn.Dropout(0.2, inplace=True))
    assert repr(nn.Dropout()) == repr(torch.nn.Dropout())
    x = Tensor(np.ones((3, 4)))
    assert np.array_equal(F.dropout(x, 0.5, training=False, inplace=True).numpy(), x.numpy())
