"""Embedding: a learnable lookup table (PyTorch's ``nn.Embedding``)."""
from __future__ import annotations

from typing import Any

import numpy as np

import autograd
from autograd import Tensor

from . import functional as F
from .functional.embedding import padding_index
from .module import Module, Parameter

__all__ = ["Embedding"]


def _positive(name: str, v: Any) -> int:
    if not isinstance(v, (int, np.integer)) or isinstance(v, bool) or v < 1:
        raise ValueError(f"Embedding: {name} must be a positive int, got {v!r}")
    return int(v)


class Embedding(Module):
    """Row ``i`` of ``weight`` (num_embeddings, embedding_dim) for each integer index ``i`` of the input.

    ``weight`` starts N(0, 1), drawn from ``autograd.default_generator()``; the row ``padding_idx`` starts at
    zero and never gets a gradient.
    """

    def __init__(self, num_embeddings: int, embedding_dim: int, padding_idx: int | None = None,
                 _weight: Any = None, _freeze: bool = False, dtype=np.float32) -> None:
        super().__init__()
        self.num_embeddings = _positive("num_embeddings", num_embeddings)
        self.embedding_dim = _positive("embedding_dim", embedding_dim)
        self.padding_idx = padding_index(padding_idx, self.num_embeddings, "Embedding")
        shape = (self.num_embeddings, self.embedding_dim)
        if _weight is None:
            w = autograd.default_generator().standard_normal(shape).astype(dtype)
            if self.padding_idx is not None:
                w[self.padding_idx] = 0
        else:
            w = np.array(_weight.numpy() if isinstance(_weight, Tensor) else _weight)
            if w.shape != shape:
                raise ValueError(f"Embedding: _weight has shape {w.shape}, expected {shape}")
        self.weight = Parameter(w, requires_grad=not _freeze)

    @classmethod
    def from_pretrained(cls, embeddings: Any, freeze: bool = True, padding_idx: int | None = None) -> "Embedding":
        """An Embedding whose table is a copy of the 2-D ``embeddings`` (frozen unless ``freeze=False``)."""
        w = np.array(embeddings.numpy() if isinstance(embeddings, Tensor) else embeddings)
        if w.ndim != 2 or w.dtype.kind != "f":
            raise ValueError(f"Embedding.from_pretrained: embeddings must be a 2-D floating-point array "
                             f"(num_embeddings, embedding_dim), got shape {w.shape} and dtype {w.dtype}")
        return cls(w.shape[0], w.shape[1], padding_idx=padding_idx, _weight=w, _freeze=freeze)

    def forward(self, indices: Any) -> Tensor:
        """The embeddings of ``indices``: shape indices.shape + (embedding_dim,)."""
        return F.embedding(indices, self.weight, self.padding_idx)

    def extra_repr(self) -> str:
        pad = "" if self.padding_idx is None else f", padding_idx={self.padding_idx}"
        return f"{self.num_embeddings}, {self.embedding_dim}{pad}"
