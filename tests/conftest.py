import numpy as np
import pytest

import autograd


@pytest.fixture(autouse=True)
def _seed():
    autograd.manual_seed(0)
    yield


@pytest.fixture
def rng():
    return np.random.default_rng(1234)


@pytest.fixture
def torch():
    """PyTorch, for parity tests: a test that takes this fixture is skipped where torch is not installed."""
    torch = pytest.importorskip("torch")
    torch.set_default_dtype(torch.float32)
    return torch
