"""Resampling and rearranging layers with PyTorch's semantics: ``interpolate``, ``pixel_shuffle``,
channel-wise dropout.

NOTE: nearest and (bi)linear interpolation are linear and separable, so each is one small constant
matrix per spatial axis (``x @ Mwᵀ`` then ``Mh @ x``): its gradient is the transposed matrix, with no
new primitive. The matrices follow PyTorch's index arithmetic (float32 scales for 'nearest').
"""
from __future__ import annotations

import math
from typing import Sequence

import numpy as np

import autograd
from autograd import Tensor, as_tensor

__all__ = ["interpolate", "upsample", "upsample_nearest", "upsample_bilinear", "pixel_shuffle", "pixel_unshuffle",
           "dropout1d", "dropout2d"]

_MODES = ("nearest", "nearest-exact", "linear", "bilinear")


def _nearest_matrix(n_in: int, n_out: int, scale: float | None, exact: bool) -> np.ndarray:
    """Row i picks input min(floor(i·scale), n_in-1) ('nearest-exact': floor((i+½)·scale))."""
    sc = np.float32(1.0 / scale if scale is not None and scale > 0 else n_in / n_out)
    dst = np.arange(n_out, dtype=np.float32)
    if not exact and n_out == 2 * n_in:
        src = np.arange(n_out) >> 1
    else:
        src = np.floor((dst + np.float32(0.5) if exact else dst) * sc).astype(np.int64)
    m = np.zeros((n_out, n_in))
    m[np.arange(n_out), np.minimum(src, n_in - 1)] = 1.0
    return m


def _linear_matrix(n_in: int, n_out: int, scale: float | None, align_corners: bool, dtype) -> np.ndarray:
    """Row i mixes the two inputs around PyTorch's source coordinate of output i."""
    acc = np.float64 if dtype == np.float64 else np.float32
    dst = np.arange(n_out, dtype=acc)
    if align_corners:
        src = dst * acc((n_in - 1) / (n_out - 1)) if n_out > 1 else np.zeros(n_out, dtype=acc)
    else:
        sc = acc(1.0 / scale if scale is not None and scale > 0 else n_in / n_out)
        src = np.maximum((dst + acc(0.5)) * sc - acc(0.5), acc(0))
    i0 = np.minimum(src.astype(np.int64), n_in - 1)
    i1 = i0 + (i0 < n_in - 1)
    lam1 = src - i0
    m = np.zeros((n_out, n_in))
    rows = np.arange(n_out)
    np.add.at(m, (rows, i0), 1 - lam1)
    np.add.at(m, (rows, i1), lam1)
    return m


def _sizes(x: Tensor, size, scale_factor, recompute: bool | None, op: str) -> tuple[list[int], list[float | None]]:
    dims = x.ndim - 2
    if (size is None) == (scale_factor is None):
        raise ValueError(f"{op}: give exactly one of size and scale_factor")
    if size is not None:
        out = [int(size)] * dims if isinstance(size, (int, np.integer)) else [int(v) for v in size]
        if len(out) != dims:
            raise ValueError(f"{op}: size {size!r} must have {dims} entries for an input of shape {tuple(x.shape)}")
        if min(out) < 1:
            raise ValueError(f"{op}: size must be positive, got {size!r}")
        return out, [None] * dims
    sf = [float(scale_factor)] * dims if isinstance(scale_factor, (int, float)) else [float(v) for v in scale_factor]
    if len(sf) != dims:
        raise ValueError(f"{op}: scale_factor {scale_factor!r} must have {dims} entries for an input of shape "
                         f"{tuple(x.shape)}")
    out = [math.floor(float(n) * f) for n, f in zip(x.shape[2:], sf)]
    if min(out) < 1:
        raise ValueError(f"{op}: scale_factor {scale_factor!r} gives an empty output {out}")
    scales: list[float | None] = [None] * dims if recompute else list(sf)
    return out, scales


def interpolate(x: Tensor, size: int | Sequence[int] | None = None, scale_factor: float | Sequence[float] | None = None,
                mode: str = "nearest", align_corners: bool | None = None,
                recompute_scale_factor: bool | None = None, antialias: bool = False) -> Tensor:
    """``torch.nn.functional.interpolate`` for modes 'nearest', 'nearest-exact' (3-D or 4-D input),
    'linear' (3-D) and 'bilinear' (4-D)."""
    op = "interpolate"
    x = as_tensor(x)
    if mode not in _MODES:
        raise ValueError(f"{op}: mode {mode!r} is not supported; use one of {_MODES}")
    want = {"linear": (3,), "bilinear": (4,)}.get(mode, (3, 4))
    if x.ndim not in want:
        raise ValueError(f"{op}: mode {mode!r} expects a {' or '.join(f'{d}-D' for d in want)} input (batch, "
                         f"channels, {'length' if want == (3,) else 'height, width'}), got shape {tuple(x.shape)}")
    if antialias:
        raise ValueError(f"{op}: antialias=True is not supported")
    linear = mode in ("linear", "bilinear")
    if align_corners is not None and not linear:
        raise ValueError(f"{op}: align_corners option can only be set with the interpolating modes: linear | "
                         f"bilinear (got mode {mode!r})")
    out, scales = _sizes(x, size, scale_factor, recompute_scale_factor, op)
    y = x
    for axis, (n_in, n_out, sc) in enumerate(zip(x.shape[2:], out, scales), start=2):
        if n_in == n_out and mode != "nearest-exact":   # PyTorch copies an axis whose size is unchanged
            continue
        if linear:
            m = _linear_matrix(n_in, n_out, sc, bool(align_corners), x.dtype)
        else:
            m = _nearest_matrix(n_in, n_out, sc, mode == "nearest-exact")
        m = m.astype(x.dtype if x.dtype.kind == "f" else np.float32)
        y = y @ m.T if axis == x.ndim - 1 else Tensor(m) @ y
    return y


def upsample(x: Tensor, size=None, scale_factor=None, mode: str = "nearest",
             align_corners: bool | None = None) -> Tensor:
    """Deprecated in PyTorch: ``interpolate``."""
    return interpolate(x, size, scale_factor, mode, align_corners)


def upsample_nearest(x: Tensor, size=None, scale_factor=None) -> Tensor:
    """Deprecated in PyTorch: ``interpolate(mode='nearest')``."""
    return interpolate(x, size, scale_factor, "nearest")


def upsample_bilinear(x: Tensor, size=None, scale_factor=None) -> Tensor:
    """Deprecated in PyTorch: ``interpolate(mode='bilinear', align_corners=True)``."""
    return interpolate(x, size, scale_factor, "bilinear", align_corners=True)


def pixel_shuffle(x: Tensor, upscale_factor: int) -> Tensor:
    """``(*, C·r², H, W)`` -> ``(*, C, H·r, W·r)``."""
    x, r = as_tensor(x), int(upscale_factor)
    if x.ndim < 3 or r < 1 or x.shape[-3] % (r * r):
        raise ValueError(f"pixel_shuffle: expects (*, C*r^2, H, W) with r={upscale_factor}, got shape "
                         f"{tuple(x.shape)}")
    *lead, c, h, w = x.shape
    y = x.reshape(*lead, c // (r * r), r, r, h, w)
    k = len(lead)
    y = y.permute(*range(k), k, k + 3, k + 1, k + 4, k + 2)
    return y.reshape(*lead, c // (r * r), h * r, w * r)


def pixel_unshuffle(x: Tensor, downscale_factor: int) -> Tensor:
    """``(*, C, H·r, W·r)`` -> ``(*, C·r², H, W)``, the inverse of ``pixel_shuffle``."""
    x, r = as_tensor(x), int(downscale_factor)
    if x.ndim < 3 or r < 1 or x.shape[-2] % r or x.shape[-1] % r:
        raise ValueError(f"pixel_unshuffle: expects (*, C, H*r, W*r) with r={downscale_factor}, got shape "
                         f"{tuple(x.shape)}")
    *lead, c, h, w = x.shape
    k = len(lead)
    y = x.reshape(*lead, c, h // r, r, w // r, r)
    y = y.permute(*range(k), k, k + 2, k + 4, k + 1, k + 3)
    return y.reshape(*lead, c * r * r, h // r, w // r)


def _channel_dropout(x: Tensor, p: float, training: bool, batched_ndim: int, op: str) -> Tensor:
    """Zero whole channels with probability ``p`` (one draw per (sample, channel)), scale the rest by 1/(1-p)."""
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"{op}: p must be a probability in [0, 1], got {p}")
    x = as_tensor(x)
    if x.ndim not in (batched_ndim, batched_ndim - 1):
        raise ValueError(f"{op}: expects a {batched_ndim}-D input (batch, channels, ...) or {batched_ndim - 1}-D "
                         f"unbatched, got shape {tuple(x.shape)}")
    if not training or p == 0.0:
        return x
    lead = x.ndim - (batched_ndim - 2)
    shape = tuple(x.shape[:lead]) + (1,) * (x.ndim - lead)
    if p == 1.0:
        return x * np.zeros((), dtype=x.dtype)
    dt = x.dtype if x.dtype.kind == "f" else np.float32
    keep = autograd.default_generator().random(shape, dtype=np.float32 if dt == np.float32 else np.float64) >= p
    return x * np.multiply(keep, 1.0 / (1.0 - p), dtype=dt)


def dropout1d(x: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Channel-wise dropout of ``(N, C, L)`` (or ``(C, L)``); ``inplace`` accepted, result always new."""
    return _channel_dropout(x, p, training, 3, "dropout1d")


def dropout2d(x: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Channel-wise dropout of ``(N, C, H, W)`` (or ``(C, H, W)``); ``inplace`` accepted, result always new."""
    return _channel_dropout(x, p, training, 4, "dropout2d")
