"""The models the command line trains, by name, sized to a dataset's features and classes.

    softmax        Linear(d, k): the lecture's softmax regression
    mlp            d-128-64-k with ReLU
    deep-sigmoid   20 Linear(32, 32) + Sigmoid blocks between an input and an output layer (vanishing gradients)
    deep-relu      the same with ReLU
    deep-residual  the same with blocks x + ReLU(Linear(x))
    resnet         a CIFAR-style ResNet-8 (width 8) on the images (digits 8x8, MNIST 28x28), one channel
    densenet       a small DenseNet (2 blocks of 3 layers, growth 6) on the images
"""
from __future__ import annotations

import math
from typing import Callable

import nn
from autograd import Tensor


class Block(nn.Module):
    """``act(Linear(x))``, or ``x + act(Linear(x))`` with the skip: the lecture's plain vs residual comparison."""

    def __init__(self, width: int, act: type, skip: bool) -> None:
        super().__init__()
        self.fc, self.act, self.skip = nn.Linear(width, width), act(), skip

    def forward(self, x: Tensor) -> Tensor:
        y = self.act(self.fc(x))
        return x + y if self.skip else y


def deep_mlp(act: type = nn.Sigmoid, skip: bool = False, depth: int = 20, width: int = 32, d_in: int = 8,
             k: int = 3) -> nn.Module:
    """``depth`` blocks of ``width`` between an input and an output Linear: 20 + 2 Linear layers by default."""
    return nn.Sequential(nn.Linear(d_in, width), *[Block(width, act, skip) for _ in range(depth)],
                         nn.Linear(width, k))


class Images(nn.Module):
    """Flat pixel rows (N, side * side) as one-channel images (N, 1, side, side)."""

    def __init__(self, side: int) -> None:
        super().__init__()
        self.side = side

    def forward(self, x: Tensor) -> Tensor:
        return x.reshape(x.shape[0], 1, self.side, self.side)

    def extra_repr(self) -> str:
        return f"side={self.side}"


def _side(d: int, name: str) -> int:
    side = math.isqrt(d)
    if side * side != d:
        raise ValueError(f"--model {name} needs square images, but the dataset has {d} features per sample; "
                         f"use softmax, mlp or a deep-* model for it")
    return side


MODELS: dict[str, Callable[[int, int], nn.Module]] = {
    "softmax": lambda d, k: nn.Sequential(nn.Linear(d, k)),
    "mlp": lambda d, k: nn.Sequential(nn.Linear(d, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, k)),
    "deep-sigmoid": lambda d, k: deep_mlp(nn.Sigmoid, False, d_in=d, k=k),
    "deep-relu": lambda d, k: deep_mlp(nn.ReLU, False, d_in=d, k=k),
    "deep-residual": lambda d, k: deep_mlp(nn.ReLU, True, d_in=d, k=k),
    "resnet": lambda d, k: nn.Sequential(Images(_side(d, "resnet")),
                                         nn.models.resnet(depth=8, width=8, num_classes=k, in_channels=1)),
    "densenet": lambda d, k: nn.Sequential(Images(_side(d, "densenet")),
                                           nn.models.densenet(num_blocks=2, num_layers=3, growth_rate=6,
                                                              num_classes=k, in_channels=1)),
}


def build(name: str, d: int, k: int) -> nn.Module:
    """The model ``name`` for ``d`` input features and ``k`` classes (a wrong name lists the valid ones)."""
    if name not in MODELS:
        raise ValueError(f"unknown model {name!r}; choose one of: {', '.join(MODELS)}")
    return MODELS[name](d, k)


def n_params(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())
