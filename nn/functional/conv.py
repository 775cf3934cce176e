"""Convolution, pooling and padding on NCHW tensors, with PyTorch's semantics.

A convolution is the engine's ``Conv2d`` primitive (one im2col and one matrix product, batched
over groups) plus a bias add; a pooling is one ``Unfold`` (im2col) and a reduction over the window axis.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from autograd import Tensor, as_tensor
from autograd.ops import conv as C
from autograd.ops.conv import Fold, Unfold, geometry, pair

__all__ = ["conv2d", "max_pool2d", "avg_pool2d", "adaptive_avg_pool2d", "pad", "unfold", "fold"]

IntPair = int | tuple[int, int]


def unfold(x: Tensor, kernel_size: IntPair, dilation: IntPair = 1, padding: IntPair = 0,
           stride: IntPair = 1) -> Tensor:
    """Sliding windows as columns, ``(N, C, H, W)`` -> ``(N, C*kh*kw, L)`` (PyTorch's ``F.unfold``)."""
    return Unfold.apply(x, kernel_size=kernel_size, stride=stride, padding=padding, dilation=dilation)


def fold(cols: Tensor, output_size: IntPair, kernel_size: IntPair, dilation: IntPair = 1, padding: IntPair = 0,
         stride: IntPair = 1) -> Tensor:
    """Columns back to an image, overlaps summed (PyTorch's ``F.fold``, the adjoint of ``unfold``)."""
    return Fold.apply(cols, output_size=output_size, kernel_size=kernel_size, stride=stride, padding=padding,
                      dilation=dilation)


def _nchw(x, op: str) -> Tensor:
    x = as_tensor(x)
    if x.ndim != 4:
        raise ValueError(f"{op}: expects a 4-D NCHW input (batch, channels, height, width), got shape {x.shape}"
                         + (" (add a batch dimension with x.unsqueeze(0))" if x.ndim == 3 else ""))
    return x


def conv2d(x: Tensor, weight: Tensor, bias: Tensor | None = None, stride: IntPair = 1, padding: IntPair = 0,
           dilation: IntPair = 1, groups: int = 1) -> Tensor:
    """2-D cross-correlation like ``torch.nn.functional.conv2d``: weight ``(O, C/groups, kh, kw)``."""
    x = _nchw(x, "conv2d")
    weight = as_tensor(weight)
    if weight.ndim != 4:
        raise ValueError(f"conv2d: weight must be 4-D (out_channels, in_channels/groups, kh, kw), got {weight.shape}")
    c = x.shape[1]
    o, cg, kh, kw = weight.shape
    if groups < 1 or c % groups or o % groups:
        raise ValueError(f"conv2d: groups={groups} must divide both the input channels ({c}) and the output "
                         f"channels ({o})")
    if cg * groups != c:
        raise ValueError(f"conv2d: the input has {c} channels but the weight {weight.shape} expects "
                         f"{cg * groups} (in_channels/groups={cg} x groups={groups})")
    if isinstance(padding, str):
        padding = _same_padding(padding, (kh, kw), dilation, stride)
    out = C.Conv2d.apply(x, weight, stride=stride, padding=padding, dilation=dilation, groups=groups)
    if bias is not None:
        out = out + as_tensor(bias).reshape(1, o, 1, 1)
    return out


def _same_padding(mode: str, k: tuple, dilation, stride) -> tuple[int, int]:
    if mode == "valid":
        return (0, 0)
    d = pair(dilation, "dilation", "conv2d")
    total = [dd * (kk - 1) for dd, kk in zip(d, k)]
    if mode != "same" or pair(stride, "stride", "conv2d") != (1, 1) or any(t % 2 for t in total):
        raise ValueError(f"conv2d: padding={mode!r} is supported as 'valid', or as 'same' with stride 1 and an "
                         "odd (dilated) kernel")
    return total[0] // 2, total[1] // 2


def _windows(x: Tensor, op: str, kernel_size, stride, padding, value: float):
    """(N, C, kh*kw, OH, OW)-shaped windows, and the output's spatial size."""
    x = _nchw(x, op)
    stride = kernel_size if stride is None or stride == () else stride
    k, s, p, d, out = geometry(x.shape, kernel_size, stride, padding, 1, op)
    if p[0] * 2 > k[0] or p[1] * 2 > k[1]:
        raise ValueError(f"{op}: padding {p} should be at most half the kernel size {k}")
    n, c = x.shape[:2]
    cols = Unfold.apply(x, kernel_size=k, stride=s, padding=p, value=value)
    return cols.reshape(n, c, k[0] * k[1], out[0], out[1]), (k, s, p, out)


def max_pool2d(x: Tensor, kernel_size: IntPair, stride: IntPair | None = None, padding: IntPair = 0) -> Tensor:
    """Max over each window (padding is -inf). NOTE: a tie shares the gradient evenly; PyTorch picks one."""
    win, _ = _windows(x, "max_pool2d", kernel_size, stride, padding, -np.inf)
    return win.amax(dim=2)


def avg_pool2d(x: Tensor, kernel_size: IntPair, stride: IntPair | None = None, padding: IntPair = 0,
               count_include_pad: bool = True) -> Tensor:
    """Mean over each window; zero padding counts towards the mean unless ``count_include_pad=False``."""
    win, (k, s, p, out) = _windows(x, "avg_pool2d", kernel_size, stride, padding, 0.0)
    if count_include_pad or p == (0, 0):
        return win.mean(axis=2)
    ones = np.ones((1, 1) + tuple(as_tensor(x).shape[2:]), dtype=as_tensor(x).dtype)
    counts = C.unfold(ones, k, s, p, (1, 1), out).sum(axis=1).reshape(1, 1, *out)
    return win.sum(axis=2) / counts


def _adaptive_matrix(n_in: int, n_out: int, dtype) -> np.ndarray:
    """Row i averages inputs floor(i*n_in/n_out) .. ceil((i+1)*n_in/n_out) - 1, as PyTorch's adaptive pools."""
    m = np.zeros((n_out, n_in), dtype=dtype)
    for i in range(n_out):
        lo, hi = (i * n_in) // n_out, -((-(i + 1) * n_in) // n_out)
        m[i, lo:hi] = 1.0 / (hi - lo)
    return m


def adaptive_avg_pool2d(x: Tensor, output_size: IntPair) -> Tensor:
    """Average pooling to a fixed output size (PyTorch's windows, any sizes); ``None`` keeps a dimension."""
    x = _nchw(x, "adaptive_avg_pool2d")
    h, w = x.shape[2:]
    size = (output_size, output_size) if output_size is None or isinstance(output_size, int) else output_size
    oh, ow = (h if size[0] is None else int(size[0])), (w if size[1] is None else int(size[1]))
    if oh < 1 or ow < 1:
        raise ValueError(f"adaptive_avg_pool2d: output_size must be positive, got {output_size!r}")
    if (oh, ow) == (1, 1):
        return x.mean(axis=(2, 3), keepdims=True)
    if h % oh == 0 and w % ow == 0:
        return avg_pool2d(x, (h // oh, w // ow))
    # NOTE: the pool is separable and linear: rows then columns averaged by two small constant matrices.
    out = x if ow == w else x @ _adaptive_matrix(w, ow, x.dtype).T
    return out if oh == h else Tensor(_adaptive_matrix(h, oh, x.dtype)) @ out


def pad(x: Tensor, pad: Sequence[int], mode: str = "constant", value: float = 0.0) -> Tensor:
    """PyTorch's ``F.pad``: ``pad`` lists (before, after) pairs starting from the LAST dimension."""
    x = as_tensor(x)
    pad = tuple(int(p) for p in pad)
    if mode != "constant":
        raise ValueError(f"pad: only mode='constant' is supported, got {mode!r}")
    if len(pad) % 2 or len(pad) // 2 > x.ndim:
        raise ValueError(f"pad: needs an even number of widths, at most 2 per dimension ({2 * x.ndim} for shape "
                         f"{x.shape}), got {len(pad)}")
    if any(p < 0 for p in pad):
        raise ValueError(f"pad: negative widths (cropping) are not supported, got {pad}")
    widths = [(0, 0)] * x.ndim
    for i in range(len(pad) // 2):
        widths[x.ndim - 1 - i] = (pad[2 * i], pad[2 * i + 1])
    return x.pad(widths, value=value)
