"""What every viz plot shares: matplotlib on the Agg backend, one readable style, atomic PNG + SVG saving, and a
progress bar for long work that is quiet off a terminal and stops cleanly on Ctrl-C.

Every plotting function in viz returns a ``matplotlib.figure.Figure`` (it shows inline in Jupyter) and never calls
``plt.show()``; ``save(fig, "path/name")`` writes ``name.png`` and ``name.svg``.
"""
from __future__ import annotations

import contextlib
import os
import sys
from typing import Any, Iterable, Iterator

import matplotlib

if not os.environ.get("MPLBACKEND") and "matplotlib.pyplot" not in sys.modules:
    matplotlib.use("Agg")  # files, not windows; Jupyter's inline backend still takes over in a notebook
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from nn.callbacks import SilentBar, want_progress  # noqa: E402

from .files import atomic_path  # noqa: E402

STYLE = {"font.size": 11, "axes.titlesize": 12, "axes.labelsize": 11, "legend.fontsize": 9, "xtick.labelsize": 9,
         "ytick.labelsize": 9, "figure.dpi": 100, "savefig.dpi": 130, "axes.grid": True, "grid.alpha": 0.3,
         "axes.spines.top": False, "axes.spines.right": False, "svg.fonttype": "none"}


def figure(nrows: int = 1, ncols: int = 1, *, size: tuple[float, float] | None = None, **kw: Any) -> tuple[Figure, Any]:
    """A new figure and its axes in viz's style (``size`` in inches; default 5.5 × 4 per panel)."""
    w, h = size or (5.5 * ncols, 4.0 * nrows)
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(nrows, ncols, figsize=(w, h), layout="constrained", **kw)
    plt.close(fig)  # owned by the caller, not by pyplot's global list (no leak over a long run of plots)
    return fig, axes


def styled() -> Any:
    """``with styled():`` draw in viz's style (for code that creates its own artists)."""
    return plt.rc_context(STYLE)


def save(fig: Figure, path: str | os.PathLike[str], formats: Iterable[str] = ("png", "svg")) -> list[str]:
    """Write ``fig`` as ``path.png`` and ``path.svg`` (any suffix on ``path`` is replaced), each atomically: a
    temporary file in the same folder, then a rename. Returns the paths written."""
    base = os.fspath(path)
    root, ext = os.path.splitext(base)
    if ext.lower() in (".png", ".svg", ".pdf"):
        base = root
    out = []
    for fmt in formats:
        with atomic_path(f"{base}.{fmt}") as tmp, styled():
            fig.savefig(tmp, format=fmt, bbox_inches="tight")
        out.append(f"{base}.{fmt}")
    return out


def quiet() -> bool:
    """Progress bars stay silent when stderr is not a terminal or under CI (``nn.callbacks.want_progress``)."""
    return not want_progress(None)


@contextlib.contextmanager
def progress(total: int, desc: str) -> Iterator[Any]:
    """A tqdm bar over ``total`` units (silent off a terminal). Ctrl-C inside the block closes the bar and re-raises
    ``KeyboardInterrupt`` after the caller's ``finally`` blocks ran (so weights are restored before it propagates)."""
    if quiet():  # no tqdm at all: tqdm.auto warns ("IProgress not found") in a notebook without ipywidgets
        bar: Any = SilentBar()
    else:
        from tqdm.auto import tqdm
        bar = tqdm(total=total, desc=desc, leave=False, dynamic_ncols=True)
    try:
        yield bar
    finally:
        bar.close()
