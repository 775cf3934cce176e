"""Recurrent cells and the layer loop with PyTorch's maths (RNN tanh/relu, LSTM gates i, f, g, o; GRU r, z, n).

Everything is composed from autograd's ops (``linear``, ``sigmoid``, ``tanh``, ``relu``, ``chunk``, ``stack``,
``cat``), so the recorded graph shows each step. A layer projects its whole input once
(``x W_ihᵀ + b_ih`` for every time step, one matmul) and then runs the recurrence step by step, each step
under the scope ``l{layer}[_reverse].t{step}``.
"""
from __future__ import annotations

import math
from typing import Any, Callable, Optional, Sequence

import autograd
from autograd import Tensor

from .norm import dropout as _dropout

__all__ = ["rnn_tanh_cell", "rnn_relu_cell", "lstm_cell", "gru_cell", "rnn_layers"]

State = Tensor | tuple[Tensor, Tensor]
Weights = Sequence[Optional[Tensor]]  # (w_ih, w_hh, b_ih, b_hh[, w_hr]) of one layer and direction


# ---- one step, given the input's projection gi = x W_ihᵀ + b_ih ---------------------------------------
def _tanh_step(gi: Tensor, h: Tensor, w_hh: Tensor, b_hh: Tensor | None) -> Tensor:
    """h' = tanh(gi + h W_hhᵀ + b_hh)."""
    return autograd.tanh(gi + autograd.linear(h, w_hh, b_hh))


def _relu_step(gi: Tensor, h: Tensor, w_hh: Tensor, b_hh: Tensor | None) -> Tensor:
    """h' = relu(gi + h W_hhᵀ + b_hh)."""
    return autograd.relu(gi + autograd.linear(h, w_hh, b_hh))


def _lstm_step(gi: Tensor, state: tuple[Tensor, Tensor], w_hh: Tensor, b_hh: Tensor | None,
               w_hr: Tensor | None = None) -> tuple[Tensor, Tensor]:
    """i, f, g, o = σ, σ, tanh, σ of the gates; c' = f c + i g; h' = o tanh(c') (then h' W_hrᵀ with a projection)."""
    h, c = state
    i, f, g, o = autograd.chunk(gi + autograd.linear(h, w_hh, b_hh), 4, -1)
    c = autograd.sigmoid(f) * c + autograd.sigmoid(i) * autograd.tanh(g)
    h = autograd.sigmoid(o) * autograd.tanh(c)
    return (h if w_hr is None else autograd.linear(h, w_hr)), c


def _gru_step(gi: Tensor, h: Tensor, w_hh: Tensor, b_hh: Tensor | None) -> Tensor:
    """r = σ(i_r + h_r), z = σ(i_z + h_z), n = tanh(i_n + r h_n); h' = (1 - z) n + z h, written n + z (h - n)."""
    i_r, i_z, i_n = autograd.chunk(gi, 3, -1)
    h_r, h_z, h_n = autograd.chunk(autograd.linear(h, w_hh, b_hh), 3, -1)
    r = autograd.sigmoid(i_r + h_r)
    z = autograd.sigmoid(i_z + h_z)
    n = autograd.tanh(i_n + r * h_n)
    return n + z * (h - n)  # NOTE: torch's form (RNN.cpp's GRUCell), so float results agree to the last bits


STEPS: dict[str, Callable] = {"RNN_TANH": _tanh_step, "RNN_RELU": _relu_step, "LSTM": _lstm_step, "GRU": _gru_step}


# ---- the cells (torch.rnn_tanh_cell, torch.lstm_cell, ...: batched 2-D input, no checks) ---------------
def rnn_tanh_cell(x: Tensor, h: Tensor, w_ih: Tensor, w_hh: Tensor, b_ih: Tensor | None = None,
                  b_hh: Tensor | None = None) -> Tensor:
    """One Elman step: tanh(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh)."""
    return _tanh_step(autograd.linear(x, w_ih, b_ih), h, w_hh, b_hh)


def rnn_relu_cell(x: Tensor, h: Tensor, w_ih: Tensor, w_hh: Tensor, b_ih: Tensor | None = None,
                  b_hh: Tensor | None = None) -> Tensor:
    """One Elman step with relu: relu(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh)."""
    return _relu_step(autograd.linear(x, w_ih, b_ih), h, w_hh, b_hh)


def lstm_cell(x: Tensor, hx: tuple[Tensor, Tensor], w_ih: Tensor, w_hh: Tensor, b_ih: Tensor | None = None,
              b_hh: Tensor | None = None) -> tuple[Tensor, Tensor]:
    """One LSTM step: (h', c') from (h, c); gates in torch's order i, f, g, o."""
    return _lstm_step(autograd.linear(x, w_ih, b_ih), hx, w_hh, b_hh)


def gru_cell(x: Tensor, h: Tensor, w_ih: Tensor, w_hh: Tensor, b_ih: Tensor | None = None,
             b_hh: Tensor | None = None) -> Tensor:
    """One GRU step: h' from h; gates in torch's order r, z, n."""
    return _gru_step(autograd.linear(x, w_ih, b_ih), h, w_hh, b_hh)


# ---- whole layers --------------------------------------------------------------------------------------
def _time_slices(seq: Tensor) -> list[Tensor]:
    """seq[0], seq[1], ... of a (L, ...) tensor.

    NOTE: speed. The adjoint of each slice is a scatter into a zero tensor of seq's full shape, so L slices of
    one tensor cost O(L²) in backward; slicing blocks of ~√L steps first makes it O(L^1.5) (L=500: 4x faster).
    """
    n = seq.shape[0]
    if n <= 16:
        return list(autograd.unbind(seq, 0))
    return [s for block in autograd.split(seq, math.isqrt(n), 0) for s in autograd.unbind(block, 0)]


def _direction(mode: str, x: Tensor, state: State, weights: Weights, reverse: bool) -> tuple[Tensor, State]:
    """Run one layer in one direction over x (L, N, in): (outputs (L, N, out), final state)."""
    w_ih, w_hh, b_ih, b_hh, *rest = weights
    step = STEPS[mode]
    assert w_ih is not None and w_hh is not None
    extra = (rest[0],) if mode == "LSTM" and rest and rest[0] is not None else ()
    gis = _time_slices(autograd.linear(x, w_ih, b_ih))  # NOTE: speed: one matmul for every step's input projection
    order = range(len(gis) - 1, -1, -1) if reverse else range(len(gis))
    outs: list[Tensor | None] = [None] * len(gis)
    for t in order:
        with autograd.scope(f"t{t}"):
            state = step(gis[t], state, w_hh, b_hh, *extra)
        outs[t] = state[0] if isinstance(state, tuple) else state
    return autograd.stack(outs, 0), state  # type: ignore[arg-type]  # every slot filled


def rnn_layers(mode: str, x: Tensor, hx: State, weights: Sequence[Weights], num_layers: int, bidirectional: bool,
               dropout: float = 0.0, training: bool = False) -> tuple[Tensor, State]:
    """A stacked (and maybe bidirectional) recurrent net over time-major x (L, N, in).

    ``hx`` is h0 (layers·D, N, H) or (h0, c0) for LSTM; ``weights`` holds one tuple per layer and direction,
    in torch's order (l0, l0_reverse, l1, ...). Dropout with probability ``dropout`` is applied to every layer's
    output but the last, in training only. Returns (output (L, N, D·H_out), h_n or (h_n, c_n)).
    """
    dirs = 2 if bidirectional else 1
    lstm = mode == "LSTM"
    finals: list[Any] = []
    for layer in range(num_layers):
        outs = []
        for d in range(dirs):
            k = layer * dirs + d
            state: State = (hx[0][k], hx[1][k]) if lstm else hx[k]
            with autograd.scope(f"l{layer}{'_reverse' if d else ''}"):
                out, state = _direction(mode, x, state, weights[k], reverse=d == 1)
            outs.append(out)
            finals.append(state)
        x = outs[0] if dirs == 1 else autograd.cat(outs, -1)
        if dropout > 0 and training and layer < num_layers - 1:
            x = _dropout(x, dropout, training=True)
    if lstm:
        return x, (autograd.stack([s[0] for s in finals], 0), autograd.stack([s[1] for s in finals], 0))
    return x, autograd.stack(finals, 0)
