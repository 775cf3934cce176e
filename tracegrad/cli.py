"""The ``tracegrad`` command: train, knn, sweep, datasets, report, graph, demo.

Exit codes: 0 done, 1 failed, 2 usage (a wrong name or a bad number, refused before any work), 130 interrupted
(a training run saved its checkpoint: ``--resume`` continues it).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

from . import runs


class Usage(Exception):
    """A setting refused before any work starts (exit code 2)."""


def positive_int(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if v < 1:
        raise argparse.ArgumentTypeError(f"expected a positive whole number, got {v}")
    return v


def positive_float(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not v > 0 or v != v or v == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text}")
    return v


def parser() -> argparse.ArgumentParser:
    import nn

    from .models import MODELS
    p = argparse.ArgumentParser(prog="tracegrad", description="tracegrad: see how neural networks learn.")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    t = sub.add_parser("train", help="train a model on a dataset; writes metrics, checkpoints, figures, report.html")
    t.add_argument("--dataset", choices=list(nn.data.DATASETS), default="digits")
    t.add_argument("--model", choices=list(MODELS), default="mlp")
    t.add_argument("--optimizer", choices=list(runs.OPTIMIZERS), default="adam")
    t.add_argument("--epochs", type=positive_int, default=10)
    t.add_argument("--batch-size", type=positive_int, default=32)
    t.add_argument("--lr", type=positive_float, default=1e-3)
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--patience", type=int, default=None, help="early stopping: epochs without improvement allowed")
    t.add_argument("--monitor", action="store_true", help="record per-layer gradient flow (viz.GradientMonitor)")
    t.add_argument("--data-dir", default=None, help="a folder with Fashion-MNIST's IDX files")
    t.add_argument("--out", default=None, help="run folder (default runs/DATASET-MODEL)")
    t.add_argument("--resume", metavar="RUN_DIR", default=None, help="continue an interrupted run from its checkpoint")
    k = sub.add_parser("knn", help="the k-nearest-neighbour baseline: one line per k")
    k.add_argument("--dataset", choices=list(nn.data.DATASETS), default="digits")
    k.add_argument("-k", type=positive_int, nargs="+", default=[1, 3, 29])
    k.add_argument("--seed", type=int, default=0)
    k.add_argument("--data-dir", default=None)
    s = sub.add_parser("sweep", help="run a grid of trainings (JSON config) locally or on a Dask cluster")
    s.add_argument("config", help='JSON file: {"base": {...}, "grid": {"seed": [0, 1], "lr": [0.05, 0.01]}}')
    s.add_argument("--out", required=True, help="folder for results.jsonl (a re-run skips finished runs)")
    s.add_argument("--workers", type=positive_int, default=None)
    s.add_argument("--scheduler", default=None, help="a dask.distributed scheduler address (tcp://host:8786)")
    sub.add_parser("datasets", help="what data is here, and how to get the rest")
    r = sub.add_parser("report", help="rebuild a run's report.html from its files")
    r.add_argument("run_dir")
    g = sub.add_parser("graph", help="draw a model's backprop graph (SVG) for one batch of a dataset")
    g.add_argument("--model", choices=list(MODELS), default="resnet")
    g.add_argument("--dataset", choices=list(nn.data.DATASETS), default="digits")
    g.add_argument("--collapse", default="auto", help="'auto', a depth, or 'none'")
    g.add_argument("--out", default="graph.svg")
    d = sub.add_parser("demo", help="the main job: three deep networks and two baselines on the digits, one report")
    d.add_argument("--out", default="runs/demo")
    d.add_argument("--epochs", type=positive_int, default=None, help="default 8 (2 with TRACEGRAD_FAST=1)")
    d.add_argument("--seed", type=int, default=0)
    return p


def cmd_train(a: argparse.Namespace) -> int:
    settings: dict[str, Any]
    if a.resume:
        with open(os.path.join(a.resume, "settings.json"), encoding="utf-8") as f:
            settings = json.load(f)
        settings["epochs"] = max(settings["epochs"], a.epochs if a.epochs != 10 else settings["epochs"])
    else:
        settings = {"dataset": a.dataset, "model": a.model, "optimizer": a.optimizer, "epochs": a.epochs,
                    "batch_size": a.batch_size, "lr": a.lr, "seed": a.seed, "monitor": a.monitor,
                    "data_dir": a.data_dir, "patience": a.patience,
                    "out": a.out or os.path.join("runs", f"{a.dataset}-{a.model}")}
    os.makedirs(settings["out"], exist_ok=True)
    from viz.files import write_atomic
    write_atomic(os.path.join(settings["out"], "settings.json"), json.dumps(settings, indent=2))
    metrics = runs.train(settings, resume=bool(a.resume))
    print(json.dumps(metrics))
    path = rebuild_report(settings["out"])
    print(f"report: {path}")
    return 0


def rebuild_report(run_dir: str) -> str:
    """A single run's report from the files it wrote."""
    import nn
    import viz

    from .report import build_report
    with open(os.path.join(run_dir, "metrics.json"), encoding="utf-8") as f:
        metrics = json.load(f)
    with open(os.path.join(run_dir, "settings.json"), encoding="utf-8") as f:
        settings = json.load(f)
    history = nn.read_history(os.path.join(run_dir, "history.json"))
    flows = {}
    if os.path.exists(os.path.join(run_dir, "gradients.json")):
        flows[settings["model"]] = viz.GradientMonitor.load(os.path.join(run_dir, "gradients.json")).history
    name = f"{settings['model']} on {settings['dataset']}"
    return build_report(os.path.join(run_dir, "report.html"), title=f"tracegrad run: {name}",
                        summary=json.dumps(settings), models=[{"name": name, **metrics, "history": history}], knn=[],
                        flows=flows or None, gain=settings["model"] if flows else None)


def cmd_knn(a: argparse.Namespace) -> int:
    import nn
    s = runs.check({"dataset": a.dataset, "seed": a.seed, "data_dir": a.data_dir})
    Xtr, ytr, _, _, Xte, yte = runs.load(s)
    for k in a.k:
        if k > len(Xtr):
            raise Usage(f"-k {k} is more than the {len(Xtr)} training samples")
    for k in a.k:
        acc = nn.KNeighborsClassifier(n_neighbors=k).fit(Xtr, ytr).score(Xte, yte)
        print(f"k={k}  accuracy={acc:.4f}")
    return 0


def cmd_sweep(a: argparse.Namespace) -> int:
    from .sweep import run_sweep
    with open(a.config, encoding="utf-8") as f:
        config = json.load(f)
    for s in __import__("tracegrad.sweep", fromlist=["expand"]).expand(config):
        runs.check({k: v for k, v in s.items() if k != "out"})
    results = run_sweep(config, a.out, workers=a.workers, scheduler=a.scheduler)
    failed = [r for r in results if "error" in r]
    print(f"{len(results) - len(failed)} runs finished, {len(failed)} failed; results in {a.out}/results.jsonl")
    return 1 if failed else 0


def cmd_datasets(a: argparse.Namespace) -> int:
    import nn
    for d in nn.data.available():
        mark = "yes" if d["present"] else "no "
        print(f"{d['name']:<14} {mark}  {d['size']:>6} x {str(d['shape']):<10} {d['description']}")
        if not d["present"]:
            print(f"{'':<19}to get it: {d['how']}")
    return 0


def cmd_graph(a: argparse.Namespace) -> int:
    import autograd
    import nn
    import viz

    from .models import build
    X, y = nn.data.DATASETS[a.dataset]()
    autograd.manual_seed(0)
    model = build(a.model, X.shape[1], int(y.max()) + 1)
    loss = nn.functional.cross_entropy(model(autograd.Tensor(X[:32])), autograd.tensor(y[:32]))
    loss.backward()
    collapse: Any = None if a.collapse == "none" else (int(a.collapse) if a.collapse.isdigit() else a.collapse)
    print(viz.draw_graph(loss, collapse=collapse, title=f"{a.model} on {a.dataset}").save_svg(a.out))
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        if args.command == "train":
            return cmd_train(args)
        if args.command == "knn":
            return cmd_knn(args)
        if args.command == "sweep":
            return cmd_sweep(args)
        if args.command == "datasets":
            return cmd_datasets(args)
        if args.command == "report":
            print(rebuild_report(args.run_dir))
            return 0
        if args.command == "graph":
            return cmd_graph(args)
        from . import demo
        return demo.main(args.out, args.epochs or demo.EPOCHS, args.seed)
    except (Usage, ValueError) as e:
        print(f"tracegrad {args.command}: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as e:
        print(f"\ntracegrad {args.command}: interrupted. {e}", file=sys.stderr)
        return 130
    except Exception as e:  # noqa: BLE001 - the command's failure, said in one line (exit code 1)
        print(f"tracegrad {args.command}: failed: {type(e).__name__}: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
