"""Lazy layers: shapes read from the first input, the same Parameter objects before and after (d2l's style)."""
import numpy as np
import pytest

import autograd
import nn
import optim


def test_lazy_linear_becomes_linear_and_an_early_optimizer_updates_it():
    net = nn.Sequential(nn.Flatten(), nn.LazyLinear(8), nn.ReLU(), nn.LazyLinear(3))
    params = list(net.parameters())
    assert all(isinstance(p, nn.UninitializedParameter) for p in params)
    opt = optim.SGD(net.parameters(), lr=0.1)  # before the first call, as d2l's trainer
    y = net(autograd.randn(4, 2, 5))
    assert y.shape == (4, 3) and type(net[1]) is nn.Linear and net[1].in_features == 10
    assert [p.shape for p in net.parameters()] == [(8, 10), (8,), (3, 8), (3,)]
    assert all(a is b for a, b in zip(params, net.parameters()))
    nn.functional.cross_entropy(y, autograd.tensor([0, 1, 2, 0])).backward()
    before = net[1].weight.numpy().copy()
    opt.step()
    assert not np.array_equal(before, net[1].weight.numpy())


def test_lazy_layers_match_torch_shapes_keys_and_bounds(torch):
    ours, theirs = nn.LazyLinear(4), torch.nn.LazyLinear(4)
    ours(autograd.zeros(2, 7))
    theirs(torch.zeros(2, 7))
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert repr(ours) == repr(theirs)
    assert np.abs(ours.weight.numpy()).max() <= 1 / np.sqrt(7)
    conv, tconv = nn.LazyConv2d(6, 5), torch.nn.LazyConv2d(6, 5)
    assert conv(autograd.zeros(2, 3, 8, 8)).shape == tuple(tconv(torch.zeros(2, 3, 8, 8)).shape)
    assert conv.weight.shape == tuple(tconv.weight.shape) and repr(conv) == repr(tconv)


def test_lazy_layer_bad_first_input_is_named():
    with pytest.raises(ValueError, match="LazyConv2d: the first input must be"):
        nn.LazyConv2d(2, 3)(autograd.zeros(5))
