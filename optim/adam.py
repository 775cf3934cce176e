"""Adam and AdamW (Adam with decoupled weight decay)."""
from __future__ import annotations

from typing import Any

import numpy as np

from .optimizer import Optimizer, ParamsT, addcmul_, bump_step, check_range, lerp_, scalar_tensor, zeros_state


class Adam(Optimizer):
    r"""Adam (Kingma & Ba 2015), optionally AMSGrad, exactly as ``torch.optim.Adam``.

    With learning rate γ, betas (β₁, β₂), ε, weight decay λ, at step t::

        g_t  = ∇f(θ_{t-1}) + λ θ_{t-1}          (L2; with decoupled_weight_decay: θ_{t-1} ← (1 - γλ) θ_{t-1})
        m_t  = β₁ m_{t-1} + (1 - β₁) g_t
        v_t  = β₂ v_{t-1} + (1 - β₂) g_t²
        v̂_t  = max(v̂_{t-1}, v_t)   if amsgrad,   else  v_t
        θ_t  = θ_{t-1} - γ/(1 - β₁ᵗ) · m_t / (sqrt(v̂_t) / sqrt(1 - β₂ᵗ) + ε)

    m₀ = v₀ = 0; ``maximize`` uses -∇f.

    ``foreach``, ``fused``, ``capturable``, ``differentiable``: accepted for torch's signature and ignored
    (every step runs on NumPy arrays, outside the graph).
    """

    def __init__(self, params: ParamsT, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, amsgrad: bool = False, *, foreach: bool | None = None,
                 maximize: bool = False, capturable: bool = False, differentiable: bool = False,
                 fused: bool | None = None, decoupled_weight_decay: bool = False) -> None:
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                                      amsgrad=amsgrad, maximize=maximize,
                                      decoupled_weight_decay=decoupled_weight_decay))

    _nonnegative = ("lr", "eps", "weight_decay")
    _scalar_state = ("step",)

    def _check(self, group: dict[str, Any]) -> None:
        super()._check(group)
        betas = group["betas"]
        if len(betas) != 2:
            raise ValueError(f"Invalid betas value: {betas!r} (betas must be a pair (beta1, beta2))")
        check_range("betas[0]", betas[0], 0.0, 1.0, high_open=True)
        check_range("betas[1]", betas[1], 0.0, 1.0, high_open=True)

    def _init_state(self, p: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> None:
        state["step"] = scalar_tensor(0.0)
        state["exp_avg"] = zeros_state(p)
        state["exp_avg_sq"] = zeros_state(p)
        if group["amsgrad"]:
            state["max_exp_avg_sq"] = zeros_state(p)

    def _update(self, p: np.ndarray, g: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> None:
        lr, (beta1, beta2), eps, wd = group["lr"], group["betas"], group["eps"], group["weight_decay"]
        step = bump_step(state)
        if wd != 0 and group["decoupled_weight_decay"]:
            p *= 1 - lr * wd
            g = self._decayed(p, g, 0, group["maximize"])
        else:
            g = self._decayed(p, g, wd, group["maximize"])
        m, v = state["exp_avg"].numpy(), state["exp_avg_sq"].numpy()
        tmp = self._scratch(p, 0)
        lerp_(m, g, 1 - beta1, tmp)
        v *= beta2
        addcmul_(v, g, g, 1 - beta2, tmp)
        step_size = lr / (1 - beta1 ** step)
        bias_correction2_sqrt = (1 - beta2 ** step) ** 0.5
        if group["amsgrad"]:
            if "max_exp_avg_sq" not in state:  # amsgrad switched on after the first step
                state["max_exp_avg_sq"] = zeros_state(p)
            vmax = state["max_exp_avg_sq"].numpy()
            np.maximum(vmax, v, out=vmax)
            v = vmax
        np.sqrt(v, out=tmp)
        tmp /= bias_correction2_sqrt
        tmp += eps
        np.divide(m, tmp, out=tmp)
        tmp *= step_size
        p -= tmp


class AdamW(Adam):
    r"""AdamW (Loshchilov & Hutter 2019): Adam whose weight decay skips the moments, as ``torch.optim.AdamW``.

    At step t, before the Adam update of :class:`Adam` (with λ = 0 inside it)::

        θ_{t-1} ← θ_{t-1} - γ λ θ_{t-1}
    """

    def __init__(self, params: ParamsT, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 1e-2, amsgrad: bool = False, *,
                 maximize: bool = False, foreach: bool | None = None, capturable: bool = False,
                 differentiable: bool = False, fused: bool | None = None) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize=maximize,
                         decoupled_weight_decay=True)

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore a state dict; AdamW's weight decay stays decoupled whatever it says."""
        super().load_state_dict(state_dict)
        for group in self.param_groups:
            group["decoupled_weight_decay"] = True
