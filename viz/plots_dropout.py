"""The lecture's dropout picture (Srivastava et al. 2014, Fig. 1): a standard network next to the thinned network
one mini-batch trains, with the dropped units taken from a real ``nn.Dropout`` mask.

Layers are drawn as rows, the input at the bottom; a dropped unit is crossed out and loses every edge.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np
from matplotlib.figure import Figure

import autograd
import nn
from nn.checkpoint import capture_rng, restore_rng

from .figures import figure

__all__ = ["dropout_masks", "plot_dropout"]


def _check(sizes: Sequence[int], rate: float, input_rate: float, fn: str) -> list[int]:
    sizes = [int(s) for s in sizes]
    if len(sizes) < 2 or min(sizes) < 1:
        raise ValueError(f"{fn}: sizes must list at least two layer widths >= 1 (input ... output), got {sizes}")
    for name, r in (("rate", rate), ("input_rate", input_rate)):
        if not 0 <= r < 1:
            raise ValueError(f"{fn}: {name} must be in [0, 1) (the probability a unit is dropped), got {r!r}")
    return sizes


def dropout_masks(sizes: Sequence[int], rate: float = 0.5, *, input_rate: float = 0.2,
                  seed: int = 0) -> list[np.ndarray]:
    """One boolean mask per layer (True = kept) for one mini-batch: ``nn.Dropout(input_rate)`` on the inputs,
    ``nn.Dropout(rate)`` on every hidden layer, the output layer always kept. Sampled by the modules themselves
    (training mode) from ``autograd.manual_seed(seed)``; the global random state is restored afterwards."""
    sizes = _check(sizes, rate, input_rate, "dropout_masks")
    saved = capture_rng([])  # the caller's random stream is left as it was
    try:
        autograd.manual_seed(seed)
        masks = []
        for i, n in enumerate(sizes):
            r = input_rate if i == 0 else 0.0 if i == len(sizes) - 1 else rate
            drop = nn.Dropout(r)
            drop.train()
            masks.append(drop(autograd.ones(n, dtype=autograd.float64)).numpy() != 0)
    finally:
        restore_rng(saved, [])
    return masks


def _positions(sizes: Sequence[int]) -> list[np.ndarray]:
    widest = max(sizes)
    return [np.stack([np.linspace(-(n - 1) / 2, (n - 1) / 2, n) * (widest / max(widest, 1)),
                      np.full(n, float(row))], axis=1) for row, n in enumerate(sizes)]


def _draw(ax: Any, sizes: Sequence[int], masks: list[np.ndarray], title: str) -> int:
    pos = _positions(sizes)
    edges = 0
    for lower, upper, m_lo, m_up in zip(pos[:-1], pos[1:], masks[:-1], masks[1:]):
        for i in np.flatnonzero(m_lo):
            for j in np.flatnonzero(m_up):
                ax.plot([lower[i, 0], upper[j, 0]], [lower[i, 1], upper[j, 1]], color="#7f8c8d", lw=0.7, zorder=1)
                edges += 1
    for row, (p, m) in enumerate(zip(pos, masks)):
        colour = "#2980b9" if row == 0 else "#c0392b" if row == len(sizes) - 1 else "#27ae60"
        ax.scatter(p[m, 0], p[m, 1], s=260, color=colour, edgecolor="black", zorder=3)
        ax.scatter(p[~m, 0], p[~m, 1], s=260, facecolor="white", edgecolor="#95a5a6", zorder=3)
        ax.scatter(p[~m, 0], p[~m, 1], s=200, marker="x", color="#c0392b", linewidths=2.2, zorder=4)
    names = ["input"] + [f"hidden {i}" for i in range(1, len(sizes) - 1)] + ["output"]
    ax.set_yticks(range(len(sizes)), [f"{n} ({m.sum()}/{len(m)} kept)" for n, m in zip(names, masks)])
    ax.set_xticks([])
    ax.grid(False)
    for side in ("top", "right", "bottom", "left"):
        ax.spines[side].set_visible(False)
    half = max(sizes) / 2 + 0.5
    ax.set(xlim=(-half, half), ylim=(-0.6, len(sizes) - 0.4), title=title)
    return edges


def plot_dropout(sizes: Sequence[int] = (6, 8, 8, 3), rate: float = 0.5, *, input_rate: float = 0.2,
                 seed: int = 0) -> Figure:
    """Two panels: (a) the standard network of layer widths ``sizes`` (input first, drawn at the bottom) with every
    connection; (b) the thinned network of one mini-batch, units dropped by ``dropout_masks`` crossed out with their
    connections gone. The caption gives the scale 1/(1 − r) of the kept units' outputs."""
    sizes = _check(sizes, rate, input_rate, "plot_dropout")
    masks = dropout_masks(sizes, rate, input_rate=input_rate, seed=seed)
    fig, (a, b) = figure(1, 2, size=(12.5, 1.4 * len(sizes) + 1.6))
    full = _draw(a, sizes, [np.ones(n, dtype=bool) for n in sizes], "(a) standard neural net")
    kept = _draw(b, sizes, masks, "(b) after applying dropout (one mini-batch)")
    b.set_xlabel(f"{kept} of {full} connections left; kept hidden units' outputs × 1/(1 − r) = {1 / (1 - rate):.3g}"
                 + (f", kept inputs × {1 / (1 - input_rate):.3g}" if input_rate else ""))
    fig.suptitle(f"Dropout: hidden units dropped with probability r = {rate:g}, inputs with {input_rate:g}",
                 fontsize=13)
    return fig
