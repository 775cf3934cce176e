"""The pieces a ``Scene`` is made of: a drawn graph node (``Item``), an ``Edge``, a ``Module`` box (or fold group),
and the number / shape formatting every writer shares."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from .heat import Summary


def fmt(x: float) -> str:
    """A number in at most 4 significant digits (``0.7616``, ``-4.5``, ``1.2e-05``); stable across runs."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "nan"
    if isinstance(x, float) and math.isinf(x):
        return "inf" if x > 0 else "-inf"
    if x == 0:
        return "0"
    s = f"{x:.4g}"
    return s


def describe(s: Summary | None, full: bool = True) -> str:
    """A value or gradient summary as short text: the number itself for one element, else norm and range."""
    if s is None:
        return ""
    if s.values is not None and len(s.values.shape) == 0 or (s.values is not None and s.values.size == 1):
        v = float(s.values.reshape(-1)[0])
        return f"{v:.6g}" if full else fmt(v)
    if math.isnan(s.norm):
        return f"{s.dtype}"
    text = f"‖·‖ {fmt(s.norm)}"
    if not math.isnan(s.min):
        text += f"  [{fmt(s.min)}, {fmt(s.max)}]"
    return text


def shape_text(shape: tuple) -> str:
    return "(" + ", ".join(str(d) for d in shape) + ")" if len(shape) != 1 else f"({shape[0]},)"


@dataclass
class Item:
    """One graph node as drawn."""
    id: str                 # stable: "n<graph id>"
    gid: int                # the autograd.Graph id
    kind: str               # "op" | "param" | "input" | "const" | "output"
    label: str
    scope: str
    shape: tuple
    dtype: str
    value: str = ""
    grad: str = ""
    norm: float | None = None   # the norm of this node's gradient (None: no gradient)
    color: str | None = None
    where: str = ""
    highlight: str = ""         # "" | "bad" (NaN provenance) | "current" / "done" (replay)
    notes: list[str] = field(default_factory=list)  # extra lines (NaN provenance: the inputs that caused it)

    def lines(self, values: bool, grads: bool) -> list[str]:
        out = [f"{shape_text(self.shape)} {self.dtype}"] if self.shape else [self.dtype]
        if values and self.value:
            out.append(("out " if self.kind in ("op", "output") else "data ") + self.value)
        if grads and self.grad:
            out.append("grad " + self.grad)
        out.extend(self.notes)
        if self.where:
            out.append(self.where)
        return out

    def info(self) -> dict[str, str]:
        return {"op": self.label if self.kind == "op" or self.kind == "output" else self.kind, "scope": self.scope,
                "shape": shape_text(self.shape), "dtype": self.dtype, "value": self.value, "grad": self.grad,
                **({"where": self.where} if self.where else {})}


@dataclass
class Edge:
    src: str
    dst: str
    norm: float | None = None   # gradient that flowed back along it (None: none)
    color: str | None = None
    width: float = 0.6


@dataclass
class Module:
    """A module path in the graph (or a fold group: ``members`` set, the siblings it stands for)."""
    path: str
    kind: str                   # the module's class name ("" when not known)
    parent: str                 # enclosing module path, or a fold group's id, "" at top level
    first: int                  # smallest graph id inside (network order)
    members: list[str] = field(default_factory=list)
    n_params: int = 0
    in_shapes: list[tuple] = field(default_factory=list)
    out_shapes: list[tuple] = field(default_factory=list)
    grad_in: float | None = None    # ‖∂L/∂(its output)‖: the gradient that entered it, backwards
    grad_out: float | None = None   # ‖∂L/∂(its inputs)‖: the gradient that left it
    color: str | None = None
    badge: str = ""

    @property
    def id(self) -> str:
        return "m:" + self.path

    @property
    def label(self) -> str:
        if self.members:
            return f"{self.kind or 'Module'} × {len(self.members)}"
        return f"{self.path}: {self.kind}" if self.kind else self.path

    def lines(self, grads: bool) -> list[str]:
        out = []
        if self.members:
            out.append(f"{self.members[0]} … {self.members[-1]}")
        if self.n_params:
            out.append(f"{self.n_params:,} params" + (" in all" if self.members else ""))
        if self.in_shapes or self.out_shapes:
            ins = ", ".join(shape_text(s) for s in self.in_shapes[:3]) or "–"
            outs = ", ".join(shape_text(s) for s in self.out_shapes[:3]) or "–"
            out.append(f"in {ins} → out {outs}")
        if grads and self.grad_out is not None:
            out.append(f"grad left ‖·‖ {fmt(self.grad_out)}")
        elif grads and self.grad_in is not None:
            out.append(f"grad in ‖·‖ {fmt(self.grad_in)}")
        if self.badge:
            out.append(self.badge)
        return out


def _depth(path: str) -> int:
    return path.count(".") + 1 if path else 0


def _ancestors(path: str) -> list[str]:
    """``a.b.c`` -> ``["a", "a.b", "a.b.c"]``."""
    parts = path.split(".")
    return [".".join(parts[:k]) for k in range(1, len(parts) + 1)] if path else []
