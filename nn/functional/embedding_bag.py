"""Bags of embeddings reduced by sum, mean or max (PyTorch's ``F.embedding_bag``), composed from indexing.

The bags are laid out as a padded (bags, longest bag) index grid with a mask, so one gather ``weight[grid]``
does the lookup (its backward scatter-adds into the table) and the reduction is a masked sum over the bag axis.
"""
from __future__ import annotations

import numpy as np

import autograd
from autograd import Tensor, as_tensor

from .embedding import _indices, padding_index

__all__ = ["embedding_bag"]

_MODES = ("sum", "mean", "max")


def _bounds(idx: np.ndarray, offsets, include_last_offset: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(flat indices, bag starts, bag ends) from a 2-D input (one bag per row) or a 1-D input with offsets."""
    if idx.ndim == 2:
        if offsets is not None:
            raise ValueError("embedding_bag: if input is 2-D (a batch of fixed-length bags), offsets has to be "
                             f"None, got {type(offsets).__name__}")
        b, n = idx.shape
        starts = np.arange(b) * n
        return idx.reshape(-1), starts, starts + n
    if idx.ndim != 1:
        raise ValueError(f"embedding_bag: input has to be a 1-D or 2-D tensor, got shape {idx.shape}")
    if offsets is None:
        raise ValueError("embedding_bag: a 1-D input needs offsets, a 1-D integer tensor of bag starts; got None")
    off = offsets.numpy() if isinstance(offsets, Tensor) else np.asarray(offsets)
    if off.ndim != 1 or (off.size and off.dtype.kind not in "iu"):
        raise ValueError(f"embedding_bag: offsets has to be a 1-D integer tensor, got shape {off.shape} and dtype "
                         f"{off.dtype}")
    off = off.astype(np.int64)
    if off.size and off[0] != 0:
        raise ValueError(f"embedding_bag: offsets[0] has to be 0 (the first bag starts at position 0), got {off[0]}")
    if off.size and off[-1] > idx.size:
        raise ValueError(f"embedding_bag: offsets[-1] can not be greater than the input's length {idx.size}, "
                         f"got {off[-1]}")
    if np.any(np.diff(off) < 0):
        raise ValueError(f"embedding_bag: offsets must be non-decreasing, got {off.tolist()}")
    if include_last_offset:
        return idx, off[:-1], off[1:]
    return idx, off, np.append(off[1:], idx.size).astype(np.int64)


def embedding_bag(input, weight: Tensor, offsets=None, max_norm: float | None = None, norm_type: float = 2,
                  scale_grad_by_freq: bool = False, mode: str = "mean", sparse: bool = False,
                  per_sample_weights=None, include_last_offset: bool = False,
                  padding_idx: int | None = None) -> Tensor:
    """Each bag's rows of ``weight`` reduced by ``mode``: shape (bags, embedding_dim); an empty bag gives zeros.

    A 2-D ``input`` (B, N) is B bags of N indices; a 1-D ``input`` is cut into bags at ``offsets`` (their starts,
    plus the end when ``include_last_offset``). Entries equal to ``padding_idx`` are left out of their bag (not
    counted by 'mean'). With ``include_last_offset`` the bags are offsets[i]..offsets[i+1] (torch documents
    offsets[-1] == len(input), CSR; its results for a smaller last offset vary by dtype).
    ``per_sample_weights`` (input's shape, 'sum' only) scales each row. 'max' takes the first maximum, as PyTorch.
    ``sparse=True`` is accepted; the gradient is dense.
    """
    weight = as_tensor(weight)
    if weight.ndim != 2:
        raise ValueError(f"embedding_bag: weight must be 2-D (num_embeddings, embedding_dim), got shape "
                         f"{tuple(weight.shape)}")
    if max_norm is not None or scale_grad_by_freq:
        raise NotImplementedError("embedding_bag: max_norm and scale_grad_by_freq are not supported in tracegrad")
    if mode not in _MODES:
        raise ValueError(f"embedding_bag: mode has to be one of 'sum', 'mean' or 'max', got {mode!r}")
    idx = _indices(input, weight.shape[0], "embedding_bag")
    if per_sample_weights is not None:
        if mode != "sum":
            raise NotImplementedError(f"embedding_bag: per_sample_weights is only supported for mode='sum', "
                                      f"got mode={mode!r}")
        per_sample_weights = as_tensor(per_sample_weights)
        if per_sample_weights.shape != idx.shape:
            raise ValueError(f"embedding_bag: per_sample_weights has shape {tuple(per_sample_weights.shape)}, but "
                             f"it must have the input's shape {idx.shape}")
    flat, starts, ends = _bounds(idx, offsets, include_last_offset)
    pad = padding_index(padding_idx, weight.shape[0], "embedding_bag")

    longest = max(int((ends - starts).max(initial=0)), 1)
    pos = starts[:, None] + np.arange(longest)[None, :]
    mask = pos < ends[:, None]
    pos = np.where(mask, pos, 0) if flat.size else np.zeros_like(pos)
    grid = np.where(mask, flat[pos] if flat.size else 0, 0)
    if pad is not None:
        mask &= grid != pad
    count = mask.sum(axis=1)
    dtype = weight.dtype

    if mode == "max":
        vals = np.where(mask[..., None], weight.numpy()[grid], -np.inf)
        rows = np.take_along_axis(grid, vals.argmax(axis=1), axis=1)  # first maximum, per dimension
        out = weight[rows, np.arange(weight.shape[1])[None, :]]
        return autograd.where((count > 0)[:, None], out, np.zeros(out.shape, dtype=dtype))
    coef: Tensor | np.ndarray = mask.astype(dtype)
    if mode == "mean":
        coef = coef / np.maximum(count, 1)[:, None].astype(dtype)
    if per_sample_weights is not None and flat.size:
        coef = per_sample_weights.reshape(-1)[pos] * coef
    return (weight[grid] * autograd.unsqueeze(as_tensor(coef), -1)).sum(axis=1)
