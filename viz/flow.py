"""Gradient flow through depth, for networks of different depths and layer counts side by side.

    flow = gradient_flow(monitor)                    # one number per weight layer, input side first
    plot_gradient_flow({"plain": m1, "ResNet": m2})  # one line per network, layer position 0 (input) .. 1 (output)

A ``viz.GradientMonitor`` records a statistic per layer and step; ``compare_monitors`` shows it as heatmaps, which
need the same layers to be read side by side. Here each layer's record is summarised by its median over training
(from the fraction ``start`` of the records on: 0.5 is the second half, as ``diagnose`` reads it), and the layers of
each network are placed at their relative position in depth, so a 10-layer and a 20-layer network share one axis.
``kinds`` picks the layers by module class name (default: the convolutions and linear layers, the layers that carry
the network's weights; batch-norm layers have their own, much smaller, gradients).
"""
from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np

from .figures import figure, styled
from .monitor_plots import STATS, label

__all__ = ["gradient_flow", "plot_gradient_flow"]

WEIGHT_LAYERS = ("Conv2d", "Linear")


def _history(monitor: Any) -> Mapping[str, Any]:
    h = getattr(monitor, "history", monitor)
    if not isinstance(h, Mapping) or not {"layers", "steps", "stats"} <= h.keys():
        raise ValueError(f"gradient_flow: expected a GradientMonitor or its history, got {type(monitor).__name__}")
    if not h["steps"]:
        raise ValueError("gradient_flow: the monitor recorded nothing (no monitored optimizer step yet)")
    return h


def gradient_flow(monitor: Any, stat: str = "grad_norm", *, kinds: Sequence[str] | None = WEIGHT_LAYERS,
                  start: float = 0.0) -> dict[str, Any]:
    """``{"layers": labels, "values": medians, "position": 0..1}`` for the layers of ``kinds`` (None: every layer
    with parameters), input side first; ``values[i]`` is the median of ``stat`` over the records from ``start``
    (a fraction of the run) on, NaN where never measured; ``position`` spreads the layers evenly from 0 (the input
    layer) to 1 (the output layer)."""
    h = _history(monitor)
    if stat not in STATS or stat not in h["stats"]:
        known = ", ".join(s for s in STATS if s in h["stats"])
        raise ValueError(f"gradient_flow: unknown stat {stat!r}; known: {known}")
    if isinstance(start, bool) or not isinstance(start, (int, float)) or not 0 <= start < 1:
        raise ValueError(f"gradient_flow: start must be a fraction in [0, 1), got {start!r}")
    rows = [i for i, layer in enumerate(h["layers"])
            if (layer.get("kind") in kinds if kinds is not None else layer.get("role") == "param")]
    if not rows:
        found = sorted({str(layer.get("kind")) for layer in h["layers"]})
        raise ValueError(f"gradient_flow: no layer of kinds {list(kinds or [])} (layers here: {', '.join(found)})")
    records = h["stats"][stat][int(start * len(h["steps"])):]
    a = np.array([[rec[i] for rec in records] for i in rows], dtype=float).reshape(len(rows), len(records))
    with np.errstate(all="ignore"):
        values = np.array([np.nanmedian(r) if np.isfinite(r).any() else np.nan for r in a])
    position = np.linspace(0.0, 1.0, len(rows)) if len(rows) > 1 else np.zeros(1)
    return {"layers": [label(h, i) for i in rows], "values": values, "position": position}


def plot_gradient_flow(monitors: Mapping[str, Any], stat: str = "grad_norm", *,
                       kinds: Sequence[str] | None = WEIGHT_LAYERS, start: float = 0.0, ax: Any = None) -> Any:
    """One line per network: the median ``stat`` of each of its layers (log scale, x) against the layer's relative
    position in depth (y: input layer at the bottom, output layer at the top); the legend gives each network's
    layer count and the ratio input layer / output layer. Returns the Figure."""
    if not isinstance(monitors, Mapping) or not monitors:
        raise ValueError("plot_gradient_flow: expected a non-empty {name: GradientMonitor or history} mapping")
    flows = {name: gradient_flow(m, stat, kinds=kinds, start=start) for name, m in monitors.items()}
    with styled():
        fig, ax = figure(size=(7.6, 5.0)) if ax is None else (ax.figure, ax)
        for k, (name, f) in enumerate(flows.items()):
            v = f["values"]
            ratio = v[0] / v[-1] if np.isfinite(v[[0, -1]]).all() and v[-1] > 0 else float("nan")
            ax.plot(v, f["position"], "o-", color=f"C{k}", ms=4, lw=1.6,
                    label=f"{name}: {len(v)} layers, input / output {ratio:.2g}")
        ax.set_xscale("log")
        ax.set_xlabel(f"median {STATS[stat]} over training (log scale)")
        ax.set_ylabel("layer position (0: input layer, 1: output layer)")
        ax.set_ylim(-0.05, 1.05)
        what = "all layers with parameters" if kinds is None else " and ".join(kinds) + " layers"
        ax.set_title(f"Gradient flow through depth ({what})")
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), framealpha=0.85)
    return fig
