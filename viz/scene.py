"""What to draw: one model of a graph picture, built from ``autograd.Graph`` and the heat recorder, that every writer
(DOT text, the interactive page, replay frames) reads.

A ``Scene`` has every graph node (``Item`` with kind, label, detail lines, heat colour, hover info), every edge
(with the norm of the gradient that flowed along it), the module tree (from the scope paths ``nn.Module.__call__``
records, labelled ``blocks.2: ResidualBlock``), fold groups (consecutive sibling modules with the same structure)
and the set of collapsed modules. ``visible()`` resolves collapse and folding into the nodes and edges a picture
shows. Heat, collapse and highlights change the scene, not the writers.

Everything is iterative (a 100,000-op chain has no recursion to overflow) and ordered by the graph's structure
(``Graph`` ids come from a depth-first walk), so the same model and input give the same scene on every run.
"""
from __future__ import annotations

import math
from collections import deque
from typing import Any, Iterable

import autograd
from autograd import Graph, Tensor

from . import heat as _heat
from .heat import HeatScale
from .parts import Edge, Item, Module, _ancestors, _depth, describe, fmt, shape_text  # noqa: F401  (re-exported)

AUTO_BUDGET = 150  # collapse="auto" expands modules while at most this many nodes are visible

class Scene:
    """The graph as drawn: items, edges, modules, fold groups, collapsed set and heat scale."""

    def __init__(self, graph: Graph, *, heat: bool = True, values: bool = True, grads: bool = True) -> None:
        self.graph = graph
        self.values, self.grads, self.heat_on = values, grads, heat
        rec = _heat.RECORDER
        self.items: list[Item] = []
        self.edges: list[Edge] = []
        outputs = set(graph.outputs)
        for n in graph.nodes:
            node = n.node
            if n.is_leaf:
                kind = "param" if n.requires_grad else (
                    "input" if n.dtype.startswith(("float", "complex")) else "const")
                label = n.name or ("parameter" if kind == "param" else kind)
            else:
                kind = "output" if n.id in outputs else "op"
                label = n.op
            gs = rec.grad(node) if node is not None else None
            item = Item(f"n{n.id}", n.id, kind, label, n.scope, n.shape, n.dtype,
                        value=describe(rec.value(node)) if node is not None else "",
                        grad=describe(gs), norm=None if gs is None else gs.norm)
            self.items.append(item)
            if node is not None and not n.is_leaf:
                k = 0
                for i, p in enumerate(node.parents):
                    if p is None:
                        continue
                    pid = n.parents[k]
                    k += 1
                    self.edges.append(Edge(f"n{pid}", item.id, rec.edge_norm(node, i) if p.requires_grad else None))
        self.modules: dict[str, Module] = {}
        self._children: dict[str, list[Module]] | None = None
        self._build_modules()
        self.collapsed: set[str] = set()
        self.folds: dict[str, Module] = {}
        self.scale = HeatScale([it.norm for it in self.items] + [e.norm for e in self.edges]
                               + [m.grad_out for m in self.modules.values()])
        if heat:
            self.apply_heat()

    # ---- modules -----------------------------------------------------------------------------
    def _build_modules(self) -> None:
        kinds = self.graph.scope_kinds
        first: dict[str, int] = {}
        for it in self.items:
            for p in _ancestors(it.scope):
                if p not in first:
                    first[p] = it.gid
        for path in sorted(first, key=lambda p: (first[p], _depth(p))):
            parent = path.rsplit(".", 1)[0] if "." in path else ""
            self.modules[path] = Module(path, kinds.get(path, ""), parent, first[path])
        owner = self._owner = self.owner_map(set(self.modules))  # the innermost module of every item
        params: dict[str, int] = {}
        for it in self.items:
            if it.kind == "param":
                size = math.prod(it.shape)
                for p in _ancestors(it.scope):
                    params[p] = params.get(p, 0) + size
        for path, m in self.modules.items():
            m.n_params = params.get(path, 0)
        # what crosses each module's boundary: inputs from outside, outputs consumed outside
        by_id = {it.id: it for it in self.items}
        grad_in: dict[str, float] = {}
        grad_out: dict[str, float] = {}
        seen_in: dict[str, set] = {}
        seen_out: dict[str, set] = {}
        for e in self.edges:
            src, dst = by_id[e.src], by_id[e.dst]
            a, b = set(_ancestors(owner.get(src.id, ""))), set(_ancestors(owner.get(dst.id, "")))
            for path in b - a:  # an edge into the module: src is one of its inputs
                if src.kind in ("param",):
                    continue
                if src.id not in seen_in.setdefault(path, set()):
                    seen_in[path].add(src.id)
                    self.modules[path].in_shapes.append(src.shape)
                if e.norm is not None:
                    grad_out[path] = grad_out.get(path, 0.0) + e.norm ** 2
            for path in a - b:  # an edge out of the module
                if src.id not in seen_out.setdefault(path, set()):
                    seen_out[path].add(src.id)
                    self.modules[path].out_shapes.append(src.shape)
                if e.norm is not None:
                    grad_in[path] = grad_in.get(path, 0.0) + e.norm ** 2
        for path, m in self.modules.items():
            m.grad_out = math.sqrt(grad_out[path]) if path in grad_out else None
            m.grad_in = math.sqrt(grad_in[path]) if path in grad_in else None

    def owner_map(self, paths: set[str]) -> dict[str, str]:
        """item id -> the innermost path of ``paths`` that contains it (items outside all are left out)."""
        cache: dict[str, str] = {}
        out = {}
        for it in self.items:
            sc = it.scope
            if sc not in cache:
                best = ""
                for p in _ancestors(sc):
                    if p in paths:
                        best = p
                cache[sc] = best
            if cache[sc]:
                out[it.id] = cache[sc]
        return out

    def children(self, path: str) -> list[Module]:
        """The direct child modules of ``path`` ("" for the top), in network order."""
        if self._children is None:
            self._children = {}
            for m in self.modules.values():
                self._children.setdefault(m.parent, []).append(m)
        return self._children.get(path, [])

    def fold(self) -> None:
        """Group consecutive sibling modules of the same structure into fold groups (``ResidualBlock × 20``)."""
        sig = self._signatures()
        parents = [""] + list(self.modules)
        for parent in parents:
            kids = self.children(parent)
            run: list[Module] = []
            for m in kids + [None]:  # type: ignore[list-item]
                if run and m is not None and sig[m.path] == sig[run[0].path] and self._adjacent(run[-1], m):
                    run.append(m)
                    continue
                if len(run) >= 2:
                    gid = f"{run[0].path}~{run[-1].path.rsplit('.', 1)[-1]}"
                    g = Module(gid, run[0].kind, parent, run[0].first, [r.path for r in run],
                               n_params=sum(r.n_params for r in run), in_shapes=run[0].in_shapes,
                               out_shapes=run[-1].out_shapes, grad_in=run[-1].grad_in, grad_out=run[0].grad_out)
                    self.folds[gid] = g
                run = [m] if m is not None else []

    def _adjacent(self, a: Module, b: Module) -> bool:
        """Does ``b`` consume what ``a`` produced (a chain of blocks, not parallel branches)?"""
        return bool(a.out_shapes) and a.out_shapes[-1] in b.in_shapes

    def _signatures(self) -> dict[str, tuple]:
        """Per module: its class, and the op, relative scope, shape and dtype of everything inside, in order."""
        rows: dict[str, list] = {p: [self.modules[p].kind] for p in self.modules}
        for it in self.items:
            for p in _ancestors(it.scope):
                rows[p].append((it.label if it.kind in ("op", "output") else it.kind, it.scope[len(p):], it.shape,
                                it.dtype))
        return {p: tuple(r) for p, r in rows.items()}

    # ---- collapse ----------------------------------------------------------------------------
    def collapse(self, how: Any) -> None:
        """``how``: None, an int depth, a list of module paths, or "auto"."""
        if how is None:
            return
        if isinstance(how, bool) or not isinstance(how, (int, str, list, tuple, set)):
            raise TypeError(f"draw_graph: collapse must be None, an int depth, a list of module paths or 'auto', "
                            f"got {how!r}")
        if isinstance(how, int):
            if how < 1:
                raise ValueError(f"draw_graph: collapse depth must be >= 1 (the model's direct children are "
                                 f"depth 1), got {how}")
            self.collapsed = {p for p in self.modules if _depth(p) == how}
        elif how == "auto":
            self._auto()
        elif isinstance(how, str):
            raise ValueError(f"draw_graph: collapse={how!r} is not understood; use 'auto', an int depth or a list "
                             f"of module paths")
        else:
            paths = [str(p) for p in how]
            unknown = [p for p in paths if p not in self.modules]
            if unknown:
                raise ValueError(f"draw_graph: collapse names {unknown}, which are not module paths in this graph; "
                                 f"the graph has {list(self.modules)[:12]}{' …' if len(self.modules) > 12 else ''}")
            self.collapsed = set(paths)
            for g in list(self.folds.values()):  # naming a folded member (or a module in one) unfolds its group:
                named = [mem for mem in g.members if any(p == mem or p.startswith(mem + ".") for p in paths)]
                if named:  # its members are drawn one by one, collapsed, except one opened by a path inside it
                    del self.folds[g.path]
                    for mem in g.members:
                        if not any(p.startswith(mem + ".") for p in paths):
                            self.collapsed.add(mem)

    def expand(self, paths: Iterable[str]) -> None:
        """Draw these modules open: unfold any group holding one, and open every collapsed module around them."""
        for path in paths:
            if path not in self.modules:
                raise ValueError(f"draw_graph: expand names {path!r}, which is not a module path in this graph")
            chain = _ancestors(path)
            for g in list(self.folds.values()):
                if any(mem in chain for mem in g.members):
                    del self.folds[g.path]
                    self.collapsed.update(mem for mem in g.members if mem not in chain)
            self.collapsed.difference_update(chain)

    def _auto(self) -> None:
        """Expand modules breadth first (network order) while at most ``AUTO_BUDGET`` nodes stay visible."""
        self.collapsed = {m.path for m in self.children("")}
        visible = self.count_visible()
        if visible <= AUTO_BUDGET and not self.collapsed:
            return
        inside = self._direct_counts()
        groups_of: dict[str, list[Module]] = {}
        for g in self.folds.values():
            groups_of.setdefault(g.parent, []).append(g)
        queue = deque(m.path for m in self.children(""))
        while queue:
            path = queue.popleft()
            kids = self.children(path)
            groups = groups_of.get(path, [])
            folded = {mem for g in groups for mem in g.members}
            units = inside.get(path, 0) + len([k for k in kids if k.path not in folded]) + len(groups)
            if visible - 1 + units <= AUTO_BUDGET:
                self.collapsed.discard(path)
                visible += units - 1
                for k in kids:
                    if k.path not in folded:
                        self.collapsed.add(k.path)
                        queue.append(k.path)
                    else:
                        self.collapsed.add(k.path)  # inside a fold group: shown only when it is unfolded

    def _direct_counts(self) -> dict[str, int]:
        owner = self._owner
        counts: dict[str, int] = {}
        for it in self.items:
            o = owner.get(it.id)
            if o:
                counts[o] = counts.get(o, 0) + 1
        return counts

    # ---- what a picture shows ------------------------------------------------------------------
    def unit_of(self) -> dict[str, str]:
        """item id -> the id it is drawn as: itself, a collapsed module ``m:path`` or a fold group ``m:a~b``."""
        member_group = {mem: g for g in self.folds.values() for mem in g.members}
        cache: dict[str, str] = {}
        out = {}
        for it in self.items:
            sc = it.scope
            if sc not in cache:
                unit = it.id
                for p in _ancestors(sc):
                    if p in member_group:
                        unit = member_group[p].id
                        break
                    if p in self.collapsed:
                        unit = "m:" + p
                        break
                cache[sc] = unit if unit != it.id else ""
            out[it.id] = cache[sc] or it.id
        return out

    def count_visible(self) -> int:
        return len(set(self.unit_of().values()))

    def visible(self, only_grad: bool = False) -> tuple[list[Item | Module], list[Edge]]:
        """The nodes (items and collapsed modules / fold groups, in network order) and the merged edges."""
        unit = self.unit_of()
        nodes: list[Item | Module] = []
        seen: set[str] = set()
        mods = {**{m.id: m for m in self.modules.values()}, **{g.id: g for g in self.folds.values()}}
        for it in self.items:
            u = unit[it.id]
            if u in seen:
                continue
            if only_grad and u == it.id and it.norm is None and it.kind != "output":
                continue
            seen.add(u)
            nodes.append(it if u == it.id else mods[u])
        edges: list[Edge] = []
        merged: dict[tuple[str, str], Edge] = {}
        for e in self.edges:
            a, b = unit[e.src], unit[e.dst]
            if a == b or a not in seen or b not in seen or (only_grad and e.norm is None):
                continue
            if a == e.src and b == e.dst:  # between two plain nodes: every edge (x * x draws two)
                edges.append(Edge(a, b, e.norm, e.color, e.width))
                continue
            old = merged.get((a, b))  # into or out of a collapsed module: one edge, the hottest
            if old is None:
                merged[(a, b)] = Edge(a, b, e.norm, e.color, e.width)
            elif e.norm is not None and (old.norm is None or e.norm > old.norm):
                old.norm, old.color, old.width = e.norm, e.color, e.width
        return nodes, edges + list(merged.values())

    def expanded_modules(self, nodes: Iterable[Item | Module]) -> list[Module]:
        """The modules drawn as boxes (clusters): those holding a visible node, in network order."""
        need: set[str] = set()
        for n in nodes:
            need.update(_ancestors(n.scope if isinstance(n, Item) else n.parent))
        return [m for p, m in self.modules.items() if p in need]

    # ---- heat --------------------------------------------------------------------------------
    def apply_heat(self) -> None:
        sc = self.scale
        for it in self.items:
            it.color = sc.color(it.norm)
        for e in self.edges:
            e.color, e.width = sc.color(e.norm), sc.width(e.norm)
        for m in self.modules.values():  # the gradient that left it; for a first layer (no input gradient) the one
            m.color = sc.color(m.grad_out if m.grad_out is not None else m.grad_in)  # that came in

    def refresh_fold_heat(self) -> None:
        for g in self.folds.values():
            g.color = self.scale.color(g.grad_out if g.grad_out is not None else g.grad_in) if self.heat_on else None


def graph_of(root: Any, params: Any = None) -> Graph:
    """``root`` as an ``autograd.Graph``: a Tensor, a list of Tensors, a Graph, or an ``AnomalyError``."""
    if isinstance(root, Graph):
        return root
    if isinstance(root, autograd.AnomalyError):
        return root.graph()
    if isinstance(root, Tensor):
        return Graph.of(root, params=params)
    if isinstance(root, (list, tuple)) and root and all(isinstance(t, Tensor) for t in root):
        return Graph.of(*root, params=params)
    raise TypeError(f"draw_graph: root must be a Tensor (usually the loss), a list of Tensors, an autograd.Graph "
                    f"or an autograd.AnomalyError, got {type(root).__name__}")
