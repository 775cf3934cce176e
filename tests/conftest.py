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
