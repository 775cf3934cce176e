"""KNN predict speed: nn.KNeighborsClassifier against scikit-learn's brute force, printed as ratios; nothing asserted.

- digits: scikit-learn's 1,797 8x8 images, 20% held out (stratified, random_state=0): 1,437 training rows, 360 queries.
- Fashion-MNIST: the 10,000 test images against the 60,000 training images (784 pixels, float32 in [0, 1]) when
  Debian's ``dataset-fashion-mnist`` IDX files are on this machine (nn.data.load_fashion_mnist finds them), else
  random float32 data in [0, 1] of the same shapes, and it says so.

The peers: ``sklearn.neighbors.KNeighborsClassifier(algorithm="brute")`` with ``n_jobs=1`` and with its default
(``n_jobs=None``); the target is tracegrad within 2x of scikit-learn. Each contender is timed in a block of its own
runs (median), after a pause: timed in turns, the worker threads a contender leaves spinning (OpenBLAS's after a
product, OpenMP's after a parallel loop) slow whichever runs next, by up to 2x on a 2-CPU machine. Also printed:
whether the predictions are identical.
Usage: python benchmarks/bench_knn.py [--queries N] [--repeat R] [-k K]   (N Fashion queries, default 10,000)
"""
from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from nn.knn import KNeighborsClassifier, sklearn_threads  # noqa: E402

from _timing import median_time, optional  # noqa: E402

TARGET = 2.0


def contenders(Xtr, ytr, k: int) -> dict:
    """name -> fitted model; scikit-learn's only when it is installed."""
    models = {"tracegrad": KNeighborsClassifier(k).fit(Xtr, ytr)}
    neighbors = optional("sklearn.neighbors")
    if neighbors is None:
        print("  (scikit-learn not installed: pip install scikit-learn to compare)")
        return models
    for name, n_jobs in (("sklearn n_jobs=1", 1), ("sklearn default", None)):
        models[name] = neighbors.KNeighborsClassifier(n_neighbors=k, algorithm="brute", n_jobs=n_jobs).fit(Xtr, ytr)
    return models


def compare(title: str, Xtr, ytr, Xte, k: int, repeat: int) -> None:
    t0 = time.perf_counter()
    models = contenders(Xtr, ytr, k)
    print(f"\n{title}: {len(Xtr):,} training rows x {len(Xte):,} queries x {Xtr.shape[1]} features, "
          f"k={k} (fits {time.perf_counter() - t0:.1f} s)")
    preds = {name: m.predict(Xte) for name, m in models.items()}
    times = {}
    for name, m in models.items():
        time.sleep(0.5)  # the previous contender's spinning threads go idle
        times[name] = median_time(lambda m=m: m.predict(Xte), repeat=repeat)
    ours = times["tracegrad"]
    for name, t in times.items():
        line = f"  {name:<18} {t * 1e3:10.1f} ms  {len(Xte) / t:10,.0f} queries/s"
        if name != "tracegrad":
            same = np.mean(preds[name] == preds["tracegrad"])
            line += (f"   tracegrad/{name} = {ours / t:5.2f}x ({ours / t / TARGET:4.2f}x of the {TARGET:g}x target)"
                     f"   predictions identical: {same:.2%}")
        print(line)


def digits(k: int, repeat: int) -> None:
    datasets, selection = optional("sklearn.datasets"), optional("sklearn.model_selection")
    if datasets is None or selection is None:
        print("\ndigits: scikit-learn is not installed")
        return
    X, y = datasets.load_digits(return_X_y=True)
    Xtr, Xte, ytr, _ = selection.train_test_split(X, y, test_size=0.2, random_state=0, stratify=y)
    compare("digits (float64 pixels 0..16)", Xtr, ytr, Xte, k, repeat)


def fashion(k: int, queries: int, repeat: int) -> None:
    try:
        from nn.data import DatasetUnavailable, load_fashion_mnist
        try:
            (Xtr, ytr), (Xte, _) = load_fashion_mnist(split="train"), load_fashion_mnist(split="test")
            title = "Fashion-MNIST (Debian's IDX files)"
        except DatasetUnavailable as e:
            raise ImportError(str(e)) from None
    except ImportError as e:
        print(f"\nFashion-MNIST is not here ({str(e).split('. ')[0]}): random float32 data in [0, 1] of its shapes")
        rng = np.random.default_rng(0)
        Xtr, ytr = rng.random((60_000, 784), dtype=np.float32), rng.integers(0, 10, 60_000)
        Xte = rng.random((10_000, 784), dtype=np.float32)
        title = "random stand-in for Fashion-MNIST"
    compare(title, Xtr, ytr, Xte[:queries], k, repeat)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=10_000, help="Fashion-MNIST queries (default 10,000)")
    parser.add_argument("--repeat", type=int, default=3, help="timed rounds of the large case (default 3)")
    parser.add_argument("-k", type=int, default=5, help="n_neighbors (default 5, scikit-learn's)")
    args = parser.parse_args()
    print(f"KNN predict, tracegrad vs scikit-learn's brute force (ratio = tracegrad / peer: below {TARGET:g}x meets "
          f"the target; {os.cpu_count()} CPUs, scikit-learn's OpenMP threads: {sklearn_threads()})")
    digits(args.k, repeat=21)
    fashion(args.k, args.queries, args.repeat)


if __name__ == "__main__":
    main()
