"""Upsample / interpolate, Unflatten, the constant pads, channel dropout and pixel shuffle: PyTorch parity
(float64), gradcheck, reprs, errors."""
from __future__ import annotations

import numpy as np
import pytest

import autograd
import nn
import nn.functional as F
from autograd import Tensor


def _compare(fn, tfn, shape, rng, torch, atol=1e-10):
    """Output and input gradient of ``fn`` against ``tfn`` on the same random float64 input."""
    x = rng.standard_normal(shape)
    xt, xr = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, ref = fn(xt), tfn(xr)
    assert out.shape == tuple(ref.shape)
    np.testing.assert_allclose(out.data, ref.detach().numpy(), atol=atol)
    g = rng.standard_normal(out.shape)
    (out * Tensor(g)).sum().backward()
    (ref * torch.tensor(g)).sum().backward()
    np.testing.assert_allclose(xt.grad.data, xr.grad.numpy(), atol=atol)


INTERP = [  # (input shape, kwargs)
    ((2, 3, 4, 5), dict(scale_factor=2)),
    ((2, 3, 4, 5), dict(scale_factor=3, mode="nearest")),
    ((2, 3, 5, 7), dict(size=(8, 3))),
    ((2, 3, 5, 7), dict(size=11)),
    ((1, 2, 7, 6), dict(scale_factor=(1.5, 0.7))),
    ((1, 2, 7, 6), dict(scale_factor=1.7, recompute_scale_factor=True)),
    ((2, 3, 5, 7), dict(size=(8, 3), mode="nearest-exact")),
    ((2, 3, 4, 5), dict(scale_factor=2, mode="bilinear")),
    ((2, 3, 4, 5), dict(scale_factor=2, mode="bilinear", align_corners=False)),
    ((2, 3, 4, 5), dict(scale_factor=2, mode="bilinear", align_corners=True)),
    ((2, 3, 5, 7), dict(size=(9, 4), mode="bilinear", align_corners=False)),
    ((2, 3, 5, 7), dict(size=(9, 4), mode="bilinear", align_corners=True)),
    ((1, 2, 7, 6), dict(scale_factor=(1.5, 0.7), mode="bilinear")),
    ((1, 2, 7, 6), dict(scale_factor=2.3, mode="bilinear", recompute_scale_factor=True)),
    ((1, 2, 1, 6), dict(size=(3, 1), mode="bilinear", align_corners=True)),
    ((1, 2, 8, 4), dict(scale_factor=(1.01, 2.57))),                     # an axis whose size is unchanged
    ((1, 2, 8, 4), dict(scale_factor=(1.01, 2.57), mode="bilinear")),
    ((1, 2, 8, 4), dict(scale_factor=(1.01, 2.57), mode="nearest-exact")),
    ((2, 3, 6), dict(scale_factor=2)),
    ((2, 3, 6), dict(size=13)),
    ((2, 3, 6), dict(scale_factor=1.6)),
    ((2, 3, 6), dict(size=13, mode="linear")),
    ((2, 3, 6), dict(size=4, mode="linear", align_corners=True)),
]


@pytest.mark.parametrize("shape,kw", INTERP)
def test_interpolate_matches_torch(shape, kw, rng, torch):
    _compare(lambda x: F.interpolate(x, **kw), lambda x: torch.nn.functional.interpolate(x, **kw), shape, rng, torch)


@pytest.mark.parametrize("shape,kw", INTERP[:3] + INTERP[7:10])
def test_interpolate_float32_matches_torch(shape, kw, rng, torch):
    x = rng.standard_normal(shape).astype(np.float32)
    out = F.interpolate(Tensor(x), **kw)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out.data, torch.nn.functional.interpolate(torch.tensor(x), **kw).numpy(), atol=1e-6)


@pytest.mark.parametrize("make", [
    lambda m: m.Upsample(scale_factor=2), lambda m: m.Upsample(size=(4, 9), mode="bilinear"),
    lambda m: m.Upsample(scale_factor=(2, 3), mode="bilinear", align_corners=True),
    lambda m: m.UpsamplingNearest2d(scale_factor=2), lambda m: m.UpsamplingBilinear2d(size=7)])
def test_upsample_modules_match_torch(make, rng, torch):
    ours, ref = make(nn), make(torch.nn)
    assert repr(ours) == repr(ref)
    _compare(ours, ref, (2, 3, 5, 4), rng, torch)


def test_interpolate_gradcheck():
    x = Tensor(np.random.default_rng(0).standard_normal((1, 2, 3, 4)), requires_grad=True)
    assert autograd.gradcheck(lambda x: F.interpolate(x, size=(5, 7), mode="bilinear"), [x])
    assert autograd.gradcheck(lambda x: F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=True), [x])
    assert autograd.gradcheck(lambda x: F.interpolate(x, size=(4, 3)), [x])


@pytest.mark.parametrize("make,shape", [
    (lambda m: m.Unflatten(1, (2, 3)), (4, 6, 5)), (lambda m: m.Unflatten(-1, (2, -1, 2)), (3, 12)),
    (lambda m: m.ZeroPad2d(2), (2, 3, 4, 5)), (lambda m: m.ZeroPad2d((1, 0, 2, 3)), (3, 4, 5)),
    (lambda m: m.ConstantPad2d(1, 0.5), (2, 3, 4, 5)), (lambda m: m.ConstantPad2d((0, 2, 1, 1), -1.0), (2, 1, 3, 3)),
    (lambda m: m.ConstantPad1d((1, 2), 3), (2, 3, 4)), (lambda m: m.ZeroPad1d(1), (2, 4)),
    (lambda m: m.PixelShuffle(2), (2, 8, 3, 4)), (lambda m: m.PixelShuffle(3), (9, 2, 2)),
    (lambda m: m.PixelUnshuffle(2), (2, 2, 4, 6))])
def test_shape_layers_match_torch(make, shape, rng, torch):
    ours, ref = make(nn), make(torch.nn)
    assert repr(ours) == repr(ref)
    _compare(ours, ref, shape, rng, torch, atol=0)


def test_pixel_unshuffle_inverts_shuffle(rng):
    x = Tensor(rng.standard_normal((2, 12, 3, 5)))
    np.testing.assert_array_equal(F.pixel_unshuffle(F.pixel_shuffle(x, 2), 2).data, x.data)


@pytest.mark.parametrize("cls,shape", [("Dropout2d", (8, 16, 5, 5)), ("Dropout2d", (16, 5, 5)),
                                       ("Dropout1d", (8, 16, 7)), ("Dropout1d", (16, 7))])
def test_channel_dropout_drops_whole_channels(cls, shape):
    layer = getattr(nn, cls)(p=0.4)
    assert repr(layer) == f"{cls}(p=0.4, inplace=False)"
    x = Tensor(np.ones(shape), requires_grad=True)
    out = layer(x)
    spatial = 2 if cls == "Dropout2d" else 1
    per_channel = out.numpy().reshape(int(np.prod(shape[:-spatial])), -1)
    for row in per_channel:                   # each channel is all zeros or all 1/(1-p)
        assert np.all(row == row[0]) and row[0] in (0.0, np.float64(1 / 0.6))
    frac = (per_channel[:, 0] == 0).mean()
    assert 0.15 < frac < 0.65
    out.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), out.numpy())
    layer.eval()
    assert layer(x) is x or np.array_equal(layer(x).data, x.data)


def test_bad_inputs_raise_clear_errors():
    with pytest.raises(ValueError, match=r"mode 'bilinear' expects a 4-D.*got shape \(2, 3, 4\)"):
        F.interpolate(Tensor(np.zeros((2, 3, 4))), scale_factor=2, mode="bilinear")
    with pytest.raises(ValueError, match="exactly one of size and scale_factor"):
        F.interpolate(Tensor(np.zeros((1, 1, 4, 4))))
    with pytest.raises(ValueError, match=r"size \(2, 3, 4\) must have 2 entries"):
        F.interpolate(Tensor(np.zeros((1, 1, 4, 4))), size=(2, 3, 4))
    with pytest.raises(ValueError, match="align_corners"):
        F.interpolate(Tensor(np.zeros((1, 1, 4, 4))), scale_factor=2, align_corners=True)
    with pytest.raises(ValueError, match="bicubic"):
        nn.Upsample(scale_factor=2, mode="bicubic")(Tensor(np.zeros((1, 1, 4, 4))))
    with pytest.raises(ValueError, match=r"Unflatten layer .*\(2, 4\) does not match dimension 1 of size 6"):
        nn.Unflatten(1, (2, 4))(Tensor(np.zeros((3, 6))))
    with pytest.raises(ValueError, match=r"ZeroPad2d layer .*3-D or 4-D input, got shape \(5,\)"):
        nn.ZeroPad2d(1)(Tensor(np.zeros(5)))
    with pytest.raises(ValueError, match=r"pixel_shuffle: .*r=2, got shape \(1, 6, 2, 2\)"):
        nn.PixelShuffle(2)(Tensor(np.zeros((1, 6, 2, 2))))
    with pytest.raises(ValueError, match=r"dropout2d: expects a 4-D.*got shape \(2, 3\)"):
        nn.Dropout2d()(Tensor(np.zeros((2, 3))))
