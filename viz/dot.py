"""The DOT writer: a ``Scene`` as Graphviz text (the body lines of a ``graphviz.Digraph``).

Written line by line into a list (no per-node calls into the graphviz package: 10,000 nodes take well under a
second), nested module boxes emitted with an explicit stack (no recursion), every id taken from the scene (so the
text is byte-identical across runs). Shapes tell the kinds apart, colour is the gradient heat:

    input / constant   ellipse (constant: dashed)        parameter   box with a bold border
    op                 rounded box                        output      rounded box, double border
    collapsed module   folder                             fold group  3-D box ("ResidualBlock × 20")
"""
from __future__ import annotations

import html
from typing import Any

from .heat import NO_GRAD, STOPS, luminance
from .scene import Item, Module, Scene, _ancestors, fmt

FONT = "Helvetica"
SHAPES = {  # kind -> node attributes
    "input": 'shape=ellipse, style="filled"',
    "const": 'shape=ellipse, style="filled,dashed"',
    "param": 'shape=box, style="filled,bold", penwidth=2.4',
    "op": 'shape=box, style="rounded,filled"',
    "output": 'shape=box, style="rounded,filled", peripheries=2',
    "module": 'shape=folder, style="filled"',
    "fold": 'shape=box3d, style="filled"',
}
LEGEND_TEXT = {"input": "input", "const": "constant", "param": "parameter", "op": "op", "output": "output",
               "module": "module (collapsed)", "fold": "repeated blocks"}
HIGHLIGHT = {"bad": 'color="#d62728", penwidth=4', "current": 'color="#ff7f0e", penwidth=4',
             "done": 'color="#555555", penwidth=1.6'}


def esc(s: str) -> str:
    return html.escape(str(s), quote=True)


def quote(s: str) -> str:
    return '"' + str(s).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _fill(color: str | None) -> tuple[str, str]:
    """(fill colour, font colour) so text stays readable on a dark heat colour."""
    if color is None:
        return "#f4f4f4", "#222222"
    return color, ("#ffffff" if luminance(color) < 0.2 else "#111111")


def _label(title: str, lines: list[str], bold: bool = True) -> str:
    head = f"<b>{esc(title)}</b>" if bold else esc(title)
    rows = "".join(f'<br/><font point-size="8">{esc(ln)}</font>' for ln in lines)
    return f"<{head}{rows}>"


def node_line(n: Item | Module, scene: Scene, values: bool, grads: bool, indent: str) -> str:
    if isinstance(n, Item):
        kind, title, lines, color = n.kind, n.label, n.lines(values, grads), n.color
        extra = HIGHLIGHT.get(n.highlight, "")
        tip = f"{n.label} | {n.scope or 'top'} | {' | '.join(n.lines(True, True))}"
    else:
        kind = "fold" if n.members else "module"
        title, lines, color, extra = n.label, n.lines(grads), n.color, ""
        tip = f"{n.label} | {' | '.join(lines)}"
    fill, font = _fill(color)
    attrs = f'{SHAPES[kind]}, fillcolor="{fill}", fontcolor="{font}", label={_label(title, lines)}'
    attrs += f", tooltip={quote(tip)}"
    if extra:
        attrs += ", " + extra
    return f"{indent}{quote(n.id)} [{attrs}]"


def edge_line(src: str, dst: str, color: str | None, width: float, extra: str = "") -> str:
    c = color or "#b0b0b0"
    s = f'{quote(src)} -> {quote(dst)} [color="{c}", penwidth={width}'
    return s + (", " + extra if extra else "") + "]"


def legend_lines(kinds: list[str], scene: Scene | None, heat: bool) -> list[str]:
    """A box at the bottom: one sample node per kind drawn, and the heat colour bar with its numbers."""
    out = ["\tsubgraph cluster_legend {",
           '\t\tlabel=<<b>legend</b>>; style="rounded"; color="#bbbbbb"; fontsize=10; margin=8']
    prev = None
    for k in kinds:
        nid = f"legend_{k}"
        out.append(f'\t\t{quote(nid)} [{SHAPES[k]}, fillcolor="#f4f4f4", fontsize=9, label="{LEGEND_TEXT[k]}", '
                   f'height=0.3]')
        if prev:
            out.append(f"\t\t{quote(prev)} -> {quote(nid)} [style=invis]")
        prev = nid
    if heat and scene is not None and not scene.scale.empty:
        sc = scene.scale
        cells = "".join(f'<td bgcolor="{c}" width="14" height="12"></td>' for c in STOPS)
        bar = (f'<<table border="0" cellborder="0" cellspacing="0" cellpadding="1"><tr><td colspan="{len(STOPS)}">'
               f'<font point-size="9">gradient ‖∂L/∂x‖, log scale</font></td></tr><tr>{cells}</tr>'
               f'<tr><td colspan="{len(STOPS) // 2}" align="left"><font point-size="9">{esc(fmt(sc.lo))}</font>'
               f'</td><td colspan="{len(STOPS) - len(STOPS) // 2}" align="right"><font point-size="9">'
               f'{esc(fmt(sc.hi))}</font></td></tr><tr><td colspan="{len(STOPS)}" bgcolor="{NO_GRAD}">'
               f'<font point-size="8">grey: no gradient</font></td></tr></table>>')
        out.append(f'\t\t"legend_heat" [shape=plaintext, label={bar}]')
        if prev:
            out.append(f'\t\t{quote(prev)} -> "legend_heat" [style=invis]')
    out.append("\t}")
    return out


def scene_lines(scene: Scene, *, values: bool, grads: bool, heat: bool, only_grad: bool,
                edge_extra: dict[tuple[str, str], str] | None = None, legend: bool = True) -> list[str]:
    """The body of the digraph: nested module clusters with their nodes, then the edges, then the legend."""
    nodes, edges = scene.visible(only_grad)
    boxes = scene.expanded_modules(nodes)
    box_paths = {m.path for m in boxes}
    home: dict[str, list[Item | Module]] = {}
    for n in nodes:
        scope = n.scope if isinstance(n, Item) else n.parent
        inner = ""
        for p in _ancestors(scope):
            if p in box_paths:
                inner = p
        home.setdefault(inner, []).append(n)
    kids: dict[str, list[Module]] = {}
    for m in boxes:
        parent = m.parent
        while parent and parent not in box_paths:
            parent = parent.rsplit(".", 1)[0] if "." in parent else ""
        kids.setdefault(parent, []).append(m)
    index = {m.path: i for i, m in enumerate(boxes)}
    lines: list[str] = []
    for n in home.get("", []):
        lines.append(node_line(n, scene, values, grads, "\t"))
    stack: list[tuple[Module, int]] = [(m, 1) for m in reversed(kids.get("", []))]
    closers: list[tuple[int, int]] = []  # (how many children are still open, depth)
    while stack:
        m, depth = stack.pop()
        pad = "\t" * depth
        color = "#888888" if m.color is None or not heat else m.color
        title = f"<b>{esc(m.path)}</b>" + (f": {esc(m.kind)}" if m.kind else "")
        if m.badge:
            title += f'<br/><font point-size="9">{esc(m.badge)}</font>'
        lines.append(f"{pad}subgraph cluster_{index[m.path]} {{")
        lines.append(f'{pad}\tlabel=<{title}>; style="rounded"; color="{color}"; penwidth=1.4; fontsize=10; '
                     f'labeljust=l; tooltip={quote(m.path)}')
        for n in home.get(m.path, []):
            lines.append(node_line(n, scene, values, grads, pad + "\t"))
        children = kids.get(m.path, [])
        if children:
            closers.append((len(children), depth))
            stack.extend((c, depth + 1) for c in reversed(children))
        else:
            lines.append(f"{pad}}}")
            while closers:  # close every parent whose last child just closed
                left, d = closers.pop()
                if left > 1:
                    closers.append((left - 1, d))
                    break
                lines.append("\t" * d + "}")
    extra = edge_extra or {}
    for e in edges:
        lines.append("\t" + edge_line(e.src, e.dst, e.color if heat else None, e.width if heat else 1.0,
                                      extra.get((e.src, e.dst), "")))
    if legend:
        present = sorted({n.kind if isinstance(n, Item) else ("fold" if n.members else "module") for n in nodes},
                         key=list(SHAPES).index)
        lines.extend(legend_lines(present, scene, heat))
    return lines


def graph_attrs(rankdir: str, title: str | None = None) -> dict[str, Any]:
    attrs = {"rankdir": rankdir, "fontname": FONT, "fontsize": "11", "nodesep": "0.25", "ranksep": "0.35",
             "newrank": "true", "bgcolor": "white", "tooltip": " "}
    if title:
        attrs.update(label=title, labelloc="t")
    return attrs


NODE_ATTRS = {"fontname": FONT, "fontsize": "10", "margin": "0.1,0.04", "height": "0.3", "color": "#444444"}
EDGE_ATTRS = {"arrowsize": "0.6", "fontname": FONT}
