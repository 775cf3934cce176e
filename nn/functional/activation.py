"""The lecture's activation table as functions, composed from the engine's primitives (PyTorch's semantics).

Also ``linear(x, weight, bias)``, PyTorch's functional fully connected layer. Where PyTorch takes ``inplace=``
the keyword is accepted for a ported program's sake, and the result is still a new tensor (the graph needs the
input as it was).
"""
from __future__ import annotations

import numpy as np

import autograd
from autograd import Tensor, as_tensor

__all__ = ["heaviside", "sign", "identity", "piecewise_linear", "hardtanh", "sigmoid", "tanh", "relu", "softplus",
           "softmax", "log_softmax", "elu", "selu", "softsign", "leaky_relu", "prelu", "linear"]

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def _zero_grad_const(x: Tensor, values: np.ndarray) -> Tensor:
    """``values`` as a function of ``x`` with gradient exactly zero (still on the graph, so viz shows it)."""
    # NOTE: where(all-false, x, c) = c and sends x the gradient where(False, g, 0) = 0 everywhere.
    dtype = x.dtype if x.dtype.kind == "f" else np.float32
    return autograd.where(np.zeros(x.shape, dtype=bool), x, values.astype(dtype, copy=False))


def heaviside(x: Tensor) -> Tensor:
    """Unit step H(z): 0 for z < 0, ½ at 0, 1 for z > 0; its gradient is zero everywhere.

    Because dH/dz = 0 wherever it exists (and is undefined at 0), gradient descent on a loss of H(w·x + b)
    never moves the weights: the perceptron rule w += η (y − ŷ) x is not the gradient of any loss of this
    output, it is an error-driven heuristic (``Perceptron.perceptron_rule_step``). Gradient training needs a
    smooth surrogate such as the sigmoid.
    """
    x = as_tensor(x)
    d = x.numpy()
    return _zero_grad_const(x, np.where(d > 0, 1.0, np.where(d == 0, 0.5, 0.0)))


def sign(x: Tensor) -> Tensor:
    """sign(z) ∈ {−1, 0, 1}; gradient zero everywhere, like ``torch.sign`` (see ``heaviside``): ``autograd.sign``."""
    return autograd.sign(x)


def identity(x: Tensor) -> Tensor:
    """φ(z) = z (the lecture's linear activation)."""
    return x


def _interior_clip(x: Tensor, lo: float, hi: float) -> Tensor:
    """clip(x, lo, hi) whose gradient is 1 strictly inside (lo, hi) and 0 at and beyond the ends (PyTorch's)."""
    x = as_tensor(x)
    d = x.numpy()
    return autograd.where((d > lo) & (d < hi), x, np.clip(d, lo, hi).astype(d.dtype, copy=False))


def hardtanh(x: Tensor, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False) -> Tensor:
    """PyTorch's Hardtanh: clamp to [min_val, max_val]."""
    if min_val > max_val:
        raise ValueError(f"hardtanh: min_val ({min_val}) must not exceed max_val ({max_val})")
    return _interior_clip(x, min_val, max_val)


def piecewise_linear(x: Tensor) -> Tensor:
    """The lecture's ramp: 0 for z ≤ −½, z + ½ in between, 1 for z ≥ ½."""
    return _interior_clip(as_tensor(x) + 0.5, 0.0, 1.0)


def sigmoid(x: Tensor) -> Tensor:
    """Logistic σ(z) = 1 / (1 + e^−z) (a stable primitive)."""
    return autograd.sigmoid(x)


def tanh(x: Tensor) -> Tensor:
    """Hyperbolic tangent."""
    return autograd.tanh(x)


def relu(x: Tensor, inplace: bool = False) -> Tensor:
    """max(0, z); gradient 0 at z = 0."""
    return autograd.relu(x)


def softplus(x: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """ln(1 + e^{βz}) / β, and z itself where βz > threshold (PyTorch's); stable for large |z|."""
    x = as_tensor(x)
    # NOTE: the exp branch sees z clipped to threshold/β, so the unselected side never overflows to inf
    # (inf there would turn where's zero gradient into 0·inf = nan).
    zc = autograd.clip(x, max=threshold / beta)
    soft = autograd.log(autograd.exp(zc * beta) + 1.0) * (1.0 / beta)
    return autograd.where(x.numpy() * beta > threshold, x, soft)


def softmax(x: Tensor, dim: int = -1) -> Tensor:
    """e^{z_i} / Σ_j e^{z_j} along ``dim`` (a stable primitive)."""
    return autograd.softmax(x, axis=dim)


def log_softmax(x: Tensor, dim: int = -1) -> Tensor:
    """z_i − log Σ_j e^{z_j} along ``dim`` (a stable primitive)."""
    return autograd.log_softmax(x, axis=dim)


def elu(x: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """z for z > 0, α (e^z − 1) otherwise."""
    x = as_tensor(x)
    # NOTE: clip, not minimum: its gradient at 0 is 1 (minimum would split a tie in half), as PyTorch's.
    neg = (autograd.exp(autograd.clip(x, max=0.0)) - 1.0) * alpha
    return autograd.where(x.numpy() > 0, x, neg)


def selu(x: Tensor, inplace: bool = False) -> Tensor:
    """scale · elu(z, α) with the self-normalising constants (α ≈ 1.6733, scale ≈ 1.0507)."""
    return elu(x, SELU_ALPHA) * SELU_SCALE


def softsign(x: Tensor) -> Tensor:
    """z / (1 + |z|)."""
    x = as_tensor(x)
    return x / (autograd.abs(x) + 1.0)


def leaky_relu(x: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """z for z > 0, negative_slope · z otherwise."""
    x = as_tensor(x)
    return autograd.where(x.numpy() > 0, x, x * negative_slope)


def prelu(x: Tensor, weight: Tensor) -> Tensor:
    """z for z > 0, a · z otherwise, with learnable ``weight`` a (one value, or one per channel, dim 1)."""
    x, weight = as_tensor(x), as_tensor(weight)
    if weight.ndim != 1:
        raise ValueError(f"prelu: weight must be 1-D, got shape {tuple(weight.shape)}")
    n = weight.shape[0]
    if n == 1:
        weight = weight.reshape(())
    else:
        channels = x.shape[1] if x.ndim >= 2 else (x.shape[0] if x.ndim == 1 else 1)
        if channels != n:
            raise ValueError(f"prelu: weight has {n} values but the input of shape {tuple(x.shape)} has "
                             f"{channels} channels (dimension 1)")
        if x.ndim >= 2:
            weight = weight.reshape(n, *([1] * (x.ndim - 2)))
    return autograd.where(x.numpy() > 0, x, x * weight)


def linear(x: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """x @ weightᵀ + bias (PyTorch's ``F.linear``), one engine primitive."""
    return autograd.linear(x, weight, bias)
