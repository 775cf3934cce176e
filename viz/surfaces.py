"""Two-dimensional test functions for optimizers, written with the engine's ops so autograd differentiates them.

Each :class:`Surface` is a function of two Tensors, ``surface(x, y) -> Tensor``, together with what a picture of it
needs: a default start, a plotting window, the known minima (and saddle points), and whether its contour levels
read better on a log scale. ``SURFACES`` holds the built-in ones by name:

- ``rosenbrock``: (1 − x)² + 100 (y − x²)², a long curved valley, minimum 0 at (1, 1);
- ``beale``: (1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)², flat plateaus and steep walls, minimum 0 at
  (3, 0.5);
- ``saddle``: x² − y², a saddle point at the origin, unbounded below (no minimum);
- ``himmelblau``: (x² + y − 11)² + (x + y² − 7)², four minima, all 0.

``as_surface(fn, start)`` turns a name, a Surface or a user's function into a Surface (errors name the argument);
``grid(fn, xlim, ylim)`` evaluates any such function on a grid, ``draw_surface(ax, surface, xlim, ylim)`` draws its
contours with the start and the minima marked, ``surface_svg`` renders a figure as SVG to inline in a page and
``still_backdrop`` freezes a figure into a picture for fast animation frames (viz.race uses all of them).
"""
from __future__ import annotations

import io
import math
import re
from dataclasses import dataclass, field, replace
from typing import Any, Callable

import numpy as np

import autograd
from autograd import Tensor

__all__ = ["Surface", "SURFACES", "rosenbrock", "beale", "saddle", "himmelblau", "get_surface", "as_surface",
           "evaluate", "grid", "window", "draw_contour", "draw_surface", "surface_svg",
           "still_backdrop"]

Point = tuple[float, float]


def rosenbrock(x: Tensor, y: Tensor) -> Tensor:
    """(1 − x)² + 100 (y − x²)²."""
    return (1 - x) ** 2 + 100 * (y - x ** 2) ** 2


def beale(x: Tensor, y: Tensor) -> Tensor:
    """(1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)²."""
    return (1.5 - x + x * y) ** 2 + (2.25 - x + x * y ** 2) ** 2 + (2.625 - x + x * y ** 3) ** 2


def saddle(x: Tensor, y: Tensor) -> Tensor:
    """x² − y²."""
    return x ** 2 - y ** 2


def himmelblau(x: Tensor, y: Tensor) -> Tensor:
    """(x² + y − 11)² + (x + y² − 7)²."""
    return (x ** 2 + y - 11) ** 2 + (x + y ** 2 - 7) ** 2


@dataclass(frozen=True)
class Surface:
    """A test function ``fn(x, y) -> Tensor`` and how to look at it.

    ``start``: the default starting point; ``xlim``, ``ylim``: the plotting window; ``minima``: the known global /
    local minima; ``saddles``: known saddle points; ``log_scale``: contour levels spaced on a log scale (for a
    function that is ≥ 0 with a wide range of values); ``formula``: a one-line description for titles.
    """

    name: str
    fn: Callable[[Tensor, Tensor], Tensor] = field(repr=False)
    start: Point
    xlim: Point
    ylim: Point
    minima: tuple[Point, ...] = ()
    saddles: tuple[Point, ...] = ()
    log_scale: bool = False
    formula: str = ""

    def __call__(self, x: Tensor, y: Tensor) -> Tensor:
        return self.fn(x, y)


SURFACES: dict[str, Surface] = {s.name: s for s in (
    Surface("rosenbrock", rosenbrock, start=(-1.5, 2.0), xlim=(-2.0, 2.0), ylim=(-1.0, 3.0), minima=((1.0, 1.0),),
            log_scale=True, formula="(1 − x)² + 100 (y − x²)²"),
    Surface("beale", beale, start=(1.0, 1.5), xlim=(-1.0, 4.5), ylim=(-2.0, 2.0), minima=((3.0, 0.5),),
            log_scale=True, formula="(1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)²"),
    Surface("saddle", saddle, start=(-1.0, 1e-3), xlim=(-1.5, 1.5), ylim=(-1.5, 1.5), saddles=((0.0, 0.0),),
            log_scale=False, formula="x² − y²"),
    Surface("himmelblau", himmelblau, start=(0.0, -1.0), xlim=(-5.0, 5.0), ylim=(-5.0, 5.0),
            minima=((3.0, 2.0), (-2.805118, 3.131312), (-3.779310, -3.283186), (3.584428, -1.848126)),
            log_scale=True, formula="(x² + y − 11)² + (x + y² − 7)²"),
)}


def get_surface(name: str) -> Surface:
    """The built-in surface called ``name`` (case-insensitive); a ValueError lists the known names."""
    key = str(name).strip().lower()
    if key not in SURFACES:
        raise ValueError(f"fn: unknown surface {name!r}; known surfaces: {', '.join(sorted(SURFACES))}")
    return SURFACES[key]


USER_START: Point = (1.0, 1.0)  # the default start for a user function


def as_surface(fn: Any, start: Any = None) -> Surface:
    """``fn`` as a :class:`Surface` starting at ``start`` (default: its own start): a built-in surface's name, a
    Surface, or a function ``fn(x, y) -> Tensor`` (then the start defaults to ``USER_START`` and the window is empty:
    a plot fits one around the paths). Errors name the argument: ``fn`` or ``start``."""
    if isinstance(fn, str):
        fn = get_surface(fn)
    elif not isinstance(fn, Surface):
        if not callable(fn):
            raise TypeError(f"fn must be a surface name ({', '.join(sorted(SURFACES))}), a Surface or a function "
                            f"fn(x, y) -> Tensor, not {type(fn).__name__}")
        fn = Surface(getattr(fn, "__name__", "") or "f", fn, start=USER_START, xlim=(), ylim=())  # type: ignore[arg-type]
    if start is None:
        return fn
    try:
        if isinstance(start, (str, bytes)) or len(start) != 2 or any(isinstance(v, (bool, str, bytes)) for v in start):
            raise TypeError
        point = (float(start[0]), float(start[1]))
    except (TypeError, ValueError):
        raise ValueError(f"start must be two numbers (x, y), got {start!r}") from None
    if not is_finite_point(point):
        raise ValueError(f"start must be two finite numbers (x, y), got {start!r}")
    return replace(fn, start=point)


def evaluate(fn: Callable[..., Any], x: Tensor, y: Tensor, label: str = "") -> Tensor:
    """``fn(x, y)``, checked to be a one-element Tensor (a TypeError / ValueError naming ``fn`` otherwise)."""
    loss = fn(x, y)
    where = f" (run {label!r})" if label else ""
    if not isinstance(loss, Tensor):
        raise TypeError(f"fn must return a Tensor, got {type(loss).__name__}{where}")
    if loss.numel() != 1:
        raise ValueError(f"fn must return a single number, got a Tensor of shape {tuple(loss.shape)}{where}")
    return loss


def grid(fn: Callable[[Tensor, Tensor], Any], xlim: Point, ylim: Point, n: int = 240
         ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(X, Y, Z)``: ``fn`` on an ``n`` × ``n`` grid over the window, as float64 arrays (``Z[i, j] = fn(X[i, j],
    Y[i, j])``). ``fn`` is called once on whole-grid Tensors; a function that cannot take arrays (or gives back the
    wrong shape) is evaluated point by point on a coarser grid instead."""
    xs, ys = np.linspace(*xlim, n), np.linspace(*ylim, n)
    X, Y = np.meshgrid(xs, ys)
    with autograd.no_grad(), np.errstate(all="ignore"):
        try:
            Z = _as_array(fn(autograd.tensor(X, dtype=autograd.float64), autograd.tensor(Y, dtype=autograd.float64)))
            if Z.shape == X.shape:
                return X, Y, Z
        except Exception:  # noqa: BLE001 - not vectorised: fall back to one point at a time
            pass
        m = min(n, 80)
        X, Y = np.meshgrid(np.linspace(*xlim, m), np.linspace(*ylim, m))
        Z = np.array([[_at(fn, a, b) for a, b in zip(row_x, row_y)] for row_x, row_y in zip(X, Y)])
    return X, Y, Z


def _as_array(value: Any) -> np.ndarray:
    if isinstance(value, Tensor):
        value = value.detach().numpy()
    return np.asarray(value, dtype=np.float64)


def _at(fn: Callable[..., Any], a: float, b: float) -> float:
    """``fn`` at one point as a float; NaN (a gap in the picture) where it fails there."""
    try:
        value = _as_array(fn(autograd.tensor(float(a), dtype=autograd.float64),
                             autograd.tensor(float(b), dtype=autograd.float64)))
        return float(value.reshape(()))
    except Exception:  # noqa: BLE001 - a picture, not a computation: one bad point must not stop it
        return math.nan


def wants_log(Z: np.ndarray) -> bool:
    """A log colour scale for a function that is ≥ 0 and spans a wide range (its maximum ≫ its median)."""
    finite = Z[np.isfinite(Z)]
    if finite.size == 0 or finite.min() < 0:
        return False
    return bool(finite.max() > 30 * max(float(np.median(finite)), 1e-300))


def draw_contour(ax: Any, X: np.ndarray, Y: np.ndarray, Z: np.ndarray, *, log_scale: bool, levels: int = 12,
                 cmap: Any = None) -> Any:
    """``Z`` shaded as an image under thin contour lines (``levels`` of them, log-spaced when ``log_scale``); returns
    the image (for a colour bar). An image, not filled contours: it draws in a blink (an animation redraws it every
    frame) and stays small in SVG. The default colours are pale greys (white = low), so coloured paths stand out."""
    from matplotlib import colormaps
    from matplotlib.colors import ListedColormap, LogNorm, Normalize
    if cmap is None:
        cmap = ListedColormap(colormaps["Greys"](np.linspace(0.0, 0.55, 256)), name="pale_greys")
    Z = np.where(np.isfinite(Z), Z, np.nan)
    lo, hi = float(np.nanmin(Z)), float(np.nanmax(Z))
    if log_scale:
        positive = Z[Z > 0]
        lo = max(float(positive.min()) if positive.size else 1e-12, hi * 1e-7, 1e-12)
        hi = max(hi, lo * 10)
        Z, norm, bounds = np.clip(Z, lo, hi), LogNorm(lo, hi), np.geomspace(lo, hi, levels + 2)[1:-1]
    else:
        hi = hi if hi > lo else lo + 1.0
        norm, bounds = Normalize(lo, hi), np.linspace(lo, hi, levels + 2)[1:-1]
    image = ax.imshow(Z, extent=(X[0, 0], X[0, -1], Y[0, 0], Y[-1, 0]), origin="lower", aspect="auto", cmap=cmap,
                      norm=norm, interpolation="bilinear", zorder=0)
    ax.contour(X, Y, Z, levels=bounds, colors="k", linewidths=0.5, alpha=0.35, zorder=1)
    return image


def window(surface: Surface, points: np.ndarray) -> tuple[Point, Point]:
    """The plotting window: the surface's own, or (for a user function, which has none) one fitted around the start
    and the ``points`` (n × 2)."""
    return (surface.xlim, surface.ylim) if surface.xlim and surface.ylim else auto_window(points, surface.start)


def auto_window(points: np.ndarray, start: Point, pad: float = 0.15) -> tuple[Point, Point]:
    """A plotting window around ``start`` and the finite ``points`` (n × 2), padded, at least 2 wide each way."""
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    pts = np.vstack([pts[np.isfinite(pts).all(axis=1)], [start]])
    # a far-flung tail (a run heading off to infinity) should not shrink the rest to a dot: clip to 10 × the spread
    centre = np.median(pts, axis=0)
    spread = np.maximum(np.percentile(np.abs(pts - centre), 90, axis=0), 1.0)
    pts = np.clip(pts, centre - 10 * spread, centre + 10 * spread)
    out = []
    for lo, hi in zip(pts.min(axis=0), pts.max(axis=0)):
        mid, half = (lo + hi) / 2, max((hi - lo) / 2 * (1 + pad), 1.0)
        out.append((float(mid - half), float(mid + half)))
    return out[0], out[1]


def is_finite_point(p: Any) -> bool:
    return all(math.isfinite(v) for v in p)


def draw_surface(ax: Any, surface: Surface, xlim: Point, ylim: Point, *, colorbar: bool = True) -> None:
    """``surface`` over the window on ``ax``: contours (log-spaced where ``surface.log_scale``, or for a user function
    where its values suit it), a colour bar labelled "f(x, y)", the start (white circle), the known minima (gold
    stars) and saddle points (white crosses); axes labelled "x" and "y"."""
    from matplotlib.ticker import LogFormatterSciNotation, LogLocator, MaxNLocator
    X, Y, Z = grid(surface.fn, xlim, ylim)
    log = surface.log_scale if surface.xlim else wants_log(Z)
    filled = draw_contour(ax, X, Y, Z, log_scale=log)
    if colorbar:
        ticks = dict(ticks=LogLocator(), format=LogFormatterSciNotation()) if log else dict(ticks=MaxNLocator(8))
        ax.figure.colorbar(filled, ax=ax, label="f(x, y)", shrink=0.9, pad=0.02, **ticks)
    for i, (mx, my) in enumerate(surface.minima):
        ax.plot(mx, my, "*", ms=17, color="gold", mec="k", mew=1.0, zorder=8, label=None if i else "minimum")
    for i, (sx, sy) in enumerate(surface.saddles):
        ax.plot(sx, sy, "X", ms=11, color="white", mec="k", mew=1.0, zorder=8, label=None if i else "saddle point")
    ax.plot(*surface.start, "o", ms=10, color="white", mec="k", mew=2.0, zorder=9, label="start")
    ax.set(xlim=xlim, ylim=ylim, xlabel="x", ylabel="y")
    ax.grid(False)


_SVG_PROLOG = re.compile(r'<\?xml.*?\?>|<!DOCTYPE.*?>|<metadata>.*?</metadata>|\s+xmlns(?::\w+)?="[^"]*"', re.S)


def surface_svg(fig: Any, ax: Any) -> tuple[str, dict[str, float]]:
    """``fig`` as SVG text to put inline in an HTML page (its XML prolog, metadata and namespace URLs dropped: HTML's
    parser needs none of them), and the plot box of ``ax`` in the SVG's coordinates: ``left``, ``top``, ``width``,
    ``height`` (points, y downwards) with the data window ``x0``, ``x1``, ``y0``, ``y1`` it shows."""
    from .figures import styled
    buf = io.StringIO()
    with styled():
        fig.savefig(buf, format="svg")  # no tight bbox: the viewBox is the whole figure, in points
    (w, h), pos = fig.get_size_inches() * 72, ax.get_position()  # figure fractions, y upwards
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    box = dict(left=pos.x0 * w, top=(1 - pos.y1) * h, width=pos.width * w, height=pos.height * h)
    return _SVG_PROLOG.sub("", buf.getvalue()).strip(), {k: float(v) for k, v in dict(box, x0=x0, x1=x1, y0=y0,
                                                                                        y1=y1).items()}


def still_backdrop(fig: Any, ax: Any, dpi: float) -> tuple[Any, Any]:
    """For animations: a new figure that shows ``fig`` (drawn once, at ``dpi``) as a fixed picture, and transparent
    axes exactly over ``ax`` with its limits, to draw the moving parts on. Redrawing it costs a blit of the picture and
    the moving artists, not the whole of ``fig``."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from .figures import figure
    fig.set_dpi(dpi)
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    still, over = figure(size=tuple(fig.get_size_inches()))
    still.set_layout_engine("none")
    still.set_dpi(dpi)
    still.figimage(np.asarray(canvas.buffer_rgba()).copy(), 0, 0, origin="upper", zorder=-1)
    over.set(position=ax.get_position(), xlim=ax.get_xlim(), ylim=ax.get_ylim())
    over.set_axis_off()
    return still, over
