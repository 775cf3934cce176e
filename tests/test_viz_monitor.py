"""viz.GradientMonitor: statistics against hand computation, hooks, gains, diagnosis, Glorot & Bengio, persistence."""
import math

import numpy as np
import pytest

import autograd
import nn
import optim
import viz
from autograd import Tensor
from viz.monitor import GradientMonitor


def deep(act, skip=False, depth=20, width=32, d_in=16, k=4):
    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc, self.act = nn.Linear(width, width), act()

        def forward(self, x):
            y = self.act(self.fc(x))
            return x + y if skip else y
    return nn.Sequential(nn.Linear(d_in, width), *[Block() for _ in range(depth)], nn.Linear(width, k))


def train(model, steps=5, lr=0.01, monitor_kw=None, seed=0):
    autograd.manual_seed(seed)
    opt = optim.SGD(model.parameters(), lr=lr)
    mon = GradientMonitor(model, opt, **(monitor_kw or {}))
    x, y = autograd.randn(64, 16), autograd.randint(0, 4, (64,))
    for _ in range(steps):
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
    return mon, loss


def col(h, stat, name, i=-1):
    return h["stats"][stat][i][[la["name"] for la in h["layers"]].index(name)]


def test_statistics_equal_a_hand_computation():
    autograd.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    mon = GradientMonitor(model, opt)
    x, y = autograd.randn(5, 3), autograd.randint(0, 2, (5,))
    for _ in range(3):
        opt.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        grads = [p.grad.numpy().copy() for p in model[0].parameters()]
        before = [p.numpy().copy() for p in model[0].parameters()]
        opt.step()
    h = mon.history
    assert [la["name"] for la in h["layers"]] == ["0", "1", "2"] and h["steps"] == [0, 1, 2]
    flat = np.concatenate([g.ravel() for g in grads])
    assert col(h, "grad_norm", "0") == pytest.approx(np.linalg.norm(flat), rel=1e-6)
    assert col(h, "grad_mean_abs", "0") == pytest.approx(np.abs(flat).mean(), rel=1e-6)
    assert col(h, "grad_max_abs", "0") == pytest.approx(np.abs(flat).max(), rel=1e-6)
    after = np.concatenate([p.numpy().ravel() for p in model[0].parameters()])
    b = np.concatenate([w.ravel() for w in before])
    assert col(h, "weight_norm", "0") == pytest.approx(np.linalg.norm(after), rel=1e-6)
    assert col(h, "update_ratio", "0") == pytest.approx(np.linalg.norm(after - b) / np.linalg.norm(after), rel=1e-5)
    assert col(h, "grad_norm", "1") is None and col(h, "out_std", "1") is not None  # an activation layer


def test_the_gradient_read_is_the_one_applied_after_clipping():
    autograd.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    opt = optim.SGD(model.parameters(), lr=0.1)
    mon = GradientMonitor(model, opt)
    x, y = autograd.randn(5, 3) * 100, autograd.randint(0, 2, (5,))
    nn.functional.cross_entropy(model(x), y).backward()
    nn.utils.clip_grad_norm_(model.parameters(), max_norm=0.01)
    applied = [p.grad.numpy().copy() for p in model.parameters()]
    opt.step()
    total = math.sqrt(col(mon.history, "grad_norm", "0") ** 2 + col(mon.history, "grad_norm", "2") ** 2)
    assert total == pytest.approx(0.01, rel=1e-4)
    assert col(mon.history, "grad_norm", "2") == pytest.approx(
        np.linalg.norm(np.concatenate([a.ravel() for a in applied[2:]])), rel=1e-6)


def test_gain_is_the_ratio_of_the_gradient_norms_hooks_see():
    autograd.manual_seed(0)
    lin = nn.Linear(6, 5)
    model = nn.Sequential(lin, nn.Sigmoid(), nn.Linear(5, 2))
    mon = GradientMonitor(model)
    x = autograd.randn(7, 6).requires_grad_()
    seen = {}
    out = model[0](x)  # the same computation, watched by hand
    out.register_hook(lambda g: seen.__setitem__("out", np.linalg.norm(g.numpy())))
    nn.functional.cross_entropy(model[2](model[1](out)), autograd.tensor([0, 1, 0, 1, 0, 1, 1])).backward()
    by_hand = np.linalg.norm(x.grad.numpy()) / seen["out"]
    x.grad = None
    model.zero_grad()
    nn.functional.cross_entropy(model(x), autograd.tensor([0, 1, 0, 1, 0, 1, 1])).backward()
    h = mon.history
    assert col(h, "gain", "0") == pytest.approx(by_hand, rel=1e-6)
    assert col(h, "signal_norm", "0") == pytest.approx(seen["out"], rel=1e-6)


def test_detach_removes_every_hook_and_the_model_runs_as_before():
    def run(monitor):
        autograd.manual_seed(0)
        model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
        opt = optim.Adam(model.parameters(), lr=0.1)
        mon = GradientMonitor(model, opt) if monitor else None
        x, y = autograd.randn(5, 3), autograd.randint(0, 2, (5,))
        for i in range(3):
            if i == 1 and mon is not None:
                mon.detach()
            opt.zero_grad()
            nn.functional.cross_entropy(model(x), y).backward()
            opt.step()
        return model, opt, mon
    plain, _, _ = run(False)
    watched, opt, mon = run(True)
    for a, b in zip(plain.parameters(), watched.parameters()):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert all(not m._forward_hooks and not m._forward_pre_hooks for m in watched.modules())
    assert not opt.__dict__.get("_step_pre_hooks") and not opt.__dict__.get("_step_post_hooks")
    assert all(p._node is None or not p._node.hooks for p in watched.parameters())
    assert len(mon.history["steps"]) == 1


def test_diagnosis_of_the_sigmoid_relu_residual_trio():
    sig, _ = train(deep(nn.Sigmoid))
    d = sig.diagnose()
    assert d.verdict == "vanishing"
    named = d.layers_with("vanishing")
    assert named[:3] == ["0", "1.fc", "2.fc"] and "21" not in named  # the first layers, not the last
    assert "vanishing" in str(d) and "smaller than the last layer" in str(d)
    res, _ = train(deep(nn.ReLU, skip=True))
    assert "vanishing" not in res.diagnose().kinds()
    relu = train(deep(nn.ReLU))[0].diagnose()
    assert relu.verdict in ("vanishing", "healthy")  # a plain 20-layer ReLU MLP may vanish too: then it says so


def test_dead_units_are_reported_by_layer():
    def with_dead(fraction):
        autograd.manual_seed(0)
        model = nn.Sequential(nn.Linear(16, 40), nn.ReLU(), nn.Linear(40, 4))
        with autograd.no_grad():
            model[0].bias.numpy()[: int(40 * fraction)] = -100.0
        return train(model)[0].diagnose()
    most = with_dead(0.95)
    assert most.verdict == "dead units" and most.layers_with("dead units") == ["1"]
    half = with_dead(0.5)
    f = [x for x in half.findings if x.kind == "dead units"]
    assert f and f[0].severity == "warning" and half.verdict != "dead units"
    assert with_dead(0.0).verdict == "healthy"


def test_glorot_and_bengio_the_backward_signal_shrinks_with_the_standard_initialisation():
    def signal_ratio(init):
        autograd.manual_seed(0)
        layers = []
        for _ in range(8):
            lin = nn.Linear(64, 64)
            if init == "normalised":
                nn.init.xavier_uniform_(lin.weight)
            else:
                nn.init.uniform_(lin.weight, -1 / 8, 1 / 8)  # U[-1/sqrt(n), 1/sqrt(n)], n = 64
            nn.init.zeros_(lin.bias)
            layers += [lin, nn.Tanh()]
        model = nn.Sequential(*layers, nn.Linear(64, 10))
        mon = GradientMonitor(model)
        nn.functional.cross_entropy(model(autograd.randn(256, 64)), autograd.randint(0, 10, (256,))).backward()
        h = mon.history
        sig = [col(h, "signal_norm", str(2 * i)) for i in range(8)]
        gains = [col(h, "gain", str(2 * i)) for i in range(1, 8)]
        return sig[0] / sig[-1], gains
    standard, g_std = signal_ratio("standard")
    xavier, g_xav = signal_ratio("normalised")
    assert standard < 0.05 and xavier > 0.15 and xavier / standard > 5
    assert np.mean(g_std) < np.mean(g_xav)


def test_save_and_load_lose_nothing(tmp_path):
    mon, _ = train(deep(nn.Sigmoid, depth=4))
    mon._stats["grad_norm"][-1][0] = float("nan")  # a non-finite value survives the JSON round trip
    path = mon.save(tmp_path / "history.json")
    back = GradientMonitor.load(path)
    assert back.history["steps"] == mon.history["steps"]
    assert str(back.diagnose()) == str(mon.diagnose()) and "non-finite" in back.diagnose().kinds()
    for plot in (back.plot_heatmap, back.plot_lines, back.plot_bars, back.plot_gain):
        assert plot().axes  # a loaded history (with its "nan") plots the same
    with pytest.raises(ValueError, match="gradient history"):
        GradientMonitor.from_history({"nope": 1})


def test_memory_is_bounded_by_down_sampling():
    mon, _ = train(deep(nn.ReLU, depth=2), steps=40, monitor_kw={"max_records": 8})
    h = mon.history
    assert len(h["steps"]) <= 8 + 1 and h["steps"][0] == 0 and h["steps"][-1] >= 32 and h["every"] >= 4
    assert all(len(rows) == len(h["steps"]) for rows in h["stats"].values())


def test_without_an_optimizer_a_record_per_backward():
    autograd.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
    mon = GradientMonitor(model, every=2)
    x, y = autograd.randn(5, 3), autograd.randint(0, 2, (5,))
    for _ in range(5):
        model.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
    h = mon.history
    assert h["steps"] == [0, 2, 4]
    assert col(h, "grad_norm", "2") == pytest.approx(
        np.linalg.norm(np.concatenate([p.grad.numpy().ravel() for p in model[2].parameters()])), rel=1e-6)


def test_draw_graph_marks_the_layers_a_finding_names():
    model = deep(nn.Sigmoid, depth=6)
    mon, loss = train(model)
    badges = mon.badges()
    assert "0" in badges and "vanishing" in badges["0"]
    src = viz.draw_graph(loss, monitor=mon, fold_repeats=False).source
    assert "⚠ vanishing" in src


def test_errors():
    with pytest.raises(TypeError, match="nn.Module"):
        GradientMonitor(Tensor(np.ones(2)))
    with pytest.raises(ValueError, match="every"):
        GradientMonitor(nn.Linear(2, 2), every=0)
    with pytest.raises(ValueError, match="no module with parameters"):
        GradientMonitor(nn.ReLU())
