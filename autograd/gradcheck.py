"""Compare analytic gradients with float64 central differences."""
from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from .engine import grad
from .tensor import Tensor


class GradcheckError(AssertionError):
    """The analytic and numeric gradients disagree (the message names the input and worst element)."""


def _outputs(out: Any) -> list[Tensor]:
    outs = list(out) if isinstance(out, (tuple, list)) else [out]
    return [o for o in outs if isinstance(o, Tensor) and o.dtype.kind == "f"]


def _projected(fn: Callable[..., Any], inputs: Sequence[Any], vs: Sequence[np.ndarray]) -> float:
    """sum_k <v_k, fn(inputs)_k> as a Python float (grad mode stays on: fn may itself take gradients)."""
    outs = _outputs(fn(*inputs))
    return float(sum(np.sum(v * o.numpy()) for v, o in zip(vs, outs)))


def gradcheck(fn: Callable[..., Any], inputs: Tensor | Sequence[Any], eps: float = 1e-6, atol: float = 1e-5,
              rtol: float = 1e-3, raise_exception: bool = True, seed: int = 0) -> bool:
    """Check ``fn``'s gradients with respect to every input that requires grad.

    The outputs are projected on fixed random directions v (a vector-Jacobian product),
    so one backward gives the analytic side; the numeric side perturbs each input element
    by ±eps. Inputs that require grad must be float64. Returns True, or raises
    ``GradcheckError`` naming the input and its worst element (analytic vs numeric).
    """
    single = isinstance(inputs, Tensor)
    inputs = (inputs,) if single else tuple(inputs)
    wrt = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    if not wrt:
        raise ValueError("gradcheck: no input requires grad, so there is nothing to check")
    for i in wrt:
        if inputs[i].dtype != np.float64:
            raise ValueError(f"gradcheck: input {i} has dtype {inputs[i].dtype}; central differences need "
                             "float64 inputs (use .double())")
    outs = _outputs(fn(*inputs))
    if not outs:
        raise ValueError("gradcheck: fn returned no floating-point Tensor")
    rng = np.random.default_rng(seed)
    vs = [rng.standard_normal(o.shape) for o in outs]
    total = sum((o * Tensor(v, dtype=o.dtype)).sum() for o, v in zip(outs, vs) if o.requires_grad)
    if isinstance(total, Tensor):
        analytic = grad(total, [inputs[i] for i in wrt], allow_unused=True)
    else:  # no output depends on any input
        analytic = (None,) * len(wrt)
    for i, ga in zip(wrt, analytic):
        x = inputs[i]
        a = np.zeros(x.shape) if ga is None else ga.numpy()
        numeric = np.zeros(x.shape)
        saved = x.numpy()
        x.data = saved.copy()
        try:
            flat = x.numpy().reshape(-1)
            for k in range(flat.size):
                v0 = flat[k]
                flat[k] = v0 + eps
                up = _projected(fn, inputs, vs)
                flat[k] = v0 - eps
                down = _projected(fn, inputs, vs)
                flat[k] = v0
                numeric.reshape(-1)[k] = (up - down) / (2 * eps)
        finally:
            x.data = saved
        err = np.abs(a - numeric) - (atol + rtol * np.abs(numeric))
        if err.size and (err > 0).any() or not np.isfinite(a).all():
            worst = np.unravel_index(int(np.nanargmax(np.where(np.isfinite(err), err, np.inf))), x.shape)
            if not raise_exception:
                return False
            raise GradcheckError(
                f"gradcheck: the gradient with respect to input {i} (shape {x.shape}) is wrong; worst element "
                f"{tuple(int(j) for j in worst)}: analytic {a[worst]:.8g} vs numeric {numeric[worst]:.8g} "
                f"(atol {atol}, rtol {rtol}, eps {eps})")
    return True


def gradgradcheck(fn: Callable, inputs: Sequence, grad_outputs: Sequence | None = None, eps: float = 1e-6,
                  atol: float = 1e-5, rtol: float = 1e-3, raise_exception: bool = True, seed: int = 0) -> bool:
    """Check second derivatives: ``gradcheck`` of the (recorded) gradient of ``fn``'s outputs projected on
    ``grad_outputs`` (fixed random directions when not given), as torch's ``gradgradcheck``."""
    single = isinstance(inputs, Tensor)
    inputs = (inputs,) if single else tuple(inputs)
    wrt = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    outs = _outputs(fn(*inputs))
    rng = np.random.default_rng(seed + 1)
    vs = ([np.asarray(g.numpy() if isinstance(g, Tensor) else g) for g in grad_outputs] if grad_outputs is not None
          else [rng.standard_normal(o.shape) for o in outs])

    def first_order(*xs: Tensor) -> tuple:
        total = sum((o * Tensor(v, dtype=o.dtype)).sum() for o, v in zip(_outputs(fn(*xs)), vs) if o.requires_grad)
        if not isinstance(total, Tensor):
            return ()
        gs = grad(total, [xs[i] for i in wrt], create_graph=True, allow_unused=True)
        return tuple(g for g in gs if g is not None)

    return gradcheck(first_order, inputs, eps, atol, rtol, raise_exception, seed)
