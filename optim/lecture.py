"""The lecture's seven update rules by name: SGD, momentum, Nesterov (NAG), Adagrad, Adadelta, RMSprop, Adam.

One table for everything that picks a method by name (``tracegrad train --optimizer``, ``viz.optimizer_race``):
momentum and NAG are SGD with momentum 0.9 (NAG with ``nesterov=True``); every other setting is torch.optim's
default. Names are case-insensitive; "nag" and "nesterov" are the same method.
"""
from __future__ import annotations

from typing import Any, Iterable

from .adam import Adam
from .adaptive import Adadelta, Adagrad, RMSprop
from .optimizer import Optimizer
from .sgd import SGD

#: label (as the lecture's table writes it) -> (class, settings besides lr)
LECTURE_METHODS: dict[str, tuple[type, dict[str, Any]]] = {
    "SGD": (SGD, {}),
    "Momentum": (SGD, {"momentum": 0.9}),
    "NAG": (SGD, {"momentum": 0.9, "nesterov": True}),
    "Adagrad": (Adagrad, {}),
    "Adadelta": (Adadelta, {}),
    "RMSprop": (RMSprop, {}),
    "Adam": (Adam, {}),
}
_ALIASES = {k.lower(): k for k in LECTURE_METHODS} | {"nesterov": "NAG"}


def lecture_optimizer(name: str, params: Iterable[Any], lr: float) -> Optimizer:
    """The method ``name`` (e.g. "momentum", "NAG", "adam") over ``params`` with learning rate ``lr``."""
    label = _ALIASES.get(str(name).lower())
    if label is None:
        raise ValueError(f"unknown optimizer {name!r}; the lecture's methods: {', '.join(sorted(_ALIASES))}")
    cls, settings = LECTURE_METHODS[label]
    return cls(params, lr=lr, **settings)
