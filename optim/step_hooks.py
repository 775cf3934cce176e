"""torch's optimizer step hooks: ``register_step_pre_hook`` / ``register_step_post_hook`` on an optimizer, and
``register_optimizer_step_pre_hook`` / ``..._post_hook`` for every optimizer.

A pre-hook is called as ``hook(optimizer, args, kwargs)`` before ``step`` and may return a new ``(args, kwargs)``;
a post-hook as ``hook(optimizer, args, kwargs)`` after it. Each returns an ``autograd.RemovableHandle``. Every
``step`` a subclass defines is wrapped when the class is made, so custom optimizers get the hooks too.
"""
from __future__ import annotations

import functools
from collections import OrderedDict
from typing import Any, Callable

from autograd.hooks import RemovableHandle

_GLOBAL_PRE: OrderedDict = OrderedDict()
_GLOBAL_POST: OrderedDict = OrderedDict()


def register_optimizer_step_pre_hook(hook: Callable) -> RemovableHandle:
    """``hook(optimizer, args, kwargs)`` before every optimizer's ``step``."""
    return RemovableHandle.add(_GLOBAL_PRE, hook)


def register_optimizer_step_post_hook(hook: Callable) -> RemovableHandle:
    """``hook(optimizer, args, kwargs)`` after every optimizer's ``step``."""
    return RemovableHandle.add(_GLOBAL_POST, hook)


def _with_hooks(step: Callable) -> Callable:
    @functools.wraps(step)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        pre, post = self.__dict__.get("_step_pre_hooks"), self.__dict__.get("_step_post_hooks")
        if not (pre or post or _GLOBAL_PRE or _GLOBAL_POST) or self.__dict__.get("_in_step"):
            return step(self, *args, **kwargs)  # the common case costs two dict lookups
        for hook in [*_GLOBAL_PRE.values(), *(pre or {}).values()]:
            r = hook(self, args, kwargs)
            if r is not None:
                if not (isinstance(r, tuple) and len(r) == 2):
                    raise RuntimeError(f"optimizer step pre-hook {hook!r} must return None or (args, kwargs), "
                                       f"got {r!r}")
                args, kwargs = r
        self.__dict__["_in_step"] = True  # a subclass's step calling super().step() runs the hooks once
        try:
            out = step(self, *args, **kwargs)
        finally:
            self.__dict__["_in_step"] = False
        for hook in [*(post or {}).values(), *_GLOBAL_POST.values()]:
            hook(self, args, kwargs)
        return out
    wrapper.__wrapped_step__ = True  # type: ignore[attr-defined]
    return wrapper


class StepHooks:
    """Mixin of ``Optimizer``: wraps each class's own ``step`` and keeps the per-optimizer hooks."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        step = cls.__dict__.get("step")
        if step is not None and not getattr(step, "__wrapped_step__", False):
            cls.step = _with_hooks(step)  # type: ignore[method-assign]

    def register_step_pre_hook(self, hook: Callable) -> RemovableHandle:
        """``hook(optimizer, args, kwargs)`` before this optimizer's ``step``; may return new ``(args, kwargs)``."""
        return RemovableHandle.add(self.__dict__.setdefault("_step_pre_hooks", OrderedDict()), hook)

    def register_step_post_hook(self, hook: Callable) -> RemovableHandle:
        """``hook(optimizer, args, kwargs)`` after this optimizer's ``step``."""
        return RemovableHandle.add(self.__dict__.setdefault("_step_post_hooks", OrderedDict()), hook)
