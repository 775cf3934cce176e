"""Lecture plots as matplotlib Figures: decision regions of a 2-D classifier, the activation table with autograd's
derivatives, and softmax-regression weights as images; training curves and model capacity in ``viz.plots_training``
(re-exported here).

Every function returns a ``matplotlib.figure.Figure`` (new ones come from ``viz.figures.figure``, in viz's style and
not held by pyplot); where ``ax`` is given it draws into it and returns ``ax.figure``. Save with
``viz.figures.save(fig, "path/name")`` (PNG + SVG).
"""
from __future__ import annotations

import math
from typing import Any, Callable, Mapping, Sequence

import matplotlib
import numpy as np
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

import autograd

from .figures import figure
from .heat import recording
from .plots_training import plot_capacity, plot_history

__all__ = ["decision_boundary", "plot_activations", "plot_weight_images", "plot_history", "plot_capacity"]

BOUNDARY = "#2b2b2b"


def _numpy(a: Any) -> np.ndarray:
    """A NumPy array from an array, a list or a (possibly grad-requiring) Tensor."""
    if isinstance(a, autograd.Tensor):
        return a.detach().numpy()
    return np.asarray(a)


def class_colors(n: int) -> np.ndarray:
    """``n`` qualitative RGB colours (tab10, tab20 beyond 10, evenly spaced hues beyond 20)."""
    if n <= 10:
        return np.asarray(matplotlib.colormaps["tab10"].colors)[:n]
    if n <= 20:
        return np.asarray(matplotlib.colormaps["tab20"].colors)[:n]
    return matplotlib.colormaps["hsv"](np.linspace(0, 1, n, endpoint=False))[:, :3]


def _lighten(rgb: np.ndarray, amount: float = 0.72) -> np.ndarray:
    """Mix colours with white (``amount`` of white): the light region fills under darker points."""
    return rgb + (1.0 - rgb) * amount


def _predict_all(predict: Callable[[np.ndarray], Any], points: np.ndarray, y: np.ndarray,
                 chunk: int) -> np.ndarray:
    """Labels for ``points`` from ``predict``, called on chunks of at most ``chunk`` rows.

    (M, C) scores → argmax; (M, 1) or non-integer (M,) scores → 1 above the threshold (0.5 when every score lies in
    [0, 1], else 0); integer-valued (M,) → labels as given. Argmax / threshold indices become y's sorted distinct
    labels when y has exactly that many (so scores work with labels such as −1/+1)."""
    parts, kinds = [], set()
    with autograd.no_grad():
        for start in range(0, len(points), chunk):
            block = points[start:start + chunk]
            out = _numpy(predict(block))
            if out.ndim == 0 or out.shape[0] != len(block) or out.ndim > 2:
                raise ValueError(f"decision_boundary: predict returned shape {out.shape} for {len(block)} points; "
                                 "expected labels (M,) or class scores (M, C)")
            if out.ndim == 2 and out.shape[1] > 1:
                kinds.add(("scores", out.shape[1]))
                parts.append(np.argmax(out, axis=1))
            else:
                kinds.add(("column" if out.ndim == 2 else "flat", 1))
                parts.append(out.reshape(-1))
    if len(kinds) != 1:
        raise ValueError(f"decision_boundary: predict returned different kinds of output across chunks: {kinds}")
    (kind, n_out), = kinds
    raw = np.concatenate(parts)
    if kind == "flat" and raw.dtype.kind == "f" and np.all(np.isfinite(raw)) and np.all(raw == np.round(raw)):
        raw = raw.astype(np.int64)  # integer-valued floats are labels
    if kind == "flat" and raw.dtype.kind != "f":
        return raw  # labels (ints, bools, strings)
    if kind != "scores":
        raw = raw.astype(np.float64)
        threshold = 0.5 if raw.min() >= 0.0 and raw.max() <= 1.0 else 0.0
        raw, n_out = (raw > threshold).astype(np.int64), 2
    labels = np.unique(y)
    return labels[raw] if len(labels) == n_out else raw


def decision_boundary(predict: Callable[[np.ndarray], Any], X: Any, y: Any, ax: Any = None, *, resolution: int = 300,
                      title: str | None = None, padding: float = 0.5, classes: Sequence[str] | Mapping | None = None,
                      axis_labels: tuple[str, str] = ("feature $x_1$", "feature $x_2$"), show_accuracy: bool = True,
                      chunk_size: int = 16384) -> Figure:
    """Decision regions of a classifier on 2-D data: light class regions, the boundaries between them, the points.

    ``predict`` receives an (M, 2) float64 NumPy array (a grid over the data's box widened by ``padding``, then the
    points themselves) in chunks of at most ``chunk_size`` rows, under ``autograd.no_grad()``, and returns labels (M,)
    or class scores / probabilities (M, C) (→ argmax), as NumPy arrays, lists or Tensors. A single score column (or
    non-integer (M,) scores) is thresholded at 0.5 when all scores lie in [0, 1] (probabilities), else at 0 (logits).
    Score column i stands for y's i-th smallest label when y has exactly C distinct labels, else for label i.

    ``classes``: display names, a sequence in the order of the sorted labels or a dict label → name (default
    "class <label>"). The image ``ax.images[0]`` holds the grid's class indices (positions in the sorted labels of
    y and the predictions), rows going up in x₂, columns in x₁, over ``get_extent()``. The title gets a second line
    with the accuracy of ``predict`` on the plotted points unless ``show_accuracy=False``.
    """
    X, y = _numpy(X), _numpy(y).reshape(-1)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"decision_boundary: X must have shape (N, 2), got {X.shape}")
    if len(X) == 0 or len(X) != len(y):
        raise ValueError(f"decision_boundary: X and y need the same number (> 0) of points, got {len(X)} and {len(y)}")
    if int(resolution) < 2:
        raise ValueError(f"decision_boundary: resolution must be at least 2, got {resolution}")
    X = X.astype(np.float64)
    res = int(resolution)
    lo, hi = X.min(axis=0) - padding, X.max(axis=0) + padding
    hi = np.where(hi > lo, hi, lo + 1.0)
    gx, gy = np.linspace(lo[0], hi[0], res), np.linspace(lo[1], hi[1], res)
    xx, yy = np.meshgrid(gx, gy)
    points = np.concatenate([np.column_stack([xx.ravel(), yy.ravel()]), X])
    pred = _predict_all(predict, points, y, max(1, int(chunk_size)))
    pred_grid, pred_X = pred[:res * res], pred[res * res:]
    labels = np.unique(np.concatenate([y, pred_grid]))
    idx = np.searchsorted(labels, pred_grid).reshape(res, res)
    n = len(labels)
    dark = class_colors(n)
    names = [(classes.get(lab, f"class {lab}") if isinstance(classes, Mapping)
              else str(classes[i]) if classes is not None and i < len(classes) else f"class {lab}")
             for i, lab in enumerate(labels)]

    fig, ax = (figure(size=(6.4, 5.2)) if ax is None else (ax.figure, ax))
    dx, dy = gx[1] - gx[0], gy[1] - gy[0]
    image = ax.imshow(idx, origin="lower", extent=(gx[0] - dx / 2, gx[-1] + dx / 2, gy[0] - dy / 2, gy[-1] + dy / 2),
                      cmap=ListedColormap(_lighten(dark)), vmin=-0.5, vmax=n - 0.5, interpolation="nearest",
                      aspect="auto", zorder=0)
    image.set_gid("decision-regions")
    present = np.unique(idx)
    for k in present[:-1]:  # every boundary borders at least one class other than the last one present
        ax.contour(xx, yy, (idx == k).astype(float), levels=[0.5], colors=BOUNDARY, linewidths=1.2, zorder=1)
    size = float(np.clip(3000.0 / len(X), 14.0, 48.0))
    handles = []
    for k, lab in enumerate(labels):
        mask = y == lab
        if mask.any():
            handles.append(ax.scatter(X[mask, 0], X[mask, 1], s=size, color=dark[k], edgecolors="#1a1a1a",
                                      linewidths=0.7, label=names[k], zorder=3))
        else:
            handles.append(Patch(facecolor=_lighten(dark[k]), edgecolor=dark[k], label=f"{names[k]} (region)"))
    if len(present) > 1:
        handles.append(Line2D([], [], color=BOUNDARY, lw=1.2, label="decision boundary"))
    ax.legend(handles=handles, loc="best", framealpha=0.85)
    ax.set_xlim(lo[0], hi[0])
    ax.set_ylim(lo[1], hi[1])
    ax.grid(False)
    ax.set_xlabel(axis_labels[0])
    ax.set_ylabel(axis_labels[1])
    text = title if title is not None else "Decision regions"
    if show_accuracy:
        text += f"\naccuracy on these {len(X)} points: {np.mean(pred_X == y):.1%}"
    ax.set_title(text)
    return fig


def _activation_module(name: str) -> Any:
    import nn
    if name not in nn.ACTIVATIONS:
        raise ValueError(f"activation_curve: unknown activation {name!r}; nn.ACTIVATIONS has "
                         f"{', '.join(nn.ACTIVATIONS)}")
    cls = nn.ACTIVATIONS[name]
    return cls(dim=-1) if issubclass(cls, nn.Softmax) else cls()


def activation_curve(name: str, z: Any) -> tuple[np.ndarray, np.ndarray]:
    """f(z) and f′(z) of ``nn.ACTIVATIONS[name]`` on the points ``z`` (float64), f′ by ``autograd.grad`` of the sum of
    the outputs (each output depends on its own z only). Softmax and LogSoftmax act on a vector, so they are drawn in
    the lecture's two-class view: the first output of softmax([z, 0]) (which is σ(z)) and of log_softmax([z, 0])."""
    module = _activation_module(name)
    zt = autograd.Tensor(np.asarray(z, dtype=np.float64).reshape(-1), requires_grad=True)
    with recording(False):
        if name in ("softmax", "log_softmax"):
            out = module(autograd.stack([zt, autograd.zeros_like(zt)], dim=-1))[..., 0]
        else:
            out = module(zt)
        if out.requires_grad:
            (g,) = autograd.grad(out.sum(), zt, allow_unused=True, materialize_grads=True)
            deriv = g.detach().numpy()
        else:
            deriv = np.zeros(zt.shape)
    return out.detach().numpy().astype(np.float64), np.asarray(deriv, dtype=np.float64)


def _broken(z: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The curve with NaN gaps at its jumps (so a step is not drawn as a steep line) and the mask of points left
    alone between two jumps. A jump: a change between neighbours above 5 % of the curve's range and above 20 times
    the median change."""
    if len(v) < 3:
        return z, v, np.zeros(len(v), bool)
    step = np.abs(np.diff(v))
    jump = (step > 0.05 * (np.ptp(v) or 1.0)) & (step > 20 * np.median(step))
    cut = np.flatnonzero(jump) + 1
    left = np.concatenate([[True], jump])
    right = np.concatenate([jump, [True]])
    return np.insert(z, cut, np.nan), np.insert(v, cut, np.nan), left & right


def plot_activations(names: Sequence[str] | None = None, *, x: Any = None, ncols: int = 4) -> Figure:
    """The lecture's activation table (``nn.ACTIVATIONS``), one small panel per row: f(z) and its derivative f′(z).

    f′ is what autograd computes (``autograd.grad`` of the summed outputs w.r.t. z), not a formula: at points where f
    is not differentiable (ReLU, leaky ReLU, PReLU at 0; the ramps at their corners; the steps at 0) the curve shows
    the one-sided value autograd picks there (curves are broken at jumps; a value alone between two jumps, such as
    H(0) = ½, is a dot), and the steps (Heaviside, sign) have derivative 0 everywhere, which is
    why a perceptron with them cannot learn by gradient descent. Softmax and LogSoftmax are drawn in the two-class
    view (first output for the logits [z, 0]). ``names`` picks rows by their table names (an unknown name raises
    ValueError listing the known ones); ``x`` replaces the default z grid, 801 points over [−4, 4] (z = 0 included).
    """
    import nn
    known = list(nn.ACTIVATIONS)
    chosen = known if names is None else ([names] if isinstance(names, str) else list(names))
    unknown = [n for n in chosen if n not in nn.ACTIVATIONS]
    if unknown:
        raise ValueError(f"plot_activations: unknown activation(s) {unknown}; known: {', '.join(known)}")
    if not chosen:
        raise ValueError(f"plot_activations: no activation chosen; known: {', '.join(known)}")
    z = np.linspace(-4.0, 4.0, 801) if x is None else np.sort(np.asarray(x, dtype=np.float64).reshape(-1))
    ncols = max(1, min(int(ncols), len(chosen)))
    nrows = math.ceil(len(chosen) / ncols)
    fig, axes = figure(nrows, ncols, size=(3.3 * ncols, 2.7 * nrows + 0.7), squeeze=False)
    flat = axes.ravel()
    for ax, name in zip(flat, chosen):
        f, df = activation_curve(name, z)
        ax.axhline(0.0, color="#999999", lw=0.7, zorder=0)
        ax.axvline(0.0, color="#999999", lw=0.7, zorder=0)
        for values, color, ls, label in ((f, "C0", "-", "f(z)"), (df, "C3", "--", "f′(z)")):
            zs, vs, lone = _broken(z, values)
            ax.plot(zs, vs, color=color, lw=2.0 if ls == "-" else 1.6, ls=ls, label=label)
            if lone.any():  # a value alone between two jumps, e.g. H(0) = ½
                ax.plot(z[lone], values[lone], "o", color=color, ms=4, label="_nolegend_")
        ax.set_title(name)
        ax.set_xlabel("z (logits [z, 0], first output)" if name in ("softmax", "log_softmax") else "z")
        lo, hi = min(f.min(), df.min()), max(f.max(), df.max())
        pad = 0.08 * (hi - lo) if hi > lo else 0.5
        ax.set_ylim(lo - pad, hi + pad)
    for ax in flat[:len(chosen)].reshape(-1)[::ncols]:
        ax.set_ylabel("f(z), f′(z)")
    for ax in flat[len(chosen):]:
        ax.remove()
    sep = " " if ncols >= 3 else "\n"
    fig.suptitle(f"Activation functions f and their derivatives f′{sep}(computed by autograd)", fontsize=13)
    curves = [ln for ln in flat[0].lines if ln.get_label() in ("f(z)", "f′(z)")]
    fig.legend(handles=curves, loc="outside lower center", ncols=2, frameon=False)
    return fig


def plot_weight_images(weight: Any, image_shape: Sequence[int], *, classes: Sequence[str] | None = None,
                       ncols: int = 5) -> Figure:
    """Softmax-regression weights as one image per class, on one diverging colour scale symmetric around 0.

    ``weight`` (array or Tensor) is (C, H·W) — nn.Linear's layout, one row per class — or (H·W, C) — the lecture's
    W ∈ R^{784×10}, one column per class: the layout is found from ``image_shape`` = (H, W), and a square (H·W, H·W)
    matrix is read as nn.Linear's. Blue is negative (evidence against the class), red positive; ``classes`` names the
    panels (default "0", "1", ...).
    """
    w = _numpy(weight).astype(np.float64)
    shape = tuple(int(s) for s in image_shape)
    pixels = math.prod(shape)
    if len(shape) != 2:
        raise ValueError(f"plot_weight_images: image_shape must be (H, W), got {tuple(image_shape)}")
    if w.ndim != 2 or pixels not in w.shape:
        raise ValueError(f"plot_weight_images: weight of shape {w.shape} does not fit images of shape {shape} "
                         f"({pixels} pixels): expected (C, {pixels}) or ({pixels}, C)")
    if w.shape[1] != pixels:
        w = w.T
    n = w.shape[0]
    names = [str(c) for c in classes] if classes is not None else [str(i) for i in range(n)]
    if len(names) != n:
        raise ValueError(f"plot_weight_images: {len(names)} class names for {n} classes")
    scale = float(np.abs(w).max()) or 1.0
    ncols = max(1, min(int(ncols), n))
    nrows = math.ceil(n / ncols)
    aspect = shape[0] / shape[1]
    fig, axes = figure(nrows, ncols, size=(1.9 * ncols + 1.3, 1.9 * aspect * nrows + 0.9), squeeze=False)
    flat = axes.ravel()
    image = None
    for ax, row, name in zip(flat, w, names):
        image = ax.imshow(row.reshape(shape), cmap="RdBu_r", vmin=-scale, vmax=scale, interpolation="nearest")
        ax.set_title(name)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.grid(False)
        for spine in ax.spines.values():
            spine.set_visible(True)
            spine.set_color("#bbbbbb")
    for ax in flat[n:]:
        ax.remove()
    bar = fig.colorbar(image, ax=list(flat[:n]), shrink=0.85, pad=0.02)
    bar.set_label("weight (blue < 0 < red)")
    fig.suptitle(f"Softmax-regression weights per class ({shape[0]}×{shape[1]} pixels, shared scale ±{scale:.3g})",
                 fontsize=13)
    return fig
