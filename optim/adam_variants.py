"""Adam's relatives: Adamax (infinity norm), NAdam (Nesterov momentum), RAdam (rectified variance).

``foreach``, ``capturable`` and ``differentiable`` are accepted for torch's signatures and ignored:
every step runs on NumPy arrays, outside the graph.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .optimizer import Optimizer, ParamsT, addcmul_, bump_step, check_range, lerp_, scalar_tensor, zeros_state


def check_betas(group: dict[str, Any]) -> None:
    """Raise ``ValueError`` unless ``betas`` is a pair in [0, 1)."""
    betas = group["betas"]
    if len(betas) != 2:
        raise ValueError(f"Invalid betas value: {betas!r} (betas must be a pair (beta1, beta2))")
    check_range("betas[0]", betas[0], 0.0, 1.0, high_open=True)
    check_range("betas[1]", betas[1], 0.0, 1.0, high_open=True)


class _AdamLike(Optimizer):
    _nonnegative: tuple[str, ...] = ("lr", "eps", "weight_decay")
    _scalar_state: tuple[str, ...] = ("step",)

    def _check(self, group: dict[str, Any]) -> None:
        super()._check(group)
        check_betas(group)

    def _init_state(self, p: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> None:
        state["step"] = scalar_tensor(0.0)
        state["exp_avg"] = zeros_state(p)
        state["exp_avg_sq"] = zeros_state(p)

    def _moments(self, p: np.ndarray, g: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> np.ndarray:
        """Weight decay (L2 or decoupled), then the two moments; returns the gradient the rule used."""
        lr, wd, maximize = group["lr"], group["weight_decay"], group["maximize"]
        if wd != 0 and group["decoupled_weight_decay"]:
            p *= 1 - lr * wd
            wd = 0
        g = self._decayed(p, g, wd, maximize)
        (beta1, beta2), tmp = group["betas"], self._scratch(p, 0)
        m, v = state["exp_avg"].numpy(), state["exp_avg_sq"].numpy()
        lerp_(m, g, 1 - beta1, tmp)
        v *= beta2
        addcmul_(v, g, g, 1 - beta2, tmp)
        return g


class Adamax(_AdamLike):
    r"""Adamax (Kingma & Ba 2015, §7): Adam with the infinity norm, exactly as ``torch.optim.Adamax``.

    With learning rate γ, betas (β₁, β₂), ε, weight decay λ, at step t::

        g_t  = ∇f(θ_{t-1}) + λ θ_{t-1}        (-∇f when maximize)
        m_t  = β₁ m_{t-1} + (1 - β₁) g_t
        u_t  = max(β₂ u_{t-1}, |g_t| + ε)
        θ_t  = θ_{t-1} - γ/(1 - β₁ᵗ) · m_t / u_t
    """

    def __init__(self, params: ParamsT, lr: float = 2e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, foreach: bool | None = None, *,
                 maximize: bool = False, differentiable: bool = False, capturable: bool = False) -> None:
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                                      maximize=maximize))

    def _init_state(self, p: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> None:
        state["step"] = scalar_tensor(0.0)
        state["exp_avg"] = zeros_state(p)
        state["exp_inf"] = zeros_state(p)

    def _update(self, p: np.ndarray, g: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> None:
        step = bump_step(state)
        g = self._decayed(p, g, group["weight_decay"], group["maximize"])
        beta1, beta2 = group["betas"]
        m, u, tmp = state["exp_avg"].numpy(), state["exp_inf"].numpy(), self._scratch(p, 0)
        lerp_(m, g, 1 - beta1, tmp)
        u *= beta2
        np.abs(g, out=tmp)
        tmp += group["eps"]
        np.maximum(u, tmp, out=u)
        np.multiply(m, -group["lr"] / (1 - beta1 ** step), out=tmp)  # torch: addcdiv_(m, u, value=-clr)
        tmp /= u
        p += tmp


class NAdam(_AdamLike):
    r"""NAdam (Dozat 2016): Adam with Nesterov momentum, exactly as ``torch.optim.NAdam``.

    With learning rate γ, betas (β₁, β₂), ε, weight decay λ, momentum decay ψ, at step t::

        g_t   = ∇f(θ_{t-1}) + λ θ_{t-1}    (decoupled_weight_decay: θ_{t-1} ← (1 - γλ) θ_{t-1} instead)
        μ_t   = β₁ (1 - ½ · 0.96^(t ψ)),   μ_{t+1} likewise;   Π_t = Π_{t-1} μ_t  (Π₀ = 1)
        m_t   = β₁ m_{t-1} + (1 - β₁) g_t
        v_t   = β₂ v_{t-1} + (1 - β₂) g_t²
        d_t   = sqrt(v_t / (1 - β₂ᵗ)) + ε
        θ_t   = θ_{t-1} - γ (1 - μ_t)/(1 - Π_t) · g_t / d_t - γ μ_{t+1}/(1 - Π_t μ_{t+1}) · m_t / d_t
    """

    def __init__(self, params: ParamsT, lr: float = 2e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, momentum_decay: float = 4e-3,
                 decoupled_weight_decay: bool = False, *, foreach: bool | None = None, maximize: bool = False,
                 capturable: bool = False, differentiable: bool = False) -> None:
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                                      momentum_decay=momentum_decay, decoupled_weight_decay=decoupled_weight_decay,
                                      maximize=maximize))

    _nonnegative = ("lr", "eps", "weight_decay", "momentum_decay")
    _scalar_state = ("step", "mu_product")

    def _init_state(self, p: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> None:
        state["step"] = scalar_tensor(0.0)
        state["mu_product"] = scalar_tensor(1.0)
        state["exp_avg"] = zeros_state(p)
        state["exp_avg_sq"] = zeros_state(p)

    def _update(self, p: np.ndarray, g: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> None:
        step = bump_step(state)
        lr, (beta1, beta2), psi = group["lr"], group["betas"], group["momentum_decay"]
        g = self._moments(p, g, state, group)
        mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * psi)))
        mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * psi)))
        mp = state["mu_product"].numpy()
        mp *= mp.dtype.type(mu)  # torch: mu_product *= mu, in the 0-d Tensor's dtype (float32)
        mu_product = float(mp)
        denom, tmp = self._scratch(p, 1), self._scratch(p, 0)
        np.divide(state["exp_avg_sq"].numpy(), 1 - beta2 ** step, out=denom)
        np.sqrt(denom, out=denom)
        denom += group["eps"]
        np.multiply(g, -lr * (1.0 - mu) / (1.0 - mu_product), out=tmp)  # torch: addcdiv_(g, denom, value=...)
        tmp /= denom
        p += tmp
        np.multiply(state["exp_avg"].numpy(), (-lr * mu_next) / (1.0 - mu_product * mu_next), out=tmp)
        tmp /= denom
        p += tmp


class RAdam(_AdamLike):
    r"""RAdam (Liu et al. 2020): Adam with a rectified adaptive learning rate, exactly as ``torch.optim.RAdam``.

    With learning rate γ, betas (β₁, β₂), ε, weight decay λ, at step t (m_t, v_t as in Adam)::

        ρ_∞  = 2/(1 - β₂) - 1,     ρ_t = ρ_∞ - 2 t β₂ᵗ / (1 - β₂ᵗ)
        m̂_t  = m_t / (1 - β₁ᵗ)
        r_t  = sqrt((ρ_t - 4)(ρ_t - 2) ρ_∞ / ((ρ_∞ - 4)(ρ_∞ - 2) ρ_t))
        θ_t  = θ_{t-1} - γ m̂_t · r_t sqrt(1 - β₂ᵗ) / (sqrt(v_t) + ε)    if ρ_t > 5
        θ_t  = θ_{t-1} - γ m̂_t                                          otherwise

    g_t = ∇f + λθ (L2), or θ_{t-1} ← (1 - γλ) θ_{t-1} with ``decoupled_weight_decay``.
    """

    def __init__(self, params: ParamsT, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, decoupled_weight_decay: bool = False, *,
                 foreach: bool | None = None, maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False) -> None:
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                                      decoupled_weight_decay=decoupled_weight_decay, maximize=maximize))

    def _update(self, p: np.ndarray, g: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> None:
        step = bump_step(state)
        (beta1, beta2), lr = group["betas"], group["lr"]
        self._moments(p, g, state, group)
        bias_correction2 = 1 - beta2 ** step
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * step * (beta2 ** step) / bias_correction2
        tmp = self._scratch(p, 0)
        np.divide(state["exp_avg"].numpy(), 1 - beta1 ** step, out=tmp)
        tmp *= lr
        if rho_t > 5.0:
            adaptive = self._scratch(p, 1)
            np.sqrt(state["exp_avg_sq"].numpy(), out=adaptive)
            adaptive += group["eps"]
            np.divide(bias_correction2 ** 0.5, adaptive, out=adaptive)
            tmp *= adaptive
            tmp *= ((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
        p -= tmp
