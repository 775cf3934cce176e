"""Elementwise ops' chain-rule steps: ``∂L/∂x = ∂L/∂y · f'(…)``, numbers plugged in for scalars."""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from .formulas_base import MINUS, _exponent, _F, _operand, _raw, _scalar, _shape, _Step, format_number


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


# ---- their table -------------------------------------------------------------------------------------------
RULES: dict[str, Callable[[_Step], _F]] = {name: _unary for name in _UNARY}
RULES.update({
    "Add": _constant("1"), "Sub": _sub, "Mul": _mul, "Div": _div, "Pow": _pow, "Neg": _constant(f"({MINUS}1)"),
    "Relu": _relu, "Maximum": _extremum2, "Minimum": _extremum2, "Where": _where, "Clip": _clip, "Cast": _cast,
    "Sign": _constant("0"), "Round": _constant("0"), "Clone": _constant("1"),
})
