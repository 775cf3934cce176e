"""Per-coordinate adaptive learning rates: Adagrad, Adadelta, RMSprop.

``foreach``, ``fused``, ``capturable``, ``differentiable``: accepted for torch's signatures and ignored
(every step runs on NumPy arrays, outside the graph).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor

from .optimizer import Optimizer, ParamsT, addcmul_, bump_step, check_range, lerp_, scalar_tensor, zeros_state


class Adagrad(Optimizer):
    r"""Adagrad (Duchi et al. 2011), exactly as ``torch.optim.Adagrad``.

    With learning rate γ, lr decay η, weight decay λ, initial accumulator s₀, at step t::

        g_t  = ∇f(θ_{t-1}) + λ θ_{t-1}
        γ̃_t  = γ / (1 + (t - 1) η)
        s_t  = s_{t-1} + g_t²
        θ_t  = θ_{t-1} - γ̃_t · g_t / (sqrt(s_t) + ε)
    """

    def __init__(self, params: ParamsT, lr: float = 1e-2, lr_decay: float = 0, weight_decay: float = 0,
                 initial_accumulator_value: float = 0, eps: float = 1e-10, foreach: bool | None = None, *,
                 maximize: bool = False, differentiable: bool = False, fused: bool | None = None) -> None:
        super().__init__(params, dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                                      initial_accumulator_value=initial_accumulator_value, maximize=maximize))

    _nonnegative = ("lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps")
    _scalar_state = ("step",)

    def _init_state(self, p: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> None:
        state["step"] = scalar_tensor(0.0)
        state["sum"] = Tensor(np.full_like(p, group["initial_accumulator_value"]))

    def _update(self, p: np.ndarray, g: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> None:
        step = bump_step(state)
        g = self._decayed(p, g, group["weight_decay"], group["maximize"])
        clr = group["lr"] / (1 + (step - 1) * group["lr_decay"])
        s, tmp = state["sum"].numpy(), self._scratch(p, 0)
        addcmul_(s, g, g, 1, tmp)
        np.sqrt(s, out=tmp)
        tmp += group["eps"]
        np.divide(g, tmp, out=tmp)
        tmp *= clr
        p -= tmp


class Adadelta(Optimizer):
    r"""Adadelta (Zeiler 2012), exactly as ``torch.optim.Adadelta``.

    With learning rate γ, decay ρ, ε, weight decay λ, at step t::

        g_t  = ∇f(θ_{t-1}) + λ θ_{t-1}
        v_t  = ρ v_{t-1} + (1 - ρ) g_t²
        Δ_t  = sqrt(u_{t-1} + ε) / sqrt(v_t + ε) · g_t
        u_t  = ρ u_{t-1} + (1 - ρ) Δ_t²
        θ_t  = θ_{t-1} - γ Δ_t
    """

    def __init__(self, params: ParamsT, lr: float = 1.0, rho: float = 0.9, eps: float = 1e-6,
                 weight_decay: float = 0, foreach: bool | None = None, *, capturable: bool = False,
                 maximize: bool = False, differentiable: bool = False) -> None:
        super().__init__(params, dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize))

    _nonnegative = ("lr", "eps", "weight_decay")
    _scalar_state = ("step",)

    def _check(self, group: dict[str, Any]) -> None:
        super()._check(group)
        check_range("rho", group["rho"], 0.0, 1.0)

    def _init_state(self, p: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> None:
        state["step"] = scalar_tensor(0.0)
        state["square_avg"] = zeros_state(p)
        state["acc_delta"] = zeros_state(p)

    def _update(self, p: np.ndarray, g: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> None:
        bump_step(state)
        g = self._decayed(p, g, group["weight_decay"], group["maximize"])
        rho, eps = group["rho"], group["eps"]
        v, u = state["square_avg"].numpy(), state["acc_delta"].numpy()
        std, delta = self._scratch(p, 0), self._scratch(p, 1)
        v *= rho
        addcmul_(v, g, g, 1 - rho, std)
        np.add(v, eps, out=std)
        np.sqrt(std, out=std)
        np.add(u, eps, out=delta)
        np.sqrt(delta, out=delta)
        delta /= std
        delta *= g
        u *= rho
        addcmul_(u, delta, delta, 1 - rho, std)
        delta *= group["lr"]
        p -= delta


class RMSprop(Optimizer):
    r"""RMSprop (Hinton 2012), optionally centered and with momentum, exactly as ``torch.optim.RMSprop``.

    With learning rate γ, smoothing α, ε, weight decay λ, momentum μ, at step t::

        g_t  = ∇f(θ_{t-1}) + λ θ_{t-1}
        v_t  = α v_{t-1} + (1 - α) g_t²
        v̄_t  = v_t - ḡ_t²  with  ḡ_t = α ḡ_{t-1} + (1 - α) g_t   if centered,   else  v_t
        b_t  = μ b_{t-1} + g_t / (sqrt(v̄_t) + ε);   θ_t = θ_{t-1} - γ b_t       if μ > 0
        θ_t  = θ_{t-1} - γ g_t / (sqrt(v̄_t) + ε)                               otherwise
    """

    def __init__(self, params: ParamsT, lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0, momentum: float = 0, centered: bool = False, capturable: bool = False,
                 foreach: bool | None = None, maximize: bool = False, differentiable: bool = False) -> None:
        super().__init__(params, dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay, momentum=momentum,
                                      centered=centered, maximize=maximize))

    _nonnegative = ("lr", "eps", "momentum", "weight_decay", "alpha")
    _scalar_state = ("step",)

    def _init_state(self, p: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> None:
        state["step"] = scalar_tensor(0.0)
        state["square_avg"] = zeros_state(p)
        if group["momentum"] > 0:
            state["momentum_buffer"] = zeros_state(p)
        if group["centered"]:
            state["grad_avg"] = zeros_state(p)

    def _update(self, p: np.ndarray, g: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> None:
        bump_step(state)
        g = self._decayed(p, g, group["weight_decay"], group["maximize"])
        alpha, v = group["alpha"], state["square_avg"].numpy()
        avg, tmp = self._scratch(p, 0), self._scratch(p, 1)
        v *= alpha
        addcmul_(v, g, g, 1 - alpha, tmp)
        if group["centered"]:
            if "grad_avg" not in state:  # centered switched on after the first step
                state["grad_avg"] = zeros_state(p)
            ga = state["grad_avg"].numpy()
            lerp_(ga, g, 1 - alpha, tmp)
            np.multiply(ga, -1, out=tmp)
            tmp *= ga
            np.add(v, tmp, out=avg)
            np.sqrt(avg, out=avg)
        else:
            np.sqrt(v, out=avg)
        avg += group["eps"]
        np.divide(g, avg, out=tmp)
        if group["momentum"] > 0:
            if "momentum_buffer" not in state:  # momentum switched on after the first step
                state["momentum_buffer"] = zeros_state(p)
            buf = state["momentum_buffer"].numpy()
            buf *= group["momentum"]
            buf += tmp
            np.multiply(buf, group["lr"], out=tmp)
        else:
            tmp *= group["lr"]
        p -= tmp
