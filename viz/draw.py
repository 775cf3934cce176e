"""``draw_graph`` (the static picture, a ``graphviz.Digraph``) and ``explore_graph`` (the interactive page)."""
from __future__ import annotations

from typing import Any, Mapping

import autograd

from . import dot as _dot
from .scene import Item, Scene, graph_of

RENDER_LIMIT = 5000  # visible nodes beyond which a layout engine takes minutes: rendering refuses, with advice


def build_scene(root: Any, *, params: Mapping[str, Any] | None = None, values: bool = True, grads: bool = True,
                heat: bool = True, collapse: Any = None, fold_repeats: bool = True, monitor: Any = None,
                expand: Any = None) -> Scene:
    """The scene every writer draws from (see ``viz.scene``)."""
    graph = graph_of(root, params)
    scene = Scene(graph, heat=heat, values=values, grads=grads)
    if fold_repeats:
        scene.fold()
    scene.collapse(collapse)
    if expand:
        scene.expand([expand] if isinstance(expand, str) else expand)
    scene.refresh_fold_heat()
    if monitor is not None:
        badges = monitor.badges() if hasattr(monitor, "badges") else {}
        for path, text in badges.items():
            if path in scene.modules:
                scene.modules[path].badge = text
    if isinstance(root, autograd.AnomalyError):
        _mark_anomaly(scene, root)
    return scene


def _mark_anomaly(scene: Scene, err: autograd.AnomalyError) -> None:
    """Highlight where the NaN / inf appeared, with the input values that caused it and the user's line."""
    from .scene import describe
    from .heat import Summary
    ins = ", ".join(describe(Summary.of(x), full=True) if x is not None and hasattr(x, "shape") else repr(x)
                    for x in err.inputs)
    bad = "NaN" if err.output is not None and _has_nan(err.output) else "inf"
    where = _short_where(err.where)
    if err.phase == "backward" and err.node is not None:
        for it in scene.items:
            if it.gid in scene.graph.outputs:
                it.highlight = "bad"
                it.where = where
                it.grad = f"{bad} in the gradient of input {err.input_index}"
                it.notes = [f"inputs {ins}"]
                it.label = f"{it.label} ✗ backward"
                it.kind = "op"
        return
    # forward: the op was never recorded; draw it as a node fed by the inputs that were
    gid = len(scene.items)
    bad_item = Item(f"n{gid}", gid, "op", f"{err.op} ✗ {bad}", err.scope, tuple(getattr(err.output, "shape", ())),
                    str(getattr(err.output, "dtype", "")), notes=[f"inputs {ins}"], where=where, highlight="bad")
    scene.items.append(bad_item)
    from .scene import Edge
    for i in scene.graph.outputs:
        scene.edges.append(Edge(f"n{i}", bad_item.id))
    for it in scene.items:
        if it.kind == "output":
            it.kind = "op"


def _has_nan(a: Any) -> bool:
    import numpy as np
    return bool(np.isnan(np.asarray(a)).any())


def _short_where(where: str) -> str:
    """``file:line in fn: code`` with the file reduced to its name (the line stays whole)."""
    if not where:
        return ""
    import os
    head, _, code = where.partition(" in ")
    path, _, line = head.rpartition(":")
    return f"{os.path.basename(path)}:{line} in {code}"


def draw_graph(root: Any, *, params: Mapping[str, Any] | None = None, values: bool = True, grads: bool = True,
               heat: bool = True, collapse: Any = None, fold_repeats: bool = True, only_grad: bool = False,
               rankdir: str = "TB", monitor: Any = None, title: str | None = None, expand: Any = None) -> Any:
    """The recorded graph behind ``root`` as a ``graphviz.Digraph`` (shows inline in Jupyter, ``.render()``s to
    SVG / PNG / PDF, with or without Graphviz installed: see ``viz.render``).

    root: a Tensor (usually the loss), an ``autograd.Graph``, or an ``autograd.AnomalyError`` (draws what led to
        the NaN / inf, the bad node in red with its inputs' values and your source line).
    params: ``dict(model.named_parameters())`` to name the parameters (not needed for ``nn`` modules: their calls
        record the names).
    values / grads: show each node's value and gradient (the number for a scalar; norm and range for a tensor).
    heat: colour every node and edge by the L2 norm of the gradient that flowed along it (log scale, bar drawn in
        the legend), as recorded by the last ``backward()``; grey and thin where no gradient flowed.
    collapse: an int depth (1 = the model's direct children drawn as single nodes), a list of module paths, or
        "auto" (expand modules while at most ~150 nodes are visible).
    fold_repeats: consecutive sibling modules of the same structure become one node ``ResidualBlock × 20``
        (name one of them in ``collapse`` to unfold the group into its blocks, or in ``expand`` to open it).
    expand: module paths to draw open whatever ``collapse`` and folding decided (e.g. ``["blocks.3"]``).
    only_grad: hide nodes and edges no gradient flowed through.
    rankdir: "TB" (inputs at the top) or "LR".
    """
    if rankdir not in ("TB", "LR", "BT", "RL"):
        raise ValueError(f"draw_graph: rankdir must be 'TB', 'LR', 'BT' or 'RL', got {rankdir!r}")
    scene = build_scene(root, params=params, values=values, grads=grads, heat=heat, collapse=collapse,
                        fold_repeats=fold_repeats, monitor=monitor, expand=expand)
    return diagram(scene, values=values, grads=grads, heat=heat, only_grad=only_grad, rankdir=rankdir, title=title)


def diagram(scene: Scene, *, values: bool = True, grads: bool = True, heat: bool = True, only_grad: bool = False,
            rankdir: str = "TB", title: str | None = None, edge_extra: dict | None = None) -> Any:
    """A scene as a ``viz.Diagram`` (a ``graphviz.Digraph`` that renders with or without ``dot``)."""
    from .render import Diagram
    body = _dot.scene_lines(scene, values=values, grads=grads, heat=heat, only_grad=only_grad,
                            edge_extra=edge_extra)
    d = Diagram("tracegrad", graph_attr=_dot.graph_attrs(rankdir, title), node_attr=_dot.NODE_ATTRS,
                edge_attr=_dot.EDGE_ATTRS, body=[ln + "\n" for ln in body])
    d.visible_nodes = scene.count_visible()
    d.render_limit = RENDER_LIMIT
    return d


def explore_graph(root: Any, *, params: Mapping[str, Any] | None = None, values: bool = True, grads: bool = True,
                  heat: bool = True, collapse: Any = "auto", fold_repeats: bool = True, only_grad: bool = False,
                  rankdir: str = "TB", monitor: Any = None, title: str | None = None, expand: Any = None) -> Any:
    """The graph as an interactive page (``viz.HTMLPage``): click a module to expand or collapse it, hover a node for
    its op, scope, shape, dtype, value and gradient; the heat bar shows the scale. One self-contained file that works
    offline. Starts collapsed ("auto") so a graph of thousands of nodes opens readable."""
    from .page import graph_page
    scene = build_scene(root, params=params, values=values, grads=grads, heat=heat, collapse=collapse,
                        fold_repeats=fold_repeats, monitor=monitor, expand=expand)
    data = page_data(scene, values=values, grads=grads, heat=heat, only_grad=only_grad, rankdir=rankdir,
                     title=title or "tracegrad graph")
    return graph_page(data, title=data["title"])


def page_data(scene: Scene, *, values: bool, grads: bool, heat: bool, only_grad: bool, rankdir: str,
              title: str, mode: str = "explore") -> dict[str, Any]:
    """The scene as the page's JSON: every node (the page collapses and expands itself), edges, modules, heat."""
    nodes = []
    keep = set()
    for it in scene.items:
        if only_grad and it.norm is None and it.kind != "output":
            continue
        keep.add(it.id)
        nodes.append({"id": it.id, "label": it.label, "kind": it.kind, "scope": it.scope,
                      "lines": it.lines(values, grads), "color": it.color if heat else None, "info": it.info(),
                      **({"highlight": it.highlight} if it.highlight else {})})
    edges = [{"src": e.src, "dst": e.dst, "color": e.color if heat else None, "width": e.width if heat else 1.0,
              "norm": e.norm} for e in scene.edges if e.src in keep and e.dst in keep]
    modules = []
    folded_member = {mem: g for g in scene.folds.values() for mem in g.members}
    for m in scene.modules.values():
        parent = m.parent
        if m.path in folded_member:
            parent = folded_member[m.path].path
        modules.append({"path": m.path, "label": m.label, "parent": parent, "lines": m.lines(grads),
                        "color": m.color if heat else None, "collapsed": m.path in scene.collapsed})
    for g in scene.folds.values():
        modules.append({"path": g.path, "label": g.label, "parent": g.parent, "lines": g.lines(grads),
                        "color": g.color if heat else None, "collapsed": True, "members": list(g.members)})
    order = {m["path"]: i for i, m in enumerate(modules)}
    by = {m["path"]: m for m in modules}
    depth: dict[str, int] = {}
    for m in modules:
        d, p = 0, m["parent"]
        while p and p in by:
            d, p = d + 1, by[p]["parent"]
        depth[m["path"]] = d
    modules.sort(key=lambda m: (depth[m["path"]], order[m["path"]]))
    return {"title": title, "mode": mode, "rankdir": rankdir, "nodes": nodes, "edges": edges, "modules": modules,
            "heat": scene.scale.to_dict() if heat else None}
