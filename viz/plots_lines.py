"""Lines in the plane, the lecture's picture of a perceptron: ``plot_lines`` draws the lines ``w·x + b = 0`` of
linear units (a perceptron's boundary, an MLP's hidden units), and ``plot_shattering`` draws every labelling of a
few points with the line learnt for it, or says that no line exists (the VC-dimension slides).

Both return a ``matplotlib.figure.Figure``; ``plot_lines`` draws into a given ``ax`` (e.g. one from
``viz.decision_boundary``) and adds its entries to that axes' legend.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from .figures import figure
from .plots import BOUNDARY, _lighten, _numpy, class_colors

__all__ = ["line_segment", "plot_lines", "plot_shattering"]

WRONG = "#d62728"


def line_segment(w: Any, b: float, xlim: Sequence[float], ylim: Sequence[float]) -> np.ndarray | None:
    """The end points (2, 2) of the part of the line ``w[0]·x₁ + w[1]·x₂ + b = 0`` inside the box
    ``xlim × ylim``; None when the line misses the box or ``w`` is zero (no line)."""
    w = np.asarray(w, dtype=np.float64).reshape(-1)
    (x0, x1), (y0, y1), b = xlim, ylim, float(b)
    hits = []
    if w[1] != 0:  # crossings with the left and right edges
        hits += [(x, -(w[0] * x + b) / w[1]) for x in (x0, x1)]
    if w[0] != 0:  # crossings with the bottom and top edges
        hits += [(-(w[1] * y + b) / w[0], y) for y in (y0, y1)]
    eps = 1e-9 * max(x1 - x0, y1 - y0)
    inside = [p for p in hits if x0 - eps <= p[0] <= x1 + eps and y0 - eps <= p[1] <= y1 + eps]
    if len(inside) < 2:
        return None
    pts = np.unique(np.round(np.asarray(inside), 12), axis=0)
    if len(pts) < 2:
        return None  # touches a corner only
    far = np.argmax(((pts[:, None] - pts[None]) ** 2).sum(-1))
    i, j = divmod(int(far), len(pts))
    return pts[[i, j]]


def _weights(weight: Any, bias: Any, fn: str) -> tuple[np.ndarray, np.ndarray]:
    W = _numpy(weight).astype(np.float64)
    W = W.reshape(1, -1) if W.ndim == 1 else W
    if W.ndim != 2 or W.shape[1] != 2:
        raise ValueError(f"{fn}: weight must have shape (k, 2) or (2,) (one row per line in the plane), got "
                         f"{_numpy(weight).shape}")
    b = np.zeros(len(W)) if bias is None else _numpy(bias).astype(np.float64).reshape(-1)
    if b.shape != (len(W),):
        raise ValueError(f"{fn}: bias must hold one value per row of weight ({len(W)}), got shape {b.shape}")
    return W, b


def plot_lines(weight: Any, bias: Any = None, ax: Any = None, *, names: Sequence[str] | None = None,
               xlim: Sequence[float] | None = None, ylim: Sequence[float] | None = None,
               colors: Sequence[Any] | None = None, linestyle: str = "-", normals: bool = True,
               title: str | None = None) -> Figure:
    """The lines ``w_j·x + b_j = 0``, one per row ``j`` of ``weight`` (shape (k, 2) or (2,); ``bias`` (k,) or a
    number; NumPy arrays, lists or Tensors such as ``nn.Linear(2, k).weight``), clipped to the box.

    The box is ``xlim × ylim``, default the limits of ``ax`` (a new figure's default is [-2, 2]²). With
    ``normals`` a short arrow from each line's middle points along ``w_j``, into the half-plane where
    ``w_j·x + b_j > 0`` (the side a unit switches on). Each line gets a legend entry, ``names[j]`` (default
    "line j+1: w·x + b = 0"), added to the entries already in the axes' legend. A line that misses the box is
    listed in the legend as "(outside the plot)".
    """
    W, b = _weights(weight, bias, "plot_lines")
    if names is not None and len(names) != len(W):
        raise ValueError(f"plot_lines: {len(W)} lines but {len(names)} names")
    fig, ax = figure(size=(5.6, 4.8)) if ax is None else (ax.figure, ax)
    if xlim is None and ylim is None and not ax.lines and not ax.collections and not ax.images:
        xlim = ylim = (-2.0, 2.0)
    xlim = tuple(xlim) if xlim is not None else ax.get_xlim()
    ylim = tuple(ylim) if ylim is not None else ax.get_ylim()
    old = ax.get_legend()
    handles = list(old.legend_handles) if old is not None else []
    palette = colors if colors is not None else ["#111111", "#7b3294", "#008837", "#e66101", "#2c7bb6"]
    span = 0.08 * max(xlim[1] - xlim[0], ylim[1] - ylim[0])
    for j, (w, bj) in enumerate(zip(W, b)):
        color = palette[j % len(palette)]
        name = names[j] if names is not None else f"line {j + 1}: w·x + b = 0"
        seg = line_segment(w, bj, xlim, ylim)
        if seg is None:
            handles.append(Line2D([], [], color=color, lw=2, ls=linestyle, label=f"{name} (outside the plot)"))
            continue
        (line,) = ax.plot(seg[:, 0], seg[:, 1], color=color, lw=2, ls=linestyle, label=name, zorder=4)
        handles.append(line)
        if normals:
            mid, unit = seg.mean(axis=0), w / np.linalg.norm(w)
            ax.annotate("", xy=mid + span * unit, xytext=mid, zorder=4,
                        arrowprops={"arrowstyle": "->", "color": color, "lw": 1.5})
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    if not ax.get_xlabel():
        ax.set_xlabel("feature $x_1$")
    if not ax.get_ylabel():
        ax.set_ylabel("feature $x_2$")
    if title is not None:
        ax.set_title(title)
    ax.legend(handles=handles, loc="best", framealpha=0.85)
    return fig


def _line_of(item: Any, i: int) -> tuple[np.ndarray, float] | None:
    """(w, b) from a model with ``weight``/``bias`` (one output unit), a (w, b) pair, or None."""
    if item is None:
        return None
    if hasattr(item, "weight"):
        w, b = _numpy(item.weight), getattr(item, "bias", None)
    elif isinstance(item, (tuple, list)) and len(item) == 2:
        w, b = item
    else:
        raise TypeError(f"plot_shattering: lines[{i}] must be a model with weight and bias (e.g. nn.Perceptron), a "
                        f"(w, b) pair or None, got {type(item).__name__}")
    W, bb = _weights(w, 0.0 if b is None else b, f"plot_shattering (lines[{i}])")
    if len(W) != 1:
        raise ValueError(f"plot_shattering: lines[{i}] has {len(W)} output units; a labelling needs one line")
    return W[0], float(bb[0])


def plot_shattering(points: Any, labellings: Any, lines: Sequence[Any] | None = None, *,
                    separable: Sequence[bool] | None = None, ncols: int = 4, padding: float = 0.4,
                    title: str | None = None, titles: Sequence[str] | None = None) -> Figure:
    """One small panel per labelling (row of ``labellings``, shape (L, n), labels 0 / 1) of the ``points`` (n, 2):
    the points in their classes' colours and, from ``lines[i]`` (an ``nn.Perceptron`` or any model with a (1, 2)
    ``weight`` and a ``bias``, a ``(w, b)`` pair, or None), the line ``w·x + b = 0`` with the half-planes it
    predicts (``w·x + b > 0`` is class 1) shaded.

    A panel's title is the labelling and a verdict computed from its line: "line found" when the line classifies
    every point right; otherwise "no line exists" when no line separates that labelling (``separable[i]`` False,
    default: ``nn.data.linearly_separable``), else "not found (a line exists)". Points the line gets wrong are
    ringed, and a line that fails is dashed. The figure's title (default) counts the labellings a line realized;
    ``titles[i]`` replaces a panel's first title line (the labelling), e.g. to show one labelling's line after
    successive updates.
    """
    from nn.data import linearly_separable

    P = _numpy(points).astype(np.float64)
    Y = _numpy(labellings)
    if P.ndim != 2 or P.shape[1] != 2 or len(P) == 0:
        raise ValueError(f"plot_shattering: points must have shape (n, 2), got {P.shape}")
    Y = Y.reshape(1, -1) if Y.ndim == 1 else Y
    if Y.ndim != 2 or Y.shape[1] != len(P) or len(Y) == 0:
        raise ValueError(f"plot_shattering: labellings must have shape (L, {len(P)}) (one label per point), got "
                         f"{_numpy(labellings).shape}")
    if not np.isin(Y, (0, 1)).all():
        raise ValueError("plot_shattering: labels must be 0 or 1")
    Y = Y.astype(np.int64)
    lines = [None] * len(Y) if lines is None else list(lines)
    if len(lines) != len(Y):
        raise ValueError(f"plot_shattering: {len(Y)} labellings but {len(lines)} lines")
    sep = [linearly_separable(P, row) for row in Y] if separable is None else [bool(s) for s in separable]
    if len(sep) != len(Y):
        raise ValueError(f"plot_shattering: {len(Y)} labellings but {len(sep)} separable flags")
    if titles is not None and len(titles) != len(Y):
        raise ValueError(f"plot_shattering: {len(Y)} labellings but {len(titles)} titles")
    if isinstance(ncols, bool) or not isinstance(ncols, (int, np.integer)) or ncols < 1:
        raise ValueError(f"plot_shattering: ncols must be a positive int, got {ncols!r}")
    ncols = min(int(ncols), len(Y))
    nrows = -(-len(Y) // ncols)
    fig, axes = figure(nrows, ncols, size=(2.5 * ncols + 0.4, 2.55 * nrows + 1.3), squeeze=False)
    lo, hi = P.min(axis=0) - padding, P.max(axis=0) + padding
    hi = np.where(hi > lo, hi, lo + 1.0)
    gx, gy = np.linspace(lo[0], hi[0], 120), np.linspace(lo[1], hi[1], 120)
    xx, yy = np.meshgrid(gx, gy)
    dark = class_colors(2)
    realized = 0
    for i, ax in enumerate(axes.ravel()):
        if i >= len(Y):
            ax.set_visible(False)
            continue
        row, line = Y[i], _line_of(lines[i], i)
        wrong = np.zeros(len(P), dtype=bool) if line is None else ((P @ line[0] + line[1] > 0) != row)
        found = line is not None and not wrong.any()
        realized += found
        if line is not None:
            side = (xx * line[0][0] + yy * line[0][1] + line[1] > 0).astype(int)
            ax.imshow(side, origin="lower", extent=(lo[0], hi[0], lo[1], hi[1]), aspect="auto", zorder=0,
                      cmap=ListedColormap(_lighten(dark)), vmin=0, vmax=1, interpolation="nearest")
            seg = line_segment(line[0], line[1], (lo[0], hi[0]), (lo[1], hi[1]))
            if seg is not None:
                ax.plot(seg[:, 0], seg[:, 1], color=BOUNDARY, lw=1.8, ls="-" if found else "--", zorder=2)
        ax.scatter(P[:, 0], P[:, 1], s=70, c=dark[row], edgecolors="#1a1a1a", linewidths=0.8, zorder=3)
        if wrong.any():
            ax.scatter(P[wrong, 0], P[wrong, 1], s=260, facecolors="none", edgecolors=WRONG, linewidths=1.8,
                       zorder=3)
        verdict = ("line found" if found else "no line exists" if not sep[i]
                   else "no line drawn" if line is None else "not found (a line exists)")
        head = titles[i] if titles is not None else f"y = ({', '.join(str(v) for v in row)})"
        ax.set_title(f"{head}\n{verdict}", fontsize=10,
                     color="#1a1a1a" if found or (line is None and sep[i]) else WRONG)
        if i == 0:  # number the points once: labelling entry k belongs to point k
            for k, (px, py) in enumerate(P):
                ax.annotate(f"{k + 1}", (px, py), xytext=(7, 5), textcoords="offset points", fontsize=9,
                            color="#444444", zorder=5)
        ax.set_xlim(lo[0], hi[0])
        ax.set_ylim(lo[1], hi[1])
        ax.set_xticks([])
        ax.set_yticks([])
        ax.grid(False)
        if i + ncols >= len(Y):  # nothing drawn below this panel
            ax.set_xlabel("feature $x_1$")
        if i % ncols == 0:
            ax.set_ylabel("feature $x_2$")
    fig.suptitle(title if title is not None else
                 f"{len(P)} points, {len(Y)} labellings: {realized} realized by a line, "
                 f"{len(Y) - sum(sep)} not separable by any line")
    handles: list[Any] = [Line2D([], [], ls="", marker="o", color=dark[k], mec="#1a1a1a", ms=8, label=f"label {k}")
               for k in (0, 1)]
    handles += [Patch(facecolor=tuple(_lighten(dark[k])), label=f"predicted {k} (w·x + b {'>' if k else '≤'} 0)")
                for k in (0, 1)]
    handles += [Line2D([], [], color=BOUNDARY, lw=1.8, label="line w·x + b = 0 (dashed: it fails)"),
                Line2D([], [], ls="", marker="o", mfc="none", mec=WRONG, mew=1.8, ms=13, label="misclassified")]
    fig.legend(handles=handles, loc="outside lower center", ncols=3, framealpha=0.85)
    return fig
