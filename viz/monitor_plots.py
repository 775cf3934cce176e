"""Plots of a gradient-monitor history (``viz.GradientMonitor``): which layers learn, which starve, and where the
back-propagated signal shrinks or grows. A history is plain data: ``layers`` in network order (input side first),
``steps``, ``stats[name][record][layer]`` (float; None / NaN = not measured). Each function takes the history first
and returns a Figure (with ``ax=``: draws there, returns ``ax.figure``): ``plot_heatmap`` (layers × steps, log colour),
``plot_lines`` (a line per layer), ``plot_bars`` (mean / max |∂L/∂w| at one record), ``plot_gain`` (per-layer gain and
the signal left at each layer), ``compare`` (heatmaps of several histories on one colour scale). Wherever layers lie
on an axis, the input layer is at the bottom.
"""
from __future__ import annotations

import math
from typing import Any, Mapping, Sequence

import matplotlib as mpl
import numpy as np
from matplotlib.axes import Axes
from matplotlib.cm import ScalarMappable
from matplotlib.colors import ListedColormap, LogNorm, Normalize
from matplotlib.figure import Figure
from matplotlib.image import NonUniformImage
from matplotlib.lines import Line2D
from matplotlib.ticker import FixedLocator, FuncFormatter, MaxNLocator, NullFormatter

from .figures import figure

STATS: dict[str, str] = {  # stat -> what it is, with its units: the colour bar / axis label
    "grad_norm": "gradient norm ‖∂L/∂w‖₂", "grad_mean_abs": "mean |∂L/∂w|", "grad_max_abs": "max |∂L/∂w|",
    "weight_norm": "weight norm ‖w‖₂", "update_ratio": "update ratio ‖Δw‖₂ / ‖w‖₂ per step",
    "gain": "gain ‖∂L/∂in‖₂ / ‖∂L/∂out‖₂", "signal_norm": "back-propagated signal ‖∂L/∂out‖₂",
    "dead_frac": "dead units (fraction, 0–1)", "saturated_frac": "saturated units (fraction, 0–1)",
    "out_mean": "output mean", "out_std": "output standard deviation"}
LINEAR = frozenset({"dead_frac", "saturated_frac", "out_mean"})  # 0 and negatives mean something: linear scale
GREY = "#c4c4c4"  # not measured (None / NaN), or not positive on a log scale
ROLE_COLOURS = {"param": "#1f77b4", "activation": "#e6760a"}
_CMAPS = {"gain": "RdBu_r", "out_mean": "RdBu_r"}  # diverging around 1 (gain: blue shrinks, red grows) and 0


def _check(history: Mapping[str, Any], stat: str | None = None) -> None:
    if not isinstance(history, Mapping) or not {"layers", "steps", "stats"} <= history.keys():
        raise ValueError("expected a GradientMonitor history: a dict with 'layers', 'steps' and 'stats'")
    if history.get("version", 1) != 1:
        raise ValueError(f"history version {history.get('version')!r} is not supported (this code reads version 1)")
    if not history["steps"]:
        raise ValueError("the history is empty: nothing was recorded (no monitored optimizer step yet)")
    if stat is not None and stat not in STATS:
        raise ValueError(f"unknown stat {stat!r}; known stats: {', '.join(STATS)}")
    if stat is not None and stat not in history["stats"]:
        raise ValueError(f"this history has no {stat!r}; it records: {', '.join(history['stats'])}")


def _rows(history: Mapping[str, Any], role: str | None) -> list[int]:
    """Indices of the layers with ``role`` (None: every layer), input side first."""
    rows = [i for i, layer in enumerate(history["layers"]) if role is None or layer.get("role") == role]
    if not rows:
        roles = ", ".join(sorted({str(layer.get("role")) for layer in history["layers"]})) or "none"
        raise ValueError(f"no layer has role {role!r} (roles here: {roles}; role=None takes every layer)")
    return rows


def _matrix(history: Mapping[str, Any], stat: str, rows: Sequence[int]) -> np.ndarray:
    """``stat`` as floats, layers × records (NaN = not measured)."""
    records = history["stats"][stat]  # None -> NaN
    return np.array([[rec[i] for rec in records] for i in rows], dtype=float).reshape(len(rows), len(records))


def _ok(a: np.ndarray, stat: str = "") -> np.ndarray:
    """Where ``a`` can be drawn: finite, and positive on a log scale."""
    return np.isfinite(a) & ((np.where(np.isfinite(a), a, 1.0) > 0) | (stat in LINEAR))


def _record(history: Mapping[str, Any], step: int) -> tuple[int, str]:
    """(record index, title text) for ``step``: negative = a record counted from the end (-1: the last one), else
    the optimizer step (the nearest recorded one when that step was not recorded)."""
    steps = history["steps"]
    if step < 0:
        if -step > len(steps):
            raise ValueError(f"step={step}: the history has only {len(steps)} records")
        return len(steps) + step, f"step {steps[step]}"
    i = int(np.argmin([abs(s - step) for s in steps]))
    return i, f"step {steps[i]}" + ("" if steps[i] == step else f" (the record nearest step {step})")


def label(history: Mapping[str, Any], i: int) -> str:
    """The tick label of layer ``i``: 'name (Kind)'."""
    layer = history["layers"][i]
    return f"{layer.get('name', i)} ({layer.get('kind', '?')})"


def _title(stat: str, tail: str) -> str:
    return f"{STATS[stat][0].upper()}{STATS[stat][1:]} {tail}"


def auto_norm(stat: str, arrays: Sequence[np.ndarray]) -> Normalize:
    """One colour scale over all ``arrays``: a LogNorm over their finite positive values (centred on 1 for the
    gain); linear for fractions (0–1) and symmetric around 0 for the output mean."""
    vals = np.concatenate([np.ravel(a) for a in arrays] + [np.zeros(0)])
    vals = vals[np.isfinite(vals)]
    if stat in ("dead_frac", "saturated_frac"):
        return Normalize(0.0, 1.0)
    if stat == "out_mean":
        m = float(np.max(np.abs(vals), initial=0.0)) or 1.0
        return Normalize(-m, m)
    vals = vals[vals > 0]
    lo, hi = (float(vals.min()), float(vals.max())) if vals.size else (1e-3, 1.0)
    if stat == "gain":  # white = no change, blue = shrinks, red = grows
        m = max(hi, 1 / lo, 1.25)
        return LogNorm(1 / m, m)
    return LogNorm(lo / 3, hi * 3) if lo == hi else LogNorm(lo, hi)


def _log_ticks(axis: Any, lo: float, hi: float) -> None:
    """Under 2.5 decades, plain numbers (0.02, 0.05, 0.1, 0.2) instead of a few crowded 'a×10ⁿ' minor labels."""
    if not 0 < lo < hi <= 300 * lo:
        return
    decades = 10.0 ** np.arange(math.floor(math.log10(lo)), math.ceil(math.log10(hi)) + 1)
    for mantissas in ((1, 2, 5), (1, 1.5, 2, 3, 5, 7), (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8), np.arange(1, 10, 0.1)):
        ticks = [t for t in np.outer(decades, mantissas).ravel() if lo <= t <= hi]
        if len(ticks) >= 3:
            break
    axis.set_major_locator(FixedLocator(ticks[::math.ceil(len(ticks) / 7)]))
    axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.3g}"))
    axis.set_minor_formatter(NullFormatter())


def _layer_ticks(ax: Axes, history: Mapping[str, Any], rows: Sequence[int], *, labels: bool = True) -> None:
    ticks = list(range(0, len(rows), math.ceil(len(rows) / 30)))  # at most 30 labels: readable for a deep network
    ax.set_yticks(ticks, [label(history, rows[t]) for t in ticks] if labels else [])
    ax.set_ylim(-0.5, len(rows) - 0.5)  # row 0 (the input layer) at the bottom
    ax.grid(False, axis="y")
    if labels:
        ax.set_ylabel("layer (input at the bottom)")


def _steps_axis(ax: Axes, history: Mapping[str, Any]) -> None:
    steps = history["steps"]  # one record: its step is the only tick
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, steps=[1, 2, 2.5, 5, 10]) if len(steps) > 1
                               else FixedLocator(steps))
    every = history.get("every", 1) or 1
    ax.set_xlabel("optimizer step" + (f" (one record every {every} steps)" if every > 1 else ""))


def _heat(ax: Axes, history: Mapping[str, Any], stat: str, rows: Sequence[int], norm: Normalize,
          *, labels: bool = True) -> Any:
    """The layers × steps image of one history on ``ax``; returns the image."""
    a = _matrix(history, stat, rows)
    data = np.ma.masked_array(a, mask=~_ok(a, stat))
    steps = np.asarray(history["steps"], dtype=float)
    cmap = mpl.colormaps[_CMAPS.get(stat, "viridis")].with_extremes(bad=GREY)
    gaps = np.diff(steps) if len(steps) > 1 else np.array([float(history.get("every", 1) or 1)])
    extent = (steps[0] - gaps[0] / 2, steps[-1] + gaps[-1] / 2, -0.5, len(rows) - 0.5)
    if gaps[0] > 0 and np.allclose(gaps, gaps[0]):  # evenly spaced records: one pixel each
        img = ax.imshow(data, origin="lower", aspect="auto", interpolation="nearest", cmap=cmap, norm=norm,
                        extent=extent)
    else:  # uneven spacing (e.g. a last record off the grid): each pixel spans half-way to its neighbours
        img = NonUniformImage(ax, interpolation="nearest", cmap=cmap, norm=norm, extent=extent)
        img.set_data(steps, np.arange(len(rows), dtype=float), data)
        ax.add_image(img)
        ax.set_xlim(extent[:2])
    ax.grid(False)
    _steps_axis(ax, history)
    _layer_ticks(ax, history, rows, labels=labels)
    if data.mask.all():
        ax.text(0.5, 0.5, "not measured", transform=ax.transAxes, ha="center", va="center", color="0.2")
    return img


def _colorbar(fig: Figure, img: Any, axes: Any, stat: str, norm: Normalize) -> None:
    cb = fig.colorbar(img, ax=axes, label=f"{STATS[stat]} ({'log' if isinstance(norm, LogNorm) else 'linear'} scale)")
    if isinstance(norm, LogNorm):
        _log_ticks(cb.ax.yaxis, norm.vmin, norm.vmax)


def _size(nrows: int, width: float) -> tuple[float, float]:
    return width, max(3.4, 1.7 + 0.28 * nrows)


def plot_heatmap(history: Mapping[str, Any], stat: str = "grad_norm", ax: Axes | None = None, *,
                 role: str | None = "param", norm: Normalize | None = None) -> Figure:
    """Layers × recorded steps coloured by ``stat`` on a log scale (``norm``: impose a scale, e.g. to match
    another plot); rows are the layers of ``role`` ("param", "activation", None: all), the input at the bottom."""
    _check(history, stat)
    rows = _rows(history, role)
    ax = figure(size=_size(len(rows), 8.0))[1] if ax is None else ax
    norm = norm or auto_norm(stat, [_matrix(history, stat, rows)])
    _colorbar(ax.figure, _heat(ax, history, stat, rows, norm), ax, stat, norm)
    ax.set_title(_title(stat, "per layer over training"))
    return ax.figure


def plot_lines(history: Mapping[str, Any], stat: str = "grad_norm", ax: Axes | None = None, *,
               role: str | None = "param") -> Figure:
    """One line per layer over the recorded steps (log y), from the input layer (dark) to the output layer
    (light); a legend names the layers (a colour bar naming the first and last when there are more than 12)."""
    _check(history, stat)
    rows = _rows(history, role)
    rows = [r for r, v in zip(rows, _ok(_matrix(history, stat, rows), stat)) if v.any()]  # layers with a line
    if not rows:
        raise ValueError(f"{stat!r} was not measured for any layer with role {role!r}: no line to draw")
    ax = figure(size=(8.0, 4.2))[1] if ax is None else ax
    steps, a = np.asarray(history["steps"], dtype=float), _matrix(history, stat, rows)
    data = np.where(_ok(a, stat), a, np.nan)
    colours = mpl.colormaps["viridis"](np.linspace(0.0, 0.85, len(rows)))  # short of yellow: visible on white
    for r, (i, colour) in enumerate(zip(rows, colours)):
        ax.plot(steps, data[r], color=colour, lw=1.8, marker="o" if len(steps) <= 30 else None, ms=3.5,
                label=label(history, i))
    if stat not in LINEAR:
        ax.set_yscale("log")
        _log_ticks(ax.yaxis, np.nanmin(data), np.nanmax(data))
    ax.set_ylabel(f"{STATS[stat]} ({'linear' if stat in LINEAR else 'log'} scale)")
    _steps_axis(ax, history)
    ax.set_title(_title(stat, "per layer over training"))
    if len(rows) <= 12:
        handles, labels = ax.get_legend_handles_labels()  # output layer on top, as in the other plots
        ax.legend(handles[::-1], labels[::-1], title="layer (output ↑, input ↓)", loc="upper left",
                  bbox_to_anchor=(1.01, 1.0), frameon=False)
    else:
        sm = ScalarMappable(norm=Normalize(-0.5, len(rows) - 0.5), cmap=ListedColormap(colours))
        cb = ax.figure.colorbar(sm, ax=ax, label="layer (network order)")
        cb.set_ticks([0, len(rows) - 1], labels=[f"input: {label(history, rows[0])}",
                                                 f"output: {label(history, rows[-1])}"])
    return ax.figure


def _log_limits(*arrays: np.ndarray, extra: Sequence[float] = (), right: float = 0.0) -> tuple[float, float]:
    """x limits around the positive values, padded in decades (``right``: more room for value labels)."""
    vals = np.concatenate([np.ravel(a) for a in arrays] + [np.asarray(extra, dtype=float)])
    vals = vals[_ok(vals)]
    lo, hi = (math.log10(vals.min()), math.log10(vals.max())) if vals.size else (-3.0, 0.0)
    pad = max(0.12, 0.06 * (hi - lo))
    return 10 ** (lo - pad), 10 ** (hi + pad + right * max(0.5, hi - lo))


def _note_missing(ax: Axes, values: np.ndarray, x: float) -> None:
    for y in np.flatnonzero(~_ok(values)):
        ax.text(x, y, " 0" if values[y] == 0 else " not measured", va="center", fontsize=8, color="0.35")


def plot_bars(history: Mapping[str, Any], step: int = -1, ax: Axes | None = None) -> Figure:
    """Mean and max |∂L/∂w| per parameter layer at one record (``step``: the optimizer step, or a negative record
    index, -1 = the last record): horizontal bars, input layer at the bottom, log x."""
    for stat in ("grad_mean_abs", "grad_max_abs"):
        _check(history, stat)
    rows = _rows(history, "param")
    i, when = _record(history, step)
    ax = figure(size=_size(len(rows), 8.0))[1] if ax is None else ax
    mean, peak = _matrix(history, "grad_mean_abs", rows)[:, i], _matrix(history, "grad_max_abs", rows)[:, i]
    lo, hi = _log_limits(mean, peak, right=0.2)
    y, h = np.arange(len(rows), dtype=float), 0.38
    for vals, dy, name, colour in ((mean, h / 2, "mean |∂L/∂w|", "#1f77b4"), (peak, -h / 2, "max |∂L/∂w|", "#ff7f0e")):
        ok = _ok(vals)
        ax.barh(y[ok] + dy, vals[ok] - lo, height=h, left=lo, color=colour, label=name)  # each bar ends at its value
        for yy, v in zip(y[ok] + dy, vals[ok]) if len(rows) <= 16 else ():
            ax.text(v * 1.06, yy, f"{v:.2g}", va="center", fontsize=7.5, color="0.25")
    _note_missing(ax, np.where(_ok(mean), mean, peak), lo)
    ax.set_xscale("log")
    ax.set_xlim(lo, hi)
    _log_ticks(ax.xaxis, lo, hi)
    _layer_ticks(ax, history, rows)
    ax.set_xlabel("|∂L/∂w| per parameter (log scale)")
    ax.set_title(f"Gradient magnitude per layer at {when}")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    return ax.figure


def cumulative_gain(history: Mapping[str, Any], step: int = -1) -> list[float | None]:
    """Per layer (network order): the product of the gains of that layer and of every layer after it, i.e. how much
    the back-propagated signal has shrunk (< 1) or grown (> 1) from the output to that layer's input. None where a
    gain on the way was not measured."""
    _check(history, "gain")
    out: list[float | None] = []
    total: float | None = 1.0
    for g in np.array(history["stats"]["gain"][_record(history, step)[0]], dtype=float)[::-1]:
        total = total * float(g) if total is not None and math.isfinite(g) else None
        out.append(total)
    return out[::-1]


def _lollipops(ax: Axes, history: Mapping[str, Any], rows: Sequence[int], values: np.ndarray, fmt: str) -> None:
    """A stem from 1 (no change) to each value, coloured by the layer's role; log x."""
    y, ok = np.arange(len(rows), dtype=float), _ok(values)
    colours = [ROLE_COLOURS.get(history["layers"][r].get("role"), "0.4") for r, k in zip(rows, ok) if k]
    ax.hlines(y[ok], 1.0, values[ok], colors=colours, lw=2.2)
    ax.scatter(values[ok], y[ok], c=colours, s=36, zorder=3)
    ax.axvline(1.0, color="0.3", ls="--", lw=1.1, label="no change (gain 1)")
    lo, hi = _log_limits(values, extra=(1.0,))
    for yy, v in zip(y[ok], values[ok]) if len(rows) <= 16 else ():
        ax.annotate(fmt.format(v), (v, yy), xytext=(0, 6), textcoords="offset points", ha="center", fontsize=7.5,
                    color="0.25")
    _note_missing(ax, values, lo)
    ax.set_xscale("log")
    ax.set_xlim(lo, hi)
    _log_ticks(ax.xaxis, lo, hi)


def plot_gain(history: Mapping[str, Any], step: int = -1, ax: Axes | Sequence[Axes] | None = None, *,
              role: str | None = None) -> Figure:
    """Each layer's gain ‖∂L/∂in‖ / ‖∂L/∂out‖ at one record and, in a second panel, ``cumulative_gain`` (over the
    whole network, shown for the layers of ``role``). ``ax``: a pair of axes for both panels, or one axes for the
    per-layer gain alone. Input layer at the bottom."""
    _check(history, "gain")
    rows = _rows(history, role)
    i, when = _record(history, step)
    own, size = ax is None, _size(len(rows) + 1, 11.0)
    axes = list(figure(1, 2, size=size, sharey=True)[1]) if own else [ax] if isinstance(ax, Axes) else list(ax)
    fig = axes[0].figure
    _lollipops(axes[0], history, rows, _matrix(history, "gain", rows)[:, i], "{:.2g}")
    _layer_ticks(axes[0], history, rows)
    axes[0].set_xlabel("gain ‖∂L/∂in‖₂ / ‖∂L/∂out‖₂ (log scale)")
    axes[0].set_title("Gain of each layer" + ("" if len(axes) > 1 else f" at {when}"))
    if len(axes) > 1:
        cum = np.array(cumulative_gain(history, step), dtype=float)[rows]
        _lollipops(axes[1], history, rows, cum, "×{:.2g}")
        if not own:
            _layer_ticks(axes[1], history, rows, labels=False)
        axes[1].tick_params(labelleft=False)
        axes[1].set_xlabel("product of the gains from the output down to this layer (log scale)")
        axes[1].set_title("Signal left at each layer (output = 1)")
        fig.suptitle(f"Back-propagated signal at {when}: below 1 it shrinks, above 1 it grows")
    roles = [r for r in ROLE_COLOURS if any(history["layers"][k].get("role") == r for k in rows)]
    handles = [axes[0].get_lines()[-1]] + [Line2D([], [], color=ROLE_COLOURS[r], marker="o", lw=2.2,
                                                  label=f"{r} layer") for r in roles]
    if own:  # below both panels
        fig.legend(handles=handles, loc="outside lower center", ncols=len(handles), frameon=False)
    else:
        axes[0].legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    return fig


def compare(histories: Mapping[str, Mapping[str, Any]], stat: str = "grad_norm", *,
            role: str | None = "param") -> Figure:
    """One heatmap per history (titled by its key), side by side on ONE colour scale with one colour bar, so a dim
    panel means small values, not a different scale."""
    if not histories:
        raise ValueError("compare needs at least one history")
    for h in histories.values():
        _check(h, stat)
    rows = {name: _rows(h, role) for name, h in histories.items()}
    norm = auto_norm(stat, [_matrix(h, stat, rows[name]) for name, h in histories.items()])
    names = [[label(h, r) for r in rows[name]] for name, h in histories.items()]
    same = all(n == names[0] for n in names)  # the same layers: tick labels on the first panel only
    n = len(histories)
    fig, axes = figure(1, n, size=_size(max(map(len, names)), 4.2 * n + (2.6 if same else 1.0 + 1.6 * n)),
                       squeeze=False)
    for k, (ax, (name, h)) in enumerate(zip(axes[0], histories.items())):
        img = _heat(ax, h, stat, rows[name], norm, labels=not same or k == 0)
        ax.set_title(str(name))
    _colorbar(fig, img, list(axes[0]), stat, norm)  # one colour bar: every panel has the same norm
    fig.suptitle(_title(stat, "per layer, one colour scale for all panels"))
    return fig

