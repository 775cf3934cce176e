"""ConvTranspose2d/1d, Conv1d and the 1-D / adaptive-max pools: PyTorch parity (float64), gradcheck,
init, reprs, errors; a DCGAN-sized generator and discriminator against torch."""
from __future__ import annotations

import math

import numpy as np
import pytest

import autograd
import nn
import nn.functional as F
from autograd import Tensor


def _copy_into(ours, ref, torch):
    """Copy tracegrad's parameters into the torch module (same names)."""
    theirs = dict(ref.named_parameters())
    with torch.no_grad():
        for name, p in ours.named_parameters():
            theirs[name].copy_(torch.tensor(p.numpy()))


def _check_module(ours, ref, shape, rng, torch, atol=1e-10, **call):
    """Output, input gradient and every parameter gradient of ``ours`` against the torch module ``ref``."""
    _copy_into(ours, ref, torch)
    x = rng.standard_normal(shape)
    xt, xr = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, expect = ours(xt, **call), ref(xr, **call)
    assert out.shape == tuple(expect.shape)
    np.testing.assert_allclose(out.data, expect.detach().numpy(), atol=atol)
    g = rng.standard_normal(out.shape)
    (out * Tensor(g)).sum().backward()
    (expect * torch.tensor(g)).sum().backward()
    np.testing.assert_allclose(xt.grad.data, xr.grad.numpy(), atol=atol)
    theirs = dict(ref.named_parameters())
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(p.grad.data, theirs[name].grad.numpy(), atol=atol, err_msg=name)


CT2_VARIANTS = [  # (x shape, out channels, kernel, stride, padding, output_padding, groups, dilation, bias)
    ((2, 3, 4, 5), 4, 3, 1, 0, 0, 1, 1, True),
    ((2, 3, 4, 5), 2, 3, 2, 1, 1, 1, 1, True),
    ((2, 4, 3, 3), 6, (3, 2), (2, 3), (1, 0), (1, 2), 2, 1, False),
    ((1, 2, 4, 4), 3, 3, 1, 1, 0, 1, 2, True),
    ((2, 2, 3, 4), 2, 3, 1, 2, (1, 0), 1, 2, True),    # output_padding >= stride (dilated kernel)
    ((2, 2, 3, 3), 2, 2, 1, 0, 1, 1, 3, True),          # output_padding past the uncropped output
    ((2, 4, 3, 3), 4, 4, 2, 1, 0, 4, 1, True),          # depthwise
    ((3, 6, 1, 1), 5, 4, 1, 0, 0, 1, 1, False),         # DCGAN's first layer: 1x1 latent -> 4x4
    ((2, 3, 5, 5), 3, 4, 2, 1, 0, 1, 1, True),          # DCGAN's doubling layer
]


@pytest.mark.parametrize("shape,cout,k,s,p,op,g,d,bias", CT2_VARIANTS)
def test_conv_transpose2d_module_matches_torch(shape, cout, k, s, p, op, g, d, bias, rng, torch):
    kw = dict(stride=s, padding=p, output_padding=op, groups=g, dilation=d, bias=bias)
    ours = nn.ConvTranspose2d(shape[1], cout, k, dtype=np.float64, **kw)
    ref = torch.nn.ConvTranspose2d(shape[1], cout, k, **kw).double()
    assert ours.weight.shape == tuple(ref.weight.shape) and repr(ours) == repr(ref)
    _check_module(ours, ref, shape, rng, torch)


@pytest.mark.parametrize("shape,cout,k,s,p,op,g,d,bias", CT2_VARIANTS[:5])
def test_conv_transpose2d_unbatched_matches_torch(shape, cout, k, s, p, op, g, d, bias, rng, torch):
    kw = dict(stride=s, padding=p, output_padding=op, groups=g, dilation=d)
    w = rng.standard_normal((shape[1], cout // g) + ((k, k) if isinstance(k, int) else k))
    x = rng.standard_normal(shape[1:])
    out = F.conv_transpose2d(Tensor(x), Tensor(w), **kw)
    np.testing.assert_allclose(out.data, torch.nn.functional.conv_transpose2d(torch.tensor(x), torch.tensor(w),
                                                                               **kw).numpy(), atol=1e-10)


@pytest.mark.parametrize("size", [(9, 9), (10, 10), [2, 3, 9, 10]])
def test_conv_transpose2d_output_size(size, rng, torch):
    ours = nn.ConvTranspose2d(3, 2, 3, stride=2, padding=1, dtype=np.float64)
    ref = torch.nn.ConvTranspose2d(3, 2, 3, stride=2, padding=1).double()
    _check_module(ours, ref, (2, 3, 5, 5), rng, torch, output_size=size)
    with pytest.raises(ValueError, match="valid sizes range from 9 to 10"):
        ours(Tensor(np.zeros((2, 3, 5, 5))), output_size=(11, 11))


CONV1D_VARIANTS = [  # (x shape, out channels, kernel, stride, padding, dilation, groups, bias)
    ((2, 3, 10), 4, 3, 1, 0, 1, 1, True),
    ((2, 3, 10), 5, 3, 2, 1, 1, 1, False),
    ((1, 4, 12), 6, 3, 1, 2, 2, 2, True),
    ((2, 4, 9), 4, 5, 1, "same", 1, 4, True),
    ((2, 2, 7), 3, 1, 3, 0, 1, 1, True),
]


@pytest.mark.parametrize("shape,cout,k,s,p,d,g,bias", CONV1D_VARIANTS)
def test_conv1d_module_matches_torch(shape, cout, k, s, p, d, g, bias, rng, torch):
    kw = dict(stride=s, padding=p, dilation=d, groups=g, bias=bias)
    ours, ref = nn.Conv1d(shape[1], cout, k, dtype=np.float64, **kw), torch.nn.Conv1d(shape[1], cout, k, **kw).double()
    assert ours.weight.shape == tuple(ref.weight.shape) and repr(ours) == repr(ref)
    _check_module(ours, ref, shape, rng, torch)


@pytest.mark.parametrize("shape,cout,k,s,p,op,g,d", [((2, 3, 6), 4, 3, 2, 1, 1, 1, 1), ((1, 4, 5), 2, 4, 1, 0, 0, 2, 2),
                                                    ((2, 2, 4), 3, 3, 3, 2, 2, 1, 1)])
def test_conv_transpose1d_module_matches_torch(shape, cout, k, s, p, op, g, d, rng, torch):
    kw = dict(stride=s, padding=p, output_padding=op, groups=g, dilation=d)
    ours = nn.ConvTranspose1d(shape[1], cout, k, dtype=np.float64, **kw)
    ref = torch.nn.ConvTranspose1d(shape[1], cout, k, **kw).double()
    assert ours.weight.shape == tuple(ref.weight.shape) and repr(ours) == repr(ref)
    _check_module(ours, ref, shape, rng, torch)


@pytest.mark.parametrize("make", [
    lambda m: m.MaxPool1d(2), lambda m: m.MaxPool1d(3, 2, 1), lambda m: m.AvgPool1d(3, 2, 1),
    lambda m: m.AvgPool1d(3, 2, 1, count_include_pad=False), lambda m: m.AvgPool1d(2),
    lambda m: m.AdaptiveAvgPool1d(4), lambda m: m.AdaptiveAvgPool1d(1), lambda m: m.AdaptiveMaxPool1d(3),
    lambda m: m.AdaptiveMaxPool2d((2, 3)), lambda m: m.AdaptiveMaxPool2d(3), lambda m: m.AdaptiveMaxPool2d((None, 2)),
    lambda m: m.AdaptiveMaxPool2d(1)])
def test_pools_match_torch(make, rng, torch):
    ours, ref = make(nn), make(torch.nn)
    assert repr(ours) == repr(ref)
    shape = (2, 3, 7, 8) if "2d" in repr(ours) else (2, 3, 11)
    _check_module(ours, ref, shape, rng, torch)
    x = rng.standard_normal(shape[1:])   # unbatched
    np.testing.assert_allclose(ours(Tensor(x)).data, ref(torch.tensor(x)).numpy(), atol=1e-12)


def test_functional_1d_pools_match_torch(rng, torch):
    x = rng.standard_normal((2, 3, 9))
    tf = torch.nn.functional
    for ours, theirs in ((F.max_pool1d(Tensor(x), 3, 2, 1), tf.max_pool1d(torch.tensor(x), 3, 2, 1)),
                         (F.avg_pool1d(Tensor(x), 2), tf.avg_pool1d(torch.tensor(x), 2)),
                         (F.adaptive_avg_pool1d(Tensor(x), 4), tf.adaptive_avg_pool1d(torch.tensor(x), 4))):
        np.testing.assert_allclose(ours.data, theirs.numpy(), atol=1e-12)


def test_gradcheck_small_cases():
    rng = np.random.default_rng(0)
    x = Tensor(rng.standard_normal((1, 2, 3, 3)), requires_grad=True)
    w = Tensor(rng.standard_normal((2, 2, 3, 2)), requires_grad=True)
    b = Tensor(rng.standard_normal(2), requires_grad=True)
    assert autograd.gradcheck(lambda x, w, b: F.conv_transpose2d(x, w, b, stride=2, padding=1, output_padding=1),
                              [x, w, b])
    assert autograd.gradcheck(lambda x, w: F.conv_transpose2d(x, w, stride=1, padding=2, output_padding=1,
                                                             dilation=2), [x, w])
    x1 = Tensor(rng.standard_normal((2, 2, 5)), requires_grad=True)
    w1 = Tensor(rng.standard_normal((4, 1, 3)), requires_grad=True)
    assert autograd.gradcheck(lambda x, w: F.conv1d(x, w, stride=2, padding=1, groups=2), [x1, w1])
    assert autograd.gradcheck(lambda x, w: F.conv_transpose1d(x, w.reshape(2, 2, 3), stride=2), [x1, w1])
    assert autograd.gradcheck(lambda x: F.adaptive_max_pool2d(x, (2, 2)) * 1.0, [x])


def test_conv_transpose2d_second_order():
    rng = np.random.default_rng(1)
    x = Tensor(rng.standard_normal((1, 2, 3, 3)), requires_grad=True)
    w = Tensor(rng.standard_normal((2, 1, 3, 3)), requires_grad=True)

    def grad_norm(x, w):
        out = F.conv_transpose2d(x, w, stride=2, padding=1).tanh()
        gx, gw = autograd.grad(out.sum(), [x, w], create_graph=True)
        return (gx * gx).sum() + (gw * gw).sum()

    assert autograd.gradcheck(grad_norm, [x, w], atol=1e-4)


def test_default_init_names_and_float32():
    autograd.manual_seed(0)
    ct = nn.ConvTranspose2d(4, 6, 3, groups=2)
    bound = 1 / math.sqrt(3 * 3 * 3)         # fan_in = weight.shape[1] * k*k = (out/groups) * 9
    assert ct.weight.shape == (4, 3, 3, 3) and ct.bias.shape == (6,)
    assert 0.8 * bound < np.abs(ct.weight.data).max() <= bound and np.abs(ct.bias.data).max() <= bound
    assert [n for n, _ in ct.named_parameters()] == ["weight", "bias"]
    c1 = nn.Conv1d(4, 6, 5, groups=2)
    assert c1.weight.shape == (6, 2, 5) and np.abs(c1.weight.data).max() <= 1 / math.sqrt(10)
    x = Tensor(np.ones((2, 4, 5, 5), dtype=np.float32), requires_grad=True)
    out = ct(x)
    assert out.dtype == np.float32
    out.sum().backward()
    assert x.grad.dtype == np.float32 and ct.weight.grad.dtype == np.float32


def test_bad_inputs_raise_clear_errors():
    ct = nn.ConvTranspose2d(3, 4, 3)
    with pytest.raises(ValueError, match=r"ConvTranspose2d layer .*expected input with 3 channels, got 5 "
                                         r"\(input shape \(1, 5, 8, 8\)\)"):
        ct(Tensor(np.zeros((1, 5, 8, 8), dtype=np.float32)))
    with pytest.raises(ValueError, match=r"ConvTranspose2d layer .*4-D NCHW.*got shape \(8, 8\)"):
        ct(Tensor(np.zeros((8, 8), dtype=np.float32)))
    with pytest.raises(ValueError, match=r"Conv1d layer .*3-D .*got shape \(1, 3, 8, 8\)"):
        nn.Conv1d(3, 4, 3)(Tensor(np.zeros((1, 3, 8, 8), dtype=np.float32)))
    with pytest.raises(ValueError, match=r"output_padding \(2, 2\) must be smaller"):
        F.conv_transpose2d(Tensor(np.zeros((1, 3, 4, 4))), Tensor(np.zeros((3, 2, 3, 3))), stride=2,
                           output_padding=2)
    with pytest.raises(ValueError, match=r"weight \(2, 2, 3, 3\) expects 2"):
        F.conv_transpose2d(Tensor(np.zeros((1, 3, 4, 4))), Tensor(np.zeros((2, 2, 3, 3))))
    with pytest.raises(ValueError, match="groups"):
        nn.ConvTranspose2d(3, 4, 3, groups=2)
    with pytest.raises(ValueError, match="padding_mode"):
        nn.Conv1d(3, 4, 3, padding_mode="reflect")
    with pytest.raises(ValueError, match="ceil_mode"):
        F.max_pool1d(Tensor(np.zeros((1, 2, 6))), 2, ceil_mode=True)


def _dcgan(torch_nn, nz=100, ngf=8, ndf=8, nc=3):
    """The DCGAN tutorial's generator and discriminator, sized for 32x32 images."""
    g = torch_nn.Sequential(
        torch_nn.ConvTranspose2d(nz, ngf * 4, 4, 1, 0, bias=False), torch_nn.BatchNorm2d(ngf * 4), torch_nn.ReLU(True),
        torch_nn.ConvTranspose2d(ngf * 4, ngf * 2, 4, 2, 1, bias=False), torch_nn.BatchNorm2d(ngf * 2),
        torch_nn.ReLU(True),
        torch_nn.ConvTranspose2d(ngf * 2, ngf, 4, 2, 1, bias=False), torch_nn.BatchNorm2d(ngf), torch_nn.ReLU(True),
        torch_nn.ConvTranspose2d(ngf, nc, 4, 2, 1, bias=False), torch_nn.Tanh())
    d = torch_nn.Sequential(
        torch_nn.Conv2d(nc, ndf, 4, 2, 1, bias=False), torch_nn.LeakyReLU(0.2, inplace=True),
        torch_nn.Conv2d(ndf, ndf * 2, 4, 2, 1, bias=False), torch_nn.BatchNorm2d(ndf * 2),
        torch_nn.LeakyReLU(0.2, inplace=True),
        torch_nn.Conv2d(ndf * 2, ndf * 4, 4, 2, 1, bias=False), torch_nn.BatchNorm2d(ndf * 4),
        torch_nn.LeakyReLU(0.2, inplace=True),
        torch_nn.Conv2d(ndf * 4, 1, 4, 1, 0, bias=False), torch_nn.Sigmoid())
    return g, d


def test_dcgan_generator_and_discriminator_match_torch(rng, torch):
    (g, d), (tg, td) = _dcgan(nn), _dcgan(torch.nn)
    for ours, ref in ((g, tg), (d, td)):
        ours.double()
        ref.double()
        _copy_into(ours, ref, torch)
    z = rng.standard_normal((4, 100, 1, 1))
    zt, zr = Tensor(z, requires_grad=True), torch.tensor(z, requires_grad=True)
    img, timg = g(zt), tg(zr)
    assert img.shape == (4, 3, 32, 32)
    np.testing.assert_allclose(img.data, timg.detach().numpy(), atol=1e-10)
    p, tp = d(img), td(timg)
    np.testing.assert_allclose(p.data, tp.detach().numpy(), atol=1e-10)
    F.binary_cross_entropy(p.reshape(-1), Tensor(np.ones(4))).backward()
    torch.nn.functional.binary_cross_entropy(tp.reshape(-1), torch.ones(4, dtype=torch.float64)).backward()
    np.testing.assert_allclose(zt.grad.data, zr.grad.numpy(), atol=1e-10)
    for ours, ref in ((g, tg), (d, td)):
        theirs = dict(ref.named_parameters())
        for name, prm in ours.named_parameters():
            np.testing.assert_allclose(prm.grad.data, theirs[name].grad.numpy(), atol=1e-10, err_msg=name)
