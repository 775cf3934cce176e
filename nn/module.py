"""Module and Parameter: PyTorch's conventions (registration in ``__setattr__``, dotted names, hooks).

Every ``Module.__call__`` runs ``forward`` inside ``autograd.absolute_scope(<qualified name>)``, so each
node a module records knows its path (``blocks.2.conv1``; the root module's own ops record ``""``).
At a top-level call (no module running) every submodule is stamped with its name from
``named_modules()``; nested calls use the stamp.
"""
from __future__ import annotations

import copy
from collections import OrderedDict
from typing import Any, Callable, Iterator, Mapping

import numpy as np

import autograd
from autograd import Tensor

from .module_casting import CastingMixin
from .scoping import stamp_scopes
from .parameter import IncompatibleKeys, Parameter, RemovableHandle, StateDictError, as_buffer, load_state_dict_into

__all__ = ["Module", "Parameter", "RemovableHandle", "StateDictError"]


class _CallState:
    depth = 0        # how many Module.__call__ are running
    generation = 0   # bumped at each top-level call; stamps from older calls are stale


def _addindent(s: str, n: int) -> str:
    lines = s.split("\n")
    return lines[0] if len(lines) == 1 else lines[0] + "\n" + "\n".join(" " * n + ln for ln in lines[1:])


class Module(CastingMixin):
    """Base class of every layer and model: holds parameters, buffers and child modules."""

    training: bool

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if args or kwargs:
            got = ", ".join([type(a).__name__ for a in args] + [f"{k}=" for k in kwargs])
            raise TypeError(f"Module.__init__() takes no arguments (as torch.nn.Module's), got ({got}) from "
                            f"{type(self).__name__}: call super().__init__() and keep the arguments for "
                            f"{type(self).__name__}.__init__")
        d = self.__dict__
        d["training"] = True
        d["_parameters"] = OrderedDict()
        d["_buffers"] = OrderedDict()
        d["_non_persistent"] = set()
        d["_modules"] = OrderedDict()
        d["_forward_pre_hooks"] = OrderedDict()
        d["_forward_hooks"] = OrderedDict()
        d["_backward_hooks"] = OrderedDict()
        d["_scope_stamp"] = (-1, "")

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """The computation; subclasses override it (call the module, not ``forward``)."""
        raise NotImplementedError(f'Module [{type(self).__name__}] is missing the required "forward" function: '
                                  f"define forward(self, ...) in {type(self).__name__} (as for torch.nn.Module)")

    # ---- registration ---------------------------------------------------------------------
    def __setattr__(self, name: str, value: Any) -> None:
        d = self.__dict__
        if "_parameters" not in d:
            raise AttributeError(f"cannot assign {name!r} before Module.__init__() call "
                                 f"(call super().__init__() first in {type(self).__name__}.__init__)")
        params, bufs, mods = d["_parameters"], d["_buffers"], d["_modules"]
        if isinstance(value, Parameter):
            self._discard(name, keep="_parameters")
            params[name] = value
        elif isinstance(value, Module):
            self._discard(name, keep="_modules")
            mods[name] = value
        elif name in params:
            if value is not None:
                raise TypeError(f"cannot assign {type(value).__name__} as parameter {name!r} (an nn.Parameter "
                                "or None is expected, as torch.nn.Parameter in PyTorch; wrap it: nn.Parameter(t))")
            params[name] = None
        elif name in mods:
            if value is not None:
                raise TypeError(f"cannot assign {type(value).__name__} as child module {name!r} "
                                "(an nn.Module or None is expected)")
            mods[name] = None
        elif name in bufs:
            bufs[name] = as_buffer(name, value)
        else:
            object.__setattr__(self, name, value)

    def _discard(self, name: str, keep: str = "") -> None:
        """Forget ``name`` everywhere except in store ``keep`` (so a re-assignment keeps its position)."""
        for key in ("_parameters", "_buffers", "_modules"):
            if key != keep:
                self.__dict__[key].pop(name, None)
        self.__dict__.pop(name, None)
        self._non_persistent.discard(name)

    def __getattr__(self, name: str) -> Any:
        d = self.__dict__
        for key in ("_parameters", "_buffers", "_modules"):
            store = d.get(key)
            if store is not None and name in store:
                return store[name]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def __delattr__(self, name: str) -> None:
        for key in ("_parameters", "_buffers", "_modules"):
            if name in self.__dict__[key]:
                del self.__dict__[key][name]
                self._non_persistent.discard(name)
                return
        object.__delattr__(self, name)

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Add a parameter (or None, a declared-but-absent one) under ``name``."""
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"register_parameter: {name!r} must be an nn.Parameter or None, "
                            f"got {type(param).__name__}")
        _check_name(self, name, "_parameters")
        self._discard(name, keep="_parameters")
        self._parameters[name] = param

    def register_buffer(self, name: str, tensor: Any, persistent: bool = True) -> None:
        """Add a non-learnable tensor (running statistics, ...) saved in the state dict if ``persistent``."""
        _check_name(self, name, "_buffers")
        value = as_buffer(name, tensor)
        self._discard(name, keep="_buffers")
        self._buffers[name] = value
        if not persistent:
            self._non_persistent.add(name)

    def add_module(self, name: str, module: "Module | None") -> None:
        """Add a child module under ``name``."""
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"add_module: {name!r} must be an nn.Module or None, got {type(module).__name__}")
        _check_name(self, name, "_modules")
        self._discard(name, keep="_modules")
        self._modules[name] = module

    register_module = add_module

    # ---- traversal --------------------------------------------------------------------------
    def named_modules(self, memo: set | None = None, prefix: str = "",
                      remove_duplicate: bool = True) -> Iterator[tuple[str, "Module"]]:
        """(dotted name, module) for this module ("") and every descendant, depth first."""
        memo = set() if memo is None else memo
        if remove_duplicate:
            if id(self) in memo:
                return
            memo.add(id(self))
        yield prefix, self
        for name, m in self._modules.items():
            if m is not None:
                yield from m.named_modules(memo, f"{prefix}.{name}" if prefix else name, remove_duplicate)

    def modules(self) -> Iterator["Module"]:
        """This module and every descendant."""
        return (m for _, m in self.named_modules())

    def named_children(self) -> Iterator[tuple[str, "Module"]]:
        """(name, module) for the direct children."""
        seen = set()
        for name, m in self._modules.items():
            if m is not None and id(m) not in seen:
                seen.add(id(m))
                yield name, m

    def children(self) -> Iterator["Module"]:
        """The direct children."""
        return (m for _, m in self.named_children())

    def _named_members(self, key: str, prefix: str, recurse: bool, remove_duplicate: bool = True):
        seen = set()
        mods = self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate) if recurse else [(prefix, self)]
        for mprefix, m in mods:
            for name, v in m.__dict__[key].items():
                if v is None or (remove_duplicate and id(v) in seen):
                    continue
                seen.add(id(v))
                yield (f"{mprefix}.{name}" if mprefix else name), v

    def named_parameters(self, prefix: str = "", recurse: bool = True,
                         remove_duplicate: bool = True) -> Iterator[tuple[str, Parameter]]:
        """(dotted name, parameter) pairs, e.g. ``layers.0.weight``; a shared parameter appears once."""
        return self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        """Every parameter (each shared one once)."""
        return (p for _, p in self.named_parameters(recurse=recurse))

    def named_buffers(self, prefix: str = "", recurse: bool = True,
                      remove_duplicate: bool = True) -> Iterator[tuple[str, Tensor]]:
        """(dotted name, buffer) pairs."""
        return self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        """Every buffer."""
        return (b for _, b in self.named_buffers(recurse=recurse))

    # ---- state ------------------------------------------------------------------------------
    def state_dict(self, prefix: str = "", keep_vars: bool = False) -> "OrderedDict[str, Tensor]":
        """Parameters and persistent buffers by dotted name (detached Tensors sharing the arrays)."""
        out: OrderedDict = OrderedDict()
        for mprefix, m in self.named_modules(prefix=prefix.rstrip("."), remove_duplicate=False):  # as PyTorch's
            dot = f"{mprefix}." if mprefix else ""
            for name, p in m._parameters.items():
                if p is not None:
                    out[dot + name] = p if keep_vars else p.detach()
            for name, b in m._buffers.items():
                if b is not None and name not in m._non_persistent:
                    out[dot + name] = b if keep_vars else b.detach()
        return out

    def load_state_dict(self, state_dict: Mapping[str, Any], strict: bool = True) -> IncompatibleKeys:
        """Copy arrays into the parameters and buffers in place; on any error nothing is changed.

        Missing or unexpected keys raise with ``strict=True`` (else they are returned); a wrong shape always
        raises, naming the key and both shapes.
        """
        return load_state_dict_into(self, state_dict, strict)

    # ---- modes and bulk operations ---------------------------------------------------------------
    def train(self, mode: bool = True) -> "Module":
        """Set training mode on this module and every descendant; returns self."""
        if not isinstance(mode, bool):
            raise ValueError(f"train: mode must be a bool, got {mode!r}")
        for m in self.modules():
            m.__dict__["training"] = mode
        return self

    def eval(self) -> "Module":
        """Evaluation mode (dropout off, batch norm uses running statistics); returns self."""
        return self.train(False)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset every parameter's ``.grad`` (to None, or to zeros in place)."""
        for p in self.parameters():
            if p.grad is None:
                continue
            if set_to_none or p.grad.requires_grad:
                p.grad = None if set_to_none else Tensor(np.zeros_like(p.numpy()))
            else:
                p.grad.numpy()[...] = 0

    def apply(self, fn: Callable[["Module"], Any]) -> "Module":
        """Call ``fn`` on every descendant (children first) and on self; returns self."""
        for m in self.children():
            m.apply(fn)
        fn(self)
        return self

    def requires_grad_(self, requires_grad: bool = True) -> "Module":
        """Switch gradient recording on or off for every parameter (freezing); returns self."""
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def num_parameters(self, only_trainable: bool = False) -> int:
        """Total number of scalar parameters (each shared parameter counted once)."""
        return sum(p.size for p in self.parameters() if p.requires_grad or not only_trainable)

    def __deepcopy__(self, memo: dict) -> "Module":
        new = object.__new__(type(self))
        memo[id(self)] = new
        for m in self.modules():  # buffers: fresh Tensors, without the old graph node
            for b in m._buffers.values():
                if b is not None and id(b) not in memo:
                    memo[id(b)] = Tensor(b.numpy().copy())
        new.__dict__.update(copy.deepcopy(self.__dict__, memo))
        return new

    # ---- hooks and the call ---------------------------------------------------------------------
    def register_forward_pre_hook(self, hook: Callable) -> RemovableHandle:
        """``hook(module, args)`` before forward; may return replacement args (a tuple or one value)."""
        return RemovableHandle.add(self._forward_pre_hooks, hook)

    def register_forward_hook(self, hook: Callable) -> RemovableHandle:
        """``hook(module, args, output)`` after forward; may return a replacement output."""
        return RemovableHandle.add(self._forward_hooks, hook)

    def register_backward_hook(self, hook: Callable) -> RemovableHandle:
        """``hook(module, grad_output)`` when the gradient w.r.t. the module's output is known.

        ``grad_output`` is a Tensor shaped like the output (for tuple outputs: once per output Tensor);
        returning a Tensor replaces that gradient. (Not PyTorch's ``grad_input``/``grad_output`` pair.)
        """
        return RemovableHandle.add(self._backward_hooks, hook)

    def _scope_path(self) -> str:
        if _CallState.depth == 0:
            _CallState.generation += 1
            stamp_scopes(self, _CallState.generation, autograd.current_scope())
        gen, path = self.__dict__["_scope_stamp"]
        return path if gen == _CallState.generation else autograd.current_scope()

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        path = self._scope_path()
        _CallState.depth += 1
        try:
            for hook in list(self._forward_pre_hooks.values()):
                r = hook(self, args)
                if r is not None:
                    args = r if isinstance(r, tuple) else (r,)
            with autograd.absolute_scope(path):
                out = self.forward(*args, **kwargs)
            for hook in list(self._forward_hooks.values()):
                r = hook(self, args, out)
                if r is not None:
                    out = r
        finally:
            _CallState.depth -= 1
        if self._backward_hooks:
            for t in (out if isinstance(out, (tuple, list)) else (out,)):
                if isinstance(t, Tensor) and t.requires_grad:
                    t.register_hook(self._make_grad_hook())
        return out

    def _make_grad_hook(self) -> Callable:
        def grad_hook(g: Tensor) -> Tensor | None:
            for hook in list(self._backward_hooks.values()):
                r = hook(self, g)
                if r is not None:
                    g = r
            return g
        return grad_hook

    # ---- printing -------------------------------------------------------------------------------
    def extra_repr(self) -> str:
        """The text inside ``Name(...)`` (e.g. ``in_features=3, out_features=4``); override in layers."""
        return ""

    def __repr__(self) -> str:
        extra = self.extra_repr()
        extra_lines = extra.split("\n") if extra else []
        child_lines = [f"({k}): " + _addindent(repr(m), 2) for k, m in self._modules.items()]
        lines = extra_lines + child_lines
        body = ""
        if lines:
            body = extra_lines[0] if len(extra_lines) == 1 and not child_lines else "\n  " + "\n  ".join(lines) + "\n"
        return f"{type(self).__name__}({body})"


def _check_name(module: Module, name: str, key: str) -> None:
    if not isinstance(name, str) or not name or "." in name:
        raise KeyError(f"invalid name {name!r}: it must be a non-empty string without '.'")
    if hasattr(type(module), name) or (name in module.__dict__ and name not in module.__dict__[key]):
        raise KeyError(f"attribute {name!r} already exists on {type(module).__name__}")
