"""The chain-rule step of each primitive, written out with the numbers plugged in.

A backprop replay shows, for every op whose output gradient is complete, what the op sends to each of its
inputs. For scalars it is the lecture's slide::

    ∂L/∂a += ∂L/∂c · b = 1.5 · (−3) = −4.5

and for tensors the symbolic form with the shapes involved and the norm of what was sent::

    ∂L/∂A += ∂L/∂C @ Bᵀ  [(128, 10) @ (10, 256)] → ‖·‖ = 3.2

The number at the end is always computed from the gradient the engine actually sent, so the text can never
disagree with the engine; the formula in front of it is the primitive's backward (autograd/ops/*.py) read
aloud. ``local_derivative`` never raises: an op it does not know (a ctx-style custom function, a primitive
added later) or values the op did not save give the symbolic form and the result.

``format_number`` and ``summarize`` are the number and array formats shared with node labels.
"""
from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

__all__ = ["format_number", "summarize", "local_derivative", "DEDICATED"]

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


# ---- elementwise: ∂L/∂x = ∂L/∂y · f'(…) ----------------------------------------------------------------------
def _local(c: _Step, sym: str, nums: str | None, *, constant: bool = False, extra: list | None = None,
           times: str = "⊙") -> _F:
    """``∂L/∂y · sym`` with ``nums`` the local derivative's numbers (None: unknown); in tensor mode an
    elementwise product (⊙), summed back when the input was broadcast."""
    if c.scalar:
        g = c.gval()
        return _F(f"{c.dy} · {sym}", None if constant or nums is None or g is None else
                  f"{format_number(g)} · {nums}")
    expr = f"{c.dy} {'·' if constant else times} {sym}"
    notes = [] if c.g is None else [_shape(c.g.shape)]
    target = c.shape(c.i)
    if target is not None and c.g is not None and tuple(target) != tuple(c.g.shape):
        notes.append(f"summed to {_shape(target)}")
    notes.extend(extra or ())
    return _F(expr, None, ", ".join(notes) or None)


def _fill(template: str, c: _Step, need_x: bool, need_y: bool) -> str | None:
    """The template with the values in: {x} / {y} as operands, {xr} / {yr} plain (inside a function call)."""
    xv = c.val(c.i) if need_x else None
    yv = c.yval() if need_y else None
    if (need_x and xv is None) or (need_y and yv is None):
        return None
    return template.format(x=_operand(xv) if need_x else "", xr=format_number(xv) if need_x else "",
                           y=_operand(yv) if need_y else "", yr=format_number(yv) if need_y else "")


# op -> (local derivative with names, with numbers); {x} is the input, {y} the output
_UNARY: dict[str, tuple[str, str]] = {
    "Exp": ("{y}", "{y}"),
    "Log": ("1/{x}", "1/{x}"),
    "Sqrt": ("1/(2·{y})", "1/(2·{y})"),
    "Abs": ("sign({x})", "sign({xr})"),
    "Sin": ("cos({x})", "cos({xr})"),
    "Cos": ("(−sin({x}))", "(−sin({xr}))"),
    "Tanh": ("(1 − {y}²)", "(1 − {y}²)"),
    "Sigmoid": ("{y}(1 − {y})", "{y}·(1 − {y})"),
    "Log1p": ("1/(1 + {x})", "1/(1 + {x})"),
    "Expm1": ("({y} + 1)", "({yr} + 1)"),
    "Asin": ("1/√(1 − {x}²)", "1/√(1 − {x}²)"),
    "Acos": ("(−1/√(1 − {x}²))", "(−1/√(1 − {x}²))"),
    "Atan": ("1/(1 + {x}²)", "1/(1 + {x}²)"),
    "Tan": ("(1 + {y}²)", "(1 + {y}²)"),
    "Sinh": ("cosh({x})", "cosh({xr})"),
    "Cosh": ("sinh({x})", "sinh({xr})"),
    "Log2": ("1/({x}·ln 2)", "1/({x}·ln 2)"),
    "Log10": ("1/({x}·ln 10)", "1/({x}·ln 10)"),
    "Reciprocal": ("(−{y}²)", "(−{y}²)"),
    "Rsqrt": ("(−{y}³/2)", "(−{y}³/2)"),
}


def _unary(c: _Step) -> _F:
    sym, num = _UNARY[c.op]
    need_x, need_y = "{x" in num, "{y" in num
    return _local(c, sym.format(x=c.x, y=c.y), _fill(num, c, need_x, need_y))


def _constant(value: str) -> Callable[[_Step], _F]:
    def rule(c: _Step) -> _F:
        return _local(c, value, None, constant=True)
    return rule


def _sub(c: _Step) -> _F:
    return _local(c, "1" if c.i == 0 else f"({MINUS}1)", None, constant=True)


def _other_note(c: _Step, j: int, label: str | None = None) -> list:
    """In tensor mode, a one-element operand's value is worth showing (mean's 1/n, a scale)."""
    v = c.val(j)
    return [] if v is None or c.scalar else [f"{label or c.arg(j)} = {format_number(v)}"]


def _mul(c: _Step) -> _F:
    j = 1 - c.i
    v = c.val(j)
    return _local(c, c.arg(j), None if v is None else _operand(v), extra=_other_note(c, j),
                  times="·" if v is not None else "⊙")


def _div(c: _Step) -> _F:
    a, b = c.arg(0), c.arg(1)
    av, bv = c.val(0), c.val(1)
    if c.i == 0:
        return _local(c, f"1/{b}", None if bv is None else f"1/{_operand(bv)}", extra=_other_note(c, 1),
                      times="·" if bv is not None else "⊙")
    nums = None if av is None or bv is None else f"({MINUS}{_operand(av)}/{_operand(bv)}²)"
    return _local(c, f"({MINUS}{a}/{b}²)", nums, extra=_other_note(c, 0))


def _exponent(v: float) -> str:
    s = format_number(v)
    return f"({s})" if s[0] == MINUS or "e" in s else s


def _pow(c: _Step) -> _F:
    a, b = c.arg(0), c.arg(1)
    av, bv = c.val(0), c.val(1)
    if c.i == 0:
        parents = c.attr("parents", None)
        if parents is not None and len(parents) > 1:
            const_exp = parents[1] is None
        else:  # no node: a Python number is what a constant exponent is saved as
            const_exp = type(c.input(1)) in (float, int)
        n = "n" if const_exp else b
        sym = f"{n}·{a}^({n}−1)"
        nums = None if av is None or bv is None else f"{_operand(bv)}·{_operand(av)}^{_exponent(bv - 1)}"
        return _local(c, sym, nums, extra=_other_note(c, 1, n))
    yv = c.yval()
    nums = None if av is None or yv is None else f"{_operand(yv)}·ln({format_number(av)})"
    extra = _other_note(c, 0)
    base = c.input(0)
    try:
        if not c.scalar and (base is None or np.any(np.asarray(base) == 0)):
            extra.append(f"0 where {a} = 0")
    except Exception:
        pass
    return _local(c, f"{c.y}·ln {a}", nums, extra=extra)


def _relu(c: _Step) -> _F:
    yv = c.yval()
    xv = c.val(0)
    nums = None
    if yv is not None:
        nums = "1" if yv > 0 else "0"
    elif xv is not None:
        nums = "1" if xv > 0 else "0"
    return _local(c, f"[{c.x} > 0]", nums)


def _extremum2(c: _Step) -> _F:
    """Maximum / Minimum: all to the winner, half each on a tie."""
    me, other = c.arg(c.i), c.arg(1 - c.i)
    rel = ">" if c.op == "Maximum" else "<"
    mv, ov = c.val(c.i), c.val(1 - c.i)
    nums = None
    if mv is not None and ov is not None:
        wins = mv > ov if rel == ">" else mv < ov
        nums = "0.5" if mv == ov else ("1" if wins else "0")
    return _local(c, f"[{me} {rel} {other}]", nums, extra=["½ each on a tie"])


def _where(c: _Step) -> _F:
    cond = c.attr("cond", None)
    cv = _scalar(cond)
    sym = "[cond]" if c.i == 1 else "[¬cond]"
    nums = None
    if cv is not None:
        nums = "1" if bool(cv) == (c.i == 1) else "0"
    return _local(c, sym, nums)


def _bound(v: Any, name: str) -> str:
    s = _scalar(_raw(v))
    return name if s is None else format_number(s)


def _clip(c: _Step) -> _F:
    lo, hi = c.attr("lo", None), c.attr("hi", None)
    x = c.x
    if lo is not None and hi is not None:
        sym = f"[{_bound(lo, 'lo')} ≤ {x} ≤ {_bound(hi, 'hi')}]"
    elif lo is not None:
        sym = f"[{x} ≥ {_bound(lo, 'lo')}]"
    elif hi is not None:
        sym = f"[{x} ≤ {_bound(hi, 'hi')}]"
    else:
        sym = "1"
    xv = c.val(0)
    nums = None
    if xv is not None:
        ok = True
        lv, hv = _scalar(_raw(lo)), _scalar(_raw(hi))
        if lo is not None:
            ok = ok and lv is not None and xv >= lv
        if hi is not None:
            ok = ok and hv is not None and xv <= hv
        if (lo is None or lv is not None) and (hi is None or hv is not None):
            nums = "1" if ok else "0"
    return _local(c, sym, nums)


def _cast(c: _Step) -> _F:
    src = c.attr("src", None)
    if c.scalar:
        return _local(c, "1", None, constant=True)
    return _F(f"{c.dy} cast back to {src}" if src is not None else f"{c.dy} cast back", None,
              None if c.g is None else _shape(c.g.shape))


# ---- shape and movement ------------------------------------------------------------------------------------
def _structural(expr: Callable[[_Step], str], note: Callable[[_Step], str | None] | None = None) -> Callable:
    def rule(c: _Step) -> _F:
        return _F(expr(c), None, None if c.scalar or note is None else note(c))
    return rule


def _gnote(c: _Step) -> str | None:
    return None if c.g is None else _shape(c.g.shape)


def _arrow_note(c: _Step) -> str | None:
    target = c.shape(c.i)
    if c.g is None or target is None:
        return _gnote(c)
    return f"{_shape(c.g.shape)} → {_shape(target)}"


def _reshape(c: _Step) -> str:
    shape = c.attr("shape_in", None) or c.shape(0)
    return f"reshape {c.dy} back to {_shape(shape)}" if shape is not None else f"reshape {c.dy} back"


def _transpose(c: _Step) -> str:
    axes = c.attr("axes", None)
    try:
        n = len(axes)
        inv = tuple(int(a) for a in np.argsort([a % max(n, 1) for a in axes]))
        return f"transpose {c.dy} back (axes {_shape(inv)})"
    except Exception:
        return f"transpose {c.dy} back"


def _broadcast_to(c: _Step) -> str:
    shape = c.attr("shape_in", None) or c.shape(0)
    return f"sum {c.dy} down to {_shape(shape)}" if shape is not None else f"sum {c.dy} down"


def _getitem(c: _Step) -> str:
    shape = c.attr("shape_in", None) or c.shape(0)
    where = f" at {_show_index(c.attr('index', None))}" if hasattr(c.node, "index") else ""
    into = f"zeros {_shape(shape)}" if shape is not None else "zeros"
    return f"scatter {c.dy} into {into}{where}"


def _scatter_add(c: _Step) -> str:
    if hasattr(c.node, "index"):
        return f"{c.dy}{_show_index(c.attr('index', None))} (gather)"
    return f"gather {c.dy} at the scattered places"


def _pad(c: _Step) -> str:
    slices = c.attr("slices", None)
    if slices is None:
        return f"crop {c.dy} back (drop the padding)"
    return f"crop {c.dy} to {_show_index(tuple(slices))}"


def _concatenate(c: _Step) -> str:
    axis, bounds = c.attr("axis", None), c.attr("bounds", None)
    try:
        lo, hi = int(bounds[c.i]), int(bounds[c.i + 1])
        return f"slice {lo}:{hi} of {c.dy} along axis {axis}"
    except Exception:
        return f"the slice of {c.dy} that {c.x} filled" + (f" along axis {axis}" if axis is not None else "")


def _index_put(c: _Step) -> _F:
    index = _show_index(c.attr("index", None)) if hasattr(c.node, "index") else "[index]"
    if c.i == 0:
        return _F(f"{c.dy} with {index} zeroed", None, None if c.scalar else _gnote(c))
    shape_v = c.attr("shape_v", None)
    expr = f"{c.dy}{index}"
    if shape_v is not None and c.gi is not None and not c.scalar:
        expr += f", summed to {_shape(shape_v)}"
    return _F(expr, None, None if c.scalar else _arrow_note(c))


def _unfold(c: _Step) -> str:
    shape = c.shape(0)
    back = f" back to {_shape(shape)}" if shape is not None else ""
    return f"fold({c.dy}): col2im{back}, overlapping windows add"


def _fold(c: _Step) -> str:
    return f"unfold({c.dy}): im2col back to {_shape(c.shape(0) or ())}"


# ---- reductions --------------------------------------------------------------------------------------------
def _sum(c: _Step) -> _F:
    shape = c.attr("shape_in", None) or c.shape(0)
    expr = f"broadcast({c.dy}) to {_shape(shape)}" if shape is not None else f"broadcast({c.dy}) back"
    if c.scalar:
        return _F(expr)
    notes = []
    if c.g is not None:
        notes.append(f"{c.dy} = {format_number(c.g.reshape(-1)[0])}" if c.g.size == 1 else
                     f"{_shape(c.g.shape)} → {_shape(shape) if shape is not None else '?'}")
    axes = c.attr("axes", "?")
    if axes != "?":
        notes.append(f"the sum was over {_axes_text(axes)}")
    return _F(expr, None, ", ".join(notes) or None)


def _extremum(c: _Step) -> _F:
    which = "max" if c.op == "Max" else "min"
    expr = f"{c.dy} routed to the {which} of {c.x} (ties share)"
    if c.scalar:
        return _F(expr)
    return _F(expr, None, f"{_shape(c.shape(0) or ())}, over {_axes_text(c.attr('axes', None))}")


def _norm_rule(c: _Step) -> _F:
    p = _scalar(c.attr("p", 2.0))
    x = c.x
    if p == 2:
        sym, needs = f"{x}/‖{x}‖", True
    elif p == 1:
        sym, needs = f"sign({x})", False
    elif p is not None and math.isinf(p):
        sym, needs = f"sign({x}) at the {'max' if p > 0 else 'min'} |{x}| (ties share)", False
    elif p is not None:
        sym, needs = f"sign({x})·|{x}|^{_exponent(p - 1)}/‖{x}‖^{_exponent(p - 1)}", False
    else:
        sym, needs = f"∂‖{x}‖/∂{x}", False
    if c.scalar:
        xv, yv, g = c.val(0), c.yval(), c.gval()
        nums = None
        if needs and xv is not None and yv is not None and g is not None:
            nums = f"{format_number(g)} · {_operand(xv)}/{_operand(yv)}"
        elif p == 1 and xv is not None and g is not None:
            nums = f"{format_number(g)} · sign({format_number(xv)})"
        return _F(f"{c.dy} · {sym}", nums)
    note = f"{_shape(c.shape(0) or ())}, p = {format_number(p) if p is not None else '?'}, over " \
           f"{_axes_text(c.attr('axes', None))}"
    return _F(f"{c.dy} ⊙ {sym}", None, note)


def _prod(c: _Step) -> _F:
    expr = f"{c.dy} ⊙ (product of the other elements of {c.x})"
    if c.scalar:
        return _F(f"{c.dy} · 1")
    return _F(expr, None, f"{_shape(c.shape(0) or ())}, over {_axes_text(c.attr('axes', None))}")


def _axis_note(c: _Step, attr: str) -> str | None:
    if c.scalar:
        return None
    return f"{_gnote(c)}, Σ along {_axes_text(c.attr(attr, None))}"


def _softmax(c: _Step) -> _F:
    y = c.y
    return _F(f"{y} ⊙ ({c.dy} − Σ {c.dy} ⊙ {y})", None, _axis_note(c, "axis"))


def _log_softmax(c: _Step) -> _F:
    return _F(f"{c.dy} − softmax({c.x}) ⊙ Σ {c.dy}", None, _axis_note(c, "axis"))


def _logsumexp(c: _Step) -> _F:
    if c.scalar:
        xv, yv, g = c.val(0), c.yval(), c.gval()
        nums = None
        if xv is not None and yv is not None and g is not None:
            nums = f"{format_number(g)} · exp({format_number(xv)} − {_operand(yv)})"
        return _F(f"{c.dy} · exp({c.x} − {c.y})", nums)
    return _F(f"{c.dy} ⊙ softmax({c.x})", None,
              f"{_shape(c.shape(0) or ())}, {c.dy} broadcast over {_axes_text(c.attr('axes', None))}")


# ---- linear algebra, layers ------------------------------------------------------------------------------
def _swap(shape: tuple) -> tuple:
    return tuple(shape[:-2]) + (shape[-1], shape[-2]) if len(shape) >= 2 else tuple(shape)


def _scalar_product(c: _Step, j: int) -> str | None:
    v, g = c.val(j), c.gval()
    return None if v is None or g is None else f"{format_number(g)} · {_operand(v)}"


def _matmul(c: _Step) -> _F:
    A, B, dC = c.arg(0), c.arg(1), c.dy
    sa, sb, sg = c.shape(0) or (), c.shape(1) or (), c.gshape() or ()
    if c.i == 0:
        if len(sa) == 1 and len(sb) == 1:
            expr, note = f"{dC} · {B}", f"{_shape(sb)}"
        elif len(sb) == 1:
            expr, note = f"{dC} ⊗ {B}", f"{_shape(sg)} ⊗ {_shape(sb)}"
        else:
            expr, note = f"{dC} @ {B}ᵀ", f"{_shape(sg)} @ {_shape(_swap(sb))}"
        reduced = len(sa) >= 2 and len(sg) >= 2 and tuple(sa[:-2]) != tuple(sg[:-2])
    else:
        if len(sa) == 1 and len(sb) == 1:
            expr, note = f"{dC} · {A}", f"{_shape(sa)}"
        elif len(sa) == 1:
            expr, note = f"{A} ⊗ {dC}", f"{_shape(sa)} ⊗ {_shape(sg)}"
        else:
            expr, note = f"{A}ᵀ @ {dC}", f"{_shape(_swap(sa))} @ {_shape(sg)}"
        reduced = len(sb) >= 2 and len(sg) >= 2 and tuple(sb[:-2]) != tuple(sg[:-2])
    if c.scalar:
        return _F(expr, _scalar_product(c, 1 - c.i))
    if reduced:
        note += ", summed over the broadcast batch axes"
    return _F(expr, None, note)


def _linear(c: _Step) -> _F:
    X, W, dy = c.arg(0), c.arg(1), c.dy
    sx, sw, sg = c.shape(0) or (), c.shape(1) or (), c.gshape() or ()
    n = int(np.prod(sg[:-1])) if len(sg) >= 1 else 1
    if c.i == 0:
        expr, note = f"{dy} @ {W}", f"{_shape(sg)} @ {_shape(sw)}"
        nums = _scalar_product(c, 1)
    elif c.i == 1:
        expr = f"{dy}ᵀ @ {X}"
        note = f"{_shape((sg[-1] if sg else 1, n))} @ {_shape((n, sx[-1] if sx else 1))}"
        nums = _scalar_product(c, 0)
    else:
        expr = f"Σ {dy} over the batch"
        note = f"{_shape(sg)} → {_shape(c.shape(2) or sg[-1:])}"
        nums = None
    return _F(expr, nums if c.scalar else None, None if c.scalar else note)


def _conv2d(c: _Step) -> _F:
    X, W, dy = c.arg(0), c.arg(1), c.dy
    geom = c.attr("geom", None)
    groups = c.attr("groups", 1)
    opts = ""
    try:
        _, s, p, d, _ = geom
        opts = f"stride {_pair(s)}, padding {_pair(p)}"
        if tuple(d) != (1, 1):
            opts += f", dilation {_pair(d)}"
    except Exception:
        pass
    if groups not in (1, None):
        opts += f", groups {groups}"
    sx, sw, sg = c.shape(0) or (), c.shape(1) or (), c.gshape() or ()
    if c.i == 0:
        expr, note = f"conv_transpose({dy}, {W})", f"{_shape(sg)} ⋆ᵀ {_shape(sw)}"
    elif c.i == 1:
        expr, note = f"corr({X}, {dy}) summed over the batch", f"{_shape(sx)} ⋆ {_shape(sg)}"
    else:
        expr, note = f"Σ {dy} over batch and space", f"{_shape(sg)} → {_shape(c.shape(2) or sg[1:2])}"
        opts = ""
    if opts:
        note += ", " + opts
    if c.scalar:
        return _F(expr, _scalar_product(c, 1 - c.i) if c.i < 2 else None)
    return _F(expr, None, note)


def _batch_norm(c: _Step) -> _F:
    dy = c.dy
    axes = c.attr("axes", None)
    over = "batch" if axes is None or tuple(axes) == (0,) else "batch and space"
    note: str | None
    if c.i == 0:
        parents: Any = c.attr("parents", None) or ()
        has_w = len(parents) > 1 and parents[1] is not None or c.input(1) is not None
        scale = f"{c.arg(1)}/σ" if has_w else "1/σ"
        expr = f"{scale} ⊙ ({dy} − mean({dy}) − x̂ ⊙ mean({dy} ⊙ x̂))"
        eps = c.attr("eps", None)
        note = f"{_gnote(c)}, means over {over} per channel, σ = √(var + {format_number(eps) if eps else 'ε'})"
    elif c.i == 1:
        expr, note = f"Σ {dy} ⊙ x̂ over {over}", _arrow_note(c)
    else:
        expr, note = f"Σ {dy} over {over}", _arrow_note(c)
    return _F(expr, None, None if c.scalar else note)


def _inv(c: _Step) -> _F:
    Y = c.y
    if c.scalar:
        yv, g = c.yval(), c.gval()
        nums = None if yv is None or g is None else f"{format_number(g)} · ({MINUS}{_operand(yv)}²)"
        return _F(f"{c.dy} · ({MINUS}{Y}²)", nums)
    return _F(f"{MINUS}{Y}ᵀ @ {c.dy} @ {Y}ᵀ", None, _gnote(c))


def _det(c: _Step) -> _F:
    if c.scalar:
        xv, yv, g = c.val(0), c.yval(), c.gval()
        nums = None if xv is None or yv is None or g is None else \
            f"{format_number(g)} · {_operand(yv)}/{_operand(xv)}"
        return _F(f"{c.dy} · {c.y}/{c.x}", nums)
    return _F(f"{c.dy} · {c.y} · {c.x}⁻ᵀ", None, _shape(c.shape(0) or ()))


# ---- the table ------------------------------------------------------------------------------------------
_RULES: dict[str, Callable[[_Step], _F]] = {name: _unary for name in _UNARY}
_RULES.update({
    "Add": _constant("1"), "Sub": _sub, "Mul": _mul, "Div": _div, "Pow": _pow, "Neg": _constant(f"({MINUS}1)"),
    "Relu": _relu, "Maximum": _extremum2, "Minimum": _extremum2, "Where": _where, "Clip": _clip, "Cast": _cast,
    "Sign": _constant("0"), "Round": _constant("0"), "Clone": _constant("1"),
    "Reshape": _structural(_reshape, _arrow_note), "Transpose": _structural(_transpose, _arrow_note),
    "BroadcastTo": _structural(_broadcast_to, _arrow_note), "GetItem": _structural(_getitem, _arrow_note),
    "ScatterAdd": _structural(_scatter_add, _arrow_note), "Pad": _structural(_pad, _arrow_note),
    "Concatenate": _structural(_concatenate, _arrow_note), "IndexPut": _index_put,
    "Unfold": _structural(_unfold, _arrow_note), "Fold": _structural(_fold, _arrow_note),
    "Sum": _sum, "Max": _extremum, "Min": _extremum, "Norm": _norm_rule, "Prod": _prod,
    "Softmax": _softmax, "LogSoftmax": _log_softmax, "LogSumExp": _logsumexp,
    "Matmul": _matmul, "Linear": _linear, "Conv2d": _conv2d, "BatchNorm": _batch_norm, "Inv": _inv, "Det": _det,
})

DEDICATED: frozenset[str] = frozenset(_RULES)
"""The ops with a formula of their own; any other op gets the generic ``∂L/∂y · ∂y/∂x``."""


def _generic(c: _Step) -> _F:
    return _F(f"{c.dy} · ∂{c.y}/∂{c.x} (by {c.op}.backward)", None, None if c.scalar else _gnote(c))


def _assemble(c: _Step, f: _F) -> str:
    head = f"∂L/∂{c.x} += {f.expr}"
    gi = c.gi
    if gi is None:
        return head
    if c.scalar:
        parts = [head]
        if f.nums:
            parts.append(f.nums)
        parts.append(format_number(gi.reshape(-1)[0]))
        return " = ".join(parts)
    note = f"  [{f.note}]" if f.note else ""
    if gi.size == 1:
        return f"{head}{note} = {format_number(gi.reshape(-1)[0])}"
    return f"{head}{note} → ‖·‖ = {format_number(_norm(gi))}"


def local_derivative(op: str, index: int, *, names: list[str], out_name: str, grad: Any, out: Any, inputs: Any,
                     grad_in: Any, node: Any = None) -> str:
    """One line: what op ``op`` sent to its input ``index`` in the backward walk, as the chain rule.

    Scalars: ``∂L/∂a += ∂L/∂c · b = 1.5 · (−3) = −4.5`` (symbolic, numbers plugged in, result).
    Tensors: ``∂L/∂A += ∂L/∂C @ Bᵀ  [(128, 10) @ (10, 256)] → ‖·‖ = 3.2`` (symbolic, shapes, norm).
    The result is always ``grad_in``'s (what the engine sent); values the op did not save leave out the
    numbers. ``names`` are the inputs' display names, ``out_name`` the output's; ``node`` (the engine's node)
    gives attributes such as axes and exponents. Never raises.
    """
    try:
        c = _Step(op, index, names, out_name, grad, out, inputs, grad_in, node)
    except Exception:
        return _last_resort(op, index, names, out_name, grad_in)
    if c.gi is None:
        return f"∂L/∂{c.x}: nothing from {op} (this input gets no gradient)"
    ctx_style = False
    try:
        ctx_style = bool(getattr(type(node), "_ctx_style", False)) if node is not None else False
    except Exception:
        pass
    rule = None if ctx_style else _RULES.get(op)
    if rule is not None:
        try:
            return _assemble(c, rule(c))
        except Exception:
            pass
    try:
        return _assemble(c, _generic(c))
    except Exception:
        return _last_resort(op, index, names, out_name, grad_in)


def _last_resort(op: Any, index: Any, names: Any, out_name: Any, grad_in: Any) -> str:
    try:
        name = str(names[index])
    except Exception:
        name = f"#{index}"
    try:
        result = summarize(grad_in)
    except Exception:
        result = "?"
    return f"∂L/∂{name} += ∂L/∂{out_name} · ∂{out_name}/∂{name} (by {op}.backward) = {result}"
