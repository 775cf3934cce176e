"""Several models trained the same way on the same data, side by side: parameters, accuracy, time, gradient flow.

    cmp = compare_models({"plain": lambda: nn.models.resnet(plain=True), "resnet": nn.models.resnet},
                         train_loader, val_loader, test_loader, monitor=True)
    print(cmp.table())                      # parameters, train / validation / test accuracy, seconds
    viz.compare_monitors(cmp.monitors)      # gradient flow on one colour scale
    cmp.plot()                              # validation accuracy per epoch, one curve per model

Every model gets the same start: the global generator seeded with ``seed`` right before the model is built (give
a zero-argument function that builds it; a ready module is used as it is), the loaders' own shuffling generators
set back to their state at the call, so each model sees the same batches in the same order, and a fresh optimizer
(``optim.lecture_optimizer(optimizer, ...)``: "sgd", "momentum", "nesterov", "adagrad", "adadelta", "rmsprop",
"adam"). Training is ``nn.Trainer`` with a ``viz.GradientMonitor`` (``monitor=True``) and a
``viz.TrajectoryRecorder`` (``trajectory=True``: per epoch; an int: every that many steps) as callbacks; the
graph recorder behind ``viz.draw_graph``'s heat is off while training. ``seconds`` is the wall time of ``fit``.
The default ``epochs`` is ``EPOCHS`` (``tracegrad.runs.DEFAULTS["epochs"]``: 10, 2 under
``autograd.utils.fast_mode()``).
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Callable, Mapping

import autograd
import nn
import optim
import viz
from nn.checkpoint import capture_rng, loader_generators, restore_rng
from viz.figures import figure, styled

from .runs import DEFAULTS, OPTIMIZERS

__all__ = ["EPOCHS", "ModelResult", "Comparison", "compare_models", "evaluate"]

EPOCHS: int = DEFAULTS["epochs"]


@dataclass(eq=False)
class ModelResult:
    """One model's run: the trained model, its parameter count, the trainer's history, the test loss and accuracy
    (None without a test loader), the training time, and the monitor / trajectory when asked for."""

    name: str
    model: nn.Module
    params: int
    history: dict[str, Any]
    test_loss: float | None
    test_acc: float | None
    seconds: float
    monitor: Any = None
    trajectory: list[dict[str, Any]] | None = None

    def row(self) -> dict[str, Any]:
        """The table's row: name, parameters, epochs, final train / validation accuracy, test accuracy, seconds."""
        h = self.history
        return {"model": self.name, "params": self.params, "epochs": len(h["epoch"]),
                "train_acc": h["train_acc"][-1] if h["train_acc"] else None,
                "val_acc": h["val_acc"][-1] if h["val_acc"] else None, "test_acc": self.test_acc,
                "seconds": self.seconds}


class Comparison:
    """The results of ``compare_models`` by name, in the order given."""

    def __init__(self, results: Mapping[str, ModelResult]) -> None:
        self.results = dict(results)

    def __getitem__(self, name: str) -> ModelResult:
        return self.results[name]

    def rows(self) -> list[dict[str, Any]]:
        """One ``ModelResult.row()`` per model."""
        return [r.row() for r in self.results.values()]

    @property
    def monitors(self) -> dict[str, Any]:
        """``{name: GradientMonitor}`` (for ``viz.compare_monitors``); empty when trained without monitors."""
        return {k: r.monitor for k, r in self.results.items() if r.monitor is not None}

    @property
    def trajectories(self) -> dict[str, list[dict[str, Any]]]:
        """``{name: trajectory}`` (for ``viz.loss_landscape(..., trajectory=)``)."""
        return {k: r.trajectory for k, r in self.results.items() if r.trajectory is not None}

    def table(self) -> str:
        """The rows as an aligned text table (accuracies in percent, "–" where not measured)."""
        def pct(v: Any) -> str:
            return "–" if v is None else f"{100 * v:.1f}%"
        width = max(5, *(len(k) for k in self.results))
        lines = [f"{'model':<{width}}  {'parameters':>10}  {'epochs':>6}  {'train acc':>9}  {'val acc':>8}  "
                 f"{'test acc':>8}  {'time':>7}"]
        for r in self.rows():
            lines.append(f"{r['model']:<{width}}  {r['params']:>10,}  {r['epochs']:>6}  {pct(r['train_acc']):>9}  "
                         f"{pct(r['val_acc']):>8}  {pct(r['test_acc']):>8}  {r['seconds']:>6.1f}s")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.table()

    def plot(self, metric: str = "val_acc") -> Any:
        """One curve per model of a history column (``val_acc``, ``train_acc``, ``val_loss``, ``train_loss``) per
        epoch; accuracies in percent. Returns the Figure."""
        if metric not in ("val_acc", "train_acc", "val_loss", "train_loss"):
            raise ValueError(f"Comparison.plot: metric must be 'val_acc', 'train_acc', 'val_loss' or 'train_loss', "
                             f"got {metric!r}")
        words = {"val": "validation", "train": "training", "acc": "accuracy (%)", "loss": "loss (cross-entropy)"}
        part, kind = metric.split("_")
        with styled():
            fig, ax = figure(size=(6.8, 4.2))
            for k, r in enumerate(self.results.values()):
                v = [float("nan") if x is None else x for x in r.history[metric]]
                ax.plot(r.history["epoch"], [100 * x for x in v] if kind == "acc" else v, "o-", ms=3,
                        color=f"C{k}", label=f"{r.name} ({r.params:,} parameters)")
            ax.set_xlabel("epoch")
            ax.set_ylabel(f"{words[part]} {words[kind]}")
            ax.set_title(f"{words[part].capitalize()} {words[kind].split(' (')[0]} per epoch")
            ax.legend(framealpha=0.85)
        return fig


def evaluate(model: nn.Module, loader: Any, loss_fn: Callable | None = None) -> tuple[float, float | None]:
    """``(loss, accuracy)`` of ``model`` over ``loader`` in eval mode without a graph (each batch weighted by its
    size; accuracy None unless the outputs are (batch, classes) scores and the targets integer labels)."""
    loss_fn = nn.functional.cross_entropy if loss_fn is None else loss_fn
    was = model.training
    model.eval()
    total, count, correct, labelled = 0.0, 0, 0, 0
    try:
        with autograd.no_grad(), viz.recording(False):
            for x, y in loader:
                out = model(x)
                n = int(out.shape[0])
                total, count = total + float(loss_fn(out, y).item()) * n, count + n
                o, t = out.numpy(), y.numpy() if hasattr(y, "numpy") else y
                if o.ndim == 2 and getattr(t, "ndim", 0) == 1 and t.dtype.kind in "iu":
                    correct, labelled = correct + int((o.argmax(1) == t).sum()), labelled + n
    finally:
        model.train(was)
    if not count:
        raise ValueError("evaluate: the loader yielded no samples")
    return total / count, (correct / labelled if labelled else None)


def _check(models: Any, epochs: Any, optimizer: Any, lr: Any, trajectory: Any) -> None:
    if not isinstance(models, Mapping) or not models:
        raise ValueError("compare_models: models must be a non-empty {name: model or function building it} mapping")
    for name, m in models.items():
        if not isinstance(m, nn.Module) and not callable(m):
            raise TypeError(f"compare_models: models[{name!r}] must be an nn.Module or a function that builds one, "
                            f"got {type(m).__name__}")
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"compare_models: epochs must be an integer >= 1, got {epochs!r}")
    if str(optimizer).lower() not in OPTIMIZERS:
        raise ValueError(f"compare_models: unknown optimizer {optimizer!r}; choose one of: {', '.join(OPTIMIZERS)}")
    if isinstance(lr, bool) or not isinstance(lr, (int, float)) or not lr > 0:
        raise ValueError(f"compare_models: lr must be a number > 0, got {lr!r}")
    if not isinstance(trajectory, (bool, int)) or (not isinstance(trajectory, bool) and trajectory < 1):
        raise ValueError(f"compare_models: trajectory must be True / False or a step interval >= 1, got "
                         f"{trajectory!r}")


def compare_models(models: Mapping[str, nn.Module | Callable[[], nn.Module]], train_loader: Any,
                   val_loader: Any = None, test_loader: Any = None, *, epochs: int | None = None,
                   optimizer: str = "adam", lr: float = 1e-3, seed: int = 0, monitor: bool = False,
                   trajectory: bool | int = False, progress: bool = False) -> Comparison:
    """Train each model in ``models`` the same way (see the module's notes) and score it on ``test_loader``."""
    epochs = EPOCHS if epochs is None else epochs
    _check(models, epochs, optimizer, lr, trajectory)
    gens = loader_generators(train_loader, val_loader, test_loader)
    start = capture_rng(gens)
    results = {}
    for name, make in models.items():
        restore_rng(start, gens)
        autograd.manual_seed(seed)
        model = make if isinstance(make, nn.Module) else make()
        if not isinstance(model, nn.Module):
            raise TypeError(f"compare_models: models[{name!r}]() returned {type(model).__name__}, not an nn.Module")
        opt = optim.lecture_optimizer(optimizer, model.parameters(), lr)
        callbacks: list[Any] = []
        mon = viz.GradientMonitor(model, opt) if monitor else None
        rec = None
        if trajectory:
            rec = viz.TrajectoryRecorder(model, every=None if trajectory is True else int(trajectory))
            callbacks.append(rec)
        if mon is not None:
            callbacks.append(mon)
        trainer = nn.Trainer(model, opt, callbacks=callbacks, progress=progress)
        t0 = time.perf_counter()
        with viz.recording(False):
            history = trainer.fit(train_loader, val_loader, epochs=epochs)
        seconds = time.perf_counter() - t0
        if mon is not None:
            mon.detach()
        test_loss, test_acc = evaluate(model, test_loader) if test_loader is not None else (None, None)
        results[name] = ModelResult(name, model, sum(p.numel() for p in model.parameters()), history, test_loss,
                                    test_acc, seconds, mon, None if rec is None else rec.trajectory)
    return Comparison(results)
