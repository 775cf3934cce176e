"""``torch.autograd``'s spellings, so that ``import autograd as torch`` keeps ``torch.autograd.grad``,
``torch.autograd.Function``, ``torch.autograd.Variable`` and ``from torch.autograd import grad`` working."""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..anomaly import detect_anomaly
from ..engine import backward, grad
from ..function import Function
from ..gradcheck import gradcheck, gradgradcheck
from ..mode import enable_grad, no_grad, set_grad_enabled
from ..tensor import Tensor
from . import function, functional  # noqa: F401  (torch.autograd.function, .functional)

if TYPE_CHECKING:
    from ..types import TensorLike


def Variable(data: TensorLike, requires_grad: bool = False, volatile: bool = False) -> Tensor:  # noqa: N802 - torch's name
    """The old wrapper (PyTorch < 0.4): gives the Tensor itself, with ``requires_grad`` set if asked."""
    t = data if isinstance(data, Tensor) else Tensor(data)
    if requires_grad:
        t.requires_grad_(True)
    return t


def set_detect_anomaly(mode: bool) -> None:
    """``torch.autograd.set_detect_anomaly(True)``: anomaly mode on or off for the rest of the program."""
    from ..mode import STATE
    STATE.anomaly = bool(mode)


__all__ = ["Function", "Variable", "backward", "detect_anomaly", "enable_grad", "grad", "gradcheck", "gradgradcheck",
           "no_grad",
           "set_detect_anomaly", "set_grad_enabled"]
