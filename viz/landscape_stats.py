"""What a computed loss landscape says in numbers, and the training trajectory a PCA landscape needs.

    rec = TrajectoryRecorder()                          # an nn.Trainer callback: the weights before training and
    nn.Trainer(model, opt, callbacks=[rec]).fit(...)    # after every epoch (or every ``every`` optimizer steps)
    L = loss_landscape(model, loss_fn, (X, y), directions="pca", trajectory=rec.trajectory, span=...)
    landscape_stats(L)                                  # convexity, local minima, flatness: one dict of numbers
    plot_curvature({"plain": L1, "residual": L2})       # Li et al.'s map of |λmin / λmax|, one colour scale

Curvature (Li et al. 2018, section 6) is read off the grid itself: at every interior grid point the Hessian of the
loss restricted to the plotted line or plane is estimated by central finite differences with the grid spacing h
(``(L[i+1] − 2 L[i] + L[i−1]) / h²``; the mixed term from the four diagonal neighbours over 4h²), and its
eigenvalues λmin ≤ λmax are the principal curvatures of the slice. A convex slice has λmin ≥ 0 everywhere; the
non-convexity ratio ``max(−λmin, 0) / max(|λmin|, |λmax|)`` is 0 there and grows to 1 where negative curvature
dominates (Li et al. plot |λmin / λmax| of the full Hessian; here it is the 2-D slice's, which is what the contour
plot shows, and capped at 1). The losses should be deterministic (a fixed evaluation batch, the model in eval mode:
``loss_landscape`` does both), or the second differences measure noise.
"""
from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from nn import Callback

from .figures import figure, styled
from .landscape_plot import loss_scale

__all__ = ["TrajectoryRecorder", "landscape_curvature", "landscape_stats", "plot_curvature"]


class TrajectoryRecorder(Callback):
    """An ``nn.Trainer`` callback keeping copies of the model's ``state_dict()`` (NumPy arrays, buffers included):
    ``trajectory[0]`` before the first step, then one after every epoch (``every=None``) or after every ``every``
    optimizer steps and at the end; ``steps[t]`` is the number of optimizer steps taken at ``trajectory[t]``.
    ``model``: the model to copy (default: the trainer's). ``record()`` adds a point by hand."""

    def __init__(self, model: Any = None, every: int | None = None) -> None:
        if every is not None and (isinstance(every, bool) or not isinstance(every, (int, np.integer)) or every < 1):
            raise ValueError(f"TrajectoryRecorder: every must be None (once per epoch) or an int >= 1 (optimizer "
                             f"steps), got {every!r}")
        self.model, self.every = model, every
        self.trajectory: list[dict[str, np.ndarray]] = []
        self.steps: list[int] = []
        self._step = 0

    def record(self) -> None:
        """Append a copy of the model's current weights and buffers."""
        if self.model is None:
            raise ValueError("TrajectoryRecorder.record: no model yet (pass model= or train with it as a callback)")
        self.trajectory.append({k: np.array(v.numpy(), copy=True) for k, v in self.model.state_dict().items()})
        self.steps.append(self._step)

    def on_train_begin(self, trainer: Any) -> None:
        """Record the starting point (once: a second ``fit`` continues the same trajectory)."""
        if self.model is None:
            self.model = trainer.model
        if not self.trajectory:
            self.record()

    def on_batch_end(self, trainer: Any, batch: int, logs: dict[str, Any]) -> None:
        """Count optimizer steps; record every ``every`` of them."""
        self._step += 1
        if self.every is not None and self._step % self.every == 0:
            self.record()

    def on_epoch_end(self, trainer: Any, epoch: int, logs: dict[str, Any]) -> None:
        """Record after the epoch when recording per epoch."""
        if self.every is None:
            self.record()

    def on_train_end(self, trainer: Any) -> None:
        """Record the final weights unless the last point already holds them."""
        if not self.steps or self.steps[-1] != self._step:
            self.record()


def _check_landscape(landscape: Any, where: str) -> tuple[np.ndarray, float]:
    losses = np.asarray(getattr(landscape, "losses", None), dtype=np.float64)
    alphas = np.asarray(getattr(landscape, "alphas", None), dtype=np.float64)
    dims = getattr(landscape, "dims", None)
    if dims not in (1, 2) or losses.ndim != dims or alphas.ndim != 1 or len(alphas) < 3:
        raise ValueError(f"{where}: expected a Landscape (dims 1 or 2) with at least 3 grid points per axis, got "
                         f"{type(landscape).__name__} with losses of shape {losses.shape}")
    return losses, float(alphas[1] - alphas[0])


def landscape_curvature(landscape: Any) -> tuple[np.ndarray, np.ndarray]:
    """``(λmin, λmax)``: the principal curvatures of the landscape's line or plane at every interior grid point
    (arrays of shape ``(steps − 2,)`` or ``(steps − 2, steps − 2)``, indexed like ``losses[1:-1, 1:-1]``; NaN
    where a neighbouring loss is not finite). For a 1-D landscape both are the second difference."""
    z, h = _check_landscape(landscape, "landscape_curvature")
    with np.errstate(invalid="ignore"):
        if z.ndim == 1:
            d2 = (z[2:] - 2 * z[1:-1] + z[:-2]) / h ** 2
            return d2, d2.copy()
        faa = (z[2:, 1:-1] - 2 * z[1:-1, 1:-1] + z[:-2, 1:-1]) / h ** 2
        fbb = (z[1:-1, 2:] - 2 * z[1:-1, 1:-1] + z[1:-1, :-2]) / h ** 2
        fab = (z[2:, 2:] - z[2:, :-2] - z[:-2, 2:] + z[:-2, :-2]) / (4 * h ** 2)
        mean, rad = (faa + fbb) / 2, np.hypot((faa - fbb) / 2, fab)
        return mean - rad, mean + rad


def nonconvexity(lam_min: np.ndarray, lam_max: np.ndarray) -> np.ndarray:
    """``max(−λmin, 0) / max(|λmin|, |λmax|)`` in [0, 1] (0 where the slice is convex, or flat; NaN stays NaN)."""
    top = np.maximum(np.abs(lam_min), np.abs(lam_max))
    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.where(top > 0, np.maximum(-lam_min, 0.0) / np.where(top > 0, top, 1.0), 0.0)
    return np.where(np.isnan(lam_min) | np.isnan(lam_max), np.nan, r)


def _radius(landscape: Any) -> np.ndarray:
    a = np.asarray(landscape.alphas, dtype=np.float64)
    if landscape.dims == 1:
        return np.abs(a)
    return np.hypot(a[:, None], np.asarray(landscape.betas, dtype=np.float64)[None, :])


def _local_minima(z: np.ndarray) -> int:
    """Grid points whose loss is strictly below every neighbour's (2 in 1-D, 8 in 2-D; fewer on the border)."""
    pad = np.pad(z, 1, constant_values=np.inf)
    pad[~np.isfinite(pad)] = np.inf
    core = pad[(slice(1, -1),) * z.ndim]
    is_min = np.isfinite(core)
    for shift in np.ndindex((3,) * z.ndim):
        if all(s == 1 for s in shift):
            continue
        is_min &= core < pad[tuple(slice(s, s + n) for s, n in zip(shift, z.shape))]
    return int(is_min.sum())


def landscape_stats(landscape: Any, *, radius: float | None = None, threshold: float = 0.1) -> dict[str, Any]:
    """Numbers to compare landscapes by (all on the landscape's own grid):

    - ``origin_loss``, ``min_loss``, ``max_loss`` (finite values only);
    - ``local_minima``: grid points strictly below all their neighbours (1 for a convex bowl; many: rough);
    - ``nonconvex_fraction``: the share of interior points whose non-convexity ratio exceeds ``threshold`` (see
      the module's notes), and ``nonconvex_fraction_near`` the same within ``radius`` of the origin;
    - ``mean_nonconvexity``: the mean ratio over the interior points;
    - ``mean_rise``: the mean of loss − origin loss over the grid points within ``radius`` (default: half the
      span): how fast the loss climbs away from the weights, a flatness measure (small: flat);
    - ``roughness`` (1-D only, else None): the total variation of the curve over |L(−span) − L₀| + |L(span) − L₀|:
      1 when the loss only rises (or only falls) moving away from the origin on each side, larger when it wiggles.
    """
    z, _ = _check_landscape(landscape, "landscape_stats")
    if not isinstance(threshold, (int, float)) or not 0 <= threshold < 1:
        raise ValueError(f"landscape_stats: threshold must be a number in [0, 1), got {threshold!r}")
    span = float(landscape.span)
    radius = span / 2 if radius is None else radius
    if not isinstance(radius, (int, float)) or not radius > 0:
        raise ValueError(f"landscape_stats: radius must be a number > 0, got {radius!r}")
    r = nonconvexity(*landscape_curvature(landscape))
    near = _radius(landscape)[(slice(1, -1),) * z.ndim] <= radius + 1e-12
    within = _radius(landscape) <= radius + 1e-12
    origin = float(landscape.origin_loss)
    finite = z[np.isfinite(z)]
    rough = None
    if z.ndim == 1 and np.isfinite(z).all():
        ends = abs(z[0] - origin) + abs(z[-1] - origin)
        rough = float(np.abs(np.diff(z)).sum() / ends) if ends > 0 else float("inf")

    def share(mask: np.ndarray) -> float:
        v = r[mask & ~np.isnan(r)]
        return float((v > threshold).mean()) if v.size else float("nan")

    rise = z[within] - origin
    return {"origin_loss": origin, "min_loss": float(finite.min()) if finite.size else float("nan"),
            "max_loss": float(finite.max()) if finite.size else float("nan"), "local_minima": _local_minima(z),
            "nonconvex_fraction": share(np.ones_like(near)), "nonconvex_fraction_near": share(near),
            "mean_nonconvexity": float(np.nanmean(r)) if np.isfinite(r).any() else float("nan"),
            "mean_rise": float(np.mean(rise[np.isfinite(rise)])) if np.isfinite(rise).any() else float("nan"),
            "roughness": rough}


def plot_curvature(landscapes: Any, *, threshold: float = 0.1) -> Any:
    """Li et al.'s convexity map for one 2-D ``Landscape`` or a ``{name: Landscape}`` mapping: the non-convexity
    ratio at every interior grid point (0, dark: convex; 1, yellow: negative curvature dominates) on ONE colour
    scale for all panels, the loss contours drawn over it, the origin marked; each title gives the share of points
    above ``threshold``. Returns the Figure."""
    items = list(landscapes.items()) if isinstance(landscapes, Mapping) else [("", landscapes)]
    if not items:
        raise ValueError("plot_curvature: expected a 2-D Landscape or a non-empty {name: Landscape} mapping")
    for name, land in items:
        if getattr(land, "dims", None) != 2:
            raise ValueError(f"plot_curvature: {name or 'the landscape'} has dims={getattr(land, 'dims', None)}; "
                             "the curvature map needs a 2-D landscape (dims=2)")
    with styled():
        fig, axes = figure(1, len(items), size=(4.4 * len(items) + 1.0, 4.4), squeeze=False)
        for ax, (name, land) in zip(axes[0], items):
            ratio = nonconvexity(*landscape_curvature(land))
            a, b = np.asarray(land.alphas)[1:-1], np.asarray(land.betas)[1:-1]
            mesh = ax.pcolormesh(a, b, ratio.T, cmap="viridis", vmin=0.0, vmax=1.0, shading="nearest")
            lev, norm, _ = loss_scale([np.ravel(land.losses)], 12)
            ax.contour(land.alphas, land.betas, np.ma.masked_invalid(np.asarray(land.losses).T), levels=lev,
                       norm=norm, colors="white", linewidths=0.6, alpha=0.6)
            ax.plot([0], [0], ls="", marker="*", ms=14, color="#ff4d4d", mec="black", mew=0.8, label="origin")
            share = landscape_stats(land, threshold=threshold)["nonconvex_fraction"]
            head = f"{name}: " if name else ""
            ax.set_title(f"{head}{100 * share:.0f}% of points non-convex (ratio > {threshold:g})", fontsize=10)
            ax.set_xlabel(land.axis_label(0))
            ax.set_ylabel(land.axis_label(1))
            ax.set_box_aspect(1)
            ax.grid(False)
            ax.legend(loc="upper right", framealpha=0.85)
        fig.colorbar(mesh, ax=list(axes[0]), shrink=0.9,
                     label="non-convexity max(−λmin, 0) / max|λ|  (0: convex)")
        fig.suptitle("Principal curvatures of the 2-D slices (Li et al. 2018): where the surface is not convex")
    return fig
