"""Forward + backward (cross-entropy) of a 784-512-256-10 ReLU MLP built from nn.Sequential, float32.

Compares (a) tracegrad's nn.Sequential(Linear, ReLU, ...) with nn.functional.cross_entropy, (b) a hand-written
NumPy forward / backward of the same computation (the limit; target: within 10%), and (c) torch CPU at 2
threads. Each contender is timed ``rounds`` times, interleaved, and the median of the round medians is
reported, since the machine's CPUs are shared.

Run: .venv/bin/python benchmarks/bench_mlp.py [--batch 1024] [--repeat 15] [--rounds 3] [--profile]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys

if __name__ == "__main__" and "--threads" in sys.argv:  # BLAS reads this once, when NumPy is imported
    _n = sys.argv[sys.argv.index("--threads") + 1]
    os.environ.update(OPENBLAS_NUM_THREADS=_n, OMP_NUM_THREADS=_n, MKL_NUM_THREADS=_n)
import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import nn  # noqa: E402
from autograd import Tensor  # noqa: E402
from _mlp import mlp_loss_and_grads  # noqa: E402
from _timing import median_time, report, torch_2_threads  # noqa: E402

torch = torch_2_threads()
SIZES = [784, 512, 256, 10]


def make_model() -> nn.Sequential:
    """784-512-256-10 with ReLUs, PyTorch's default init from a fixed seed."""
    import autograd
    autograd.manual_seed(0)
    layers: list[nn.Module] = []
    for i, (a, b) in enumerate(zip(SIZES[:-1], SIZES[1:])):
        layers += [nn.Linear(a, b)] + ([nn.ReLU()] if i < len(SIZES) - 2 else [])
    return nn.Sequential(*layers)


def batch(n: int, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, SIZES[0])).astype(np.float32), rng.integers(0, SIZES[-1], n)


def tracegrad_fn(model: nn.Sequential, x: np.ndarray, y: np.ndarray):
    xt = Tensor(x)

    def step():
        model.zero_grad()
        loss = nn.functional.cross_entropy(model(xt), y)
        loss.backward()
        return loss.item(), [p.grad.numpy() for p in model.parameters()]
    return step


def numpy_fn(model: nn.Sequential, x: np.ndarray, y: np.ndarray):
    """The limit: the same forward and backward written by hand, no graph, no per-op objects."""
    params = [p.numpy() for p in model.parameters()]
    rows = np.arange(len(y))

    def step():
        return mlp_loss_and_grads(params, x, y, rows)
    return step


def torch_fn(model: nn.Sequential, x: np.ndarray, y: np.ndarray):
    layers = []
    for m in model:
        if isinstance(m, nn.Linear):
            lin = torch.nn.Linear(m.in_features, m.out_features)
            with torch.no_grad():
                lin.weight.copy_(torch.from_numpy(m.weight.numpy()))
                lin.bias.copy_(torch.from_numpy(m.bias.numpy()))
            layers.append(lin)
        else:
            layers.append(torch.nn.ReLU())
    tmodel = torch.nn.Sequential(*layers)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)

    def step():
        tmodel.zero_grad()
        loss = torch.nn.functional.cross_entropy(tmodel(xt), yt)
        loss.backward()
        return loss.item(), [p.grad.numpy() for p in tmodel.parameters()]
    return step


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--batch", type=int, default=1024)
    ap.add_argument("--repeat", type=int, default=15, help="timed steps per round (median taken)")
    ap.add_argument("--rounds", type=int, default=3, help="interleaved rounds (median of medians)")
    ap.add_argument("--threads", type=int, default=2, help="BLAS threads for NumPy (tracegrad too) and torch")
    ap.add_argument("--profile", action="store_true", help="cProfile tracegrad's step")
    args = ap.parse_args()
    if torch is not None:
        torch.set_num_threads(args.threads)
    print(f"784-512-256-10 ReLU MLP (nn.Sequential), forward + cross-entropy + backward, float32, batch {args.batch};"
          f" numpy {np.__version__}" + (f", torch {torch.__version__}" if torch else ", torch absent")
          + f"; {args.threads} BLAS/torch threads")
    model = make_model()
    x, y = batch(args.batch)
    makers = {"tracegrad": tracegrad_fn, "numpy": numpy_fn}
    if torch is not None:
        makers["torch"] = torch_fn
    steps = {name: mk(model, x, y) for name, mk in makers.items()}
    ref_loss, ref_grads = steps["numpy"]()
    for name, fn in steps.items():  # all compute the same thing (float32 rounding aside)
        loss, grads = fn()
        assert abs(loss - ref_loss) < 1e-4, (name, loss, ref_loss)
        for g, r in zip(grads, ref_grads):
            np.testing.assert_allclose(g, r, rtol=1e-3, atol=1e-5, err_msg=name)
    samples: dict[str, list[float]] = {name: [] for name in steps}
    for _ in range(args.rounds):
        for name, fn in steps.items():
            samples[name].append(median_time(fn, repeat=args.repeat, warmup=2))
    rows = {name: statistics.median(ts) for name, ts in samples.items()}
    report("median time per forward + backward", rows)
    if args.profile:
        import cProfile
        import pstats
        prof = cProfile.Profile()
        prof.runcall(lambda: [steps["tracegrad"]() for _ in range(20)])
        pstats.Stats(prof).sort_stats("tottime").print_stats(15)


if __name__ == "__main__":
    main()
