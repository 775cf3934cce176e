"""The main job (``make demo``): on the digits, train a 20-layer sigmoid MLP, its ReLU twin and its residual twin
under a ``GradientMonitor`` each, plus the softmax-regression and KNN (k = 1, 3, 29) baselines, and write one report
(``runs/demo/report.html``) that shows what happened: accuracies, curves, the gradient flow of the three deep
networks on one colour scale with each diagnosis, the sigmoid network's gains, and the residual model's graph with
gradient heat (static and explorable)."""
from __future__ import annotations

import os
import time
from typing import Any

import numpy as np

import autograd
import nn
import viz

from . import runs
from .report import build_report

EPOCHS = 2 if autograd.utils.fast_mode() else 8  # the deep MLPs' default epochs (TRACEGRAD_FAST=1: make test's run)
DEEP = [("20-layer sigmoid MLP", "deep-sigmoid"), ("20-layer ReLU MLP", "deep-relu"),
        ("20-layer residual MLP", "deep-residual")]


def knn_baselines(ks: tuple[int, ...] = (1, 3, 29), seed: int = 0) -> list[dict[str, Any]]:
    """KNN on the same split as the networks: fit on train, scored on validation and test."""
    Xtr, ytr, Xva, yva, Xte, yte = runs.load(runs.check({"dataset": "digits", "seed": seed}))
    out = []
    for k in ks:
        t0 = time.perf_counter()
        clf = nn.KNeighborsClassifier(n_neighbors=k).fit(Xtr, ytr)
        out.append({"k": k, "val_acc": clf.score(Xva, yva), "test_acc": clf.score(Xte, yte),
                    "seconds": time.perf_counter() - t0})
    return out


def run(out: str = "runs/demo", epochs: int = EPOCHS, seed: int = 0) -> str:
    """Train everything, write the report; return its path."""
    os.makedirs(out, exist_ok=True)
    models, flows = [], {}
    plan = [("softmax regression", "softmax", {"epochs": 30, "lr": 0.01})] + [
        (name, key, {"epochs": epochs, "lr": 1e-3, "monitor": True}) for name, key in DEEP]
    for name, key, extra in plan:
        print(f"  training {name} ...", flush=True)
        s = {"dataset": "digits", "model": key, "seed": seed, "out": os.path.join(out, key), **extra}
        m = runs.train(s)
        history = nn.read_history(os.path.join(out, key, "history.json"))
        models.append({"name": name, **m, "history": history})
        if extra.get("monitor"):
            flows[name.split(" ", 1)[1].replace(" MLP", "")] = viz.GradientMonitor.load(
                os.path.join(out, key, "gradients.json")).history
        print(f"    test accuracy {m['test_acc']:.4f} ({m['seconds']:.1f} s)", flush=True)
    print("  KNN baselines ...", flush=True)
    knn = knn_baselines(seed=seed)
    graph_svg, explorer = residual_graph(seed)
    summary = (f"Digits (1,797 8×8 images, 10 classes), split 65 / 15 / 20 % stratified (seed {seed}). Three "
               f"20-layer MLPs trained {epochs} epochs with Adam (lr 1e-3, batch 32) under a GradientMonitor; softmax "
               "regression 30 epochs; KNN fit on the training part.")
    return build_report(os.path.join(out, "report.html"), title="tracegrad: how three deep networks learn the digits",
                        summary=summary, models=models, knn=knn, flows=flows, gain="sigmoid",
                        graph_svg=graph_svg, explorer_html=explorer)


def residual_graph(seed: int = 0) -> tuple[str | None, str | None]:
    """One batch through a residual model (8 blocks, so the picture stays readable) with gradient heat."""
    from .models import deep_mlp
    autograd.manual_seed(seed)
    model = deep_mlp(nn.ReLU, True, depth=8, width=32, d_in=64, k=10)
    X, y = nn.data.load_digits()
    loss = nn.functional.cross_entropy(model(autograd.Tensor(X[:64])), autograd.tensor(y[:64]))
    loss.backward()
    try:
        svg = viz.draw_graph(loss, collapse=2, fold_repeats=False, title="8-block residual MLP, one batch").svg()
    except RuntimeError as e:  # no layout engine at all: the report says so instead of failing
        svg = f"<p>(graph not rendered: {e})</p>"
    page = viz.explore_graph(loss, title="8-block residual MLP").html
    return svg, page


def main(out: str = "runs/demo", epochs: int = EPOCHS, seed: int = 0) -> int:
    from .pictures import extras
    t0 = time.perf_counter()
    print(f"tracegrad demo: the digits, three 20-layer MLPs and two baselines -> {out}/report.html", flush=True)
    np.seterr(all="ignore")
    path = run(out, epochs, seed)
    for p in extras(os.path.join(out, "pictures")):
        print(f"  wrote {p}")
    print(f"done in {time.perf_counter() - t0:.0f} s\nreport: {path}\n        file://{os.path.abspath(path)}")
    return 0
