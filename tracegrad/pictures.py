"""The pictures ``make demo`` writes next to its training run: what viz shows, on built-in data."""
from __future__ import annotations

import os
from typing import Any

import numpy as np

import autograd
import nn
import optim
import viz
from autograd import Tensor

from .models import deep_mlp


def graph_pictures(loss: Tensor, out: str) -> list[str]:
    """The demo's backprop graph with gradient heat (SVG, with Graphviz's dot or the pip-installed fallback), the same
    as an interactive page, a step-by-step replay of one neuron's backward, and a 20-layer sigmoid MLP beside its
    residual twin, where the dark layers are where gradients die."""
    paths = [viz.draw_graph(loss, title="the demo MLP's last step").save_svg(os.path.join(out, "graph.svg")),
             viz.explore_graph(loss, title="the demo MLP's last step").save(os.path.join(out, "graph.html"))]
    x, w, b = (Tensor(np.array(v), requires_grad=True, name=k) for k, v in (("x", 2.0), ("w", -3.0), ("b", 1.0)))
    neuron = ((x * w + b).tanh() - 0.5) ** 2
    paths.append(viz.backprop_replay(neuron).page().save(os.path.join(out, "replay.html")))
    xb, yb = autograd.randn(32, 8), autograd.randint(0, 3, (32,))
    for name, skip in (("deep_sigmoid", False), ("deep_residual", True)):
        model = deep_mlp(nn.Sigmoid, skip, width=16)
        deep = nn.functional.cross_entropy(model(xb), yb)
        deep.backward()
        title = f"20-layer sigmoid MLP{' with skips' if skip else ''}: gradient heat"
        d = viz.draw_graph(deep, fold_repeats=False, collapse=1, title=title)
        paths.append(d.save_svg(os.path.join(out, f"{name}.svg")))
    return paths


def gradient_flow(out: str, steps: int = 30) -> tuple[list[str], dict[str, Any]]:
    """Three 20-layer MLPs (sigmoid, ReLU, ReLU with skips) trained a few SGD steps under a ``GradientMonitor``: their
    per-layer gradient norms side by side on one colour scale, the sigmoid one's gains, and each one's diagnosis."""
    monitors, verdicts = {}, {}
    x, y = autograd.randn(64, 8), autograd.randint(0, 3, (64,))
    for name, act, skip in (("sigmoid", nn.Sigmoid, False), ("relu", nn.ReLU, False), ("residual", nn.ReLU, True)):
        autograd.manual_seed(0)
        model = deep_mlp(act, skip)
        opt = optim.SGD(model.parameters(), lr=0.01)
        with viz.GradientMonitor(model, opt) as mon:
            for _ in range(steps):
                opt.zero_grad()
                nn.functional.cross_entropy(model(x), y).backward()
                opt.step()
        monitors[name] = mon
        verdicts[name] = mon.diagnose()
    paths = viz.figures.save(viz.compare_monitors(monitors), os.path.join(out, "gradient_flow"))
    paths += viz.figures.save(monitors["sigmoid"].plot_gain(), os.path.join(out, "gain_sigmoid"))
    paths.append(monitors["sigmoid"].save(os.path.join(out, "gradient_history_sigmoid.json")))
    return paths, verdicts


def write_all(loss: Tensor, out: str) -> list[str]:
    """Every demo picture into ``out``; prints each diagnosis."""
    os.makedirs(out, exist_ok=True)
    paths = graph_pictures(loss, out)
    flow, verdicts = gradient_flow(out)
    for name, d in verdicts.items():
        print(f"  diagnosis of the 20-layer {name} MLP: {d.verdict}"
              + (f" (first layers: {', '.join(d.layers_with('vanishing')[:4])} …)" if d.verdict == "vanishing"
                 else ""))
    paths += flow
    paths += viz.figures.save(viz.plot_activations(), os.path.join(out, "activations"))
    return paths
