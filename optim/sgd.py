"""Stochastic gradient descent, with momentum and Nesterov momentum."""
from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor

from .optimizer import Optimizer, ParamsT


class SGD(Optimizer):
    r"""Stochastic gradient descent (optionally with momentum), exactly as ``torch.optim.SGD``.

    With learning rate γ, momentum μ, dampening τ, weight decay λ, at step t::

        g_t  = ∇f(θ_{t-1}) + λ θ_{t-1}                (g_t = -∇f + λθ when maximize)
        b_1  = g_1;   b_t = μ b_{t-1} + (1 - τ) g_t    (if μ ≠ 0)
        g_t  = g_t + μ b_t   if nesterov,   else  b_t  (if μ ≠ 0)
        θ_t  = θ_{t-1} - γ g_t

    ``foreach``, ``fused``, ``capturable``, ``differentiable``: accepted for torch's signature and ignored
    (every step runs on NumPy arrays, outside the graph).
    """

    def __init__(self, params: ParamsT, lr: float = 1e-3, momentum: float = 0, dampening: float = 0,
                 weight_decay: float = 0, nesterov: bool = False, *, maximize: bool = False,
                 foreach: bool | None = None, differentiable: bool = False, fused: bool | None = None) -> None:
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                                      nesterov=nesterov, maximize=maximize))

    _nonnegative = ("lr", "momentum", "weight_decay")

    def _check(self, group: dict[str, Any]) -> None:
        super()._check(group)
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError("Invalid nesterov value: Nesterov momentum requires a momentum > 0 and zero dampening")

    def _update(self, p: np.ndarray, g: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> None:
        d = self._decayed(p, g, group["weight_decay"], group["maximize"])
        mu = group["momentum"]
        tmp = self._scratch(p, 0)
        if mu != 0:
            buf_t = state.get("momentum_buffer")
            if buf_t is None:
                buf = np.array(d, copy=True)
                state["momentum_buffer"] = Tensor(buf)
            else:
                buf = buf_t.numpy()
                buf *= mu
                if group["dampening"] == 0:
                    buf += d
                else:
                    buf += np.multiply(d, 1 - group["dampening"], out=tmp)
            if group["nesterov"]:
                np.multiply(buf, mu, out=tmp)
                tmp += d
                d = tmp
            else:
                d = buf
        np.multiply(d, group["lr"], out=tmp)
        p -= tmp
