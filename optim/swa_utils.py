"""Stochastic weight averaging and EMA of a model (``torch.optim.swa_utils``): AveragedModel, SWALR, update_bn.

``optim`` does not import ``nn``: a model here is anything with torch's Module methods (``parameters()``,
``buffers()``, ``modules()``, ``train()``, ``state_dict()``, called to run forward), and the averaged copy
is made with ``copy.deepcopy``. :class:`AveragedModel` is such an object itself (not an ``nn.Module``
subclass, so it cannot be registered as a child of another module).
"""
from __future__ import annotations

import copy
import math
from collections import OrderedDict
from typing import Any, Callable, Iterable, Iterator, Literal

import numpy as np

from autograd import Tensor, no_grad
from autograd.dtypes import check_device
from autograd.versions import mark_written

from .lr_base import LRScheduler, _format_param
from .optimizer import Optimizer, lerp_

__all__ = ["AveragedModel", "update_bn", "SWALR", "get_ema_multi_avg_fn", "get_swa_multi_avg_fn",
           "get_ema_avg_fn", "get_swa_avg_fn"]

AvgFn = Callable[[Tensor, Tensor, Any], Tensor]
MultiAvgFn = Callable[[list[Tensor], list[Tensor], Any], None]


def _check_decay(decay: float) -> None:
    if decay < 0.0 or decay > 1.0:
        raise ValueError(f"Invalid decay value {decay} provided. Please provide a value in [0,1] range.")


def _store(dst: Tensor, value: np.ndarray) -> None:
    """``dst.copy_(value)``: in place, a float result truncated toward zero into an integer tensor (as torch)."""
    np.copyto(dst.numpy(), value, casting="unsafe")
    mark_written(dst.numpy())


def _as_float(a: np.ndarray) -> np.ndarray:
    """An integer array as float32 (torch's default dtype, what int * float gives), floats as they are."""
    return a if a.dtype.kind in "fc" else a.astype(np.float32)


def get_ema_multi_avg_fn(decay: float = 0.999) -> MultiAvgFn:
    """In-place EMA over lists of tensors: ``ema ← decay · ema + (1 - decay) · current`` (torch's lerp)."""
    _check_decay(decay)

    def ema_update(ema_param_list: list[Tensor], current_param_list: list[Tensor], _: Any) -> None:
        for e, c in zip(ema_param_list, current_param_list, strict=True):
            a, b = e.numpy(), c.numpy()
            if a.dtype.kind in "fc":
                lerp_(a, b, 1 - decay, np.empty_like(a))
                mark_written(a)
            else:
                _store(e, _as_float(a) * np.float32(decay) + _as_float(b) * np.float32(1 - decay))

    return ema_update


def get_swa_multi_avg_fn() -> MultiAvgFn:
    """In-place running mean over lists of tensors: ``avg ← avg + (current - avg) / (n + 1)``."""

    def swa_update(averaged_param_list: list[Tensor], current_param_list: list[Tensor], num_averaged: Any) -> None:
        n = int(num_averaged.item() if isinstance(num_averaged, Tensor) else num_averaged)
        for e, c in zip(averaged_param_list, current_param_list, strict=True):
            a, b = e.numpy(), c.numpy()
            if a.dtype.kind in "fc":
                lerp_(a, b, 1 / (n + 1), np.empty_like(a))
                mark_written(a)
            else:
                _store(e, a.astype(np.float32) + (b - a).astype(np.float32) / np.float32(n + 1))

    return swa_update


def get_ema_avg_fn(decay: float = 0.999) -> AvgFn:
    """``avg_fn`` form of the EMA: returns ``decay · ema + (1 - decay) · current``."""
    _check_decay(decay)

    def ema_update(ema_param: Tensor, current_param: Tensor, num_averaged: Any) -> Tensor:
        return decay * ema_param + (1 - decay) * current_param

    return ema_update


def get_swa_avg_fn() -> AvgFn:
    """``avg_fn`` form of the running mean: returns ``avg + (current - avg) / (n + 1)``."""

    def swa_update(averaged_param: Tensor, current_param: Tensor, num_averaged: Any) -> Tensor:
        return averaged_param + (current_param - averaged_param) / (num_averaged + 1)

    return swa_update


def _swa_default(avg: Tensor, cur: Tensor, n: int) -> None:
    """torch's CPU default (``get_swa_avg_fn`` then ``copy_``), on arrays; integer buffers go through float32."""
    a, b = avg.numpy(), cur.numpy()
    if a.dtype.kind in "fc":
        _store(avg, a + (b - a) / (n + 1))
    else:
        _store(avg, a.astype(np.float32) + (b - a).astype(np.float32) / np.float32(n + 1))


class AveragedModel:
    r"""A running average of a model's parameters (SWA by default, or EMA / any rule), as torch's.

    ``update_parameters(model)`` averages ``model``'s parameters (and, with ``use_buffers=True``, its buffers)
    into a deep copy ``self.module``; without ``use_buffers`` the buffers are copied as they are. With n
    updates so far (``n_averaged``), the default rule is the mean::

        θ̄ ← θ̄ + (θ - θ̄) / (n + 1)            (θ̄ ← θ on the first update)

    ``avg_fn(averaged, current, n)`` returns the new value of one tensor; ``multi_avg_fn(averaged_list,
    current_list, n)`` updates a list in place (one call per dtype). ``device`` may only be the CPU.
    """

    def __init__(self, model: Any, device: Any = None, avg_fn: AvgFn | None = None,
                 multi_avg_fn: MultiAvgFn | None = None, use_buffers: bool = False) -> None:
        if avg_fn is not None and multi_avg_fn is not None:
            raise AssertionError("Only one of avg_fn and multi_avg_fn should be provided")
        if device is not None:
            check_device(device, "AveragedModel")
        self.module = copy.deepcopy(model)
        self.n_averaged = Tensor(np.array(0, dtype=np.int64))
        self.avg_fn, self.multi_avg_fn, self.use_buffers = avg_fn, multi_avg_fn, use_buffers

    # ---- the Module surface a torch program uses ---------------------------------------------
    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.module(*args, **kwargs)

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """Run the averaged module."""
        return self.module(*args, **kwargs)

    @property
    def training(self) -> bool:
        return bool(self.module.training)

    def train(self, mode: bool = True) -> "AveragedModel":
        self.module.train(mode)
        return self

    def eval(self) -> "AveragedModel":
        return self.train(False)

    def to(self, *args: Any, **kwargs: Any) -> "AveragedModel":
        self.module.to(*args, **kwargs)
        return self

    def parameters(self, recurse: bool = True) -> Iterator[Tensor]:
        return iter(self.module.parameters())

    def named_parameters(self, prefix: str = "", recurse: bool = True) -> Iterator[tuple[str, Tensor]]:
        for name, p in self.module.named_parameters():
            yield f"{prefix}{'.' if prefix else ''}module.{name}", p

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        yield self.n_averaged
        yield from self.module.buffers()

    def modules(self) -> Iterator[Any]:
        yield self
        yield from self.module.modules()

    def state_dict(self) -> OrderedDict[str, Any]:
        """``n_averaged`` and the module's entries under ``module.``, as torch names them."""
        sd: OrderedDict[str, Any] = OrderedDict(n_averaged=self.n_averaged.detach())
        sd.update((f"module.{k}", v) for k, v in self.module.state_dict().items())
        return sd

    def load_state_dict(self, state_dict: dict[str, Any], strict: bool = True) -> Any:
        """Restore ``n_averaged`` and the module (``strict`` as in ``Module.load_state_dict``)."""
        if "n_averaged" in state_dict:
            n = state_dict["n_averaged"]
            _store(self.n_averaged, np.asarray(n.numpy() if isinstance(n, Tensor) else n))
        elif strict:
            raise KeyError("Missing key(s) in state_dict: \"n_averaged\"")
        inner = {k[len("module."):]: v for k, v in state_dict.items() if k.startswith("module.")}
        return self.module.load_state_dict(inner, strict=strict)

    def __repr__(self) -> str:
        return f"AveragedModel(\n  (module): {self.module!r}\n)"

    # ---- averaging ------------------------------------------------------------------------------
    def update_parameters(self, model: Any) -> None:
        """Fold ``model``'s current parameters (and buffers with ``use_buffers``) into the average."""
        if self.use_buffers:
            mine = [*self.module.parameters(), *self.module.buffers()]
            theirs = [*model.parameters(), *model.buffers()]
        else:
            mine, theirs = list(self.module.parameters()), list(model.parameters())
        pairs = [(a.detach(), b.detach()) for a, b in zip(mine, theirs)]
        n = int(self.n_averaged.item())
        if n == 0:
            for a, b in pairs:
                _store(a, b.numpy())
        elif self.multi_avg_fn is not None:
            by_dtype: dict[np.dtype, tuple[list[Tensor], list[Tensor]]] = {}
            for a, b in pairs:
                lists = by_dtype.setdefault(a.numpy().dtype, ([], []))
                lists[0].append(a)
                lists[1].append(b)
            for avgs, curs in by_dtype.values():
                self.multi_avg_fn(avgs, curs, self.n_averaged.detach())
        elif self.avg_fn is None:
            for a, b in pairs:
                _swa_default(a, b, n)
        else:
            with no_grad():
                for a, b in pairs:
                    new = self.avg_fn(a, b, self.n_averaged.detach())
                    _store(a, new.numpy() if isinstance(new, Tensor) else np.asarray(new))
        if not self.use_buffers:
            for b_swa, b_model in zip(self.module.buffers(), model.buffers(), strict=True):
                _store(b_swa, b_model.numpy())
        _store(self.n_averaged, np.asarray(n + 1))


def _is_batch_norm(module: Any) -> bool:
    return hasattr(module, "reset_running_stats") and any("BatchNorm" in c.__name__ for c in type(module).__mro__)


def update_bn(loader: Iterable[Any], model: Any, device: Any = None) -> None:
    """Recompute every batch norm's running statistics with one pass over ``loader`` (torch's ``update_bn``).

    The statistics are reset and averaged over the batches with equal weight (momentum None, a cumulative
    average); a batch that is a list or tuple contributes its first element. Train/eval mode is restored.
    """
    if device is not None:
        check_device(device, "update_bn")
    momenta = {}
    for module in model.modules():
        if _is_batch_norm(module):
            module.reset_running_stats()
            momenta[module] = module.momentum
    if not momenta:
        return
    was_training = model.training
    model.train()
    for module in momenta:
        module.momentum = None
    with no_grad():
        for batch in loader:
            if isinstance(batch, (list, tuple)):
                batch = batch[0]
            model(batch)
    for module, momentum in momenta.items():
        module.momentum = momentum
    model.train(was_training)


class SWALR(LRScheduler):
    r"""Anneal each group's lr to ``swa_lr`` over ``anneal_epochs`` epochs, then hold it (torch's SWALR).

    With α(t) = t (``"linear"``) or (1 - cos πt)/2 (``"cos"``), t = clamp(step / max(1, anneal_epochs), 0, 1),
    and lr₀ the lr the previous step's α would have started from::

        lr ← swa_lr · α(t) + lr₀ · (1 - α(t))
    """

    _not_saved = ("optimizer", "anneal_func")

    def __init__(self, optimizer: Optimizer, swa_lr: float | list[float], anneal_epochs: int = 10,
                 anneal_strategy: Literal["cos", "linear"] = "cos", last_epoch: int = -1) -> None:
        for value, group in zip(_format_param("swa_lr", optimizer, swa_lr), optimizer.param_groups, strict=True):
            group["swa_lr"] = value
        if anneal_strategy not in ["cos", "linear"]:
            raise ValueError(f"anneal_strategy must be one of 'cos' or 'linear', instead got {anneal_strategy}")
        self._set_anneal_func(anneal_strategy)
        if not isinstance(anneal_epochs, int) or anneal_epochs < 0:
            raise ValueError(f"anneal_epochs must be equal or greater than 0, got {anneal_epochs}")
        self.anneal_epochs = anneal_epochs
        super().__init__(optimizer, last_epoch)

    @staticmethod
    def _linear_anneal(t: float) -> float:
        return t

    @staticmethod
    def _cosine_anneal(t: float) -> float:
        return (1 - math.cos(math.pi * t)) / 2

    @staticmethod
    def _get_initial_lr(lr: float, swa_lr: float, alpha: float) -> float:
        return swa_lr if alpha == 1 else (lr - alpha * swa_lr) / (1 - alpha)

    def _set_anneal_func(self, anneal_strategy: str) -> None:
        self._anneal_strategy = anneal_strategy
        self.anneal_func = self._cosine_anneal if anneal_strategy == "cos" else self._linear_anneal

    def get_lr(self) -> list[float]:
        step = self._step_count - 1
        if self.anneal_epochs == 0:
            step = max(1, step)
        prev_alpha = self.anneal_func(max(0, min(1, (step - 1) / max(1, self.anneal_epochs))))
        prev_lrs = [self._get_initial_lr(g["lr"], g["swa_lr"], prev_alpha) for g in self.optimizer.param_groups]
        alpha = self.anneal_func(max(0, min(1, step / max(1, self.anneal_epochs))))
        return [g["swa_lr"] * alpha + lr * (1 - alpha) for g, lr in zip(self.optimizer.param_groups, prev_lrs)]

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore what ``state_dict()`` returned (and the anneal function it names)."""
        super().load_state_dict(state_dict)
        self._set_anneal_func(self._anneal_strategy)
