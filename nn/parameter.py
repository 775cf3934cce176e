"""Parameter (a Tensor a Module registers as learnable), UninitializedParameter, hook handles, and state-dict
loading and its errors (PyTorch's text)."""
from __future__ import annotations

from typing import Any, Mapping, NamedTuple

import numpy as np

from autograd import Tensor
from autograd.hooks import RemovableHandle

__all__ = ["Parameter", "UninitializedParameter", "RemovableHandle", "StateDictError", "IncompatibleKeys"]

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


class UninitializedParameter(Parameter):
    """A parameter whose shape is not known yet (a lazy layer's, before its first call or state-dict load)."""

    __slots__ = ()

    def __init__(self, requires_grad: bool = True, dtype: Any = np.float32) -> None:
        super().__init__(np.empty((0,), dtype=dtype), requires_grad=requires_grad)

    def materialize(self, shape: tuple, dtype: Any = None) -> None:
        """Give it its shape (values set by the layer's initialiser next); it becomes a plain Parameter."""
        self.data = np.empty(shape, dtype=dtype or self.dtype)
        self.__class__ = Parameter  # type: ignore[assignment]

    def __repr__(self) -> str:
        return "<UninitializedParameter>"


class StateDictError(ValueError, RuntimeError):
    """A state dict does not fit the model (a ValueError, and a RuntimeError like PyTorch's)."""


class IncompatibleKeys(NamedTuple):
    """What ``load_state_dict`` returns: the keys it did not find, and those it did not expect."""
    missing_keys: list
    unexpected_keys: list

    def __repr__(self) -> str:  # PyTorch's text
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return f"_IncompatibleKeys(missing_keys={self.missing_keys!r}, unexpected_keys={self.unexpected_keys!r})"

    def __str__(self) -> str:
        return repr(self)


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


def _as_array(value: Any) -> np.ndarray | None:
    """A state-dict value as a numeric ndarray (Tensors, torch tensors, arrays, lists), or None."""
    try:
        value = value.detach() if hasattr(value, "detach") else value
        arr = np.asarray(value.numpy() if hasattr(value, "numpy") else value)
    except Exception:  # noqa: BLE001 - anything not array-like
        return None
    return arr if arr.dtype.kind in "biuf" else None


def _size(shape: tuple) -> str:
    return f"torch.Size({list(shape)})"  # PyTorch's spelling, so printed errors read as torch's


def _lazy_shapes(module: Any, state_dict: Mapping[str, Any]) -> tuple[dict, list]:
    """For never-run lazy modules whose weight is in the state dict: the shape each UninitializedParameter
    takes (by id), and the (module, weight shape) pairs to materialise (PyTorch's lazy load hook)."""
    shapes: dict[int, tuple] = {}
    lazies = []
    for prefix, m in module.named_modules():
        infer = getattr(m, "_shapes_from_weight", None)
        key = f"{prefix}.weight" if prefix else "weight"
        if infer is None or not isinstance(m._parameters.get("weight"), UninitializedParameter) \
                or key not in state_dict or (arr := _as_array(state_dict[key])) is None:
            continue
        for name, shape in infer(arr.shape).items():
            if isinstance(m._parameters.get(name), UninitializedParameter):
                shapes[id(m._parameters[name])] = shape
        lazies.append((m, arr.shape))
    return shapes, lazies


def load_state_dict_into(module: Any, state_dict: Mapping[str, Any], strict: bool = True) -> IncompatibleKeys:
    """``module.load_state_dict``: check every key and shape first, then copy in place (all or nothing).
    A never-run lazy module takes its parameters' shapes from the state dict, and becomes its full class."""
    if not isinstance(state_dict, Mapping):
        raise TypeError(f"load_state_dict: expected a mapping of names to arrays, got {type(state_dict).__name__}")
    own = module.state_dict(keep_vars=True)
    missing = [k for k in own if k not in state_dict]
    unexpected = [k for k in state_dict if k not in own]
    lazy_shapes, lazies = _lazy_shapes(module, state_dict)
    errors, plan = [], []
    for key, target in own.items():
        if key not in state_dict:
            continue
        value = state_dict[key]
        arr = _as_array(value)
        want = lazy_shapes.get(id(target), tuple(target.shape))
        if arr is None:
            errors.append(f'While copying the parameter named "{key}", expected torch.Tensor or Tensor-like object '
                          f"from checkpoint but received {type(value)} (not a numeric array)")
        elif isinstance(target, UninitializedParameter) and id(target) not in lazy_shapes:
            errors.append(f'cannot load "{key}" into an uninitialized parameter: its lazy module\'s weight is not '
                          "in the state_dict (run the model once, or include the weight)")
        elif arr.shape != want:
            errors.append(f"size mismatch for {key}: copying a param with shape {_size(arr.shape)} from checkpoint, "
                          f"the shape in current model is {_size(want)}.")
        else:
            plan.append((target, arr))
    if strict and unexpected:
        errors.insert(0, "Unexpected key(s) in state_dict: {}. ".format(", ".join(f'"{k}"' for k in unexpected)))
    if strict and missing:
        errors.insert(0, "Missing key(s) in state_dict: {}. ".format(", ".join(f'"{k}"' for k in missing)))
    if errors:
        raise StateDictError(f"Error(s) in loading state_dict for {type(module).__name__}:\n\t"
                             + "\n\t".join(errors) + "\n(tracegrad: nothing was copied, the model is unchanged)")
    for m, weight_shape in lazies:
        m._materialize_from_weight(weight_shape)
    for target, arr in plan:
        target.numpy()[...] = arr  # in place: optimizers keep their references to the parameters
    return IncompatibleKeys(missing, unexpected)
