"""The one hook handle: ``Tensor.register_hook`` and every ``Module.register_*_hook`` return it."""
from __future__ import annotations

import itertools
from typing import Any

_ids = itertools.count()


class RemovableHandle:
    """Returned by every ``register_*hook``; ``.remove()`` takes the hook off (also a context manager)."""

    __slots__ = ("hooks", "id")

    def __init__(self, hooks: dict) -> None:
        self.hooks, self.id = hooks, next(_ids)

    @classmethod
    def add(cls, store: dict, hook: Any) -> "RemovableHandle":
        """Put ``hook`` in ``store`` (an ordered dict of hooks) and return its handle."""
        if not callable(hook):
            raise TypeError(f"hook must be callable, got {type(hook).__name__}")
        h = cls(store)
        store[h.id] = hook
        return h

    def remove(self) -> None:
        """Unregister the hook (idempotent)."""
        self.hooks.pop(self.id, None)

    def __enter__(self) -> "RemovableHandle":
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()
