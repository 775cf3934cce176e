"""Splitting a data set: ``train_val_test_split`` (stratified, seeded) and ``loaders`` (the three parts as
``autograd.utils.data.DataLoader``s), plus ``tensor_dataset`` to wrap ``(X, y)`` as a ``TensorDataset``."""
from __future__ import annotations

from numbers import Real

import numpy as np

from autograd import Tensor
from autograd.utils.data import DataLoader, TensorDataset

__all__ = ["train_val_test_split", "loaders", "tensor_dataset"]


def _output(X: np.ndarray, y: np.ndarray, as_tensors: bool):
    """``(X, y)`` as NumPy arrays, or as Tensors when ``as_tensors``."""
    return (Tensor(X), Tensor(y)) if as_tensors else (X, y)


def _array(a) -> np.ndarray:
    return a.detach().numpy() if isinstance(a, Tensor) else np.asarray(a)


def tensor_dataset(X, y) -> TensorDataset:
    """``(X, y)`` (NumPy arrays or Tensors) as a ``TensorDataset`` of two Tensors with the arrays' dtypes."""
    return TensorDataset(*(a if isinstance(a, Tensor) else Tensor(np.asarray(a)) for a in (X, y)))


def _fraction(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, Real) or not 0 <= value < 1:
        raise ValueError(f"train_val_test_split: {name} must be a fraction in [0, 1), got {value!r}")
    return float(value)


def _round(x: float) -> int:
    return int(np.floor(x + 0.5 + 1e-9))  # half up, and 0.35 * 20 = 7.000000000000001 stays 7


def _apportion(fraction: float, sizes: np.ndarray) -> np.ndarray:
    """``fraction * size`` for each group, rounded down or up so the total is ``round(fraction * sum(sizes))``:
    the groups with the largest remainders (the first of equal ones) get the extra samples."""
    quota = fraction * sizes
    counts = np.floor(quota + 1e-9).astype(np.int64)
    extra = _round(fraction * sizes.sum()) - int(counts.sum())
    order = np.argsort(-np.round(quota - counts, 9), kind="stable")
    counts[order[:max(extra, 0)]] += 1
    return counts


def _split_indices(y: np.ndarray, val: float, test: float, seed, stratify: bool):
    rng = np.random.default_rng(seed)
    if stratify:
        groups = [np.flatnonzero(y == c) for c in np.unique(y)]
    else:
        groups = [np.arange(len(y))]
    sizes = np.array([len(g) for g in groups], dtype=np.int64)
    n_test = _apportion(test, sizes)
    n_val = np.minimum(_apportion(val, sizes), sizes - n_test)  # the min only bites for classes of 1 or 2
    parts: tuple[list, list, list] = ([], [], [])
    for idx, t, v in zip(groups, n_test, n_val):
        idx = rng.permutation(idx)
        parts[2].append(idx[:t])
        parts[1].append(idx[t:t + v])
        parts[0].append(idx[t + v:])
    return [rng.permutation(np.concatenate(p)).astype(np.intp) for p in parts]


def train_val_test_split(X, y, *, val: float = 0.15, test: float = 0.2, seed: int | None = 0,
                         stratify: bool = True):
    """Split ``(X, y)`` into ``(X_train, y_train, X_val, y_val, X_test, y_test)``.

    ``val`` and ``test`` are the fractions of the samples held out for validation and for testing (each in
    [0, 1), together below 1; ``val=0`` gives empty validation arrays); the rest is for training. Stratified
    (the default): each class is split on its own in the same proportions, a class of ``n_c`` samples giving
    ``test * n_c`` to test and ``val * n_c`` to validation, each rounded down or up so that the part's total is
    ``round(test * n)`` (``round(val * n)``), the classes with the largest remainders rounding up; so the class
    mix is the same in every part, within one sample per class. ``stratify=False`` splits the samples as one
    group. Every sample lands in exactly one part; each part is in a shuffled order; the same ``seed`` gives the
    same split. ``X`` and ``y`` may be NumPy arrays (or array-likes) or Tensors: each output has its input's kind
    (NumPy arrays for array-likes)."""
    val, test = _fraction(val, "val"), _fraction(test, "test")
    if val + test >= 1:
        raise ValueError(f"train_val_test_split: val + test must be below 1 (some data left to train on), got "
                         f"val={val} + test={test} = {val + test}")
    Xa, ya = _array(X), _array(y)
    if Xa.ndim == 0 or ya.ndim == 0:
        raise ValueError("train_val_test_split: X and y need a first (sample) dimension")
    if len(Xa) != len(ya):
        raise ValueError(f"train_val_test_split: X and y hold different numbers of samples: {len(Xa)} and "
                         f"{len(ya)}")
    if stratify and ya.ndim != 1:
        raise ValueError(f"train_val_test_split: stratify=True needs 1-D class labels y, got shape {ya.shape}; "
                         "pass stratify=False to split without regard to classes")
    out = []
    for idx in _split_indices(ya, val, test, seed, stratify):
        out.append(Tensor(Xa[idx]) if isinstance(X, Tensor) else Xa[idx])
        out.append(Tensor(ya[idx]) if isinstance(y, Tensor) else ya[idx])
    return tuple(out)


def loaders(X, y, batch_size: int | None, *, val: float = 0.15, test: float = 0.2, seed: int | None = 0,
            stratify: bool = True, shuffle: bool = True, drop_last: bool = False,
            eval_batch_size: int | None = None):
    """``(train_loader, val_loader, test_loader)``: ``train_val_test_split`` (same ``val``, ``test``, ``seed``,
    ``stratify``) and a ``DataLoader`` over a ``TensorDataset`` of each part.

    The train loader draws ``batch_size`` samples at a time (``len(X)`` or ``None``: one batch, full-batch
    gradient descent; ``1``: plain SGD), reshuffled every epoch when ``shuffle``, from a generator seeded with
    ``seed``; ``drop_last`` drops its short last batch. The validation and test loaders keep their order and
    batch by ``eval_batch_size`` (default: ``batch_size``). An empty part (``val=0``) gives a loader with no
    batches. ``batch_size=None`` makes every loader yield its whole part as one batch."""
    X_tr, y_tr, X_va, y_va, X_te, y_te = train_val_test_split(X, y, val=val, test=test, seed=seed,
                                                              stratify=stratify)
    ebs = batch_size if eval_batch_size is None else eval_batch_size

    def make(Xp, yp, bs, train: bool) -> DataLoader:
        bs = max(len(Xp), 1) if bs is None else bs
        if train:
            return DataLoader(tensor_dataset(Xp, yp), batch_size=bs, shuffle=shuffle, drop_last=drop_last,
                              generator=np.random.default_rng(seed))
        return DataLoader(tensor_dataset(Xp, yp), batch_size=bs, shuffle=False)
    return make(X_tr, y_tr, batch_size, True), make(X_va, y_va, ebs, False), make(X_te, y_te, ebs, False)
