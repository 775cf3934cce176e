"""Datasets, samplers and the DataLoader, with ``torch.utils.data``'s names and semantics (single process).

``DataLoader`` accepts ``num_workers``, ``pin_memory`` and the other multiprocessing options for PyTorch
compatibility and ignores them: batches are always made in the calling process, in order. Shuffling draws
from ``generator`` (a ``numpy.random.Generator``) or, when it is None, from ``autograd.default_generator()``
at the start of each epoch, so ``autograd.manual_seed(s)`` makes the order reproducible.

NOTE: speed. A ``TensorDataset`` (or a ``Subset`` of one, as ``random_split`` makes) batched with the
default collate is fetched with one fancy index per tensor per batch, not one ``__getitem__`` per sample.
"""
from __future__ import annotations

import bisect
import math
import warnings
from collections.abc import Mapping, Sequence, Sized
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, NoReturn

import numpy as np

from ..functional import stack
from ..mode import default_generator
from ..tensor import Tensor

__all__ = ["Dataset", "IterableDataset", "TensorDataset", "ConcatDataset", "Subset", "random_split",
           "Sampler", "SequentialSampler", "RandomSampler", "SubsetRandomSampler", "BatchSampler",
           "DataLoader", "default_collate", "default_convert"]


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
_COLLATE_ERROR = "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found {}"


def _is_namedtuple(x: Any) -> bool:
    return isinstance(x, tuple) and hasattr(x, "_fields")


def _numeric(a: np.ndarray) -> bool:
    return a.dtype.kind in "biuf"


def _stack(arrays: list, what: str) -> np.ndarray:
    try:
        return np.stack(arrays)
    except ValueError:
        shapes = sorted({np.shape(a) for a in arrays})
        raise RuntimeError(f"default_collate: stack expects each {what} to be equal size, but got shapes "
                           f"{shapes[:4]}") from None


def default_collate(batch: list) -> Any:
    """Torch's ``default_collate``: stack Tensors and NumPy arrays into one Tensor (dtype kept), Python floats
    into float64, ints into int64 and bools into bool Tensors; strings stay a list; recurse into dicts,
    named tuples and sequences (a tuple of fields gives a list of batches, as torch)."""
    elem = batch[0]
    if isinstance(elem, Tensor):
        if any(b.requires_grad for b in batch):
            return stack(list(batch))
        return Tensor(_stack([b.numpy() for b in batch], "tensor"))
    if isinstance(elem, (np.ndarray, np.generic)) and not isinstance(elem, (np.str_, np.bytes_)):
        if not _numeric(np.asarray(elem)):
            raise TypeError(_COLLATE_ERROR.format(np.asarray(elem).dtype))
        return Tensor(_stack(batch, "array"))
    if isinstance(elem, float):
        return Tensor(np.array(batch, dtype=np.float64))
    if isinstance(elem, int):  # bool is an int: a batch of bools stays bool (and mixed ints and floats float32)
        a = np.array(batch)
        return Tensor(a.astype(np.int64) if a.dtype.kind in "iu" else a.astype(np.float32) if a.dtype.kind == "f"
                      else a)
    if isinstance(elem, (str, bytes)):
        return batch
    if isinstance(elem, Mapping):
        out = {k: default_collate([d[k] for d in batch]) for k in elem}
        try:
            return out if type(elem) is dict else type(elem)(out)  # type: ignore[call-arg]
        except TypeError:
            return out
    if _is_namedtuple(elem):
        return type(elem)(*(default_collate(list(s)) for s in zip(*batch)))
    if isinstance(elem, Sequence):
        if len({len(b) for b in batch}) > 1:
            raise RuntimeError("default_collate: each element in list of batch should be of equal size")
        cols = [default_collate(list(s)) for s in zip(*batch)]
        if isinstance(elem, (tuple, list)):
            return cols
        try:
            return type(elem)(cols)  # type: ignore[call-arg]
        except TypeError:
            return cols
    raise TypeError(_COLLATE_ERROR.format(type(elem)))


def default_convert(data: Any) -> Any:
    """Torch's ``default_convert`` (used when ``batch_size=None``): NumPy arrays become Tensors; recurses into
    dicts and sequences; everything else is returned as is."""
    if isinstance(data, np.ndarray):
        return Tensor(data) if _numeric(data) else data
    if isinstance(data, Mapping):
        out = {k: default_convert(v) for k, v in data.items()}
        return out if type(data) is dict else type(data)(out)  # type: ignore[call-arg]
    if _is_namedtuple(data):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, (tuple, list)):
        return [default_convert(d) for d in data]
    return data


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
