"""Recurrent layers with PyTorch's semantics: RNN, LSTM, GRU and their single-step cells.

Parameters carry torch's names and shapes (``weight_ih_l0``, ``weight_hh_l0``, ``bias_ih_l0``, ``bias_hh_l0``,
``weight_hr_l0`` with ``proj_size``, a ``_reverse`` suffix for the backward direction; gates stacked as i, f, g, o
for LSTM and r, z, n for GRU), so a torch state dict loads as is. The maths is in ``nn.functional.rnn``.
"""
from __future__ import annotations

import math
import numbers
import warnings
from typing import Any

import numpy as np

from autograd import Tensor
from autograd.dtypes import check_device

from . import init
from .functional import rnn as R
from .module import Module, Parameter
from .rnn_cell import GRUCell, LSTMCell, RNNCell, RNNCellBase, RNNShapeError, _as_tensor, _check_dtype, _size, _where

__all__ = ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell", "RNNShapeError"]

_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


class RNNBase(Module):
    """The shared machinery of RNN, LSTM and GRU (torch.nn.RNNBase): parameters, checks, the layer loop."""

    def __init__(self, mode: str, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False, proj_size: int = 0,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        check_device(device, type(self).__name__)
        if (not isinstance(dropout, numbers.Number) or isinstance(dropout, bool)
                or not 0 <= dropout <= 1):
            raise ValueError("dropout should be a number in range [0, 1] representing the probability of an "
                             "element being zeroed")
        input_size, hidden_size = _size("input_size", input_size, False), _size("hidden_size", hidden_size)
        num_layers, proj_size = _size("num_layers", num_layers), _size("proj_size", proj_size, False)
        if dropout > 0 and num_layers == 1:
            warnings.warn("dropout option adds dropout after all but last recurrent layer, so non-zero dropout "
                          f"expects num_layers greater than 1, but got dropout={dropout} and num_layers={num_layers}")
        if proj_size and mode != "LSTM":
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if proj_size < 0:
            raise ValueError("proj_size should be a positive integer or zero to disable projections")
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        self.mode, self.input_size, self.hidden_size, self.num_layers = mode, input_size, hidden_size, num_layers
        self.bias, self.batch_first, self.dropout = bool(bias), bool(batch_first), float(dropout)
        self.bidirectional, self.proj_size = bool(bidirectional), proj_size
        dirs, out = (2 if bidirectional else 1), (proj_size or hidden_size)
        gate, dt = _GATES[mode] * hidden_size, np.dtype(np.float32 if dtype is None else dtype)
        self._flat_weights_names: list[str] = []
        for layer in range(num_layers):
            for d in range(dirs):
                sfx = f"_l{layer}{'_reverse' if d else ''}"
                shapes: dict[str, tuple[int, ...]] = {"weight_ih": (gate, input_size if layer == 0 else out * dirs),
                                                      "weight_hh": (gate, out)}
                if bias:
                    shapes.update(bias_ih=(gate,), bias_hh=(gate,))
                if proj_size:
                    shapes["weight_hr"] = (proj_size, hidden_size)
                for name, shape in shapes.items():
                    setattr(self, name + sfx, Parameter(np.empty(shape, dtype=dt)))
                    self._flat_weights_names.append(name + sfx)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Every weight and bias from U(-1/√hidden_size, 1/√hidden_size) (torch's default)."""
        stdv = 1.0 / math.sqrt(self.hidden_size)
        for p in self.parameters():
            init.uniform_(p, -stdv, stdv)

    def flatten_parameters(self) -> None:
        """A no-op (torch's packs cuDNN weights; there is nothing to pack here)."""

    @property
    def _flat_weights(self) -> list[Tensor | None]:
        return [getattr(self, n) for n in self._flat_weights_names]

    @property
    def all_weights(self) -> list[list[Tensor]]:
        """The parameters grouped per layer and direction, as torch's ``all_weights``."""
        per = len(self._flat_weights_names) // (self.num_layers * (2 if self.bidirectional else 1))
        w = self._flat_weights
        return [w[i:i + per] for i in range(0, len(w), per)]  # type: ignore[misc]

    def _weights(self) -> list[tuple[Tensor | None, ...]]:
        """(w_ih, w_hh, b_ih, b_hh, w_hr) per layer and direction (None where absent)."""
        out = []
        for layer in range(self.num_layers):
            for d in range(2 if self.bidirectional else 1):
                sfx = f"_l{layer}{'_reverse' if d else ''}"
                out.append(tuple(getattr(self, n + sfx, None) if (n + sfx) in self._parameters else None
                                 for n in ("weight_ih", "weight_hh", "bias_ih", "bias_hh", "weight_hr")))
        return out

    def _check_state(self, h: Any, expected: tuple, label: str, batched: bool) -> Tensor:
        h = _as_tensor(h)
        if h.ndim != (3 if batched else 2):
            raise RNNShapeError(f"{_where(self)}: for {'batched 3' if batched else 'unbatched 2'}-D input, "
                                f"{label} should also be {3 if batched else 2}-D but got {h.ndim}-D tensor "
                                f"of shape {tuple(h.shape)}")
        if not batched:
            h = h.unsqueeze(1)
        if tuple(h.shape) != expected:
            got = tuple(h.shape) if batched else (h.shape[0], h.shape[2])
            want = expected if batched else (expected[0], expected[2])
            raise RNNShapeError(f"{_where(self)}: Expected {label} size {want}, got {list(got)}")
        return h

    def forward(self, input: Tensor, hx: Any = None) -> tuple[Tensor, Any]:
        """(output, h_n), or (output, (h_n, c_n)) for LSTM; ``input`` is (L, N, in), (N, L, in) or unbatched (L, in)."""
        x = _as_tensor(input)
        if x.ndim not in (2, 3):
            raise RNNShapeError(f"{_where(self)}: Expected input to be 2D or 3D, got {x.ndim}D instead "
                                f"(shape {tuple(x.shape)})")
        if x.shape[-1] != self.input_size:
            raise RNNShapeError(f"{_where(self)}: input.size(-1) must be equal to input_size. Expected "
                                f"{self.input_size}, got {x.shape[-1]} (input of shape {tuple(x.shape)})")
        _check_dtype(self, x, self.weight_ih_l0)
        batched = x.ndim == 3
        x = (x.transpose(0, 1) if self.batch_first else x) if batched else x.unsqueeze(1)
        if x.shape[0] == 0:
            raise RNNShapeError(f"{_where(self)}: Expected sequence length to be larger than 0 in RNN")
        n, k = x.shape[1], self.num_layers * (2 if self.bidirectional else 1)
        h_shape, c_shape = (k, n, self.proj_size or self.hidden_size), (k, n, self.hidden_size)
        lstm = self.mode == "LSTM"
        if hx is None:
            zeros = [Tensor(np.zeros(h_shape, dtype=x.dtype))]
            if lstm:
                zeros.append(Tensor(np.zeros(c_shape, dtype=x.dtype)))
            state: Any = tuple(zeros) if lstm else zeros[0]
        elif lstm:
            if not isinstance(hx, (tuple, list)) or len(hx) != 2:
                raise TypeError(f"{_where(self)}: hx must be a tuple (h_0, c_0), got {type(hx).__name__}")
            state = (self._check_state(hx[0], h_shape, "hidden[0]", batched),
                     self._check_state(hx[1], c_shape, "hidden[1]", batched))
        else:
            if isinstance(hx, (tuple, list)):
                raise TypeError(f"{_where(self)}: hx must be a Tensor h_0, got a {type(hx).__name__}")
            state = self._check_state(hx, h_shape, "hidden", batched)
        hn: Any
        out, hn = R.rnn_layers(self.mode, x, state, self._weights(), self.num_layers, self.bidirectional,
                               self.dropout, self.training)
        if not batched:
            out = out.squeeze(1)
            hn = tuple(h.squeeze(1) for h in hn) if lstm else hn.squeeze(1)
        elif self.batch_first:
            out = out.transpose(0, 1)
        return out, hn

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size != 0:
            s += f", proj_size={self.proj_size}"
        for key, default in (("num_layers", 1), ("bias", True), ("batch_first", False), ("dropout", 0.0),
                             ("bidirectional", False)):
            if getattr(self, key) != default:
                s += f", {key}={getattr(self, key)}"
        return s


class RNN(RNNBase):
    """Elman RNN: h_t = tanh(x_t W_ihᵀ + b_ih + h_{t-1} W_hhᵀ + b_hh), or relu with ``nonlinearity='relu'``."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, nonlinearity: str = "tanh",
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False,
                 device: Any = None, dtype: Any = None, *, proj_size: int = 0) -> None:
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or 'relu'.")
        super().__init__("RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU", input_size, hidden_size, num_layers,
                         bias, batch_first, dropout, bidirectional, proj_size, device, dtype)
        self.nonlinearity = nonlinearity


class LSTM(RNNBase):
    """LSTM with torch's gates (i, f, g, o) and optional projection ``proj_size`` (h_t = W_hr (o ⊙ tanh c_t))."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False, proj_size: int = 0,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         proj_size, device, dtype)


class GRU(RNNBase):
    """GRU with torch's gates (r, z, n): n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)), h' = (1 - z) n + z h."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False,
                 device: Any = None, dtype: Any = None, *, proj_size: int = 0) -> None:
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         proj_size, device, dtype)
