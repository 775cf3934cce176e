"""``python -m tracegrad demo``: train a small network on built-in data and show its loss falling."""
from __future__ import annotations

import argparse
import sys
import time

import numpy as np

import autograd
from autograd import Tensor


def make_moons(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles (the classic toy set), generated, not downloaded."""
    half = n // 2
    t = rng.uniform(0, np.pi, size=n)
    x = np.where(np.arange(n) < half, np.cos(t), 1 - np.cos(t))
    y = np.where(np.arange(n) < half, np.sin(t), 0.5 - np.sin(t))
    X = np.stack([x, y], axis=1) + rng.normal(scale=noise, size=(n, 2))
    labels = (np.arange(n) >= half).astype(np.int64)
    return X.astype(np.float32), labels


def demo(steps: int = 600, seed: int = 0, out: str | None = "out/demo") -> int:
    """A 2-16-16-2 tanh MLP written with the engine alone, trained by plain gradient descent."""
    if out:
        import viz  # noqa: F401  (installs the recorder, so the last step's graph has values and gradient heat)
    rng = autograd.manual_seed(seed)
    X, y = make_moons(200, 0.1, rng)
    sizes = [2, 16, 16, 2]
    params = []
    for i, (m, n) in enumerate(zip(sizes[:-1], sizes[1:])):
        bound = 1 / np.sqrt(m)
        params += [Tensor(rng.uniform(-bound, bound, (m, n)).astype(np.float32), requires_grad=True, name=f"W{i}"),
                   Tensor(np.zeros(n, np.float32), requires_grad=True, name=f"b{i}")]
    xb, onehot = Tensor(X), np.eye(2, dtype=np.float32)[y]

    def forward(x):
        h = x
        for i in range(0, len(params), 2):
            h = h @ params[i] + params[i + 1]
            if i + 2 < len(params):
                h = h.tanh()
        return h

    print("tracegrad demo: 2-16-16-2 tanh MLP on 200 two-moons points, full-batch gradient descent")
    lr, start = 0.5, time.perf_counter()
    try:
        for step in range(steps + 1):
            logits = forward(xb)
            loss = -(autograd.log_softmax(logits, axis=1) * onehot).sum(axis=1).mean()
            for p in params:
                p.grad = None
            loss.backward()
            with autograd.no_grad():
                for p in params:
                    p -= lr * p.grad  # in place under no_grad, as in torch
            if step % 50 == 0:
                acc = float((logits.numpy().argmax(1) == y).mean())
                bar = "#" * int(30 * step / steps)
                print(f"  step {step:4d} [{bar:<30}] loss {loss.item():.4f}  accuracy {acc:5.1%}", flush=True)
    except KeyboardInterrupt:
        print("\ninterrupted: stopping cleanly", file=sys.stderr)
        return 130
    graph = autograd.Graph.of(loss)
    print(f"done in {time.perf_counter() - start:.2f}s; the last step's graph: {graph}")
    if out:
        from .pictures import write_all
        for path in write_all(loss, out):
            print(f"  wrote {path}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tracegrad", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    d = sub.add_parser("demo", help="train a small network on built-in data")
    d.add_argument("--steps", type=int, default=600)
    d.add_argument("--seed", type=int, default=0)
    d.add_argument("--out", default="out/demo", help="folder for the pictures ('' for none)")
    args = parser.parse_args(argv)
    if args.command == "demo":
        return demo(args.steps, args.seed, args.out)
    return 2  # pragma: no cover


if __name__ == "__main__":
    raise SystemExit(main())
