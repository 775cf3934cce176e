"""nn.ParameterList and nn.ParameterDict: registration, torch's state-dict keys, list and dict behaviour."""
from __future__ import annotations

from collections import OrderedDict

import numpy as np
import pytest

import autograd
import nn
from autograd import Tensor


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.scales = nn.ParameterList([nn.Parameter(autograd.ones(3)) for _ in range(2)])
        self.extras = nn.ParameterDict({"shift": nn.Parameter(autograd.zeros(3)), "bias": autograd.ones(2)})

    def forward(self, x):
        return x * self.scales[0] * self.scales[1] + self.extras["shift"]


def test_registration_and_state_dict_keys_match_torch(torch):
    class Ref(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.scales = torch.nn.ParameterList([torch.nn.Parameter(torch.ones(3)) for _ in range(2)])
            self.extras = torch.nn.ParameterDict({"shift": torch.nn.Parameter(torch.zeros(3)), "bias": torch.ones(2)})

    ours, ref = Net(), Ref()
    assert list(ours.state_dict()) == list(ref.state_dict()) == ["scales.0", "scales.1", "extras.bias", "extras.shift"]
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in ref.named_parameters()]
    assert all(isinstance(p, nn.Parameter) for p in ours.parameters()) and len(list(ours.parameters())) == 4
    ours.scales.append(Tensor(np.ones(1)))
    ref.scales.append(torch.ones(1))
    assert list(ours.state_dict()) == list(ref.state_dict())


def test_gradients_reach_the_parameters_and_load_state_dict_round_trips():
    net = Net()
    net(Tensor(np.arange(3.0))).sum().backward()
    np.testing.assert_array_equal(net.scales[0].grad.numpy(), np.arange(3.0))
    np.testing.assert_array_equal(net.extras["shift"].grad.numpy(), np.ones(3))
    sd = {k: v.numpy() * 0 + 7 for k, v in net.state_dict().items()}
    other = Net()
    keep = other.scales[1]
    other.load_state_dict(sd)
    assert other.scales[1] is keep and (keep.numpy() == 7).all() and (other.extras["bias"].numpy() == 7).all()
    with pytest.raises(ValueError, match="Missing key"):
        Net().load_state_dict({k: v for k, v in sd.items() if k != "extras.shift"})


def test_parameter_list_behaves_as_a_list():
    pl = nn.ParameterList()
    assert len(pl) == 0
    pl.append(nn.Parameter(autograd.ones(2))).extend([autograd.zeros(3), autograd.zeros(4)])
    pl += [nn.Parameter(autograd.ones(5))]
    assert len(pl) == 4 and [p.shape for p in pl] == [(2,), (3,), (4,), (5,)]
    assert pl[-1].shape == (5,) and isinstance(pl[1], nn.Parameter) and pl[1].requires_grad
    sub = pl[1:3]
    assert isinstance(sub, nn.ParameterList) and [p.shape for p in sub] == [(3,), (4,)] and sub[0] is pl[1]
    new = nn.Parameter(autograd.ones(9))
    pl[0] = new
    assert pl[0] is new and dict(pl.named_parameters())["0"] is new
    pl.append("note")  # a non-tensor is kept, not registered (as torch)
    assert pl[4] == "note" and len(list(pl.parameters())) == 4
    with pytest.raises(IndexError, match="ParameterList: index 5 is out of range for 5"):
        pl[5]
    with pytest.raises(TypeError, match="extend should be called with an iterable"):
        pl.extend(autograd.ones(2))
    with pytest.raises(RuntimeError, match="should not be called"):
        pl(1)


def test_parameter_dict_behaves_as_a_dict():
    pd = nn.ParameterDict(OrderedDict([("b", autograd.ones(1)), ("a", autograd.ones(2))]))
    assert list(pd) == ["b", "a"] and list(pd.keys()) == ["b", "a"]  # an OrderedDict keeps its order
    assert list(nn.ParameterDict({"b": autograd.ones(1), "a": autograd.ones(1)})) == ["a", "b"]  # a dict: sorted
    pd["c"] = nn.Parameter(autograd.zeros(3))
    assert "c" in pd and len(pd) == 3 and pd.get("zz", 5) == 5 and isinstance(pd["a"], nn.Parameter)
    assert [k for k, _ in pd.items()] == ["b", "a", "c"] and [v.shape for v in pd.values()] == [(1,), (2,), (3,)]
    assert pd.pop("b").shape == (1,) and "b" not in pd and list(dict(pd.named_parameters())) == ["a", "c"]
    assert pd.popitem()[0] == "c" and list(pd) == ["a"]
    assert pd.setdefault("d", autograd.ones(4)).shape == (4,)
    pd.update([("e", autograd.ones(1))])
    del pd["a"]
    assert list(pd) == ["d", "e"] and list(reversed(pd)) == ["e", "d"]
    merged = pd | nn.ParameterDict({"f": autograd.ones(1)})
    assert list(merged) == ["d", "e", "f"] and merged["d"] is pd["d"]
    assert list(nn.ParameterDict.fromkeys(["x", "y"], autograd.ones(1))) == ["x", "y"]
    pd.clear()
    assert len(pd) == 0 and list(pd.parameters()) == []
    with pytest.raises(KeyError):
        pd["missing"]
    with pytest.raises(TypeError, match="a key must be a string"):
        pd[1] = autograd.ones(1)
    with pytest.raises(KeyError, match="already exists"):
        pd["keys"] = autograd.ones(1)
    with pytest.raises(ValueError, match="element #0 has length 3"):
        pd.update([("a", 1, 2)])
    with pytest.raises(RuntimeError, match="should not be called"):
        pd()


def test_casting_deepcopy_and_repr():
    import copy

    net = Net().double()
    assert net.scales[0].dtype == np.float64 and net.extras["shift"].dtype == np.float64
    twin = copy.deepcopy(net)
    assert list(twin.state_dict()) == list(net.state_dict()) and twin.scales[0] is not net.scales[0]
    assert "(0): Parameter containing: [float64 of size 3]" in repr(net.scales)
    assert "(shift): Parameter containing: [float64 of size 3]" in repr(net.extras)
