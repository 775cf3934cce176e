"""Containers: Sequential, ModuleList, ModuleDict (PyTorch's semantics and child names "0", "1", ...)."""
from __future__ import annotations

from collections import OrderedDict
from typing import Any, Iterable, Iterator, Mapping

from .module import Module

__all__ = ["Sequential", "ModuleList", "ModuleDict"]


def _check(m: Any, where: str) -> Module:
    if not isinstance(m, Module):
        raise TypeError(f"{where}: expected an nn.Module, got {type(m).__name__}")
    return m


class _IndexedModules(Module):
    """Shared behaviour of Sequential and ModuleList: children named by position."""

    def _idx(self, i: int) -> str:
        n = len(self._modules)
        if not -n <= i < n:
            raise IndexError(f"{type(self).__name__}: index {i} is out of range for {n} module(s)")
        return list(self._modules)[i % n]

    def __getitem__(self, i: int | slice):
        if isinstance(i, slice):
            if isinstance(self, Sequential):  # keeps the children's names, like PyTorch
                return Sequential(OrderedDict(list(self._modules.items())[i]))
            return type(self)(list(self._modules.values())[i])
        return self._modules[self._idx(int(i))]

    def __setitem__(self, i: int, module: Module) -> None:
        self._modules[self._idx(int(i))] = _check(module, f"{type(self).__name__}[{i}] = ...")

    def __delitem__(self, i: int | slice) -> None:
        keys = list(self._modules)
        for k in (keys[i] if isinstance(i, slice) else [self._idx(int(i))]):
            del self._modules[k]
        mods = list(self._modules.values())  # renumber: names stay 0..n-1
        self._modules.clear()
        for j, m in enumerate(mods):
            self._modules[str(j)] = m

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def append(self, module: Module) -> "_IndexedModules":
        """Add ``module`` at the end; returns self."""
        self.add_module(str(len(self._modules)), _check(module, f"{type(self).__name__}.append"))
        return self

    def extend(self, modules: Iterable[Module]) -> "_IndexedModules":
        """Append each of ``modules``; returns self."""
        for m in modules:
            self.append(m)
        return self

    def insert(self, index: int, module: Module) -> None:
        """Insert ``module`` before position ``index``."""
        mods = list(self._modules.values())
        mods.insert(index, _check(module, f"{type(self).__name__}.insert"))
        self._modules.clear()
        for j, m in enumerate(mods):
            self._modules[str(j)] = m


class Sequential(_IndexedModules):
    """Chain modules: the output of each is the input of the next. ``Sequential(OrderedDict)`` names them."""

    def __init__(self, *modules: Module | Mapping[str, Module]) -> None:
        super().__init__()
        if len(modules) == 1 and isinstance(modules[0], (dict, OrderedDict)):
            for name, m in modules[0].items():
                self.add_module(name, _check(m, f"Sequential[{name!r}]"))
        else:
            for i, m in enumerate(modules):
                self.add_module(str(i), _check(m, f"Sequential argument {i}"))

    def forward(self, x: Any) -> Any:
        """Apply each module in turn."""
        for m in self._modules.values():
            x = m(x)
        return x


class ModuleList(_IndexedModules):
    """A list of modules whose parameters are registered (not callable itself)."""

    def __init__(self, modules: Iterable[Module] | None = None) -> None:
        super().__init__()
        if modules is not None:
            self.extend(modules)

    def __add__(self, other: Iterable[Module]) -> "ModuleList":
        return ModuleList(list(self) + list(other))

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("ModuleList is not callable: iterate over it and call its modules")


class ModuleDict(Module):
    """A dict of modules whose parameters are registered (insertion order kept)."""

    def __init__(self, modules: Mapping[str, Module] | Iterable[tuple[str, Module]] | None = None) -> None:
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __getitem__(self, key: str) -> Module:
        return self._modules[key]

    def __setitem__(self, key: str, module: Module) -> None:
        self.add_module(key, _check(module, f"ModuleDict[{key!r}] = ..."))

    def __delitem__(self, key: str) -> None:
        del self._modules[key]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[str]:
        return iter(self._modules)

    def __contains__(self, key: object) -> bool:
        return key in self._modules

    def keys(self):
        """The names."""
        return self._modules.keys()

    def values(self):
        """The modules."""
        return self._modules.values()

    def items(self):
        """(name, module) pairs."""
        return self._modules.items()

    def pop(self, key: str) -> Module:
        """Remove and return the module under ``key``."""
        return self._modules.pop(key)

    def clear(self) -> None:
        """Remove every module."""
        self._modules.clear()

    def update(self, modules: Mapping[str, Module] | Iterable[tuple[str, Module]]) -> None:
        """Add (or replace) modules from a mapping or (name, module) pairs."""
        pairs = modules.items() if isinstance(modules, Mapping) else modules
        for k, m in pairs:
            self[k] = m

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("ModuleDict is not callable: index it and call its modules")
