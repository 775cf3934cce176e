"""Transposed convolution and the 1-D convolutions and pools, with PyTorch's semantics.

``conv_transpose2d`` is the adjoint of ``conv2d``, composed from the engine's primitives: one matmul
``wᵀ·x`` (per group) makes the columns, and ``Fold`` (col2im) scatters them into the output. The 1-D
layers are the 2-D ones on ``(N, C, 1, L)``.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from autograd import Tensor, as_tensor
from autograd.ops.conv import Fold, pair

from .conv import adaptive_avg_pool2d, avg_pool2d, conv2d, max_pool2d

__all__ = ["conv_transpose2d", "conv1d", "conv_transpose1d", "max_pool1d", "avg_pool1d", "adaptive_avg_pool1d",
           "adaptive_max_pool1d", "adaptive_max_pool2d"]

IntPair = int | Sequence[int]
Int1 = int | Sequence[int]   # PyTorch's 1-D layers store (k,) tuples


def _batched(x, ndim: int, op: str, layout: str) -> tuple[Tensor, bool]:
    """``x`` with a batch dimension (PyTorch accepts unbatched input), and whether one was added."""
    x = as_tensor(x)
    if x.ndim == ndim - 1:
        return x.unsqueeze(0), True
    if x.ndim != ndim:
        raise ValueError(f"{op}: expects a {ndim}-D {layout} input (or {ndim - 1}-D unbatched), got shape "
                         f"{tuple(x.shape)}")
    return x, False


def _one(v, name: str, op: str) -> int:
    t = v if isinstance(v, (int, np.integer)) else (tuple(v)[0] if len(tuple(v)) == 1 else None)
    if not isinstance(t, (int, np.integer)):
        raise ValueError(f"{op}: {name} must be an int or a 1-tuple of ints, got {v!r}")
    return int(t)


def transposed_size(n: int, k: int, s: int, p: int, op_: int, d: int) -> int:
    """Output length of a transposed convolution: (n-1)·s - 2p + d(k-1) + output_padding + 1."""
    return (n - 1) * s - 2 * p + d * (k - 1) + op_ + 1


def conv_transpose2d(x: Tensor, weight: Tensor, bias: Tensor | None = None, stride: IntPair = 1,
                     padding: IntPair = 0, output_padding: IntPair = 0, groups: int = 1,
                     dilation: IntPair = 1) -> Tensor:
    """``torch.nn.functional.conv_transpose2d``: weight ``(C_in, C_out/groups, kh, kw)``, the adjoint of conv2d."""
    op = "conv_transpose2d"
    x, unbatched = _batched(x, 4, op, "NCHW")
    weight = as_tensor(weight)
    if weight.ndim != 4:
        raise ValueError(f"{op}: weight must be 4-D (in_channels, out_channels/groups, kh, kw), got "
                         f"{tuple(weight.shape)}")
    n, c, h, w = x.shape
    ci, og, kh, kw = weight.shape
    if not isinstance(groups, (int, np.integer)) or groups < 1 or c % groups:
        raise ValueError(f"{op}: groups={groups} must be a positive int dividing the input channels ({c})")
    if ci != c:
        raise ValueError(f"{op}: the input has {c} channels but the weight {tuple(weight.shape)} expects {ci} "
                         "(weight is (in_channels, out_channels/groups, kh, kw))")
    s, p, d = pair(stride, "stride", op), pair(padding, "padding", op), pair(dilation, "dilation", op)
    opad, k = pair(output_padding, "output_padding", op), (kh, kw)
    if min(s) < 1 or min(d) < 1 or min(p) < 0 or min(opad) < 0:
        raise ValueError(f"{op}: stride {s} and dilation {d} must be positive, padding {p} and output_padding "
                         f"{opad} non-negative")
    if any(o >= max(ss, dd) for o, ss, dd in zip(opad, s, d)):
        raise ValueError(f"{op}: output_padding {opad} must be smaller than either stride {s} or dilation {d}")
    out = tuple(transposed_size(*a) for a in zip((h, w), k, s, p, opad, d))
    if min(out) < 1:
        raise ValueError(f"{op}: input of spatial size {(h, w)} gives an empty output {out} (padding {p})")
    g, cg, o = int(groups), c // groups, og * groups
    # columns (N, O*kh*kw, H*W): per group the weight's transpose times the input.
    # NOTE: the batch joins the columns, (g, cg, N*H*W), so forward and both gradients are one GEMM per
    # group (per-sample products would make the weight's gradient N products and an N-fold temporary).
    wt = weight.reshape(g, cg, og * kh * kw).swapaxes(-1, -2)
    xs = x.reshape(n, g, cg, h * w).permute(1, 2, 0, 3).reshape(g, cg, n * h * w)
    cols = (wt @ xs).reshape(g, og * kh * kw, n, h * w).permute(2, 0, 1, 3).reshape(n, o * kh * kw, h * w)
    if all(oo < ss for oo, ss in zip(opad, s)):   # Fold's window count is exactly (H, W): it pads and crops
        y = Fold.apply(cols, output_size=out, kernel_size=k, stride=s, padding=p, dilation=d)
    else:   # output_padding >= stride (a dilated kernel): fold the uncropped output, then pad and crop
        full = tuple(transposed_size(nn_, kk, ss, 0, 0, dd) for nn_, kk, ss, dd in zip((h, w), k, s, d))
        y = Fold.apply(cols, output_size=full, kernel_size=k, stride=s, dilation=d)
        extra = [max(0, pp + oo - ff) for pp, oo, ff in zip(p, out, full)]
        if max(extra):
            y = y.pad([(0, 0), (0, 0), (0, extra[0]), (0, extra[1])])
        y = y[:, :, p[0]:p[0] + out[0], p[1]:p[1] + out[1]]
    if bias is not None:
        y = y + as_tensor(bias).reshape(1, o, 1, 1)
    return y.squeeze(0) if unbatched else y


def conv1d(x: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Int1 = 1, padding: Int1 | str = 0,
           dilation: Int1 = 1, groups: int = 1) -> Tensor:
    """``torch.nn.functional.conv1d`` on ``(N, C, L)``: weight ``(O, C/groups, k)``; conv2d over ``(N, C, 1, L)``."""
    op = "conv1d"
    x, unbatched = _batched(x, 3, op, "(batch, channels, length)")
    weight = as_tensor(weight)
    if weight.ndim != 3:
        raise ValueError(f"{op}: weight must be 3-D (out_channels, in_channels/groups, k), got {tuple(weight.shape)}")
    pad: Any = padding if isinstance(padding, str) else (0, _one(padding, "padding", op))   # "same"/"valid"
    y = conv2d(x.unsqueeze(2), weight.unsqueeze(2), bias, (1, _one(stride, "stride", op)), pad,
               (1, _one(dilation, "dilation", op)), groups).squeeze(2)
    return y.squeeze(0) if unbatched else y


def conv_transpose1d(x: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Int1 = 1, padding: Int1 = 0,
                     output_padding: Int1 = 0, groups: int = 1, dilation: Int1 = 1) -> Tensor:
    """``torch.nn.functional.conv_transpose1d``: weight ``(C_in, C_out/groups, k)``."""
    op = "conv_transpose1d"
    x, unbatched = _batched(x, 3, op, "(batch, channels, length)")
    weight = as_tensor(weight)
    if weight.ndim != 3:
        raise ValueError(f"{op}: weight must be 3-D (in_channels, out_channels/groups, k), got "
                         f"{tuple(weight.shape)}")
    one = [(1, _one(v, name, op)) for v, name in ((stride, "stride"), (output_padding, "output_padding"),
                                                     (dilation, "dilation"))]
    y = conv_transpose2d(x.unsqueeze(2), weight.unsqueeze(2), bias, one[0], (0, _one(padding, "padding", op)),
                         (0, one[1][1]), groups, one[2]).squeeze(2)
    return y.squeeze(0) if unbatched else y


def _pool1d(fn, x, op: str, kernel_size, stride, padding, *rest) -> Tensor:
    x, unbatched = _batched(x, 3, op, "(batch, channels, length)")
    k = _one(kernel_size, "kernel_size", op)
    s = k if stride is None or stride == () else _one(stride, "stride", op)
    y = fn(x.unsqueeze(2), (1, k), (1, s), (0, _one(padding, "padding", op)), *rest).squeeze(2)
    return y.squeeze(0) if unbatched else y


def _no_extras(op: str, dilation=1, ceil_mode: bool = False, return_indices: bool = False) -> None:
    if _one(dilation, "dilation", op) != 1 or ceil_mode or return_indices:
        raise ValueError(f"{op}: dilation != 1, ceil_mode=True and return_indices=True are not supported")


def max_pool1d(x: Tensor, kernel_size: Int1, stride: Int1 | None = None, padding: Int1 = 0, dilation: Int1 = 1,
               ceil_mode: bool = False, return_indices: bool = False) -> Tensor:
    """Max over each window of ``(N, C, L)``. NOTE: a tie shares the gradient evenly; PyTorch picks one."""
    _no_extras("max_pool1d", dilation, ceil_mode, return_indices)
    return _pool1d(max_pool2d, x, "max_pool1d", kernel_size, stride, padding)


def avg_pool1d(x: Tensor, kernel_size: Int1, stride: Int1 | None = None, padding: Int1 = 0, ceil_mode: bool = False,
               count_include_pad: bool = True) -> Tensor:
    """Mean over each window of ``(N, C, L)``."""
    _no_extras("avg_pool1d", 1, ceil_mode)
    return _pool1d(avg_pool2d, x, "avg_pool1d", kernel_size, stride, padding, count_include_pad)


def adaptive_avg_pool1d(x: Tensor, output_size: Int1) -> Tensor:
    """Average pooling of ``(N, C, L)`` to length ``output_size`` (PyTorch's windows)."""
    x, unbatched = _batched(x, 3, "adaptive_avg_pool1d", "(batch, channels, length)")
    y = adaptive_avg_pool2d(x.unsqueeze(2), (1, _one(output_size, "output_size", "adaptive_avg_pool1d"))).squeeze(2)
    return y.squeeze(0) if unbatched else y


def _bounds(n_in: int, n_out: int) -> list[tuple[int, int]]:
    """PyTorch's adaptive windows: [floor(i·n/m), ceil((i+1)·n/m))."""
    return [((i * n_in) // n_out, -((-(i + 1) * n_in) // n_out)) for i in range(n_out)]


def adaptive_max_pool2d(x: Tensor, output_size: int | Sequence[int | None], return_indices: bool = False) -> Tensor:
    """Max pooling to a fixed output size (PyTorch's windows); ``None`` keeps a dimension.

    NOTE: windows of unequal size are taken one output cell at a time (small outputs, the usual case);
    a tie shares the gradient evenly where PyTorch picks one.
    """
    op = "adaptive_max_pool2d"
    if return_indices:
        raise ValueError(f"{op}: return_indices=True is not supported")
    x, unbatched = _batched(x, 4, op, "NCHW")
    h, w = x.shape[2:]
    size = (output_size, output_size) if output_size is None or isinstance(output_size, int) else tuple(output_size)
    oh, ow = (h if size[0] is None else int(size[0])), (w if size[1] is None else int(size[1]))
    if oh < 1 or ow < 1:
        raise ValueError(f"{op}: output_size must be positive, got {output_size!r}")
    if h % oh == 0 and w % ow == 0:
        y = max_pool2d(x, (h // oh, w // ow))
    else:
        rows = [x[:, :, a:b].amax(dim=2, keepdim=True) for a, b in _bounds(h, oh)]
        cols = [[r[:, :, :, a:b].amax(dim=3, keepdim=True) for a, b in _bounds(w, ow)] for r in rows]
        from autograd import cat
        y = cat([cat(c, dim=3) for c in cols], dim=2)
    return y.squeeze(0) if unbatched else y


def adaptive_max_pool1d(x: Tensor, output_size: Int1, return_indices: bool = False) -> Tensor:
    """Max pooling of ``(N, C, L)`` to length ``output_size``."""
    x, unbatched = _batched(x, 3, "adaptive_max_pool1d", "(batch, channels, length)")
    y = adaptive_max_pool2d(x.unsqueeze(2), (1, _one(output_size, "output_size", "adaptive_max_pool1d")),
                            return_indices).squeeze(2)
    return y.squeeze(0) if unbatched else y
