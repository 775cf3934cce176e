"""Every nn module class that torch.nn also has prints as torch's does (default-constructed, with the fewest
required arguments), so programs that print their models show the same text."""
import warnings

import numpy as np
import pytest

import nn
from autograd import Tensor

# the required arguments of classes that cannot be built bare (the same for both libraries)
ARGS = {
    "AdaptiveAvgPool1d": (2,), "AdaptiveAvgPool2d": (2,), "AdaptiveMaxPool1d": (2,), "AdaptiveMaxPool2d": (2,),
    "AvgPool1d": (2,), "AvgPool2d": (2,), "MaxPool1d": (2,), "MaxPool2d": (2,),
    "BatchNorm1d": (3,), "BatchNorm2d": (3,), "InstanceNorm1d": (3,), "InstanceNorm2d": (3,),
    "ConstantPad1d": (2, 0.5), "ConstantPad2d": (2, 0.5), "ZeroPad1d": (2,), "ZeroPad2d": (2,),
    "Conv1d": (2, 4, 3), "Conv2d": (2, 4, 3), "ConvTranspose1d": (2, 4, 3), "ConvTranspose2d": (2, 4, 3),
    "Embedding": (10, 3), "EmbeddingBag": (10, 3), "GRU": (3, 5), "LSTM": (3, 5), "RNN": (3, 5),
    "GRUCell": (3, 5), "LSTMCell": (3, 5), "RNNCell": (3, 5), "GroupNorm": (2, 4), "LayerNorm": (3,),
    "LazyConv2d": (4, 3), "LazyLinear": (4,), "Linear": (3, 4), "LocalResponseNorm": (2,),
    "PixelShuffle": (2,), "PixelUnshuffle": (2,), "Unflatten": (1, (2, 3)),
}
ABSTRACT = {"RNNBase", "RNNCellBase"}  # base classes torch does not build with these arguments
# cheap differences not fixed yet: name -> why (an entry here is xfail(strict), so a fix must remove it)
DIFFER: dict[str, str] = {}

CLASSES = sorted(n for n in dir(nn) if isinstance(getattr(nn, n), type) and issubclass(getattr(nn, n), nn.Module)
                 and n not in ABSTRACT)


@pytest.mark.parametrize("name", CLASSES)
def test_default_repr_equals_torchs(torch, name, request):
    if not hasattr(torch.nn, name):
        pytest.skip(f"torch.nn has no {name}")
    if name in DIFFER:
        request.applymarker(pytest.mark.xfail(strict=True, reason=DIFFER[name]))
    args = ARGS.get(name, ())
    assert repr(getattr(nn, name)(*args)) == repr(getattr(torch.nn, name)(*args))


@pytest.mark.parametrize("build", [
    lambda m: m.MaxPool2d(kernel_size=2, stride=2),
    lambda m: m.AvgPool2d(3, 1, 1, False, False),
    lambda m: m.InstanceNorm2d(8, affine=True, track_running_stats=True),
    lambda m: m.BatchNorm1d(4, momentum=None, bias=False),
    lambda m: m.LocalResponseNorm(5, alpha=1e-3, beta=0.5, k=2.0),
    lambda m: m.Sequential(m.Conv2d(1, 6, 5, padding=2), m.ReLU(), m.MaxPool2d(2), m.Flatten(),
                           m.Linear(6 * 14 * 14, 10), m.Softmax(dim=1)),
])
def test_configured_reprs_equal_torchs(torch, build):
    assert repr(build(nn)) == repr(build(torch.nn))


def test_softmax_without_dim_uses_torchs_implicit_choice(torch):
    x = np.random.default_rng(0).standard_normal((2, 3, 4))
    for cls in ("Softmax", "LogSoftmax"):
        with pytest.warns(UserWarning, match="Implicit dimension choice"):
            ours = getattr(nn, cls)()(Tensor(x)).numpy()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            theirs = getattr(torch.nn, cls)()(torch.tensor(x)).numpy()
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12)


def test_pooling_options_beyond_tracegrads_raise():
    with pytest.raises(ValueError, match="ceil_mode"):
        nn.MaxPool2d(2, ceil_mode=True)
    with pytest.raises(ValueError, match="divisor_override"):
        nn.AvgPool2d(2, divisor_override=3)
