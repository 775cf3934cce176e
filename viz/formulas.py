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

The rules live by theme in ``formulas_elementwise`` and ``formulas_tensor``, built on ``formulas_base``; this
module joins their tables and assembles the line.
"""
from __future__ import annotations

from typing import Any, Callable

from . import formulas_elementwise as _elementwise
from . import formulas_tensor as _tensor
from .formulas_base import MINUS as MINUS  # re-exported: from viz.formulas import MINUS
from .formulas_base import _F, _gnote, _norm, _Step, format_number, summarize

__all__ = ["format_number", "summarize", "local_derivative", "DEDICATED"]


# ---- the table ------------------------------------------------------------------------------------------
_RULES: dict[str, Callable[[_Step], _F]] = {**_elementwise.RULES, **_tensor.RULES}

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
