"""ASGD (averaged SGD) and Rprop (resilient backpropagation: steps from gradient signs only).

``foreach``, ``capturable`` and ``differentiable`` are accepted for torch's signatures and ignored:
every step runs on NumPy arrays, outside the graph.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor

from .optimizer import Optimizer, ParamsT, bump_step, scalar_tensor, zeros_state


class ASGD(Optimizer):
    r"""Averaged stochastic gradient descent (Polyak & Juditsky 1992), exactly as ``torch.optim.ASGD``.

    With learning rate γ, decay λ_d (``lambd``), power α, start t₀, weight decay λ, at step t (η₀ = γ, μ₀ = 1)::

        g_t  = ∇f(θ_{t-1}) + λ θ_{t-1}        (-∇f when maximize)
        θ_t  = (1 - λ_d η_{t-1}) θ_{t-1} - η_{t-1} g_t
        a_t  = a_{t-1} + μ_{t-1} (θ_t - a_{t-1})     (a_t = θ_t while μ = 1)
        η_t  = γ / (1 + λ_d γ t)^α,     μ_t = 1 / max(1, t - t₀)

    The average a_t is ``state[p]["ax"]``; η and μ are 0-d float32 Tensors, as torch keeps them (so the steps
    read them back rounded to float32).
    """

    def __init__(self, params: ParamsT, lr: float = 1e-2, lambd: float = 1e-4, alpha: float = 0.75,
                 t0: float = 1e6, weight_decay: float = 0, foreach: bool | None = None, maximize: bool = False,
                 differentiable: bool = False, capturable: bool = False) -> None:
        super().__init__(params, dict(lr=lr, lambd=lambd, alpha=alpha, t0=t0, weight_decay=weight_decay,
                                      maximize=maximize))

    _nonnegative = ("lr", "weight_decay")
    _scalar_state = ("step", "eta", "mu")

    def _init_state(self, p: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> None:
        state["step"] = scalar_tensor(0.0)
        state["eta"] = scalar_tensor(group["lr"])
        state["mu"] = scalar_tensor(1.0)
        state["ax"] = zeros_state(p)

    def _update(self, p: np.ndarray, g: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> None:
        step = bump_step(state)
        g = self._decayed(p, g, group["weight_decay"], group["maximize"])
        eta_t, mu_t = state["eta"].numpy(), state["mu"].numpy()
        lr, lambd, eta, mu = group["lr"], group["lambd"], float(eta_t), float(mu_t)
        tmp, ax = self._scratch(p, 0), state["ax"].numpy()
        p *= 1 - lambd * eta
        np.multiply(g, -eta, out=tmp)  # torch: add_(grad, alpha=-eta)
        p += tmp
        if mu != 1:
            np.subtract(p, ax, out=tmp)
            tmp *= mu
            ax += tmp
        else:
            np.copyto(ax, p)
        eta_t[...] = lr / ((1 + lambd * lr * step) ** group["alpha"])  # torch: eta.copy_(...), rounded to float32
        mu_t[...] = 1 / max(1, step - group["t0"])


class Rprop(Optimizer):
    r"""Rprop (Riedmiller & Braun 1993), exactly as ``torch.optim.Rprop``.

    With learning rate γ (each step size's start), etas (η⁻, η⁺), step sizes [Γ_min, Γ_max], at step t::

        s_t  = sign(g_t g_{t-1})
        Γ_t  = clamp(Γ_{t-1} · (η⁺ if s_t > 0, η⁻ if s_t < 0, 1 if s_t = 0), Γ_min, Γ_max)     (Γ₀ = γ)
        g_t  ← 0   where s_t < 0    (and this is the g_t the next step compares with)
        θ_t  = θ_{t-1} - sign(g_t) Γ_t

    g₀ = 0; ``maximize`` uses -∇f.
    """

    def __init__(self, params: ParamsT, lr: float = 1e-2, etas: tuple[float, float] = (0.5, 1.2),
                 step_sizes: tuple[float, float] = (1e-6, 50), *, capturable: bool = False,
                 foreach: bool | None = None, maximize: bool = False, differentiable: bool = False) -> None:
        super().__init__(params, dict(lr=lr, etas=tuple(etas), step_sizes=tuple(step_sizes), maximize=maximize))

    def _check(self, group: dict[str, Any]) -> None:
        super()._check(group)
        etas = group["etas"]
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid etas value: {tuple(etas)!r} (etas must be (etaminus, etaplus) with "
                             "0 < etaminus < 1 < etaplus)")

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore a state dict (its lists back to tuples)."""
        super().load_state_dict(state_dict)
        for group in self.param_groups:
            group["etas"], group["step_sizes"] = tuple(group["etas"]), tuple(group["step_sizes"])

    _scalar_state = ("step",)

    def _init_state(self, p: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> None:
        state["step"] = scalar_tensor(0.0)
        state["prev"] = zeros_state(p)
        state["step_size"] = Tensor(np.full_like(p, group["lr"]))

    def _update(self, p: np.ndarray, g: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> None:
        bump_step(state)
        g = self._decayed(p, g, 0, group["maximize"])
        (etaminus, etaplus), (size_min, size_max) = group["etas"], group["step_sizes"]
        prev, size = state["prev"].numpy(), state["step_size"].numpy()
        sign, tmp = self._scratch(p, 0), self._scratch(p, 1)
        np.multiply(g, prev, out=sign)
        np.sign(sign, out=sign)
        factor = np.where(sign > 0, etaplus, np.where(sign < 0, etaminus, 1.0)).astype(p.dtype, copy=False)
        size *= factor
        np.clip(size, size_min, size_max, out=size)
        np.copyto(prev, g)
        prev[sign < 0] = 0
        np.sign(prev, out=tmp)
        tmp *= size
        p -= tmp
