"""Datasets, samplers and the DataLoader, with ``torch.utils.data``'s names and semantics (single process).

``DataLoader`` accepts ``num_workers``, ``pin_memory`` and the other multiprocessing options for PyTorch
compatibility and ignores them: batches are always made in the calling process, in order. Shuffling draws
from ``generator`` (a ``numpy.random.Generator``) or, when it is None, from ``autograd.default_generator()``
at the start of each epoch, so ``autograd.manual_seed(s)`` makes the order reproducible.

NOTE: speed. A ``TensorDataset`` (or a ``Subset`` of one, as ``random_split`` makes) batched with the
default collate is fetched with one fancy index per tensor per batch, not one ``__getitem__`` per sample.
"""
from .collate import default_collate, default_convert
from .datasets import ConcatDataset, Dataset, IterableDataset, Subset, TensorDataset, random_split
from .loader import DataLoader
from .samplers import BatchSampler, RandomSampler, Sampler, SequentialSampler, SubsetRandomSampler

__all__ = ["Dataset", "IterableDataset", "TensorDataset", "ConcatDataset", "Subset", "random_split",
           "Sampler", "SequentialSampler", "RandomSampler", "SubsetRandomSampler", "BatchSampler",
           "DataLoader", "default_collate", "default_convert"]
