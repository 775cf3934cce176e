"""The lecture's "graphical interpretation of L1 and L2 regularisation", computed rather than sketched.

For two weights θ = (θ₁, θ₂) and a quadratic loss L(θ) = ½ (θ − c)ᵀ H (θ − c) (its minimum at c, elliptic contours),
regularising is the same as minimising L inside a ball: ‖θ‖₂ ≤ t (a disc) for L2, ‖θ‖₁ ≤ t (a diamond) for L1.
The constrained minimum is where a contour of L first touches the ball; a diamond touches at a corner, on an axis,
so one weight is exactly 0: "L1 makes sparse".

Everything here is found with tracegrad: the gradient of L by autograd, the steps by ``optim.SGD``, then

- ``constrained_minimum``: projected gradient descent (after each step θ is projected back onto the ball);
- ``regularisation_path``: the penalised form L(θ) + λ‖θ‖₁ by proximal gradient descent (each SGD step followed by
  soft-thresholding, which sets a weight to exactly 0 once λ outweighs its gradient) and L(θ) + λ‖θ‖₂² by plain
  gradient descent on the penalised loss, for a range of λ.

``plot_penalty_geometry`` draws both balls with the contours and the minima, and the two paths.
"""
from __future__ import annotations

import functools
from typing import Any, Sequence

import numpy as np
from matplotlib.figure import Figure

import autograd
import optim

from .figures import figure

__all__ = ["project_l1_ball", "project_l2_ball", "quadratic_loss", "constrained_minimum", "regularisation_path",
           "plot_penalty_geometry"]

CENTER = (1.4, 0.9)       # the unconstrained minimum c
HESSIAN = ((2.5, 1.0), (1.0, 1.5))  # a tilted ellipse (positive definite)
TOL = 1e-12               # descent stops when no coordinate moves by more than this in a step


def project_l2_ball(v: Any, radius: float) -> np.ndarray:
    """The point of the disc ‖θ‖₂ ≤ radius nearest to ``v``."""
    v = np.asarray(v, dtype=np.float64)
    n = float(np.linalg.norm(v))
    return v if n <= radius else v * (radius / n)


def project_l1_ball(v: Any, radius: float) -> np.ndarray:
    """The point of the diamond ‖θ‖₁ ≤ radius nearest to ``v`` (Euclidean projection: sort the magnitudes, find
    the threshold τ with Σ max(|vᵢ| − τ, 0) = radius, and soft-threshold by it; Duchi et al., 2008)."""
    v = np.asarray(v, dtype=np.float64)
    if np.abs(v).sum() <= radius:
        return v
    u = np.sort(np.abs(v))[::-1]
    cum = np.cumsum(u) - radius
    k = np.arange(1, len(u) + 1)
    rho = int(np.nonzero(u - cum / k > 0)[0][-1])
    tau = cum[rho] / (rho + 1)
    return np.sign(v) * np.maximum(np.abs(v) - tau, 0.0)


def _check(center: Any, hessian: Any, fn: str) -> tuple[np.ndarray, np.ndarray]:
    c, H = np.asarray(center, dtype=np.float64), np.asarray(hessian, dtype=np.float64)
    if c.shape != (2,) or H.shape != (2, 2):
        raise ValueError(f"{fn}: center must have shape (2,) and hessian (2, 2), got {c.shape} and {H.shape}")
    if not np.allclose(H, H.T) or np.linalg.eigvalsh(H).min() <= 0:
        raise ValueError(f"{fn}: hessian must be symmetric positive definite (elliptic contours), got {H.tolist()}")
    return c, H


def quadratic_loss(theta: autograd.Tensor, center: Any = CENTER, hessian: Any = HESSIAN) -> autograd.Tensor:
    """L(θ) = ½ (θ − c)ᵀ H (θ − c) as a Tensor (differentiable in θ)."""
    c, H = _check(center, hessian, "quadratic_loss")
    d = theta - autograd.tensor(c)
    return 0.5 * (d * (autograd.tensor(H) @ d)).sum()


def _descend(center: np.ndarray, hessian: np.ndarray, step: Any, steps: int, lam: float = 0.0,
             l2: bool = False) -> np.ndarray:
    """SGD on L (plus λ‖θ‖₂² when ``l2``) from θ = 0, each step followed by ``step(θ, lr)`` in place, until no
    coordinate moves by ``TOL`` (at most ``steps`` steps)."""
    lr = 1.0 / (float(np.linalg.eigvalsh(hessian).max()) + (2 * lam if l2 else 0.0))  # 1/Lipschitz: stable
    theta = autograd.zeros(2, dtype=autograd.float64, requires_grad=True)
    opt = optim.SGD([theta], lr=lr)
    previous = np.zeros(2)
    for _ in range(steps):
        opt.zero_grad()
        loss = quadratic_loss(theta, center, hessian)
        if l2:
            loss = loss + lam * (theta * theta).sum()
        loss.backward()
        opt.step()
        if step is not None:
            with autograd.no_grad():
                theta.data.copy_(autograd.tensor(step(theta.numpy().copy(), lr)))
        now = theta.detach().numpy().copy()
        if np.abs(now - previous).max() < TOL:  # converged (a contraction: the steps shrink geometrically)
            break
        previous = now
    return theta.detach().numpy().copy()


def constrained_minimum(norm: str, radius: float = 1.0, *, center: Any = CENTER, hessian: Any = HESSIAN,
                        steps: int = 2000) -> np.ndarray:
    """argmin L(θ) subject to ‖θ‖ ≤ radius (``norm`` "l1" or "l2"), by projected gradient descent from θ = 0."""
    c, H = _check(center, hessian, "constrained_minimum")
    project = {"l1": project_l1_ball, "l2": project_l2_ball}.get(str(norm).lower())
    if project is None:
        raise ValueError(f"constrained_minimum: norm must be 'l1' or 'l2', got {norm!r}")
    if not radius > 0:
        raise ValueError(f"constrained_minimum: radius must be positive, got {radius!r}")
    return _descend(c, H, lambda th, lr: project(th, radius), steps)


def regularisation_path(norm: str, lambdas: Sequence[float] | np.ndarray, *, center: Any = CENTER,
                        hessian: Any = HESSIAN, steps: int = 2000) -> np.ndarray:
    """θ̂(λ) = argmin L(θ) + λ‖θ‖₁ (``norm="l1"``, proximal gradient: soft-thresholding by lr·λ after every step)
    or L(θ) + λ‖θ‖₂² (``"l2"``), one row per λ: shape (len(lambdas), 2)."""
    c, H = _check(center, hessian, "regularisation_path")
    lams = np.asarray(lambdas, dtype=np.float64).reshape(-1)
    if lams.size == 0 or (lams < 0).any():
        raise ValueError(f"regularisation_path: lambdas must be a non-empty list of numbers >= 0, got {lambdas!r}")
    norm = str(norm).lower()
    if norm not in ("l1", "l2"):
        raise ValueError(f"regularisation_path: norm must be 'l1' or 'l2', got {norm!r}")
    rows = []
    for lam in lams:
        if norm == "l1":
            rows.append(_descend(c, H, functools.partial(_soft_threshold, lam=float(lam)), steps))
        else:
            rows.append(_descend(c, H, None, steps, float(lam), l2=True))
    return np.stack(rows)


def _soft_threshold(theta: np.ndarray, lr: float, lam: float) -> np.ndarray:
    """L1's proximal step: every weight moves lr·λ towards 0 and stops there (exactly 0) instead of crossing."""
    return np.sign(theta) * np.maximum(np.abs(theta) - lr * lam, 0.0)


def _ball_panel(ax: Any, norm: str, radius: float, c: np.ndarray, H: np.ndarray, theta: np.ndarray) -> None:
    span = max(abs(c).max(), radius) * 1.35
    g = np.linspace(-span, span, 301)
    X, Y = np.meshgrid(g, g)
    D = np.stack([X - c[0], Y - c[1]], axis=-1)
    Z = 0.5 * np.einsum("...i,ij,...j->...", D, H, D)
    ax.contour(X, Y, Z, levels=np.quantile(Z, np.linspace(0.002, 0.6, 9)), colors="#7f8c8d", linewidths=0.8)
    d = theta - c
    ax.contour(X, Y, Z, levels=[0.5 * d @ H @ d], colors="#c0392b", linewidths=1.8)
    if norm == "l1":
        ball = np.array([[radius, 0], [0, radius], [-radius, 0], [0, -radius]])
        label = rf"$\|\theta\|_1 \leq {radius:g}$ (diamond)"
    else:
        a = np.linspace(0, 2 * np.pi, 200)
        ball = radius * np.stack([np.cos(a), np.sin(a)], axis=1)
        label = rf"$\|\theta\|_2 \leq {radius:g}$ (disc)"
    ax.fill(ball[:, 0], ball[:, 1], color="#3498db", alpha=0.25, label=label)
    ax.axhline(0, color="black", lw=0.6)
    ax.axvline(0, color="black", lw=0.6)
    ax.plot(*c, marker="*", ms=14, color="#2c3e50", ls="none",
            label=rf"unconstrained minimum $c$ = ({c[0]:g}, {c[1]:g})")
    ax.plot(*theta, "o", ms=9, color="#c0392b", label=rf"constrained minimum ({theta[0]:.3f}, {theta[1]:.3f})")
    ax.set(xlim=(-span, span), ylim=(-span, span), aspect="equal", xlabel=r"$\theta_1$", ylabel=r"$\theta_2$",
           title=("L1" if norm == "l1" else "L2") + ": the contour of $L$ that touches the ball")
    ax.legend(loc="lower left", fontsize=8.5)


def plot_penalty_geometry(radius: float = 1.0, *, center: Any = CENTER, hessian: Any = HESSIAN,
                          lambdas: Sequence[float] | None = None, steps: int = 2000) -> Figure:
    """Three panels: the L2 disc and the L1 diamond of radius ``radius`` with the contours of the quadratic loss and
    the constrained minima (the touching contour in red), and the regularisation paths θ̂(λ) of both penalties
    (L1's weights reach exactly 0 one at a time; L2's only shrink)."""
    c, H = _check(center, hessian, "plot_penalty_geometry")
    lams = np.linspace(0.0, 2.5, 26) if lambdas is None else np.asarray(lambdas, dtype=np.float64)
    fig, axes = figure(1, 3, size=(17.0, 5.6))
    for ax, norm in zip(axes[:2], ("l2", "l1")):
        _ball_panel(ax, norm, radius, c, H, constrained_minimum(norm, radius, center=c, hessian=H, steps=steps))
    ax = axes[2]
    for norm, ls in (("l1", "-"), ("l2", "--")):
        path = regularisation_path(norm, lams, center=c, hessian=H, steps=steps)
        for i, color in ((0, "#2980b9"), (1, "#e67e22")):
            ax.plot(lams, path[:, i], ls=ls, color=color, lw=2, label=rf"$\theta_{i + 1}$, {norm.upper()} penalty")
    ax.axhline(0, color="black", lw=0.6)
    ax.set(xlabel=r"penalty strength $\lambda$", ylabel=r"$\hat\theta(\lambda)$",
           title=r"regularisation path: $\arg\min\, L(\theta) + \lambda\,\Omega(\theta)$")
    ax.legend(fontsize=9)
    fig.suptitle("Graphical interpretation of L1 and L2 regularisation: "
                 r"$L(\theta) = \frac{1}{2}(\theta - c)^\top H (\theta - c)$", fontsize=13)
    return fig
