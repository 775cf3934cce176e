"""The lecture's activation table as Modules, and ``ACTIVATIONS``: name -> Module class, one entry per row.

Where the lecture and PyTorch differ, PyTorch's name keeps PyTorch's meaning: ``Hardtanh`` clamps to
[−1, 1]; the lecture's piecewise-linear ramp is ``PiecewiseLinear``; the lecture's Heaviside has H(0) = ½.
Where PyTorch's class takes ``inplace=`` it is accepted and shown in the repr; the output is still a new tensor.
"""
from __future__ import annotations

import warnings

import numpy as np

from autograd import Tensor

from . import functional as F
from .linear import Identity
from .module import Module, Parameter

__all__ = ["Heaviside", "Sign", "PiecewiseLinear", "Hardtanh", "Sigmoid", "Tanh", "ReLU", "Softplus", "Softmax",
           "LogSoftmax", "ELU", "SELU", "Softsign", "LeakyReLU", "PReLU", "ACTIVATIONS"]


def _inplace(m: Module, sep: str) -> str:
    """PyTorch's repr of the flag: shown only when set."""
    return f"{sep}inplace=True" if m.inplace else ""


class _Inplace(Module):
    """An activation whose only argument is PyTorch's ``inplace`` (accepted; the result is a new tensor)."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace


class Heaviside(Module):
    """Unit step (0, ½ at 0, 1); gradient zero everywhere, so it cannot be trained by gradient descent."""

    def forward(self, x: Tensor) -> Tensor:
        return F.heaviside(x)


class Sign(Module):
    """sign(z) ∈ {−1, 0, 1}; gradient zero everywhere."""

    def forward(self, x: Tensor) -> Tensor:
        return F.sign(x)


class PiecewiseLinear(Module):
    """The lecture's ramp: 0 for z ≤ −½, z + ½ in between, 1 for z ≥ ½ (not PyTorch's Hardtanh)."""

    def forward(self, x: Tensor) -> Tensor:
        return F.piecewise_linear(x)


class Hardtanh(Module):
    """PyTorch's Hardtanh: clamp to [min_val, max_val]."""

    def __init__(self, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        if min_val > max_val:
            raise ValueError(f"Hardtanh: min_val ({min_val}) must not exceed max_val ({max_val})")
        self.min_val, self.max_val, self.inplace = min_val, max_val, inplace

    def forward(self, x: Tensor) -> Tensor:
        return F.hardtanh(x, self.min_val, self.max_val)

    def extra_repr(self) -> str:
        return f"min_val={self.min_val}, max_val={self.max_val}" + _inplace(self, ", ")


class Sigmoid(Module):
    """Logistic σ(z) = 1 / (1 + e^−z)."""

    def forward(self, x: Tensor) -> Tensor:
        return F.sigmoid(x)


class Tanh(Module):
    """Hyperbolic tangent."""

    def forward(self, x: Tensor) -> Tensor:
        return F.tanh(x)


class ReLU(_Inplace):
    """max(0, z)."""

    def forward(self, x: Tensor) -> Tensor:
        return F.relu(x)

    def extra_repr(self) -> str:
        return _inplace(self, "")


class Softplus(Module):
    """ln(1 + e^{βz}) / β, linear above ``threshold`` (a smooth ReLU)."""

    def __init__(self, beta: float = 1.0, threshold: float = 20.0) -> None:
        super().__init__()
        if beta <= 0:
            raise ValueError(f"Softplus: beta must be positive, got {beta}")
        self.beta, self.threshold = beta, threshold

    def forward(self, x: Tensor) -> Tensor:
        return F.softplus(x, self.beta, self.threshold)

    def extra_repr(self) -> str:
        return f"beta={self.beta}, threshold={self.threshold}"


def _implicit_dim(name: str, ndim: int) -> int:
    """PyTorch's legacy choice when no ``dim`` is given (0 for 0-, 1- and 3-D input, else 1), with its warning."""
    dim = 0 if ndim in (0, 1, 3) else 1
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call to include dim=X "
                  "as an argument.", UserWarning, stacklevel=4)
    return dim


class Softmax(Module):
    """Normalised exponentials along ``dim`` (None: PyTorch's deprecated implicit choice, with its warning)."""

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, x: Tensor) -> Tensor:
        return F.softmax(x, _implicit_dim("softmax", x.ndim) if self.dim is None else self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class LogSoftmax(Softmax):
    """log(softmax) along ``dim``, computed stably."""

    def forward(self, x: Tensor) -> Tensor:
        return F.log_softmax(x, _implicit_dim("log_softmax", x.ndim) if self.dim is None else self.dim)


class ELU(Module):
    """z for z > 0, α (e^z − 1) otherwise."""

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        self.alpha, self.inplace = alpha, inplace

    def forward(self, x: Tensor) -> Tensor:
        return F.elu(x, self.alpha)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}" + _inplace(self, ", ")


class SELU(_Inplace):
    """Self-normalising ELU: scale · elu(z, α), α ≈ 1.6733, scale ≈ 1.0507."""

    def forward(self, x: Tensor) -> Tensor:
        return F.selu(x)

    def extra_repr(self) -> str:
        return _inplace(self, "")


class Softsign(Module):
    """z / (1 + |z|)."""

    def forward(self, x: Tensor) -> Tensor:
        return F.softsign(x)


class LeakyReLU(Module):
    """z for z > 0, negative_slope · z otherwise."""

    def __init__(self, negative_slope: float = 0.01, inplace: bool = False) -> None:
        super().__init__()
        self.negative_slope, self.inplace = negative_slope, inplace

    def forward(self, x: Tensor) -> Tensor:
        return F.leaky_relu(x, self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}" + _inplace(self, ", ")


class PReLU(Module):
    """Leaky ReLU with a learnable slope: one shared, or one per channel (dimension 1)."""

    def __init__(self, num_parameters: int = 1, init: float = 0.25, dtype=np.float32) -> None:
        super().__init__()
        if not isinstance(num_parameters, (int, np.integer)) or num_parameters < 1:
            raise ValueError(f"PReLU: num_parameters must be a positive int, got {num_parameters!r}")
        self.num_parameters = int(num_parameters)
        self.weight = Parameter(np.full((self.num_parameters,), init, dtype=dtype))

    def forward(self, x: Tensor) -> Tensor:
        return F.prelu(x, self.weight)

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}"


ACTIVATIONS: dict[str, type[Module]] = {
    "heaviside": Heaviside,
    "sign": Sign,
    "identity": Identity,
    "piecewise_linear": PiecewiseLinear,
    "hardtanh": Hardtanh,
    "sigmoid": Sigmoid,
    "tanh": Tanh,
    "relu": ReLU,
    "softplus": Softplus,
    "softmax": Softmax,
    "log_softmax": LogSoftmax,
    "elu": ELU,
    "selu": SELU,
    "softsign": Softsign,
    "leaky_relu": LeakyReLU,
    "prelu": PReLU,
}
