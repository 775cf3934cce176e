"""EmbeddingBag: sums, means or maxima of bags of embeddings, without the per-index output (PyTorch's)."""
from __future__ import annotations

from typing import Any

import numpy as np

import autograd
from autograd import Tensor

from . import functional as F
from .embedding import _positive
from .functional.embedding import padding_index
from .functional.embedding_bag import _MODES
from .module import Module, Parameter

__all__ = ["EmbeddingBag"]


class EmbeddingBag(Module):
    """A table ``weight`` (num_embeddings, embedding_dim) reduced over bags of indices by ``mode``.

    Call it with a 2-D input (one bag per row) or a 1-D input and ``offsets``; see ``F.embedding_bag``.
    ``weight`` starts N(0, 1) from ``autograd.default_generator()``, its ``padding_idx`` row at zero.
    """

    def __init__(self, num_embeddings: int, embedding_dim: int, max_norm: float | None = None,
                 norm_type: float = 2.0, scale_grad_by_freq: bool = False, mode: str = "mean", sparse: bool = False,
                 _weight: Any = None, include_last_offset: bool = False, padding_idx: int | None = None,
                 device: Any = None, dtype=None) -> None:
        super().__init__()
        if max_norm is not None or scale_grad_by_freq:
            raise NotImplementedError("EmbeddingBag: max_norm and scale_grad_by_freq are not supported in tracegrad")
        if mode not in _MODES:
            raise ValueError(f"EmbeddingBag: mode has to be one of 'sum', 'mean' or 'max', got {mode!r}")
        self.num_embeddings = _positive("num_embeddings", num_embeddings)
        self.embedding_dim = _positive("embedding_dim", embedding_dim)
        self.max_norm, self.norm_type, self.scale_grad_by_freq = max_norm, norm_type, scale_grad_by_freq
        self.mode, self.sparse, self.include_last_offset = mode, sparse, include_last_offset
        self.padding_idx = padding_index(padding_idx, self.num_embeddings, "EmbeddingBag")
        shape = (self.num_embeddings, self.embedding_dim)
        if _weight is None:
            w = autograd.default_generator().standard_normal(shape).astype(dtype or np.float32)
            if self.padding_idx is not None:
                w[self.padding_idx] = 0
        else:
            w = np.array(_weight.numpy() if isinstance(_weight, Tensor) else _weight)
            if w.shape != shape:
                raise ValueError(f"EmbeddingBag: _weight has shape {w.shape}, expected {shape}")
        self.weight = Parameter(w)

    @classmethod
    def from_pretrained(cls, embeddings: Any, freeze: bool = True, max_norm: float | None = None,
                        norm_type: float = 2.0, scale_grad_by_freq: bool = False, mode: str = "mean",
                        sparse: bool = False, include_last_offset: bool = False,
                        padding_idx: int | None = None) -> "EmbeddingBag":
        """An EmbeddingBag whose table is a copy of the 2-D ``embeddings`` (frozen unless ``freeze=False``)."""
        w = np.array(embeddings.numpy() if isinstance(embeddings, Tensor) else embeddings)
        if w.ndim != 2 or w.dtype.kind != "f":
            raise ValueError(f"EmbeddingBag.from_pretrained: embeddings must be a 2-D floating-point array "
                             f"(num_embeddings, embedding_dim), got shape {w.shape} and dtype {w.dtype}")
        bag = cls(w.shape[0], w.shape[1], max_norm, norm_type, scale_grad_by_freq, mode, sparse, _weight=w,
                  include_last_offset=include_last_offset, padding_idx=padding_idx)
        bag.weight.requires_grad_(not freeze)
        return bag

    def forward(self, input: Any, offsets: Any = None, per_sample_weights: Any = None) -> Tensor:
        """One row per bag: shape (bags, embedding_dim)."""
        return F.embedding_bag(input, self.weight, offsets, mode=self.mode, sparse=self.sparse,
                               per_sample_weights=per_sample_weights, include_last_offset=self.include_last_offset,
                               padding_idx=self.padding_idx)

    def extra_repr(self) -> str:
        s = f"{self.num_embeddings}, {self.embedding_dim}, mode={self.mode!r}"
        return s + ("" if self.padding_idx is None else f", padding_idx={self.padding_idx}")
