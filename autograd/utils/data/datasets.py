"""Datasets: ``Dataset``, ``IterableDataset``, ``TensorDataset``, ``ConcatDataset``, ``Subset``, ``random_split``."""
from __future__ import annotations

import bisect
import math
import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Iterable, Iterator, NoReturn

import numpy as np

from ...mode import default_generator
from ...tensor import Tensor


def _rng(generator: np.random.Generator | None, who: str) -> np.random.Generator:
    """The generator to draw from now: ``generator``, or the global one that ``manual_seed`` sets."""
    if generator is None:
        return default_generator()
    if not isinstance(generator, np.random.Generator):
        raise TypeError(f"{who}: generator must be a numpy.random.Generator or None, got {type(generator).__name__}")
    return generator


# ---- datasets ----------------------------------------------------------------------------
class Dataset:
    """A map-style dataset: subclasses define ``__getitem__(index)`` and ``__len__()``. ``a + b`` concatenates."""

    def __getitem__(self, index: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must implement __getitem__")

    if TYPE_CHECKING:  # subclasses define it (a stream may not: then len() raises TypeError, as in torch)
        def __len__(self) -> int: ...

    def __add__(self, other: "Dataset") -> "ConcatDataset":
        return ConcatDataset([self, other])


class IterableDataset(Dataset):
    """A stream of samples: subclasses define ``__iter__()``; the DataLoader batches it in order."""

    def __iter__(self) -> Iterator[Any]:
        raise NotImplementedError(f"{type(self).__name__} must implement __iter__")

    def __add__(self, other: Dataset) -> NoReturn:
        raise TypeError("IterableDataset: + is not supported (chain the iterables instead)")


class TensorDataset(Dataset):
    """Sample ``i`` is ``tuple(t[i] for t in tensors)``; every tensor has the same first dimension."""

    def __init__(self, *tensors: Tensor) -> None:
        if not tensors:
            raise ValueError("TensorDataset: needs at least one tensor")
        ts = []
        for k, t in enumerate(tensors):
            if isinstance(t, np.ndarray):
                t = Tensor(t)
            if not isinstance(t, Tensor):
                raise TypeError(f"TensorDataset: argument {k} is a {type(t).__name__}, expected a Tensor")
            if t.ndim == 0:
                raise ValueError(f"TensorDataset: argument {k} is 0-d; every tensor needs a first (sample) dimension")
            ts.append(t)
        sizes = [t.shape[0] for t in ts]
        if len(set(sizes)) > 1:
            raise ValueError(f"TensorDataset: size mismatch between tensors: their first dimensions are {sizes}; "
                             "all must hold the same number of samples")
        self.tensors = tuple(ts)

    def __getitem__(self, index: Any) -> tuple[Tensor, ...]:
        return tuple(t[index] for t in self.tensors)

    def __len__(self) -> int:
        return self.tensors[0].shape[0]


class ConcatDataset(Dataset):
    """Several map-style datasets, one after another."""

    def __init__(self, datasets: Iterable[Dataset]) -> None:
        self.datasets = list(datasets)
        if not self.datasets:
            raise ValueError("ConcatDataset: datasets should not be an empty iterable")
        if any(isinstance(d, IterableDataset) for d in self.datasets):
            raise TypeError("ConcatDataset: does not support IterableDataset")
        self.cumulative_sizes = list(np.cumsum([len(d) for d in self.datasets]).tolist())

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def __getitem__(self, idx: int) -> Any:
        if idx < 0:
            if -idx > len(self):
                raise IndexError(f"ConcatDataset: index {idx} is out of range for length {len(self)}")
            idx += len(self)
        d = bisect.bisect_right(self.cumulative_sizes, idx)
        if d == len(self.datasets):
            raise IndexError(f"ConcatDataset: index {idx} is out of range for length {len(self)}")
        return self.datasets[d][idx - (self.cumulative_sizes[d - 1] if d else 0)]


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices``, in that order."""

    def __init__(self, dataset: Dataset, indices: Sequence[int]) -> None:
        self.dataset, self.indices = dataset, indices

    def __getitem__(self, idx: int | list[int]) -> Any:
        if isinstance(idx, list):
            return self.dataset[[self.indices[i] for i in idx]]
        return self.dataset[self.indices[idx]]

    def __len__(self) -> int:
        return len(self.indices)


def random_split(dataset: Dataset, lengths: Sequence[int | float],
                 generator: np.random.Generator | None = None) -> list[Subset]:
    """Split into non-overlapping random Subsets of the given lengths (ints summing to ``len(dataset)``, or
    fractions summing to 1: floors, then the remainder one by one round-robin, as torch)."""
    n = len(dataset)
    if any(x < 0 for x in lengths):
        raise ValueError(f"random_split: lengths must not be negative, got {list(lengths)}")
    if math.isclose(sum(lengths), 1) and sum(lengths) <= 1:
        sizes = [int(math.floor(n * f)) for f in lengths]
        for i in range(n - sum(sizes)):
            sizes[i % len(sizes)] += 1
        for i, s in enumerate(sizes):
            if s == 0:
                warnings.warn(f"random_split: length of split at index {i} is 0; this leads to an empty Subset",
                              stacklevel=2)
        lengths = sizes
    if any(int(x) != x for x in lengths) or sum(lengths) != n:
        raise ValueError(f"random_split: sum of input lengths {list(lengths)} does not equal the length of the "
                         f"input dataset ({n}) (or give fractions that sum to 1)")
    perm = _rng(generator, "random_split").permutation(n).tolist()
    out, start = [], 0
    for length in lengths:
        out.append(Subset(dataset, perm[start:start + int(length)]))
        start += int(length)
    return out


# ---- samplers ----------------------------------------------------------------------------
