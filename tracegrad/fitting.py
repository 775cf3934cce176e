"""Train a classifier on NumPy arrays in one call: the notebooks' small experiments (MLPs on the 2-D toy sets, the
digits with a regulariser), on ``nn.Trainer``::

    model = nn.models.mlp([2, 16, 2])
    history = fitting.fit(model, X, y)          # full batch, Adam (lr 0.01), about STEPS optimizer steps
    history = fitting.fit(model, X, y, (X_val, y_val), batch_size=32, optimizer="sgd", lr=0.05,
                          penalty=lambda m: 1e-4 * nn.utils.l1_penalty(m), max_norm=3.0)

``epochs`` defaults to as many epochs as make about ``STEPS`` optimizer steps (1,000; 150 under
``TRACEGRAD_FAST=1``, ``make test``'s quick run), so a full-batch fit and a mini-batch fit do similar work.
``optimizer`` is one of the lecture's seven methods by name (``optim.lecture_optimizer``). ``penalty`` goes to
``nn.Trainer(penalty=...)``: added to every step's loss, not to the history's losses. ``max_norm=c`` registers an
optimizer step post-hook (PyTorch's ``register_step_post_hook``) that calls ``nn.utils.max_norm_(model, c)`` after
every step: each unit's incoming weight vector is projected back into the ball of radius c. The hook is removed when
``fit`` returns. Training runs without the gradient-heat recorder; the model is left in eval mode.
"""
from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

import autograd
import nn
import optim
import viz

__all__ = ["STEPS", "default_epochs", "fit"]

STEPS = 150 if autograd.utils.fast_mode() else 1000  # optimizer steps a default fit makes (make test: 150)


def default_epochs(n: int, batch_size: int | None = None, steps: int | None = None) -> int:
    """Epochs that make at least ``steps`` (default ``STEPS``) optimizer steps over ``n`` samples in batches of
    ``batch_size`` (None: one batch of everything)."""
    steps = STEPS if steps is None else steps
    batches = 1 if batch_size is None else math.ceil(n / batch_size)
    return max(1, math.ceil(steps / batches))


def _arrays(X: Any, y: Any, what: str) -> tuple[np.ndarray, np.ndarray]:
    X, y = np.asarray(X), np.asarray(y)
    if X.ndim != 2 or y.ndim != 1 or len(X) != len(y) or len(X) == 0:
        raise ValueError(f"fit: {what} must be X of shape (N, features) and y of shape (N,) with N > 0, got "
                         f"{X.shape} and {y.shape}")
    if y.dtype.kind not in "iu":
        raise ValueError(f"fit: {what}'s labels must be integers (class indices), got dtype {y.dtype}")
    return X.astype(np.float32), y.astype(np.int64)


def fit(model: nn.Module, X: Any, y: Any, val: tuple[Any, Any] | None = None, *, epochs: int | None = None,
        batch_size: int | None = None, optimizer: str = "adam", lr: float = 0.01,
        penalty: Callable[[nn.Module], autograd.Tensor] | None = None, max_norm: float | None = None,
        seed: int = 0) -> dict[str, Any]:
    """Train ``model`` in place on (X, y) (validation on ``val`` = (X_val, y_val) when given); returns the
    ``nn.Trainer`` history. ``batch_size=None`` trains full batch; the loader shuffles with a generator seeded by
    ``seed`` (seed the model's initialisation yourself, with ``autograd.manual_seed``, before building it)."""
    if not isinstance(model, nn.Module):
        raise TypeError(f"fit: model must be an nn.Module, got {type(model).__name__}")
    Xtr, ytr = _arrays(X, y, "the training data")
    if batch_size is not None and (isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer))
                                   or batch_size < 1):
        raise ValueError(f"fit: batch_size must be a positive integer or None (full batch), got {batch_size!r}")
    if max_norm is not None and not max_norm > 0:
        raise ValueError(f"fit: max_norm must be a positive number or None, got {max_norm!r}")
    if val is not None and (not isinstance(val, (tuple, list)) or len(val) != 2):
        raise ValueError("fit: val must be a pair (X_val, y_val) or None")
    epochs = default_epochs(len(Xtr), batch_size) if epochs is None else epochs
    opt = optim.lecture_optimizer(optimizer, model.parameters(), lr)
    loader = autograd.utils.data.DataLoader(nn.data.tensor_dataset(Xtr, ytr), batch_size=batch_size or len(Xtr),
                                            shuffle=True, generator=autograd.Generator().manual_seed(seed))
    val_loader = None
    if val is not None:
        Xva, yva = _arrays(val[0], val[1], "val")
        val_loader = autograd.utils.data.DataLoader(nn.data.tensor_dataset(Xva, yva), batch_size=1024)
    handle = None
    if max_norm is not None:
        def project(optimizer: Any, args: Any, kwargs: Any) -> None:
            nn.utils.max_norm_(model, max_norm)
        handle = opt.register_step_post_hook(project)
    try:
        with viz.recording(False):
            history = nn.Trainer(model, opt, penalty=penalty, progress=False).fit(loader, val_loader, epochs=epochs)
    finally:
        if handle is not None:
            handle.remove()
        model.eval()
    return history
