"""Conv2d, pooling, padding and unfold/fold: PyTorch parity (float64), dtypes, errors, second order."""
from __future__ import annotations

import math

import numpy as np
import pytest

import autograd
import nn
import nn.functional as F
from autograd import Tensor


@pytest.fixture
def TF(torch):  # noqa: N802 - torch.nn.functional's usual name
    return torch.nn.functional


def _pair(rng, shapes, torch):
    """The same random float64 inputs as tracegrad and torch leaves."""
    xs = [rng.standard_normal(s) for s in shapes]
    return [Tensor(x, requires_grad=True) for x in xs], [torch.tensor(x, requires_grad=True) for x in xs]


def _compare(fn, tfn, shapes, rng, torch, atol=1e-10):
    ours, theirs = _pair(rng, shapes, torch)
    out, ref = fn(*ours), tfn(*theirs)
    assert out.shape == tuple(ref.shape)
    np.testing.assert_allclose(out.data, ref.detach().numpy(), atol=atol)
    g = rng.standard_normal(out.shape)
    (out * Tensor(g)).sum().backward()
    (ref * torch.tensor(g)).sum().backward()
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.grad.data, b.grad.numpy(), atol=atol)


CONV_VARIANTS = [  # (x shape, out channels, kernel, stride, padding, dilation, groups, bias)
    ((2, 3, 7, 6), 4, 3, 1, 0, 1, 1, True),
    ((2, 3, 7, 6), 5, 3, 1, 1, 1, 1, False),
    ((2, 3, 9, 8), 4, (3, 2), 2, 1, 1, 1, True),
    ((1, 2, 9, 9), 3, 3, (2, 1), (2, 0), 2, 1, True),
    ((2, 4, 6, 7), 6, 3, 1, 1, 1, 2, True),
    ((2, 4, 6, 6), 4, 3, 2, 1, 1, 4, False),          # depthwise
    ((3, 6, 5, 5), 6, 1, 1, 0, 1, 3, True),           # grouped 1x1
    ((2, 2, 5, 5), 3, 5, 1, 2, 1, 1, True),
]


@pytest.mark.parametrize("shape,cout,k,s,p,d,g,bias", CONV_VARIANTS)
def test_conv2d_module_matches_torch(shape, cout, k, s, p, d, g, bias, rng, torch):
    ours = nn.Conv2d(shape[1], cout, k, stride=s, padding=p, dilation=d, groups=g, bias=bias, dtype=np.float64)
    ref = torch.nn.Conv2d(shape[1], cout, k, stride=s, padding=p, dilation=d, groups=g, bias=bias).double()
    with torch.no_grad():
        ref.weight.copy_(torch.tensor(ours.weight.numpy()))
        if bias:
            ref.bias.copy_(torch.tensor(ours.bias.numpy()))
    x = rng.standard_normal(shape)
    xt, xr = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, expect = ours(xt), ref(xr)
    np.testing.assert_allclose(out.data, expect.detach().numpy(), atol=1e-10)
    g_out = rng.standard_normal(out.shape)
    (out * Tensor(g_out)).sum().backward()
    (expect * torch.tensor(g_out)).sum().backward()
    np.testing.assert_allclose(xt.grad.data, xr.grad.numpy(), atol=1e-10)
    np.testing.assert_allclose(ours.weight.grad.data, ref.weight.grad.numpy(), atol=1e-10)
    if bias:
        np.testing.assert_allclose(ours.bias.grad.data, ref.bias.grad.numpy(), atol=1e-10)


def test_conv2d_same_padding_matches_torch(rng, torch, TF):
    _compare(lambda x, w: F.conv2d(x, w, padding="same", dilation=2),
             lambda x, w: TF.conv2d(x, w, padding="same", dilation=2), [(2, 3, 7, 6), (4, 3, 3, 3)], rng, torch)


@pytest.mark.parametrize("k,s,p", [(2, None, 0), (3, 2, 1), ((2, 3), (1, 2), (1, 1)), (3, 1, 0)])
def test_max_pool2d_matches_torch(k, s, p, rng, torch, TF):
    _compare(lambda x: F.max_pool2d(x, k, s, p), lambda x: TF.max_pool2d(x, k, s, p), [(2, 3, 7, 6)], rng, torch)
    mod = nn.MaxPool2d(k, s, p)
    assert mod(Tensor(np.zeros((1, 1, 7, 6)))).shape == tuple(TF.max_pool2d(torch.zeros(1, 1, 7, 6), k, s, p).shape)


@pytest.mark.parametrize("k,s,p,inc", [(2, None, 0, True), (3, 2, 1, True), (3, 2, 1, False),
                                       ((2, 3), 1, (1, 0), False)])
def test_avg_pool2d_matches_torch(k, s, p, inc, rng, torch, TF):
    _compare(lambda x: nn.AvgPool2d(k, s, p, count_include_pad=inc)(x),
             lambda x: TF.avg_pool2d(x, k, s, p, count_include_pad=inc), [(2, 3, 7, 6)], rng, torch)


@pytest.mark.parametrize("size", [1, (2, 3), (3, 4), (None, 2), 5])
def test_adaptive_avg_pool2d_matches_torch(size, rng, torch, TF):
    _compare(lambda x: nn.AdaptiveAvgPool2d(size)(x), lambda x: TF.adaptive_avg_pool2d(x, size), [(2, 3, 8, 6)],
             rng, torch)


@pytest.mark.parametrize("widths", [(1, 2), (1, 2, 0, 3), (0, 1, 2, 0, 1, 1)])
def test_pad_matches_torch(widths, rng, torch, TF):
    _compare(lambda x: F.pad(x, widths, value=0.5), lambda x: TF.pad(x, widths, value=0.5), [(2, 3, 4, 5)], rng, torch)


def test_unfold_and_fold_match_torch(rng, torch, TF):
    kw = dict(kernel_size=(2, 3), dilation=(1, 2), padding=1, stride=2)
    _compare(lambda x: F.unfold(x, **kw), lambda x: TF.unfold(x, **kw), [(2, 3, 7, 8)], rng, torch)
    n_cols = TF.unfold(torch.zeros(2, 3, 7, 8), **kw).shape[-1]
    _compare(lambda c: F.fold(c, (7, 8), **kw), lambda c: TF.fold(c, (7, 8), **kw), [(2, 18, n_cols)], rng, torch)


def test_float32_stays_float32():
    conv = nn.Conv2d(3, 4, 3, padding=1)
    x = Tensor(np.ones((2, 3, 5, 5), dtype=np.float32), requires_grad=True)
    out = F.max_pool2d(conv(x), 2)
    out = F.avg_pool2d(out, 2, padding=1, count_include_pad=False) + F.adaptive_avg_pool2d(out, (3, 1)).sum()
    assert out.dtype == np.float32
    out.sum().backward()
    assert x.grad.dtype == np.float32 and conv.weight.grad.dtype == np.float32


def test_default_init_bounds_and_names():
    autograd.manual_seed(0)
    conv = nn.Conv2d(4, 6, 3, groups=2)
    bound = 1 / math.sqrt(2 * 3 * 3)          # kaiming_uniform(a=√5) and the bias both give 1/√fan_in
    assert conv.weight.shape == (6, 2, 3, 3) and conv.bias.shape == (6,)
    assert np.abs(conv.weight.data).max() <= bound and np.abs(conv.weight.data).max() > 0.8 * bound
    assert np.abs(conv.bias.data).max() <= bound
    assert [n for n, _ in conv.named_parameters()] == ["weight", "bias"]
    assert repr(conv) == "Conv2d(4, 6, kernel_size=(3, 3), stride=(1, 1), groups=2)"


def test_conv_second_order():
    rng = np.random.default_rng(0)
    x = Tensor(rng.standard_normal((1, 2, 4, 4)), requires_grad=True)
    w = Tensor(rng.standard_normal((2, 2, 2, 2)), requires_grad=True)

    def grad_norm(x, w):
        out = F.max_pool2d(F.conv2d(x, w, padding=1, stride=1).tanh(), 2)
        gx, gw = autograd.grad(out.sum(), [x, w], create_graph=True)
        return (gx * gx).sum() + (gw * gw).sum()

    assert autograd.gradcheck(grad_norm, [x, w], atol=1e-4)


def test_bad_inputs_raise_clear_errors():
    conv = nn.Conv2d(3, 4, 3)
    with pytest.raises(ValueError, match="NCHW"):
        conv(Tensor(np.zeros((3, 8, 8), dtype=np.float32)))
    with pytest.raises(ValueError, match="NCHW"):
        F.conv2d(Tensor(np.zeros((3, 8, 8))), Tensor(np.zeros((4, 3, 3, 3))))
    with pytest.raises(ValueError, match=r"3 channels.*got 5"):
        conv(Tensor(np.zeros((1, 5, 8, 8), dtype=np.float32)))
    with pytest.raises(ValueError, match=r"5 channels.*expects 3"):
        F.conv2d(Tensor(np.zeros((1, 5, 8, 8))), Tensor(np.zeros((4, 3, 3, 3))))
    with pytest.raises(ValueError, match="groups"):
        nn.Conv2d(3, 4, 3, groups=2)
    with pytest.raises(ValueError, match="smaller than"):
        conv(Tensor(np.zeros((1, 3, 2, 2), dtype=np.float32)))
    with pytest.raises(ValueError, match="NCHW"):
        F.max_pool2d(Tensor(np.zeros((4, 4))), 2)
    with pytest.raises(ValueError, match="half the kernel"):
        F.max_pool2d(Tensor(np.zeros((1, 1, 4, 4))), 2, padding=2)
    with pytest.raises(ValueError, match="even number"):
        F.pad(Tensor(np.zeros((2, 2))), (1, 2, 3))
