"""``CyclicLR``: cyclical learning rates (Smith 2017), with torch.optim.lr_scheduler.CyclicLR's numbers."""
from __future__ import annotations

import math
import types
from typing import Any, Callable

from .lr_base import LRScheduler, _check_number as _number, _format_param
from .optimizer import Optimizer

__all__ = ["CyclicLR"]

_MODES = ("triangular", "triangular2", "exp_range")


class CyclicLR(LRScheduler):
    r"""Cycle each group's lr between ``base_lr`` and ``max_lr``, one ``step()`` per batch, as torch's.

    A cycle is ``step_size_up`` steps up then ``step_size_down`` (default: the same) down. At step t, with
    cycle c = ⌊1 + t / total⌋ and position x = 1 + t / total - c in [0, 1)::

        s  = x / r             if x <= r   (r = step_size_up / total)
           = (x - 1) / (r - 1)  otherwise
        lr = base_lr + (max_lr - base_lr) · s · scale_fn(c or t)

    ``mode``: "triangular" (scale 1), "triangular2" (halved each cycle, 1 / 2^(c-1)), "exp_range"
    (gamma^t, by iterations). A custom ``scale_fn`` (one argument, values in [0, 1]) replaces the mode; it is
    called with the cycle number or the step, as ``scale_mode`` says. With ``cycle_momentum``, SGD's
    ``momentum`` (or β₁ of Adam-style ``betas``) cycles the opposite way, between ``max_momentum`` and
    ``base_momentum``.
    """

    def __init__(self, optimizer: Optimizer, base_lr: float | list[float], max_lr: float | list[float],
                 step_size_up: int = 2000, step_size_down: int | None = None, mode: str = "triangular",
                 gamma: float = 1.0, scale_fn: Callable[[float], float] | None = None, scale_mode: str = "cycle",
                 cycle_momentum: bool = True, base_momentum: float | list[float] = 0.8,
                 max_momentum: float | list[float] = 0.9, last_epoch: int = -1) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")
        self.optimizer = optimizer
        base_lrs = _format_param("base_lr", optimizer, base_lr)
        max_lrs = _format_param("max_lr", optimizer, max_lr)
        for name, values in (("base_lr", base_lrs), ("max_lr", max_lrs)):
            for v in values:
                _number(name, v, 0.0)
        # NOTE: torch checks none of the following; each would fail later (a division by zero) or silently
        _number("step_size_up", step_size_up, 0.0, strict=True)
        if step_size_down is not None:
            _number("step_size_down", step_size_down, 0.0)
        if scale_fn is None and mode not in _MODES:
            raise ValueError(f"Invalid mode value: {mode!r} (mode must be one of {', '.join(map(repr, _MODES))}, "
                             "or give a scale_fn)")
        if scale_fn is not None and not callable(scale_fn):
            raise TypeError(f"scale_fn should be a function, but got {type(scale_fn).__name__}")
        if scale_mode not in ("cycle", "iterations"):
            raise ValueError(f"Invalid scale_mode value: {scale_mode!r} (scale_mode must be 'cycle' or 'iterations')")
        _number("gamma", gamma, 0.0, strict=True)
        if last_epoch == -1:
            for lr, group in zip(base_lrs, optimizer.param_groups, strict=True):
                group["lr"] = lr
        self.max_lrs = max_lrs
        up = float(step_size_up)
        down = float(step_size_down) if step_size_down is not None else up
        self.total_size = up + down
        self.step_ratio = up / self.total_size
        self.mode = mode
        self.gamma = gamma
        self._scale_fn_custom = scale_fn
        self.scale_mode = scale_mode
        self._init_scale_fn()
        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            if "momentum" not in optimizer.defaults and "betas" not in optimizer.defaults:
                raise ValueError(f"Invalid cycle_momentum value: {type(optimizer).__name__} has neither momentum "
                                 "nor betas (optimizer must support momentum or beta1 with `cycle_momentum` "
                                 "option enabled)")
            self.use_beta1 = "betas" in optimizer.defaults
            self.base_momentums = _format_param("base_momentum", optimizer, base_momentum)
            self.max_momentums = _format_param("max_momentum", optimizer, max_momentum)
            for name, values in (("base_momentum", self.base_momentums), ("max_momentum", self.max_momentums)):
                for v in values:
                    _number(name, v, 0.0)
            if last_epoch == -1:
                for top, bottom, group in zip(self.max_momentums, self.base_momentums, optimizer.param_groups,
                                              strict=True):
                    self._set_momentum(group, top)
                    group["max_momentum"] = top
                    group["base_momentum"] = bottom
        super().__init__(optimizer, last_epoch)
        self.base_lrs = base_lrs

    def _init_scale_fn(self) -> None:
        """The built-in modes fix their scale_mode (as torch's): by cycle, exp_range by iterations."""
        if self._scale_fn_custom is None and self.mode in _MODES:
            self.scale_mode = "iterations" if self.mode == "exp_range" else "cycle"

    def scale_fn(self, x: float) -> float:
        """The scaling policy: the custom ``scale_fn``, else the mode's."""
        if self._scale_fn_custom is not None:
            return self._scale_fn_custom(x)
        if self.mode == "triangular":
            return 1.0
        if self.mode == "triangular2":
            return 1 / (2.0 ** (x - 1))
        return self.gamma ** x

    def _set_momentum(self, group: dict[str, Any], value: float) -> None:
        if self.use_beta1:
            group["betas"] = (value, *group["betas"][1:])
        else:
            group["momentum"] = value

    def get_lr(self) -> list[float]:
        """The lrs at step ``last_epoch``; with ``cycle_momentum`` (as in torch) also sets the groups' momentum."""
        cycle = math.floor(1 + self.last_epoch / self.total_size)
        x = 1.0 + self.last_epoch / self.total_size - cycle
        if x <= self.step_ratio:
            scale_factor = x / self.step_ratio
        else:
            scale_factor = (x - 1) / (self.step_ratio - 1)
        arg = cycle if self.scale_mode == "cycle" else self.last_epoch
        lrs = [base + (top - base) * scale_factor * self.scale_fn(arg)
               for base, top in zip(self.base_lrs, self.max_lrs, strict=True)]
        if self.cycle_momentum:
            for group, bottom, top in zip(self.optimizer.param_groups, self.base_momentums, self.max_momentums,
                                          strict=True):
                self._set_momentum(group, top - (top - bottom) * scale_factor * self.scale_fn(arg))
        return lrs

    def state_dict(self) -> dict[str, Any]:
        """As the base, with a callable object's ``__dict__`` for a custom ``scale_fn`` (a function saves as None)."""
        sd = super().state_dict()
        fn = self._scale_fn_custom
        sd["_scale_fn_custom"] = None if fn is None or isinstance(fn, types.FunctionType) else dict(fn.__dict__)
        return sd

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore the counters (and a callable ``scale_fn`` object's attributes); the functions stay."""
        rest = {k: v for k, v in state_dict.items() if k not in ("_scale_fn_custom", "_scale_fn_ref")}
        super().load_state_dict(rest)
        saved = state_dict.get("_scale_fn_custom")
        if saved and self._scale_fn_custom is not None:
            self._scale_fn_custom.__dict__.update(saved)
        self._init_scale_fn()
