"""What a regulariser does to the weights: histograms side by side (L1 makes sparse, L2 shrinks) and each unit's
incoming-weight norm against a max-norm bound c. Each function returns a ``matplotlib.figure.Figure``.
"""
from __future__ import annotations

from typing import Any, Mapping

import numpy as np
from matplotlib.figure import Figure

from .figures import figure
from .plots import _numpy

__all__ = ["plot_weight_histograms", "plot_unit_norms", "unit_norms"]


def _entries(weights: Any, fn: str) -> list[tuple[str, np.ndarray]]:
    if not isinstance(weights, Mapping) or not weights:
        raise ValueError(f"{fn}: weights must be a non-empty dict label -> weight array (or Tensor)")
    out = [(str(k), _numpy(v).astype(np.float64)) for k, v in weights.items()]
    empty = [k for k, v in out if v.size == 0]
    if empty:
        raise ValueError(f"{fn}: the weights of {empty} are empty")
    return out


def plot_weight_histograms(weights: Mapping[str, Any], *, threshold: float = 1e-3, bins: int = 61,
                           log: bool = True, title: str | None = None) -> Figure:
    """One histogram per entry of ``weights`` (label -> array or Tensor, all its elements), side by side on the same
    bins (symmetric around 0, so the bin in the middle holds the near-zeros) and the same axes.

    Each panel's title gives the fraction of weights with |w| < ``threshold`` and the number that are exactly 0;
    counts are on a log scale unless ``log=False`` (a spike at 0 and thin tails both stay visible).
    """
    if not threshold > 0:
        raise ValueError(f"plot_weight_histograms: threshold must be positive, got {threshold!r}")
    if int(bins) < 3:
        raise ValueError(f"plot_weight_histograms: bins must be at least 3, got {bins!r}")
    entries = _entries(weights, "plot_weight_histograms")
    top = max(float(np.abs(v).max()) for _, v in entries) or 1.0
    edges = np.linspace(-top, top, int(bins) + 1)
    fig, axes = figure(1, len(entries), size=(3.6 * len(entries) + 0.4, 3.8), squeeze=False, sharey=True)
    for ax, (label, w) in zip(axes[0], entries):
        flat = w.reshape(-1)
        near = float(np.mean(np.abs(flat) < threshold))
        ax.hist(flat, bins=edges, color="#4c72b0", edgecolor="white", linewidth=0.3, log=log)
        ax.axvline(0.0, color="#999999", lw=0.8, zorder=0)
        ax.set_title(f"{label}\n|w| < {threshold:g}: {near:.1%}  (exactly 0: {int(np.sum(flat == 0))})", fontsize=10)
        ax.set_xlabel("weight w")
    axes[0, 0].set_ylabel("number of weights" + (" (log scale)" if log else ""))
    n = sum(v.size for _, v in entries) // len(entries)
    fig.suptitle(title if title is not None else f"Weight histograms (about {n:,} weights each)", fontsize=13)
    return fig


def unit_norms(weight: Any, dim: int = 0) -> np.ndarray:
    """Each unit's incoming-weight L2 norm, units along ``dim`` (0: the rows of a Linear's (out, in) weight), the
    norm over all other dimensions: what ``nn.utils.max_norm_`` bounds."""
    w = _numpy(weight).astype(np.float64)
    if w.ndim < 2:
        raise ValueError(f"unit_norms: expected a weight with at least 2 dimensions (units, inputs...), got shape "
                         f"{w.shape}")
    d = dim % w.ndim
    return np.sqrt((np.moveaxis(w, d, 0).reshape(w.shape[d], -1) ** 2).sum(axis=1))


def plot_unit_norms(weights: Mapping[str, Any], max_norm: float | None = None, *, dim: int = 0,
                    sort: bool = False, title: str | None = None) -> Figure:
    """Per-unit incoming-weight norms ‖w_j‖₂ (``unit_norms``) of each entry of ``weights`` (label -> weight array or
    Tensor), one series of markers per entry against the unit's index (``sort=True``: each series in decreasing
    order), and the bound ``max_norm`` = c as a dashed line. The legend gives each series' largest norm."""
    entries = _entries(weights, "plot_unit_norms")
    if max_norm is not None and not max_norm > 0:
        raise ValueError(f"plot_unit_norms: max_norm must be positive or None, got {max_norm!r}")
    fig, ax = figure(size=(7.6, 4.4))
    markers = "osD^v<>"
    for k, (label, w) in enumerate(entries):
        norms = unit_norms(w, dim)
        if sort:
            norms = np.sort(norms)[::-1]
        ax.plot(np.arange(1, len(norms) + 1), norms, ls="none", marker=markers[k % len(markers)], ms=5,
                mfc="none" if k else None, color=f"C{k}", label=f"{label} (largest {norms.max():.3g})")
    if max_norm is not None:
        ax.axhline(max_norm, color="#333333", ls="--", lw=1.4, label=f"max-norm bound c = {max_norm:g}")
    ax.set_ylim(bottom=0)
    ax.set_xlabel("unit j" + (" (sorted by norm, largest first)" if sort else ""))
    ax.set_ylabel("incoming-weight norm $\\|w_j\\|_2$")
    ax.set_title(title if title is not None else "Per-unit incoming-weight norms")
    ax.legend(loc="best", fontsize=9)
    return fig
