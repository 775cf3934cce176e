"""The lecture's perceptron and multi-layer perceptron."""
from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np

import autograd
from autograd import Tensor, as_tensor, no_grad

from . import functional as F
from . import init
from .activation import ACTIVATIONS
from .containers import Sequential
from .linear import Linear
from .module import Module, Parameter

__all__ = ["Perceptron", "MLP", "resolve_activation"]


class Perceptron(Module):
    """One unit ŷ = H(w·x + b) with the Heaviside step H (H(0) = ½), labels in {0, 1}.

    ``perceptron_rule_step`` is Rosenblatt's rule (``fit`` repeats it by epochs, as scikit-learn's Perceptron).
    The step's gradient is zero, so for gradient training build it with ``differentiable=True``: the output is
    then σ(w·x + b), trained with e.g. binary cross-entropy.
    """

    def __init__(self, in_features: int, differentiable: bool = False, dtype=np.float32) -> None:
        super().__init__()
        self.in_features, self.differentiable = int(in_features), bool(differentiable)
        self.weight = Parameter(np.empty((1, self.in_features), dtype=dtype))
        self.bias = Parameter(np.empty((1,), dtype=dtype))
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        bound = 1 / math.sqrt(self.in_features) if self.in_features else 0.0
        init.uniform_(self.bias, -bound, bound)

    def score(self, x: Tensor) -> Tensor:
        """The pre-activation z = w·x + b, shape (N,) (or () for one sample)."""
        x = as_tensor(x)
        if x.shape[-1:] != (self.in_features,):
            raise ValueError(f"Perceptron expected inputs with {self.in_features} features (last dimension), "
                             f"got shape {tuple(x.shape)}")
        return (x @ self.weight.T + self.bias).reshape(x.shape[:-1])

    def forward(self, x: Tensor) -> Tensor:
        """H(z) (step output), or σ(z) when built ``differentiable=True``."""
        z = self.score(x)
        return F.sigmoid(z) if self.differentiable else F.heaviside(z)

    def predict(self, x: Tensor) -> np.ndarray:
        """Hard labels in {0, 1} (z > 0)."""
        with no_grad():
            return (self.score(x).numpy() > 0).astype(np.int64)

    def perceptron_rule_step(self, x: Any, y: Any, lr: float = 1.0) -> int:
        """One pass of the classic rule over the samples in order: w += lr·(y − ŷ)·x, b += lr·(y − ŷ).

        ŷ = H(w·x + b) is recomputed after each update (online learning). Returns the number of samples that
        were misclassified (ŷ ≠ y) when visited. This is not gradient descent: H has no useful gradient.
        """
        xs = np.atleast_2d(np.asarray(x.numpy() if isinstance(x, Tensor) else x, dtype=self.weight.dtype))
        ys = np.atleast_1d(np.asarray(y.numpy() if isinstance(y, Tensor) else y)).astype(self.weight.dtype)
        if xs.shape != (ys.shape[0], self.in_features):
            raise ValueError(f"perceptron_rule_step: expected x of shape (N, {self.in_features}) and y of shape "
                             f"(N,), got {xs.shape} and {ys.shape}")
        if not np.isin(ys, (0, 1)).all():
            raise ValueError("perceptron_rule_step: labels must be 0 or 1 (the Heaviside output's range)")
        w, b = self.weight.numpy(), self.bias.numpy()
        mistakes = 0
        for xi, yi in zip(xs, ys):
            z = float(xi @ w[0] + b[0])
            yhat = 1.0 if z > 0 else (0.5 if z == 0 else 0.0)
            err = yi - yhat
            if err != 0:
                mistakes += 1
                w[0] += lr * err * xi
                b[0] += lr * err
        return mistakes

    def fit(self, x: Any, y: Any, epochs: int = 100, lr: float = 1.0, shuffle: bool = False) -> list[int]:
        """Rosenblatt's rule for up to ``epochs`` passes (scikit-learn's style); the mistakes of each epoch.

        Stops after the first epoch with no mistake (the data are then separated). ``shuffle`` visits the
        samples in a new order each epoch, drawn from ``autograd.default_generator()``.
        """
        if not isinstance(epochs, (int, np.integer)) or isinstance(epochs, bool) or epochs < 1:
            raise ValueError(f"Perceptron.fit: epochs must be a positive int, got {epochs!r}")
        xs = np.atleast_2d(np.asarray(x.numpy() if isinstance(x, Tensor) else x))
        ys = np.atleast_1d(np.asarray(y.numpy() if isinstance(y, Tensor) else y))
        if len(xs) != len(ys):
            raise ValueError(f"Perceptron.fit: x has {len(xs)} samples but y has {len(ys)} (shapes {xs.shape} "
                             f"and {ys.shape})")
        history: list[int] = []
        for _ in range(int(epochs)):
            order = autograd.default_generator().permutation(len(xs)) if shuffle else slice(None)
            history.append(self.perceptron_rule_step(xs[order], ys[order], lr))
            if history[-1] == 0:
                break
        return history

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, differentiable={self.differentiable}"


def resolve_activation(activation: Any) -> Module:
    """A fresh activation Module from a name in ``nn.ACTIVATIONS`` ("linear" = "identity") or a Module class."""
    if isinstance(activation, str):
        key = activation.lower().replace("-", "_")
        key = "identity" if key == "linear" else key
        if key not in ACTIVATIONS:
            raise ValueError(f"unknown activation {activation!r}; choose one of {sorted(ACTIVATIONS)}")
        return ACTIVATIONS[key]()
    if isinstance(activation, type) and issubclass(activation, Module):
        return activation()
    if isinstance(activation, Module):
        raise TypeError("pass an activation's name or class, not an instance: each layer needs its own module")
    raise TypeError(f"activation must be a name or an nn.Module class, got {type(activation).__name__}")


class MLP(Module):
    """Linear layers of ``sizes`` [in, h1, ..., out] with [BatchNorm1d,] activation[, Dropout] between them.

    Parameters are named ``layers.<i>.weight`` (an ``nn.Sequential`` called ``layers``). The last Linear is
    followed only by ``output_activation`` (none by default: logits for cross_entropy).
    """

    def __init__(self, sizes: Sequence[int], activation: Any = "relu", dropout: float = 0.0,
                 batchnorm: bool = False, output_activation: Any = None, bias: bool = True) -> None:
        super().__init__()
        sizes = [int(s) for s in sizes]
        if len(sizes) < 2 or min(sizes) < 1:
            raise ValueError(f"MLP: sizes must list at least an input and an output size, all positive; got {sizes}")
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"MLP: dropout must be in [0, 1), got {dropout}")
        self.sizes = sizes
        layers: list[Module] = []
        for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
            layers.append(Linear(a, b, bias=bias))
            if i == len(sizes) - 2:
                break
            if batchnorm:
                from .normalization import BatchNorm1d  # the other engineer's module: imported when used
                layers.append(BatchNorm1d(b))
            layers.append(resolve_activation(activation))
            if dropout > 0:
                from .normalization import Dropout
                layers.append(Dropout(dropout))
        if output_activation is not None:
            layers.append(resolve_activation(output_activation))
        self.layers = Sequential(*layers)

    def forward(self, x: Tensor) -> Tensor:
        """Apply the layers."""
        return self.layers(x)

