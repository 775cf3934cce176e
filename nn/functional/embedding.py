"""Embedding lookup (PyTorch's ``F.embedding``), composed from indexing: its backward scatter-adds."""
from __future__ import annotations

import numpy as np

import autograd
from autograd import Tensor, as_tensor

__all__ = ["embedding"]


def _indices(indices, num_embeddings: int, where: str) -> np.ndarray:
    """The index array, checked: integer dtype, every value in [0, num_embeddings)."""
    idx = indices.numpy() if isinstance(indices, Tensor) else np.asarray(indices)
    if idx.dtype.kind not in "iu":
        raise TypeError(f"{where}: indices must be an integer tensor (int64 or int32, like PyTorch's Long / Int), "
                        f"got dtype {idx.dtype}")
    if idx.size and (idx.min() < 0 or idx.max() >= num_embeddings):
        bad = idx.min() if idx.min() < 0 else idx.max()
        raise IndexError(f"{where}: index {int(bad)} out of range for a table of {num_embeddings} embeddings "
                         f"(valid: 0 to {num_embeddings - 1}); indices shape {tuple(idx.shape)}")
    return idx


def padding_index(padding_idx: int | None, num_embeddings: int, where: str) -> int | None:
    """``padding_idx`` made non-negative (PyTorch accepts −num_embeddings ≤ padding_idx < num_embeddings)."""
    if padding_idx is None:
        return None
    if not -num_embeddings <= int(padding_idx) < num_embeddings:
        raise ValueError(f"{where}: padding_idx must be within the {num_embeddings} embeddings "
                         f"(−{num_embeddings} to {num_embeddings - 1}), got {padding_idx}")
    return int(padding_idx) % num_embeddings


def embedding(indices, weight: Tensor, padding_idx: int | None = None) -> Tensor:
    """Rows of ``weight`` (num_embeddings, embedding_dim) picked by integer ``indices``: shape indices.shape + (D,).

    The row ``padding_idx`` (when given) is returned as stored but gets no gradient, as in PyTorch.
    """
    weight = as_tensor(weight)
    if weight.ndim != 2:
        raise ValueError(f"embedding: weight must be 2-D (num_embeddings, embedding_dim), got shape "
                         f"{tuple(weight.shape)}")
    idx = _indices(indices, weight.shape[0], "embedding")
    out = weight[idx]
    pad = padding_index(padding_idx, weight.shape[0], "embedding")
    if pad is None or not (idx == pad).any():
        return out
    # NOTE: where(keep, out, constant) has the same values; the padding positions send zero gradient back.
    keep = np.broadcast_to((idx != pad)[..., None], out.shape)
    return autograd.where(keep, out, out.numpy().copy())
