"""``default_collate`` / ``default_convert``: a list of samples into a batch (as torch's)."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ...functional import stack
from ...tensor import Tensor


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
