"""``torch.autograd.function``: ``Function``, ``FunctionCtx`` and ``once_differentiable``."""
from __future__ import annotations

import functools
from typing import Any, Callable

from ..function import Function
from ..mode import no_grad

FunctionCtx = Function  # a ctx is the Function node itself (custom_function.py)


def once_differentiable(backward: Callable) -> Callable:
    """Marks a custom backward as not differentiable again: it runs without recording, as torch's."""
    @functools.wraps(backward)
    def wrapper(ctx: Any, *grads: Any) -> Any:
        with no_grad():
            return backward(ctx, *grads)
    return wrapper


__all__ = ["Function", "FunctionCtx", "once_differentiable"]
