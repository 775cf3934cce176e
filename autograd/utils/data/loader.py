"""``DataLoader``: batches over a dataset, with a fast path for ``TensorDataset``."""
from __future__ import annotations

from typing import Any, Callable, Iterable, Iterator

import numpy as np

from ...tensor import Tensor
from .collate import default_collate, default_convert
from .datasets import Dataset, IterableDataset, Subset, TensorDataset, _rng
from .samplers import BatchSampler, RandomSampler, Sampler, SequentialSampler, _check_batch_size


def _fast_source(dataset: Any) -> tuple | None:
    """For a TensorDataset, or Subsets of one: (its tensors, the index map as an array or None); else None.
    Resolved once per epoch, so each batch costs one fancy index per tensor."""
    if isinstance(dataset, Subset):
        inner = _fast_source(dataset.dataset)
        if inner is None:
            return None
        idx = np.asarray(dataset.indices, dtype=np.intp)
        return inner[0], idx if inner[1] is None else inner[1][idx]
    return (dataset.tensors, None) if type(dataset) is TensorDataset else None


def _fast_batch(source: tuple, idx: Any) -> list:
    tensors, index_map = source
    idx = np.asarray(idx, dtype=np.intp)
    if index_map is not None:
        idx = index_map[idx]
    return [t[idx] if t.requires_grad else Tensor(t.numpy()[idx]) for t in tensors]


# ---- the loader --------------------------------------------------------------------------
class DataLoader:
    """Batches of a dataset, PyTorch's ``DataLoader`` in one process (``num_workers``, ``pin_memory`` and the
    other worker options are accepted and ignored). ``batch_size=None`` turns batching off."""

    def __init__(self, dataset: Dataset, batch_size: int | None = 1, shuffle: bool | None = None,
                 sampler: Sampler | Iterable[Any] | None = None,
                 batch_sampler: Sampler | Iterable[list[int]] | None = None, num_workers: int = 0,
                 collate_fn: Callable[[Any], Any] | None = None, pin_memory: bool = False, drop_last: bool = False,
                 timeout: float = 0, worker_init_fn: Callable[[int], None] | None = None,
                 multiprocessing_context: Any = None, generator: np.random.Generator | None = None, *,
                 prefetch_factor: int | None = None, persistent_workers: bool = False, pin_memory_device: str = "",
                 in_order: bool = True) -> None:
        if not isinstance(num_workers, int) or num_workers < 0:
            raise ValueError("DataLoader: num_workers option should be non-negative; use num_workers=0 to disable "
                             "multiprocessing (tracegrad always loads in one process)")
        if timeout < 0:
            raise ValueError("DataLoader: timeout option should be non-negative")
        _rng(generator, "DataLoader")
        self.dataset, self.num_workers, self.pin_memory, self.timeout = dataset, num_workers, pin_memory, timeout
        self.worker_init_fn, self.generator, self.prefetch_factor = worker_init_fn, generator, prefetch_factor
        self.persistent_workers, self.pin_memory_device, self.in_order = persistent_workers, pin_memory_device, in_order
        self.multiprocessing_context = multiprocessing_context
        self._iterable = isinstance(dataset, IterableDataset)
        if self._iterable:
            if shuffle not in (None, False):
                raise ValueError(f"DataLoader with IterableDataset: expected unspecified shuffle option, but got "
                                 f"shuffle={shuffle}")
            if sampler is not None or batch_sampler is not None:
                raise ValueError("DataLoader with IterableDataset: expected unspecified sampler and batch_sampler")
        elif not hasattr(dataset, "__getitem__") or not hasattr(dataset, "__len__"):
            raise TypeError(f"DataLoader: dataset must define __getitem__ and __len__ (or be an IterableDataset), "
                            f"got {type(dataset).__name__}")
        if sampler is not None and shuffle:
            raise ValueError("DataLoader: sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("DataLoader: batch_sampler option is mutually exclusive with batch_size, shuffle, "
                                 "sampler, and drop_last")
            batch_size, drop_last = None, False
        elif batch_size is None:
            if drop_last:
                raise ValueError("DataLoader: batch_size=None option disables auto-batching and is mutually "
                                 "exclusive with drop_last")
        else:
            _check_batch_size(batch_size, "DataLoader")
        if not isinstance(drop_last, bool):
            raise ValueError(f"DataLoader: drop_last should be a boolean value, but got drop_last={drop_last!r}")
        if collate_fn is not None and not callable(collate_fn):
            raise TypeError(f"DataLoader: collate_fn must be callable, got {type(collate_fn).__name__}")
        if sampler is None and not self._iterable:
            sampler = RandomSampler(dataset, generator=generator) if shuffle else SequentialSampler(dataset)
        if batch_size is not None and batch_sampler is None and not self._iterable:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)  # type: ignore[arg-type]  # set above
        self.batch_size, self.drop_last = batch_size, drop_last
        self.sampler, self.batch_sampler = sampler, batch_sampler
        self._auto_collation = batch_sampler is not None or (self._iterable and batch_size is not None)
        self.collate_fn = collate_fn if collate_fn is not None else \
            default_collate if self._auto_collation else default_convert
        self._default = collate_fn is None

    def __len__(self) -> int:
        if self._iterable:
            n = len(self.dataset)  # TypeError when the stream has no length, as in torch
            if self.batch_size is None:
                return n
            return n // self.batch_size if self.drop_last else -(-n // self.batch_size)
        return len(self.batch_sampler) if self.batch_sampler is not None else len(self.sampler)  # type: ignore[arg-type]

    def __iter__(self) -> Iterator[Any]:
        if self._iterable:
            return self._iter_stream()
        if self.batch_sampler is None:
            return (self.collate_fn(self.dataset[i]) for i in self.sampler)  # type: ignore[union-attr]  # set
        return self._iter_batches()

    def _iter_batches(self) -> Iterator[Any]:
        bs = self.batch_sampler
        batches: Iterator[Any] = bs._batches() if isinstance(bs, BatchSampler) else iter(bs)  # type: ignore[arg-type]
        source = _fast_source(self.dataset) if self._default else None
        for idx in batches:
            if source is not None:
                yield _fast_batch(source, idx)
                continue
            idx = idx.tolist() if isinstance(idx, np.ndarray) else idx
            getitems = getattr(self.dataset, "__getitems__", None)
            samples = getitems(idx) if getitems is not None else [self.dataset[i] for i in idx]
            yield self.collate_fn(samples)

    def _iter_stream(self) -> Iterator[Any]:
        if self.batch_size is None:
            yield from (self.collate_fn(x) for x in self.dataset)  # type: ignore[attr-defined]  # an IterableDataset
            return
        batch = []
        for x in self.dataset:  # type: ignore[attr-defined]  # an IterableDataset
            batch.append(x)
            if len(batch) == self.batch_size:
                yield self.collate_fn(batch)
                batch = []
        if batch and not self.drop_last:
            yield self.collate_fn(batch)
