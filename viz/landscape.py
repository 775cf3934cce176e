"""Loss landscapes: the loss on a line or a plane through a model's weights (the method of Li et al. 2018,
"Visualizing the Loss Landscape of Neural Nets"), as plain data (``Landscape``) with its plots.

    L = loss_landscape(model, nn.functional.cross_entropy, (X, y), span=1.0)     # a STEPS x STEPS grid
    L.plot()                # filled contours, contour lines, colour bar, the origin marked
    compare_landscapes({"plain": L1, "residual": L2, "dense": L3})     # one colour scale for all panels

``steps`` defaults to ``STEPS`` = 19 points per axis (5 under ``autograd.utils.fast_mode()``, the notebooks' quick
run): a 2-D grid costs steps² forward passes over ``data``, so keep the evaluation batch to a few hundred examples.
Li et al. drew 51 x 51 grids.

The point (α, β) of the grid is the loss at w₀ + α·d₁ + β·d₂ (w₀: the model's current weights), for α, β in
[-span, span]; ``origin_loss`` is the loss at w₀ itself.

- Random directions (the default) are Gaussian, drawn from ``numpy.random.default_rng(seed)`` parameter by parameter
  in ``named_parameters()`` order (direction 1 first, so a 1-D landscape runs along the 2-D one's α axis).
  ``normalization="filter"``: each filter / output neuron's row ``d[i]`` (dimension 0) is rescaled to the norm of
  the weight row ``w[i]``; ``"layer"``: the whole tensor to the norm of the whole weight; ``None``: left raw. With
  every normalisation, parameters with ndim <= 1 (biases, batch-norm weight and bias) get a zero direction (the
  paper's "ignore biasbn"). Buffers (batch-norm running statistics) are never perturbed.
- ``directions=[{name: array}, ...]``: the given directions, used as given (a missing parameter name: zero).
- ``directions="pca"``: the top ``dims`` principal directions of ``trajectory`` (a list of state dicts, e.g. one
  per epoch, at least dims + 1 of them), taken of the points' differences from the FINAL point, flattened over all
  parameters, without centring them on their mean: the plane through the final point that is closest (least
  squares) to the trajectory, which is what the picture centred on that point shows. ``explained_variance``
  holds each component's share of the squared distances from the final point (in [0, 1], decreasing). The grid is
  centred on the model's CURRENT weights: they should equal the trajectory's final point (a warning says when not).
  Each direction is a unit vector over all parameters, so α is a distance in weight space: pick ``span`` to hold
  the trajectory (``max |trajectory_coords|``), or pass ``span="auto"``: 1.2 times that (with a trajectory only).
- ``trajectory=`` with any directions: each point w_t is projected on the directions (least squares of w_t − w₀),
  giving ``trajectory_coords`` (T, dims); ``trajectory_losses`` is its ACTUAL loss (the model evaluated at the
  point's parameters and the buffers it holds, not read off the grid), and ``trajectory_residuals`` is
  ‖(w_t − w₀) − projection‖ / ‖w_t − w₀‖ (0 at w₀): how far off the plane the point really is.
  NOTE: ``model.state_dict()`` shares the model's arrays: save copies for a trajectory
  (``{k: v.numpy().copy() for k, v in model.state_dict().items()}``).

``data`` is ``(X, y)`` (Tensors or arrays; the loss is ``loss_fn(model(X), y)``) or an
``autograd.utils.data.DataLoader`` (the batch losses averaged, weighted by batch size; keep ``drop_last=False``).
Every point is evaluated under ``autograd.no_grad()`` with the model in eval mode, writing the weights in place
into the parameters' own arrays (no graph, no new arrays: a point costs one forward pass over the data). Afterwards,
also after an exception or Ctrl-C, every parameter and buffer is restored bitwise from a copy taken first, and
every module's train / eval mode is restored.
"""
from __future__ import annotations

import warnings
from typing import Any, Callable, Mapping, Sequence

import numpy as np

import autograd
from autograd import Tensor

from .figures import progress
from .landscape_plot import Landscape, compare_landscapes

__all__ = ["Landscape", "loss_landscape", "random_directions", "pca_directions", "compare_landscapes"]

NORMALIZATIONS = ("filter", "layer", None)
STEPS = 5 if autograd.utils.fast_mode() else 19  # grid points per axis by default (see the module's notes)


def _array(v: Any) -> np.ndarray:
    return v.numpy() if isinstance(v, Tensor) else np.asarray(v)


# ---- directions ---------------------------------------------------------------------------------------------------
def _normalize(d: np.ndarray, w: np.ndarray, normalization: str | None) -> np.ndarray:
    if normalization == "filter":  # row i of d (dimension 0 flattened) gets the norm of row i of w
        d2, w2 = d.reshape(len(d), -1), w.reshape(len(w), -1)
        dn, wn = np.linalg.norm(d2, axis=1), np.linalg.norm(w2, axis=1)
        d2 *= np.divide(wn, dn, out=np.zeros_like(wn), where=dn > 0)[:, None]
    elif normalization == "layer":
        dn = np.linalg.norm(d)
        d *= np.linalg.norm(w) / dn if dn > 0 else 0.0
    return d


def random_directions(model: Any, dims: int = 2, normalization: str | None = "filter",
                      seed: int = 0) -> list[dict[str, np.ndarray]]:
    """``dims`` random Gaussian directions (float64 arrays by parameter name), normalised as ``loss_landscape``
    describes; zero for parameters with ndim <= 1."""
    if normalization not in NORMALIZATIONS:
        raise ValueError(f"normalization must be 'filter', 'layer' or None, got {normalization!r}")
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(dims):
        d = {}
        for name, p in model.named_parameters():
            w = p.numpy()
            d[name] = (np.zeros(w.shape) if w.ndim <= 1 else
                       _normalize(rng.standard_normal(w.shape), w.astype(np.float64), normalization))
        out.append(d)
    return out


def _flat(state: Mapping[str, Any], shapes: Mapping[str, tuple], where: str) -> np.ndarray:
    parts = []
    for name, shape in shapes.items():
        if name not in state:
            raise ValueError(f"{where} has no entry for the model's parameter {name!r}")
        a = _array(state[name])
        if a.shape != shape:
            raise ValueError(f"{where}[{name!r}] has shape {a.shape}; the model's parameter has {shape}")
        parts.append(a.astype(np.float64, copy=False).ravel())
    return np.concatenate(parts) if parts else np.zeros(0)


def _unflat(v: np.ndarray, shapes: Mapping[str, tuple]) -> dict[str, np.ndarray]:
    out, at = {}, 0
    for name, shape in shapes.items():
        n = int(np.prod(shape, dtype=np.int64))
        out[name] = v[at:at + n].reshape(shape).copy()
        at += n
    return out


def _shapes(model: Any) -> dict[str, tuple]:
    return {name: tuple(p.shape) for name, p in model.named_parameters()}


def pca_directions(model: Any, trajectory: Sequence[Mapping[str, Any]],
                   dims: int = 2) -> tuple[list[dict[str, np.ndarray]], np.ndarray]:
    """The top ``dims`` principal directions (unit vectors over all parameters) of the trajectory's differences
    from its final point, and their explained-variance ratios (uncentred: see the module's notes). The first point
    (the start of training) lies at coordinates <= 0 along each."""
    if trajectory is None or len(trajectory) < dims + 1:
        got = "none" if trajectory is None else f"{len(trajectory)} point(s)"
        raise ValueError(f"trajectory: directions='pca' needs a trajectory of at least dims + 1 = {dims + 1} state "
                         f"dicts, got {got}")
    shapes = _shapes(model)
    final = _flat(trajectory[-1], shapes, f"trajectory[{len(trajectory) - 1}]")
    m = np.stack([_flat(sd, shapes, f"trajectory[{t}]") - final for t, sd in enumerate(trajectory)])
    _, s, vt = np.linalg.svd(m, full_matrices=False)
    var = s ** 2
    if var.sum() == 0:
        raise ValueError("trajectory: every point equals the final one (saved state_dict() views instead of copies?)")
    comps = vt[:dims] * np.where(m[0] @ vt[:dims].T > 0, -1.0, 1.0)[:, None]
    return [_unflat(c, shapes) for c in comps], var[:dims] / var.sum()


def _given(model: Any, directions: Sequence[Mapping[str, Any]], dims: int) -> list[dict[str, np.ndarray]]:
    if isinstance(directions, Mapping) or len(directions) != dims or not all(isinstance(d, Mapping)
                                                                             for d in directions):
        got = "one dict" if isinstance(directions, Mapping) else f"{len(directions)} item(s)"
        raise ValueError(f"directions: expected None, 'pca' or a list of dims = {dims} direction dicts "
                         f"(parameter name -> array), got {got}")
    shapes = _shapes(model)
    out = []
    for k, d in enumerate(directions):
        unknown = set(d) - set(shapes)
        if unknown:
            raise ValueError(f"directions[{k}] names no parameter of the model: {sorted(unknown)}")
        out.append(_unflat(_flat({**{n: np.zeros(s) for n, s in shapes.items()}, **d}, shapes, f"directions[{k}]"),
                           shapes))
    return out


# ---- evaluation ---------------------------------------------------------------------------------------------------
def _scalar(v: Any) -> float:
    a = _array(v)
    if a.size != 1:
        raise ValueError(f"loss_fn must return a scalar loss, got an array of shape {a.shape}")
    return float(a.reshape(()))


def _evaluator(model: Any, loss_fn: Callable, data: Any) -> Callable[[], float]:
    from autograd.utils.data import DataLoader

    def tensor(v: Any) -> Any:
        return autograd.as_tensor(v) if isinstance(v, (np.ndarray, list)) else v

    if isinstance(data, DataLoader):
        def over_batches() -> float:
            total, count = 0.0, 0
            for batch in data:
                x, y = tensor(batch[0]), tensor(batch[1])
                n = int(x.shape[0])
                total += _scalar(loss_fn(model(x), y)) * n
                count += n
            if not count:
                raise ValueError("data: the DataLoader yielded no samples")
            return total / count
        return over_batches
    if not isinstance(data, (tuple, list)) or len(data) != 2:
        raise ValueError(f"data: expected (X, y) or an autograd.utils.data.DataLoader, got {type(data).__name__}")
    x, y = tensor(data[0]), tensor(data[1])
    return lambda: _scalar(loss_fn(model(x), y))


class _Snapshot:
    """Bitwise copies of every parameter and buffer and every module's mode; ``restore()`` writes them back into
    the same arrays."""

    def __init__(self, model: Any) -> None:
        self.modes = [(m, m.training) for m in model.modules()]
        self.tensors = [(t, t.numpy(), t.numpy().copy()) for t in (*model.parameters(), *model.buffers())]

    def restore(self, modes: bool = True) -> None:
        for t, arr, saved in self.tensors:
            arr[...] = saved
            if t.numpy() is not arr:  # something swapped the array: put the original back
                t.data = arr
        if modes:
            for m, mode in self.modes:
                m.__dict__["training"] = mode  # as Module.train does, module by module


def _check(dims: Any, steps: Any, span: Any, normalization: Any, directions: Any, trajectory: Any) -> None:
    if isinstance(dims, bool) or dims not in (1, 2):
        raise ValueError(f"dims must be 1 or 2, got {dims!r}")
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 2:
        raise ValueError(f"steps must be an int >= 2 (grid points along each axis), got {steps!r}")
    auto = isinstance(span, str) and span == "auto"
    if auto and trajectory is None:
        raise ValueError("span='auto' sizes the grid to hold the trajectory: pass trajectory= (or a number)")
    if not auto and (not isinstance(span, (int, float, np.number)) or not np.isfinite(span) or span <= 0):
        raise ValueError(f"span must be a finite number > 0 (the grid runs over [-span, span]) or 'auto', got "
                         f"{span!r}")
    if normalization not in NORMALIZATIONS:
        raise ValueError(f"normalization must be 'filter', 'layer' or None, got {normalization!r}")
    if isinstance(directions, str) and directions != "pca":
        raise ValueError(f"directions must be None, 'pca' or a list of direction dicts, got {directions!r}")
    if trajectory is not None and (isinstance(trajectory, (Mapping, str)) or not hasattr(trajectory, "__len__")):
        raise ValueError(f"trajectory: expected a list of state dicts, got {type(trajectory).__name__}")


def loss_landscape(model: Any, loss_fn: Callable, data: Any, *, dims: int = 2, steps: int = STEPS,
                   span: float | str = 1.0, normalization: str | None = "filter", directions: Any = None,
                   trajectory: Sequence[Mapping[str, Any]] | None = None, seed: int = 0) -> Landscape:
    """The loss of ``model`` on ``data`` over a ``steps``-point line (``dims=1``) or ``steps`` x ``steps`` grid
    (``dims=2``) through its current weights, with coordinates in [-span, span]: see the module's notes."""
    _check(dims, steps, span, normalization, directions, trajectory)
    evaluate = _evaluator(model, loss_fn, data)
    explained = None
    if directions is None:
        dirs, kind = random_directions(model, dims, normalization, seed), "random"
    elif isinstance(directions, str):
        (dirs, explained), kind = pca_directions(model, trajectory, dims), "pca"
    else:
        dirs, kind = _given(model, directions, dims), "given"
    params = list(model.named_parameters())
    shapes = _shapes(model)
    arrays = [p.numpy() for _, p in params]
    base = [a.astype(np.float64) for a in arrays]
    w0 = np.concatenate([b.ravel() for b in base]) if base else np.zeros(0)
    if kind == "pca":
        gap = float(np.max(np.abs(_flat(trajectory[-1], shapes, "trajectory[-1]") - w0), initial=0.0))
        if gap > 0:
            warnings.warn(f"loss_landscape: the model's weights differ from the trajectory's final point (by up to "
                          f"{gap:.3g}); the grid is centred on the model's weights", stacklevel=2)
    coords = traj_res = None
    if trajectory is not None:
        coords, traj_res = _project(trajectory, dirs, shapes, w0)
    if isinstance(span, str):  # "auto" (checked: a trajectory was given): hold it
        reach = float(np.abs(coords).max()) if coords is not None else 0.0
        span = 1.2 * reach if reach > 0 else 1.0
    grid = np.linspace(-span, span, steps)
    grid = (grid - grid[::-1]) / 2  # exactly symmetric: 0.0 at the centre of an odd grid, so it equals the origin
    vecs = [[d[name] for name, _ in params] for d in dirs]
    active = [k for k in range(len(arrays)) if any(v[k].any() for v in vecs)]
    losses = np.empty((steps,) * dims)
    traj_losses = None if trajectory is None else np.empty(len(trajectory))
    snapshot = _Snapshot(model)
    try:
        model.eval()
        with autograd.no_grad(), progress(1 + losses.size + len(trajectory or ()), "loss landscape") as bar:
            origin = evaluate()
            bar.update(1)
            for idx in np.ndindex(losses.shape):
                for k in active:
                    w = base[k] + grid[idx[0]] * vecs[0][k]
                    if dims == 2:
                        w += grid[idx[1]] * vecs[1][k]
                    arrays[k][...] = w
                losses[idx] = evaluate()
                bar.update(1)
            if trajectory is not None:
                snapshot.restore(modes=False)  # a point saved as views of the model's arrays reads the original
                buffers = dict(model.named_buffers())
                for t, state in enumerate(trajectory):
                    for (name, _), arr in zip(params, arrays):
                        arr[...] = _array(state[name])
                    for name, b in buffers.items():
                        if name in state:
                            b.numpy()[...] = _array(state[name])
                    traj_losses[t] = evaluate()
                    bar.update(1)
    finally:
        snapshot.restore()
    return Landscape(losses=losses, alphas=grid.copy(), betas=grid.copy() if dims == 2 else None, origin_loss=origin,
                     dims=dims, span=float(span), normalization=normalization if kind == "random" else None,
                     directions=kind, explained_variance=explained, trajectory_coords=coords,
                     trajectory_losses=traj_losses, trajectory_residuals=traj_res)


def _project(trajectory: Sequence[Mapping[str, Any]], dirs: list[dict[str, np.ndarray]],
             shapes: Mapping[str, tuple], w0: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Least-squares coordinates of each w_t − w₀ on the directions and the relative distance from their span."""
    if not len(trajectory):
        raise ValueError("trajectory: expected a non-empty list of state dicts")
    d = np.stack([np.concatenate([v[n].ravel() for n in shapes]) if shapes else np.zeros(0) for v in dirs], axis=1)
    pinv = np.linalg.pinv(d)
    coords, residuals = np.empty((len(trajectory), d.shape[1])), np.empty(len(trajectory))
    for t, state in enumerate(trajectory):
        diff = _flat(state, shapes, f"trajectory[{t}]") - w0
        coords[t] = pinv @ diff
        size = np.linalg.norm(diff)
        residuals[t] = np.linalg.norm(diff - d @ coords[t]) / size if size > 0 else 0.0
    return coords, residuals
