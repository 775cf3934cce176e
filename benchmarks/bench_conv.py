"""ResNet basic block forward + backward on (32, 16, 32, 32) float32 with batch norm (training mode).

tracegrad's ``nn.ResidualBlock`` against the same block hand-written in NumPy with the same
algorithm ("numpy": im2col with ``as_strided``, one matmul per convolution, the input gradient as
a transposed convolution, batch norm by its closed-form backward: the limit an engine on NumPy can
reach), the classic hand-written version whose input gradient is col2im by k*k strided slice-adds
("numpy_col2im"), torch 2.x CPU at 2 threads, and MyGrad where installed. The contenders run
interleaved, round after round, so a busy machine slows them alike; each prints its median.

Run: .venv/bin/python benchmarks/bench_conv.py [--rounds N]
"""
from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
from numpy.lib.stride_tricks import as_strided

import autograd
import nn
from autograd import Tensor
from _timing import optional, report, torch_2_threads

N, C, H, W, EPS = 32, 16, 32, 32, 1e-5


# ---- the hand-written NumPy block --------------------------------------------------------------
def im2col(x):
    n, c, h, w = x.shape
    xp = np.zeros((n, c, h + 2, w + 2), x.dtype)
    xp[:, :, 1:-1, 1:-1] = x
    s = xp.strides
    v = as_strided(xp, (n, c, 3, 3, h, w), (s[0], s[1], s[2], s[3], s[2], s[3]))
    return np.ascontiguousarray(v).reshape(n, c * 9, h * w)


def col2im(cols, shape):
    n, c, h, w = shape
    c6 = cols.reshape(n, c, 3, 3, h, w)
    out = np.zeros((n, c, h + 2, w + 2), cols.dtype)
    for i in range(3):
        for j in range(3):
            out[:, :, i:i + h, j:j + w] += c6[:, :, i, j]
    return out[:, :, 1:-1, 1:-1]


def conv_forward(x, w):
    cols = im2col(x)
    return (w.reshape(w.shape[0], -1) @ cols).reshape(x.shape[0], w.shape[0], *x.shape[2:]), cols


def conv_backward(g, w, cols, shape, transposed):
    """Weight gradient from the saved columns; input gradient as col2im(wᵀ g) (the classic way) or,
    ``transposed``, as the convolution of g with the flipped, in/out-swapped kernel (what tracegrad does)."""
    g3 = g.reshape(g.shape[0], w.shape[0], -1)
    gw = np.matmul(g3, cols.transpose(0, 2, 1)).sum(0).reshape(w.shape)
    if transposed:
        return conv_forward(g, np.ascontiguousarray(w.transpose(1, 0, 2, 3)[:, :, ::-1, ::-1]))[0], gw
    return col2im(w.reshape(w.shape[0], -1).T @ g3, shape), gw


def bn_forward(x, gamma, beta):
    m = x.mean((0, 2, 3), keepdims=True)
    xhat = x - m
    inv = 1 / np.sqrt((xhat * xhat).mean((0, 2, 3), keepdims=True) + EPS)
    xhat *= inv
    return xhat * gamma.reshape(1, -1, 1, 1) + beta.reshape(1, -1, 1, 1), (xhat, inv)


def bn_backward(g, gamma, cache):
    xhat, inv = cache
    m = g.size // g.shape[1]
    gb, gg = g.sum((0, 2, 3), keepdims=True), (g * xhat).sum((0, 2, 3), keepdims=True)
    gx = gamma.reshape(1, -1, 1, 1) * inv / m * (m * g - gb - xhat * gg)
    return gx, gg.ravel(), gb.ravel()


def numpy_block(x, p, transposed=True):
    """Forward, loss = sum, backward: gradients for x and every parameter."""
    h1, c1 = conv_forward(x, p["w1"])
    a1, k1 = bn_forward(h1, p["g1"], p["b1"])
    r1 = np.maximum(a1, 0)
    h2, c2 = conv_forward(r1, p["w2"])
    a2, k2 = bn_forward(h2, p["g2"], p["b2"])
    s = a2 + x
    np.maximum(s, 0).sum()
    g = (s > 0).astype(x.dtype)
    ga2, gg2, gb2 = bn_backward(g, p["g2"], k2)
    gr1, gw2 = conv_backward(ga2, p["w2"], c2, r1.shape, transposed)
    gh1, gg1, gb1 = bn_backward(gr1 * (a1 > 0), p["g1"], k1)
    gx, gw1 = conv_backward(gh1, p["w1"], c1, x.shape, transposed)
    return gx + g, gw1, gw2


# ---- contenders ----------------------------------------------------------------------------------
def interleaved(fns: dict, rounds: int) -> tuple[dict[str, float], dict[str, float]]:
    """Median and fastest seconds per call of each function, run round-robin after one warm-up call each."""
    times: dict[str, list] = {k: [] for k in fns}
    for f in fns.values():
        f()
    for _ in range(rounds):
        for k, f in fns.items():
            t0 = time.perf_counter()
            f()
            times[k].append(time.perf_counter() - t0)
    return {k: statistics.median(v) for k, v in times.items()}, {k: min(v) for k, v in times.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=30)
    args = ap.parse_args()
    autograd.manual_seed(0)
    block = nn.ResidualBlock(C, C)
    x_np = np.random.default_rng(0).standard_normal((N, C, H, W)).astype(np.float32)
    x = Tensor(x_np, requires_grad=True)
    params = {"w1": block.conv1.weight.numpy(), "w2": block.conv2.weight.numpy(), "g1": block.bn1.weight.numpy(),
              "b1": block.bn1.bias.numpy(), "g2": block.bn2.weight.numpy(), "b2": block.bn2.bias.numpy()}

    def tracegrad():
        block.zero_grad()
        x.grad = None
        block(x).sum().backward()

    fns = {"tracegrad": tracegrad, "numpy": lambda: numpy_block(x_np, params),
           "numpy_col2im": lambda: numpy_block(x_np, params, transposed=False)}
    tracegrad()
    ref = numpy_block(x_np, params)
    err = max(float(np.abs(a - b).max() / np.abs(b).max())
              for a, b in zip((x.grad.numpy(), block.conv1.weight.grad.numpy(), block.conv2.weight.grad.numpy()), ref))
    assert err < 1e-3, f"tracegrad and the NumPy block disagree (relative error {err:.2e})"

    torch = torch_2_threads()
    if torch is not None:
        tb = torch.nn.Sequential(torch.nn.Conv2d(C, C, 3, padding=1, bias=False), torch.nn.BatchNorm2d(C),
                                 torch.nn.ReLU(), torch.nn.Conv2d(C, C, 3, padding=1, bias=False),
                                 torch.nn.BatchNorm2d(C))
        xt = torch.tensor(x_np, requires_grad=True)

        def torch_block():
            tb.zero_grad()
            xt.grad = None
            torch.relu(tb(xt) + xt).sum().backward()
        fns["torch"] = torch_block
    mygrad = optional("mygrad")
    if mygrad is not None:
        import mygrad.nnet as mnn  # noqa: F401 - MyGrad's conv and batch norm

        mp = {k: mygrad.tensor(v) for k, v in params.items()}    # tensors, so MyGrad computes their gradients

        def mygrad_block():
            xm = mygrad.tensor(x_np)
            h = mnn.conv_nd(xm, mp["w1"], stride=1, padding=1)
            h = mnn.batchnorm(h, gamma=mp["g1"], beta=mp["b1"], eps=EPS)
            h = mnn.conv_nd(mnn.relu(h), mp["w2"], stride=1, padding=1)
            h = mnn.batchnorm(h, gamma=mp["g2"], beta=mp["b2"], eps=EPS)
            mnn.relu(h + xm).sum().backward()
        fns["mygrad"] = mygrad_block

    med, best = interleaved(fns, args.rounds)
    report(f"ResNet basic block fwd+bwd, ({N}, {C}, {H}, {W}) float32, batch norm, {args.rounds} rounds (median)",
           med)
    print("  fastest round: " + ", ".join(f"{k} {v * 1e3:.1f} ms" for k, v in best.items())
          + f"  (tracegrad/numpy {best['tracegrad'] / best['numpy']:.2f}x)")
    print(f"\n  target: tracegrad within 20% of the hand-written NumPy limit: {med['tracegrad'] / med['numpy']:.2f}x"
          + (f"; torch ratio {med['tracegrad'] / med['torch']:.2f}x (issue: <= 2x)" if "torch" in med else ""))


if __name__ == "__main__":
    main()
