"""What the chain-rule texts of ``viz.formulas`` are built from: number and array formats, one step's values.

``format_number`` and ``summarize`` (re-exported by ``viz.formulas``) are the formats shared with node labels;
``_Step`` looks up what one (op, input) pair knows, defensively, and ``_F`` is one formula before assembly. The
op modules (``formulas_elementwise``, ``formulas_tensor``) import from here, never from ``viz.formulas``.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

MINUS = "\u2212"
_ARRAYS = (np.ndarray, np.generic)


# ---- numbers and arrays ------------------------------------------------------------------------------------
def format_number(x: Any) -> str:
    """``x`` with 4 significant digits, compactly: ``0.7616``, ``−4.5``, ``9``, ``1.2e-05``, ``∞``, ``nan``.

    A negative number starts with the Unicode minus sign (U+2212); the exponent keeps NumPy's spelling.
    """
    if type(x) is float:
        v = x
    else:
        if isinstance(x, np.ndarray) and x.size == 1:
            x = x.reshape(-1)[0]
        if isinstance(x, (complex, np.complexfloating)):
            z = complex(x)
            if z.imag == 0:
                return format_number(z.real)
            return f"{format_number(z.real)}{'+' if z.imag >= 0 else MINUS}{format_number(abs(z.imag))}i"
        try:
            v = float(x)
        except (TypeError, ValueError):
            return str(x)
    if v != v:
        return "nan"
    if v in (math.inf, -math.inf):
        return "∞" if v > 0 else MINUS + "∞"
    s = f"{v:.4g}"
    if s[0] == "-":
        return "0" if s == "-0" else MINUS + s[1:]
    return s


def _raw(x: Any) -> Any:
    """The NumPy data behind a Tensor (a backward recorded under create_graph hands out Tensors)."""
    if x is None or isinstance(x, _ARRAYS) or type(x) in (float, int, bool):
        return x
    data = getattr(x, "_data", None)
    return data if data is not None else x


def _norm(a: np.ndarray) -> float:
    if a.size == 0:
        return 0.0
    if a.dtype.kind not in "fc":
        a = a.astype(np.float64)
    return float(np.linalg.norm(a.reshape(-1)))


def summarize(a: Any) -> str:
    """A scalar (or one-element array) as its number; an array as ``(shape) ‖·‖=… [min, max]``."""
    a = _raw(a)
    if a is None:
        return "None"
    if type(a) in (float, int, bool) or isinstance(a, np.generic):
        return format_number(a)
    try:
        arr = np.asarray(a)
    except Exception:
        return str(a)
    if arr.size == 1:
        return format_number(arr.reshape(-1)[0])
    shape = str(tuple(arr.shape))
    if arr.size == 0:
        return f"{shape} empty"
    if arr.dtype.kind not in "fiubc":
        return f"{shape} {arr.dtype}"
    if arr.dtype.kind == "c":
        return f"{shape} ‖·‖={format_number(_norm(arr))}"
    return f"{shape} ‖·‖={format_number(_norm(arr))} [{format_number(arr.min())}, {format_number(arr.max())}]"


def _operand(v: Any) -> str:
    """A number that follows an operator or carries an exponent: negative or 1e-05 forms in parentheses."""
    s = format_number(v)
    return f"({s})" if s[0] == MINUS or "e" in s else s


def _exponent(v: float) -> str:
    s = format_number(v)
    return f"({s})" if s[0] == MINUS or "e" in s else s


def _shape(t: Any) -> str:
    return str(tuple(t))


def _pair(v: Any) -> str:
    """(1, 1) -> "1"; (2, 1) -> "(2, 1)"."""
    try:
        a, b = v
        return str(a) if a == b else f"({a}, {b})"
    except (TypeError, ValueError):
        return str(v)


def _show_index(index: Any) -> str:
    items = index if isinstance(index, tuple) else (index,)
    out = []
    for it in items:
        it = _raw(it)
        if it is None:
            out.append("None")
        elif it is Ellipsis:
            out.append("...")
        elif isinstance(it, slice):
            s = "" if it.start is None else str(it.start)
            s += ":" + ("" if it.stop is None else str(it.stop))
            if it.step is not None:
                s += f":{it.step}"
            out.append(s)
        elif isinstance(it, np.ndarray):
            if it.dtype == bool:
                out.append(f"mask{_shape(it.shape)}")
            elif it.size <= 6:
                out.append(str(it.tolist()))
            else:
                out.append(f"<{it.dtype} {_shape(it.shape)}>")
        else:
            out.append(str(it))
    return "[" + ", ".join(out) + "]"


def _axes_text(axes: Any) -> str:
    if axes is None:
        return "all axes"
    axes = tuple(axes) if isinstance(axes, (tuple, list)) else (axes,)
    if len(axes) == 1:
        return f"axis {axes[0]}"
    return "axes " + ", ".join(str(a) for a in axes)


# ---- what one step knows -----------------------------------------------------------------------------------
class _Step:
    """The values of one (op, input) pair, each looked up defensively."""

    def __init__(self, op: str, index: int, names: Any, out_name: str, grad: Any, out: Any, inputs: Any,
                 grad_in: Any, node: Any) -> None:
        self.op, self.i, self.node = op, index, node
        self.names = list(names) if names is not None else []
        self.y = str(out_name)
        self.x = self.arg(index)
        self.dy = f"∂L/∂{self.y}"
        self.g = _as_array(grad)
        self.out = _raw(out)
        xs = _raw(inputs)
        self.xs = tuple(xs) if isinstance(xs, (tuple, list)) else ()
        self.gi = _as_array(grad_in)
        self.scalar = self.gi is not None and self.gi.size == 1 and (self.g is None or self.g.size == 1)

    # names
    def arg(self, j: int) -> str:
        if 0 <= j < len(self.names) and self.names[j] is not None:
            return str(self.names[j])
        return f"#{j}"

    def attr(self, name: str, default: Any = None) -> Any:
        try:
            return getattr(self.node, name, default)
        except Exception:
            return default

    # values (one-element ones as floats, None when unknown)
    def input(self, j: int) -> Any:
        if 0 <= j < len(self.xs):
            return _raw(self.xs[j])
        return None

    def val(self, j: int) -> float | None:
        return _scalar(self.input(j))

    def yval(self) -> float | None:
        return _scalar(self.out)

    def gval(self) -> float | None:
        return _scalar(self.g)

    # shapes
    def shape(self, j: int) -> tuple | None:
        v = self.input(j)
        if v is not None:
            return tuple(np.shape(v))
        try:
            p = self.node.parents[j]
            if p is not None:
                return tuple(p.shape)
        except Exception:
            pass
        if j == self.i and self.gi is not None:
            return tuple(self.gi.shape)
        return None

    def gshape(self) -> tuple | None:
        return None if self.g is None else tuple(self.g.shape)


def _as_array(x: Any) -> np.ndarray | None:
    x = _raw(x)
    if x is None:
        return None
    try:
        return np.asarray(x)
    except Exception:
        return None


def _scalar(v: Any) -> float | None:
    if v is None:
        return None
    if type(v) in (float, int, bool):
        return float(v)
    try:
        a = np.asarray(v)
        if a.size != 1 or a.dtype.kind not in "fiub":
            return None
        return float(a.reshape(-1)[0])
    except Exception:
        return None


class _F:
    """One formula: ``expr`` follows ``∂L/∂x +=``; ``nums`` is it with the numbers plugged in (scalars only);
    ``note`` is the shapes (tensors only)."""

    __slots__ = ("expr", "nums", "note")

    def __init__(self, expr: str, nums: str | None = None, note: str | None = None) -> None:
        self.expr, self.nums, self.note = expr, nums, note


def _gnote(c: _Step) -> str | None:
    return None if c.g is None else _shape(c.g.shape)
