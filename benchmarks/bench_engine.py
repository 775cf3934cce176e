"""Engine overhead: per-op cost of a long elementwise chain, a 100,000-op chain, and micrograd's scalar demo.

Run: .venv/bin/python benchmarks/bench_engine.py  (ratios are tracegrad time / peer time)
"""
from __future__ import annotations

import sys

import numpy as np

sys.setrecursionlimit(10_000)
from autograd import Tensor  # noqa: E402
from _timing import interleaved, median_time, optional, report, torch_2_threads  # noqa: E402

# NOTE: peers are imported only where used: importing torch adds ~150,000 objects that every
# full garbage collection then scans, which would slow the scalar-mode contenders (ours and
# micrograd's) for a reason no user of either has.
micrograd = optional("micrograd.engine")
torch = mygrad = None


def chain_numpy(x0, a, b, n):
    """Hand-written forward and backward of the same chain: the floor."""
    xs, y = [], x0
    for i in range(n):
        xs.append(y)
        k = i % 3
        y = y * a if k == 0 else (y + b if k == 1 else np.tanh(y))
    g = np.ones_like(y)
    for i in reversed(range(n)):
        k = i % 3
        if k == 0:
            g = g * a
        elif k == 2:
            t = np.tanh(xs[i])
            g = g * (1 - t * t)
    return g


def chain(lib_mul, x, a, b, n, tanh):
    y = x
    for i in range(n):
        k = i % 3
        y = y * a if k == 0 else (y + b if k == 1 else tanh(y))
    return y


def bench_chain(n: int, shape: tuple, repeat: int, number: int = 1) -> dict:
    rng = np.random.default_rng(0)
    x0, a, b = rng.standard_normal(shape), rng.uniform(0.5, 1.0, shape), rng.standard_normal(shape) * 0.1

    def ours():
        x = Tensor(x0, requires_grad=True)
        chain(None, x, a, b, n, lambda t: t.tanh()).sum().backward()
        return x.grad
    fns = {"tracegrad": ours, "numpy": lambda: chain_numpy(x0, a, b, n)}
    if torch is not None:
        ta, tb = torch.from_numpy(a), torch.from_numpy(b)

        def t():
            x = torch.tensor(x0, requires_grad=True)
            chain(None, x, ta, tb, n, torch.tanh).sum().backward()
        fns["torch"] = t
    if mygrad is not None and n <= 1000:
        def m():
            x = mygrad.tensor(x0)
            chain(None, x, a, b, n, mygrad.tanh).sum().backward()
        fns["mygrad"] = m
    return interleaved(fns, repeat, number)


def moons(n: int = 100):
    rng = np.random.default_rng(1)
    t = rng.uniform(0, np.pi, n)
    half = np.arange(n) < n // 2
    X = np.stack([np.where(half, np.cos(t), 1 - np.cos(t)), np.where(half, np.sin(t), 0.5 - np.sin(t))], 1)
    return X + rng.normal(scale=0.1, size=X.shape), np.where(half, -1.0, 1.0)


def scalar_mlp(Value, sizes, rng, relu):
    """micrograd's MLP(2, [16, 16, 1]) built from scalars of the given class."""
    layers = []
    for m, n in zip(sizes[:-1], sizes[1:]):
        layers.append([([Value(float(rng.uniform(-1, 1))) for _ in range(m)], Value(0.0)) for _ in range(n)])

    def forward(x):
        for li, layer in enumerate(layers):
            out = []
            for w, bias in layer:
                act = sum((wi * xi for wi, xi in zip(w, x)), bias)
                out.append(relu(act) if li < len(layers) - 1 else act)
            x = out
        return x[0]
    params = [p for layer in layers for w, bias in layer for p in w + [bias]]
    return forward, params


def micrograd_step(Value, relu, X, y, forward, params, update):
    """One step of micrograd's demo: forward every point, SVM max-margin loss + L2, backward, SGD update."""
    scores = [forward([Value(float(a)) for a in row]) for row in X]
    losses = [relu(1 + -yi * si) for yi, si in zip(y, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg = 1e-4 * sum(p * p for p in params)
    total = data_loss + reg
    update(params, total)
    return total


def _update_ours(params, total):
    for p in params:
        p.grad = None
    total.backward()
    for p in params:
        a = p.numpy()  # the array itself: the update stays a NumPy in-place op, as before
        a -= 0.01 * p.grad.numpy()


def _update_micrograd(params, total):
    for p in params:
        p.grad = 0.0
    total.backward()
    for p in params:
        p.data -= 0.01 * p.grad


def numpy_step(X, y, params, lr: float = 0.01) -> float:
    """The same step hand-written in NumPy, vectorised over points: the (far) limit of scalar mode."""
    W1, b1, W2, b2, W3, b3 = params
    z1 = X @ W1 + b1
    h1 = np.maximum(z1, 0)
    z2 = h1 @ W2 + b2
    h2 = np.maximum(z2, 0)
    s = (h2 @ W3 + b3)[:, 0]
    m = 1 - y * s
    loss = np.maximum(m, 0).mean() + 1e-4 * sum((p * p).sum() for p in params)
    gs = (-y * (m > 0) / len(y))[:, None]
    gW3, gb3 = h2.T @ gs, gs.sum(0)
    g2 = (gs @ W3.T) * (z2 > 0)
    gW2, gb2 = h1.T @ g2, g2.sum(0)
    g1 = (g2 @ W2.T) * (z1 > 0)
    gW1, gb1 = X.T @ g1, g1.sum(0)
    for p, gp in zip(params, (gW1, gb1, gW2, gb2, gW3, gb3)):
        p -= lr * (gp + 2e-4 * p)
    return loss


def bench_scalar(repeat: int) -> dict:
    X, y = moons()
    rows = {}

    def S(v):
        return Tensor(np.float64(v), requires_grad=True)
    relu = lambda t: t.relu()  # noqa: E731 - the same spelling for both libraries
    # NOTE: each library's steps run back to back, not in turns: micrograd leaves reference cycles
    # that Python's GC collects later, and in turns that bill would land on whoever runs next.
    ours = scalar_mlp(S, [2, 16, 16, 1], np.random.default_rng(0), relu)
    rows["tracegrad"] = median_time(lambda: micrograd_step(S, relu, X, y, *ours, _update_ours), repeat)
    if micrograd is not None:
        V = micrograd.Value
        theirs = scalar_mlp(V, [2, 16, 16, 1], np.random.default_rng(0), relu)
        rows["micrograd"] = median_time(lambda: micrograd_step(V, relu, X, y, *theirs, _update_micrograd), repeat)
    rng = np.random.default_rng(0)
    np_params = [rng.uniform(-1, 1, (2, 16)), np.zeros(16), rng.uniform(-1, 1, (16, 16)), np.zeros(16),
                 rng.uniform(-1, 1, (16, 1)), np.zeros(1)]
    rows["numpy"] = median_time(lambda: numpy_step(X, y, np_params), repeat, number=100)
    return rows


def main() -> None:
    global torch, mygrad
    rows = bench_scalar(repeat=5)
    report("scalar mode: micrograd's demo step (MLP 2-16-16-1, 100 moons points, every weight a 0-d Tensor;\n"
           "  numpy is the same step vectorised by hand, the far limit)", rows)
    if "micrograd" in rows:
        print(f"  tracegrad is {rows['micrograd'] / rows['tracegrad']:.2f}x faster than micrograd")
    torch, mygrad = torch_2_threads(), optional("mygrad")
    n = 500
    rows = bench_chain(n, (16, 16), repeat=21, number=5)
    report(f"chain of {n} elementwise ops (mul, add, tanh) on (16, 16) float64, forward + backward", rows)
    print(f"  per op: tracegrad {rows['tracegrad'] / n * 1e6:.2f} us" +
          (f", torch {rows['torch'] / n * 1e6:.2f} us" if "torch" in rows else ""))
    deep = 100_000
    rows = bench_chain(deep, (4,), repeat=3)
    report(f"depth: chain of {deep:,} ops on (4,) float64, forward + backward", rows)


if __name__ == "__main__":
    main()
