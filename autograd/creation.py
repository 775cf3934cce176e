"""Tensor constructors with PyTorch's signatures (``dtype=``, ``device=``, ``requires_grad=``, ``generator=``).

Random ones draw from the one generator that ``manual_seed`` sets, or from the ``generator`` given.
Floating-point results default to float32, as in torch.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Sequence, TypeGuard

import numpy as np

from .dtypes import as_dtype, check_device
from .mode import STATE
from .tensor import Tensor

if TYPE_CHECKING:
    from typing import Protocol

    from .types import DeviceLike, DType, Number, TensorLike

    _Size = int | Sequence[int]

    class _Like(Protocol):
        def __call__(self, input: TensorLike, *args: Any, dtype: DType | None = None, device: DeviceLike = None,
                     requires_grad: bool = False, generator: np.random.Generator | None = None,
                     **kw: Any) -> Tensor: ...

_F32 = np.float32


def _shape(shape: tuple[Any, ...]) -> tuple[int, ...]:
    """``zeros(2, 3)``, ``zeros((2, 3))`` and ``zeros([2, 3])`` all mean shape (2, 3)."""
    if len(shape) == 1 and not isinstance(shape[0], (int, np.integer)):
        shape = shape[0]
    try:
        return tuple(int(n) for n in shape)
    except TypeError:
        raise TypeError(f"size must be ints or one sequence of ints, got {shape!r}") from None


def _dims(shape: tuple[Any, ...], size: Any) -> tuple[int, ...]:
    """The shape from ``f(2, 3)``, ``f((2, 3))`` or torch's keyword ``f(size=(2, 3))``."""
    return _shape(shape if size is None else (size,))


def _make(arr: np.ndarray, dtype: DType | None, device: DeviceLike, requires_grad: bool, op: str) -> Tensor:
    check_device(device, op)
    if dtype is not None:
        arr = arr.astype(as_dtype(dtype, op), copy=False)
    return Tensor(arr, requires_grad=requires_grad)


def _rng(generator: np.random.Generator | None) -> np.random.Generator:
    return STATE.rng if generator is None else generator


class Generator(np.random.Generator):
    """``autograd.Generator().manual_seed(42)``: a NumPy Generator with torch's seeding method."""

    def __init__(self, device: Any = "cpu") -> None:
        check_device(device, "Generator")
        super().__init__(np.random.PCG64())

    def manual_seed(self, seed: int) -> "Generator":
        """Re-seed this generator in place (as ``torch.Generator.manual_seed``); returns it."""
        self.bit_generator.state = np.random.PCG64(seed).state
        return self


def tensor(data: Any, dtype: DType | None = None, device: DeviceLike = None, requires_grad: bool = False) -> Tensor:
    """Like ``torch.tensor``: the dtype is inferred (Python floats float32, ints int64, bools bool), the data copied;
    ``Tensor(data)`` instead makes Python numbers float32, like ``torch.Tensor``."""
    check_device(device, "tensor")
    if isinstance(data, Tensor):
        data = data.numpy().copy()
    elif isinstance(data, np.ndarray):
        data = data.copy()
    return Tensor(data, requires_grad=requires_grad, dtype=None if dtype is None else as_dtype(dtype), _infer=True)


def as_tensor(data: Any, dtype: DType | None = None, device: DeviceLike = None) -> Tensor:
    """A Tensor sharing ``data``'s memory when it is a NumPy array or Tensor of that dtype already."""
    if isinstance(data, Tensor) and (dtype is None or as_dtype(dtype) == data.dtype):
        return data
    if isinstance(data, np.ndarray):
        return _make(data, dtype, device, False, "as_tensor")
    return tensor(data, dtype=dtype, device=device)


def from_numpy(array: np.ndarray) -> Tensor:
    """The NumPy array as a Tensor, sharing memory (writes show in both), keeping its dtype."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy: expected a numpy.ndarray, got {type(array).__name__}")
    return Tensor(array)


def is_tensor(obj: object) -> TypeGuard[Tensor]:
    """Whether ``obj`` is a Tensor (or a subclass such as ``nn.Parameter``)."""
    return isinstance(obj, Tensor)


def zeros(*shape: _Size, size: Any = None, dtype: DType | None = None, device: DeviceLike = None,
          requires_grad: bool = False) -> Tensor:
    """Zeros of shape ``size`` (``zeros(2, 3)`` or ``zeros((2, 3))``), float32 unless ``dtype``."""
    return _make(np.zeros(_dims(shape, size), dtype=_F32), dtype, device, requires_grad, "zeros")


def ones(*shape: _Size, size: Any = None, dtype: DType | None = None, device: DeviceLike = None,
         requires_grad: bool = False) -> Tensor:
    """Ones of shape ``size``, float32 unless ``dtype``."""
    return _make(np.ones(_dims(shape, size), dtype=_F32), dtype, device, requires_grad, "ones")


def empty(*shape: _Size, size: Any = None, dtype: DType | None = None, device: DeviceLike = None,
          requires_grad: bool = False) -> Tensor:
    """Zeros (NumPy's uninitialised memory would make runs differ for no reason)."""
    return zeros(*shape, size=size, dtype=dtype, device=device, requires_grad=requires_grad)


def full(size: _Size, fill_value: Number, dtype: DType | None = None, device: DeviceLike = None,
         requires_grad: bool = False) -> Tensor:
    """Filled with ``fill_value``; the dtype is inferred from it as torch does (float32, int64 or bool)."""
    if dtype is None:
        dtype = np.bool_ if isinstance(fill_value, bool) else (np.int64 if isinstance(fill_value, int) else _F32)
    return _make(np.full(_shape((size,)), fill_value), dtype, device, requires_grad, "full")


def randn(*shape: _Size, size: Any = None, dtype: DType | None = None, device: DeviceLike = None,
          requires_grad: bool = False, generator: np.random.Generator | None = None) -> Tensor:
    """Standard normal samples."""
    arr = _rng(generator).standard_normal(_dims(shape, size)).astype(_F32)
    return _make(arr, dtype, device, requires_grad, "randn")


def rand(*shape: _Size, size: Any = None, dtype: DType | None = None, device: DeviceLike = None,
         requires_grad: bool = False, generator: np.random.Generator | None = None) -> Tensor:
    """Uniform samples on [0, 1)."""
    return _make(_rng(generator).random(_dims(shape, size)).astype(_F32), dtype, device, requires_grad, "rand")


def randint(low: int, high: int | Sequence[int] | None = None, size: _Size | None = None, *, dtype: DType | None = None,
            device: DeviceLike = None, generator: np.random.Generator | None = None,
            requires_grad: bool = False) -> Tensor:
    """Integers in [low, high) (int64); ``randint(high, size)`` starts at 0, as torch."""
    if size is None:
        if high is None:
            raise TypeError("randint: missing size (randint(low, high, size) or randint(high, size))")
        low, high, size = 0, low, high
    arr = _rng(generator).integers(low, high, size=_shape((size,)))
    return _make(arr.astype(np.int64), dtype, device, requires_grad, "randint")


def randperm(n: int, *, dtype: DType | None = None, device: DeviceLike = None,
             generator: np.random.Generator | None = None, requires_grad: bool = False) -> Tensor:
    """A random permutation of 0..n-1 (int64)."""
    return _make(_rng(generator).permutation(n).astype(np.int64), dtype, device, requires_grad, "randperm")


def normal(mean: float | Tensor = 0.0, std: float | Tensor = 1.0, size: _Size | None = None, *,
           generator: np.random.Generator | None = None, dtype: DType | None = None, device: DeviceLike = None,
           requires_grad: bool = False) -> Tensor:
    """Normal samples: ``normal(mean, std, size)`` with numbers, or elementwise means / stds from tensors."""
    m = mean.numpy() if isinstance(mean, Tensor) else mean
    s = std.numpy() if isinstance(std, Tensor) else std
    shape = _shape((size,)) if size is not None else np.broadcast_shapes(np.shape(m), np.shape(s))
    like = mean if isinstance(mean, Tensor) else (std if isinstance(std, Tensor) else None)
    arr = _rng(generator).normal(m, s, shape).astype(like.dtype if like is not None else _F32)
    return _make(arr, dtype, device, requires_grad, "normal")


def arange(start: Number, end: Number | None = None, step: Number = 1, *, dtype: DType | None = None,
           device: DeviceLike = None, requires_grad: bool = False) -> Tensor:
    """Like torch.arange: int64 for integer arguments, float32 otherwise."""
    a = np.arange(start, end, step) if end is not None else np.arange(start)
    dtype = dtype if dtype is not None else (_F32 if a.dtype.kind == "f" else np.int64)
    return _make(a, dtype, device, requires_grad, "arange")


def linspace(start: float, end: float, steps: int, *, dtype: DType | None = None, device: DeviceLike = None,
             requires_grad: bool = False) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end`` (both included), float32 unless ``dtype``."""
    return _make(np.linspace(start, end, steps), dtype or _F32, device, requires_grad, "linspace")


def eye(n: int, m: int | None = None, *, dtype: DType | None = None, device: DeviceLike = None,
        requires_grad: bool = False) -> Tensor:
    """The n x m (n x n) identity matrix, float32 unless ``dtype``."""
    return _make(np.eye(n, m), dtype or _F32, device, requires_grad, "eye")


def _like(fill: Callable[..., Any]) -> _Like:
    def fn(input: TensorLike, *args: Any, dtype: DType | None = None, device: DeviceLike = None,
           requires_grad: bool = False, generator: np.random.Generator | None = None, **kw: Any) -> Tensor:
        x = input if isinstance(input, Tensor) else Tensor(input)
        dt = dtype if dtype is not None else x.dtype
        arr = fill(x.shape, _rng(generator), *args)
        return _make(np.asarray(arr), dt, device, requires_grad, fn.__name__)
    return fn


zeros_like = _like(lambda shape, rng: np.zeros(shape))
ones_like = _like(lambda shape, rng: np.ones(shape))
empty_like = zeros_like
full_like = _like(lambda shape, rng, value: np.full(shape, value))
randn_like = _like(lambda shape, rng: rng.standard_normal(shape))
rand_like = _like(lambda shape, rng: rng.random(shape))
for _n in ("zeros_like", "ones_like", "full_like", "randn_like", "rand_like"):
    globals()[_n].__name__ = _n


class _TypedTensorMeta(type):
    """``isinstance(x, autograd.FloatTensor)`` is true for a float32 Tensor, as torch's legacy types."""

    dtype: Any

    def __instancecheck__(cls, obj: Any) -> bool:
        return isinstance(obj, Tensor) and obj.dtype == cls.dtype


def _typed(name: str, dtype: Any) -> type:
    def new(cls: type, *args: Any, **kwargs: Any) -> Tensor:
        """``FloatTensor(data)`` or ``FloatTensor(2, 3)`` (a shape): a Tensor of this type's dtype."""
        if args and all(type(a) is int for a in args):
            return Tensor(np.zeros(args, dtype=dtype))
        if not args:
            return Tensor(np.empty((0,), dtype=dtype))
        data = args[0].numpy() if isinstance(args[0], Tensor) else args[0]
        return Tensor(np.array(data, dtype=dtype))
    return _TypedTensorMeta(name, (), {"__new__": new, "dtype": np.dtype(dtype),
                                      "__doc__": f"torch's legacy {name}: builds a {np.dtype(dtype)} Tensor."})


FloatTensor = _typed("FloatTensor", np.float32)
DoubleTensor = _typed("DoubleTensor", np.float64)
HalfTensor = _typed("HalfTensor", np.float16)
LongTensor = _typed("LongTensor", np.int64)
IntTensor = _typed("IntTensor", np.int32)
ShortTensor = _typed("ShortTensor", np.int16)
ByteTensor = _typed("ByteTensor", np.uint8)
BoolTensor = _typed("BoolTensor", np.bool_)
