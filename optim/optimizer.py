"""The optimizer base: parameter groups, lazily created per-parameter state, state_dict.

A subclass gives its hyper-parameter defaults, a ``_check`` that rejects bad values
(``ValueError`` naming the parameter), ``_init_state`` (the state a parameter gets
on its first step) and ``_update`` (one parameter's step, in place on the array ``p.numpy()``).
Updates run on raw NumPy arrays, never through the graph, so no ``no_grad`` is needed.

The state holds Tensors, as torch's does (``state[p]["exp_avg"].norm()`` works): per-element buffers
shaped and typed like the parameter, and counters such as ``step`` as 0-d float32 Tensors
(``torch.tensor(1.)``). A Tensor wraps its array without copying, so ``_update`` works in place on
``state[k].numpy()``; ``bump_step`` advances the counter in place.

A subclass may instead override ``step`` itself, the way torch's documentation writes a custom
optimizer: a ``defaults`` dict to ``__init__``, then ``step(closure=None)`` walking
``self.param_groups`` and the lazily created ``self.state[p]``.
"""
from __future__ import annotations

import copy
from collections import defaultdict
from typing import Any, Callable, Iterable

import numpy as np

from autograd import Tensor, enable_grad
from autograd.versions import mark_written

from .step_hooks import StepHooks, register_optimizer_step_post_hook, register_optimizer_step_pre_hook  # noqa: F401

ParamsT = Iterable[Tensor] | Iterable[dict[str, Any]]


class _Required:
    """The default of a hyper-parameter every group must give (torch's ``optim.optimizer.required``)."""

    def __repr__(self) -> str:
        return "<required parameter>"

    def __deepcopy__(self, memo: dict) -> "_Required":
        return self


required = _Required()


def check_range(name: str, value: Any, low: float = 0.0, high: float | None = None,
                high_open: bool = False) -> None:
    """Raise ``ValueError`` naming ``name`` unless ``low <= value`` (and ``value < / <= high``)."""
    ok = low <= value
    if high is not None:
        ok = ok and (value < high if high_open else value <= high)
    if not ok:
        bound = f">= {low}" if high is None else f"in [{low}, {high}{')' if high_open else ']'}"
        raise ValueError(f"Invalid {name} value: {value!r} ({name} must be {bound})")


class Optimizer(StepHooks):
    """Base of every optimizer: ``param_groups``, lazy ``state``, ``step``, ``zero_grad``, ``state_dict``."""

    #: state keys that hold 0-d counters, not per-element buffers: never cast to the parameter's dtype on load,
    #: and a plain number there (an older state dict) becomes a 0-d float32 Tensor. Empty for a custom
    #: optimizer, whose state loads back as it was saved (as torch's base class does).
    _scalar_state: tuple[str, ...] = ()

    def __init__(self, params: ParamsT, defaults: dict[str, Any]) -> None:
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of Tensors or dicts, "
                            "but got a Tensor (wrap it in a list: [p])")
        if isinstance(params, (set, frozenset)):  # NOTE: stricter than torch, which accepts a set here
            raise TypeError("optimizer parameters need to be an ordered collection (a set's order changes between "
                            "runs, which would scramble state_dict); use a list")
        self.defaults = dict(defaults)
        self._check(self.defaults)
        self.state: defaultdict[Tensor, dict[str, Any]] = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []
        self._work: dict[tuple[str, int], np.ndarray] = {}
        groups = list(params)
        if not groups:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for g in groups:
            self.add_param_group(g)

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, g in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {k}: {v}" for k, v in sorted(g.items()) if k != "params"]
        return "\n".join(lines + [")"])

    # ---- hooks for subclasses -----------------------------------------------------------
    #: hyper-parameters that must be >= 0; a subclass lists its own and adds other rules in ``_check``
    _nonnegative: tuple[str, ...] = ("lr",)

    def _check(self, group: dict[str, Any]) -> None:
        """Raise ``ValueError`` naming the first bad hyper-parameter of ``group``."""
        for name in self._nonnegative:
            if name in group and group[name] is not required:  # a custom optimizer may have no lr
                check_range(name, group[name])

    def _init_state(self, p: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> None:
        """Fill the (empty) state of parameter array ``p`` before its first update."""

    def _update(self, p: np.ndarray, g: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> None:
        """Update parameter array ``p`` in place from gradient ``g``."""
        raise NotImplementedError

    # ---- public API ---------------------------------------------------------------------
    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters (with its own hyper-parameters; the rest come from the defaults)."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group).__name__}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, but the ordering "
                            "of tensors in sets will change between runs. Please use a list instead.")
        params = list(params)
        names = [p[0] for p in params if isinstance(p, tuple)]  # named_parameters(): (name, Tensor) pairs
        if names:
            if len(names) != len(params):
                raise ValueError("all optimizer params should be with/without names. Some param names are missing")
            params = [p[1] for p in params]
        elif "param_names" in param_group:  # given as a key (what state_dict() shows)
            names = list(param_group["param_names"])
        for p in params:
            if not isinstance(p, Tensor):
                raise TypeError(f"optimizer can only optimize Tensors, but one of the params is {type(p).__name__}")
            if not p.is_leaf:
                raise ValueError("can't optimize a non-leaf Tensor")
            if p.dtype.kind != "f":
                raise TypeError(f"optimizer can only optimize floating-point Tensors, got dtype {p.dtype}")
        ids = [id(p) for p in params]
        if len(set(ids)) != len(ids):
            raise ValueError("optimizer contains a parameter group with duplicate parameters")
        taken = {id(p) for g in self.param_groups for p in g["params"]}
        if taken.intersection(ids):
            raise ValueError("some parameters appear in more than one parameter group")
        if any(bool(names) != ("param_names" in g) for g in self.param_groups):
            raise ValueError("all optimizer param groups should be with/without names. cannot add param group "
                             f"{'with' if names else 'without'} names to the optimizer")
        group = {k: v for k, v in param_group.items() if k not in ("params", "param_names")}
        if names:
            group["param_names"] = names
        for k, v in self.defaults.items():
            if v is required and k not in group:
                raise ValueError(f"parameter group didn't specify a value of required optimization parameter {k}")
            group.setdefault(k, v)
        self._check(group)
        group["params"] = params
        self.param_groups.append(group)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset every parameter's gradient: to None (the default), or to zeros in place."""
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    if p.grad.requires_grad:
                        p.grad = p.grad.detach()
                    p.grad.numpy()[...] = 0
                    mark_written(p.grad.numpy())

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """One update of every parameter that has a gradient; returns ``closure()`` if given."""
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        state_of = self.state
        for group in self.param_groups:
            for p in group["params"]:
                grad = p.grad
                if grad is None:
                    continue
                state = state_of[p]
                data, g = p.numpy(), grad.numpy()
                if not state:
                    self._init_state(data, state, group)
                if not g.flags.c_contiguous and data.flags.c_contiguous:
                    # NOTE: a gradient laid out unlike its parameter (the grad of W in x @ W.T arrives
                    # transposed, F-ordered) makes every elementwise pass below strided and several
                    # times slower; one copy into C order first is much cheaper.
                    g = self._scratch(data, 7)
                    np.copyto(g, grad.numpy())
                self._update(data, g, state, group)
                mark_written(data)  # as torch's in-place step bumps the version: an old graph that saved p is stale
        return loss

    def state_dict(self) -> dict[str, Any]:
        """A snapshot (copies) of the state and the hyper-parameters: only Tensors, numbers, strings, lists, dicts.

        Parameters are named by their position over all groups, as in PyTorch.
        NOTE: torch's ``state_dict()`` shares the state's Tensors; this one copies them, so stepping on does
        not change a snapshot already taken (what torch users get after ``torch.save``).
        """
        index: dict[int, int] = {}
        groups = []
        for g in self.param_groups:
            packed = {k: (list(v) if isinstance(v, tuple) else v) for k, v in g.items() if k != "params"}
            packed["params"] = [index.setdefault(id(p), len(index)) for p in g["params"]]
            groups.append(packed)
        state = {index[id(p)]: {k: _snapshot(v) for k, v in s.items()}
                 for p, s in self.state.items() if s and id(p) in index}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore what ``state_dict()`` returned; training then continues bit-for-bit."""
        saved = state_dict["param_groups"]
        if len(saved) != len(self.param_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(s["params"]) != len(g["params"]) for s, g in zip(saved, self.param_groups)):
            raise ValueError("loaded state dict contains a parameter group that doesn't match the size of "
                             "optimizer's group")
        by_index = {int(i): p for s, g in zip(saved, self.param_groups) for i, p in zip(s["params"], g["params"])}
        new_groups = []
        for s, g in zip(saved, self.param_groups):
            group = {k: (tuple(v) if k == "betas" else copy.deepcopy(v)) for k, v in s.items() if k != "params"}
            self._check(group | {k: v for k, v in g.items() if k not in group})
            group["params"] = g["params"]
            if "param_names" in g and "param_names" not in group:
                group["param_names"] = g["param_names"]
            new_groups.append(group)
        state: defaultdict[Tensor, dict[str, Any]] = defaultdict(dict)
        for i, s in state_dict["state"].items():
            p = by_index[int(i)]
            state[p] = {k: self._cast(p, k, v) for k, v in s.items()}
        self.param_groups = new_groups
        self.state = state

    def _cast(self, p: Tensor, key: str, value: Any) -> Any:
        """A private copy of a saved state value, as Tensors (torch's types), cast to the parameter's dtype.

        Arrays and Tensors become Tensors; floating ones with at least one dimension take ``p``'s dtype
        (torch's policy; 0-d counters keep theirs, so a resumed run is bit-for-bit the uninterrupted one).
        """
        if key in self._scalar_state:
            if isinstance(value, Tensor):
                return Tensor(value.numpy().copy())
            typed = isinstance(value, (np.ndarray, np.generic)) and value.dtype.kind == "f"
            return scalar_tensor(float(value), value.dtype if typed else SCALAR_DTYPE)  # a number: float32
        return _restore(value, p.dtype)

    # ---- helpers for subclasses ---------------------------------------------------------
    def _scratch(self, like: np.ndarray, k: int = 0) -> np.ndarray:
        """Work array ``k`` shaped like ``like``: a view of one buffer per (dtype, k), reused across steps."""
        key = (like.dtype.str, k)
        buf = self._work.get(key)
        n = like.size
        if buf is None or buf.size < n:
            buf = self._work[key] = np.empty(n, like.dtype)
        return buf[:n].reshape(like.shape)

    def _decayed(self, p: np.ndarray, g: np.ndarray, wd: float, maximize: bool, k: int = 8) -> np.ndarray:
        """The gradient the rule sees: ``-g`` when maximizing, plus ``wd * p`` (L2); ``g`` itself if neither."""
        if not wd and not maximize:
            return g
        out = self._scratch(p, k)
        if maximize:
            np.negative(g, out=out)
            if wd:
                out += np.multiply(p, wd, out=self._scratch(p, k + 1))
        else:
            np.multiply(p, wd, out=out)
            out += g  # torch: grad.add(param, alpha=weight_decay)
        return out


SCALAR_DTYPE = np.float32  # torch's _get_scalar_dtype() (tracegrad's default dtype is float32)


def scalar_tensor(value: float, dtype: Any = SCALAR_DTYPE) -> Tensor:
    """A 0-d float32 Tensor holding ``value``: torch keeps ``step`` (and NAdam's ``mu_product``, ASGD's ``eta``
    and ``mu``) as ``torch.tensor(value)``."""
    return Tensor(np.array(value, dtype=dtype))


def zeros_state(p: np.ndarray) -> Tensor:
    """A zero buffer shaped and typed like the parameter array ``p``, as a Tensor (``torch.zeros_like(p)``)."""
    return Tensor(np.zeros_like(p))


def bump_step(state: dict[str, Any]) -> float:
    """``state["step"] += 1`` in place on its 0-d Tensor (torch's ``step_t += 1``); returns the new count."""
    t = state["step"]
    if not isinstance(t, Tensor):  # a number put there by hand
        t = state["step"] = scalar_tensor(float(t))
    a = t.numpy()
    a += 1
    return float(a)


def _snapshot(value: Any) -> Any:
    """A copy of one state value for ``state_dict()``: arrays and Tensors (also in lists) copied."""
    if isinstance(value, Tensor):
        return Tensor(value.numpy().copy())
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, (list, tuple)):
        return type(value)(_snapshot(v) for v in value)
    return value


def _restore(value: Any, dtype: np.dtype) -> Any:
    """A loaded state value as Tensors (also in lists): floating ones with a dimension cast to ``dtype``."""
    if isinstance(value, (Tensor, np.ndarray, np.generic)):
        arr = value.numpy() if isinstance(value, Tensor) else np.asarray(value)
        if arr.dtype.kind == "f" and arr.ndim > 0:
            return Tensor(arr.astype(dtype, copy=True))
        return Tensor(arr.copy())
    if isinstance(value, (list, tuple)):
        return type(value)(_restore(v, dtype) for v in value)
    return copy.deepcopy(value)


def lerp_(a: np.ndarray, b: np.ndarray, w: float, tmp: np.ndarray) -> None:
    """``a <- a + w (b - a)`` in place, ordered as torch's ``lerp_`` (which switches form at w = 0.5)."""
    np.subtract(b, a, out=tmp)
    if abs(w) < 0.5:
        tmp *= w
        a += tmp
    else:
        tmp *= 1 - w
        np.subtract(b, tmp, out=a)


def addcmul_(a: np.ndarray, x: np.ndarray, y: np.ndarray, value: float, tmp: np.ndarray) -> None:
    """``a <- a + value * x * y`` in place (torch's ``addcmul_``)."""
    np.multiply(x, value, out=tmp)
    tmp *= y
    a += tmp
