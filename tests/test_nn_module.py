"""Module semantics: registration, dotted names (as PyTorch's), state dicts, train/eval, hooks, scopes, containers."""
from __future__ import annotations

import copy
from collections import OrderedDict

import numpy as np
import pytest

import autograd
import nn
from autograd import Tensor


class Block(nn.Module):
    def __init__(self, n: int = 3) -> None:
        super().__init__()
        self.fc = nn.Linear(n, n)
        self.act = nn.Tanh()
        self.register_buffer("count", np.zeros((), dtype=np.int64))
        self.register_buffer("scratch", np.zeros(2), persistent=False)

    def forward(self, x):
        return self.act(self.fc(x)) + x


class Net(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.stem = nn.Linear(4, 3)
        self.blocks = nn.ModuleList([Block(), Block()])
        self.heads = nn.ModuleDict({"a": nn.Linear(3, 2), "b": nn.Sequential(nn.ReLU(), nn.Linear(3, 1))})
        self.scale = nn.Parameter(np.ones(1))

    def forward(self, x):
        h = self.stem(x) * self.scale
        for b in self.blocks:
            h = b(h)
        return self.heads["a"](h).sum() + self.heads["b"](h).sum()


PARAM_NAMES = ["scale", "stem.weight", "stem.bias", "blocks.0.fc.weight", "blocks.0.fc.bias", "blocks.1.fc.weight",
               "blocks.1.fc.bias", "heads.a.weight", "heads.a.bias", "heads.b.1.weight", "heads.b.1.bias"]


def test_parameter_is_a_tensor_that_requires_grad():
    p = nn.Parameter(np.zeros((2, 3)))
    assert isinstance(p, Tensor) and p.requires_grad and p.shape == (2, 3)
    assert repr(p).startswith("Parameter containing:\ntensor(")
    assert not nn.Parameter(np.zeros(2), requires_grad=False).requires_grad
    assert type(p * 2) is Tensor  # ops make plain Tensors


def test_named_parameters_like_torch(torch):

    class TBlock(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc, self.act = torch.nn.Linear(3, 3), torch.nn.Tanh()

    class TNet(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.stem = torch.nn.Linear(4, 3)
            self.blocks = torch.nn.ModuleList([TBlock(), TBlock()])
            self.heads = torch.nn.ModuleDict({"a": torch.nn.Linear(3, 2),
                                              "b": torch.nn.Sequential(torch.nn.ReLU(), torch.nn.Linear(3, 1))})
            self.scale = torch.nn.Parameter(torch.ones(1))

    net, tnet = Net(), TNet()
    assert [n for n, _ in net.named_parameters()] == [n for n, _ in tnet.named_parameters()] == PARAM_NAMES
    assert [n for n, _ in net.named_modules()] == [n for n, _ in tnet.named_modules()]
    assert [n for n, _ in net.named_children()] == [n for n, _ in tnet.named_children()]
    assert net.num_parameters() == sum(p.numel() for p in tnet.parameters())
    assert len(list(net.modules())) == len(list(tnet.modules()))


def test_repr_like_torch(torch):
    ours = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Sequential(nn.Linear(8, 2, bias=False), nn.Softmax(dim=1)))
    theirs = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(),
                                 torch.nn.Sequential(torch.nn.Linear(8, 2, bias=False), torch.nn.Softmax(dim=1)))
    assert repr(ours) == repr(theirs)
    assert repr(nn.Flatten()) == repr(torch.nn.Flatten())


def test_registration_rules():
    m = nn.Module()
    m.w = nn.Parameter(np.ones(2))
    m.child = nn.Linear(2, 2)
    m.plain = 3
    assert list(m._parameters) == ["w"] and list(m._modules) == ["child"] and m.plain == 3
    with pytest.raises(TypeError, match="Parameter or None"):
        m.w = Tensor(np.ones(2))
    m.w = None
    assert list(m.parameters()) == list(m.child.parameters())
    m.v = nn.Parameter(np.ones(1))
    m.w = nn.Parameter(np.ones(3))  # re-assignment keeps the name's place, as PyTorch's
    assert list(m._parameters) == ["w", "v"]
    m.child = nn.Parameter(np.ones(1))  # re-registration moves the name
    assert "child" in m._parameters and "child" not in m._modules
    del m.child
    assert not hasattr(m, "child")
    with pytest.raises(AttributeError, match="no attribute 'missing'"):
        m.missing

    class Early(nn.Module):
        def __init__(self):
            self.w = nn.Parameter(np.ones(1))
    with pytest.raises(AttributeError, match="super"):
        Early()


def test_shared_parameters_and_modules_appear_once():
    lin = nn.Linear(2, 2)
    seq = nn.Sequential(lin, nn.ReLU(), lin)
    assert [n for n, _ in seq.named_parameters()] == ["0.weight", "0.bias"]
    assert seq.num_parameters() == 6
    assert len(list(seq.modules())) == 3
    assert list(seq.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]  # as PyTorch's


def test_buffers_and_state_dict():
    net = Net()
    assert [n for n, _ in net.named_buffers()] == ["blocks.0.count", "blocks.0.scratch", "blocks.1.count",
                                                   "blocks.1.scratch"]
    sd = net.state_dict()
    assert list(sd) == ["scale", "stem.weight", "stem.bias", "blocks.0.count", "blocks.0.fc.weight",
                        "blocks.0.fc.bias", "blocks.1.count", "blocks.1.fc.weight", "blocks.1.fc.bias",
                        "heads.a.weight", "heads.a.bias", "heads.b.1.weight", "heads.b.1.bias"]
    assert all(not v.requires_grad for v in sd.values())
    assert sd["stem.weight"].numpy() is net.stem.weight.numpy()  # detached views, as PyTorch's
    net.blocks[0].count = Tensor(np.array(5))
    assert net.state_dict()["blocks.0.count"].item() == 5
    with pytest.raises(TypeError, match="buffer 'count'"):
        net.blocks[0].count = "five"


def test_load_state_dict_round_trip_in_place():
    a, b = Net(), Net()
    w_obj = b.stem.weight
    res = b.load_state_dict(a.state_dict())
    assert res.missing_keys == [] and res.unexpected_keys == []
    assert b.stem.weight is w_obj  # copied in place, so optimizers keep their references
    x = Tensor(np.random.default_rng(0).standard_normal((2, 4)))
    np.testing.assert_allclose(a(x).numpy(), b(x).numpy())
    b.load_state_dict({k: v.numpy() for k, v in a.state_dict().items()})  # plain arrays work too


def _snapshot(m):
    return {k: v.numpy().copy() for k, v in m.state_dict().items()}


def test_load_state_dict_errors_leave_the_model_unchanged():
    net = Net()
    before = _snapshot(net)
    sd = {k: np.full(v.shape, 7.0) for k, v in net.state_dict().items()}
    bad = dict(sd)
    bad["stem.weight"] = np.zeros((4, 3))
    with pytest.raises(ValueError, match=r"size mismatch for stem.weight: copying a param with shape "
                       r"torch.Size\(\[4, 3\]\) from checkpoint, the shape in current model is torch.Size\(\[3, 4\]\)"):
        net.load_state_dict(bad)
    missing = dict(sd)
    del missing["heads.a.bias"]
    with pytest.raises(ValueError, match='Missing key\\(s\\) in state_dict: "heads.a.bias"'):
        net.load_state_dict(missing)
    with pytest.raises(RuntimeError, match='Unexpected key\\(s\\) in state_dict: "extra"'):  # a RuntimeError too
        net.load_state_dict({**sd, "extra": np.zeros(1)})
    with pytest.raises(ValueError, match='parameter named "scale".*not a numeric array'):
        net.load_state_dict({**sd, "scale": "one"})
    after = _snapshot(net)
    assert all(np.array_equal(before[k], after[k]) for k in before)
    res = net.load_state_dict({**missing, "extra": np.zeros(1)}, strict=False)
    assert res.missing_keys == ["heads.a.bias"] and res.unexpected_keys == ["extra"]
    assert np.all(net.stem.weight.numpy() == 7.0)
    with pytest.raises(ValueError, match="size mismatch"):  # shapes are checked even when not strict
        net.load_state_dict(bad, strict=False)


def test_train_eval_zero_grad_apply_requires_grad():
    net = Net()
    assert net.training and net.eval() is net
    assert not any(m.training for m in net.modules())
    net.train()
    assert all(m.training for m in net.modules())
    net(Tensor(np.ones((2, 4)))).backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad(set_to_none=False)
    assert all(p.grad is not None and not p.grad.numpy().any() for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())
    seen = []
    assert net.apply(lambda m: seen.append(type(m).__name__)) is net
    assert seen[-1] == "Net" and seen.index("Block") > seen.index("Tanh")  # children first
    net.requires_grad_(False)
    assert not any(p.requires_grad for p in net.parameters())
    assert net.num_parameters(only_trainable=True) == 0 and net.num_parameters() > 0


def _scopes(out, model):
    g = autograd.Graph.of(out, params=dict(model.named_parameters()))
    return [(n.op, n.scope) for n in g.nodes if n.kind == "op"]


def test_scopes_record_qualified_names():
    net = Net()
    scopes = {s for _, s in _scopes(net(Tensor(np.ones((2, 4)))), net)}
    assert {"", "stem", "blocks.0", "blocks.0.fc", "blocks.0.act", "blocks.1.fc", "heads.a", "heads.b.1"} <= scopes
    ops = _scopes(net.blocks[1](Tensor(np.ones((2, 3)), requires_grad=True)), net)
    assert {s for _, s in ops} == {"", "fc", "act"}  # a module called on its own is a root
    with autograd.scope("train"):
        ops = _scopes(net(Tensor(np.ones((2, 4)))), net)
    assert ("Linear", "train.stem") in ops and ("Add", "train") in ops
    assert autograd.current_scope() == ""


def test_scope_state_survives_an_exception():
    net = Net()
    with pytest.raises(ValueError, match="'stem'"):
        net(Tensor(np.ones((2, 5))))
    ops = _scopes(net.stem(Tensor(np.ones((2, 4)))), net)
    assert {s for _, s in ops} == {""}


def test_forward_hooks():
    lin = nn.Linear(2, 2)
    calls = []
    h1 = lin.register_forward_pre_hook(lambda m, args: (args[0] * 2,))
    h2 = lin.register_forward_hook(lambda m, args, out: calls.append((m, args[0].numpy().copy(), out.shape)))
    x = Tensor(np.ones((1, 2)))
    lin(x)
    assert calls[0][0] is lin and np.all(calls[0][1] == 2) and calls[0][2] == (1, 2)
    h3 = lin.register_forward_hook(lambda m, args, out: out * 0)
    assert not lin(x).numpy().any()
    for h in (h1, h2, h3):
        h.remove()
    h1.remove()  # idempotent
    np.testing.assert_allclose(lin(x).numpy(), (x @ lin.weight.T + lin.bias).numpy())
    assert len(calls) == 2
    with lin.register_forward_pre_hook(lambda m, a: a[0] + 1):
        assert not np.allclose(lin(x).numpy(), lin.forward(x).numpy())
    np.testing.assert_allclose(lin(x).numpy(), lin.forward(x).numpy())


def test_backward_hook_sees_the_gradient_of_the_output():
    net = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1))
    got = {}
    handles = [m.register_backward_hook(lambda m, g, i=i: got.__setitem__(i, g.numpy().copy()))
               for i, m in enumerate(net)]
    x = Tensor(np.random.default_rng(0).standard_normal((5, 3)))
    h0 = net[0](x)
    h0.retain_grad()
    h1 = net[1](h0)
    h1.retain_grad()
    (net[2](h1) * 3).sum().backward()
    np.testing.assert_allclose(got[2], np.full((5, 1), 3.0))
    np.testing.assert_allclose(got[1], h1.grad.numpy())
    np.testing.assert_allclose(got[0], h0.grad.numpy())
    for h in handles:
        h.remove()
    # a hook may replace the gradient
    net.zero_grad()
    net[2].register_backward_hook(lambda m, g: g * 0)
    net(x).sum().backward()
    assert not net[0].weight.grad.numpy().any()


def test_sequential():
    a, b, c = nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1)
    seq = nn.Sequential(a, b, c)
    assert len(seq) == 3 and seq[0] is a and seq[-1] is c and list(seq) == [a, b, c]
    tail = seq[1:]
    assert isinstance(tail, nn.Sequential) and list(tail) == [b, c]
    assert [n for n, _ in tail.named_parameters()] == ["2.weight", "2.bias"]  # names kept, as PyTorch's
    x = Tensor(np.ones((4, 2)))
    np.testing.assert_allclose(seq(x).numpy(), c(b(a(x))).numpy())
    seq.append(nn.Sigmoid())
    assert len(seq) == 4 and isinstance(seq[3], nn.Sigmoid)
    del seq[1]
    assert [n for n, _ in seq.named_children()] == ["0", "1", "2"]
    named = nn.Sequential(OrderedDict([("fc", a), ("act", b)]))
    assert [n for n, _ in named.named_parameters()] == ["fc.weight", "fc.bias"]
    with pytest.raises(IndexError):
        seq[10]
    with pytest.raises(TypeError, match="nn.Module"):
        nn.Sequential(a, lambda x: x)


def test_module_list_and_dict():
    ml = nn.ModuleList([nn.Linear(1, 1)])
    ml.append(nn.ReLU()).extend([nn.Tanh()])
    ml.insert(0, nn.Identity())
    assert [type(m).__name__ for m in ml] == ["Identity", "Linear", "ReLU", "Tanh"]
    assert [n for n, _ in ml.named_parameters()] == ["1.weight", "1.bias"]
    assert isinstance(ml[1:], nn.ModuleList) and len(ml[1:]) == 3
    md = nn.ModuleDict([("x", nn.Linear(1, 2))])
    md["y"] = nn.ReLU()
    assert list(md.keys()) == ["x", "y"] and "x" in md and len(md) == 2
    assert [n for n, _ in md.named_parameters()] == ["x.weight", "x.bias"]
    md.pop("x")
    assert list(md) == ["y"]
    with pytest.raises(NotImplementedError):
        ml(Tensor(np.ones(1)))


def test_deepcopy_is_independent():
    net = Net()
    twin = copy.deepcopy(net)
    assert [n for n, _ in twin.named_parameters()] == PARAM_NAMES
    twin.stem.weight.numpy()[...] += 1
    twin.blocks[0].count.numpy()[...] += 1
    assert not np.allclose(twin.stem.weight.numpy(), net.stem.weight.numpy())
    assert net.blocks[0].count.item() == 0
    assert isinstance(twin.stem.weight, nn.Parameter)
