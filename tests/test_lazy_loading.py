"""A never-run lazy model loads a state dict as PyTorch's does (d2l's File I/O), and load_state_dict's
printed text (the result, the strict-mode error) is PyTorch's."""
import numpy as np
import pytest

import nn
from autograd import Tensor


class MLP(nn.Module):  # d2l's File I/O model
    def __init__(self):
        super().__init__()
        self.hidden = nn.LazyLinear(256)
        self.output = nn.LazyLinear(10)

    def forward(self, x):
        return self.output(nn.functional.relu(self.hidden(x)))


def test_d2l_file_io_clone(tmp_path):
    net = MLP()
    x = Tensor(np.random.default_rng(0).standard_normal((2, 20)).astype(np.float32))
    y = net(x)
    nn.save(net.state_dict(), tmp_path / "mlp.params")
    clone = MLP()
    res = clone.load_state_dict(nn.load(tmp_path / "mlp.params"))
    assert str(res) == "<All keys matched successfully>"
    assert type(clone.hidden) is nn.Linear and clone.hidden.in_features == 20 and clone.output.in_features == 256
    clone.eval()
    np.testing.assert_array_equal(clone(x).numpy(), y.numpy())


def test_sequential_lazy_linear_and_conv_take_the_shapes():
    clone = nn.Sequential(nn.LazyLinear(4))
    params = list(clone.parameters())
    src = nn.Sequential(nn.Linear(3, 4))
    clone.load_state_dict(src.state_dict())
    assert repr(clone[0]) == "Linear(in_features=3, out_features=4, bias=True)"
    assert list(clone.parameters()) == params and all(type(p) is nn.Parameter for p in params)  # same objects
    np.testing.assert_array_equal(clone[0].weight.numpy(), src[0].weight.numpy())
    conv = nn.LazyConv2d(6, 3, groups=2)
    conv.load_state_dict(nn.Conv2d(4, 6, 3, groups=2).state_dict())
    assert type(conv) is nn.Conv2d and conv.in_channels == 4 and conv.weight.shape == (6, 2, 3, 3)


def test_lazy_without_bias_and_partial_non_strict_load():
    m = nn.LazyLinear(2, bias=False)
    m.load_state_dict({"weight": np.ones((2, 5))})
    assert type(m) is nn.Linear and m.bias is None and (m.weight.numpy() == 1).all()
    m = nn.LazyLinear(2)
    res = m.load_state_dict({"weight": np.ones((2, 5))}, strict=False)
    assert res.missing_keys == ["bias"] and m.bias.shape == (2,)  # the bias keeps PyTorch's initial values
    assert repr(res) == "_IncompatibleKeys(missing_keys=['bias'], unexpected_keys=[])"


def test_real_mismatches_still_raise_and_leave_the_lazy_model_unchanged():
    clone = nn.Sequential(nn.LazyLinear(4))
    with pytest.raises(RuntimeError, match=r"size mismatch for 0.bias: copying a param with shape torch.Size\(\[5\]\)"):
        clone.load_state_dict({"0.weight": np.ones((4, 3)), "0.bias": np.ones(5)})
    with pytest.raises(RuntimeError, match=r"size mismatch for 0.weight: .*torch.Size\(\[5, 3\]\).*\[4, 3\]"):
        clone.load_state_dict({"0.weight": np.ones((5, 3)), "0.bias": np.ones(4)})
    with pytest.raises(RuntimeError, match='Missing key\\(s\\) in state_dict: "0.bias"'):
        clone.load_state_dict({"0.weight": np.ones((4, 3))})
    with pytest.raises(RuntimeError, match="uninitialized parameter"):
        clone.load_state_dict({"0.bias": np.ones(4)}, strict=False)
    assert type(clone[0]) is nn.LazyLinear and isinstance(clone[0].weight, nn.UninitializedParameter)


def test_error_text_is_torchs(torch):
    def message(model, sd):
        with pytest.raises(RuntimeError) as e:
            model.load_state_dict(sd)
        return str(e.value)

    sd = {"0.weight": np.zeros((4, 2)), "extra": np.zeros(1)}
    ours = message(nn.Sequential(nn.Linear(3, 4)), sd)
    theirs = message(torch.nn.Sequential(torch.nn.Linear(3, 4)), {k: torch.tensor(v) for k, v in sd.items()})
    assert ours.startswith(theirs + "\n") and "unchanged" in ours
    assert theirs.startswith("Error(s) in loading state_dict for Sequential:\n\tMissing key(s) in state_dict: ")


def test_result_text_is_torchs(torch):
    ours, theirs = nn.Linear(3, 4), torch.nn.Linear(3, 4)
    assert str(ours.load_state_dict(ours.state_dict())) == str(theirs.load_state_dict(theirs.state_dict()))
    partial = {"weight": np.zeros((4, 3)), "x": np.zeros(1)}
    res = ours.load_state_dict(partial, strict=False)
    res_t = theirs.load_state_dict({k: torch.tensor(v) for k, v in partial.items()}, strict=False)
    assert repr(res) == repr(res_t) and str(res) == str(res_t)
    assert res.missing_keys == ["bias"] and res == (["bias"], ["x"])  # still a NamedTuple
