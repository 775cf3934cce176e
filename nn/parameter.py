"""Parameter (a Tensor a Module registers as learnable), hook handles, and state-dict loading and its errors."""
from __future__ import annotations

from typing import Any, Mapping, NamedTuple

import numpy as np

from autograd import Tensor
from autograd.hooks import RemovableHandle

__all__ = ["Parameter", "RemovableHandle", "StateDictError", "IncompatibleKeys"]

class Parameter(Tensor):
    """A Tensor that a Module registers as a learnable parameter (requires grad by default)."""

    __slots__ = ()

    def __init__(self, data: Any = None, requires_grad: bool = True) -> None:
        if data is None:
            data = np.empty((0,), dtype=np.float32)
        super().__init__(data.numpy() if isinstance(data, Tensor) else data, requires_grad=requires_grad)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    def __deepcopy__(self, memo: dict) -> "Parameter":
        p = Parameter(self.numpy().copy(), requires_grad=self.requires_grad)
        p.name = self.name
        if self.grad is not None:
            p.grad = Tensor(self.grad.numpy().copy())
        memo[id(self)] = p
        return p


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


def load_state_dict_into(module: Any, state_dict: Mapping[str, Any], strict: bool = True) -> IncompatibleKeys:
    """``module.load_state_dict``: check every key and shape first, then copy in place (all or nothing)."""
    if not isinstance(state_dict, Mapping):
        raise TypeError(f"load_state_dict: expected a mapping of names to arrays, got {type(state_dict).__name__}")
    own = module.state_dict(keep_vars=True)
    missing = [k for k in own if k not in state_dict]
    unexpected = [k for k in state_dict if k not in own]
    errors, plan = [], []
    for key, target in own.items():
        if key not in state_dict:
            continue
        value = state_dict[key]
        try:
            arr = np.asarray(value.numpy() if isinstance(value, Tensor) else value)
        except Exception:  # noqa: BLE001 - anything not array-like
            arr = None
        if arr is None or arr.dtype.kind not in "biuf":
            errors.append(f"value for {key!r} is a {type(value).__name__}, not a numeric array")
        elif arr.shape != target.shape:
            errors.append(f"size mismatch for {key!r}: the model has shape {tuple(target.shape)}, "
                          f"the state dict has shape {tuple(arr.shape)}")
        else:
            plan.append((target, arr))
    if strict and missing:
        errors.insert(0, "missing key(s) in state dict: " + ", ".join(repr(k) for k in missing))
    if strict and unexpected:
        errors.insert(0, "unexpected key(s) in state dict: " + ", ".join(repr(k) for k in unexpected))
    if errors:
        raise StateDictError(f"error(s) in loading state dict for {type(module).__name__} "
                             "(the model is unchanged):\n  " + "\n  ".join(errors))
    for target, arr in plan:
        target.numpy()[...] = arr  # in place: optimizers keep their references to the parameters
    return IncompatibleKeys(missing, unexpected)
