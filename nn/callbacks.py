"""The trainer's helpers: callbacks (duck-typed), the checks before training, the progress bar and Ctrl-C handling.

A callback is any object; the trainer calls those of these methods it has, in the order the callbacks were given:

- ``on_train_begin(trainer)``: once per ``fit`` (also a resumed one), after the checks, before the first batch;
- ``on_batch_end(trainer, batch, logs)``: after each optimizer step; ``batch`` is the 0-based index within the
  epoch, ``logs`` = {"loss", "acc" (None unless classification), "batch_size", "epoch" (0-based), "lr"};
- ``on_epoch_end(trainer, epoch, logs)``: after validation, the scheduler's step and the early-stopping update;
  ``epoch`` is the 0-based index into the history lists, ``logs`` = that epoch's row of the history;
- ``on_train_end(trainer)``: when training ends (all epochs, early stopping or ``trainer.stop_training``), after
  the best weights are restored; not when it is interrupted (the run is not over: it can be resumed).

An object without any of them (``viz.GradientMonitor``, which hooks the optimizer's step itself) is accepted and
left alone. Setting ``trainer.stop_training = True`` in a callback ends training after the current epoch. A callback
with both ``state_dict()`` and ``load_state_dict(state)`` has that state saved in the checkpoint and restored on
resume (it must be what ``nn.save`` stores: numbers, strings, arrays, Tensors, lists and dicts of them).

NOTE: Ctrl-C. While ``fit`` runs in the main thread and SIGINT has Python's default handler, the first Ctrl-C only
sets a flag: the current batch finishes, a checkpoint of that exact point is written and ``TrainingInterrupted`` is
raised. Python's handler is back in place at once, so a second Ctrl-C aborts at once (no new checkpoint; the last one
written stays valid: writes are atomic). Elsewhere (another thread, a custom handler) a KeyboardInterrupt stops the
run where it is, without a new checkpoint; ``trainer.interrupt()`` requests the clean stop from any thread.
"""
from __future__ import annotations

import os
import signal
import sys
import threading
from typing import Any

import numpy as np

from autograd import Tensor, no_grad

from .checkpoint import capture_rng, restore_rng

__all__ = ["Callback", "Evaluate", "TrainingInterrupted"]

HOOKS = ("on_train_begin", "on_batch_end", "on_epoch_end", "on_train_end")


class Callback:
    """An optional base class: every hook does nothing; override the ones you need (duck typing works as well)."""

    def on_train_begin(self, trainer: Any) -> None:
        """Before the first batch of ``fit``."""

    def on_batch_end(self, trainer: Any, batch: int, logs: dict[str, Any]) -> None:
        """After each optimizer step."""

    def on_epoch_end(self, trainer: Any, epoch: int, logs: dict[str, Any]) -> None:
        """After each epoch (validation done, history updated)."""

    def on_train_end(self, trainer: Any) -> None:
        """When training is over (not when interrupted)."""


class Evaluate(Callback):
    """Score one more data set after every epoch: ``Trainer(..., callbacks=[Evaluate(test_loader)])`` adds
    ``test_loss`` and ``test_acc`` (``name="test"``) to ``trainer.history``, one value per epoch, and to the epoch's
    ``logs`` seen by the callbacks after it. The loss is the trainer's ``loss_fn`` averaged over the samples and the
    accuracy is the argmax against integer labels (None when that does not apply), as for ``val_loss``/``val_acc``;
    computed in eval mode without a graph. It only looks: early stopping still watches the validation loss, so a
    test curve drawn next to it shows what stopping at the validation minimum does to the test error."""

    def __init__(self, loader: Any, name: str = "test") -> None:
        if not hasattr(loader, "__iter__"):
            raise TypeError(f"Evaluate: loader must yield (inputs, targets) batches, got {type(loader).__name__}")
        if not isinstance(name, str) or not name.isidentifier() or name in ("train", "val"):
            raise ValueError(f"Evaluate: name must be an identifier other than 'train' and 'val' (it prefixes the "
                             f"history keys name_loss, name_acc), got {name!r}")
        self.loader, self.name = loader, name

    def on_train_begin(self, trainer: Any) -> None:
        h = trainer.history
        for key in (f"{self.name}_loss", f"{self.name}_acc"):  # a resumed run without them: None for earlier epochs
            h.setdefault(key, [])
            h[key] += [None] * (len(h["epoch"]) - len(h[key]))

    def on_epoch_end(self, trainer: Any, epoch: int, logs: dict[str, Any]) -> None:
        model, loss_fn = trainer.model, trainer.loss_fn
        was = model.training
        model.eval()
        loss_sum, count, correct, acc_count = 0.0, 0, 0, 0
        try:
            with no_grad():
                for batch in self.loader:
                    x, y = split_batch(batch, f"Evaluate({self.name!r})'s loader")
                    out = model(x)
                    ya, oa = as_array(y), as_array(out)
                    n = int(ya.shape[0]) if ya.ndim else 1
                    loss_sum, count = loss_sum + float(loss_fn(out, y).item()) * n, count + n
                    if ya.dtype.kind in "iu" and ya.ndim == 1 and oa.ndim == 2 and oa.shape[0] == n:
                        correct += int(np.count_nonzero(oa.argmax(axis=1) == ya))
                        acc_count += n
        finally:
            model.train(was)
        if not count:
            raise ValueError(f"Evaluate({self.name!r}): the loader yielded no batches")
        row = {f"{self.name}_loss": loss_sum / count, f"{self.name}_acc": correct / acc_count if acc_count else None}
        for key, value in row.items():
            trainer.history[key].append(value)
        logs.update(row)


class TrainingInterrupted(KeyboardInterrupt):
    """Training stopped by Ctrl-C (or ``trainer.interrupt()``). A KeyboardInterrupt, so code that handles Ctrl-C
    still does; ``checkpoint`` is the file written (None when none was), ``epoch`` (0-based) and ``batch`` (training
    batches of that epoch done) the point reached. A command line exits with ``exit_code`` (130, the shell's code
    for SIGINT) after printing the message, which says how to resume."""

    exit_code = 130

    def __init__(self, message: str, *, checkpoint: str | None, epoch: int | None, batch: int | None) -> None:
        super().__init__(message)
        self.checkpoint, self.epoch, self.batch = checkpoint, epoch, batch

    def __str__(self) -> str:
        return str(self.args[0])


def check_callbacks(callbacks: Any) -> list[Any]:
    """The callbacks as a list (one object alone is accepted too)."""
    if callbacks is None:
        return []
    if any(callable(getattr(callbacks, h, None)) for h in HOOKS) or not hasattr(callbacks, "__iter__"):
        return [callbacks]
    return list(callbacks)


def dispatch(callbacks: list[Any], hook: str, *args: Any) -> None:
    """Call ``hook(*args)`` on every callback that has it, in order."""
    for cb in callbacks:
        fn = getattr(cb, hook, None)
        if callable(fn):
            fn(*args)


class SigintGuard:
    """While active (main thread, default handler): the first SIGINT sets ``trainer._interrupt_requested`` and
    gives Python's handler back, so a second one raises KeyboardInterrupt at once."""

    def __init__(self, trainer: Any) -> None:
        self.trainer, self.installed = trainer, False

    def _handler(self, signum: int, frame: Any) -> None:
        self.trainer._interrupt_requested = True
        signal.signal(signal.SIGINT, signal.default_int_handler)

    def __enter__(self) -> "SigintGuard":
        if threading.current_thread() is threading.main_thread() \
                and signal.getsignal(signal.SIGINT) is signal.default_int_handler:
            signal.signal(signal.SIGINT, self._handler)
            self.installed = True
        return self

    def __exit__(self, *exc: object) -> None:
        if self.installed and signal.getsignal(signal.SIGINT) == self._handler:
            signal.signal(signal.SIGINT, signal.default_int_handler)
        self.installed = False


# ---- progress ------------------------------------------------------------------------------
def want_progress(progress: bool | None) -> bool:
    """``progress=None``: a bar when stderr is a terminal and the environment variable CI is not set."""
    if progress is None:
        try:
            tty = sys.stderr.isatty()
        except (AttributeError, ValueError):
            tty = False
        return tty and not os.environ.get("CI")
    return bool(progress)


class SilentBar:
    """The bar when there is none to show: the tqdm calls the trainer, sweeps and landscapes make do nothing."""

    def update(self, n: int = 1) -> None:
        pass

    def set_postfix(self, *args: Any, **kw: Any) -> None:
        pass

    def close(self) -> None:
        pass


def make_bar(enabled: bool, total: int | None, initial: int, desc: str) -> Any:
    """A tqdm bar on stderr for one epoch (or a silent stand-in)."""
    if not enabled:
        return SilentBar()
    try:
        from tqdm import tqdm
    except ImportError:
        raise ImportError("Trainer(progress=True) needs tqdm: pip install tqdm (or pass progress=False)") from None
    return tqdm(total=total, initial=initial, desc=desc, unit="batch", leave=True, dynamic_ncols=True,
                file=sys.stderr)


# ---- checks before training ------------------------------------------------------------------
END = object()


def is_int(x: Any) -> bool:
    """An integer, not a bool."""
    return isinstance(x, (int, np.integer)) and not isinstance(x, (bool, np.bool_))


def as_array(t: Any) -> np.ndarray:
    return t.numpy() if isinstance(t, Tensor) else np.asarray(t)


def length(loader: Any) -> int | None:
    """``len(loader)``, or None for a stream without a length."""
    try:
        return len(loader)
    except TypeError:
        return None


def split_batch(batch: Any, where: str) -> tuple[Any, Any]:
    """A batch as (inputs, targets)."""
    if isinstance(batch, (list, tuple)) and len(batch) == 2:
        return batch[0], batch[1]
    size = f" of {len(batch)} items" if isinstance(batch, (list, tuple)) else ""
    raise TypeError(f"Trainer: {where} must yield (inputs, targets) pairs; got a {type(batch).__name__}{size}")


def check_lrs(optimizer: Any) -> None:
    """Every parameter group's learning rate > 0 (a warm-up schedule may start at lr 0: its base is checked)."""
    for i, g in enumerate(optimizer.param_groups):
        key = "initial_lr" if "initial_lr" in g else "lr"
        if key in g and not float(g[key]) > 0:
            raise ValueError(f"Trainer: optimizer.param_groups[{i}][{key!r}] is {g[key]!r}; the learning rate must "
                             "be > 0")


def peek(loader: Any, name: str, gens: list) -> Any:
    """The loader's first batch, drawn without changing any random state; an empty loader is refused."""
    saved = capture_rng(gens)
    try:
        n = length(loader)
        batch = END if n == 0 else next(iter(loader), END)
    finally:
        restore_rng(saved, gens)
    if batch is END:
        ds = getattr(loader, "dataset", None)
        size = length(ds) if ds is not None else None
        detail = "" if size is None else (f" (its dataset has {size} samples, batch_size="
                                          f"{getattr(loader, 'batch_size', None)}, drop_last="
                                          f"{getattr(loader, 'drop_last', None)})")
        raise ValueError(f"Trainer.fit: {name} is empty: it yields no batches{detail}")
    return batch


def _labels(loader: Any, first: np.ndarray) -> tuple[np.ndarray, str]:
    """All training labels when the dataset is a TensorDataset (or a Subset of one), else the first batch's."""
    ds = getattr(loader, "dataset", None)
    inner = getattr(ds, "dataset", None) if hasattr(ds, "indices") else ds
    tensors = getattr(inner, "tensors", None)
    if not (isinstance(tensors, tuple) and len(tensors) >= 2 and isinstance(tensors[1], Tensor)):
        return first, "train_loader's first batch"
    labels = tensors[1].numpy()
    if inner is not ds:
        labels = labels[np.asarray(ds.indices, dtype=np.intp)]  # type: ignore[union-attr]  # a Subset
    return labels, "train_loader's dataset"


def check_classes(model: Any, batch: Any, loader: Any, num_classes: int | None) -> None:
    """One forward pass on the first batch (eval mode, no graph, random state kept): the output width against
    ``num_classes`` or, without it, against the largest label + 1."""
    x, y = split_batch(batch, "train_loader")
    ya = as_array(y)
    if ya.dtype.kind not in "iu" or ya.ndim != 1:
        if num_classes is not None:
            raise ValueError(f"Trainer: num_classes={num_classes} is given but train_loader's targets are not "
                             f"integer class labels (dtype {ya.dtype}, shape {ya.shape})")
        return
    saved, modes = capture_rng([]), [(m, m.training) for m in model.modules()]
    try:
        model.eval()
        with no_grad():
            out = as_array(model(x))
    finally:
        for m, mode in modes:
            m.training = mode
        restore_rng(saved, [])
    if out.ndim != 2:
        if num_classes is not None:
            raise ValueError(f"Trainer: num_classes={num_classes} is given but the model's output has shape "
                             f"{out.shape}, not (batch, classes)")
        return
    k = int(out.shape[1])
    labels, where = _labels(loader, ya)
    top = int(labels.max()) if labels.size else -1
    if num_classes is not None:
        if k != num_classes:
            raise ValueError(f"Trainer: the model outputs {k} class scores (outputs.shape[1] = {k}) but "
                             f"num_classes = {num_classes}")
        if top >= num_classes:
            raise ValueError(f"Trainer: num_classes = {num_classes} but {where} has label {top} (labels must be "
                             f"in 0..{num_classes - 1})")
    elif top + 1 > k:
        raise ValueError(f"Trainer: the model outputs {k} class scores (outputs.shape[1] = {k}) but the labels "
                         f"need {top + 1} classes (max label {top} + 1, in {where}); give the last layer {top + 1} "
                         "outputs or pass num_classes")
