"""The interactive graph page: one self-contained, offline HTML file that draws a backprop graph.

``graph_page(data)`` takes the plain, JSON-able dict that the graph model builds (nodes, edges, modules, heat,
frames: the contract is in ``static/graph_model.js`` and the docstring below) and returns an :class:`HTMLPage`. The
page inlines its template, style, scripts and the vendored layout library (dagre, MIT; ``static/vendor/``), so it needs
no network: modules expand and collapse on click and are laid out again in the page, nodes show their details on
hover, a colour bar explains the gradient heat, and in replay mode a toolbar steps through the backward pass.
"""
from __future__ import annotations

import html
import json
import math
import os
import re
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any
from .files import write_atomic

__all__ = ["HTMLPage", "graph_page"]

_VENDOR = ("dagre.min.js",)  # inlined in this order, before the page's own script
# the page's own script, in parts that share the namespace window.__tg: inlined in this order, one after the other,
# into one <script> element (each part needs the parts before it; graph.js, the start, comes last)
_GRAPH = ("graph_model.js", "graph_layout.js", "graph_view.js", "graph_replay.js", "graph_interact.js", "graph.js")
_SLOT = re.compile(r"\{\{([A-Z_]+)\}\}")
_SOURCE_MAP = re.compile(r"^[ \t]*//[#@] sourceMappingURL=.*$", re.MULTILINE)
_SCRIPT_END = re.compile(r"</(script)", re.IGNORECASE)
_STYLE_END = re.compile(r"</(style)", re.IGNORECASE)


@lru_cache(maxsize=None)
def _static(name: str) -> str:
    """The text of ``viz/static/<name>`` (read once per process)."""
    return resources.files(__package__ or "viz").joinpath("static", *name.split("/")).read_text(encoding="utf-8")


@lru_cache(maxsize=None)
def _scripts() -> tuple[str, str]:
    """(the vendored libraries, the page's script: the parts in ``_GRAPH``), each safe inside a <script> element."""
    vendor = "\n;\n".join(_SOURCE_MAP.sub("", _static("vendor/" + name)) for name in _VENDOR)
    graph = "\n".join(f"/* ---- static/{name} ---- */\n{_static(name)}" for name in _GRAPH)
    return _inline_js(vendor), _inline_js(graph)


def _inline_js(js: str) -> str:
    return _SCRIPT_END.sub(r"<\\/\1", js).replace("<!--", "<\\!--")


def _json_default(obj: Any) -> Any:
    """NumPy scalars and arrays become numbers and lists; anything else its str()."""
    if hasattr(obj, "tolist"):
        return obj.tolist()
    if hasattr(obj, "item"):
        return obj.item()
    if isinstance(obj, (set, frozenset, tuple)):
        return list(obj)
    return str(obj)


def _finite(obj: Any) -> Any:
    """A copy with every NaN or infinity replaced by None (JSON has neither; JSON.parse would reject the page)."""
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: _finite(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_finite(v) for v in obj]
    return obj


def _json_for_script(data: Any) -> str:
    """``data`` as JSON that is safe inside <script type="application/json">: every ``<``, ``>`` and ``&`` is
    written as a \\u escape, so a label such as ``</script>`` or ``<!--`` cannot end the element early."""
    try:
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False, default=_json_default)
    except ValueError:  # a NaN or an infinity somewhere
        text = json.dumps(_finite(json.loads(json.dumps(data, default=_json_default))), ensure_ascii=False,
                          separators=(",", ":"), allow_nan=False)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


class HTMLPage:
    """A finished, self-contained HTML document.

    ``html`` is the whole document; ``save(path)`` writes it (atomically) and returns the path; in Jupyter the page
    shows inline (``_repr_html_``: an ``<iframe srcdoc>``, since a full document with scripts does not display
    reliably when pasted into a notebook's own page).
    """

    def __init__(self, html: str, *, title: str = "", height: int = 640) -> None:
        self.html = html
        self.title = title
        self.height = int(height)

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the page to ``path`` (UTF-8) atomically: a temporary file in the same directory, then
        ``os.replace``, so a reader never sees half a page. Returns the path as a :class:`~pathlib.Path`."""
        write_atomic(path, self.html)
        return Path(path)

    def _repr_html_(self) -> str:
        return (f'<iframe srcdoc="{html.escape(self.html, quote=True)}" title="{html.escape(self.title, quote=True)}"'
                f' style="width:100%;height:{self.height}px;border:1px solid #ddd;border-radius:4px"'
                ' sandbox="allow-scripts allow-popups" loading="eager"></iframe>')

    def __str__(self) -> str:
        return self.html

    def __repr__(self) -> str:
        return f"<HTMLPage {self.title!r}: {len(self.html):,} characters>"


def graph_page(data: dict, *, title: str | None = None) -> HTMLPage:
    """The interactive page for one graph.

    ``data`` (JSON-able; NumPy scalars are converted, NaN and infinities become null)::

        {"title": str, "mode": "explore" | "replay", "rankdir": "TB" | "LR",
         "nodes": [{"id", "label", "kind": "op"|"param"|"input"|"const"|"output", "scope": "a.b",
                    "lines": [str], "color": "#rrggbb" | None, "info": {name: text}}],
         "edges": [{"src", "dst", "color": "#rrggbb" | None, "width": float, "norm": float | None}],
         "modules": [{"path", "label", "parent", "lines": [str], "color", "collapsed": bool,
                      "members": [path, ...]  # only on a fold group}],
         "heat": {"lo", "hi", "stops": ["#rrggbb", ...], "label"} | None,
         "frames": [{"node", "text", "grad", "received": [{"from", "text", "value"}],
                     "contributions": [{"to", "text", "value"}]}]}

    Every field has a default (a missing label is the id, a missing kind is "op", a missing scope is the top level,
    a missing colour is "no gradient"); edges whose ends are not nodes are skipped (with a console warning), and so
    are modules and nodes without a path or id. ``title`` overrides ``data["title"]``.
    """
    if not isinstance(data, dict):
        raise TypeError(f"graph_page takes the graph's data dict, not {type(data).__name__}")
    page_title = str(title if title is not None else data.get("title") or "tracegrad graph")
    if title is not None:
        data = {**data, "title": page_title}
    vendor_js, graph_js = _scripts()
    slots = {
        "TITLE": html.escape(page_title, quote=True),
        "CSS": _STYLE_END.sub(r"<\\/\1", _static("page.css")),
        "DATA": _json_for_script(data),
        "VENDOR_JS": vendor_js,
        "GRAPH_JS": graph_js,
    }
    document = _SLOT.sub(lambda m: slots[m.group(1)], _static("page.html"))
    return HTMLPage(document, title=page_title)
