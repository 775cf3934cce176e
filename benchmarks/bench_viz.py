"""viz speed (issue 8, section 7), printed as ratios to each target; nothing is asserted.

- DOT text for a 10,000-node graph (target 1 s); torchviz's ``make_dot`` on the same graph in torch, if installed.
- ``draw_graph(collapse="auto")`` of a 20-block residual network rendered to SVG (target 2 s), with each engine.
- What recording adds to a plain ``backward()`` of the W1 MLP (784-512-256-10, batch 128): the heat recorder that
  ``import viz`` installs, and the replay's tape (target: at most 30%). Timed in turns with the recorder off.
- ``explore_graph`` of a 5,000-node graph: the page written (target 2 s).
"""
from __future__ import annotations

import os
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import autograd  # noqa: E402
import nn  # noqa: E402
import viz  # noqa: E402
from autograd import Tensor  # noqa: E402

from _timing import interleaved, median_time, optional  # noqa: E402


def line(what: str, seconds: float, target: float) -> None:
    print(f"  {what:<58} {seconds * 1e3:9.1f} ms   {seconds / target:5.2f}x of the {target:g} s target")


def chain(n_ops: int) -> Tensor:
    x = Tensor(np.ones(3), requires_grad=True)
    h = x
    for _ in range(n_ops // 2):
        h = (h * 1.0001).tanh()
    loss = h.sum()
    loss.backward()
    return loss


def dot_text() -> None:
    loss = chain(10_000)
    n = len(autograd.Graph.of(loss))
    t = median_time(lambda: viz.draw_graph(loss).source, repeat=5)
    line(f"DOT text, {n:,} nodes", t, 1.0)
    torch, torchviz = optional("torch"), optional("torchviz")
    if torch is None or torchviz is None:
        print("  (torchviz not installed: pip install torchviz to compare)")
        return
    for n_ops in (10_000, 800):
        x = torch.ones(3, requires_grad=True)
        h = x
        for _ in range(n_ops // 2):
            h = (h * 1.0001).tanh()
        tl = h.sum()
        try:
            tt = median_time(lambda: torchviz.make_dot(tl).source, repeat=3)
        except RecursionError:
            print(f"  torchviz make_dot, {n_ops:,}-op graph: RecursionError (it walks the graph recursively)")
            continue
        ours = chain(n_ops)
        t_ours = median_time(lambda: viz.draw_graph(ours).source, repeat=3)
        print(f"  {n_ops:,}-op graph: tracegrad {t_ours * 1e3:.1f} ms (values, gradients, heat, modules), torchviz "
              f"{tt * 1e3:.1f} ms (op names only)   tracegrad/torchviz = {t_ours / tt:.2f}x")


class Net(nn.Module):
    def __init__(self, blocks: int = 20) -> None:
        super().__init__()
        self.stem = nn.Conv2d(1, 8, 3, padding=1)
        self.blocks = nn.Sequential(*[nn.ResidualBlock(8, 8) for _ in range(blocks)])
        self.head = nn.Linear(8, 10)

    def forward(self, x: Tensor) -> Tensor:
        return self.head(self.blocks(nn.functional.relu(self.stem(x))).mean(axis=(2, 3)))


def resnet_svg() -> None:
    autograd.manual_seed(0)
    model = Net()
    x, y = autograd.randn(2, 1, 8, 8), autograd.randint(0, 10, (2,))
    loss = nn.functional.cross_entropy(model(x), y)
    loss.backward()
    n = len(autograd.Graph.of(loss))
    for engine in viz.available_engines():
        def run(engine: str = engine) -> bytes:
            d = viz.draw_graph(loss, collapse="auto")
            d.render_engine = engine
            return d.pipe(format="svg")
        line(f"20-block ResNet ({n} nodes), collapse='auto' -> SVG [{engine}]", median_time(run, repeat=3), 2.0)
        def full(engine: str = engine) -> bytes:
            d = viz.draw_graph(loss, fold_repeats=False)
            d.render_engine = engine
            return d.pipe(format="svg")
        line(f"  the same, every node drawn [{engine}]", median_time(full, repeat=1, warmup=0), 2.0)


def recording_overhead() -> None:
    from viz.replay import _Tape
    autograd.manual_seed(0)
    model = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 256), nn.ReLU(), nn.Linear(256, 10))
    x, y = autograd.randn(128, 784), autograd.randint(0, 10, (128,))

    def backward(mode: str) -> float:
        model.zero_grad()
        with viz.recording(mode == "heat"):
            loss = nn.functional.cross_entropy(model(x), y)
            t0 = time.perf_counter()
            if mode == "tape":
                with autograd.tracing(_Tape()):
                    loss.backward()
            else:
                loss.backward()
            return time.perf_counter() - t0

    samples: dict[str, list[float]] = {"plain": [], "heat": [], "tape": []}
    for _ in range(3):
        for m in samples:
            backward(m)
    for _ in range(40):
        for m in samples:
            samples[m].append(backward(m))
    med = {m: float(np.median(v)) for m, v in samples.items()}
    print(f"  W1 MLP backward, batch 128: plain {med['plain'] * 1e3:.2f} ms")
    for m, what in (("heat", "heat recorder (on after import viz)"), ("tape", "replay tape")):
        extra = med[m] / med["plain"] - 1
        print(f"    + {what:<36} {med[m] * 1e3:7.2f} ms   adds {extra * 100:5.1f}%  ({extra / 0.30:.2f}x of the "
              f"30% budget)")
    fwd = interleaved({"plain": lambda: _forward(model, x, y, False), "heat": lambda: _forward(model, x, y, True)},
                      repeat=21)
    print(f"  W1 MLP forward: plain {fwd['plain'] * 1e3:.2f} ms, with the recorder {fwd['heat'] * 1e3:.2f} ms "
          f"(adds {(fwd['heat'] / fwd['plain'] - 1) * 100:.1f}%)")


def _forward(model: nn.Module, x: Tensor, y: Tensor, on: bool) -> None:
    with viz.recording(on):
        nn.functional.cross_entropy(model(x), y)


def explore_page() -> None:
    class Wide(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.layers = nn.Sequential(*[nn.Sequential(nn.Linear(4, 4), nn.Tanh(), nn.Linear(4, 4), nn.Sigmoid())
                                          for _ in range(500)])

        def forward(self, x: Tensor) -> Tensor:
            h = x
            for layer in self.layers:
                h = layer(h) * 1.0 + h
            return h
    model = Wide()
    x = autograd.randn(2, 4)
    loss = (model(x) ** 2).mean()
    loss.backward()
    n = len(autograd.Graph.of(loss))
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "graph.html")
        t = median_time(lambda: viz.explore_graph(loss).save(path), repeat=3)
        size = os.path.getsize(path)
    line(f"explore_graph, {n:,} nodes, page written ({size / 1e6:.1f} MB)", t, 2.0)


def monitor_overhead() -> None:
    import optim
    from viz.monitor import GradientMonitor
    autograd.manual_seed(0)
    x, y = autograd.randn(128, 784), autograd.randint(0, 10, (128,))
    runs = {}
    for mode in ("plain", "monitor", "monitor+activations", "monitor every=5"):
        autograd.manual_seed(0)
        model = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 256), nn.ReLU(), nn.Linear(256, 10))
        opt = optim.Adam(model.parameters(), lr=1e-3)
        if mode != "plain":
            GradientMonitor(model, opt, activations=mode.endswith("activations"),
                            every=5 if mode.endswith("5") else 1)

        def step(model: nn.Module = model, opt: optim.Optimizer = opt) -> None:
            opt.zero_grad()
            with viz.recording(False):  # the heat recorder is measured above; here only the monitor
                nn.functional.cross_entropy(model(x), y).backward()
            opt.step()
        runs[mode] = step
    med = interleaved(runs, repeat=31)
    print(f"  W1 MLP Adam step, batch 128: plain {med['plain'] * 1e3:.2f} ms")
    for mode, budget, args in (("monitor", 0.10, "activations=False, every=1"),
                               ("monitor+activations", 0.25, "activations=True, every=1"),
                               ("monitor every=5", 0.10, "activations=False, every=5")):
        extra = med[mode] / med["plain"] - 1
        print(f"    + GradientMonitor({args}) {med[mode] * 1e3:6.2f} ms  adds {extra * 100:5.1f}%  "
              f"({extra / budget:.2f}x of the {budget:.0%} budget)")


if __name__ == "__main__":
    print("viz speed (ratio = measured / target; below 1.00x meets it)")
    dot_text()
    resnet_svg()
    recording_overhead()
    monitor_overhead()
    try:
        explore_page()
    except ImportError as e:
        print(f"  explore_graph: {e}")
