"""The hand-written NumPy forward and backward of the 784-512-256-10 ReLU MLP with cross-entropy:
the limit that bench_mlp.py and bench_optim_step.py hold tracegrad against."""
from __future__ import annotations

import numpy as np


def mlp_loss_and_grads(params: list[np.ndarray], x: np.ndarray, y: np.ndarray, rows: np.ndarray):
    """Mean cross-entropy of ``relu(relu(x W1ᵀ + b1) W2ᵀ + b2) W3ᵀ + b3`` and the six gradients, by hand."""
    w1, b1, w2, b2, w3, b3 = params
    h1 = x @ w1.T
    h1 += b1
    r1 = np.maximum(h1, 0)
    h2 = r1 @ w2.T
    h2 += b2
    r2 = np.maximum(h2, 0)
    z = r2 @ w3.T
    z += b3
    z -= z.max(axis=1, keepdims=True)
    e = np.exp(z)
    s = e.sum(axis=1, keepdims=True)
    loss = float(np.mean(np.log(s[:, 0]) - z[rows, y]))
    dz = e / s  # softmax - onehot, averaged over the batch
    dz[rows, y] -= 1
    dz /= len(y)
    # NOTE: weight gradients as gᵀ a, C-ordered like the weights: (aᵀ g)ᵀ is the same product (within
    # 3% here) but Fortran-ordered, and an optimizer mixing layouts runs several times slower
    g3w, g3b = dz.T @ r2, dz.sum(0)
    d2 = dz @ w3
    d2 *= h2 > 0
    g2w, g2b = d2.T @ r1, d2.sum(0)
    d1 = d2 @ w2
    d1 *= h1 > 0
    g1w, g1b = d1.T @ x, d1.sum(0)
    return loss, [g1w, g1b, g2w, g2b, g3w, g3b]
