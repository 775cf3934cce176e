"""Decision boundaries side by side (rows = data sets or depths, columns = widths) with each classifier's training
accuracy in its title, and a first layer's hidden units drawn as the lines w·x + b = 0 they put in the input plane.

Both return a ``matplotlib.figure.Figure`` (``viz.figures.figure``'s style); ``plot_unit_lines`` draws into ``ax``
when given.
"""
from __future__ import annotations

from typing import Any, Callable, Mapping, Sequence

import numpy as np
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure

import autograd

from .figures import figure
from .plots import _numpy, _predict_all, decision_boundary

__all__ = ["decision_boundary_grid", "plot_unit_lines"]


def _as_predict(model: Any) -> Callable[[np.ndarray], Any]:
    """A callable on (M, 2) points; an ``nn.Module`` runs in eval mode (its mode is put back afterwards)."""
    import nn
    if isinstance(model, nn.Module):
        def predict(points: np.ndarray) -> Any:
            was = model.training
            model.eval()
            try:
                return model(autograd.Tensor(points))
            finally:
                model.train(was)
        return predict
    if not callable(model):
        raise TypeError(f"decision_boundary_grid: each panel needs a classifier (an nn.Module or a callable "
                        f"predict(points)), got {type(model).__name__}")
    return model


def _per_row(data: Any, rows: int, what: str) -> list[np.ndarray]:
    """One array for every row: a list / tuple holds one per row, an array (or Tensor) serves all rows."""
    if isinstance(data, (list, tuple)):
        if len(data) != rows:
            raise ValueError(f"decision_boundary_grid: {what} is a list of {len(data)} data sets, but there are "
                             f"{rows} rows of classifiers (give one per row, or one array for all)")
        return [_numpy(d) for d in data]
    return [_numpy(data)] * rows


def decision_boundary_grid(predicts: Sequence[Sequence[Any]], X: Any, y: Any, *,
                           row_labels: Sequence[str] | None = None, col_labels: Sequence[str] | None = None,
                           title: str | None = None, resolution: int = 150, padding: float = 0.5,
                           classes: Sequence[str] | Mapping | None = None, point_size: float = 9.0,
                           panel_size: tuple[float, float] = (2.6, 2.4)) -> Figure:
    """A grid of ``viz.decision_boundary`` panels: ``predicts[i][j]`` drawn in row i, column j.

    ``predicts``: rows of classifiers, every row equally long; each an ``nn.Module`` (called on a Tensor of the
    points, in eval mode) or a callable ``predict(points)`` as ``decision_boundary`` takes. ``X``, ``y``: one data set
    for every panel (arrays or Tensors), or a list / tuple with one per row. Each panel's title is its column label
    and the classifier's accuracy on its row's points (the training points, when those are what it was fitted to);
    the row label goes on the left, before the x₂ axis label. One legend for the whole figure (class names as
    ``decision_boundary``'s ``classes``). ``resolution`` is each panel's grid (150 × 150 points by default).
    """
    rows = [list(r) for r in predicts] if isinstance(predicts, Sequence) and not isinstance(predicts, str) else []
    if not rows or any(not isinstance(r, Sequence) or isinstance(r, str) for r in predicts):
        raise ValueError("decision_boundary_grid: predicts must be a non-empty list of rows (lists) of classifiers")
    ncols = len(rows[0])
    if ncols == 0 or any(len(r) != ncols for r in rows):
        raise ValueError(f"decision_boundary_grid: every row needs the same number (> 0) of classifiers, got rows of "
                         f"lengths {[len(r) for r in rows]}")
    nrows = len(rows)
    for labels, n, what in ((row_labels, nrows, "row_labels"), (col_labels, ncols, "col_labels")):
        if labels is not None and len(labels) != n:
            raise ValueError(f"decision_boundary_grid: {what} has {len(labels)} entries for {n} {what[:3]}s")
    Xs, ys = _per_row(X, nrows, "X"), _per_row(y, nrows, "y")
    w, h = panel_size
    fig, axes = figure(nrows, ncols, size=(w * ncols + 0.6, h * nrows + 0.9), squeeze=False)
    handles: list = []
    for i, row in enumerate(rows):
        Xi, yi = Xs[i], ys[i].reshape(-1)
        for j, model in enumerate(row):
            ax, predict = axes[i, j], _as_predict(model)
            decision_boundary(predict, Xi, yi, ax, resolution=resolution, padding=padding, classes=classes,
                              show_accuracy=False, axis_labels=("$x_1$", "$x_2$"))
            legend = ax.get_legend()
            if not handles:  # the first panel's entries (classes, "decision boundary") serve the whole figure
                handles = list(zip(legend.legend_handles, [t.get_text() for t in legend.texts]))
            legend.remove()
            for c in ax.collections:
                if isinstance(c, PathCollection):
                    c.set_sizes([point_size])
                    c.set_linewidth(0.4)
            pred = _predict_all(predict, Xi.astype(np.float64), yi, 16384)
            col = col_labels[j] if col_labels is not None else f"column {j + 1}"
            ax.set_title(f"{col}\ntrain acc {np.mean(pred == yi):.1%}", fontsize=10)
            ax.tick_params(labelsize=7)
            if i < nrows - 1:
                ax.set_xlabel("")
            if j > 0:
                ax.set_ylabel("")
            elif row_labels is not None:
                ax.set_ylabel(f"{row_labels[i]}\n$x_2$", fontsize=11)
    fig.legend([a for a, _ in handles], [b for _, b in handles], loc="outside lower center", ncols=len(handles),
               frameon=False)
    fig.suptitle(title if title is not None else "Decision boundaries", fontsize=13)
    return fig


def plot_unit_lines(layer: Any, ax: Any = None, *, bias: Any = None, X: Any = None, colors: Sequence | None = None,
                    label: str = "unit") -> Figure:
    """Each unit j of a first layer on 2-D inputs as the line w_j·x + b_j = 0 (dashed), with a short arrow from it
    towards the side where the unit's pre-activation is positive; a unit with w_j = 0 has no line and is skipped.

    ``layer``: an ``nn.Linear(2, k)`` (its weight and bias) or a weight array (k, 2) with ``bias`` (k,) (zeros when
    None). Draws into ``ax`` (e.g. a ``decision_boundary`` figure's axes, keeping its limits) or, without it, into a
    new figure spanning ``X``'s points (else [-1.5, 1.5]²). The lines are labelled "<label> j" in the legend.
    """
    import nn
    if isinstance(layer, nn.Linear):
        W = _numpy(layer.weight).astype(np.float64)
        b = _numpy(layer.bias).astype(np.float64) if layer.bias is not None else np.zeros(len(W))
    else:
        W = _numpy(layer).astype(np.float64)
        b = np.zeros(len(W)) if bias is None else _numpy(bias).astype(np.float64).reshape(-1)
    if W.ndim != 2 or W.shape[1] != 2 or b.shape != (W.shape[0],):
        raise ValueError(f"plot_unit_lines: expected a layer on 2-D inputs, weight (k, 2) and bias (k,), got weight "
                         f"{W.shape} and bias {b.shape}")
    if ax is None:
        fig, ax = figure(size=(5.2, 4.6))
        P = np.asarray([[-1.5, -1.5], [1.5, 1.5]]) if X is None else _numpy(X).astype(np.float64)
        lo, hi = P.min(axis=0) - 0.5, P.max(axis=0) + 0.5
        ax.set_xlim(lo[0], hi[0])
        ax.set_ylim(lo[1], hi[1])
        ax.set_xlabel("$x_1$")
        ax.set_ylabel("$x_2$")
        ax.set_title(f"{len(W)} hidden units as lines $w_j \\cdot x + b_j = 0$")
    fig = ax.figure
    xlim, ylim = ax.get_xlim(), ax.get_ylim()
    span = max(xlim[1] - xlim[0], ylim[1] - ylim[0])
    centre = np.asarray([np.mean(xlim), np.mean(ylim)])
    palette = colors if colors is not None else [f"C{k % 10}" for k in range(len(W))]
    old = ax.get_legend()  # a decision_boundary legend: its entries are kept, the lines added after them
    handles = list(old.legend_handles) if old is not None else []
    names = [t.get_text() for t in old.texts] if old is not None else []
    for j, (wj, bj) in enumerate(zip(W, b)):
        norm2 = float(wj @ wj)
        if norm2 == 0.0:
            continue
        p0 = -bj * wj / norm2                                  # the point of the line nearest the origin
        foot = p0 + (centre - p0) - ((centre - p0) @ wj) * wj / norm2  # the point of the line nearest the centre
        handles.append(ax.axline(tuple(p0), tuple(p0 + np.asarray([-wj[1], wj[0]])), color=palette[j], ls="--",
                                 lw=1.6, label=f"{label} {j + 1}", zorder=4))
        names.append(f"{label} {j + 1}")
        ax.annotate("", xy=tuple(foot + 0.08 * span * wj / np.sqrt(norm2)), xytext=tuple(foot),
                    arrowprops={"arrowstyle": "->", "color": palette[j], "lw": 1.4}, zorder=4)
    ax.set_xlim(xlim)
    ax.set_ylim(ylim)
    ax.legend(handles, names, loc="best", framealpha=0.85, fontsize=8)
    return fig
