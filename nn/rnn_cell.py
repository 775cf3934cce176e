"""Single-step recurrent cells with PyTorch's semantics: RNNCell, LSTMCell, GRUCell (and the helpers nn.rnn shares).

Parameters are ``weight_ih`` (gates·H, in), ``weight_hh`` (gates·H, H), ``bias_ih``, ``bias_hh``, initialised from
U(-1/√H, 1/√H) like torch's; gates stacked i, f, g, o (LSTM) and r, z, n (GRU).
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

import autograd
from autograd import Tensor
from autograd.dtypes import check_device

from . import init
from .functional import rnn as R
from .module import Module, Parameter

__all__ = ["RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]


class RNNShapeError(ValueError, RuntimeError):
    """An input or state of the wrong shape (torch raises ValueError for some of these, RuntimeError for others)."""


def _size(name: str, v: Any, positive: bool = True) -> int:
    if not isinstance(v, (int, np.integer)) or isinstance(v, bool):
        raise TypeError(f"{name} should be of type int, got: {type(v).__name__}")
    if positive and v <= 0:
        raise ValueError(f"{name} must be greater than zero")
    return int(v)


def _where(m: Module) -> str:
    """'LSTM layer 'encoder.rnn' (3, 4)': the class, the module's path and its settings, for error messages."""
    return f"{type(m).__name__} layer {autograd.current_scope() or '<root>'!r} ({m.extra_repr()})"


def _as_tensor(x: Any) -> Tensor:
    return x if isinstance(x, Tensor) else Tensor(x)


def _check_dtype(m: Module, x: Tensor, w: Tensor) -> None:
    if x.dtype != w.dtype:
        raise ValueError(f"{type(m).__name__} input dtype ({x.dtype}) does not match weight dtype ({w.dtype}). "
                         f"Convert input: input.to({w.dtype}), or convert model: model.to({x.dtype})")


class RNNCellBase(Module):
    """What the cells share (torch.nn.RNNCellBase): the four parameters, their init and the shape checks."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool, num_chunks: int, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        check_device(device, type(self).__name__)
        self.input_size, self.hidden_size = _size("input_size", input_size, False), _size("hidden_size", hidden_size)
        self.bias = bool(bias)
        dt, gate = np.dtype(np.float32 if dtype is None else dtype), num_chunks * self.hidden_size
        self.weight_ih = Parameter(np.empty((gate, self.input_size), dtype=dt))
        self.weight_hh = Parameter(np.empty((gate, self.hidden_size), dtype=dt))
        for name in ("bias_ih", "bias_hh"):
            self.register_parameter(name, Parameter(np.empty((gate,), dtype=dt)) if bias else None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Every weight and bias from U(-1/√hidden_size, 1/√hidden_size) (torch's default)."""
        stdv = 1.0 / math.sqrt(self.hidden_size)
        for p in self.parameters():
            init.uniform_(p, -stdv, stdv)

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            s += f", nonlinearity={self.nonlinearity}"
        return s

    def _input(self, x: Any) -> tuple[Tensor, bool]:
        """``x`` as a batched (N, in) tensor, and whether it was batched; checks dims, size and dtype."""
        x = _as_tensor(x)
        if x.ndim not in (1, 2):
            raise RNNShapeError(f"{_where(self)}: Expected input to be 1D or 2D, got {x.ndim}D instead "
                                f"(shape {tuple(x.shape)})")
        if x.shape[-1] != self.input_size:
            raise RNNShapeError(f"{_where(self)}: input has inconsistent input_size: got {x.shape[-1]} expected "
                                f"{self.input_size} (input of shape {tuple(x.shape)})")
        _check_dtype(self, x, self.weight_ih)
        return (x, True) if x.ndim == 2 else (x.unsqueeze(0), False)

    def _state(self, h: Any, x: Tensor, batched: bool, label: str) -> Tensor:
        """A state as (N, H): zeros when None; checks it against the (batched) input."""
        if h is None:
            return Tensor(np.zeros((x.shape[0], self.hidden_size), dtype=x.dtype))
        h = _as_tensor(h)
        if h.ndim != (2 if batched else 1):
            raise RNNShapeError(f"{_where(self)}: Expected {label} to be {'2D' if batched else '1D'} like the "
                                f"input, got {h.ndim}D (shape {tuple(h.shape)})")
        h = h if batched else h.unsqueeze(0)
        if h.shape[0] != x.shape[0]:
            raise RNNShapeError(f"{_where(self)}: Input batch size {x.shape[0]} doesn't match {label} batch size "
                                f"{h.shape[0]}")
        if h.shape[1] != self.hidden_size:
            raise RNNShapeError(f"{_where(self)}: {label} has inconsistent hidden_size: got {h.shape[1]}, expected "
                                f"{self.hidden_size}")
        return h

    def _weights(self) -> tuple[Any, ...]:
        return self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh


class RNNCell(RNNCellBase):
    """h' = tanh(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh) (or relu); input (N, in) or (in,), h (N, H) or (H,)."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, nonlinearity: str = "tanh",
                 device: Any = None, dtype: Any = None) -> None:
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"Unknown nonlinearity: {nonlinearity}. Select from 'tanh' or 'relu'.")
        super().__init__(input_size, hidden_size, bias, 1, device, dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        """The next hidden state."""
        x, batched = self._input(input)
        h = self._state(hx, x, batched, "hidden")
        cell = R.rnn_tanh_cell if self.nonlinearity == "tanh" else R.rnn_relu_cell
        out = cell(x, h, *self._weights())
        return out if batched else out.squeeze(0)


class LSTMCell(RNNCellBase):
    """One LSTM step: (h', c') from input and (h, c) (zeros when not given); gates i, f, g, o."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__(input_size, hidden_size, bias, 4, device, dtype)

    def forward(self, input: Tensor, hx: tuple[Tensor, Tensor] | None = None) -> tuple[Tensor, Tensor]:
        """(h', c')."""
        x, batched = self._input(input)
        if hx is not None and (not isinstance(hx, (tuple, list)) or len(hx) != 2):
            raise TypeError(f"{_where(self)}: hx must be a tuple (h_0, c_0), got {type(hx).__name__}")
        h = self._state(None if hx is None else hx[0], x, batched, "hx[0]")
        c = self._state(None if hx is None else hx[1], x, batched, "hx[1]")
        h, c = R.lstm_cell(x, (h, c), *self._weights())
        return (h, c) if batched else (h.squeeze(0), c.squeeze(0))


class GRUCell(RNNCellBase):
    """One GRU step: h' = (1 - z) n + z h with gates r, z, n (torch's)."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__(input_size, hidden_size, bias, 3, device, dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        """The next hidden state."""
        x, batched = self._input(input)
        out = R.gru_cell(x, self._state(hx, x, batched, "hidden"), *self._weights())
        return out if batched else out.squeeze(0)
