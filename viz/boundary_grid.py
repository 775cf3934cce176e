"""Decision boundaries side by side (rows = data sets or depths, columns = widths) with each classifier's training
accuracy in its title, as one ``matplotlib.figure.Figure`` (``viz.figures.figure``'s style). A first layer's hidden
units, the lines w·x + b = 0, go on top of a panel with ``viz.plot_lines``.
"""
from __future__ import annotations

from typing import Any, Callable, Mapping, Sequence

import numpy as np
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure

import autograd

from .figures import figure
from .plots import _numpy, _predict_all, decision_boundary

__all__ = ["decision_boundary_grid"]


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
