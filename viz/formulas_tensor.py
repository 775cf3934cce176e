"""Tensor ops' chain-rule steps: shape and movement, reductions, linear algebra and layers (symbolic, with the
shapes involved; numbers plugged in only where everything is a scalar)."""
from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

from .formulas_base import (
    MINUS, _axes_text, _exponent, _F, _gnote, _operand, _pair, _scalar, _shape, _show_index, _Step, format_number,
)


# ---- shape and movement ------------------------------------------------------------------------------------
def _structural(expr: Callable[[_Step], str], note: Callable[[_Step], str | None] | None = None) -> Callable:
    def rule(c: _Step) -> _F:
        return _F(expr(c), None, None if c.scalar or note is None else note(c))
    return rule


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


# ---- their table -------------------------------------------------------------------------------------------
RULES: dict[str, Callable[[_Step], _F]] = {
    "Reshape": _structural(_reshape, _arrow_note), "Transpose": _structural(_transpose, _arrow_note),
    "BroadcastTo": _structural(_broadcast_to, _arrow_note), "GetItem": _structural(_getitem, _arrow_note),
    "ScatterAdd": _structural(_scatter_add, _arrow_note), "Pad": _structural(_pad, _arrow_note),
    "Concatenate": _structural(_concatenate, _arrow_note), "IndexPut": _index_put,
    "Unfold": _structural(_unfold, _arrow_note), "Fold": _structural(_fold, _arrow_note),
    "Sum": _sum, "Max": _extremum, "Min": _extremum, "Norm": _norm_rule, "Prod": _prod,
    "Softmax": _softmax, "LogSoftmax": _log_softmax, "LogSumExp": _logsumexp,
    "Matmul": _matmul, "Linear": _linear, "Conv2d": _conv2d, "BatchNorm": _batch_norm, "Inv": _inv, "Det": _det,
}
