"""``nn.Trainer``: the training loop every user writes, with history, callbacks, early stopping, checkpoints and an
exact resume::

    trainer = nn.Trainer(model, optim.Adam(model.parameters(), lr=1e-3), early_stopping=5, checkpoint_dir="runs/a")
    history = trainer.fit(train_loader, val_loader, epochs=20)          # after Ctrl-C: the same line, resume=True

The constructor takes what is trained and how; ``fit`` the data, the number of epochs and ``resume``. Batches are
``(inputs, targets)`` pairs; each step is ``zero_grad``, ``loss_fn(model(inputs), targets)``, ``backward``,
``optimizer.step()``. The loss defaults to cross-entropy. ``penalty`` (a callable ``model -> scalar Tensor``, e.g.
``lambda m: 1e-4 * nn.utils.l1_penalty(m)``, the lecture's λ·Σ|θ|) is added to each step's loss before ``backward``;
the history's losses stay the data loss, so train and validation compare. Per epoch the history gets the train and
validation loss (the mean over the epoch's samples: each batch's loss weighted by its size) and accuracy (for integer
class labels and ``(batch, classes)`` outputs: the argmax against the label; None otherwise), the lr of the first
parameter group during the epoch, and the epoch's wall time; ``best_epoch`` is the (1-based) epoch of the lowest
validation loss.

Early stopping (``early_stopping=patience``) watches the validation loss: ``patience`` epochs without a new minimum
are tolerated, the next one stops training; the best epoch's weights are put back when training ends (also when it
ran all its epochs). The scheduler steps once per epoch after validation (``scheduler_interval="batch"``: after
every optimizer step); one whose ``step`` needs a metric (``ReduceLROnPlateau``) gets the validation loss (the
training loss without validation).

With ``checkpoint_dir`` a checkpoint (``nn.checkpoint`` documents the files) is written atomically at the end of
every epoch and when training is interrupted (see ``nn.callbacks`` for Ctrl-C). ``fit(..., resume=True)`` with the
same model, optimizer, scheduler and loaders (built the same way: the weights, states and random state are the
checkpoint's, not the new objects') continues exactly, the numbers bit-identical to a run never interrupted (only
``epoch_time`` differs). A checkpoint taken mid-epoch resumes the same epoch: the global generator and the loaders'
own generators are set back to their state at the epoch's start, the batches already trained on are drawn again
and skipped (so the rest come in the same order), then the generators get their state at the interruption, and the
epoch's running sums continue. ``resume="auto"`` resumes when a checkpoint exists; ``resume=path`` reads another
directory or ``.npz``. A finished run (or one stopped early) resumes to its end state; ``epochs`` larger than the
checkpoint's run trains on. Callbacks' own state (a ``viz.GradientMonitor``'s records) is not restored unless the
callback has ``state_dict``/``load_state_dict``.

Bad settings are refused before any work, naming the setting: ``epochs`` < 1, a learning rate <= 0, ``patience``
< 0, an empty loader, early stopping without a validation loader, and a model whose output width does not match
the classes (``num_classes`` when given, else at least max label + 1 from the training data).
"""
from __future__ import annotations

import inspect
import math
import os
import time
from typing import Any, Callable

import numpy as np

from autograd import Tensor, no_grad

from . import functional as F
from .callbacks import (END, Callback, SigintGuard, TrainingInterrupted, as_array, check_callbacks, check_classes,
                        check_lrs, dispatch, is_int, length, make_bar, peek, split_batch, want_progress)
from .checkpoint import (capture_rng, copy_weights, find_checkpoint, loader_generators, restore_rng, restore_run,
                         run_payload, save_checkpoint)
from .module import Module

__all__ = ["Trainer", "TrainingInterrupted", "Callback"]

ROW = ("epoch", "train_loss", "train_acc", "val_loss", "val_acc", "lr", "epoch_time")


class _Interrupt(Exception):
    """Internal: the run reached a clean stop point after an interrupt request."""


def _stats(out: Any, y: Any) -> tuple[int, int | None]:
    """(samples in the batch, correct predictions or None when accuracy does not apply)."""
    ya, oa = as_array(y), as_array(out)
    n = int(ya.shape[0]) if ya.ndim else 1
    if ya.dtype.kind in "iu" and ya.ndim == 1 and oa.ndim == 2 and oa.shape[0] == n:
        return n, int(np.count_nonzero(oa.argmax(axis=1) == ya))
    return n, None


class _Run:
    """Where a run stands: what a checkpoint holds besides the model's, optimizer's and scheduler's states."""

    def __init__(self, epochs: int) -> None:
        self.epochs, self.epoch, self.batch = epochs, 0, 0
        self.sums: dict[str, Any] = {}
        self.rng_start: dict[str, Any] | None = None
        self.rng_now: dict[str, Any] | None = None
        self.best_loss: float | None = None
        self.bad, self.best_weights = 0, None
        self.stopped_early = self.stopped = self.resumed = False

    @property
    def over(self) -> bool:
        return self.epoch >= self.epochs or self.stopped_early or self.stopped


class Trainer:
    """Train ``model`` with ``optimizer``; see the module's docstring. ``fit`` returns ``trainer.history``."""

    def __init__(self, model: Module, optimizer: Any, *, loss_fn: Callable[[Any, Any], Tensor] | None = None,
                 scheduler: Any = None, scheduler_interval: str = "epoch", callbacks: Any = (),
                 early_stopping: int | None = None, checkpoint_dir: str | os.PathLike[str] | None = None,
                 progress: bool | None = None, num_classes: int | None = None,
                 penalty: Callable[[Module], Tensor] | None = None) -> None:
        if not isinstance(model, Module):
            raise TypeError(f"Trainer: model must be an nn.Module, got {type(model).__name__}")
        if not isinstance(getattr(optimizer, "param_groups", None), list) or not callable(getattr(optimizer, "step",
                                                                                                   None)):
            raise TypeError(f"Trainer: optimizer must be an optimizer (param_groups and step()), got "
                            f"{type(optimizer).__name__}")
        if loss_fn is not None and not callable(loss_fn):
            raise TypeError(f"Trainer: loss_fn must be callable (outputs, targets) -> loss, got {loss_fn!r}")
        if penalty is not None and not callable(penalty):
            raise TypeError(f"Trainer: penalty must be a callable model -> scalar Tensor (added to the loss), got "
                            f"{penalty!r}")
        if scheduler is not None and not callable(getattr(scheduler, "step", None)):
            raise TypeError(f"Trainer: scheduler must have a step() method, got {type(scheduler).__name__}")
        if scheduler_interval not in ("epoch", "batch"):
            raise ValueError(f"Trainer: scheduler_interval must be 'epoch' or 'batch', got {scheduler_interval!r}")
        if early_stopping is not None and (not is_int(early_stopping) or early_stopping < 0):
            raise ValueError(f"Trainer: early_stopping (the patience, in epochs) must be an integer >= 0 or None, "
                             f"got {early_stopping!r}")
        if num_classes is not None and (not is_int(num_classes) or num_classes < 1):
            raise ValueError(f"Trainer: num_classes must be a positive integer or None, got {num_classes!r}")
        if progress not in (None, True, False):
            raise ValueError(f"Trainer: progress must be True, False or None (auto), got {progress!r}")
        check_lrs(optimizer)
        self.model, self.optimizer, self.scheduler = model, optimizer, scheduler
        self.loss_fn = loss_fn if loss_fn is not None else F.cross_entropy
        self.penalty = penalty
        self.scheduler_interval, self.early_stopping, self.num_classes = scheduler_interval, early_stopping, num_classes
        self.callbacks = check_callbacks(callbacks)
        self.checkpoint_dir = None if checkpoint_dir is None else os.fspath(checkpoint_dir)
        self.progress = progress
        self.history: dict[str, Any] = {k: [] for k in ROW} | {"best_epoch": None}
        self.state = "new"  # then "running"; at the end "finished", "stopped_early", "stopped" or "interrupted"
        self.stop_training = False  # a callback may set it: training ends after the current epoch
        self._interrupt_requested = False
        self._last_saved: tuple[str, int, int] | None = None
        self._metric_step = False
        if scheduler is not None:
            try:
                params = inspect.signature(scheduler.step).parameters.values()
                self._metric_step = any(p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
                                        for p in params)
            except (TypeError, ValueError):
                pass

    def interrupt(self) -> None:
        """Ask the running ``fit`` (from a callback or another thread) to stop as Ctrl-C does: at the end of the
        current batch, with a checkpoint, raising ``TrainingInterrupted``."""
        self._interrupt_requested = True

    # ---- fit ------------------------------------------------------------------------------------
    def fit(self, train_loader: Any, val_loader: Any = None, *, epochs: int,
            resume: bool | str | os.PathLike[str] = False) -> dict[str, Any]:
        """Train for ``epochs`` epochs in all (a resumed run counts the epochs already done); returns the history.

        Raises ``TrainingInterrupted`` on Ctrl-C / ``interrupt()`` after writing a checkpoint (with checkpoint_dir).
        """
        if not is_int(epochs) or epochs < 1:
            raise ValueError(f"Trainer.fit: epochs must be an integer >= 1, got {epochs!r}")
        if self.early_stopping is not None and val_loader is None:
            raise ValueError("Trainer: early_stopping watches the validation loss: pass val_loader to fit")
        check_lrs(self.optimizer)
        found = find_checkpoint(resume, self.checkpoint_dir)
        gens = loader_generators(train_loader, val_loader)
        first = peek(train_loader, "train_loader", gens)
        if val_loader is not None:
            peek(val_loader, "val_loader", gens)
        check_classes(self.model, first, train_loader, self.num_classes)
        run, self._last_saved = _Run(int(epochs)), None
        if found is not None:
            restore_run(self, found[0], run)
            self._last_saved = (found[1], run.epoch, run.batch)
        else:
            self.history = {k: [] for k in ROW} | {"best_epoch": None}
        if self.checkpoint_dir is not None:
            os.makedirs(self.checkpoint_dir, exist_ok=True)  # a file in the way fails now, not after an epoch
        self.stop_training, self._interrupt_requested, self.state = False, False, "running"
        was_training = self.model.training
        try:
            with SigintGuard(self):
                dispatch(self.callbacks, "on_train_begin", self)
                while not run.over:
                    self._epoch(run, train_loader, val_loader, gens)
        except _Interrupt:
            raise self._interrupted(run, clean=True) from None
        except TrainingInterrupted:
            raise
        except KeyboardInterrupt as e:
            raise self._interrupted(run, clean=False) from e
        finally:
            self.model.train(was_training)
        self.state = "stopped_early" if run.stopped_early else "stopped" if run.stopped else "finished"
        if self.early_stopping is not None and run.best_weights is not None:
            self.model.load_state_dict(run.best_weights)
        dispatch(self.callbacks, "on_train_end", self)
        return self.history

    def _epoch(self, run: _Run, train_loader: Any, val_loader: Any, gens: list) -> None:
        e, total = run.epoch, length(train_loader)
        bar = make_bar(want_progress(self.progress), total, run.batch, f"Epoch {e + 1}/{run.epochs}")
        try:
            start = self._train_part(run, train_loader, gens, bar)
            vl, va = self._validate(val_loader) if val_loader is not None else (None, None)
            s, h = run.sums, self.history
            row = {"epoch": e + 1, "train_loss": s["loss_sum"] / s["count"] if s["count"] else math.nan,
                   "train_acc": s["correct"] / s["acc_count"] if s["acc_count"] else None, "val_loss": vl,
                   "val_acc": va, "lr": s["lr"], "epoch_time": time.perf_counter() - start}
            for k in ROW:
                h[k].append(row[k])
            if vl is not None and (run.best_loss is None or vl < run.best_loss):
                run.best_loss, run.bad, h["best_epoch"] = vl, 0, e + 1
                if self.early_stopping is not None:
                    run.best_weights = copy_weights(self.model)
            elif vl is not None:
                run.bad += 1
                run.stopped_early = self.early_stopping is not None and run.bad > self.early_stopping
            if self.scheduler is not None and self.scheduler_interval == "epoch":
                self._step_scheduler(row["train_loss"] if vl is None else vl)
            run.epoch, run.batch = e + 1, 0
            dispatch(self.callbacks, "on_epoch_end", self, e, dict(row, best_epoch=h["best_epoch"]))
            run.stopped = self.stop_training
            run.rng_start = run.rng_now = capture_rng(gens)
            self._save(run)
            bar.set_postfix({k: f"{v:.4g}" for k, v in row.items() if k in ROW[1:5] and v is not None}, refresh=False)
        finally:
            bar.close()
        if self._interrupt_requested and not run.over:
            raise _Interrupt

    def _train_part(self, run: _Run, loader: Any, gens: list, bar: Any) -> float:
        """Train the epoch's remaining batches; returns the epoch's start on the perf_counter clock."""
        resumed, run.resumed = run.resumed, False
        if run.batch == 0:
            if resumed:
                restore_rng(run.rng_now, gens)  # type: ignore[arg-type]  # a checkpoint holds it
            run.rng_start = capture_rng(gens)
            lr = self.optimizer.param_groups[0].get("lr")
            run.sums = {"loss_sum": 0.0, "count": 0, "correct": 0, "acc_count": 0, "elapsed": 0.0,
                        "lr": None if lr is None else float(lr)}
        s = run.sums
        start = time.perf_counter() - s["elapsed"]
        self.model.train()
        done = run.batch
        if done and done == length(loader):  # only the validation was left
            restore_rng(run.rng_now, gens)  # type: ignore[arg-type]
            return start
        if done:
            restore_rng(run.rng_start, gens)  # type: ignore[arg-type]
        it = iter(loader)
        for _ in range(done):
            if next(it, END) is END:
                raise ValueError(f"resume: the checkpoint was taken after batch {done} of epoch {run.epoch + 1}, but "
                                 "train_loader now has fewer batches; pass the loader of the interrupted run")
        if done:
            restore_rng(run.rng_now, gens)  # type: ignore[arg-type]
        for b, batch in enumerate(it, start=done):
            x, y = split_batch(batch, "train_loader")
            self.optimizer.zero_grad()
            out = self.model(x)
            loss = self.loss_fn(out, y)
            (loss if self.penalty is None else loss + self._penalty()).backward()
            self.optimizer.step()
            lv = float(loss.item())
            if self.scheduler is not None and self.scheduler_interval == "batch":
                self._step_scheduler(lv)
            n, correct = _stats(out, y)
            s["loss_sum"] += lv * n
            s["count"] += n
            if correct is not None:
                s["correct"] += correct
                s["acc_count"] += n
            run.batch = b + 1
            lr = self.optimizer.param_groups[0].get("lr")
            dispatch(self.callbacks, "on_batch_end", self, b,
                     {"loss": lv, "acc": None if correct is None else correct / n, "batch_size": n, "epoch": run.epoch,
                      "lr": None if lr is None else float(lr)})
            run.rng_now = capture_rng(gens)
            s["elapsed"] = time.perf_counter() - start
            bar.update(1)
            bar.set_postfix(loss=f"{s['loss_sum'] / s['count']:.4g}", refresh=False)
            if self._interrupt_requested:
                raise _Interrupt
        return start

    def _penalty(self) -> Tensor:
        p = self.penalty(self.model)  # type: ignore[misc]  # set: _train_part calls it only then
        if not isinstance(p, Tensor) or p.numel() != 1:
            raise TypeError(f"Trainer: penalty(model) must return a scalar Tensor (one element), got "
                            f"{type(p).__name__}{'' if not isinstance(p, Tensor) else f' of shape {tuple(p.shape)}'}")
        return p.reshape(())

    def _validate(self, loader: Any) -> tuple[float, float | None]:
        self.model.eval()
        loss_sum, count, correct, acc_count = 0.0, 0, 0, 0
        with no_grad():
            for batch in loader:
                x, y = split_batch(batch, "val_loader")
                out = self.model(x)
                lv = float(self.loss_fn(out, y).item())
                n, c = _stats(out, y)
                loss_sum, count = loss_sum + lv * n, count + n
                if c is not None:
                    correct, acc_count = correct + c, acc_count + n
                if self._interrupt_requested:
                    raise _Interrupt
        self.model.train()
        return loss_sum / count, (correct / acc_count if acc_count else None)

    def _step_scheduler(self, metric: float) -> None:
        if self._metric_step:
            self.scheduler.step(metric)
        else:
            self.scheduler.step()

    # ---- checkpoints ----------------------------------------------------------------------------
    def _save(self, run: _Run) -> str | None:
        if self.checkpoint_dir is None:
            return None
        path = save_checkpoint(self.checkpoint_dir, run_payload(self, run))
        self._last_saved = (path, run.epoch, run.batch)
        return path

    def _interrupted(self, run: _Run, clean: bool) -> TrainingInterrupted:
        """The exception to raise: at a clean stop point a checkpoint is written first."""
        self.state = "interrupted"
        saved = self._save(run) if clean else None
        at = (f"epoch {run.epoch + 1}/{run.epochs} after batch {run.batch}" if run.batch
              else f"the start of epoch {run.epoch + 1}/{run.epochs}")
        if saved is not None:
            return TrainingInterrupted(
                f"Training interrupted at {at}; checkpoint saved to {saved}. To resume, build the same model, "
                f"optimizer, scheduler and loaders and call Trainer(..., checkpoint_dir={self.checkpoint_dir!r})"
                ".fit(..., resume=True): the run continues exactly where it stopped",
                checkpoint=saved, epoch=run.epoch, batch=run.batch)
        if clean or self.checkpoint_dir is None:
            return TrainingInterrupted(f"Training interrupted at {at}; no checkpoint was written (checkpoint_dir is "
                                       "not set): the model holds the weights reached", checkpoint=None,
                                       epoch=run.epoch, batch=run.batch)
        last = self._last_saved
        kept = (f"the last one, {last[0]} (epoch {last[1] + 1}, after batch {last[2]}), is intact: resume from it with "
                "fit(..., resume=True)" if last else "none had been written yet")
        return TrainingInterrupted(
            "Training interrupted in the middle of a batch (a KeyboardInterrupt outside the trainer's Ctrl-C "
            f"handler), so no checkpoint was written now; {kept}", checkpoint=last[0] if last else None,
            epoch=last[1] if last else None, batch=last[2] if last else None)
