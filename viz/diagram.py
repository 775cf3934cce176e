"""``Diagram``: a ``graphviz.Digraph`` that renders through :func:`viz.render.render_dot`, with or without ``dot``.

Importable from ``viz.render`` (and ``viz``) as before. It calls ``viz.render``'s functions through the module, so
this module imports ``viz.render`` and not the other way round (``viz.render`` loads it on first use).
"""

from __future__ import annotations

import os
import pathlib

import graphviz

from . import render as _render

__all__ = ["Diagram"]


class Diagram(graphviz.Digraph):
    """A ``graphviz.Digraph`` whose rendering (``pipe``, ``render``, ``view``, Jupyter display) goes through
    :func:`render_dot`, so it works without Graphviz installed.

    ``render_engine`` ("dot", "pure", "auto" or None for ``$TRACEGRAD_GRAPHVIZ``/auto) is kept on the instance
    and carried into subgraphs and copies. Digraph's own ``engine`` stays the layout program (dot, neato, ...).
    ``format`` defaults to "svg", which every engine writes (Digraph's default is pdf).
    """

    def __init__(self, *args, render_engine: str | None = None, **kwargs) -> None:
        if kwargs.get("format") is None:
            kwargs["format"] = "svg"
        super().__init__(*args, **kwargs)
        self.render_engine = render_engine
        self.visible_nodes: int | None = None  # set by viz.draw_graph: how many nodes a layout must place
        self.render_limit: int | None = None   # above this, rendering refuses with advice (layout takes minutes)

    def _guard(self) -> None:
        if self.render_limit is not None and self.visible_nodes is not None and self.visible_nodes > self.render_limit:
            raise _render.LayoutError(
                f"render: this graph has {self.visible_nodes:,} visible nodes, more than a layout engine places in "
                f"reasonable time (limit {self.render_limit:,}). Draw it with collapse='auto' (modules become single "
                f"nodes) or only_grad=True, open it with viz.explore_graph(...), or raise the limit: "
                f"diagram.render_limit = None. The DOT text is in .source.")

    def _copy_kwargs(self, **kwargs):
        # graphviz's Dot._copy_kwargs drops the kwargs it is given, so add ours to what comes back
        kwargs = super()._copy_kwargs(**kwargs)
        kwargs["render_engine"] = self.render_engine
        return kwargs

    def _layout(self, engine: str | None) -> str:
        if engine is None:
            return self.engine
        self._verify_engine(engine)
        return engine.lower()

    @staticmethod
    def _no_renderer(renderer: str | None, formatter: str | None) -> None:
        if renderer is not None or formatter is not None:
            raise ValueError("Diagram does not take renderer/formatter: render_dot picks the output plugin")

    def pipe(self, format: str | None = None, renderer: str | None = None, formatter: str | None = None,
             neato_no_op=None, quiet: bool = False, *, engine: str | None = None,
             encoding: str | None = None):
        """Return the graph rendered to ``format`` (default ``self.format``): bytes, or str if ``encoding``."""
        self._no_renderer(renderer, formatter)
        self._guard()
        data = _render.render_dot(self.source, format or self.format, self.render_engine,
                                  layout=self._layout(engine), quiet=quiet)
        return data.decode(encoding) if encoding is not None else data

    def render(self, filename=None, directory=None, view: bool = False, cleanup: bool = False,
               format: str | None = None, renderer: str | None = None, formatter: str | None = None,
               neato_no_op=None, quiet: bool = False, quiet_view: bool = False, *, outfile=None,
               engine: str | None = None, raise_if_result_exists: bool = False,
               overwrite_source: bool = False) -> str:
        """Save the DOT source like ``Digraph.render`` and write the rendered file atomically; return its path.

        ``render("out/graph", format="svg")`` saves ``out/graph`` and writes ``out/graph.svg``;
        ``render(outfile="x.png")`` takes the format from the suffix (and saves the source as ``x.gv``).
        """
        self._no_renderer(renderer, formatter)
        self._guard()
        if raise_if_result_exists and overwrite_source:
            raise ValueError("overwrite_source cannot be combined with raise_if_result_exists")
        out = None if outfile is None else pathlib.Path(os.fspath(outfile))
        if out is not None:
            format = self._get_format(out, format=format)
            if directory is None:
                out = pathlib.Path(self.directory, out)
        fmt = (format or self.format).lower()
        self._verify_format(fmt)
        layout = self._layout(engine)
        if out is not None and filename is None:
            filename = self._get_filepath(out)
        filepath = pathlib.Path(self.save(filename, directory=directory, skip_existing=None))
        if out is None:
            out = filepath.with_suffix(f"{filepath.suffix}.{fmt}")
        elif not overwrite_source and out.resolve() == filepath.resolve():
            raise ValueError(f"outfile {out.name!r} must be different from the source file {filepath.name!r}"
                             " (pass overwrite_source=True to override)")
        if raise_if_result_exists and out.exists():
            raise graphviz.FileExistsError(f"output file exists: {os.fspath(out)!r}")
        data = _render.render_dot(self.source, fmt, self.render_engine, layout=layout,
                                  cwd=filepath.parent if filepath.parent.parts else None, quiet=quiet)
        _render._write_atomic(out, data)
        if cleanup:
            os.remove(filepath)
        if quiet_view or view:
            self._view(out, format=fmt, quiet=quiet_view)
        return os.fspath(out)

    def svg(self) -> str:
        """The graph as SVG text."""
        self._guard()
        return _render.render_dot(self.source, "svg", self.render_engine, layout=self.engine).decode("utf-8")

    def save_svg(self, path: str | os.PathLike[str]) -> str:
        """Write the graph as SVG to ``path`` (atomically, creating its directory) and return the path."""
        self._guard()
        _render._write_atomic(path, _render.render_dot(self.source, "svg", self.render_engine, layout=self.engine))
        return os.fspath(path)

    def __repr__(self) -> str:  # stable text (no memory address) beside the picture in a notebook's outputs
        nodes = "" if self.visible_nodes is None else f" {self.visible_nodes:,} nodes,"
        return f"<viz.Diagram{nodes} {len(self.source):,} characters of DOT in .source>"

    # Jupyter: Digraph's versions call pipe() too; spelled out so display never depends on graphviz internals
    def _repr_image_svg_xml(self) -> str:
        return self.svg()

    def _repr_image_png(self) -> bytes:
        self._guard()
        return _render.render_dot(self.source, "png", self.render_engine, layout=self.engine)
