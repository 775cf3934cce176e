"""The overfitting experiments of the lecture (notebook 10): training too long, and a capacity sweep.

Training too long: ``loaders(n_train=300)`` gives a few hundred MNIST-5k training images (optionally with a fraction
``label_noise`` of their labels wrong) and clean validation and test sets, for ``nn.Trainer`` with
``nn.callbacks.Evaluate`` on the test loader; ``EPOCHS`` is how long the notebook trains.

Capacity sweep: one-hidden-layer MLPs of growing width, each trained on the same small training set until it
(nearly) interpolates it, and their train and test error against the number of parameters: the lecture's "loss vs.
model complexity, MNIST fully connected" figure (Belkin et al. 2019, arXiv 1812.11118)::

    results = overfitting.capacity_sweep()           # WIDTHS, DEFAULTS' data and training
    viz.plot_capacity(results, threshold=results[0]["threshold"])
    overfitting.double_descent(results)              # the classical minimum, the peak, the largest model

The data (``load``): MNIST-5k (``nn.data.load_mnist5k``) average-pooled ``pool`` × ``pool`` (2: 14 × 14 = 196
pixels), ``n_train`` images of a seeded permutation for training and the next ``n_test`` for testing; a fraction
``label_noise`` of the *training* labels is replaced by another class (``noisy_labels``; Nakkiran et al. 2019: label
noise makes the peak stand out), the test labels stay clean. The model: Linear(d, width) → ReLU → Linear(width, K)
with the library's default initialisation, seeded. Training (``train_width``): ``nn.Trainer`` on one full batch,
``steps`` steps of ``optimizer`` (one of the lecture's seven, by name) with ``lr``; the loss is the squared error
against one-hot targets (``loss="mse"``, Belkin et al.'s) or cross-entropy (``"ce"``); no regularisation, no early
stopping. The interpolation threshold is ``n_train · K`` parameters, as many as the numbers to fit.

``train_width`` takes and returns plain dicts, so it is also a run function for ``tracegrad.sweep.run_sweep``
(``fn="tracegrad.overfitting:train_width"``), which ``capacity_sweep(workers=2, ...)`` uses to train widths in
parallel. ``EPOCHS``, ``STEPS`` and ``WIDTHS`` shrink under ``TRACEGRAD_FAST=1`` (``make test``'s quick run).
"""
from __future__ import annotations

import contextlib
import functools
import tempfile
import time
from typing import Any, Iterator, Sequence

import numpy as np

import autograd
import nn
import optim
import viz

from .runs import OPTIMIZERS

__all__ = ["EPOCHS", "DEFAULTS", "STEPS", "WIDTHS", "noisy_labels", "loaders", "load", "build", "train_width",
           "capacity_sweep", "double_descent", "blas_threads"]

EPOCHS = 10 if autograd.utils.fast_mode() else 40  # the training-too-long runs' epochs
STEPS = 150 if autograd.utils.fast_mode() else 2000  # full-batch optimizer steps per width
WIDTHS: tuple[int, ...] = ((4, 16, 64, 256) if autograd.utils.fast_mode() else
                           (4, 8, 12, 16, 24, 32, 40, 48, 56, 64, 80, 100, 200, 300, 500, 1000))
DEFAULTS: dict[str, Any] = {"width": 64, "n_train": 1000, "n_test": 2000, "pool": 2, "label_noise": 0.2,
                            "loss": "mse", "optimizer": "adam", "lr": 1e-3, "steps": STEPS, "seed": 0}
LOSSES = ("mse", "ce")


@contextlib.contextmanager
def blas_threads(n: int = 1) -> Iterator[None]:
    """``with blas_threads(1):`` NumPy's BLAS uses at most ``n`` threads inside the block (through ``threadpoolctl``,
    which scikit-learn brings; without it the block runs unchanged).

    NOTE: speed. The matrices here are small (1,000 × 196 by 196 × width, or mini-batches of 32); a multi-threaded BLAS
    gains little on them and, when the machine's cores are busy, loses several-fold to its threads waiting for each
    other (measured: 300 steps of width 64 took 2 s with one thread, 7–22 s with two, on 2 shared cores).
    ``train_width`` trains in one thread; ``capacity_sweep(workers=...)`` is the way to use more cores."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - scikit-learn depends on it
        yield
        return
    with threadpool_limits(limits=n, user_api="blas"):
        yield


def noisy_labels(y: np.ndarray, fraction: float, num_classes: int, seed: int = 0) -> np.ndarray:
    """A copy of the integer labels ``y`` in which ``round(fraction · len(y))`` of them, chosen at random, are replaced
    by a different class (uniform over the other ``num_classes - 1``)."""
    y = np.asarray(y)
    if y.ndim != 1 or y.dtype.kind not in "iu":
        raise ValueError(f"noisy_labels: y must be 1-D integer class labels, got dtype {y.dtype}, shape {y.shape}")
    if isinstance(fraction, bool) or not 0 <= fraction <= 1:
        raise ValueError(f"noisy_labels: fraction must be in [0, 1], got {fraction!r}")
    if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)) or num_classes < 2:
        raise ValueError(f"noisy_labels: num_classes must be an integer >= 2, got {num_classes!r}")
    if y.size and (y.min() < 0 or y.max() >= num_classes):
        raise ValueError(f"noisy_labels: labels must lie in 0..{num_classes - 1} (num_classes={num_classes}), got "
                         f"{y.min()}..{y.max()}")
    rng = np.random.default_rng(seed)
    out = y.copy()
    idx = rng.choice(len(y), size=int(round(fraction * len(y))), replace=False)
    out[idx] = (y[idx] + rng.integers(1, num_classes, size=len(idx))) % num_classes
    return out


def loaders(n_train: int = 300, *, label_noise: float = 0.0, n_val: int = 1000, n_test: int = 2000,
            batch_size: int = 32, seed: int = 0) -> tuple[Any, Any, Any]:
    """``(train_loader, val_loader, test_loader)`` over MNIST-5k (784 pixels in [0, 1]): a stratified split (by
    ``seed``) into ``n_test`` test images, ``n_val`` validation images and the rest, of which the first ``n_train``
    are the training set, a fraction ``label_noise`` of their labels replaced by another class (``noisy_labels``).
    The training loader shuffles mini-batches of ``batch_size`` (seeded); validation and test come as whole batches,
    with their true labels."""
    X, y = nn.data.load_mnist5k()
    for name, v in (("n_train", n_train), ("n_val", n_val), ("n_test", n_test), ("batch_size", batch_size)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
            raise ValueError(f"overfitting.loaders: {name} must be a positive integer, got {v!r}")
    if n_train + n_val + n_test > len(y):
        raise ValueError(f"overfitting.loaders: n_train + n_val + n_test = {n_train + n_val + n_test} is more than "
                         f"MNIST-5k's {len(y)} images")
    Xtr, ytr, Xva, yva, Xte, yte = nn.data.train_val_test_split(X, y, val=n_val / len(y), test=n_test / len(y),
                                                                seed=seed)
    ytr = noisy_labels(ytr[:n_train], label_noise, 10, seed)
    DataLoader = autograd.utils.data.DataLoader
    return (DataLoader(nn.data.tensor_dataset(Xtr[:n_train], ytr), batch_size=batch_size, shuffle=True,
                       generator=autograd.Generator().manual_seed(seed)),
            DataLoader(nn.data.tensor_dataset(Xva, yva), batch_size=len(yva)),
            DataLoader(nn.data.tensor_dataset(Xte, yte), batch_size=len(yte)))


def check(settings: dict[str, Any]) -> dict[str, Any]:
    """The settings over ``DEFAULTS``; an unknown name or a bad value raises ``ValueError`` naming it."""
    s = {**DEFAULTS, **settings}
    unknown = set(s) - set(DEFAULTS)
    if unknown:
        raise ValueError(f"overfitting: unknown settings {sorted(unknown)}; known: {sorted(DEFAULTS)}")
    for key in ("width", "n_train", "n_test", "pool", "steps"):
        if isinstance(s[key], bool) or not isinstance(s[key], (int, np.integer)) or s[key] < 1:
            raise ValueError(f"overfitting: {key} must be a positive integer, got {s[key]!r}")
    if 28 % s["pool"]:
        raise ValueError(f"overfitting: pool must divide the 28-pixel side (1, 2, 4, 7, 14, 28), got {s['pool']}")
    if s["n_train"] + s["n_test"] > 5000:
        raise ValueError(f"overfitting: n_train + n_test must be at most MNIST-5k's 5000 images, got "
                         f"{s['n_train']} + {s['n_test']}")
    if s["loss"] not in LOSSES:
        raise ValueError(f"overfitting: loss must be one of {LOSSES}, got {s['loss']!r}")
    if s["optimizer"] not in OPTIMIZERS:
        raise ValueError(f"overfitting: optimizer must be one of {', '.join(OPTIMIZERS)}, got {s['optimizer']!r}")
    if isinstance(s["lr"], bool) or not isinstance(s["lr"], (int, float)) or not 0 < s["lr"] < float("inf"):
        raise ValueError(f"overfitting: lr must be a positive number, got {s['lr']!r}")
    if isinstance(s["label_noise"], bool) or not 0 <= s["label_noise"] <= 1:
        raise ValueError(f"overfitting: label_noise must be a fraction in [0, 1], got {s['label_noise']!r}")
    return s


@functools.lru_cache(maxsize=4)
def _data(n_train: int, n_test: int, pool: int, label_noise: float, seed: int) -> tuple[np.ndarray, ...]:
    X, y = nn.data.load_mnist5k()
    side = 28 // pool
    X = X.reshape(len(X), side, pool, side, pool).mean(axis=(2, 4)).reshape(len(X), side * side)
    order = np.random.default_rng(seed).permutation(len(y))
    tr, te = order[:n_train], order[n_train:n_train + n_test]
    y_noisy = noisy_labels(y[tr], label_noise, 10, seed)
    return X[tr], y_noisy, X[te], y[te], y[tr]


def load(settings: dict[str, Any] | None = None) -> tuple[np.ndarray, ...]:
    """``(X_train, y_train, X_test, y_test, y_train_clean)`` for the settings (see the module docstring);
    ``y_train`` carries the label noise, ``y_train_clean`` the true labels of the same images."""
    s = check(settings or {})
    return tuple(a.copy() for a in _data(s["n_train"], s["n_test"], s["pool"], float(s["label_noise"]), s["seed"]))


def build(d: int, width: int, k: int = 10) -> nn.Module:
    """Linear(d, width) → ReLU → Linear(width, k): (d + 1)·width + (width + 1)·k parameters."""
    return nn.Sequential(nn.Linear(d, width), nn.ReLU(), nn.Linear(width, k))


def _mse(k: int) -> Any:
    def loss(out: autograd.Tensor, y: autograd.Tensor) -> autograd.Tensor:
        return nn.functional.mse_loss(out, nn.functional.one_hot(y, k).float())
    return loss


def _scores(model: nn.Module, X: np.ndarray, y: np.ndarray, loss_fn: Any) -> tuple[float, float]:
    """(error rate, loss) of the model on (X, y), in eval mode without a graph."""
    with autograd.no_grad():
        out = model(autograd.Tensor(X))
        loss = float(loss_fn(out, autograd.tensor(y)).item())
    return float((out.numpy().argmax(1) != y).mean()), loss


def train_width(settings: dict[str, Any]) -> dict[str, Any]:
    """Train one width (see the module docstring) and return its metrics: ``width``, ``params``, ``threshold``
    (n_train · K), ``train_error`` and ``train_loss`` on the (noisy) labels it was trained on, ``train_error_clean``
    against the true labels, ``test_error``, ``test_loss``, ``steps`` and ``seconds``."""
    s = check(settings)
    t0 = time.perf_counter()
    Xtr, ytr, Xte, yte, ytr_clean = _data(s["n_train"], s["n_test"], s["pool"], float(s["label_noise"]), s["seed"])
    k = 10
    autograd.manual_seed(s["seed"])
    model = build(Xtr.shape[1], s["width"], k)
    opt = optim.lecture_optimizer(s["optimizer"], model.parameters(), s["lr"])
    loss_fn = _mse(k) if s["loss"] == "mse" else nn.functional.cross_entropy
    batch = autograd.utils.data.DataLoader(nn.data.tensor_dataset(Xtr, ytr), batch_size=len(ytr))
    trainer = nn.Trainer(model, opt, loss_fn=loss_fn, progress=False, num_classes=k)
    with viz.recording(False), blas_threads(1):
        trainer.fit(batch, epochs=s["steps"])
        model.eval()
        train_error, train_loss = _scores(model, Xtr, ytr, loss_fn)
        test_error, test_loss = _scores(model, Xte, yte, loss_fn)
        clean = float((model(autograd.Tensor(Xtr)).numpy().argmax(1) != ytr_clean).mean())
    return {"width": s["width"], "params": sum(p.numel() for p in model.parameters()), "threshold": s["n_train"] * k,
            "train_error": train_error, "train_loss": train_loss, "train_error_clean": clean,
            "test_error": test_error, "test_loss": test_loss, "steps": s["steps"],
            "seconds": round(time.perf_counter() - t0, 3)}


def capacity_sweep(widths: Sequence[int] | None = None, *, workers: int = 1, progress: bool = False,
          **settings: Any) -> list[dict[str, Any]]:
    """``train_width`` for every width (default ``WIDTHS``) with the same other settings; the metrics, by width.

    ``workers=1`` trains them one after another in this process; more go through ``tracegrad.sweep.run_sweep``
    (one process per width, into a temporary folder that is removed afterwards)."""
    widths = list(WIDTHS if widths is None else widths)
    if not widths or len(set(widths)) != len(widths):
        raise ValueError(f"capacity_sweep: widths must be a non-empty list of distinct positive integers, got {widths}")
    if "width" in settings:
        raise ValueError("capacity_sweep: pass the widths as `widths`, not `width`")
    check({**settings, "width": 1})
    for w in widths:
        check({**settings, "width": w})
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"capacity_sweep: workers must be a positive integer, got {workers!r}")
    if workers == 1:
        out = []
        for w in widths:
            out.append(train_width({**settings, "width": w}))
            if progress:
                r = out[-1]
                print(f"width {w:>5}: {r['params']:>8,} params  train error {r['train_error']:.3f}  test error "
                      f"{r['test_error']:.3f}  test loss {r['test_loss']:.4f}  ({r['seconds']:.1f} s)", flush=True)
    else:
        from .sweep import run_sweep
        with tempfile.TemporaryDirectory(prefix="capacity-sweep-") as tmp:
            records = run_sweep({"base": settings, "grid": {"width": widths}}, tmp,
                                fn="tracegrad.overfitting:train_width", workers=workers, progress=progress)
        failed = [r for r in records if "error" in r]
        if failed:
            raise RuntimeError(f"capacity_sweep: width {failed[0]['settings']['width']} failed: {failed[0]['error']}")
        out = [r["metrics"] for r in records]
    return sorted(out, key=lambda r: r["width"])


def double_descent(results: Sequence[dict[str, Any]], *, key: str = "test_error",
                   threshold: float | None = None, margin: float = 0.05) -> dict[str, Any]:
    """Read a capacity curve: the classical minimum (lowest ``key`` among models with fewer parameters than the
    threshold; default each result's ``threshold``), the peak (highest ``key`` after it), the largest model's value,
    and whether the curve has the double-descent shape: it rises from the classical minimum to the peak and falls
    from the peak to the largest model, each by more than ``margin`` times the classical minimum (5 %). Each point
    is a dict ``{"params", "width", key}``; ``below_classical``: whether the largest model beats the classical
    minimum."""
    rows = sorted(results, key=lambda r: r["params"])
    if len(rows) < 3 or any(key not in r or "params" not in r for r in rows):
        raise ValueError(f"double_descent: needs at least 3 results, each with 'params' and {key!r}")
    t = float(threshold if threshold is not None else rows[0].get("threshold", np.nan))
    if not np.isfinite(t):
        raise ValueError("double_descent: pass threshold= (the results carry no 'threshold')")
    below = [i for i, r in enumerate(rows) if r["params"] < t] or [0]
    lo = min(below, key=lambda i: rows[i][key])
    hi = max(range(lo, len(rows)), key=lambda i: rows[i][key])

    def point(i: int) -> dict[str, Any]:
        return {"params": rows[i]["params"], "width": rows[i].get("width"), key: rows[i][key]}

    first, peak, last = rows[lo][key], rows[hi][key], rows[-1][key]
    return {"threshold": t, "classical_min": point(lo), "peak": point(hi), "largest": point(len(rows) - 1),
            "double_descent": bool(peak - first > margin * first and peak - last > margin * first),
            "below_classical": bool(last < first)}
