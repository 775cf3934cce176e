"""The blocks and small models: shapes, a gradcheck on a tiny instance, skip vs plain, forward/backward."""
from __future__ import annotations

import numpy as np
import pytest

import autograd
import nn
import nn.functional as F
from autograd import Tensor


def _double(module: nn.Module) -> nn.Module:
    """Cast every floating parameter and buffer to float64 in place (for central differences)."""
    for t in list(module.parameters()) + list(module.buffers()):
        if t.data.dtype.kind == "f":
            t.data = t.data.astype(np.float64)
    return module


BLOCKS = {  # name: (factory(skip), input shape, output shape)
    "residual": (lambda skip: nn.ResidualBlock(4, 4, skip=skip), (2, 4, 6, 6), (2, 4, 6, 6)),
    "residual_proj": (lambda skip: nn.ResidualBlock(4, 8, stride=2, skip=skip), (2, 4, 6, 6), (2, 8, 3, 3)),
    "bottleneck": (lambda skip: nn.BottleneckBlock(8, 2, skip=skip), (2, 8, 5, 5), (2, 8, 5, 5)),
    "bottleneck_proj": (lambda skip: nn.BottleneckBlock(4, 3, stride=2, skip=skip), (2, 4, 6, 6), (2, 12, 3, 3)),
    "wide": (lambda skip: nn.WideResidualBlock(4, 2, width_factor=2, skip=skip), (2, 4, 5, 5), (2, 4, 5, 5)),
    "wide_proj": (lambda skip: nn.WideResidualBlock(4, 3, width_factor=2, stride=2, skip=skip), (2, 4, 6, 6),
                  (2, 6, 3, 3)),
    "resnext": (lambda skip: nn.ResNeXtBlock(8, 8, cardinality=4, bottleneck_width=2, skip=skip), (2, 8, 4, 4),
                (2, 8, 4, 4)),
    "resnext_proj": (lambda skip: nn.ResNeXtBlock(4, 8, cardinality=2, bottleneck_width=2, stride=2, skip=skip),
                     (2, 4, 6, 6), (2, 8, 3, 3)),
    "dense": (lambda skip: nn.DenseBlock(3, 2, 4, skip=skip), (2, 4, 5, 5), None),
}


@pytest.mark.parametrize("name", list(BLOCKS))
@pytest.mark.parametrize("skip", [True, False])
def test_block_output_shape_and_backward(name, skip, rng):
    make, shape, out_shape = BLOCKS[name]
    block = make(skip)
    x = Tensor(rng.standard_normal(shape).astype(np.float32), requires_grad=True)
    out = block(x)
    if out_shape is None:  # dense: the concatenation, or the chain's last layer for the plain twin
        out_shape = (2, 4 + 3 * 2, 5, 5) if skip else (2, 2, 5, 5)
    assert out.shape == out_shape and block.out_channels == out_shape[1]
    assert out.dtype == np.float32
    out.sum().backward()
    assert x.grad is not None and all(p.grad is not None for p in block.parameters())


@pytest.mark.parametrize("name", ["residual", "residual_proj", "bottleneck_proj", "wide_proj", "resnext", "dense"])
def test_block_gradcheck_tiny(name, rng):
    make, shape, _ = BLOCKS[name]
    block = _double(make(True))
    x = Tensor(rng.standard_normal((2, shape[1], 3, 3)), requires_grad=True)
    first = next(iter(block.parameters()))
    assert autograd.gradcheck(lambda x, w: block(x), [x, first], atol=1e-5, rtol=1e-3)


@pytest.mark.parametrize("name", list(BLOCKS))
def test_skip_and_plain_twin_differ(name, rng):
    make, shape, _ = BLOCKS[name]
    with_skip, plain = make(True), make(False)
    if name != "dense":  # same main path; plain lacks the projection (dense layers' widths differ)
        plain.load_state_dict(with_skip.state_dict(), strict=False)
        assert set(dict(plain.named_parameters())) <= set(dict(with_skip.named_parameters()))
    x = Tensor(rng.standard_normal(shape).astype(np.float32))
    a, b = with_skip(x), plain(x)
    assert a.shape != b.shape or not np.allclose(a.data, b.data)


def test_residual_skip_is_the_identity_when_shapes_match(rng):
    block = nn.ResidualBlock(4, 4)
    plain = nn.ResidualBlock(4, 4, skip=False)
    plain.load_state_dict(block.state_dict())
    x = Tensor(rng.standard_normal((2, 4, 5, 5)).astype(np.float32))
    main = block.bn2(block.conv2(F.relu(block.bn1(block.conv1(x)))))
    np.testing.assert_allclose(block(x).data, F.relu(main + x).data, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(plain(x).data, F.relu(main).data, rtol=1e-5, atol=1e-6)


MODELS = {
    "resnet": (lambda: nn.models.resnet(8, 8), (4, 1, 8, 8)),
    "resnet_plain": (lambda: nn.models.resnet(8, 8, plain=True), (4, 1, 8, 8)),
    "resnet_bottleneck": (lambda: nn.models.resnet(11, 8, bottleneck=True, in_channels=3), (4, 3, 8, 8)),
    "wide_resnet": (lambda: nn.models.wide_resnet(10, 2, base_width=4), (4, 1, 28, 28)),
    "resnext": (lambda: nn.models.resnext(11, 2, 2, 8), (4, 1, 8, 8)),
    "densenet": (lambda: nn.models.densenet(2, 2, 4), (4, 1, 28, 28)),
    "densenet_plain": (lambda: nn.models.densenet(2, 2, 4, plain=True), (4, 1, 8, 8)),
    "mlp": (lambda: nn.models.mlp([64, 16, 10]), (4, 64)),
    "deep_plain_mlp": (lambda: nn.models.deep_plain_mlp(64, 16, 20), (4, 64)),
}


@pytest.mark.parametrize("name", list(MODELS))
def test_models_forward_backward(name, rng):
    make, shape = MODELS[name]
    model = make()
    x = Tensor(rng.standard_normal(shape).astype(np.float32))
    y = Tensor(rng.integers(0, 10, shape[0]))
    logits = model(x)
    assert logits.shape == (shape[0], 10)
    F.cross_entropy(logits, y).backward()
    assert all(p.grad is not None and np.isfinite(p.grad.data).all() for p in model.parameters())
    model.eval()
    assert model(x).shape == (shape[0], 10)


def test_plain_models_have_no_skip_parameters():
    names = [n for n, _ in nn.models.resnet(14, 4, plain=True).named_parameters()]
    assert not any("shortcut" in n for n in names)
    assert any("shortcut" in n for n, _ in nn.models.resnet(14, 4).named_parameters())


def test_model_depth_validation():
    for bad in (lambda: nn.models.resnet(9), lambda: nn.models.wide_resnet(12), lambda: nn.models.resnext(12)):
        with pytest.raises(ValueError, match="depth"):
            bad()


def test_deep_plain_mlp_gradients_vanish(rng):
    model = nn.models.deep_plain_mlp(64, 32, 20)
    x = Tensor(rng.standard_normal((32, 64)).astype(np.float32))
    F.cross_entropy(model(x), Tensor(rng.integers(0, 10, 32))).backward()
    linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
    first, last = (float(np.linalg.norm(m.weight.grad.data)) for m in (linears[0], linears[-1]))
    assert first < 1e-4 * last
