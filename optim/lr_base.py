"""The base of the learning-rate schedules (``optim.lr_scheduler.LRScheduler``) and helpers they share.

A scheduler steps once at construction (``last_epoch`` goes from -1 to 0 and the
group's lr is set to the epoch-0 value), then once per ``step()``; each class
computes the new lr from the current one exactly as PyTorch does (the "chainable"
form), so the float sequences agree bit for bit. ``step(epoch)`` uses the closed form.
"""
from __future__ import annotations

import copy
import warnings
from collections import Counter
from typing import Any

import numpy as np

from .optimizer import Optimizer

EPOCH_DEPRECATION_WARNING = ("passing an epoch to scheduler.step() is deprecated; the closed form is used "
                             "where the schedule has one")


def _lrs(optimizer: Optimizer) -> list[float]:
    return [group["lr"] for group in optimizer.param_groups]


def _format_param(name: str, optimizer: Optimizer, value: Any) -> list[Any]:
    """One value per parameter group: a list/tuple must have one per group, a scalar is repeated."""
    n = len(optimizer.param_groups)
    if isinstance(value, (list, tuple)):
        if len(value) != n:
            raise ValueError(f"Invalid {name} value: {name} must have one value per parameter group "
                             f"({n}), got {len(value)}")
        return list(value)
    return [value] * n


def _check_number(name: str, value: Any, low: float, strict: bool = False) -> None:
    """Raise ``ValueError`` naming ``name`` unless ``value`` is a real number ``>= low`` (``> low`` if strict)."""
    real = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))
    if not (real and (value > low if strict else value >= low)):
        raise ValueError(f"Invalid {name} value: {value!r} ({name} must be a number {'>' if strict else '>='} {low})")


def _saveable(value: Any) -> Any:
    """A private copy of a state value, with Counters as plain dicts (what ``nn.save`` can store)."""
    if isinstance(value, Counter):
        return dict(value)
    if isinstance(value, (list, dict)):
        return copy.deepcopy(value)
    return value


class LRScheduler:
    """Base of the epoch-indexed schedules: ``step()``, ``get_last_lr()``, ``state_dict()``."""

    _is_initial: bool = False
    #: attributes that ``state_dict()`` leaves out (besides the optimizer)
    _not_saved: tuple[str, ...] = ("optimizer",)

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")
        self.optimizer = optimizer
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", group["lr"])
        else:
            for i, group in enumerate(optimizer.param_groups):
                if "initial_lr" not in group:
                    raise KeyError(f"param 'initial_lr' is not specified in param_groups[{i}] when resuming "
                                   "a scheduler with last_epoch >= 0 (load the optimizer's state first)")
        self.base_lrs: list[float] = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self._initial_step()

    def _initial_step(self) -> None:
        """Reset the step count and take the construction step (``last_epoch`` -1 -> 0)."""
        self._step_count = 0
        self._is_initial = True
        try:
            self.step()
        finally:
            self._is_initial = False

    def get_lr(self) -> list[float]:
        """The lrs for ``self.last_epoch``, computed from the groups' current lrs."""
        raise NotImplementedError

    def _closed_form(self) -> list[float]:
        """The lrs for ``self.last_epoch`` from ``base_lrs`` alone (what ``step(epoch)`` uses)."""
        return self.get_lr()

    def get_last_lr(self) -> list[float]:
        """The lrs the last ``step()`` set, one per parameter group."""
        return self._last_lr

    def step(self, epoch: int | None = None) -> None:
        """Advance one epoch (or jump to ``epoch``, deprecated as in PyTorch) and set every group's lr."""
        self._step_count += 1
        if epoch is not None:
            warnings.warn(EPOCH_DEPRECATION_WARNING, UserWarning, stacklevel=2)
        self._update_lr(epoch)

    def _update_lr(self, epoch: int | None = None) -> None:
        if epoch is None:
            self.last_epoch += 1
            values = self.get_lr()
        else:
            self.last_epoch = epoch
            values = self._closed_form()
        for group, lr in zip(self.optimizer.param_groups, values, strict=True):
            group["lr"] = lr
        self._last_lr = _lrs(self.optimizer)

    def state_dict(self) -> dict[str, Any]:
        """Everything but the optimizer (numbers, lists, dicts: saveable with ``nn.save``)."""
        return {k: _saveable(v) for k, v in self.__dict__.items() if k not in self._not_saved and v is not None}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore what ``state_dict()`` returned."""
        self.__dict__.update({k: _saveable(v) for k, v in state_dict.items()})
