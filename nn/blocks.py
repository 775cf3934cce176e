"""The lecture's convolutional blocks, each with a "plain" twin (``skip=False``) for comparing gradient flow.

Every block keeps ``in_channels`` / ``out_channels`` attributes so models can chain them. With
``skip=False`` the main path is the same and only the skip connection (or, for DenseBlock, the
dense concatenation) is gone.
"""
from __future__ import annotations

from autograd import Tensor, concatenate

from . import functional as F
from .activation import ReLU
from .containers import ModuleList, Sequential
from .conv import AvgPool2d, Conv2d
from .module import Module
from .normalization import BatchNorm2d, Dropout

__all__ = ["ResidualBlock", "BottleneckBlock", "WideResidualBlock", "ResNeXtBlock", "DenseBlock", "Transition"]


def conv_bn(cin: int, cout: int, k: int, stride: int = 1, groups: int = 1) -> Sequential:
    """Conv2d (no bias, "same" padding for odd k) followed by BatchNorm2d."""
    return Sequential(Conv2d(cin, cout, k, stride=stride, padding=k // 2, groups=groups, bias=False),
                      BatchNorm2d(cout))


def _shortcut(cin: int, cout: int, stride: int, skip: bool) -> Module | None:
    """None for the plain twin; identity (None projection) when shapes match; else 1x1 conv + BN."""
    if not skip or (cin == cout and stride == 1):
        return None
    return conv_bn(cin, cout, 1, stride)


class _Residual(Module):
    """out = relu(body(x) + shortcut(x)), or relu(body(x)) for the plain twin."""

    def _finish(self, y: Tensor, x: Tensor) -> Tensor:
        if self.skip:
            y = y + (self.shortcut(x) if self.shortcut is not None else x)
        return F.relu(y)

    def extra_repr(self) -> str:
        return "" if self.skip else "skip=False"


class ResidualBlock(_Residual):
    """Basic block (He et al. 2016): conv3x3-BN-ReLU-conv3x3-BN, plus x (or a 1x1 conv+BN projection
    when the shape changes), then ReLU."""

    def __init__(self, in_channels: int, out_channels: int, stride: int = 1, skip: bool = True) -> None:
        super().__init__()
        self.in_channels, self.out_channels, self.skip = in_channels, out_channels, skip
        self.conv1, self.bn1 = Conv2d(in_channels, out_channels, 3, stride, 1, bias=False), BatchNorm2d(out_channels)
        self.conv2, self.bn2 = Conv2d(out_channels, out_channels, 3, 1, 1, bias=False), BatchNorm2d(out_channels)
        self.shortcut = _shortcut(in_channels, out_channels, stride, skip)

    def forward(self, x: Tensor) -> Tensor:
        """relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x))."""
        y = self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x)))))
        return self._finish(y, x)


class BottleneckBlock(_Residual):
    """Bottleneck block: 1x1 (in -> mid), 3x3 (mid -> mid, stride), 1x1 (mid -> mid*expansion), each
    with BN (ReLU between), plus the skip, then ReLU. ``out_channels = mid_channels * expansion``."""

    def __init__(self, in_channels: int, mid_channels: int, stride: int = 1, expansion: int = 4,
                 skip: bool = True) -> None:
        super().__init__()
        out = mid_channels * expansion
        self.in_channels, self.out_channels, self.skip = in_channels, out, skip
        self.reduce = conv_bn(in_channels, mid_channels, 1)
        self.conv = conv_bn(mid_channels, mid_channels, 3, stride)
        self.expand = conv_bn(mid_channels, out, 1)
        self.shortcut = _shortcut(in_channels, out, stride, skip)

    def forward(self, x: Tensor) -> Tensor:
        """relu(expand(relu(conv(relu(reduce(x))))) + shortcut(x))."""
        return self._finish(self.expand(F.relu(self.conv(F.relu(self.reduce(x))))), x)


class ResNeXtBlock(_Residual):
    """ResNeXt block (Xie et al. 2017): a bottleneck whose 3x3 conv is grouped into ``cardinality``
    paths of ``bottleneck_width`` channels each (width D = cardinality * bottleneck_width)."""

    def __init__(self, in_channels: int, out_channels: int, cardinality: int = 4, bottleneck_width: int = 4,
                 stride: int = 1, skip: bool = True) -> None:
        super().__init__()
        d = cardinality * bottleneck_width
        self.in_channels, self.out_channels, self.skip = in_channels, out_channels, skip
        self.cardinality = cardinality
        self.reduce = conv_bn(in_channels, d, 1)
        self.conv = conv_bn(d, d, 3, stride, groups=cardinality)
        self.expand = conv_bn(d, out_channels, 1)
        self.shortcut = _shortcut(in_channels, out_channels, stride, skip)

    def forward(self, x: Tensor) -> Tensor:
        """relu(expand(relu(grouped_conv(relu(reduce(x))))) + shortcut(x))."""
        return self._finish(self.expand(F.relu(self.conv(F.relu(self.reduce(x))))), x)


class WideResidualBlock(Module):
    """Wide ResNet block (Zagoruyko & Komodakis 2016), pre-activation: BN-ReLU-conv3x3-[dropout]-BN-ReLU-
    conv3x3, plus x (or a 1x1 conv on the activated input when the shape changes). It is
    ``width_factor`` times wider: ``out_channels = base_channels * width_factor``."""

    def __init__(self, in_channels: int, base_channels: int, width_factor: int = 2, stride: int = 1,
                 dropout: float = 0.0, skip: bool = True) -> None:
        super().__init__()
        out = base_channels * width_factor
        self.in_channels, self.out_channels, self.skip = in_channels, out, skip
        self.width_factor = width_factor
        self.bn1, self.conv1 = BatchNorm2d(in_channels), Conv2d(in_channels, out, 3, stride, 1, bias=False)
        self.dropout = Dropout(dropout) if dropout > 0 else None
        self.bn2, self.conv2 = BatchNorm2d(out), Conv2d(out, out, 3, 1, 1, bias=False)
        needs_proj = skip and (in_channels != out or stride != 1)
        self.shortcut = Conv2d(in_channels, out, 1, stride, bias=False) if needs_proj else None

    def forward(self, x: Tensor) -> Tensor:
        """conv2(relu(bn2(dropout(conv1(relu(bn1(x))))))) + shortcut."""
        a = F.relu(self.bn1(x))
        y = self.conv1(a)
        if self.dropout is not None:
            y = self.dropout(y)
        y = self.conv2(F.relu(self.bn2(y)))
        if not self.skip:
            return y
        return y + (self.shortcut(a) if self.shortcut is not None else x)

    def extra_repr(self) -> str:
        return f"width_factor={self.width_factor}" + ("" if self.skip else ", skip=False")


class DenseBlock(Module):
    """DenseNet block (Huang et al. 2017): ``num_layers`` BN-ReLU-conv3x3 layers of ``growth_rate``
    channels, each fed the concatenation of the block's input and all earlier layers' outputs;
    the output is that whole concatenation (``in_channels + num_layers * growth_rate`` channels).

    Plain twin (``skip=False``): the layers form a chain, each fed only the previous one's output,
    and the block returns the last layer's ``growth_rate`` channels.
    """

    def __init__(self, num_layers: int, growth_rate: int, in_channels: int, skip: bool = True) -> None:
        super().__init__()
        if num_layers < 1:
            raise ValueError(f"DenseBlock: num_layers must be at least 1, got {num_layers}")
        self.in_channels, self.growth_rate, self.skip = in_channels, growth_rate, skip
        self.out_channels = in_channels + num_layers * growth_rate if skip else growth_rate
        widths = [in_channels + i * growth_rate if skip else (in_channels if i == 0 else growth_rate)
                  for i in range(num_layers)]
        self.layers = ModuleList(Sequential(BatchNorm2d(c), ReLU(), Conv2d(c, growth_rate, 3, 1, 1, bias=False))
                                 for c in widths)

    def forward(self, x: Tensor) -> Tensor:
        """Dense: x_l = [x_0, ..., x_{l-1}, H_l(x_0..x_{l-1})]; plain: x_l = H_l(x_{l-1})."""
        for layer in self.layers:
            y = layer(x)
            x = concatenate([x, y], axis=1) if self.skip else y
        return x

    def extra_repr(self) -> str:
        return f"growth_rate={self.growth_rate}" + ("" if self.skip else ", skip=False")


class Transition(Module):
    """DenseNet transition between blocks: BN-ReLU-conv1x1 (in -> out channels)-avgpool 2x2."""

    def __init__(self, in_channels: int, out_channels: int) -> None:
        super().__init__()
        self.in_channels, self.out_channels = in_channels, out_channels
        self.bn = BatchNorm2d(in_channels)
        self.conv = Conv2d(in_channels, out_channels, 1, bias=False)
        self.pool = AvgPool2d(2)

    def forward(self, x: Tensor) -> Tensor:
        """pool(conv(relu(bn(x))))."""
        return self.pool(self.conv(F.relu(self.bn(x))))

