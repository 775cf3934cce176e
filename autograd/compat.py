"""The rest of ``torch``'s top-level names a ported program touches in its first lines: accelerators and
backends that report "none here", print options, seeding, and the default dtype (float32)."""
from __future__ import annotations

import functools
import types

from typing import TYPE_CHECKING, Any, Callable, Iterable

import numpy as np

from .dtypes import check_device
from .mode import STATE, manual_seed
from .tensor import Tensor

if TYPE_CHECKING:
    from .types import DeviceLike


def _false(*args: Any, **kwargs: Any) -> bool:
    return False


accelerator = types.SimpleNamespace(is_available=_false, current_accelerator=lambda: None, device_count=lambda: 0)
backends = types.SimpleNamespace(
    mps=types.SimpleNamespace(is_available=_false, is_built=_false),
    cudnn=types.SimpleNamespace(deterministic=False, benchmark=False, enabled=False, is_available=_false),
    cuda=types.SimpleNamespace(is_built=_false),
)


def get_default_dtype() -> type[np.float32]:
    """float32: what Python floats become, as torch's default."""
    return np.float32


def set_default_device(device: DeviceLike) -> None:
    """Only the CPU exists; anything else raises, saying so."""
    check_device(device, "set_default_device")


def set_printoptions(precision: int | None = None, threshold: int | None = None, edgeitems: int | None = None,
                     linewidth: int | None = None, profile: str | None = None, sci_mode: bool | None = None) -> None:
    """Tensors print through NumPy: this sets NumPy's print options."""
    kw: dict[str, Any] = {k: v for k, v in dict(precision=precision, threshold=threshold, edgeitems=edgeitems,
                                linewidth=linewidth).items() if v is not None}
    if sci_mode is not None:
        kw["suppress"] = not sci_mode
    np.set_printoptions(**kw)


def seed() -> int:
    """Seed the generator from the operating system's entropy and return the seed."""
    s = int(np.random.SeedSequence().entropy % (2 ** 63))  # type: ignore[operator]  # entropy is an int here
    manual_seed(s)
    return s


def with_out(fn: Callable[..., Tensor]) -> Callable[..., Tensor]:
    """``fn`` that also takes torch's ``out=``: the result is written into ``out`` (not differentiable, as torch)."""
    @functools.wraps(fn)
    def wrapper(*args: Any, out: Tensor | None = None, **kwargs: Any) -> Tensor:
        r = fn(*args, **kwargs)
        if out is None:
            return r
        if not isinstance(out, Tensor):
            raise TypeError(f"{fn.__name__}: out= must be a Tensor, got {type(out).__name__}")
        if STATE.grad_enabled and (r.requires_grad or out.requires_grad):
            raise RuntimeError(f"{fn.__name__}(): functions with out=... arguments don't support automatic "
                               "differentiation, but one of the arguments requires grad (drop out=: y = "
                               f"autograd.{fn.__name__}(...))")
        if out.shape == r.shape:
            out.copy_(r)
        else:  # torch resizes out
            out.data = r.numpy()
        return out
    return wrapper


# torch names a ported program may reach for that tracegrad does not have, with what to do instead
NOT_HERE = {
    "einsum": "use matmul with reshape / transpose / unsqueeze",
    "bernoulli": "use (autograd.rand(*shape) < p).float(), or x.bernoulli_(p)",
    "multinomial": "use numpy.random.Generator.choice on the probabilities (autograd.default_generator())",
    "prod": "use exp(log(x).sum()) for positive x",
    "compile": "drop it: tracegrad runs eagerly",
    "jit": "drop it: tracegrad runs eagerly",
    "Transformer": "attention layers are not in tracegrad's nn yet",
    "MultiheadAttention": "attention layers are not in tracegrad's nn yet",
}
_TORCH_WHERE = {"autograd": "torch", "Tensor": "torch.Tensor", "nn": "torch.nn", "optim": "torch.optim"}


def missing(where: str, name: str, known: Iterable[str]) -> AttributeError:
    """The AttributeError for a name ``where`` lacks, naming torch's spelling and the nearest tracegrad one."""
    if name.startswith("_"):  # protocol probes (NumPy's __array_interface__, IPython's _repr_html_): no search
        return AttributeError(f"{where} has no attribute {name!r}")
    import difflib
    hint = NOT_HERE.get(name)
    if hint is None:
        close = difflib.get_close_matches(name, [k for k in known if not k.startswith("_")], n=3, cutoff=0.8)
        hint = f"did you mean {' or '.join(close)}?" if close else None
    msg = f"{where} has no attribute {name!r} ({_TORCH_WHERE.get(where, where)}.{name} is not in tracegrad)"
    return AttributeError(msg + (f"; {hint}" if hint else ""))


def set_num_threads(n: int) -> None:
    """Accepted for torch code: NumPy's BLAS reads its thread count from the environment when it starts."""
    if not isinstance(n, int) or n < 1:
        raise ValueError(f"set_num_threads: expected a positive int, got {n!r}")


def get_num_threads() -> int:
    """The number of CPU cores (an upper bound on what NumPy's BLAS uses)."""
    import os
    return os.cpu_count() or 1


def use_deterministic_algorithms(mode: bool, *, warn_only: bool = False) -> None:
    """Accepted for torch code: tracegrad's ops are deterministic already."""


def are_deterministic_algorithms_enabled() -> bool:
    return True


class _UpperPackageAlias:
    """``import autograd.nn as nn`` / ``from autograd.optim import SGD``: the ``nn`` and ``optim`` packages under
    this package's name, for ports that spell ``torch.nn`` as ``autograd.nn``. NOTE: a finder that only answers
    for those names; autograd itself never imports ``nn`` or ``optim``."""

    _names = ("nn", "optim")

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        parts = fullname.split(".")
        if len(parts) > 1 and parts[0] == "autograd" and parts[1] in self._names:
            import importlib.util
            return importlib.util.spec_from_loader(fullname, self)  # type: ignore[arg-type]
        return None

    def create_module(self, spec: Any) -> Any:
        import importlib
        module = importlib.import_module(spec.name.split(".", 1)[1])
        spec.loader_state = module.__spec__  # the import system overwrites __spec__; exec_module puts it back
        return module

    def exec_module(self, module: Any) -> None:
        """Nothing to run: the real module is loaded already; its own ``__spec__`` is restored."""
        state = getattr(module.__spec__, "loader_state", None)
        if state is not None:
            module.__spec__ = state


def install_alias() -> None:
    """Put the alias finder first on ``sys.meta_path``, once: it must answer before the path finder, which would
    otherwise load a second copy of a submodule (``autograd.optim.lr_scheduler``) from the aliased package's path."""
    import sys
    if not any(isinstance(f, _UpperPackageAlias) for f in sys.meta_path):
        sys.meta_path.insert(0, _UpperPackageAlias())
