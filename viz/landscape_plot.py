"""A computed loss landscape (``Landscape``: plain data, JSON-able) and its pictures: a curve (1-D), filled contours
with contour lines (2-D), a 3-D surface, and several landscapes side by side on one colour scale.
``viz.landscape.loss_landscape`` computes one.

The colour scale covers the grid's losses and the trajectory's actual losses together, so a trajectory point whose
colour differs from the ground under it is one the plane does not hold (see ``trajectory_residuals``). It is
logarithmic when ``log`` is set and the losses span more than 2 decades (all positive).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np
from matplotlib import patheffects, ticker
from matplotlib.colors import LogNorm, Normalize

from .figures import figure, styled

__all__ = ["Landscape", "plot_landscape", "plot_surface", "compare_landscapes", "loss_scale"]

CMAP = "viridis"
_NORM_WORDS = {"filter": "filter-normalised", "layer": "layer-normalised", None: "raw random"}
_HALO = [patheffects.withStroke(linewidth=2.2, foreground="black")]


def _finite_list(a: Any) -> Any:
    """A float array as nested lists with None for NaN / inf (strict JSON has neither)."""
    if a is None:
        return None
    a = np.asarray(a, dtype=np.float64)
    obj = a.astype(object)
    obj[~np.isfinite(a)] = None
    return obj.tolist()


def _from_list(v: Any) -> np.ndarray | None:
    return None if v is None else np.array(v, dtype=np.float64)  # None -> NaN


@dataclass(eq=False)
class Landscape:
    """A computed loss landscape. ``losses[i, j]`` is the loss at (``alphas[i]``, ``betas[j]``) (``dims=2``), or
    ``losses[i]`` at ``alphas[i]`` (``dims=1``; ``betas`` is None). ``directions`` says what spans the grid:
    "random" (normalised as ``normalization`` says), "pca" or "given"."""

    losses: np.ndarray
    alphas: np.ndarray
    betas: np.ndarray | None
    origin_loss: float
    dims: int
    span: float
    normalization: str | None = "filter"
    directions: str = "random"
    explained_variance: np.ndarray | None = None
    trajectory_coords: np.ndarray | None = None
    trajectory_losses: np.ndarray | None = None
    trajectory_residuals: np.ndarray | None = None

    def axis_label(self, k: int) -> str:
        """The label of axis ``k`` (0: α, 1: β), saying what the direction is."""
        greek = "αβ"[k]
        if self.directions == "pca":
            share = "" if self.explained_variance is None else f", {100 * self.explained_variance[k]:.1f}% of variance"
            return f"{greek} (PCA direction {k + 1}{share})"
        what = _NORM_WORDS.get(self.normalization, str(self.normalization)) if self.directions == "random" else "given"
        return f"{greek} (direction {k + 1}, {what})"

    def describe(self) -> str:
        """What the grid is, in words (the plots' titles)."""
        kind = {"pca": "PCA of the training trajectory", "given": "given directions"}.get(self.directions)
        if kind is None:
            word = _NORM_WORDS.get(self.normalization, str(self.normalization))
            kind = f"{word} directions" if "random" in word else f"{word} random directions"
        return f"Loss landscape, {self.dims}-D ({kind})"

    def to_dict(self) -> dict[str, Any]:
        """Plain Python (lists, floats, None for NaN / inf): ``json.dumps`` takes it; ``from_dict`` reads it back."""
        return {"format": "tracegrad.landscape/1", "dims": self.dims, "span": float(self.span),
                "normalization": self.normalization, "directions": self.directions,
                "origin_loss": _finite_list(self.origin_loss), "alphas": _finite_list(self.alphas),
                "betas": _finite_list(self.betas), "losses": _finite_list(self.losses),
                **{k: _finite_list(getattr(self, k)) for k in ("explained_variance", "trajectory_coords",
                                                               "trajectory_losses", "trajectory_residuals")}}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "Landscape":
        """The ``Landscape`` that ``to_dict`` described."""
        origin = d["origin_loss"]
        return cls(losses=_from_list(d["losses"]), alphas=_from_list(d["alphas"]), betas=_from_list(d.get("betas")),
                   origin_loss=float("nan") if origin is None else float(origin), dims=int(d["dims"]),
                   span=float(d["span"]), normalization=d.get("normalization"),
                   directions=d.get("directions", "random"),
                   **{k: _from_list(d.get(k)) for k in ("explained_variance", "trajectory_coords",
                                                        "trajectory_losses", "trajectory_residuals")})

    def plot(self, ax: Any = None, levels: int = 30, log: bool = True) -> Any:
        """A matplotlib Figure: the loss curve (1-D) or filled contours with contour lines and a colour bar (2-D),
        log-scaled when ``log`` and the losses span more than 2 decades; the origin marked; the trajectory on top,
        coloured by its actual losses."""
        return plot_landscape(self, ax=ax, levels=levels, log=log)

    def plot_surface(self, ax: Any = None, log: bool = True) -> Any:
        """A 3-D surface Figure of a 2-D landscape (log₁₀ of the loss when it spans more than 2 decades)."""
        return plot_surface(self, ax=ax, log=log)


def _values(landscape: Any) -> list[np.ndarray]:
    out = [np.ravel(landscape.losses), np.array([landscape.origin_loss], dtype=np.float64)]
    if landscape.trajectory_losses is not None:
        out.append(np.ravel(landscape.trajectory_losses))
    return out


def loss_scale(values: list[np.ndarray], levels: int = 30, log: bool = True) -> tuple[np.ndarray, Normalize, bool]:
    """Contour levels, a colour norm and whether it is logarithmic, for all the finite numbers in ``values``."""
    v = np.concatenate([np.ravel(np.asarray(a, dtype=np.float64)) for a in values])
    v = v[np.isfinite(v)]
    lo, hi = (float(v.min()), float(v.max())) if v.size else (0.0, 1.0)
    use_log = bool(log and lo > 0 and hi / lo > 100)
    if hi <= lo:
        hi = lo + max(abs(lo) * 1e-3, 1e-12)
    n = max(int(levels), 2)
    lev = np.geomspace(lo, hi, n) if use_log else np.linspace(lo, hi, n)
    lev[0], lev[-1] = lo, hi
    return lev, (LogNorm(lo, hi) if use_log else Normalize(lo, hi)), use_log


def _colour_label(use_log: bool) -> str:
    return "loss (log scale)" if use_log else "loss"


def _colour_bar(fig: Any, filled: Any, axes: Any, use_log: bool, **kw: Any) -> Any:
    """One colour bar, labelled, with round ticks (not one per contour level)."""
    ticks = ticker.LogLocator(subs=(1.0, 2.0, 5.0)) if use_log else ticker.MaxNLocator(8)
    bar = fig.colorbar(filled, ax=axes, label=_colour_label(use_log), ticks=ticks, **kw)
    if use_log:
        bar.ax.yaxis.set_major_formatter(ticker.LogFormatterSciNotation(labelOnlyBase=False))
    return bar


def _residual_note(landscape: Any, what: str) -> str:
    res = landscape.trajectory_residuals
    mean = float(np.mean(res)) if res is not None and len(res) else 0.0
    return f"mean distance from the {what}: {100 * mean:.1f}% of ‖w − w₀‖"


def _annotated(coords: np.ndarray, room: float, most: int = 6) -> list[int]:
    """Which trajectory points get their loss written next to them: the last, the first, and evenly between,
    skipping any closer than ``room`` to one already written (no pile of overlapping numbers)."""
    chosen: list[int] = []
    for t in np.linspace(len(coords) - 1, 0, min(len(coords), most)).round().astype(int).tolist():
        if all(np.linalg.norm(coords[t] - coords[c]) >= room for c in chosen):
            chosen.append(t)
    return chosen


def _origin_label(landscape: Any) -> str:
    where = "final weights" if landscape.directions == "pca" else "current weights"
    return f"origin: {where} (loss {landscape.origin_loss:.4g})"


def _draw_2d(ax: Any, landscape: Any, lev: np.ndarray, norm: Normalize) -> Any:
    """Filled contours, contour lines, origin and trajectory on ``ax``; returns the filled contour set."""
    a, b = landscape.alphas, landscape.betas
    z = np.ma.masked_invalid(np.asarray(landscape.losses).T)  # rows: β, columns: α
    filled = ax.contourf(a, b, z, levels=lev, norm=norm, cmap=CMAP)
    step = max(1, (len(lev) - 1) // 12)
    ax.contour(a, b, z, levels=lev[::step], colors="white", linewidths=0.6, alpha=0.45)
    ax.plot([0], [0], ls="", marker="*", ms=15, color="#ff4d4d", mec="black", mew=0.8, zorder=5,
            label=_origin_label(landscape))
    coords = landscape.trajectory_coords
    if coords is not None and len(coords):
        losses = landscape.trajectory_losses
        ax.plot(coords[:, 0], coords[:, 1], color="white", lw=1.4, alpha=0.9, zorder=3)
        ax.scatter(coords[:, 0], coords[:, 1], c=losses, cmap=CMAP, norm=norm, s=42, edgecolors="white",
                   linewidths=1.0, zorder=4,
                   label=f"trajectory, coloured by its actual loss\n({_residual_note(landscape, 'plane')})")
        room = 0.12 * max(landscape.span, float(np.abs(coords).max()))
        for t in _annotated(coords, room):
            ax.annotate(f"{losses[t]:.3g}", (coords[t, 0], coords[t, 1]), xytext=(5, 4), textcoords="offset points",
                        fontsize=8, color="white", path_effects=_HALO, zorder=6)
    ax.set_xlabel(landscape.axis_label(0))
    ax.set_ylabel(landscape.axis_label(1))
    ax.set_box_aspect(1)  # square panels: the grid is square, whatever the trajectory's extent
    ax.grid(False)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.13), framealpha=0.85)
    return filled


def _draw_1d(ax: Any, landscape: Any, label: str, colour: str, use_log: bool) -> None:
    ax.plot(landscape.alphas, landscape.losses, color=colour, lw=2, label=label)
    ax.plot([0], [landscape.origin_loss], ls="", marker="*", ms=13, color="#ff4d4d", mec="black", mew=0.8,
            zorder=5, label=_origin_label(landscape))
    coords = landscape.trajectory_coords
    if coords is not None and len(coords):
        ax.plot(coords[:, 0], landscape.trajectory_losses, "o-", color=colour, ms=4, lw=0.8, alpha=0.6,
                label=f"trajectory at its actual loss ({_residual_note(landscape, 'line')})")
    if use_log:
        ax.set_yscale("log")
    ax.set_xlabel(landscape.axis_label(0))
    ax.set_ylabel(_colour_label(use_log))
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), framealpha=0.85)


def _new_axes(ax: Any, **kw: Any) -> tuple[Any, Any]:
    if ax is not None:
        return ax.figure, ax
    return figure(**kw)


def plot_landscape(landscape: Any, ax: Any = None, levels: int = 30, log: bool = True) -> Any:
    """``Landscape.plot``: a Figure (drawn on ``ax`` when given)."""
    with styled():
        fig, ax = _new_axes(ax, size=(6.4, 5.2) if landscape.dims == 2 else (6.4, 4.2))
        lev, norm, use_log = loss_scale(_values(landscape), levels, log)
        if landscape.dims == 1:
            _draw_1d(ax, landscape, "loss along direction 1", "C0", use_log)
        else:
            filled = _draw_2d(ax, landscape, lev, norm)
            _colour_bar(fig, filled, ax, use_log)
        ax.set_title(landscape.describe())
    return fig


def plot_surface(landscape: Any, ax: Any = None, log: bool = True) -> Any:
    """``Landscape.plot_surface``: a 3-D surface Figure of a 2-D landscape."""
    if landscape.dims != 2:
        raise ValueError(f"plot_surface needs a 2-D landscape (dims=2), this one has dims={landscape.dims}: use plot()")
    with styled():
        fig, ax = _new_axes(ax, size=(7.0, 5.6), subplot_kw={"projection": "3d"})
        _, _, use_log = loss_scale(_values(landscape), 2, log)
        lift = np.log10 if use_log else np.asarray
        a, b = np.meshgrid(landscape.alphas, landscape.betas)
        z = lift(np.asarray(landscape.losses, dtype=np.float64).T)
        ax.computed_zorder = False  # the origin and the trajectory stay on top of the surface, seen through it
        surf = ax.plot_surface(a, b, z, cmap=CMAP, linewidth=0, antialiased=True, alpha=0.85, rcount=100,
                               ccount=100, zorder=1)
        ax.scatter([0], [0], [lift(landscape.origin_loss)], marker="*", s=140, color="#ff4d4d", edgecolors="black",
                   depthshade=False, zorder=6, label=_origin_label(landscape))
        coords = landscape.trajectory_coords
        if coords is not None and len(coords):
            ax.plot(coords[:, 0], coords[:, 1], lift(landscape.trajectory_losses), "o-", color="#ff9f1c", ms=4,
                    zorder=5, label=f"trajectory at its actual loss\n({_residual_note(landscape, 'plane')})")
        zlabel = "log₁₀ loss" if use_log else "loss"
        ax.set_xlabel(landscape.axis_label(0), labelpad=8)
        ax.set_ylabel(landscape.axis_label(1), labelpad=8)
        ax.set_zlabel(zlabel)
        ax.set_title(landscape.describe())
        ax.legend(loc="upper left", framealpha=0.85)
        fig.colorbar(surf, ax=ax, shrink=0.6, pad=0.08, label=zlabel)
    return fig


def compare_landscapes(landscapes: Mapping[str, Any], *, levels: int = 30, log: bool = True) -> Any:
    """Landscapes side by side (2-D: one panel each; 1-D: one curve each on one axes) on ONE colour scale: the
    same levels and norm in every panel and one colour bar for the whole figure."""
    items = list(landscapes.items())
    if not items:
        raise ValueError("landscapes: expected a non-empty {name: Landscape} mapping")
    dims = {land.dims for _, land in items}
    if len(dims) != 1:
        raise ValueError(f"landscapes: all must have the same dims to share a scale, got dims {sorted(dims)}")
    lev, norm, use_log = loss_scale([v for _, land in items for v in _values(land)], levels, log)
    with styled():
        if dims == {1}:
            fig, ax = figure(size=(7.0, 4.4))
            for k, (name, land) in enumerate(items):
                _draw_1d(ax, land, name, f"C{k}", use_log)
            ax.set_title("Loss landscapes, 1-D, on one scale")
            return fig
        tall = any(land.trajectory_coords is not None for _, land in items)  # a 3-line legend under each panel
        fig, axes = figure(1, len(items), size=(4.5 * len(items) + 1.0, 5.6 if tall else 4.6), squeeze=False)
        for ax, (name, land) in zip(axes[0], items):
            filled = _draw_2d(ax, land, lev, norm)
            ax.set_title(name)
        _colour_bar(fig, filled, list(axes[0]), use_log, shrink=0.9)
        kinds = {land.describe().split("(", 1)[-1].rstrip(")") for _, land in items}
        fig.suptitle(f"Loss landscapes on one colour scale{f' ({kinds.pop()})' if len(kinds) == 1 else ''}")
    return fig
