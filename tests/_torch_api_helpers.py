"""Helpers shared by the test_torch_api_*.py files: a fixed input with ties, and value/gradient comparison of a
function run on tracegrad and on torch (``lib`` is either module; no torch import here)."""
import numpy as np

import autograd

X = np.array([[3.0, 1.0, 3.0, -2.0], [2.0, 5.0, 5.0, 0.5], [-1.0, 0.0, 4.0, 4.0]])  # ties in rows 0 and 1


def _np(t):
    return t.detach().numpy()


def _close(ours, theirs, atol=1e-6):
    a, b = _np(ours), _np(theirs)
    assert a.shape == b.shape, (a.shape, b.shape)
    assert a.dtype.name == str(b.dtype).removeprefix("torch."), (a.dtype, b.dtype)
    np.testing.assert_allclose(a.astype(np.float64), b.astype(np.float64), atol=atol, rtol=1e-6)


def _weights(lib, shape):
    """Distinct weights so a gradient check sees which element got what."""
    n = int(np.prod(shape)) if shape else 1
    return lib.arange(1, n + 1, dtype=lib.float64).reshape(shape)


def _value_and_grad(lib, f, data=X):
    x = lib.tensor(data, dtype=lib.float64, requires_grad=True)
    out = f(lib, x)
    outs = out if isinstance(out, (tuple, list)) else (out,)
    loss = sum((o * _weights(lib, tuple(o.shape))).sum() for o in outs if o.requires_grad)
    loss.backward()
    return outs, x.grad


def _compare(torch, f, data=X):
    (o_ours, g_ours), (o_theirs, g_theirs) = _value_and_grad(autograd, f, data), _value_and_grad(torch, f, data)
    assert len(o_ours) == len(o_theirs)
    for a, b in zip(o_ours, o_theirs):
        _close(a, b)
    _close(g_ours, g_theirs)
