"""Samplers: which indices a loader visits, and in which order."""
from __future__ import annotations

from collections.abc import Sequence, Sized
from typing import Any, Iterable, Iterator

import numpy as np

from .datasets import _rng


class Sampler:
    """Yields dataset indices. ``_index_array()`` (optional) gives one epoch's indices as one array."""

    def __iter__(self) -> Iterator[int]:
        return iter(self._index_array().tolist())

    def _index_array(self) -> np.ndarray:
        raise NotImplementedError(f"{type(self).__name__} must implement __iter__")


class SequentialSampler(Sampler):
    """Indices 0, 1, ..., len(data_source) - 1, in order."""

    def __init__(self, data_source: Sized) -> None:
        self.data_source = data_source

    def _index_array(self) -> np.ndarray:
        return np.arange(len(self.data_source))

    def __len__(self) -> int:
        return len(self.data_source)


class RandomSampler(Sampler):
    """A fresh permutation each epoch (or ``num_samples`` draws with ``replacement``)."""

    def __init__(self, data_source: Sized, replacement: bool = False, num_samples: int | None = None,
                 generator: np.random.Generator | None = None) -> None:
        self.data_source, self.replacement, self._num_samples = data_source, replacement, num_samples
        self.generator = generator
        _rng(generator, "RandomSampler")
        if not isinstance(replacement, bool):
            raise TypeError(f"RandomSampler: replacement should be a boolean value, but got {replacement!r}")
        if not isinstance(self.num_samples, int) or isinstance(self.num_samples, bool) or self.num_samples <= 0:
            raise ValueError(f"RandomSampler: num_samples should be a positive integer value, but got "
                             f"num_samples={self.num_samples!r}")

    @property
    def num_samples(self) -> int:
        """Indices per epoch: ``num_samples`` if given, else the dataset's length."""
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def _index_array(self) -> np.ndarray:
        rng, n = _rng(self.generator, "RandomSampler"), len(self.data_source)
        if self.replacement:
            return rng.integers(0, n, size=self.num_samples)
        reps = -(-self.num_samples // n)
        return np.concatenate([rng.permutation(n) for _ in range(reps)])[: self.num_samples]

    def __len__(self) -> int:
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """The given indices in a fresh random order each epoch."""

    def __init__(self, indices: Sequence[int], generator: np.random.Generator | None = None) -> None:
        self.indices, self.generator = indices, generator

    def _index_array(self) -> np.ndarray:
        return np.asarray(self.indices)[_rng(self.generator, "SubsetRandomSampler").permutation(len(self.indices))]

    def __len__(self) -> int:
        return len(self.indices)


def _check_batch_size(batch_size: Any, who: str) -> None:
    if not isinstance(batch_size, (int, np.integer)) or isinstance(batch_size, bool) or batch_size <= 0:
        raise ValueError(f"{who}: batch_size should be a positive integer value, but got batch_size={batch_size!r}")


class BatchSampler(Sampler):
    """Groups another sampler's indices into lists of ``batch_size``."""

    def __init__(self, sampler: Sampler | Iterable[int], batch_size: int, drop_last: bool) -> None:
        _check_batch_size(batch_size, "BatchSampler")
        if not isinstance(drop_last, bool):
            raise ValueError(f"BatchSampler: drop_last should be a boolean value, but got drop_last={drop_last!r}")
        self.sampler, self.batch_size, self.drop_last = sampler, int(batch_size), drop_last

    def _batches(self) -> Iterator[Any]:
        """Batches as index arrays (sliced from one array per epoch where the sampler can give one)."""
        bs = self.batch_size
        if isinstance(self.sampler, Sampler) and type(self.sampler).__iter__ is Sampler.__iter__:
            idx = self.sampler._index_array()
            stop = len(idx) - len(idx) % bs if self.drop_last else len(idx)
            for i in range(0, stop, bs):
                yield idx[i:i + bs]
            return
        batch = []
        for i in self.sampler:
            batch.append(i)
            if len(batch) == bs:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch

    def __iter__(self) -> Iterator[list[int]]:  # type: ignore[override]  # batches, not indices
        return (b.tolist() if isinstance(b, np.ndarray) else b for b in self._batches())

    def __len__(self) -> int:
        n = len(self.sampler)  # type: ignore[arg-type]  # TypeError for an unsized sampler, as torch
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)


# ---- collate -----------------------------------------------------------------------------
