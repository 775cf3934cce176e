"""Type aliases for annotations, as ``torch.types``: what autograd's functions accept.

Only annotations use these (the modules import them under ``TYPE_CHECKING``), so nothing here runs
on an op's path.
"""
from __future__ import annotations

from typing import Any, Sequence, TypeAlias, Union

import numpy as np
from numpy.typing import ArrayLike

from .dtypes import device
from .tensor import Tensor

Number: TypeAlias = Union[int, float, bool]
# a Tensor, or what NumPy makes an array of: an ndarray, a NumPy or Python number, (nested) lists
TensorLike: TypeAlias = Union[Tensor, ArrayLike]
# dim= of a reduction: one dimension, several, or None for all of them
Dims: TypeAlias = Union[int, Sequence[int], None]
Shape: TypeAlias = Sequence[int]
# a dtype in any spelling as_dtype takes: autograd.float32 (numpy.float32), numpy.dtype("f4"), "float32"
DType: TypeAlias = Union["np.dtype[Any]", type, str]
DeviceLike: TypeAlias = Union[device, str, None]

__all__ = ["DType", "DeviceLike", "Dims", "Number", "Shape", "TensorLike"]
