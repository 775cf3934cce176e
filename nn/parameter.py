"""Parameter (a Tensor a Module registers as learnable), hook handles, and the state-dict error types."""
from __future__ import annotations

import itertools
from typing import Any, NamedTuple

import numpy as np

from autograd import Tensor

__all__ = ["Parameter", "RemovableHandle", "StateDictError", "IncompatibleKeys"]

_hook_ids = itertools.count()


class Parameter(Tensor):
    """A Tensor that a Module registers as a learnable parameter (requires grad by default)."""

    __slots__ = ()

    def __init__(self, data: Any = None, requires_grad: bool = True) -> None:
        if data is None:
            data = np.empty((0,), dtype=np.float32)
        super().__init__(data.data if isinstance(data, Tensor) else data, requires_grad=requires_grad)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    def __deepcopy__(self, memo: dict) -> "Parameter":
        p = Parameter(self.data.copy(), requires_grad=self.requires_grad)
        p.name = self.name
        if self.grad is not None:
            p.grad = Tensor(self.grad.data.copy())
        memo[id(self)] = p
        return p


class RemovableHandle:
    """Returned by every ``register_*_hook``; ``.remove()`` takes the hook off (also a context manager)."""

    def __init__(self, hooks: dict) -> None:
        self.hooks, self.id = hooks, next(_hook_ids)

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

    def __exit__(self, *exc) -> None:
        self.remove()


class StateDictError(ValueError, RuntimeError):
    """A state dict does not fit the model (a ValueError, and a RuntimeError like PyTorch's)."""


class IncompatibleKeys(NamedTuple):
    """What ``load_state_dict`` returns: the keys it did not find, and those it did not expect."""
    missing_keys: list
    unexpected_keys: list


def as_buffer(name: str, value: Any) -> Tensor | None:
    """A value for a buffer: a Tensor (ndarrays are wrapped) or None."""
    if value is None:
        return None
    if isinstance(value, Parameter):
        raise TypeError(f"buffer {name!r}: use register_parameter for a Parameter")
    if isinstance(value, Tensor):
        return value
    if isinstance(value, np.ndarray):
        return Tensor(value)
    raise TypeError(f"cannot assign {type(value).__name__} as buffer {name!r} (a Tensor, ndarray or None is expected)")
