"""The optimizer race: the lecture's seven methods minimise one 2-D function from one start, drawn side by side.

    race = optimizer_race("rosenbrock", steps=200)
    race.plot(); race.plot_losses()  # contours with the seven paths; f(x, y) against the step
    race.animate("race.gif")        # the paths growing step by step
    race.page().save("race.html")   # one offline page: a slider and a play button move the markers

Each run makes ``x, y`` float64 0-d Tensors that require grad, hands ``[x, y]`` to its optimizer factory and repeats
``opt.zero_grad(); loss = fn(x, y); loss.backward(); opt.step()``: a trajectory is exactly what running that optimizer
by hand gives. A run whose loss or position turns non-finite stops there (its later rows are NaN) and is listed in
``Race.diverged``; the race goes on. Ctrl-C keeps what was computed: ``optimizer_race`` returns the race so far (cut to
the last step all methods finished, ``Race.interrupted`` True, a RuntimeWarning) instead of raising.
"""
from __future__ import annotations

import html
import math
import os
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

import numpy as np

import autograd
import optim

from .figures import figure, progress
from .heat import recording
from .page import HTMLPage, _json_for_script
from .surfaces import (SURFACES, Point, Surface, as_surface, draw_surface, evaluate, is_finite_point, still_backdrop,
                       surface_svg, window)
from .files import atomic_path

__all__ = ["optimizer_race", "Race", "default_optimizers", "METHODS", "DEFAULT_LRS", "GENERIC_LRS"]

METHODS = tuple(optim.LECTURE_METHODS)  # SGD, Momentum, NAG, Adagrad, Adadelta, RMSprop, Adam
# learning rates per built-in surface from its default start: tuned so that within 100-200 steps every method makes
# visible progress without diverging (and stays stable for 500+ steps, except on the saddle, which has no bottom).
# SGD, Momentum and NAG share one rate per surface (a fair comparison); the steep walls of Rosenbrock and Beale keep
# it small. Adam / RMSprop / Adagrad move about lr per coordinate on their first step, which bounds theirs.
DEFAULT_LRS: dict[str, dict[str, float]] = {
    "rosenbrock": dict(SGD=1e-3, Momentum=1e-3, NAG=1e-3, Adagrad=0.5, Adadelta=20.0, RMSprop=0.02, Adam=0.2),
    "beale": dict(SGD=3e-3, Momentum=3e-3, NAG=3e-3, Adagrad=0.5, Adadelta=10.0, RMSprop=0.02, Adam=0.1),
    "saddle": dict(SGD=5e-3, Momentum=5e-3, NAG=5e-3, Adagrad=0.05, Adadelta=0.1, RMSprop=5e-3, Adam=0.01),
    "himmelblau": dict(SGD=5e-3, Momentum=5e-3, NAG=5e-3, Adagrad=0.5, Adadelta=20.0, RMSprop=0.02, Adam=0.1),
}
# for a user function (anything that is not a built-in surface): modest steps for a function of unit scale
GENERIC_LRS: dict[str, float] = dict(SGD=0.01, Momentum=0.01, NAG=0.01, Adagrad=0.1, Adadelta=5.0, RMSprop=0.01,
                                     Adam=0.05)
COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#7f7f7f")
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "h", "<", ">")
STYLES = tuple(zip(COLORS, MARKERS))  # (colour, marker) of the i-th run: STYLES[i % len(STYLES)]
Factory = Callable[[list], optim.Optimizer]


def _factory(name: str, lr: float) -> Factory:
    return lambda params: optim.lecture_optimizer(name, params, lr)


def default_optimizers(surface: str | Surface | None = None) -> dict[str, Factory]:
    """The seven methods, label → ``factory(params) -> Optimizer``, with the learning rates of ``DEFAULT_LRS`` for a
    built-in surface (by name or object) and ``GENERIC_LRS`` otherwise. Momentum and NAG are SGD with momentum 0.9
    (NAG with ``nesterov=True``); every other setting is torch.optim's default."""
    if isinstance(surface, Surface):  # a user's function keeps the generic rates whatever its name
        builtin = SURFACES.get(surface.name)
        surface = surface.name if builtin is not None and builtin.fn is surface.fn else None
    lrs = DEFAULT_LRS.get(str(surface).lower(), GENERIC_LRS)
    return {m: _factory(m, lrs[m]) for m in METHODS}


@dataclass
class Race:
    """The outcome of :func:`optimizer_race`.

    ``trajectories[label]``: (steps + 1, 2) float64, row t the point after t steps (row 0 the start); ``losses[label]``:
    (steps + 1,), f at those points; ``diverged[label]``: the step at which that run's loss or position turned
    non-finite (its later rows are NaN); ``interrupted``: Ctrl-C stopped the race (the arrays hold the steps before).
    """

    surface: Surface
    trajectories: dict[str, np.ndarray]
    losses: dict[str, np.ndarray]
    diverged: dict[str, int] = field(default_factory=dict)
    steps: int = 0
    interrupted: bool = False

    @property
    def done(self) -> int:
        """The number of steps every run finished (``steps`` unless interrupted)."""
        return len(next(iter(self.losses.values()))) - 1

    def _legend(self, label: str) -> str:
        d = self.diverged.get(label)
        return f"{label}: f = {self.losses[label][-1]:.3g}" if d is None else f"{label}: diverged at step {d}"

    def _axes(self, ax: Any, size: tuple[float, float]) -> tuple[Any, Any, str]:
        """(figure, axes, "name: formula") with the surface drawn on the axes (a new figure when ``ax`` is None)."""
        if ax is None:
            _, ax = figure(size=size)
        ok = [t for k, t in self.trajectories.items() if k not in self.diverged] or list(self.trajectories.values())
        draw_surface(ax, self.surface, *window(self.surface, np.vstack(ok)))
        return ax.figure, ax, self.surface.name + (f": {self.surface.formula}" if self.surface.formula else "")

    def plot(self, ax: Any = None) -> Any:
        """The contour plot with every method's path (markers every tenth of the race, a cross where a diverged run
        left the plane), the start and the known minima, and a legend with each method's final loss."""
        own, (fig, ax, name) = ax is None, self._axes(ax, (9.5, 6.2))
        every, n = max(1, self.done // 10), len(self.trajectories)
        for i, (label, path) in enumerate(self.trajectories.items()):
            color, marker = STYLES[i % len(STYLES)]
            z = 5 + (n - i) / n  # the first method on top: SGD, the slow one, is otherwise buried under the rest
            ax.plot(path[:, 0], path[:, 1], "-" + marker, color=color, lw=1.6, ms=5.5, mec="k", mew=0.5, alpha=0.95,
                    markevery=every, zorder=z, label=self._legend(label))
            if label in self.diverged:
                ax.plot(*path[np.isfinite(path).all(axis=1)][-1], "x", color=color, ms=12, mew=2.5, zorder=z)
        x0, y0, cut = *self.surface.start, " (interrupted)" if self.interrupted else ""
        ax.set_title(f"Optimizer race on {name}\n{self.done} steps from ({x0:g}, {y0:g}){cut}")
        if own:  # our figure has room on the right; on a caller's axes the legend goes inside
            fig.legend(loc="outside right upper", frameon=False)
        else:
            ax.legend(fontsize=8, framealpha=0.85)
        return fig

    def plot_losses(self, ax: Any = None) -> Any:
        """f(x, y) against the step for every method, on a log scale (symlog when f goes negative)."""
        if ax is None:
            _, ax = figure(size=(8.0, 4.8))
        for i, (label, loss) in enumerate(self.losses.items()):
            color, marker = STYLES[i % len(STYLES)]
            ax.plot(np.arange(len(loss)), loss, "-", color=color, lw=1.8, label=self._legend(label), marker=marker,
                    markevery=max(1, self.done // 10), ms=5, mec="k", mew=0.4)
        kept = [v[np.isfinite(v)] for k, v in self.losses.items() if k not in self.diverged]  # a diverged run's f
        values = np.concatenate(kept or [v[np.isfinite(v)] for v in self.losses.values()])  # would squash the rest
        ax.set_yscale("log" if (log := values.size and (values > 0).all()) else "symlog")
        if self.diverged and kept and values.size:
            lo, hi = values.min(), values.max()
            ax.set_ylim(*((lo / 3, hi * 30) if log else (lo - 0.2 * (hi - lo) - 1, hi + 0.5 * (hi - lo) + 1)))
        ax.set(xlabel="step", ylabel="f(x, y)", title=f"Loss per step on {self.surface.name}")
        ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0, frameon=False)
        return ax.figure

    def animate(self, path: str | os.PathLike[str], fps: int = 20, *, max_frames: int = 100, dpi: int = 80) -> str:
        """Write a GIF of the paths growing step by step (at most ``max_frames`` frames: every k-th step, the last
        included) with matplotlib's PillowWriter, atomically (a temp file in the same folder, then a rename).
        Returns the path."""
        from matplotlib.animation import PillowWriter
        target = os.fspath(path)
        folder = os.path.dirname(target) or "."
        os.makedirs(folder, exist_ok=True)
        frames = list(range(0, self.done + 1, max(1, math.ceil((self.done + 1) / max(2, max_frames)))))
        frames = frames if frames[-1] == self.done else frames[:max_frames - 1] + [self.done]
        # everything that stays still (surface, colour bar, legend, title) is drawn once into a picture; a frame draws
        # only that and the paths, on transparent axes over the plot: milliseconds instead of a full redraw
        fig, ax, name = self._axes(None, (8.6, 5.6))
        for i, label in enumerate(self.trajectories):
            color, marker = STYLES[i % len(STYLES)]
            ax.plot([], [], "-" + marker, color=color, lw=1.8, ms=8, mec="k", mew=0.7, label=label)
        fig.legend(loc="outside right upper", frameon=False)
        ax.set_title(f"Optimizer race on {name}")
        anim, over = still_backdrop(fig, ax, dpi)
        lines, heads, n = [], [], len(self.trajectories)
        for i in range(n):
            color, marker = STYLES[i % len(STYLES)]
            lines.append(over.plot([], [], "-", color=color, lw=1.8, zorder=5 + (n - i) / n)[0])
            heads.append(over.plot([], [], marker, color=color, ms=8, mec="k", mew=0.7, zorder=7 + (n - i) / n)[0])
        counter = over.text(0.02, 0.97, "", transform=over.transAxes, va="top", fontsize=11, zorder=9,
                            bbox=dict(boxstyle="round", fc="white", ec="0.6", alpha=0.9))

        def draw(k: int) -> None:
            for line, head, traj in zip(lines, heads, self.trajectories.values()):
                seen = traj[:k + 1]
                line.set_data(seen[:, 0], seen[:, 1])
                ok = seen[np.isfinite(seen).all(axis=1)]
                head.set_data(ok[-1:, 0], ok[-1:, 1])
            counter.set_text(f"step {k} of {self.done}")

        with atomic_path(target, suffix=".gif") as tmp:
            writer = PillowWriter(fps=fps)
            with writer.saving(anim, tmp, dpi):
                for k in frames:
                    draw(k)
                    writer.grab_frame()
        return target

    def page(self, title: str | None = None) -> HTMLPage:
        """One self-contained HTML page (nothing fetched): the contour plot as inline SVG, every path over it, a slider
        and a play button that move each method's marker along its path, the losses in a table; data as JSON."""
        return _race_page(self, title or f"Optimizer race on {self.surface.name}")


_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title><style>
body {{ font: 14px system-ui, sans-serif; margin: 16px; color: #222; }} .controls input {{ width: 360px; }}
.race {{ display: flex; flex-wrap: wrap; gap: 16px; align-items: flex-start; }} .race svg {{ width: min(760px, 100%);
height: auto; }} .controls {{ margin: 8px 0; display: flex; gap: 10px; align-items: center; }} td, th {{ padding: 3px
8px; text-align: left; font-variant-numeric: tabular-nums; }} table {{ border-collapse: collapse; }} .swatch {{ display:
inline-block; width: 12px; height: 12px; border-radius: 50%; border: 1px solid #000; }}</style></head><body>
<h2>{title}</h2><div class="controls"><button id="race-play" type="button">&#9654; Play</button>
<input id="race-step" type="range" min="0" max="{done}" value="{done}"><span id="race-label"></span></div>
<div class="race">{svg}<table><tr><th></th><th>method</th><th>f(x, y)</th><th>x</th><th>y</th></tr>{rows}</table></div>
<script type="application/json" id="race-data">{data}</script><script>
(function () {{
  var D = JSON.parse(document.getElementById("race-data").textContent), T = D.box;
  var slider = document.getElementById("race-step"), label = document.getElementById("race-label");
  var play = document.getElementById("race-play"), timer = null, stride = Math.max(1, Math.ceil(D.done / 100));
  function clamp(v) {{ return Math.max(-1e5, Math.min(1e5, v)); }}  // far-off points of a run heading to infinity
  function svg(p) {{ return p[0] === null || p[1] === null ? null : [clamp(T.left + (p[0] - T.x0) / (T.x1 - T.x0) *
    T.width), clamp(T.top + (T.y1 - p[1]) / (T.y1 - T.y0) * T.height)]; }}
  function fmt(v) {{ return v === null ? "-" : Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-3) ?
    v.toExponential(2) : v.toPrecision(4); }}
  var runs = D.runs.map(function (r, i) {{
    var pts = r.path.map(svg), el = function (name) {{ return document.getElementById("race-" + name + "-" + i); }};
    el("full").setAttribute("points", pts.filter(Boolean).join(" "));
    return {{ run: r, pts: pts, trail: el("trail"), dot: el("dot"), f: el("f"), x: el("x"), y: el("y") }};
  }});
  function show(k) {{
    runs.forEach(function (r) {{
      var seen = r.pts.slice(0, k + 1).filter(Boolean), last = seen[seen.length - 1];
      r.trail.setAttribute("points", seen.join(" "));
      if (last) {{ r.dot.setAttribute("cx", last[0]); r.dot.setAttribute("cy", last[1]); }}
      var gone = r.run.diverged !== null && k >= r.run.diverged, p = r.run.path[Math.min(k, r.run.path.length - 1)];
      r.f.textContent = gone ? "diverged at step " + r.run.diverged : fmt(r.run.loss[k]);
      r.x.textContent = gone ? "" : fmt(p[0]); r.y.textContent = gone ? "" : fmt(p[1]);
    }});
    label.textContent = "step " + k + " of " + D.done;
  }}
  function stop() {{ clearInterval(timer); timer = null; play.innerHTML = "&#9654; Play"; }}
  play.addEventListener("click", function () {{
    if (timer) {{ stop(); return; }} if (+slider.value >= D.done) slider.value = 0;  // at the end: play from the start
    play.innerHTML = "&#10074;&#10074; Pause";
    timer = setInterval(function () {{  // 20 frames a second, at most about 100 frames in all
      var k = Math.min(D.done, +slider.value + stride); slider.value = k; show(k); if (k >= D.done) stop(); }}, 50);
  }});
  slider.addEventListener("input", function () {{ if (timer) stop(); show(+slider.value); }});
  show(+slider.value);
}})();
</script></body></html>
"""


def _race_page(race: Race, title: str) -> HTMLPage:
    """The page of :meth:`Race.page`: the surface as inline SVG plus an overlay group of paths and markers that the
    page's script moves (it maps data to SVG coordinates with the plot box embedded beside the trajectories)."""
    fig, ax, name = race._axes(None, (8.0, 6.2))
    ax.set_title(name)
    svg, box = surface_svg(fig, ax)
    overlay = [f'<defs><clipPath id="race-clip"><rect x="{box["left"]:.2f}" y="{box["top"]:.2f}" '
               f'width="{box["width"]:.2f}" height="{box["height"]:.2f}"/></clipPath></defs>'
               '<g clip-path="url(#race-clip)" fill="none" stroke-linejoin="round">']
    rows, runs = [], []
    for i, (label, color) in enumerate(zip(race.trajectories, COLORS * len(race.trajectories))):
        overlay.append(f'<polyline id="race-full-{i}" stroke="{color}" stroke-width="1" stroke-opacity="0.35"/>'
                       f'<polyline id="race-trail-{i}" stroke="{color}" stroke-width="2"/>'
                       f'<circle id="race-dot-{i}" r="5" fill="{color}" stroke="#000" stroke-width="0.8"/>')
        rows.append(f'<tr><td><span class="swatch" style="background:{color}"></span></td><td>{html.escape(label)}'
                    f'</td><td id="race-f-{i}"></td><td id="race-x-{i}"></td><td id="race-y-{i}"></td></tr>')
        runs.append(dict(label=label, color=color, path=race.trajectories[label], loss=race.losses[label],
                         diverged=race.diverged.get(label)))
    svg = svg[:svg.rindex("</svg>")] + "".join(overlay) + "</g></svg>"
    data = dict(title=title, surface=race.surface.name, start=race.surface.start, steps=race.steps, done=race.done,
                box=box, runs=runs)
    document = _PAGE.format(title=html.escape(title), done=race.done, svg=svg, rows="".join(rows),
                            data=_json_for_script(data))
    return HTMLPage(document, title=title, height=720)


def _runs(surface: Surface, optimizers: Any) -> list[tuple[str, Any, Any, optim.Optimizer]]:
    """(label, x, y, optimizer) per entry of ``optimizers``; x, y fresh float64 0-d Tensors at the start."""
    if not isinstance(optimizers, Mapping):
        raise TypeError(f"optimizers must be a dict label -> factory(params), not {type(optimizers).__name__}")
    if not optimizers:
        raise ValueError("optimizers is empty: give at least one label -> factory(params)")
    runs = []
    for label, make in optimizers.items():
        if not callable(make):
            raise TypeError(f"optimizers[{label!r}] must be a factory(params) -> Optimizer, not {type(make).__name__}")
        x, y = (autograd.tensor(v, dtype=autograd.float64, requires_grad=True) for v in surface.start)
        opt = make([x, y])
        if not isinstance(opt, optim.Optimizer):
            raise TypeError(f"optimizers[{label!r}] must return an optim.Optimizer, got {type(opt).__name__}")
        runs.append((str(label), x, y, opt))
    return runs


def optimizer_race(fn: str | Surface | Callable[..., Any], optimizers: Mapping[str, Factory] | None = None, *,
                   start: Point | None = None, steps: int = 100) -> Race:
    """Race optimizers on ``fn`` from one start for ``steps`` steps; returns a :class:`Race`.

    ``fn``: a built-in surface's name (``"rosenbrock"``, ``"beale"``, ``"saddle"``, ``"himmelblau"``), a
    :class:`~viz.surfaces.Surface`, or a function ``fn(x, y) -> Tensor`` (its default start is (1, 1) and the plot's
    window is fitted around the paths). ``optimizers``: label → ``factory(params) -> optim.Optimizer``, e.g.
    ``{"Adam": lambda p: optim.Adam(p, lr=0.1)}``; left out, the seven methods of :func:`default_optimizers` with
    the learning rates tuned for the surface (``DEFAULT_LRS``; ``GENERIC_LRS`` for a user function). ``start``:
    (x, y), default the surface's. The methods take their steps in turns (step 1 of each, then step 2, ...), so
    Ctrl-C returns the race up to the last step all of them finished (``interrupted=True``, with a warning).
    """
    surface = as_surface(fn, start)
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)):
        raise TypeError(f"steps must be an integer, got {type(steps).__name__}")
    if steps < 1:
        raise ValueError(f"steps must be at least 1, got {steps}")
    runs = _runs(surface, default_optimizers(surface) if optimizers is None else optimizers)
    traj = {label: np.vstack([surface.start, np.full((steps, 2), np.nan)]) for label, *_ in runs}
    losses = {label: np.full(steps + 1, np.nan) for label, *_ in runs}
    diverged: dict[str, int] = {}
    done, interrupted = 0, False
    try:
        with progress(steps, f"race on {surface.name}") as bar, recording(False), np.errstate(all="ignore"):
            for t in range(1, steps + 1):
                for label, x, y, opt in runs:
                    if label in diverged:
                        continue
                    opt.zero_grad()
                    loss = evaluate(surface.fn, x, y, label)
                    losses[label][t - 1] = value = loss.item()
                    if not math.isfinite(value):
                        diverged[label] = t - 1
                        continue
                    loss.backward()
                    opt.step()
                    traj[label][t] = x.item(), y.item()
                    if not is_finite_point(traj[label][t]):
                        diverged[label] = t
                done = t
                bar.update(1)
    except KeyboardInterrupt:
        interrupted = True
        warnings.warn(f"optimizer_race: interrupted after {done} of {steps} steps; returning those",
                      RuntimeWarning, stacklevel=2)
    with autograd.no_grad(), np.errstate(all="ignore"):
        for label in traj:
            traj[label], losses[label] = traj[label][:done + 1], losses[label][:done + 1]
            if diverged.get(label, -1) > done:  # in the step that Ctrl-C cut short
                del diverged[label]
            if label not in diverged:  # f at the last point (the race computed f before each step only)
                px, py = (autograd.tensor(v, dtype=autograd.float64) for v in traj[label][done])
                losses[label][done] = evaluate(surface.fn, px, py, label).item()
                if not math.isfinite(losses[label][done]):
                    diverged[label] = done
    return Race(surface, traj, losses, diverged, steps, interrupted)
