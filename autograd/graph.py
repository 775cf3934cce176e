"""The recorded graph as an object: what viz renders, what can be printed and exported."""
from __future__ import annotations

import json
import weakref
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Iterator, Mapping


from .vjp_helpers import ARRAYS
from .tensor import Tensor


_LEAF_NAMES: dict[int, tuple[Any, str]] = {}   # id(tensor) -> (weakref to it, qualified name)
SCOPE_KINDS: dict[str, str] = {}                 # scope path -> what made it (a module's class name)


def label_leaf(tensor: Tensor, name: str) -> None:
    """Record ``name`` (e.g. ``blocks.2.conv1.weight``) for a leaf tensor, so ``Graph.of`` names it without being
    given ``params``. ``nn.Module`` calls this for its parameters; the record dies with the tensor."""
    key = id(tensor)
    entry = _LEAF_NAMES.get(key)
    if entry is not None and entry[0]() is tensor and entry[1] == name:
        return

    def forget(_ref: Any, k: int = key) -> None:
        _LEAF_NAMES.pop(k, None)
    _LEAF_NAMES[key] = (weakref.ref(tensor, forget), name)


def leaf_label(tensor: Tensor) -> str | None:
    """The name ``label_leaf`` recorded for ``tensor``, or None."""
    entry = _LEAF_NAMES.get(id(tensor))
    return entry[1] if entry is not None and entry[0]() is tensor else None


def label_scope(path: str, kind: str) -> None:
    """Record what made scope ``path`` (``nn.Module`` records its class name), for clusters labelled
    ``blocks.2: ResidualBlock``. The latest call wins when two models share a path."""
    SCOPE_KINDS[path] = kind


def _postorder(roots: list[Any]) -> list[Any]:  # engine nodes, duck-typed (a Leaf has .ref, a Function not)
    """Every node behind ``roots``, parents first, in depth-first post-order over parents in order.

    Iterative (a 100,000-op chain must not hit the recursion limit), and decided by the graph's
    structure alone, not by when nodes were made: two renders of the same model get the same ids.
    """
    order, done = [], set()
    for root in roots:
        if root in done:
            continue
        stack = [(root, 0)]
        done.add(root)
        while stack:
            node, i = stack[-1]
            parents = node.parents
            while i < len(parents) and (parents[i] is None or parents[i] in done):
                i += 1
            if i < len(parents):
                stack[-1] = (node, i + 1)
                done.add(parents[i])
                stack.append((parents[i], 0))
            else:
                stack.pop()
                order.append(node)
    return order


@dataclass
class GraphNode:
    """One node: a primitive application, a parameter (leaf that requires grad) or a constant input."""
    id: int
    op: str
    scope: str
    shape: tuple
    dtype: str
    parents: list[int]
    is_leaf: bool
    requires_grad: bool
    name: str | None = None
    node: Any = field(default=None, repr=False, compare=False)  # the engine's node object

    @property
    def kind(self) -> str:
        """"op" for a primitive, "param" for a leaf that requires grad, "const" for any other leaf."""
        return "op" if not self.is_leaf else ("param" if self.requires_grad else "const")

    def to_dict(self) -> dict[str, Any]:
        """This node as JSON-ready values (parents by id; the engine's node left out)."""
        return {"id": self.id, "op": self.op, "kind": self.kind, "scope": self.scope, "shape": list(self.shape),
                "dtype": self.dtype, "parents": list(self.parents), "name": self.name}


class Graph:
    """Nodes in topological order (every parent before its children), ids 0..n-1."""

    def __init__(self, nodes: list[GraphNode], outputs: list[int], scope_kinds: dict[str, str] | None = None) -> None:
        self.nodes = nodes
        self.outputs = outputs
        self.scope_kinds = scope_kinds or {}  # scope path -> module class name, for the paths in this graph

    @classmethod
    def of_nodes(cls, roots: list[Any], params: Mapping[str, Tensor] | None = None) -> "Graph":
        """The graph behind engine nodes ``roots`` (a Tensor's ``grad_fn``, an ``AnomalyError``'s ``node``)."""
        order = _postorder(roots)
        ids = {n: i for i, n in enumerate(order)}
        names = {id(t): k for k, t in (params or {}).items()}
        nodes = []
        for i, n in enumerate(order):
            name = None
            if n.is_leaf:
                t = n.ref()
                if t is not None:
                    name = names.get(id(t)) or t.name or leaf_label(t)
                else:
                    name = getattr(n, "tname", None)
            scope = n.scope
            if n.is_leaf and name and "." in name:  # a parameter lives in the module its name says
                scope = name.rsplit(".", 1)[0]
            nodes.append(GraphNode(i, n.op, scope, tuple(n.shape), str(n.dtype),
                                   [ids[p] for p in n.parents if p is not None], n.is_leaf,
                                   bool(n.requires_grad), name, n))
        kinds = {}
        for scope in {n.scope for n in nodes}:
            parts = scope.split(".") if scope else []
            for k in range(1, len(parts) + 1):
                path = ".".join(parts[:k])
                if path in SCOPE_KINDS:
                    kinds[path] = SCOPE_KINDS[path]
        return cls(nodes, [ids[r] for r in roots], kinds)

    @classmethod
    def of(cls, *tensors: Tensor, params: Mapping[str, Tensor] | None = None) -> "Graph":
        """The graph recorded behind ``tensors``. ``params`` (e.g. ``dict(model.named_parameters())``)
        names the leaves; otherwise a tensor's ``.name`` is used."""
        roots: list[Any] = []
        for t in tensors:
            if not isinstance(t, Tensor):
                raise TypeError(f"Graph.of: expected Tensors, got {type(t).__name__}")
            if t._node is None:
                from .function import Leaf
                t._node = Leaf(t)
            roots.append(t._node)
        return cls.of_nodes(roots, params)

    # ---- reading ---------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.nodes)

    def __iter__(self) -> Iterator[GraphNode]:
        return iter(self.nodes)

    def __getitem__(self, i: int) -> GraphNode:
        return self.nodes[i]

    @property
    def edges(self) -> list[tuple[int, int]]:
        """(parent, child) pairs."""
        return [(p, n.id) for n in self.nodes for p in n.parents]

    def leaves(self) -> list[GraphNode]:
        """Nodes of tensors the user made (parameters and constants)."""
        return [n for n in self.nodes if n.is_leaf]

    def parameters(self) -> list[GraphNode]:
        """Leaves that require grad."""
        return [n for n in self.nodes if n.kind == "param"]

    def depth(self) -> int:
        """Length of the longest path from a leaf to an output, in ops."""
        d = [0] * len(self.nodes)
        for n in self.nodes:
            if n.parents:
                d[n.id] = 1 + max(d[p] for p in n.parents)
        return max(d, default=0)

    def stats(self) -> dict[str, Any]:
        """Node counts per op, depth, and the bytes held by arrays saved for backward."""
        held, seen = 0, set()
        for n in self.nodes:
            node = n.node
            kept = getattr(node, "__dict__", {}).values()  # what a primitive stashed on itself (conv's columns)
            for a in (*(getattr(node, "inputs", None) or ()), getattr(node, "out", None), *kept):
                if isinstance(a, ARRAYS) and id(a) not in seen:
                    seen.add(id(a))
                    held += a.nbytes
        ops = Counter(n.op for n in self.nodes if not n.is_leaf)
        return {"nodes": len(self.nodes), "edges": len(self.edges), "ops": dict(ops.most_common()),
                "parameters": len(self.parameters()), "constants": sum(n.kind == "const" for n in self.nodes),
                "depth": self.depth(), "saved_bytes": held}

    def scopes(self) -> dict[str, list[int]]:
        """Node ids grouped by scope path ('' for nodes made outside any scope)."""
        out: dict[str, list[int]] = {}
        for n in self.nodes:
            out.setdefault(n.scope, []).append(n.id)
        return out

    def to_dict(self) -> dict[str, Any]:
        """Nodes, outputs and stats as JSON-ready values."""
        return {"nodes": [n.to_dict() for n in self.nodes], "outputs": list(self.outputs), "stats": self.stats()}

    def to_json(self, **kw: Any) -> str:
        """``to_dict()`` as a JSON string (``kw`` goes to ``json.dumps``, e.g. ``indent=2``)."""
        return json.dumps(self.to_dict(), **kw)

    def __repr__(self) -> str:
        s = self.stats()
        return f"Graph({s['nodes']} nodes, {s['parameters']} parameters, depth {s['depth']}, ops {s['ops']})"

    def summary(self) -> str:
        """One line per node, in topological order: id, op, shape, scope, parents."""
        lines = []
        for n in self.nodes:
            label = n.name or n.op
            lines.append(f"{n.id:>4}  {label:<16} {str(n.shape):<14} {n.dtype:<8} "
                         f"{n.scope or '-':<20} <- {n.parents}")
        return "\n".join(lines)
