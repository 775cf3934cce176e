"""Side by side: the engine's per-op cost and the MLP training step at two git revisions, in one run.

    .venv/bin/python benchmarks/ab_revisions.py BASE [NEW] [--rounds 5] [--instructions]

NEW defaults to the working tree. Each revision is checked out into a temporary worktree; the workloads
run in fresh processes, alternating A, B, A, B, ... so that a change in machine load hits both. The
numbers are medians over rounds. ``--instructions`` counts instructions with valgrind's callgrind instead
(one process per revision and size: repeatable to about 1% whatever else the machine does, the right
tool on a shared box). Workloads: the 500-op elementwise chain on (16, 16) float64 (per-op overhead,
as bench_engine.py), the scalar mode (every value a 0-d tensor), and the 784-512-256-10 MLP Adam step
at batch 128 (as bench_optim_step.py).
"""
from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

WORKLOAD = r'''
import sys, time, gc
sys.path.insert(0, sys.argv[1])
import numpy as np
import autograd, nn, optim
from autograd import Tensor
what, n = sys.argv[2], int(sys.argv[3])
rng = np.random.default_rng(0)
x0, a, b = rng.standard_normal((16, 16)), rng.uniform(0.5, 1, (16, 16)), rng.standard_normal((16, 16)) * .1
def chain():
    x = Tensor(x0, requires_grad=True); y = x
    for i in range(500):
        k = i % 3
        y = y * a if k == 0 else (y + b if k == 1 else y.tanh())
    y.sum().backward()
ws = [Tensor(np.float64(v), requires_grad=True) for v in rng.standard_normal(50)]
def scalar():
    s = ws[0]
    for _ in range(4):
        for w in ws:
            s = (s * w + w).tanh()
    s.backward()
autograd.manual_seed(0)
model = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 256), nn.ReLU(), nn.Linear(256, 10))
X = Tensor(rng.standard_normal((128, 784)).astype(np.float32)); Y = Tensor(rng.integers(0, 10, 128))
opt = optim.Adam(model.parameters(), lr=1e-3)
def step():
    opt.zero_grad(); nn.functional.cross_entropy(model(X), Y).backward(); opt.step()
f = {"chain": chain, "scalar": scalar, "step": step}[what]
f()
t0 = time.perf_counter()
for _ in range(n):
    f()
print((time.perf_counter() - t0) / max(n, 1))
'''
UNITS = {"chain": (500, "us/op"), "scalar": (600, "us/op"), "step": (1, "ms/step")}


def worktree(rev: str, tmp: str) -> str:
    if rev == "WORKTREE":
        return ROOT
    path = os.path.join(tmp, rev.replace("/", "_"))
    subprocess.run(["git", "-C", ROOT, "worktree", "add", "-f", "--detach", path, rev], check=True,
                   capture_output=True)
    return path


def timed(tree: str, what: str, n: int, env: dict) -> float:
    out = subprocess.run([sys.executable, "-c", WORKLOAD, tree, what, str(n)], capture_output=True, text=True,
                         env=env, check=True).stdout
    return float(out.split()[-1])


def instructions(tree: str, what: str, n: int, env: dict) -> int:
    r = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable, "-c",
                        WORKLOAD, tree, what, str(n)], capture_output=True, text=True, env=env)
    m = re.search(r"Collected : (\d+)", r.stderr)
    if not m:
        raise RuntimeError(f"callgrind failed: {r.stderr[-500:]}")
    return int(m.group(1))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("base")
    ap.add_argument("new", nargs="?", default="WORKTREE")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--instructions", action="store_true", help="count instructions with callgrind")
    args = ap.parse_args()
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", PYTHONHASHSEED="0")
    with tempfile.TemporaryDirectory() as tmp:
        trees = {args.base: worktree(args.base, tmp), args.new: worktree(args.new, tmp)}
        try:
            print(f"{'workload':<8} {args.base[:12]:>14} {args.new[:12]:>14}  ratio (new / base)")
            for what, (per, unit) in UNITS.items():
                if args.instructions:
                    reps = {"chain": (5, 15), "scalar": (5, 15), "step": (2, 6)}[what]
                    res = {rev: (instructions(t, what, reps[1], env) - instructions(t, what, reps[0], env))
                           / (reps[1] - reps[0]) / per for rev, t in trees.items()}
                    unit = "instr/op" if per > 1 else "instr/step"
                else:
                    times: dict[str, list[float]] = {rev: [] for rev in trees}
                    for _ in range(args.rounds):
                        for rev, t in trees.items():
                            times[rev].append(timed(t, what, {"chain": 20, "scalar": 20, "step": 15}[what], env))
                    scale = 1e6 / per if unit.startswith("us") else 1e3
                    res = {rev: statistics.median(v) * scale for rev, v in times.items()}
                b, n = res[args.base], res[args.new]
                print(f"{what:<8} {b:>11.4g} {n:>11.4g}  {unit:<10} {n / b:.3f}")
        finally:
            for rev, t in trees.items():
                if t != ROOT:
                    subprocess.run(["git", "-C", ROOT, "worktree", "remove", "--force", t], capture_output=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
