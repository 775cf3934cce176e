"""``backprop_replay``: the backward pass of any small graph, step by step, as the engine ran it.

A tracer watches the real ``loss.backward()``: each time a node's gradient becomes complete (``on_backward``) and
each time an op sends gradients to its inputs (``on_step``, with the arrays the op saved). From those events, in the
engine's order, come the frames: the node whose gradient just became complete, the contributions that summed to it,
and what it sends to each input, written as the local derivative with the numbers plugged in
(``∂L/∂a += ∂L/∂c · b = 1.5 · (−3) = −4.5``). Nothing is re-derived after the fact.
"""
from __future__ import annotations

import math
import os
from typing import Any

import numpy as np

import autograd
from autograd import Graph, Tensor

from .formulas import format_number, local_derivative
from .scene import Scene

_KEEP_FIELDS = ("grad", "highlight")


class _Tape(autograd.Tracer):
    """Keeps every gradient the engine hands it (the engine never writes into them afterwards)."""

    keeps_arrays = True

    def __init__(self) -> None:
        self.events: list[tuple] = []

    def on_backward(self, node: Any, grad: Any) -> None:
        self.events.append(("complete", node, grad))

    def on_step(self, node: Any, grad: Any, out: Any, inputs: tuple, grads_in: tuple) -> None:
        self.events.append(("step", node, grad, out, inputs, grads_in))


def _value(a: Any) -> Any:
    """A number for a one-element array, else ``{"shape": [...], "norm": x}`` (JSON-able)."""
    a = np.asarray(a.numpy() if isinstance(a, Tensor) else a)
    if a.size == 1:
        return float(a.reshape(()))
    r = a.astype(np.float64).ravel()
    return {"shape": list(a.shape), "norm": float(math.sqrt(float(np.dot(r, r))))}


def _text(v: Any) -> str:
    return format_number(v) if isinstance(v, float) else f"{tuple(v['shape'])} ‖·‖ {format_number(v['norm'])}"


class Replay:
    """The recorded backward pass: ``frames`` (plain data, one dict per step), ``page()``, ``save_frames()``."""

    def __init__(self, graph: Graph, frames: list[dict[str, Any]], arrays: dict[str, Any], scene: Scene) -> None:
        self.graph = graph
        self.frames = frames
        self.arrays = arrays  # node id -> the gradient array the engine computed (kept, never rewritten)
        self.scene = scene

    def __len__(self) -> int:
        return len(self.frames)

    def __repr__(self) -> str:
        return f"Replay({len(self.frames)} frames over a graph of {len(self.graph)} nodes)"

    def names(self) -> dict[str, str]:
        return {f"n{n.id}": _display_name(n) for n in self.graph.nodes}

    def diagram(self, k: int, *, rankdir: str = "TB") -> Any:
        """Frame ``k`` as a ``viz.Diagram``: the node just completed in orange, the nodes done in grey outline, the
        edges already traversed bold, the values sent along them as edge labels, the caption as the title."""
        from .draw import diagram
        frame = self.frames[k]
        done = {f["node"] for f in self.frames[:k]}
        saved = [(it, it.grad, it.highlight) for it in self.scene.items]
        try:
            for it in self.scene.items:
                if it.id == frame["node"]:
                    it.highlight = "current"
                elif it.id in done:
                    it.highlight = "done"
                else:
                    it.grad, it.highlight = "", ""
            extra = {}
            for f in self.frames[: k + 1]:
                for c in f["contributions"]:
                    cur = f is frame
                    attrs = ('style=bold, color="#ff7f0e", penwidth=2.5, label="' + _text(c["value"])
                             + '", fontsize=9, fontcolor="#d35400"') if cur else 'style=bold, color="#555555"'

                    extra[(c["to"], f["node"])] = attrs
            return diagram(self.scene, heat=False, rankdir=rankdir, title=f"step {k + 1}/{len(self.frames)}: "
                           + frame["text"].split("\n")[0], edge_extra=extra)
        finally:
            for it, grad, hl in saved:
                it.grad, it.highlight = grad, hl

    def page(self, *, rankdir: str = "TB") -> Any:
        """An ``HTMLPage`` with prev / next buttons, arrow keys and a slider over the frames."""
        from .draw import page_data
        from .page import graph_page
        data = page_data(self.scene, values=True, grads=False, heat=False, only_grad=False, rankdir=rankdir,
                         title="backprop, step by step", mode="replay")
        data["frames"] = [{**f, "grad": _text(f["grad"]),
                           "received": [{**r, "from": r["from"], "value": _text(r["value"])} for r in f["received"]],
                           "contributions": [{**c, "value": _text(c["value"])} for c in f["contributions"]]}
                          for f in self.frames]
        return graph_page(data, title=data["title"])

    def save_frames(self, directory: str, format: str = "svg") -> list[str]:  # noqa: A002 - the graphviz name
        """One picture per frame (``frame_000.svg``, ...); returns the paths."""
        os.makedirs(directory, exist_ok=True)
        paths = []
        for k in range(len(self.frames)):
            d = self.diagram(k)
            paths.append(d.render(outfile=os.path.join(directory, f"frame_{k:03d}.{format}")))
        return paths


def _const_name(inputs: Any, i: int) -> str:
    """A Python-number operand shows as its value (``c * 1.5``), anything else as "const"."""
    try:
        x = inputs[i]
    except (TypeError, IndexError):
        return "const"
    return format_number(float(x)) if isinstance(x, (int, float)) or np.size(x) == 1 and x is not None else "const"


def _display_name(n: Any) -> str:
    if n.name:
        return n.name
    return f"{n.op.lower()}{n.id}" if not n.is_leaf else f"x{n.id}"


def backprop_replay(loss: Tensor, *, max_nodes: int = 300, retain_graph: bool = False) -> Replay:
    """Run ``loss.backward()`` under a tracer and return the ``Replay`` of it, in the order the engine ran it.

    Each frame: ``node`` (the graph node id whose gradient just became complete), ``op``, ``grad`` (the value; for a
    tensor its shape and norm), ``received`` (the contributions from its consumers that summed to it: ``from``,
    ``text``, ``value``), ``contributions`` (what it sends to each input: ``to``, the local derivative with the
    numbers plugged in as ``text``, ``value``) and ``text`` (the caption).
    """
    if not isinstance(loss, Tensor):
        raise TypeError(f"backprop_replay: expected the loss Tensor, got {type(loss).__name__}")
    graph = Graph.of(loss)
    if len(graph) > max_nodes:
        raise ValueError(f"backprop_replay: the graph has {len(graph)} nodes, more than max_nodes={max_nodes}; a "
                         f"replay is for small graphs (a scalar network, one layer). Raise max_nodes, or replay a "
                         f"smaller piece; viz.draw_graph(loss, collapse='auto') draws big graphs")
    ids = {n.node: f"n{n.id}" for n in graph.nodes}
    names = {n.node: _display_name(n) for n in graph.nodes}
    tape = _Tape()
    with autograd.tracing(tape):
        loss.backward(retain_graph=retain_graph)
    from .draw import build_scene
    scene = build_scene(graph, heat=False)  # after the backward: its nodes know their gradients
    received: dict[Any, list[dict[str, Any]]] = {}
    steps: dict[Any, tuple] = {}
    for ev in tape.events:
        if ev[0] == "step":
            steps[ev[1]] = ev
    frames: list[dict[str, Any]] = []
    arrays: dict[str, Any] = {}
    for ev in tape.events:
        if ev[0] != "complete":
            continue
        _, node, grad = ev
        nid = ids.get(node)
        if nid is None:
            continue
        arrays[nid] = grad
        contributions = []
        step = steps.get(node)
        if step is not None:
            _, _, g, out, inputs, grads_in = step
            in_names = [names.get(p, "const") if p is not None else _const_name(inputs, i)
                        for i, p in enumerate(node.parents)]
            for i, (p, gi) in enumerate(zip(node.parents, grads_in)):
                if p is None or gi is None or not p.requires_grad or p not in ids:
                    continue
                text = local_derivative(node.op, i, names=in_names, out_name=names[node], grad=g, out=out,
                                        inputs=inputs, grad_in=gi, node=node)
                c = {"to": ids[p], "text": text, "value": _value(gi)}
                contributions.append(c)
                received.setdefault(p, []).append({"from": nid, "text": text, "value": c["value"]})
        got = received.get(node, [])
        value = _value(grad)
        frames.append({"node": nid, "op": node.op, "name": names[node], "grad": value, "received": got,
                       "contributions": contributions, "text": _caption(names[node], value, got, contributions)})
    return Replay(graph, frames, arrays, scene)


def _caption(name: str, value: Any, got: list[dict], sent: list[dict]) -> str:
    if not got:
        head = f"∂L/∂{name} = {_text(value)} (the start: dL/dL = 1)" if isinstance(value, float) and value == 1.0 \
            else f"∂L/∂{name} = {_text(value)} (the start)"
    elif len(got) == 1:
        head = f"∂L/∂{name} is complete: {_text(value)}"
    else:
        parts = " + ".join(_paren(_text(r["value"])) for r in got)
        head = f"∂L/∂{name} = {parts} = {_text(value)} (used {len(got)} times: the contributions add up)"
    lines = [head] + [c["text"] for c in sent]
    return "\n".join(lines)


def _paren(s: str) -> str:
    return f"({s})" if s.startswith(("-", "−")) else s
