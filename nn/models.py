"""Small assembled models of the lecture, sized to train on a CPU in minutes on 8x8 or 28x28 inputs.

Every convolutional model has a ``plain=True`` twin built from the same blocks with ``skip=False``,
so the gradient flow of a network with and without skip connections can be compared.
"""
from __future__ import annotations

from typing import Any, Sequence

from .activation import ReLU
from .blocks import BottleneckBlock, DenseBlock, ResidualBlock, ResNeXtBlock, Transition, WideResidualBlock, conv_bn
from .containers import Sequential
from .conv import AdaptiveAvgPool2d, Conv2d
from .linear import Flatten, Linear
from .mlp import MLP
from .normalization import BatchNorm2d

__all__ = ["mlp", "deep_plain_mlp", "resnet", "wide_resnet", "resnext", "densenet"]


def mlp(sizes: Sequence[int], activation: Any = "relu", dropout: float = 0.0, batchnorm: bool = False) -> MLP:
    """``nn.MLP(sizes, ...)``: Linear layers [in, h1, ..., out] with activation[, BN, dropout] between."""
    return MLP(sizes, activation=activation, dropout=dropout, batchnorm=batchnorm)


def deep_plain_mlp(in_features: int = 64, hidden: int = 32, depth: int = 20, num_classes: int = 10,
                   activation: Any = "sigmoid") -> MLP:
    """``depth`` hidden Linear+sigmoid layers of width ``hidden`` then a Linear classifier, with no
    normalisation and no skips: the vanishing-gradient demonstration (early layers' gradients shrink
    by about 1/4 per sigmoid layer)."""
    return MLP([in_features] + [hidden] * depth + [num_classes], activation=activation)


def _head(channels: int, num_classes: int) -> Sequential:
    return Sequential(AdaptiveAvgPool2d(1), Flatten(), Linear(channels, num_classes))


def _stages(n: int, widths: Sequence[int], cin: int, make) -> tuple[list, int]:
    """n blocks per stage; the first block of every stage after the first halves the resolution."""
    blocks = []
    for i, w in enumerate(widths):
        for j in range(n):
            blocks.append(make(cin, w, 2 if (i > 0 and j == 0) else 1))
            cin = blocks[-1].out_channels
    return blocks, cin


def resnet(depth: int = 8, width: int = 16, num_classes: int = 10, in_channels: int = 1, plain: bool = False,
           bottleneck: bool = False) -> Sequential:
    """CIFAR-style ResNet (He et al. 2016): conv3x3(in -> width)-BN-ReLU, three stages of n blocks with
    widths (width, 2*width, 4*width) and strides (1, 2, 2), global average pooling, Linear.

    Basic blocks: depth = 6n + 2 (8, 14, 20, ...). ``bottleneck=True``: BottleneckBlocks with
    mid widths (width/4, width/2, width) expanded 4x, depth = 9n + 2. ``plain=True`` drops every skip.
    """
    per = 9 if bottleneck else 6
    if depth < per + 2 or (depth - 2) % per:
        raise ValueError(f"resnet: depth must be {per}n + 2 (n >= 1) for {'bottleneck' if bottleneck else 'basic'} "
                         f"blocks, got {depth}")
    n = (depth - 2) // per
    if bottleneck:
        def make(cin, w, s):
            return BottleneckBlock(cin, max(w // 4, 1), s, skip=not plain)
    else:
        def make(cin, w, s):
            return ResidualBlock(cin, w, s, skip=not plain)
    blocks, cout = _stages(n, (width, 2 * width, 4 * width), width, make)
    return Sequential(conv_bn(in_channels, width, 3), ReLU(), *blocks, _head(cout, num_classes))


def wide_resnet(depth: int = 10, width_factor: int = 2, num_classes: int = 10, in_channels: int = 1,
                base_width: int = 8, dropout: float = 0.0, plain: bool = False) -> Sequential:
    """Wide ResNet WRN-depth-k (Zagoruyko & Komodakis 2016): conv3x3(in -> base_width), three stages of
    n pre-activation WideResidualBlocks of widths (1, 2, 4) * base_width * k, strides (1, 2, 2), then
    BN-ReLU, global average pooling, Linear; depth = 6n + 4 (10, 16, 22, ...). The paper's base is 16."""
    if depth < 10 or (depth - 4) % 6:
        raise ValueError(f"wide_resnet: depth must be 6n + 4 (n >= 1), got {depth}")
    n = (depth - 4) // 6

    def make(cin, w, s):
        return WideResidualBlock(cin, w, width_factor, s, dropout, skip=not plain)
    blocks, cout = _stages(n, (base_width, 2 * base_width, 4 * base_width), base_width, make)
    stem = Conv2d(in_channels, base_width, 3, padding=1, bias=False)
    return Sequential(stem, *blocks, BatchNorm2d(cout), ReLU(), _head(cout, num_classes))


def resnext(depth: int = 11, cardinality: int = 4, bottleneck_width: int = 4, width: int = 16,
            num_classes: int = 10, in_channels: int = 1, plain: bool = False) -> Sequential:
    """ResNeXt (Xie et al. 2017), CIFAR-style: conv3x3(in -> width)-BN-ReLU, three stages of n ResNeXtBlocks
    with outputs (2, 4, 8) * width and grouped widths cardinality * bottleneck_width * (1, 2, 4), strides
    (1, 2, 2), global average pooling, Linear; depth = 9n + 2 (11, 20, 29, ...)."""
    if depth < 11 or (depth - 2) % 9:
        raise ValueError(f"resnext: depth must be 9n + 2 (n >= 1), got {depth}")
    n = (depth - 2) // 9
    blocks, cin = [], width
    for i in range(3):
        for j in range(n):
            blocks.append(ResNeXtBlock(cin, 2 * width * 2 ** i, cardinality, bottleneck_width * 2 ** i,
                                       2 if (i > 0 and j == 0) else 1, skip=not plain))
            cin = blocks[-1].out_channels
    return Sequential(conv_bn(in_channels, width, 3), ReLU(), *blocks, _head(cin, num_classes))


def densenet(num_blocks: int = 3, num_layers: int = 4, growth_rate: int = 8, num_classes: int = 10,
             in_channels: int = 1, compression: float = 0.5, plain: bool = False) -> Sequential:
    """DenseNet (Huang et al. 2017), CIFAR-style: conv3x3(in -> 2 * growth_rate), ``num_blocks`` DenseBlocks of
    ``num_layers`` layers with a Transition (BN-ReLU-conv1x1 to ``compression`` of the channels-avgpool 2x2)
    between them, then BN-ReLU, global average pooling, Linear. ``plain=True`` chains the layers without
    dense concatenation."""
    c = 2 * growth_rate
    layers: list = [Conv2d(in_channels, c, 3, padding=1, bias=False)]
    for b in range(num_blocks):
        block = DenseBlock(num_layers, growth_rate, c, skip=not plain)
        layers.append(block)
        c = block.out_channels
        if b < num_blocks - 1:
            cout = max(int(c * compression), 1)
            layers.append(Transition(c, cout))
            c = cout
    return Sequential(*layers, BatchNorm2d(c), ReLU(), _head(c, num_classes))
