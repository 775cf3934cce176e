"""One full training step of a 784-512-256-10 ReLU MLP (forward, cross-entropy, backward, Adam), float32.

Compares (a) tracegrad + optim.Adam, (b) torch CPU at 2 threads + torch.optim.Adam, and
(c) a hand-written NumPy forward / backward / Adam, which is the limit (no graph, no
Python objects per op). Targets (issue 4): <= 1.1x NumPy at batch 1024, <= 1.3x torch at 128.

Run: .venv/bin/python benchmarks/bench_optim_step.py [--threads 2] [--clock wall|cpu] [--repeat N]
     [--rounds R] [--batches 1024 128] [--profile]
The contenders take turns (``rounds`` rounds of ``repeat`` steps each) so that a burst of
load from other users of a shared machine hits all of them; the median and the fastest
step are reported. ``--threads 1`` gives the steadiest numbers on a busy two-core box.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time


def _blas_threads_from_argv() -> None:
    """BLAS reads its thread count once, when NumPy is imported: set it from --threads (default 2) first."""
    argv = sys.argv[1:]
    n = next((a.split("=", 1)[1] for a in argv if a.startswith("--threads=")), None)
    if "--threads" in argv[:-1]:
        n = argv[argv.index("--threads") + 1]
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        if n is not None:
            os.environ[var] = n
        else:
            os.environ.setdefault(var, "2")


if __name__ == "__main__":
    _blas_threads_from_argv()
import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import autograd  # noqa: E402
import optim  # noqa: E402
from autograd import Tensor  # noqa: E402
from _mlp import mlp_loss_and_grads  # noqa: E402
from _timing import report, torch_2_threads  # noqa: E402

torch = torch_2_threads()
SIZES = [784, 512, 256, 10]
LR, BETAS, EPS = 1e-3, (0.9, 0.999), 1e-8


def init_params(seed: int = 0) -> list[np.ndarray]:
    """[W1, b1, W2, b2, W3, b3] with torch Linear's layout (out, in) and uniform init, float32."""
    rng = np.random.default_rng(seed)
    ps = []
    for n_in, n_out in zip(SIZES[:-1], SIZES[1:]):
        k = 1 / np.sqrt(n_in)
        ps += [rng.uniform(-k, k, (n_out, n_in)).astype(np.float32), rng.uniform(-k, k, n_out).astype(np.float32)]
    return ps


def batch(n: int, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, SIZES[0])).astype(np.float32), rng.integers(0, SIZES[-1], n)


# ---- (a) tracegrad ----------------------------------------------------------------------
def tracegrad_step_fn(x: np.ndarray, y: np.ndarray):
    params = [Tensor(p.copy(), requires_grad=True) for p in init_params()]
    opt = optim.Adam(params, lr=LR, betas=BETAS, eps=EPS)
    xt, rows = Tensor(x), np.arange(len(y))

    def step():
        w1, b1, w2, b2, w3, b3 = params
        h = autograd.linear(xt, w1, b1).relu()  # what nn.Linear runs
        h = autograd.linear(h, w2, b2).relu()
        logits = autograd.linear(h, w3, b3)
        loss = -logits.log_softmax(axis=1)[rows, y].mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss
    return step, params


# ---- (b) torch --------------------------------------------------------------------------
def torch_step_fn(x: np.ndarray, y: np.ndarray):
    params = [torch.tensor(p, requires_grad=True) for p in init_params()]
    opt = torch.optim.Adam(params, lr=LR, betas=BETAS, eps=EPS)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    F = torch.nn.functional

    def step():
        w1, b1, w2, b2, w3, b3 = params
        h = F.linear(xt, w1, b1).relu()
        h = F.linear(h, w2, b2).relu()
        loss = F.cross_entropy(F.linear(h, w3, b3), yt)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss
    return step, params


# ---- (c) hand-written NumPy: the limit --------------------------------------------------
def numpy_step_fn(x: np.ndarray, y: np.ndarray):
    params = init_params()
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    tmp = [np.empty_like(p) for p in params]
    rows = np.arange(len(y))
    t = [0]

    def step():
        loss, grads = mlp_loss_and_grads(params, x, y, rows)
        t[0] += 1
        step_size = LR / (1 - BETAS[0] ** t[0])
        bc2 = (1 - BETAS[1] ** t[0]) ** 0.5
        for p, g, mi, vi, w in zip(params, grads, m, v, tmp):
            np.subtract(g, mi, out=w)
            w *= 1 - BETAS[0]
            mi += w
            vi *= BETAS[1]
            np.multiply(g, 1 - BETAS[1], out=w)
            w *= g
            vi += w
            np.sqrt(vi, out=w)
            w /= bc2
            w += EPS
            np.divide(mi, w, out=w)
            w *= step_size
            p -= w
        return loss
    return step, params


def step_times(fn, repeat: int, warmup: int = 2, clock=time.perf_counter) -> list[float]:
    """Time of each of ``repeat`` calls of ``fn`` on ``clock``, after ``warmup`` untimed ones."""
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(repeat):
        t0 = clock()
        fn()
        out.append(clock() - t0)
    return out


def check_agreement(x, y, steps: int = 3) -> None:
    """All three compute the same training run (float32 rounding aside)."""
    runs = [tracegrad_step_fn(x, y), numpy_step_fn(x, y)] + ([torch_step_fn(x, y)] if torch else [])
    for step, _ in runs:
        for _ in range(steps):
            step()
    ref = runs[1][1]
    for _, ps in runs[:1] + runs[2:]:
        for p, r in zip(ps, ref):
            arr = p.detach().numpy() if torch is not None and isinstance(p, torch.Tensor) else p.numpy()
            np.testing.assert_allclose(arr, r, rtol=1e-3, atol=1e-5)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=15, help="timed steps per contender per round")
    ap.add_argument("--rounds", type=int, default=3, help="interleaved rounds; the median is over all steps")
    ap.add_argument("--threads", type=int, default=2, help="BLAS threads for NumPy (tracegrad too) and torch")
    ap.add_argument("--clock", choices=["wall", "cpu"], default="wall",
                    help="wall time, or this process's CPU time (steady on a shared box, but only meaningful "
                         "with --threads 1: idle BLAS threads spin)")
    ap.add_argument("--batches", type=int, nargs="*", default=[1024, 128])
    ap.add_argument("--profile", action="store_true", help="cProfile tracegrad's step at each batch size")
    args = ap.parse_args()
    if torch is not None:
        torch.set_num_threads(args.threads)
    clock = time.perf_counter if args.clock == "wall" else time.process_time
    print(f"784-512-256-10 ReLU MLP, float32, Adam; numpy {np.__version__}"
          + (f", torch {torch.__version__}" if torch else ", torch absent")
          + f"; {args.threads} BLAS/torch threads")
    for n in args.batches:
        x, y = batch(n)
        check_agreement(x, y)
        makers = {"tracegrad": tracegrad_step_fn, "numpy": numpy_step_fn}
        if torch is not None:
            makers["torch"] = torch_step_fn
        steps = {name: mk(x, y)[0] for name, mk in makers.items()}
        samples: dict[str, list[float]] = {name: [] for name in steps}
        for _ in range(args.rounds):
            for name, fn in steps.items():
                samples[name] += step_times(fn, args.repeat, clock=clock)
        report(f"batch {n}: median {args.clock} time per training step ({args.rounds} x {args.repeat} steps each)",
               {name: statistics.median(ts) for name, ts in samples.items()})
        report(f"batch {n}: fastest step (less sensitive to other users of the CPU)",
               {name: min(ts) for name, ts in samples.items()})
        if args.profile:
            import cProfile
            import pstats
            fn = steps["tracegrad"]
            prof = cProfile.Profile()
            prof.runcall(lambda: [fn() for _ in range(20)])
            pstats.Stats(prof).sort_stats("tottime").print_stats(15)


if __name__ == "__main__":
    main()
