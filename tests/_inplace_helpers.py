"""Helpers shared by test_inplace.py and test_inplace_graph.py (no torch import here)."""
import numpy as np

import autograd

LEAF_MSG = "a leaf Variable that requires grad is being used in an in-place operation"


def _close(ours, theirs, atol=1e-6):
    """An autograd Tensor equals a torch tensor: same shape and values (and grads compared the same way)."""
    a = ours.detach().numpy() if isinstance(ours, autograd.Tensor) else np.asarray(ours)
    b = theirs.detach().numpy()
    assert a.shape == b.shape, (a.shape, b.shape)
    np.testing.assert_allclose(a, b, atol=atol, rtol=1e-6)
