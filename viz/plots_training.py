"""Training plots: loss / accuracy curves with the early-stopping epoch, and train / test error against model size
(the interpolation threshold of double descent). Re-exported by ``viz.plots``; each function returns a Figure.
"""
from __future__ import annotations

import math
from numbers import Real
from typing import Any, Mapping, Sequence

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from .figures import figure, styled

__all__ = ["plot_history", "plot_capacity"]

KEYS = ("train_loss", "val_loss", "test_loss", "train_acc", "val_acc", "test_acc")
STYLE = {"train_loss": ("train", "C0", "-"), "val_loss": ("validation", "C1", "-"), "test_loss": ("test", "C2", "-"),
         "train_acc": ("train", "C0", "-"), "val_acc": ("validation", "C1", "-"), "test_acc": ("test", "C2", "-")}
STOP_COLOR = "#6a3d9a"


def _floats(values: Any, what: str) -> np.ndarray:
    """A 1-D float array from a list of numbers / 0-d Tensors (None → NaN)."""
    try:
        return np.asarray([math.nan if v is None else float(v) for v in values], dtype=np.float64)
    except (TypeError, ValueError) as e:
        raise ValueError(f"{what}: expected a sequence of numbers ({e})") from None


def _history_table(history: Any) -> tuple[dict[str, np.ndarray], Any]:
    """(series by key, best_epoch or None) from a dict of lists or a list of per-epoch dicts."""
    if isinstance(history, Mapping):
        table, best = dict(history), history.get("best_epoch")
    elif isinstance(history, Sequence) and not isinstance(history, (str, bytes)):
        if not all(isinstance(row, Mapping) for row in history):
            raise TypeError("plot_history: a list history must hold one dict per epoch")
        keys = [k for k in (*KEYS, "epoch") if any(k in row for row in history)]
        table, best = {k: [row.get(k) for row in history] for k in keys}, None
    else:
        raise TypeError(f"plot_history: expected a dict of lists or a list of per-epoch dicts, got "
                        f"{type(history).__name__}")
    series = {k: _floats(table[k], f"plot_history: history[{k!r}]") for k in KEYS if k in table}
    if not series:
        raise ValueError(f"plot_history: no known series in the history (expected some of {', '.join(KEYS)}; got "
                         f"{sorted(map(str, table)) or 'nothing'})")
    series = {k: v for k, v in series.items() if len(v)}
    if not series:
        raise ValueError("plot_history: the history is empty (no epochs)")
    if "epoch" in table:
        series["epoch"] = _floats(table["epoch"], "plot_history: history['epoch']")
    return series, best


def _epochs(series: dict[str, np.ndarray], n: int) -> np.ndarray:
    ep = series.get("epoch")
    return ep[:n] if ep is not None and len(ep) >= n else np.arange(1, n + 1, dtype=np.float64)


def plot_history(history: Any, ax: Any = None) -> Figure:
    """Train / validation loss (left panel) and accuracy (right panel) per epoch, with the best epoch marked.

    ``history``: a dict of lists ``train_loss``, ``val_loss``, ``train_acc``, ``val_acc`` (any subset; an optional
    ``epoch`` list gives the x values, else epochs are numbered 1, 2, ...) or a list of per-epoch dicts with those
    keys; ``test_loss`` / ``test_acc`` (``nn.callbacks.Evaluate`` adds them) are drawn too, in green. The
    best epoch (the one early stopping keeps) is ``history["best_epoch"]`` when given (an epoch number as on the x
    axis), else the epoch of minimum validation loss; it is marked on every panel by a dashed vertical line labelled
    "lowest val loss", whether or not training stopped there.
    Accuracy is shown in percent (values ≤ 1 are read as fractions). ``ax``: one Axes (accuracy then goes on a twin
    right axis) or a pair of Axes (loss, accuracy). An empty or unrecognised history raises ValueError / TypeError.
    """
    series, best = _history_table(history)
    groups = [g for g in (("train_loss", "val_loss", "test_loss"), ("train_acc", "val_acc", "test_acc"))
              if any(k in series for k in g)]
    if best is None and "val_loss" in series and np.isfinite(series["val_loss"]).any():
        vl = series["val_loss"]
        best = _epochs(series, len(vl))[int(np.nanargmin(vl))]
    if best is not None:
        best = float(best)
        best = int(best) if best.is_integer() else best
    twin = False
    if ax is None:
        fig, axes = figure(1, len(groups), size=(5.6 * len(groups), 4.2), squeeze=False)
        panels = list(axes.ravel())
    elif isinstance(ax, Sequence) or isinstance(ax, np.ndarray):
        panels = list(np.ravel(ax))[:len(groups)]
        if len(panels) < len(groups):
            raise ValueError(f"plot_history: {len(groups)} panels to draw, {len(panels)} Axes given")
        fig = panels[0].figure
    else:
        fig = ax.figure
        twin = len(groups) == 2
        with styled():
            panels = [ax, ax.twinx()] if twin else [ax]
    handles = []
    for panel, group in zip(panels, groups):
        is_acc = group[0].endswith("acc")
        values = np.concatenate([series[k] for k in group if k in series])
        fraction = not np.isfinite(values).any() or np.nanmax(np.abs(values)) <= 1.0
        for k in group:
            if k in series:
                v = series[k]
                what = "accuracy" if is_acc else "loss"
                name, color, ls = STYLE[k]
                handles += panel.plot(_epochs(series, len(v)), v, color=color, ls=":" if twin and is_acc else ls,
                                      lw=1.8, marker="o" if len(v) <= 30 else None, ms=3.5,
                                      label=f"{name} {what}" if twin else name)
        if best is not None:
            label = f"lowest val loss: epoch {best}"
            if "val_loss" in series and not is_acc:
                ep = _epochs(series, len(series["val_loss"]))
                hit = np.flatnonzero(ep == best)
                if hit.size and np.isfinite(series["val_loss"][hit[0]]):
                    label += f" (val loss {series['val_loss'][hit[0]]:.3g})"
                    panel.plot([best], [series["val_loss"][hit[0]]], "o", ms=9, mfc="none", mec=STOP_COLOR, mew=1.8)
            line = panel.axvline(best, color=STOP_COLOR, ls="--", lw=1.4, label=label)
            line.set_gid("early-stopping")
            if not twin or not is_acc:
                handles.append(line)
        panel.set_xlabel("epoch")
        if is_acc:
            panel.set_ylabel("accuracy (%)")
            panel.yaxis.set_major_formatter(PercentFormatter(1.0 if fraction else 100.0, decimals=None))
        else:
            panel.set_ylabel("loss")
        if not twin:
            panel.set_title("Accuracy" if is_acc else "Loss")
            panel.legend(loc="best")
    if twin:
        panels[1].grid(False)
        panels[0].legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncols=2)
        panels[0].set_title("Loss and accuracy")
    if ax is None:
        fig.suptitle("Training history", fontsize=13)
    return fig


def plot_capacity(results: Sequence[Mapping[str, Any]], ax: Any = None, *, log_x: bool = True, tol: float = 1e-3,
                  title: str | None = None, ylabel: str | None = None, metric: str = "error",
                  threshold: float | None = None) -> Figure:
    """Train and test error against model size (``params``), sorted by size, on a log x axis by default.

    ``results``: a list of dicts with ``params`` and ``train_error`` and / or ``test_error`` (``metric="loss"``:
    ``train_loss`` / ``test_loss``, and so on; ``ylabel`` defaults to the metric). The interpolation threshold is
    ``threshold`` when given (e.g. Belkin et al.'s n·K, the number of values to fit), else the smallest model whose
    train ``metric`` is ≤ ``tol``; it is marked by a vertical line labelled "interpolation threshold" (none if no
    model gets there). Light bands name the regimes: under-fitting up to the best test value below the threshold,
    over-fitting from there to the threshold, interpolating beyond it (where test error may descend a second time,
    the double descent the lecture cites).
    """
    if isinstance(results, Mapping) or not isinstance(results, Sequence) or not results:
        raise ValueError("plot_capacity: results must be a non-empty list of dicts with 'params' and "
                         "'train_error' / 'test_error'")
    if any(not isinstance(r, Mapping) or "params" not in r for r in results):
        raise ValueError("plot_capacity: every result needs a 'params' entry (model size)")
    if not isinstance(metric, str) or not metric:
        raise ValueError(f"plot_capacity: metric must be a name such as 'error' or 'loss', got {metric!r}")
    if threshold is not None and (isinstance(threshold, bool) or not isinstance(threshold, Real) or not threshold > 0):
        raise ValueError(f"plot_capacity: threshold must be a positive number of parameters, got {threshold!r}")
    train_key, test_key = f"train_{metric}", f"test_{metric}"
    keys = [k for k in (train_key, test_key) if all(k in r for r in results)]
    if not keys:
        raise ValueError(f"plot_capacity: results need {train_key!r} and / or {test_key!r} in every entry")
    order = sorted(range(len(results)), key=lambda i: float(results[i]["params"]))
    params = _floats([results[i]["params"] for i in order], "plot_capacity: params")
    err = {k: _floats([results[i][k] for i in order], f"plot_capacity: {k}") for k in keys}
    if log_x and (params <= 0).any():
        raise ValueError("plot_capacity: params must be positive on a log x axis (pass log_x=False)")
    fig, ax = figure(size=(7.2, 4.6)) if ax is None else (ax.figure, ax)
    if log_x:
        ax.set_xscale("log")
        left, right = params[0] / 1.6, params[-1] * 1.6
    else:
        span = (params[-1] - params[0]) or 1.0
        left, right = params[0] - 0.05 * span, params[-1] + 0.05 * span
    ax.set_xlim(left, right)
    styles = {train_key: (f"train {metric}", "C0", "o"), test_key: (f"test {metric}", "C1", "s")}
    for k in keys:
        name, color, marker = styles[k]
        ax.plot(params, err[k], color=color, marker=marker, ms=4.5, lw=1.8, label=name, zorder=3)
    if threshold is not None:
        threshold = float(threshold)
    elif train_key in err:
        hit = np.flatnonzero(err[train_key] <= tol)
        threshold = float(params[hit[0]]) if hit.size else None
    before = params < threshold if threshold is not None else np.ones(len(params), bool)
    best = None
    if test_key in err and before.any() and np.isfinite(err[test_key][before]).any():
        best = float(params[before][int(np.nanargmin(err[test_key][before]))])
    bands = []
    if best is not None:
        bands += [(left, best, "#4c72b0", "under-fitting"), (best, threshold or right, "#dd8452", "over-fitting")]
    if threshold is not None:
        bands.append((threshold, right, "#55a868", "interpolating\nregime"))
    for a, b, color, text in bands:
        if b > a:
            ax.axvspan(a, b, color=color, alpha=0.07, lw=0, zorder=0)
            mid = math.sqrt(a * b) if log_x else (a + b) / 2
            width = (math.log(b / a) / math.log(right / left)) if log_x else (b - a) / (right - left)
            narrow = width < 0.14  # a narrow band gets its name upright along the band
            if width < 0.04:  # too narrow to carry a name without covering the threshold's mark
                continue
            ax.text(mid, 0.97, text.replace("\n", " ") if narrow else text, transform=ax.get_xaxis_transform(),
                    ha="center", va="top", fontsize=9, style="italic", color="#555555", rotation=90 if narrow else 0)
    if threshold is not None:
        line = ax.axvline(threshold, color="#333333", ls="--", lw=1.4, label="interpolation threshold", zorder=2)
        line.set_gid("interpolation-threshold")
        ax.annotate(f"{threshold:,.0f} params", (threshold, 0.80), xycoords=ax.get_xaxis_transform(),
                    xytext=(4, 0), textcoords="offset points", fontsize=8, color="#333333")
    ax.set_xlabel(f"model size (number of parameters, {'log' if log_x else 'linear'} scale)")
    ax.set_ylabel(metric if ylabel is None else ylabel)
    ax.set_ylim(bottom=min(0.0, *(np.nanmin(v) for v in err.values())))
    top = max(np.nanmax(v) for v in err.values())
    ax.set_ylim(top=top * 1.22 if top > 0 else 1.0)
    ax.set_title(title if title is not None else f"Model capacity: train and test {metric} against model size")
    ax.legend(loc="best")  # where it covers the fewest points
    return fig
