"""Global engine state: grad mode, the scope stack, anomaly mode and the one random generator.

NOTE: state is process-global, not thread-local (tracegrad is single-threaded); a
thread-local lookup would sit on every op's hot path.
"""
from __future__ import annotations

import contextlib
from typing import Any, Callable, Iterator, TypeVar, overload

import numpy as np


class _State:
    __slots__ = ("grad_enabled", "scope", "anomaly", "tracers", "rng", "last_write")

    def __init__(self) -> None:
        self.grad_enabled = True
        self.scope = ""          # dotted path of the current scope, "" at top level
        self.anomaly = False
        self.tracers: list = []  # objects with on_forward(node) / on_backward(node, grad)
        self.rng = np.random.default_rng()
        self.last_write = -1     # creation counter of the latest in-place write (versions.py)


STATE = _State()
_F = TypeVar("_F", bound=Callable[..., Any])


class _GradMode(contextlib.ContextDecorator):
    """Sets grad mode inside a ``with`` block (or around a decorated function)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = bool(enabled)
        self.prev: list[bool] = []

    def __enter__(self) -> None:
        self.prev.append(STATE.grad_enabled)
        STATE.grad_enabled = self.enabled

    def __exit__(self, *exc: object) -> None:
        STATE.grad_enabled = self.prev.pop()


@overload
def no_grad(func: None = None) -> _GradMode: ...
@overload
def no_grad(func: _F) -> _F: ...
def no_grad(func: _F | None = None) -> _GradMode | _F:
    """Context manager / decorator (``@no_grad()`` or bare ``@no_grad``): ops inside record no graph."""
    return _GradMode(False) if func is None else _GradMode(False)(func)


@overload
def inference_mode(mode: bool = True) -> _GradMode: ...
@overload
def inference_mode(mode: _F) -> _F: ...
def inference_mode(mode: bool | _F = True) -> _GradMode | _F:
    """torch's ``inference_mode``: here the same as ``no_grad`` (``mode=False`` records as usual)."""
    if callable(mode):  # used bare as a decorator
        return _GradMode(False)(mode)
    return _GradMode(not mode)


@overload
def enable_grad(func: None = None) -> _GradMode: ...
@overload
def enable_grad(func: _F) -> _F: ...
def enable_grad(func: _F | None = None) -> _GradMode | _F:
    """Context manager / decorator: re-enable recording inside ``no_grad``."""
    return _GradMode(True) if func is None else _GradMode(True)(func)


class set_grad_enabled(_GradMode):
    """``set_grad_enabled(flag)``: as a call it sets the mode; as a context it restores it on exit;
    as a decorator it sets the mode only while the function runs (PyTorch's semantics)."""

    def __init__(self, enabled: bool) -> None:
        super().__init__(enabled)
        self.before: bool | None = STATE.grad_enabled  # what the first __exit__ restores
        STATE.grad_enabled = self.enabled

    def __call__(self, func: _F) -> _F:
        STATE.grad_enabled = self.before  # type: ignore[assignment]  # a bool: set by __init__; used as a decorator: undo the call's own effect
        self.before = None
        return super().__call__(func)

    def __enter__(self) -> None:
        if self.before is None:
            super().__enter__()
        else:  # right after __init__, which already set the mode
            self.prev.append(self.before)
            self.before = None


def is_grad_enabled() -> bool:
    """Whether ops record the graph now (False inside ``no_grad``)."""
    return STATE.grad_enabled


@contextlib.contextmanager
def scope(name: str) -> Iterator[str]:
    """Push ``name`` on the scope stack; every node made inside records the dotted path."""
    if not isinstance(name, str) or not name:
        raise ValueError(f"scope: name must be a non-empty string, got {name!r}")
    prev = STATE.scope
    STATE.scope = f"{prev}.{name}" if prev else name
    try:
        yield STATE.scope
    finally:
        STATE.scope = prev


@contextlib.contextmanager
def absolute_scope(path: str) -> Iterator[str]:
    """Set the scope path outright (nn uses it: a module's qualified name is already a full path)."""
    prev = STATE.scope
    STATE.scope = path
    try:
        yield path
    finally:
        STATE.scope = prev


def current_scope() -> str:
    """The dotted scope path ops are recorded under now ("" at top level)."""
    return STATE.scope


def manual_seed(seed: int) -> np.random.Generator:
    """Re-seed the one NumPy Generator that everything random in tracegrad draws from."""
    STATE.rng = np.random.default_rng(seed)
    return STATE.rng


def default_generator() -> np.random.Generator:
    """The generator everything random draws from when given none (``manual_seed`` replaces it)."""
    return STATE.rng
